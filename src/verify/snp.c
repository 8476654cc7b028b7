/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SevSnpVm pipeline of the verifier (verifier.h, att_verify_snp;
 * docs/api.md "SevSnpVm"). Order: decode the body; find the policy (the
 * draft, compiled now; else the provider's stored SevSnpVm policy, or the
 * default); find the VCEK / VLEK and its chain (the request's
 * VcekCertChain, else the report's certificate table, else AMD's KDS)
 * and AMD's CRL for the product (with a KDS VCEK, else from the KDS
 * client: cached, stored, fetched; required with limits.snp_require_crl);
 * verify the report at the verification time against the verifier's
 * pinned ARKs with the request's appraisal (debug, VMPL, minimum TCBs);
 * bind runtimeData / initTimeData to it; build the claims and the
 * incoming claim set; evaluate the policy; place the issued claims and
 * sign the token (or, with a draft policy, make the unsigned one).
 * Errors are MAA's, as for SGX (enclave.c): InvalidParameter naming the
 * step for a request or report that does not verify, PolicyParsingError
 * for a draft that does not compile, PolicyEvaluationError for a denial.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/log.h"
#include "collateral/kds.h"
#include "crypto/cert.h"
#include "crypto/x509.h"
#include "evidence/snp/cache.h"
#include "verify/pipeline.h"
#include "verify/policy_cache.h"
#include "verify/snp.h"
#include "verify/verifier.h"

#define SNP_TYPE "SevSnpVm"

/* One request's state, released in one place. */
struct run {
	struct att_pipe p; /* the shared steps' state (verify/pipeline.h) */
	struct att_snp_request rq;
	struct att_cert **certs; /* VEK first, then its chain */
	size_t n_certs;
	enum att_snp_vek_source source;
	struct att_x509_crl *crl; /* AMD's CRL for the product, or NULL */
	struct att_snp_result sr;
};

/* chain_certs reads VcekCertChain: PEM, the VEK first (MAA's order:
 * VCEK, ASK, ARK). */
static int chain_certs(struct run *a)
{
	int r = att_snp_cache_chain_from_pem(
	    a->p.v->snp_cache, &a->certs, &a->n_certs,
	    (const char *)a->rq.chain_pem, a->rq.chain_len);
	if (r == ATT_ERR_NOMEM)
		return att_pipe_fail_internal(&a->p, r, "VcekCertChain");
	if (!r && a->n_certs > ATT_SNP_MAX_CHAIN_CERTS)
		r = ATT_ERR_LIMIT;
	if (r)
		return att_pipe_fail(
		    &a->p, r, NULL,
		    "report.VcekCertChain: not a PEM chain of 1 to %u "
		    "certificates (VCEK or VLEK first, then ASK or "
		    "ASVK, then ARK)",
		    ATT_SNP_MAX_CHAIN_CERTS);
	a->source = ATT_SNP_VEK_CHAIN;
	return 0;
}

static int table_cert(struct att_cert **out, const struct att_snp_cert_entry *e)
{
	if (e->pem)
		return att_cert_from_pem(out, (const char *)e->body,
					 e->body_len);
	return att_cert_from_der(out, e->body, e->body_len);
}

/* table_certs takes the VEK, ASK and ARK of the certificate table, in
 * that order in a->certs. */
