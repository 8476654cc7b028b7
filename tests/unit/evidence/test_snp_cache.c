/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP verification cache (src/evidence/snp/cache.h). Differential
 * on the real vectors of tests/vectors/sevsnp/cases.json: without a cache,
 * cold and warm, every case (and its report with bytes flipped, and its
 * time moved outside the windows) gives the same code, message and
 * result. On a test PKI built here: a warm hit skips nothing that belongs
 * to the report (a report with a bad signature, another chip, another
 * TCB, debug, a required CRL are refused on a warm cache); a time outside
 * the VEK's window or a CRL's misses and is refused; a revoking CRL that
 * arrives later is honoured (the CRL-identity rule); another pinned ARK
 * is not fooled by a cached chain; eviction; the parsed-PEM cache; and
 * threads sharing one small cache (run under ASan).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/timeutil.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "evidence/snp/cache.h"
#include "evidence/snp/snp.h"
#include "harness/tap.h"
#include "snp_vectors.h"

#define T0 1735689600 /* 2025-01-01 */
#define DAY 86400
#define YEAR (365 * DAY)

/* ---- comparing results ---- */

static bool tcb_eq(const struct att_snp_tcb *a, const struct att_snp_tcb *b)
{
	return a->raw == b->raw && a->fmc == b->fmc && a->bl == b->bl &&
	       a->tee == b->tee && a->snp == b->snp && a->ucode == b->ucode &&
	       a->has_fmc == b->has_fmc;
}

static bool result_eq(const struct att_snp_result *a,
		      const struct att_snp_result *b)
{
	return memcmp(a->rep.raw, b->rep.raw, sizeof(a->rep.raw)) == 0 &&
	       a->product == b->product && a->signer == b->signer &&
	       tcb_eq(&a->current, &b->current) &&
	       tcb_eq(&a->reported, &b->reported) &&
	       tcb_eq(&a->committed, &b->committed) &&
	       tcb_eq(&a->launch, &b->launch) &&
	       tcb_eq(&a->vek_tcb, &b->vek_tcb) &&
	       strcmp(a->product_source, b->product_source) == 0 &&
	       a->hwid_checked == b->hwid_checked &&
	       a->crl_checked == b->crl_checked &&
	       a->vek_not_before == b->vek_not_before &&
	       a->vek_not_after == b->vek_not_after;
}

/* One verification with and without cache c must agree (code, message,
 * result). Returns the code. */
static int same(struct att_snp_cache *c, const uint8_t *rep,
		const struct att_snp_certs *certs,
		const struct att_snp_trust *t,
		const struct att_snp_appraisal *ap, int64_t at, const char *what)
{
	static struct att_snp_result r0, r1;
	struct att_diag d0, d1;
	att_diag_clear(&d0);
	att_diag_clear(&d1);
	int rc0 = att_snp_verify(&r0, rep, ATT_SNP_REPORT_LEN, certs, t, ap,
				 at, &d0);
	int rc1 = att_snp_verify_cached(c, &r1, rep, ATT_SNP_REPORT_LEN, certs,
					t, ap, at, &d1);
	ATT_CHECK(rc0 == rc1 && strcmp(d0.msg, d1.msg) == 0,
		  "%s: uncached %d \"%s\", cached %d \"%s\"", what, rc0,
		  d0.msg, rc1, d1.msg);
	if (rc0 == 0 && rc1 == 0)
		ATT_CHECK(result_eq(&r0, &r1), "%s: same result", what);
	return rc1;
}

/* ---- the real vectors ---- */

