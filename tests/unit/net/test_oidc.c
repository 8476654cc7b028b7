/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OIDC discovery (net/oidc.h): the discovery URL, the jwks_uri rule
 * (https, or http to a loopback host only), and discovery against a real
 * HTTPS server on 127.0.0.1 (tests/unit/net/net_server.py): a good
 * document and its JWKS, a wrong issuer under each comparison mode, a
 * missing issuer, a plain-http jwks_uri to another host refused and one
 * to loopback accepted, no jwks_uri, a body that is not JSON, a JSON
 * array, a duplicated member, an oversized document, a JWKS without
 * "keys", an HTTP error status, and the document checks the background
 * fetcher uses on their own.
 */
#include "attest/err.h"
#include "base/limits.h"
#include "harness/tap.h"
#include "net/oidc.h"
#include "net_fixture.h"

static struct net_fixture fx;
static struct att_net_opts opts;

static bool has(const struct att_diag *d, const char *s)
{
	return strstr(att_diag_msg(d), s) != NULL;
}

static void t_config_url(void)
{
	char u[64], big[300];
	struct att_diag d;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_oidc_config_url(u, sizeof(u), "https://i.ex/t/",
					     &d),
			 0);
	ATT_CHECK_EQ_STR(u, "https://i.ex/t/.well-known/openid-configuration");
	ATT_CHECK_EQ_INT(att_oidc_config_url(u, sizeof(u), "http://i", &d), 0);
	ATT_CHECK_EQ_STR(u, "http://i/.well-known/openid-configuration");
	ATT_CHECK_EQ_INT(att_oidc_config_url(u, sizeof(u), "", &d),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_oidc_config_url(u, sizeof(u), NULL, &d),
			 ATT_ERR_INVALID_ARG);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_oidc_config_url(u, sizeof(u), "ftp://i", &d),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK(has(&d, "ftp://i"), "names the issuer: %s", att_diag_msg(&d));
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "https://", 8);
	big[sizeof(big) - 1] = '\0';
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_oidc_config_url(u, sizeof(u), big, &d),
			 ATT_ERR_LIMIT);
	ATT_CHECK(has(&d, "longer than"), "%s", att_diag_msg(&d));
}

