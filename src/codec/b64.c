/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 and base64url (RFC 4648 §4, §5). */
#include "codec/b64.h"

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

static int val(char c)
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
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = val(in[i]);
		if (v < 0) {
			free(o);
			return ATT_ERR_FORMAT;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = (uint8_t)(acc >> bits);
		}
	}
	o[k] = 0;
	*out = o;
	*out_len = k;
	return 0;
}
