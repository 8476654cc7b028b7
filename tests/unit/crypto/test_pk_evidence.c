/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evidence keys as struct att_pkey (the one public-key type): EC keys from
 * a point and RSA keys from a SubjectPublicKeyInfo, ECDSA with r and s as
 * integers, RSASSA-PKCS1-v1_5 / PSS with explicit digests, DER signature
 * encoding, RSA-OAEP, and the refusal of evidence-only keys (P-521,
 * RSA-1024) by the token entry points.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "harness/tap.h"

static const char msg[] = "evidence signed by an attestation key";

/* sign_raw signs msg with a token algorithm (raw r||s for ECDSA). */
static size_t sign_raw(uint8_t *out, size_t cap, struct att_pkey *k,
		       enum att_sig_alg alg)
{
	struct att_buf b;
	att_buf_init(&b, 1024);
	size_t n = 0;
	if (att_pkey_sign(&b, k, alg, msg, strlen(msg)) == 0 && b.len <= cap) {
		memcpy(out, b.data, b.len);
		n = b.len;
	}
	att_buf_release(&b);
	return n;
}

static void test_ec_point(void)
{
	struct att_pkey *k = NULL, *pub = NULL;
	uint8_t xy[64], xy2[64], sig[64];
	ATT_CHECK_EQ_INT(att_pkey_generate(&k, ATT_KEY_EC_P256), 0);
	ATT_CHECK_EQ_INT(att_pkey_ec_public_xy(k, xy, sizeof(xy)), 0);
	ATT_CHECK_EQ_INT(att_pkey_ec_public_xy(k, xy, 63), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_pkey_from_ec_public(&pub, ATT_KEY_EC_P256, xy, 32,
						 xy + 32, 32), 0);
	ATT_CHECK(att_pkey_equal_public(k, pub), "point round trip");
	ATT_CHECK(att_pkey_ec_public_xy(pub, xy2, 64) == 0 &&
			  !memcmp(xy, xy2, 64), "same coordinates");
	ATT_CHECK_EQ_INT(sign_raw(sig, sizeof(sig), k, ATT_SIG_ES256), 64);
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(pub, ATT_MD_SHA256, msg,
					       strlen(msg), sig, 32, sig + 32,
					       32), 0);
	uint8_t d[32];
	att_sha256(d, msg, strlen(msg));
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa_digest(pub, d, 32, sig, 32,
						      sig + 32, 32), 0);
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(pub, ATT_MD_SHA384, msg,
					       strlen(msg), sig, 32, sig + 32,
					       32), ATT_ERR_SIG_INVALID);
	sig[5] ^= 1;
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(pub, ATT_MD_SHA256, msg,
					       strlen(msg), sig, 32, sig + 32,
					       32), ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(pub, ATT_MD_SHA256, msg,
					       strlen(msg), sig, 67, sig, 32),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_pkey_verify_rsa(pub, ATT_MD_SHA256, false, msg,
					     strlen(msg), sig, 64), ATT_ERR_ALG);
	/* wrong curve, coordinate too long, point off the curve */
	struct att_pkey *bad = NULL;
	ATT_CHECK_EQ_INT(att_pkey_from_ec_public(&bad, ATT_KEY_RSA2048, xy, 32,
						 xy + 32, 32),
			 ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(att_pkey_from_ec_public(&bad, ATT_KEY_EC_P256, xy, 33,
						 xy + 32, 32), ATT_ERR_FORMAT);
	xy[63] ^= 1;
	ATT_CHECK_EQ_INT(att_pkey_from_ec_public(&bad, ATT_KEY_EC_P256, xy, 32,
						 xy + 32, 32), ATT_ERR_FORMAT);
	ATT_CHECK(bad == NULL, "no key on failure");
	/* short coordinates are left-padded: x = 1 is not on P-384 either */
	uint8_t one = 1;
	ATT_CHECK_EQ_INT(att_pkey_from_ec_public(&bad, ATT_KEY_EC_P384, &one, 1,
						 &one, 1), ATT_ERR_FORMAT);
	att_pkey_free(pub);
	att_pkey_free(k);
}

