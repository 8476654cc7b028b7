/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Real TPM quotes verify end to end (header, AIK signature, extraData,
 * pcrDigest over the supplied PCRs, PCR mask): GCE COS-85 vTPM (3 banks,
 * nonce 0x9009 and no nonce), Azure CVM vTPMs (kinvolk, SNP and TDX HCL,
 * nonce "challenge", AK from a PEM or the HCL report's JWK), a Windows GCE
 * Shielded VM (RSASSA-SHA1). Any flipped bit of a quote or its signature
 * fails; wrong nonces, PCR values, selections and keys fail naming the
 * step. The quoted PCRs also agree with the event logs that came with
 * the quotes.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/replay.h"
#include "evidence/tpm/quote.h"
#include "harness/tap.h"

struct qcase {
	char name[96];
	uint8_t *attest, *sig;
	size_t attest_len, sig_len;
	struct att_pkey *ak;
	struct att_tpm_public *ak_pub; /* NULL for PEM/JWK keys */
	uint8_t nonce[16];
	size_t nonce_len;
	struct att_tpm_pcrs pcrs;
	uint8_t *log;
	size_t log_len;
};

static const char *td;

static uint8_t *rd(const char *rel, size_t *len)
{
	char p[8192];
	snprintf(p, sizeof(p), "%s/tpm/quotes/%s", td, rel);
	uint8_t *b = att_read_file(p, len);
	ATT_CHECK(b != NULL, "read %s", rel);
	return b;
}

static void free_case(struct qcase *c)
{
	free(c->attest);
	free(c->sig);
	free(c->ak_pub);
	free(c->log);
	att_pkey_free(c->ak);
	memset(c, 0, sizeof(*c));
}

/* bank_json loads {"0": hex, ...} as one bank of c->pcrs. */
static void bank_json(struct qcase *c, const char *rel, const char *bank)
{
	char p[8192];
	json_error_t je;
	snprintf(p, sizeof(p), "%s/tpm/quotes/%s", td, rel);
	json_t *vals = json_load_file(p, 0, &je), *root = json_object();
	json_object_set(root, bank, vals);
	ATT_CHECK(att_tpm_pcrs_from_json(&c->pcrs, root, NULL) == 0,
		  "%s: pcrs json", rel);
	json_decref(vals);
	json_decref(root);
}

static void gce_case(struct qcase *c, const char *set, const char *bank,
		     bool nonce)
{
	char rel[256];
	size_t n = 0;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s %s", set, bank);
	snprintf(rel, sizeof(rel), "gce_cos85/%s/quote_%s.tpms_attest", set, bank);
	c->attest = rd(rel, &c->attest_len);
	snprintf(rel, sizeof(rel), "gce_cos85/%s/quote_%s.tpmt_signature", set, bank);
	c->sig = rd(rel, &c->sig_len);
	snprintf(rel, sizeof(rel), "gce_cos85/%s/ak_pub.tpmt_public", set);
	uint8_t *pub = rd(rel, &n);
	c->ak_pub = calloc(1, sizeof(*c->ak_pub));
	ATT_CHECK(pub && att_tpm_public_parse_tpmt(c->ak_pub, pub, n, NULL) == 0 &&
			  att_tpm_public_pkey(c->ak_pub, &c->ak, NULL) == 0,
		  "%s: AK", c->name);
	free(pub);
	if (nonce) {
		c->nonce[0] = 0x90;
		c->nonce[1] = 0x09;
		c->nonce_len = 2;
	}
	snprintf(rel, sizeof(rel), "gce_cos85/%s/quote_%s_pcrs.json", set, bank);
	bank_json(c, rel, bank);
	snprintf(rel, sizeof(rel), "gce_cos85/%s/event_log.bin", set);
	c->log = rd(rel, &c->log_len);
}

/* tpmt_rsassa wraps a raw RSASSA-SHA256 signature as a TPMT_SIGNATURE. */
static uint8_t *tpmt_rsassa(const uint8_t *raw, size_t n, size_t *len)
{
	uint8_t *s = malloc(6 + n);
	s[0] = 0x00, s[1] = 0x14, s[2] = 0x00, s[3] = 0x0b;
	s[4] = (uint8_t)(n >> 8), s[5] = (uint8_t)n;
	memcpy(s + 6, raw, n);
	*len = 6 + n;
	return s;
}

static void kinvolk_case(struct qcase *c)
{
	size_t n = 0;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "azure_vtpm_kinvolk");
	c->attest = rd("azure_vtpm_kinvolk/quote.tpms_attest", &c->attest_len);
	uint8_t *raw = rd("azure_vtpm_kinvolk/quote.sig_rsassa_sha256", &n);
	c->sig = tpmt_rsassa(raw, n, &c->sig_len);
	free(raw);
	uint8_t *pem = rd("azure_vtpm_kinvolk/akpub.pem", &n);
	ATT_CHECK(att_pkey_from_public(&c->ak, pem, n) == 0, "kinvolk AK pem");
	free(pem);
	memcpy(c->nonce, "challenge", 9);
	c->nonce_len = 9;
	bank_json(c, "azure_vtpm_kinvolk/quote_sha256_pcrs.json", "sha256");
}

