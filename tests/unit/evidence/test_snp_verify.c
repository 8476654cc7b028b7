/* SPDX-License-Identifier: Apache-2.0 */
/*
 * att_snp_verify on the real reports of tests/vectors/sevsnp/cases.json
 * with AMD's built-in ARKs: each case gives its expected verdict at its
 * verify_at, the VEK's TCB extensions equal the case's vek_tcb_ext, and
 * the result is filled (product and its source, signer, hwID, decoded
 * TCBs, validity). Then tampering with real data: every byte of the signed
 * region and of r and s flipped, another product's ASK or ARK, a wrong
 * pinned ARK, VCEK/VLEK and ASK/ASVK confusion, times outside each
 * validity window, the signer field, the appraisal (VMPL, minimum TCBs),
 * a Turin chain, and the DER INTEGER reader of the SPL extensions.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "evidence/snp/snp.h"
#include "evidence/snp/snp_int.h"
#include "harness/tap.h"
#include "snp_vectors.h"

static struct att_snp_trust *amd;

struct kit {
	uint8_t rep[ATT_SNP_REPORT_LEN];
	struct att_cert **vek, **chain;
	size_t n_vek, n_chain;
	struct att_snp_certs certs;
	struct att_snp_appraisal ap;
	int64_t at;
};

static int kit_load(struct kit *k, const char *report, const char *vek,
		    const char *chain, const char *at)
{
	memset(k, 0, sizeof(*k));
	if (snpv_load_report(report, k->rep) != 0 ||
	    snpv_load_certs(vek, &k->vek, &k->n_vek) != 0 ||
	    snpv_load_certs(chain, &k->chain, &k->n_chain) != 0 ||
	    att_time_parse(&k->at, at) != 0)
		return -2;
	k->certs.vek = k->vek[0];
	k->certs.chain = k->chain;
	k->certs.n_chain = k->n_chain;
	k->ap.max_vmpl = 3;
	return 0;
}

static void kit_free(struct kit *k)
{
	att_cert_chain_free(k->vek, k->n_vek);
	att_cert_chain_free(k->chain, k->n_chain);
}

static int run(struct kit *k, struct att_snp_result *res,
	       const struct att_snp_trust *t, struct att_diag *d)
{
	att_diag_clear(d);
	return att_snp_verify(res, k->rep, sizeof(k->rep), &k->certs, t,
			      &k->ap, k->at, d);
}

#define EXPECT(k, t, code, text)                                              \
	do {                                                                   \
		static struct att_snp_result r_;                               \
		struct att_diag d_;                                            \
		int rc_ = run(k, &r_, t, &d_);                                 \
		ATT_CHECK(rc_ == (code), "rc %d (%s), want %d", rc_,           \
			  d_.msg, (int)(code));                                \
		ATT_CHECK(strstr(d_.msg, text) != NULL,                        \
			  "message \"%s\" lacks \"%s\"", d_.msg, text);        \
	} while (0)

static json_t *cases;

static json_t *case_by_id(const char *id)
{
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c)
		if (strcmp(snpv_str(c, "id"), id) == 0)
			return c;
	return NULL;
}

static int kit_case(struct kit *k, const char *id)
{
	json_t *c = case_by_id(id);
	if (!c)
		return -2;
	return kit_load(k, snpv_str(c, "report"), snpv_str(c, "vek_cert"),
			snpv_str(c, "ask_ark_chain"), snpv_str(c, "verify_at"));
}

static int ext_int(json_t *e, const char *k)
{
	return (int)json_integer_value(json_object_get(e, k));
}

static void check_case(json_t *c)
{
	const char *id = snpv_str(c, "id");
	json_t *ext = json_object_get(c, "vek_tcb_ext");
	bool valid = strcmp(snpv_str(c, "expected"), "VALID") == 0;
	static struct att_snp_result res;
	struct att_snp_tcb t;
	struct att_diag d;
	struct kit k;
	if (kit_case(&k, id) != 0) {
		ATT_CHECK(0, "%s: vectors load", id);
		return;
	}
	/* the cases' verdicts judge signatures and chains; the debug
	 * appraisal is checked below */
	k.ap.allow_debug = true;
	int rc = run(&k, &res, amd, &d);
	ATT_CHECK(valid ? rc == 0 : rc != 0, "%s: rc %d (%s)", id, rc, d.msg);
	ATT_CHECK_EQ_INT(att_snp_vek_tcb(k.certs.vek, ATT_SNP_MILAN, &t, NULL),
			 0);
	ATT_CHECK(t.bl == ext_int(ext, "bl") && t.tee == ext_int(ext, "tee") &&
		  t.snp == ext_int(ext, "snp") &&
		  t.ucode == ext_int(ext, "ucode"), "%s: vek_tcb_ext", id);
	if (!valid) {
		/* the independent check: the VEK is not signed by the ASK */
		ATT_CHECK_EQ_INT(rc, ATT_ERR_SIG_INVALID);
		ATT_CHECK(strstr(d.msg, "is not signed by the ASK") != NULL,
			  "%s: %s", id, d.msg);
		kit_free(&k);
		return;
	}
	json_t *f = json_object_get(c, "fields");
	bool vlek = json_integer_value(json_object_get(f, "signing_key")) == 1;
	ATT_CHECK_EQ_INT(res.product, ATT_SNP_MILAN);
	ATT_CHECK_EQ_STR(res.product_source,
			 res.rep.version >= 3 ? "cpuid" : "certificate");
	ATT_CHECK_EQ_INT(res.signer, vlek ? ATT_SNP_KEY_VLEK : ATT_SNP_KEY_VCEK);
	ATT_CHECK(res.hwid_checked == !vlek, "%s hwid_checked", id);
	ATT_CHECK(!res.crl_checked, "%s crl_checked", id);
	ATT_CHECK(memcmp(&res.vek_tcb, &t, sizeof(t)) == 0, "%s vek_tcb", id);
	ATT_CHECK(res.vek_tcb.raw == res.rep.reported_tcb, "%s raw", id);
	ATT_CHECK(res.reported.snp == t.snp && res.reported.ucode == t.ucode,
		  "%s reported decoded", id);
	ATT_CHECK(res.launch.raw == res.rep.launch_tcb &&
		  res.committed.raw == res.rep.committed_tcb &&
		  res.current.raw == res.rep.current_tcb, "%s tcbs", id);
	int64_t nb, na;
	json_t *w = json_object_get(c, "vek_validity");
	char t1[40];
	snprintf(t1, sizeof(t1), "%.10sT%.8sZ",
		 json_string_value(json_array_get(w, 0)),
		 json_string_value(json_array_get(w, 0)) + 11);
	ATT_CHECK(att_time_parse(&nb, t1) == 0 && nb == res.vek_not_before,
		  "%s not_before %s", id, t1);
	snprintf(t1, sizeof(t1), "%.10sT%.8sZ",
		 json_string_value(json_array_get(w, 1)),
		 json_string_value(json_array_get(w, 1)) + 11);
	ATT_CHECK(att_time_parse(&na, t1) == 0 && na == res.vek_not_after,
		  "%s not_after %s", id, t1);
	if (res.rep.policy & ATT_SNP_POLICY_DEBUG) {
		k.ap.allow_debug = false;
		EXPECT(&k, amd, ATT_ERR_POLICY_DENY, "allows debugging");
		k.ap.allow_debug = true;
	}
	/* the chain without the ARK verifies too: the anchor is pinned */
	k.certs.n_chain = 1;
	ATT_CHECK_EQ_INT(run(&k, &res, amd, &d), 0);
	/* outside the VEK's window */
	k.at = nb - 1;
	EXPECT(&k, amd, ATT_ERR_NOT_YET_VALID, vlek ? "VLEK not valid before"
						     : "VCEK not valid before");
	k.at = na + 1;
	EXPECT(&k, amd, ATT_ERR_EXPIRED, vlek ? "VLEK expired" :
						 "VCEK expired");
	kit_free(&k);
}

