#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# attestd in dev mode: metadata and /certs (issuer exactly the base URL,
# jwks_uri, content type, key members), the policy token from GET
# /policies/SgxEnclave verified with `attest token verify`, `attest
# policy get`, 404/405/413 answers, request ids, health, readiness,
# metrics, dev-mode files, no secret in the log, clean SIGTERM shutdown.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
ok "attestd started in dev mode on $BASE"

for f in tls.crt tls.key attestd.db master.key dev-issuer.key dev-issuer.jwks dev-issuer.json; do
	check "dev mode created $f" test -s "$D/$f"
done
check_eq "master.key is mode 0600" "$(stat -c %a "$D/master.key")" 600
check_contains "startup banner shows how to try it" "$(cat "$D.out")" "attest dev-token --data-dir $D"
check_contains "log says DEV MODE loudly" "$(cat "$D.log")" "DEV MODE"

# OpenID metadata
META=$(att_curl "$BASE/.well-known/openid-configuration")
check_eq "metadata 200" "$(att_status)" 200
check_eq "issuer is the base URL exactly" "$(jq -r .issuer <<<"$META")" "$BASE"
check_eq "jwks_uri" "$(jq -r .jwks_uri <<<"$META")" "$BASE/certs"
check_eq "response_types_supported" "$(jq -c .response_types_supported <<<"$META")" '["token","none"]'
check "claims_supported present" jq -e '.claims_supported | length > 5' <<<"$META"
check_contains "revocation_endpoint" "$(jq -r .revocation_endpoint <<<"$META")" "$BASE/"
check_eq "metadata content type" "$(att_header Content-Type)" "application/json; charset=utf-8"
att_curl "$BASE/.well-known/openid-configuration?api-version=2025-06-01" >/dev/null
check_eq "metadata with api-version" "$(att_status)" 200

# /certs
CERTS=$(att_curl "$BASE/certs")
check_eq "certs 200" "$(att_status)" 200
check_eq "certs content type exactly" "$(att_header Content-Type)" "application/json; charset=utf-8"
check_eq "one key" "$(jq '.keys | length' <<<"$CERTS")" 1
check "key has kid kty alg use x5c n e" jq -e '.keys[0] | (.kid and .kty == "RSA" and .alg == "RS256" and .use == "sig" and (.x5c | length) == 1 and .n and .e)' <<<"$CERTS"
RID=$(att_header x-ms-request-id)
check "x-ms-request-id header" test -n "$RID"
check_contains "request id is in the log" "$(cat "$D.log")" "\"request_id\":\"$RID\""
jq -r '.keys[0].x5c[0]' <<<"$CERTS" | base64 -d >"$T_TMP/sign.der"
check "x5c[0] is a DER certificate" openssl x509 -inform DER -in "$T_TMP/sign.der" -noout
check_contains "attest metadata" "$("$ATTEST" metadata --ca "$CA" "$BASE" 2>&1)" "$BASE/certs"
check_contains "attest certs" "$("$ATTEST" certs --ca "$CA" "$BASE" 2>&1)" "$(jq -r '.keys[0].kid' <<<"$CERTS")"

