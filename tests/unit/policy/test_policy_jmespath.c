/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy language's JmesPath() function and the policies that need
 * the JMESPath engine: the example of MAA docs "Attestation policy
 * version 1.2" deciding
 * secureBootEnabled from an "events" claim in MAA's form, MAA's TPM
 * sample policies, compile-time and run-time JMESPath errors (more cases:
 * tests/policy/jmespath.test).
 *
 * The events JSON is built here as MAA shows it (EventSeq, PcrIndex,
 * EventTypeString, ProcessedData{VariableGuid, UnicodeName, VariableData
 * base64}), with the EV_EFI_VARIABLE_DRIVER_CONFIG events a UEFI boot
 * measures into PCR 7; a test driving the same policy from real TCG event
 * logs belongs with the event log parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "policy/policy.h"

/* MAA docs "Attestation policy version 1.2", its example, verbatim. */
static const char ex_12[] =
	"version=1.2;\n"
	"authorizationrules { => permit(); };\n"
	"issuancerules {\n"
	"  c:[type==\"events\", issuer==\"AttestationService\"] => "
	"add(type=\"efiConfigVariables\",\n"
	"     value=JmesPath(c.value, \"Events[?EventTypeString == "
	"'EV_EFI_VARIABLE_DRIVER_CONFIG' && ProcessedData.VariableGuid == "
	"'8BE4DF61-93CA-11D2-AA0D-00E098032B8C']\"));\n"
	"  c:[type==\"efiConfigVariables\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"secureBootEnabled\",\n"
	"     value=JsonToClaimValue(JmesPath(c.value, "
	"\"[?ProcessedData.UnicodeName == 'SecureBoot'] | length(@) == `1` && "
	"@[0].ProcessedData.VariableData == 'AQ'\")));\n"
	"  ![type==\"secureBootEnabled\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"secureBootEnabled\", value=false);\n"
	"};\n";

#define EFI_GLOBAL "8BE4DF61-93CA-11D2-AA0D-00E098032B8C"
#define EFI_IMAGE_SECURITY "D719B2CB-3D3A-4596-A3BC-DAD00E67656F"

static json_t *event(int seq, int pcr, const char *type, json_t *data)
{
	return json_pack("{s:i, s:i, s:s, s:{s:s, s:s}, s:o}", "EventSeq", seq,
			 "PcrIndex", pcr, "EventTypeString", type, "Digests",
			 "SHA1", "0000000000000000000000000000000000000000",
			 "SHA256",
			 "0000000000000000000000000000000000000000000000000000"
			 "000000000000",
			 "ProcessedData", data ? data : json_object());
}

static json_t *var(const char *guid, const char *name, const char *data_b64)
{
	return json_pack("{s:s, s:s, s:s}", "VariableGuid", guid,
			 "UnicodeName", name, "VariableData", data_b64);
}

/* events_json builds a boot log as MAA renders it: secure_boot is the
 * base64 of the SecureBoot variable ("AQ" on, "AA" off) or NULL to leave
 * the variable out; extra events pad the log to n_events. */
static json_t *events_json(const char *secure_boot, int n_events)
{
	json_t *ev = json_array();
	int seq = 0;
	json_array_append_new(ev, event(seq++, 0, "EV_NO_ACTION", NULL));
	json_array_append_new(ev, event(seq++, 0, "EV_S_CRTM_VERSION", NULL));
	if (secure_boot)
		json_array_append_new(
			ev, event(seq++, 7, "EV_EFI_VARIABLE_DRIVER_CONFIG",
				  var(EFI_GLOBAL, "SecureBoot", secure_boot)));
	json_array_append_new(ev, event(seq++, 7, "EV_EFI_VARIABLE_DRIVER_CONFIG",
					var(EFI_GLOBAL, "PK", "oVnA")));
	json_array_append_new(ev, event(seq++, 7, "EV_EFI_VARIABLE_DRIVER_CONFIG",
					var(EFI_GLOBAL, "KEK", "oVnAvQ")));
	json_array_append_new(
		ev, event(seq++, 7, "EV_EFI_VARIABLE_DRIVER_CONFIG",
			  var(EFI_IMAGE_SECURITY, "db", "oVnAvZ")));
	json_array_append_new(
		ev, event(seq++, 7, "EV_EFI_VARIABLE_DRIVER_CONFIG",
			  var(EFI_IMAGE_SECURITY, "dbx", "JhbE")));
	for (int i = 0; i < 8; i++)
		json_array_append_new(ev, event(seq++, i, "EV_SEPARATOR", NULL));
	while (seq < n_events)
		json_array_append_new(
			ev, event(seq++, 4, "EV_EFI_BOOT_SERVICES_APPLICATION",
				  NULL));
	return json_pack("{s:o}", "Events", ev);
}

