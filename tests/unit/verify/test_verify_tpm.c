/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TPM flows of the verifier (verify/tpm.h) with no HTTP, over a real
 * SQLite store: aikcert refused without a Tpm policy (400 "Bad request",
 * naming the provider), dev mode's default Tpm policy applied only to
 * the provider it names (and a broken one refused as PolicyParsingError),
 * then, with a stored one, a round-1 challenge (16 bytes and
 * a sealed service_context; the context key made in the store), and the
 * refusals of a malformed round 2 (not a compact JWS: InvalidOperation),
 * of that attestation context presented to aikactivate (it does not
 * belong to an enrolment), of a body that is not a TPM message and of an
 * aikenroll whose ek_pub is not a TPM2B_PUBLIC; each with its
 * ATT_ERR_* code and HTTP status from the one table.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/keywrap.h"
#include "evidence/tpm/proto.h"
#include "harness/tap.h"
#include "store/store.h"
#include "token/jws.h"
#include "verify/tpm.h"
#include "verify/verifier.h"

#define PROV "p1"

static uint8_t master[ATT_KEYWRAP_KEY_LEN];
static struct att_tpm_settings settings;

static int no_sign(void *arg, json_t *claims, int64_t lifetime, char **token,
		   struct att_diag *d)
{
	(void)arg;
	(void)claims;
	(void)lifetime;
	(void)token;
	return att_diag_set(d, ATT_ERR_INTERNAL, "not expected to sign");
}

/* run sends body (a TPM message) through att_verify_tpm. */
static int run(struct att_verifier *v, const char *body,
	       struct att_verify_result *res)
{
	struct att_verify_tpm_req rq = {
	    .body = (const uint8_t *)body,
	    .body_len = body ? strlen(body) : 0,
	    .provider = PROV,
	    .settings = &settings,
	    .master = master,
	    .now = 1700000000,
	    .sign = no_sign,
	};
	att_policy_limits_default(&rq.limits);
	att_policy_budget_default(&rq.budget);
	att_verify_result_init(res);
	return att_verify_tpm(v, &rq, res);
}

static void put_policy(struct att_store *st, const char *text)
{
	char *b64 = att_b64url_encode((const uint8_t *)text, strlen(text));
	json_t *pl = json_pack("{s:s}", "AttestationPolicy", b64);
	char *ps = json_dumps(pl, JSON_COMPACT), *jws = NULL;
	ATT_CHECK_EQ_INT(att_jws_unsigned(&jws, NULL, ps, strlen(ps)), 0);
	struct att_store_policy p = {.provider = PROV, .type = "Tpm",
				     .jws = jws, .hash = "h", .updated = 1};
	struct att_diag d = {0};
	ATT_CHECK(att_store_policy_put(st, &p, NULL, &d) == 0, "put: %s",
		  att_diag_msg(&d));
	free(jws);
	free(ps);
	json_decref(pl);
	free(b64);
}

static void expect_refusal(struct att_verifier *v, const char *body, int err,
			   int status, const char *code, const char *in_msg,
			   const char *what)
{
	struct att_verify_result res;
	int r = run(v, body, &res);
	ATT_CHECK(r == err && res.err == err, "%s: err %d (want %d): %s", what,
		  r, err, res.msg);
	ATT_CHECK(res.http_status == status, "%s: status %d (want %d)", what,
		  res.http_status, status);
	ATT_CHECK(res.maa_code && strcmp(res.maa_code, code) == 0,
		  "%s: MAA code %s (want %s)", what,
		  res.maa_code ? res.maa_code : "(null)", code);
	ATT_CHECK(strstr(res.msg, in_msg) != NULL,
		  "%s: message names %s: %s", what, in_msg, res.msg);
	ATT_CHECK(res.reply == NULL, "%s: no reply", what);
	att_verify_result_release(&res);
}

/* round1 asks for a challenge; *sc gets its service_context. */
static void round1(struct att_verifier *v, char **sc)
{
	struct att_verify_result res;
	struct att_tpmproto_resp out = {0};
	struct att_diag d = {0};
	char *body = NULL;
	*sc = NULL;
	ATT_CHECK_EQ_INT(att_tpmproto_enc_aikcert(&body), 0);
	int r = run(v, body, &res);
	ATT_CHECK(r == 0 && res.http_status == 200 && res.reply,
		  "aikcert answered: %d %s", r, res.msg);
	r = res.reply ? att_tpmproto_decode_resp(&out,
						 (const uint8_t *)res.reply,
						 strlen(res.reply), &d)
		      : ATT_ERR_NOT_FOUND;
	ATT_CHECK(r == 0, "the answer decodes: %s", att_diag_msg(&d));
	ATT_CHECK(out.challenge.len == 16, "a 16-byte challenge (%zu)",
		  out.challenge.len);
	ATT_CHECK(out.service_context && strlen(out.service_context) > 16,
		  "a sealed service_context");
	if (out.service_context)
		*sc = strdup(out.service_context);
	/* a second challenge is fresh */
	struct att_verify_result res2;
	struct att_tpmproto_resp out2 = {0};
	if (run(v, body, &res2) == 0 && res2.reply &&
	    att_tpmproto_decode_resp(&out2, (const uint8_t *)res2.reply,
				     strlen(res2.reply), &d) == 0)
		ATT_CHECK(out2.challenge.len == 16 &&
			      memcmp(out2.challenge.p, out.challenge.p, 16),
			  "a second challenge differs");
	else
		ATT_CHECK(0, "second aikcert: %s", res2.msg);
	att_tpmproto_resp_release(&out2);
	att_verify_result_release(&res2);
	att_tpmproto_resp_release(&out);
	att_verify_result_release(&res);
	free(body);
}

