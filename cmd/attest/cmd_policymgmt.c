/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest policy set | policy reset | certs list | certs add | certs remove:
 * the client side of MAA policy management (MAA REST API "Policy",
 * "Policy Certificates"; docs/policy-management.md).
 * Uploads are JWS built here: unsigned ({"alg":"none"}) or, with
 * --sign-key/--sign-cert, signed with the key (RS256 for RSA, ES256/ES384
 * for EC) and the certificate in the header's x5c, as the Azure SDKs do.
 * Policies go as text/plain, certificate changes as a JSON string. Every
 * response token is verified as a relying party would (the provider's
 * OpenID metadata and JWKS, issuer = --issuer or --url), and the result is
 * checked against what was sent: the policy token hash must be
 * b64url(SHA-256(JWS sent)), the certificate thumbprint the SHA-1 of the
 * certificate sent. With --bind (or --bind-ttl SECONDS) a policy set or
 * reset also carries the binding claims of docs/policy-management.md:
 * "x-attestd-attestation-type" (--type), "iss" (--issuer or --url),
 * "iat" (now) and, with --bind-ttl, "exp" (now + SECONDS).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "attest/rp.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "client/http.h"
#include "cmd_dev.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "token/jws.h"

int att_cmd_policy_set(int argc, char **argv);
int att_cmd_policy_reset(int argc, char **argv);
int att_cmd_certs_list(int argc, char **argv);
int att_cmd_certs_add(int argc, char **argv);
int att_cmd_certs_remove(int argc, char **argv);

struct pm_args {
	const char *url, *type, *ca, *bearer, *dev_dir, *api_version;
	const char *key, *cert, *issuer, *file;
	bool json, bind;
	long long bind_ttl; /* seconds; 0: no exp */
	struct att_http_opts http;
	char *dev_token;
	struct att_pkey *sign_key;
	struct att_cert *sign_cert;
};

static void pm_release(struct pm_args *a)
{
	free(a->dev_token);
	att_pkey_free(a->sign_key);
	att_cert_free(a->sign_cert);
}

/* parse_ttl reads --bind-ttl: a whole number of seconds, 1 to 100 years
 * (a signed policy may be kept and re-sent for a long time). */
static int parse_ttl(const char *s, long long *out)
{
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 1 || v > 100LL * 365 * 86400)
		return -1;
	*out = v;
	return 0;
}

static int parse(int argc, char **argv, struct pm_args *a)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'},
		{"type", required_argument, NULL, 't'},
		{"ca", required_argument, NULL, 'c'},
		{"bearer", required_argument, NULL, 'b'},
		{"dev-token-dir", required_argument, NULL, 'D'},
		{"api-version", required_argument, NULL, 'v'},
		{"sign-key", required_argument, NULL, 'k'},
		{"sign-cert", required_argument, NULL, 'C'},
		{"issuer", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"bind", no_argument, NULL, 'B'},
		{"bind-ttl", required_argument, NULL, 'T'},
		{NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char **dst = c == 'u' ? &a->url : c == 't' ? &a->type
				 : c == 'c' ? &a->ca : c == 'b' ? &a->bearer
				 : c == 'D' ? &a->dev_dir : c == 'v' ? &a->api_version
				 : c == 'k' ? &a->key : c == 'C' ? &a->cert
				 : c == 'i' ? &a->issuer : NULL;
		if (c == 'j')
			a->json = true;
		else if (c == 'B')
			a->bind = true;
		else if (c == 'T' && parse_ttl(optarg, &a->bind_ttl) == 0)
			a->bind = true;
		else if (!dst)
			return -1;
		else
			*dst = optarg;
	}
	if (optind < argc)
		a->file = argv[optind++];
	if (!a->url || optind != argc || (!a->key != !a->cert))
		return -1;
	return 0;
}

