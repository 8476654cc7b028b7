/* SPDX-License-Identifier: Apache-2.0 */
/* In-process tests of the request pipeline (no sockets): a dev-mode data
 * dir is created, then requests go through att_server_handle. Covers the
 * metadata and /certs, 404/405, api-version, bearer auth (none, garbage,
 * wrong issuer/audience/role, expired, alg none, valid), policy GET and
 * its token verified against /certs, provider prefix routing, key
 * rotation (old tokens keep verifying; the retired key leaves /certs after
 * the token lifetime) and the readiness check. */
#include <stdlib.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "crypto/pkey.h"
#include "harness/tap.h"
#include "server/datadir.h"
#include "server/keys.h"
#include "server/provider.h"
#include "server/server.h"
#include "store/store.h"
#include "token/jwt.h"

static struct att_server srv;
static struct att_server_config cfg;
static char dir[] = "/tmp/att-dispatch-XXXXXX";
static struct att_pkey *dev_key;
static const char *BASE = "https://127.0.0.1:18999";

static json_t *call(const char *method, const char *path, const char *host,
		    const char *authz, const char *apiver, unsigned *status,
		    struct att_resp *keep)
{
	struct att_req req = {.srv = &srv, .method = method, .path = path,
			      .host = host, .authorization = authz,
			      .api_version = apiver};
	struct att_resp resp;
	att_resp_init(&resp);
	att_server_handle(&srv, &req, &resp);
	*status = resp.status;
	json_t *j = json_loadb((const char *)resp.body.data, resp.body.len, 0,
			       NULL);
	if (keep)
		*keep = resp;
	else
		att_resp_release(&resp);
	return j;
}

static const char *err_code(json_t *j)
{
	return json_string_value(
		json_object_get(json_object_get(j, "error"), "code"));
}

static char *mint(const char *iss, const char *aud, const char *role,
		  int64_t exp_off)
{
	int64_t now = att_time_now();
	json_t *c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:[s]}", "iss", iss,
			      "aud", aud, "iat", (json_int_t)now, "nbf",
			      (json_int_t)now, "exp",
			      (json_int_t)(now + exp_off), "roles", role);
	struct att_jwt_signer s = {.key = dev_key, .alg = ATT_JWS_RS256,
				   .kid = srv.dev_issuer->kid};
	char *tok = NULL;
	ATT_CHECK_EQ_INT(att_jwt_sign(&tok, c, &s), 0);
	json_decref(c);
	return tok;
}

static char *bearer(const char *tok)
{
	size_t n = strlen(tok) + 8;
	char *b = malloc(n);
	snprintf(b, n, "Bearer %s", tok);
	return b;
}

static void test_meta(void)
{
	unsigned st;
	struct att_resp resp;
	json_t *j = call("GET", "/certs", "127.0.0.1:18999", NULL, NULL, &st,
			 &resp);
	ATT_CHECK_EQ_INT(st, 200);
	ATT_CHECK_EQ_STR(resp.content_type, "application/json; charset=utf-8");
	att_resp_release(&resp);
	json_t *k0 = json_array_get(json_object_get(j, "keys"), 0);
	ATT_CHECK_EQ_INT(json_array_size(json_object_get(j, "keys")), 1);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(k0, "kty")), "RSA");
	ATT_CHECK(json_object_get(k0, "n") && json_object_get(k0, "e") &&
			  json_object_get(k0, "x5c") &&
			  json_object_get(k0, "kid"),
		  "n/e/x5c/kid");
	json_decref(j);
	j = call("GET", "/.well-known/openid-configuration", NULL, NULL,
		 "2025-06-01", &st, NULL);
	ATT_CHECK_EQ_INT(st, 200);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(j, "issuer")), BASE);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(j, "jwks_uri")),
			 "https://127.0.0.1:18999/certs");
	json_decref(j);
	j = call("GET", "/nothing", NULL, NULL, NULL, &st, NULL);
	ATT_CHECK_EQ_INT(st, 404);
	ATT_CHECK_EQ_STR(err_code(j), "NotFound");
	json_decref(j);
	j = call("DELETE", "/certs", NULL, NULL, NULL, &st, &resp);
	ATT_CHECK_EQ_INT(st, 405);
	ATT_CHECK_EQ_STR(resp.allow, "GET");
	ATT_CHECK_EQ_STR(err_code(j), "MethodNotAllowed");
	att_resp_release(&resp);
	json_decref(j);
	j = call("GET", "/healthz", NULL, NULL, NULL, &st, NULL);
	ATT_CHECK_EQ_INT(st, 200);
	json_decref(j);
	j = call("GET", "/readyz", NULL, NULL, NULL, &st, NULL);
	ATT_CHECK_EQ_INT(st, 200);
	json_decref(j);
}

