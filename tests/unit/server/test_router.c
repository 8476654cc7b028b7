/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: route pattern matching (captures, action suffixes, case,
 * trailing slash), 404 vs 405 with the Allow list, api-version table, and
 * that the server's own route table resolves MAA's paths. */
#include <string.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "server/router.h"

static void h(struct att_req *req, struct att_resp *resp)
{
	(void)req;
	(void)resp;
}

static const struct att_route table[] = {
	{"GET", "/certs", h, ATT_AUTH_NONE, ATT_APIVER_ANY, 0},
	{"GET", "/policies/{type}", h, ATT_AUTH_READER, ATT_APIVER_KNOWN, 0},
	{"PUT", "/policies/{type}", h, ATT_AUTH_CONTRIBUTOR, ATT_APIVER_KNOWN,
	 0},
	{"POST", "/policies/{type}:reset", h, ATT_AUTH_CONTRIBUTOR,
	 ATT_APIVER_KNOWN, 0},
	{"POST", "/certificates:add", h, ATT_AUTH_CONTRIBUTOR,
	 ATT_APIVER_KNOWN, 0},
	{"GET", "/a/{x}/b/{y}", h, ATT_AUTH_NONE, ATT_APIVER_ANY, 0},
};
#define N (sizeof(table) / sizeof(table[0]))

static void test_patterns(void)
{
	char p[ATT_ROUTE_MAX_PARAMS][ATT_ROUTE_PARAM_LEN];
	size_t n = 0;
	ATT_CHECK(att_route_pattern_match("/certs", "/certs", p, &n), "exact");
	ATT_CHECK(att_route_pattern_match("/certs", "/certs/", p, &n),
		  "trailing slash");
	ATT_CHECK(att_route_pattern_match("/certs", "/CERTS", p, &n), "case");
	ATT_CHECK(!att_route_pattern_match("/certs", "/certsx", p, &n),
		  "longer");
	ATT_CHECK(!att_route_pattern_match("/certs", "/cert", p, &n),
		  "shorter");
	ATT_CHECK(att_route_pattern_match("/policies/{type}",
					  "/policies/SgxEnclave", p, &n),
		  "capture");
	ATT_CHECK_EQ_INT(n, 1);
	ATT_CHECK_EQ_STR(p[0], "SgxEnclave");
	ATT_CHECK(!att_route_pattern_match("/policies/{type}",
					   "/policies/SgxEnclave:reset", p, &n),
		  "suffix is not part of a capture");
	ATT_CHECK(att_route_pattern_match("/policies/{type}:reset",
					  "/policies/Tpm:reset", p, &n),
		  "action suffix");
	ATT_CHECK_EQ_STR(p[0], "Tpm");
	ATT_CHECK(!att_route_pattern_match("/policies/{type}", "/policies/", p,
					   &n),
		  "empty capture");
	ATT_CHECK(!att_route_pattern_match("/policies/{type}", "/policies/a/b",
					   p, &n),
		  "capture never spans '/'");
	ATT_CHECK(att_route_pattern_match("/a/{x}/b/{y}", "/a/1/b/2", p, &n),
		  "two captures");
	ATT_CHECK(n == 2 && !strcmp(p[0], "1") && !strcmp(p[1], "2"), "params");
	char big[300];
	memset(big, 'x', sizeof(big));
	memcpy(big, "/policies/", 10);
	big[sizeof(big) - 1] = 0;
	ATT_CHECK(!att_route_pattern_match("/policies/{type}", big, p, &n),
		  "over-long capture refused");
}

static void test_match(void)
{
	struct att_route_match m;
	ATT_CHECK_EQ_INT(att_router_match(&m, table, N, "GET",
					  "/policies/OpenEnclave"),
			 0);
	ATT_CHECK(m.route == &table[1], "GET policies");
	ATT_CHECK_EQ_STR(m.params[0], "OpenEnclave");
	ATT_CHECK_EQ_INT(att_router_match(&m, table, N, "PUT",
					  "/policies/OpenEnclave"),
			 0);
	ATT_CHECK(m.route == &table[2], "PUT policies");
	ATT_CHECK_EQ_INT(att_router_match(&m, table, N, "DELETE",
					  "/policies/OpenEnclave"),
			 ATT_ERR_UNSUPPORTED);
	ATT_CHECK(m.route == NULL, "no route on 405");
	ATT_CHECK_EQ_STR(m.allow, "GET, PUT");
	ATT_CHECK_EQ_INT(att_router_match(&m, table, N, "POST", "/certs"),
			 ATT_ERR_UNSUPPORTED);
	ATT_CHECK_EQ_STR(m.allow, "GET");
	ATT_CHECK_EQ_INT(att_router_match(&m, table, N, "GET", "/nothing"),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_router_match(&m, table, N, "POST",
					  "/certificates:add"),
			 0);
	ATT_CHECK_EQ_INT(att_router_match(&m, table, N, "POST",
					  "/certificates:remove"),
			 ATT_ERR_NOT_FOUND);
}