static int read_file(char **out, size_t *len, const char *path, size_t max,
		     struct att_diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(max + 1) : NULL;
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	int r = !f     ? att_diag_set(d, ATT_ERR_IO, "cannot open %s", path)
		: !buf ? ATT_ERR_NOMEM
		: ferror(f) ? att_diag_set(d, ATT_ERR_IO, "cannot read %s", path)
		: n > max ? att_diag_set(d, ATT_ERR_LIMIT,
					 "%s is longer than %zu bytes", path, max)
			  : 0;
	if (f)
		fclose(f);
	if (r) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* load_cert reads the first certificate of a PEM file. */
static int load_cert(struct att_cert **out, const char *path,
		     struct att_diag *d)
{
	char *pem = NULL;
	size_t len = 0;
	int r = read_file(&pem, &len, path, 1 << 20, d);
	if (!r && (r = att_cert_from_pem(out, pem, len)) != 0)
		att_diag_set(d, r, "%s: no PEM certificate", path);
	free(pem);
	return r;
}

/* setup loads the signer (checking that key and certificate match) and
 * the bearer token (a dev token of role when --dev-token-dir). */
static int setup(struct pm_args *a, const char *role, struct att_diag *d)
{
	char *pem = NULL;
	size_t len = 0;
	struct att_pkey *pub = NULL;
	int r = 0;
	if (a->key) {
		if ((r = read_file(&pem, &len, a->key, 1 << 20, d)) ||
		    (r = load_cert(&a->sign_cert, a->cert, d)))
			goto out;
		if ((r = att_pkey_from_pem(&a->sign_key, pem, len)) ||
		    !att_pkey_has_private(a->sign_key)) {
			r = att_diag_set(d, r ? r : ATT_ERR_FORMAT,
					 "%s: no usable private key", a->key);
			goto out;
		}
		if ((r = att_cert_get1_pubkey(&pub, a->sign_cert)) ||
		    !att_pkey_equal_public(pub, a->sign_key)) {
			r = att_diag_set(d, ATT_ERR_MISMATCH,
					 "%s does not hold the key of %s",
					 a->key, a->cert);
			goto out;
		}
	}
	if (a->dev_dir) {
		struct att_dev_token_opts o = {.dir = a->dev_dir, .role = role,
					       .ttl = 300};
		r = att_cli_dev_token(&a->dev_token, &o, d);
	}
	a->http.ca_file = a->ca;
	a->http.bearer = a->dev_token ? a->dev_token : a->bearer;
out:
	att_pkey_free(pub);
	free(pem);
	return r;
}

/* make_jws builds the upload: unsigned, or signed with x5c. */
static int make_jws(char **out, const struct pm_args *a, const char *payload,
		    struct att_diag *d)
{
	size_t len = strlen(payload);
	if (!a->sign_key)
		return att_jws_unsigned(out, NULL, payload, len);
	char *b64 = NULL;
	int r = att_cert_x5c_b64(&b64, a->sign_cert);
	json_t *hdr = r ? NULL : json_pack("{s:[s]}", "x5c", b64);
	r = hdr ? att_jws_sign(out, hdr, payload, len, a->sign_key,
			       att_jws_alg_for_key(a->sign_key))
		: ATT_ERR_NOMEM;
	if (r)
		att_diag_set(d, r, "cannot sign the request: %s",
			     att_strerror(r));
	json_decref(hdr);
	free(b64);
	return r;
}

static void make_url(char *out, size_t len, const struct pm_args *a,
		     const char *path)
{
	size_t ul = strlen(a->url);
	if (ul && a->url[ul - 1] == '/')
		ul--;
	snprintf(out, len, "%.*s%s?api-version=%s", (int)ul, a->url, path,
		 a->api_version);
}

/* verify_token verifies the response's token with the provider's keys
 * and returns its claims. */
static int verify_token(json_t **claims, json_t *resp,
			const struct pm_args *a, struct att_diag *d)
{
	char err[512] = "", *text = NULL, iss[2048];
	const char *tok = json_string_value(json_object_get(resp, "token"));
	if (!tok)
		return att_diag_set(d, ATT_ERR_FORMAT, "response has no token");
	size_t ul = strlen(a->issuer ? a->issuer : a->url);
	snprintf(iss, sizeof(iss), "%s", a->issuer ? a->issuer : a->url);
	if (ul && ul < sizeof(iss) && iss[ul - 1] == '/')
		iss[ul - 1] = '\0';
	struct att_rp *rp = att_rp_new(iss, &a->http);
	int r = rp ? att_rp_verify(rp, tok, 0, &text, err, sizeof(err))
		   : ATT_ERR_INVALID_ARG;
	att_rp_free(rp);
	if (r) {
		free(text);
		return att_diag_set(d, r, "response token does not verify: %s",
				    err[0] ? err : att_strerror(r));
	}
	*claims = json_loads(text, 0, NULL);
	free(text);
	return *claims ? 0 : att_diag_set(d, ATT_ERR_FORMAT, "bad claims");
}

/* send_text sends a text/plain body and parses the JSON answer; an MAA
 * error body becomes the diagnostic. */
static int send_text(json_t **out, const char *method, const char *url,
		     const char *body, const struct pm_args *a,
		     struct att_diag *d)
{
	struct att_buf resp;
	long st = 0;
	*out = NULL;
	att_buf_init(&resp, ATT_MAX_HTTP_BODY);
	int r = att_http_request(&resp, &st, method, url, "text/plain", body,
				 strlen(body), &a->http, d);
	json_t *j = r ? NULL
		      : json_loadb((const char *)resp.data, resp.len, 0, NULL);
	json_t *e = json_object_get(j, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (!r && (st < 200 || st > 299))
		r = att_diag_set(d, ATT_ERR_NETWORK, "HTTP %ld: %s: %s", st,
				 code ? code : "error",
				 msg ? msg : att_buf_cstr(&resp));
	else if (!r && !j)
		r = att_diag_set(d, ATT_ERR_FORMAT, "response is not JSON");
	if (!r)
		*out = json_incref(j);
	json_decref(j);
	att_buf_release(&resp);
	return r;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s)
		printf("%s\n", s);
	free(s);
}

/* print_signer prints the thumbprint and subject of a JWK's x5c[0]. */
static void print_signer(const char *label, json_t *jwk)
{
	struct att_cert *c = NULL;
	char tp[41] = "?", *subj = NULL;
	const char *b64 = json_string_value(
		json_array_get(json_object_get(jwk, "x5c"), 0));
	if (b64 && att_cert_from_x5c_b64(&c, b64) == 0) {
		att_cert_thumbprint_sha1(tp, c);
		att_cert_subject(&subj, c);
	}
	printf("%s%s %s\n", label, tp, subj ? subj : "");
	free(subj);
	att_cert_free(c);
}

static int usage(const char *u)
{
	fprintf(stderr, "usage: attest %s\n", u);
	return 2;
}

/* add_binding adds the binding claims of --bind to a payload object. */
static int add_binding(json_t *pl, const struct pm_args *a)
{
	char iss[2048];
	const char *base = a->issuer ? a->issuer : a->url;
	size_t n = strlen(base);
	if (n && base[n - 1] == '/')
		n--;
	snprintf(iss, sizeof(iss), "%.*s", (int)n, base);
	int64_t now = att_time_now();
	int bad = json_object_set_new(pl, "x-attestd-attestation-type",
				      json_string(a->type)) ||
		  json_object_set_new(pl, "iss", json_string(iss)) ||
		  json_object_set_new(pl, "iat", json_integer(now));
	if (!bad && a->bind_ttl)
		bad = json_object_set_new(pl, "exp",
					  json_integer(now + a->bind_ttl));
	return bad ? ATT_ERR_NOMEM : 0;
}

/* policy_payload builds {"AttestationPolicy": b64url(text)} (path) or
 * the payload of a reset (path NULL: empty), with the binding claims of
 * --bind. */
static int policy_payload(char **out, const char *path,
			  const struct pm_args *a, struct att_diag *d)
{
	char *text = NULL, *b64 = NULL;
	size_t len = 0;
	int r = path ? read_file(&text, &len, path, ATT_MAX_POLICY_LEN, d) : 0;
	*out = NULL;
	if (r)
		return r;
	if (!path && !a->bind)
		return (*out = strdup("")) ? 0 : ATT_ERR_NOMEM;
	b64 = path ? att_b64url_encode((const uint8_t *)text, len) : NULL;
	json_t *pl = path ? (b64 ? json_pack("{s:s}", "AttestationPolicy", b64)
				 : NULL)
			  : json_object();
	if (pl && a->bind && add_binding(pl, a) != 0) {
		json_decref(pl);
		pl = NULL;
	}
	*out = pl ? json_dumps(pl, JSON_COMPACT) : NULL;
	json_decref(pl);
	free(b64);
	free(text);
	return *out ? 0 : ATT_ERR_NOMEM;
}

/* policy_send uploads a policy (payload) or a reset (empty payload). */
static int policy_send(struct pm_args *a, bool reset, struct att_diag *d)
{
	char *payload = NULL, *jws = NULL, url[4096], path[300];
	json_t *resp = NULL, *claims = NULL;
	int r = setup(a, "contributor", d);
	if (!r)
		r = policy_payload(&payload, reset ? NULL : a->file, a, d);
	if (!r)
		r = make_jws(&jws, a, payload, d);
	if (r)
		goto out;
	snprintf(path, sizeof(path), "/policies/%.64s%s", a->type,
		 reset ? ":reset" : "");
	make_url(url, sizeof(url), a, path);
	if ((r = send_text(&resp, reset ? "POST" : "PUT", url, jws, a, d)) ||
	    (r = verify_token(&claims, resp, a, d)))
		goto out;
	const char *result = json_string_value(
		json_object_get(claims, "x-ms-policy-result"));
	const char *hash = json_string_value(
		json_object_get(claims, "x-ms-policy-token-hash"));
	uint8_t h[32];
	att_sha256(h, jws, strlen(jws));
	char *want = att_b64url_encode(h, sizeof(h));
	if (!result || strcmp(result, reset ? "Removed" : "Updated"))
		r = att_diag_set(d, ATT_ERR_MISMATCH,
				 "unexpected x-ms-policy-result '%s'",
				 result ? result : "(none)");
	else if (!reset && (!hash || !want || strcmp(hash, want)))
		r = att_diag_set(d, ATT_ERR_MISMATCH,
				 "x-ms-policy-token-hash %s is not the SHA-256 "
				 "of the JWS sent (%s)",
				 hash ? hash : "(none)", want ? want : "?");
	free(want);
	if (r)
		goto out;
	if (a->json) {
		print_json(claims);
		goto out;
	}
	printf("%s\n", result);
	if (hash)
		printf("x-ms-policy-token-hash: %s\n", hash);
	if (json_object_get(claims, "x-ms-policy-signer"))
		print_signer("x-ms-policy-signer: ",
			     json_object_get(claims, "x-ms-policy-signer"));
out:
	json_decref(claims);
	json_decref(resp);
	free(jws);
	free(payload);
	return r;
}

int att_cmd_policy_set(int argc, char **argv)
{
	struct pm_args a = {.api_version = "2022-08-01"};
	struct att_diag d = {0};
	if (parse(argc, argv, &a) || !a.type || !a.file)
		return usage("policy set --url BASE --type T FILE [--sign-key "
			     "K.pem --sign-cert C.pem] [--bind | --bind-ttl "
			     "SECONDS] [--ca FILE] [--bearer TOKEN | "
			     "--dev-token-dir DIR] [--issuer ISS] "
			     "[--api-version V] [--json]");
	int r = policy_send(&a, false, &d);
	if (r)
		fprintf(stderr, "attest policy set: %s\n", att_diag_msg(&d));
	pm_release(&a);
	return r ? 1 : 0;
}

int att_cmd_policy_reset(int argc, char **argv)
{
	struct pm_args a = {.api_version = "2022-08-01"};
	struct att_diag d = {0};
	if (parse(argc, argv, &a) || !a.type || a.file)
		return usage("policy reset --url BASE --type T [--sign-key "
			     "K.pem --sign-cert C.pem] [--bind | --bind-ttl "
			     "SECONDS] [--ca FILE] [--bearer TOKEN | "
			     "--dev-token-dir DIR] [--issuer ISS] "
			     "[--api-version V] [--json]");
	int r = policy_send(&a, true, &d);
	if (r)
		fprintf(stderr, "attest policy reset: %s\n", att_diag_msg(&d));
	pm_release(&a);
	return r ? 1 : 0;
}

/* ---- certificates ---- */

static int certs_list(struct pm_args *a, struct att_diag *d)
{
	char url[4096];
	json_t *resp = NULL, *claims = NULL;
	int r = setup(a, "reader", d);
	if (r)
		return r;
	make_url(url, sizeof(url), a, "/certificates");
	if ((r = att_http_get_json(&resp, NULL, url, &a->http, d)) ||
	    (r = verify_token(&claims, resp, a, d)))
		goto out;
	json_t *keys = json_object_get(
		json_object_get(claims, "x-ms-policy-certificates"), "keys");
	if (!json_is_array(keys)) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "no x-ms-policy-certificates.keys");
		goto out;
	}
	if (a->json) {
		print_json(keys);
		goto out;
	}
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) print_signer("", k);
out:
	json_decref(claims);
	json_decref(resp);
	return r;
}

