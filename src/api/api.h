/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the public wrappers (src/api): libattest's API speaks plain
 * C and JSON text (include/attest/verify.h, token.h); these turn the
 * internal struct att_diag and json_t into that. Not exported.
 */
#ifndef ATT_API_API_H
#define ATT_API_API_H

#include <jansson.h>
#include <stddef.h>

#include "base/diag.h"

struct att_pkey;

/* The public token key (attest/token.h): a wrapped crypto key, shared by
 * token.c and verifier.c (signing the verifier's tokens). */
struct att_token_key {
	struct att_pkey *k;
};

/* att_api_err copies d's message (or the code's text) into errbuf when
 * errbuf is not NULL and errlen > 0, and returns rc. */
int att_api_err(int rc, const struct att_diag *d, char *errbuf,
		size_t errlen);

/* att_api_fail is att_api_err with a literal message. */
int att_api_fail(int rc, const char *what, char *errbuf, size_t errlen);

/* att_api_parse parses a JSON text (NULL or malformed: ATT_ERR_FORMAT,
 * message naming what). */
int att_api_parse(json_t **out, const char *text, const char *what,
		  struct att_diag *d);

/* att_api_dump stores a compact (or indented) malloc'd text of j in *out
 * when out is not NULL; ATT_ERR_NOMEM. j is not released. */
int att_api_dump(char **out, const json_t *j, int indent);

#endif
