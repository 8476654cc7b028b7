#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Policy management (issue 5): PUT /policies/{type}, POST :reset,
# GET /certificates, POST /certificates:add|remove and the audit log.
# aad provider: unsigned set/get/reset round trip with identical text, the
# token hash is b64url(sha256(body)), PolicyParsingError with line and
# column, reader can't write, a signed policy is accepted with its signer
# reported (also with the "RSA256" alias and a jwk.x5c header), bad
# signatures and malformed uploads refused, Tpm reset back to no policy.
# Isolated provider: unsigned refused, signed by a registered certificate
# accepted (x-ms-policy-signer), by an unregistered one refused;
# certificates add (signed by an existing one), list, remove, the last one
# cannot be removed. `attestd audit` lists every change. Uploads are made
# by hand (openssl) and by the attest CLI; response tokens are verified.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v openssl >/dev/null || { echo "FAIL (cannot run): openssl missing"; echo "0 passed, 1 failed"; exit 77; }

D=$T_TMP/data
K=$T_TMP/keys
mkdir -p "$K"
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"
for n in s1 s2 s3; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/$n.key" -out "$K/$n.pem" \
		-subj "/CN=policy signer $n" -days 30 2>/dev/null
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$K/e1.key" \
	-out "$K/e1.pem" -subj "/CN=policy signer e1" -days 30 2>/dev/null
check "provider add iso (isolated, signer s1)" "$ATTESTD" provider add iso --data-dir "$D" \
	--mode isolated --policy-signer "$K/s1.pem"
check "provider add cachep (aad, for the attestation checks)" "$ATTESTD" provider add cachep --data-dir "$D"
att_start "$D" "$PORT" || { not_ok "restart"; att_done; }

CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)
READER=$("$ATTEST" dev-token --data-dir "$D" --role reader)
AV="api-version=2020-10-01"

b64d() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf %s "$s" | base64 -d 2>/dev/null
}
# claims: the (decoded) payload of the response body's token.
claims() { jq -r .token "$T_TMP/body" | cut -d. -f2 | b64d; }
sha256_b64url() { openssl dgst -sha256 -binary | att_b64url; }
x5c_of() { openssl x509 -in "$1" -outform DER | base64 -w0; }
thumb_of() { openssl x509 -in "$1" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :; }
# policy_payload FILE: {"AttestationPolicy": b64url(text)} as b64url.
policy_payload() { printf '{"AttestationPolicy":"%s"}' "$(att_b64url <"$1")" | att_b64url; }
unsigned_jws() { printf 'eyJhbGciOiJub25lIn0.%s.' "$1"; }
# signed_jws HEADER_JSON PAYLOAD_B64URL KEY: RS256-style signature by openssl.
signed_jws() {
	local h
	h=$(printf %s "$1" | att_b64url)
	printf '%s.%s.%s' "$h" "$2" "$(printf %s "$h.$2" | openssl dgst -sha256 -sign "$3" -binary | att_b64url)"
}
# put URL_BASE TYPE BODY [TOKEN]
put() {
	att_curl -X PUT -H "Authorization: Bearer ${4:-$CONTRIB}" -H "Content-Type: text/plain" \
		--data-binary "$3" "$1/policies/$2?$AV" >/dev/null
}
reset() {
	att_curl -X POST -H "Authorization: Bearer ${4:-$CONTRIB}" -H "Content-Type: text/plain" \
		--data-binary "$3" "$1/policies/$2:reset?$AV" >/dev/null
}
get_policy_jws() {
	att_curl -H "Authorization: Bearer $READER" "$1/policies/$2?$AV" >/dev/null
	claims | jq -r '."x-ms-policy"'
}
err_code() { jq -r '.error.code // "none"' "$T_TMP/body"; }
err_msg() { jq -r '.error.message // ""' "$T_TMP/body"; }
tok_verifies() { jq -r .token "$T_TMP/body" >"$T_TMP/tok"; "$ATTEST" token verify --issuer "$1" --ca "$CA" "@$T_TMP/tok" >/dev/null 2>&1; }
CLI="--ca $CA --dev-token-dir $D"

