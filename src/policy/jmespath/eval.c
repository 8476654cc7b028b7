/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JMESPath evaluator: walks the compiled AST over a jansson value. Every
 * node visit costs one step of the meter (ATT_MAX_JMESPATH_STEPS per call,
 * or the calling policy's budget), every value made costs its bytes
 * (JP_*_BYTES, charged before the memory is taken where a value can grow
 * beyond its inputs), and the recursion depth is bounded by
 * ATT_MAX_JMESPATH_DEPTH, so no expression can hang, hog memory or
 * exhaust the stack. Results are new references: parts of the input are
 * shared (json_incref), literals are copied, so the AST is never written
 * and may be evaluated from several threads.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/jmespath/ast.h"
#include "policy/meter.h"

static int eval_field(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		      json_t **out)
{
	json_t *v = NULL;
	if (json_is_object(cur)) {
		int r = att_jp_charge_bytes(c, json_string_length(n->value));
		if (r)
			return r;
		v = json_object_getn(cur, json_string_value(n->value),
				     json_string_length(n->value));
	}
	*out = v ? json_incref(v) : json_null();
	return 0;
}

static int eval_index(const struct jp_node *n, json_t *cur, json_t **out)
{
	json_t *v = NULL;
	if (json_is_array(cur)) {
		long long size = (long long)json_array_size(cur);
		long long i = n->idx[0] < 0 ? n->idx[0] + size : n->idx[0];
		if (i >= 0 && i < size)
			v = json_array_get(cur, (size_t)i);
	}
	*out = v ? json_incref(v) : json_null();
	return 0;
}

static long long slice_bound(long long v, long long len, long long step)
{
	if (v < 0) {
		v += len;
		if (v < 0)
			v = step < 0 ? -1 : 0;
	} else if (v >= len) {
		v = step < 0 ? len - 1 : len;
	}
	return v;
}

static int eval_slice(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		      json_t **out)
{
	if (!json_is_array(cur)) {
		*out = json_null();
		return 0;
	}
	long long len = (long long)json_array_size(cur);
	long long step = n->has[2] ? n->idx[2] : 1;
	long long start = n->has[0]  ? slice_bound(n->idx[0], len, step)
			  : step < 0 ? len - 1
				     : 0;
	long long stop = n->has[1]  ? slice_bound(n->idx[1], len, step)
			 : step < 0 ? -1
				    : len;
	int rc = att_jp_charge_alloc(c, JP_VALUE_BYTES);
	if (rc)
		return rc;
	json_t *res = json_array();
	if (!res)
		return att_jp_nomem(c);
	for (long long i = start; step > 0 ? i < stop : i > stop;) {
		int r = att_jp_charge(c, 1);
		if (r == 0)
			r = att_jp_charge_alloc(c, JP_SLOT_BYTES);
		if (r == 0 &&
		    json_array_append(res, json_array_get(cur, (size_t)i)))
			r = att_jp_nomem(c);
		if (r) {
			json_decref(res);
			return r;
		}
		if (step > 0 ? stop - i <= step : i + step <= stop)
			break;
		i += step;
	}
	*out = res;
	return 0;
}

/* eval_seq applies the kids in turn (a.b.c, a[0], a | b). */
static int eval_seq(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		    json_t **out)
{
	json_t *v = json_incref(cur), *next = NULL;
	for (size_t i = 0; i < n->nkids; i++) {
		int r = att_jp_eval(c, n->kids[i], v, &next);
		json_decref(v);
		if (r)
			return r;
		v = next;
	}
	*out = v;
	return 0;
}

/* eval_logic: || returns the first truthy kid, && the first falsy one,
 * else the last kid's value. */
static int eval_logic(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		      json_t **out)
{
	bool want = n->kind == JN_OR;
	for (size_t i = 0; i < n->nkids; i++) {
		json_t *v = NULL;
		int r = att_jp_eval(c, n->kids[i], cur, &v);
		if (r)
			return r;
		if (att_jp_truthy(v) == want || i + 1 == n->nkids) {
			*out = v;
			return 0;
		}
		json_decref(v);
	}
	*out = json_null();
	return 0;
}

static int eval_not(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		    json_t **out)
{
	json_t *v = NULL;
	int r = att_jp_eval(c, n->lhs, cur, &v);
	if (r)
		return r;
	*out = json_boolean(!att_jp_truthy(v));
	json_decref(v);
	return 0;
}

static int compare(struct jp_ctx *c, int op, json_t *a, json_t *b, json_t **out)
{
	bool eq;
	if (op == JT_EQ || op == JT_NE) {
		int r = att_jp_equal(c, a, b, &eq);
		if (r)
			return r;
		*out = json_boolean(op == JT_EQ ? eq : !eq);
		return 0;
	}
	if (!att_jp_is_number(a) || !att_jp_is_number(b)) {
		*out = json_null();
		return 0;
	}
	int k = att_jp_num_cmp(a, b);
	*out = json_boolean(op == JT_LT	  ? k < 0
			    : op == JT_LE ? k <= 0
			    : op == JT_GT ? k > 0
					  : k >= 0);
	return 0;
}

static int eval_cmp(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		    json_t **out)
{
	json_t *a = NULL, *b = NULL;
	int r = att_jp_eval(c, n->lhs, cur, &a);
	if (r == 0)
		r = att_jp_eval(c, n->rhs, cur, &b);
	if (r == 0)
		r = compare(c, n->op, a, b, out);
	json_decref(a);
	json_decref(b);
	return r;
}

/* collect evaluates n->rhs on item (when n->cond, only if the condition
 * holds) and appends a non-null result to res. */
static int collect(struct jp_ctx *c, const struct jp_node *n, json_t *item,
		   json_t *res)
{
	json_t *v = NULL;
	int r;
	if (n->cond) {
		if ((r = att_jp_eval(c, n->cond, item, &v)))
			return r;
		bool keep = att_jp_truthy(v);
		json_decref(v);
		if (!keep)
			return 0;
	}
	if ((r = att_jp_eval(c, n->rhs, item, &v)))
		return r;
	if (json_is_null(v))
		return 0;
	if ((r = att_jp_charge_alloc(c, JP_SLOT_BYTES))) {
		json_decref(v);
		return r;
	}
	return json_array_append_new(res, v) ? att_jp_nomem(c) : 0;
}

static int eval_project(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
			json_t **out)
{
	json_t *base = NULL, *res = NULL, *item;
	int r = att_jp_eval(c, n->lhs, cur, &base);
	if (r)
		return r;
	bool obj = n->kind == JN_VPROJECT;
	if (obj ? !json_is_object(base) : !json_is_array(base)) {
		json_decref(base);
		*out = json_null();
		return 0;
	}
	if ((r = att_jp_charge_alloc(c, JP_VALUE_BYTES)) == 0 &&
	    !(res = json_array()))
		r = att_jp_nomem(c);
	if (obj) {
		const char *k;
		json_object_foreach(base, k, item)
		{
			if (r || (r = collect(c, n, item, res)))
				break;
		}
	} else {
		for (size_t i = 0; r == 0 && i < json_array_size(base); i++)
			r = collect(c, n, json_array_get(base, i), res);
	}
	json_decref(base);
	if (r)
		json_decref(res);
	else
		*out = res;
	return r;
}

static int flatten_into(struct jp_ctx *c, json_t *res, json_t *item)
{
	size_t n = json_is_array(item) ? json_array_size(item) : 1;
	int r = att_jp_charge(c, n);
	if (r == 0)
		r = att_jp_charge_alloc(c, JP_SLOT_BYTES * n);
	if (r)
		return r;
	if (json_is_array(item))
		r = json_array_extend(res, item);
	else
		r = json_array_append(res, item);
	return r ? att_jp_nomem(c) : 0;
}

static int eval_flatten(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
			json_t **out)
{
	json_t *base = NULL, *res = NULL;
	int r = att_jp_eval(c, n->lhs, cur, &base);
	if (r)
		return r;
	if (!json_is_array(base)) {
		json_decref(base);
		*out = json_null();
		return 0;
	}
	if ((r = att_jp_charge_alloc(c, JP_VALUE_BYTES)) == 0 &&
	    !(res = json_array()))
		r = att_jp_nomem(c);
	for (size_t i = 0; r == 0 && i < json_array_size(base); i++)
		r = flatten_into(c, res, json_array_get(base, i));
	json_decref(base);
	if (r)
		json_decref(res);
	else
		*out = res;
	return r;
}

static int eval_multi(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		      json_t **out)
{
	if (json_is_null(cur)) {
		*out = json_null();
		return 0;
	}
	bool hash = n->kind == JN_MHASH;
	int r = att_jp_charge_alloc(
	    c, JP_VALUE_BYTES + n->nkids * (hash ? JP_MEMBER_BYTES
						  : JP_SLOT_BYTES));
	if (r)
		return r;
	json_t *res = hash ? json_object() : json_array(), *v = NULL;
	r = res ? 0 : att_jp_nomem(c);
	for (size_t i = 0; r == 0 && i < n->nkids; i++) {
		if ((r = att_jp_eval(c, n->kids[i], cur, &v)))
			break;
		json_t *key = json_array_get(n->value, i);
		if (hash &&
		    (r = att_jp_charge_bytes(c, json_string_length(key)))) {
			json_decref(v);
			break;
		}
		if (hash ? json_object_setn_new_nocheck(
			       res, json_string_value(key),
			       json_string_length(key), v)
			 : json_array_append_new(res, v))
			r = att_jp_nomem(c);
	}
	if (r)
		json_decref(res);
	else
		*out = res;
	return r;
}

static int eval_node(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		     json_t **out)
{
	switch (n->kind) {
	case JN_IDENTITY:
	case JN_CURRENT:
		*out = json_incref(cur);
		return 0;
	case JN_FIELD:
		return eval_field(c, n, cur, out);
	case JN_LITERAL:
		return att_jp_copy(c, n->value, out);
	case JN_INDEX:
		return eval_index(n, cur, out);
	case JN_SLICE:
		return eval_slice(c, n, cur, out);
	case JN_SUBEXPR:
	case JN_PIPE:
		return eval_seq(c, n, cur, out);
	case JN_OR:
	case JN_AND:
		return eval_logic(c, n, cur, out);
	case JN_NOT:
		return eval_not(c, n, cur, out);
	case JN_CMP:
		return eval_cmp(c, n, cur, out);
	case JN_PROJECT:
	case JN_VPROJECT:
	case JN_FPROJECT:
		return eval_project(c, n, cur, out);
	case JN_FLATTEN:
		return eval_flatten(c, n, cur, out);
	case JN_MLIST:
	case JN_MHASH:
		return eval_multi(c, n, cur, out);
	case JN_FUNC:
		return att_jp_func_call(c, n, cur, out);
	case JN_EXPREF:
		return att_jp_error(
		    c, ATT_ERR_JMESPATH_TYPE, n,
		    "an expression reference (&...) can only be "
		    "a function argument");
	}
	return att_jp_error(c, ATT_ERR_INTERNAL, n, "unknown node");
}

int att_jp_eval(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		json_t **out)
{
	*out = NULL;
	int r = att_jp_charge(c, 1);
	if (r)
		return r;
	if (c->depth >= ATT_MAX_JMESPATH_DEPTH)
		return att_diag_set(c->diag, ATT_ERR_LIMIT,
				    "limit: evaluation nested deeper than %d "
				    "levels",
				    ATT_MAX_JMESPATH_DEPTH);
	c->depth++;
	r = eval_node(c, n, cur, out);
	c->depth--;
	if (r && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return r;
}

int att_jmespath_eval_metered(const struct att_jmespath *jp, json_t *data,
			      struct att_pol_meter *m, json_t **out,
			      struct att_diag *diag)
{
	struct jp_ctx c = {.jp = jp, .diag = diag, .m = m};
	*out = NULL;
	if (!jp || !m)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG,
				    "jmespath: no compiled expression or meter");
	return att_jp_eval(&c, jp->root, data ? data : json_null(), out);
}

int att_jmespath_eval(const struct att_jmespath *jp, json_t *data, json_t **out,
		      struct att_diag *diag)
{
	struct att_pol_meter m;
	att_pol_meter_init(&m, ATT_MAX_JMESPATH_STEPS, UINT64_MAX, 0);
	return att_jmespath_eval_metered(jp, data, &m, out, diag);
}

unsigned att_jmespath_height(const struct att_jmespath *jp)
{
	return jp && jp->root ? jp->root->depth : 0;
}

int att_jmespath_search(const char *expr, json_t *data, unsigned flags,
			json_t **out, struct att_diag *diag)
{
	struct att_jmespath *jp = NULL;
	*out = NULL;
	int r = att_jmespath_compile(&jp, expr, expr ? strlen(expr) : 0, flags,
				     diag);
	if (r == 0)
		r = att_jmespath_eval(jp, data, out, diag);
	att_jmespath_free(jp);
	return r;
}
