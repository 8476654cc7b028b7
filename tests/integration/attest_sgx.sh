#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# POST /attest/SgxEnclave, /attest/OpenEnclave and /attest/TdxVm end to end
# against attestd in dev mode (its SGX simulator in DATA_DIR/sim):
# `attest sgx|oe --sim` with Binary and JSON runtime data, init-time data
# (KSS), nonce, OpenEnclave reports, the default policy's claims and hash,
# a stored policy (visible to the very next request), draft policies
# (unsigned token, deny, parse error), runtime/init data mismatches,
# tampered quotes, every TCB level, a revoked PCK, request encodings and
# api-versions; then real TDX quotes from ../shared/testdata with their
# collateral imported and verify_time_override set (the collateral is
# expired today). Tokens are checked with `attest token verify`.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v openssl >/dev/null || { echo "FAIL (cannot run): openssl missing"; echo "0 passed, 1 failed"; exit 77; }

D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W"
PORT=$(att_free_port)
# (one retry on another port: a busy machine can be slow to start)
att_start "$D" "$PORT" ||
	{ att_stop; rm -rf "$D"; PORT=$(att_free_port); att_start "$D" "$PORT"; } ||
	{ not_ok "attestd starts"; att_done; }
SIM=$D/sim

# The attestation context is built at start-up once the server calls
# att_server_attest_init; before that, the first attestation request
# builds it (and the simulator).
if [ ! -f "$SIM/manifest.json" ]; then
	att_curl -X POST "$BASE/attest/SgxEnclave" -d '{}' >/dev/null
fi
check "dev mode created the simulator in DATA_DIR/sim" test -f "$SIM/root.pem"

# helpers ---------------------------------------------------------------
sgx() { "$ATTEST" sgx --url "$BASE" --ca "$CA" "$@"; }
oe() { "$ATTEST" oe --url "$BASE" --ca "$CA" "$@"; }
tdx() { "$ATTEST" tdx --url "$BASE" --ca "$CA" "$@"; }
claims() { "$ATTEST" token decode "$1" 2>/dev/null | jq -c .claims; }
header() { "$ATTEST" token decode "$1" 2>/dev/null | jq -c .header; }
verify() { "$ATTEST" token verify --issuer "$BASE" --ca "$CA" "$1"; }
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
sha256hex() { sha256sum | cut -c1-64; }
zeros() { printf '%0*d' "$1" 0; }
# post TYPE BODY: prints the response body, status in $T_TMP/status.
post() { att_curl -X POST -H 'Content-Type: application/json' \
	"$BASE/attest/$1?api-version=${3:-2020-10-01}" --data-binary "$2"; }
errcode() { jq -r .error.code; }
errmsg() { jq -r .error.message; }

MRE=$(printf 'enclave-under-test' | sha256hex)
MRS=$(printf 'signer-under-test' | sha256hex)
printf 'binary runtime data \x00\x01\x02' >"$W/rt.bin"
printf '{"jwk":{"kty":"EC","crv":"P-256"},"n":7}' >"$W/rt.json"

# --- SGX, Binary runtime data, against the default policy --------------
TOK=$(sgx --sim "$SIM" --mrenclave "$MRE" --mrsigner "$MRS" --isvprodid 7 \
	--isvsvn 3 --runtime-data "$W/rt.bin" 2>"$W/err")
check "attest sgx --sim --runtime-data returns a token" test -n "$TOK"
check "the token verifies with attest token verify" verify "$TOK"
C=$(claims "$TOK")
H=$(header "$TOK")
check_eq "header alg RS256, typ JWT" "$(jq -r '.alg + " " + .typ' <<<"$H")" "RS256 JWT"
check_eq "header jku = BASE/certs" "$(jq -r .jku <<<"$H")" "$BASE/certs"
KID=$(jq -r .kid <<<"$H")
check_eq "header kid is in /certs" \
	"$(att_curl "$BASE/certs" | jq -r --arg k "$KID" '[.keys[] | select(.kid == $k)] | length')" 1
