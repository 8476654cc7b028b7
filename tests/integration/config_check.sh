#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# attestd config check, and the build's identity (issue 14, versioning).
# A fresh dev data dir passes (exit 0, "0 problems"); each of these fails
# (exit 1) with a "problem:" line naming it: master.key mode 0644, the data
# dir mode 0755, a file in it mode 0644, a master key that does not unwrap
# the stored keys, a missing master key, an unknown config member, a
# provider setting out of range, a vtpm_roots file that is missing or
# holds no certificate, an attest.json CA file without certificates or an
# attest.json that is not JSON, an OIDC issuer that does not answer (only with
# --check-oidc; a reachable one passes). `attestd --version` and `attest
# --version` print the version of CMakeLists.txt, the commit and the build
# options; /metrics carries attestd_build_info; an outgoing request (OIDC
# discovery by config check) says User-Agent: attestd/VERSION.
# Prints "N passed, M failed".
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v python3 >/dev/null || { echo "FAIL (cannot run): python3 missing"; echo "0 passed, 1 failed"; exit 77; }

VERSION=$(sed -n 's/^project(attestd VERSION \([0-9.]*\).*/\1/p' "$ATT_SRC_DIR/CMakeLists.txt")
[ -n "$VERSION" ] || not_ok "CMakeLists.txt has project(attestd VERSION x.y.z)"

# --- versions
out=$("$ATTESTD" --version)
check_eq "attestd --version first line" "$(echo "$out" | head -1)" "attestd $VERSION"
COMMIT=$(echo "$out" | sed -n 's/^commit //p')
SIM=$(echo "$out" | sed -n 's/^simulator //p')
check_contains "attestd --version names the commit" "$out" "commit "
check_contains "attestd --version names the simulator" "$out" "simulator o"
check_contains "attestd --version names the sanitizers" "$out" "sanitizers "
out=$("$ATTEST" --version)
check_eq "attest --version first line" "$(echo "$out" | head -1)" "attest $VERSION"
# `git describe --always --dirty` at configure time: [TAG-N-g]HASH[-dirty],
# a commit of this repository (HEAD may have moved on since).
if [ -d "$ATT_SRC_DIR/.git" ] && command -v git >/dev/null; then
	h=$(echo "$COMMIT" | sed -E 's/-dirty$//; s/^.*-g([0-9a-f]+)$/\1/')
	check "the commit ($COMMIT) is one of the checkout's" \
		git -C "$ATT_SRC_DIR" cat-file -e "$h^{commit}"
else
	check_eq "outside a checkout the commit is unknown" "$COMMIT" unknown
fi

# --- a fresh dev data dir
D=$T_TMP/d
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "dev attestd starts"; att_done; }
m=$(curl -s --cacert "$CA" "$BASE/metrics" | grep '^attestd_build_info')
check_eq "/metrics attestd_build_info" "$m" \
	"attestd_build_info{version=\"$VERSION\",commit=\"$COMMIT\",sim=\"$SIM\",sanitize=\"none\"} 1"
att_stop
out=$("$ATTESTD" config check --data-dir "$D"); rc=$?
check_eq "fresh dev data dir passes" "$rc" 0
check_contains "it says 0 problems" "$out" "0 problems"
for what in "data dir" permissions "master key" store keys providers tls; do
	check_contains "one ok line for $what" "$out" "ok: $what: "
done

# expect_problem DESC WHAT-SUBSTRING ARGS...: config check exits 1 and a
# "problem:" line contains WHAT-SUBSTRING.
expect_problem() {
	local desc=$1 want=$2 out rc
	shift 2
	out=$("$ATTESTD" config check "$@" 2>&1); rc=$?
	check_eq "$desc: exit 1" "$rc" 1
	check_contains "$desc: named" "$(echo "$out" | grep '^problem: ')" "$want"
}

# --- modes
chmod 0644 "$D/master.key"
expect_problem "master.key 0644" "master key: $D/master.key is mode 0644, want 0600" --data-dir "$D"
chmod 0600 "$D/master.key"
chmod 0755 "$D"
expect_problem "data dir 0755" "data dir: $D is mode 0755, want 0700" --data-dir "$D"
chmod 0700 "$D"
chmod 0644 "$D/tls.crt"
expect_problem "a file 0644" "permissions: $D/tls.crt is mode 0644, want 0600" --data-dir "$D"
chmod 0600 "$D/tls.crt"
check "modes restored: passes again" "$ATTESTD" config check --data-dir "$D"
mkdir -m 0700 "$D/extra"
for i in $(seq 1 12); do install -m 0644 /dev/null "$D/extra/f$i"; done
expect_problem "12 files 0644 deeper down" "permissions: 2 more open to group or others (12 in all)" --data-dir "$D"
rm -rf "$D/extra"

# --- master key
cp "$D/master.key" "$T_TMP/master.save"
head -c 32 /dev/urandom >"$T_TMP/other.key"
cat "$T_TMP/other.key" >"$D/master.key"
expect_problem "a master key that unwraps nothing" "keys: " --data-dir "$D"
rm -f "$D/master.key"
expect_problem "no master key" "master key: $D/master.key is missing" --data-dir "$D"
check "config check created no master key" test ! -e "$D/master.key"
install -m 0600 "$T_TMP/master.save" "$D/master.key"
check "master key restored: passes again" "$ATTESTD" config check --data-dir "$D"

