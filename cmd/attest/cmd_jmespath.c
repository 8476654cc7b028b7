/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest jmespath [--maa|--strict] EXPR [FILE|-]`: evaluates a JMESPath
 * expression on a JSON document (FILE, or stdin when absent or "-") and
 * prints the result as compact JSON. MAA's dialect is the default, so
 * equals_ignore_case() is available; --strict gives plain JMESPath.
 * Exit 0 on success, 1 on an expression or input error (stderr says
 * "attest: jmespath <errtype>: <message>"), 2 on a usage error.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/jmespath/jmespath.h"

int att_cmd_jmespath(int argc, char **argv);

static int usage(FILE *f)
{
	fprintf(f,
		"usage: attest jmespath [--maa|--strict] EXPR [FILE|-]\n"
		"  Evaluates EXPR on the JSON document in FILE (stdin when "
		"absent or -)\n"
		"  and prints the result as compact JSON.\n"
		"  --maa     MAA dialect: equals_ignore_case() (the default)\n"
		"  --strict  plain JMESPath, no extension functions\n");
	return f == stdout ? 0 : 2;
}

static json_t *load_input(const char *path)
{
	json_error_t je;
	unsigned fl = JSON_DECODE_ANY | JSON_ALLOW_NUL;
	json_t *v = (!path || !strcmp(path, "-"))
			? json_loadf(stdin, fl, &je)
			: json_load_file(path, fl, &je);
	if (!v && je.line > 0)
		fprintf(stderr,
			"attest: jmespath: invalid JSON input %s: %s (line %d, "
			"column %d)\n",
			path ? path : "-", je.text, je.line, je.column);
	else if (!v)
		fprintf(stderr, "attest: jmespath: cannot read %s: %s\n",
			path ? path : "-", je.text);
	return v;
}

/* print_error writes "attest: jmespath <errtype>: <message>", without
 * repeating the type when the message already starts with it. */
static void print_error(int r, const struct att_diag *d)
{
	const char *type = att_jmespath_errtype(r);
	const char *msg = att_diag_msg(d);
	size_t tl = strlen(type);
	if (!strncmp(msg, type, tl) && msg[tl] == ':' && msg[tl + 1] == ' ')
		msg += tl + 2;
	fprintf(stderr, "attest: jmespath %s: %s\n", type, msg);
}

static int run(const char *expr, const char *path, unsigned flags)
{
	struct att_jmespath *jp = NULL;
	struct att_diag d;
	json_t *data = NULL, *out = NULL;
	char *text = NULL;
	int rc = 1;
	att_diag_clear(&d);
	int r = att_jmespath_compile(&jp, expr, strlen(expr), flags, &d);
	if (r)
		goto out;
	if (!(data = load_input(path)))
		goto out;
	if ((r = att_jmespath_eval(jp, data, &out, &d)))
		goto out;
	if (!(text = att_jmespath_to_json(out))) {
		fprintf(stderr, "attest: jmespath: cannot print the result\n");
		goto out;
	}
	printf("%s\n", text);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	if (r)
		print_error(r, &d);
	free(text);
	json_decref(out);
	json_decref(data);
	att_jmespath_free(jp);
	return rc;
}

int att_cmd_jmespath(int argc, char **argv)
{
	unsigned flags = ATT_JMESPATH_MAA_EXTENSIONS;
	const char *pos[2] = {NULL, NULL};
	int npos = 0;
	bool opts = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (opts && !strcmp(a, "--maa"))
			flags |= ATT_JMESPATH_MAA_EXTENSIONS;
		else if (opts && !strcmp(a, "--strict"))
			flags &= ~(unsigned)ATT_JMESPATH_MAA_EXTENSIONS;
		else if (opts && !strcmp(a, "--"))
			opts = false;
		else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help")))
			return usage(stdout);
		else if (opts && a[0] == '-' && a[1] == '-')
			return usage(stderr);
		else if (npos < 2)
			pos[npos++] = a;
		else
			return usage(stderr);
	}
	if (npos < 1)
		return usage(stderr);
	return run(pos[0], pos[1], flags);
}
