/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest sgx | oe | tdx: the MAA client for enclaves and TDs. Sends a
 * DCAP quote (from a file, or made now by the SGX simulator) with
 * optional runtime / init-time data, a nonce and a draft policy to
 * POST <url>/attest/SgxEnclave | OpenEnclave | TdxVm, prints the token
 * and, with --verify, checks it as a relying party (attest/rp.h: OpenID
 * metadata, JWKS, kid, algorithm, signature, issuer, exp) and prints its
 * claims. With --sim the SHA-256 of the runtime data goes into the
 * quote's report data (and that of the init-time data into CONFIGID), so
 * the binding the service checks holds. `oe` wraps the quote in an Open
 * Enclave report header. There is no TDX simulator: `tdx` takes --quote.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/client.h"
#include "attest/err.h"
#include "attest/rp.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "net/http.h"
#include "sim/sgx_sim.h"

int att_cmd_attest_sgx(int argc, char **argv);
int att_cmd_attest_oe(int argc, char **argv);
int att_cmd_attest_tdx(int argc, char **argv);

enum kind { K_SGX, K_OE, K_TDX };

struct opts {
	enum kind kind;
	const char *url, *quote, *sim, *runtime, *init, *nonce, *draft;
	const char *api_version, *out;
	bool runtime_json, init_json, verify, request_only;
	struct att_http_opts http;
	struct att_sgxsim_quote_opts so;
	const char *config_id_hex;
	bool has_config_svn;
	unsigned long config_svn;
};

static const char *const kind_cmd[] = {"sgx", "oe", "tdx"};
static const char *const kind_path[] = {"SgxEnclave", "OpenEnclave", "TdxVm"};

static int usage(enum kind k, FILE *f)
{
	fprintf(f,
		"usage: attest %s --url BASE (--quote FILE%s)\n"
		"         [--runtime-data FILE | --runtime-json FILE]\n"
		"         [--init-data FILE | --init-json FILE] [--nonce N]\n"
		"         [--draft-policy FILE] [--api-version V] [--ca FILE] "
		"[--insecure]\n"
		"         [--verify] [-o TOKEN_FILE] [--request-only]\n",
		kind_cmd[k], k == K_TDX ? "" : " | --sim DIR [SIM OPTIONS]");
	if (k != K_TDX)
		fprintf(f,
			"SIM OPTIONS (the SGX simulator, dev/test only):\n"
			"  --mrenclave HEX --mrsigner HEX --isvprodid N "
			"--isvsvn N --debug\n"
			"  --tcb LEVEL --platform processor|platform --revoked\n"
			"  --config-id HEX --config-svn N (KSS; default "
			"CONFIGID: SHA-256(init data))\n");
	fprintf(f,
		"--quote FILE: binary, hex or base64 DCAP quote%s\n"
		"--verify: check the token as a relying party of BASE and "
		"print its claims\n"
		"--request-only: print the request body instead of sending "
		"it\n"
		"Prints the token; exit 0 ok, 1 refused or failed, 2 usage.\n",
		k == K_OE ? " (an OE report is used as is; a bare quote gets "
			    "the OE header)"
			  : "");
	return f == stdout ? 0 : 2;
}

