/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX simulator against attestd's DCAP verifier, at a fixed time with
 * a fresh simulated PKI: every TCB level gives its status and advisories
 * (and the converged status with an out-of-date QE); a debug enclave
 * verifies with debug = true; and every failure the simulator can stage
 * fails with the expected error code and a message naming the step:
 * tampered signatures (quote, QE report, QE report data binding, TCB
 * Info, QE Identity, PCK certificate), broken chains (PCK from an
 * untrusted CA, wrong root, TCB signing certificate not from the root,
 * revoked CA / TCB signing certificate), expired or not yet valid
 * collateral, a revoked PCK, a foreign FMSPC and a wrong QE identity.
 */
#include <ftw.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"
#include "sim/sgx_sim.h"

#define HOUR 3600
#define DAY 86400

static char dir_a[64], dir_b[64], dir_c[64];
static int64_t T; /* 2025-07-01T00:00:00Z: creation and verification time */

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

static char *slurp(const char *dir, const char *name)
{
	char p[512];
	size_t n = 0;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return (char *)att_read_file(p, &n);
}

static int make_dir(char *dir, size_t cap)
{
	struct att_sgxsim_init_opts o;
	struct att_diag d;
	snprintf(dir, cap, "/tmp/att_sim_verify_XXXXXX");
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		return -1;
	}
	att_sgxsim_init_opts_init(&o);
	o.now = T;
	att_diag_clear(&d);
	int r = att_sgxsim_init(dir, &o, &d);
	ATT_CHECK(r == 0, "init %s: %s", dir, att_diag_msg(&d));
	return r;
}

/* ---- verification ---- */

struct outcome {
	int rc;
	struct att_dcap_result res;
	struct att_diag d;
};

static void verify_opts(struct outcome *out, const struct att_buf *quote,
			const char *bundle, const char *root_dir,
			const struct att_dcap_opts *opts)
{
	struct att_dcap_trust *trust = NULL;
	struct att_dcap_collateral *col = NULL;
	char *root = slurp(root_dir, "root.pem");
	memset(out, 0, sizeof(*out));
	att_diag_clear(&out->d);
	out->rc = att_dcap_trust_new_empty(&trust);
	if (!out->rc)
		out->rc = root ? att_dcap_trust_add_root_pem(
				     trust, root, strlen(root), &out->d)
			       : ATT_ERR_IO;
	if (!out->rc)
		out->rc = att_dcap_collateral_from_bundle_json(
		    &col, bundle, strlen(bundle), &out->d);
	if (!out->rc)
		out->rc =
		    att_dcap_verify_opts(&out->res, quote->data, quote->len,
					 col, trust, NULL, T, opts, &out->d);
	att_dcap_collateral_free(col);
	att_dcap_trust_free(trust);
	free(root);
}

static void verify(struct outcome *out, const struct att_buf *quote,
		   const char *bundle, const char *root_dir)
{
	struct att_dcap_opts o;
	memset(&o, 0, sizeof(o));
	verify_opts(out, quote, bundle, root_dir, &o);
}

static void expect_fail(const char *what, const struct outcome *o, int code,
			const char *substr)
{
	const char *m = att_diag_msg(&o->d);
	printf("# %s: %s: %s\n", what, att_errname(o->rc), m);
	ATT_CHECK(o->rc == code, "%s: rc %s, want %s (%s)", what,
		  att_errname(o->rc), att_errname(code), m);
	ATT_CHECK(strstr(m, substr) != NULL, "%s: message \"%s\" lacks \"%s\"",
		  what, m, substr);
}

static void quote_of(struct att_buf *q, const char *dir,
		     const struct att_sgxsim_quote_opts *o)
{
	struct att_diag d;
	att_buf_init(q, ATT_SGXSIM_MAX_OUTPUT);
	att_diag_clear(&d);
	int r = att_sgxsim_quote(dir, o, q, &d);
	ATT_CHECK(r == 0, "quote from %s: %s", dir, att_diag_msg(&d));
}

