#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Load benchmark of POST /attest/SgxEnclave: attestd in dev mode on a free
# loopback port, wrk (bench/attest_wrk.lua) POSTing a simulated DCAP quote
# with runtime data in MAA's request format over HTTPS keep-alive.
#   1. warm-up (fills the collateral, verified-collateral and policy caches)
#   2. saturation: closed loop, SAT_CONNS connections
#   3. half load: an open-loop schedule at half the saturated throughput
#      (wrk's delay() hook spaces requests; wrk2 is not available), the
#      latency of a service that is not queueing
#   4. CPU per request: a closed-loop run of exactly CPU_REQS answers;
#      attestd's utime+stime (all threads, /proc/PID/stat) before and
#      after, divided by the requests wrk completed. Unlike throughput this
#      does not depend on what else runs on the machine.
#   5. attestd's RSS (VmRSS and VmHWM from /proc/PID/status)
#   6. the crypto bound of this machine, measured now:
#      `openssl speed -seconds 2 ecdsap256 rsa2048` (ops per CPU second:
#      openssl speed counts user time), one request costing 2 ECDSA-P256
#      verifications (quote, QE report) and 1 RS256 signature (the token):
#      crypto cost = 2/ecdsa_verify_per_s + 1/rsa_sign_per_s seconds,
#      bound = cores / crypto cost, and two ratios: saturated throughput /
#      bound (wall clock, load-sensitive) and crypto cost / attestd's CPU
#      per request (the share of attestd's CPU the three operations take).
# wrk runs on the same 2 cores as attestd and takes its share of them.
# usage: bench/attest_wrk.sh [BUILD_DIR]   (env: DURATION=15 SAT_CONNS=8
#        WRK_THREADS=1 CPU_REQS=3000, PERF=1 to also record a perf profile
#        of attestd during the saturation phase into PERF_OUT, with
#        PERF_RECORD_ARGS, default "-F 999 -g")
# A/B mode: AB_WITH=OTHER_BUILD_DIR bench/attest_wrk.sh BUILD_DIR runs
#        both builds' attestd side by side and, instead of the phases
#        above, AB_ROUNDS (default 6) rounds of CPU_REQS requests to each
#        (order alternating) plus one `openssl speed -seconds 1` per round,
#        so that both see the same machine load; it prints each build's
#        CPU per request and crypto share (the way to compare builds on a
#        machine others are using).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
export ATT_SRC_DIR=$SRC
export ATT_BIN_DIR=${1:-${ATT_BIN_DIR:-$SRC/build}}
DURATION=${DURATION:-15}
SAT_CONNS=${SAT_CONNS:-8}
WRK_THREADS=${WRK_THREADS:-1}
CPU_REQS=${CPU_REQS:-3000}
. "$SRC/tests/integration/lib/attestd.sh"
att_require_bins
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }
LUA=$SRC/bench/attest_wrk.lua

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" --log-level warn || exit 1
[ -f "$D/sim/manifest.json" ] || att_curl -X POST "$BASE/attest/SgxEnclave" -d '{}' >/dev/null
printf 'benchmark runtime data' >"$T_TMP/rt.bin"
export ATTEST_BODY=$T_TMP/body.json
"$ATTEST" sgx --sim "$D/sim" --runtime-data "$T_TMP/rt.bin" --request-only >"$ATTEST_BODY" ||
	exit 1
# One request through the CLI path first: it must be a valid token.
att_curl -X POST -H 'Content-Type: application/json' \
	"$BASE/attest/SgxEnclave?api-version=2020-10-01" --data-binary @"$ATTEST_BODY" >"$T_TMP/one.json"
[ "$(att_status)" = 200 ] || { echo "the request is refused: $(cat "$T_TMP/one.json")"; exit 1; }
export ATTEST_THREADS=$WRK_THREADS

