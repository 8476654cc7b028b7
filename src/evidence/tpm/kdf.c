/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TPM's key derivation functions (TPM 2.0 Part 1 §11.4.10). KDFa is
 * the SP 800-108 counter-mode KDF with HMAC; KDFe the SP 800-56A
 * concatenation KDF. Both are written out block by block over the HMAC
 * and digest primitives (crypto/hmac.h, crypto/digest.h) so the counter,
 * the label's 0x00 separator and the bit length are visible here; the
 * known-answer tests are tests/unit/evidence/test_tpm_kdf.c and the
 * MakeCredential vector of tests/unit/evidence/test_tpm_makecred.c.
 */
#include "evidence/tpm/kdf.h"

#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "crypto/digest.h"
#include "crypto/hmac.h"
#include "evidence/tpm/tpm_alg.h"

static void be32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static int check_out(uint32_t bits, size_t out_len)
{
	if (bits == 0 || bits > ATT_TPM_KDF_MAX_BITS ||
	    out_len != (bits + 7u) / 8u)
		return ATT_ERR_INVALID_ARG;
	return 0;
}

static void mask_top(uint8_t *out, uint32_t bits)
{
	if (bits % 8u)
		out[0] &= (uint8_t)((1u << (bits % 8u)) - 1u);
}

/* One KDFa block: HMAC(key, i || label || 0 || u || v || bits). */
static int kdfa_block(struct att_hmac_ctx *h, const uint8_t *key,
		      size_t key_len, uint32_t i, const char *label,
		      const uint8_t *u, size_t u_len, const uint8_t *v,
		      size_t v_len, uint32_t bits, uint8_t *blk, size_t blk_len)
{
	static const uint8_t zero[1];
	uint8_t ib[4], lb[4];
	int r;
	be32(ib, i);
	be32(lb, bits);
	if ((r = att_hmac_init(h, key, key_len)) != 0 ||
	    (r = att_hmac_update(h, ib, 4)) != 0 ||
	    (r = att_hmac_update(h, label, strlen(label))) != 0 ||
	    (r = att_hmac_update(h, zero, 1)) != 0 ||
	    (r = att_hmac_update(h, u, u_len)) != 0 ||
	    (r = att_hmac_update(h, v, v_len)) != 0 ||
	    (r = att_hmac_update(h, lb, 4)) != 0)
		return r;
	return att_hmac_final(h, blk, blk_len);
}

int att_tpm_kdfa(uint16_t hash, const uint8_t *key, size_t key_len,
		 const char *label, const uint8_t *ctx_u, size_t ctx_u_len,
		 const uint8_t *ctx_v, size_t ctx_v_len, uint32_t bits,
		 uint8_t *out, size_t out_len)
{
	struct att_hmac_ctx *h = NULL;
	uint8_t blk[ATT_MD_MAX_LEN];
	size_t done = 0, n;
	enum att_md md;
	int r;
	if (att_tpm_md_of(hash, &md) != 0)
		return ATT_ERR_ALG;
	if (!label || !out || check_out(bits, out_len) != 0 ||
	    (key_len && !key))
		return ATT_ERR_INVALID_ARG;
	n = att_md_len(md);
	h = att_hmac_ctx_new(md);
	if (!h)
		return ATT_ERR_ALG;
	for (uint32_t i = 1; done < out_len; i++) {
		r = kdfa_block(h, key, key_len, i, label, ctx_u,
			       ctx_u ? ctx_u_len : 0, ctx_v,
			       ctx_v ? ctx_v_len : 0, bits, blk, n);
		if (r)
			goto out;
		size_t take = out_len - done < n ? out_len - done : n;
		memcpy(out + done, blk, take);
		done += take;
	}
	mask_top(out, bits);
	r = 0;
out:
	att_cleanse(blk, sizeof(blk));
	att_hmac_ctx_free(h);
	return r;
}

/* One KDFe block: H(i || z || use || 0 || u || v). */
static int kdfe_block(struct att_md_ctx *c, uint32_t i, const uint8_t *z,
		      size_t z_len, const char *use, const uint8_t *u,
		      size_t u_len, const uint8_t *v, size_t v_len,
		      uint8_t *blk)
{
	static const uint8_t zero[1];
	uint8_t ib[4];
	int r;
	be32(ib, i);
	if ((r = att_md_ctx_reset(c)) != 0 ||
	    (r = att_md_update(c, ib, 4)) != 0 ||
	    (r = att_md_update(c, z, z_len)) != 0 ||
	    (r = att_md_update(c, use, strlen(use))) != 0 ||
	    (r = att_md_update(c, zero, 1)) != 0 ||
	    (r = att_md_update(c, u, u_len)) != 0 ||
	    (r = att_md_update(c, v, v_len)) != 0)
		return r;
	return att_md_final(c, blk);
}

int att_tpm_kdfe(uint16_t hash, const uint8_t *z, size_t z_len,
		 const char *use, const uint8_t *party_u, size_t party_u_len,
		 const uint8_t *party_v, size_t party_v_len, uint32_t bits,
		 uint8_t *out, size_t out_len)
{
	struct att_md_ctx *c = NULL;
	uint8_t blk[ATT_MD_MAX_LEN];
	size_t done = 0, n;
	enum att_md md;
	int r;
	if (att_tpm_md_of(hash, &md) != 0)
		return ATT_ERR_ALG;
	if (!use || !out || check_out(bits, out_len) != 0)
		return ATT_ERR_INVALID_ARG;
	n = att_md_len(md);
	c = att_md_ctx_new(md);
	if (!c)
		return ATT_ERR_ALG;
	for (uint32_t i = 1; done < out_len; i++) {
		r = kdfe_block(c, i, z, z ? z_len : 0, use, party_u,
			       party_u ? party_u_len : 0, party_v,
			       party_v ? party_v_len : 0, blk);
		if (r)
			goto out;
		size_t take = out_len - done < n ? out_len - done : n;
		memcpy(out + done, blk, take);
		done += take;
	}
	mask_top(out, bits);
	r = 0;
out:
	att_cleanse(blk, sizeof(blk));
	att_md_ctx_free(c);
	return r;
}
