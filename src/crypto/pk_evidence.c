/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signature checks and encryption with evidence keys (struct att_pkey made
 * by pk_public.c): RSASSA-PKCS1-v1_5 and RSASSA-PSS with any salt length
 * (TPM quotes), ECDSA with r and s given as big-endian integers (TPM
 * quotes; SGX quotes and Intel collateral carry them as fixed-length
 * r||s), and RSAES-OAEP (the seed of TPM2_MakeCredential). ECDSA signature
 * values are DER-encoded with i2d_ECDSA_SIG, and ECDSA is checked over a
 * one-shot digest with EVP_PKEY_verify, which avoids the per-call
 * algorithm fetches of EVP_DigestVerify (one SGX quote needs three).
 */
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/pk_internal.h"
#include "crypto/pkey.h"

/* rsa_verify runs EVP_DigestVerify with the padding asked for. */
static int rsa_verify(EVP_PKEY *pk, const EVP_MD *md, bool pss,
		      const void *msg, size_t msg_len, const uint8_t *sig,
		      size_t sig_len)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	int r = ATT_ERR_CRYPTO;
	if (!mc)
		return ATT_ERR_NOMEM;
	if (EVP_DigestVerifyInit(mc, &pc, md, NULL, pk) != 1)
		goto out;
	if (EVP_PKEY_CTX_set_rsa_padding(pc, pss ? RSA_PKCS1_PSS_PADDING
						 : RSA_PKCS1_PADDING) != 1)
		goto out;
	if (pss &&
	    (EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_AUTO) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md) != 1))
		goto out;
	/* 0 = bad signature; < 0 = malformed signature: both invalid. */
	r = EVP_DigestVerify(mc, sig, sig_len, msg, msg_len) == 1
		    ? 0
		    : ATT_ERR_SIG_INVALID;
out:
	EVP_MD_CTX_free(mc);
	ERR_clear_error();
	return r;
}

int att_pkey_verify_rsa(const struct att_pkey *k, enum att_md md, bool pss,
			const void *msg, size_t msg_len, const uint8_t *sig,
			size_t sig_len)
{
	const EVP_MD *m = att_md_evp(md);
	if (!k || !att_pkey_is_rsa(k) || !m)
		return ATT_ERR_ALG;
	EVP_PKEY *pk = att_pkey_get0_evp(k);
	/* Exactly the modulus size (tpm2-tools#2132: zero-padded signatures
	 * must not pass). */
	if (!sig || sig_len != (size_t)EVP_PKEY_get_size(pk))
		return ATT_ERR_SIG_INVALID;
	return rsa_verify(pk, m, pss, msg, msg_len, sig, sig_len);
}

int att_pkey_ecdsa_sig_der(uint8_t *out, size_t out_cap, size_t *out_len,
			   const uint8_t *r, size_t r_len, const uint8_t *s,
			   size_t s_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *br = BN_bin2bn(r, (int)r_len, NULL);
	BIGNUM *bs = BN_bin2bn(s, (int)s_len, NULL);
	unsigned char *der = NULL;
	int rc = ATT_ERR_NOMEM, n;
	*out_len = 0;
	if (!es || !br || !bs || ECDSA_SIG_set0(es, br, bs) != 1)
		goto out;
	br = bs = NULL; /* transferred */
	rc = ATT_ERR_CRYPTO;
	if ((n = i2d_ECDSA_SIG(es, &der)) <= 0)
		goto out;
	rc = ATT_ERR_INVALID_ARG;
	if ((size_t)n > out_cap)
		goto out;
	memcpy(out, der, (size_t)n);
	*out_len = (size_t)n;
	rc = 0;
out:
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return rc;
}

int att_pkey_verify_ecdsa_digest(const struct att_pkey *k,
				 const uint8_t *digest, size_t digest_len,
				 const uint8_t *r, size_t r_len,
				 const uint8_t *s, size_t s_len)
{
	uint8_t der[2 * ATT_PKEY_EC_MAX_COORD + 16];
	size_t der_len = 0;
	if (!k || !att_pkey_is_ec(k))
		return ATT_ERR_ALG;
	if (!r || !s || r_len == 0 || s_len == 0 ||
	    r_len > ATT_PKEY_EC_MAX_COORD || s_len > ATT_PKEY_EC_MAX_COORD)
		return ATT_ERR_SIG_INVALID;
	int rc = att_pkey_ecdsa_sig_der(der, sizeof(der), &der_len, r, r_len,
					s, s_len);
	if (rc)
		return rc;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(att_pkey_get0_evp(k), NULL);
	if (!ctx)
		return ATT_ERR_NOMEM;
	rc = ATT_ERR_CRYPTO;
	if (EVP_PKEY_verify_init(ctx) == 1)
		rc = EVP_PKEY_verify(ctx, der, der_len, digest, digest_len) == 1
			     ? 0
			     : ATT_ERR_SIG_INVALID;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int att_pkey_verify_ecdsa(const struct att_pkey *k, enum att_md md,
			  const void *msg, size_t msg_len, const uint8_t *r,
			  size_t r_len, const uint8_t *s, size_t s_len)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	const EVP_MD *m = att_md_evp(md);
	if (!k || !att_pkey_is_ec(k) || !m)
		return ATT_ERR_ALG;
	size_t n = att_md_len(md);
	if (md == ATT_MD_SHA256)
		SHA256(msg, msg_len, digest);
	else if (EVP_Digest(msg, msg_len, digest, NULL, m, NULL) != 1) {
		ERR_clear_error();
		return ATT_ERR_ALG; /* not available in this OpenSSL */
	}
	return att_pkey_verify_ecdsa_digest(k, digest, n, r, r_len, s, s_len);
}

static int set_label(EVP_PKEY_CTX *c, const uint8_t *label, size_t len)
{
	unsigned char *l = NULL;
	if (len == 0)
		return 0;
	l = OPENSSL_memdup(label, len);
	if (!l)
		return ATT_ERR_NOMEM;
	if (EVP_PKEY_CTX_set0_rsa_oaep_label(c, l, (int)len) != 1) {
		OPENSSL_free(l);
		return ATT_ERR_CRYPTO;
	}
	return 0; /* l transferred to c */
}

int att_pkey_rsa_oaep_encrypt(const struct att_pkey *k, enum att_md hash,
			      const uint8_t *label, size_t label_len,
			      const uint8_t *in, size_t in_len, uint8_t *out,
			      size_t out_cap, size_t *out_len)
{
	const EVP_MD *md = att_md_evp(hash);
	EVP_PKEY_CTX *c = NULL;
	size_t n = 0;
	int r = ATT_ERR_CRYPTO;
	*out_len = 0;
	if (!k || !att_pkey_is_rsa(k) || !md)
		return ATT_ERR_ALG;
	if (label_len > 256 || (label_len && !label))
		return ATT_ERR_INVALID_ARG;
	c = EVP_PKEY_CTX_new_from_pkey(NULL, att_pkey_get0_evp(k), NULL);
	if (!c || EVP_PKEY_encrypt_init(c) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(c, md) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) != 1)
		goto out;
	if ((r = set_label(c, label, label_len)) != 0)
		goto out;
	r = ATT_ERR_CRYPTO;
	if (EVP_PKEY_encrypt(c, NULL, &n, in, in_len) != 1)
		goto out;
	if (n > out_cap) {
		r = ATT_ERR_INVALID_ARG;
		goto out;
	}
	if (EVP_PKEY_encrypt(c, out, &n, in, in_len) != 1)
		goto out;
	*out_len = n;
	r = 0;
out:
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return r;
}
