#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The SEV-SNP simulator through the CLI: `attest sim snp init` for each
# product and `attest sim snp report` (versions 2, 3, 5, VCEK and VLEK,
# certificate table, CRL output), checked with tools independent of
# attestd's parser: the files and their modes, the report fields at the
# offsets of the SEV-SNP ABI specification (od), and the chains and CRLs
# with `openssl verify` (RSASSA-PSS SHA-384); when `attest snp info`
# exists it must read the report too. Bad options are refused.
# Prints "N passed, M failed".
set -u

ATT_SRC_DIR=${ATT_SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ATT_BIN_DIR=${ATT_BIN_DIR:-$ATT_SRC_DIR/build}
ATTEST=$ATT_BIN_DIR/attest
PASS=0
FAIL=0

skip() {
	echo "FAIL (cannot run): $*"
	echo "0 passed, 1 failed"
	exit 77
}
[ -x "$ATTEST" ] || skip "$ATTEST not built"
command -v openssl >/dev/null || skip "openssl missing"
command -v jq >/dev/null || skip "jq missing"
"$ATTEST" sim snp --help >/dev/null 2>&1 || skip "attest sim snp missing"

# `attest snp` (info, verify) reads the reports when it is built in.
HAVE_SNP=
"$ATTEST" --help 2>&1 | grep -q "snp info" && HAVE_SNP=1
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
TMP=$(mktemp -d /tmp/attestd-snpsim-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi
}
# hexat FILE OFFSET LEN: the bytes as lower-case hex
hexat() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

for prod in milan genoa turin; do
	D=$TMP/$prod
	case $prod in
	milan) cpuid=190101 P=Milan tcb=3,0,8,115 ;;
	genoa) cpuid=191101 P=Genoa tcb=3,0,8,115 ;;
	turin) cpuid=1a0201 P=Turin tcb=3,0,8,115,1 ;;
	esac
	if "$ATTEST" sim snp init "$D" --product $prod --tcb $tcb >"$TMP/out" 2>&1; then
		ok "$prod: init"
	else
		not_ok "$prod: init: $(cat "$TMP/out")"
		continue
	fi
	for f in ark.pem ask.pem asvk.pem cert_chain.pem vlek_cert_chain.pem \
		vcek.der vlek.der crl.der crl_revoked.der manifest.json; do
		[ -s "$D/$f" ] || not_ok "$prod: $f missing"
	done
	expect "$prod: key modes" "$(stat -c %a "$D"/*.key | sort -u)" 600
	expect "$prod: manifest product" "$(jq -r .product "$D/manifest.json")" $P
	chip=$(jq -r .chip_id "$D/manifest.json")
	# ARK RSA-4096 self-signed, chains verify with PSS, CRL by the ARK
	expect "$prod: ARK is RSA-4096" \
		"$(openssl x509 -in "$D/ark.pem" -noout -text | grep -c 'Public-Key: (4096 bit)')" 1
	openssl x509 -in "$D/vcek.der" -inform der -out "$TMP/vcek.pem"
	openssl x509 -in "$D/vlek.der" -inform der -out "$TMP/vlek.pem"
	expect "$prod: VCEK <- ASK <- ARK" "$(openssl verify -CAfile "$D/ark.pem" \
		-untrusted "$D/ask.pem" "$TMP/vcek.pem" 2>&1 | tail -1)" "$TMP/vcek.pem: OK"
	expect "$prod: VLEK <- ASVK <- ARK" "$(openssl verify -CAfile "$D/ark.pem" \
		-untrusted "$D/asvk.pem" "$TMP/vlek.pem" 2>&1 | tail -1)" "$TMP/vlek.pem: OK"
	expect "$prod: VCEK not by the ASVK" "$(openssl verify -CAfile "$D/ark.pem" \
		-untrusted "$D/asvk.pem" "$TMP/vcek.pem" >/dev/null 2>&1; echo $?)" 2
	expect "$prod: PSS SHA-384" "$(openssl x509 -in "$TMP/vcek.pem" -noout -text |
		grep -c 'Hash Algorithm: sha384')" 2
	openssl crl -inform der -in "$D/crl.der" -out "$TMP/crl.pem"
	openssl crl -inform der -in "$D/crl_revoked.der" -out "$TMP/crlr.pem"
	expect "$prod: ASK not revoked by crl.der" "$(openssl verify -crl_check \
		-CAfile "$D/ark.pem" -CRLfile "$TMP/crl.pem" "$D/ask.pem" 2>&1 | tail -1)" "$D/ask.pem: OK"
	openssl verify -crl_check -CAfile "$D/ark.pem" -CRLfile "$TMP/crlr.pem" \
		"$D/ask.pem" >"$TMP/out" 2>&1
	expect "$prod: ASK revoked by crl_revoked.der" \
		"$(grep -c 'certificate revoked' "$TMP/out")" 1

	for v in 2 3 5; do
		R=$TMP/$prod-v$v.bin
		if "$ATTEST" sim snp report "$D" -o "$R" --version $v \
			--report-data 00112233 --host-data ff --vmpl 1 \
			--certtable "$R.table" >"$TMP/out" 2>&1; then
			ok "$prod v$v: report"
		else
			not_ok "$prod v$v: report: $(cat "$TMP/out")"
			continue
		fi
		expect "$prod v$v: size" "$(stat -c %s "$R")" 1184
		expect "$prod v$v: version" "$(hexat "$R" 0 4)" "0${v}000000"
		expect "$prod v$v: policy" "$(hexat "$R" 8 8)" 0000030000000000
		expect "$prod v$v: vmpl" "$(hexat "$R" 48 4)" 01000000
		expect "$prod v$v: sig algo" "$(hexat "$R" 52 4)" 01000000
		expect "$prod v$v: report data" "$(hexat "$R" 80 4)" 00112233
		expect "$prod v$v: host data" "$(hexat "$R" 192 2)" ff00
		if [ $v -ge 3 ]; then
			expect "$prod v$v: cpuid" "$(hexat "$R" 392 3)" $cpuid
		else
			expect "$prod v$v: no cpuid" "$(hexat "$R" 392 3)" 000000
		fi
		hw=$(hexat "$R" 416 64)
		expect "$prod v$v: chip id" "${hw:0:${#chip}}" "$chip"
		expect "$prod v$v: sig r high bytes zero" "$(hexat "$R" $((0x2A0 + 48)) 24)" \
			"$(printf '0%.0s' $(seq 48))"
		expect "$prod v$v: certtable 3 entries + zero" "$(hexat "$R.table" 72 24)" \
			"$(printf '0%.0s' $(seq 48))"
		if [ -n "$HAVE_SNP" ]; then
			"$ATTEST" snp info "$R" >"$TMP/out" 2>&1
			expect "$prod v$v: attest snp info reads it" $? 0
			expect "$prod v$v: info version" \
				"$(awk '$1 == "version" {print $2}' "$TMP/out")" $v
			"$ATTEST" snp verify "$R" --vek "$D/vcek.der" --chain \
				"$D/cert_chain.pem" --ark "$D/ark.pem" --at "$NOW" \
				>"$TMP/out" 2>&1
			expect "$prod v$v: attest snp verify accepts it" $? 0
			"$ATTEST" snp verify "$R" --vek "$D/vlek.der" --chain \
				"$D/vlek_cert_chain.pem" --ark "$D/ark.pem" \
				--at "$NOW" >"$TMP/out" 2>&1
			expect "$prod v$v: a VLEK does not vouch for it" $? 1
		fi
	done
	R=$TMP/$prod-vlek.bin
	"$ATTEST" sim snp report "$D" -o "$R" --vlek --crl-out "$R.crl" --revoked
	expect "$prod vlek: signer info" "$(hexat "$R" 72 4)" 04000000
	expect "$prod vlek: chip id zero" "$(hexat "$R" 416 64)" "$(printf '0%.0s' $(seq 128))"
	expect "$prod vlek: revoked CRL written" "$(cmp -s "$R.crl" "$D/crl_revoked.der"; echo $?)" 0
