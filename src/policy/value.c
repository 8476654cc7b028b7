/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run-time values of the policy language and how they compare
 * (docs/policy.md, "Values and comparisons"): integers admit all six
 * operators; strings and booleans == and !=; values of different types
 * are never equal; a JSON value (JSON text kept parsed) equals a string
 * whose text parses to an equal JSON value. Also the source-like
 * rendering of AST nodes used by explain traces and deny summaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/buf.h"
#include "policy/ev.h"

const char *att_claim_vtype_name(enum att_claim_vtype vtype)
{
	switch (vtype) {
	case ATT_CLAIM_INTEGER:
		return "Integer";
	case ATT_CLAIM_BOOLEAN:
		return "Boolean";
	default:
		return "String";
	}
}

int att_pol_vtype_parse(const char *s, size_t len, enum att_claim_vtype *out)
{
	static const enum att_claim_vtype vts[] = {
		ATT_CLAIM_STRING, ATT_CLAIM_INTEGER, ATT_CLAIM_BOOLEAN};
	for (unsigned i = 0; i < 3; i++) {
		const char *name = att_claim_vtype_name(vts[i]);
		if (strlen(name) == len && !strncasecmp(s, name, len)) {
			*out = vts[i];
			return 0;
		}
	}
	return ATT_ERR_INVALID_ARG;
}

json_t *att_pol_json_parse(const char *s, size_t len)
{
	/* Most strings (claim types, hex digests) cannot be JSON: their first
	 * character says so without asking the parser. */
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", s[i]) && s[i])
		i++;
	if (i == len || !strchr("{[\"-0123456789tfn", s[i]) || !s[i])
		return NULL;
	json_error_t jerr;
	return json_loadb(s, len, JSON_DECODE_ANY, &jerr);
}

void att_pol_item_from_json(struct att_pol_item *it, json_t *j,
			    enum att_claim_vtype vt)
{
	memset(it, 0, sizeof(*it));
	it->vt = vt;
	it->j = j;
	if (vt == ATT_CLAIM_STRING && json_is_string(j)) {
		it->s = json_string_value(j);
		it->slen = json_string_length(j);
	}
}

const char *att_pol_item_str(const struct att_pol_item *it, size_t *len)
{
	if (it->vt != ATT_CLAIM_STRING || !it->s)
		return NULL;
	*len = it->slen;
	return it->s;
}

json_t *att_pol_item_json(struct att_pol_ev *e, const struct att_pol_item *it)
{
	if (it->j)
		return it->j;
	if (att_pol_ev_charge(e, 1, 64 + it->slen))
		return NULL;
	return att_pol_ev_keep(e, json_stringn(it->s, it->slen));
}

const char *att_pol_item_text(struct att_pol_ev *e,
			      const struct att_pol_item *it, size_t *len,
			      int *err)
{
	*err = 0;
	if (it->vt == ATT_CLAIM_STRING)
		return att_pol_item_str(it, len);
	if (it->vt != ATT_CLAIM_JSON)
		return NULL;
	char *text = json_dumps(it->j, JSON_COMPACT | JSON_ENCODE_ANY);
	/* Charged once written: the text and its string, a step per 64. */
	size_t n = text ? strlen(text) : 0;
	if (text && att_pol_ev_charge(e, 1 + n / 64, 2 * (uint64_t)n + 64)) {
		free(text);
		*err = ATT_ERR_LIMIT;
		return NULL;
	}
	json_t *s = text ? att_pol_ev_keep(e, json_stringn(text, n)) : NULL;
	free(text);
	if (!s) {
		*err = ATT_ERR_NOMEM;
		return NULL;
	}
	*len = json_string_length(s);
	return json_string_value(s);
}

/* json_vs_string: JSON text compared with a string parses the string. */
static bool json_vs_string(const struct att_pol_item *js,
			   const struct att_pol_item *str)
{
	if (str->as_json_known)
		return str->as_json && json_equal(js->j, str->as_json);
	json_t *parsed = att_pol_json_parse(str->s, str->slen);
	bool eq = parsed && json_equal(js->j, parsed);
	json_decref(parsed);
	return eq;
}