static void t_jwks_uri_rule(void)
{
	static const char *good[] = {
	    "https://idp.example/jwks", "http://127.0.0.1:8080/jwks",
	    "http://127.1.2.3/k",	"http://localhost/jwks",
	    "http://LOCALHOST:9/x",	"http://[::1]:8443/jwks",
	    "http://[::1]/jwks",	"http://127.0.0.1"};
	static const char *bad[] = {
	    "http://example.com/jwks", "http://127.0.0.1.evil.example/x",
	    "http://user@127.0.0.1/x", "http://128.0.0.1/x",
	    "http://1270.0.0.1/x",     "http://127.0.0/x",
	    "http://[::2]/x",	       "http://localhost.evil/x",
	    "https://",		       "ftp://127.0.0.1/x",
	    "file:///etc/passwd",      "",
	    NULL};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ATT_CHECK(att_oidc_jwks_uri_ok(good[i]), "accepted: %s",
			  good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATT_CHECK(!att_oidc_jwks_uri_ok(bad[i]), "refused: %s",
			  bad[i] ? bad[i] : "(null)");
}

static const char *iss(const char *c)
{
	static char u[4][128];
	static int i;
	i = (i + 1) % 4;
	snprintf(u[i], sizeof(u[i]), "%s/%s", fx.base, c);
	return u[i];
}

/* cfg fetches the discovery document of case c, compared with issuer. */
static int cfg(const char *c, const char *issuer,
	       enum att_oidc_issuer_check how, struct att_diag *d)
{
	json_t *md = NULL;
	char u[160];
	snprintf(u, sizeof(u), "%s/%s/", fx.base, c); /* trailing slash */
	att_diag_clear(d);
	int r = att_oidc_fetch_config(&md, issuer ? issuer : u, how, &opts, d);
	ATT_CHECK((r == 0) == (md != NULL), "%s: a document iff success", c);
	json_decref(md);
	return r;
}

static void t_discovery(void)
{
	struct att_diag d;
	json_t *jwks = NULL;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_oidc_discover(&jwks, iss("good"),
					   ATT_OIDC_ISSUER_REQUIRED, &opts, &d),
			 0);
	ATT_CHECK(json_is_array(json_object_get(jwks, "keys")), "the JWKS: %s",
		  att_diag_msg(&d));
	json_decref(jwks);

	/* The issuer must match exactly: a trailing slash is another URL. */
	int r = cfg("good", NULL, ATT_OIDC_ISSUER_REQUIRED, &d);
	ATT_CHECK(r == ATT_ERR_MISMATCH && has(&d, "metadata issuer mismatch"),
		  "slash: %d %s", r, att_diag_msg(&d));

	r = cfg("wrongiss", iss("wrongiss"), ATT_OIDC_ISSUER_REQUIRED, &d);
	ATT_CHECK(r == ATT_ERR_MISMATCH && has(&d, "other.example") &&
		      has(&d, "/wrongiss"),
		  "wrong issuer: %d %s", r, att_diag_msg(&d));
	r = cfg("wrongiss", iss("wrongiss"), ATT_OIDC_ISSUER_IF_PRESENT, &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_MISMATCH);
	ATT_CHECK_EQ_INT(
	    cfg("wrongiss", iss("wrongiss"), ATT_OIDC_ISSUER_ANY, &d), 0);

	r = cfg("noiss", iss("noiss"), ATT_OIDC_ISSUER_REQUIRED, &d);
	ATT_CHECK(r == ATT_ERR_MISMATCH && has(&d, "(none)"),
		  "no issuer, required: %d %s", r, att_diag_msg(&d));
	ATT_CHECK_EQ_INT(
	    cfg("noiss", iss("noiss"), ATT_OIDC_ISSUER_IF_PRESENT, &d), 0);

	r = cfg("plain", iss("plain"), ATT_OIDC_ISSUER_REQUIRED, &d);
	ATT_CHECK(r == ATT_ERR_FORMAT && has(&d, "neither https") &&
		      has(&d, "http://example.com/jwks"),
		  "plain http jwks_uri: %d %s", r, att_diag_msg(&d));
	ATT_CHECK_EQ_INT(cfg("plain", iss("plain"), ATT_OIDC_ISSUER_ANY, &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(cfg("loop", iss("loop"), ATT_OIDC_ISSUER_REQUIRED, &d),
			 0);

	r = cfg("nojwks", iss("nojwks"), ATT_OIDC_ISSUER_REQUIRED, &d);
	ATT_CHECK(r == ATT_ERR_FORMAT && has(&d, "no jwks_uri"),
		  "no jwks_uri: %d %s", r, att_diag_msg(&d));
	r = cfg("badjson", iss("badjson"), ATT_OIDC_ISSUER_ANY, &d);
	ATT_CHECK(r == ATT_ERR_FORMAT && has(&d, "not a JSON object") &&
		      has(&d, "/badjson/"),
		  "bad JSON: %d %s", r, att_diag_msg(&d));
	r = cfg("array", iss("array"), ATT_OIDC_ISSUER_ANY, &d);
	ATT_CHECK(r == ATT_ERR_FORMAT && has(&d, "not a JSON object"),
		  "array: %d %s", r, att_diag_msg(&d));
	r = cfg("dup", iss("dup"), ATT_OIDC_ISSUER_ANY, &d);
	ATT_CHECK(r == ATT_ERR_FORMAT && has(&d, "duplicate"),
		  "duplicate member: %d %s", r, att_diag_msg(&d));
	r = cfg("huge", iss("huge"), ATT_OIDC_ISSUER_ANY, &d);
	ATT_CHECK(r == ATT_ERR_LIMIT && has(&d, "larger than"),
		  "oversized (default cap %d): %d %s", ATT_MAX_HTTP_BODY, r,
		  att_diag_msg(&d));

	att_diag_clear(&d);
	r = att_oidc_discover(&jwks, iss("notjwks"), ATT_OIDC_ISSUER_REQUIRED,
			      &opts, &d);
	ATT_CHECK(r == ATT_ERR_FORMAT && has(&d, "not a JWKS") && !jwks,
		  "not a JWKS: %d %s", r, att_diag_msg(&d));
	att_diag_clear(&d);
	r = att_oidc_discover(&jwks, iss("gone"), ATT_OIDC_ISSUER_ANY, &opts,
			      &d);
	ATT_CHECK(r == ATT_ERR_NETWORK && has(&d, "HTTP status 503"),
		  "HTTP error status: %d %s", r, att_diag_msg(&d));

	/* TLS verification applies to discovery too. */
	struct att_net_opts other = {.ca_file = fx.other_ca};
	att_diag_clear(&d);
	r = att_oidc_discover(&jwks, iss("good"), ATT_OIDC_ISSUER_REQUIRED,
			      &other, &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_NETWORK);
}

static void t_checks(void)
{
	struct att_diag d;
	const char *u = NULL;
	json_t *j = NULL;
	att_diag_clear(&d);
	const char *doc = "{\"issuer\":\"https://i\",\"jwks_uri\":\"https://k\"}";
	ATT_CHECK_EQ_INT(att_oidc_parse_object(&j, doc, strlen(doc), "u", &d),
			 0);
	ATT_CHECK_EQ_INT(att_oidc_check_config(j, "u", "https://i",
					       ATT_OIDC_ISSUER_REQUIRED, &u,
					       &d),
			 0);
	ATT_CHECK_EQ_STR(u, "https://k");
	ATT_CHECK_EQ_INT(att_oidc_check_config(j, "u", "https://j",
					       ATT_OIDC_ISSUER_IF_PRESENT, &u,
					       &d),
			 ATT_ERR_MISMATCH);
	ATT_CHECK(u == NULL, "no jwks_uri handed out on failure");
	json_decref(j);
	doc = "{\"issuer\":7,\"jwks_uri\":\"https://k\"}";
	att_oidc_parse_object(&j, doc, strlen(doc), "u", &d);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_oidc_check_config(j, "u", "https://i",
					       ATT_OIDC_ISSUER_IF_PRESENT, &u,
					       &d),
			 ATT_ERR_MISMATCH);
	ATT_CHECK(has(&d, "not a string"), "%s", att_diag_msg(&d));
	json_decref(j);
	doc = "{\"keys\":{}}";
	att_oidc_parse_object(&j, doc, strlen(doc), "u", &d);
	ATT_CHECK_EQ_INT(att_oidc_check_jwks(j, "u", &d), ATT_ERR_FORMAT);
	json_decref(j);
	ATT_CHECK_EQ_INT(att_oidc_parse_object(&j, NULL, 0, "u", &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK(j == NULL, "nothing parsed from nothing");
}

int main(void)
{
	t_config_url();
	t_jwks_uri_rule();
	t_checks();
	if (net_fixture_start(&fx)) {
		ATT_CHECK(0, "the fixture could not start");
		net_fixture_stop(&fx);
		return att_test_done();
	}
	opts.ca_file = fx.ca;
	t_discovery();
	net_fixture_stop(&fx);
	return att_test_done();
}
