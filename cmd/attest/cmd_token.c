/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest metadata | certs | token verify | token decode: the relying
 * party's view of a provider. `token verify` uses the same library a
 * relying party links (attest/rp.h): metadata, JWKS, kid, allow-listed
 * algorithm, signature, issuer, exp/nbf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/client.h"
#include "attest/err.h"
#include "attest/rp.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "net/oidc.h"
#include "token/jwt.h"

int att_cmd_metadata(int argc, char **argv);
int att_cmd_certs(int argc, char **argv);
int att_cmd_token_verify(int argc, char **argv);
int att_cmd_token_decode(int argc, char **argv);

struct args {
	struct att_http_opts http;
	const char *url, *issuer, *at, *audience, *input;
	bool help;
};

/* parse_args reads the common flags; positional arguments fill url
 * (metadata, certs) or input (token). Returns 0 or 2 (usage). */
static int parse_args(struct args *a, int argc, char **argv, bool token_cmd)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **val = NULL;
		if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
			a->help = true;
			continue;
		}
		if (!strcmp(s, "--insecure")) {
			a->http.insecure_skip_verify = true;
			continue;
		}
		if (!strcmp(s, "--ca"))
			val = &a->http.ca_file;
		else if (!strcmp(s, "--pin"))
			val = &a->http.pinned_cert_sha256_b64;
		else if (!strcmp(s, "--issuer"))
			val = &a->issuer;
		else if (!strcmp(s, "--at"))
			val = &a->at;
		else if (!strcmp(s, "--audience"))
			val = &a->audience;
		if (val) {
			if (++i == argc) {
				fprintf(stderr, "attest: %s needs a value\n", s);
				return 2;
			}
			*val = argv[i];
			continue;
		}
		if (s[0] == '-' && s[1]) {
			fprintf(stderr, "attest: unknown option %s\n", s);
			return 2;
		}
		const char **pos = token_cmd ? &a->input : &a->url;
		if (*pos) {
			fprintf(stderr, "attest: unexpected argument %s\n", s);
			return 2;
		}
		*pos = s;
	}
	return 0;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2));
	if (s)
		printf("%s\n", s);
	free(s);
}

static const char common_usage[] =
	"  --ca FILE     trust this PEM certificate (e.g. the server's TLS cert)\n"
	"  --pin PIN     also require this key pin (sha256//<b64 SPKI hash>)\n"
	"  --insecure    skip TLS verification (development only)\n";

int att_cmd_metadata(int argc, char **argv)
{
	struct args a;
	struct att_diag d;
	struct att_net_opts o;
	json_t *md = NULL;
	att_diag_clear(&d);
	int r = parse_args(&a, argc, argv, false);
	if (r || a.help || !a.url) {
		fprintf(a.help ? stdout : stderr,
			"usage: attest metadata URL [--ca FILE]\n%s", common_usage);
		return a.help ? 0 : 2;
	}
	att_net_opts_from_http(&o, &a.http);
	if (att_oidc_fetch_config(&md, a.url, ATT_OIDC_ISSUER_ANY, &o, &d)) {
		fprintf(stderr, "attest: %s\n", att_diag_msg(&d));
		return 1;
	}
	print_json(md);
	json_decref(md);
	return 0;
}

int att_cmd_certs(int argc, char **argv)
{
	struct args a;
	struct att_diag d;
	struct att_net_opts o;
	json_t *md = NULL, *jwks = NULL;
	att_diag_clear(&d);
	int r = parse_args(&a, argc, argv, false);
	if (r || a.help || !a.url) {
		fprintf(a.help ? stdout : stderr,
			"usage: attest certs URL [--ca FILE]\n%s", common_usage);
		return a.help ? 0 : 2;
	}
	att_net_opts_from_http(&o, &a.http);
	r = att_oidc_fetch_config(&md, a.url, ATT_OIDC_ISSUER_ANY, &o, &d);
	if (r == 0)
		r = att_oidc_fetch_jwks(
			&jwks, json_string_value(json_object_get(md, "jwks_uri")),
			&o, &d);
	if (r == 0)
		print_json(jwks);
	else
		fprintf(stderr, "attest: %s\n", att_diag_msg(&d));
	json_decref(md);
	json_decref(jwks);
	return r ? 1 : 0;
}

