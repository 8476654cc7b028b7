/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The functions of policy version 1.2 (MAA docs "Claim rule functions"):
 * JmesPath, JsonToClaimValue, IsSubsetOf, AppendString, NegateBool,
 * ContainsOnlyValue. One table entry each; the compiler checks arity and
 * literal argument types from the table, and these functions check what only
 * run time knows. Arguments are sets (see internal.h); a function wanting one
 * value fails on an empty value or on a set of several. Work proportional to
 * the arguments (and the memory a result takes) is charged to the evaluation's
 * budget (meter.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "policy/ev.h"

#define S_STR                                                                  \
	(1u << ATT_POL_ST_STRING | 1u << ATT_POL_ST_JSON | 1u << ATT_POL_ST_ANY)
/* NegateBool also takes a JmesPath result (JSON true/false). */
#define S_BOOL                                                                 \
	(1u << ATT_POL_ST_BOOLEAN | 1u << ATT_POL_ST_JSON | 1u << ATT_POL_ST_ANY)
#define S_ALL 0x1Fu

static int single(struct att_pol_ev *e, const struct att_pol_expr *call,
		  const struct att_pol_val *args, unsigned i,
		  const struct att_pol_item **out)
{
	const struct att_pol_val *v = &args[i];
	if (v->n == 1) {
		*out = &v->v[0];
		return 0;
	}
	if (v->n == 0)
		return att_pol_ev_fail(e, call, ATT_ERR_POLICY_EVAL,
				       "argument %u is empty", i + 1);
	return att_pol_ev_fail(e, call, ATT_ERR_POLICY_EVAL,
			       "argument %u is a set of %zu values; expected "
			       "one",
			       i + 1, v->n);
}

/* as_json returns the JSON value an argument stands for: a JSON item
 * itself, a string parsed as JSON text, an integer or boolean as is. */
static int as_json(struct att_pol_ev *e, const struct att_pol_expr *call,
		   const struct att_pol_item *it, unsigned i, json_t **out)
{
	if (it->vt != ATT_CLAIM_STRING) {
		*out = it->j;
		return 0;
	}
	json_t *j = it->as_json_known ? it->as_json : att_pol_ev_parse(e, it);
	if (!j)
		return att_pol_ev_fail(e, call, ATT_ERR_POLICY_EVAL,
				       "argument %u is not valid JSON text",
				       i + 1);
	*out = j;
	return 0;
}

static int fn_jmespath(struct att_pol_ev *e, const struct att_pol_expr *call,
		       const struct att_pol_val *args, struct att_pol_val *out)
{
	const struct att_pol_item *data = NULL, *query = NULL;
	json_t *doc = NULL, *res = NULL;
	int r;
	if ((r = single(e, call, args, 0, &data)) != 0 ||
	    (r = single(e, call, args, 1, &query)) != 0 ||
	    (r = as_json(e, call, data, 0, &doc)) != 0)
		return r;
	struct att_jmespath *jp = (struct att_jmespath *)call->jp;
	struct att_diag d;
	att_diag_clear(&d);
	if (!jp) {
		size_t qlen = 0;
		const char *q = att_pol_item_text(e, query, &qlen, &r);
		if (!q || !qlen)
			return att_pol_ev_fail(e, call, r ? r : ATT_ERR_POLICY_EVAL,
					       "argument 2 must be a non-empty "
					       "query string");
		/* A query made at run time is compiled per call: charged
		 * by its length (its syntax tree is a few nodes per byte). */
		if (att_pol_ev_charge(e, qlen, 32 * (uint64_t)qlen))
			return att_pol_ev_fail(e, call, ATT_ERR_LIMIT, "budget");
		if ((r = att_pol_jp_compile(&jp, q, qlen, &d)) != 0)
			return att_pol_ev_fail(e, call, ATT_ERR_POLICY_EVAL,
					       "query: %s", att_diag_msg(&d));
	}
	r = att_pol_jp_eval(jp, doc, &e->m, &res, &d);
	if (jp != call->jp)
		att_pol_jp_free(jp);
	if (r)
		return att_pol_ev_fail(e, call, r == ATT_ERR_NOMEM ? r : ATT_ERR_POLICY_EVAL,
				       "%s", att_diag_msg(&d));
	if (!att_pol_ev_keep(e, res) || !(out->v = att_pol_ev_items(e, 1)))
		return att_pol_ev_fail(e, call, ATT_ERR_NOMEM, "out of memory");
	att_pol_item_from_json(&out->v[0], res, ATT_CLAIM_JSON);
	out->n = 1;
	return 0;
}

/* json_to_item converts one primitive JSON value; *skip for null. */
static int json_to_item(struct att_pol_ev *e, const struct att_pol_expr *call,
			json_t *j, struct att_pol_item *it, bool *skip)
{
	*skip = false;
	switch (json_typeof(j)) {
	case JSON_NULL:
		*skip = true;
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		att_pol_item_from_json(it, j, ATT_CLAIM_BOOLEAN);
		return 0;
	case JSON_INTEGER:
		att_pol_item_from_json(it, j, ATT_CLAIM_INTEGER);
		return 0;
	case JSON_STRING:
		att_pol_item_from_json(it, j, ATT_CLAIM_STRING);
		return 0;
	case JSON_REAL: {
		double d = json_real_value(j);
		if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return att_pol_ev_fail(e, call, ATT_ERR_POLICY_EVAL,
					       "%g is not an integer", d);
		json_t *n = att_pol_ev_charge(e, 0, 64)
				    ? NULL
				    : att_pol_ev_keep(e, json_integer((json_int_t)d));
		if (!n)
			return att_pol_ev_fail(e, call, ATT_ERR_NOMEM,
					       "out of memory");
		att_pol_item_from_json(it, n, ATT_CLAIM_INTEGER);
		return 0;
	}
	default:
		return att_pol_ev_fail(e, call, ATT_ERR_POLICY_EVAL,
				       "JSON %s cannot be a claim value",
				       json_is_object(j) ? "objects" : "arrays "
								       "nested in "
								       "arrays");
	}
}

static int fn_json_to_claim_value(struct att_pol_ev *e,
				  const struct att_pol_expr *call,
				  const struct att_pol_val *args,
				  struct att_pol_val *out)
{
	const struct att_pol_item *arg = NULL;
	json_t *j = NULL;
	int r;
	bool skip;
	if ((r = single(e, call, args, 0, &arg)) != 0 ||
	    (r = as_json(e, call, arg, 0, &j)) != 0)
		return r;
	if (json_is_object(j))
		return att_pol_ev_fail(e, call, ATT_ERR_POLICY_EVAL,
				       "JSON objects cannot be claim values");
	size_t n = json_is_array(j) ? json_array_size(j) : 1;
	if (att_pol_ev_charge(e, n, 0))
		return att_pol_ev_fail(e, call, ATT_ERR_LIMIT, "budget");
	out->v = att_pol_ev_items(e, n ? n : 1);
	if (!out->v)
		return att_pol_ev_fail(e, call, ATT_ERR_NOMEM, "out of memory");
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *el = json_is_array(j) ? json_array_get(j, i) : j;
		if ((r = json_to_item(e, call, el, &out->v[out->n], &skip)) != 0)
			return r;
		out->n += !skip;
	}
	return 0;
}

