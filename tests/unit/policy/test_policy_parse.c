/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiling policies: MAA's example and default policies (MAA docs
 * "Examples of an attestation policy", "Attestation policy version 1.2")
 * compile; every tolerance we chose is accepted; every kind of
 * syntax and type error is reported with its exact line, column and
 * message. (Their evaluation is in test_policy_jmespath.c and the
 * tests/policy cases.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "harness/tap.h"
#include "policy/defaults.h"
#include "policy/policy.h"

/* ---- examples ------------------------------------------------------------- */

static const char ex_sgx_10[] =
	"version=1.0;\n"
	"authorizationrules {\n"
	"  [type==\"x-ms-sgx-is-debuggable\", value==false] &&\n"
	"  [type==\"x-ms-sgx-product-id\", value==1] &&\n"
	"  [type==\"x-ms-sgx-svn\", value>=0] &&\n"
	"  [type==\"x-ms-sgx-mrsigner\", value==\"<hex>\"] => permit();\n"
	"};\n"
	"issuancerules { c:[type==\"x-ms-sgx-mrsigner\"] => "
	"issue(type=\"custom-name\", value=c.value); };\n";

static const char ex_tpm_11[] =
	"version=1.1;\n"
	"configurationrules{ => issueproperty(type=\"required_pcr_mask\", "
	"value=15);\n"
	"                    => issueproperty(type=\"require_valid_aik_cert\", "
	"value=false); };\n"
	"authorizationrules { => permit(); };\n"
	"issuancerules {\n"
	"  [type==\"aikValidated\", value==true] && "
	"[type==\"secureBootEnabled\", value==true] &&\n"
	"  [type==\"bootDebuggingDisabled\", value==true] && "
	"[type==\"notSafeMode\", value==true]\n"
	"    => issue(type=\"PlatformAttested\", value=true);\n"
	"};\n";

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

static const char ex_minimal[] =
	"version=1.0; authorizationrules{=> permit();}; issuancerules{};";

static const char ex_default_a[] =
	"version= 1.0;authorizationrules{c:[type==\"$is-debuggable\"] => "
	"permit();};issuancerules{c:[type==\"$is-debuggable\"] => "
	"issue(type=\"is-debuggable\", value=c.value);c:[type==\"$sgx-mrsigner\"]"
	" => issue(type=\"sgx-mrsigner\", value=c.value);c:[type==\"$sgx-"
	"mrenclave\"] => issue(type=\"sgx-mrenclave\", value=c.value);c:[type=="
	"\"$product-id\"] => issue(type=\"product-id\", value=c.value);c:[type=="
	"\"$svn\"] => issue(type=\"svn\", value=c.value);c:[type==\"$tee\"] => "
	"issue(type=\"tee\", value=c.value);};";

/* MAA's TPM sample for version 1.0 and the 1.1 sample with two rules. */
static const char ex_tpm_10_doc[] =
	"version=1.0;\n\nauthorizationrules { \n    => permit();\n};\n\n"
	"issuancerules\n{\n[type==\"aikValidated\", value==true]&& \n"
	"[type==\"secureBootEnabled\", value==true] &&\n"
	"[type==\"bootDebuggingDisabled\", value==true] && \n"
	"[type==\"vbsEnabled\", value==true] && \n"
	"[type==\"notWinPE\", value==true] && \n"
	"[type==\"notSafeMode\", value==true] => issue(type=\"PlatformAttested\", "
	"value=true);\n};\n";

/* The VBS enclave sample (1.2 without functions) and the claim-rule
 * grammar's F1/C2 example. */
static const char ex_vbs_12[] =
	"version=1.2;\n\nauthorizationrules { \n"
	"    [type==\"vsmReportPresent\", value==true] &&\n"
	"    [type==\"enclaveAuthorId\", "
	"value==\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"] &&\n"
	"    [type==\"enclaveImageId\", value==\"AQEAAAAAAAAAAAAAAAAAAA\"] &&\n"
	"    [type==\"enclaveSvn\", value>=0] =>  permit();\n};\n\n"
	"issuancerules\n{\n};\n";

