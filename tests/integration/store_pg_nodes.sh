#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two attestd nodes on one PostgreSQL, no load balancer (docs/deployment.md
# "Cache coherence", "Database outages"): a policy PUT through node A
# governs the next attestation on node B within 1 s (the delay is measured
# and printed); a key rotated on A (attestd key rotate --store) is in B's
# /certs within 1 s and a token B signed before the rotation still
# verifies against it; concurrent removals of a provider's last two policy
# management certificates through A and B: exactly one wins; PostgreSQL
# stopped: an attestation whose policy is not cached gets 503
# ServiceUnavailable within 3 s, /readyz is not ready, /healthz alive, an
# attestation whose policy is cached still gets 200 with a token; PostgreSQL
# started again: both nodes ready and attesting by themselves.
. "$(dirname "$0")/lib/attestd.sh"
. "$(dirname "$0")/lib/cluster.sh"
att_require_bins
. "$ATT_SRC_DIR/tests/harness/pg.sh"
trap cl_cleanup EXIT
CL_PGD=$(mktemp -d /tmp/att-pg-XXXXXX)
att_pg_start "$CL_PGD" || cl_cannot_run "PostgreSQL did not start"
CL_URL=$ATT_TEST_PG_PWURL
CL_PWFILE=$ATT_TEST_PG_PWFILE
AV="api-version=2020-10-01"
W=$T_TMP/w
K=$T_TMP/keys
mkdir -p "$W" "$K"
store_args=(--store "$CL_URL" --store-password-file "$CL_PWFILE")
now_ns() { date +%s%N; }
ms_since() { echo $((($(now_ns) - $1) / 1000000)); }
b64d() {
	local s
	s=$(tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s="$s="; done
	printf %s "$s" | base64 -d 2>/dev/null
}
claims_of() { cut -d. -f2 <<<"$1" | b64d; }
kid_of() { cut -d. -f1 <<<"$1" | b64d | jq -r .kid; }
x5c_of() { openssl x509 -in "$1" -outform DER | base64 -w0; }
thumb_of() { openssl x509 -in "$1" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :; }
pg_stop() { "${ATT_PG_AS[@]}" "$ATT_PG_BIN/pg_ctl" -D "$ATT_PG_DIR/data" -m fast -w stop >>"$ATT_PG_DIR/ctl.log" 2>&1; }

cl_node_start 1 || { not_ok "node A starts on PostgreSQL"; att_done; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/ra.key" -out "$K/ra.pem" -subj "/CN=nodes ra" -days 30 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/rb.key" -out "$K/rb.pem" -subj "/CN=nodes rb" -days 30 2>/dev/null
check "provider add iso through --store (admin CLI on the store URL)" \
	"$ATTESTD" provider add iso --data-dir "${NODE_DIR[1]}" "${store_args[@]}" \
	--mode isolated --policy-signer "$K/ra.pem" --policy-signer "$K/rb.pem" --base-url "${NODE_BASE[1]}/iso"
out=$("$ATTESTD" provider list "${store_args[@]}" 2>&1)
check_contains "provider list --store without --data-dir" "$out" "iso"
cl_node_stop 1
cl_node_start 1 || { not_ok "node A restarts"; att_done; }
cl_node_start 2 || { not_ok "node B starts with A's master key"; att_done; }
ok "two nodes on one PostgreSQL"
A=${NODE_BASE[1]} B=${NODE_BASE[2]}
CONTRIB=$("$ATTEST" dev-token --data-dir "${NODE_DIR[1]}" --role contributor)

printf 'nodes runtime data' >"$W/rt.bin"
"$ATTEST" sgx --sim "${NODE_DIR[1]}/sim" --runtime-data "$W/rt.bin" --request-only >"$W/sgx.json" ||
	cl_cannot_run "attest sgx --request-only"
attest_at() {
	cl_curl -X POST -H 'Content-Type: application/json' --data-binary @"$W/sgx.json" \
		"$1/attest/${2:-SgxEnclave}?$AV" | jq -r '.token // empty'
}
policy_put() {
	local jws
	jws=$(printf '%s.%s.' "$(printf '{"alg":"none"}' | att_b64url)" \
		"$(printf '{"AttestationPolicy":"%s"}' "$(att_b64url <"$3")" | att_b64url)")
	cl_curl -X PUT -H "Authorization: Bearer $CONTRIB" -H "Content-Type: text/plain" \
		--data-binary "$jws" "$1/policies/$2?$AV" >/dev/null
	att_status
}

# ---- a policy PUT through A governs the next attestation on B ------------
TOK=$(attest_at "$B")
check_eq "B attests (default policy, now cached on B)" "$(att_status)" 200
worst=0
for gen in 1 2 3; do
	cat >"$W/p$gen.txt" <<-EOF
		version=1.0;
		authorizationrules { => permit(); };
		issuancerules { => issue(type="nodes-gen", value="$gen"); };
	EOF
	[ "$(policy_put "$A" SgxEnclave "$W/p$gen.txt")" = 200 ] || { not_ok "PUT policy $gen through A"; continue; }
	t0=$(now_ns) got=
	while [ "$(ms_since "$t0")" -lt 5000 ]; do
		got=$(claims_of "$(attest_at "$B")" | jq -r '."nodes-gen" // empty')
		[ "$got" = "$gen" ] && break
	done
	ms=$(ms_since "$t0")
	echo "# policy $gen: PUT on A -> first attestation on B that used it: ${ms} ms"
	[ "$ms" -gt "$worst" ] && worst=$ms
	check_eq "policy $gen PUT through A governs attestation on B" "$got" "$gen"
done
echo "# cache-coherence delay (policy), worst of 3: ${worst} ms"
check "  within 1 s" test "$worst" -lt 1000

# ---- a key rotated on A is in B's /certs within 1 s ----------------------
TOKB=$(attest_at "$B")
KID0=$(kid_of "$TOKB")
check "rotate the default provider's key through the store URL" \
	"$ATTESTD" key rotate default --data-dir "${NODE_DIR[1]}" "${store_args[@]}"
NEW=$(cl_sql "SELECT kid FROM keys WHERE provider = 'default' AND active = 1")
t0=$(now_ns) seen=
while [ "$(ms_since "$t0")" -lt 5000 ]; do
	cl_curl "$B/certs" | jq -e --arg k "$NEW" '[.keys[].kid] | index($k) != null' >/dev/null && { seen=1; break; }
done
ms=$(ms_since "$t0")
echo "# key rotation: store write -> B's /certs served it: ${ms} ms"
check "B serves the new key in /certs" test -n "$seen"
check "  within 1 s" test "$ms" -lt 1000
check "  and still the old one (a token B signed before verifies)" \
	sh -c "curl -s --cacert '$CA' '$B/certs' | jq -e --arg k '$KID0' '[.keys[].kid] | index(\$k) != null' >/dev/null"
cl_curl "$B/certs" >"$W/b.jwks"
printf '{"token":"%s"}\n' "$TOKB" >"$W/tokb.txt"
check "the pre-rotation token verifies against B's /certs (kid, RS256 signature)" \
	python3 "$ATT_SRC_DIR/tests/integration/lib/tokcheck.py" --jwks "$W/b.jwks" \
	--ehd "$(att_b64url <"$W/rt.bin")" "$W/tokb.txt"
TOKN=$(attest_at "$B")
check_eq "B signs the next token with the new key" "$(kid_of "$TOKN")" "$NEW"

# ---- the last policy certificate: concurrent removals through A and B ----
cert_jws() {
	local h p
	h=$(printf '{"alg":"RS256","x5c":["%s"]}' "$(x5c_of "$2")" | att_b64url)
	p=$(printf '{"policyCertificate":{"kty":"RSA","x5c":["%s"]}}' "$(x5c_of "$1")" | att_b64url)
	printf '%s.%s.%s' "$h" "$p" "$(printf %s "$h.$p" | openssl dgst -sha256 -sign "$3" -binary | att_b64url)"
}
cert_jws "$K/ra.pem" "$K/rb.pem" "$K/rb.key" >"$W/rm_ra"
cert_jws "$K/rb.pem" "$K/ra.pem" "$K/ra.key" >"$W/rm_rb"
curl -s --cacert "$CA" -o "$W/ra.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $CONTRIB" -H 'Content-Type: text/plain' \
	--data-binary @"$W/rm_ra" "$A/iso/certificates:remove?$AV" >"$W/ra.st" &
p1=$!
curl -s --cacert "$CA" -o "$W/rb.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $CONTRIB" -H 'Content-Type: text/plain' \
	--data-binary @"$W/rm_rb" "$B/iso/certificates:remove?$AV" >"$W/rb.st" &
p2=$!
wait $p1 $p2
st="$(cat "$W/ra.st") $(cat "$W/rb.st")"
echo "# concurrent removals through A and B: $st"
case "$st" in "200 400" | "400 200") ok "exactly one removal wins ($st)" ;; *) not_ok "exactly one removal wins ($st)" ;; esac
check_contains "  the other is InvalidOperation" "$(cat "$W/ra.out" "$W/rb.out")" "InvalidOperation"
check_eq "  one certificate remains" "$(cl_sql "SELECT count(*) FROM policy_certs WHERE provider = 'iso'")" 1

