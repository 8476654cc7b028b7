#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# POST /attest/AzureGuest end to end with a real TPM (swtpm) provisioned
# like an Azure VM's vTPM by `attest tpmtool azure-provision`: an AIK at
# 0x81000003 with a certificate from a test vTPM CA in NV 0x01C101D0, a
# real boot log (cos-101-amd-sev.bin) extended into the PCRs, and for
# SEV-SNP isolation an HCL report in NV 0x01400001 whose SNP report comes
# from the simulator attestd's dev mode pins (DATA_DIR/snpsim) with
# REPORT_DATA = SHA-256 of runtime data naming the AIK (HCLAkPub).
# `attest azure-guest --verify` builds the request as Microsoft's client
# does, opens the sealed answer with the TPM (TPM2_RSA_Decrypt of the
# inner key under a PolicyPCR session, then AES-256-GCM) and checks the
# token as a relying party: for Trusted Launch and for SEV-SNP. Broken
# links are refused: an AIK certificate from another CA (a provider that
# trusts another vTPM CA), a tampered boot log, and an HCL report whose
# REPORT_DATA does not match its runtime data.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
for t in swtpm tpm2_getrandom openssl jq; do
	command -v "$t" >/dev/null || {
		echo "FAIL (cannot run): $t missing"
		echo "0 passed, 1 failed"
		exit 77
	}
done
LOG=$ATT_SRC_DIR/tests/vectors/tpm/eventlogs/cos-101-amd-sev.bin
[ -f "$LOG" ] || { echo "FAIL (cannot run): $LOG missing"; echo "0 passed, 1 failed"; exit 77; }

. "$(dirname "$0")/lib/swtpm_plain.sh"
start_swtpm || { cat "$T_TMP/swtpm.log"; not_ok "swtpm starts"; att_done; }
TCTI=$TPM2TOOLS_TCTI

# ---- the vTPM ----------------------------------------------------------
VCA=$T_TMP/vtpm-ca
check "azure-provision: AIK, vTPM CA certificate in NV, boot log in the PCRs" \
	"$ATTEST" tpmtool azure-provision --tcti "$TCTI" --ca "$VCA" --log "$LOG"
check "the vTPM CA root is written for the service" \
	openssl x509 -in "$VCA/vtpm-ca.pem" -noout
check_eq "the CA key is private" "$(stat -c %a "$VCA/vtpm-ca.key")" 600

# ---- the service --------------------------------------------------------
D=$T_TMP/data
mkdir -m 700 "$D"
SIM=$D/snpsim
check "attest sim snp init DATA_DIR/snpsim" "$ATTEST" sim snp init "$SIM"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Another vTPM CA" \
	-keyout "$T_TMP/other.key" -out "$T_TMP/other.pem" 2>/dev/null
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "attestd starts"; att_done; }
att_stop
"$ATTESTD" provider add other --data-dir "$D" --base-url "https://127.0.0.1:$PORT/other" >/dev/null ||
	not_ok "provider add other"
echo '{"kds_offline": true}' >"$D/attest.json"
# The providers' vTPM trust anchors (providers.NAME.vtpm_roots).
cat >"$T_TMP/config.json" <<-EOF2
	{"providers": {"default": {"vtpm_roots": "$VCA/vtpm-ca.pem",
	                           "compliance": {"AzureGuest": {"baseline": "attestd-test-cvm", "min_tcb": "3,0,8,115"}}},
	               "other": {"vtpm_roots": ["$T_TMP/other.pem"]}}}
EOF2
att_start "$D" "$PORT" --config "$T_TMP/config.json" || { not_ok "attestd restarts"; att_done; }

guest() { "$ATTEST" azure-guest --url "$BASE" --tcti "$TCTI" --ca "$CA" "$@"; }
# expect_fail DESC NEEDLE CMD...: CMD fails and its stderr holds NEEDLE.
expect_fail() {
	local desc=$1 needle=$2
	shift 2
	if "$@" >"$T_TMP/out" 2>"$T_TMP/err"; then
		not_ok "$desc: succeeded"
	else
		check_contains "$desc" "$(cat "$T_TMP/err")" "$needle"
		echo "#   $(head -c 400 "$T_TMP/err")"
	fi
}

