/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store backend: opening (WAL mode, busy timeout, foreign keys,
 * migrations; the database and its -wal/-shm files are 0600), providers
 * and signing keys. Policies, policy certificates, the audit log and the
 * collateral cache are in sqlite_data.c. Every op takes the backend mutex
 * for its whole duration (its kept statements are used and reset under
 * it), and every write is one BEGIN IMMEDIATE ... COMMIT transaction that
 * is rolled back on any error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "store/sqlite_int.h"
#include "store/store.h"

int att_sq_grow(void **v, size_t *cap, size_t n, size_t elsize)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*v, ncap * elsize);
	if (!p)
		return ATT_ERR_NOMEM;
	memset((char *)p + *cap * elsize, 0, (ncap - *cap) * elsize);
	*v = p;
	*cap = ncap;
	return 0;
}

/* configure switches the database to WAL mode; an in-memory database
 * (":memory:", libattest's private store) keeps its "memory" journal. */
static int configure(sqlite3 *db, bool in_memory, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r;
	sqlite3_busy_timeout(db, ATT_STORE_BUSY_TIMEOUT_MS);
	if ((r = att_sq_prepare(db, &st, "PRAGMA journal_mode=WAL", d)) != 0)
		return r;
	int rc = sqlite3_step(st);
	const unsigned char *mode =
		rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (!mode || (strcmp((const char *)mode, "wal") != 0 &&
		      !(in_memory && !strcmp((const char *)mode, "memory"))))
		r = att_diag_set(d, ATT_ERR_STORE,
				 "store: cannot switch the database to WAL "
				 "mode (journal_mode is %s)",
				 mode ? (const char *)mode : "unknown");
	sqlite3_finalize(st);
	if (r)
		return r;
	if ((r = att_sq_exec(db, "PRAGMA foreign_keys=ON", d)) != 0)
		return r;
	return att_sq_exec(db, "PRAGMA synchronous=NORMAL", d);
}

/* is_file_path: path names a file (not ":memory:" or a "file:" URI). */
static bool is_file_path(const char *path)
{
	return path[0] && strcmp(path, ":memory:") != 0 &&
	       strncmp(path, "file:", 5) != 0;
}

/* create_private creates the database file 0600 before SQLite does (it
 * would use 0644 less the umask); the -wal and -shm files SQLite makes
 * later take the database file's mode. An existing file is left alone. */
static void create_private(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		close(fd);
}

/* make_private narrows path+suffix to 0600 when it exists with group or
 * other bits (a store made by an older attestd). */
static int make_private(const char *path, const char *suffix,
			struct att_diag *d)
{
	char p[4200];
	struct stat st;
	int n = snprintf(p, sizeof(p), "%s%s", path, suffix);
	if (n < 0 || (size_t)n >= sizeof(p))
		return att_diag_set(d, ATT_ERR_LIMIT, "store: path too long");
	if (stat(p, &st) != 0 || (st.st_mode & 077) == 0)
		return 0;
	if (chmod(p, 0600) != 0)
		return att_diag_set(d, ATT_ERR_IO,
				    "store: cannot make %s private (mode 0600): "
				    "%s",
				    p, strerror(errno));
	return 0;
}

static int make_store_private(const char *path, struct att_diag *d)
{
	int r;
	if (!is_file_path(path))
		return 0;
	if ((r = make_private(path, "", d)) != 0 ||
	    (r = make_private(path, "-wal", d)) != 0)
		return r;
	return make_private(path, "-shm", d);
}

int att_store_open_sqlite(struct att_store **out, const char *path,
			  struct att_diag *d)
{
	struct att_store *s = NULL;
	struct att_sq *sq = NULL;
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))) || !(sq = calloc(1, sizeof(*sq))))
		goto out;
	if (is_file_path(path))
		create_private(path);
	int rc = sqlite3_open_v2(path, &sq->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					 SQLITE_OPEN_FULLMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		r = att_diag_set(d, ATT_ERR_STORE, "store: cannot open %s: %s",
				 path, sq->db ? sqlite3_errmsg(sq->db)
					      : sqlite3_errstr(rc));
		goto out;
	}
	if ((r = configure(sq->db, !strcmp(path, ":memory:"), d)) != 0 ||
	    (r = att_sq_migrate(sq->db, d)) != 0 ||
	    (r = make_store_private(path, d)) != 0)
		goto out;
	pthread_mutex_init(&sq->mu, NULL);
	s->ops = &att_sq_ops;
	s->impl = sq;
	sq = NULL; /* transferred */
	*out = s;
	s = NULL; /* transferred */
