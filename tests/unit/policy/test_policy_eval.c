/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluation API beyond the language cases of tests/policy: the
 * explain trace and deny summaries, the step and claim limits (a huge
 * policy or claim set fails with an error instead of hanging), claim sets
 * and their JSON forms, and concurrent evaluation of one compiled policy.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "harness/tap.h"
#include "policy/defaults.h"
#include "policy/policy.h"

static struct att_policy *compile(const char *text)
{
	struct att_policy *p = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_policy_compile(&p, text, strlen(text), NULL, &d);
	ATT_CHECK(r == 0, "compile: %s", att_diag_msg(&d));
	return p;
}

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	ATT_CHECK(j != NULL, "bad JSON in test: %s", e.text);
	return j;
}

static void claims_from(struct att_claimset *set, const char *json)
{
	json_t *j = load(json);
	att_claimset_init(set);
	struct att_diag d;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_claimset_from_json(set, j, NULL, &d), 0);
	json_decref(j);
}

/* ---- explain ------------------------------------------------------------------ */

static const char explain_policy[] =
	"version=1.0;\n"
	"authorizationrules {\n"
	"  c:[type==\"x-ms-sgx-is-debuggable\", value==false] => permit();\n"
	"  [type==\"x-ms-sgx-svn\", value<1] => deny();\n"
	"};\n"
	"issuancerules {\n"
	"  c:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"sgx-mrsigner\", "
	"value=c.value);\n"
	"};\n";

static void test_explain(void)
{
	struct att_policy *p = compile(explain_policy);
	struct att_claimset in;
	claims_from(&in, "[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":false},"
			 "{\"type\":\"x-ms-sgx-svn\",\"value\":3},"
			 "{\"type\":\"x-ms-sgx-mrsigner\",\"value\":\"ab\"}]");
	struct att_policy_result res;
	ATT_CHECK_EQ_INT(att_policy_eval(p, &in, &res, true, NULL), 0);
	ATT_CHECK(res.authorized, "authorized");
	json_t *want = load(
		"[{\"section\":\"authorizationrules\",\"rule\":1,\"line\":3,"
		"\"column\":3,\"action\":\"permit()\",\"matched\":true,"
		"\"conditions\":[{\"condition\":\"c:[type == "
		"'x-ms-sgx-is-debuggable', value == false]\",\"matched\":true,"
		"\"claims\":[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":false,"
		"\"valueType\":\"Boolean\",\"issuer\":\"AttestationService\"}]}],"
		"\"effects\":[{\"action\":\"permit\"}]},"
		"{\"section\":\"authorizationrules\",\"rule\":2,\"line\":4,"
		"\"column\":3,\"action\":\"deny()\",\"matched\":false,"
		"\"conditions\":[{\"condition\":\"[type == 'x-ms-sgx-svn', value < "
		"1]\",\"matched\":false,\"claims\":[]}],\"effects\":[],"
		"\"reason\":\"no claim with type == 'x-ms-sgx-svn' and value < 1\"},"
		"{\"section\":\"issuancerules\",\"rule\":1,\"line\":7,\"column\":3,"
		"\"action\":\"issue(type='sgx-mrsigner', value=c.value)\","
		"\"matched\":true,\"conditions\":[{\"condition\":\"c:[type == "
		"'x-ms-sgx-mrsigner']\",\"matched\":true,\"claims\":[{\"type\":"
		"\"x-ms-sgx-mrsigner\",\"value\":\"ab\",\"valueType\":\"String\","
		"\"issuer\":\"AttestationService\"}]}],\"effects\":[{\"action\":"
		"\"issue\",\"claim\":{\"type\":\"sgx-mrsigner\",\"value\":\"ab\","
		"\"valueType\":\"String\",\"issuer\":\"AttestationPolicy\"}}]}]");
	char *got = json_dumps(res.explain, JSON_COMPACT);
	ATT_CHECK(json_equal(res.explain, want), "explain: %s", got);
	free(got);
	json_decref(want);
	ATT_CHECK(res.deny_summary == NULL, "summary when authorized");
	ATT_CHECK(res.steps > 0 && res.steps < 100, "steps %llu",
		  (unsigned long long)res.steps);
	att_policy_result_release(&res);

	/* Without explain there is no trace; svn 0 now fires the deny(). */
	att_claimset_release(&in);
	claims_from(&in, "[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":false},"
			 "{\"type\":\"x-ms-sgx-svn\",\"value\":0}]");
	ATT_CHECK_EQ_INT(att_policy_eval(p, &in, &res, false, NULL), 0);
	ATT_CHECK(res.explain == NULL, "trace without explain");
	ATT_CHECK(!res.authorized, "deny ignored");
	ATT_CHECK_EQ_STR(res.deny_summary,
			 "authorizationrules rule 2 (line 4): deny() fired");
	ATT_CHECK_EQ_INT(res.issued.n, 0);
	att_policy_result_release(&res);
	att_policy_result_release(&res); /* twice is harmless */
	att_claimset_release(&in);
	att_policy_free(p);
}