/* hcl_ak reads HCLAkPub (an RSA JWK) from the HCL report's claims. */
static struct att_pkey *hcl_ak(const char *set)
{
	char rel[256];
	size_t n = 0, nl = 0, el = 0;
	uint8_t *nb = NULL, *eb = NULL;
	struct att_pkey *k = NULL;
	snprintf(rel, sizeof(rel), "%s/hcl-report.bin", set);
	uint8_t *r = rd(rel, &n);
	size_t off = 32 + 1184, jl = r ? (size_t)(r[off + 16] | r[off + 17] << 8) : 0;
	json_t *j = r ? json_loadb((const char *)r + off + 20, jl, 0, NULL) : NULL, *key;
	size_t i;
	json_array_foreach(json_object_get(j, "keys"), i, key) {
		const char *kid = json_string_value(json_object_get(key, "kid"));
		const char *ns = json_string_value(json_object_get(key, "n"));
		const char *es = json_string_value(json_object_get(key, "e"));
		if (!kid || strcmp(kid, "HCLAkPub") || !ns || !es ||
		    att_b64_decode(&nb, &nl, ns, strlen(ns)) ||
		    att_b64_decode(&eb, &el, es, strlen(es)) || el > 4)
			continue;
		uint32_t e = 0;
		for (size_t b = 0; b < el; b++)
			e = e << 8 | eb[b];
		att_pkey_from_rsa_public(&k, nb, nl, e);
	}
	ATT_CHECK(k != NULL, "%s: HCLAkPub", set);
	free(nb);
	free(eb);
	json_decref(j);
	free(r);
	return k;
}

static void hcl_case(struct qcase *c, const char *set)
{
	char rel[256], p[8192];
	size_t n = 0;
	uint8_t *raw = NULL;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", set);
	snprintf(p, sizeof(p), "%s/tpm/quotes/%s/tpm-quote-v1.json", td, set);
	json_t *q = json_load_file(p, 0, NULL), *v;
	const char *m = json_string_value(json_object_get(q, "message"));
	const char *s = json_string_value(json_object_get(q, "signature"));
	ATT_CHECK(m && s && !att_hex_decode(&c->attest, &c->attest_len, m, strlen(m)) &&
			  !att_hex_decode(&raw, &n, s, strlen(s)),
		  "%s: quote json", set);
	c->sig = tpmt_rsassa(raw, n, &c->sig_len);
	free(raw);
	size_t i;
	json_array_foreach(json_object_get(q, "pcrs"), i, v) {
		uint8_t d[32];
		const char *h = json_string_value(v);
		if (h && !att_hex_decode_fixed(d, 32, h, strlen(h)))
			att_tpm_pcrs_set(&c->pcrs, ATT_TPM_ALG_SHA256,
					 (uint32_t)i, d, 32);
	}
	json_decref(q);
	c->ak = hcl_ak(set);
	memcpy(c->nonce, "challenge", 9);
	c->nonce_len = 9;
	(void)rel;
}

static uint8_t *b64field(json_t *o, const char *k, size_t *len)
{
	uint8_t *b = NULL;
	const char *s = json_string_value(json_object_get(o, k));
	if (!s || att_b64_decode(&b, len, s, strlen(s)) != 0)
		return NULL;
	return b;
}

