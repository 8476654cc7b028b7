/* SPDX-License-Identifier: Apache-2.0 */
/* Failure detail (see diag.h). */
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>

#include "attest/err.h"

void att_diag_clear(struct att_diag *d)
{
	if (!d)
		return;
	d->code = 0;
	d->msg[0] = 0;
}

int att_diag_set(struct att_diag *d, int err, const char *fmt, ...)
{
	if (!d || d->msg[0])
		return err;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	d->code = err;
	return err;
}

const char *att_diag_msg(const struct att_diag *d)
{
	if (!d)
		return "";
	return d->msg[0] ? d->msg : att_strerror(d->code);
}
