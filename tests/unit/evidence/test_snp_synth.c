/* SPDX-License-Identifier: Apache-2.0 */
/*
 * att_snp_verify against a test PKI built here (src/crypto cert_build.c
 * and crl_build.c): an "ARK-Milan" / "ARK-Turin" pinned with
 * att_snp_trust_add_ark, an ASK or ASVK, a VCEK or VLEK with AMD's
 * extensions, and reports made and signed (ECDSA P-384) by the test. It
 * covers what the real vectors cannot: CRLs (not listing, listing the ASK,
 * listing the VEK, issued by the ASK, forged, outside their window,
 * unrelated, required), the debug policy bit, masked CHIP_ID, hwID and TCB
 * mismatches (two-byte SPL INTEGERs too), missing extensions, Turin's
 * layout and 8-byte hwID, VLEK reports, a non-P-384 VEK key, and product
 * detection from the certificate or not at all.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/timeutil.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "evidence/snp/snp.h"
#include "harness/tap.h"

#define T0 1735689600 /* 2025-01-01 */
#define YEAR (365 * 86400)

struct pki {
	enum att_snp_product p;
	bool vlek;
	struct att_pkey *ark_key, *ask_key;
	struct att_cert *ark, *ask;
	struct att_snp_trust *trust;
};

/* What goes into one VEK certificate. */
struct vek_opts {
	struct att_snp_tcb tcb; /* the SPL extensions */
	uint8_t hwid[64];
	size_t hwid_len; /* 0: no hwID extension */
	const char *product_name; /* NULL: none */
	bool no_bl;
	enum att_key_kind key_kind;
	const uint8_t *serial;
	size_t serial_len;
};

/* The PKI's root and CA key kind and signature algorithm: EC P-384 by
 * default; test_rsa_algs makes AMD's shape (RSA, RSASSA-PSS SHA-384). */
static enum att_key_kind g_ca_kind = ATT_KEY_EC_P384;
static enum att_cert_sig g_sig = ATT_CERT_SIG_DEFAULT;

static const uint8_t ask_serial[] = {0x0A, 0x5C};
static const uint8_t vek_serial[] = {0x07};

static struct att_cert *build(const char *cn, const struct att_cert *issuer,
			      struct att_pkey *signer, struct att_pkey *subj,
			      bool ca, const uint8_t *serial, size_t serial_len,
			      const struct att_cert_raw_ext *raw, size_t n_raw)
{
	struct att_cert_name_attr name[2] = {{"O", "Advanced Micro Devices"},
					     {"CN", cn}};
	struct att_cert_spec s = {
		.subject = name, .n_subject = 2, .issuer = issuer,
		.signing_key = signer, .subject_key = subj,
		.serial = serial, .serial_len = serial_len,
		.not_before = T0 - YEAR, .not_after = T0 + 5 * YEAR,
		.basic_constraints = true, .ca = ca, .pathlen = -1,
		.key_usage = ca ? ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN
				: ATT_KU_DIGITAL_SIGNATURE,
		.ski = ATT_SKI_KEY_SHA1, .aki = true, .raw = raw,
		.n_raw = n_raw, .sig = g_sig};
	struct att_cert *c = NULL;
	int rc = att_cert_build(&c, &s);
	ATT_CHECK(rc == 0, "build %s: %d", cn, rc);
	return c;
}

static int pki_init(struct pki *k, enum att_snp_product p, bool vlek)
{
	char cn[32];
	uint8_t *der = NULL;
	size_t len = 0;
	memset(k, 0, sizeof(*k));
	k->p = p;
	k->vlek = vlek;
	if (att_pkey_generate(&k->ark_key, g_ca_kind) != 0 ||
	    att_pkey_generate(&k->ask_key, g_ca_kind) != 0)
		return -2;
	snprintf(cn, sizeof(cn), "ARK-%s", att_snp_product_name(p));
	k->ark = build(cn, NULL, k->ark_key, k->ark_key, true, NULL, 0, NULL,
		       0);
	snprintf(cn, sizeof(cn), "SEV-%s%s", vlek ? "VLEK-" : "",
		 att_snp_product_name(p));
	k->ask = build(cn, k->ark, k->ark_key, k->ask_key, true, ask_serial,
		       sizeof(ask_serial), NULL, 0);
	if (!k->ark || !k->ask || att_cert_to_der(&der, &len, k->ark) != 0 ||
	    att_snp_trust_new_empty(&k->trust) != 0 ||
	    att_snp_trust_add_ark(k->trust, p, der, len, NULL) != 0) {
		free(der);
		return -2;
	}
	free(der);
	return 0;
}

