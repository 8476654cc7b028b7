/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RSAES-PKCS1-v1_5 and RSAES-OAEP (rsa_enc.h) on OpenSSL's EVP_PKEY
 * interface.
 */
#include "crypto/rsa_enc.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "attest/err.h"
#include "crypto/pk_internal.h"

static int set_pad(EVP_PKEY_CTX *c, enum att_rsa_pad pad, enum att_md md)
{
	if (pad == ATT_RSA_PAD_PKCS1)
		return EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1
			       ? 0
			       : ATT_ERR_CRYPTO;
	const EVP_MD *m = att_md_evp(md);
	if (pad != ATT_RSA_PAD_OAEP || !m)
		return ATT_ERR_ALG;
	if (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(c, m) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(c, m) != 1)
		return ATT_ERR_CRYPTO;
	return 0;
}

/* run: enc 1 encrypts, 0 decrypts. */
static int run(int enc, const struct att_pkey *k, enum att_rsa_pad pad,
	       enum att_md md, const uint8_t *in, size_t in_len, uint8_t *out,
	       size_t out_cap, size_t *out_len)
{
	EVP_PKEY_CTX *c = NULL;
	size_t n = 0;
	int r;
	*out_len = 0;
	if (!k || !att_pkey_is_rsa(k))
		return ATT_ERR_ALG;
	if (!enc && !att_pkey_has_private(k))
		return ATT_ERR_INVALID_ARG;
	if (!in || !in_len || !out)
		return ATT_ERR_INVALID_ARG;
	c = EVP_PKEY_CTX_new_from_pkey(NULL, att_pkey_get0_evp(k), NULL);
	r = ATT_ERR_CRYPTO;
	if (!c || (enc ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) != 1)
		goto out;
	if ((r = set_pad(c, pad, md)) != 0)
		goto out;
	r = ATT_ERR_INVALID_ARG;
	if ((enc ? EVP_PKEY_encrypt(c, NULL, &n, in, in_len)
		 : EVP_PKEY_decrypt(c, NULL, &n, in, in_len)) != 1)
		goto out;
	if (enc && n > out_cap)
		goto out;
	if (!enc) {
		/* the bound OpenSSL gives is the modulus size; the
		 * plaintext may be shorter than out_cap */
		uint8_t tmp[1024];
		if (n > sizeof(tmp))
			goto out;
		r = ATT_ERR_SIG_INVALID;
		if (EVP_PKEY_decrypt(c, tmp, &n, in, in_len) != 1)
			goto out;
		r = ATT_ERR_INVALID_ARG;
		if (n > out_cap) {
			OPENSSL_cleanse(tmp, sizeof(tmp));
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			out[i] = tmp[i];
		OPENSSL_cleanse(tmp, sizeof(tmp));
	} else if (EVP_PKEY_encrypt(c, out, &n, in, in_len) != 1) {
		r = ATT_ERR_INVALID_ARG;
		goto out;
	}
	*out_len = n;
	r = 0;
out:
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return r;
}

int att_rsa_encrypt(const struct att_pkey *k, enum att_rsa_pad pad,
		    enum att_md md, const uint8_t *in, size_t in_len,
		    uint8_t *out, size_t out_cap, size_t *out_len)
{
	return run(1, k, pad, md, in, in_len, out, out_cap, out_len);
}

int att_rsa_decrypt(const struct att_pkey *k, enum att_rsa_pad pad,
		    enum att_md md, const uint8_t *in, size_t in_len,
		    uint8_t *out, size_t out_cap, size_t *out_len)
{
	return run(0, k, pad, md, in, in_len, out, out_cap, out_len);
}
