/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store backend a store test runs against (header only): SQLite at a
 * path by default, PostgreSQL when ATT_TEST_PG_URL is set (ctest's
 * unit_store_*_pg tests run the same binaries through
 * tests/harness/with_pg.sh, which starts a server and sets it). The
 * test's own look at the database (att_tb_sql_int, att_tb_sql_exec) goes
 * to the same backend, outside the store.
 */
#ifndef ATT_TESTS_STORE_BACKEND_H
#define ATT_TESTS_STORE_BACKEND_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>

#include "store/store.h"

static const char *att_tb_sqlite_path;

/* att_tb_pg_url: the PostgreSQL URL, or NULL for SQLite. */
static inline const char *att_tb_pg_url(void)
{
	const char *u = getenv("ATT_TEST_PG_URL");
	return u && *u ? u : NULL;
}

static inline const char *att_tb_name(void)
{
	return att_tb_pg_url() ? "postgresql" : "sqlite";
}

/* att_tb_init names the SQLite database used when not on PostgreSQL. */
static inline void att_tb_init(const char *sqlite_path)
{
	att_tb_sqlite_path = sqlite_path;
}

static inline int att_tb_open(struct att_store **s, struct att_diag *d)
{
	const char *u = att_tb_pg_url();
	if (u)
		return att_store_open_pg(s, u, NULL, d);
	return att_store_open_sqlite(s, att_tb_sqlite_path, d);
}

/* att_tb_sql_int: the first column of the first row of sql as an int, -1
 * when there is none or the query fails. */
static inline int att_tb_sql_int(const char *sql)
{
	int v = -1;
	const char *u = att_tb_pg_url();
	if (u) {
		PGconn *c = PQconnectdb(u);
		PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql)
							   : NULL;
		if (r && PQresultStatus(r) == PGRES_TUPLES_OK &&
		    PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			v = atoi(PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(c);
		return v;
	}
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_open(att_tb_sqlite_path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* att_tb_sql_exec runs sql (several statements allowed): true when it
 * succeeded. */
static inline bool att_tb_sql_exec(const char *sql)
{
	const char *u = att_tb_pg_url();
	bool ok = false;
	if (u) {
		PGconn *c = PQconnectdb(u);
		PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql)
							   : NULL;
		ok = r && (PQresultStatus(r) == PGRES_COMMAND_OK ||
			   PQresultStatus(r) == PGRES_TUPLES_OK);
		PQclear(r);
		PQfinish(c);
		return ok;
	}
	sqlite3 *db = NULL;
	if (sqlite3_open(att_tb_sqlite_path, &db) == SQLITE_OK)
		ok = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	return ok;
}

#endif
