/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/SevSnpVm without HTTP (src/verify/snp.c): the real request
 * of MAA's REST API example (tests/vectors/maa/spec-examples, stable
 * 2025-06-01 and preview 2022-09-01 AttestSevSnpVm.json) through
 * att_verify_snp at a time inside the VCEK's validity, against AMD's
 * pinned roots. Checks every x-ms-sevsnpvm-* claim of the real token
 * (decoded/stable-2025-06-01_AttestSevSnpVm/response_claims.json and
 * response_claim_types.json) for name, JSON type and value, the default
 * policy's x-ms-policy-hash against the real token's, the body shapes
 * (2025-06-01 and 2022-08-01 body, the preview example's unpadded
 * runtimeData, a literal {"request": ...} wrapper, a raw report), and
 * the refusals with their steps: runtimeData or initTimeData that do not
 * match, REPORT_DATA[32..63] not zero, a tampered report, an expired
 * VCEK, no VCEK, a minimum TCB above the report's, a draft that denies.
 * Then the request decoder on every prefix and on single-byte mutations
 * of the body (never a crash, never success on a truncated body).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "collateral/kds.h"
#include "crypto/digest.h"
#include "evidence/snp/snp.h"
#include "harness/tap.h"
#include "store/store.h"
#include "verify/snp.h"
#include "verify/verifier.h"

#define EX_DIR "maa/spec-examples/specs/Attestation"
#define EX_STABLE EX_DIR "/stable/2025-06-01/examples/AttestSevSnpVm.json"
#define EX_PREVIEW                                                             \
	EX_DIR "/preview/2022-09-01-preview/examples/AttestSevSnpVm.json"
#define DEC_DIR "maa/spec-examples/decoded/stable-2025-06-01_AttestSevSnpVm"
#define AT "2022-09-21T21:47:31Z" /* the real token's iat */

static struct att_store *store;

static json_t *load_json(const char *rel)
{
	char path[2048];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/%s", att_testdata(), rel);
	json_t *j = json_load_file(path, 0, &je);
	ATT_CHECK(j != NULL, "load %s: %s", path, j ? "" : je.text);
	return j;
}

/* example_body returns the request body of an example file as text. */
static char *example_body(const char *rel, const char *member)
{
	json_t *ex = load_json(rel);
	json_t *b = json_object_get(json_object_get(ex, "parameters"), member);
	char *t = b ? json_dumps(b, JSON_COMPACT) : NULL;
	ATT_CHECK(t != NULL, "%s: parameters.%s", rel, member);
	json_decref(ex);
	return t;
}

static int run(struct att_verifier *v, const char *text,
	       const struct att_snp_appraisal *ap,
	       struct att_verify_result *res)
{
	struct att_verify_req rq = {
		.body = (const uint8_t *)text,
		.body_len = strlen(text),
		.provider = "default",
		.now = 1700000000, /* the verifier's verify_time wins */
		.explain = true,
		.snp = ap,
	};
	rq.limits = (struct att_policy_limits){
		.max_rules = 100, .max_jmespath = 100, .max_nesting = 16};
	rq.budget = (struct att_policy_budget){
		.steps = 100000, .bytes = 1 << 20, .ms = 1000};
	att_verify_result_init(res);
	return att_verify_snp(v, &rq, res);
}