static struct att_policy *compile(const char *text)
{
	struct att_policy *p = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_policy_compile(&p, text, strlen(text), NULL, &d);
	ATT_CHECK(r == 0, "compile: %s", att_diag_msg(&d));
	return p;
}

/* eval_events runs policy over one "events" claim (as JSON, or as its
 * JSON text when as_text) and returns the issued object. */
static json_t *eval_events(const struct att_policy *p, json_t *events,
			   bool as_text)
{
	struct att_claimset in;
	att_claimset_init(&in);
	if (events) {
		char *text = as_text ? json_dumps(events, JSON_COMPACT) : NULL;
		json_t *v = as_text ? json_string(text) : json_incref(events);
		free(text);
		ATT_CHECK_EQ_INT(att_claimset_add_json(&in, "events", v, NULL), 0);
		json_decref(v);
	}
	struct att_policy_result res;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_policy_eval(p, &in, &res, false, &d);
	ATT_CHECK(r == 0, "eval: %s", att_diag_msg(&d));
	ATT_CHECK(res.authorized, "not authorized");
	json_t *issued = att_claimset_to_object(&res.issued);
	att_policy_result_release(&res);
	att_claimset_release(&in);
	return issued;
}

static void check_secure_boot(json_t *issued, bool want, const char *what)
{
	json_t *sb = json_object_get(issued, "secureBootEnabled");
	ATT_CHECK(json_is_boolean(sb) && json_is_true(sb) == want,
		  "%s: secureBootEnabled is %s", what,
		  sb ? (json_is_true(sb) ? "true" : "not true") : "absent");
	ATT_CHECK_EQ_INT(json_object_size(issued), 1);
	json_decref(issued);
}

static void test_secure_boot(void)
{
	struct att_policy *p = compile(ex_12);
	if (!p)
		return;
	json_t *on = events_json("AQ", 40), *off = events_json("AA", 40);
	json_t *none = events_json(NULL, 40);
	check_secure_boot(eval_events(p, on, false), true, "on");
	check_secure_boot(eval_events(p, off, false), false, "off");
	/* The same logs given as JSON text (MAA's representation). */
	check_secure_boot(eval_events(p, on, true), true, "on, text");
	check_secure_boot(eval_events(p, off, true), false, "off, text");
	/* No SecureBoot variable measured; no events claim at all. */
	check_secure_boot(eval_events(p, none, false), false, "no variable");
	check_secure_boot(eval_events(p, NULL, false), false, "no events");
	json_decref(on);
	json_decref(off);
	json_decref(none);
	att_policy_free(p);
}

/* The explain trace shows the JmesPath result added as efiConfigVariables
 * and the rule that issued secureBootEnabled. */