# ---- aad provider (default): unsigned round trip ----
printf 'version=1.0;\nauthorizationrules {\n  c:[type=="x-ms-sgx-is-debuggable", value==false] => permit();\n};\nissuancerules {\n  => issue(type="note", value="polmgmt test");\n};\n' >"$T_TMP/p1.txt"
BODY=$(unsigned_jws "$(policy_payload "$T_TMP/p1.txt")")
put "$BASE" SgxEnclave "$BODY"
check_eq "aad: unsigned PUT is 200" "$(att_status)" 200
check_eq "aad: result Updated" "$(claims | jq -r '."x-ms-policy-result"')" Updated
check_eq "aad: x-ms-policy-token-hash = b64url(sha256(body))" \
	"$(claims | jq -r '."x-ms-policy-token-hash"')" "$(printf %s "$BODY" | sha256_b64url)"
check_eq "aad: unsigned upload reports no signer" "$(claims | jq -r '."x-ms-policy-signer" // "none"')" none
check_eq "aad: PolicyResult has exp/iat/iss/nbf" "$(claims | jq -r '[.exp,.iat,.nbf|type] + [.iss] | join(",")')" "number,number,number,$BASE"
check "aad: PUT response token verifies (provider's /certs, issuer)" tok_verifies "$BASE"
check_eq "aad: GET returns the exact JWS that was PUT" "$(get_policy_jws "$BASE" SgxEnclave)" "$BODY"
"$ATTEST" policy get --url "$BASE" --type SgxEnclave $CLI >"$T_TMP/got.txt" 2>/dev/null
check "aad: policy get prints the identical text" cmp -s "$T_TMP/got.txt" "$T_TMP/p1.txt"
# A trailing newline after the JWS (curl -d @file) is not part of the JWS.
put "$BASE" SgxEnclave "$BODY
"
check_eq "aad: trailing newline tolerated, hash of the JWS itself" \
	"$(claims | jq -r '."x-ms-policy-token-hash"')" "$(printf %s "$BODY" | sha256_b64url)"
# Type case-insensitive, stored under MAA's spelling.
put "$BASE" sgxenclave "$BODY"
check_eq "aad: lower-case type accepted" "$(att_status)" 200

# ---- errors ----
printf 'version=1.0;\nauthorizationrules { => permit() };\n' >"$T_TMP/bad.txt"
put "$BASE" SgxEnclave "$(unsigned_jws "$(policy_payload "$T_TMP/bad.txt")")"
check_eq "syntax error: 400" "$(att_status)" 400
check_eq "syntax error: PolicyParsingError" "$(err_code)" PolicyParsingError
LC=$("$ATTEST" policy check "$T_TMP/bad.txt" 2>&1 | sed -n 's/^[^:]*:\([0-9]*\):\([0-9]*\):.*/line \1, column \2/p')
check_eq "syntax error: the compiler's position is line 2, column 34" "$LC" "line 2, column 34"
check_contains "syntax error: message has line and column" "$(err_msg)" "line 2, column 34"
check_eq "syntax error: stored policy unchanged" "$(get_policy_jws "$BASE" SgxEnclave)" "$BODY"
# A valid token without the role is 401 Unauthorized, as on MAA (its troubleshooting
# guide, "HTTP-401: Unauthorized exception"; issue 12 changed it from 403).
put "$BASE" SgxEnclave "$BODY" "$READER"
check_eq "reader can't write: 401" "$(att_status)" 401
check_eq "reader can't write: Unauthorized" "$(err_code)" Unauthorized
check_contains "reader can't write: message names the missing role" "$(err_msg)" "Attestation.Contributor"
att_curl -X PUT --data-binary "$BODY" "$BASE/policies/SgxEnclave?$AV" >/dev/null
check_eq "no bearer: 401" "$(att_status)" 401
reset "$BASE" SgxEnclave "eyJhbGciOiJub25lIn0.." "$READER"
check_eq "reader can't reset: 401 (MAA's status for a missing role)" "$(att_status)" 401
put "$BASE" SgxEnclave "not-a-jws"
check_eq "malformed JWS: InvalidOperation" "$(att_status) $(err_code)" "400 InvalidOperation"
put "$BASE" SgxEnclave ""
check_eq "empty body: InvalidOperation" "$(att_status) $(err_code)" "400 InvalidOperation"
put "$BASE" SgxEnclave "$(unsigned_jws "$(printf '{"AttestationPolicy":"version=1.0; authorizationrules{=>permit();};"}' | att_b64url)")"
check_eq "policy text not base64url: InvalidOperation" "$(att_status) $(err_code)" "400 InvalidOperation"
put "$BASE" SgxEnclave "$(unsigned_jws "$(printf '{"text":"x"}' | att_b64url)")"
check_eq "payload without AttestationPolicy: InvalidOperation" "$(att_status) $(err_code)" "400 InvalidOperation"
put "$BASE" NoSuchType "$BODY"
check_eq "unknown type: InvalidParameter" "$(att_status) $(err_code)" "400 InvalidParameter"
att_curl -X PUT -H "Authorization: Bearer $CONTRIB" --data-binary "$BODY" "$BASE/policies/SgxEnclave?api-version=1999-01-01" >/dev/null
check_eq "unknown api-version: 400" "$(att_status)" 400
check_eq "errors left the policy alone" "$(get_policy_jws "$BASE" SgxEnclave)" "$BODY"

