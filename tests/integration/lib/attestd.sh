# SPDX-License-Identifier: Apache-2.0
# Helpers for attestd integration tests (sourced by tests/integration/*.sh
# and tests/interop/*.sh): binaries, a free loopback port, starting attestd
# in dev mode on a temporary data dir, waiting for /readyz, a trap that
# always stops it, and pass/fail counting ending in "N passed, M failed".

ATT_SRC_DIR=${ATT_SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
ATT_BIN_DIR=${ATT_BIN_DIR:-$ATT_SRC_DIR/build}
ATTESTD=$ATT_BIN_DIR/attestd
ATTEST=$ATT_BIN_DIR/attest
T_PASS=0
T_FAIL=0
ATTESTD_PID=
T_TMP=$(mktemp -d /tmp/attestd-it-XXXXXX)

att_cleanup() {
	if [ -n "$ATTESTD_PID" ] && kill -0 "$ATTESTD_PID" 2>/dev/null; then
		kill "$ATTESTD_PID" 2>/dev/null
		wait "$ATTESTD_PID" 2>/dev/null
	fi
	rm -rf "$T_TMP"
}
trap att_cleanup EXIT

att_require_bins() {
	for b in "$ATTESTD" "$ATTEST"; do
		if [ ! -x "$b" ]; then
			echo "FAIL (cannot run): $b not built"
			echo "0 passed, 1 failed"
			exit 77
		fi
	done
	command -v curl >/dev/null || { echo "FAIL (cannot run): curl missing"; echo "0 passed, 1 failed"; exit 77; }
	command -v jq >/dev/null || { echo "FAIL (cannot run): jq missing"; echo "0 passed, 1 failed"; exit 77; }
}

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}
# check_fails DESC CMD...: passes when CMD exits non-zero.
check_fails() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then not_ok "$desc"; else ok "$desc"; fi
}
# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; fi
}
# check_contains DESC HAYSTACK NEEDLE
check_contains() {
	case "$2" in
	*"$3"*) ok "$1" ;;
	*) not_ok "$1: '$3' not in '$(printf %s "$2" | head -c 300)'" ;;
	esac
}

att_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

# att_free_port: a loopback TCP port nobody listens on, below the kernel's
# ephemeral range (ip_local_port_range), so that no outgoing connection of
# a test can take it between the choice and attestd's bind.
att_free_port() {
	local p i lo=20000 hi=32767 e
	read -r e _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || e=32768
	[ "$e" -gt $((lo + 1000)) ] && hi=$((e - 1))
	for i in $(seq 1 200); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# att_start DIR PORT [ARGS...]: start attestd serve --dev in the
# background (log in DIR.log, stdout in DIR.out) and wait for /readyz.
att_start() {
	local dir=$1 port=$2
	shift 2
	"$ATTESTD" serve --dev --listen "127.0.0.1:$port" --data-dir "$dir" "$@" \
		>>"$dir.out" 2>>"$dir.log" &
	ATTESTD_PID=$!
	BASE="https://127.0.0.1:$port"
	CA="$dir/tls.crt"
	local i
	for i in $(seq 1 100); do
		if [ -f "$CA" ] && curl -sf --cacert "$CA" "$BASE/readyz" >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$ATTESTD_PID" 2>/dev/null; then
			echo "attestd exited early:"
			cat "$dir.log"
			return 1
		fi
		sleep 0.1
	done
	echo "attestd not ready after 10 s:"
	cat "$dir.log"
	return 1
}

# att_stop: SIGTERM the server and wait; returns its exit status.
att_stop() {
	local rc=0
	if [ -n "$ATTESTD_PID" ]; then
		kill -TERM "$ATTESTD_PID" 2>/dev/null
		wait "$ATTESTD_PID" || rc=$?
		ATTESTD_PID=
	fi
	return $rc
}

# att_curl ARGS...: curl trusting the dev TLS certificate, printing the
# body; the status goes to $T_TMP/status and headers to $T_TMP/headers.
att_curl() {
	curl -s --cacert "$CA" -D "$T_TMP/headers" -o "$T_TMP/body" \
		-w '%{http_code}' "$@" >"$T_TMP/status"
	cat "$T_TMP/body"
}
att_status() { cat "$T_TMP/status"; }
att_header() { grep -i "^$1:" "$T_TMP/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# att_b64url: base64url without padding of stdin.
att_b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
