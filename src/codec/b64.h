/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64 codecs. Encoding: base64url without padding (what MAA emits) or
 * standard base64 with padding (x5c, PEM); encoders always write the
 * canonical form (unused low bits zero).
 *
 * Two kinds of decoding:
 *  - tolerant (att_b64_decode), as MAA's request format requires: either
 *    alphabet, padded or not, and non-zero unused trailing bits accepted
 *    as most decoders do; stray characters and impossible lengths are
 *    ATT_ERR_FORMAT. For request bodies (quotes, runtime data, ...).
 *  - strict (att_b64url_decode_strict, att_b64_decode_strict): exactly one
 *    spelling per byte string, so that a signed object cannot be
 *    re-spelled. For JWS segments, JWK members and x5c entries.
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

/* att_b64url_decode_strict decodes canonical base64url (RFC 4648 section
 * 5 as RFC 7515 uses it): only [A-Za-z0-9_-], no '=' padding, a length
 * that is not 1 mod 4, and the unused low bits of the last character
 * zero. Exactly the strings att_b64url_encode writes are accepted. *out
 * as for att_b64_decode (empty input decodes to zero bytes). On refusal
 * *out is NULL, the result is ATT_ERR_FORMAT and *why (when why is not
 * NULL) is a static text naming the defect ("non-zero unused bits in the
 * last character ..."). */
int att_b64url_decode_strict(uint8_t **out, size_t *out_len, const char *in,
			     size_t in_len, const char **why);
/* att_b64_decode_strict decodes canonical standard base64 (RFC 4648
 * section 4, as x5c uses it): only [A-Za-z0-9+/], '=' padding to a
 * multiple of four characters, unused low bits zero. Exactly the strings
 * att_b64_encode writes are accepted. Otherwise as above. */
int att_b64_decode_strict(uint8_t **out, size_t *out_len, const char *in,
			  size_t in_len, const char **why);

#endif
