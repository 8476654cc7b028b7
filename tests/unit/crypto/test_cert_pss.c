/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The primitives AMD-shaped (SEV-SNP) certificates need: certificates and
 * CRLs signed with RSASSA-PSS SHA-384 (MGF1 SHA-384, salt 48; RFC 4055
 * parameters in the AlgorithmIdentifier), custom extensions by OID whose
 * extnValue is the caller's DER, RSA-4096 keys, and ECDSA P-384 signing of
 * a SHA-384 digest to raw big-endian r, s. Each signature is checked by an
 * independent path (X509_verify through att_x509_check_signed_by, ECDSA
 * verify of the digest) and refused once tampered with.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "harness/tap.h"

#define T0 1751328000LL /* 2025-07-01T00:00:00Z */

/* AlgorithmIdentifier pieces (DER): id-RSASSA-PSS, id-sha384, the salt
 * length [2] INTEGER 48. */
static const uint8_t oid_pss[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
				  0xF7, 0x0D, 0x01, 0x01, 0x0A};
static const uint8_t oid_sha384[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				     0x65, 0x03, 0x04, 0x02, 0x02};
static const uint8_t salt48[] = {0xA2, 0x03, 0x02, 0x01, 0x30};
static const uint8_t oid_mgf1[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
				   0xF7, 0x0D, 0x01, 0x01, 0x08};

static size_t count(const uint8_t *h, size_t n, const uint8_t *needle,
		    size_t k)
{
	size_t c = 0;
	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(h + i, needle, k))
			c++;
	return c;
}

static const struct att_cert_name_attr ark_name[] = {
	{"OU", "Engineering"}, {"C", "US"}, {"CN", "ARK-Test"}};
static const struct att_cert_name_attr leaf_name[] = {{"CN", "SEV-VCEK"}};

static struct att_cert *make_root(struct att_pkey *k, enum att_cert_sig sig)
{
	struct att_cert *c = NULL;
	struct att_cert_spec s = {.subject = ark_name,
				  .n_subject = 3,
				  .subject_key = k,
				  .not_before = T0,
				  .not_after = T0 + 86400,
				  .basic_constraints = true,
				  .ca = true,
				  .pathlen = -1,
				  .key_usage = ATT_KU_KEY_CERT_SIGN |
					       ATT_KU_CRL_SIGN,
				  .ski = ATT_SKI_KEY_SHA1,
				  .sig = sig};
	ATT_CHECK_EQ_INT(att_cert_build(&c, &s), 0);
	return c;
}

static void test_pss_cert(struct att_pkey *rsa, struct att_pkey *ec)
{
	struct att_cert *root = make_root(rsa, ATT_CERT_SIG_RSA_PSS_SHA384);
	struct att_cert *plain = make_root(rsa, ATT_CERT_SIG_DEFAULT);
	uint8_t *der = NULL, *der2 = NULL;
	size_t n = 0, n2 = 0;
	ATT_CHECK(root && plain, "built");
	if (!root || !plain)
		goto out;
	ATT_CHECK_EQ_INT(att_cert_to_der(&der, &n, root), 0);
	/* the AlgorithmIdentifier appears twice (TBS and outer) */
	ATT_CHECK_EQ_INT(count(der, n, oid_pss, sizeof(oid_pss)), 2);
	ATT_CHECK(count(der, n, oid_sha384, sizeof(oid_sha384)) >= 4,
		  "hash and MGF1 hash are SHA-384");
	ATT_CHECK_EQ_INT(count(der, n, oid_mgf1, sizeof(oid_mgf1)), 2);
	ATT_CHECK_EQ_INT(count(der, n, salt48, sizeof(salt48)), 2);
	ATT_CHECK_EQ_INT(att_x509_check_signed_by(root, root), 0);
	/* the default stays SHA-256 PKCS#1 v1.5: no PSS identifier */
	ATT_CHECK_EQ_INT(att_cert_to_der(&der2, &n2, plain), 0);
	ATT_CHECK_EQ_INT(count(der2, n2, oid_pss, sizeof(oid_pss)), 0);
	ATT_CHECK_EQ_INT(att_x509_check_signed_by(plain, plain), 0);

	/* one flipped bit of the signature: refused */
	der[n - 1] ^= 0x01;
	struct att_cert *bad = NULL;
	ATT_CHECK_EQ_INT(att_cert_from_der(&bad, der, n), 0);
	ATT_CHECK_EQ_INT(att_x509_check_signed_by(bad, root),
			 ATT_ERR_SIG_INVALID);
	att_cert_free(bad);

	/* PSS asked of an EC signing key */
	struct att_cert *c = NULL;
	struct att_cert_spec s = {.subject = leaf_name,
				  .n_subject = 1,
				  .subject_key = ec,
				  .not_before = T0,
				  .not_after = T0 + 1,
				  .sig = ATT_CERT_SIG_RSA_PSS_SHA384};
	ATT_CHECK_EQ_INT(att_cert_build(&c, &s), ATT_ERR_ALG);
	ATT_CHECK(c == NULL, "no certificate");
out:
	free(der);
	free(der2);
	att_cert_free(root);
	att_cert_free(plain);
}

