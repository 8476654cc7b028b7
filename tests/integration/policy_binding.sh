#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Binding claims of signed policy uploads (issue 9, item 4). Two isolated
# providers signed by the same registered certificate: "iso" (default:
# binding claims honoured when present) and "strict"
# (limits.policy_strict_binding: claims required, no rollback). Checked:
# a JWS bound to SgxEnclave is refused as the Tpm and the OpenEnclave
# policy; expired exp, future nbf/iat, a wrong iss or aud, a malformed iat
# are refused naming the claim; MAA-shaped (unbound) uploads keep working
# on iso, and a rollback to an older iat is accepted there; a signed reset
# bound to SgxEnclave replayed to TdxVm is refused. On strict: an unbound
# JWS is refused naming the missing claim (type, then iat, then iss/aud);
# the happy path works; an older iat is refused (also after a reset, and
# after a restart: the iat is in the store), the same iat only for the
# very same JWS; old signed resets cannot undo a newer policy; the CLI's
# --bind works and without it strict refuses. Other clients (/healthz)
# are served throughout.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v openssl >/dev/null || { echo "FAIL (cannot run): openssl missing"; echo "0 passed, 1 failed"; exit 77; }

D=$T_TMP/data
K=$T_TMP/keys
mkdir -p "$K"
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"
for n in s1 s2; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/$n.key" -out "$K/$n.pem" \
		-subj "/CN=binding signer $n" -days 30 2>/dev/null
done
check "provider add iso (isolated)" "$ATTESTD" provider add iso --data-dir "$D" --mode isolated --policy-signer "$K/s1.pem"
check "provider add strict (isolated)" "$ATTESTD" provider add strict --data-dir "$D" --mode isolated --policy-signer "$K/s1.pem"
printf '{"providers": {"strict": {"limits": {"policy_strict_binding": true}}}}\n' >"$T_TMP/cfg.json"
att_start "$D" "$PORT" --config "$T_TMP/cfg.json" || { not_ok "restart with config"; att_done; }

CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)
READER=$("$ATTEST" dev-token --data-dir "$D" --role reader)
AV="api-version=2020-10-01"
ISO=$BASE/iso
STRICT=$BASE/strict
NOW=$(date +%s)

b64d() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf %s "$s" | base64 -d 2>/dev/null
}
claims() { jq -r .token "$T_TMP/body" | cut -d. -f2 | b64d; }
x5c_of() { openssl x509 -in "$1" -outform DER | base64 -w0; }
HDR1=$(printf '{"alg":"RS256","x5c":["%s"]}' "$(x5c_of "$K/s1.pem")" | att_b64url)
# sign1 JSON: a compact JWS of payload JSON signed by s1 (registered).
sign1() {
	local p
	p=$(printf %s "$1" | att_b64url)
	printf '%s.%s.%s' "$HDR1" "$p" "$(printf %s "$HDR1.$p" | openssl dgst -sha256 -sign "$K/s1.key" -binary | att_b64url)"
}
printf 'version=1.0;\nauthorizationrules { => permit(); };\nissuancerules { => issue(type="binding", value="one"); };\n' >"$T_TMP/p1.txt"
printf 'version=1.0;\nauthorizationrules { => permit(); };\nissuancerules { => issue(type="binding", value="two"); };\n' >"$T_TMP/p2.txt"
P1=$(att_b64url <"$T_TMP/p1.txt")
P2=$(att_b64url <"$T_TMP/p2.txt")
# pol TEXT_B64 EXTRA_MEMBERS: a policy payload with extra JSON members.
pol() { printf '{"AttestationPolicy":"%s"%s}' "$1" "${2:+,$2}"; }
put() {
	att_curl -X PUT -H "Authorization: Bearer $CONTRIB" -H "Content-Type: text/plain" \
		--data-binary "$3" "$1/policies/$2?$AV" >/dev/null
}
reset() {
	att_curl -X POST -H "Authorization: Bearer $CONTRIB" -H "Content-Type: text/plain" \
		--data-binary "$3" "$1/policies/$2:reset?$AV" >/dev/null
}
get_policy_jws() {
	att_curl -H "Authorization: Bearer $READER" "$1/policies/$2?$AV" >/dev/null
	claims | jq -r '."x-ms-policy"'
}
err_code() { jq -r '.error.code // "none"' "$T_TMP/body"; }
err_msg() { jq -r '.error.message // ""' "$T_TMP/body"; }
healthy() { curl -sf --max-time 2 --cacert "$CA" "$BASE/healthz" >/dev/null; }
CLI="--ca $CA --dev-token-dir $D"
SIGN="--sign-key $K/s1.key --sign-cert $K/s1.pem"

