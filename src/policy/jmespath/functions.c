/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JMESPath built-in functions (specification section "Built-in
 * Functions") and MAA's extension equals_ignore_case(a, b). A table gives
 * each function its arity and argument types; calls are type-checked
 * before they run (invalid-type names the function, the argument, what
 * it expects and what it got). Sorting is a stable merge sort. Work
 * proportional to the size of the arguments is paid for with fuel.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/jmespath/ast.h"

/* Argument type bits. */
enum {
	T_NUM = 1 << 0,
	T_STR = 1 << 1,
	T_BOOL = 1 << 2,
	T_NULL = 1 << 3,
	T_ARR = 1 << 4,
	T_OBJ = 1 << 5,
	T_EXPREF = 1 << 6,
	T_ARR_NUM = 1 << 7, /* array whose elements are all numbers */
	T_ARR_STR = 1 << 8, /* array whose elements are all strings */
	T_ANY = T_NUM | T_STR | T_BOOL | T_NULL | T_ARR | T_OBJ,
};

#define VARIADIC 255

struct arg {
	json_t *v;		   /* evaluated argument, or NULL for &expr */
	const struct jp_node *ref; /* the expression of an &expr argument */
};

struct call {
	struct jp_ctx *c;
	const struct jp_node *node;
	const char *name;
	struct arg *a;
	size_t n;
};

typedef int jp_fn(struct call *k, json_t **out);

struct fn_def {
	const char *name;
	unsigned char min, max;
	unsigned types[2]; /* per argument; later arguments use types[1] */
	jp_fn *impl;
	unsigned flags; /* ATT_JMESPATH_* flag that enables it, or 0 */
};

/* ---- helpers ---- */

static int ret(struct call *k, json_t *v, json_t **out)
{
	if (!v)
		return att_jp_nomem(k->c);
	*out = v;
	return 0;
}

static int type_err(struct call *k, const char *fmt, const char *a,
		    const char *b)
{
	char what[256];
	snprintf(what, sizeof(what), fmt, a, b);
	return att_jp_error(k->c, ATT_ERR_JMESPATH_TYPE, k->node,
			    "function %s() %s", k->name, what);
}

static json_t *arg(struct call *k, size_t i) { return k->a[i].v; }

/* eval_ref evaluates argument i's expression reference on item. */
static int eval_ref(struct call *k, size_t i, json_t *item, json_t **out)
{
	return att_jp_eval(k->c, k->a[i].ref, item, out);
}

/* ---- numbers ---- */

static int fn_abs(struct call *k, json_t **out)
{
	json_t *v = arg(k, 0);
	if (json_is_integer(v) && json_integer_value(v) != LLONG_MIN)
		return ret(k, json_integer(llabs(json_integer_value(v))), out);
	return ret(k, json_real(fabs(att_jp_number(v))), out);
}

static int round_fn(struct call *k, json_t **out, double (*f)(double))
{
	json_t *v = arg(k, 0);
	if (json_is_integer(v))
		return ret(k, json_incref(v), out);
	return ret(k, att_jp_number_from_double(f(json_real_value(v))), out);
}

static int fn_ceil(struct call *k, json_t **out)
{
	return round_fn(k, out, ceil);
}

static int fn_floor(struct call *k, json_t **out)
{
	return round_fn(k, out, floor);
}

static int ret_real(struct call *k, double d, json_t **out)
{
	if (!isfinite(d))
		return att_jp_error(k->c, ATT_ERR_JMESPATH_VALUE, k->node,
				    "function %s() result is not a finite "
				    "number",
				    k->name);
	return ret(k, json_real(d), out);
}

/* sum_of: the integer sum when every element is an integer and no
 * overflow happens (returns true), and always the left-to-right double
 * sum. */
static bool sum_of(json_t *arr, long long *isum, double *dsum)
{
	bool exact = true;
	size_t i;
	json_t *v;
	*isum = 0;
	*dsum = 0;
	json_array_foreach(arr, i, v)
	{
		*dsum += att_jp_number(v);
		if (!json_is_integer(v) ||
		    __builtin_add_overflow(*isum, json_integer_value(v), isum))
			exact = false;
	}
	return exact;
}

static int fn_sum(struct call *k, json_t **out)
{
	long long isum;
	double dsum;
	if (sum_of(arg(k, 0), &isum, &dsum))
		return ret(k, json_integer(isum), out);
	return ret_real(k, dsum, out);
}

static int fn_avg(struct call *k, json_t **out)
{
	json_t *a = arg(k, 0);
	size_t n = json_array_size(a);
	long long isum;
	double dsum;
	if (n == 0)
		return ret(k, json_null(), out);
	if (sum_of(a, &isum, &dsum))
		dsum = (double)isum;
	return ret_real(k, dsum / (double)n, out);
}

static bool is_json_number(const char *s, size_t n, bool *integral)
{
	size_t i = 0;
	*integral = true;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	if (i < n && s[i] == '.') {
		*integral = false;
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		*integral = false;
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

static json_t *parse_number(const char *s, size_t n)
{
	bool integral;
	char tmp[128];
	if (n >= sizeof(tmp) || !is_json_number(s, n, &integral))
		return json_null();
	memcpy(tmp, s, n);
	tmp[n] = 0;
	if (integral) {
		errno = 0;
		long long v = strtoll(tmp, NULL, 10);
		if (errno != ERANGE)
			return json_integer(v);
	}
	double d = strtod(tmp, NULL);
	return isfinite(d) ? json_real(d) : json_null();
}

static int fn_to_number(struct call *k, json_t **out)
{
	json_t *v = arg(k, 0);
	if (att_jp_is_number(v))
		return ret(k, json_incref(v), out);
	if (json_is_string(v))
		return ret(
		    k,
		    parse_number(json_string_value(v), json_string_length(v)),
		    out);
	return ret(k, json_null(), out);
}

/* ---- strings ---- */

static int fn_length(struct call *k, json_t **out)
{
	json_t *v = arg(k, 0);
	int r = att_jp_charge_bytes(k->c, json_string_length(v));
	if (r)
		return r;
	size_t n = json_is_string(v)  ? att_jp_utf8_count(json_string_value(v),
							  json_string_length(v))
		   : json_is_array(v) ? json_array_size(v)
				      : json_object_size(v);
	return ret(k, json_integer((json_int_t)n), out);
}

static int affix(struct call *k, json_t **out, bool suffix)
{
	json_t *s = arg(k, 0), *a = arg(k, 1);
	size_t ls = json_string_length(s), la = json_string_length(a);
	int rc = att_jp_charge_bytes(k->c, la);
	if (rc)
		return rc;
	bool r =
	    la <= ls && memcmp(json_string_value(s) + (suffix ? ls - la : 0),
			       json_string_value(a), la) == 0;
	return ret(k, json_boolean(r), out);
}

static int fn_starts_with(struct call *k, json_t **out)
{
	return affix(k, out, false);
}

static int fn_ends_with(struct call *k, json_t **out)
{
	return affix(k, out, true);
}

static int fn_contains(struct call *k, json_t **out)
{
	json_t *s = arg(k, 0), *x = arg(k, 1);
	bool found = false;
	if (json_is_string(s)) {
		int r = att_jp_charge_bytes(k->c, json_string_length(s));
		if (r)
			return r;
		found =
		    json_is_string(x) &&
		    memmem(json_string_value(s), json_string_length(s),
			   json_string_value(x), json_string_length(x)) != NULL;
		return ret(k, json_boolean(found), out);
	}
	for (size_t i = 0; !found && i < json_array_size(s); i++) {
		int r = att_jp_equal(k->c, json_array_get(s, i), x, &found);
		if (r)
			return r;
	}
	return ret(k, json_boolean(found), out);
}

static int buf_err(struct call *k, int r)
{
	if (r == ATT_ERR_NOMEM)
		return att_jp_nomem(k->c);
	return att_jp_error(k->c, r, k->node,
			    "function %s() result longer than "
			    "%d bytes",
			    k->name, ATT_JMESPATH_MAX_STRING_LEN);
}

static int fn_join(struct call *k, json_t **out)
{
	json_t *glue = arg(k, 0), *a = arg(k, 1);
	struct att_buf b;
	int r = 0;
	att_buf_init(&b, ATT_JMESPATH_MAX_STRING_LEN);
	for (size_t i = 0; r == 0 && i < json_array_size(a); i++) {
		json_t *s = json_array_get(a, i);
		r = att_jp_charge(k->c, 1 + json_string_length(s) +
					    json_string_length(glue));
		if (r)
			break;
		if (i && (r = att_buf_add(&b, json_string_value(glue),
					  json_string_length(glue))))
			r = buf_err(k, r);
		else if ((r = att_buf_add(&b, json_string_value(s),
					  json_string_length(s))))
			r = buf_err(k, r);
	}
	if (r == 0)
		r = ret(
		    k,
		    json_stringn_nocheck(b.data ? (char *)b.data : "", b.len),
		    out);
	att_buf_release(&b);
	return r;
}

static json_t *reverse_string(const char *s, size_t n)
{
	char *o = malloc(n ? n : 1);
	if (!o)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t len = 1;
		while (i + len < n &&
		       ((unsigned char)s[i + len] & 0xC0) == 0x80)
			len++;
		memcpy(o + n - i - len, s + i, len);
		i += len;
	}
	json_t *v = json_stringn_nocheck(o, n);
	free(o);
	return v;
}

static int fn_reverse(struct call *k, json_t **out)
{
	json_t *v = arg(k, 0);
	if (json_is_string(v)) {
		int r = att_jp_charge(k->c, json_string_length(v) / 8);
		return r ? r
			 : ret(k,
			       reverse_string(json_string_value(v),
					      json_string_length(v)),
			       out);
	}
	size_t n = json_array_size(v);
	json_t *res = json_array();
	int r = res ? att_jp_charge(k->c, n) : att_jp_nomem(k->c);
	for (size_t i = n; r == 0 && i > 0; i--)
		if (json_array_append(res, json_array_get(v, i - 1)))
			r = att_jp_nomem(k->c);
	if (r)
		json_decref(res);
	return r ? r : ret(k, res, out);
}

static int fn_to_string(struct call *k, json_t **out)
{
	json_t *v = arg(k, 0);
	struct att_buf b;
	if (json_is_string(v))
		return ret(k, json_incref(v), out);
	att_buf_init(&b, ATT_JMESPATH_MAX_STRING_LEN);
	int r = att_jp_dump(k->c, v, &b);
	if (r)
		return r;
	r = ret(k, json_stringn_nocheck((char *)b.data, b.len), out);
	att_buf_release(&b);
	return r;
}

static int fn_equals_ignore_case(struct call *k, json_t **out)
{
	json_t *a = arg(k, 0), *b = arg(k, 1);
	size_t n = json_string_length(a);
	bool eq = n == json_string_length(b);
	int r = att_jp_charge_bytes(k->c, n);
	if (r)
		return r;
	const char *x = json_string_value(a), *y = json_string_value(b);
	for (size_t i = 0; eq && i < n; i++) {
		unsigned char p = (unsigned char)x[i], q = (unsigned char)y[i];
		p = p >= 'A' && p <= 'Z' ? p + 32 : p;
		q = q >= 'A' && q <= 'Z' ? q + 32 : q;
		eq = p == q;
	}
	return ret(k, json_boolean(eq), out);
}

/* ---- types ---- */

static int fn_type(struct call *k, json_t **out)
{
	return ret(k, json_string(att_jp_type_name(arg(k, 0))), out);
}

static int fn_to_array(struct call *k, json_t **out)
{
	json_t *v = arg(k, 0);
	if (json_is_array(v))
		return ret(k, json_incref(v), out);
	json_t *a = json_array();
	if (a && json_array_append(a, v)) {
		json_decref(a);
		a = NULL;
	}
	return ret(k, a, out);
}

static int fn_not_null(struct call *k, json_t **out)
{
	for (size_t i = 0; i < k->n; i++)
		if (!json_is_null(arg(k, i)))
			return ret(k, json_incref(arg(k, i)), out);
	return ret(k, json_null(), out);
}

/* ---- objects ---- */

static int members(struct call *k, json_t **out, bool want_keys)
{
	json_t *o = arg(k, 0), *res = json_array(), *v;
	const char *key;
	size_t kl;
	int r =
	    res ? att_jp_charge(k->c, json_object_size(o)) : att_jp_nomem(k->c);
	json_object_keylen_foreach(o, key, kl, v)
	{
		if (r || (r = att_jp_charge_bytes(k->c, kl)))
			break;
		if (json_array_append_new(
			res, want_keys ? json_stringn_nocheck(key, kl)
				       : json_incref(v)))
			r = att_jp_nomem(k->c);
	}
	if (r)
		json_decref(res);
	return r ? r : ret(k, res, out);
}

static int fn_keys(struct call *k, json_t **out)
{
	return members(k, out, true);
}

static int fn_values(struct call *k, json_t **out)
{
	return members(k, out, false);
}

static size_t key_bytes(json_t *o)
{
	const char *key;
	size_t kl, sum = 0;
	json_t *v;
	json_object_keylen_foreach(o, key, kl, v) sum += kl;
	return sum;
}

static int fn_merge(struct call *k, json_t **out)
{
	json_t *res = json_object();
	int r = res ? 0 : att_jp_nomem(k->c);
	for (size_t i = 0; r == 0 && i < k->n; i++) {
		r = att_jp_charge(k->c, json_object_size(arg(k, i)));
		if (r == 0)
			r = att_jp_charge_bytes(k->c, key_bytes(arg(k, i)));
		if (r == 0 && json_object_update(res, arg(k, i)))
			r = att_jp_nomem(k->c);
	}
	if (r)
		json_decref(res);
	return r ? r : ret(k, res, out);
}

/* ---- expressions: map, sort, min/max ---- */

static int fn_map(struct call *k, json_t **out)
{
	json_t *a = arg(k, 1), *res = json_array(), *v = NULL;
	int r = res ? 0 : att_jp_nomem(k->c);
	for (size_t i = 0; r == 0 && i < json_array_size(a); i++) {
		r = eval_ref(k, 0, json_array_get(a, i), &v);
		if (r == 0 && json_array_append_new(res, v))
			r = att_jp_nomem(k->c);
	}
	if (r)
		json_decref(res);
	return r ? r : ret(k, res, out);
}

struct pair {
	json_t *key; /* number or string */
	json_t *val;
};

static int key_cmp(const struct pair *a, const struct pair *b)
{
	return att_jp_is_number(a->key) ? att_jp_num_cmp(a->key, b->key)
					: att_jp_str_cmp(a->key, b->key);
}

/* key_scan pays for comparing every key about once: string keys cost
 * their length. */
static int key_scan(struct jp_ctx *c, const struct pair *p, size_t n)
{
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += json_string_length(p[i].key); /* 0 for numbers */
	return att_jp_charge(c, n + bytes / 64);
}

/* merge_sort sorts p[0..n) stably, keys all numbers or all strings. */
static int merge_sort(struct jp_ctx *c, struct pair *p, size_t n)
{
	struct pair *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	if (!tmp)
		return att_jp_nomem(c);
	for (size_t w = 1; w < n; w *= 2) {
		int r = key_scan(c, p, n);
		if (r) {
			free(tmp);
			return r;
		}
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi)
				tmp[o++] =
				    key_cmp(&p[j], &p[i]) < 0 ? p[j++] : p[i++];
			while (i < mid)
				tmp[o++] = p[i++];
			while (j < hi)
				tmp[o++] = p[j++];
		}
		memcpy(p, tmp, n * sizeof(*p));
	}
	free(tmp);
	return 0;
}

