/* SPDX-License-Identifier: Apache-2.0 */
/* Dev-mode bearer tokens, shared by `attest dev-token` and the
 * --dev-token-dir option of other commands. */
#ifndef ATT_CMD_ATTEST_DEV_H
#define ATT_CMD_ATTEST_DEV_H

#include <stdint.h>

#include "base/diag.h"

struct att_dev_token_opts {
	const char *dir;      /* attestd dev data dir */
	const char *role;     /* reader, contributor or a literal role */
	int64_t ttl;          /* seconds; negative: already expired */
	int64_t nbf_offset;   /* seconds added to nbf */
	const char *audience; /* NULL: the dev issuer's */
	const char *issuer;   /* NULL: the dev issuer's */
};

/* att_cli_dev_token signs a token with the data dir's dev issuer key;
 * *out is malloc'd. */
int att_cli_dev_token(char **out, const struct att_dev_token_opts *o,
		      struct att_diag *d);

#endif