check_eq "x-ms-attestation-type sgx" "$(jq -r '."x-ms-attestation-type"' <<<"$C")" sgx
check_eq "x-ms-ver 1.0" "$(jq -r '."x-ms-ver"' <<<"$C")" 1.0
check_eq "x-ms-sgx-mrenclave as set" "$(jq -r '."x-ms-sgx-mrenclave"' <<<"$C")" "$MRE"
check_eq "x-ms-sgx-mrsigner as set" "$(jq -r '."x-ms-sgx-mrsigner"' <<<"$C")" "$MRS"
check_eq "x-ms-sgx-product-id, -svn, -is-debuggable" \
	"$(jq -c '[."x-ms-sgx-product-id", ."x-ms-sgx-svn", ."x-ms-sgx-is-debuggable"]' <<<"$C")" '[7,3,false]'
EHD=$(b64url <"$W/rt.bin")
check_eq "x-ms-sgx-ehd = b64url(runtime data)" "$(jq -r '."x-ms-sgx-ehd"' <<<"$C")" "$EHD"
check_eq "legacy maa-ehd and aas-ehd" "$(jq -r '."maa-ehd" + " " + ."aas-ehd"' <<<"$C")" "$EHD $EHD"
check_eq "x-ms-sgx-report-data = SHA-256(runtime data) || 0^32" \
	"$(jq -r '."x-ms-sgx-report-data"' <<<"$C")" "$(sha256hex <"$W/rt.bin")$(zeros 64)"
check_eq "x-ms-sgx-collateral has MAA's seven hashes" \
	"$(jq -c '."x-ms-sgx-collateral" | keys' <<<"$C")" \
	'["qeidcertshash","qeidcrlhash","qeidhash","quotehash","tcbinfocertshash","tcbinfocrlhash","tcbinfohash"]'
check_eq "legacy maa-attestationcollateral = x-ms-sgx-collateral" \
	"$(jq -c '."maa-attestationcollateral" == ."x-ms-sgx-collateral"' <<<"$C")" true
check_eq "TCB status UpToDate" "$(jq -r '."x-attestd-tcb-status"' <<<"$C")" UpToDate
check_eq "advisory ids present (empty)" "$(jq -c '."x-attestd-advisory-ids"' <<<"$C")" '[]'
check_eq "exp = iat + 8 h, nbf = iat" "$(jq -c '[.exp - .iat, .nbf - .iat]' <<<"$C")" '[28800,0]'
check_eq "jti is 64 hex" "$(jq -r '.jti | test("^[0-9a-f]{64}$")' <<<"$C")" true
check_eq "iss = BASE" "$(jq -r .iss <<<"$C")" "$BASE"
check_eq "dev-mode marker" "$(jq -r '."x-attestd-dev-mode"' <<<"$C")" true
check_eq "no nonce when none was sent" "$(jq -r 'has("nonce")' <<<"$C")" false
# x-ms-policy-hash of the default policy: b64url(SHA-256(AttestationPolicy
# string of the policy JWS that GET /policies returns)), computed here.
RTOK=$("$ATTEST" dev-token --data-dir "$D" --role reader)
PJWS=$(att_curl -H "Authorization: Bearer $RTOK" "$BASE/policies/SgxEnclave?api-version=2020-10-01" |
	jq -r .token | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null | jq -r '."x-ms-policy"')
PSTR=$(cut -d. -f2 <<<"$PJWS" | tr '_-' '/+' | base64 -d 2>/dev/null | jq -r .AttestationPolicy)
DEF_HASH=$(printf %s "$PSTR" | openssl dgst -sha256 -binary | b64url)
check_eq "x-ms-policy-hash = hash of the default policy" "$(jq -r '."x-ms-policy-hash"' <<<"$C")" "$DEF_HASH"
check_eq "default policy issued the legacy claims at the top level" \
	"$(jq -c '[."is-debuggable", ."sgx-mrsigner" == $s, ."sgx-mrenclave" == $e, ."product-id", .svn, .tee]' \
		--arg s "$MRS" --arg e "$MRE" <<<"$C")" '[false,true,true,7,3,"sgx"]'
