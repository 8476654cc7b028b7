/* SPDX-License-Identifier: Apache-2.0 */
/* Request log lines (see reqlog.h). A line is formatted with one
 * snprintf into a stack buffer and written with one write(2) to stderr,
 * where att_log_json writes too (one write per line: threads never mix).
 * Every string is JSON-escaped here ('"', '\', control characters as
 * \u00XX; bytes outside printable ASCII, which no route, provider, id or
 * code contains, become '?') and cut at ESC_MAX bytes, so the line is
 * always valid JSON. The output is what jansson printed before
 * (compact, members in this order, duration with %.6g and a ".0" when it
 * would read as an integer). */
#include "server/reqlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timeutil.h"

/* Longest escaped string member (a client's method could be long). */
#define ESC_MAX 160

/* esc copies s JSON-escaped into out (cap bytes, NUL-terminated),
 * stopping before an escape that would not fit. */
static void esc(char *out, size_t cap, const char *s)
{
	size_t k = 0;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[8];
		size_t n = 1;
		tmp[0] = (char)c;
		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			n = 2;
		} else if (c < 0x20) {
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x", c);
		} else if (c >= 0x7f) {
			tmp[0] = '?';
		}
		if (k + n >= cap)
			break;
		memcpy(out + k, tmp, n);
		k += n;
	}
	out[k] = 0;
}

/* fmt_ms prints a duration as jansson prints a real with
 * JSON_REAL_PRECISION(6): %.6g, ".0" appended when that looks integral,
 * and an exponent without '+' or leading zeros (1.5e+06 -> 1.5e6). */
static void fmt_ms(char *out, size_t cap, double ms)
{
	int n = snprintf(out, cap, "%.6g", ms);
	if (n <= 0 || (size_t)n + 3 > cap)
		return;
	char *e = strchr(out, 'e');
	if (!e && !strchr(out, '.')) {
		memcpy(out + n, ".0", 3);
		return;
	}
	if (!e)
		return;
	char *start = e + 1 + (e[1] == '-');
	char *end = e + 2;
	while (*end == '0')
		end++;
	if (end != start)
		memmove(start, end, strlen(end) + 1);
}

/* timestamp formats ts, reusing the thread's last text while the second
 * is the same (most lines of a busy thread share it). */
static void timestamp(char out[static 40], long long ts)
{
	static _Thread_local long long last_ts = -1;
	static _Thread_local char last[40];
	if (ts != last_ts || !last[0]) {
		att_time_format(last, sizeof(last), ts);
		last_ts = ts;
	}
	memcpy(out, last, sizeof(last));
}

/* format_line writes e's line (with a trailing newline) into buf and
 * returns its length without the newline; 0 when it does not fit. */
static size_t format_line(char *buf, size_t cap,
			  const struct att_reqlog_entry *e, long long ts)
{
	char tbuf[40], id[ESC_MAX], prov[ESC_MAX], meth[ESC_MAX],
		route[ESC_MAX], err[ESC_MAX], ms[40];
	timestamp(tbuf, ts);
	esc(id, sizeof(id), e->request_id);
	esc(prov, sizeof(prov), e->provider);
	esc(meth, sizeof(meth), e->method);
	esc(route, sizeof(route), e->route ? e->route : "unmatched");
	esc(err, sizeof(err), e->error_code);
	fmt_ms(ms, sizeof(ms), (double)(long long)(e->duration_ms * 1000) /
				       1000.0);
	int n = snprintf(buf, cap,
			 "{\"ts\":\"%s\",\"level\":\"info\",\"msg\":"
			 "\"request\",\"request_id\":\"%s\",\"provider\":"
			 "\"%s\",\"method\":\"%s\",\"route\":\"%s\","
			 "\"status\":%u,\"duration_ms\":%s%s%s%s}\n",
			 tbuf, id, prov, meth, route, e->status, ms,
			 e->error_code ? ",\"error\":\"" : "", err,
			 e->error_code ? "\"" : "");
	if (n <= 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n - 1;
}

char *att_reqlog_format(const struct att_reqlog_entry *e, long long ts)
{
	char line[1536];
	size_t n = format_line(line, sizeof(line), e, ts);
	if (!n)
		return NULL;
	line[n] = 0; /* without the newline */
	return strdup(line);
}

void att_reqlog_write(const struct att_reqlog_entry *e)
{
	char line[1536];
	size_t n = format_line(line, sizeof(line), e, att_time_now());
	if (n) {
		ssize_t w = write(2, line, n + 1);
		(void)w;
	}
}
