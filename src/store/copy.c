/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd store copy (store.h att_store_copy, docs/deployment.md "Moving
 * a single node to PostgreSQL"): every table of a SQLite store, row by
 * row and column by column as stored (wrapped keys stay the bytes they
 * are: nothing is unwrapped, no master key is needed), into a PostgreSQL
 * store at the same schema version, in one transaction of the target;
 * then each table's row count is compared. Both stores were migrated to
 * the latest version when they were opened, so their tables and columns
 * are the same (migrate.c, pg_migrate.c); the identity sequences of the
 * target are moved past the copied ids. The change version is the
 * target's own (its triggers moved it while the rows went in).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "store/pg_int.h"
#include "store/sqlite_int.h"
#include "store/store.h"

/* The tables in an order that satisfies the foreign keys; those with an
 * identity column name it. */
static const struct {
	const char *name;
	const char *identity;
} tables[] = {
	{"providers", NULL},	     {"keys", "id"},
	{"policies", NULL},	     {"policy_iat", NULL},
	{"policy_certs", NULL},	     {"audit_log", "id"},
	{"collateral_cache", NULL},  {"tpm_settings", NULL},
	{"tpm_certs", NULL},	     {"tpm_aik_ca", NULL},
	{"tpm_enrolments", NULL},    {"tpm_ctx_keys", NULL},
	{"tpm_used_contexts", NULL}, {"tpm_imports", "id"},
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

struct copy {
	struct att_sq *from;
	bool force;
	long long copied[N_TABLES];
};

static int pg_fail(PGconn *c, PGresult *res, const char *what,
		   const char *table, struct att_diag *d)
{
	int r = att_diag_set(d, ATT_ERR_STORE, "store copy: %s %s: %s", what,
			     table, res ? PQresultErrorMessage(res)
					: PQerrorMessage(c));
	PQclear(res);
	return r;
}

static int pg_count(PGconn *c, const char *table, long long *n,
		    struct att_diag *d)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	PGresult *res = PQexec(c, sql);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_fail(c, res, "count", table, d);
	*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static int pg_cmd(PGconn *c, const char *sql, const char *what,
		  const char *table, struct att_diag *d)
{
	PGresult *res = PQexec(c, sql);
	if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK &&
		     PQresultStatus(res) != PGRES_TUPLES_OK))
		return pg_fail(c, res, what, table, d);
	PQclear(res);
	return 0;
}

/* empty_target refuses rows in the target, or deletes them (force). */
static int empty_target(PGconn *c, bool force, struct att_diag *d)
{
	long long total = 0, n = 0;
	for (size_t i = 0; i < N_TABLES; i++) {
		int r = pg_count(c, tables[i].name, &n, d);
		if (r)
			return r;
		total += n;
	}
	if (total && !force)
		return att_diag_set(d, ATT_ERR_EXISTS,
				    "store copy: the target holds %lld rows "
				    "already (--force deletes them first)",
				    total);
	for (size_t i = N_TABLES; total && i-- > 0;) {
		char sql[96];
		snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i].name);
		int r = pg_cmd(c, sql, "clear", tables[i].name, d);
		if (r)
			return r;
	}
	return 0;
}

/* insert_sql builds "INSERT INTO t(c...) VALUES ($1...)" from the
 * source statement's columns. */
static int insert_sql(char *out, size_t len, const char *table,
		      sqlite3_stmt *st, struct att_diag *d)
{
	int n = sqlite3_column_count(st), k;
	if (n < 1 || n > ATT_STORE_COPY_MAX_COLS)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "store copy: %s has %d columns", table, n);
	size_t at = (size_t)snprintf(out, len, "INSERT INTO %s(", table);
	for (k = 0; k < n && at < len; k++)
		at += (size_t)snprintf(out + at, len - at, "%s%s",
				       k ? "," : "",
				       sqlite3_column_name(st, k));
	for (k = 0; k < n && at < len; k++)
		at += (size_t)snprintf(out + at, len - at, "%s$%d",
				       k ? "," : ") VALUES (", k + 1);
	if (at < len)
		at += (size_t)snprintf(out + at, len - at, ")");
	if (at >= len)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "store copy: %s: statement too long",
				    table);
	return 0;
}