static void expect(const char *authz, const char *path, unsigned want,
		   const char *code, const char *what)
{
	unsigned st;
	struct att_resp resp;
	json_t *j = call("GET", path, NULL, authz, "2022-08-01", &st, &resp);
	ATT_CHECK(st == want, "%s: status %u, want %u", what, st, want);
	if (code)
		ATT_CHECK(err_code(j) && !strcmp(err_code(j), code),
			  "%s: code %s", what, err_code(j) ? err_code(j) : "-");
	if (want == 401)
		ATT_CHECK(resp.www_authenticate[0] != 0,
			  "%s: WWW-Authenticate", what);
	att_resp_release(&resp);
	json_decref(j);
}

static void test_auth(void)
{
	const char *iss = srv.dev_issuer->issuer, *aud = ATT_MAA_AUDIENCE;
	const char *p = "/policies/SgxEnclave";
	char *t;
	expect(NULL, p, 401, "Unauthorized", "no token");
	expect("Bearer garbage", p, 401, "Unauthorized", "garbage");
	expect("Basic dXNlcjpwYXNz", p, 401, "Unauthorized", "not bearer");
	char *b = bearer(t = mint("https://evil.example", aud,
				  "Attestation.Reader", 600));
	expect(b, p, 401, "Unauthorized", "wrong issuer");
	free(b);
	free(t);
	b = bearer(t = mint(iss, "api://other", "Attestation.Reader", 600));
	expect(b, p, 401, "Unauthorized", "wrong audience");
	free(b);
	free(t);
	b = bearer(t = mint(iss, aud, "Attestation.Reader", -120));
	expect(b, p, 401, "Unauthorized", "expired beyond skew");
	free(b);
	free(t);
	b = bearer(t = mint(iss, aud, "Attestation.Reader", -30));
	expect(b, p, 200, NULL, "expired within 60 s skew");
	free(b);
	free(t);
	b = bearer(t = mint(iss, aud, "Somebody.Else", 600));
	/* A missing role is 401, as MAA answers (its troubleshooting guide,
	 * "HTTP-401: Unauthorized exception"; issue 12 changed it from 403). */
	expect(b, p, 401, "Unauthorized", "wrong role");
	free(b);
	/* alg none: same claims, header {"alg":"none"}, empty signature. */
	char *dot = strchr(t, '.');
	char *last = strrchr(t, '.');
	char none[8192];
	snprintf(none, sizeof(none), "Bearer eyJhbGciOiJub25lIn0%.*s.",
		 (int)(last - dot), dot);
	expect(none, p, 401, "Unauthorized", "alg none");
	free(t);
	b = bearer(t = mint(iss, aud, "Attestation.Contributor", 600));
	expect(b, p, 200, NULL, "contributor may read");
	free(b);
	free(t);
}

static char *policy_token(const char *prefix_path)
{
	unsigned st;
	char *t = mint(srv.dev_issuer->issuer, ATT_MAA_AUDIENCE, "Attestation.Reader", 600);
	char *b = bearer(t);
	json_t *j = call("GET", prefix_path, NULL, b, NULL, &st, NULL);
	ATT_CHECK_EQ_INT(st, 200);
	const char *tok = json_string_value(json_object_get(j, "token"));
	char *out = tok ? strdup(tok) : NULL;
	json_decref(j);
	free(b);
	free(t);
	return out;
}

static int verify_at(const char *tok, const char *certs_path, const char *iss,
		     int64_t now)
{
	unsigned st;
	json_t *jwks = call("GET", certs_path, NULL, NULL, NULL, &st, NULL);
	struct att_jwt_verify_opts o = {.issuer = iss, .now = now,
					.require_exp = true};
	struct att_diag d = {0};
	json_t *claims = NULL;
	int r = att_jwt_verify(&claims, NULL, tok, jwks, &o, &d);
	if (!r) {
		ATT_CHECK(json_is_true(json_object_get(claims,
						       "x-attestd-dev-mode")),
			  "dev marker");
		ATT_CHECK(json_is_string(json_object_get(claims, "x-ms-policy")),
			  "x-ms-policy");
	}
	json_decref(claims);
	json_decref(jwks);
	return r;
}

