/* SPDX-License-Identifier: Apache-2.0 */
/* Default policy texts per attestation type (see defaults.h). */
#include "policy/defaults.h"

#include <string.h>

static const char sgx_current[] =
	"version= 1.1;\n"
	"configurationrules{\n"
	"\t=> issueproperty(type=\"x-ms-sgx-tcbidentifier\", "
	"value=\"azuredefault\");\n"
	"};\n"
	"authorizationrules{\n"
	"\t=> permit();\n"
	"};\n"
	"issuancerules{\n"
	"\tc:[type==\"x-ms-sgx-is-debuggable\"] => issue(type=\"is-debuggable\", "
	"value=c.value);\n"
	"\tc:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"sgx-mrsigner\", "
	"value=c.value);\n"
	"\tc:[type==\"x-ms-sgx-mrenclave\"] => issue(type=\"sgx-mrenclave\", "
	"value=c.value);\n"
	"\tc:[type==\"x-ms-sgx-product-id\"] => issue(type=\"product-id\", "
	"value=c.value);\n"
	"\tc:[type==\"x-ms-sgx-svn\"] => issue(type=\"svn\", value=c.value);\n"
	"\tc:[type==\"x-ms-attestation-type\"] => issue(type=\"tee\", "
	"value=c.value);\n"
	"};\n";

/* TDX: MAA publishes no default; ours permits and issues nothing extra,
 * so that the token carries the evidence claims only. */
static const char tdx_default[] = "version= 1.0;\n"
				  "authorizationrules{\n"
				  "\t=> permit();\n"
				  "};\n"
				  "issuancerules{\n"
				  "};\n";

/* SevSnpVm: MAA's default, reproduced from the x-ms-policy-hash
 * (9NY0VnTQ-IiBriBplVUpFbczcDaEBUwsiFYAzHu_gco) of real MAA SevSnpVm
 * tokens (the REST API's AttestSevSnpVm example and a 2025 Azure sample):
 * permit, and no issuance rules. */
const char att_policy_default_snp[] =
	"version= 1.0;authorizationrules{=> permit();};";

const char att_policy_default_sgx_2021[] =
	"version= 1.0;authorizationrules{=> permit();};issuancerules{"
	"c:[type==\"x-ms-sgx-is-debuggable\"] => issue(type=\"is-debuggable\", "
	"value=c.value);c:[type==\"x-ms-sgx-mrsigner\"] => "
	"issue(type=\"sgx-mrsigner\", value=c.value);"
	"c:[type==\"x-ms-sgx-mrenclave\"] => issue(type=\"sgx-mrenclave\", "
	"value=c.value);c:[type==\"x-ms-sgx-product-id\"] => "
	"issue(type=\"product-id\", value=c.value);c:[type==\"x-ms-sgx-svn\"] => "
	"issue(type=\"svn\", value=c.value);c:[type==\"x-ms-attestation-type\"] "
	"=> issue(type=\"tee\", value=c.value);};";

static const struct {
	const char *type;
	const char *text;
} defaults[] = {
	{"SgxEnclave", sgx_current},
	{"OpenEnclave", sgx_current},
	{"TdxVm", tdx_default},
	{"SevSnpVm", att_policy_default_snp},
	{"Tpm", NULL},
};

bool att_policy_type_known(const char *attestation_type)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(defaults[i].type, attestation_type))
			return true;
	return false;
}

const char *att_policy_default_text(const char *attestation_type)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(defaults[i].type, attestation_type))
			return defaults[i].text;
	return NULL;
}
