/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The whole verifier of libattest (attest/verify.h: att_verify_ctx_new,
 * att_verify_ctx_import, att_verify_attest, att_verify_http_status) on a
 * real MAA request: the Intel DCAP QVL sample SGX quote of tests/vectors
 * with its collateral bundle imported into an in-memory store, at the
 * case's verification time. A caller's policy authorizes it and issues a
 * claim; another denies it; a signed token verifies with the caller's
 * key; a draft policy in the body is refused unless allowed; every
 * prefix and many one-byte mutations of the body fail cleanly with an
 * MAA code whose status the table gives; the table itself. SevSnpVm:
 * MAA's real Azure example request (tests/vectors/maa/spec-examples,
 * stable 2025-06-01 AttestSevSnpVm.json) at its token's iat, against
 * AMD's built-in Milan ARK; without AMD's roots it is refused; AMD's
 * Milan ARK given as the caller's extra ARK makes it pass again; a bad
 * extra ARK is refused at set-up.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/token.h"
#include "attest/verify.h"
#include "codec/b64.h"
#include "harness/tap.h"

#define AT 1751328000 /* 2025-07-01T00:00:00Z, the case's verify_at */
#define MRENCLAVE                                                              \
	"33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb"

static const char *td;
static char *body;
static size_t body_len;

static const char permit_mre[] =
	"version=1.0;\n"
	"authorizationrules {\n"
	"  c:[type==\"x-ms-sgx-mrenclave\", value==\"" MRENCLAVE "\"]"
	" => permit();\n"
	"};\n"
	"issuancerules {\n"
	"  c:[type==\"x-ms-sgx-mrenclave\"] =>"
	" issue(type=\"enclave\", value=c.value);\n"
	"};\n";

static const char deny_other[] =
	"version=1.0;\n"
	"authorizationrules {\n"
	"  c:[type==\"x-ms-sgx-mrenclave\", value==\"00\"] => permit();\n"
	"};\n";

/* make_body: {"quote": b64url(quote)} from the case's quote file. */
static void make_body(void)
{
	char p[2048];
	size_t ql = 0;
	snprintf(p, sizeof(p), "%s/sgx/quotes/dcapqvl_sgx_quote.bin", td);
	unsigned char *q = att_read_file(p, &ql);
	ATT_CHECK(q != NULL, "read %s", p);
	char *b64 = q ? att_b64url_encode(q, ql) : NULL;
	ATT_CHECK(b64 != NULL, "base64url of the quote");
	json_t *j = json_pack("{s:s}", "quote", b64 ? b64 : "");
	body = json_dumps(j, JSON_COMPACT);
	body_len = body ? strlen(body) : 0;
	json_decref(j);
	free(b64);
	free(q);
}