static void test_policy(void)
{
	char *tok = policy_token("/policies/sgxenclave");
	ATT_CHECK(tok != NULL, "token");
	ATT_CHECK_EQ_INT(verify_at(tok, "/certs", BASE, att_time_now()), 0);
	ATT_CHECK(verify_at(tok, "/p2/certs", BASE, att_time_now()) != 0,
		  "p2's JWKS does not verify default's token");
	free(tok);
	char *t = mint(srv.dev_issuer->issuer, ATT_MAA_AUDIENCE, "Attestation.Reader", 600);
	char *b = bearer(t);
	/* No policy and no default: 200 with MAA's empty unsigned JWS
	 * (issue 12: it was 400; real-outputs/py-getpolicy-tpm-2022-0-
	 * c6902a871570.json). */
	static const char *const nopol[] = {"/policies/Tpm"};
	for (size_t i = 0; i < sizeof(nopol) / sizeof(nopol[0]); i++) {
		unsigned st0;
		json_t *pj = call("GET", nopol[i], NULL, b, "2022-08-01", &st0,
				  NULL);
		json_t *pc = NULL;
		const char *ptok = json_string_value(json_object_get(pj,
								     "token"));
		ATT_CHECK(st0 == 200 && ptok &&
				  att_jwt_decode_unverified(&pc, NULL, ptok,
							    NULL) == 0,
			  "%s: status %u", nopol[i], st0);
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(
					 pc, "x-ms-policy")),
				 "eyJhbGciOiJub25lIn0..");
		json_decref(pc);
		json_decref(pj);
	}
	/* A route refuses a known api-version it does not exist in. */
	{
		unsigned st0;
		json_t *pj = call("GET", "/policies/SgxEnclave", NULL, b,
				  "2018-09-01-preview", &st0, NULL);
		ATT_CHECK(st0 == 400 && err_code(pj) &&
				  !strcmp(err_code(pj), "InvalidParameter"),
			  "policies in 2018-09-01-preview: %u", st0);
		json_decref(pj);
	}
	expect(b, "/policies/Bogus", 400, "InvalidParameter", "unknown type");
	unsigned st;
	json_t *j = call("GET", "/policies/SgxEnclave", NULL, b, "1999-01-01",
			 &st, NULL);
	ATT_CHECK_EQ_INT(st, 400);
	ATT_CHECK_EQ_STR(err_code(j), "InvalidParameter");
	json_decref(j);
	j = call("GET", "/certs", NULL, NULL, "1999-01-01", &st, NULL);
	ATT_CHECK_EQ_INT(st, 200); /* any api-version on /certs */
	json_decref(j);
	free(b);
	free(t);

	/* Provider by path prefix: its own issuer and keys. */
	tok = policy_token("/p2/policies/OpenEnclave");
	char iss2[128];
	snprintf(iss2, sizeof(iss2), "%s/p2", BASE);
	ATT_CHECK_EQ_INT(verify_at(tok, "/p2/certs", iss2, att_time_now()), 0);
	ATT_CHECK(verify_at(tok, "/certs", iss2, att_time_now()) != 0,
		  "default's JWKS does not verify p2's token");
	free(tok);
}

static void test_rotation(void)
{
	struct att_diag d = {0};
	char *old = policy_token("/policies/SgxEnclave");
	int64_t now = att_time_now();
	ATT_CHECK_EQ_INT(att_keys_rotate(srv.store, srv.master, "default", "rsa",
					 BASE, now, NULL, 0, &d),
			 0);
	unsigned st;
	json_t *j = call("GET", "/certs", NULL, NULL, NULL, &st, NULL);
	ATT_CHECK_EQ_INT(json_array_size(json_object_get(j, "keys")), 2);
	json_decref(j);
	ATT_CHECK_EQ_INT(verify_at(old, "/certs", BASE, now), 0);
	char *fresh = policy_token("/policies/SgxEnclave");
	ATT_CHECK_EQ_INT(verify_at(fresh, "/certs", BASE, att_time_now()), 0);
	char *dot1 = strchr(old, '.'), *dot2 = strchr(fresh, '.');
	ATT_CHECK(dot1 - old != dot2 - fresh || memcmp(old, fresh, (size_t)(dot1 - old)),
		  "new token has a new header (kid)");
	/* After the retirement time the old key is no longer published. */
	struct att_keyset *ks = NULL;
	json_t *later = NULL;
	ATT_CHECK_EQ_INT(att_keys_current(&ks, srv.reg->def, srv.store,
					  srv.master, false, &d),
			 0);
	ATT_CHECK_EQ_INT(att_keyset_jwks(&later, ks, now + ATT_MAX_TOKEN_LIFETIME_SECONDS + 1), 0);
	ATT_CHECK_EQ_INT(json_array_size(json_object_get(later, "keys")), 1);
	json_decref(later);
	att_keyset_unref(ks);
	free(old);
	free(fresh);
}

static int setup(void)
{
	struct att_diag d = {0};
	char path[512];
	if (!mkdtemp(dir))
		return -1;
	att_server_config_init(&cfg);
	cfg.dev = true;
	cfg.listen = strdup("127.0.0.1:18999");
	cfg.data_dir = strdup(dir);
	if (att_server_init(&srv, &cfg, &d) != 0) {
		printf("init: %s\n", att_diag_msg(&d));
		return -1;
	}
	uint8_t m[32];
	struct att_store *s = srv.store;
	memcpy(m, srv.master, 32);
	if (att_provider_create(s, m, "p2", "https://127.0.0.1:18999/p2", "aad",
				"ec", NULL, att_time_now(), &d) != 0 ||
	    att_server_reload(&srv, &d) != 0) {
		printf("p2: %s\n", att_diag_msg(&d));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/dev-issuer.key", dir);
	char *pem = NULL;
	size_t n = 0;
	if (att_file_read(&pem, &n, path, 1 << 20, &d) ||
	    att_pkey_from_pem(&dev_key, pem, n))
		return -1;
	free(pem);
	return 0;
}

int main(void)
{
	if (setup() != 0) {
		ATT_CHECK(0, "setup failed");
		return att_test_done();
	}
	test_meta();
	test_auth();
	test_policy();
	test_rotation();
	att_pkey_free(dev_key);
	att_server_release(&srv);
	att_server_config_release(&cfg);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return att_test_done();
}