# ---- PostgreSQL stops ------------------------------------------------------
TOKW=$(attest_at "$B")
check_eq "B attests before the outage" "$(att_status)" 200
pg_stop || not_ok "pg_ctl stop -m fast"
t0=$(now_ns)
# A request that needs the database: GET of a stored policy.
OUT=$(cl_curl -H "Authorization: Bearer $CONTRIB" "$B/policies/TdxVm?$AV")
ms=$(ms_since "$t0")
check_eq "outage: a request that needs the database: 503" "$(att_status)" 503
check_eq "  with MAA's ServiceUnavailable" "$(jq -r .error.code <<<"$OUT")" ServiceUnavailable
echo "# outage: 503 answered in ${ms} ms"
check "  within 3 s" test "$ms" -lt 3000
cl_curl "$B/readyz" >/dev/null
check_eq "outage: /readyz not ready" "$(att_status)" 503
cl_curl "$B/healthz" >/dev/null
check_eq "outage: /healthz alive" "$(att_status)" 200
sleep 1.2 # past ATT_POLICY_RECHECK_MS and ATT_KEYS_RECHECK_MS
TOKO=$(attest_at "$B")
check_eq "outage: attestation with a cached policy and keys: 200" "$(att_status)" 200
check_eq "  its token is signed with the current key" "$(kid_of "$TOKO")" "$NEW"
cl_curl "$B/certs" >/dev/null
check_eq "outage: /certs from the loaded keys" "$(att_status)" 200

