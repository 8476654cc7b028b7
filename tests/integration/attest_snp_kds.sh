#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# POST /attest/SevSnpVm with AMD KDS configured (attest.json kds_url,
# kds_ca_file, kds_timeout_seconds) against tests/integration/lib/
# fake_kds.py, a local HTTPS stand-in (test CA made here) serving the
# SEV-SNP simulator of the data dir (--sim-dir): never the internet.
#   * dev mode creates DATA_DIR/snpsim on the first start and pins its ARK;
#   * a version 5 simulator report sent WITHOUT VcekCertChain: attestd
#     fetches the VCEK, the chain and the CRL -> 200, vek-source KDS,
#     crl-checked true; a second request makes no KDS request; /metrics
#     has the KDS counters;
#   * a provider with limits.snp_min_tcb above the report's -> 400
#     naming the component; a restart fetches nothing;
#   * a second data dir sharing the simulator, the stand-in serving the
#     revoked CRL: the real Azure example (AMD's chain in VcekCertChain)
#     makes KDS asked for the Milan CRL only, which is not signed by AMD's
#     ARK, so not applied (crl-checked false) and the report passes; the
#     simulator's report with and without VcekCertChain -> 400 naming
#     the revoked ASK;
#   * the stand-in answering 429 with nothing cached -> 503
#     ServiceUnavailable naming KDS; rate_limited counted in /metrics;
#   * kds_offline: nothing fetched, the report without a chain is 400.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
for b in openssl python3; do
	command -v $b >/dev/null || { echo "FAIL (cannot run): $b missing"; echo "0 passed, 1 failed"; exit 77; }
done
EX=$ATT_SRC_DIR/tests/vectors/maa/spec-examples
STABLE=$EX/specs/Attestation/stable/2025-06-01/examples/AttestSevSnpVm.json
[ -f "$STABLE" ] || { echo "FAIL (cannot run): $STABLE missing"; echo "0 passed, 1 failed"; exit 77; }

W=$T_TMP/work
D=$T_TMP/data
D2=$T_TMP/data2
mkdir -p "$W" && mkdir -m 700 "$D" "$D2"
KDS_PID=
stop_kds() {
	[ -n "$KDS_PID" ] && kill "$KDS_PID" 2>/dev/null && wait "$KDS_PID" 2>/dev/null
	KDS_PID=
}
trap 'stop_kds; att_cleanup' EXIT

# --- the stand-in's TLS: a test CA and a certificate for 127.0.0.1 ------
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ec "$W/ca.key"
openssl req -x509 -new -key "$W/ca.key" -out "$W/ca.pem" -days 2 \
	-subj /CN=attestd-test-kds-ca -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign 2>/dev/null
ec "$W/kds.key"
openssl req -new -key "$W/kds.key" -out "$W/kds.csr" -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$W/ext"
openssl x509 -req -in "$W/kds.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" \
	-CAcreateserial -out "$W/kds.pem" -days 2 -extfile "$W/ext" 2>/dev/null
check "stand-in TLS certificate made" test -s "$W/kds.pem"

KPORT=$(att_free_port)
CTL=$W/ctl.json
LOG=$W/kds.log
echo '{"mode": "ok", "sim_crl": "clean"}' >"$CTL"
: >"$LOG"
kds_conf() { # kds_conf DIR [EXTRA JSON MEMBERS]
	printf '{"kds_url": "https://127.0.0.1:%s", "kds_ca_file": "%s", "kds_timeout_seconds": 5%s}\n' \
		"$KPORT" "$W/ca.pem" "${2:+, $2}" >"$1/attest.json"
}
start_kds() {
	python3 "$ATT_SRC_DIR/tests/integration/lib/fake_kds.py" --vectors "$ATT_SRC_DIR/tests/vectors" \
		--port "$KPORT" --port-file "$W/kds.port" --cert "$W/kds.pem" --key "$W/kds.key" \
		--log "$LOG" --control "$CTL" --sim-dir "$D/snpsim" 2>"$W/kds.err" &
	KDS_PID=$!
	for _ in $(seq 1 100); do [ -s "$W/kds.port" ] && return 0; sleep 0.05; done
	return 1
}
nreq() { wc -l <"$LOG" | tr -d ' '; }
claims() { "$ATTEST" token decode "$1" 2>/dev/null | jq -c .claims; }
post() { att_curl -X POST -H 'Content-Type: application/json' \
	"$BASE/attest/SevSnpVm?api-version=2025-06-01" --data-binary "@$1"; }
