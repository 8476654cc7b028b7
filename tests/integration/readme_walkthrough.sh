#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's "Five minutes" walk-through is a test: its indented command
# block is taken from README.md with awk (comment lines dropped, nothing
# else rewritten but the ports: 127.0.0.1:8443 becomes the port this test
# chose, swtpm:port=2321 a free port given to `attest sim tpm start` as
# --port) and run, line by line, in one shell, in a working directory laid
# out as after `make run`: ./build is ATT_BIN_DIR, ./var the data dir of a
# dev-mode attestd started as `make run` starts it. The README's
# placeholder files are provided: data.json, my-policy.txt, POLICY.txt and
# CLAIMS.json made here; from tests/vectors QUOTE and BUNDLE.json (a real
# SGX quote and its collateral, valid at the README's --at) and BOOTLOG.bin
# (a real TCG log). One result per README command: a command that fails
# fails the test.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v swtpm >/dev/null || { echo "FAIL (cannot run): swtpm missing (scripts/deps.sh installs it)"; echo "0 passed, 1 failed"; exit 77; }

README=$ATT_SRC_DIR/README.md
TD=${ATTESTD_TESTDATA:-$ATT_TESTDATA_DEFAULT}
TD=${TD:-$ATT_SRC_DIR/tests/vectors}
W=$T_TMP/w
mkdir -p "$W"
ln -s "$ATT_BIN_DIR" "$W/build"

# --- the commands, as README.md has them
awk '/^## Five minutes/ { p = 1; next } /^## / { p = 0 } p && /^    / { sub(/^    /, ""); print }' \
	"$README" >"$T_TMP/block"
# join continuation lines, drop comment-only and empty lines
awk '{ if (cont) { line = line "\n" $0 } else { line = $0 }
       cont = /\\$/
       if (!cont) print line "\001" }' "$T_TMP/block" | tr -d '\n' | tr '\001' '\n' |
	grep -vE '^[[:space:]]*(#|$)' >"$T_TMP/cmds"
n=$(wc -l <"$T_TMP/cmds")
if [ "$n" -ge 10 ]; then ok "README has the walk-through ($n commands)"; else
	not_ok "README's Five minutes block has $n commands"; att_done; fi

PORT=$(att_free_port)
TPORT=$(att_free_port)
# The swtpm takes TPORT and TPORT+1 (control).
while [ "$TPORT" = "$PORT" ] || [ $((TPORT + 1)) = "$PORT" ]; do TPORT=$(att_free_port); done
sed -e "s/127\.0\.0\.1:8443/127.0.0.1:$PORT/g" \
	-e "s/swtpm:port=2321/swtpm:port=$TPORT/g" \
	-e "s|\(sim tpm start [^ ]*\)|\1 --port $TPORT|" "$T_TMP/cmds" >"$T_TMP/cmds.run"

# --- the placeholder files
cd "$W" || exit 1
echo '{"hello": "world"}' >data.json
cp "$TD/sgx/quotes/dcapqvl_sgx_quote.bin" QUOTE
cp "$TD/sgx/collateral/dcapqvl/sgx_quote_collateral.json" BUNDLE.json
cp "$TD/tpm/eventlogs/keylime_binary_bios_measurements.bin" BOOTLOG.bin
cat >my-policy.txt <<'EOF'
version= 1.0;
authorizationrules { => permit(); };
issuancerules { c:[type=="x-ms-sgx-is-debuggable"] => issue(type="is-debuggable", value=c.value); };
EOF
cp my-policy.txt POLICY.txt
echo '[{"type": "x-ms-sgx-is-debuggable", "value": false}]' >CLAIMS.json

# --- the server, as `make run` starts it
att_start "$W/var" "$PORT" || { not_ok "dev attestd starts"; att_done; }

# --- run each command in one shell; a marker line per command
{
	echo 'cd "$1"'
	i=0
	while IFS= read -r c; do
		i=$((i + 1))
		printf '%s\n' "$c"
		printf 'echo "@@rc $? %d"\n' "$i"
	done <"$T_TMP/cmds.run"
	# the README starts a swtpm: make sure it is stopped
	echo "./build/attest sim tpm stop var/tpmsim >/dev/null 2>&1"
} >"$T_TMP/walk.sh"
bash "$T_TMP/walk.sh" "$W" </dev/null >"$T_TMP/walk.out" 2>&1
i=0
while IFS= read -r c; do
	i=$((i + 1))
	rc=$(sed -n "s/^@@rc \([0-9]*\) $i\$/\1/p" "$T_TMP/walk.out")
	if [ "$rc" = 0 ]; then ok "README: $c"; else
		not_ok "README: $c (exit ${rc:-none})"
		if [ "$i" = 1 ]; then from=1; else from="/^@@rc [0-9]* $((i - 1))\$/"; fi
		sed -n "$from,/^@@rc [0-9]* $i\$/p" "$T_TMP/walk.out" | head -15
	fi
done <"$T_TMP/cmds"
att_stop
att_done
