#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# File modes of the data directory (issue 9, item 10): everything attestd
# writes is 0600 and every directory it makes 0700, whatever the umask of
# the shell that starts it (this test runs everything under umask 000).
# Covers what dev start-up creates (store and its -wal/-shm, master key,
# TLS key and certificate, dev issuer, simulator), an SGX attestation and
# a policy write, `attestd provider add`, `attestd collateral import`,
# `attestd tpm trust` (roots in the store) and a TPM enrolment against
# swtpm (the provider's AIK CA and enrolment records); then a store left
# 0644 by an older attestd is made 0600 at the next start. After each
# step `find DATA_DIR -perm /077` must be empty.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
. "$(dirname "$0")/lib/tpm_swtpm.sh"
att_require_bins
tpm_require

umask 000
D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W"
chmod 700 "$T_TMP"

# private DESC: no file or directory under D is group/other accessible
private() {
	local bad
	bad=$(find "$D" -perm /077 -printf '%M %p\n' 2>&1)
	if [ -z "$bad" ]; then ok "$1"; else not_ok "$1: $(head -5 <<<"$bad" | tr '\n' ';')"; fi
}
mode() { stat -c %a "$1" 2>/dev/null; }

PORT=$(att_free_port)
att_start "$D" "$PORT" ||
	{ att_stop; rm -rf "$D"; PORT=$(att_free_port); att_start "$D" "$PORT"; } ||
	{ not_ok "attestd starts"; att_done; }
SIM=$D/sim
if [ ! -f "$SIM/manifest.json" ]; then
	att_curl -X POST "$BASE/attest/SgxEnclave" -d '{}' >/dev/null
fi
for f in attestd.db attestd.db-wal attestd.db-shm master.key tls.key tls.crt \
	dev-issuer.key dev-issuer.jwks dev-issuer.json sim/root.pem sim/manifest.json; do
	check_eq "dev start-up: $f is 0600" "$(mode "$D/$f")" 600
done
check_eq "the data dir is 0700" "$(mode "$D")" 700
check_eq "the simulator dir is 0700" "$(mode "$SIM")" 700
check "the simulator made subdirectories" test -n "$(find "$SIM" -mindepth 1 -type d)"
private "dev start-up: nothing group/other accessible"

TOK=$("$ATTEST" sgx --url "$BASE" --ca "$CA" --sim "$SIM" 2>"$W/err")
check "an SGX attestation succeeds" test -n "$TOK"
CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)
printf 'version=1.0; authorizationrules { => permit(); }; issuancerules { };' >"$W/p.txt"
JWS="$(printf '{"alg":"none"}' | att_b64url).$(printf '{"AttestationPolicy":"%s"}' "$(att_b64url <"$W/p.txt")" | att_b64url)."
att_curl -X PUT -H "Authorization: Bearer $CONTRIB" -H 'Content-Type: text/plain' \
	--data-binary "$JWS" "$BASE/policies/SgxEnclave?api-version=2020-10-01" >/dev/null
check_eq "a policy write (PUT /policies/SgxEnclave) succeeds" "$(att_status)" 200
private "after an attestation and a policy write"
att_stop || not_ok "stop"

# --- the operator's commands ---------------------------------------------
check "attestd provider add p2" "$ATTESTD" provider add p2 --data-dir "$D" \
	--base-url "https://127.0.0.1:$PORT/p2"
private "after attestd provider add"
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
mkdir -p "$W/col"
cp "$TD/tdx/collateral/dcaprs/tcbinfov3_00806f050000.json" \
	"$TD/tdx/collateral/dcaprs/qeidentityv2_apiv4.json" \
	"$TD/sgx/pki/tcb_signing_chain_2018.pem" \
	"$TD/sgx/collateral/dcaprs/pck_platform_crl.der" \
	"$TD/sgx/pki/root_ca_crl_2024-03-20.der" "$W/col/"
check "attestd collateral import DIR" "$ATTESTD" collateral import --data-dir "$D" "$W/col"
private "after attestd collateral import"

# --- TPM: trust roots, then an enrolment against swtpm --------------------
S=$T_TMP/swtpm
tpm_swtpm_init "$S" || { cat "$S/setup.log"; not_ok "swtpm_setup"; att_done; }
tpm_swtpm_start "$S" "$(att_free_port)" || { not_ok "swtpm start"; att_done; }
tpm_trust_ek "$D" default "$S/ca" && ok "attestd tpm trust (EK roots)" ||
	not_ok "attestd tpm trust"
check_fails "no tpm/ directory: the TPM roots are in the store" test -e "$D/tpm"
check_eq "the EK root is in the store (0600)" "$(sqlite3 "$D/attestd.db" \
	"SELECT count(*) FROM tpm_certs WHERE provider = 'default' AND kind = 'ek-roots'")" 1
check_eq "  ... the store is 0600" "$(mode "$D/attestd.db")" 600
private "after attestd tpm trust"

att_start "$D" "$PORT" || { not_ok "restart"; att_done; }
READER=$("$ATTEST" dev-token --data-dir "$D" --role reader)
OUT=$("$ATTEST" tpm enroll --url "$BASE" --tcti "$TCTI" --ca "$CA" --bearer "$READER" \
	--state "$W/tpmstate" 2>&1)
check_eq "TPM enrolment succeeds ($(tail -1 <<<"$OUT"))" "$?" 0
check_eq "the provider's AIK CA exists, in the store" "$(sqlite3 "$D/attestd.db" \
	"SELECT count(*) FROM tpm_aik_ca WHERE provider = 'default' AND length(wrapped) > 0")" 1
check_fails "  ... and not as files" test -e "$D/tpm"
check_eq "  ... the store is 0600" "$(mode "$D/attestd.db")" 600
private "after a TPM enrolment"
att_stop || not_ok "stop"

# --- a store left group/other readable by an older attestd ---------------
chmod 0644 "$D/attestd.db"
[ -f "$D/attestd.db-wal" ] && chmod 0644 "$D/attestd.db-wal"
att_start "$D" "$PORT" || { not_ok "restart"; att_done; }
check_eq "a 0644 store is made 0600 at start" "$(mode "$D/attestd.db")" 600
private "after restarting on an old store"
att_stop || not_ok "stop"
att_done
