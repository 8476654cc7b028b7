/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-provider limits (provider_limits.h): defaults from base/limits.h,
 * overridden member by member from providers.NAME.limits.
 */
#include <math.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "server/provider_limits.h"

void att_provider_limits_defaults(struct att_provider_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->policy_eval_steps = ATT_POLICY_EVAL_STEPS_DEFAULT;
	l->policy_eval_bytes = ATT_POLICY_EVAL_BYTES_DEFAULT;
	l->policy_eval_ms = ATT_POLICY_EVAL_MS_DEFAULT;
	l->policy_max_rules = ATT_POLICY_MAX_RULES_DEFAULT;
	l->policy_max_jmespath = ATT_POLICY_MAX_JMESPATH_DEFAULT;
	l->policy_max_nesting = ATT_POLICY_MAX_NESTING_DEFAULT;
	l->attest_rate_per_second = ATT_ATTEST_RATE_DEFAULT;
	l->attest_rate_burst = ATT_ATTEST_BURST_DEFAULT;
	l->policy_strict_binding = false;
	l->snp_allow_debug = false;
	l->snp_max_vmpl = 3;
}

/* get_uint reads member k of obj, when present, as an integer in
 * [lo, hi]. */
static int get_uint(json_t *obj, const char *k, uint64_t lo, uint64_t hi,
		    uint64_t *out, struct att_diag *d)
{
	json_t *v = json_object_get(obj, k);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < lo ||
	    (uint64_t)json_integer_value(v) > hi)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "limits.%s must be an integer from %llu "
				    "to %llu",
				    k, (unsigned long long)lo,
				    (unsigned long long)hi);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static const char *const known[] = {
	"policy_eval_steps",   "policy_eval_bytes",      "policy_eval_ms",
	"policy_max_rules",    "policy_max_jmespath",    "policy_max_nesting",
	"attest_rate_per_second", "attest_rate_burst", "policy_strict_binding",
	"snp_allow_debug", "snp_max_vmpl",
};

static int check_known(json_t *obj, struct att_diag *d)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		size_t i = 0;
		while (i < sizeof(known) / sizeof(known[0]) &&
		       strcmp(known[i], k))
			i++;
		if (i == sizeof(known) / sizeof(known[0]))
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "limits.%s is not a known limit", k);
	}
	return 0;
}

static int get_rate(json_t *obj, struct att_provider_limits *l,
		    struct att_diag *d)
{
	json_t *v = json_object_get(obj, "attest_rate_per_second");
	if (!v)
		return 0;
	double x = json_number_value(v);
	if (!json_is_number(v) || !isfinite(x) || x < 0 || x > 1e6)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "limits.attest_rate_per_second must be a "
				    "number from 0 (off) to 1000000");
	l->attest_rate_per_second = x;
	return 0;
}

static int get_bool(json_t *obj, const char *k, bool *out,
		    struct att_diag *d)
{
	json_t *v = json_object_get(obj, k);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "limits.%s must be true or false", k);
	*out = json_is_true(v);
	return 0;
}

int att_provider_limits_parse(struct att_provider_limits *l, json_t *obj,
			      struct att_diag *d)
{
	uint64_t steps, bytes, ms, rules, jp, nest, burst, vmpl;
	int r;
	att_provider_limits_defaults(l);
	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "limits must be a JSON object");
	steps = l->policy_eval_steps;
	bytes = l->policy_eval_bytes;
	ms = l->policy_eval_ms;
	rules = l->policy_max_rules;
	jp = l->policy_max_jmespath;
	nest = l->policy_max_nesting;
	burst = l->attest_rate_burst;
	vmpl = l->snp_max_vmpl;
	if ((r = check_known(obj, d)) != 0 ||
	    (r = get_uint(obj, "policy_eval_steps", 1000, UINT64_C(1) << 40,
			  &steps, d)) != 0 ||
	    (r = get_uint(obj, "policy_eval_bytes", 64 * 1024,
			  UINT64_C(1) << 34, &bytes, d)) != 0 ||
	    (r = get_uint(obj, "policy_eval_ms", 1, 60000, &ms, d)) != 0 ||
	    (r = get_uint(obj, "policy_max_rules", 1, 1000000, &rules, d)) !=
		    0 ||
	    (r = get_uint(obj, "policy_max_jmespath", 0, 1000000, &jp, d)) !=
		    0 ||
	    (r = get_uint(obj, "policy_max_nesting", 1, 1024, &nest, d)) !=
		    0 ||
	    (r = get_uint(obj, "attest_rate_burst", 1, 1000000, &burst, d)) !=
		    0 ||
	    (r = get_rate(obj, l, d)) != 0 ||
	    (r = get_bool(obj, "policy_strict_binding",
			  &l->policy_strict_binding, d)) != 0 ||
	    (r = get_bool(obj, "snp_allow_debug", &l->snp_allow_debug, d)) !=
		    0 ||
	    (r = get_uint(obj, "snp_max_vmpl", 0, 3, &vmpl, d)) != 0)
		return r;
	l->snp_max_vmpl = (uint32_t)vmpl;
	l->policy_eval_steps = steps;
	l->policy_eval_bytes = bytes;
	l->policy_eval_ms = (uint32_t)ms;
	l->policy_max_rules = (uint32_t)rules;
	l->policy_max_jmespath = (uint32_t)jp;
	l->policy_max_nesting = (uint32_t)nest;
	l->attest_rate_burst = (uint32_t)burst;
	return 0;
}