out:
	if (sq)
		sqlite3_close(sq->db);
	free(sq);
	free(s);
	return r;
}

void att_sq_close(void *impl)
{
	struct att_sq *s = impl;
	if (!s)
		return;
	att_sq_stmt_free_all(s);
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

int att_sq_ping(void *impl, struct att_diag *d)
{
	struct att_sq *s = impl;
	pthread_mutex_lock(&s->mu);
	int v = 0;
	int r = att_sq_version(s->db, &v, d);
	pthread_mutex_unlock(&s->mu);
	return r;
}

int att_sq_schema_version(void *impl, int *out, struct att_diag *d)
{
	struct att_sq *s = impl;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_version(s->db, out, d);
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* ---- providers ---- */

int att_sq_provider_add(void *impl, const struct att_store_provider *p,
			struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (r)
		goto out;
	if ((r = att_sq_stmt(s, &st,
			     "INSERT INTO providers(name, base_url, mode,"
			     " key_type, auth_json, created, key_gen)"
			     " VALUES (?,?,?,?,?,?,0)",
			     d)) != 0)
		goto out;
	att_sq_bind_text(st, 1, p->name);
	att_sq_bind_text(st, 2, p->base_url);
	att_sq_bind_text(st, 3, p->mode);
	att_sq_bind_text(st, 4, p->key_type);
	att_sq_bind_text(st, 5, p->auth_json);
	sqlite3_bind_int64(st, 6, p->created);
	if ((r = att_sq_step_done(s->db, st, "insert provider", d)) != 0)
		goto out;
	r = att_sq_commit(s->db, d);
out:
	att_sq_stmt_done(s, st);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

#define PROVIDER_COLS "name, base_url, mode, key_type, auth_json, created, key_gen"

static int read_provider(sqlite3_stmt *st, struct att_store_provider *p)
{
	int err = 0;
	p->name = att_sq_col_text(st, 0, &err);
	p->base_url = att_sq_col_text(st, 1, &err);
	p->mode = att_sq_col_text(st, 2, &err);
	p->key_type = att_sq_col_text(st, 3, &err);
	p->auth_json = att_sq_col_text(st, 4, &err);
	p->created = sqlite3_column_int64(st, 5);
	p->key_gen = sqlite3_column_int64(st, 6);
	if (err)
		att_store_provider_release(p);
	return err;
}

int att_sq_provider_get(void *impl, const char *name,
			struct att_store_provider *out, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT " PROVIDER_COLS
			    " FROM providers WHERE name = ?",
			    d);
	if (r)
		goto out;
	att_sq_bind_text(st, 1, name);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = read_provider(st, out);
	else if (rc == SQLITE_DONE)
		r = att_diag_set(d, ATT_ERR_NOT_FOUND,
				 "store: no provider named '%s'", name);
	else
		r = att_sq_err(s->db, rc, "read provider", d);
out:
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

int att_sq_provider_list(void *impl, struct att_store_provider **out,
			 size_t *n, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	struct att_store_provider *v = NULL;
	size_t cap = 0, cnt = 0;
	int rc;
	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT " PROVIDER_COLS
			    " FROM providers ORDER BY name",
			    d);
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = att_sq_grow((void **)&v, &cap, cnt, sizeof(*v))) ||
		    (r = read_provider(st, &v[cnt])))
			break;
		cnt++;
	}
	if (!r && rc != SQLITE_DONE)
		r = att_sq_err(s->db, rc, "list providers", d);
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	if (r) {
		att_store_provider_list_free(v, cnt);
		return r;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int att_sq_provider_set_auth(void *impl, const char *name,
			     const char *auth_json, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (r)
		goto out;
	if ((r = att_sq_stmt(s, &st,
			     "UPDATE providers SET auth_json = ?"
			     " WHERE name = ?",
			     d)) != 0)
		goto out;
	att_sq_bind_text(st, 1, auth_json);
	att_sq_bind_text(st, 2, name);
	if ((r = att_sq_step_done(s->db, st, "update provider", d)) != 0)
		goto out;
	if (sqlite3_changes(s->db) != 1) {
		r = att_diag_set(d, ATT_ERR_NOT_FOUND,
				 "store: no provider named '%s'", name);
		goto out;
	}
	r = att_sq_commit(s->db, d);
out:
	att_sq_stmt_done(s, st);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* ---- signing keys ---- */

static int key_insert(struct att_sq *s, const struct att_store_key *k,
		      struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st,
			    "INSERT INTO keys(provider, kid, alg, wrapped,"
			    " cert_pem, created, retired_at, active)"
			    " VALUES (?,?,?,?,?,?,0,1)",
			    d);
	if (r)
		return r;
	att_sq_bind_text(st, 1, k->provider);
	att_sq_bind_text(st, 2, k->kid);
	att_sq_bind_text(st, 3, k->alg);
	att_sq_bind_blob(st, 4, k->wrapped, k->wrapped_len);
	att_sq_bind_text(st, 5, k->cert_pem);
	sqlite3_bind_int64(st, 6, k->created);
	r = att_sq_step_done(s->db, st, "insert key", d);
	att_sq_stmt_done(s, st);
	return r;
}

static int exec_provider_stmt(struct att_sq *s, const char *sql, int64_t v,
			      const char *provider, const char *what,
			      struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st, sql, d);
	if (r)
		return r;
	sqlite3_bind_int64(st, 1, v);
	att_sq_bind_text(st, 2, provider);
	r = att_sq_step_done(s->db, st, what, d);
	att_sq_stmt_done(s, st);
	return r;
}

