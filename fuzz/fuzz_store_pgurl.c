/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the store URL helpers (store/url.c). The masked form is
 * NUL-terminated within its buffer, however small; a URL with a
 * password shows "***" in its place; and a password libpq itself reads
 * from the URL (PQconninfoParse) never shows in the masked form when it
 * is spelled literally once in the URL. (A masked URL is not read again:
 * a '/' or '@' inside a hidden value can make a second reading see other
 * parts, so neither idempotence nor has_password of the masked form is a
 * property.) */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static void libpq_password_hidden(const char *url, const char *masked)
{
	char *err = NULL;
	PQconninfoOption *o = PQconninfoParse(url, &err);
	PQfreemem(err);
	for (PQconninfoOption *i = o; i && i->keyword; i++) {
		if (strcmp(i->keyword, "password") || !i->val ||
		    strlen(i->val) < 4 || strchr(url, '%'))
			continue;
		const char *a = strstr(url, i->val);
		if (!a || strstr(a + 1, i->val))
			continue; /* not spelled once, literally */
		if (strstr(masked, i->val))
			abort();
	}
	PQconninfoFree(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1);
	char out[ATT_PG_URL_MAX + 64], small[16];
	if (!url)
		return 0;
	memcpy(url, data, size);
	url[size] = 0;
	att_store_url_mask(out, sizeof(out), url);
	if (strnlen(out, sizeof(out)) >= sizeof(out))
		abort();
	att_store_url_mask(small, sizeof(small), url);
	if (strnlen(small, sizeof(small)) >= sizeof(small))
		abort();
	if (strlen(url) <= ATT_PG_URL_MAX) {
		if (att_store_url_has_password(url) && !strstr(out, "***"))
			abort();
		if (att_store_url_is_pg(url))
			libpq_password_hidden(url, out);
	}
	free(url);
	return 0;
}
