/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict HTTP/1.x request checks (RFC 9110, RFC 9112) that libmicrohttpd
 * does not make: the request target as received (length, number of query
 * parameters, percent-escapes, %00, bytes that are not allowed in a URI,
 * repeated query parameter names) and the header fields (duplicate or
 * conflicting Host, Content-Length and Transfer-Encoding, Content-Length
 * with Transfer-Encoding, field names that are not tokens, control
 * characters in values). Request smuggling behind a proxy starts with a
 * message two parsers frame differently, so every such message is
 * refused here instead of being read one way.
 *
 * Pure functions on plain strings (no libmicrohttpd types) so that unit
 * tests and fuzz/fuzz_server_httpcheck.c can drive them directly.
 */
#ifndef ATT_SERVER_HTTP_STRICT_H
#define ATT_SERVER_HTTP_STRICT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/limits.h"

/* Longest refusal message (it names the header or the limit). */
#define ATT_HTTP_REFUSAL_LEN 256

/* Why a request is refused: the status, its MAA error code and a message
 * naming what was wrong. */
struct att_http_refusal {
	unsigned status; /* 400, 414, 431 or 501 */
	const char *code; /* static string */
	char message[ATT_HTTP_REFUSAL_LEN];
};

/* One header field as received (name and value need not be
 * NUL-terminated; a value may hold a NUL byte). */
struct att_http_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* att_http_check_target checks the request target (path and query, as on
 * the request line, before percent-decoding). Refused: longer than
 * ATT_MAX_HTTP_TARGET_LEN or more than ATT_MAX_HTTP_QUERY_PARAMS query
 * parameters (414); empty or not starting with '/' (absolute-form and
 * '*' are not served), a byte outside RFC 3986's URI characters (space,
 * controls, non-ASCII, '#', ...), a '%' not followed by two hex digits,
 * an encoded NUL (%00), or a query parameter name given twice (400).
 * Returns 0, or ATT_ERR_LIMIT / ATT_ERR_FORMAT with *r filled in. */
int att_http_check_target(const char *target, size_t len,
			  struct att_http_refusal *r);

/* att_http_check_fields checks the header fields of one request; http11
 * is true for HTTP/1.1 (false for HTTP/1.0). Refused: more than
 * ATT_MAX_HTTP_HEADER_FIELDS fields (431); a field name that is not a
 * token (e.g. whitespace before the colon), a control character or NUL
 * in a value, a missing (HTTP/1.1) or repeated Host or a Host that is
 * not a URI authority, Content-Length values that are not decimal or
 * that differ, Transfer-Encoding on HTTP/1.0, repeated, or with
 * Content-Length, a repeated Content-Type or Authorization (400); a
 * transfer coding other than exactly "chunked" (501).
 * Returns 0, or ATT_ERR_LIMIT / ATT_ERR_FORMAT / ATT_ERR_UNSUPPORTED with
 * *r filled in. */
int att_http_check_fields(const struct att_http_field *f, size_t n,
			  bool http11, struct att_http_refusal *r);

#endif
