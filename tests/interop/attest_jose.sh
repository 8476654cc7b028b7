#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interop of the attestation tokens: every token the attestation scenarios
# of tests/integration/attest_sgx.sh produce (SGX Binary/JSON runtime
# data, init-time data, nonce, OpenEnclave, every non-revoked TCB level,
# a stored policy, real TDX quotes) verifies with jose through /certs
# (createRemoteJWKSet + jwtVerify with the issuer); a draft-policy token
# (alg none) is refused by it. Then Microsoft's client, @azure/attestation
# 1.0.0, attests a simulated SGX quote and OE report over HTTPS and
# validates the tokens itself.
# Prints "N passed, M failed".
. "$(dirname "$0")/../integration/lib/attestd.sh"
att_require_bins
command -v node >/dev/null || { echo "FAIL (cannot run): node missing"; echo "0 passed, 1 failed"; exit 77; }
[ -d "$ATT_SRC_DIR/node_modules/jose" ] || { echo "FAIL (cannot run): node_modules/jose missing (npm ci)"; echo "0 passed, 1 failed"; exit 77; }
V=$ATT_SRC_DIR/tests/interop/attest_jose.mjs
AZ=$ATT_SRC_DIR/tests/interop/attest_jose_azure.mjs

D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W"
PORT=$(att_free_port)
# (one retry on another port: a busy machine can be slow to start)
att_start "$D" "$PORT" ||
	{ att_stop; rm -rf "$D"; PORT=$(att_free_port); att_start "$D" "$PORT"; } ||
	{ not_ok "attestd starts"; att_done; }
export NODE_EXTRA_CA_CERTS="$CA"
SIM=$D/sim
[ -f "$SIM/manifest.json" ] || att_curl -X POST "$BASE/attest/SgxEnclave" -d '{}' >/dev/null
sgx() { "$ATTEST" sgx --url "$BASE" --ca "$CA" "$@"; }
oe() { "$ATTEST" oe --url "$BASE" --ca "$CA" "$@"; }
sha256hex() { sha256sum | cut -c1-64; }
TOKS=$W/tokens
: >"$TOKS"
# tok NAME CMD...: run an attest command and record its token.
tok() {
	local name=$1 t
	shift
	t=$("$@" 2>"$W/err") || { not_ok "$name: no token: $(head -c 300 "$W/err")"; return; }
	echo "$name $t" >>"$TOKS"
}

printf 'runtime \x01\x02' >"$W/rt.bin"
printf '{"k":"v","n":[1,2]}' >"$W/rt.json"
printf 'init' >"$W/init.bin"
tok sgx-binary sgx --sim "$SIM" --runtime-data "$W/rt.bin"
tok sgx-json sgx --sim "$SIM" --runtime-json "$W/rt.json" --nonce jose-nonce
tok sgx-init sgx --sim "$SIM" --init-data "$W/init.bin"
tok oe-binary oe --sim "$SIM" --runtime-data "$W/rt.bin"
tok oe-json oe --sim "$SIM" --runtime-json "$W/rt.json"
tok sgx-platform sgx --sim "$SIM" --platform platform
for L in SWHardeningNeeded ConfigurationNeeded ConfigurationAndSWHardeningNeeded OutOfDate OutOfDateConfigurationNeeded; do
	tok "tcb-$L" sgx --sim "$SIM" --tcb "$L"
done
printf 'version=1.0; authorizationrules{=> permit();}; issuancerules{c:[type=="x-ms-sgx-svn"] => issue(type="s", value=c.value);};' >"$W/p.pol"
if "$ATTEST" policy set --url "$BASE" --type SgxEnclave --ca "$CA" --dev-token-dir "$D" "$W/p.pol" >/dev/null 2>&1; then
	tok sgx-stored-policy sgx --sim "$SIM"
	"$ATTEST" policy reset --url "$BASE" --type SgxEnclave --ca "$CA" --dev-token-dir "$D" >/dev/null 2>&1
fi
tok sgx-draft sgx --sim "$SIM" --draft-policy "$W/p.pol"

node "$V" "$BASE" "$TOKS" >"$W/jose.out" 2>&1
while read -r name _; do
	R=$(jq -c --arg n "$name" 'select(.name == $n)' "$W/jose.out" 2>/dev/null)
	case $name in
	sgx-draft)
		check_eq "jose refuses the draft-policy token (alg none)" "$(jq -r .ok <<<"$R")" false ;;
	*)
		check_eq "jose verifies $name" "$(jq -r '[.ok, .alg, .lifetime] | map(tostring) | join(" ")' <<<"$R")" "true RS256 28800"
		;;
	esac
done <"$TOKS"
check_eq "jose sees the TCB status of OutOfDate" \
	"$(jq -r 'select(.name == "tcb-OutOfDate") | .tcb' "$W/jose.out")" OutOfDate
