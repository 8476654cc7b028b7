/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto/aes_cfb.h against NIST SP 800-38A Appendix F.3.13-F.3.18
 * (CFB128-AES128/192/256, encryption and decryption); a length that is
 * not a whole number of blocks (CFB needs no padding: every prefix of the
 * plaintext encrypts to the same prefix of the ciphertext); in-place
 * operation; the NULL IV being the all-zero IV; argument checks.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/aes_cfb.h"
#include "harness/tap.h"

static const char iv_hex[] = "000102030405060708090a0b0c0d0e0f";
static const char plain_hex[] =
	"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	"30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

static const struct {
	const char *key_hex, *ct_hex;
} vecs[] = {
	/* F.3.13 / F.3.14 CFB128-AES128 */
	{"2b7e151628aed2a6abf7158809cf4f3c",
	 "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b"
	 "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6"},
	/* F.3.15 / F.3.16 CFB128-AES192 */
	{"8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
	 "cdc80d6fddf18cab34c25909c99a417467ce7f7f81173621961a2b70171d3d7a"
	 "2e1e8a1dd59b88b1c8e60fed1efac4c9c05f9f9ca9834fa042ae8fba584b09ff"},
	/* F.3.17 / F.3.18 CFB128-AES256 */
	{"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	 "dc7e84bfda79164b7ecd8486985d386039ffed143b28b1c832113c6331e5407b"
	 "df10132415e54b92a13ed0a8267ae2f975a385741ab9cef82031623d55b1e471"},
};

static size_t unhex(uint8_t *out, size_t cap, const char *h)
{
	size_t n = strlen(h) / 2;
	if (n > cap || att_hex_decode_fixed(out, n, h, strlen(h)) != 0)
		return 0;
	return n;
}

static void test_nist(void)
{
	uint8_t iv[16], pt[64], want[64], key[32], out[64], buf[64];
	unhex(iv, 16, iv_hex);
	ATT_CHECK_EQ_INT(unhex(pt, 64, plain_hex), 64);
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		size_t kl = unhex(key, 32, vecs[i].key_hex);
		ATT_CHECK_EQ_INT(unhex(want, 64, vecs[i].ct_hex), 64);
		ATT_CHECK(att_aes_cfb(true, key, kl, iv, pt, 64, out) == 0 &&
				  !memcmp(out, want, 64),
			  "AES-%zu-CFB encrypt", 8 * kl);
		ATT_CHECK(att_aes_cfb(false, key, kl, iv, want, 64, out) == 0 &&
				  !memcmp(out, pt, 64),
			  "AES-%zu-CFB decrypt", 8 * kl);
		/* every prefix, including ones that end inside a block */
		int bad = 0;
		for (size_t n = 1; n <= 64; n++) {
			memset(out, 0, sizeof(out));
			if (att_aes_cfb(true, key, kl, iv, pt, n, out) != 0 ||
			    memcmp(out, want, n) || (n < 64 && out[n] != 0))
				bad++;
		}
		ATT_CHECK(bad == 0, "AES-%zu: %d prefixes wrong", 8 * kl, bad);
		memcpy(buf, pt, 64);
		ATT_CHECK(att_aes_cfb(true, key, kl, iv, buf, 37, buf) == 0 &&
				  !memcmp(buf, want, 37) &&
				  !memcmp(buf + 37, pt + 37, 27),
			  "in place");
		ATT_CHECK(att_aes_cfb(false, key, kl, iv, buf, 37, buf) == 0 &&
				  !memcmp(buf, pt, 64),
			  "in place back");
	}
}

static void test_zero_iv_and_args(void)
{
	static const uint8_t zero[16];
	uint8_t key[16], a[40], b[40], in[40];
	unhex(key, 16, vecs[0].key_hex);
	memset(in, 0x5c, sizeof(in));
	ATT_CHECK(att_aes_cfb(true, key, 16, NULL, in, 40, a) == 0 &&
			  att_aes_cfb(true, key, 16, zero, in, 40, b) == 0 &&
			  !memcmp(a, b, 40) && memcmp(a, in, 40),
		  "NULL IV is the zero IV");
	ATT_CHECK_EQ_INT(att_aes_cfb(true, key, 15, NULL, in, 40, a),
			 ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_aes_cfb(true, key, 0, NULL, in, 40, a),
			 ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_aes_cfb(true, NULL, 16, NULL, in, 40, a),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_aes_cfb(true, key, 16, NULL, NULL, 40, a),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_aes_cfb(true, key, 16, NULL, in, 40, NULL),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_aes_cfb(true, key, 16, NULL, NULL, 0, NULL), 0);
}

int main(void)
{
	test_nist();
	test_zero_iv_and_args();
	return att_test_done();
}