static struct att_verify_ctx *make_ctx(void)
{
	struct att_verify_ctx *v = NULL;
	struct att_verify_ctx_opts o = {.verify_time = AT};
	char err[512] = "", p[2048];
	ATT_CHECK_EQ_INT(att_verify_ctx_new(&v, &o, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/sgx/collateral/dcapqvl/"
		 "sgx_quote_collateral.json", td);
	int rc = v ? att_verify_ctx_import(v, p, AT, err, sizeof(err)) : -22;
	ATT_CHECK(rc == 0, "import: %d %s", rc, err);
	return v;
}

static json_t *run(struct att_verify_ctx *v, const char *type,
		   const struct att_verify_attest_opts *o, int want_rc,
		   const char **code)
{
	char err[512] = "", *out = NULL;
	int rc = att_verify_attest(v, type, (const uint8_t *)body, body_len, o,
				   &out, code, err, sizeof(err));
	ATT_CHECK(rc == want_rc, "att_verify_attest: %d (%s), want %d", rc,
		  err, want_rc);
	ATT_CHECK((rc == 0) == (out != NULL), "JSON exactly on success");
	ATT_CHECK(rc == 0 || strlen(err) > 0, "error named");
	json_t *j = out ? json_loads(out, 0, NULL) : NULL;
	att_verify_free_text(out);
	return j;
}

static void test_authorized(struct att_verify_ctx *v)
{
	struct att_verify_attest_opts o = {
		.policy = permit_mre, .policy_len = strlen(permit_mre),
		.now = AT, .explain = 1};
	json_t *j = run(v, "SgxEnclave", &o, 0, NULL);
	json_t *c = json_object_get(j, "claims");
	ATT_CHECK(json_is_true(json_object_get(j, "authorized")), "authorized");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 c, "x-ms-sgx-mrenclave")), MRENCLAVE);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(c, "enclave")),
			 MRENCLAVE);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 c, "x-ms-attestation-type")), "sgx");
	json_t *pol = json_object_get(j, "policy");
	ATT_CHECK(json_is_array(json_object_get(pol, "explain")) &&
			  json_array_size(json_object_get(pol, "explain")) > 0,
		  "explain trace");
	ATT_CHECK(json_is_null(json_object_get(pol, "deny")), "no deny");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(pol, "hash")),
			 json_string_value(json_object_get(c,
							   "x-ms-policy-hash")));
	char hash[ATT_VERIFY_POLICY_HASH_LEN];
	ATT_CHECK_EQ_INT(att_verify_policy_hash(hash, permit_mre,
						strlen(permit_mre)), 0);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(pol, "hash")), hash);
	ATT_CHECK(json_object_get(j, "token") == NULL, "no token unasked");
	ATT_CHECK(json_object_get(j, "draft") == NULL, "not a draft");
	json_decref(j);

	/* the type is matched without case; the default policy permits */
	o.policy = NULL;
	o.explain = 0;
	j = run(v, "sgxenclave", &o, 0, NULL);
	ATT_CHECK(json_is_true(json_object_get(j, "authorized")),
		  "default policy authorizes");
	ATT_CHECK(json_object_get(json_object_get(j, "policy"), "explain") ==
			  NULL,
		  "no explain unasked");
	json_decref(j);
}

static void test_denied(struct att_verify_ctx *v)
{
	struct att_verify_attest_opts o = {
		.policy = deny_other, .policy_len = strlen(deny_other),
		.now = AT};
	json_t *j = run(v, "SgxEnclave", &o, 0, NULL);
	ATT_CHECK(json_is_false(json_object_get(j, "authorized")), "denied");
	ATT_CHECK(json_is_string(json_object_get(json_object_get(j, "policy"),
						 "deny")),
		  "deny reason");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 json_object_get(j, "claims"),
				 "x-ms-sgx-mrenclave")),
			 MRENCLAVE);
	json_decref(j);
}

static void test_errors(struct att_verify_ctx *v)
{
	const char *code = NULL;
	struct att_verify_attest_opts o = {.now = AT};
	/* an SGX quote is not a TDX quote */
	run(v, "TdxVm", &o, ATT_ERR_MISMATCH, &code);
	ATT_CHECK_EQ_STR(code, "InvalidParameter");
	/* unknown type */
	run(v, "Foo", &o, ATT_ERR_UNSUPPORTED, &code);
	ATT_CHECK_EQ_STR(code, "InvalidParameter");
	/* a policy that does not compile: PolicyParsingError, line named */
	o.policy = "version=1.0; authorizationrules { => permit() };";
	o.policy_len = strlen(o.policy);
	char err[512] = "";
	int rc = att_verify_attest(v, "SgxEnclave", (const uint8_t *)body,
				   body_len, &o, NULL, &code, err, sizeof(err));
	ATT_CHECK(rc == ATT_ERR_POLICY_SYNTAX, "syntax: %d %s", rc, err);
	ATT_CHECK_EQ_STR(code, "PolicyParsingError");
	ATT_CHECK(strstr(err, "line 1") != NULL, "position: %s", err);
	/* years later the collateral has expired (no fixed time) */
	struct att_verify_ctx *live = NULL;
	char p[2048];
	snprintf(p, sizeof(p), "%s/sgx/collateral/dcapqvl/"
		 "sgx_quote_collateral.json", td);
	ATT_CHECK_EQ_INT(att_verify_ctx_new(&live, NULL, err, sizeof(err)), 0);
	ATT_CHECK_EQ_INT(att_verify_ctx_import(live, p, AT, err, sizeof(err)),
			 0);
	struct att_verify_attest_opts late = {.now = AT + 3 * 365 * 86400};
	rc = att_verify_attest(live, "SgxEnclave", (const uint8_t *)body,
			       body_len, &late, NULL, &code, err, sizeof(err));
	ATT_CHECK(rc == ATT_ERR_EXPIRED, "expired: %d %s", rc, err);
	ATT_CHECK_EQ_STR(code, "InvalidParameter");
	att_verify_ctx_free(live);
	/* a data directory without attestd.db is refused */
	struct att_verify_ctx_opts bad = {.store = td};
	rc = att_verify_ctx_new(&live, &bad, err, sizeof(err));
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND && live == NULL, "datadir: %d %s", rc,
		  err);
	/* NULL arguments */
	ATT_CHECK_EQ_INT(att_verify_attest(NULL, "SgxEnclave",
					   (const uint8_t *)body, body_len,
					   NULL, NULL, NULL, NULL, 0),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_verify_ctx_new(NULL, NULL, NULL, 0),
			 ATT_ERR_INVALID_ARG);
}

