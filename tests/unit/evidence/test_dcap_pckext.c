/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCK certificate SGX extension parsing (src/crypto/sgx_ext.c) and the
 * ECDSA helpers used by the DCAP verifier: the extension of real PCK
 * certificates (Processor CA: 5 elements, Platform CA: 7) against the
 * values in testdata cases.json; hand-built DER variants that QVL's rules
 * reject (element counts, duplicates, sizes, ranges, unknown OIDs); every
 * truncation of a real extension; r||s to DER conversion; P-256 points
 * that are not on the curve.
 */
#include <string.h>

#include "attest/err.h"
#include "crypto/pkey.h"
#include "crypto/sgx_ext.h"
#include "crypto/x509.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"

/* ---- a tiny DER writer ---- */
struct der {
	uint8_t b[2048];
	size_t n;
};

static void put(struct der *d, const void *p, size_t n)
{
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

static void tlv(struct der *d, uint8_t tag, const struct der *in)
{
	uint8_t h[4] = {tag};
	size_t hl = 2;
	if (in->n < 128) {
		h[1] = (uint8_t)in->n;
	} else if (in->n < 256) {
		h[1] = 0x81;
		h[2] = (uint8_t)in->n;
		hl = 3;
	} else {
		h[1] = 0x82;
		h[2] = (uint8_t)(in->n >> 8);
		h[3] = (uint8_t)in->n;
		hl = 4;
	}
	put(d, h, hl);
	put(d, in->b, in->n);
}

static void raw(struct der *d, uint8_t tag, const void *p, size_t n)
{
	struct der in = {.n = 0};
	put(&in, p, n);
	tlv(d, tag, &in);
}

/* SEQUENCE { OID 1.2.840.113741.1.13.1.<a>[.<b>], value } */
static void pair(struct der *d, int a, int b, const struct der *value)
{
	static const uint8_t base[] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D,
				       0x01, 0x0D, 0x01};
	struct der oid = {.n = 0}, seq = {.n = 0};
	put(&oid, base, sizeof(base));
	uint8_t x = (uint8_t)a, y = (uint8_t)b;
	put(&oid, &x, 1);
	if (b)
		put(&oid, &y, 1);
	tlv(&seq, 0x06, &oid);
	put(&seq, value->b, value->n);
	tlv(d, 0x30, &seq);
}

static struct der octets(size_t n, uint8_t fill)
{
	struct der v = {.n = 0};
	uint8_t buf[32];
	memset(buf, fill, sizeof(buf));
	raw(&v, 0x04, buf, n);
	return v;
}

static struct der integer(int tag, unsigned v)
{
	struct der d = {.n = 0};
	uint8_t b[3];
	size_t n = 0;
	if (v > 0x7FFF)
		b[n++] = 0;
	if (v > 0x7F)
		b[n++] = (uint8_t)(v >> 8);
	b[n++] = (uint8_t)v;
	if (v > 0x7F && v < 0x100) { /* 255 -> 00 FF */
		b[0] = 0;
		b[1] = (uint8_t)v;
		n = 2;
	}
	raw(&d, (uint8_t)tag, b, n);
	return d;
}

struct variant {
	int ncomps; /* TCB elements */
	int dup_comp; /* duplicate comp 3 instead of comp 16 */
	unsigned comp_value; /* comp 1 */
	size_t fmspc_len;
	unsigned sgx_type;
	int drop; /* top-level arc to drop (0: none) */
	int extra_arc; /* add an unknown top-level arc */
	bool platform; /* add .6 and .7 */
};

static struct der build(const struct variant *v)
{
	struct der tcb = {.n = 0}, tcbseq = {.n = 0}, top = {.n = 0}, out = {.n = 0};
	for (int i = 1; i <= v->ncomps && i <= 16; i++) {
		struct der x = integer(0x02, i == 1 ? v->comp_value : (unsigned)i);
		pair(&tcb, 2, v->dup_comp && i == 16 ? 3 : i, &x);
	}
	if (v->ncomps >= 17) {
		struct der x = integer(0x02, 13);
		pair(&tcb, 2, 17, &x);
	}
	if (v->ncomps >= 18) {
		struct der x = octets(16, 0x0B);
		pair(&tcb, 2, 18, &x);
	}
	tlv(&tcbseq, 0x30, &tcb);
	struct der ppid = octets(16, 0xAA), pce = octets(2, 0),
		   fmspc = octets(v->fmspc_len, 0x00),
		   type = integer(0x0A, v->sgx_type);
	if (v->drop != 1) pair(&top, 1, 0, &ppid);
	if (v->drop != 2) pair(&top, 2, 0, &tcbseq);
	if (v->drop != 3) pair(&top, 3, 0, &pce);
	if (v->drop != 4) pair(&top, 4, 0, &fmspc);
	if (v->drop != 5) pair(&top, 5, 0, &type);
	if (v->platform) {
		struct der pid = octets(16, 0x55), cfg = {.n = 0}, cseq = {.n = 0};
		struct der t = {.n = 0}, f = {.n = 0};
		raw(&t, 0x01, "\xFF", 1);
		raw(&f, 0x01, "\x00", 1);
		pair(&cfg, 7, 1, &t);
		pair(&cfg, 7, 2, &f);
		pair(&cfg, 7, 3, &t);
		tlv(&cseq, 0x30, &cfg);
		pair(&top, 6, 0, &pid);
		pair(&top, 7, 0, &cseq);
	}
	if (v->extra_arc) {
		struct der x = octets(2, 0);
		pair(&top, v->extra_arc, 0, &x);
	}
	tlv(&out, 0x30, &top);
	return out;
}

