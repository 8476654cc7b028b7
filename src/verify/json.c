/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A JSON (RFC 8259) reader for attestation request bodies, producing the
 * same jansson values json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) does. It exists
 * for speed: an attestation request is one long base64url string (the
 * quote, 5-10 KB) and a few short members, and jansson lexes strings one
 * character at a time through a stream (about 25 ns a byte, a fifth of an
 * RSA signature per request); this reader copies a string's plain runs in
 * bulk. Same acceptance as jansson: UTF-8 only (no overlongs, surrogates
 * or code points above U+10FFFF), no NUL in strings (nor \u0000), paired
 * \u surrogates, no duplicate keys, integers within json_int_t, finite
 * reals, nesting limited to ATT_MAX_JSON_DEPTH, nothing but white space
 * after the value. tests/unit/server/test_attest_json.c checks it against
 * jansson on valid, invalid and mutated texts.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "verify/attest.h"

struct jr {
	const unsigned char *p, *start, *end;
	int depth;
	const char *why;
	struct att_buf sb; /* scratch for strings with escapes */
};

static json_t *value(struct jr *r);

static json_t *fail(struct jr *r, const char *why)
{
	if (!r->why)
		r->why = why;
	return NULL;
}

static void ws(struct jr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* utf8_len returns the length of the valid UTF-8 sequence at p (1..4),
 * or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static int hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return ATT_ERR_FORMAT;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static int put_cp(struct att_buf *b, unsigned cp)
{
	unsigned char u[4];
	size_t n;
	if (cp < 0x80)
		u[0] = (unsigned char)cp, n = 1;
	else if (cp < 0x800)
		u[0] = (unsigned char)(0xC0 | cp >> 6),
		u[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
	else if (cp < 0x10000)
		u[0] = (unsigned char)(0xE0 | cp >> 12),
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)),
		u[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
	else
		u[0] = (unsigned char)(0xF0 | cp >> 18),
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F)),
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)),
		u[3] = (unsigned char)(0x80 | (cp & 0x3F)), n = 4;
	return att_buf_add(b, u, n);
}

/* escape decodes the escape at r->p (after the backslash) into r->sb. */
static int escape(struct jr *r)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned cp, lo;
	if (r->p >= r->end)
		return ATT_ERR_FORMAT;
	const char *e = strchr(from, *r->p);
	if (*r->p && e) {
		r->p++;
		return att_buf_add(&r->sb, &to[e - from], 1);
	}
	if (*r->p != 'u' || r->end - r->p < 5 || hex4(r->p + 1, &cp))
		return ATT_ERR_FORMAT;
	r->p += 5;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return ATT_ERR_FORMAT; /* a low surrogate alone */
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
		    hex4(r->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
			return ATT_ERR_FORMAT;
		r->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0)
		return ATT_ERR_FORMAT; /* jansson refuses NUL in strings */
	return put_cp(&r->sb, cp);
}

/* plain_run advances over bytes needing no decoding and returns their
 * count; stops at '"', '\\', a control character or bad UTF-8. The
 * ASCII runs (all of a base64 quote) are scanned with a local pointer, so
 * the loop is a load and a compare per byte. */
static size_t plain_run(struct jr *r)
{
	const unsigned char *s = r->p, *p = r->p, *end = r->end;
	while (p < end) {
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		       *p != '\\')
			p++;
		if (p == end || *p < 0x80)
			break;
		size_t n = utf8_len(p, end);
		if (!n)
			break;
		p += n;
	}
	r->p = p;
	return (size_t)(p - s);
}

/* string reads a string (r->p after the opening quote); *len gets its
 * length. The bytes are in r->sb when escaped, else *direct points at
 * them in the input. */
static int string_raw(struct jr *r, const char **direct, size_t *len)
{
	const unsigned char *s = r->p;
	size_t n = plain_run(r);
	if (r->p < r->end && *r->p == '"') { /* the common case: no escape */
		r->p++;
		*direct = (const char *)s;
		*len = n;
		return 0;
	}
	r->sb.len = 0;
	if (att_buf_add(&r->sb, s, n))
		return ATT_ERR_NOMEM;
	for (;;) {
		if (r->p >= r->end)
			return fail(r, "unterminated string"),
			       ATT_ERR_FORMAT;
		unsigned c = *r->p;
		if (c == '"')
			break;
		if (c == '\\') {
			r->p++;
			if (escape(r))
				return fail(r, "invalid escape"),
				       ATT_ERR_FORMAT;
		} else if (c < 0x20) {
			return fail(r, "control character in a string"),
			       ATT_ERR_FORMAT;
		} else if (c >= 0x80 && !utf8_len(r->p, r->end)) {
			return fail(r, "invalid UTF-8"), ATT_ERR_FORMAT;
		}
		s = r->p;
		n = plain_run(r);
		if (att_buf_add(&r->sb, s, n))
			return ATT_ERR_NOMEM;
	}
	r->p++;
	*direct = NULL;
	*len = r->sb.len;
	return 0;
}

