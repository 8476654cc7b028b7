/* SPDX-License-Identifier: Apache-2.0 */
/* Request log lines (see reqlog.h), built with jansson so that every
 * value is escaped correctly. */
#include "server/reqlog.h"

#include <jansson.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/timeutil.h"

char *att_reqlog_format(const struct att_reqlog_entry *e, long long ts)
{
	char tbuf[40];
	att_time_format(tbuf, sizeof(tbuf), ts);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:f}",
			      "ts", tbuf, "level", "info", "msg", "request",
			      "request_id", e->request_id ? e->request_id : "",
			      "provider", e->provider ? e->provider : "",
			      "method", e->method ? e->method : "", "route",
			      e->route ? e->route : "unmatched", "status",
			      (json_int_t)e->status, "duration_ms",
			      (double)(long long)(e->duration_ms * 1000) /
				      1000.0);
	if (!o)
		return NULL;
	if (e->error_code)
		json_object_set_new(o, "error", json_string(e->error_code));
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				     JSON_REAL_PRECISION(6));
	json_decref(o);
	return s;
}

void att_reqlog_write(const struct att_reqlog_entry *e)
{
	char *s = att_reqlog_format(e, att_time_now());
	if (s)
		att_log_json(s);
	free(s);
}
