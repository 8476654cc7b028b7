#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# TPM state in the store (docs/tpm.md): a data dir of an earlier version,
# whose TPM state was files under tpm/<provider>/ (settings.json,
# ek-roots/, ek-intermediates/ with a DER certificate, aik-ca.key wrapped
# with master.key, aik-ca.crt, enrolled/<hex>.json) and whose store is at
# schema version 3, is imported at start: the directory moves to
# tpm.migrated/, nothing is lost (same AIK CA, same enrolment, same
# roots and settings), TPM attestation keeps working (an AIK enrolled
# before the upgrade attests, a new enrolment is issued by the same CA),
# a directory of no provider is left alone, an interrupted import (the
# directory back in place) re-imports without duplicating anything, and
# the wrapped TPM keys in the store protect master.key. Then two attestd
# processes on the same data dir: a TPM request used at one is refused as
# a replay at the other, both ways.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
. "$(dirname "$0")/lib/tpm_swtpm.sh"
att_require_bins
tpm_require
command -v sqlite3 >/dev/null || { echo "FAIL (cannot run): sqlite3 missing"; echo "0 passed, 1 failed"; exit 77; }

LOGS=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}/tpm/eventlogs
LOG=$LOGS/cos-101-amd-sev.bin
if [ ! -f "$LOG" ]; then
	echo "FAIL (cannot run): $LOG not found (set ATTESTD_TESTDATA)"
	echo "0 passed, 1 failed"
	exit 77
fi

B_PID=
cleanup_all() {
	if [ -n "$B_PID" ] && kill -0 "$B_PID" 2>/dev/null; then
		kill "$B_PID" 2>/dev/null
		wait "$B_PID" 2>/dev/null
	fi
	tpm_cleanup
}
trap cleanup_all EXIT

S=$T_TMP/swtpm
tpm_swtpm_init "$S" || { cat "$S/setup.log"; not_ok "swtpm_setup"; att_done; }
tpm_swtpm_start "$S" "$(att_free_port)" || { not_ok "swtpm start"; att_done; }
tpm_extend_log "$LOG" || not_ok "extend the log into swtpm's PCRs"

D=$T_TMP/data
DB=$D/attestd.db
PORT=$(att_free_port)
q() { sqlite3 "$DB" "$1"; }

# ---- state made by this attestd, then written out in the old layout ----
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop
tpm_trust_ek "$D" default "$S/ca" || not_ok "attestd tpm trust"
tpm_settings "$D" default --set require_bearer=false --set aik_cert_days=30
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)
printf 'version=1.2;\nauthorizationrules { => permit(); };\nissuancerules {\n  c:[type=="aikValidated"] => issue(type="aikValidated", value=c.value);\n};\n' >"$T_TMP/policy.txt"
tpm_set_policy "$BASE" "$T_TMP/policy.txt" "$CONTRIB" || not_ok "PUT /policies/Tpm"
COMMON=(--url "$BASE" --tcti "$TCTI" --ca "$CA")
ST=$T_TMP/state
"$ATTEST" tpm enroll "${COMMON[@]}" --state "$ST" >/dev/null 2>"$T_TMP/err" ||
	not_ok "enrol before the upgrade: $(cat "$T_TMP/err")"
att_stop
q "SELECT cert_pem FROM tpm_aik_ca WHERE provider = 'default'" >"$T_TMP/ca0.pem"
check "the AIK CA was made (before the upgrade)" test -s "$T_TMP/ca0.pem"
ENR0=$(q "SELECT aik_name FROM tpm_enrolments WHERE provider = 'default'")

