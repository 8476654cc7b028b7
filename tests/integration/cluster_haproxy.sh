#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two, then three attestd nodes on one PostgreSQL behind HAProxy
# (deploy/haproxy.cfg as docs/deployment.md documents it; issue 13),
# everything on loopback (tests/integration/lib/cluster.sh):
# - the rendered configuration passes `haproxy -c`, HAProxy marks every
#   node UP by its /readyz check and spreads new connections over all
#   of them; every node serves the same /certs;
# - a policy PUT through node A governs the next attestation on node B
#   (and through HAProxy): the change is seen on B within 1 s, the delay
#   is measured and printed; a deny policy refuses the next one;
# - a key rotated on A is served in /certs by B within 1 s, B signs with
#   the new key, and a token B signed before the rotation still verifies
#   against B's /certs;
# - TPM flow B (swtpm) started on A and finished on B
#   (`attest tpm attest --finish-url`); its request replayed to A, and to
#   B, is refused as already used;
# - the last policy management certificate rule under concurrent
#   removals of the two remaining certificates through two nodes: in
#   every round exactly one removal wins and one certificate remains.
# With three nodes the policy, TPM and certificate checks run again
# across other pairs of nodes.
. "$(dirname "$0")/lib/attestd.sh"
. "$(dirname "$0")/lib/cluster.sh"
. "$(dirname "$0")/lib/tpm_swtpm.sh"
cl_init
tpm_require
trap 'tpm_swtpm_stop; cl_cleanup' EXIT
command -v openssl >/dev/null || cl_cannot_run "openssl missing"
TOKCHECK=$ATT_SRC_DIR/tests/integration/lib/tokcheck.py
LOGS=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}/tpm/eventlogs
TPMLOG=$LOGS/cos-101-amd-sev.bin
[ -f "$TPMLOG" ] || cl_cannot_run "TPM event log $TPMLOG not found"
AV="api-version=2020-10-01"
W=$T_TMP/w
K=$T_TMP/keys
mkdir -p "$W" "$K"

b64d() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf %s "$s" | base64 -d 2>/dev/null
}
claims_of() { cut -d. -f2 <<<"$1" | b64d; }
kid_of() { cut -d. -f1 <<<"$1" | b64d | jq -r .kid; }
now_ns() { date +%s%N; }
ms_since() { echo $((($(now_ns) - $1) / 1000000)); }
thumb_of() { openssl x509 -in "$1" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :; }
x5c_of() { openssl x509 -in "$1" -outform DER | base64 -w0; }
# cert_jws CERT SIGNER_CERT SIGNER_KEY: a certificates:add|remove body
# (the JWS over {"policyCertificate": JWK}, RS256 by the signer).
cert_jws() {
	local h p
	h=$(printf '{"alg":"RS256","x5c":["%s"]}' "$(x5c_of "$2")" | att_b64url)
	p=$(printf '{"policyCertificate":{"kty":"RSA","x5c":["%s"]}}' "$(x5c_of "$1")" | att_b64url)
	printf '%s.%s.%s' "$h" "$p" "$(printf %s "$h.$p" | openssl dgst -sha256 -sign "$3" -binary | att_b64url)"
}
store_args=(--store "$CL_URL" --store-password-file "$CL_PWFILE")
# policy_put NODE TYPE FILE: PUT /policies/TYPE (MAA's unsigned JWS)
# through that node; policy_reset NODE TYPE. Both print the HTTP status.
# (Not `attest policy set`: it checks the answer's issuer against the
# URL it was given, and a provider has one issuer: node 1's URL here, the
# load balancer's name in a deployment.)
policy_put() {
	local jws
	jws=$(printf '%s.%s.' "$(printf '{"alg":"none"}' | att_b64url)" \
		"$(printf '{"AttestationPolicy":"%s"}' "$(att_b64url <"$3")" | att_b64url)")
	cl_curl -X PUT -H "Authorization: Bearer $CONTRIB" -H "Content-Type: text/plain" \
		--data-binary "$jws" "${NODE_BASE[$1]}/policies/$2?$AV" >/dev/null
	att_status
}
policy_reset() {
	cl_curl -X POST -H "Authorization: Bearer $CONTRIB" -H "Content-Type: text/plain" \
		--data-binary "$(printf '{"alg":"none"}' | att_b64url).." "${NODE_BASE[$1]}/policies/$2:reset?$AV" >/dev/null
	att_status
}

