/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiling and freeing policies: the entry points around the parser.
 * A compiled policy is an arena holding the AST plus the list of JSON
 * references and JmesPath queries it owns; nothing in it changes after
 * att_policy_compile returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "policy/internal.h"

void att_policy_free(struct att_policy *policy)
{
	if (!policy)
		return;
	for (struct att_pol_owned *o = policy->owned; o; o = o->next) {
		json_decref(o->j);
		att_pol_jp_free(o->jp);
	}
	att_pol_arena_release(&policy->arena);
	free(policy);
}

static int fail(struct att_policy_error *out, struct att_diag *diag, int r,
		const struct att_policy_error *e)
{
	if (out)
		*out = *e;
	if (e->line)
		return att_diag_set(diag, r, "line %u, column %u: %s", e->line,
				    e->column, e->msg);
	return att_diag_set(diag, r, "%s", e->msg);
}

void att_policy_limits_default(struct att_policy_limits *l)
{
	l->max_rules = ATT_POLICY_MAX_RULES_DEFAULT;
	l->max_jmespath = ATT_POLICY_MAX_JMESPATH_DEFAULT;
	l->max_nesting = ATT_POLICY_MAX_NESTING_DEFAULT;
}

void att_policy_budget_default(struct att_policy_budget *b)
{
	b->steps = ATT_POLICY_EVAL_STEPS_DEFAULT;
	b->bytes = ATT_POLICY_EVAL_BYTES_DEFAULT;
	b->ms = ATT_POLICY_EVAL_MS_DEFAULT;
}

int att_policy_compile(struct att_policy **out, const char *text, size_t len,
		       struct att_policy_error *err, struct att_diag *diag)
{
	return att_policy_compile_limited(out, text, len, NULL, err, diag);
}

int att_policy_compile_limited(struct att_policy **out, const char *text,
			       size_t len, const struct att_policy_limits *lim,
			       struct att_policy_error *err,
			       struct att_diag *diag)
{
	struct att_policy_error e;
	memset(&e, 0, sizeof(e));
	if (err)
		memset(err, 0, sizeof(*err));
	if (!out)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "no output");
	*out = NULL;
	if (!text && len)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "no text");
	if (len > ATT_MAX_POLICY_LEN) {
		snprintf(e.msg, sizeof(e.msg),
			 "policy longer than %d bytes", ATT_MAX_POLICY_LEN);
		return fail(err, diag, ATT_ERR_LIMIT, &e);
	}
	struct att_policy *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(e.msg, sizeof(e.msg), "out of memory");
		return fail(err, diag, ATT_ERR_NOMEM, &e);
	}
	att_pol_arena_init(&p->arena, NULL, 0);
	p->lim = lim;
	int r = att_pol_parse(p, text ? text : "", len, &e);
	p->lim = NULL; /* the caller's */
	if (r) {
		att_policy_free(p);
		return fail(err, diag, r, &e);
	}
	*out = p;
	return 0;
}

int att_policy_version(const struct att_policy *policy)
{
	return policy ? policy->minor : -1;
}

size_t att_policy_num_rules(const struct att_policy *policy, int section)
{
	if (!policy || section < 0 || section >= ATT_POL_NSECTIONS)
		return 0;
	return policy->sec[section].n;
}

size_t att_policy_num_jmespath(const struct att_policy *policy)
{
	return policy ? policy->njmespath : 0;
}
