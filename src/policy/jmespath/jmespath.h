/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JMESPath (https://jmespath.org/specification.html) over jansson values.
 * An expression is compiled once into an immutable, thread-safe AST and
 * evaluated many times. Errors are typed as the specification types them:
 * ATT_ERR_JMESPATH_SYNTAX, _TYPE (invalid-type), _ARITY (invalid-arity),
 * _FUNCTION (unknown-function), _VALUE (invalid-value); the diag message
 * names the position or the function.
 */
#ifndef ATT_POLICY_JMESPATH_H
#define ATT_POLICY_JMESPATH_H

#include <jansson.h>
#include <stddef.h>

#include "base/diag.h"

struct att_jmespath;

enum att_jmespath_flags {
	/* Enable MAA's extension function equals_ignore_case(a, b). */
	ATT_JMESPATH_MAA_EXTENSIONS = 1 << 0,
};

/* att_jmespath_compile parses expr[0..expr_len) into *out (caller frees
 * with att_jmespath_free). On failure *out is NULL, the return code is
 * ATT_ERR_JMESPATH_SYNTAX (or _FUNCTION/_ARITY when the check is static,
 * _VALUE for a slice step of 0, ATT_ERR_LIMIT beyond ATT_MAX_JMESPATH_LEN
 * or ATT_MAX_JMESPATH_DEPTH) and diag names the offending position. */
int att_jmespath_compile(struct att_jmespath **out, const char *expr,
			 size_t expr_len, unsigned flags, struct att_diag *diag);

/* att_jmespath_eval evaluates a compiled expression on data. *out gets a
 * new reference (json null when the result is null), caller decrefs.
 * Errors: _TYPE, _VALUE, or ATT_ERR_LIMIT past ATT_MAX_JMESPATH_STEPS
 * (evaluation fuel) or a nesting limit; *out is then NULL. */
int att_jmespath_eval(const struct att_jmespath *jp, json_t *data,
		      json_t **out, struct att_diag *diag);

/* att_jmespath_eval_metered is att_jmespath_eval charging the caller's
 * meter (policy/meter.h) instead of a fuel of ATT_MAX_JMESPATH_STEPS:
 * every step, and the bytes of every value the evaluation makes (see
 * docs/jmespath.md, "Limits"). When the meter runs out the result is
 * ATT_ERR_LIMIT and m->hit says which part. */
struct att_pol_meter;
int att_jmespath_eval_metered(const struct att_jmespath *jp, json_t *data,
			      struct att_pol_meter *m, json_t **out,
			      struct att_diag *diag);

/* att_jmespath_height returns the height of the compiled syntax tree (1
 * for a lone identifier); 0 for NULL. */
unsigned att_jmespath_height(const struct att_jmespath *jp);

/* att_jmespath_search compiles and evaluates in one call. */
int att_jmespath_search(const char *expr, json_t *data, unsigned flags,
			json_t **out, struct att_diag *diag);

void att_jmespath_free(struct att_jmespath *jp);

/* att_jmespath_to_json returns value as compact JSON text, exactly as
 * to_string() writes it (reals as the shortest text that reads back to
 * the same double, object keys in insertion order). Caller frees; NULL
 * when out of memory or nested deeper than the engine recurses. */
char *att_jmespath_to_json(json_t *value);

/* att_jmespath_errtype returns the specification's error type name for
 * an ATT_ERR_JMESPATH_* code ("syntax", "invalid-type", ...). */
const char *att_jmespath_errtype(int err);

#endif