static int parse_num(unsigned long *out, const char *s, unsigned long max)
{
	char *end = NULL;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long v = strtoul(s, &end, 0);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_hex(uint8_t *out, size_t n, const char *s)
{
	return strlen(s) == 2 * n && !att_hex_decode_fixed(out, n, s, 2 * n)
		       ? 0
		       : -1;
}

/* sim_opt handles a simulator option with a value; 1 when it was one,
 * -1 when its value is bad, 0 when it is not a simulator option. */
static int sim_opt(struct opts *o, const char *a, const char *v)
{
	struct att_sgxsim_quote_opts *q = &o->so;
	unsigned long n = 0;
	if (!strcmp(a, "--mrenclave"))
		return parse_hex(q->mrenclave, 32, v) ? -1 : 1;
	if (!strcmp(a, "--mrsigner"))
		return parse_hex(q->mrsigner, 32, v) ? -1 : 1;
	if (!strcmp(a, "--isvprodid") || !strcmp(a, "--isvsvn")) {
		if (parse_num(&n, v, 0xffff))
			return -1;
		*(a[5] == 'p' ? &q->isvprodid : &q->isvsvn) = (uint16_t)n;
		return 1;
	}
	if (!strcmp(a, "--tcb")) {
		q->tcb = v;
		return 1;
	}
	if (!strcmp(a, "--platform")) {
		q->platform = v;
		return 1;
	}
	if (!strcmp(a, "--config-id")) {
		o->config_id_hex = v;
		return parse_hex(q->config_id, 64, v) ? -1 : 1;
	}
	if (!strcmp(a, "--config-svn")) {
		o->has_config_svn = true;
		return parse_num(&o->config_svn, v, 0xffff) ? -1 : 1;
	}
	return 0;
}

static const char **str_opt(struct opts *o, const char *a)
{
	static const struct {
		const char *name;
		size_t off;
	} t[] = {
#define S(n, f) {n, offsetof(struct opts, f)}
		S("--url", url),	    S("--quote", quote),
		S("--sim", sim),	    S("--runtime-data", runtime),
		S("--runtime-json", runtime), S("--init-data", init),
		S("--init-json", init),     S("--nonce", nonce),
		S("--draft-policy", draft), S("--api-version", api_version),
		S("-o", out),
#undef S
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(a, t[i].name)) {
			if (!strcmp(a, "--runtime-json"))
				o->runtime_json = true;
			if (!strcmp(a, "--init-json"))
				o->init_json = true;
			return (const char **)((char *)o + t[i].off);
		}
	if (!strcmp(a, "--ca"))
		return &o->http.ca_file;
	return NULL;
}

static bool flag_opt(struct opts *o, const char *a)
{
	if (!strcmp(a, "--verify"))
		o->verify = true;
	else if (!strcmp(a, "--request-only"))
		o->request_only = true;
	else if (!strcmp(a, "--insecure"))
		o->http.insecure_skip_verify = true;
	else if (!strcmp(a, "--debug"))
		o->so.debug = true;
	else if (!strcmp(a, "--revoked"))
		o->so.revoked = true;
	else
		return false;
	return true;
}

/* parse returns 0, 2 (usage error) or 3 (help). */
static int parse(struct opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 3;
		if (flag_opt(o, a))
			continue;
		const char **s = str_opt(o, a);
		if (i + 1 == argc) {
			fprintf(stderr, "attest: %s: unknown option or missing "
					"value\n",
				a);
			return 2;
		}
		if (s) {
			*s = argv[++i];
			continue;
		}
		int r = o->kind == K_TDX ? 0 : sim_opt(o, a, argv[i + 1]);
		if (r <= 0) {
			fprintf(stderr, "attest: %s %s: %s\n", a, argv[i + 1],
				r ? "bad value" : "unknown option");
			return 2;
		}
		i++;
	}
	if (!o->url && !o->request_only) {
		fprintf(stderr, "attest: --url is required\n");
		return 2;
	}
	if (!o->quote == !o->sim) {
		fprintf(stderr, "attest: give exactly one of --quote and "
				"--sim\n");
		return 2;
	}
	return 0;
}

