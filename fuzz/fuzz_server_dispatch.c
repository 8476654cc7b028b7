/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the server's in-process request pipeline
 * (att_server_handle: provider selection, routing, api-version, bearer
 * auth, every handler of routes.c) on requests built from the input.
 *
 * Input: up to FZ_MAX_REQS requests separated by a line "%%"; each is
 *   METHOD TARGET    e.g. PUT /iso/policies/SgxEnclave?api-version=2022-08-01
 *   Name: value      Host, Authorization, Content-Type (others ignored)
 *   (empty line)
 *   body
 * Header values and the body are expanded (fuzz_server_util.h), with
 * these names: @TOKR@ @TOKC@ reader / contributor bearer tokens of the
 * dev issuer, @TOKX@ a token without a role, @TOKE@ an expired one; @X5C@
 * @X5CR@ the certificates registered on the isolated provider "iso",
 * @X5CS@ an unregistered one; @Q@ a simulated SGX quote (base64url) whose
 * report data is SHA-256 of {"fuzz":true}, @QK@ the same with CONFIGID =
 * SHA-256 of {"init":true} (KSS), @QOE@ @Q@ with an Open Enclave report
 * header, @QOLD@ a debug enclave's quote at TCB level OutOfDate on the
 * "platform" platform (same report data). So a seed can be a real,
 * signed policy upload or an attestation that verifies, and the
 * mutations start from there.
 *
 * One dev-mode server is set up once per process in a temporary data dir
 * (on /dev/shm when there is one, removed at exit) with providers
 * "default" (aad), "iso" (isolated, two registered policy management
 * certificates) and "open" (aad, authentication disabled). Writes that
 * succeeded are undone after each input (policies deleted, registered
 * certificates restored), so the store keeps only audit rows; should
 * the database still pass FZ_MAX_DB_BYTES, the server is rebuilt.
 *
 * Checked for every response: a known status; an MAA error body
 * {"error":{"code","message"}} on errors; a JSON body for JSON content;
 * WWW-Authenticate on 401 and Allow on 405; a returned token verifies
 * with the provider's published keys and names it as issuer (unless it
 * is the unsigned token of a draft policy); and no 500 (an internal error
 * caused by a request is a bug) unless ATT_FUZZ_ALLOW_500 is set.
 * ATT_FUZZ_DEBUG=1 prints every request's status and the set-up time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "crypto/digest.h"
#include "evidence/sgx/quote.h"
#include "fuzz_server_util.h"
#include "server/datadir.h"
#include "server/keys.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"
#include "sim/sgx_sim.h"
#include "store/store.h"
#include "token/jws.h"
#include "token/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_REQS 8
#define FZ_MAX_DB_BYTES (256LL * 1024 * 1024)
#define FZ_LISTEN "127.0.0.1:18997"
#define FZ_RT_DATA "{\"fuzz\":true}"
#define FZ_INIT_DATA "{\"init\":true}"

enum { S_TOKR, S_TOKC, S_TOKX, S_TOKE, S_X5C, S_X5CR, S_X5CS, S_Q, S_QK,
       S_QOE, S_QOLD, S_N };
/* (a name ends with '@', so no name is a prefix of another) */
static const struct {
	const char *name;
	int idx;
} subst_def[S_N] = {
	{"@TOKR@", S_TOKR}, {"@TOKC@", S_TOKC}, {"@TOKX@", S_TOKX},
	{"@TOKE@", S_TOKE}, {"@X5C@", S_X5C},	{"@X5CR@", S_X5CR},
	{"@X5CS@", S_X5CS}, {"@Q@", S_Q},	{"@QK@", S_QK},
	{"@QOE@", S_QOE},   {"@QOLD@", S_QOLD},
};

static const char *const providers[] = {"default", "iso", "open"};
static const char *const types[] = {"SgxEnclave", "OpenEnclave", "Tpm",
				    "TdxVm"};

static struct {
	bool up;
	char dir[256];
	struct att_server srv;
	struct att_server_config cfg;
	struct fz_keys keys;
	char *values[S_N];
	struct fz_subst subst[S_N];
	unsigned long inputs;
} g;

/* ---- set-up ---- */

static int pick_dir(void)
{
	const char *bases[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!bases[i])
			continue;
		snprintf(g.dir, sizeof(g.dir), "%s/att-fuzz-dispatch-XXXXXX",
			 bases[i]);
		if (mkdtemp(g.dir))
			return 0;
	}
	g.dir[0] = 0;
	return -1;
}

