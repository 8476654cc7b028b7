/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A verified SEV-SNP report -> the claims of MAA's SevSnpVm tokens (MAA
 * docs "Claim sets", and the token of the REST API's AttestSevSnpVm
 * example: names, JSON types and encodings exactly as there: measurements
 * and digests as lower-case hex of the report's bytes, SVNs and VMPL as
 * integers, the guest policy's DEBUG, MIGRATE_MA and SMT bits as
 * booleans), the x-attestd-sevsnp-* claims attestd adds (docs/claims.md),
 * and the policy's incoming claim set. The *-svn claims are the
 * components of REPORTED_TCB, the TCB the VCEK is issued for (AMD SEV-SNP
 * ABI specification, "ATTESTATION_REPORT Structure").
 * x-ms-compliance-status is Azure's statement about an Azure confidential
 * VM, which attestd cannot make by itself: it is emitted only when the
 * provider declares a SevSnpVm compliance floor and the report meets it
 * (att_snp_compliance_claims, verify/compliance.h).
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/hex.h"
#include "verify/compliance.h"
#include "verify/snp.h"

static int set(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0 ? 0 : ATT_ERR_NOMEM;
}

static int set_hex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
	char buf[2 * 64 + 1];
	if (n > 64)
		return ATT_ERR_LIMIT;
	att_hex_encode(buf, sizeof(buf), p, n, false);
	return set(o, k, json_string(buf));
}

static int set_int(json_t *o, const char *k, uint64_t v)
{
	return set(o, k, json_integer((json_int_t)v));
}

const char *att_snp_vek_source_name(enum att_snp_vek_source s)
{
	switch (s) {
	case ATT_SNP_VEK_CHAIN:
		return "VcekCertChain";
	case ATT_SNP_VEK_CERTTABLE:
		return "certificate table";
	case ATT_SNP_VEK_KDS:
		return "KDS";
	case ATT_SNP_VEK_FILES:
		return "files";
	case ATT_SNP_VEK_NONE:
		break;
	}
	return "none";
}

/* digests: the report's byte strings, MAA's names. */
static int digests(json_t *o, const struct att_snp_report *p)
{
	int r = set_hex(o, "x-ms-sevsnpvm-authorkeydigest",
			p->author_key_digest, 48);
	if (!r)
		r = set_hex(o, "x-ms-sevsnpvm-familyId", p->family_id, 16);
	if (!r)
		r = set_hex(o, "x-ms-sevsnpvm-hostdata", p->host_data, 32);
	if (!r)
		r = set_hex(o, "x-ms-sevsnpvm-idkeydigest", p->id_key_digest,
			    48);
	if (!r)
		r = set_hex(o, "x-ms-sevsnpvm-imageId", p->image_id, 16);
	if (!r)
		r = set_hex(o, "x-ms-sevsnpvm-launchmeasurement",
			    p->measurement, 48);
	if (!r)
		r = set_hex(o, "x-ms-sevsnpvm-reportdata", p->report_data, 64);
	if (!r)
		r = set_hex(o, "x-ms-sevsnpvm-reportid", p->report_id, 32);
	return r;
}

static int ms_claims(json_t *o, const struct att_snp_result *res)
{
	const struct att_snp_report *p = &res->rep;
	const struct att_snp_tcb *t = &res->reported;
	int r = set(o, "x-ms-attestation-type", json_string("sevsnpvm"));
	if (!r)
		r = set(o, "x-ms-ver", json_string("1.0"));
	if (!r)
		r = digests(o, p);
	if (!r)
		r = set_int(o, "x-ms-sevsnpvm-bootloader-svn", t->bl);
	if (!r)
		r = set_int(o, "x-ms-sevsnpvm-guestsvn", p->guest_svn);
	if (!r)
		r = set(o, "x-ms-sevsnpvm-is-debuggable",
			json_boolean(p->policy & ATT_SNP_POLICY_DEBUG));
	if (!r)
		r = set_int(o, "x-ms-sevsnpvm-microcode-svn", t->ucode);
	if (!r)
		r = set(o, "x-ms-sevsnpvm-migration-allowed",
			json_boolean(p->policy & ATT_SNP_POLICY_MIGRATE_MA));
	if (!r)
		r = set(o, "x-ms-sevsnpvm-smt-allowed",
			json_boolean(p->policy & ATT_SNP_POLICY_SMT));
	if (!r)
		r = set_int(o, "x-ms-sevsnpvm-snpfw-svn", t->snp);
	if (!r)
		r = set_int(o, "x-ms-sevsnpvm-tee-svn", t->tee);
	if (!r)
		r = set_int(o, "x-ms-sevsnpvm-vmpl", p->vmpl);
	return r;
}