static void pairs_free(struct pair *p, size_t n, bool own_keys)
{
	for (size_t i = 0; own_keys && i < n; i++)
		json_decref(p[i].key);
	free(p);
}

/* check_key: keys of sort_by/min_by/max_by are all numbers or all
 * strings (of the same type as the first). */
static int check_key(struct call *k, json_t *key, json_t *first)
{
	bool ok = att_jp_is_number(key) || json_is_string(key);
	if (ok && first)
		ok = att_jp_is_number(key) == att_jp_is_number(first);
	if (ok)
		return 0;
	return type_err(k, "expression returned %s, expected %s",
			att_jp_type_name(key),
			first ? (att_jp_is_number(first) ? "number" : "string")
			      : "number|string");
}

/* keyed_pairs evaluates argument 1's expression on every element of the
 * array argument 0. */
static int keyed_pairs(struct call *k, struct pair **out, size_t *n)
{
	json_t *a = arg(k, 0);
	*n = json_array_size(a);
	struct pair *p = calloc(*n ? *n : 1, sizeof(*p));
	int r = p ? 0 : att_jp_nomem(k->c);
	for (size_t i = 0; r == 0 && i < *n; i++) {
		p[i].val = json_array_get(a, i);
		r = eval_ref(k, 1, p[i].val, &p[i].key);
		if (r == 0)
			r = check_key(k, p[i].key, i ? p[0].key : NULL);
	}
	if (r) {
		pairs_free(p, *n, true);
		return r;
	}
	*out = p;
	return 0;
}

