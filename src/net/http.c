/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libcurl client behind every outgoing request (net/http.h): one
 * easy handle per transfer, set up with the safe defaults, its body and
 * captured header bounded while they arrive, and one mapping of how a
 * transfer ended to an ATT_ERR_* code with a message naming the method,
 * the URL and libcurl's reason.
 */
#include "net/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/limits.h"
#include "base/version.h"
#include "net/net_int.h"


struct att_net_xfer {
	CURL *easy;
	struct curl_slist *headers;
	struct att_buf body;
	struct att_buf hdr; /* the captured header value */
	const char *const *capture;
	char hdr_name[64];
	bool body_over, hdr_over;
	CURLcode cc;
	long status;
	void *user;
	char method[8];
	char *url;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int att_net_global_init(void)
{
	pthread_once(&curl_once, curl_init);
	return curl_init_rc == CURLE_OK ? 0 : ATT_ERR_INTERNAL;
}

/* ---- receiving ---- */

static size_t on_body(char *p, size_t size, size_t n, void *u)
{
	struct att_net_xfer *x = u;
	if (x->body_over || att_buf_add(&x->body, p, size * n)) {
		x->body_over = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return size * n;
}

static void trim(const char **v, size_t *len)
{
	while (*len && (**v == ' ' || **v == '\t'))
		(*v)++, (*len)--;
	while (*len && ((*v)[*len - 1] == '\r' || (*v)[*len - 1] == '\n' ||
			(*v)[*len - 1] == ' ' || (*v)[*len - 1] == '\t'))
		(*len)--;
}

/* capture_line keeps the value of a header named in x->capture. */
static bool capture_line(struct att_net_xfer *x, const char *p, size_t len)
{
	const char *colon = memchr(p, ':', len);
	size_t nl = colon ? (size_t)(colon - p) : 0;
	for (size_t i = 0; colon && x->capture[i]; i++) {
		if (strlen(x->capture[i]) != nl ||
		    strncasecmp(p, x->capture[i], nl))
			continue;
		const char *v = colon + 1;
		size_t vl = len - nl - 1;
		trim(&v, &vl);
		att_buf_release(&x->hdr);
		if (att_buf_add(&x->hdr, v, vl))
			return false;
		snprintf(x->hdr_name, sizeof(x->hdr_name), "%s",
			 x->capture[i]);
	}
	return true;
}

static size_t on_header(char *p, size_t size, size_t n, void *u)
{
	struct att_net_xfer *x = u;
	size_t len = size * n;
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a redirect): only the last counts. */
		att_buf_release(&x->hdr);
		x->hdr_name[0] = '\0';
		return len;
	}
	if (!capture_line(x, p, len)) {
		x->hdr_over = true;
		return 0;
	}
	return len;
}

/* ---- set-up ---- */

static bool is_https(const char *url)
{
	return strncmp(url, "https://", 8) == 0;
}

static bool method_ok(const char *m)
{
	return m && (!strcmp(m, "GET") || !strcmp(m, "POST") ||
		     !strcmp(m, "PUT") || !strcmp(m, "DELETE"));
}

static int set_tls(CURL *c, const struct att_net_opts *o)
{
	char pin[256];
	bool insecure = o->insecure_skip_verify;
	CURLcode e = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER,
				      insecure ? 0L : 1L);
	if (!e)
		e = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST,
				     insecure ? 0L : 2L);
	if (!e && o->ca_file)
		e = curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (!e && o->pinned_key) {
		const char *p = o->pinned_key;
		int n = snprintf(pin, sizeof(pin), "%s%s",
				 strncmp(p, "sha256//", 8) ? "sha256//" : "", p);
		if (n < 0 || (size_t)n >= sizeof(pin))
			return ATT_ERR_LIMIT;
		e = curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin);
	}
	return e ? ATT_ERR_INTERNAL : 0;
}

static int set_redirects(CURL *c, long max)
{
	if (max <= 0)
		return curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L)
			   ? ATT_ERR_INTERNAL
			   : 0;
	if (curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) ||
	    curl_easy_setopt(c, CURLOPT_MAXREDIRS, max) ||
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https"))
		return ATT_ERR_INTERNAL;
	return 0;
}

