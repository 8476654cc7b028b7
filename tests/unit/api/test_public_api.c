/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libattest's public API (include/attest/verify.h, token.h) on real
 * vectors of tests/vectors: a DCAP quote with its collateral, a TPM quote
 * of a Windows shielded VM, TCG event logs with independently replayed
 * PCRs, policies and tokens. Every failure must return its ATT_ERR_* and
 * a message naming what failed.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/token.h"
#include "attest/verify.h"
#include "codec/b64.h"
#include "harness/tap.h"

static const char *td;

static char *slurp(const char *rel, size_t *len)
{
	char p[2048];
	snprintf(p, sizeof(p), "%s/%s", td, rel);
	char *b = (char *)att_read_file(p, len);
	ATT_CHECK(b != NULL, "cannot read %s", p);
	return b;
}

static json_t *jparse(const char *text)
{
	return text ? json_loads(text, 0, NULL) : NULL;
}

/* ---- DCAP ---- */

static void test_quote(void)
{
	char err[512], *res = NULL;
	size_t ql = 0, bl = 0;
	json_t *cases = NULL, *c = NULL, *r;
	size_t i;
	char p[2048];
	snprintf(p, sizeof(p), "%s/sgx/cases.json", td);
	cases = json_load_file(p, 0, NULL);
	json_array_foreach(json_object_get(cases, "cases"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "id")),
			    "sgx_dcapqvl_v3"))
			c = r;
	ATT_CHECK(c != NULL, "case sgx_dcapqvl_v3 in sgx/cases.json");
	if (!c)
		goto out;
	uint8_t *q = (uint8_t *)slurp(json_string_value(
		json_object_get(c, "quote")), &ql);
	char *b = slurp(json_string_value(json_object_get(c, "bundle")), &bl);
	struct att_quote_trust *trust = NULL;
	struct att_quote_collateral *col = NULL;
	ATT_CHECK_EQ_INT(att_quote_trust_new(&trust, 1), 0);
	ATT_CHECK_EQ_INT(att_quote_collateral_from_json(&col, b, bl, err,
							sizeof(err)), 0);
	/* 2025-07-01T00:00:00Z, the case's verify_at */
	int64_t at = 1751328000;
	int rc = att_verify_quote(q, ql, col, trust, at, 0, &res, err,
				  sizeof(err));
	ATT_CHECK_EQ_INT(rc, 0);
	json_t *j = jparse(res);
	json_t *exp = json_object_get(c, "expected");
	ATT_CHECK(json_is_true(json_object_get(j, "verified")), "verified");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(j, "tcb_status")),
			 json_string_value(json_object_get(exp, "status")));
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(j, "tee")), "sgx");
	ATT_CHECK(json_equal(json_object_get(j, "advisory_ids"),
			     json_object_get(exp, "advisory_ids")),
		  "advisory ids");
	json_decref(j);
	att_verify_free_text(res);
	res = NULL;

	/* years later the collateral has expired */
	rc = att_verify_quote(q, ql, col, trust, at + 3 * 365 * 86400, 0,
			      NULL, err, sizeof(err));
	ATT_CHECK_EQ_INT(rc, ATT_ERR_EXPIRED);
	ATT_CHECK(strlen(err) > 0, "expiry named: %s", err);
	rc = att_verify_quote(q, ql, col, trust, at + 3 * 365 * 86400,
			      ATT_QUOTE_ALLOW_EXPIRED_COLLATERAL, &res, err,
			      sizeof(err));
	j = jparse(res);
	ATT_CHECK(rc == 0 && json_is_true(json_object_get(
				     j, "collateral_expired")),
		  "allow expired: rc %d", rc);
	json_decref(j);
	att_verify_free_text(res);
	res = NULL;

	/* a changed byte of the signed report body (MRENCLAVE) */
	q[100] ^= 1;
	rc = att_verify_quote(q, ql, col, trust, at, 0, &res, err,
			      sizeof(err));
	ATT_CHECK_EQ_INT(rc, ATT_ERR_SIG_INVALID);
	ATT_CHECK(strstr(err, "quote signature") != NULL, "message: %s", err);
	j = jparse(res);
	ATT_CHECK(json_is_false(json_object_get(j, "verified")) &&
			  json_is_string(json_object_get(j, "error_code")),
		  "failure JSON: %s", res ? res : "(none)");
	json_decref(j);
	att_verify_free_text(res);
	res = NULL;

	/* a trust store without Intel's root refuses the chain */
	struct att_quote_trust *empty = NULL;
	ATT_CHECK_EQ_INT(att_quote_trust_new(&empty, 0), 0);
	q[100] ^= 1;
	rc = att_verify_quote(q, ql, col, empty, at, 0, NULL, err,
			      sizeof(err));
	ATT_CHECK(rc == ATT_ERR_CHAIN_INVALID || rc == ATT_ERR_NOT_FOUND,
		  "untrusted root: %d %s", rc, err);
	ATT_CHECK_EQ_INT(att_quote_trust_add_pem(empty, "junk", 4, err,
						 sizeof(err)) < 0, 1);
	struct att_quote_collateral *bad = NULL;
	ATT_CHECK_EQ_INT(att_quote_collateral_from_json(&bad, "{", 1, err,
							sizeof(err)) < 0, 1);
	ATT_CHECK(bad == NULL, "no collateral from a broken bundle");
	ATT_CHECK_EQ_INT(att_verify_quote(NULL, 0, col, trust, at, 0, NULL,
					  err, sizeof(err)),
			 ATT_ERR_INVALID_ARG);
	att_quote_trust_free(empty);
	att_quote_collateral_free(col);
	att_quote_trust_free(trust);
	free(q);
	free(b);
