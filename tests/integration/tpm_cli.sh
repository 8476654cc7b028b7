#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The attest CLI's event log and TPM tools on the shared data:
# `eventlog replay --json` prints exactly expected_pcrs.json's values for
# every log, `--bank` selects one bank, the tampered log's event 24 is
# reported on stderr naming PCR 8 (and fails with --strict), the short log
# fails to replay with a reason; `tpm verify-quote` accepts the GCE quotes
# with their nonce and refuses a wrong nonce or PCR value; `tpm name`
# prints the AK's Name.
. "$(dirname "$0")/lib/attestd.sh"

skip() {
	echo "FAIL (cannot run): $*"
	echo "0 passed, 1 failed"
	exit 77
}
[ -x "$ATTEST" ] || skip "$ATTEST not built"
command -v jq >/dev/null || skip "jq missing"
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
LOGS=$TD/tpm/eventlogs
[ -d "$LOGS" ] || skip "$LOGS not found (set ATTESTD_TESTDATA)"
EXP=$LOGS/expected_pcrs.json

for f in "$LOGS"/*.bin; do
	name=$(basename "$f")
	want=$(jq -S --arg n "$name" '.[$n].replayed_pcrs_independent' "$EXP")
	if [ "$want" = "{}" ]; then
		continue
	fi
	got=$("$ATTEST" eventlog replay --json "$f" 2>/dev/null | jq -S .)
	check_eq "$name: replay --json equals expected_pcrs.json" "$got" "$want"
done

A=$LOGS/arch-linux-workstation.bin
check_eq "--bank sha256 keeps one bank" \
	"$("$ATTEST" eventlog replay --json --bank sha256 "$A" 2>/dev/null | jq -c "keys")" '["sha256"]'
check_fails "--bank sha384 of a sha1/sha256 log fails" "$ATTEST" eventlog replay --bank sha384 "$A"

T=$LOGS/tpm2tools_event-arch-linux-tampered.bin
ERR=$("$ATTEST" eventlog show "$T" 2>&1 >/dev/null)
check_contains "tampered log: event 24 reported with its PCR" "$ERR" \
	"event 24 (PCR 8, EV_IPL): digest does not match its data"
check "tampered log: show still lists it" "$ATTEST" eventlog show "$T"
check_fails "tampered log: --strict fails" "$ATTEST" eventlog show --strict "$T"
check_eq "tampered log: JSON marks event 24" \
	"$("$ATTEST" eventlog show --json "$T" 2>/dev/null | jq -r '.Events[24].DigestCheck')" mismatch
check_eq "tampered log: no other mismatch" \
	"$("$ATTEST" eventlog show --json "$T" 2>/dev/null |
		jq '[.Events[] | select(.DigestCheck == "mismatch")] | length')" 1
check "clean log: --strict passes" "$ATTEST" eventlog show --strict "$LOGS/cos-85-amd-sev.bin"

S=$LOGS/goattestation_short_no_action_eventlog.bin
ERR=$("$ATTEST" eventlog replay "$S" 2>&1)
check_fails "short log: replay fails" "$ATTEST" eventlog replay "$S"
check_contains "short log: says why" "$ERR" "extends no PCR"
head -c 40 "$S" >"$T_TMP/cut.bin"
ERR=$("$ATTEST" eventlog show "$T_TMP/cut.bin" 2>&1)
check_contains "cut log: names the event and offset" "$ERR" "event 0 at offset 0"

Q=$TD/tpm/quotes/gce_cos85/gce-cos-85-nonce9009
check_eq "tpm name of the GCE AK" "$("$ATTEST" tpm name "$Q/ak_pub.tpmt_public")" \
	000bf175bdb57297b2b289973f819863d6c9d09c236725676914f4248c9a2404c2a4
for b in sha1 sha256 sha384; do
	jq --arg b "$b" '{($b): .}' "$Q/quote_${b}_pcrs.json" >"$T_TMP/$b.json"
	check "verify-quote $b" "$ATTEST" tpm verify-quote --quote "$Q/quote_$b.tpms_attest" \
		--sig "$Q/quote_$b.tpmt_signature" --ak-pub "$Q/ak_pub.tpmt_public" \
		--nonce 9009 --pcrs "$T_TMP/$b.json" --mask ffffff
done
ERR=$("$ATTEST" tpm verify-quote --quote "$Q/quote_sha256.tpms_attest" \
	--sig "$Q/quote_sha256.tpmt_signature" --ak-pub "$Q/ak_pub.tpmt_public" --nonce 9008 2>&1)
check_contains "verify-quote: wrong nonce" "$ERR" "extraData"
jq '.sha256["7"] = "00" + .sha256["7"][2:]' "$T_TMP/sha256.json" >"$T_TMP/bad.json"
ERR=$("$ATTEST" tpm verify-quote --quote "$Q/quote_sha256.tpms_attest" \
	--sig "$Q/quote_sha256.tpmt_signature" --ak-pub "$Q/ak_pub.tpmt_public" \
	--pcrs "$T_TMP/bad.json" 2>&1)
check_contains "verify-quote: wrong PCR 7" "$ERR" "pcrDigest"
K=$TD/tpm/quotes/azure_vtpm_kinvolk
ERR=$("$ATTEST" tpm verify-quote --quote "$Q/quote_sha256.tpms_attest" \
	--sig "$Q/quote_sha256.tpmt_signature" --ak-pem "$K/akpub.pem" 2>&1)
check_contains "verify-quote: another AK" "$ERR" "does not verify"
att_done
