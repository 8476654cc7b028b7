/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs the data-driven policy cases of tests/policy/NAME.test: actions,
 * authorization, operators, conditions, functions and JmesPath, each case
 * giving a policy, its incoming claims and the exact expected result or
 * error. A file holds cases; lines outside a case starting with '#' are
 * comments:
 *
 *   %%TEST name
 *   %%POLICY
 *   <policy text; its first line is line 1>
 *   %%CLAIMS                      (optional; default [])
 *   <CLAIMS.json array; issuer defaults to AttestationService>
 *   %%EXPECT                      (one of EXPECT, FAIL, EVALFAIL)
 *   <JSON object; each member present must equal the result's:
 *    "authorized", "issued" and "added" (token form: type -> value or
 *    [values]), "properties", "deny" (the deny summary)>
 *   %%FAIL
 *   <the exact compile diagnostic, "line L, column C: message">
 *   %%EVALFAIL
 *   <the exact evaluation diagnostic>
 *   %%END
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "policy/policy.h"

struct pcase {
	char name[128];
	char *sect[5]; /* POLICY CLAIMS EXPECT FAIL EVALFAIL */
	int line;      /* where the case starts in its file */
};

enum { S_POLICY, S_CLAIMS, S_EXPECT, S_FAIL, S_EVALFAIL, S_NONE };

static const char *pcase_sect_names[] = {"%%POLICY", "%%CLAIMS", "%%EXPECT",
					 "%%FAIL", "%%EVALFAIL"};

static json_t *pcase_result_json(const struct att_policy_result *res)
{
	json_t *o = json_pack("{s:b, s:o, s:o, s:O}", "authorized",
			      res->authorized, "issued",
			      att_claimset_to_object(&res->issued), "added",
			      att_claimset_to_object(&res->added), "properties",
			      res->properties);
	if (o && res->deny_summary)
		json_object_set_new(o, "deny", json_string(res->deny_summary));
	return o;
}

static char *pcase_trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

static void pcase_check_expect(const char *where, const struct pcase *c,
			       const struct att_policy_result *res)
{
	json_error_t jerr;
	json_t *want = json_loads(c->sect[S_EXPECT], 0, &jerr);
	ATT_CHECK(want && json_is_object(want), "%s: bad %%%%EXPECT: %s", where,
		  jerr.text);
	ATT_CHECK(want && json_object_get(want, "authorized"),
		  "%s: %%%%EXPECT must give \"authorized\"", where);
	json_t *got = pcase_result_json(res);
	const char *key;
	json_t *v;
	json_object_foreach(want, key, v) {
		json_t *g = json_object_get(got, key);
		char *gs = g ? json_dumps(g, JSON_COMPACT | JSON_ENCODE_ANY)
			     : NULL;
		char *ws = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		ATT_CHECK(g && json_equal(g, v), "%s: \"%s\" is %s, want %s",
			  where, key, gs ? gs : "(absent)", ws);
		free(gs);
		free(ws);
	}
	json_decref(got);
	json_decref(want);
}

static void pcase_run(const char *file, const struct pcase *c)
{
	char where[512];
	snprintf(where, sizeof(where), "%s:%d (%s)", file, c->line, c->name);
	const char *text = c->sect[S_POLICY] ? c->sect[S_POLICY] : "";
	struct att_policy *p = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_policy_compile(&p, text, strlen(text), NULL, &d);
	if (c->sect[S_FAIL]) {
		ATT_CHECK(r != 0, "%s: compiled, want failure", where);
		ATT_CHECK(!strcmp(att_diag_msg(&d), c->sect[S_FAIL]),
			  "%s: \"%s\" != \"%s\"", where, att_diag_msg(&d),
			  c->sect[S_FAIL]);
		return;
	}
	ATT_CHECK(r == 0, "%s: %s", where, att_diag_msg(&d));
	if (r)
		return;
	json_error_t jerr;
	json_t *cj = json_loads(c->sect[S_CLAIMS] ? c->sect[S_CLAIMS] : "[]",
				0, &jerr);
	struct att_claimset in;
	att_claimset_init(&in);
	att_diag_clear(&d);
	r = cj ? att_claimset_from_json(&in, cj, NULL, &d) : -1;
	ATT_CHECK(r == 0, "%s: claims: %s %s", where, jerr.text,
		  att_diag_msg(&d));
	struct att_policy_result res;
	att_diag_clear(&d);
	r = att_policy_eval(p, &in, &res, false, &d);
	if (c->sect[S_EVALFAIL]) {
		ATT_CHECK(r != 0, "%s: evaluated, want failure", where);
		ATT_CHECK(!strcmp(att_diag_msg(&d), c->sect[S_EVALFAIL]),
			  "%s: \"%s\" != \"%s\"", where, att_diag_msg(&d),
			  c->sect[S_EVALFAIL]);
	} else {
		ATT_CHECK(r == 0, "%s: eval: %s", where, att_diag_msg(&d));
		if (c->sect[S_EXPECT])
			pcase_check_expect(where, c, &res);
		ATT_CHECK(c->sect[S_EXPECT], "%s: no %%%%EXPECT", where);
	}
	att_policy_result_release(&res);
	att_claimset_release(&in);
	json_decref(cj);
	att_policy_free(p);
}

