#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctest: RUN_SERIAL
# Faults under load through HAProxy (deploy/haproxy.cfg; issue 13), two
# attestd nodes on one PostgreSQL on loopback (lib/cluster.sh), load from
# wrk (lib/cluster_wrk.lua: the SGX simulator request as
# bench/attest_wrk.sh makes it, every 200 body kept):
# 1. kill -9 of node 2 in the middle of a CL_LOAD_SECONDS (9) wrk run of
#    CL_CONNS (8) connections: no wrong answer (every 200 body is a token
#    that verifies against /certs and carries the request's runtime
#    data; no non-2xx answer), the failed requests are only those in
#    flight on the killed node (wrk's socket errors, at most the
#    connections HAProxy had open on it: its stats' scur), HAProxy marks
#    the node DOWN, the load goes on on node 1, and node 2 comes back UP
#    after a restart. The figures are printed ("# figures: ...").
# 2. PostgreSQL stopped during load: a request that needs the database
#    (a policy PUT) gets 503 with MAA's error body, /readyz is not ready
#    on both nodes (and /healthz alive), through HAProxy every answer is
#    a verifying token or a 503 ServiceUnavailable (never a closed
#    connection: with no ready node HAProxy uses the unchecked backup
#    entries); after PostgreSQL starts again both nodes are ready by
#    themselves (no restart), HAProxy marks them UP and a policy PUT
#    succeeds. The delays are printed.
. "$(dirname "$0")/lib/attestd.sh"
. "$(dirname "$0")/lib/cluster.sh"
cl_init
command -v wrk >/dev/null || cl_cannot_run "wrk missing (scripts/deps.sh installs it)"
TOKCHECK=$ATT_SRC_DIR/tests/integration/lib/tokcheck.py
LUA=$ATT_SRC_DIR/tests/integration/lib/cluster_wrk.lua
SECS=${CL_LOAD_SECONDS:-9}
CONNS=${CL_CONNS:-8}
AV="api-version=2020-10-01"
W=$T_TMP/w
mkdir -p "$W"
WRK_PID=
trap '[ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null; cl_cleanup' EXIT
now_ns() { date +%s%N; }
secs_since() { awk -v d=$(($(now_ns) - $1)) 'BEGIN { printf "%.2f", d / 1e9 }'; }

cl_node_start 1 || { not_ok "node 1 starts"; att_done; }
cl_node_start 2 || { not_ok "node 2 starts"; att_done; }
cl_haproxy_start 2 || { not_ok "HAProxy with two nodes"; att_done; }
ok "two nodes on PostgreSQL behind HAProxy"
CONTRIB=$("$ATTEST" dev-token --data-dir "${NODE_DIR[1]}" --role contributor)

printf 'fault test runtime data' >"$W/rt.bin"
EHD=$(att_b64url <"$W/rt.bin")
export ATTEST_BODY=$W/body.json
"$ATTEST" sgx --sim "${NODE_DIR[1]}/sim" --runtime-data "$W/rt.bin" --request-only >"$ATTEST_BODY" ||
	cl_cannot_run "attest sgx --request-only"
cl_curl -X POST -H 'Content-Type: application/json' --data-binary @"$ATTEST_BODY" \
	"$LB_BASE/attest/SgxEnclave?$AV" >/dev/null
check_eq "one attestation through HAProxy" "$(att_status)" 200
cl_curl "${NODE_BASE[1]}/certs" >"$W/jwks.json"

# load PREFIX SECONDS: wrk through HAProxy in the background, 200 bodies
# kept in PREFIX<thread>, its JSON line in PREFIX.json.
load() {
	ATTEST_SAVE_PREFIX=$1 wrk -t2 -c"$CONNS" -d"$2"s -s "$LUA" "$LB_BASE" 2>"$1.err" |
		grep '^{' >"$1.json" &
	WRK_PID=$!
}
field() { jq -r ".$2" "$1.json"; }
# tokens PREFIX: check every kept 200 body (and that there are as many as
# wrk counted).
tokens() {
	local out n
	out=$(python3 "$TOKCHECK" --jwks "$W/jwks.json" --ehd "$EHD" "$1"[0-9]* 2>&1)
	n=$(field "$1" ok)
	check_eq "every 200 answer ($n) is a token that verifies and carries the runtime data" \
		"$(tail -1 <<<"$out")" "verified $n, bad 0"
	grep '^bad answer' <<<"$out" | head -3
}

