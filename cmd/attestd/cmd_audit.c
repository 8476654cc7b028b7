/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd audit: list the audit log of a data dir, every change of a
 * provider's policies and policy management certificates (who, when,
 * which attestation type, which action, old and new hash or thumbprint),
 * oldest first, as a table or as JSON (--json). Only the store is opened
 * (read; never created), not the master key; it works while the server
 * runs (SQLite WAL).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "cmd_common.h"
#include "base/timeutil.h"
#include "server/datadir.h"
#include "store/store.h"

struct audit_args {
	const char *dir, *provider;
	int json;
};

static int parse(int argc, char **argv, struct audit_args *a)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'D'},
		{"provider", required_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'D')
			a->dir = optarg;
		else if (o == 'p')
			a->provider = optarg;
		else if (o == 'j')
			a->json = 1;
		else
			return -1;
	}
	return (a->dir || att_cli_store()) && optind == argc ? 0 : -1;
}

static int open_store(struct att_store **out, const char *dir,
		      struct att_diag *d)
{
	char path[4096];
	if (att_cli_store()) {
		struct att_store_pg_opts pg = {
			.pool_size = 1,
			.password_file = att_cli_store_password_file()};
		return att_store_open_url(out, att_cli_store(), &pg, d);
	}
	int r = att_datadir_path(path, sizeof(path), dir, ATT_DATADIR_DB);
	if (r)
		return att_diag_set(d, r, "data dir path too long");
	if (access(path, R_OK) != 0)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "%s: no store (not an attestd data dir?)",
				    path);
	return att_store_open_sqlite(out, path, d);
}

/* entry_json is one record as JSON (nulls for missing fields). */
static json_t *entry_json(const struct att_store_audit *e)
{
	char ts[32];
	att_time_format(ts, sizeof(ts), e->time);
	return json_pack("{s:I, s:s, s:s, s:I, s:s?, s:s, s:s?, s:s?, s:s?}",
			 "id", (json_int_t)e->id, "provider", e->provider,
			 "time", ts, "time_unix", (json_int_t)e->time, "actor",
			 e->actor, "action", e->action, "type", e->type,
			 "old_hash", e->old_hash, "new_hash", e->new_hash);
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static void print_table(const struct att_store_audit *v, size_t n)
{
	printf("%-5s %-20s %-12s %-26s %-11s %-43s %-43s %s\n", "ID", "TIME",
	       "PROVIDER", "ACTION", "TYPE", "OLD", "NEW", "ACTOR");
	for (size_t i = 0; i < n; i++) {
		char ts[32];
		att_time_format(ts, sizeof(ts), v[i].time);
		printf("%-5lld %-20s %-12s %-26s %-11s %-43s %-43s %s\n",
		       (long long)v[i].id, ts, dash(v[i].provider),
		       dash(v[i].action), dash(v[i].type), dash(v[i].old_hash),
		       dash(v[i].new_hash), dash(v[i].actor));
	}
}

static int by_id(const void *a, const void *b)
{
	const struct att_store_audit *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

/* collect appends provider's records to *v (grown as needed). */
static int collect(struct att_store *s, const char *provider,
		   struct att_store_audit **v, size_t *n, struct att_diag *d)
{
	struct att_store_audit *part = NULL;
	size_t m = 0;
	int r = att_store_audit_list(s, provider, &part, &m, d);
	if (r || m == 0)
		return r;
	struct att_store_audit *nv = realloc(*v, (*n + m) * sizeof(*nv));
	if (!nv) {
		att_store_audit_list_free(part, m);
		return ATT_ERR_NOMEM;
	}
	memcpy(nv + *n, part, m * sizeof(*part));
	free(part); /* members transferred */
	*v = nv;
	*n += m;
	return 0;
}

static int gather(struct att_store *s, const char *provider,
		  struct att_store_audit **v, size_t *n, struct att_diag *d)
{
	struct att_store_provider *pv = NULL, one = {0};
	size_t np = 0;
	int r;
	if (provider) {
		r = att_store_provider_get(s, provider, &one, d);
		if (r == ATT_ERR_NOT_FOUND)
			r = att_diag_set(d, r, "no provider '%s'", provider);
		if (!r)
			r = collect(s, provider, v, n, d);
		att_store_provider_release(&one);
		return r;
	}
	r = att_store_provider_list(s, &pv, &np, d);
	for (size_t i = 0; !r && i < np; i++)
		r = collect(s, pv[i].name, v, n, d);
	att_store_provider_list_free(pv, np);
	if (!r && *n)
		qsort(*v, *n, sizeof(**v), by_id);
	return r;
}

static int print_json(const struct att_store_audit *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, entry_json(&v[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	char *s = arr ? json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
		      : NULL;
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(arr);
	return s ? 0 : 1;
}

int att_cmd_audit(int argc, char **argv)
{
	struct audit_args a = {0};
	struct att_store *s = NULL;
	struct att_store_audit *v = NULL;
	struct att_diag d = {0};
	size_t n = 0;
	int rc = 1;
	if (parse(argc, argv, &a) != 0) {
		fprintf(stderr, "usage: attestd audit --data-dir DIR "
				"[--provider NAME] [--json]\n");
		return 2;
	}
	if (open_store(&s, a.dir, &d) != 0 ||
	    gather(s, a.provider, &v, &n, &d) != 0) {
		fprintf(stderr, "attestd audit: %s\n", att_diag_msg(&d));
		goto out;
	}
	if (a.json)
		rc = print_json(v, n);
	else {
		print_table(v, n);
		rc = 0;
	}
out:
	att_store_audit_list_free(v, n);
	att_store_close(s);
	return rc;
}