static void quote_level(struct att_buf *q, const char *platform,
			const char *level)
{
	struct att_sgxsim_quote_opts o;
	att_sgxsim_quote_opts_init(&o);
	o.platform = platform;
	o.tcb = level;
	quote_of(q, dir_a, &o);
}

/* bundle_of: a freshly signed bundle of dir_a with o's overrides. */
static char *bundle_of(const struct att_sgxsim_collateral_opts *o)
{
	struct att_buf b;
	att_buf_init(&b, ATT_SGXSIM_MAX_OUTPUT);
	int r = att_sgxsim_collateral_bundle(dir_a, o, &b, NULL);
	ATT_CHECK(r == 0, "bundle: %s", att_errname(r));
	return (char *)att_buf_detach(&b, NULL);
}

static void coll_opts(struct att_sgxsim_collateral_opts *o)
{
	att_sgxsim_collateral_opts_init(o);
	o->now = T;
}

/* ---- TCB levels ---- */

struct level_case {
	const char *name;
	enum att_tcb_status status;
	const char *adv[8];
};

static const struct level_case levels[] = {
    {"UpToDate", ATT_TCB_UP_TO_DATE, {NULL}},
    {"SWHardeningNeeded",
     ATT_TCB_SW_HARDENING_NEEDED,
     {"INTEL-SA-00615", NULL}},
    {"ConfigurationNeeded",
     ATT_TCB_CONFIGURATION_NEEDED,
     {"INTEL-SA-00289", NULL}},
    {"ConfigurationAndSWHardeningNeeded",
     ATT_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
     {"INTEL-SA-00289", "INTEL-SA-00615", NULL}},
    {"OutOfDate",
     ATT_TCB_OUT_OF_DATE,
     {"INTEL-SA-00615", "INTEL-SA-00657", "INTEL-SA-00767", NULL}},
    {"OutOfDateConfigurationNeeded",
     ATT_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
     {"INTEL-SA-00289", "INTEL-SA-00614", "INTEL-SA-00615", "INTEL-SA-00617",
      NULL}},
};

/* same_advisories compares the result's advisories with want as sets. */
static bool same_advisories(const struct att_dcap_result *r,
			    const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	if (r->n_advisory_ids != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t k = 0; k < r->n_advisory_ids; k++)
			found |= !strcmp(r->advisory_ids[k], want[i]);
		if (!found)
			return false;
	}
	return true;
}

static void test_levels(const char *bundle_proc, const char *bundle_plat)
{
	for (size_t p = 0; p < 2; p++) {
		const char *pl = att_sgxsim_platforms[p];
		const char *b = p ? bundle_plat : bundle_proc;
		for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]);
		     i++) {
			struct att_buf q;
			struct outcome o;
			quote_level(&q, pl, levels[i].name);
			verify(&o, &q, b, dir_a);
			ATT_CHECK(o.rc == 0, "%s/%s: %s", pl, levels[i].name,
				  att_diag_msg(&o.d));
			ATT_CHECK(o.res.tcb_status == levels[i].status,
				  "%s/%s: status %s", pl, levels[i].name,
				  att_tcb_status_name(o.res.tcb_status));
			ATT_CHECK(same_advisories(&o.res, levels[i].adv),
				  "%s/%s: advisories (%zu)", pl, levels[i].name,
				  o.res.n_advisory_ids);
			ATT_CHECK_EQ_INT(o.res.ca, p ? ATT_DCAP_CA_PLATFORM
						     : ATT_DCAP_CA_PROCESSOR);
			ATT_CHECK(!o.res.collateral_expired, "not expired");
			att_buf_release(&q);
		}
		struct att_buf q;
		struct outcome o;
		quote_level(&q, pl, "Revoked");
		verify(&o, &q, b, dir_a);
		expect_fail("TCB level Revoked", &o, ATT_ERR_REVOKED, "TCB");
		att_buf_release(&q);
		quote_level(&q, pl, "none");
		verify(&o, &q, b, dir_a);
		expect_fail("below every TCB level", &o, ATT_ERR_TCB_NOT_FOUND,
			    "TCB level");
		att_buf_release(&q);
	}
}

