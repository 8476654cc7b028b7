/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto/cert_path.h on a three-level PKI made here with att_cert_build:
 * the full path, an intermediate as the anchor (partial chain), a missing
 * intermediate, another root, no roots, validity at both ends, every
 * truncation of the leaf and a trailing byte; reading OCTET STRING
 * extensions back (found, absent, too long for the buffer, not an OCTET
 * STRING, a bad certificate).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/cert.h"
#include "crypto/cert_path.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "harness/tap.h"

static const int64_t now = 1800000000;
#define OID_OCTETS "1.3.6.1.4.1.55555.1"
#define OID_INT "1.3.6.1.4.1.55555.2"

struct pki {
	struct att_pkey *rk, *ik, *lk, *ok;
	struct att_cert *root, *inter, *leaf, *other;
	char *root_pem, *inter_pem, *other_pem;
	uint8_t *der, *leaf_spki;
	size_t der_len, leaf_spki_len;
};

static int make(struct att_cert **out, const char *cn, struct att_pkey *key,
		const struct att_cert *issuer, struct att_pkey *ikey, bool ca,
		const struct att_cert_raw_ext *raw, size_t n_raw)
{
	const struct att_cert_name_attr name[] = {{"CN", cn}};
	struct att_cert_spec s = {
		.subject = name,
		.n_subject = 1,
		.issuer = issuer,
		.signing_key = ikey,
		.subject_key = key,
		.not_before = now - 3600,
		.not_after = now + 86400 * (ca ? 3650 : 30),
		.basic_constraints = true,
		.ca = ca,
		.pathlen = -1,
		.key_usage = ca ? ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN
				: ATT_KU_DIGITAL_SIGNATURE,
		.ski = ATT_SKI_KEY_SHA1,
		.aki = true,
		.raw = raw,
		.n_raw = n_raw,
	};
	return att_cert_build(out, &s);
}

