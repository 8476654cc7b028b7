/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy evaluation (MAA docs "Claim rule grammar"; docs/policy.md
 * "Evaluation"). Rules
 * run in textual order over the working set (the caller's incoming
 * claims, read only, followed by the claims the policy adds). A condition
 * matches when at least one claim satisfies all its property conditions;
 * an identifier binds every such claim, and "c.value" is then the set of
 * their values, which is how MAA's IsSubsetOf/ContainsOnlyValue examples
 * read; the action runs once per matching rule. One budget (meter.h)
 * bounds the whole evaluation: every rule, claim scanned (and value it is
 * compared with), expression evaluated and claim produced costs steps,
 * every JmesPath call charges the same meter, the memory the evaluation
 * takes is charged in bytes, and a deadline stops it, so no policy can
 * hold a worker for long.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "policy/ev.h"

static const struct att_claimset empty_set;

/* What evaluation memory is charged (bytes; docs/policy.md "Limits"). */
#define EV_VALUE_BYTES 64 /* a JSON value the evaluation makes */
#define EV_CLAIM_BYTES (2 * sizeof(struct att_claim)) /* sets double */
#define EV_PARSE_FACTOR 2 /* a JSON text parsed: twice its length */

/* ev_alloc takes scratch memory for the current rule, charged. */
static void *ev_alloc(struct att_pol_ev *e, size_t n)
{
	if (att_pol_meter_bytes(&e->m, n))
		return NULL;
	return att_pol_alloc(&e->scratch, n);
}

size_t att_pol_ev_nclaims(const struct att_pol_ev *e)
{
	return e->in->n + e->res->added.n;
}

const struct att_claim *att_pol_ev_claim(const struct att_pol_ev *e, size_t i)
{
	return i < e->in->n ? &e->in->v[i] : &e->res->added.v[i - e->in->n];
}

struct att_pol_item *att_pol_ev_items(struct att_pol_ev *e, size_t n)
{
	if (n > SIZE_MAX / sizeof(struct att_pol_item))
		return NULL;
	return ev_alloc(e, (n ? n : 1) * sizeof(struct att_pol_item));
}

json_t *att_pol_ev_keep(struct att_pol_ev *e, json_t *j)
{
	if (!j)
		return NULL;
	if (e->ntmp == e->captmp) {
		size_t cap = e->captmp ? e->captmp * 2 : 16;
		json_t **p = att_pol_meter_bytes(&e->m, cap * sizeof(*p))
				     ? NULL
				     : realloc(e->tmp, cap * sizeof(*p));
		if (!p) {
			json_decref(j);
			return NULL;
		}
		e->tmp = p;
		e->captmp = cap;
	}
	e->tmp[e->ntmp++] = j;
	return j;
}

json_t *att_pol_ev_parse(struct att_pol_ev *e, const struct att_pol_item *it)
{
	for (unsigned i = 0; it->j && i < e->nparsed; i++)
		if (e->parsed[i].src == it->j)
			return e->parsed[i].parsed;
	if (att_pol_ev_charge(e, 1 + it->slen / 64,
			      EV_VALUE_BYTES + EV_PARSE_FACTOR * it->slen))
		return NULL;
	json_t *j = att_pol_json_parse(it->s, it->slen);
	if (!j)
		return NULL;
	size_t max = sizeof(e->parsed) / sizeof(e->parsed[0]);
	if (!it->j || e->nparsed == max)
		return att_pol_ev_keep(e, j);
	e->parsed[e->nparsed].src = json_incref(it->j);
	e->parsed[e->nparsed++].parsed = j;
	return j;
}

static void drop_parsed(struct att_pol_ev *e)
{
	while (e->nparsed) {
		e->nparsed--;
		json_decref(e->parsed[e->nparsed].src);
		json_decref(e->parsed[e->nparsed].parsed);
	}
}

static void drop_temps(struct att_pol_ev *e)
{
	while (e->ntmp)
		json_decref(e->tmp[--e->ntmp]);
}

