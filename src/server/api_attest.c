/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/SgxEnclave, /attest/OpenEnclave, /attest/TdxVm: one
 * request end to end (api_attest.h). Order: decode the body; find the
 * policy (the draft, compiled now; else the provider's stored policy for
 * the type, or the default, from the compiled-policy cache); get the
 * collateral for the quote and verify the quote at the verification time;
 * bind runtimeData / initTimeData to it; build the evidence claims and the
 * incoming claim set; evaluate the policy; sign the token (or, with a
 * draft policy, make the unsigned one). Errors are MAA's: InvalidParameter
 * (400) for a request or evidence that does not verify, naming the step;
 * PolicyParsingError (400) for a draft that does not compile, with line
 * and column; PolicyEvaluationError (400) when the policy does not
 * authorize, with the rule that denied. Policies (drafts and stored ones)
 * compile within the provider's size limits and run within its budget
 * (policy_budget.h); a refusal names the limit (limits.policy_*). A
 * policy whose issued claims make the token too long is a
 * PolicyEvaluationError too: its output is invalid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "collateral/service.h"
#include "evidence/sgx/quote.h"
#include "evidence/sgx/verify.h"
#include "server/api_attest.h"
#include "server/handlers.h"
#include "server/policy_budget.h"
#include "server/policy_cache.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"

#define DENY_TEXT "A Deny claim was issued, authorization failed."

/* One request's state, released in one place. */
struct attest_run {
	struct att_req *req;
	struct att_resp *resp;
	struct att_attest_ctx *ctx;
	struct att_attest_request rq;
	struct att_cached_policy *pol;
	struct att_dcap_result res;
	json_t *claims;
	struct att_claimset in;
	struct att_policy_result pr;
	char *token;
	struct att_diag d;
};

static bool internal(int r)
{
	return r == ATT_ERR_NOMEM || r == ATT_ERR_INTERNAL ||
	       r == ATT_ERR_STORE || r == ATT_ERR_IO || r == ATT_ERR_CRYPTO;
}

static int fail_internal(struct attest_run *a, int r, const char *what)
{
	att_resp_error(a->resp, 500, "InternalError", "%s: %s", what,
		       att_diag_msg(&a->d));
	return r ? r : ATT_ERR_INTERNAL;
}

/* limit_note writes " (limits.policy_max_jmespath)" for a limit, "" for
 * none: every refusal for a limit names it. */
static void limit_note(char *out, size_t len, enum att_policy_limit limit)
{
	const char *name = att_policy_limit_name(limit);
	snprintf(out, len, "%s%s%s", *name ? " (" : "", name, *name ? ")" : "");
}

static void draft_error(struct attest_run *a, const struct att_policy_error *pe)
{
	char note[48];
	limit_note(note, sizeof(note), pe->limit);
	if (pe->line)
		att_resp_error(a->resp, 400, "PolicyParsingError",
			       "draftPolicyForAttestation: line %u, column %u: "
			       "%s%s",
			       pe->line, pe->column, pe->msg, note);
	else
		att_resp_error(a->resp, 400, "PolicyParsingError",
			       "draftPolicyForAttestation: %s%s",
			       pe->msg[0] ? pe->msg : att_diag_msg(&a->d),
			       note);
}

static int find_policy(struct attest_run *a)
{
	att_diag_clear(&a->d);
	struct att_policy_error pe = {0};
	struct att_policy_limits lim;
	enum att_policy_fail fail = ATT_POLICY_FAIL_NONE;
	const char *type = att_attest_kind_type(a->rq.kind);
	char note[48];
	int r;
	att_policy_limits_of(&lim, &a->req->prov->limits);
	if (a->rq.draft) {
		r = att_cached_policy_compile_limited(&a->pol, a->rq.draft,
						      a->rq.draft_len, &lim,
						      &pe, &a->d);
		if (r && !internal(r))
			draft_error(a, &pe);
		else if (r)
			fail_internal(a, r, "cannot compile the draft policy");
		return r;
	}
	r = att_policy_cache_get_limited(a->ctx->policies, a->req->srv->store,
					 a->req->prov->name, type, &lim,
					 &a->pol, &fail, &pe, &a->d);
	if (!r)
		return 0;
	limit_note(note, sizeof(note), pe.limit);
	if (fail == ATT_POLICY_FAIL_NO_POLICY)
		att_resp_error(a->resp, 400, "Bad request", "%s",
			       att_diag_msg(&a->d));
	else if (fail == ATT_POLICY_FAIL_INTERNAL)
		fail_internal(a, r, "cannot load the attestation policy");
	else
		att_resp_error(a->resp, 400, "PolicyParsingError",
			       "the %s policy of this provider cannot be "
			       "used: %s%s",
			       type, att_diag_msg(&a->d), note);
	return r;
}

