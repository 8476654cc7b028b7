#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# libattest as a downstream user sees it: install the built tree into a
# temporary prefix (cmake --install, what `make install PREFIX= DESTDIR=`
# runs), check the layout (binaries, libattest.so with its SONAME,
# libattest.a, include/attest/*.h, attest.pc), compile each public header
# alone, build examples/verify_quote.c, verify_token.c and
# verify_request.c with `pkg-config --cflags --libs attest` only (and
# verify_quote and verify_request once more against libattest.a), run
# verify_quote on a real SGX quote of tests/vectors with its collateral
# and verify time, run verify_request (the whole verifier) on an MAA
# request body holding that quote with a policy file, run verify_token
# against a dev attestd on loopback with a token from `attest sgx --sim`
# (and a tampered one), and check that `nm -D --defined-only` lists
# exactly the ATT_EXPORT functions declared in include/attest/ and that
# libattest.so needs no libmicrohttpd (readelf -d NEEDED).
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
cannot_run() { echo "FAIL (cannot run): $*"; echo "0 passed, 1 failed"; exit 77; }
for t in cc pkg-config nm readelf perl openssl; do
	command -v "$t" >/dev/null || cannot_run "$t missing (scripts/deps.sh installs it)"
done
[ -e "$ATT_BIN_DIR/libattest.so" ] || cannot_run "$ATT_BIN_DIR/libattest.so not built"
TD=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
[ -f "$TD/sgx/cases.json" ] || cannot_run "test vectors missing ($TD/sgx/cases.json)"

P=$T_TMP/prefix
W=$T_TMP/work
mkdir -p "$W"

# --- install into a prefix ----------------------------------------------
check "cmake --install into a temporary prefix" \
	cmake --install "$ATT_BIN_DIR" --prefix "$P"
LIBDIR=$(dirname "$(find "$P" -name 'libattest.so' | head -1)")
check "attestd and attest installed" test -x "$P/bin/attestd" -a -x "$P/bin/attest"
check "libattest.so is a link to libattest.so.0" \
	test "$(readlink "$LIBDIR/libattest.so")" = libattest.so.0
