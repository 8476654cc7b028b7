/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MAA policy language (MAA docs "Claim rule grammar", "Attestation
 * policy version 1.0/1.1/1.2"; docs/policy.md is the full
 * reference): claims and claim sets, compiling a policy text once into an
 * immutable struct att_policy, and evaluating it many times over a set of
 * incoming claims. A compiled policy is never modified after
 * att_policy_compile returns, so any number of threads may evaluate it at
 * once; each evaluation keeps its state in its own stack frame and result.
 * This module does not verify evidence, sign tokens or store policies; the
 * server turns verified evidence into a claim set and calls
 * att_policy_eval, and builds the token from the result.
 */
#ifndef ATT_POLICY_POLICY_H
#define ATT_POLICY_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

/* Issuers named by MAA (MAA docs "Claim rule grammar"). */
#define ATT_CLAIM_ISSUER_SERVICE "AttestationService"
#define ATT_CLAIM_ISSUER_POLICY "AttestationPolicy"
#define ATT_CLAIM_ISSUER_CUSTOM "CustomClaim"

/*
 * The value type of a claim. STRING, INTEGER and BOOLEAN are MAA's three
 * valueTypes. JSON is a String whose text is JSON (the "events" and "pcrs"
 * claims, and every JmesPath result) kept parsed: its value may be any
 * JSON value. The policy language sees it as a String (valueType ==
 * "String", AppendString uses its compact text); JmesPath and
 * JsonToClaimValue use it without re-parsing.
 */
enum att_claim_vtype {
	ATT_CLAIM_STRING,
	ATT_CLAIM_INTEGER,
	ATT_CLAIM_BOOLEAN,
	ATT_CLAIM_JSON,
};

/* One claim. Every pointer is owned by the claim (type and issuer are
 * malloc'd, value holds one reference). value is a json string, integer
 * or boolean for the first three vtypes, any JSON value for JSON. */
struct att_claim {
	char *type;
	json_t *value;
	enum att_claim_vtype vtype;
	char *issuer;
};

/* An ordered list of claims; the same type may occur several times (a
 * "set" in MAA's words). */
struct att_claimset {
	struct att_claim *v;
	size_t n;
	size_t cap;
};

/* att_claimset_init never allocates and cannot fail. */
void att_claimset_init(struct att_claimset *set);
/* att_claimset_release frees every claim and re-inits; accepts NULL. */
void att_claimset_release(struct att_claimset *set);

/* att_claimset_add appends a claim with a copy of type and issuer (NULL
 * issuer means AttestationService) and a new reference to value, after
 * checking that value fits vtype. Returns 0, ATT_ERR_INVALID_ARG when it
 * does not, ATT_ERR_LIMIT beyond ATT_MAX_POLICY_CLAIMS, or ATT_ERR_NOMEM;
 * on failure the set is unchanged. */
int att_claimset_add(struct att_claimset *set, const char *type,
		     json_t *value, enum att_claim_vtype vtype,
		     const char *issuer);

/* att_claimset_add_json adds a claim whose valueType follows value: json
 * string, integer and boolean give STRING, INTEGER, BOOLEAN; objects and
 * arrays give JSON. Reals and null are ATT_ERR_INVALID_ARG. */
int att_claimset_add_json(struct att_claimset *set, const char *type,
			  json_t *value, const char *issuer);

/* att_claim_vtype_name returns "String", "Integer", "Boolean" (JSON
 * claims are Strings to the policy language: "String"). */
const char *att_claim_vtype_name(enum att_claim_vtype vtype);

/*
 * att_claimset_from_json appends the claims of a CLAIMS.json document to
 * out: an array of objects {"type": string, "value": string | integer |
 * boolean | object | array, "issuer"?: string, "valueType"?: "String" |
 * "Integer" | "Boolean"}. Claims without "issuer" get default_issuer (NULL
 * means AttestationService: such files stand for verified evidence).
 * Objects and arrays become JSON claims; an array is one JSON value, not a
 * set (a set is several claims of the same type). A valueType that
 * contradicts the value, unknown members, reals and nulls are
 * ATT_ERR_FORMAT with diag naming the element; on failure out is left
 * as it was.
 */
int att_claimset_from_json(struct att_claimset *out, const json_t *json,
			   const char *default_issuer, struct att_diag *diag);

/* att_claimset_to_json returns a new array of {"type","value","valueType",
 * "issuer"} objects (JSON claims keep their JSON value), or NULL when out
 * of memory. */
json_t *att_claimset_to_json(const struct att_claimset *set);

/* att_claimset_to_object returns a new object mapping each claim type to
 * its value, or to an array of its values in order when the type occurs
 * more than once (the token form of issued claims); NULL when out of
 * memory. */
json_t *att_claimset_to_object(const struct att_claimset *set);