static int parse(const struct variant *v, struct att_sgx_pck_ext *e)
{
	struct der d = build(v);
	struct att_diag dg = {0};
	int rc = att_sgx_pck_ext_parse(e, d.b, d.n, &dg);
	if (rc)
		printf("# rejected: %s\n", att_diag_msg(&dg));
	return rc;
}

static void test_built(void)
{
	const struct variant ok = {18, 0, 255, 6, 0, 0, 0, false};
	struct att_sgx_pck_ext e;
	struct variant v;
	ATT_CHECK_EQ_INT(parse(&ok, &e), 0);
	ATT_CHECK(e.comps[0] == 255 && e.comps[15] == 16 && e.pcesvn == 13 &&
		  e.cpusvn[0] == 0x0B && e.ppid[0] == 0xAA && !e.has_configuration,
		  "values");
	v = ok;
	v.platform = true;
	v.sgx_type = 1;
	ATT_CHECK_EQ_INT(parse(&v, &e), 0);
	ATT_CHECK(e.sgx_type == 1 && e.has_platform_instance_id &&
		  e.platform_instance_id[0] == 0x55 && e.has_configuration &&
		  e.dynamic_platform && !e.cached_keys && e.smt_enabled,
		  "platform fields");
	struct variant bad[] = {
		{17, 0, 1, 6, 0, 0, 0, false},	/* 17 TCB elements */
		{18, 1, 1, 6, 0, 0, 0, false},	/* duplicate component */
		{18, 0, 256, 6, 0, 0, 0, false}, /* SVN out of range */
		{18, 0, 1, 5, 0, 0, 0, false},	/* FMSPC 5 bytes */
		{18, 0, 1, 6, 3, 0, 0, false},	/* SGX type 3 */
		{18, 0, 1, 6, 0, 4, 0, false},	/* FMSPC missing (4 elements) */
		{18, 0, 1, 6, 0, 0, 9, false},	/* unknown arc .9 (6 elements) */
		{18, 0, 1, 6, 0, 1, 9, false},	/* 5 elements, PPID missing */
		{18, 0, 1, 6, 0, 0, 3, false},	/* duplicate PCE-ID */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0x5A, sizeof(e));
		ATT_CHECK(parse(&bad[i], &e) != 0, "variant %zu accepted", i);
		ATT_CHECK(e.fmspc[0] == 0 && e.pcesvn == 0, "zeroed %zu", i);
	}
}

