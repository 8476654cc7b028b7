/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP simulator against attestd's SNP parser and verifier, at a
 * fixed time with fresh simulated PKIs (RSA-2048 ARK/ASK/ASVK to keep key
 * generation short; the CLI makes AMD's RSA-4096): for every product and
 * report versions 2, 3 and 5, VCEK- and VLEK-signed reports parse and
 * verify against the simulator's pinned ARK; the certificate table
 * parses back; and every failure the simulator can stage is refused with
 * the expected ATT_ERR_* and a message naming the step: report signature,
 * VEK not signed by the ASK, ASK not signed by the ARK, a wrong ARK, TCB
 * extensions against REPORTED_TCB, hwID against CHIP_ID, CRL revocation,
 * an expired VCEK, a debug policy, VMPL above the maximum, a VLEK report
 * with a VCEK supplied; every prefix of a report is refused, and 2000
 * random mutations of the signed region never verify.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/buf.h"
#include "crypto/cert.h"
#include "crypto/x509.h"
#include "evidence/snp/snp.h"
#include "harness/tap.h"
#include "sim/snp_sim.h"

#define DAY 86400
#define YEAR (365 * DAY)
static const int64_t T = 1751328000; /* 2025-07-01T00:00:00Z */

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rm_rf(const char *p)
{
	if (p[0])
		nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* One simulator directory with its files loaded. */
struct sim {
	char dir[64];
	enum att_snp_product p;
	struct att_cert *ark, *ask, *asvk, *vcek, *vlek;
	struct att_x509_crl *crl, *crl_revoked;
	struct att_snp_trust *trust;
};

static struct att_cert *load_cert(const char *dir, const char *name)
{
	char path[256];
	size_t n = 0;
	struct att_cert *c = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unsigned char *b = att_read_file(path, &n);
	int r = !b ? ATT_ERR_IO
		: strstr((char *)b, "-----BEGIN")
		    ? att_cert_from_pem(&c, (char *)b, n)
		    : att_cert_from_der(&c, b, n);
	ATT_CHECK(r == 0, "load %s: %d", path, r);
	free(b);
	return c;
}

static struct att_x509_crl *load_crl(const char *dir, const char *name)
{
	char path[256];
	size_t n = 0;
	struct att_x509_crl *c = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unsigned char *b = att_read_file(path, &n);
	int r = b ? att_x509_crl_from_der(&c, b, n) : ATT_ERR_IO;
	ATT_CHECK(r == 0, "load %s: %d", path, r);
	free(b);
	return c;
}

static int sim_open(struct sim *s, enum att_snp_product p)
{
	struct att_snpsim_init_opts o;
	struct att_diag d;
	char path[256];
	size_t n = 0;
	memset(s, 0, sizeof(*s));
	s->p = p;
	snprintf(s->dir, sizeof(s->dir), "/tmp/att_snp_sim_XXXXXX");
	if (!mkdtemp(s->dir)) {
		s->dir[0] = 0;
		return ATT_ERR_IO;
	}
	att_snpsim_init_opts_init(&o);
	o.now = T;
	o.rsa2048 = true;
	o.force = true; /* mkdtemp made DIR; no manifest in it yet */
	att_diag_clear(&d);
	int r = att_snpsim_init(s->dir, p, &o, &d);
	ATT_CHECK(r == 0, "init %s: %s", s->dir, att_diag_msg(&d));
	if (r)
		return r;
	s->ark = load_cert(s->dir, ATT_SNPSIM_F_ARK_PEM);
	s->ask = load_cert(s->dir, ATT_SNPSIM_F_ASK_PEM);
	s->asvk = load_cert(s->dir, ATT_SNPSIM_F_ASVK_PEM);
	s->vcek = load_cert(s->dir, ATT_SNPSIM_F_VCEK);
	s->vlek = load_cert(s->dir, ATT_SNPSIM_F_VLEK);
	s->crl = load_crl(s->dir, ATT_SNPSIM_F_CRL);
	s->crl_revoked = load_crl(s->dir, ATT_SNPSIM_F_CRL_REVOKED);
	snprintf(path, sizeof(path), "%s/%s", s->dir, ATT_SNPSIM_F_ARK_PEM);
	unsigned char *ark = att_read_file(path, &n);
	r = att_snp_trust_new_empty(&s->trust);
	if (!r && ark)
		r = att_snp_trust_add_ark(s->trust, p, ark, n, &d);
	ATT_CHECK(r == 0 && ark, "trust: %s", att_diag_msg(&d));
	free(ark);
	return s->ark && s->ask && s->asvk && s->vcek && s->vlek && s->crl &&
		       s->crl_revoked && !r
		   ? 0
		   : ATT_ERR_IO;
}

static void sim_close(struct sim *s)
{
	att_cert_free(s->ark);
	att_cert_free(s->ask);
	att_cert_free(s->asvk);
	att_cert_free(s->vcek);
	att_cert_free(s->vlek);
	att_x509_crl_free(s->crl);
	att_x509_crl_free(s->crl_revoked);
	att_snp_trust_free(s->trust);
	rm_rf(s->dir);
}

static int make_report(const struct sim *s,
		       const struct att_snpsim_report_opts *o,
		       uint8_t rep[ATT_SNP_REPORT_LEN])
{
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_snpsim_report(s->dir, o, rep, &d);
	ATT_CHECK(r == 0, "report: %s", att_diag_msg(&d));
	return r;
}

/* What a verification is given; unset fields default to s's. */
struct vin {
	const struct att_cert *vek;
	struct att_cert *chain[2];
	size_t n_chain;
	struct att_x509_crl *crls[1];
	size_t n_crls;
	const struct att_snp_trust *trust;
	struct att_snp_appraisal ap;
	int64_t at;
};

static void vin_init(struct vin *v, const struct sim *s, bool vlek)
{
	memset(v, 0, sizeof(*v));
	v->vek = vlek ? s->vlek : s->vcek;
	v->chain[0] = vlek ? s->asvk : s->ask;
	v->chain[1] = s->ark;
	v->n_chain = 2;
	v->crls[0] = s->crl;
	v->n_crls = 1;
	v->trust = s->trust;
	v->at = T;
}

struct vout {
	int rc;
	struct att_snp_result res;
	struct att_diag d;
};

static struct vout *verify(const uint8_t *rep, size_t len, const struct vin *v)
{
	static struct vout o;
	struct att_snp_certs c = {.vek = v->vek,
				  .chain = v->chain,
				  .n_chain = v->n_chain,
				  .crls = v->crls,
				  .n_crls = v->n_crls};
	att_diag_clear(&o.d);
	o.rc = att_snp_verify(&o.res, rep, len, &c, v->trust, &v->ap, v->at,
			      &o.d);
	return &o;
}

/* expect_fail: the code and a piece of the message naming the step. */
#define EXPECT_FAIL(o, code, piece)                                            \
	do {                                                                   \
		ATT_CHECK_EQ_INT((o)->rc, code);                               \
		ATT_CHECK(strstr((o)->d.msg, piece) != NULL,                   \
			  "message \"%s\" lacks \"%s\"", (o)->d.msg, piece);   \
	} while (0)

static const uint8_t want_cpuid[ATT_SNP_PRODUCT_COUNT][3] = {
    [ATT_SNP_MILAN] = {0x19, 0x01, 0x01},
    [ATT_SNP_GENOA] = {0x19, 0x11, 0x01},
    [ATT_SNP_TURIN] = {0x1A, 0x02, 0x01},
};

/* ---- the good path ---- */

static void test_good(const struct sim *s, uint32_t version, bool vlek)
{
	struct att_snpsim_report_opts o;
	struct att_snp_report rep;
	struct att_diag d;
	uint8_t b[ATT_SNP_REPORT_LEN];
	struct vin v;
	att_snpsim_report_opts_init(&o);
	o.version = version;
	o.vlek = vlek;
	for (size_t i = 0; i < 64; i++)
		o.report_data[i] = (uint8_t)(i + version);
	memset(o.host_data, 0xAB, sizeof(o.host_data));
	if (make_report(s, &o, b))
		return;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_snp_report_parse(&rep, b, sizeof(b), &d), 0);
	ATT_CHECK_EQ_INT(rep.version, version);
	ATT_CHECK_EQ_INT(rep.policy, 0x30000);
	ATT_CHECK_EQ_INT(rep.sig_algo, 1);
	ATT_CHECK_EQ_INT(ATT_SNP_SIGNER_KEY(rep.signer_info),
			 vlek ? ATT_SNP_KEY_VLEK : ATT_SNP_KEY_VCEK);
	ATT_CHECK(!memcmp(rep.report_data, o.report_data, 64), "REPORT_DATA");
	ATT_CHECK(!memcmp(rep.host_data, o.host_data, 32), "HOST_DATA");
	ATT_CHECK(!memcmp(rep.measurement, o.measurement, 48), "MEASUREMENT");
	ATT_CHECK(rep.has_cpuid == (version >= 3), "CPUID from v3");
	if (version >= 3)
		ATT_CHECK(rep.cpuid_fam_id == want_cpuid[s->p][0] &&
			      rep.cpuid_mod_id == want_cpuid[s->p][1] &&
			      rep.cpuid_step == want_cpuid[s->p][2],
			  "CPUID of %s", att_snp_product_name(s->p));
	ATT_CHECK(rep.has_mit == (version >= 5), "mitigation vectors v5");
	ATT_CHECK(!rep.sig_hi_nonzero, "high signature bytes zero");
	uint8_t zero[64] = {0};
	ATT_CHECK(vlek == !memcmp(rep.chip_id, zero, 64),
		  "CHIP_ID zero exactly when VLEK-signed");

	vin_init(&v, s, vlek);
	struct vout *r = verify(b, sizeof(b), &v);
	ATT_CHECK(r->rc == 0, "%s v%u %s: %s", att_snp_product_name(s->p),
		  (unsigned)version, vlek ? "VLEK" : "VCEK",
		  att_diag_msg(&r->d));
	if (r->rc)
		return;
	ATT_CHECK_EQ_INT(r->res.product, s->p);
	ATT_CHECK_EQ_INT(r->res.signer,
			 vlek ? ATT_SNP_KEY_VLEK : ATT_SNP_KEY_VCEK);
	ATT_CHECK(r->res.hwid_checked == !vlek, "hwID checked for a VCEK");
	ATT_CHECK(r->res.crl_checked, "CRL of the ARK applied");
	struct att_snp_tcb def;
	att_snpsim_default_tcb(&def, s->p);
	ATT_CHECK(r->res.vek_tcb.bl == 3 && r->res.vek_tcb.snp == 8 &&
		      r->res.vek_tcb.ucode == 115 &&
		      r->res.reported.raw == def.raw,
		  "default TCB in certificate and report");
	if (s->p == ATT_SNP_TURIN)
		ATT_CHECK(r->res.vek_tcb.has_fmc && r->res.vek_tcb.fmc == 1,
			  "Turin fmcSPL");
	/* without the ARK in the chain (KDS order, ASK only) */
	v.n_chain = 1;
	r = verify(b, sizeof(b), &v);
	ATT_CHECK(r->rc == 0, "ASK only: %s", att_diag_msg(&r->d));
}

/* ---- certificate table ---- */

static void test_certtable(const struct sim *s, bool vlek, bool be)
{
	struct att_buf t;
	struct att_diag d;
	struct att_snp_cert_table tab;
	att_buf_init(&t, ATT_SNP_MAX_CERT_TABLE_LEN);
	att_diag_clear(&d);
	int r = att_snpsim_certtable(s->dir, vlek, be, NULL, &t, &d);
	ATT_CHECK(r == 0, "certtable: %s", att_diag_msg(&d));
	r = r ? r : att_snp_certtable_parse(&tab, t.data, t.len, &d);
	ATT_CHECK(r == 0, "certtable parse: %s", att_diag_msg(&d));
	if (!r) {
		ATT_CHECK_EQ_INT(tab.n, 3);
		ATT_CHECK_EQ_INT(tab.e[0].kind,
				 vlek ? ATT_SNP_CERT_VLEK : ATT_SNP_CERT_VCEK);
		ATT_CHECK_EQ_INT(tab.e[1].kind, ATT_SNP_CERT_ASK);
		ATT_CHECK_EQ_INT(tab.e[2].kind, ATT_SNP_CERT_ARK);
		const struct att_cert *want[3] = {vlek ? s->vlek : s->vcek,
						  vlek ? s->asvk : s->ask,
						  s->ark};
		for (size_t i = 0; i < 3 && i < tab.n; i++) {
			struct att_cert *c = NULL;
			ATT_CHECK_EQ_INT(tab.e[i].guid_big_endian, be);
			ATT_CHECK(!tab.e[i].pem, "DER body");
			ATT_CHECK_EQ_INT(att_cert_from_der(&c, tab.e[i].body,
							   tab.e[i].body_len),
					 0);
			ATT_CHECK(c && att_cert_equal(c, want[i]),
				  "entry %zu is the file's certificate", i);
			att_cert_free(c);
		}
		/* the terminator: 24 zero bytes after the entries */
		uint8_t z[24] = {0};
		ATT_CHECK(t.len > 96 && !memcmp(t.data + 72, z, 24),
			  "zero entry");
	}
	att_buf_release(&t);
}

/* ---- staged failures ---- */

static void test_tamper(const struct sim *s, const struct sim *other)
{
	struct att_snpsim_report_opts o;
	uint8_t b[ATT_SNP_REPORT_LEN];
	struct vin v;
	struct vout *r;
	struct att_diag d;

	att_snpsim_report_opts_init(&o);
	o.tamper_sig = true;
	if (make_report(s, &o, b))
		return;
	vin_init(&v, s, false);
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_SIG_INVALID, "report signature");

	att_snpsim_report_opts_init(&o);
	if (make_report(s, &o, b))
		return;
	/* VCEK of another chip, not signed by this ASK */
	vin_init(&v, s, false);
	v.vek = other->vcek;
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_SIG_INVALID, "VCEK is not signed by the ASK");
	/* ASK (and its VCEK) of another simulator: not by the pinned ARK */
	v.vek = other->vcek;
	v.chain[0] = other->ask;
	v.n_chain = 1;
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_SIG_INVALID, "ASK is not signed by the pinned");
	/* a supplied ARK other than the pinned one */
	vin_init(&v, s, false);
	v.chain[1] = other->ark;
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_CHAIN_INVALID, "not the pinned");
	/* the whole chain verified against another pinned ARK */
	vin_init(&v, s, false);
	v.n_chain = 1;
	v.trust = other->trust;
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_SIG_INVALID, "ASK is not signed by the pinned");

	/* revoked: the ARK's CRL lists the ASK (and the VEKs) */
	vin_init(&v, s, false);
	v.crls[0] = s->crl_revoked;
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_REVOKED, "revoked");
	vin_init(&v, s, true);
	v.crls[0] = s->crl_revoked;
	uint8_t bl[ATT_SNP_REPORT_LEN];
	o.vlek = true;
	if (!make_report(s, &o, bl)) {
		r = verify(bl, sizeof(bl), &v);
		EXPECT_FAIL(r, ATT_ERR_REVOKED, "ASVK");
		/* VLEK report with the VCEK supplied */
		vin_init(&v, s, true);
		v.vek = s->vcek;
		r = verify(bl, sizeof(bl), &v);
		EXPECT_FAIL(r, ATT_ERR_MISMATCH, "no VLEK supplied");
	}
	o.vlek = false;

	/* a VCEK of another TCB (snpSPL + 1) for the same key */
	struct att_snp_tcb t;
	att_snpsim_default_tcb(&t, s->p);
	t.snp++;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_snpsim_issue_vcek(s->dir, "vcek_tcb.der", &t, &d),
			 0);
	struct att_cert *vt = load_cert(s->dir, "vcek_tcb.der");
	vin_init(&v, s, false);
	v.vek = vt;
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_MISMATCH, "does not match REPORTED_TCB");
	/* ... which verifies a report that claims that TCB */
	struct att_snpsim_report_opts o2;
	uint8_t b2[ATT_SNP_REPORT_LEN];
	att_snpsim_report_opts_init(&o2);
	o2.has_tcb = true;
	o2.tcb = t;
	if (!make_report(s, &o2, b2)) {
		r = verify(b2, sizeof(b2), &v);
		ATT_CHECK(r->rc == 0, "re-issued VCEK: %s",
			  att_diag_msg(&r->d));
		/* and the original VCEK refuses it */
		v.vek = s->vcek;
		r = verify(b2, sizeof(b2), &v);
		EXPECT_FAIL(r, ATT_ERR_MISMATCH, "REPORTED_TCB");
	}
	att_cert_free(vt);

	/* REPORTED_TCB lower than the current TCB: matched against it */
	att_snpsim_report_opts_init(&o2);
	o2.has_reported_tcb = true;
	att_snpsim_default_tcb(&o2.reported_tcb, s->p);
	o2.reported_tcb.ucode = 100;
	if (!make_report(s, &o2, b2)) {
		vin_init(&v, s, false);
		r = verify(b2, sizeof(b2), &v);
		EXPECT_FAIL(r, ATT_ERR_MISMATCH, "ucodeSPL");
	}

	/* hwID of another chip */
	struct att_snpsim_vek_opts vo = {.file = "vcek_hwid.der",
					 .wrong_hwid = true};
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_snpsim_issue_vek(s->dir, &vo, &d), 0);
	struct att_cert *vh = load_cert(s->dir, "vcek_hwid.der");
	vin_init(&v, s, false);
	v.vek = vh;
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_MISMATCH, "hwID does not match");
	att_cert_free(vh);
	/* masked CHIP_ID with a VCEK */
	att_snpsim_report_opts_init(&o2);
	o2.mask_chip_id = true;
	if (!make_report(s, &o2, b2)) {
		vin_init(&v, s, false);
		r = verify(b2, sizeof(b2), &v);
		EXPECT_FAIL(r, ATT_ERR_MISMATCH, "CHIP_ID is masked");
	}

	/* an expired VCEK */
	struct att_snpsim_vek_opts ve = {.file = "vcek_expired.der",
					 .not_before = T - 2 * YEAR,
					 .not_after = T - DAY};
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_snpsim_issue_vek(s->dir, &ve, &d), 0);
	struct att_cert *vx = load_cert(s->dir, "vcek_expired.der");
	vin_init(&v, s, false);
	v.vek = vx;
	r = verify(b, sizeof(b), &v);
	EXPECT_FAIL(r, ATT_ERR_EXPIRED, "VCEK expired");
	att_cert_free(vx);
	/* the good VCEK verified long after its validity */
	vin_init(&v, s, false);
	v.at = T + 8 * YEAR;
	r = verify(b, sizeof(b), &v);
	ATT_CHECK_EQ_INT(r->rc, ATT_ERR_EXPIRED);

	/* debug policy: refused unless allowed */
	att_snpsim_report_opts_init(&o2);
	o2.policy |= ATT_SNP_POLICY_DEBUG;
	if (!make_report(s, &o2, b2)) {
		vin_init(&v, s, false);
		r = verify(b2, sizeof(b2), &v);
		EXPECT_FAIL(r, ATT_ERR_POLICY_DENY, "debug");
		v.ap.allow_debug = true;
		r = verify(b2, sizeof(b2), &v);
		ATT_CHECK(r->rc == 0, "debug allowed: %s",
			  att_diag_msg(&r->d));
	}
	/* VMPL above the maximum */
	att_snpsim_report_opts_init(&o2);
	o2.vmpl = 2;
	if (!make_report(s, &o2, b2)) {
		vin_init(&v, s, false);
		v.ap.max_vmpl = 1;
		r = verify(b2, sizeof(b2), &v);
		EXPECT_FAIL(r, ATT_ERR_POLICY_DENY, "VMPL 2");
		v.ap.max_vmpl = 2;
		r = verify(b2, sizeof(b2), &v);
		ATT_CHECK(r->rc == 0, "VMPL 2 allowed: %s",
			  att_diag_msg(&r->d));
	}
}