static int collateral_error(struct attest_run *a, int r)
{
	if (internal(r))
		return fail_internal(a, r, "collateral");
	if (r == ATT_ERR_NETWORK || r == ATT_ERR_TIMEOUT) {
		att_resp_error(a->resp, 503, "ServiceUnavailable",
			       "the collateral for this quote could not be "
			       "fetched: %s",
			       att_diag_msg(&a->d));
		return r;
	}
	att_resp_error(a->resp, 400, "InvalidParameter",
		       "collateral for the quote: %s", att_diag_msg(&a->d));
	return r;
}

static const char *tee_name(enum att_attest_kind k)
{
	return k == ATT_ATTEST_TDX ? "TDX" : "SGX";
}

/* bind checks the quote's TEE against the route and the runtime and
 * init-time data against the quote. */
static int bind(struct attest_run *a)
{
	bool want_tdx = a->rq.kind == ATT_ATTEST_TDX;
	int r;
	if (want_tdx != (a->res.tee == ATT_DCAP_TEE_TDX)) {
		att_resp_error(a->resp, 400, "InvalidParameter",
			       "/attest/%s takes %s quotes; the quote is %s",
			       att_attest_kind_type(a->rq.kind),
			       tee_name(a->rq.kind),
			       want_tdx ? "SGX" : "TDX");
		return ATT_ERR_MISMATCH;
	}
	att_diag_clear(&a->d);
	if ((r = att_attest_binding_check(&a->rq, &a->res, &a->d)) != 0)
		att_resp_error(a->resp, 400, "InvalidParameter", "%s",
			       att_diag_msg(&a->d));
	return r;
}

static int verify(struct attest_run *a)
{
	att_diag_clear(&a->d);
	const uint8_t *q = a->rq.evidence;
	size_t len = a->rq.evidence_len;
	unsigned flags = 0;
	int r;
	if (a->rq.kind == ATT_ATTEST_OE) {
		if ((r = att_attest_oe_header_check(q, len, &a->d)) != 0) {
			att_resp_error(a->resp, 400, "InvalidParameter", "%s",
				       att_diag_msg(&a->d));
			return r;
		}
		flags = ATT_SGX_PARSE_OE_HEADER;
	}
	int64_t at = att_attest_verify_time(a->ctx, a->req->now);
	const struct att_dcap_collateral *col = NULL;
	r = att_collateral_get(a->ctx->collateral, q, len, flags, at, &col,
			       &a->d);
	if (r)
		return collateral_error(a, r);
	struct att_dcap_opts o = {.parse_flags = flags};
	att_diag_clear(&a->d);
	r = att_dcap_verify_opts(&a->res, q, len, col, a->ctx->trust,
				 a->ctx->dcap_cache, at, &o, &a->d);
	att_collateral_release(a->ctx->collateral, col);
	if (r && internal(r))
		return fail_internal(a, r, "quote verification");
	if (r) {
		att_resp_error(a->resp, 400, "InvalidParameter",
			       "quote verification failed: %s",
			       att_diag_msg(&a->d));
		return r;
	}
	return bind(a);
}

static int evidence_claims(struct attest_run *a)
{
	att_diag_clear(&a->d);
	json_t *c = a->claims = json_object();
	int r = c ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = a->rq.kind == ATT_ATTEST_TDX
			    ? att_attest_claims_tdx(c, &a->rq, &a->res)
			    : att_attest_claims_sgx(c, &a->rq, &a->res);
	if (!r && json_object_set_new(c, "x-ms-policy-hash",
				      json_string(a->pol->hash)))
		r = ATT_ERR_NOMEM;
	if (!r && a->pol->signer &&
	    json_object_set(c, "x-ms-policy-signer", a->pol->signer))
		r = ATT_ERR_NOMEM;
	if (!r)
		r = att_attest_claims_tcb(c, &a->res, a->ctx->verify_time);
	if (!r)
		r = att_attest_incoming(&a->in, c, a->rq.kind);
	if (r)
		return fail_internal(a, r, "cannot build the claims");
	return 0;
}