static bool items_equal(const struct att_pol_item *a,
			const struct att_pol_item *b)
{
	if (a->vt != b->vt) {
		if (a->vt == ATT_CLAIM_JSON && b->vt == ATT_CLAIM_STRING)
			return json_vs_string(a, b);
		if (a->vt == ATT_CLAIM_STRING && b->vt == ATT_CLAIM_JSON)
			return json_vs_string(b, a);
		return false;
	}
	switch (a->vt) {
	case ATT_CLAIM_STRING:
		return a->slen == b->slen && !memcmp(a->s, b->s, a->slen);
	case ATT_CLAIM_INTEGER:
		return json_integer_value(a->j) == json_integer_value(b->j);
	case ATT_CLAIM_BOOLEAN:
		return json_is_true(a->j) == json_is_true(b->j);
	default:
		return json_equal(a->j, b->j);
	}
}

bool att_pol_item_cmp(const struct att_pol_item *a, enum att_pol_op op,
		      const struct att_pol_item *b)
{
	if (op == ATT_POL_OP_EQ)
		return items_equal(a, b);
	if (op == ATT_POL_OP_NE)
		return !items_equal(a, b);
	/* Orderings are defined on integers only; anything else does not
	 * satisfy them (and the compiler rejects literal misuse). */
	if (a->vt != ATT_CLAIM_INTEGER || b->vt != ATT_CLAIM_INTEGER)
		return false;
	json_int_t x = json_integer_value(a->j), y = json_integer_value(b->j);
	switch (op) {
	case ATT_POL_OP_LT:
		return x < y;
	case ATT_POL_OP_LE:
		return x <= y;
	case ATT_POL_OP_GT:
		return x > y;
	default:
		return x >= y;
	}
}

bool att_pol_val_cmp(const struct att_pol_item *a, enum att_pol_op op,
		     const struct att_pol_val *s)
{
	if (op == ATT_POL_OP_NE) {
		for (size_t i = 0; i < s->n; i++)
			if (items_equal(a, &s->v[i]))
				return false;
		return true;
	}
	for (size_t i = 0; i < s->n; i++)
		if (att_pol_item_cmp(a, op, &s->v[i]))
			return true;
	return false;
}

/* ---- rendering ------------------------------------------------------------ */

#define RENDER_STR_MAX 60

static int render_string(struct att_buf *b, const char *s, size_t n)
{
	size_t k = n > RENDER_STR_MAX ? RENDER_STR_MAX - 3 : n;
	while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return att_buf_addf(b, "'%.*s%s'", (int)k, s, k < n ? "..." : "");
}

int att_pol_render_expr(struct att_buf *b, const struct att_pol_expr *e)
{
	int r = 0;
	switch (e->kind) {
	case ATT_POL_E_CONST:
		if (e->item.vt == ATT_CLAIM_STRING)
			return render_string(b, e->item.s, e->item.slen);
		if (e->item.vt == ATT_CLAIM_INTEGER)
			return att_buf_addf(b, "%lld",
					    (long long)json_integer_value(
						    e->item.j));
		return att_buf_adds(b, json_is_true(e->item.j) ? "true"
							       : "false");
	case ATT_POL_E_PROP:
		return att_buf_addf(b, "%s.%s", e->ident,
				    att_pol_prop_name(e->prop));
	case ATT_POL_E_CALL:
		r = att_buf_addf(b, "%s(", e->fn->name);
		for (unsigned i = 0; r == 0 && i < e->nargs; i++) {
			if (i)
				r = att_buf_adds(b, ", ");
			if (r == 0)
				r = att_pol_render_expr(b, e->args[i]);
		}
		return r ? r : att_buf_adds(b, ")");
	}
	return r;
}

static int render_pcond(struct att_buf *b, const struct att_pol_pcond *pc)
{
	int r = att_buf_addf(b, "%s %s ", att_pol_prop_name(pc->prop),
			     att_pol_op_text(pc->op));
	return r ? r : att_pol_render_expr(b, pc->rhs);
}

int att_pol_render_props(struct att_buf *b, const struct att_pol_cond *c)
{
	int r = 0;
	for (unsigned i = 0; r == 0 && i < c->nprops; i++) {
		if (i)
			r = att_buf_adds(b, " and ");
		if (r == 0)
			r = render_pcond(b, &c->props[i]);
	}
	return r;
}

int att_pol_render_cond(struct att_buf *b, const struct att_pol_cond *c)
{
	int r = 0;
	if (c->ident)
		r = att_buf_addf(b, "%s:", c->ident);
	if (r == 0)
		r = att_buf_adds(b, c->negated ? "![" : "[");
	for (unsigned i = 0; r == 0 && i < c->nprops; i++) {
		if (i)
			r = att_buf_adds(b, ", ");
		if (r == 0)
			r = render_pcond(b, &c->props[i]);
	}
	return r ? r : att_buf_adds(b, "]");
}