# ---- aad: signed uploads ----
P1=$(policy_payload "$T_TMP/p1.txt")
S2=$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s2.pem")\"]}" "$P1" "$K/s2.key")
put "$BASE" SgxEnclave "$S2"
check_eq "aad: signed PUT accepted" "$(att_status)" 200
check_eq "aad: signer reported (x5c[0] = the signing certificate)" \
	"$(claims | jq -r '."x-ms-policy-signer".x5c[0]')" "$(x5c_of "$K/s2.pem")"
check_eq "aad: signer JWK alg/kty/use" "$(claims | jq -r '."x-ms-policy-signer" | "\(.alg) \(.kty) \(.use)"')" "RS256 RSA sig"
check_eq "aad: signed token hash" "$(claims | jq -r '."x-ms-policy-token-hash"')" "$(printf %s "$S2" | sha256_b64url)"
check_eq "aad: GET returns the signed JWS as sent" "$(get_policy_jws "$BASE" SgxEnclave)" "$S2"
ALIAS=$(signed_jws "{\"alg\":\"RSA256\",\"x5c\":[\"$(x5c_of "$K/s2.pem")\"]}" "$P1" "$K/s2.key")
put "$BASE" SgxEnclave "$ALIAS"
check_eq "aad: alg RSA256 alias accepted" "$(att_status)" 200
check_eq "aad: RSA256 signer reported as RS256" "$(claims | jq -r '."x-ms-policy-signer".alg')" RS256
JWKH=$(signed_jws "{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\",\"x5c\":[\"$(x5c_of "$K/s3.pem")\"]}}" "$P1" "$K/s3.key")
put "$BASE" SgxEnclave "$JWKH"
check_eq "aad: header jwk.x5c (Python SDK form) accepted" "$(att_status)" 200
check_eq "aad: jwk.x5c signer reported" "$(claims | jq -r '."x-ms-policy-signer".x5c[0]')" "$(x5c_of "$K/s3.pem")"
# Signed by s2's key but carrying s3's certificate: the signature must fail.
WRONG=$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s3.pem")\"]}" "$P1" "$K/s2.key")
put "$BASE" SgxEnclave "$WRONG"
check_eq "aad: signature not matching the header cert refused" "$(att_status) $(err_code)" "400 InvalidOperation"
TAMPER="$(cut -d. -f1 <<<"$S2").$(policy_payload "$T_TMP/bad.txt").$(cut -d. -f3 <<<"$S2")"
put "$BASE" SgxEnclave "$TAMPER"
check_eq "aad: tampered payload refused" "$(att_status) $(err_code)" "400 InvalidOperation"
NOCERT=$(signed_jws '{"alg":"RS256"}' "$P1" "$K/s2.key")
put "$BASE" SgxEnclave "$NOCERT"
check_eq "aad: signed without x5c refused" "$(att_status) $(err_code)" "400 InvalidOperation"
HS=$(printf '{"alg":"HS256","x5c":["%s"]}' "$(x5c_of "$K/s2.pem")" | att_b64url)
HSS=$(printf %s "$HS.$P1" | openssl dgst -sha256 -mac HMAC -macopt "key:$(cat "$K/s2.pem")" -binary | att_b64url)
put "$BASE" SgxEnclave "$HS.$P1.$HSS"
check_eq "aad: HS256 keyed with the certificate refused" "$(att_status) $(err_code)" "400 InvalidOperation"
check_eq "refused uploads left the last good policy" "$(get_policy_jws "$BASE" SgxEnclave)" "$JWKH"
OUT=$("$ATTEST" policy set --url "$BASE" --type SgxEnclave "$T_TMP/p1.txt" $CLI --sign-key "$K/e1.key" --sign-cert "$K/e1.pem" 2>&1)
check_contains "CLI: EC-signed set (ES256) verified and reports the signer" "$OUT" "x-ms-policy-signer: $(thumb_of "$K/e1.pem")"
check_fails "CLI: key not matching the certificate refused locally" "$ATTEST" policy set --url "$BASE" \
	--type SgxEnclave "$T_TMP/p1.txt" $CLI --sign-key "$K/s1.key" --sign-cert "$K/s2.pem"

