/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the JMESPath engine. The input is an expression, a
 * newline, and a JSON document (an invalid or absent document is
 * replaced by a fixed one). The expression is compiled with MAA's
 * extension and evaluated under the engine's limits; the result is
 * printed as JSON. Checks: compile gives an AST exactly when it
 * succeeds, every failure has a typed error and a message, results are
 * never NULL, and the same compiled expression evaluates to the same
 * text twice. It is evaluated again on a small meter (a policy's budget:
 * steps and bytes): the meter is never overdrawn, running out is
 * ATT_ERR_LIMIT with the meter saying which part, and a result within
 * the meter is the result without it.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/jmespath/jmespath.h"
#include "policy/meter.h"

static const char fallback[] =
    "{\"a\":[1,2.5,{\"b\":\"x\"}],\"s\":\"str\",\"o\":{\"k\":[true,null]}}";

static void check_failure(int r, const struct att_diag *d)
{
	if (r >= 0 || !d->msg[0])
		abort();
	if (!strcmp(att_jmespath_errtype(r), "error") && r != ATT_ERR_NOMEM)
		abort();
}

static char *eval_text(const struct att_jmespath *jp, json_t *doc)
{
	struct att_diag d;
	json_t *out = NULL;
	att_diag_clear(&d);
	int r = att_jmespath_eval(jp, doc, &out, &d);
	if (r) {
		check_failure(r, &d);
		if (out)
			abort();
		return NULL;
	}
	if (!out)
		abort();
	char *t = att_jmespath_to_json(out);
	json_decref(out);
	return t;
}

/* eval_metered checks the evaluation on a small meter against plain,
 * the text of the unmetered evaluation (NULL when it failed). */
static void eval_metered(const struct att_jmespath *jp, json_t *doc,
			 const char *plain)
{
	struct att_pol_meter m;
	struct att_diag d;
	json_t *out = NULL;
	att_diag_clear(&d);
	att_pol_meter_init(&m, 50000, 1024 * 1024, 0);
	int r = att_jmespath_eval_metered(jp, doc, &m, &out, &d);
	if (att_pol_meter_steps_used(&m) > 50000 ||
	    att_pol_meter_bytes_used(&m) > 1024 * 1024)
		abort();
	if (m.hit != ATT_POLICY_LIMIT_NONE &&
	    (r != ATT_ERR_LIMIT || !strstr(d.msg, "limit: evaluation exceeded")))
		abort();
	if (r) {
		check_failure(r, &d);
		if (out)
			abort();
		return;
	}
	char *t = att_jmespath_to_json(out);
	json_decref(out);
	/* Within the meter the result is the plain one (which has more
	 * fuel, so it cannot have failed for lack of it). */
	if ((plain == NULL) != (t == NULL) || (t && strcmp(t, plain)))
		abort();
	free(t);
}

static void run(const char *expr, size_t n, json_t *doc)
{
	struct att_jmespath *jp = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	int r =
	    att_jmespath_compile(&jp, expr, n, ATT_JMESPATH_MAA_EXTENSIONS, &d);
	if ((r == 0) != (jp != NULL))
		abort();
	if (r) {
		check_failure(r, &d);
		return;
	}
	char *a = eval_text(jp, doc), *b = eval_text(jp, doc);
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
		abort();
	eval_metered(jp, doc, a);
	free(a);
	free(b);
	att_jmespath_free(jp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t elen = nl ? (size_t)(nl - s) : size;
	json_t *doc = NULL;
	if (nl)
		doc = json_loadb(nl + 1, size - elen - 1,
				 JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!doc)
		doc = json_loads(fallback, 0, NULL);
	run(s, elen, doc);
	json_decref(doc);
	return 0;
}
