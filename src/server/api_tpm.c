/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/Tpm: the entry point (api_tpm.h). It reads the provider's
 * TPM settings, requires a bearer token with the reader role unless the
 * provider turned that off ("require_bearer": false, MAA's
 * tpmAttestationAuthentication), and hands the message to the verifier
 * (att_verify_tpm, verify/tpm.h), answering with its reply or its error
 * (status and MAA code from the verifier's one table).
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#include "attest/err.h"
#include "server/api_tpm.h"
#include "server/auth.h"
#include "server/policy_budget.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"
#include "verify/verifier.h"

static int check_bearer(struct att_req *req, struct att_resp *resp)
{
	json_t *claims = NULL;
	int r = att_auth_check(&req->prov->auth, req->prov->base_url,
			       ATT_AUTH_READER, req->authorization, req->now,
			       &claims, resp);
	json_decref(claims);
	return r;
}

/* sign is the verifier's signer of flow B's report: the provider's key. */
static int sign(void *arg, json_t *claims, int64_t lifetime, char **token,
		struct att_diag *d)
{
	struct att_req *req = arg;
	return att_server_issue_token(req->srv, req->prov, claims, req->now,
				      lifetime, token, d);
}

static void reply(struct att_resp *resp, const char *body)
{
	att_buf_release(&resp->body);
	if (att_buf_adds(&resp->body, body) != 0) {
		att_resp_err(resp, ATT_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	resp->status = 200;
	resp->error_code = NULL;
	resp->content_type = "application/json; charset=utf-8";
}

void att_api_attest_tpm(struct att_req *req, struct att_resp *resp)
{
	struct att_tpm_settings s;
	struct att_diag d = {0};
	/* The TPM flows need only the store: without the attestation
	 * context (no DCAP trust roots), a verifier of the store alone. */
	struct att_attest_ctx *ctx = att_attest_ctx_of(req->srv, &d);
	struct att_verifier store_only = {.store = req->srv->store};
	struct att_verifier *v = ctx ? ctx->verifier : &store_only;
	att_diag_clear(&d);
	int r = att_tpm_settings_load(&s, req->srv->store, req->prov->name,
				      &d);
	if (r) {
		att_resp_err(resp, r, "InternalError", "provider %s: %s",
			     req->prov->name, att_diag_msg(&d));
		return;
	}
	if (s.require_bearer && check_bearer(req, resp) != 0)
		return;
	struct att_verify_tpm_req vr = {
		.body = req->body,
		.body_len = req->body_len,
		.provider = req->prov->name,
		.settings = &s,
		.master = req->srv->master,
		.now = req->now,
		.sign = sign,
		.sign_arg = req,
	};
	struct att_verify_result res;
	att_policy_limits_of(&vr.limits, &req->prov->limits);
	att_policy_budget_of(&vr.budget, &req->prov->limits);
	att_verify_result_init(&res);
	if (att_verify_tpm(v, &vr, &res) != 0)
		att_resp_err(resp, res.err, res.maa_code, "%s", res.msg);
	else
		reply(resp, res.reply);
	att_verify_result_release(&res);
}
