/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TPM's key derivation functions (TPM 2.0 Part 1 §11.4.9). KDFa is the
 * SP 800-108 counter-mode KDF with HMAC; KDFe the SP 800-56A concatenation
 * KDF. Both are written out block by block (not through KBKDF/SSKDF) so
 * the counter, the label's 0x00 separator and the bit length are visible
 * here; the known-answer tests compare them with the vector of
 * tests/unit/evidence/test_tpm_makecred.c.
 */
#include "crypto/tpm_crypto.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "attest/err.h"
#include "crypto/tpm_internal.h"

/* No TPM derivation asks for more; a cap keeps a bad caller bounded. */
#define KDF_MAX_BITS (8u * 4096u)

static void be32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static int check_out(uint32_t bits, size_t out_len)
{
	if (bits == 0 || bits > KDF_MAX_BITS || out_len != (bits + 7) / 8)
		return ATT_ERR_INVALID_ARG;
	return 0;
}

static void mask_top(uint8_t *out, uint32_t bits)
{
	if (bits % 8)
		out[0] &= (uint8_t)((1u << (bits % 8)) - 1);
}

/* One KDFa block: HMAC(key, i || label || 0 || u || v || bits). */
static int kdfa_block(EVP_MAC_CTX *mc, const uint8_t *key, size_t key_len,
		      uint32_t i, const char *label, const uint8_t *u,
		      size_t u_len, const uint8_t *v, size_t v_len,
		      uint32_t bits, uint8_t *blk, size_t blk_cap,
		      size_t *blk_len)
{
	static const uint8_t zero[1];
	uint8_t ib[4], lb[4];
	be32(ib, i);
	be32(lb, bits);
	if (EVP_MAC_init(mc, key_len ? key : zero, key_len, NULL) != 1 ||
	    EVP_MAC_update(mc, ib, 4) != 1 ||
	    EVP_MAC_update(mc, (const uint8_t *)label, strlen(label)) != 1 ||
	    EVP_MAC_update(mc, zero, 1) != 1 ||
	    (u_len && EVP_MAC_update(mc, u, u_len) != 1) ||
	    (v_len && EVP_MAC_update(mc, v, v_len) != 1) ||
	    EVP_MAC_update(mc, lb, 4) != 1 ||
	    EVP_MAC_final(mc, blk, blk_len, blk_cap) != 1)
		return ATT_ERR_CRYPTO;
	return 0;
}

int att_tpm_kdfa(uint16_t hash, const uint8_t *key, size_t key_len,
		 const char *label, const uint8_t *ctx_u, size_t ctx_u_len,
		 const uint8_t *ctx_v, size_t ctx_v_len, uint32_t bits,
		 uint8_t *out, size_t out_len)
{
	const EVP_MD *md = att_tpm_md(hash);
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *mc = NULL;
	OSSL_PARAM params[2];
	uint8_t blk[EVP_MAX_MD_SIZE];
	size_t done = 0, n = 0;
	int r;
	if (!md)
		return ATT_ERR_ALG;
	if (!label || (r = check_out(bits, out_len)) != 0)
		return ATT_ERR_INVALID_ARG;
	r = ATT_ERR_CRYPTO;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	mc = mac ? EVP_MAC_CTX_new(mac) : NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
		"digest", (char *)EVP_MD_get0_name(md), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!mc || EVP_MAC_CTX_set_params(mc, params) != 1)
		goto out;
	for (uint32_t i = 1; done < out_len; i++) {
		r = kdfa_block(mc, key, key_len, i, label, ctx_u,
			       ctx_u ? ctx_u_len : 0, ctx_v,
			       ctx_v ? ctx_v_len : 0, bits, blk, sizeof(blk),
			       &n);
		if (r)
			goto out;
		size_t take = out_len - done < n ? out_len - done : n;
		memcpy(out + done, blk, take);
		done += take;
	}
	mask_top(out, bits);
	r = 0;
out:
	OPENSSL_cleanse(blk, sizeof(blk));
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(mac);
	ERR_clear_error();
	return r;
}

/* One KDFe block: H(i || z || use || 0 || u || v). */
static int kdfe_block(EVP_MD_CTX *c, const EVP_MD *md, uint32_t i,
		      const uint8_t *z, size_t z_len, const char *use,
		      const uint8_t *u, size_t u_len, const uint8_t *v,
		      size_t v_len, uint8_t *blk, unsigned int *blk_len)
{
	static const uint8_t zero[1];
	uint8_t ib[4];
	be32(ib, i);
	if (EVP_DigestInit_ex(c, md, NULL) != 1 ||
	    EVP_DigestUpdate(c, ib, 4) != 1 ||
	    (z_len && EVP_DigestUpdate(c, z, z_len) != 1) ||
	    EVP_DigestUpdate(c, use, strlen(use)) != 1 ||
	    EVP_DigestUpdate(c, zero, 1) != 1 ||
	    (u_len && EVP_DigestUpdate(c, u, u_len) != 1) ||
	    (v_len && EVP_DigestUpdate(c, v, v_len) != 1) ||
	    EVP_DigestFinal_ex(c, blk, blk_len) != 1)
		return ATT_ERR_CRYPTO;
	return 0;
}

int att_tpm_kdfe(uint16_t hash, const uint8_t *z, size_t z_len,
		 const char *use, const uint8_t *party_u, size_t party_u_len,
		 const uint8_t *party_v, size_t party_v_len, uint32_t bits,
		 uint8_t *out, size_t out_len)
{
	const EVP_MD *md = att_tpm_md(hash);
	EVP_MD_CTX *c = NULL;
	uint8_t blk[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t done = 0;
	int r;
	if (!md)
		return ATT_ERR_ALG;
	if (!use || (r = check_out(bits, out_len)) != 0)
		return ATT_ERR_INVALID_ARG;
	r = ATT_ERR_CRYPTO;
	c = EVP_MD_CTX_new();
	if (!c)
		goto out;
	for (uint32_t i = 1; done < out_len; i++) {
		r = kdfe_block(c, md, i, z, z ? z_len : 0, use, party_u,
			       party_u ? party_u_len : 0, party_v,
			       party_v ? party_v_len : 0, blk, &n);
		if (r)
			goto out;
		size_t take = out_len - done < n ? out_len - done : n;
		memcpy(out + done, blk, take);
		done += take;
	}
	mask_top(out, bits);
	r = 0;
out:
	OPENSSL_cleanse(blk, sizeof(blk));
	EVP_MD_CTX_free(c);
	return r;
}
