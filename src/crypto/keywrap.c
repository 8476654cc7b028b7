/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES-256-GCM key wrapping and the master key file (see keywrap.h). The
 * nonce is random per wrap: a master key wraps a handful of signing keys
 * in its lifetime, far below the 2^32 messages where random 96-bit nonces
 * start to matter.
 */
#include "crypto/keywrap.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"

static const uint8_t tag_v1[3] = {'A', 'W', '1'};
#define NONCE_LEN 12
#define TAG_LEN 16

void att_keywrap_wipe(void *p, size_t n)
{
	if (p)
		OPENSSL_cleanse(p, n);
}

static int gcm_init(EVP_CIPHER_CTX **ctx, int enc, const uint8_t *key,
		    const uint8_t *nonce, const void *aad, size_t aad_len)
{
	int outl = 0;
	*ctx = EVP_CIPHER_CTX_new();
	if (!*ctx)
		return ATT_ERR_NOMEM;
	if (EVP_CipherInit_ex(*ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
			      enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(*ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN,
				NULL) != 1 ||
	    EVP_CipherInit_ex(*ctx, NULL, NULL, key, nonce, enc) != 1)
		return ATT_ERR_CRYPTO;
	if (aad_len > INT32_MAX)
		return ATT_ERR_LIMIT;
	if (aad_len &&
	    EVP_CipherUpdate(*ctx, NULL, &outl, aad, (int)aad_len) != 1)
		return ATT_ERR_CRYPTO;
	return 0;
}

int att_keywrap_wrap(uint8_t **out, size_t *out_len,
		     const uint8_t key[static ATT_KEYWRAP_KEY_LEN],
		     const void *aad, size_t aad_len, const void *plain,
		     size_t plain_len)
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t *blob = NULL;
	int r, outl = 0, fin = 0;
	*out = NULL;
	*out_len = 0;
	if (plain_len > ATT_KEYWRAP_MAX_PLAIN)
		return ATT_ERR_LIMIT;
	size_t total = plain_len + ATT_KEYWRAP_OVERHEAD;
	if (!(blob = malloc(total)))
		return ATT_ERR_NOMEM;
	uint8_t *nonce = blob + sizeof(tag_v1), *ct = nonce + NONCE_LEN;
	memcpy(blob, tag_v1, sizeof(tag_v1));
	if (RAND_bytes(nonce, NONCE_LEN) != 1) {
		r = ATT_ERR_CRYPTO;
		goto out;
	}
	if ((r = gcm_init(&ctx, 1, key, nonce, aad, aad_len)) != 0)
		goto out;
	if (EVP_CipherUpdate(ctx, ct, &outl, plain, (int)plain_len) != 1 ||
	    EVP_CipherFinal_ex(ctx, ct + outl, &fin) != 1 ||
	    (size_t)(outl + fin) != plain_len ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
				ct + plain_len) != 1) {
		r = ATT_ERR_CRYPTO;
		goto out;
	}
	*out = blob;
	*out_len = total;
	blob = NULL; /* transferred */
out:
	EVP_CIPHER_CTX_free(ctx);
	free(blob);
	return r;
}

int att_keywrap_unwrap(uint8_t **out, size_t *out_len,
		       const uint8_t key[static ATT_KEYWRAP_KEY_LEN],
		       const void *aad, size_t aad_len, const uint8_t *blob,
		       size_t blob_len)
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t *plain = NULL;
	int r, outl = 0, fin = 0;
	*out = NULL;
	*out_len = 0;
	if (blob_len < ATT_KEYWRAP_OVERHEAD ||
	    blob_len - ATT_KEYWRAP_OVERHEAD > ATT_KEYWRAP_MAX_PLAIN ||
	    memcmp(blob, tag_v1, sizeof(tag_v1)) != 0)
		return ATT_ERR_FORMAT;
	size_t n = blob_len - ATT_KEYWRAP_OVERHEAD;
	const uint8_t *nonce = blob + sizeof(tag_v1), *ct = nonce + NONCE_LEN;
	if (!(plain = malloc(n + 1)))
		return ATT_ERR_NOMEM;
	if ((r = gcm_init(&ctx, 0, key, nonce, aad, aad_len)) != 0)
		goto out;
	if (EVP_CipherUpdate(ctx, plain, &outl, ct, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
				(void *)(ct + n)) != 1) {
		r = ATT_ERR_CRYPTO;
		goto out;
	}
	if (EVP_CipherFinal_ex(ctx, plain + outl, &fin) != 1) {
		r = ATT_ERR_SIG_INVALID; /* authentication failed */
		goto out;
	}
	plain[n] = 0;
	*out = plain;
	*out_len = n;
	plain = NULL; /* transferred */
out:
	EVP_CIPHER_CTX_free(ctx);
	if (plain) {
		att_keywrap_wipe(plain, n + 1);
		free(plain);
	}
	return r;
}

int att_keywrap_create_master(uint8_t out[static ATT_KEYWRAP_KEY_LEN],
			      const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? ATT_ERR_EXISTS : ATT_ERR_IO;
	int r = RAND_bytes(out, ATT_KEYWRAP_KEY_LEN) == 1 ? 0 : ATT_ERR_CRYPTO;
	if (!r && write(fd, out, ATT_KEYWRAP_KEY_LEN) != ATT_KEYWRAP_KEY_LEN)
		r = ATT_ERR_IO;
	if (!r && fsync(fd) != 0)
		r = ATT_ERR_IO;
	close(fd);
	if (r) {
		att_keywrap_wipe(out, ATT_KEYWRAP_KEY_LEN);
		unlink(path);
	}
	return r;
}

int att_keywrap_load_master(uint8_t out[static ATT_KEYWRAP_KEY_LEN],
			    const char *path, int create)
{
	struct stat st;
	int r;
	if (create && (r = att_keywrap_create_master(out, path)) != 0 &&
	    r != ATT_ERR_EXISTS)
		return r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ATT_ERR_NOT_FOUND : ATT_ERR_IO;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return ATT_ERR_IO;
	}
	if (st.st_mode & 077) {
		close(fd);
		return ATT_ERR_INVALID_ARG; /* readable by others */
	}
	uint8_t extra;
	ssize_t n = read(fd, out, ATT_KEYWRAP_KEY_LEN);
	ssize_t m = read(fd, &extra, 1);
	close(fd);
	if (n != ATT_KEYWRAP_KEY_LEN || m != 0) {
		att_keywrap_wipe(out, ATT_KEYWRAP_KEY_LEN);
		return ATT_ERR_FORMAT;
	}
	return 0;
}