# ---- iso (default): binding claims honoured when present ----
SGX=$(sign1 "$(pol "$P1" "\"x-attestd-attestation-type\":\"SgxEnclave\",\"iss\":\"$ISO\",\"iat\":$((NOW - 60))")")
put "$ISO" Tpm "$SGX"
check_eq "iso: JWS bound to SgxEnclave refused as the Tpm policy" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: message names both types and the claim" "$(err_msg)" \
	"signed policy is for attestation type SgxEnclave, not Tpm (claim x-attestd-attestation-type)"
att_curl -H "Authorization: Bearer $READER" "$ISO/policies/Tpm?$AV" >/dev/null
# No policy: 200 with MAA's empty unsigned JWS (issue 12, real-outputs/
# py-getpolicy-tpm-2022-0-c6902a871570.json; it was 400).
check_eq "iso: Tpm still has no policy" "$(att_status) $("$ATTEST" token decode "$(jq -r .token "$T_TMP/body")" 2>/dev/null | jq -r '.claims."x-ms-policy"')" "200 eyJhbGciOiJub25lIn0.."
put "$ISO" OpenEnclave "$SGX"
check_eq "iso: ... and refused as the OpenEnclave policy" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: OpenEnclave message" "$(err_msg)" "is for attestation type SgxEnclave, not OpenEnclave"
put "$ISO" SgxEnclave "$SGX"
check_eq "iso: ... and accepted as the SgxEnclave policy" "$(att_status)" 200
check_eq "iso: GET returns it" "$(get_policy_jws "$ISO" SgxEnclave)" "$SGX"
LOWER=$(sign1 "$(pol "$P1" '"x-attestd-attestation-type":"sgxenclave"')")
put "$ISO" SgxEnclave "$LOWER"
check_eq "iso: type claim is case-insensitive (sgxenclave)" "$(att_status)" 200
check "iso: refusals leave other clients served (/healthz)" healthy

put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" "\"exp\":$((NOW - 3600))")")"
check_eq "iso: expired exp refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: message says expired and names exp" "$(err_msg)" "expired at"
check_contains "iso: ... (claim exp)" "$(err_msg)" "(claim exp)"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" "\"exp\":$((NOW + 3600))")")"
check_eq "iso: exp in the future accepted" "$(att_status)" 200
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" "\"nbf\":$((NOW + 3600))")")"
check_eq "iso: nbf in the future refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: message names nbf" "$(err_msg)" "(claim nbf)"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" "\"iat\":$((NOW + 3600))")")"
check_eq "iso: iat in the future (beyond the skew) refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: message names iat" "$(err_msg)" "issued in the future"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" '"iat":"yesterday"')")"
check_eq "iso: iat that is not a NumericDate refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: message names the claim" "$(err_msg)" "binding claim iat is not a NumericDate"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" '"iat":-9223372036854775808')")"
check_eq "iso: iat = INT64_MIN refused" "$(att_status) $(err_code)" "400 InvalidParameter"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" '"iss":"https://evil.example"')")"
check_eq "iso: wrong iss refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: message names the wrong and the right issuer" "$(err_msg)" \
	"names issuer https://evil.example, not this provider's $ISO (claim iss)"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" "\"iss\":\"$BASE/strict\"")")"
check_eq "iso: iss of another provider on the same server refused" "$(att_status) $(err_code)" "400 InvalidParameter"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" '"aud":["https://evil.example"]')")"
check_eq "iso: aud not naming the provider refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: message names aud" "$(err_msg)" "its aud does not name $ISO"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1" "\"aud\":[\"https://other.example\",\"$ISO/\"]")")"
check_eq "iso: aud array naming the provider (trailing slash) accepted" "$(att_status)" 200

# MAA-shaped uploads (no binding claims) keep working; rollback allowed.
NEW=$(sign1 "$(pol "$P2" "\"x-attestd-attestation-type\":\"SgxEnclave\",\"iat\":$((NOW - 10))")")
OLD=$(sign1 "$(pol "$P1" "\"x-attestd-attestation-type\":\"SgxEnclave\",\"iat\":$((NOW - 1000))")")
put "$ISO" SgxEnclave "$NEW"
check_eq "iso: newer bound policy accepted" "$(att_status)" 200
put "$ISO" SgxEnclave "$OLD"
check_eq "iso: rollback to an older iat accepted when strict binding is off" "$(att_status)" 200
check_eq "iso: ... and it is the stored policy" "$(get_policy_jws "$ISO" SgxEnclave)" "$OLD"
put "$ISO" SgxEnclave "$(sign1 "$(pol "$P1")")"
check_eq "iso: unbound MAA-shaped signed policy accepted" "$(att_status)" 200
OUT=$("$ATTEST" policy set --url "$ISO" --type SgxEnclave "$T_TMP/p1.txt" $CLI $SIGN 2>&1)
check_contains "iso: CLI set without --bind still works" "$OUT" "Updated"