static int set_common(struct att_net_xfer *x, const struct att_net_opts *o)
{
	CURL *c = x->easy;
	long timeout = o->timeout_ms > 0 ? o->timeout_ms
					 : ATT_HTTP_TIMEOUT_SECONDS * 1000L;
	if (curl_easy_setopt(c, CURLOPT_URL, x->url) ||
	    curl_easy_setopt(c, CURLOPT_PRIVATE, x) ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) ||
	    (o->connect_timeout_ms > 0 &&
	     curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			      o->connect_timeout_ms)) ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf) ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT,
			     o->user_agent ? o->user_agent
					     : att_version_user_agent()) ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			     (curl_off_t)x->body.max) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, x))
		return ATT_ERR_INTERNAL;
	if (x->capture && (curl_easy_setopt(c, CURLOPT_HEADERFUNCTION,
					    on_header) ||
			   curl_easy_setopt(c, CURLOPT_HEADERDATA, x)))
		return ATT_ERR_INTERNAL;
	return set_redirects(c, o->max_redirects);
}

static int set_method(CURL *c, const char *method, const void *body,
		      size_t len)
{
	if (!strcmp(method, "GET") && !body)
		return curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) ? ATT_ERR_INTERNAL
								: 0;
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

/* add_header appends "<prefix><value>" (value NULL: nothing). */
static int add_header(struct att_net_xfer *x, const char *prefix,
		      const char *value)
{
	char line[ATT_MAX_HTTP_HEADER];
	if (!value)
		return 0;
	int n = snprintf(line, sizeof(line), "%s%s", prefix, value);
	if (n < 0 || (size_t)n >= sizeof(line))
		return ATT_ERR_LIMIT;
	struct curl_slist *l = curl_slist_append(x->headers, line);
	if (!l)
		return ATT_ERR_NOMEM;
	x->headers = l;
	return 0;
}

/* set_headers adds the request headers: no "Expect: 100-continue", the
 * content type of a body, the bearer token. */
static int set_headers(struct att_net_xfer *x, const char *content_type,
		       const char *bearer)
{
	int r;
	if ((r = add_header(x, "Expect:", "")) ||
	    (r = add_header(x, "Content-Type: ", content_type)) ||
	    (r = add_header(x, "Authorization: Bearer ", bearer)))
		return r;
	return curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers)
		   ? ATT_ERR_INTERNAL
		   : 0;
}

static int check_args(const char *method, const char *url,
		      const struct att_net_opts *o, struct att_diag *d)
{
	if (!url || !method_ok(method))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "http: bad request (method %.16s)",
				    method ? method : "(none)");
	if (strncmp(url, "http://", 7) && !is_https(url))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "http: %.300s is not an http(s) URL", url);
	if (o->bearer && !is_https(url))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "http: refusing to send a bearer token "
				    "over plain http (%.300s)",
				    url);
	return 0;
}

int att_net_xfer_new(struct att_net_xfer **out, const char *method,
		     const char *url, const char *content_type,
		     const void *body, size_t len,
		     const struct att_net_opts *o, struct att_diag *d)
{
	static const struct att_net_opts defaults;
	struct att_net_xfer *x = NULL;
	int r;
	*out = NULL;
	o = o ? o : &defaults;
	if ((r = check_args(method, url, o, d)) != 0)
		return r;
	if (att_net_global_init() != 0)
		return att_diag_set(d, ATT_ERR_INTERNAL,
				    "http: libcurl init failed");
	if (!(x = calloc(1, sizeof(*x))) || !(x->url = strdup(url)))
		goto nomem;
	snprintf(x->method, sizeof(x->method), "%s", method);
	x->capture = o->capture;
	x->cc = CURLE_FAILED_INIT;
	att_buf_init(&x->body, o->max_body ? o->max_body : ATT_MAX_HTTP_BODY);
	att_buf_init(&x->hdr, ATT_MAX_HTTP_HEADER);
	if (!(x->easy = curl_easy_init()))
		goto nomem;
	if ((r = set_common(x, o)) || (r = set_tls(x->easy, o)) ||
	    (r = set_method(x->easy, method, body, len)) ||
	    (r = set_headers(x, body ? content_type : NULL, o->bearer))) {
		r = att_diag_set(d, r, "http: setting up %s %.300s failed",
				 method, url);
		att_net_xfer_free(x);
		return r;
	}
	*out = x;
	return 0;
nomem:
	att_net_xfer_free(x);
	return att_diag_set(d, ATT_ERR_NOMEM, "http: no memory for %s %.300s",
			    method, url);
}