static void test_vectors(void)
{
	json_t *cases = snpv_cases();
	struct att_snp_trust *amd = NULL;
	struct att_snp_cache *c = NULL;
	struct att_snp_cache_stats st;
	size_t i;
	json_t *cs;
	char what[128];
	ATT_CHECK(json_array_size(cases) >= 6, "cases.json loads");
	ATT_CHECK_EQ_INT(att_snp_trust_new_amd(&amd), 0);
	ATT_CHECK_EQ_INT(att_snp_cache_new(&c, 0), 0);
	json_array_foreach(cases, i, cs) {
		static uint8_t rep[ATT_SNP_REPORT_LEN], bad[ATT_SNP_REPORT_LEN];
		struct att_cert **vek = NULL, **chain = NULL;
		size_t n_vek = 0, n_chain = 0;
		int64_t at = 0, nb, na;
		const char *id = snpv_str(cs, "id");
		if (snpv_load_report(snpv_str(cs, "report"), rep) != 0 ||
		    snpv_load_certs(snpv_str(cs, "vek_cert"), &vek, &n_vek) ||
		    snpv_load_certs(snpv_str(cs, "ask_ark_chain"), &chain,
				    &n_chain) ||
		    att_time_parse(&at, snpv_str(cs, "verify_at")) != 0) {
			ATT_CHECK(0, "%s: vectors load", id);
			att_cert_chain_free(vek, n_vek);
			att_cert_chain_free(chain, n_chain);
			continue;
		}
		struct att_snp_certs certs = {vek[0], chain, n_chain, NULL, 0};
		struct att_snp_appraisal ap = {.max_vmpl = 3,
					       .allow_debug = true};
		bool valid = strcmp(snpv_str(cs, "expected"), "VALID") == 0;
		snprintf(what, sizeof(what), "%s cold", id);
		int rc = same(c, rep, &certs, amd, &ap, at, what);
		ATT_CHECK(valid ? rc == 0 : rc != 0, "%s: verdict %d", id, rc);
		snprintf(what, sizeof(what), "%s warm", id);
		same(c, rep, &certs, amd, &ap, at, what);
		/* bytes flipped in the signed region, r and s, on a warm
		 * cache */
		for (size_t off = 0; off < ATT_SNP_REPORT_LEN; off += 37) {
			memcpy(bad, rep, sizeof(bad));
			bad[off] ^= 0x01;
			snprintf(what, sizeof(what), "%s flip %zu", id, off);
			int rb = same(c, bad, &certs, amd, &ap, at, what);
			if (off < ATT_SNP_SIGNED_LEN + 96 && rc == 0)
				ATT_CHECK(rb != 0, "%s refused", what);
		}
		/* outside the VCEK's window, after a warm hit */
		if (att_x509_validity(vek[0], &nb, &na) == 0) {
			snprintf(what, sizeof(what), "%s before", id);
			same(c, rep, &certs, amd, &ap, nb - 1, what);
			snprintf(what, sizeof(what), "%s after", id);
			int ra = same(c, rep, &certs, amd, &ap, na + 1, what);
			ATT_CHECK(ra == ATT_ERR_EXPIRED || rc != 0,
				  "%s: expired (%d)", what, ra);
		}
		att_cert_chain_free(vek, n_vek);
		att_cert_chain_free(chain, n_chain);
	}
	att_snp_cache_stats(c, &st);
	ATT_CHECK(st.hits > 0 && st.misses > 0 && st.entries > 0,
		  "vectors: hits %llu misses %llu entries %zu",
		  (unsigned long long)st.hits, (unsigned long long)st.misses,
		  st.entries);
	att_snp_cache_free(c);
	att_snp_trust_free(amd);
	json_decref(cases);
}

/* ---- a test PKI ---- */

struct pki {
	struct att_pkey *ark_key, *ask_key, *vek_key;
	struct att_cert *ark, *ask, *vek;
	struct att_snp_trust *trust;
};

static const uint8_t ask_serial[] = {0x0A, 0x5C};
static const uint8_t vek_serial[] = {0x07};
static const uint8_t chip[64] = {0xC1, 0x1D, 0x00, 0x42, 5, 6, 7, 8, 9};
static const struct att_snp_tcb tcb0 = {.bl = 3, .snp = 10, .ucode = 0x44};

