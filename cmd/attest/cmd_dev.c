/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest dev-token: print a bearer token that an attestd in dev mode
 * accepts, signed by the data dir's dev OIDC issuer (dev-issuer.key) with
 * iss/aud of dev-issuer.json and the requested role in "roles". The
 * options that bend the claims (--ttl negative, --nbf-offset, --issuer,
 * --audience) exist to test that the server refuses such tokens.
 */
#include "cmd_dev.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "crypto/keywrap.h"
#include "crypto/pkey.h"
#include "server/datadir.h"
#include "server/provider.h"
#include "token/jwt.h"

static const char *role_name(const char *role)
{
	if (!strcmp(role, "reader"))
		return ATT_DEFAULT_READER_ROLE;
	if (!strcmp(role, "contributor"))
		return ATT_DEFAULT_CONTRIBUTOR_ROLE;
	return role;
}

static int load_issuer(struct att_pkey **key, json_t **meta, const char *dir,
		       struct att_diag *d)
{
	char path[4096];
	char *pem = NULL;
	size_t len = 0;
	json_error_t je;
	if (att_datadir_path(path, sizeof(path), dir, ATT_DEV_ISSUER_KEY))
		return ATT_ERR_LIMIT;
	int r = att_file_read(&pem, &len, path, 1 << 20, d);
	if (r)
		return r;
	r = att_pkey_from_pem(key, pem, len);
	att_keywrap_wipe(pem, len);
	free(pem);
	if (r)
		return att_diag_set(d, r, "%s: not a private key", path);
	if (att_datadir_path(path, sizeof(path), dir, ATT_DEV_ISSUER_JSON))
		return ATT_ERR_LIMIT;
	if (!(*meta = json_load_file(path, 0, &je)))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: %s", path, je.text);
	return 0;
}

int att_cli_dev_token(char **out, const struct att_dev_token_opts *o,
		      struct att_diag *d)
{
	struct att_pkey *key = NULL;
	json_t *meta = NULL, *claims = NULL;
	int r = load_issuer(&key, &meta, o->dir, d);
	if (r)
		goto out;
	const char *iss = o->issuer ? o->issuer
				    : json_string_value(json_object_get(meta, "issuer"));
	const char *aud = o->audience
				  ? o->audience
				  : json_string_value(json_object_get(meta, "audience"));
	const char *kid = json_string_value(json_object_get(meta, "kid"));
	int64_t now = att_time_now();
	claims = json_pack("{s:s?, s:s?, s:s, s:I, s:I, s:I, s:[s]}", "iss",
			   iss, "aud", aud, "sub", "attest-dev-token", "iat",
			   (json_int_t)now, "nbf",
			   (json_int_t)(now + o->nbf_offset), "exp",
			   (json_int_t)(now + o->ttl), "roles",
			   role_name(o->role));
	if (!claims) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	struct att_jwt_signer s = {.key = key, .alg = ATT_JWS_RS256, .kid = kid};
	r = att_jwt_sign(out, claims, &s);
out:
	json_decref(claims);
	json_decref(meta);
	att_pkey_free(key);
	return r;
}

int att_cmd_dev_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'D'},
		{"role", required_argument, NULL, 'r'},
		{"ttl", required_argument, NULL, 't'},
		{"nbf-offset", required_argument, NULL, 'n'},
		{"audience", required_argument, NULL, 'a'},
		{"issuer", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0}};
	struct att_dev_token_opts o = {.ttl = 3600};
	struct att_diag d = {0};
	char *tok = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'D')
			o.dir = optarg;
		else if (c == 'r')
			o.role = optarg;
		else if (c == 't')
			o.ttl = strtoll(optarg, NULL, 10);
		else if (c == 'n')
			o.nbf_offset = strtoll(optarg, NULL, 10);
		else if (c == 'a')
			o.audience = optarg;
		else if (c == 'i')
			o.issuer = optarg;
		else
			goto usage;
	}
	if (!o.dir || !o.role || optind != argc)
		goto usage;
	if (att_cli_dev_token(&tok, &o, &d) != 0) {
		fprintf(stderr, "attest dev-token: %s\n", att_diag_msg(&d));
		return 1;
	}
	printf("%s\n", tok);
	free(tok);
	return 0;
usage:
	fprintf(stderr, "usage: attest dev-token --data-dir DIR --role "
			"reader|contributor|ROLE [--ttl S] [--nbf-offset S] "
			"[--audience A] [--issuer I]\n");
	return 2;
}
