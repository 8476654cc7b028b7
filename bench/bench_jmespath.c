/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark of the JMESPath engine: the compliance suite's benchmark
 * cases (<testdata>/jmespath/tests/benchmarks.json, when present) and a
 * few MAA-style claim selections. For each: compile time and evaluation
 * time per operation. Usage: bench_jmespath [ITERATIONS]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/tap.h"
#include "policy/jmespath/jmespath.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void bench_one(const char *name, const char *expr, json_t *data,
		      long iters)
{
	struct att_jmespath *jp = NULL;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		att_jmespath_free(jp);
		jp = NULL;
		if (att_jmespath_compile(&jp, expr, strlen(expr),
					 ATT_JMESPATH_MAA_EXTENSIONS, NULL)) {
			printf("%-34s compile error\n", name);
			return;
		}
	}
	double t1 = now_ns();
	int err = 0;
	for (long i = 0; i < iters; i++) {
		json_t *out = NULL;
		err |= att_jmespath_eval(jp, data, &out, NULL);
		json_decref(out);
	}
	double t2 = now_ns();
	printf("%-34s compile %9.0f ns  eval %9.0f ns%s\n", name,
	       (t1 - t0) / (double)iters, (t2 - t1) / (double)iters,
	       err ? "  (eval error)" : "");
	att_jmespath_free(jp);
}

static void bench_suite(long iters)
{
	char path[4096];
	const char *td = att_testdata();
	if (!td ||
	    snprintf(path, sizeof(path), "%s/jmespath/tests/benchmarks.json",
		     td) >= (int)sizeof(path))
		return;
	json_t *suites = json_load_file(path, 0, NULL);
	size_t i, j;
	json_t *s, *c;
	json_array_foreach(suites, i, s)
	{
		json_array_foreach(json_object_get(s, "cases"), j, c)
		{
			const char *cm =
			    json_string_value(json_object_get(c, "comment"));
			bench_one(
			    cm ? cm : "?",
			    json_string_value(json_object_get(c, "expression")),
			    json_object_get(s, "given"), iters);
		}
	}
	json_decref(suites);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	json_t *claims = json_loads(
	    "{\"x-ms-sgx-is-debuggable\":false,\"x-ms-sgx-mrsigner\":"
	    "\"c5f0ba1b3b1ad2d4d1b7e5e1e7b1c1c1d2a3b4c5d6e7f8091a2b3c4d5e6f7081"
	    "\","
	    "\"x-ms-sgx-product-id\":1,\"x-ms-sgx-svn\":3,"
	    "\"x-ms-attestation-type\":\"sgx\",\"x-ms-sgx-collateral\":"
	    "{\"tcbinfocertshash\":\"abc\",\"qeidcrlhash\":\"def\"}}",
	    0, NULL);
	bench_one("maa: equals_ignore_case",
		  "equals_ignore_case("
		  "\"x-ms-attestation-type\", 'SGX')",
		  claims, iters);
	bench_one("maa: svn and debug",
		  "\"x-ms-sgx-svn\" >= `2` && \"x-ms-sgx-is-debuggable\" == "
		  "`false`",
		  claims, iters);
	bench_one("maa: collateral keys", "sort(keys(\"x-ms-sgx-collateral\"))",
		  claims, iters);
	bench_suite(iters);
	json_decref(claims);
	return 0;
}
