/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: evaluate a policy over claims. The input is the policy
 * text, a NUL byte, then a CLAIMS.json array (no NUL: the claims are
 * "[]"). Evaluation runs with and without the explain trace; both must
 * agree on the outcome.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static bool same_outcome(const struct att_policy_result *a, int ra,
			 const struct att_policy_result *b, int rb)
{
	if (ra != rb)
		return false;
	if (ra != 0)
		return true;
	return a->authorized == b->authorized && a->issued.n == b->issued.n &&
	       a->added.n == b->added.n &&
	       json_equal(a->properties, b->properties);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memchr(data, 0, size);
	size_t plen = sep ? (size_t)(sep - data) : size;
	struct att_policy *p = NULL;
	if (att_policy_compile(&p, (const char *)data, plen, NULL, NULL) != 0)
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
	struct att_policy_result r1, r2;
	int a = att_policy_eval(p, &in, &r1, false, NULL);
	int b = att_policy_eval(p, &in, &r2, true, NULL);
	if (!same_outcome(&r1, a, &r2, b))
		abort();
	if (a == 0 && !r1.authorized && !r1.deny_summary)
		abort();
	json_t *o = att_claimset_to_object(&r1.issued);
	json_decref(o);
	att_policy_result_release(&r1);
	att_policy_result_release(&r2);
out:
	json_decref(j);
	att_claimset_release(&in);
	att_policy_free(p);
	return 0;
}
