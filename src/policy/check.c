/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compile-time checks of the policy AST, called by the parser on each
 * finished node: which operators a claim property admits (MAA docs
 * "Claim rule grammar":
 * Integer all six, String and Boolean only == and !=), function arity and
 * argument types, which actions a section admits, the types of
 * MAA's known property claims (§3.6), and the compilation of JmesPath
 * queries written as literals. Also the names of the language's parts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "policy/internal.h"

const char *att_pol_section_name(enum att_pol_section s)
{
	static const char *names[] = {"configurationrules",
				      "authorizationrules", "issuancerules"};
	return (unsigned)s < ATT_POL_NSECTIONS ? names[s] : "?";
}

const char *att_pol_prop_name(enum att_pol_prop p)
{
	static const char *names[] = {"type", "value", "issuer", "valueType"};
	return (unsigned)p < 4 ? names[p] : "?";
}

const char *att_pol_op_text(enum att_pol_op op)
{
	static const char *names[] = {"==", "!=", "<", "<=", ">", ">="};
	return (unsigned)op < 6 ? names[op] : "?";
}

const char *att_pol_act_name(enum att_pol_act a)
{
	static const char *names[] = {"permit", "deny", "add", "issue",
				      "issueproperty"};
	return (unsigned)a < 5 ? names[a] : "?";
}

const char *att_pol_stype_name(enum att_pol_stype t)
{
	/* A JmesPath result is JSON text: a String to the language. */
	static const char *names[] = {"String", "Integer", "Boolean",
				      "String (JSON text)", "claim value"};
	return (unsigned)t < 5 ? names[t] : "?";
}

int att_pol_errorf(struct att_policy_error *err, int code,
		   struct att_pol_pos pos, const char *fmt, ...)
{
	if (err->msg[0])
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->line = pos.line;
	err->column = pos.col;
	return code;
}

int att_pol_limitf(struct att_policy_error *err, enum att_policy_limit limit,
		   struct att_pol_pos pos, const char *fmt, ...)
{
	if (err->msg[0])
		return ATT_ERR_LIMIT;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->line = pos.line;
	err->column = pos.col;
	err->limit = limit;
	return ATT_ERR_LIMIT;
}

bool att_pol_over_jmespath(const struct att_policy *pol)
{
	return pol->lim && pol->njmespath > pol->lim->max_jmespath;
}

int att_pol_own(struct att_policy *pol, json_t *j, struct att_jmespath *jp)
{
	struct att_pol_owned *o = att_pol_alloc(&pol->arena, sizeof(*o));
	if (!o) {
		json_decref(j);
		att_pol_jp_free(jp);
		return ATT_ERR_NOMEM;
	}
	o->j = j;
	o->jp = jp;
	o->next = pol->owned;
	pol->owned = o;
	return 0;
}

/* with_article: "an Integer", "a String", ... */
static const char *with_article(enum att_pol_stype t)
{
	static const char *names[] = {"a String", "an Integer", "a Boolean",
				      "a String (JSON text)", "a claim value"};
	return (unsigned)t < 5 ? names[t] : "?";
}

static bool is_ordering(enum att_pol_op op)
{
	return op != ATT_POL_OP_EQ && op != ATT_POL_OP_NE;
}

/* valueType == "integer" is accepted in any case and stored as MAA
 * spells it, since run-time comparison is exact. */
static int check_valuetype(struct att_policy *pol, struct att_pol_pcond *pc,
			   struct att_policy_error *err)
{
	struct att_pol_expr *e = pc->rhs;
	if (e->kind != ATT_POL_E_CONST || e->stype != ATT_POL_ST_STRING)
		return 0;
	enum att_claim_vtype vt;
	if (att_pol_vtype_parse(e->item.s, e->item.slen, &vt) != 0)
		return att_pol_errorf(err, ATT_ERR_POLICY_TYPE, e->pos,
				      "unknown valueType '%.*s' (String, "
				      "Integer or Boolean)",
				      (int)(e->item.slen > 40 ? 40 : e->item.slen),
				      e->item.s);
	json_t *canon = json_string(att_claim_vtype_name(vt));
	if (!canon || att_pol_own(pol, canon, NULL) != 0)
		return att_pol_errorf(err, ATT_ERR_NOMEM, e->pos,
				      "out of memory");
	att_pol_item_from_json(&e->item, canon, ATT_CLAIM_STRING);
	e->item.as_json = NULL;
	e->item.as_json_known = true;
	return 0;
}

