/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JMESPath engine tests beyond the compliance suite: MAA's
 * equals_ignore_case with and without ATT_JMESPATH_MAA_EXTENSIONS, error
 * messages that name the column, number output, key order, the limits
 * (expression length, nesting depth, evaluation steps: errors, never a
 * crash or a hang), literal immutability and a two-thread smoke test of
 * one compiled expression.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "harness/tap.h"
#include "policy/jmespath/jmespath.h"

#define MAA ATT_JMESPATH_MAA_EXTENSIONS

static const char *doc =
    "{\"a\":[1,2.5,{\"b\":\"X\"}],\"s\":\"h\\u00e9llo\",\"n\":-3,"
    "\"objs\":{\"z\":1,\"y\":2},\"x\":\"Sgx\",\"nums\":[3,1,2]}";

struct ok_case {
	const char *expr;
	unsigned flags;
	const char *want; /* compact JSON as att_jmespath_to_json prints */
};

static const struct ok_case ok_cases[] = {
    /* MAA extension */
    {"equals_ignore_case(x, 'SGX')", MAA, "true"},
    {"equals_ignore_case(x, 'sgx')", MAA, "true"},
    {"equals_ignore_case(x, 'sgy')", MAA, "false"},
    {"equals_ignore_case(x, 'sg')", MAA, "false"},
    {"equals_ignore_case('', '')", MAA, "true"},
    {"equals_ignore_case('\u00c9', '\u00e9')", MAA, "false"}, /* ASCII */
    {"a[?b && equals_ignore_case(b, 'x')].b", MAA, "[\"X\"]"},
    /* numbers */
    {"to_string(`1.0`)", 0, "\"1.0\""},
    {"to_string(`0.1`)", 0, "\"0.1\""},
    {"to_string(`1e21`)", 0, "\"1e+21\""},
    {"to_string(`1e3`)", 0, "\"1000.0\""},
    {"to_string(`1e16`)", 0, "\"1e+16\""},
    {"to_string(`0.0001`)", 0, "\"0.0001\""},
    {"to_string(`-0.000001`)", 0, "\"-1e-06\""},
    {"to_string(`1.5e-7`)", 0, "\"1.5e-07\""},
    {"to_string(a)", 0, "\"[1,2.5,{\\\"b\\\":\\\"X\\\"}]\""},
    {"`1` == `1.0`", 0, "true"},
    {"`[1, {\"a\": 2}]` == `[1.0, {\"a\": 2.0}]`", 0, "true"},
    {"`1` < `1.5`", 0, "true"},
    {"'a' < 'b'", 0, "null"},
    {"sum(nums)", 0, "6"},
    {"sum(`[9223372036854775807, 1]`)", 0, "9.223372036854776e+18"},
    {"avg(nums)", 0, "2.0"},
    {"abs(n)", 0, "3"},
    {"abs(`-9223372036854775808`)", 0, "9.223372036854776e+18"},
    {"ceil(`2.0000001`)", 0, "3"},
    {"floor(`-0.5`)", 0, "-1"},
    {"to_number('-0')", 0, "0"},
    {"to_number(' 1')", 0, "null"},
    {"to_number('0x10')", 0, "null"},
    {"to_number('1e400')", 0, "null"},
    {"to_number('99999999999999999999')", 0, "1e+20"},
    /* strings */
    {"length(s)", 0, "5"},
    {"reverse(s)", 0, "\"oll\u00e9h\""},
    {"contains(s, `1`)", 0, "false"},
    {"contains(s, '')", 0, "true"},
    {"\"a\\u0000b\"", 0, "null"},
    {"'\\u00e9'", 0, "\"\\\\u00e9\""},
    {"\"\\ud834\\udd1e\"", 0, "null"},
    /* key order is insertion order */
    {"keys(objs)", 0, "[\"z\",\"y\"]"},
    {"values(objs)", 0, "[1,2]"},
    {"merge(objs, `{\"a\": 0, \"z\": 9}`)", 0, "{\"z\":9,\"y\":2,\"a\":0}"},
    {"{b: n, a: x}", 0, "{\"b\":-3,\"a\":\"Sgx\"}"},
    {"*", 0, NULL}, /* all values, checked by count only */
    /* slices */
    {"nums[::-1]", 0, "[2,1,3]"},
    {"nums[-1:-10:-2]", 0, "[2,3]"},
    {"nums[5:0:-2]", 0, "[2]"},
    {"nums[::9223372036854775807]", 0, "[3]"},
    {"nums[::-9223372036854775807]", 0, "[2]"},
    {"nums[-9223372036854775808:9223372036854775807]", 0, "[3,1,2]"},
    {"nums[1:][0]", 0, "[]"},
    {"(nums[1:])[0]", 0, "1"},
    /* sorting */
    {"sort(nums)", 0, "[1,2,3]"},
    {"sort_by(`[{\"k\":1,\"i\":0},{\"k\":0,\"i\":1},{\"k\":1,\"i\":2}]`, "
     "&k)[].i",
     0, "[1,0,2]"},
    {"max_by(`[{\"k\":1,\"i\":0},{\"k\":1,\"i\":1}]`, &k).i", 0, "0"},
    /* chains stay flat: long chains are not nesting */
    {"a || a || a || a || a || a || a || a || a || a || a || a || n", 0,
     "[1,2.5,{\"b\":\"X\"}]"},
    {"n | @ | @ | @ | @ | @ | @ | @ | @ | @ | @ | @ | @ | @", 0, "-3"},
};

