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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "collateral/service.h"
#include "evidence/sgx/quote.h"
#include "evidence/sgx/verify.h"
#include "verify/compliance.h"
#include "verify/policy_cache.h"
#include "verify/verifier.h"

#define DENY_TEXT "A Deny claim was issued, authorization failed."

/* One request's state, released in one place. */
struct run {
	struct att_verifier *v;
	const struct att_verify_req *req;
	struct att_verify_result *res;
	struct att_attest_request rq;
	struct att_cached_policy *pol;
	struct att_dcap_result dr;
	struct att_claimset in;
	struct att_diag d;
};

/* fail records the error: its code, the MAA code of the table
 * (att_verify_http_status, code for a refusal) and the message. */
static int fail(struct run *a, int r, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct run *a, int r, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->res->msg, sizeof(a->res->msg), fmt, ap);
	va_end(ap);
	a->res->err = r ? r : ATT_ERR_INTERNAL;
	a->res->http_status =
		att_verify_http_status(a->res->err, code, &a->res->maa_code);
	return a->res->err;
}

/* fail_internal: a step that cannot fail because of the request failed
 * (500 whatever the code). */
static int fail_internal(struct run *a, int r, const char *what)
{
	fail(a, r, NULL, "%s: %s", what, att_diag_msg(&a->d));
	a->res->http_status = 500;
	a->res->maa_code = "InternalError";
	return a->res->err;
}

/* limit_note writes " (limits.policy_max_jmespath)" for a limit, "" for
 * none: every refusal for a limit names it. */
static void limit_note(char *out, size_t len, enum att_policy_limit limit)
{
	const char *name = att_policy_limit_name(limit);
	snprintf(out, len, "%s%s%s", *name ? " (" : "", name, *name ? ")" : "");
}

static int draft_error(struct run *a, int r, const struct att_policy_error *pe)
{
	char note[48];
	limit_note(note, sizeof(note), pe->limit);
	if (pe->line)
		return fail(a, r, "PolicyParsingError",
			    "draftPolicyForAttestation: line %u, column %u: "
			    "%s%s",
			    pe->line, pe->column, pe->msg, note);
	return fail(a, r, "PolicyParsingError",
		    "draftPolicyForAttestation: %s%s",
		    pe->msg[0] ? pe->msg : att_diag_msg(&a->d), note);
}

static int find_policy(struct run *a)
{
	att_diag_clear(&a->d);
	struct att_policy_error pe = {0};
	enum att_policy_fail pf = ATT_POLICY_FAIL_NONE;
	const char *type = att_attest_kind_type(a->rq.kind);
	char note[48];
	int r;
	if (a->rq.draft && a->req->refuse_draft)
		return fail(a, ATT_ERR_UNSUPPORTED, NULL,
			    "draftPolicyForAttestation: not accepted here "
			    "(the caller chooses the policy)");
	if (!a->rq.draft && a->req->policy) {
		a->pol = att_cached_policy_ref(a->req->policy);
		return 0;
	}
	if (a->rq.draft) {
		r = att_cached_policy_compile_limited(&a->pol, a->rq.draft,
						      a->rq.draft_len,
						      &a->req->limits, &pe,
						      &a->d);
		if (r && !att_verify_is_internal(r))
			return draft_error(a, r, &pe);
		if (r)
			return fail_internal(a, r,
					     "cannot compile the draft policy");
		a->res->draft = true;
		return 0;
	}
	r = att_policy_cache_get_limited(a->v->policies, a->v->store,
					 a->req->provider, type,
					 &a->req->limits, &a->pol, &pf, &pe,
					 &a->d);
	if (!r)
		return 0;
	limit_note(note, sizeof(note), pe.limit);
	if (pf == ATT_POLICY_FAIL_NO_POLICY)
		return fail(a, r, "Bad request", "%s", att_diag_msg(&a->d));
	if (pf == ATT_POLICY_FAIL_INTERNAL)
		return fail_internal(a, r, "cannot load the attestation policy");
	return fail(a, r, "PolicyParsingError",
		    "the %s policy of this provider cannot be used: %s%s",
		    type, att_diag_msg(&a->d), note);
}

