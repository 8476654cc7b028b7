#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctest: RUN_SERIAL (it measures latency under load)
# Policy budget and size limits (issue 9, items 1, 7 and 10) against a real
# attestd in dev mode with its SGX simulator, on loopback:
# - the attacker's draft (1,300 JmesPath calls, each flattening 8 copies
#   6 times over) is refused with PolicyParsingError naming
#   limits.policy_max_jmespath, in under 50 ms, and while 20 clients send
#   it in a loop for 2 s, /healthz and a real attestation keep being
#   answered quickly;
# - per provider (a config file): p2 allows 2,000 JmesPath calls, so the
#   same draft compiles and the run-time budget stops it (bytes; a
#   comparison-only query: steps), p3 has a 50 ms deadline that stops an
#   endless query; a draft of 200 light calls is refused by the default
#   provider and served by p2;
# - a stored policy (PUT) that cannot run within the budget on a
#   representative claim set is refused with the reason, one over the
#   compile limits too; ordinary policies (SGX, and a Tpm event-log
#   policy) are accepted;
# - a policy issuing claims too big for a token: 400 PolicyEvaluationError
#   naming ATT_MAX_TOKEN_LEN (draft and stored), not 500;
# - case variants of reserved claim names (X-MS-SGX-IS-DEBUGGABLE, Iss,
#   MAA-EHD) stay in x-ms-policy and never reach the top level.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v python3 >/dev/null || { echo "FAIL (cannot run): python3 missing"; echo "0 passed, 1 failed"; exit 77; }

D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W"
PIDS=()
stop_clients() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PIDS=()
}
trap 'stop_clients; att_cleanup' EXIT

PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"
check "provider add p2" "$ATTESTD" provider add p2 --data-dir "$D" \
	--base-url "https://127.0.0.1:$PORT/p2"
check "provider add p3" "$ATTESTD" provider add p3 --data-dir "$D" \
	--base-url "https://127.0.0.1:$PORT/p3"
# p2: room for the attack's 1,300 calls, and a deadline far enough that
# only steps and bytes decide. p3: no step budget worth the name, 50 ms.
cat >"$W/cfg.json" <<'EOF'
{"providers": {
  "p2": {"limits": {"policy_max_jmespath": 2000, "policy_max_rules": 2000,
                    "policy_eval_ms": 10000}},
  "p3": {"limits": {"policy_eval_steps": 1099511627776, "policy_eval_ms": 50}}
}}
EOF
att_start "$D" "$PORT" --config "$W/cfg.json" || { not_ok "start with the config"; att_done; }
SIM=$D/sim
if [ ! -f "$SIM/manifest.json" ]; then
	att_curl -X POST "$BASE/attest/SgxEnclave" -d '{}' >/dev/null
fi
"$ATTEST" sgx --sim "$SIM" --request-only >"$W/sgx.req" 2>"$W/err" ||
	not_ok "attest sgx --request-only: $(cat "$W/err")"
CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)

# gen N KIND DEPTH [EXTRA]: a policy of N issuance rules, each one
# JmesPath call over [1]: KIND flatten = length(@ | [@ x8][] ... DEPTH
# times), pairs = DEPTH times | [@,@] then @ == @ (2^DEPTH comparisons,
# no memory), light = @.
gen() {
	python3 - "$@" <<'EOF'
import sys
n, kind, depth = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if kind == "flatten":
    q = "length(@" + " | [@,@,@,@,@,@,@,@][]" * depth + ")"
elif kind == "pairs":
    q = "@" + " | [@,@]" * depth + " | @ == @"
else:
    q = "@"
rules = "".join('=> issue(type="r%d", value=JmesPath("[1]", "%s"));\n' % (i, q)
                for i in range(n))
sys.stdout.write("version=1.2;\nauthorizationrules { => permit(); };\n"
                 "issuancerules {\n" + rules + "};\n")
EOF
}
# with_draft POLICY_FILE OUT: the SGX request with the draft policy.
with_draft() { jq -c --rawfile p "$1" '. + {draftPolicyForAttestation: $p}' "$W/sgx.req" >"$2"; }
# post URL BODY_FILE: prints the response body; status in $T_TMP/status,
# curl's time_total in $T_TMP/time.
post() {
	curl -s --max-time 30 --cacert "$CA" -X POST -H 'Content-Type: application/json' \
		--data-binary @"$2" -o "$T_TMP/body" -w '%{http_code} %{time_total}' \
		"$1?api-version=2022-08-01" >"$T_TMP/st"
	cut -d' ' -f1 <"$T_TMP/st" >"$T_TMP/status"
	cut -d' ' -f2 <"$T_TMP/st" >"$T_TMP/time"
	cat "$T_TMP/body"
}
errcode() { jq -r .error.code; }
errmsg() { jq -r .error.message; }
# lt A B: A < B (decimals)
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
claims() { "$ATTEST" token decode "$1" 2>/dev/null | jq -c .claims; }

