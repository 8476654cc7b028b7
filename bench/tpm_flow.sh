#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of TPM attestation flow B (docs/tpm-protocol.md §3) over HTTPS
# against attestd, with the client side precomputed:
#   1. swtpm manufactured in a temp dir (EK certificates from a local CA
#      that the provider trusts), attestd in dev mode on a free loopback
#      port, context_ttl_seconds=3600 (the precomputed contexts must not
#      expire), the Secure Boot policy of MAA docs "Attestation policy
#      version 1.2" as the Tpm
#      policy, one enrolment (flow A, `attest tpm enroll`), a real event
#      log extended into swtpm's PCRs, one `attest tpm attest` as a check;
#   2. precompute (bench_tpm_flow precompute): N times round 1 (aikcert)
#      and, for each challenge, the TPM quote and the signed request, as
#      `attest tpm attest` makes them: the server refuses a replayed
#      context, so every round-2 body is used once;
#   3. round 1 (aikcert) requests/s: R1_N requests over CONNS keep-alive
#      HTTPS connections (bench_tpm_flow load, libcurl, one thread each);
#   4. round 2: the N precomputed requests, each once, same connections:
#      requests/s, p50/p90/p99 latency, attestd CPU time per request;
#   5. the crypto bound, measured now with `openssl speed -seconds 2
#      rsa2048 ecdsap256` (and SHA-256 throughput for the hashed bytes):
#      per round-2 request attestd verifies the bearer token (RS256: 1 RSA
#      verify), opens the service_context (AES-256-GCM, ~100 bytes:
#      negligible), verifies the request JWS (ES256: 1 ECDSA-P256 verify),
#      the AIK certificate (signed by the provider's P-256 AIK CA: 1
#      ECDSA verify), the quote (RSA-2048 AIK: 1 RSA verify; ECDSA with
#      AIK_ECC=1) and signs the token (RS256: 1 RSA sign); SHA-256 covers
#      the JWS signing input, the log's event data and the replay.
#      bound = server cores / sum(1 / rate_i); the ratio is round-2
#      requests/s / bound.
#   6. bench_eventlog on the log sent (parse, replay, digest checks).
# CPU placement (PIN=1, the default, on a machine with >= 2 cores):
# attestd runs on the last core alone (taskset), the load generator,
# swtpm and the precompute on core 0, so the client never takes the
# server's CPU; the bound then counts 1 server core. PIN=0: no pinning,
# everything shares all cores and the bound counts them all.
# Bounded: N <= 20000, every step under `timeout`, every process started
# here killed on exit (trap).
# usage: bench/tpm_flow.sh [BUILD_DIR]
#   env: N=1000 R1_N=3000 CONNS=4 PIN=1 AIK_ECC=0 PERF=0 (PERF=1: perf
#        record (DWARF call graphs) on attestd during round 2, report in
#        $PERF_OUT, data beside it) BEARER=1 (BEARER=0: the provider's
#        require_bearer=false, attestd checks no bearer token)
#        TPM_LOG=<event log> (default tpm/eventlogs/cos-101-amd-sev.bin)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${1:-}" ]; then
	BUILD=$1
elif [ -x "$SRC/build-bench/attestd" ]; then
	BUILD=$SRC/build-bench
else
	BUILD=$SRC/build
fi
BUILD=$(cd "$BUILD" && pwd) || exit 1
export ATT_SRC_DIR=$SRC ATT_BIN_DIR=$BUILD
N=${N:-1000}
R1_N=${R1_N:-3000}
CONNS=${CONNS:-4}
PIN=${PIN:-1}
AIK_ECC=${AIK_ECC:-0}
BEARER=${BEARER:-1}
PERF=${PERF:-0}
PERF_OUT=${PERF_OUT:-/tmp/tpm_flow_perf.txt}
STEP_TIMEOUT=${STEP_TIMEOUT:-300}
[ "$N" -ge 1 ] && [ "$N" -le 20000 ] || { echo "N must be in [1, 20000]"; exit 2; }
[ "$R1_N" -ge 1 ] && [ "$R1_N" -le 100000 ] || { echo "R1_N must be in [1, 100000]"; exit 2; }

