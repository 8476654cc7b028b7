/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd migrate: open a store, which applies its schema migrations (for
 * PostgreSQL under an advisory lock, so nodes starting at the same time
 * do not race), and print the schema version. The store is --store URL
 * (postgresql://..., sqlite://PATH or a path) or --data-dir DIR's
 * attestd.db; a URL with a password in it is refused (command lines are
 * visible to other users): use --store-password-file, PGPASSFILE or
 * ~/.pgpass.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "server/datadir.h"
#include "store/store.h"

int att_cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"store", required_argument, NULL, 's'},
		{"store-password-file", required_argument, NULL, 'P'},
		{"data-dir", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0}};
	const char *store = NULL, *dir = NULL;
	struct att_store_pg_opts pg = {.pool_size = 1};
	char path[4096], shown[ATT_PG_URL_MAX + 1];
	struct att_store *s = NULL;
	struct att_diag d = {0};
	int o, v = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 's')
			store = optarg;
		else if (o == 'P')
			pg.password_file = optarg;
		else if (o == 'D')
			dir = optarg;
		else
			goto usage;
	}
	if (optind != argc || !store == !dir)
		goto usage;
	if (store && att_store_url_has_password(store)) {
		fprintf(stderr, "attestd migrate: --store: the URL carries a "
				"password; give it in a file "
				"(--store-password-file FILE, PGPASSFILE or "
				"~/.pgpass), never on the command line\n");
		return 2;
	}
	if (dir && att_datadir_path(path, sizeof(path), dir, ATT_DATADIR_DB)) {
		fprintf(stderr, "attestd migrate: data dir path too long\n");
		return 2;
	}
	att_store_url_mask(shown, sizeof(shown), store ? store : path);
	if (att_store_open_url(&s, store ? store : path, &pg, &d) != 0 ||
	    att_store_schema_version(s, &v, &d) != 0) {
		fprintf(stderr, "attestd migrate: %s: %s\n", shown,
			att_diag_msg(&d));
		att_store_close(s);
		return 1;
	}
	printf("%s: %s store at schema version %d\n", shown, s->ops->name, v);
	att_store_close(s);
	return 0;
usage:
	fprintf(stderr, "usage: attestd migrate --store URL "
			"[--store-password-file FILE] | --data-dir DIR\n");
	return 2;
}
