/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCB evaluation after every signature has verified (Intel QVL's TCB
 * evaluation; docs/dcap-verifier.md): the TDX module identity check, the
 * platform TCB level (SGX components + PCESVN, for TDX also TEE_TCB_SVN from
 * index 2 when the module major version is non-zero), the TDX module level,
 * the QE level, Intel's status convergence, the TD relaunch rule for TD report
 * 1.5, and the union of advisory IDs.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "evidence/sgx/dcap_int.h"

/* The expected module: tdxModule, or identity TDX_%02X(SVN[1]). */
static const struct att_tdx_module_identity *
module_identity(const struct att_tcb_info *ti, uint8_t major)
{
	char want[16];
	if (major == 0)
		return ti->has_tdx_module ? &ti->tdx_module : NULL;
	snprintf(want, sizeof(want), "TDX_%02X", major);
	for (size_t i = 0; i < ti->n_module_ids; i++) {
		const char *id = ti->module_ids[i].id;
		size_t k = 0;
		while (want[k] && toupper((unsigned char)id[k]) == want[k])
			k++;
		if (!want[k] && !id[k])
			return &ti->module_ids[i];
	}
	return NULL;
}

int att_dcap_check_tdx_module(const struct att_sgx_quote *q,
			      const struct att_tcb_info *ti, struct att_diag *d)
{
	const struct att_tdx_report *t = &q->tdx;
	const struct att_tdx_module_identity *m =
		module_identity(ti, t->tee_tcb_svn[1]);
	char a[100], b[100];
	if (!m)
		return att_diag_set(d, ATT_ERR_MISMATCH, "TDX module mismatch: "
				    "TCB Info has no module identity TDX_%02X",
				    t->tee_tcb_svn[1]);
	if (memcmp(t->mrsignerseam, m->mrsigner, 48) != 0) {
		att_dcap_hex(a, sizeof(a), t->mrsignerseam, 48);
		att_dcap_hex(b, sizeof(b), m->mrsigner, 48);
		return att_diag_set(d, ATT_ERR_MISMATCH, "TDX module mismatch: "
				    "MRSIGNERSEAM %s, expected %s", a, b);
	}
	for (int i = 0; i < 8; i++)
		if (t->seam_attributes[i] != 0 ||
		    t->seam_attributes[i] != m->attributes[i]) {
			att_dcap_hex(a, sizeof(a), t->seam_attributes, 8);
			return att_diag_set(d, ATT_ERR_MISMATCH, "TDX module "
					    "mismatch: SEAMATTRIBUTES %s must "
					    "be zero", a);
		}
	return 0;
}

/* ---- one evaluation (launch or current TEE_TCB_SVN) ---- */

struct eval {
	const struct att_tcb_level *platform;
	const struct att_isv_level *module; /* NULL unless TDX, SVN[1] > 0 */
	const struct att_isv_level *qe;
	enum att_tcb_status final;
};

static bool level_matches(const struct att_tcb_level *l,
			  const struct att_sgx_pck_ext *ext,
			  const uint8_t *tee_svn)
{
	for (int i = 0; i < 16; i++)
		if (ext->comps[i] < l->sgx[i])
			return false;
	if (ext->pcesvn < l->pcesvn)
		return false;
	if (!tee_svn)
		return true;
	for (int i = tee_svn[1] > 0 ? 2 : 0; i < 16; i++)
		if (tee_svn[i] < l->tdx[i])
			return false;
	return true;
}

static int not_found(const struct att_sgx_pck_ext *ext, const uint8_t *svn,
		     const struct att_tcb_info *ti, struct att_diag *d)
{
	char c[40], s[40], f[16];
	att_dcap_hex(c, sizeof(c), ext->comps, 16);
	att_dcap_hex(f, sizeof(f), ti->fmspc, 6);
	if (svn)
		att_dcap_hex(s, sizeof(s), svn, 16);
	return att_diag_set(d, ATT_ERR_TCB_NOT_FOUND, "TCB level not found: "
			    "PCK TCB components %s PCESVN %u%s%s are below "
			    "every level of TCB Info (FMSPC %s, %zu levels)",
			    c, ext->pcesvn, svn ? " TEE_TCB_SVN " : "",
			    svn ? s : "", f, ti->n_levels);
}