static void test_server_table(void)
{
	struct att_route_match m;
	const char *get_paths[] = {"/certs", "/.well-known/openid-configuration",
				   "/policies/SgxEnclave", "/healthz",
				   "/readyz", "/metrics"};
	for (size_t i = 0; i < sizeof(get_paths) / sizeof(get_paths[0]); i++) {
		ATT_CHECK_EQ_INT(att_router_match(&m, att_routes, att_n_routes,
						  "GET", get_paths[i]),
				 0);
		ATT_CHECK(m.route && m.route->handler, "%s", get_paths[i]);
	}
	att_router_match(&m, att_routes, att_n_routes, "GET", "/certs");
	ATT_CHECK(m.route && m.route->auth == ATT_AUTH_NONE,
		  "certs anonymous");
	att_router_match(&m, att_routes, att_n_routes, "GET", "/policies/Tpm");
	ATT_CHECK(m.route && m.route->auth == ATT_AUTH_READER,
		  "policy read needs reader");
}

static void test_apiver(void)
{
	ATT_CHECK(att_apiver_known("2020-10-01"), "2020");
	ATT_CHECK(att_apiver_known("2022-08-01"), "2022");
	ATT_CHECK(att_apiver_known("2025-06-01"), "2025");
	ATT_CHECK(att_apiver_known("2018-09-01-preview"), "preview");
	ATT_CHECK(!att_apiver_known("2021-01-01"), "unknown");
	ATT_CHECK(!att_apiver_known(""), "empty");
}

/* Each route names the api-versions MAA has it in (issue 12): a known
 * version without the operation is refused by dispatch.c. */
static const struct att_route *find(const char *method, const char *path)
{
	struct att_route_match m;
	if (att_router_match(&m, att_routes, att_n_routes, method, path))
		return NULL;
	return m.route;
}

static void test_versions(void)
{
	ATT_CHECK_EQ_INT(att_apiver_bit("2018-09-01-preview"),
			 ATT_AV_2018_09_01_PREVIEW);
	ATT_CHECK_EQ_INT(att_apiver_bit("2026-03-11-preview"),
			 ATT_AV_2026_03_11_PREVIEW);
	ATT_CHECK_EQ_INT(att_apiver_bit("2021-01-01"), 0);
	char l[ATT_ROUTE_VERSIONS_LEN];
	att_apiver_list(l, sizeof(l), ATT_AV_SINCE_2022_08);
	ATT_CHECK_EQ_STR(l, "2022-08-01, 2022-09-01-preview, 2025-06-01, "
			    "2026-03-11-preview");
	att_apiver_list(l, sizeof(l), ATT_AV_ALL);
	ATT_CHECK(strlen(l) < sizeof(l) - 1, "all fit: %s", l);
	att_apiver_list(l, 12, ATT_AV_ALL); /* truncated, terminated */
	ATT_CHECK_EQ_INT(strlen(l), 11);

	const struct att_route *rt = find("GET", "/policies/Tpm");
	ATT_CHECK(rt && att_route_has_version(rt, "2020-10-01") &&
			  !att_route_has_version(rt, "2018-09-01-preview") &&
			  att_route_has_version(rt, NULL),
		  "policies: from 2020-10-01");
	rt = find("POST", "/attest/SevSnpVm");
	ATT_CHECK(rt && !att_route_has_version(rt, "2020-10-01") &&
			  att_route_has_version(rt, "2022-08-01") &&
			  att_route_has_version(rt, "2025-06-01"),
		  "SevSnpVm: from 2022-08-01");
	rt = find("POST", "/attest/SgxEnclave");
	ATT_CHECK(rt && att_route_has_version(rt, "2018-09-01-preview") &&
			  att_route_has_version(rt, "2025-06-01"),
		  "SgxEnclave: every version");
	rt = find("POST", "/attest/Tee/OpenEnclave");
	ATT_CHECK(rt && att_route_has_version(rt, "2018-09-01-preview") &&
			  !att_route_has_version(rt, "2020-10-01") &&
			  rt->auth == ATT_AUTH_READER,
		  "Tee/OpenEnclave: 2018 only, bearer");
	/* every api-checked route of the server names its versions */
	for (size_t i = 0; i < att_n_routes; i++)
		if (att_routes[i].apiver == ATT_APIVER_KNOWN)
			ATT_CHECK(att_routes[i].versions != 0, "%s %s",
				  att_routes[i].method, att_routes[i].pattern);
}

int main(void)
{
	test_versions();
	test_patterns();
	test_match();
	test_server_table();
	test_apiver();
	return att_test_done();
}