/* ---- limits ------------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Many rules over many claims exhaust the step budget: an error, and
 * quickly. */
static void test_step_limit(void)
{
	struct att_buf b;
	att_buf_init(&b, ATT_MAX_POLICY_LEN);
	att_buf_adds(&b, "version=1.0;\nauthorizationrules { => permit(); };\n"
			 "issuancerules {\n");
	for (int i = 0; i < 2000; i++)
		att_buf_addf(&b, "c:[type==\"t%d\"] && [type==\"u\", "
				 "value==c.value] => issue(type=\"r\", "
				 "value=%d);\n",
			     i, i);
	att_buf_adds(&b, "};\n");
	struct att_policy *p = compile(att_buf_cstr(&b));
	att_buf_release(&b);
	struct att_claimset in;
	att_claimset_init(&in);
	for (int i = 0; i < 5000; i++) {
		char t[16];
		snprintf(t, sizeof(t), "t%d", i % 50);
		json_t *v = json_integer(i);
		att_claimset_add(&in, t, v, ATT_CLAIM_INTEGER, NULL);
		json_decref(v);
	}
	struct att_policy_result res;
	struct att_diag d;
	/* The budget's steps stop it; no deadline, so that the steps, not
	 * the speed of the machine, decide. */
	struct att_policy_budget bud = {1000000, UINT64_MAX, 0};
	att_diag_clear(&d);
	double t0 = now();
	int r = att_policy_eval_budget(p, &in, &bud, &res, false, &d);
	double dt = now() - t0;
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK(strstr(att_diag_msg(&d), ": policy evaluation exceeded its "
					   "budget of 1000000 steps") != NULL,
		  "%s", att_diag_msg(&d));
	ATT_CHECK(!strncmp(att_diag_msg(&d), "issuancerules rule ", 19), "%s",
		  att_diag_msg(&d));
	ATT_CHECK(!res.authorized, "authorized after the limit");
	ATT_CHECK_EQ_INT(res.limit, ATT_POLICY_LIMIT_STEPS);
	/* The charge that would pass the budget is refused whole. */
	ATT_CHECK(res.steps <= 1000000 && res.steps > 999000, "steps %llu",
		  (unsigned long long)res.steps);
	ATT_CHECK(dt < 5.0, "the limit took %.1f s", dt);
	att_policy_result_release(&res);
	att_claimset_release(&in);
	att_policy_free(p);
}