# Signed resets: bound to a type, they cannot be replayed to another.
RSGX=$(sign1 "{\"x-attestd-attestation-type\":\"SgxEnclave\",\"iss\":\"$ISO\",\"iat\":$((NOW - 5))}")
TDX=$(sign1 "$(pol "$P1" '"x-attestd-attestation-type":"TdxVm"')")
put "$ISO" TdxVm "$TDX"
check_eq "iso: TdxVm policy set" "$(att_status)" 200
reset "$ISO" TdxVm "$RSGX"
check_eq "iso: signed SgxEnclave reset replayed to TdxVm refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "iso: message names both types" "$(err_msg)" "signed reset is for attestation type SgxEnclave, not TdxVm"
check_eq "iso: the TdxVm policy is still stored" "$(get_policy_jws "$ISO" TdxVm)" "$TDX"
reset "$ISO" SgxEnclave "$RSGX"
check_eq "iso: the same reset for SgxEnclave accepted" "$(att_status) $(claims | jq -r '."x-ms-policy-result"')" "200 Removed"
reset "$ISO" SgxEnclave "$(sign1 '{"x-attestd-attestation-type":"SgxEnclave","note":"x"}')"
check_eq "iso: reset payload with a non-binding member refused" "$(att_status) $(err_code)" "400 InvalidOperation"
check_contains "iso: message names the member" "$(err_msg)" '"note"'
# An aad provider honours binding claims too (unsigned upload).
put "$BASE" Tpm "eyJhbGciOiJub25lIn0.$(pol "$P1" '"x-attestd-attestation-type":"SgxEnclave"' | att_b64url)."
check_eq "aad: an unsigned JWS bound to SgxEnclave refused as Tpm" "$(att_status) $(err_code)" "400 InvalidParameter"

# ---- strict: claims required, no rollback ----
put "$STRICT" SgxEnclave "$(sign1 "$(pol "$P1")")"
check_eq "strict: unbound (MAA-shaped) signed JWS refused" "$(att_status) $(err_code)" "400 InvalidOperation"
check_contains "strict: message names the missing claim and the setting" "$(err_msg)" \
	"has no x-attestd-attestation-type claim; this provider requires binding claims (limits.policy_strict_binding"
put "$STRICT" SgxEnclave "$(sign1 "$(pol "$P1" '"x-attestd-attestation-type":"SgxEnclave"')")"
check_contains "strict: type alone: message names iat" "$(err_msg)" "has no iat claim"
put "$STRICT" SgxEnclave "$(sign1 "$(pol "$P1" "\"x-attestd-attestation-type\":\"SgxEnclave\",\"iat\":$NOW")")"
check_contains "strict: type and iat: message names iss (or aud)" "$(err_msg)" "has no iss (or aud) claim"
check_eq "strict: ... still 400" "$(att_status)" 400
S1=$(sign1 "$(pol "$P1" "\"x-attestd-attestation-type\":\"SgxEnclave\",\"iss\":\"$STRICT\",\"iat\":$((NOW - 500))")")
S2=$(sign1 "$(pol "$P2" "\"x-attestd-attestation-type\":\"SgxEnclave\",\"aud\":\"$STRICT\",\"iat\":$((NOW - 400))")")
S2B=$(sign1 "$(pol "$P1" "\"x-attestd-attestation-type\":\"SgxEnclave\",\"iss\":\"$STRICT\",\"iat\":$((NOW - 400))")")
put "$STRICT" SgxEnclave "$S1"
check_eq "strict: bound policy (type, iss, iat) accepted" "$(att_status)" 200
check_eq "strict: GET returns it" "$(get_policy_jws "$STRICT" SgxEnclave)" "$S1"
put "$STRICT" SgxEnclave "$S2"
check_eq "strict: newer iat (aud instead of iss) accepted" "$(att_status)" 200
put "$STRICT" SgxEnclave "$S1"
check_eq "strict: rollback to the older iat refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "strict: message says rollback and older" "$(err_msg)" "rollback refused: the upload's iat"
check_contains "strict: ... older than the current one" "$(err_msg)" "older than the current SgxEnclave policy's iat"
check_eq "strict: the newer policy stays" "$(get_policy_jws "$STRICT" SgxEnclave)" "$S2"
put "$STRICT" SgxEnclave "$S2"
check_eq "strict: re-sending the current JWS (same iat) accepted" "$(att_status)" 200
put "$STRICT" SgxEnclave "$S2B"
check_eq "strict: another JWS with the same iat refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "strict: message says the same iat" "$(err_msg)" "is the same as the current"
check "strict: other clients served meanwhile (/healthz)" healthy

