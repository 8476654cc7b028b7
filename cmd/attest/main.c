/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest: the client, relying-party and developer CLI. This file only
 * dispatches: the table of subcommands is commands.def.
 */
#include "../subcmd.h"

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
	return att_subcmd_run("attest", cmds, argc, argv);
}
