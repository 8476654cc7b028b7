#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The policy budget on TPM attestation (issue 9, item 1), with a real TPM
# 2.0 (swtpm) and a real event log: a stored Tpm policy whose heavy rule
# only fires on a custom claim (so its trial on the representative Tpm
# claims at PUT passes) is stopped at attestation time by the provider's
# step budget: 400 PolicyEvaluationError naming limits.policy_eval_steps,
# in bounded time; without that claim the same policy gives a report. A
# Tpm policy over the compile limits is refused at PUT naming the limit.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
. "$(dirname "$0")/lib/tpm_swtpm.sh"
att_require_bins
tpm_require

LOGS=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}/tpm/eventlogs
LOG=$LOGS/cos-101-amd-sev.bin
if [ ! -f "$LOG" ]; then
	echo "FAIL (cannot run): TPM event log not found under $LOGS (set ATTESTD_TESTDATA)"
	echo "0 passed, 1 failed"
	exit 77
fi

S=$T_TMP/swtpm
tpm_swtpm_init "$S" || { cat "$S/setup.log"; not_ok "swtpm_setup"; att_done; }
tpm_swtpm_start "$S" "$(att_free_port)" || { not_ok "swtpm start"; att_done; }
D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop
tpm_trust_ek "$D" default "$S/ca" || not_ok "attestd tpm trust"
att_start "$D" "$PORT" || { not_ok "restart"; att_done; }
READER=$("$ATTEST" dev-token --data-dir "$D" --role reader)
CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)
COMMON=(--url "$BASE" --tcti "$TCTI" --ca "$CA" --bearer "$READER")

# 2^22 comparisons with no memory, only when the custom claim asks.
Q="@$(printf ' | [@,@]%.0s' $(seq 1 22)) | @ == @"
cat >"$T_TMP/policy.txt" <<EOF
version=1.2;
authorizationrules { => permit(); };
issuancerules {
  c:[type=="aikValidated"] => issue(type="aikValidated", value=c.value);
  c:[type=="heavy", issuer=="CustomClaim"] => issue(type="r", value=JmesPath("[1]", "$Q"));
};
EOF
tpm_set_policy "$BASE" "$T_TMP/policy.txt" "$CONTRIB" &&
	ok "the Tpm policy passes its trial on the representative claims (PUT 200)" ||
	not_ok "PUT /policies/Tpm: $(cat "$T_TMP/body")"

"$ATTEST" tpm enroll "${COMMON[@]}" --state "$T_TMP/st" >"$T_TMP/enroll" 2>&1 ||
	not_ok "attest tpm enroll: $(cat "$T_TMP/enroll")"
tpm_extend_log "$LOG" || not_ok "extend the log into PCRs"
TOK=$("$ATTEST" tpm attest "${COMMON[@]}" --state "$T_TMP/st" --log "$LOG" 2>"$T_TMP/err")
check_eq "without the custom claim: a report ($(cat "$T_TMP/err"))" "$(tr -cd . <<<"$TOK" | wc -c)" 2
T0=$(date +%s%N)
OUT=$("$ATTEST" tpm attest "${COMMON[@]}" --state "$T_TMP/st" --log "$LOG" --claim heavy=1 2>&1)
MS=$((($(date +%s%N) - T0) / 1000000))
check_contains "with it: 400 PolicyEvaluationError" "$OUT" "PolicyEvaluationError"
check_contains "  ... stopped by the step budget, named" "$OUT" \
	"policy evaluation exceeded its budget of 2000000 steps (limits.policy_eval_steps)"
check_contains "  ... at the rule and the call" "$OUT" \
	"issuancerules rule 2 (line 5): JmesPath (line 5, column 69)"
check "  ... the whole flow took under 5 s (${MS} ms)" test "$MS" -lt 5000

# Over the compile limits at PUT: 129 JmesPath calls.
python3 - >"$T_TMP/many.txt" <<'EOF'
print("version=1.2;\nauthorizationrules { => permit(); };\nissuancerules {")
for i in range(129):
    print('c:[type=="pcrs"] => add(type="p%d", value=JmesPath(c.value, "PCRs[0].Index"));' % i)
print("};")
EOF
tpm_set_policy "$BASE" "$T_TMP/many.txt" "$CONTRIB" && not_ok "129 calls accepted" ||
	check_contains "a Tpm policy of 129 JmesPath calls is refused, naming the limit" \
		"$(cat "$T_TMP/body")" "the policy has 129 JmesPath calls; at most 128 are allowed (limits.policy_max_jmespath)"
att_stop || not_ok "attestd exits cleanly"
att_done