static int pairs_to_array(struct call *k, struct pair *p, size_t n,
			  json_t **out)
{
	json_t *res = json_array();
	int r = res ? 0 : att_jp_nomem(k->c);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (json_array_append(res, p[i].val))
			r = att_jp_nomem(k->c);
	if (r)
		json_decref(res);
	return r ? r : ret(k, res, out);
}

static int fn_sort_by(struct call *k, json_t **out)
{
	struct pair *p = NULL;
	size_t n = 0;
	int r = keyed_pairs(k, &p, &n);
	if (r)
		return r;
	r = merge_sort(k->c, p, n);
	if (r == 0)
		r = pairs_to_array(k, p, n, out);
	pairs_free(p, n, true);
	return r;
}

static int fn_sort(struct call *k, json_t **out)
{
	json_t *a = arg(k, 0);
	size_t n = json_array_size(a);
	struct pair *p = calloc(n ? n : 1, sizeof(*p));
	if (!p)
		return att_jp_nomem(k->c);
	for (size_t i = 0; i < n; i++)
		p[i].key = p[i].val = json_array_get(a, i);
	int r = merge_sort(k->c, p, n);
	if (r == 0)
		r = pairs_to_array(k, p, n, out);
	pairs_free(p, n, false);
	return r;
}

/* best returns the index of the first greatest (sign 1) or least
 * (sign -1) key; n > 0. */
