/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x-ms-compliance-status floors (src/verify/compliance.c):
 *  - providers.NAME.compliance is read per type (TdxVm, SevSnpVm,
 *    AzureGuest); a floor needs a baseline name and a TCB criterion of its
 *    TEE; unknown types and members, members of the other TEE, bad names,
 *    statuses, numbers, TCBs and measurements are refused naming them;
 *  - TDX: debug off, the TCB status at least the floor's (in QVL's order;
 *    Revoked never), the evaluation data number at least the floor's, the
 *    MRTD among the allowed ones when any are given;
 *  - SEV-SNP: guest policy DEBUG off, each REPORTED_TCB component at
 *    least the floor's (fmc when the floor has one), MEASUREMENT allowed;
 *  - the claim: no setting, no claim (whatever the evidence); the baseline
 *    name when the floor is met; otherwise no x-ms-compliance-status and
 *    x-attestd-compliance-unmet naming the missed criterion.
 */
#include <jansson.h>
#include <string.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "verify/compliance.h"

static int parse(struct att_compliance_set *s, const char *json,
		 struct att_diag *d)
{
	json_error_t e;
	json_t *o = json_loads(json, 0, &e);
	att_diag_clear(d);
	int r = o ? att_compliance_parse(s, o, d) : ATT_ERR_FORMAT;
	json_decref(o);
	return r;
}

static const char mrtd_hex[] =
	"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
	"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