# ---- node 1 alone: providers, TPM trust ---------------------------------
cl_node_start 1 || { not_ok "node 1 starts on PostgreSQL"; att_done; }
for n in ra rb; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/$n.key" -out "$K/$n.pem" \
		-subj "/CN=cluster signer $n" -days 30 2>/dev/null || cl_cannot_run "openssl req"
done
S=$T_TMP/swtpm
tpm_swtpm_init "$S" || { cat "$S/setup.log"; cl_cannot_run "swtpm_setup"; }
tpm_swtpm_start "$S" "$(att_free_port)" || cl_cannot_run "swtpm does not start"
# The admin commands on the shared store (a provider added while nodes run
# is seen after SIGHUP or a restart; node 1 restarts below).
check "provider add iso (isolated, signer ra) on the shared store" \
	"$ATTESTD" provider add iso --data-dir "${NODE_DIR[1]}" "${store_args[@]}" \
	--mode isolated --policy-signer "$K/ra.pem" --base-url "${NODE_BASE[1]}/iso"
tpm_trust_ek_store() {
	"$ATTESTD" tpm trust default --data-dir "${NODE_DIR[1]}" "${store_args[@]}" \
		--ek-root "$S/ca/swtpm-localca-rootca-cert.pem" --ek-intermediate "$S/ca/issuercert.pem" >/dev/null
}
check "attestd tpm trust on the shared store: swtpm's CA" tpm_trust_ek_store
cl_node_stop 1
cl_node_start 1 || { not_ok "node 1 restarts"; att_done; }
cl_node_start 2 || { not_ok "node 2 starts with node 1's master key"; att_done; }
ok "two nodes on one PostgreSQL"
cl_haproxy_start 2 && ok "HAProxy (deploy/haproxy.cfg rendered, haproxy -c) marks both nodes UP by /readyz" ||
	{ not_ok "HAProxy with two nodes"; att_done; }
check_eq "the stats page lists the backup entries unchecked" "$(cl_state node2-any)" "no check"

CONTRIB=$("$ATTEST" dev-token --data-dir "${NODE_DIR[1]}" --role contributor)
READER=$("$ATTEST" dev-token --data-dir "${NODE_DIR[1]}" --role reader)
C1=$(cl_curl "${NODE_BASE[1]}/certs")
C2=$(cl_curl "${NODE_BASE[2]}/certs")
CL=$(cl_curl "$LB_BASE/certs")
check_eq "/certs through HAProxy: 200" "$(att_status)" 200
check_eq "nodes 1, 2 and HAProxy serve the same /certs" "$(jq -c '[.keys[].kid]' <<<"$C2") $(jq -c '[.keys[].kid]' <<<"$CL")" \
	"$(jq -c '[.keys[].kid]' <<<"$C1") $(jq -c '[.keys[].kid]' <<<"$C1")"

# ---- an SGX request body (node 1's simulator, copied to every node) ------
printf 'cluster runtime data' >"$W/rt.bin"
EHD=$(att_b64url <"$W/rt.bin")
"$ATTEST" sgx --sim "${NODE_DIR[1]}/sim" --runtime-data "$W/rt.bin" --request-only >"$W/sgx.json" ||
	cl_cannot_run "attest sgx --request-only"
# attest_at BASE: POST the request; prints the token (status in $T_TMP/status).
attest_at() {
	cl_curl -X POST -H 'Content-Type: application/json' --data-binary @"$W/sgx.json" \
		"$1/attest/SgxEnclave?$AV" | jq -r '.token // empty'
}
TOK=$(attest_at "$LB_BASE")
check_eq "attestation through HAProxy: 200" "$(att_status)" 200
check_eq "  its token carries the runtime data" "$(claims_of "$TOK" | jq -r '."x-ms-sgx-ehd"')" "$EHD"

