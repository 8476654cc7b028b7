/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by attestd's administration commands. */
#include "cmd_common.h"

#include <stdio.h>

#include "base/diag.h"
#include "server/datadir.h"

int att_cli_open(struct att_store **out,
		 uint8_t master[static ATT_KEYWRAP_KEY_LEN], const char *dir,
		 bool create, const char *cmd)
{
	struct att_diag d = {0};
	if (!dir) {
		fprintf(stderr, "%s: --data-dir DIR is required\n", cmd);
		return 2;
	}
	int r = att_datadir_open(out, master, dir, create, &d);
	if (r) {
		fprintf(stderr, "%s: %s\n", cmd, att_diag_msg(&d));
		return 1;
	}
	return 0;
}
