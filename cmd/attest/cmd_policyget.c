/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest policy get: fetch GET /policies/{type} and print the policy text.
 * The response token's "x-ms-policy" claim is the stored policy JWS; its
 * payload {"AttestationPolicy": "<b64url text>"} holds the text. The
 * response token is decoded, not verified (use `attest token verify` for
 * that); the TLS connection is verified against --ca or the system store.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "client/http.h"
#include "cmd_dev.h"
#include "codec/b64.h"
#include "token/jws.h"
#include "token/jwt.h"

static int policy_text(char **out, size_t *len, json_t *resp,
		       struct att_diag *d)
{
	json_t *claims = NULL;
	struct att_jws jws;
	att_jws_init(&jws);
	const char *tok = json_string_value(json_object_get(resp, "token"));
	if (!tok)
		return att_diag_set(d, ATT_ERR_FORMAT, "response has no token");
	int r = att_jwt_decode_unverified(&claims, NULL, tok, d);
	if (r)
		return r;
	const char *p = json_string_value(json_object_get(claims, "x-ms-policy"));
	if (!p)
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "response token has no x-ms-policy");
	else if (!(r = att_jws_parse(&jws, p, strlen(p), d)) &&
		 jws.payload_len == 0)
		/* MAA's x-ms-policy when no policy is set and the type has
		 * no default: "eyJhbGciOiJub25lIn0.." */
		r = att_diag_set(d, ATT_ERR_NOT_FOUND,
				 "no policy is set for this attestation type "
				 "(x-ms-policy is the empty unsigned JWS)");
	else if (!r) {
		json_t *pl = json_loadb((const char *)jws.payload,
					jws.payload_len, 0, NULL);
		const char *b64 = json_string_value(
			json_object_get(pl, "AttestationPolicy"));
		r = b64 ? att_b64_decode((uint8_t **)out, len, b64, strlen(b64))
			: att_diag_set(d, ATT_ERR_FORMAT,
				       "policy JWS has no AttestationPolicy");
		json_decref(pl);
	}
	att_jws_release(&jws);
	json_decref(claims);
	return r;
}

struct pg_args {
	const char *url, *type, *ca, *bearer, *dev_dir, *api_version;
};

static int parse(int argc, char **argv, struct pg_args *a)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'},
		{"type", required_argument, NULL, 't'},
		{"ca", required_argument, NULL, 'c'},
		{"bearer", required_argument, NULL, 'b'},
		{"dev-token-dir", required_argument, NULL, 'D'},
		{"api-version", required_argument, NULL, 'v'},
		{NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char **dst = c == 'u' ? &a->url : c == 't' ? &a->type
				 : c == 'c' ? &a->ca : c == 'b' ? &a->bearer
				 : c == 'D' ? &a->dev_dir : c == 'v' ? &a->api_version
				 : NULL;
		if (!dst)
			return -1;
		*dst = optarg;
	}
	return (a->url && a->type && optind == argc) ? 0 : -1;
}

int att_cmd_policy_get(int argc, char **argv)
{
	struct pg_args a = {.api_version = "2022-08-01"};
	struct att_diag d = {0};
	char *dev_tok = NULL, *text = NULL, url[4096];
	json_t *resp = NULL;
	size_t len = 0;
	long status = 0;
	int rc = 1;
	if (parse(argc, argv, &a) != 0) {
		fprintf(stderr, "usage: attest policy get --url BASE --type T "
				"[--ca FILE] [--bearer TOKEN | --dev-token-dir "
				"DIR] [--api-version V]\n");
		return 2;
	}
	if (a.dev_dir) {
		struct att_dev_token_opts o = {.dir = a.dev_dir,
					       .role = "reader", .ttl = 300};
		if (att_cli_dev_token(&dev_tok, &o, &d) != 0)
			goto out;
	}
	size_t ul = strlen(a.url);
	snprintf(url, sizeof(url), "%.*s/policies/%s?api-version=%s",
		 (int)(ul && a.url[ul - 1] == '/' ? ul - 1 : ul), a.url, a.type,
		 a.api_version);
	struct att_http_opts ho = {.ca_file = a.ca,
				   .bearer = dev_tok ? dev_tok : a.bearer};
	if (att_http_get_json(&resp, &status, url, &ho, &d) != 0 ||
	    policy_text(&text, &len, resp, &d) != 0)
		goto out;
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		putchar('\n');
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "attest policy get: %s\n", att_diag_msg(&d));
	free(text);
	free(dev_tok);
	json_decref(resp);
	return rc;
}
