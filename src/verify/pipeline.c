/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The steps the attestation pipelines share (verify/pipeline.h). Errors
 * are MAA's: InvalidParameter (by att_verify_http_status) for a request
 * that does not verify, PolicyParsingError for a draft or stored policy
 * that does not compile (a draft with line and column), and
 * PolicyEvaluationError when the policy fails, denies, or issues claims
 * that make the token too long. A refusal for a limit names it
 * (limits.policy_*).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "verify/pipeline.h"
#include "verify/snp.h"

int att_pipe_start(struct att_pipe *p, struct att_verifier *v,
		   const struct att_verify_req *req,
		   struct att_verify_result *res)
{
	att_verify_result_release(res);
	if (!p) {
		res->err = ATT_ERR_NOMEM;
		res->http_status =
		    att_verify_http_status(res->err, NULL, &res->maa_code);
		snprintf(res->msg, sizeof(res->msg), "out of memory");
		return res->err;
	}
	p->v = v;
	p->req = req;
	p->res = res;
	att_claimset_init(&p->in);
	return 0;
}

int att_pipe_decoded(struct att_pipe *p, int r, const char *draft,
		     size_t draft_len, const char *nonce)
{
	p->draft = draft;
	p->draft_len = draft_len;
	p->nonce = nonce;
	if (r)
		return att_pipe_fail(p, r, NULL, "%s", att_diag_msg(&p->d));
	return 0;
}

int att_pipe_release(struct att_pipe *p)
{
	att_cached_policy_unref(p->pol);
	p->pol = NULL;
	att_claimset_release(&p->in);
	return p->res->err;
}

int att_pipe_fail(struct att_pipe *p, int r, const char *code, const char *fmt,
		  ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->res->msg, sizeof(p->res->msg), fmt, ap);
	va_end(ap);
	p->res->err = r ? r : ATT_ERR_INTERNAL;
	p->res->http_status =
	    att_verify_http_status(p->res->err, code, &p->res->maa_code);
	return p->res->err;
}

int att_pipe_fail_internal(struct att_pipe *p, int r, const char *what)
{
	att_pipe_fail(p, r, NULL, "%s: %s", what, att_diag_msg(&p->d));
	p->res->http_status = 500;
	p->res->maa_code = "InternalError";
	return p->res->err;
}

/* limit_note writes " (limits.policy_max_jmespath)" for a limit, "" for
 * none: every refusal for a limit names it. */
static void limit_note(char *out, size_t len, enum att_policy_limit limit)
{
	const char *name = att_policy_limit_name(limit);
	snprintf(out, len, "%s%s%s", *name ? " (" : "", name, *name ? ")" : "");
}

static int draft_error(struct att_pipe *p, int r,
		       const struct att_policy_error *pe, unsigned flags)
{
	char note[48];
	limit_note(note, sizeof(note), pe->limit);
	if (pe->line && (flags & ATT_PIPE_DRAFT_LINES))
		return att_pipe_fail(p, r, "PolicyParsingError",
				     "draftPolicyForAttestation: line %u, "
				     "column %u: %s%s",
				     pe->line, pe->column, pe->msg, note);
	return att_pipe_fail(p, r, "PolicyParsingError",
			     "draftPolicyForAttestation: %s%s",
			     pe->msg[0] ? pe->msg : att_diag_msg(&p->d), note);
}

static int compile_draft(struct att_pipe *p, unsigned flags)
{
	struct att_policy_error pe = {0};
	if (flags & ATT_PIPE_DRAFT_FIRST)
		p->res->draft = true;
	int r = att_cached_policy_compile_limited(
	    &p->pol, p->draft, p->draft_len, &p->req->limits, &pe, &p->d);
	if (r && att_verify_is_internal(r))
		return att_pipe_fail_internal(
		    p, r, "cannot compile the draft policy");
	if (r)
		return draft_error(p, r, &pe, flags);
	p->res->draft = true;
	return 0;
}

