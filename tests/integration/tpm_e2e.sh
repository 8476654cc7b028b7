#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# TPM attestation end to end (docs/tpm-protocol.md) against a real TPM 2.0:
# swtpm manufactured here with EK certificates from a local CA that the
# provider trusts as TPM manufacturer root. `attest tpm enroll` (flow A:
# EK certificate, MakeCredential / TPM2_ActivateCredential, AIK
# certificate from the provider's AIK CA) and `attest tpm attest` (flow B)
# with real event logs whose digests were extended into swtpm's PCRs,
# under a policy computing secureBootEnabled from the events with
# JmesPath (MAA docs "Attestation policy version 1.2"): Secure Boot on
# and off give the right
# claim; the token verifies with `attest token verify` and with jose.
# Then every refusal: wrong challenge, expired context, replayed quote,
# tampered log (the error names the PCR and the event), an AIK never
# enrolled, an EK certificate from an untrusted CA, an AIK without
# `restricted`, no bearer token, no policy.
. "$(dirname "$0")/lib/attestd.sh"
. "$(dirname "$0")/lib/tpm_swtpm.sh"
att_require_bins
tpm_require

LOGS=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}/tpm/eventlogs
LOG_SB_ON=$LOGS/cos-101-amd-sev.bin            # SecureBoot = 01
LOG_SB_OFF=$LOGS/ubuntu-2104-no-secure-boot.bin # SecureBoot = 00
if [ ! -f "$LOG_SB_ON" ] || [ ! -f "$LOG_SB_OFF" ]; then
	echo "FAIL (cannot run): TPM event logs not found under $LOGS (set ATTESTD_TESTDATA)"
	echo "0 passed, 1 failed"
	exit 77
fi

# ---- a TPM, a service, providers ------------------------------------
S=$T_TMP/swtpm
tpm_swtpm_init "$S" || { cat "$S/setup.log"; not_ok "swtpm_setup"; att_done; }
ok "swtpm manufactured with EK certificates from a local CA in a temp dir"
check "the local CA lives in the temp dir" test -s "$S/ca/swtpm-localca-rootca-cert.pem"
tpm_swtpm_start "$S" "$(att_free_port)" || { not_ok "swtpm start"; att_done; }

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop
for p in untrusted nopolicy; do
	"$ATTESTD" provider add "$p" --data-dir "$D" --base-url "https://127.0.0.1:$PORT/$p" >/dev/null ||
		not_ok "provider add $p"
done
tpm_trust_ek "$D" default "$S/ca" && ok "attestd tpm trust: swtpm's local CA is a trusted TPM manufacturer" ||
	not_ok "attestd tpm trust"
tpm_trust_ek "$D" nopolicy "$S/ca"
# "untrusted" trusts another manufacturer only.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=Some Other TPM Vendor Root" -keyout "$T_TMP/other.key" \
	-out "$T_TMP/other.pem" 2>/dev/null
"$ATTESTD" tpm trust untrusted --data-dir "$D" --ek-root "$T_TMP/other.pem" >/dev/null
check_contains "attestd tpm trust shows the configuration" \
	"$("$ATTESTD" tpm trust default --data-dir "$D")" "require_bearer: true"
check_fails "attestd tpm trust refuses a bad setting" tpm_settings "$D" default --set context_ttl_seconds=0
att_start "$D" "$PORT" || { not_ok "restart"; att_done; }
export NODE_EXTRA_CA_CERTS="$CA"

READER=$("$ATTEST" dev-token --data-dir "$D" --role reader)
CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)
COMMON=(--url "$BASE" --tcti "$TCTI" --ca "$CA" --bearer "$READER")

cat >"$T_TMP/policy.txt" <<'EOF'
version=1.2;
authorizationrules { => permit(); };
issuancerules {
  c:[type=="events", issuer=="AttestationService"] => add(type="efiConfigVariables", value=JmesPath(c.value, "Events[?EventTypeString == 'EV_EFI_VARIABLE_DRIVER_CONFIG' && ProcessedData.VariableGuid == '8BE4DF61-93CA-11D2-AA0D-00E098032B8C']"));
  c:[type=="efiConfigVariables", issuer=="AttestationPolicy"] => issue(type="secureBootEnabled", value=JsonToClaimValue(JmesPath(c.value, "[?ProcessedData.UnicodeName == 'SecureBoot'] | length(@) == `1` && @[0].ProcessedData.VariableData == 'AQ'")));
  ![type=="secureBootEnabled", issuer=="AttestationPolicy"] => issue(type="secureBootEnabled", value=false);
  c:[type=="secureBootEnabled", issuer=="AttestationService"] => issue(type="serviceSecureBoot", value=c.value);
  c:[type=="aikValidated"] => issue(type="aikValidated", value=c.value);
  c:[type=="tpmVersion"] => issue(type="tpmVersion", value=c.value);
  c:[type=="env", issuer=="CustomClaim"] => issue(type="env", value=c.value);
  c:[type=="pcrs"] => issue(type="pcr7", value=JmesPath(c.value, "PCRs[?Index == `7`].Digests.SHA256 | [0]"));
  => issueproperty(type="report_validity_in_minutes", value=60);
};
EOF
tpm_set_policy "$BASE" "$T_TMP/policy.txt" "$CONTRIB" && ok "Tpm policy set with PUT /policies/Tpm" ||
	not_ok "PUT /policies/Tpm: $(cat "$T_TMP/body")"
