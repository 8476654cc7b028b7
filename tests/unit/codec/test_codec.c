/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: base64url (padded and unpadded, standard alphabet tolerated)
 * and hex, with the RFC 4648 §10 vectors; the strict decoders (canonical
 * base64url and base64 only): the vectors, each kind of refusal with its
 * reason, and, on every short string, "strict accepts s exactly when the
 * tolerant decoder does and re-encoding gives s back". */
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

/* strict_ok: the strict decoder of the url (or standard) alphabet accepts
 * in and decodes it to want (n bytes, NUL-terminated). */
static bool strict_ok(bool url, const char *in, const void *want, size_t n)
{
	uint8_t *d = NULL;
	size_t k = 0;
	const char *why = "unset";
	int r = url ? att_b64url_decode_strict(&d, &k, in, strlen(in), &why)
		    : att_b64_decode_strict(&d, &k, in, strlen(in), &why);
	bool ok = r == 0 && why == NULL && d && k == n &&
		  !memcmp(d, want, n) && d[n] == 0;
	free(d);
	return ok;
}

/* strict_why: the strict decoder refuses in; returns its reason. */
static const char *strict_why(bool url, const char *in)
{
	uint8_t *d = (uint8_t *)"x";
	size_t k = 9;
	const char *why = NULL;
	int r = url ? att_b64url_decode_strict(&d, &k, in, strlen(in), &why)
		    : att_b64_decode_strict(&d, &k, in, strlen(in), &why);
	ATT_CHECK(r == ATT_ERR_FORMAT && d == NULL && k == 0 && why,
		  "%s \"%s\": refused with no output (r=%d)",
		  url ? "url" : "std", in, r);
	return why ? why : "";
}

static void test_b64_strict(void)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob",
					    "fooba", "foobar"};
	static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg",
					  "Zm9vYmE", "Zm9vYmFy"};
	static const char *const std[] = {"", "Zg==", "Zm8=", "Zm9v",
					  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < 7; i++) {
		size_t n = strlen(plain[i]);
		ATT_CHECK(strict_ok(true, url[i], plain[i], n), "url %s", url[i]);
		ATT_CHECK(strict_ok(false, std[i], plain[i], n), "std %s", std[i]);
	}
	const uint8_t bin[] = {0xfb, 0xff, 0xfe};
	ATT_CHECK(strict_ok(true, "-__-", bin, 3), "url specials");
	ATT_CHECK(strict_ok(false, "+//+", bin, 3), "std specials");

	/* Other spellings of "f" ("Zg"): the low 4 bits of the second
	 * character are unused; the tolerant decoder reads "Zh" as "f" too. */
	uint8_t *d = NULL;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_b64_decode(&d, &n, "Zh", 2), 0);
	ATT_CHECK(n == 1 && d[0] == 'f', "tolerant: Zh is f");
	free(d);
	const char *w = strict_why(true, "Zh");
	ATT_CHECK(strstr(w, "non-zero unused bits") != NULL, "Zh: %s", w);
	w = strict_why(false, "Zh==");
	ATT_CHECK(strstr(w, "non-zero unused bits") != NULL, "Zh==: %s", w);
	w = strict_why(true, "Zm9");
	ATT_CHECK(strstr(w, "non-zero unused bits") != NULL, "Zm9: %s", w);
	w = strict_why(false, "Zm9=");
	ATT_CHECK(strstr(w, "non-zero unused bits") != NULL, "Zm9=: %s", w);

	/* Lengths, padding and alphabets. */
	w = strict_why(true, "Zm9vY");
	ATT_CHECK(strstr(w, "4n+1") != NULL, "Zm9vY: %s", w);
	w = strict_why(false, "Zm9vY===");
	ATT_CHECK(strstr(w, "4n+1") != NULL, "Zm9vY===: %s", w);
	w = strict_why(true, "Zg==");
	ATT_CHECK(strstr(w, "padding") != NULL, "url Zg==: %s", w);
	w = strict_why(true, "Zm8=");
	ATT_CHECK(strstr(w, "padding") != NULL, "url Zm8=: %s", w);
	static const char *const bad_pad[] = {"Zg", "Zg=", "Zm8", "Zm8==",
					      "Zm9v=", "Zm9v====", "Zg==="};
	for (size_t i = 0; i < sizeof(bad_pad) / sizeof(bad_pad[0]); i++) {
		w = strict_why(false, bad_pad[i]);
		ATT_CHECK(strstr(w, "padding") != NULL || strstr(w, "4n+1"),
			  "std %s: %s", bad_pad[i], w);
	}
	w = strict_why(true, "+//+");
	ATT_CHECK(strstr(w, "outside the base64url alphabet") != NULL, "%s", w);
	w = strict_why(false, "-__-");
	ATT_CHECK(strstr(w, "outside the base64 alphabet") != NULL, "%s", w);
	w = strict_why(true, "Zm=v");
	ATT_CHECK(strstr(w, "alphabet") != NULL, "Zm=v: %s", w);
	w = strict_why(false, "Zg==Zg==");
	ATT_CHECK(strstr(w, "alphabet") != NULL, "Zg==Zg==: %s", w);
	w = strict_why(true, "Zm9v\n");
	ATT_CHECK(strstr(w, "alphabet") != NULL, "newline: %s", w);
	w = strict_why(false, " Zm9v");
	ATT_CHECK(strstr(w, "alphabet") != NULL, "space: %s", w);
	ATT_CHECK_EQ_INT(att_b64url_decode_strict(&d, &n, "Zh", 2, NULL),
			 ATT_ERR_FORMAT);
}