int att_pipe_find_policy(struct att_pipe *p, const char *type, unsigned flags)
{
	struct att_policy_error pe = {0};
	enum att_policy_fail pf = ATT_POLICY_FAIL_NONE;
	char note[48];
	int r;
	att_diag_clear(&p->d);
	if (p->draft && p->req->refuse_draft)
		return att_pipe_fail(p, ATT_ERR_UNSUPPORTED, NULL,
				     "draftPolicyForAttestation: not accepted "
				     "here (the caller chooses the policy)");
	if (!p->draft && p->req->policy) {
		p->pol = att_cached_policy_ref(p->req->policy);
		return 0;
	}
	if (p->draft)
		return compile_draft(p, flags);
	r = att_policy_cache_get_limited(
	    p->v->policies, p->v->store, p->req->provider, type,
	    &p->req->limits, &p->pol, &pf, &pe, &p->d);
	if (!r)
		return 0;
	limit_note(note, sizeof(note), pe.limit);
	if (pf == ATT_POLICY_FAIL_NO_POLICY)
		return att_pipe_fail(p, r, "Bad request", "%s",
				     att_diag_msg(&p->d));
	if (pf == ATT_POLICY_FAIL_INTERNAL)
		return att_pipe_fail_internal(
		    p, r, "cannot load the attestation policy");
	return att_pipe_fail(p, r, "PolicyParsingError",
			     "the %s policy of this provider cannot be used: "
			     "%s%s",
			     type, att_diag_msg(&p->d), note);
}

static int set_str(json_t *c, const char *k, const char *v)
{
	return json_object_set_new(c, k, json_string(v)) ? ATT_ERR_NOMEM : 0;
}

int att_pipe_policy_claims(json_t *c, const char *hash, json_t *signer)
{
	int r = hash ? set_str(c, "x-ms-policy-hash", hash) : 0;
	if (!r && signer && json_object_set(c, "x-ms-policy-signer", signer))
		r = ATT_ERR_NOMEM;
	return r;
}

int att_pipe_claims(struct att_pipe *p, json_t *c)
{
	char t[40];
	int r = att_pipe_policy_claims(c, p->pol->hash, p->pol->signer);
	if (!r && p->v->verify_time) {
		att_time_format(t, sizeof(t), p->v->verify_time);
		r = set_str(c, "x-attestd-verify-time-override", t);
	}
	return r;
}

int att_pipe_claims_incoming(struct att_pipe *p, json_t *c, int r)
{
	if (!r)
		r = att_pipe_claims(p, c);
	if (!r)
		r = att_snp_incoming(&p->in, c);
	if (!r)
		return 0;
	att_diag_set(&p->d, r, "out of memory");
	return att_pipe_fail_internal(p, r, "cannot build the claims");
}

int att_pipe_evaluate(struct att_pipe *p)
{
	struct att_policy_result *pr = &p->res->policy;
	char note[48];
	att_diag_clear(&p->d);
	int r = att_policy_eval_budget(p->pol->policy, &p->in, &p->req->budget,
				       pr, p->req->explain, &p->d);
	if (r && att_verify_is_internal(r))
		return att_pipe_fail_internal(p, r, "policy evaluation");
	if (r) {
		limit_note(note, sizeof(note), pr->limit);
		return att_pipe_fail(p, r, "PolicyEvaluationError",
				     "the policy failed: %s%s",
				     att_diag_msg(&p->d), note);
	}
	p->res->authorized = pr->authorized;
	if (!pr->authorized)
		return att_pipe_fail(
		    p, ATT_ERR_POLICY_DENY, "PolicyEvaluationError",
		    ATT_PIPE_DENY_TEXT " %s",
		    pr->deny_summary ? pr->deny_summary : "no permit() fired");
	return 0;
}

/* token_too_long answers a token over ATT_MAX_TOKEN_LEN: only the
 * policy's issued claims can make it so (the evidence claims are bounded
 * by the evidence and request sizes), so it is the policy's output that
 * is invalid. */
static int token_too_long(struct att_pipe *p, unsigned flags)
{
	if (!(flags & ATT_PIPE_TOKEN_DETAIL))
		return att_pipe_fail(p, ATT_ERR_LIMIT, "PolicyEvaluationError",
				     "the policy's issued claims make the "
				     "token longer than %d bytes "
				     "(ATT_MAX_TOKEN_LEN)",
				     ATT_MAX_TOKEN_LEN);
	json_t *issued = json_object_get(p->res->claims, "x-ms-policy");
	char *text = issued ? json_dumps(issued, JSON_COMPACT) : NULL;
	size_t n = text ? strlen(text) : 0;
	size_t k = p->res->policy.issued.n;
	free(text);
	return att_pipe_fail(p, ATT_ERR_LIMIT, "PolicyEvaluationError",
			     "the policy's issued claims (%zu claim%s, %zu "
			     "bytes of JSON in x-ms-policy, most also at the "
			     "top level) make the token longer than %d bytes "
			     "(ATT_MAX_TOKEN_LEN)",
			     k, k == 1 ? "" : "s", n, ATT_MAX_TOKEN_LEN);
}

