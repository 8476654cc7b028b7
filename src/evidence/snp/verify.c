/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verification of an SEV-SNP attestation report at a caller-given time
 * (AMD SEV-SNP ABI specification 56860 and KDS interface specification
 * 57230; docs/snp.md lists the steps in order with their messages):
 * parse, signature algorithm, signing key, product, chain VEK <- ASK/ASVK
 * <- pinned ARK, validity windows, CRLs, the report's ECDSA P-384
 * signature with the VEK, hwID against CHIP_ID (VCEK only), the VEK's TCB
 * extensions against REPORTED_TCB, then the appraisal (debug, VMPL,
 * minimum TCBs). Roles are found by subject CN and checked by signature;
 * the trust anchor is always the pinned ARK, never a supplied one.
 * With a cache (cache.h), the chain, windows and CRLs of a chain verified
 * before are taken from it when the verification time lies in the window
 * where all of them passed; the report's checks always run, in the same
 * order and with the same messages, on facts read from the VEK once.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "evidence/snp/cache_int.h"
#include "evidence/snp/snp_int.h"

struct vctx {
	struct att_snp_result *res;
	const struct att_snp_certs *certs;
	const struct att_snp_appraisal *ap;
	int64_t at;
	struct att_diag *d;
	const char *vek_name;	   /* "VCEK" / "VLEK" */
	const char *ask_name;	   /* "ASK" / "ASVK" */
	const char *prod;	   /* "Milan" ... */
	const struct att_cert *ask; /* chain[0] */
	const struct att_cert *ark; /* the pinned one */
	int64_t from, until;	   /* where every window and CRL passed */
	struct att_snp_chain_info ci; /* the VEK's facts (owned) */
};

static const char *key_name(enum att_snp_signing_key k)
{
	return k == ATT_SNP_KEY_VLEK ? "VLEK" : "VCEK";
}

static int check_signer(struct vctx *v)
{
	const struct att_snp_report *r = &v->res->rep;
	unsigned key = ATT_SNP_SIGNER_KEY(r->signer_info);
	if (r->sig_algo != ATT_SNP_SIG_ALGO_ECDSA_P384_SHA384)
		return att_diag_set(v->d, ATT_ERR_UNSUPPORTED, "report "
				    "signature algorithm %u is not ECDSA P-384 "
				    "with SHA-384 (1)", r->sig_algo);
	if ((r->signer_info & ATT_SNP_SIGNER_MASK_CHIP_KEY) ||
	    key == ATT_SNP_KEY_NONE)
		return att_diag_set(v->d, ATT_ERR_SIG_INVALID, "the report is "
				    "not signed (MASK_CHIP_KEY)");
	if (key != ATT_SNP_KEY_VCEK && key != ATT_SNP_KEY_VLEK)
		return att_diag_set(v->d, ATT_ERR_UNSUPPORTED, "report signing "
				    "key %u is reserved", key);
	if (r->sig_hi_nonzero)
		return att_diag_set(v->d, ATT_ERR_SIG_INVALID, "report "
				    "signature: the unused high bytes of r or s "
				    "are not zero");
	v->res->signer = (enum att_snp_signing_key)key;
	v->vek_name = key_name(v->res->signer);
	v->ask_name = key == ATT_SNP_KEY_VLEK ? "ASVK" : "ASK";
	return 0;
}

/* The supplied certificate's kind (by CN) must be the signing key's. */
static int check_vek_kind(struct vctx *v)
{
	char cn[96];
	const struct att_cert *vek = v->certs->vek;
	if (vek == NULL)
		return att_diag_set(v->d, ATT_ERR_CHAIN_INVALID, "report signed "
				    "by %s but no %s supplied", v->vek_name,
				    v->vek_name);
	att_x509_subject_cn(vek, cn, sizeof(cn));
	bool is_vcek = strcmp(cn, "SEV-VCEK") == 0;
	bool is_vlek = strcmp(cn, "SEV-VLEK") == 0;
	if (!is_vcek && !is_vlek)
		return att_diag_set(v->d, ATT_ERR_CHAIN_INVALID, "VEK "
				    "certificate CN \"%s\" is neither SEV-VCEK "
				    "nor SEV-VLEK", cn);
	if (is_vlek != (v->res->signer == ATT_SNP_KEY_VLEK))
		return att_diag_set(v->d, ATT_ERR_MISMATCH, "report signed by "
				    "%s but no %s supplied (the certificate is "
				    "a %s)", v->vek_name, v->vek_name,
				    is_vlek ? "VLEK" : "VCEK");
	return 0;
}