/* AMD's built-in ARKs are the ARKs of the KDS chains. */
static void test_builtin_arks(void)
{
	static const struct {
		enum att_snp_product p;
		const char *files[2];
	} want[] = {
		{ATT_SNP_MILAN, {"sevsnp/amd_roots/ask_ark_milan.pem",
				 "sevsnp/amd_roots/ask_ark_milan_vlek.pem"}},
		{ATT_SNP_GENOA, {"sevsnp/amd_roots/ask_ark_genoa.pem",
				 "sevsnp/amd_roots/ask_ark_genoa_vlek.pem"}},
		{ATT_SNP_TURIN, {"sevsnp/amd_roots/ask_ark_turin_vcek.pem",
				 "sevsnp/amd_roots/ask_ark_turin_vlek.pem"}},
	};
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 2; j++) {
			struct att_cert **c = NULL;
			size_t n = 0;
			const struct att_cert *ark =
				att_snp_trust_get0_ark(amd, want[i].p);
			ATT_CHECK(snpv_load_certs(want[i].files[j], &c, &n) ==
					  0 && n == 2, "%s", want[i].files[j]);
			ATT_CHECK(ark && n == 2 && att_x509_equal(c[1], ark),
				  "built-in ARK %s", want[i].files[j]);
			ATT_CHECK(n == 2 &&
				  att_x509_check_signed_by(c[0], ark) == 0,
				  "ASK signed by the built-in ARK");
			att_cert_chain_free(c, n);
		}
	ATT_CHECK(att_snp_trust_get0_ark(amd, ATT_SNP_PRODUCT_UNKNOWN) == NULL,
		  "no ARK for unknown");
	/* an ARK must be self-signed */
	size_t len;
	uint8_t *ask = att_read_file(snpv_path("sevsnp/amd_roots/"
					       "ask_ark_milan.pem"), &len);
	struct att_snp_trust *t = NULL;
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_snp_trust_new_empty(&t), 0);
	ATT_CHECK_EQ_INT(att_snp_trust_add_ark(t, ATT_SNP_MILAN, ask, len, &d),
			 ATT_ERR_CHAIN_INVALID); /* the first PEM is the ASK */
	ATT_CHECK(strstr(d.msg, "not self-signed") != NULL, "%s", d.msg);
	ATT_CHECK_EQ_INT(att_snp_trust_add_ark(t, ATT_SNP_PRODUCT_UNKNOWN, ask,
					       len, NULL), ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_snp_trust_add_ark(t, ATT_SNP_MILAN, ask, 10,
					       NULL), ATT_ERR_FORMAT);
	att_snp_trust_free(t);
	free(ask);
}

