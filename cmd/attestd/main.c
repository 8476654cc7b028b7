/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd: the attestation service daemon and its administration commands.
 * This file only dispatches: the table of subcommands is commands.def,
 * each implemented in cmd_<area>.c.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../subcmd.h"
#include "cmd_common.h"

#define ATT_CMD(words, fn, help) int fn(int argc, char **argv);
#include "commands.def"
#undef ATT_CMD

static const struct att_subcmd cmds[] = {
#define ATT_CMD(words, fn, help) {words, fn, help},
#include "commands.def"
#undef ATT_CMD
	{NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
	/* tss2-mu logs every structure it rejects to stderr; attestd reports
	 * those failures itself, so keep its logger quiet unless asked. */
	setenv("TSS2_LOG", "all+none", 0);
	/* Everything attestd writes (store, keys, certificates, TPM and
	 * simulator state) is for its own user only; each file also gets an
	 * explicit 0600 / 0700 mode, this is the belt. */
	umask(077);
	/* The administration commands share one store option parser
	 * (cmd_common.c); serve, migrate and store copy parse their own. */
	if (argc > 1 && strcmp(argv[1], "serve") && strcmp(argv[1], "migrate") &&
	    strcmp(argv[1], "store") && att_cli_take_store(&argc, argv, "attestd"))
		return 2;
	return att_subcmd_run("attestd", cmds, argc, argv);
}
