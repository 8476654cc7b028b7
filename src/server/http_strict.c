/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict checks of the request target and header fields (http_strict.h).
 * Every refusal names the field or the limit; names and values from the
 * request are quoted only after replacing unprintable bytes and cut to a
 * few dozen characters, so a message never carries control bytes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "server/http_strict.h"

/* Longest piece of a request quoted in a message. */
#define QUOTE_LEN 40

static int refuse(struct att_http_refusal *r, int err, unsigned status,
		  const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int refuse(struct att_http_refusal *r, int err, unsigned status,
		  const char *code, const char *fmt, ...)
{
	va_list ap;
	r->status = status;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return err;
}

/* quote copies at most QUOTE_LEN bytes of s, unprintable ones as '?'. */
static const char *quote(char out[static QUOTE_LEN + 4], const char *s,
			 size_t n)
{
	size_t i, k = n < QUOTE_LEN ? n : QUOTE_LEN;
	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
	}
	if (k < n)
		out[k++] = '.', out[k++] = '.', out[k++] = '.';
	out[k] = 0;
	return out;
}

/* ---- the request target ---- */

/* RFC 3986 pchar without '%' (checked apart), plus '/' and '?'. */
static bool uri_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("-._~!$&'()*+,;=:@/?", c) != NULL;
}

/* check_escapes: every '%' starts %HH, never %00..%1F or %7F, and no %2F
 * in the path (a proxy routing on the raw path would see another path). */
static int check_escapes(const char *t, size_t len, size_t path_len,
			 struct att_http_refusal *r)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == '%') {
			int hi = i + 2 < len ? att_hex_digit((unsigned char)t[i + 1]) : -1;
			int lo = i + 2 < len ? att_hex_digit((unsigned char)t[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "the request target has a '%%' "
					      "at byte %zu that is not "
					      "followed by two hex digits",
					      i);
			int v = hi * 16 + lo;
			if (v == 0)
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "the request target has an "
					      "encoded NUL (%%00) at byte %zu",
					      i);
			if (v < 0x20 || v == 0x7f)
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "the request target has an "
					      "encoded control character "
					      "(%%%02X) at byte %zu",
					      (unsigned)v, i);
			if (v == '/' && i < path_len)
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "the request path has an "
					      "encoded '/' (%%2F) at byte %zu",
					      i);
			i += 2;
		} else if (!uri_char(c)) {
			return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
				      "the request target has byte 0x%02x at "
				      "byte %zu, which a URI cannot hold "
				      "unencoded",
				      (unsigned)c, i);
		}
	}
	return 0;
}

/* decoded_eq compares two percent-encoded strings (escapes already
 * checked) by their decoded bytes. */
static bool decoded_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	while (i < an && j < bn) {
		int ca = (unsigned char)a[i], cb = (unsigned char)b[j];
		if (ca == '%' && i + 2 < an) {
			ca = att_hex_digit((unsigned char)a[i + 1]) * 16 +
			     att_hex_digit((unsigned char)a[i + 2]);
			i += 2;
		}
		if (cb == '%' && j + 2 < bn) {
			cb = att_hex_digit((unsigned char)b[j + 1]) * 16 +
			     att_hex_digit((unsigned char)b[j + 2]);
			j += 2;
		}
		if (ca != cb)
			return false;
		i++, j++;
	}
	return i == an && j == bn;
}

struct qparam {
	const char *name;
	size_t len;
};

/* check_query counts the parameters ('&'-separated, as libmicrohttpd
 * splits them) and refuses a name given twice. */
