#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Source checks that the compiler cannot make (docs/internals/architecture.md
# lists the rules):
#  - every ATT_ERR_* code is documented in docs/internals/ERRORS.md
#  - every limit in src/base/limits.h is documented in docs/internals/LIMITS.md
#  - OpenSSL is included only under src/crypto/
#  - banned functions are not used in src/ and cmd/
#  - every .c file starts with an SPDX line
#  - layering: a module under src/ includes only the modules its row of the
#    table below allows (its dependencies, transitively); the table allows
#    no upward dependency and CMakeLists.txt's att_module lines link nothing
#    the table does not allow
#  - libmicrohttpd (microhttpd.h) is included only under src/server/
#  - no bare `return -1;` in src/ where an ATT_ERR_* code is meant; a -1
#    that is a value (an index "not found", a callback's contract) carries
#    the comment /* not an error: <why> */ on the same line
#  - comments cite public specifications or files of this repository,
#    never design notes kept outside it (their names are in
#    check_citations)
# Prints "N passed, M failed"; exits 1 on any failure.
# scripts/checksrc.sh --self-test feeds a bad sample to each rule of the
# last four and expects it to fail (tests/meta/checksrc_rules.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }

# ---- the module table ----------------------------------------------------
# module layer direct-dependencies...; mirrors the att_module lines of
# CMakeLists.txt. Layers: base 0, codec 1, crypto 2, token/policy/evidence 3,
# store/net/collateral/sim 4, verify/api/rp/client/server 5, cmd 6 (cmd/ may
# include every module). sim_off is what att_sim is built from with
# -DATT_SIM=OFF; a dependency names the att_module (att_sim), a row the
# directory. A dependency's layer is never above its user's.
# "attest" is include/attest/, the public API, which every module may
# include. A new module gets its row here and in
# docs/internals/architecture.md.
layer_table='
base       0
codec      1 base
crypto     2 codec base
token      3 crypto codec base
policy     3 crypto codec base
evidence   3 crypto codec base
sim        4 evidence crypto codec base
sim_off    4 sim codec base
store      4 codec base
net        4 base
hsm        4 crypto codec base
collateral 4 net evidence store crypto codec base
verify     5 collateral store net policy evidence token crypto codec base
api        5 verify collateral store policy evidence token crypto codec base
rp         5 net token crypto codec base
client     5 rp net evidence token crypto codec base
server     5 verify collateral net sim store hsm policy evidence token crypto codec base
'
declare -A layer deps allowed
load_table() {
  layer=(); deps=(); allowed=()
  local name lay rest
  while read -r name lay rest; do
    [ -n "$name" ] || continue
    layer[$name]=$lay
    deps[$name]=$rest
  done <<<"$1"
}

# closure_of NAME: the modules NAME may include (itself and every module
# reachable through the table).
closure_of() {
  local todo="$1" seen=" " m d
  while [ -n "$todo" ]; do
    set -- $todo
    m=$1; shift; todo="$*"
    case "$seen" in *" $m "*) continue ;; esac
    seen="$seen$m "
    for d in ${deps[$m]:-}; do todo="$todo $d"; done
  done
  echo "$seen"
}

# check_table: rows name known modules, no upward or cyclic dependency.
check_table() {
  local m d errs=0
  for m in "${!layer[@]}"; do
    for d in ${deps[$m]}; do
      if [ -z "${layer[$d]:-}" ]; then
        bad "scripts/checksrc.sh table: $m depends on $d, which has no row"
        errs=1
      elif [ "${layer[$d]}" -gt "${layer[$m]}" ]; then
        bad "scripts/checksrc.sh table: $m (layer ${layer[$m]}) depends on $d (layer ${layer[$d]}): upward dependency"
        errs=1
      fi
    done
  done
  for m in "${!layer[@]}"; do
    allowed[$m]=$(closure_of "$m")
    for d in ${deps[$m]}; do
      case "$(closure_of "$d")" in
      *" $m "*) bad "scripts/checksrc.sh table: $m and $d depend on each other (cycle)"; errs=1 ;;
      esac
    done
  done
  [ "$errs" = 0 ] && ok
}

