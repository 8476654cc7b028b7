#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `attest quote verify --claims` and attestd's /attest routes make their
# claims through the same verifier code (src/verify): for a real TDX quote
# and a real SGX quote of tests/vectors, with their collateral imported
# into attestd and verify_time_override set to the case's time, every
# claim the CLI prints is in the token with the same value, and the token
# holds no evidence claim the CLI lacks (only the token's own: times,
# issuer, jti, nonce, policy hash and issued claims, the verify-time
# marker, the dev-mode marker). The collateral hash claims are compared by name only (see
# HASHES). Loopback only; attestd is stopped by the trap.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
if [ ! -f "$TD/tdx/cases.json" ] || [ ! -f "$TD/sgx/cases.json" ]; then
	not_ok "test vectors not found at $TD"
	att_done
fi
W=$T_TMP/work
mkdir -p "$W"
PORT=$(att_free_port)
claims() { "$ATTEST" token decode "$1" 2>/dev/null | jq -c .claims; }
# The token's own claims, and the policy's: not evidence claims.
OWN='["iat","nbf","exp","iss","jti","nonce","x-ms-policy-hash","x-ms-policy","x-attestd-verify-time-override","x-attestd-dev-mode","x-ms-sgx-is-debuggable","is-debuggable","sgx-mrsigner","sgx-mrenclave","product-id","svn","tee"]'

# The collateral hashes are of the collateral's bytes as each side holds
# them (the CLI: the files given; attestd: the items its store assembled,
# e.g. a CRL kept as DER where the bundle has hex), so only their names are
# compared.
HASHES='["x-ms-sgx-collateral","maa-attestationcollateral","x-attestd-collateral"]'

# compare NAME CLI_JSON TOKEN_CLAIMS
compare() {
	local n
	n=$(jq 'length' <<<"$2")
	check "$1: attest quote verify --claims prints claims ($n)" test "${n:-0}" -ge 10
	check_eq "$1: every CLI claim is in the token with the same value" \
		"$(jq -n --argjson c "$2" --argjson t "$3" --argjson h "$HASHES" \
			'[$c | to_entries[] | select(.key as $k | $h | index($k) | not) | select($t[.key] != .value) | .key]' | jq -c .)" "[]"
	check_eq "$1: the collateral hash claims name the same hashes" \
		"$(jq -n --argjson c "$2" --argjson t "$3" --argjson h "$HASHES" \
			'[$h[] as $k | select($c | has($k)) | ($c[$k] | keys) == ($t[$k] | keys)] | all' )" "true"
	check_eq "$1: the token has no evidence claim the CLI lacks" \
		"$(jq -n --argjson c "$2" --argjson t "$3" --argjson own "$OWN" \
			'[$t | keys[] | . as $k | select(($c | has($k)) | not) | select(($own | index($k)) == null)]' | jq -c .)" "[]"
}

# run DIR AT IMPORTS...: (re)start attestd on DIR with verify_time_override
# AT and the collateral files imported.
run() {
	local dir=$1 at=$2
	shift 2
	mkdir -p "$dir"
	jq -n --arg at "$at" '{verify_time_override: $at, collateral_import: $ARGS.positional}' \
		--args "$@" >"$dir/attest.json"
	att_start "$dir" "$PORT" || { att_stop; PORT=$(att_free_port); att_start "$dir" "$PORT"; }
}

# --- TDX (go-tdx-guest COS-113 quote, DCAP collateral of dcap-rs) ----------
AT=2025-02-13T04:00:32Z
TCB=$TD/tdx/collateral/dcaprs/tcbinfov3_00806f050000.json
QEI=$TD/tdx/collateral/dcaprs/qeidentityv2_apiv4.json
CHAIN=$TD/sgx/pki/tcb_signing_chain_2018.pem
PCKCRL=$TD/sgx/collateral/dcaprs/pck_platform_crl.der
ROOTCRL=$TD/sgx/pki/root_ca_crl_2024-03-20.der
Q=$TD/tdx/quotes/gotdxguest_cos-113-tdx-quote.dat
if run "$T_TMP/d1" "$AT" "$TCB" "$QEI" "$CHAIN" "$PCKCRL" "$ROOTCRL"; then
	TOK=$("$ATTEST" tdx --url "$BASE" --ca "$CA" --quote "$Q" --nonce n1 2>"$W/err")
	check "TDX: attestd issues a token" test -n "$TOK"
	CLI=$("$ATTEST" quote verify "$Q" --at "$AT" --tcb-info "$TCB" \
		--qe-identity "$QEI" --tcb-chain "$CHAIN" --pck-crl "$PCKCRL" \
		--root-crl "$ROOTCRL" --claims 2>"$W/cerr")
	check "TDX: attest quote verify --claims exits 0" test -n "$CLI"
	[ -n "$TOK" ] && [ -n "$CLI" ] && compare TDX "$CLI" "$(claims "$TOK")"
	check_eq "TDX: CLI says tdxvm" "$(jq -r '."x-ms-attestation-type"' <<<"${CLI:-{\}}")" tdxvm
	att_stop
else
	not_ok "TDX: attestd starts with the collateral imported"
fi

# --- SGX (Intel DCAP QVL sample quote and its collateral bundle) -----------
AT=2025-07-01T00:00:00Z
B=$TD/sgx/collateral/dcapqvl/sgx_quote_collateral.json
Q=$TD/sgx/quotes/dcapqvl_sgx_quote.bin
if run "$T_TMP/d2" "$AT" "$B"; then
	TOK=$("$ATTEST" sgx --url "$BASE" --ca "$CA" --quote "$Q" 2>"$W/err")
	check "SGX: attestd issues a token" test -n "$TOK"
	[ -n "$TOK" ] || head -3 "$W/err"
	CLI=$("$ATTEST" quote verify "$Q" --at "$AT" --collateral "$B" --claims 2>"$W/cerr")
	check "SGX: attest quote verify --claims exits 0" test -n "$CLI"
	[ -n "$TOK" ] && [ -n "$CLI" ] && compare SGX "$CLI" "$(claims "$TOK")"
	check_eq "SGX: CLI mrenclave is the case's" "$(jq -r '."x-ms-sgx-mrenclave"' <<<"${CLI:-{\}}")" \
		"$(jq -r '.cases[] | select(.id == "sgx_dcapqvl_v3") | .fields.mrenclave' "$TD/sgx/cases.json")"
	att_stop
else
	not_ok "SGX: attestd starts with the collateral imported"
fi

# --- the CLI refuses what does not verify, without claims ------------------
OUT=$("$ATTEST" quote verify "$Q" --at 2030-01-01T00:00:00Z --collateral "$B" --claims 2>&1)
RC=$?
check_eq "expired collateral: exit 1" "$RC" 1
check_contains "expired collateral: the error is named, no claims" "$OUT" "attest: quote verify:"
att_done
