/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public keys for TPM attestation: built from the fields of a TPMT_PUBLIC
 * (RSA modulus and exponent, ECC curve and point) or read from a
 * SubjectPublicKeyInfo, and the quote signature checks over them. Keys are
 * checked when built (EC points on the curve, RSA moduli of a sane size),
 * so that a verifier never runs on a key it could not have been given.
 */
#include "crypto/tpm_crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "attest/err.h"
#include "crypto/tpm_internal.h"


/* wrap takes ownership of p (on success and on failure). */
static int wrap(struct att_tpm_pkey **out, EVP_PKEY *p)
{
	struct att_tpm_pkey *k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(p);
		return ATT_ERR_NOMEM;
	}
	k->pkey = p; /* transferred */
	*out = k;
	return 0;
}

static int fromdata(EVP_PKEY **out, const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	int r = ATT_ERR_CRYPTO;
	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		r = 0;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return r;
}

int att_tpm_pkey_rsa(struct att_tpm_pkey **out, const uint8_t *n,
		     size_t n_len, uint32_t exponent)
{
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *bn = NULL, *be = NULL;
	EVP_PKEY *p = NULL;
	int r = ATT_ERR_CRYPTO;
	*out = NULL;
	/* RSA-1024 .. RSA-4096, no leading zero byte (TPM2B_PUBLIC_KEY_RSA
	 * carries exactly keyBits/8 bytes). */
	if (!n || n_len < 128 || n_len > ATT_TPM_MAX_RSA_BYTES || n[0] == 0)
		return ATT_ERR_FORMAT;
	if (exponent == 1 || (exponent != 0 && exponent % 2 == 0))
		return ATT_ERR_FORMAT;
	bld = OSSL_PARAM_BLD_new();
	bn = BN_bin2bn(n, (int)n_len, NULL);
	be = BN_new();
	if (!bld || !bn || !be || !BN_set_word(be, exponent ? exponent : 65537))
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		goto out;
	if ((r = fromdata(&p, "RSA", bld)) != 0)
		goto out;
	r = wrap(out, p);
	p = NULL; /* transferred */
out:
	EVP_PKEY_free(p);
	BN_free(bn);
	BN_free(be);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return r;
}

static const char *curve_name(uint16_t curve, size_t *field)
{
	switch (curve) {
	case ATT_TPM_ECC_NIST_P256: *field = 32; return "prime256v1";
	case ATT_TPM_ECC_NIST_P384: *field = 48; return "secp384r1";
	case ATT_TPM_ECC_NIST_P521: *field = 66; return "secp521r1";
	default: *field = 0; return NULL;
	}
}

static int public_check(EVP_PKEY *p)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, p, NULL);
	int ok = c && EVP_PKEY_public_check(c) == 1;
	EVP_PKEY_CTX_free(c);
	return ok ? 0 : ATT_ERR_FORMAT;
}

int att_tpm_pkey_ecc(struct att_tpm_pkey **out, uint16_t curve,
		     const uint8_t *x, size_t x_len, const uint8_t *y,
		     size_t y_len)
{
	size_t field = 0;
	const char *name = curve_name(curve, &field);
	uint8_t pub[1 + 2 * ATT_TPM_MAX_ECC_BYTES];
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *p = NULL;
	int r = ATT_ERR_CRYPTO;
	*out = NULL;
	if (!name)
		return ATT_ERR_UNSUPPORTED;
	if (!x || !y || x_len == 0 || y_len == 0 || x_len > field ||
	    y_len > field)
		return ATT_ERR_FORMAT;
	memset(pub, 0, sizeof(pub));
	pub[0] = 0x04;
	memcpy(pub + 1 + field - x_len, x, x_len);
	memcpy(pub + 1 + 2 * field - y_len, y, y_len);
	bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     name, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					      pub, 1 + 2 * field))
		goto out;
	if ((r = fromdata(&p, "EC", bld)) != 0) {
		r = ATT_ERR_FORMAT; /* e.g. not a point of the curve */
		goto out;
	}
	if ((r = public_check(p)) != 0)
		goto out;
	r = wrap(out, p);
	p = NULL; /* transferred */
out:
	EVP_PKEY_free(p);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return r;
}

int att_tpm_pkey_from_spki(struct att_tpm_pkey **out, const uint8_t *in,
			   size_t in_len)
{
	EVP_PKEY *p = NULL;
	int r = ATT_ERR_FORMAT;
	*out = NULL;
	if (!in || in_len == 0 || in_len > 64 * 1024)
		return ATT_ERR_FORMAT;
	if (in_len > 10 && !memcmp(in, "-----BEGIN", 10)) {
		BIO *b = BIO_new_mem_buf(in, (int)in_len);
		if (!b)
			return ATT_ERR_NOMEM;
		p = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *q = in;
		p = d2i_PUBKEY(NULL, &q, (long)in_len);
		if (p && q != in + in_len) {
			EVP_PKEY_free(p);
			p = NULL; /* trailing bytes after the DER */
		}
	}
	if (!p)
		goto out;
	if (!EVP_PKEY_is_a(p, "RSA") && !EVP_PKEY_is_a(p, "EC")) {
		r = ATT_ERR_UNSUPPORTED;
		goto out;
	}
	r = wrap(out, p);
	p = NULL; /* transferred */
out:
	EVP_PKEY_free(p);
	ERR_clear_error();
	return r;
}