static size_t best(const struct pair *p, size_t n, int sign)
{
	size_t b = 0;
	for (size_t i = 1; i < n; i++)
		if (key_cmp(&p[i], &p[b]) * sign > 0)
			b = i;
	return b;
}

static int extreme_by(struct call *k, json_t **out, int sign)
{
	struct pair *p = NULL;
	size_t n = 0;
	int r = keyed_pairs(k, &p, &n);
	if (r)
		return r;
	r = key_scan(k->c, p, n);
	if (r == 0)
		r = ret(k,
			n ? json_incref(p[best(p, n, sign)].val) : json_null(),
			out);
	pairs_free(p, n, true);
	return r;
}

static int extreme(struct call *k, json_t **out, int sign)
{
	json_t *a = arg(k, 0);
	size_t n = json_array_size(a);
	if (n == 0)
		return ret(k, json_null(), out);
	struct pair *p = calloc(n, sizeof(*p));
	if (!p)
		return att_jp_nomem(k->c);
	for (size_t i = 0; i < n; i++)
		p[i].key = p[i].val = json_array_get(a, i);
	int r = key_scan(k->c, p, n);
	if (r == 0)
		r = ret(k, json_incref(p[best(p, n, sign)].val), out);
	free(p);
	return r;
}

static int fn_max(struct call *k, json_t **out) { return extreme(k, out, 1); }