/* Every byte of 0x000..0x29F flipped: refused; past the fields read
 * before the signature check, refused as a bad signature. */
static void test_flips(const char *id, bool v3)
{
	static struct att_snp_result res;
	struct att_diag d;
	struct kit k;
	int bad_rc = 0, not_sig = 0;
	if (kit_case(&k, id) != 0) {
		ATT_CHECK(0, "%s loads", id);
		return;
	}
	for (size_t i = 0; i < ATT_SNP_SIGNED_LEN; i++) {
		k.rep[i] ^= 0x10;
		int rc = run(&k, &res, amd, &d);
		bool early = i < 4 || (i >= 0x34 && i < 0x38) ||
			     (i >= 0x48 && i < 0x4C) ||
			     (v3 && i >= 0x188 && i < 0x18B);
		if (rc == 0)
			bad_rc++;
		else if (!early && rc != ATT_ERR_SIG_INVALID)
			not_sig++;
		k.rep[i] ^= 0x10;
	}
	ATT_CHECK(bad_rc == 0, "%s: %d flips accepted", id, bad_rc);
	ATT_CHECK(not_sig == 0, "%s: %d flips not refused as signature", id,
		  not_sig);
	/* r and s, low and high bytes */
	int acc = 0;
	for (size_t i = 0; i < 2 * ATT_SNP_SIG_COMPONENT_LEN; i++) {
		k.rep[ATT_SNP_OFF_SIG_R + i] ^= 0x01;
		if (run(&k, &res, amd, &d) != ATT_ERR_SIG_INVALID)
			acc++;
		k.rep[ATT_SNP_OFF_SIG_R + i] ^= 0x01;
	}
	ATT_CHECK(acc == 0, "%s: %d r/s flips not refused", id, acc);
	/* the reserved tail after s is not signed and not judged */
	k.rep[ATT_SNP_REPORT_LEN - 1] ^= 0xFF;
	ATT_CHECK_EQ_INT(run(&k, &res, amd, &d), 0);
	kit_free(&k);
}