static void test_claims(const char *bundle)
{
	struct att_sgxsim_quote_opts qo;
	struct att_buf q;
	struct outcome o;
	att_sgxsim_quote_opts_init(&qo);
	qo.debug = true;
	memset(qo.mrenclave, 0x11, 32);
	memset(qo.report_data, 0x42, 64);
	qo.isvprodid = 9;
	qo.isvsvn = 4;
	quote_of(&q, dir_a, &qo);
	verify(&o, &q, bundle, dir_a);
	ATT_CHECK(o.rc == 0, "debug enclave verifies: %s", att_diag_msg(&o.d));
	ATT_CHECK(o.res.sgx.debug, "debug claim true");
	ATT_CHECK(!memcmp(o.res.sgx.mrenclave, qo.mrenclave, 32), "mrenclave");
	ATT_CHECK(!memcmp(o.res.sgx.mrsigner, qo.mrsigner, 32), "mrsigner");
	ATT_CHECK(!memcmp(o.res.sgx.report_data, qo.report_data, 64), "rd");
	ATT_CHECK_EQ_INT(o.res.sgx.isvprodid, 9);
	ATT_CHECK_EQ_INT(o.res.sgx.isvsvn, 4);
	ATT_CHECK_EQ_INT(o.res.qe_isvsvn, ATT_SGXSIM_QE_ISVSVN);
	att_buf_release(&q);
	/* non-debug: debug false */
	att_sgxsim_quote_opts_init(&qo);
	quote_of(&q, dir_a, &qo);
	verify(&o, &q, bundle, dir_a);
	ATT_CHECK(o.rc == 0 && !o.res.sgx.debug, "production enclave");
	att_buf_release(&q);
	/* an out-of-date QE converges UpToDate into OutOfDate */
	qo.qe_isvsvn = 6;
	quote_of(&q, dir_a, &qo);
	verify(&o, &q, bundle, dir_a);
	ATT_CHECK(o.rc == 0, "QE OutOfDate: %s", att_diag_msg(&o.d));
	ATT_CHECK_EQ_INT(o.res.qe_tcb_status, ATT_TCB_OUT_OF_DATE);
	ATT_CHECK_EQ_INT(o.res.tcb_status, ATT_TCB_OUT_OF_DATE);
	static const char *const qe_adv[] = {"INTEL-SA-00615", NULL};
	ATT_CHECK(same_advisories(&o.res, qe_adv), "QE advisories");
	att_buf_release(&q);
}

/* ---- tampered signatures ---- */

/* flip_quote verifies the default quote with byte `off` changed. */
static void flip_quote(const char *bundle, size_t off, const char *what,
		       int code, const char *substr)
{
	struct att_buf q;
	struct outcome o;
	quote_of(&q, dir_a, NULL);
	if (off < q.len)
		q.data[off] ^= 0x01;
	verify(&o, &q, bundle, dir_a);
	expect_fail(what, &o, code, substr);
	att_buf_release(&q);
}

/* with_member returns bundle with member k replaced by v (or a bit of
 * its character at index `flip` changed when v is NULL). */
