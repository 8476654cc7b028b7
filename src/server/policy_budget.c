/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provider limits -> policy limits and budget, their names, and the trial
 * run of an uploaded policy (policy_budget.h).
 */
#include "server/policy_budget.h"

#include "attest/err.h"
#include "verify/verifier.h"

void att_policy_limits_of(struct att_policy_limits *out,
			  const struct att_provider_limits *l)
{
	out->max_rules = l->policy_max_rules;
	out->max_jmespath = l->policy_max_jmespath;
	out->max_nesting = l->policy_max_nesting;
}

void att_policy_budget_of(struct att_policy_budget *out,
			  const struct att_provider_limits *l)
{
	out->steps = l->policy_eval_steps;
	out->bytes = l->policy_eval_bytes;
	out->ms = l->policy_eval_ms;
}

int att_policy_trial(const struct att_policy *pol, const char *type,
		     const struct att_provider_limits *l, struct att_diag *d)
{
	struct att_claimset in;
	struct att_policy_result res;
	struct att_policy_budget b;
	struct att_diag ed;
	att_claimset_init(&in);
	att_policy_result_init(&res);
	att_diag_clear(&ed);
	att_policy_budget_of(&b, l);
	int r = att_attest_sample_incoming(&in, type);
	if (r == ATT_ERR_NOT_FOUND)
		r = 0; /* a type without a sample: tried on no claims */
	if (r) {
		att_diag_set(d, r, "cannot make a representative %s claim set",
			     type);
		goto out;
	}
	r = att_policy_eval_budget(pol, &in, &b, &res, false, &ed);
	if (r == ATT_ERR_LIMIT) {
		const char *name = att_policy_limit_name(res.limit);
		att_diag_set(d, r, "on a representative %s claim set, %s%s%s%s",
			     type, att_diag_msg(&ed), *name ? " (" : "", name,
			     *name ? ")" : "");
	} else if (r == ATT_ERR_NOMEM) {
		att_diag_set(d, r, "out of memory");
	} else {
		r = 0; /* the sample claims may not suit the policy: no matter */
	}
out:
	att_policy_result_release(&res);
	att_claimset_release(&in);
	return r;
}
