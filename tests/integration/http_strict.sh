#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Strict HTTP parsing (issue 9, items 7 and 8), on loopback: raw requests
# over TLS (lib/rawhttps.py; curl would normalise them) with two different
# Content-Length fields, two Host fields, no Host on HTTP/1.1,
# Content-Length with chunked (and a request smuggled behind it),
# unsupported or repeated transfer codings, Transfer-Encoding on
# HTTP/1.0, whitespace before a colon, control bytes in values, %00 in
# the path or in api-version, bad escapes, an encoded '/', bytes a URI
# cannot hold, a repeated query parameter, 600 query parameters (the
# 4 KB URL that used to get no answer at all), a target over 8 KiB and
# 101 header fields. Each gets its status at once with an MAA error body
# naming what was wrong, and the connection is closed; what real clients
# send (curl, chunked uploads, keep-alive, HTTP/1.0) still works, and a
# client polling /healthz throughout is always served.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v python3 >/dev/null || { not_ok "python3 is needed for raw requests"; att_done; }
RAW=$ATT_SRC_DIR/tests/integration/lib/rawhttps.py

D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
ok "attestd started on $BASE"

# Another client polls /healthz during the whole test.
POLL_PID=
(
	while [ ! -e "$T_TMP/stop-poll" ]; do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -m 5 \
			--cacert "$CA" "$BASE/healthz" >>"$T_TMP/poll" 2>&1
		sleep 0.2
	done
) &
POLL_PID=$!
trap '[ -n "$POLL_PID" ] && kill "$POLL_PID" 2>/dev/null; att_cleanup' EXIT

# raw REQUEST: send it, $R is the JSON from rawhttps.py.
raw() { R=$(timeout 20 python3 "$RAW" "$PORT" "$1"); }
rstatus() { jq -r ".responses[${1:-0}].status" <<<"$R"; }
rcode() { jq -r '.responses[0].body | fromjson? | .error.code' <<<"$R"; }
rmsg() { jq -r '.responses[0].body | fromjson? | .error.message' <<<"$R"; }