# ---- reset ----
reset "$BASE" SgxEnclave "eyJhbGciOiJub25lIn0.."
check_eq "aad: unsigned reset 200" "$(att_status)" 200
check_eq "aad: reset result Removed" "$(claims | jq -r '."x-ms-policy-result"')" Removed
check_eq "aad: reset has no token hash" "$(claims | jq -r '."x-ms-policy-token-hash" // "none"')" none
DEF=$(get_policy_jws "$BASE" SgxEnclave)
check "aad: after reset GET answers the default (unsigned, not ours)" test "$DEF" != "$BODY" -a "${DEF%%.*}" = eyJhbGciOiJub25lIn0
reset "$BASE" SgxEnclave "eyJhbGciOiJub25lIn0.."
check_eq "aad: reset of the default is still Removed" "$(att_status) $(claims | jq -r '."x-ms-policy-result"')" "200 Removed"
reset "$BASE" SgxEnclave "eyJhbGciOiJub25lIn0.$(printf '{"a":1}' | att_b64url)."
check_eq "reset with a payload refused" "$(att_status) $(err_code)" "400 InvalidOperation"
# Tpm: no default; set, then reset back to no policy.
att_curl -H "Authorization: Bearer $READER" "$BASE/policies/Tpm?$AV" >/dev/null
# MAA answers 200 with the empty unsigned JWS when no policy is set (issue 12,
# real-outputs/py-getpolicy-tpm-2022-0-c6902a871570.json; it was 400).
check_eq "Tpm: no policy before any set (200, empty JWS)" "$(att_status) $(claims | jq -r '."x-ms-policy"')" "200 eyJhbGciOiJub25lIn0.."
printf 'version=1.2;\nauthorizationrules { => permit(); };\n' >"$T_TMP/tpm.txt"
OUT=$("$ATTEST" policy set --url "$BASE" --type Tpm "$T_TMP/tpm.txt" $CLI 2>&1)
check_contains "CLI: Tpm policy set (hash verified by the CLI)" "$OUT" "Updated"
"$ATTEST" policy get --url "$BASE" --type Tpm $CLI >"$T_TMP/got.txt" 2>/dev/null
check "Tpm: GET returns the identical text" cmp -s "$T_TMP/got.txt" "$T_TMP/tpm.txt"
check "CLI: Tpm policy reset" "$ATTEST" policy reset --url "$BASE" --type Tpm $CLI
att_curl -H "Authorization: Bearer $READER" "$BASE/policies/Tpm?$AV" >/dev/null
check_eq "Tpm: after reset back to no policy (200, empty JWS)" "$(att_status) $(claims | jq -r '."x-ms-policy"')" "200 eyJhbGciOiJub25lIn0.."

# ---- a change is used by the very next attestation (policy cache) ----
CP_URL=$BASE/cachep
# The SGX simulator of a dev data dir is set up by the first attestation
# request; an empty one is enough.
[ -d "$D/sim" ] || att_curl -X POST -H "Content-Type: application/json" -d '{"quote":"AAAA"}' \
	"$CP_URL/attest/SgxEnclave?$AV" >/dev/null