static char *eval_text(const char *expr, unsigned flags, json_t *data, int *err,
		       char *msg, size_t msglen)
{
	json_t *out = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	*err = att_jmespath_search(expr, data, flags, &out, &d);
	snprintf(msg, msglen, "%s", att_diag_msg(&d));
	char *t = *err ? NULL : att_jmespath_to_json(out);
	json_decref(out);
	return t;
}

static void test_ok_cases(json_t *data)
{
	char msg[ATT_DIAG_LEN];
	int err;
	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];
		char *t =
		    eval_text(c->expr, c->flags, data, &err, msg, sizeof(msg));
		ATT_CHECK(err == 0, "%s: %s", c->expr, msg);
		if (c->want)
			ATT_CHECK(t && !strcmp(t, c->want),
				  "%s: got %s, want %s", c->expr,
				  t ? t : "(error)", c->want);
		free(t);
	}
}

struct err_case {
	const char *expr;
	unsigned flags;
	int err;
	const char *msg; /* exact diag message, or a substring with '~' */
};

static const struct err_case err_cases[] = {
    {"equals_ignore_case(x, 'sgx')", 0, ATT_ERR_JMESPATH_FUNCTION,
     "unknown-function: equals_ignore_case() is not a known function "
     "(column 1)"},
    {"equals_ignore_case(x, `1`)", MAA, ATT_ERR_JMESPATH_TYPE,
     "invalid-type: function equals_ignore_case() argument 2 expected "
     "string, got number (column 1)"},
    {"equals_ignore_case(x)", MAA, ATT_ERR_JMESPATH_ARITY,
     "invalid-arity: function equals_ignore_case() takes 2 arguments, "
     "got 1 (column 1)"},
    {"a[0]]", 0, ATT_ERR_JMESPATH_SYNTAX,
     "syntax error at column 5: unexpected token ']'"},
    {"'\u00e9\u00e9' ]", 0, ATT_ERR_JMESPATH_SYNTAX,
     "syntax error at column 6: unexpected token ']'"},
    {"foo[?a==]", 0, ATT_ERR_JMESPATH_SYNTAX,
     "~syntax error at column 9: unexpected token ']'"},
    {"a.length(`1`)", 0, ATT_ERR_JMESPATH_TYPE,
     "invalid-type: function length() argument 1 expected "
     "string|array|object, got number (column 3)"},
    {"max(a)", 0, ATT_ERR_JMESPATH_TYPE,
     "invalid-type: function max() argument 1 expected "
     "array[number]|array[string], got array containing object "
     "(column 1)"},
    {"sort_by(a, b)", 0, ATT_ERR_JMESPATH_TYPE,
     "~argument 2 expected expression, got null"},
    {"map(a, &b)", 0, ATT_ERR_JMESPATH_TYPE,
     "~argument 1 expected expression, got array"},
    {"merge(objs, `{}`, `1`)", 0, ATT_ERR_JMESPATH_TYPE,
     "~function merge() argument 3 expected object, got number"},
    {"not_null()", 0, ATT_ERR_JMESPATH_ARITY,
     "invalid-arity: function not_null() takes at least 1 argument, got "
     "0 (column 1)"},
    {"x.nope(@)", 0, ATT_ERR_JMESPATH_FUNCTION,
     "unknown-function: nope() is not a known function (column 3)"},
    {"nums[1:2:0]", 0, ATT_ERR_JMESPATH_VALUE,
     "invalid-value: slice step cannot be 0 (column 5)"},
    {"sum(`[1e308, 1e308]`)", 0, ATT_ERR_JMESPATH_VALUE,
     "~result is not a finite number"},
    {"&a", 0, ATT_ERR_JMESPATH_TYPE, "~can only be a function argument"},
    {"", 0, ATT_ERR_JMESPATH_SYNTAX,
     "syntax error at column 1: unexpected end of expression (expected an "
     "expression)"},
    {"\"\\ud834\"", 0, ATT_ERR_JMESPATH_SYNTAX,
     "~invalid escape in quoted identifier"},
    {"\"a\\x\"", 0, ATT_ERR_JMESPATH_SYNTAX, "~column 3"},
    {"a = b", 0, ATT_ERR_JMESPATH_SYNTAX, "~column 3"},
    {"`[1,`", 0, ATT_ERR_JMESPATH_SYNTAX, "~invalid JSON literal"},
    {"'abc", 0, ATT_ERR_JMESPATH_SYNTAX, "~unterminated raw string"},
    {"a\xff", 0, ATT_ERR_JMESPATH_SYNTAX,
     "syntax error at column 2: invalid UTF-8"},
    {"[99999999999999999999]", 0, ATT_ERR_JMESPATH_SYNTAX,
     "~number out of range"},
    {"(abs)(`1`)", 0, ATT_ERR_JMESPATH_SYNTAX, "~column 6"},
};