# --- the attack draft, default provider ---------------------------------
gen 1300 flatten 6 >"$W/attack.pol"
check "the attack draft is over 200 KB" test "$(wc -c <"$W/attack.pol")" -gt 200000
with_draft "$W/attack.pol" "$W/attack.req"
OUT=$(post "$BASE/attest/SgxEnclave" "$W/attack.req")
check_eq "attack draft: 400 PolicyParsingError" "$(att_status) $(errcode <<<"$OUT")" "400 PolicyParsingError"
check_contains "  ... naming the count and the limit" "$(errmsg <<<"$OUT")" \
	"the policy has 1300 JmesPath calls; at most 128 are allowed (limits.policy_max_jmespath)"
# Timing (curl's time_total): six attack requests on one connection; the
# first one pays for the TLS handshake, the other five are the server's
# answer alone. Their median must be under 50 ms, none may stall.
ARGS=()
for i in 1 2 3 4 5 6; do
	ARGS+=(-o /dev/null "$BASE/attest/SgxEnclave?api-version=2022-08-01")
done
curl -s --max-time 30 --cacert "$CA" -X POST -H 'Content-Type: application/json' \
	--data-binary @"$W/attack.req" -w '%{http_code} %{time_total} %{num_connects}\n' \
	"${ARGS[@]}" >"$W/times"
check_eq "six attack requests: all 400" "$(cut -d' ' -f1 "$W/times" | sort -u)" 400
check_eq "  ... the last five on the first one's connection" \
	"$(tail -n 5 "$W/times" | cut -d' ' -f3 | sort -u)" 0
COLD=$(head -n 1 "$W/times" | cut -d' ' -f2)
MEDIAN=$(tail -n 5 "$W/times" | cut -d' ' -f2 | sort -g | sed -n 3p)
WORST=$(tail -n 5 "$W/times" | cut -d' ' -f2 | sort -g | tail -1)
echo "# attack draft refused in $MEDIAN s (median of 5 on one connection), slowest $WORST s; $COLD s with the TLS handshake"
check "attack draft refused in under 50 ms (median $MEDIAN s)" lt "$MEDIAN" 0.050
check "  ... none took 1 s (slowest $WORST s, with handshake $COLD s)" lt "$WORST" 1.0
check "  ... nor the first, with the TLS handshake ($COLD s)" lt "$COLD" 1.0

# --- other clients are served while 20 attackers loop --------------------
# Each attacker sends the draft 10 times per connection, again and again
# for 2 s (each curl bounded by --max-time).
ATTACK_END=$((SECONDS + 3))
ARGS=()
for j in $(seq 1 10); do
	ARGS+=(-o /dev/null "$BASE/attest/SgxEnclave?api-version=2022-08-01")
done
for i in $(seq 1 20); do
	(
		while [ "$SECONDS" -lt "$ATTACK_END" ]; do
			curl -s --max-time 5 --cacert "$CA" -X POST \
				-H 'Content-Type: application/json' \
				--data-binary @"$W/attack.req" -w '%{http_code}\n' "${ARGS[@]}"
		done
	) >"$W/attacker.$i" 2>/dev/null &
	PIDS+=($!)