# no_chain IN OUT: the request without report.VcekCertChain
no_chain() {
	python3 - "$1" "$2" <<'EOF'
import base64, json, sys
b = json.load(open(sys.argv[1]))
d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
doc = json.loads(d(b["report"]))
del doc["VcekCertChain"]
b["report"] = base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
json.dump(b, open(sys.argv[2], "w"))
EOF
}
metric() { grep "^attestd_kds_$1 " <<<"$2" | awk '{ print $2 }'; }

# --- dev mode makes DATA_DIR/snpsim, KDS from the stand-in --------------
kds_conf "$D"
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "attestd starts"; att_done; }
check "dev mode created DATA_DIR/snpsim (ark.pem, vcek.der, crl.der)" \
	test -s "$D/snpsim/ark.pem" -a -s "$D/snpsim/vcek.der" -a -s "$D/snpsim/crl.der"
check_contains "  ... logged, and its ARK pinned" "$(cat "$D.log")" "created the SEV-SNP simulator"
check_eq "  ... a Milan" "$(jq -r .product "$D/snpsim/manifest.json")" Milan
start_kds || { not_ok "fake KDS starts: $(cat "$W/kds.err")"; att_done; }

"$ATTEST" snp --url "$BASE" --ca "$CA" --sim "$D/snpsim" --nonce kds1 --request-only >"$W/chain.json"
no_chain "$W/chain.json" "$W/nochain.json"
check_eq "the request has no VcekCertChain" \
	"$(jq -r .report "$W/nochain.json" | tr -- '-_' '+/' | base64 -d 2>/dev/null | jq -c 'has("VcekCertChain")')" false
R=$(post "$W/nochain.json")
check_eq "simulator report without VcekCertChain: 200" "$(att_status)" 200
[ "$(att_status)" = 200 ] || echo "  $R"
C=$(claims "$(jq -r .token <<<"$R")")
check_eq "  ... VEK from KDS, CRL checked" \
	"$(jq -c '[."x-attestd-sevsnp-vek-source", ."x-attestd-sevsnp-crl-checked"]' <<<"$C")" '["KDS",true]'
check_eq "  ... the stand-in served VCEK, cert_chain and crl (3 requests)" "$(nreq)" 3
check_contains "  ... the VCEK URL names the chip and TCB" "$(cat "$LOG")" \
	"GET /vcek/v1/Milan/$(jq -r .chip_id "$D/snpsim/manifest.json")?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115"
post "$W/nochain.json" >/dev/null
check_eq "second request: 200" "$(att_status)" 200
check_eq "  ... no new KDS request" "$(nreq)" 3
M=$(att_curl "$BASE/metrics")
check_eq "/metrics: attestd_kds_fetches_total 3" "$(metric fetches_total "$M")" 3
check "/metrics: attestd_kds_hits_total > 0" test "$(metric hits_total "$M")" -gt 0

att_stop

# --- the provider's minimum TCB (providers.strict.limits.snp_min_tcb) ---
check "provider add strict" "$ATTESTD" provider add strict --data-dir "$D" --no-auth
printf '{"providers": {"strict": {"limits": {"snp_min_tcb": "3,0,9,115"}}}}\n' >"$W/cfg.json"
att_start "$D" "$PORT" --config "$W/cfg.json" || { not_ok "attestd restarts with the config"; att_done; }
R=$(att_curl -X POST -H 'Content-Type: application/json' \
	"$BASE/strict/attest/SevSnpVm?api-version=2025-06-01" --data-binary "@$W/chain.json")
