/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX simulator's output, checked for shape without a verifier: the
 * directory (files, 0600 private keys, manifest), the collateral bundle
 * (exactly the fields of sgx_ql_qve_collateral_t in Intel's order, CRLs
 * as hex of the DER files, bare signed bodies equal to the PCS files'
 * inner objects), and quotes parsed by the DCAP parser (v3 header, Intel
 * vendor ID, report fields from the options, QE report data binding, PEM
 * chain type 5), plus the simulator's own error paths.
 */
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "evidence/sgx/collateral.h"
#include "evidence/sgx/quote.h"
#include "harness/tap.h"
#include "sim/sgx_sim.h"

static char dir[64];

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rm_rf(const char *p) { nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

static unsigned char *slurp(const char *name, size_t *len)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return att_read_file(p, len);
}

static unsigned mode_of(const char *name)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0 ? (unsigned)(st.st_mode & 0777) : 0;
}

static void test_files(void)
{
	static const char *keys[] = {
	    "root.key",	       "processor_ca.key",	 "platform_ca.key",
	    "tcb_signing.key", "qe_attestation_key.pem", "processor/pck.key",
	    "platform/pck.key"};
	static const char *pub[] = {"root.pem",
				    "root.der",
				    "processor_ca.pem",
				    "platform_ca.pem",
				    "tcb_signing.pem",
				    "tcb_signing_chain.pem",
				    "root_ca_crl.der",
				    "root_ca_crl.pem",
				    "pck_processor_crl.der",
				    "pck_processor_crl.pem",
				    "pck_platform_crl.der",
				    "pck_platform_crl.pem",
				    "qe_identity.json",
				    "collateral.json",
				    "manifest.json",
				    "README",
				    "processor/tcb_info.json",
				    "processor/collateral.json",
				    "platform/tcb_info.json",
				    "platform/collateral.json",
				    "processor/pck_UpToDate.pem",
				    "processor/pck_none.pem",
				    "processor/pck_crl_listed.pem",
				    "platform/pck_Revoked.pem"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ATT_CHECK(mode_of(keys[i]) == 0600, "%s mode %o", keys[i],
			  mode_of(keys[i]));
	for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		ATT_CHECK(mode_of(pub[i]) != 0, "%s missing", pub[i]);
	size_t n = 0;
	unsigned char *m = slurp("manifest.json", &n);
	json_t *j = m ? json_loadb((char *)m, n, 0, NULL) : NULL;
	const char *w = json_string_value(json_object_get(j, "warning"));
	ATT_CHECK(w && strstr(w, "never trust"), "manifest warning");
	ATT_CHECK(json_array_size(json_object_get(j, "platforms")) == 2,
		  "manifest platforms");
	json_decref(j);
	free(m);
}

static const char *const bundle_keys[] = {
    "pck_crl_issuer_chain",	"root_ca_crl", "pck_crl",
    "tcb_info_issuer_chain",	"tcb_info",    "tcb_info_signature",
    "qe_identity_issuer_chain", "qe_identity", "qe_identity_signature"};

/* check_hex_file: bundle member k is the hex of file f. */
static void check_hex_file(json_t *b, const char *k, const char *f)
{
	size_t n = 0;
	unsigned char *der = slurp(f, &n);
	const char *h = json_string_value(json_object_get(b, k));
	char *want = der ? att_hex_encode_alloc(der, n) : NULL;
	ATT_CHECK(want && h && !strcmp(want, h), "%s != hex(%s)", k, f);
	free(der);
	free(want);
}

/* check_pcs_body: the inner object of a PCS file is the bundle text. */
static void check_pcs_body(json_t *b, const char *k, const char *file,
			   const char *member)
{
	size_t n = 0, off = 0, sl = 0;
	char *t = (char *)slurp(file, &n);
	const char *body = json_string_value(json_object_get(b, k));
	int r = t ? att_json_member_span(t, n, member, &off, &sl) : -1;
	ATT_CHECK(r == 0 && body && strlen(body) == sl &&
		      !memcmp(t + off, body, sl),
		  "%s body differs from %s", k, file);
	free(t);
}

static void test_bundle(void)
{
	size_t n = 0;
	char *s = (char *)slurp("collateral.json", &n);
	json_t *b = s ? json_loadb(s, n, 0, NULL) : NULL;
	ATT_CHECK(b && json_object_size(b) == 9, "bundle has 9 members");
	ATT_CHECK(s && !strncmp(s, "{\n  \"pck_crl_issuer_chain\": ", 27),
		  "bundle starts like dcap-qvl's");
	const char *prev = s;
	for (size_t i = 0; s && i < 9; i++) {
		char q[64];
		snprintf(q, sizeof(q), "\"%s\":", bundle_keys[i]);
		const char *at = strstr(s, q);
		ATT_CHECK(at && at >= prev, "member %s in order", q);
		prev = at ? at : prev;
	}
	check_hex_file(b, "root_ca_crl", "root_ca_crl.der");
	check_hex_file(b, "pck_crl", "pck_processor_crl.der");
	check_pcs_body(b, "tcb_info", "processor/tcb_info.json", "tcbInfo");
	check_pcs_body(b, "qe_identity", "qe_identity.json", "enclaveIdentity");
	const char *sig =
	    json_string_value(json_object_get(b, "tcb_info_signature"));
	ATT_CHECK(sig && strlen(sig) == 128, "signature is 128 hex chars");
	struct att_tcb_info *ti = NULL;
	const char *tb = json_string_value(json_object_get(b, "tcb_info"));
	struct att_diag d;
	att_diag_clear(&d);
	int r = tb && sig ? att_tcb_info_parse(&ti, tb, strlen(tb), sig,
					       strlen(sig), &d)
			  : -1;
	ATT_CHECK(r == 0, "tcb info parses: %s", att_diag_msg(&d));
	if (ti) {
		ATT_CHECK_EQ_INT(ti->version, 3);
		ATT_CHECK_EQ_INT(ti->n_levels, 7);
		ATT_CHECK(!memcmp(ti->fmspc, "\x00\x90\x6e\xd5\x00\x00", 6),
			  "fmspc");
		ATT_CHECK_EQ_INT(ti->levels[0].status, ATT_TCB_UP_TO_DATE);
		ATT_CHECK_EQ_INT(ti->levels[6].status, ATT_TCB_REVOKED);
	}
	att_tcb_info_free(ti);
	json_decref(b);
	free(s);
}

static void check_binding(const struct att_sgx_quote *q)
{
	uint8_t buf[64 + 64], h[32];
	memcpy(buf, q->att_key, 64);
	memcpy(buf + 64, q->qe_auth, q->qe_auth_len);
	att_sha256(h, buf, 64 + (size_t)q->qe_auth_len);
	ATT_CHECK(!memcmp(q->qe_report.report_data, h, 32),
		  "QE REPORTDATA binds the attestation key");
	static const uint8_t zero[32];
	ATT_CHECK(!memcmp(q->qe_report.report_data + 32, zero, 32),
		  "QE REPORTDATA[32..63] zero");
}

static void check_parsed(const struct att_sgx_quote *q,
			 const struct att_sgxsim_quote_opts *o)
{
	ATT_CHECK_EQ_INT(q->version, 3);
	ATT_CHECK_EQ_INT(q->att_key_type, 2);
	ATT_CHECK_EQ_INT(q->tee_type, 0);
	ATT_CHECK_EQ_INT(q->qe_svn, ATT_SGXSIM_QE_ISVSVN);
	ATT_CHECK_EQ_INT(q->pce_svn, 13);
	ATT_CHECK(!memcmp(q->qe_vendor_id, att_sgx_intel_qe_vendor_id, 16),
		  "vendor id");
	ATT_CHECK(!memcmp(q->sgx.mrenclave, o->mrenclave, 32), "mrenclave");
	ATT_CHECK(!memcmp(q->sgx.mrsigner, o->mrsigner, 32), "mrsigner");
	ATT_CHECK(!memcmp(q->sgx.report_data, o->report_data, 64), "rd");
	ATT_CHECK(!memcmp(q->sgx.configid, o->config_id, 64), "configid");
	ATT_CHECK_EQ_INT(q->sgx.isvprodid, 0x1234);
	ATT_CHECK_EQ_INT(q->sgx.isvsvn, 7);
	ATT_CHECK_EQ_INT(q->sgx.configsvn, 3);
	ATT_CHECK_EQ_INT(q->sgx.flags, 0x02 | 0x01 | 0x04 | 0x80);
	ATT_CHECK_EQ_INT(q->sgx.cpusvn[0], 13);
	ATT_CHECK_EQ_INT(q->qe_report.isvprodid, ATT_SGXSIM_QE_ISVPRODID);
	ATT_CHECK(!memcmp(q->qe_report.mrsigner, att_sgxsim_qe_mrsigner, 32),
		  "QE mrsigner");
	ATT_CHECK_EQ_INT(q->qe_auth_len, 32);
	ATT_CHECK_EQ_INT(q->cert_type, 5);
	ATT_CHECK_EQ_INT(q->trailing_len, 0);
	ATT_CHECK(q->cert_len > 0 && q->cert_data[q->cert_len - 1] == 0,
		  "chain NUL-terminated");
	check_binding(q);
	struct att_pem_span sp[4];
	ATT_CHECK_EQ_INT(
	    att_pem_split_certs(sp, 4, (const char *)q->cert_data, q->cert_len),
	    3);
}

static void test_quote_fields(void)
{
	struct att_sgxsim_quote_opts o;
	struct att_buf b;
	struct att_diag d;
	struct att_sgx_quote q;
	att_sgxsim_quote_opts_init(&o);
	memset(o.mrenclave, 0xaa, 32);
	memset(o.report_data, 0x5c, 64);
	o.isvprodid = 0x1234;
	o.isvsvn = 7;
	o.debug = true;
	o.has_config = true;
	memset(o.config_id, 0x77, 64);
	o.config_svn = 3;
	o.tcb = "OutOfDate";
	att_buf_init(&b, ATT_SGXSIM_MAX_OUTPUT);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_sgxsim_quote(dir, &o, &b, &d), 0);
	int r = att_sgx_quote_parse(&q, b.data, b.len, 0, &d);
	ATT_CHECK(r == 0, "parse: %s", att_diag_msg(&d));
	if (r == 0)
		check_parsed(&q, &o);
	att_buf_release(&b);
}

