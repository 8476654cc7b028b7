/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A provider's policy limits (providers.NAME.limits, provider_limits.h)
 * as the policy module takes them: the compile-time size and complexity
 * limits and the evaluation budget; the configuration names of those
 * limits, which every refusal names; and the trial run of an uploaded
 * policy on a representative claim set of its attestation type, so that a
 * policy that cannot run within the budget is refused when it is set,
 * not at every attestation (docs/policy.md, "Limits").
 */
#ifndef ATT_SERVER_POLICY_BUDGET_H
#define ATT_SERVER_POLICY_BUDGET_H

#include "base/diag.h"
#include "policy/policy.h"
#include "server/provider_limits.h"
#include "verify/verifier.h"

void att_policy_limits_of(struct att_policy_limits *out,
			  const struct att_provider_limits *l);
void att_policy_budget_of(struct att_policy_budget *out,
			  const struct att_provider_limits *l);

/* att_policy_limit_name is the verifier's (verify/verifier.h). */

/*
 * att_policy_trial evaluates pol over the representative incoming claims
 * of type (att_attest_sample_incoming) within l's budget. Only the budget
 * is judged: 0 when the evaluation ran to its end or stopped on a
 * function error the sample claims caused, authorized or not.
 * ATT_ERR_LIMIT when it ran out of budget (or past ATT_MAX_POLICY_CLAIMS),
 * d saying "on a representative SgxEnclave claim set, authorizationrules
 * rule 1 (line 3): JmesPath (line 3, column 20): policy evaluation
 * exceeded its budget of 2000000 steps (limits.policy_eval_steps)";
 * ATT_ERR_NOMEM. A type without a sample is tried on no claims.
 */
int att_policy_trial(const struct att_policy *pol, const char *type,
		     const struct att_provider_limits *l, struct att_diag *d);

#endif
