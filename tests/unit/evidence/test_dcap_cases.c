/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every case of testdata sgx/cases.json and tdx/cases.json through
 * att_dcap_verify at its verify_at time: verdict, converged / platform /
 * QE / TDX-module status, advisory IDs, platform TCB date, the measured
 * fields and the PCK values. A case expected as NO_MATCHING_TCB_LEVEL must
 * fail with ATT_ERR_TCB_NOT_FOUND ("TCB level not found"). The case whose
 * collateral windows do not overlap (sgx_mobilecoin_hw, stale PCK CRL)
 * must fail in the default strict mode with the CRL named, and give the
 * expected status plus the collateral_expired flag in QvE mode (see
 * docs/dcap-verifier.md). Each case is run cold and again warm (cache).
 * A quote whose trailing bytes are not zero padding (SPR_E4) must be
 * refused with ATT_ERR_TRAILING, and verify as expected without them.
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/hex.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"

static char root_dir[4096];

static char *path_of(const char *rel)
{
	static char p[2][8192];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", root_dir, rel);
	return p[k];
}

static uint8_t *load_quote(const char *rel, const char *enc, size_t *len)
{
	uint8_t *raw = att_read_file(path_of(rel), len), *out = NULL;
	if (!raw || strcmp(enc, "hex") != 0)
		return raw;
	size_t n = 0, out_len = 0;
	for (size_t i = 0; i < *len; i++)
		if (raw[i] > ' ')
			raw[n++] = raw[i];
	if (att_hex_decode(&out, &out_len, (char *)raw, n) != 0)
		out = NULL;
	free(raw);
	*len = out_len;
	return out;
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int load_collateral(struct att_dcap_collateral **col, json_t *c,
			   struct att_diag *d)
{
	const char *bundle = jstr(c, "bundle");
	if (bundle) {
		size_t n;
		char *text = (char *)att_read_file(path_of(bundle), &n);
		if (!text)
			return ATT_ERR_IO;
		int rc = att_dcap_collateral_from_bundle_json(col, text, n, d);
		free(text);
		return rc;
	}
	char p[5][8192];
	const char *keys[5] = {"tcb_info", "qe_identity", "tcb_chain",
			       "pck_crl", "root_crl"};
	for (int i = 0; i < 5; i++)
		snprintf(p[i], sizeof(p[i]), "%s", path_of(jstr(c, keys[i])));
	return att_dcap_collateral_from_files(col, p[0], p[1], p[2], p[3],
					      p[4], NULL, d);
}

static bool hex_is(const uint8_t *v, size_t n, const char *want)
{
	char h[256];
	if (!want)
		return true;
	for (size_t i = 0; i < n; i++)
		snprintf(h + 2 * i, 3, "%02x", v[i]);
	return strcasecmp(h, want) == 0;
}

static void check_advisories(const struct att_dcap_result *r, json_t *exp,
			     const char *id)
{
	json_t *a = json_object_get(exp, "advisory_ids"), *v;
	size_t i;
	ATT_CHECK(json_array_size(a) == r->n_advisory_ids,
		  "%s: %zu advisories, expected %zu", id, r->n_advisory_ids,
		  json_array_size(a));
	json_array_foreach(a, i, v) {
		bool found = false;
		for (size_t k = 0; k < r->n_advisory_ids; k++)
			found |= strcmp(r->advisory_ids[k],
					json_string_value(v)) == 0;
		ATT_CHECK(found, "%s: advisory %s missing", id,
			  json_string_value(v));
	}
}

static void check_fields(const struct att_dcap_result *r, json_t *f,
			 const char *id)
{
	json_t *pck = json_object_get(f, "pck");
	ATT_CHECK_EQ_INT(r->version, json_integer_value(json_object_get(f, "version")));
	ATT_CHECK_EQ_INT(r->trailing_len,
			 json_integer_value(json_object_get(f, "trailing_bytes")));
	ATT_CHECK(hex_is(r->qe_mrsigner, 32, jstr(f, "qe_mrsigner")), "%s", id);
	ATT_CHECK(hex_is(r->qe_mrenclave, 32, jstr(f, "qe_mrenclave")), "%s", id);
	ATT_CHECK_EQ_INT(r->qe_isvsvn, json_integer_value(json_object_get(f, "qe_isvsvn")));
	ATT_CHECK(hex_is(r->fmspc, 6, jstr(pck, "fmspc")), "%s fmspc", id);
	ATT_CHECK(hex_is(r->pce_id, 2, jstr(pck, "pceid")), "%s pceid", id);
	ATT_CHECK_EQ_INT(r->pcesvn, json_integer_value(json_object_get(pck, "pcesvn")));
	for (size_t i = 0; i < 16; i++)
		ATT_CHECK_EQ_INT(r->tcb_comps[i], json_integer_value(json_array_get(
			json_object_get(pck, "cpusvn_comps"), i)));
	if (r->tee == ATT_DCAP_TEE_SGX) {
		const struct att_dcap_sgx_claims *s = &r->sgx;
		ATT_CHECK(hex_is(s->mrenclave, 32, jstr(f, "mrenclave")), "%s", id);
		ATT_CHECK(hex_is(s->mrsigner, 32, jstr(f, "mrsigner")), "%s", id);
		ATT_CHECK(hex_is(s->report_data, 64, jstr(f, "report_data")), "%s", id);
		ATT_CHECK(hex_is(s->attributes, 16, jstr(f, "attributes")), "%s", id);
		ATT_CHECK_EQ_INT(s->isvprodid, json_integer_value(json_object_get(f, "isvprodid")));
		ATT_CHECK_EQ_INT(s->isvsvn, json_integer_value(json_object_get(f, "isvsvn")));
		ATT_CHECK_EQ_INT(s->debug, (s->attributes[0] & 2) != 0);
		return;
	}
	const struct att_dcap_tdx_claims *t = &r->tdx;
	ATT_CHECK(hex_is(t->mrtd, 48, jstr(f, "mrtd")), "%s mrtd", id);
	ATT_CHECK(hex_is(t->mrseam, 48, jstr(f, "mrseam")), "%s mrseam", id);
	ATT_CHECK(hex_is(t->tee_tcb_svn, 16, jstr(f, "tee_tcb_svn")), "%s", id);
	ATT_CHECK(hex_is(t->td_attributes, 8, jstr(f, "td_attributes")), "%s", id);
	ATT_CHECK(hex_is(t->xfam, 8, jstr(f, "xfam")), "%s xfam", id);
	ATT_CHECK(hex_is(t->report_data, 64, jstr(f, "report_data")), "%s", id);
	const char *rt[4] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
	for (int i = 0; i < 4; i++)
		ATT_CHECK(hex_is(t->rtmr[i], 48, jstr(f, rt[i])), "%s %s", id, rt[i]);
}

static void check_ok(const struct att_dcap_result *r, json_t *exp,
		     json_t *fields, const char *id)
{
	char date[32];
	json_t *mod = json_object_get(exp, "tdx_module");
	ATT_CHECK_EQ_STR(att_tcb_status_name(r->tcb_status), jstr(exp, "status"));
	ATT_CHECK_EQ_STR(att_tcb_status_name(r->platform_tcb_status),
			 jstr(exp, "platform_tcb_status"));
	ATT_CHECK_EQ_STR(att_tcb_status_name(r->qe_tcb_status),
			 jstr(exp, "qe_tcb_status"));
	att_time_format(date, sizeof(date), r->tcb_date);
	ATT_CHECK_EQ_STR(date, jstr(exp, "platform_tcb_date"));
	if (json_is_array(mod))
		ATT_CHECK_EQ_STR(att_tcb_status_name(r->tdx_module_status),
				 json_string_value(json_array_get(mod, 2)));
	else
		ATT_CHECK(r->tdx_module_status == ATT_TCB_STATUS_NONE, "%s", id);
	check_advisories(r, exp, id);
	check_fields(r, fields, id);
}

static int verify(struct att_dcap_result *r, const uint8_t *q, size_t n,
		  const struct att_dcap_collateral *col,
		  const struct att_dcap_trust *trust, struct att_dcap_cache *cache,
		  int64_t at, bool qve, struct att_diag *d)
{
	struct att_dcap_opts o = {.allow_expired_collateral = qve};
	att_diag_clear(d);
	return att_dcap_verify_opts(r, q, n, col, trust, cache, at, &o, d);
}

/* nonzero_tail: the quote's trailing bytes (the case's trailing_bytes
 * field) are not all zero. Real quote generation leaves only zero
 * padding; go-tdx-guest's SPR_E4 sample had 39 ASCII bytes appended for
 * a test of its own. Such a quote must be refused naming the bytes and
 * where they start; cut to its signature data it must give the case's
 * expected result. Returns the length to verify. */
static size_t nonzero_tail(const uint8_t *q, size_t n, json_t *c,
			   const struct att_dcap_trust *trust,
			   const struct att_dcap_collateral *col, int64_t at)
{
	json_t *f = json_object_get(c, "fields");
	size_t tb = (size_t)json_integer_value(
		json_object_get(f, "trailing_bytes"));
	size_t i = n - (tb < n ? tb : n);
	while (i < n && q[i] == 0)
		i++;
	if (i == n)
		return n;
	struct att_dcap_result r;
	struct att_diag d = {0};
	char want[128];
	struct att_dcap_opts o = {.allow_expired_collateral = true};
	int rc = att_dcap_verify_opts(&r, q, n, col, trust, NULL, at, &o, &d);
	printf("# %-30s with its %zu trailing bytes -> rc=%d %s\n",
	       jstr(c, "id"), tb, rc, att_diag_msg(&d));
	snprintf(want, sizeof(want), "%zu bytes after its signature data at "
		 "offset %zu are not zero padding", tb, n - tb);
	ATT_CHECK(rc == ATT_ERR_TRAILING, "%s: rc %d", jstr(c, "id"), rc);
	ATT_CHECK(strstr(att_diag_msg(&d), want) != NULL, "%s: %s",
		  jstr(c, "id"), att_diag_msg(&d));
	json_object_set_new(f, "trailing_bytes", json_integer(0));
	return n - tb;
}

/* Runs one case cold then warm; returns the cold result code. */
static void run_case(json_t *c, const struct att_dcap_trust *trust)
{
	const char *id = jstr(c, "id"), *status;
	json_t *exp = json_object_get(c, "expected");
	struct att_dcap_collateral *col = NULL;
	struct att_dcap_cache *cache = NULL;
	struct att_dcap_result r, warm;
	struct att_diag d = {0};
	size_t qlen = 0;
	int64_t at = 0;
	bool inside = json_is_true(json_object_get(c, "verify_at_inside_window"));
	uint8_t *q = load_quote(jstr(c, "quote"), jstr(c, "enc"), &qlen);
	int rc = load_collateral(&col, c, &d);
	ATT_CHECK(q != NULL, "%s: quote unreadable", id);
	ATT_CHECK(rc == 0, "%s: collateral: %s", id, att_diag_msg(&d));
	ATT_CHECK(att_time_parse(&at, jstr(c, "verify_at")) == 0, "%s", id);
	if (!q || rc) {
		free(q);
		att_dcap_collateral_free(col);
		return;
	}
	qlen = nonzero_tail(q, qlen, c, trust, col, at);
	att_dcap_cache_new(&cache, 0);
	status = jstr(exp, "status");
	bool no_level = strncmp(status, "NO_MATCHING_TCB_LEVEL", 21) == 0;
	rc = verify(&r, q, qlen, col, trust, cache, at, !inside, &d);
	printf("# %-30s %s -> rc=%d %s%s%s%s\n", id, status, rc,
	       rc ? att_diag_msg(&d) : att_tcb_status_name(r.tcb_status),
	       r.collateral_expired ? " [collateral expired: " : "",
	       r.collateral_expired ? r.collateral_expired_what : "",
	       r.collateral_expired ? "]" : "");
	if (no_level) {
		ATT_CHECK(rc == ATT_ERR_TCB_NOT_FOUND, "%s: rc %d: %s", id, rc,
			  att_diag_msg(&d));
		ATT_CHECK(strstr(att_diag_msg(&d), "TCB level not found") != NULL,
			  "%s: %s", id, att_diag_msg(&d));
	} else {
		ATT_CHECK(rc == 0, "%s: %s", id, att_diag_msg(&d));
		if (rc == 0)
			check_ok(&r, exp, json_object_get(c, "fields"), id);
		ATT_CHECK(r.collateral_expired == !inside, "%s: expiry flag", id);
	}
	/* warm: the cache must give the same answer */
	int rc2 = verify(&warm, q, qlen, col, trust, cache, at, !inside, &d);
	ATT_CHECK(rc2 == rc, "%s: warm rc %d != cold rc %d", id, rc2, rc);
	if (rc == 0 && rc2 == 0)
		ATT_CHECK(memcmp(&r, &warm, sizeof(r)) == 0,
			  "%s: warm result differs", id);
	if (!inside) {
		/* strict mode names the stale item and fails */
		rc = verify(&r, q, qlen, col, trust, NULL, at, false, &d);
		printf("# %-30s strict -> rc=%d %s\n", id, rc, att_diag_msg(&d));
		ATT_CHECK(rc == ATT_ERR_EXPIRED, "%s: strict rc %d", id, rc);
		ATT_CHECK(strstr(att_diag_msg(&d), "expired at") != NULL, "%s", id);
	}
	struct att_dcap_cache_stats st;
	att_dcap_cache_stats(cache, &st);
	if (rc == 0 && inside)
		ATT_CHECK(st.hits >= 3, "%s: %llu cache hits", id,
			  (unsigned long long)st.hits);
	att_dcap_cache_free(cache);
	att_dcap_collateral_free(col);
	free(q);
}

static int run_file(const char *rel, const struct att_dcap_trust *trust)
{
	json_error_t e;
	json_t *doc = json_load_file(path_of(rel), 0, &e), *c;
	size_t i;
	ATT_CHECK(doc != NULL, "%s: %s", rel, e.text);
	json_array_foreach(json_object_get(doc, "cases"), i, c)
		run_case(c, trust);
	int n = (int)json_array_size(json_object_get(doc, "cases"));
	json_decref(doc);
	return n;
}

/* The embedded Intel root must be the trust anchor the cases name. */
static void check_embedded_root(void)
{
	struct att_dcap_trust *t = NULL, *u = NULL;
	struct att_diag d = {0};
	size_t n;
	uint8_t *der = att_read_file(path_of("sgx/pki/intel_sgx_root_ca.der"), &n);
	ATT_CHECK(der != NULL, "root DER unreadable");
	ATT_CHECK(att_dcap_trust_new_intel(&t) == 0, "new_intel");
	ATT_CHECK(att_dcap_trust_new_empty(&u) == 0, "new_empty");
	if (der && u)
		ATT_CHECK(att_dcap_trust_add_root_der(u, der, n, &d) == 0, "%s",
			  att_diag_msg(&d));
	/* adding the same root again to the Intel trust is a no-op */
	if (der && t)
		ATT_CHECK(att_dcap_trust_add_root_der(t, der, n, &d) == 0, "%s",
			  att_diag_msg(&d));
	free(der);
	att_dcap_trust_free(t);
	att_dcap_trust_free(u);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	snprintf(root_dir, sizeof(root_dir), "%s", att_testdata());
	struct att_dcap_trust *trust = NULL;
	ATT_CHECK(att_dcap_trust_new_intel(&trust) == 0, "trust");
	check_embedded_root();
	int n = run_file("sgx/cases.json", trust);
	n += run_file("tdx/cases.json", trust);
	printf("# %d cases\n", n);
	ATT_CHECK(n >= 17, "only %d cases", n);
	att_dcap_trust_free(trust);
	return att_test_done();
}
