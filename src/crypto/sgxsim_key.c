/* SPDX-License-Identifier: Apache-2.0 */
/*
 * P-256 keys of the SGX simulator: generation, PKCS#8 PEM in and out, the
 * raw x||y public point and ECDSA-SHA256 signatures in the r||s form used
 * by SGX quotes and Intel collateral. Dev and test tool only.
 */
#include "crypto/sgxsim_int.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include "attest/err.h"

int att_sgxsim_key_generate(struct att_sgxsim_key **out)
{
	*out = NULL;
	struct att_sgxsim_key *k = calloc(1, sizeof(*k));
	if (!k)
		return ATT_ERR_NOMEM;
	k->pkey = EVP_EC_gen("P-256");
	if (!k->pkey) {
		free(k);
		return ATT_ERR_CRYPTO;
	}
	*out = k;
	return 0;
}

static bool is_p256(EVP_PKEY *p)
{
	char name[64];
	size_t n = 0;
	if (EVP_PKEY_get_base_id(p) != EVP_PKEY_EC)
		return false;
	if (!EVP_PKEY_get_utf8_string_param(p, OSSL_PKEY_PARAM_GROUP_NAME, name,
					    sizeof(name), &n))
		return false;
	return strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0;
}

int att_sgxsim_key_load_pem(struct att_sgxsim_key **out, const char *pem,
			    size_t len)
{
	*out = NULL;
	if (len > ATT_SGXSIM_MAX_OBJ || len > INT32_MAX)
		return ATT_ERR_LIMIT;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return ATT_ERR_NOMEM;
	EVP_PKEY *p = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!p)
		return ATT_ERR_FORMAT;
	if (!is_p256(p)) {
		EVP_PKEY_free(p);
		return ATT_ERR_ALG;
	}
	struct att_sgxsim_key *k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(p);
		return ATT_ERR_NOMEM;
	}
	k->pkey = p; /* transferred */
	*out = k;
	return 0;
}

int att_sgxsim_bio_to_buf(BIO *bio, struct att_buf *out)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	if (n < 0 || !p)
		return ATT_ERR_CRYPTO;
	return att_buf_add(out, p, (size_t)n);
}

int att_sgxsim_key_pem(const struct att_sgxsim_key *k, struct att_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return ATT_ERR_NOMEM;
	int r = ATT_ERR_CRYPTO;
	if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL))
		r = att_sgxsim_bio_to_buf(bio, out);
	BIO_free(bio);
	return r;
}

int att_sgxsim_key_pub(const struct att_sgxsim_key *k,
		       uint8_t xy[ATT_SGXSIM_XY_LEN])
{
	BIGNUM *x = NULL, *y = NULL;
	int r = ATT_ERR_CRYPTO;
	if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
		goto out;
	if (BN_bn2binpad(x, xy, 32) != 32 || BN_bn2binpad(y, xy + 32, 32) != 32)
		goto out;
	r = 0;
out:
	BN_free(x);
	BN_free(y);
	return r;
}

static int der_to_rs(const unsigned char *der, size_t len,
		     uint8_t rs[ATT_SGXSIM_RS_LEN])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	if (!sig)
		return ATT_ERR_CRYPTO;
	const BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG_get0(sig, &r, &s);
	int ok =
	    BN_bn2binpad(r, rs, 32) == 32 && BN_bn2binpad(s, rs + 32, 32) == 32;
	ECDSA_SIG_free(sig);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

int att_sgxsim_sign(const struct att_sgxsim_key *k, const void *msg, size_t len,
		    uint8_t rs[ATT_SGXSIM_RS_LEN])
{
	unsigned char der[80];
	size_t dlen = sizeof(der);
	int r = ATT_ERR_CRYPTO;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return ATT_ERR_NOMEM;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, der, &dlen, msg, len) != 1)
		goto out;
	r = der_to_rs(der, dlen, rs);
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

void att_sgxsim_key_free(struct att_sgxsim_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}
