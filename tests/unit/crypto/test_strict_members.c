/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWK members (n/e/x/y) and x5c entries read by the crypto module are
 * decoded strictly: a re-spelling in the unused low bits of the last
 * character, missing or stray padding, is refused, so one key or one
 * certificate has one text (the TPM attestation key JWK and policy
 * management certificate payloads go through these readers).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "harness/tap.h"

static const char alphabet_url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char alphabet_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* respell sets the lowest bit of character i (unused bits, by the
 * caller's choice of i), keeping the decoded bytes of a tolerant decoder. */
static void respell(char *s, size_t i, const char *alphabet)
{
	const char *p = strchr(alphabet, s[i]);
	s[i] = alphabet[(size_t)(p - alphabet) | 1];
}

static void test_jwk(void)
{
	struct att_pkey *k = NULL, *back = NULL;
	json_t *jwk = NULL;
	ATT_CHECK_EQ_INT(att_pkey_generate(&k, ATT_KEY_EC_P256), 0);
	ATT_CHECK_EQ_INT(att_pkey_to_jwk(&jwk, k), 0);
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&back, jwk), 0);
	att_pkey_free(back);
	back = NULL;
	/* x is 32 bytes: 43 characters, the last one with 2 unused bits */
	char *x = strdup(json_string_value(json_object_get(jwk, "x")));
	ATT_CHECK(x && strlen(x) == 43, "x has 43 characters");
	char *orig = strdup(x);
	respell(x, 42, alphabet_url);
	/* canonical: the 2 unused bits are zero, so setting one changes it */
	ATT_CHECK(strcmp(x, orig) != 0, "x re-spelled");
	json_object_set_new(jwk, "x", json_string(x));
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&back, jwk), ATT_ERR_FORMAT);
	att_pkey_free(back);
	back = NULL;
	/* padding is not base64url */
	char padded[64];
	snprintf(padded, sizeof(padded), "%s=", orig);
	json_object_set_new(jwk, "x", json_string(padded));
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&back, jwk), ATT_ERR_FORMAT);
	att_pkey_free(back);
	back = NULL;
	json_object_set_new(jwk, "x", json_string(orig));
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&back, jwk), 0);
	att_pkey_free(back);
	free(x);
	free(orig);
	json_decref(jwk);
	att_pkey_free(k);
}

static void test_x5c(void)
{
	struct att_pkey *k = NULL;
	struct att_cert *c = NULL, *back = NULL;
	char *b64 = NULL;
	ATT_CHECK_EQ_INT(att_pkey_generate(&k, ATT_KEY_EC_P256), 0);
	ATT_CHECK_EQ_INT(att_cert_self_signed(&c, k, "strict", 1700000000,
					      1800000000),
			 0);
	ATT_CHECK_EQ_INT(att_cert_x5c_b64(&b64, c), 0);
	ATT_CHECK_EQ_INT(att_cert_from_x5c_b64(&back, b64), 0);
	att_cert_free(back);
	back = NULL;
	size_t n = strlen(b64), pad = 0;
	while (pad < n && b64[n - 1 - pad] == '=')
		pad++;
	char *bad = malloc(n + 2);
	if (pad) {
		/* the last data character carries unused bits */
		memcpy(bad, b64, n + 1);
		respell(bad, n - 1 - pad, alphabet_std);
		ATT_CHECK(strcmp(bad, b64) != 0, "x5c re-spelled");
		ATT_CHECK_EQ_INT(att_cert_from_x5c_b64(&back, bad),
				 ATT_ERR_FORMAT);
		att_cert_free(back);
		back = NULL;
		/* missing padding */
		memcpy(bad, b64, n - pad);
		bad[n - pad] = 0;
		ATT_CHECK_EQ_INT(att_cert_from_x5c_b64(&back, bad),
				 ATT_ERR_FORMAT);
	} else {
		/* stray padding */
		memcpy(bad, b64, n);
		memcpy(bad + n, "=", 2);
		ATT_CHECK_EQ_INT(att_cert_from_x5c_b64(&back, bad),
				 ATT_ERR_FORMAT);
	}
	att_cert_free(back);
	/* base64url characters are not standard base64 */
	memcpy(bad, b64, n + 1);
	for (size_t i = 0; i < n; i++)
		if (bad[i] == '+' || bad[i] == '/')
			bad[i] = bad[i] == '+' ? '-' : '_';
	if (strcmp(bad, b64) != 0) {
		back = NULL;
		ATT_CHECK_EQ_INT(att_cert_from_x5c_b64(&back, bad),
				 ATT_ERR_FORMAT);
		att_cert_free(back);
	}
	free(bad);
	free(b64);
	att_cert_free(c);
	att_pkey_free(k);
}

int main(void)
{
	test_jwk();
	test_x5c();
	return att_test_done();
}