static char *with_member(const char *bundle, const char *k, const char *v,
			 size_t flip)
{
	json_t *b = json_loads(bundle, 0, NULL);
	const char *cur = json_string_value(json_object_get(b, k));
	char *nv = cur ? strdup(cur) : NULL;
	if (nv && !v && flip < strlen(nv))
		nv[flip] = nv[flip] == '0' ? '1' : '0';
	json_object_set_new(b, k, json_string(v ? v : nv ? nv : ""));
	char *s = json_dumps(b, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	free(nv);
	json_decref(b);
	return s;
}

static void test_signatures(const char *bundle)
{
	const size_t sig = 436; /* v3 signature data */
	flip_quote(bundle, sig + 5, "quote signature", ATT_ERR_SIG_INVALID,
		   "quote signature");
	flip_quote(bundle, 48 + 64, "signed body (MRENCLAVE)",
		   ATT_ERR_SIG_INVALID, "quote signature");
	flip_quote(bundle, sig + 512 + 7, "QE report signature",
		   ATT_ERR_SIG_INVALID, "QE report signature");
	flip_quote(bundle, sig + 128 + 64, "QE report (signed by PCK)",
		   ATT_ERR_SIG_INVALID, "QE report signature");
	flip_quote(bundle, sig + 578 + 3, "QE auth data vs REPORTDATA",
		   ATT_ERR_MISMATCH, "QE report data");
	flip_quote(bundle, sig + 64 + 9, "attestation key vs REPORTDATA",
		   ATT_ERR_MISMATCH, "QE report data");

	struct outcome o;
	struct att_buf q;
	char *b = with_member(bundle, "tcb_info_signature", NULL, 10);
	quote_of(&q, dir_a, NULL);
	verify(&o, &q, b, dir_a);
	expect_fail("TCB Info signature", &o, ATT_ERR_SIG_INVALID, "TCB Info");
	free(b);
	b = with_member(bundle, "qe_identity_signature", NULL, 70);
	verify(&o, &q, b, dir_a);
	expect_fail("QE Identity signature", &o, ATT_ERR_SIG_INVALID,
		    "QE Identity");
	free(b);
	/* the signed text itself (tcbEvaluationDataNumber 17 -> 18) */
	json_t *j = json_loads(bundle, 0, NULL);
	char *ti = strdup(json_string_value(json_object_get(j, "tcb_info")));
	json_decref(j);
	char *p = strstr(ti, "\"tcbEvaluationDataNumber\":17");
	if (p)
		p[strlen("\"tcbEvaluationDataNumber\":1")] = '8';
	b = with_member(bundle, "tcb_info", ti, 0);
	verify(&o, &q, b, dir_a);
	expect_fail("TCB Info body", &o, ATT_ERR_SIG_INVALID, "TCB Info");
	free(b);
	free(ti);
	ATT_CHECK_EQ_INT(att_sgxsim_tamper_pck_sig(q.data, q.len), 0);
	verify(&o, &q, bundle, dir_a);
	expect_fail("PCK certificate signature", &o, ATT_ERR_SIG_INVALID,
		    "PCK certificate chain");
	att_buf_release(&q);
}

/* ---- chains ---- */

static char *concat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);
	if (s) {
		memcpy(s, a, na);
		memcpy(s + na, b, nb + 1);
	}
	return s;
}

/* dir_c's PCK certificates were issued by dir_b's CA (same name). */
static void test_untrusted_pck(void)
{
	struct outcome o;
	struct att_buf q;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_sgxsim_graft_pck(dir_c, dir_b, "processor", &d);
	ATT_CHECK(r == 0, "graft: %s", att_diag_msg(&d));
	char *bundle_c = slurp(dir_c, "collateral.json");
	quote_of(&q, dir_c, NULL);
	verify(&o, &q, bundle_c ? bundle_c : "", dir_c);
	expect_fail("PCK signed by an untrusted CA", &o, ATT_ERR_CHAIN_INVALID,
		    "PCK certificate chain");
	att_buf_release(&q);
	free(bundle_c);
}

