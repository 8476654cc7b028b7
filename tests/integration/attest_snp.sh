#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# POST /attest/SevSnpVm end to end against attestd in dev mode with the
# SEV-SNP simulator in DATA_DIR/snpsim (made before the start, so dev mode
# pins its ARK): the real Azure request of MAA's REST API example
# (tests/vectors/maa/spec-examples) for api-versions 2025-06-01,
# 2022-08-01 and 2022-09-01-preview -> 200 with a token whose
# x-ms-sevsnpvm-* claims have the real token's names, JSON types and
# values and whose x-ms-policy-hash is the real token's (MAA's default
# SevSnpVm policy); `attest snp --sim --verify` -> 200 with x-ms-runtime;
# a debug report refused; a tampered report and mismatched runtime data
# -> 400 naming the step; GET/PUT/reset /policies/SevSnpVm; a draft
# policy (unsigned token); then a restart with verify_time_override
# after the real VCEK's notAfter refuses the real example.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

EX=$ATT_SRC_DIR/tests/vectors/maa/spec-examples
STABLE=$EX/specs/Attestation/stable/2025-06-01/examples/AttestSevSnpVm.json
PREVIEW=$EX/specs/Attestation/preview/2022-09-01-preview/examples/AttestSevSnpVm.json
DEC=$EX/decoded/stable-2025-06-01_AttestSevSnpVm
[ -f "$STABLE" ] || { echo "FAIL (cannot run): $STABLE missing"; echo "0 passed, 1 failed"; exit 77; }

D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W" && mkdir -m 700 "$D"
SIM=$D/snpsim
check "attest sim snp init DATA_DIR/snpsim" "$ATTEST" sim snp init "$SIM"
# AMD's KDS is never asked from tests (the CRL of the real example's
# Milan chain would be fetched from it): the store and imports only.
echo '{"kds_offline": true}' >"$D/attest.json"
PORT=$(att_free_port)
att_start "$D" "$PORT" ||
	{ att_stop; PORT=$(att_free_port); att_start "$D" "$PORT"; } ||
	{ not_ok "attestd starts"; att_done; }

claims() { "$ATTEST" token decode "$1" 2>/dev/null | jq -c .claims; }
header() { "$ATTEST" token decode "$1" 2>/dev/null | jq -c .header; }
verify() { "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$1" >/dev/null; }
snp() { "$ATTEST" snp --url "$BASE" --ca "$CA" "$@"; }
# post BODY_FILE [API_VERSION]: the response body; status in $T_TMP/status
post() { att_curl -X POST -H 'Content-Type: application/json' \
	"$BASE/attest/SevSnpVm?api-version=${2:-2025-06-01}" --data-binary "@$1"; }

# --- the real Azure example --------------------------------------------
# The example's body has no nonce although its token carries one.
jq -c '.parameters.body + {nonce: "noncesevsnp987"}' "$STABLE" >"$W/real.json"
R=$(post "$W/real.json")
check_eq "real Azure example: 200" "$(att_status)" 200
TOK=$(jq -r .token <<<"$R")
C=$(claims "$TOK")
check "real example: the token verifies against /certs" verify "$TOK"
check_eq "real example: header RS256 JWT, jku BASE/certs" \
	"$(header "$TOK" | jq -r '.alg + " " + .typ + " " + .jku')" "RS256 JWT $BASE/certs"