static void test_claim_limit(void)
{
	/* More incoming claims than ATT_MAX_POLICY_CLAIMS: refused. */
	struct att_claimset in;
	att_claimset_init(&in);
	json_t *v = json_true();
	int r = 0;
	for (int i = 0; r == 0 && i <= ATT_MAX_POLICY_CLAIMS; i++)
		r = att_claimset_add(&in, "a", v, ATT_CLAIM_BOOLEAN, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(in.n, ATT_MAX_POLICY_CLAIMS);

	/* A policy that adds past the limit stops with ATT_ERR_LIMIT. */
	struct att_policy *p = compile(
		"version=1.0; authorizationrules { => permit(); };"
		"issuancerules { => add(type=\"b\", value=1); };");
	struct att_policy_result res;
	struct att_diag d;
	att_diag_clear(&d);
	r = att_policy_eval(p, &in, &res, false, &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_STR(att_diag_msg(&d),
			 "issuancerules rule 1 (line 1): more than 10000 claims");
	att_policy_result_release(&res);
	att_policy_free(p);
	att_claimset_release(&in);

	/* A set of more values than the limit from one JsonToClaimValue. */
	struct att_buf b;
	att_buf_init(&b, ATT_MAX_POLICY_LEN);
	att_buf_adds(&b, "version=1.2; authorizationrules { => permit(); };"
			 "issuancerules { => add(type=\"b\", "
			 "value=JsonToClaimValue(\"[");
	for (int i = 0; i <= ATT_MAX_POLICY_CLAIMS; i++)
		att_buf_addf(&b, "%s%d", i ? "," : "", i % 10);
	att_buf_adds(&b, "]\")); };");
	p = compile(att_buf_cstr(&b));
	att_buf_release(&b);
	att_diag_clear(&d);
	r = att_policy_eval(p, NULL, &res, false, &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	/* What was added before the failure stays until released. */
	ATT_CHECK_EQ_INT(res.added.n, ATT_MAX_POLICY_CLAIMS);
	att_policy_result_release(&res);
	att_policy_free(p);
}

/* ---- claim sets ------------------------------------------------------------------ */

static void test_claimsets(void)
{
	static const struct {
		const char *json;
		const char *msg;
	} bad[] = {
		{"{}", "claims: expected an array of claim objects"},
		{"[1]", "claims[0]: expected an object"},
		{"[{\"type\":\"a\",\"value\":1,\"x\":2}]",
		 "claims[0]: unknown member 'x'"},
		{"[{\"value\":1}]", "claims[0]: \"type\" must be a non-empty string"},
		{"[{\"type\":\"\",\"value\":1}]",
		 "claims[0]: \"type\" must be a non-empty string"},
		{"[{\"type\":\"a\",\"value\":null}]",
		 "claims[0] (a): \"value\" must be a string, integer, boolean, "
		 "object or array"},
		{"[{\"type\":\"a\",\"value\":1.5}]",
		 "claims[0] (a): \"value\" must be a string, integer, boolean, "
		 "object or array"},
		{"[{\"type\":\"a\"}]",
		 "claims[0] (a): \"value\" must be a string, integer, boolean, "
		 "object or array"},
		{"[{\"type\":\"a\",\"value\":1},{\"type\":\"b\",\"value\":\"1\","
		 "\"valueType\":\"Integer\"}]",
		 "claims[1] (b): \"valueType\" does not match the value"},
		{"[{\"type\":\"a\",\"value\":1,\"valueType\":\"Float\"}]",
		 "claims[0] (a): \"valueType\" does not match the value"},
		{"[{\"type\":\"a\",\"value\":1,\"issuer\":5}]",
		 "claims[0]: \"issuer\" must be a string"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct att_claimset set;
		att_claimset_init(&set);
		json_t *keep = json_string("x");
		att_claimset_add(&set, "pre", keep, ATT_CLAIM_STRING, NULL);
		json_decref(keep);
		json_t *j = load(bad[i].json);
		struct att_diag d;
		att_diag_clear(&d);
		int r = att_claimset_from_json(&set, j, NULL, &d);
		ATT_CHECK_EQ_INT(r, ATT_ERR_FORMAT);
		ATT_CHECK_EQ_STR(att_diag_msg(&d), bad[i].msg);
		ATT_CHECK_EQ_INT(set.n, 1); /* unchanged */
		json_decref(j);
		att_claimset_release(&set);
	}

	/* Issuers, value types, JSON values; the array form round-trips. */
	json_t *j = load("[{\"type\":\"a\",\"value\":\"s\"},"
			 "{\"type\":\"b\",\"value\":7,\"valueType\":\"integer\"},"
			 "{\"type\":\"c\",\"value\":true,\"issuer\":\"CustomClaim\"},"
			 "{\"type\":\"d\",\"value\":{\"x\":[1]},\"valueType\":"
			 "\"String\"},{\"type\":\"b\",\"value\":[1,2]}]");
	struct att_claimset set;
	att_claimset_init(&set);
	ATT_CHECK_EQ_INT(att_claimset_from_json(&set, j, "DefaultIssuer", NULL), 0);
	ATT_CHECK_EQ_INT(set.n, 5);
	ATT_CHECK_EQ_STR(set.v[0].issuer, "DefaultIssuer");
	ATT_CHECK_EQ_STR(set.v[2].issuer, "CustomClaim");
	ATT_CHECK(set.v[1].vtype == ATT_CLAIM_INTEGER, "b is an Integer");
	ATT_CHECK(set.v[3].vtype == ATT_CLAIM_JSON, "d is JSON");
	json_t *arr = att_claimset_to_json(&set);
	struct att_claimset back;
	att_claimset_init(&back);
	ATT_CHECK_EQ_INT(att_claimset_from_json(&back, arr, NULL, NULL), 0);
	json_t *arr2 = att_claimset_to_json(&back);
	ATT_CHECK(json_equal(arr, arr2), "round trip");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 json_array_get(arr, 3), "valueType")),
			 "String");
	/* The token form: repeated types become arrays, in order, even when
	 * a value is itself an array. */
	json_t *obj = att_claimset_to_object(&set);
	json_t *want = load("{\"a\":\"s\",\"b\":[7,[1,2]],\"c\":true,"
			    "\"d\":{\"x\":[1]}}");
	ATT_CHECK(json_equal(obj, want), "token form");
	json_decref(want);
	json_decref(obj);
	json_decref(arr);
	json_decref(arr2);
	att_claimset_release(&back);
	att_claimset_release(&set);
	json_decref(j);

	/* att_claimset_add checks the value against its type. */
	att_claimset_init(&set);
	json_t *s = json_string("1");
	ATT_CHECK_EQ_INT(att_claimset_add(&set, "x", s, ATT_CLAIM_INTEGER, NULL),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_claimset_add_json(&set, "x", json_null(), NULL),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_claimset_add_json(&set, "x", s, NULL), 0);
	ATT_CHECK_EQ_STR(set.v[0].issuer, "AttestationService");
	json_decref(s);
	att_claimset_release(&set);
	att_claimset_release(NULL);
}

/* ---- errors and odd inputs ---------------------------------------------------------- */

static void test_eval_errors(void)
{
	struct att_policy_result res;
	ATT_CHECK_EQ_INT(att_policy_eval(NULL, NULL, &res, false, NULL),
			 ATT_ERR_INVALID_ARG);
	att_policy_result_release(&res);
	/* An error keeps the trace of the rules run before it. */
	struct att_policy *p = compile(
		"version=1.2;\nauthorizationrules { => permit(); };\n"
		"issuancerules {\n => add(type=\"a\", value=1);\n"
		" => add(type=\"b\", value=NegateBool(JsonToClaimValue(\"3\")));\n"
		" => add(type=\"c\", value=2);\n};");
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_policy_eval(p, NULL, &res, true, &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_POLICY_EVAL);
	ATT_CHECK_EQ_STR(att_diag_msg(&d),
			 "issuancerules rule 2 (line 5): NegateBool (line 5, "
			 "column 25): argument is an Integer; expected a Boolean");
	ATT_CHECK_EQ_INT(json_array_size(res.explain), 3);
	ATT_CHECK(!res.authorized, "authorized after an error");
	att_policy_result_release(&res);
	att_policy_free(p);
}

/* ---- concurrency -------------------------------------------------------------------- */

struct worker {
	const struct att_policy *p;
	const struct att_claimset *in;
	const char *want;
	int bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 300; i++) {
		struct att_policy_result res;
		int r = att_policy_eval(w->p, w->in, &res, i % 7 == 0, NULL);
		json_t *o = att_claimset_to_object(&res.issued);
		char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		if (r || !res.authorized || !s || strcmp(s, w->want))
			w->bad++;
		free(s);
		json_decref(o);
		att_policy_result_release(&res);
	}
	return NULL;
}

