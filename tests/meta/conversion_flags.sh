#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Meta-test: the att_evidence, att_codec and att_token targets (the modules
# that read untrusted bytes or encode them) compile with -Wconversion and
# -Wsign-conversion, as errors: each of their files' compilation in this
# build's compile_commands.json carries both flags, and -Werror when the
# build has it (ATT_WERROR, as in `make test`). libattest (the attest_objs
# target, built when the build has neither sanitizers nor fuzzing) compiles
# the same files again: that compilation must carry the same flags.
set -u
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }

db="${ATT_BIN_DIR:-}/compile_commands.json"
src="${ATT_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
if [ -z "${ATT_BIN_DIR:-}" ] || [ ! -f "$db" ]; then
  echo "FAIL: no compile_commands.json (ATT_BIN_DIR=${ATT_BIN_DIR:-unset})"
  exit 1
fi

# one line per entry: file<TAB>command
entries=$(jq -r '.[] | [.file, (.command // (.arguments | join(" ")))] | @tsv' "$db")
# src/base/cur.c is built with the common flags: -Werror there means ATT_WERROR
base=$(printf '%s\n' "$entries" | awk -F '\t' -v f="$src/src/base/cur.c" '$1 == f { print $2; exit }')
flags="-Wconversion -Wsign-conversion"
case " $base " in *" -Werror "*) flags="$flags -Werror" ;; esac
# libattest is built unless the build has sanitizers or fuzzing
want_lib=1
case " $base " in *" -fsanitize="*) want_lib=0 ;; esac
has_lib=$(printf '%s\n' "$entries" | awk -F '\t' 'index($2, "CMakeFiles/attest_objs.dir/") { print 1; exit }')
if [ "$want_lib" = 1 ] && [ -z "$has_lib" ]; then
  bad "no attest_objs (libattest) compilation in compile_commands.json"
fi
checked=0
lib_checked=0
for mod in evidence codec token; do
  files=$(find "$src/src/$mod" -name '*.c' | sort)
  [ -n "$files" ] || { bad "src/$mod has no sources"; continue; }
  for f in $files; do
    # the att_<mod> target's compilation (libattest compiles it again)
    cmd=$(printf '%s\n' "$entries" | awk -F '\t' -v f="$f" -v o="CMakeFiles/att_$mod.dir/" \
      '$1 == f && index($2, o) { print $2; exit }')
    rel=${f#"$src"/}
    if [ -z "$cmd" ]; then
      bad "$rel: not in compile_commands.json (re-run cmake)"
      continue
    fi
    checked=$((checked + 1))
    for flag in $flags; do
      case " $cmd " in
        *" $flag "*) ok ;;
        *) bad "$rel: compiled without $flag" ;;
      esac
    done
    [ -n "$has_lib" ] || continue
    lib=$(printf '%s\n' "$entries" | awk -F '\t' -v f="$f" -v o="CMakeFiles/attest_objs.dir/" \
      '$1 == f && index($2, o) { print $2; exit }')
    if [ -z "$lib" ]; then
      bad "$rel: not compiled into libattest (attest_objs)"
      continue
    fi
    lib_checked=$((lib_checked + 1))
    for flag in $flags; do
      case " $lib " in
        *" $flag "*) ok ;;
        *) bad "$rel: compiled into libattest without $flag" ;;
      esac
    done
  done
done
[ "$checked" -ge 20 ] && ok || bad "only $checked files of evidence/codec/token checked"
if [ -n "$has_lib" ]; then
  [ "$lib_checked" -eq "$checked" ] && ok ||
    bad "libattest: $lib_checked of $checked files checked"
fi
echo "# $checked module compilations, $lib_checked libattest compilations checked"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
