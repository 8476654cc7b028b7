/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/SgxEnclave, /attest/OpenEnclave and /attest/TdxVm
 * (MAA REST API "Attestation - Attest*"; docs/api.md): the handlers
 * (api_attest.c, declared in server/handlers.h) call the verifier
 * (src/verify/verifier.h); api_attest_token.c is the token signer they
 * give it.
 */
#ifndef ATT_SERVER_API_ATTEST_H
#define ATT_SERVER_API_ATTEST_H

#include <jansson.h>
#include <stdbool.h>

#include "base/diag.h"

struct att_req;

/* att_attest_token signs claims with the provider's key (signed) or
 * makes the unsigned alg-none token of a draft policy. */
int att_attest_token(char **out, struct att_req *req, json_t *claims,
		     bool draft, struct att_diag *d);

#endif