static void windows_case(struct qcase *c)
{
	char p[8192];
	size_t n = 0, i;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "windows_gcp_shielded_vm");
	snprintf(p, sizeof(p), "%s/tpm/quotes/windows_gcp_shielded_vm/"
		 "windows_gcp_shielded_vm.json", td);
	json_t *j = json_load_file(p, 0, NULL), *pcr;
	json_t *quote = json_object_get(j, "Quote");
	c->attest = b64field(quote, "Quote", &c->attest_len);
	c->sig = b64field(quote, "Signature", &c->sig_len);
	uint8_t *pub = b64field(json_object_get(j, "AK"), "Public", &n);
	c->ak_pub = calloc(1, sizeof(*c->ak_pub));
	ATT_CHECK(pub && att_tpm_public_parse_tpmt(c->ak_pub, pub, n, NULL) == 0 &&
			  att_tpm_public_pkey(c->ak_pub, &c->ak, NULL) == 0,
		  "windows AK");
	free(pub);
	json_array_foreach(json_object_get(json_object_get(j, "Log"), "PCRs"), i,
			   pcr) {
		uint8_t *d = b64field(pcr, "Digest", &n);
		if (d && n == 20)
			att_tpm_pcrs_set(&c->pcrs, ATT_TPM_ALG_SHA1,
					 (uint32_t)json_integer_value(
						 json_object_get(pcr, "Index")),
					 d, n);
		free(d);
	}
	c->log = b64field(json_object_get(j, "Log"), "Raw", &c->log_len);
	json_decref(j);
}

static struct att_tpm_quote_opts opts_of(const struct qcase *c)
{
	struct att_tpm_quote_opts o;
	memset(&o, 0, sizeof(o));
	o.ak = c->ak;
	o.ak_pub = c->ak_pub;
	o.check_nonce = true;
	o.nonce = c->nonce;
	o.nonce_len = c->nonce_len;
	o.pcrs = &c->pcrs;
	o.required_mask = 0xFFFFFF;
	return o;
}

static int verify(const struct qcase *c, const uint8_t *a, size_t al,
		  const uint8_t *s, size_t sl, struct att_diag *d)
{
	struct att_tpm_quote_opts o = opts_of(c);
	return att_tpm_quote_verify(a, al, s, sl, &o, NULL, d);
}

/* flips: every bit of every attest byte, one bit of every sig byte. */
static void flips(const struct qcase *c)
{
	uint8_t *a = malloc(c->attest_len), *s = malloc(c->sig_len);
	size_t passed = 0, runs = 0;
	memcpy(a, c->attest, c->attest_len);
	memcpy(s, c->sig, c->sig_len);
	for (size_t i = 0; i < c->attest_len; i++)
		for (int b = 0; b < 8; b++, runs++) {
			a[i] ^= (uint8_t)(1u << b);
			passed += verify(c, a, c->attest_len, s, c->sig_len, NULL) == 0;
			a[i] ^= (uint8_t)(1u << b);
		}
	for (size_t i = 0; i < c->sig_len; i++, runs++) {
		s[i] ^= (uint8_t)(1u << (i % 8));
		passed += verify(c, a, c->attest_len, s, c->sig_len, NULL) == 0;
		s[i] ^= (uint8_t)(1u << (i % 8));
	}
	ATT_CHECK(passed == 0, "%s: %zu of %zu flipped inputs verified",
		  c->name, passed, runs);
	free(a);
	free(s);
}

static void negatives(struct qcase *c)
{
	struct att_tpm_quote_opts o = opts_of(c);
	struct att_diag d;
	uint8_t bad[16] = {0x90, 0x08};
#define NEG(code, needle, what)                                                \
	do {                                                                   \
		att_diag_clear(&d);                                            \
		int r_ = att_tpm_quote_verify(c->attest, c->attest_len, c->sig,\
					      c->sig_len, &o, NULL, &d);       \
		ATT_CHECK(r_ == (code) && strstr(att_diag_msg(&d), needle),    \
			  "%s: %s: %s (%s)", c->name, what, att_errname(r_),  \
			  att_diag_msg(&d));                                   \
		o = opts_of(c);                                                \
	} while (0)
	o.nonce = bad;
	o.nonce_len = c->nonce_len ? c->nonce_len : 1;
	NEG(ATT_ERR_MISMATCH, "extraData", "wrong nonce");
	o.nonce_len = c->nonce_len + 1;
	NEG(ATT_ERR_MISMATCH, "extraData", "longer nonce");
	o.required_mask = 0x1FFFFFF;
	NEG(ATT_ERR_MISMATCH, "does not cover", "mask beyond 23");
	struct att_tpm_pcrs p = c->pcrs;
	p.banks[0].value[7][3] ^= 1;
	o.pcrs = &p;
	NEG(ATT_ERR_MISMATCH, "pcrDigest", "wrong PCR 7 value");
	p = c->pcrs;
	p.banks[0].mask &= ~(1u << 23);
	o.pcrs = &p;
	NEG(ATT_ERR_MISMATCH, "PCR 23", "PCR 23 missing");
	p = c->pcrs;
	att_tpm_pcrs_set(&p, p.banks[0].alg == ATT_TPM_ALG_SHA1 ? ATT_TPM_ALG_SHA256
							       : ATT_TPM_ALG_SHA1,
			 0, p.banks[0].value[0],
			 p.banks[0].alg == ATT_TPM_ALG_SHA1 ? 32 : 20);
	o.pcrs = &p;
	NEG(ATT_ERR_MISMATCH, "not in the quote", "extra bank supplied");
#undef NEG
}

