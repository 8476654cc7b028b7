#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Crash safety of policy writes (issue 13): kill -9 attestd while a client
# loop (tests/integration/lib/polload.py) writes policies (PUT
# /policies/{type}, a new policy each time, three types at once) and adds
# and removes a policy management certificate of an isolated provider;
# then, before restarting: SQLite's PRAGMA integrity_check is ok and every
# policy row's hash is SHA-256 of its JWS (no half-written row); after
# restarting on the same data dir: every write answered 200 is there (GET
# returns the last answered policy of each type, or the one that was in
# flight), the certificate is as the last answered change left it (or
# the one in flight), and the audit log has exactly one entry for each
# answered change (the in-flight one: exactly when it was applied), none
# for a change nobody sent. ATT_CRASH_ROUNDS rounds (default 4), each
# killed at a random point 0.4-1.6 s into the load.
#
# The store is ATT_TEST_STORE (or the first argument): sqlite (default)
# or pg (PostgreSQL started by tests/harness/pg.sh; crash_writes_pg.sh).
. "$(dirname "$0")/lib/attestd.sh"
[ -n "${1:-}" ] && ATT_TEST_STORE=$1
. "$(dirname "$0")/lib/store_load.sh"
sl_init

D=$T_TMP/data
K=$T_TMP/keys
mkdir -p "$K"
ROUNDS=${ATT_CRASH_ROUNDS:-4}
sl_start "$D" "$(att_free_port)" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"
sl_rsa_signer "$K" s1 || sl_cannot_run "openssl cannot make a key"
if ! sl_provider_add iso --data-dir "$D" --mode isolated --policy-signer "$K/s1.pem" >/dev/null; then
	not_ok "provider add iso (isolated, signer s1) on $ATT_TEST_STORE"
	att_done
fi
for r in $(seq 1 "$ROUNDS"); do
	sl_ec_cert "$K" "c$r" || sl_cannot_run "openssl cannot make a certificate"
done
sl_start "$D" "$(att_free_port)" || { not_ok "start with the iso provider"; att_done; }
"$ATTEST" dev-token --data-dir "$D" --role contributor >"$T_TMP/token" ||
	{ not_ok "dev-token"; att_done; }

ms_sleep() { sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }
TYPES=(default/SgxEnclave default/OpenEnclave default/TdxVm)
OLD_LOGS=()
for r in $(seq 1 "$ROUNDS"); do
	R=$T_TMP/round$r
	mkdir -p "$R/dump"
	FROM=$(sl_sql "SELECT coalesce(max(id), 0) FROM audit_log")
	JWS=$(sl_cert_jws "$K/c$r.pem" "$K/s1.pem" "$K/s1.key")
	# The same signed body adds and removes (its payload names the
	# certificate; the URL says which).
	jq -n --arg base "$BASE" --arg ca "$CA" --arg tok "$T_TMP/token" --arg nonce "r$r-$$-$RANDOM" \
		--arg thumb "$(sl_thumb "$K/c$r.pem")" --arg jws "$JWS" '
		{base: $base, ca: $ca, token: $tok, duration: 0, stop_on_error: true, nonce: $nonce,
		 workers: [
		  {kind: "policy", name: "sgx", prefix: "", type: "SgxEnclave"},
		  {kind: "policy", name: "oe", prefix: "", type: "OpenEnclave"},
		  {kind: "policy", name: "tdx", prefix: "", type: "TdxVm"},
		  {kind: "certs", name: "cert", prefix: "/iso", thumb: $thumb, add: $jws, remove: $jws}]}' \
		>"$R/plan.json"
	python3 "$POLLOAD" run "$R/plan.json" "$R/log" 2>"$R/load.err" &
	SL_LOAD_PID=$!
	DELAY=$((400 + RANDOM % 1200))
	ms_sleep "$DELAY"
	if [ "$ATT_TEST_STORE" = pg ]; then
		LIVE=$(sl_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'attest_pw'")
	fi
	kill -9 "$ATTESTD_PID"
	wait "$ATTESTD_PID" 2>/dev/null
	ATTESTD_PID=
	# The client sees the connection drop, logs it and stops.
	ms_sleep 300
	kill "$SL_LOAD_PID" 2>/dev/null
	wait "$SL_LOAD_PID" 2>/dev/null
	SL_LOAD_PID=
	echo "# round $r: killed after $DELAY ms, $(grep -c '"status": 200' "$R/log") writes answered 200"
	if [ "$ATT_TEST_STORE" = pg ]; then
		# The killed node's connections closed with it: PostgreSQL
		# rolls back what they had open and frees their locks (the
		# provider rows), so nothing of theirs is left half-done.
		n=
		for i in $(seq 1 50); do
			n=$(sl_sql "SELECT count(*) FROM pg_stat_activity WHERE usename = 'attest_pw'")
			[ "$n" = 0 ] && break
			sleep 0.1
		done
		check_eq "round $r: PostgreSQL ended every session of the killed attestd ($LIVE before the kill)" "$n" 0
		check "round $r: attestd had sessions open during the load" test "$LIVE" -gt 0
	fi
	if [ "$ATT_TEST_STORE" = sqlite ]; then
		check_eq "round $r: PRAGMA integrity_check after kill -9" "$(sl_integrity)" ok
	fi
	check "round $r: store readable after the crash" sl_dump "$R/dump"
	sl_start "$D" "$(att_free_port)" || { not_ok "round $r: restart on the same data dir"; att_done; }
	jq --arg base "$BASE" --arg ca "$CA" '.base = $base | .ca = $ca' "$R/plan.json" >"$R/plan2.json"
	if python3 "$POLLOAD" got "$R/plan2.json" "$R/got.json" "${TYPES[@]}" -- iso 2>"$R/got.err"; then
		sl_py_checks check-crash "$R/log" "$R/dump/policies" "$R/dump/certs" "$R/dump/audit" \
			"$R/got.json" "$r" "$FROM" "${OLD_LOGS[@]}"
	else
		not_ok "round $r: GET policies and certificates after restart: $(cat "$R/got.err")"
	fi
	OLD_LOGS+=("$R/log")
done

# The product's own view agrees with the store (SQLite: attestd audit).
if [ "$ATT_TEST_STORE" = sqlite ]; then
	check_eq "attestd audit lists every audit row" \
		"$("$ATTESTD" audit --data-dir "$D" --json | jq '[.[] | select(.provider == "default" or .provider == "iso")] | length')" \
		"$(sl_sql "SELECT count(*) FROM audit_log WHERE provider IN ('default', 'iso')")"
fi
att_stop || not_ok "clean stop after the last round"
if [ "$ATT_TEST_STORE" = sqlite ]; then
	check_eq "PRAGMA integrity_check at the end" "$(sl_integrity)" ok
fi
att_done
