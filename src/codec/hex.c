/* SPDX-License-Identifier: Apache-2.0 */
/* Hex encode/decode. */
#include "codec/hex.h"

#include <stdlib.h>

#include "attest/err.h"

void att_hex_encode(char *out, size_t out_len, const uint8_t *in,
		    size_t in_len, bool upper)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i = 0;
	for (; i < in_len && 2 * i + 2 < out_len; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	if (out_len)
		out[2 * i] = 0;
}

char *att_hex_encode_alloc(const uint8_t *in, size_t in_len)
{
	if (in_len > (SIZE_MAX - 1) / 2)
		return NULL;
	char *s = malloc(2 * in_len + 1);
	if (s)
		att_hex_encode(s, 2 * in_len + 1, in, in_len, false);
	return s;
}

int att_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1; /* not an error: not a hex digit */
}

int att_hex_decode_fixed(uint8_t *out, size_t out_len, const char *in,
			 size_t in_len)
{
	if (in_len % 2 || in_len / 2 != out_len)
		return ATT_ERR_FORMAT;
	for (size_t i = 0; i < out_len; i++) {
		int hi = att_hex_digit(in[2 * i]), lo = att_hex_digit(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return ATT_ERR_FORMAT;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int att_hex_decode(uint8_t **out, size_t *out_len, const char *in,
		   size_t in_len)
{
	*out = NULL;
	*out_len = 0;
	if (in_len % 2)
		return ATT_ERR_FORMAT;
	uint8_t *o = malloc(in_len / 2 + 1);
	if (!o)
		return ATT_ERR_NOMEM;
	int r = att_hex_decode_fixed(o, in_len / 2, in, in_len);
	if (r) {
		free(o);
		return r;
	}
	o[in_len / 2] = 0;
	*out = o;
	*out_len = in_len / 2;
	return 0;
}
