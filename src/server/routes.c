/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The route table: every operation attestd serves, with its auth
 * requirement and api-version rule. /certs and the OpenID metadata are
 * anonymous and take any api-version (MAA 2020-10-01 sends none, 2025-06-01
 * sends one); the policy and attestation routes accept a missing
 * api-version but refuse an unknown one, and one of the known versions in
 * which MAA has no such operation (the last column: policies,
 * certificates, Tpm and TdxVm from 2020-10-01, SevSnpVm from 2022-08-01; SgxEnclave and OpenEnclave in every version,
 * 2018-09-01-preview included, where they need a bearer token and answer
 * in that version's token format: dispatch.c, api_attest.c). Health and metrics are the
 * operator's and are not under MAA's rules.
 */
#include "server/handlers.h"
#include "server/router.h"
#include "server/api_tpm.h" /* POST /attest/Tpm: bearer checked per provider */

const struct att_route att_routes[] = {
	{"GET", "/certs", att_api_certs, ATT_AUTH_NONE, ATT_APIVER_ANY, 0},
	{"GET", "/.well-known/openid-configuration", att_api_openid,
	 ATT_AUTH_NONE, ATT_APIVER_ANY, 0},
	{"GET", "/policies/{type}", att_api_policy_get, ATT_AUTH_READER,
	 ATT_APIVER_KNOWN, ATT_AV_SINCE_2020},
	{"PUT", "/policies/{type}", att_api_policy_put, ATT_AUTH_CONTRIBUTOR,
	 ATT_APIVER_KNOWN, ATT_AV_SINCE_2020},
	{"POST", "/policies/{type}:reset", att_api_policy_reset,
	 ATT_AUTH_CONTRIBUTOR, ATT_APIVER_KNOWN, ATT_AV_SINCE_2020},
	{"GET", "/certificates", att_api_polcerts_get, ATT_AUTH_READER,
	 ATT_APIVER_KNOWN, ATT_AV_SINCE_2020},
	{"POST", "/certificates:add", att_api_polcerts_add,
	 ATT_AUTH_CONTRIBUTOR, ATT_APIVER_KNOWN, ATT_AV_SINCE_2020},
	{"POST", "/certificates:remove", att_api_polcerts_remove,
	 ATT_AUTH_CONTRIBUTOR, ATT_APIVER_KNOWN, ATT_AV_SINCE_2020},
	{"POST", "/attest/Tpm", att_api_attest_tpm, ATT_AUTH_NONE, ATT_APIVER_KNOWN,
	 ATT_AV_SINCE_2020},
	{"POST", "/attest/SgxEnclave", att_api_attest_sgx, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN, ATT_AV_ALL},
	{"POST", "/attest/OpenEnclave", att_api_attest_oe, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN, ATT_AV_ALL},
	/* 2018-09-01-preview's own paths (MAA's samples of that version
	 * posted OpenEnclave reports to /attest/Tee/OpenEnclave). */
	{"POST", "/attest/Tee/SgxEnclave", att_api_attest_sgx, ATT_AUTH_READER,
	 ATT_APIVER_KNOWN, ATT_AV_2018_09_01_PREVIEW},
	{"POST", "/attest/Tee/OpenEnclave", att_api_attest_oe, ATT_AUTH_READER,
	 ATT_APIVER_KNOWN, ATT_AV_2018_09_01_PREVIEW},
	{"POST", "/attest/TdxVm", att_api_attest_tdx, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN, ATT_AV_SINCE_2020},
	{"POST", "/attest/SevSnpVm", att_api_attest_snp, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN, ATT_AV_SINCE_2022_08},
	{"POST", "/attest/AzureGuest", att_api_attest_azureguest, ATT_AUTH_NONE,
	 ATT_APIVER_KNOWN, ATT_AV_SINCE_2020},
	/* TcbBaselines_Get: 2022-09-01-preview (attestation.json of that
	 * version) and the TypeSpec versions (routes.tsp: 2025-06-01 on). */
	{"GET", "/tcbbaselines/{type}", att_api_tcbbaselines_get,
	 ATT_AUTH_READER, ATT_APIVER_KNOWN,
	 ATT_AV_2022_09_01_PREVIEW | ATT_AV_2025_06_01 |
		 ATT_AV_2026_03_11_PREVIEW},
	{"GET", "/healthz", att_api_healthz, ATT_AUTH_NONE, ATT_APIVER_ANY, 0},
	{"GET", "/readyz", att_api_readyz, ATT_AUTH_NONE, ATT_APIVER_ANY, 0},
	{"GET", "/metrics", att_api_metrics, ATT_AUTH_NONE, ATT_APIVER_ANY, 0},
};

const size_t att_n_routes = sizeof(att_routes) / sizeof(att_routes[0]);