static const char ex_grammar[] =
	"version=1.0; authorizationrules { => permit(); };\n"
	"issuancerules {\n"
	"F1:[type==\"OSName\" , issuer==\"CustomClaim\"] && \n"
	"[type==\"OSName\" , issuer==\"AttestationService\", value== F1.value ] \n"
	"=> issue(type=\"report_validity_in_minutes\", value=1440);\n"
	"F1:[type==\"OSName\" , issuer==\"CustomClaim\"] && \n"
	"C2:[type==\"OSName\" , issuer==\"AttestationService\", value== F1.value ] \n"
	"=> issue(claim = C2);\n};\n";

static void check_compiles(const char *name, const char *text)
{
	struct att_policy *p = NULL;
	struct att_policy_error e;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_policy_compile(&p, text, strlen(text), &e, &d);
	ATT_CHECK(r == 0 && p, "%s: %s (%d)", name, att_diag_msg(&d), r);
	att_policy_free(p);
}

static void test_examples(void)
{
	check_compiles("3.7 SGX 1.0", ex_sgx_10);
	check_compiles("3.7 TPM 1.1", ex_tpm_11);
	check_compiles("3.7 1.2 JmesPath", ex_12);
	check_compiles("3.7 minimal", ex_minimal);
	check_compiles("3.8 default A", ex_default_a);
	check_compiles("3.8 default C", att_policy_default_sgx_2021);
	check_compiles("3.8 current SGX",
		       att_policy_default_text("SgxEnclave"));
	check_compiles("OpenEnclave", att_policy_default_text("OpenEnclave"));
	check_compiles("TdxVm", att_policy_default_text("TdxVm"));
	check_compiles("TPM 1.0 doc sample", ex_tpm_10_doc);
	check_compiles("VBS 1.2 doc sample", ex_vbs_12);
	check_compiles("claim-rule grammar sample", ex_grammar);

	struct att_policy *p = NULL;
	ATT_CHECK_EQ_INT(att_policy_compile(&p, ex_tpm_11, strlen(ex_tpm_11),
					    NULL, NULL),
			 0);
	ATT_CHECK_EQ_INT(att_policy_version(p), 1);
	ATT_CHECK_EQ_INT(att_policy_num_rules(p, 0), 2);
	ATT_CHECK_EQ_INT(att_policy_num_rules(p, 1), 1);
	ATT_CHECK_EQ_INT(att_policy_num_rules(p, 2), 1);
	att_policy_free(p);
}

/* ---- tolerances ------------------------------------------------------------- */

