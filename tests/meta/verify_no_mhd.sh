#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Meta-test: the verifier (src/verify) builds and runs without
# libmicrohttpd (docs/internals/architecture.md, rule 4). The unit test
# executable of tests/unit/verify/ links only att_verify and its
# dependencies: its CMake link line names neither libmicrohttpd nor
# att_server, and its ELF NEEDED entries hold no libmicrohttpd. attestd,
# which does link both, is the control that shows each check can fail.
set -u
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "not ok - $*"; }

bin="${ATT_BIN_DIR:-}"
if [ -z "$bin" ] || [ ! -d "$bin" ]; then
  echo "FAIL: ATT_BIN_DIR is not a build directory (${bin:-unset})"
  exit 1
fi
t=unit_verify_test_verifier
link="$bin/CMakeFiles/$t.dir/link.txt"
ctl="$bin/CMakeFiles/attestd.dir/link.txt"
for f in "$link" "$ctl" "$bin/$t" "$bin/attestd"; do
  if [ ! -f "$f" ]; then
    echo "FAIL: $f is missing (build the targets $t and attestd first)"
    exit 1
  fi
done

# needed FILE: the ELF NEEDED entries, one a line.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

if grep -q 'microhttpd' "$link"; then
  bad "$t: link line names libmicrohttpd: $(grep -o '[^ ]*microhttpd[^ ]*' "$link" | head -1)"
else
  ok "$t: link line without libmicrohttpd"
fi
if grep -q 'libatt_server\.a' "$link"; then
  bad "$t: link line names att_server"
else
  ok "$t: link line without att_server"
fi
if grep -q 'libatt_verify\.a' "$link"; then
  ok "$t: links att_verify"
else
  bad "$t: link line does not name att_verify"
fi
n=$(needed "$bin/$t")
if [ -z "$n" ]; then
  bad "$t: readelf found no NEEDED entries"
elif printf '%s\n' "$n" | grep -q microhttpd; then
  bad "$t: NEEDED has libmicrohttpd"
else
  ok "$t: NEEDED without libmicrohttpd ($(printf '%s\n' "$n" | wc -l) entries)"
fi
# control: the same checks see libmicrohttpd where it is
if grep -q 'microhttpd' "$ctl" && needed "$bin/attestd" | grep -q microhttpd; then
  ok "control: attestd's link line and NEEDED name libmicrohttpd"
else
  bad "control: attestd shows no libmicrohttpd; the checks above prove nothing"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