tpm_set_policy "$BASE/untrusted" "$T_TMP/policy.txt" "$CONTRIB" || not_ok "policy of untrusted"

# claim TOKEN JQ: a claim of an (unverified) token
claim() { "$ATTEST" token decode "$1" | jq -r ".claims | $2"; }

# ---- flow A ---------------------------------------------------------
ST=$T_TMP/state
OUT=$("$ATTEST" tpm enroll "${COMMON[@]}" --state "$ST" 2>&1)
check_eq "enrol: attest tpm enroll succeeds ($OUT)" "$?" 0
check "enrol: AIK certificate and key blob kept in the state dir" test -s "$ST/aik.crt" -a -s "$ST/aik.priv" -a -s "$ST/aik.pub"
check "enrol: EK certificate read from NV 0x1c00002" test -s "$ST/ek.crt"
AIKCA=$T_TMP/aik-ca.crt
sqlite3 "$D/attestd.db" "SELECT cert_pem FROM tpm_aik_ca WHERE provider = 'default'" >"$AIKCA"
check "enrol: the provider's AIK CA was created (in the store)" test -s "$AIKCA"
check "enrol: the AIK certificate chains to the AIK CA" openssl verify -CAfile "$AIKCA" <(openssl x509 -inform der -in "$ST/aik.crt")
EKSHA=$(sha256sum "$ST/ek.crt" | cut -d' ' -f1)
EXT=$(openssl asn1parse -inform der -in "$ST/aik.crt" | grep -A1 '2.25.244239565040426788135877350745838582603' | tail -1)
check_contains "enrol: the AIK certificate carries SHA-256 of the EK certificate" "${EXT,,}" "0420$EKSHA"
check_contains "enrol: AIK certificate subject names the AIK" "$(openssl x509 -inform der -in "$ST/aik.crt" -noout -subject)" "$("$ATTEST" tpm name "$ST/aik.pub" | cut -c5-)"
check "enrol: enrolment recorded (in the store)" test "$(sqlite3 "$D/attestd.db" \
	"SELECT count(*) FROM tpm_enrolments WHERE provider = 'default'")" -ge 1

# ---- flow B, Secure Boot on -------------------------------------------
tpm_extend_log "$LOG_SB_ON" && ok "extended $(basename "$LOG_SB_ON") into swtpm's PCRs" || not_ok "extend"
check_eq "swtpm PCR 7 = the log's replayed PCR 7" \
	"$(tpm2_pcrread sha256:7 | awk '/7 :/ {print tolower($3)}')" \
	"0x$("$ATTEST" eventlog replay --json "$LOG_SB_ON" | jq -r '.sha256["7"]')"
TOK=$("$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG_SB_ON" --rp-data "relying-party-nonce" --claim env=prod 2>"$T_TMP/err")
check_eq "attest (SB on log): a JWT is printed ($(cat "$T_TMP/err"))" "$(tr -cd . <<<"$TOK" | wc -c)" 2
check_eq "attest: secureBootEnabled true (policy JmesPath over events)" "$(claim "$TOK" '."x-ms-policy".secureBootEnabled')" true
check_eq "attest: service's own secureBootEnabled agrees" "$(claim "$TOK" '."x-ms-policy".serviceSecureBoot')" true
check_eq "attest: aikValidated" "$(claim "$TOK" '."x-ms-policy".aikValidated')" true
check_eq "attest: tpmVersion" "$(claim "$TOK" '."x-ms-policy".tpmVersion')" 2
check_eq "attest: custom claim (issuer CustomClaim)" "$(claim "$TOK" '."x-ms-policy".env')" prod
check_eq "attest: pcrs claim holds the quoted PCR 7" "$(claim "$TOK" '."x-ms-policy".pcr7')" \
	"$("$ATTEST" eventlog replay --json "$LOG_SB_ON" | jq -r '.sha256["7"]')"