static void test_threads(void)
{
	const char *text = att_policy_default_text("SgxEnclave");
	struct att_policy *p = compile(text);
	struct att_claimset in;
	claims_from(&in, "[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":false},"
			 "{\"type\":\"x-ms-sgx-product-id\",\"value\":1},"
			 "{\"type\":\"x-ms-sgx-mrsigner\",\"value\":\"aa\"},"
			 "{\"type\":\"x-ms-sgx-mrenclave\",\"value\":\"bb\"},"
			 "{\"type\":\"x-ms-sgx-svn\",\"value\":2},"
			 "{\"type\":\"x-ms-attestation-type\",\"value\":\"sgx\"}]");
	const char *want = "{\"is-debuggable\":false,\"product-id\":1,"
			   "\"sgx-mrenclave\":\"bb\",\"sgx-mrsigner\":\"aa\","
			   "\"svn\":2,\"tee\":\"sgx\"}";
	struct worker w[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){p, &in, want, 0};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	int bad = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += w[i].bad;
	}
	ATT_CHECK_EQ_INT(bad, 0);
	/* The default is MAA's exact text (issue 12: the multi-line 1.1
	 * text with the azuredefault TCB identifier was not MAA's): its
	 * x-ms-policy-hash is the one real MAA SGX tokens carry
	 * (tests/vectors/maa/real-outputs/py-sgx-2022-0-78fcbd2e6dce.json),
	 * and it sets no configuration property. */
	char h[ATT_POLICY_HASH_LEN];
	ATT_CHECK_EQ_INT(att_policy_hash(h, text, strlen(text)), 0);
	ATT_CHECK_EQ_STR(h, "bROrN897ZfWmWY2V0FLUlu3uwk5xatGnKYHn3zBbSlw");
	struct att_policy_result res;
	ATT_CHECK_EQ_INT(att_policy_eval(p, &in, &res, false, NULL), 0);
	ATT_CHECK(json_object_get(res.properties, "x-ms-sgx-tcbidentifier") ==
			  NULL,
		  "the default sets no TCB identifier");
	att_policy_result_release(&res);
	att_claimset_release(&in);
	att_policy_free(p);
}

int main(void)
{
	test_explain();
	test_step_limit();
	test_claim_limit();
	test_claimsets();
	test_eval_errors();
	test_threads();
	return att_test_done();
}
