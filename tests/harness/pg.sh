# SPDX-License-Identifier: Apache-2.0
# A throw-away PostgreSQL for tests (sourced): initdb into a temporary
# directory, pg_ctl start on a Unix socket in that directory and on a free
# loopback port, a test database, stop. PostgreSQL refuses to run as root,
# so as root the server runs as the postgres user the Debian package
# creates (runuser), in a directory chowned to it. A failure to start is a
# failure: the caller says "FAIL (cannot run)" and exits non-zero; no
# test is ever skipped for want of PostgreSQL.
#
#   att_pg_start DIR     start a cluster in DIR (must be empty or absent);
#                        sets ATT_PG_DIR, ATT_PG_PORT, ATT_PG_BIN and
#                        exports ATT_TEST_PG_URL (superuser, Unix socket),
#                        ATT_TEST_PG_PWURL (user attest_pw over TCP with
#                        scram-sha-256 to its own database attest_pw, no
#                        password in the URL) and
#                        ATT_TEST_PG_PWFILE (that user's password file)
#   att_pg_url DB        a superuser URL for database DB (Unix socket)
#   att_pg_psql DB SQL   run SQL as the superuser, print the rows unaligned
#   att_pg_createdb DB   create database DB owned by attest_pw
#   att_pg_stop          stop the cluster (fast shutdown), keep DIR
#   att_pg_kill          stop it at once (immediate shutdown: a crash)
#   att_pg_restart       start the stopped cluster again, same port

ATT_PG_DIR=
ATT_PG_PORT=
ATT_PG_BIN=
ATT_PG_AS=()

att_pg_bin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || return 1
	echo "$d"
}

# att_pg_free_port: a loopback TCP port nobody listens on (as att_free_port
# of tests/integration/lib/attestd.sh: below the ephemeral range).
att_pg_free_port() {
	local p i lo=20000 hi=32767 e
	read -r e _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || e=32768
	[ "$e" -gt $((lo + 1000)) ] && hi=$((e - 1))
	for i in $(seq 1 200); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

att_pg_url() {
	echo "postgresql:///$1?host=$ATT_PG_DIR&port=$ATT_PG_PORT&user=postgres"
}

att_pg_psql() {
	"${ATT_PG_AS[@]}" "$ATT_PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
		-h "$ATT_PG_DIR" -p "$ATT_PG_PORT" -U postgres -d "$1" -c "$2"
}

att_pg_createdb() {
	att_pg_psql postgres "CREATE DATABASE \"$1\" OWNER attest_pw" >/dev/null
}

_att_pg_ctl_start() {
	"${ATT_PG_AS[@]}" "$ATT_PG_BIN/pg_ctl" -D "$ATT_PG_DIR/data" \
		-l "$ATT_PG_DIR/server.log" -w -t 60 \
		-o "-k $ATT_PG_DIR -p $ATT_PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
		start >>"$ATT_PG_DIR/ctl.log" 2>&1
}

att_pg_start() {
	local dir=$1 pw
	ATT_PG_BIN=$(att_pg_bin) || { echo "pg: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (scripts/deps.sh installs them)" >&2; return 1; }
	mkdir -p "$dir" || return 1
	ATT_PG_DIR=$(cd "$dir" && pwd)
	ATT_PG_AS=()
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || { echo "pg: running as root and there is no postgres user" >&2; return 1; }
		chown postgres: "$ATT_PG_DIR" && chmod 0700 "$ATT_PG_DIR" || return 1
		ATT_PG_AS=(runuser -u postgres --)
	fi
	ATT_PG_PORT=$(att_pg_free_port) || { echo "pg: no free port" >&2; return 1; }
	# Unix socket: trust; TCP: passwords (scram-sha-256).
	if ! "${ATT_PG_AS[@]}" "$ATT_PG_BIN/initdb" -D "$ATT_PG_DIR/data" -U postgres \
		--auth-local=trust --auth-host=scram-sha-256 --no-sync -E UTF8 \
		--locale=C >"$ATT_PG_DIR/initdb.log" 2>&1; then
		echo "pg: initdb failed:" >&2
		tail -20 "$ATT_PG_DIR/initdb.log" >&2
		return 1
	fi
	if ! _att_pg_ctl_start; then
		echo "pg: pg_ctl start failed:" >&2
		tail -20 "$ATT_PG_DIR/ctl.log" "$ATT_PG_DIR/server.log" >&2 2>/dev/null
		return 1
	fi
	pw="pw-$RANDOM$RANDOM$RANDOM"
	att_pg_psql postgres "CREATE ROLE attest_pw LOGIN PASSWORD '$pw'" >/dev/null || return 1
	att_pg_createdb attest_test || return 1
	att_pg_createdb attest_pw || return 1
	# The password file is the test's (root or not), outside the
	# postgres-owned directory.
	ATT_TEST_PG_PWFILE=$(mktemp /tmp/att-pg-pw-XXXXXX) || return 1
	printf '%s\n' "$pw" >"$ATT_TEST_PG_PWFILE"
	ATT_TEST_PG_URL=$(att_pg_url attest_test)
	ATT_TEST_PG_PWURL="postgresql://attest_pw@127.0.0.1:$ATT_PG_PORT/attest_pw"
	export ATT_TEST_PG_URL ATT_TEST_PG_PWURL ATT_TEST_PG_PWFILE ATT_PG_DIR ATT_PG_PORT
}

att_pg_stop() {
	[ -n "$ATT_PG_DIR" ] && [ -d "$ATT_PG_DIR/data" ] || return 0
	"${ATT_PG_AS[@]}" "$ATT_PG_BIN/pg_ctl" -D "$ATT_PG_DIR/data" -m fast -w \
		stop >>"$ATT_PG_DIR/ctl.log" 2>&1
}

att_pg_kill() {
	"${ATT_PG_AS[@]}" "$ATT_PG_BIN/pg_ctl" -D "$ATT_PG_DIR/data" -m immediate -w \
		stop >>"$ATT_PG_DIR/ctl.log" 2>&1
}

att_pg_restart() {
	_att_pg_ctl_start
}

# att_pg_cleanup: stop and remove everything att_pg_start made.
att_pg_cleanup() {
	att_pg_stop
	[ -n "$ATT_PG_DIR" ] && rm -rf "$ATT_PG_DIR"
	[ -n "${ATT_TEST_PG_PWFILE:-}" ] && rm -f "$ATT_TEST_PG_PWFILE"
	return 0
}