static int fn_min(struct call *k, json_t **out) { return extreme(k, out, -1); }

static int fn_max_by(struct call *k, json_t **out)
{
	return extreme_by(k, out, 1);
}

static int fn_min_by(struct call *k, json_t **out)
{
	return extreme_by(k, out, -1);
}

/* ---- the table ---- */

#define ARR_NS (T_ARR_NUM | T_ARR_STR)

static const struct fn_def fns[] = {
    {"abs", 1, 1, {T_NUM}, fn_abs, 0},
    {"avg", 1, 1, {T_ARR_NUM}, fn_avg, 0},
    {"ceil", 1, 1, {T_NUM}, fn_ceil, 0},
    {"contains", 2, 2, {T_ARR | T_STR, T_ANY}, fn_contains, 0},
    {"ends_with", 2, 2, {T_STR, T_STR}, fn_ends_with, 0},
    {"floor", 1, 1, {T_NUM}, fn_floor, 0},
    {"join", 2, 2, {T_STR, T_ARR_STR}, fn_join, 0},
    {"keys", 1, 1, {T_OBJ}, fn_keys, 0},
    {"length", 1, 1, {T_STR | T_ARR | T_OBJ}, fn_length, 0},
    {"map", 2, 2, {T_EXPREF, T_ARR}, fn_map, 0},
    {"max", 1, 1, {ARR_NS}, fn_max, 0},
    {"max_by", 2, 2, {T_ARR, T_EXPREF}, fn_max_by, 0},
    {"merge", 1, VARIADIC, {T_OBJ, T_OBJ}, fn_merge, 0},
    {"min", 1, 1, {ARR_NS}, fn_min, 0},
    {"min_by", 2, 2, {T_ARR, T_EXPREF}, fn_min_by, 0},
    {"not_null", 1, VARIADIC, {T_ANY, T_ANY}, fn_not_null, 0},
    {"reverse", 1, 1, {T_STR | T_ARR}, fn_reverse, 0},
    {"sort", 1, 1, {ARR_NS}, fn_sort, 0},
    {"sort_by", 2, 2, {T_ARR, T_EXPREF}, fn_sort_by, 0},
    {"starts_with", 2, 2, {T_STR, T_STR}, fn_starts_with, 0},
    {"sum", 1, 1, {T_ARR_NUM}, fn_sum, 0},
    {"to_array", 1, 1, {T_ANY}, fn_to_array, 0},
    {"to_number", 1, 1, {T_ANY}, fn_to_number, 0},
    {"to_string", 1, 1, {T_ANY}, fn_to_string, 0},
    {"type", 1, 1, {T_ANY}, fn_type, 0},
    {"values", 1, 1, {T_OBJ}, fn_values, 0},
    {"equals_ignore_case",
     2,
     2,
     {T_STR, T_STR},
     fn_equals_ignore_case,
     ATT_JMESPATH_MAA_EXTENSIONS},
};