/* draft: a draftPolicyForAttestation (the policy text) is refused unless
 * allowed, and then replaces the caller's policy and makes an unsigned
 * token. */
static void test_draft(struct att_verify_ctx *v, struct att_token_key *key)
{
	char err[512] = "", *out = NULL;
	const char *code = NULL;
	json_t *j = json_loads(body, 0, NULL);
	json_object_set_new(j, "draftPolicyForAttestation",
			    json_string(deny_other));
	char *db = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	struct att_verify_attest_opts o = {
		.policy = permit_mre, .policy_len = strlen(permit_mre),
		.now = AT, .sign_key = key};
	int rc = att_verify_attest(v, "SgxEnclave", (const uint8_t *)db,
				   strlen(db), &o, &out, &code, err,
				   sizeof(err));
	ATT_CHECK(rc == ATT_ERR_UNSUPPORTED && out == NULL,
		  "draft refused: %d %s", rc, err);
	ATT_CHECK_EQ_STR(code, "InvalidParameter");
	ATT_CHECK(strstr(err, "draftPolicyForAttestation") != NULL, "%s", err);
	o.allow_draft = 1;
	rc = att_verify_attest(v, "SgxEnclave", (const uint8_t *)db,
			       strlen(db), &o, &out, &code, err, sizeof(err));
	ATT_CHECK_EQ_INT(rc, 0);
	j = out ? json_loads(out, 0, NULL) : NULL;
	ATT_CHECK(json_is_true(json_object_get(j, "draft")), "draft: %s",
		  out ? out : "");
	ATT_CHECK(json_is_false(json_object_get(j, "authorized")),
		  "the draft (deny_other) replaced the caller's policy");
	json_decref(j);
	att_verify_free_text(out);
	out = NULL;
	/* the draft permitting: an unsigned alg-none token */
	json_t *b = json_loads(db, 0, NULL);
	json_object_set_new(b, "draftPolicyForAttestation",
			    json_string(permit_mre));
	free(db);
	db = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	rc = att_verify_attest(v, "SgxEnclave", (const uint8_t *)db,
			       strlen(db), &o, &out, &code, err, sizeof(err));
	ATT_CHECK_EQ_INT(rc, 0);
	j = out ? json_loads(out, 0, NULL) : NULL;
	const char *tok = json_string_value(json_object_get(j, "token"));
	char *hdr = NULL;
	ATT_CHECK(tok && att_token_decode(tok, &hdr, NULL, NULL, 0) == 0,
		  "draft token decodes");
	ATT_CHECK(hdr && strstr(hdr, "\"none\"") != NULL, "alg none: %s",
		  hdr ? hdr : "");
	ATT_CHECK(tok && att_token_verify_key(tok, key, NULL, NULL, NULL, 0) !=
				 0,
		  "an unsigned draft token never verifies");
	free(hdr);
	json_decref(j);
	att_verify_free_text(out);
	free(db);
}

