/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys and certificates: generation, PEM/SPKI/JWK round trips, refusal of
 * unsupported keys, JOSE signatures (raw r||s for ECDSA) with tampering,
 * self-signed and TLS certificates, DER/PEM/x5c conversions and the SHA-1
 * thumbprint format.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "harness/tap.h"

static const char msg[] = "attestd signs this";

static void test_pem_roundtrip(struct att_pkey *k)
{
	char *priv = NULL, *pub = NULL;
	struct att_pkey *k2 = NULL, *k3 = NULL;
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&priv, k, true), 0);
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&pub, k, false), 0);
	ATT_CHECK(priv && strstr(priv, "-----BEGIN PRIVATE KEY-----"), "pkcs8");
	ATT_CHECK(pub && strstr(pub, "-----BEGIN PUBLIC KEY-----"), "spki");
	ATT_CHECK_EQ_INT(att_pkey_from_pem(&k2, priv, strlen(priv)), 0);
	ATT_CHECK_EQ_INT(att_pkey_from_pem(&k3, pub, strlen(pub)), 0);
	ATT_CHECK(k2 && att_pkey_has_private(k2), "private part kept");
	ATT_CHECK(k3 && !att_pkey_has_private(k3), "public only");
	ATT_CHECK(att_pkey_equal_public(k, k2), "same key");
	ATT_CHECK(att_pkey_equal_public(k, k3), "same public key");
	char *pub2 = NULL;
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&pub2, k3, true), ATT_ERR_INVALID_ARG);
	free(pub2);
	free(priv);
	free(pub);
	att_pkey_free(k2);
	att_pkey_free(k3);
}

static void test_jwk_roundtrip(struct att_pkey *k, const char *kty)
{
	json_t *jwk = NULL;
	struct att_pkey *k2 = NULL;
	ATT_CHECK_EQ_INT(att_pkey_to_jwk(&jwk, k), 0);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(jwk, "kty")), kty);
	ATT_CHECK(!json_object_get(jwk, "d"), "no private member");
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&k2, jwk), 0);
	ATT_CHECK(att_pkey_equal_public(k, k2), "JWK round trip");
	ATT_CHECK(k2 && !att_pkey_has_private(k2), "JWK key is public");
	if (!strcmp(kty, "EC")) {
		const char *x = json_string_value(json_object_get(jwk, "x"));
		ATT_CHECK(x && strlen(x) == 43, "P-256 x is 32 bytes");
		/* Move the point off the curve: must be refused. */
		char bad[64];
		snprintf(bad, sizeof(bad), "%s", x);
		bad[5] = bad[5] == 'A' ? 'B' : 'A';
		json_object_set_new(jwk, "x", json_string(bad));
		struct att_pkey *k3 = NULL;
		ATT_CHECK(att_pkey_from_jwk(&k3, jwk) != 0, "off-curve refused");
		ATT_CHECK(k3 == NULL, "no key");
	}
	json_decref(jwk);
	att_pkey_free(k2);
}

static void test_sign(struct att_pkey *k, enum att_sig_alg alg,
		      size_t want_len)
{
	struct att_buf sig;
	att_buf_init(&sig, 1024);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, k, alg, msg, strlen(msg)), 0);
	ATT_CHECK_EQ_INT(sig.len, want_len);
	ATT_CHECK_EQ_INT(att_pkey_verify(k, alg, msg, strlen(msg), sig.data,
					 sig.len), 0);
	ATT_CHECK_EQ_INT(att_pkey_verify(k, alg, msg, strlen(msg) - 1,
					 sig.data, sig.len),
			 ATT_ERR_SIG_INVALID);
	sig.data[sig.len / 2] ^= 1;
	ATT_CHECK_EQ_INT(att_pkey_verify(k, alg, msg, strlen(msg), sig.data,
					 sig.len),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_pkey_verify(k, alg, msg, strlen(msg), sig.data,
					 sig.len - 1),
			 ATT_ERR_SIG_INVALID);
	att_buf_release(&sig);
}

