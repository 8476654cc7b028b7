/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP attestation report parser (AMD SEV-SNP ABI specification,
 * publication 56860, "ATTESTATION_REPORT Structure"; docs/snp.md). The
 * report is a fixed 0x4A0-byte structure read field by field through the
 * bounded cursor; the version decides which optional fields are meaningful
 * (CPUID bytes from version 3, the mitigation vectors from version 5).
 * Form only: no signature, chain or policy is judged here.
 */
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "evidence/snp/snp.h"

/* r and s are 72-byte little-endian fields of which the low 48 bytes hold
 * the value; the ECDSA verifier takes big-endian integers. */
static int get_sig_component(struct att_cur *c, uint8_t out[48], bool *hi)
{
	uint8_t le[ATT_SNP_SIG_COMPONENT_LEN];
	int rc = att_cur_copy(c, le, sizeof(le));
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < 48; i++)
		out[i] = le[47 - i];
	for (size_t i = 48; i < sizeof(le); i++)
		if (le[i] != 0)
			*hi = true;
	return 0;
}

static int get_version_triple(struct att_cur *c, uint8_t *build,
			      uint8_t *minor, uint8_t *major)
{
	int rc;
	if ((rc = att_cur_get_u8(c, build)) != 0 ||
	    (rc = att_cur_get_u8(c, minor)) != 0 ||
	    (rc = att_cur_get_u8(c, major)) != 0 ||
	    (rc = att_cur_skip(c, 1)) != 0)
		return rc;
	return 0;
}

/* 0x000..0x17F: identity, policy and the guest-visible digests. */
static int parse_head(struct att_cur *c, struct att_snp_report *r)
{
	int rc;
	if ((rc = att_cur_get_u32le(c, &r->version)) != 0 ||
	    (rc = att_cur_get_u32le(c, &r->guest_svn)) != 0 ||
	    (rc = att_cur_get_u64le(c, &r->policy)) != 0 ||
	    (rc = att_cur_copy(c, r->family_id, 16)) != 0 ||
	    (rc = att_cur_copy(c, r->image_id, 16)) != 0 ||
	    (rc = att_cur_get_u32le(c, &r->vmpl)) != 0 ||
	    (rc = att_cur_get_u32le(c, &r->sig_algo)) != 0 ||
	    (rc = att_cur_get_u64le(c, &r->current_tcb)) != 0 ||
	    (rc = att_cur_get_u64le(c, &r->platform_info)) != 0 ||
	    (rc = att_cur_get_u32le(c, &r->signer_info)) != 0 ||
	    (rc = att_cur_skip(c, 4)) != 0 ||
	    (rc = att_cur_copy(c, r->report_data, 64)) != 0 ||
	    (rc = att_cur_copy(c, r->measurement, 48)) != 0 ||
	    (rc = att_cur_copy(c, r->host_data, 32)) != 0 ||
	    (rc = att_cur_copy(c, r->id_key_digest, 48)) != 0 ||
	    (rc = att_cur_copy(c, r->author_key_digest, 48)) != 0 ||
	    (rc = att_cur_copy(c, r->report_id, 32)) != 0 ||
	    (rc = att_cur_copy(c, r->report_id_ma, 32)) != 0)
		return rc;
	return 0;
}

/* 0x180..0x29F: TCBs, CPUID, CHIP_ID, builds, mitigation vectors. */
static int parse_tail(struct att_cur *c, struct att_snp_report *r)
{
	uint8_t cpuid[3];
	uint64_t mit[2];
	int rc;
	if ((rc = att_cur_get_u64le(c, &r->reported_tcb)) != 0 ||
	    (rc = att_cur_copy(c, cpuid, 3)) != 0 ||
	    (rc = att_cur_skip(c, ATT_SNP_OFF_CHIP_ID - 0x18Bu)) != 0 ||
	    (rc = att_cur_copy(c, r->chip_id, 64)) != 0 ||
	    (rc = att_cur_get_u64le(c, &r->committed_tcb)) != 0 ||
	    (rc = get_version_triple(c, &r->current_build, &r->current_minor,
				     &r->current_major)) != 0 ||
	    (rc = get_version_triple(c, &r->committed_build,
				     &r->committed_minor,
				     &r->committed_major)) != 0 ||
	    (rc = att_cur_get_u64le(c, &r->launch_tcb)) != 0 ||
	    (rc = att_cur_get_u64le(c, &mit[0])) != 0 ||
	    (rc = att_cur_get_u64le(c, &mit[1])) != 0 ||
	    (rc = att_cur_skip(c, ATT_SNP_OFF_SIG_R - 0x208u)) != 0)
		return rc;
	if (r->version >= 3) {
		r->has_cpuid = true;
		r->cpuid_fam_id = cpuid[0];
		r->cpuid_mod_id = cpuid[1];
		r->cpuid_step = cpuid[2];
	}
	if (r->version >= 5) {
		r->has_mit = true;
		r->launch_mit_vector = mit[0];
		r->current_mit_vector = mit[1];
	}
	return 0;
}

int att_snp_report_parse(struct att_snp_report *out, const uint8_t *buf,
			 size_t len, struct att_diag *d)
{
	struct att_cur c;
	int rc;
	memset(out, 0, sizeof(*out));
	if (buf == NULL && len != 0)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "snp: no report");
	if (len < ATT_SNP_REPORT_LEN)
		return att_diag_set(d, ATT_ERR_TRUNCATED, "snp: report is %zu "
				    "bytes, expected %u", len,
				    ATT_SNP_REPORT_LEN);
	if (len > ATT_SNP_REPORT_LEN)
		return att_diag_set(d, ATT_ERR_TRAILING, "snp: report is %zu "
				    "bytes, expected %u", len,
				    ATT_SNP_REPORT_LEN);
	att_cur_init(&c, buf, len);
	if ((rc = parse_head(&c, out)) != 0 ||
	    (rc = parse_tail(&c, out)) != 0 ||
	    (rc = get_sig_component(&c, out->sig_r, &out->sig_hi_nonzero)) ||
	    (rc = get_sig_component(&c, out->sig_s, &out->sig_hi_nonzero)) ||
	    (rc = att_cur_skip(&c, ATT_SNP_REPORT_LEN - 0x330u)) != 0 ||
	    (rc = att_cur_expect_end(&c)) != 0)
		goto out;
	if (out->version != 1 && out->version != 2 && out->version != 3 &&
	    out->version != 5) {
		rc = att_diag_set(d, ATT_ERR_UNSUPPORTED, "snp: report "
				  "version %u is not supported (1, 2, 3, 5)",
				  out->version);
		goto out;
	}
	memcpy(out->raw, buf, ATT_SNP_REPORT_LEN);
	return 0;
out:
	att_diag_set(d, rc, "snp: report does not parse");
	memset(out, 0, sizeof(*out));
	return rc;
}