# ---- a policy PUT through A governs the next attestation on B ------------
# put_mark A B GEN: PUT a policy issuing cluster-gen=GEN through node A,
# then attest on node B until its token carries GEN (at most 5 s); passes
# when it did within 1 s of the PUT's answer. Prints the delay.
put_mark() {
	local a=$1 b=$2 gen=$3 t0 ms tok got=""
	cat >"$W/p$gen.txt" <<-EOF
		version=1.0;
		authorizationrules { => permit(); };
		issuancerules { => issue(type="cluster-gen", value="$gen"); c:[type=="x-ms-sgx-ehd"] => issue(type="ehd", value=c.value); };
	EOF
	if [ "$(policy_put "$a" SgxEnclave "$W/p$gen.txt")" != 200 ]; then
		not_ok "policy PUT through node $a: $(att_status) $(head -c 200 "$T_TMP/body")"
		return
	fi
	t0=$(now_ns)
	while [ "$(ms_since "$t0")" -lt 5000 ]; do
		tok=$(attest_at "${NODE_BASE[$b]}")
		got=$(claims_of "$tok" | jq -r '."cluster-gen" // empty' 2>/dev/null)
		[ "$got" = "$gen" ] && break
	done
	ms=$(ms_since "$t0")
	echo "# policy PUT on node $a -> seen by an attestation on node $b after $ms ms"
	check_eq "policy PUT through node $a governs attestation on node $b (within 1 s: ${ms} ms)" \
		"$got $([ "$ms" -le 1000 ] && echo in-time || echo late)" "$gen in-time"
	check_eq "  the token from node $b carries that policy's hash" "$(claims_of "$tok" | jq -r '."x-ms-policy-hash"')" \
		"$(att_b64url <"$W/p$gen.txt" | tr -d '\n' | openssl dgst -sha256 -binary | att_b64url)"
}
put_mark 1 2 g1
put_mark 2 1 g2
TOK=$(attest_at "$LB_BASE")
check_eq "through HAProxy the new policy governs too" "$(claims_of "$TOK" | jq -r '."cluster-gen"')" g2
cat >"$W/deny.txt" <<'EOF'
version=1.0;
authorizationrules { c:[type=="x-ms-sgx-svn", value>=1000] => permit(); };
issuancerules { };
EOF
check_eq "a deny policy PUT on node 1" "$(policy_put 1 SgxEnclave "$W/deny.txt")" 200
sleep 1
attest_at "${NODE_BASE[2]}" >/dev/null
check_eq "a deny policy PUT on node 1: node 2 refuses the next attestation" \
	"$(att_status) $(jq -r .error.code "$T_TMP/body")" "400 PolicyEvaluationError"
check_eq "policy reset through node 2" "$(policy_reset 2 SgxEnclave)" 200
sleep 1
attest_at "${NODE_BASE[1]}" >/dev/null
check_eq "policy reset on node 2: node 1 attests again" "$(att_status)" 200

# ---- key rotation on A, seen in /certs on B -------------------------------
OLD=$(attest_at "${NODE_BASE[2]}")
OLDKID=$(kid_of "$OLD")
OUT=$("$ATTESTD" key rotate default --data-dir "${NODE_DIR[1]}" "${store_args[@]}" 2>&1)
check_contains "attestd key rotate on node 1's store: a new key" "$OUT" "new active key"
t0=$(now_ns)
while [ "$(ms_since "$t0")" -lt 5000 ]; do
	n=$(cl_curl "${NODE_BASE[2]}/certs" | jq '.keys | length')
	[ "$n" = 2 ] && break
	sleep 0.05
