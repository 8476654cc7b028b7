/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify_token: verify an attestation token as a relying party with
 * libattest. The issuer URL is the only configuration: the library reads
 * ISSUER/.well-known/openid-configuration, checks its issuer, fetches the
 * signing keys from its jwks_uri, then checks the token's algorithm,
 * signature, iss, exp, nbf and iat.
 *
 *   cc verify_token.c $(pkg-config --cflags --libs attest) -o verify_token
 *   ./verify_token https://127.0.0.1:8443 tls.crt TOKEN|@FILE
 *
 * CA_FILE holds the issuer's TLS trust anchor ("-": the system store).
 * Prints the claims as JSON and exits 0 when the token verified; prints
 * why and exits 1 when it did not; 2 on usage errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <attest/err.h>
#include <attest/rp.h>

/* read_token returns the token given inline or, as @FILE, in a file
 * (surrounding white space removed). */
static char *read_token(const char *arg)
{
	char buf[65536];
	size_t n;
	FILE *f;
	if (arg[0] != '@')
		return strdup(arg);
	if (!(f = fopen(arg + 1, "rb")))
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return strdup(buf);
}

int main(int argc, char **argv)
{
	struct att_http_opts http = {0};
	struct att_rp *rp;
	char err[512] = "", *claims = NULL, *token;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: verify_token ISSUER_URL CA_FILE|- "
			"TOKEN|@FILE\n");
		return 2;
	}
	if (strcmp(argv[2], "-") != 0)
		http.ca_file = argv[2];
	if (!(token = read_token(argv[3]))) {
		fprintf(stderr, "verify_token: cannot read %s\n", argv[3] + 1);
		return 2;
	}
	if (!(rp = att_rp_new(argv[1], &http))) {
		fprintf(stderr, "verify_token: bad issuer URL %s\n", argv[1]);
		free(token);
		return 2;
	}
	rc = att_rp_verify(rp, token, 0, &claims, err, sizeof(err));
	if (rc == 0) {
		printf("%s\n", claims);
	} else {
		fprintf(stderr, "verify_token: token rejected: %s (%s)\n", err,
			att_errname(rc));
	}
	free(claims);
	free(token);
	att_rp_free(rp);
	return rc == 0 ? 0 : 1;
}
