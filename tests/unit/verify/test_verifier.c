/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier (src/verify/verifier.h) with no HTTP: a real SGX quote of
 * tests/vectors (sgx/cases.json, sgx_dcapqvl_v3) and its collateral bundle,
 * imported into a real SQLite store, through att_verify_sgx at the case's
 * verify_at time. Checks the claims (measurements, TCB status), the policy
 * outcome (default policy, a draft that issues a claim, with its explain
 * trace, a draft that denies, one that does not compile, one over a
 * compile limit), the signer being called with the claims, the errors of
 * the failing steps (undecodable body, runtimeData that does not match,
 * an SGX quote on the TDX entry point) with their MAA codes, and the one
 * error table.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "collateral/service.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"
#include "store/store.h"
#include "verify/verifier.h"

#define CASE_QUOTE "sgx/quotes/dcapqvl_sgx_quote.bin"
#define CASE_BUNDLE "sgx/collateral/dcapqvl/sgx_quote_collateral.json"
#define CASE_AT "2025-07-01T00:00:00Z"
#define CASE_MRENCLAVE                                                         \
	"33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb"
#define CASE_STATUS "ConfigurationAndSWHardeningNeeded"

static char *quote_b64;
static int signs;

static int fake_sign(void *arg, json_t *claims, bool draft, char **token,
		     struct att_diag *d)
{
	(void)d;
	signs++;
	*(bool *)arg = draft;
	/* the claims the signer gets are final: jti placed */
	if (!json_is_string(json_object_get(claims, "jti")))
		return ATT_ERR_INTERNAL;
	*token = strdup("header.payload.signature");
	return *token ? 0 : ATT_ERR_NOMEM;
}

/* body makes {"quote": ..., extra} as text. */
static char *body(const char *extra)
{
	size_t n = strlen(quote_b64) + (extra ? strlen(extra) : 0) + 32;
	char *b = malloc(n);
	if (b)
		snprintf(b, n, "{\"quote\":\"%s\"%s%s}", quote_b64,
			 extra ? "," : "", extra ? extra : "");
	return b;
}

static int run(struct att_verifier *v, const char *text, bool tdx,
	       struct att_verify_result *res, bool *draft)
{
	struct att_verify_req rq = {
		.body = (const uint8_t *)text,
		.body_len = strlen(text),
		.provider = "default",
		.now = 1700000000, /* the verifier's verify_time wins */
		.explain = true,
		.sign = draft ? fake_sign : NULL,
		.sign_arg = draft,
	};
	rq.limits = (struct att_policy_limits){.max_rules = 100,
					       .max_jmespath = 100,
					       .max_nesting = 16};
	rq.budget = (struct att_policy_budget){
		.steps = 100000, .bytes = 1 << 20, .ms = 1000};
	return tdx ? att_verify_tdx(v, &rq, res) : att_verify_sgx(v, &rq, res);
}

static const char *claim(const struct att_verify_result *res, const char *k)
{
	return json_string_value(json_object_get(res->claims, k));
}

static void test_default_policy(struct att_verifier *v)
{
	struct att_verify_result res;
	bool draft = true;
	char *b = body(NULL);
	att_verify_result_init(&res);
	signs = 0;
	int r = run(v, b, false, &res, &draft);
	ATT_CHECK(r == 0, "default policy: %d %s", r, res.msg);
	ATT_CHECK_EQ_STR(claim(&res, "x-ms-attestation-type"), "sgx");
	ATT_CHECK_EQ_STR(claim(&res, "x-ms-sgx-mrenclave"), CASE_MRENCLAVE);
	ATT_CHECK_EQ_STR(claim(&res, "x-attestd-tcb-status"), CASE_STATUS);
	ATT_CHECK_EQ_STR(claim(&res, "x-attestd-verify-time-override"), CASE_AT);
	ATT_CHECK(json_is_string(json_object_get(res.claims, "x-ms-policy-hash")),
		  "policy hash claim");
	ATT_CHECK(res.authorized, "the default policy authorizes");
	ATT_CHECK(res.policy.explain != NULL, "explain trace kept");
	ATT_CHECK_EQ_STR(res.token, "header.payload.signature");
	ATT_CHECK(signs == 1 && !draft, "signed once, not as a draft");
	att_verify_result_release(&res);
	free(b);
}

static void test_no_signer(struct att_verifier *v)
{
	struct att_verify_result res;
	char *b = body("\"nonce\":\"n-1\"");
	att_verify_result_init(&res);
	int r = run(v, b, false, &res, NULL);
	ATT_CHECK(r == 0, "claims only: %d %s", r, res.msg);
	ATT_CHECK(res.token == NULL, "no signer, no token");
	ATT_CHECK_EQ_STR(claim(&res, "nonce"), "n-1");
	ATT_CHECK(json_is_string(json_object_get(res.claims, "jti")), "jti");
	att_verify_result_release(&res);
	free(b);
}

static void test_draft_issue(struct att_verifier *v)
{
	struct att_verify_result res;
	bool draft = false;
	char *b = body("\"draftPolicyForAttestation\":\"version= 1.0; "
		       "authorizationrules { => permit(); }; issuancerules { "
		       "=> issue(type=\\\"color\\\", value=\\\"blue\\\"); };\"");
	att_verify_result_init(&res);
	int r = run(v, b, false, &res, &draft);
	ATT_CHECK(r == 0, "draft: %d %s", r, res.msg);
	ATT_CHECK_EQ_STR(claim(&res, "color"), "blue");
	json_t *pol = json_object_get(res.claims, "x-ms-policy");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(pol, "color")),
			 "blue");
	ATT_CHECK(draft, "signer told it is a draft");
	att_verify_result_release(&res);
	free(b);
}

