/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The official JMESPath compliance suite (jmespath.test) against our
 * engine: every JSON file of <testdata>/jmespath/tests, every case. A case
 * with "result" must evaluate to that value (JSON equality, 1 == 1.0); a
 * case with "error" must fail with exactly that error type; benchmark
 * cases without a result must compile ("parse") or evaluate ("full",
 * "interpret") without error. Prints "N passed, M failed" per file and in
 * total; any failure fails the test. Skips (exit 77) when the test data
 * is absent.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "policy/jmespath/jmespath.h"

/* json_same is the test's own JSON equality: numbers by value (so that
 * 1 == 1.0), objects regardless of key order. */
static bool json_same(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_same(json_array_get(a, i),
				       json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		const char *k;
		size_t kl;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_keylen_foreach(a, k, kl, v)
		{
			json_t *w = json_object_getn(b, k, kl);
			if (!w || !json_same(v, w))
				return false;
		}
		return true;
	}
	if (json_is_string(a))
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b),
			      json_string_length(a)) == 0;
	return true; /* true, false, null */
}

static void show(const char *what, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	printf("#   %s: %s\n", what, s ? s : "(none)");
	free(s);
}

struct outcome {
	int err;
	json_t *result;
	char msg[ATT_DIAG_LEN];
};

static void run_case(json_t *given, const char *expr, bool eval,
		     struct outcome *o)
{
	struct att_jmespath *jp = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	o->result = NULL;
	o->err = att_jmespath_compile(&jp, expr, strlen(expr), 0, &d);
	if (o->err == 0 && eval)
		o->err = att_jmespath_eval(jp, given, &o->result, &d);
	snprintf(o->msg, sizeof(o->msg), "%s", att_diag_msg(&d));
	att_jmespath_free(jp);
}

/* check_case returns true when the case passes (and prints why not). */
static bool check_case(const char *file, json_t *given, json_t *tc)
{
	const char *expr = json_string_value(json_object_get(tc, "expression"));
	json_t *want = json_object_get(tc, "result");
	const char *want_err = json_string_value(json_object_get(tc, "error"));
	const char *bench = json_string_value(json_object_get(tc, "bench"));
	struct outcome o;
	bool ok;
	if (!expr) {
		printf("# %s: case without an expression\n", file);
		return false;
	}
	run_case(given, expr, !(bench && !want && !strcmp(bench, "parse")), &o);
	if (want_err)
		ok = o.err != 0 &&
		     !strcmp(att_jmespath_errtype(o.err), want_err);
	else if (want)
		ok = o.err == 0 && json_same(o.result, want);
	else
		ok = o.err == 0 && bench; /* a benchmark: must just work */
	if (!ok) {
		printf("# FAIL %s: %s\n", file, expr);
		if (want_err)
			printf("#   want error: %s\n", want_err);
		else
			show("want", want);
		if (o.err)
			printf("#   got error %s: %s\n",
			       att_jmespath_errtype(o.err), o.msg);
		else
			show("got", o.result);
	}
	json_decref(o.result);
	return ok;
}

static void run_file(const char *dir, const char *name, int *tp, int *tf)
{
	char path[4096];
	json_error_t je;
	int pass = 0, fail = 0;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return;
	json_t *suites = json_load_file(path, JSON_ALLOW_NUL, &je);
	ATT_CHECK(json_is_array(suites), "%s: %s", path, je.text);
	size_t i, j;
	json_t *suite, *tc;
	json_array_foreach(suites, i, suite)
	{
		json_t *given = json_object_get(suite, "given");
		json_array_foreach(json_object_get(suite, "cases"), j, tc)
		{
			bool ok = check_case(name, given, tc);
			ATT_CHECK(ok, "%s suite %zu case %zu", name, i, j);
			ok ? pass++ : fail++;
		}
	}
	printf("%s: %d passed, %d failed\n", name, pass, fail);
	json_decref(suites);
	*tp += pass;
	*tf += fail;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list_json returns the sorted names of dir's *.json files. */
static size_t list_json(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".json"))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn)
			break;
		names = nn;
		names[n++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	*out = names;
	return n;
}

int main(void)
{
	char dir[4096];
	const char *td = att_testdata();
	struct stat st;
	if (!td ||
	    snprintf(dir, sizeof(dir), "%s/jmespath/tests", td) >=
		(int)sizeof(dir) ||
	    stat(dir, &st) != 0) {
		printf("FAIL (cannot run): JMESPath compliance suite not found "
		       "(<testdata>/jmespath/tests; set ATTESTD_TESTDATA)\n");
		return 77;
	}
	char **names = NULL;
	size_t n = list_json(dir, &names);
	int pass = 0, fail = 0;
	ATT_CHECK(n > 0, "no *.json in %s", dir);
	for (size_t i = 0; i < n; i++) {
		run_file(dir, names[i], &pass, &fail);
		free(names[i]);
	}
	free(names);
	printf("compliance total (%zu files): %d passed, %d failed\n", n, pass,
	       fail);
	return att_test_done();
}