# attest_sgx: one simulated-quote attestation against cachep; body in $T_TMP/body.
attest_sgx() {
	"$ATTEST" sgx --url "$CP_URL" --sim "$D/sim" --request-only >"$T_TMP/sgxreq.json" 2>/dev/null &&
		att_curl -X POST -H "Content-Type: application/json" --data-binary "@$T_TMP/sgxreq.json" \
			"$CP_URL/attest/SgxEnclave?$AV" >/dev/null
}
if "$ATTEST" --help 2>/dev/null | grep -q "^  sgx " && [ -d "$D/sim" ]; then
	attest_sgx
	check_eq "cache: attestation under the default policy" "$(att_status)" 200
	DEF_HASH=$(claims | jq -r '."x-ms-policy-hash"')
	printf 'version=1.0;\nauthorizationrules { => deny(); };\n' >"$T_TMP/deny.txt"
	check "cache: PUT a denying policy" "$ATTEST" policy set --url "$CP_URL" --type SgxEnclave "$T_TMP/deny.txt" $CLI
	attest_sgx
	check_eq "cache: the very next attestation is denied" "$(att_status) $(err_code)" "400 PolicyEvaluationError"
	printf 'version=1.0;\nauthorizationrules { => permit(); };\nissuancerules { => issue(type="gen", value="two"); };\n' >"$T_TMP/gen2.txt"
	check "cache: PUT a permitting policy" "$ATTEST" policy set --url "$CP_URL" --type SgxEnclave "$T_TMP/gen2.txt" $CLI
	attest_sgx
	check_eq "cache: the next attestation is permitted" "$(att_status)" 200
	check_eq "cache: and carries the new policy's claim" "$(claims | jq -r '.gen // ."x-ms-policy".gen')" two
	check_eq "cache: x-ms-policy-hash is the new policy's" "$(claims | jq -r '."x-ms-policy-hash"')" \
		"$("$ATTEST" policy hash "$T_TMP/gen2.txt")"
	check "cache: PUT the same text signed (aad)" "$ATTEST" policy set --url "$CP_URL" --type SgxEnclave \
		"$T_TMP/gen2.txt" $CLI --sign-key "$K/s2.key" --sign-cert "$K/s2.pem"
	attest_sgx
	check_eq "cache: attestation token carries x-ms-policy-signer" \
		"$(claims | jq -r '."x-ms-policy-signer".x5c[0]')" "$(x5c_of "$K/s2.pem")"
	check "cache: reset" "$ATTEST" policy reset --url "$CP_URL" --type SgxEnclave $CLI
	attest_sgx
	check_eq "cache: after reset the default policy is used again" "$(att_status) $(claims | jq -r '."x-ms-policy-hash"')" "200 $DEF_HASH"
	check_eq "cache: and no signer any more" "$(claims | jq -r '."x-ms-policy-signer" // "none"')" none
else
	not_ok "cache: attestation endpoints or 'attest sgx --sim' not available"
fi

# ---- certificates on an aad provider ----
att_curl -H "Authorization: Bearer $READER" "$BASE/certificates?$AV" >/dev/null
check_eq "aad: GET /certificates 200" "$(att_status)" 200
check_eq "aad: empty certificate set" "$(claims | jq -c '."x-ms-policy-certificates"')" '{"keys":[]}'
check_fails "aad: certs add refused (no certificate to sign with)" "$ATTEST" certs add --url "$BASE" "$K/s2.pem" \
	$CLI --sign-key "$K/s2.key" --sign-cert "$K/s2.pem"

