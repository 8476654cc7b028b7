/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: compile arbitrary text as an MAA policy. A compiled policy
 * is also evaluated over an empty claim set (with the trace), and its
 * hash computed; a failed compile must leave no policy and a positioned
 * message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_policy *p = NULL;
	struct att_policy_error e;
	int r = att_policy_compile(&p, (const char *)data, size, &e, NULL);
	if (r != 0) {
		if (p || !e.msg[0])
			abort();
		return 0;
	}
	struct att_policy_result res;
	att_policy_eval(p, NULL, &res, true, NULL);
	att_policy_result_release(&res);
	char h[ATT_POLICY_HASH_LEN];
	if (att_policy_hash(h, (const char *)data, size) != 0 || strlen(h) != 43)
		abort();
	att_policy_free(p);
	return 0;
}
