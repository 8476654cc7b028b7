/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy benchmark: evaluations per second of (1) MAA's current SGX
 * default policy over a typical SGX claim set, and (2) a version 1.2
 * policy running JmesPath over an "events" claim of about 100 events (the
 * secure-boot rules of MAA docs "Attestation policy version 1.2" plus
 * MAA's code-integrity and
 * BitLocker rules). Also compiles per second of each policy. Usage:
 * bench_policy [SECONDS per figure, default 2].
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/defaults.h"
#include "policy/policy.h"

static const char tpm12[] =
	"version=1.2;\nauthorizationrules { => permit(); };\nissuancerules {\n"
	"c:[type==\"events\", issuer==\"AttestationService\"] => "
	"add(type=\"efiConfigVariables\", value=JmesPath(c.value, "
	"\"Events[?EventTypeString == 'EV_EFI_VARIABLE_DRIVER_CONFIG' && "
	"ProcessedData.VariableGuid == "
	"'8BE4DF61-93CA-11D2-AA0D-00E098032B8C']\"));\n"
	"c:[type==\"efiConfigVariables\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"secureBootEnabled\", value=JsonToClaimValue(JmesPath("
	"c.value, \"[?ProcessedData.UnicodeName == 'SecureBoot'] | length(@) "
	"== `1` && @[0].ProcessedData.VariableData == 'AQ'\")));\n"
	"![type==\"secureBootEnabled\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"secureBootEnabled\", value=false);\n"
	"c:[type==\"events\", issuer==\"AttestationService\"] => "
	"add(type=\"boolProperties\", value=JmesPath(c.value, \"Events[? "
	"EventTypeString == 'EV_EVENT_TAG' && (PcrIndex == `12` || PcrIndex == "
	"`13` || PcrIndex == `19` || PcrIndex == `20`)]."
	"ProcessedData.EVENT_TRUSTBOUNDARY\"));\n"
	"c:[type==\"boolProperties\", issuer==\"AttestationPolicy\"] => "
	"add(type=\"codeIntegrityEnabledSet\", "
	"value=JsonToClaimValue(JmesPath(c.value, \"[*].EVENT_CODEINTEGRITY\")));\n"
	"c:[type==\"codeIntegrityEnabledSet\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"CodeIntegrityEnabled\", value=ContainsOnlyValue(c.value, "
	"true));\n"
	"![type==\"CodeIntegrityEnabled\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"CodeIntegrityEnabled\", value=false);\n"
	"c:[type==\"boolProperties\", issuer==\"AttestationPolicy\"] => "
	"add(type=\"BitlockerStatus\", value=JsonToClaimValue(JmesPath(c.value, "
	"\"[*].EVENT_BITLOCKER_UNLOCK | @[? Value != `0`].Value | @[0]\")));\n"
	"[type==\"BitlockerStatus\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"BitlockerStatus\", value=true);\n"
	"![type==\"BitlockerStatus\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"BitlockerStatus\", value=false);\n"
	"};\n";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add(struct att_claimset *s, const char *type, json_t *v)
{
	if (att_claimset_add_json(s, type, v, NULL) != 0) {
		fprintf(stderr, "bench: cannot add %s\n", type);
		exit(1);
	}
	json_decref(v);
}

/* The incoming claims of an SGX attestation (MAA docs "Claim sets"). */
static void sgx_claims(struct att_claimset *s)
{
	const char *h64 = "b779202618becb636768e5d902f28d524222735fafb539ea9ba0"
			  "7c3fc171a1c2";
	add(s, "x-ms-sgx-is-debuggable", json_false());
	add(s, "x-ms-sgx-product-id", json_integer(1));
	add(s, "x-ms-sgx-svn", json_integer(1));
	add(s, "x-ms-sgx-mrsigner", json_string("2c1a44952ae8207135c6c29b75b8c0"
						"29372ee94b677e15c20bd42340f10d41aa"));
	add(s, "x-ms-sgx-mrenclave", json_string(h64));
	add(s, "x-ms-sgx-ehd", json_string("CiAgICAia2V5IjogImRhdGEiCiAg"));
	add(s, "x-ms-sgx-report-data", json_string(h64));
	add(s, "x-ms-sgx-collateral",
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "qeidcertshash",
		      h64, "qeidcrlhash", h64, "qeidhash", h64, "quotehash", h64,
		      "tcbinfocertshash", h64, "tcbinfocrlhash", h64,
		      "tcbinfohash", h64));
	add(s, "x-ms-attestation-type", json_string("sgx"));
	add(s, "x-ms-ver", json_string("1.0"));
	add(s, "x-ms-policy-hash",
	    json_string("bROrN897ZfWmWY2V0FLUlu3uwk5xatGnKYHn3zBbSlw"));
	add(s, "$is-debuggable", json_false());
	add(s, "$product-id", json_integer(1));
	add(s, "$svn", json_integer(1));
	add(s, "$tee", json_string("sgx"));
}

