/* SPDX-License-Identifier: Apache-2.0 */
/* Digests, HMAC, constant-time compare and randomness over OpenSSL 3. */
#include "crypto/digest.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>

#include "attest/err.h"
#include "crypto/pk_internal.h"

const EVP_MD *att_md_evp(enum att_md md)
{
	switch (md) {
	case ATT_MD_SHA1: return EVP_sha1();
	case ATT_MD_SHA256: return EVP_sha256();
	case ATT_MD_SHA384: return EVP_sha384();
	case ATT_MD_SHA512: return EVP_sha512();
	case ATT_MD_SHA3_256: return EVP_sha3_256();
	case ATT_MD_SHA3_384: return EVP_sha3_384();
	case ATT_MD_SHA3_512: return EVP_sha3_512();
	case ATT_MD_SM3_256:
#ifndef OPENSSL_NO_SM3
		return EVP_sm3();
#else
		return NULL;
#endif
	}
	return NULL;
}

static const EVP_MD *evp(enum att_md md)
{
	return att_md_evp(md);
}

#define N_MD 8

size_t att_md_len(enum att_md md)
{
	static const size_t lens[N_MD] = {20, 32, 48, 64, 32, 48, 64, 32};
	return (unsigned)md < N_MD ? lens[md] : 0;
}

const char *att_md_name(enum att_md md)
{
	static const char *names[N_MD] = {"sha1",     "sha256",   "sha384",
					  "sha512",   "sha3_256", "sha3_384",
					  "sha3_512", "sm3_256"};
	return (unsigned)md < N_MD ? names[md] : "unknown";
}

bool att_md_available(enum att_md md)
{
	const EVP_MD *m = evp(md);
	uint8_t out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!m)
		return false;
	if (EVP_Digest("", 0, out, &n, m, NULL) != 1) {
		ERR_clear_error();
		return false;
	}
	return true;
}

int att_digest(enum att_md md, uint8_t *out, const void *in, size_t in_len)
{
	const EVP_MD *m = evp(md);
	if (!m)
		return ATT_ERR_UNSUPPORTED;
	return EVP_Digest(in, in_len, out, NULL, m, NULL) == 1 ? 0
							       : ATT_ERR_CRYPTO;
}

void att_sha256(uint8_t out[static 32], const void *in, size_t in_len)
{
	EVP_Digest(in, in_len, out, NULL, EVP_sha256(), NULL);
}

struct att_md_ctx {
	EVP_MD *md; /* explicitly fetched: no lookup per digest */
	EVP_MD_CTX *ctx;
};

struct att_md_ctx *att_md_ctx_new(enum att_md md)
{
	const EVP_MD *m = evp(md);
	struct att_md_ctx *c = m ? calloc(1, sizeof(*c)) : NULL;
	if (!c)
		return NULL;
	c->md = EVP_MD_fetch(NULL, EVP_MD_get0_name(m), NULL);
	c->ctx = EVP_MD_CTX_new();
	if (!c->md || !c->ctx || att_md_ctx_reset(c) != 0) {
		ERR_clear_error();
		att_md_ctx_free(c);
		return NULL;
	}
	return c;
}

int att_md_ctx_reset(struct att_md_ctx *c)
{
	if (!c)
		return ATT_ERR_INVALID_ARG;
	return EVP_DigestInit_ex2(c->ctx, c->md, NULL) == 1 ? 0
							     : ATT_ERR_CRYPTO;
}

int att_md_update(struct att_md_ctx *c, const void *in, size_t in_len)
{
	if (!c)
		return ATT_ERR_INVALID_ARG;
	if (in_len == 0)
		return 0;
	return EVP_DigestUpdate(c->ctx, in, in_len) == 1 ? 0 : ATT_ERR_CRYPTO;
}

int att_md_final(struct att_md_ctx *c, uint8_t *out)
{
	if (!c)
		return ATT_ERR_INVALID_ARG;
	return EVP_DigestFinal_ex(c->ctx, out, NULL) == 1 ? 0 : ATT_ERR_CRYPTO;
}

void att_md_ctx_free(struct att_md_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->ctx);
	EVP_MD_free(c->md);
	free(c);
}

int att_hmac(enum att_md md, uint8_t *out, const void *key, size_t key_len,
	     const void *in, size_t in_len)
{
	const EVP_MD *m = evp(md);
	unsigned int n = 0;
	if (!m || key_len > INT32_MAX)
		return ATT_ERR_UNSUPPORTED;
	return HMAC(m, key, (int)key_len, in, in_len, out, &n) ? 0
							       : ATT_ERR_CRYPTO;
}

bool att_ct_eq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

int att_rand_bytes(void *out, size_t len)
{
	if (len > INT32_MAX)
		return ATT_ERR_INVALID_ARG;
	return RAND_bytes(out, (int)len) == 1 ? 0 : ATT_ERR_CRYPTO;
}

void att_cleanse(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}
