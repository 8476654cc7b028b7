/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The subcommand dispatcher shared by attestd and attest: a table of
 * one- or two-word commands (from each program's commands.def), the
 * longest match wins, and -h/--help/help print the table.
 */
#ifndef ATT_CMD_SUBCMD_H
#define ATT_CMD_SUBCMD_H

#include <stdio.h>
#include <string.h>

#include "base/version.h"

struct att_subcmd {
	const char *words;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static inline int att_subcmd_usage(FILE *f, const char *prog,
				   const struct att_subcmd *cmds)
{
	fprintf(f, "usage: %s COMMAND [ARGS...]\n\ncommands:\n", prog);
	for (const struct att_subcmd *c = cmds; c->words; c++)
		fprintf(f, "  %-22s  %s\n", c->words, c->help);
	fprintf(f, "\n  %-22s  %s\n", "--version",
		"print the version, git commit and build options");
	return f == stderr ? 2 : 0;
}

/* att_subcmd_run dispatches argv (argv[0] of the callee is the last
 * matched word) and returns the exit code. --version prints the build's
 * identity (src/base/version.h). */
static inline int att_subcmd_run(const char *prog,
				 const struct att_subcmd *cmds, int argc,
				 char **argv)
{
	if (argc < 2)
		return att_subcmd_usage(stderr, prog, cmds);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return att_subcmd_usage(stdout, prog, cmds);
	if (!strcmp(argv[1], "--version"))
		return att_version_print(stdout, prog);
	if (argc >= 3) {
		char two[256];
		snprintf(two, sizeof(two), "%s %s", argv[1], argv[2]);
		for (const struct att_subcmd *c = cmds; c->words; c++)
			if (!strcmp(c->words, two))
				return c->fn(argc - 2, argv + 2);
	}
	for (const struct att_subcmd *c = cmds; c->words; c++)
		if (!strcmp(c->words, argv[1]))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	return att_subcmd_usage(stderr, prog, cmds);
}

#endif