static json_t *event(int seq, int pcr, const char *type, json_t *pd)
{
	return json_pack("{s:i, s:i, s:s, s:{s:s}, s:o}", "EventSeq", seq,
			 "PcrIndex", pcr, "EventTypeString", type, "Digests",
			 "SHA256",
			 "3d458cfe55cc03ea1f443f1562beec8df51c75e14a9fcf9a7234a"
			 "13f198e7969",
			 "ProcessedData", pd ? pd : json_object());
}

/* About 100 events: PCR 7 secure-boot variables, boot applications, and
 * Windows EV_EVENT_TAG trust-boundary events in PCRs 12-14. */
static json_t *events(int n)
{
	static const char *vars[] = {"SecureBoot", "PK", "KEK", "db", "dbx"};
	json_t *a = json_array();
	int seq = 0;
	json_array_append_new(a, event(seq++, 0, "EV_NO_ACTION", NULL));
	for (int i = 0; i < 5; i++)
		json_array_append_new(
			a, event(seq++, 7, "EV_EFI_VARIABLE_DRIVER_CONFIG",
				 json_pack("{s:s, s:s, s:s}", "VariableGuid",
					   "8BE4DF61-93CA-11D2-AA0D-00E098032B8C",
					   "UnicodeName", vars[i], "VariableData",
					   i == 0 ? "AQ" : "oVnAvQ")));
	while (seq < n) {
		int k = seq % 4;
		json_t *pd = k == 0 ? json_pack(
					      "{s:{s:b, s:[{s:i}]}}",
					      "EVENT_TRUSTBOUNDARY",
					      "EVENT_CODEINTEGRITY", 1,
					      "EVENT_BITLOCKER_UNLOCK", "Value",
					      seq % 8 == 0 ? 1 : 0)
				    : NULL;
		const char *t = k == 0 ? "EV_EVENT_TAG"
			       : k == 1 ? "EV_EFI_BOOT_SERVICES_APPLICATION"
					: "EV_SEPARATOR";
		json_array_append_new(a, event(seq++, 12 + k % 3, t, pd));
	}
	return json_pack("{s:o}", "Events", a);
}

static struct att_policy *compile(const char *text)
{
	struct att_policy *p = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	if (att_policy_compile(&p, text, strlen(text), NULL, &d) != 0) {
		fprintf(stderr, "bench: compile: %s\n", att_diag_msg(&d));
		exit(1);
	}
	return p;
}

static void bench_eval(const char *name, const struct att_policy *p,
		       const struct att_claimset *in, double secs)
{
	long n = 0;
	size_t issued = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 100; i++, n++) {
			struct att_policy_result res;
			if (att_policy_eval(p, in, &res, false, NULL) != 0 ||
			    !res.authorized) {
				fprintf(stderr, "bench: %s failed\n", name);
				exit(1);
			}
			issued = res.issued.n;
			att_policy_result_release(&res);
		}
		t = now() - t0;
	} while (t < secs);
	printf("%-44s %10.0f evaluations/s  (%.2f us each, %zu claims "
	       "issued)\n",
	       name, (double)n / t, t / (double)n * 1e6, issued);
}

static void bench_compile(const char *name, const char *text, double secs)
{
	long n = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 20; i++, n++)
			att_policy_free(compile(text));
		t = now() - t0;
	} while (t < secs);
	printf("%-44s %10.0f compiles/s     (%.2f us each)\n", name,
	       (double)n / t, t / (double)n * 1e6);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	if (secs <= 0)
		secs = 2.0;
	const char *sgx = att_policy_default_text("SgxEnclave");

	struct att_claimset in;
	att_claimset_init(&in);
	sgx_claims(&in);
	struct att_policy *p = compile(sgx);
	bench_eval("SGX default policy, 15 SGX claims", p, &in, secs);
	att_policy_free(p);
	att_claimset_release(&in);

	json_t *ev = events(100);
	att_claimset_init(&in);
	add(&in, "events", ev);
	add(&in, "aikValidated", json_true());
	p = compile(tpm12);
	bench_eval("1.2 JmesPath policy, 100-event log (JSON)", p, &in, secs);
	att_claimset_release(&in);

	/* The same log as JSON text, as MAA carries it: parsed per call. */
	ev = events(100);
	char *text = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	att_claimset_init(&in);
	add(&in, "events", json_string(text));
	printf("(events JSON text: %zu bytes)\n", strlen(text));
	free(text);
	bench_eval("1.2 JmesPath policy, 100-event log (text)", p, &in, secs);
	att_policy_free(p);
	att_claimset_release(&in);

	bench_compile("compile SGX default policy", sgx, secs / 2);
	bench_compile("compile 1.2 JmesPath policy", tpm12, secs / 2);
	return 0;
}