static int table_certs(struct run *a)
{
	struct att_snp_cert_table t;
	struct att_cert *slot[3] = {NULL, NULL, NULL};
	att_diag_clear(&a->p.d);
	int r = att_snp_certtable_parse(&t, a->rq.cert_table,
					a->rq.cert_table_len, &a->p.d);
	if (r)
		return att_pipe_fail(&a->p, r, NULL, "report.CertTable: %s",
				     att_diag_msg(&a->p.d));
	for (size_t i = 0; !r && i < t.n; i++) {
		enum att_snp_cert_kind k = t.e[i].kind;
		size_t s = k == ATT_SNP_CERT_VCEK || k == ATT_SNP_CERT_VLEK ? 0
			   : k == ATT_SNP_CERT_ASK			   ? 1
			   : k == ATT_SNP_CERT_ARK			   ? 2
									   : 3;
		if (s < 3 && !slot[s] && table_cert(&slot[s], &t.e[i]) != 0)
			r = att_pipe_fail(
			    &a->p, ATT_ERR_FORMAT, NULL,
			    "report.CertTable: the %s entry is not a "
			    "certificate",
			    att_snp_cert_kind_name(k));
	}
	if (!r && !slot[0])
		r = att_pipe_fail(&a->p, ATT_ERR_NOT_FOUND, NULL,
				  "report.CertTable has no VCEK or VLEK entry");
	if (!r && !(a->certs = calloc(3, sizeof(*a->certs))))
		r = att_pipe_fail_internal(&a->p, ATT_ERR_NOMEM,
					   "certificate table");
	for (size_t i = 0; i < 3; i++) {
		if (!r && slot[i])
			a->certs[a->n_certs++] = slot[i];
		else
			att_cert_free(slot[i]);
	}
	if (!r)
		a->source = ATT_SNP_VEK_CERTTABLE;
	return r;
}

/* kds_product: the report's product for a KDS query: the provider's
 * configured one, else the report's CPUID (version 3 and later). */
static enum att_snp_product kds_product(const struct run *a,
					const struct att_snp_report *rep)
{
	if (a->p.req->snp && a->p.req->snp->product != ATT_SNP_PRODUCT_UNKNOWN)
		return a->p.req->snp->product;
	return rep->has_cpuid ? att_snp_product_from_cpuid(rep->cpuid_fam_id,
							   rep->cpuid_mod_id)
			      : ATT_SNP_PRODUCT_UNKNOWN;
}

/* crl_flags: the KDS flags for the provider's CRL setting
 * (limits.snp_require_crl: a CRL must be had; else one is used when
 * it can be had). */
static unsigned crl_flags(const struct run *a)
{
	return a->p.req->snp && a->p.req->snp->require_crl ? ATT_KDS_REQUIRE_CRL
							   : ATT_KDS_WANT_CRL;
}

/* kds_take moves the VEK, chain and CRL of col into a->certs and
 * a->crl. */
static int kds_take(struct run *a, struct att_kds_collateral *col)
{
	if (!col->vek)
		return att_diag_set(&a->p.d, ATT_ERR_NOT_FOUND,
				    "AMD KDS: no VLEK is stored for this "
				    "report");
	if (!(a->certs = calloc(3, sizeof(*a->certs))))
		return att_diag_set(&a->p.d, ATT_ERR_NOMEM, "out of memory");
	a->certs[a->n_certs++] = col->vek;
	col->vek = NULL; /* transferred */
	for (size_t i = 0; i < col->n_chain && i < 2; i++) {
		a->certs[a->n_certs++] = col->chain[i];
		col->chain[i] = NULL; /* transferred */
	}
	a->crl = col->crl;
	col->crl = NULL; /* transferred */
	a->source = ATT_SNP_VEK_KDS;
	return 0;
}

/* kds_certs gets the VCEK for (product, CHIP_ID, REPORTED_TCB) and its
 * chain from AMD's KDS (collateral/kds.h: cached, stored, fetched). */
