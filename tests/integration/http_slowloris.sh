#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctest: RUN_SERIAL (it measures latency under load)
# Slow clients (issue 9, item 3), on loopback only. Part 1: 64 connections
# from one address are held and the 65th is refused, while another address
# and 127.0.0.1 are still served. Part 2, with header_timeout_seconds = 3:
# 1,024 slow connections from 16 loopback addresses (127.0.0.2-17), half
# completing the TLS handshake and then trickling one header byte a
# second, half never finishing the handshake, each reopened at once when
# the server closes it, for 16 s. Meanwhile new clients from 127.0.0.1
# (a fresh TLS connection each) get 200 within 1 s, every time; the slow
# connections are cut at the header deadline (not at the idle timeout,
# not never) and the log says so. Part 3: on a keep-alive connection a
# trickled next request line is cut at the idle timeout + 1 s and
# trickled headers at the header deadline from their request line,
# though bytes keep arriving. The server stops cleanly.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v python3 >/dev/null || { not_ok "python3 is needed for the slow clients"; att_done; }

SLOW=$ATT_SRC_DIR/tests/integration/lib/slowloris.py
SLOW_PIDS=
stop_slow() {
	local p
	for p in $SLOW_PIDS; do kill "$p" 2>/dev/null; done
	for p in $SLOW_PIDS; do wait "$p" 2>/dev/null; done
	SLOW_PIDS=
}
trap 'stop_slow; att_cleanup' EXIT

# 1,024 client sockets here and as many in attestd.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" -lt 3000 ]; then
	not_ok "need 3000 open files for 1,024 connections, the limit is $(ulimit -n)"
	att_done
fi

D=$T_TMP/data
PORT=$(att_free_port)

# ---- Part 1: the per-address limit ----
cat >"$T_TMP/probe.json" <<EOF
{"limits": {"max_connections_per_address": 64, "header_timeout_seconds": 60}}
EOF
att_start "$D" "$PORT" --config "$T_TMP/probe.json" || { not_ok "start"; att_done; }
ok "attestd started (max_connections_per_address 64)"
timeout 60 python3 "$SLOW" probe --port "$PORT" --out "$T_TMP/probe.out" \
	--probe-addr 127.0.0.18 --other-addr 127.0.0.19 --count 65 \
	--then-run "curl -s -o /dev/null -w %{http_code} -m 5 --cacert $CA $BASE/healthz"
P=$(cat "$T_TMP/probe.out" 2>/dev/null)
check_eq "64 TLS connections from 127.0.0.18 are accepted" "$(jq -r .handshakes <<<"$P")" 64
check_eq "the 65th from 127.0.0.18 is refused" "$(jq -r .refused_at <<<"$P")" 65
check_eq "the 64 stay open" "$(jq -r .still_open <<<"$P")" 64
check_eq "meanwhile 127.0.0.19 connects" "$(jq -r .other_ok <<<"$P")" true
check_eq "meanwhile 127.0.0.1 gets /healthz" "$(jq -r .then_output <<<"$P")" 200
if att_stop; then ok "first server: clean stop"; else not_ok "first server: clean stop"; fi
# The guard's summary (every 10 s, and at stop) counts the refusal.
check_contains "the log counts the refusal and names the limit" \
	"$(grep -o 'refused [0-9]* over max_connections_per_address ([0-9]*)' "$D.log")" \
	"refused 1 over max_connections_per_address (64)"

# ---- Part 2: 1,024 slow connections, a 3 s header deadline ----
cat >"$T_TMP/slow.json" <<EOF
{"limits": {"header_timeout_seconds": 3, "timeout_seconds": 4,
            "max_connections": 1024, "max_connections_per_address": 64}}
EOF
: >"$D.log"
att_start "$D" "$PORT" --config "$T_TMP/slow.json" || { not_ok "restart"; att_done; }
DURATION=16
# Three processes: two for the TLS half (their handshakes cost CPU), one
# for the half that never finishes its handshake.
n=0
for spec in "--tls-addrs 127.0.0.2-127.0.0.5" "--tls-addrs 127.0.0.6-127.0.0.9" \
	"--raw-addrs 127.0.0.10-127.0.0.17"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	timeout $((DURATION + 20)) python3 "$SLOW" attack --port "$PORT" \
		--duration "$DURATION" --interval 1 --per-addr 64 $spec \
		--status "$T_TMP/held.$n" --out "$T_TMP/attack.$n.json" &
	SLOW_PIDS="$SLOW_PIDS $!"
done
T0=$(date +%s.%N)
held() { cat "$T_TMP"/held.* 2>/dev/null | awk '{s += $1} END {print s + 0}'; }

# Wait until the attack holds (almost) every connection.
PEAK=0
for i in $(seq 1 60); do
	H=$(held)
	[ "$H" -gt "$PEAK" ] && PEAK=$H
	[ "$H" -ge 1000 ] && break
	sleep 0.2
done
check "the slow clients hold at least 1000 connections (held: $PEAK)" test "$PEAK" -ge 1000