static void test_tolerances(void)
{
	static const char *ok[] = {
		/* whitespace and keyword case */
		"Version= 1.0;AuthorizationRules{=>Permit();};ISSUANCERULES{};",
		"  version  =  1.2  ;  authorizationrules  {  }  ;  ",
		"VERSION=1.1;ConfigurationRules{};authorizationrules{=>permit();};",
		/* omitted issuancerules, empty sections */
		"version=1.0;authorizationrules{};",
		"version=1.1;configurationrules{};authorizationrules{};"
		"issuancerules{};",
		/* single '=' inside conditions (MAA's own samples) */
		"version=1.0;authorizationrules{c:[type=\"a\", issuer="
		"\"AttestationService\"]=> permit();};",
		/* comments, also at the very end without a newline */
		"// head\nversion=1.0; // v\nauthorizationrules{ // a\n"
		"=> permit(); // rule\n}; // end",
		/* CRLF, tabs, byte order mark */
		"\xEF\xBB\xBFversion=1.0;\r\nauthorizationrules\r\n{\r\n\t=> "
		"permit();\r\n};\r\n",
		/* integers: negative, hex (required_pcr_mask default form) */
		"version=1.1;configurationrules{=> issueproperty("
		"type=\"required_pcr_mask\", value=0xFFFFFF);};"
		"authorizationrules{[type==\"x\", value>-5] => permit();};",
		/* named arguments in either order, keyword case */
		"version=1.0;authorizationrules{=>permit();};issuancerules{"
		"=> ISSUE(VALUE=1, TYPE=\"x\");};",
		/* valueType property; identifiers reused in another rule */
		"version=1.0;authorizationrules{c:[valueType==\"integer\"]=>"
		"permit(); c:[type==\"a\"] => add(type=\"b\", value=c.type);};",
		/* escapes, UTF-8 in strings */
		"version=1.0;authorizationrules{[type==\"a\\\"b\\\\c\\d\", "
		"value==\"h\xC3\xA9llo\"] => permit();};",
		/* issue() in authorizationrules (MAA key-attestation sample) */
		"version=1.2;authorizationrules{c:[type==\"requestKeyType\", "
		"issuer==\"AttestationPolicy\", value==\"RSA\"] => "
		"issue(type=\"requestKeyType\", value=\"RSA\");};issuancerules{};",
		/* function names in any case, nested calls, negation */
		"version=1.2;authorizationrules{=>permit();};issuancerules{"
		"c:[type==\"a\"] && ![type==\"b\"] => issue(type=\"n\", "
		"value=negatebool(NEGATEBOOL(c.value)));"
		"c:[type==\"a\"] => add(type=\"s\", value=AppendString("
		"AppendString(\"x\", c.type), \"y\"));"
		"c:[type==\"a\"] && d:[type==\"b\"] => add(type=\"t\", "
		"value=IsSubsetOf(c.value, d.value));"
		"c:[type==\"a\"] => add(type=\"u\", value=ContainsOnlyValue("
		"c.value, true));"
		"c:[type==\"a\"] => add(type=\"v\", value=JsonToClaimValue("
		"\"[1,2]\"));};",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "tolerance %zu", i);
		check_compiles(name, ok[i]);
	}
}

/* ---- errors ------------------------------------------------------------------- */

struct err_case {
	const char *text;
	int code;
	unsigned line, col;
	const char *msg;
};

#define V10 "version=1.0;"
#define A_OPEN V10 "authorizationrules{"
#define I_OPEN V10 "authorizationrules{=>permit();};issuancerules{"
#define I12 "version=1.2;authorizationrules{=>permit();};issuancerules{"