static int check_query(const char *q, size_t len, struct att_http_refusal *r)
{
	struct qparam p[ATT_MAX_HTTP_QUERY_PARAMS];
	size_t n = 0, total = 1;
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		total += q[i] == '&';
	if (total > ATT_MAX_HTTP_QUERY_PARAMS)
		return refuse(r, ATT_ERR_LIMIT, 414, "RequestUriTooLong",
			      "the request target has %zu query parameters; "
			      "the limit is %d",
			      total, ATT_MAX_HTTP_QUERY_PARAMS);
	for (size_t i = 0, start = 0; i <= len; i++) {
		if (i < len && q[i] != '&')
			continue;
		const char *eq = memchr(q + start, '=', i - start);
		p[n].name = q + start;
		p[n].len = eq ? (size_t)(eq - (q + start)) : i - start;
		n++;
		start = i + 1;
	}
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n && p[a].len; b++) {
			char qb[QUOTE_LEN + 4];
			if (decoded_eq(p[a].name, p[a].len, p[b].name, p[b].len))
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "the query parameter \"%s\" is "
					      "given more than once",
					      quote(qb, p[a].name, p[a].len));
		}
	return 0;
}

int att_http_check_target(const char *target, size_t len,
			  struct att_http_refusal *r)
{
	if (len > ATT_MAX_HTTP_TARGET_LEN)
		return refuse(r, ATT_ERR_LIMIT, 414, "RequestUriTooLong",
			      "the request target is %zu bytes long; the limit "
			      "is %d",
			      len, ATT_MAX_HTTP_TARGET_LEN);
	if (!target || len == 0 || target[0] != '/')
		return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
			      "the request target must be a path starting "
			      "with '/'");
	const char *qm = memchr(target, '?', len);
	size_t path_len = qm ? (size_t)(qm - target) : len;
	int e = check_escapes(target, len, path_len, r);
	if (e)
		return e;
	if (qm)
		return check_query(qm + 1, len - path_len - 1, r);
	return 0;
}

/* ---- header fields ---- */

static bool tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool name_is(const struct att_http_field *f, const char *name)
{
	size_t n = strlen(name);
	return f->name_len == n && strncasecmp(f->name, name, n) == 0;
}

static int check_syntax(const struct att_http_field *f,
			struct att_http_refusal *r)
{
	char qn[QUOTE_LEN + 4];
	if (f->name_len == 0)
		return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
			      "a header field has an empty name");
	for (size_t i = 0; i < f->name_len; i++)
		if (!tchar((unsigned char)f->name[i]))
			return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
				      "the header field name \"%s\" has byte "
				      "0x%02x, which a field name cannot hold "
				      "(whitespace before the colon?)",
				      quote(qn, f->name, f->name_len),
				      (unsigned)(unsigned char)f->name[i]);
	for (size_t i = 0; i < f->value_len; i++) {
		unsigned char c = (unsigned char)f->value[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
				      "the value of header field \"%s\" has "
				      "control byte 0x%02x",
				      quote(qn, f->name, f->name_len),
				      (unsigned)c);
	}
	return 0;
}

/* Host: a URI authority (reg-name or IP literal, optional port), or empty. */
static int check_host(const struct att_http_field *f,
		      struct att_http_refusal *r)
{
	for (size_t i = 0; i < f->value_len; i++) {
		unsigned char c = (unsigned char)f->value[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') ||
			  (c && strchr("-._~!$&'()*+,;=:[]%", c));
		if (!ok) {
			char qv[QUOTE_LEN + 4];
			return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
				      "the Host header \"%s\" is not a host "
				      "name or address with an optional port",
				      quote(qv, f->value, f->value_len));
		}
	}
	return 0;
}

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

/* next_item returns the next comma-separated list element of [*p, end),
 * without surrounding whitespace, and advances *p past its comma; *more
 * tells whether a comma followed (so "5," has an empty second element). */
static const char *next_item(const char **p, const char *end, size_t *n,
			     bool *more)
{
	const char *s = *p, *e;
	while (s < end && ows(*s))
		s++;
	e = s;
	while (e < end && *e != ',')
		e++;
	*more = e < end;
	*p = e < end ? e + 1 : e;
	while (e > s && ows(e[-1]))
		e--;
	*n = (size_t)(e - s);
	return s;
}

/* parse_length: 1 to 19 decimal digits (no sign, no space inside). */
static bool parse_length(const char *s, size_t n, uint64_t *v)
{
	if (n == 0 || n > 19)
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return true;
}

/* Content-Length fields and list elements must all be the same number
 * (RFC 9110 section 8.6); *seen tells whether there was any. */