/* ---- truncation and mutation ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_prefixes_mutations(const struct sim *s)
{
	struct att_snpsim_report_opts o;
	struct att_snp_report rep;
	uint8_t b[ATT_SNP_REPORT_LEN + 1], m[ATT_SNP_REPORT_LEN];
	struct vin v;
	att_snpsim_report_opts_init(&o);
	if (make_report(s, &o, b))
		return;
	vin_init(&v, s, false);
	size_t bad_prefix = 0;
	for (size_t k = 0; k < ATT_SNP_REPORT_LEN; k++) {
		int pr = att_snp_report_parse(&rep, b, k, NULL);
		struct vout *r = verify(b, k, &v);
		if (pr != ATT_ERR_TRUNCATED || r->rc == 0)
			bad_prefix++;
	}
	ATT_CHECK_EQ_INT(bad_prefix, 0);
	b[ATT_SNP_REPORT_LEN] = 0;
	ATT_CHECK_EQ_INT(att_snp_report_parse(&rep, b, sizeof(b), NULL),
			 ATT_ERR_TRAILING);

	size_t accepted = 0;
	for (int i = 0; i < 2000; i++) {
		memcpy(m, b, ATT_SNP_REPORT_LEN);
		size_t off = (size_t)(next_rand() % ATT_SNP_SIGNED_LEN);
		m[off] ^= (uint8_t)(1u << (next_rand() % 8));
		if (verify(m, sizeof(m), &v)->rc == 0)
			accepted++;
	}
	ATT_CHECK_EQ_INT(accepted, 0);
	/* the signature fields too: any change of r or s is refused */
	accepted = 0;
	for (int i = 0; i < 200; i++) {
		memcpy(m, b, ATT_SNP_REPORT_LEN);
		size_t off = ATT_SNP_OFF_SIG_R + (size_t)(next_rand() % 144);
		m[off] ^= (uint8_t)(1u << (next_rand() % 8));
		if (verify(m, sizeof(m), &v)->rc == 0)
			accepted++;
	}
	ATT_CHECK_EQ_INT(accepted, 0);
}