static int bool_result(struct att_pol_ev *e, const struct att_pol_expr *call,
		       bool b, struct att_pol_val *out)
{
	out->v = att_pol_ev_items(e, 1);
	if (!out->v)
		return att_pol_ev_fail(e, call, ATT_ERR_NOMEM, "out of memory");
	/* json_true()/json_false() are static: no reference to manage. */
	att_pol_item_from_json(&out->v[0], json_boolean(b), ATT_CLAIM_BOOLEAN);
	out->n = 1;
	return 0;
}

static int fn_is_subset_of(struct att_pol_ev *e, const struct att_pol_expr *call,
			   const struct att_pol_val *args,
			   struct att_pol_val *out)
{
	/* A set's values are in memory (far fewer than 2^32 of them): the
	 * product cannot overflow. */
	if (att_pol_ev_charge(e, (uint64_t)args[0].n * args[1].n, 0))
		return att_pol_ev_fail(e, call, ATT_ERR_LIMIT, "budget");
	for (size_t i = 0; i < args[0].n; i++)
		if (!att_pol_val_cmp(&args[0].v[i], ATT_POL_OP_EQ, &args[1]))
			return bool_result(e, call, false, out);
	return bool_result(e, call, true, out);
}

static int fn_append_string(struct att_pol_ev *e,
			    const struct att_pol_expr *call,
			    const struct att_pol_val *args,
			    struct att_pol_val *out)
{
	const struct att_pol_item *it[2] = {NULL, NULL};
	const char *s[2] = {NULL, NULL};
	size_t n[2] = {0, 0};
	int r;
	for (unsigned i = 0; i < 2; i++) {
		if ((r = single(e, call, args, i, &it[i])) != 0)
			return r;
		s[i] = att_pol_item_text(e, it[i], &n[i], &r);
		if (!s[i])
			return att_pol_ev_fail(
				e, call, r ? r : ATT_ERR_POLICY_EVAL,
				"argument %u is %s; expected a String", i + 1,
				it[i]->vt == ATT_CLAIM_INTEGER ? "an Integer"
							       : "a Boolean");
	}
	uint64_t len = (uint64_t)n[0] + n[1];
	if (att_pol_ev_charge(e, len / 64, 2 * len + 64))
		return att_pol_ev_fail(e, call, ATT_ERR_LIMIT, "budget");
	char *cat = malloc(n[0] + n[1] + 1);
	json_t *j = NULL;
	if (cat) {
		memcpy(cat, s[0], n[0]);
		memcpy(cat + n[0], s[1], n[1]);
		j = att_pol_ev_keep(e, json_stringn(cat, n[0] + n[1]));
		free(cat);
	}
	if (!j || !(out->v = att_pol_ev_items(e, 1)))
		return att_pol_ev_fail(e, call, ATT_ERR_NOMEM, "out of memory");
	att_pol_item_from_json(&out->v[0], j, ATT_CLAIM_STRING);
	out->n = 1;
	return 0;
}

