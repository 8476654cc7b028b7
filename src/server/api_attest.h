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
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct att_req;

/* att_attest_token signs claims with the provider's key (signed) or
 * makes the unsigned alg-none token of a draft policy. */
int att_attest_token(char **out, struct att_req *req, json_t *claims,
		     bool draft, struct att_diag *d);

/* api-version 2018-09-01-preview (api_attest_legacy.c). */
#define ATT_APIVER_2018 "2018-09-01-preview"

/* att_attest_legacy_body turns a 2018-09-01-preview request body
 * {"Quote": b64url, "EnclaveHeldData"?: b64url} into the 2020-10-01 body
 * {"quote"|"report" (oe): ..., "runtimeData"?: {"data", "dataType":
 * "Binary"}} (*out malloc'd, NUL-terminated). ATT_ERR_FORMAT when the body
 * is not such an object. */
int att_attest_legacy_body(char **out, bool oe, const uint8_t *body,
			   size_t len, struct att_diag *d);

/* att_attest_legacy_claims rewrites the verifier's claim set (2020-10-01
 * names) in place into the 2018-09-01-preview token's: every x-ms-* claim,
 * the jti and aas-ehd removed (x-attestd-* kept); "maa-ehd" (x-ms-sgx-ehd), "maa-policyHash" (hex of
 * the x-ms-policy-hash bytes) and "maa-attestationcollateral"
 * (x-ms-sgx-collateral, each name prefixed "maa-") added; the policy's
 * issued claims stay at the top level. */
int att_attest_legacy_claims(json_t *claims, struct att_diag *d);

#endif