out:
	json_decref(cases);
}

/* ---- TPM quote and event log ---- */

static uint8_t *b64(json_t *o, const char *k, size_t *len)
{
	uint8_t *b = NULL;
	const char *s = json_string_value(json_object_get(o, k));
	if (!s || att_b64_decode(&b, len, s, strlen(s)) != 0)
		return NULL;
	return b;
}

static char *pcrs_sha1_json(json_t *log)
{
	json_t *bank = json_object(), *pcr;
	size_t i;
	json_array_foreach(json_object_get(log, "PCRs"), i, pcr) {
		size_t n = 0;
		uint8_t *d = b64(pcr, "Digest", &n);
		char hex[41], idx[8];
		for (size_t k = 0; d && n == 20 && k < n; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		snprintf(idx, sizeof(idx), "%d",
			 (int)json_integer_value(json_object_get(pcr, "Index")));
		if (d && n == 20)
			json_object_set_new(bank, idx, json_string(hex));
		free(d);
	}
	json_t *o = json_pack("{s:o}", "sha1", bank);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static void test_tpm_quote(void)
{
	char p[2048], err[512], *res = NULL;
	snprintf(p, sizeof(p), "%s/tpm/quotes/windows_gcp_shielded_vm/"
		 "windows_gcp_shielded_vm.json", td);
	json_t *j = json_load_file(p, 0, NULL);
	json_t *quote = json_object_get(j, "Quote");
	size_t al = 0, sl = 0, pl = 0, ll = 0;
	uint8_t *a = b64(quote, "Quote", &al), *s = b64(quote, "Signature", &sl);
	uint8_t *pub = b64(json_object_get(j, "AK"), "Public", &pl);
	uint8_t *log = b64(json_object_get(j, "Log"), "Raw", &ll);
	char *pcrs = pcrs_sha1_json(json_object_get(j, "Log"));
	ATT_CHECK(a && s && pub && log && pcrs, "windows vector fields");
	if (!a || !s || !pub || !log || !pcrs)
		goto out;
	struct att_tpm_quote_check chk = {.pcrs_json = pcrs,
					  .required_mask = 0x78B1};
	int rc = att_verify_tpm_quote(a, al, s, sl, pub, pl, &chk, &res, err,
				      sizeof(err));
	ATT_CHECK(rc == 0, "windows quote: %d %s", rc, err);
	json_t *r = jparse(res);
	ATT_CHECK(json_is_array(json_object_get(json_object_get(r,
			"pcr_select"), "sha1")), "pcr_select: %s",
		  res ? res : "(none)");
	json_decref(r);
	att_verify_free_text(res);
	res = NULL;

	/* the log replays to the quoted PCRs */
	rc = att_verify_eventlog_replay(log, ll, pcrs, &res, err, sizeof(err));
	ATT_CHECK(rc == 0, "windows log explains the quote: %d %s", rc, err);
	att_verify_free_text(res);
	res = NULL;

	/* a nonce that is not the quote's extraData */
	chk.nonce = (const uint8_t *)"not the nonce";
	chk.nonce_len = 13;
	rc = att_verify_tpm_quote(a, al, s, sl, pub, pl, &chk, NULL, err,
				  sizeof(err));
	ATT_CHECK_EQ_INT(rc, ATT_ERR_MISMATCH);
	/* one flipped byte of the signed structure */
	a[al / 2] ^= 0x20;
	rc = att_verify_tpm_quote(a, al, s, sl, pub, pl, NULL, NULL, err,
				  sizeof(err));
	ATT_CHECK(rc < 0 && strlen(err) > 0, "tampered TPM quote: %d", rc);
	rc = att_verify_tpm_quote(a, al, s, sl, (const uint8_t *)"xx", 2,
				  NULL, NULL, err, sizeof(err));
	ATT_CHECK(rc < 0 && strstr(err, "AIK") != NULL, "bad AIK: %s", err);
out:
	free(a);
	free(s);
	free(pub);
	free(log);
	free(pcrs);
	json_decref(j);
}

static void test_eventlog(void)
{
	char p[2048], err[512], *res = NULL;
	size_t ll = 0;
	const char *name = "arch-linux-workstation.bin";
	snprintf(p, sizeof(p), "%s/tpm/eventlogs/expected_pcrs.json", td);
	json_t *exp = json_load_file(p, 0, NULL);
	json_t *want = json_object_get(json_object_get(exp, name),
				       "replayed_pcrs_independent");
	snprintf(p, sizeof(p), "tpm/eventlogs/%s", name);
	uint8_t *log = (uint8_t *)slurp(p, &ll);
	ATT_CHECK(want && log, "vector %s", name);
	if (!want || !log)
		goto out;
	int rc = att_verify_eventlog_replay(log, ll, NULL, &res, err,
					    sizeof(err));
	json_t *got = jparse(res);
	ATT_CHECK(rc == 0 && json_equal(json_object_get(got, "sha256"),
					json_object_get(want, "sha256")),
		  "replay equals the independent replay: %d %s", rc, err);
	json_decref(got);
	att_verify_free_text(res);
	res = NULL;

	char *wtext = json_dumps(want, JSON_COMPACT);
	ATT_CHECK_EQ_INT(att_verify_eventlog_replay(log, ll, wtext, NULL, err,
						    sizeof(err)), 0);
	/* one PCR changed: the replay no longer explains it */
	json_t *bad = json_deep_copy(want);
	json_object_set_new(json_object_get(bad, "sha256"), "0",
			    json_string("00000000000000000000000000000000"
					"00000000000000000000000000000000"));
	char *btext = json_dumps(bad, JSON_COMPACT);
	rc = att_verify_eventlog_replay(log, ll, btext, NULL, err, sizeof(err));
	ATT_CHECK_EQ_INT(rc, ATT_ERR_MISMATCH);
	ATT_CHECK(strstr(err, "PCR 0") != NULL, "names the PCR: %s", err);

	rc = att_verify_eventlog_parse(log, ll, &res, err, sizeof(err));
	got = jparse(res);
	ATT_CHECK(rc == 0 && json_array_size(json_object_get(got, "Events")) >
				     10, "events: %d %s", rc, err);
	json_decref(got);
	att_verify_free_text(res);
	res = NULL;
	rc = att_verify_eventlog_parse(log, ll / 2 + 3, &res, err, sizeof(err));
	ATT_CHECK(rc < 0 && res == NULL && strlen(err) > 0,
		  "truncated log: %d", rc);
	free(btext);
	free(wtext);
	json_decref(bad);
out:
	free(log);
	json_decref(exp);
}

/* ---- policy ---- */

static void test_policy(void)
{
	static const char pol[] =
		"version=1.0;\n"
		"authorizationrules {\n"
		"  c:[type==\"x-ms-sgx-is-debuggable\", value==false] "
		"=> permit();\n"
		"};\n"
		"issuancerules {\n"
		"  c:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"signer\", "
		"value=c.value);\n"
		"};\n";
	static const char claims[] =
		"[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":false},"
		"{\"type\":\"x-ms-sgx-mrsigner\",\"value\":\"abcd\"}]";
	static const char debug[] =
		"[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":true}]";
	struct att_verify_policy *p = NULL;
	char err[512], *res = NULL, hash[ATT_VERIFY_POLICY_HASH_LEN];
	ATT_CHECK_EQ_INT(att_verify_policy_compile(&p, pol, strlen(pol), err,
						   sizeof(err)), 0);
	ATT_CHECK_EQ_INT(att_verify_policy_eval(p, claims, 1, &res, err,
						sizeof(err)), 0);
	json_t *j = jparse(res);
	ATT_CHECK(json_is_true(json_object_get(j, "authorized")), "permit");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 json_object_get(j, "issued"), "signer")),
			 "abcd");
	ATT_CHECK(json_is_array(json_object_get(j, "explain")), "explain");
	json_decref(j);
	att_verify_free_text(res);
	ATT_CHECK_EQ_INT(att_verify_policy_eval(p, debug, 0, &res, err,
						sizeof(err)), 0);
	j = jparse(res);
	ATT_CHECK(json_is_false(json_object_get(j, "authorized")) &&
			  !json_object_get(j, "explain"), "no permit: %s", res);
	json_decref(j);
	att_verify_free_text(res);
	ATT_CHECK_EQ_INT(att_verify_policy_eval(p, "[{\"type\":1}]", 0, &res,
						err, sizeof(err)),
			 ATT_ERR_FORMAT);
	ATT_CHECK(res == NULL, "no result on failure");
	ATT_CHECK_EQ_INT(att_verify_policy_hash(hash, pol, strlen(pol)), 0);
	ATT_CHECK_EQ_INT(strlen(hash), 43);
	att_verify_policy_free(p);
	p = NULL;
	int rc = att_verify_policy_compile(&p, "version=1.0; bogus {", 20, err,
					   sizeof(err));
	ATT_CHECK(rc == ATT_ERR_POLICY_SYNTAX && p == NULL &&
			  strstr(err, "line 1") != NULL,
		  "syntax error: %d %s", rc, err);
}

