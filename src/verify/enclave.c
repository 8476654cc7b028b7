/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX, Open Enclave and TDX pipeline of the verifier (verifier.h).
 * Order: decode the body; find the policy (the draft, compiled now; else
 * the provider's stored policy for the type, or the default, from the
 * compiled-policy cache); get the collateral for the quote and verify the
 * quote at the verification time; bind runtimeData / initTimeData to it;
 * build the evidence claims and the incoming claim set; evaluate the
 * policy; place the issued claims and sign the token (or, with a draft
 * policy, make the unsigned one). Errors are MAA's: InvalidParameter for a
 * request or evidence that does not verify, naming the step;
 * PolicyParsingError for a draft that does not compile, with line and
 * column; PolicyEvaluationError when the policy does not authorize, with
 * the rule that denied. Policies (drafts and stored ones) compile within
 * the request's limits and run within its budget; a refusal names the
 * limit (limits.policy_*). A policy whose issued claims make the token
 * too long is a PolicyEvaluationError too: its output is invalid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "collateral/service.h"
#include "evidence/sgx/quote.h"
#include "evidence/sgx/verify.h"
#include "verify/compliance.h"
#include "verify/pipeline.h"
#include "verify/policy_cache.h"
#include "verify/verifier.h"

/* One request's state, released in one place. */
struct run {
	struct att_pipe p; /* the shared steps' state (verify/pipeline.h) */
	struct att_attest_request rq;
	struct att_dcap_result dr;
};

static int collateral_error(struct run *a, int r)
{
	if (att_verify_is_internal(r))
		return att_pipe_fail_internal(&a->p, r, "collateral");
	if (r == ATT_ERR_NETWORK || r == ATT_ERR_TIMEOUT)
		return att_pipe_fail(
		    &a->p, r, NULL,
		    "the collateral for this quote could not be "
		    "fetched: %s",
		    att_diag_msg(&a->p.d));
	return att_pipe_fail(&a->p, r, NULL, "collateral for the quote: %s",
			     att_diag_msg(&a->p.d));
}

static const char *tee_name(enum att_attest_kind k)
{
	return k == ATT_ATTEST_TDX ? "TDX" : "SGX";
}

/* bind checks the quote's TEE against the evidence type and the runtime
 * and init-time data against the quote. */
static int bind(struct run *a)
{
	bool want_tdx = a->rq.kind == ATT_ATTEST_TDX;
	int r;
	if (want_tdx != (a->dr.tee == ATT_DCAP_TEE_TDX))
		return att_pipe_fail(
		    &a->p, ATT_ERR_MISMATCH, NULL,
		    "/attest/%s takes %s quotes; the quote is %s",
		    att_attest_kind_type(a->rq.kind), tee_name(a->rq.kind),
		    want_tdx ? "SGX" : "TDX");
	att_diag_clear(&a->p.d);
	if ((r = att_attest_binding_check(&a->rq, &a->dr, &a->p.d)) != 0)
		return att_pipe_fail(&a->p, r, NULL, "%s",
				     att_diag_msg(&a->p.d));
	return 0;
}

/* baseline refuses a quote evaluated with collateral older than the
 * provider's minimum TCB baseline (MAA: InvalidParameter for a TCB below
 * the baseline; docs/api.md "TCB baselines"). The number
 * compared is the lower of the TCB Info's and the QE Identity's, the one
 * the quote was evaluated against (x-ms-sgx-tcbevaluationdatanumber). */
static int baseline(struct run *a)
{
	uint32_t min = a->p.req->min_tcb_eval_num;
	if (!min || a->dr.tcb_eval_num >= min)
		return 0;
	return att_pipe_fail(
	    &a->p, ATT_ERR_TCB_OUT_OF_DATE, "InvalidParameter",
	    "TCB baseline: the quote was evaluated with TCB "
	    "evaluation data number %u (TCB Info %u), below this "
	    "provider's minimum TCB baseline %u for %s "
	    "(limits.min_tcb_evaluation_data_number)",
	    a->dr.tcb_eval_num, a->dr.tcb_info_eval_num, min,
	    att_attest_kind_type(a->rq.kind));
}