done
ms=$(ms_since "$t0")
echo "# key rotated on node 1 -> in node 2's /certs after $ms ms"
check_eq "node 2 serves both keys in /certs (within 1 s: $ms ms)" "$n $([ "$ms" -le 1000 ] && echo in-time || echo late)" "2 in-time"
cl_curl "${NODE_BASE[2]}/certs" >"$W/jwks2.json"
NEW=$(attest_at "${NODE_BASE[2]}")
check_fails "node 2 signs with the new key" test "$(kid_of "$NEW")" = "$OLDKID"
printf '{"token":"%s"}\n{"token":"%s"}\n' "$OLD" "$NEW" >"$W/rot.tokens"
OUT=$(python3 "$TOKCHECK" --jwks "$W/jwks2.json" --ehd "$EHD" "$W/rot.tokens" 2>&1)
check_eq "the token node 2 signed before the rotation, and the new one, verify against node 2's /certs" "$OUT" "verified 2, bad 0"
check "the old token verifies with attest token verify (issuer's /certs)" \
	"$ATTEST" token verify --issuer "${NODE_BASE[1]}" --ca "$CA" "$OLD"

# ---- TPM flow B across nodes ------------------------------------------------
cat >"$W/tpm.txt" <<'EOF'
version=1.2;
authorizationrules { => permit(); };
issuancerules { c:[type=="aikValidated"] => issue(type="aikValidated", value=c.value); };
EOF
check_eq "Tpm policy PUT through node 1" "$(policy_put 1 Tpm "$W/tpm.txt")" 200
tpm_extend_log "$TPMLOG" || not_ok "extend the event log into swtpm"
OUT=$("$ATTEST" tpm enroll --url "${NODE_BASE[2]}" --tcti "$TCTI" --ca "$CA" --bearer "$READER" --state "$W/tpm" 2>&1)
check_eq "flow A (enrolment) through node 2 ($OUT)" "$?" 0
# tpm_split A B TAG: flow B started on node A and finished on node B; the
# saved round-2 request is then replayed to A and to B.
# tpm_answers NODE: the node's 200 answers to POST /attest/Tpm (/metrics).
tpm_answers() {
	curl -s --cacert "$CA" "${NODE_BASE[$1]}/metrics" |
		awk '/^attestd_requests_total\{route="[^"]*attest\/Tpm",status="200"\}/ { n += $2 } END { print n + 0 }'
}
tpm_split() {
	local a=$1 b=$2 tok x na nb
	sleep 1 # the Tpm policy and the enrolment reach every node
	na=$(tpm_answers "$a") nb=$(tpm_answers "$b")
	tok=$("$ATTEST" tpm attest --url "${NODE_BASE[$a]}" --finish-url "${NODE_BASE[$b]}" --tcti "$TCTI" \
		--ca "$CA" --bearer "$READER" --state "$W/tpm" --log "$TPMLOG" --save-request "$W/req$a$b.json" 2>"$W/err")
	check_eq "TPM flow B started on node $a, finished on node $b ($(head -c 200 "$W/err"))" \
		"$(claims_of "$tok" | jq -r '."x-ms-policy".aikValidated // .aikValidated' 2>/dev/null)" true
	check_eq "  node $a answered round 1 and node $b round 2 (/metrics)" \
		"$(($(tpm_answers "$a") - na)) $(($(tpm_answers "$b") - nb))" "1 1"
	check "  the token verifies" "$ATTEST" token verify --issuer "${NODE_BASE[1]}" --ca "$CA" "$tok"
	for x in "$a" "$b"; do
		cl_curl -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $READER" \
			--data @"$W/req$a$b.json" "${NODE_BASE[$x]}/attest/Tpm?api-version=2022-08-01" >/dev/null
		check_eq "  the request replayed to node $x: refused as already used" \
			"$(att_status) $(jq -r .error.message "$T_TMP/body" | grep -o 'already used' | head -1)" "400 already used"
	done
}
tpm_split 1 2

