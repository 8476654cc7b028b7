# SPDX-License-Identifier: Apache-2.0
# Helpers for TPM integration tests (sourced after lib/attestd.sh): a real
# TPM 2.0 (swtpm/libtpms) manufactured in a temporary directory with
# swtpm_setup, its EK certificates issued by a swtpm-localca whose
# configuration and CA files also live there (nothing under /etc or
# /var/lib/swtpm-localca is read or written), started on a free TCP port;
# extending a real TCG event log's SHA-256 digests into its PCRs; and the
# provider files attestd reads for TPM attestation (docs/tpm-protocol.md).

SWTPM_PID=
SWTPM_DIR=
SWTPM_PORT=

tpm_require() {
	local b
	for b in swtpm swtpm_setup swtpm_localca tpm2_pcrextend tpm2_pcrread tpm2_shutdown; do
		if ! command -v "$b" >/dev/null; then
			echo "FAIL (cannot run): $b missing (swtpm, swtpm-tools, tpm2-tools)"
			echo "0 passed, 1 failed"
			exit 77
		fi
	done
}

tpm_cleanup() {
	tpm_swtpm_stop
	att_cleanup
}
trap tpm_cleanup EXIT

# tpm_swtpm_init DIR: manufacture a TPM in DIR/state with RSA and ECC EK
# certificates and a platform certificate; the local CA is DIR/ca
# (swtpm-localca-rootca-cert.pem is the root, issuercert.pem the
# intermediate that signs EK certificates).
tpm_swtpm_init() {
	local dir=$1
	mkdir -p "$dir/state" "$dir/ca"
	cat >"$dir/swtpm-localca.conf" <<-EOF
		statedir = $dir/ca
		signingkey = $dir/ca/signkey.pem
		issuercert = $dir/ca/issuercert.pem
		certserial = $dir/ca/certserial
	EOF
	cat >"$dir/swtpm-localca.options" <<-EOF
		--platform-manufacturer attestd-test
		--platform-version 2.1
		--platform-model swtpm
	EOF
	cat >"$dir/swtpm_setup.conf" <<-EOF
		create_certs_tool = $(command -v swtpm_localca)
		create_certs_tool_config = $dir/swtpm-localca.conf
		create_certs_tool_options = $dir/swtpm-localca.options
		active_pcr_banks = sha256
	EOF
	swtpm_setup --tpm2 --tpmstate "$dir/state" --create-ek-cert \
		--create-platform-cert --lock-nvram --config "$dir/swtpm_setup.conf" \
		>"$dir/setup.log" 2>&1
}

# tpm_swtpm_start DIR PORT: run swtpm on PORT (control channel PORT+1);
# every start is a power-on with TPM2_Startup(CLEAR): PCRs are reset.
tpm_swtpm_start() {
	SWTPM_DIR=$1
	SWTPM_PORT=$2
	swtpm socket --tpm2 --server "type=tcp,port=$SWTPM_PORT" \
		--ctrl "type=tcp,port=$((SWTPM_PORT + 1))" \
		--flags not-need-init,startup-clear --tpmstate "dir=$SWTPM_DIR/state" \
		>>"$SWTPM_DIR/swtpm.log" 2>&1 &
	SWTPM_PID=$!
	export TPM2TOOLS_TCTI="swtpm:port=$SWTPM_PORT"
	TCTI="swtpm:port=$SWTPM_PORT"
	local i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$SWTPM_PORT") 2>/dev/null; then
			return 0
		fi
		kill -0 "$SWTPM_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "swtpm did not start:"
	cat "$SWTPM_DIR/swtpm.log"
	return 1
}

tpm_swtpm_stop() {
	if [ -n "$SWTPM_PID" ] && kill -0 "$SWTPM_PID" 2>/dev/null; then
		# An orderly shutdown: an unclean one counts as a failed
		# authorisation in the TPM's dictionary-attack protection.
		tpm2_shutdown >/dev/null 2>&1
		kill "$SWTPM_PID" 2>/dev/null
		wait "$SWTPM_PID" 2>/dev/null
	fi
	SWTPM_PID=
}

# tpm_swtpm_reboot: power-cycle (PCRs back to their reset values).
tpm_swtpm_reboot() {
	tpm_swtpm_stop
	tpm_swtpm_start "$SWTPM_DIR" "$SWTPM_PORT"
}

# tpm_extend_log LOG: extend every measured event's SHA-256 digest into
# the PCRs, in log order, as the firmware did (EV_NO_ACTION events are
# not measured). Logs with a StartupLocality event other than 0 cannot
# be reproduced on swtpm (locality 3 startup) and are refused.
tpm_extend_log() {
	local log=$1 json specs
	json=$("$ATTEST" eventlog show --json "$log") || return 1
	if jq -e '[.Events[] | select(.ProcessedData.Signature == "StartupLocality" and .ProcessedData.StartupLocality != 0)] | length > 0' <<<"$json" >/dev/null; then
		echo "tpm_extend_log: $log needs StartupLocality != 0" >&2
		return 1
	fi
	specs=$(jq -r '.Events[] | select(.EventType != 3) | select(.Digests.SHA256) | "\(.PcrIndex):sha256=\(.Digests.SHA256)"' <<<"$json")
	# shellcheck disable=SC2086 # one argument per event, in order
	tpm2_pcrextend $specs
}

# tpm_trust_ek DATA PROVIDER CADIR: trust a swtpm-localca as TPM
# manufacturer (its root, and the intermediate that issues EK
# certificates) with `attestd tpm trust`.
tpm_trust_ek() {
	"$ATTESTD" tpm trust "$2" --data-dir "$1" \
		--ek-root "$3/swtpm-localca-rootca-cert.pem" \
		--ek-intermediate "$3/issuercert.pem" >/dev/null
}

# tpm_settings DATA PROVIDER --set K=V | --unset K ...: change the
# provider's TPM settings (a running attestd reads them per request).
tpm_settings() {
	local d=$1 p=$2
	shift 2
	"$ATTESTD" tpm trust "$p" --data-dir "$d" "$@" >/dev/null
}

# tpm_policy_jws FILE: the unsigned JWS MAA's PUT /policies expects.
tpm_policy_jws() {
	printf '%s.%s.' "$(printf '{"alg":"none"}' | att_b64url)" \
		"$(printf '{"AttestationPolicy":"%s"}' "$(att_b64url <"$1")" | att_b64url)"
}

# tpm_set_policy PROVIDER_BASE FILE TOKEN: PUT /policies/Tpm.
tpm_set_policy() {
	att_curl -X PUT -H "Authorization: Bearer $3" -H 'Content-Type: text/plain' \
		--data "$(tpm_policy_jws "$2")" "$1/policies/Tpm?api-version=2020-10-01" >/dev/null
	[ "$(att_status)" = 200 ]
}

# tpm_post PROVIDER_BASE MESSAGE_JSON [curl args]: POST /attest/Tpm with
# {"data": b64url(MESSAGE_JSON)}; prints the body (status: att_status).
tpm_post() {
	local base=$1 msg=$2
	shift 2
	att_curl -X POST -H 'Content-Type: application/json' "$@" \
		--data "{\"data\":\"$(printf '%s' "$msg" | att_b64url)\"}" \
		"$base/attest/Tpm?api-version=2022-08-01"
}