# ---- Trusted Launch -----------------------------------------------------
OUT=$(guest --isolation trusted-launch --log "$LOG" --verify \
	--client-payload '{"nonce":"azc-nonce-1"}' --save-request "$T_TMP/req.json" 2>"$T_TMP/err")
RC=$?
check_eq "Trusted Launch: attested and the token verifies ($(head -c 300 "$T_TMP/err"))" "$RC" 0
TOK=$(head -1 <<<"$OUT")
check_eq "Trusted Launch: a JWT (decrypted with the TPM) is printed" "$(tr -cd . <<<"$TOK" | wc -c)" 2
CLAIMS=$(tail -n +2 <<<"$OUT")
check "Trusted Launch: the verified claims are JSON" jq -e . <<<"$CLAIMS"
check_eq "Trusted Launch: no hardware TEE, so no x-ms-compliance-status anywhere" \
	"$(jq '[.. | objects | has("x-ms-compliance-status")] | any' <<<"$CLAIMS")" false
INFO=$(jq -r .AttestationInfo "$T_TMP/req.json" | tr '_-' '/+' | base64 -d 2>/dev/null)
check_eq "request: AttestationInfo members as in MAA's example" \
	"$(jq -c 'keys' <<<"$INFO")" \
	'["AttestationProtocolVersion","ClientPayload","IsolationInfo","OSBuild","OSDistro","OSType","OSVersionMajor","OSVersionMinor","TcgLogs","TpmInfo"]'
check_eq "request: TpmInfo members as in MAA's example" \
	"$(jq -c '.TpmInfo | keys' <<<"$INFO")" \
	'["AikCert","AikPub","EncKeyCertifyInfo","EncKeyCertifyInfoSignature","EncKeyPub","PCRs","PcrQuote","PcrSet","PcrSignature"]'
check_eq "request: PcrSet is Linux's 0-7" "$(jq -c .TpmInfo.PcrSet <<<"$INFO")" "[0,1,2,3,4,5,6,7]"
check_eq "request: ClientPayload values base64" \
	"$(jq -r .ClientPayload.nonce <<<"$INFO" | base64 -d)" "azc-nonce-1"

expect_fail "AIK certificate of another vTPM CA: refused" "AIK certificate does not chain to a trusted root" \
	"$ATTEST" azure-guest --url "$BASE/other" --tcti "$TCTI" --ca "$CA" \
	--isolation trusted-launch --log "$LOG"

# Tampered log: one SHA-256 digest of a PCR 4 event changed; the PCRs
# hold the genuine log.
EV=$("$ATTEST" eventlog show --json "$LOG" | jq -c '[.Events[] | select(.PcrIndex == 4 and .Digests.SHA256)][0]')
DIG=$(jq -r .Digests.SHA256 <<<"$EV")
OFF=$(LC_ALL=C grep -obUaP "$(sed 's/../\\x&/g' <<<"$DIG")" "$LOG" | head -1 | cut -d: -f1)
cp "$LOG" "$T_TMP/tampered.bin"
B=$(od -An -tx1 -j "$OFF" -N1 "$LOG" | tr -d ' ')
printf "\\x$(printf %02x $((0x$B ^ 0xff)))" | dd of="$T_TMP/tampered.bin" bs=1 seek="$OFF" conv=notrunc 2>/dev/null
check_eq "tampered log: exactly one byte differs" "$(cmp -l "$LOG" "$T_TMP/tampered.bin" | wc -l | tr -d ' ')" 1
expect_fail "tampered log: refused" "the boot log does not replay to the quoted PCRs" \
	guest --isolation trusted-launch --log "$T_TMP/tampered.bin"

