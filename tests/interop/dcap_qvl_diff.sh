#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Differential test: every DCAP case of testdata (sgx/ and tdx/cases.json)
# through `attest quote verify --json` and through @phala/dcap-qvl (pure
# JS); verdict, TCB status and advisory IDs must agree except for the
# documented divergences listed in dcap_qvl_diff.mjs.
# Prints one line per case and "N passed, M failed". Skips (77) when
# testdata, node or the npm package is absent.
set -u
SRC=${ATT_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${ATT_BIN_DIR:-$SRC/build}
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$SRC/tests/vectors}}
MJS=$SRC/tests/interop/dcap_qvl_diff.mjs

if [ ! -f "$TD/sgx/cases.json" ] || [ ! -f "$TD/tdx/cases.json" ]; then
	echo "FAIL (cannot run): testdata not found ($TD)"; echo "0 passed, 1 failed"; exit 77
fi
if ! command -v node >/dev/null || [ ! -d "$SRC/node_modules/@phala/dcap-qvl" ]; then
	echo "FAIL (cannot run): node or @phala/dcap-qvl missing"; echo "0 passed, 1 failed"; exit 77
fi
if [ ! -x "$BIN/attest" ]; then
	echo "FAIL: $BIN/attest not built"; echo "0 passed, 1 failed"; exit 1
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export ATT_SRC_DIR=$SRC
node "$MJS" args "$TD" > "$OUT/args.tsv" || { echo "0 passed, 1 failed"; exit 1; }
while IFS=$'\t' read -r -a a; do
	id=${a[0]}
	"$BIN/attest" quote verify "${a[@]:1}" > "$OUT/$id.json" 2> "$OUT/$id.err"
	rc=$?
	# exit status must match the verdict in the JSON
	if grep -q '"verified": true' "$OUT/$id.json"; then want=0; else want=1; fi
	if [ "$rc" != "$want" ]; then
		echo "FAIL $id: attest exit status $rc but JSON says verified=$([ $want = 0 ] && echo true || echo false)"
		echo '{}' > "$OUT/$id.json"
	fi
done < "$OUT/args.tsv"
cd "$SRC" && node "$MJS" compare "$TD" "$OUT"