int att_cmd_certs_list(int argc, char **argv)
{
	struct pm_args a = {.api_version = "2022-08-01"};
	struct att_diag d = {0};
	if (parse(argc, argv, &a) || a.file || a.bind)
		return usage("certs list --url BASE [--ca FILE] [--bearer TOKEN "
			     "| --dev-token-dir DIR] [--issuer ISS] [--json]");
	int r = certs_list(&a, &d);
	if (r)
		fprintf(stderr, "attest certs list: %s\n", att_diag_msg(&d));
	pm_release(&a);
	return r ? 1 : 0;
}

/* cert_payload builds {"policyCertificate": {"kty", "x5c": [cert]}}. */
static int cert_payload(char **out, const struct att_cert *c)
{
	struct att_pkey *k = NULL;
	char *b64 = NULL;
	int r = att_cert_x5c_b64(&b64, c);
	if (!r)
		r = att_cert_get1_pubkey(&k, c);
	json_t *pl = r ? NULL
		       : json_pack("{s:{s:s, s:[s]}}", "policyCertificate",
				   "kty", att_pkey_is_rsa(k) ? "RSA" : "EC",
				   "x5c", b64);
	*out = pl ? json_dumps(pl, JSON_COMPACT) : NULL;
	json_decref(pl);
	att_pkey_free(k);
	free(b64);
	return r ? r : *out ? 0 : ATT_ERR_NOMEM;
}

