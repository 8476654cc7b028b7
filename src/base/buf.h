/* SPDX-License-Identifier: Apache-2.0 */
/*
 * att_buf: a growable byte buffer that always states its maximum size
 * (there is no default). The data is kept NUL-terminated so that text can
 * be used as a C string. On a failed append the buffer is released, so the
 * caller needs no extra cleanup branch.
 */
#ifndef ATT_BASE_BUF_H
#define ATT_BASE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct att_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	bool secret; /* wiped on release */
};

/* att_buf_init never allocates and cannot fail. */
void att_buf_init(struct att_buf *b, size_t max);
/* att_buf_release frees (wiping when secret) and re-inits; accepts NULL. */
void att_buf_release(struct att_buf *b);
int att_buf_add(struct att_buf *b, const void *p, size_t n);
int att_buf_adds(struct att_buf *b, const char *s);
int att_buf_addf(struct att_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int att_buf_vaddf(struct att_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* att_buf_detach hands out the data (NUL-terminated, may be NULL when
 * empty) and its length; the buffer is re-inited. */
uint8_t *att_buf_detach(struct att_buf *b, size_t *out_len);
/* att_buf_cstr returns the contents as a C string ("" when empty). */
const char *att_buf_cstr(const struct att_buf *b);

#endif
