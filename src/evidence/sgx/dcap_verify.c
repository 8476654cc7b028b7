/* SPDX-License-Identifier: Apache-2.0 */
/*
 * att_dcap_verify: the DCAP appraisal driver, in Intel QVL's order
 * (docs/dcap-verifier.md lists every step and message). Chains
 * and signed collateral come from the cache when a still-valid entry for
 * the same content exists; the quote itself always costs two ECDSA
 * verifications (QE report by the PCK key, quote by the attestation key).
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/digest.h"
#include "evidence/sgx/dcap_int.h"

const char *att_dcap_ca_name(enum att_dcap_ca ca)
{
	return ca == ATT_DCAP_CA_PLATFORM ? "platform" : "processor";
}

const char *att_dcap_tee_name(enum att_dcap_tee tee)
{
	return tee == ATT_DCAP_TEE_TDX ? "tdx" : "sgx";
}

int att_dcap_quote_info(struct att_dcap_quote_info *out, const uint8_t *quote,
			size_t len, unsigned flags, struct att_diag *d)
{
	struct att_sgx_quote q;
	struct att_cert *root = NULL, *inter = NULL, *pck = NULL;
	struct att_sgx_pck_ext ext;
	char cn[128];
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = att_sgx_quote_parse(&q, quote, len, flags, d)) != 0)
		return rc;
	if (q.cert_type != ATT_SGX_CERT_PCK_CHAIN)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "certification "
				    "data type %u is not a PCK chain (5)",
				    q.cert_type);
	if ((rc = att_dcap_split_pck_chain(&root, &inter, &pck, q.cert_data,
					   q.cert_len, d)) != 0)
		return rc;
	if ((rc = att_sgx_pck_ext_from_cert(&ext, pck, d)) == 0) {
		out->tee = q.is_tdx ? ATT_DCAP_TEE_TDX : ATT_DCAP_TEE_SGX;
		out->version = q.version;
		memcpy(out->fmspc, ext.fmspc, 6);
		memcpy(out->pce_id, ext.pce_id, 2);
		att_x509_issuer_cn(pck, cn, sizeof(cn));
		out->ca = strstr(cn, "Platform") ? ATT_DCAP_CA_PLATFORM
						 : ATT_DCAP_CA_PROCESSOR;
		out->pcesvn = ext.pcesvn;
		memcpy(out->tcb_comps, ext.comps, 16);
		memcpy(out->cpusvn, ext.cpusvn, 16);
		memcpy(out->ppid, ext.ppid, 16);
		out->sgx_type = ext.sgx_type;
	}
	att_cert_free(root);
	att_cert_free(inter);
	att_cert_free(pck);
	return rc;
}

/* ---- collateral steps (cached) ---- */

static void key3(uint8_t out[32], const char *tag, const uint8_t a[32],
		 const uint8_t b[32], const uint8_t c[32], bool strict)
{
	uint8_t buf[8 + 96 + 1];
	memset(buf, 0, 8);
	memcpy(buf, tag, strlen(tag) < 8 ? strlen(tag) : 8);
	memcpy(buf + 8, a, 32);
	memcpy(buf + 40, b, 32);
	memcpy(buf + 72, c, 32);
	buf[104] = strict;
	att_sha256(out, buf, sizeof(buf));
}

static int pck_step(struct att_dcap_pck *pck, const struct att_sgx_quote *q,
		    const struct att_dcap_collateral *col,
		    const struct att_dcap_trust *trust,
		    struct att_dcap_cache *cache, struct att_dcap_clock *clk,
		    struct att_diag *d)
{
	uint8_t crls[32], key[32];
	int rc;
	att_sha256(clk->res->hashes.pckcertshash, q->cert_data, q->cert_len);
	key3(crls, "crls", col->pck_crl_der_hash, col->root_crl_der_hash,
	     trust->id, false);
	key3(key, "pck", clk->res->hashes.pckcertshash, crls, trust->id,
	     clk->strict);
	if (att_dcap_cache_get_pck(cache, key, clk->at, pck))
		return 0;
	rc = att_dcap_verify_pck_chain(pck, q->cert_data, q->cert_len, col,
				       trust, clk, d);
	if (rc == 0 && !clk->res->collateral_expired)
		att_dcap_cache_put_pck(cache, key, pck);
	return rc;
}

