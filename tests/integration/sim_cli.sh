#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The SGX simulator through the CLI: `attest sim sgx init` + `attest sim sgx
# quote` (+ `collateral`) checked with `attest quote verify --json` at a
# fixed time (every TCB level, claims, formats, revoked PCK, expired and
# foreign collateral, wrong root), and, when node and @phala/dcap-qvl are
# installed, cross-checked with that independent verifier.
# Prints "N passed, M failed".
set -u

ATT_SRC_DIR=${ATT_SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ATT_BIN_DIR=${ATT_BIN_DIR:-$ATT_SRC_DIR/build}
ATTEST=$ATT_BIN_DIR/attest
PASS=0
FAIL=0
T=2025-07-01T00:00:00Z

skip() {
	echo "FAIL (cannot run): $*"
	echo "0 passed, 1 failed"
	exit 77
}
[ -x "$ATTEST" ] || skip "$ATTEST not built"
command -v jq >/dev/null || skip "jq missing"
"$ATTEST" quote verify --help >/dev/null 2>&1 || skip "attest quote verify missing"

TMP=$(mktemp -d /tmp/attestd-sim-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
D=$TMP/sim
D2=$TMP/other

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
# expect DESC ACTUAL WANTED
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi
}

# verify QUOTE [BUNDLE] [ROOT] [extra args...]: prints the JSON result.
verify() {
	local q=$1 b=${2:-$D/collateral.json} r=${3:-$D/root.pem}
	shift 3 2>/dev/null || shift $#
	"$ATTEST" quote verify "$q" --collateral "$b" --root-ca "$r" --at "$T" \
		--json "$@" 2>/dev/null
}

# --- init ---
out=$("$ATTEST" sim sgx init "$D" --now "$T" 2>&1)
expect "init exits 0" "$?" 0
case $out in *"never trust"*) ok "init warns about production" ;;
*) not_ok "init warning missing: $out" ;; esac
"$ATTEST" sim sgx init "$D" --now "$T" >/dev/null 2>&1
expect "second init without --force refused" "$?" 1
for k in root.key processor_ca.key platform_ca.key tcb_signing.key \
	qe_attestation_key.pem processor/pck.key platform/pck.key; do
	expect "$k is 0600" "$(stat -c %a "$D/$k" 2>/dev/null)" 600
done
for f in root.pem collateral.json manifest.json README root_ca_crl.der \
	root_ca_crl.pem pck_processor_crl.der pck_platform_crl.pem \
	qe_identity.json processor/tcb_info.json platform/collateral.json; do
	[ -s "$D/$f" ] && ok "$f exists" || not_ok "$f missing"
done
expect "bundle fields (sgx_ql_qve_collateral_t order)" \
	"$(jq -c 'keys_unsorted' "$D/collateral.json")" \
	'["pck_crl_issuer_chain","root_ca_crl","pck_crl","tcb_info_issuer_chain","tcb_info","tcb_info_signature","qe_identity_issuer_chain","qe_identity","qe_identity_signature"]'
expect "root CA CRL is hex of root_ca_crl.der" \
	"$(jq -r .root_ca_crl "$D/collateral.json")" \
	"$(od -An -v -tx1 "$D/root_ca_crl.der" | tr -d ' \n')"
expect "TCB Info v3 SGX" "$(jq -r '.tcb_info | fromjson | "\(.id) \(.version) \(.fmspc)"' "$D/collateral.json")" \
	"SGX 3 00906ED50000"
expect "TCB Info issueDate = now-1d" \
	"$(jq -r '.tcb_info | fromjson | .issueDate' "$D/collateral.json")" \
	"2025-06-30T00:00:00Z"