static void set_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_signer_field(void)
{
	struct kit k;
	uint8_t keep[4];
	if (kit_case(&k, "snp_trustee_vcek") != 0)
		return;
	memcpy(keep, k.rep + 0x48, 4);
	set_u32(k.rep + 0x48, ATT_SNP_SIGNER_MASK_CHIP_KEY);
	EXPECT(&k, amd, ATT_ERR_SIG_INVALID,
	       "the report is not signed (MASK_CHIP_KEY)");
	set_u32(k.rep + 0x48, 7u << 2);
	EXPECT(&k, amd, ATT_ERR_SIG_INVALID, "not signed");
	set_u32(k.rep + 0x48, 3u << 2);
	EXPECT(&k, amd, ATT_ERR_UNSUPPORTED, "signing key 3 is reserved");
	memcpy(k.rep + 0x48, keep, 4);
	set_u32(k.rep + 0x34, 2);
	EXPECT(&k, amd, ATT_ERR_UNSUPPORTED, "algorithm 2");
	set_u32(k.rep + 0x34, 1);
	k.rep[ATT_SNP_OFF_SIG_S + 60] = 1;
	EXPECT(&k, amd, ATT_ERR_SIG_INVALID, "high bytes");
	k.rep[ATT_SNP_OFF_SIG_S + 60] = 0;
	EXPECT(&k, amd, 0, "");
	/* the arguments */
	static struct att_snp_result res;
	ATT_CHECK_EQ_INT(att_snp_verify(&res, k.rep, sizeof(k.rep), NULL, amd,
					&k.ap, k.at, NULL),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_snp_verify(&res, k.rep, 100, &k.certs, amd,
					&k.ap, k.at, NULL),
			 ATT_ERR_TRUNCATED);
	kit_free(&k);
}

