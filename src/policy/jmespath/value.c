/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JMESPath value semantics over jansson: type names, truthiness, number
 * and string ordering, deep equality (1 == 1.0), copies of literals and
 * the compact JSON text used by to_string() (numbers as the shortest
 * text that reads back to the same double). Also the error helpers:
 * every message names the 1-based column (in code points) of the token
 * or node that failed. Recursion into values is bounded by
 * ATT_JMESPATH_MAX_VALUE_DEPTH and paid for with evaluation fuel.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/jmespath/ast.h"
#include "policy/meter.h"

size_t att_jp_utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n = c < 0x80		    ? 1
		   : c >= 0xC2 && c <= 0xDF ? 2
		   : c >= 0xE0 && c <= 0xEF ? 3
		   : c >= 0xF0 && c <= 0xF4 ? 4
					    : 0;
	if (n == 0 || n > avail)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 &&
	    ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F)))
		return 0;
	if (n == 4 &&
	    ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F)))
		return 0;
	return n;
}

bool att_jp_utf8_valid(const char *s, size_t len, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq_len(u + i, len - i);
		if (n == 0) {
			*bad = i;
			return false;
		}
		i += n;
	}
	return true;
}

size_t att_jp_column(const char *src, size_t pos)
{
	return att_jp_utf8_count(src, pos) + 1;
}

int att_jp_syntax_error(struct att_diag *d, const char *src, size_t pos,
			const char *fmt, ...)
{
	char msg[ATT_DIAG_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return att_diag_set(d, ATT_ERR_JMESPATH_SYNTAX,
			    "syntax error at column %zu: %s",
			    att_jp_column(src, pos), msg);
}

int att_jp_error(struct jp_ctx *c, int err, const struct jp_node *at,
		 const char *fmt, ...)
{
	char msg[ATT_DIAG_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!at)
		return att_diag_set(c->diag, err, "%s: %s",
				    att_jmespath_errtype(err), msg);
	return att_diag_set(c->diag, err, "%s: %s (column %zu)",
			    att_jmespath_errtype(err), msg,
			    att_jp_column(c->jp->text, at->pos));
}

int att_jp_nomem(struct jp_ctx *c)
{
	return att_diag_set(c->diag, ATT_ERR_NOMEM,
			    "jmespath: out of memory during evaluation");
}

const char *att_jmespath_errtype(int err)
{
	switch (err) {
	case ATT_ERR_JMESPATH_SYNTAX:
		return "syntax";
	case ATT_ERR_JMESPATH_TYPE:
		return "invalid-type";
	case ATT_ERR_JMESPATH_ARITY:
		return "invalid-arity";
	case ATT_ERR_JMESPATH_FUNCTION:
		return "unknown-function";
	case ATT_ERR_JMESPATH_VALUE:
		return "invalid-value";
	case ATT_ERR_LIMIT:
		return "limit";
	case ATT_ERR_NOMEM:
		return "out-of-memory";
	default:
		return "error";
	}
}

int att_jp_out_of_budget(struct jp_ctx *c)
{
	char msg[160];
	att_pol_meter_describe(c->m, "evaluation", msg, sizeof(msg));
	return att_diag_set(c->diag, ATT_ERR_LIMIT, "limit: %s", msg);
}

int att_jp_charge_new(struct jp_ctx *c, const json_t *v)
{
	size_t n = JP_VALUE_BYTES;
	if (json_is_array(v))
		n += JP_SLOT_BYTES * json_array_size(v);
	else if (json_is_object(v))
		n += JP_MEMBER_BYTES * json_object_size(v);
	else if (json_is_string(v))
		n += json_string_length(v);
	return att_jp_charge_alloc(c, n);
}

static int value_too_deep(struct jp_ctx *c)
{
	return att_diag_set(c->diag, ATT_ERR_LIMIT,
			    "limit: value nested deeper than %d levels",
			    ATT_JMESPATH_MAX_VALUE_DEPTH);
}

const char *att_jp_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

bool att_jp_truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return json_object_size(v) != 0;
	case JSON_ARRAY:
		return json_array_size(v) != 0;
	case JSON_STRING:
		return json_string_length(v) != 0;
	case JSON_FALSE:
	case JSON_NULL:
		return false;
	default:
		return true;
	}
}