# --- every TCB level, both platforms ---
declare -A ADV=(
	[UpToDate]=''
	[SWHardeningNeeded]='INTEL-SA-00615'
	[ConfigurationNeeded]='INTEL-SA-00289'
	[ConfigurationAndSWHardeningNeeded]='INTEL-SA-00289,INTEL-SA-00615'
	[OutOfDate]='INTEL-SA-00615,INTEL-SA-00657,INTEL-SA-00767'
	[OutOfDateConfigurationNeeded]='INTEL-SA-00289,INTEL-SA-00614,INTEL-SA-00615,INTEL-SA-00617'
)
for p in processor platform; do
	for l in "${!ADV[@]}"; do
		"$ATTEST" sim sgx quote "$D" --platform "$p" --tcb "$l" -o "$TMP/q.bin"
		j=$(verify "$TMP/q.bin" "$D/$p/collateral.json" "$D/root.pem")
		expect "$p $l" "$(jq -r '"\(.verified) \(.tcb_status) \(.pck_ca)"' <<<"$j")" \
			"true $l $p"
		expect "$p $l advisories" \
			"$(jq -r '.advisory_ids | sort | join(",")' <<<"$j")" "${ADV[$l]}"
	done
	"$ATTEST" sim sgx quote "$D" --platform "$p" --tcb Revoked -o "$TMP/q.bin"
	j=$(verify "$TMP/q.bin" "$D/$p/collateral.json" "$D/root.pem")
	expect "$p TCB level Revoked" "$(jq -r '"\(.verified) \(.error_code)"' <<<"$j")" \
		"false ATT_ERR_REVOKED"
	"$ATTEST" sim sgx quote "$D" --platform "$p" --tcb none -o "$TMP/q.bin"
	j=$(verify "$TMP/q.bin" "$D/$p/collateral.json" "$D/root.pem")
	expect "$p below every level" "$(jq -r .error_code <<<"$j")" \
		ATT_ERR_TCB_NOT_FOUND
done

# --- claims and formats ---
MRE=$(printf 'ab%.0s' $(seq 32))
MRS=$(printf 'cd%.0s' $(seq 32))
"$ATTEST" sim sgx quote "$D" --mrenclave "$MRE" --mrsigner "$MRS" \
	--isvprodid 7 --isvsvn 3 --debug --report-data 00112233 \
	--config-id 99 --config-svn 5 -o "$TMP/c.bin"
j=$(verify "$TMP/c.bin")
expect "claims" "$(jq -r '"\(.verified) \(.mrenclave) \(.mrsigner) \(.isvprodid) \(.isvsvn) \(.is_debuggable) \(.config_svn)"' <<<"$j")" \
	"true $MRE $MRS 7 3 true 5"
expect "report data zero-padded" "$(jq -r '.report_data[0:10]' <<<"$j")" 0011223300
expect "config id" "$(jq -r '.config_id[0:4]' <<<"$j")" 9900
expect "KSS + DEBUG attributes" "$(jq -r '.attributes[0:2]' <<<"$j")" 87
"$ATTEST" sim sgx quote "$D" -o "$TMP/n.bin"
expect "non-debug enclave" "$(verify "$TMP/n.bin" | jq -r .is_debuggable)" false
for f in hex base64; do
	"$ATTEST" sim sgx quote "$D" --format "$f" -o "$TMP/q.$f"
	expect "--format $f verifies" "$(verify "$TMP/q.$f" | jq -r .verified)" true
done
"$ATTEST" sim sgx quote "$D" --qe-isvsvn 6 -o "$TMP/q.bin"
expect "out-of-date QE converges" \
	"$(verify "$TMP/q.bin" | jq -r '"\(.tcb_status) \(.qe_tcb_status)"')" \
	"OutOfDate OutOfDate"
expect "quote info" "$("$ATTEST" quote info "$TMP/n.bin" | jq -r '"\(.fmspc) \(.ca)"')" \
	"00906ED50000 processor"
"$ATTEST" sim sgx quote "$D" --tcb Bogus -o "$TMP/x.bin" 2>/dev/null
expect "unknown --tcb rejected" "$?" 1
"$ATTEST" sim sgx quote "$D" --mrenclave 12 -o "$TMP/x.bin" 2>/dev/null
expect "short --mrenclave rejected" "$?" 2

# --- failures ---
"$ATTEST" sim sgx quote "$D" --revoked -o "$TMP/r.bin"
j=$(verify "$TMP/r.bin")
expect "revoked PCK" "$(jq -r .error_code <<<"$j")" ATT_ERR_REVOKED
case $(jq -r .error <<<"$j") in *PCK*) ok "revoked PCK message" ;;
*) not_ok "revoked PCK message: $j" ;; esac

"$ATTEST" sim sgx init "$D2" --now "$T" >/dev/null
expect "wrong root" "$(verify "$TMP/n.bin" "$D/collateral.json" "$D2/root.pem" | jq -r .error_code)" \
	ATT_ERR_CHAIN_INVALID
"$ATTEST" quote verify "$TMP/n.bin" --collateral "$D/collateral.json" \
	--at "$T" --json >/dev/null 2>&1
expect "Intel's root does not trust the simulator" "$?" 1

