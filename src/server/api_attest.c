/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/SgxEnclave, /attest/OpenEnclave, /attest/TdxVm and
 * /attest/SevSnpVm (att_verify_snp, with the provider's SEV-SNP
 * appraisal: limits.snp_allow_debug, limits.snp_max_vmpl): decode
 * HTTP, run the verifier (src/verify/verifier.h: request decoding,
 * policy, quote verification, data binding, claims, policy evaluation,
 * issued claims, token) and answer with its result: the token, or the
 * error's HTTP status and MAA code from the verifier's one table
 * (att_verify_http_status) with the message naming the failing step.
 */
#include <stdlib.h>

#include "attest/err.h"
#include "server/api_attest.h"
#include "server/handlers.h"
#include "server/policy_budget.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"
#include "evidence/snp/snp.h"
#include "verify/verifier.h"

/* sign is the verifier's signer: the provider's key, or the unsigned
 * token of a draft policy. */
static int sign(void *arg, json_t *claims, bool draft, char **token,
		struct att_diag *d)
{
	return att_attest_token(token, arg, claims, draft, d);
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
	struct att_verify_req vr = {
		.body = req->body,
		.body_len = req->body_len,
		.provider = req->prov->name,
		.now = req->now,
		.sign = sign,
		.sign_arg = req,
	};
	struct att_verify_result res;
	struct att_snp_appraisal ap = {
		.allow_debug = req->prov->limits.snp_allow_debug,
		.max_vmpl = req->prov->limits.snp_max_vmpl,
	};
	vr.snp = &ap;
	att_policy_limits_of(&vr.limits, &req->prov->limits);
	att_policy_budget_of(&vr.budget, &req->prov->limits);
	att_verify_result_init(&res);
	int r = snp ? att_verify_snp(ctx->verifier, &vr, &res)
		    : att_verify_enclave(ctx->verifier, kind, &vr, &res);
	if (r != 0)
		att_resp_err(resp, res.err, res.maa_code, "%s", res.msg);
	else
		att_resp_token(resp, res.token);
	att_verify_result_release(&res);
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