static const struct err_case errs[] = {
	/* the version statement */
	{"", ATT_ERR_POLICY_SYNTAX, 1, 1,
	 "expected 'version' but found end of input"},
	{"authorizationrules{=>permit();};", ATT_ERR_POLICY_SYNTAX, 1, 1,
	 "expected 'version' but found 'authorizationrules'"},
	{"version=2.0;", ATT_ERR_POLICY_SYNTAX, 1, 9,
	 "unsupported version '2.0' (supported: 1.0, 1.1, 1.2)"},
	{"version=1;", ATT_ERR_POLICY_SYNTAX, 1, 9,
	 "expected a version number (1.0, 1.1 or 1.2) but found '1'"},
	{"version 1.0;", ATT_ERR_POLICY_SYNTAX, 1, 9,
	 "expected '=' but found '1.0'"},
	{"version=1.0\nauthorizationrules{};", ATT_ERR_POLICY_SYNTAX, 2, 1,
	 "expected ';' but found 'authorizationrules'"},
	/* sections */
	{V10 "configurationrules{};authorizationrules{};",
	 ATT_ERR_POLICY_SYNTAX, 1, 13,
	 "configurationrules requires version 1.1 or later"},
	{V10 "issuancerules{};", ATT_ERR_POLICY_SYNTAX, 1, 13,
	 "expected 'authorizationrules' but found 'issuancerules'"},
	{"version=1.1;issuancerules{};", ATT_ERR_POLICY_SYNTAX, 1, 13,
	 "expected 'configurationrules' or 'authorizationrules' but found "
	 "'issuancerules'"},
	{V10, ATT_ERR_POLICY_SYNTAX, 1, 13,
	 "expected 'authorizationrules' but found end of input"},
	{V10 "authorizationrules{};authorizationrules{};", ATT_ERR_POLICY_SYNTAX,
	 1, 34,
	 "expected 'issuancerules' or end of input but found "
	 "'authorizationrules'"},
	{V10 "authorizationrules{};issuancerules{};x", ATT_ERR_POLICY_SYNTAX, 1,
	 50, "expected end of input but found 'x'"},
	{V10 "authorizationrules=>permit();};", ATT_ERR_POLICY_SYNTAX, 1, 31,
	 "expected '{' but found '=>'"},
	{V10 "authorizationrules{}\nissuancerules{};", ATT_ERR_POLICY_SYNTAX, 2,
	 1, "expected ';' but found 'issuancerules'"},
	{A_OPEN "=> permit();", ATT_ERR_POLICY_SYNTAX, 1, 44,
	 "expected a rule or '}' but found end of input"},
	/* rules and conditions: the PolicyParsingError example */
	{"version=1.0;\nauthorizationrules {\n  [type==\"a\"; => permit();\n};",
	 ATT_ERR_POLICY_SYNTAX, 3, 13, "expected ',' or ']' but found ';'"},
	{A_OPEN "[type==\"a\"] permit();};", ATT_ERR_POLICY_SYNTAX, 1, 44,
	 "expected '&&' or '=>' but found 'permit'"},
	{A_OPEN "[type==\"a\"] && => permit();};", ATT_ERR_POLICY_SYNTAX, 1,
	 47, "expected '[' but found '=>'"},
	{A_OPEN "c [type==\"a\"] => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 34,
	 "expected ':' but found '['"},
	{A_OPEN "permit();};", ATT_ERR_POLICY_SYNTAX, 1, 32,
	 "expected a condition or '=>' but found 'permit'"},
	{A_OPEN "c: permit();};", ATT_ERR_POLICY_SYNTAX, 1, 35,
	 "expected '[' but found 'permit'"},
	{A_OPEN "[kind==\"a\"] => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 33,
	 "expected a claim property (type, value, issuer, valueType) but "
	 "found 'kind'"},
	{A_OPEN "[] => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 33,
	 "expected a claim property (type, value, issuer, valueType) but "
	 "found ']'"},
	{A_OPEN "[type \"a\"] => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 38,
	 "expected a comparison operator but found '\"a\"'"},
	{A_OPEN "[type==] => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 39,
	 "expected a value but found ']'"},
	{A_OPEN "=> permit() };", ATT_ERR_POLICY_SYNTAX, 1, 44,
	 "expected ';' but found '}'"},
	{A_OPEN "=> allow();};", ATT_ERR_POLICY_SYNTAX, 1, 35,
	 "expected an action (permit, deny, add, issue, issueproperty) but "
	 "found 'allow'"},
	{A_OPEN "=> permit;};", ATT_ERR_POLICY_SYNTAX, 1, 41,
	 "expected '(' but found ';'"},
	{A_OPEN "=> permit(1);};", ATT_ERR_POLICY_SYNTAX, 1, 42,
	 "permit() takes no arguments"},
	/* claim arguments: the positional form is rejected */
	{I_OPEN "=> issue(\"X\", value=true);};", ATT_ERR_POLICY_SYNTAX, 1, 68,
	 "expected 'type', 'value' or 'claim' but found '\"X\"'"},
	{I_OPEN "=> issue(type=\"X\");};", ATT_ERR_POLICY_SYNTAX, 1, 76,
	 "issue() needs both type= and value="},
	{I_OPEN "=> issue(type=\"X\", type=\"Y\");};", ATT_ERR_POLICY_SYNTAX,
	 1, 78, "duplicate argument 'type'"},
	{I_OPEN "=> issue(type=\"X\" value=1);};", ATT_ERR_POLICY_SYNTAX, 1,
	 77, "expected ',' or ')' but found 'value'"},
	{I_OPEN "=> issue(type=\"X\", bogus=1);};", ATT_ERR_POLICY_SYNTAX, 1,
	 78, "expected 'type' or 'value' but found 'bogus'"},
	{I_OPEN "=> issue(claim=);};", ATT_ERR_POLICY_SYNTAX, 1, 74,
	 "expected an identifier but found ')'"},
	/* values */
	{A_OPEN "[type==\"a\", value==1.5] => permit();};",
	 ATT_ERR_POLICY_SYNTAX, 1, 51, "fractional numbers are not supported"},
	{A_OPEN "[type==\"a\", value==99999999999999999999] => permit();};",
	 ATT_ERR_POLICY_SYNTAX, 1, 51,
	 "integer out of range: 99999999999999999999"},
	{A_OPEN "[type==\"a\", value==12ab] => permit();};",
	 ATT_ERR_POLICY_SYNTAX, 1, 51, "malformed number"},
	{A_OPEN "[type==\"abc] => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 39,
	 "unterminated string"},
	{A_OPEN "[type==\"a\nb\"] => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 39,
	 "unterminated string"},
	{A_OPEN "[type==\"\xFF\"] => permit();};", ATT_ERR_POLICY_SYNTAX, 1,
	 39, "string is not valid UTF-8"},
	{A_OPEN "[type==\xE2\x80\x9C" "a\xE2\x80\x9D] => permit();};",
	 ATT_ERR_POLICY_SYNTAX, 1, 39,
	 "typographic quote U+201C; use a straight '\"'"},
	{A_OPEN "[type==\"a\"] @ => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 44,
	 "unexpected character '@'"},
	/* columns count characters: the 'é' is one column */
	{A_OPEN "[type==\"\xC3\xA9\"; => permit();};", ATT_ERR_POLICY_SYNTAX,
	 1, 42, "expected ',' or ']' but found ';'"},
	/* version-gated constructs */
	{A_OPEN "![type==\"a\"] => permit();};", ATT_ERR_POLICY_SYNTAX, 1, 32,
	 "'!' conditions require version 1.2"},
	{I_OPEN "=> issue(type=\"a\", value=NegateBool(true));};",
	 ATT_ERR_POLICY_SYNTAX, 1, 84, "function NegateBool requires version 1.2"},
	/* identifiers */
	{A_OPEN "[type==\"a\", value==c.value] => permit();};",
	 ATT_ERR_POLICY_TYPE, 1, 51, "unknown identifier 'c'"},
	{A_OPEN "c:[type==\"a\", value==c.value] => permit();};",
	 ATT_ERR_POLICY_TYPE, 1, 53, "unknown identifier 'c'"},
	{I_OPEN "=> issue(claim=c);};", ATT_ERR_POLICY_TYPE, 1, 74,
	 "unknown identifier 'c'"},
	{A_OPEN "c:[type==\"a\"] && c:[type==\"b\"] => permit();};",
	 ATT_ERR_POLICY_TYPE, 1, 49,
	 "identifier 'c' is already bound at line 1, column 32"},
	{A_OPEN "true:[type==\"a\"] => permit();};", ATT_ERR_POLICY_SYNTAX, 1,
	 32, "'true' cannot be an identifier"},
	{A_OPEN "c:[type==\"a\"] => add(type=\"b\", value=c);};",
	 ATT_ERR_POLICY_SYNTAX, 1, 70, "expected '.' after 'c' but found ')'"},
	{A_OPEN "c:[type==\"a\"] => add(type=\"b\", value=c.name);};",
	 ATT_ERR_POLICY_SYNTAX, 1, 71,
	 "expected 'value', 'type', 'issuer' or 'valueType' but found 'name'"},
	/* operators and types */
	{A_OPEN "[type==\"a\", value<\"abc\"] => permit();};",
	 ATT_ERR_POLICY_TYPE, 1, 44, "operator '<' is not defined for String"},
	{A_OPEN "[type==\"a\", value>=true] => permit();};",
	 ATT_ERR_POLICY_TYPE, 1, 44, "operator '>=' is not defined for Boolean"},
	{A_OPEN "[type<\"a\"] => permit();};", ATT_ERR_POLICY_TYPE, 1, 33,
	 "operator '<' is not defined for String (claim property 'type')"},
	{A_OPEN "[issuer==5] => permit();};", ATT_ERR_POLICY_TYPE, 1, 41,
	 "claim property 'issuer' is a String and cannot be compared with an "
	 "Integer"},
	{A_OPEN "[valueType==\"Float\"] => permit();};", ATT_ERR_POLICY_TYPE,
	 1, 44, "unknown valueType 'Float' (String, Integer or Boolean)"},
	/* sections admit only some actions */
	{I_OPEN "=> permit();};", ATT_ERR_POLICY_TYPE, 1, 62,
	 "permit() is not allowed in issuancerules"},
	{I_OPEN "=> deny();};", ATT_ERR_POLICY_TYPE, 1, 62,
	 "deny() is not allowed in issuancerules"},
	{"version=1.1;configurationrules{=> issue(type=\"a\", value=1);};"
	 "authorizationrules{};",
	 ATT_ERR_POLICY_TYPE, 1, 35, "issue() is not allowed in configurationrules"},
	{"version=1.1;configurationrules{=> add(type=\"a\", value=1);};"
	 "authorizationrules{};",
	 ATT_ERR_POLICY_TYPE, 1, 35, "add() is not allowed in configurationrules"},
	{A_OPEN "=> issueproperty(type=\"a\", value=1);};", ATT_ERR_POLICY_TYPE,
	 1, 35, "issueproperty() is not allowed in authorizationrules"},
	{I_OPEN "=> issue(type=5, value=1);};", ATT_ERR_POLICY_TYPE, 1, 73,
	 "claim type must be a String, not an Integer"},
	{"version=1.1;configurationrules{=> issueproperty(type="
	 "\"required_pcr_mask\", value=\"15\");};authorizationrules{};",
	 ATT_ERR_POLICY_TYPE, 1, 81,
	 "property 'required_pcr_mask' takes an Integer, not a String"},
	/* functions */
	{I12 "=> issue(type=\"a\", value=NegateBol(true));};",
	 ATT_ERR_POLICY_TYPE, 1, 84, "unknown function 'NegateBol'"},
	{I12 "c:[type==\"Set\"] => add(type=\"r\", "
	     "value=ContainsOnlyValue(100));};",
	 ATT_ERR_POLICY_TYPE, 1, 98,
	 "ContainsOnlyValue takes 2 arguments but was given 1"},
	{I12 "=> issue(type=\"a\", value=NegateBool(\"x\"));};",
	 ATT_ERR_POLICY_TYPE, 1, 95,
	 "argument 1 of NegateBool must be a Boolean, not a String"},
	{I12 "=> issue(type=\"a\", value=AppendString(1, \"x\"));};",
	 ATT_ERR_POLICY_TYPE, 1, 97,
	 "argument 1 of AppendString must be a String, not an Integer"},
	{I12 "=> issue(type=\"a\", value=JmesPath(\"\", \"a\"));};",
	 ATT_ERR_POLICY_TYPE, 1, 93, "argument 1 of JmesPath must not be empty"},
	{I12 "=> issue(type=\"a\", value=JmesPath(\"{bad\", \"a\"));};",
	 ATT_ERR_POLICY_TYPE, 1, 93, "argument 1 of JmesPath is not valid JSON"},
	{I12 "=> issue(type=\"a\", value=JsonToClaimValue(\"{bad\"));};",
	 ATT_ERR_POLICY_TYPE, 1, 101,
	 "argument 1 of JsonToClaimValue is not valid JSON"},
	{I12 "=> issue(type=\"a\", value=JsonToClaimValue(1));};",
	 ATT_ERR_POLICY_TYPE, 1, 101,
	 "argument 1 of JsonToClaimValue must be a String, not an Integer"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const struct err_case *c = &errs[i];
		struct att_policy *p = (struct att_policy *)&p;
		struct att_policy_error e;
		struct att_diag d;
		att_diag_clear(&d);
		int r = att_policy_compile(&p, c->text, strlen(c->text), &e, &d);
		ATT_CHECK(r == c->code, "case %zu: code %d, want %d (%s)", i, r,
			  c->code, att_diag_msg(&d));
		ATT_CHECK(p == NULL, "case %zu: policy not NULL", i);
		ATT_CHECK(e.line == c->line && e.column == c->col,
			  "case %zu: at %u:%u, want %u:%u (%s)", i, e.line,
			  e.column, c->line, c->col, e.msg);
		ATT_CHECK(!strcmp(e.msg, c->msg), "case %zu: \"%s\" != \"%s\"",
			  i, e.msg, c->msg);
		char full[ATT_DIAG_LEN + 64];
		snprintf(full, sizeof(full), "line %u, column %u: %s", c->line,
			 c->col, c->msg);
		ATT_CHECK(!strcmp(att_diag_msg(&d), full),
			  "case %zu: diag \"%s\"", i, att_diag_msg(&d));
		ATT_CHECK_EQ_INT(d.code, c->code);
	}
}