static char *mint(struct att_pkey *key, const char *kid, const char *iss,
		  const char *role, int64_t exp_off)
{
	int64_t now = att_time_now();
	json_t *c = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s}", "iss",
			      iss, "aud", ATT_MAA_AUDIENCE, "iat",
			      (json_int_t)now, "nbf", (json_int_t)now, "exp",
			      (json_int_t)(now + exp_off), "sub", "fuzz-sub",
			      "oid", "fuzz-oid", "appid", "fuzz app");
	if (c && role)
		json_object_set_new(c, "roles", json_pack("[s]", role));
	struct att_jwt_signer s = {.key = key, .alg = ATT_JWS_RS256,
				   .kid = kid};
	char *tok = NULL;
	if (!c || att_jwt_sign(&tok, c, &s) != 0)
		tok = NULL;
	json_decref(c);
	return tok;
}

static int tokens(void)
{
	struct att_diag d = {0};
	struct att_pkey *key = NULL;
	char path[512], *pem = NULL;
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/%s", g.dir, ATT_DEV_ISSUER_KEY);
	if (att_file_read(&pem, &n, path, 1 << 20, &d) ||
	    att_pkey_from_pem(&key, pem, n)) {
		free(pem);
		return -1;
	}
	free(pem);
	const char *iss = g.srv.dev_issuer->issuer;
	const char *kid = g.srv.dev_issuer->kid;
	int64_t year = 365LL * 86400;
	g.values[S_TOKR] = mint(key, kid, iss, "Attestation.Reader", 10 * year);
	g.values[S_TOKC] =
		mint(key, kid, iss, "Attestation.Contributor", 10 * year);
	g.values[S_TOKX] = mint(key, kid, iss, NULL, 10 * year);
	g.values[S_TOKE] = mint(key, kid, iss, "Attestation.Reader", -3600);
	att_pkey_free(key);
	return g.values[S_TOKR] && g.values[S_TOKC] && g.values[S_TOKX] &&
			       g.values[S_TOKE]
		       ? 0
		       : -1;
}

static char *b64_quote(const struct att_sgxsim_quote_opts *o, bool oe)
{
	struct att_diag d = {0};
	struct att_buf q;
	char sim[300];
	uint8_t hdr[ATT_SGX_OE_HEADER_LEN] = {1, 0, 0, 0, 2};
	att_buf_init(&q, 1 << 20);
	snprintf(sim, sizeof(sim), "%s/%s", g.dir, ATT_ATTEST_SIM_DIR);
	if (oe && att_buf_add(&q, hdr, sizeof(hdr)) != 0)
		return NULL;
	if (att_sgxsim_quote(sim, o, &q, &d) != 0) {
		fprintf(stderr, "fuzz: sim quote: %s\n", att_diag_msg(&d));
		att_buf_release(&q);
		return NULL;
	}
	if (oe) { /* the header's u64 size: the quote's length */
		uint64_t len = q.len - sizeof(hdr);
		for (int i = 0; i < 8; i++)
			q.data[8 + i] = (uint8_t)(len >> (8 * i));
	}
	char *b = att_b64url_encode(q.data, q.len);
	att_buf_release(&q);
	return b;
}

static int quotes(void)
{
	struct att_sgxsim_quote_opts o;
	att_sgxsim_quote_opts_init(&o);
	att_sha256(o.report_data, FZ_RT_DATA, strlen(FZ_RT_DATA));
	g.values[S_Q] = b64_quote(&o, false);
	g.values[S_QOE] = b64_quote(&o, true);
	o.has_config = true;
	att_sha256(o.config_id, FZ_INIT_DATA, strlen(FZ_INIT_DATA));
	o.config_svn = 3;
	g.values[S_QK] = b64_quote(&o, false);
	att_sgxsim_quote_opts_init(&o);
	o.platform = "platform";
	o.tcb = "OutOfDate";
	o.debug = true;
	att_sha256(o.report_data, FZ_RT_DATA, strlen(FZ_RT_DATA));
	g.values[S_QOLD] = b64_quote(&o, false);
	return g.values[S_Q] && g.values[S_QOE] && g.values[S_QK] &&
			       g.values[S_QOLD]
		       ? 0
		       : -1;
}

