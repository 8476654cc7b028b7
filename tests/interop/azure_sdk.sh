#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interop with Microsoft's MAA client @azure/attestation 1.0.0 (Node):
# every call of AttestationClient (getOpenIdMetadata, getAttestationSigners,
# attestSgxEnclave with Binary and JSON runtime data and with a draft
# policy, attestOpenEnclave) and of AttestationAdministrationClient
# (getPolicy, setPolicy unsigned in aad mode and signed in isolated mode,
# resetPolicy, getPolicyManagementCertificates,
# add/removePolicyManagementCertificate) against attestd over HTTPS, with
# the SDK's token validation on and the issuer checked; every signed token
# also verifies with jose through /certs (azure_sdk.mjs). Quotes come from
# the dev data dir's SGX simulator with SHA-256(runtime data) as report
# data; bearer tokens from `attest dev-token`.
. "$(dirname "$0")/../integration/lib/attestd.sh"
att_require_bins
command -v node >/dev/null || { echo "FAIL (cannot run): node missing"; echo "0 passed, 1 failed"; exit 77; }
command -v openssl >/dev/null || { echo "FAIL (cannot run): openssl missing"; echo "0 passed, 1 failed"; exit 77; }
for m in @azure/attestation jose; do
	[ -d "$ATT_SRC_DIR/node_modules/$m" ] || { echo "FAIL (cannot run): node_modules/$m missing (npm ci)"; echo "0 passed, 1 failed"; exit 77; }
done

D=$T_TMP/data
K=$T_TMP/keys
mkdir -p "$K"
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"
for n in s1 s2; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/$n.key" -out "$K/$n.pem" \
		-subj "/CN=sdk policy signer $n" -days 30 2>/dev/null
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$K/e1.key" \
	-out "$K/e1.pem" -subj "/CN=sdk policy signer e1" -days 30 2>/dev/null
check "provider add iso (isolated, signer s1)" "$ATTESTD" provider add iso --data-dir "$D" \
	--mode isolated --policy-signer "$K/s1.pem"
att_start "$D" "$PORT" || { not_ok "restart"; att_done; }

# The SGX simulator of a dev data dir exists after the first attestation
# request (an empty one is enough).
[ -d "$D/sim" ] || att_curl -X POST -H "Content-Type: application/json" -d '{"quote":"AAAA"}' \
	"$BASE/attest/SgxEnclave?api-version=2020-10-01" >/dev/null
check "the dev SGX simulator exists" test -d "$D/sim"

# Runtime data (Binary and JSON) and quotes binding SHA-256 of each.
head -c 48 /dev/urandom >"$T_TMP/rt.bin"
printf '{"jwk":{"kty":"EC","crv":"P-256","x":"%s","y":"%s"},"nonce":"%s"}' \
	"$(head -c 32 /dev/urandom | att_b64url)" "$(head -c 32 /dev/urandom | att_b64url)" "$RANDOM" >"$T_TMP/rt.json"
for f in bin json; do
	RD=$(openssl dgst -sha256 -binary "$T_TMP/rt.$f" | od -An -tx1 | tr -d ' \n')
	check "simulated quote for the $f runtime data" "$ATTEST" sim sgx quote "$D/sim" -o "$T_TMP/q.$f" --report-data "$RD"
done

jq -n --arg base "$BASE" --arg iso "$BASE/iso" --arg attest "$ATTEST" --arg dir "$D" \
	--arg rb "$T_TMP/rt.bin" --arg rj "$T_TMP/rt.json" --arg qb "$T_TMP/q.bin" --arg qj "$T_TMP/q.json" \
	--arg k "$K" '{base: $base, iso: $iso, attest: $attest, dataDir: $dir,
	  runtimeBin: $rb, runtimeJson: $rj, quoteBin: $qb, quoteJson: $qj,
	  keys: {s1: {key: "\($k)/s1.key", cert: "\($k)/s1.pem"},
	         s2: {key: "\($k)/s2.key", cert: "\($k)/s2.pem"},
	         e1: {key: "\($k)/e1.key", cert: "\($k)/e1.pem"}}}' >"$T_TMP/cfg.json"

cd "$ATT_SRC_DIR" || exit 1
NODE_EXTRA_CA_CERTS="$CA" node "$ATT_SRC_DIR/tests/interop/azure_sdk.mjs" "$T_TMP/cfg.json" >"$T_TMP/node.out" 2>"$T_TMP/node.err"
NODE_RC=$?
grep -E '^(not )?ok - ' "$T_TMP/node.out"
T_PASS=$((T_PASS + $(grep -c '^ok - ' "$T_TMP/node.out")))
T_FAIL=$((T_FAIL + $(grep -c '^not ok - ' "$T_TMP/node.out")))
if ! grep -q '^[0-9]* passed, [0-9]* failed$' "$T_TMP/node.out"; then
	not_ok "azure_sdk.mjs ran to the end (rc $NODE_RC): $(tail -5 "$T_TMP/node.err")"
elif [ "$NODE_RC" -ne 0 ] && ! grep -q '^not ok' "$T_TMP/node.out"; then
	not_ok "azure_sdk.mjs exit status $NODE_RC"
fi
check_fails "no 5xx answered during the run" grep -q '"status":5' "$D.log"
att_done
