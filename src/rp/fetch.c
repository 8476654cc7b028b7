/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fetching an issuer's OpenID configuration and JWKS over HTTPS. The
 * metadata's "issuer" must equal the configured issuer exactly (OpenID
 * Connect Discovery 1.0 section 4.3), so that a JWKS is only ever taken
 * from metadata that belongs to the issuer a relying party trusts.
 */
#include "rp/fetch.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "rp/http.h"

#define WELL_KNOWN "/.well-known/openid-configuration"

int att_rp_fetch_json(json_t **out, const char *url,
		      const struct att_http_opts *o, struct att_diag *diag)
{
	struct att_buf body;
	json_error_t err;
	long status = 0;
	*out = NULL;
	att_buf_init(&body, ATT_MAX_HTTP_BODY);
	int r = att_http_get(&body, &status, url, o, diag);
	if (r)
		return r;
	if (status != 200) {
		r = att_diag_set(diag, ATT_ERR_NETWORK,
				 "GET %.300s: HTTP status %ld", url, status);
		goto out;
	}
	*out = json_loadb((const char *)body.data, body.len,
			  JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		r = att_diag_set(diag, ATT_ERR_FORMAT,
				 "GET %.300s: response is not a JSON object",
				 url);
	}
out:
	att_buf_release(&body);
	return r;
}

int att_rp_fetch_metadata(json_t **out, const char *issuer, bool check_issuer,
			  const struct att_http_opts *o, struct att_diag *diag)
{
	char url[2048];
	json_t *md = NULL;
	*out = NULL;
	size_t n = issuer ? strlen(issuer) : 0;
	if (n && issuer[n - 1] == '/')
		n--;
	if (n == 0 || n + sizeof(WELL_KNOWN) > sizeof(url))
		return att_diag_set(diag, ATT_ERR_INVALID_ARG,
				    "bad issuer URL");
	snprintf(url, sizeof(url), "%.*s%s", (int)n, issuer, WELL_KNOWN);
	int r = att_rp_fetch_json(&md, url, o, diag);
	if (r)
		return r;
	const char *got = json_string_value(json_object_get(md, "issuer"));
	if (check_issuer && (!got || strcmp(got, issuer))) {
		r = att_diag_set(diag, ATT_ERR_MISMATCH,
				 "metadata issuer mismatch: got %.200s, "
				 "expected %.200s", got ? got : "(none)",
				 issuer);
		goto out;
	}
	if (!json_is_string(json_object_get(md, "jwks_uri"))) {
		r = att_diag_set(diag, ATT_ERR_FORMAT,
				 "%.300s has no jwks_uri", url);
		goto out;
	}
	*out = md;
	md = NULL; /* transferred */
out:
	json_decref(md);
	return r;
}

int att_rp_fetch_jwks(json_t **out, const char *jwks_uri,
		      const struct att_http_opts *o, struct att_diag *diag)
{
	json_t *jwks = NULL;
	*out = NULL;
	int r = att_rp_fetch_json(&jwks, jwks_uri, o, diag);
	if (r)
		return r;
	if (!json_is_array(json_object_get(jwks, "keys"))) {
		json_decref(jwks);
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "%.300s: not a JWKS (no \"keys\" array)",
				    jwks_uri);
	}
	*out = jwks;
	return 0;
}
