/* SPDX-License-Identifier: Apache-2.0 */
/*
 * att_verify_tpm (verify/tpm.h): decode the POST /attest/Tpm message and
 * hand it to its flow: aikenroll / aikactivate (flow A, tpm_enroll.c),
 * aikcert and the signed request (flow B, tpm_attest.c). Every refusal
 * goes through att_tpm_fail, so its HTTP status and MAA code come from
 * the verifier's one table (att_verify_http_status).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "evidence/tpm/proto.h"
#include "verify/tpm_int.h"

static int vfail(struct att_tpm_run *t, int err, const char *code,
		 const char *fmt, va_list ap)
{
	struct att_verify_result *res = t->res;
	res->err = err;
	res->http_status = att_verify_http_status(err, code, &res->maa_code);
	vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
	return err;
}

int att_tpm_fail(struct att_tpm_run *t, int err, const char *code,
		 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vfail(t, err ? err : ATT_ERR_INVALID_ARG, code, fmt, ap);
	va_end(ap);
	return r;
}

int att_tpm_internal(struct att_tpm_run *t, int err, const char *fmt, ...)
{
	va_list ap;
	if (!att_verify_is_internal(err))
		err = ATT_ERR_INTERNAL;
	va_start(ap, fmt);
	int r = vfail(t, err, "InternalError", fmt, ap);
	va_end(ap);
	return r;
}

int att_tpm_reply(struct att_tpm_run *t, char *body)
{
	if (!body)
		return att_tpm_internal(t, ATT_ERR_NOMEM, "out of memory");
	free(t->res->reply);
	t->res->reply = body;
	t->res->err = 0;
	t->res->http_status = 200;
	t->res->maa_code = NULL;
	return 0;
}

int att_verify_tpm(struct att_verifier *v, const struct att_verify_tpm_req *req,
		   struct att_verify_result *res)
{
	struct att_tpmproto_msg m = {0};
	struct att_diag d = {0};
	struct att_tpm_run t = {.v = v, .req = req, .res = res};
	int r;
	if (!v || !v->store || !req->settings || !req->master || !req->provider)
		return att_tpm_internal(&t, ATT_ERR_INTERNAL,
					"the TPM verifier has no store, "
					"settings, master key or provider");
	if ((r = att_tpmproto_decode_msg(&m, req->body, req->body_len, &d)) !=
	    0) {
		/* a failed decode may leave decoded parts behind */
		att_tpmproto_msg_release(&m);
		return att_tpm_fail(&t, r, "InvalidParameter", "%s",
				    att_diag_msg(&d));
	}
	switch (m.kind) {
	case ATT_TPMPROTO_AIKENROLL:
		r = att_tpm_enroll(&t, &m);
		break;
	case ATT_TPMPROTO_AIKACTIVATE:
		r = att_tpm_activate(&t, &m);
		break;
	case ATT_TPMPROTO_AIKCERT:
		r = att_tpm_challenge(&t);
		break;
	case ATT_TPMPROTO_REQUEST:
		r = att_tpm_attest(&t, &m);
		break;
	default:
		r = att_tpm_internal(&t, ATT_ERR_INTERNAL,
				     "unknown TPM message kind");
	}
	att_tpmproto_msg_release(&m);
	return r;
}