static void test_real(void)
{
	static const struct {
		const char *quote, *fmspc;
		int comps0, pcesvn, type;
		bool platform;
	} r[] = {
		{"sgx/quotes/dcapqvl_sgx_quote.bin", "\x00\xA0\x67\x11\x00\x00", 11, 13, 0, false},
		{"tdx/quotes/dcapqvl_tdx_quote.bin", "\xB0\xC0\x6F\x00\x00\x00", 3, 11, 1, true},
	};
	for (size_t i = 0; i < 2; i++) {
		char p[4096];
		size_t n;
		snprintf(p, sizeof(p), "%s/%s", att_testdata(), r[i].quote);
		uint8_t *q = att_read_file(p, &n);
		struct att_sgx_quote x;
		struct att_pem_span sp[3];
		struct att_cert *leaf = NULL;
		struct att_sgx_pck_ext e;
		struct att_diag d = {0};
		ATT_CHECK(q && att_sgx_quote_parse(&x, q, n, 0, NULL) == 0, "%s", p);
		ATT_CHECK_EQ_INT(att_pem_split_certs(sp, 3, (const char *)x.cert_data,
						     x.cert_len), 3);
		ATT_CHECK(att_x509_from_pem(&leaf, sp[0].p, sp[0].len) == 0, "leaf");
		ATT_CHECK(att_sgx_pck_ext_from_cert(&e, leaf, &d) == 0, "%s",
			  att_diag_msg(&d));
		ATT_CHECK(memcmp(e.fmspc, r[i].fmspc, 6) == 0, "fmspc %zu", i);
		ATT_CHECK_EQ_INT(e.comps[0], r[i].comps0);
		ATT_CHECK_EQ_INT(e.pcesvn, r[i].pcesvn);
		ATT_CHECK_EQ_INT(e.sgx_type, r[i].type);
		ATT_CHECK(e.has_platform_instance_id == r[i].platform &&
			  e.has_configuration == r[i].platform, "platform %zu", i);
		/* every truncation of the extension value fails cleanly */
		const uint8_t *v;
		size_t vl;
		att_x509_extension(leaf, ATT_SGX_EXT_OID, &v, &vl);
		int bad = 0;
		for (size_t k = 0; k < vl; k++)
			bad += att_sgx_pck_ext_parse(&e, v, k, NULL) == 0;
		ATT_CHECK(bad == 0, "%d truncations accepted", bad);
		/* the root CA has no SGX extension */
		struct att_cert *root = NULL;
		att_x509_from_pem(&root, sp[2].p, sp[2].len);
		ATT_CHECK_EQ_INT(att_sgx_pck_ext_from_cert(&e, root, NULL), ATT_ERR_NOT_FOUND);
		att_cert_free(root);
		att_cert_free(leaf);
		free(q);
	}
}

static void test_ecdsa(void)
{
	uint8_t sig[64], der[72], xy[64];
	struct att_pkey *k = NULL;
	memset(sig, 0, 64);
	sig[31] = 1;
	sig[32] = 0x80;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_pkey_ecdsa_sig_der(der, sizeof(der), &n, sig, 32,
						sig + 32, 32), 0);
	static const uint8_t want_head[] = {0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00, 0x80};
	ATT_CHECK(n == 40 && memcmp(der, want_head, sizeof(want_head)) == 0,
		  "DER r=1, s=0x80..: len %zu", n);
	memset(xy, 0x01, 64);
	ATT_CHECK_EQ_INT(att_pkey_from_ec_public(&k, ATT_KEY_EC_P256, xy, 32,
						 xy + 32, 32), ATT_ERR_FORMAT);
	ATT_CHECK(k == NULL, "no key");
	memset(xy, 0, 64);
	ATT_CHECK_EQ_INT(att_pkey_from_ec_public(&k, ATT_KEY_EC_P256, xy, 32,
						 xy + 32, 32), ATT_ERR_FORMAT);
	/* a real attestation key round-trips and verifies its quote */
	char p[4096];
	size_t qn = 0;
	snprintf(p, sizeof(p), "%s/sgx/quotes/dcapqvl_sgx_quote.bin", att_testdata());
	uint8_t *q = att_read_file(p, &qn);
	ATT_CHECK(q != NULL, "read %s", p);
	if (!q)
		return;
	struct att_sgx_quote x;
	att_sgx_quote_parse(&x, q, qn, 0, NULL);
	ATT_CHECK(att_pkey_from_ec_public(&k, ATT_KEY_EC_P256, x.att_key, 32,
					  x.att_key + 32, 32) == 0, "att key");
	ATT_CHECK(att_pkey_ec_public_xy(k, xy, 64) == 0 &&
			  memcmp(xy, x.att_key, 64) == 0,
		  "round trip");
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(k, ATT_MD_SHA256, x.signed_data,
					       x.signed_len, x.signature, 32,
					       x.signature + 32, 32), 0);
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(k, ATT_MD_SHA256, x.signed_data,
					       x.signed_len - 1, x.signature,
					       32, x.signature + 32, 32),
			 ATT_ERR_SIG_INVALID);
	struct att_pkey *k2 = att_pkey_dup(k);
	att_pkey_free(k);
	ATT_CHECK_EQ_INT(att_pkey_verify_ecdsa(k2, ATT_MD_SHA256, x.signed_data,
					       x.signed_len, x.signature, 32,
					       x.signature + 32, 32), 0);
	att_pkey_free(k2);
	free(q);
}

int main(void)
{
	test_built();
	if (!att_testdata()) {
		ATT_CHECK(0, "real-data parts: the test vectors are missing");
		return att_test_done();
	}
	test_real();
	test_ecdsa();
	return att_test_done();
}
