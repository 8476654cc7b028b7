/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One budget per evaluation (policy.h: att_policy_eval_budget): steps,
 * bytes and a deadline shared by every rule, claim set operation and
 * JmesPath call, each stopping the evaluation with ATT_ERR_LIMIT and a
 * message naming the limit; and the compile-time limits of
 * att_policy_compile_limited (rules, JmesPath calls, nesting), with their
 * exact messages. The attack of issue 9 item 1 (1,300 heavy JmesPath
 * calls) is refused at compile time, quickly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "harness/tap.h"
#include "policy/defaults.h"
#include "policy/jmespath/jmespath.h"
#include "policy/policy.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A query of 2^k comparisons and little memory: k pairs, then @ == @. */
static void pairs_query(struct att_buf *b, int k)
{
	att_buf_adds(b, "@");
	for (int i = 0; i < k; i++)
		att_buf_adds(b, " | [@,@]");
	att_buf_adds(b, " | @ == @");
}

/* The attacker's query: each level copies 8 references and flattens, so
 * level k holds 8^k elements. */
static void flatten_query(struct att_buf *b, int k)
{
	att_buf_adds(b, "length(@");
	for (int i = 0; i < k; i++)
		att_buf_adds(b, " | [@,@,@,@,@,@,@,@][]");
	att_buf_adds(b, ")");
}

enum qkind { PAIRS, FLATTEN };

/* jp_policy makes a 1.2 policy of n issuance rules, one JmesPath call
 * each over the literal document [1]. */
static char *jp_policy(size_t n, enum qkind kind, int k)
{
	struct att_buf b;
	att_buf_init(&b, 2 * ATT_MAX_POLICY_LEN);
	att_buf_adds(&b, "version=1.2;\nauthorizationrules { => permit(); };\n"
			 "issuancerules {\n");
	for (size_t i = 0; i < n; i++) {
		att_buf_adds(&b, "=> issue(type=\"r\", value=JmesPath(\"[1]\", "
				 "\"");
		if (kind == PAIRS)
			pairs_query(&b, k);
		else
			flatten_query(&b, k);
		att_buf_adds(&b, "\"));\n");
	}
	att_buf_adds(&b, "};\n");
	ATT_CHECK(b.len < ATT_MAX_POLICY_LEN, "policy text too long");
	return (char *)att_buf_detach(&b, NULL);
}

static struct att_policy *compile(const char *text)
{
	struct att_policy *p = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_policy_compile(&p, text, strlen(text), NULL, &d);
	ATT_CHECK(r == 0, "compile: %s", att_diag_msg(&d));
	return p;
}

/* run evaluates text (no incoming claims) within b; returns the result
 * code, the message in msg and the result in *res (to release). */
static int run(const char *text, const struct att_claimset *in,
	       const struct att_policy_budget *b, struct att_policy_result *res,
	       char *msg, size_t msg_len, double *secs)
{
	struct att_policy *p = compile(text);
	struct att_diag d;
	att_diag_clear(&d);
	double t0 = now();
	int r = att_policy_eval_budget(p, in, b, res, false, &d);
	if (secs)
		*secs = now() - t0;
	snprintf(msg, msg_len, "%s", att_diag_msg(&d));
	att_policy_free(p);
	return r;
}

/* ---- steps --------------------------------------------------------------------- */

/* steps_of returns the steps a policy of n rules of PAIRS(k) takes. */
static uint64_t steps_of(size_t n, int k)
{
	struct att_policy_budget b = {UINT64_MAX, UINT64_MAX, 0};
	struct att_policy_result res;
	char msg[ATT_DIAG_LEN];
	char *t = jp_policy(n, PAIRS, k);
	int r = run(t, NULL, &b, &res, msg, sizeof(msg), NULL);
	ATT_CHECK(r == 0 && res.authorized, "%d: %s", r, msg);
	uint64_t s = res.steps;
	att_policy_result_release(&res);
	free(t);
	return s;
}