static int register_certs(void)
{
	struct att_diag d = {0};
	struct att_store_polcert a = fz_polcert(&g.keys.ec, "iso");
	struct att_store_polcert b = fz_polcert(&g.keys.rsa, "iso");
	int r = att_store_polcert_add(g.srv.store, &a, NULL, &d);
	if (r == 0 || r == ATT_ERR_EXISTS)
		r = att_store_polcert_add(g.srv.store, &b, NULL, &d);
	return r == ATT_ERR_EXISTS ? 0 : r;
}

static int providers_add(void)
{
	struct att_diag d = {0};
	int64_t now = att_time_now();
	if (att_provider_create(g.srv.store, g.srv.master, "iso",
				"https://" FZ_LISTEN "/iso", "isolated", "ec",
				NULL, now, &d) ||
	    att_provider_create(g.srv.store, g.srv.master, "open",
				"https://" FZ_LISTEN "/open", "aad", "ec",
				"{\"enabled\": false}", now, &d) ||
	    register_certs() || att_server_reload(&g.srv, &d)) {
		fprintf(stderr, "fuzz: providers: %s\n", att_diag_msg(&d));
		return -1;
	}
	return 0;
}

static void teardown(void)
{
	if (g.up) {
		att_server_attest_release(&g.srv);
		att_server_release(&g.srv);
		att_server_config_release(&g.cfg);
	}
	for (int i = 0; i < S_N; i++) {
		if (i != S_X5C && i != S_X5CR && i != S_X5CS)
			free(g.values[i]);
		g.values[i] = NULL;
	}
	fz_keys_release(&g.keys);
	if (g.dir[0]) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz: cannot remove %s\n", g.dir);
		g.dir[0] = 0;
	}
	g.up = false;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int setup(void)
{
	struct att_diag d = {0};
	double t0 = mono();
	att_log_set_level(ATT_LOG_ERROR);
	if (pick_dir() != 0 || fz_keys_init(&g.keys) != 0)
		return -1;
	att_server_config_init(&g.cfg);
	g.cfg.dev = true;
	g.cfg.listen = strdup(FZ_LISTEN);
	g.cfg.data_dir = strdup(g.dir);
	/* att_server_init makes the attestation context itself now; an
	 * older one left it to the caller (EXISTS: already there). */
	int r = att_server_init(&g.srv, &g.cfg, &d);
	if (r == 0 && (r = att_server_attest_init(&g.srv, NULL, &d)) ==
			      ATT_ERR_EXISTS)
		r = 0;
	if (r != 0) {
		fprintf(stderr, "fuzz: server: %s\n", att_diag_msg(&d));
		g.up = true;
		return -1;
	}
	g.up = true;
	g.values[S_X5C] = g.keys.ec.x5c;
	g.values[S_X5CR] = g.keys.rsa.x5c;
	g.values[S_X5CS] = g.keys.stranger.x5c;
	if (getenv("ATT_FUZZ_DEBUG"))
		fprintf(stderr, "fuzz: server up %.2f s\n", mono() - t0);
	if (providers_add() || tokens() || quotes())
		return -1;
	if (getenv("ATT_FUZZ_DEBUG"))
		fprintf(stderr, "fuzz: set-up done %.2f s\n", mono() - t0);
	for (int i = 0; i < S_N; i++)
		g.subst[i] = (struct fz_subst){subst_def[i].name,
					       g.values[subst_def[i].idx]};
	return 0;
}

static int ensure_up(void)
{
	static int state; /* 0 not tried, 1 up, -1 failed */
	if (state == 0) {
		state = setup() == 0 ? 1 : -1;
		atexit(teardown);
	}
	if (state < 0) { /* never pass quietly without testing anything */
		fprintf(stderr, "fuzz: set-up failed\n");
		abort();
	}
	return 0;
}

/* ---- undoing writes ---- */

static void reset_state(void)
{
	struct att_diag d = {0};
	for (size_t p = 0; p < sizeof(providers) / sizeof(*providers); p++) {
		for (size_t t = 0; t < sizeof(types) / sizeof(*types); t++)
			att_store_policy_delete(g.srv.store, providers[p],
						types[t], NULL, &d);
		struct att_store_polcert *v = NULL;
		size_t n = 0;
		if (att_store_polcert_list(g.srv.store, providers[p], &v, &n,
					   &d) != 0)
			abort();
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].thumbprint, g.keys.ec.thumb) &&
			    strcmp(v[i].thumbprint, g.keys.rsa.thumb))
				att_store_polcert_remove(g.srv.store,
							 providers[p],
							 v[i].thumbprint, NULL,
							 &d);
		att_store_polcert_list_free(v, n);
	}
	if (register_certs() != 0)
		abort();
}