#define NFNS (sizeof(fns) / sizeof(fns[0]))

int att_jp_func_lookup(const char *name, size_t len, unsigned flags)
{
	for (size_t i = 0; i < NFNS; i++) {
		if (strlen(fns[i].name) != len ||
		    memcmp(fns[i].name, name, len))
			continue;
		if (fns[i].flags && !(fns[i].flags & flags))
			return -1; /* not an error: not offered */
		return (int)i;
	}
	return -1; /* not an error: not found */
}

const char *att_jp_func_name(int fn)
{
	return fn >= 0 && (size_t)fn < NFNS ? fns[fn].name : "?";
}

bool att_jp_func_arity_ok(int fn, size_t nargs, const char **takes)
{
	static const char *const exact[] = {"no arguments", "1 argument",
					    "2 arguments"};
	const struct fn_def *d = &fns[fn];
	if (d->max == VARIADIC) {
		*takes = "at least 1 argument";
		return nargs >= d->min;
	}
	*takes = exact[d->min];
	return nargs == d->min;
}

/* ---- type checking and dispatch ---- */

/* elem_mismatch returns the first element of array v that is not of
 * kind want (T_NUM or T_STR), or NULL. */
static json_t *elem_mismatch(json_t *v, unsigned want)
{
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (want == T_NUM ? !att_jp_is_number(e) : !json_is_string(e))
			return e;
	}
	return NULL;
}

/* array_ok checks an array against array[number] and/or array[string];
 * with both, the first element decides which one applies. */
static bool array_ok(json_t *v, unsigned spec, json_t **bad)
{
	json_t *first = json_array_get(v, 0);
	*bad = NULL;
	if ((spec & T_ARR) || !first)
		return true;
	bool num = (spec & T_ARR_NUM) &&
		   (!(spec & T_ARR_STR) || att_jp_is_number(first));
	*bad = elem_mismatch(v, num ? T_NUM : T_STR);
	return *bad == NULL;
}