static void test_keys(void)
{
	struct att_pkey *rsa = NULL, *ec = NULL, *ec384 = NULL, *other = NULL;
	ATT_CHECK_EQ_INT(att_pkey_generate(&rsa, ATT_KEY_RSA2048), 0);
	ATT_CHECK_EQ_INT(att_pkey_generate(&ec, ATT_KEY_EC_P256), 0);
	ATT_CHECK_EQ_INT(att_pkey_generate(&ec384, ATT_KEY_EC_P384), 0);
	ATT_CHECK_EQ_INT(att_pkey_generate(&other, ATT_KEY_EC_P256), 0);
	if (!rsa || !ec || !ec384 || !other)
		return;
	ATT_CHECK_EQ_INT(att_pkey_kind(rsa), ATT_KEY_RSA2048);
	ATT_CHECK_EQ_INT(att_pkey_kind(ec), ATT_KEY_EC_P256);
	ATT_CHECK_EQ_INT(att_pkey_kind(ec384), ATT_KEY_EC_P384);
	ATT_CHECK_EQ_INT(att_pkey_bits(rsa), 2048);
	ATT_CHECK(att_pkey_has_private(rsa) && att_pkey_has_private(ec), "priv");
	ATT_CHECK(!att_pkey_equal_public(ec, other), "different keys differ");
	test_pem_roundtrip(rsa);
	test_pem_roundtrip(ec);
	test_jwk_roundtrip(rsa, "RSA");
	test_jwk_roundtrip(ec, "EC");
	test_sign(rsa, ATT_SIG_RS256, 256);
	test_sign(rsa, ATT_SIG_RS384, 256);
	test_sign(rsa, ATT_SIG_PS256, 256);
	test_sign(ec, ATT_SIG_ES256, 64);
	test_sign(ec384, ATT_SIG_ES384, 96);

	/* Key type must fit the algorithm. */
	struct att_buf sig;
	att_buf_init(&sig, 1024);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, ec, ATT_SIG_RS256, msg, 3), ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, rsa, ATT_SIG_ES256, msg, 3), ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, ec384, ATT_SIG_ES256, msg, 3), ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, ec, ATT_SIG_ES256, msg, 3), 0);
	ATT_CHECK_EQ_INT(att_pkey_verify(other, ATT_SIG_ES256, msg, 3, sig.data,
					 sig.len),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_pkey_verify(ec384, ATT_SIG_ES256, msg, 3, sig.data,
					 sig.len),
			 ATT_ERR_ALG);
	att_buf_release(&sig);

	/* SPKI DER round trip and the curl pin form. */
	uint8_t *der = NULL;
	size_t der_len = 0;
	struct att_pkey *k2 = NULL;
	char *pin = NULL;
	ATT_CHECK_EQ_INT(att_pkey_spki_der(&der, &der_len, ec), 0);
	ATT_CHECK_EQ_INT(att_pkey_from_spki_der(&k2, der, der_len), 0);
	ATT_CHECK(att_pkey_equal_public(ec, k2), "SPKI round trip");
	ATT_CHECK_EQ_INT(att_pkey_spki_pin(&pin, ec), 0);
	ATT_CHECK(pin && !strncmp(pin, "sha256//", 8) && strlen(pin) == 8 + 44,
		  "pin %s", pin ? pin : "");
	free(pin);
	free(der);
	att_pkey_free(k2);

	/* dup shares the key. */
	struct att_pkey *d = att_pkey_dup(rsa);
	ATT_CHECK(d && att_pkey_equal_public(d, rsa), "dup");
	att_pkey_free(d);

	att_pkey_free(rsa);
	att_pkey_free(ec);
	att_pkey_free(ec384);
	att_pkey_free(other);
}

/* A 1024-bit RSA key and a secp256k1 key must be refused on load. */
static void test_refused(void)
{
	static const char rsa1024_jwk[] =
		"{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"" /* 128 bytes */
		"wVIpFvd4bNs6jD2GGZNBBnWuDm4nEcRzGS1c4nVfQ3PJ8W3ONz8Q7X9Evm5Iv"
		"Ob3rHs2vI0mHyt1nnB3wW-2KzBC7HbD7pRBrYtA5JlwF7R7a9m9B0cxhR2C6L"
		"YOsY5j-mVf_XqS6JkWcCCJFWo-b1W9h2RBMLb2e9eK8hfl1nk\"}";
	json_t *j = json_loads(rsa1024_jwk, 0, NULL);
	struct att_pkey *k = NULL;
	ATT_CHECK(j != NULL, "jwk json");
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&k, j), ATT_ERR_UNSUPPORTED);
	json_decref(j);
	j = json_loads("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AA\","
		       "\"y\":\"AA\"}", 0, NULL);
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&k, j), ATT_ERR_UNSUPPORTED);
	json_decref(j);
	j = json_loads("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", 0, NULL);
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&k, j), ATT_ERR_UNSUPPORTED);
	json_decref(j);
	ATT_CHECK_EQ_INT(att_pkey_from_pem(&k, "garbage", 7), ATT_ERR_FORMAT);
	ATT_CHECK(k == NULL, "nothing loaded");
}

static bool upper_hex40(const char *s)
{
	if (strlen(s) != 40)
		return false;
	for (size_t i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]) || islower((unsigned char)s[i]))
			return false;
	return true;
}