# --- the config file
cfg() { echo "$1" >"$T_TMP/c.json"; }
cfg '{"data_dir": "'"$D"'", "dev": true}'
check "a good config file passes" "$ATTESTD" config check --config "$T_TMP/c.json"
cfg '{"data_dir": "'"$D"'", "dev": true, "listne": "127.0.0.1:1"}'
expect_problem "an unknown config member" "listne" --config "$T_TMP/c.json"
cfg '{"data_dir": "'"$D"'", "dev": true, "providers": {"default": {"limits": {"policy_eval_steps": -5}}}}'
expect_problem "a provider limit out of range" "providers: " --config "$T_TMP/c.json"
cfg '{"data_dir": "'"$D"'", "dev": true, "providers": {"default": {"vtpm_roots": "'"$T_TMP"'/missing.pem"}}}'
expect_problem "a missing vtpm_roots file" "providers.default.vtpm_roots: $T_TMP/missing.pem" --config "$T_TMP/c.json"
echo "not a certificate" >"$T_TMP/bad.pem"
cfg '{"data_dir": "'"$D"'", "dev": true, "providers": {"default": {"vtpm_roots": ["'"$T_TMP"'/bad.pem"]}}}'
expect_problem "a vtpm_roots file without certificates" "bad.pem: no certificate in it" --config "$T_TMP/c.json"
cfg '{"data_dir": "'"$D"'", "dev": true, "providers": {"default": {"vtpm_roots": ["'"$D"'/tls.crt"]}}}'
check "a vtpm_roots file with a certificate passes" "$ATTESTD" config check --config "$T_TMP/c.json"
cfg '{"data_dir": "'"$D"'", "tls": {"cert": "'"$T_TMP"'/bad.pem", "key": "'"$D"'/tls.key"}}'
expect_problem "a TLS certificate file without certificates" "tls: $T_TMP/bad.pem" --config "$T_TMP/c.json"

# --- trust roots: TPM trust certificates in the store, attest.json CA files
check "attestd tpm trust --ek-root" "$ATTESTD" tpm trust default --data-dir "$D" --ek-root "$D/tls.crt"
out=$("$ATTESTD" config check --data-dir "$D"); rc=$?
check_eq "a stored TPM trust root passes" "$rc" 0
check_contains "and is counted" "$out" "ok: trust roots: 1 TPM trust certificate parse"
printf '{"pcs_ca_file": "%s", "kds_ca_file": "%s"}\n' "$T_TMP/bad.pem" "$D/tls.crt" >"$D/attest.json"
chmod 0600 "$D/attest.json"
expect_problem "attest.json: a pcs_ca_file without certificates" "trust roots: pcs_ca_file: $T_TMP/bad.pem: no certificate in it" --data-dir "$D"
echo '{"pcs_ca_file": ' >"$D/attest.json"
expect_problem "attest.json: not JSON" "settings: $D/attest.json: not a JSON object" --data-dir "$D"
rm -f "$D/attest.json"
check "attest.json removed: passes again" "$ATTESTD" config check --data-dir "$D"

# --- OIDC issuers: only with --check-oidc
IDP_PORT=$(att_free_port)
mkdir -p "$T_TMP/idp"
python3 - "$IDP_PORT" "$T_TMP/idp/ua" <<'EOF' &
import http.server, json, sys
port, ua_file = int(sys.argv[1]), sys.argv[2]
iss = "http://127.0.0.1:%d" % port
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(ua_file, "a") as f:
            f.write(self.headers.get("User-Agent", "") + "\n")
        if self.path == "/.well-known/openid-configuration":
            body = {"issuer": iss, "jwks_uri": iss + "/jwks"}
        elif self.path == "/jwks":
            body = {"keys": []}
        else:
            self.send_response(404); self.end_headers(); return
        b = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", port), H)
s.timeout = 60
s.handle_request(); s.handle_request(); s.handle_request(); s.handle_request()
EOF
IDP_PID=$!
for i in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$IDP_PORT") 2>/dev/null && break; sleep 0.1; done
DEAD_PORT=$(att_free_port)
cfg '{"data_dir": "'"$D"'", "dev": true, "providers": {"default": {"auth": {"issuers": [{"issuer": "http://127.0.0.1:'"$DEAD_PORT"'", "audience": "a"}]}}}}'
check "an unreachable issuer passes without --check-oidc" "$ATTESTD" config check --config "$T_TMP/c.json"
expect_problem "an unreachable issuer with --check-oidc" "oidc: provider default: http://127.0.0.1:$DEAD_PORT" --config "$T_TMP/c.json" --check-oidc
cfg '{"data_dir": "'"$D"'", "dev": true, "providers": {"default": {"auth": {"issuers": [{"issuer": "http://127.0.0.1:'"$IDP_PORT"'", "audience": "a"}]}}}}'
out=$("$ATTESTD" config check --config "$T_TMP/c.json" --check-oidc); rc=$?
check_eq "a reachable issuer with --check-oidc passes" "$rc" 0
check_contains "it says so" "$out" "ok: oidc: provider default: http://127.0.0.1:$IDP_PORT answers its JWKS"
kill "$IDP_PID" 2>/dev/null; wait "$IDP_PID" 2>/dev/null
check_eq "outgoing User-Agent is attestd/VERSION" "$(head -1 "$T_TMP/idp/ua" 2>/dev/null)" "attestd/$VERSION"

# --- usage
"$ATTESTD" config check --bogus >/dev/null 2>&1; rc=$?
check_eq "an unknown option is a usage error (exit 2)" "$rc" 2
att_done