check_eq "attest: x-ms-attestation-type" "$(claim "$TOK" '."x-ms-attestation-type"')" tpm
check_eq "attest: rp_data echoed (base64url)" "$(claim "$TOK" .rp_data)" "$(printf relying-party-nonce | att_b64url)"
check_eq "attest: nonce = rp_data" "$(claim "$TOK" .nonce)" "$(printf relying-party-nonce | att_b64url)"
check_eq "attest: cnf carries the request key" "$(claim "$TOK" '.cnf.jwk.kty')" EC
check_eq "attest: x-ms-policy-hash" "$(claim "$TOK" '."x-ms-policy-hash"')" "$("$ATTEST" policy hash "$T_TMP/policy.txt")"
check_eq "attest: lifetime from report_validity_in_minutes" "$(claim "$TOK" '.exp - .iat')" 3600
check "attest: attest token verify accepts the token" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$TOK"
if command -v node >/dev/null && [ -d "$ATT_SRC_DIR/node_modules/jose" ]; then
	OUT=$(node "$ATT_SRC_DIR/tests/interop/jose_verify.mjs" "$BASE/certs" "$BASE" "$TOK")
	check_eq "attest: jose verifies the token (JWKS from /certs)" "$(jq -r .ok <<<"$OUT")" true
else
	echo "# skip: node/jose missing, jose check not run"
fi
T2=$("$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG_SB_ON" --aik-pub 2>"$T_TMP/err")
check_eq "attest with the enrolled AIK's bare aik_pub: aikValidated ($(cat "$T_TMP/err"))" "$(claim "$T2" '."x-ms-policy".aikValidated' 2>/dev/null)" true

# An ECC P-256 AIK through both flows.
TOK=$("$ATTEST" tpm enroll "${COMMON[@]}" --state "$T_TMP/ecc" --ecc >/dev/null 2>&1 &&
	"$ATTEST" tpm attest "${COMMON[@]}" --state "$T_TMP/ecc" --log "$LOG_SB_ON" 2>"$T_TMP/err")
check_eq "ECC P-256 AIK: enrol and attest ($(cat "$T_TMP/err"))" "$(claim "$TOK" '."x-ms-policy".secureBootEnabled' 2>/dev/null)" true

# ---- refusals -------------------------------------------------------
# expect_fail DESC NEEDLE CMD...: CMD fails and its stderr holds NEEDLE.
expect_fail() {
	local desc=$1 needle=$2 rc=0
	shift 2
	"$@" >/dev/null 2>"$T_TMP/err" || rc=$?
	if [ "$rc" = 0 ]; then not_ok "$desc: it succeeded"; return; fi
	check_contains "$desc" "$(cat "$T_TMP/err")" "$needle"
}

expect_fail "wrong challenge: refused, naming the challenge" \
	"InvalidParameter: service_context: the request's challenge does not match" \
	"$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG_SB_ON" --wrong-challenge

tpm_settings "$D" default --set context_ttl_seconds=1
expect_fail "expired service_context: refused" "service_context: service_context expired" \
	"$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG_SB_ON" --hold 3
tpm_settings "$D" default --unset context_ttl_seconds --unset require_bearer

"$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG_SB_ON" --save-request "$T_TMP/req.json" >/dev/null 2>&1 &&
	ok "replay: the original request succeeds" || not_ok "replay: the original request failed"
att_curl -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $READER" \
	--data @"$T_TMP/req.json" "$BASE/attest/Tpm?api-version=2022-08-01" >/dev/null
check_eq "replayed quote: HTTP 400" "$(att_status)" 400
check_contains "replayed quote: named as a replay" "$(jq -r .error.message "$T_TMP/body")" "already used (replayed request)"

# Tampered log: one SHA-256 digest of PCR 4's first boot application
# changed; the PCRs hold the genuine log.
EV=$("$ATTEST" eventlog show --json "$LOG_SB_ON" | jq -c '[.Events[] | select(.PcrIndex == 4 and .EventTypeString == "EV_EFI_BOOT_SERVICES_APPLICATION")][0]')
SEQ=$(jq -r .EventSeq <<<"$EV")
DIG=$(jq -r .Digests.SHA256 <<<"$EV")
OFF=$(LC_ALL=C grep -obUaP "$(sed 's/../\\x&/g' <<<"$DIG")" "$LOG_SB_ON" | cut -d: -f1)
check_eq "tampered log: the digest occurs once in the log" "$(wc -w <<<"$OFF" | tr -d ' ')" 1
cp "$LOG_SB_ON" "$T_TMP/tampered.bin"
B=$(od -An -tx1 -j "$OFF" -N1 "$LOG_SB_ON" | tr -d ' ')
printf "\\x$(printf %02x $((0x$B ^ 0xff)))" | dd of="$T_TMP/tampered.bin" bs=1 seek="$OFF" conv=notrunc 2>/dev/null
check_eq "tampered log: exactly one byte differs" "$(cmp -l "$LOG_SB_ON" "$T_TMP/tampered.bin" | wc -l | tr -d ' ')" 1
expect_fail "tampered log: refused" "event log does not match the quoted PCRs" \
	"$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$T_TMP/tampered.bin"