O=$D/tpm/default
mkdir -p "$O/ek-roots" "$O/ek-intermediates" "$O/aik-roots" "$O/enrolled"
printf '{\n  "require_bearer": false,\n  "aik_cert_days": 30\n}' >"$O/settings.json"
q "SELECT writefile('$O/ek-roots/' || name, pem) FROM tpm_certs WHERE provider = 'default' AND kind = 'ek-roots'" >/dev/null
openssl x509 -in "$S/ca/issuercert.pem" -outform der -out "$O/ek-intermediates/issuer.cer"
q "SELECT writefile('$O/aik-ca.key', wrapped), writefile('$O/aik-ca.crt', cert_pem) FROM tpm_aik_ca WHERE provider = 'default'" >/dev/null
q "SELECT writefile('$O/enrolled/' || aik_name || '.json', json_object('aik_name', aik_name, 'ek_cert_sha256', ek_cert_sha256, 'aik_cert_sha256', aik_cert_sha256, 'enrolled_at', enrolled_at)) FROM tpm_enrolments WHERE provider = 'default'" >/dev/null
KEYSUM=$(sha256sum <"$O/aik-ca.key")
mkdir -p "$D/tpm/ghost" && echo '{}' >"$D/tpm/ghost/settings.json"
chmod -R go-rwx "$D/tpm"
# The store as version 3 had it: no TPM tables.
q "DROP TABLE tpm_settings; DROP TABLE tpm_certs; DROP TABLE tpm_aik_ca; DROP TABLE tpm_enrolments; DROP TABLE tpm_ctx_keys; DROP TABLE tpm_used_contexts; DROP TABLE tpm_imports; DROP TABLE changes; DROP TRIGGER changes_providers_INSERT; DROP TRIGGER changes_providers_UPDATE; DROP TRIGGER changes_providers_DELETE; DROP TRIGGER changes_keys_INSERT; DROP TRIGGER changes_keys_UPDATE; DROP TRIGGER changes_keys_DELETE; DROP TRIGGER changes_policies_INSERT; DROP TRIGGER changes_policies_UPDATE; DROP TRIGGER changes_policies_DELETE; DROP TRIGGER changes_policy_iat_INSERT; DROP TRIGGER changes_policy_iat_UPDATE; DROP TRIGGER changes_policy_iat_DELETE; DROP TRIGGER changes_policy_certs_INSERT; DROP TRIGGER changes_policy_certs_UPDATE; DROP TRIGGER changes_policy_certs_DELETE; DELETE FROM schema_version WHERE version >= 4;"
check_eq "old layout: schema version 3, TPM state in files" "$(q 'SELECT max(version) FROM schema_version')" 3
check "old layout: aik-ca.key, aik-ca.crt, an enrolment record, a DER intermediate" \
	test -s "$O/aik-ca.key" -a -s "$O/aik-ca.crt" -a -s "$O/enrolled/$ENR0.json" -a -s "$O/ek-intermediates/issuer.cer"

# ---- first start of this version: the import ----
att_start "$D" "$PORT" || { not_ok "start after the upgrade"; att_done; }
check_eq "schema migrated to version 5" "$(q 'SELECT max(version) FROM schema_version')" 5
check_contains "the log says what was imported" "$(cat "$D.log")" "tpm state of provider default imported into the store (2 certificates, an AIK CA, 1 enrolments)"
check_fails "tpm/default is gone" test -e "$O"
check_eq "  ... moved whole to tpm.migrated/default" "$(sha256sum <"$D/tpm.migrated/default/aik-ca.key")" "$KEYSUM"
check "a directory of no provider (tpm/ghost) is left where it was" test -s "$D/tpm/ghost/settings.json"
check_contains "  ... with a warning naming it" "$(cat "$D.log")" "no provider ghost in the store"
check_eq "store: the AIK CA certificate is the old one" "$(q "SELECT cert_pem FROM tpm_aik_ca WHERE provider = 'default'")" "$(cat "$T_TMP/ca0.pem")"
check_eq "store: the wrapped AIK CA key is the old file's bytes" "$(q "SELECT writefile('$T_TMP/k', wrapped) FROM tpm_aik_ca" >/dev/null; sha256sum <"$T_TMP/k")" "$KEYSUM"
check_eq "store: the enrolment" "$(q "SELECT aik_name FROM tpm_enrolments WHERE provider = 'default'")" "$ENR0"
check_eq "store: root and DER intermediate" "$(q "SELECT kind || ':' || name FROM tpm_certs WHERE provider = 'default' ORDER BY kind DESC" | tr '\n' ' ')" \
	"ek-roots:$(ls "$D/tpm.migrated/default/ek-roots") ek-intermediates:issuer.cer "
check_contains "  ... the DER certificate stored as PEM" "$(q "SELECT pem FROM tpm_certs WHERE name = 'issuer.cer'")" "-----BEGIN CERTIFICATE-----"
SHOW=$("$ATTESTD" tpm trust default --data-dir "$D")
check_contains "attestd tpm trust shows the imported settings" "$SHOW" "require_bearer: false"
check_contains "  ... and aik_cert_days" "$SHOW" "aik_cert_days: 30"
check_eq "one import recorded" "$(q "SELECT count(*) FROM tpm_imports WHERE provider = 'default'")" 1

# ---- TPM attestation with the imported state ----
TOK=$("$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG" --aik-pub 2>"$T_TMP/err")
check_eq "the AIK enrolled before the upgrade: aikValidated ($(cat "$T_TMP/err"))" \
	"$("$ATTEST" token decode "$TOK" 2>/dev/null | jq -r '.claims."x-ms-policy".aikValidated')" true