static const char *type_of(json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

/* check_real_claims compares the claims with the real token's. */
static void check_real_claims(json_t *c)
{
	json_t *types = load_json(DEC_DIR "/response_claim_types.json");
	json_t *want = load_json(DEC_DIR "/response_claims.json");
	const char *k;
	json_t *t;
	int n = 0;
	json_object_foreach(types, k, t)
	{
		if (strncmp(k, "x-ms-sevsnpvm-", 14))
			continue;
		n++;
		json_t *got = json_object_get(c, k);
		ATT_CHECK(got != NULL, "claim %s missing", k);
		if (!got)
			continue;
		ATT_CHECK(!strcmp(type_of(got), json_string_value(t)),
			  "%s: %s, the real token has %s", k, type_of(got),
			  json_string_value(t));
		ATT_CHECK(json_equal(got, json_object_get(want, k)),
			  "%s differs from the real token's", k);
	}
	ATT_CHECK_EQ_INT(n, 17);
	/* and no x-ms-sevsnpvm-* claim the real token does not have */
	json_object_foreach(c, k, t)
	if (!strncmp(k, "x-ms-sevsnpvm-", 14))
		ATT_CHECK(json_object_get(types, k) != NULL,
			  "claim %s is not in the real token", k);
	static const char *const same[] = {"x-ms-attestation-type", "x-ms-ver",
					   "x-ms-runtime", "x-ms-policy-hash",
					   "nonce"};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		ATT_CHECK(json_equal(json_object_get(c, same[i]),
				     json_object_get(want, same[i])),
			  "%s differs from the real token's", same[i]);
	json_decref(types);
	json_decref(want);
}

static void test_real_example(struct att_verifier *v, const char *body)
{
	struct att_verify_result res;
	int r = run(v, body, NULL, &res);
	ATT_CHECK(r == 0, "real example: %d %s", r, res.msg);
	ATT_CHECK(res.authorized, "authorized");
	if (!r) {
		check_real_claims(res.claims);
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(
					 res.claims, "x-attestd-sevsnp-product")),
				 "Milan");
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(
					 res.claims, "x-attestd-sevsnp-signer")),
				 "VCEK");
		ATT_CHECK_EQ_STR(
			json_string_value(json_object_get(
				res.claims, "x-attestd-sevsnp-vek-source")),
			"VcekCertChain");
		ATT_CHECK(json_integer_value(json_object_get(
				  res.claims, "x-attestd-sevsnp-report-version")) ==
				  1,
			  "report version 1");
		json_t *tcb = json_object_get(res.claims,
					      "x-attestd-sevsnp-reported-tcb");
		ATT_CHECK(json_integer_value(json_object_get(tcb, "microcode")) ==
				  40,
			  "reported TCB microcode 40");
		json_t *pol = json_object_get(res.claims,
					      "x-attestd-sevsnp-policy");
		ATT_CHECK(json_is_true(json_object_get(pol, "smt")) &&
				  json_is_false(json_object_get(pol, "debug")),
			  "policy bits");
		ATT_CHECK(json_is_string(json_object_get(
				  res.claims, "x-attestd-verify-time-override")),
			  "override reported");
	}
	att_verify_result_release(&res);
}

/* with_member returns body with member k replaced by v (a JSON text). */
static char *with_member(const char *body, const char *k, const char *v)
{
	json_t *b = json_loads(body, 0, NULL);
	json_t *x = json_loads(v, JSON_DECODE_ANY, NULL);
	json_object_set_new(b, k, x);
	char *t = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return t;
}

static char *b64_json(const char *text)
{
	char *e = att_b64url_encode((const uint8_t *)text, strlen(text));
	size_t n = strlen(e) + 3;
	char *q = malloc(n);
	snprintf(q, n, "\"%s\"", e);
	free(e);
	return q;
}

static void expect_fail(struct att_verifier *v, const char *what,
			const char *body, const struct att_snp_appraisal *ap,
			int err, const char *code, const char *needle)
{
	struct att_verify_result res;
	int r = run(v, body, ap, &res);
	ATT_CHECK(r == err, "%s: %d (want %d) %s", what, r, err, res.msg);
	ATT_CHECK(res.http_status == 400, "%s: status %d", what,
		  res.http_status);
	ATT_CHECK(res.maa_code && !strcmp(res.maa_code, code),
		  "%s: code %s", what, res.maa_code ? res.maa_code : "-");
	ATT_CHECK(strstr(res.msg, needle) != NULL, "%s: \"%s\" lacks \"%s\"",
		  what, res.msg, needle);
	att_verify_result_release(&res);
}

