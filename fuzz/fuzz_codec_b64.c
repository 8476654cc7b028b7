/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: base64/base64url and hex decoders, with a round trip, and
 * the table-driven base64 decoder against a bit-at-a-time reference (the
 * decoder it replaced): same result, same bytes. The strict decoders
 * (canonical base64url, canonical base64) accept an input exactly when
 * the tolerant decoder does and the matching encoder writes the input
 * back, and then give the same bytes: one spelling per byte string. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/b64.h"
#include "codec/hex.h"

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

/* ref_decode: 0 and the bytes in o (*k of them), or -1 when refused. */
static int ref_decode(uint8_t *o, size_t *k, const uint8_t *in, size_t len)
{
	size_t n = len;
	while (n > 0 && in[n - 1] == '=' && len - n < 2)
		n--;
	if (n % 4 == 1 || (n != len && len % 4 != 0))
		return -1;
	uint32_t acc = 0;
	int bits = 0;
	*k = 0;
	for (size_t i = 0; i < n; i++) {
		int v = ref_val(in[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[(*k)++] = (uint8_t)(acc >> bits);
		}
	}
	return 0;
}

static void check_against_reference(const uint8_t *data, size_t size)
{
	uint8_t *want = malloc(size / 4 * 3 + 3), *out = NULL;
	size_t wn = 0, n = 0;
	if (!want)
		return;
	int wr = ref_decode(want, &wn, data, size);
	int r = att_b64_decode(&out, &n, (const char *)data, size);
	if ((r == 0) != (wr == 0))
		abort();
	if (r == 0 && (n != wn || memcmp(out, want, n) != 0 || out[n] != 0))
		abort();
	free(out);
	free(want);
}

/* check_strict: the strict decoder of one alphabet against "tolerant
 * decode, then encode, gives the input back". */
static void check_strict(const uint8_t *data, size_t size, bool url)
{
	uint8_t *t = NULL, *d = NULL;
	size_t tn = 0, n = 0;
	bool canonical = false;
	const char *why = NULL;
	if (att_b64_decode(&t, &tn, (const char *)data, size) == 0) {
		char *e = url ? att_b64url_encode(t, tn) : att_b64_encode(t, tn);
		if (!e)
			abort();
		canonical = strlen(e) == size && !memcmp(e, data, size);
		free(e);
	}
	int r = url ? att_b64url_decode_strict(&d, &n, (const char *)data,
					       size, &why)
		    : att_b64_decode_strict(&d, &n, (const char *)data, size,
					    &why);
	if ((r == 0) != canonical || (r != 0 && (d || !why)))
		abort();
	if (r == 0 && (why || n != tn || memcmp(d, t, n) != 0 || d[n] != 0))
		abort();
	free(t);
	free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out;
	size_t n;
	check_against_reference(data, size);
	check_strict(data, size, true);
	check_strict(data, size, false);
	if (att_b64_decode(&out, &n, (const char *)data, size) == 0) {
		char *e = att_b64url_encode(out, n);
		uint8_t *back;
		size_t m;
		if (e && att_b64_decode(&back, &m, e, strlen(e)) == 0) {
			if (m != n || memcmp(back, out, n) != 0)
				abort();
			free(back);
		}
		free(e);
		free(out);
	}
	if (att_hex_decode(&out, &n, (const char *)data, size) == 0)
		free(out);
	return 0;
}