static void test_chain_tampering(void)
{
	struct kit k, vlek;
	struct att_cert **gchain = NULL;
	size_t gn = 0;
	if (kit_case(&k, "snp_trustee_vcek") != 0 ||
	    kit_case(&vlek, "snp_trustee_vlek_v3") != 0 ||
	    snpv_load_certs("sevsnp/amd_roots/ask_ark_genoa.pem", &gchain,
			    &gn) != 0 || gn != 2) {
		ATT_CHECK(0, "vectors load");
		return;
	}
	struct att_cert *const *milan_chain = k.certs.chain;
	/* another product's ASK, then another product's ARK */
	struct att_cert *mix[2] = {gchain[0], k.chain[1]};
	k.certs.chain = mix;
	EXPECT(&k, amd, ATT_ERR_CHAIN_INVALID,
	       "ASK is \"SEV-Genoa\", expected SEV-Milan for Milan");
	mix[0] = k.chain[0];
	mix[1] = gchain[1];
	EXPECT(&k, amd, ATT_ERR_CHAIN_INVALID,
	       "ARK is not the pinned AMD root for Milan");
	/* the product configured as Genoa: the VCEK says Milan */
	k.certs.chain = gchain;
	k.ap.product = ATT_SNP_GENOA;
	EXPECT(&k, amd, ATT_ERR_MISMATCH,
	       "VCEK productName Milan-B0 does not match the product Genoa "
	       "(config)");
	k.ap.product = ATT_SNP_MILAN;
	k.certs.chain = milan_chain;
	{
		static struct att_snp_result res;
		struct att_diag d;
		ATT_CHECK_EQ_INT(run(&k, &res, amd, &d), 0);
		ATT_CHECK_EQ_STR(res.product_source, "config");
	}
	k.ap.product = ATT_SNP_PRODUCT_UNKNOWN;
	/* a wrong ARK pinned for Milan, and none */
	struct att_snp_trust *wrong = NULL, *empty = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	ATT_CHECK_EQ_INT(att_snp_trust_new_empty(&wrong), 0);
	ATT_CHECK_EQ_INT(att_snp_trust_new_empty(&empty), 0);
	ATT_CHECK_EQ_INT(att_cert_to_der(&der, &der_len, gchain[1]), 0);
	ATT_CHECK_EQ_INT(att_snp_trust_add_ark(wrong, ATT_SNP_MILAN, der,
					       der_len, NULL), 0);
	k.certs.n_chain = 1;
	EXPECT(&k, wrong, ATT_ERR_SIG_INVALID,
	       "ASK is not signed by the pinned ARK for Milan");
	k.certs.n_chain = 2;
	EXPECT(&k, wrong, ATT_ERR_CHAIN_INVALID,
	       "ARK is not the pinned AMD root for Milan");
	EXPECT(&k, empty, ATT_ERR_CHAIN_INVALID, "no ARK is pinned for Milan");
	/* the VEK not signed by the ASK (the ASK swapped for the ARK) */
	mix[0] = k.chain[1];
	mix[1] = k.chain[1];
	k.certs.chain = mix;
	EXPECT(&k, amd, ATT_ERR_CHAIN_INVALID, "ASK is \"ARK-Milan\"");
	k.certs.chain = milan_chain;
	/* VCEK and VLEK, ASK and ASVK confused */
	const struct att_cert *vcek = k.certs.vek;
	k.certs.vek = vlek.certs.vek;
	EXPECT(&k, amd, ATT_ERR_MISMATCH,
	       "report signed by VCEK but no VCEK supplied");
	k.certs.vek = vcek;
	k.certs.chain = vlek.certs.chain;
	EXPECT(&k, amd, ATT_ERR_MISMATCH,
	       "report signed by VCEK but the chain holds an ASVK "
	       "(SEV-VLEK-Milan)");
	k.certs.chain = milan_chain;
	vlek.certs.vek = vcek;
	EXPECT(&vlek, amd, ATT_ERR_MISMATCH,
	       "report signed by VLEK but no VLEK supplied");
	vlek.certs.vek = vlek.vek[0];
	vlek.certs.chain = milan_chain;
	EXPECT(&vlek, amd, ATT_ERR_MISMATCH,
	       "report signed by VLEK but the chain holds an ASK (SEV-Milan)");
	vlek.certs.chain = vlek.chain;
	/* missing pieces, too long a chain */
	k.certs.vek = NULL;
	EXPECT(&k, amd, ATT_ERR_CHAIN_INVALID, "no VCEK supplied");
	k.certs.vek = vcek;
	k.certs.n_chain = 0;
	EXPECT(&k, amd, ATT_ERR_CHAIN_INVALID, "no ASK supplied");
	struct att_cert *three[3] = {k.chain[0], k.chain[1], k.chain[1]};
	k.certs.chain = three;
	k.certs.n_chain = 3;
	EXPECT(&k, amd, ATT_ERR_CHAIN_INVALID, "3 certificates");
	k.certs.chain = milan_chain;
	k.certs.n_chain = 2;
	/* the VLEK expired on 2025-12-10 */
	att_time_parse(&vlek.at, "2026-01-01T00:00:00Z");
	EXPECT(&vlek, amd, ATT_ERR_EXPIRED, "VLEK expired at "
	       "2025-12-10T22:14:21Z");
	/* the ARK's and ASK's windows (2020-10-22 .. 2045-10-22) */
	att_time_parse(&k.at, "2046-01-01T00:00:00Z");
	EXPECT(&k, amd, ATT_ERR_EXPIRED, "VCEK expired");
	att_time_parse(&k.at, "2024-01-01T00:00:00Z");
	free(der);
	att_snp_trust_free(wrong);
	att_snp_trust_free(empty);
	att_cert_chain_free(gchain, gn);
	kit_free(&k);
	kit_free(&vlek);
}

