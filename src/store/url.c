/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store URLs (store.h): which backend a URL names, whether a PostgreSQL
 * URL carries a password, and the masked form that logs and error
 * messages show. The URL is read the way libpq reads a connection URI
 * (PostgreSQL documentation, "Connection URIs"): the userinfo of
 * "scheme://user:password@host..." ends at the first '@' met before any
 * '/', its password at the first ':'; query parameters are "key=value"
 * separated by '&', and "password" is one of them. Bytes are read
 * through the bounded cursor (base/cur.h): a URL is operator input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/cur.h"
#include "store/store.h"

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

bool att_store_url_is_pg(const char *url)
{
	return url && (has_prefix(url, "postgresql://") ||
		       has_prefix(url, "postgres://"));
}

/* The parts of a URL that may carry a password. Offsets into the URL;
 * pw_len 0 when there is none. */
struct url_secret {
	size_t pw_off, pw_len;
	size_t host_off; /* where the host starts (after any '@') */
};

/* find_userinfo_pw: the password of the userinfo after "://" at off. */
static void find_userinfo_pw(struct att_cur c, struct url_secret *s)
{
	size_t start = 0, colon = SIZE_MAX, i = 0;
	uint8_t b;
	s->pw_len = 0;
	s->host_off = 0;
	while (att_cur_get_u8(&c, &b) == 0) {
		if (b == '/')
			return;
		if (b == ':' && colon == SIZE_MAX)
			colon = i;
		if (b == '@') {
			if (colon != SIZE_MAX) {
				s->pw_off = start + colon + 1;
				s->pw_len = i - colon - 1;
			}
			s->host_off = i + 1;
			return;
		}
		i++;
	}
}

/* next_param reads one "key=value" of the query (c at its start) and
 * says where its value is; false at the end. */
static bool next_param(struct att_cur *c, size_t base, size_t *key_off,
		       size_t *key_len, size_t *val_off, size_t *val_len)
{
	size_t i = 0, eq = SIZE_MAX;
	uint8_t b;
	if (c->len == 0)
		return false;
	*key_off = base;
	while (att_cur_get_u8(c, &b) == 0 && b != '&') {
		if (b == '=' && eq == SIZE_MAX)
			eq = i;
		i++;
	}
	*key_len = eq == SIZE_MAX ? i : eq;
	*val_off = eq == SIZE_MAX ? base + i : base + eq + 1;
	*val_len = eq == SIZE_MAX ? 0 : i - eq - 1;
	return true;
}

/* for_each_secret calls fn for the userinfo password and every value of
 * a "password" parameter; returns how many of them are non-empty. */
static size_t for_each_secret(const char *url,
			      void (*fn)(void *, size_t, size_t), void *arg)
{
	size_t len = strnlen(url, ATT_PG_URL_MAX + 1), n = 0;
	const char *sep = strstr(url, "://");
	if (!sep || (size_t)(sep - url) >= len)
		return 0;
	size_t auth = (size_t)(sep - url) + 3;
	struct att_cur c;
	struct url_secret s = {0};
	att_cur_init(&c, (const uint8_t *)url + auth, len - auth);
	s.pw_off = 0;
	find_userinfo_pw(c, &s);
	if (s.pw_len) {
		n++;
		if (fn)
			fn(arg, auth + s.pw_off, s.pw_len);
	}
	size_t host = auth + s.host_off;
	const char *q = memchr(url + host, '?', len - host);
	if (!q)
		return n;
	size_t qoff = (size_t)(q - url) + 1;
	att_cur_init(&c, (const uint8_t *)url + qoff, len - qoff);
	size_t ko, kl, vo, vl;
	size_t at = qoff;
	while (next_param(&c, at, &ko, &kl, &vo, &vl)) {
		at = len - c.len;
		if (kl == 8 && !memcmp(url + ko, "password", 8) && vl) {
			n++;
			if (fn)
				fn(arg, vo, vl);
		}
	}
	return n;
}

bool att_store_url_has_password(const char *url)
{
	return url && att_store_url_is_pg(url) &&
	       for_each_secret(url, NULL, NULL) > 0;
}

/* A mask list: the byte ranges to replace, in URL order. */
struct mask_list {
	size_t off[8], len[8], n;
	bool overflow;
};

static void add_range(void *arg, size_t off, size_t len)
{
	struct mask_list *m = arg;
	if (m->n == sizeof(m->off) / sizeof(m->off[0])) {
		m->overflow = true;
		return;
	}
	m->off[m->n] = off;
	m->len[m->n++] = len;
}

static void put(char *out, size_t out_len, size_t *k, const char *s,
		size_t n)
{
	for (size_t i = 0; i < n && *k + 1 < out_len; i++)
		out[(*k)++] = s[i];
}

void att_store_url_mask(char *out, size_t out_len, const char *url)
{
	struct mask_list m = {0};
	size_t k = 0, at = 0;
	if (!out || out_len == 0)
		return;
	out[0] = 0;
	if (!url)
		return;
	size_t len = strnlen(url, ATT_PG_URL_MAX + 1);
	if (len > ATT_PG_URL_MAX) {
		put(out, out_len, &k, "(URL too long)", 14);
		out[k] = 0;
		return;
	}
	for_each_secret(url, add_range, &m);
	if (m.overflow) {
		/* More password parameters than we track: show only the
		 * scheme rather than risk printing one. */
		const char *sep = strstr(url, "://");
		put(out, out_len, &k, url, sep ? (size_t)(sep - url) + 3 : 0);
		put(out, out_len, &k, "***:***@***", 11);
		out[k] = 0;
		return;
	}
	for (size_t i = 0; i < m.n; i++) {
		if (m.off[i] < at)
			continue; /* ranges come in URL order: never */
		put(out, out_len, &k, url + at, m.off[i] - at);
		put(out, out_len, &k, "***", 3);
		at = m.off[i] + m.len[i];
	}
	put(out, out_len, &k, url + at, len - at);
	out[k] = 0;
}
