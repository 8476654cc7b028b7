#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Providers (tenants): `attestd provider add|list|show`, an EC provider
# routed by path prefix, a provider routed by Host header, an isolated
# provider with a policy signer; each answers with its own issuer and its
# own keys, and a token of one does not verify as the other's. SIGHUP
# makes a provider added while running visible.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"

check "provider add p2 (ec, path routed)" "$ATTESTD" provider add p2 --data-dir "$D" --key-type ec
check "provider add tenant (host routed)" "$ATTESTD" provider add tenant --data-dir "$D" --base-url "https://tenant.attest.test:$PORT"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/signer.key" -out "$T_TMP/signer.pem" \
	-subj "/CN=policy signer" -days 30 2>/dev/null
check "provider add iso (isolated, policy signer)" "$ATTESTD" provider add iso --data-dir "$D" --mode isolated --policy-signer "$T_TMP/signer.pem"
check_fails "duplicate name refused" "$ATTESTD" provider add p2 --data-dir "$D"
check_fails "reserved name refused" "$ATTESTD" provider add certs --data-dir "$D"
check_fails "upper-case name refused" "$ATTESTD" provider add Bad --data-dir "$D"
check_fails "isolated without a signer refused" "$ATTESTD" provider add iso2 --data-dir "$D" --mode isolated
check_fails "bad key type refused" "$ATTESTD" provider add p9 --data-dir "$D" --key-type dsa
LIST=$("$ATTESTD" provider list --data-dir "$D")
check_eq "provider list has 4 providers" "$(wc -l <<<"$LIST")" 4
check_contains "list shows p2's derived base URL" "$LIST" "$BASE/p2"
SHOW=$("$ATTESTD" provider show iso --data-dir "$D")
FP=$(openssl x509 -in "$T_TMP/signer.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :)
check_eq "show: policy signer thumbprint" "$(jq -r '.policy_signers[0]' <<<"$SHOW")" "$FP"
check_eq "show: mode" "$(jq -r .mode <<<"$SHOW")" isolated
check_eq "show: one active key" "$(jq -r '[.keys[] | select(.state == "active")] | length' <<<"$SHOW")" 1
check_eq "show p2: ES256 key" "$("$ATTESTD" provider show p2 --data-dir "$D" | jq -r '.keys[0].alg')" ES256

att_start "$D" "$PORT" || { not_ok "restart"; att_done; }

# Path prefix routing.
M2=$(att_curl "$BASE/p2/.well-known/openid-configuration")
check_eq "p2 metadata 200" "$(att_status)" 200
check_eq "p2 issuer is its base URL" "$(jq -r .issuer <<<"$M2")" "$BASE/p2"
check_eq "p2 jwks_uri" "$(jq -r .jwks_uri <<<"$M2")" "$BASE/p2/certs"
C2=$(att_curl "$BASE/p2/certs")
check "p2 /certs: EC key with crv/x/y, ES256" jq -e '.keys[0] | (.kty == "EC" and .crv == "P-256" and .x and .y and .alg == "ES256" and (.x5c | length) == 1)' <<<"$C2"
C1=$(att_curl "$BASE/certs")
check_eq "default issuer unchanged" "$(att_curl "$BASE/.well-known/openid-configuration" | jq -r .issuer)" "$BASE"

# Host header routing (provider "tenant"): the issuer is its base URL.
MT=$(att_curl -H "Host: tenant.attest.test:$PORT" "$BASE/.well-known/openid-configuration")
check_eq "Host routing: tenant's issuer" "$(jq -r .issuer <<<"$MT")" "https://tenant.attest.test:$PORT"
CT=$(att_curl -H "Host: tenant.attest.test:$PORT" "$BASE/certs")
check_fails "Host routing: tenant's keys differ from default's" test "$(jq -r '.keys[0].kid' <<<"$CT")" = "$(jq -r '.keys[0].kid' <<<"$C1")"
MT2=$(curl -s --cacert "$CA" --resolve "tenant.attest.test:$PORT:127.0.0.1" -k "https://tenant.attest.test:$PORT/.well-known/openid-configuration")
check_eq "curl --resolve routing (by Host)" "$(jq -r .issuer <<<"$MT2")" "https://tenant.attest.test:$PORT"

# Tokens: each provider signs with its own key under its own issuer.
TOK=$("$ATTEST" dev-token --data-dir "$D" --role reader)
T2=$(att_curl -H "Authorization: Bearer $TOK" "$BASE/p2/policies/SgxEnclave?api-version=2022-08-01" | jq -r .token)
check_eq "p2 policy GET 200" "$(att_status)" 200
check "p2 token verifies against p2" "$ATTEST" token verify --issuer "$BASE/p2" --ca "$CA" "$T2"
check_fails "p2 token does not verify as default's" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$T2"
K2=$("$ATTEST" token decode "$T2" | jq -r .header.kid)
check_eq "p2 token alg ES256" "$("$ATTEST" token decode "$T2" | jq -r .header.alg)" ES256
check_eq "p2 token jku" "$("$ATTEST" token decode "$T2" | jq -r .header.jku)" "$BASE/p2/certs"
check_eq "p2's kid is not in default's /certs" "$(jq --arg k "$K2" '[.keys[] | select(.kid == $k)] | length' <<<"$C1")" 0
T1=$(att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/SgxEnclave?api-version=2022-08-01" | jq -r .token)
check_fails "default token does not verify as p2's" "$ATTEST" token verify --issuer "$BASE/p2" --ca "$CA" "$T1"
TT=$(att_curl -H "Host: tenant.attest.test" -H "Authorization: Bearer $TOK" "$BASE/policies/OpenEnclave" | jq -r .token)
check_eq "tenant (Host) policy GET 200" "$(att_status)" 200
check_eq "tenant token iss" "$("$ATTEST" token decode "$TT" | jq -r .claims.iss)" "https://tenant.attest.test:$PORT"
# Splice p2's payload under default's header and signature: refused.
SPLICE="$(cut -d. -f1 <<<"$T1").$(cut -d. -f2 <<<"$T2").$(cut -d. -f3 <<<"$T1")"
check_fails "spliced token refused" "$ATTEST" token verify --issuer "$BASE/p2" --ca "$CA" "$SPLICE"

# A provider added while running appears after SIGHUP.
check "provider add p3 while running" "$ATTESTD" provider add p3 --data-dir "$D"
att_curl "$BASE/p3/certs" >/dev/null
check_eq "p3 unknown before SIGHUP (falls to default: 404)" "$(att_status)" 404
kill -HUP "$ATTESTD_PID"
for i in $(seq 1 50); do
	att_curl "$BASE/p3/certs" >/dev/null
	[ "$(att_status)" = 200 ] && break
	sleep 0.1
done
check_eq "p3 served after SIGHUP" "$(att_status)" 200
check_eq "p3 issuer" "$(att_curl "$BASE/p3/.well-known/openid-configuration" | jq -r .issuer)" "$BASE/p3"
check_contains "reload logged" "$(cat "$D.log")" "reloaded providers"
check "server still running" kill -0 "$ATTESTD_PID"
att_done
