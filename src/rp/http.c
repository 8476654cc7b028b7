/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libcurl wrapper behind every outgoing HTTPS request of the
 * relying-party library and the attest CLI. Defaults are the safe ones:
 * peer and host verification on, no redirects (a redirect could move a
 * bearer token or a JWKS fetch elsewhere), http/https only, a whole-
 * transfer timeout, and a response body cap enforced while receiving.
 * Bearer tokens are never sent over plain http.
 */
#include "rp/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
	struct att_buf *b;
	bool over;
};

static size_t on_data(char *p, size_t size, size_t n, void *u)
{
	struct sink *s = u;
	size_t len = size * n;
	if (s->over)
		return 0;
	if (att_buf_add(s->b, p, len)) {
		s->over = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return len;
}

static bool is_https(const char *url)
{
	return strncmp(url, "https://", 8) == 0;
}

/* add_headers builds the request headers; *hl may be NULL on return
 * when nothing needs adding. */
static int add_headers(struct curl_slist **hl, const char *content_type,
		       const char *bearer)
{
	char line[ATT_MAX_HTTP_HEADER];
	struct curl_slist *l = curl_slist_append(NULL, "Expect:");
	if (l && content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", content_type);
		l = curl_slist_append(l, line);
	}
	if (l && bearer) {
		int n = snprintf(line, sizeof(line), "Authorization: Bearer %s",
				 bearer);
		if (n < 0 || (size_t)n >= sizeof(line)) {
			curl_slist_free_all(l);
			return ATT_ERR_LIMIT;
		}
		l = curl_slist_append(l, line);
	}
	*hl = l;
	return l ? 0 : ATT_ERR_NOMEM;
}

static int set_tls(CURL *c, const struct att_http_opts *o, char *pin,
		   size_t pin_len)
{
	CURLcode e = CURLE_OK;
	if (o->ca_file)
		e = curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (!e && o->pinned_cert_sha256_b64) {
		const char *p = o->pinned_cert_sha256_b64;
		snprintf(pin, pin_len, "%s%s",
			 strncmp(p, "sha256//", 8) ? "sha256//" : "", p);
		e = curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin);
	}
	if (!e && o->insecure_skip_verify) {
		e = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		if (!e)
			e = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return e ? ATT_ERR_INTERNAL : 0;
}

static int set_common(CURL *c, const char *url, const struct att_http_opts *o,
		      struct sink *s, char *errbuf)
{
	long timeout = o->timeout_ms > 0 ? o->timeout_ms
					 : ATT_HTTP_TIMEOUT_SECONDS * 1000L;
	if (curl_easy_setopt(c, CURLOPT_URL, url) ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "attest/0.1") ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			     (curl_off_t)s->b->max) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, s))
		return ATT_ERR_INTERNAL;
	return 0;
}

static int set_method(CURL *c, const char *method, const void *body,
		      size_t len)
{
	if (!strcmp(method, "GET") && !body)
		return curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) ? ATT_ERR_INTERNAL : 0;
	if (strcmp(method, "POST") &&
	    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method))
		return ATT_ERR_INTERNAL;
	if (!body && strcmp(method, "DELETE"))
		body = "";
	if (body && (curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)len) ||
		     curl_easy_setopt(c, CURLOPT_POSTFIELDS, body)))
		return ATT_ERR_INTERNAL;
	return 0;
}

static int map_curl_error(CURLcode e, const struct sink *s, const char *method,
			  const char *url, const char *errbuf,
			  struct att_diag *diag)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(e);
	if (s->over || e == CURLE_FILESIZE_EXCEEDED)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "%s %.300s: response larger than %zu bytes",
				    method, url, s->b->max);
	if (e == CURLE_OPERATION_TIMEDOUT)
		return att_diag_set(diag, ATT_ERR_TIMEOUT, "%s %.300s: %s",
				    method, url, why);
	return att_diag_set(diag, ATT_ERR_NETWORK, "%s %.300s: %s", method,
			    url, why);
}

static bool method_ok(const char *m)
{
	return m && (!strcmp(m, "GET") || !strcmp(m, "POST") ||
		     !strcmp(m, "PUT") || !strcmp(m, "DELETE"));
}

int att_http_request(struct att_buf *resp, long *status, const char *method,
		     const char *url, const char *content_type,
		     const void *body, size_t len,
		     const struct att_http_opts *o, struct att_diag *diag)
{
	static const struct att_http_opts defaults;
	char errbuf[CURL_ERROR_SIZE] = "", pin[256];
	struct curl_slist *hl = NULL;
	struct sink s = {.b = resp};
	CURL *c = NULL;
	int r;
	if (status)
		*status = 0;
	o = o ? o : &defaults;
	if (!resp || !url || !method_ok(method))
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "http: bad request");
	if (strncmp(url, "http://", 7) && !is_https(url))
		return att_diag_set(diag, ATT_ERR_INVALID_ARG,
				    "http: %.300s is not an http(s) URL", url);
	if (o->bearer && !is_https(url))
		return att_diag_set(diag, ATT_ERR_INVALID_ARG,
				    "http: refusing to send a bearer token "
				    "over plain http (%.300s)", url);
	if (resp->max == 0)
		att_buf_init(resp, ATT_MAX_HTTP_BODY);
	att_buf_release(resp);
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK || !(c = curl_easy_init()))
		return att_diag_set(diag, ATT_ERR_INTERNAL, "http: libcurl init failed");
	if ((r = set_common(c, url, o, &s, errbuf)) ||
	    (r = set_tls(c, o, pin, sizeof(pin))) ||
	    (r = set_method(c, method, body, len)) ||
	    (r = add_headers(&hl, body ? content_type : NULL, o->bearer)) ||
	    (r = curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl) ? ATT_ERR_INTERNAL : 0)) {
		r = att_diag_set(diag, r, "http: setting up %s %.300s", method, url);
		goto out;
	}
	CURLcode e = curl_easy_perform(c);
	if (e != CURLE_OK) {
		r = map_curl_error(e, &s, method, url, errbuf, diag);
		att_buf_release(resp);
		goto out;
	}
	if (status)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	r = 0;
out:
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return r;
}

int att_http_get(struct att_buf *resp, long *status, const char *url,
		 const struct att_http_opts *o, struct att_diag *diag)
{
	return att_http_request(resp, status, "GET", url, NULL, NULL, 0, o,
				diag);
}

int att_http_post(struct att_buf *resp, long *status, const char *url,
		  const struct att_http_opts *o, const char *content_type,
		  const void *body, size_t len, struct att_diag *diag)
{
	return att_http_request(resp, status, "POST", url, content_type,
				body ? body : "", len, o, diag);
}

int att_http_put(struct att_buf *resp, long *status, const char *url,
		 const struct att_http_opts *o, const char *content_type,
		 const void *body, size_t len, struct att_diag *diag)
{
	return att_http_request(resp, status, "PUT", url, content_type,
				body ? body : "", len, o, diag);
}