/* report_doc rebuilds "report" from the decoded report and chain. */
static char *report_member(const uint8_t *rep, size_t len, bool chain)
{
	size_t cl = 0;
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s/vcek_chain.pem", att_testdata(),
		 DEC_DIR);
	uint8_t *pem = att_read_file(path, &cl);
	char *r64 = att_b64url_encode(rep, len);
	char *c64 = pem ? att_b64url_encode(pem, cl) : NULL;
	json_t *doc = chain ? json_pack("{s:s, s:s}", "SnpReport", r64,
					"VcekCertChain", c64)
			    : json_pack("{s:s}", "SnpReport", r64);
	char *text = json_dumps(doc, JSON_COMPACT);
	char *out = b64_json(text);
	free(text);
	json_decref(doc);
	free(r64);
	free(c64);
	free(pem);
	return out;
}

static void test_refusals(struct att_verifier *v, const char *body)
{
	char path[2048];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/%s/snp_report.bin", att_testdata(),
		 DEC_DIR);
	uint8_t *rep = att_read_file(path, &len);
	ATT_CHECK(rep && len == ATT_SNP_REPORT_LEN, "read %s", path);
	if (!rep || len != ATT_SNP_REPORT_LEN)
		return;

	char *rt = b64_json("{\"keys\":[]}");
	char *data = malloc(strlen(rt) + 64);
	snprintf(data, strlen(rt) + 64, "{\"data\":%s,\"dataType\":\"JSON\"}",
		 rt);
	char *b = with_member(body, "runtimeData", data);
	expect_fail(v, "runtimeData mismatch", b, NULL, ATT_ERR_MISMATCH,
		    "InvalidParameter", "REPORT_DATA[0..31]");
	free(b);
	b = with_member(body, "initTimeData", data);
	expect_fail(v, "initTimeData mismatch", b, NULL, ATT_ERR_MISMATCH,
		    "InvalidParameter", "HOST_DATA");
	free(b);
	free(data);
	free(rt);

	/* a tampered byte of the signed part: the signature step */
	rep[ATT_SNP_OFF_MEASUREMENT] ^= 1;
	char *m = report_member(rep, len, true);
	b = with_member(body, "report", m);
	struct att_verify_result res;
	int r = run(v, b, NULL, &res);
	ATT_CHECK(r != 0 && res.http_status == 400 &&
			  strstr(res.msg, "SEV-SNP report verification failed"),
		  "tampered report: %d %d %s", r, res.http_status, res.msg);
	att_verify_result_release(&res);
	free(b);
	free(m);
	rep[ATT_SNP_OFF_MEASUREMENT] ^= 1;

	/* no VcekCertChain, no table, no KDS */
	m = report_member(rep, len, false);
	b = with_member(body, "report", m);
	expect_fail(v, "no VCEK", b, NULL, ATT_ERR_NOT_FOUND,
		    "InvalidParameter", "no VCEK");
	free(b);
	free(m);

	/* a minimum TCB above the report's (microcode 40) */
	struct att_snp_appraisal ap = {.max_vmpl = 3, .has_min_tcb = true};
	att_snp_tcb_decode(&ap.min_tcb, 0x2900000000000000ull, ATT_SNP_MILAN);
	r = run(v, body, &ap, &res);
	ATT_CHECK(r != 0 && res.http_status == 400, "min TCB: %d %s", r,
		  res.msg);
	att_verify_result_release(&res);

	/* a draft policy that denies, and one that issues */
	b = with_member(body, "draftPolicyForAttestation",
			"\"version=1.0;authorizationrules{c:[type=="
			"\\\"x-ms-sevsnpvm-vmpl\\\", value==1] => permit();};\"");
	expect_fail(v, "draft deny", b, NULL, ATT_ERR_POLICY_DENY,
		    "PolicyEvaluationError", "Deny");
	free(b);
	b = with_member(body, "draftPolicyForAttestation",
			"\"version=1.0;authorizationrules{=> permit();};"
			"issuancerules{c:[type==\\\"x-ms-sevsnpvm-"
			"microcode-svn\\\"] => issue(type=\\\"ucode\\\", "
			"value=c.value);};\"");
	r = run(v, b, NULL, &res);
	ATT_CHECK(r == 0 && res.draft &&
			  json_integer_value(json_object_get(res.claims,
							     "ucode")) == 40,
		  "draft issue: %d %s", r, res.msg);
	att_verify_result_release(&res);
	free(b);
	free(rep);
}

