/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fetching and caching a trusted issuer's JWKS for bearer authentication:
 * from the issuer's "jwks_uri" setting, or discovered through
 * <issuer>/.well-known/openid-configuration (as Entra ID publishes it).
 * libcurl with TLS verification, no redirects, a size cap and a timeout.
 * A fixed JWKS (jwks_file, or the dev issuer's) is never fetched.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/log.h"
#include "server/auth.h"
#include "server/provider.h"

void att_auth_global_init(void)
{
	/* Not thread-safe itself: called once at start, before any request
	 * thread can fetch a JWKS. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct att_buf *b = arg;
	size_t len = size * n;
	return att_buf_add(b, p, len) == 0 ? len : 0;
}

static int fetch_json(json_t **out, const char *url, const char *ca_file,
		      struct att_diag *d)
{
	struct att_buf b;
	long status = 0;
	json_error_t je;
	att_buf_init(&b, ATT_MAX_JWKS_LEN);
	CURL *c = curl_easy_init();
	if (!c)
		return ATT_ERR_NOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)ATT_JWKS_FETCH_TIMEOUT_SECONDS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	CURLcode cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	int r = 0;
	if (cc != CURLE_OK)
		r = att_diag_set(d, ATT_ERR_NETWORK, "fetching %s: %s", url,
				 curl_easy_strerror(cc));
	else if (status != 200)
		r = att_diag_set(d, ATT_ERR_NETWORK, "fetching %s: HTTP %ld",
				 url, status);
	else if (!(*out = json_loadb((const char *)b.data, b.len, 0, &je)))
		r = att_diag_set(d, ATT_ERR_FORMAT, "fetching %s: not JSON: %s",
				 url, je.text);
	att_buf_release(&b);
	return r;
}

static int discover(char **out, struct att_auth_issuer *i, struct att_diag *d)
{
	char url[2048];
	json_t *meta = NULL;
	if (i->jwks_uri) {
		*out = strdup(i->jwks_uri);
		return *out ? 0 : ATT_ERR_NOMEM;
	}
	size_t n = strlen(i->issuer);
	snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration",
		 (int)(n && i->issuer[n - 1] == '/' ? n - 1 : n), i->issuer);
	int r = fetch_json(&meta, url, i->ca_file, d);
	if (r)
		return r;
	const char *u = json_string_value(json_object_get(meta, "jwks_uri"));
	if (!u)
		r = att_diag_set(d, ATT_ERR_FORMAT, "%s has no jwks_uri", url);
	else if (!(*out = strdup(u)))
		r = ATT_ERR_NOMEM;
	json_decref(meta);
	return r;
}

static int refetch(struct att_auth_issuer *i, int64_t now, struct att_diag *d)
{
	char *uri = NULL;
	json_t *jwks = NULL;
	int r = discover(&uri, i, d);
	if (!r)
		r = fetch_json(&jwks, uri, i->ca_file, d);
	if (!r && !json_is_array(json_object_get(jwks, "keys")))
		r = att_diag_set(d, ATT_ERR_FORMAT, "%s is not a JWKS", uri);
	free(uri);
	if (r) {
		json_decref(jwks);
		return r;
	}
	json_decref(i->jwks);
	i->jwks = jwks;
	i->fetched = now;
	return 0;
}

int att_auth_issuer_jwks(struct att_auth_issuer *i, int64_t now, bool refresh,
			 json_t **out, struct att_diag *d)
{
	int r = 0;
	*out = NULL;
	pthread_mutex_lock(&i->mu);
	if (i->jwks && i->fetched == 0) { /* fixed JWKS */
		*out = json_incref(i->jwks);
		pthread_mutex_unlock(&i->mu);
		return 0;
	}
	int64_t age = now - i->fetched;
	bool stale = !i->jwks || age >= ATT_JWKS_CACHE_SECONDS ||
		     (refresh && age >= ATT_JWKS_REFETCH_COOLDOWN_SECONDS);
	if (stale) {
		r = refetch(i, now, d);
		if (r && i->jwks) { /* keep serving the last good one */
			att_logf(ATT_LOG_WARN, "auth: %s; keeping the cached "
					       "JWKS of %s",
				 att_diag_msg(d), i->issuer);
			att_diag_clear(d);
			r = 0;
		}
	}
	if (!r)
		*out = json_incref(i->jwks);
	pthread_mutex_unlock(&i->mu);
	return r;
}