static void test_err_cases(json_t *data)
{
	char msg[ATT_DIAG_LEN];
	int err;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		char *t =
		    eval_text(c->expr, c->flags, data, &err, msg, sizeof(msg));
		ATT_CHECK(err == c->err, "%s: error %d (%s), want %d", c->expr,
			  err, msg, c->err);
		bool same = c->msg[0] == '~' ? strstr(msg, c->msg + 1) != NULL
					     : strcmp(msg, c->msg) == 0;
		ATT_CHECK(same, "%s: message \"%s\", want \"%s\"", c->expr, msg,
			  c->msg);
		free(t);
	}
}

static int compile_str(const char *s, size_t n, struct att_diag *d)
{
	struct att_jmespath *jp = NULL;
	att_diag_clear(d);
	int r = att_jmespath_compile(&jp, s, n, 0, d);
	ATT_CHECK((r == 0) == (jp != NULL), "out set iff success");
	att_jmespath_free(jp);
	return r;
}

/* repeat builds pre + mid * n + post. */
static char *repeat(const char *pre, const char *mid, size_t n,
		    const char *post)
{
	size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
	char *s = malloc(lp + lm * n + lq + 1), *o = s;
	memcpy(o, pre, lp);
	o += lp;
	for (size_t i = 0; i < n; i++, o += lm)
		memcpy(o, mid, lm);
	memcpy(o, post, lq + 1);
	return s;
}

static void check_compile(const char *what, char *expr, int want)
{
	struct att_diag d;
	int r = compile_str(expr, strlen(expr), &d);
	ATT_CHECK(r == want, "%s: got %d (%s), want %d", what, r,
		  att_diag_msg(&d), want);
	if (want == ATT_ERR_LIMIT)
		ATT_CHECK(strstr(att_diag_msg(&d), "limit: ") != NULL,
			  "%s: message %s", what, att_diag_msg(&d));
	free(expr);
}