int att_pipe_finish(struct att_pipe *p, unsigned flags)
{
	json_t *c = p->res->claims;
	char jti[65];
	att_diag_clear(&p->d);
	int r = att_attest_place_issued(c, &p->res->policy.issued);
	if (!r && p->nonce)
		r = set_str(c, "nonce", p->nonce);
	if (!r)
		r = att_attest_jti(jti);
	if (!r)
		r = set_str(c, "jti", jti);
	if (!r && p->req->sign)
		r = p->req->sign(p->req->sign_arg, c, p->draft != NULL,
				 &p->res->token, &p->d);
	if (r == ATT_ERR_LIMIT)
		return token_too_long(p, flags);
	if (r)
		return att_pipe_fail_internal(p, r, "cannot make the token");
	return 0;
}

int att_req_body(json_t **out, const uint8_t *body, size_t len,
		 const char *member, struct att_diag *d)
{
	struct att_diag jd = {0};
	if (!body || !len)
		return att_diag_set(
		    d, ATT_ERR_FORMAT,
		    "the request body is empty; expected a JSON "
		    "object with \"%s\"",
		    member);
	if (att_attest_json_parse(out, body, len, &jd) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "the request body is not JSON: %s",
				    att_diag_msg(&jd));
	if (!json_is_object(*out))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "the request body must be a JSON object");
	return 0;
}

int att_req_b64(uint8_t **out, size_t *len, const char *name, json_t *v,
		size_t max, struct att_diag *d)
{
	if (!json_is_string(v))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "\"%s\" must be a base64url string", name);
	size_t n = json_string_length(v);
	if (n / 4 * 3 > max + 3)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "\"%s\" is longer than %zu bytes", name,
				    max);
	if (att_b64_decode(out, len, json_string_value(v), n) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "\"%s\" is not base64url (or base64)",
				    name);
	if (*len <= max)
		return 0;
	free(*out);
	*out = NULL;
	*len = 0;
	return att_diag_set(d, ATT_ERR_LIMIT, "\"%s\" is longer than %zu bytes",
			    name, max);
}

int att_req_data(struct att_attest_data *x, const char *name, json_t *v,
		 struct att_diag *d)
{
	char field[64];
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "\"%s\" must be an object {\"data\", "
				    "\"dataType\"}",
				    name);
	json_t *type = json_object_get(v, "dataType");
	const char *t = json_string_value(type);
	if (type && !json_is_null(type) &&
	    (!t || (strcasecmp(t, "Binary") && strcasecmp(t, "JSON"))))
		return att_diag_set(
		    d, ATT_ERR_FORMAT,
		    "%s.dataType must be \"Binary\" or \"JSON\"", name);
	snprintf(field, sizeof(field), "%s.data", name);
	int r = att_req_b64(&x->bytes, &x->len, field,
			    json_object_get(v, "data"), ATT_MAX_HTTP_BODY, d);
	if (r)
		return r;
	x->present = true;
	x->is_json = t && !strcasecmp(t, "JSON");
	if (!x->is_json)
		return 0;
	struct att_diag jd = {0};
	att_attest_json_parse(&x->json, x->bytes, x->len, &jd);
	if (x->json && json_is_object(x->json))
		return 0;
	return att_diag_set(d, ATT_ERR_FORMAT,
			    "%s has dataType JSON but its data is not a JSON "
			    "object%s%s",
			    name, x->json ? "" : ": ",
			    x->json ? "" : att_diag_msg(&jd));
}

void att_req_data_release(struct att_attest_data *x)
{
	free(x->bytes);
	json_decref(x->json);
	memset(x, 0, sizeof(*x));
}

int att_req_mismatch(struct att_diag *d, const char *against, const char *data,
		     const uint8_t h[32], const char *field,
		     const uint8_t *want)
{
	char a[65], b[65];
	att_hex_encode(a, sizeof(a), h, 32, false);
	att_hex_encode(b, sizeof(b), want, 32, false);
	return att_diag_set(d, ATT_ERR_MISMATCH,
			    "%s does not match the %s: SHA-256(%s) = %s but "
			    "%s = %s",
			    data, against, data, a, field, b);
}

int att_req_string(const char **out, size_t *len, json_t *body,
		   const char *name, size_t max, struct att_diag *d)
{
	json_t *v = json_object_get(body, name);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "\"%s\" must be a string", name);
	if (json_string_length(v) > max)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "\"%s\" is longer than %zu bytes", name,
				    max);
	if (json_string_length(v) == 0)
		return 0;
	*out = json_string_value(v);
	if (len)
		*len = json_string_length(v);
	return 0;
}
