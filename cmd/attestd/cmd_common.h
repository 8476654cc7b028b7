/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by attestd's administration commands. */
#ifndef ATT_CMD_ATTESTD_COMMON_H
#define ATT_CMD_ATTESTD_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/keywrap.h"

struct att_store;

/* att_cli_open opens DIR's store and master key (creating them when
 * create is set), printing the reason to stderr on failure. */
int att_cli_open(struct att_store **out,
		 uint8_t master[static ATT_KEYWRAP_KEY_LEN], const char *dir,
		 bool create, const char *cmd);

#endif
