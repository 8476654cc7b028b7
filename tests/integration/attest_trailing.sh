#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bytes after a quote's signature data (issue 9, item 9), against attestd
# in dev mode: a simulated SGX quote followed by 60,000 junk bytes, by
# 60,000 zero bytes, by zeros past the 8192-byte padding limit or by zero
# padding with one non-zero byte is refused with 400 InvalidParameter
# naming the length and the offset; zero padding within the limit (as the
# real TDX quotes carry: 3065 bytes up to an 8000-byte buffer) is accepted
# and reported in x-attestd-quote-trailing-bytes. An Open Enclave report
# with bytes past its declared size: junk refused, zeros accepted. Real
# quotes from the test vectors: go-tdx-guest's SPR_E4 sample with 39 ASCII
# bytes appended is refused, COS-113's zero padding is accepted (collateral
# imported, verify_time_override set), and with its last padding byte made
# non-zero it is refused. Other clients are served throughout.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W"
PORT=$(att_free_port)
att_start "$D" "$PORT" ||
	{ att_stop; rm -rf "$D"; PORT=$(att_free_port); att_start "$D" "$PORT"; } ||
	{ not_ok "attestd starts"; att_done; }
SIM=$D/sim
if [ ! -f "$SIM/manifest.json" ]; then
	att_curl -X POST "$BASE/attest/SgxEnclave" -d '{}' >/dev/null
fi
check "dev mode created the simulator" test -f "$SIM/root.pem"

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
unb64url() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf %s "$s" | base64 -d
}
# post TYPE FILE [MEMBER]: POST the evidence in FILE, status in att_status
post() { att_curl -X POST -H 'Content-Type: application/json' \
	"$BASE/attest/$1?api-version=2022-08-01" \
	--data-binary "{\"${3:-quote}\":\"$(b64url <"$2")\"}"; }
errcode() { jq -r .error.code; }
errmsg() { jq -r .error.message; }
claims() { "$ATTEST" token decode "$1" 2>/dev/null | jq -c .claims; }
# healthy: another client is answered
healthy() { curl -sf --max-time 2 --cacert "$CA" "$BASE/healthz" >/dev/null; }
junk() { head -c "$1" /dev/zero | tr '\0' 'A'; }

"$ATTEST" sgx --sim "$SIM" --request-only >"$W/sgx.req" 2>"$W/err"
jq -r .quote "$W/sgx.req" | unb64url >"$W/q.bin"
QL=$(wc -c <"$W/q.bin")
check "the simulated quote is a real DCAP quote size ($QL bytes)" test "$QL" -gt 1020

# --- the quote as made: 200, no trailing-bytes claim -------------------
OUT=$(post SgxEnclave "$W/q.bin")
check_eq "plain quote: 200" "$(att_status)" 200
C=$(claims "$(jq -r .token <<<"$OUT")")
check_eq "plain quote: no x-attestd-quote-trailing-bytes" \
	"$(jq -r 'has("x-attestd-quote-trailing-bytes")' <<<"$C")" false

# --- + 60,000 junk bytes ------------------------------------------------
{ cat "$W/q.bin"; junk 60000; } >"$W/junk.bin"
OUT=$(post SgxEnclave "$W/junk.bin")
check_eq "quote + 60000 junk bytes: 400 InvalidParameter" \
	"$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
check_contains "  ... naming length and offset" "$(errmsg <<<"$OUT")" \
	"60000 bytes after its signature data at offset $QL are not zero padding (byte 0x41 at offset $QL)"
check_contains "  ... and the rule" "$(errmsg <<<"$OUT")" \
	"only zero padding of at most 8192 bytes is accepted"
check "  ... and /healthz is answered meanwhile" healthy

# --- + 60,000 zero bytes: over the padding limit ----------------------------
{ cat "$W/q.bin"; head -c 60000 /dev/zero; } >"$W/z60k.bin"
OUT=$(post SgxEnclave "$W/z60k.bin")
check_eq "quote + 60000 zero bytes: 400 InvalidParameter" \
	"$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
check_contains "  ... naming the padding limit" "$(errmsg <<<"$OUT")" \
	"60000 zero bytes after its signature data at offset $QL exceed the 8192-byte padding limit"

# --- zero padding within the limit: accepted and reported --------------
{ cat "$W/q.bin"; head -c 3065 /dev/zero; } >"$W/z3065.bin"
OUT=$(post SgxEnclave "$W/z3065.bin")
check_eq "quote + 3065 zero bytes (an 8000-byte buffer's padding): 200" "$(att_status)" 200
TOK=$(jq -r .token <<<"$OUT")
check_eq "  ... x-attestd-quote-trailing-bytes = 3065" \
	"$(claims "$TOK" | jq -r '."x-attestd-quote-trailing-bytes"')" 3065
