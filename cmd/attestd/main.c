/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd: the attestation service daemon and its administration commands.
 * This file only dispatches: the table of subcommands is commands.def,
 * each implemented in cmd_<area>.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATT_CMD(words, fn, help) int fn(int argc, char **argv);
#include "commands.def"
#undef ATT_CMD

struct cmd {
	const char *words;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd cmds[] = {
#define ATT_CMD(words, fn, help) {words, fn, help},
#include "commands.def"
#undef ATT_CMD
	{NULL, NULL, NULL},
};

static int usage(FILE *f)
{
	fprintf(f, "usage: attestd COMMAND [ARGS...]\n\ncommands:\n");
	for (const struct cmd *c = cmds; c->words; c++)
		fprintf(f, "  %-14s %s\n", c->words, c->help);
	return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	/* tss2-mu logs every structure it rejects to stderr; attestd reports
	 * those failures itself, so keep its logger quiet unless asked. */
	setenv("TSS2_LOG", "all+none", 0);
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help"))
		return usage(stdout);
	char two[256];
	if (argc >= 3) {
		snprintf(two, sizeof(two), "%s %s", argv[1], argv[2]);
		for (const struct cmd *c = cmds; c->words; c++)
			if (!strcmp(c->words, two))
				return c->fn(argc - 2, argv + 2);
	}
	for (const struct cmd *c = cmds; c->words; c++)
		if (!strcmp(c->words, argv[1]))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "attestd: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