check "libattest.a installed" test -f "$LIBDIR/libattest.a"
SONAME=$(readelf -d "$LIBDIR/libattest.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
check_eq "SONAME" "$SONAME" "libattest.so.0"
for h in err client rp verify token export; do
	check "include/attest/$h.h installed" test -f "$P/include/attest/$h.h"
done
check "attest.pc installed" test -f "$LIBDIR/pkgconfig/attest.pc"
check_eq "attest.pc prefix is the install prefix" \
	"$(sed -n 's/^prefix=//p' "$LIBDIR/pkgconfig/attest.pc")" "$P"

# DESTDIR stages under a root but keeps the real prefix in attest.pc.
check "DESTDIR staging install" \
	env DESTDIR="$T_TMP/stage" cmake --install "$ATT_BIN_DIR" --prefix /usr/local
LIBREL=${LIBDIR#"$P"/}
S=$T_TMP/stage/usr/local
check "DESTDIR: library, headers, binaries under DESTDIR/PREFIX" \
	test -f "$S/$LIBREL/libattest.so.0" -a -f "$S/include/attest/verify.h" \
	-a -x "$S/bin/attestd"
check_eq "DESTDIR: attest.pc at DESTDIR/PREFIX/$LIBREL/pkgconfig, naming /usr/local" \
	"$(sed -n 's/^prefix=//p' "$S/$LIBREL/pkgconfig/attest.pc" 2>&1)" "/usr/local"
check_eq "DESTDIR: nothing installed outside DESTDIR/PREFIX" \
	"$(find "$T_TMP/stage" -mindepth 1 -maxdepth 1)" "$T_TMP/stage/usr"

# --- public headers stand alone ------------------------------------------
echo 'typedef int att_unit_not_empty;' >"$W/unit.c"
for h in "$P"/include/attest/*.h; do
	check "$(basename "$h") compiles alone (-std=c11 -pedantic -Werror)" \
		cc -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
		-I"$P/include" -include "$h" "$W/unit.c"
done
leak=$(grep -hE '^#include' "$P"/include/attest/*.h | grep -vE '<std(def|int|bool)\.h>|"attest/' || true)
check_eq "public headers include only attest/ and standard headers" "$leak" ""

# --- pkg-config, examples --------------------------------------------------
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
check "pkg-config knows attest" pkg-config --exists attest
FLAGS="$(pkg-config --cflags --libs attest)"
check_contains "pkg-config --libs names -lattest" "$FLAGS" "-lattest"
# shellcheck disable=SC2086
check "examples/verify_quote.c builds against the installed library" \
	cc -Wall -Wextra -Werror -o "$W/verify_quote" \
	"$ATT_SRC_DIR/examples/verify_quote.c" $FLAGS
# shellcheck disable=SC2086
check "examples/verify_token.c builds against the installed library" \
	cc -Wall -Wextra -Werror -o "$W/verify_token" \
	"$ATT_SRC_DIR/examples/verify_token.c" $FLAGS
# shellcheck disable=SC2086
check "examples/verify_request.c builds against the installed library" \
	cc -Wall -Wextra -Werror -o "$W/verify_request" \
	"$ATT_SRC_DIR/examples/verify_request.c" $FLAGS
# static: libattest.a with the (shared) libraries attest.pc names as
# private dependencies: Requires.private and Libs.private must be complete.
# shellcheck disable=SC2046
STATIC_LIBS="$(pkg-config --libs $(pkg-config --print-requires-private attest | awk '{print $1}')) -lpthread -lm"
# shellcheck disable=SC2086
check "verify_quote links statically against libattest.a" \
	cc -Wall -Wextra -Werror -o "$W/verify_quote_static" \
	"$ATT_SRC_DIR/examples/verify_quote.c" $(pkg-config --cflags attest) \
	"$LIBDIR/libattest.a" $STATIC_LIBS
export LD_LIBRARY_PATH=$LIBDIR
# shellcheck disable=SC2086
check "verify_request links statically against libattest.a" \
	cc -Wall -Wextra -Werror -o "$W/verify_request_static" \
	"$ATT_SRC_DIR/examples/verify_request.c" $(pkg-config --cflags attest) \
	"$LIBDIR/libattest.a" $STATIC_LIBS
check_contains "verify_quote loads the installed libattest.so.0" \
	"$(ldd "$W/verify_quote" 2>&1)" "$LIBDIR/libattest.so.0"
check_fails "the static build needs no libattest.so" \
	grep -q libattest <(ldd "$W/verify_quote_static" 2>&1)

# --- verify_quote on a real quote ------------------------------------------
CASE=$(jq -c '.cases[] | select(.id == "sgx_dcapqvl_v3")' "$TD/sgx/cases.json")
Q=$TD/$(jq -r .quote <<<"$CASE")
B=$TD/$(jq -r .bundle <<<"$CASE")
AT=$(jq -r .verify_at <<<"$CASE")
WANT=$(jq -r .expected.status <<<"$CASE")
check "case sgx_dcapqvl_v3: quote and bundle present" test -f "$Q" -a -f "$B"
for bin in verify_quote verify_quote_static; do
	OUT=$("$W/$bin" "$Q" "$B" "$AT" 2>"$W/err"); RC=$?
	check_eq "$bin: exit 0 on the real quote" "$RC" 0
	check_eq "$bin: verified" "$(jq -r .verified <<<"$OUT")" true
	check_eq "$bin: TCB status as the case expects" \
		"$(jq -r .tcb_status <<<"$OUT")" "$WANT"
	check_eq "$bin: advisories as the case expects" \
		"$(jq -c .advisory_ids <<<"$OUT")" \
		"$(jq -c .expected.advisory_ids <<<"$CASE")"
done
OUT=$("$W/verify_quote" "$Q" "$B" "$AT" 2>/dev/null)
CLI=$("$ATTEST" quote verify "$Q" --collateral "$B" --at "$AT" --json 2>/dev/null)
check_eq "verify_quote prints what \`attest quote verify --json\` prints" \
	"$(jq -S -c . <<<"$OUT")" "$(jq -S -c . <<<"$CLI")"
# a changed byte of the signed report body (inside MRENCLAVE) fails
cp "$Q" "$W/bad.bin"
printf '\xff' | dd of="$W/bad.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
OUT=$("$W/verify_quote" "$W/bad.bin" "$B" "$AT" 2>"$W/err"); RC=$?
check_eq "verify_quote: a tampered quote exits 1" "$RC" 1
check_contains "verify_quote: says why" "$(cat "$W/err")" \
	"not verified: quote signature invalid (ATT_ERR_SIG_INVALID)"
check_eq "verify_quote: JSON says not verified" "$(jq -r .verified <<<"$OUT")" false
"$W/verify_quote" "$Q" "$B" 2031-01-01T00:00:00Z >/dev/null 2>"$W/err"; RC=$?
check_eq "verify_quote: expired collateral exits 1" "$RC" 1
check_contains "verify_quote: names the expiry" "$(cat "$W/err")" "ATT_ERR_EXPIRED"
"$W/verify_quote" "$Q" "$B" "$AT" "$TD/sgx/cases.json" >/dev/null 2>"$W/err"
check_eq "verify_quote: a root file without a certificate exits 1" "$?" 1
check_contains "verify_quote: names the bad root file" "$(cat "$W/err")" \
	"cases.json: trust anchor: no PEM certificate"

# --- verify_request: the whole verifier on an MAA request -------------------
# The request body holds the same real quote; its collateral bundle is
# imported into the example's in-memory store; the time is the case's.
MRE_Q=$(jq -r .fields.mrenclave <<<"$CASE")
printf '{"quote":"%s"}' "$(base64 -w0 <"$Q" | tr '+/' '-_' | tr -d '=')" >"$W/req.json"
cat >"$W/permit.txt" <<P
version=1.0;
authorizationrules {
  c:[type=="x-ms-sgx-mrenclave", value=="$MRE_Q"] => permit();
};
issuancerules {
  c:[type=="x-ms-sgx-mrenclave"] => issue(type="enclave", value=c.value);
};
P
sed 's/value=="[0-9a-f]*"/value=="00"/' "$W/permit.txt" >"$W/deny.txt"
for bin in verify_request verify_request_static; do
	OUT=$("$W/$bin" SgxEnclave "$W/req.json" "$W/permit.txt" "$AT" "$B" 2>"$W/err"); RC=$?
	check_eq "$bin: exit 0 when the policy authorizes" "$RC" 0
	check_eq "$bin: authorized" "$(jq -r .authorized <<<"$OUT")" true
	check_eq "$bin: the issued claim is the quote's MRENCLAVE" \
		"$(jq -r .claims.enclave <<<"$OUT")" "$MRE_Q"
	check_eq "$bin: evidence claim x-ms-sgx-mrenclave" \
		"$(jq -r '.claims."x-ms-sgx-mrenclave"' <<<"$OUT")" "$MRE_Q"
done
check_eq "verify_request: TCB status claim as the case expects" \
	"$(jq -r '.claims."x-attestd-tcb-status"' <<<"$OUT")" \
	"$WANT"
OUT=$("$W/verify_request" SgxEnclave "$W/req.json" "$W/deny.txt" "$AT" "$B" 2>"$W/err"); RC=$?
check_eq "verify_request: exit 1 when the policy denies" "$RC" 1
check_eq "verify_request: authorized false, with the claims" \
	"$(jq -r '[.authorized, .claims."x-ms-sgx-mrenclave"] | join(" ")' <<<"$OUT")" "false $MRE_Q"
check_contains "verify_request: the deny reason" "$(jq -r .policy.deny <<<"$OUT")" "permit"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/sign.pem" 2>/dev/null
OUT=$("$W/verify_request" SgxEnclave "$W/req.json" "$W/permit.txt" "$AT" "$B" --sign "$W/sign.pem" 2>"$W/err")
TOKV=$(jq -r '.token // empty' <<<"$OUT")
check "verify_request --sign: a token" test -n "$TOKV"
check_eq "verify_request --sign: ES256 header" \
	"$("$ATTEST" token decode "$TOKV" 2>/dev/null | jq -r .header.alg)" ES256
check_eq "verify_request --sign: the token carries the issued claim" \
	"$("$ATTEST" token decode "$TOKV" 2>/dev/null | jq -r .claims.enclave)" "$MRE_Q"
"$W/verify_request" SgxEnclave "$W/req.json" "$W/permit.txt" 2031-01-01T00:00:00Z "$B" >/dev/null 2>"$W/err"
check_eq "verify_request: expired collateral exits 1" "$?" 1
check_contains "verify_request: names the error, MAA code and HTTP status" \
	"$(cat "$W/err")" "(ATT_ERR_EXPIRED, MAA InvalidParameter, HTTP 400)"
printf '{"quote":"%s"}' "$(base64 -w0 <"$W/bad.bin" | tr '+/' '-_' | tr -d '=')" >"$W/badreq.json"
"$W/verify_request" SgxEnclave "$W/badreq.json" "$W/permit.txt" "$AT" "$B" >/dev/null 2>"$W/err"
check_eq "verify_request: a tampered quote exits 1" "$?" 1
check_contains "verify_request: a tampered quote is ATT_ERR_SIG_INVALID" "$(cat "$W/err")" \
	"ATT_ERR_SIG_INVALID"

# --- verify_token against a dev attestd --------------------------------------
D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" ||
	{ att_stop; rm -rf "$D"; PORT=$(att_free_port); att_start "$D" "$PORT"; } ||
	{ not_ok "attestd starts"; att_done; }
SIM=$D/sim
[ -f "$SIM/manifest.json" ] || att_curl -X POST "$BASE/attest/SgxEnclave" -d '{}' >/dev/null
MRE=$(printf 'install-test-enclave' | sha256sum | cut -c1-64)
TOK=$("$ATTEST" sgx --url "$BASE" --ca "$CA" --sim "$SIM" --mrenclave "$MRE" \
	--mrsigner "$MRE" --isvprodid 1 --isvsvn 1 2>"$W/err")
check "attest sgx --sim returns a token" test -n "$TOK"
OUT=$("$W/verify_token" "$BASE" "$CA" "$TOK" 2>"$W/err"); RC=$?
check_eq "verify_token: exit 0 on a token of the issuer" "$RC" 0
check_eq "verify_token: claims carry the enclave's MRENCLAVE" \
	"$(jq -r '."x-ms-sgx-mrenclave"' <<<"$OUT")" "$MRE"
check_eq "verify_token: iss is the issuer" "$(jq -r .iss <<<"$OUT")" "$BASE"
printf '%s' "$TOK" >"$W/tok"
check "verify_token: reads the token from @FILE" "$W/verify_token" "$BASE" "$CA" "@$W/tok"
# tamper: change one character of the payload, then of the signature
PAY=$(cut -d. -f2 <<<"$TOK"); SIG=$(cut -d. -f3 <<<"$TOK")
C=${PAY:10:1}; [ "$C" = A ] && R=B || R=A
BADP="$(cut -d. -f1 <<<"$TOK").${PAY:0:10}$R${PAY:11}.$SIG"
C=${SIG:5:1}; [ "$C" = A ] && R=B || R=A
BADS="$(cut -d. -f1,2 <<<"$TOK").${SIG:0:5}$R${SIG:6}"
"$W/verify_token" "$BASE" "$CA" "$BADP" >"$W/out" 2>"$W/err"; RC=$?
check_eq "verify_token: a tampered payload exits 1" "$RC" 1
check_contains "verify_token: says it was rejected" "$(cat "$W/err")" "token rejected"
check_eq "verify_token: prints no claims for it" "$(cat "$W/out")" ""
"$W/verify_token" "$BASE" "$CA" "$BADS" >/dev/null 2>"$W/err"
check_eq "verify_token: a tampered signature exits 1" "$?" 1
"$W/verify_token" "$BASE/other" "$CA" "$TOK" >/dev/null 2>"$W/err"
check_eq "verify_token: another issuer URL refuses the token" "$?" 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$W/k.pem" -out "$W/other-ca.pem" -subj /CN=other -days 1 2>/dev/null
"$W/verify_token" "$BASE" "$W/other-ca.pem" "$TOK" >/dev/null 2>"$W/err"
check_eq "verify_token: an untrusted TLS certificate fails" "$?" 1
att_stop

# --- exported symbols ----------------------------------------------------------
# an internal function is not reachable through libattest.so
cat >"$W/internal.c" <<'C'
#include <stddef.h>
int att_dcap_trust_new_intel(void **out);
int main(void) { void *t = NULL; return att_dcap_trust_new_intel(&t); }
C
# shellcheck disable=SC2086
check_fails "a program calling an internal function does not link" \
	cc -o "$W/internal" "$W/internal.c" $FLAGS
perl -0777 -ne 's{/\*.*?\*/}{}gs; print "$1\n" while /ATT_EXPORT\b[^;{]*?\b(att_\w+)\s*\(/g' \
	"$P"/include/attest/*.h | sort -u >"$W/declared"
nm -D --defined-only "$LIBDIR/libattest.so" | awk '{print $NF}' | sort -u >"$W/exported"
check "more than 20 functions are declared ATT_EXPORT" test "$(wc -l <"$W/declared")" -gt 20
check_eq "every exported symbol is an att_ function declared in include/attest" \
	"$(comm -23 "$W/exported" "$W/declared" | tr '\n' ' ')" ""
check_eq "every declared function is exported" \
	"$(comm -13 "$W/exported" "$W/declared" | tr '\n' ' ')" ""
for f in att_verify_ctx_new att_verify_attest att_verify_http_status; do
	check "the whole verifier is exported: $f" grep -qx "$f" "$W/exported"
done
NEEDED=$(readelf -d "$LIBDIR/libattest.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
check_contains "libattest.so NEEDED lists libsqlite3 (the store)" "$NEEDED" "libsqlite3"
check_fails "libattest.so NEEDED lists no libmicrohttpd" \
	grep -q microhttpd <<<"$NEEDED"
att_done
