#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interop of the SevSnpVm tokens: the token of the real Azure request of
# MAA's REST API example and the tokens of the SEV-SNP simulator (JSON
# and Binary runtime data, nonce, a stored policy) verify with jose
# through /certs (createRemoteJWKSet + jwtVerify with the issuer), with
# the real token's JSON types for every x-ms-sevsnpvm-* claim as a
# JavaScript reader sees them; a draft-policy token (alg none) is
# refused by it.
# Prints "N passed, M failed".
. "$(dirname "$0")/../integration/lib/attestd.sh"
att_require_bins
command -v node >/dev/null || { echo "FAIL (cannot run): node missing"; echo "0 passed, 1 failed"; exit 77; }
[ -d "$ATT_SRC_DIR/node_modules/jose" ] || { echo "FAIL (cannot run): node_modules/jose missing (npm ci)"; echo "0 passed, 1 failed"; exit 77; }
V=$ATT_SRC_DIR/tests/interop/attest_snp_jose.mjs
EX=$ATT_SRC_DIR/tests/vectors/maa/spec-examples
STABLE=$EX/specs/Attestation/stable/2025-06-01/examples/AttestSevSnpVm.json
TYPES=$EX/decoded/stable-2025-06-01_AttestSevSnpVm/response_claim_types.json

D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W" && mkdir -m 700 "$D"
SIM=$D/snpsim
"$ATTEST" sim snp init "$SIM" >/dev/null 2>&1 || { not_ok "attest sim snp init"; att_done; }
echo '{"kds_offline": true}' >"$D/attest.json" # never ask AMD's KDS from tests
PORT=$(att_free_port)
att_start "$D" "$PORT" ||
	{ att_stop; PORT=$(att_free_port); att_start "$D" "$PORT"; } ||
	{ not_ok "attestd starts"; att_done; }
export NODE_EXTRA_CA_CERTS="$CA"
snp() { "$ATTEST" snp --url "$BASE" --ca "$CA" "$@"; }
TOKS=$W/tokens
: >"$TOKS"
tok() {
	local name=$1 t
	shift
	t=$("$@" 2>"$W/err") || { not_ok "$name: no token: $(head -c 300 "$W/err")"; return; }
	echo "$name $t" >>"$TOKS"
}

jq -c '.parameters.body + {nonce: "noncesevsnp987"}' "$STABLE" >"$W/real.json"
T=$(att_curl -X POST -H 'Content-Type: application/json' \
	"$BASE/attest/SevSnpVm?api-version=2025-06-01" --data-binary "@$W/real.json" | jq -r .token)
[ -n "$T" ] && [ "$T" != null ] && echo "azure-example $T" >>"$TOKS" || not_ok "real example: no token"
printf '{"keys":[{"kid":"k","kty":"EC","crv":"P-256"}]}' >"$W/rt.json"
printf 'binary \x01\x02' >"$W/rt.bin"
tok sim-json snp --sim "$SIM" --runtime-json "$W/rt.json" --nonce jose
tok sim-binary snp --sim "$SIM" --runtime-data "$W/rt.bin"
printf 'version=1.0;authorizationrules{=>permit();};issuancerules{c:[type=="x-ms-sevsnpvm-vmpl"] => issue(type="v", value=c.value);};' >"$W/p.pol"
if "$ATTEST" policy set --url "$BASE" --type SevSnpVm --ca "$CA" --dev-token-dir "$D" "$W/p.pol" >/dev/null 2>&1; then
	tok sim-stored-policy snp --sim "$SIM"
	"$ATTEST" policy reset --url "$BASE" --type SevSnpVm --ca "$CA" --dev-token-dir "$D" >/dev/null 2>&1
else
	not_ok "policy set SevSnpVm"
fi
tok sim-draft snp --sim "$SIM" --draft-policy "$W/p.pol"

node "$V" "$BASE" "$TOKS" >"$W/jose.out" 2>&1
WANT=$(jq -S -c 'with_entries(select(.key | startswith("x-ms-sevsnpvm-")))' "$TYPES")
while read -r name _; do
	R=$(jq -c --arg n "$name" 'select(.name == $n)' "$W/jose.out" 2>/dev/null)
	case $name in
	sim-draft)
		check_eq "jose refuses the draft-policy token (alg none)" "$(jq -r .ok <<<"$R")" false ;;
	*)
		check_eq "jose verifies $name" "$(jq -r '[.ok, .alg, .type, .lifetime] | map(tostring) | join(" ")' <<<"$R")" \
			"true RS256 sevsnpvm 28800"
		check_eq "  ... x-ms-sevsnpvm-* JSON types = the real token's" "$(jq -S -c .snpTypes <<<"$R")" "$WANT"
		;;
	esac
done <"$TOKS"
check_eq "jose: the real example's launch measurement" \
	"$(jq -r 'select(.name == "azure-example") | .measurement' "$W/jose.out")" \
	04a170f39a3f702472ed0c7ecbda9babfc530e3caac475fdd607ff499177d14c278c5a15ad07ceacd5230ae63d507e9d
att_done