static void test_token(struct att_verify_ctx *v, struct att_token_key *key)
{
	struct att_verify_attest_opts o = {
		.policy = permit_mre, .policy_len = strlen(permit_mre),
		.now = AT, .sign_key = key, .kid = "k1",
		.issuer = "https://offline.example", .token_lifetime = 600};
	json_t *j = run(v, "SgxEnclave", &o, 0, NULL);
	const char *tok = json_string_value(json_object_get(j, "token"));
	ATT_CHECK(tok != NULL, "token");
	struct att_token_verify_opts vo = {
		.issuer = "https://offline.example", .now = AT + 10,
		.algs = "ES256", .require_exp = 1};
	char *claims = NULL, err[512] = "";
	int rc = tok ? att_token_verify_key(tok, key, &vo, &claims, err,
					    sizeof(err))
		     : -1;
	ATT_CHECK(rc == 0, "token verifies: %d %s", rc, err);
	json_t *c = claims ? json_loads(claims, 0, NULL) : NULL;
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(c, "enclave")),
			 MRENCLAVE);
	ATT_CHECK(json_integer_value(json_object_get(c, "exp")) == AT + 600,
		  "exp = now + lifetime");
	ATT_CHECK(json_equal(c, json_object_get(j, "claims")),
		  "the token carries the result's claims");
	vo.now = AT + 1200;
	ATT_CHECK(att_token_verify_key(tok ? tok : "", key, &vo, NULL, NULL,
				       0) == ATT_ERR_EXPIRED,
		  "expired after its lifetime");
	json_decref(c);
	free(claims);
	json_decref(j);
	/* a denied request gets no token */
	o.policy = deny_other;
	o.policy_len = strlen(deny_other);
	j = run(v, "SgxEnclave", &o, 0, NULL);
	ATT_CHECK(json_object_get(j, "token") == NULL, "no token when denied");
	json_decref(j);
	/* algorithms outside RS256 / ES256, public keys: refused */
	struct att_token_key *p384 = NULL;
	const char *code = NULL;
	ATT_CHECK_EQ_INT(att_token_key_generate(&p384, "ES384", NULL, 0), 0);
	o.sign_key = p384;
	run(v, "SgxEnclave", &o, ATT_ERR_ALG, &code);
	o.sign_key = key;
	o.sign_alg = "RS256";
	run(v, "SgxEnclave", &o, ATT_ERR_ALG, &code);
	o.sign_alg = "none";
	run(v, "SgxEnclave", &o, ATT_ERR_ALG, &code);
	att_token_key_free(p384);
}

/* Every prefix of the body and one-byte mutations fail (or, for a
 * mutation the decoder tolerates, succeed) with a code the table knows;
 * never a crash, never JSON with an error. */
static void test_truncation_mutation(struct att_verify_ctx *v)
{
	struct att_verify_attest_opts o = {.now = AT};
	size_t bad = 0, ok = 0;
	for (size_t n = 0; n < body_len; n++) {
		const char *code = NULL;
		char *out = NULL;
		int rc = att_verify_attest(v, "SgxEnclave",
					   (const uint8_t *)body, n, &o, &out,
					   &code, NULL, 0);
		const char *c2 = NULL;
		if (rc == 0 || !code || out ||
		    att_verify_http_status(rc, code, &c2) != 400 ||
		    strcmp(c2, code))
			bad++;
		att_verify_free_text(out);
	}
	ATT_CHECK(bad == 0, "%zu of %zu prefixes not refused with a 400",
		  bad, body_len);
	char *m = malloc(body_len);
	bad = 0;
	for (size_t i = 0; m && i < body_len; i += 7) {
		const char *code = NULL;
		char *out = NULL;
		memcpy(m, body, body_len);
		m[i] ^= (char)(1u << (i % 8));
		int rc = att_verify_attest(v, "SgxEnclave", (const uint8_t *)m,
					   body_len, &o, &out, &code, NULL, 0);
		if (rc == 0)
			ok++;
		if ((rc == 0) != (out != NULL) || (rc != 0 && !code))
			bad++;
		att_verify_free_text(out);
	}
	ATT_CHECK(bad == 0, "%zu mutations answered inconsistently", bad);
	ATT_CHECK(ok < body_len / 7 / 2, "most mutations refused (%zu passed)",
		  ok);
	free(m);
}

