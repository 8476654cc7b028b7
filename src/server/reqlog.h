/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request log: one JSON line per request on stderr with the request
 * id, provider, method, route pattern (never the raw path or query),
 * status, duration and MAA error code. It never carries a header value,
 * a token or a body, so no secret can reach it.
 */
#ifndef ATT_SERVER_REQLOG_H
#define ATT_SERVER_REQLOG_H

struct att_reqlog_entry {
	const char *request_id;
	const char *provider; /* NULL: none selected */
	const char *method;
	const char *route;    /* pattern, or "unmatched" */
	unsigned status;
	double duration_ms;
	const char *error_code; /* NULL on success */
};

/* att_reqlog_format returns the malloc'd JSON object text of e. */
char *att_reqlog_format(const struct att_reqlog_entry *e, long long ts);
/* att_reqlog_write formats e and writes it with att_log_json. */
void att_reqlog_write(const struct att_reqlog_entry *e);

#endif
