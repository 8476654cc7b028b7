/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest policy check | eval | hash: the MAA policy language from the
 * command line, for authors checking a policy before uploading it
 * (docs/policy.md). check prints "ok" or compiler-style "FILE:L:C: msg";
 * eval runs a policy over a CLAIMS.json file and prints the result as
 * JSON; hash prints the x-ms-policy-hash MAA would report for the file's
 * exact bytes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "policy/policy.h"

int att_cmd_policy_check(int argc, char **argv);
int att_cmd_policy_eval(int argc, char **argv);
int att_cmd_policy_hash(int argc, char **argv);

/* Exit codes of "policy eval". */
enum { EXIT_AUTHORIZED = 0, EXIT_ERROR = 1, EXIT_USAGE = 2, EXIT_DENIED = 3 };

/* slurp reads FILE ("-" for stdin) whole, up to max bytes (+1 to detect
 * longer files); NULL with a message on failure. */
static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "attest: %s: cannot open\n", path);
		return NULL;
	}
	char *buf = malloc(max + 2);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	bool err = !buf || ferror(f);
	if (f != stdin)
		fclose(f);
	if (err) {
		fprintf(stderr, "attest: %s: read error\n", path);
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static char *read_policy(const char *path, size_t *len)
{
	char *t = slurp(path, ATT_MAX_POLICY_LEN, len);
	if (t && *len > ATT_MAX_POLICY_LEN) {
		fprintf(stderr, "attest: %s: policy longer than %d bytes\n",
			path, ATT_MAX_POLICY_LEN);
		free(t);
		return NULL;
	}
	return t;
}

/* compile reports errors as FILE:LINE:COLUMN: MESSAGE. */
static struct att_policy *compile(const char *path, const char *text,
				  size_t len)
{
	struct att_policy *p = NULL;
	struct att_policy_error e;
	if (att_policy_compile(&p, text, len, &e, NULL) == 0)
		return p;
	if (e.line)
		fprintf(stderr, "%s:%u:%u: %s\n", path, e.line, e.column, e.msg);
	else
		fprintf(stderr, "%s: %s\n", path, e.msg);
	return NULL;
}

int att_cmd_policy_check(int argc, char **argv)
{
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		fprintf(stderr, "usage: attest policy check FILE\n");
		return EXIT_USAGE;
	}
	size_t len;
	char *text = read_policy(argv[1], &len);
	struct att_policy *p = text ? compile(argv[1], text, len) : NULL;
	free(text);
	if (!p)
		return EXIT_ERROR;
	att_policy_free(p);
	printf("ok\n");
	return 0;
}

int att_cmd_policy_hash(int argc, char **argv)
{
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		fprintf(stderr, "usage: attest policy hash FILE\n");
		return EXIT_USAGE;
	}
	size_t len;
	char *text = read_policy(argv[1], &len);
	char h[ATT_POLICY_HASH_LEN];
	int r = text ? att_policy_hash(h, text, len) : ATT_ERR_IO;
	free(text);
	if (r) {
		if (r != ATT_ERR_IO)
			fprintf(stderr, "attest: %s\n", att_strerror(r));
		return EXIT_ERROR;
	}
	printf("%s\n", h);
	return 0;
}

static int load_claims(const char *path, struct att_claimset *in)
{
	size_t len;
	char *text = slurp(path, ATT_MAX_HTTP_BODY, &len);
	if (!text)
		return -1;
	json_error_t jerr;
	json_t *j = len > ATT_MAX_HTTP_BODY
			    ? NULL
			    : json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!j) {
		fprintf(stderr, "%s:%d:%d: %s\n", path, jerr.line, jerr.column,
			len > ATT_MAX_HTTP_BODY ? "file too large" : jerr.text);
		return -1;
	}
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_claimset_from_json(in, j, ATT_CLAIM_ISSUER_SERVICE, &d);
	json_decref(j);
	if (r)
		fprintf(stderr, "%s: %s\n", path, att_diag_msg(&d));
	return r;
}

static int print_result(const struct att_policy_result *res)
{
	json_t *o = json_pack("{s:b, s:o, s:O}", "authorized", res->authorized,
			      "issued", att_claimset_to_object(&res->issued),
			      "properties", res->properties);
	if (o && res->deny_summary)
		json_object_set_new(o, "deny", json_string(res->deny_summary));
	if (o && res->explain)
		json_object_set(o, "explain", res->explain);
	char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	if (!s) {
		fprintf(stderr, "attest: out of memory\n");
		return EXIT_ERROR;
	}
	printf("%s\n", s);
	free(s);
	return res->authorized ? EXIT_AUTHORIZED : EXIT_DENIED;
}

static int eval_usage(void)
{
	fprintf(stderr, "usage: attest policy eval FILE [--claims CLAIMS.json] "
			"[--explain]\n"
			"exit status: 0 authorized, 3 not authorized, 1 error\n");
	return EXIT_USAGE;
}

int att_cmd_policy_eval(int argc, char **argv)
{
	const char *file = NULL, *claims = NULL;
	bool explain = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--claims") && i + 1 < argc)
			claims = argv[++i];
		else if (!strcmp(argv[i], "--explain"))
			explain = true;
		else if (!file && (argv[i][0] != '-' || !argv[i][1]))
			file = argv[i];
		else
			return eval_usage();
	}
	if (!file)
		return eval_usage();
	size_t len;
	char *text = read_policy(file, &len);
	struct att_policy *p = text ? compile(file, text, len) : NULL;
	free(text);
	struct att_claimset in;
	att_claimset_init(&in);
	int rc = EXIT_ERROR;
	if (p && (!claims || load_claims(claims, &in) == 0)) {
		struct att_policy_result res;
		struct att_diag d;
		att_diag_clear(&d);
		if (att_policy_eval(p, &in, &res, explain, &d) == 0)
			rc = print_result(&res);
		else
			fprintf(stderr, "%s: %s\n", file, att_diag_msg(&d));
		att_policy_result_release(&res);
	}
	att_claimset_release(&in);
	att_policy_free(p);
	return rc;
}
