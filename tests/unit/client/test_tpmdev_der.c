/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The EK certificate scan of the client's TPM module (tpm_dev.c), now read
 * through att_cur_get_der: the length of the DER certificate at the start
 * of NV data that may carry padding after it. Real certificates from the
 * test vectors and synthetic ones in every length form; every prefix (a
 * truncated NV read) and single-byte mutations, each compared with the
 * scan as it was before it moved to the cursor (old_span below), so the
 * accepted set and the lengths are unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "base/limits.h"
#include "client/tpm_dev.h"
#include "harness/tap.h"

/* old_span: the pre-cursor scan (0: no certificate), the reference. */
static size_t old_span(const uint8_t *p, size_t n)
{
	if (n < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80)
		return 2u + p[1] <= n ? 2u + p[1] : 0;
	size_t k = p[1] & 0x7f, len = 0;
	if (k == 0 || k > 3 || n < 2 + k)
		return 0;
	for (size_t i = 0; i < k; i++)
		len = len << 8 | p[2 + i];
	return 2 + k + len <= n ? 2 + k + len : 0;
}

static size_t mismatches;

/* same checks one buffer against the reference (counted, reported once). */
static void same(const uint8_t *p, size_t n, const char *what, size_t at)
{
	size_t len = 12345, want = old_span(p, n);
	int r = att_tpmdev_cert_span(p, n, &len);
	bool ok = want ? r == 0 && len == want
		       : (r == ATT_ERR_FORMAT || r == ATT_ERR_TRUNCATED) &&
				 len == 0;
	if (!ok && mismatches++ < 5)
		printf("# %s at %zu (n=%zu): r=%d len=%zu, want %zu\n", what,
		       at, n, r, len, want);
}

/* every_prefix: every prefix shorter than the element is
 * ATT_ERR_TRUNCATED with the cursor unchanged; every longer one
 * (padding) gives the element's length and leaves the padding. */
static void every_prefix(const uint8_t *p, size_t n, size_t elem,
			 const char *what)
{
	size_t bad = 0, before = mismatches;
	for (size_t i = 0; i <= n; i++) {
		size_t len = 1;
		struct att_cur c, e;
		int r = att_tpmdev_cert_span(p, i, &len);
		if (i < elem ? r != ATT_ERR_TRUNCATED || len != 0
			     : r != 0 || len != elem)
			bad++;
		att_cur_init(&c, p, i);
		r = att_cur_get_der(&c, 0x30, &e);
		if (i < elem ? r != ATT_ERR_TRUNCATED || c.p != p ||
				       c.len != i || e.p || e.len
			     : r != 0 || e.p != p || e.len != elem ||
				       c.len != i - elem)
			bad++;
		same(p, i, what, i);
	}
	ATT_CHECK(bad == 0 && mismatches == before,
		  "%s: every prefix of %zu bytes (%zu wrong, %zu differ)", what,
		  n, bad, mismatches - before);
}

/* mutate: every byte of the header with every value, every later byte
 * flipped, each compared with the reference (lengths and refusals). */
static void mutate(const uint8_t *p, size_t n, const char *what)
{
	uint8_t *m = malloc(n);
	size_t before = mismatches, tried = 0;
	if (!m) {
		ATT_CHECK(0, "%s: out of memory", what);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned top = i < 6 ? 256 : 1;
		for (unsigned v = 0; v < top; v++) {
			memcpy(m, p, n);
			m[i] = i < 6 ? (uint8_t)v : (uint8_t)(m[i] ^ 0xA5);
			same(m, n, what, i);
			tried++;
		}
	}
	free(m);
	ATT_CHECK(mismatches == before, "%s: %zu mutations, %zu differ", what,
		  tried, mismatches - before);
}

/* synth builds 0x30, a length in the given number of octets (0: short
 * form), content bytes, then pad bytes of 0xFF (unused NV). */
static uint8_t *synth(size_t content, int octets, size_t pad, size_t *n,
		      size_t *elem)
{
	size_t hdr = 2 + (size_t)octets;
	uint8_t *b;
	*elem = hdr + content;
	*n = *elem + pad;
	if (!(b = malloc(*n)))
		return NULL;
	memset(b, 0x5A, *n);
	b[0] = 0x30;
	if (octets == 0) {
		b[1] = (uint8_t)content;
	} else {
		b[1] = (uint8_t)(0x80 | octets);
		for (int k = 0; k < octets; k++)
			b[2 + k] = (uint8_t)(content >> (8 * (octets - 1 - k)));
	}
	memset(b + *elem, 0xFF, pad);
	return b;
}

static void test_synthetic(void)
{
	static const struct {
		size_t content;
		int octets;
	} cases[] = {{0, 0}, {5, 0}, {127, 0}, {0, 1}, {128, 1}, {255, 1},
		     {300, 2}, {1200, 2}, {70, 3}, {1500, 3}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n, elem;
		char what[64];
		uint8_t *b = synth(cases[i].content, cases[i].octets, 17, &n,
				   &elem);
		snprintf(what, sizeof(what), "content %zu, %d length octets",
			 cases[i].content, cases[i].octets);
		if (!b) {
			ATT_CHECK(0, "%s: out of memory", what);
			continue;
		}
		every_prefix(b, n, elem, what);
		mutate(b, n < 64 ? n : 64, what);
		free(b);
	}
}

