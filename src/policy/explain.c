/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The explain trace of an evaluation (one JSON object per rule run, in
 * order; docs/policy.md "Explain") and the one-line summary of why
 * authorization failed. Tracing costs nothing unless asked for; the
 * summary is built from the AST after the evaluation, so the evaluator
 * only remembers rule and condition numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "policy/ev.h"

#define TEXT_MAX (16 * 1024)

json_t *att_pol_claim_json(const struct att_claim *c)
{
	return json_pack("{s:s, s:O, s:s, s:s}", "type", c->type, "value",
			 c->value, "valueType", att_claim_vtype_name(c->vtype),
			 "issuer", c->issuer);
}

static int nomem(struct att_pol_ev *e)
{
	return att_diag_set(e->diag, ATT_ERR_NOMEM, "out of memory");
}

/* text_new renders a node into a new json string. */
static json_t *cond_text(const struct att_pol_cond *c)
{
	struct att_buf b;
	att_buf_init(&b, TEXT_MAX);
	json_t *j = att_pol_render_cond(&b, c) == 0
			    ? json_string(att_buf_cstr(&b))
			    : NULL;
	att_buf_release(&b);
	return j;
}

static json_t *action_text(const struct att_pol_action *a)
{
	struct att_buf b;
	att_buf_init(&b, TEXT_MAX);
	int r = att_buf_addf(&b, "%s(", att_pol_act_name(a->kind));
	if (r == 0 && a->claim_ident)
		r = att_buf_addf(&b, "claim=%s", a->claim_ident);
	if (r == 0 && a->type) {
		r = att_buf_adds(&b, "type=");
		if (r == 0)
			r = att_pol_render_expr(&b, a->type);
		if (r == 0)
			r = att_buf_adds(&b, ", value=");
		if (r == 0)
			r = att_pol_render_expr(&b, a->value);
	}
	if (r == 0)
		r = att_buf_adds(&b, ")");
	json_t *j = r == 0 ? json_string(att_buf_cstr(&b)) : NULL;
	att_buf_release(&b);
	return j;
}

int att_pol_trace_begin(struct att_pol_ev *e)
{
	e->trace = NULL;
	if (!e->res->explain)
		return 0;
	e->trace_conds = json_array();
	e->trace_effects = json_array();
	e->trace = json_pack("{s:s, s:I, s:I, s:I, s:o}", "section",
			     att_pol_section_name(e->sec), "rule",
			     (json_int_t)(e->rule + 1), "line",
			     (json_int_t)e->r->pos.line, "column",
			     (json_int_t)e->r->pos.col, "action",
			     action_text(&e->r->act));
	if (!e->trace || !e->trace_conds || !e->trace_effects ||
	    json_array_append_new(e->res->explain, e->trace) != 0) {
		json_decref(e->trace_conds);
		json_decref(e->trace_effects);
		e->trace = NULL;
		return nomem(e);
	}
	/* The entry is owned by the explain array from here on. */
	if (json_object_set_new(e->trace, "conditions", e->trace_conds) ||
	    json_object_set_new(e->trace, "effects", e->trace_effects))
		return nomem(e);
	return 0;
}

int att_pol_trace_cond(struct att_pol_ev *e, const struct att_pol_cond *c,
		       bool matched, const uint32_t *idx, size_t n)
{
	if (!e->trace)
		return 0;
	json_t *claims = json_array();
	json_t *o = json_pack("{s:o, s:b, s:o}", "condition", cond_text(c),
			      "matched", matched, "claims", claims);
	for (size_t i = 0; o && i < n; i++)
		if (json_array_append_new(
			    claims, att_pol_claim_json(att_pol_ev_claim(e, idx[i]))))
			break;
	if (!o || json_array_append_new(e->trace_conds, o) != 0)
		return nomem(e);
	return 0;
}

int att_pol_trace_effect(struct att_pol_ev *e, const char *action,
			 const struct att_claim *claim)
{
	if (!e->trace)
		return 0;
	json_t *o = claim ? json_pack("{s:s, s:o}", "action", action, "claim",
				      att_pol_claim_json(claim))
			  : json_pack("{s:s}", "action", action);
	if (!o || json_array_append_new(e->trace_effects, o) != 0)
		return nomem(e);
	return 0;
}

/* reason writes why condition `failed` of rule r did not match. */
static int reason(struct att_buf *b, const struct att_pol_rule *r,
		  unsigned failed)
{
	const struct att_pol_cond *c = &r->conds[failed];
	int rc = att_buf_adds(b, c->negated ? "a claim with " : "no claim with ");
	if (rc == 0)
		rc = att_pol_render_props(b, c);
	if (rc == 0 && c->negated)
		rc = att_buf_adds(b, " exists");
	return rc;
}

int att_pol_trace_end(struct att_pol_ev *e, bool matched, unsigned failed)
{
	if (!e->trace)
		return 0;
	int r = json_object_set_new(e->trace, "matched", json_boolean(matched));
	if (r == 0 && !matched) {
		struct att_buf b;
		att_buf_init(&b, TEXT_MAX);
		r = reason(&b, e->r, failed);
		if (r == 0)
			r = json_object_set_new(e->trace, "reason",
						json_string(att_buf_cstr(&b)));
		att_buf_release(&b);
	}
	e->trace = NULL;
	return r ? nomem(e) : 0;
}

static bool has_permit_rule(const struct att_pol_sect *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->rules[i].act.kind == ATT_POL_A_PERMIT)
			return true;
	return false;
}

int att_pol_deny_summary(struct att_pol_ev *e)
{
	const struct att_pol_sect *s = &e->pol->sec[ATT_POL_AUTHZ];
	struct att_buf b;
	att_buf_init(&b, TEXT_MAX);
	int r;
	if (e->deny_rule >= 0) {
		r = att_buf_addf(&b, "authorizationrules rule %ld (line %u): "
				     "deny() fired",
				 e->deny_rule + 1,
				 s->rules[e->deny_rule].pos.line);
	} else if (e->miss_rule >= 0) {
		const struct att_pol_rule *rule = &s->rules[e->miss_rule];
		r = att_buf_addf(&b, "no permit() fired; rule %ld (line %u) did "
				     "not match: ",
				 e->miss_rule + 1, rule->pos.line);
		if (r == 0)
			r = reason(&b, rule, e->miss_cond);
	} else {
		r = att_buf_adds(&b, has_permit_rule(s)
					     ? "no permit() fired"
					     : "no permit() fired; "
					       "authorizationrules has no "
					       "permit() rule");
	}
	if (r == 0)
		e->res->deny_summary = (char *)att_buf_detach(&b, NULL);
	att_buf_release(&b);
	return r || !e->res->deny_summary ? nomem(e) : 0;
}
