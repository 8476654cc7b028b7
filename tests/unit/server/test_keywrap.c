/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: AES-256-GCM key wrapping round trip, tamper detection (any
 * flipped bit of the blob, wrong associated data, wrong key, truncation),
 * and the master key file (created 0600, reloaded, refused when readable
 * by others or of the wrong size; explicit creation never replaces an
 * existing key). */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "crypto/keywrap.h"
#include "harness/tap.h"

static const char secret[] =
	"-----BEGIN PRIVATE KEY-----\nnot really a key\n-----END PRIVATE KEY-----\n";

static void test_roundtrip(void)
{
	uint8_t key[32], key2[32];
	for (int i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
		key2[i] = (uint8_t)(i + 1);
	}
	uint8_t *blob = NULL, *blob2 = NULL, *out = NULL;
	size_t blen = 0, blen2 = 0, olen = 0;
	const char *aad = "attestd-signing-key/p/kid";
	ATT_CHECK_EQ_INT(att_keywrap_wrap(&blob, &blen, key, aad, strlen(aad),
					  secret, strlen(secret)),
			 0);
	ATT_CHECK_EQ_INT(blen, strlen(secret) + ATT_KEYWRAP_OVERHEAD);
	ATT_CHECK(memmem(blob, blen, "PRIVATE", 7) == NULL, "no plaintext");
	ATT_CHECK_EQ_INT(att_keywrap_unwrap(&out, &olen, key, aad, strlen(aad),
					    blob, blen),
			 0);
	ATT_CHECK(olen == strlen(secret) && !memcmp(out, secret, olen),
		  "round trip");
	ATT_CHECK(out && out[olen] == 0, "NUL-terminated");
	free(out);
	/* Two wraps of the same secret differ (random nonce). */
	ATT_CHECK_EQ_INT(att_keywrap_wrap(&blob2, &blen2, key, aad, strlen(aad),
					  secret, strlen(secret)),
			 0);
	ATT_CHECK(blen == blen2 && memcmp(blob, blob2, blen) != 0,
		  "fresh nonce");
	free(blob2);

	/* Every single-bit flip anywhere in the blob is detected. */
	int undetected = 0;
	for (size_t i = 0; i < blen; i++)
		for (int bit = 0; bit < 8; bit++) {
			blob[i] ^= (uint8_t)(1u << bit);
			out = NULL;
			int r = att_keywrap_unwrap(&out, &olen, key, aad,
						   strlen(aad), blob, blen);
			if (r == 0 || out)
				undetected++;
			free(out);
			blob[i] ^= (uint8_t)(1u << bit);
		}
	ATT_CHECK_EQ_INT(undetected, 0);
	out = NULL;
	ATT_CHECK_EQ_INT(att_keywrap_unwrap(&out, &olen, key, "other", 5, blob,
					    blen),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK(out == NULL, "no output");
	ATT_CHECK_EQ_INT(att_keywrap_unwrap(&out, &olen, key2, aad, strlen(aad),
					    blob, blen),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_keywrap_unwrap(&out, &olen, key, aad, strlen(aad),
					    blob, blen - 1),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_keywrap_unwrap(&out, &olen, key, aad, strlen(aad),
					    blob, 10),
			 ATT_ERR_FORMAT);
	blob[0] = 'X';
	ATT_CHECK_EQ_INT(att_keywrap_unwrap(&out, &olen, key, aad, strlen(aad),
					    blob, blen),
			 ATT_ERR_FORMAT);
	free(blob);
}

static void test_master_file(void)
{
	char dir[] = "/tmp/att-kw-XXXXXX", path[256];
	uint8_t a[32], b[32];
	struct stat st;
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/master.key", dir);
	ATT_CHECK_EQ_INT(att_keywrap_load_master(a, path, 0), ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_keywrap_load_master(a, path, 1), 0);
	ATT_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
		  "mode 0600");
	ATT_CHECK_EQ_INT(st.st_size, 32);
	ATT_CHECK_EQ_INT(att_keywrap_load_master(b, path, 1), 0);
	ATT_CHECK(!memcmp(a, b, 32), "same key on reload (not recreated)");
	chmod(path, 0644);
	ATT_CHECK_EQ_INT(att_keywrap_load_master(b, path, 0),
			 ATT_ERR_INVALID_ARG);
	chmod(path, 0600);
	int fd = open(path, O_WRONLY | O_APPEND);
	if (fd >= 0) {
		ATT_CHECK(write(fd, "x", 1) == 1, "append");
		close(fd);
	}
	ATT_CHECK_EQ_INT(att_keywrap_load_master(b, path, 0), ATT_ERR_FORMAT);
	unlink(path);
	rmdir(dir);
}

/* att_keywrap_create_master: creates a fresh 0600 key (what load reads
 * back), never replaces an existing file, and leaves nothing when it
 * cannot write. */
static void test_create_master(void)
{
	char dir[] = "/tmp/att-kw-XXXXXX", path[256], bad[300];
	uint8_t a[32], b[32], c[32];
	struct stat st;
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/master.key", dir);
	ATT_CHECK_EQ_INT(att_keywrap_create_master(a, path), 0);
	ATT_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
			  st.st_size == 32,
		  "0600, 32 bytes");
	ATT_CHECK_EQ_INT(att_keywrap_load_master(b, path, 0), 0);
	ATT_CHECK(!memcmp(a, b, 32), "load reads what create returned");
	ATT_CHECK_EQ_INT(att_keywrap_create_master(c, path), ATT_ERR_EXISTS);
	ATT_CHECK_EQ_INT(att_keywrap_load_master(c, path, 0), 0);
	ATT_CHECK(!memcmp(a, c, 32), "an existing key is never replaced");
	snprintf(bad, sizeof(bad), "%s/no-such-dir/master.key", dir);
	ATT_CHECK_EQ_INT(att_keywrap_create_master(c, bad), ATT_ERR_IO);
	ATT_CHECK(stat(bad, &st) != 0, "nothing created on failure");
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_roundtrip();
	test_master_file();
	test_create_master();
	return att_test_done();
}