static int set_product(struct vctx *v, enum att_snp_product p,
		       const char *source)
{
	v->res->product = p;
	snprintf(v->res->product_source, sizeof(v->res->product_source), "%s",
		 source);
	v->prod = att_snp_product_name(p);
	return 0;
}

/* Configuration, else CPUID (v3+), else the certificate's productName;
 * when the certificate names a product it must agree. */
static int pick_product(struct vctx *v)
{
	const struct att_snp_report *r = &v->res->rep;
	char name[32];
	enum att_snp_product cert = ATT_SNP_PRODUCT_UNKNOWN, cpu;
	if (att_snp_vek_product(v->certs->vek, name, sizeof(name)) == 0)
		cert = att_snp_product_from_name(name);
	cpu = r->has_cpuid ? att_snp_product_from_cpuid(r->cpuid_fam_id,
							 r->cpuid_mod_id)
			   : ATT_SNP_PRODUCT_UNKNOWN;
	if (v->ap->product > ATT_SNP_PRODUCT_UNKNOWN &&
	    v->ap->product < ATT_SNP_PRODUCT_COUNT)
		set_product(v, v->ap->product, "config");
	else if (cpu != ATT_SNP_PRODUCT_UNKNOWN)
		set_product(v, cpu, "cpuid");
	else if (cert != ATT_SNP_PRODUCT_UNKNOWN)
		set_product(v, cert, "certificate");
	else
		return att_diag_set(v->d, ATT_ERR_UNSUPPORTED, "cannot tell "
				    "the product: no configured product, no "
				    "known CPUID, no %s productName",
				    v->vek_name);
	if (cert != ATT_SNP_PRODUCT_UNKNOWN && cert != v->res->product)
		return att_diag_set(v->d, ATT_ERR_MISMATCH, "%s productName "
				    "%s does not match the product %s (%s)",
				    v->vek_name, name, v->prod,
				    v->res->product_source);
	return 0;
}

/* chain[0] is the ASK (VCEK) or ASVK (VLEK) of the product. */
static int check_ask_role(struct vctx *v)
{
	char cn[96], want[32];
	bool vlek = v->res->signer == ATT_SNP_KEY_VLEK;
	if (v->certs->n_chain == 0 || v->certs->chain == NULL ||
	    v->certs->chain[0] == NULL)
		return att_diag_set(v->d, ATT_ERR_CHAIN_INVALID, "no %s "
				    "supplied for the %s", v->ask_name,
				    v->vek_name);
	if (v->certs->n_chain > 2)
		return att_diag_set(v->d, ATT_ERR_CHAIN_INVALID, "the chain has "
				    "%zu certificates; expected the %s and "
				    "optionally the ARK", v->certs->n_chain,
				    v->ask_name);
	v->ask = v->certs->chain[0];
	att_x509_subject_cn(v->ask, cn, sizeof(cn));
	snprintf(want, sizeof(want), "SEV-%s%s", vlek ? "VLEK-" : "",
		 v->prod);
	if (strcmp(cn, want) == 0)
		return 0;
	if (!vlek && strncmp(cn, "SEV-VLEK-", 9) == 0)
		return att_diag_set(v->d, ATT_ERR_MISMATCH, "report signed by "
				    "VCEK but the chain holds an ASVK (%s)", cn);
	if (vlek && strncmp(cn, "SEV-", 4) == 0 &&
	    strncmp(cn, "SEV-VLEK-", 9) != 0)
		return att_diag_set(v->d, ATT_ERR_MISMATCH, "report signed by "
				    "VLEK but the chain holds an ASK (%s), "
				    "not an ASVK", cn);
	return att_diag_set(v->d, ATT_ERR_CHAIN_INVALID, "%s is \"%s\", "
			    "expected %s for %s", v->ask_name, cn, want,
			    v->prod);
}

