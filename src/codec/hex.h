/* SPDX-License-Identifier: Apache-2.0 */
/* Hex codecs: lower-case (claims, logs) and upper-case (thumbprints). */
#ifndef ATT_CODEC_HEX_H
#define ATT_CODEC_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* att_hex_encode writes 2*in_len chars plus NUL into out (out_len must be
 * at least 2*in_len+1); upper selects A-F. */
void att_hex_encode(char *out, size_t out_len, const uint8_t *in,
		    size_t in_len, bool upper);
/* att_hex_encode_alloc returns a malloc'd lower-case string, or NULL. */
char *att_hex_encode_alloc(const uint8_t *in, size_t in_len);
/* att_hex_digit: the value of one hex digit (either case), or -1. */
int att_hex_digit(char c);
/* att_hex_decode: either case, even length, no separators; *out is
 * malloc'd (caller frees), NULL on failure. */
int att_hex_decode(uint8_t **out, size_t *out_len, const char *in,
		   size_t in_len);
/* att_hex_decode_fixed decodes exactly out_len bytes into out. */
int att_hex_decode_fixed(uint8_t *out, size_t out_len, const char *in,
			 size_t in_len);

#endif
