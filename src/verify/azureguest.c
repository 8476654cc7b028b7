/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AzureGuest pipeline of the verifier (verifier.h,
 * att_verify_azureguest; docs/api.md "AzureGuest"). Order: decode the
 * body; find the policy (the draft, else the provider's stored
 * AzureGuest policy, or the default); the vTPM links (AikPub and the
 * quote, the AIK certificate, EncKeyPub's certification, the boot log);
 * for SevSnp / Tdx the hardware links; the claims and the incoming set;
 * the policy; the issued claims, the token, and the token sealed to
 * EncKeyPub. Errors are MAA's as for the other types: InvalidParameter
 * naming the link for evidence that does not verify, PolicyParsingError,
 * PolicyEvaluationError.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "collateral/service.h"
#include "crypto/cert.h"
#include "evidence/sgx/verify.h"
#include "evidence/snp/cache.h"
#include "verify/azureguest.h"
#include "verify/compliance.h"
#include "verify/policy_cache.h"
#include "verify/snp.h"
#include "verify/verifier.h"

#define AZG_TYPE "AzureGuest"
#define DENY_TEXT "A Deny claim was issued, authorization failed."

struct run {
	struct att_verifier *v;
	const struct att_verify_req *req;
	struct att_verify_result *res;
	struct att_azg_request rq;
	struct att_azg_tpm t;
	struct att_cached_policy *pol;
	json_t *tee; /* x-ms-isolation-tee */
	struct att_claimset in;
	struct att_diag d;
};

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

static int fail_internal(struct run *a, int r, const char *what)
{
	fail(a, r, NULL, "%s: %s", what, att_diag_msg(&a->d));
	a->res->http_status = 500;
	a->res->maa_code = "InternalError";
	return a->res->err;
}

/* step reports a link's result: internal failures as such, others as
 * InvalidParameter with the link's message. */
static int step(struct run *a, int r)
{
	if (!r)
		return 0;
	if (att_verify_is_internal(r))
		return fail_internal(a, r, "AzureGuest verification");
	return fail(a, r, NULL, "%s", att_diag_msg(&a->d));
}

static void limit_note(char *out, size_t len, enum att_policy_limit limit)
{
	const char *name = att_policy_limit_name(limit);
	snprintf(out, len, "%s%s%s", *name ? " (" : "", name, *name ? ")" : "");
}

static int find_policy(struct run *a)
{
	struct att_policy_error pe = {0};
	enum att_policy_fail pf = ATT_POLICY_FAIL_NONE;
	char note[48];
	int r;
	att_diag_clear(&a->d);
	if (a->rq.draft && a->req->refuse_draft)
		return fail(a, ATT_ERR_UNSUPPORTED, NULL,
			    "draftPolicyForAttestation: not accepted here "
			    "(the caller chooses the policy)");
	if (!a->rq.draft && a->req->policy) {
		a->pol = att_cached_policy_ref(a->req->policy);
		return 0;
	}
	if (a->rq.draft) {
		a->res->draft = true;
		r = att_cached_policy_compile_limited(&a->pol, a->rq.draft,
						      a->rq.draft_len,
						      &a->req->limits, &pe,
						      &a->d);
		if (r && att_verify_is_internal(r))
			return fail_internal(a, r,
					     "cannot compile the draft policy");
		limit_note(note, sizeof(note), pe.limit);
		if (r)
			return fail(a, r, "PolicyParsingError",
				    "draftPolicyForAttestation: %s%s",
				    pe.msg[0] ? pe.msg : att_diag_msg(&a->d),
				    note);
		return 0;
	}
	r = att_policy_cache_get_limited(a->v->policies, a->v->store,
					 a->req->provider, AZG_TYPE,
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
		    "the " AZG_TYPE " policy of this provider cannot be used: "
		    "%s%s",
		    att_diag_msg(&a->d), note);
}

static int tpm_links(struct run *a)
{
	int64_t at = att_verifier_time(a->v, a->req->now);
	att_diag_clear(&a->d);
	int r = att_azg_check_quote(&a->rq, &a->t, &a->d);
	if (!r)
		r = att_azg_check_aik_cert(&a->rq, &a->t, a->req->vtpm_roots_pem,
					   a->req->vtpm_roots_len, at, &a->d);
	if (!r)
		r = att_azg_check_enckey(&a->rq, &a->t, &a->d);
	if (!r)
		r = att_azg_check_log(&a->rq, &a->t, &a->d);
	return step(a, r);
}

/* hcl_link: HCLAkPub = AikPub and the runtime claims into the tee. */
static int hcl_link(struct run *a)
{
	json_t *rt = NULL;
	int r = att_azg_check_hcl_key(a->rq.runtime.p, a->rq.runtime.len,
				      a->t.aik_key, &rt, &a->d);
	json_t *c = r ? NULL : att_azg_runtime_claims(rt);
	if (!r && (!c || json_object_set_new(a->tee, "x-ms-runtime", c)))
		r = att_diag_set(&a->d, ATT_ERR_NOMEM, "out of memory");
	json_decref(rt);
	return r;
}

/* snp_doc reads Proof {"SnpReport", "VcekCertChain"} (base64url). */
static int snp_doc(struct run *a, uint8_t **rep, size_t *rep_len,
		   uint8_t **pem, size_t *pem_len)
{
	json_t *doc = NULL;
	struct att_diag jd = {0};
	const char *s1, *s2;
	int r = att_attest_json_parse(&doc, a->rq.proof.p, a->rq.proof.len,
				      &jd);
	s1 = json_string_value(json_object_get(doc, "SnpReport"));
	s2 = json_string_value(json_object_get(doc, "VcekCertChain"));
	if (r || !s1 || !s2 ||
	    att_b64_decode(rep, rep_len, s1, strlen(s1)) != 0 ||
	    att_b64_decode(pem, pem_len, s2, strlen(s2)) != 0)
		r = att_diag_set(&a->d, ATT_ERR_FORMAT,
				 "IsolationInfo.Evidence.Proof: not a JSON "
				 "document {SnpReport, VcekCertChain} of "
				 "base64url strings");
	json_decref(doc);
	return r;
}

/* snp_trust: the dev-mode ARKs when the chain carries one of them (the
 * SEV-SNP simulator's), else the pinned roots (as SevSnpVm, snp.c). */
static const struct att_snp_trust *snp_trust(const struct run *a,
					     struct att_cert **certs, size_t n)
{
	const struct att_snp_trust *dev = a->v->snp_dev_trust;
	for (size_t i = 1; dev && i < n; i++)
		for (int p = ATT_SNP_PRODUCT_UNKNOWN + 1;
		     p < ATT_SNP_PRODUCT_COUNT; p++) {
			const struct att_cert *ark = att_snp_trust_get0_ark(
				dev, (enum att_snp_product)p);
			if (ark && att_cert_equal(ark, certs[i]))
				return dev;
		}
	return a->v->snp_trust;
}

static int snp_link(struct run *a)
{
	static const struct att_snp_appraisal dflt = {.max_vmpl = 3};
	uint8_t *rep = NULL, *pem = NULL;
	size_t rep_len = 0, pem_len = 0, n = 0;
	struct att_cert **certs = NULL;
	struct att_snp_result sr;
	struct att_diag ld = {0};
	int r = snp_doc(a, &rep, &rep_len, &pem, &pem_len);
	if (!r && (att_snp_cache_chain_from_pem(a->v->snp_cache, &certs, &n,
						(const char *)pem,
						pem_len) != 0 ||
		   n < 2 || n > ATT_SNP_MAX_CHAIN_CERTS))
		r = att_diag_set(&a->d, ATT_ERR_FORMAT,
				 "Proof.VcekCertChain: not a PEM chain of 2 to "
				 "%d certificates (VCEK, ASK, ARK)",
				 ATT_SNP_MAX_CHAIN_CERTS);
	const struct att_snp_trust *trust = r ? NULL : snp_trust(a, certs, n);
	if (!r && !trust)
		r = att_diag_set(&a->d, ATT_ERR_INTERNAL,
				 "the verifier has no SEV-SNP trust anchors");
	if (!r) {
		struct att_snp_certs c = {.vek = certs[0],
					  .chain = certs + 1,
					  .n_chain = n - 1};
		r = att_snp_verify_cached(a->v->snp_cache, &sr, rep, rep_len,
					  &c, trust,
					  a->req->snp ? a->req->snp : &dflt,
					  att_verifier_time(a->v, a->req->now),
					  &ld);
		if (r)
			att_diag_set(&a->d, r,
				     "SEV-SNP report verification failed: %s",
				     att_diag_msg(&ld));
	}
	if (!r)
		r = att_azg_check_report_data(sr.rep.report_data,
					      a->rq.runtime.p,
					      a->rq.runtime.len, &a->d);
	if (!r && att_snp_claims(a->tee, NULL, &sr, ATT_SNP_VEK_CHAIN) != 0)
		r = att_diag_set(&a->d, ATT_ERR_NOMEM, "out of memory");
	/* x-ms-compliance-status sits in x-ms-isolation-tee, as in MAA's
	 * azurevm tokens; only with the provider's AzureGuest floor met. */
	if (!r && att_compliance_snp_claim(a->tee, a->req->compliance, &sr))
		r = att_diag_set(&a->d, ATT_ERR_NOMEM, "out of memory");
	att_cert_chain_free(certs, n);
	free(rep);
	free(pem);
	return r;
}

static int tdx_link(struct run *a)
{
	static const struct att_attest_request none;
	const struct att_dcap_collateral *col = NULL;
	struct att_dcap_result dr;
	struct att_dcap_opts o = {0};
	struct att_diag ld = {0};
	int64_t at = att_verifier_time(a->v, a->req->now);
	memset(&dr, 0, sizeof(dr));
	int r = a->v->collateral
			? att_collateral_get(a->v->collateral, a->rq.proof.p,
					     a->rq.proof.len, 0, at, &col, &ld)
			: ATT_ERR_NOT_FOUND;
	if (!r)
		r = att_dcap_verify_opts(&dr, a->rq.proof.p, a->rq.proof.len,
					 col, a->v->trust, a->v->dcap_cache,
					 at, &o, &ld);
	att_collateral_release(a->v->collateral, col);
	if (r)
		return att_diag_set(&a->d, r, "TD quote verification failed: %s",
				    a->v->collateral ? att_diag_msg(&ld)
						     : "no collateral source");
	if (dr.tee != ATT_DCAP_TEE_TDX)
		return att_diag_set(&a->d, ATT_ERR_MISMATCH,
				    "IsolationInfo Tdx: the Proof is not a TD "
				    "quote");
	r = att_azg_check_report_data(dr.tdx.report_data, a->rq.runtime.p,
				      a->rq.runtime.len, &a->d);
	if (!r && att_attest_claims_tdx(a->tee, &none, &dr) != 0)
		r = att_diag_set(&a->d, ATT_ERR_NOMEM, "out of memory");
	if (!r && att_compliance_tdx_claim(a->tee, a->req->compliance, &dr))
		r = att_diag_set(&a->d, ATT_ERR_NOMEM, "out of memory");
	return r;
}

static int iso_links(struct run *a)
{
	int r = 0;
	if (a->rq.iso == ATT_AZG_ISO_TRUSTED_LAUNCH)
		return 0;
	att_diag_clear(&a->d);
	if (!(a->tee = json_object()))
		r = att_diag_set(&a->d, ATT_ERR_NOMEM, "out of memory");
	if (!r)
		r = a->rq.iso == ATT_AZG_ISO_SEVSNP ? snp_link(a) : tdx_link(a);
	if (!r)
		r = hcl_link(a);
	return step(a, r);
}

static int set_str(json_t *c, const char *k, const char *v)
{
	return json_object_set_new(c, k, json_string(v)) ? ATT_ERR_NOMEM : 0;
}

static int evidence_claims(struct run *a)
{
	char t[40];
	json_t *c = a->res->claims = json_object();
	int r = c ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = att_azg_claims(c, &a->rq, &a->t, a->tee);
	if (!r)
		r = set_str(c, "x-ms-policy-hash", a->pol->hash);
	if (!r && a->pol->signer &&
	    json_object_set(c, "x-ms-policy-signer", a->pol->signer))
		r = ATT_ERR_NOMEM;
	if (!r && a->v->verify_time) {
		att_time_format(t, sizeof(t), a->v->verify_time);
		r = set_str(c, "x-attestd-verify-time-override", t);
	}
	if (!r)
		r = att_snp_incoming(&a->in, c);
	if (r) {
		att_diag_set(&a->d, r, "out of memory");
		return fail_internal(a, r, "cannot build the claims");
	}
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

static int finish(struct run *a)
{
	json_t *c = a->res->claims;
	char jti[65];
	att_diag_clear(&a->d);
	int r = att_attest_place_issued(c, &a->res->policy.issued);
	if (!r)
		r = att_attest_jti(jti);
	if (!r)
		r = set_str(c, "jti", jti);
	if (!r && a->req->sign)
		r = a->req->sign(a->req->sign_arg, c, a->rq.draft != NULL,
				 &a->res->token, &a->d);
	if (r == ATT_ERR_LIMIT)
		return fail(a, r, "PolicyEvaluationError",
			    "the policy's issued claims make the token longer "
			    "than %d bytes (ATT_MAX_TOKEN_LEN)",
			    ATT_MAX_TOKEN_LEN);
	if (r)
		return fail_internal(a, r, "cannot make the token");
	if (a->res->token &&
	    (r = att_azg_seal(&a->res->reply, a->res->token, a->t.enc_key,
			      &a->d)) != 0)
		return fail_internal(a, r, "cannot seal the token");
	return 0;
}

int att_verify_azureguest(struct att_verifier *v,
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
	int r = att_azg_request_decode(&a->rq, req->body, req->body_len,
				       &a->d);
	if (r)
		fail(a, r, NULL, "%s", att_diag_msg(&a->d));
	else if (!find_policy(a) && !tpm_links(a) && !iso_links(a) &&
		 !evidence_claims(a) && !evaluate(a))
		finish(a);
	r = res->err;
	att_azg_request_release(&a->rq);
	att_azg_tpm_release(&a->t);
	json_decref(a->tee);
	att_cached_policy_unref(a->pol);
	att_claimset_release(&a->in);
	free(a);
	return r;
}