static void test_tamper(void)
{
	struct att_buf a, b;
	struct att_diag d;
	struct att_sgx_quote q;
	att_buf_init(&a, ATT_SGXSIM_MAX_OUTPUT);
	ATT_CHECK_EQ_INT(att_sgxsim_quote(dir, NULL, &a, NULL), 0);
	att_buf_init(&b, ATT_SGXSIM_MAX_OUTPUT);
	ATT_CHECK_EQ_INT(att_buf_add(&b, a.data, a.len), 0);
	ATT_CHECK_EQ_INT(att_sgxsim_tamper_pck_sig(b.data, b.len), 0);
	size_t diff = 0;
	for (size_t i = 0; i < a.len && i < b.len; i++)
		diff += a.data[i] != b.data[i];
	ATT_CHECK(a.len == b.len && diff >= 1 && diff <= 2,
		  "tamper changes 1-2 PEM chars (%zu)", diff);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_sgx_quote_parse(&q, b.data, b.len, 0, &d), 0);
	att_buf_release(&a);
	att_buf_release(&b);
}

static void test_errors(void)
{
	struct att_sgxsim_init_opts io;
	struct att_sgxsim_quote_opts o;
	struct att_buf b;
	struct att_diag d;
	att_sgxsim_init_opts_init(&io);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_sgxsim_init(dir, &io, &d), ATT_ERR_EXISTS);
	ATT_CHECK(strstr(att_diag_msg(&d), "--force"), "%s", att_diag_msg(&d));
	att_sgxsim_quote_opts_init(&o);
	o.tcb = "Bogus";
	att_buf_init(&b, ATT_SGXSIM_MAX_OUTPUT);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_sgxsim_quote(dir, &o, &b, &d),
			 ATT_ERR_INVALID_ARG);
	o.tcb = NULL;
	o.platform = "nope";
	ATT_CHECK_EQ_INT(att_sgxsim_quote(dir, &o, &b, NULL),
			 ATT_ERR_INVALID_ARG);
	o.platform = NULL;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_sgxsim_quote("/nonexistent/sgxsim", &o, &b, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK(strstr(att_diag_msg(&d), "cannot read"), "%s",
		  att_diag_msg(&d));
	ATT_CHECK_EQ_INT(b.len, 0);
	att_buf_release(&b);
}

