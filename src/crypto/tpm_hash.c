/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hashing by TPM algorithm ID. The table below is the single list of TPM
 * hash algorithms in attestd (ID, names, digest size); event logs, quotes
 * and MakeCredential all look algorithms up here and treat a miss as an
 * error, never as a zero length.
 */
#include "crypto/tpm_crypto.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "attest/err.h"
#include "crypto/tpm_internal.h"

static const struct att_tpm_hash_info hashes[] = {
	{ATT_TPM_ALG_SHA1, "sha1", "SHA1", 20},
	{ATT_TPM_ALG_SHA256, "sha256", "SHA256", 32},
	{ATT_TPM_ALG_SHA384, "sha384", "SHA384", 48},
	{ATT_TPM_ALG_SHA512, "sha512", "SHA512", 64},
	{ATT_TPM_ALG_SM3_256, "sm3_256", "SM3_256", 32},
	{ATT_TPM_ALG_SHA3_256, "sha3_256", "SHA3_256", 32},
	{ATT_TPM_ALG_SHA3_384, "sha3_384", "SHA3_384", 48},
	{ATT_TPM_ALG_SHA3_512, "sha3_512", "SHA3_512", 64},
};

const struct att_tpm_hash_info *att_tpm_hash_info(uint16_t alg)
{
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (hashes[i].alg == alg)
			return &hashes[i];
	return NULL;
}

const struct att_tpm_hash_info *att_tpm_hash_info_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (!strcasecmp(hashes[i].name, name))
			return &hashes[i];
	/* "sha3-256" and "sm3-256" spellings */
	char alt[16];
	size_t n = strlen(name);
	if (n >= sizeof(alt))
		return NULL;
	memcpy(alt, name, n + 1);
	for (size_t i = 0; i < n; i++)
		if (alt[i] == '-')
			alt[i] = '_';
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (!strcasecmp(hashes[i].name, alt))
			return &hashes[i];
	return NULL;
}

const struct att_tpm_hash_info *att_tpm_hash_at(size_t i)
{
	return i < sizeof(hashes) / sizeof(hashes[0]) ? &hashes[i] : NULL;
}

/* md_of maps a TPM hash ID to OpenSSL's digest, NULL when unavailable. */
static const EVP_MD *md_of(uint16_t alg)
{
	switch (alg) {
	case ATT_TPM_ALG_SHA1: return EVP_sha1();
	case ATT_TPM_ALG_SHA256: return EVP_sha256();
	case ATT_TPM_ALG_SHA384: return EVP_sha384();
	case ATT_TPM_ALG_SHA512: return EVP_sha512();
#ifndef OPENSSL_NO_SM3
	case ATT_TPM_ALG_SM3_256: return EVP_sm3();
#endif
	case ATT_TPM_ALG_SHA3_256: return EVP_sha3_256();
	case ATT_TPM_ALG_SHA3_384: return EVP_sha3_384();
	case ATT_TPM_ALG_SHA3_512: return EVP_sha3_512();
	default: return NULL;
	}
}

int att_tpm_md_of(uint16_t alg, enum att_md *out)
{
	static const struct {
		uint16_t alg;
		enum att_md md;
	} map[] = {
		{ATT_TPM_ALG_SHA1, ATT_MD_SHA1},
		{ATT_TPM_ALG_SHA256, ATT_MD_SHA256},
		{ATT_TPM_ALG_SHA384, ATT_MD_SHA384},
		{ATT_TPM_ALG_SHA512, ATT_MD_SHA512},
		{ATT_TPM_ALG_SM3_256, ATT_MD_SM3_256},
		{ATT_TPM_ALG_SHA3_256, ATT_MD_SHA3_256},
		{ATT_TPM_ALG_SHA3_384, ATT_MD_SHA3_384},
		{ATT_TPM_ALG_SHA3_512, ATT_MD_SHA3_512},
	};
	if (att_tpm_hash_info(alg))
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (map[i].alg == alg) {
				*out = map[i].md;
				return 0;
			}
	return ATT_ERR_ALG;
}

const EVP_MD *att_tpm_md(uint16_t alg)
{
	return att_tpm_hash_info(alg) ? md_of(alg) : NULL;
}

bool att_tpm_hash_supported(uint16_t alg)
{
	const EVP_MD *md = att_tpm_md(alg);
	if (!md)
		return false;
	/* A provider may lack the digest (SM3 in a FIPS configuration). */
	uint8_t out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	return EVP_Digest("", 0, out, &n, md, NULL) == 1;
}

struct att_tpm_hash_ctx {
	EVP_MD *md; /* explicitly fetched: no per-digest lookup */
	EVP_MD_CTX *ctx;
	size_t size;
};

