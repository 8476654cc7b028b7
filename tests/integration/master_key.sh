#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The master key is never created while data wrapped with one exists
# (issue 9, item 5). With master.key moved away from a data dir whose
# store holds wrapped signing keys: `attestd provider add`, `attestd
# collateral import`, `attestd key rotate` and `attestd serve --dev` each
# refuse, naming the missing file, the number of wrapped keys and the
# remedy, and leave no file behind (the directory listing is unchanged)
# and no half-added provider. A wrong master.key (32 random bytes) is
# refused before anything is written. TPM AIK CA keys count as wrapped
# data too. A data dir whose store cannot be read gets no master key.
# After restoring master.key everything works: provider add succeeds,
# serve starts, the old signing key is loaded (same kid in /certs, new
# tokens signed with it) and a token issued before still verifies.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

D=$T_TMP/data
PORT=$(att_free_port)
AV="api-version=2020-10-01"
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
check_eq "fresh dev data dir: master.key created 0600" "$(stat -c %a "$D/master.key")" 600
READER=$("$ATTEST" dev-token --data-dir "$D" --role reader)
att_curl -H "Authorization: Bearer $READER" "$BASE/policies/SgxEnclave?$AV" >/dev/null
check_eq "a token signed by the default provider's key" "$(att_status)" 200
jq -r .token "$T_TMP/body" >"$T_TMP/old.tok"
b64d() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf %s "$s" | base64 -d 2>/dev/null
}
KID=$(cut -d. -f1 "$T_TMP/old.tok" | b64d | jq -r .kid)
check "the token verifies (before)" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "@$T_TMP/old.tok"
att_stop || not_ok "stop"
check "provider add p1 while the key is there" "$ATTESTD" provider add p1 --data-dir "$D"
NKEYS=2

# ---- master.key missing ----
mv "$D/master.key" "$T_TMP/master.key.bak"
LS0=$(ls -A "$D")
WANT="$D/master.key is missing but the store holds $NKEYS wrapped key(s): restore master.key from backup"
OUT=$("$ATTESTD" provider add p2 --data-dir "$D" 2>&1)
check_eq "missing key: provider add exits 1" "$?" 1
check_contains "missing key: provider add names file, count and remedy" "$OUT" "$WANT"
check_fails "missing key: provider add created no master.key" test -e "$D/master.key"
OUT=$("$ATTESTD" collateral import --data-dir "$D" "$D/sim" 2>&1)
check_contains "missing key: collateral import refuses the same way" "$OUT" "$WANT"
check_fails "missing key: collateral import created no master.key" test -e "$D/master.key"
OUT=$("$ATTESTD" key rotate default --data-dir "$D" 2>&1)
check_contains "missing key: key rotate refuses the same way" "$OUT" "$WANT"
T0=$(date +%s%N)
timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$D" >"$T_TMP/serve.out" 2>"$T_TMP/serve.log"
RC=$?
T1=$(date +%s%N)
check_eq "missing key: serve --dev exits 1" "$RC" 1
check "missing key: serve --dev fails fast (< 5 s)" test $(((T1 - T0) / 1000000)) -lt 5000
check_contains "missing key: serve --dev names file, count and remedy" "$(cat "$T_TMP/serve.log")" "$WANT"
check_fails "missing key: serve --dev left no master.key behind" test -e "$D/master.key"
check_eq "missing key: no file created or removed in the data dir" "$(ls -A "$D")" "$LS0"
check_fails "missing key: nothing answers on the port" curl -sf --max-time 2 -k "https://127.0.0.1:$PORT/healthz"

# ---- a wrong master key ----
head -c 32 /dev/urandom >"$D/master.key"
chmod 600 "$D/master.key"
OUT=$("$ATTESTD" provider add p2 --data-dir "$D" 2>&1)
check_eq "wrong key: provider add exits 1" "$?" 1
check_contains "wrong key: provider add says the key does not unwrap the store's keys" "$OUT" \
	"master.key does not unwrap the signing key"
check_contains "wrong key: ... and to restore the right one" "$OUT" "restore the right master.key from backup"
OUT=$("$ATTESTD" key rotate p1 --data-dir "$D" 2>&1)
check_contains "wrong key: key rotate refused before wrapping a new key" "$OUT" "master.key does not unwrap"
rm -f "$D/master.key"

# ---- restored: everything works ----
cp -p "$T_TMP/master.key.bak" "$D/master.key"
check_eq "restored: no half-added provider p2, p1 there" \
	"$("$ATTESTD" provider list --data-dir "$D" | awk '{print $1}' | sort | tr '\n' ' ')" "default p1 "
check "restored: provider add p2 succeeds" "$ATTESTD" provider add p2 --data-dir "$D"
check_eq "restored: key list of default has one key" "$("$ATTESTD" key list default --data-dir "$D" | jq length)" 1
att_start "$D" "$PORT" || { not_ok "restored: serve starts"; att_done; }
ok "restored: serve --dev starts"
att_curl "$BASE/certs" >/dev/null
check_contains "restored: /certs still publishes the old kid" "$(cat "$T_TMP/body")" "\"$KID\""
check "restored: the token issued before verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "@$T_TMP/old.tok"
READER=$("$ATTEST" dev-token --data-dir "$D" --role reader)
att_curl -H "Authorization: Bearer $READER" "$BASE/p2/policies/SgxEnclave?$AV" >/dev/null
check_eq "restored: the new provider p2 signs" "$(att_status)" 200
att_curl -H "Authorization: Bearer $READER" "$BASE/policies/SgxEnclave?$AV" >/dev/null
check_eq "restored: new tokens are signed with the old key" \
	"$(jq -r .token "$T_TMP/body" | cut -d. -f1 | b64d | jq -r .kid)" "$KID"
att_curl "$BASE/readyz" >/dev/null
check_eq "restored: /readyz 200" "$(att_status)" 200
att_stop || not_ok "stop (restored)"

# ---- TPM AIK CA keys are wrapped data too ----
D2=$T_TMP/tpmonly
mkdir -p "$D2/tpm/p" && chmod 700 "$D2"
head -c 64 /dev/urandom >"$D2/tpm/p/aik-ca.key"
OUT=$("$ATTESTD" provider add p --data-dir "$D2" --base-url https://127.0.0.1:1/p 2>&1)
check_contains "tpm: a wrapped AIK CA key without master.key is refused" "$OUT" \
	"$D2/master.key is missing but 1 TPM AIK CA key(s) (tpm/*/aik-ca.key) are wrapped with it"
check_fails "tpm: no master.key created" test -e "$D2/master.key"
check_fails "tpm: no store created" test -e "$D2/attestd.db"

# ---- an unreadable store: no master key ----
D3=$T_TMP/badstore
mkdir -p "$D3/attestd.db" && chmod 700 "$D3"
OUT=$("$ATTESTD" provider add p --data-dir "$D3" --base-url https://127.0.0.1:1/p 2>&1)
check_contains "bad store: refused, saying the store cannot be read" "$OUT" "store cannot be read"
check_fails "bad store: no master.key left" test -e "$D3/master.key"

# ---- a fresh data dir still gets one ----
D4=$T_TMP/fresh
check "fresh: provider add creates the data dir" "$ATTESTD" provider add p --data-dir "$D4" --base-url https://127.0.0.1:1/p
check_eq "fresh: master.key 32 bytes, 0600" "$(stat -c '%s %a' "$D4/master.key")" "32 600"
att_done