check_eq "jose: jku is BASE/certs" "$(jq -r 'select(.name == "sgx-binary") | .jku' "$W/jose.out")" "$BASE/certs"

# --- @azure/attestation 1.0.0 ------------------------------------------------
if [ -d "$ATT_SRC_DIR/node_modules/@azure/attestation" ]; then
	H=$(sha256hex <"$W/rt.bin")
	HJ=$(sha256hex <"$W/rt.json")
	"$ATTEST" sim sgx quote "$SIM" -o "$W/q.bin" --report-data "$H" >/dev/null
	"$ATTEST" oe --sim "$SIM" --runtime-json "$W/rt.json" --request-only |
		jq -r .report | tr '_-' '/+' | base64 -d >"$W/oe.bin" 2>/dev/null
	(cd "$ATT_SRC_DIR" && node "$AZ" "$BASE" "$W/q.bin" "$W/oe.bin" "$W/rt.bin" "$W/rt.json") >"$W/az.out" 2>&1
	R=$(jq -c 'select(.name == "sgx-binary")' "$W/az.out" 2>/dev/null)
	check_eq "Azure SDK attestSgxEnclave: validated token, jose agrees" \
		"$(jq -r '[.ok, .jose, .alg, .verifierType] | map(tostring) | join(" ")' <<<"$R")" "true true RS256 sgx"
	check_eq "  ... enclaveHeldData = runtime data" "$(jq -r .ehd <<<"$R")" "$(od -An -v -tx1 "$W/rt.bin" | tr -d ' \n')"
	check_eq "  ... mrEnclave, productId, svn, debuggable, policy hash" \
		"$(jq -c '[(.mrEnclave | length), .productId, .svn, .isDebuggable, .policyHashLen]' <<<"$R")" '[64,1,1,false,32]'
	check_eq "  ... policyClaims (x-ms-policy) from the default policy" "$(jq -r .policyClaims.tee <<<"$R")" sgx
	check_eq "  ... issuer" "$(jq -r .issuer <<<"$R")" "$BASE"
	R=$(jq -c 'select(.name == "oe-json")' "$W/az.out" 2>/dev/null)
	check_eq "Azure SDK attestOpenEnclave with runTimeJson" \
		"$(jq -c '[.ok, .jose, .verifierType, .runTimeClaims]' <<<"$R")" "[true,true,\"sgx\",$(jq -c . "$W/rt.json")]"
	R=$(jq -c 'select(.name == "sgx-draft")' "$W/az.out" 2>/dev/null)
	check_eq "Azure SDK with a draft policy: unsigned token, jose refuses it" \
		"$(jq -r '[.ok, .alg, (.jose != true), .policyClaims["draft-svn"]] | map(tostring) | join(" ")' <<<"$R")" "true none true 1"
	R=$(jq -c 'select(.name == "sgx-mismatch")' "$W/az.out" 2>/dev/null)
	check_eq "Azure SDK sees InvalidParameter for mismatched runtime data" \
		"$(jq -r '[.ok, .code, .status] | map(tostring) | join(" ")' <<<"$R")" "false InvalidParameter 400"
else
	not_ok "@azure/attestation part: not installed (npm ci)"
fi

# --- real TDX quotes -----------------------------------------------------------
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
if [ -f "$TD/tdx/cases.json" ]; then
	att_stop
	cat >"$D/attest.json" <<EOF
{"verify_time_override": "2025-02-13T04:00:32Z",
 "collateral_import": ["$TD/tdx/collateral/dcaprs/tcbinfov3_00806f050000.json",
   "$TD/tdx/collateral/dcaprs/qeidentityv2_apiv4.json",
   "$TD/sgx/pki/tcb_signing_chain_2018.pem",
   "$TD/sgx/collateral/dcaprs/pck_platform_crl.der",
   "$TD/sgx/pki/root_ca_crl_2024-03-20.der"]}
EOF
	att_start "$D" "$PORT" || { att_stop; att_start "$D" "$PORT"; } ||
		{ not_ok "restart"; att_done; }
	: >"$TOKS"
	for q in gotdxguest_cos-113-tdx-quote.dat dcaprs_quote_tdx_00806f050000.dat trustee_az-tdx-vtpm_td-quote.bin; do
		tok "tdx-$q" "$ATTEST" tdx --url "$BASE" --ca "$CA" --quote "$TD/tdx/quotes/$q"
	done
	node "$V" "$BASE" "$TOKS" >"$W/jose.out" 2>&1
	while read -r name _; do
		check_eq "jose verifies $name" \
			"$(jq -r --arg n "$name" 'select(.name == $n) | [.ok, .type] | map(tostring) | join(" ")' "$W/jose.out")" "true tdxvm"
	done <"$TOKS"
else
	not_ok "TDX part: test vectors not found at $TD"
fi
att_done
