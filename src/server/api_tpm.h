/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/Tpm (docs/tpm-protocol.md): the handler (api_tpm.c) checks
 * the bearer token and hands the message to the verifier (att_verify_tpm,
 * verify/tpm.h: AIK enrolment by credential activation, flow A, and
 * two-round attestation, flow B). The provider's TPM state lives in the
 * store (verify/tpm.h; docs/tpm.md). Data dirs of earlier versions kept it
 * in files under <data-dir>/tpm/<name>/; those are imported once
 * (att_tpm_state_import, api_tpm_import.c).
 */
#ifndef ATT_SERVER_API_TPM_H
#define ATT_SERVER_API_TPM_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "verify/tpm.h"

struct att_req;
struct att_resp;
struct att_store;

/* The route's handler (routes.c binds it to POST /attest/Tpm). */
void att_api_attest_tpm(struct att_req *req, struct att_resp *resp);

/* att_tpm_state_import imports every pre-store TPM directory
 * <data_dir>/tpm/<provider>/ of a provider of the store (settings.json,
 * ek-roots/, ek-intermediates/, aik-roots/, aik-ca.key + aik-ca.crt,
 * enrolled/<hex>.json) into the store in one transaction per provider,
 * then moves the directory to <data_dir>/tpm.migrated/<provider>
 * (docs/tpm.md). What the store holds already wins; idempotent. *n gets
 * the number of directories imported (may be NULL). */
int att_tpm_state_import(struct att_store *st, const char *data_dir,
			 int64_t now, size_t *n, struct att_diag *d);

#endif