bool att_jp_is_number(const json_t *v)
{
	return json_is_integer(v) || json_is_real(v);
}

double att_jp_number(const json_t *v)
{
	return json_is_integer(v) ? (double)json_integer_value(v)
				  : json_real_value(v);
}

int att_jp_num_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	double x = att_jp_number(a), y = att_jp_number(b);
	return (x > y) - (x < y);
}

int att_jp_str_cmp(const json_t *a, const json_t *b)
{
	size_t la = json_string_length(a), lb = json_string_length(b);
	int r = memcmp(json_string_value(a), json_string_value(b),
		       la < lb ? la : lb);
	if (r)
		return r < 0 ? -1 : 1;
	return (la > lb) - (la < lb);
}

static int equal_rec(struct jp_ctx *c, const json_t *a, const json_t *b,
		     unsigned depth, bool *eq);

static int equal_array(struct jp_ctx *c, const json_t *a, const json_t *b,
		       unsigned depth, bool *eq)
{
	size_t n = json_array_size(a);
	*eq = n == json_array_size(b);
	for (size_t i = 0; *eq && i < n; i++) {
		int r = equal_rec(c, json_array_get(a, i), json_array_get(b, i),
				  depth + 1, eq);
		if (r)
			return r;
	}
	return 0;
}

static int equal_object(struct jp_ctx *c, const json_t *a, const json_t *b,
			unsigned depth, bool *eq)
{
	const char *k;
	size_t kl;
	json_t *v;
	*eq = json_object_size(a) == json_object_size(b);
	if (!*eq)
		return 0;
	json_object_keylen_foreach((json_t *)a, k, kl, v)
	{
		json_t *w = json_object_getn(b, k, kl);
		int r = att_jp_charge_bytes(c, kl);
		if (r)
			return r;
		if (!w) {
			*eq = false;
			return 0;
		}
		r = equal_rec(c, v, w, depth + 1, eq);
		if (r || !*eq)
			return r;
	}
	return 0;
}

static int equal_rec(struct jp_ctx *c, const json_t *a, const json_t *b,
		     unsigned depth, bool *eq)
{
	int r = att_jp_charge(c, 1);
	if (r)
		return r;
	if (depth > ATT_JMESPATH_MAX_VALUE_DEPTH)
		return value_too_deep(c);
	*eq = false;
	if (att_jp_is_number(a) && att_jp_is_number(b)) {
		*eq = att_jp_num_cmp(a, b) == 0;
		return 0;
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (a == b && !json_is_array(a) && !json_is_object(a)) {
		*eq = true;
		return 0;
	}
	switch (json_typeof(a)) {
	case JSON_STRING:
		*eq = json_string_length(a) == json_string_length(b) &&
		      att_jp_str_cmp(a, b) == 0;
		return att_jp_charge_bytes(c, json_string_length(a));
	case JSON_ARRAY:
		return equal_array(c, a, b, depth, eq);
	case JSON_OBJECT:
		return equal_object(c, a, b, depth, eq);
	default: /* true, false, null */
		*eq = true;
		return 0;
	}
}

int att_jp_equal(struct jp_ctx *c, const json_t *a, const json_t *b, bool *eq)
{
	return equal_rec(c, a, b, 0, eq);
}

bool att_jp_too_deep(const json_t *v, unsigned depth)
{
	const char *k;
	json_t *m;
	size_t i;
	if (depth > ATT_JMESPATH_MAX_VALUE_DEPTH)
		return true;
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			if (att_jp_too_deep(m, depth + 1))
				return true;
		}
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, m)
		{
			if (att_jp_too_deep(m, depth + 1))
				return true;
		}
	}
	return false;
}

json_t *att_jp_number_from_double(double d)
{
	if (d == floor(d) && fabs(d) < 9.0e18)
		return json_integer((json_int_t)d);
	return json_real(d);
}

/* shortest_digits finds the fewest significant digits that read back
 * as d: digits (no dot, no trailing zeros) and the decimal exponent of
 * the first one. */