static void test_sig_der(void)
{
	uint8_t r[32] = {0}, s[32] = {0}, der[80];
	size_t n = 0;
	r[31] = 1;
	s[0] = 0x80;
	ATT_CHECK_EQ_INT(att_pkey_ecdsa_sig_der(der, sizeof(der), &n, r, 32, s,
						32), 0);
	static const uint8_t head[] = {0x30, 0x26, 0x02, 0x01, 0x01,
				       0x02, 0x21, 0x00, 0x80};
	ATT_CHECK(n == 40 && !memcmp(der, head, sizeof(head)), "DER len %zu",
		  n);
	ATT_CHECK_EQ_INT(att_pkey_ecdsa_sig_der(der, 39, &n, r, 32, s, 32),
			 ATT_ERR_INVALID_ARG);
}

static void test_rsa(void)
{
	struct att_pkey *k = NULL, *pub = NULL, *ec = NULL;
	uint8_t *spki = NULL, sig[512], ct[512];
	size_t spki_len = 0, n, ct_len = 0;
	ATT_CHECK_EQ_INT(att_pkey_generate(&k, ATT_KEY_RSA2048), 0);
	ATT_CHECK_EQ_INT(att_pkey_spki_der(&spki, &spki_len, k), 0);
	ATT_CHECK_EQ_INT(att_pkey_from_public(&pub, spki, spki_len), 0);
	ATT_CHECK(att_pkey_equal_public(k, pub) && att_pkey_is_rsa(pub) &&
			  att_pkey_bits(pub) == 2048, "SPKI DER");
	att_pkey_free(pub);
	pub = NULL;
	ATT_CHECK_EQ_INT(att_pkey_from_public(&pub, spki, spki_len - 1),
			 ATT_ERR_FORMAT);
	uint8_t *longer = malloc(spki_len + 1);
	if (longer) {
		memcpy(longer, spki, spki_len);
		longer[spki_len] = 0;
		ATT_CHECK_EQ_INT(att_pkey_from_public(&pub, longer,
						      spki_len + 1),
				 ATT_ERR_FORMAT);
		free(longer);
	}
	char *pem = NULL;
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&pem, k, false), 0);
	ATT_CHECK_EQ_INT(att_pkey_from_public(&pub, (const uint8_t *)pem,
					      pem ? strlen(pem) : 0), 0);
	free(pem);
	n = sign_raw(sig, sizeof(sig), k, ATT_SIG_RS256);
	ATT_CHECK_EQ_INT(n, 256);
	ATT_CHECK_EQ_INT(att_pkey_verify_rsa(pub, ATT_MD_SHA256, false, msg,
					     strlen(msg), sig, n), 0);
	ATT_CHECK_EQ_INT(att_pkey_verify_rsa(pub, ATT_MD_SHA256, true, msg,
					     strlen(msg), sig, n),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_pkey_verify_rsa(pub, ATT_MD_SHA256, false, msg,
					     strlen(msg), sig, n - 1),
			 ATT_ERR_SIG_INVALID);
	n = sign_raw(sig, sizeof(sig), k, ATT_SIG_PS256);
	ATT_CHECK_EQ_INT(att_pkey_verify_rsa(pub, ATT_MD_SHA256, true, msg,
					     strlen(msg), sig, n), 0);
	ATT_CHECK_EQ_INT(att_pkey_verify_rsa(pub, ATT_MD_SHA1, true, msg,
					     strlen(msg), sig, n),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(pub, ATT_MD_SHA256, msg,
					       strlen(msg), sig, 32, sig, 32),
			 ATT_ERR_ALG);
	static const uint8_t label[] = "IDENTITY";
	ATT_CHECK_EQ_INT(att_pkey_rsa_oaep_encrypt(pub, ATT_MD_SHA256, label,
						   sizeof(label), sig, 32, ct,
						   sizeof(ct), &ct_len), 0);
	ATT_CHECK_EQ_INT(ct_len, 256);
	ATT_CHECK_EQ_INT(att_pkey_rsa_oaep_encrypt(pub, ATT_MD_SHA256, label,
						   sizeof(label), sig, 32, ct,
						   255, &ct_len),
			 ATT_ERR_INVALID_ARG);
	att_pkey_generate(&ec, ATT_KEY_EC_P256);
	ATT_CHECK_EQ_INT(att_pkey_rsa_oaep_encrypt(ec, ATT_MD_SHA256, NULL, 0,
						   sig, 32, ct, sizeof(ct),
						   &ct_len), ATT_ERR_ALG);
	att_pkey_free(ec);
	att_pkey_free(pub);
	att_pkey_free(k);
	free(spki);
}