static int certs_change(struct pm_args *a, bool add, struct att_diag *d)
{
	struct att_cert *c = NULL;
	char *payload = NULL, *jws = NULL, url[4096], tp[41];
	json_t *resp = NULL, *claims = NULL, *body = NULL;
	int r = setup(a, "contributor", d);
	if (!r)
		r = load_cert(&c, a->file, d);
	if (!r && !(r = att_cert_thumbprint_sha1(tp, c)) &&
	    !(r = cert_payload(&payload, c)))
		r = make_jws(&jws, a, payload, d);
	if (r)
		goto out;
	make_url(url, sizeof(url), a,
		 add ? "/certificates:add" : "/certificates:remove");
	if (!(body = json_string(jws))) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	if ((r = att_http_send_json(&resp, NULL, "POST", url, body, &a->http,
				    d)) ||
	    (r = verify_token(&claims, resp, a, d)))
		goto out;
	const char *got_tp = json_string_value(
		json_object_get(claims, "x-ms-certificate-thumbprint"));
	const char *res = json_string_value(
		json_object_get(claims, "x-ms-policycertificates-result"));
	if (!got_tp || strcmp(got_tp, tp) || !res ||
	    strcmp(res, add ? "IsPresent" : "IsAbsent")) {
		r = att_diag_set(d, ATT_ERR_MISMATCH,
				 "unexpected answer: thumbprint %s (sent %s), "
				 "result %s",
				 got_tp ? got_tp : "(none)", tp,
				 res ? res : "(none)");
		goto out;
	}
	if (a->json)
		print_json(claims);
	else
		printf("%s %s\n", got_tp, res);
out:
	json_decref(body);
	json_decref(claims);
	json_decref(resp);
	att_cert_free(c);
	free(jws);
	free(payload);
	return r;
}

static int certs_cmd(int argc, char **argv, bool add)
{
	struct pm_args a = {.api_version = "2022-08-01"};
	struct att_diag d = {0};
	if (parse(argc, argv, &a) || !a.file || !a.key || a.bind)
		return usage(add ? "certs add --url BASE CERT.pem --sign-key K "
				   "--sign-cert C [--ca FILE] [--bearer TOKEN "
				   "| --dev-token-dir DIR] [--issuer ISS] "
				   "[--json]"
				 : "certs remove --url BASE CERT.pem --sign-key "
				   "K --sign-cert C [--ca FILE] [--bearer TOKEN "
				   "| --dev-token-dir DIR] [--issuer ISS] "
				   "[--json]");
	int r = certs_change(&a, add, &d);
	if (r)
		fprintf(stderr, "attest certs %s: %s\n", add ? "add" : "remove",
			att_diag_msg(&d));
	pm_release(&a);
	return r ? 1 : 0;
}

int att_cmd_certs_add(int argc, char **argv)
{
	return certs_cmd(argc, argv, true);
}

int att_cmd_certs_remove(int argc, char **argv)
{
	return certs_cmd(argc, argv, false);
}
