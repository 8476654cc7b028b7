/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: base64url (padded and unpadded, standard alphabet tolerated)
 * and hex, with the RFC 4648 §10 vectors. */
#include <stdlib.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "harness/tap.h"

static void check_roundtrip(const char *plain, const char *url,
			    const char *std)
{
	char *e = att_b64url_encode((const uint8_t *)plain, strlen(plain));
	ATT_CHECK_EQ_STR(e, url);
	free(e);
	e = att_b64_encode((const uint8_t *)plain, strlen(plain));
	ATT_CHECK_EQ_STR(e, std);
	free(e);
	const char *inputs[] = {url, std};
	for (int i = 0; i < 2; i++) {
		uint8_t *d;
		size_t n;
		ATT_CHECK_EQ_INT(att_b64_decode(&d, &n, inputs[i],
						strlen(inputs[i])),
				 0);
		ATT_CHECK(d && n == strlen(plain) && memcmp(d, plain, n) == 0,
			  "decode %s", inputs[i]);
		free(d);
	}
}

static void test_b64(void)
{
	check_roundtrip("", "", "");
	check_roundtrip("f", "Zg", "Zg==");
	check_roundtrip("fo", "Zm8", "Zm8=");
	check_roundtrip("foo", "Zm9v", "Zm9v");
	check_roundtrip("foob", "Zm9vYg", "Zm9vYg==");
	check_roundtrip("fooba", "Zm9vYmE", "Zm9vYmE=");
	check_roundtrip("foobar", "Zm9vYmFy", "Zm9vYmFy");
	const uint8_t bin[] = {0xfb, 0xff, 0xfe};
	char *e = att_b64url_encode(bin, 3);
	ATT_CHECK_EQ_STR(e, "-__-");
	free(e);
	e = att_b64_encode(bin, 3);
	ATT_CHECK_EQ_STR(e, "+//+");
	free(e);
	uint8_t *d;
	size_t n;
	ATT_CHECK_EQ_INT(att_b64_decode(&d, &n, "+//+", 4), 0);
	ATT_CHECK(n == 3 && memcmp(d, bin, 3) == 0, "std alphabet");
	free(d);
	const char *bad[] = {"Z", "Zm9v!", "Zg===", "Z===", "Zm.v"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ATT_CHECK_EQ_INT(att_b64_decode(&d, &n, bad[i], strlen(bad[i])),
				 ATT_ERR_FORMAT);
		ATT_CHECK(d == NULL, "no output on failure");
	}
}

static void test_hex(void)
{
	const uint8_t b[] = {0x00, 0xab, 0xCD, 0xff};
	char s[9];
	att_hex_encode(s, sizeof(s), b, 4, false);
	ATT_CHECK_EQ_STR(s, "00abcdff");
	att_hex_encode(s, sizeof(s), b, 4, true);
	ATT_CHECK_EQ_STR(s, "00ABCDFF");
	uint8_t *d;
	size_t n;
	ATT_CHECK_EQ_INT(att_hex_decode(&d, &n, "00ABcdff", 8), 0);
	ATT_CHECK(n == 4 && memcmp(d, b, 4) == 0, "hex decode");
	free(d);
	ATT_CHECK_EQ_INT(att_hex_decode(&d, &n, "abc", 3), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_hex_decode(&d, &n, "zz", 2), ATT_ERR_FORMAT);
	uint8_t f[2];
	ATT_CHECK_EQ_INT(att_hex_decode_fixed(f, 2, "0102", 4), 0);
	ATT_CHECK_EQ_INT(att_hex_decode_fixed(f, 2, "010203", 6),
			 ATT_ERR_FORMAT);
}

int main(void)
{
	test_b64();
	test_hex();
	return att_test_done();
}