static uint8_t *read_file(const char *path, size_t *len, size_t max)
{
	FILE *f = fopen(path, "rb");
	struct att_buf b;
	uint8_t chunk[16384];
	size_t k;
	if (!f)
		return NULL;
	att_buf_init(&b, max);
	int r = 0;
	while (!r && (k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		r = att_buf_add(&b, chunk, k);
	fclose(f);
	if (r) {
		att_buf_release(&b);
		return NULL;
	}
	uint8_t *p = att_buf_detach(&b, len);
	return p ? p : calloc(1, 1);
}

/* decode_text turns a hex or base64 text file into bytes; binary input
 * (a quote starts with a small little-endian number) is kept. */
static uint8_t *decode_text(uint8_t *raw, size_t *len)
{
	size_t n = 0;
	bool hex = true;
	uint8_t *out = NULL;
	if (!*len || raw[0] < 0x20)
		return raw;
	for (size_t i = 0; i < *len; i++) {
		if (raw[i] <= ' ')
			continue;
		raw[n++] = raw[i];
		hex &= strchr("0123456789abcdefABCDEF", raw[i]) != NULL;
	}
	int rc = hex ? att_hex_decode(&out, len, (char *)raw, n)
		     : att_b64_decode(&out, len, (char *)raw, n);
	free(raw);
	return rc ? NULL : out;
}

static int sim_quote(struct opts *o, const uint8_t *rt, size_t rt_len,
		     const uint8_t *init, size_t init_len, struct att_buf *q)
{
	struct att_diag d = {0};
	if (rt)
		att_sha256(o->so.report_data, rt, rt_len);
	if (init && !o->config_id_hex)
		att_sha256(o->so.config_id, init, init_len);
	o->so.has_config = init || o->config_id_hex || o->has_config_svn;
	o->so.config_svn = (uint16_t)o->config_svn;
	if (att_sgxsim_quote(o->sim, &o->so, q, &d) == 0)
		return 0;
	fprintf(stderr, "attest: simulator: %s\n", att_diag_msg(&d));
	return 1;
}

/* oe_wrap prepends the OE report header {1, 2 (remote), size}. */
static int oe_wrap(struct att_buf *out, const uint8_t *q, size_t n)
{
	uint8_t h[16] = {1, 0, 0, 0, 2, 0, 0, 0};
	for (int i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)((uint64_t)n >> (8 * i));
	int r = att_buf_add(out, h, sizeof(h));
	return r ? r : att_buf_add(out, q, n);
}

static int load_evidence(struct opts *o, const uint8_t *rt, size_t rt_len,
			 const uint8_t *init, size_t init_len,
			 struct att_buf *ev)
{
	struct att_buf q;
	att_buf_init(&q, ATT_MAX_QUOTE_LEN + 16);
	int r = 0;
	if (o->sim) {
		r = sim_quote(o, rt, rt_len, init, init_len, &q);
	} else {
		size_t n = 0;
		uint8_t *p = read_file(o->quote, &n, 4 * ATT_MAX_QUOTE_LEN);
		if (p)
			p = decode_text(p, &n);
		if (!p || att_buf_add(&q, p, n)) {
			fprintf(stderr, "attest: cannot read the quote %s (binary, "
					"hex or base64, at most 64 KiB)\n",
				o->quote);
			r = 1;
		}
		free(p);
	}
	bool has_oe = q.len >= 8 && q.data[0] == 1 && q.data[4] == 2;
	if (!r && o->kind == K_OE && !has_oe)
		r = oe_wrap(ev, q.data, q.len) ? 1 : 0;
	else if (!r)
		r = att_buf_add(ev, q.data, q.len) ? 1 : 0;
	att_buf_release(&q);
	return r;
}

static json_t *data_obj(const uint8_t *p, size_t n, bool json)
{
	char *b = att_b64url_encode(p, n);
	json_t *o = b ? json_pack("{s:s, s:s}", "data", b, "dataType",
				  json ? "JSON" : "Binary")
		      : NULL;
	free(b);
	return o;
}

struct inputs {
	uint8_t *rt, *init;
	size_t rt_len, init_len;
	char *draft;
	size_t draft_len;
};

static int read_inputs(struct opts *o, struct inputs *in)
{
	const char *bad = NULL;
	if (o->runtime &&
	    !(in->rt = read_file(o->runtime, &in->rt_len, ATT_MAX_HTTP_BODY)))
		bad = o->runtime;
	if (!bad && o->init &&
	    !(in->init = read_file(o->init, &in->init_len, ATT_MAX_HTTP_BODY)))
		bad = o->init;
	if (!bad && o->draft &&
	    !(in->draft = (char *)read_file(o->draft, &in->draft_len,
					    ATT_MAX_POLICY_LEN)))
		bad = o->draft;
	if (bad) {
		fprintf(stderr, "attest: cannot read %s\n", bad);
		return 1;
	}
	return 0;
}

static json_t *build_request(struct opts *o, const struct inputs *in,
			     const struct att_buf *ev)
{
	char *q = att_b64url_encode(ev->data, ev->len);
	json_t *req = q ? json_pack("{s:s}", o->kind == K_OE ? "report"
							      : "quote",
				    q)
			: NULL;
	free(q);
	if (!req)
		return NULL;
	int r = 0;
	if (in->rt)
		r |= json_object_set_new(req, "runtimeData",
					 data_obj(in->rt, in->rt_len,
						  o->runtime_json));
	if (in->init)
		r |= json_object_set_new(req, "initTimeData",
					 data_obj(in->init, in->init_len,
						  o->init_json));
	if (in->draft)
		r |= json_object_set_new(req, "draftPolicyForAttestation",
					 json_stringn(in->draft, in->draft_len));
	if (o->nonce)
		r |= json_object_set_new(req, "nonce", json_string(o->nonce));
	if (r) {
		json_decref(req);
		return NULL;
	}
	return req;
}

/* send_request posts body and returns the token (malloc'd) or NULL after
 * printing the service's error. */
static char *send_request(struct opts *o, const char *body)
{
	struct att_buf resp;
	struct att_diag d = {0};
	char url[2048];
	long status = 0;
	char *token = NULL;
	const char *v = o->api_version ? o->api_version
		      : o->kind == K_TDX ? "2025-06-01"
					 : "2020-10-01";
	size_t ul = strlen(o->url);
	while (ul && o->url[ul - 1] == '/')
		ul--;
	snprintf(url, sizeof(url), "%.*s/attest/%s?api-version=%s", (int)ul,
		 o->url, kind_path[o->kind], v);
	att_buf_init(&resp, 0);
	if (att_http_post(&resp, &status, url, &o->http, "application/json",
			  body, strlen(body), &d) != 0) {
		fprintf(stderr, "attest: %s\n", att_diag_msg(&d));
		goto out;
	}
	json_t *j = json_loadb((const char *)resp.data, resp.len, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "token"));
	json_t *e = json_object_get(j, "error");
	if (status == 200 && t)
		token = strdup(t);
	else if (e)
		fprintf(stderr, "attest: HTTP %ld %s: %s\n", status,
			json_string_value(json_object_get(e, "code")),
			json_string_value(json_object_get(e, "message")));
	else
		fprintf(stderr, "attest: HTTP %ld from %s: unexpected body\n",
			status, url);
	json_decref(j);
out:
	att_buf_release(&resp);
	return token;
}

static int verify_token(struct opts *o, const char *token)
{
	char err[ATT_DIAG_LEN] = "", *claims = NULL;
	size_t ul = strlen(o->url);
	char issuer[2048];
	while (ul && o->url[ul - 1] == '/')
		ul--;
	snprintf(issuer, sizeof(issuer), "%.*s", (int)ul, o->url);
	struct att_rp_opts ro = {.issuer = issuer, .http = &o->http,
				 .skew_seconds = -1, .min_refresh_seconds = -1};
	struct att_rp *rp = att_rp_new_opts(&ro);
	int r = rp ? att_rp_verify(rp, token, 0, &claims, err, sizeof(err))
		   : ATT_ERR_INVALID_ARG;
	if (r == 0) {
		json_t *j = json_loads(claims, 0, NULL);
		char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
		printf("%s\n", s ? s : claims);
		free(s);
		json_decref(j);
	} else {
		fprintf(stderr, "attest: the token does not verify%s: %s\n",
			o->draft ? " (a draft-policy token is unsigned "
				   "by design)"
				 : "",
			rp ? err : "bad --url");
	}
	free(claims);
	att_rp_free(rp);
	return r ? 1 : 0;
}

static int output(struct opts *o, const char *token)
{
	if (!o->out) {
		printf("%s\n", token);
		return 0;
	}
	FILE *f = fopen(o->out, "w");
	if (!f || fprintf(f, "%s\n", token) < 0 || fclose(f) != 0) {
		fprintf(stderr, "attest: cannot write %s\n", o->out);
		return 1;
	}
	return 0;
}

static int run(enum kind k, int argc, char **argv)
{
	struct opts o;
	struct inputs in = {0};
	struct att_buf ev;
	memset(&o, 0, sizeof(o));
	o.kind = k;
	att_sgxsim_quote_opts_init(&o.so);
	int r = parse(&o, argc, argv);
	if (r)
		return usage(k, r == 3 ? stdout : stderr);
	att_buf_init(&ev, 2 * ATT_MAX_QUOTE_LEN);
	json_t *req = NULL;
	char *body = NULL, *token = NULL;
	r = read_inputs(&o, &in);
	if (!r)
		r = load_evidence(&o, in.rt, in.rt_len, in.init, in.init_len,
				  &ev);
	if (!r && (!(req = build_request(&o, &in, &ev)) ||
		   !(body = json_dumps(req, JSON_COMPACT))))
		r = 1;
	if (!r && o.request_only)
		printf("%s\n", body);
	else if (!r && !(token = send_request(&o, body)))
		r = 1;
	if (!r && token)
		r = output(&o, token);
	if (!r && token && o.verify)
		r = verify_token(&o, token);
	free(token);
	free(body);
	json_decref(req);
	att_buf_release(&ev);
	free(in.rt);
	free(in.init);
	free(in.draft);
	return r;
}

int att_cmd_attest_sgx(int argc, char **argv)
{
	return run(K_SGX, argc, argv);
}

int att_cmd_attest_oe(int argc, char **argv)
{
	return run(K_OE, argc, argv);
}

int att_cmd_attest_tdx(int argc, char **argv)
{
	return run(K_TDX, argc, argv);
}