check "  ... the token verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$TOK"
{ cat "$W/q.bin"; head -c 8192 /dev/zero; } >"$W/z8192.bin"
post SgxEnclave "$W/z8192.bin" >/dev/null
check_eq "quote + 8192 zero bytes (the limit): 200" "$(att_status)" 200
{ cat "$W/q.bin"; head -c 8193 /dev/zero; } >"$W/z8193.bin"
OUT=$(post SgxEnclave "$W/z8193.bin")
check_eq "quote + 8193 zero bytes: 400" "$(att_status)" 400
check_contains "  ... 8193 zero bytes named" "$(errmsg <<<"$OUT")" "8193 zero bytes after its signature data"

# --- zero padding with one non-zero byte -----------------------------------
{ cat "$W/q.bin"; head -c 99 /dev/zero; printf '\001'; } >"$W/z99x.bin"
OUT=$(post SgxEnclave "$W/z99x.bin")
check_eq "zero padding ending in 0x01: 400 InvalidParameter" \
	"$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
check_contains "  ... naming where the non-zero byte is" "$(errmsg <<<"$OUT")" \
	"100 bytes after its signature data at offset $QL are not zero padding (byte 0x01 at offset $((QL + 99)))"

# --- Open Enclave: bytes past the declared size --------------------------
"$ATTEST" oe --sim "$SIM" --request-only >"$W/oe.req" 2>"$W/err"
jq -r .report "$W/oe.req" | unb64url >"$W/oe.bin"
OL=$(wc -c <"$W/oe.bin")
SZ=$((OL - 16))
check_eq "OE report header declares the quote's size" \
	"$(head -c 16 "$W/oe.bin" | od -An -v -tu4 | tr -s ' ' | sed 's/^ //;s/ $//')" "1 2 $SZ 0"
post OpenEnclave "$W/oe.bin" report >/dev/null
check_eq "OE report as made: 200" "$(att_status)" 200
{ cat "$W/oe.bin"; printf 'extra bytes past the declared size!!!!!!'; } >"$W/oe-junk.bin"
OUT=$(post OpenEnclave "$W/oe-junk.bin" report)
check_eq "OE report + 40 bytes past its declared size: 400 InvalidParameter" \
	"$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
check_contains "  ... naming the declared size and the offset" "$(errmsg <<<"$OUT")" \
	"oe report: 40 bytes after its declared size of $SZ bytes at offset $OL are not zero padding (byte 0x65 at offset $OL)"
{ cat "$W/oe.bin"; head -c 40 /dev/zero; } >"$W/oe-zero.bin"
OUT=$(post OpenEnclave "$W/oe-zero.bin" report)
check_eq "OE report + 40 zero bytes past its declared size: 200" "$(att_status)" 200
check_eq "  ... x-attestd-quote-trailing-bytes = 40" \
	"$(claims "$(jq -r .token <<<"$OUT")" | jq -r '."x-attestd-quote-trailing-bytes"')" 40

# --- real quotes of the test vectors -----------------------------------------
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
SPR=$TD/tdx/quotes/gotdxguest_tdx_prod_quote_SPR_E4.dat
COS=$TD/tdx/quotes/gotdxguest_cos-113-tdx-quote.dat
if [ ! -f "$SPR" ] || [ ! -f "$COS" ]; then
	not_ok "test vectors not found at $TD"
	att_done
fi
OUT=$(post TdxVm "$SPR")
check_eq "SPR_E4 (39 ASCII bytes appended by go-tdx-guest): 400 InvalidParameter" \
	"$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
check_contains "  ... naming them" "$(errmsg <<<"$OUT")" \
	"39 bytes after its signature data at offset 4935 are not zero padding (byte 0x0a at offset 4935)"
post SgxEnclave "$W/q.bin" >/dev/null
check_eq "a plain SGX quote still attests after the refusals" "$(att_status)" 200
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
	{ not_ok "restart with attest.json"; att_done; }
OUT=$(post TdxVm "$COS")
check_eq "COS-113 (8000-byte buffer, 3065 zero bytes of padding): 200" "$(att_status)" 200
check_eq "  ... x-attestd-quote-trailing-bytes = 3065" \
	"$(claims "$(jq -r .token <<<"$OUT")" | jq -r '."x-attestd-quote-trailing-bytes"')" 3065
{ head -c 7999 "$COS"; printf '\377'; } >"$W/cos-x.bin"
OUT=$(post TdxVm "$W/cos-x.bin")
check_eq "COS-113 with its last padding byte 0xff: 400 InvalidParameter" \
	"$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
check_contains "  ... naming it" "$(errmsg <<<"$OUT")" \
	"3065 bytes after its signature data at offset 4935 are not zero padding (byte 0xff at offset 7999)"
check "other clients are still served (/healthz)" healthy
att_done