# ---- 1. kill -9 a node under load -------------------------------------
load "$W/kill" "$SECS"
sleep $((SECS / 3))
# The connections HAProxy holds on node 2 (stats: scur) when it dies.
ON2=$(curl -s "$LB_STATS" | awk -F, '$1 == "attestd_nodes" && $2 == "node2" { print $5 }')
cl_node_kill 2
t_kill=$(now_ns)
echo "# node 2 killed (kill -9) $((SECS / 3)) s into the run, with ${ON2:-?} of the $CONNS connections on it"
down=$(cl_wait_state node2 DOWN 10) && ok "HAProxy marks node 2 DOWN (after ${down} s)" ||
	not_ok "HAProxy marks node 2 DOWN: $down"
wait "$WRK_PID"
WRK_PID=
[ -s "$W/kill.json" ] || { not_ok "wrk ran: $(head -c 300 "$W/kill.err")"; att_done; }
FAILED=$(($(field "$W/kill" read_errors) + $(field "$W/kill" write_errors) + $(field "$W/kill" connect_errors) + $(field "$W/kill" timeouts)))
echo "# figures: kill -9 of 1 of 2 nodes during a ${SECS} s run, $CONNS connections:" \
	"$(field "$W/kill" ok) answers 200 ($(field "$W/kill" rps)/s), $(field "$W/kill" non200) non-2xx," \
	"$FAILED failed requests (socket errors: connect $(field "$W/kill" connect_errors)," \
	"read $(field "$W/kill" read_errors), write $(field "$W/kill" write_errors)," \
	"timeout $(field "$W/kill" timeouts)), node marked DOWN after ${down} s," \
	"p99 $(field "$W/kill" p99_ms) ms, max $(field "$W/kill" max_ms) ms"
check_eq "no non-2xx answer during the kill" "$(field "$W/kill" non200)" 0
check "failed requests ($FAILED) at most the connections open on the killed node (${ON2:-?} of $CONNS)" \
	test "$FAILED" -le "${ON2:-0}" -a "${ON2:-0}" -le "$CONNS"
tokens "$W/kill"
# Load kept being served after the kill: node 1 alone answers through
# HAProxy, on new connections too.
okn=0
for i in $(seq 1 10); do
	curl -s --cacert "$CA" -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
		--data-binary @"$ATTEST_BODY" "$LB_BASE/attest/SgxEnclave?$AV" | grep -q '^200$' && okn=$((okn + 1))
done
check_eq "after the kill, 10 new connections through HAProxy: all 200" "$okn" 10
cl_node_start 2 || not_ok "node 2 restarts"
up=$(cl_wait_state node2 UP 10) && ok "node 2 restarted: HAProxy marks it UP (after ${up} s)" ||
	not_ok "node 2 back UP: $up"

# ---- 2. PostgreSQL stopped during load ------------------------------------
# put_policy BASE: PUT /policies/SgxEnclave (a permit-all policy): status.
printf 'version=1.0;\nauthorizationrules { => permit(); };\nissuancerules { };\n' >"$W/pol.txt"
PJWS=$(printf '%s.%s.' "$(printf '{"alg":"none"}' | att_b64url)" \
	"$(printf '{"AttestationPolicy":"%s"}' "$(att_b64url <"$W/pol.txt")" | att_b64url)")
put_policy() {
	cl_curl -X PUT -H "Authorization: Bearer $CONTRIB" -H "Content-Type: text/plain" \
		--data-binary "$PJWS" "$1/policies/SgxEnclave?$AV" >/dev/null
	att_status
}
readyz() { curl -s --cacert "$CA" -o /dev/null -w '%{http_code}' "$1/readyz"; }
check_eq "policy PUT before the outage" "$(put_policy "${NODE_BASE[1]}")" 200
# Warm both nodes' caches on that policy.
for i in 1 2; do
	cl_curl -X POST -H 'Content-Type: application/json' --data-binary @"$ATTEST_BODY" \
		"${NODE_BASE[$i]}/attest/SgxEnclave?$AV" >/dev/null