/* TCB Info signed by dir_b's TCB signing cert, chained to dir_a's root. */
static void test_tcb_chain(const char *bundle, const struct att_buf *q)
{
	struct outcome o;
	char *tcb_b = slurp(dir_b, "tcb_signing.pem");
	char *root_a = slurp(dir_a, "root.pem");
	char *chain = tcb_b && root_a ? concat(tcb_b, root_a) : NULL;
	char *bundle_b = slurp(dir_b, "collateral.json");
	json_t *jb = bundle_b ? json_loads(bundle_b, 0, NULL) : NULL;
	const char *ti = json_string_value(json_object_get(jb, "tcb_info"));
	const char *sig =
	    json_string_value(json_object_get(jb, "tcb_info_signature"));
	char *x = with_member(bundle, "tcb_info_issuer_chain", chain, 0);
	char *y = with_member(x, "tcb_info", ti, 0);
	char *z = with_member(y, "tcb_info_signature", sig, 0);
	verify(&o, q, z, dir_a);
	expect_fail("TCB signing cert not from the root", &o,
		    ATT_ERR_CHAIN_INVALID, "TCB Info signing");
	free(x);
	free(y);
	free(z);
	json_decref(jb);
	free(bundle_b);
	free(chain);
	free(root_a);
	free(tcb_b);
}

static void test_chains(const char *bundle)
{
	struct outcome o;
	struct att_buf q;
	struct att_sgxsim_collateral_opts co;
	test_untrusted_pck();
	/* the right chain, but trusting another root */
	quote_of(&q, dir_a, NULL);
	verify(&o, &q, bundle, dir_b);
	expect_fail("wrong root", &o, ATT_ERR_CHAIN_INVALID, "root");
	test_tcb_chain(bundle, &q);
	/* revocations in the root CA CRL */
	coll_opts(&co);
	co.revoke_tcb_signing = true;
	char *b = bundle_of(&co);
	verify(&o, &q, b ? b : "", dir_a);
	expect_fail("TCB signing cert revoked", &o, ATT_ERR_REVOKED,
		    "TCB Signing revoked");
	free(b);
	coll_opts(&co);
	co.revoke_pck_ca = true;
	b = bundle_of(&co);
	verify(&o, &q, b ? b : "", dir_a);
	expect_fail("PCK CA revoked", &o, ATT_ERR_REVOKED,
		    "Processor CA revoked");
	free(b);
	att_buf_release(&q);
}

/* ---- collateral validity ---- */

struct date_case {
	const char *what;
	size_t off;   /* offsetof the issue field; the next field follows */
	bool not_yet; /* issue in the future instead of next in the past */
	int code;
	const char *substr;
};

#define CO(f) offsetof(struct att_sgxsim_collateral_opts, f)

static const struct date_case dates[] = {
    {"TCB Info expired", CO(tcb_info_issue), false, ATT_ERR_EXPIRED,
     "TCB Info"},
    {"QE Identity expired", CO(qe_identity_issue), false, ATT_ERR_EXPIRED,
     "QE Identity"},
    {"PCK CRL expired", CO(pck_crl_issue), false, ATT_ERR_EXPIRED, "CRL"},
    {"root CA CRL expired", CO(root_crl_issue), false, ATT_ERR_EXPIRED, "CRL"},
    {"PCK CRL not yet valid", CO(pck_crl_issue), true, ATT_ERR_NOT_YET_VALID,
     "CRL"},
    {"root CA CRL not yet valid", CO(root_crl_issue), true,
     ATT_ERR_NOT_YET_VALID, "CRL"},
    {"TCB Info not yet valid", CO(tcb_info_issue), true, ATT_ERR_NOT_YET_VALID,
     "TCB Info"},
    {"QE Identity not yet valid", CO(qe_identity_issue), true,
     ATT_ERR_NOT_YET_VALID, "QE Identity"},
};

