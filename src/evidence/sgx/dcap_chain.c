/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate-chain steps of DCAP verification (Intel QVL;
 * docs/dcap-verifier.md):
 * the PCK chain carried in the quote, verified to a trusted root with the
 * Root CA CRL and the PCK CRL; and the TCB Info / QE Identity signing
 * chains with the Root CA CRL and the document signatures. Roles inside a
 * chain are found by content (self-issued root, CN "SGX PCK Certificate",
 * CN "TCB Signing"), as QVL does, never by position. Time policy: strict
 * (every validity window enforced, the default) or QvE-style (only
 * notAfter / nextUpdate, and only as the collateral_expired flag).
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "crypto/digest.h"
#include "evidence/sgx/dcap_int.h"

void att_dcap_time(char *out, size_t out_len, int64_t t)
{
	att_time_format(out, out_len, t);
}

void att_dcap_hex(char *out, size_t out_len, const uint8_t *p, size_t n)
{
	static const char x[] = "0123456789ABCDEF";
	size_t i = 0;
	for (; i < n && 2 * i + 2 < out_len; i++) {
		out[2 * i] = x[p[i] >> 4];
		out[2 * i + 1] = x[p[i] & 15];
	}
	if (out_len)
		out[2 * i] = 0;
}

int att_dcap_check_window(struct att_dcap_clock *clk, const char *what,
			  int64_t from, int64_t until, bool check_from_lenient,
			  struct att_diag *d)
{
	char t1[32], t2[32];
	att_dcap_time(t2, sizeof(t2), clk->at);
	if (clk->at > until) {
		att_dcap_time(t1, sizeof(t1), until);
		if (clk->strict)
			return att_diag_set(d, ATT_ERR_EXPIRED, "%s expired at "
					    "%s (verification time %s)", what,
					    t1, t2);
		if (!clk->res->collateral_expired)
			snprintf(clk->res->collateral_expired_what,
				 sizeof(clk->res->collateral_expired_what),
				 "%s expired at %s", what, t1);
		clk->res->collateral_expired = true;
		return 0;
	}
	if (clk->at < from && (clk->strict || check_from_lenient)) {
		att_dcap_time(t1, sizeof(t1), from);
		return att_diag_set(d, ATT_ERR_NOT_YET_VALID, "%s not valid "
				    "before %s (verification time %s)", what,
				    t1, t2);
	}
	return 0;
}

/* ---- PCK chain ---- */

static bool cn_has(const struct att_cert *x, const char *needle)
{
	char cn[128];
	att_x509_subject_cn(x, cn, sizeof(cn));
	return strstr(cn, needle) != NULL;
}

static int pem_certs(struct att_cert **certs, size_t *n, const uint8_t *data,
		     size_t len, struct att_diag *d)
{
	struct att_pem_span s[ATT_MAX_CERT_CHAIN];
	int k = att_pem_split_certs(s, ATT_MAX_CERT_CHAIN, (const char *)data,
				    len), rc;
	*n = 0;
	if (k != 3)
		return att_diag_set(d, ATT_ERR_CHAIN_INVALID, "PCK certificate "
				    "chain in the quote has %s certificates, "
				    "expected 3", k < 0 ? "too many or broken"
				    : k == 0 ? "no" : k == 1 ? "1" : "2");
	for (int i = 0; i < k; i++) {
		if ((rc = att_x509_from_pem(&certs[i], s[i].p, s[i].len)) != 0)
			return att_diag_set(d, rc, "PCK certificate chain: "
					    "certificate #%d does not parse",
					    i + 1);
		*n = (size_t)i + 1;
	}
	return 0;
}

int att_dcap_split_pck_chain(struct att_cert **root, struct att_cert **inter,
			     struct att_cert **pck, const uint8_t *cert_data,
			     size_t cert_len, struct att_diag *d)
{
	struct att_cert *c[ATT_MAX_CERT_CHAIN] = {0};
	size_t n = 0;
	int rc = pem_certs(c, &n, cert_data, cert_len, d);
	*root = *inter = *pck = NULL;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct att_cert **role = att_x509_is_self_issued(c[i]) ? root
			: cn_has(c[i], "SGX PCK Certificate") ? pck
			: cn_has(c[i], "CA") ? inter : NULL;
		if (!role || *role)
			rc = att_diag_set(d, ATT_ERR_CHAIN_INVALID, "PCK "
					  "certificate chain: unexpected or "
					  "duplicate certificate #%zu", i + 1);
		else
			*role = att_cert_dup(c[i]);
	}
	for (size_t i = 0; i < n; i++)
		att_cert_free(c[i]);
	if (rc == 0 && (!*root || !*inter || !*pck))
		rc = att_diag_set(d, ATT_ERR_CHAIN_INVALID, "PCK certificate "
				  "chain: missing %s", !*root ? "root CA" :
				  !*inter ? "intermediate CA" :
				  "PCK certificate");
	if (rc) {
		att_cert_free(*root);
		att_cert_free(*inter);
		att_cert_free(*pck);
		*root = *inter = *pck = NULL;
	}
	return rc;
}