static struct att_cert *build(const char *cn, const struct att_cert *issuer,
			      struct att_pkey *signer, struct att_pkey *subj,
			      bool ca, const uint8_t *serial, size_t serial_len,
			      int64_t nb, int64_t na,
			      const struct att_cert_raw_ext *raw, size_t n_raw)
{
	struct att_cert_name_attr name[2] = {{"O", "Advanced Micro Devices"},
					     {"CN", cn}};
	struct att_cert_spec s = {
		.subject = name, .n_subject = 2, .issuer = issuer,
		.signing_key = signer, .subject_key = subj,
		.serial = serial, .serial_len = serial_len,
		.not_before = nb, .not_after = na,
		.basic_constraints = true, .ca = ca, .pathlen = -1,
		.key_usage = ca ? ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN
				: ATT_KU_DIGITAL_SIGNATURE,
		.ski = ATT_SKI_KEY_SHA1, .aki = true, .raw = raw,
		.n_raw = n_raw};
	struct att_cert *c = NULL;
	int rc = att_cert_build(&c, &s);
	ATT_CHECK(rc == 0, "build %s: %d", cn, rc);
	return c;
}

/* A Milan VCEK (TCB tcb0, hwID chip) valid T0 - 1 day .. T0 + 30 days. */
static int pki_init(struct pki *k)
{
	static const char *oids[4] = {"1.3.6.1.4.1.3704.1.3.1",
				      "1.3.6.1.4.1.3704.1.3.2",
				      "1.3.6.1.4.1.3704.1.3.3",
				      "1.3.6.1.4.1.3704.1.3.8"};
	const uint8_t vals[4] = {tcb0.bl, tcb0.tee, tcb0.snp, tcb0.ucode};
	uint8_t ints[4][4], *der = NULL;
	size_t len = 0;
	struct att_cert_raw_ext raw[5];
	memset(k, 0, sizeof(*k));
	if (att_pkey_generate(&k->ark_key, ATT_KEY_EC_P384) != 0 ||
	    att_pkey_generate(&k->ask_key, ATT_KEY_EC_P384) != 0 ||
	    att_pkey_generate(&k->vek_key, ATT_KEY_EC_P384) != 0)
		return -2;
	k->ark = build("ARK-Milan", NULL, k->ark_key, k->ark_key, true, NULL,
		       0, T0 - YEAR, T0 + 5 * YEAR, NULL, 0);
	k->ask = build("SEV-Milan", k->ark, k->ark_key, k->ask_key, true,
		       ask_serial, sizeof(ask_serial), T0 - YEAR,
		       T0 + 5 * YEAR, NULL, 0);
	for (size_t i = 0; i < 4; i++) {
		ints[i][0] = 0x02;
		ints[i][1] = 1;
		ints[i][2] = vals[i];
		raw[i] = (struct att_cert_raw_ext){oids[i], ints[i], 3, false,
						   false};
	}
	raw[4] = (struct att_cert_raw_ext){"1.3.6.1.4.1.3704.1.4", chip, 64,
					   false, false};
	k->vek = build("SEV-VCEK", k->ask, k->ask_key, k->vek_key, false,
		       vek_serial, sizeof(vek_serial), T0 - DAY, T0 + 30 * DAY,
		       raw, 5);
	if (!k->ark || !k->ask || !k->vek ||
	    att_cert_to_der(&der, &len, k->ark) != 0 ||
	    att_snp_trust_new_empty(&k->trust) != 0 ||
	    att_snp_trust_add_ark(k->trust, ATT_SNP_MILAN, der, len, NULL)) {
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
	att_cert_free(k->vek);
	att_pkey_free(k->ark_key);
	att_pkey_free(k->ask_key);
	att_pkey_free(k->vek_key);
	att_snp_trust_free(k->trust);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A version 3 Milan report signed with key. */
static void make_report(uint8_t *rep, const struct att_snp_tcb *t,
			const uint8_t *chip_id, uint64_t policy, uint8_t fill,
			struct att_pkey *key)
{
	struct att_buf sig;
	uint64_t raw = att_snp_tcb_encode(t, ATT_SNP_MILAN);
	memset(rep, 0, ATT_SNP_REPORT_LEN);
	put_le(rep, 3, 4);
	put_le(rep + ATT_SNP_OFF_POLICY, policy, 8);
	put_le(rep + ATT_SNP_OFF_SIG_ALGO, 1, 4);
	put_le(rep + ATT_SNP_OFF_CURRENT_TCB, raw, 8);
	put_le(rep + ATT_SNP_OFF_REPORTED_TCB, raw, 8);
	put_le(rep + ATT_SNP_OFF_COMMITTED_TCB, raw, 8);
	put_le(rep + ATT_SNP_OFF_LAUNCH_TCB, raw, 8);
	memcpy(rep + ATT_SNP_OFF_CHIP_ID, chip_id, 64);
	rep[ATT_SNP_OFF_CPUID_FAM] = 0x19;
	rep[ATT_SNP_OFF_CPUID_MOD] = 0x01;
	memset(rep + ATT_SNP_OFF_MEASUREMENT, fill, 48);
	att_buf_init(&sig, 512);
	int rc = att_pkey_sign(&sig, key, ATT_SIG_ES384, rep,
			       ATT_SNP_SIGNED_LEN);
	ATT_CHECK(rc == 0 && sig.len == 96, "report signed: %d", rc);
	for (size_t i = 0; rc == 0 && sig.len == 96 && i < 48; i++) {
		rep[ATT_SNP_OFF_SIG_R + i] = sig.data[47 - i];
		rep[ATT_SNP_OFF_SIG_S + i] = sig.data[95 - i];
	}
	att_buf_release(&sig);
}

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

/* Verifies with cache c; expects code and (non-empty) text. */
#define EXPECT(c, rep, certs, t, ap, at, code, text)                         \
	do {                                                                   \
		static struct att_snp_result r_;                               \
		struct att_diag d_;                                            \
		att_diag_clear(&d_);                                           \
		int rc_ = att_snp_verify_cached(c, &r_, rep,                   \
						ATT_SNP_REPORT_LEN, certs, t,  \
						ap, at, &d_);                  \
		ATT_CHECK(rc_ == (code), "line %d: rc %d (%s), want %d",       \
			  __LINE__, rc_, d_.msg, (int)(code));                 \
		ATT_CHECK(strstr(d_.msg, text) != NULL,                        \
			  "line %d: message \"%s\" lacks \"%s\"", __LINE__,    \
			  d_.msg, text);                                       \
	} while (0)

static uint64_t hits(struct att_snp_cache *c)
{
	struct att_snp_cache_stats st;
	att_snp_cache_stats(c, &st);
	return st.hits;
}

static void test_warm(struct pki *k)
{
	static uint8_t rep[ATT_SNP_REPORT_LEN], rep2[ATT_SNP_REPORT_LEN];
	static struct att_snp_result res;
	struct att_snp_appraisal ap = {.max_vmpl = 0};
	struct att_cert *chain[2] = {k->ask, k->ark};
	struct att_snp_certs certs = {k->vek, chain, 2, NULL, 0};
	struct att_snp_cache *c = NULL;
	struct att_pkey *other = NULL;
	struct att_diag d;
	ATT_CHECK_EQ_INT(att_snp_cache_new(&c, 0), 0);
	make_report(rep, &tcb0, chip, 0x30000, 0x4D, k->vek_key);

	/* cold, then warm: the same result, the second one a hit */
	ATT_CHECK_EQ_INT(same(c, rep, &certs, k->trust, &ap, T0, "cold"), 0);
	ATT_CHECK(hits(c) == 0, "first lookup misses");
	ATT_CHECK_EQ_INT(same(c, rep, &certs, k->trust, &ap, T0, "warm"), 0);
	ATT_CHECK(hits(c) == 1, "second lookup hits (%llu)",
		  (unsigned long long)hits(c));
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_snp_verify_cached(c, &res, rep, sizeof(rep),
					       &certs, k->trust, &ap, T0, &d),
			 0);
	ATT_CHECK(res.hwid_checked && res.product == ATT_SNP_MILAN &&
		  res.vek_tcb.snp == 10 && res.vek_not_after == T0 + 30 * DAY,
		  "warm result filled");

	/* the report's own checks on a warm cache */
	memcpy(rep2, rep, sizeof(rep2));
	rep2[ATT_SNP_OFF_REPORT_DATA] ^= 1; /* signature no longer covers it */
	EXPECT(c, rep2, &certs, k->trust, &ap, T0, ATT_ERR_SIG_INVALID,
	       "report signature does not verify with the VCEK");
	att_pkey_generate(&other, ATT_KEY_EC_P384);
	make_report(rep2, &tcb0, chip, 0x30000, 0x5E, other);
	EXPECT(c, rep2, &certs, k->trust, &ap, T0, ATT_ERR_SIG_INVALID,
	       "report signature does not verify with the VCEK");
	memcpy(rep2, rep, sizeof(rep2));
	rep2[ATT_SNP_OFF_SIG_S + 60] = 1; /* unused high bytes */
	EXPECT(c, rep2, &certs, k->trust, &ap, T0, ATT_ERR_SIG_INVALID,
	       "high bytes");
	static const uint8_t chip2[64] = {0xC1, 0x1D, 0x01};
	make_report(rep2, &tcb0, chip2, 0x30000, 0x4D, k->vek_key);
	EXPECT(c, rep2, &certs, k->trust, &ap, T0, ATT_ERR_MISMATCH,
	       "VCEK hwID does not match the report's CHIP_ID");
	struct att_snp_tcb t2 = tcb0;
	t2.snp = 11;
	make_report(rep2, &t2, chip, 0x30000, 0x4D, k->vek_key);
	EXPECT(c, rep2, &certs, k->trust, &ap, T0, ATT_ERR_MISMATCH,
	       "VCEK TCB snpSPL 10 does not match REPORTED_TCB 11");
	make_report(rep2, &tcb0, chip, 0x30000 | ATT_SNP_POLICY_DEBUG, 0x4D,
		    k->vek_key);
	EXPECT(c, rep2, &certs, k->trust, &ap, T0, ATT_ERR_POLICY_DENY,
	       "allows debugging");
	ap.has_min_tcb = true;
	ap.min_tcb = (struct att_snp_tcb){.snp = 12};
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_TCB_OUT_OF_DATE,
	       "REPORTED_TCB snpSPL 10 is below the minimum 12");
	ap.has_min_tcb = false;
	ap.require_crl = true;
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_NOT_FOUND,
	       "no CRL of the ARK for Milan was supplied");
	ap.require_crl = false;
	ATT_CHECK(hits(c) >= 8, "those were hits (%llu)",
		  (unsigned long long)hits(c));

	/* outside the VCEK's window (it ends before the ASK's): refused on
	 * a warm cache, and valid again inside */
	EXPECT(c, rep, &certs, k->trust, &ap, T0 + 31 * DAY, ATT_ERR_EXPIRED,
	       "VCEK expired at");
	EXPECT(c, rep, &certs, k->trust, &ap, T0 - 2 * DAY,
	       ATT_ERR_NOT_YET_VALID, "VCEK not valid before");
	EXPECT(c, rep, &certs, k->trust, &ap, T0 + 29 * DAY, 0, "");

	/* another pinned ARK for the same certificates: not the cached
	 * chain */
	struct pki k2;
	if (pki_init(&k2) == 0) {
		EXPECT(c, rep, &certs, k2.trust, &ap, T0, ATT_ERR_CHAIN_INVALID,
		       "ARK is not the pinned AMD root for Milan");
		struct att_snp_certs no_ark = {k->vek, chain, 1, NULL, 0};
		EXPECT(c, rep, &no_ark, k->trust, &ap, T0, 0, "");
		EXPECT(c, rep, &no_ark, k2.trust, &ap, T0, ATT_ERR_SIG_INVALID,
		       "ASK is not signed by the pinned ARK for Milan");
		/* VEK of another chain, same report */
		certs.vek = k2.vek;
		EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_SIG_INVALID,
		       "VCEK is not signed by the ASK");
		certs.vek = k->vek;
	}
	pki_free(&k2);
	att_pkey_free(other);
	att_snp_cache_free(c);
}