#define SNP_AT 1663796851 /* 2022-09-21T21:47:31Z, the real token's iat */
#define SNP_EX                                                                 \
	"maa/spec-examples/specs/Attestation/stable/2025-06-01/examples/"     \
	"AttestSevSnpVm.json"

static const char snp_policy[] =
	"version=1.0;\n"
	"authorizationrules {\n"
	"  c:[type==\"x-ms-sevsnpvm-is-debuggable\", value==false]"
	" => permit();\n"
	"};\n"
	"issuancerules {\n"
	"  c:[type==\"x-ms-sevsnpvm-vmpl\"] => issue(type=\"vmpl\", "
	"value=c.value);\n"
	"};\n";

/* snp_body: parameters.body of MAA's example, as POST takes it. */
static char *snp_body(void)
{
	char p[2048];
	json_error_t je;
	snprintf(p, sizeof(p), "%s/%s", td, SNP_EX);
	json_t *ex = json_load_file(p, 0, &je);
	json_t *b = json_object_get(json_object_get(ex, "parameters"), "body");
	char *t = b ? json_dumps(b, JSON_COMPACT) : NULL;
	ATT_CHECK(t != NULL, "%s: parameters.body", p);
	json_decref(ex);
	return t;
}

/* milan_ark: the second certificate (the ARK) of AMD's Milan chain. */
static char *milan_ark(void)
{
	char p[2048];
	size_t n = 0;
	snprintf(p, sizeof(p), "%s/sevsnp/amd_roots/ask_ark_milan.pem", td);
	char *pem = (char *)att_read_file(p, &n);
	char *end = pem ? strstr(pem, "-----END CERTIFICATE-----") : NULL;
	char *ark = end ? strstr(end, "-----BEGIN CERTIFICATE-----") : NULL;
	char *out = ark ? strdup(ark) : NULL;
	ATT_CHECK(out != NULL, "the ARK of %s", p);
	free(pem);
	return out;
}

static int snp_run(struct att_verify_ctx *v, const char *b, char **json,
		   const char **code, char *err, size_t errlen)
{
	struct att_verify_attest_opts o = {
		.policy = snp_policy, .policy_len = strlen(snp_policy),
		.now = SNP_AT};
	return att_verify_attest(v, "SevSnpVm", (const uint8_t *)b, strlen(b),
				 &o, json, code, err, errlen);
}