static json_t *tcb_obj(const struct att_snp_tcb *t)
{
	char raw[17];
	snprintf(raw, sizeof(raw), "%016llx", (unsigned long long)t->raw);
	json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i}", "raw", raw,
			      "bootloader", (int)t->bl, "tee", (int)t->tee,
			      "snp", (int)t->snp, "microcode", (int)t->ucode);
	if (o && t->has_fmc &&
	    json_object_set_new(o, "fmc", json_integer(t->fmc))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *policy_obj(uint64_t p)
{
	char raw[17];
	snprintf(raw, sizeof(raw), "%016llx", (unsigned long long)p);
	return json_pack(
		"{s:s, s:i, s:i, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}",
		"raw", raw, "abi_major", (int)ATT_SNP_POLICY_ABI_MAJOR(p),
		"abi_minor", (int)ATT_SNP_POLICY_ABI_MINOR(p), "smt",
		(p & ATT_SNP_POLICY_SMT) != 0, "migrate_ma",
		(p & ATT_SNP_POLICY_MIGRATE_MA) != 0, "debug",
		(p & ATT_SNP_POLICY_DEBUG) != 0, "single_socket",
		(p & ATT_SNP_POLICY_SINGLE_SOCKET) != 0, "cxl_allow",
		(p & ATT_SNP_POLICY_CXL_ALLOW) != 0, "mem_aes_256_xts",
		(p & ATT_SNP_POLICY_MEM_AES_256_XTS) != 0, "rapl_dis",
		(p & ATT_SNP_POLICY_RAPL_DIS) != 0, "ciphertext_hiding",
		(p & ATT_SNP_POLICY_CIPHERTEXT_HIDING) != 0,
		"page_swap_disable", (p & ATT_SNP_POLICY_PAGE_SWAP_DISABLE) != 0);
}

static json_t *platform_obj(uint64_t p)
{
	char raw[17];
	snprintf(raw, sizeof(raw), "%016llx", (unsigned long long)p);
	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "raw", raw,
			 "smt_en", (p & ATT_SNP_PLAT_SMT_EN) != 0, "tsme_en",
			 (p & ATT_SNP_PLAT_TSME_EN) != 0, "ecc_en",
			 (p & ATT_SNP_PLAT_ECC_EN) != 0, "rapl_dis",
			 (p & ATT_SNP_PLAT_RAPL_DIS) != 0,
			 "ciphertext_hiding_en",
			 (p & ATT_SNP_PLAT_CIPHERTEXT_HIDING_EN) != 0,
			 "alias_check_complete",
			 (p & ATT_SNP_PLAT_ALIAS_CHECK_COMPLETE) != 0,
			 "tio_en", (p & ATT_SNP_PLAT_TIO_EN) != 0);
}

static const char *signer_name(enum att_snp_signing_key k)
{
	return k == ATT_SNP_KEY_VCEK   ? "VCEK"
	       : k == ATT_SNP_KEY_VLEK ? "VLEK"
				       : "none";
}

static int set_build(json_t *o, const char *k, uint8_t major, uint8_t minor,
		     uint8_t build)
{
	char v[16];
	snprintf(v, sizeof(v), "%u.%u.%u", major, minor, build);
	return set(o, k, json_string(v));
}

static int set_time(json_t *o, const char *k, int64_t t)
{
	char buf[40];
	att_time_format(buf, sizeof(buf), t);
	return set(o, k, json_string(buf));
}

/* tcbs: the four TCB_VERSIONs, decoded for the product. */
static int tcbs(json_t *o, const struct att_snp_result *res)
{
	int r = set(o, "x-attestd-sevsnp-current-tcb", tcb_obj(&res->current));
	if (!r)
		r = set(o, "x-attestd-sevsnp-reported-tcb",
			tcb_obj(&res->reported));
	if (!r)
		r = set(o, "x-attestd-sevsnp-committed-tcb",
			tcb_obj(&res->committed));
	if (!r)
		r = set(o, "x-attestd-sevsnp-launch-tcb", tcb_obj(&res->launch));
	if (!r)
		r = set(o, "x-attestd-sevsnp-vek-tcb", tcb_obj(&res->vek_tcb));
	return r;
}

static int attestd_claims(json_t *o, const struct att_snp_result *res,
			  enum att_snp_vek_source source)
{
	const struct att_snp_report *p = &res->rep;
	int r = set_int(o, "x-attestd-sevsnp-report-version", p->version);
	if (!r)
		r = set(o, "x-attestd-sevsnp-product",
			json_string(att_snp_product_name(res->product)));
	if (!r)
		r = set(o, "x-attestd-sevsnp-product-source",
			json_string(res->product_source));
	if (!r)
		r = set(o, "x-attestd-sevsnp-signer",
			json_string(signer_name(res->signer)));
	if (!r)
		r = set(o, "x-attestd-sevsnp-vek-source",
			json_string(att_snp_vek_source_name(source)));
	if (!r)
		r = set(o, "x-attestd-sevsnp-policy", policy_obj(p->policy));
	if (!r)
		r = set(o, "x-attestd-sevsnp-platform-info",
			platform_obj(p->platform_info));
	if (!r)
		r = tcbs(o, res);
	if (!r)
		r = set_hex(o, "x-attestd-sevsnp-chip-id", p->chip_id, 64);
	if (!r)
		r = set_build(o, "x-attestd-sevsnp-current-build",
			      p->current_major, p->current_minor,
			      p->current_build);
	if (!r)
		r = set_build(o, "x-attestd-sevsnp-committed-build",
			      p->committed_major, p->committed_minor,
			      p->committed_build);
	if (!r)
		r = set(o, "x-attestd-sevsnp-crl-checked",
			json_boolean(res->crl_checked));
	if (!r && res->vek_not_after)
		r = set_time(o, "x-attestd-sevsnp-vek-not-after",
			     res->vek_not_after);
	return r;
}