static void test_redate(void)
{
	struct att_sgxsim_collateral_opts o;
	struct att_buf b;
	att_sgxsim_collateral_opts_init(&o);
	ATT_CHECK_EQ_INT(
	    att_time_parse(&o.tcb_info_next, "2030-01-02T03:04:05Z"), 0);
	o.platform = "platform";
	att_buf_init(&b, ATT_SGXSIM_MAX_OUTPUT);
	ATT_CHECK_EQ_INT(att_sgxsim_collateral_bundle(dir, &o, &b, NULL), 0);
	const char *s = att_buf_cstr(&b);
	ATT_CHECK(strstr(s, "\\\"nextUpdate\\\":\\\"2030-01-02T03:04:05Z\\\""),
		  "nextUpdate override");
	ATT_CHECK(strstr(s, "\\\"fmspc\\\":\\\"00606A000000\\\""),
		  "platform FMSPC");
	att_buf_release(&b);
}

int main(void)
{
	struct att_sgxsim_init_opts io;
	struct att_diag d;
	snprintf(dir, sizeof(dir), "/tmp/att_sim_layout_XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	att_sgxsim_init_opts_init(&io);
	ATT_CHECK_EQ_INT(att_time_parse(&io.now, "2025-07-01T00:00:00Z"), 0);
	att_diag_clear(&d);
	/* init into an existing empty directory */
	int r = att_sgxsim_init(dir, &io, &d);
	ATT_CHECK(r == 0, "init: %s", att_diag_msg(&d));
	if (r == 0) {
		test_files();
		test_bundle();
		test_quote_fields();
		test_tamper();
		test_errors();
		test_redate();
	}
	rm_rf(dir);
	return att_test_done();
}
