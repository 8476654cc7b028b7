#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# TPM attestation out of the box (issue 14, README "TPM" lines): a fresh
# dev-mode attestd, then `attest sim tpm start DATA_DIR/tpmsim` (a swtpm
# whose EK certificates come from a dev manufacturer CA made there), then
# the README's `attest tpm enroll` and `attest tpm attest` with no other
# set-up: dev mode trusts the simulator's CA (read at enrolment, so a
# simulator started after attestd counts) and installed the dev default
# Tpm policy (claim x-attestd-dev-default-policy). Also: the CA's keys are
# 0600, a second start is a no-op, a start without --dev trusts the CA no
# more (enrolment refused), a set policy is never replaced, and `attest
# sim tpm stop` ends swtpm.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
for b in swtpm swtpm_setup swtpm_localca jq; do
	if ! command -v "$b" >/dev/null; then
		echo "FAIL (cannot run): $b missing (swtpm, swtpm-tools, jq)"
		echo "0 passed, 1 failed"
		exit 77
	fi
done

SIMPORT=
sim_cleanup() {
	[ -n "$SIMPORT" ] && "$ATTEST" sim tpm stop "$D/tpmsim" >/dev/null 2>&1
	att_cleanup
}
trap sim_cleanup EXIT

# The README's own lines, run verbatim apart from the port numbers.
D=$T_TMP/var
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "dev start"; att_done; }
B=$BASE
A=$ATTEST
# swtpm needs two ports: P and P+1.
for _ in $(seq 1 50); do
	SIMPORT=$(att_free_port)
	(exec 3<>"/dev/tcp/127.0.0.1/$((SIMPORT + 1))") 2>/dev/null || break
done
OUT=$($A sim tpm start "$D/tpmsim" --port "$SIMPORT" 2>&1)
check_eq "attest sim tpm start succeeds ($OUT)" "$?" 0
check_contains "start prints the TCTI" "$OUT" "TCTI: swtpm:port=$SIMPORT"
check "the dev manufacturer CA is in DIR" test -s "$D/tpmsim/ca/swtpm-localca-rootca-cert.pem"
check_eq "the CA's signing key is 0600" "$(stat -c %a "$D/tpmsim/ca/signkey.pem")" 600
check_eq "the CA's root key is 0600" "$(stat -c %a "$D/tpmsim/ca/swtpm-localca-rootca-privkey.pem")" 600
check "the root is a CA certificate" sh -c "openssl x509 -in '$D/tpmsim/ca/swtpm-localca-rootca-cert.pem' -noout -ext basicConstraints | grep -q 'CA:TRUE'"
PID=$(cat "$D/tpmsim/swtpm.pid")
check "swtpm runs (pid file)" kill -0 "$PID"
OUT2=$($A sim tpm start "$D/tpmsim" --port "$SIMPORT" 2>&1)
check_contains "a second start finds it running" "$OUT2" "runs already (pid $PID)"

export HOME=$T_TMP/home # attest tpm keeps its state under ~/.local/state
mkdir -p "$HOME"
TOK=$($A dev-token --data-dir "$D" --role reader)
OUT=$($A tpm enroll --url $B --ca "$CA" --bearer "$TOK" --tcti swtpm:port=$SIMPORT 2>&1)
check_eq "README: attest tpm enroll succeeds out of the box ($OUT)" "$?" 0
JWT=$($A tpm attest --url $B --ca "$CA" --bearer "$TOK" --tcti swtpm:port=$SIMPORT 2>"$T_TMP/err")
check_eq "README: attest tpm attest prints a token ($(cat "$T_TMP/err"))" "$(tr -cd . <<<"$JWT" | wc -c)" 2
claims() { "$A" token decode "$JWT" | jq -r ".claims | $1"; }
check_eq "the token is a TPM attestation" "$(claims '."x-ms-attestation-type"')" tpm
check_eq "the dev default Tpm policy says it is one" "$(claims '."x-ms-policy"."x-attestd-dev-default-policy"')" true
check "the token verifies as a relying party checks it" "$A" token verify --issuer "$B" --ca "$CA" "$JWT"
check_eq "the token's x-ms-policy-hash is that of the dev default text" \
	"$(claims '."x-ms-policy-hash"' | wc -c)" 44
att_stop
check_contains "dev mode says it applies a dev default Tpm policy" "$(cat "$D.log")" "dev default Tpm policy"
AUD=$("$ATTESTD" audit --data-dir "$D" --json)
check_eq "the dev default is not stored (no audit record of it)" "$(jq '[.. | objects | select(.type? == "Tpm")] | length' <<<"$AUD")" 0
"$ATTESTD" provider add other --data-dir "$D" --base-url "https://127.0.0.1:$PORT/other" >/dev/null ||
	not_ok "provider add other"