void att_tpm_pkey_free(struct att_tpm_pkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int att_tpm_pkey_spki_der(const struct att_tpm_pkey *k, uint8_t **der,
			  size_t *der_len)
{
	unsigned char *tmp = NULL;
	int n;
	*der = NULL;
	*der_len = 0;
	if (!k)
		return ATT_ERR_INVALID_ARG;
	n = i2d_PUBKEY(k->pkey, &tmp);
	if (n <= 0) {
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	*der = malloc((size_t)n);
	if (!*der) {
		OPENSSL_free(tmp);
		return ATT_ERR_NOMEM;
	}
	memcpy(*der, tmp, (size_t)n);
	*der_len = (size_t)n;
	OPENSSL_free(tmp);
	return 0;
}

bool att_tpm_pkey_eq(const struct att_tpm_pkey *a,
		     const struct att_tpm_pkey *b)
{
	bool eq = a && b && EVP_PKEY_eq(a->pkey, b->pkey) == 1;
	ERR_clear_error();
	return eq;
}

bool att_tpm_pkey_is_rsa(const struct att_tpm_pkey *k)
{
	return k && EVP_PKEY_is_a(k->pkey, "RSA");
}

int att_tpm_pkey_bits(const struct att_tpm_pkey *k)
{
	return k ? EVP_PKEY_get_bits(k->pkey) : 0;
}

/* verify runs EVP_DigestVerify with the padding the scheme asks for. */
static int verify(EVP_PKEY *pkey, const EVP_MD *md, int padding,
		  const uint8_t *msg, size_t msg_len, const uint8_t *sig,
		  size_t sig_len)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	int r = ATT_ERR_CRYPTO, rc;
	if (!mc)
		return ATT_ERR_NOMEM;
	if (EVP_DigestVerifyInit(mc, &pc, md, NULL, pkey) != 1)
		goto out;
	if (padding && EVP_PKEY_CTX_set_rsa_padding(pc, padding) != 1)
		goto out;
	if (padding == RSA_PKCS1_PSS_PADDING &&
	    (EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_AUTO) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pc, md) != 1))
		goto out;
	rc = EVP_DigestVerify(mc, sig, sig_len, msg, msg_len);
	/* 0 = bad signature; < 0 = malformed signature: both invalid. */
	r = rc == 1 ? 0 : ATT_ERR_SIG_INVALID;
out:
	EVP_MD_CTX_free(mc);
	ERR_clear_error();
	return r;
}

int att_tpm_verify_rsa(const struct att_tpm_pkey *k, uint16_t scheme,
		       uint16_t hash, const uint8_t *msg, size_t msg_len,
		       const uint8_t *sig, size_t sig_len)
{
	const EVP_MD *md = att_tpm_md(hash);
	int padding;
	if (!k || !EVP_PKEY_is_a(k->pkey, "RSA") || !md)
		return ATT_ERR_ALG;
	if (scheme == ATT_TPM_ALG_RSASSA)
		padding = RSA_PKCS1_PADDING;
	else if (scheme == ATT_TPM_ALG_RSAPSS)
		padding = RSA_PKCS1_PSS_PADDING;
	else
		return ATT_ERR_ALG;
	/* Exactly the modulus size (tpm2-tools#2132: zero-padded
	 * signatures must not pass). */
	if (!sig || sig_len != (size_t)EVP_PKEY_get_size(k->pkey))
		return ATT_ERR_SIG_INVALID;
	return verify(k->pkey, md, padding, msg, msg_len, sig, sig_len);
}

int att_tpm_verify_ecdsa(const struct att_tpm_pkey *k, uint16_t hash,
			 const uint8_t *msg, size_t msg_len, const uint8_t *r,
			 size_t r_len, const uint8_t *s, size_t s_len)
{
	const EVP_MD *md = att_tpm_md(hash);
	ECDSA_SIG *es = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *der = NULL;
	int der_len, ret = ATT_ERR_CRYPTO;
	if (!k || !EVP_PKEY_is_a(k->pkey, "EC") || !md)
		return ATT_ERR_ALG;
	if (!r || !s || r_len == 0 || s_len == 0 ||
	    r_len > ATT_TPM_MAX_ECC_BYTES || s_len > ATT_TPM_MAX_ECC_BYTES)
		return ATT_ERR_SIG_INVALID;
	es = ECDSA_SIG_new();
	br = BN_bin2bn(r, (int)r_len, NULL);
	bs = BN_bin2bn(s, (int)s_len, NULL);
	if (!es || !br || !bs || ECDSA_SIG_set0(es, br, bs) != 1)
		goto out;
	br = bs = NULL; /* transferred */
	der_len = i2d_ECDSA_SIG(es, &der);
	if (der_len <= 0)
		goto out;
	ret = verify(k->pkey, md, 0, msg, msg_len, der, (size_t)der_len);
out:
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return ret;
}