static void test_cert(enum att_key_kind kind)
{
	struct att_pkey *k = NULL, *pub = NULL;
	struct att_cert *c = NULL, *c2 = NULL, *c3 = NULL, *tls = NULL;
	char *pem = NULL, *b64 = NULL, *subj = NULL, tp[41], tp2[41];
	uint8_t *der = NULL;
	size_t der_len = 0;
	int64_t nb = 0, na = 0;
	ATT_CHECK_EQ_INT(att_pkey_generate(&k, kind), 0);
	ATT_CHECK_EQ_INT(att_cert_self_signed(&c, k, "https://attestd.test",
					      1700000000, 2000000000), 0);
	if (!c)
		goto out;
	ATT_CHECK_EQ_INT(att_cert_get1_pubkey(&pub, c), 0);
	ATT_CHECK(att_pkey_equal_public(k, pub), "cert carries the key");
	ATT_CHECK_EQ_INT(att_cert_not_before(&nb, c), 0);
	ATT_CHECK_EQ_INT(att_cert_not_after(&na, c), 0);
	ATT_CHECK_EQ_INT(nb, 1700000000);
	ATT_CHECK_EQ_INT(na, 2000000000);
	ATT_CHECK_EQ_INT(att_cert_subject(&subj, c), 0);
	ATT_CHECK_EQ_STR(subj, "CN=https://attestd.test");
	ATT_CHECK_EQ_INT(att_cert_thumbprint_sha1(tp, c), 0);
	ATT_CHECK(upper_hex40(tp), "thumbprint %s", tp);
	/* The thumbprint is SHA-1 of the DER. */
	uint8_t sha1[20];
	char hex[41];
	ATT_CHECK_EQ_INT(att_cert_to_der(&der, &der_len, c), 0);
	att_digest(ATT_MD_SHA1, sha1, der, der_len);
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02X", sha1[i]);
	ATT_CHECK_EQ_STR(tp, hex);
	ATT_CHECK_EQ_INT(att_cert_from_der(&c2, der, der_len), 0);
	ATT_CHECK(att_cert_equal(c, c2), "DER round trip");
	ATT_CHECK_EQ_INT(att_cert_from_der(&c3, der, der_len - 1), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_cert_to_pem(&pem, c), 0);
	att_cert_free(c2);
	c2 = NULL;
	ATT_CHECK_EQ_INT(att_cert_from_pem(&c2, pem, strlen(pem)), 0);
	ATT_CHECK(att_cert_equal(c, c2), "PEM round trip");
	ATT_CHECK_EQ_INT(att_cert_x5c_b64(&b64, c), 0);
	ATT_CHECK(b64 && !strchr(b64, '-') && !strchr(b64, '_'), "std b64");
	ATT_CHECK_EQ_INT(att_cert_from_x5c_b64(&c3, b64), 0);
	ATT_CHECK(att_cert_equal(c, c3), "x5c round trip");
	att_cert_thumbprint_sha1(tp2, c3);
	ATT_CHECK_EQ_STR(tp, tp2);

	/* TLS variant and a two-certificate PEM chain. */
	ATT_CHECK_EQ_INT(att_cert_self_signed_tls(&tls, k, "localhost",
						  1700000000, 2000000000), 0);
	char *pem2 = NULL, *both = NULL;
	att_cert_to_pem(&pem2, tls);
	if (pem2 && pem) {
		size_t n = strlen(pem) + strlen(pem2) + 1;
		both = malloc(n);
		snprintf(both, n, "%s%s", pem, pem2);
		struct att_cert **chain = NULL;
		size_t nc = 0;
		ATT_CHECK_EQ_INT(att_cert_chain_from_pem(&chain, &nc, both,
							 strlen(both)), 0);
		ATT_CHECK_EQ_INT(nc, 2);
		ATT_CHECK(nc == 2 && att_cert_equal(chain[0], c) &&
				  att_cert_equal(chain[1], tls),
			  "chain order");
		att_cert_chain_free(chain, nc);
	}
	free(pem2);
	free(both);
out:
	free(pem);
	free(b64);
	free(subj);
	free(der);
	att_cert_free(c);
	att_cert_free(c2);
	att_cert_free(c3);
	att_cert_free(tls);
	att_pkey_free(pub);
	att_pkey_free(k);
}

int main(void)
{
	test_keys();
	test_refused();
	test_cert(ATT_KEY_RSA2048);
	test_cert(ATT_KEY_EC_P256);
	struct att_pkey *pub = NULL;
	struct att_cert *c = NULL;
	att_pkey_generate(&pub, ATT_KEY_EC_P256);
	char *pem = NULL;
	att_pkey_to_pem(&pem, pub, false);
	att_pkey_free(pub);
	pub = NULL;
	att_pkey_from_pem(&pub, pem, strlen(pem));
	ATT_CHECK_EQ_INT(att_cert_self_signed(&c, pub, "x", 0, 1),
			 ATT_ERR_INVALID_ARG);
	free(pem);
	att_pkey_free(pub);
	return att_test_done();
}
