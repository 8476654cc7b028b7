/* SPDX-License-Identifier: Apache-2.0 */
/* Default policy texts per attestation type (see defaults.h). */
#include "policy/defaults.h"

#include <string.h>

/* TDX: MAA's TdxVm default is not known (real TDX tokens carry
 * x-ms-policy-hash B56nbp5slhw66peoRYkpdq1WykMkEworvdol08hnMXE, whose text
 * is not published and is not any one-line permit form); ours permits and
 * issues nothing extra, so that the token carries the evidence claims only
 * (docs/policy-management.md, "Default policies"). */
static const char tdx_default[] = "version= 1.0;\n"
				  "authorizationrules{\n"
				  "\t=> permit();\n"
				  "};\n"
				  "issuancerules{\n"
				  "};\n";

/* AzureGuest: MAA's default is not known (real azurevm tokens carry
 * x-ms-policy-hash wm9mHlvTU82e8UqoOy1Yj1FBRSNkfe99-69IYDq9eWs, whose text
 * is not published and is not any one-line permit form tried); ours
 * permits and issues nothing extra, as for TdxVm. */
static const char azg_default[] = "version= 1.0;\n"
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

/* SgxEnclave: MAA's default, byte for byte: real sharedwus SGX tokens of
 * 2021 and 2022 carry x-ms-policy-hash
 * bROrN897ZfWmWY2V0FLUlu3uwk5xatGnKYHn3zBbSlw, the hash of exactly this
 * one-line version 1.0 text (tests/vectors/maa/real-outputs/
 * NOTE-default-policy-hash.txt). OpenEnclave gets the same text: MAA
 * documents one default for both, and no real OpenEnclave token of the
 * 2020-10-01 format with a known policy text exists. */
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

/* maa: the text is MAA's own default (GET /policies serves it); false:
 * attestd's stand-in, applied but never served as MAA's (GET answers as
 * for a type without a policy, docs/policy-management.md). */
static const struct {
	const char *type;
	const char *text;
	bool maa;
} defaults[] = {
	{"SgxEnclave", att_policy_default_sgx_2021, true},
	{"OpenEnclave", att_policy_default_sgx_2021, true},
	{"TdxVm", tdx_default, false},
	{"SevSnpVm", att_policy_default_snp, true},
	{"AzureGuest", azg_default, false},
	{"Tpm", NULL, false},
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

const char *att_policy_default_served_text(const char *attestation_type)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(defaults[i].type, attestation_type))
			return defaults[i].maa ? defaults[i].text : NULL;
	return NULL;
}