static void test_length_limit(void)
{
	size_t n = ATT_MAX_JMESPATH_LEN;
	char *s = malloc(n + 2);
	memset(s, 'a', n + 1);
	s[n + 1] = 0;
	struct att_diag d;
	ATT_CHECK_EQ_INT(compile_str(s, n, &d), 0); /* exactly the limit */
	ATT_CHECK_EQ_INT(compile_str(s, n + 1, &d), ATT_ERR_LIMIT);
	ATT_CHECK(strstr(att_diag_msg(&d), "longer than") != NULL, "%s",
		  att_diag_msg(&d));
	free(s);
	/* a long flat chain (a.a.a... up to the limit) is not nesting */
	check_compile("long chain", repeat("a", ".a", n / 2 - 1, ""), 0);
}

static void test_depth_limit(void)
{
	size_t deep = ATT_MAX_JMESPATH_DEPTH + 10, fine = 100;
	check_compile("parens", repeat("", "(", deep, "a"), ATT_ERR_LIMIT);
	check_compile("parens ok", repeat("", "(", fine, "a"),
		      ATT_ERR_JMESPATH_SYNTAX); /* unclosed, but not deep */
	check_compile("lists", repeat("", "[", deep, ""), ATT_ERR_LIMIT);
	check_compile("nots", repeat("", "!", deep, "a"), ATT_ERR_LIMIT);
	check_compile("nots ok", repeat("", "!", fine, "a"), 0);
	check_compile("flatten chain", repeat("a", "[]", deep, ""),
		      ATT_ERR_LIMIT);
	check_compile("flatten ok", repeat("a", "[]", fine, ""), 0);
	check_compile("comparisons", repeat("a", "==a", deep, ""),
		      ATT_ERR_LIMIT);
	check_compile("projections", repeat("a", "[*].a", deep, ""),
		      ATT_ERR_LIMIT);
	check_compile("projections ok", repeat("a", "[*].a", fine, ""), 0);
	char *lit = repeat("`", "[", 1200, "");
	check_compile("deep literal", repeat(lit, "]", 1200, "`"),
		      ATT_ERR_LIMIT);
	free(lit);
	char *calls = repeat("", "abs(", deep, "n");
	check_compile("functions", repeat(calls, ")", deep, ""), ATT_ERR_LIMIT);
	free(calls);
}

static void expect_steps_limit(const char *what, char *expr, json_t *data)
{
	char msg[ATT_DIAG_LEN];
	int err;
	char *t = eval_text(expr, 0, data, &err, msg, sizeof(msg));
	ATT_CHECK(err == ATT_ERR_LIMIT && strstr(msg, "limit: "),
		  "%s: got %d (%s)", what, err, msg);
	free(t);
	free(expr);
}

static void test_steps_limit(void)
{
	json_t *arr = json_array();
	for (int i = 0; i < 10; i++)
		json_array_append_new(arr, json_integer(i));
	/* nested filters, each over 10 copies: 10^9 node visits, little
	 * memory */
	char *filters = repeat("", "[@,@,@,@,@,@,@,@,@,@][?", 9, "@");
	expect_steps_limit("fan-out", repeat(filters, "]", 9, ""), arr);
	free(filters);
	/* a DAG of 2^60 leaves: to_string must not try to print it */
	expect_steps_limit("to_string",
			   repeat("@", " | [@,@]", 60, " | to_string(@)"), arr);
	expect_steps_limit(
	    "join", repeat("'abcdefgh'", " | join('', [@,@])", 40, ""), arr);
	/* values nested deeper than the engine recurses */
	expect_steps_limit("deep value",
			   repeat("@", " | [@]", 1200, " | to_string(@)"), arr);
	expect_steps_limit("equality", repeat("@", " | [@,@]", 60, " | @ == @"),
			   arr);
	json_decref(arr);
}

