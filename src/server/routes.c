/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The route table: every operation attestd serves, with its auth
 * requirement and api-version rule. /certs and the OpenID metadata are
 * anonymous and take any api-version (MAA 2020-10-01 sends none, 2025-06-01
 * sends one); the policy and attestation routes accept a missing
 * api-version but refuse an unknown one. Health and metrics are the
 * operator's and are not under MAA's rules.
 */
#include "server/handlers.h"
#include "server/router.h"
#include "server/api_tpm.h" /* POST /attest/Tpm: bearer checked per provider */

const struct att_route att_routes[] = {
	{"GET", "/certs", att_api_certs, ATT_AUTH_NONE, ATT_APIVER_ANY},
	{"GET", "/.well-known/openid-configuration", att_api_openid,
	 ATT_AUTH_NONE, ATT_APIVER_ANY},
	{"GET", "/policies/{type}", att_api_policy_get, ATT_AUTH_READER,
	 ATT_APIVER_KNOWN},
	{"PUT", "/policies/{type}", att_api_policy_put, ATT_AUTH_CONTRIBUTOR,
	 ATT_APIVER_KNOWN},
	{"POST", "/policies/{type}:reset", att_api_policy_reset,
	 ATT_AUTH_CONTRIBUTOR, ATT_APIVER_KNOWN},
	{"GET", "/certificates", att_api_polcerts_get, ATT_AUTH_READER,
	 ATT_APIVER_KNOWN},
	{"POST", "/certificates:add", att_api_polcerts_add,
	 ATT_AUTH_CONTRIBUTOR, ATT_APIVER_KNOWN},
	{"POST", "/certificates:remove", att_api_polcerts_remove,
	 ATT_AUTH_CONTRIBUTOR, ATT_APIVER_KNOWN},
	{"POST", "/attest/Tpm", att_api_attest_tpm, ATT_AUTH_NONE, ATT_APIVER_KNOWN},
	{"POST", "/attest/SgxEnclave", att_api_attest_sgx, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN},
	{"POST", "/attest/OpenEnclave", att_api_attest_oe, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN},
	{"POST", "/attest/TdxVm", att_api_attest_tdx, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN},
	{"POST", "/attest/SevSnpVm", att_api_attest_snp, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN},
	{"GET", "/healthz", att_api_healthz, ATT_AUTH_NONE, ATT_APIVER_ANY},
	{"GET", "/readyz", att_api_readyz, ATT_AUTH_NONE, ATT_APIVER_ANY},
	{"GET", "/metrics", att_api_metrics, ATT_AUTH_NONE, ATT_APIVER_ANY},
};

const size_t att_n_routes = sizeof(att_routes) / sizeof(att_routes[0]);
