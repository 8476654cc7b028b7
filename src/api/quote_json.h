/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON report of one DCAP verification (docs/library.md), shared by
 * the public att_verify_quote and any tool that prints the same shape.
 */
#ifndef ATT_API_QUOTE_JSON_H
#define ATT_API_QUOTE_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/sgx/verify.h"

/* att_api_dcap_json returns (new reference, NULL when out of memory)
 * {"verified", "error", "error_code"?, "tee", "version", and, when the TCB
 * was evaluated, the statuses, PCK facts, claims and collateral hashes of
 * r}. rc and d are the outcome of att_dcap_verify_opts over q[0..n). */
json_t *att_api_dcap_json(int rc, const struct att_diag *d,
			  const struct att_dcap_result *r, const uint8_t *q,
			  size_t n, unsigned parse_flags);

#endif
