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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "collateral/service.h"
#include "crypto/cert.h"
#include "crypto/x509.h"
#include "evidence/sgx/verify.h"
#include "evidence/snp/cache.h"
#include "verify/azureguest.h"
#include "verify/compliance.h"
#include "verify/pipeline.h"
#include "verify/policy_cache.h"
#include "verify/snp.h"
#include "verify/verifier.h"

#define AZG_TYPE "AzureGuest"

struct run {
	struct att_pipe p; /* the shared steps' state (verify/pipeline.h) */
	struct att_azg_request rq;
	struct att_azg_tpm t;
	json_t *tee; /* x-ms-isolation-tee */
};

/* step reports a link's result: internal failures as such, others as
 * InvalidParameter with the link's message. */
static int step(struct run *a, int r)
{
	if (!r)
		return 0;
	if (att_verify_is_internal(r))
		return att_pipe_fail_internal(&a->p, r,
					      "AzureGuest verification");
	return att_pipe_fail(&a->p, r, NULL, "%s", att_diag_msg(&a->p.d));
}

static int tpm_links(struct run *a)
{
	int64_t at = att_verifier_time(a->p.v, a->p.req->now);
	att_diag_clear(&a->p.d);
	int r = att_azg_check_quote(&a->rq, &a->t, &a->p.d);
	if (!r)
		r = att_azg_check_aik_cert(
		    &a->rq, &a->t, a->p.req->vtpm_roots_pem,
		    a->p.req->vtpm_roots_len, at, &a->p.d);
	if (!r)
		r = att_azg_check_enckey(&a->rq, &a->t, &a->p.d);
	if (!r)
		r = att_azg_check_log(&a->rq, &a->t, &a->p.d);
	return step(a, r);
}

