/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Robustness of attestd's DCAP verifier on simulated quotes: every proper
 * prefix of a valid quote is rejected (without crashing; run under ASan),
 * and random single-byte mutations never verify unless they provably
 * leave every signed byte and every certificate's DER unchanged (the
 * NUL terminator of the PEM chain, a base64 character's unused bits).
 */
#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"
#include "sim/sgx_sim.h"

#define N_MUTATIONS 3000
#define CERT_DATA_OFF (436 + 578 + 32 + 6) /* v3, 32-byte QE auth data */

static char dir[64];
static int64_t T;
static struct att_dcap_trust *trust;
static struct att_dcap_collateral *col;

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static char *slurp(const char *name)
{
	char p[512];
	size_t n = 0;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return (char *)att_read_file(p, &n);
}

static int setup(void)
{
	struct att_sgxsim_init_opts o;
	struct att_diag d;
	att_sgxsim_init_opts_init(&o);
	o.now = T;
	att_diag_clear(&d);
	if (att_sgxsim_init(dir, &o, &d))
		return -1;
	char *root = slurp("root.pem"), *bundle = slurp("collateral.json");
	int r = root && bundle ? att_dcap_trust_new_empty(&trust) : -1;
	if (!r)
		r = att_dcap_trust_add_root_pem(trust, root, strlen(root), &d);
	if (!r)
		r = att_dcap_collateral_from_bundle_json(&col, bundle,
							 strlen(bundle), &d);
	ATT_CHECK(r == 0, "setup: %s", att_diag_msg(&d));
	free(root);
	free(bundle);
	return r;
}

static int verify(const uint8_t *q, size_t len, struct att_diag *d)
{
	struct att_dcap_result res;
	att_diag_clear(d);
	return att_dcap_verify(&res, q, len, col, trust, NULL, T, d);
}

static void test_truncation(const struct att_buf *q)
{
	struct att_diag d;
	size_t accepted = 0, bad_code = 0;
	ATT_CHECK(verify(q->data, q->len, &d) == 0, "full quote: %s",
		  att_diag_msg(&d));
	for (size_t n = 0; n < q->len; n++) {
		/* a fresh copy of exactly n bytes, so ASan sees overreads */
		uint8_t *p = malloc(n ? n : 1);
		if (!p)
			break;
		memcpy(p, q->data, n);
		int r = verify(p, n, &d);
		accepted += r == 0;
		bad_code += r > 0 || !d.msg[0];
		free(p);
	}
	ATT_CHECK(accepted == 0, "%zu truncated prefixes verified", accepted);
	ATT_CHECK(bad_code == 0, "%zu prefixes failed without a message",
		  bad_code);
}

/* der_tlv_len: the length of the DER TLV at p[0..n), or 0. */
static size_t der_tlv_len(const uint8_t *p, size_t n)
{
	if (n < 2)
		return 0;
	size_t len = p[1], hl = 2;
	if (len & 0x80) {
		size_t k = len & 0x7f;
		if (k == 0 || k > 3 || n < 2 + k)
			return 0;
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		hl += k;
	}
	return hl + len <= n ? hl + len : 0;
}

/* certs_der decodes every PEM certificate of text[0..n) and appends its
 * DER certificate (the first TLV: what X.509 parsers read) to out, so
 * that two chains can be compared. Returns the count or -1. */
static int certs_der(const uint8_t *text, size_t n, struct att_buf *out)
{
	const char *b = "-----BEGIN CERTIFICATE-----";
	const char *e = "-----END CERTIFICATE-----";
	const uint8_t *p = text, *end = text + n;
	int count = 0;
	while (p < end) {
		const uint8_t *s = memmem(p, (size_t)(end - p), b, strlen(b));
		if (!s)
			break;
		s += strlen(b);
		const uint8_t *t = memmem(s, (size_t)(end - s), e, strlen(e));
		if (!t)
			return -1;
		char *txt = malloc((size_t)(t - s) + 1);
		size_t k = 0;
		for (const uint8_t *c = s; txt && c < t; c++)
			if (!isspace(*c)) /* PEM readers skip whitespace */
				txt[k++] = (char)*c;
		uint8_t *der = NULL;
		size_t dl = 0;
		int r = txt ? att_b64_decode(&der, &dl, txt, k) : -1;
		size_t tlv = r ? 0 : der_tlv_len(der, dl);
		r = tlv ? att_buf_add(out, der, tlv) : -1;
		free(der);
		free(txt);
		if (r)
			return -1;
		count++;
		p = t + strlen(e);
	}
	return count;
}

/* benign: the mutation at off left every signed byte and every
 * certificate's DER unchanged. */
static bool benign(const struct att_buf *orig, const uint8_t *mut, size_t off)
{
	if (off < CERT_DATA_OFF)
		return false;
	struct att_buf a, b;
	att_buf_init(&a, ATT_SGXSIM_MAX_OUTPUT);
	att_buf_init(&b, ATT_SGXSIM_MAX_OUTPUT);
	size_t n = orig->len - CERT_DATA_OFF;
	int ca = certs_der(orig->data + CERT_DATA_OFF, n, &a);
	int cb = certs_der(mut + CERT_DATA_OFF, n, &b);
	bool same = ca == 3 && cb == 3 && a.len == b.len &&
		    !memcmp(a.data, b.data, a.len);
	att_buf_release(&a);
	att_buf_release(&b);
	return same;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_mutations(const struct att_buf *q)
{
	struct att_diag d;
	size_t verified = 0, unexplained = 0;
	uint8_t *p = malloc(q->len);
	if (!p)
		return;
	for (int i = 0; i < N_MUTATIONS; i++) {
		size_t off = (size_t)(next_rand() % q->len);
		uint8_t x = (uint8_t)(1 + next_rand() % 255);
		memcpy(p, q->data, q->len);
		p[off] ^= x;
		if (verify(p, q->len, &d) != 0)
			continue;
		verified++;
		if (!benign(q, p, off)) {
			unexplained++;
			printf("# mutation at %zu (^%02x) verified: '%.*s'\n",
			       off, x, 24,
			       (const char *)q->data +
				   (off > 12 ? off - 12 : 0));
		}
	}
	free(p);
	printf("# %d mutations, %zu verified, all benign\n", N_MUTATIONS,
	       verified);
	ATT_CHECK(unexplained == 0, "%zu mutations of signed data verified",
		  unexplained);
}

int main(void)
{
	if (att_time_parse(&T, "2025-07-01T00:00:00Z"))
		return 1;
	snprintf(dir, sizeof(dir), "/tmp/att_sim_robust_XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	if (setup() == 0) {
		struct att_buf q;
		att_buf_init(&q, ATT_SGXSIM_MAX_OUTPUT);
		int r = att_sgxsim_quote(dir, NULL, &q, NULL);
		ATT_CHECK(r == 0, "quote");
		if (r == 0) {
			test_truncation(&q);
			test_mutations(&q);
		}
		att_buf_release(&q);
	}
	att_dcap_collateral_free(col);
	att_dcap_trust_free(trust);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return att_test_done();
}