/* where writes "issuancerules rule 2 (line 5)" for messages. */
static void where(const struct att_pol_ev *e, char *out, size_t len)
{
	snprintf(out, len, "%s rule %zu (line %u)", att_pol_section_name(e->sec),
		 e->rule + 1, e->r ? e->r->pos.line : 0);
}

int att_pol_ev_fail(struct att_pol_ev *e, const struct att_pol_expr *at,
		    int err, const char *fmt, ...)
{
	char msg[ATT_DIAG_LEN], w[96];
	if (e->m.hit != ATT_POLICY_LIMIT_NONE) {
		/* Whatever failed, it failed because the budget ran out. */
		att_pol_meter_describe(&e->m, "policy evaluation", msg,
				       sizeof(msg));
		err = ATT_ERR_LIMIT;
	} else {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	where(e, w, sizeof(w));
	if (at && at->kind == ATT_POL_E_CALL)
		return att_diag_set(e->diag, err, "%s: %s (line %u, column %u): %s",
				    w, at->fn->name, at->pos.line, at->pos.col,
				    msg);
	return att_diag_set(e->diag, err, "%s: %s", w, msg);
}

/* charge pays steps and bytes, reporting the budget when it ran out. */
static int charge(struct att_pol_ev *e, uint64_t steps, uint64_t bytes)
{
	if (att_pol_ev_charge(e, steps, bytes) == 0)
		return 0;
	return att_pol_ev_fail(e, NULL, ATT_ERR_LIMIT, "budget");
}

/* pay is charge for steps alone, the hot path of conditions. */
static inline int pay(struct att_pol_ev *e, uint64_t steps)
{
	if (att_pol_meter_steps(&e->m, steps) == 0)
		return 0;
	return att_pol_ev_fail(e, NULL, ATT_ERR_LIMIT, "budget");
}

static int step(struct att_pol_ev *e)
{
	return pay(e, 1);
}

/* ---- expressions ---------------------------------------------------------- */

/* claim_item gives one property of a claim as an item (no allocation). */
static void claim_item(const struct att_claim *c, enum att_pol_prop p,
		       struct att_pol_item *it)
{
	const char *s;
	switch (p) {
	case ATT_POL_P_VALUE:
		att_pol_item_from_json(it, c->value, c->vtype);
		return;
	case ATT_POL_P_TYPE:
		s = c->type;
		break;
	case ATT_POL_P_ISSUER:
		s = c->issuer;
		break;
	default:
		s = att_claim_vtype_name(c->vtype);
	}
	memset(it, 0, sizeof(*it));
	it->vt = ATT_CLAIM_STRING;
	it->s = s;
	it->slen = strlen(s);
}

static int eval_expr(struct att_pol_ev *e, const struct att_pol_expr *x,
		     struct att_pol_val *out);

static int eval_prop(struct att_pol_ev *e, const struct att_pol_expr *x,
		     struct att_pol_val *out)
{
	const struct att_pol_binding *b = &e->bind[x->slot];
	int r = charge(e, b->n, 0);
	if (r)
		return r;
	out->v = att_pol_ev_items(e, b->n);
	if (!out->v)
		return att_pol_ev_fail(e, x, ATT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < b->n; i++)
		claim_item(att_pol_ev_claim(e, b->idx[i]), x->prop, &out->v[i]);
	out->n = b->n;
	return 0;
}

static int eval_call(struct att_pol_ev *e, const struct att_pol_expr *x,
		     struct att_pol_val *out)
{
	struct att_pol_val args[2];
	memset(args, 0, sizeof(args));
	if (x->nargs > 2)
		return att_pol_ev_fail(e, x, ATT_ERR_INTERNAL, "arity");
	for (unsigned i = 0; i < x->nargs; i++) {
		int r = eval_expr(e, x->args[i], &args[i]);
		if (r)
			return r;
	}
	return x->fn->fn(e, x, args, out);
}

static int eval_expr(struct att_pol_ev *e, const struct att_pol_expr *x,
		     struct att_pol_val *out)
{
	int r = step(e);
	if (r)
		return r;
	switch (x->kind) {
	case ATT_POL_E_CONST:
		/* Constants are read, never written: the cast only lets one
		 * value type serve borrowed and scratch items alike. */
		out->v = (struct att_pol_item *)&x->item;
		out->n = 1;
		return 0;
	case ATT_POL_E_PROP:
		return eval_prop(e, x, out);
	default:
		return eval_call(e, x, out);
	}
}

/* ---- conditions ----------------------------------------------------------- */

/* The common test, type == "literal" (or issuer), compares C strings
 * without measuring them first: most claims differ in a few bytes. */
static bool fast_string_test(const struct att_claim *c,
			     const struct att_pol_pcond *pc,
			     const struct att_pol_val *r, bool *holds)
{
	if ((pc->prop != ATT_POL_P_TYPE && pc->prop != ATT_POL_P_ISSUER) ||
	    (pc->op != ATT_POL_OP_EQ && pc->op != ATT_POL_OP_NE) ||
	    r->n != 1 || r->v[0].vt != ATT_CLAIM_STRING)
		return false;
	const char *cs = pc->prop == ATT_POL_P_TYPE ? c->type : c->issuer;
	const struct att_pol_item *it = &r->v[0];
	bool eq = strcmp(cs, it->s) == 0 && strlen(it->s) == it->slen;
	*holds = eq == (pc->op == ATT_POL_OP_EQ);
	return true;
}

static bool claim_matches(const struct att_claim *c,
			  const struct att_pol_cond *cond,
			  const struct att_pol_val *rhs)
{
	for (unsigned k = 0; k < cond->nprops; k++) {
		bool holds;
		if (fast_string_test(c, &cond->props[k], &rhs[k], &holds)) {
			if (!holds)
				return false;
			continue;
		}
		struct att_pol_item lhs;
		claim_item(c, cond->props[k].prop, &lhs);
		if (!att_pol_val_cmp(&lhs, cond->props[k].op, &rhs[k]))
			return false;
	}
	return true;
}

/* eval_rhs evaluates the right-hand sides once per condition: they can
 * only depend on earlier conditions' bindings, not on the claim tried. */
static int eval_rhs(struct att_pol_ev *e, const struct att_pol_cond *cond,
		    struct att_pol_val **out)
{
	struct att_pol_val *rhs = ev_alloc(e, cond->nprops * sizeof(*rhs));
	if (!rhs)
		return att_pol_ev_fail(e, NULL, ATT_ERR_NOMEM, "out of memory");
	for (unsigned k = 0; k < cond->nprops; k++) {
		int r = eval_expr(e, cond->props[k].rhs, &rhs[k]);
		if (r)
			return r;
	}
	*out = rhs;
	return 0;
}

/* rhs_cost is what testing one claim against the condition costs, apart
 * from the claim's own value: a step per value compared with, and a step
 * per 64 bytes of a string that may be parsed as JSON to compare. */
static uint64_t rhs_cost(const struct att_pol_cond *cond,
			 const struct att_pol_val *rhs)
{
	uint64_t cost = 0;
	for (unsigned k = 0; k < cond->nprops; k++) {
		const struct att_pol_val *v = &rhs[k];
		cost += v->n ? v->n : 1;
		for (size_t i = 0; i < v->n; i++)
			if (v->v[i].vt == ATT_CLAIM_STRING &&
			    !v->v[i].as_json_known)
				cost += v->v[i].slen / 64;
	}
	return cost;
}

static bool tests_value(const struct att_pol_cond *cond)
{
	for (unsigned k = 0; k < cond->nprops; k++)
		if (cond->props[k].prop == ATT_POL_P_VALUE)
			return true;
	return false;
}

/* value_cost: a step per 64 bytes of a String claim value compared. */
static uint64_t value_cost(const struct att_claim *c)
{
	return c->vtype == ATT_CLAIM_STRING ? json_string_length(c->value) / 64
					    : 0;
}

static int eval_cond(struct att_pol_ev *e, const struct att_pol_cond *cond,
		     bool *matched)
{
	struct att_pol_val *rhs = NULL;
	int r = eval_rhs(e, cond, &rhs);
	if (r)
		return r;
	size_t n = att_pol_ev_nclaims(e), nm = 0;
	uint64_t cost = rhs_cost(cond, rhs);
	bool by_value = tests_value(cond);
	/* An identifier keeps every match; otherwise one match (or, for a
	 * traced condition, the first) is enough. */
	uint32_t first, *idx = &first;
	if (cond->ident && !(idx = ev_alloc(e, (n ? n : 1) * sizeof(*idx))))
		return att_pol_ev_fail(e, NULL, ATT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct att_claim *c = att_pol_ev_claim(e, i);
		if ((r = pay(e, by_value ? cost + value_cost(c) : cost)) != 0)
			return r;
		if (!claim_matches(c, cond, rhs))
			continue;
		idx[nm++] = (uint32_t)i;
		if (!cond->ident)
			break;
	}
	*matched = cond->negated ? nm == 0 : nm > 0;
	if (cond->ident) {
		e->bind[cond->slot].idx = idx;
		e->bind[cond->slot].n = nm;
	}
	return att_pol_trace_cond(e, cond, *matched, idx,
				  cond->negated ? 0 : nm);
}

/* ---- actions -------------------------------------------------------------- */

/* claim_bytes is what producing one claim is charged. */
static uint64_t claim_bytes(enum att_pol_act kind, const char *type,
			    const struct att_pol_item *it)
{
	uint64_t n = EV_CLAIM_BYTES + strlen(type) + 1 +
		     sizeof(ATT_CLAIM_ISSUER_POLICY);
	if (kind == ATT_POL_A_ISSUE)
		n *= 2;
	return it->j ? n : n + EV_VALUE_BYTES + it->slen;
}

static int produce(struct att_pol_ev *e, enum att_pol_act kind,
		   const char *type, const struct att_pol_item *it)
{
	int r = charge(e, 1, claim_bytes(kind, type, it));
	if (r)
		return r;
	if (att_pol_ev_nclaims(e) >= ATT_MAX_POLICY_CLAIMS)
		return att_pol_ev_fail(e, NULL, ATT_ERR_LIMIT,
				       "more than %d claims",
				       ATT_MAX_POLICY_CLAIMS);
	json_t *v = att_pol_item_json(e, it);
	if (!v)
		return att_pol_ev_fail(e, NULL, ATT_ERR_NOMEM, "out of memory");
	struct att_claimset *added = &e->res->added;
	r = att_claimset_add(added, type, v, it->vt, ATT_CLAIM_ISSUER_POLICY);
	if (r == 0 && kind == ATT_POL_A_ISSUE)
		r = att_claimset_add(&e->res->issued, type, v, it->vt,
				     ATT_CLAIM_ISSUER_POLICY);
	if (r)
		return att_pol_ev_fail(e, NULL, r, "cannot add claim '%s'",
				       type);
	return att_pol_trace_effect(e, att_pol_act_name(kind),
				    &added->v[added->n - 1]);
}

/* issueproperty: the property takes the value, or an array of the values
 * when the value is a set of several. */
static int set_property(struct att_pol_ev *e, const char *type,
			const struct att_pol_val *val)
{
	int r = charge(e, val->n, EV_VALUE_BYTES * 2 + strlen(type) +
				      val->n * sizeof(json_t *));
	if (r)
		return r;
	json_t *p = val->n == 1 ? json_incref(att_pol_item_json(e, &val->v[0]))
				: json_array();
	for (size_t i = 0; p && val->n > 1 && i < val->n; i++) {
		json_t *j = att_pol_item_json(e, &val->v[i]);
		if (!j || json_array_append(p, j) != 0) {
			json_decref(p);
			p = NULL;
		}
	}
	if (!p || json_object_set_new(e->res->properties, type, p) != 0)
		return att_pol_ev_fail(e, NULL, ATT_ERR_NOMEM, "out of memory");
	return 0;
}

static int claim_type(struct att_pol_ev *e, const struct att_pol_action *a,
		      const struct att_pol_val *t, const char **out)
{
	size_t len = 0;
	int r = 0;
	const char *s = t->n == 1 ? att_pol_item_text(e, &t->v[0], &len, &r)
				  : NULL;
	if (r)
		return att_pol_ev_fail(e, NULL, r, "out of memory");
	if (!s || strlen(s) != len || len == 0)
		return att_pol_ev_fail(e, a->type, ATT_ERR_POLICY_EVAL,
				       "%s(): the claim type must be one "
				       "non-empty String",
				       att_pol_act_name(a->kind));
	*out = s;
	return 0;
}

static int run_claim_action(struct att_pol_ev *e, const struct att_pol_action *a)
{
	int r = 0;
	if (a->claim_slot >= 0) {
		/* claim=c: each bound claim again, issued by the policy. */
		const struct att_pol_binding *b = &e->bind[a->claim_slot];
		for (size_t i = 0; r == 0 && i < b->n; i++) {
			const struct att_claim *c = att_pol_ev_claim(e, b->idx[i]);
			struct att_pol_item it;
			att_pol_item_from_json(&it, c->value, c->vtype);
			struct att_pol_val one = {&it, 1};
			if ((r = charge(e, 0, strlen(c->type) + 1)) != 0)
				return r;
			char *type = strdup(c->type);
			if (!type)
				return att_pol_ev_fail(e, NULL, ATT_ERR_NOMEM,
						       "out of memory");
			r = produce(e, a->kind, type, &it);
			if (r == 0 && a->kind == ATT_POL_A_ISSUEPROPERTY)
				r = set_property(e, type, &one);
			free(type);
		}
		return r;
	}
	struct att_pol_val t = {NULL, 0}, v = {NULL, 0};
	const char *type = NULL;
	if ((r = eval_expr(e, a->type, &t)) != 0 ||
	    (r = eval_expr(e, a->value, &v)) != 0 ||
	    (r = claim_type(e, a, &t, &type)) != 0)
		return r;
	/* An empty value (JsonToClaimValue(null)) adds nothing. */
	for (size_t i = 0; r == 0 && i < v.n; i++)
		r = produce(e, a->kind, type, &v.v[i]);
	if (r == 0 && v.n && a->kind == ATT_POL_A_ISSUEPROPERTY)
		r = set_property(e, type, &v);
	return r;
}

static int run_action(struct att_pol_ev *e, const struct att_pol_action *a)
{
	switch (a->kind) {
	case ATT_POL_A_PERMIT:
		e->permit = true;
		return att_pol_trace_effect(e, "permit", NULL);
	case ATT_POL_A_DENY:
		e->deny = true;
		e->deny_rule = (long)e->rule;
		return att_pol_trace_effect(e, "deny", NULL);
	default:
		return run_claim_action(e, a);
	}
}

/* ---- rules and sections ------------------------------------------------------ */

static int eval_rule_body(struct att_pol_ev *e, const struct att_pol_rule *rule)
{
	bool matched = true;
	unsigned failed = 0;
	int r = 0;
	if (rule->nslots &&
	    !(e->bind = ev_alloc(e, rule->nslots * sizeof(*e->bind))))
		return att_pol_ev_fail(e, NULL, ATT_ERR_NOMEM, "out of memory");
	for (unsigned i = 0; r == 0 && matched && i < rule->nconds; i++) {
		r = eval_cond(e, &rule->conds[i], &matched);
		failed = i;
	}
	if (r == 0 && matched)
		r = run_action(e, &rule->act);
	if (r == 0 && !matched && e->sec == ATT_POL_AUTHZ &&
	    rule->act.kind == ATT_POL_A_PERMIT && e->miss_rule < 0) {
		e->miss_rule = (long)e->rule;
		e->miss_cond = failed;
	}
	int t = att_pol_trace_end(e, matched, failed);
	return r ? r : t;
}

static int eval_rule(struct att_pol_ev *e, enum att_pol_section sec, size_t i)
{
	struct att_pol_mark mark;
	att_pol_arena_mark(&e->scratch, &mark);
	e->sec = sec;
	e->rule = i;
	e->r = &e->pol->sec[sec].rules[i];
	e->bind = NULL;
	int r = step(e);
	if (r == 0)
		r = att_pol_trace_begin(e);
	if (r == 0)
		r = eval_rule_body(e, e->r);
	drop_temps(e);
	att_pol_arena_reset(&e->scratch, &mark);
	return r;
}

static int eval_section(struct att_pol_ev *e, enum att_pol_section sec)
{
	const struct att_pol_sect *s = &e->pol->sec[sec];
	for (size_t i = 0; i < s->n; i++) {
		int r = eval_rule(e, sec, i);
		if (r)
			return r;
		/* Once deny() fired authorization cannot pass any more. */
		if (e->deny)
			break;
	}
	return 0;
}

void att_policy_result_init(struct att_policy_result *res)
{
	memset(res, 0, sizeof(*res));
	att_claimset_init(&res->issued);
	att_claimset_init(&res->added);
}

void att_policy_result_release(struct att_policy_result *res)
{
	if (!res)
		return;
	att_claimset_release(&res->issued);
	att_claimset_release(&res->added);
	json_decref(res->properties);
	json_decref(res->explain);
	free(res->deny_summary);
	att_policy_result_init(res);
}

static int eval_all(struct att_pol_ev *e)
{
	int r = eval_section(e, ATT_POL_CONFIG);
	if (r == 0)
		r = eval_section(e, ATT_POL_AUTHZ);
	e->res->authorized = r == 0 && e->permit && !e->deny;
	if (r == 0 && e->res->authorized)
		r = eval_section(e, ATT_POL_ISSUANCE);
	if (r == 0 && !e->res->authorized) {
		att_claimset_release(&e->res->issued);
		r = att_pol_deny_summary(e);
	}
	if (r)
		e->res->authorized = false;
	return r;
}

int att_policy_eval(const struct att_policy *policy,
		    const struct att_claimset *incoming,
		    struct att_policy_result *out, bool explain,
		    struct att_diag *diag)
{
	return att_policy_eval_budget(policy, incoming, NULL, out, explain,
				      diag);
}

int att_policy_eval_budget(const struct att_policy *policy,
			   const struct att_claimset *incoming,
			   const struct att_policy_budget *budget,
			   struct att_policy_result *out, bool explain,
			   struct att_diag *diag)
{
	struct att_policy_budget defaults;
	if (!budget) {
		att_policy_budget_default(&defaults);
		budget = &defaults;
	}
	if (!out)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "no result");
	att_policy_result_init(out);
	if (!policy)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "no policy");
	if (!incoming)
		incoming = &empty_set;
	if (incoming->n > ATT_MAX_POLICY_CLAIMS)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "more than %d incoming claims",
				    ATT_MAX_POLICY_CLAIMS);
	/* Scratch for the rules' values starts on the stack: a small
	 * evaluation allocates only the claims it produces. */
	_Alignas(max_align_t) unsigned char stack[8192];
	struct att_pol_ev e;
	memset(&e, 0, sizeof(e));
	e.pol = policy;
	e.in = incoming;
	e.res = out;
	e.diag = diag;
	e.deny_rule = -1;
	e.miss_rule = -1;
	att_pol_meter_init(&e.m, budget->steps, budget->bytes, budget->ms);
	att_pol_arena_init(&e.scratch, stack, sizeof(stack));
	out->properties = json_object();
	if (explain)
		out->explain = json_array();
	int r = !out->properties || (explain && !out->explain)
			? att_diag_set(diag, ATT_ERR_NOMEM, "out of memory")
			: eval_all(&e);
	out->steps = att_pol_meter_steps_used(&e.m);
	out->bytes = att_pol_meter_bytes_used(&e.m);
	out->limit = e.m.hit;
	drop_temps(&e);
	drop_parsed(&e);
	free(e.tmp);
	att_pol_arena_release(&e.scratch);
	return r;
}