# Policy token
TOK=$("$ATTEST" dev-token --data-dir "$D" --role reader)
RESP=$(att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/SgxEnclave?api-version=2020-10-01")
check_eq "GET /policies/SgxEnclave 200" "$(att_status)" 200
PTOK=$(jq -r .token <<<"$RESP")
printf %s "$PTOK" >"$T_TMP/policy.jwt"
check "policy token verifies with attest token verify" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$PTOK"
check_fails "policy token does not verify for another issuer" "$ATTEST" token verify --issuer "$BASE/other" --ca "$CA" "$PTOK"
HDR=$(cut -d. -f1 <<<"$PTOK" | tr '_-' '/+' | base64 -d 2>/dev/null; true)
check_eq "token header typ" "$(jq -r .typ <<<"$HDR" 2>/dev/null)" JWT
check_eq "token header jku" "$(jq -r .jku <<<"$HDR" 2>/dev/null)" "$BASE/certs"
check_eq "token kid is in /certs" "$(jq -r .kid <<<"$HDR" 2>/dev/null)" "$(jq -r '.keys[0].kid' <<<"$CERTS")"
CLAIMS=$("$ATTEST" token decode "$PTOK" 2>/dev/null | jq .claims)
check_eq "claims iss" "$(jq -r .iss <<<"$CLAIMS")" "$BASE"
check_eq "dev-mode marker claim" "$(jq -r '."x-attestd-dev-mode"' <<<"$CLAIMS")" true
check_contains "x-ms-policy is MAA's unsigned default JWS" "$(jq -r '."x-ms-policy"' <<<"$CLAIMS")" "eyJhbGciOiJub25lIn0."
POL=$("$ATTEST" policy get --url "$BASE" --type SgxEnclave --ca "$CA" --dev-token-dir "$D" 2>&1)
# The default is MAA's one-line version 1.0 text (issue 12; it was a 1.1 text).
check_contains "attest policy get prints the default text" "$POL" "version= 1.0;authorizationrules{=> permit();};issuancerules{"
check_contains "default text has issuance rules" "$POL" 'issue(type="sgx-mrsigner"'
POL2=$("$ATTEST" policy get --url "$BASE" --type openenclave --ca "$CA" --bearer "$TOK" 2>&1)
check_contains "type matched case-insensitively, --bearer" "$POL2" "version= 1.0;"

att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/Tpm?api-version=2022-08-01" >/dev/null
# MAA answers 200 with the empty unsigned JWS (issue 12; it was 400).
check_eq "Tpm without policy: 200" "$(att_status)" 200
check_eq "Tpm without policy: x-ms-policy is MAA's empty JWS" "$("$ATTEST" token decode "$(jq -r .token "$T_TMP/body")" 2>/dev/null | jq -r '.claims."x-ms-policy"')" "eyJhbGciOiJub25lIn0.."
att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/Nope?api-version=2022-08-01" >/dev/null
check_eq "unknown type: 400" "$(att_status)" 400
check_eq "unknown type: InvalidParameter" "$(jq -r .error.code "$T_TMP/body")" InvalidParameter
att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/SgxEnclave?api-version=2001-01-01" >/dev/null
check_eq "unknown api-version: 400" "$(att_status)" 400
check_eq "unknown api-version: InvalidParameter" "$(jq -r .error.code "$T_TMP/body")" InvalidParameter

# 404, 405, 413
att_curl "$BASE/no/such/thing" >/dev/null
check_eq "404" "$(att_status)" 404
check_eq "404 code" "$(jq -r .error.code "$T_TMP/body")" NotFound
att_curl -X POST -d '{}' "$BASE/certs" >/dev/null
check_eq "405" "$(att_status)" 405
check_eq "405 Allow header" "$(att_header Allow)" GET
check_eq "405 code" "$(jq -r .error.code "$T_TMP/body")" MethodNotAllowed
head -c 3000000 /dev/zero | tr '\0' 'a' >"$T_TMP/big"
att_curl -X POST -H 'Content-Type: application/json' --data-binary "@$T_TMP/big" "$BASE/certs" >/dev/null
check_eq "body larger than ATT_MAX_HTTP_BODY: 413" "$(att_status)" 413
att_curl -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary "@$T_TMP/big" "$BASE/certs" >/dev/null
check_eq "chunked body too large: 413" "$(att_status)" 413
att_curl -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)" "$BASE/healthz" >/dev/null
check_eq "headers above the header limit: 431" "$(att_status)" 431
att_curl "$BASE/healthz" >/dev/null
check_eq "server still serves after 413 and 431" "$(att_status)" 200

# Keep-alive: two requests on one connection.
N=$(curl -s --cacert "$CA" -o /dev/null -o /dev/null -w '%{num_connects}\n' "$BASE/healthz" "$BASE/healthz" | awk '{s += $1} END {print s}')
check_eq "keep-alive reuses the connection" "$N" 1

# Health, readiness, metrics
check_eq "healthz" "$(att_curl "$BASE/healthz" | jq -r .status)" ok
check_eq "readyz" "$(att_curl "$BASE/readyz" | jq -r .status)" ready
MET=$(att_curl "$BASE/metrics")
check_contains "metrics content type" "$(att_header Content-Type)" "text/plain"
check_contains "requests_total for /certs" "$MET" 'attestd_requests_total{route="/certs",status="200"}'
check_contains "requests_total for 413" "$MET" 'status="413"'
check_contains "duration histogram" "$MET" 'attestd_request_duration_seconds_bucket{route="/policies/{type}",le="+Inf"}'
check_contains "in-flight gauge" "$MET" 'attestd_in_flight_requests 1'

# The log: one JSON line per request, no secrets.
check "every log line is JSON" jq -e . "$D.log"
check_contains "log has route patterns" "$(cat "$D.log")" '"route":"/policies/{type}"'
check_contains "log has error codes" "$(cat "$D.log")" '"error":"MethodNotAllowed"'
if grep -qF "$TOK" "$D.log" || grep -qF "$PTOK" "$D.log" || grep -q "Bearer" "$D.log"; then
	not_ok "log contains a bearer or issued token"
else
	ok "log contains no bearer or issued token"
fi

# Clean shutdown on SIGTERM.
if att_stop; then ok "SIGTERM: exit status 0"; else not_ok "SIGTERM: exit status"; fi
check_contains "shutdown logged" "$(tail -2 "$D.log")" '"stopped"'

# Restart on the same data dir reuses everything.
KID=$(jq -r '.keys[0].kid' <<<"$CERTS")
att_start "$D" "$PORT" || not_ok "restart"
check_eq "same signing key after restart" "$(att_curl "$BASE/certs" | jq -r '.keys[0].kid')" "$KID"
check "old policy token still verifies after restart" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$PTOK"
kill -INT "$ATTESTD_PID"
wait "$ATTESTD_PID"
RC=$?
ATTESTD_PID=
check_eq "SIGINT: exit status 0" "$RC" 0

# Without --dev, a data dir without TLS config is refused.
OUT=$("$ATTESTD" serve --listen "127.0.0.1:$PORT" --data-dir "$D" 2>&1)
RC=$?
check_eq "non-dev mode without TLS config fails" "$RC" 1
check_contains "and says why" "$OUT" "TLS certificate and key are required"
OUT=$("$ATTESTD" serve --listen "127.0.0.1:$PORT" --data-dir "$T_TMP/empty" 2>&1)
check_contains "non-dev mode needs an existing data dir" "$OUT" "no attestd store"

att_done