# check_cmake: every att_module of CMakeLists.txt has a row and links only
# modules its row allows.
check_cmake() {
  local errs=0 line name dir d dname mods
  mods=$(grep -v '^[[:space:]]*#' CMakeLists.txt | tr '\n' ' ' |
         grep -oE '(^|[^_[:alnum:]])att_module\([^)]*\)' |
         sed -E 's/^[^a]*att_module\(//; s/\)$//')
  while read -r line; do
    [ -n "$line" ] || continue
    set -- $line
    name=$1; dir=$2; shift 2
    if [ -z "${layer[$dir]:-}" ]; then
      bad "CMakeLists.txt: att_module($name $dir ...) has no row in the module table of scripts/checksrc.sh"
      errs=1; continue
    fi
    for d in "$@"; do
      case "$d" in att_*) ;; *) continue ;; esac
      dname=${d#att_} # by name: att_sim is src/sim or src/sim_off
      case "${allowed[$dir]}" in
      *" $dname "*) ;;
      *) bad "CMakeLists.txt: att_module($name) links $d, which the module table does not allow $dir to use (allowed:${allowed[$dir]})"; errs=1 ;;
      esac
    done
  done <<<"$mods"
  [ "$errs" = 0 ] && ok
}

# check_includes: #include "X/..." in src/M names only modules M may use;
# include/attest includes only attest/; cmd/ only known modules.
check_includes() {
  local errs=0 f ln text mod tgt m hits
  for m in $(cd src 2>/dev/null && ls -d */ 2>/dev/null | tr -d /); do
    if [ -z "${layer[$m]:-}" ]; then
      bad "src/$m/: module without a row in the module table of scripts/checksrc.sh"
      errs=1
    fi
  done
  hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z0-9_]+/' \
         src cmd include --include='*.c' --include='*.h' 2>/dev/null || true)
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    f=${line%%:*}; rest=${line#*:}; ln=${rest%%:*}; text=${rest#*:}
    tgt=$(sed -E 's/^[^"]*"([a-z0-9_]+)\/.*/\1/' <<<"$text")
    [ "$tgt" = attest ] && continue
    case "$f" in
    include/*)
      bad "$f:$ln: public header includes \"$tgt/...\" (rule: include/attest includes only attest/)"
      errs=1 ;;
    cmd/*)
      if [ -z "${layer[$tgt]:-}" ]; then
        bad "$f:$ln: includes \"$tgt/...\", not a module of the table (rule: cmd uses the modules of src/)"
        errs=1
      fi ;;
    src/*)
      mod=${f#src/}; mod=${mod%%/*}
      [ -n "${layer[$mod]:-}" ] || continue # reported above
      case "${allowed[$mod]}" in
      *" $tgt "*) ;;
      *) bad "$f:$ln: includes \"$tgt/...\" (rule: no upward include; $mod may include only:${allowed[$mod]}attest)"
         errs=1 ;;
      esac ;;
    esac
  done <<<"$hits"
  [ "$errs" = 0 ] && ok
}

# check_mhd: libmicrohttpd only in the HTTP server.
check_mhd() {
  local hits
  hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]microhttpd\.h[>"]' \
         src cmd include --include='*.c' --include='*.h' 2>/dev/null |
         grep -v '^src/server/' || true)
  if [ -z "$hits" ]; then ok; else
    bad "microhttpd.h included outside src/server (rule: libmicrohttpd only in the server):"
    echo "$hits" | head -20
  fi
}

# check_minus_one: an error is an ATT_ERR_* code, never a bare -1.
check_minus_one() {
  local hits
  hits=$(grep -rnE '\breturn[[:space:]]*\(?[[:space:]]*-1[[:space:]]*\)?[[:space:]]*;' \
         src --include='*.c' --include='*.h' 2>/dev/null |
         grep -v '/\* not an error: ' || true)
  if [ -z "$hits" ]; then ok; else
    bad "return -1 in src/ (rule: return an ATT_ERR_* code; a -1 that is a value carries /* not an error: why */):"
    echo "$hits" | head -40
  fi
}