/* test_expired: the same request a day after the VCEK's notAfter. */
static void test_expired(const char *body)
{
	struct att_verifier *v = NULL;
	struct att_verifier_cfg cfg = {.store = store};
	struct att_diag d = {0};
	ATT_CHECK(att_time_parse(&cfg.verify_time, "2028-01-26T23:08:13Z") ==
			  0,
		  "time");
	ATT_CHECK(att_verifier_new(&v, &cfg, &d) == 0, "verifier: %s",
		  att_diag_msg(&d));
	struct att_verify_result res;
	int r = v ? run(v, body, NULL, &res) : -1;
	ATT_CHECK(r != 0 && res.http_status == 400 &&
			  strstr(res.msg, "SEV-SNP report verification failed"),
		  "expired VCEK: %d %s", r, res.msg);
	att_verify_result_release(&res);
	att_verifier_free(v);
}

/* test_kds: a report without chain goes to the KDS client (offline here:
 * nothing stored, nothing fetched); a version 1 report names no product. */
static void test_kds(const char *body)
{
	struct att_verifier *v = NULL;
	struct att_verifier_cfg cfg = {.store = store};
	struct att_kds_opts ko = {.store = store, .offline = true};
	struct att_diag d = {0};
	ATT_CHECK(att_time_parse(&cfg.verify_time, AT) == 0, "time");
	ATT_CHECK(att_kds_new(&cfg.kds, &ko, &d) == 0, "kds: %s",
		  att_diag_msg(&d));
	ATT_CHECK(att_verifier_new(&v, &cfg, &d) == 0, "verifier: %s",
		  att_diag_msg(&d));
	if (!v) {
		att_kds_free(cfg.kds);
		return;
	}
	json_t *b = json_loads(body, 0, NULL);
	json_t *rep = NULL;
	uint8_t *doc = NULL;
	size_t n = 0;
	const char *r64 = json_string_value(json_object_get(b, "report"));
	if (r64 && att_b64_decode(&doc, &n, r64, strlen(r64)) == 0)
		rep = json_loadb((const char *)doc, n, 0, NULL);
	json_object_set(b, "report", json_object_get(rep, "SnpReport"));
	char *raw = json_dumps(b, JSON_COMPACT);
	expect_fail(v, "v1 report to KDS", raw, NULL, ATT_ERR_NOT_FOUND,
		    "InvalidParameter", "does not name its product");
	struct att_snp_appraisal ap = {.max_vmpl = 3,
				       .product = ATT_SNP_MILAN};
	expect_fail(v, "KDS offline, nothing stored", raw, &ap,
		    ATT_ERR_NOT_FOUND, "InvalidParameter", "KDS");
	free(raw);
	free(doc);
	json_decref(rep);
	json_decref(b);
	att_verifier_free(v);
}

/* test_binding_rule: REPORT_DATA[32..63] must be zero. */
static void test_binding_rule(void)
{
	struct att_snp_request rq;
	struct att_snp_report rep;
	struct att_diag d = {0};
	memset(&rq, 0, sizeof(rq));
	memset(&rep, 0, sizeof(rep));
	static const uint8_t data[] = "{}";
	rq.runtime.present = true;
	rq.runtime.bytes = (uint8_t *)data;
	rq.runtime.len = 2;
	att_sha256(rep.report_data, data, 2);
	ATT_CHECK_EQ_INT(att_snp_binding_check(&rq, &rep, &d), 0);
	rep.report_data[63] = 1;
	ATT_CHECK_EQ_INT(att_snp_binding_check(&rq, &rep, &d),
			 ATT_ERR_MISMATCH);
	ATT_CHECK(strstr(att_diag_msg(&d), "[32..63]") != NULL, "%s",
		  att_diag_msg(&d));
	rq.runtime.present = false; /* no runtimeData: nothing bound */
	ATT_CHECK_EQ_INT(att_snp_binding_check(&rq, &rep, &d), 0);
}

