/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statement, transaction and column helpers for the SQLite backend, so that
 * each query function reads as get statement / bind / step / done with one
 * error path. Statements are kept per connection (att_sq_stmt): a hit is a
 * pointer comparison and a reset instead of parsing the SQL again.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "store/sqlite_int.h"
#include "store/sqlite_writes.h"
#include "store/store.h"

static uint64_t write_count; /* atomic */

uint64_t att_store_sqlite_write_count(void)
{
	return __atomic_load_n(&write_count, __ATOMIC_ACQUIRE);
}

void att_store_write_count_bump(void)
{
	__atomic_add_fetch(&write_count, 1, __ATOMIC_RELEASE);
}

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

/* find_stmt looks sql up among the kept statements: by the caller's
 * pointer first (every caller passes a literal), then by text; the text
 * always decides, so a reused address never matches another query. */
static sqlite3_stmt *find_stmt(struct att_sq *s, const char *sql)
{
	for (size_t i = 0; i < s->n_stmts; i++)
		if (s->stmt_keys[i] == sql &&
		    !strcmp(sqlite3_sql(s->stmts[i]), sql))
			return s->stmts[i];
	for (size_t i = 0; i < s->n_stmts; i++)
		if (!strcmp(sqlite3_sql(s->stmts[i]), sql)) {
			s->stmt_keys[i] = sql;
			return s->stmts[i];
		}
	return NULL;
}

int att_sq_stmt(struct att_sq *s, sqlite3_stmt **st, const char *sql,
		struct att_diag *d)
{
	*st = find_stmt(s, sql);
	if (*st) {
		sqlite3_reset(*st); /* normally a no-op: done resets */
		return 0;
	}
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    st, NULL);
	if (rc != SQLITE_OK) {
		*st = NULL;
		return att_sq_err(s->db, rc, "prepare", d);
	}
	if (s->n_stmts < ATT_SQ_STMT_CACHE) {
		s->stmts[s->n_stmts] = *st;
		s->stmt_keys[s->n_stmts++] = sql;
	}
	return 0;
}

void att_sq_stmt_done(struct att_sq *s, sqlite3_stmt *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < s->n_stmts; i++)
		if (s->stmts[i] == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st);
}

void att_sq_stmt_free_all(struct att_sq *s)
{
	for (size_t i = 0; i < s->n_stmts; i++)
		sqlite3_finalize(s->stmts[i]);
	s->n_stmts = 0;
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
	else
		att_store_write_count_bump();
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

/* An audit record's time: the caller's, or the previous record's when
 * that is later, so the log's times never go back as its ids increase
 * (the write lock of the transaction orders the records; pg_int.h
 * ATT_PG_AUDIT_TIME is the same rule for several nodes). */
#define ATT_SQ_AUDIT_TIME                                                     \
	"max(?, coalesce((SELECT time FROM audit_log ORDER BY id DESC"         \
	" LIMIT 1), -9223372036854775807))"

int att_sq_audit_insert_policy(struct att_sq *s,
			       const struct att_store_audit *a,
			       const char *provider, const char *type,
			       struct att_diag *d)
{
	if (!a)
		return 0;
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st,
			    "INSERT INTO audit_log(provider, time, actor,"
			    " action, type, old_hash, new_hash)"
			    " VALUES (?," ATT_SQ_AUDIT_TIME ",?,?,?,"
			    "(SELECT hash FROM policies"
			    " WHERE provider = ? AND type = ?),?)",
			    d);
	if (r)
		return r;
	att_sq_bind_text(st, 1, a->provider);
	sqlite3_bind_int64(st, 2, a->time);
	att_sq_bind_text(st, 3, a->actor);
	att_sq_bind_text(st, 4, a->action);
	att_sq_bind_text(st, 5, a->type);
	att_sq_bind_text(st, 6, provider);
	att_sq_bind_text(st, 7, type);
	att_sq_bind_text(st, 8, a->new_hash);
	r = att_sq_step_done(s->db, st, "insert audit record", d);
	att_sq_stmt_done(s, st);
	return r;
}

int att_sq_audit_insert(struct att_sq *s, const struct att_store_audit *a,
			struct att_diag *d)
{
	if (!a)
		return 0;
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st,
			    "INSERT INTO audit_log(provider, time, actor,"
			    " action, type, old_hash, new_hash)"
			    " VALUES (?," ATT_SQ_AUDIT_TIME ",?,?,?,?,?)",
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
	r = att_sq_step_done(s->db, st, "insert audit record", d);
	att_sq_stmt_done(s, st);
	return r;
}
