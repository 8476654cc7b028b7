/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental HMAC over OpenSSL 3's EVP_MAC (crypto/hmac.h). */
#include "crypto/hmac.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "attest/err.h"
#include "crypto/pk_internal.h"

struct att_hmac_ctx {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	size_t size;
};

struct att_hmac_ctx *att_hmac_ctx_new(enum att_md md)
{
	const EVP_MD *m = att_md_evp(md);
	struct att_hmac_ctx *c = NULL;
	OSSL_PARAM params[2];
	if (!m || !att_md_available(md))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->size = att_md_len(md);
	c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c->ctx = c->mac ? EVP_MAC_CTX_new(c->mac) : NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
		"digest", (char *)EVP_MD_get0_name(m), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!c->ctx || EVP_MAC_CTX_set_params(c->ctx, params) != 1) {
		ERR_clear_error();
		att_hmac_ctx_free(c);
		return NULL;
	}
	return c;
}

int att_hmac_init(struct att_hmac_ctx *c, const void *key, size_t key_len)
{
	static const uint8_t empty[1];
	if (!c || (key_len && !key))
		return ATT_ERR_INVALID_ARG;
	if (EVP_MAC_init(c->ctx, key_len ? key : empty, key_len, NULL) != 1) {
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	return 0;
}

int att_hmac_update(struct att_hmac_ctx *c, const void *in, size_t in_len)
{
	if (!c || (in_len && !in))
		return ATT_ERR_INVALID_ARG;
	if (in_len && EVP_MAC_update(c->ctx, in, in_len) != 1) {
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	return 0;
}

int att_hmac_final(struct att_hmac_ctx *c, uint8_t *out, size_t out_len)
{
	uint8_t tmp[EVP_MAX_MD_SIZE];
	size_t n = 0;
	int r = ATT_ERR_CRYPTO;
	if (!c || !out || out_len != c->size)
		return ATT_ERR_INVALID_ARG;
	if (EVP_MAC_final(c->ctx, tmp, &n, sizeof(tmp)) == 1 && n == out_len) {
		memcpy(out, tmp, out_len);
		r = 0;
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	ERR_clear_error();
	return r;
}

void att_hmac_ctx_free(struct att_hmac_ctx *c)
{
	if (!c)
		return;
	EVP_MAC_CTX_free(c->ctx);
	EVP_MAC_free(c->mac);
	free(c);
}