"$ATTEST" sim sgx collateral "$D" --now "$T" --tcb-info-issue-date now-31d \
	--tcb-info-next-update 2025-06-30T23:00:00Z -o "$TMP/old.json"
j=$(verify "$TMP/n.bin" "$TMP/old.json" "$D/root.pem")
expect "expired TCB Info" "$(jq -r .error_code <<<"$j")" ATT_ERR_EXPIRED
j=$(verify "$TMP/n.bin" "$TMP/old.json" "$D/root.pem" --allow-expired-collateral)
expect "expired TCB Info, QvE style" \
	"$(jq -r '"\(.verified) \(.collateral_expired)"' <<<"$j")" "true true"
"$ATTEST" sim sgx collateral "$D" --now "$T" --next-update now-1d \
	--issue-date now-30d -o "$TMP/old2.json"
expect "everything expired" \
	"$(verify "$TMP/n.bin" "$TMP/old2.json" "$D/root.pem" | jq -r .error_code)" \
	ATT_ERR_EXPIRED
"$ATTEST" sim sgx collateral "$D" --now "$T" --pck-crl-issue-date now+1d -o "$TMP/future.json"
expect "PCK CRL not yet valid" \
	"$(verify "$TMP/n.bin" "$TMP/future.json" "$D/root.pem" | jq -r .error_code)" \
	ATT_ERR_NOT_YET_VALID
"$ATTEST" sim sgx collateral "$D" --now "$T" --fmspc 00A067110000 -o "$TMP/fm.json"
expect "foreign FMSPC" \
	"$(verify "$TMP/n.bin" "$TMP/fm.json" "$D/root.pem" | jq -r .error_code)" \
	ATT_ERR_MISMATCH
"$ATTEST" sim sgx collateral "$D" --now "$T" --qe-isvprodid 2 -o "$TMP/qe.json"
expect "wrong QE ISVPRODID" \
	"$(verify "$TMP/n.bin" "$TMP/qe.json" "$D/root.pem" | jq -r .error_code)" \
	ATT_ERR_MISMATCH
"$ATTEST" sim sgx collateral "$D" --now "$T" --revoke-tcb-signing -o "$TMP/rv.json"
expect "revoked TCB signing certificate" \
	"$(verify "$TMP/n.bin" "$TMP/rv.json" "$D/root.pem" | jq -r .error_code)" \
	ATT_ERR_REVOKED

# re-signing DIR in place keeps it verifiable; --force re-creates it
"$ATTEST" sim sgx collateral "$D" --now "$T"
expect "collateral re-signed in place" "$(verify "$TMP/n.bin" | jq -r .verified)" true
"$ATTEST" sim sgx init "$D" --now "$T" --force >/dev/null
expect "--force: old quote no longer trusted" \
	"$(verify "$TMP/n.bin" | jq -r .verified)" false

# --- independent cross-check with @phala/dcap-qvl (custom root) ---
QVL=$ATT_SRC_DIR/node_modules/@phala/dcap-qvl
if command -v node >/dev/null && [ -d "$QVL" ]; then
	cat >"$TMP/qvl.js" <<'EOF'
const { QuoteVerifier } = require(process.argv[2]);
const fs = require('fs');
const [q, b, root, at] = process.argv.slice(3);
const v = QuoteVerifier.newWithRootCa(fs.readFileSync(root));
try {
  const r = v.verify(fs.readFileSync(q), JSON.parse(fs.readFileSync(b, 'utf8')),
                     Date.parse(at) / 1000);
  console.log(r.status + ' ' + [...r.advisory_ids].sort().join(','));
} catch (e) { console.log('error'); }
EOF
	for p in processor platform; do
		for l in "${!ADV[@]}"; do
			"$ATTEST" sim sgx quote "$D" --platform "$p" --tcb "$l" -o "$TMP/q.bin"
			expect "dcap-qvl: $p $l" \
				"$(node "$TMP/qvl.js" "$QVL" "$TMP/q.bin" "$D/$p/collateral.json" "$D/root.der" "$T")" \
				"$l ${ADV[$l]}"
		done
	done
	"$ATTEST" sim sgx quote "$D" --revoked -o "$TMP/r.bin"
	expect "dcap-qvl: revoked PCK" \
		"$(node "$TMP/qvl.js" "$QVL" "$TMP/r.bin" "$D/collateral.json" "$D/root.der" "$T")" error
else
	echo "# dcap-qvl cross-check skipped (node or @phala/dcap-qvl missing)"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
