#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Per-provider rate limit of the anonymous attest routes (issue 9, item
# 10): a config file gives provider p2 a token bucket of 0.5 requests per
# second with a burst of 3. A burst of 12 real SGX attestations on one
# connection gets 3 tokens and 9 refusals: 429 TooManyRequests with
# Retry-After (whole seconds) and an MAA error body naming the provider and
# the limits; every POST /attest/* route of p2 shares the bucket, its other
# routes are not limited, and the default provider (no limit, the default)
# serves the same burst in full at the same time. /metrics counts the
# 429s. After waiting Retry-After seconds one request is served again.
# A bad rate in the config is refused at start naming the member.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins

D=$T_TMP/data
W=$T_TMP/work
mkdir -p "$W"
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop || not_ok "stop"
check "provider add p2" "$ATTESTD" provider add p2 --data-dir "$D" \
	--base-url "https://127.0.0.1:$PORT/p2"

# a bad rate is refused at start, naming the member
echo '{"providers": {"p2": {"limits": {"attest_rate_per_second": -1}}}}' >"$W/bad.json"
OUT=$(timeout 20 "$ATTESTD" serve --dev --listen "127.0.0.1:$PORT" --data-dir "$D" \
	--config "$W/bad.json" 2>&1)
check_contains "a negative rate is refused at start, naming it" "$OUT" \
	"limits.attest_rate_per_second"

cat >"$W/cfg.json" <<'EOF'
{"providers": {"p2": {"limits": {"attest_rate_per_second": 0.5,
                                  "attest_rate_burst": 3}}}}
EOF
att_start "$D" "$PORT" --config "$W/cfg.json" || { not_ok "start with the limit"; att_done; }
SIM=$D/sim
if [ ! -f "$SIM/manifest.json" ]; then
	att_curl -X POST "$BASE/attest/SgxEnclave" -d '{}' >/dev/null
fi
"$ATTEST" sgx --sim "$SIM" --request-only >"$W/sgx.req" 2>"$W/err" ||
	not_ok "attest sgx --request-only: $(cat "$W/err")"

# burst URL N: N POSTs of the SGX request on one connection; prints one
# status per line.
burst() {
	local args=() i
	for i in $(seq 1 "$2"); do args+=(-o /dev/null "$1"); done
	curl -s --max-time 20 --cacert "$CA" -X POST -H 'Content-Type: application/json' \
		--data-binary @"$W/sgx.req" -w '%{http_code}\n' "${args[@]}"
}
count() { grep -c "^$1\$" <<<"$2"; }

# p2 and the default provider at the same time
burst "$BASE/p2/attest/SgxEnclave?api-version=2022-08-01" 12 >"$W/p2.st" &
BP=$!
burst "$BASE/attest/SgxEnclave?api-version=2022-08-01" 12 >"$W/def.st"
wait "$BP"
P2=$(cat "$W/p2.st")
DEF=$(cat "$W/def.st")
N200=$(count 200 "$P2")
N429=$(count 429 "$P2")
# 3 tokens; one more only if the burst took over 2 s (a very busy machine)
check "p2: the burst of 3 is served ($N200 of 12 got 200)" test "$N200" -ge 3 -a "$N200" -le 4
check_eq "p2: every other request got 429" "$((N200 + N429))" 12
check_eq "p2: the first three are the ones served" "$(head -3 <<<"$P2" | tr '\n' ' ')" "200 200 200 "
check_eq "default provider (no limit): all 12 served meanwhile" "$(count 200 "$DEF")" 12

# one more: 429 with Retry-After and MAA's error shape
OUT=$(att_curl -X POST -H 'Content-Type: application/json' --data-binary @"$W/sgx.req" \
	"$BASE/p2/attest/SgxEnclave?api-version=2022-08-01")
check_eq "p2 over the rate: 429" "$(att_status)" 429
RA=$(att_header Retry-After)
check "Retry-After is whole seconds, 1 or 2 at 0.5/s ($RA)" test "$RA" = 1 -o "$RA" = 2
check_eq "x-ms-error-code TooManyRequests" "$(att_header x-ms-error-code)" TooManyRequests
check_eq "error body code TooManyRequests" "$(jq -r .error.code <<<"$OUT")" TooManyRequests
MSG=$(jq -r .error.message <<<"$OUT")
check_contains "the message names the provider and the rate" "$MSG" \
	"provider p2 takes at most 0.5 attestation requests per second, 3 at once"
check_contains "the message names the limits" "$MSG" \
	"limits.attest_rate_per_second, limits.attest_rate_burst"
check_contains "the message says when to retry" "$MSG" "retry after $RA s"
N429=$((N429 + 1))

# the bucket is per provider, for every POST /attest/* route
att_curl -X POST -H 'Content-Type: application/json' -d '{}' \
	"$BASE/p2/attest/TdxVm?api-version=2022-08-01" >/dev/null
check_eq "p2 POST /attest/TdxVm shares the bucket: 429" "$(att_status)" 429
att_curl -X POST -H 'Content-Type: application/json' -d '{}' \
	"$BASE/p2/attest/OpenEnclave" >/dev/null
check_eq "p2 POST /attest/OpenEnclave: 429" "$(att_status)" 429
att_curl "$BASE/p2/certs" >/dev/null
check_eq "p2 GET /certs is not limited: 200" "$(att_status)" 200
att_curl -X POST -H 'Content-Type: application/json' --data-binary @"$W/sgx.req" \
	"$BASE/attest/SgxEnclave?api-version=2022-08-01" >/dev/null
check_eq "default provider still served: 200" "$(att_status)" 200

# /metrics counts the 429s per route
M=$(att_curl "$BASE/metrics")
check_eq "metrics: 429s of /attest/SgxEnclave" \
	"$(grep '^attestd_requests_total{route="/attest/SgxEnclave",status="429"}' <<<"$M" | awk '{print $2}')" "$N429"
check_eq "metrics: one 429 of /attest/TdxVm" \
	"$(grep '^attestd_requests_total{route="/attest/TdxVm",status="429"}' <<<"$M" | awk '{print $2}')" 1

# recovery: after Retry-After one token is back (and only one)
sleep "$RA"
sleep 0.2
att_curl -X POST -H 'Content-Type: application/json' --data-binary @"$W/sgx.req" \
	"$BASE/p2/attest/SgxEnclave?api-version=2022-08-01" >"$W/tok.json"
check_eq "after Retry-After: p2 serves again (200)" "$(att_status)" 200
check "  ... with a token" test -n "$(jq -r '.token // empty' "$W/tok.json")"
att_curl -X POST -H 'Content-Type: application/json' --data-binary @"$W/sgx.req" \
	"$BASE/p2/attest/SgxEnclave?api-version=2022-08-01" >/dev/null
check_eq "  ... one token only: the next one is 429 again" "$(att_status)" 429
att_done
