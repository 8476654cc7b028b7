#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Signing key rotation: `attestd key rotate` while the server runs. No
# restart is needed: the server compares the store's key generation on
# every use of the keys. The old key stays in /certs (tokens it signed
# keep verifying, also after a restart), new tokens use the new kid, and
# the private keys in the store are wrapped (no PEM in the database).
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
TOK=$("$ATTEST" dev-token --data-dir "$D" --role reader)
policy_token() {
	att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/SgxEnclave?api-version=2022-08-01" | jq -r .token
}
OLD=$(policy_token)
OLDKID=$("$ATTEST" token decode "$OLD" | jq -r .header.kid)
check "token before rotation verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$OLD"
check_eq "one key before rotation" "$(att_curl "$BASE/certs" | jq '.keys | length')" 1

OUT=$("$ATTESTD" key rotate default --data-dir "$D")
check_contains "key rotate reports the new kid" "$OUT" "new active key"
check_eq "key list: active + retiring" "$("$ATTESTD" key list default --data-dir "$D" | jq -r '[.[].state] | join(",")')" "retiring,active"
RET=$("$ATTESTD" key list default --data-dir "$D" | jq -r '.[0].retired_at')
NOW=$(date +%s)
check "retired_at = rotation time + 8 h" test $((RET - NOW)) -ge 28700 -a $((RET - NOW)) -le 28800

# Without restart or SIGHUP:
CERTS=$(att_curl "$BASE/certs")
check_eq "both keys published after rotation" "$(jq '.keys | length' <<<"$CERTS")" 2
check_eq "old kid still published" "$(jq --arg k "$OLDKID" '[.keys[] | select(.kid == $k)] | length' <<<"$CERTS")" 1
check "token signed before the rotation still verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$OLD"
NEW=$(policy_token)
NEWKID=$("$ATTEST" token decode "$NEW" | jq -r .header.kid)
check_fails "new tokens use the new key" test "$NEWKID" = "$OLDKID"
check "new token verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$NEW"

# After a restart, too.
att_stop || not_ok "stop"
att_start "$D" "$PORT" || { not_ok "restart"; att_done; }
check_eq "both keys after restart" "$(att_curl "$BASE/certs" | jq '.keys | length')" 2
check "old token verifies after restart" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$OLD"
check_eq "signing continues with the new key" "$("$ATTEST" token decode "$(policy_token)" | jq -r .header.kid)" "$NEWKID"

# A second rotation keeps all keys whose tokens may be alive.
check "second rotation" "$ATTESTD" key rotate default --data-dir "$D"
check_eq "three keys published" "$(att_curl "$BASE/certs" | jq '.keys | length')" 3
check "first token still verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$OLD"
check_fails "rotate an unknown provider" "$ATTESTD" key rotate nope --data-dir "$D"

# Private keys are stored wrapped: no PEM and no raw key in the database.
if grep -aq "PRIVATE KEY" "$D/attestd.db" "$D/attestd.db-wal" 2>/dev/null; then
	not_ok "store holds a clear PEM private key"
else
	ok "store holds no clear private key"
fi
# With another master key the server refuses to start (keys unwrap only
# under the right master key).
att_stop || not_ok "stop"
cp "$D/master.key" "$T_TMP/master.bak"
head -c 32 /dev/urandom >"$D/master.key"
OUT=$(timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$D" 2>&1)
check_contains "wrong master key: start refused" "$OUT" "cannot unwrap"
cp "$T_TMP/master.bak" "$D/master.key"
chmod 600 "$D/master.key"
att_start "$D" "$PORT" || not_ok "start with the right master key"
check "right master key: serving again" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$OLD"
att_done