static int doc_step(bool is_tcb, const struct att_dcap_collateral *col,
		    const struct att_dcap_trust *trust,
		    struct att_dcap_cache *cache, struct att_dcap_clock *clk,
		    struct att_diag *d)
{
	const char *what = is_tcb ? "TCB Info" : "QE Identity";
	int64_t issue = is_tcb ? col->tcb_info->issue_date
			       : col->qe_identity->issue_date;
	int64_t next = is_tcb ? col->tcb_info->next_update
			      : col->qe_identity->next_update;
	int64_t from, until;
	uint8_t key[32];
	bool was_expired = clk->res->collateral_expired;
	int rc;
	key3(key, is_tcb ? "tcb" : "qe", is_tcb ? col->tcb_key : col->qe_key,
	     col->root_crl_der_hash, trust->id, clk->strict);
	if ((rc = att_dcap_check_window(clk, what, issue, next, false, d)))
		return rc;
	if (att_dcap_cache_has(cache, key, clk->at))
		return 0;
	rc = att_dcap_verify_signed_doc(&from, &until, is_tcb, col, trust, clk,
					d);
	from = issue > from ? issue : from;
	until = next < until ? next : until;
	if (rc == 0 && !was_expired && !clk->res->collateral_expired)
		att_dcap_cache_put(cache, key, from, until);
	return rc;
}

/* ---- quote steps ---- */

static int tee_match(const struct att_sgx_quote *q, const struct att_tcb_info *ti,
		     const struct att_dcap_pck *pck, struct att_diag *d)
{
	char a[16], b[16];
	if (q->is_tdx != (ti->id == ATT_TCB_INFO_TDX))
		return att_diag_set(d, ATT_ERR_MISMATCH, "TCB Info is for %s "
				    "but the quote is %s", ti->id ==
				    ATT_TCB_INFO_TDX ? "TDX" : "SGX",
				    q->is_tdx ? "TDX" : "SGX");
	if (memcmp(pck->ext.fmspc, ti->fmspc, 6) != 0) {
		att_dcap_hex(a, sizeof(a), pck->ext.fmspc, 6);
		att_dcap_hex(b, sizeof(b), ti->fmspc, 6);
		return att_diag_set(d, ATT_ERR_MISMATCH, "FMSPC of the PCK "
				    "certificate (%s) does not match TCB Info "
				    "(%s)", a, b);
	}
	if (memcmp(pck->ext.pce_id, ti->pce_id, 2) != 0) {
		att_dcap_hex(a, sizeof(a), pck->ext.pce_id, 2);
		att_dcap_hex(b, sizeof(b), ti->pce_id, 2);
		return att_diag_set(d, ATT_ERR_MISMATCH, "PCE-ID of the PCK "
				    "certificate (%s) does not match TCB Info "
				    "(%s)", a, b);
	}
	return 0;
}

static int qe_binding(const struct att_sgx_quote *q, struct att_diag *d)
{
	uint8_t h[32];
	int rc = 0;
	struct att_md_ctx *ctx = att_md_ctx_new(ATT_MD_SHA256);
	if (!ctx)
		return ATT_ERR_NOMEM;
	if (att_md_update(ctx, q->att_key, ATT_SGX_ATT_KEY_LEN) ||
	    att_md_update(ctx, q->qe_auth, q->qe_auth_len) ||
	    att_md_final(ctx, h))
		rc = ATT_ERR_CRYPTO;
	att_md_ctx_free(ctx);
	if (rc == 0 && !att_ct_eq(h, q->qe_report.report_data, 32))
		rc = att_diag_set(d, ATT_ERR_MISMATCH, "QE report data does "
				  "not bind the attestation key (SHA-256 of "
				  "key and QE authentication data differs)");
	return rc;
}

static bool masked_eq(const uint8_t *v, const uint8_t *mask,
		      const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((v[i] & mask[i]) != want[i])
			return false;
	return true;
}

/* QVL EnclaveReportVerifier order: MISCSELECT, ATTRIBUTES, MRSIGNER,
 * ISVPRODID; the expected values are compared unmasked. */