done
sleep 0.5
HMAX=0
AMAX=0
NH=0
NA=0
END=$((SECONDS + 2))
while [ "$SECONDS" -lt "$END" ]; do
	R=$(curl -s --max-time 10 --cacert "$CA" -o /dev/null -w '%{http_code} %{time_total}' "$BASE/healthz")
	[ "${R%% *}" = 200 ] && NH=$((NH + 1))
	lt "$HMAX" "${R#* }" && HMAX=${R#* }
	R=$(curl -s --max-time 10 --cacert "$CA" -X POST -H 'Content-Type: application/json' \
		--data-binary @"$W/sgx.req" -o "$W/tok.json" -w '%{http_code} %{time_total}' \
		"$BASE/attest/SgxEnclave?api-version=2022-08-01")
	[ "${R%% *}" = 200 ] && NA=$((NA + 1))
	lt "$AMAX" "${R#* }" && AMAX=${R#* }
done
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
PIDS=()
N_ATTACKS=$(cat "$W"/attacker.* | grep -c '^400$')
echo "# under attack: $NH /healthz (slowest $HMAX s), $NA attestations (slowest $AMAX s), $N_ATTACKS attack requests refused"
check "the attackers were refused many times ($N_ATTACKS)" test "$N_ATTACKS" -ge 40
check "/healthz answered 200 throughout ($NH times)" test "$NH" -ge 3
check "  ... each within 1 s (slowest $HMAX s)" lt "$HMAX" 1.0
check "real attestations answered 200 throughout ($NA times)" test "$NA" -ge 3
check "  ... each within 2 s (slowest $AMAX s)" lt "$AMAX" 2.0
OUT=$(att_curl "$BASE/healthz")
check_eq "the server is healthy after the attack" "$(att_status)" 200

# --- the run-time budget (p2 allows the 1,300 calls) ---------------------
OUT=$(post "$BASE/p2/attest/SgxEnclave" "$W/attack.req")
T=$(cat "$T_TMP/time")
check_eq "p2: the attack compiles and is stopped at run time: 400 PolicyEvaluationError" \
	"$(att_status) $(errcode <<<"$OUT")" "400 PolicyEvaluationError"
check_contains "  ... by the byte budget, named" "$(errmsg <<<"$OUT")" \
	"policy evaluation exceeded its budget of 16777216 bytes (limits.policy_eval_bytes)"
check_contains "  ... at a JmesPath call of a rule" "$(errmsg <<<"$OUT")" \
	"issuancerules rule 2 (line 5): JmesPath (line 5, column 27): "
check "  ... in bounded time ($T s)" lt "$T" 1.0
gen 100 pairs 20 >"$W/pairs.pol"
with_draft "$W/pairs.pol" "$W/pairs.req"
OUT=$(post "$BASE/p2/attest/SgxEnclave" "$W/pairs.req")
T=$(cat "$T_TMP/time")
check_eq "p2: comparisons only: 400 PolicyEvaluationError" "$(att_status) $(errcode <<<"$OUT")" "400 PolicyEvaluationError"
check_contains "  ... by the step budget, named" "$(errmsg <<<"$OUT")" \
	"policy evaluation exceeded its budget of 2000000 steps (limits.policy_eval_steps)"
check "  ... in bounded time ($T s)" lt "$T" 1.0
OUT=$(post "$BASE/p3/attest/SgxEnclave" "$W/pairs.req")
T=$(cat "$T_TMP/time")
check_eq "p3: the same query, no step budget: 400 PolicyEvaluationError" \
	"$(att_status) $(errcode <<<"$OUT")" "400 PolicyEvaluationError"
check_contains "  ... by p3's 50 ms deadline, named" "$(errmsg <<<"$OUT")" \
	"policy evaluation exceeded its deadline of 50 ms (limits.policy_eval_ms)"
check "  ... answered within 1 s ($T s)" lt "$T" 1.0

# --- per-provider compile limits -----------------------------------------
gen 200 light 0 >"$W/light.pol"
with_draft "$W/light.pol" "$W/light.req"
OUT=$(post "$BASE/attest/SgxEnclave" "$W/light.req")
check_eq "200 light calls: the default provider refuses (PolicyParsingError)" \
	"$(att_status) $(errcode <<<"$OUT")" "400 PolicyParsingError"
check_contains "  ... naming limits.policy_max_jmespath" "$(errmsg <<<"$OUT")" \
	"the policy has 200 JmesPath calls; at most 128 are allowed (limits.policy_max_jmespath)"
OUT=$(post "$BASE/p2/attest/SgxEnclave" "$W/light.req")
check_eq "  ... p2 (policy_max_jmespath 2000) serves it" "$(att_status)" 200
check_eq "  ... with its 200 issued claims" \
	"$(jq -r .token <<<"$OUT" | "$ATTEST" token decode - 2>/dev/null | jq '.claims."x-ms-policy" | length')" 200

# --- stored policies: PUT checks the budget ------------------------------
# put PROVIDER_PATH TYPE POLICY_FILE: an unsigned upload (aad mode).
put() {
	local payload
	payload=$(printf '{"AttestationPolicy":"%s"}' "$(att_b64url <"$3")" | att_b64url)
	printf 'eyJhbGciOiJub25lIn0.%s.' "$payload" >"$W/put.body"
	att_curl -X PUT -H "Authorization: Bearer $CONTRIB" -H 'Content-Type: text/plain' \
		--data-binary @"$W/put.body" "$BASE$1/policies/$2?api-version=2020-10-01"
}
gen 10 pairs 18 >"$W/heavy.pol"
OUT=$(put /p2 SgxEnclave "$W/heavy.pol")
check_eq "PUT of a policy over the step budget: 400 PolicyEvaluationError" \
	"$(att_status) $(errcode <<<"$OUT")" "400 PolicyEvaluationError"
check_contains "  ... with the reason" "$(errmsg <<<"$OUT")" \
	"the policy cannot run within this provider's budget: on a representative SgxEnclave claim set, issuancerules rule 3 (line 6): JmesPath (line 6, column 27): policy evaluation exceeded its budget of 2000000 steps (limits.policy_eval_steps)"
OUT=$(put /p2 Tpm "$W/heavy.pol")
check_contains "  ... for Tpm too (its representative claims)" "$(errmsg <<<"$OUT")" \
	"on a representative Tpm claim set, issuancerules rule 3"
# (the whole attack does not fit an upload JWS: ATT_MAX_TOKEN_LEN)
gen 300 flatten 6 >"$W/attack300.pol"
OUT=$(put "" SgxEnclave "$W/attack300.pol")
check_eq "PUT of a 300-call attack: 400 PolicyParsingError" "$(att_status) $(errcode <<<"$OUT")" "400 PolicyParsingError"
check_contains "  ... naming the limit" "$(errmsg <<<"$OUT")" \
	"the policy has 300 JmesPath calls; at most 128 are allowed (limits.policy_max_jmespath)"
OUT=$(att_curl -X POST -H 'Content-Type: application/json' --data-binary @"$W/sgx.req" \
	"$BASE/p2/attest/SgxEnclave?api-version=2022-08-01")
check_eq "  ... refused uploads left the default policy in place" \
	"$(att_status) $(jq -r .token <<<"$OUT" | "$ATTEST" token decode - 2>/dev/null | jq -r .claims.tee)" "200 sgx"

# An ordinary SGX policy, and MAA's secure-boot style Tpm policy over the
# events claim: accepted.
cat >"$W/sgx.pol" <<'EOF'
version=1.2;
authorizationrules {
  [type=="x-ms-sgx-is-debuggable", value==false] &&
  [type=="x-ms-sgx-product-id", value>=0] => permit();
};
issuancerules {
  c:[type=="x-ms-sgx-mrsigner"] => issue(type="signer", value=c.value);
  c:[type=="x-ms-runtime"] => issue(type="keys", value=JmesPath(c.value, "keys[*].kid"));
  c:[type=="x-attestd-advisory-ids"] => issue(type="advisories", value=c.value);
};
EOF
OUT=$(put "" SgxEnclave "$W/sgx.pol")
check_eq "PUT of an ordinary SGX policy: 200 Updated" \
	"$(att_status) $(jq -r .token <<<"$OUT" | "$ATTEST" token decode - 2>/dev/null | jq -r '.claims."x-ms-policy-result"')" "200 Updated"
cat >"$W/tpm.pol" <<'EOF'
version=1.2;
authorizationrules { => permit(); };
issuancerules {
  c:[type=="events", issuer=="AttestationService"] => add(type="efiConfigVariables", value=JmesPath(c.value, "Events[?EventTypeString == 'EV_EFI_VARIABLE_DRIVER_CONFIG' && ProcessedData.VariableGuid == '8BE4DF61-93CA-11D2-AA0D-00E098032B8C']"));
  c:[type=="efiConfigVariables", issuer=="AttestationPolicy"] => issue(type="secureBootEnabled", value=JsonToClaimValue(JmesPath(c.value, "[?ProcessedData.UnicodeName == 'SecureBoot'] | length(@) == `1` && @[0].ProcessedData.VariableData == 'AQ'")));
  ![type=="secureBootEnabled", issuer=="AttestationPolicy"] => issue(type="secureBootEnabled", value=false);
  c:[type=="events", issuer=="AttestationService"] => add(type="boolProperties", value=JmesPath(c.value, "Events[? EventTypeString == 'EV_EVENT_TAG' && (PcrIndex == `12` || PcrIndex == `13` || PcrIndex == `19` || PcrIndex == `20`)].ProcessedData.EVENT_TRUSTBOUNDARY"));
  c:[type=="boolProperties", issuer=="AttestationPolicy"] => issue(type="codeIntegrityEnabled", value=ContainsOnlyValue(JsonToClaimValue(JmesPath(c.value, "[*].EVENT_CODEINTEGRITY")), true));
};
EOF
OUT=$(put "" Tpm "$W/tpm.pol")
check_eq "PUT of an event-log Tpm policy: 200" "$(att_status)" 200

# --- item 7: issued claims too big for a token ----------------------------
python3 - >"$W/big.pol" <<'EOF'
print("version=1.2;\nauthorizationrules { => permit(); };\nissuancerules {")
print('=> add(type="s0", value="abcdefgh");')
for i in range(15):
    print('c:[type=="s%d"] => add(type="s%d", value=AppendString(c.value, c.value));' % (i, i + 1))
print('c:[type=="s15"] => issue(type="big", value=c.value);')
print("};")
EOF
with_draft "$W/big.pol" "$W/big.req"
OUT=$(post "$BASE/attest/SgxEnclave" "$W/big.req")
check_eq "draft issuing 256 KiB: 400 PolicyEvaluationError (not 500)" \
	"$(att_status) $(errcode <<<"$OUT")" "400 PolicyEvaluationError"
check_contains "  ... naming the issued claims and ATT_MAX_TOKEN_LEN" "$(errmsg <<<"$OUT")" \
	"the policy's issued claims (1 claim, 262154 bytes of JSON in x-ms-policy, most also at the top level) make the token longer than 262144 bytes (ATT_MAX_TOKEN_LEN)"
OUT=$(put /p3 SgxEnclave "$W/big.pol")
check_eq "the same policy stored (it runs within the budget): 200" "$(att_status)" 200
OUT=$(att_curl -X POST -H 'Content-Type: application/json' --data-binary @"$W/sgx.req" \
	"$BASE/p3/attest/SgxEnclave?api-version=2022-08-01")
check_eq "  ... a signed token would be too long: 400 PolicyEvaluationError" \
	"$(att_status) $(errcode <<<"$OUT")" "400 PolicyEvaluationError"
check_contains "  ... naming the limit" "$(errmsg <<<"$OUT")" "ATT_MAX_TOKEN_LEN"

# --- item 10: reserved claim names, any case -------------------------------
cat >"$W/case.pol" <<'EOF'
version=1.0;
authorizationrules { => permit(); };
issuancerules {
  => issue(type="X-MS-SGX-IS-DEBUGGABLE", value=true);
  => issue(type="Iss", value="https://evil.example");
  => issue(type="EXP", value=99999999999);
  => issue(type="X-Attestd-Tcb-Status", value="UpToDate");
  => issue(type="MAA-EHD", value="forged");
  => issue(type="custom-claim", value="kept");
};
EOF
TOK=$("$ATTEST" sgx --sim "$SIM" --runtime-data "$W/cfg.json" --draft-policy "$W/case.pol" --url "$BASE" --ca "$CA" 2>"$W/err")
C=$(claims "$TOK")
check "draft issuing case variants of reserved names: a token" test -n "$C"
check_eq "no case variant reaches the top level" \
	"$(jq -c '[has("X-MS-SGX-IS-DEBUGGABLE"), has("Iss"), has("EXP"), has("X-Attestd-Tcb-Status"), has("MAA-EHD")]' <<<"$C")" \
	'[false,false,false,false,false]'
check_eq "the service's own claims are unchanged" \
	"$(jq -c '[."x-ms-sgx-is-debuggable", (.iss | startswith("https://127.0.0.1")), (.exp < 9999999999), ."maa-ehd" != "forged"]' <<<"$C")" \
	'[false,true,true,true]'
check_eq "all of them stay in x-ms-policy" \
	"$(jq -c '."x-ms-policy" | [."X-MS-SGX-IS-DEBUGGABLE", .Iss, .EXP, ."MAA-EHD"]' <<<"$C")" \
	'[true,"https://evil.example",99999999999,"forged"]'
check_eq "an ordinary issued claim is at the top level" "$(jq -r '."custom-claim"' <<<"$C")" kept

att_stop || not_ok "attestd exits cleanly"
att_done
