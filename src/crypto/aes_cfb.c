/* SPDX-License-Identifier: Apache-2.0 */
/* AES-CFB128 over OpenSSL 3 (crypto/aes_cfb.h). */
#include "crypto/aes_cfb.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include "attest/err.h"

int att_aes_cfb(bool encrypt, const uint8_t *key, size_t key_len,
		const uint8_t *iv, const uint8_t *in, size_t len,
		uint8_t *out)
{
	static const uint8_t zero_iv[ATT_AES_BLOCK_LEN];
	const EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *c = NULL;
	int n1 = 0, n2 = 0, r = ATT_ERR_CRYPTO;
	switch (key_len) {
	case 16: cipher = EVP_aes_128_cfb128(); break;
	case 24: cipher = EVP_aes_192_cfb128(); break;
	case 32: cipher = EVP_aes_256_cfb128(); break;
	default: return ATT_ERR_ALG;
	}
	if (!key || len > INT32_MAX || (len && (!in || !out)))
		return ATT_ERR_INVALID_ARG;
	if (len == 0)
		return 0;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return ATT_ERR_NOMEM;
	if (EVP_CipherInit_ex(c, cipher, NULL, key, iv ? iv : zero_iv,
			      encrypt ? 1 : 0) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
	    EVP_CipherUpdate(c, out, &n1, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(c, out + n1, &n2) != 1 ||
	    (size_t)n1 + (size_t)n2 != len)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(c);
	ERR_clear_error();
	return r;
}
