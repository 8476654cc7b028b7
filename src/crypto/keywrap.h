/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key wrapping for data at rest: AES-256-GCM under a 32-byte master key,
 * used to protect the providers' private signing keys in the store. A
 * wrapped blob is "AW1" (3 bytes, format tag) || nonce (12 random bytes)
 * || ciphertext || tag (16 bytes). The caller's associated data (e.g.
 * "provider/kid") is authenticated but not stored, so a blob moved to
 * another row does not unwrap. Any change to blob or associated data makes
 * unwrapping fail with ATT_ERR_SIG_INVALID.
 */
#ifndef ATT_CRYPTO_KEYWRAP_H
#define ATT_CRYPTO_KEYWRAP_H

#include "base/limits.h"
#include <stddef.h>
#include <stdint.h>

#define ATT_KEYWRAP_KEY_LEN 32
#define ATT_KEYWRAP_OVERHEAD (3 + 12 + 16)

/* att_keywrap_wrap encrypts plain under key with associated data aad into
 * a malloc'd blob of plain_len + ATT_KEYWRAP_OVERHEAD bytes. */
int att_keywrap_wrap(uint8_t **out, size_t *out_len,
		     const uint8_t key[static ATT_KEYWRAP_KEY_LEN],
		     const void *aad, size_t aad_len, const void *plain,
		     size_t plain_len);

/* att_keywrap_unwrap checks and decrypts a blob into a malloc'd,
 * NUL-terminated buffer (*out_len excludes the NUL). The caller wipes and
 * frees it. ATT_ERR_FORMAT for a blob of the wrong shape,
 * ATT_ERR_SIG_INVALID when authentication fails (wrong key, tampered blob
 * or associated data). */
int att_keywrap_unwrap(uint8_t **out, size_t *out_len,
		       const uint8_t key[static ATT_KEYWRAP_KEY_LEN],
		       const void *aad, size_t aad_len, const uint8_t *blob,
		       size_t blob_len);

/* att_keywrap_load_master reads the 32-byte master key file at path,
 * creating it with fresh random bytes (mode 0600, O_EXCL) when it does not
 * exist and create is non-zero. A file that is not exactly 32 bytes, or
 * that group or others can read, is refused (ATT_ERR_FORMAT /
 * ATT_ERR_INVALID_ARG). */
int att_keywrap_load_master(uint8_t out[static ATT_KEYWRAP_KEY_LEN],
			    const char *path, int create);

/* att_keywrap_create_master creates a new master key file at path (fresh
 * random bytes, mode 0600, O_EXCL, synced) and returns the key in out.
 * ATT_ERR_EXISTS when path exists (nothing is changed); on any other
 * failure no file is left. The caller decides whether a new master key
 * may exist at all: never while data wrapped with another one does. */
int att_keywrap_create_master(uint8_t out[static ATT_KEYWRAP_KEY_LEN],
			      const char *path);

/* att_keywrap_wipe zeroes n bytes in a way the compiler keeps. */
void att_keywrap_wipe(void *p, size_t n);

#endif
