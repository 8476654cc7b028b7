#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Token signature throughput, in process against a PKCS #11 token
# (SoftHSM2, a token made here in a temporary directory): bench_sign's
# RS256 and ES256 signatures per second with 1 thread and with THREADS
# threads, and the ratio token / in process for each.
# usage: bench/sign.sh [BUILD_DIR]   (env: SECONDS_S=3 THREADS=2)
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-${ATT_BIN_DIR:-$SRC/build}}
SECONDS_S=${SECONDS_S:-3}
THREADS=${THREADS:-2}
MOD=/usr/lib/softhsm/libsofthsm2.so
[ -x "$B/bench_sign" ] || { echo "$B/bench_sign is not built"; exit 1; }
command -v softhsm2-util >/dev/null && [ -f "$MOD" ] || { echo "softhsm2 is not installed (scripts/deps.sh)"; exit 1; }
H=$(mktemp -d /tmp/attestd-bench-sign-XXXXXX)
trap 'rm -rf "$H"' EXIT
mkdir "$H/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$H" >"$H/softhsm2.conf"
export SOFTHSM2_CONF=$H/softhsm2.conf
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null
echo 1234 >"$H/pin"
URI="pkcs11:token=bench?module-path=$MOD&pin-source=file:$H/pin"
echo "# signatures/s (wall), SoftHSM2 $(dpkg-query -W -f='${Version}' softhsm2 2>/dev/null), $(nproc) cores"
for t in 1 "$THREADS"; do
	"$B/bench_sign" "$URI" "$SECONDS_S" "$t" | tee "$H/out.$t"
	awk -v t="$t" '{r[$1]=$3} END {
		printf "ratio rs256 pkcs11/in-process (%d threads): %.2f\n", t, r["rs256_pkcs11"]/r["rs256_inprocess"];
		printf "ratio es256 pkcs11/in-process (%d threads): %.2f\n", t, r["es256_pkcs11"]/r["es256_inprocess"] }' "$H/out.$t"
done