static void test_crl(struct pki *k)
{
	static uint8_t rep[ATT_SNP_REPORT_LEN];
	static struct att_snp_result res;
	struct att_snp_appraisal ap = {.max_vmpl = 0, .require_crl = true};
	struct att_cert *chain[2] = {k->ask, k->ark};
	struct att_snp_cache *c = NULL;
	struct att_diag d;
	struct att_x509_crl *ok = crl_make(k->ark, k->ark_key, T0 - DAY,
					   T0 + DAY, NULL, 0);
	struct att_x509_crl *rev_vek = crl_make(k->ark, k->ark_key, T0 - DAY,
						T0 + 2 * DAY, vek_serial,
						sizeof(vek_serial));
	struct att_x509_crl *rev_ask = crl_make(k->ark, k->ark_key, T0 - DAY,
						T0 + 2 * DAY, ask_serial,
						sizeof(ask_serial));
	struct att_x509_crl *by_ask = crl_make(k->ask, k->ask_key, T0 - DAY,
					       T0 + 2 * DAY, vek_serial,
					       sizeof(vek_serial));
	ATT_CHECK_EQ_INT(att_snp_cache_new(&c, 0), 0);
	make_report(rep, &tcb0, chip, 0x30000, 0x4D, k->vek_key);
	struct att_snp_certs certs = {k->vek, chain, 2, &ok, 1};
	ATT_CHECK_EQ_INT(same(c, rep, &certs, k->trust, &ap, T0, "crl cold"),
			 0);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_snp_verify_cached(c, &res, rep, sizeof(rep),
					       &certs, k->trust, &ap, T0, &d),
			 0);
	ATT_CHECK(res.crl_checked && hits(c) == 1, "CRL applied, warm hit");
	/* the CRL's window bounds the entry: after its nextUpdate the full
	 * check runs and refuses */
	EXPECT(c, rep, &certs, k->trust, &ap, T0 + DAY + 1, ATT_ERR_EXPIRED,
	       "CRL of the ARK for Milan expired at");
	/* a revoking CRL arriving later (a new object) is honoured on the
	 * warm cache */
	certs.crls = &rev_vek;
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_REVOKED,
	       "VCEK is revoked by the CRL of the ARK");
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_REVOKED,
	       "VCEK is revoked by the CRL of the ARK");
	certs.crls = &rev_ask;
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_REVOKED,
	       "ASK (SEV-Milan) is revoked by the CRL of the ARK");
	struct att_x509_crl *two[2] = {ok, by_ask};
	certs.crls = two;
	certs.n_crls = 2;
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_REVOKED,
	       "VCEK is revoked by the CRL of the ASK");
	/* the CRL list without the revoking one still verifies (its own
	 * entry) */
	certs.crls = &ok;
	certs.n_crls = 1;
	EXPECT(c, rep, &certs, k->trust, &ap, T0, 0, "");
	/* and without a CRL a required one is missing, hit or miss */
	certs.n_crls = 0;
	certs.crls = NULL;
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_NOT_FOUND,
	       "no CRL of the ARK");
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_NOT_FOUND,
	       "no CRL of the ARK");
	/* a CRL list promised but absent: refused, never cached */
	certs.n_crls = 1;
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_INVALID_ARG,
	       "CRL list missing");
	/* the cache holds its own references: the caller's go first */
	certs.crls = &rev_vek;
	att_x509_crl_free(ok);
	att_x509_crl_free(by_ask);
	att_x509_crl_free(rev_ask);
	EXPECT(c, rep, &certs, k->trust, &ap, T0, ATT_ERR_REVOKED,
	       "VCEK is revoked");
	att_x509_crl_free(rev_vek);
	/* clear drops everything */
	att_snp_cache_clear(c);
	struct att_snp_cache_stats st;
	att_snp_cache_stats(c, &st);
	ATT_CHECK(st.entries == 0, "cleared (%zu)", st.entries);
	att_snp_cache_free(c);
}

