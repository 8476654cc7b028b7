# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Helpers of the store crash-safety and concurrency tests
# (crash_writes.sh, crash_writes_pg.sh, concurrent_writes.sh; issue 13),
# sourced after lib/attestd.sh. The backend is ATT_TEST_STORE: sqlite
# (the default: DATA_DIR/attestd.db) or pg (a throw-away PostgreSQL
# started by tests/harness/pg.sh; a failure to start it fails the test).
#
#   sl_init             check the tools, start PostgreSQL for pg, set the
#                       EXIT trap (stops the load client, attestd, PG)
#   sl_start DIR PORT   att_start with the backend's --store arguments
#   sl_provider_add ... attestd provider add on the backend's store
#   sl_sql SQL          run SQL on the store, rows as a|b|c lines
#   sl_dump DIR         dump policies, policy_certs and audit_log rows into
#                       DIR/{policies,certs,audit}
#   sl_integrity        SQLite: PRAGMA integrity_check (prints "ok")
#   sl_rsa_signer K N   RSA key K/N.key and self-signed K/N.pem
#   sl_ec_cert K N      EC (P-256) key and certificate (fast)
#   sl_cert_jws CERT SIGNER_CERT SIGNER_KEY
#                       a policy certificate add/remove body: the JWS over
#                       {"policyCertificate": {kty, x5c}} signed RS256
#   sl_thumb CERT       upper-case hex SHA-1 of the DER (MAA's thumbprint)

ATT_TEST_STORE=${ATT_TEST_STORE:-sqlite}
POLLOAD=$ATT_SRC_DIR/tests/integration/lib/polload.py
SL_ARGS=()
SL_LOAD_PID=
SL_PGD=

sl_cleanup() {
	if [ -n "$SL_LOAD_PID" ] && kill -0 "$SL_LOAD_PID" 2>/dev/null; then
		kill "$SL_LOAD_PID" 2>/dev/null
		wait "$SL_LOAD_PID" 2>/dev/null
	fi
	att_cleanup
	if [ -n "$SL_PGD" ]; then
		att_pg_cleanup
	fi
}

sl_cannot_run() {
	echo "FAIL (cannot run): $*"
	echo "0 passed, 1 failed"
	exit 1
}

sl_init() {
	att_require_bins
	local b
	for b in openssl python3; do
		command -v "$b" >/dev/null || sl_cannot_run "$b missing"
	done
	trap sl_cleanup EXIT
	case "$ATT_TEST_STORE" in
	sqlite)
		command -v sqlite3 >/dev/null || sl_cannot_run "sqlite3 (the CLI) missing"
		;;
	pg)
		. "$ATT_SRC_DIR/tests/harness/pg.sh"
		# Not under $T_TMP: PostgreSQL runs as the postgres user, who
		# cannot enter the test's private directory.
		SL_PGD=$(mktemp -d /tmp/att-pg-XXXXXX)
		att_pg_start "$SL_PGD" || sl_cannot_run "PostgreSQL did not start"
		SL_ARGS=(--store "$ATT_TEST_PG_PWURL" --store-password-file "$ATT_TEST_PG_PWFILE")
		echo "# PostgreSQL on $ATT_PG_DIR (port $ATT_PG_PORT)"
		;;
	*) sl_cannot_run "ATT_TEST_STORE must be sqlite or pg, not '$ATT_TEST_STORE'" ;;
	esac
	echo "# store backend: $ATT_TEST_STORE"
}

sl_start() {
	att_start "$1" "$2" "${SL_ARGS[@]}"
}

# (On PostgreSQL: the rows through --store, the master key that wraps the
# provider's signing key from the --data-dir the caller gives.)
sl_provider_add() {
	"$ATTESTD" provider add "$@" "${SL_ARGS[@]}"
}

sl_sql() {
	case "$ATT_TEST_STORE" in
	sqlite) sqlite3 -batch -separator '|' "$D/attestd.db" "$1" ;;
	pg) att_pg_psql attest_pw "$1" ;;
	esac
}

sl_dump() {
	sl_sql "SELECT provider, type, hash, jws FROM policies ORDER BY provider, type" >"$1/policies" &&
		sl_sql "SELECT provider, thumbprint FROM policy_certs ORDER BY provider, thumbprint" >"$1/certs" &&
		sl_sql "SELECT id, provider, time, action, coalesce(type, ''), coalesce(old_hash, ''),
			coalesce(new_hash, '') FROM audit_log ORDER BY id" >"$1/audit"
}

sl_integrity() {
	sqlite3 -batch "$D/attestd.db" "PRAGMA integrity_check" 2>&1
}

sl_rsa_signer() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/$2.key" -out "$1/$2.pem" \
		-subj "/CN=load signer $2" -days 30 2>/dev/null
}

sl_ec_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/$2.key" \
		-out "$1/$2.pem" -subj "/CN=load cert $2" -days 30 2>/dev/null
}

sl_x5c() { openssl x509 -in "$1" -outform DER | base64 -w0; }
sl_thumb() { openssl x509 -in "$1" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :; }

sl_cert_jws() {
	local kty=RSA h p
	openssl x509 -in "$1" -noout -text | grep -q "id-ecPublicKey" && kty=EC
	h=$(printf '{"alg":"RS256","x5c":["%s"]}' "$(sl_x5c "$2")" | att_b64url)
	p=$(printf '{"policyCertificate":{"kty":"%s","x5c":["%s"]}}' "$kty" "$(sl_x5c "$1")" | att_b64url)
	printf '%s.%s.%s' "$h" "$p" "$(printf %s "$h.$p" | openssl dgst -sha256 -sign "$3" -binary | att_b64url)"
}

# sl_py_checks CMD ARGS...: run a polload.py check, count its ok/not ok
# lines into the test's totals.
sl_py_checks() {
	local out line rc=0
	out=$(python3 "$POLLOAD" "$@" 2>&1) || rc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <<<"$out"
	case "$out" in
	*"not ok - "*) ;;
	*"ok - "*) [ "$rc" -eq 0 ] || not_ok "polload.py $1 exited with $rc" ;;
	*) not_ok "polload.py $1 ran no check (exit $rc)" ;;
	esac
}