static unsigned kind_bit(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return T_OBJ;
	case JSON_ARRAY:
		return T_ARR;
	case JSON_STRING:
		return T_STR;
	case JSON_INTEGER:
	case JSON_REAL:
		return T_NUM;
	case JSON_TRUE:
	case JSON_FALSE:
		return T_BOOL;
	default:
		return T_NULL;
	}
}

static void spec_text(unsigned spec, char *buf, size_t cap)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {T_NUM, "number"},
	    {T_STR, "string"},
	    {T_BOOL, "boolean"},
	    {T_NULL, "null"},
	    {T_ARR, "array"},
	    {T_OBJ, "object"},
	    {T_EXPREF, "expression"},
	    {T_ARR_NUM, "array[number]"},
	    {T_ARR_STR, "array[string]"},
	};
	buf[0] = 0;
	if ((spec & T_ANY) == T_ANY) {
		snprintf(buf, cap, "any");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(spec & names[i].bit))
			continue;
		if (buf[0])
			strncat(buf, "|", cap - strlen(buf) - 1);
		strncat(buf, names[i].name, cap - strlen(buf) - 1);
	}
}

static int check_arg(struct call *k, size_t i, unsigned spec)
{
	char want[128], got[64];
	json_t *v = k->a[i].v, *bad = NULL;
	bool ok;
	if (!v)
		ok = spec & T_EXPREF;
	else if (json_is_array(v) && !(spec & T_ARR) &&
		 (spec & (T_ARR_NUM | T_ARR_STR)))
		ok = array_ok(v, spec, &bad);
	else
		ok = kind_bit(v) & spec;
	if (ok)
		return att_jp_charge(k->c,
				     json_is_array(v) ? json_array_size(v) : 0);
	spec_text(spec, want, sizeof(want));
	if (!v)
		snprintf(got, sizeof(got), "expression");
	else if (bad)
		snprintf(got, sizeof(got), "array containing %s",
			 att_jp_type_name(bad));
	else
		snprintf(got, sizeof(got), "%s", att_jp_type_name(v));
	return att_jp_error(k->c, ATT_ERR_JMESPATH_TYPE, k->node,
			    "function %s() argument %zu expected %s, got %s",
			    k->name, i + 1, want, got);
}

static int eval_args(struct jp_ctx *c, const struct jp_node *call, json_t *cur,
		     struct arg *a)
{
	for (size_t i = 0; i < call->nkids; i++) {
		const struct jp_node *kid = call->kids[i];
		if (kid->kind == JN_EXPREF) {
			a[i].ref = kid->lhs;
			continue;
		}
		int r = att_jp_eval(c, kid, cur, &a[i].v);
		if (r)
			return r;
	}
	return 0;
}

int att_jp_func_call(struct jp_ctx *c, const struct jp_node *call, json_t *cur,
		     json_t **out)
{
	const struct fn_def *d = &fns[call->op];
	struct arg stack[4] = {{0}}, *a = stack;
	struct call k = {
	    .c = c, .node = call, .name = d->name, .n = call->nkids};
	if (call->nkids > 4 && !(a = calloc(call->nkids, sizeof(*a))))
		return att_jp_nomem(c);
	k.a = a;
	int r = eval_args(c, call, cur, a);
	for (size_t i = 0; r == 0 && i < k.n; i++)
		r = check_arg(&k, i, d->types[i < 2 ? i : 1]);
	if (r == 0)
		r = d->impl(&k, out);
	/* While the arguments are held, a result with one reference is one
	 * the function made (shared parts of the input have more; they may
	 * be shared with other threads too, hence the atomic read). */
	if (r == 0 && *out &&
	    __atomic_load_n(&(*out)->refcount, __ATOMIC_RELAXED) == 1 &&
	    (r = att_jp_charge_new(c, *out)) != 0) {
		json_decref(*out);
		*out = NULL;
	}
	for (size_t i = 0; i < k.n; i++)
		json_decref(a[i].v);
	if (a != stack)
		free(a);
	return r;
}
