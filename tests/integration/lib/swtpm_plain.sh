# SPDX-License-Identifier: Apache-2.0
# A plain swtpm for tests that drive it with tpm2-tools (no attestd):
# start_swtpm starts it on two consecutive free loopback ports and exports
# TPM2TOOLS_TCTI; the EXIT trap stops it and runs att_cleanup.
# Needs lib/attestd.sh sourced first (att_free_port, att_cleanup, $T_TMP).
SWTPM_PID=
cleanup() {
	if [ -n "$SWTPM_PID" ] && kill -0 "$SWTPM_PID" 2>/dev/null; then
		kill "$SWTPM_PID" 2>/dev/null
		wait "$SWTPM_PID" 2>/dev/null
	fi
	att_cleanup
}
trap cleanup EXIT

# start_swtpm: swtpm on two consecutive free loopback ports (server and
# control); retried on another pair when it cannot bind (other tests start
# TPMs concurrently) or does not answer.
start_swtpm() {
	local attempt i
	for attempt in 1 2 3 4 5; do
		for i in $(seq 1 50); do
			P=$(att_free_port) || return 1
			(exec 3<>"/dev/tcp/127.0.0.1/$((P + 1))") 2>/dev/null || break
		done
		rm -rf "$T_TMP/state"
		mkdir -p "$T_TMP/state"
		swtpm socket --tpm2 --tpmstate dir="$T_TMP/state" \
			--server type=tcp,port="$P",bindaddr=127.0.0.1 \
			--ctrl type=tcp,port="$((P + 1))",bindaddr=127.0.0.1 \
			--flags not-need-init,startup-clear >"$T_TMP/swtpm.log" 2>&1 &
		SWTPM_PID=$!
		export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$P"
		for i in $(seq 1 50); do
			kill -0 "$SWTPM_PID" 2>/dev/null || break
			# still ours after answering (not another test's TPM)
			tpm2_getrandom 8 >/dev/null 2>&1 && sleep 0.2 &&
				kill -0 "$SWTPM_PID" 2>/dev/null && return 0
			sleep 0.1
		done
		kill "$SWTPM_PID" 2>/dev/null
		wait "$SWTPM_PID" 2>/dev/null
		SWTPM_PID=
	done
	return 1
}
