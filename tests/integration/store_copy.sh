#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# attestd store copy (docs/deployment.md "Moving a single node to
# PostgreSQL"): a SQLite data dir populated through a running node
# (providers, a rotated key, policies, policy certificates, the audit log,
# TPM trust settings and certificates, plus a TPM enrolment and a used
# context) is copied to PostgreSQL; every table has the same rows there
# (the wrapped key bytes too); a node on PostgreSQL with the same master
# key serves the same /certs, policy and audit log; a non-empty target is
# refused without --force and replaced with it.
. "$(dirname "$0")/lib/attestd.sh"
. "$ATT_SRC_DIR/tests/harness/pg.sh"
att_require_bins
command -v sqlite3 >/dev/null || { echo "FAIL (cannot run): sqlite3 missing"; echo "0 passed, 1 failed"; exit 1; }
PGD=$(mktemp -d /tmp/att-pg-XXXXXX)
trap 'att_cleanup; att_pg_cleanup' EXIT
att_pg_start "$PGD" || { echo "FAIL (cannot run): PostgreSQL did not start"; echo "0 passed, 1 failed"; exit 1; }
URL=$ATT_TEST_PG_PWURL
PWF=$ATT_TEST_PG_PWFILE
AV="api-version=2020-10-01"
D=$T_TMP/single
K=$T_TMP/k
mkdir -p "$K"
q() { sqlite3 "$D/attestd.db" "$1"; }
b64d() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf %s "$s" | base64 -d 2>/dev/null
}
policy_of() { cut -d. -f2 <<<"$1" | b64d | jq -r '."x-ms-policy" // empty'; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/ra.key" -out "$K/ra.pem" -subj "/CN=copy ra" -days 30 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$K/ek.key" -out "$K/ek.pem" -subj "/CN=copy ek root" -days 30 2>/dev/null

# ---- a single node on SQLite, populated ----------------------------------
P=$(att_free_port)
att_start "$D" "$P" || { not_ok "single node starts"; att_done; }
CONTRIB=$("$ATTEST" dev-token --data-dir "$D" --role contributor)
policy_put() {
	local jws
	jws=$(printf '%s.%s.' "$(printf '{"alg":"none"}' | att_b64url)" \
		"$(printf '{"AttestationPolicy":"%s"}' "$(printf %s "$2" | att_b64url)" | att_b64url)")
	att_curl -X PUT -H "Authorization: Bearer $CONTRIB" -H "Content-Type: text/plain" \
		--data-binary "$jws" "$BASE/policies/$1?$AV" >/dev/null
	att_status
}
check_eq "PUT an SgxEnclave policy" "$(policy_put SgxEnclave 'version=1.0; authorizationrules { => permit(); }; issuancerules { => issue(type="copied", value="yes"); };')" 200
check_eq "PUT a TdxVm policy" "$(policy_put TdxVm 'version=1.0; authorizationrules { => permit(); }; issuancerules { };')" 200
att_stop
check "provider add iso (isolated, a policy signer)" "$ATTESTD" provider add iso --data-dir "$D" \
	--mode isolated --policy-signer "$K/ra.pem" --base-url "$BASE/iso"
check "key rotate default" "$ATTESTD" key rotate default --data-dir "$D"
check "tpm trust default: an EK root and a setting" "$ATTESTD" tpm trust default --data-dir "$D" \
	--ek-root "$K/ek.pem" --set context_ttl_seconds=600
q "INSERT INTO tpm_enrolments VALUES ('default', '000b$(printf 'a%.0s' $(seq 1 64))', NULL, '$(printf 'b%.0s' $(seq 1 64))', 1700000000);
   INSERT INTO tpm_used_contexts VALUES ('default', x'0102030405', 4102444800);"
att_start "$D" "$P" || { not_ok "single node restarts"; att_done; }
CERTS1=$(att_curl "$BASE/certs" | jq -c '[.keys[] | {kid, n, x, y}]')
POL1=$(att_curl -H "Authorization: Bearer $CONTRIB" "$BASE/policies/SgxEnclave?$AV" | jq -r .token)
att_stop
AUD1=$("$ATTESTD" audit --data-dir "$D" --json)
check "the audit log has the PUTs and the certificate" test "$(jq length <<<"$AUD1")" -ge 2
WR1=$(q "SELECT group_concat(hex(wrapped), ',') FROM (SELECT wrapped FROM keys ORDER BY id)")

# ---- the copy -----------------------------------------------------------
out=$("$ATTESTD" store copy --from "$D" --to "$URL" --to-password-file "$PWF" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check_eq "store copy --from DATA_DIR --to postgresql://: exit 0" "$rc" 0
check_contains "  verified by row counts" "$out" "copied and verified"
for t in providers keys policies policy_iat policy_certs audit_log collateral_cache tpm_settings tpm_certs \
	tpm_aik_ca tpm_enrolments tpm_ctx_keys tpm_used_contexts tpm_imports; do
	check_eq "  $t: same rows" "$(att_pg_psql attest_pw "SELECT count(*) FROM $t")" "$(q "SELECT count(*) FROM $t")"
done
check_eq "  the wrapped keys are the same bytes, in the same order" \
	"$(att_pg_psql attest_pw "SELECT string_agg(upper(encode(wrapped, 'hex')), ',' ORDER BY id) FROM keys")" "$WR1"
check_eq "  the used TPM context is there" \
	"$(att_pg_psql attest_pw "SELECT encode(id, 'hex') FROM tpm_used_contexts")" 0102030405
check_eq "  the policies' binding iat rows too" \
	"$(att_pg_psql attest_pw "SELECT count(*) FROM policy_iat")" "$(q 'SELECT count(*) FROM policy_iat')"
out=$("$ATTESTD" store copy --from "sqlite://$D/attestd.db" --to "$URL" --to-password-file "$PWF" 2>&1); rc=$?
check_eq "a non-empty target is refused" "$rc" 1
check_contains "  and says --force" "$out" "--force"
out=$("$ATTESTD" store copy --from "sqlite://$D/attestd.db" --to "$URL" --to-password-file "$PWF" --force 2>&1); rc=$?
check_eq "  --force replaces it" "$rc" 0
check_eq "  without duplicates" "$(att_pg_psql attest_pw "SELECT count(*) FROM keys")" "$(q 'SELECT count(*) FROM keys')"

# ---- a node on PostgreSQL serves the same --------------------------------
D2=$T_TMP/pgnode
mkdir -m 0700 "$D2"
cp "$D/master.key" "$D2/master.key"
att_start "$D2" "$(att_free_port)" --store "$URL" --store-password-file "$PWF" ||
	{ not_ok "a node on PostgreSQL starts with the copied store"; att_done; }
check_eq "the node on PostgreSQL serves the same /certs" \
	"$(att_curl "$BASE/certs" | jq -c '[.keys[] | {kid, n, x, y}]')" "$CERTS1"
CONTRIB2=$("$ATTEST" dev-token --data-dir "$D2" --role contributor)
POL2=$(att_curl -H "Authorization: Bearer $CONTRIB2" "$BASE/policies/SgxEnclave?$AV" | jq -r .token)
check_eq "  the same SgxEnclave policy" "$(policy_of "$POL2")" "$(policy_of "$POL1")"
check "  (a policy at all)" test -n "$(policy_of "$POL1")"
check_eq "  (policy GET answers 200)" "$(att_status)" 200
check_eq "  the same audit log (attestd audit --store)" \
	"$("$ATTESTD" audit --store "$URL" --store-password-file "$PWF" --json)" "$AUD1"
check "  the provider iso" sh -c "'$ATTESTD' provider list --store '$URL' --store-password-file '$PWF' | grep -q iso"
att_done