/* read_token reads the token from the argument, a file named "@FILE",
 * or stdin ("-" or nothing); a JSON body {"token": "..."} (an attestation
 * response) is accepted too. Returns a malloc'd trimmed token or NULL. */
static char *read_token(const char *input)
{
	static char buf[ATT_MAX_TOKEN_LEN + 2];
	size_t n = 0;
	if (input && strcmp(input, "-") && input[0] != '@') {
		n = strlen(input) < sizeof(buf) - 1 ? strlen(input) : sizeof(buf) - 1;
		memcpy(buf, input, n);
	} else {
		FILE *f = input && input[0] == '@' ? fopen(input + 1, "r") : stdin;
		if (!f)
			return NULL;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		if (f != stdin)
			fclose(f);
	}
	buf[n] = 0;
	char *s = buf;
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' ||
		     s[n - 1] == '\t'))
		s[--n] = 0;
	if (s[0] != '{')
		return strdup(s);
	json_t *j = json_loads(s, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "token"));
	char *out = t ? strdup(t) : NULL;
	json_decref(j);
	return out;
}

static int verify_usage(FILE *f)
{
	fprintf(f, "usage: attest token verify --issuer URL [--ca FILE] "
		   "[--at RFC3339] [--audience AUD] [TOKEN|@FILE|-]\n%s",
		common_usage);
	return f == stdout ? 0 : 2;
}

int att_cmd_token_verify(int argc, char **argv)
{
	struct args a;
	char err[ATT_DIAG_LEN] = "", *claims = NULL, *tok = NULL;
	int64_t at = 0;
	int r = parse_args(&a, argc, argv, true);
	if (r || a.help || !a.issuer)
		return verify_usage(a.help ? stdout : stderr);
	if (a.at && att_time_parse(&at, a.at)) {
		fprintf(stderr, "attest: --at: not an RFC 3339 time: %s\n", a.at);
		return 2;
	}
	if (!(tok = read_token(a.input))) {
		fprintf(stderr, "attest: token verification failed: no token\n");
		return 1;
	}
	struct att_rp_opts o = {.issuer = a.issuer, .http = &a.http,
				.audience = a.audience, .skew_seconds = -1,
				.min_refresh_seconds = -1};
	struct att_rp *rp = att_rp_new_opts(&o);
	if (!rp) {
		fprintf(stderr, "attest: bad issuer URL %s\n", a.issuer);
		free(tok);
		return 2;
	}
	r = att_rp_verify(rp, tok, at, &claims, err, sizeof(err));
	if (r == 0) {
		json_t *j = json_loads(claims, 0, NULL);
		print_json(j);
		json_decref(j);
	} else {
		fprintf(stderr, "attest: token verification failed: %s\n", err);
	}
	free(claims);
	free(tok);
	att_rp_free(rp);
	return r ? 1 : 0;
}

int att_cmd_token_decode(int argc, char **argv)
{
	struct args a;
	struct att_diag d;
	json_t *claims = NULL, *hdr = NULL;
	att_diag_clear(&d);
	int r = parse_args(&a, argc, argv, true);
	if (r || a.help) {
		fprintf(a.help ? stdout : stderr,
			"usage: attest token decode [TOKEN|@FILE|-]\n"
			"prints header and claims WITHOUT verifying anything\n");
		return a.help ? 0 : 2;
	}
	char *tok = read_token(a.input);
	if (!tok || att_jwt_decode_unverified(&claims, &hdr, tok, &d)) {
		fprintf(stderr, "attest: cannot decode token: %s\n",
			tok ? att_diag_msg(&d) : "no token");
		free(tok);
		return 1;
	}
	json_t *out = json_pack("{s:o,s:o}", "header", hdr, "claims", claims);
	print_json(out);
	json_decref(out);
	free(tok);
	return 0;
}