# names and JSON types of every x-ms-sevsnpvm-* claim, as in the real token
WANT_T=$(jq -c 'with_entries(select(.key | startswith("x-ms-sevsnpvm-"))) |
	map_values(if . == "integer" then "number" else . end)' "$DEC/response_claim_types.json")
GOT_T=$(jq -c 'with_entries(select(.key | startswith("x-ms-sevsnpvm-"))) | map_values(type)' <<<"$C")
check_eq "real example: x-ms-sevsnpvm-* names and JSON types = the real token's" \
	"$(jq -S -c . <<<"$GOT_T")" "$(jq -S -c . <<<"$WANT_T")"
check_eq "real example: x-ms-sevsnpvm-* values = the real token's" \
	"$(jq -S -c 'with_entries(select(.key | startswith("x-ms-sevsnpvm-")))' <<<"$C")" \
	"$(jq -S -c 'with_entries(select(.key | startswith("x-ms-sevsnpvm-")))' "$DEC/response_claims.json")"
for k in x-ms-attestation-type x-ms-ver x-ms-runtime x-ms-policy-hash nonce; do
	check_eq "real example: $k = the real token's" "$(jq -S -c --arg k "$k" '.[$k]' <<<"$C")" \
		"$(jq -S -c --arg k "$k" '.[$k]' "$DEC/response_claims.json")"
done
check_eq "real example: x-attestd-sevsnp product, signer, VEK source" \
	"$(jq -r '[."x-attestd-sevsnp-product", ."x-attestd-sevsnp-signer", ."x-attestd-sevsnp-vek-source"] | join(" ")' <<<"$C")" \
	"Milan VCEK VcekCertChain"

post "$W/real.json" 2022-08-01 >/dev/null
check_eq "real example, api-version 2022-08-01: 200" "$(att_status)" 200
jq -c '.parameters.request' "$PREVIEW" >"$W/preview.json"
post "$W/preview.json" 2022-09-01-preview >/dev/null
check_eq "preview example (unpadded runtimeData), 2022-09-01-preview: 200" "$(att_status)" 200

# --- refusals ----------------------------------------------------------
jq -c '.runtimeData.data = "eyJrZXlzIjpbXX0"' "$W/real.json" >"$W/rtbad.json"
R=$(post "$W/rtbad.json")
check_eq "runtimeData that does not match: 400 InvalidParameter" \
	"$(att_status) $(jq -r .error.code <<<"$R")" "400 InvalidParameter"
check_contains "  ... naming REPORT_DATA" "$(jq -r .error.message <<<"$R")" "REPORT_DATA[0..31]"

# a tampered report: one byte of the measurement (offset 0x90) changed
python3 - "$W/real.json" "$W/tampered.json" <<'EOF'
import base64, json, sys
b = json.load(open(sys.argv[1]))
d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
e = lambda x: base64.urlsafe_b64encode(x).decode().rstrip("=")
doc = json.loads(d(b["report"]))
rep = bytearray(d(doc["SnpReport"]))
rep[0x90] ^= 1
doc["SnpReport"] = e(bytes(rep))
b["report"] = e(json.dumps(doc).encode())
json.dump(b, open(sys.argv[2], "w"))
EOF
R=$(post "$W/tampered.json")
check_eq "tampered report: 400" "$(att_status)" 400
check_contains "  ... naming the step" "$(jq -r .error.message <<<"$R")" "SEV-SNP report verification failed"
R=$(post <(echo '{"report":"e30"}'))
check_eq "report document without SnpReport: 400" "$(att_status)" 400
check_contains "  ... naming it" "$(jq -r .error.message <<<"$R")" "SnpReport"

# --- the simulator ------------------------------------------------------
printf '{"keys":[{"kid":"HCLAkPub","kty":"RSA","e":"AQAB","n":"sim"}],"vm-configuration":{"secure-boot":true}}' >"$W/rt.json"
OUT=$(snp --sim "$SIM" --runtime-json "$W/rt.json" --nonce sim1 -o "$W/sim.tok" --verify 2>"$W/err")
check "attest snp --sim --runtime-json --verify: token verified" test -s "$W/sim.tok"
[ -s "$W/sim.tok" ] || cat "$W/err"
C=$(claims "$(cat "$W/sim.tok")")
check_eq "simulator: x-ms-runtime = the runtime JSON" "$(jq -S -c '."x-ms-runtime"' <<<"$C")" "$(jq -S -c . "$W/rt.json")"
check_eq "simulator: reportdata = SHA-256(runtime JSON) || 0^32" "$(jq -r '."x-ms-sevsnpvm-reportdata"' <<<"$C")" \
	"$(sha256sum <"$W/rt.json" | cut -c1-64)$(printf '%064d' 0)"
check_eq "simulator: is-debuggable false, nonce" "$(jq -c '[."x-ms-sevsnpvm-is-debuggable", .nonce]' <<<"$C")" '[false,"sim1"]'
check_contains "--verify printed the claims" "$OUT" '"x-ms-attestation-type": "sevsnpvm"'
check_fails "a debug report is refused" snp --sim "$SIM" --debug --runtime-json "$W/rt.json"
snp --sim "$SIM" --debug >/dev/null 2>"$W/err"
check_contains "  ... 400 naming debugging" "$(cat "$W/err")" "HTTP 400"
grep -qi debug "$W/err" && ok "  ... the message names debug" || not_ok "  ... the message names debug: $(cat "$W/err")"

# --- policies -----------------------------------------------------------
P=$("$ATTEST" policy get --url "$BASE" --type SevSnpVm --ca "$CA" --dev-token-dir "$D" 2>"$W/err")
check_eq "GET /policies/SevSnpVm: MAA's default" "$P" "version= 1.0;authorizationrules{=> permit();};"
cat >"$W/stored.pol" <<'EOF'
version= 1.0;
authorizationrules { c:[type=="x-ms-sevsnpvm-is-debuggable", value==false] => permit(); };
issuancerules { c:[type=="x-ms-sevsnpvm-vmpl"] => issue(type="vmpl", value=c.value); };
EOF
check "PUT /policies/SevSnpVm" "$ATTEST" policy set --url "$BASE" --type SevSnpVm --ca "$CA" --dev-token-dir "$D" "$W/stored.pol"
P=$("$ATTEST" policy get --url "$BASE" --type SevSnpVm --ca "$CA" --dev-token-dir "$D" 2>/dev/null)
check_eq "GET returns the stored policy" "$P" "$(cat "$W/stored.pol")"
TOK=$(snp --sim "$SIM" 2>"$W/err")
check_eq "the stored policy issues vmpl" "$(claims "$TOK" | jq -c '[.vmpl, ."x-ms-policy".vmpl]')" "[0,0]"
check "POST /policies/SevSnpVm:reset" "$ATTEST" policy reset --url "$BASE" --type SevSnpVm --ca "$CA" --dev-token-dir "$D"
printf 'version=1.0;authorizationrules{=>permit();};issuancerules{c:[type=="x-ms-sevsnpvm-guestsvn"] => issue(type="draft-svn", value=c.value);};' >"$W/draft.pol"
TOK=$(snp --sim "$SIM" --draft-policy "$W/draft.pol" 2>"$W/err")
check_eq "draft policy: unsigned token with the issued claim" \
	"$(header "$TOK" | jq -r .alg) $(claims "$TOK" | jq -c '."draft-svn"')" "none 0"
printf 'version=1.0;authorizationrules{c:[type=="x-ms-sevsnpvm-vmpl", value==3] => permit();};' >"$W/deny.pol"
snp --sim "$SIM" --draft-policy "$W/deny.pol" >/dev/null 2>"$W/err"
check_contains "draft policy that denies: PolicyEvaluationError" "$(cat "$W/err")" "PolicyEvaluationError"

# --- no VcekCertChain: the KDS path -------------------------------------
# The real report is version 1 (no CPUID): KDS cannot be asked for it.
jq -c '.report = ((.report | gsub("-"; "+") | gsub("_"; "/") | @base64d | fromjson).SnpReport)' \
	"$W/real.json" >"$W/raw.json"
R=$(post "$W/raw.json")
check_eq "raw report without a chain: 400" "$(att_status)" 400
check_contains "  ... KDS cannot be asked without the product" "$(jq -r .error.message <<<"$R")" "KDS"

# --- metrics ---------------------------------------------------------------
M=$(att_curl "$BASE/metrics")
check_contains "/metrics counts POST /attest/SevSnpVm" "$M" 'route="/attest/SevSnpVm"'
check_contains "/metrics has the KDS client's counters" "$M" "attestd_kds_fetches_total"

# --- verification time override past the real VCEK's notAfter ------------
att_stop
echo '{"verify_time_override": "2028-02-01T00:00:00Z", "kds_offline": true}' >"$D/attest.json"
att_start "$D" "$PORT" || { att_stop; att_start "$D" "$PORT"; } ||
	{ not_ok "restart with attest.json"; att_done; }
R=$(post "$W/real.json")
check_eq "override 2028-02-01: the real example is refused (400)" "$(att_status)" 400
check_contains "  ... VCEK expired" "$(jq -r .error.message <<<"$R")" "expired"
att_stop
att_done