static int kds_certs(struct run *a)
{
	struct att_snp_report rep;
	struct att_kds_collateral col;
	memset(&col, 0, sizeof(col));
	if (!a->p.v->kds)
		return att_pipe_fail(
		    &a->p, ATT_ERR_NOT_FOUND, NULL,
		    "no VCEK for the report: the request has no "
		    "report.VcekCertChain and no certificate table, "
		    "and this service has no AMD KDS client");
	att_diag_clear(&a->p.d);
	int r =
	    att_snp_report_parse(&rep, a->rq.report, a->rq.report_len, &a->p.d);
	if (r)
		return att_pipe_fail(&a->p, r, NULL, "SEV-SNP report: %s",
				     att_diag_msg(&a->p.d));
	enum att_snp_product p = kds_product(a, &rep);
	if (p == ATT_SNP_PRODUCT_UNKNOWN)
		return att_pipe_fail(
		    &a->p, ATT_ERR_NOT_FOUND, NULL,
		    "no VCEK for the report: a version %u report does "
		    "not name its product (no CPUID), so AMD's KDS "
		    "cannot be asked; send report.VcekCertChain",
		    rep.version);
	r = att_kds_collateral(
	    a->p.v->kds, p,
	    (enum att_snp_signing_key)ATT_SNP_SIGNER_KEY(rep.signer_info),
	    rep.chip_id, rep.reported_tcb, crl_flags(a),
	    att_verifier_time(a->p.v, a->p.req->now), &col, &a->p.d);
	if (!r)
		r = kds_take(a, &col);
	att_kds_collateral_release(&col);
	if (r && att_verify_is_internal(r))
		return att_pipe_fail_internal(&a->p, r, "AMD KDS");
	if (r)
		return att_pipe_fail(&a->p, r, NULL,
				     "the VCEK for this report: %s",
				     att_diag_msg(&a->p.d));
	return 0;
}

static const struct att_snp_trust *pick_trust(const struct run *a);

/* crl_product: the product whose CRL applies: the provider's or the
 * report's CPUID (kds_product), else the VEK's productName. */
static enum att_snp_product crl_product(const struct run *a,
					const struct att_snp_report *rep)
{
	struct att_kds_vek_info vi;
	struct att_diag d = {0};
	enum att_snp_product p = kds_product(a, rep);
	if (p == ATT_SNP_PRODUCT_UNKNOWN && a->n_certs &&
	    att_kds_vek_info(&vi, a->certs[0], &d) == 0)
		p = vi.product;
	return p;
}

/* kds_crl gets AMD's CRL for the report's product and signer kind
 * (the VCEK or the VLEK CRL) through the KDS client: cached, stored
 * (attestd collateral import) or fetched (never for the dev-mode
 * simulator's chain). Not found or not fetched: no CRL, unless the
 * provider requires one (then the KDS error). */
static int kds_crl(struct run *a)
{
	struct att_snp_report rep;
	struct att_kds_spec s;
	struct att_diag d = {0};
	bool require = crl_flags(a) & ATT_KDS_REQUIRE_CRL;
	if (!a->p.v->kds ||
	    att_snp_report_parse(&rep, a->rq.report, a->rq.report_len, &d))
		return 0; /* no CRL; verification says why it needs one */
	enum att_snp_product p = crl_product(a, &rep);
	bool vlek = ATT_SNP_SIGNER_KEY(rep.signer_info) == ATT_SNP_KEY_VLEK;
	if (att_kds_spec_of(&s, vlek ? ATT_KDS_ITEM_VLEK_CRL
				     : ATT_KDS_ITEM_VCEK_CRL, p) != 0)
		return 0; /* unknown product: verification refuses it */
	/* the simulator's chain (dev mode): its CRL is imported or came
	 * from a KDS stand-in with its VCEK; AMD's KDS never has it */
	bool dev =
	    a->p.v->snp_dev_trust && pick_trust(a) == a->p.v->snp_dev_trust;
	int64_t at = att_verifier_time(a->p.v, a->p.req->now);
	int r = dev ? att_kds_get_item_local(a->p.v->kds, &s, at, NULL, NULL,
					     &a->crl, &d)
		    : att_kds_get_item(a->p.v->kds, &s, at, NULL, NULL, &a->crl,
				       &d);
	if (r && require && att_verify_is_internal(r))
		return att_pipe_fail_internal(&a->p, r, "AMD KDS");
	if (r && require)
		return att_pipe_fail(
		    &a->p, r, NULL,
		    "the CRL for this report (limits.snp_require_crl): "
		    "%s",
		    att_diag_msg(&d));
	if (r)
		att_logf(ATT_LOG_DEBUG, "%s (CRL not required)",
			 att_diag_msg(&d));
	return 0;
}