static void test_appraisal(void)
{
	struct kit k;
	if (kit_case(&k, "snp_trustee_vlek_v3") != 0)
		return;
	k.ap.max_vmpl = 0;
	EXPECT(&k, amd, ATT_ERR_POLICY_DENY, "VMPL 1 is above the maximum 0");
	k.ap.max_vmpl = 1;
	EXPECT(&k, amd, 0, "");
	/* REPORTED_TCB 04000000000018d9: bl 4, snp 0x18, ucode 0xd9 */
	k.ap.has_min_tcb = true;
	k.ap.min_tcb = (struct att_snp_tcb){.bl = 4, .snp = 24, .ucode = 217};
	EXPECT(&k, amd, 0, "");
	k.ap.min_tcb.snp = 25;
	EXPECT(&k, amd, ATT_ERR_TCB_OUT_OF_DATE,
	       "REPORTED_TCB snpSPL 24 is below the minimum 25");
	k.ap.min_tcb.snp = 0;
	k.ap.min_tcb.tee = 1;
	EXPECT(&k, amd, ATT_ERR_TCB_OUT_OF_DATE,
	       "REPORTED_TCB teeSPL 0 is below the minimum 1");
	k.ap.has_min_tcb = false;
	/* LAUNCH_TCB and COMMITTED_TCB 04000000000018db: ucode 0xdb */
	k.ap.has_min_launch_tcb = true;
	k.ap.min_launch_tcb = (struct att_snp_tcb){.ucode = 0xdb};
	EXPECT(&k, amd, 0, "");
	k.ap.min_launch_tcb.ucode = 0xdc;
	EXPECT(&k, amd, ATT_ERR_TCB_OUT_OF_DATE,
	       "LAUNCH_TCB ucodeSPL 219 is below the minimum 220");
	k.ap.min_launch_tcb.ucode = 0;
	k.ap.min_launch_tcb.bl = 5;
	EXPECT(&k, amd, ATT_ERR_TCB_OUT_OF_DATE, "LAUNCH_TCB blSPL 4");
	k.ap.has_min_launch_tcb = false;
	/* require_crl without a CRL */
	k.ap.require_crl = true;
	EXPECT(&k, amd, ATT_ERR_NOT_FOUND, "no CRL of the ARK for Milan");
	kit_free(&k);
}

/* The Turin VCEK has no report: a v3 report naming Turin by CPUID gets
 * through product, chain and validity with AMD's Turin ARK and is then
 * refused at the signature; the 8-byte hwID and fmcSPL are read. */