/* A P-384 leaf with AMD-style raw extensions, signed PSS by the root. */
static void test_leaf_ext(struct att_pkey *rsa, struct att_pkey *ec,
			  struct att_pkey *other_rsa)
{
	struct att_cert *root = make_root(rsa, ATT_CERT_SIG_RSA_PSS_SHA384);
	struct att_cert *leaf = NULL;
	static const uint8_t spl[] = {0x02, 0x02, 0x00, 0x80}; /* INTEGER 128 */
	static const uint8_t name[] = {0x16, 0x08, 'M', 'i', 'l', 'a', 'n',
				       '-', 'B', '0'};
	uint8_t hwid[64];
	for (size_t i = 0; i < sizeof(hwid); i++)
		hwid[i] = (uint8_t)i;
	struct att_cert_raw_ext ext[] = {
		{"1.3.6.1.4.1.3704.1.2", name, sizeof(name), false, false},
		{"1.3.6.1.4.1.3704.1.3.3", spl, sizeof(spl), false, false},
		{"1.3.6.1.4.1.3704.1.4", hwid, sizeof(hwid), false, false},
	};
	struct att_cert_spec s = {.subject = leaf_name,
				  .n_subject = 1,
				  .issuer = root,
				  .signing_key = rsa,
				  .subject_key = ec,
				  .not_before = T0,
				  .not_after = T0 + 86400,
				  .raw = ext,
				  .n_raw = 3,
				  .order = {ATT_EXT_RAW},
				  .sig = ATT_CERT_SIG_RSA_PSS_SHA384};
	ATT_CHECK_EQ_INT(att_cert_build(&leaf, &s), 0);
	if (!leaf || !root)
		goto out;
	const uint8_t *v = NULL;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_x509_extension(leaf, "1.3.6.1.4.1.3704.1.3.3", &v,
					    &n),
			 0);
	ATT_CHECK(n == sizeof(spl) && !memcmp(v, spl, n), "SPL as given");
	ATT_CHECK_EQ_INT(
	    att_x509_extension(leaf, "1.3.6.1.4.1.3704.1.4", &v, &n), 0);
	ATT_CHECK(n == 64 && !memcmp(v, hwid, 64), "hwID raw bytes");
	ATT_CHECK_EQ_INT(
	    att_x509_extension(leaf, "1.3.6.1.4.1.3704.1.2", &v, &n), 0);
	ATT_CHECK(n == sizeof(name) && !memcmp(v, name, n), "productName");
	ATT_CHECK_EQ_INT(
	    att_x509_extension(leaf, "1.3.6.1.4.1.3704.1.5", &v, &n),
	    ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_x509_check_signed_by(leaf, root), 0);
	/* a root of another key does not vouch for it */
	struct att_cert *other = make_root(other_rsa,
					   ATT_CERT_SIG_RSA_PSS_SHA384);
	ATT_CHECK(other && att_x509_check_signed_by(leaf, other) ==
			       ATT_ERR_SIG_INVALID,
		  "other root refused");
	att_cert_free(other);
out:
	att_cert_free(leaf);
	att_cert_free(root);
}

