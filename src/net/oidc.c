/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenID Connect discovery (net/oidc.h). The document's "issuer" must be
 * the configured issuer exactly (OpenID Connect Discovery 1.0 section
 * 4.3), so that a JWKS is only ever taken from metadata that belongs to
 * the issuer a relying party trusts; its jwks_uri must not send the key
 * fetch over plain http to another host.
 */
#include "net/oidc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"

int att_oidc_config_url(char *url, size_t size, const char *issuer,
			struct att_diag *d)
{
	size_t n = issuer ? strlen(issuer) : 0;
	if (n && issuer[n - 1] == '/')
		n--;
	if (n == 0 || (strncmp(issuer, "https://", 8) &&
		       strncmp(issuer, "http://", 7)))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "bad issuer URL %.300s (not http(s))",
				    issuer ? issuer : "(none)");
	if (n + sizeof(ATT_OIDC_WELL_KNOWN) > size)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "issuer URL longer than %zu bytes: %.300s",
				    size - sizeof(ATT_OIDC_WELL_KNOWN), issuer);
	snprintf(url, size, "%.*s%s", (int)n, issuer, ATT_OIDC_WELL_KNOWN);
	return 0;
}

/* is_loopback_v4 accepts 127.x.y.z written as four decimal parts. */
static bool is_loopback_v4(const char *h, size_t n)
{
	unsigned parts = 1, digits = 0;
	if (n < 9 || strncmp(h, "127.", 4))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (!digits)
				return false;
			parts++;
			digits = 0;
		} else if (h[i] >= '0' && h[i] <= '9' && digits < 3) {
			digits++;
		} else {
			return false;
		}
	}
	return parts == 4 && digits;
}

static bool is_loopback_host(const char *authority)
{
	size_t n = strcspn(authority, "/?#");
	if (memchr(authority, '@', n)) /* userinfo: never a test IdP */
		return false;
	if (authority[0] == '[')
		return n >= 5 && !strncmp(authority, "[::1]", 5) &&
		       (n == 5 || authority[5] == ':');
	size_t h = strcspn(authority, ":/?#");
	if (h == 9 && !strncasecmp(authority, "localhost", 9))
		return true;
	return is_loopback_v4(authority, h);
}

bool att_oidc_jwks_uri_ok(const char *uri)
{
	if (!uri)
		return false;
	if (!strncmp(uri, "https://", 8))
		return uri[8] != '\0';
	return !strncmp(uri, "http://", 7) && is_loopback_host(uri + 7);
}

int att_oidc_parse_object(json_t **out, const char *text, size_t len,
			  const char *url, struct att_diag *d)
{
	json_error_t err;
	json_t *j = json_loadb(text ? text : "", text ? len : 0,
			       JSON_REJECT_DUPLICATES, &err);
	*out = NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "GET %.300s: response is not a JSON object "
				    "(%.120s)",
				    url, j ? "another JSON value" : err.text);
	}
	*out = j;
	return 0;
}

int att_oidc_check_config(const json_t *doc, const char *url,
			  const char *issuer, enum att_oidc_issuer_check how,
			  const char **jwks_uri, struct att_diag *d)
{
	json_t *iss = json_object_get(doc, "issuer");
	const char *got = json_string_value(iss);
	*jwks_uri = NULL;
	bool compare = how == ATT_OIDC_ISSUER_REQUIRED ||
		       (how == ATT_OIDC_ISSUER_IF_PRESENT && iss);
	if (compare && (!got || !issuer || strcmp(got, issuer)))
		return att_diag_set(d, ATT_ERR_MISMATCH,
				    "metadata issuer mismatch: got %.200s, "
				    "expected %.200s",
				    got ? got : iss ? "(not a string)" : "(none)",
				    issuer ? issuer : "(none)");
	const char *u = json_string_value(json_object_get(doc, "jwks_uri"));
	if (!u)
		return att_diag_set(d, ATT_ERR_FORMAT, "%.300s has no jwks_uri",
				    url);
	if (!att_oidc_jwks_uri_ok(u))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "%.300s: jwks_uri %.300s is neither https "
				    "nor http to a loopback host",
				    url, u);
	*jwks_uri = u;
	return 0;
}

int att_oidc_check_jwks(const json_t *jwks, const char *url,
			struct att_diag *d)
{
	if (!json_is_array(json_object_get(jwks, "keys")))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "%.300s: not a JWKS (no \"keys\" array)",
				    url);
	return 0;
}

int att_oidc_fetch_json(json_t **out, const char *url,
			const struct att_net_opts *o, struct att_diag *d)
{
	struct att_buf body;
	long status = 0;
	*out = NULL;
	att_buf_init(&body, o && o->max_body ? o->max_body : ATT_MAX_HTTP_BODY);
	int r = att_net_request(&body, &status, "GET", url, NULL, NULL, 0, o,
				d);
	if (r == 0 && status != 200)
		r = att_diag_set(d, ATT_ERR_NETWORK,
				 "GET %.300s: HTTP status %ld", url, status);
	if (r == 0)
		r = att_oidc_parse_object(out, (const char *)body.data,
					  body.len, url, d);
	att_buf_release(&body);
	return r;
}

int att_oidc_fetch_config(json_t **out, const char *issuer,
			  enum att_oidc_issuer_check how,
			  const struct att_net_opts *o, struct att_diag *d)
{
	char url[ATT_JWKS_MAX_URL_LEN + sizeof(ATT_OIDC_WELL_KNOWN)];
	const char *jwks_uri;
	json_t *md = NULL;
	*out = NULL;
	int r = att_oidc_config_url(url, sizeof(url), issuer, d);
	if (r == 0)
		r = att_oidc_fetch_json(&md, url, o, d);
	if (r == 0)
		r = att_oidc_check_config(md, url, issuer, how, &jwks_uri, d);
	if (r) {
		json_decref(md);
		return r;
	}
	*out = md;
	return 0;
}

int att_oidc_fetch_jwks(json_t **out, const char *jwks_uri,
			const struct att_net_opts *o, struct att_diag *d)
{
	json_t *jwks = NULL;
	*out = NULL;
	int r = att_oidc_fetch_json(&jwks, jwks_uri, o, d);
	if (r == 0 && (r = att_oidc_check_jwks(jwks, jwks_uri, d)) != 0)
		json_decref(jwks);
	if (r == 0)
		*out = jwks;
	return r;
}

int att_oidc_discover(json_t **jwks, const char *issuer,
		      enum att_oidc_issuer_check how,
		      const struct att_net_opts *o, struct att_diag *d)
{
	json_t *md = NULL;
	*jwks = NULL;
	int r = att_oidc_fetch_config(&md, issuer, how, o, d);
	if (r == 0)
		r = att_oidc_fetch_jwks(
		    jwks, json_string_value(json_object_get(md, "jwks_uri")), o,
		    d);
	json_decref(md);
	return r;
}
