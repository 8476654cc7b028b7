/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64 codecs. Encoding: base64url without padding (what MAA emits) or
 * standard base64 with padding (x5c, PEM). Decoding is tolerant as MAA's
 * clients require: base64url or standard alphabet, padded or not; anything
 * else (stray characters, impossible lengths, non-zero trailing bits are
 * accepted as most decoders do) is ATT_ERR_FORMAT.
 */
#ifndef ATT_CODEC_B64_H
#define ATT_CODEC_B64_H

#include <stddef.h>
#include <stdint.h>

/* att_b64url_encode returns a malloc'd NUL-terminated string, or NULL. */
char *att_b64url_encode(const uint8_t *in, size_t in_len);
/* att_b64_encode: standard alphabet with padding; malloc'd, or NULL. */
char *att_b64_encode(const uint8_t *in, size_t in_len);
/* att_b64_decode decodes either alphabet, padding optional. *out is
 * malloc'd (NUL-terminated for convenience) and owned by the caller;
 * on failure *out is NULL. */
int att_b64_decode(uint8_t **out, size_t *out_len, const char *in,
		   size_t in_len);

#endif
