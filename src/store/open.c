/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening a store by URL and telling an unreachable database from a
 * failed operation (store.h).
 */
#include <string.h>

#include "attest/err.h"
#include "store/store.h"

int att_store_open_url(struct att_store **out, const char *url,
		       const struct att_store_pg_opts *o, struct att_diag *d)
{
	*out = NULL;
	if (!url || !*url)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "store: no store URL or path");
	if (att_store_url_is_pg(url))
		return att_store_open_pg(out, url, o, d);
	if (!strncmp(url, "sqlite://", 9)) {
		if (!url[9])
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "store: sqlite:// needs a path");
		return att_store_open_sqlite(out, url + 9, d);
	}
	if (strstr(url, "://"))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "store: unknown store URL scheme (use "
				    "postgresql://, sqlite:// or a path)");
	return att_store_open_sqlite(out, url, d);
}

bool att_store_unavailable(const struct att_store *s)
{
	return s && s->ops->unavailable && s->ops->unavailable(s->impl);
}

bool att_store_diag_unavailable(int err, const struct att_diag *d)
{
	return err == ATT_ERR_STORE && d &&
	       !strncmp(d->msg, ATT_STORE_UNAVAILABLE_MSG,
			strlen(ATT_STORE_UNAVAILABLE_MSG));
}