# A policy someone set replaces the dev default.
att_start "$D" "$PORT" || { not_ok "restart"; att_done; }
check_contains "attest policy get still says no Tpm policy is set (as MAA answers)" \
	"$($A policy get --url $B --type Tpm --ca "$CA" --bearer "$TOK" 2>&1)" "no policy is set"
check_contains "a dev start with DATA_DIR/tpmsim says it trusts its CA" "$(cat "$D.log")" "trusting the TPM simulator"
$A tpm enroll --url $B/other --ca "$CA" --bearer "$TOK" --tcti swtpm:port=$SIMPORT --state "$T_TMP/st3" >/dev/null 2>&1 ||
	not_ok "enrol at provider other"
OUT=$($A tpm attest --url $B/other --ca "$CA" --bearer "$TOK" --tcti swtpm:port=$SIMPORT --state "$T_TMP/st3" 2>&1)
check_contains "the dev default applies to the default provider only ($OUT)" "$OUT" "has not been set on provider other"
W=$($A dev-token --data-dir "$D" --role contributor)
printf 'version=1.0; authorizationrules { => permit(); }; issuancerules { => issue(type="mine", value=1); };' >"$T_TMP/mine.txt"
$A policy set --url $B --type Tpm --ca "$CA" --bearer "$W" "$T_TMP/mine.txt" >/dev/null ||
	not_ok "policy set"
att_stop
att_start "$D" "$PORT" || { not_ok "restart 2"; att_done; }
check_contains "a set Tpm policy is kept over a dev restart" \
	"$($A policy get --url $B --type Tpm --ca "$CA" --bearer "$TOK")" 'type="mine"'
JWT=$($A tpm attest --url $B --ca "$CA" --bearer "$TOK" --tcti swtpm:port=$SIMPORT 2>"$T_TMP/err")
check_eq "attest under the set policy ($(cat "$T_TMP/err"))" "$(claims '."x-ms-policy".mine')" 1
att_stop

# Without --dev the simulator's CA is not trusted: a fresh enrolment fails.
# (No dev token outside dev mode: bearer tokens are not required here.)
"$ATTESTD" tpm trust default --data-dir "$D" --set require_bearer=false >/dev/null ||
	not_ok "tpm trust --set require_bearer=false"
printf '{"tls":{"cert":"%s","key":"%s"}}' "$D/tls.crt" "$D/tls.key" >"$T_TMP/prod.json"
"$ATTESTD" serve --listen "127.0.0.1:$PORT" --data-dir "$D" --config "$T_TMP/prod.json" >>"$D.out" 2>>"$D.log" &
ATTESTD_PID=$!
for _ in $(seq 1 100); do
	curl -sf --cacert "$CA" "$B/readyz" >/dev/null 2>&1 && break
	sleep 0.1
done
OUT=$($A tpm enroll --url $B --ca "$CA" --bearer "$TOK" --tcti swtpm:port=$SIMPORT --state "$T_TMP/st2" 2>&1)
RC=$?
check "without --dev the simulator CA is not trusted (enrol refused)" test "$RC" -ne 0
check_contains "the refusal names the EK certificate ($OUT)" "$OUT" "EK certificate"
att_stop

OUT=$($A sim tpm stop "$D/tpmsim" 2>&1)
check_eq "attest sim tpm stop ($OUT)" "$?" 0
sleep 0.2
check_fails "swtpm is gone" kill -0 "$PID"
SIMPORT=
check_contains "stop again: nothing runs" "$($A sim tpm stop "$D/tpmsim")" "no swtpm"
# A relative DIR (the README's var/tpmsim): swtpm runs as a daemon in /,
# so the paths it gets must be absolute.
SIMPORT=$(att_free_port)
(cd "$T_TMP" && "$A" sim tpm start var/tpmsim --port "$SIMPORT" >/dev/null) || not_ok "relative start"
if command -v tpm2_pcrread >/dev/null; then
	check "a TPM started from a relative DIR answers (its state loaded)" \
		env TPM2TOOLS_TCTI="swtpm:port=$SIMPORT" tpm2_pcrread sha256:0
fi
check "stop with a relative DIR" sh -c "cd '$T_TMP' && '$A' sim tpm stop var/tpmsim | grep -q stopped"
SIMPORT=
sleep 30 &
OTHER=$!
echo "$OTHER" >"$D/tpmsim/swtpm.pid"
check_contains "stop with a stale pid file naming another program" "$($A sim tpm stop "$D/tpmsim")" "no swtpm"
check "...leaves that program alone" kill -0 "$OTHER"
kill "$OTHER" 2>/dev/null
wait "$OTHER" 2>/dev/null
check_fails "sim tpm with no verb is a usage error" "$A" sim tpm
att_done
