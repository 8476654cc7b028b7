/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DCAP collateral parsing and the verifier's failure paths on real data:
 * the raw-span extractor, TCB Info / QE Identity parsing (every testdata
 * file, plus edited variants), CRL encodings, PEM splitting, and
 * verifications that must fail with a message naming the step: tampered
 * TCB Info / QE Identity, FMSPC and TEE mismatches, wrong QE identity,
 * untrusted root, expired TCB Info (strict) or the expiry flag (QvE),
 * broken QE report / binding / quote signatures, and the cache's validity
 * window. Also a multi-threaded run over one shared cache.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"

static char *tp(const char *rel)
{
	static char p[8][8192];
	static int k;
	k = (k + 1) % 8;
	snprintf(p[k], sizeof(p[k]), "%s/%s", att_testdata(), rel);
	return p[k];
}

static char *slurp(const char *rel, size_t *n)
{
	return (char *)att_read_file(tp(rel), n);
}

static int64_t T(const char *s)
{
	int64_t t = 0;
	att_time_parse(&t, s);
	return t;
}

static void test_span(void)
{
	size_t off, n;
	const char *t = "{\"a\":\"x}{\\\"\",\"tcbInfo\" : {\"k\":[1,{\"s\":\"}]\"}],\"z\":null} ,\"signature\":\"ab\"}";
	ATT_CHECK(att_json_member_span(t, strlen(t), "tcbInfo", &off, &n) == 0, "span");
	ATT_CHECK(n == strlen("{\"k\":[1,{\"s\":\"}]\"}],\"z\":null}") &&
		  strncmp(t + off, "{\"k\"", 4) == 0, "span text %.*s", (int)n, t + off);
	ATT_CHECK(att_json_member_span(t, strlen(t), "signature", &off, &n) == 0 &&
		  n == 4, "string member");
	ATT_CHECK_EQ_INT(att_json_member_span(t, strlen(t), "nope", &off, &n),
			 ATT_ERR_NOT_FOUND);
	const char *bad[] = {"", "[1]", "{\"a\"", "{\"a\":{", "{\"a\":\"x", "{a:1}",
			     "{\"a\" 1}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATT_CHECK(att_json_member_span(bad[i], strlen(bad[i]), "a", &off,
					       &n) != 0, "bad[%zu]", i);
}

static const char *tcb_files[] = {
	"sgx/collateral/automata_0625/tcbinfo_v2_00606a000000.json",
	"sgx/collateral/automata_0825/sgx_tcbinfov3_00606a000000.json",
	"sgx/collateral/dcaprs/tcbinfov2_00606a000000.json",
	"sgx/collateral/mobilecoin/fmspc_00906ED50000_2023_07_12.json",
	"tdx/collateral/automata_0625/tcbinfov3_00806f050000.json",
	"tdx/collateral/automata_0625/tcbinfov3_90C06F000000.json",
	"tdx/collateral/automata_1025/tcb_info.json",
	"tdx/collateral/dcaprs/tcbinfov3_00806f050000.json",
	"tdx/collateral/gotdxguest/sample_tcbInfo_response.json",
	"tdx/collateral/gotdxguest/sample_tcbinfo_response_v5.json",
};

static const char *qe_files[] = {
	"sgx/collateral/automata_0625/qe_identity.json",
	"sgx/collateral/automata_0825/sgx_qeidentity_v4.json",
	"sgx/collateral/dcaprs/qeidentityv2.json",
	"sgx/collateral/mobilecoin/qe_identity.json",
	"tdx/collateral/automata_0625/qe_td.json",
	"tdx/collateral/automata_1025/identity.json",
	"tdx/collateral/dcaprs/qeidentityv2_apiv4.json",
	"tdx/collateral/gotdxguest/sample_qeIdentity_response.json",
};

