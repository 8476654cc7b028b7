/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bridge between the policy language and the JMESPath engine of
 * src/policy/jmespath: the only file that calls it. MAA's samples use
 * equals_ignore_case(), so queries are compiled with MAA's extensions.
 * Messages carry the JMESPath error type ("syntax", "invalid-type", ...).
 */
#include <stdio.h>

#include <string.h>

#include "attest/err.h"
#include "policy/internal.h"
#include "policy/jmespath/jmespath.h"

static int typed(int r, struct att_diag *inner, struct att_diag *diag)
{
	if (r == ATT_ERR_NOMEM)
		return att_diag_set(diag, r, "out of memory");
	const char *type = att_jmespath_errtype(r), *msg = att_diag_msg(inner);
	/* The engine's messages mostly start with their type already. */
	if (!strncmp(msg, type, strlen(type)))
		return att_diag_set(diag, r, "%s", msg);
	return att_diag_set(diag, r, "%s error: %s", type, msg);
}

int att_pol_jp_compile(struct att_jmespath **out, const char *q, size_t len,
		       struct att_diag *diag)
{
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_jmespath_compile(out, q, len, ATT_JMESPATH_MAA_EXTENSIONS,
				     &d);
	return r ? typed(r, &d, diag) : 0;
}

int att_pol_jp_eval(const struct att_jmespath *jp, json_t *data,
		    struct att_pol_meter *m, json_t **out,
		    struct att_diag *diag)
{
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_jmespath_eval_metered(jp, data, m, out, &d);
	return r ? typed(r, &d, diag) : 0;
}

void att_pol_jp_free(struct att_jmespath *jp)
{
	att_jmespath_free(jp);
}

unsigned att_pol_jp_height(const struct att_jmespath *jp)
{
	return att_jmespath_height(jp);
}