int att_pol_check_pcond(struct att_policy *pol, struct att_pol_pcond *pc,
			struct att_policy_error *err)
{
	enum att_pol_stype st = pc->rhs->stype;
	const char *prop = att_pol_prop_name(pc->prop);
	if (pc->prop != ATT_POL_P_VALUE) {
		if (is_ordering(pc->op))
			return att_pol_errorf(
				err, ATT_ERR_POLICY_TYPE, pc->pos,
				"operator '%s' is not defined for String "
				"(claim property '%s')",
				att_pol_op_text(pc->op), prop);
		if (st == ATT_POL_ST_INTEGER || st == ATT_POL_ST_BOOLEAN)
			return att_pol_errorf(
				err, ATT_ERR_POLICY_TYPE, pc->rhs->pos,
				"claim property '%s' is a String and cannot "
				"be compared with %s",
				prop, with_article(st));
		if (pc->prop == ATT_POL_P_VALUETYPE)
			return check_valuetype(pol, pc, err);
		return 0;
	}
	if (is_ordering(pc->op) &&
	    (st == ATT_POL_ST_STRING || st == ATT_POL_ST_BOOLEAN ||
	     st == ATT_POL_ST_JSON))
		return att_pol_errorf(err, ATT_ERR_POLICY_TYPE, pc->pos,
				      "operator '%s' is not defined for %s",
				      att_pol_op_text(pc->op),
				      att_pol_stype_name(st));
	return 0;
}

/* ---- function calls --------------------------------------------------- */

static const char *mask_name(unsigned mask)
{
	if (mask & (1u << ATT_POL_ST_INTEGER))
		return "an Integer";
	if (mask & (1u << ATT_POL_ST_BOOLEAN))
		return "a Boolean";
	return "a String";
}

static bool empty_string(const struct att_pol_expr *a)
{
	return a->kind == ATT_POL_E_CONST && a->stype == ATT_POL_ST_STRING &&
	       a->item.slen == 0;
}

/* A literal that must hold JSON text is parsed now (and kept). */
static int check_json_literal(const struct att_pol_expr *call, unsigned i,
			      struct att_policy_error *err)
{
	const struct att_pol_expr *a = call->args[i];
	if (a->kind != ATT_POL_E_CONST || a->stype != ATT_POL_ST_STRING)
		return 0;
	if (!a->item.as_json)
		return att_pol_errorf(err, ATT_ERR_POLICY_TYPE, a->pos,
				      "argument %u of %s is not valid JSON",
				      i + 1, call->fn->name);
	return 0;
}

static int check_jmespath(struct att_policy *pol, struct att_pol_expr *call,
			  struct att_policy_error *err)
{
	for (unsigned i = 0; i < 2; i++)
		if (empty_string(call->args[i]))
			return att_pol_errorf(err, ATT_ERR_POLICY_TYPE,
					      call->args[i]->pos,
					      "argument %u of JmesPath must not "
					      "be empty",
					      i + 1);
	int r = check_json_literal(call, 0, err);
	const struct att_pol_expr *q = call->args[1];
	if (r || q->kind != ATT_POL_E_CONST || q->stype != ATT_POL_ST_STRING)
		return r;
	struct att_diag d;
	att_diag_clear(&d);
	r = att_pol_jp_compile(&call->jp, q->item.s, q->item.slen, &d);
	if (r)
		return att_pol_errorf(err, r, q->pos, "JmesPath query: %s",
				      att_diag_msg(&d));
	if (att_pol_own(pol, NULL, call->jp) != 0) {
		call->jp = NULL;
		return att_pol_errorf(err, ATT_ERR_NOMEM, q->pos,
				      "out of memory");
	}
	unsigned h = att_pol_jp_height(call->jp);
	if (pol->lim && h > pol->lim->max_nesting)
		return att_pol_limitf(err, ATT_POLICY_LIMIT_NESTING, q->pos,
				      "JmesPath query nested %u levels deep; "
				      "at most %u are allowed",
				      h, (unsigned)pol->lim->max_nesting);
	return 0;
}

