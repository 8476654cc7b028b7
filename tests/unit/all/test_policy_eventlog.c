/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Issue 4's acceptance test across modules: MAA's 1.2 example policy
 * (MAA docs "Attestation policy version 1.2", JmesPath +
 * JsonToClaimValue) evaluated over the
 * "events" claim built by our TCG event log parser from REAL boot logs,
 * with Secure Boot on and off. The expected values were read off each
 * log's SecureBoot EFI variable (VariableData 01 / 00).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "harness/tap.h"
#include "policy/policy.h"

static const char policy_12[] =
	"version=1.2;\n"
	"authorizationrules { => permit(); };\n"
	"issuancerules {\n"
	"  c:[type==\"events\", issuer==\"AttestationService\"] => "
	"add(type=\"efiConfigVariables\", value=JmesPath(c.value, "
	"\"Events[?EventTypeString == 'EV_EFI_VARIABLE_DRIVER_CONFIG' && "
	"ProcessedData.VariableGuid == "
	"'8BE4DF61-93CA-11D2-AA0D-00E098032B8C']\"));\n"
	"  c:[type==\"efiConfigVariables\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"secureBootEnabled\", "
	"value=JsonToClaimValue(JmesPath(c.value, \"[?ProcessedData.UnicodeName "
	"== 'SecureBoot'] | length(@) == `1` && "
	"@[0].ProcessedData.VariableData == 'AQ'\")));\n"
	"  ![type==\"secureBootEnabled\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"secureBootEnabled\", value=false);\n"
	"};\n";

static const struct {
	const char *log;
	int secure_boot;
} cases[] = {
	{"cos-101-amd-sev.bin", 1},
	{"cos-85-amd-sev.bin", 1},
	{"debian-10.bin", 1},
	{"confidential-gke-debug-251000_eventlog.bin", 1},
	{"goattestation_sb_cert_eventlog.bin", 1},
	{"goattestation_windows_gcp_shielded_vm.bin", 1},
	{"ubuntu-2104-no-secure-boot.bin", 0},
	{"glinux-alex.bin", 0},
	{"goattestation_coreos_36_shielded_vm_no_secure_boot_eventlog.bin", 0},
	{"keylime_binary_bios_measurements.bin", 0},
	/* No SecureBoot variable at all: the fallback rule issues false. */
	{"tpm2tools_event-uefiaction.bin", 0},
};

static void run_case(const struct att_policy *pol, const char *dir,
		     const char *name, int want)
{
	char path[4096];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/tpm/eventlogs/%s", dir, name);
	unsigned char *buf = att_read_file(path, &len);
	ATT_CHECK(buf != NULL, "read %s", path);
	if (!buf)
		return;
	struct att_tcg_log log = {0};
	struct att_diag d = {0};
	struct att_claimset in;
	struct att_policy_result res;
	att_claimset_init(&in);
	att_policy_result_init(&res);
	int r = att_tcg_log_parse(&log, buf, len, &d);
	ATT_CHECK(r == 0, "%s: parse: %s", name, att_diag_msg(&d));
	json_t *events = r == 0 ? att_tcg_events_json(&log, NULL) : NULL;
	ATT_CHECK(events != NULL, "%s: events JSON", name);
	if (!events)
		goto out;
	ATT_CHECK_EQ_INT(att_claimset_add_json(&in, "events", events, NULL), 0);
	r = att_policy_eval(pol, &in, &res, false, &d);
	ATT_CHECK(r == 0 && res.authorized, "%s: eval: %s", name,
		  att_diag_msg(&d));
	int seen = -1;
	for (size_t i = 0; i < res.issued.n; i++)
		if (!strcmp(res.issued.v[i].type, "secureBootEnabled"))
			seen = json_is_true(res.issued.v[i].value) ? 1 : 0;
	ATT_CHECK(seen == want, "%s: secureBootEnabled = %d, expected %d", name,
		  seen, want);
	printf("%-66s secureBootEnabled=%s\n", name,
	       seen < 0 ? "(absent)" : seen ? "true" : "false");
out:
	json_decref(events);
	att_claimset_release(&in);
	att_policy_result_release(&res);
	att_tcg_log_release(&log);
	free(buf);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	struct att_policy *pol = NULL;
	struct att_diag d = {0};
	int r = att_policy_compile(&pol, policy_12, strlen(policy_12), NULL, &d);
	ATT_CHECK(r == 0, "compile: %s", att_diag_msg(&d));
	if (r)
		return att_test_done();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(pol, att_testdata(), cases[i].log, cases[i].secure_boot);
	att_policy_free(pol);
	return att_test_done();
}