static json_t *string(struct jr *r)
{
	const char *d = NULL;
	size_t n = 0;
	if (string_raw(r, &d, &n))
		return fail(r, "invalid string");
	json_t *v = json_stringn_nocheck(d ? d : (const char *)r->sb.data, n);
	return v ? v : fail(r, "out of memory");
}

/* convert turns the number text s[0..n) into a jansson value. */
static json_t *convert(struct jr *r, const unsigned char *s, size_t n,
		       bool real)
{
	char small[64], *buf = small;
	if (n >= sizeof(small)) { /* r->sb is free while reading a number */
		r->sb.len = 0;
		if (att_buf_add(&r->sb, s, n) || att_buf_add(&r->sb, "", 1))
			return fail(r, "out of memory");
		buf = (char *)r->sb.data;
	} else {
		memcpy(small, s, n);
		small[n] = 0;
	}
	errno = 0;
	if (!real) {
		long long v = strtoll(buf, NULL, 10);
		if (errno == ERANGE)
			return fail(r, "integer out of range");
		return json_integer((json_int_t)v);
	}
	double v = strtod(buf, NULL);
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
		return fail(r, "real number out of range");
	return json_real(v);
}

static json_t *number(struct jr *r)
{
	const unsigned char *s = r->p;
	bool real = false;
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (r->p < r->end && *r->p >= '1' && *r->p <= '9')
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	else
		return fail(r, "invalid number");
	if (r->p < r->end && *r->p == '.') {
		real = true;
		r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return fail(r, "invalid number");
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		real = true;
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return fail(r, "invalid number");
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	return convert(r, s, (size_t)(r->p - s), real);
}

static json_t *literal(struct jr *r, const char *word, json_t *v)
{
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
		return fail(r, "invalid literal");
	r->p += n;
	return v;
}

static int member(struct jr *r, json_t *obj)
{
	const char *d = NULL;
	size_t n = 0;
	char small[128];
	char *key = small;
	if (r->p >= r->end || *r->p != '"')
		return fail(r, "expected a string key"), ATT_ERR_FORMAT;
	r->p++;
	if (string_raw(r, &d, &n))
		return ATT_ERR_FORMAT;
	if (n >= sizeof(small) && !(key = malloc(n + 1)))
		return ATT_ERR_NOMEM;
	memcpy(key, d ? d : (const char *)r->sb.data, n);
	key[n] = 0;
	int rc = ATT_ERR_FORMAT;
	ws(r);
	if (json_object_get(obj, key))
		fail(r, "duplicate object key");
	else if (r->p >= r->end || *r->p++ != ':')
		fail(r, "expected ':'");
	else {
		ws(r);
		json_t *v = value(r);
		rc = v && json_object_setn_new_nocheck(obj, key, n, v) == 0
			 ? 0
			 : ATT_ERR_FORMAT;
	}
	if (key != small)
		free(key);
	return rc;
}

static json_t *container(struct jr *r, bool is_obj)
{
	char close = is_obj ? '}' : ']';
	json_t *c = is_obj ? json_object() : json_array();
	if (!c || ++r->depth > ATT_MAX_JSON_DEPTH) {
		json_decref(c);
		return fail(r, "nesting too deep");
	}
	ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		r->depth--;
		return c;
	}
	for (;;) {
		json_t *v = NULL;
		int bad = is_obj ? member(r, c) : !(v = value(r)) ||
				       json_array_append_new(c, v);
		ws(r);
		if (bad || r->p >= r->end) {
			json_decref(c);
			return fail(r, "unterminated object or array");
		}
		if (*r->p == close)
			break;
		if (*r->p++ != ',') {
			json_decref(c);
			return fail(r, "expected ',' or the end of the object "
				       "or array");
		}
		ws(r);
	}
	r->p++;
	r->depth--;
	return c;
}

static json_t *value(struct jr *r)
{
	if (r->p >= r->end)
		return fail(r, "unexpected end of text");
	switch (*r->p) {
	case '{':
	case '[':
		return container(r, *r->p++ == '{');
	case '"':
		r->p++;
		return string(r);
	case 't':
		return literal(r, "true", json_true());
	case 'f':
		return literal(r, "false", json_false());
	case 'n':
		return literal(r, "null", json_null());
	default:
		return number(r);
	}
}

int att_attest_json_parse(json_t **out, const uint8_t *text, size_t len,
			  struct att_diag *d)
{
	struct jr r = {.p = text, .start = text, .end = text + len};
	att_buf_init(&r.sb, len + 1);
	ws(&r);
	json_t *v = value(&r);
	ws(&r);
	if (v && r.p != r.end) {
		json_decref(v);
		v = fail(&r, "text after the JSON value");
	}
	att_buf_release(&r.sb);
	*out = v;
	if (v)
		return 0;
	return att_diag_set(d, ATT_ERR_FORMAT, "%s at byte %zu",
			    r.why ? r.why : "invalid JSON",
			    (size_t)(r.p - r.start));
}