static void round2_malformed(struct att_verifier *v, const char *sc)
{
	char *body = NULL;
	ATT_CHECK_EQ_INT(att_tpmproto_enc_request(&body, "not-a-jws"), 0);
	expect_refusal(v, body, ATT_ERR_FORMAT, 400, "InvalidOperation",
		       "not a compact JWS", "round 2, not a JWS");
	free(body);
	uint8_t secret[32] = {0};
	body = NULL;
	ATT_CHECK_EQ_INT(att_tpmproto_enc_activate(&body, secret,
						   sizeof(secret), sc),
			 0);
	expect_refusal(v, body, ATT_ERR_MISMATCH, 400, "InvalidParameter",
		       "does not belong to an AIK enrolment",
		       "attestation context in aikactivate");
	free(body);
}

static void bad_messages(struct att_verifier *v)
{
	expect_refusal(v, "{\"nodata\":1}", ATT_ERR_FORMAT, 400,
		       "InvalidParameter", "data", "not a TPM message");
	uint8_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	char *body = NULL;
	ATT_CHECK_EQ_INT(att_tpmproto_enc_enroll(&body, junk, sizeof(junk),
						 NULL, 0, junk, sizeof(junk)),
			 0);
	struct att_verify_result res;
	int r = run(v, body, &res);
	ATT_CHECK(r < 0 && res.http_status == 400 &&
		      strncmp(res.msg, "ek_pub", 6) == 0,
		  "aikenroll with a junk ek_pub: %d %d %s", r,
		  res.http_status, res.msg);
	att_verify_result_release(&res);
	free(body);
}

int main(void)
{
	char dir[] = "/tmp/att_verify_tpm_XXXXXX", db[128];
	struct att_diag d = {0};
	struct att_store *st = NULL;
	struct att_verifier *v = NULL;
	struct att_verifier_cfg cfg = {0};
	char *sc = NULL;
	ATT_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(db, sizeof(db), "%s/attestd.db", dir);
	memset(master, 0x5a, sizeof(master));
	ATT_CHECK_EQ_INT(att_tpm_settings_parse(&settings, NULL, 0, &d), 0);
	ATT_CHECK(att_store_open_sqlite(&st, db, &d) == 0, "store: %s",
		  att_diag_msg(&d));
	struct att_store_provider pr = {.name = PROV, .base_url = "https://x",
					.mode = "aad", .key_type = "rsa"};
	ATT_CHECK_EQ_INT(att_store_provider_add(st, &pr, &d), 0);
	cfg.store = st;
	ATT_CHECK_EQ_INT(att_verifier_new(&v, &cfg, &d), 0);
	if (v) {
		char *body = NULL;
		ATT_CHECK_EQ_INT(att_tpmproto_enc_aikcert(&body), 0);
		expect_refusal(v, body, ATT_ERR_NOT_FOUND, 400, "Bad request",
			       "provider " PROV, "aikcert without a policy");
		/* dev mode's default Tpm policy: only for the provider named */
		v->tpm_dev_policy = "version=1.0; authorizationrules { => "
				    "permit(); };";
		v->tpm_dev_policy_provider = "another";
		expect_refusal(v, body, ATT_ERR_NOT_FOUND, 400, "Bad request",
			       "provider " PROV,
			       "the dev default is another provider's");
		v->tpm_dev_policy_provider = PROV;
		char *dsc = NULL;
		round1(v, &dsc); /* answered under the dev default */
		ATT_CHECK(dsc != NULL, "dev default: a service_context");
		free(dsc);
		v->tpm_dev_policy = "version=1.0; authorizationrules {";
		expect_refusal(v, body, ATT_ERR_POLICY_SYNTAX, 400,
			       "PolicyParsingError",
			       "does not compile", "a broken dev default");
		v->tpm_dev_policy = NULL;
		v->tpm_dev_policy_provider = NULL;
		free(body);
		put_policy(st, "version=1.2; authorizationrules { => "
			       "permit(); }; issuancerules { };");
		round1(v, &sc);
		if (sc)
			round2_malformed(v, sc);
		bad_messages(v);
	}
	att_verifier_free(v);
	att_store_close(st);
	free(sc);
	char path[160];
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
	unlink(db);
	rmdir(dir);
	return att_test_done();
}