/* Results never share memory with the compiled literals. */
static void test_literal_immutable(void)
{
	struct att_jmespath *jp = NULL;
	json_t *a = NULL, *b = NULL;
	const char *e = "`{\"k\": [1]}`";
	ATT_CHECK_EQ_INT(att_jmespath_compile(&jp, e, strlen(e), 0, NULL), 0);
	ATT_CHECK_EQ_INT(att_jmespath_eval(jp, NULL, &a, NULL), 0);
	json_object_set_new(a, "k", json_string("changed"));
	ATT_CHECK_EQ_INT(att_jmespath_eval(jp, NULL, &b, NULL), 0);
	char *t = att_jmespath_to_json(b);
	ATT_CHECK_EQ_STR(t, "{\"k\":[1]}");
	free(t);
	json_decref(a);
	json_decref(b);
	att_jmespath_free(jp);
}

struct worker {
	const struct att_jmespath *jp;
	json_t *data;
	int bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 2000; i++) {
		json_t *out = NULL;
		if (att_jmespath_eval(w->jp, w->data, &out, NULL)) {
			w->bad++;
			continue;
		}
		char *t = att_jmespath_to_json(out);
		if (!t || strcmp(t, "[{\"k\":\"b\",\"v\":[2,\"lit\"]},"
				    "{\"k\":\"a\",\"v\":[3,\"lit\"]}]"))
			w->bad++;
		free(t);
		json_decref(out);
	}
	return NULL;
}

static void test_threads(void)
{
	const char *e = "sort_by(items[?v > `1`], &k)[::-1]"
			".{k: k, v: [v, `\"lit\"`]}";
	json_t *data =
	    json_loads("{\"items\":[{\"k\":\"a\",\"v\":3},"
		       "{\"k\":\"c\",\"v\":1},{\"k\":\"b\",\"v\":2}]}",
		       0, NULL);
	struct att_jmespath *jp = NULL;
	ATT_CHECK_EQ_INT(att_jmespath_compile(&jp, e, strlen(e), 0, NULL), 0);
	struct worker w[2] = {{jp, data, 0}, {jp, data, 0}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		ATT_CHECK_EQ_INT(pthread_create(&th[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ATT_CHECK(w[0].bad == 0 && w[1].bad == 0, "thread failures %d %d",
		  w[0].bad, w[1].bad);
	att_jmespath_free(jp);
	json_decref(data);
}

static void test_api(void)
{
	json_t *out = NULL;
	ATT_CHECK_EQ_STR(att_jmespath_errtype(ATT_ERR_JMESPATH_SYNTAX),
			 "syntax");
	ATT_CHECK_EQ_STR(att_jmespath_errtype(ATT_ERR_JMESPATH_TYPE),
			 "invalid-type");
	ATT_CHECK_EQ_STR(att_jmespath_errtype(ATT_ERR_JMESPATH_ARITY),
			 "invalid-arity");
	ATT_CHECK_EQ_STR(att_jmespath_errtype(ATT_ERR_JMESPATH_FUNCTION),
			 "unknown-function");
	ATT_CHECK_EQ_STR(att_jmespath_errtype(ATT_ERR_JMESPATH_VALUE),
			 "invalid-value");
	ATT_CHECK_EQ_STR(att_jmespath_errtype(ATT_ERR_LIMIT), "limit");
	/* a null result is json null, never a NULL pointer */
	ATT_CHECK_EQ_INT(att_jmespath_search("missing", NULL, 0, &out, NULL),
			 0);
	ATT_CHECK(out && json_is_null(out), "null result");
	json_decref(out);
	struct att_jmespath *jp = (struct att_jmespath *)1;
	ATT_CHECK_EQ_INT(att_jmespath_compile(&jp, "a[", 2, 0, NULL),
			 ATT_ERR_JMESPATH_SYNTAX);
	ATT_CHECK(jp == NULL, "out cleared on failure");
}

int main(void)
{
	json_t *data = json_loads(doc, 0, NULL);
	ATT_CHECK(data != NULL, "test document");
	test_ok_cases(data);
	test_err_cases(data);
	test_length_limit();
	test_depth_limit();
	test_steps_limit();
	test_literal_immutable();
	test_threads();
	test_api();
	json_decref(data);
	return att_test_done();
}
