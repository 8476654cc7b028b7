# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Several attestd nodes on one PostgreSQL behind HAProxy, on loopback
# (docs/deployment.md, "Several nodes behind a load balancer"); sourced
# after lib/attestd.sh by tests/integration/cluster_*.sh and
# bench/cluster.sh. Everything started here is stopped by the EXIT trap.
#
#   cl_init                 check the tools, start PostgreSQL
#                           (tests/harness/pg.sh; a failure fails the test)
#   cl_node_start I         start node I (dev mode, its own data dir
#                           $T_TMP/nI and loopback port, --store on the
#                           shared database). Node 1 makes the master key,
#                           the TLS certificate, the dev issuer and the SGX
#                           simulator; nodes 2.. get copies of them before
#                           they start (the master key as docs/deployment.md
#                           says; the rest so that one CA, one dev token and
#                           one simulated platform serve every node)
#   cl_node_kill I          kill -9 node I
#   cl_node_stop I          SIGTERM node I and wait
#   cl_haproxy_start N      render deploy/haproxy.cfg for nodes 1..N
#                           (cl_render), check it (haproxy -c), run it
#                           and wait until the N nodes are UP
#   cl_haproxy_stop         stop it
#   cl_render N OUT         the rendering alone
#   cl_state NAME           HAProxy's status of server NAME (UP, DOWN, ...)
#   cl_wait_state NAME S T  wait up to T seconds for status S
#   cl_curl URL ARGS...     curl trusting the nodes' CA (as att_curl: body
#                           on stdout, status in $T_TMP/status)
#   cl_sql SQL              run SQL on the shared database
#
# Variables: NODE_BASE[I], NODE_PID[I], NODE_DIR[I]; LB_BASE (HAProxy's
# front), LB_STATS (its CSV status page), CA (the nodes' certificate),
# CL_URL / CL_PWFILE (the store URL and its password file).

CL_PGD=
CL_HAPROXY_PID=
CL_URL=
CL_PWFILE=
LB_BASE=
LB_STATS=
declare -a NODE_BASE NODE_PID NODE_DIR NODE_PORT

cl_cleanup() {
	local i
	cl_haproxy_stop
	for i in "${!NODE_PID[@]}"; do
		cl_node_stop "$i"
	done
	[ -n "$CL_PGD" ] && att_pg_cleanup
	att_cleanup
}

cl_cannot_run() {
	echo "FAIL (cannot run): $*"
	echo "0 passed, 1 failed"
	exit 1
}

cl_init() {
	att_require_bins
	local b
	for b in haproxy openssl python3; do
		command -v "$b" >/dev/null || cl_cannot_run "$b missing (scripts/deps.sh installs it)"
	done
	. "$ATT_SRC_DIR/tests/harness/pg.sh"
	trap cl_cleanup EXIT
	# Not under $T_TMP: PostgreSQL runs as the postgres user, who cannot
	# enter the test's private directory.
	CL_PGD=$(mktemp -d /tmp/att-pg-XXXXXX)
	att_pg_start "$CL_PGD" || cl_cannot_run "PostgreSQL did not start"
	CL_URL=$ATT_TEST_PG_PWURL
	CL_PWFILE=$ATT_TEST_PG_PWFILE
	echo "# PostgreSQL on $ATT_PG_DIR (port $ATT_PG_PORT)"
}

cl_sql() { att_pg_psql attest_pw "$1"; }

# cl_seed I: copy node 1's shared files into node I's data dir.
cl_seed() {
	local from=${NODE_DIR[1]} to=$1 f
	mkdir -m 0700 -p "$to" || return 1
	for f in master.key tls.crt tls.key dev-issuer.key dev-issuer.jwks dev-issuer.json; do
		[ -f "$from/$f" ] || { echo "node 1 has no $f" >&2; return 1; }
		cp -p "$from/$f" "$to/$f" || return 1
	done
	for f in sim snpsim; do
		[ ! -d "$from/$f" ] || cp -pr "$from/$f" "$to/$f" || return 1
	done
}

cl_node_start() {
	local i=$1 dir=$T_TMP/n$1 port j
	port=${NODE_PORT[$i]:-$(att_free_port)}
	NODE_PORT[$i]=$port
	NODE_DIR[$i]=$dir
	if [ "$i" != 1 ] && [ ! -f "$dir/master.key" ]; then
		cl_seed "$dir" || return 1
	fi
	mkdir -m 0700 -p "$dir"
	# Behind a load balancer every connection comes from its address.
	[ -f "$dir.json" ] || printf '{"limits": {"max_connections_per_address": 0}}\n' >"$dir.json"
	"$ATTESTD" serve --dev --listen "127.0.0.1:$port" --data-dir "$dir" \
		--config "$dir.json" --log-level "${CL_LOG_LEVEL:-warn}" \
		--store "$CL_URL" --store-password-file "$CL_PWFILE" >>"$dir.out" 2>>"$dir.log" &
	NODE_PID[$i]=$!
	NODE_BASE[$i]="https://127.0.0.1:$port"
	CA=$dir/tls.crt
	for j in $(seq 1 150); do
		if [ -f "$CA" ] && curl -sf --cacert "$CA" "${NODE_BASE[$i]}/readyz" >/dev/null 2>&1; then
			break
		fi
		if ! kill -0 "${NODE_PID[$i]}" 2>/dev/null; then
			echo "node $i exited early:"
			tail -20 "$dir.log"
			return 1
		fi
		sleep 0.1
	done
	[ "$j" -lt 150 ] || { echo "node $i not ready after 15 s:"; tail -20 "$dir.log"; return 1; }
	CA=${NODE_DIR[1]}/tls.crt
	# Node 1 builds the SGX simulator on the first attestation request.
	if [ "$i" = 1 ] && [ ! -f "$dir/sim/manifest.json" ]; then
		curl -s --cacert "$CA" -X POST "${NODE_BASE[1]}/attest/SgxEnclave" -d '{}' >/dev/null
	fi
	return 0
}

