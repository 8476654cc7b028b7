/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify_request: run a whole MAA attestation request offline through
 * libattest's verifier (what attestd's POST /attest/{type} does), with a
 * policy file and collateral imported from files.
 *
 *   cc verify_request.c $(pkg-config --cflags --libs attest) -o verify_request
 *   ./verify_request TYPE REQUEST.json POLICY.txt TIME COLLATERAL... \
 *       [--root ROOT.pem] [--sign KEY.pem]
 *
 * TYPE is SgxEnclave, OpenEnclave or TdxVm; REQUEST.json the request body
 * ({"quote": ..., "runtimeData"?: ...}); POLICY.txt an MAA policy
 * ("-": the type's default policy); TIME the verification time, RFC 3339
 * (UTC) or Unix seconds; each COLLATERAL a collateral file or directory
 * (PCS responses, CRLs, PEM chains, bundles). --root trusts another DCAP
 * root (e.g. the SGX simulator's) instead of Intel's; --sign signs an
 * MAA-shaped token (RS256 or ES256) with a PEM private key. Prints the
 * result {"authorized", "claims", "policy", "token"?} on stdout; exits 0
 * when the policy authorized, 1 when it denied or the request failed
 * (the error, its MAA code and HTTP status on stderr), 2 on usage errors.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <attest/token.h>
#include <attest/verify.h>

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    n < (64L << 20) && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* parse_time reads "YYYY-MM-DDTHH:MM:SSZ" or Unix seconds. */
static int parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	char *end;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		*out = (int64_t)timegm(&tm);
		return 0;
	}
	*out = strtoll(s, &end, 10);
	return *s && !*end && *out > 0 ? 0 : 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: verify_request TYPE REQUEST.json POLICY.txt|- "
		"RFC3339|UNIX-SECONDS COLLATERAL... [--root ROOT.pem] "
		"[--sign KEY.pem]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct att_verify_ctx *v = NULL;
	struct att_token_key *key = NULL;
	char err[1024] = "", *body = NULL, *policy = NULL, *root = NULL;
	char *pem = NULL, *result = NULL;
	const char *root_path = NULL, *key_path = NULL, *code = NULL;
	size_t blen = 0, plen = 0, rlen = 0, klen = 0;
	int64_t at;
	int rc = 1, ncol = 0;

	if (argc < 6 || parse_time(argv[4], &at) != 0)
		return usage();
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc)
			root_path = argv[++i];
		else if (!strcmp(argv[i], "--sign") && i + 1 < argc)
			key_path = argv[++i];
		else if (argv[i][0] == '-')
			return usage();
		else
			ncol++;
	}
	if (ncol == 0)
		return usage();
	if (!(body = read_file(argv[2], &blen)) ||
	    (strcmp(argv[3], "-") && !(policy = read_file(argv[3], &plen))) ||
	    (root_path && !(root = read_file(root_path, &rlen))) ||
	    (key_path && !(pem = read_file(key_path, &klen)))) {
		fprintf(stderr, "verify_request: cannot read an input file\n");
		goto out;
	}
	if (pem && att_token_key_from_pem(&key, pem, klen, err,
					  sizeof(err)) != 0) {
		fprintf(stderr, "verify_request: %s: %s\n", key_path, err);
		goto out;
	}
	const char *roots[1] = {root};
	struct att_verify_ctx_opts o = {
		.root_pems = roots,
		.n_root_pems = root ? 1 : 0,
		.no_intel_root = root != NULL,
		.verify_time = at,
	};
	if (att_verify_ctx_new(&v, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "verify_request: %s\n", err);
		goto out;
	}
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "--root") || !strcmp(argv[i], "--sign")) {
			i++;
			continue;
		}
		if (att_verify_ctx_import(v, argv[i], at, err,
					  sizeof(err)) != 0) {
			fprintf(stderr, "verify_request: %s: %s\n", argv[i],
				err);
			goto out;
		}
	}
	struct att_verify_attest_opts ao = {
		.policy = policy,
		.policy_len = plen,
		.now = at,
		.sign_key = key,
		.issuer = "https://verify-request.invalid",
	};
	int r = att_verify_attest(v, argv[1], (const uint8_t *)body, blen, &ao,
				  &result, &code, err, sizeof(err));
	if (r != 0) {
		const char *c = NULL;
		int status = att_verify_http_status(r, code, &c);
		fprintf(stderr, "verify_request: %s (%s, MAA %s, HTTP %d)\n",
			err, att_errname(r), c, status);
		goto out;
	}
	printf("%s\n", result);
	rc = strstr(result, "\"authorized\":true") ? 0 : 1;
	fprintf(stderr, "%s\n", rc == 0 ? "authorized" : "not authorized");
out:
	att_verify_free_text(result);
	att_verify_ctx_free(v);
	att_token_key_free(key);
	free(pem);
	free(root);
	free(policy);
	free(body);
	return rc;
}
