#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# -DATT_SIM=OFF: configure a temporary build tree without the SGX
# simulator, build just attestd and attest, and check that src/sim is not
# linked in (its certificate builder is in the default attestd, not in
# this one), that `attest sim ...` says the simulator is not built in,
# and that `attestd serve --dev` starts, logs the same clearly and
# creates no simulator directory. Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
cannot_run() { echo "FAIL (cannot run): $*"; echo "0 passed, 1 failed"; exit 77; }
for t in cmake nm timeout; do
	command -v "$t" >/dev/null || cannot_run "$t missing"
done

B=$T_TMP/build-nosim
# Same compiler flags as the tree under test, without the simulator.
check "configure -DATT_SIM=OFF" \
	cmake -S "$ATT_SRC_DIR" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DATT_WERROR=ON -DATT_SIM=OFF
if ! timeout 600 cmake --build "$B" -j2 --target attestd attest \
	>"$T_TMP/build.log" 2>&1; then
	not_ok "build attestd and attest without the simulator"
	tail -30 "$T_TMP/build.log"
	att_done
fi
ok "build attestd and attest without the simulator"

# The simulator's PKI code is in the default build and absent here.
has_sym() { nm "$1" 2>/dev/null | grep -q " T $2\$"; }
check "default attestd links src/sim (att_sgxsim_cert_create)" \
	has_sym "$ATTESTD" att_sgxsim_cert_create
check_fails "ATT_SIM=OFF attestd does not (att_sgxsim_cert_create)" \
	has_sym "$B/attestd" att_sgxsim_cert_create
check_fails "ATT_SIM=OFF attest does not (att_sgxsim_pck_ext_der)" \
	has_sym "$B/attest" att_sgxsim_pck_ext_der

# attest sim: a clear refusal, exit status 2.
out=$("$B/attest" sim sgx init "$T_TMP/simdir" 2>&1)
rc=$?
check_eq "attest sim sgx init exits 2" "$rc" 2
check_contains "attest sim names the missing simulator" "$out" \
	"SGX simulator is not built in (configured with -DATT_SIM=OFF)"
check_fails "attest sim created nothing" test -e "$T_TMP/simdir"

# attestd serve --dev starts, says so, and makes no simulator.
ATTESTD=$B/attestd
PORT=$(att_free_port) || cannot_run "no free loopback port"
D=$T_TMP/data
if att_start "$D" "$PORT"; then
	ok "attestd --dev starts without the simulator"
	check "readyz answers" curl -sf --cacert "$CA" "$BASE/readyz"
	check_contains "dev mode logs that the simulator is not built in" \
		"$(cat "$D.log")" "SGX simulator is not built in"
	check_fails "no simulator directory in the data dir" test -e "$D/sim/manifest.json"
	check "attestd stops cleanly" att_stop
else
	not_ok "attestd --dev starts without the simulator"
fi
att_done