. "$SRC/tests/integration/lib/attestd.sh"
. "$SRC/tests/integration/lib/tpm_swtpm.sh"
PERF_PID=
STEP_PID=
bench_cleanup() {
	if [ -n "$STEP_PID" ] && kill -0 "$STEP_PID" 2>/dev/null; then
		kill -TERM "$STEP_PID" 2>/dev/null # timeout passes it on
		wait "$STEP_PID" 2>/dev/null
	fi
	if [ -n "$PERF_PID" ] && kill -0 "$PERF_PID" 2>/dev/null; then
		kill -INT "$PERF_PID" 2>/dev/null
		wait "$PERF_PID" 2>/dev/null
	fi
	tpm_cleanup
}
trap bench_cleanup EXIT
trap 'exit 143' TERM INT
att_require_bins
tpm_require
BENCH=$BUILD/bench_tpm_flow
[ -x "$BENCH" ] || { echo "SKIP: $BENCH not built"; exit 77; }
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$SRC/tests/vectors}}
LOG=${TPM_LOG:-$TD/tpm/eventlogs/cos-101-amd-sev.bin}
[ -f "$LOG" ] || { echo "SKIP: event log $LOG not found (set ATTESTD_TESTDATA)"; exit 77; }

CORES=$(nproc)
if [ "$PIN" = 1 ] && [ "$CORES" -ge 2 ] && command -v taskset >/dev/null; then
	SERVER_CPUS=$((CORES - 1))
	CLIENT_CPUS=0
	SERVER_CORES=1
	ON_CLIENT=(taskset -c "$CLIENT_CPUS")
	ON_SERVER=(taskset -c "$SERVER_CPUS")
	PLACEMENT="attestd on CPU $SERVER_CPUS, load generator/swtpm/precompute on CPU $CLIENT_CPUS (taskset)"
else
	SERVER_CORES=$CORES
	ON_CLIENT=()
	ON_SERVER=()
	PLACEMENT="no pinning: attestd and the load generator share $CORES cores"
