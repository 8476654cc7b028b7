/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by attestd's administration commands. */
#ifndef ATT_CMD_ATTESTD_COMMON_H
#define ATT_CMD_ATTESTD_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/keywrap.h"

struct att_store;

/* att_cli_take_store takes the store options every administration
 * command accepts, --store URL and --store-password-file FILE, out of
 * argv (before the command's own options are parsed; main.c). 0, or 2
 * after printing a usage error. */
int att_cli_take_store(int *argc, char **argv, const char *cmd);
/* The --store URL and password file given, or NULL. */
const char *att_cli_store(void);
const char *att_cli_store_password_file(void);

/* att_cli_open opens the store (--store URL, else DIR's attestd.db) and
 * DIR's master key (creating them when create is set), printing the
 * reason to stderr on failure. With --store, DIR may be NULL for the
 * commands that wrap no key (the master key is then zeroed). */
int att_cli_open(struct att_store **out,
		 uint8_t master[static ATT_KEYWRAP_KEY_LEN], const char *dir,
		 bool create, const char *cmd);

#endif
