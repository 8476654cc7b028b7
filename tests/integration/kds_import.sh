#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `attestd collateral import` with AMD SEV-SNP collateral: the real VCEKs,
# the VLEK and the KDS cert_chain files of tests/vectors/sevsnp are stored
# under the keys the KDS cache reads (docs/collateral.md, "AMD KDS"): a
# VCEK by the product, hwID and TCB of its own extensions, chains by
# product and kind; the reports and cases.json of the tree are skipped. A
# VCEK with a broken AMD extension is refused and stores nothing.
# Prints "N passed, M failed".
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib/attestd.sh"

skip() {
	echo "FAIL (cannot run): $*"
	echo "0 passed, 1 failed"
	exit 77
}
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
[ -x "$ATTESTD" ] || skip "$ATTESTD not built"
[ -d "$TD/sevsnp/certs" ] || skip "testdata not found (set ATTESTD_TESTDATA)"
command -v python3 >/dev/null || skip "python3 missing"
command -v openssl >/dev/null || skip "openssl missing"

D=$T_TMP/data
keys() {
	python3 - "$D/attestd.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (k,) in db.execute("SELECT key FROM collateral_cache ORDER BY key"):
    print(k)
EOF
}
has_key() { keys | grep -qx "$1"; }
import_() { "$ATTESTD" collateral import --data-dir "$D" "$@"; }

out=$(import_ "$TD/sevsnp" 2>&1)
check_eq "import tests/vectors/sevsnp" "$?" 0
check_contains "report line" "$out" "item(s) from"
check "at least 13 AMD rows" test "$(keys | grep -c "^kds/")" -ge 13
GOSEV=3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d
for k in "kds/vcek/Milan/$GOSEV/0200000000000544" \
	kds/vcek/Turin/1e550a8ee5cf9f4d/0000000000000009 \
	kds/vlek/Milan/vlek/04000000000018d9 \
	kds/vcek/Milan/cert_chain kds/vlek/Milan/cert_chain \
	kds/vcek/Genoa/cert_chain kds/vlek/Turin/cert_chain; do
	check "row $k" has_key "$k"
done
check_eq "no DCAP row from AMD files" "$(keys | grep -c '^dcap/')" 0

# the VCEK as PEM lands on the same key
before=$(keys | wc -l)
openssl x509 -inform der -in "$TD/sevsnp/certs/gosevguest_vcek.der" \
	-out "$T_TMP/vcek.pem"
check "import a PEM VCEK" import_ "$T_TMP/vcek.pem"
check_eq "same key, no new row" "$(keys | wc -l)" "$before"

# a VCEK whose productName is cut short: refused, nothing stored
python3 - "$TD/sevsnp/certs/gosevguest_vcek.der" "$T_TMP/bad.der" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(bytes.fromhex("16084d696c616e2d4230"))  # IA5String "Milan-B0"
d[i:i + 2] = bytes.fromhex("1609")                 # length runs past it
open(sys.argv[2], "wb").write(d)
EOF
out=$(import_ "$T_TMP/bad.der" 2>&1)
if [ $? -ne 0 ]; then ok "a broken VCEK is refused"
else not_ok "a broken VCEK is refused"; fi
check_contains "refusal names AMD collateral" "$out" "AMD collateral"
check_eq "nothing stored by the refused import" "$(keys | wc -l)" "$before"

att_done