static void test_real_docs(void)
{
	struct att_diag d = {0};
	for (size_t i = 0; i < sizeof(tcb_files) / sizeof(tcb_files[0]); i++) {
		size_t n;
		char *t = slurp(tcb_files[i], &n);
		struct att_tcb_info *ti = NULL;
		att_diag_clear(&d);
		int rc = t ? att_tcb_info_parse(&ti, t, n, NULL, 0, &d) : -1;
		ATT_CHECK(rc == 0, "%s: %s", tcb_files[i], att_diag_msg(&d));
		if (ti) {
			/* sorted descending, body is the raw inner text */
			for (size_t k = 1; k < ti->n_levels; k++)
				ATT_CHECK(memcmp(ti->levels[k - 1].sgx,
						 ti->levels[k].sgx, 16) >= 0,
					  "%s order", tcb_files[i]);
			ATT_CHECK(strstr(t, ti->body) != NULL, "raw body");
			ATT_CHECK(ti->id != ATT_TCB_INFO_TDX || ti->has_tdx_module,
				  "tdxModule");
			printf("# %s: v%d %s, %zu levels, %zu module ids\n",
			       tcb_files[i], ti->version,
			       ti->id == ATT_TCB_INFO_TDX ? "TDX" : "SGX",
			       ti->n_levels, ti->n_module_ids);
		}
		att_tcb_info_free(ti);
		free(t);
	}
	for (size_t i = 0; i < sizeof(qe_files) / sizeof(qe_files[0]); i++) {
		size_t n;
		char *t = slurp(qe_files[i], &n);
		struct att_qe_identity *qi = NULL;
		att_diag_clear(&d);
		int rc = t ? att_qe_identity_parse(&qi, t, n, NULL, 0, &d) : -1;
		ATT_CHECK(rc == 0, "%s: %s", qe_files[i], att_diag_msg(&d));
		if (qi)
			ATT_CHECK(qi->isvprodid == (qi->id == ATT_QE_ID_TD_QE ? 2 : 1),
				  "%s isvprodid", qe_files[i]);
		att_qe_identity_free(qi);
		free(t);
	}
}

/* Replaces the first occurrence of `from` in a copy of the dcaprs TDX TCB
 * Info and parses it. */
static int tcb_edit(const char *from, const char *to, struct att_diag *d)
{
	size_t n;
	char *t = slurp("tdx/collateral/dcaprs/tcbinfov3_00806f050000.json", &n);
	char *p = strstr(t, from), *e = malloc(n + strlen(to) + 1);
	struct att_tcb_info *ti = NULL;
	if (!p) {
		free(t);
		free(e);
		return 999;
	}
	size_t pre = (size_t)(p - t);
	memcpy(e, t, pre);
	strcpy(e + pre, to);
	strcat(e, p + strlen(from));
	att_diag_clear(d);
	int rc = att_tcb_info_parse(&ti, e, strlen(e), NULL, 0, d);
	att_tcb_info_free(ti);
	free(t);
	free(e);
	return rc;
}