# Signed resets on strict: an old one cannot undo a newer policy; after a
# newer reset, older policies cannot come back.
ROLD=$(sign1 "{\"x-attestd-attestation-type\":\"SgxEnclave\",\"iss\":\"$STRICT\",\"iat\":$((NOW - 450))}")
RNEW=$(sign1 "{\"x-attestd-attestation-type\":\"SgxEnclave\",\"iss\":\"$STRICT\",\"iat\":$((NOW - 300))}")
reset "$STRICT" SgxEnclave "$ROLD"
check_eq "strict: an older signed reset refused" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "strict: reset rollback message" "$(err_msg)" "rollback refused"
reset "$STRICT" SgxEnclave "$(sign1 '{}')"
check_eq "strict: unbound signed reset refused" "$(att_status) $(err_code)" "400 InvalidOperation"
check_contains "strict: unbound reset message names the claim" "$(err_msg)" "signed reset has no x-attestd-attestation-type claim"
RTDX=$(sign1 "{\"x-attestd-attestation-type\":\"TdxVm\",\"iss\":\"$STRICT\",\"iat\":$((NOW - 300))}")
reset "$STRICT" SgxEnclave "$RTDX"
check_eq "strict: a TdxVm reset refused for SgxEnclave" "$(att_status) $(err_code)" "400 InvalidParameter"
reset "$STRICT" SgxEnclave "$RNEW"
check_eq "strict: the newer signed reset accepted" "$(att_status) $(claims | jq -r '."x-ms-policy-result"')" "200 Removed"
put "$STRICT" SgxEnclave "$S2"
check_eq "strict: after the reset, the older policy cannot be replayed" "$(att_status) $(err_code)" "400 InvalidParameter"
check_contains "strict: ... rollback refused" "$(err_msg)" "rollback refused"

# The binding iat is stored: a restart does not forget it.
att_stop || not_ok "stop before restart"
att_start "$D" "$PORT" --config "$T_TMP/cfg.json" || { not_ok "restart"; att_done; }
CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)
READER=$("$ATTEST" dev-token --data-dir "$D" --role reader)
put "$STRICT" SgxEnclave "$S2"
check_eq "strict: after a restart the replay is still refused" "$(att_status) $(err_code)" "400 InvalidParameter"
S3=$(sign1 "$(pol "$P2" "\"x-attestd-attestation-type\":\"SgxEnclave\",\"iss\":\"$STRICT\",\"iat\":$((NOW - 200)),\"exp\":$((NOW + 600))")")
put "$STRICT" SgxEnclave "$S3"
check_eq "strict: a newer bound policy with exp accepted" "$(att_status)" 200

# The CLI: --bind adds type, iss and iat (now); without it strict refuses.
OUT=$("$ATTEST" policy set --url "$STRICT" --type SgxEnclave "$T_TMP/p1.txt" $CLI $SIGN 2>&1)
check_contains "strict: CLI set without --bind refused" "$OUT" "has no x-attestd-attestation-type claim"
OUT=$("$ATTEST" policy set --url "$STRICT" --type SgxEnclave "$T_TMP/p1.txt" $CLI $SIGN --bind-ttl 600 2>&1)
check_contains "strict: CLI set --bind-ttl accepted" "$OUT" "Updated"
PAY=$(get_policy_jws "$STRICT" SgxEnclave | cut -d. -f2 | b64d)
check_eq "strict: CLI payload carries type and iss" "$(jq -r '"\(."x-attestd-attestation-type") \(.iss)"' <<<"$PAY")" "SgxEnclave $STRICT"
check_eq "strict: CLI exp = iat + 600" "$(jq -r '.exp - .iat' <<<"$PAY")" 600
OUT=$("$ATTEST" policy set --url "$STRICT" --type Tpm "$T_TMP/p1.txt" $CLI $SIGN --bind 2>&1)
check_contains "strict: CLI --bind for Tpm accepted" "$OUT" "Updated"
sleep 1.1 # the reset's iat (now) must be later than the set's
OUT=$("$ATTEST" policy reset --url "$STRICT" --type Tpm $CLI $SIGN --bind 2>&1)
check_contains "strict: CLI reset --bind accepted" "$OUT" "Removed"
check_fails "CLI: --bind-ttl 0 is a usage error" "$ATTEST" policy set --url "$STRICT" --type Tpm "$T_TMP/p1.txt" $CLI $SIGN --bind-ttl 0
check "other clients served at the end (/healthz)" healthy
att_stop || not_ok "attestd exits cleanly"
att_done