done

D=$TMP/milan
expect "init refuses an existing DIR" "$("$ATTEST" sim snp init "$D" >/dev/null 2>&1; echo $?)" 1
expect "bad product" "$("$ATTEST" sim snp init "$TMP/x" --product rome >/dev/null 2>&1; echo $?)" 2
expect "bad version" "$("$ATTEST" sim snp report "$D" -o "$TMP/r" --version 4 >/dev/null 2>&1; echo $?)" 1
expect "bad vmpl" "$("$ATTEST" sim snp report "$D" -o "$TMP/r" --vmpl 4 >/dev/null 2>&1; echo $?)" 2
expect "bad tcb" "$("$ATTEST" sim snp report "$D" -o "$TMP/r" --tcb 1,2 >/dev/null 2>&1; echo $?)" 2
expect "revoked needs crl-out" "$("$ATTEST" sim snp report "$D" -o "$TMP/r" --revoked >/dev/null 2>&1; echo $?)" 2
expect "no -o" "$("$ATTEST" sim snp report "$D" >/dev/null 2>&1; echo $?)" 2
expect "missing DIR" "$("$ATTEST" sim snp report "$TMP/none" -o "$TMP/r" >/dev/null 2>&1; echo $?)" 1

# `attest snp verify --collateral DIR` applies DIR/crl.der when present
# and says so in --json (crl_checked); the simulator's revoked CRL as
# DIR/crl.der refuses the report, naming the revoked certificate.
if [ -n "$HAVE_SNP" ]; then
	R=$TMP/crl-report.bin
	"$ATTEST" sim snp report "$D" -o "$R"
	vfy() { "$ATTEST" snp verify "$R" --collateral "$1" --ark "$D/ark.pem" --at "$NOW" --json; }
	J=$(vfy "$D")
	expect "verify --collateral, clean crl.der: verified, crl_checked" \
		"$(jq -c '[.verified, .crl_checked]' <<<"$J")" "[true,true]"
	C=$TMP/coll-revoked
	mkdir -p "$C" && cp "$D/vcek.der" "$D/cert_chain.pem" "$C/"
	J=$(vfy "$C")
	expect "verify --collateral, no crl.der: crl_checked false" \
		"$(jq -c '[.verified, .crl_checked]' <<<"$J")" "[true,false]"
	cp "$D/crl_revoked.der" "$C/crl.der"
	J=$(vfy "$C")
	expect "verify --collateral, revoked crl.der: exit 1" $? 1
	expect "  ... the error names the revoked ASK" "$(jq -r .error <<<"$J")" \
		"ASK (SEV-Milan) is revoked by the CRL of the ARK"
	"$ATTEST" snp verify "$R" --collateral "$C" --ark "$D/ark.pem" --at "$NOW" >"$TMP/out" 2>&1
	expect "  ... without --json too: exit 1 naming the revocation" \
		"$?:$(grep -c 'revoked by the CRL' "$TMP/out")" "1:1"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
