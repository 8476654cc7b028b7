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
#   4. attestd's RSS (VmRSS and VmHWM from /proc/PID/status)
#   5. the crypto bound of this machine, measured now:
#      `openssl speed -seconds 2 ecdsap256 rsa2048`, one request costing
#      2 ECDSA-P256 verifications (quote, QE report) and 1 RS256 signature
#      (the token): bound = cores / (2/ecdsa_verify_per_s + 1/rsa_sign_per_s)
#      and the ratio of the saturated throughput to it.
# wrk runs on the same 2 cores as attestd and takes its share of them.
# usage: bench/attest_wrk.sh [BUILD_DIR]   (env: DURATION=15 SAT_CONNS=8
#        WRK_THREADS=1 PERF=1 to also record a perf profile of attestd)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
export ATT_SRC_DIR=$SRC
export ATT_BIN_DIR=${1:-${ATT_BIN_DIR:-$SRC/build}}
DURATION=${DURATION:-15}
SAT_CONNS=${SAT_CONNS:-8}
WRK_THREADS=${WRK_THREADS:-1}
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
field() { jq -r ".$2" <<<"$1"; }

echo "# attestd $BASE (pid $ATTESTD_PID), $(nproc) cores, body $(wc -c <"$ATTEST_BODY") bytes"
run_wrk "$SAT_CONNS" 3 >/dev/null # warm-up
if [ "${PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	perf record -F 999 -g -p "$ATTESTD_PID" -o "$T_TMP/perf.data" -- sleep "$DURATION" >/dev/null 2>&1 &
	PERF_PID=$!
fi
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$ATTESTD_PID/stat"; }
T0=$(cpu_ticks)
SAT=$(run_wrk "$SAT_CONNS" "$DURATION")
T1=$(cpu_ticks)
if [ -n "${PERF_PID:-}" ]; then
	wait "$PERF_PID"
	perf report -i "$T_TMP/perf.data" --no-children --percent-limit 1.5 --stdio 2>/dev/null |
		grep -E '^ +[0-9]' | head -40 >"${PERF_OUT:-/tmp/attest_wrk_perf.txt}"
	echo "# perf profile (self time) in ${PERF_OUT:-/tmp/attest_wrk_perf.txt}"
fi
[ -n "$SAT" ] || { echo "wrk failed: $(cat "$T_TMP/wrk.err")"; exit 1; }
RPS=$(field "$SAT" rps)
HALF_RATE=$(awk -v r="$RPS" 'BEGIN { printf "%d", r / 2 }')
HALF=$(run_wrk "$SAT_CONNS" "$DURATION" "$HALF_RATE")
RSS=$(awk '/^VmRSS/ { print $2 }' "/proc/$ATTESTD_PID/status")
HWM=$(awk '/^VmHWM/ { print $2 }' "/proc/$ATTESTD_PID/status")

SPEED=$(openssl speed -seconds 2 ecdsap256 rsa2048 2>/dev/null)
RSA_SIGN=$(awk '/^rsa 2048 bits/ { print $(NF-1) }' <<<"$SPEED")
ECDSA_VERIFY=$(awk '/256 bits ecdsa \(nistp256\)/ { print $NF }' <<<"$SPEED")
CORES=$(nproc)
BOUND=$(awk -v c="$CORES" -v e="$ECDSA_VERIFY" -v r="$RSA_SIGN" \
	'BEGIN { printf "%.1f", c / (2 / e + 1 / r) }')
RATIO=$(awk -v x="$RPS" -v b="$BOUND" 'BEGIN { printf "%.1f", 100 * x / b }')
HZ=$(getconf CLK_TCK)
# attestd's own CPU time per request, and the share of it the crypto
# bound's three operations explain (independent of what else runs here).
CPU_US=$(awk -v t="$((T1 - T0))" -v hz="$HZ" -v n="$(field "$SAT" requests)" \
	'BEGIN { printf "%.0f", 1e6 * t / hz / n }')
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
echo "ratio:            $RATIO% of the crypto bound"
echo "attestd CPU:      $CPU_US us per request (user+system, all threads); the 3 crypto operations take $CRYPTO_US us = $EFF% of it"
echo "load average:     $(cut -d' ' -f1-3 /proc/loadavg) (other processes share these cores)"
att_stop >/dev/null 2>&1