TOK=$("$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG" 2>"$T_TMP/err")
check "  ... and its AIK certificate from the old CA verifies ($(cat "$T_TMP/err"))" test -n "$TOK"
ST2=$T_TMP/state2
"$ATTEST" tpm enroll "${COMMON[@]}" --state "$ST2" >/dev/null 2>"$T_TMP/err"
check_eq "a new enrolment (EK chain through the imported DER intermediate) ($(cat "$T_TMP/err"))" "$?" 0
check "  ... its AIK certificate is issued by the imported CA key" \
	openssl verify -CAfile "$T_TMP/ca0.pem" <(openssl x509 -inform der -in "$ST2/aik.crt")
att_stop || not_ok "stop"

# ---- an import interrupted before the rename runs again harmlessly ----
cp -a "$D/tpm.migrated/default" "$O"
att_start "$D" "$PORT" || { not_ok "start (re-import)"; att_done; }
check_fails "re-import: tpm/default moved again" test -e "$O"
check "  ... next to the first copy (tpm.migrated/default.<time>)" compgen -G "$D/tpm.migrated/default.*"
check_eq "  ... no duplicate certificates" "$(q "SELECT count(*) FROM tpm_certs WHERE provider = 'default'")" 2
check_eq "  ... both enrolments, the new one kept" "$(q "SELECT count(*) FROM tpm_enrolments WHERE provider = 'default'")" 2
check_eq "  ... the same CA" "$(q "SELECT cert_pem FROM tpm_aik_ca WHERE provider = 'default'")" "$(cat "$T_TMP/ca0.pem")"
check_eq "  ... recorded as a second import" "$(q "SELECT count(*) FROM tpm_imports WHERE provider = 'default'")" 2
att_stop || not_ok "stop"
att_start "$D" "$PORT" || { not_ok "start (idempotent)"; att_done; }
check_eq "a plain restart imports nothing" "$(q "SELECT count(*) FROM tpm_imports WHERE provider = 'default'")" 2

# ---- two processes, one store: the replay set is shared ----
PORT2=$(att_free_port)
"$ATTESTD" serve --dev --listen "127.0.0.1:$PORT2" --data-dir "$D" >>"$D.b.out" 2>>"$D.b.log" &
B_PID=$!
BASE2="https://127.0.0.1:$PORT2"
for _ in $(seq 1 100); do
	curl -sf --cacert "$CA" "$BASE2/readyz" >/dev/null 2>&1 && break
	kill -0 "$B_PID" 2>/dev/null || break
	sleep 0.1
done
check "a second attestd on the same data dir is ready" curl -sf --cacert "$CA" "$BASE2/readyz"
"$ATTEST" tpm attest "${COMMON[@]}" --state "$ST" --log "$LOG" --save-request "$T_TMP/a.json" >/dev/null 2>"$T_TMP/err"
check_eq "process A: attestation succeeds ($(cat "$T_TMP/err"))" "$?" 0
att_curl -X POST -H 'Content-Type: application/json' --data @"$T_TMP/a.json" \
	"$BASE2/attest/Tpm?api-version=2022-08-01" >/dev/null
check_eq "A's request replayed at process B: HTTP 400" "$(att_status)" 400
check_contains "  ... named as a replay" "$(jq -r .error.message "$T_TMP/body")" "already used (replayed request)"
"$ATTEST" tpm attest --url "$BASE2" --tcti "$TCTI" --ca "$CA" --state "$ST" --log "$LOG" \
	--save-request "$T_TMP/b.json" >/dev/null 2>"$T_TMP/err"
check_eq "process B: attestation succeeds ($(cat "$T_TMP/err"))" "$?" 0
att_curl -X POST -H 'Content-Type: application/json' --data @"$T_TMP/b.json" \
	"$BASE/attest/Tpm?api-version=2022-08-01" >/dev/null
check_eq "B's request replayed at process A: HTTP 400" "$(att_status)" 400
check_contains "  ... named as a replay" "$(jq -r .error.message "$T_TMP/body")" "already used (replayed request)"
check "the used contexts are rows of the store" test "$(q 'SELECT count(*) FROM tpm_used_contexts')" -ge 2
kill -TERM "$B_PID" && wait "$B_PID"
check_eq "process B stops cleanly" "$?" 0
B_PID=
att_stop || not_ok "stop"

# ---- the wrapped TPM keys in the store protect master.key ----
mv "$D/master.key" "$T_TMP/master.key"
WANT=$(q "SELECT (SELECT count(*) FROM keys) + (SELECT count(*) FROM tpm_aik_ca) + (SELECT count(*) FROM tpm_ctx_keys)")
OUT=$("$ATTESTD" provider add p9 --data-dir "$D" --base-url https://127.0.0.1:1/p9 2>&1)
check_contains "no master.key: refused, counting the TPM keys" "$OUT" "the store holds $WANT wrapped key(s)"
check_fails "  ... no new master.key" test -e "$D/master.key"
mv "$T_TMP/master.key" "$D/master.key"
att_done
