/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: base64url (padded and unpadded, standard alphabet tolerated)
 * and hex, with the RFC 4648 §10 vectors. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* ref_decode is the straightforward bit-at-a-time decoder the table
 * driven one replaced: the behaviour both must share. */
static int ref_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

static int ref_decode(uint8_t *o, size_t *k, const char *in, size_t in_len)
{
	size_t n = in_len;
	while (n > 0 && in[n - 1] == '=' && in_len - n < 2)
		n--;
	if (n % 4 == 1 || (n != in_len && in_len % 4 != 0))
		return ATT_ERR_FORMAT;
	uint32_t acc = 0;
	int bits = 0;
	*k = 0;
	for (size_t i = 0; i < n; i++) {
		int v = ref_val((unsigned char)in[i]);
		if (v < 0)
			return ATT_ERR_FORMAT;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[(*k)++] = (uint8_t)(acc >> bits);
		}
	}
	return 0;
}

/* same_as_ref: the decoder agrees with ref_decode on in (result, bytes,
 * NUL terminator, no output on failure). */
static bool same_as_ref(const char *in, size_t len)
{
	uint8_t want[64], *d = NULL;
	size_t wn = 0, n = 0;
	int wr = ref_decode(want, &wn, in, len);
	int r = att_b64_decode(&d, &n, in, len);
	bool same = r == wr &&
		    (r ? d == NULL && n == 0
		       : d && n == wn && !memcmp(d, want, n) && d[n] == 0);
	free(d);
	return same;
}

/* Every string of up to 5 characters over an alphabet with both
 * alphabets' specials, padding, stray and high bytes, and NUL; then
 * pseudo-random longer strings. */
static void test_b64_vs_reference(void)
{
	static const char alpha[] = "AQz9-_+/=! \x80";
	const size_t na = sizeof(alpha); /* includes the NUL */
	char buf[48];
	size_t bad = 0, total = 0;
	for (size_t len = 0; len <= 5; len++) {
		size_t count = 1;
		for (size_t i = 0; i < len; i++)
			count *= na;
		for (size_t c = 0; c < count; c++) {
			size_t x = c;
			for (size_t i = 0; i < len; i++, x /= na)
				buf[i] = alpha[x % na];
			total++;
			bad += !same_as_ref(buf, len);
		}
	}
	uint32_t seed = 12345;
	for (int t = 0; t < 20000; t++) {
		size_t len = (seed = seed * 1103515245u + 12345u) >> 16 & 47;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			/* mostly valid characters, some padding and strays */
			buf[i] = r % 16 ? "ABCxyz019-_+/Qgw"[r >> 4 & 15]
					: alpha[(r >> 4) % na];
		}
		total++;
		bad += !same_as_ref(buf, len);
	}
	ATT_CHECK(bad == 0, "table decoder = reference on %zu inputs "
			    "(%zu differ)", total, bad);
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
	test_b64_vs_reference();
	test_hex();
	return att_test_done();
}
