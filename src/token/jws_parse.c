/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing of JWS compact serialization (RFC 7515 section 7.1): exactly
 * three base64url parts without padding separated by dots, each in its
 * canonical spelling (no non-zero unused bits), so that one token has
 * exactly one accepted text. The header must be a JSON object with a
 * string "alg"; a "crit" member is refused since attestd understands no
 * extension (RFC 7515 4.1.11). No crypto here: the fuzzer drives this file
 * directly.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "token/jws.h"

void att_jws_init(struct att_jws *j)
{
	memset(j, 0, sizeof(*j));
	j->alg = ATT_JWS_UNKNOWN;
}

void att_jws_release(struct att_jws *j)
{
	if (!j)
		return;
	json_decref(j->header);
	free(j->payload);
	free(j->signing_input);
	free(j->sig);
	att_jws_init(j);
}

/* decode_part decodes one segment, canonical base64url only (RFC 7515
 * section 2: no padding; and no other spelling of the same bytes, so a
 * token has exactly one form), into a malloc'd, NUL-terminated buffer
 * (NULL with length 0 for an empty part). */
static int decode_part(uint8_t **out, size_t *out_len, const char *s,
		       size_t n, const char *what, struct att_diag *diag)
{
	const char *why = NULL;
	*out = NULL;
	*out_len = 0;
	if (n == 0)
		return 0;
	int r = att_b64url_decode_strict(out, out_len, s, n, &why);
	if (r == ATT_ERR_FORMAT)
		return att_diag_set(diag, r,
				    "jws: %s is not canonical base64url: %s",
				    what, why ? why : "malformed");
	return r;
}

static int parse_header(struct att_jws *j, const uint8_t *h, size_t len,
			struct att_diag *diag)
{
	json_error_t err;
	j->header = json_loadb((const char *)h, len,
			       JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(j->header))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jws: header is not a JSON object");
	json_t *alg = json_object_get(j->header, "alg");
	if (!json_is_string(alg))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jws: header has no string \"alg\"");
	if (json_object_get(j->header, "crit"))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jws: header \"crit\" is not supported");
	j->alg_name = json_string_value(alg);
	(void)att_jws_alg_from_name(&j->alg, j->alg_name);
	return 0;
}

static int split(const char *s, size_t len, size_t dots[2])
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '.')
			continue;
		if (n == 2)
			return ATT_ERR_FORMAT;
		dots[n++] = i;
	}
	return n == 2 ? 0 : ATT_ERR_FORMAT;
}

int att_jws_parse(struct att_jws *out, const char *compact, size_t len,
		  struct att_diag *diag)
{
	struct att_jws j;
	uint8_t *hdr = NULL;
	size_t hdr_len = 0, dots[2];
	int r;
	att_jws_init(&j);
	att_jws_init(out);
	if (!compact || len > ATT_MAX_TOKEN_LEN)
		return att_diag_set(diag, compact ? ATT_ERR_LIMIT : ATT_ERR_FORMAT,
				    "jws: token longer than %d bytes",
				    ATT_MAX_TOKEN_LEN);
	if (split(compact, len, dots))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jws: not three dot-separated parts");
	const char *p1 = compact + dots[0] + 1, *p2 = compact + dots[1] + 1;
	if ((r = decode_part(&hdr, &hdr_len, compact, dots[0], "header",
			     diag)) != 0)
		goto out;
	if (hdr_len == 0) {
		r = att_diag_set(diag, ATT_ERR_FORMAT, "jws: header is empty");
		goto out;
	}
	if ((r = decode_part(&j.payload, &j.payload_len, p1,
			     dots[1] - dots[0] - 1, "payload", diag)) != 0 ||
	    (r = decode_part(&j.sig, &j.sig_len, p2, len - dots[1] - 1,
			     "signature", diag)) != 0)
		goto out;
	if ((r = parse_header(&j, hdr, hdr_len, diag)) != 0)
		goto out;
	r = ATT_ERR_NOMEM;
	if (!(j.signing_input = malloc(dots[1] + 1)))
		goto out;
	memcpy(j.signing_input, compact, dots[1]);
	j.signing_input[dots[1]] = 0;
	j.signing_input_len = dots[1];
	if (!j.payload && !(j.payload = calloc(1, 1)))
		goto out;
	*out = j;
	att_jws_init(&j); /* transferred */
	r = 0;
out:
	free(hdr);
	att_jws_release(&j);
	return r;
}