static void test_explain_12(void)
{
	struct att_policy *p = compile(ex_12);
	if (!p)
		return;
	json_t *on = events_json("AQ", 20);
	struct att_claimset in;
	att_claimset_init(&in);
	att_claimset_add_json(&in, "events", on, NULL);
	struct att_policy_result res;
	int r = att_policy_eval(p, &in, &res, true, NULL);
	ATT_CHECK_EQ_INT(r, 0);
	ATT_CHECK_EQ_INT(json_array_size(res.explain), 4);
	json_t *r2 = json_array_get(res.explain, 2);
	json_t *eff = json_array_get(json_object_get(r2, "effects"), 0);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(eff, "action")),
			 "issue");
	ATT_CHECK(json_is_true(json_object_get(json_object_get(eff, "claim"),
					       "value")),
		  "rule 2 issued true");
	json_t *r3 = json_array_get(res.explain, 3);
	ATT_CHECK(json_is_false(json_object_get(r3, "matched")),
		  "rule 3 did not match");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(r3, "reason")),
			 "a claim with type == 'secureBootEnabled' and issuer "
			 "== 'AttestationPolicy' exists");
	/* efiConfigVariables holds the three global-variable events. */
	const struct att_claim *efi = &res.added.v[0];
	ATT_CHECK_EQ_STR(efi->type, "efiConfigVariables");
	ATT_CHECK(efi->vtype == ATT_CLAIM_JSON && json_array_size(efi->value) == 3,
		  "efiConfigVariables: %zu events", json_array_size(efi->value));
	att_policy_result_release(&res);
	att_claimset_release(&in);
	json_decref(on);
	att_policy_free(p);
}

/* MAA's TPM sample policies (tpm-attestation-sample-policies.md). */
static const char tpm_pcrs[] =
	"version=1.2;\n\nauthorizationrules\n{    \n"
	"    c:[type == \"pcrs\", issuer==\"AttestationService\"] =>  "
	"add(type=\"pcr0Validated\", value=JsonToClaimValue(JmesPath(c.value, "
	"\"PCRs[? Index == `0`].Digests.SHA256 | @[0] == "
	"'4c833b1c361fceffd8dc0f81eec76081b71e1a0eb2193caed0b6e1c7735ec33e' "
	"\")));\n"
	"    c:[type == \"pcrs\", issuer==\"AttestationService\"] =>  "
	"add(type=\"pcr1Validated\", value=JsonToClaimValue(JmesPath(c.value, "
	"\"PCRs[? Index == `1`].Digests.SHA256 | @[0] == "
	"'8c25e3be6ad6f5bd33c9ae40d5d5461e88c1a7366df0c9ee5c7e5ff40d3d1d0e' "
	"\")));\n"
	"    [type==\"pcr0Validated\", value==true] &&\n"
	"    [type==\"pcr1Validated\", value==true] => permit();\n};\n\n"
	"issuancerules\n{\n};\n";