# ---- isolated provider ----
ISO=$BASE/iso
PI=$(policy_payload "$T_TMP/p1.txt")
put "$ISO" SgxEnclave "$(unsigned_jws "$PI")"
check_eq "isolated: unsigned PUT refused" "$(att_status) $(err_code)" "400 InvalidOperation"
check_contains "isolated: message says it must be signed" "$(err_msg)" "must be signed"
IS1=$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s1.pem")\"]}" "$PI" "$K/s1.key")
put "$ISO" SgxEnclave "$IS1" "$READER"
check_eq "isolated: registered signature but reader role: 401 (as MAA)" "$(att_status)" 401
put "$ISO" SgxEnclave "$IS1"
check_eq "isolated: signed by the registered certificate accepted" "$(att_status)" 200
check_eq "isolated: x-ms-policy-signer is s1" "$(claims | jq -r '."x-ms-policy-signer".x5c[0]')" "$(x5c_of "$K/s1.pem")"
check_eq "isolated: token hash" "$(claims | jq -r '."x-ms-policy-token-hash"')" "$(printf %s "$IS1" | sha256_b64url)"
check "isolated: response token verifies under the provider's issuer" tok_verifies "$ISO"
check_eq "isolated: GET returns the signed JWS" "$(get_policy_jws "$ISO" SgxEnclave)" "$IS1"
"$ATTEST" policy get --url "$ISO" --type SgxEnclave $CLI >"$T_TMP/got.txt" 2>/dev/null
check "isolated: policy get text identical" cmp -s "$T_TMP/got.txt" "$T_TMP/p1.txt"
put "$ISO" SgxEnclave "$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s2.pem")\"]}" "$PI" "$K/s2.key")"
check_eq "isolated: signed by an unregistered certificate refused" "$(att_status) $(err_code)" "400 InvalidOperation"
check_contains "isolated: message names the unregistered thumbprint" "$(err_msg)" "$(thumb_of "$K/s2.pem")"
# The unregistered key with the registered certificate in the header.
put "$ISO" SgxEnclave "$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s1.pem")\"]}" "$PI" "$K/s2.key")"
check_eq "isolated: registered cert in header, other key: refused" "$(att_status) $(err_code)" "400 InvalidOperation"
reset "$ISO" SgxEnclave "eyJhbGciOiJub25lIn0.."
check_eq "isolated: unsigned reset refused" "$(att_status) $(err_code)" "400 InvalidOperation"
check "CLI: isolated signed reset" "$ATTEST" policy reset --url "$ISO" --type SgxEnclave $CLI --sign-key "$K/s1.key" --sign-cert "$K/s1.pem"
check_fails "isolated: after reset the stored JWS is gone" test "$(get_policy_jws "$ISO" SgxEnclave)" = "$IS1"
OUT=$("$ATTEST" policy set --url "$ISO" --type SgxEnclave "$T_TMP/p1.txt" $CLI --sign-key "$K/s1.key" --sign-cert "$K/s1.pem" 2>&1)
check_contains "CLI: isolated signed set" "$OUT" "x-ms-policy-signer: $(thumb_of "$K/s1.pem")"
check_fails "CLI: isolated unsigned set fails" "$ATTEST" policy set --url "$ISO" --type SgxEnclave "$T_TMP/p1.txt" $CLI

# ---- certificates on the isolated provider ----
att_curl -H "Authorization: Bearer $READER" "$ISO/certificates?$AV" >/dev/null
check_eq "certs: GET 200 for a reader" "$(att_status)" 200
check_eq "certs: one key, x5c = s1" "$(claims | jq -r '."x-ms-policy-certificates".keys | "\(length) \(.[0].x5c[0])"')" "1 $(x5c_of "$K/s1.pem")"
check_eq "certs: JWK alg/kty/use" "$(claims | jq -r '."x-ms-policy-certificates".keys[0] | "\(.alg) \(.kty) \(.use)"')" "RS256 RSA sig"
check "certs: response token verifies" tok_verifies "$ISO"
OUT=$("$ATTEST" certs add --url "$ISO" "$K/s2.pem" $CLI --sign-key "$K/s1.key" --sign-cert "$K/s1.pem" 2>&1)
check_eq "certs add s2 (signed by s1): thumbprint IsPresent" "$OUT" "$(thumb_of "$K/s2.pem") IsPresent"
# Hand-made add in the 2025-06-01 object form, signed by s2 (now registered).
CP=$(printf '{"policyCertificate":{"kty":"EC","x5c":["%s"]}}' "$(x5c_of "$K/e1.pem")" | att_b64url)
ADD=$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s2.pem")\"]}" "$CP" "$K/s2.key")
att_curl -X POST -H "Authorization: Bearer $CONTRIB" -H "Content-Type: application/json" \
	--data-binary "{\"policyCertificateToAdd\":\"$ADD\"}" "$ISO/certificates:add?$AV" >/dev/null
check_eq "certs add e1 ({policyCertificateToAdd}) 200" "$(att_status)" 200
check_eq "certs add: x-ms-certificate-thumbprint upper-case SHA-1" "$(claims | jq -r '."x-ms-certificate-thumbprint"')" "$(thumb_of "$K/e1.pem")"
check_eq "certs add: result IsPresent" "$(claims | jq -r '."x-ms-policycertificates-result"')" IsPresent
# The same JWS as a JSON string (SDK form): already present, no change.
att_curl -X POST -H "Authorization: Bearer $CONTRIB" -H "Content-Type: application/json" \
	--data-binary "\"$ADD\"" "$ISO/certificates:add?$AV" >/dev/null