static void pcase_append(char **dst, const char *line)
{
	size_t a = *dst ? strlen(*dst) : 0, b = strlen(line);
	char *n = realloc(*dst, a + b + 1);
	if (!n)
		abort();
	memcpy(n + a, line, b + 1);
	*dst = n;
}

static void pcase_free(struct pcase *c)
{
	for (int i = 0; i < 5; i++)
		free(c->sect[i]);
	memset(c, 0, sizeof(*c));
}

static void pcase_finish(const char *file, struct pcase *c, int *count)
{
	if (!c->name[0])
		return;
	for (int i = 0; i < 5; i++)
		if (c->sect[i] && i != S_POLICY)
			pcase_trim(c->sect[i]);
	pcase_run(file, c);
	(*count)++;
	pcase_free(c);
}

/* pcase_run_file runs every case of one file; returns the case count. */
static int pcase_run_file(const char *path)
{
	FILE *f = fopen(path, "r");
	ATT_CHECK(f != NULL, "cannot open %s", path);
	if (!f)
		return 0;
	char line[16384];
	struct pcase c;
	memset(&c, 0, sizeof(c));
	int sect = S_NONE, lineno = 0, count = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strncmp(line, "%%TEST", 6)) {
			pcase_finish(path, &c, &count);
			snprintf(c.name, sizeof(c.name), "%s", line + 6 + (line[6] == ' '));
			pcase_trim(c.name);
			c.line = lineno;
			sect = S_NONE;
			continue;
		}
		if (!strncmp(line, "%%END", 5)) {
			pcase_finish(path, &c, &count);
			sect = S_NONE;
			continue;
		}
		if (!strncmp(line, "%%", 2)) {
			sect = S_NONE;
			for (int i = 0; i < 5; i++)
				if (!strncmp(line, pcase_sect_names[i],
					     strlen(pcase_sect_names[i])))
					sect = i;
			ATT_CHECK(sect != S_NONE, "%s:%d: unknown marker %s",
				  path, lineno, line);
			if (sect != S_NONE && !c.sect[sect])
				pcase_append(&c.sect[sect], "");
			continue;
		}
		if (sect != S_NONE)
			pcase_append(&c.sect[sect], line);
	}
	pcase_finish(path, &c, &count);
	fclose(f);
	return count;
}

/* pcase_run_dir runs every tests/policy/NAME.test file. */
static int pcase_run_dir(void)
{
	const char *src = getenv("ATT_SRC_DIR");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/tests/policy", src && *src ? src : ".");
	DIR *d = opendir(dir);
	ATT_CHECK(d != NULL, "cannot open %s", dir);
	if (!d)
		return 0;
	struct dirent *e;
	int total = 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".test"))
			continue;
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		int k = pcase_run_file(path);
		printf("# %s: %d cases\n", e->d_name, k);
		total += k;
	}
	closedir(d);
	return total;
}


int main(void)
{
	int n = pcase_run_dir();
	ATT_CHECK(n >= 70, "only %d cases found", n);
	return att_test_done();
}