static void test_refused(void)
{
	/* 4 length octets (above ATT_DER_MAX_LEN_OCTETS), the indefinite
	 * form, another identifier, empty, a lone identifier */
	static const uint8_t four[] = {0x30, 0x84, 0, 0, 0, 1, 0xAA};
	static const uint8_t indef[] = {0x30, 0x80, 0xAA, 0, 0};
	static const uint8_t set[] = {0x31, 0x01, 0xAA};
	static const uint8_t one[] = {0x30};
	size_t len = 7;
	ATT_CHECK_EQ_INT(ATT_DER_MAX_LEN_OCTETS, 3);
	ATT_CHECK_EQ_INT(att_tpmdev_cert_span(four, sizeof(four), &len),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(len, 0);
	ATT_CHECK_EQ_INT(att_tpmdev_cert_span(indef, sizeof(indef), &len),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_tpmdev_cert_span(set, sizeof(set), &len),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_tpmdev_cert_span(one, 0, &len),
			 ATT_ERR_TRUNCATED);
	ATT_CHECK_EQ_INT(att_tpmdev_cert_span(NULL, 0, &len),
			 ATT_ERR_TRUNCATED);
	ATT_CHECK_EQ_INT(att_tpmdev_cert_span(one, sizeof(one), &len),
			 ATT_ERR_TRUNCATED);
	/* the length says more than there is: truncated, not format */
	static const uint8_t longer[] = {0x30, 0x82, 0x01, 0x00, 0xAA};
	ATT_CHECK_EQ_INT(att_tpmdev_cert_span(longer, sizeof(longer), &len),
			 ATT_ERR_TRUNCATED);
	ATT_CHECK_EQ_INT(len, 0);
}

/* The cursor itself: transactional, and it advances past the element. */
static void test_cursor(void)
{
	static const uint8_t two[] = {0x30, 0x01, 0xAA, 0x30, 0x81, 0x02,
				      0xBB, 0xCC, 0xEE};
	struct att_cur c, e;
	att_cur_init(&c, two, sizeof(two));
	ATT_CHECK_EQ_INT(att_cur_get_der(&c, 0x30, &e), 0);
	ATT_CHECK(e.p == two && e.len == 3, "first element: %zu", e.len);
	ATT_CHECK_EQ_INT(att_cur_get_der(&c, 0x31, &e), ATT_ERR_FORMAT);
	ATT_CHECK(c.p == two + 3 && c.len == 6 && e.p == NULL && e.len == 0,
		  "a refusal leaves the cursor unchanged");
	ATT_CHECK_EQ_INT(att_cur_get_der(&c, 0x30, &e), 0);
	ATT_CHECK(e.p == two + 3 && e.len == 5 && c.len == 1,
		  "second element: %zu, %zu left", e.len, c.len);
	ATT_CHECK_EQ_INT(att_cur_get_der(&c, 0x30, &e), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(c.len, 1);
}

static void test_vectors(const char *dir)
{
	static const char *const names[] = {
		"tpm/ca/gce_tpm_ek_root_1.cer",
		"tpm/ca/gce_tpm_ek_intermediate_2.crt",
		"tpm/ca/gcp_ek_ak_ca_root.crt",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096];
		size_t n = 0, len = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unsigned char *der = att_read_file(path, &n);
		ATT_CHECK(der != NULL && n > 4, "%s readable", names[i]);
		if (!der)
			continue;
		/* as NV holds it: the certificate, then 0xFF up to the size */
		uint8_t *nv = malloc(n + 64);
		if (!nv) {
			free(der);
			ATT_CHECK(0, "out of memory");
			continue;
		}
		memcpy(nv, der, n);
		memset(nv + n, 0xFF, 64);
		ATT_CHECK_EQ_INT(att_tpmdev_cert_span(nv, n + 64, &len), 0);
		ATT_CHECK(len == n, "%s: %zu bytes, file %zu", names[i], len, n);
		every_prefix(nv, n + 64, n, names[i]);
		mutate(nv, n + 64, names[i]);
		free(nv);
		free(der);
	}
}

/* random: short random buffers starting with 0x30, against the reference */
static void test_random(void)
{
	uint64_t s = 0x9E3779B97F4A7C15u;
	uint8_t b[16];
	size_t before = mismatches, accepted = 0;
	for (int i = 0; i < 200000; i++) {
		for (size_t k = 0; k < sizeof(b); k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			b[k] = (uint8_t)s;
		}
		b[0] = 0x30;
		/* lengths 0..15 or long forms of 0..15 octets */
		b[1] = (uint8_t)(b[1] & 0x8F);
		size_t n = s % (sizeof(b) + 1);
		same(b, n, "random", (size_t)i);
		accepted += old_span(b, n) != 0;
	}
	ATT_CHECK(mismatches == before && accepted > 1000,
		  "200000 random buffers: %zu differ, %zu accepted",
		  mismatches - before, accepted);
}

int main(void)
{
	test_refused();
	test_cursor();
	test_synthetic();
	test_random();
	ATT_REQUIRE_TESTDATA();
	test_vectors(att_testdata());
	ATT_CHECK(mismatches == 0, "%zu mismatches with the reference",
		  mismatches);
	return att_test_done();
}