check_eq "certs add again (JSON string form): IsPresent" "$(att_status) $(claims | jq -r '."x-ms-policycertificates-result"')" "200 IsPresent"
att_curl -X POST -H "Authorization: Bearer $READER" -H "Content-Type: application/json" \
	--data-binary "\"$ADD\"" "$ISO/certificates:add?$AV" >/dev/null
check_eq "certs add with reader role: 401 (as MAA)" "$(att_status)" 401
check_fails "certs add signed by an unregistered cert (s3) refused" "$ATTEST" certs add --url "$ISO" "$K/s3.pem" \
	$CLI --sign-key "$K/s3.key" --sign-cert "$K/s3.pem"
att_curl -X POST -H "Authorization: Bearer $CONTRIB" -H "Content-Type: application/json" \
	--data-binary "\"$(unsigned_jws "$CP")\"" "$ISO/certificates:add?$AV" >/dev/null
check_eq "certs add unsigned refused" "$(att_status) $(err_code)" "400 InvalidOperation"
LIST=$("$ATTEST" certs list --url "$ISO" $CLI 2>&1)
check_eq "certs list: three certificates" "$(wc -l <<<"$LIST")" 3
check_contains "certs list names s2" "$LIST" "$(thumb_of "$K/s2.pem") CN=policy signer s2"
check_eq "certs list --json: kty of e1 is EC" "$("$ATTEST" certs list --url "$ISO" $CLI --json | jq -r '[.[] | select(.kty == "EC")] | length')" 1
# An EC-signed policy by the newly added e1 is accepted.
OUT=$("$ATTEST" policy set --url "$ISO" --type OpenEnclave "$T_TMP/p1.txt" $CLI --sign-key "$K/e1.key" --sign-cert "$K/e1.pem" 2>&1)
check_contains "isolated: policy signed by the added EC certificate" "$OUT" "x-ms-policy-signer: $(thumb_of "$K/e1.pem")"
OUT=$("$ATTEST" certs remove --url "$ISO" "$K/s1.pem" $CLI --sign-key "$K/s2.key" --sign-cert "$K/s2.pem" 2>&1)
check_eq "certs remove s1 (signed by s2): IsAbsent" "$OUT" "$(thumb_of "$K/s1.pem") IsAbsent"
check_fails "removed s1 can no longer sign policies" "$ATTEST" policy set --url "$ISO" --type SgxEnclave \
	"$T_TMP/p1.txt" $CLI --sign-key "$K/s1.key" --sign-cert "$K/s1.pem"
OUT=$("$ATTEST" certs remove --url "$ISO" "$K/s1.pem" $CLI --sign-key "$K/s2.key" --sign-cert "$K/s2.pem" 2>&1)
check_eq "certs remove of an absent certificate: IsAbsent" "$OUT" "$(thumb_of "$K/s1.pem") IsAbsent"
RM=$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s2.pem")\"]}" "$CP" "$K/s2.key")
att_curl -X POST -H "Authorization: Bearer $CONTRIB" -H "Content-Type: application/json" \
	--data-binary "{\"policyCertificateToRemove\":\"$RM\"}" "$ISO/certificates:remove?$AV" >/dev/null
check_eq "certs remove e1 ({policyCertificateToRemove})" "$(att_status) $(claims | jq -r '."x-ms-policycertificates-result"')" "200 IsAbsent"
OUT=$("$ATTEST" certs remove --url "$ISO" "$K/s2.pem" $CLI --sign-key "$K/s2.key" --sign-cert "$K/s2.pem" 2>&1)
check_contains "the last certificate cannot be removed" "$OUT" "InvalidOperation"
check_contains "  ... and the message says so" "$OUT" "last policy management certificate"
check_eq "certs list: s2 alone remains" "$("$ATTEST" certs list --url "$ISO" $CLI 2>&1)" "$(thumb_of "$K/s2.pem") CN=policy signer s2"