# ---- the last certificate under concurrent removals from two nodes --------
RB_BY_RA=$(cert_jws "$K/rb.pem" "$K/ra.pem" "$K/ra.key")
RA_BY_RB=$(cert_jws "$K/ra.pem" "$K/rb.pem" "$K/rb.key")
certs_add() { # NODE JWS
	cl_curl -X POST -H "Authorization: Bearer $CONTRIB" -H "Content-Type: application/json" \
		--data-binary "\"$2\"" "${NODE_BASE[$1]}/iso/certificates:add?$AV" >/dev/null
	att_status
}
certs_count() {
	cl_curl -H "Authorization: Bearer $READER" "${NODE_BASE[$1]}/iso/certificates?$AV" | jq -r .token |
		cut -d. -f2 | b64d | jq '."x-ms-policy-certificates".keys | length'
}
check_eq "certificates:add of rb (signed by ra) through node 1" "$(certs_add 1 "$RB_BY_RA")" 200
# race A B ROUNDS: node A removes ra (signed by rb), node B removes rb
# (signed by ra), at the same instant; the loser's certificate stays.
race() {
	local a=$1 b=$2 rounds=$3 r sa sb wins=0 bad=0 left
	for r in $(seq 1 "$rounds"); do
		sleep 1 # the certificate set of the last round reaches every node
		curl -s --cacert "$CA" -o "$W/ra.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $CONTRIB" \
			-H "Content-Type: application/json" --data-binary "\"$RA_BY_RB\"" \
			"${NODE_BASE[$a]}/iso/certificates:remove?$AV" >"$W/ra.st" &
		local p1=$!
		curl -s --cacert "$CA" -o "$W/rb.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $CONTRIB" \
			-H "Content-Type: application/json" --data-binary "\"$RB_BY_RA\"" \
			"${NODE_BASE[$b]}/iso/certificates:remove?$AV" >"$W/rb.st" &
		wait "$p1" $!
		sa=$(cat "$W/ra.st") sb=$(cat "$W/rb.st")
		left=$(certs_count "$a")
		case "$sa $sb $left" in
		"200 400 1")
			wins=$((wins + 1))
			grep -q InvalidOperation "$W/rb.body" || bad=$((bad + 1))
			certs_add "$b" "$RA_BY_RB" >/dev/null
			;;
		"400 200 1")
			wins=$((wins + 1))
			grep -q InvalidOperation "$W/ra.body" || bad=$((bad + 1))
			certs_add "$a" "$RB_BY_RA" >/dev/null
			;;
		*)
			bad=$((bad + 1))
			echo "# round $r: node $a $sa, node $b $sb, $left certificate(s) left"
			;;
		esac
	done
	check_eq "last certificate, $rounds rounds of concurrent removals through nodes $a and $b: exactly one wins each time" \
		"$wins $bad" "$rounds 0"
	check_eq "  two certificates again after re-adding" "$(certs_count "$b")" 2
}
race 1 2 4

# ---- three nodes --------------------------------------------------------------
cl_node_start 3 || { not_ok "node 3 starts"; att_done; }
cl_haproxy_stop
cl_haproxy_start 3 && ok "HAProxy with three nodes: all UP" || { not_ok "HAProxy with three nodes"; att_done; }
# New connections are spread over the three nodes (roundrobin).
stot() { curl -s "$LB_STATS" | awk -F, -v s="$1" '$1 == "attestd_nodes" && $2 == s { print $8 }'; }
s0=$(stot node1) t0=$(stot node2) u0=$(stot node3)
for i in $(seq 1 9); do
	curl -s --cacert "$CA" -o /dev/null "$LB_BASE/certs"
done
check "nine connections through HAProxy reached each of the three nodes" \
	test $(($(stot node1) - s0)) -ge 1 -a $(($(stot node2) - t0)) -ge 1 -a $(($(stot node3) - u0)) -ge 1
check_eq "node 3 serves the rotated keys" "$(cl_curl "${NODE_BASE[3]}/certs" | jq '.keys | length')" 2
put_mark 3 1 g3
put_mark 2 3 g4
tpm_split 3 1
race 2 3 3
att_done
