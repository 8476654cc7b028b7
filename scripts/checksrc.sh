#!/usr/bin/env bash
# Source checks that the compiler cannot make (style.md §5.5 meta-tests):
#  - every ATT_ERR_* code is documented in docs/internals/ERRORS.md
#  - every limit in src/base/limits.h is documented in docs/internals/LIMITS.md
#  - OpenSSL is included only under src/crypto/
#  - banned functions are not used in src/ and cmd/
#  - every .c file starts with an SPDX line
# Prints "N passed, M failed"; exits 1 on any failure.
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }

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
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