static void maybe_rebuild(void)
{
	struct stat st;
	char path[512];
	long long total = 0;
	const char *names[] = {"attestd.db", "attestd.db-wal"};
	if (++g.inputs % 1024)
		return;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", g.dir, names[i]);
		if (stat(path, &st) == 0)
			total += st.st_size;
	}
	if (total < FZ_MAX_DB_BYTES)
		return;
	teardown();
	if (setup() != 0) {
		fprintf(stderr, "fuzz: rebuild failed\n");
		abort();
	}
}

/* ---- one request ---- */

struct fz_req {
	char *method, *path, *apiver;
	char *host, *authz, *ctype;
	char *body;
	size_t body_len;
};

static void fz_req_release(struct fz_req *r)
{
	free(r->method);
	free(r->path);
	free(r->apiver);
	free(r->host);
	free(r->authz);
	free(r->ctype);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static char *dup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static char *expand(const char *p, size_t n, size_t *out_len)
{
	size_t len = 0;
	char *s = fz_expand_all(&g.keys, g.subst, S_N, p, n, &len);
	if (out_len)
		*out_len = len;
	return s;
}

static void parse_target(struct fz_req *r, const char *t, size_t n)
{
	const char *q = memchr(t, '?', n);
	size_t plen = q ? (size_t)(q - t) : n;
	r->path = dup_n(t, plen);
	if (!r->path[0]) {
		free(r->path);
		r->path = dup_n("/", 1);
	}
	if (!q)
		return;
	const char *a = q + 1, *end = t + n;
	while (a < end) {
		const char *amp = memchr(a, '&', (size_t)(end - a));
		const char *e = amp ? amp : end;
		if ((size_t)(e - a) >= 12 && !memcmp(a, "api-version=", 12)) {
			free(r->apiver);
			r->apiver = dup_n(a + 12, (size_t)(e - a - 12));
		}
		a = e + 1;
	}
}

static void parse_header(struct fz_req *r, const char *l, size_t n)
{
	const char *colon = memchr(l, ':', n);
	if (!colon)
		return;
	size_t kn = (size_t)(colon - l);
	const char *v = colon + 1;
	size_t vn = n - kn - 1;
	while (vn && (*v == ' ' || *v == '\t')) {
		v++;
		vn--;
	}
	char **dst = kn == 4 && !strncasecmp(l, "host", 4) ? &r->host
		     : kn == 13 && !strncasecmp(l, "authorization", 13)
			     ? &r->authz
		     : kn == 12 && !strncasecmp(l, "content-type", 12)
			     ? &r->ctype
			     : NULL;
	if (!dst)
		return;
	free(*dst);
	*dst = expand(v, vn, NULL);
}

/* parse_req reads one request text; false when it has no request line. */
static bool parse_req(struct fz_req *r, const char *p, size_t n)
{
	const char *end = p + n;
	const char *nl = memchr(p, '\n', n);
	const char *le = nl ? nl : end;
	const char *sp = memchr(p, ' ', (size_t)(le - p));
	memset(r, 0, sizeof(*r));
	if (le == p)
		return false;
	r->method = dup_n(p, (size_t)((sp ? sp : le) - p));
	if (sp)
		parse_target(r, sp + 1, (size_t)(le - sp - 1));
	else
		r->path = dup_n("/", 1);
	p = nl ? nl + 1 : end;
	while (p < end) { /* headers, up to an empty line */
		const char *line = p;
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl ? nl : end;
		size_t ln = (size_t)(le - line);
		if (ln && line[ln - 1] == '\r')
			ln--;
		p = nl ? nl + 1 : end;
		if (ln == 0)
			break;
		parse_header(r, line, ln);
	}
	if (p < end)
		r->body = expand(p, (size_t)(end - p), &r->body_len);
	return true;
}

/* ---- response checks ---- */

static bool known_status(unsigned s)
{
	static const unsigned ok[] = {200, 400, 401, 403, 404, 405, 503};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (s == ok[i])
			return true;
	return false;
}

static void fail(const struct fz_req *r, const struct att_resp *resp,
		 const char *why)
{
	fprintf(stderr, "fuzz: %s %s -> %u: %s\n%.*s\n", r->method, r->path,
		resp->status, why, (int)(resp->body.len > 2000 ? 2000
							      : resp->body.len),
		resp->body.data ? (const char *)resp->body.data : "");
	abort();
}

/* A signed token must verify with the provider's published keys and
 * carry the provider as issuer; an unsigned one (draft policy) must be
 * alg none. */
static void check_token(const struct fz_req *r, const struct att_resp *resp,
			json_t *body, struct att_provider *prov, int64_t now)
{
	json_t *t = json_object_get(body, "token"), *jwks = NULL;
	struct att_keyset *ks = NULL;
	struct att_diag d = {0};
	struct att_jws j;
	if (!t)
		return;
	if (!json_is_string(t) || !prov ||
	    att_jws_parse(&j, json_string_value(t), json_string_length(t),
			  &d) != 0)
		fail(r, resp, "the token is not a JWS");
	bool unsigned_tok = att_jws_is_unsigned(&j);
	att_jws_release(&j);
	if (unsigned_tok)
		return;
	if (att_keys_current(&ks, prov, g.srv.store, g.srv.master, false,
			     &d) != 0 ||
	    att_keyset_jwks(&jwks, ks, now) != 0)
		fail(r, resp, "cannot read the provider's keys");
	struct att_jwt_verify_opts o = {.issuer = prov->base_url,
					.now = now,
					.require_exp = true};
	if (att_jwt_verify(NULL, NULL, json_string_value(t), jwks, &o, &d))
		fail(r, resp, att_diag_msg(&d));
	json_decref(jwks);
	att_keyset_unref(ks);
}

static void check_resp(const struct fz_req *r, const struct att_resp *resp,
		       struct att_provider *prov, int64_t now)
{
	if (resp->status == 500 && !getenv("ATT_FUZZ_ALLOW_500"))
		fail(r, resp, "internal error caused by a request");
	if (resp->status != 500 && !known_status(resp->status))
		fail(r, resp, "unexpected status");
	if (resp->status == 401 && !resp->www_authenticate[0])
		fail(r, resp, "401 without WWW-Authenticate");
	if (resp->status == 405 && !resp->allow[0])
		fail(r, resp, "405 without Allow");
	if (!resp->content_type || strncmp(resp->content_type,
					   "application/json", 16))
		return;
	json_t *b = json_loadb((const char *)resp->body.data, resp->body.len,
			       0, NULL);
	if (!json_is_object(b))
		fail(r, resp, "JSON content type but not a JSON object");
	if (resp->status != 200) {
		json_t *e = json_object_get(b, "error");
		if (!json_is_string(json_object_get(e, "code")) ||
		    !json_is_string(json_object_get(e, "message")) ||
		    !resp->error_code)
			fail(r, resp, "error without an MAA error body");
	} else {
		check_token(r, resp, b, prov, now);
	}
	json_decref(b);
}

/* run one request; true when it may have changed the store */
static bool run(const char *p, size_t n)
{
	struct fz_req r;
	if (!parse_req(&r, p, n))
		return false;
	struct att_req req = {.srv = &g.srv,
			      .method = r.method,
			      .path = r.path,
			      .host = r.host,
			      .authorization = r.authz,
			      .content_type = r.ctype,
			      .api_version = r.apiver,
			      .body = (const uint8_t *)r.body,
			      .body_len = r.body_len};
	struct att_resp resp;
	att_resp_init(&resp);
	att_server_handle(&g.srv, &req, &resp);
	if (getenv("ATT_FUZZ_DEBUG"))
		fprintf(stderr, "fuzz: %s %s -> %u %.300s\n", r.method, r.path,
			resp.status,
			resp.body.data ? (const char *)resp.body.data : "");
	check_resp(&r, &resp, req.prov, req.now);
	bool wrote = resp.status == 200 && strcmp(r.method, "GET") != 0;
	att_resp_release(&resp);
	fz_req_release(&r);
	return wrote;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n%%\n";
	const char *p = (const char *)data, *end = p + size;
	bool dirty = false;
	if (ensure_up() != 0)
		return 0;
	for (int i = 0; i < FZ_MAX_REQS && p < end; i++) {
		const char *s = memmem(p, (size_t)(end - p), sep, 4);
		const char *e = s ? s : end;
		dirty |= run(p, (size_t)(e - p));
		p = s ? s + 4 : end;
	}
	if (dirty)
		reset_state();
	maybe_rebuild();
	return 0;
}
