/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The relying-party and CLI face of the HTTP client (net/http.h):
 * att_http_opts (attest/client.h) mapped to att_net_opts. No redirects
 * (one could move a bearer token elsewhere), bodies capped at the
 * caller's buffer maximum or ATT_MAX_HTTP_BODY.
 */
#include "net/http.h"

#include "base/limits.h"

void att_net_opts_from_http(struct att_net_opts *n,
			    const struct att_http_opts *h)
{
	*n = (struct att_net_opts){.max_body = ATT_MAX_HTTP_BODY};
	if (!h)
		return;
	n->ca_file = h->ca_file;
	n->pinned_key = h->pinned_cert_sha256_b64;
	n->insecure_skip_verify = h->insecure_skip_verify;
	n->bearer = h->bearer;
	n->timeout_ms = h->timeout_ms;
}

int att_http_request(struct att_buf *resp, long *status, const char *method,
		     const char *url, const char *content_type,
		     const void *body, size_t len,
		     const struct att_http_opts *o, struct att_diag *diag)
{
	struct att_net_opts n;
	att_net_opts_from_http(&n, o);
	return att_net_request(resp, status, method, url, content_type, body,
			       len, &n, diag);
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
