/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-provider limits (provider_limits.h): defaults from base/limits.h,
 * overridden member by member from providers.NAME.limits.
 */
#include <math.h>
#include <stdlib.h>
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

void att_provider_limits_snp(struct att_snp_appraisal *ap,
			     const struct att_provider_limits *l)
{
	memset(ap, 0, sizeof(*ap));
	ap->allow_debug = l->snp_allow_debug;
	ap->max_vmpl = l->snp_max_vmpl;
	ap->require_crl = l->snp_require_crl;
	ap->has_min_tcb = l->snp_has_min_tcb;
	ap->min_tcb = l->snp_min_tcb;
	ap->has_min_launch_tcb = l->snp_has_min_launch_tcb;
	ap->min_launch_tcb = l->snp_min_launch_tcb;
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
	"snp_allow_debug", "snp_max_vmpl", "snp_min_tcb", "snp_min_launch_tcb",
	"snp_require_crl", "min_tcb_evaluation_data_number",
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

/* tcb_text reads "bl,tee,snp,ucode[,fmc]" (each 0..255). */
static bool tcb_text(const char *s, struct att_snp_tcb *t)
{
	uint8_t *f[5] = {&t->bl, &t->tee, &t->snp, &t->ucode, &t->fmc};
	size_t n = 0;
	while (n < 5) {
		char *end;
		if (*s < '0' || *s > '9')
			return false;
		unsigned long v = strtoul(s, &end, 10);
		if (v > 255 || end - s > 3)
			return false;
		*f[n++] = (uint8_t)v;
		s = end;
		if (!*s)
			break;
		if (*s++ != ',')
			return false;
	}
	if (n < 4 || *s)
		return false;
	t->has_fmc = n == 5;
	return true;
}

/* tcb_object reads {"bl", "tee", "snp", "ucode"} and optional "fmc",
 * each 0..255, no other member. */
static bool tcb_object(json_t *o, struct att_snp_tcb *t)
{
	static const char *const names[] = {"bl", "tee", "snp", "ucode",
					    "fmc"};
	uint8_t *f[5] = {&t->bl, &t->tee, &t->snp, &t->ucode, &t->fmc};
	size_t seen = 0;
	for (size_t i = 0; i < 5; i++) {
		json_t *v = json_object_get(o, names[i]);
		if (!v && i < 4)
			return false;
		if (!v)
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 255)
			return false;
		*f[i] = (uint8_t)json_integer_value(v);
		t->has_fmc = t->has_fmc || i == 4;
		seen++;
	}
	return seen == json_object_size(o);
}

/* get_tcb reads a minimum SEV-SNP TCB, when present (a component not
 * given, fmc on Milan and Genoa, is 0: no minimum). */
static int get_tcb(json_t *obj, const char *k, bool *has,
		   struct att_snp_tcb *out, struct att_diag *d)
{
	json_t *v = json_object_get(obj, k);
	struct att_snp_tcb t;
	memset(&t, 0, sizeof(t));
	if (!v)
		return 0;
	if (!(json_is_string(v) ? tcb_text(json_string_value(v), &t)
	      : json_is_object(v) ? tcb_object(v, &t)
				  : false))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "limits.%s must be \"bl,tee,snp,ucode\" "
				    "or \"bl,tee,snp,ucode,fmc\" (each 0 to "
				    "255) or an object with the members bl, "
				    "tee, snp, ucode and optionally fmc",
				    k);
	*has = true;
	*out = t;
	return 0;
}

/* one_eval reads a positive evaluation data number. */
static bool one_eval(json_t *v, uint32_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > UINT32_MAX)
		return false;
	*out = (uint32_t)json_integer_value(v);
	return true;
}

/* get_min_eval reads limits.min_tcb_evaluation_data_number: a number for
 * SgxEnclave, OpenEnclave and TdxVm, or an object of those types. */
static int get_min_eval(json_t *obj, struct att_provider_limits *l,
			struct att_diag *d)
{
	json_t *v = json_object_get(obj, "min_tcb_evaluation_data_number");
	uint32_t *dst[3] = {&l->min_tcb_eval_sgx, &l->min_tcb_eval_oe,
			    &l->min_tcb_eval_tdx};
	static const char *const types[3] = {"SgxEnclave", "OpenEnclave",
					     "TdxVm"};
	uint32_t n = 0;
	bool ok = true;
	if (!v)
		return 0;
	if (json_is_integer(v)) {
		ok = one_eval(v, &n);
		for (int i = 0; ok && i < 3; i++)
			*dst[i] = n;
	} else if (json_is_object(v)) {
		size_t seen = 0;
		for (int i = 0; ok && i < 3; i++) {
			json_t *e = json_object_get(v, types[i]);
			if (e && (ok = one_eval(e, dst[i])))
				seen++;
		}
		ok = ok && seen == json_object_size(v);
	} else
		ok = false;
	if (!ok)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "limits.min_tcb_evaluation_data_number "
				    "must be a positive integer or an object "
				    "of positive integers with the members "
				    "SgxEnclave, OpenEnclave, TdxVm");
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
	    (r = get_uint(obj, "snp_max_vmpl", 0, 3, &vmpl, d)) != 0 ||
	    (r = get_tcb(obj, "snp_min_tcb", &l->snp_has_min_tcb,
			 &l->snp_min_tcb, d)) != 0 ||
	    (r = get_tcb(obj, "snp_min_launch_tcb",
			 &l->snp_has_min_launch_tcb, &l->snp_min_launch_tcb,
			 d)) != 0 ||
	    (r = get_bool(obj, "snp_require_crl", &l->snp_require_crl, d)) !=
		    0 ||
	    (r = get_min_eval(obj, l, d)) != 0)
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