# ---- SEV-SNP isolation --------------------------------------------------
{ openssl x509 -inform der -in "$SIM/vcek.der"; cat "$SIM/cert_chain.pem"; } >"$T_TMP/vcek_chain.pem"
check "azure-hcl: an HCL report for the AIK from the SNP simulator" \
	"$ATTEST" tpmtool azure-hcl --tcti "$TCTI" --sim "$SIM" -o "$T_TMP/hcl.bin"
check "azure-provision: the HCL report into NV 0x01400001" \
	"$ATTEST" tpmtool azure-provision --tcti "$TCTI" --hcl-report "$T_TMP/hcl.bin"
OUT=$(guest --isolation sev-snp --vcek-chain "$T_TMP/vcek_chain.pem" --log "$LOG" \
	--verify --save-request "$T_TMP/req_snp.json" 2>"$T_TMP/err")
RC=$?
check_eq "SEV-SNP: attested and the token verifies ($(head -c 300 "$T_TMP/err"))" "$RC" 0
SNPCLAIMS=$(tail -n +2 <<<"$OUT")
check_eq "SEV-SNP: x-ms-isolation-tee says sevsnpvm" \
	"$(jq -r '."x-ms-isolation-tee"."x-ms-attestation-type"' <<<"$SNPCLAIMS")" sevsnpvm
check_eq "SEV-SNP: the provider's AzureGuest compliance floor (TCB 3,0,8,115) is met: x-ms-compliance-status in the tee, as in MAA's azurevm tokens" \
	"$(jq -r '."x-ms-isolation-tee"."x-ms-compliance-status"' <<<"$SNPCLAIMS")" attestd-test-cvm
INFO=$(jq -r .AttestationInfo "$T_TMP/req_snp.json" | tr '_-' '/+' | base64 -d 2>/dev/null)
check_eq "SEV-SNP request: IsolationInfo.Type" "$(jq -r .IsolationInfo.Type <<<"$INFO")" SevSnp
check_eq "SEV-SNP request: Evidence has Proof and RunTimeData" \
	"$(jq -c '.IsolationInfo.Evidence | keys' <<<"$INFO")" '["Proof","RunTimeData"]'
OUT=$(guest --vcek-chain "$T_TMP/vcek_chain.pem" --log "$LOG" 2>"$T_TMP/err")
check_eq "SEV-SNP chosen by default when NV holds an HCL report" "$?" 0

check "azure-hcl --wrong-report-data" \
	"$ATTEST" tpmtool azure-hcl --tcti "$TCTI" --sim "$SIM" -o "$T_TMP/hcl_bad.bin" --wrong-report-data
expect_fail "HCL report whose REPORT_DATA does not match: refused" "RunTimeData is not bound to the hardware report" \
	guest --isolation sev-snp --hcl-report "$T_TMP/hcl_bad.bin" \
	--vcek-chain "$T_TMP/vcek_chain.pem" --log "$LOG"
expect_fail "SEV-SNP without a VCEK chain: the client says what is missing" "--vcek-chain" \
	guest --isolation sev-snp --log "$LOG"

# ---- AMD CRLs on the SEV-SNP isolation path -----------------------------
# The simulator's ARK CRL listing its ASK and VCEK, imported as an
# operator imports AMD's: the same HCL report and chain are now refused,
# naming the revocation (as POST /attest/SevSnpVm refuses them).
att_stop
check "attestd collateral import: the simulator's revoking CRL" \
	"$ATTESTD" collateral import --data-dir "$D" "$SIM/crl_revoked.der"
att_start "$D" "$PORT" --config "$T_TMP/config.json" || { not_ok "attestd restarts"; att_done; }
expect_fail "SEV-SNP isolation with the ASK/VCEK revoked by the ARK's CRL: refused" "revoked" \
	guest --isolation sev-snp --hcl-report "$T_TMP/hcl.bin" \
	--vcek-chain "$T_TMP/vcek_chain.pem" --log "$LOG"
att_done
