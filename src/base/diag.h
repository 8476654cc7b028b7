/* SPDX-License-Identifier: Apache-2.0 */
/*
 * att_diag: the detail of a failure, kept apart from the error code.
 * Verifiers take an optional struct att_diag * and set a message naming
 * what failed ("sgx: QE report signature invalid"). The first message set
 * wins unless att_diag_clear is called; NULL diag pointers are accepted
 * everywhere.
 */
#ifndef ATT_BASE_DIAG_H
#define ATT_BASE_DIAG_H

#include "base/limits.h"

struct att_diag {
	int code;
	char msg[ATT_DIAG_LEN];
};

void att_diag_clear(struct att_diag *d);
/* att_diag_set records err and a message (if none is recorded yet) and
 * returns err, so that callers can write: return att_diag_set(d, r, ...). */
int att_diag_set(struct att_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* att_diag_msg returns the message, or the code's text when empty. */
const char *att_diag_msg(const struct att_diag *d);

#endif