static int collateral_error(struct run *a, int r)
{
	if (att_verify_is_internal(r))
		return fail_internal(a, r, "collateral");
	if (r == ATT_ERR_NETWORK || r == ATT_ERR_TIMEOUT)
		return fail(a, r, NULL,
			    "the collateral for this quote could not be "
			    "fetched: %s",
			    att_diag_msg(&a->d));
	return fail(a, r, NULL, "collateral for the quote: %s",
		    att_diag_msg(&a->d));
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
		return fail(a, ATT_ERR_MISMATCH, NULL,
			    "/attest/%s takes %s quotes; the quote is %s",
			    att_attest_kind_type(a->rq.kind),
			    tee_name(a->rq.kind), want_tdx ? "SGX" : "TDX");
	att_diag_clear(&a->d);
	if ((r = att_attest_binding_check(&a->rq, &a->dr, &a->d)) != 0)
		return fail(a, r, NULL, "%s", att_diag_msg(&a->d));
	return 0;
}

/* baseline refuses a quote evaluated with collateral older than the
 * provider's minimum TCB baseline (MAA: InvalidParameter for a TCB below
 * the baseline; docs/api.md "TCB baselines"). The number
 * compared is the lower of the TCB Info's and the QE Identity's, the one
 * the quote was evaluated against (x-ms-sgx-tcbevaluationdatanumber). */
static int baseline(struct run *a)
{
	uint32_t min = a->req->min_tcb_eval_num;
	if (!min || a->dr.tcb_eval_num >= min)
		return 0;
	return fail(a, ATT_ERR_TCB_OUT_OF_DATE, "InvalidParameter",
		    "TCB baseline: the quote was evaluated with TCB "
		    "evaluation data number %u (TCB Info %u), below this "
		    "provider's minimum TCB baseline %u for %s "
		    "(limits.min_tcb_evaluation_data_number)",
		    a->dr.tcb_eval_num, a->dr.tcb_info_eval_num, min,
		    att_attest_kind_type(a->rq.kind));
}

static int verify_quote(struct run *a)
{
	att_diag_clear(&a->d);
	const uint8_t *q = a->rq.evidence;
	size_t len = a->rq.evidence_len;
	unsigned flags = 0;
	int r;
	if (a->rq.kind == ATT_ATTEST_OE) {
		if ((r = att_attest_oe_header_check(q, len, &a->d)) != 0)
			return fail(a, r, NULL, "%s", att_diag_msg(&a->d));
		flags = ATT_SGX_PARSE_OE_HEADER;
	}
	int64_t at = att_verifier_time(a->v, a->req->now);
	const struct att_dcap_collateral *col = NULL;
	r = att_collateral_get(a->v->collateral, q, len, flags, at, &col,
			       &a->d);
	if (r)
		return collateral_error(a, r);
	struct att_dcap_opts o = {.parse_flags = flags};
	att_diag_clear(&a->d);
	r = att_dcap_verify_opts(&a->dr, q, len, col, a->v->trust,
				 a->v->dcap_cache, at, &o, &a->d);
	att_collateral_release(a->v->collateral, col);
	if (r && att_verify_is_internal(r))
		return fail_internal(a, r, "quote verification");
	if (r)
		return fail(a, r, NULL, "quote verification failed: %s",
			    att_diag_msg(&a->d));
	return baseline(a) ? a->res->err : bind(a);
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
	if (!r && policy_hash &&
	    json_object_set_new(c, "x-ms-policy-hash", json_string(policy_hash)))
		r = ATT_ERR_NOMEM;
	if (!r && policy_signer &&
	    json_object_set(c, "x-ms-policy-signer", policy_signer))
		r = ATT_ERR_NOMEM;
	if (!r)
		r = att_attest_claims_tcb(c, res, verify_time_override);
	return r;
}

static int evidence_claims(struct run *a)
{
	att_diag_clear(&a->d);
	json_t *c = a->res->claims = json_object();
	int r = c ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = att_verify_dcap_claims(c, a->rq.kind, &a->rq, &a->dr,
					   a->pol->hash, a->pol->signer,
					   a->v->verify_time);
	if (!r && a->rq.kind == ATT_ATTEST_TDX)
		r = att_compliance_tdx_claim(c, a->req->compliance, &a->dr);
	if (!r)
		r = att_attest_incoming(&a->in, c, a->rq.kind);
	if (r)
		return fail_internal(a, r, "cannot build the claims");
	return 0;
}

