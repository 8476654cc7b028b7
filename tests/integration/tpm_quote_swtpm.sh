#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Quotes from a real TPM (swtpm) in every signing scheme attestd accepts,
# verified by `attest tpm verify-quote`: RSASSA-SHA256, RSAPSS-SHA256
# (libtpms' salt = digest length), ECDSA P-256/SHA-256 and ECDSA
# P-384/SHA-384, each over a two-bank selection (sha256:0,1,7 + sha1:0,7,
# so the pcrDigest order across banks is exercised) after extending PCR 7.
# The PCR values come from tpm2_pcrread. A wrong nonce, a changed PCR
# value, a missing bank, a mask the selection does not cover and another
# AK are refused.
. "$(dirname "$0")/lib/attestd.sh"

skip() {
	echo "FAIL (cannot run): $*"
	echo "0 passed, 1 failed"
	exit 77
}
[ -x "$ATTEST" ] || skip "$ATTEST not built"
for t in swtpm tpm2_createek tpm2_createak tpm2_quote tpm2_pcrread \
	tpm2_pcrextend tpm2_flushcontext jq; do
	command -v "$t" >/dev/null || skip "$t missing"
done

. "$(dirname "$0")/lib/swtpm_plain.sh"
start_swtpm || { cat "$T_TMP/swtpm.log"; not_ok "swtpm starts"; att_done; }
check "swtpm answers" tpm2_getrandom 8
flush() { tpm2_flushcontext -t >/dev/null 2>&1; tpm2_flushcontext -s >/dev/null 2>&1; }

SEL="sha256:0,1,7+sha1:0,7"
D=$T_TMP
check "create EK" tpm2_createek -c "$D/ek.ctx" -G rsa -u "$D/ek.pub"
flush
check "extend PCR 7" tpm2_pcrextend \
	"7:sha256=$(printf '%064x' 7),sha1=$(printf '%040x' 7)"

# pcrs_json: tpm2_pcrread's YAML as {"sha256": {"0": "<hex>"}, ...}
pcrs_json() {
	awk 'BEGIN { printf "{" }
	     /^  [a-z0-9_]+:$/ { b = $1; sub(":", "", b); if (nb++) printf "},";
	                         printf "\"%s\":{", b; n = 0; next }
	     /^ +[0-9]+ +: 0x/ { v = tolower($3); sub("0x", "", v);
	                         if (n++) printf ","; printf "\"%s\":\"%s\"", $1, v }
	     END { if (nb) printf "}"; printf "}\n" }'
}
tpm2_pcrread "$SEL" 2>/dev/null | pcrs_json >"$D/pcrs.json"
check_eq "PCR values read (2 banks, 5 PCRs)" \
	"$(jq '[.[] | keys[]] | length' "$D/pcrs.json")" 5

# one NAME ALG HASH SCHEME
one() {
	local n=$1 alg=$2 hash=$3 scheme=$4 k=$D/$1
	flush
	if ! tpm2_createak -C "$D/ek.ctx" -c "$k.ctx" -G "$alg" -g "$hash" -s "$scheme" \
		-u "$k.pub" -n "$k.name" -f tss >/dev/null 2>&1; then
		not_ok "$n: create AK"
		return
	fi
	flush
	if ! tpm2_quote -c "$k.ctx" -l "$SEL" -q 0badc0de -m "$k.quote" -s "$k.sig" \
		--scheme "$scheme" -g "$hash" >/dev/null 2>&1; then
		not_ok "$n: tpm2_quote"
		return
	fi
	flush
	v() { "$ATTEST" tpm verify-quote --quote "$k.quote" --sig "$k.sig" "$@"; }
	OUT=$(v --ak-pub "$k.pub" --nonce 0badc0de --pcrs "$D/pcrs.json" --mask 83 2>&1)
	check_contains "$n: quote verifies (signature, nonce, two-bank pcrDigest)" "$OUT" "quote OK"
	check_contains "$n: selection read back" "$OUT" "selection: sha1 0x000081"
	ERR=$(v --ak-pub "$k.pub" --nonce 0badc0df 2>&1)
	check_contains "$n: wrong nonce" "$ERR" "extraData"
	jq '.sha1["7"] = ("ff" + .sha1["7"][2:])' "$D/pcrs.json" >"$k.bad.json"
	ERR=$(v --ak-pub "$k.pub" --pcrs "$k.bad.json" 2>&1)
	check_contains "$n: changed PCR value" "$ERR" "pcrDigest"
	jq 'del(.sha1)' "$D/pcrs.json" >"$k.nosha1.json"
	ERR=$(v --ak-pub "$k.pub" --pcrs "$k.nosha1.json" 2>&1)
	check_contains "$n: missing bank" "$ERR" "no value was supplied"
	ERR=$(v --ak-pub "$k.pub" --mask 87 2>&1)
	check_contains "$n: mask not covered" "$ERR" "does not cover"
}

one rsassa rsa sha256 rsassa
one rsapss rsa sha256 rsapss
one ecdsa256 ecc sha256 ecdsa
one ecdsa384 ecc384 sha384 ecdsa

if [ -f "$D/rsassa.pub" ] && [ -f "$D/ecdsa256.quote" ]; then
	ERR=$("$ATTEST" tpm verify-quote --quote "$D/ecdsa256.quote" --sig "$D/ecdsa256.sig" \
		--ak-pub "$D/rsassa.pub" 2>&1)
	check_contains "ECDSA quote with an RSA AK is refused" "$ERR" "AIK"
	ERR=$("$ATTEST" tpm verify-quote --quote "$D/rsapss.quote" --sig "$D/rsassa.sig" \
		--ak-pub "$D/rsassa.pub" 2>&1)
	check_contains "signature of another quote is refused" "$ERR" "does not verify"
fi
att_done