static int module_level(struct eval *e, const struct att_tcb_info *ti,
			const uint8_t *svn, struct att_diag *d)
{
	const struct att_tdx_module_identity *m = module_identity(ti, svn[1]);
	if (!m)
		return att_diag_set(d, ATT_ERR_TCB_NOT_FOUND, "TCB level not "
				    "found: no TDX module identity TDX_%02X",
				    svn[1]);
	for (size_t i = 0; i < m->n_levels; i++)
		if (svn[0] >= m->levels[i].isvsvn) {
			e->module = &m->levels[i];
			return 0;
		}
	return att_diag_set(d, ATT_ERR_TCB_NOT_FOUND, "TCB level not found: "
			    "TDX module %s SVN %u is below every level", m->id,
			    svn[0]);
}

static int qe_level(struct eval *e, const struct att_sgx_quote *q,
		    const struct att_qe_identity *qi, struct att_diag *d)
{
	for (size_t i = 0; i < qi->n_levels; i++)
		if (qi->levels[i].isvsvn <= q->qe_report.isvsvn) {
			e->qe = &qi->levels[i];
			return 0;
		}
	return att_diag_set(d, ATT_ERR_TCB_NOT_FOUND, "TCB level not found: "
			    "QE ISVSVN %u is below every level of the QE "
			    "Identity", q->qe_report.isvsvn);
}

/* Intel's convergence (QVL EvaluateTcb): an OutOfDate QE or module
 * lowers UpToDate/SWHardeningNeeded to OutOfDate and the Configuration
 * statuses to OutOfDateConfigurationNeeded; any Revoked wins. */
static enum att_tcb_status converge(const struct eval *e)
{
	enum att_tcb_status f = e->platform->status;
	const struct att_isv_level *parts[2] = {e->module, e->qe};
	bool ood = false, revoked = false;
	for (int i = 0; i < 2; i++) {
		if (!parts[i])
			continue;
		ood |= parts[i]->status == ATT_TCB_OUT_OF_DATE;
		revoked |= parts[i]->status == ATT_TCB_REVOKED;
	}
	if (ood && (f == ATT_TCB_UP_TO_DATE || f == ATT_TCB_SW_HARDENING_NEEDED))
		f = ATT_TCB_OUT_OF_DATE;
	else if (ood && (f == ATT_TCB_CONFIGURATION_NEEDED ||
			 f == ATT_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED))
		f = ATT_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	if (revoked)
		f = ATT_TCB_REVOKED;
	return f;
}

static int evaluate(struct eval *e, const struct att_sgx_quote *q,
		    const struct att_sgx_pck_ext *ext,
		    const struct att_tcb_info *ti,
		    const struct att_qe_identity *qi, const uint8_t *svn,
		    struct att_diag *d)
{
	int rc;
	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < ti->n_levels && !e->platform; i++)
		if (level_matches(&ti->levels[i], ext, svn))
			e->platform = &ti->levels[i];
	if (!e->platform)
		return not_found(ext, svn, ti, d);
	if (svn && svn[1] > 0 && (rc = module_level(e, ti, svn, d)) != 0)
		return rc;
	if ((rc = qe_level(e, q, qi, d)) != 0)
		return rc;
	e->final = converge(e);
	return 0;
}

/* ---- result ---- */

static int adv_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void adv_add(struct att_dcap_result *r,
		    const struct att_dcap_advisories *a)
{
	for (size_t i = 0; i < a->n; i++) {
		bool dup = false;
		for (size_t k = 0; k < r->n_advisory_ids && !dup; k++)
			dup = strcmp(r->advisory_ids[k], a->ids[i]) == 0;
		if (dup || r->n_advisory_ids == ATT_DCAP_MAX_RESULT_ADVISORIES)
			continue;
		memcpy(r->advisory_ids[r->n_advisory_ids++], a->ids[i],
		       ATT_DCAP_MAX_ADVISORY_LEN);
	}
}

