/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DCAP quote parser tests on real quotes (testdata): field values, every
 * truncation point (each prefix shorter than the signature data end is
 * rejected with ATT_ERR_TRUNCATED or ATT_ERR_FORMAT and leaves the output
 * zeroed; longer prefixes parse with the rest counted as trailing),
 * thousands of seeded single-byte mutations inside the signed and parsed
 * region that must never verify, the bytes after the signature data
 * (bounded zero padding only), the Open Enclave report header, and
 * hand-edited headers (version, key type, TEE type, vendor, v5 body
 * descriptor, certification data type and lengths).
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "crypto/x509.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"

struct sample {
	const char *id, *quote, *bundle, *at;
	uint8_t *q;
	size_t len;
	struct att_dcap_collateral *col;
	int64_t t;
};

static struct sample samples[] = {
	{"sgx_v3", "sgx/quotes/dcapqvl_sgx_quote.bin",
	 "sgx/collateral/dcapqvl/sgx_quote_collateral.json",
	 "2025-07-01T00:00:00Z", NULL, 0, NULL, 0},
	{"tdx_v4", "tdx/quotes/dcapqvl_tdx_quote.bin",
	 "tdx/collateral/dcapqvl/tdx_quote_collateral.json",
	 "2025-07-01T00:00:00Z", NULL, 0, NULL, 0},
	{"tdx_v5", "tdx/quotes/gotdxguest_quote_v5_sample.dat",
	 "tdx/collateral/dcapqvl/tdx_quote_outdated_collateral.json",
	 "2026-03-01T00:00:00Z", NULL, 0, NULL, 0},
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static struct att_dcap_trust *trust;

static char *tpath(const char *rel)
{
	static char p[8192];
	snprintf(p, sizeof(p), "%s/%s", att_testdata(), rel);
	return p;
}

static bool is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int load(struct sample *s)
{
	struct att_diag d = {0};
	size_t n;
	char *text;
	s->q = att_read_file(tpath(s->quote), &s->len);
	text = (char *)att_read_file(tpath(s->bundle), &n);
	if (!s->q || !text)
		return -1;
	int rc = att_dcap_collateral_from_bundle_json(&s->col, text, n, &d);
	free(text);
	ATT_CHECK(rc == 0, "%s: %s", s->id, att_diag_msg(&d));
	att_time_parse(&s->t, s->at);
	return rc;
}

static int verify(const struct sample *s, const uint8_t *q, size_t len,
		  struct att_dcap_cache *cache, unsigned flags,
		  struct att_dcap_result *r, struct att_diag *d)
{
	struct att_dcap_opts o = {.parse_flags = flags};
	att_diag_clear(d);
	return att_dcap_verify_opts(r, q, len, s->col, trust, cache, s->t, &o,
				    d);
}

static void test_fields(void)
{
	struct att_sgx_quote q;
	struct att_diag d = {0};
	ATT_CHECK(att_sgx_quote_parse(&q, samples[0].q, samples[0].len, 0, &d) == 0,
		  "%s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(q.version, 3);
	ATT_CHECK(!q.is_tdx, "v3 is SGX");
	ATT_CHECK_EQ_INT(q.signed_len, 432);
	ATT_CHECK_EQ_INT(q.sig_data_len, samples[0].len - 436);
	ATT_CHECK_EQ_INT(q.qe_auth_len, 32);
	ATT_CHECK_EQ_INT(q.cert_type, 5);
	ATT_CHECK_EQ_INT(q.outer_cert_type, 0);
	ATT_CHECK_EQ_INT(q.trailing_len, 0);
	ATT_CHECK(q.sgx.mrenclave == samples[0].q + 48 + 64, "mrenclave offset");
	ATT_CHECK_EQ_INT(q.qe_report.isvprodid, 1);

	ATT_CHECK(att_sgx_quote_parse(&q, samples[1].q, samples[1].len, 0, &d) == 0,
		  "%s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(q.version, 4);
	ATT_CHECK(q.is_tdx && q.tdx.minor == 0 && !q.tdx.tee_tcb_svn2, "TD 1.0");
	ATT_CHECK_EQ_INT(q.signed_len, 632);
	ATT_CHECK_EQ_INT(q.outer_cert_type, 6);
	ATT_CHECK_EQ_INT(q.cert_len, 3678);
	ATT_CHECK_EQ_INT(q.trailing_len, 70);
	ATT_CHECK_EQ_INT(q.qe_report.isvprodid, 2);

	ATT_CHECK(att_sgx_quote_parse(&q, samples[2].q, samples[2].len, 0, &d) == 0,
		  "%s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(q.version, 5);
	ATT_CHECK_EQ_INT(q.body_type, 3);
	ATT_CHECK_EQ_INT(q.body_size, 648);
	ATT_CHECK_EQ_INT(q.signed_len, 54 + 648);
	ATT_CHECK(q.tdx.minor == 5 && q.tdx.tee_tcb_svn2 && q.tdx.mrservicetd,
		  "TD 1.5");
}

static void test_truncation(const struct sample *s)
{
	struct att_sgx_quote q, full;
	int bad = 0, zero_bad = 0, ok_bad = 0;
	ATT_CHECK(att_sgx_quote_parse(&full, s->q, s->len, 0, NULL) == 0, "%s",
		  s->id);
	for (size_t k = 0; k < s->len; k++) {
		memset(&q, 0xA5, sizeof(q));
		int rc = att_sgx_quote_parse(&q, s->q, k, 0, NULL);
		if (k < full.total_len) {
			bad += rc != ATT_ERR_TRUNCATED && rc != ATT_ERR_FORMAT;
			zero_bad += !is_zero(&q, sizeof(q));
		} else {
			ok_bad += rc != 0 || q.trailing_len != k - full.total_len;
		}
	}
	ATT_CHECK(bad == 0, "%s: %d prefixes not rejected", s->id, bad);
	ATT_CHECK(zero_bad == 0, "%s: %d failures left output", s->id, zero_bad);
	ATT_CHECK(ok_bad == 0, "%s: %d longer prefixes wrong", s->id, ok_bad);
	printf("# %s: %zu prefixes checked (signature data ends at %zu)\n",
	       s->id, s->len, full.total_len);
}

/* The DER of the PEM certificates in the certification data. */
static int chain_ders(uint8_t out[3][32], const uint8_t *cd, size_t n)
{
	struct att_pem_span sp[8];
	int k = att_pem_split_certs(sp, 8, (const char *)cd, n);
	if (k != 3)
		return -1;
	for (int i = 0; i < 3; i++) {
		struct att_cert *x;
		if (att_x509_from_pem(&x, sp[i].p, sp[i].len))
			return -1;
		att_x509_sha256(x, out[i]);
		att_cert_free(x);
	}
	return 0;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Single-byte mutations in [0, total_len): none may verify, except a
 * change inside the PEM text that leaves every certificate's DER intact
 * (e.g. the NUL after the chain, unused base64 bits). */
static void test_mutations(const struct sample *s, int count)
{
	struct att_sgx_quote q;
	struct att_dcap_cache *cache = NULL;
	struct att_dcap_result r;
	struct att_diag d = {0};
	uint8_t *m = malloc(s->len), ref[3][32], now[3][32];
	int verified = 0, benign = 0, in_pem = 0;
	att_dcap_cache_new(&cache, 0);
	ATT_CHECK(verify(s, s->q, s->len, cache, 0, &r, &d) == 0, "%s: %s",
		  s->id, att_diag_msg(&d));
	att_sgx_quote_parse(&q, s->q, s->len, 0, NULL);
	size_t cd_off = (size_t)(q.cert_data - s->q), cd_len = q.cert_len;
	chain_ders(ref, q.cert_data, cd_len);
	for (int i = 0; i < count; i++) {
		size_t pos = (size_t)(rng() % q.total_len);
		uint8_t x = (uint8_t)(1 + rng() % 255);
		memcpy(m, s->q, s->len);
		m[pos] ^= x;
		if (verify(s, m, s->len, cache, 0, &r, &d) != 0)
			continue;
		bool pem = pos >= cd_off && pos < cd_off + cd_len;
		in_pem += pem;
		if (pem && chain_ders(now, m + cd_off, cd_len) == 0 &&
		    memcmp(now, ref, sizeof(ref)) == 0) {
			benign++;
			continue;
		}
		verified++;
		printf("# %s: mutation at %zu (^%02x) verified\n", s->id, pos, x);
	}
	ATT_CHECK(verified == 0, "%s: %d mutations verified", s->id, verified);
	printf("# %s: %d mutations, %d rejected, %d benign PEM-text changes "
	       "(DER unchanged)\n", s->id, count, count - benign - verified,
	       benign);
	(void)in_pem;
	att_dcap_cache_free(cache);
	free(m);
}

static uint8_t *with_oe(const struct sample *s, uint32_t ver, uint32_t type,
			uint64_t size, size_t extra, size_t *n)
{
	uint8_t *b = calloc(1, 16 + s->len + extra);
	for (int i = 0; i < 4; i++) {
		b[i] = (uint8_t)(ver >> (8 * i));
		b[4 + i] = (uint8_t)(type >> (8 * i));
	}
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(size >> (8 * i));
	memcpy(b + 16, s->q, s->len);
	*n = 16 + s->len + extra;
	return b;
}

static void test_oe_header(const struct sample *s)
{
	struct att_sgx_quote q, plain;
	struct att_dcap_result r1, r2;
	struct att_diag d = {0};
	size_t n;
	uint8_t *b = with_oe(s, 1, 2, s->len, 5, &n);
	ATT_CHECK(att_sgx_has_oe_header(b, n), "OE header detected");
	ATT_CHECK(!att_sgx_has_oe_header(s->q, s->len), "plain quote");
	ATT_CHECK(att_sgx_quote_parse_oe(&q, b, n, &d) == 0, "%s",
		  att_diag_msg(&d));
	att_sgx_quote_parse(&plain, s->q, s->len, 0, NULL);
	ATT_CHECK(q.oe_header, "oe flag");
	ATT_CHECK_EQ_INT(q.trailing_len, plain.trailing_len + 5);
	ATT_CHECK(q.signed_data == b + 16, "offsets inside the OE wrapper");
	ATT_CHECK(att_sgx_quote_parse(&q, b, n, ATT_SGX_PARSE_OE_HEADER, &d) == 0,
		  "flag form");
	ATT_CHECK(verify(s, b, n, NULL, ATT_SGX_PARSE_OE_HEADER, &r1, &d) == 0,
		  "%s", att_diag_msg(&d));
	ATT_CHECK(verify(s, s->q, s->len, NULL, 0, &r2, &d) == 0, "plain");
	ATT_CHECK(r1.tcb_status == r2.tcb_status &&
		  memcmp(&r1.sgx, &r2.sgx, sizeof(r1.sgx)) == 0, "same claims");
	ATT_CHECK(verify(s, b, n, NULL, 0, &r1, &d) != 0,
		  "OE-wrapped quote without the flag must not parse");
	free(b);
	b = with_oe(s, 2, 2, s->len, 0, &n);
	ATT_CHECK_EQ_INT(att_sgx_quote_parse_oe(&q, b, n, NULL), ATT_ERR_UNSUPPORTED);
	free(b);
	b = with_oe(s, 1, 1, s->len, 0, &n);
	ATT_CHECK_EQ_INT(att_sgx_quote_parse_oe(&q, b, n, NULL), ATT_ERR_UNSUPPORTED);
	ATT_CHECK(is_zero(&q, sizeof(q)), "zeroed on error");
	free(b);
	b = with_oe(s, 1, 2, s->len + 1, 0, &n);
	ATT_CHECK_EQ_INT(att_sgx_quote_parse_oe(&q, b, n, NULL), ATT_ERR_TRUNCATED);
	ATT_CHECK(!att_sgx_has_oe_header(b, n), "size too big");
	free(b);
	b = with_oe(s, 1, 2, s->len - 100, 0, &n);
	ATT_CHECK(att_sgx_quote_parse_oe(&q, b, n, NULL) != 0,
		  "declared size cuts the quote");
	free(b);
	ATT_CHECK_EQ_INT(att_sgx_quote_parse_oe(&q, s->q, 15, NULL), ATT_ERR_TRUNCATED);
}

/* parse_msg parses b[0..n) and copies the diagnostic to msg. */
static int parse_msg(struct att_sgx_quote *q, const uint8_t *b, size_t n,
		     unsigned flags, char msg[ATT_DIAG_LEN])
{
	struct att_diag d = {0};
	memset(q, 0xA5, sizeof(*q));
	int rc = att_sgx_quote_parse(q, b, n, flags, &d);
	snprintf(msg, ATT_DIAG_LEN, "%s", att_diag_msg(&d));
	return rc;
}

/* Bytes after the signature data: zero padding up to the limit is
 * accepted and counted in trailing_len; anything else (junk, a single
 * non-zero byte, zeros past the limit) is ATT_ERR_TRAILING naming the
 * length and the offset, leaves the output zeroed, and fails
 * verification too. */
static void test_trailing(const struct sample *s)
{
	struct att_sgx_quote q, full;
	struct att_dcap_result r;
	struct att_diag d = {0};
	char msg[ATT_DIAG_LEN], want[160];
	ATT_CHECK(att_sgx_quote_parse(&full, s->q, s->len, 0, NULL) == 0, "%s",
		  s->id);
	size_t end = full.total_len, max = ATT_SGX_QUOTE_MAX_PADDING;
	uint8_t *b = calloc(1, end + 60000);
	memcpy(b, s->q, end);

	ATT_CHECK(parse_msg(&q, b, end + max, 0, msg) == 0, "%s: %s", s->id,
		  msg);
	ATT_CHECK_EQ_INT(q.trailing_len, max);
	ATT_CHECK(verify(s, b, end + max, NULL, 0, &r, &d) == 0, "%s: %s",
		  s->id, att_diag_msg(&d));
	ATT_CHECK_EQ_INT(r.trailing_len, max);

	ATT_CHECK_EQ_INT(parse_msg(&q, b, end + max + 1, 0, msg),
			 ATT_ERR_TRAILING);
	snprintf(want, sizeof(want), "%zu zero bytes after its signature data "
		 "at offset %zu exceed the %zu-byte padding limit",
		 max + 1, end, max);
	ATT_CHECK(strstr(msg, want) != NULL, "%s: %s", s->id, msg);
	ATT_CHECK(is_zero(&q, sizeof(q)), "%s: zeroed on error", s->id);

	for (size_t i = 0; i < 60000; i++)
		b[end + i] = (uint8_t)('A' + i % 26);
	ATT_CHECK_EQ_INT(parse_msg(&q, b, end + 60000, 0, msg), ATT_ERR_TRAILING);
	snprintf(want, sizeof(want), "sgx quote: 60000 bytes after its "
		 "signature data at offset %zu are not zero padding (byte "
		 "0x41 at offset %zu)", end, end);
	ATT_CHECK(strstr(msg, want) != NULL, "%s: %s", s->id, msg);
	ATT_CHECK(is_zero(&q, sizeof(q)), "%s: zeroed on error", s->id);
	ATT_CHECK_EQ_INT(verify(s, b, end + 60000, NULL, 0, &r, &d),
			 ATT_ERR_TRAILING);

	memset(b + end, 0, 100);
	b[end + 99] = 0x01;
	ATT_CHECK_EQ_INT(parse_msg(&q, b, end + 100, 0, msg), ATT_ERR_TRAILING);
	snprintf(want, sizeof(want), "100 bytes after its signature data at "
		 "offset %zu are not zero padding (byte 0x01 at offset %zu)",
		 end, end + 99);
	ATT_CHECK(strstr(msg, want) != NULL, "%s: %s", s->id, msg);
	printf("# %s: signature data ends at %zu; %zu zero bytes accepted\n",
	       s->id, end, max);
	free(b);
}

/* OE reports: bytes past the declared size follow the same rule, and
 * the slack inside the declared size counts toward the same limit. */
static void test_oe_trailing(const struct sample *s)
{
	struct att_sgx_quote q;
	char msg[ATT_DIAG_LEN], want[200];
	size_t n, max = ATT_SGX_QUOTE_MAX_PADDING;
	uint8_t *b = with_oe(s, 1, 2, s->len, 40, &n);
	ATT_CHECK(parse_msg(&q, b, n, ATT_SGX_PARSE_OE_HEADER, msg) == 0, "%s",
		  msg);
	ATT_CHECK_EQ_INT(q.trailing_len, 40);
	b[n - 1] = 0x7F;
	ATT_CHECK_EQ_INT(parse_msg(&q, b, n, ATT_SGX_PARSE_OE_HEADER, msg),
			 ATT_ERR_TRAILING);
	snprintf(want, sizeof(want), "oe report: 40 bytes after its declared "
		 "size of %zu bytes at offset %zu are not zero padding (byte "
		 "0x7f at offset %zu)", s->len, 16 + s->len, n - 1);
	ATT_CHECK(strstr(msg, want) != NULL, "%s", msg);
	ATT_CHECK(is_zero(&q, sizeof(q)), "zeroed on error");
	free(b);
	/* zeros inside the declared size plus zeros past it: each under
	 * the limit, together over it */
	b = with_oe(s, 1, 2, s->len + max / 2, max + 8, &n);
	ATT_CHECK_EQ_INT(parse_msg(&q, b, n, ATT_SGX_PARSE_OE_HEADER, msg),
			 ATT_ERR_TRAILING);
	snprintf(want, sizeof(want), "oe report: %zu zero bytes after the "
		 "quote's signature data at offset %zu exceed the %zu-byte "
		 "padding limit", max + 8, 16 + s->len, max);
	ATT_CHECK(strstr(msg, want) != NULL, "%s", msg);
	/* junk inside the declared size is the quote's trailing data */
	b[16 + s->len + 3] = 0xEE;
	ATT_CHECK_EQ_INT(parse_msg(&q, b, n, ATT_SGX_PARSE_OE_HEADER, msg),
			 ATT_ERR_TRAILING);
	snprintf(want, sizeof(want), "sgx quote: %zu bytes after its signature "
		 "data at offset %zu are not zero padding (byte 0xee at offset "
		 "%zu)", max / 2, 16 + s->len, 16 + s->len + 3);
	ATT_CHECK(strstr(msg, want) != NULL, "%s", msg);
	free(b);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int edited(const struct sample *s, size_t off, int width, uint32_t v)
{
	uint8_t *m = malloc(s->len);
	struct att_sgx_quote q;
	memcpy(m, s->q, s->len);
	if (width == 1)
		m[off] = (uint8_t)v;
	else if (width == 2)
		put16(m + off, (uint16_t)v);
	else
		put32(m + off, v);
	int rc = att_sgx_quote_parse(&q, m, s->len, 0, NULL);
	free(m);
	return rc;
}

static void test_edits(void)
{
	const struct sample *v3 = &samples[0], *v4 = &samples[1],
			    *v5 = &samples[2];
	ATT_CHECK_EQ_INT(edited(v3, 0, 2, 2), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(edited(v3, 0, 2, 6), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(edited(v3, 2, 2, 3), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(edited(v3, 4, 4, 0x81), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(edited(v3, 4, 4, 0x7), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(edited(v3, 12, 1, 0), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(edited(v3, 8, 4, 0xFFFFFFFF), 0); /* never checked */
	/* signature data length past the end */
	ATT_CHECK_EQ_INT(edited(v3, 432, 4, (uint32_t)v3->len), ATT_ERR_TRUNCATED);
	ATT_CHECK_EQ_INT(edited(v3, 432, 4, 0xFFFFFFFF), ATT_ERR_TRUNCATED);
	/* QE auth size so large the certification header cannot follow */
	ATT_CHECK_EQ_INT(edited(v3, 436 + 576, 2, 0xFFFF), ATT_ERR_TRUNCATED);
	/* certification type 7 (platform manifest) and size too large */
	ATT_CHECK_EQ_INT(edited(v3, 436 + 578 + 32, 2, 7), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(edited(v3, 436 + 580 + 32, 4, 1u << 30), ATT_ERR_TRUNCATED);
	/* v4: outer certification type must be 6; its size must match */
	ATT_CHECK_EQ_INT(edited(v4, 636 + 128, 2, 5), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(edited(v4, 636 + 130, 4, 4166 - 1), ATT_ERR_TRUNCATED);
	/* v4: TEE type SGX makes the body an SGX report: the rest misparses */
	ATT_CHECK(edited(v4, 4, 4, 0) != 0, "v4 with TEE type 0");
	/* v5 body descriptor */
	ATT_CHECK_EQ_INT(edited(v5, 48, 2, 2), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(edited(v5, 48, 2, 1), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(edited(v5, 48, 2, 9), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(edited(v5, 50, 4, 584), ATT_ERR_FORMAT);
	/* over the hard limit */
	struct att_sgx_quote q;
	uint8_t *big = calloc(1, ATT_MAX_QUOTE_LEN + 1);
	memcpy(big, v3->q, v3->len);
	ATT_CHECK_EQ_INT(att_sgx_quote_parse(&q, big, ATT_MAX_QUOTE_LEN + 1, 0, NULL),
			 ATT_ERR_LIMIT);
	free(big);
	/* a bare report body */
	struct att_sgx_report r;
	ATT_CHECK_EQ_INT(att_sgx_report_parse(&r, v3->q + 48, 384), 0);
	ATT_CHECK_EQ_INT(att_sgx_report_parse(&r, v3->q + 48, 383), ATT_ERR_TRUNCATED);
	ATT_CHECK_EQ_INT(att_sgx_report_parse(&r, v3->q + 48, 385), ATT_ERR_TRAILING);
}

static void test_quote_info(void)
{
	struct att_dcap_quote_info qi;
	struct att_diag d = {0};
	ATT_CHECK(att_dcap_quote_info(&qi, samples[0].q, samples[0].len, 0, &d) == 0,
		  "%s", att_diag_msg(&d));
	ATT_CHECK(qi.tee == ATT_DCAP_TEE_SGX && qi.ca == ATT_DCAP_CA_PROCESSOR,
		  "sgx processor");
	ATT_CHECK(memcmp(qi.fmspc, "\x00\xA0\x67\x11\x00\x00", 6) == 0, "fmspc");
	ATT_CHECK_EQ_INT(qi.pcesvn, 13);
	ATT_CHECK(att_dcap_quote_info(&qi, samples[1].q, samples[1].len, 0, &d) == 0,
		  "%s", att_diag_msg(&d));
	ATT_CHECK(qi.tee == ATT_DCAP_TEE_TDX && qi.ca == ATT_DCAP_CA_PLATFORM,
		  "tdx platform");
	ATT_CHECK(memcmp(qi.fmspc, "\xB0\xC0\x6F\x00\x00\x00", 6) == 0, "fmspc");
	ATT_CHECK_EQ_STR(att_dcap_ca_name(qi.ca), "platform");
	ATT_CHECK_EQ_STR(att_dcap_tee_name(qi.tee), "tdx");
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	att_dcap_trust_new_intel(&trust);
	for (size_t i = 0; i < NSAMPLES; i++)
		if (load(&samples[i]) != 0) {
			ATT_CHECK(0, "cannot load %s", samples[i].id);
			return att_test_done();
		}
	test_fields();
	for (size_t i = 0; i < NSAMPLES; i++)
		test_truncation(&samples[i]);
	test_mutations(&samples[0], 1500);
	test_mutations(&samples[1], 1500);
	test_mutations(&samples[2], 500);
	test_oe_header(&samples[0]);
	for (size_t i = 0; i < NSAMPLES; i++)
		test_trailing(&samples[i]);
	test_oe_trailing(&samples[0]);
	test_edits();
	test_quote_info();
	for (size_t i = 0; i < NSAMPLES; i++) {
		free(samples[i].q);
		att_dcap_collateral_free(samples[i].col);
	}
	att_dcap_trust_free(trust);
	return att_test_done();
}
