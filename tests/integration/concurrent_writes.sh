#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Concurrent policy writes (issue 13), one node: 8 clients
# (tests/integration/lib/polload.py) write at once for
# ATT_CONCURRENT_SECONDS (default 12): six PUT new policies, two to each
# of SgxEnclave, OpenEnclave and TdxVm, two add and remove a certificate
# each on an isolated provider; meanwhile a pair of clients races on a
# second isolated provider holding exactly two certificates, both
# removing one (each signed by the other) at the same instant, round
# after round. Then: every request was answered; the audit log has
# exactly one entry per answered change and none for anything else; ids
# unique and in order, times never going back; per type each entry's old
# hash is the previous entry's new hash; a change answered before another
# was sent has the smaller id; each client's changes in its order; per
# type the last entry is what GET returns and the store holds; every
# policy row's hash is SHA-256 of its JWS; in every race round exactly one
# removal wins (the other 400) and a certificate always remains.
#
# The store is ATT_TEST_STORE (or the first argument): sqlite (default)
# or pg (PostgreSQL started by tests/harness/pg.sh).
. "$(dirname "$0")/lib/attestd.sh"
[ -n "${1:-}" ] && ATT_TEST_STORE=$1
. "$(dirname "$0")/lib/store_load.sh"
sl_init

D=$T_TMP/data
K=$T_TMP/keys
mkdir -p "$K"
SECS=${ATT_CONCURRENT_SECONDS:-12}
sl_start "$D" "$(att_free_port)" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"
for n in s1 ra rb; do
	sl_rsa_signer "$K" "$n" || sl_cannot_run "openssl cannot make a key"
done
for n in c1 c2; do
	sl_ec_cert "$K" "$n" || sl_cannot_run "openssl cannot make a certificate"
done
if ! sl_provider_add iso --data-dir "$D" --mode isolated --policy-signer "$K/s1.pem" >/dev/null ||
	! sl_provider_add race --data-dir "$D" --mode isolated --policy-signer "$K/ra.pem" >/dev/null; then
	not_ok "provider add iso and race (isolated) on $ATT_TEST_STORE"
	att_done
fi
sl_start "$D" "$(att_free_port)" || { not_ok "start with the isolated providers"; att_done; }
"$ATTEST" dev-token --data-dir "$D" --role contributor >"$T_TMP/token" ||
	{ not_ok "dev-token"; att_done; }

# The race provider holds ra and rb: rb added (signed by ra) over HTTP.
RB_BY_RA=$(sl_cert_jws "$K/rb.pem" "$K/ra.pem" "$K/ra.key")
RA_BY_RB=$(sl_cert_jws "$K/ra.pem" "$K/rb.pem" "$K/rb.key")
att_curl -X POST -H "Authorization: Bearer $(cat "$T_TMP/token")" -H "Content-Type: application/json" \
	--data-binary "\"$RB_BY_RA\"" "$BASE/race/certificates:add?api-version=2020-10-01" >/dev/null
check_eq "race provider: second certificate added" "$(att_status)" 200

C1=$(sl_cert_jws "$K/c1.pem" "$K/s1.pem" "$K/s1.key")
C2=$(sl_cert_jws "$K/c2.pem" "$K/s1.pem" "$K/s1.key")
# Side a removes ra (signed by rb) and, when it won, ra is added back
# signed by rb; side b the same with the roles swapped.
jq -n --arg base "$BASE" --arg ca "$CA" --arg tok "$T_TMP/token" --argjson secs "$SECS" \
	--arg nonce "c-$$-$RANDOM" --arg t1 "$(sl_thumb "$K/c1.pem")" --arg j1 "$C1" \
	--arg t2 "$(sl_thumb "$K/c2.pem")" --arg j2 "$C2" \
	--arg ta "$(sl_thumb "$K/ra.pem")" --arg ja "$RA_BY_RB" \
	--arg tb "$(sl_thumb "$K/rb.pem")" --arg jb "$RB_BY_RA" '
	{base: $base, ca: $ca, token: $tok, duration: $secs, stop_on_error: false, nonce: $nonce,
	 workers: [
	  {kind: "policy", name: "sgx1", prefix: "", type: "SgxEnclave"},
	  {kind: "policy", name: "sgx2", prefix: "", type: "SgxEnclave"},
	  {kind: "policy", name: "oe1", prefix: "", type: "OpenEnclave"},
	  {kind: "policy", name: "oe2", prefix: "", type: "OpenEnclave"},
	  {kind: "policy", name: "tdx1", prefix: "", type: "TdxVm"},
	  {kind: "policy", name: "tdx2", prefix: "", type: "TdxVm"},
	  {kind: "certs", name: "cert1", prefix: "/iso", thumb: $t1, add: $j1, remove: $j1},
	  {kind: "certs", name: "cert2", prefix: "/iso", thumb: $t2, add: $j2, remove: $j2},
	  {kind: "race", name: "race", prefix: "/race",
	   a: {thumb: $ta, rm: $ja, add: $ja}, b: {thumb: $tb, rm: $jb, add: $jb}}]}' >"$T_TMP/plan.json"

# The load's audit entries are those after this id (the store holds
# others: the isolated providers' signers, attestd --dev's Tpm policy).
FROM=$(sl_sql "SELECT coalesce(max(id), 0) FROM audit_log")
START=$(date +%s)
python3 "$POLLOAD" run "$T_TMP/plan.json" "$T_TMP/log" 2>"$T_TMP/load.err" &
SL_LOAD_PID=$!
wait "$SL_LOAD_PID"
RC=$?
SL_LOAD_PID=
check_eq "load client ran to its end" "$RC" 0
[ -s "$T_TMP/load.err" ] && head -20 "$T_TMP/load.err"
echo "# $(grep -c '"ev": "S"' "$T_TMP/log") requests in $(($(date +%s) - START)) s"
check "attestd still running after the load" kill -0 "$ATTESTD_PID"

mkdir -p "$T_TMP/dump"
check "store dump" sl_dump "$T_TMP/dump"
if python3 "$POLLOAD" got "$T_TMP/plan.json" "$T_TMP/got.json" default/SgxEnclave \
	default/OpenEnclave default/TdxVm -- iso race 2>"$T_TMP/got.err"; then
	sl_py_checks check-concurrent "$T_TMP/log" "$T_TMP/dump/policies" "$T_TMP/dump/audit" \
		"$T_TMP/got.json" "$FROM"
else
	not_ok "GET policies and certificates after the load: $(cat "$T_TMP/got.err")"
fi
att_stop || not_ok "clean stop"
if [ "$ATT_TEST_STORE" = sqlite ]; then
	check_eq "PRAGMA integrity_check at the end" "$(sl_integrity)" ok
fi
att_done
