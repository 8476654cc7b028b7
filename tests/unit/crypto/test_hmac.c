/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto/hmac.h and att_hmac of crypto/digest.h against the test vectors
 * of RFC 4231 (HMAC-SHA-256/384/512, cases 1, 2 and 6: a key longer than
 * the block) and RFC 2202 (HMAC-SHA-1, case 1); the incremental context
 * in pieces equals the one-shot function; the empty key; rekeying a
 * context; length and argument checks.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "crypto/hmac.h"
#include "harness/tap.h"

struct vec {
	enum att_md md;
	const char *key_hex; /* NULL: key_byte repeated key_n times */
	uint8_t key_byte;
	size_t key_n;
	const char *data;
	const char *mac_hex;
};

static const struct vec vecs[] = {
	/* RFC 4231 §4.2, test case 1 */
	{ATT_MD_SHA256, NULL, 0x0b, 20, "Hi There",
	 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
	{ATT_MD_SHA384, NULL, 0x0b, 20, "Hi There",
	 "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	 "faea9ea9076ede7f4af152e8b2fa9cb6"},
	{ATT_MD_SHA512, NULL, 0x0b, 20, "Hi There",
	 "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	 "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
	/* RFC 4231 §4.3, test case 2 */
	{ATT_MD_SHA256, "4a656665", 0, 0, "what do ya want for nothing?",
	 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	/* RFC 4231 §4.7, test case 6 */
	{ATT_MD_SHA256, NULL, 0xaa, 131,
	 "Test Using Larger Than Block-Size Key - Hash Key First",
	 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
	/* RFC 2202 §3, test case 1 */
	{ATT_MD_SHA1, NULL, 0x0b, 20, "Hi There",
	 "b617318655057264e28bc0b6fb378c8ef146be00"},
};

static size_t key_of(const struct vec *v, uint8_t *key, size_t cap)
{
	if (v->key_hex) {
		size_t n = strlen(v->key_hex) / 2;
		if (n > cap || att_hex_decode_fixed(key, n, v->key_hex,
						    strlen(v->key_hex)) != 0)
			return 0;
		return n;
	}
	memset(key, v->key_byte, v->key_n);
	return v->key_n;
}

static void hex_eq(const uint8_t *p, size_t n, const char *want,
		   const char *what)
{
	char h[2 * ATT_MD_MAX_LEN + 1];
	att_hex_encode(h, sizeof(h), p, n, false);
	ATT_CHECK(!strcmp(h, want), "%s: %s != %s", what, h, want);
}

static void test_vectors(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		uint8_t key[200], one[ATT_MD_MAX_LEN], inc[ATT_MD_MAX_LEN];
		size_t kl = key_of(v, key, sizeof(key)), n = att_md_len(v->md);
		size_t dl = strlen(v->data);
		ATT_CHECK(kl > 0, "vector %zu key", i);
		ATT_CHECK_EQ_INT(att_hmac(v->md, one, key, kl, v->data, dl), 0);
		hex_eq(one, n, v->mac_hex, "one-shot");
		/* the same message fed byte by byte, then in two halves */
		struct att_hmac_ctx *c = att_hmac_ctx_new(v->md);
		ATT_CHECK(c != NULL, "context for %s", att_md_name(v->md));
		if (!c)
			continue;
		int r = att_hmac_init(c, key, kl);
		for (size_t j = 0; j < dl && !r; j++)
			r = att_hmac_update(c, v->data + j, 1);
		ATT_CHECK_EQ_INT(r, 0);
		ATT_CHECK_EQ_INT(att_hmac_final(c, inc, n), 0);
		hex_eq(inc, n, v->mac_hex, "byte by byte");
		memset(inc, 0, sizeof(inc));
		ATT_CHECK(att_hmac_init(c, key, kl) == 0 &&
				  att_hmac_update(c, v->data, dl / 2) == 0 &&
				  att_hmac_update(c, v->data + dl / 2,
						  dl - dl / 2) == 0 &&
				  att_hmac_update(c, NULL, 0) == 0 &&
				  att_hmac_final(c, inc, n) == 0,
			  "rekeyed context");
		hex_eq(inc, n, v->mac_hex, "two halves after rekeying");
		att_hmac_ctx_free(c);
	}
}

static void test_edges(void)
{
	uint8_t mac[32];
	/* HMAC-SHA256("", "msg"), computed with Python's hmac module */
	struct att_hmac_ctx *c = att_hmac_ctx_new(ATT_MD_SHA256);
	ATT_CHECK(c && att_hmac_init(c, NULL, 0) == 0 &&
			  att_hmac_update(c, "msg", 3) == 0 &&
			  att_hmac_final(c, mac, 32) == 0,
		  "empty key");
	hex_eq(mac, 32,
	       "5f576a8d68fe4fb7eb823227246353c0870c3b0e878997341db1226b4bd88d61",
	       "empty key");
	ATT_CHECK_EQ_INT(att_hmac_init(c, "k", 1), 0);
	ATT_CHECK_EQ_INT(att_hmac_final(c, mac, 31), ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_hmac_final(c, mac, 48), ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_hmac_init(c, NULL, 4), ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_hmac_update(c, NULL, 4), ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_hmac_init(NULL, "k", 1), ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_hmac_update(NULL, "k", 1), ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_hmac_final(NULL, mac, 32), ATT_ERR_INVALID_ARG);
	att_hmac_ctx_free(c);
	att_hmac_ctx_free(NULL);
	ATT_CHECK(att_hmac_ctx_new((enum att_md)99) == NULL,
		  "unknown digest");
	/* every digest of enum att_md this build has gives a context */
	for (int m = ATT_MD_SHA1; m <= ATT_MD_SM3_256; m++) {
		if (!att_md_available((enum att_md)m))
			continue;
		uint8_t out[ATT_MD_MAX_LEN];
		c = att_hmac_ctx_new((enum att_md)m);
		ATT_CHECK(c && att_hmac_init(c, "k", 1) == 0 &&
				  att_hmac_final(c, out,
						 att_md_len((enum att_md)m)) == 0,
			  "HMAC-%s", att_md_name((enum att_md)m));
		att_hmac_ctx_free(c);
	}
}

int main(void)
{
	test_vectors();
	test_edges();
	return att_test_done();
}