# New clients from 127.0.0.1 while the attack goes on.
N=0 BAD=0 SLOWEST=0 UNDER_FULL=0
while :; do
	NOW=$(date +%s.%N)
	awk -v a="$NOW" -v b="$T0" -v d="$DURATION" 'BEGIN {exit !(a - b < d - 1.5)}' || break
	H=$(held)
	[ "$H" -gt "$PEAK" ] && PEAK=$H
	URL=$BASE/healthz
	[ $((N % 2)) = 1 ] && URL=$BASE/certs
	R=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -m 5 --cacert "$CA" "$URL")
	N=$((N + 1))
	CODE=${R% *} T=${R#* }
	if [ "$CODE" != 200 ] || awk -v t="$T" 'BEGIN {exit !(t >= 1.0)}'; then
		BAD=$((BAD + 1))
		echo "# request $N while $H slow connections are open: $R"
	fi
	awk -v t="$T" -v s="$SLOWEST" 'BEGIN {exit !(t > s)}' && SLOWEST=$T
	[ "$H" -ge 1000 ] && UNDER_FULL=$((UNDER_FULL + 1))
	sleep 0.25
done
echo "# $N requests, slowest ${SLOWEST}s, $UNDER_FULL of them while at least 1000 slow connections were open (peak $PEAK)"
check "at least 20 requests during the attack (got $N)" test "$N" -ge 20
check_eq "every new client got 200 within 1 s (slowest ${SLOWEST}s)" "$BAD" 0
check "some requests while at least 1000 slow connections were open ($UNDER_FULL)" test "$UNDER_FULL" -ge 3
for p in $SLOW_PIDS; do wait "$p"; done
SLOW_PIDS=

# How long the server let the slow connections live.
REPORT=$(python3 - "$T_TMP"/attack.*.json <<'EOF'
import json, statistics, sys
lives = {"tls": [], "raw": []}
opened = 0
for path in sys.argv[1:]:
    r = json.load(open(path))
    opened += r["opened"]
    for k, v in r["lives"].items():
        lives[k] += v
out = {"opened": opened}
for k, v in lives.items():
    out[k + "_cut"] = len(v)
    out[k + "_median"] = statistics.median(v) if v else -1
    out[k + "_max"] = max(v) if v else -1
    out[k + "_at_deadline"] = sum(1 for x in v if x >= 2.9)
print(json.dumps(out))
EOF
)
echo "# $REPORT"
jqn() { jq -r ".$1" <<<"$REPORT"; }
inrange() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN {exit !(x >= lo && x <= hi)}'; }
check "completed-handshake connections were cut ($(jqn tls_cut) times)" test "$(jqn tls_cut)" -ge 512
check "unfinished-handshake connections were cut ($(jqn raw_cut) times)" test "$(jqn raw_cut)" -ge 512
# At the connection cap the oldest unfinished connections are evicted for
# new ones (by design), so under heavy churn some die before the deadline
# and the median can fall below 3 s (2.59 s seen on a loaded machine); that
# the deadline does the cutting is what the at_deadline count below shows.
check "TLS tricklers live up to the 3 s header deadline (median $(jqn tls_median) s)" inrange "$(jqn tls_median)" 1.5 5
check "handshake tricklers live up to the 3 s header deadline (median $(jqn raw_median) s)" inrange "$(jqn raw_median)" 1.5 5
check "no TLS trickler outlived the deadline by much (max $(jqn tls_max) s)" inrange "$(jqn tls_max)" 2.9 7
check "no handshake trickler outlived the deadline by much (max $(jqn raw_max) s)" inrange "$(jqn raw_max)" 2.9 7
check "most handshake tricklers were cut at the deadline, not evicted early ($(jqn raw_at_deadline))" test "$(jqn raw_at_deadline)" -ge 400
check "most TLS tricklers were cut at the deadline, not evicted early ($(jqn tls_at_deadline))" test "$(jqn tls_at_deadline)" -ge 400
check_contains "the log says why they were closed" "$(cat "$D.log")" \
	"connections that did not send complete request headers within 3 s (header_timeout_seconds)"
check "libmicrohttpd's own lines are rate-limited" grep -q 'more libmicrohttpd messages were not logged (more than 5 a second)' "$D.log"

# Keep-alive: after a complete request, trickling the next request line
# is held to the idle timeout (4 s + 1), trickling the next request's
# headers to the header deadline (3 s from its request line), though a
# byte arrives every 0.5 s (libmicrohttpd's own timeout never fires).
timeout 30 python3 "$SLOW" keepalive --port "$PORT" --interval 0.5 --duration 12 \
	--out "$T_TMP/ka-line.json" &
KA1=$!
timeout 30 python3 "$SLOW" keepalive --port "$PORT" --interval 0.5 --duration 12 \
	--line-at-once --out "$T_TMP/ka-head.json" &
KA2=$!
wait "$KA1" "$KA2"
KL=$(cat "$T_TMP/ka-line.json" 2>/dev/null) KH=$(cat "$T_TMP/ka-head.json" 2>/dev/null)
echo "# keep-alive, request line trickled: $KL"
echo "# keep-alive, headers trickled: $KH"
check_eq "keep-alive: the first request is answered" "$(jq -r .first_status <<<"$KL")" 200
check "keep-alive: a trickled request line is cut at the idle timeout + 1 s ($(jq -r .closed_after <<<"$KL") s)" \
	inrange "$(jq -r .closed_after <<<"$KL")" 4.5 7
check "keep-alive: trickled headers are cut 3 s after the request line ($(jq -r .closed_after <<<"$KH") s)" \
	inrange "$(jq -r .closed_after <<<"$KH")" 2.5 4.5

# After the attack: served, and a clean stop.
check_eq "healthz after the attack" "$(att_curl "$BASE/healthz" | jq -r .status)" ok
RSS=$(awk '/VmRSS/ {print $2}' "/proc/$ATTESTD_PID/status" 2>/dev/null)
echo "# attestd RSS after the attack: ${RSS} kB"
if att_stop; then ok "SIGTERM after the attack: exit status 0"; else not_ok "SIGTERM after the attack: exit status"; fi
check_fails "no sanitizer or libmicrohttpd panic in the log" grep -qiE 'AddressSanitizer|runtime error|Fatal error in GNU libmicrohttpd' "$D.log"
att_done