/* hcl_link: HCLAkPub = AikPub and the runtime claims into the tee. */
static int hcl_link(struct run *a)
{
	json_t *rt = NULL;
	int r = att_azg_check_hcl_key(a->rq.runtime.p, a->rq.runtime.len,
				      a->t.aik_key, &rt, &a->p.d);
	json_t *c = r ? NULL : att_azg_runtime_claims(rt);
	if (!r && (!c || json_object_set_new(a->tee, "x-ms-runtime", c)))
		r = att_diag_set(&a->p.d, ATT_ERR_NOMEM, "out of memory");
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
		r = att_diag_set(&a->p.d, ATT_ERR_FORMAT,
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
	const struct att_snp_trust *dev = a->p.v->snp_dev_trust;
	for (size_t i = 1; dev && i < n; i++)
		for (int p = ATT_SNP_PRODUCT_UNKNOWN + 1;
		     p < ATT_SNP_PRODUCT_COUNT; p++) {
			const struct att_cert *ark = att_snp_trust_get0_ark(
				dev, (enum att_snp_product)p);
			if (ark && att_cert_equal(ark, certs[i]))
				return dev;
		}
	return a->p.v->snp_trust;
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
	if (!r &&
	    (att_snp_cache_chain_from_pem(a->p.v->snp_cache, &certs, &n,
					  (const char *)pem, pem_len) != 0 ||
	     n < 2 || n > ATT_SNP_MAX_CHAIN_CERTS))
		r = att_diag_set(&a->p.d, ATT_ERR_FORMAT,
				 "Proof.VcekCertChain: not a PEM chain of 2 to "
				 "%d certificates (VCEK, ASK, ARK)",
				 ATT_SNP_MAX_CHAIN_CERTS);
	const struct att_snp_trust *trust = r ? NULL : snp_trust(a, certs, n);
	if (!r && !trust)
		r = att_diag_set(&a->p.d, ATT_ERR_INTERNAL,
				 "the verifier has no SEV-SNP trust anchors");
	/* AMD's CRL for the product and signer kind, as SevSnpVm applies
	 * it (stored, imported or fetched; only stored for the dev-mode
	 * simulator's chain, which AMD's KDS never has) */
	struct att_x509_crl *crl =
	    r ? NULL
	      : att_verify_snp_crl(a->p.v, trust,
				   trust == a->p.v->snp_dev_trust, rep,
				   rep_len, certs, n,
				   att_verifier_time(a->p.v, a->p.req->now));
	if (!r) {
		struct att_snp_certs c = {.vek = certs[0],
					  .chain = certs + 1,
					  .n_chain = n - 1,
					  .crls = crl ? &crl : NULL,
					  .n_crls = crl ? 1 : 0};
		r = att_snp_verify_cached(
		    a->p.v->snp_cache, &sr, rep, rep_len, &c, trust,
		    a->p.req->snp ? a->p.req->snp : &dflt,
		    att_verifier_time(a->p.v, a->p.req->now), &ld);
		if (r)
			att_diag_set(&a->p.d, r,
				     "SEV-SNP report verification failed: %s",
				     att_diag_msg(&ld));
	}
	if (!r)
		r = att_azg_check_report_data(sr.rep.report_data,
					      a->rq.runtime.p,
					      a->rq.runtime.len, &a->p.d);
	if (!r && att_snp_claims(a->tee, NULL, &sr, ATT_SNP_VEK_CHAIN) != 0)
		r = att_diag_set(&a->p.d, ATT_ERR_NOMEM, "out of memory");
	/* x-ms-compliance-status sits in x-ms-isolation-tee, as in MAA's
	 * azurevm tokens; only with the provider's AzureGuest floor met. */
	if (!r && att_compliance_snp_claim(a->tee, a->p.req->compliance, &sr))
		r = att_diag_set(&a->p.d, ATT_ERR_NOMEM, "out of memory");
	att_x509_crl_free(crl);
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
	int64_t at = att_verifier_time(a->p.v, a->p.req->now);
	memset(&dr, 0, sizeof(dr));
	int r = a->p.v->collateral
		    ? att_collateral_get(a->p.v->collateral, a->rq.proof.p,
					 a->rq.proof.len, 0, at, &col, &ld)
		    : ATT_ERR_NOT_FOUND;
	if (!r)
		r = att_dcap_verify_opts(&dr, a->rq.proof.p, a->rq.proof.len,
					 col, a->p.v->trust, a->p.v->dcap_cache,
					 at, &o, &ld);
	att_collateral_release(a->p.v->collateral, col);
	if (r)
		return att_diag_set(
		    &a->p.d, r, "TD quote verification failed: %s",
		    a->p.v->collateral ? att_diag_msg(&ld)
				       : "no collateral source");
	if (dr.tee != ATT_DCAP_TEE_TDX)
		return att_diag_set(&a->p.d, ATT_ERR_MISMATCH,
				    "IsolationInfo Tdx: the Proof is not a TD "
				    "quote");
	r = att_azg_check_report_data(dr.tdx.report_data, a->rq.runtime.p,
				      a->rq.runtime.len, &a->p.d);
	if (!r && att_attest_claims_tdx(a->tee, &none, &dr) != 0)
		r = att_diag_set(&a->p.d, ATT_ERR_NOMEM, "out of memory");
	if (!r && att_compliance_tdx_claim(a->tee, a->p.req->compliance, &dr))
		r = att_diag_set(&a->p.d, ATT_ERR_NOMEM, "out of memory");
	return r;
}

static int iso_links(struct run *a)
{
	int r = 0;
	if (a->rq.iso == ATT_AZG_ISO_TRUSTED_LAUNCH)
		return 0;
	att_diag_clear(&a->p.d);
	if (!(a->tee = json_object()))
		r = att_diag_set(&a->p.d, ATT_ERR_NOMEM, "out of memory");
	if (!r)
		r = a->rq.iso == ATT_AZG_ISO_SEVSNP ? snp_link(a) : tdx_link(a);
	if (!r)
		r = hcl_link(a);
	return step(a, r);
}

static int evidence_claims(struct run *a)
{
	json_t *c = a->p.res->claims = json_object();
	int r = c ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = att_azg_claims(c, &a->rq, &a->t, a->tee);
	/* x-ms-policy-hash, -signer, the time override; the incoming set */
	return att_pipe_claims_incoming(&a->p, c, r);
}

/* finish: the token (no nonce in an AzureGuest request), sealed to
 * EncKeyPub. */
static int finish(struct run *a)
{
	int r = att_pipe_finish(&a->p, 0);
	if (!r && a->p.res->token &&
	    (r = att_azg_seal(&a->p.res->reply, a->p.res->token, a->t.enc_key,
			      &a->p.d)) != 0)
		return att_pipe_fail_internal(&a->p, r,
					      "cannot seal the token");
	return r;
}

int att_verify_azureguest(struct att_verifier *v,
			  const struct att_verify_req *req,
			  struct att_verify_result *res)
{
	struct run *a = calloc(1, sizeof(*a));
	if (att_pipe_start(a ? &a->p : NULL, v, req, res))
		return res->err;
	int r =
	    att_azg_request_decode(&a->rq, req->body, req->body_len, &a->p.d);
	/* an AzureGuest request has no nonce */
	if (!att_pipe_decoded(&a->p, r, a->rq.draft, a->rq.draft_len, NULL) &&
	    !att_pipe_find_policy(&a->p, AZG_TYPE, ATT_PIPE_DRAFT_FIRST) &&
	    !tpm_links(a) && !iso_links(a) && !evidence_claims(a) &&
	    !att_pipe_evaluate(&a->p))
		finish(a);
	att_azg_request_release(&a->rq);
	att_azg_tpm_release(&a->t);
	json_decref(a->tee);
	r = att_pipe_release(&a->p);
	free(a);
	return r;
}