static const char tpm_elam_smm[] =
	"version=1.2;\nauthorizationrules { => permit(); };\n"
	"issuancerules{\n"
	"c:[type==\"events\", issuer==\"AttestationService\"] => "
	"add(type=\"boolProperties\", value=JmesPath(c.value, \"Events[? "
	"EventTypeString == 'EV_EVENT_TAG' && (PcrIndex == `12` || PcrIndex == "
	"`13` || PcrIndex == `19` || PcrIndex == `20`)]."
	"ProcessedData.EVENT_TRUSTBOUNDARY\"));\n"
	"c:[type==\"boolProperties\", issuer==\"AttestationPolicy\"] => "
	"add(type=\"elamDriverLoaded\", value=JsonToClaimValue(JmesPath(c.value, "
	"\"[*].EVENT_LOADEDMODULE_AGGREGATION[] | [? EVENT_IMAGEVALIDATED == "
	"`true` && (equals_ignore_case(EVENT_FILEPATH, "
	"'\\\\windows\\\\system32\\\\drivers\\\\wdboot.sys') || "
	"equals_ignore_case(EVENT_FILEPATH, "
	"'\\\\windows\\\\system32\\\\drivers\\\\wd\\\\wdboot.sys'))] | @ != "
	"`null`\")));\n"
	"[type==\"elamDriverLoaded\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"ELAMDriverLoaded\", value=true);\n"
	"![type==\"elamDriverLoaded\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"ELAMDriverLoaded\", value=false);\n"
	"c:[type==\"boolProperties\", issuer==\"AttestationPolicy\"] => "
	"add(type=\"codeIntegrityEnabledSet\", "
	"value=JsonToClaimValue(JmesPath(c.value, \"[*].EVENT_CODEINTEGRITY\")));\n"
	"c:[type==\"codeIntegrityEnabledSet\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"CodeIntegrityEnabled\", value=ContainsOnlyValue(c.value, "
	"true));\n"
	"![type==\"CodeIntegrityEnabled\", issuer==\"AttestationPolicy\"] => "
	"issue(type=\"CodeIntegrityEnabled\", value=false);\n"
	"c:[type==\"events\", issuer==\"AttestationService\"] => "
	"add(type=\"evSeq\", value=JmesPath(c.value, \"Events[? EventTypeString "
	"== 'EV_SEPARATOR'] | @[0].EventSeq\"));\n"
	"c:[type==\"evSeq\", value != \"null\", issuer==\"AttestationPolicy\"] "
	"=> add(type=\"query\", value=AppendString(AppendString(\"Events[? "
	"EventSeq < `\", c.value), \"`] | length(@)\"));\n"
	"c1:[type==\"query\", issuer==\"AttestationPolicy\"] && "
	"c2:[type==\"events\", issuer==\"AttestationService\"] => "
	"issue(type=\"eventsBeforeSeparator\", "
	"value=JsonToClaimValue(JmesPath(c2.value, c1.value)));\n"
	"};\n";

static json_t *tag_event(int seq, int pcr, json_t *tb)
{
	json_t *e = event(seq, pcr, "EV_EVENT_TAG", NULL);
	json_object_set_new(json_object_get(e, "ProcessedData"),
			    "EVENT_TRUSTBOUNDARY", tb);
	return e;
}

static void test_tpm_samples(void)
{
	struct att_policy *p = compile(tpm_pcrs);
	json_t *pcrs = json_pack(
		"{s:[{s:i, s:{s:s}}, {s:i, s:{s:s}}]}", "PCRs", "Index", 0,
		"Digests", "SHA256",
		"4c833b1c361fceffd8dc0f81eec76081b71e1a0eb2193caed0b6e1c7735ec33e",
		"Index", 1, "Digests", "SHA256",
		"8c25e3be6ad6f5bd33c9ae40d5d5461e88c1a7366df0c9ee5c7e5ff40d3d1d0e");
	struct att_claimset in;
	att_claimset_init(&in);
	att_claimset_add_json(&in, "pcrs", pcrs, NULL);
	struct att_policy_result res;
	struct att_diag d;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_policy_eval(p, &in, &res, false, &d), 0);
	ATT_CHECK(res.authorized, "golden PCRs: %s", res.deny_summary);
	att_policy_result_release(&res);
	/* One PCR changes: no permit. */
	json_object_set_new(
		json_object_get(json_array_get(json_object_get(pcrs, "PCRs"), 1),
				"Digests"),
		"SHA256", json_string("00"));
	ATT_CHECK_EQ_INT(att_policy_eval(p, &in, &res, false, &d), 0);
	ATT_CHECK(!res.authorized, "changed PCR 1 authorized");
	ATT_CHECK_EQ_STR(res.deny_summary,
			 "no permit() fired; rule 3 (line 7) did not match: no "
			 "claim with type == 'pcr1Validated' and value == true");
	att_policy_result_release(&res);
	att_claimset_release(&in);
	json_decref(pcrs);
	att_policy_free(p);

	/* ELAM, code integrity (a set of booleans), and a query built with
	 * AppendString from a JmesPath result (the SMM/boot-manager idiom). */
	p = compile(tpm_elam_smm);
	json_t *ev = json_array();
	json_array_append_new(ev, event(0, 0, "EV_NO_ACTION", NULL));
	json_array_append_new(ev, tag_event(1, 12, json_pack(
		"{s:b, s:[{s:s, s:b}]}", "EVENT_CODEINTEGRITY", 1,
		"EVENT_LOADEDMODULE_AGGREGATION", "EVENT_FILEPATH",
		"\\Windows\\System32\\Drivers\\WdBoot.sys",
		"EVENT_IMAGEVALIDATED", 1)));
	json_array_append_new(ev, tag_event(2, 13, json_pack(
		"{s:b}", "EVENT_CODEINTEGRITY", 1)));
	json_array_append_new(ev, event(3, 12, "EV_SEPARATOR", NULL));
	json_array_append_new(ev, tag_event(4, 19, json_pack(
		"{s:b}", "EVENT_CODEINTEGRITY", 0)));
	json_t *events = json_pack("{s:o}", "Events", ev);
	att_claimset_init(&in);
	att_claimset_add_json(&in, "events", events, NULL);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_policy_eval(p, &in, &res, false, &d), 0);
	json_t *issued = att_claimset_to_object(&res.issued);
	json_t *want = json_pack("{s:b, s:b, s:i}", "ELAMDriverLoaded", 1,
				 "CodeIntegrityEnabled", 0,
				 "eventsBeforeSeparator", 3);
	char *got = json_dumps(issued, JSON_COMPACT);
	ATT_CHECK(json_equal(issued, want), "issued %s (%s)", got,
		  att_diag_msg(&d));
	free(got);
	json_decref(want);
	json_decref(issued);
	att_policy_result_release(&res);
	att_claimset_release(&in);
	json_decref(events);
	att_policy_free(p);
}