/* Issuer, extensions and time window of one CRL. */
static int crl_check(const struct att_x509_crl *crl,
		     const struct att_cert *issuer, const char *what,
		     const char *role, struct att_dcap_clock *clk,
		     int64_t *from, int64_t *until, struct att_diag *d)
{
	char have[160], want[160];
	int64_t tu, nu;
	if (!att_x509_crl_issuer_is(crl, issuer)) {
		att_x509_crl_issuer_cn(crl, have, sizeof(have));
		att_x509_subject_cn(issuer, want, sizeof(want));
		return att_diag_set(d, ATT_ERR_MISMATCH, "%s issuer (%s) is "
				    "not %s (%s)", what, have, role, want);
	}
	if (!att_x509_crl_has_number_and_aki(crl))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s lacks the CRL "
				    "Number or Authority Key Identifier", what);
	if (att_x509_crl_check_signed_by(crl, issuer) != 0)
		return att_diag_set(d, ATT_ERR_SIG_INVALID, "%s signature "
				    "invalid", what);
	if (att_x509_crl_times(crl, &tu, &nu) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: bad dates", what);
	*from = tu > *from ? tu : *from;
	*until = nu < *until ? nu : *until;
	/* QvE: a CRL outside thisUpdate..nextUpdate is "expired" */
	return att_dcap_check_window(clk, what, tu, nu, true, d);
}

static int cert_window(const struct att_cert *x, const char *what,
		       struct att_dcap_clock *clk, int64_t *from,
		       int64_t *until, struct att_diag *d)
{
	int64_t nb, na;
	if (att_x509_validity(x, &nb, &na) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: bad validity",
				    what);
	*from = nb > *from ? nb : *from;
	*until = na < *until ? na : *until;
	return att_dcap_check_window(clk, what, nb, na, false, d);
}

static int x509_fail(const struct att_x509_verify_fail *f, int rc,
		     const char *chain, struct att_diag *d)
{
	char t[32];
	att_dcap_time(t, sizeof(t), f->when);
	if (rc == ATT_ERR_REVOKED)
		return att_diag_set(d, rc, "%s revoked (serial %s)",
				    f->depth == 0 && !strcmp(chain, "PCK")
					    ? "PCK certificate"
					    : f->subject_cn, f->serial);
	if (rc == ATT_ERR_EXPIRED || rc == ATT_ERR_NOT_YET_VALID)
		return att_diag_set(d, rc, "%s certificate chain: %s (%s%s, "
				    "%s)", chain, f->reason, f->is_crl ?
				    "CRL of " : "", f->subject_cn, t);
	return att_diag_set(d, rc, "%s certificate chain does not verify to "
			    "a trusted root: %s (at %s)", chain, f->reason,
			    f->subject_cn[0] ? f->subject_cn : "?");
}

/* Runs the X509_STORE verification and checks that the root reached is
 * the chain's own root (QVL compares them byte-wise too). */
static int store_verify(const struct att_cert *leaf, struct att_cert *inter,
			const struct att_cert *chain_root,
			struct att_x509_crl *const *crls, size_t n_crls,
			const struct att_dcap_trust *trust,
			const struct att_dcap_clock *clk, const char *chain,
			struct att_diag *d)
{
	struct att_x509_verify_fail f;
	struct att_cert *reached = NULL;
	struct att_x509_verify_args a = {
		.leaf = leaf, .untrusted = &inter, .n_untrusted = inter ? 1 : 0,
		.roots = trust->roots, .n_roots = trust->n_roots,
		.crls = crls, .n_crls = n_crls, .at = clk->at,
		.check_time = clk->strict, .check_crls = true,
	};
	int rc = att_x509_verify_chain(&a, &reached, &f);
	if (rc)
		return x509_fail(&f, rc, chain, d);
	if (chain_root && !att_x509_equal(reached, chain_root))
		rc = att_diag_set(d, ATT_ERR_CHAIN_INVALID, "%s certificate "
				  "chain: its root CA is not the trusted root",
				  chain);
	att_cert_free(reached);
	return rc;
}

