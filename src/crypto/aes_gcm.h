/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES in Galois/Counter Mode (NIST SP 800-38D) as a generic primitive:
 * AES-128, -192 or -256 by key length, an IV of 1..ATT_AES_GCM_MAX_IV_LEN
 * bytes (12 is the recommended and usual length), associated data, and a
 * 16-byte tag kept apart from the ciphertext. The ciphertext is as long as
 * the plaintext. (crypto/keywrap.h is the at-rest blob format built on
 * the same mode.)
 */
#ifndef ATT_CRYPTO_AES_GCM_H
#define ATT_CRYPTO_AES_GCM_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"

#define ATT_AES_GCM_TAG_LEN 16

/* att_aes_gcm_encrypt encrypts len bytes of in into out (out may equal
 * in) and writes the tag. ATT_ERR_ALG for a key that is not 16, 24 or 32
 * bytes, ATT_ERR_INVALID_ARG for an IV of another length than
 * 1..ATT_AES_GCM_MAX_IV_LEN or len / aad_len above INT32_MAX. */
int att_aes_gcm_encrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
			size_t iv_len, const void *aad, size_t aad_len,
			const uint8_t *in, size_t len, uint8_t *out,
			uint8_t tag[static ATT_AES_GCM_TAG_LEN]);

/* att_aes_gcm_decrypt checks the tag and decrypts len bytes of in into
 * out. ATT_ERR_SIG_INVALID when the tag does not verify (wrong key, IV,
 * associated data, tag or ciphertext): out is then zeroed. Tags shorter
 * than 16 bytes are refused (ATT_ERR_INVALID_ARG), as are the arguments
 * att_aes_gcm_encrypt refuses. */
int att_aes_gcm_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
			size_t iv_len, const void *aad, size_t aad_len,
			const uint8_t *in, size_t len, const uint8_t *tag,
			size_t tag_len, uint8_t *out);

#endif
