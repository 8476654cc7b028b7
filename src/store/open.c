/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening a store by URL and telling an unreachable database from a
 * failed operation (store.h).
 */
#include <string.h>

#include "base/limits.h"

#include "attest/err.h"
#include "store/sqlite_writes.h"
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

bool att_store_msg_unavailable(int err, const char *msg)
{
	return err == ATT_ERR_STORE && msg &&
	       strstr(msg, ATT_STORE_UNAVAILABLE_MSG) != NULL;
}

int att_store_change_version(struct att_store *s, int64_t *out,
			     struct att_diag *d)
{
	if (!s->ops->change_version)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "store: %s has no change version",
				    s->ops->name);
	return s->ops->change_version(s->impl, out, d);
}

int att_store_watch(struct att_store *s, struct att_diag *d)
{
	return s->ops->watch ? s->ops->watch(s->impl, d) : 0;
}

uint64_t att_store_change_count(const struct att_store *s)
{
	uint64_t n = att_store_sqlite_write_count();
	if (s && s->ops->seen)
		n += s->ops->seen(s->impl);
	return n;
}

int64_t att_store_recheck_ms(const struct att_store *s, int64_t base_ms)
{
	if (s && s->ops->watched && s->ops->watched(s->impl))
		return ATT_STORE_WATCHED_RECHECK_MS;
	return base_ms;
}
