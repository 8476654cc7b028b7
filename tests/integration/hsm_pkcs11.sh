#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Token signing keys in a PKCS #11 token (SoftHSM2, a token made here in a
# temporary directory): with providers.default.signing naming the token,
# attestd makes the provider's key in the token at start (the file-held
# key retires), signs tokens through it (they verify with `attest token
# verify` and with the npm package jose), `attestd key rotate --config`
# makes the next key in the token too (the token then holds two key
# pairs) and /certs serves both; the store holds no private key of them.
# A wrong PIN, a missing token and a missing module each stop the start
# with a message naming the provider and the problem; a rotation without
# the configuration is refused rather than making a file-held key.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
MOD=/usr/lib/softhsm/libsofthsm2.so
command -v softhsm2-util >/dev/null && [ -f "$MOD" ] ||
	{ echo "FAIL (cannot run): softhsm2 missing (scripts/deps.sh)"; echo "0 passed, 1 failed"; exit 77; }

H=$T_TMP/hsm
mkdir -p "$H/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$H" >"$H/softhsm2.conf"
export SOFTHSM2_CONF=$H/softhsm2.conf
softhsm2-util --init-token --free --label attestd --pin 1234 --so-pin 5678 >/dev/null ||
	{ not_ok "softhsm2-util --init-token"; att_done; }
echo 1234 >"$H/pin"
echo 9999 >"$H/badpin"
objects() { find "$H/tokens" -name '*.object' ! -name token.object | wc -l; }  # key objects (token.object is the token's own)
cfg() { # cfg FILE URI PINFILE
	jq -n --arg u "$2" --arg p "$3" '{providers: {default: {signing: {pkcs11: $u, pin_file: $p}}}}' >"$1"
}
URI="pkcs11:token=attestd?module-path=$MOD"
cfg "$T_TMP/hsm.json" "$URI" "$H/pin"

D=$T_TMP/data
PORT=$(att_free_port)
# A first start without the token: the provider's key is file-held.
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
FILEKID=$("$ATTESTD" key list default --data-dir "$D" | jq -r '.[] | select(.state == "active") | .kid')
att_stop || not_ok "stop"
check_eq "token empty before" "$(objects)" 0

