/* SPDX-License-Identifier: Apache-2.0 */
/* Growable buffer with a mandatory cap (see buf.h). */
#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"

void att_buf_init(struct att_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->secret = false;
}

static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;
	while (n--)
		*v++ = 0;
}

void att_buf_release(struct att_buf *b)
{
	if (!b)
		return;
	if (b->data && b->secret)
		wipe(b->data, b->cap);
	free(b->data);
	size_t max = b->max;
	bool secret = b->secret;
	att_buf_init(b, max);
	b->secret = secret;
}

static int grow(struct att_buf *b, size_t n)
{
	if (n > b->max - b->len || n > b->max) {
		att_buf_release(b);
		return ATT_ERR_LIMIT;
	}
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	size_t ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	uint8_t *p = malloc(ncap);
	if (!p) {
		att_buf_release(b);
		return ATT_ERR_NOMEM;
	}
	if (b->data) {
		memcpy(p, b->data, b->len);
		if (b->secret)
			wipe(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int att_buf_add(struct att_buf *b, const void *p, size_t n)
{
	int r = grow(b, n);
	if (r)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int att_buf_adds(struct att_buf *b, const char *s)
{
	return att_buf_add(b, s, strlen(s));
}

int att_buf_vaddf(struct att_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ATT_ERR_INTERNAL;
	int r = grow(b, (size_t)n);
	if (r)
		return r;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int att_buf_addf(struct att_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = att_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

uint8_t *att_buf_detach(struct att_buf *b, size_t *out_len)
{
	uint8_t *p = b->data;
	if (out_len)
		*out_len = b->len;
	att_buf_init(b, b->max);
	return p;
}

const char *att_buf_cstr(const struct att_buf *b)
{
	return b->data ? (const char *)b->data : "";
}