/* check_sig_alg: AMD signs the ARK, the ASK/ASVK and the VEK with
 * RSASSA-PSS over SHA-384 (KDS interface specification); under an RSA
 * ARK nothing else is accepted. (A root pinned with another key type is
 * a test PKI's, whose own algorithm its signature check enforces.) */
static int check_sig_alg(struct vctx *v, const struct att_cert *x,
			 const char *name)
{
	char alg[64];
	if (att_x509_signed_rsa_pss_sha384(x))
		return 0;
	att_x509_sig_alg_name(x, alg, sizeof(alg));
	return att_diag_set(v->d, ATT_ERR_ALG, "%s is signed with %s; AMD "
			    "signs with RSASSA-PSS SHA-384", name,
			    alg[0] ? alg : "an unknown algorithm");
}

static int check_sig_algs(struct vctx *v)
{
	int rc;
	if (!att_x509_key_is_rsa(v->ark))
		return 0;
	if ((rc = check_sig_alg(v, v->certs->vek, v->vek_name)) != 0 ||
	    (rc = check_sig_alg(v, v->ask, v->ask_name)) != 0)
		return rc;
	return check_sig_alg(v, v->ark, "the ARK");
}

static int check_chain(struct vctx *v, const struct att_snp_trust *trust)
{
	int rc;
	if ((rc = check_ask_role(v)) != 0)
		return rc;
	v->ark = att_snp_trust_get0_ark(trust, v->res->product);
	if (v->ark == NULL)
		return att_diag_set(v->d, ATT_ERR_CHAIN_INVALID, "no ARK is "
				    "pinned for %s", v->prod);
	if (v->certs->n_chain == 2 &&
	    (v->certs->chain[1] == NULL ||
	     !att_x509_equal(v->certs->chain[1], v->ark)))
		return att_diag_set(v->d, ATT_ERR_CHAIN_INVALID, "ARK is not "
				    "the pinned AMD root for %s", v->prod);
	if ((rc = check_sig_algs(v)) != 0)
		return rc;
	if (!att_x509_issuer_is(v->certs->vek, v->ask) ||
	    att_x509_check_signed_by(v->certs->vek, v->ask) != 0)
		return att_diag_set(v->d, ATT_ERR_SIG_INVALID, "%s is not "
				    "signed by the %s", v->vek_name,
				    v->ask_name);
	if (!att_x509_issuer_is(v->ask, v->ark) ||
	    att_x509_check_signed_by(v->ask, v->ark) != 0)
		return att_diag_set(v->d, ATT_ERR_SIG_INVALID, "%s is not "
				    "signed by the pinned ARK for %s",
				    v->ask_name, v->prod);
	return 0;
}

static int check_window(struct vctx *v, const struct att_cert *x,
			const char *what, int64_t *nb_out, int64_t *na_out)
{
	int64_t nb, na;
	char t1[32], t2[32];
	if (att_x509_validity(x, &nb, &na) != 0)
		return att_diag_set(v->d, ATT_ERR_FORMAT, "%s: unreadable "
				    "validity", what);
	if (nb_out) {
		*nb_out = nb;
		*na_out = na;
	}
	if (nb > v->from)
		v->from = nb;
	if (na < v->until)
		v->until = na;
	att_time_format(t2, sizeof(t2), v->at);
	if (v->at > na) {
		att_time_format(t1, sizeof(t1), na);
		return att_diag_set(v->d, ATT_ERR_EXPIRED, "%s expired at %s "
				    "(verification time %s)", what, t1, t2);
	}
	if (v->at < nb) {
		att_time_format(t1, sizeof(t1), nb);
		return att_diag_set(v->d, ATT_ERR_NOT_YET_VALID, "%s not valid "
				    "before %s (verification time %s)", what,
				    t1, t2);
	}
	return 0;
}

