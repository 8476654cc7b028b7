/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Route matching (see router.h). Linear over a table of a few dozen
 * entries: simpler than a trie and far below the cost of a TLS record.
 */
#include "server/router.h"

#include <stdio.h>
#include <string.h>
#include <ctype.h>

#include "attest/err.h"

static const char *const apivers[] = {
	"2018-09-01-preview", "2020-10-01", "2022-08-01",
	"2022-09-01-preview", "2025-06-01", "2026-03-11-preview",
};

bool att_apiver_known(const char *v)
{
	return att_apiver_bit(v) != 0;
}

/* apivers[i] has bit 1 << i (router.h: ATT_AV_*). */
unsigned att_apiver_bit(const char *v)
{
	for (size_t i = 0; i < sizeof(apivers) / sizeof(apivers[0]); i++)
		if (!strcmp(v, apivers[i]))
			return 1u << i;
	return 0;
}

void att_apiver_list(char *out, size_t out_len, unsigned mask)
{
	size_t n = 0;
	if (!out_len)
		return;
	out[0] = 0;
	for (size_t i = 0; i < sizeof(apivers) / sizeof(apivers[0]); i++) {
		if (!(mask & (1u << i)) || n >= out_len)
			continue;
		int w = snprintf(out + n, out_len - n, "%s%s", n ? ", " : "",
				 apivers[i]);
		n = w < 0 ? out_len : n + (size_t)w;
	}
}

bool att_route_has_version(const struct att_route *rt, const char *v)
{
	if (!v || !rt->versions)
		return true;
	return (rt->versions & att_apiver_bit(v)) != 0;
}

static bool capture(const char **pp, const char **pathp, char *out,
		    size_t out_len)
{
	const char *p = strchr(*pp, '}');
	if (!p)
		return false;
	*pp = p + 1;
	const char *s = *pathp;
	size_t n = strcspn(s, "/:");
	if (n == 0 || n >= out_len)
		return false;
	memcpy(out, s, n);
	out[n] = 0;
	*pathp = s + n;
	return true;
}

bool att_route_pattern_match(const char *pattern, const char *path,
			     char params[][ATT_ROUTE_PARAM_LEN],
			     size_t *n_params)
{
	const char *p = pattern, *s = path;
	size_t np = 0;
	size_t plen = strlen(path);
	/* A trailing slash (other than the root) is tolerated. */
	if (plen > 1 && path[plen - 1] == '/')
		plen--;
	const char *end = path + plen;
	while (*p) {
		if (*p == '{') {
			if (np >= ATT_ROUTE_MAX_PARAMS ||
			    !capture(&p, &s, params[np], ATT_ROUTE_PARAM_LEN))
				return false;
			if (s > end) /* the capture ate the trailing slash */
				return false;
			np++;
			continue;
		}
		if (s >= end ||
		    tolower((unsigned char)*p) != tolower((unsigned char)*s))
			return false;
		p++;
		s++;
	}
	if (s != end)
		return false;
	*n_params = np;
	return true;
}

static void allow_add(char *allow, const char *method)
{
	if (strstr(allow, method))
		return;
	size_t n = strlen(allow);
	snprintf(allow + n, ATT_ROUTE_ALLOW_LEN - n, "%s%s", n ? ", " : "",
		 method);
}

int att_router_match(struct att_route_match *m, const struct att_route *table,
		     size_t n, const char *method, const char *path)
{
	memset(m, 0, sizeof(*m));
	bool path_seen = false;
	for (size_t i = 0; i < n; i++) {
		char params[ATT_ROUTE_MAX_PARAMS][ATT_ROUTE_PARAM_LEN];
		size_t np = 0;
		if (!att_route_pattern_match(table[i].pattern, path, params,
					     &np))
			continue;
		if (strcmp(table[i].method, method) != 0) {
			path_seen = true;
			allow_add(m->allow, table[i].method);
			continue;
		}
		m->route = &table[i];
		m->n_params = np;
		memcpy(m->params, params, sizeof(params));
		m->allow[0] = 0;
		return 0;
	}
	return path_seen ? ATT_ERR_UNSUPPORTED : ATT_ERR_NOT_FOUND;
}