static void pki_make(struct pki *p)
{
	static const uint8_t octets[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const uint8_t der_int[] = {0x02, 0x01, 0x05}; /* INTEGER 5 */
	const struct att_cert_raw_ext raw[] = {
		{OID_OCTETS, octets, sizeof(octets), false, true},
		{OID_INT, der_int, sizeof(der_int), false, false},
	};
	memset(p, 0, sizeof(*p));
	ATT_CHECK(att_pkey_generate(&p->rk, ATT_KEY_EC_P256) == 0 &&
			  att_pkey_generate(&p->ik, ATT_KEY_EC_P256) == 0 &&
			  att_pkey_generate(&p->lk, ATT_KEY_EC_P256) == 0 &&
			  att_pkey_generate(&p->ok, ATT_KEY_EC_P256) == 0,
		  "keys");
	ATT_CHECK_EQ_INT(make(&p->root, "root", p->rk, NULL, p->rk, true,
			      NULL, 0),
			 0);
	ATT_CHECK_EQ_INT(make(&p->inter, "intermediate", p->ik, p->root,
			      p->rk, true, NULL, 0),
			 0);
	ATT_CHECK_EQ_INT(make(&p->leaf, "leaf", p->lk, p->inter, p->ik, false,
			      raw, 2),
			 0);
	ATT_CHECK_EQ_INT(make(&p->other, "root", p->ok, NULL, p->ok, true,
			      NULL, 0),
			 0);
	ATT_CHECK(att_cert_to_pem(&p->root_pem, p->root) == 0 &&
			  att_cert_to_pem(&p->inter_pem, p->inter) == 0 &&
			  att_cert_to_pem(&p->other_pem, p->other) == 0 &&
			  att_cert_to_der(&p->der, &p->der_len, p->leaf) == 0 &&
			  att_pkey_spki_der(&p->leaf_spki, &p->leaf_spki_len,
					    p->lk) == 0,
		  "encodings");
}

static void pki_free(struct pki *p)
{
	att_pkey_free(p->rk);
	att_pkey_free(p->ik);
	att_pkey_free(p->lk);
	att_pkey_free(p->ok);
	att_cert_free(p->root);
	att_cert_free(p->inter);
	att_cert_free(p->leaf);
	att_cert_free(p->other);
	free(p->root_pem);
	free(p->inter_pem);
	free(p->other_pem);
	free(p->der);
	free(p->leaf_spki);
}

static int check(const struct att_cert_path *a, struct att_diag *d)
{
	uint8_t *spki = NULL;
	size_t n = 0;
	att_diag_clear(d);
	int r = att_cert_path_verify(a, &spki, &n, NULL, d);
	if (r)
		ATT_CHECK(spki == NULL && n == 0, "no key on failure");
	free(spki);
	return r;
}

static void test_paths(struct pki *p)
{
	struct att_diag d;
	uint8_t *spki = NULL, h[32], want[32];
	size_t n = 0;
	struct att_cert_path a = {.der = p->der,
				  .der_len = p->der_len,
				  .roots_pem = p->root_pem,
				  .roots_len = strlen(p->root_pem),
				  .inter_pem = p->inter_pem,
				  .inter_len = strlen(p->inter_pem),
				  .at = now,
				  .what = "test leaf"};
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_cert_path_verify(&a, &spki, &n, h, &d), 0);
	ATT_CHECK(n == p->leaf_spki_len && !memcmp(spki, p->leaf_spki, n),
		  "the leaf's SubjectPublicKeyInfo");
	att_sha256(want, p->der, p->der_len);
	ATT_CHECK(!memcmp(h, want, 32), "the leaf's SHA-256");
	free(spki);

	/* the intermediate as the only anchor: a partial chain */
	a.roots_pem = p->inter_pem;
	a.roots_len = strlen(p->inter_pem);
	a.inter_pem = NULL;
	a.inter_len = 0;
	ATT_CHECK_EQ_INT(check(&a, &d), 0);
	/* the root alone does not reach the leaf */
	a.roots_pem = p->root_pem;
	a.roots_len = strlen(p->root_pem);
	ATT_CHECK_EQ_INT(check(&a, &d), ATT_ERR_CHAIN_INVALID);
	ATT_CHECK(strstr(att_diag_msg(&d),
			 "test leaf does not chain to a trusted root"),
		  "%s", att_diag_msg(&d));
	/* another root of the same name */
	a.inter_pem = p->inter_pem;
	a.inter_len = strlen(p->inter_pem);
	a.roots_pem = p->other_pem;
	a.roots_len = strlen(p->other_pem);
	ATT_CHECK(check(&a, &d) != 0, "another root: %s", att_diag_msg(&d));
	/* no roots at all, and roots that are not PEM certificates */
	a.roots_pem = NULL;
	a.roots_len = 0;
	ATT_CHECK_EQ_INT(check(&a, &d), ATT_ERR_CHAIN_INVALID);
	ATT_CHECK(strstr(att_diag_msg(&d), "no trusted roots"), "%s",
		  att_diag_msg(&d));
	a.roots_pem = "not PEM";
	a.roots_len = 7;
	ATT_CHECK_EQ_INT(check(&a, &d), ATT_ERR_CHAIN_INVALID);
	/* time */
	a.roots_pem = p->root_pem;
	a.roots_len = strlen(p->root_pem);
	a.at = now + 31 * 86400;
	ATT_CHECK_EQ_INT(check(&a, &d), ATT_ERR_EXPIRED);
	a.at = now - 7200;
	ATT_CHECK_EQ_INT(check(&a, &d), ATT_ERR_NOT_YET_VALID);
	a.at = now;
	/* every proper prefix of the leaf, and one byte more */
	int bad = 0;
	for (size_t i = 0; i < p->der_len; i++) {
		a.der_len = i;
		if (check(&a, &d) != ATT_ERR_FORMAT)
			bad++;
	}
	ATT_CHECK(bad == 0, "%d prefixes not refused as ATT_ERR_FORMAT", bad);
	uint8_t *longer = malloc(p->der_len + 1);
	memcpy(longer, p->der, p->der_len);
	longer[p->der_len] = 0;
	a.der = longer;
	a.der_len = p->der_len + 1;
	ATT_CHECK_EQ_INT(check(&a, &d), ATT_ERR_FORMAT);
	ATT_CHECK(strstr(att_diag_msg(&d), "test leaf is not one DER X.509"),
		  "%s", att_diag_msg(&d));
	/* a flipped byte in the signature */
	memcpy(longer, p->der, p->der_len);
	longer[p->der_len - 2] ^= 1;
	a.der_len = p->der_len;
	ATT_CHECK(check(&a, &d) != 0, "tampered leaf: %s", att_diag_msg(&d));
	free(longer);
	/* no `what`: a generic word */
	a.der = p->der;
	a.what = NULL;
	a.at = now + 31 * 86400;
	ATT_CHECK_EQ_INT(check(&a, &d), ATT_ERR_EXPIRED);
	ATT_CHECK(strstr(att_diag_msg(&d), "certificate does not chain"), "%s",
		  att_diag_msg(&d));
}

static void test_ext(struct pki *p)
{
	uint8_t buf[16];
	size_t n = 99;
	ATT_CHECK_EQ_INT(att_cert_der_ext_octets(p->der, p->der_len,
						 OID_OCTETS, buf, sizeof(buf),
						 &n),
			 0);
	ATT_CHECK(n == 9 && buf[0] == 1 && buf[8] == 9, "octets read back");
	ATT_CHECK_EQ_INT(att_cert_der_ext_octets(p->der, p->der_len,
						 OID_OCTETS, buf, 8, &n),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(n, 0);
	ATT_CHECK_EQ_INT(att_cert_der_ext_octets(p->der, p->der_len, OID_INT,
						 buf, sizeof(buf), &n),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_cert_der_ext_octets(p->der, p->der_len,
						 "1.2.3.4", buf, sizeof(buf),
						 &n),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_cert_der_ext_octets(p->der, p->der_len - 1,
						 OID_OCTETS, buf, sizeof(buf),
						 &n),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_cert_der_ext_octets(p->der, p->der_len, NULL, buf,
						 sizeof(buf), &n),
			 ATT_ERR_FORMAT);
}

int main(void)
{
	struct pki p;
	pki_make(&p);
	test_paths(&p);
	test_ext(&p);
	pki_free(&p);
	return att_test_done();
}