static int qe_identity_match(const struct att_sgx_quote *q,
			     const struct att_qe_identity *qi,
			     struct att_diag *d)
{
	const struct att_sgx_report *r = &q->qe_report;
	char a[72];
	if (qi->id != (q->is_tdx ? ATT_QE_ID_TD_QE : ATT_QE_ID_QE))
		return att_diag_set(d, ATT_ERR_MISMATCH, "QE Identity is not "
				    "for the %s quoting enclave",
				    q->is_tdx ? "TD_QE" : "QE");
	if (!masked_eq(r->miscselect_raw, qi->miscselect_mask, qi->miscselect, 4))
		return att_diag_set(d, ATT_ERR_MISMATCH, "QE identity "
				    "mismatch: masked MISCSELECT");
	if (!masked_eq(r->attributes, qi->attributes_mask, qi->attributes, 16))
		return att_diag_set(d, ATT_ERR_MISMATCH, "QE identity "
				    "mismatch: masked ATTRIBUTES");
	if (qi->has_mrsigner && memcmp(r->mrsigner, qi->mrsigner, 32) != 0) {
		att_dcap_hex(a, sizeof(a), r->mrsigner, 32);
		return att_diag_set(d, ATT_ERR_MISMATCH, "QE identity "
				    "mismatch: MRSIGNER %s", a);
	}
	if (r->isvprodid != qi->isvprodid)
		return att_diag_set(d, ATT_ERR_MISMATCH, "QE identity "
				    "mismatch: ISVPRODID %u, expected %u",
				    r->isvprodid, qi->isvprodid);
	return 0;
}

static int quote_signature(const struct att_sgx_quote *q, struct att_diag *d)
{
	struct att_pkey *k = NULL;
	int rc = att_pkey_from_ec_public(&k, ATT_KEY_EC_P256, q->att_key, 32,
					 q->att_key + 32, 32);
	if (rc)
		return att_diag_set(d, ATT_ERR_FORMAT, "attestation key is not "
				    "a P-256 point");
	rc = att_pkey_verify_ecdsa(k, ATT_MD_SHA256, q->signed_data,
				   q->signed_len, q->signature, 32,
				   q->signature + 32, 32);
	att_pkey_free(k);
	if (rc)
		return att_diag_set(d, rc, "quote signature invalid");
	return 0;
}

static int quote_steps(const struct att_sgx_quote *q,
		       const struct att_dcap_pck *pck,
		       const struct att_dcap_collateral *col,
		       struct att_diag *d)
{
	int rc;
	if ((rc = tee_match(q, col->tcb_info, pck, d)) != 0)
		return rc;
	if (q->is_tdx && (rc = att_dcap_check_tdx_module(q, col->tcb_info, d)))
		return rc;
	if (att_pkey_verify_ecdsa(pck->key, ATT_MD_SHA256, q->qe_report.raw,
				  ATT_SGX_REPORT_LEN, q->qe_report_sig, 32,
				  q->qe_report_sig + 32, 32) != 0)
		return att_diag_set(d, ATT_ERR_SIG_INVALID, "QE report "
				    "signature invalid");
	if ((rc = qe_binding(q, d)) != 0 ||
	    (rc = qe_identity_match(q, col->qe_identity, d)) != 0)
		return rc;
	return quote_signature(q, d);
}

/* ---- claims ---- */

static void claims_sgx(struct att_dcap_sgx_claims *c,
		       const struct att_sgx_report *r)
{
	memcpy(c->mrenclave, r->mrenclave, 32);
	memcpy(c->mrsigner, r->mrsigner, 32);
	c->isvprodid = r->isvprodid;
	c->isvsvn = r->isvsvn;
	memcpy(c->attributes, r->attributes, 16);
	c->debug = (r->flags & ATT_SGX_FLAG_DEBUG) != 0;
	c->miscselect = r->miscselect;
	memcpy(c->cpusvn, r->cpusvn, 16);
	memcpy(c->report_data, r->report_data, 64);
	memcpy(c->config_id, r->configid, 64);
	c->config_svn = r->configsvn;
	memcpy(c->isvextprodid, r->isvextprodid, 16);
	memcpy(c->isvfamilyid, r->isvfamilyid, 16);
}

static void claims_tdx(struct att_dcap_tdx_claims *c,
		       const struct att_tdx_report *t)
{
	memcpy(c->mrtd, t->mrtd, 48);
	for (int i = 0; i < 4; i++)
		memcpy(c->rtmr[i], t->rtmr[i], 48);
	memcpy(c->mrseam, t->mrseam, 48);
	memcpy(c->mrsignerseam, t->mrsignerseam, 48);
	memcpy(c->mrowner, t->mrowner, 48);
	memcpy(c->mrownerconfig, t->mrownerconfig, 48);
	memcpy(c->mrconfigid, t->mrconfigid, 48);
	memcpy(c->td_attributes, t->td_attributes, 8);
	c->debug = (t->td_attributes_u64 & ATT_TDX_ATTR_DEBUG) != 0;
	memcpy(c->xfam, t->xfam, 8);
	memcpy(c->seam_attributes, t->seam_attributes, 8);
	memcpy(c->tee_tcb_svn, t->tee_tcb_svn, 16);
	memcpy(c->report_data, t->report_data, 64);
	if (t->tee_tcb_svn2) {
		c->has_v15 = true;
		memcpy(c->tee_tcb_svn2, t->tee_tcb_svn2, 16);
		memcpy(c->mrservicetd, t->mrservicetd, 48);
	}
}