# ---- PostgreSQL starts again: both nodes recover by themselves ----------
_att_pg_ctl_start || not_ok "pg_ctl start"
t0=$(now_ns) ready=
while [ "$(ms_since "$t0")" -lt 10000 ]; do
	if curl -sf --cacert "$CA" "$A/readyz" >/dev/null && curl -sf --cacert "$CA" "$B/readyz" >/dev/null; then
		ready=1
		break
	fi
	sleep 0.1
done
echo "# recovery: both nodes ready $(ms_since "$t0") ms after PostgreSQL started"
check "both nodes ready again without a restart" test -n "$ready"
cat >"$W/p9.txt" <<-EOF
	version=1.0;
	authorizationrules { => permit(); };
	issuancerules { => issue(type="nodes-gen", value="9"); };
EOF
check_eq "a policy PUT through A after the outage" "$(policy_put "$A" SgxEnclave "$W/p9.txt")" 200
t0=$(now_ns) got=
while [ "$(ms_since "$t0")" -lt 5000 ]; do
	got=$(claims_of "$(attest_at "$B")" | jq -r '."nodes-gen" // empty')
	[ "$got" = 9 ] && break
done
echo "# after recovery: policy on A -> B in $(ms_since "$t0") ms"
check_eq "  governs B (the watcher listens again)" "$got" 9
check "nodes alive" kill -0 "${NODE_PID[1]}" "${NODE_PID[2]}"
att_done