static void test_parse(void)
{
	struct att_compliance_set s;
	struct att_diag d = {0};
	char j[1024];
	ATT_CHECK_EQ_INT(att_compliance_parse(&s, NULL, &d), 0);
	ATT_CHECK(!s.tdx.name[0] && !s.snp.name[0] && !s.azureguest.name[0],
		  "no setting: no floor");
	snprintf(j, sizeof(j),
		 "{\"TdxVm\":{\"baseline\":\"azure-compliant-cvm\","
		 "\"min_tcb_status\":\"SWHardeningNeeded\","
		 "\"min_tcb_evaluation_data_number\":17,\"mrtd\":[\"%s\"]},"
		 "\"SevSnpVm\":{\"baseline\":\"my.cvm_1\","
		 "\"min_tcb\":\"3,0,8,115\"},"
		 "\"AzureGuest\":{\"baseline\":\"x\",\"min_tcb\":{\"bl\":1,"
		 "\"tee\":2,\"snp\":3,\"ucode\":4,\"fmc\":5},"
		 "\"min_tcb_status\":\"UpToDate\"}}",
		 mrtd_hex);
	ATT_CHECK(parse(&s, j, &d) == 0, "valid: %s", att_diag_msg(&d));
	ATT_CHECK_EQ_STR(s.tdx.name, "azure-compliant-cvm");
	ATT_CHECK(s.tdx.has_tdx && s.tdx.has_min_tcb_status &&
		  s.tdx.min_tcb_status == ATT_TCB_SW_HARDENING_NEEDED &&
		  s.tdx.min_tcb_eval_num == 17 && s.tdx.n_tdx_measurements == 1 &&
		  s.tdx.tdx_measurements[0][47] == 0xa1,
		  "TdxVm floor");
	ATT_CHECK(s.snp.has_min_tcb && s.snp.min_tcb.bl == 3 &&
		  s.snp.min_tcb.snp == 8 && s.snp.min_tcb.ucode == 115 &&
		  !s.snp.min_tcb.has_fmc && !s.snp.has_tdx,
		  "SevSnpVm floor");
	ATT_CHECK(s.azureguest.has_min_tcb && s.azureguest.min_tcb.has_fmc &&
		  s.azureguest.min_tcb.fmc == 5 && s.azureguest.has_tdx,
		  "AzureGuest floor: both TEEs");

	static const struct {
		const char *json, *needle;
	} bad[] = {
		{"[]", "JSON object"},
		{"{\"SgxEnclave\":{}}", "compliance.SgxEnclave"},
		{"{\"TdxVm\":{\"baseline\":\"a\",\"min_tcb_status\":"
		 "\"UpToDate\",\"color\":1}}", "compliance.TdxVm.color"},
		{"{\"TdxVm\":{\"baseline\":\"a\",\"min_tcb\":\"1,1,1,1\"}}",
		 "compliance.TdxVm.min_tcb does not apply"},
		{"{\"SevSnpVm\":{\"baseline\":\"a\",\"min_tcb\":\"1,1,1,1\","
		 "\"mrtd\":[]}}", "compliance.SevSnpVm.mrtd does not apply"},
		{"{\"TdxVm\":{\"min_tcb_status\":\"UpToDate\"}}",
		 "compliance.TdxVm.baseline"},
		{"{\"TdxVm\":{\"baseline\":\"has space\",\"min_tcb_status\":"
		 "\"UpToDate\"}}", "compliance.TdxVm.baseline"},
		{"{\"TdxVm\":{\"baseline\":\"a\"}}", "needs a TCB floor"},
		{"{\"SevSnpVm\":{\"baseline\":\"a\",\"measurements\":[\"00\"]}}",
		 "compliance.SevSnpVm.measurements[0]"},
		{"{\"TdxVm\":{\"baseline\":\"a\",\"min_tcb_status\":\"Revoked\"}}",
		 "min_tcb_status"},
		{"{\"TdxVm\":{\"baseline\":\"a\",\"min_tcb_status\":\"Good\"}}",
		 "min_tcb_status"},
		{"{\"TdxVm\":{\"baseline\":\"a\","
		 "\"min_tcb_evaluation_data_number\":0}}",
		 "min_tcb_evaluation_data_number"},
		{"{\"SevSnpVm\":{\"baseline\":\"a\",\"min_tcb\":\"1,2,3\"}}",
		 "compliance.SevSnpVm.min_tcb"},
		{"{\"SevSnpVm\":{\"baseline\":\"a\",\"min_tcb\":\"1,2,3,256\"}}",
		 "compliance.SevSnpVm.min_tcb"},
		{"{\"SevSnpVm\":{\"baseline\":\"a\",\"min_tcb\":{\"bl\":1}}}",
		 "compliance.SevSnpVm.min_tcb"},
		{"{\"TdxVm\":{\"baseline\":\"a\",\"min_tcb_status\":\"UpToDate\","
		 "\"mrtd\":\"ab\"}}", "compliance.TdxVm.mrtd"},
		{"{\"TdxVm\":[]}", "compliance.TdxVm must be"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(&s, bad[i].json, &d);
		ATT_CHECK(r == ATT_ERR_INVALID_ARG, "refused %zu: %d", i, r);
		ATT_CHECK(strstr(att_diag_msg(&d), bad[i].needle) != NULL,
			  "refusal %zu names '%s': %s", i, bad[i].needle,
			  att_diag_msg(&d));
		ATT_CHECK(!s.tdx.name[0] && !s.snp.name[0],
			  "refusal %zu leaves no floor", i);
	}
}

static const char *claim(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_tdx(void)
{
	struct att_compliance_set s;
	struct att_diag d = {0};
	struct att_dcap_result r;
	char j[512], why[128];
	memset(&r, 0, sizeof(r));
	r.tee = ATT_DCAP_TEE_TDX;
	r.tcb_status = ATT_TCB_UP_TO_DATE;
	r.tcb_eval_num = 17;
	memset(r.tdx.mrtd, 0xa1, 48);
	snprintf(j, sizeof(j),
		 "{\"TdxVm\":{\"baseline\":\"azure-compliant-cvm\","
		 "\"min_tcb_status\":\"SWHardeningNeeded\","
		 "\"min_tcb_evaluation_data_number\":17,\"mrtd\":[\"%s\"]}}",
		 mrtd_hex);
	ATT_CHECK_EQ_INT(parse(&s, j, &d), 0);
	ATT_CHECK(att_compliance_tdx_meets(&s.tdx, &r, why, sizeof(why)),
		  "UpToDate, 17, allowed MRTD: meets (%s)", why);
	r.tcb_status = ATT_TCB_SW_HARDENING_NEEDED;
	ATT_CHECK(att_compliance_tdx_meets(&s.tdx, &r, why, sizeof(why)),
		  "SWHardeningNeeded: meets");
	static const enum att_tcb_status below[] = {
		ATT_TCB_CONFIGURATION_NEEDED, ATT_TCB_OUT_OF_DATE,
		ATT_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED, ATT_TCB_REVOKED,
		ATT_TCB_TD_RELAUNCH_ADVISED, ATT_TCB_STATUS_NONE,
	};
	for (size_t i = 0; i < sizeof(below) / sizeof(below[0]); i++) {
		r.tcb_status = below[i];
		ATT_CHECK(!att_compliance_tdx_meets(&s.tdx, &r, why,
						     sizeof(why)) &&
				  strstr(why, "TCB status"),
			  "status %zu below: %s", i, why);
	}
	r.tcb_status = ATT_TCB_UP_TO_DATE;
	r.tcb_eval_num = 16;
	ATT_CHECK(!att_compliance_tdx_meets(&s.tdx, &r, why, sizeof(why)) &&
			  strstr(why, "16 is below 17"),
		  "evaluation number below: %s", why);
	r.tcb_eval_num = 18;
	r.tdx.mrtd[0] ^= 1;
	ATT_CHECK(!att_compliance_tdx_meets(&s.tdx, &r, why, sizeof(why)) &&
			  strstr(why, "MRTD"),
		  "MRTD not allowed: %s", why);
	r.tdx.mrtd[0] ^= 1;
	r.tdx.debug = true;
	ATT_CHECK(!att_compliance_tdx_meets(&s.tdx, &r, why, sizeof(why)) &&
			  strstr(why, "debuggable"),
		  "debug TD: %s", why);
	r.tdx.debug = false;
	r.tee = ATT_DCAP_TEE_SGX;
	ATT_CHECK(!att_compliance_tdx_meets(&s.tdx, &r, why, sizeof(why)),
		  "SGX evidence never meets a TDX floor");
	r.tee = ATT_DCAP_TEE_TDX;

	/* the claims */
	json_t *c = json_object();
	ATT_CHECK_EQ_INT(att_compliance_tdx_claim(c, NULL, &r), 0);
	ATT_CHECK_EQ_INT(json_object_size(c), 0);
	ATT_CHECK_EQ_INT(att_compliance_tdx_claim(c, &s.snp, &r), 0);
	ATT_CHECK(json_object_size(c) == 0, "no TdxVm floor set: no claim");
	ATT_CHECK_EQ_INT(att_compliance_tdx_claim(c, &s.tdx, &r), 0);
	ATT_CHECK_EQ_STR(claim(c, ATT_COMPLIANCE_CLAIM), "azure-compliant-cvm");
	ATT_CHECK(!json_object_get(c, ATT_COMPLIANCE_UNMET_CLAIM), "met");
	json_object_clear(c);
	r.tcb_status = ATT_TCB_OUT_OF_DATE;
	ATT_CHECK_EQ_INT(att_compliance_tdx_claim(c, &s.tdx, &r), 0);
	ATT_CHECK(!json_object_get(c, ATT_COMPLIANCE_CLAIM),
		  "unmet: no x-ms-compliance-status");
	ATT_CHECK(claim(c, ATT_COMPLIANCE_UNMET_CLAIM) &&
			  strstr(claim(c, ATT_COMPLIANCE_UNMET_CLAIM),
				 "OutOfDate is below SWHardeningNeeded"),
		  "unmet reason: %s", claim(c, ATT_COMPLIANCE_UNMET_CLAIM));
	json_decref(c);

	/* evaluation number only (no status criterion, no MRTD list) */
	ATT_CHECK_EQ_INT(parse(&s, "{\"TdxVm\":{\"baseline\":\"own\","
				   "\"min_tcb_evaluation_data_number\":18}}",
			       &d),
			 0);
	ATT_CHECK(att_compliance_tdx_meets(&s.tdx, &r, why, sizeof(why)),
		  "18 >= 18, any status, any MRTD: %s", why);
}

static void test_snp(void)
{
	struct att_compliance_set s;
	struct att_diag d = {0};
	struct att_snp_result r;
	char why[128], j[512];
	memset(&r, 0, sizeof(r));
	r.reported = (struct att_snp_tcb){.bl = 3, .tee = 0, .snp = 8,
					  .ucode = 115};
	r.rep.policy = 0x30000; /* SMT, reserved bit: no DEBUG */
	memset(r.rep.measurement, 0xa1, 48);
	ATT_CHECK_EQ_INT(parse(&s, "{\"SevSnpVm\":{\"baseline\":\"cvm\","
				   "\"min_tcb\":\"3,0,8,115\"}}",
			       &d),
			 0);
	ATT_CHECK(att_compliance_snp_meets(&s.snp, &r, why, sizeof(why)),
		  "equal TCB: meets (%s)", why);
	static const char *const comps[] = {"bl", "tee", "snp", "ucode"};
	for (int i = 0; i < 4; i++) {
		struct att_snp_result low = r;
		uint8_t *f[4] = {&low.reported.bl, &low.reported.tee,
				 &low.reported.snp, &low.reported.ucode};
		if (*f[i] == 0) { /* tee is 0: raise the floor instead */
			struct att_compliance_set s2;
			ATT_CHECK_EQ_INT(parse(&s2, "{\"SevSnpVm\":{\"baseline\":"
						    "\"cvm\",\"min_tcb\":"
						    "\"3,1,8,115\"}}",
					       &d),
					 0);
			ATT_CHECK(!att_compliance_snp_meets(&s2.snp, &low, why,
							     sizeof(why)) &&
					  strstr(why, comps[i]),
				  "%s below: %s", comps[i], why);
			continue;
		}
		(*f[i])--;
		ATT_CHECK(!att_compliance_snp_meets(&s.snp, &low, why,
						     sizeof(why)) &&
				  strstr(why, comps[i]),
			  "%s below: %s", comps[i], why);
	}
	r.rep.policy |= ATT_SNP_POLICY_DEBUG;
	ATT_CHECK(!att_compliance_snp_meets(&s.snp, &r, why, sizeof(why)) &&
			  strstr(why, "debugging"),
		  "debug policy: %s", why);
	r.rep.policy &= ~ATT_SNP_POLICY_DEBUG;
	/* fmc: a Turin floor with fmc 2 against a report without / lower */
	ATT_CHECK_EQ_INT(parse(&s, "{\"SevSnpVm\":{\"baseline\":\"cvm\","
				   "\"min_tcb\":\"3,0,8,115,2\"}}",
			       &d),
			 0);
	ATT_CHECK(!att_compliance_snp_meets(&s.snp, &r, why, sizeof(why)) &&
			  strstr(why, "fmc"),
		  "fmc floor, no fmc: %s", why);
	r.reported.has_fmc = true;
	r.reported.fmc = 2;
	ATT_CHECK(att_compliance_snp_meets(&s.snp, &r, why, sizeof(why)),
		  "fmc 2 meets: %s", why);
	/* allowed measurements */
	snprintf(j, sizeof(j),
		 "{\"SevSnpVm\":{\"baseline\":\"cvm\",\"min_tcb\":\"1,0,1,1\","
		 "\"measurements\":[\"%s\"]}}",
		 mrtd_hex);
	ATT_CHECK_EQ_INT(parse(&s, j, &d), 0);
	ATT_CHECK(att_compliance_snp_meets(&s.snp, &r, why, sizeof(why)),
		  "allowed measurement: %s", why);
	r.rep.measurement[10] = 0;
	ATT_CHECK(!att_compliance_snp_meets(&s.snp, &r, why, sizeof(why)) &&
			  strstr(why, "MEASUREMENT"),
		  "other measurement: %s", why);
	json_t *c = json_object();
	ATT_CHECK_EQ_INT(att_compliance_snp_claim(c, &s.snp, &r), 0);
	ATT_CHECK(!json_object_get(c, ATT_COMPLIANCE_CLAIM) &&
			  claim(c, ATT_COMPLIANCE_UNMET_CLAIM),
		  "unmet: reason only");
	json_object_clear(c);
	r.rep.measurement[10] = 0xa1;
	ATT_CHECK_EQ_INT(att_compliance_snp_claim(c, &s.snp, &r), 0);
	ATT_CHECK_EQ_STR(claim(c, ATT_COMPLIANCE_CLAIM), "cvm");
	json_object_clear(c);
	ATT_CHECK_EQ_INT(att_compliance_snp_claim(c, &s.tdx, &r), 0);
	ATT_CHECK(json_object_size(c) == 0, "no SevSnpVm floor: no claim");
	json_decref(c);
	/* an AzureGuest floor with only a TDX part never earns SEV-SNP */
	ATT_CHECK_EQ_INT(parse(&s, "{\"AzureGuest\":{\"baseline\":\"g\","
				   "\"min_tcb_status\":\"UpToDate\"}}",
			       &d),
			 0);
	ATT_CHECK(!att_compliance_snp_meets(&s.azureguest, &r, why,
					     sizeof(why)) &&
			  strstr(why, "no SEV-SNP"),
		  "AzureGuest TDX-only floor vs SEV-SNP: %s", why);
}

int main(void)
{
	test_parse();
	test_tdx();
	test_snp();
	return att_test_done();
}
