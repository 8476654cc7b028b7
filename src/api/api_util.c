/* SPDX-License-Identifier: Apache-2.0 */
/* Error text and JSON text helpers of the public wrappers. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "attest/verify.h"

int att_api_err(int rc, const struct att_diag *d, char *errbuf,
		size_t errlen)
{
	if (errbuf && errlen > 0) {
		const char *m = d && d->msg[0] ? d->msg : att_strerror(rc);
		snprintf(errbuf, errlen, "%s", m);
	}
	return rc;
}

int att_api_fail(int rc, const char *what, char *errbuf, size_t errlen)
{
	if (errbuf && errlen > 0)
		snprintf(errbuf, errlen, "%s", what);
	return rc;
}

int att_api_parse(json_t **out, const char *text, const char *what,
		  struct att_diag *d)
{
	json_error_t e;
	*out = NULL;
	if (!text)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "%s: missing",
				    what);
	*out = json_loads(text, JSON_REJECT_DUPLICATES, &e);
	if (!*out)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "%s: not JSON (line %d, column %d: %s)",
				    what, e.line, e.column, e.text);
	return 0;
}

int att_api_dump(char **out, const json_t *j, int indent)
{
	if (!out)
		return 0;
	*out = json_dumps(j, (indent ? JSON_INDENT(1) : JSON_COMPACT) |
				     JSON_PRESERVE_ORDER);
	return *out ? 0 : ATT_ERR_NOMEM;
}

void att_verify_free_text(char *text)
{
	free(text);
}