static void result_fill(struct att_dcap_result *r, const struct att_sgx_quote *q,
			const struct att_dcap_pck *pck,
			const struct att_dcap_collateral *col)
{
	r->tee = q->is_tdx ? ATT_DCAP_TEE_TDX : ATT_DCAP_TEE_SGX;
	r->version = q->version;
	if (q->is_tdx)
		claims_tdx(&r->tdx, &q->tdx);
	else
		claims_sgx(&r->sgx, &q->sgx);
	r->qe_isvsvn = q->qe_report.isvsvn;
	memcpy(r->qe_mrenclave, q->qe_report.mrenclave, 32);
	memcpy(r->qe_mrsigner, q->qe_report.mrsigner, 32);
	memcpy(r->fmspc, pck->ext.fmspc, 6);
	memcpy(r->pce_id, pck->ext.pce_id, 2);
	r->pcesvn = pck->ext.pcesvn;
	memcpy(r->tcb_comps, pck->ext.comps, 16);
	r->ca = pck->ca;
	r->trailing_len = q->trailing_len;
	r->tcb_eval_num = col->tcb_info->tcb_eval_num <
				  col->qe_identity->tcb_eval_num
			  ? col->tcb_info->tcb_eval_num
			  : col->qe_identity->tcb_eval_num;
	r->tcb_info_eval_num = col->tcb_info->tcb_eval_num;
}

static void result_init(struct att_dcap_result *r,
			const struct att_dcap_collateral *col,
			const uint8_t *quote, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->tcb_status = r->platform_tcb_status = ATT_TCB_STATUS_NONE;
	r->qe_tcb_status = r->tdx_module_status = ATT_TCB_STATUS_NONE;
	if (col)
		r->hashes = col->hashes;
	att_sha256(r->hashes.quotehash, quote, len);
}

int att_dcap_verify_opts(struct att_dcap_result *out, const uint8_t *quote,
			 size_t len, const struct att_dcap_collateral *col,
			 const struct att_dcap_trust *trust,
			 struct att_dcap_cache *cache, int64_t at,
			 const struct att_dcap_opts *opts, struct att_diag *d)
{
	static const struct att_dcap_opts defaults;
	struct att_dcap_pck pck = {0};
	struct att_sgx_quote q;
	if (!opts)
		opts = &defaults;
	struct att_dcap_clock clk = {.at = at, .res = out,
				     .strict = !opts->allow_expired_collateral};
	int rc;
	if (!out || !quote || !col || !trust)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "dcap: missing "
				    "argument");
	result_init(out, col, quote, len);
	if ((rc = att_sgx_quote_parse(&q, quote, len, opts->parse_flags, d)))
		return rc;
	if (q.cert_type != ATT_SGX_CERT_PCK_CHAIN)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "certification "
				    "data type %u is not supported (need 5, "
				    "the PCK certificate chain)", q.cert_type);
	if ((rc = pck_step(&pck, &q, col, trust, cache, &clk, d)) != 0 ||
	    (rc = doc_step(true, col, trust, cache, &clk, d)) != 0 ||
	    (rc = doc_step(false, col, trust, cache, &clk, d)) != 0 ||
	    (rc = quote_steps(&q, &pck, col, d)) != 0)
		goto out;
	result_fill(out, &q, &pck, col);
	rc = att_dcap_eval_tcb(out, &q, &pck.ext, col->tcb_info,
			       col->qe_identity, d);
out:
	att_dcap_pck_release(&pck);
	return rc;
}

int att_dcap_verify(struct att_dcap_result *out, const uint8_t *quote,
		    size_t len, const struct att_dcap_collateral *col,
		    const struct att_dcap_trust *trust,
		    struct att_dcap_cache *cache, int64_t at,
		    struct att_diag *d)
{
	return att_dcap_verify_opts(out, quote, len, col, trust, cache, at,
				    NULL, d);
}
