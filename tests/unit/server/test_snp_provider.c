/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provider's SevSnpVm appraisal and AMD CRLs on the service path,
 * without HTTP: providers.NAME.limits snp_min_tcb, snp_min_launch_tcb and
 * snp_require_crl parsed (string and object forms, refusals naming the
 * member), mapped by att_provider_limits_snp into the appraisal POST
 * /attest/SevSnpVm passes to att_verify_snp, and run on reports of the
 * SEV-SNP simulator (src/sim, its ARK pinned as dev mode pins it) with
 * an offline KDS client over a store: a minimum TCB above the report's
 * names the component; no CRL stored while one is required is refused;
 * the simulator's revoked CRL in the store (as `attestd collateral
 * import` files it) refuses the report naming the revoked ASK; the
 * clean CRL lets it pass with x-attestd-sevsnp-crl-checked true; the
 * real Azure example (AMD's Milan ARK) is not judged by the simulator's
 * CRL filed under the same product (not signed by AMD's ARK).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "collateral/kds.h"
#include "evidence/snp/snp.h"
#include "harness/tap.h"
#include "server/provider_limits.h"
#include "sim/snp_sim.h"
#include "store/store.h"
#include "verify/verifier.h"

#define EX_STABLE                                                              \
	"maa/spec-examples/specs/Attestation/stable/2025-06-01/examples/"     \
	"AttestSevSnpVm.json"
#define AT "2022-09-21T21:47:31Z" /* the real example token's iat */

static char dir[] = "/tmp/attestd-snpprov-XXXXXX";
static char sim[600];

/* ---- limits ---- */

static int parse(struct att_provider_limits *l, const char *json,
		 struct att_diag *d)
{
	json_t *o = json_loads(json, 0, NULL);
	ATT_CHECK(o != NULL, "json %s", json);
	att_diag_clear(d);
	int r = att_provider_limits_parse(l, o, d);
	json_decref(o);
	return r;
}

static void test_limits(void)
{
	struct att_provider_limits l;
	struct att_snp_appraisal ap;
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(parse(&l, "{}", &d), 0);
	att_provider_limits_snp(&ap, &l);
	ATT_CHECK(!ap.has_min_tcb && !ap.has_min_launch_tcb && !ap.require_crl &&
			  !ap.allow_debug && ap.max_vmpl == 3,
		  "defaults: no minimum TCB, CRL not required");
	ATT_CHECK_EQ_INT(parse(&l, "{\"snp_min_tcb\": \"3,0,8,115\", "
				   "\"snp_min_launch_tcb\": {\"bl\": 2, \"tee\": "
				   "1, \"snp\": 7, \"ucode\": 100, \"fmc\": 4}, "
				   "\"snp_require_crl\": true, \"snp_max_vmpl\": 1}",
			       &d),
			 0);
	att_provider_limits_snp(&ap, &l);
	ATT_CHECK(ap.has_min_tcb && ap.min_tcb.bl == 3 && ap.min_tcb.tee == 0 &&
			  ap.min_tcb.snp == 8 && ap.min_tcb.ucode == 115 &&
			  !ap.min_tcb.has_fmc,
		  "snp_min_tcb string");
	ATT_CHECK(ap.has_min_launch_tcb && ap.min_launch_tcb.bl == 2 &&
			  ap.min_launch_tcb.tee == 1 &&
			  ap.min_launch_tcb.snp == 7 &&
			  ap.min_launch_tcb.ucode == 100 &&
			  ap.min_launch_tcb.fmc == 4,
		  "snp_min_launch_tcb object");
	ATT_CHECK(ap.require_crl && ap.max_vmpl == 1, "require_crl, vmpl");
	ATT_CHECK_EQ_INT(parse(&l, "{\"snp_min_tcb\": \"1,2,3,4,5\"}", &d), 0);
	ATT_CHECK(l.snp_min_tcb.fmc == 5 && l.snp_min_tcb.has_fmc,
		  "five components: fmc last");
	static const char *const bad[] = {
		"{\"snp_min_tcb\": \"3,0,8\"}",
		"{\"snp_min_tcb\": \"3,0,8,115,1,2\"}",
		"{\"snp_min_tcb\": \"3,0,8,256\"}",
		"{\"snp_min_tcb\": \"3,0,8,-1\"}",
		"{\"snp_min_tcb\": \"3,0,8,115,\"}",
		"{\"snp_min_tcb\": \" 3,0,8,115\"}",
		"{\"snp_min_tcb\": \"3,,8,115\"}",
		"{\"snp_min_tcb\": 8}",
		"{\"snp_min_launch_tcb\": {\"bl\": 1, \"tee\": 0, \"snp\": 8}}",
		"{\"snp_min_launch_tcb\": {\"bl\": 1, \"tee\": 0, \"snp\": 8, "
		"\"ucode\": 1, \"microcode\": 2}}",
		"{\"snp_min_launch_tcb\": {\"bl\": 1, \"tee\": 0, \"snp\": 300, "
		"\"ucode\": 1}}",
		"{\"snp_require_crl\": \"yes\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(&l, bad[i], &d);
		ATT_CHECK(r == ATT_ERR_INVALID_ARG &&
				  strstr(att_diag_msg(&d), "limits.snp_"),
			  "%s refused naming the member: %d %s", bad[i], r,
			  att_diag_msg(&d));
	}
}

/* ---- the verifier with the simulator ---- */

static char *sim_body(const struct att_snpsim_report_opts *so)
{
	uint8_t rep[ATT_SNP_REPORT_LEN];
	struct att_diag d = {0};
	char path[700];
	size_t vl = 0, cl = 0;
	ATT_CHECK(att_snpsim_report(sim, so, rep, &d) == 0, "report: %s",
		  att_diag_msg(&d));
	/* VcekCertChain: the VCEK as PEM, then the KDS chain (ASK, ARK) */
	snprintf(path, sizeof(path), "%s/%s", sim, ATT_SNPSIM_F_VCEK);
	unsigned char *vder = att_read_file(path, &vl);
	snprintf(path, sizeof(path), "%s/%s", sim, ATT_SNPSIM_F_CHAIN);
	unsigned char *chain = att_read_file(path, &cl);
	char *vb64 = vder ? att_b64_encode(vder, vl) : NULL;
	ATT_CHECK(vb64 && chain, "simulator files");
	json_t *doc = json_object();
	char *r64 = att_b64url_encode(rep, sizeof(rep));
	char *pem = NULL;
	size_t n = (vb64 ? strlen(vb64) : 0) + cl + 128;
	if (vb64 && chain && (pem = malloc(n)))
		snprintf(pem, n,
			 "-----BEGIN CERTIFICATE-----\n%s\n-----END "
			 "CERTIFICATE-----\n%s",
			 vb64, (const char *)chain);
	char *c64 = pem ? att_b64url_encode((const uint8_t *)pem, strlen(pem))
			: NULL;
	json_object_set_new(doc, "SnpReport", json_string(r64));
	json_object_set_new(doc, "VcekCertChain", json_string(c64));
	char *dt = json_dumps(doc, JSON_COMPACT);
	char *d64 = att_b64url_encode((const uint8_t *)dt, strlen(dt));
	json_t *body = json_pack("{s:s}", "report", d64);
	char *out = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	json_decref(doc);
	free(d64);
	free(dt);
	free(c64);
	free(pem);
	free(r64);
	free(vb64);
	free(vder);
	free(chain);
	return out;
}

static int run(struct att_verifier *v, const char *body,
	       const struct att_snp_appraisal *ap,
	       struct att_verify_result *res)
{
	struct att_verify_req rq = {
		.body = (const uint8_t *)body,
		.body_len = strlen(body),
		.provider = "default",
		.now = att_time_now(),
		.snp = ap,
	};
	rq.limits = (struct att_policy_limits){
		.max_rules = 100, .max_jmespath = 100, .max_nesting = 16};
	rq.budget = (struct att_policy_budget){
		.steps = 100000, .bytes = 1 << 20, .ms = 1000};
	att_verify_result_release(res);
	att_verify_result_init(res);
	return att_verify_snp(v, &rq, res);
}

static bool crl_checked(const struct att_verify_result *res)
{
	return json_is_true(
		json_object_get(res->claims, "x-attestd-sevsnp-crl-checked"));
}

/* store_crl files a CRL of the simulator as the import does. */
static void store_crl(struct att_store *st, const char *file)
{
	struct att_kds_item it[2];
	struct att_diag d = {0};
	char path[700];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/%s", sim, file);
	unsigned char *der = att_read_file(path, &n);
	memset(it, 0, sizeof(it));
	ATT_CHECK(der && att_kds_classify(it, der, n, &d) == 1 &&
			  it[0].spec.kind == ATT_KDS_ITEM_VCEK_CRL,
		  "%s is an ARK CRL: %s", file, att_diag_msg(&d));
	ATT_CHECK(att_kds_item_put(st, &it[0], att_time_now(), path, &d) == 0,
		  "store %s: %s", file, att_diag_msg(&d));
	att_kds_item_release(&it[0]);
	att_kds_item_release(&it[1]);
	free(der);
}

static struct att_verifier *make_verifier(struct att_store *st, int64_t at)
{
	struct att_verifier *v = NULL;
	struct att_snp_trust *dev = NULL;
	struct att_kds *kds = NULL;
	struct att_kds_opts ko = {.store = st, .offline = true};
	struct att_diag d = {0};
	char path[700];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/%s", sim, ATT_SNPSIM_F_ARK_PEM);
	unsigned char *ark = att_read_file(path, &n);
	ATT_CHECK(ark && att_snp_trust_new_empty(&dev) == 0 &&
			  att_snp_trust_add_ark(dev, ATT_SNP_MILAN, ark, n,
						&d) == 0,
		  "pin the simulator ARK: %s", att_diag_msg(&d));
	free(ark);
	ATT_CHECK(att_kds_new(&kds, &ko, &d) == 0, "kds: %s",
		  att_diag_msg(&d));
	struct att_verifier_cfg cfg = {.store = st, .verify_time = at,
				       .snp_dev_trust = dev, .kds = kds};
	ATT_CHECK(att_verifier_new(&v, &cfg, &d) == 0, "verifier: %s",
		  att_diag_msg(&d));
	return v;
}

static void expect_400(struct att_verifier *v, const char *body,
		       const struct att_snp_appraisal *ap, const char *what,
		       const char *needle)
{
	struct att_verify_result res;
	att_verify_result_init(&res);
	int r = run(v, body, ap, &res);
	ATT_CHECK(r != 0 && res.http_status == 400 && strstr(res.msg, needle),
		  "%s: %d %d %s (want 400 naming '%s')", what, r,
		  res.http_status, res.msg, needle);
	att_verify_result_release(&res);
}

static void test_appraisal(struct att_verifier *v, const char *body)
{
	struct att_provider_limits l;
	struct att_snp_appraisal ap;
	struct att_verify_result res;
	struct att_diag d = {0};
	att_verify_result_init(&res);
	ATT_CHECK_EQ_INT(parse(&l, "{\"snp_min_tcb\": \"3,0,8,115\", "
				   "\"snp_min_launch_tcb\": \"3,0,8,115\"}",
			       &d),
			 0);
	att_provider_limits_snp(&ap, &l);
	ATT_CHECK(run(v, body, &ap, &res) == 0,
		  "minimum TCB equal to the report's: passes: %s", res.msg);
	ATT_CHECK(!crl_checked(&res), "no CRL stored: crl-checked false");
	att_verify_result_release(&res);
	parse(&l, "{\"snp_min_tcb\": \"3,0,9,115\"}", &d);
	att_provider_limits_snp(&ap, &l);
	expect_400(v, body, &ap, "snp_min_tcb above the report's",
		   "REPORTED_TCB snpSPL 8 is below the minimum 9");
	parse(&l, "{\"snp_min_tcb\": {\"bl\": 4, \"tee\": 0, \"snp\": 1, "
		  "\"ucode\": 1}}",
	      &d);
	att_provider_limits_snp(&ap, &l);
	expect_400(v, body, &ap, "snp_min_tcb object, bootloader",
		   "REPORTED_TCB blSPL 3 is below the minimum 4");
	parse(&l, "{\"snp_min_launch_tcb\": \"3,0,8,116\"}", &d);
	att_provider_limits_snp(&ap, &l);
	expect_400(v, body, &ap, "snp_min_launch_tcb above the report's",
		   "LAUNCH_TCB ucodeSPL 115 is below the minimum 116");
	parse(&l, "{\"snp_require_crl\": true}", &d);
	att_provider_limits_snp(&ap, &l);
	expect_400(v, body, &ap, "snp_require_crl with no CRL stored", "CRL");
}

static void test_crls(struct att_verifier *v, struct att_store *st,
		      const char *body)
{
	struct att_provider_limits l;
	struct att_snp_appraisal ap;
	struct att_verify_result res;
	struct att_diag d = {0};
	att_verify_result_init(&res);
	parse(&l, "{}", &d);
	att_provider_limits_snp(&ap, &l);
	store_crl(st, ATT_SNPSIM_F_CRL_REVOKED);
	att_kds_invalidate(v->kds);
	expect_400(v, body, &ap, "the simulator's revoked CRL stored",
		   "ASK (SEV-Milan) is revoked by the CRL of the ARK");
	parse(&l, "{\"snp_require_crl\": true}", &d);
	att_provider_limits_snp(&ap, &l);
	expect_400(v, body, &ap, "revoked CRL, CRL required", "revoked");
	store_crl(st, ATT_SNPSIM_F_CRL);
	att_kds_invalidate(v->kds);
	ATT_CHECK(run(v, body, &ap, &res) == 0,
		  "clean CRL stored, CRL required: passes: %s", res.msg);
	ATT_CHECK(crl_checked(&res), "clean CRL: crl-checked true");
	att_verify_result_release(&res);
}

/* test_other_root: the real Azure example (AMD's Milan ARK) with the
 * simulator's CRL filed under Milan: not AMD's CRL, so not applied. */
static void test_other_root(struct att_store *st)
{
	struct att_verify_result res;
	struct att_snp_appraisal ap = {.max_vmpl = 3};
	int64_t at = 0;
	char path[1024];
	json_error_t je;
	ATT_CHECK(att_time_parse(&at, AT) == 0, "time");
	struct att_verifier *v = make_verifier(st, at);
	snprintf(path, sizeof(path), "%s/%s", att_testdata(), EX_STABLE);
	json_t *ex = json_load_file(path, 0, &je);
	json_t *b = json_object_get(json_object_get(ex, "parameters"), "body");
	char *body = b ? json_dumps(b, JSON_COMPACT) : NULL;
	ATT_CHECK(body != NULL, "%s", path);
	att_verify_result_init(&res);
	ATT_CHECK(body && run(v, body, &ap, &res) == 0,
		  "real example with the simulator's CRL stored: %s", res.msg);
	ATT_CHECK(!crl_checked(&res), "  ... crl-checked false");
	att_verify_result_release(&res);
	ap.require_crl = true;
	if (body)
		expect_400(v, body, &ap, "real example, CRL required",
			   "no CRL of the ARK for Milan");
	free(body);
	json_decref(ex);
	att_verifier_free(v);
}

int main(void)
{
	struct att_snpsim_init_opts io;
	struct att_snpsim_report_opts so;
	struct att_store *st = NULL;
	struct att_diag d = {0};
	ATT_REQUIRE_TESTDATA();
	test_limits();
	if (!att_snpsim_built_in() || !mkdtemp(dir)) {
		ATT_CHECK(0, "the SEV-SNP simulator is needed");
		return att_test_done();
	}
	snprintf(sim, sizeof(sim), "%s/snpsim", dir);
	att_snpsim_init_opts_init(&io);
	io.rsa2048 = true;
	ATT_CHECK(att_snpsim_init(sim, ATT_SNP_MILAN, &io, &d) == 0,
		  "simulator: %s", att_diag_msg(&d));
	ATT_CHECK(att_store_open_sqlite(&st, ":memory:", &d) == 0, "store: %s",
		  att_diag_msg(&d));
	att_snpsim_report_opts_init(&so); /* version 5, the VCEK's TCB */
	char *body = sim_body(&so);
	struct att_verifier *v = make_verifier(st, 0);
	test_appraisal(v, body);
	test_crls(v, st, body);
	test_other_root(st);
	att_verifier_free(v);
	free(body);
	att_store_close(st);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ATT_CHECK(system(cmd) == 0, "cleanup");
	return att_test_done();
}