/* ---- files ---- */

static void test_files(const struct sim *s)
{
	static const char *const keys[] = {"ark.key", "ask.key", "asvk.key",
					   "vcek.key", "vlek.key"};
	struct stat st;
	char p[256];
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", s->dir, keys[i]);
		ATT_CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600,
			  "%s is 0600", keys[i]);
	}
	/* cert_chain.pem: ASK then ARK, as KDS serves it */
	struct att_cert *a = load_cert(s->dir, ATT_SNPSIM_F_CHAIN);
	ATT_CHECK(a && att_cert_equal(a, s->ask), "chain starts with the ASK");
	att_cert_free(a);
	a = load_cert(s->dir, ATT_SNPSIM_F_VLEK_CHAIN);
	ATT_CHECK(a && att_cert_equal(a, s->asvk), "VLEK chain: ASVK first");
	att_cert_free(a);
	snprintf(p, sizeof(p), "%s/%s", s->dir, ATT_SNPSIM_F_CHAIN);
	size_t n = 0;
	char *txt = (char *)att_read_file(p, &n);
	ATT_CHECK(txt && strstr(txt, "END CERTIFICATE") &&
		      strstr(strstr(txt, "END CERTIFICATE") + 1,
			     "END CERTIFICATE"),
		  "two certificates");
	free(txt);
	/* the manifest names the product and chip ID */
	enum att_snp_product p2 = ATT_SNP_PRODUCT_UNKNOWN;
	uint8_t chip[64];
	struct att_diag d;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_snpsim_product(s->dir, &p2, chip, &d), 0);
	ATT_CHECK_EQ_INT(p2, s->p);
	/* init refuses to overwrite without force */
	struct att_snpsim_init_opts o;
	att_snpsim_init_opts_init(&o);
	o.rsa2048 = true;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_snpsim_init(s->dir, s->p, &o, &d),
			 ATT_ERR_EXISTS);
	/* bad report options */
	struct att_snpsim_report_opts ro;
	uint8_t b[ATT_SNP_REPORT_LEN];
	att_snpsim_report_opts_init(&ro);
	ro.version = 4;
	ATT_CHECK_EQ_INT(att_snpsim_report(s->dir, &ro, b, NULL),
			 ATT_ERR_INVALID_ARG);
	ro.version = 5;
	ro.vmpl = 4;
	ATT_CHECK_EQ_INT(att_snpsim_report(s->dir, &ro, b, NULL),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_snpsim_report("/nonexistent-snp", NULL, b, NULL),
			 ATT_ERR_NOT_FOUND);
}

