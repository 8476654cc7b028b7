/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM algorithm identifiers (evidence/tpm/tpm_alg.h). The table below is
 * the single list of TPM hash algorithms in attestd (ID, names, digest
 * size); event logs, quotes and MakeCredential all look algorithms up
 * here and treat a miss as an error, never as a zero length. Hashing and
 * HMAC are the primitives of crypto/digest.h and crypto/hmac.h.
 */
#include "evidence/tpm/tpm_alg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "crypto/hmac.h"

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

#define N_HASHES (sizeof(hashes) / sizeof(hashes[0]))

const struct att_tpm_hash_info *att_tpm_hash_info(uint16_t alg)
{
	for (size_t i = 0; i < N_HASHES; i++)
		if (hashes[i].alg == alg)
			return &hashes[i];
	return NULL;
}

const struct att_tpm_hash_info *att_tpm_hash_info_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < N_HASHES; i++)
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
	for (size_t i = 0; i < N_HASHES; i++)
		if (!strcasecmp(hashes[i].name, alt))
			return &hashes[i];
	return NULL;
}

const struct att_tpm_hash_info *att_tpm_hash_at(size_t i)
{
	return i < N_HASHES ? &hashes[i] : NULL;
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

enum att_key_kind att_tpm_curve_kind(uint16_t curve)
{
	switch (curve) {
	case ATT_TPM_ECC_NIST_P256: return ATT_KEY_EC_P256;
	case ATT_TPM_ECC_NIST_P384: return ATT_KEY_EC_P384;
	case ATT_TPM_ECC_NIST_P521: return ATT_KEY_EC_P521;
	default: return ATT_KEY_RSA_OTHER;
	}
}

bool att_tpm_hash_supported(uint16_t alg)
{
	enum att_md md;
	return att_tpm_md_of(alg, &md) == 0 && att_md_available(md);
}

struct att_tpm_hash_ctx {
	struct att_md_ctx *md;
	size_t size;
};

struct att_tpm_hash_ctx *att_tpm_hash_ctx_new(uint16_t alg)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	struct att_tpm_hash_ctx *c = NULL;
	enum att_md md;
	if (!hi || att_tpm_md_of(alg, &md) != 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->size = hi->size;
	c->md = att_md_ctx_new(md);
	if (!c->md || att_md_len(md) != hi->size) {
		att_tpm_hash_ctx_free(c);
		return NULL;
	}
	return c;
}

int att_tpm_hash_ctx_reset(struct att_tpm_hash_ctx *c)
{
	if (!c)
		return ATT_ERR_INVALID_ARG;
	return att_md_ctx_reset(c->md);
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
	return in_len ? att_md_update(c->md, in, in_len) : 0;
}

int att_tpm_hash_final(struct att_tpm_hash_ctx *c, uint8_t *out,
		       size_t out_len)
{
	if (!c || !out || out_len != c->size)
		return ATT_ERR_INVALID_ARG;
	return att_md_final(c->md, out);
}

void att_tpm_hash_ctx_free(struct att_tpm_hash_ctx *c)
{
	if (!c)
		return;
	att_md_ctx_free(c->md);
	free(c);
}

int att_tpm_hash(uint16_t alg, uint8_t *out, size_t out_len, const void *a,
		 size_t a_len, const void *b, size_t b_len)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	struct att_tpm_hash_ctx *c = NULL;
	int r;
	if (!hi)
		return ATT_ERR_ALG;
	if (out_len != hi->size)
		return ATT_ERR_INVALID_ARG;
	c = att_tpm_hash_ctx_new(alg);
	if (!c)
		return ATT_ERR_ALG; /* not available in this build */
	r = att_tpm_hash_ctx_digest(c, out, out_len, a, a_len, b,
				    b ? b_len : 0);
	att_tpm_hash_ctx_free(c);
	return r;
}

int att_tpm_hmac(uint16_t alg, uint8_t *out, size_t out_len,
		 const uint8_t *key, size_t key_len, const void *a,
		 size_t a_len, const void *b, size_t b_len)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	struct att_hmac_ctx *h = NULL;
	enum att_md md;
	int r;
	if (!hi || att_tpm_md_of(alg, &md) != 0 || !(h = att_hmac_ctx_new(md)))
		return ATT_ERR_ALG;
	if (out_len != hi->size) {
		r = ATT_ERR_INVALID_ARG;
		goto out;
	}
	if ((r = att_hmac_init(h, key, key_len)) != 0 ||
	    (r = att_hmac_update(h, a, a_len)) != 0 ||
	    (b && (r = att_hmac_update(h, b, b_len)) != 0))
		goto out;
	r = att_hmac_final(h, out, out_len);
out:
	att_hmac_ctx_free(h);
	return r;
}
