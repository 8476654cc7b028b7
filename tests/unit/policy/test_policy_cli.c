/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest policy check | eval | hash, run as a user would: output, error
 * format (FILE:LINE:COLUMN: message) and exit codes. Skips visibly when
 * the attest binary has not been built.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/tap.h"
#include "policy/defaults.h"

static char attest[4096], dir[] = "/tmp/att_policy_cli_XXXXXX";

static void put(const char *name, const char *text)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

/* run executes "attest ARGS" in dir; stdout and stderr into *out, *err. */
static int run(const char *args, char **out, char **err)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cd %s && %s %s >out.txt 2>err.txt", dir,
		 attest, args);
	int st = system(cmd);
	char p[4200];
	size_t n;
	snprintf(p, sizeof(p), "%s/out.txt", dir);
	*out = (char *)att_read_file(p, &n);
	snprintf(p, sizeof(p), "%s/err.txt", dir);
	*err = (char *)att_read_file(p, &n);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_check(void)
{
	char *out, *err;
	put("good.pol", "version=1.0; authorizationrules{=> permit();};");
	put("bad.pol", "version=1.0;\nauthorizationrules {\n  [type==\"a\"; => "
		       "permit();\n};");
	ATT_CHECK_EQ_INT(run("policy check good.pol", &out, &err), 0);
	ATT_CHECK_EQ_STR(out, "ok\n");
	free(out);
	free(err);
	ATT_CHECK_EQ_INT(run("policy check bad.pol", &out, &err), 1);
	ATT_CHECK_EQ_STR(err, "bad.pol:3:13: expected ',' or ']' but found ';'\n");
	ATT_CHECK_EQ_STR(out, "");
	free(out);
	free(err);
	ATT_CHECK_EQ_INT(run("policy check missing.pol", &out, &err), 1);
	free(out);
	free(err);
	ATT_CHECK_EQ_INT(run("policy check", &out, &err), 2);
	free(out);
	free(err);
}

static void test_hash(void)
{
	char *out, *err;
	put("sgx2021.pol", att_policy_default_sgx_2021);
	ATT_CHECK_EQ_INT(run("policy hash sgx2021.pol", &out, &err), 0);
	ATT_CHECK_EQ_STR(out, "bROrN897ZfWmWY2V0FLUlu3uwk5xatGnKYHn3zBbSlw\n");
	free(out);
	free(err);
}

static void test_eval(void)
{
	char *out, *err;
	put("p.pol", "version=1.1;\n"
		     "configurationrules { => issueproperty(type="
		     "\"x-ms-sgx-tcbidentifier\", value=\"azuredefault\"); };\n"
		     "authorizationrules {\n"
		     "  [type==\"x-ms-sgx-is-debuggable\", value==false] => "
		     "permit();\n};\n"
		     "issuancerules { c:[type==\"x-ms-sgx-svn\"] => "
		     "issue(type=\"svn\", value=c.value); };\n");
	put("ok.json", "[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":false},"
		       "{\"type\":\"x-ms-sgx-svn\",\"value\":3}]");
	put("dbg.json", "[{\"type\":\"x-ms-sgx-is-debuggable\",\"value\":true}]");
	put("bad.json", "[{\"type\":\"a\"}]");
	ATT_CHECK_EQ_INT(run("policy eval p.pol --claims ok.json", &out, &err), 0);
	json_t *j = json_loads(out ? out : "", 0, NULL);
	json_t *want = json_loads(
		"{\"authorized\":true,\"issued\":{\"svn\":3},\"properties\":"
		"{\"x-ms-sgx-tcbidentifier\":\"azuredefault\"}}",
		0, NULL);
	ATT_CHECK(json_equal(j, want), "eval output: %s", out);
	json_decref(j);
	json_decref(want);
	free(out);
	free(err);

	ATT_CHECK_EQ_INT(run("policy eval p.pol --claims dbg.json --explain",
			     &out, &err),
			 3);
	j = json_loads(out ? out : "", 0, NULL);
	ATT_CHECK(json_is_false(json_object_get(j, "authorized")), "%s", out);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(j, "deny")),
			 "no permit() fired; rule 1 (line 4) did not match: no "
			 "claim with type == 'x-ms-sgx-is-debuggable' and value "
			 "== false");
	ATT_CHECK_EQ_INT(json_array_size(json_object_get(j, "explain")), 2);
	json_decref(j);
	free(out);
	free(err);

	ATT_CHECK_EQ_INT(run("policy eval p.pol --claims bad.json", &out, &err),
			 1);
	ATT_CHECK_EQ_STR(err, "bad.json: claims[0] (a): \"value\" must be a "
			      "string, integer, boolean, object or array\n");
	free(out);
	free(err);
	ATT_CHECK_EQ_INT(run("policy eval p.pol --bogus", &out, &err), 2);
	free(out);
	free(err);
}

int main(void)
{
	const char *bin = getenv("ATT_BIN_DIR");
	struct stat st;
	snprintf(attest, sizeof(attest), "%s/attest", bin ? bin : ".");
	if (!bin || stat(attest, &st) != 0) {
		printf("FAIL (cannot run): %s not built\n", attest);
		return 77;
	}
	if (!mkdtemp(dir)) {
		printf("cannot make a temporary directory\n");
		return 1;
	}
	test_check();
	test_hash();
	test_eval();
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return att_test_done();
}