static int pck_checks(struct att_dcap_pck *out, struct att_cert *root,
		      struct att_cert *inter, struct att_cert *pck,
		      const struct att_dcap_collateral *col,
		      const struct att_dcap_trust *trust,
		      struct att_dcap_clock *clk, struct att_diag *d)
{
	struct att_x509_crl *crls[2] = {col->root_crl, col->pck_crl};
	char cn[128];
	int rc;
	out->valid_from = INT64_MIN;
	out->valid_until = INT64_MAX;
	if ((rc = crl_check(col->root_crl, root, "Root CA CRL",
			    "the PCK chain's root CA", clk, &out->valid_from,
			    &out->valid_until, d)) ||
	    (rc = crl_check(col->pck_crl, inter, "PCK CRL",
			    "the PCK certificate's issuer", clk,
			    &out->valid_from, &out->valid_until, d)) ||
	    (rc = cert_window(root, "PCK chain root CA certificate", clk,
			      &out->valid_from, &out->valid_until, d)) ||
	    (rc = cert_window(inter, "PCK intermediate CA certificate", clk,
			      &out->valid_from, &out->valid_until, d)) ||
	    (rc = cert_window(pck, "PCK certificate", clk, &out->valid_from,
			      &out->valid_until, d)) ||
	    (rc = store_verify(pck, inter, root, crls, 2, trust, clk, "PCK",
			       d)))
		return rc;
	if (att_x509_ec_p256_key(pck, &out->key) != 0)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "PCK certificate "
				    "key is not ECDSA P-256");
	if ((rc = att_sgx_pck_ext_from_cert(&out->ext, pck, d)) != 0)
		return rc;
	att_x509_issuer_cn(pck, cn, sizeof(cn));
	out->ca = strstr(cn, "Platform") ? ATT_DCAP_CA_PLATFORM
					 : ATT_DCAP_CA_PROCESSOR;
	return 0;
}

int att_dcap_verify_pck_chain(struct att_dcap_pck *out, const uint8_t *cert_data,
			      size_t cert_len,
			      const struct att_dcap_collateral *col,
			      const struct att_dcap_trust *trust,
			      struct att_dcap_clock *clk, struct att_diag *d)
{
	struct att_cert *root = NULL, *inter = NULL, *pck = NULL;
	memset(out, 0, sizeof(*out));
	int rc = att_dcap_split_pck_chain(&root, &inter, &pck, cert_data,
					  cert_len, d);
	if (rc == 0)
		rc = pck_checks(out, root, inter, pck, col, trust, clk, d);
	if (rc)
		att_dcap_pck_release(out);
	att_cert_free(root);
	att_cert_free(inter);
	att_cert_free(pck);
	return rc;
}

/* ---- TCB Info / QE Identity ---- */

static int signing_roles(const struct att_dcap_chain *ch, const char *what,
			 struct att_cert **root, struct att_cert **signer,
			 struct att_diag *d)
{
	*root = *signer = NULL;
	if (ch->n != 2)
		return att_diag_set(d, ATT_ERR_CHAIN_INVALID, "%s issuer chain "
				    "has %zu certificates, expected 2", what,
				    ch->n);
	for (size_t i = 0; i < 2; i++) {
		if (att_x509_is_self_issued(ch->certs[i]))
			*root = ch->certs[i];
		else if (cn_has(ch->certs[i], "TCB Signing"))
			*signer = ch->certs[i];
	}
	if (!*root || !*signer)
		return att_diag_set(d, ATT_ERR_CHAIN_INVALID, "%s issuer chain: "
				    "missing %s", what, !*root ? "root CA" :
				    "TCB Signing certificate");
	return 0;
}

static int doc_signature(const struct att_cert *signer, const char *body,
			 size_t body_len, const uint8_t sig[64],
			 const char *what, struct att_diag *d)
{
	struct att_pkey *k = NULL;
	int rc = att_x509_ec_p256_key(signer, &k);
	if (rc)
		return att_diag_set(d, rc, "%s signing key is not ECDSA P-256",
				    what);
	rc = att_pkey_verify_ecdsa(k, ATT_MD_SHA256, body, body_len, sig, 32,
				   sig + 32, 32);
	att_pkey_free(k);
	if (rc)
		return att_diag_set(d, rc, "%s signature invalid", what);
	return 0;
}

int att_dcap_verify_signed_doc(int64_t *valid_from, int64_t *valid_until,
			       bool is_tcb,
			       const struct att_dcap_collateral *col,
			       const struct att_dcap_trust *trust,
			       struct att_dcap_clock *clk, struct att_diag *d)
{
	const char *what = is_tcb ? "TCB Info" : "QE Identity";
	const struct att_dcap_chain *ch = is_tcb ? &col->tcb_chain
						 : &col->qe_chain;
	struct att_cert *root, *signer;
	char chain[48];
	int rc;
	snprintf(chain, sizeof(chain), "%s signing", what);
	*valid_from = INT64_MIN;
	*valid_until = INT64_MAX;
	if ((rc = signing_roles(ch, what, &root, &signer, d)) ||
	    (rc = crl_check(col->root_crl, root, "Root CA CRL",
			    "the signing chain's root CA", clk, valid_from,
			    valid_until, d)) ||
	    (rc = cert_window(root, "TCB signing root CA certificate", clk,
			      valid_from, valid_until, d)) ||
	    (rc = cert_window(signer, "TCB Signing certificate", clk,
			      valid_from, valid_until, d)) ||
	    (rc = store_verify(signer, NULL, root, &col->root_crl, 1, trust,
			       clk, chain, d)))
		return rc;
	if (is_tcb)
		return doc_signature(signer, col->tcb_info->body,
				     col->tcb_info->body_len,
				     col->tcb_info->signature, what, d);
	return doc_signature(signer, col->qe_identity->body,
			     col->qe_identity->body_len,
			     col->qe_identity->signature, what, d);
}