/* Every JmesPath call's steps count against the one budget: ten calls
 * that each fit the budget do not fit it together, and the message names
 * the rule and the call where it ran out. */
static void test_steps_shared_by_calls(void)
{
	uint64_t s1 = steps_of(1, 10), s2 = steps_of(2, 10);
	uint64_t per_rule = s2 - s1, base = s1 - per_rule;
	ATT_CHECK(per_rule > 2048, "a rule of 2^10 comparisons took %llu steps",
		  (unsigned long long)per_rule);
	ATT_CHECK_EQ_INT(steps_of(10, 10), base + 10 * per_rule);

	/* Room for four and a half rules: the fifth runs out. */
	struct att_policy_budget b = {base + 4 * per_rule + per_rule / 2,
				      UINT64_MAX, 0};
	struct att_policy_result res;
	char msg[ATT_DIAG_LEN], want[ATT_DIAG_LEN];
	char *t = jp_policy(10, PAIRS, 10);
	int r = run(t, NULL, &b, &res, msg, sizeof(msg), NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(res.limit, ATT_POLICY_LIMIT_STEPS);
	ATT_CHECK(!res.authorized, "authorized after the limit");
	ATT_CHECK(res.steps <= b.steps, "used %llu of %llu",
		  (unsigned long long)res.steps, (unsigned long long)b.steps);
	snprintf(want, sizeof(want),
		 "issuancerules rule 5 (line 8): JmesPath (line 8, column 26): "
		 "policy evaluation exceeded its budget of %llu steps",
		 (unsigned long long)b.steps);
	ATT_CHECK_EQ_STR(msg, want);
	att_policy_result_release(&res);
	free(t);
}

/* Claim set operations are charged by their size: IsSubsetOf of two sets
 * of 2,000 values is 4,000,000 comparisons. */
static void test_steps_claim_sets(void)
{
	struct att_claimset in;
	att_claimset_init(&in);
	for (int i = 0; i < 2000; i++) {
		json_t *v = json_integer(i);
		att_claimset_add(&in, "a", v, ATT_CLAIM_INTEGER, NULL);
		json_decref(v);
	}
	static const char text[] =
		"version=1.2;\nauthorizationrules { => permit(); };\n"
		"issuancerules {\n"
		"c:[type==\"a\"] && d:[type==\"a\"] => issue(type=\"s\", "
		"value=IsSubsetOf(c.value, d.value));\n};\n";
	struct att_policy_budget b = {1000000, UINT64_MAX, 0};
	struct att_policy_result res;
	char msg[ATT_DIAG_LEN];
	double secs = 0;
	int r = run(text, &in, &b, &res, msg, sizeof(msg), &secs);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(res.limit, ATT_POLICY_LIMIT_STEPS);
	ATT_CHECK_EQ_STR(msg, "issuancerules rule 1 (line 4): IsSubsetOf (line "
			      "4, column 57): policy evaluation exceeded its "
			      "budget of 1000000 steps");
	/* It stopped before comparing anything. */
	ATT_CHECK(secs < 0.5, "took %.3f s", secs);
	att_policy_result_release(&res);

	/* Within a budget that fits, the same policy runs. */
	b.steps = 10000000;
	r = run(text, &in, &b, &res, msg, sizeof(msg), NULL);
	ATT_CHECK(r == 0 && res.authorized, "%d: %s", r, msg);
	ATT_CHECK(res.steps > 4000000, "steps %llu",
		  (unsigned long long)res.steps);
	att_policy_result_release(&res);
	att_claimset_release(&in);
}

/* ---- bytes --------------------------------------------------------------------- */

/* JmesPath intermediate values are charged: the flatten explosion stops
 * on the byte budget long before it holds it (no step budget here). */
static void test_bytes_jmespath(void)
{
	struct att_policy_budget b = {UINT64_MAX, 1024 * 1024, 0};
	struct att_policy_result res;
	char msg[ATT_DIAG_LEN];
	char *t = jp_policy(1, FLATTEN, 9); /* 8^9 = 134M elements */
	double secs = 0;
	int r = run(t, NULL, &b, &res, msg, sizeof(msg), &secs);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(res.limit, ATT_POLICY_LIMIT_BYTES);
	ATT_CHECK_EQ_STR(msg, "issuancerules rule 1 (line 4): JmesPath (line 4, "
			      "column 26): policy evaluation exceeded its budget "
			      "of 1048576 bytes");
	ATT_CHECK(res.bytes <= b.bytes, "bytes %llu",
		  (unsigned long long)res.bytes);
	ATT_CHECK(secs < 0.5, "took %.3f s", secs);
	att_policy_result_release(&res);
	free(t);
}

/* Values the policy makes are charged: AppendString doubling a claim. */
static void test_bytes_append(void)
{
	struct att_buf b;
	att_buf_init(&b, ATT_MAX_POLICY_LEN);
	att_buf_adds(&b, "version=1.2;\nauthorizationrules { => permit(); };\n"
			 "issuancerules {\n=> add(type=\"s0\", value=\"abcdefgh\");\n");
	for (int i = 0; i < 40; i++)
		att_buf_addf(&b, "c:[type==\"s%d\"] => add(type=\"s%d\", "
				 "value=AppendString(c.value, c.value));\n",
			     i, i + 1);
	att_buf_adds(&b, "};\n");
	struct att_policy_budget bud = {UINT64_MAX, 4 * 1024 * 1024, 0};
	struct att_policy_result res;
	char msg[ATT_DIAG_LEN];
	int r = run(att_buf_cstr(&b), NULL, &bud, &res, msg, sizeof(msg), NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(res.limit, ATT_POLICY_LIMIT_BYTES);
	/* Each AppendString is charged twice its result (the text and its
	 * string): 2 * 8 * (2 + 4 + ... + 2^17) = 4,194,272 bytes with the
	 * rule making s17 (1 MiB) from s16, which with the other charges
	 * passes 4 MiB: issuance rule 18 runs out. */
	ATT_CHECK_EQ_STR(msg, "issuancerules rule 18 (line 21): AppendString "
			      "(line 21, column 42): policy evaluation exceeded "
			      "its budget of 4194304 bytes");
	att_policy_result_release(&res);

	/* An ordinary evaluation reports what it used. */
	bud.bytes = ATT_POLICY_EVAL_BYTES_DEFAULT;
	r = run("version=1.0; authorizationrules { => permit(); };"
		"issuancerules { => issue(type=\"t\", value=1); };",
		NULL, &bud, &res, msg, sizeof(msg), NULL);
	ATT_CHECK(r == 0 && res.limit == ATT_POLICY_LIMIT_NONE, "%s", msg);
	ATT_CHECK(res.bytes > 0 && res.bytes < 4096, "bytes %llu",
		  (unsigned long long)res.bytes);
	att_policy_result_release(&res);
	att_buf_release(&b);
}

/* ---- deadline ------------------------------------------------------------------ */

static void test_deadline(void)
{
	/* 2^40 comparisons, unlimited steps and bytes: only the clock stops
	 * it. */
	struct att_policy_budget b = {UINT64_MAX, UINT64_MAX, 20};
	struct att_policy_result res;
	char msg[ATT_DIAG_LEN];
	char *t = jp_policy(1, PAIRS, 40);
	double secs = 0;
	int r = run(t, NULL, &b, &res, msg, sizeof(msg), &secs);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(res.limit, ATT_POLICY_LIMIT_TIME);
	ATT_CHECK_EQ_STR(msg, "issuancerules rule 1 (line 4): JmesPath (line 4, "
			      "column 26): policy evaluation exceeded its "
			      "deadline of 20 ms");
	ATT_CHECK(secs >= 0.020 && secs < 0.5, "took %.3f s", secs);
	att_policy_result_release(&res);
	free(t);
}

/* The default budget (att_policy_eval) stops the attacker's heavy calls
 * too, whichever of its limits comes first. */
static void test_default_budget(void)
{
	struct att_policy_budget d;
	att_policy_budget_default(&d);
	ATT_CHECK(d.steps == ATT_POLICY_EVAL_STEPS_DEFAULT &&
			  d.bytes == ATT_POLICY_EVAL_BYTES_DEFAULT &&
			  d.ms == ATT_POLICY_EVAL_MS_DEFAULT,
		  "defaults");
	char *t = jp_policy(100, FLATTEN, 6);
	struct att_policy *p = compile(t);
	struct att_policy_result res;
	struct att_diag dg;
	att_diag_clear(&dg);
	double t0 = now();
	int r = att_policy_eval(p, NULL, &res, false, &dg);
	double secs = now() - t0;
	ATT_CHECK(r == ATT_ERR_LIMIT && res.limit != ATT_POLICY_LIMIT_NONE,
		  "%d: %s", r, att_diag_msg(&dg));
	ATT_CHECK(strstr(att_diag_msg(&dg), "policy evaluation exceeded its "),
		  "%s", att_diag_msg(&dg));
	ATT_CHECK(secs < 1.0, "took %.3f s", secs);
	att_policy_result_release(&res);
	att_policy_free(p);
	free(t);
}

/* Standalone JMESPath keeps its own fuel, named in its message. */
static void test_jmespath_alone(void)
{
	struct att_buf b;
	att_buf_init(&b, 4096);
	pairs_query(&b, 40);
	json_t *out = NULL, *doc = json_integer(1);
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_jmespath_search(att_buf_cstr(&b), doc, 0, &out, &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_STR(att_diag_msg(&d), "limit: evaluation exceeded its "
					   "budget of 10000000 steps");
	ATT_CHECK(out == NULL, "a result after the limit");
	json_decref(doc);
	att_buf_release(&b);
}

/* ---- compile-time limits ------------------------------------------------------- */

static int compile_limited(const char *text,
			   const struct att_policy_limits *lim,
			   struct att_policy_error *e, double *secs)
{
	struct att_policy *p = NULL;
	double t0 = now();
	int r = att_policy_compile_limited(&p, text, strlen(text), lim, e,
					   NULL);
	if (secs)
		*secs = now() - t0;
	ATT_CHECK((r == 0) == (p != NULL), "policy and result disagree");
	att_policy_free(p);
	return r;
}

/* The attack of issue 9: 1,300 heavy JmesPath calls. */
static void test_limit_jmespath_calls(void)
{
	struct att_policy_limits lim;
	struct att_policy_error e;
	att_policy_limits_default(&lim);
	ATT_CHECK_EQ_INT(lim.max_jmespath, ATT_POLICY_MAX_JMESPATH_DEFAULT);
	char *t = jp_policy(1300, FLATTEN, 6);
	ATT_CHECK(strlen(t) > 100000, "the attack is %zu bytes", strlen(t));
	double secs = 0;
	int r = compile_limited(t, &lim, &e, &secs);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(e.limit, ATT_POLICY_LIMIT_JMESPATH);
	ATT_CHECK_EQ_STR(e.msg, "the policy has 1300 JmesPath calls; at most "
				"128 are allowed");
	/* At the 129th call (line 3 + 129). */
	ATT_CHECK(e.line == 132 && e.column == 26, "at %u:%u", e.line,
		  e.column);
	/* Queries past the limit are not compiled: refused quickly even in
	 * a sanitizer build (the server's figure is in policy_budget.sh). */
	ATT_CHECK(secs < 0.5, "took %.3f s", secs);

	/* A provider allowing more compiles it; no limits at all too. */
	lim.max_jmespath = 2000;
	lim.max_rules = 2000;
	ATT_CHECK_EQ_INT(compile_limited(t, &lim, &e, NULL), 0);
	ATT_CHECK_EQ_INT(compile_limited(t, NULL, &e, NULL), 0);
	struct att_policy *p = compile(t);
	ATT_CHECK_EQ_INT(att_policy_num_jmespath(p), 1300);
	att_policy_free(p);
	free(t);

	/* The parse stops at the first call beyond the limit; the rest is
	 * only scanned: a syntax error before the stop wins, and so does a
	 * malformed token after it, not a misplaced one. */
	lim.max_jmespath = 1;
	static const char head[] =
		"version=1.2; authorizationrules { => permit(); };\n"
		"issuancerules { => issue(type=\"a\", value=JmesPath(\"1\", "
		"\"@\")); => issue(type=\"b\", value=JmesPath(\"1\", \"@\"));";
	char text[512];
	snprintf(text, sizeof(text), "%s => oops(); };", head);
	r = compile_limited(text, &lim, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_STR(e.msg, "the policy has 2 JmesPath calls; at most 1 "
				"are allowed");
	ATT_CHECK(e.line == 2 && e.column == 88, "at %u:%u", e.line,
		  e.column);
	snprintf(text, sizeof(text), "%s => issue(type=\"c\", value=\"open",
		 head);
	r = compile_limited(text, &lim, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_POLICY_SYNTAX);
	ATT_CHECK_EQ_INT(e.limit, ATT_POLICY_LIMIT_NONE);
	snprintf(text, sizeof(text), "version=1.2; authorizationrules { => "
				     "permit(); }; oops %s };",
		 head);
	r = compile_limited(text, &lim, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_POLICY_SYNTAX);
	lim.max_jmespath = 0;
	r = compile_limited("version=1.2; authorizationrules { => permit(); };"
			    "issuancerules { => issue(type=\"a\", "
			    "value=JmesPath(\"1\", \"@\")); };",
			    &lim, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_STR(e.msg, "the policy has 1 JmesPath calls; at most 0 "
				"are allowed");
}

static void test_limit_rules(void)
{
	struct att_policy_limits lim = {10, 128, 32};
	struct att_policy_error e;
	struct att_buf b;
	att_buf_init(&b, 4096);
	att_buf_adds(&b, "version=1.0;\nauthorizationrules {\n=> permit();\n};\n"
			 "issuancerules {\n");
	for (int i = 0; i < 9; i++)
		att_buf_addf(&b, "=> issue(type=\"t%d\", value=%d);\n", i, i);
	att_buf_adds(&b, "};\n");
	ATT_CHECK_EQ_INT(compile_limited(att_buf_cstr(&b), &lim, &e, NULL), 0);
	att_buf_release(&b);

	att_buf_init(&b, 4096);
	att_buf_adds(&b, "version=1.0;\nauthorizationrules {\n=> permit();\n};\n"
			 "issuancerules {\n");
	for (int i = 0; i < 12; i++)
		att_buf_addf(&b, "  => issue(type=\"t%d\", value=%d);\n", i, i);
	att_buf_adds(&b, "};\n");
	int r = compile_limited(att_buf_cstr(&b), &lim, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(e.limit, ATT_POLICY_LIMIT_RULES);
	ATT_CHECK_EQ_STR(e.msg, "the policy has 13 rules; at most 10 are "
				"allowed");
	/* The eleventh rule: the tenth issuance rule, line 6 + 9. */
	ATT_CHECK(e.line == 15 && e.column == 3, "at %u:%u", e.line, e.column);
	att_buf_release(&b);

	/* Rules with conditions (their '=>' is after where the parse stops)
	 * and JmesPath calls in conditions count the same. */
	att_buf_init(&b, 8192);
	att_buf_adds(&b, "version=1.2;\nauthorizationrules {\n=> permit();\n};\n"
			 "issuancerules {\n");
	for (int i = 0; i < 14; i++)
		att_buf_addf(&b, "c:[type==\"t\", value==JmesPath(\"[%d]\", "
				 "\"@[0]\")] => issue(type=\"t%d\", "
				 "value=JmesPath(\"[1]\", \"@\"));\n",
			     i, i);
	att_buf_adds(&b, "};\n");
	lim.max_jmespath = 100;
	r = compile_limited(att_buf_cstr(&b), &lim, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_STR(e.msg, "the policy has 15 rules; at most 10 are "
				"allowed");
	ATT_CHECK(e.line == 15 && e.column == 1, "at %u:%u", e.line, e.column);
	lim.max_rules = 100;
	lim.max_jmespath = 5;
	r = compile_limited(att_buf_cstr(&b), &lim, &e, NULL);
	ATT_CHECK_EQ_STR(e.msg, "the policy has 28 JmesPath calls; at most 5 "
				"are allowed");
	/* The sixth call: in the action of issuance rule 3 (line 8). */
	ATT_CHECK(e.line == 8 && e.column == 73, "at %u:%u", e.line, e.column);
	att_buf_release(&b);
}

static void test_limit_nesting(void)
{
	/* A call's arguments are a level deeper than the call: the literals
	 * of JsonToClaimValue(JmesPath("[1]", "@[0]")) are at level 3. */
	struct att_policy_limits lim = {1000, 128, 3};
	struct att_policy_error e;
	static const char two[] =
		"version=1.2; authorizationrules { => permit(); };\n"
		"issuancerules { => issue(type=\"a\", "
		"value=JsonToClaimValue(JmesPath(\"[1]\", \"@[0]\"))); };";
	static const char three[] =
		"version=1.2; authorizationrules { => permit(); };\n"
		"issuancerules { => issue(type=\"a\", value=NegateBool("
		"JsonToClaimValue(JmesPath(\"[true]\", \"@[0]\")))); };";
	ATT_CHECK_EQ_INT(compile_limited(two, &lim, &e, NULL), 0);
	int r = compile_limited(three, &lim, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(e.limit, ATT_POLICY_LIMIT_NESTING);
	ATT_CHECK_EQ_STR(e.msg, "expression nested deeper than the limit of 3 "
				"levels");
	/* At the first expression of level 4: "[true]". */
	ATT_CHECK(e.line == 2 && e.column == 79, "at %u:%u", e.line, e.column);

	/* The height of a literal query counts as well. */
	static const char q[] = "[[[[[[@]]]]]]";
	struct att_jmespath *jp = NULL;
	ATT_CHECK_EQ_INT(att_jmespath_compile(&jp, q, strlen(q), 0, NULL), 0);
	unsigned h = att_jmespath_height(jp);
	att_jmespath_free(jp);
	ATT_CHECK(h > 6, "height %u", h);
	char text[512], want[128];
	snprintf(text, sizeof(text),
		 "version=1.2; authorizationrules { => permit(); };\n"
		 "issuancerules { => add(type=\"a\", value=JmesPath(\"[1]\", "
		 "\"%s\")); };",
		 q);
	lim.max_nesting = h - 1;
	r = compile_limited(text, &lim, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(e.limit, ATT_POLICY_LIMIT_NESTING);
	snprintf(want, sizeof(want),
		 "JmesPath query nested %u levels deep; at most %u are "
		 "allowed",
		 h, h - 1);
	ATT_CHECK_EQ_STR(e.msg, want);
	ATT_CHECK(e.line == 2 && e.column == 56, "at %u:%u", e.line, e.column);
	lim.max_nesting = h;
	ATT_CHECK_EQ_INT(compile_limited(text, &lim, &e, NULL), 0);
}

/* MAA's default policies compile within the default limits and run far
 * within the default budget. */
static void test_defaults_fit(void)
{
	static const char *types[] = {"SgxEnclave", "OpenEnclave", "TdxVm"};
	struct att_policy_limits lim;
	struct att_policy_error e;
	att_policy_limits_default(&lim);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *t = att_policy_default_text(types[i]);
		ATT_CHECK(t && compile_limited(t, &lim, &e, NULL) == 0,
			  "%s: %s", types[i], e.msg);
	}
}

int main(void)
{
	test_steps_shared_by_calls();
	test_steps_claim_sets();
	test_bytes_jmespath();
	test_bytes_append();
	test_deadline();
	test_default_budget();
	test_jmespath_alone();
	test_limit_jmespath_calls();
	test_limit_rules();
	test_limit_nesting();
	test_defaults_fit();
	return att_test_done();
}
