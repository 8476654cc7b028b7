/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libcurl client of the collateral service: one GET per call, TLS
 * peer and host verification on (optionally against a given CA file),
 * http/https only, at most three redirects and those only to https (the
 * collateral is signed, so a CDN hop is harmless), a whole-transfer and a
 * connect timeout, the body capped while receiving, and the issuer-chain
 * response header captured (the value of the last response, so a
 * redirect's headers never leak into the result).
 */
#include "collateral/pcs.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "codec/hex.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void att_pcs_resp_release(struct att_pcs_resp *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->chain);
	memset(r, 0, sizeof(*r));
}

int att_pcs_url_decode(char **out, size_t *out_len, const char *in,
		       size_t len)
{
	char *o = malloc(len + 1);
	size_t n = 0;
	*out = NULL;
	if (!o)
		return ATT_ERR_NOMEM;
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '%') {
			o[n++] = in[i];
			continue;
		}
		int hi = i + 2 < len ? att_hex_digit(in[i + 1]) : -1;
		int lo = hi >= 0 ? att_hex_digit(in[i + 2]) : -1;
		if (lo < 0) {
			free(o);
			return ATT_ERR_FORMAT;
		}
		o[n++] = (char)(hi * 16 + lo);
		i += 2;
	}
	o[n] = 0;
	*out = o;
	*out_len = n;
	return 0;
}

struct xfer {
	struct att_buf body;
	struct att_buf chain;
	const char *const *names;
	char chain_header[64];
	bool body_over, hdr_over;
};

static size_t on_body(char *p, size_t size, size_t n, void *u)
{
	struct xfer *x = u;
	if (x->body_over || att_buf_add(&x->body, p, size * n)) {
		x->body_over = true;
		return 0;
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

static size_t on_header(char *p, size_t size, size_t n, void *u)
{
	struct xfer *x = u;
	size_t len = size * n;
	const char *colon = memchr(p, ':', len);
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		att_buf_release(&x->chain); /* a new response starts */
		x->chain_header[0] = 0;
		return len;
	}
	for (size_t i = 0; colon && x->names && x->names[i]; i++) {
		size_t nl = (size_t)(colon - p);
		if (strlen(x->names[i]) != nl || strncasecmp(p, x->names[i], nl))
			continue;
		const char *v = colon + 1;
		size_t vl = len - nl - 1;
		trim(&v, &vl);
		att_buf_release(&x->chain);
		if (att_buf_add(&x->chain, v, vl)) {
			x->hdr_over = true;
			return 0;
		}
		snprintf(x->chain_header, sizeof(x->chain_header), "%s",
			 x->names[i]);
	}
	return len;
}

static int setup(CURL *c, const char *url, const struct att_pcs_conf *cf,
		 struct xfer *x, char *errbuf)
{
	long timeout = cf->timeout_ms > 0 ? cf->timeout_ms
					  : ATT_HTTP_TIMEOUT_SECONDS * 1000L;
	long connect = timeout < 10000 ? timeout : 10000;
	if (curl_easy_setopt(c, CURLOPT_URL, url) ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) ||
	    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L) ||
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https") ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    (cf->ca_file && curl_easy_setopt(c, CURLOPT_CAINFO, cf->ca_file)) ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "attestd-collateral/1") ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			     (curl_off_t)ATT_MAX_COLLATERAL_LEN) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, x) ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, x))
		return ATT_ERR_INTERNAL;
	return 0;
}

static int transport_error(CURLcode e, const struct xfer *x, const char *url,
			   const char *errbuf, struct att_diag *d)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(e);
	if (x->body_over || e == CURLE_FILESIZE_EXCEEDED)
		return att_diag_set(d, ATT_ERR_LIMIT, "GET %.300s: response "
				    "larger than %d bytes", url,
				    ATT_MAX_COLLATERAL_LEN);
	if (x->hdr_over)
		return att_diag_set(d, ATT_ERR_LIMIT, "GET %.300s: issuer chain "
				    "header larger than %d bytes", url,
				    ATT_MAX_HTTP_HEADER);
	if (e == CURLE_OPERATION_TIMEDOUT)
		return att_diag_set(d, ATT_ERR_TIMEOUT, "GET %.300s: %s", url,
				    why);
	return att_diag_set(d, ATT_ERR_NETWORK, "GET %.300s: %s", url, why);
}

static int finish(struct att_pcs_resp *out, struct xfer *x, const char *url,
		  struct att_diag *d)
{
	int rc;
	if (out->status == 404)
		return att_diag_set(d, ATT_ERR_NOT_FOUND, "GET %.300s: HTTP 404 "
				    "(not known to the PCS)", url);
	if (out->status != 200)
		return att_diag_set(d, ATT_ERR_NETWORK, "GET %.300s: HTTP %ld",
				    url, out->status);
	if (x->chain.len) {
		rc = att_pcs_url_decode(&out->chain, &out->chain_len,
					(const char *)x->chain.data,
					x->chain.len);
		if (rc)
			return att_diag_set(d, rc, "GET %.300s: header %s is "
					    "not URL-encoded PEM", url,
					    x->chain_header);
		memcpy(out->chain_header, x->chain_header,
		       sizeof(out->chain_header));
	}
	out->body = att_buf_detach(&x->body, &out->body_len);
	return 0;
}

int att_pcs_get(struct att_pcs_resp *out, const char *url,
		const char *const *chain_headers,
		const struct att_pcs_conf *cf, struct att_diag *d)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct xfer x = {.names = chain_headers};
	CURL *c = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	att_buf_init(&x.body, ATT_MAX_COLLATERAL_LEN);
	att_buf_init(&x.chain, ATT_MAX_HTTP_HEADER);
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK || !(c = curl_easy_init()))
		return att_diag_set(d, ATT_ERR_INTERNAL, "libcurl init failed");
	if ((rc = setup(c, url, cf, &x, errbuf)) != 0) {
		rc = att_diag_set(d, rc, "GET %.300s: libcurl setup failed",
				  url);
		goto out;
	}
	CURLcode e = curl_easy_perform(c);
	if (e != CURLE_OK) {
		rc = transport_error(e, &x, url, errbuf, d);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	rc = finish(out, &x, url, d);
out:
	if (rc) {
		long st = out->status;
		att_pcs_resp_release(out);
		out->status = st;
	}
	att_buf_release(&x.body);
	att_buf_release(&x.chain);
	curl_easy_cleanup(c);
	return rc;
}