static size_t shortest_digits(double d, char *digits, int *exp, bool *neg)
{
	char e[48];
	size_t nd = 0;
	for (int p = 1; p <= 17; p++) {
		snprintf(e, sizeof(e), "%.*e", p - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	const char *s = e;
	*neg = *s == '-';
	s += *neg;
	for (; *s && *s != 'e' && nd < 20; s++)
		if (*s != '.')
			digits[nd++] = *s;
	*exp = *s == 'e' ? (int)strtol(s + 1, NULL, 10) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	return nd;
}

/* fmt_real writes d as JSON the way Python's repr() does (the reference
 * implementation's to_string): plain decimal notation with ".0" when
 * integral for decimal exponents -4..15, else d.ddde+XX. */
static void fmt_real(double d, char *out)
{
	char dg[24];
	int exp;
	bool neg;
	size_t nd = shortest_digits(d, dg, &exp, &neg), o = 0;
	if (neg)
		out[o++] = '-';
	if (exp >= 16 || exp < -4) {
		out[o++] = dg[0];
		if (nd > 1)
			out[o++] = '.';
		memcpy(out + o, dg + 1, nd - 1);
		o += nd - 1;
		snprintf(out + o, 16, "e%c%02d", exp < 0 ? '-' : '+', abs(exp) % 1000);
		return;
	}
	if (exp < 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = -1; i > exp; i--)
			out[o++] = '0';
		memcpy(out + o, dg, nd);
		out[o + nd] = 0;
		return;
	}
	for (int i = 0; i <= exp; i++)
		out[o++] = (size_t)i < nd ? dg[i] : '0';
	out[o++] = '.';
	if ((size_t)exp + 1 >= nd)
		out[o++] = '0';
	for (size_t i = (size_t)exp + 1; i < nd; i++)
		out[o++] = dg[i];
	out[o] = 0;
}

static int dump_string(struct jp_ctx *c, const char *s, size_t n,
		       struct att_buf *out)
{
	int r = att_jp_charge(c, n); /* a step per byte written */
	size_t start = 0;
	if (r == 0)
		r = att_buf_add(out, "\"", 1);
	for (size_t i = 0; r == 0 && i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		r = att_buf_add(out, s + start, i - start);
		start = i + 1;
		const char *esc = ch == '"'    ? "\\\""
				  : ch == '\\' ? "\\\\"
				  : ch == '\n' ? "\\n"
				  : ch == '\r' ? "\\r"
				  : ch == '\t' ? "\\t"
				  : ch == '\b' ? "\\b"
				  : ch == '\f' ? "\\f"
					       : NULL;
		if (r == 0)
			r = esc ? att_buf_adds(out, esc)
				: att_buf_addf(out, "\\u%04x", ch);
	}
	if (r == 0)
		r = att_buf_add(out, s + start, n - start);
	return r ? r : att_buf_add(out, "\"", 1);
}

static int dump_rec(struct jp_ctx *c, const json_t *v, struct att_buf *out,
		    unsigned depth);

static int dump_integer(json_int_t v, struct att_buf *out)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	unsigned long long u =
	    v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return att_buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static int dump_array(struct jp_ctx *c, const json_t *v, struct att_buf *out,
		      unsigned depth)
{
	int r = att_buf_add(out, "[", 1);
	for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
		if (i)
			r = att_buf_add(out, ",", 1);
		if (r == 0)
			r = dump_rec(c, json_array_get(v, i), out, depth + 1);
	}
	return r ? r : att_buf_add(out, "]", 1);
}

static int dump_object(struct jp_ctx *c, const json_t *v, struct att_buf *out,
		       unsigned depth)
{
	const char *k;
	size_t kl;
	json_t *m;
	bool first = true;
	int r = att_buf_add(out, "{", 1);
	json_object_keylen_foreach((json_t *)v, k, kl, m)
	{
		if (r == 0 && !first)
			r = att_buf_add(out, ",", 1);
		first = false;
		if (r == 0)
			r = dump_string(c, k, kl, out);
		if (r == 0)
			r = att_buf_add(out, ":", 1);
		if (r == 0)
			r = dump_rec(c, m, out, depth + 1);
		if (r)
			return r;
	}
	return r ? r : att_buf_add(out, "}", 1);
}

