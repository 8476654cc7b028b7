/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The build's identity (base/version.h): the version is the one of
 * project() in CMakeLists.txt (read from the source tree, ATT_SRC_DIR or
 * the working directory), the commit is a `git describe` output or
 * "unknown", the simulator "on" or "off", the User-Agent
 * "attestd/VERSION", and att_version_print writes the four lines
 * `attestd --version` shows.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/version.h"
#include "harness/tap.h"

/* cmake_version reads "x.y.z" of "project(attestd VERSION x.y.z" into
 * out; 0, or 1 when CMakeLists.txt has none. */
static int cmake_version(char *out, size_t cap)
{
	const char *src = getenv("ATT_SRC_DIR");
	char path[4096], line[512];
	FILE *f;
	int rc = 1;
	snprintf(path, sizeof(path), "%s/CMakeLists.txt", src ? src : ".");
	if (!(f = fopen(path, "r")))
		return 1;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "project(attestd VERSION ");
		size_t n = 0;
		if (p != line)
			continue;
		p += strlen("project(attestd VERSION ");
		while (p[n] && (isdigit((unsigned char)p[n]) || p[n] == '.') &&
		       n + 1 < cap)
			n++;
		memcpy(out, p, n);
		out[n] = 0;
		rc = n ? 0 : 1;
		break;
	}
	fclose(f);
	return rc;
}

static void test_version(void)
{
	char want[64] = "";
	ATT_CHECK(cmake_version(want, sizeof(want)) == 0,
		  "CMakeLists.txt has project(attestd VERSION x.y.z)");
	ATT_CHECK_EQ_STR(att_version(), want);
	unsigned a, b, c;
	char extra;
	ATT_CHECK(sscanf(att_version(), "%u.%u.%u%c", &a, &b, &c, &extra) == 3,
		  "version '%s' is x.y.z", att_version());
}

static void test_commit_and_options(void)
{
	const char *c = att_version_commit();
	ATT_CHECK(c && *c, "a commit is named");
	int hex = 0;
	for (const char *p = c; *p; p++)
		hex += isxdigit((unsigned char)*p) != 0;
	ATT_CHECK(!strcmp(c, "unknown") || hex >= 7,
		  "commit '%s' is a git describe output or unknown", c);
	ATT_CHECK(!strcmp(att_version_sim(), "on") ||
			  !strcmp(att_version_sim(), "off"),
		  "simulator '%s'", att_version_sim());
	ATT_CHECK(*att_version_sanitize(), "sanitizers named");
}

static void test_user_agent(void)
{
	char want[96];
	snprintf(want, sizeof(want), "attestd/%s", att_version());
	ATT_CHECK_EQ_STR(att_version_user_agent(), want);
}

static void test_print(void)
{
	char buf[512] = "", want[512];
	FILE *f = tmpfile();
	ATT_CHECK(f != NULL, "tmpfile");
	if (!f)
		return;
	ATT_CHECK_EQ_INT(att_version_print(f, "attestd"), 0);
	rewind(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	snprintf(want, sizeof(want),
		 "attestd %s\ncommit %s\nsimulator %s\nsanitizers %s\n",
		 att_version(), att_version_commit(), att_version_sim(),
		 att_version_sanitize());
	ATT_CHECK_EQ_STR(buf, want);
}

int main(void)
{
	test_version();
	test_commit_and_options();
	test_user_agent();
	test_print();
	return att_test_done();
}
