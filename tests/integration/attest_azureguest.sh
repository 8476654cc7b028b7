#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# POST /attest/AzureGuest end to end against attestd in dev mode, with
# the verification time inside the real AIK certificate's validity
# (verify_time_override 2025-06-01) and that certificate pinned as the
# default provider's vTPM anchor (providers.default.vtpm_roots): MAA's
# REST example (a real Trusted Launch Windows VM) in both body spellings
# and api-versions 2025-06-01 and 2020-10-01 -> 200 with a sealed answer
# of the shape Microsoft's clients open (base64url of {Jwt,
# EncryptedInnerKey (one RSA-2048 block), EncryptionParams {BlockMode
# ChainingModeGCM, BlockPadding, Cipher AES, KeySizeInBits 256, Iv of 12
# bytes}, AuthenticationData of 16 bytes}); the example's EncKeyPub
# private key is unknown, so the token inside is opened in the unit test
# (tests/unit/verify/test_azureguest.c) with a key of its own. Refusals:
# a tampered quote, a tampered PCR value, a provider without anchors
# (400 naming the link); an unknown api-version (400).
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

EX=$ATT_SRC_DIR/tests/vectors/maa/spec-examples
STABLE=$EX/specs/Attestation/stable/2025-06-01/examples/AttestAzureGuestVm.json
DEC=$EX/decoded/stable-2025-06-01_AttestAzureGuestVm
[ -f "$STABLE" ] || { echo "FAIL (cannot run): $STABLE missing"; echo "0 passed, 1 failed"; exit 77; }

D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W" && mkdir -m 700 "$D"
echo '{"verify_time_override": "2025-06-01T00:00:00Z", "kds_offline": true}' >"$D/attest.json"
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"
check "provider add p2" "$ATTESTD" provider add p2 --data-dir "$D" \
	--base-url "https://127.0.0.1:$PORT/p2"
jq -n --arg pem "$DEC/aik_cert.pem" \
	'{providers: {default: {vtpm_roots: [$pem]}}}' >"$W/cfg.json"
att_start "$D" "$PORT" --config "$W/cfg.json" ||
	{ not_ok "start with the config"; att_done; }

# post BODY_FILE [API_VERSION] [PATH_PREFIX]: the response body
post() { att_curl -X POST -H 'Content-Type: application/json' \
	"$BASE${3:-}/attest/AzureGuest?api-version=${2:-2025-06-01}" --data-binary "@$1"; }

# envelope TOKEN: the sealed envelope's shape, one line
envelope() {
	python3 - "$1" <<'PY'
import base64, json, sys
t = sys.argv[1]
e = json.loads(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))
p = e["EncryptionParams"]
b = lambda s: len(base64.b64decode(s, validate=True))
print(",".join(e.keys()), p["BlockMode"], p["BlockPadding"], p["Cipher"],
      p["KeySizeInBits"], "iv", b(p["Iv"]), "tag", b(e["AuthenticationData"]),
      "key", b(e["EncryptedInnerKey"]), "jwt", b(e["Jwt"]) > 500)
PY
}
WANT="Jwt,EncryptedInnerKey,EncryptionParams,AuthenticationData ChainingModeGCM PKCS7 AES 256 iv 12 tag 16 key 256 jwt True"

jq -c '.parameters.body' "$STABLE" >"$W/real.json"
R=$(post "$W/real.json")
check_eq "real example (attestationInfo), 2025-06-01: 200" "$(att_status)" 200
TOK=$(jq -r .token <<<"$R")
check_eq "real example: the answer is the sealed envelope" "$(envelope "$TOK")" "$WANT"
check_eq "real example: the token is not readable without the TPM" \
	"$(grep -c 'azurevm' <<<"$TOK")" 0

jq -c '{AttestationInfo: .parameters.body.attestationInfo}' "$STABLE" >"$W/clients.json"
R=$(post "$W/clients.json" 2020-10-01)
check_eq "AttestationInfo spelling, 2020-10-01: 200" "$(att_status)" 200
check_eq "AttestationInfo spelling: sealed envelope" \
	"$(envelope "$(jq -r .token <<<"$R")")" "$WANT"

# --- refusals ----------------------------------------------------------
# tamper: decode AttestationInfo, change a member, encode it again
tamper() {
	python3 - "$W/real.json" "$1" <<'PY'
import base64, json, sys
body = json.load(open(sys.argv[1]))
s = body["attestationInfo"]
info = json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
what = sys.argv[2]
if what == "quote":
    q = bytearray(base64.b64decode(info["TpmInfo"]["PcrQuote"]))
    q[-1] ^= 1
    info["TpmInfo"]["PcrQuote"] = base64.b64encode(q).decode()
elif what == "pcr":
    info["TpmInfo"]["PCRs"][2]["Digest"] = base64.b64encode(bytes(32)).decode()
body["attestationInfo"] = base64.urlsafe_b64encode(json.dumps(info).encode()).decode().rstrip("=")
print(json.dumps(body))
PY
}
tamper quote >"$W/quote.json"
R=$(post "$W/quote.json")
check_eq "tampered quote: 400" "$(att_status)" 400
check_contains "tampered quote: names PcrSignature" "$R" "PcrSignature"
tamper pcr >"$W/pcr.json"
R=$(post "$W/pcr.json")
check_eq "tampered PCR value: 400" "$(att_status)" 400
check_contains "tampered PCR value: names PCRs" "$R" "PCRs"
R=$(post "$W/real.json" 2025-06-01 /p2)
check_eq "provider without vTPM anchors: 400" "$(att_status)" 400
check_contains "provider without vTPM anchors: names vtpm_roots" "$R" "vtpm_roots"
post "$W/real.json" 2099-01-01 >/dev/null
check_eq "unknown api-version: 400" "$(att_status)" 400
echo '{"attestationInfo": "bm90IGpzb24"}' >"$W/junk.json"
R=$(post "$W/junk.json")
check_eq "AttestationInfo not JSON: 400" "$(att_status)" 400
check_contains "AttestationInfo not JSON: names it" "$R" "AttestationInfo"

att_stop || not_ok "stop"
att_done
