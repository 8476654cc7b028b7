/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: evaluate a policy over claims. The input is the policy
 * text, a NUL byte, then a CLAIMS.json array (no NUL: the claims are
 * "[]"). The policy compiles within small compile limits (whatever
 * compiles within them compiles without them too) and is evaluated under
 * a small budget, with and without the explain trace: both must agree on
 * the outcome, neither may use more than the budget, and a refusal for
 * the budget names it. A third run with a deadline (and no step budget)
 * must return within the deadline and a generous margin.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "policy/policy.h"

static const struct att_policy_limits lim = {256, 32, 24};
static const struct att_policy_budget budget = {100000, 4 * 1024 * 1024, 0};
/* The deadline run: no step budget, only time (and memory) stops it. */
static const struct att_policy_budget timed = {UINT64_MAX, 4 * 1024 * 1024,
					       25};
#define TIMED_MARGIN_SECONDS 2.0

static bool same_outcome(const struct att_policy_result *a, int ra,
			 const struct att_policy_result *b, int rb)
{
	if (ra != rb || a->limit != b->limit)
		return false;
	if (ra != 0)
		return true;
	return a->authorized == b->authorized && a->issued.n == b->issued.n &&
	       a->added.n == b->added.n &&
	       json_equal(a->properties, b->properties);
}

static void check_within(const struct att_policy_result *res, int r,
			 const struct att_diag *d,
			 const struct att_policy_budget *b)
{
	if (res->steps > b->steps || res->bytes > b->bytes)
		abort();
	/* A budget that ran out stops the evaluation with ATT_ERR_LIMIT. */
	if (res->limit != ATT_POLICY_LIMIT_NONE && r != ATT_ERR_LIMIT)
		abort();
	if (res->limit != ATT_POLICY_LIMIT_NONE &&
	    !strstr(att_diag_msg(d), "policy evaluation exceeded its "))
		abort();
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_timed(const struct att_policy *p,
		      const struct att_claimset *in)
{
	struct att_policy_result res;
	struct att_diag d;
	att_diag_clear(&d);
	double t0 = now();
	int r = att_policy_eval_budget(p, in, &timed, &res, false, &d);
	double secs = now() - t0;
	if (secs > timed.ms / 1000.0 + TIMED_MARGIN_SECONDS) {
		fprintf(stderr, "evaluation took %.3f s past a %u ms deadline\n",
			secs, (unsigned)timed.ms);
		abort();
	}
	check_within(&res, r, &d, &timed);
	att_policy_result_release(&res);
}

static void run(const struct att_policy *p, const struct att_claimset *in)
{
	struct att_policy_result r1, r2;
	struct att_diag d1, d2;
	att_diag_clear(&d1);
	att_diag_clear(&d2);
	int a = att_policy_eval_budget(p, in, &budget, &r1, false, &d1);
	int b = att_policy_eval_budget(p, in, &budget, &r2, true, &d2);
	if (!same_outcome(&r1, a, &r2, b))
		abort();
	if (a == 0 && !r1.authorized && !r1.deny_summary)
		abort();
	check_within(&r1, a, &d1, &budget);
	check_within(&r2, b, &d2, &budget);
	json_t *o = att_claimset_to_object(&r1.issued);
	json_decref(o);
	att_policy_result_release(&r1);
	att_policy_result_release(&r2);
	run_timed(p, in);
}

static struct att_policy *compile(const uint8_t *data, size_t plen)
{
	struct att_policy *p = NULL, *q = NULL;
	struct att_policy_error e;
	int r = att_policy_compile_limited(&p, (const char *)data, plen, &lim,
					   &e, NULL);
	if (r == ATT_ERR_LIMIT && e.limit != ATT_POLICY_LIMIT_NONE &&
	    !strstr(e.msg, "allowed") && !strstr(e.msg, "limit of"))
		abort(); /* a limit refusal names the limit */
	/* Within the limits implies within no limits. */
	int u = att_policy_compile(&q, (const char *)data, plen, NULL, NULL);
	if (r == 0 && u != 0)
		abort();
	att_policy_free(q);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memchr(data, 0, size);
	size_t plen = sep ? (size_t)(sep - data) : size;
	struct att_policy *p = compile(data, plen);
	if (!p)
		return 0;
	struct att_claimset in;
	att_claimset_init(&in);
	json_t *j = NULL;
	if (sep) {
		json_error_t jerr;
		j = json_loadb((const char *)sep + 1, size - plen - 1, 0, &jerr);
		if (!j || att_claimset_from_json(&in, j, NULL, NULL) != 0)
			goto out;
	}
	run(p, &in);
out:
	json_decref(j);
	att_claimset_release(&in);
	att_policy_free(p);
	return 0;
}
