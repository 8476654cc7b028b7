/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/Tpm: the entry point (api_tpm.h). It reads the provider's
 * TPM settings, requires a bearer token with the reader role unless the
 * provider turned that off ("require_bearer": false, MAA's
 * tpmAttestationAuthentication), decodes the message and hands it to its
 * flow: aikenroll / aikactivate (flow A, api_tpm_enroll.c), aikcert and
 * the signed request (flow B, api_tpm_attest.c).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "evidence/tpm/proto.h"
#include "server/api_tpm.h"
#include "server/auth.h"
#include "server/provider.h"
#include "server/server.h"

void att_tpm_reply(struct att_resp *resp, char *body)
{
	att_buf_release(&resp->body);
	if (!body || att_buf_adds(&resp->body, body) != 0) {
		free(body);
		att_resp_error(resp, 500, "InternalError", "out of memory");
		return;
	}
	free(body);
	resp->status = 200;
	resp->error_code = NULL;
	resp->content_type = "application/json; charset=utf-8";
}

static int check_bearer(struct att_req *req, struct att_resp *resp)
{
	json_t *claims = NULL;
	int r = att_auth_check(&req->prov->auth, req->prov->base_url,
			       ATT_AUTH_READER, req->authorization, req->now,
			       &claims, resp);
	json_decref(claims);
	return r;
}

void att_api_attest_tpm(struct att_req *req, struct att_resp *resp)
{
	struct att_tpm_settings s;
	struct att_tpmproto_msg m = {0};
	struct att_diag d = {0};
	if (att_tpm_settings_load(&s, req->srv->store, req->prov->name, &d) !=
	    0) {
		att_resp_error(resp, 500, "InternalError", "provider %s: %s",
			       req->prov->name, att_diag_msg(&d));
		return;
	}
	if (s.require_bearer && check_bearer(req, resp) != 0)
		return;
	if (att_tpmproto_decode_msg(&m, req->body, req->body_len, &d) != 0) {
		att_resp_error(resp, 400, "InvalidParameter", "%s",
			       att_diag_msg(&d));
		goto out;
	}
	switch (m.kind) {
	case ATT_TPMPROTO_AIKENROLL:
		att_tpm_enroll(req, resp, &m, &s);
		break;
	case ATT_TPMPROTO_AIKACTIVATE:
		att_tpm_activate(req, resp, &m);
		break;
	case ATT_TPMPROTO_AIKCERT:
		att_tpm_challenge(req, resp, &s);
		break;
	case ATT_TPMPROTO_REQUEST:
		att_tpm_attest(req, resp, &m);
		break;
	}
out:
	att_tpmproto_msg_release(&m);
}
