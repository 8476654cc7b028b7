/* SPDX-License-Identifier: Apache-2.0 */
/* JSON-lines logger on stderr; one write(2) per line so threads don't mix. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/timeutil.h"

static enum att_log_level min_level = ATT_LOG_INFO;

void att_log_set_level(enum att_log_level lvl)
{
	min_level = lvl;
}

static void put_line(struct att_buf *b)
{
	if (att_buf_add(b, "\n", 1) == 0) {
		ssize_t w = write(2, b->data, b->len);
		(void)w;
	}
	att_buf_release(b);
}

static void add_escaped(struct att_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			att_buf_addf(b, "\\%c", ch);
		else if (ch < 0x20)
			att_buf_addf(b, "\\u%04x", ch);
		else
			att_buf_add(b, &ch, 1);
	}
}

void att_logf(enum att_log_level lvl, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (lvl < min_level)
		return;
	char msg[1024], ts[40];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	att_time_format(ts, sizeof(ts), att_time_now());
	struct att_buf b;
	att_buf_init(&b, 4096);
	att_buf_addf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
		     names[lvl]);
	add_escaped(&b, msg);
	att_buf_adds(&b, "\"}");
	put_line(&b);
}

void att_log_json(const char *obj)
{
	struct att_buf b;
	att_buf_init(&b, 64 * 1024);
	att_buf_adds(&b, obj);
	put_line(&b);
}