int att_sq_key_add(void *impl, const struct att_store_key *k,
		   int64_t retire_at, struct att_diag *d)
{
	struct att_sq *s = impl;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (r)
		goto out;
	/* Retire first, then insert: if the insert fails (duplicate kid,
	 * unknown provider) the rollback also undoes the retirement. */
	if ((r = exec_provider_stmt(s,
				    "UPDATE keys SET active = 0, retired_at = ?"
				    " WHERE provider = ? AND active = 1",
				    retire_at, k->provider, "retire keys",
				    d)) != 0 ||
	    (r = key_insert(s, k, d)) != 0 ||
	    (r = exec_provider_stmt(s,
				    "UPDATE providers SET key_gen = key_gen + ?"
				    " WHERE name = ?",
				    1, k->provider, "bump key generation",
				    d)) != 0)
		goto out;
	r = att_sq_commit(s->db, d);
out:
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int read_key(sqlite3_stmt *st, struct att_store_key *k)
{
	int err = 0;
	k->id = sqlite3_column_int64(st, 0);
	k->provider = att_sq_col_text(st, 1, &err);
	k->kid = att_sq_col_text(st, 2, &err);
	k->alg = att_sq_col_text(st, 3, &err);
	k->wrapped = att_sq_col_blob(st, 4, &k->wrapped_len, &err);
	k->cert_pem = att_sq_col_text(st, 5, &err);
	k->created = sqlite3_column_int64(st, 6);
	k->retired_at = sqlite3_column_int64(st, 7);
	k->active = sqlite3_column_int(st, 8) != 0;
	if (err)
		att_store_key_release(k);
	return err;
}

int att_sq_key_list(void *impl, const char *provider,
		    struct att_store_key **out, size_t *n, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	struct att_store_key *v = NULL;
	size_t cap = 0, cnt = 0;
	int rc;
	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT id, provider, kid, alg, wrapped,"
			    " cert_pem, created, retired_at, active"
			    " FROM keys WHERE provider = ? ORDER BY id",
			    d);
	if (!r)
		att_sq_bind_text(st, 1, provider);
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = att_sq_grow((void **)&v, &cap, cnt, sizeof(*v))) ||
		    (r = read_key(st, &v[cnt])))
			break;
		cnt++;
	}
	if (!r && rc != SQLITE_DONE)
		r = att_sq_err(s->db, rc, "list keys", d);
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	if (r) {
		att_store_key_list_free(v, cnt);
		return r;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int att_sq_key_gen(void *impl, const char *provider, int64_t *out,
		   struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT key_gen FROM providers WHERE name = ?",
			    d);
	if (r)
		goto out;
	att_sq_bind_text(st, 1, provider);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		r = att_diag_set(d, ATT_ERR_NOT_FOUND,
				 "store: no provider named '%s'", provider);
	else
		r = att_sq_err(s->db, rc, "read key generation", d);
out:
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

int att_sq_change_version(void *impl, int64_t *out, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st, "SELECT version FROM changes WHERE id = 1",
			    d);
	if (r)
		goto out;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		r = rc == SQLITE_DONE
			    ? att_diag_set(d, ATT_ERR_STORE,
					   "store: the changes table has no row")
			    : att_sq_err(s->db, rc, "read the change version",
					 d);
out:
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}