/* ---- tokens ---- */

static void test_token(void)
{
	struct att_token_key *k = NULL, *other = NULL;
	char err[512], *tok = NULL, *jwks = NULL, *claims = NULL, *hdr = NULL;
	ATT_CHECK_EQ_INT(att_token_key_generate(&k, "ES256", err, sizeof(err)),
			 0);
	ATT_CHECK_EQ_INT(att_token_key_generate(&other, "RS256", err,
						sizeof(err)), 0);
	ATT_CHECK_EQ_INT(att_token_key_jwks(k, "k1", &jwks), 0);
	ATT_CHECK_EQ_INT(att_token_sign(&tok, "{\"iss\":\"https://i\","
					"\"exp\":4102444800,\"x\":7}", k, NULL,
					"k1", err, sizeof(err)), 0);
	struct att_token_verify_opts o = {.issuer = "https://i"};
	ATT_CHECK_EQ_INT(att_token_verify(tok, jwks, &o, &claims, err,
					  sizeof(err)), 0);
	json_t *c = jparse(claims);
	ATT_CHECK_EQ_INT(json_integer_value(json_object_get(c, "x")), 7);
	json_decref(c);
	free(claims);
	ATT_CHECK_EQ_INT(att_token_verify_key(tok, k, NULL, NULL, err,
					      sizeof(err)), 0);
	ATT_CHECK_EQ_INT(att_token_decode(tok, &hdr, NULL, err, sizeof(err)),
			 0);
	ATT_CHECK(hdr && strstr(hdr, "\"ES256\"") && strstr(hdr, "\"k1\""),
		  "header %s", hdr ? hdr : "(none)");
	free(hdr);
	/* wrong key, wrong issuer, expired, algorithm not allowed */
	ATT_CHECK_EQ_INT(att_token_verify_key(tok, other, NULL, NULL, err,
					      sizeof(err)) < 0, 1);
	o.issuer = "https://other";
	ATT_CHECK_EQ_INT(att_token_verify(tok, jwks, &o, NULL, err,
					  sizeof(err)), ATT_ERR_MISMATCH);
	ATT_CHECK(strstr(err, "iss") != NULL, "names iss: %s", err);
	o.issuer = NULL;
	o.now = 4102444800 + 3600;
	ATT_CHECK_EQ_INT(att_token_verify(tok, jwks, &o, NULL, err,
					  sizeof(err)), ATT_ERR_EXPIRED);
	o.now = 0;
	o.algs = "RS256";
	ATT_CHECK_EQ_INT(att_token_verify(tok, jwks, &o, NULL, err,
					  sizeof(err)), ATT_ERR_ALG);
	o.algs = "none";
	ATT_CHECK_EQ_INT(att_token_verify(tok, jwks, &o, NULL, err,
					  sizeof(err)), ATT_ERR_ALG);
	o.algs = NULL;
	/* one changed payload character */
	char *dot = strchr(tok, '.');
	dot[2] = dot[2] == 'A' ? 'B' : 'A';
	ATT_CHECK(att_token_verify(tok, jwks, &o, NULL, err, sizeof(err)) < 0,
		  "tampered token verified");
	free(tok);
	tok = NULL;
	ATT_CHECK_EQ_INT(att_token_sign(&tok, "[1]", k, NULL, NULL, err,
					sizeof(err)), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_token_sign(&tok, "{}", k, "RS256", NULL, err,
					sizeof(err)), ATT_ERR_ALG);
	struct att_token_key *none = NULL;
	ATT_CHECK_EQ_INT(att_token_key_from_pem(&none, "x", 1, err,
						sizeof(err)) < 0, 1);
	ATT_CHECK(none == NULL, "no key from junk");
	free(jwks);
	att_token_key_free(k);
	att_token_key_free(other);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	td = att_testdata();
	test_quote();
	test_tpm_quote();
	test_eventlog();
	test_policy();
	test_token();
	return att_test_done();
}