# refused DESC REQUEST STATUS CODE MESSAGE-PART: one response with the
# status, the MAA body and x-ms-error-code, then the server closes.
refused() {
	local desc=$1 status=$3 code=$4 part=$5 got
	raw "$2"
	got=$(jq -r '.responses[0] as $r | ($r.body | fromjson? | .error) as $e |
		"\($r.status)|\($e.code)|\($r.headers["x-ms-error-code"])|\(.responses | length) \(.closed)|\($e.message)"' <<<"$R")
	IFS='|' read -r g_status g_code g_hdr g_close g_msg <<<"$got"
	check_eq "$desc: $status" "$g_status" "$status"
	check_eq "$desc: code $code" "$g_code" "$code"
	check_eq "$desc: x-ms-error-code" "$g_hdr" "$code"
	check_contains "$desc: the message names it" "$g_msg" "$part"
	check_eq "$desc: exactly one response, then the connection is closed" "$g_close" "1 true"
}

H='Host: 127.0.0.1\r\n'

# ---- item 8: framing ----
refused "two different Content-Length" \
	"POST /attest/SgxEnclave HTTP/1.1\r\n${H}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x" \
	400 BadRequest "conflicting Content-Length values (2 and 3)"
refused "two Host fields" \
	"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" \
	400 BadRequest "2 Host header fields; one is allowed"
refused "no Host on HTTP/1.1" \
	"GET /healthz HTTP/1.1\r\nAccept: */*\r\n\r\n" \
	400 BadRequest "an HTTP/1.1 request needs a Host header field"
refused "a Host that is not a host" \
	"GET /healthz HTTP/1.1\r\nHost: a b/c\r\n\r\n" \
	400 BadRequest "is not a host name or address"
# Content-Length with chunked, and a second request hidden in the body:
# a proxy framing by Content-Length would pass it on as a new request.
refused "Content-Length with Transfer-Encoding: chunked" \
	"POST /attest/SgxEnclave HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "both Content-Length and Transfer-Encoding"
refused "chunked with a smuggled request, Content-Length first" \
	"POST /attest/SgxEnclave HTTP/1.1\r\n${H}Content-Length: 39\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /certs HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "Content-Length"
refused "an unsupported transfer coding" \
	"POST /attest/SgxEnclave HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" \
	501 NotImplemented 'transfer coding "gzip" is not supported'
refused "chunked twice" \
	"POST /attest/SgxEnclave HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" \
	400 BadRequest "names chunked more than once"
refused "Transfer-Encoding on HTTP/1.0" \
	"POST /attest/SgxEnclave HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" \
	400 BadRequest "Transfer-Encoding in an HTTP/1.0 request"
refused "whitespace before the colon" \
	"GET /healthz HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n" \
	400 BadRequest "whitespace before the colon"
refused "a control byte in a value" \
	"GET /healthz HTTP/1.1\r\n${H}X-A: a\x01b\r\n\r\n" \
	400 BadRequest "control byte 0x01"
refused "two Authorization fields" \
	"GET /policies/SgxEnclave HTTP/1.1\r\n${H}Authorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n" \
	400 BadRequest "2 Authorization header fields"
refused "%00 in the path" \
	"GET /heal%00thz HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "encoded NUL (%00) at byte 5"
refused "%00 in api-version" \
	"GET /certs?api-version=2020-10-01%00x HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "encoded NUL (%00) at byte 29"
refused "%00 in a parameter name" \
	"GET /certs?api%00-version=1 HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "encoded NUL"
refused "an encoded CR LF" \
	"GET /certs?x=%0d%0aSet-Cookie:a HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "encoded control character (%0D)"
refused "a bad escape" \
	"GET /certs?api-version=%zz HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "not followed by two hex digits"
refused "an encoded '/' in the path" \
	"GET /policies%2FSgxEnclave HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "encoded '/' (%2F)"
refused "a space in the target" \
	"GET /health z HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest "byte 0x20 at byte 7"
refused "api-version twice" \
	"GET /certs?api-version=2020-10-01&api-version=2022-08-01 HTTP/1.1\r\n${H}\r\n" \
	400 BadRequest '"api-version" is given more than once'

# libmicrohttpd itself answers some malformed requests before attestd
# sees them (its own 400 page): still an answer, never silence.
raw "POST /certs HTTP/1.1\r\n${H}Content-Length: abc\r\n\r\n{}"
check_eq "a Content-Length that is not a number: 400 (libmicrohttpd)" "$(rstatus)" 400
check_eq "and the connection is closed" "$(jq -r .closed <<<"$R")" true
raw "POST /attest/SgxEnclave HTTP/1.1\r\n${H}Content-Length: 2, 20\r\n\r\n{}"
check_eq "a Content-Length list with different values: 400 (libmicrohttpd)" "$(rstatus)" 400
check_eq "and the connection is closed" "$(jq -r .closed <<<"$R")" true

# ---- item 7: too many parameters, too long a target, too many fields ----
Q=$(python3 -c "print('&'.join('a%d=%d' % (i, i) for i in range(600)))")
echo "# the URL with 600 parameters is $((${#Q} + 40)) bytes"
BODY=$(att_curl -m 10 "$BASE/attest/SgxEnclave?api-version=2022-08-01&$Q")
check_eq "600 query parameters: 414" "$(att_status)" 414
check_eq "600 query parameters: RequestUriTooLong" "$(jq -r .error.code <<<"$BODY")" RequestUriTooLong
check_contains "600 query parameters: names the limit" "$(jq -r .error.message <<<"$BODY")" \
	"the request target has 601 query parameters; the limit is 64"
T=$(curl -s -o /dev/null -w '%{time_total}' -m 10 --cacert "$CA" "$BASE/healthz?$Q")
check "600 query parameters: answered at once (${T}s)" awk -v t="$T" 'BEGIN {exit !(t < 1)}'
AMP=$(head -c 700 /dev/zero | tr '\0' '&')
att_curl -m 10 "$BASE/healthz?$AMP" >/dev/null
check_eq "700 empty parameters: 414" "$(att_status)" 414
LONG=$(head -c 9000 /dev/zero | tr '\0' 'x')
BODY=$(att_curl -m 10 "$BASE/healthz?a=$LONG")
check_eq "a 9 KB target: 414" "$(att_status)" 414
check_contains "a 9 KB target: names the limit" "$(jq -r .error.message <<<"$BODY")" "the limit is 8192"
Q64=$(python3 -c "print('&'.join('p%d=1' % i for i in range(63)))")
att_curl -m 10 "$BASE/healthz?api-version=2022-08-01&$Q64" >/dev/null
check_eq "64 parameters are fine" "$(att_status)" 200
F=$(python3 -c "print(''.join('X-F%d: 1\\\\r\\\\n' % i for i in range(100)))")
refused "101 header fields" "GET /healthz HTTP/1.1\r\n${H}${F}\r\n" \
	431 RequestHeaderFieldsTooLarge "101 header fields; the limit is 100"

# ---- what real clients send still works ----
raw "GET /healthz HTTP/1.0\r\n\r\n"
check_eq "HTTP/1.0 without Host: 200" "$(rstatus)" 200
raw "GET /healthz HTTP/1.1\r\nHost: [::1]:$PORT\r\nConnection: close\r\n\r\n"
check_eq "an IPv6 literal Host: 200" "$(rstatus)" 200
raw "POST /certs HTTP/1.1\r\n${H}Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
check_eq "the same Content-Length twice is one length (route answers 405)" "$(rstatus)" 405
raw "GET /healthz HTTP/1.1\r\n${H}\r\nGET /certs?api-version=2022-08-01 HTTP/1.1\r\n${H}Connection: close\r\n\r\n"
check_eq "two pipelined requests: two answers" "$(jq -r '[.responses[].status] | join(" ")' <<<"$R")" "200 200"
att_curl -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary '{"quote":"AAAA"}' "$BASE/attest/SgxEnclave?api-version=2022-08-01" >/dev/null
check_eq "a chunked upload reaches the handler (bad quote: 400)" "$(att_status)" 400
check_eq "... with the handler's code, not a framing error" "$(jq -r .error.code "$T_TMP/body")" InvalidParameter
att_curl -X POST -H 'Content-Type: application/json' --data-binary '{"quote":"AAAA"}' \
	"$BASE/attest/SgxEnclave?api-version=2022-08-01" >/dev/null
check_eq "a Content-Length upload reaches the handler" "$(jq -r .error.code "$T_TMP/body")" InvalidParameter
att_curl "$BASE/healthz?next=%2Fa%2Fb&x=%41" >/dev/null
check_eq "escapes in the query (%2F, %41) are fine" "$(att_status)" 200
N=$(curl -s --cacert "$CA" -o /dev/null -o /dev/null -w '%{num_connects}\n' \
	"$BASE/healthz" "$BASE/certs?api-version=2022-08-01" | awk '{s += $1} END {print s}')
check_eq "keep-alive still reuses the connection" "$N" 1

# The refusals are logged and counted like other errors.
check_contains "refusals are in the request log" "$(cat "$D.log")" '"status":400,'
check_contains "with their code" "$(cat "$D.log")" '"error":"RequestUriTooLong"'
MET=$(att_curl "$BASE/metrics")
check_contains "and in the metrics" "$MET" 'route="unmatched",status="414"'

# The other client was served throughout.
touch "$T_TMP/stop-poll"
wait "$POLL_PID"
POLL_PID=
TOTAL=$(wc -l <"$T_TMP/poll")
GOOD=$(awk '$1 == 200 && $2 < 1 {n++} END {print n + 0}' "$T_TMP/poll")
echo "# the polling client made $TOTAL requests"
check "the polling client made requests ($TOTAL)" test "$TOTAL" -ge 5
check_eq "all of them got 200 within 1 s" "$GOOD" "$TOTAL"
if att_stop; then ok "clean stop"; else not_ok "clean stop"; fi
att_done
