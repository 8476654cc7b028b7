#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the DCAP benchmark (bench_dcap: cold / warm verifications per second,
# the `openssl speed ecdsap256` bound and @phala/dcap-qvl on the same
# quotes). Usage: bench/dcap.sh [BUILD_DIR] [SECONDS]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
export ATT_SRC_DIR=$SRC
export ATT_TESTDATA_DEFAULT=${ATT_TESTDATA_DEFAULT:-$SRC/tests/vectors}
exec taskset -c 0 "$BUILD/bench_dcap" "${2:-3}"
