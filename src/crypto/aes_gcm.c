/* SPDX-License-Identifier: Apache-2.0 */
/* AES-GCM over OpenSSL 3 (crypto/aes_gcm.h). */
#include "crypto/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

#include "attest/err.h"

static const EVP_CIPHER *gcm_cipher(size_t key_len)
{
	switch (key_len) {
	case 16: return EVP_aes_128_gcm();
	case 24: return EVP_aes_192_gcm();
	case 32: return EVP_aes_256_gcm();
	default: return NULL;
	}
}

/* gcm_init checks the arguments and starts a context with key, IV and
 * associated data. */
static int gcm_init(EVP_CIPHER_CTX **out, int enc, const uint8_t *key,
		    size_t key_len, const uint8_t *iv, size_t iv_len,
		    const void *aad, size_t aad_len, const uint8_t *in,
		    size_t len, const uint8_t *outbuf)
{
	const EVP_CIPHER *cipher = gcm_cipher(key_len);
	EVP_CIPHER_CTX *c;
	int n = 0;
	*out = NULL;
	if (!cipher)
		return ATT_ERR_ALG;
	if (!key || !iv || iv_len == 0 || iv_len > ATT_AES_GCM_MAX_IV_LEN ||
	    len > INT32_MAX || aad_len > INT32_MAX || (aad_len && !aad) ||
	    (len && (!in || !outbuf)))
		return ATT_ERR_INVALID_ARG;
	if (!(c = EVP_CIPHER_CTX_new()))
		return ATT_ERR_NOMEM;
	if (EVP_CipherInit_ex(c, cipher, NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len,
				NULL) != 1 ||
	    EVP_CipherInit_ex(c, NULL, NULL, key, iv, enc) != 1 ||
	    (aad_len && EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) != 1)) {
		EVP_CIPHER_CTX_free(c);
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	*out = c;
	return 0;
}

int att_aes_gcm_encrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
			size_t iv_len, const void *aad, size_t aad_len,
			const uint8_t *in, size_t len, uint8_t *out,
			uint8_t tag[static ATT_AES_GCM_TAG_LEN])
{
	EVP_CIPHER_CTX *c = NULL;
	int n1 = 0, n2 = 0;
	int r = gcm_init(&c, 1, key, key_len, iv, iv_len, aad, aad_len, in,
			 len, out);
	if (r)
		return r;
	r = ATT_ERR_CRYPTO;
	if ((len && EVP_CipherUpdate(c, out, &n1, in, (int)len) != 1) ||
	    EVP_CipherFinal_ex(c, out + n1, &n2) != 1 ||
	    (size_t)n1 + (size_t)n2 != len ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, ATT_AES_GCM_TAG_LEN,
				tag) != 1)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(c);
	ERR_clear_error();
	return r;
}

int att_aes_gcm_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
			size_t iv_len, const void *aad, size_t aad_len,
			const uint8_t *in, size_t len, const uint8_t *tag,
			size_t tag_len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = NULL;
	uint8_t t[ATT_AES_GCM_TAG_LEN];
	int n1 = 0, n2 = 0;
	if (!tag || tag_len != ATT_AES_GCM_TAG_LEN)
		return ATT_ERR_INVALID_ARG;
	int r = gcm_init(&c, 0, key, key_len, iv, iv_len, aad, aad_len, in,
			 len, out);
	if (r)
		return r;
	memcpy(t, tag, sizeof(t));
	r = ATT_ERR_CRYPTO;
	if ((len && EVP_CipherUpdate(c, out, &n1, in, (int)len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, ATT_AES_GCM_TAG_LEN,
				t) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, out + n1, &n2) != 1 ||
	    (size_t)n1 + (size_t)n2 != len) {
		r = ATT_ERR_SIG_INVALID;
		goto out;
	}
	r = 0;
out:
	if (r && len && out)
		OPENSSL_cleanse(out, len);
	EVP_CIPHER_CTX_free(c);
	ERR_clear_error();
	return r;
}
