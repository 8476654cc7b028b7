#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interop with the npm package jose (the most used JOSE library): the
# policy token of GET /policies/SgxEnclave verifies with
# createRemoteJWKSet(<base>/certs) + jwtVerify(issuer = base), for an RSA
# and an EC provider; a token of one provider does not verify against the
# other's JWKS; after a key rotation the old token still verifies.
. "$(dirname "$0")/../integration/lib/attestd.sh"
att_require_bins
command -v node >/dev/null || { echo "FAIL (cannot run): node missing"; echo "0 passed, 1 failed"; exit 77; }
[ -d "$ATT_SRC_DIR/node_modules/jose" ] || { echo "FAIL (cannot run): node_modules/jose missing (npm ci)"; echo "0 passed, 1 failed"; exit 77; }
V="$ATT_SRC_DIR/tests/interop/jose_verify.mjs"

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop
"$ATTESTD" provider add p2 --data-dir "$D" --key-type ec >/dev/null
att_start "$D" "$PORT" || { not_ok "restart"; att_done; }
export NODE_EXTRA_CA_CERTS="$CA"

TOK=$("$ATTEST" dev-token --data-dir "$D" --role reader)
T1=$(att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/SgxEnclave?api-version=2020-10-01" | jq -r .token)
T2=$(att_curl -H "Authorization: Bearer $TOK" "$BASE/p2/policies/SgxEnclave?api-version=2020-10-01" | jq -r .token)

OUT=$(node "$V" "$BASE/certs" "$BASE" "$T1")
check_eq "jose verifies the RS256 policy token (issuer checked)" "$(jq -r .ok <<<"$OUT")" true
check_eq "jose: alg RS256" "$(jq -r .alg <<<"$OUT")" RS256
check_eq "jose: x-ms-policy present" "$(jq -r .hasPolicy <<<"$OUT")" true
check_eq "jose: dev-mode marker" "$(jq -r .devMode <<<"$OUT")" true
META_JWKS=$(att_curl "$BASE/.well-known/openid-configuration" | jq -r .jwks_uri)
check "jose via the metadata's jwks_uri" node "$V" "$META_JWKS" "$BASE" "$T1"
OUT=$(node "$V" "$BASE/p2/certs" "$BASE/p2" "$T2")
check_eq "jose verifies the ES256 token of p2" "$(jq -r .ok <<<"$OUT") $(jq -r .alg <<<"$OUT")" "true ES256"

OUT=$(node "$V" "$BASE/certs" "$BASE/p2" "$T2")
check_eq "p2 token against default's JWKS: refused" "$(jq -r .ok <<<"$OUT")" false
check_eq "  ... because no key matches" "$(jq -r .code <<<"$OUT")" ERR_JWKS_NO_MATCHING_KEY
OUT=$(node "$V" "$BASE/p2/certs" "$BASE" "$T1")
check_eq "default token against p2's JWKS: refused" "$(jq -r .ok <<<"$OUT")" false
OUT=$(node "$V" "$BASE/certs" "$BASE/p2" "$T1")
check_eq "wrong expected issuer: refused" "$(jq -r .code <<<"$OUT")" ERR_JWT_CLAIM_VALIDATION_FAILED
BAD="$(cut -d. -f1 <<<"$T1").$(printf '{"iss":"%s","exp":9999999999}' "$BASE" | att_b64url).$(cut -d. -f3 <<<"$T1")"
OUT=$(node "$V" "$BASE/certs" "$BASE" "$BAD")
check_eq "tampered payload: signature fails" "$(jq -r .code <<<"$OUT")" ERR_JWS_SIGNATURE_VERIFICATION_FAILED

"$ATTESTD" key rotate default --data-dir "$D" >/dev/null
check "after rotation jose still verifies the old token" node "$V" "$BASE/certs" "$BASE" "$T1"
T3=$(att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/OpenEnclave" | jq -r .token)
check "and verifies a token of the new key" node "$V" "$BASE/certs" "$BASE" "$T3"
att_done