static void pki_free(struct pki *k)
{
	att_cert_free(k->ark);
	att_cert_free(k->ask);
	att_pkey_free(k->ark_key);
	att_pkey_free(k->ask_key);
	att_snp_trust_free(k->trust);
}

/* DER INTEGER of v (two content bytes from 0x80). */
static size_t der_int(uint8_t *out, unsigned v)
{
	out[0] = 0x02;
	if (v < 0x80) {
		out[1] = 1;
		out[2] = (uint8_t)v;
		return 3;
	}
	out[1] = 2;
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
	return 4;
}

static struct att_cert *make_vek(struct pki *k, const struct vek_opts *o,
				 struct att_pkey **key)
{
	static const char *oids[5] = {"1.3.6.1.4.1.3704.1.3.1",
				      "1.3.6.1.4.1.3704.1.3.2",
				      "1.3.6.1.4.1.3704.1.3.3",
				      "1.3.6.1.4.1.3704.1.3.8",
				      "1.3.6.1.4.1.3704.1.3.9"};
	const uint8_t vals[5] = {o->tcb.bl, o->tcb.tee, o->tcb.snp,
				 o->tcb.ucode, o->tcb.fmc};
	uint8_t ints[5][4], name[40];
	struct att_cert_raw_ext raw[8];
	size_t n = 0;
	for (size_t i = 0; i < 5; i++) {
		if ((i == 0 && o->no_bl) || (i == 4 && k->p != ATT_SNP_TURIN))
			continue;
		raw[n++] = (struct att_cert_raw_ext){
			oids[i], ints[i], der_int(ints[i], vals[i]), false,
			false};
	}
	if (o->product_name) {
		size_t l = strlen(o->product_name);
		name[0] = 0x16;
		name[1] = (uint8_t)l;
		memcpy(name + 2, o->product_name, l);
		raw[n++] = (struct att_cert_raw_ext){"1.3.6.1.4.1.3704.1.2",
						     name, l + 2, false, false};
	}
	if (o->hwid_len)
		raw[n++] = (struct att_cert_raw_ext){"1.3.6.1.4.1.3704.1.4",
						     o->hwid, o->hwid_len,
						     false, false};
	*key = NULL;
	if (att_pkey_generate(key, o->key_kind) != 0)
		return NULL;
	return build(k->vlek ? "SEV-VLEK" : "SEV-VCEK", k->ask, k->ask_key,
		     *key, false, o->serial ? o->serial : vek_serial,
		     o->serial ? o->serial_len : sizeof(vek_serial), raw, n);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A version 5 report for k's product (CPUID set unless version < 3),
 * signed with key: r and s little-endian in 72-byte fields. */
static void make_report(uint8_t *rep, struct pki *k, uint32_t version,
			uint64_t tcb, const uint8_t chip[64], uint64_t policy,
			struct att_pkey *key)
{
	struct att_buf sig;
	memset(rep, 0, ATT_SNP_REPORT_LEN);
	put_u32(rep, version);
	put_u64(rep + ATT_SNP_OFF_POLICY, policy);
	put_u32(rep + ATT_SNP_OFF_SIG_ALGO, 1);
	put_u32(rep + ATT_SNP_OFF_SIGNER_INFO, k->vlek ? 1u << 2 : 0);
	put_u64(rep + ATT_SNP_OFF_CURRENT_TCB, tcb);
	put_u64(rep + ATT_SNP_OFF_REPORTED_TCB, tcb);
	put_u64(rep + ATT_SNP_OFF_COMMITTED_TCB, tcb);
	put_u64(rep + ATT_SNP_OFF_LAUNCH_TCB, tcb);
	memcpy(rep + ATT_SNP_OFF_CHIP_ID, chip, 64);
	if (version >= 3) {
		rep[ATT_SNP_OFF_CPUID_FAM] = k->p == ATT_SNP_TURIN ? 0x1A : 0x19;
		rep[ATT_SNP_OFF_CPUID_MOD] = k->p == ATT_SNP_GENOA ? 0x11 : 0x01;
		rep[ATT_SNP_OFF_CPUID_STEP] = 0x01;
	}
	memset(rep + ATT_SNP_OFF_MEASUREMENT, 0x4D, 48);
	att_buf_init(&sig, 512);
	int rc = att_pkey_sign(&sig, key, ATT_SIG_ES384, rep,
			       ATT_SNP_SIGNED_LEN);
	ATT_CHECK(rc == 0 && sig.len == 96, "report signed: %d", rc);
	for (size_t i = 0; rc == 0 && i < 48; i++) {
		rep[ATT_SNP_OFF_SIG_R + i] = sig.data[47 - i];
		rep[ATT_SNP_OFF_SIG_S + i] = sig.data[95 - i];
	}
	att_buf_release(&sig);
}

/* One verification of the given pieces. */
static int verify(struct pki *k, const uint8_t *rep, struct att_cert *vek,
		  struct att_x509_crl *const *crls, size_t n_crls,
		  const struct att_snp_appraisal *ap,
		  struct att_snp_result *res, struct att_diag *d)
{
	struct att_cert *chain[2] = {k->ask, k->ark};
	struct att_snp_certs certs = {vek, chain, 2, crls, n_crls};
	att_diag_clear(d);
	return att_snp_verify(res, rep, ATT_SNP_REPORT_LEN, &certs, k->trust,
			      ap, T0, d);
}

#define EXPECT(k, rep, vek, crls, n, ap, code, text)                          \
	do {                                                                   \
		static struct att_snp_result r_;                               \
		struct att_diag d_;                                            \
		int rc_ = verify(k, rep, vek, crls, n, ap, &r_, &d_);          \
		ATT_CHECK(rc_ == (code), "rc %d (%s), want %d", rc_, d_.msg,   \
			  (int)(code));                                        \
		ATT_CHECK(strstr(d_.msg, text) != NULL,                        \
			  "message \"%s\" lacks \"%s\"", d_.msg, text);        \
	} while (0)

static struct att_x509_crl *crl_make(const struct att_cert *issuer,
				     struct att_pkey *key, int64_t tu,
				     int64_t nu, const uint8_t *serial,
				     size_t serial_len)
{
	struct att_crl_revoked rev = {serial, serial_len};
	struct att_crl_spec s = {.issuer = issuer, .issuer_key = key,
				 .this_update = tu, .next_update = nu,
				 .number = 1, .revoked = serial ? &rev : NULL,
				 .n_revoked = serial ? 1 : 0,
				 .revocation_date = tu, .reason = -1};
	uint8_t *der = NULL;
	size_t n = 0;
	struct att_x509_crl *crl = NULL;
	int rc = att_crl_build(&der, &n, &s);
	if (rc == 0)
		rc = att_x509_crl_from_der(&crl, der, n);
	ATT_CHECK(rc == 0, "CRL built: %d", rc);
	free(der);
	return crl;
}

static const uint8_t other_serial[] = {0x33};

static void test_crls(struct pki *k, const uint8_t *rep, struct att_cert *vek)
{
	struct att_snp_appraisal ap = {.max_vmpl = 0};
	static struct att_snp_result res;
	struct att_diag d;
	struct att_x509_crl *c[8] = {0};
	c[0] = crl_make(k->ark, k->ark_key, T0 - 86400, T0 + 86400,
			other_serial, sizeof(other_serial));
	c[1] = crl_make(k->ark, k->ark_key, T0 - 86400, T0 + 86400,
			ask_serial, sizeof(ask_serial));
	c[2] = crl_make(k->ark, k->ark_key, T0 - 86400, T0 + 86400,
			vek_serial, sizeof(vek_serial));
	c[3] = crl_make(k->ask, k->ask_key, T0 - 86400, T0 + 86400,
			vek_serial, sizeof(vek_serial));
	c[4] = crl_make(k->ark, k->ark_key, T0 - 3 * 86400, T0 - 86400, NULL,
			0);
	c[5] = crl_make(k->ark, k->ark_key, T0 + 86400, T0 + 3 * 86400, NULL,
			0);
	/* forged: the ARK's name, another key */
	struct att_pkey *fk = NULL;
	att_pkey_generate(&fk, ATT_KEY_EC_P384);
	struct att_cert *fake = build("ARK-Milan", NULL, fk, fk, true, NULL, 0,
				      NULL, 0);
	c[6] = crl_make(fake, fk, T0 - 86400, T0 + 86400, NULL, 0);
	/* unrelated issuer */
	struct att_cert *other = build("ARK-Genoa", NULL, fk, fk, true, NULL,
				       0, NULL, 0);
	c[7] = crl_make(other, fk, T0 - 86400, T0 + 86400, ask_serial,
			sizeof(ask_serial));
	ATT_CHECK_EQ_INT(verify(k, rep, vek, c, 1, &ap, &res, &d), 0);
	ATT_CHECK(res.crl_checked, "CRL of the ARK applied");
	ap.require_crl = true;
	EXPECT(k, rep, vek, c, 1, &ap, 0, "");
	EXPECT(k, rep, vek, c + 1, 1, &ap, ATT_ERR_REVOKED,
	       "ASK (SEV-Milan) is revoked by the CRL of the ARK");
	EXPECT(k, rep, vek, c + 2, 1, &ap, ATT_ERR_REVOKED,
	       "VCEK is revoked by the CRL of the ARK");
	EXPECT(k, rep, vek, c + 3, 1, &ap, ATT_ERR_REVOKED,
	       "VCEK is revoked by the CRL of the ASK");
	EXPECT(k, rep, vek, c + 4, 1, &ap, ATT_ERR_EXPIRED,
	       "CRL of the ARK for Milan expired at");
	EXPECT(k, rep, vek, c + 5, 1, &ap, ATT_ERR_NOT_YET_VALID,
	       "CRL of the ARK for Milan not valid before");
	EXPECT(k, rep, vek, c + 6, 1, &ap, ATT_ERR_SIG_INVALID,
	       "CRL of the ARK for Milan: signature invalid");
	EXPECT(k, rep, vek, c + 7, 1, &ap, ATT_ERR_NOT_FOUND,
	       "no CRL of the ARK for Milan");
	ap.require_crl = false;
	ATT_CHECK_EQ_INT(verify(k, rep, vek, c + 7, 1, &ap, &res, &d), 0);
	ATT_CHECK(!res.crl_checked, "an unrelated CRL is not applied");
	/* several: the revoking one wins wherever it is */
	struct att_x509_crl *both[2] = {c[0], c[1]};
	EXPECT(k, rep, vek, both, 2, &ap, ATT_ERR_REVOKED, "ASK");
	for (size_t i = 0; i < 8; i++)
		att_x509_crl_free(c[i]);
	att_cert_free(fake);
	att_cert_free(other);
	att_pkey_free(fk);
}

static const uint8_t chip[64] = {0xC1, 0x1D, 0x00, 0x42, 5, 6, 7, 8, 9};

static void test_milan(void)
{
	struct pki k;
	static uint8_t rep[ATT_SNP_REPORT_LEN];
	static struct att_snp_result res;
	struct att_diag d;
	struct att_snp_appraisal ap = {.max_vmpl = 0};
	struct att_pkey *key = NULL, *key2 = NULL;
	if (pki_init(&k, ATT_SNP_MILAN, false) != 0) {
		ATT_CHECK(0, "Milan PKI");
		return;
	}
	struct vek_opts o = {.tcb = {.bl = 3, .tee = 0, .snp = 10,
				     .ucode = 0xD9},
			     .hwid_len = 64, .product_name = "Milan-B0",
			     .key_kind = ATT_KEY_EC_P384};
	memcpy(o.hwid, chip, 64);
	uint64_t tcb = att_snp_tcb_encode(&o.tcb, ATT_SNP_MILAN);
	struct att_cert *vek = make_vek(&k, &o, &key);
	make_report(rep, &k, 5, tcb, chip, 0x30000, key);
	ATT_CHECK_EQ_INT(verify(&k, rep, vek, NULL, 0, &ap, &res, &d), 0);
	ATT_CHECK(res.rep.has_mit && res.hwid_checked && !res.crl_checked,
		  "v5 VCEK result (%s)", d.msg);
	ATT_CHECK_EQ_STR(res.product_source, "cpuid");
	ATT_CHECK(res.vek_tcb.snp == 10 && res.vek_tcb.ucode == 0xD9 &&
		  res.vek_tcb.raw == tcb, "vek_tcb");
	test_crls(&k, rep, vek);

	/* debug */
	make_report(rep, &k, 5, tcb, chip, 0x30000 | ATT_SNP_POLICY_DEBUG,
		    key);
	EXPECT(&k, rep, vek, NULL, 0, &ap, ATT_ERR_POLICY_DENY,
	       "allows debugging (bit 19)");
	ap.allow_debug = true;
	EXPECT(&k, rep, vek, NULL, 0, &ap, 0, "");
	ap.allow_debug = false;

	/* masked CHIP_ID, another chip */
	static const uint8_t zero[64], other[64] = {0xC1, 0x1D, 0x01};
	make_report(rep, &k, 5, tcb, zero, 0x30000, key);
	EXPECT(&k, rep, vek, NULL, 0, &ap, ATT_ERR_MISMATCH,
	       "CHIP_ID is masked; a VCEK cannot be matched");
	make_report(rep, &k, 5, tcb, other, 0x30000, key);
	EXPECT(&k, rep, vek, NULL, 0, &ap, ATT_ERR_MISMATCH,
	       "VCEK hwID does not match the report's CHIP_ID");

	/* REPORTED_TCB snpSPL 10, the certificate 8 */
	struct vek_opts o2 = o;
	o2.tcb.snp = 8;
	struct att_cert *vek2 = make_vek(&k, &o2, &key2);
	make_report(rep, &k, 5, tcb, chip, 0x30000, key2);
	EXPECT(&k, rep, vek2, NULL, 0, &ap, ATT_ERR_MISMATCH,
	       "VCEK TCB snpSPL 8 does not match REPORTED_TCB 10");
	att_cert_free(vek2);
	att_pkey_free(key2);

	/* SPLs of 0x80 and more: two-byte INTEGERs */
	o2 = o;
	o2.tcb.snp = 200;
	o2.tcb.bl = 128;
	vek2 = make_vek(&k, &o2, &key2);
	uint64_t tcb2 = att_snp_tcb_encode(&o2.tcb, ATT_SNP_MILAN);
	make_report(rep, &k, 5, tcb2, chip, 0x30000, key2);
	EXPECT(&k, rep, vek2, NULL, 0, &ap, 0, "");
	att_cert_free(vek2);
	att_pkey_free(key2);

	/* no blSPL extension */
	o2 = o;
	o2.no_bl = true;
	vek2 = make_vek(&k, &o2, &key2);
	make_report(rep, &k, 5, tcb, chip, 0x30000, key2);
	EXPECT(&k, rep, vek2, NULL, 0, &ap, ATT_ERR_FORMAT,
	       "lacks the blSPL extension");
	att_cert_free(vek2);
	att_pkey_free(key2);

	/* a P-256 VEK */
	o2 = o;
	o2.key_kind = ATT_KEY_EC_P256;
	vek2 = make_vek(&k, &o2, &key2);
	make_report(rep, &k, 5, tcb, chip, 0x30000, key);
	EXPECT(&k, rep, vek2, NULL, 0, &ap, ATT_ERR_UNSUPPORTED,
	       "not EC P-384");
	att_cert_free(vek2);
	att_pkey_free(key2);

	/* version 2 (no CPUID): the product from the certificate, or none */
	make_report(rep, &k, 2, tcb, chip, 0x30000, key);
	ATT_CHECK_EQ_INT(verify(&k, rep, vek, NULL, 0, &ap, &res, &d), 0);
	ATT_CHECK_EQ_STR(res.product_source, "certificate");
	ATT_CHECK(!res.rep.has_cpuid && !res.rep.has_mit, "v2 fields");
	o2 = o;
	o2.product_name = NULL;
	vek2 = make_vek(&k, &o2, &key2);
	make_report(rep, &k, 2, tcb, chip, 0x30000, key2);
	EXPECT(&k, rep, vek2, NULL, 0, &ap, ATT_ERR_UNSUPPORTED,
	       "cannot tell the product");
	ap.product = ATT_SNP_MILAN;
	EXPECT(&k, rep, vek2, NULL, 0, &ap, 0, "");
	ap.product = ATT_SNP_PRODUCT_UNKNOWN;
	att_cert_free(vek2);
	att_pkey_free(key2);

	att_cert_free(vek);
	att_pkey_free(key);
	pki_free(&k);
}

static void test_turin(void)
{
	struct pki k;
	static uint8_t rep[ATT_SNP_REPORT_LEN];
	static struct att_snp_result res;
	struct att_diag d;
	struct att_snp_appraisal ap = {.max_vmpl = 0};
	struct att_pkey *key = NULL;
	if (pki_init(&k, ATT_SNP_TURIN, false) != 0) {
		ATT_CHECK(0, "Turin PKI");
		return;
	}
	struct vek_opts o = {.tcb = {.fmc = 1, .bl = 2, .tee = 3, .snp = 4,
				     .ucode = 9, .has_fmc = true},
			     .hwid_len = 8, .product_name = "Turin",
			     .key_kind = ATT_KEY_EC_P384};
	memcpy(o.hwid, chip, 8);
	uint64_t tcb = att_snp_tcb_encode(&o.tcb, ATT_SNP_TURIN);
	struct att_cert *vek = make_vek(&k, &o, &key);
	/* only the first 8 bytes of CHIP_ID name a Turin chip */
	static uint8_t chip_t[64];
	memcpy(chip_t, chip, 8);
	memset(chip_t + 8, 0xEE, 56);
	make_report(rep, &k, 3, tcb, chip_t, 0x30000, key);
	ATT_CHECK_EQ_INT(verify(&k, rep, vek, NULL, 0, &ap, &res, &d), 0);
	ATT_CHECK(res.product == ATT_SNP_TURIN && res.hwid_checked &&
		  res.vek_tcb.fmc == 1 && res.reported.fmc == 1 &&
		  res.reported.snp == 4, "Turin result (%s)", d.msg);
	/* fmcSPL differs */
	struct att_snp_tcb t2 = o.tcb;
	t2.fmc = 2;
	make_report(rep, &k, 3, att_snp_tcb_encode(&t2, ATT_SNP_TURIN), chip_t,
		    0x30000, key);
	EXPECT(&k, rep, vek, NULL, 0, &ap, ATT_ERR_MISMATCH,
	       "VCEK TCB fmcSPL 1 does not match REPORTED_TCB 2");
	/* a minimum TCB on fmcSPL */
	make_report(rep, &k, 3, tcb, chip_t, 0x30000, key);
	ap.has_min_tcb = true;
	ap.min_tcb = (struct att_snp_tcb){.fmc = 2, .has_fmc = true};
	EXPECT(&k, rep, vek, NULL, 0, &ap, ATT_ERR_TCB_OUT_OF_DATE,
	       "REPORTED_TCB fmcSPL 1 is below the minimum 2");
	att_cert_free(vek);
	att_pkey_free(key);
	pki_free(&k);
}

static void test_vlek(void)
{
	struct pki k;
	static uint8_t rep[ATT_SNP_REPORT_LEN];
	static struct att_snp_result res;
	static const uint8_t zero[64];
	struct att_diag d;
	struct att_snp_appraisal ap = {.max_vmpl = 0};
	struct att_pkey *key = NULL;
	if (pki_init(&k, ATT_SNP_MILAN, true) != 0) {
		ATT_CHECK(0, "VLEK PKI");
		return;
	}
	struct vek_opts o = {.tcb = {.bl = 4, .snp = 24, .ucode = 217},
			     .product_name = "Milan-B0",
			     .key_kind = ATT_KEY_EC_P384};
	struct att_cert *vek = make_vek(&k, &o, &key);
	make_report(rep, &k, 3, att_snp_tcb_encode(&o.tcb, ATT_SNP_MILAN),
		    zero, 0x30000, key);
	ATT_CHECK_EQ_INT(verify(&k, rep, vek, NULL, 0, &ap, &res, &d), 0);
	ATT_CHECK(res.signer == ATT_SNP_KEY_VLEK && !res.hwid_checked,
		  "VLEK result (%s)", d.msg);
	struct att_x509_crl *crl = crl_make(k.ark, k.ark_key, T0 - 86400,
					    T0 + 86400, ask_serial,
					    sizeof(ask_serial));
	EXPECT(&k, rep, vek, &crl, 1, &ap, ATT_ERR_REVOKED,
	       "ASVK (SEV-VLEK-Milan) is revoked");
	att_x509_crl_free(crl);
	att_cert_free(vek);
	att_pkey_free(key);
	pki_free(&k);
}

/* Under an RSA ARK every certificate must be signed with RSASSA-PSS
 * SHA-384, as AMD signs them: PKCS#1 v1.5 SHA-256 signatures that verify
 * are still refused, naming the certificate and the algorithm. */
static void test_rsa_algs(void)
{
	struct pki k;
	static uint8_t rep[ATT_SNP_REPORT_LEN];
	struct att_pkey *key = NULL;
	struct att_cert *vek;
	struct att_snp_appraisal ap = {.max_vmpl = 0};
	struct vek_opts o = {.tcb = {.bl = 3, .snp = 10, .ucode = 0xD9},
			     .hwid_len = 64, .product_name = "Milan-B0",
			     .key_kind = ATT_KEY_EC_P384};
	memcpy(o.hwid, chip, 64);
	uint64_t tcb = att_snp_tcb_encode(&o.tcb, ATT_SNP_MILAN);
	g_ca_kind = ATT_KEY_RSA2048;
	for (int pss = 0; pss < 2; pss++) {
		g_sig = pss ? ATT_CERT_SIG_RSA_PSS_SHA384 : ATT_CERT_SIG_DEFAULT;
		if (pki_init(&k, ATT_SNP_MILAN, false) != 0) {
			ATT_CHECK(0, "RSA Milan PKI");
			break;
		}
		vek = make_vek(&k, &o, &key);
		make_report(rep, &k, 2, tcb, chip, 0x30000, key);
		if (pss) {
			struct att_snp_result res;
			struct att_diag d;
			ATT_CHECK_EQ_INT(verify(&k, rep, vek, NULL, 0, &ap, &res,
						&d), 0);
		} else {
			EXPECT(&k, rep, vek, NULL, 0, &ap, ATT_ERR_ALG,
			       "VCEK is signed with sha256WithRSAEncryption; "
			       "AMD signs with RSASSA-PSS SHA-384");
		}
		att_cert_free(vek);
		att_pkey_free(key);
		key = NULL;
		pki_free(&k);
	}
	g_ca_kind = ATT_KEY_EC_P384;
	g_sig = ATT_CERT_SIG_DEFAULT;
}

int main(void)
{
	test_milan();
	test_turin();
	test_vlek();
	test_rsa_algs();
	return att_test_done();
}
