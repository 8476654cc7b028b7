/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON over HTTPS for the attest client: requests and responses as
 * jansson values, with MAA's error body {"error": {"code", "message"}}
 * turned into a diagnostic that names the status, the code and the
 * message the service gave.
 */
#include "client/http.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"

/* finish parses a response body; non-2xx statuses become errors. */
static int finish(json_t **out, long status, const char *url,
		  const struct att_buf *body, struct att_diag *diag)
{
	json_error_t err;
	json_t *j = json_loadb((const char *)body->data, body->len,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (status < 200 || status > 299) {
		json_t *e = json_object_get(j, "error");
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		int r = att_diag_set(diag, ATT_ERR_NETWORK,
				     "HTTP %ld from %.200s: %.64s: %.200s",
				     status, url, code ? code : "error",
				     msg ? msg : att_buf_cstr(body));
		json_decref(j);
		return r;
	}
	if (!j)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "%.200s: response is not JSON (line %d: "
				    "%.100s)", url, err.line, err.text);
	*out = j;
	return 0;
}

int att_http_get_json(json_t **out, long *status, const char *url,
		      const struct att_http_opts *o, struct att_diag *diag)
{
	struct att_buf body;
	long st = 0;
	*out = NULL;
	att_buf_init(&body, ATT_MAX_HTTP_BODY);
	int r = att_http_get(&body, &st, url, o, diag);
	if (r == 0)
		r = finish(out, st, url, &body, diag);
	if (status)
		*status = st;
	att_buf_release(&body);
	return r;
}

int att_http_send_json(json_t **out, long *status, const char *method,
		       const char *url, json_t *req,
		       const struct att_http_opts *o, struct att_diag *diag)
{
	struct att_buf body;
	long st = 0;
	*out = NULL;
	char *text = json_dumps(req, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG,
				    "request is not JSON-serialisable");
	att_buf_init(&body, ATT_MAX_HTTP_BODY);
	int r = att_http_request(&body, &st, method, url, "application/json",
				 text, strlen(text), o, diag);
	if (r == 0)
		r = finish(out, st, url, &body, diag);
	if (status)
		*status = st;
	att_buf_release(&body);
	free(text);
	return r;
}
