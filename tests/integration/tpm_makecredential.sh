#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# MakeCredential proven by a real TPM: swtpm (libtpms) creates an EK and an
# AK, `attest tpm makecredential` protects a random secret for the AK's
# Name under the EK, and TPM2_ActivateCredential (tpm2-tools) must give the
# secret back. EKs: RSA-2048 and ECC P-256 (TCG low-range templates,
# SHA-256/AES-128, activated through a PolicySecret session) and ECC P-384
# and RSA-3072 (high-range templates, SHA-384/AES-256). A wrong Name or a
# corrupted credential blob must not activate. Our Name of the AK must be
# the one tpm2-tools computed.
. "$(dirname "$0")/lib/attestd.sh"

skip() {
	echo "FAIL (cannot run): $*"
	echo "0 passed, 1 failed"
	exit 77
}
[ -x "$ATTEST" ] || skip "$ATTEST not built"
for t in swtpm tpm2_createek tpm2_createak tpm2_activatecredential \
	tpm2_startauthsession tpm2_policysecret tpm2_flushcontext xxd; do
	command -v "$t" >/dev/null || skip "$t missing"
done

. "$(dirname "$0")/lib/swtpm_plain.sh"
start_swtpm || { cat "$T_TMP/swtpm.log"; not_ok "swtpm starts"; att_done; }
check "swtpm answers on port $P" tpm2_getrandom 8

flush() {
	tpm2_flushcontext -t >/dev/null 2>&1
	tpm2_flushcontext -s >/dev/null 2>&1
}

# activate DIR CRED OUT SESSION: TPM2_ActivateCredential with the AK and
# EK of DIR; low-range EKs need PolicySecret(endorsement) for USER role.
activate() {
	local d=$1 cred=$2 out=$3 sess=$4 rc
	rm -f "$out"
	flush
	if [ "$sess" = yes ]; then
		tpm2_startauthsession --policy-session -S "$d/s.ctx" >/dev/null 2>&1 &&
			tpm2_policysecret -S "$d/s.ctx" -c e >/dev/null 2>&1 &&
			tpm2_activatecredential -c "$d/ak.ctx" -C "$d/ek.ctx" -i "$cred" \
				-o "$out" -P "session:$d/s.ctx" >"$d/activate.log" 2>&1
		rc=$?
		tpm2_flushcontext "$d/s.ctx" >/dev/null 2>&1
	else
		tpm2_activatecredential -c "$d/ak.ctx" -C "$d/ek.ctx" -i "$cred" \
			-o "$out" >"$d/activate.log" 2>&1
		rc=$?
	fi
	flush
	return $rc
}

# one EK_ALG AK_ALG AK_SCHEME SESSION
one() {
	local ek=$1 ak=$2 scheme=$3 sess=$4 d=$T_TMP/$1
	mkdir -p "$d"
	flush
	if ! tpm2_createek -c "$d/ek.ctx" -G "$ek" -u "$d/ek.pub" >/dev/null 2>&1 ||
		! tpm2_createak -C "$d/ek.ctx" -c "$d/ak.ctx" -G "$ak" -g sha256 \
			-s "$scheme" -u "$d/ak.pub" -n "$d/ak.name" -f tss >/dev/null 2>&1; then
		not_ok "$ek: create EK and AK"
		return
	fi
	flush
	check_eq "$ek: our AK Name equals tpm2-tools'" \
		"$("$ATTEST" tpm name "$d/ak.pub")" "$(xxd -p -c 256 "$d/ak.name")"
	head -c 32 /dev/urandom >"$d/secret"
	check "$ek: attest tpm makecredential" "$ATTEST" tpm makecredential \
		--ek-pub "$d/ek.pub" --name-file "$d/ak.name" --secret "$d/secret" -o "$d/cred"
	if activate "$d" "$d/cred" "$d/out" "$sess"; then
		check "$ek: TPM2_ActivateCredential recovers the secret" cmp -s "$d/out" "$d/secret"
	else
		not_ok "$ek: TPM2_ActivateCredential: $(tail -1 "$d/activate.log")"
	fi
	# a credential made for another Name must not activate
	local other
	other=$(xxd -p -c 256 "$d/ak.name" | sed 's/.$/0/;s/0$/1/')
	[ "$other" = "$(xxd -p -c 256 "$d/ak.name")" ] && other=$(xxd -p -c 256 "$d/ak.name" | sed 's/.$/2/')
	"$ATTEST" tpm makecredential --ek-pub "$d/ek.pub" --name "$other" \
		--secret "$d/secret" -o "$d/cred.other" >/dev/null 2>&1
	check_fails "$ek: credential for another Name is refused" activate "$d" "$d/cred.other" "$d/out2" "$sess"
	# flip one byte of the integrity HMAC (after the 8-byte header and
	# the two u16 sizes)
	cp "$d/cred" "$d/cred.bad"
	printf '\x5a' | dd of="$d/cred.bad" bs=1 seek=14 conv=notrunc 2>/dev/null
	check_fails "$ek: corrupted credential is refused" activate "$d" "$d/cred.bad" "$d/out3" "$sess"
	check_contains "$ek: the TPM reports an integrity failure" "$(cat "$d/activate.log")" "integrity"
}

one rsa rsa rsassa yes
one ecc ecc ecdsa yes
one ecc384 ecc ecdsa no
one rsa3072 rsa rsassa no

kill "$SWTPM_PID" 2>/dev/null
wait "$SWTPM_PID" 2>/dev/null
check_fails "swtpm stopped" kill -0 "$SWTPM_PID"
SWTPM_PID=
att_done