static int evaluate(struct attest_run *a)
{
	struct att_policy_budget b;
	char note[48];
	att_diag_clear(&a->d);
	att_policy_budget_of(&b, &a->req->prov->limits);
	int r = att_policy_eval_budget(a->pol->policy, &a->in, &b, &a->pr,
				       false, &a->d);
	if (r && internal(r))
		return fail_internal(a, r, "policy evaluation");
	if (r) {
		limit_note(note, sizeof(note), a->pr.limit);
		att_resp_error(a->resp, 400, "PolicyEvaluationError",
			       "the policy failed: %s%s", att_diag_msg(&a->d),
			       note);
		return r;
	}
	if (!a->pr.authorized) {
		att_resp_error(a->resp, 400, "PolicyEvaluationError",
			       DENY_TEXT " %s",
			       a->pr.deny_summary ? a->pr.deny_summary
						  : "no permit() fired");
		return ATT_ERR_POLICY_DENY;
	}
	return 0;
}

/* token_too_long answers a token over ATT_MAX_TOKEN_LEN: only the
 * policy's issued claims can make it so (the evidence claims are bounded
 * by the quote and request sizes), so it is the policy's output that is
 * invalid. */
static int token_too_long(struct attest_run *a)
{
	json_t *issued = json_object_get(a->claims, "x-ms-policy");
	char *text = issued ? json_dumps(issued, JSON_COMPACT) : NULL;
	size_t n = text ? strlen(text) : 0;
	free(text);
	att_resp_error(a->resp, 400, "PolicyEvaluationError",
		       "the policy's issued claims (%zu claim%s, %zu bytes of "
		       "JSON in x-ms-policy, most also at the top level) make "
		       "the token longer than %d bytes (ATT_MAX_TOKEN_LEN)",
		       a->pr.issued.n, a->pr.issued.n == 1 ? "" : "s", n,
		       ATT_MAX_TOKEN_LEN);
	return ATT_ERR_LIMIT;
}

static int finish(struct attest_run *a)
{
	att_diag_clear(&a->d);
	char jti[65];
	int r = att_attest_place_issued(a->claims, &a->pr.issued);
	if (!r && a->rq.nonce &&
	    json_object_set_new(a->claims, "nonce", json_string(a->rq.nonce)))
		r = ATT_ERR_NOMEM;
	if (!r)
		r = att_attest_jti(jti);
	if (!r && json_object_set_new(a->claims, "jti", json_string(jti)))
		r = ATT_ERR_NOMEM;
	if (!r)
		r = att_attest_token(&a->token, a->req, a->claims,
				     a->rq.draft != NULL, &a->d);
	if (r == ATT_ERR_LIMIT)
		return token_too_long(a);
	if (r)
		return fail_internal(a, r, "cannot make the token");
	att_resp_token(a->resp, a->token);
	return 0;
}

static void attest(struct att_req *req, struct att_resp *resp,
		   enum att_attest_kind kind)
{
	struct attest_run *a = calloc(1, sizeof(*a));
	if (!a) {
		att_resp_error(resp, 500, "InternalError", "out of memory");
		return;
	}
	a->req = req;
	a->resp = resp;
	att_claimset_init(&a->in);
	att_policy_result_init(&a->pr);
	if (!(a->ctx = att_attest_ctx_of(req->srv, &a->d)))
		fail_internal(a, ATT_ERR_INTERNAL,
			      "the attestation service is not initialised");
	else if (att_attest_request_decode(&a->rq, kind, req->body,
					   req->body_len, &a->d) != 0)
		att_resp_error(resp, 400, "InvalidParameter", "%s",
			       att_diag_msg(&a->d));
	else if (!find_policy(a) && !verify(a) && !evidence_claims(a) &&
		 !evaluate(a))
		finish(a);
	att_attest_request_release(&a->rq);
	att_cached_policy_unref(a->pol);
	json_decref(a->claims);
	att_claimset_release(&a->in);
	att_policy_result_release(&a->pr);
	free(a->token);
	free(a);
}

void att_api_attest_sgx(struct att_req *req, struct att_resp *resp)
{
	attest(req, resp, ATT_ATTEST_SGX);
}

void att_api_attest_oe(struct att_req *req, struct att_resp *resp)
{
	attest(req, resp, ATT_ATTEST_OE);
}

void att_api_attest_tdx(struct att_req *req, struct att_resp *resp)
{
	attest(req, resp, ATT_ATTEST_TDX);
}