int main(void)
{
	static const enum att_snp_product prods[] = {
	    ATT_SNP_MILAN, ATT_SNP_GENOA, ATT_SNP_TURIN};
	static const uint32_t versions[] = {2, 3, 5};
	struct sim other;
	if (sim_open(&other, ATT_SNP_MILAN)) {
		sim_close(&other);
		return att_test_done();
	}
	for (size_t i = 0; i < 3; i++) {
		struct sim s;
		if (sim_open(&s, prods[i]) == 0) {
			for (size_t k = 0; k < 3; k++) {
				test_good(&s, versions[k], false);
				test_good(&s, versions[k], true);
			}
			test_certtable(&s, false, false);
			test_certtable(&s, true, false);
			test_certtable(&s, false, true);
			test_files(&s);
			if (prods[i] == ATT_SNP_MILAN)
				test_tamper(&s, &other);
			if (prods[i] == ATT_SNP_TURIN)
				test_prefixes_mutations(&s);
		}
		sim_close(&s);
	}
	/* the Milan tampering set once more against a Genoa simulator */
	struct sim g, og;
	memset(&og, 0, sizeof(og));
	if (sim_open(&g, ATT_SNP_GENOA) == 0 &&
	    sim_open(&og, ATT_SNP_GENOA) == 0)
		test_tamper(&g, &og);
	sim_close(&g);
	sim_close(&og);
	sim_close(&other);
	return att_test_done();
}