static void log_vs_quote(const struct qcase *c, uint32_t want)
{
	struct att_tcg_log log;
	struct att_tcg_replay rp;
	struct att_diag d;
	uint32_t ok = 0;
	att_diag_clear(&d);
	if (!c->log)
		return;
	ATT_CHECK(att_tcg_log_parse(&log, c->log, c->log_len, NULL) == 0 &&
			  att_tcg_replay(&rp, &log, NULL) == 0,
		  "%s: log replays", c->name);
	int r = att_tcg_replay_compare(&rp, &log, NULL, &c->pcrs, &ok, &d);
	ATT_CHECK(r == 0 && ok == want, "%s: log explains 0x%06x (want 0x%06x): %s",
		  c->name, ok, want, att_diag_msg(&d));
	att_tcg_log_release(&log);
}

static void run(struct qcase *c, uint32_t log_mask)
{
	struct att_diag d;
	struct att_tpm_attest att;
	struct att_tpm_quote_opts o = opts_of(c);
	att_diag_clear(&d);
	int r = att_tpm_quote_verify(c->attest, c->attest_len, c->sig, c->sig_len,
				     &o, &att, &d);
	ATT_CHECK(r == 0, "%s: verify: %s", c->name, att_diag_msg(&d));
	ATT_CHECK(att.magic == ATT_TPM_GENERATED_VALUE &&
			  att.pcr_select.count == 1 &&
			  att_tpm_selection_mask(&att.pcr_select.sel[0]) == 0xFFFFFF,
		  "%s: parsed quote", c->name);
	if (c->ak_pub)
		ATT_CHECK(att_tpm_public_check_ak(c->ak_pub, NULL) == 0,
			  "%s: AK passes the AIK rules", c->name);
	flips(c);
	negatives(c);
	log_vs_quote(c, log_mask);
	free_case(c);
}

/* test_wrong_key: a GCE quote against the kinvolk AK. */
static void test_wrong_key(void)
{
	struct qcase g, k;
	struct att_diag d;
	att_diag_clear(&d);
	gce_case(&g, "gce-cos-85-nonce9009", "sha256", true);
	kinvolk_case(&k);
	struct att_tpm_quote_opts o = opts_of(&g);
	o.ak = k.ak;
	o.ak_pub = NULL;
	int r = att_tpm_quote_verify(g.attest, g.attest_len, g.sig, g.sig_len, &o,
				     NULL, &d);
	ATT_CHECK(r == ATT_ERR_SIG_INVALID && strstr(att_diag_msg(&d), "AIK"),
		  "wrong key: %s", att_diag_msg(&d));
	/* AK scheme binding: claim the AK signs with RSAPSS */
	g.ak_pub->scheme = ATT_TPM_ALG_RSAPSS;
	o = opts_of(&g);
	att_diag_clear(&d);
	r = att_tpm_quote_verify(g.attest, g.attest_len, g.sig, g.sig_len, &o,
				 NULL, &d);
	ATT_CHECK(r == ATT_ERR_ALG, "scheme binding: %s", att_diag_msg(&d));
	free_case(&g);
	free_case(&k);
}

int main(void)
{
	static const char *sets[] = {"gce-cos-85-nonce9009", "gce-cos-85-no-nonce"};
	static const char *banks[] = {"sha1", "sha256", "sha384"};
	struct qcase c;
	setenv("TSS2_LOG", "all+none", 0); /* tss2-mu logs every rejection */
	ATT_REQUIRE_TESTDATA();
	td = att_testdata();
	for (int s = 0; s < 2; s++)
		for (int b = 0; b < 3; b++) {
			gce_case(&c, sets[s], banks[b], s == 0);
			run(&c, 0x3FF);
		}
	kinvolk_case(&c);
	run(&c, 0);
	hcl_case(&c, "azure_snp_vtpm");
	run(&c, 0);
	hcl_case(&c, "azure_tdx_vtpm");
	run(&c, 0);
	windows_case(&c);
	run(&c, 0x78B1);
	test_wrong_key();
	return att_test_done();
}