/* ---- limits and budgets ------------------------------------------ */

/* Which limit stopped a compile or an evaluation (NONE: no limit did).
 * The caller knows where its limits come from and may name them (the
 * server appends "(limits.policy_max_jmespath)" and so on). */
enum att_policy_limit {
	ATT_POLICY_LIMIT_NONE,
	ATT_POLICY_LIMIT_RULES,	   /* compile: rules in all sections */
	ATT_POLICY_LIMIT_JMESPATH, /* compile: JmesPath calls */
	ATT_POLICY_LIMIT_NESTING,  /* compile: expression or query nesting */
	ATT_POLICY_LIMIT_STEPS,	   /* evaluation: steps */
	ATT_POLICY_LIMIT_BYTES,	   /* evaluation: bytes allocated */
	ATT_POLICY_LIMIT_TIME,	   /* evaluation: wall-clock deadline */
};

/*
 * Size and complexity limits checked while compiling, beyond the hard
 * ones (ATT_MAX_POLICY_LEN, ATT_MAX_POLICY_DEPTH, ATT_MAX_JMESPATH_*):
 * max_rules counts the rules of all sections; max_jmespath the JmesPath
 * calls written in the policy; max_nesting bounds both the nesting of
 * expressions (a function call's arguments are one level deeper than the
 * call) and the height of every literal JmesPath query's syntax tree.
 */
struct att_policy_limits {
	uint32_t max_rules;
	uint32_t max_jmespath;
	uint32_t max_nesting;
};

/*
 * The budget of one evaluation, for the whole policy: steps counts every
 * rule, every claim tested against a condition (and every value it is
 * compared with), every expression, every claim produced, every element
 * a function walks and every JmesPath step of every call, all against one
 * counter; bytes counts what the evaluation allocates (gross, freed or
 * not: scratch memory, claims and values it makes, JSON texts it parses
 * or writes, JmesPath results and intermediate values; docs/policy.md
 * "Limits" has the exact accounting); ms is a wall-clock deadline from
 * the start of the evaluation (CLOCK_MONOTONIC, read every
 * ATT_POL_METER_CLOCK_EVERY steps; 0: none).
 */
struct att_policy_budget {
	uint64_t steps;
	uint64_t bytes;
	uint32_t ms;
};

/* att_policy_budget_default fills the defaults: ATT_POLICY_EVAL_STEPS_,
 * _BYTES_ and _MS_DEFAULT. */
void att_policy_budget_default(struct att_policy_budget *b);

/* att_policy_limits_default fills ATT_POLICY_MAX_RULES_, _JMESPATH_ and
 * _NESTING_DEFAULT. */
void att_policy_limits_default(struct att_policy_limits *l);

/* ---- compiling ---------------------------------------------------- */

struct att_policy;

/* Where and why a compile failed. line and column are 1-based (columns
 * count characters, a tab is one); both are 0 when the error has no
 * position (empty text, over ATT_MAX_POLICY_LEN). msg has no position
 * prefix ("expected ']' but found ';'"). limit says which of the
 * caller's struct att_policy_limits was exceeded (NONE otherwise). */
struct att_policy_error {
	unsigned line;
	unsigned column;
	char msg[ATT_DIAG_LEN];
	enum att_policy_limit limit;
};

/*
 * att_policy_compile parses and checks text[0..len) into *out (free with
 * att_policy_free). JmesPath queries written as string literals are
 * compiled here. Returns 0, or ATT_ERR_POLICY_SYNTAX (the text does not
 * parse, or uses a construct its version lacks), ATT_ERR_POLICY_TYPE (a
 * type, arity, identifier or section error), ATT_ERR_JMESPATH_* (a
 * literal JmesPath query is invalid), ATT_ERR_LIMIT (text longer than
 * ATT_MAX_POLICY_LEN, nesting deeper than ATT_MAX_POLICY_DEPTH) or
 * ATT_ERR_NOMEM. On failure *out is NULL, diag gets the message with its
 * position ("line 3, column 14: expected ']' but found ';'") and err (if
 * not NULL) the parts.
 */
int att_policy_compile(struct att_policy **out, const char *text, size_t len,
		       struct att_policy_error *err, struct att_diag *diag);

/*
 * att_policy_compile_limited is att_policy_compile within lim (NULL: only
 * the hard limits). Beyond lim it fails with ATT_ERR_LIMIT, err->limit
 * naming the limit and msg the count and the limit: "the policy has 1300
 * JmesPath calls; at most 128 are allowed", "the policy has 1200 rules;
 * at most 1000 are allowed" (both at the position of the first call or
 * rule beyond the limit, where the parse stops; the rest of the text is
 * only scanned with the lexer, to count the calls and rules of the whole
 * text, and a malformed token found there is reported instead),
 * "expression nested deeper than the limit of 32 levels", "JmesPath query
 * nested 40 levels deep; at most 32 are allowed".
 */