/* Keys only evidence formats carry: RSA-1024 and P-521 load, but the
 * token entry points refuse them. */
static void test_evidence_only(void)
{
	uint8_t n[128], sig[256] = {0};
	struct att_pkey *k = NULL;
	memset(n, 0xC5, sizeof(n));
	n[127] = 0xC7; /* odd modulus */
	ATT_CHECK_EQ_INT(att_pkey_from_rsa_public(&k, n, sizeof(n), 0), 0);
	ATT_CHECK(att_pkey_is_rsa(k) && att_pkey_bits(k) == 1024, "RSA-1024");
	ATT_CHECK_EQ_INT(att_pkey_verify(k, ATT_SIG_RS256, msg, strlen(msg),
					 sig, 128), ATT_ERR_ALG);
	att_pkey_free(k);
	k = NULL;
	ATT_CHECK_EQ_INT(att_pkey_from_rsa_public(&k, n, sizeof(n), 4),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_pkey_from_rsa_public(&k, n, 127, 3),
			 ATT_ERR_FORMAT);
	n[0] = 0;
	ATT_CHECK_EQ_INT(att_pkey_from_rsa_public(&k, n, sizeof(n), 3),
			 ATT_ERR_FORMAT);
	/* the P-521 generator point */
	static const uint8_t gx[66] = {
		0x00, 0xc6, 0x85, 0x8e, 0x06, 0xb7, 0x04, 0x04, 0xe9, 0xcd, 0x9e,
		0x3e, 0xcb, 0x66, 0x23, 0x95, 0xb4, 0x42, 0x9c, 0x64, 0x81, 0x39,
		0x05, 0x3f, 0xb5, 0x21, 0xf8, 0x28, 0xaf, 0x60, 0x6b, 0x4d, 0x3d,
		0xba, 0xa1, 0x4b, 0x5e, 0x77, 0xef, 0xe7, 0x59, 0x28, 0xfe, 0x1d,
		0xc1, 0x27, 0xa2, 0xff, 0xa8, 0xde, 0x33, 0x48, 0xb3, 0xc1, 0x85,
		0x6a, 0x42, 0x9b, 0xf9, 0x7e, 0x7e, 0x31, 0xc2, 0xe5, 0xbd, 0x66};
	static const uint8_t gy[66] = {
		0x01, 0x18, 0x39, 0x29, 0x6a, 0x78, 0x9a, 0x3b, 0xc0, 0x04, 0x5c,
		0x8a, 0x5f, 0xb4, 0x2c, 0x7d, 0x1b, 0xd9, 0x98, 0xf5, 0x44, 0x49,
		0x57, 0x9b, 0x44, 0x68, 0x17, 0xaf, 0xbd, 0x17, 0x27, 0x3e, 0x66,
		0x2c, 0x97, 0xee, 0x72, 0x99, 0x5e, 0xf4, 0x26, 0x40, 0xc5, 0x50,
		0xb9, 0x01, 0x3f, 0xad, 0x07, 0x61, 0x35, 0x3c, 0x70, 0x86, 0xa2,
		0x72, 0xc2, 0x40, 0x88, 0xbe, 0x94, 0x76, 0x9f, 0xd1, 0x66, 0x50};
	ATT_CHECK_EQ_INT(att_pkey_from_ec_public(&k, ATT_KEY_EC_P521, gx + 1,
						 65, gy, 66), 0);
	ATT_CHECK(att_pkey_kind(k) == ATT_KEY_EC_P521 &&
			  !strcmp(att_pkey_kind_name(att_pkey_kind(k)),
				  "EC-P521"), "P-521 kind");
	ATT_CHECK_EQ_INT(att_pkey_verify(k, ATT_SIG_ES384, msg, strlen(msg),
					 sig, 96), ATT_ERR_ALG);
	att_pkey_free(k);
}

int main(void)
{
	test_ec_point();
	test_sig_der();
	test_rsa();
	test_evidence_only();
	return att_test_done();
}