# check_citations: the design notes outside the repository are never cited;
# a docs/ path cited must exist in this repository.
check_citations() {
  local notes='maa-api|dcap|tpm-reference|tpm-protocol|snp|style|architecture|interop-clients|user-asks'
  local errs=0 line f rest ln tok path base dirs=""
  for d in src cmd include tests fuzz bench scripts docs README.md; do
    [ -e "$d" ] && dirs="$dirs $d"
  done
  [ -e CMakeLists.txt ] && dirs="$dirs CMakeLists.txt"
  [ -e Makefile ] && dirs="$dirs Makefile"
  local hits
  hits=$(grep -rnIoE "[[:alnum:]_./-]*\b($notes)\.md|shared/doc[s]" $dirs \
         --exclude-dir=vectors --exclude-dir=corpus --exclude-dir=node_modules \
         2>/dev/null || true)
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    f=${line%%:*}; rest=${line#*:}; ln=${rest%%:*}; tok=${rest#*:}
    path=${tok#./}; base=${path##*/}
    case "$tok" in
    shared/doc[s])
      bad "$f:$ln: cites $tok, a directory outside this repository"
      errs=1; continue ;;
    esac
    case "$base" in
    *.md) grep -qxE "$notes" <<<"${base%.md}" || continue ;;
    *) continue ;;
    esac
    case "$path" in
    docs/*) [ -f "$path" ] && continue ;;
    esac
    bad "$f:$ln: cites $tok, which is not in this repository (cite the public specification, or a file under docs/)"
    errs=1
  done <<<"$hits"
  [ "$errs" = 0 ] && ok
}

structure_checks() {
  load_table "$layer_table"
  check_table
  check_cmake
  check_includes
  check_mhd
  check_minus_one
  check_citations
}

# ---- self-test: each rule fails on a bad sample, passes on a good one -----
self_test() {
  local st_pass=0 st_fail=0 out
  tmp=$(mktemp -d) || exit 1
  trap 'rm -rf "$tmp"' EXIT
  # expect WANT NAME CHECK: run CHECK in $tmp/t, WANT is pass or fail.
  expect() {
    local want=$1 name=$2 fn=$3 before=$fail got
    out=$(cd "$tmp/t" && { load_table "$layer_table"
          check_table >/dev/null; fail=0; pass=0; $fn; echo "rc=$fail"; })
    got=pass; case "$out" in *"rc=0") ;; *) got=fail ;; esac
    fail=$before
    if [ "$got" = "$want" ]; then
      st_pass=$((st_pass+1)); echo "ok - $name ($got)"
    else
      st_fail=$((st_fail+1)); echo "not ok - $name: expected $want, got $got"
      echo "$out" | sed 's/^/#   /'
    fi
  }
  fresh() {
    rm -rf "$tmp/t"
    mkdir -p "$tmp/t/src/base" "$tmp/t/src/codec" "$tmp/t/src/server" \
      "$tmp/t/src/policy" "$tmp/t/include/attest" "$tmp/t/cmd" "$tmp/t/docs"
    printf 'att_module(base base m)\natt_module(codec codec att_base)\n' \
      >"$tmp/t/CMakeLists.txt"
    printf '/* x */\n#include "attest/err.h"\n#include "base/buf.h"\n' \
      >"$tmp/t/src/codec/ok.c"
    printf '# TPM protocol\n' >"$tmp/t/docs/tpm-protocol".md
  }
  fresh
  expect pass "includes: downward include" check_includes
  printf '#include "server/api.h"\n' >"$tmp/t/src/codec/up.c"
  expect fail "includes: codec includes server/" check_includes
  fresh
  printf '#include "policy/policy.h"\n' >"$tmp/t/src/server/side.c"
  expect pass "includes: server includes policy/" check_includes
  printf '#include "server/server.h"\n' >"$tmp/t/src/policy/side.c"
  expect fail "includes: policy includes server/" check_includes
  fresh
  mkdir -p "$tmp/t/src/newmod"
  expect fail "includes: module without a row" check_includes
  fresh
  printf '#include "base/buf.h"\n' >"$tmp/t/include/attest/pub.h"
  expect fail "includes: public header includes base/" check_includes
  fresh
  expect pass "cmake: att_module deps allowed" check_cmake
  printf 'att_module(codec codec att_server att_base)\n' >"$tmp/t/CMakeLists.txt"
  expect fail "cmake: codec links att_server" check_cmake
  printf 'att_module(verifyx verifyx att_base)\n' >"$tmp/t/CMakeLists.txt"
  expect fail "cmake: module without a row" check_cmake
  fresh
  expect pass "table: the real table" check_table
  local saved=$layer_table
  layer_table=$'base 0 codec\ncodec 1 base'
  expect fail "table: base depends upward on codec" check_table
  layer_table=$'base 0\ncodec 1 base crypto\ncrypto 1 codec'
  expect fail "table: codec and crypto depend on each other" check_table
  layer_table=$saved
  fresh
  printf '#include <microhttpd.h>\n' >"$tmp/t/src/server/s.c"
  expect pass "mhd: microhttpd.h in src/server" check_mhd
  printf '#include <microhttpd.h>\n' >"$tmp/t/src/policy/p.c"
  expect fail "mhd: microhttpd.h in src/policy" check_mhd
  fresh
  printf 'int f(void)\n{\n\treturn -1; /* not an error: an index */\n}\n' \
    >"$tmp/t/src/base/ok.c"
  expect pass "minus-one: -1 with an allow comment" check_minus_one
  printf 'int g(void)\n{\n\treturn -1;\n}\n' >"$tmp/t/src/base/bad.c"
  expect fail "minus-one: bare return -1;" check_minus_one
  rm "$tmp/t/src/base/bad.c"
  printf 'int g(void)\n{\n\treturn (-1);\n}\n' >"$tmp/t/src/base/bad.c"
  expect fail "minus-one: bare return (-1);" check_minus_one
  fresh
  printf '/* Layout: docs/tpm-protocol.md; RFC 7519 section 4. */\n' \
    >"$tmp/t/src/base/c.c"
  expect pass "citations: docs/tpm-protocol.md of this repository" check_citations
  local n
  for n in maa-api dcap tpm-reference tpm-protocol snp style architecture; do
    printf '/* see %s.md section 3 */\n' "$n" >"$tmp/t/src/base/c.c"
    expect fail "citations: $n.md" check_citations
  done
  printf '/* docs/%s.md section 1 */\n' dcap >"$tmp/t/src/base/c.c"
  expect fail "citations: a docs/ file this repository lacks" check_citations
  printf '# ../shared/%s/%s.md\n' docs maa-api >"$tmp/t/cmd/x.sh"
  printf '/* ok */\n' >"$tmp/t/src/base/c.c"
  expect fail "citations: a path into ../shared in cmd/" check_citations
  echo "$st_pass passed, $st_fail failed"
  [ "$st_fail" = 0 ]
}