/* ---- limits ---------------------------------------------------------------------- */

static void test_limits(void)
{
	/* Nesting deeper than ATT_MAX_POLICY_DEPTH is refused. */
	size_t depth = ATT_MAX_POLICY_DEPTH + 5;
	size_t cap = 200 + depth * 12;
	char *t = malloc(cap);
	size_t n = (size_t)snprintf(t, cap, "%s=> issue(type=\"a\", value=", I12);
	for (size_t i = 0; i < depth; i++)
		n += (size_t)snprintf(t + n, cap - n, "NegateBool(");
	n += (size_t)snprintf(t + n, cap - n, "true");
	for (size_t i = 0; i < depth; i++)
		t[n++] = ')';
	n += (size_t)snprintf(t + n, cap - n, ");};");
	struct att_policy *p = NULL;
	struct att_policy_error e;
	int r = att_policy_compile(&p, t, n, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_STR(e.msg, "expression nested deeper than 128 levels");
	free(t);

	/* Text longer than ATT_MAX_POLICY_LEN is refused before parsing. */
	size_t big = ATT_MAX_POLICY_LEN + 1;
	t = malloc(big);
	memset(t, ' ', big);
	memcpy(t, ex_minimal, strlen(ex_minimal));
	r = att_policy_compile(&p, t, big, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(e.line, 0);
	/* ...while the same policy padded to exactly the limit compiles. */
	r = att_policy_compile(&p, t, big - 1, &e, NULL);
	ATT_CHECK(r == 0, "padded policy: %s", e.msg);
	att_policy_free(p);
	free(t);

	/* An embedded NUL byte is an error, not the end of the text. */
	static const char nul[] = "version=1.0;authorizationrules{}\0;";
	r = att_policy_compile(&p, nul, sizeof(nul) - 1, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_POLICY_SYNTAX);
	ATT_CHECK_EQ_STR(e.msg, "unexpected byte 0x00");
	/* NULL text of length 0 is the empty policy. */
	r = att_policy_compile(&p, NULL, 0, &e, NULL);
	ATT_CHECK_EQ_INT(r, ATT_ERR_POLICY_SYNTAX);
}

int main(void)
{
	test_examples();
	test_tolerances();
	test_errors();
	test_limits();
	return att_test_done();
}