static int verify_quote(struct run *a)
{
	att_diag_clear(&a->p.d);
	const uint8_t *q = a->rq.evidence;
	size_t len = a->rq.evidence_len;
	unsigned flags = 0;
	int r;
	if (a->rq.kind == ATT_ATTEST_OE) {
		if ((r = att_attest_oe_header_check(q, len, &a->p.d)) != 0)
			return att_pipe_fail(&a->p, r, NULL, "%s",
					     att_diag_msg(&a->p.d));
		flags = ATT_SGX_PARSE_OE_HEADER;
	}
	int64_t at = att_verifier_time(a->p.v, a->p.req->now);
	const struct att_dcap_collateral *col = NULL;
	r = att_collateral_get(a->p.v->collateral, q, len, flags, at, &col,
			       &a->p.d);
	if (r)
		return collateral_error(a, r);
	struct att_dcap_opts o = {.parse_flags = flags};
	att_diag_clear(&a->p.d);
	r = att_dcap_verify_opts(&a->dr, q, len, col, a->p.v->trust,
				 a->p.v->dcap_cache, at, &o, &a->p.d);
	att_collateral_release(a->p.v->collateral, col);
	if (r && att_verify_is_internal(r))
		return att_pipe_fail_internal(&a->p, r, "quote verification");
	if (r)
		return att_pipe_fail(&a->p, r, NULL,
				     "quote verification failed: %s",
				     att_diag_msg(&a->p.d));
	return baseline(a) ? a->p.res->err : bind(a);
}

int att_verify_dcap_claims(json_t *c, enum att_attest_kind kind,
			   const struct att_attest_request *rq,
			   const struct att_dcap_result *res,
			   const char *policy_hash, json_t *policy_signer,
			   int64_t verify_time_override)
{
	static const struct att_attest_request none;
	if (!rq)
		rq = &none;
	int r = kind == ATT_ATTEST_TDX ? att_attest_claims_tdx(c, rq, res)
				       : att_attest_claims_sgx(c, rq, res);
	if (!r)
		r = att_pipe_policy_claims(c, policy_hash, policy_signer);
	if (!r)
		r = att_attest_claims_tcb(c, res, verify_time_override);
	return r;
}

static int evidence_claims(struct run *a)
{
	att_diag_clear(&a->p.d);
	json_t *c = a->p.res->claims = json_object();
	int r = c ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = att_verify_dcap_claims(c, a->rq.kind, &a->rq, &a->dr,
					   a->p.pol->hash, a->p.pol->signer,
					   a->p.v->verify_time);
	if (!r && a->rq.kind == ATT_ATTEST_TDX)
		r = att_compliance_tdx_claim(c, a->p.req->compliance, &a->dr);
	if (!r)
		r = att_attest_incoming(&a->p.in, c, a->rq.kind);
	if (r)
		return att_pipe_fail_internal(&a->p, r,
					      "cannot build the claims");
	return 0;
}

int att_verify_enclave(struct att_verifier *v, enum att_attest_kind kind,
		       const struct att_verify_req *req,
		       struct att_verify_result *res)
{
	struct run *a = calloc(1, sizeof(*a));
	if (att_pipe_start(a ? &a->p : NULL, v, req, res))
		return res->err;
	int r = att_attest_request_decode(&a->rq, kind, req->body,
					  req->body_len, &a->p.d);
	if (!att_pipe_decoded(&a->p, r, a->rq.draft, a->rq.draft_len,
			      a->rq.nonce) &&
	    !att_pipe_find_policy(&a->p, att_attest_kind_type(kind),
				  ATT_PIPE_DRAFT_LINES) &&
	    !verify_quote(a) && !evidence_claims(a) &&
	    !att_pipe_evaluate(&a->p))
		att_pipe_finish(&a->p, ATT_PIPE_TOKEN_DETAIL);
	att_attest_request_release(&a->rq);
	r = att_pipe_release(&a->p);
	free(a);
	return r;
}

int att_verify_sgx(struct att_verifier *v, const struct att_verify_req *req,
		   struct att_verify_result *res)
{
	return att_verify_enclave(v, ATT_ATTEST_SGX, req, res);
}

int att_verify_oe(struct att_verifier *v, const struct att_verify_req *req,
		  struct att_verify_result *res)
{
	return att_verify_enclave(v, ATT_ATTEST_OE, req, res);
}

int att_verify_tdx(struct att_verifier *v, const struct att_verify_req *req,
		   struct att_verify_result *res)
{
	return att_verify_enclave(v, ATT_ATTEST_TDX, req, res);
}
