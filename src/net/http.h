/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd's one HTTP(S) client, over libcurl. Every outgoing request goes
 * through it: the relying party and the attest CLI (att_http_*), the
 * PCS/PCCS collateral client (header capture, redirects) and the
 * server's background JWKS fetcher (att_net_multi, non-blocking).
 *
 * Defaults are the safe ones: TLS peer and host verification on (against
 * ca_file or the system store), http/https only, no redirects unless
 * asked (and then only to https), a whole-transfer timeout, the response
 * body capped while it is received, bearer tokens only over https.
 */
#ifndef ATT_NET_HTTP_H
#define ATT_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "attest/client.h"
#include "base/buf.h"
#include "base/diag.h"

/* Options of one transfer; zero values are the defaults. */
struct att_net_opts {
	const char *ca_file;	/* PEM trust anchors; NULL: system store */
	const char *pinned_key; /* base64 SHA-256 of the server's SPKI, with
				 * or without "sha256//"; NULL: no pin */
	bool insecure_skip_verify; /* dev tooling only */
	const char *bearer;	   /* "Authorization: Bearer"; https only */
	long timeout_ms;	   /* whole transfer; 0: ATT_HTTP_TIMEOUT_SECONDS */
	long connect_timeout_ms;   /* 0: bounded by timeout_ms only */
	size_t max_body;	   /* 0: ATT_MAX_HTTP_BODY */
	long max_redirects;	   /* 0: none followed; n: at most n, https only */
	const char *user_agent;	   /* NULL: "attestd/VERSION" */
	/* NULL-terminated header names (case-insensitive) whose value is
	 * captured from the final response; the last matching line wins. */
	const char *const *capture;
};

/* att_net_global_init initialises libcurl once (thread-safe); 0 or
 * ATT_ERR_INTERNAL. Every constructor below calls it. */
int att_net_global_init(void);

/* One transfer: an easy handle with its options, sink and result. */
struct att_net_xfer;

/* att_net_xfer_new sets up method ("GET", "POST", "PUT", "DELETE") on url
 * with body[0..len) (not copied: it must outlive the transfer) sent with
 * content_type when body is not NULL. ATT_ERR_INVALID_ARG for a bad
 * method, a URL that is not http(s), or a bearer over plain http. */
int att_net_xfer_new(struct att_net_xfer **out, const char *method,
		     const char *url, const char *content_type,
		     const void *body, size_t len,
		     const struct att_net_opts *o, struct att_diag *d);
void att_net_xfer_free(struct att_net_xfer *x);

/* att_net_xfer_perform runs the transfer to its end (blocking) and
 * returns att_net_xfer_result's answer. */
int att_net_xfer_perform(struct att_net_xfer *x, struct att_diag *d);

/* att_net_xfer_result maps how a transfer ended: 0 when a response came
 * (whatever its status), ATT_ERR_LIMIT (body above max_body, or a
 * captured header above ATT_MAX_HTTP_HEADER), ATT_ERR_TIMEOUT or
 * ATT_ERR_NETWORK, each with a message naming the method, the URL and
 * libcurl's reason. */
int att_net_xfer_result(struct att_net_xfer *x, struct att_diag *d);

long att_net_xfer_status(const struct att_net_xfer *x);
const char *att_net_xfer_url(const struct att_net_xfer *x);
/* The response body (owned by x; a caller may att_buf_detach it). */
struct att_buf *att_net_xfer_body(struct att_net_xfer *x);
/* The captured header value (trimmed, not NUL-terminated) and its name,
 * or NULL when none came. */
const char *att_net_xfer_header(const struct att_net_xfer *x, size_t *len,
				const char **name);
/* A caller's pointer carried with the transfer (multi interface). */
void att_net_xfer_set_user(struct att_net_xfer *x, void *user);
void *att_net_xfer_user(const struct att_net_xfer *x);

/* att_net_request: one blocking transfer. The body goes to *resp (used
 * with its own max when resp->max is not 0, else initialised with
 * o->max_body), the status to *status (may be NULL). An HTTP error
 * status is not an error here. */
int att_net_request(struct att_buf *resp, long *status, const char *method,
		    const char *url, const char *content_type,
		    const void *body, size_t len, const struct att_net_opts *o,
		    struct att_diag *d);

/* Many transfers driven by one thread without blocking (libcurl multi). */
struct att_net_multi;

int att_net_multi_new(struct att_net_multi **out, struct att_diag *d);
/* Frees the multi handle; transfers still added are removed, not freed. */
void att_net_multi_free(struct att_net_multi *m);
int att_net_multi_add(struct att_net_multi *m, struct att_net_xfer *x,
		      struct att_diag *d);
/* att_net_multi_run moves every transfer on without blocking. */
void att_net_multi_run(struct att_net_multi *m);
/* att_net_multi_done hands out the next finished transfer (removed from
 * m, still owned by the caller) with att_net_xfer_result's answer in *rc
 * and d; NULL when none has finished. */
struct att_net_xfer *att_net_multi_done(struct att_net_multi *m, int *rc,
					struct att_diag *d);
/* att_net_multi_remove takes a transfer out before it ends (abort). */
void att_net_multi_remove(struct att_net_multi *m, struct att_net_xfer *x);
/* att_net_multi_wait sleeps until there is work, wait_ms passed or
 * att_net_multi_wakeup was called (from any thread). */
void att_net_multi_wait(struct att_net_multi *m, int wait_ms);
void att_net_multi_wakeup(struct att_net_multi *m);

/* The relying-party / CLI face: att_http_opts (attest/client.h) mapped to
 * att_net_opts, response bodies capped at resp->max or ATT_MAX_HTTP_BODY,
 * no redirects. Same contract as att_net_request. */
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

/* att_net_opts_from_http fills n from the relying-party options h (NULL:
 * defaults). */
void att_net_opts_from_http(struct att_net_opts *n,
			    const struct att_http_opts *h);

#endif