static void test_dates(void)
{
	struct att_buf q;
	quote_of(&q, dir_a, NULL);
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		struct att_sgxsim_collateral_opts co;
		struct outcome o;
		coll_opts(&co);
		int64_t *issue = (int64_t *)((char *)&co + dates[i].off);
		issue[0] = dates[i].not_yet ? T + HOUR : T - 31 * DAY;
		issue[1] = dates[i].not_yet ? T + 31 * DAY : T - HOUR;
		char *b = bundle_of(&co);
		verify(&o, &q, b ? b : "", dir_a);
		expect_fail(dates[i].what, &o, dates[i].code, dates[i].substr);
		if (!dates[i].not_yet) {
			/* QvE style: accepted, but flagged */
			struct att_dcap_opts vo = {.allow_expired_collateral =
						       true};
			verify_opts(&o, &q, b ? b : "", dir_a, &vo);
			ATT_CHECK(o.rc == 0 && o.res.collateral_expired,
				  "%s flagged: %s", dates[i].what,
				  att_diag_msg(&o.d));
		}
		free(b);
	}
	/* a second later than everything's nextUpdate: all expired */
	att_buf_release(&q);
}

/* ---- revoked PCK, FMSPC, QE identity ---- */

static void test_identity(const char *bundle)
{
	struct att_sgxsim_quote_opts qo;
	struct att_sgxsim_collateral_opts co;
	struct att_buf q;
	struct outcome o;
	att_sgxsim_quote_opts_init(&qo);
	qo.revoked = true;
	quote_of(&q, dir_a, &qo);
	verify(&o, &q, bundle, dir_a);
	expect_fail("revoked PCK", &o, ATT_ERR_REVOKED, "PCK");
	att_buf_release(&q);

	quote_of(&q, dir_a, NULL);
	coll_opts(&co);
	co.has_fmspc = true;
	memcpy(co.fmspc, "\x00\x90\x6e\xa1\x00\x00", 6);
	char *b = bundle_of(&co);
	verify(&o, &q, b ? b : "", dir_a);
	expect_fail("TCB Info for another FMSPC", &o, ATT_ERR_MISMATCH,
		    "FMSPC");
	free(b);
	/* the platform-CA quote against the processor platform's TCB Info */
	coll_opts(&co);
	co.platform = "platform";
	b = bundle_of(&co);
	verify(&o, &q, b ? b : "", dir_a);
	ATT_CHECK(o.rc != 0, "processor quote with platform collateral");
	free(b);

	coll_opts(&co);
	co.has_qe_mrsigner = true;
	memset(co.qe_mrsigner, 0x3c, 32);
	b = bundle_of(&co);
	verify(&o, &q, b ? b : "", dir_a);
	expect_fail("QE MRSIGNER mismatch", &o, ATT_ERR_MISMATCH, "MRSIGNER");
	free(b);
	coll_opts(&co);
	co.qe_isvprodid = 2;
	b = bundle_of(&co);
	verify(&o, &q, b ? b : "", dir_a);
	expect_fail("QE ISVPRODID mismatch", &o, ATT_ERR_MISMATCH, "ISVPRODID");
	free(b);
	att_buf_release(&q);
}

int main(void)
{
	if (att_time_parse(&T, "2025-07-01T00:00:00Z"))
		return 1;
	if (make_dir(dir_a, sizeof(dir_a)) || make_dir(dir_b, sizeof(dir_b)) ||
	    make_dir(dir_c, sizeof(dir_c)))
		goto out;
	struct att_sgxsim_collateral_opts co;
	coll_opts(&co);
	co.platform = "platform";
	char *bundle = slurp(dir_a, "collateral.json");
	char *bundle_plat = bundle_of(&co);
	if (bundle && bundle_plat) {
		test_levels(bundle, bundle_plat);
		test_claims(bundle);
		test_signatures(bundle);
		test_chains(bundle);
		test_dates();
		test_identity(bundle);
	}
	free(bundle);
	free(bundle_plat);
out:
	rm_rf(dir_a);
	rm_rf(dir_b);
	rm_rf(dir_c);
	return att_test_done();
}
