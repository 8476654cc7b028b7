/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: provider name rules, auth settings parsing with defaults,
 * and provider selection by Host header and by path prefix. */
#include "attest/err.h"
#include "harness/tap.h"
#include "server/provider.h"

static struct att_provider *mk(const char *name)
{
	struct att_provider *p = NULL;
	struct att_diag d = {0};
	char base[128];
	snprintf(base, sizeof(base), "https://127.0.0.1:8443/%s", name);
	int r = att_provider_new(&p, name, base, "aad", "rsa", NULL, NULL, &d);
	ATT_CHECK_EQ_INT(r, 0);
	return p;
}

static void test_names(void)
{
	ATT_CHECK(att_provider_name_valid("default"), "default");
	ATT_CHECK(att_provider_name_valid("p2"), "p2");
	ATT_CHECK(att_provider_name_valid("my-tenant-01"), "dash");
	ATT_CHECK(!att_provider_name_valid(""), "empty");
	ATT_CHECK(!att_provider_name_valid("-x"), "leading dash");
	ATT_CHECK(!att_provider_name_valid("Upper"), "upper case");
	ATT_CHECK(!att_provider_name_valid("a.b"), "dot");
	ATT_CHECK(!att_provider_name_valid("a/b"), "slash");
	ATT_CHECK(!att_provider_name_valid("certs"), "reserved certs");
	ATT_CHECK(!att_provider_name_valid("policies"), "reserved policies");
	ATT_CHECK(!att_provider_name_valid("dev-issuer"), "reserved dev");
	char longname[80];
	memset(longname, 'a', 64);
	longname[64] = 0;
	ATT_CHECK(!att_provider_name_valid(longname), "64 chars too long");
	longname[63] = 0;
	ATT_CHECK(att_provider_name_valid(longname), "63 chars ok");
}

static void test_auth_settings(void)
{
	struct att_auth_settings s;
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_auth_settings_parse(&s, NULL, &d), 0);
	ATT_CHECK(s.enabled, "enabled by default");
	ATT_CHECK_EQ_STR(s.role_claim, "roles");
	ATT_CHECK_EQ_STR(s.reader_role, "Attestation.Reader");
	ATT_CHECK_EQ_STR(s.contributor_role, "Attestation.Contributor");
	ATT_CHECK_EQ_INT(s.n_issuers, 0);
	att_auth_settings_release(&s);

	json_t *o = json_loads(
		"{\"enabled\":false,\"role_claim\":\"groups\","
		"\"reader_role\":\"R\",\"issuers\":[{\"issuer\":\"https://i\","
		"\"audience\":\"api://a\",\"jwks_uri\":\"https://i/k\"}]}",
		0, NULL);
	ATT_CHECK_EQ_INT(att_auth_settings_parse(&s, o, &d), 0);
	ATT_CHECK(!s.enabled, "disabled");
	ATT_CHECK_EQ_STR(s.role_claim, "groups");
	ATT_CHECK_EQ_STR(s.reader_role, "R");
	ATT_CHECK_EQ_STR(s.contributor_role, "Attestation.Contributor");
	ATT_CHECK_EQ_INT(s.n_issuers, 1);
	if (s.n_issuers == 1) {
		ATT_CHECK_EQ_STR(s.issuers[0]->issuer, "https://i");
		ATT_CHECK_EQ_STR(s.issuers[0]->jwks_uri, "https://i/k");
	}
	att_auth_settings_release(&s);
	json_decref(o);

	o = json_loads("{\"issuers\":[{\"issuer\":\"x\"}]}", 0, NULL);
	ATT_CHECK_EQ_INT(att_auth_settings_parse(&s, o, &d),
			 ATT_ERR_INVALID_ARG);
	json_decref(o);
	att_diag_clear(&d);
	o = json_loads("{\"issuers\":[{\"issuer\":\"x\",\"audience\":\"y\","
		       "\"jwks_file\":\"/nonexistent/jwks.json\"}]}",
		       0, NULL);
	ATT_CHECK_EQ_INT(att_auth_settings_parse(&s, o, &d), ATT_ERR_FORMAT);
	ATT_CHECK(strstr(d.msg, "/nonexistent/jwks.json") != NULL, "%s",
		  d.msg);
	json_decref(o);
}

static void test_select(void)
{
	struct att_registry reg = {0};
	struct att_provider *def = mk("default"), *p2 = mk("p2"),
			    *t = mk("tenant");
	att_registry_add(&reg, def);
	att_registry_add(&reg, p2);
	att_registry_add(&reg, t);
	reg.def = def;
	const char *rest = NULL;

	/* Path prefix. */
	ATT_CHECK(att_provider_select(&reg, "127.0.0.1:8443", "/p2/certs",
				      &rest) == p2, "prefix p2");
	ATT_CHECK_EQ_STR(rest, "/certs");
	ATT_CHECK(att_provider_select(&reg, NULL, "/p2", &rest) == p2,
		  "bare prefix");
	ATT_CHECK_EQ_STR(rest, "/");
	ATT_CHECK(att_provider_select(&reg, NULL, "/P2/policies/Tpm", &rest) ==
			  p2, "prefix case-insensitive");
	ATT_CHECK_EQ_STR(rest, "/policies/Tpm");
	ATT_CHECK(att_provider_select(&reg, NULL, "/p22/certs", &rest) == def,
		  "not a prefix of a longer segment");
	ATT_CHECK_EQ_STR(rest, "/p22/certs");
	ATT_CHECK(att_provider_select(&reg, NULL, "/certs", &rest) == def,
		  "root -> default");
	ATT_CHECK_EQ_STR(rest, "/certs");

	/* Host header. */
	ATT_CHECK(att_provider_select(&reg, "tenant.attest.example:8443",
				      "/certs", &rest) == t, "host label");
	ATT_CHECK_EQ_STR(rest, "/certs");
	ATT_CHECK(att_provider_select(&reg, "TENANT.example", "/certs",
				      &rest) == t, "host case-insensitive");
	ATT_CHECK(att_provider_select(&reg, "tenant:8443", "/certs", &rest) ==
			  def, "single-label host is not NAME.anything");
	ATT_CHECK(att_provider_select(&reg, "127.0.0.1:8443", "/certs",
				      &rest) == def, "IP host");
	ATT_CHECK(att_provider_select(&reg, "localhost", "/certs", &rest) ==
			  def, "localhost");
	/* Host wins over a path prefix; the path is left as is. */
	ATT_CHECK(att_provider_select(&reg, "tenant.x", "/p2/certs", &rest) ==
			  t, "host first");
	ATT_CHECK_EQ_STR(rest, "/p2/certs");
	ATT_CHECK(att_registry_find(&reg, "p2", 2) == p2, "find");
	ATT_CHECK(att_registry_find(&reg, "p", 1) == NULL, "find exact len");
	for (size_t i = 0; i < reg.n; i++)
		att_provider_free(reg.v[i]);
	free(reg.v);
}

int main(void)
{
	test_names();
	test_auth_settings();
	test_select();
	return att_test_done();
}
