/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statement, transaction and column helpers for the SQLite backend, so that
 * each query function reads as prepare / bind / step / finalize with one
 * error path.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "store/sqlite_int.h"
#include "store/store.h"

int att_sq_err(sqlite3 *db, int rc, const char *what, struct att_diag *d)
{
	int err = ATT_ERR_STORE;
	int prim = rc & 0xff;
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
		err = ATT_ERR_EXISTS;
	else if (prim == SQLITE_NOMEM)
		err = ATT_ERR_NOMEM;
	return att_diag_set(d, err, "store: %s: %s", what,
			    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

int att_sq_exec(sqlite3 *db, const char *sql, struct att_diag *d)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : att_sq_err(db, rc, "exec", d);
}

int att_sq_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql,
		   struct att_diag *d)
{
	*st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
	return rc == SQLITE_OK ? 0 : att_sq_err(db, rc, "prepare", d);
}

int att_sq_step_done(sqlite3 *db, sqlite3_stmt *st, const char *what,
		     struct att_diag *d)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	return att_sq_err(db, sqlite3_extended_errcode(db), what, d);
}

int att_sq_begin(sqlite3 *db, struct att_diag *d)
{
	/* IMMEDIATE takes the write lock now, so a busy database waits
	 * (busy timeout) here instead of failing half-way. */
	return att_sq_exec(db, "BEGIN IMMEDIATE", d);
}

int att_sq_commit(sqlite3 *db, struct att_diag *d)
{
	int r = att_sq_exec(db, "COMMIT", d);
	if (r)
		att_sq_rollback(db);
	return r;
}

void att_sq_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int att_sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int att_sq_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n)
{
	if (!p)
		return sqlite3_bind_zeroblob(st, i, 0);
	return sqlite3_bind_blob64(st, i, p, n, SQLITE_TRANSIENT);
}

char *att_sq_col_text(sqlite3_stmt *st, int i, int *err)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	char *s = strdup((const char *)t);
	if (!s)
		*err = ATT_ERR_NOMEM;
	return s;
}

uint8_t *att_sq_col_blob(sqlite3_stmt *st, int i, size_t *len, int *err)
{
	const void *p = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	*len = 0;
	uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
	if (!b) {
		*err = ATT_ERR_NOMEM;
		return NULL;
	}
	if (n > 0 && p)
		memcpy(b, p, (size_t)n);
	*len = n > 0 ? (size_t)n : 0;
	return b;
}

int att_sq_audit_insert(sqlite3 *db, const struct att_store_audit *a,
			struct att_diag *d)
{
	if (!a)
		return 0;
	sqlite3_stmt *st = NULL;
	int r = att_sq_prepare(db, &st,
			       "INSERT INTO audit_log(provider, time, actor,"
			       " action, type, old_hash, new_hash)"
			       " VALUES (?,?,?,?,?,?,?)",
			       d);
	if (r)
		return r;
	att_sq_bind_text(st, 1, a->provider);
	sqlite3_bind_int64(st, 2, a->time);
	att_sq_bind_text(st, 3, a->actor);
	att_sq_bind_text(st, 4, a->action);
	att_sq_bind_text(st, 5, a->type);
	att_sq_bind_text(st, 6, a->old_hash);
	att_sq_bind_text(st, 7, a->new_hash);
	r = att_sq_step_done(db, st, "insert audit record", d);
	sqlite3_finalize(st);
	return r;
}
