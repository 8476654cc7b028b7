#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The opt-in TPM maker EK CA bundle (data/tpm-vendors, installed as
# share/attestd/tpm-vendors): every file is one certificate that parses and
# is a CA, listed in PROVENANCE.md with its SHA-256 (of the DER and of the
# file); every self-signed root's signature holds; every intermediate
# chains to a shipped root; a real GCE vTPM certificate from tests/vectors
# (the AK certificate of gce_cos85, issued by the GCE vTPM EK CA) chains
# through the shipped intermediate to the shipped root. `attestd tpm trust
# NAME --bundle vendors` adds them all (printing how many) to the
# provider's ek-roots and ek-intermediates, a second run adds none, and a
# bad or unknown bundle, or a bundle holding a broken file, is refused.
. "$(dirname "$0")/lib/attestd.sh"
att_require_bins
command -v openssl >/dev/null || { echo "FAIL (cannot run): openssl missing"; echo "0 passed, 1 failed"; exit 77; }

BUNDLE=$ATT_SRC_DIR/data/tpm-vendors
PROV=$BUNDLE/PROVENANCE.md
VEC=${ATTESTD_TESTDATA:-${ATT_TESTDATA_DEFAULT:-$ATT_SRC_DIR/tests/vectors}}
check "PROVENANCE.md exists" test -s "$PROV"

cat "$BUNDLE"/roots/*.pem >"$T_TMP/roots.pem"
cat "$BUNDLE"/intermediates/*.pem >"$T_TMP/inter.pem"
NROOTS=$(ls "$BUNDLE"/roots/*.pem | wc -l)
NINTER=$(ls "$BUNDLE"/intermediates/*.pem | wc -l)
check "the bundle has roots and intermediates ($NROOTS, $NINTER)" test "$NROOTS" -ge 8 -a "$NINTER" -ge 3

for f in "$BUNDLE"/roots/*.pem "$BUNDLE"/intermediates/*.pem; do
	rel=${f#"$BUNDLE"/}
	check_eq "$rel: exactly one certificate" "$(grep -c 'BEGIN CERTIFICATE' "$f")" 1
	check "$rel: parses" openssl x509 -in "$f" -noout
	check_contains "$rel: is a CA" "$(openssl x509 -in "$f" -noout -ext basicConstraints 2>&1)" "CA:TRUE"
	der=$(openssl x509 -in "$f" -outform der | sha256sum | cut -d' ' -f1)
	fs=$(sha256sum "$f" | cut -d' ' -f1)
	line=$(grep -F "| \`$rel\` |" "$PROV")
	check_contains "$rel: in PROVENANCE.md with its DER SHA-256" "$line" "$der"
	check_contains "$rel: in PROVENANCE.md with its file SHA-256" "$line" "$fs"
	check_contains "$rel: PROVENANCE.md names a source commit" "$line" " @ \`"
	if [ "$(openssl x509 -in "$f" -noout -subject -nameopt RFC2253 | cut -d= -f2-)" = \
		"$(openssl x509 -in "$f" -noout -issuer -nameopt RFC2253 | cut -d= -f2-)" ]; then
		check "$rel: self-signed signature verifies" openssl verify -CAfile "$f" "$f"
	fi
done
check_eq "PROVENANCE.md lists exactly the bundle's files" \
	"$(grep -c '^| `' "$PROV")" "$((NROOTS + NINTER))"
for f in "$BUNDLE"/intermediates/*.pem; do
	check "${f#"$BUNDLE"/}: chains to a shipped root" \
		openssl verify -partial_chain -CAfile "$T_TMP/roots.pem" -untrusted "$T_TMP/inter.pem" "$f"
done

# A real certificate from the GCE vTPM CA (tests/vectors) chains to the bundle.
AK=$VEC/tpm/quotes/gce_cos85/gce-cos-85-nonce9009/ak_cert.der
if [ -f "$AK" ]; then
	openssl x509 -inform der -in "$AK" -out "$T_TMP/ak.pem"
	check "GCE vTPM certificate (tests/vectors) chains to the shipped GCE root" \
		openssl verify -CAfile "$BUNDLE/roots/google-gce-tpm-ek-root-1.pem" \
		-untrusted "$T_TMP/inter.pem" "$T_TMP/ak.pem"
	check_fails "...and not without the shipped intermediate" \
		openssl verify -CAfile "$BUNDLE/roots/google-gce-tpm-ek-root-1.pem" "$T_TMP/ak.pem"
else
	not_ok "tests/vectors GCE AK certificate missing: $AK"
fi

# attestd tpm trust --bundle vendors
D=$T_TMP/data
PORT=$(att_free_port)
att_start "$D" "$PORT" || { not_ok "start"; att_done; }
att_stop
OUT=$("$ATTESTD" tpm trust default --data-dir "$D" --bundle vendors 2>&1)
check_eq "tpm trust --bundle vendors succeeds ($OUT)" "$?" 0
check_contains "it prints how many roots and intermediates" "$OUT" \
	"$NROOTS EK roots and $NINTER EK intermediates trusted for provider default ($((NROOTS + NINTER)) newly added)"
SHOW=$("$ATTESTD" tpm trust default --data-dir "$D")
check_eq "every root is an ek-root of the provider" \
	"$(grep '^ek-roots:' <<<"$SHOW" | wc -w)" "$((NROOTS + 1))"
check_eq "every intermediate is an ek-intermediate" \
	"$(grep '^ek-intermediates:' <<<"$SHOW" | wc -w)" "$((NINTER + 1))"
TP=$(openssl x509 -in "$BUNDLE/roots/intel-ptt-ek-root.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :)
check_contains "the Intel PTT root is among them by thumbprint" "$SHOW" "$TP.pem"
OUT=$("$ATTESTD" tpm trust default --data-dir "$D" --bundle vendors 2>&1)
check_contains "a second run adds none" "$OUT" "(0 newly added)"
check_eq "the bundle is opt-in: another provider trusts none of it" \
	"$("$ATTESTD" provider add other --data-dir "$D" >/dev/null; "$ATTESTD" tpm trust other --data-dir "$D" | grep '^ek-roots:')" "ek-roots:"
check_fails "an unknown bundle is refused" "$ATTESTD" tpm trust default --data-dir "$D" --bundle nosuch
check_fails "a bundle name with a path is refused" "$ATTESTD" tpm trust default --data-dir "$D" --bundle ../data
mkdir -p "$T_TMP/share/tpm-broken/roots" "$T_TMP/share/tpm-broken/intermediates"
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$T_TMP/share/tpm-broken/roots/bad.pem"
OUT=$(ATTESTD_SHARE_DIR=$T_TMP/share "$ATTESTD" tpm trust default --data-dir "$D" --bundle broken 2>&1)
check_eq "a bundle with a broken certificate fails" "$?" 1
check_contains "...naming the file" "$OUT" "bad.pem"
cp "$BUNDLE/roots/intel-ptt-ek-root.pem" "$T_TMP/share/tpm-broken/roots/bad.pem"
OUT=$(ATTESTD_SHARE_DIR=$T_TMP/share "$ATTESTD" tpm trust other --data-dir "$D" --bundle broken 2>&1)
check_contains "ATTESTD_SHARE_DIR names where bundles are" "$OUT" "1 EK roots and 0 EK intermediates trusted for provider other"
att_done
