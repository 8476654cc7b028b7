/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the collateral service tests: testdata paths, quotes
 * (binary or hex), temporary directories, copying files into a tree, and
 * reading the case lists of sgx/cases.json and tdx/cases.json.
 */
#ifndef ATT_TEST_COL_TEST_H
#define ATT_TEST_COL_TEST_H

#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/hex.h"
#include "harness/tap.h"

static inline const char *td_path(const char *rel)
{
	static char p[4][4096];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", att_testdata(), rel);
	return p[k];
}

static inline uint8_t *td_quote(const char *rel, const char *enc, size_t *len)
{
	uint8_t *raw = att_read_file(td_path(rel), len), *out = NULL;
	if (!raw || !enc || strcmp(enc, "hex") != 0)
		return raw;
	size_t n = 0, out_len = 0;
	for (size_t i = 0; i < *len; i++)
		if (raw[i] > ' ')
			raw[n++] = raw[i];
	if (att_hex_decode(&out, &out_len, (char *)raw, n) != 0)
		out = NULL;
	free(raw);
	*len = out_len;
	return out;
}

static inline const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline int64_t jtime(json_t *o, const char *k)
{
	int64_t t = 0;
	const char *s = jstr(o, k);
	if (!s || att_time_parse(&t, s) != 0)
		return 0;
	return t;
}

static inline int64_t t_of(const char *s)
{
	int64_t t = 0;
	att_time_parse(&t, s);
	return t;
}

static inline char *tmp_dir(const char *tag)
{
	static char d[8][256];
	static int k;
	k = (k + 1) % 8;
	snprintf(d[k], sizeof(d[k]), "/tmp/att-col-%s-XXXXXX", tag);
	return mkdtemp(d[k]);
}

static inline int rm_one(const char *p, const struct stat *sb, int flag,
			 struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static inline void rm_tree(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline int mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* write_file writes data to dir/rel (creating directories), atomically. */
static inline int write_file(const char *dir, const char *rel,
			     const void *data, size_t len)
{
	char path[4096], tmp[4200], parent[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (slash) {
		*slash = 0;
		if (mkdir_p(parent) != 0)
			return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(data, 1, len, f);
	if (fclose(f) != 0 || w != len)
		return -1;
	return rename(tmp, path);
}

static inline int copy_file(const char *dir, const char *rel, const char *src)
{
	size_t n = 0;
	uint8_t *b = att_read_file(src, &n);
	if (!b)
		return -1;
	int rc = write_file(dir, rel, b, n);
	free(b);
	return rc;
}

/* The cases of one category file ("sgx" or "tdx"); NULL if unreadable. */
static inline json_t *load_cases(const char *cat)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "%s/cases.json", cat);
	json_t *o = json_load_file(td_path(rel), 0, NULL);
	json_t *c = json_incref(json_object_get(o, "cases"));
	json_decref(o);
	return c;
}

static inline json_t *find_case(const char *cat, const char *id)
{
	json_t *cases = load_cases(cat), *c, *found = NULL;
	size_t i;
	json_array_foreach(cases, i, c)
		if (jstr(c, "id") && strcmp(jstr(c, "id"), id) == 0)
			found = json_incref(c);
	json_decref(cases);
	return found;
}

#endif
