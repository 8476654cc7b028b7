/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd store copy --from sqlite://PATH|DATA_DIR --to postgresql://...
 * [--to-password-file FILE] [--force]: move a single node's store to
 * PostgreSQL (att_store_copy, docs/deployment.md "Moving a single node to
 * PostgreSQL"). Keys are copied wrapped, as stored; DATA_DIR/master.key
 * goes to every node by hand. Stop the node first: the copy is of what
 * the file holds when it starts.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/limits.h"
#include "server/datadir.h"
#include "store/store.h"

static void report(void *arg, const char *table, long long n)
{
	(void)arg;
	printf("  %-18s %lld rows\n", table, n);
}

/* source_path: a directory means its attestd.db. */
static int source_path(char *out, size_t len, const char *from)
{
	struct stat st;
	if (!strncmp(from, "sqlite://", 9))
		from += 9;
	if (stat(from, &st) == 0 && S_ISDIR(st.st_mode))
		return att_datadir_path(out, len, from, ATT_DATADIR_DB);
	if ((size_t)snprintf(out, len, "%s", from) >= len)
		return 1;
	return 0;
}

int att_cmd_store_copy(int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"to-password-file", required_argument, NULL, 'P'},
		{"force", no_argument, NULL, 'F'},
		{NULL, 0, NULL, 0}};
	const char *from = NULL, *to = NULL;
	struct att_store_pg_opts pg = {.pool_size = 2};
	struct att_store *src = NULL, *dst = NULL;
	struct att_diag d = {0};
	char path[4096], shown[ATT_PG_URL_MAX + 1];
	bool force = false;
	int o, rc = 1;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'f')
			from = optarg;
		else if (o == 't')
			to = optarg;
		else if (o == 'P')
			pg.password_file = optarg;
		else if (o == 'F')
			force = true;
		else
			goto usage;
	}
	if (optind != argc || !from || !to || !att_store_url_is_pg(to) ||
	    att_store_url_is_pg(from))
		goto usage;
	if (att_store_url_has_password(to)) {
		fprintf(stderr, "attestd store copy: --to: the URL carries a "
				"password; give it in a file "
				"(--to-password-file FILE, PGPASSFILE or "
				"~/.pgpass), never on the command line\n");
		return 2;
	}
	if (source_path(path, sizeof(path), from)) {
		fprintf(stderr, "attestd store copy: --from: path too long\n");
		return 2;
	}
	att_store_url_mask(shown, sizeof(shown), to);
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "attestd store copy: %s: no such store\n",
			path);
		return 1;
	}
	if (att_store_open_sqlite(&src, path, &d) != 0 ||
	    att_store_open_pg(&dst, to, &pg, &d) != 0) {
		fprintf(stderr, "attestd store copy: %s\n", att_diag_msg(&d));
		goto out;
	}
	printf("copying %s to %s\n", path, shown);
	if (att_store_copy(src, dst, force, report, NULL, &d) != 0) {
		fprintf(stderr, "attestd store copy: %s\n", att_diag_msg(&d));
		goto out;
	}
	printf("copied and verified: every table has the same number of rows "
	       "in %s\n",
	       shown);
	rc = 0;
out:
	att_store_close(src);
	att_store_close(dst);
	return rc;
usage:
	fprintf(stderr, "usage: attestd store copy --from sqlite://PATH|DATA_DIR "
			"--to postgresql://... [--to-password-file FILE] "
			"[--force]\n");
	return 2;
}
