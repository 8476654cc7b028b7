#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `attestd collateral import --data-dir DIR FILE|DIR`: a dcap-qvl bundle,
# a directory of PCS response files and DER CRLs, and (when the simulator
# CLI is built) a whole `attest sim sgx init` directory are imported into
# the data dir's store; the collateral_cache rows are checked with
# python3's sqlite3 (keys by FMSPC/TEE/CA, no private key ever stored).
# A lone certificate and a malformed TCB Info are refused and store
# nothing. Skipped until the command is wired into attestd.
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
"$ATTESTD" --help 2>&1 | grep -q 'collateral import' ||
	"$ATTESTD" 2>&1 | grep -q 'collateral import' ||
	skip "attestd has no 'collateral import' command yet"
[ -d "$TD/sgx/collateral" ] || skip "testdata not found (set ATTESTD_TESTDATA)"
command -v python3 >/dev/null || skip "python3 missing"

D=$T_TMP/data
# keys: the collateral_cache keys of DIR's store, one per line, sorted.
keys() {
	python3 - "$1/attestd.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (k,) in db.execute("SELECT key FROM collateral_cache ORDER BY key"):
    print(k)
EOF
}
has_key() { keys "$D" | grep -qx "$1"; }
bodies_with() {
	python3 - "$D/attestd.db" "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = sum(1 for (b,) in db.execute("SELECT body FROM collateral_cache")
        if sys.argv[2].encode() in (b if isinstance(b, bytes) else b.encode()))
print(n)
EOF
}
import_() { "$ATTESTD" collateral import --data-dir "$D" "$@"; }

# 1. the dcap-qvl bundle (SGX, FMSPC 00A067110000, Processor CA)
check "import the dcap-qvl bundle" \
	import_ "$TD/sgx/collateral/dcapqvl/sgx_quote_collateral.json"
for k in dcap/tcbinfo/sgx/00A067110000 dcap/qeidentity/sgx \
	dcap/pckcrl/processor dcap/rootcacrl dcap/chain/tcbsigning; do
	check "bundle row $k" has_key "$k"
done

# 2. a directory of PCS files (TDX, October 2025) plus a root CRL
mkdir -p "$T_TMP/tdx"
cp "$TD"/tdx/collateral/automata_1025/* "$T_TMP/tdx/"
cp "$TD/sgx/pki/root_ca_crl_2025-03-20.der" "$TD/sgx/pki/tcb_signing_chain_2025.pem" \
	"$TD/sgx/pki/intel_sgx_root_ca.pem" "$T_TMP/tdx/"
out=$(import_ "$T_TMP/tdx" 2>&1)
check_eq "import a directory" "$?" 0
for k in dcap/tcbinfo/tdx/00806F050000 dcap/qeidentity/tdx dcap/pckcrl/platform; do
	check "directory row $k" has_key "$k"
done

# 3. refusals store nothing
before=$(keys "$D" | wc -l)
out=$(import_ "$TD/sgx/pki/intel_sgx_root_ca.pem" 2>&1)
if [ $? -ne 0 ]; then ok "a lone root certificate is refused"
else not_ok "a lone root certificate is refused"; fi
check_contains "refusal names the reason" "$out" "not DCAP collateral"
printf '{"tcbInfo":{"version":3},"signature":"00"}' >"$T_TMP/bad.json"
check_fails "a malformed TCB Info is refused" import_ "$T_TMP/bad.json"
check_eq "nothing stored by refused imports" "$(keys "$D" | wc -l)" "$before"

# 4. a simulator directory: keys and certificates skipped
if [ -x "$ATTEST" ] && "$ATTEST" sim sgx init "$T_TMP/sim" >/dev/null 2>&1; then
	check "import a simulator directory" import_ "$T_TMP/sim"
	check "simulator PCK Platform CA chain stored" has_key dcap/chain/pckcrl/platform
	check_eq "no private key in the store" "$(bodies_with 'PRIVATE KEY')" 0
fi

att_done
