/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client building blocks over HTTPS: the HTTP client (net/http.h,
 * re-exported here) plus JSON requests that understand MAA's error body
 * {"error": {"code", "message"}}.
 */
#ifndef ATT_CLIENT_HTTP_H
#define ATT_CLIENT_HTTP_H

#include <jansson.h>

#include "net/http.h"

/* att_http_get_json GETs url and parses a JSON response into *out (a new
 * reference). A non-2xx status is ATT_ERR_NETWORK with diag
 * "HTTP <status> from <url>: <code>: <message>" (the MAA error body's
 * fields when present); a body that is not JSON is ATT_ERR_FORMAT. *out
 * is NULL on every failure; *status is set whenever a response came. */
int att_http_get_json(json_t **out, long *status, const char *url,
		      const struct att_http_opts *o, struct att_diag *diag);

/* att_http_send_json sends req (compact JSON) with method and content type
 * application/json and parses the JSON response like att_http_get_json. */
int att_http_send_json(json_t **out, long *status, const char *method,
		       const char *url, json_t *req,
		       const struct att_http_opts *o, struct att_diag *diag);

#endif