cl_node_kill() {
	local p=${NODE_PID[$1]:-}
	[ -n "$p" ] || return 0
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	NODE_PID[$1]=
}

cl_node_stop() {
	local p=${NODE_PID[$1]:-}
	[ -n "$p" ] || return 0
	if kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	fi
	NODE_PID[$1]=
}

# cl_render N OUT: deploy/haproxy.cfg for nodes 1..N on this machine.
cl_render() {
	local n=$1 out=$2 i addrs=""
	for i in $(seq 1 "$n"); do
		addrs="$addrs $i=127.0.0.1:${NODE_PORT[$i]}"
	done
	awk -v lb="127.0.0.1:$CL_LB_PORT" -v st="127.0.0.1:$CL_STATS_PORT" \
		-v ca="$CA" -v addrs="$addrs" '
		BEGIN { k = split(addrs, a, " "); for (j = 1; j <= k; j++) { split(a[j], kv, "="); addr[kv[1]] = kv[2] } }
		/^ *server node[0-9]+(-any)? / {
			name = $2; sub(/^node/, "", name); sub(/-any$/, "", name)
			if (!(name in addr)) next
			$3 = addr[name]; print "    " $0; next
		}
		/^ *bind :443$/ { print "    bind " lb; next }
		/^ *bind 127\.0\.0\.1:8404$/ { print "    bind " st; next }
		{ gsub(/\/etc\/haproxy\/attestd-ca\.pem/, ca); gsub(/attest\.example\.com/, "localhost"); print }
	' "$ATT_SRC_DIR/deploy/haproxy.cfg" >"$out"
}

cl_haproxy_start() {
	local n=$1 cfg=$T_TMP/haproxy.cfg i t
	CL_LB_PORT=${CL_LB_PORT:-$(att_free_port)}
	CL_STATS_PORT=${CL_STATS_PORT:-$(att_free_port)}
	cl_render "$n" "$cfg" || return 1
	if ! haproxy -c -q -f "$cfg" >"$T_TMP/haproxy-check.log" 2>&1; then
		echo "haproxy -c refuses the rendered configuration:"
		cat "$T_TMP/haproxy-check.log"
		return 1
	fi
	haproxy -db -f "$cfg" >>"$T_TMP/haproxy.log" 2>&1 &
	CL_HAPROXY_PID=$!
	LB_BASE="https://127.0.0.1:$CL_LB_PORT"
	LB_STATS="http://127.0.0.1:$CL_STATS_PORT/stats;csv"
	for i in $(seq 1 "$n"); do
		t=$(cl_wait_state "node$i" UP 15) || {
			echo "node$i is not UP in HAProxy: $t"
			tail -5 "$T_TMP/haproxy.log"
			return 1
		}
	done
	return 0
}

cl_haproxy_stop() {
	[ -n "$CL_HAPROXY_PID" ] || return 0
	kill "$CL_HAPROXY_PID" 2>/dev/null
	wait "$CL_HAPROXY_PID" 2>/dev/null
	CL_HAPROXY_PID=
}

# cl_state NAME: the status column of server NAME of attestd_nodes.
cl_state() {
	curl -s "$LB_STATS" 2>/dev/null |
		awk -F, -v s="$1" '$1 == "attestd_nodes" && $2 == s { print $18 }'
}

# cl_wait_state NAME STATUS SECONDS: (exactly STATUS, not "UP 1/2") prints the seconds it took (or the
# last status seen, and fails).
cl_wait_state() {
	local t0 st now
	t0=$(date +%s%N)
	while :; do
		st=$(cl_state "$1")
		now=$(date +%s%N)
		case "$st" in
		"$2") awk -v d=$((now - t0)) 'BEGIN { printf "%.2f\n", d / 1e9 }'; return 0 ;;
		esac
		[ $(((now - t0) / 1000000000)) -lt "$3" ] || { echo "${st:-none}"; return 1; }
		sleep 0.1
	done
}

cl_curl() {
	curl -s --cacert "$CA" -D "$T_TMP/headers" -o "$T_TMP/body" \
		-w '%{http_code}' "$@" >"$T_TMP/status"
	cat "$T_TMP/body"
}