int att_pol_check_call(struct att_policy *pol, struct att_pol_expr *call,
		       struct att_policy_error *err)
{
	const struct att_pol_func *fn = call->fn;
	if (call->nargs != fn->nargs)
		return att_pol_errorf(err, ATT_ERR_POLICY_TYPE, call->pos,
				      "%s takes %u argument%s but was given %u",
				      fn->name, fn->nargs,
				      fn->nargs == 1 ? "" : "s", call->nargs);
	for (unsigned i = 0; i < call->nargs; i++) {
		const struct att_pol_expr *a = call->args[i];
		if (fn->arg_types[i] & (1u << a->stype))
			continue;
		return att_pol_errorf(err, ATT_ERR_POLICY_TYPE, a->pos,
				      "argument %u of %s must be %s, not %s",
				      i + 1, fn->name,
				      mask_name(fn->arg_types[i]),
				      with_article(a->stype));
	}
	if (!strcmp(fn->name, "JmesPath"))
		return check_jmespath(pol, call, err);
	if (!strcmp(fn->name, "JsonToClaimValue"))
		return check_json_literal(call, 0, err);
	return 0;
}

/* ---- actions ------------------------------------------------------------ */

/* Which actions each section admits. issue() in authorizationrules is
 * admitted because MAA's own key-attestation sample uses it. */
static const unsigned allowed[ATT_POL_NSECTIONS] = {
	[ATT_POL_CONFIG] = 1u << ATT_POL_A_ISSUEPROPERTY,
	[ATT_POL_AUTHZ] = 1u << ATT_POL_A_PERMIT | 1u << ATT_POL_A_DENY |
			  1u << ATT_POL_A_ADD | 1u << ATT_POL_A_ISSUE,
	[ATT_POL_ISSUANCE] = 1u << ATT_POL_A_ADD | 1u << ATT_POL_A_ISSUE |
			     1u << ATT_POL_A_ISSUEPROPERTY,
};

/* MAA's property claims and their types (MAA docs "Attestation policy
 * version 1.1"). */
static const struct {
	const char *name;
	enum att_pol_stype type;
} properties[] = {
	{"require_valid_aik_cert", ATT_POL_ST_BOOLEAN},
	{"required_pcr_mask", ATT_POL_ST_INTEGER},
	{"x-ms-sgx-tcbidentifier", ATT_POL_ST_STRING},
	{"report_validity_in_minutes", ATT_POL_ST_INTEGER},
	{"omit_x5c", ATT_POL_ST_BOOLEAN},
};

static int check_property(const struct att_pol_action *a,
			  struct att_policy_error *err)
{
	const struct att_pol_expr *t = a->type, *v = a->value;
	if (t->kind != ATT_POL_E_CONST || t->stype != ATT_POL_ST_STRING ||
	    v->kind != ATT_POL_E_CONST)
		return 0;
	for (size_t i = 0; i < sizeof(properties) / sizeof(properties[0]); i++) {
		if (strcmp(t->item.s, properties[i].name) != 0 ||
		    v->stype == properties[i].type)
			continue;
		return att_pol_errorf(err, ATT_ERR_POLICY_TYPE, v->pos,
				      "property '%s' takes %s, not %s",
				      properties[i].name,
				      mask_name(1u << properties[i].type),
				      with_article(v->stype));
	}
	return 0;
}

int att_pol_check_action(struct att_policy *pol, enum att_pol_section sec,
			 struct att_pol_action *a,
			 struct att_policy_error *err)
{
	(void)pol;
	if (!(allowed[sec] & (1u << a->kind)))
		return att_pol_errorf(err, ATT_ERR_POLICY_TYPE, a->pos,
				      "%s() is not allowed in %s",
				      att_pol_act_name(a->kind),
				      att_pol_section_name(sec));
	if (!a->type)
		return 0;
	enum att_pol_stype st = a->type->stype;
	if (st == ATT_POL_ST_INTEGER || st == ATT_POL_ST_BOOLEAN)
		return att_pol_errorf(err, ATT_ERR_POLICY_TYPE, a->type->pos,
				      "claim type must be a String, not %s",
				      with_article(st));
	if (a->kind == ATT_POL_A_ISSUEPROPERTY)
		return check_property(a, err);
	return 0;
}
