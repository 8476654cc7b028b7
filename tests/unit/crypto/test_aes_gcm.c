/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto/aes_gcm.h against the test cases of the GCM specification
 * (McGrew and Viega, "The Galois/Counter Mode of Operation", test cases
 * 1, 4 and 16, the vectors NIST's CAVP GCM tests include): encryption,
 * decryption, in-place operation; every single-bit change of ciphertext,
 * tag, IV and associated data refused with the output wiped; argument
 * checks.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/aes_gcm.h"
#include "harness/tap.h"

static const char p_hex[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
static const char a_hex[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
static const char iv_hex[] = "cafebabefacedbaddecaf888";

static const struct {
	const char *name, *key, *ct, *tag;
} vecs[] = {
    {"test case 4 (AES-128)", "feffe9928665731c6d6a8f9467308308",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"test case 16 (AES-256)",
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

static void hex(uint8_t *out, size_t n, const char *s)
{
	ATT_CHECK(att_hex_decode_fixed(out, n, s, strlen(s)) == 0, "hex %s",
		  s);
}

static void one(size_t i)
{
	uint8_t key[32], p[60], a[20], iv[12], ct[60], tag[16], out[60], t[16];
	size_t kl = strlen(vecs[i].key) / 2;
	hex(key, kl, vecs[i].key);
	hex(p, sizeof(p), p_hex);
	hex(a, sizeof(a), a_hex);
	hex(iv, sizeof(iv), iv_hex);
	hex(ct, sizeof(ct), vecs[i].ct);
	hex(tag, sizeof(tag), vecs[i].tag);
	ATT_CHECK(att_aes_gcm_encrypt(key, kl, iv, 12, a, 20, p, 60, out, t) ==
			  0 &&
		      !memcmp(out, ct, 60) && !memcmp(t, tag, 16),
		  "%s: encrypt", vecs[i].name);
	memset(out, 0xaa, sizeof(out));
	ATT_CHECK(att_aes_gcm_decrypt(key, kl, iv, 12, a, 20, ct, 60, tag, 16,
				      out) == 0 &&
		      !memcmp(out, p, 60),
		  "%s: decrypt", vecs[i].name);
	memcpy(out, p, 60);
	ATT_CHECK(att_aes_gcm_encrypt(key, kl, iv, 12, a, 20, out, 60, out,
				      t) == 0 &&
		      !memcmp(out, ct, 60),
		  "%s: in place", vecs[i].name);
	/* Every bit of ciphertext, tag, IV and associated data matters. */
	size_t bad = 0, wiped = 0, n = 0;
	for (size_t bit = 0; bit < 8 * (60 + 16 + 12 + 20); bit++, n++) {
		uint8_t c2[60], t2[16], iv2[12], a2[20];
		memcpy(c2, ct, 60);
		memcpy(t2, tag, 16);
		memcpy(iv2, iv, 12);
		memcpy(a2, a, 20);
		size_t byte = bit / 8;
		uint8_t m = (uint8_t)(1u << (bit % 8));
		if (byte < 60)
			c2[byte] ^= m;
		else if (byte < 76)
			t2[byte - 60] ^= m;
		else if (byte < 88)
			iv2[byte - 76] ^= m;
		else
			a2[byte - 88] ^= m;
		memset(out, 0x55, sizeof(out));
		if (att_aes_gcm_decrypt(key, kl, iv2, 12, a2, 20, c2, 60, t2,
					16, out) == ATT_ERR_SIG_INVALID)
			bad++;
		uint8_t z[60] = {0};
		if (!memcmp(out, z, 60))
			wiped++;
	}
	ATT_CHECK(bad == n && wiped == n,
		  "%s: %zu of %zu one-bit changes refused, %zu outputs wiped",
		  vecs[i].name, bad, n, wiped);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		one(i);

	/* Test case 1: zero key and IV, no plaintext, no associated data. */
	uint8_t k0[16] = {0}, iv0[12] = {0}, t[16], want[16], buf[4];
	hex(want, 16, "58e2fccefa7e3061367f1d57a4e7455a");
	ATT_CHECK(att_aes_gcm_encrypt(k0, 16, iv0, 12, NULL, 0, NULL, 0, NULL,
				      t) == 0 &&
		      !memcmp(t, want, 16),
		  "test case 1: empty message, tag only");
	ATT_CHECK(att_aes_gcm_decrypt(k0, 16, iv0, 12, NULL, 0, NULL, 0, want,
				      16, NULL) == 0,
		  "test case 1: the tag verifies");

	/* Arguments. */
	ATT_CHECK_EQ_INT(att_aes_gcm_encrypt(k0, 15, iv0, 12, NULL, 0, NULL, 0,
					     NULL, t),
			 ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_aes_gcm_encrypt(k0, 16, iv0, 0, NULL, 0, NULL, 0,
					     NULL, t),
			 ATT_ERR_INVALID_ARG);
	uint8_t longiv[ATT_AES_GCM_MAX_IV_LEN + 1] = {0};
	ATT_CHECK_EQ_INT(att_aes_gcm_encrypt(k0, 16, longiv, sizeof(longiv),
					     NULL, 0, NULL, 0, NULL, t),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_aes_gcm_decrypt(k0, 16, iv0, 12, NULL, 0, buf, 4,
					     want, 12, buf),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_aes_gcm_encrypt(k0, 16, iv0, 12, "x", 1, NULL, 4,
					     buf, t),
			 ATT_ERR_INVALID_ARG);
	return att_test_done();
}