fi
pin_server() { [ ${#ON_SERVER[@]} = 0 ] || taskset -a -p -c "$SERVER_CPUS" "$1" >/dev/null; }
pin_client() { [ ${#ON_CLIENT[@]} = 0 ] || taskset -a -p -c "$CLIENT_CPUS" "$1" >/dev/null; }
die() { echo "tpm_flow: $*"; exit 1; }
# step OUT CMD...: CMD under timeout, stdout to OUT, as a background job
# that the script waits for: a signal to the script ends it at once (the
# trap), not only when CMD is done.
step() {
	local out=$1 rc
	shift
	timeout "$STEP_TIMEOUT" "$@" >"$out" &
	STEP_PID=$!
	wait "$STEP_PID"
	rc=$?
	STEP_PID=
	return $rc
}

# ---- swtpm, attestd, provider ---------------------------------------
S=$T_TMP/swtpm
tpm_swtpm_init "$S" || { cat "$S/setup.log"; die "swtpm_setup failed"; }
tpm_swtpm_start "$S" "$(att_free_port)" || die "swtpm did not start"
pin_client "$SWTPM_PID"
D=$T_TMP/data
# A free port can be taken by another process before attestd binds it.
for try in 1 2 3; do
	att_start "$D" "$(att_free_port)" --log-level warn >"$T_TMP/start.log" && break
	[ "$try" = 3 ] && { cat "$T_TMP/start.log"; die "attestd did not start"; }
done
pin_server "$ATTESTD_PID"
tpm_trust_ek "$D" default "$S/ca" || die "attestd tpm trust failed"
tpm_settings "$D" default --set context_ttl_seconds=3600 || die "tpm settings"
[ "$BEARER" = 1 ] || tpm_settings "$D" default --set require_bearer=false || die "tpm settings"
READER=$("$ATTEST" dev-token --data-dir "$D" --role reader --ttl 7200) || die "dev-token"
CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor) || die "dev-token"
cat >"$T_TMP/policy.txt" <<'EOF'
version=1.2;
authorizationrules { => permit(); };
issuancerules {
  c:[type=="events", issuer=="AttestationService"] => add(type="efiConfigVariables",
     value=JmesPath(c.value, "Events[?EventTypeString == 'EV_EFI_VARIABLE_DRIVER_CONFIG' && ProcessedData.VariableGuid == '8BE4DF61-93CA-11D2-AA0D-00E098032B8C']"));
  c:[type=="efiConfigVariables", issuer=="AttestationPolicy"] => issue(type="secureBootEnabled",
     value=JsonToClaimValue(JmesPath(c.value, "[?ProcessedData.UnicodeName == 'SecureBoot'] | length(@) == `1` && @[0].ProcessedData.VariableData == 'AQ'")));
  ![type=="secureBootEnabled", issuer=="AttestationPolicy"] => issue(type="secureBootEnabled", value=false);
};
EOF
tpm_set_policy "$BASE" "$T_TMP/policy.txt" "$CONTRIB" || die "PUT /policies/Tpm: $(cat "$T_TMP/body")"

ST=$T_TMP/state
ECC=()
[ "$AIK_ECC" = 1 ] && ECC=(--ecc)
COMMON=(--url "$BASE" --tcti "$TCTI" --ca "$CA" --bearer "$READER")
step /dev/null "${ON_CLIENT[@]}" "$ATTEST" tpm enroll "${COMMON[@]}" --state "$ST" "${ECC[@]}" ||
	die "attest tpm enroll failed"
tpm_extend_log "$LOG" || die "cannot extend $LOG into swtpm's PCRs"
step "$T_TMP/token" "${ON_CLIENT[@]}" "$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG" ||
	die "attest tpm attest failed"
TOK=$(cat "$T_TMP/token")
SB=$("$ATTEST" token decode "$TOK" | jq -r '.claims."x-ms-policy".secureBootEnabled')
TOKALG=$("$ATTEST" token decode "$TOK" | jq -r '.header.alg')
BEARERALG=$("$ATTEST" token decode "$READER" | jq -r '.header.alg')

# ---- precompute -------------------------------------------------------
URL="$BASE/attest/Tpm?api-version=2022-08-01"
R1=$T_TMP/round1.txt
printf '{"data":"%s"}\n' "$(printf '{"payload":{"type":"aikcert"}}' | att_b64url)" >"$R1"
BODIES=$T_TMP/round2.txt
step "$T_TMP/pre.json" "${ON_CLIENT[@]}" "$BENCH" precompute --url "$URL" --ca "$CA" --bearer "$READER" \
	--tcti "$TCTI" --state "$ST" --log "$LOG" --n "$N" --out "$BODIES" \
	--max-seconds "$((STEP_TIMEOUT - 20))" || die "precompute failed"
PRE=$(cat "$T_TMP/pre.json")
NPRE=$(jq -r .requests <<<"$PRE")
[ "$NPRE" -ge 1 ] || die "nothing precomputed"

# ---- load ----------------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$ATTESTD_PID/stat"; }
# load BODIES [ARGS...]: one run; sets OUT (its JSON line) and CPU_US
# (attestd user+system CPU time per request, all threads).
load() {
	local t0 t1
	t0=$(cpu_ticks)
	step "$T_TMP/load.json" "${ON_CLIENT[@]}" "$BENCH" load --url "$URL" --ca "$CA" --bearer "$READER" \
		--bodies "$@" --conns "$CONNS" --warmup "$R1" --max-seconds "$((STEP_TIMEOUT - 20))" ||
		return 1
	OUT=$(cat "$T_TMP/load.json")
	t1=$(cpu_ticks)
	CPU_US=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$(jq -r .requests <<<"$OUT")" \
		'BEGIN { printf "%.0f", n ? 1e6 * t / hz / n : 0 }')
}
load "$R1" --repeat "$R1_N" || die "round 1 load failed"
L1=$OUT CPU1=$CPU_US
if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
	perf record -e cpu-clock -F 499 --call-graph dwarf,32768 -p "$ATTESTD_PID" -o "$T_TMP/perf.data" >/dev/null 2>&1 &
	PERF_PID=$!
	sleep 1
fi
load "$BODIES" || die "round 2 load failed"
L2=$OUT CPU2=$CPU_US
if [ -n "$PERF_PID" ]; then
	kill -INT "$PERF_PID" 2>/dev/null
	wait "$PERF_PID" 2>/dev/null
	PERF_PID=
	{
		echo "# perf record (cpu-clock, DWARF call graphs) on attestd during round 2 ($(jq -r .requests <<<"$L2") requests)"
		echo "## self time (top 25)"
		perf report -i "$T_TMP/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null |
			grep -E '^ +[0-9]' | head -25
		echo "## inclusive time of named functions (top 60)"
		perf report -i "$T_TMP/perf.data" --children --sort sym --stdio -g none 2>/dev/null |
			grep -E '^ +[0-9]' | grep -vE '\] (0x|[0-9a-f]{16}|clone3|start_thread)' | head -60
	} >"$PERF_OUT"
	cp "$T_TMP/perf.data" "${PERF_OUT%.txt}.data" 2>/dev/null
fi
RSS=$(awk '/^VmHWM/ { print $2 }' "/proc/$ATTESTD_PID/status")

# ---- crypto bound ------------------------------------------------------------
step "$T_TMP/speed" "${ON_SERVER[@]}" openssl speed -seconds 2 rsa2048 ecdsap256 2>/dev/null
step "$T_TMP/sha" "${ON_SERVER[@]}" openssl speed -seconds 1 -bytes 16384 -evp sha256 2>/dev/null
SPEED=$(cat "$T_TMP/speed")
SHA=$(cat "$T_TMP/sha")
RSA_SIGN=$(awk '/^rsa 2048 bits/ { print $(NF-1) }' <<<"$SPEED")
RSA_VERIFY=$(awk '/^rsa 2048 bits/ { print $NF }' <<<"$SPEED")
EC_VERIFY=$(awk '/256 bits ecdsa \(nistp256\)/ { print $NF }' <<<"$SPEED")
SHA_KBS=$(awk '/^sha256/ { sub("k", "", $2); print $2 }' <<<"$SHA")
[ -n "$RSA_SIGN" ] && [ -n "$EC_VERIFY" ] && [ -n "$SHA_KBS" ] || die "openssl speed: unexpected output"
# Bytes hashed with SHA-256 per request: the JWS signing input (the
# decoded "data" of a body, less the JWS signature), the event log's
# event data (digest checks) and the replay's extends (~2x64 bytes per
# event and bank), counted as the log size twice.
BODY1=$(head -1 "$BODIES")
JWS_LEN=$(jq -r .data <<<"$BODY1" | tr -- '-_' '+/' | base64 -d 2>/dev/null | jq -r .payload.request | wc -c)
LOG_LEN=$(wc -c <"$LOG")
SHA_BYTES=$((JWS_LEN + 2 * LOG_LEN))
QUOTE_VERIFY=$RSA_VERIFY QUOTE_NAME="RSA-2048 verify"
[ "$AIK_ECC" = 1 ] && QUOTE_VERIFY=$EC_VERIFY QUOTE_NAME="ECDSA-P256 verify"
# per request, us: token sign, bearer verify, JWS verify, AIK cert, quote, SHA
read -r US_SIGN US_BEARER US_JWS US_CERT US_QUOTE US_SHA US_SUM < <(awk \
	-v rs="$RSA_SIGN" -v rv="$RSA_VERIFY" -v ev="$EC_VERIFY" -v qv="$QUOTE_VERIFY" \
	-v sb="$SHA_BYTES" -v sk="$SHA_KBS" -v bearer="$BEARER" 'BEGIN {
	a = 1e6 / rs; b = bearer == 1 ? 1e6 / rv : 0; c = 1e6 / ev; d = 1e6 / ev; e = 1e6 / qv; f = 1e6 * sb / (sk * 1000);
	printf "%.1f %.1f %.1f %.1f %.1f %.1f %.1f\n", a, b, c, d, e, f, a + b + c + d + e + f }')
BOUND=$(awk -v c="$SERVER_CORES" -v s="$US_SUM" 'BEGIN { printf "%.0f", c * 1e6 / s }')
RPS2=$(jq -r .rps <<<"$L2")
RATIO=$(awk -v x="$RPS2" -v b="$BOUND" 'BEGIN { printf "%.1f", 100 * x / b }')
EFF=$(awk -v s="$US_SUM" -v u="$CPU2" 'BEGIN { printf "%.1f", u ? 100 * s / u : 0 }')

# ---- event log figures -----------------------------------------------------------
EVL=""
[ -x "$BUILD/bench_eventlog" ] && step "$T_TMP/evl" "${ON_SERVER[@]}" "$BUILD/bench_eventlog" "$LOG" 0.5 &&
	EVL=$(cat "$T_TMP/evl")

f() { jq -r ".$2" <<<"$1"; }
echo "TPM flow B benchmark: attestd $BASE, $(basename "$LOG") ($LOG_LEN bytes), AIK $([ "$AIK_ECC" = 1 ] && echo 'ECC P-256' || echo RSA-2048)"
echo "  placement        $PLACEMENT; $CONNS keep-alive HTTPS connections"
echo "  check            attest tpm attest: token $TOKALG, secureBootEnabled=$SB; bearer token $BEARERALG, $([ "$BEARER" = 1 ] && echo "required (MAA's default)" || echo "not required (require_bearer=false)")"
echo "  precompute       $NPRE requests in $(f "$PRE" seconds) s (client side, not measured below):"
echo "                   round 1 $(f "$PRE" round1_ms) ms, TPM quote $(f "$PRE" quote_ms) ms, request JWS $(f "$PRE" sign_ms) ms each"
echo "                   round-2 body $(wc -c <<<"$BODY1") bytes (JWS signing input $JWS_LEN bytes)"
echo "round 1 (aikcert: challenge + sealed service_context)"
echo "  throughput       $(f "$L1" rps) req/s ($(f "$L1" requests) requests, HTTP 200: $(f "$L1" ok), other: $(f "$L1" non200), errors: $(f "$L1" errors))"
echo "  latency          p50 $(f "$L1" p50_ms) ms, p90 $(f "$L1" p90_ms) ms, p99 $(f "$L1" p99_ms) ms, max $(f "$L1" max_ms) ms"
echo "  attestd CPU      $CPU1 us per request"
echo "round 2 (the signed request: context, JWS, AIK cert, quote, log replay, policy, token)"
echo "  throughput       $RPS2 req/s ($(f "$L2" requests) requests, HTTP 200: $(f "$L2" ok), other: $(f "$L2" non200), errors: $(f "$L2" errors))"
echo "  latency          p50 $(f "$L2" p50_ms) ms, p90 $(f "$L2" p90_ms) ms, p99 $(f "$L2" p99_ms) ms, max $(f "$L2" max_ms) ms"
echo "  attestd CPU      $CPU2 us per request (user+system, all threads); VmHWM $((RSS / 1024)) MiB"
echo "crypto bound (openssl speed on the server's CPU, now)"
echo "  rates per core   RSA-2048 sign $RSA_SIGN/s, verify $RSA_VERIFY/s; ECDSA-P256 verify $EC_VERIFY/s; SHA-256 $(awk -v k="$SHA_KBS" 'BEGIN { printf "%.0f", k / 1000 }') MB/s"
echo "  per request      token RS256 sign $US_SIGN + bearer RS256 verify $US_BEARER + JWS ES256 verify $US_JWS"
echo "                   + AIK cert ECDSA verify $US_CERT + quote $QUOTE_NAME $US_QUOTE + SHA-256 of $SHA_BYTES bytes $US_SHA = $US_SUM us"
echo "  bound            $SERVER_CORES core(s) / $US_SUM us = $BOUND req/s"
echo "  ratio            round 2 at $RATIO% of the bound; the crypto is $EFF% of attestd's CPU time per request"
if [ -n "$EVL" ]; then
	echo "event log (bench_eventlog $(basename "$LOG"))"
	sed 's/^/  /' <<<"$EVL"
fi
[ "$PERF" = 1 ] && echo "perf profile:      $PERF_OUT"
echo "load average:      $(cut -d' ' -f1-3 /proc/loadavg) (other processes share these cores)"
att_stop >/dev/null 2>&1
exit 0