/* find_crl gets the CRL for a VEK of the request (the KDS source got
 * it with the VEK) and keeps it only when it names the ARK pinned for
 * the product as its issuer: a CRL of another root filed under the same
 * product (AMD's, in a dev-mode data dir that also attests the
 * simulator's reports, or the reverse) does not apply to this chain.
 * The issuer's distinguished name decides here; the CRL's signature is
 * checked by att_snp_verify, once per CRL object while its verified
 * chain stays cached (a CRL naming the ARK but not signed by it refuses
 * the request). */
static int find_crl(struct run *a)
{
	struct att_snp_report rep;
	struct att_diag d = {0};
	int r = a->source == ATT_SNP_VEK_KDS ? 0 : kds_crl(a);
	if (r || !a->crl ||
	    att_snp_report_parse(&rep, a->rq.report, a->rq.report_len, &d))
		return r;
	const struct att_snp_trust *t = pick_trust(a);
	const struct att_cert *ark =
		t ? att_snp_trust_get0_ark(t, crl_product(a, &rep)) : NULL;
	if (ark && !att_x509_crl_issuer_is(a->crl, ark)) {
		char by[128];
		att_x509_crl_issuer_str(a->crl, by, sizeof(by));
		att_logf(ATT_LOG_INFO, "SEV-SNP: the stored CRL of %s is not "
			 "issued by the ARK this report's chain is checked "
			 "against; not applied", by);
		att_x509_crl_free(a->crl);
		a->crl = NULL;
	}
	return 0;
}

static int find_certs(struct run *a)
{
	int r = a->rq.chain_pem	   ? chain_certs(a)
		: a->rq.cert_table ? table_certs(a)
				   : kds_certs(a);
	return r ? r : find_crl(a);
}

/* pick_trust: the dev-mode ARKs when the request's chain carries one of
 * them (the simulator's), else the verifier's pinned roots. The chain
 * names the root it claims; the pinned root still decides. */
static const struct att_snp_trust *pick_trust(const struct run *a)
{
	const struct att_snp_trust *dev = a->p.v->snp_dev_trust;
	for (size_t i = 1; dev && i < a->n_certs; i++)
		for (int p = ATT_SNP_PRODUCT_UNKNOWN + 1;
		     p < ATT_SNP_PRODUCT_COUNT; p++) {
			const struct att_cert *ark = att_snp_trust_get0_ark(
				dev, (enum att_snp_product)p);
			if (ark && att_cert_equal(ark, a->certs[i]))
				return dev;
		}
	return a->p.v->snp_trust;
}

static int verify_report(struct run *a)
{
	static const struct att_snp_appraisal dflt = {.max_vmpl = 3};
	const struct att_snp_appraisal *ap =
	    a->p.req->snp ? a->p.req->snp : &dflt;
	struct att_snp_certs c = {.vek = a->certs[0],
				  .chain = a->certs + 1,
				  .n_chain = a->n_certs - 1,
				  .crls = a->crl ? &a->crl : NULL,
				  .n_crls = a->crl ? 1 : 0};
	int64_t at = att_verifier_time(a->p.v, a->p.req->now);
	int r;
	const struct att_snp_trust *trust = pick_trust(a);
	if (!trust)
		return att_pipe_fail(
		    &a->p, ATT_ERR_INTERNAL, NULL,
		    "the verifier has no SEV-SNP trust anchors");
	att_diag_clear(&a->p.d);
	r = att_snp_verify_cached(a->p.v->snp_cache, &a->sr, a->rq.report,
				  a->rq.report_len, &c, trust, ap, at, &a->p.d);
	if (r && att_verify_is_internal(r))
		return att_pipe_fail_internal(&a->p, r,
					      "SEV-SNP report verification");
	if (r)
		return att_pipe_fail(&a->p, r, NULL,
				     "SEV-SNP report verification failed: %s",
				     att_diag_msg(&a->p.d));
	att_diag_clear(&a->p.d);
	if ((r = att_snp_binding_check(&a->rq, &a->sr.rep, &a->p.d)) != 0)
		return att_pipe_fail(&a->p, r, NULL, "%s",
				     att_diag_msg(&a->p.d));
	return 0;
}

