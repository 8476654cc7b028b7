/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 and base64url (RFC 4648 §4, §5). Decoding is table driven, four
 * characters (three bytes) at a time. The strict decoders check the shape
 * of the text (alphabet, padding, length) and the unused bits of its last
 * character first, then share the tolerant decoder's loop. */
#include "codec/b64.h"

#include <stdbool.h>
#include <stdlib.h>

#include "attest/err.h"

static const char url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char std_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *encode(const uint8_t *in, size_t n, const char *alpha, int pad)
{
	if (n > (SIZE_MAX - 4) / 4 * 3 - 3)
		return NULL;
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];
		*o++ = alpha[v >> 18 & 63];
		*o++ = alpha[v >> 12 & 63];
		*o++ = alpha[v >> 6 & 63];
		*o++ = alpha[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		*o++ = alpha[v >> 18 & 63];
		*o++ = alpha[v >> 12 & 63];
		if (pad) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*o++ = alpha[v >> 18 & 63];
		*o++ = alpha[v >> 12 & 63];
		*o++ = alpha[v >> 6 & 63];
		if (pad)
			*o++ = '=';
	}
	*o = 0;
	return out;
}

char *att_b64url_encode(const uint8_t *in, size_t in_len)
{
	return encode(in, in_len, url_alpha, 0);
}

char *att_b64_encode(const uint8_t *in, size_t in_len)
{
	return encode(in, in_len, std_alpha, 1);
}

/* The 6-bit value of each byte in either alphabet ('-' and '+' are 62,
 * '_' and '/' are 63); X (bit 7 set) for every other byte, '=' included
 * (padding is stripped before decoding). */
#define X 0xff
static const uint8_t dec[256] = {
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, 62, X, 62, X, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 63,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
#undef X

/* decode_body decodes n characters (n % 4 != 1, padding removed): whole
 * 4-character blocks, then a 2- or 3-character tail whose unused low
 * bits are ignored. Sets *len to the byte count; false on a stray byte. */
static bool decode_body(uint8_t *o, size_t *len, const unsigned char *p,
			size_t n)
{
	size_t i = 0, k = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t a = dec[p[i]], b = dec[p[i + 1]], c = dec[p[i + 2]],
			 e = dec[p[i + 3]];
		if ((a | b | c | e) & 0x80)
			return false;
		uint32_t v = a << 18 | b << 12 | c << 6 | e;
		o[k++] = (uint8_t)(v >> 16);
		o[k++] = (uint8_t)(v >> 8);
		o[k++] = (uint8_t)v;
	}
	if (i < n) {
		uint32_t a = dec[p[i]], b = dec[p[i + 1]];
		uint32_t c = n - i == 3 ? dec[p[i + 2]] : 0;
		if ((a | b | c) & 0x80)
			return false;
		uint32_t v = a << 18 | b << 12 | c << 6;
		o[k++] = (uint8_t)(v >> 16);
		if (n - i == 3)
			o[k++] = (uint8_t)(v >> 8);
	}
	*len = k;
	return true;
}

int att_b64_decode(uint8_t **out, size_t *out_len, const char *in,
		   size_t in_len)
{
	*out = NULL;
	*out_len = 0;
	size_t n = in_len;
	while (n > 0 && in[n - 1] == '=' && in_len - n < 2)
		n--;
	if (n % 4 == 1 || (n != in_len && (n + (in_len - n)) % 4 != 0))
		return ATT_ERR_FORMAT;
	uint8_t *o = malloc(n / 4 * 3 + 3);
	if (!o)
		return ATT_ERR_NOMEM;
	size_t k = 0;
	if (!decode_body(o, &k, (const unsigned char *)in, n)) {
		free(o);
		return ATT_ERR_FORMAT;
	}
	o[k] = 0;
	*out = o;
	*out_len = k;
	return 0;
}

/* in_alphabet: c belongs to the base64url (url) or the standard alphabet
 * (dec[] accepts both, and marks every other byte with bit 7). */
static bool in_alphabet(unsigned char c, bool url)
{
	if (c == '-' || c == '_')
		return url;
	if (c == '+' || c == '/')
		return !url;
	return dec[c] < 64;
}

/* strict_shape checks the text of a strict decode and sets *n to its
 * length without padding; returns NULL or the reason for refusing it. */
static const char *strict_shape(size_t *n, const char *in, size_t len,
				bool url)
{
	size_t k = len;
	while (k > 0 && in[k - 1] == '=')
		k--;
	if (url && k != len)
		return "'=' padding (base64url here is unpadded)";
	for (size_t i = 0; i < k; i++)
		if (!in_alphabet((unsigned char)in[i], url))
			return url ? "a character outside the base64url "
				     "alphabet"
				   : "a character outside the base64 alphabet";
	if (k % 4 == 1)
		return "a length of 4n+1 characters (no encoding has one)";
	if (!url && len - k != (4 - k % 4) % 4)
		return "wrong '=' padding (the text must fill whole "
		       "4-character blocks)";
	*n = k;
	return NULL;
}

/* strict_tail: the bits of the last character that encode no byte must
 * be zero (2 characters carry 8 bits of 12, 3 carry 16 of 18). */
static bool strict_tail(const char *in, size_t n)
{
	if (n % 4 == 0)
		return true;
	uint8_t last = dec[(unsigned char)in[n - 1]];
	return (last & (n % 4 == 2 ? 0x0f : 0x03)) == 0;
}

static int decode_strict(uint8_t **out, size_t *out_len, const char *in,
			 size_t in_len, const char **why, bool url)
{
	const char *no = NULL;
	size_t n = 0, k = 0;
	*out = NULL;
	*out_len = 0;
	if (why)
		*why = NULL;
	if (!in && in_len)
		no = "no text";
	else if (!(no = strict_shape(&n, in, in_len, url)) &&
		 !strict_tail(in, n))
		no = "non-zero unused bits in the last character (not the "
		     "canonical encoding)";
	if (no) {
		if (why)
			*why = no;
		return ATT_ERR_FORMAT;
	}
	uint8_t *o = malloc(n / 4 * 3 + 3);
	if (!o)
		return ATT_ERR_NOMEM;
	if (!decode_body(o, &k, (const unsigned char *)in, n)) {
		free(o); /* unreachable: strict_shape checked every byte */
		return ATT_ERR_FORMAT;
	}
	o[k] = 0;
	*out = o;
	*out_len = k;
	return 0;
}

int att_b64url_decode_strict(uint8_t **out, size_t *out_len, const char *in,
			     size_t in_len, const char **why)
{
	return decode_strict(out, out_len, in, in_len, why, true);
}

int att_b64_decode_strict(uint8_t **out, size_t *out_len, const char *in,
			  size_t in_len, const char **why)
{
	return decode_strict(out, out_len, in, in_len, why, false);
}