void att_net_xfer_free(struct att_net_xfer *x)
{
	if (!x)
		return;
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	att_buf_release(&x->body);
	att_buf_release(&x->hdr);
	free(x->url);
	free(x);
}

/* ---- results ---- */

int att_net_xfer_result(struct att_net_xfer *x, struct att_diag *d)
{
	const char *why = curl_easy_strerror(x->cc);
	const char *m = x->method, *u = x->url;
	if (x->body_over || x->cc == CURLE_FILESIZE_EXCEEDED)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "%s %.300s: response larger than %zu bytes",
				    m, u, x->body.max);
	if (x->hdr_over)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "%s %.300s: response header larger than "
				    "%d bytes",
				    m, u, ATT_MAX_HTTP_HEADER);
	if (x->cc == CURLE_OK)
		return 0;
	int code = x->cc == CURLE_OPERATION_TIMEDOUT ? ATT_ERR_TIMEOUT
						     : ATT_ERR_NETWORK;
	/* libcurl's own message has the details (address, port, TLS
	 * reason); its code's text is kept when the message lacks it. */
	if (x->errbuf[0] && !strstr(x->errbuf, why))
		return att_diag_set(d, code, "%s %.300s: %s (%.300s)", m, u,
				    why, x->errbuf);
	return att_diag_set(d, code, "%s %.300s: %.300s", m, u,
			    x->errbuf[0] ? x->errbuf : why);
}

CURL *att_net_xfer_easy(struct att_net_xfer *x)
{
	return x->easy;
}

void att_net_xfer_ended(struct att_net_xfer *x, CURLcode cc)
{
	x->cc = cc;
	if (cc == CURLE_OK)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
}

int att_net_xfer_perform(struct att_net_xfer *x, struct att_diag *d)
{
	att_net_xfer_ended(x, curl_easy_perform(x->easy));
	return att_net_xfer_result(x, d);
}

long att_net_xfer_status(const struct att_net_xfer *x)
{
	return x->status;
}

const char *att_net_xfer_url(const struct att_net_xfer *x)
{
	return x->url;
}

struct att_buf *att_net_xfer_body(struct att_net_xfer *x)
{
	return &x->body;
}

const char *att_net_xfer_header(const struct att_net_xfer *x, size_t *len,
				const char **name)
{
	if (!x->hdr_name[0])
		return NULL;
	*len = x->hdr.len;
	if (name)
		*name = x->hdr_name;
	return x->hdr.data ? (const char *)x->hdr.data : "";
}

void att_net_xfer_set_user(struct att_net_xfer *x, void *user)
{
	x->user = user;
}

void *att_net_xfer_user(const struct att_net_xfer *x)
{
	return x->user;
}

int att_net_request(struct att_buf *resp, long *status, const char *method,
		    const char *url, const char *content_type,
		    const void *body, size_t len, const struct att_net_opts *o,
		    struct att_diag *d)
{
	struct att_net_opts n = {0};
	struct att_net_xfer *x = NULL;
	if (status)
		*status = 0;
	if (!resp)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "http: no response buffer");
	if (o)
		n = *o;
	if (resp->max)
		n.max_body = resp->max;
	bool secret = resp->secret;
	att_buf_release(resp);
	int r = att_net_xfer_new(&x, method, url, content_type, body, len, &n,
				 d);
	if (r)
		return r;
	x->body.secret = secret;
	if ((r = att_net_xfer_perform(x, d)) == 0) {
		if (status)
			*status = x->status;
		*resp = x->body; /* handed over */
		att_buf_init(&x->body, resp->max);
	}
	att_net_xfer_free(x);
	return r;
}