static void expect_fail(struct att_verifier *v, const char *extra, bool tdx,
			int err, int status, const char *code,
			const char *msg_part)
{
	struct att_verify_result res;
	bool draft = false;
	char *b = extra && !strcmp(extra, "!") ? strdup("{\"quote\": 12}")
					       : body(extra);
	att_verify_result_init(&res);
	int r = run(v, b, tdx, &res, &draft);
	ATT_CHECK(r == err && res.err == err, "%s: %d, expected %d (%s)",
		  code, r, err, res.msg);
	ATT_CHECK_EQ_INT(res.http_status, status);
	ATT_CHECK_EQ_STR(res.maa_code, code);
	ATT_CHECK(strstr(res.msg, msg_part) != NULL, "'%s' not in '%s'",
		  msg_part, res.msg);
	att_verify_result_release(&res);
	free(b);
}

static void test_failures(struct att_verifier *v)
{
	expect_fail(v, "!", false, ATT_ERR_FORMAT, 400, "InvalidParameter",
		    "\"quote\" must be a base64url string");
	expect_fail(v,
		    "\"runtimeData\":{\"data\":\"AAEC\",\"dataType\":"
		    "\"Binary\"}",
		    false, ATT_ERR_MISMATCH, 400, "InvalidParameter",
		    "runtimeData does not match the quote");
	expect_fail(v, NULL, true, ATT_ERR_MISMATCH, 400, "InvalidParameter",
		    "/attest/TdxVm takes TDX quotes; the quote is SGX");
	expect_fail(v,
		    "\"draftPolicyForAttestation\":\"version= 1.0; "
		    "authorizationrules { => deny(); };\"",
		    false, ATT_ERR_POLICY_DENY, 400, "PolicyEvaluationError",
		    "A Deny claim was issued");
	expect_fail(v,
		    "\"draftPolicyForAttestation\":\"version= 1.0; "
		    "authorizationrules { => permit() };\"",
		    false, ATT_ERR_POLICY_SYNTAX, 400, "PolicyParsingError",
		    "draftPolicyForAttestation: line 1");
}

static void test_table(void)
{
	const char *code = NULL;
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_NOMEM, "X", &code), 500);
	ATT_CHECK_EQ_STR(code, "InternalError");
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_STORE, NULL, &code), 500);
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_NETWORK, "X", &code),
			 503);
	ATT_CHECK_EQ_STR(code, "ServiceUnavailable");
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_TIMEOUT, "X", &code),
			 503);
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_FORMAT, NULL, &code),
			 400);
	ATT_CHECK_EQ_STR(code, "InvalidParameter");
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_LIMIT,
						"PolicyEvaluationError", &code),
			 400);
	ATT_CHECK_EQ_STR(code, "PolicyEvaluationError");
	ATT_CHECK_EQ_STR(att_policy_limit_name(ATT_POLICY_LIMIT_STEPS),
			 "limits.policy_eval_steps");
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	const char *td = att_testdata();
	char path[4400], dir[] = "/tmp/att_verifier_XXXXXX", db[4200];
	struct att_diag d = {0};
	struct att_store *st = NULL;
	struct att_verifier *v = NULL;
	struct att_verifier_cfg cfg = {0};
	struct att_collateral_opts co = {0};
	size_t qlen = 0;
	int64_t at = 0;
	test_table();
	ATT_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(db, sizeof(db), "%s/attestd.db", dir);
	snprintf(path, sizeof(path), "%s/%s", td, CASE_QUOTE);
	uint8_t *q = att_read_file(path, &qlen);
	ATT_CHECK(q && qlen > 0, "read %s", path);
	quote_b64 = q ? att_b64url_encode(q, qlen) : NULL;
	ATT_CHECK(att_time_parse(&at, CASE_AT) == 0, "time");
	ATT_CHECK(att_store_open_sqlite(&st, db, &d) == 0, "store: %s",
		  att_diag_msg(&d));
	co.store = st;
	cfg.store = st;
	cfg.verify_time = at;
	int r = att_collateral_svc_new(&cfg.collateral, &co, &d);
	ATT_CHECK(r == 0, "collateral service: %s", att_diag_msg(&d));
	snprintf(path, sizeof(path), "%s/%s", td, CASE_BUNDLE);
	if (!r)
		r = att_collateral_svc_import(cfg.collateral, path, at, NULL,
					      &d);
	ATT_CHECK(r == 0, "import %s: %s", path, att_diag_msg(&d));
	if (!r)
		r = att_dcap_trust_new_intel(&cfg.trust);
	if (!r)
		r = att_dcap_cache_new(&cfg.dcap_cache, 16);
	if (!r)
		r = att_verifier_new(&v, &cfg, &d);
	ATT_CHECK(r == 0 && v, "verifier: %s", att_diag_msg(&d));
	if (v && quote_b64) {
		test_default_policy(v);
		test_no_signer(v);
		test_draft_issue(v);
		test_failures(v);
	}
	if (v)
		att_verifier_free(v);
	else {
		att_collateral_svc_free(cfg.collateral);
		att_dcap_trust_free(cfg.trust);
		att_dcap_cache_free(cfg.dcap_cache);
	}
	att_store_close(st);
	free(quote_b64);
	free(q);
	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
	rmdir(dir);
	return att_test_done();
}
