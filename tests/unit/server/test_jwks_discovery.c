/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the background JWKS fetcher's OIDC discovery goes through
 * the one discovery of src/net (net/oidc.h), against a real HTTPS server
 * on 127.0.0.1 (tests/unit/net/net_server.py, trusted through the
 * issuer's ca_file): a good document leads to its JWKS; a document naming
 * another issuer, a plain-http jwks_uri to another host, a body that is
 * not JSON, one above ATT_MAX_JWKS_LEN, a JWKS without "keys" and an HTTP
 * error status each fail the attempt, and the 503 reason names why. */
#include "attest/err.h"
#include "base/limits.h"
#include "harness/tap.h"
#include "server/auth.h"
#include "server/jwks_fetch.h"
#include "server/provider.h"
#include "unit/net/net_fixture.h"

static struct net_fixture fx;

static int64_t mono_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* bind_case binds one issuer <base>/<c> (discovered, the test CA) and
 * waits (at most 5 s) until its first attempt ended. */
static int bind_case(struct att_jwks_svc *svc, struct att_auth_settings *a,
		     const char *c)
{
	char js[1024];
	struct att_diag d = {0};
	struct att_jwks_stats st;
	snprintf(js, sizeof(js),
		 "{\"issuers\":[{\"issuer\":\"%s/%s\",\"audience\":\"aud\","
		 "\"ca_file\":\"%s\"}]}",
		 fx.base, c, fx.ca);
	json_t *o = json_loads(js, 0, NULL);
	int r = att_auth_settings_parse(a, o, &d);
	json_decref(o);
	ATT_CHECK(r == 0, "parse %s: %s", js, att_diag_msg(&d));
	if (r || (r = att_jwks_svc_bind(svc, a, &d)) != 0)
		return r;
	int64_t end = mono_now_ms() + 5000;
	do {
		att_jwks_source_stats(a->issuers[0]->src, &st);
		if (st.attempts >= 1 && !st.in_flight)
			return 0;
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	} while (mono_now_ms() < end);
	return ATT_ERR_TIMEOUT;
}

static void good(struct att_jwks_svc *svc, const char *c)
{
	struct att_auth_settings a;
	struct att_jwks_status st = {0};
	json_t *j = NULL;
	ATT_CHECK_EQ_INT(bind_case(svc, &a, c), 0);
	int r = att_jwks_source_get(a.issuers[0]->src, &j, &st);
	ATT_CHECK(r == 0 && json_is_array(json_object_get(j, "keys")),
		  "%s: discovered JWKS: r=%d %s", c, r, st.why);
	json_decref(j);
	att_auth_settings_release(&a);
}

static void refused(struct att_jwks_svc *svc, const char *c,
		    const char *needle)
{
	struct att_auth_settings a;
	struct att_jwks_status st = {0};
	json_t *j = NULL;
	ATT_CHECK_EQ_INT(bind_case(svc, &a, c), 0);
	int r = att_jwks_source_get(a.issuers[0]->src, &j, &st);
	ATT_CHECK(r == ATT_ERR_NETWORK && !j && strstr(st.why, needle) &&
		      strstr(st.why, "failed"),
		  "%s: refused naming '%s': r=%d %s", c, needle, r, st.why);
	json_decref(j);
	att_auth_settings_release(&a);
}

int main(void)
{
	struct att_jwks_svc *svc = NULL;
	struct att_diag d = {0};
	char mib[64];
	att_auth_global_init();
	if (net_fixture_start(&fx)) {
		ATT_CHECK(0, "the fixture could not start");
		net_fixture_stop(&fx);
		return att_test_done();
	}
	ATT_CHECK_EQ_INT(att_jwks_svc_new(&svc, &d), 0);
	if (svc) {
		good(svc, "good");
		good(svc, "noiss"); /* no issuer member: nothing to compare */
		refused(svc, "wrongiss", "metadata issuer mismatch");
		refused(svc, "plain", "neither https");
		refused(svc, "badjson", "not a JSON object");
		snprintf(mib, sizeof(mib), "larger than %d bytes",
			 ATT_MAX_JWKS_LEN);
		refused(svc, "huge", mib);
		refused(svc, "notjwks", "not a JWKS");
		refused(svc, "nojwks", "no jwks_uri");
		refused(svc, "gone", "HTTP 503");
	}
	att_jwks_svc_free(svc);
	net_fixture_stop(&fx);
	return att_test_done();
}