/* copy_row sends the current source row. */
static int copy_row(PGconn *c, const char *sql, const char *table,
		    sqlite3_stmt *st, struct att_diag *d)
{
	const char *v[ATT_STORE_COPY_MAX_COLS];
	int len[ATT_STORE_COPY_MAX_COLS], fmt[ATT_STORE_COPY_MAX_COLS];
	char num[ATT_STORE_COPY_MAX_COLS][32];
	int n = sqlite3_column_count(st);
	for (int k = 0; k < n; k++) {
		int t = sqlite3_column_type(st, k);
		len[k] = 0;
		fmt[k] = 0;
		if (t == SQLITE_NULL) {
			v[k] = NULL;
		} else if (t == SQLITE_INTEGER) {
			snprintf(num[k], sizeof(num[k]), "%" PRId64,
				 (int64_t)sqlite3_column_int64(st, k));
			v[k] = num[k];
		} else if (t == SQLITE_BLOB) {
			v[k] = sqlite3_column_blob(st, k);
			len[k] = sqlite3_column_bytes(st, k);
			fmt[k] = 1;
			if (!v[k])
				v[k] = ""; /* an empty blob is not NULL */
		} else {
			v[k] = (const char *)sqlite3_column_text(st, k);
		}
	}
	PGresult *res = PQexecParams(c, sql, n, NULL, v, len, fmt, 0);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_fail(c, res, "insert into", table, d);
	PQclear(res);
	return 0;
}

static int copy_table(struct copy *cp, PGconn *c, size_t i,
		      struct att_diag *d)
{
	char sql[1024], sel[96];
	sqlite3_stmt *st = NULL;
	const char *table = tables[i].name;
	snprintf(sel, sizeof(sel), "SELECT * FROM %s ORDER BY rowid", table);
	int r = att_sq_prepare(cp->from->db, &st, sel, d);
	if (!r)
		r = insert_sql(sql, sizeof(sql), table, st, d);
	int rc = SQLITE_ROW;
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = copy_row(c, sql, table, st, d)) == 0)
			cp->copied[i]++;
	}
	if (!r && rc != SQLITE_DONE)
		r = att_sq_err(cp->from->db, rc, "read the source", d);
	sqlite3_finalize(st);
	if (!r && tables[i].identity) {
		snprintf(sql, sizeof(sql),
			 "SELECT setval(pg_get_serial_sequence('%s', '%s'),"
			 " coalesce((SELECT max(%s) FROM %s), 0) + 1, false)",
			 table, tables[i].identity, tables[i].identity, table);
		r = pg_cmd(c, sql, "move the identity of", table, d);
	}
	return r;
}

static int copy_tx(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		   struct att_diag *d)
{
	struct copy *cp = arg;
	(void)pg;
	memset(cp->copied, 0, sizeof(cp->copied));
	/* One writer at a time: a node writing meanwhile would be lost. */
	int r = pg_cmd(s->conn, "LOCK TABLE providers IN EXCLUSIVE MODE",
		       "lock", "providers", d);
	if (!r)
		r = empty_target(s->conn, cp->force, d);
	for (size_t i = 0; !r && i < N_TABLES; i++)
		r = copy_table(cp, s->conn, i, d);
	return r;
}

static int sq_count(struct att_sq *sq, const char *table, long long *n,
		    struct att_diag *d)
{
	char sql[96];
	sqlite3_stmt *st = NULL;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	int r = att_sq_prepare(sq->db, &st, sql, d);
	if (!r && sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else if (!r)
		r = att_sq_err(sq->db, sqlite3_errcode(sq->db), "count", d);
	sqlite3_finalize(st);
	return r;
}

struct verify_arg {
	struct copy *cp;
	void (*report)(void *arg, const char *table, long long n);
	void *arg;
};

static int verify_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		     struct att_diag *d)
{
	struct verify_arg *v = arg;
	(void)pg;
	for (size_t i = 0; i < N_TABLES; i++) {
		long long want = 0, got = 0;
		int r = sq_count(v->cp->from, tables[i].name, &want, d);
		if (!r)
			r = pg_count(s->conn, tables[i].name, &got, d);
		if (r)
			return r;
		if (want != got || got != v->cp->copied[i])
			return att_diag_set(d, ATT_ERR_MISMATCH,
					    "store copy: %s has %lld rows in "
					    "the source, %lld in the target",
					    tables[i].name, want, got);
		if (v->report)
			v->report(v->arg, tables[i].name, got);
	}
	return 0;
}

int att_store_copy(struct att_store *from, struct att_store *to, bool force,
		   void (*report)(void *arg, const char *table, long long n),
		   void *arg, struct att_diag *d)
{
	if (from->ops != &att_sq_ops || to->ops != &att_pg_ops)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "store copy: from a SQLite store to a "
				    "PostgreSQL store only (not %s to %s)",
				    from->ops->name, to->ops->name);
	struct copy cp = {.from = from->impl, .force = force};
	struct verify_arg v = {.cp = &cp, .report = report, .arg = arg};
	/* The source stays locked for the whole copy: the counts compared
	 * afterwards are of the rows that were copied. */
	pthread_mutex_lock(&cp.from->mu);
	int r = att_sq_exec(cp.from->db, "BEGIN", d);
	if (!r) {
		r = att_pg_tx(to->impl, copy_tx, &cp, true, d);
		if (!r)
			r = att_pg_read(to->impl, verify_rd, &v, d);
		att_sq_exec(cp.from->db, "COMMIT", NULL);
	}
	pthread_mutex_unlock(&cp.from->mu);
	return r;
}