/* test_shapes: the api versions' bodies and the tolerated variants. */
static void test_shapes(struct att_verifier *v, const char *stable)
{
	char *pex = example_body(EX_PREVIEW, "request");
	char *pre = pex ? with_member(pex, "nonce", "\"noncesevsnp987\"")
			: NULL;
	free(pex);
	ATT_CHECK(pre && strstr(pre, "\"report\""), "preview body");
	if (pre)
		test_real_example(v, pre);
	size_t n = strlen(stable) + 16;
	char *wrapped = malloc(n);
	snprintf(wrapped, n, "{\"request\":%s}", stable);
	struct att_snp_request rq;
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_snp_request_decode(&rq, (const uint8_t *)wrapped,
						strlen(wrapped), &d),
			 0);
	ATT_CHECK(rq.wrapped && rq.chain_pem && rq.runtime.is_json &&
			  rq.nonce && !strcmp(rq.nonce, "noncesevsnp987"),
		  "wrapped body decoded");
	att_snp_request_release(&rq);
	test_real_example(v, wrapped);
	free(wrapped);
	free(pre);
	/* "report" as the raw report: decoded, no chain */
	char path[2048];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/%s/snp_report.bin", att_testdata(),
		 DEC_DIR);
	uint8_t *rep = att_read_file(path, &len);
	char *r64 = rep ? att_b64url_encode(rep, len) : NULL;
	char *body = malloc(len * 2 + 32);
	snprintf(body, len * 2 + 32, "{\"report\":\"%s\"}", r64 ? r64 : "");
	ATT_CHECK_EQ_INT(att_snp_request_decode(&rq, (const uint8_t *)body,
						strlen(body), &d),
			 0);
	ATT_CHECK(rq.raw_report && rq.report_len == ATT_SNP_REPORT_LEN &&
			  !rq.chain_pem,
		  "raw report");
	att_snp_request_release(&rq);
	free(body);
	free(r64);
	free(rep);
}

/* test_decode_robust: every prefix of the body fails to decode; single
 * byte mutations never crash (ASan) and leave nothing allocated. */
static void test_decode_robust(const char *body)
{
	size_t n = strlen(body);
	struct att_snp_request rq;
	struct att_diag d = {0};
	int ok = 0;
	for (size_t k = 0; k < n; k++) {
		if (att_snp_request_decode(&rq, (const uint8_t *)body, k, &d) ==
		    0)
			ok++;
		att_snp_request_release(&rq);
		att_diag_clear(&d);
	}
	ATT_CHECK_EQ_INT(ok, 0);
	char *m = strdup(body);
	int decoded = 0;
	for (size_t k = 0; k < n; k += 7) {
		char save = m[k];
		m[k] = (char)(save ^ 0x41);
		if (att_snp_request_decode(&rq, (const uint8_t *)m, n, &d) == 0)
			decoded++;
		att_snp_request_release(&rq);
		att_diag_clear(&d);
		m[k] = save;
	}
	ATT_CHECK(decoded < (int)(n / 7), "mutations: %d of %zu decoded",
		  decoded, n / 7);
	free(m);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	struct att_verifier *v = NULL;
	struct att_verifier_cfg cfg = {0};
	struct att_diag d = {0};
	char dir[] = "/tmp/att_snp_XXXXXX", db[64];
	ATT_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(db, sizeof(db), "%s/attestd.db", dir);
	ATT_CHECK(att_store_open_sqlite(&store, db, &d) == 0, "store: %s",
		  att_diag_msg(&d));
	cfg.store = store;
	ATT_CHECK(att_time_parse(&cfg.verify_time, AT) == 0, "time");
	int r = att_verifier_new(&v, &cfg, &d);
	ATT_CHECK(r == 0, "verifier with AMD's roots: %s", att_diag_msg(&d));
	/* The example's body has no nonce but its token carries
	 * "noncesevsnp987": the request that made it sent one. */
	char *ex = example_body(EX_STABLE, "body");
	char *body = ex ? with_member(ex, "nonce", "\"noncesevsnp987\"")
			: NULL;
	free(ex);
	if (!r && body) {
		test_real_example(v, body);
		test_shapes(v, body);
		test_refusals(v, body);
		test_expired(body);
		test_kds(body);
		test_decode_robust(body);
	}
	test_binding_rule();
	free(body);
	att_verifier_free(v);
	att_store_close(store);
	unlink(db);
	rmdir(dir);
	return att_test_done();
}
