/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES in CFB mode with a 128-bit feedback (CFB128, NIST SP 800-38A §6.3),
 * no padding: the ciphertext is as long as the plaintext. TPM credential
 * and parameter encryption use it with an all-zero IV.
 */
#ifndef ATT_CRYPTO_AES_CFB_H
#define ATT_CRYPTO_AES_CFB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATT_AES_BLOCK_LEN 16

/* att_aes_cfb encrypts (encrypt true) or decrypts len bytes of in into
 * out (out may equal in) with AES-128, -192 or -256 by key_len (16, 24,
 * 32; ATT_ERR_ALG otherwise) and the 16-byte iv (NULL: all zero).
 * ATT_ERR_INVALID_ARG when len exceeds INT32_MAX. */
int att_aes_cfb(bool encrypt, const uint8_t *key, size_t key_len,
		const uint8_t *iv, const uint8_t *in, size_t len,
		uint8_t *out);

#endif