static void test_jmespath_errors(void)
{
	/* A literal query is compiled with the policy: its syntax error is a
	 * compile error at the string. */
	static const char bad[] =
		"version=1.2;authorizationrules{=>permit();};issuancerules{\n"
		"c:[type==\"e\"] => add(type=\"x\", value=JmesPath(c.value, "
		"\"Events[?\"));};";
	struct att_policy *p = NULL;
	struct att_policy_error e;
	int r = att_policy_compile(&p, bad, strlen(bad), &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_JMESPATH_SYNTAX);
	ATT_CHECK(e.line == 2 && e.column == 56, "at %u:%u", e.line, e.column);
	ATT_CHECK(!strncmp(e.msg, "JmesPath query: syntax error at column ", 39),
		  "msg %s", e.msg);
	ATT_CHECK(p == NULL, "policy");

	/* A query computed at run time fails at run time. */
	static const char dyn[] =
		"version=1.2;authorizationrules{=>permit();};issuancerules{\n"
		"c1:[type==\"q\"] && c2:[type==\"e\"] => add(type=\"x\", "
		"value=JmesPath(c2.value, c1.value));};";
	p = compile(dyn);
	struct att_claimset in;
	att_claimset_init(&in);
	json_t *q = json_string("a[");
	json_t *doc = json_pack("{s:i}", "a", 1);
	att_claimset_add_json(&in, "q", q, NULL);
	att_claimset_add_json(&in, "e", doc, NULL);
	struct att_policy_result res;
	struct att_diag d;
	att_diag_clear(&d);
	r = att_policy_eval(p, &in, &res, false, &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_POLICY_EVAL);
	const char *want = "issuancerules rule 1 (line 2): JmesPath (line 2, "
			   "column 57): query: syntax error at column ";
	ATT_CHECK(!strncmp(att_diag_msg(&d), want, strlen(want)), "%s",
		  att_diag_msg(&d));
	ATT_CHECK(!res.authorized, "authorized after an error");
	att_policy_result_release(&res);
	att_claimset_release(&in);
	json_decref(q);
	json_decref(doc);
	att_policy_free(p);
}

int main(void)
{
	test_secure_boot();
	test_explain_12();
	test_tpm_samples();
	test_jmespath_errors();
	return att_test_done();
}