static void test_evict_and_pem(struct pki *k)
{
	static uint8_t rep[ATT_SNP_REPORT_LEN];
	struct att_snp_appraisal ap = {.max_vmpl = 0};
	struct att_cert *chain[2] = {k->ask, k->ark};
	struct att_snp_certs certs = {k->vek, chain, 2, NULL, 0};
	struct att_snp_cache *c = NULL;
	struct att_snp_cache_stats st;
	struct att_x509_crl *crls[3];
	ATT_CHECK_EQ_INT(att_snp_cache_new(&c, 2), 0);
	make_report(rep, &tcb0, chip, 0x30000, 0x4D, k->vek_key);
	for (int i = 0; i < 3; i++)
		crls[i] = crl_make(k->ark, k->ark_key, T0 - DAY, T0 + DAY,
				   NULL, 0);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 3; i++) {
			certs.crls = &crls[i];
			certs.n_crls = 1;
			EXPECT(c, rep, &certs, k->trust, &ap, T0, 0, "");
		}
	att_snp_cache_stats(c, &st);
	ATT_CHECK(st.entries == 2 && st.hits == 0 && st.misses == 6,
		  "LRU of 2 over 3 keys: %zu entries, %llu hits", st.entries,
		  (unsigned long long)st.hits);
	for (int i = 0; i < 3; i++)
		att_x509_crl_free(crls[i]);

	/* parsed PEM chains */
	char *p1 = NULL, *p2 = NULL, *pem = NULL;
	struct att_cert **a = NULL, **b = NULL;
	size_t na = 0, nb = 0;
	ATT_CHECK(att_cert_to_pem(&p1, k->vek) == 0 &&
		  att_cert_to_pem(&p2, k->ask) == 0, "PEM");
	size_t l1 = p1 ? strlen(p1) : 0, l2 = p2 ? strlen(p2) : 0;
	pem = malloc(l1 + l2 + 1);
	if (pem && p1 && p2) {
		memcpy(pem, p1, l1);
		memcpy(pem + l1, p2, l2 + 1);
		att_snp_cache_clear(c);
		ATT_CHECK_EQ_INT(att_snp_cache_chain_from_pem(c, &a, &na, pem,
							      l1 + l2),
				 0);
		ATT_CHECK_EQ_INT(att_snp_cache_chain_from_pem(c, &b, &nb, pem,
							      l1 + l2),
				 0);
		ATT_CHECK(na == 2 && nb == 2 && a != b &&
			  att_cert_equal(a[0], k->vek) &&
			  att_cert_equal(b[0], k->vek) &&
			  att_cert_equal(b[1], k->ask), "PEM chain cached");
		att_snp_cache_stats(c, &st);
		ATT_CHECK(st.pem_hits == 1 && st.pem_misses == 1,
			  "PEM: %llu hits", (unsigned long long)st.pem_hits);
		att_cert_chain_free(a, na);
		att_cert_chain_free(b, nb);
		/* a broken text: the same error as without the cache, twice */
		pem[l1 + 40] ^= 0x20;
		int r0 = att_cert_chain_from_pem(&a, &na, pem, l1 + l2);
		att_cert_chain_free(a, na);
		for (int i = 0; i < 2; i++) {
			int r1 = att_snp_cache_chain_from_pem(c, &a, &na, pem,
							      l1 + l2);
			ATT_CHECK(r0 != 0 && r1 == r0 && !a && na == 0,
				  "broken PEM: %d %d", r0, r1);
		}
		ATT_CHECK(att_snp_cache_chain_from_pem(NULL, &a, &na, pem,
						       l1) == 0 && na == 1,
			  "no cache: parses");
		att_cert_chain_free(a, na);
	}
	free(p1);
	free(p2);
	free(pem);
	att_snp_cache_free(c);
}