static int evaluate(struct run *a)
{
	struct att_policy_result *pr = &a->res->policy;
	char note[48];
	att_diag_clear(&a->d);
	int r = att_policy_eval_budget(a->pol->policy, &a->in,
				       &a->req->budget, pr, a->req->explain,
				       &a->d);
	if (r && att_verify_is_internal(r))
		return fail_internal(a, r, "policy evaluation");
	if (r) {
		limit_note(note, sizeof(note), pr->limit);
		return fail(a, r, "PolicyEvaluationError",
			    "the policy failed: %s%s", att_diag_msg(&a->d),
			    note);
	}
	a->res->authorized = pr->authorized;
	if (!pr->authorized)
		return fail(a, ATT_ERR_POLICY_DENY, "PolicyEvaluationError",
			    DENY_TEXT " %s",
			    pr->deny_summary ? pr->deny_summary
					     : "no permit() fired");
	return 0;
}

/* token_too_long answers a token over ATT_MAX_TOKEN_LEN: only the
 * policy's issued claims can make it so (the evidence claims are bounded
 * by the quote and request sizes), so it is the policy's output that is
 * invalid. */
static int token_too_long(struct run *a)
{
	json_t *issued = json_object_get(a->res->claims, "x-ms-policy");
	char *text = issued ? json_dumps(issued, JSON_COMPACT) : NULL;
	size_t n = text ? strlen(text) : 0;
	size_t k = a->res->policy.issued.n;
	free(text);
	return fail(a, ATT_ERR_LIMIT, "PolicyEvaluationError",
		    "the policy's issued claims (%zu claim%s, %zu bytes of "
		    "JSON in x-ms-policy, most also at the top level) make "
		    "the token longer than %d bytes (ATT_MAX_TOKEN_LEN)",
		    k, k == 1 ? "" : "s", n, ATT_MAX_TOKEN_LEN);
}

static int finish(struct run *a)
{
	att_diag_clear(&a->d);
	json_t *c = a->res->claims;
	char jti[65];
	int r = att_attest_place_issued(c, &a->res->policy.issued);
	if (!r && a->rq.nonce &&
	    json_object_set_new(c, "nonce", json_string(a->rq.nonce)))
		r = ATT_ERR_NOMEM;
	if (!r)
		r = att_attest_jti(jti);
	if (!r && json_object_set_new(c, "jti", json_string(jti)))
		r = ATT_ERR_NOMEM;
	if (!r && a->req->sign)
		r = a->req->sign(a->req->sign_arg, c, a->rq.draft != NULL,
				 &a->res->token, &a->d);
	if (r == ATT_ERR_LIMIT)
		return token_too_long(a);
	if (r)
		return fail_internal(a, r, "cannot make the token");
	return 0;
}

int att_verify_enclave(struct att_verifier *v, enum att_attest_kind kind,
		       const struct att_verify_req *req,
		       struct att_verify_result *res)
{
	struct run *a = calloc(1, sizeof(*a));
	att_verify_result_release(res);
	if (!a) {
		res->err = ATT_ERR_NOMEM;
		res->http_status = att_verify_http_status(res->err, NULL,
							  &res->maa_code);
		snprintf(res->msg, sizeof(res->msg), "out of memory");
		return res->err;
	}
	a->v = v;
	a->req = req;
	a->res = res;
	att_claimset_init(&a->in);
	int r = att_attest_request_decode(&a->rq, kind, req->body,
					  req->body_len, &a->d);
	if (r)
		fail(a, r, NULL, "%s", att_diag_msg(&a->d));
	else if (!find_policy(a) && !verify_quote(a) && !evidence_claims(a) &&
		 !evaluate(a))
		finish(a);
	r = res->err;
	att_attest_request_release(&a->rq);
	att_cached_policy_unref(a->pol);
	att_claimset_release(&a->in);
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