check_eq "... and in x-ms-policy" \
	"$(jq -c '."x-ms-policy" | [.tee, ."product-id", ."sgx-mrenclave" == $e]' --arg e "$MRE" <<<"$C")" '["sgx",7,true]'
check_eq "no x-ms-policy-signer for the unsigned default" "$(jq -r 'has("x-ms-policy-signer")' <<<"$C")" false

# --verify prints the verified claims
OUT=$(sgx --sim "$SIM" --verify 2>&1)
check_eq "attest sgx --verify prints verified claims" "$(tail -n +2 <<<"$OUT" | jq -r '."x-ms-attestation-type"')" sgx

# --- JSON runtime data, nonce -------------------------------------------
TOK=$(sgx --sim "$SIM" --runtime-json "$W/rt.json" --nonce "n-0123")
C=$(claims "$TOK")
check "JSON runtime data: token verifies" verify "$TOK"
check_eq "x-ms-runtime is the JSON object" "$(jq -c '."x-ms-runtime"' <<<"$C")" "$(jq -c . "$W/rt.json")"
check_eq "no x-ms-sgx-ehd with JSON data" "$(jq -r 'has("x-ms-sgx-ehd")' <<<"$C")" false
check_eq "report data = SHA-256(JSON bytes)" "$(jq -r '."x-ms-sgx-report-data"[0:64]' <<<"$C")" "$(sha256hex <"$W/rt.json")"
check_eq "nonce copied" "$(jq -r .nonce <<<"$C")" n-0123

# --- initTimeData against CONFIGID (KSS) ---------------------------------
printf 'init-time config' >"$W/init.bin"
TOK=$(sgx --sim "$SIM" --init-data "$W/init.bin" --config-svn 5)
C=$(claims "$TOK")
check_eq "KSS: x-ms-sgx-config-id = SHA-256(init data) || 0" \
	"$(jq -r '."x-ms-sgx-config-id"' <<<"$C")" "$(sha256hex <"$W/init.bin")$(zeros 64)"
check_eq "KSS: x-ms-sgx-config-svn, isv ids" \
	"$(jq -c '[."x-ms-sgx-config-svn", (."x-ms-sgx-isv-family-id" | length), (."x-ms-sgx-isv-extended-product-id" | length)]' <<<"$C")" '[5,32,32]'
printf '{"cfg":1}' >"$W/init.json"
TOK=$(sgx --sim "$SIM" --init-json "$W/init.json")
check_eq "JSON init data: x-ms-inittime" "$(claims "$TOK" | jq -c '."x-ms-inittime"')" '{"cfg":1}'
OUT=$(sgx --sim "$SIM" --init-data "$W/init.bin" --config-id "$(zeros 128)" 2>&1)
check_contains "initTimeData mismatch: InvalidParameter" "$OUT" "400 InvalidParameter"
check_contains "  ... names CONFIGID and both values" "$OUT" "CONFIGID[0..31] = $(zeros 64)"
check_contains "  ... with SHA-256(initTimeData)" "$OUT" "$(sha256hex <"$W/init.bin")"
"$ATTEST" sim sgx quote "$SIM" -o "$W/nokss.bin" >/dev/null
B=$(printf '{"quote":"%s","initTimeData":{"data":"%s","dataType":"Binary"}}' \
	"$(b64url <"$W/nokss.bin")" "$(b64url <"$W/init.bin")")
OUT=$(post SgxEnclave "$B")
check_contains "initTimeData without KSS is refused" "$(errmsg <<<"$OUT")" "Key Separation and Sharing"