int att_snp_claims(json_t *o, const struct att_snp_request *rq,
		   const struct att_snp_result *res,
		   enum att_snp_vek_source source)
{
	int r = ms_claims(o, res);
	if (!r && rq && rq->runtime.present && rq->runtime.is_json)
		r = set(o, "x-ms-runtime", json_incref(rq->runtime.json));
	if (!r && rq && rq->inittime.present && rq->inittime.is_json)
		r = set(o, "x-ms-inittime", json_incref(rq->inittime.json));
	if (!r)
		r = attestd_claims(o, res, source);
	return r;
}

static int add_claim(struct att_claimset *in, const char *type, json_t *v)
{
	if (!json_is_array(v))
		return att_claimset_add_json(in, type, v, NULL);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		int r = att_claimset_add_json(in, type, e, NULL);
		if (r)
			return r;
	}
	return 0;
}

int att_snp_incoming(struct att_claimset *in, json_t *obj)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		int r = add_claim(in, k, v);
		if (r)
			return r;
	}
	return 0;
}

/* sample_result: a Milan report shaped like MAA's example. */
static void sample_result(struct att_snp_result *res)
{
	memset(res, 0, sizeof(*res));
	struct att_snp_report *p = &res->rep;
	p->version = 2;
	p->guest_svn = 1;
	p->policy = 0x3001f;
	p->family_id[0] = 1;
	p->image_id[0] = 2;
	p->sig_algo = ATT_SNP_SIG_ALGO_ECDSA_P384_SHA384;
	p->platform_info = ATT_SNP_PLAT_SMT_EN;
	for (size_t i = 0; i < 48; i++) {
		p->measurement[i] = (uint8_t)(i * 37 + 4);
		p->id_key_digest[i] = (uint8_t)(i * 11 + 38);
	}
	for (size_t i = 0; i < 32; i++) {
		p->report_data[i] = (uint8_t)(i * 13 + 153);
		p->report_id[i] = (uint8_t)(i * 7 + 209);
	}
	for (size_t i = 0; i < 64; i++)
		p->chip_id[i] = (uint8_t)(i * 29 + 206);
	p->current_tcb = p->reported_tcb = 0x2800000000000000ull;
	res->product = ATT_SNP_MILAN;
	res->signer = ATT_SNP_KEY_VCEK;
	snprintf(res->product_source, sizeof(res->product_source),
		 "certificate");
	att_snp_tcb_decode(&res->current, p->current_tcb, res->product);
	att_snp_tcb_decode(&res->reported, p->reported_tcb, res->product);
	att_snp_tcb_decode(&res->committed, 0, res->product);
	att_snp_tcb_decode(&res->launch, 0, res->product);
	res->vek_tcb = res->reported;
	res->hwid_checked = true;
	res->vek_not_after = 1832540893; /* 2028-01-25 */
}

int att_snp_sample_incoming(struct att_claimset *in)
{
	struct att_snp_request rq;
	struct att_snp_result res;
	memset(&rq, 0, sizeof(rq));
	rq.runtime.present = true;
	rq.runtime.is_json = true;
	rq.runtime.json = json_pack(
		"{s:[{s:s, s:[s], s:s, s:s, s:s}], s:{s:b, s:b, s:s}}", "keys",
		"kid", "HCLTransferKey", "key_ops", "encrypt", "kty", "RSA",
		"e", "AQAB", "n", "ur08DccjGGzRo3OIq445n00Q3OthMIbR3SWIzCci",
		"vm-configuration", "secure-boot", 1, "tpm-enabled", 1,
		"vmUniqueId", "AE5CBB2A-DC95-4870-A74A-EE4FB33B1A9C");
	sample_result(&res);
	json_t *c = json_object();
	int r = c && rq.runtime.json ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = att_snp_claims(c, &rq, &res, ATT_SNP_VEK_CHAIN);
	if (!r && json_object_set_new(c, "x-ms-policy-hash",
				      json_string("9NY0VnTQ-IiBriBplVUpFbczcDa"
						  "EBUwsiFYAzHu_gco")))
		r = ATT_ERR_NOMEM;
	if (!r)
		r = att_snp_incoming(in, c);
	json_decref(c);
	json_decref(rq.runtime.json);
	return r;
}

int att_snp_compliance_claims(json_t *obj, const struct att_compliance *c,
			      const struct att_snp_result *res)
{
	return att_compliance_snp_claim(obj, c, res);
}