static void test_snp(void)
{
	struct att_verify_ctx_opts o = {.verify_time = SNP_AT};
	struct att_verify_ctx *v = NULL;
	char err[512] = "", *out = NULL;
	const char *code = NULL;
	char *b = snp_body();
	char *ark = milan_ark();
	if (!b || !ark)
		goto out;
	ATT_CHECK_EQ_INT(att_verify_ctx_new(&v, &o, err, sizeof(err)), 0);
	int rc = snp_run(v, b, &out, &code, err, sizeof(err));
	ATT_CHECK(rc == 0, "SevSnpVm real example: %d %s", rc, err);
	json_t *j = out ? json_loads(out, 0, NULL) : NULL;
	json_t *c = json_object_get(j, "claims");
	ATT_CHECK(json_is_true(json_object_get(j, "authorized")),
		  "authorized: %s", out ? out : "(none)");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 c, "x-ms-attestation-type")),
			 "sevsnpvm");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 c, "x-attestd-sevsnp-product")),
			 "Milan");
	ATT_CHECK(json_integer_value(json_object_get(c, "vmpl")) == 0 &&
			  json_object_get(c, "vmpl"),
		  "the policy issued vmpl");
	ATT_CHECK(json_is_false(json_object_get(c,
						"x-ms-sevsnpvm-is-debuggable")),
		  "not debuggable");
	json_decref(j);
	att_verify_free_text(out);
	out = NULL;
	att_verify_ctx_free(v);
	v = NULL;
	/* without AMD's roots: no ARK pinned for Milan */
	o.no_amd_roots = 1;
	ATT_CHECK_EQ_INT(att_verify_ctx_new(&v, &o, err, sizeof(err)), 0);
	rc = snp_run(v, b, NULL, &code, err, sizeof(err));
	ATT_CHECK(rc == ATT_ERR_CHAIN_INVALID && strstr(err, "Milan"),
		  "no AMD roots: %d %s", rc, err);
	ATT_CHECK_EQ_STR(code, "InvalidParameter");
	att_verify_ctx_free(v);
	v = NULL;
	/* AMD's Milan ARK as the caller's extra ARK */
	struct att_verify_snp_ark extra = {.product = "Milan", .pem = ark};
	o.snp_arks = &extra;
	o.n_snp_arks = 1;
	ATT_CHECK_EQ_INT(att_verify_ctx_new(&v, &o, err, sizeof(err)), 0);
	rc = snp_run(v, b, NULL, &code, err, sizeof(err));
	ATT_CHECK(rc == 0, "the caller's Milan ARK: %d %s", rc, err);
	att_verify_ctx_free(v);
	v = NULL;
	/* an extra ARK for an unknown product, or not a certificate */
	extra.product = "Naples";
	rc = att_verify_ctx_new(&v, &o, err, sizeof(err));
	ATT_CHECK(rc == ATT_ERR_INVALID_ARG && v == NULL, "product: %d %s", rc,
		  err);
	extra.product = "Genoa";
	extra.pem = "not a certificate";
	rc = att_verify_ctx_new(&v, &o, err, sizeof(err));
	ATT_CHECK(rc != 0 && v == NULL, "bad ARK refused: %d %s", rc, err);
out:
	att_verify_ctx_free(v);
	free(ark);
	free(b);
}

static void test_table(void)
{
	const char *code = NULL;
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_NOMEM, "Anything",
						&code), 500);
	ATT_CHECK_EQ_STR(code, "InternalError");
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_STORE, NULL, &code),
			 500);
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_TIMEOUT, "X", &code),
			 503);
	ATT_CHECK_EQ_STR(code, "ServiceUnavailable");
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_FORMAT, NULL, &code),
			 400);
	ATT_CHECK_EQ_STR(code, "InvalidParameter");
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_POLICY_DENY,
						"PolicyEvaluationError",
						&code), 400);
	ATT_CHECK_EQ_STR(code, "PolicyEvaluationError");
	/* the step's code decides for errors of no fixed meaning */
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_LIMIT, "InternalError",
						&code), 500);
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_LIMIT,
						"ServiceUnavailable", &code),
			 503);
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_FORBIDDEN, "Forbidden",
						&code), 403);
	ATT_CHECK_EQ_INT(att_verify_http_status(ATT_ERR_FORBIDDEN,
						"InvalidOperation", &code),
			 400);
	ATT_CHECK_EQ_STR(code, "InvalidOperation");
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	td = att_testdata();
	make_body();
	struct att_verify_ctx *v = make_ctx();
	struct att_token_key *key = NULL;
	ATT_CHECK_EQ_INT(att_token_key_generate(&key, "ES256", NULL, 0), 0);
	if (v && body && key) {
		test_authorized(v);
		test_denied(v);
		test_errors(v);
		test_draft(v, key);
		test_token(v, key);
		test_truncation_mutation(v);
		test_snp();
	}
	test_table();
	att_token_key_free(key);
	att_verify_ctx_free(v);
	free(body);
	return att_test_done();
}
