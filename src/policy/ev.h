/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state of one policy evaluation (eval.c) and the explain trace that
 * records it (explain.c). It lives on the evaluating thread's stack; the
 * compiled policy is only read.
 */
#ifndef ATT_POLICY_EV_H
#define ATT_POLICY_EV_H

#include "policy/internal.h"
#include "policy/meter.h"

/* The claims an identifier bound in the current rule: indexes into the
 * working set (the incoming claims followed by result->added). */
struct att_pol_binding {
	uint32_t *idx;
	size_t n;
};

struct att_pol_ev {
	const struct att_policy *pol;
	const struct att_claimset *in;
	struct att_policy_result *res;
	struct att_diag *diag;
	struct att_pol_meter m;	      /* the whole evaluation's budget */
	struct att_pol_arena scratch; /* reset after each rule */
	struct att_pol_binding *bind; /* the current rule's identifiers */
	json_t **tmp;		      /* references dropped after each rule */
	size_t ntmp;
	size_t captmp;
	bool permit;
	bool deny;
	/* the rule being evaluated */
	enum att_pol_section sec;
	size_t rule; /* 0-based */
	const struct att_pol_rule *r;
	/* explain: the current rule's entry (NULL when not explaining) */
	json_t *trace;
	json_t *trace_conds;
	json_t *trace_effects;
	/* JSON texts parsed during this evaluation, by string (a reference
	 * to both is held, so that a key cannot be freed and reused) */
	struct {
		json_t *src;
		json_t *parsed;
	} parsed[8];
	unsigned nparsed;
	/* for the deny summary */
	long deny_rule;	 /* rule whose deny() fired, or -1 */
	long miss_rule;	 /* first permit() rule that did not match, or -1 */
	unsigned miss_cond; /* its first failing condition */
};

/* att_pol_ev_charge pays steps and bytes (bytes before allocating them):
 * 0, or ATT_ERR_LIMIT once the budget is spent (att_pol_ev_fail then
 * reports the budget, whatever error the caller passes). */
static inline int att_pol_ev_charge(struct att_pol_ev *e, uint64_t steps,
				    uint64_t bytes)
{
	int r = att_pol_meter_steps(&e->m, steps);
	return r ? r : att_pol_meter_bytes(&e->m, bytes);
}

/* The working set: incoming claims, then those the policy added. */
size_t att_pol_ev_nclaims(const struct att_pol_ev *e);
const struct att_claim *att_pol_ev_claim(const struct att_pol_ev *e,
					 size_t i);

/* explain.c. Every function is a no-op returning 0 when e->trace is NULL
 * (except begin, which starts it when explaining). */
int att_pol_trace_begin(struct att_pol_ev *e);
int att_pol_trace_cond(struct att_pol_ev *e, const struct att_pol_cond *c,
		       bool matched, const uint32_t *idx, size_t n);
int att_pol_trace_effect(struct att_pol_ev *e, const char *action,
			 const struct att_claim *claim);
int att_pol_trace_end(struct att_pol_ev *e, bool matched, unsigned failed);
/* att_pol_deny_summary sets res->deny_summary from e. */
int att_pol_deny_summary(struct att_pol_ev *e);

#endif