static int check_lengths(const struct att_http_field *f, size_t n,
			 bool *seen, struct att_http_refusal *r)
{
	uint64_t first = 0;
	*seen = false;
	for (size_t i = 0; i < n; i++) {
		if (!name_is(&f[i], "Content-Length"))
			continue;
		const char *p = f[i].value, *end = f[i].value + f[i].value_len;
		bool more;
		do {
			size_t len;
			uint64_t v;
			const char *s = next_item(&p, end, &len, &more);
			char qv[QUOTE_LEN + 4];
			if (!parse_length(s, len, &v))
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "Content-Length \"%s\" is not a "
					      "decimal number of at most 19 "
					      "digits",
					      quote(qv, s, len));
			if (*seen && v != first)
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "the request has conflicting "
					      "Content-Length values (%llu and "
					      "%llu)",
					      (unsigned long long)first,
					      (unsigned long long)v);
			first = v;
			*seen = true;
		} while (more);
	}
	return 0;
}

/* Transfer-Encoding: exactly one coding, "chunked", over all fields. */
static int check_codings(const struct att_http_field *f, size_t n,
			 bool http11, bool *seen, struct att_http_refusal *r)
{
	size_t codings = 0;
	*seen = false;
	for (size_t i = 0; i < n; i++) {
		if (!name_is(&f[i], "Transfer-Encoding"))
			continue;
		if (!http11)
			return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
				      "Transfer-Encoding in an HTTP/1.0 "
				      "request (RFC 9112 section 6.1: the framing "
				      "is faulty)");
		*seen = true;
		const char *p = f[i].value, *end = f[i].value + f[i].value_len;
		bool more;
		do {
			size_t len;
			const char *s = next_item(&p, end, &len, &more);
			char qv[QUOTE_LEN + 4];
			if (len == 0)
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "Transfer-Encoding has an empty "
					      "transfer coding");
			if (len != 7 || strncasecmp(s, "chunked", 7) != 0)
				return refuse(r, ATT_ERR_UNSUPPORTED, 501,
					      "NotImplemented",
					      "transfer coding \"%s\" is not "
					      "supported (only chunked)",
					      quote(qv, s, len));
			if (++codings > 1)
				return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
					      "Transfer-Encoding names chunked "
					      "more than once");
		} while (more);
	}
	return 0;
}

static int check_unique(const struct att_http_field *f, size_t n,
			const char *name, bool required,
			struct att_http_refusal *r)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += name_is(&f[i], name);
	if (count > 1)
		return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
			      "the request has %zu %s header fields; one is "
			      "allowed",
			      count, name);
	if (required && count == 0)
		return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
			      "an HTTP/1.1 request needs a %s header field",
			      name);
	return 0;
}

int att_http_check_fields(const struct att_http_field *f, size_t n,
			  bool http11, struct att_http_refusal *r)
{
	int e;
	bool has_length, has_coding;
	if (n > ATT_MAX_HTTP_HEADER_FIELDS)
		return refuse(r, ATT_ERR_LIMIT, 431,
			      "RequestHeaderFieldsTooLarge",
			      "the request has %zu header fields; the limit is "
			      "%d",
			      n, ATT_MAX_HTTP_HEADER_FIELDS);
	for (size_t i = 0; i < n; i++)
		if ((e = check_syntax(&f[i], r)) != 0)
			return e;
	if ((e = check_unique(f, n, "Host", http11, r)) != 0 ||
	    (e = check_unique(f, n, "Content-Type", false, r)) != 0 ||
	    (e = check_unique(f, n, "Authorization", false, r)) != 0)
		return e;
	for (size_t i = 0; i < n; i++)
		if (name_is(&f[i], "Host") && (e = check_host(&f[i], r)) != 0)
			return e;
	if ((e = check_lengths(f, n, &has_length, r)) != 0 ||
	    (e = check_codings(f, n, http11, &has_coding, r)) != 0)
		return e;
	if (has_length && has_coding)
		return refuse(r, ATT_ERR_FORMAT, 400, "BadRequest",
			      "the request has both Content-Length and "
			      "Transfer-Encoding (RFC 9112 section 6.1)");
	return 0;
}