static int fn_negate_bool(struct att_pol_ev *e, const struct att_pol_expr *call,
			  const struct att_pol_val *args,
			  struct att_pol_val *out)
{
	const struct att_pol_item *it = NULL;
	int r = single(e, call, args, 0, &it);
	if (r)
		return r;
	/* A JSON true/false (a JmesPath result) is accepted as well. */
	if (it->vt != ATT_CLAIM_BOOLEAN &&
	    !(it->vt == ATT_CLAIM_JSON && json_is_boolean(it->j)))
		return att_pol_ev_fail(e, call, ATT_ERR_POLICY_EVAL,
				       "argument is %s; expected a Boolean",
				       it->vt == ATT_CLAIM_INTEGER ? "an Integer"
								   : "a String");
	return bool_result(e, call, !json_is_true(it->j), out);
}

static int fn_contains_only_value(struct att_pol_ev *e,
				  const struct att_pol_expr *call,
				  const struct att_pol_val *args,
				  struct att_pol_val *out)
{
	const struct att_pol_item *v = NULL;
	int r = single(e, call, args, 1, &v);
	if (r)
		return r;
	if (att_pol_ev_charge(e, args[0].n, 0))
		return att_pol_ev_fail(e, call, ATT_ERR_LIMIT, "budget");
	bool only = args[0].n > 0;
	for (size_t i = 0; only && i < args[0].n; i++)
		only = att_pol_item_cmp(&args[0].v[i], ATT_POL_OP_EQ, v);
	return bool_result(e, call, only, out);
}

static const struct att_pol_func funcs[] = {
	{"JmesPath", 2, {S_STR, S_STR}, ATT_POL_ST_JSON, fn_jmespath},
	{"JsonToClaimValue", 1, {S_STR, 0}, ATT_POL_ST_ANY,
	 fn_json_to_claim_value},
	{"IsSubsetOf", 2, {S_ALL, S_ALL}, ATT_POL_ST_BOOLEAN, fn_is_subset_of},
	{"AppendString", 2, {S_STR, S_STR}, ATT_POL_ST_STRING,
	 fn_append_string},
	{"NegateBool", 1, {S_BOOL, 0}, ATT_POL_ST_BOOLEAN, fn_negate_bool},
	{"ContainsOnlyValue", 2, {S_ALL, S_ALL}, ATT_POL_ST_BOOLEAN,
	 fn_contains_only_value},
};

const struct att_pol_func *att_pol_func_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == len &&
		    !strncasecmp(funcs[i].name, name, len))
			return &funcs[i];
	return NULL;
}
