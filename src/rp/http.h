/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small libcurl wrapper for attestd's HTTPS clients (the relying party,
 * the attest CLI). One request per call, TLS verification on by default,
 * response bodies capped, no redirects, http and https only. It lives in
 * src/rp (the lowest module linking libcurl that both rp and client use);
 * src/client/http.h re-exports it with JSON helpers.
 */
#ifndef ATT_RP_HTTP_H
#define ATT_RP_HTTP_H

#include <stddef.h>

#include "attest/client.h"
#include "base/buf.h"
#include "base/diag.h"

/* att_http_request performs method ("GET", "POST", "PUT", "DELETE") on
 * url, sending body[0..len) with content_type when body is not NULL, and
 * stores the response body in *resp and the HTTP status in *status.
 * resp is used with its own max when resp->max is not 0, else it is
 * initialised with ATT_MAX_HTTP_BODY; a larger response is ATT_ERR_LIMIT.
 * Transport failures are ATT_ERR_NETWORK or ATT_ERR_TIMEOUT with curl's
 * message in diag; an HTTP error status is NOT an error here. o may be
 * NULL (defaults). */
int att_http_request(struct att_buf *resp, long *status, const char *method,
		     const char *url, const char *content_type,
		     const void *body, size_t len,
		     const struct att_http_opts *o, struct att_diag *diag);

int att_http_get(struct att_buf *resp, long *status, const char *url,
		 const struct att_http_opts *o, struct att_diag *diag);
int att_http_post(struct att_buf *resp, long *status, const char *url,
		  const struct att_http_opts *o, const char *content_type,
		  const void *body, size_t len, struct att_diag *diag);
int att_http_put(struct att_buf *resp, long *status, const char *url,
		 const struct att_http_opts *o, const char *content_type,
		 const void *body, size_t len, struct att_diag *diag);

#endif