# Two concurrent removals, each signed by the other certificate: exactly
# one may succeed, one certificate must remain.
OUT=$("$ATTEST" certs add --url "$ISO" "$K/s3.pem" $CLI --sign-key "$K/s2.key" --sign-cert "$K/s2.pem" 2>&1)
check_eq "certs add s3 (signed by s2)" "$OUT" "$(thumb_of "$K/s3.pem") IsPresent"
cert_payload() { printf '{"policyCertificate":{"kty":"RSA","x5c":["%s"]}}' "$(x5c_of "$1")" | att_b64url; }
R2=$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s3.pem")\"]}" "$(cert_payload "$K/s2.pem")" "$K/s3.key")
R3=$(signed_jws "{\"alg\":\"RS256\",\"x5c\":[\"$(x5c_of "$K/s2.pem")\"]}" "$(cert_payload "$K/s3.pem")" "$K/s2.key")
race_remove() {
	curl -s --cacert "$CA" -o "$T_TMP/race$1" -w '%{http_code}' -X POST -H "Authorization: Bearer $CONTRIB" \
		-H "Content-Type: application/json" --data-binary "\"$2\"" "$ISO/certificates:remove?$AV" >"$T_TMP/race$1.st"
}
race_remove 2 "$R2" &
RP2=$!
race_remove 3 "$R3" &
RP3=$!
wait "$RP2" "$RP3"
check_eq "concurrent removals: exactly one succeeded" "$(cat "$T_TMP/race2.st" "$T_TMP/race3.st" | grep -o 200 | wc -l)" 1
check_eq "concurrent removals: one certificate remains" "$("$ATTEST" certs list --url "$ISO" $CLI 2>/dev/null | wc -l)" 1

# ---- audit log ----
AUD=$("$ATTESTD" audit --data-dir "$D" --json)
n_action() { jq --arg p "$1" --arg a "$2" '[.[] | select(.provider == $p and .action == $a)] | length' <<<"$AUD"; }
check_eq "audit: default set-policy count (8 accepted PUTs)" "$(n_action default set-policy)" 8
check_eq "audit: default reset-policy count (only resets that changed something)" "$(n_action default reset-policy)" 2
check_eq "audit: iso set-policy count" "$(n_action iso set-policy)" 3
check_eq "audit: iso reset-policy count" "$(n_action iso reset-policy)" 1
check_eq "audit: iso certificate adds (no-op add not logged)" "$(n_action iso add-policy-certificate)" 3
check_eq "audit: iso certificate removes (no-op remove not logged)" "$(n_action iso remove-policy-certificate)" 3
check_eq "audit: first set has no old hash and the body's hash as new" \
	"$(jq -r '[.[] | select(.provider == "default" and .action == "set-policy")][0] | "\(.old_hash) \(.new_hash) \(.type)"' <<<"$AUD")" \
	"null $(printf %s "$BODY" | sha256_b64url) SgxEnclave"
check_eq "audit: each set's old hash is the previous set's new hash" \
	"$(jq -r '[.[] | select(.provider == "default" and .type == "SgxEnclave")] | [range(1; length) as $i | select(.[$i].action == "set-policy" and .[$i-1].action == "set-policy") | (.[$i].old_hash == .[$i-1].new_hash)] | all' <<<"$AUD")" true
check_eq "audit: actor is the bearer subject" "$(jq -r '[.[] | select(.provider == "default")][0].actor' <<<"$AUD")" "sub=attest-dev-token"
check_eq "audit: signed change names the signer" \
	"$(jq -r '[.[] | select(.provider == "iso" and .action == "set-policy")][0].actor' <<<"$AUD")" \
	"sub=attest-dev-token signer=$(thumb_of "$K/s1.pem")"
check_eq "audit: certificate add records the thumbprint" \
	"$(jq -r '[.[] | select(.action == "add-policy-certificate")] | map(.new_hash) | join(" ")' <<<"$AUD")" \
	"$(thumb_of "$K/s2.pem") $(thumb_of "$K/e1.pem") $(thumb_of "$K/s3.pem")"
check_eq "audit: ids ascending" "$(jq -r '[.[].id] == ([.[].id] | sort)' <<<"$AUD")" true
check_eq "audit --provider iso lists only iso" \
	"$("$ATTESTD" audit --data-dir "$D" --provider iso --json | jq -r '[.[].provider] | unique | join(",")')" iso
TABLE=$("$ATTESTD" audit --data-dir "$D" --provider iso)
check_contains "audit table: header" "$TABLE" "ACTION"
check_contains "audit table: a certificate removal row" "$TABLE" "remove-policy-certificate"
check_fails "audit of an unknown provider fails" "$ATTESTD" audit --data-dir "$D" --provider nosuch
check_fails "audit of a missing data dir fails" "$ATTESTD" audit --data-dir "$T_TMP/nodir"
att_done
