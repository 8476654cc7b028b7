/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify_quote: verify an Intel SGX or TDX DCAP quote offline with
 * libattest, against a collateral bundle, at a given time.
 *
 *   cc verify_quote.c $(pkg-config --cflags --libs attest) -o verify_quote
 *   ./verify_quote QUOTE.bin COLLATERAL.json 2025-07-01T00:00:00Z [ROOT.pem]
 *
 * QUOTE.bin is the binary quote; COLLATERAL.json a bundle with the member
 * names of sgx_ql_qve_collateral_t; the time is RFC 3339 (UTC) or Unix
 * seconds. ROOT.pem replaces the built-in Intel SGX Root CA. Prints the
 * verification result as JSON on stdout and one line on stderr; exits 0
 * when the quote verified (whatever its TCB status), 1 when it did not,
 * 2 on usage errors.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	return *s && !*end ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct att_quote_trust *trust = NULL;
	struct att_quote_collateral *col = NULL;
	char err[512] = "", *quote = NULL, *bundle = NULL, *result = NULL;
	size_t qlen = 0, blen = 0;
	int64_t at;
	int rc = 1;

	if (argc < 4 || argc > 5 || parse_time(argv[3], &at) != 0) {
		fprintf(stderr, "usage: verify_quote QUOTE.bin COLLATERAL.json "
			"RFC3339|UNIX-SECONDS [ROOT.pem]\n");
		return 2;
	}
	if (!(quote = read_file(argv[1], &qlen)) ||
	    !(bundle = read_file(argv[2], &blen))) {
		fprintf(stderr, "verify_quote: cannot read %s\n",
			quote ? argv[2] : argv[1]);
		goto out;
	}
	if (att_quote_trust_new(&trust, argc < 5) != 0) {
		fprintf(stderr, "verify_quote: cannot make the trust store\n");
		goto out;
	}
	if (argc == 5) {
		size_t rlen = 0;
		char *root = read_file(argv[4], &rlen);
		int r = root ? att_quote_trust_add_pem(trust, root, rlen, err,
						       sizeof(err))
			     : ATT_ERR_IO;
		free(root);
		if (r != 0) {
			fprintf(stderr, "verify_quote: %s: %s\n", argv[4],
				root ? err : "cannot read");
			goto out;
		}
	}
	if (att_quote_collateral_from_json(&col, bundle, blen, err,
					   sizeof(err)) != 0) {
		fprintf(stderr, "verify_quote: %s: %s\n", argv[2], err);
		goto out;
	}
	rc = att_verify_quote((const uint8_t *)quote, qlen, col, trust, at, 0,
			      &result, err, sizeof(err));
	if (result)
		printf("%s\n", result);
	if (rc == 0)
		fprintf(stderr, "verified\n");
	else
		fprintf(stderr, "not verified: %s (%s)\n", err,
			att_errname(rc));
	rc = rc == 0 ? 0 : 1;
out:
	att_verify_free_text(result);
	att_quote_collateral_free(col);
	att_quote_trust_free(trust);
	free(bundle);
	free(quote);
	return rc;
}