struct att_tpm_hash_ctx *att_tpm_hash_ctx_new(uint16_t alg)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	const EVP_MD *legacy = att_tpm_md(alg);
	struct att_tpm_hash_ctx *c = NULL;
	if (!hi || !legacy)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->size = hi->size;
	c->md = EVP_MD_fetch(NULL, EVP_MD_get0_name(legacy), NULL);
	c->ctx = EVP_MD_CTX_new();
	if (!c->md || !c->ctx || att_tpm_hash_ctx_reset(c) != 0) {
		att_tpm_hash_ctx_free(c);
		return NULL;
	}
	return c;
}

int att_tpm_hash_ctx_reset(struct att_tpm_hash_ctx *c)
{
	if (!c)
		return ATT_ERR_INVALID_ARG;
	return EVP_DigestInit_ex2(c->ctx, c->md, NULL) == 1 ? 0
							     : ATT_ERR_CRYPTO;
}

int att_tpm_hash_ctx_digest(struct att_tpm_hash_ctx *c, uint8_t *out,
			    size_t out_len, const void *a, size_t a_len,
			    const void *b, size_t b_len)
{
	int r;
	if ((r = att_tpm_hash_ctx_reset(c)) != 0 ||
	    (r = att_tpm_hash_update(c, a, a_len)) != 0 ||
	    (b && (r = att_tpm_hash_update(c, b, b_len)) != 0))
		return r;
	return att_tpm_hash_final(c, out, out_len);
}

int att_tpm_hash_update(struct att_tpm_hash_ctx *c, const void *in,
			size_t in_len)
{
	if (!c)
		return ATT_ERR_INVALID_ARG;
	if (in_len && EVP_DigestUpdate(c->ctx, in, in_len) != 1)
		return ATT_ERR_CRYPTO;
	return 0;
}

int att_tpm_hash_final(struct att_tpm_hash_ctx *c, uint8_t *out,
		       size_t out_len)
{
	uint8_t tmp[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!c || out_len != c->size)
		return ATT_ERR_INVALID_ARG;
	if (EVP_DigestFinal_ex(c->ctx, tmp, &n) != 1 || n != out_len)
		return ATT_ERR_CRYPTO;
	memcpy(out, tmp, out_len);
	return 0;
}

void att_tpm_hash_ctx_free(struct att_tpm_hash_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->ctx);
	EVP_MD_free(c->md);
	free(c);
}

int att_tpm_hash(uint16_t alg, uint8_t *out, size_t out_len, const void *a,
		 size_t a_len, const void *b, size_t b_len)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	const EVP_MD *md = att_tpm_md(alg);
	EVP_MD_CTX *c = NULL;
	uint8_t tmp[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int r = ATT_ERR_CRYPTO;
	if (!hi || !md)
		return ATT_ERR_ALG;
	if (out_len != hi->size)
		return ATT_ERR_INVALID_ARG;
	c = EVP_MD_CTX_new();
	if (!c)
		return ATT_ERR_NOMEM;
	if (EVP_DigestInit_ex(c, md, NULL) != 1 ||
	    (a_len && EVP_DigestUpdate(c, a, a_len) != 1) ||
	    (b && b_len && EVP_DigestUpdate(c, b, b_len) != 1) ||
	    EVP_DigestFinal_ex(c, tmp, &n) != 1 || n != out_len)
		goto out;
	memcpy(out, tmp, out_len);
	r = 0;
out:
	EVP_MD_CTX_free(c);
	return r;
}

int att_tpm_hmac(uint16_t alg, uint8_t *out, size_t out_len,
		 const uint8_t *key, size_t key_len, const void *a,
		 size_t a_len, const void *b, size_t b_len)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	const EVP_MD *md = att_tpm_md(alg);
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *mc = NULL;
	OSSL_PARAM params[2];
	uint8_t tmp[EVP_MAX_MD_SIZE];
	static const uint8_t empty[1];
	size_t n = 0;
	int r = ATT_ERR_CRYPTO;
	if (!hi || !md)
		return ATT_ERR_ALG;
	if (out_len != hi->size)
		return ATT_ERR_INVALID_ARG;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	mc = mac ? EVP_MAC_CTX_new(mac) : NULL;
	if (!mc)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(
		"digest", (char *)EVP_MD_get0_name(md), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(mc, key_len ? key : empty, key_len, params) != 1 ||
	    (a_len && EVP_MAC_update(mc, a, a_len) != 1) ||
	    (b && b_len && EVP_MAC_update(mc, b, b_len) != 1) ||
	    EVP_MAC_final(mc, tmp, &n, sizeof(tmp)) != 1 || n != out_len)
		goto out;
	memcpy(out, tmp, out_len);
	r = 0;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(mac);
	return r;
}

void att_tpm_cleanse(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}