# --- OpenEnclave --------------------------------------------------------
TOK=$(oe --sim "$SIM" --runtime-data "$W/rt.bin" --nonce oe1)
C=$(claims "$TOK")
check "OpenEnclave: token verifies" verify "$TOK"
check_eq "OpenEnclave: x-ms-attestation-type sgx" "$(jq -r '."x-ms-attestation-type"' <<<"$C")" sgx
check_eq "OpenEnclave: ehd and nonce" "$(jq -r '."x-ms-sgx-ehd" + " " + .nonce' <<<"$C")" "$EHD oe1"
"$ATTEST" oe --sim "$SIM" --request-only >"$W/oe.req"
jq -r .report "$W/oe.req" | tr '_-' '/+' | base64 -d >"$W/oe.bin" 2>/dev/null
SZ=$(($(wc -c <"$W/oe.bin") - 16))
check_eq "OE request carries \"report\" = header (1, 2, size) + quote" \
	"$(head -c 16 "$W/oe.bin" | od -An -v -tu4 | tr -s ' ' | sed 's/^ //;s/ $//')" "1 2 $SZ 0"
OUT=$(post OpenEnclave "{\"report\":\"$({ printf '\x02'; tail -c +2 "$W/oe.bin"; } | b64url)\"}")
check_eq "bad OE header version: InvalidParameter" "$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
check_contains "  ... naming the header" "$(errmsg <<<"$OUT")" "OpenEnclave report header: version 2"
OUT=$(post OpenEnclave "{\"report\":\"$(b64url <"$W/oe.bin")\"}")
check_eq "the OE report as MAA clients send it: 200" "$(att_status)" 200
OUT=$(post OpenEnclave "$(jq -c '{quote: .report}' "$W/oe.req")")
check_contains "OpenEnclave without \"report\": names the member" "$(errmsg <<<"$OUT")" '"report"'

# --- request encodings and api-versions ----------------------------------
"$ATTEST" sgx --sim "$SIM" --runtime-data "$W/rt.bin" --request-only >"$W/sgx.req"
for v in 2020-10-01 2022-08-01 2025-06-01; do
	OUT=$(post SgxEnclave "$(cat "$W/sgx.req")" "$v")
	check_eq "api-version $v accepted" "$(att_status) $(jq -r '.token | length > 100' <<<"$OUT")" "200 true"