done
load "$W/pg" "$SECS"
sleep 2
att_pg_stop || not_ok "pg_ctl stop"
t_stop=$(now_ns)
echo "# PostgreSQL stopped (fast shutdown) 2 s into the run"
t0=$(now_ns)
st=$(put_policy "${NODE_BASE[1]}")
took=$(secs_since "$t0")
check_eq "database down: a policy PUT (needs the database) gets 503 ServiceUnavailable (in ${took} s)" \
	"$st $(jq -r .error.code "$T_TMP/body" 2>/dev/null)" "503 ServiceUnavailable"
check "  within 3 s" awk -v t="$took" 'BEGIN { exit !(t <= 3) }'
nr=""
for i in $(seq 1 30); do
	[ "$(readyz "${NODE_BASE[1]}") $(readyz "${NODE_BASE[2]}")" = "503 503" ] && { nr=$(secs_since "$t_stop"); break; }
	sleep 0.1
done
check "database down: /readyz not ready on both nodes (after ${nr:-never} s)" test -n "$nr"
check_eq "  /healthz still alive" "$(curl -s --cacert "$CA" -o /dev/null -w '%{http_code}' "${NODE_BASE[1]}/healthz")" 200
down=$(cl_wait_state node1 DOWN 10) && ok "HAProxy marks the nodes not ready (node 1 DOWN after ${down} s)" ||
	not_ok "HAProxy marks node 1 DOWN: $down"
cl_curl -X POST -H 'Content-Type: application/json' --data-binary @"$ATTEST_BODY" \
	"$LB_BASE/attest/SgxEnclave?$AV" >/dev/null
st=$(att_status)
case "$st" in
200 | 503) ok "with no ready node HAProxy still answers through the backup entries ($st)" ;;
*) not_ok "with no ready node, through HAProxy: HTTP $st" ;;
esac
wait "$WRK_PID"
WRK_PID=
att_pg_restart || not_ok "PostgreSQL restarts"
t_start=$(now_ns)
[ -s "$W/pg.json" ] || { not_ok "wrk ran: $(head -c 300 "$W/pg.err")"; att_done; }
OTHER=$(jq -r '.status | to_entries | map(select(.key != "200" and .key != "503")) | map("\(.key):\(.value)") | join(" ")' "$W/pg.json")
check_eq "during the outage every answer through HAProxy is 200 or 503" "$OTHER" ""
n503=$(jq -r '.status["503"] // 0' "$W/pg.json")
check_eq "  each of the $n503 503 answers has MAA's error body with code ServiceUnavailable" \
	"$(cat "$W"/pgx* 2>/dev/null | grep -c '^503 .*"code": *"ServiceUnavailable"')" "$n503"
tokens "$W/pg"
# When a node is marked DOWN HAProxy closes its connections
# (on-marked-down shutdown-sessions): each of the two nodes once, and a
# connection that reconnected to the other node before that one was
# marked DOWN may be closed a second time.
PGERR=$(($(field "$W/pg" read_errors) + $(field "$W/pg" write_errors) + $(field "$W/pg" connect_errors) + $(field "$W/pg" timeouts)))
check "connections closed by the outage ($PGERR) at most twice the connections ($CONNS)" test "$PGERR" -le $((2 * CONNS))
rec=""
for i in $(seq 1 200); do
	[ "$(readyz "${NODE_BASE[1]}") $(readyz "${NODE_BASE[2]}")" = "200 200" ] && { rec=$(secs_since "$t_start"); break; }
	sleep 0.1
done
check "database back: both nodes ready by themselves, no restart (after ${rec:-never} s)" test -n "$rec"
up=$(cl_wait_state node1 UP 10) && ok "  HAProxy marks node 1 UP (after ${up} s)" || not_ok "  node 1 UP: $up"
check_eq "  a policy PUT through node 2 succeeds" "$(put_policy "${NODE_BASE[2]}")" 200
check "  both nodes are the processes started before the outage" kill -0 "${NODE_PID[1]}" "${NODE_PID[2]}"
echo "# figures: database outage during a ${SECS} s run: $(field "$W/pg" ok) answers 200, status counts" \
	"$(jq -c .status "$W/pg.json"), $PGERR requests failed on closed connections," \
	"PUT answered 503 in ${took} s, not ready after ${nr:-never} s, ready again ${rec:-never} s after the restart"
att_done
