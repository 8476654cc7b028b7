#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# attestd on a PostgreSQL store (docs/deployment.md), with a PostgreSQL
# that tests/harness/pg.sh starts (a failure to start it fails the test):
# attestd migrate --store URL applies the schema once and is idempotent;
# a URL with a password is refused on the command line (serve and
# migrate) without echoing the password; attestd serve --store URL
# --store-password-file FILE keeps its providers and keys in PostgreSQL
# (no SQLite file in the data dir) and logs the URL without a password;
# a second node on the same database with the same master key serves the
# same signing key; a node without the master key is refused while the
# store holds keys wrapped with one; an unreachable database is named.
. "$(dirname "$0")/lib/attestd.sh"
. "$ATT_SRC_DIR/tests/harness/pg.sh"
att_require_bins
PGD=$(mktemp -d /tmp/att-pg-XXXXXX)
ATTESTD2_PID=
cleanup() {
	[ -n "$ATTESTD2_PID" ] && kill "$ATTESTD2_PID" 2>/dev/null && wait "$ATTESTD2_PID" 2>/dev/null
	att_cleanup
	att_pg_cleanup
}
trap cleanup EXIT
if ! att_pg_start "$PGD"; then
	echo "FAIL (cannot run): PostgreSQL did not start"
	echo "0 passed, 1 failed"
	exit 1
fi
URL=$ATT_TEST_PG_PWURL
PWF=$ATT_TEST_PG_PWFILE
PW=$(cat "$PWF")

out=$("$ATTESTD" migrate --store "$URL" --store-password-file "$PWF" 2>&1)
check_contains "migrate applies the schema" "$out" "postgresql store at schema version 5"
out=$("$ATTESTD" migrate --store "$URL" --store-password-file "$PWF" 2>&1)
check_contains "migrate again: nothing to do" "$out" "schema version 5"
check_eq "each version applied once" \
	"$(att_pg_psql attest_pw 'SELECT count(*) FROM schema_version')" 5

pwurl="postgresql://attest_pw:$PW@127.0.0.1:$ATT_PG_PORT/attest_pw"
out=$("$ATTESTD" migrate --store "$pwurl" 2>&1); rc=$?
check_eq "migrate: a password on the command line is refused" "$rc" 2
check_contains "  and says why" "$out" "never on the command line"
case "$out" in *"$PW"*) not_ok "  without echoing the password" ;; *) ok "  without echoing the password" ;; esac
D1=$T_TMP/n1
mkdir -p "$D1"
out=$("$ATTESTD" serve --dev --listen 127.0.0.1:1 --data-dir "$D1" --store "$pwurl" 2>&1); rc=$?
check_eq "serve: a password on the command line is refused" "$rc" 2
case "$out" in *"$PW"*) not_ok "  without echoing the password" ;; *) ok "  without echoing the password" ;; esac

P1=$(att_free_port)
if att_start "$D1" "$P1" --store "$URL" --store-password-file "$PWF"; then
	ok "node 1 serves on PostgreSQL"
else
	not_ok "node 1 serves on PostgreSQL"
	att_done
fi
kid1=$(att_curl "$BASE/certs" | jq -r '.keys[0].kid')
check_eq "node 1: /certs" "$(att_status)" 200
check_eq "the default provider is in PostgreSQL" \
	"$(att_pg_psql attest_pw "SELECT count(*) FROM providers WHERE name = 'default'")" 1
check_eq "its signing key too" \
	"$(att_pg_psql attest_pw "SELECT kid FROM keys WHERE provider = 'default' AND active = 1")" "$kid1"
check "no SQLite store in the data dir" test ! -e "$D1/attestd.db"
check_contains "the log names the store" "$(cat "$D1.log")" "store: $URL (postgresql)"
case "$(cat "$D1.log" "$D1.out")" in *"$PW"*) not_ok "no password in the log" ;; *) ok "no password in the log" ;; esac

# Node 2: same database, the master key copied.
D2=$T_TMP/n2
mkdir -m 0700 "$D2"
cp "$D1/master.key" "$D2/master.key"
P2=$(att_free_port)
BASE1=$BASE CA1=$CA PID1=$ATTESTD_PID
if att_start "$D2" "$P2" --store "$URL" --store-password-file "$PWF"; then
	ok "node 2 serves on the same database"
else
	not_ok "node 2 serves on the same database"
fi
ATTESTD2_PID=$ATTESTD_PID
ATTESTD_PID=$PID1
kid2=$(att_curl "$BASE/certs" | jq -r '.keys[0].kid')
check_eq "node 2 serves node 1's signing key" "$kid2" "$kid1"

# Node 3: no master key, while the store holds keys wrapped with one.
D3=$T_TMP/n3
mkdir -m 0700 "$D3"
out=$(timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$(att_free_port)" --data-dir "$D3" \
	--store "$URL" --store-password-file "$PWF" 2>&1); rc=$?
check "a node without the master key is refused" test "$rc" -ne 0
check_contains "  and told to copy it" "$out" "copy the master key"
check "  and makes none" test ! -e "$D3/master.key"

# An unreachable database: refused, the host named.
out=$("$ATTESTD" migrate --store "postgresql://attest_pw@127.0.0.1:1/x" 2>&1); rc=$?
check_eq "unreachable database: migrate fails" "$rc" 1
check_contains "  naming the host" "$out" "store unavailable: cannot connect to PostgreSQL at 127.0.0.1:1"
att_done
