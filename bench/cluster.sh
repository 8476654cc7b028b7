#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Several nodes benchmark (issue 13; docs/deployment.md): attestd on one
# PostgreSQL (tests/harness/pg.sh, with pg_stat_statements loaded), the
# nodes and HAProxy as the tests run them (tests/integration/lib/
# cluster.sh, deploy/haproxy.cfg), SGX simulator requests from wrk
# (tests/integration/lib/cluster_wrk.lua, closed loop, CONNS connections).
# Everything runs on this machine, so two nodes share the cores one node
# had: the figures show the overhead of the load balancer and of the
# shared database, not scaling.
#   1. throughput and attestd CPU per request (utime+stime of every node,
#      /proc/PID/stat) for: one node direct; one node behind HAProxy; two
#      nodes behind HAProxy (and HAProxy's own CPU per request)
#   2. database round trips per attestation in steady state: statements
#      executed by attestd's role (pg_stat_statements, utility statements
#      included) during a loaded run, minus the background rate (change
#      listener, periodic version check) measured on an idle run of the
#      same length, divided by the answers; the statements are listed
#   3. cache-coherence delay: a policy PUT on node 1, then attestations on
#      node 2 until one carries the new policy; ROUNDS rounds, min /
#      median / max
# usage: bench/cluster.sh [BUILD_DIR]   (env: DURATION=10 CONNS=8 ROUNDS=10)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
export ATT_SRC_DIR=$SRC
export ATT_BIN_DIR=${1:-${ATT_BIN_DIR:-$SRC/build}}
DURATION=${DURATION:-10}
CONNS=${CONNS:-8}
ROUNDS=${ROUNDS:-10}
. "$SRC/tests/integration/lib/attestd.sh"
. "$SRC/tests/integration/lib/cluster.sh"
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }
cl_init
LUA=$SRC/tests/integration/lib/cluster_wrk.lua
AV="api-version=2020-10-01"
W=$T_TMP/w
mkdir -p "$W"
HZ=$(getconf CLK_TCK)

# pg_stat_statements must be preloaded: set it and restart PostgreSQL.
PGSS=1
att_pg_psql postgres "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null &&
	att_pg_stop && att_pg_restart &&
	att_pg_psql attest_pw "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null || PGSS=0
[ "$PGSS" = 1 ] || echo "# pg_stat_statements is not available: no round-trip count"

cl_node_start 1 || exit 1
cl_node_start 2 || exit 1
printf 'cluster benchmark runtime data' >"$W/rt.bin"
export ATTEST_BODY=$W/body.json
"$ATTEST" sgx --sim "${NODE_DIR[1]}/sim" --runtime-data "$W/rt.bin" --request-only >"$ATTEST_BODY" || exit 1
cl_curl -X POST -H 'Content-Type: application/json' --data-binary @"$ATTEST_BODY" \
	"${NODE_BASE[1]}/attest/SgxEnclave?$AV" >/dev/null
[ "$(att_status)" = 200 ] || { echo "the request is refused: $(cat "$T_TMP/body")"; exit 1; }