static void fill(struct att_dcap_result *r, const struct eval *e)
{
	r->platform_tcb_status = e->platform->status;
	r->qe_tcb_status = e->qe->status;
	r->tdx_module_status = e->module ? e->module->status
					 : ATT_TCB_STATUS_NONE;
	r->tcb_status = e->final;
	r->tcb_date = e->platform->tcb_date;
	r->qe_tcb_date = e->qe->tcb_date;
	r->min_tcb_date = r->tcb_date < r->qe_tcb_date ? r->tcb_date
						       : r->qe_tcb_date;
	if (e->module && e->module->tcb_date < r->min_tcb_date)
		r->min_tcb_date = e->module->tcb_date;
	r->n_advisory_ids = 0;
	adv_add(r, &e->platform->adv);
	if (e->module)
		adv_add(r, &e->module->adv);
	adv_add(r, &e->qe->adv);
	qsort(r->advisory_ids, r->n_advisory_ids, sizeof(r->advisory_ids[0]),
	      adv_cmp);
}

static bool is_ood(enum att_tcb_status s)
{
	return s == ATT_TCB_OUT_OF_DATE ||
	       s == ATT_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
}

static bool is_current_ok(enum att_tcb_status s)
{
	return s == ATT_TCB_UP_TO_DATE || s == ATT_TCB_SW_HARDENING_NEEDED ||
	       s == ATT_TCB_CONFIGURATION_NEEDED ||
	       s == ATT_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED;
}

static bool has_config(enum att_tcb_status s)
{
	return s == ATT_TCB_CONFIGURATION_NEEDED ||
	       s == ATT_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED ||
	       s == ATT_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
}

/* QVL-head TD relaunch rule for TD report 1.5: evaluate again with
 * TEE_TCB_SVN_2; an out-of-date launch TCB whose current TCB is fine
 * becomes TDRelaunchAdvised[ConfigurationNeeded]. */
static int relaunch(struct att_dcap_result *r, const struct eval *launch,
		    const struct att_sgx_quote *q,
		    const struct att_sgx_pck_ext *ext,
		    const struct att_tcb_info *ti,
		    const struct att_qe_identity *qi, struct att_diag *d)
{
	struct eval cur;
	int rc = evaluate(&cur, q, ext, ti, qi, q->tdx.tee_tcb_svn2, d);
	if (rc)
		return rc;
	if (is_ood(launch->final) && is_current_ok(cur.final))
		r->tcb_status = has_config(launch->final) ||
					has_config(cur.final)
			? ATT_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED
			: ATT_TCB_TD_RELAUNCH_ADVISED;
	return 0;
}

int att_dcap_eval_tcb(struct att_dcap_result *r, const struct att_sgx_quote *q,
		      const struct att_sgx_pck_ext *ext,
		      const struct att_tcb_info *ti,
		      const struct att_qe_identity *qi, struct att_diag *d)
{
	const uint8_t *svn = q->is_tdx ? q->tdx.tee_tcb_svn : NULL;
	struct eval e;
	int rc = evaluate(&e, q, ext, ti, qi, svn, d);
	if (rc)
		return rc;
	fill(r, &e);
	if (q->is_tdx && q->tdx.tee_tcb_svn2 &&
	    (rc = relaunch(r, &e, q, ext, ti, qi, d)) != 0)
		return rc;
	if (r->tcb_status == ATT_TCB_REVOKED)
		return att_diag_set(d, ATT_ERR_REVOKED, "TCB revoked (%s)",
				    e.platform->status == ATT_TCB_REVOKED
					    ? "platform TCB level"
				    : e.qe->status == ATT_TCB_REVOKED
					    ? "QE TCB level"
					    : "TDX module TCB level");
	return 0;
}
