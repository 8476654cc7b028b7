#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bearer tokens minted with the npm package jose against attestd's auth:
# RS256 with the trusted dev issuer key is accepted (PS256 with that key is
# refused: its JWK pins alg RS256, as jose itself enforces); alg none,
# HS256 keyed with the public JWKS, a rogue key under the trusted kid,
# wrong audience, wrong issuer and expired tokens are refused with 401;
# a valid token without the role gets 401 too, as on MAA (its troubleshooting
# guide, "HTTP-401"; issue 12 changed it from 403).
. "$(dirname "$0")/../integration/lib/attestd.sh"
att_require_bins
command -v node >/dev/null || { echo "FAIL (cannot run): node missing"; echo "0 passed, 1 failed"; exit 77; }
[ -d "$ATT_SRC_DIR/node_modules/jose" ] || { echo "FAIL (cannot run): node_modules/jose missing (npm ci)"; echo "0 passed, 1 failed"; exit 77; }
M="$ATT_SRC_DIR/tests/interop/jose_mint.mjs"

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
P="$BASE/policies/SgxEnclave?api-version=2025-06-01"

try() { # try MODE WANT [ROLE]
	local tok
	tok=$(node "$M" "$1" "$D" ${3:+"$3"}) || { not_ok "mint $1"; return; }
	att_curl -H "Authorization: Bearer $tok" "$P" >/dev/null
	check_eq "jose $1${3:+ (role $3)}: HTTP $2" "$(att_status)" "$2"
}
try valid 200
try ps256 401 # the dev issuer JWK pins alg RS256 (as jose itself enforces)
try valid 200 Attestation.Contributor
try valid 401 Attestation.Nothing
try none 401
try hs256 401
try rogue 401
try wrongaud 401
try wrongiss 401
try expired 401
check_contains "alg none message" "$(node "$M" none "$D" | { read -r t; att_curl -H "Authorization: Bearer $t" "$P"; } | jq -r .error.message)" "none"
att_done