ticks() { # PID...: utime+stime of the processes, in clock ticks
	local p s=0
	for p in "$@"; do
		s=$((s + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$s"
}
run_wrk() { # URL SECONDS
	wrk -t2 -c"$CONNS" -d"$2"s -s "$LUA" "$1" 2>"$W/wrk.err" | grep '^{' | tail -1
}
us_per_req() { awk -v t="$1" -v hz="$HZ" -v n="$2" 'BEGIN { printf "%.0f", n ? 1e6 * t / hz / n : 0 }'; }

# measure LABEL URL PIDS...: a warm-up, then DURATION seconds; prints the
# figures line.
measure() {
	local label=$1 url=$2 out c0 c1 h0=0 h1=0 n
	shift 2
	run_wrk "$url" 2 >/dev/null
	c0=$(ticks "$@")
	[ -n "$CL_HAPROXY_PID" ] && h0=$(ticks "$CL_HAPROXY_PID")
	out=$(run_wrk "$url" "$DURATION")
	c1=$(ticks "$@")
	[ -n "$CL_HAPROXY_PID" ] && h1=$(ticks "$CL_HAPROXY_PID")
	[ -n "$out" ] || { echo "wrk failed: $(head -c 300 "$W/wrk.err")"; exit 1; }
	n=$(jq -r .ok <<<"$out")
	printf '%-28s %8s req/s  p50 %6s ms  p99 %6s ms  non-200 %s  attestd CPU %s us/req' \
		"$label" "$(jq -r .rps <<<"$out")" "$(jq -r .p50_ms <<<"$out")" "$(jq -r .p99_ms <<<"$out")" \
		"$(jq -r .non200 <<<"$out")" "$(us_per_req $((c1 - c0)) "$n")"
	[ "$url" = "$LB_BASE" ] && printf '  HAProxy CPU %s us/req' "$(us_per_req $((h1 - h0)) "$n")"
	echo
}

echo "# $(nproc) cores, $CONNS connections, ${DURATION} s per run, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "SGX attestation throughput:"
measure "one node, direct" "${NODE_BASE[1]}" "${NODE_PID[1]}"
cl_node_stop 2
cl_haproxy_start 1 || exit 1
measure "one node behind HAProxy" "$LB_BASE" "${NODE_PID[1]}"
cl_haproxy_stop
cl_node_start 2 || exit 1
cl_haproxy_start 2 || exit 1
measure "two nodes behind HAProxy" "$LB_BASE" "${NODE_PID[1]}" "${NODE_PID[2]}"

# ---- database round trips per attestation ---------------------------------
if [ "$PGSS" = 1 ]; then
	stmts() {
		att_pg_psql attest_pw "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s
			JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'attest_pw'"
	}
	run_wrk "$LB_BASE" 2 >/dev/null
	att_pg_psql attest_pw "SELECT pg_stat_statements_reset()" >/dev/null
	sleep "$DURATION"
	IDLE=$(stmts)
	att_pg_psql attest_pw "SELECT pg_stat_statements_reset()" >/dev/null
	out=$(run_wrk "$LB_BASE" "$DURATION")
	LOADED=$(stmts)
	n=$(jq -r .ok <<<"$out")
	echo "database round trips (statements of attestd's role, pg_stat_statements):"
	echo "  idle ${DURATION} s (both nodes):   $IDLE statements (background: HAProxy's /readyz checks, change listener, version check)"
	echo "  loaded ${DURATION} s, $n answers:  $LOADED statements"
	echo "  per attestation:             $(awk -v l="$LOADED" -v i="$IDLE" -v n="$n" 'BEGIN {
		if (l <= i) printf "0 (the loaded run made no more statements than the idle one)"
		else printf "%.4f ((loaded - idle) / answers)", n ? (l - i) / n : 0 }')"
	echo "  statements during the loaded run:"
	att_pg_psql attest_pw "SELECT calls, left(regexp_replace(query, '\s+', ' ', 'g'), 90) FROM pg_stat_statements s
		JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'attest_pw' ORDER BY calls DESC LIMIT 8" |
		sed 's/^/    /'
fi

# ---- cache-coherence delay ---------------------------------------------------
CONTRIB=$("$ATTEST" dev-token --data-dir "${NODE_DIR[1]}" --role contributor)
b64d() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf %s "$s" | base64 -d 2>/dev/null
}
delays=()
for r in $(seq 1 "$ROUNDS"); do
	printf 'version=1.0;\nauthorizationrules { => permit(); };\nissuancerules { => issue(type="gen", value="r%s-%s"); };\n' \
		"$r" "$$" >"$W/p.txt"
	jws=$(printf '%s.%s.' "$(printf '{"alg":"none"}' | att_b64url)" \
		"$(printf '{"AttestationPolicy":"%s"}' "$(att_b64url <"$W/p.txt")" | att_b64url)")
	cl_curl -X PUT -H "Authorization: Bearer $CONTRIB" -H "Content-Type: text/plain" \
		--data-binary "$jws" "${NODE_BASE[1]}/policies/SgxEnclave?$AV" >/dev/null
	[ "$(att_status)" = 200 ] || { echo "policy PUT failed: $(cat "$T_TMP/body")"; exit 1; }
	t0=$(date +%s%N)
	while :; do
		got=$(cl_curl -X POST -H 'Content-Type: application/json' --data-binary @"$ATTEST_BODY" \
			"${NODE_BASE[2]}/attest/SgxEnclave?$AV" | jq -r .token | cut -d. -f2 | b64d | jq -r '.gen // empty')
		[ "$got" = "r$r-$$" ] && break
		[ $(($(date +%s%N) - t0)) -lt 10000000000 ] || { echo "round $r: not seen on node 2 in 10 s"; break; }
	done
	delays+=($((($(date +%s%N) - t0) / 1000000)))
	sleep 0.$((RANDOM % 5))
done
echo "cache coherence (policy PUT on node 1 -> first attestation on node 2 with it), $ROUNDS rounds:"
printf '%s\n' "${delays[@]}" | sort -n | awk '{ v[NR] = $1 } END {
	printf "  min %d ms, median %d ms, max %d ms (polling with one attestation at a time)\n", v[1], v[int((NR + 1) / 2)], v[NR] }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (other processes share these cores)"
