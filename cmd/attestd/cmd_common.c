/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by attestd's administration commands. */
#include "cmd_common.h"

#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "server/datadir.h"
#include "store/store.h"

/* The store options of the administration commands (att_cli_take_store),
 * one pair per process. */
static const char *cli_store, *cli_store_pwfile;

static int take_value(int *i, int argc, char **argv, const char *name,
		      const char **out)
{
	size_t n = strlen(name);
	if (!strcmp(argv[*i], name)) {
		if (*i + 1 >= argc)
			return -1; /* not an error code: a usage error */
		*out = argv[++*i];
		return 1;
	}
	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') {
		*out = argv[*i] + n + 1;
		return 1;
	}
	return 0;
}

int att_cli_take_store(int *argc, char **argv, const char *cmd)
{
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		int a = take_value(&i, *argc, argv, "--store", &cli_store);
		if (!a)
			a = take_value(&i, *argc, argv, "--store-password-file",
				       &cli_store_pwfile);
		if (a < 0) {
			fprintf(stderr, "%s: %s needs a value\n", cmd, argv[i]);
			return 2;
		}
		if (!a)
			argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	if (cli_store && att_store_url_has_password(cli_store)) {
		fprintf(stderr, "%s: --store: the URL carries a password; give "
				"it in a file (--store-password-file FILE, "
				"PGPASSFILE or ~/.pgpass), never on the "
				"command line\n",
			cmd);
		return 2;
	}
	return 0;
}

/* Commands that wrap new keys under the master key need DIR/master.key
 * whatever the store. */
static bool needs_master(const char *cmd)
{
	return !strcmp(cmd, "attestd provider add") ||
	       !strcmp(cmd, "attestd key rotate");
}

int att_cli_open(struct att_store **out,
		 uint8_t master[static ATT_KEYWRAP_KEY_LEN], const char *dir,
		 bool create, const char *cmd)
{
	struct att_diag d = {0};
	struct att_store_pg_opts pg = {.pool_size = 2,
				       .password_file = cli_store_pwfile};
	int r;
	if (!dir && (!cli_store || needs_master(cmd))) {
		fprintf(stderr, "%s: --data-dir DIR is required%s\n", cmd,
			cli_store ? " (for its master.key)" : "");
		return 2;
	}
	if (dir) {
		r = att_datadir_open_store(out, master, dir, cli_store, &pg,
					   create, &d);
	} else {
		memset(master, 0, ATT_KEYWRAP_KEY_LEN);
		r = att_store_open_url(out, cli_store, &pg, &d);
	}
	if (r) {
		fprintf(stderr, "%s: %s\n", cmd, att_diag_msg(&d));
		return 1;
	}
	return 0;
}

const char *att_cli_store(void)
{
	return cli_store;
}

const char *att_cli_store_password_file(void)
{
	return cli_store_pwfile;
}