check_contains "tampered log: the error names the PCR" "$(cat "$T_TMP/err")" "PCR 4"
check_contains "tampered log: the error names the event" "$(cat "$T_TMP/err")" "first event that could explain it: $SEQ (EV_EFI_BOOT_SERVICES_APPLICATION)"

expect_fail "EK certificate from an untrusted CA: enrolment refused" \
	"ek_cert: EK certificate does not chain to a trusted root" \
	"$ATTEST" tpm enroll "${COMMON[@]}" --url "$BASE/untrusted" --state "$T_TMP/never"
check "the refused enrolment left an AIK that was never enrolled" test -s "$T_TMP/never/aik.pub" -a ! -e "$T_TMP/never/aik.crt"
expect_fail "AIK never enrolled (bare aik_pub): refused" "this AIK was never enrolled with provider default" \
	"$ATTEST" tpm attest "${COMMON[@]}" --state "$T_TMP/never" --aik-pub --log "$LOG_SB_ON"
expect_fail "AIK certificate of another provider's CA: refused" "AIK: AIK certificate" \
	"$ATTEST" tpm attest "${COMMON[@]}" --url "$BASE/untrusted" --state "$ST" --log "$LOG_SB_ON"

expect_fail "AIK without the restricted attribute: enrolment refused" \
	"aik_pub is not an acceptable AIK" \
	"$ATTEST" tpm enroll "${COMMON[@]}" --state "$T_TMP/unrestricted" --aik-unrestricted
check_contains "  ... naming the attribute" "$(cat "$T_TMP/err")" "restricted"

INIT='{"payload":{"type":"aikcert"}}'
tpm_post "$BASE" "$INIT" >/dev/null
check_eq "no bearer token: HTTP 401" "$(att_status)" 401
check_eq "no bearer token: Unauthorized" "$(jq -r .error.code "$T_TMP/body")" Unauthorized
expect_fail "no bearer token: the client reports 401" "HTTP 401: Unauthorized" \
	"$ATTEST" tpm attest --url "$BASE" --tcti "$TCTI" --ca "$CA" --state "$ST" --no-log
tpm_settings "$D" default --set require_bearer=false
tpm_post "$BASE" "$INIT" >/dev/null
check_eq "provider setting require_bearer=false: aikcert without a token" "$(att_status)" 200
tpm_settings "$D" default --unset context_ttl_seconds --unset require_bearer

tpm_post "$BASE/nopolicy" "$INIT" -H "Authorization: Bearer $READER" >/dev/null
check_eq "no Tpm policy: HTTP 400" "$(att_status)" 400
check_eq "no Tpm policy: MAA's code" "$(jq -r .error.code "$T_TMP/body")" "Bad request"
check_contains "no Tpm policy: clear message" "$(jq -r .error.message "$T_TMP/body")" "A TPM attestation policy has not been set"

tpm_post "$BASE" '{"payload":{"type":"bogus"}}' -H "Authorization: Bearer $READER" >/dev/null
check_eq "unknown message type: 400 InvalidParameter" "$(att_status) $(jq -r .error.code "$T_TMP/body")" "400 InvalidParameter"
att_curl -X POST -H "Authorization: Bearer $READER" --data '{"data":"!!"}' "$BASE/attest/Tpm" >/dev/null
check_eq "undecodable data: 400" "$(att_status)" 400

# ---- flow B, Secure Boot off ------------------------------------------
tpm_swtpm_reboot || not_ok "swtpm reboot"
tpm_extend_log "$LOG_SB_OFF" && ok "rebooted swtpm, extended $(basename "$LOG_SB_OFF")" || not_ok "extend"
TOK=$("$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG_SB_OFF" 2>"$T_TMP/err")
check_eq "attest (SB off log): secureBootEnabled false ($(cat "$T_TMP/err"))" "$(claim "$TOK" '."x-ms-policy".secureBootEnabled' 2>/dev/null)" false
check_eq "attest (SB off log): service's secureBootEnabled false" "$(claim "$TOK" '."x-ms-policy".serviceSecureBoot' 2>/dev/null)" false
check_eq "attest without rp_data: no rp_data claim" "$(claim "$TOK" '.rp_data // "absent"' 2>/dev/null)" absent
check "attest (SB off): the token verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$TOK"
expect_fail "the other log against these PCRs: refused" "event log does not match the quoted PCRs" \
	"$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG_SB_ON"

check "no secret or token in the service log" bash -c "! grep -q '$READER' '$D.log'"
att_done