static void test_turin_chain(void)
{
	struct kit k;
	const uint8_t *id;
	size_t len;
	struct att_snp_tcb t;
	if (kit_load(&k, "sevsnp/reports/trustee_test-vlek-report.bin",
		     "sevsnp/certs/virtee_vcek_turin.der",
		     "sevsnp/amd_roots/ask_ark_turin_vcek.pem",
		     "2025-01-01T00:00:00Z") != 0) {
		ATT_CHECK(0, "Turin vectors load");
		return;
	}
	set_u32(k.rep + 0x48, 0); /* VCEK */
	k.rep[0x188] = 0x1A;
	k.rep[0x189] = 0x02;
	static struct att_snp_result res;
	struct att_diag d;
	ATT_CHECK_EQ_INT(run(&k, &res, amd, &d), ATT_ERR_SIG_INVALID);
	ATT_CHECK(strstr(d.msg, "report signature does not verify with the "
			 "VCEK") != NULL, "%s", d.msg);
	ATT_CHECK_EQ_INT(res.product, ATT_SNP_TURIN);
	ATT_CHECK_EQ_STR(res.product_source, "cpuid");
	ATT_CHECK_EQ_INT(att_snp_vek_hwid(k.certs.vek, &id, &len), 0);
	ATT_CHECK_EQ_INT(len, 8);
	ATT_CHECK_EQ_INT(att_snp_vek_tcb(k.certs.vek, ATT_SNP_TURIN, &t, NULL),
			 0);
	ATT_CHECK(t.has_fmc && t.ucode == 9 && t.bl == 0,
		  "Turin SPLs (ucode %u)", t.ucode);
	char name[32];
	ATT_CHECK_EQ_INT(att_snp_vek_product(k.certs.vek, name, sizeof(name)),
			 0);
	ATT_CHECK_EQ_STR(name, "Turin");
	/* Milan's chain for a Turin VCEK */
	struct att_cert **mc = NULL;
	size_t mn = 0;
	snpv_load_certs("sevsnp/amd_roots/ask_ark_milan.pem", &mc, &mn);
	k.certs.chain = mc;
	EXPECT(&k, amd, ATT_ERR_CHAIN_INVALID, "expected SEV-Turin for Turin");
	att_cert_chain_free(mc, mn);
	kit_free(&k);
}

static void test_der_int(void)
{
	static const struct {
		uint8_t b[8];
		size_t n;
		int rc;
		unsigned v;
	} v[] = {
		{{0x02, 0x01, 0x05}, 3, 0, 5},
		{{0x02, 0x01, 0x00}, 3, 0, 0},
		{{0x02, 0x02, 0x00, 0x80}, 4, 0, 128},
		{{0x02, 0x02, 0x00, 0xFF}, 4, 0, 255},
		{{0x02, 0x02, 0x01, 0x00}, 4, 0, 256},
		{{0x02, 0x01, 0x80}, 3, ATT_ERR_FORMAT, 0},	  /* negative */
		{{0x02, 0x02, 0x00, 0x05}, 4, ATT_ERR_FORMAT, 0}, /* not minimal */
		{{0x02, 0x00}, 2, ATT_ERR_FORMAT, 0},
		{{0x02, 0x01, 0x05, 0x00}, 4, ATT_ERR_TRAILING, 0},
		{{0x02, 0x02, 0x05}, 3, ATT_ERR_TRUNCATED, 0},
		{{0x02, 0x81, 0x01, 0x05}, 4, ATT_ERR_FORMAT, 0}, /* long form */
		{{0x04, 0x01, 0x05}, 3, ATT_ERR_FORMAT, 0},
		{{0x02, 0x04, 0x01, 0x00, 0x00, 0x00}, 6, ATT_ERR_FORMAT, 0},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned got = 99;
		int rc = att_snp_der_small_uint(v[i].b, v[i].n, &got);
		ATT_CHECK(rc == v[i].rc && got == v[i].v,
			  "DER INTEGER #%zu: rc %d value %u", i, rc, got);
	}
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	cases = snpv_cases();
	ATT_CHECK(json_array_size(cases) >= 6, "cases.json loads");
	ATT_CHECK_EQ_INT(att_snp_trust_new_amd(&amd), 0);
	if (!amd || !cases)
		return att_test_done();
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c)
		check_case(c);
	test_builtin_arks();
	test_flips("snp_trustee_vcek", false);
	test_flips("snp_trustee_vlek_v3", true);
	test_signer_field();
	test_chain_tampering();
	test_appraisal();
	test_turin_chain();
	test_der_int();
	att_snp_trust_free(amd);
	json_decref(cases);
	return att_test_done();
}
