/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto/rsa_enc.h, and crypto/aes_gcm.h as the sealed AzureGuest answer
 * uses it, against the GCM specification's AES-256 test cases
 * (McGrew and Viega, "The Galois/Counter Mode of Operation", test cases
 * 13, 14 and 16, as used by NIST's GCM validation): ciphertext and tag,
 * decryption, a flipped bit in ciphertext, tag, IV or associated data
 * refused with ATT_ERR_SIG_INVALID and the output wiped; argument checks;
 * and crypto/rsa_enc.h round trips (RSAES-PKCS1-v1_5, RSAES-OAEP SHA-1
 * and SHA-256) with a wrong key and a tampered input refused.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/aes_gcm.h"
#include "crypto/rsa_enc.h"
#include "harness/tap.h"

static size_t unhex(uint8_t *out, size_t cap, const char *h)
{
	size_t n = strlen(h) / 2;
	if (n > cap || att_hex_decode_fixed(out, n, h, strlen(h)) != 0)
		return 0;
	return n;
}

static const struct {
	const char *name, *key, *iv, *pt, *aad, *ct, *tag;
} vecs[] = {
	{"test case 13", "0000000000000000000000000000000000000000000000000000000000000000",
	 "000000000000000000000000", "", "", "",
	 "530f8afbc74536b9a963b4f1c4cb738b"},
	{"test case 14", "0000000000000000000000000000000000000000000000000000000000000000",
	 "000000000000000000000000", "00000000000000000000000000000000", "",
	 "cea7403d4d606b6e074ec5d3baf39d18",
	 "d0d1c8a799996bf0265b98b5d48ab919"},
	{"test case 16",
	 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	 "cafebabefacedbaddecaf888",
	 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	 "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	 "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	 "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	 "76fc6ece0f4e1768cddf8853bb2d551b"},
};

static void test_vectors(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		uint8_t key[32], iv[12], pt[64], aad[32], ct[64], tag[16];
		uint8_t out[64], t[16];
		size_t kl = unhex(key, 32, vecs[i].key);
		size_t il = unhex(iv, 12, vecs[i].iv);
		size_t pl = unhex(pt, 64, vecs[i].pt);
		size_t al = unhex(aad, 32, vecs[i].aad);
		ATT_CHECK_EQ_INT(unhex(ct, 64, vecs[i].ct), pl);
		unhex(tag, 16, vecs[i].tag);
		ATT_CHECK(att_aes_gcm_encrypt(key, kl, iv, il, al ? aad : NULL,
					      al, pl ? pt : NULL, pl,
					      pl ? out : NULL, t) == 0 &&
				  !memcmp(out, ct, pl) && !memcmp(t, tag, 16),
			  "%s: encrypt", vecs[i].name);
		ATT_CHECK(att_aes_gcm_decrypt(key, kl, iv, il, al ? aad : NULL,
					      al, pl ? ct : NULL, pl, tag, 16, pl ? out : NULL) == 0 &&
				  !memcmp(out, pt, pl),
			  "%s: decrypt", vecs[i].name);
		t[3] ^= 1;
		ATT_CHECK_EQ_INT(att_aes_gcm_decrypt(key, kl, iv, il,
						     al ? aad : NULL, al,
						     pl ? ct : NULL, pl, t, 16, pl ? out : NULL),
				 ATT_ERR_SIG_INVALID);
	}
}

static void test_tamper(void)
{
	uint8_t key[32], iv[12], pt[60], aad[20], ct[60], tag[16], out[60];
	unhex(key, 32, vecs[2].key);
	unhex(iv, 12, vecs[2].iv);
	unhex(pt, 60, vecs[2].pt);
	unhex(aad, 20, vecs[2].aad);
	unhex(ct, 60, vecs[2].ct);
	unhex(tag, 16, vecs[2].tag);
	ct[17] ^= 0x80;
	memset(out, 0x55, sizeof(out));
	ATT_CHECK_EQ_INT(att_aes_gcm_decrypt(key, 32, iv, 12, aad, 20, ct, 60, tag, 16, out),
			 ATT_ERR_SIG_INVALID);
	uint8_t zero[60] = {0};
	ATT_CHECK(!memcmp(out, zero, 60), "failed decryption wipes out");
	ct[17] ^= 0x80;
	aad[0] ^= 1;
	ATT_CHECK_EQ_INT(att_aes_gcm_decrypt(key, 32, iv, 12, aad, 20, ct, 60, tag, 16, out),
			 ATT_ERR_SIG_INVALID);
	aad[0] ^= 1;
	iv[11] ^= 1;
	ATT_CHECK_EQ_INT(att_aes_gcm_decrypt(key, 32, iv, 12, aad, 20, ct, 60, tag, 16, out),
			 ATT_ERR_SIG_INVALID);
	iv[11] ^= 1;
	ATT_CHECK_EQ_INT(att_aes_gcm_decrypt(key, 32, iv, 12, aad, 19, ct, 60, tag, 16, out),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_aes_gcm_decrypt(key, 32, iv, 12, aad, 20, ct, 60, tag, 16, out),
			 0);
	/* arguments */
	ATT_CHECK_EQ_INT(att_aes_gcm_encrypt(key, 31, iv, 12, NULL, 0, pt, 60,
					     out, tag),
			 ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_aes_gcm_encrypt(key, 32, iv, 0, NULL, 0, pt, 60,
					     out, tag),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_aes_gcm_encrypt(key, 32, iv, 12, NULL, 0, NULL,
					     60, out, tag),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_aes_gcm_encrypt(key, 32, NULL, 12, NULL, 0, pt,
					     60, out, tag),
			 ATT_ERR_INVALID_ARG);
}

static void test_rsa(void)
{
	struct att_pkey *k = NULL, *other = NULL;
	uint8_t msg[32], ct[256], pt[256];
	size_t ctl = 0, ptl = 0;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	ATT_CHECK(att_pkey_generate(&k, ATT_KEY_RSA2048) == 0 &&
			  att_pkey_generate(&other, ATT_KEY_RSA2048) == 0,
		  "RSA keys");
	static const struct {
		enum att_rsa_pad pad;
		enum att_md md;
		const char *name;
	} s[] = {{ATT_RSA_PAD_PKCS1, ATT_MD_SHA256, "PKCS1-v1_5"},
		 {ATT_RSA_PAD_OAEP, ATT_MD_SHA1, "OAEP SHA-1"},
		 {ATT_RSA_PAD_OAEP, ATT_MD_SHA256, "OAEP SHA-256"}};
	for (size_t i = 0; k && other && i < 3; i++) {
		ATT_CHECK(att_rsa_encrypt(k, s[i].pad, s[i].md, msg, 32, ct,
					  sizeof(ct), &ctl) == 0 &&
				  ctl == 256,
			  "%s: encrypt", s[i].name);
		ATT_CHECK(att_rsa_decrypt(k, s[i].pad, s[i].md, ct, ctl, pt,
					  sizeof(pt), &ptl) == 0 &&
				  ptl == 32 && !memcmp(pt, msg, 32),
			  "%s: decrypt", s[i].name);
		ATT_CHECK(att_rsa_decrypt(other, s[i].pad, s[i].md, ct, ctl, pt,
					  sizeof(pt), &ptl) != 0 ||
				  ptl != 32 || memcmp(pt, msg, 32),
			  "%s: another key does not decrypt", s[i].name);
		ct[100] ^= 1;
		ATT_CHECK(att_rsa_decrypt(k, s[i].pad, s[i].md, ct, ctl, pt,
					  sizeof(pt), &ptl) != 0 ||
				  ptl != 32 || memcmp(pt, msg, 32),
			  "%s: tampered input refused", s[i].name);
		ATT_CHECK_EQ_INT(att_rsa_encrypt(k, s[i].pad, s[i].md, msg, 32,
						 ct, 100, &ctl),
				 ATT_ERR_INVALID_ARG);
	}
	ATT_CHECK_EQ_INT(att_rsa_encrypt(k, (enum att_rsa_pad)9, ATT_MD_SHA256,
					 msg, 32, ct, sizeof(ct), &ctl),
			 ATT_ERR_ALG);
	att_pkey_free(k);
	att_pkey_free(other);
}

int main(void)
{
	test_vectors();
	test_tamper();
	test_rsa();
	return att_test_done();
}