/* ---- threads ---- */

struct thr {
	struct pki *k;
	struct att_snp_cache *c;
	const uint8_t *good, *bad;
	struct att_x509_crl *crl[2]; /* [1] revokes the VEK */
	int wrong;
};

static void *worker(void *arg)
{
	struct thr *t = arg;
	struct att_cert *chain[2] = {t->k->ask, t->k->ark};
	struct att_snp_appraisal ap = {.max_vmpl = 0};
	struct att_snp_result res;
	for (int i = 0; i < 60; i++) {
		struct att_snp_certs certs = {t->k->vek, chain, 2,
					      &t->crl[i % 2 ? 1 : 0], 1};
		const uint8_t *rep = i % 3 == 0 ? t->bad : t->good;
		int64_t at = i % 5 == 0 ? T0 + 40 * DAY : T0;
		int want = at != T0 ? ATT_ERR_EXPIRED
			   : i % 2     ? ATT_ERR_REVOKED
			   : rep == t->bad ? ATT_ERR_SIG_INVALID
					   : 0;
		int rc = att_snp_verify_cached(t->c, &res, rep,
					       ATT_SNP_REPORT_LEN, &certs,
					       t->k->trust, &ap, at, NULL);
		if (rc != want)
			t->wrong++;
		if (i % 20 == 19)
			att_snp_cache_clear(t->c);
	}
	return NULL;
}