static int evidence_claims(struct run *a)
{
	json_t *c = a->p.res->claims = json_object();
	int r = c ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = att_snp_claims(c, &a->rq, &a->sr, a->source);
	if (!r) /* x-ms-compliance-status (verify/compliance.h) */
		r = att_snp_compliance_claims(c, a->p.req->compliance, &a->sr);
	/* x-ms-policy-hash, -signer, the time override; the incoming set */
	return att_pipe_claims_incoming(&a->p, c, r);
}

int att_verify_snp(struct att_verifier *v, const struct att_verify_req *req,
		   struct att_verify_result *res)
{
	struct run *a = calloc(1, sizeof(*a));
	if (att_pipe_start(a ? &a->p : NULL, v, req, res))
		return res->err;
	int r =
	    att_snp_request_decode(&a->rq, req->body, req->body_len, &a->p.d);
	if (!att_pipe_decoded(&a->p, r, a->rq.draft, a->rq.draft_len,
			      a->rq.nonce) &&
	    !att_pipe_find_policy(
		&a->p, SNP_TYPE, ATT_PIPE_DRAFT_FIRST | ATT_PIPE_DRAFT_LINES) &&
	    !find_certs(a) && !verify_report(a) && !evidence_claims(a) &&
	    !att_pipe_evaluate(&a->p))
		att_pipe_finish(&a->p, 0);
	att_snp_request_release(&a->rq);
	att_cert_chain_free(a->certs, a->n_certs);
	att_x509_crl_free(a->crl);
	r = att_pipe_release(&a->p);
	free(a);
	return r;
}

struct att_x509_crl *att_verify_snp_crl(struct att_verifier *v,
					const struct att_snp_trust *trust,
					bool dev, const uint8_t *report,
					size_t report_len,
					struct att_cert *const *certs,
					size_t n_certs, int64_t at)
{
	struct att_snp_report rep;
	struct att_kds_vek_info vi;
	struct att_kds_spec s;
	struct att_x509_crl *crl = NULL;
	struct att_diag d = {0};
	enum att_snp_product p = ATT_SNP_PRODUCT_UNKNOWN;
	if (!v->kds || !trust || n_certs == 0 ||
	    att_snp_report_parse(&rep, report, report_len, &d) != 0)
		return NULL;
	if (rep.has_cpuid)
		p = att_snp_product_from_cpuid(rep.cpuid_fam_id,
					       rep.cpuid_mod_id);
	if (p == ATT_SNP_PRODUCT_UNKNOWN &&
	    att_kds_vek_info(&vi, certs[0], &d) == 0)
		p = vi.product;
	bool vlek = ATT_SNP_SIGNER_KEY(rep.signer_info) == ATT_SNP_KEY_VLEK;
	if (att_kds_spec_of(&s, vlek ? ATT_KDS_ITEM_VLEK_CRL
				     : ATT_KDS_ITEM_VCEK_CRL, p) != 0)
		return NULL;
	int r = dev ? att_kds_get_item_local(v->kds, &s, at, NULL, NULL, &crl,
					     &d)
		    : att_kds_get_item(v->kds, &s, at, NULL, NULL, &crl, &d);
	const struct att_cert *ark = att_snp_trust_get0_ark(trust, p);
	if (r == 0 && crl && (!ark || !att_x509_crl_issuer_is(crl, ark))) {
		att_x509_crl_free(crl);
		crl = NULL;
	}
	return r == 0 ? crl : NULL;
}
