#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bearer authentication on GET /policies/{type}: no token, garbage, a
# non-Bearer scheme, wrong issuer, wrong audience, expired, not yet valid,
# wrong role, alg none, HS256 keyed with the issuer's public key, and a
# token signed by a foreign key under the dev issuer's kid are refused
# (401 with WWW-Authenticate, also for a missing role as on MAA: its
# troubleshooting guide, "HTTP-401"; issue 12 changed it from 403); reader and contributor
# tokens are accepted. /certs and metadata stay anonymous. No token
# reaches the log.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
P="$BASE/policies/SgxEnclave?api-version=2022-08-01"

# expect DESC STATUS CODE [curl args...]
expect() {
	local desc=$1 want=$2 code=$3
	shift 3
	att_curl "$@" "$P" >/dev/null
	check_eq "$desc: HTTP $want" "$(att_status)" "$want"
	check_eq "$desc: error code" "$(jq -r '.error.code // "none"' "$T_TMP/body")" "$code"
	if [ "$want" = 401 ]; then
		check_contains "$desc: WWW-Authenticate" "$(att_header WWW-Authenticate)" 'Bearer realm="'"$BASE"'"'
	fi
}
devtok() { "$ATTEST" dev-token --data-dir "$D" "$@"; }

expect "no token" 401 Unauthorized
check_contains "no token: message" "$(jq -r .error.message "$T_TMP/body")" "requires an Authorization: Bearer token"
expect "garbage token" 401 Unauthorized -H "Authorization: Bearer not.a.jwt"
check_contains "garbage: message says malformed" "$(jq -r .error.message "$T_TMP/body")" "malformed"
expect "Basic scheme" 401 Unauthorized -H "Authorization: Basic dXNlcjpwdw=="
expect "empty bearer" 401 Unauthorized -H "Authorization: Bearer "

T=$(devtok --role reader --issuer https://login.example.com/tenant/v2.0)
expect "wrong issuer" 401 Unauthorized -H "Authorization: Bearer $T"
check_contains "wrong issuer: message" "$(jq -r .error.message "$T_TMP/body")" "not trusted"
T=$(devtok --role reader --audience api://someone-else)
expect "wrong audience" 401 Unauthorized -H "Authorization: Bearer $T"
T=$(devtok --role reader --ttl -600)
expect "expired" 401 Unauthorized -H "Authorization: Bearer $T"
check_contains "expired: message" "$(jq -r .error.message "$T_TMP/body")" "xpired"
T=$(devtok --role reader --nbf-offset 600)
expect "not yet valid" 401 Unauthorized -H "Authorization: Bearer $T"
T=$(devtok --role reader --ttl -30)
expect "expired 30 s ago (within 60 s skew)" 200 none -H "Authorization: Bearer $T"
T=$(devtok --role Attestation.Admin)
expect "wrong role (401 as MAA)" 401 Unauthorized -H "Authorization: Bearer $T"
check_contains "wrong role: WWW-Authenticate says insufficient_scope" "$(cat "$T_TMP/headers" 2>/dev/null)" "insufficient_scope"
check_contains "wrong role: message names the role" "$(jq -r .error.message "$T_TMP/body")" "Attestation.Reader"

# alg none: the valid token's claims under {"alg":"none"} and no signature.
GOOD=$(devtok --role reader)
NONE="$(printf '{"alg":"none","typ":"JWT"}' | att_b64url).$(cut -d. -f2 <<<"$GOOD")."
expect "alg none" 401 Unauthorized -H "Authorization: Bearer $NONE"
# HS256 with the issuer's public JWKS text as the HMAC secret (key confusion).
KID=$(jq -r .kid "$D/dev-issuer.json")
H=$(printf '{"alg":"HS256","kid":"%s","typ":"JWT"}' "$KID" | att_b64url)
B=$(cut -d. -f2 <<<"$GOOD")
S=$(printf %s "$H.$B" | openssl dgst -sha256 -mac HMAC -macopt "key:$(cat "$D/dev-issuer.jwks")" -binary | att_b64url)
expect "HS256 keyed with the public key" 401 Unauthorized -H "Authorization: Bearer $H.$B.$S"
# A foreign RSA key signing under the dev issuer's kid.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T_TMP/rogue.pem" 2>/dev/null
H=$(printf '{"alg":"RS256","kid":"%s","typ":"JWT"}' "$KID" | att_b64url)
S=$(printf %s "$H.$B" | openssl dgst -sha256 -sign "$T_TMP/rogue.pem" -binary | att_b64url)
expect "foreign key under the trusted kid" 401 Unauthorized -H "Authorization: Bearer $H.$B.$S"
# The same construction with the real key is accepted (the test is sound).
S=$(printf %s "$H.$B" | openssl dgst -sha256 -sign "$D/dev-issuer.key" -binary | att_b64url)
expect "hand-made token with the dev issuer key" 200 none -H "Authorization: Bearer $H.$B.$S"
# Tampered payload.
TAMPERED="$(cut -d. -f1 <<<"$GOOD").$(printf '{"iss":"x"}' | att_b64url).$(cut -d. -f3 <<<"$GOOD")"
expect "tampered payload" 401 Unauthorized -H "Authorization: Bearer $TAMPERED"

expect "reader token" 200 none -H "Authorization: Bearer $GOOD"
check "reader token: body has a token" jq -e '.token | length > 100' "$T_TMP/body"
T=$(devtok --role contributor)
expect "contributor token reads too" 200 none -H "Authorization: Bearer $T"
expect "lower-case bearer scheme" 200 none -H "Authorization: bearer $GOOD"

# Anonymous routes ignore bearer tokens entirely.
att_curl -H "Authorization: Bearer garbage" "$BASE/certs" >/dev/null
check_eq "/certs anonymous even with a bad token" "$(att_status)" 200
att_curl "$BASE/.well-known/openid-configuration" >/dev/null
check_eq "metadata anonymous" "$(att_status)" 200

# Nothing secret in the log.
if grep -qF "$GOOD" "$D.log" || grep -q 'eyJ' "$D.log" || grep -qi 'authorization' "$D.log"; then
	not_ok "log contains a token or an Authorization header"
else
	ok "log contains no token and no Authorization header"
fi
check_contains "401s are logged with their code" "$(cat "$D.log")" '"status":401,'
check_contains "401s are logged with their code" "$(cat "$D.log")" '"error":"Unauthorized"'
att_done