run_wrk() { # CONNS DURATION [RATE]
	ATTEST_RATE=${3:-0} wrk -t"$WRK_THREADS" -c"$1" -d"$2"s -s "$LUA" "$BASE" 2>"$T_TMP/wrk.err" |
		grep '^{' | tail -1
}
# run_count CONNS COUNT: closed loop until COUNT answers (the lua script
# stops wrk then; -d is only a cap).
run_count() {
	ATTEST_STOP_AFTER=$((($2 + WRK_THREADS - 1) / WRK_THREADS)) \
		wrk -t"$WRK_THREADS" -c"$1" -d300s -s "$LUA" "$BASE" 2>"$T_TMP/wrk.err" |
		grep '^{' | tail -1
}
field() { jq -r ".$2" <<<"$1"; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$ATTESTD_PID/stat"; }
crypto_us() { # openssl speed output -> us for 2 ECDSA-P256 verify + 1 RSA-2048 sign
	awk '/^rsa 2048 bits/ { r = $(NF-1) } /256 bits ecdsa \(nistp256\)/ { e = $NF }
		END { printf "%.1f", 1e6 * (2 / e + 1 / r) }'
}

# ab_compare: see "A/B mode" above. Server A is this run's (BUILD_DIR);
# server B is started from AB_WITH with its own data dir and body.
ab_compare() {
	local a_pid=$ATTESTD_PID a_base=$BASE a_body=$ATTEST_BODY a_ca=$CA
	local b_dir=$T_TMP/data_b b_port b_pid b_base b_body=$T_TMP/body_b.json
	local saved=$ATTESTD
	b_port=$(att_free_port)
	ATTESTD=$AB_WITH/attestd
	att_start "$b_dir" "$b_port" --log-level warn || exit 1
	ATTESTD=$saved
	b_pid=$ATTESTD_PID b_base=$BASE
	trap 'kill "$b_pid" 2>/dev/null; att_cleanup' EXIT
	curl -s --cacert "$CA" -X POST "$b_base/attest/SgxEnclave" -d '{}' >/dev/null
	"$AB_WITH/attest" sgx --sim "$b_dir/sim" --runtime-data "$T_TMP/rt.bin" \
		--request-only >"$b_body" || exit 1
	local rounds=${AB_ROUNDS:-6} r side ta=0 na=0 tb=0 nb=0 c0 c1 out n cr=""
	for r in $(seq 1 "$rounds"); do
		for side in $([ $((r % 2)) = 1 ] && echo a b || echo b a); do
			if [ "$side" = a ]; then
				ATTESTD_PID=$a_pid BASE=$a_base ATTEST_BODY=$a_body
			else
				ATTESTD_PID=$b_pid BASE=$b_base ATTEST_BODY=$b_body
			fi
			run_count "$SAT_CONNS" 300 >/dev/null # warm-up
			c0=$(cpu_ticks)
			out=$(run_count "$SAT_CONNS" "$CPU_REQS")
			sleep 0.3
			c1=$(cpu_ticks)
			n=$(field "$out" requests)
			[ "$(field "$out" non200)" = 0 ] || { echo "non-200 answers from $side"; exit 1; }
			if [ "$side" = a ]; then ta=$((ta + c1 - c0)) na=$((na + n)); else tb=$((tb + c1 - c0)) nb=$((nb + n)); fi
		done
		cr="$cr $(openssl speed -seconds 1 ecdsap256 rsa2048 2>/dev/null | crypto_us)"
		echo "# round $r: A $(per_req "$ta" "$na") us/req, B $(per_req "$tb" "$nb") us/req (cumulative), crypto$cr us"
	done
	local crypto ua ub
	crypto=$(tr ' ' '\n' <<<"$cr" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	ua=$(per_req "$ta" "$na") ub=$(per_req "$tb" "$nb")
	echo "A/B, $rounds rounds of $CPU_REQS requests each, $SAT_CONNS connections, interleaved:"
	echo "  A $ATT_BIN_DIR: $ua us CPU per request over $na requests; crypto share $(awk -v c="$crypto" -v u="$ua" 'BEGIN { printf "%.1f", 100 * c / u }')%"
	echo "  B $AB_WITH: $ub us CPU per request over $nb requests; crypto share $(awk -v c="$crypto" -v u="$ub" 'BEGIN { printf "%.1f", 100 * c / u }')%"
	echo "  crypto per request (median of the rounds' openssl speed): $crypto us"
	echo "  A / B CPU per request: $(awk -v a="$ua" -v b="$ub" 'BEGIN { printf "%.3f", a / b }')"
	echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	kill "$b_pid" 2>/dev/null
	wait "$b_pid" 2>/dev/null
	ATTESTD_PID=$a_pid
	att_stop >/dev/null 2>&1
	exit 0
}
HZ=$(getconf CLK_TCK)
per_req() { awk -v t="$1" -v hz="$HZ" -v n="$2" 'BEGIN { printf "%.0f", 1e6 * t / hz / n }'; }
if [ -n "${AB_WITH:-}" ]; then
	command -v openssl >/dev/null || { echo "openssl is not installed"; exit 1; }
	ab_compare
fi

echo "# attestd $BASE (pid $ATTESTD_PID), $(nproc) cores, body $(wc -c <"$ATTEST_BODY") bytes"
run_wrk "$SAT_CONNS" 3 >/dev/null # warm-up
if [ "${PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	# shellcheck disable=SC2086
	perf record ${PERF_RECORD_ARGS:--F 999 -g} -p "$ATTESTD_PID" -o "$T_TMP/perf.data" -- sleep "$DURATION" >/dev/null 2>&1 &
	PERF_PID=$!
fi
T0=$(cpu_ticks)
SAT=$(run_wrk "$SAT_CONNS" "$DURATION")
T1=$(cpu_ticks)
if [ -n "${PERF_PID:-}" ]; then
	wait "$PERF_PID"
	PERF_OUT=${PERF_OUT:-/tmp/attest_wrk_perf.txt}
	cp "$T_TMP/perf.data" "${PERF_OUT%.txt}.data"
	perf report -i "$T_TMP/perf.data" --no-children --percent-limit 1 --stdio 2>/dev/null |
		grep -E '^ +[0-9]' | head -60 >"$PERF_OUT"
	echo "# perf profile (self time) in $PERF_OUT, data in ${PERF_OUT%.txt}.data"
fi
[ -n "$SAT" ] || { echo "wrk failed: $(cat "$T_TMP/wrk.err")"; exit 1; }
RPS=$(field "$SAT" rps)
HALF_RATE=$(awk -v r="$RPS" 'BEGIN { printf "%d", r / 2 }')
HALF=$(run_wrk "$SAT_CONNS" "$DURATION" "$HALF_RATE")
# CPU per request over a fixed number of requests; the short sleep lets
# answers that were in flight when wrk stopped finish inside the window.
C0=$(cpu_ticks)
FIX=$(run_count "$SAT_CONNS" "$CPU_REQS")
sleep 0.3
C1=$(cpu_ticks)
[ -n "$FIX" ] || { echo "wrk failed: $(cat "$T_TMP/wrk.err")"; exit 1; }
RSS=$(awk '/^VmRSS/ { print $2 }' "/proc/$ATTESTD_PID/status")
HWM=$(awk '/^VmHWM/ { print $2 }' "/proc/$ATTESTD_PID/status")

SPEED=$(openssl speed -seconds 2 ecdsap256 rsa2048 2>/dev/null)
RSA_SIGN=$(awk '/^rsa 2048 bits/ { print $(NF-1) }' <<<"$SPEED")
ECDSA_VERIFY=$(awk '/256 bits ecdsa \(nistp256\)/ { print $NF }' <<<"$SPEED")
CORES=$(nproc)
BOUND=$(awk -v c="$CORES" -v e="$ECDSA_VERIFY" -v r="$RSA_SIGN" \
	'BEGIN { printf "%.1f", c / (2 / e + 1 / r) }')
RATIO=$(awk -v x="$RPS" -v b="$BOUND" 'BEGIN { printf "%.1f", 100 * x / b }')
# attestd's own CPU time per request, and the share of it the crypto
# bound's three operations explain (independent of what else runs here).
CPU_US=$(per_req "$((C1 - C0))" "$(field "$FIX" requests)")
SAT_CPU_US=$(per_req "$((T1 - T0))" "$(field "$SAT" requests)")
CRYPTO_US=$(awk -v e="$ECDSA_VERIFY" -v r="$RSA_SIGN" 'BEGIN { printf "%.0f", 1e6 * (2 / e + 1 / r) }')
EFF=$(awk -v c="$CRYPTO_US" -v u="$CPU_US" 'BEGIN { printf "%.1f", 100 * c / u }')

echo "saturation ($SAT_CONNS connections, $WRK_THREADS wrk thread(s), ${DURATION}s):"
echo "  throughput      $RPS req/s ($(field "$SAT" requests) requests, non-200: $(field "$SAT" non200), socket errors: $(field "$SAT" socket_errors))"
echo "  latency         p50 $(field "$SAT" p50_ms) ms, p90 $(field "$SAT" p90_ms) ms, p99 $(field "$SAT" p99_ms) ms, max $(field "$SAT" max_ms) ms"
echo "half load (open-loop schedule at $HALF_RATE req/s):"
echo "  throughput      $(field "$HALF" rps) req/s (non-200: $(field "$HALF" non200))"
echo "  latency         p50 $(field "$HALF" p50_ms) ms, p90 $(field "$HALF" p90_ms) ms, p99 $(field "$HALF" p99_ms) ms, max $(field "$HALF" max_ms) ms"
echo "attestd memory:   VmRSS $((RSS / 1024)) MiB, VmHWM $((HWM / 1024)) MiB"
echo "crypto bound:     openssl speed: RSA-2048 sign $RSA_SIGN/s, ECDSA-P256 verify $ECDSA_VERIFY/s per core"
echo "                  bound = $CORES / (2/$ECDSA_VERIFY + 1/$RSA_SIGN) = $BOUND req/s"
echo "throughput ratio: $RATIO% of the crypto bound"
echo "attestd CPU:      $CPU_US us per request over $(field "$FIX" requests) requests (user+system, all threads; $SAT_CPU_US us in the saturation run)"
echo "crypto per req:   $CRYPTO_US us (2 ECDSA-P256 verify + 1 RSA-2048 sign, openssl speed)"
echo "CPU ratio:        $EFF% of attestd's CPU per request is the 3 crypto operations"
echo "load average:     $(cut -d' ' -f1-3 /proc/loadavg) (other processes share these cores)"
att_stop >/dev/null 2>&1