done
OUT=$(post SgxEnclave "$(cat "$W/sgx.req")" 1999-01-01)
check_eq "unknown api-version refused" "$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
Q=$(jq -r .quote "$W/sgx.req" | tr '_-' '/+')
while [ $((${#Q} % 4)) -ne 0 ]; do Q="$Q="; done
STD=$(jq -c --arg q "$Q" '.quote = $q | .runtimeData.data = (.runtimeData.data | gsub("-"; "+") | gsub("_"; "/")) + "="' "$W/sgx.req")
OUT=$(post SgxEnclave "$STD")
check_eq "standard alphabet with padding accepted" "$(att_status)" 200
OUT=$(att_curl -X POST "$BASE/attest/sgxenclave" --data-binary @"$W/sgx.req")
check_eq "type in the path is case-insensitive" "$(att_status)" 200
OUT=$(post SgxEnclave '{"quote": 5}')
check_eq "quote not a string: InvalidParameter" "$(att_status) $(errcode <<<"$OUT")" "400 InvalidParameter"
OUT=$(post SgxEnclave '{"quote": "@@@@"}')
check_contains "quote not base64url: says so" "$(errmsg <<<"$OUT")" "not base64url"
OUT=$(post SgxEnclave 'not json')
check_contains "body not JSON: says so" "$(errmsg <<<"$OUT")" "not JSON"
OUT=$(post SgxEnclave "$(jq -c '.runtimeData.dataType = "Text"' "$W/sgx.req")")
check_contains "bad dataType: names it" "$(errmsg <<<"$OUT")" "runtimeData.dataType"
OUT=$(post SgxEnclave "$(jq -c '.runtimeData = {"data": "bm90IGpzb24", "dataType": "JSON"}' "$W/sgx.req")")
check_contains "JSON dataType with non-JSON data: names it" "$(errmsg <<<"$OUT")" "not a JSON object"

# --- draft policies --------------------------------------------------------
cat >"$W/draft.pol" <<'EOF'
version=1.0;
authorizationrules { => permit(); };
issuancerules {
  c:[type=="$sgx-mrenclave"] => issue(type="draft-enclave", value=c.value);
  c:[type=="x-attestd-tcb-status"] => issue(type="draft-tcb", value=c.value);
};
EOF
TOK=$(sgx --sim "$SIM" --mrenclave "$MRE" --draft-policy "$W/draft.pol")
C=$(claims "$TOK")
check_eq "draft policy: unsigned token (alg none, empty signature)" \
	"$(header "$TOK" | jq -r .alg) [$(cut -d. -f3 <<<"$TOK")]" "none []"
check_fails "draft token is refused by attest token verify" verify "$TOK"
check_eq "draft's issued claims" "$(jq -c '[."draft-enclave" == $e, ."draft-tcb"]' --arg e "$MRE" <<<"$C")" '[true,"UpToDate"]'
check_eq "draft: no default-policy claims" "$(jq -r 'has("tee")' <<<"$C")" false
check_eq "draft: x-ms-policy-hash is the draft's" "$(jq -r '."x-ms-policy-hash"' <<<"$C")" \
	"$(printf %s "$(b64url <"$W/draft.pol")" | openssl dgst -sha256 -binary | b64url)"
cat >"$W/deny.pol" <<'EOF'
version=1.0;
authorizationrules {
  c:[type=="x-ms-sgx-is-debuggable", value==true] => deny();
  => permit();
};
issuancerules { };
EOF
OUT=$(sgx --sim "$SIM" --debug --draft-policy "$W/deny.pol" 2>&1)
check_contains "denying draft: PolicyEvaluationError" "$OUT" "400 PolicyEvaluationError"
check_contains "  ... with MAA's text" "$OUT" "A Deny claim was issued, authorization failed."
check_contains "  ... naming the rule" "$OUT" "authorizationrules rule 1 (line 3): deny() fired"
check "same draft, not debuggable: permitted" sgx --sim "$SIM" --draft-policy "$W/deny.pol"
printf 'version=1.0;\nauthorizationrules {\n  => permit()\n};\nissuancerules{};\n' >"$W/bad.pol"
OUT=$(sgx --sim "$SIM" --draft-policy "$W/bad.pol" 2>&1)
check_contains "draft that does not compile: PolicyParsingError" "$OUT" "400 PolicyParsingError"
check_contains "  ... with line and column" "$OUT" "line 4, column 1"

# --- a stored policy is used by the very next request ---------------------
if "$ATTEST" policy set --help >/dev/null 2>&1 || "$ATTEST" policy set 2>&1 | grep -q usage; then
	cat >"$W/stored.pol" <<'EOF'
version=1.0;
authorizationrules { c:[type=="x-ms-sgx-svn", value>=2] => permit(); };
issuancerules { c:[type=="x-ms-sgx-svn"] => issue(type="stored-svn", value=c.value); };
EOF
	if "$ATTEST" policy set --url "$BASE" --type SgxEnclave --ca "$CA" --dev-token-dir "$D" "$W/stored.pol" >/dev/null 2>"$W/err"; then
		TOK=$(sgx --sim "$SIM" --isvsvn 2)
		C=$(claims "$TOK")
		check_eq "stored policy: used by the next request" "$(jq -c '[."stored-svn", has("tee")]' <<<"$C")" '[2,false]'
		check_eq "stored policy: its hash" "$(jq -r '."x-ms-policy-hash"' <<<"$C")" \
			"$(printf %s "$(b64url <"$W/stored.pol")" | openssl dgst -sha256 -binary | b64url)"
		OUT=$(sgx --sim "$SIM" --isvsvn 1 2>&1)
		check_contains "stored policy: denies svn 1" "$OUT" "PolicyEvaluationError"
		check_contains "  ... naming the rule that did not match" "$OUT" "rule 1 (line 2)"
		OUT=$(oe --sim "$SIM" --isvsvn 1 2>&1)
		check_eq "OpenEnclave keeps its own (default) policy" "$(claims "$OUT" | jq -r .tee)" sgx
		# a signed policy: the token names its signer (x-ms-policy-signer)
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/signer.key" -out "$W/signer.crt" \
			-subj /CN=policy-signer -days 2 >/dev/null 2>&1
		if "$ATTEST" policy set --url "$BASE" --type SgxEnclave --ca "$CA" --dev-token-dir "$D" \
			--sign-key "$W/signer.key" --sign-cert "$W/signer.crt" "$W/stored.pol" >/dev/null 2>"$W/err"; then
			C=$(claims "$(sgx --sim "$SIM" --isvsvn 2)")
			check_eq "signed stored policy: x-ms-policy-signer x5c is the signer" \
				"$(jq -r '."x-ms-policy-signer".x5c[0]' <<<"$C")" \
				"$(openssl x509 -in "$W/signer.crt" -outform DER | base64 -w0)"
			check_eq "  ... kty RSA, alg RS256" "$(jq -r '."x-ms-policy-signer" | .kty + " " + .alg' <<<"$C")" "RSA RS256"
		else
			not_ok "signed policy upload failed: $(head -c 300 "$W/err")"
		fi
		"$ATTEST" policy reset --url "$BASE" --type SgxEnclave --ca "$CA" --dev-token-dir "$D" >/dev/null 2>&1
		TOK=$(sgx --sim "$SIM" --isvsvn 1)
		check_eq "after reset: the default again" "$(claims "$TOK" | jq -r '."x-ms-policy-hash"')" "$DEF_HASH"
	else
		not_ok "attest policy set failed: $(head -c 300 "$W/err")"
	fi
else
	echo "# attest policy set not available: stored-policy checks skipped"
fi

# --- binding and evidence failures ----------------------------------------
"$ATTEST" sim sgx quote "$SIM" -o "$W/q0.bin" >/dev/null
OUT=$(sgx --quote "$W/q0.bin" --runtime-data "$W/rt.bin" 2>&1)
check_contains "runtime data mismatch: InvalidParameter" "$OUT" "400 InvalidParameter"
check_contains "  ... naming SHA-256(runtimeData)" "$OUT" "SHA-256(runtimeData) = $(sha256hex <"$W/rt.bin")"
check_contains "  ... and report_data" "$OUT" "report_data[0..31] = $(zeros 64)"
cp "$W/q0.bin" "$W/qt.bin"
printf '\x55' | dd of="$W/qt.bin" bs=1 seek=$((48 + 64)) conv=notrunc 2>/dev/null
OUT=$(sgx --quote "$W/qt.bin" 2>&1)
check_contains "tampered enclave report: InvalidParameter" "$OUT" "400 InvalidParameter"
check_contains "  ... naming the step (quote signature)" "$OUT" "quote signature invalid"
cp "$W/q0.bin" "$W/qk.bin"
printf '\x55' | dd of="$W/qk.bin" bs=1 seek=$((48 + 384 + 4 + 64 + 10)) conv=notrunc 2>/dev/null
OUT=$(sgx --quote "$W/qk.bin" 2>&1)
check_contains "tampered attestation key: names the QE binding step" "$OUT" "QE report data does not bind"
head -c 700 "$W/q0.bin" >"$W/qshort.bin"
OUT=$(sgx --quote "$W/qshort.bin" 2>&1)
check_contains "truncated quote: InvalidParameter" "$OUT" "400 InvalidParameter"
OUT=$(tdx --quote "$W/q0.bin" 2>&1)
check_contains "SGX quote to /attest/TdxVm: refused" "$OUT" "takes TDX quotes"

# --- every TCB level ---------------------------------------------------------
for L in SWHardeningNeeded ConfigurationNeeded ConfigurationAndSWHardeningNeeded OutOfDate OutOfDateConfigurationNeeded; do
	TOK=$(sgx --sim "$SIM" --tcb "$L")
	C=$(claims "$TOK")
	check_eq "TCB $L: token says so" "$(jq -r '."x-attestd-tcb-status"' <<<"$C")" "$L"
	check_eq "TCB $L: platform status and advisories" \
		"$(jq -r '."x-attestd-platform-tcb-status" + " " + ((."x-attestd-advisory-ids" | length) > 0 | tostring)' <<<"$C")" "$L true"
	check "TCB $L: token verifies" verify "$TOK"
done
OUT=$(sgx --sim "$SIM" --tcb Revoked 2>&1)
check_contains "TCB level Revoked: refused" "$OUT" "400 InvalidParameter"
check_contains "  ... says revoked" "$OUT" "revoked"
OUT=$(sgx --sim "$SIM" --tcb none 2>&1)
check_contains "no matching TCB level: refused" "$OUT" "TCB level not found"
OUT=$(sgx --sim "$SIM" --revoked 2>&1)
check_contains "revoked PCK certificate: refused" "$OUT" "400 InvalidParameter"
check_contains "  ... naming the revoked PCK" "$OUT" "PCK certificate revoked"
TOK=$(sgx --sim "$SIM" --platform platform)
check_eq "Platform-CA platform: token, pck-ca platform" "$(claims "$TOK" | jq -r '."x-attestd-pck-ca"')" platform
cat >"$W/tcb.pol" <<'EOF'
version=1.0;
authorizationrules { c:[type=="x-attestd-tcb-status", value=="UpToDate"] => permit(); };
issuancerules { };
EOF
OUT=$(sgx --sim "$SIM" --tcb OutOfDate --draft-policy "$W/tcb.pol" 2>&1)
check_contains "a policy can require UpToDate (incoming TCB claim)" "$OUT" "PolicyEvaluationError"

# --- real TDX quotes (verify_time_override + imported collateral) -----------
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
if [ ! -f "$TD/tdx/cases.json" ]; then
	not_ok "TDX part: test vectors not found at $TD"
else
	att_stop
	cat >"$D/attest.json" <<EOF
{"verify_time_override": "2025-02-13T04:00:32Z",
 "collateral_import": ["$TD/tdx/collateral/dcaprs/tcbinfov3_00806f050000.json",
   "$TD/tdx/collateral/dcaprs/qeidentityv2_apiv4.json",
   "$TD/sgx/pki/tcb_signing_chain_2018.pem",
   "$TD/sgx/collateral/dcaprs/pck_platform_crl.der",
   "$TD/sgx/pki/root_ca_crl_2024-03-20.der"]}
EOF
	att_start "$D" "$PORT" || { att_stop; att_start "$D" "$PORT"; } ||
		{ not_ok "restart with attest.json"; att_done; }
	case_field() { jq -r --arg id "$1" ".cases[] | select(.id == \$id) | $2" "$TD/tdx/cases.json"; }
	TOK=$(tdx --quote "$TD/tdx/quotes/gotdxguest_cos-113-tdx-quote.dat" --nonce td1 2>"$W/err")
	C=$(claims "$TOK")
	check "TDX (COS-113): token" test -n "$TOK"
	[ -n "$TOK" ] || cat "$W/err"
	check "TDX: token verifies" verify "$TOK"
	check_eq "TDX: x-ms-attestation-type tdxvm" "$(jq -r '."x-ms-attestation-type"' <<<"$C")" tdxvm
	check_eq "TDX: attester_tcb_status = expected" "$(jq -r .attester_tcb_status <<<"$C")" \
		"$(case_field tdx_cos113_dcaprs .expected.status)"
	for f in mrtd mrseam rtmr0 rtmr1 rtmr2 rtmr3 xfam td_attributes tee_tcb_svn report_data; do
		check_eq "TDX: tdx_$f" "$(jq -r ".tdx_$f" <<<"$C")" "$(case_field tdx_cos113_dcaprs ".fields.$f")"
	done
	check_eq "TDX: EAT claims" "$(jq -c '[.eat_profile, .intuse, .dbgstat]' <<<"$C")" \
		'["https://aka.ms/maa-eat-profile-tdxvm","generic","disabled"]'
	check_eq "TDX: tdx_seamsvn, septve_disable" "$(jq -c '[.tdx_seamsvn, .tdx_td_attributes_septve_disable, .tdx_td_attributes_debug]' <<<"$C")" '[260,true,false]'
	check_eq "TDX: all measurement claims present" \
		"$(jq -c '[has("tdx_mrconfigid"), has("tdx_mrowner"), has("tdx_mrownerconfig"), has("tdx_mrsignerseam"), has("tdx_seam_attributes")]' <<<"$C")" \
		'[true,true,true,true,true]'
	check_eq "TDX: TDX module status, verify-time marker" \
		"$(jq -r '."x-attestd-tdx-module-tcb-status" + " " + ."x-attestd-verify-time-override"' <<<"$C")" \
		"UpToDate 2025-02-13T04:00:32Z"
	check_eq "TDX: nonce, x-ms-ver, policy hash" "$(jq -r '.nonce + " " + ."x-ms-ver" + " " + (."x-ms-policy-hash" | length | tostring)' <<<"$C")" "td1 1.0 43"
	TOK=$(tdx --quote "$TD/tdx/quotes/dcaprs_quote_tdx_00806f050000.dat")
	C=$(claims "$TOK")
	check_eq "TDX OutOfDate platform: token says so" "$(jq -r .attester_tcb_status <<<"$C")" OutOfDate
	check_eq "  ... with the advisories" "$(jq -c '."x-attestd-advisory-ids"' <<<"$C")" \
		"$(case_field tdx_dcaprs_v4 '.expected.advisory_ids' | jq -c .)"
	# Azure TDX CVM: REPORTDATA = SHA-256(HCL runtime claims JSON)
	HCL=$TD/tpm/quotes/azure_tdx_vtpm/hcl-report.bin
	if [ -f "$HCL" ]; then
		dd if="$HCL" of="$W/hcl-claims.json" bs=1 skip=1236 count=1201 2>/dev/null
		TOK=$(tdx --quote "$TD/tdx/quotes/trustee_az-tdx-vtpm_td-quote.bin" --runtime-json "$W/hcl-claims.json")
		C=$(claims "$TOK")
		check_eq "Azure TDX quote + HCL runtime claims: x-ms-runtime keys" \
			"$(jq -r '."x-ms-runtime".keys[0].kid' <<<"$C")" HCLAkPub
		check_eq "  ... TCB OutOfDate" "$(jq -r .attester_tcb_status <<<"$C")" OutOfDate
	fi
	OUT=$(tdx --quote "$TD/tdx/quotes/gotdxguest_cos-113-tdx-quote.dat" --runtime-data "$W/rt.bin" 2>&1)
	check_contains "TDX runtime data mismatch: names TD report data" "$OUT" "TD report data[0..31] = $(zeros 64)"
	OUT=$(sgx --quote "$TD/tdx/quotes/gotdxguest_cos-113-tdx-quote.dat" 2>&1)
	check_contains "TDX quote to /attest/SgxEnclave: refused" "$OUT" "takes SGX quotes"
	OUT=$(tdx --quote "$TD/tdx/quotes/trustee_tdx_quote_5.dat" 2>&1)
	check_contains "TDX quote without collateral: InvalidParameter naming it" "$OUT" "no TCB Info"
fi
att_done