cd "$here/.." || exit 1
if [ "${1:-}" = --self-test ]; then
  self_test
  exit $?
fi

for name in $(grep -oE 'X\(ATT_(ERR_[A-Z_]+|OK)' include/attest/err.h | sed 's/X(//'); do
  if grep -q "\`$name\`" docs/internals/ERRORS.md; then ok; else bad "$name not documented in docs/internals/ERRORS.md"; fi
done
for name in $(grep -oE '^#define ATT_[A-Z0-9_]+' src/base/limits.h | awk '{print $2}' | grep -v '_H$'); do
  if grep -q "\`$name\`" docs/internals/LIMITS.md; then ok; else bad "$name not documented in docs/internals/LIMITS.md"; fi
done
leaks=$(grep -rlE '#include <openssl/' src cmd include 2>/dev/null | grep -v '^src/crypto/' || true)
if [ -z "$leaks" ]; then ok; else bad "OpenSSL included outside src/crypto: $leaks"; fi
banned='\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gmtime|localtime|alloca|gets)\s*\('
hits=$(grep -rnE "$banned" src cmd --include='*.c' --include='*.h' 2>/dev/null || true)
if [ -z "$hits" ]; then ok; else bad "banned functions used:"; echo "$hits" | head -20; fi
nospdx=""
for f in $(find src cmd tests fuzz bench -name '*.c' -o -name '*.h' 2>/dev/null); do
  head -1 "$f" | grep -q 'SPDX-License-Identifier' || nospdx="$nospdx $f"
done
if [ -z "$nospdx" ]; then ok; else bad "files without an SPDX line:$nospdx"; fi
structure_checks
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