static void test_pss_crl(struct att_pkey *rsa, struct att_pkey *ec)
{
	struct att_cert *root = make_root(rsa, ATT_CERT_SIG_RSA_PSS_SHA384);
	static const uint8_t serial[] = {0x01, 0x00, 0x01};
	struct att_crl_revoked rev = {serial, sizeof(serial)};
	struct att_crl_spec s = {.issuer = root,
				 .issuer_key = rsa,
				 .this_update = T0,
				 .next_update = T0 + 86400,
				 .number = 1,
				 .revoked = &rev,
				 .n_revoked = 1,
				 .revocation_date = T0,
				 .reason = -1,
				 .sig = ATT_CERT_SIG_RSA_PSS_SHA384};
	uint8_t *der = NULL;
	size_t n = 0;
	struct att_x509_crl *crl = NULL;
	ATT_CHECK_EQ_INT(att_crl_build(&der, &n, &s), 0);
	ATT_CHECK_EQ_INT(count(der, n, oid_pss, sizeof(oid_pss)), 2);
	ATT_CHECK_EQ_INT(count(der, n, salt48, sizeof(salt48)), 2);
	ATT_CHECK_EQ_INT(att_x509_crl_from_der(&crl, der, n), 0);
	ATT_CHECK(crl && att_x509_crl_check_signed_by(crl, root) == 0,
		  "CRL signature verifies");
	att_x509_crl_free(crl);
	crl = NULL;
	if (n) {
		der[n - 1] ^= 0x01;
		ATT_CHECK_EQ_INT(att_x509_crl_from_der(&crl, der, n), 0);
		ATT_CHECK(crl && att_x509_crl_check_signed_by(crl, root) ==
				     ATT_ERR_SIG_INVALID,
			  "tampered CRL refused");
		att_x509_crl_free(crl);
	}
	free(der);
	der = NULL;
	s.issuer_key = ec;
	ATT_CHECK_EQ_INT(att_crl_build(&der, &n, &s), ATT_ERR_ALG);
	ATT_CHECK(der == NULL, "no CRL");
	att_cert_free(root);
}

static void test_ecdsa_digest(struct att_pkey *ec384, struct att_pkey *ec256,
			      struct att_pkey *rsa)
{
	static const char msg[] = "SEV-SNP report bytes 0x000..0x29F";
	uint8_t dg[48], r[48], s[48];
	ATT_CHECK_EQ_INT(att_digest(ATT_MD_SHA384, dg, msg, sizeof(msg)), 0);
	ATT_CHECK_EQ_INT(att_pkey_sign_ecdsa_digest(ec384, dg, 48, r, s, 48),
			 0);
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa_digest(ec384, dg, 48, r, 48, s,
						      48),
			 0);
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(ec384, ATT_MD_SHA384, msg,
					       sizeof(msg), r, 48, s, 48),
			 0);
	s[47] ^= 1;
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa_digest(ec384, dg, 48, r, 48, s,
						      48),
			 ATT_ERR_SIG_INVALID);
	/* two signatures of the same digest differ (random k) */
	uint8_t r2[48], s2[48];
	ATT_CHECK_EQ_INT(
	    att_pkey_sign_ecdsa_digest(ec384, dg, 48, r2, s2, 48), 0);
	ATT_CHECK(memcmp(r, r2, 48) != 0, "fresh nonce");
	ATT_CHECK_EQ_INT(att_pkey_sign_ecdsa_digest(ec256, dg, 48, r, s, 48),
			 ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_pkey_sign_ecdsa_digest(rsa, dg, 48, r, s, 48),
			 ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_pkey_sign_ecdsa_digest(ec384, dg, 0, r, s, 48),
			 ATT_ERR_ALG);
	/* a public key cannot sign */
	struct att_pkey *pub = NULL;
	char *pem = NULL;
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&pem, ec384, false), 0);
	ATT_CHECK_EQ_INT(att_pkey_from_pem(&pub, pem, strlen(pem)), 0);
	ATT_CHECK_EQ_INT(att_pkey_sign_ecdsa_digest(pub, dg, 48, r, s, 48),
			 ATT_ERR_INVALID_ARG);
	att_pkey_free(pub);
	free(pem);
}

int main(void)
{
	struct att_pkey *rsa = NULL, *rsa2 = NULL, *ec = NULL, *ec256 = NULL;
	struct att_pkey *rsa4k = NULL;
	ATT_CHECK_EQ_INT(att_pkey_generate(&rsa, ATT_KEY_RSA2048), 0);
	ATT_CHECK_EQ_INT(att_pkey_generate(&rsa2, ATT_KEY_RSA2048), 0);
	ATT_CHECK_EQ_INT(att_pkey_generate(&ec, ATT_KEY_EC_P384), 0);
	ATT_CHECK_EQ_INT(att_pkey_generate(&ec256, ATT_KEY_EC_P256), 0);
	ATT_CHECK_EQ_INT(att_pkey_generate(&rsa4k, ATT_KEY_RSA4096), 0);
	if (rsa && rsa2 && ec && ec256 && rsa4k) {
		ATT_CHECK_EQ_INT(att_pkey_bits(rsa4k), 4096);
		test_pss_cert(rsa, ec);
		test_pss_cert(rsa4k, ec);
		test_leaf_ext(rsa4k, ec, rsa2);
		test_pss_crl(rsa, ec);
		test_ecdsa_digest(ec, ec256, rsa);
	}
	att_pkey_free(rsa);
	att_pkey_free(rsa2);
	att_pkey_free(ec);
	att_pkey_free(ec256);
	att_pkey_free(rsa4k);
	return att_test_done();
}