static void test_threads(struct pki *k)
{
	static uint8_t good[ATT_SNP_REPORT_LEN], bad[ATT_SNP_REPORT_LEN];
	struct att_snp_cache *c = NULL;
	struct thr t[4];
	pthread_t th[4];
	struct att_x509_crl *ok = crl_make(k->ark, k->ark_key, T0 - DAY,
					   T0 + 60 * DAY, NULL, 0);
	struct att_x509_crl *rev = crl_make(k->ark, k->ark_key, T0 - DAY,
					    T0 + 60 * DAY, vek_serial,
					    sizeof(vek_serial));
	ATT_CHECK_EQ_INT(att_snp_cache_new(&c, 1), 0); /* constant eviction */
	make_report(good, &tcb0, chip, 0x30000, 0x4D, k->vek_key);
	memcpy(bad, good, sizeof(bad));
	bad[ATT_SNP_OFF_MEASUREMENT] ^= 0x80;
	for (int i = 0; i < 4; i++) {
		t[i] = (struct thr){k, c, good, bad, {ok, rev}, 0};
		ATT_CHECK_EQ_INT(pthread_create(&th[i], NULL, worker, &t[i]),
				 0);
	}
	int wrong = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		wrong += t[i].wrong;
	}
	ATT_CHECK(wrong == 0, "threads: %d wrong verdicts", wrong);
	struct att_snp_cache_stats st;
	att_snp_cache_stats(c, &st);
	ATT_CHECK(st.entries <= 1 && st.hits + st.misses > 0,
		  "threads: %zu entries, %llu hits, %llu misses", st.entries,
		  (unsigned long long)st.hits, (unsigned long long)st.misses);
	att_x509_crl_free(ok);
	att_x509_crl_free(rev);
	att_snp_cache_free(c);
}

int main(void)
{
	struct pki k;
	ATT_REQUIRE_TESTDATA();
	test_vectors();
	if (pki_init(&k) != 0) {
		ATT_CHECK(0, "test PKI");
		pki_free(&k);
		return att_test_done();
	}
	test_warm(&k);
	test_crl(&k);
	test_evict_and_pem(&k);
	test_threads(&k);
	pki_free(&k);
	return att_test_done();
}