int att_policy_compile_limited(struct att_policy **out, const char *text,
			       size_t len, const struct att_policy_limits *lim,
			       struct att_policy_error *err,
			       struct att_diag *diag);

/* att_policy_num_jmespath returns the number of JmesPath calls written in
 * the policy. */
size_t att_policy_num_jmespath(const struct att_policy *policy);

/* att_policy_free frees a compiled policy; accepts NULL. */
void att_policy_free(struct att_policy *policy);

/* att_policy_version returns the minor version: 0, 1 or 2 (for 1.0, 1.1,
 * 1.2). */
int att_policy_version(const struct att_policy *policy);

/* att_policy_num_rules returns the number of rules of a section:
 * 0 configurationrules, 1 authorizationrules, 2 issuancerules. */
size_t att_policy_num_rules(const struct att_policy *policy, int section);

/* ---- evaluating --------------------------------------------------- */

/* The outcome of one evaluation. Everything is owned by the result and
 * freed by att_policy_result_release. */
struct att_policy_result {
	/* A permit() fired in authorizationrules and no deny() did. */
	bool authorized;
	/* The outgoing claims (issue()), in order; empty unless authorized. */
	struct att_claimset issued;
	/* Every claim the policy added to the incoming set (add(), issue(),
	 * issueproperty()), in order: the incoming set after evaluation is
	 * the caller's incoming set followed by these. */
	struct att_claimset added;
	/* Property claims (issueproperty(), configurationrules and
	 * issuancerules): an object type -> value; the last one wins. Never
	 * NULL after a successful evaluation. */
	json_t *properties;
	/* Rule-by-rule trace when explain was asked, else NULL: an array of
	 * objects described in docs/policy.md. */
	json_t *explain;
	/* When !authorized: one line saying why ("authorizationrules rule 2
	 * (line 4): deny() fired"); else NULL. */
	char *deny_summary;
	/* Steps and bytes the evaluation used (of its budget). */
	uint64_t steps;
	uint64_t bytes;
	/* The budget limit that stopped the evaluation (the return value is
	 * then ATT_ERR_LIMIT), or ATT_POLICY_LIMIT_NONE. */
	enum att_policy_limit limit;
};

/* att_policy_result_init never allocates and cannot fail. */
void att_policy_result_init(struct att_policy_result *res);
/* att_policy_result_release frees and re-inits; accepts NULL. */
void att_policy_result_release(struct att_policy_result *res);

/*
 * att_policy_eval_budget runs the policy over incoming (which is only
 * read and may be shared): configurationrules, then authorizationrules,
 * then, when authorized, issuancerules, all within budget (NULL: the
 * defaults of att_policy_budget_default). *out is initialised here
 * (callers need not init it) and must be released with
 * att_policy_result_release, also after a failure. Returns 0 when the
 * evaluation ran to the end, whether or not it authorized (see
 * out->authorized); ATT_ERR_POLICY_EVAL when a function failed on its
 * input (diag names the section, rule, line and function); ATT_ERR_LIMIT
 * beyond the budget (out->limit says which part; diag "issuancerules rule
 * 2 (line 5): JmesPath (line 5, column 12): policy evaluation exceeded
 * its budget of 2000000 steps", "... of 16777216 bytes", "... exceeded
 * its deadline of 200 ms") or ATT_MAX_POLICY_CLAIMS (out->limit NONE);
 * ATT_ERR_NOMEM. With explain, out->explain gets the trace, also for the
 * rules run before a failure (the trace itself is not charged).
 */
int att_policy_eval_budget(const struct att_policy *policy,
			   const struct att_claimset *incoming,
			   const struct att_policy_budget *budget,
			   struct att_policy_result *out, bool explain,
			   struct att_diag *diag);

/* att_policy_eval is att_policy_eval_budget with the default budget. */
int att_policy_eval(const struct att_policy *policy,
		    const struct att_claimset *incoming,
		    struct att_policy_result *out, bool explain,
		    struct att_diag *diag);

/* ---- hashing ------------------------------------------------------ */

#define ATT_POLICY_HASH_LEN 44 /* 43 base64url characters and a NUL */

/* att_policy_hash writes x-ms-policy-hash (MAA docs "Claim sets"):
 * b64url(SHA-256(ASCII(b64url(text)))), text being the policy's UTF-8
 * bytes as stored. Returns 0 or ATT_ERR_NOMEM / ATT_ERR_LIMIT (text over
 * ATT_MAX_POLICY_LEN). */
int att_policy_hash(char out[static ATT_POLICY_HASH_LEN], const char *text,
		    size_t len);

#endif