# Failures at start, each named.
cfg "$T_TMP/bad.json" "$URI" "$H/badpin"
OUT=$(timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$D" --config "$T_TMP/bad.json" 2>&1)
check_contains "wrong PIN: start refused, named" "$OUT" "provider default: signing key token: pkcs11: C_Login on token attestd: wrong PIN"
cfg "$T_TMP/bad.json" "pkcs11:token=nope?module-path=$MOD" "$H/pin"
OUT=$(timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$D" --config "$T_TMP/bad.json" 2>&1)
check_contains "missing token: start refused, named" "$OUT" "no token matching token=nope"
cfg "$T_TMP/bad.json" "pkcs11:token=attestd?module-path=/nonexistent/libp11.so" "$H/pin"
OUT=$(timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$D" --config "$T_TMP/bad.json" 2>&1)
check_contains "missing module: start refused, named" "$OUT" "loading module /nonexistent/libp11.so"
cfg "$T_TMP/bad.json" "pkcs11:token=attestd;vendor-x=1?module-path=$MOD" "$H/pin"
OUT=$(timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$D" --config "$T_TMP/bad.json" 2>&1)
check_contains "bad URI: start refused, named" "$OUT" "unknown path attribute 'vendor-x'"
check_eq "nothing made in the token by failed starts" "$(objects)" 0

# With the token: the first token key is made at start.
att_start "$D" "$PORT" --config "$T_TMP/hsm.json" || { not_ok "start with the token"; att_done; }
check_contains "start says the key was made in the token" "$(cat "$D.log")" "made in its PKCS #11 token"
check_eq "one key pair in the token" "$(objects)" 2
KID1=$("$ATTESTD" key list default --data-dir "$D" | jq -r '.[] | select(.state == "active") | .kid')
check_fails "a new active key" test "$KID1" = "$FILEKID"
check_eq "/readyz ready" "$(att_curl "$BASE/readyz" | jq -r .status)" ready

TOK=$("$ATTEST" dev-token --data-dir "$D" --role reader)
policy_token() {
	att_curl -H "Authorization: Bearer $TOK" "$BASE/policies/SgxEnclave?api-version=2020-10-01" | jq -r .token
}
T1=$(policy_token)
check_eq "token signed with the token key" "$("$ATTEST" token decode "$T1" | jq -r .header.kid)" "$KID1"
check "attest token verify (relying-party library)" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$T1"
BAD="${T1%.*}.$(printf 'x%.0s' $(seq 1 342))"
check_fails "a forged signature is refused" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$BAD"
V="$ATT_SRC_DIR/tests/interop/jose_verify.mjs"
if command -v node >/dev/null && [ -d "$ATT_SRC_DIR/node_modules/jose" ]; then
	OUT=$(NODE_EXTRA_CA_CERTS="$CA" node "$V" "$BASE/certs" "$BASE" "$T1")
	check_eq "jose verifies the token signed in the HSM" "$(jq -r '.ok, .alg, .kid' <<<"$OUT" | tr '\n' ' ')" "true RS256 $KID1 "
else
	not_ok "jose (node, node_modules/jose) missing: npm ci"
fi
# The x5c certificate of the token key was signed through the token.
X5C=$(att_curl "$BASE/certs" | jq -r --arg k "$KID1" '.keys[] | select(.kid == $k) | .x5c[0]')
printf -- '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' "$(fold -w64 <<<"$X5C")" >"$T_TMP/x5c.pem"
check "x5c self-signed certificate verifies (signed in the token)" openssl verify -CAfile "$T_TMP/x5c.pem" -check_ss_sig "$T_TMP/x5c.pem"

# Rotation: without the configuration refused, with it the key is made
# in the token.
OUT=$("$ATTESTD" key rotate default --data-dir "$D" 2>&1)
check_contains "rotate without --config refused" "$OUT" "lives in a PKCS #11 token"
OUT=$("$ATTESTD" key rotate default --data-dir "$D" --config "$T_TMP/hsm.json" 2>&1)
check_contains "rotate with --config" "$OUT" "new active key"
check_eq "two key pairs in the token" "$(objects)" 4
KID2=$("$ATTESTD" key list default --data-dir "$D" | jq -r '.[] | select(.state == "active") | .kid')
CERTS=$(att_curl "$BASE/certs")
check_eq "/certs serves both token keys" "$(jq --arg a "$KID1" --arg b "$KID2" '[.keys[] | select(.kid == $a or .kid == $b)] | length' <<<"$CERTS")" 2
T2=""
for i in $(seq 1 40); do
	T2=$(policy_token)
	[ "$("$ATTEST" token decode "$T2" | jq -r .header.kid)" = "$KID2" ] && break
	sleep 0.1
done
check_eq "new tokens are signed with the rotated key" "$("$ATTEST" token decode "$T2" | jq -r .header.kid)" "$KID2"
check "rotated key's token verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$T2"
check "first token still verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$T1"
if command -v node >/dev/null && [ -d "$ATT_SRC_DIR/node_modules/jose" ]; then
	OUT=$(NODE_EXTRA_CA_CERTS="$CA" node "$V" "$BASE/certs" "$BASE" "$T2")
	check_eq "jose verifies the rotated key's token" "$(jq -r .ok <<<"$OUT")" true
fi
# Restart: keys found again in the token by their labels.
att_stop || not_ok "stop"
att_start "$D" "$PORT" --config "$T_TMP/hsm.json" || { not_ok "restart with the token"; att_done; }
check_eq "no new key at restart" "$(objects)" 4
T3=$(policy_token)
check_eq "after restart: signs with the rotated key" "$("$ATTEST" token decode "$T3" | jq -r .header.kid)" "$KID2"
check "after restart: token verifies" "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$T3"
att_stop || not_ok "stop"
# Without the configuration the token keys cannot be used: refused, named.
OUT=$(timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$D" 2>&1)
check_contains "start without the token configuration refused" "$OUT" "lives in a PKCS #11 token"
att_done