static int check_windows(struct vctx *v)
{
	int rc;
	if ((rc = check_window(v, v->certs->vek, v->vek_name,
			       &v->res->vek_not_before,
			       &v->res->vek_not_after)) != 0 ||
	    (rc = check_window(v, v->ask, v->ask_name, NULL, NULL)) != 0 ||
	    (rc = check_window(v, v->ark, "ARK", NULL, NULL)) != 0)
		return rc;
	return 0;
}

/* One CRL issued by issuer (the ARK or the ASK/ASVK): signature, time,
 * and the certificates it may list. */
static int apply_crl(struct vctx *v, const struct att_x509_crl *crl,
		     const struct att_cert *issuer, const char *by)
{
	int64_t tu, nu;
	char t1[32], t2[32];
	if (att_x509_crl_check_signed_by(crl, issuer) != 0)
		return att_diag_set(v->d, ATT_ERR_SIG_INVALID, "CRL of the %s "
				    "for %s: signature invalid", by, v->prod);
	if (att_x509_crl_times(crl, &tu, &nu) != 0)
		return att_diag_set(v->d, ATT_ERR_FORMAT, "CRL of the %s for "
				    "%s: unreadable dates", by, v->prod);
	att_time_format(t2, sizeof(t2), v->at);
	if (v->at < tu || v->at > nu) {
		att_time_format(t1, sizeof(t1), v->at < tu ? tu : nu);
		return att_diag_set(v->d, v->at < tu ? ATT_ERR_NOT_YET_VALID
					      : ATT_ERR_EXPIRED,
				    "CRL of the %s for %s %s %s (verification "
				    "time %s)", by, v->prod, v->at < tu ?
				    "not valid before" : "expired at", t1, t2);
	}
	if (tu > v->from)
		v->from = tu;
	if (nu < v->until)
		v->until = nu;
	if (issuer == v->ark && att_x509_crl_lists(crl, v->ask))
		return att_diag_set(v->d, ATT_ERR_REVOKED, "%s (SEV-%s%s) is "
				    "revoked by the CRL of the ARK",
				    v->ask_name, v->res->signer ==
				    ATT_SNP_KEY_VLEK ? "VLEK-" : "", v->prod);
	if (att_x509_crl_lists(crl, v->certs->vek))
		return att_diag_set(v->d, ATT_ERR_REVOKED, "%s is revoked by "
				    "the CRL of the %s", v->vek_name, by);
	return 0;
}

/* Applies every CRL of the ARK or the ASK/ASVK (a pure function of the
 * certificates, the CRLs and the time: cacheable). */
static int check_crls(struct vctx *v)
{
	int rc;
	if (v->certs->n_crls > 0 && v->certs->crls == NULL)
		return att_diag_set(v->d, ATT_ERR_INVALID_ARG, "CRL list "
				    "missing");
	for (size_t i = 0; i < v->certs->n_crls; i++) {
		const struct att_x509_crl *crl = v->certs->crls[i];
		if (crl == NULL)
			continue;
		if (att_x509_crl_issuer_is(crl, v->ark)) {
			if ((rc = apply_crl(v, crl, v->ark, "ARK")) != 0)
				return rc;
			v->res->crl_checked = true;
		} else if (att_x509_crl_issuer_is(crl, v->ask)) {
			if ((rc = apply_crl(v, crl, v->ask, v->ask_name)) != 0)
				return rc;
		}
	}
	return 0;
}

/* The appraisal's CRL requirement, checked on every request. */
static int check_crl_required(struct vctx *v)
{
	if (v->ap->require_crl && !v->res->crl_checked)
		return att_diag_set(v->d, ATT_ERR_NOT_FOUND, "no CRL of the "
				    "ARK for %s was supplied (a CRL is "
				    "required)", v->prod);
	return 0;
}

