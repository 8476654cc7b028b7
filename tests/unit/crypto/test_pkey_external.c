/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: keys with an external signer (crypto/pkey.h,
 * att_pkey_with_signer; the PKCS #11 token keys of src/hsm use it). A
 * fake signer delegating to an in-process key stands for the token:
 * att_pkey_sign goes through it (counted), the signature verifies; the
 * key's private part is never exported; dups share the signer and the
 * context is freed once, with the last reference; certificates built
 * with such a key (att_cert_build's external path: RSA and P-256, SHA-256)
 * are signed by the signer and verify; what the path does not support
 * (P-384 certificates, RSASSA-PSS certificates, raw digest signing) is
 * refused rather than signed otherwise; a failing signer fails the
 * signature and the certificate. */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "harness/tap.h"

struct fake {
	struct att_pkey *inner;
	int calls;
	int fail;
	int *freed;
};

static int fake_sign(void *ctx, enum att_sig_alg alg, const void *data,
		     size_t len, struct att_buf *out)
{
	struct fake *f = ctx;
	f->calls++;
	if (f->fail)
		return ATT_ERR_CRYPTO;
	return att_pkey_sign(out, f->inner, alg, data, len);
}

static void fake_free(void *ctx)
{
	struct fake *f = ctx;
	(*f->freed)++;
	att_pkey_free(f->inner);
	free(f);
}

static struct att_pkey *make(enum att_key_kind kind, int *freed,
			     struct fake **fo)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct att_pkey *k = NULL;
	f->freed = freed;
	if (att_pkey_generate(&f->inner, kind) != 0)
		return NULL;
	*fo = f;
	ATT_CHECK_EQ_INT(att_pkey_with_signer(&k, f->inner, fake_sign, f,
					      fake_free), 0);
	return k;
}

static void one_kind(enum att_key_kind kind, enum att_sig_alg alg,
		     bool cert_ok)
{
	int freed = 0;
	struct fake *f = NULL;
	struct att_pkey *k = make(kind, &freed, &f);
	ATT_CHECK(k != NULL, "external key of %s", att_pkey_kind_name(kind));
	if (!k)
		return;
	ATT_CHECK(att_pkey_is_external(k) && att_pkey_has_private(k),
		  "external, signs");
	ATT_CHECK(att_pkey_equal_public(k, f->inner), "same public key");
	struct att_buf sig;
	att_buf_init(&sig, 1024);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, k, alg, "abc", 3), 0);
	ATT_CHECK_EQ_INT(f->calls, 1);
	ATT_CHECK_EQ_INT(att_pkey_verify(k, alg, "abc", 3, sig.data, sig.len), 0);
	ATT_CHECK_EQ_INT(att_pkey_verify(k, alg, "abd", 3, sig.data, sig.len),
			 ATT_ERR_SIG_INVALID);
	att_buf_release(&sig);
	/* the wrong algorithm is refused before the signer is asked */
	att_buf_init(&sig, 1024);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, k, att_pkey_is_rsa(k) ? ATT_SIG_ES256
								 : ATT_SIG_RS256,
				       "abc", 3), ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(f->calls, 1);
	att_buf_release(&sig);
	char *pem = NULL;
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&pem, k, true), ATT_ERR_INVALID_ARG);
	ATT_CHECK(pem == NULL, "no private PEM");
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&pem, k, false), 0);
	ATT_CHECK(pem && strstr(pem, "PUBLIC KEY"), "public PEM");
	free(pem);
	if (att_pkey_is_ec(k)) {
		uint8_t dg[32] = {1}, r[66], s[66];
		ATT_CHECK_EQ_INT(att_pkey_sign_ecdsa_digest(k, dg, 32, r, s, 32),
				 ATT_ERR_UNSUPPORTED);
	}
	/* a certificate signed through the signer */
	struct att_cert *c = NULL;
	int before = f->calls;
	int r = att_cert_self_signed(&c, k, "external", 1700000000, 1800000000);
	if (cert_ok) {
		ATT_CHECK_EQ_INT(r, 0);
		ATT_CHECK(f->calls == before + 1, "certificate signed by the signer");
		ATT_CHECK(c && att_x509_check_signed_by(c, c) == 0,
			  "certificate verifies");
		ATT_CHECK(c && att_cert_matches_key(c, k), "certificate key");
	} else {
		ATT_CHECK_EQ_INT(r, ATT_ERR_UNSUPPORTED);
		ATT_CHECK(f->calls == before, "signer not asked");
	}
	att_cert_free(c);
	/* a failing signer */
	f->fail = 1;
	att_buf_init(&sig, 1024);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, k, alg, "abc", 3), ATT_ERR_CRYPTO);
	att_buf_release(&sig);
	if (cert_ok) {
		c = NULL;
		ATT_CHECK(att_cert_self_signed(&c, k, "x", 1700000000,
					       1800000000) != 0 && c == NULL,
			  "failing signer: no certificate");
	}
	f->fail = 0;
	/* dups share the signer; the context goes with the last one */
	struct att_pkey *d = att_pkey_dup(k);
	att_pkey_free(k);
	ATT_CHECK_EQ_INT(freed, 0);
	att_buf_init(&sig, 1024);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, d, alg, "abc", 3), 0);
	att_buf_release(&sig);
	att_pkey_free(d);
	ATT_CHECK_EQ_INT(freed, 1);
}

static void test_args(void)
{
	struct att_pkey *k = NULL, *pub = NULL;
	int freed = 0;
	struct fake *f = calloc(1, sizeof(*f));
	f->freed = &freed;
	ATT_CHECK_EQ_INT(att_pkey_generate(&pub, ATT_KEY_EC_P256), 0);
	ATT_CHECK_EQ_INT(att_pkey_with_signer(&k, NULL, fake_sign, f, fake_free),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK(k == NULL && freed == 1, "ctx freed on failure");
	ATT_CHECK_EQ_INT(att_pkey_with_signer(&k, pub, NULL, NULL, NULL),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK(!att_pkey_is_external(pub), "an ordinary key is not external");
	struct att_buf sig;
	att_buf_init(&sig, 64);
	ATT_CHECK_EQ_INT(att_pkey_sign_external(&sig, pub, ATT_SIG_ES256, "a", 1),
			 ATT_ERR_INVALID_ARG);
	att_pkey_free(pub);
}

int main(void)
{
	one_kind(ATT_KEY_RSA2048, ATT_SIG_RS256, true);
	one_kind(ATT_KEY_EC_P256, ATT_SIG_ES256, true);
	one_kind(ATT_KEY_EC_P384, ATT_SIG_ES384, false);
	test_args();
	return att_test_done();
}