/* Each byte string has exactly one strict spelling: of the 4 (2 bytes
 * left) or 16 (1 byte left) last characters that decode to the same
 * bytes, the strict decoders accept only the encoder's. */
static void test_b64_strict_one_spelling(void)
{
	static const char url_a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t accepted = 0, variants = 0, wrong = 0;
	for (unsigned v = 0; v < 65536 + 256; v += 7) {
		uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
		size_t nb = v < 65536 ? 2 : 1;
		if (nb == 1)
			b[0] = (uint8_t)(v - 65536);
		char *e = att_b64url_encode(b, nb);
		size_t len = strlen(e), last = len - 1;
		const char *p = strchr(url_a, e[last]);
		unsigned mask = nb == 2 ? 3 : 15, base = (unsigned)(p - url_a) & ~mask;
		for (unsigned k = 0; k <= mask; k++) {
			uint8_t *d = NULL, *t = NULL;
			size_t n = 0, tn = 0;
			e[last] = url_a[base + k];
			variants++;
			/* every variant means the same bytes to a tolerant
			 * decoder ... */
			wrong += att_b64_decode(&t, &tn, e, len) != 0 ||
				 tn != nb || memcmp(t, b, nb) != 0;
			/* ... and exactly one is accepted strictly */
			if (att_b64url_decode_strict(&d, &n, e, len, NULL) == 0) {
				accepted++;
				wrong += (base + k) != (unsigned)(p - url_a);
			}
			free(d);
			free(t);
		}
		free(e);
	}
	ATT_CHECK(wrong == 0, "%zu of %zu variants misread", wrong, variants);
	ATT_CHECK(accepted * 4 < variants && accepted > 9000,
		  "%zu of %zu variants accepted", accepted, variants);
}

/* strict_is_canonical: the strict decoder (url or std) accepts in exactly
 * when the tolerant one does and the matching encoder writes in back. */
static bool strict_is_canonical(bool url, const char *in, size_t len)
{
	uint8_t *t = NULL, *d = NULL;
	size_t tn = 0, n = 0;
	bool canonical = false, same = true;
	if (att_b64_decode(&t, &tn, in, len) == 0) {
		char *e = url ? att_b64url_encode(t, tn) : att_b64_encode(t, tn);
		canonical = e && strlen(e) == len && !memcmp(e, in, len);
		free(e);
	}
	int r = url ? att_b64url_decode_strict(&d, &n, in, len, NULL)
		    : att_b64_decode_strict(&d, &n, in, len, NULL);
	if (r == 0)
		same = n == tn && t && !memcmp(d, t, n);
	free(t);
	free(d);
	return (r == 0) == canonical && same;
}

static void test_b64_strict_exhaustive(void)
{
	static const char alpha[] = "AQBgwz9-_+/=! \x80";
	const size_t na = sizeof(alpha); /* includes the NUL */
	char buf[48];
	size_t bad = 0, total = 0;
	for (size_t len = 0; len <= 4; len++) {
		size_t count = 1;
		for (size_t i = 0; i < len; i++)
			count *= na;
		for (size_t c = 0; c < count; c++) {
			size_t x = c;
			for (size_t i = 0; i < len; i++, x /= na)
				buf[i] = alpha[x % na];
			total += 2;
			bad += !strict_is_canonical(true, buf, len);
			bad += !strict_is_canonical(false, buf, len);
		}
	}
	uint32_t seed = 4242;
	for (int t = 0; t < 20000; t++) {
		size_t len = (seed = seed * 1103515245u + 12345u) >> 16 & 47;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			buf[i] = r % 16 ? "ABCxyz019-_+/Qgw"[r >> 4 & 15]
					: alpha[(r >> 4) % na];
		}
		total += 2;
		bad += !strict_is_canonical(true, buf, len);
		bad += !strict_is_canonical(false, buf, len);
	}
	ATT_CHECK(bad == 0, "strict = canonical on %zu inputs (%zu differ)",
		  total, bad);
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
	test_b64_strict();
	test_b64_strict_one_spelling();
	test_b64_strict_exhaustive();
	test_hex();
	return att_test_done();
}