static int dump_rec(struct jp_ctx *c, const json_t *v, struct att_buf *out,
		    unsigned depth)
{
	char num[64];
	int r = att_jp_charge(c, 1);
	if (r)
		return r;
	if (depth > ATT_JMESPATH_MAX_VALUE_DEPTH)
		return value_too_deep(c);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return dump_object(c, v, out, depth);
	case JSON_ARRAY:
		return dump_array(c, v, out, depth);
	case JSON_STRING:
		return dump_string(c, json_string_value(v),
				   json_string_length(v), out);
	case JSON_INTEGER:
		return dump_integer(json_integer_value(v), out);
	case JSON_REAL:
		fmt_real(json_real_value(v), num);
		return att_buf_adds(out, num);
	case JSON_TRUE:
		return att_buf_adds(out, "true");
	case JSON_FALSE:
		return att_buf_adds(out, "false");
	default:
		return att_buf_adds(out, "null");
	}
}

/* att_jp_dump appends v as compact JSON; on failure out is released. */
int att_jp_dump(struct jp_ctx *c, const json_t *v, struct att_buf *out)
{
	int r = dump_rec(c, v, out, 0);
	if (r == ATT_ERR_LIMIT && c->diag && !c->diag->msg[0])
		r = att_diag_set(c->diag, r,
				 "limit: string longer than %d bytes",
				 ATT_JMESPATH_MAX_STRING_LEN);
	else if (r == ATT_ERR_NOMEM)
		r = att_jp_nomem(c);
	att_buf_release(r ? out : NULL);
	return r;
}

static int copy_rec(struct jp_ctx *c, const json_t *v, json_t **out,
		    unsigned depth);

static int copy_members(struct jp_ctx *c, const json_t *v, json_t *dst,
			unsigned depth)
{
	const char *k;
	size_t kl;
	json_t *m, *cm;
	json_object_keylen_foreach((json_t *)v, k, kl, m)
	{
		int r = copy_rec(c, m, &cm, depth + 1);
		if (r)
			return r;
		if (json_object_setn_new_nocheck(dst, k, kl, cm))
			return att_jp_nomem(c);
	}
	return 0;
}

static int copy_elements(struct jp_ctx *c, const json_t *v, json_t *dst,
			 unsigned depth)
{
	json_t *cm;
	for (size_t i = 0; i < json_array_size(v); i++) {
		int r = copy_rec(c, json_array_get(v, i), &cm, depth + 1);
		if (r)
			return r;
		if (json_array_append_new(dst, cm))
			return att_jp_nomem(c);
	}
	return 0;
}

static int copy_rec(struct jp_ctx *c, const json_t *v, json_t **out,
		    unsigned depth)
{
	int r = att_jp_charge(c, 1);
	*out = NULL;
	if (r == 0)
		r = att_jp_charge_new(c, v);
	if (r)
		return r;
	if (depth > ATT_JMESPATH_MAX_VALUE_DEPTH)
		return value_too_deep(c);
	json_t *dst = json_is_object(v)	 ? json_object()
		      : json_is_array(v) ? json_array()
		      : json_is_string(v)
			  ? json_stringn_nocheck(json_string_value(v),
						 json_string_length(v))
			  : json_copy((json_t *)v);
	if (!dst)
		return att_jp_nomem(c);
	if (json_is_object(v))
		r = copy_members(c, v, dst, depth);
	else if (json_is_array(v))
		r = copy_elements(c, v, dst, depth);
	if (r) {
		json_decref(dst);
		return r;
	}
	*out = dst;
	return 0;
}

/* att_jp_copy makes a private deep copy (literals must never be shared with
 * the caller, who may modify a result). */
int att_jp_copy(struct jp_ctx *c, const json_t *v, json_t **out)
{
	return copy_rec(c, v, out, 0);
}

char *att_jmespath_to_json(json_t *value)
{
	struct att_pol_meter m;
	att_pol_meter_init(&m, UINT64_MAX, UINT64_MAX, 0);
	struct jp_ctx c = {.m = &m};
	struct att_buf b;
	att_buf_init(&b, ATT_JMESPATH_MAX_STRING_LEN);
	if (att_jp_dump(&c, value, &b))
		return NULL;
	if (b.len == 0)
		return NULL;
	return (char *)att_buf_detach(&b, NULL);
}