static void test_doc_edits(void)
{
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(tcb_edit("\"version\":3", "\"version\":4", &d), ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_INT(tcb_edit("\"tcbType\":0", "\"tcbType\":1", &d), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(tcb_edit("\"id\":\"TDX\"", "\"id\":\"XYZ\"", &d), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(tcb_edit("\"tdxModule\":", "\"tdxModuleX\":", &d), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(tcb_edit("\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":\"Fine\"", &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK(strstr(att_diag_msg(&d), "Fine") != NULL, "%s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(tcb_edit("\"fmspc\":\"00806f050000\"", "\"fmspc\":\"00806f05\"", &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(tcb_edit("{\"svn\":7,", "{\"svn\":256,", &d), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(tcb_edit("\"signature\":\"", "\"signature\":\"00", &d), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(tcb_edit("\"tcbInfo\":{\"id\"", "\"tcbInfo\":{\"id\":1,\"id\"", &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(tcb_edit("\"pcesvn\":1", "\"pcesvn\":-1", &d), ATT_ERR_FORMAT);
	/* pretty-printed outer document: still parses, body keeps its text */
	ATT_CHECK_EQ_INT(tcb_edit("{\"tcbInfo\":", "{\n  \"tcbInfo\" :  ", &d), 0);
	ATT_CHECK(att_tcb_status_parse(&(enum att_tcb_status){0}, "Revoked") == 0,
		  "status parse");
	ATT_CHECK(att_tcb_status_parse(&(enum att_tcb_status){0}, "TDRelaunchAdvised") != 0,
		  "relaunch is not a JSON status");
}

static void test_crl_encodings(void)
{
	size_t n, out_len;
	uint8_t *der = (uint8_t *)slurp("sgx/pki/root_ca_crl_2025-03-20.der", &n), *out;
	struct att_diag d = {0};
	char *hex = att_hex_encode_alloc(der, n), *b64 = att_b64_encode(der, n);
	char pem[4096];
	snprintf(pem, sizeof(pem), "-----BEGIN X509 CRL-----\n%.64s\n%s\n-----END X509 CRL-----\n",
		 b64, b64 + 64);
	ATT_CHECK(att_dcap_crl_to_der(&out, &out_len, der, n, &d) == 0 &&
		  out_len == n && !memcmp(out, der, n), "DER");
	free(out);
	ATT_CHECK(att_dcap_crl_to_der(&out, &out_len, (uint8_t *)hex, strlen(hex) + 1,
				      &d) == 0 && out_len == n && !memcmp(out, der, n),
		  "hex with NUL");
	free(out);
	ATT_CHECK(att_dcap_crl_to_der(&out, &out_len, (uint8_t *)pem, strlen(pem), &d) == 0 &&
		  out_len == n && !memcmp(out, der, n), "PEM");
	free(out);
	ATT_CHECK_EQ_INT(att_dcap_crl_to_der(&out, &out_len, (const uint8_t *)"hello!", 6, &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_dcap_crl_to_der(&out, &out_len, (const uint8_t *)"abc", 3, &d),
			 ATT_ERR_FORMAT);
	free(hex);
	free(b64);
	free(der);

	struct att_pem_span sp[3];
	size_t cn;
	char *chain = slurp("sgx/pki/tcb_signing_chain_2025.pem", &cn);
	ATT_CHECK_EQ_INT(att_pem_split_certs(sp, 3, chain, cn), 2);
	ATT_CHECK_EQ_INT(att_pem_split_certs(sp, 1, chain, cn), ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(att_pem_split_certs(sp, 3, chain, cn - 30), ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_pem_split_certs(sp, 3, "junk", 4), 0);
	free(chain);
}

/* ---- verification failures ---- */

static struct att_dcap_trust *trust;

struct bundle {
	json_t *j;
	struct att_dcap_collateral_src s;
};

static void bundle_load(struct bundle *b, const char *rel)
{
	static const char *k[9] = {"tcb_info", "tcb_info_signature",
		"tcb_info_issuer_chain", "qe_identity", "qe_identity_signature",
		"qe_identity_issuer_chain", "pck_crl", "pck_crl_issuer_chain",
		"root_ca_crl"};
	struct att_dcap_bytes *f[9] = {&b->s.tcb_info, &b->s.tcb_info_signature,
		&b->s.tcb_info_issuer_chain, &b->s.qe_identity,
		&b->s.qe_identity_signature, &b->s.qe_identity_issuer_chain,
		&b->s.pck_crl, &b->s.pck_crl_issuer_chain, &b->s.root_ca_crl};
	json_error_t e;
	b->j = json_load_file(tp(rel), 0, &e);
	for (int i = 0; i < 9; i++) {
		json_t *v = json_object_get(b->j, k[i]);
		f[i]->p = (const uint8_t *)json_string_value(v);
		f[i]->len = json_string_length(v);
	}
}

static uint8_t *quote_load(const char *rel, size_t *n)
{
	uint8_t *raw = (uint8_t *)slurp(rel, n), *out = NULL;
	if (!strstr(rel, ".hex"))
		return raw;
	size_t k = 0;
	for (size_t i = 0; i < *n; i++)
		if (raw[i] > ' ')
			raw[k++] = raw[i];
	att_hex_decode(&out, n, (char *)raw, k);
	free(raw);
	return out;
}

static int run(const uint8_t *q, size_t n, const struct att_dcap_collateral_src *s,
	       int64_t at, bool qve, struct att_dcap_result *r,
	       struct att_diag *d)
{
	struct att_dcap_collateral *col = NULL;
	struct att_dcap_opts o = {.allow_expired_collateral = qve};
	att_diag_clear(d);
	int rc = att_dcap_collateral_new(&col, s, d);
	if (rc == 0)
		rc = att_dcap_verify_opts(r, q, n, col, trust, NULL, at, &o, d);
	att_dcap_collateral_free(col);
	return rc;
}

#define EXPECT_FAIL(rc_, code, text)                                           \
	do {                                                                   \
		ATT_CHECK((rc_) == (code), "rc %d, want %d: %s", (rc_), (code),   \
			  att_diag_msg(&d));                                   \
		ATT_CHECK(strstr(att_diag_msg(&d), text) != NULL,              \
			  "message \"%s\" lacks \"%s\"", att_diag_msg(&d), text); \
		printf("# expected failure: %s\n", att_diag_msg(&d));          \
	} while (0)

static void test_failures(void)
{
	struct bundle sgx, tdx;
	struct att_dcap_result r;
	struct att_diag d = {0};
	struct att_dcap_collateral_src s;
	size_t n, an;
	int64_t jul = T("2025-07-01T00:00:00Z");
	bundle_load(&sgx, "sgx/collateral/dcapqvl/sgx_quote_collateral.json");
	bundle_load(&tdx, "tdx/collateral/dcapqvl/tdx_quote_collateral.json");
	uint8_t *q = quote_load("sgx/quotes/dcapqvl_sgx_quote.bin", &n);
	uint8_t *aq = quote_load("sgx/quotes/automata_quotev3.hex", &an);
	uint8_t *m = malloc(n);

	ATT_CHECK(run(q, n, &sgx.s, jul, false, &r, &d) == 0, "%s", att_diag_msg(&d));

	/* tampered signed documents */
	char *body = strdup((const char *)sgx.s.tcb_info.p);
	strstr(body, "\"tcbEvaluationDataNumber\":1")[26] = '2';
	s = sgx.s;
	s.tcb_info.p = (const uint8_t *)body;
	EXPECT_FAIL(run(q, n, &s, jul, false, &r, &d), ATT_ERR_SIG_INVALID,
		    "TCB Info signature invalid");
	free(body);
	body = strdup((const char *)sgx.s.qe_identity.p);
	strstr(body, "\"isvprodid\":1")[12] = '3';
	s = sgx.s;
	s.qe_identity.p = (const uint8_t *)body;
	EXPECT_FAIL(run(q, n, &s, jul, false, &r, &d), ATT_ERR_SIG_INVALID,
		    "QE Identity signature invalid");
	free(body);

	/* SGX quote (Platform CA, FMSPC 00606A000000) with the SGX TCB Info
	 * of another FMSPC; the platform CRL of the TDX bundle */
	s = sgx.s;
	s.pck_crl = tdx.s.pck_crl;
	EXPECT_FAIL(run(aq, an, &s, jul, false, &r, &d), ATT_ERR_MISMATCH,
		    "FMSPC of the PCK certificate (00606A000000) does not match "
		    "TCB Info (00A067110000)");
	s.tcb_info = tdx.s.tcb_info;
	s.tcb_info_signature = tdx.s.tcb_info_signature;
	EXPECT_FAIL(run(aq, an, &s, jul, false, &r, &d), ATT_ERR_MISMATCH,
		    "TCB Info is for TDX but the quote is SGX");
	/* processor-CA quote with the platform CRL */
	s = sgx.s;
	s.pck_crl = tdx.s.pck_crl;
	EXPECT_FAIL(run(q, n, &s, jul, false, &r, &d), ATT_ERR_MISMATCH,
		    "PCK CRL issuer (Intel SGX PCK Platform CA) is not the PCK "
		    "certificate's issuer (Intel SGX PCK Processor CA)");
	/* SGX quote with the TD_QE identity */
	s = sgx.s;
	s.qe_identity = tdx.s.qe_identity;
	s.qe_identity_signature = tdx.s.qe_identity_signature;
	EXPECT_FAIL(run(q, n, &s, jul, false, &r, &d), ATT_ERR_MISMATCH,
		    "QE Identity is not for the QE quoting enclave");

	/* expiry: strict names the item; QvE mode flags it */
	const char *ti = "sgx/collateral/automata_0825/sgx_tcbinfov3_00606a000000.json";
	struct att_dcap_collateral *col = NULL;
	att_diag_clear(&d);
	ATT_CHECK(att_dcap_collateral_from_files(&col, tp(ti),
		tp("sgx/collateral/automata_0825/sgx_qeidentity_v4.json"),
		tp("sgx/pki/tcb_signing_chain_2025.pem"),
		tp("sgx/collateral/automata_0825/platform_crl.der"),
		tp("sgx/pki/root_ca_crl_2025-03-20.der"), NULL, &d) == 0,
		"%s", att_diag_msg(&d));
	struct att_dcap_cache *cache = NULL;
	att_dcap_cache_new(&cache, 4);
	struct att_dcap_opts qve = {.allow_expired_collateral = true};
	att_diag_clear(&d);
	ATT_CHECK(att_dcap_verify(&r, aq, an, col, trust, cache,
				  T("2025-08-20T00:00:00Z"), &d) == 0, "%s",
		  att_diag_msg(&d));
	att_diag_clear(&d);
	EXPECT_FAIL(att_dcap_verify(&r, aq, an, col, trust, cache,
				    T("2025-09-14T05:10:00Z"), &d),
		    ATT_ERR_EXPIRED, "TCB Info expired at 2025-09-14T05:08:18Z");
	att_diag_clear(&d);
	EXPECT_FAIL(att_dcap_verify(&r, aq, an, col, trust, cache,
				    T("2025-08-15T05:00:00Z"), &d),
		    ATT_ERR_NOT_YET_VALID, "PCK CRL not valid before");
	att_diag_clear(&d);
	ATT_CHECK(att_dcap_verify_opts(&r, aq, an, col, trust, cache,
				       T("2025-09-14T04:40:00Z"), &qve, &d) == 0,
		  "%s", att_diag_msg(&d));
	ATT_CHECK(r.collateral_expired && strstr(r.collateral_expired_what,
		  "QE Identity expired at 2025-09-14T04:36:46Z"), "flag: %s",
		  r.collateral_expired_what);
	att_diag_clear(&d);
	EXPECT_FAIL(att_dcap_verify(&r, aq, an, col, trust, cache,
				    T("2025-09-14T04:40:00Z"), &d),
		    ATT_ERR_EXPIRED, "QE Identity expired at");
	att_diag_clear(&d);
	EXPECT_FAIL(att_dcap_verify(&r, aq, an, col, trust, cache,
				    T("2030-01-01T00:00:00Z"), &d),
		    ATT_ERR_EXPIRED, "expired at");
	struct att_dcap_cache_stats st;
	att_dcap_cache_stats(cache, &st);
	ATT_CHECK(st.entries <= 4, "cache bounded: %zu", st.entries);
	att_dcap_cache_free(cache);

	/* untrusted root */
	struct att_dcap_trust *none = NULL;
	att_dcap_trust_new_empty(&none);
	att_diag_clear(&d);
	EXPECT_FAIL(att_dcap_verify(&r, aq, an, col, none, NULL,
				    T("2025-08-20T00:00:00Z"), &d),
		    ATT_ERR_CHAIN_INVALID, "does not verify to a trusted root");
	att_dcap_trust_free(none);
	att_dcap_collateral_free(col);

	/* broken quote parts (SGX v3 offsets: body 48, sig data 436) */
	size_t sd = 436;
	memcpy(m, q, n);
	m[48 + 320] ^= 1; /* report data */
	EXPECT_FAIL(run(m, n, &sgx.s, jul, false, &r, &d), ATT_ERR_SIG_INVALID,
		    "quote signature invalid");
	memcpy(m, q, n);
	m[sd + 128 + 2] ^= 1; /* QE report */
	EXPECT_FAIL(run(m, n, &sgx.s, jul, false, &r, &d), ATT_ERR_SIG_INVALID,
		    "QE report signature invalid");
	memcpy(m, q, n);
	m[sd + 578] ^= 1; /* QE auth data */
	EXPECT_FAIL(run(m, n, &sgx.s, jul, false, &r, &d), ATT_ERR_MISMATCH,
		    "QE report data does not bind the attestation key");
	memcpy(m, q, n);
	m[sd + 64] ^= 1; /* attestation key x */
	ATT_CHECK(run(m, n, &sgx.s, jul, false, &r, &d) != 0, "key changed");

	free(m);
	free(q);
	free(aq);
	json_decref(sgx.j);
	json_decref(tdx.j);
}

/* ---- threads over one cache ---- */

struct job {
	const uint8_t *q;
	size_t n;
	const struct att_dcap_collateral *col;
	struct att_dcap_cache *cache;
	int64_t at;
	int bad;
	enum att_tcb_status st;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < 200; i++) {
		struct att_dcap_result r;
		struct att_diag d = {0};
		if (att_dcap_verify(&r, j->q, j->n, j->col, trust, j->cache, j->at,
				    &d) != 0 || r.tcb_status != j->st)
			j->bad++;
	}
	return NULL;
}

static void test_threads(void)
{
	size_t n, bn;
	uint8_t *q = quote_load("tdx/quotes/dcapqvl_tdx_quote.bin", &n);
	char *b = slurp("tdx/collateral/dcapqvl/tdx_quote_collateral.json", &bn);
	struct att_dcap_collateral *col = NULL;
	struct att_dcap_cache *cache = NULL;
	struct att_diag d = {0};
	pthread_t th[4];
	struct job jobs[4];
	ATT_CHECK(att_dcap_collateral_from_bundle_json(&col, b, bn, &d) == 0, "%s",
		  att_diag_msg(&d));
	att_dcap_cache_new(&cache, 0);
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){q, n, col, cache, T("2025-07-01T00:00:00Z"), 0,
				       ATT_TCB_UP_TO_DATE};
		pthread_create(&th[i], NULL, worker, &jobs[i]);
	}
	int bad = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += jobs[i].bad;
	}
	struct att_dcap_cache_stats st;
	att_dcap_cache_stats(cache, &st);
	ATT_CHECK(bad == 0, "%d thread verifications failed", bad);
	ATT_CHECK(st.hits >= 3 * 790, "hits %llu", (unsigned long long)st.hits);
	printf("# threads: 800 verifications, cache hits %llu misses %llu\n",
	       (unsigned long long)st.hits, (unsigned long long)st.misses);
	att_dcap_cache_free(cache);
	att_dcap_collateral_free(col);
	free(q);
	free(b);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	att_dcap_trust_new_intel(&trust);
	test_span();
	test_real_docs();
	test_doc_edits();
	test_crl_encodings();
	test_failures();
	test_threads();
	att_dcap_trust_free(trust);
	return att_test_done();
}
