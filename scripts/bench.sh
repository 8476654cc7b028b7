#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bench: builds an optimised tree (build-bench/, Release) and runs every
# benchmark under bench/: a bench/<name>.sh wrapper where there is one, else
# the bench_<name> binary. Figures are printed with their reference (e.g.
# `openssl speed` measured in the same run). BENCH_ONLY=name runs one.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD:-$SRC/build-bench}
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DATT_WERROR=ON >/dev/null
cmake --build "$BUILD" -j "$(nproc)" >/dev/null
export ATT_SRC_DIR=$SRC ATT_BIN_DIR=$BUILD
export ATT_TESTDATA_DEFAULT=${ATT_TESTDATA_DEFAULT:-$SRC/tests/vectors}
declare -A wrapped=()
for sh in "$SRC"/bench/*.sh; do
  [ -e "$sh" ] || continue
  name=$(basename "$sh" .sh)
  wrapped[$name]=1
  if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = "$name" ]; then
    echo "=== bench/$name.sh"
    bash "$sh" "$BUILD" || echo "bench/$name.sh failed ($?)"
  fi
done
for bin in "$BUILD"/bench_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); name=${name#bench_}
  [ -n "${wrapped[$name]:-}" ] && continue
  if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = "$name" ]; then
    echo "=== bench_$name"
    "$bin" || echo "bench_$name failed ($?)"
  fi
done