static int check_report_sig(struct vctx *v)
{
	const struct att_snp_report *r = &v->res->rep;
	const struct att_pkey *k = v->ci.facts.key;
	if (k == NULL)
		return att_diag_set(v->d, ATT_ERR_FORMAT, "%s public key "
				    "unreadable", v->vek_name);
	if (att_pkey_kind(k) != ATT_KEY_EC_P384)
		return att_diag_set(v->d, ATT_ERR_UNSUPPORTED, "%s key is %s, "
				    "not EC P-384", v->vek_name,
				    att_pkey_kind_name(att_pkey_kind(k)));
	if (att_pkey_verify_ecdsa(k, ATT_MD_SHA384, r->raw, ATT_SNP_SIGNED_LEN,
				  r->sig_r, 48, r->sig_s, 48) != 0)
		return att_diag_set(v->d, ATT_ERR_SIG_INVALID, "report "
				    "signature does not verify with the %s",
				    v->vek_name);
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* A VCEK names one chip: its hwID equals CHIP_ID (Turin: the first 8
 * bytes). A VLEK names no chip and is not matched. */
static int check_hwid(struct vctx *v)
{
	const struct att_snp_report *r = &v->res->rep;
	const struct att_snp_vek_facts *f = &v->ci.facts;
	const uint8_t *id = f->hwid;
	size_t len = f->hwid_len;
	size_t want = v->res->product == ATT_SNP_TURIN ? 8 : 64;
	if (v->res->signer != ATT_SNP_KEY_VCEK)
		return 0;
	if (all_zero(r->chip_id, sizeof(r->chip_id)))
		return att_diag_set(v->d, ATT_ERR_MISMATCH, "CHIP_ID is masked;"
				    " a VCEK cannot be matched");
	if (!f->has_hwid)
		return att_diag_set(v->d, ATT_ERR_FORMAT, "VCEK lacks the hwID "
				    "extension");
	if (len != want)
		return att_diag_set(v->d, ATT_ERR_FORMAT, "VCEK hwID is %zu "
				    "bytes, expected %zu for %s", len, want,
				    v->prod);
	if (memcmp(id, r->chip_id, want) != 0)
		return att_diag_set(v->d, ATT_ERR_MISMATCH, "VCEK hwID does not "
				    "match the report's CHIP_ID");
	v->res->hwid_checked = true;
	return 0;
}

static int check_vek_tcb(struct vctx *v)
{
	struct att_snp_tcb *c = &v->res->vek_tcb, *r = &v->res->reported;
	if (!v->ci.facts.tcb_ok) /* read again, for the failure's message */
		return att_snp_vek_tcb(v->certs->vek, v->res->product, c, v->d);
	*c = v->ci.facts.tcb;
	for (size_t i = 0; i < ATT_SNP_N_SPL; i++) {
		if (att_snp_spls[i].turin_only && !c->has_fmc)
			continue;
		uint8_t have = *att_snp_spl_field(c, i);
		uint8_t want = *att_snp_spl_field(r, i);
		if (have != want)
			return att_diag_set(v->d, ATT_ERR_MISMATCH, "%s TCB %s "
					    "%u does not match REPORTED_TCB %u",
					    v->vek_name, att_snp_spls[i].name,
					    have, want);
	}
	return 0;
}

/* Every component of t at least min's, or ATT_ERR_TCB_OUT_OF_DATE. */
static int tcb_at_least(struct vctx *v, struct att_snp_tcb *t,
			struct att_snp_tcb *min, const char *what)
{
	for (size_t i = 0; i < ATT_SNP_N_SPL; i++) {
		if (att_snp_spls[i].turin_only && !t->has_fmc)
			continue;
		uint8_t have = *att_snp_spl_field(t, i);
		uint8_t floor = *att_snp_spl_field(min, i);
		if (have < floor)
			return att_diag_set(v->d, ATT_ERR_TCB_OUT_OF_DATE, "%s "
					    "%s %u is below the minimum %u",
					    what, att_snp_spls[i].name, have,
					    floor);
	}
	return 0;
}

static int appraise(struct vctx *v)
{
	struct att_snp_result *res = v->res;
	struct att_snp_tcb min, min_launch;
	int rc;
	if ((res->rep.policy & ATT_SNP_POLICY_DEBUG) && !v->ap->allow_debug)
		return att_diag_set(v->d, ATT_ERR_POLICY_DENY, "the guest policy"
				    " allows debugging (bit 19) and debug is "
				    "not allowed");
	if (res->rep.vmpl > v->ap->max_vmpl)
		return att_diag_set(v->d, ATT_ERR_POLICY_DENY, "VMPL %u is above "
				    "the maximum %u", res->rep.vmpl,
				    v->ap->max_vmpl);
	min = v->ap->min_tcb;
	min_launch = v->ap->min_launch_tcb;
	if (v->ap->has_min_tcb &&
	    (rc = tcb_at_least(v, &res->reported, &min, "REPORTED_TCB")) != 0)
		return rc;
	if (v->ap->has_min_launch_tcb &&
	    ((rc = tcb_at_least(v, &res->launch, &min_launch,
				"LAUNCH_TCB")) != 0 ||
	     (rc = tcb_at_least(v, &res->committed, &min_launch,
				"COMMITTED_TCB")) != 0))
		return rc;
	return 0;
}

static void decode_tcbs(struct att_snp_result *res)
{
	enum att_snp_product p = res->product;
	att_snp_tcb_decode(&res->current, res->rep.current_tcb, p);
	att_snp_tcb_decode(&res->reported, res->rep.reported_tcb, p);
	att_snp_tcb_decode(&res->committed, res->rep.committed_tcb, p);
	att_snp_tcb_decode(&res->launch, res->rep.launch_tcb, p);
}

/* What the report's checks need from the VEK, read once per chain; a
 * missing item is recorded for its check to name. */
static void load_facts(struct vctx *v, struct att_snp_vek_facts *f)
{
	const uint8_t *id;
	size_t len;
	memset(f, 0, sizeof(*f));
	if (att_cert_get1_pubkey(&f->key, v->certs->vek) != 0)
		f->key = NULL;
	if (att_snp_vek_hwid(v->certs->vek, &id, &len) == 0) {
		f->has_hwid = true;
		f->hwid_len = len;
		memcpy(f->hwid, id, len < sizeof(f->hwid) ? len : sizeof(f->hwid));
	}
	f->tcb_ok = att_snp_vek_tcb(v->certs->vek, v->res->product, &f->tcb,
				    NULL) == 0;
}

static int hash_cert(struct att_md_ctx *md, const struct att_cert *c)
{
	uint8_t h[32];
	if (c == NULL || att_cert_sha256(h, c) != 0)
		return ATT_ERR_NOT_FOUND;
	return att_md_update(md, h, sizeof(h));
}

/* The cache key of what the chain's verification depends on (cache.h):
 * signer, product, the supplied certificates and the pinned ARK by their
 * DER's SHA-256, the CRLs by identity. ATT_ERR_NOT_FOUND when the pieces
 * are not there (the uncached checks then name what is wrong). */
static int chain_key(struct vctx *v, const struct att_snp_trust *trust,
		     uint8_t key[32])
{
	const struct att_snp_certs *c = v->certs;
	const struct att_cert *ark = att_snp_trust_get0_ark(trust,
							    v->res->product);
	uint8_t hdr[12] = {'s', 'n', 'p', 'c', 'h', 'a', 'i', 'n', 1};
	struct att_md_ctx *md = NULL;
	int rc = ATT_ERR_NOT_FOUND;
	if (ark == NULL || c->chain == NULL || c->n_chain == 0 ||
	    c->n_chain > 2 || (c->n_crls > 0 && c->crls == NULL))
		return rc;
	hdr[9] = (uint8_t)v->res->signer;
	hdr[10] = (uint8_t)v->res->product;
	hdr[11] = (uint8_t)c->n_chain;
	if ((md = att_md_ctx_new(ATT_MD_SHA256)) == NULL)
		return ATT_ERR_NOMEM;
	if ((rc = att_md_update(md, hdr, sizeof(hdr))) != 0 ||
	    (rc = hash_cert(md, c->vek)) != 0 ||
	    (rc = hash_cert(md, ark)) != 0)
		goto out;
	for (size_t i = 0; i < c->n_chain; i++)
		if ((rc = hash_cert(md, c->chain[i])) != 0)
			goto out;
	for (size_t i = 0; i < c->n_crls; i++) {
		uintptr_t id = (uintptr_t)c->crls[i];
		if ((rc = att_md_update(md, &id, sizeof(id))) != 0)
			goto out;
	}
	rc = att_md_final(md, key);
out:
	att_md_ctx_free(md);
	return rc;
}

/* The chain, its windows and its CRLs: from the cache, or checked and
 * then cached. Leaves the VEK's facts in v->ci. */
static int verified_chain(struct vctx *v, struct att_snp_cache *cache,
			  const struct att_snp_trust *trust)
{
	struct att_snp_result *res = v->res;
	uint8_t key[32];
	int rc;
	bool keyed = cache != NULL && chain_key(v, trust, key) == 0;
	if (keyed && att_snp_cache_get_chain(cache, key, v->at, &v->ci)) {
		res->vek_not_before = v->ci.vek_not_before;
		res->vek_not_after = v->ci.vek_not_after;
		res->crl_checked = v->ci.crl_checked;
		return 0;
	}
	v->from = INT64_MIN;
	v->until = INT64_MAX;
	if ((rc = check_chain(v, trust)) != 0 ||
	    (rc = check_windows(v)) != 0 ||
	    (rc = check_crls(v)) != 0)
		return rc;
	load_facts(v, &v->ci.facts);
	v->ci.vek_not_before = res->vek_not_before;
	v->ci.vek_not_after = res->vek_not_after;
	v->ci.crl_checked = res->crl_checked;
	if (keyed)
		att_snp_cache_put_chain(cache, key, v->from, v->until, &v->ci,
					v->certs->crls, v->certs->n_crls);
	return 0;
}

int att_snp_verify_cached(struct att_snp_cache *cache,
			  struct att_snp_result *res, const uint8_t *report,
			  size_t len, const struct att_snp_certs *certs,
			  const struct att_snp_trust *trust,
			  const struct att_snp_appraisal *ap, int64_t at,
			  struct att_diag *d)
{
	struct vctx v = {.res = res, .certs = certs, .ap = ap, .at = at,
			 .d = d};
	int rc;
	if (res == NULL)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "snp: no result");
	memset(res, 0, sizeof(*res));
	if (certs == NULL || trust == NULL || ap == NULL)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "snp: certificates, "
				    "trust and appraisal are required");
	if ((rc = att_snp_report_parse(&res->rep, report, len, d)) != 0 ||
	    (rc = check_signer(&v)) != 0 ||
	    (rc = check_vek_kind(&v)) != 0 ||
	    (rc = pick_product(&v)) != 0)
		return rc;
	decode_tcbs(res);
	if ((rc = verified_chain(&v, cache, trust)) != 0 ||
	    (rc = check_crl_required(&v)) != 0 ||
	    (rc = check_report_sig(&v)) != 0 ||
	    (rc = check_hwid(&v)) != 0 ||
	    (rc = check_vek_tcb(&v)) != 0 ||
	    (rc = appraise(&v)) != 0)
		goto out;
out:
	att_snp_vek_facts_release(&v.ci.facts);
	return rc;
}

int att_snp_verify(struct att_snp_result *res, const uint8_t *report,
		   size_t len, const struct att_snp_certs *certs,
		   const struct att_snp_trust *trust,
		   const struct att_snp_appraisal *ap, int64_t at,
		   struct att_diag *d)
{
	return att_snp_verify_cached(NULL, res, report, len, certs, trust, ap,
				     at, d);
}
