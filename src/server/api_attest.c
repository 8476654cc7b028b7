/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/SgxEnclave, /attest/OpenEnclave, /attest/TdxVm and
 * /attest/SevSnpVm (att_verify_snp, with the provider's SEV-SNP
 * appraisal: limits.snp_allow_debug, snp_max_vmpl, snp_min_tcb,
 * snp_min_launch_tcb, snp_require_crl): decode
 * HTTP, run the verifier (src/verify/verifier.h: request decoding,
 * policy, quote verification, data binding, claims, policy evaluation,
 * issued claims, token) and answer with its result: the token, or the
 * error's HTTP status and MAA code from the verifier's one table
 * (att_verify_http_status) with the message naming the failing step.
 * In api-version 2018-09-01-preview (and on its /attest/Tee/SgxEnclave
 * and /attest/Tee/OpenEnclave routes) the body is {"Quote",
 * "EnclaveHeldData"}, the token carries that version's claims and the
 * answer is the token as a JSON string (api_attest_legacy.c).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "server/api_attest.h"
#include "server/handlers.h"
#include "server/policy_budget.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"
#include "evidence/snp/snp.h"
#include "verify/verifier.h"

/* is_legacy: the request is in api-version 2018-09-01-preview (its
 * query parameter, or a route only that version had: /attest/Tee/...). */
static bool is_legacy(const struct att_req *req)
{
	return (req->api_version && !strcmp(req->api_version, ATT_APIVER_2018)) ||
	       !strncmp(req->match.route->pattern, "/attest/Tee/", 12);
}

/* sign is the verifier's signer: the provider's key, or the unsigned
 * token of a draft policy; a 2018-09-01-preview request gets that
 * version's claims. */
static int sign(void *arg, json_t *claims, bool draft, char **token,
		struct att_diag *d)
{
	int r = is_legacy(arg) ? att_attest_legacy_claims(claims, d) : 0;
	return r ? r : att_attest_token(token, arg, claims, draft, d);
}

/* reply_legacy answers the token as the 2018-09-01-preview did: the body
 * is the token as one JSON string. */
static void reply_legacy(struct att_resp *resp, const char *token)
{
	json_t *s = json_string(token);
	char *txt = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	att_buf_release(&resp->body);
	if (!txt || att_buf_adds(&resp->body, txt) != 0)
		att_resp_err(resp, ATT_ERR_NOMEM, NULL, "out of memory");
	else {
		resp->status = 200;
		resp->error_code = NULL;
		resp->content_type = "application/json; charset=utf-8";
	}
	free(txt);
	json_decref(s);
}

/* attest runs the verifier of kind, or with snp set the SevSnpVm one
 * with the provider's SEV-SNP appraisal. */
static void attest(struct att_req *req, struct att_resp *resp,
		   enum att_attest_kind kind, bool snp)
{
	struct att_diag d = {0};
	struct att_attest_ctx *ctx = att_attest_ctx_of(req->srv, &d);
	if (!ctx) {
		att_resp_err(resp, d.code ? d.code : ATT_ERR_INTERNAL,
			     "InternalError",
			     "the attestation service is not initialised: "
			     "%s",
			     att_diag_msg(&d));
		return;
	}
	bool legacy = is_legacy(req);
	char *body = NULL;
	if (legacy && att_attest_legacy_body(&body, kind == ATT_ATTEST_OE,
					     req->body, req->body_len,
					     &d) != 0) {
		att_resp_err(resp, d.code, "InvalidParameter", "%s",
			     att_diag_msg(&d));
		return;
	}
	struct att_verify_req vr = {
		.body = body ? (const uint8_t *)body : req->body,
		.body_len = body ? strlen(body) : req->body_len,
		.provider = req->prov->name,
		.now = req->now,
		.sign = sign,
		.sign_arg = req,
	};
	struct att_verify_result res;
	struct att_snp_appraisal ap;
	att_provider_limits_snp(&ap, &req->prov->limits);
	vr.snp = &ap;
	/* TCB baselines and x-ms-compliance-status floors (docs/api.md
	 * "TCB baselines", verify/compliance.h) */
	const struct att_provider_limits *pl = &req->prov->limits;
	if (!snp)
		vr.min_tcb_eval_num = kind == ATT_ATTEST_TDX ? pl->min_tcb_eval_tdx
				      : kind == ATT_ATTEST_OE ? pl->min_tcb_eval_oe
							      : pl->min_tcb_eval_sgx;
	if (snp)
		vr.compliance = &req->prov->compliance.snp;
	else if (kind == ATT_ATTEST_TDX)
		vr.compliance = &req->prov->compliance.tdx;
	att_policy_limits_of(&vr.limits, &req->prov->limits);
	att_policy_budget_of(&vr.budget, &req->prov->limits);
	att_verify_result_init(&res);
	int r = snp ? att_verify_snp(ctx->verifier, &vr, &res)
		    : att_verify_enclave(ctx->verifier, kind, &vr, &res);
	if (r != 0)
		att_resp_err(resp, res.err, res.maa_code, "%s", res.msg);
	else if (legacy)
		reply_legacy(resp, res.token);
	else
		att_resp_token(resp, res.token);
	att_verify_result_release(&res);
	free(body);
}

void att_api_attest_sgx(struct att_req *req, struct att_resp *resp)
{
	attest(req, resp, ATT_ATTEST_SGX, false);
}

void att_api_attest_oe(struct att_req *req, struct att_resp *resp)
{
	attest(req, resp, ATT_ATTEST_OE, false);
}

void att_api_attest_tdx(struct att_req *req, struct att_resp *resp)
{
	attest(req, resp, ATT_ATTEST_TDX, false);
}

void att_api_attest_snp(struct att_req *req, struct att_resp *resp)
{
	attest(req, resp, ATT_ATTEST_SGX, true);
}