check_eq "limits.snp_min_tcb 3,0,9,115: 400" "$(att_status)" 400
check_contains "  ... naming the component" "$(jq -r .error.message <<<"$R")" \
	"REPORTED_TCB snpSPL 8 is below the minimum 9"
post "$W/chain.json" >/dev/null
check_eq "  ... the default provider (no minimum) accepts the same report" "$(att_status)" 200
check_eq "  ... a restart fetched nothing (the store has VCEK, chain, CRL)" "$(nreq)" 3
att_stop

# --- a second data dir sharing the simulator: the revoked CRL ----------
cp -a "$D/snpsim" "$D2/snpsim"
kds_conf "$D2"
echo '{"mode": "ok", "sim_crl": "revoked"}' >"$CTL"
: >"$LOG"
att_start "$D2" "$PORT" || { not_ok "attestd starts (data2)"; att_done; }
# the real Azure example: AMD's chain in VcekCertChain; only the Milan
# CRL is asked for, and the stand-in's (the simulator's) is not AMD's
jq -c '.parameters.body + {nonce: "real"}' "$STABLE" >"$W/real.json"
R=$(post "$W/real.json")
check_eq "real example with KDS configured: 200" "$(att_status)" 200
check_eq "  ... only the Milan CRL was fetched" "$(cat "$LOG")" "GET /vcek/v1/Milan/crl"
check_eq "  ... the simulator's CRL is not signed by AMD's ARK: not applied" \
	"$(claims "$(jq -r .token <<<"$R")" | jq -c '."x-attestd-sevsnp-crl-checked"')" false
R=$(post "$W/chain.json")
check_eq "revoked CRL, simulator report WITH VcekCertChain: 400" "$(att_status)" 400
check_contains "  ... naming the revoked certificate" "$(jq -r .error.message <<<"$R")" \
	"ASK (SEV-Milan) is revoked by the CRL of the ARK"
R=$(post "$W/nochain.json")
check_eq "revoked CRL, report without VcekCertChain: 400" "$(att_status)" 400
check_contains "  ... revoked" "$(jq -r .error.message <<<"$R")" "revoked by the CRL"

# 429 with nothing cached (a report of another TCB: a VCEK never fetched)
"$ATTEST" sim snp report "$D/snpsim" -o "$W/r7.bin" --tcb 3,0,7,115 >/dev/null 2>&1
python3 - "$W/nochain.json" "$W/r7.bin" "$W/r7.json" <<'EOF'
import base64, json, sys
b = json.load(open(sys.argv[1]))
e = lambda x: base64.urlsafe_b64encode(x).decode().rstrip("=")
b["report"] = e(json.dumps({"SnpReport": e(open(sys.argv[2], "rb").read())}).encode())
json.dump(b, open(sys.argv[3], "w"))
EOF
echo '{"mode": "429", "retry_after": 30}' >"$CTL"
R=$(post "$W/r7.json")
check_eq "KDS answers 429, nothing cached: 503 ServiceUnavailable" \
	"$(att_status) $(jq -r .error.code <<<"$R")" "503 ServiceUnavailable"
check_contains "  ... naming KDS" "$(jq -r .error.message <<<"$R")" "KDS answered 429"
M=$(att_curl "$BASE/metrics")
check_eq "/metrics: attestd_kds_rate_limited_total 1" "$(metric rate_limited_total "$M")" 1
att_stop

# --- kds_offline: never fetch --------------------------------------------
kds_conf "$D2" '"kds_offline": true'
echo '{"mode": "ok"}' >"$CTL"
N=$(nreq)
att_start "$D2" "$PORT" || { not_ok "attestd starts (offline)"; att_done; }
R=$(post "$W/r7.json")
check_eq "kds_offline, VCEK not stored: 400" "$(att_status)" 400
check_contains "  ... offline" "$(jq -r .error.message <<<"$R")" "offline"
check_eq "  ... no KDS request" "$(nreq)" "$N"
att_stop
att_done
