/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny in-tree test harness (header only). Each check prints a TAP line;
 * att_test_done() prints "N passed, M failed" and returns the exit code.
 * att_testdata() finds tests/vectors (or $ATTESTD_TESTDATA); tests
 * that need it call ATT_REQUIRE_TESTDATA(), which fails (exit 77) when it
 * is absent: ctest counts no skip code, so a test that cannot run fails.
 */
#ifndef ATT_TESTS_TAP_H
#define ATT_TESTS_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int att_t_pass, att_t_fail;

#define ATT_CHECK(cond, ...)                                                   \
	do {                                                                   \
		if (cond) {                                                    \
			att_t_pass++;                                          \
		} else {                                                       \
			att_t_fail++;                                          \
			printf("not ok %d - %s:%d: %s: ", att_t_pass + att_t_fail, \
			       __FILE__, __LINE__, #cond);                     \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

#define ATT_CHECK_EQ_INT(a, b)                                                 \
	do {                                                                   \
		long long att_a_ = (long long)(a), att_b_ = (long long)(b);    \
		ATT_CHECK(att_a_ == att_b_, "%lld != %lld", att_a_, att_b_);   \
	} while (0)

#define ATT_CHECK_EQ_STR(a, b)                                                 \
	do {                                                                   \
		const char *att_a_ = (a), *att_b_ = (b);                       \
		ATT_CHECK(att_a_ && att_b_ && strcmp(att_a_, att_b_) == 0,     \
			  "\"%s\" != \"%s\"", att_a_ ? att_a_ : "(null)",      \
			  att_b_ ? att_b_ : "(null)");                         \
	} while (0)

static inline int att_test_done(void)
{
	printf("%d passed, %d failed\n", att_t_pass, att_t_fail);
	return att_t_fail ? 1 : 0;
}

/* att_testdata returns the shared test data directory or NULL. */
static inline const char *att_testdata(void)
{
	static char path[1024];
	const char *env = getenv("ATTESTD_TESTDATA");
	struct stat st;
	if (env && *env && stat(env, &st) == 0)
		return env;
	const char *def = getenv("ATT_TESTDATA_DEFAULT");
	if (def && stat(def, &st) == 0)
		return def;
	snprintf(path, sizeof(path), "tests/vectors");
	if (stat(path, &st) == 0)
		return path;
	return NULL;
}

#define ATT_REQUIRE_TESTDATA()                                                 \
	do {                                                                   \
		if (!att_testdata()) {                                         \
			printf("FAIL: the test vectors (tests/vectors, or "    \
			       "$ATTESTD_TESTDATA) are missing\n");          \
			return 77;                                             \
		}                                                              \
	} while (0)

/* att_read_file reads a whole file into a malloc'd, NUL-terminated buffer. */
static inline unsigned char *att_read_file(const char *path, size_t *len)
{
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	unsigned char *b = malloc(cap + 1);
	size_t k;
	while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			unsigned char *nb = realloc(b, cap * 2 + 1);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (b) {
		b[n] = 0;
		*len = n;
	}
	return b;
}

#endif
