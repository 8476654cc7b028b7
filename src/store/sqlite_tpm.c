/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite backend, part three: a provider's TPM state (store.h,
 * docs/tpm.md): settings, trusted certificates, the AIK CA, enrolments,
 * the context-key seed, the used-context replay set and the import of a
 * pre-store TPM directory. Every write is one BEGIN IMMEDIATE ... COMMIT
 * transaction, rolled back on any error.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "store/sqlite_int.h"
#include "store/store.h"

/* ---- helpers ---- */

/* write_one runs one kept write statement in its own transaction; bind
 * fills its parameters. */
typedef void (*bind_fn)(sqlite3_stmt *st, const void *arg);

static int write_one(struct att_sq *s, const char *sql, bind_fn bind,
		     const void *arg, const char *what, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (!r && !(r = att_sq_stmt(s, &st, sql, d))) {
		bind(st, arg);
		r = att_sq_step_done(s->db, st, what, d);
	}
	att_sq_stmt_done(s, st);
	if (!r)
		r = att_sq_commit(s->db, d);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* ---- settings ---- */

int att_sq_tpm_settings_get(void *impl, const char *provider, char **json,
			    struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	int err = 0;
	*json = NULL;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(
	    s, &st, "SELECT json FROM tpm_settings WHERE provider = ?", d);
	if (!r) {
		att_sq_bind_text(st, 1, provider);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			r = (*json = att_sq_col_text(st, 0, &err)) ? err
								   : ATT_ERR_NOMEM;
		else if (rc == SQLITE_DONE)
			r = ATT_ERR_NOT_FOUND;
		else
			r = att_sq_err(s->db, rc, "read tpm settings", d);
	}
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

struct settings_arg {
	const char *provider, *json;
};

static void bind_settings(sqlite3_stmt *st, const void *arg)
{
	const struct settings_arg *a = arg;
	att_sq_bind_text(st, 1, a->provider);
	if (a->json)
		att_sq_bind_text(st, 2, a->json);
}

int att_sq_tpm_settings_put(void *impl, const char *provider, const char *json,
			    struct att_diag *d)
{
	struct settings_arg a = {provider, json};
	return write_one(impl,
			 json ? "INSERT INTO tpm_settings(provider, json,"
				" updated) VALUES (?, ?, strftime('%s','now'))"
				" ON CONFLICT(provider) DO UPDATE SET"
				" json = excluded.json,"
				" updated = excluded.updated"
			      : "DELETE FROM tpm_settings WHERE provider = ?",
			 bind_settings, &a, "write tpm settings", d);
}

/* ---- trusted certificates ---- */

static const char cert_insert[] =
    "INSERT INTO tpm_certs(provider, kind, name, pem, added)"
    " VALUES (?,?,?,?,?)";

static void bind_cert(sqlite3_stmt *st, const void *arg)
{
	const struct att_store_tpm_cert *c = arg;
	att_sq_bind_text(st, 1, c->provider);
	att_sq_bind_text(st, 2, c->kind);
	att_sq_bind_text(st, 3, c->name);
	att_sq_bind_text(st, 4, c->pem);
	sqlite3_bind_int64(st, 5, c->added);
}

int att_sq_tpm_cert_add(void *impl, const struct att_store_tpm_cert *c,
			struct att_diag *d)
{
	return write_one(impl, cert_insert, bind_cert, c, "add tpm certificate",
			 d);
}

static int cert_rows(struct att_sq *s, sqlite3_stmt *st,
		     struct att_store_tpm_cert **out, size_t *n,
		     struct att_diag *d)
{
	struct att_store_tpm_cert *v = NULL;
	size_t cap = 0, k = 0;
	int rc, r = 0, err = 0;
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = att_sq_grow((void **)&v, &cap, k, sizeof(*v))) != 0)
			break;
		v[k].provider = att_sq_col_text(st, 0, &err);
		v[k].kind = att_sq_col_text(st, 1, &err);
		v[k].name = att_sq_col_text(st, 2, &err);
		v[k].pem = att_sq_col_text(st, 3, &err);
		v[k].added = sqlite3_column_int64(st, 4);
		k++;
		r = err;
	}
	if (!r && rc != SQLITE_DONE)
		r = att_sq_err(s->db, rc, "list tpm certificates", d);
	if (r) {
		att_store_tpm_cert_list_free(v, k);
		return r;
	}
	*out = v;
	*n = k;
	return 0;
}

int att_sq_tpm_cert_list(void *impl, const char *provider, const char *kind,
			 struct att_store_tpm_cert **out, size_t *n,
			 struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT provider, kind, name, pem, added"
			    " FROM tpm_certs WHERE provider = ?1"
			    " AND (?2 IS NULL OR kind = ?2)"
			    " ORDER BY kind, name",
			    d);
	if (!r) {
		att_sq_bind_text(st, 1, provider);
		att_sq_bind_text(st, 2, kind);
		r = cert_rows(s, st, out, n, d);
	}
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* ---- the AIK CA ---- */

int att_sq_tpm_ca_get(void *impl, const char *provider,
		      struct att_store_tpm_ca *out, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	int err = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT provider, wrapped, cert_pem, created"
			    " FROM tpm_aik_ca WHERE provider = ?",
			    d);
	if (r)
		goto out;
	att_sq_bind_text(st, 1, provider);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? ATT_ERR_NOT_FOUND
				      : att_sq_err(s->db, rc, "read AIK CA", d);
		goto out;
	}
	out->provider = att_sq_col_text(st, 0, &err);
	out->wrapped = att_sq_col_blob(st, 1, &out->wrapped_len, &err);
	out->cert_pem = att_sq_col_text(st, 2, &err);
	out->created = sqlite3_column_int64(st, 3);
	if ((r = err) != 0)
		att_store_tpm_ca_release(out);
out:
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static const char ca_insert[] =
    "INSERT INTO tpm_aik_ca(provider, wrapped, cert_pem, created)"
    " VALUES (?,?,?,?)";

static void bind_ca(sqlite3_stmt *st, const void *arg)
{
	const struct att_store_tpm_ca *c = arg;
	att_sq_bind_text(st, 1, c->provider);
	att_sq_bind_blob(st, 2, c->wrapped, c->wrapped_len);
	att_sq_bind_text(st, 3, c->cert_pem);
	sqlite3_bind_int64(st, 4, c->created);
}

int att_sq_tpm_ca_add(void *impl, const struct att_store_tpm_ca *c,
		      struct att_diag *d)
{
	return write_one(impl, ca_insert, bind_ca, c, "add AIK CA", d);
}

/* ---- enrolments ---- */

static const char enrol_upsert[] =
    "INSERT INTO tpm_enrolments(provider, aik_name, ek_cert_sha256,"
    " aik_cert_sha256, enrolled_at) VALUES (?,?,?,?,?)"
    " ON CONFLICT(provider, aik_name) DO UPDATE SET"
    " ek_cert_sha256 = excluded.ek_cert_sha256,"
    " aik_cert_sha256 = excluded.aik_cert_sha256,"
    " enrolled_at = excluded.enrolled_at";

static void bind_enrol(sqlite3_stmt *st, const void *arg)
{
	const struct att_store_tpm_enrolment *e = arg;
	att_sq_bind_text(st, 1, e->provider);
	att_sq_bind_text(st, 2, e->aik_name);
	att_sq_bind_text(st, 3, e->ek_cert_sha256);
	att_sq_bind_text(st, 4, e->aik_cert_sha256);
	sqlite3_bind_int64(st, 5, e->enrolled_at);
}

int att_sq_tpm_enrol_put(void *impl, const struct att_store_tpm_enrolment *e,
			 struct att_diag *d)
{
	return write_one(impl, enrol_upsert, bind_enrol, e, "record enrolment",
			 d);
}

int att_sq_tpm_enrol_get(void *impl, const char *provider, const char *name,
			 struct att_store_tpm_enrolment *out,
			 struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	int err = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT provider, aik_name, ek_cert_sha256,"
			    " aik_cert_sha256, enrolled_at FROM tpm_enrolments"
			    " WHERE provider = ? AND aik_name = ?",
			    d);
	if (r)
		goto out;
	att_sq_bind_text(st, 1, provider);
	att_sq_bind_text(st, 2, name);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE
			? ATT_ERR_NOT_FOUND
			: att_sq_err(s->db, rc, "read enrolment", d);
		goto out;
	}
	out->provider = att_sq_col_text(st, 0, &err);
	out->aik_name = att_sq_col_text(st, 1, &err);
	out->ek_cert_sha256 = att_sq_col_text(st, 2, &err);
	out->aik_cert_sha256 = att_sq_col_text(st, 3, &err);
	out->enrolled_at = sqlite3_column_int64(st, 4);
	if ((r = err) != 0)
		att_store_tpm_enrolment_release(out);
out:
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* ---- the context-key seed ---- */

int att_sq_tpm_ctxkey_get(void *impl, const char *provider, uint8_t **wrapped,
			  size_t *len, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	int err = 0;
	*wrapped = NULL;
	*len = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(
	    s, &st, "SELECT wrapped FROM tpm_ctx_keys WHERE provider = ?", d);
	if (!r) {
		att_sq_bind_text(st, 1, provider);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			r = (*wrapped = att_sq_col_blob(st, 0, len, &err))
				? err
				: ATT_ERR_STORE;
		else if (rc == SQLITE_DONE)
			r = ATT_ERR_NOT_FOUND;
		else
			r = att_sq_err(s->db, rc, "read tpm context key", d);
	}
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

struct ctxkey_arg {
	const char *provider;
	const uint8_t *wrapped;
	size_t len;
	int64_t now;
};

static void bind_ctxkey(sqlite3_stmt *st, const void *arg)
{
	const struct ctxkey_arg *a = arg;
	att_sq_bind_text(st, 1, a->provider);
	att_sq_bind_blob(st, 2, a->wrapped, a->len);
	sqlite3_bind_int64(st, 3, a->now);
}

int att_sq_tpm_ctxkey_add(void *impl, const char *provider,
			  const uint8_t *wrapped, size_t len, int64_t now,
			  struct att_diag *d)
{
	struct ctxkey_arg a = {provider, wrapped, len, now};
	return write_one(impl,
			 "INSERT INTO tpm_ctx_keys(provider, wrapped, created)"
			 " VALUES (?,?,?)",
			 bind_ctxkey, &a, "add tpm context key", d);
}

/* ---- the used-context replay set ---- */

static int purge_expired(struct att_sq *s, int64_t now, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(
	    s, &st, "DELETE FROM tpm_used_contexts WHERE exp < ?", d);
	if (!r) {
		sqlite3_bind_int64(st, 1, now);
		r = att_sq_step_done(s->db, st, "purge used contexts", d);
	}
	att_sq_stmt_done(s, st);
	return r;
}

static int count_used(struct att_sq *s, int64_t *n, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st, "SELECT count(*) FROM tpm_used_contexts",
			    d);
	if (!r) {
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*n = sqlite3_column_int64(st, 0);
		else
			r = att_sq_err(s->db, rc, "count used contexts", d);
	}
	att_sq_stmt_done(s, st);
	return r;
}

static int insert_used(struct att_sq *s, const char *provider,
		       const uint8_t *id, size_t id_len, int64_t exp,
		       struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st,
			    "INSERT INTO tpm_used_contexts(provider, id, exp)"
			    " VALUES (?,?,?)",
			    d);
	if (!r) {
		att_sq_bind_text(st, 1, provider);
		att_sq_bind_blob(st, 2, id, id_len);
		sqlite3_bind_int64(st, 3, exp);
		int rc = sqlite3_step(st);
		int ext = sqlite3_extended_errcode(s->db);
		if ((rc & 0xff) == SQLITE_CONSTRAINT &&
		    (ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
		     ext == SQLITE_CONSTRAINT_UNIQUE))
			r = ATT_ERR_REPLAY; /* the caller names it */
		else if (rc != SQLITE_DONE)
			r = att_sq_err(s->db, rc, "record used context", d);
	}
	att_sq_stmt_done(s, st);
	return r;
}

int att_sq_tpm_replay_mark(void *impl, const char *provider,
			   const uint8_t *id, size_t id_len, int64_t exp,
			   int64_t now, size_t max, struct att_diag *d)
{
	struct att_sq *s = impl;
	int64_t n = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (!r)
		r = purge_expired(s, now, d);
	if (!r)
		r = insert_used(s, provider, id, id_len, exp, d);
	if (!r)
		r = count_used(s, &n, d);
	if (!r && n > (int64_t)max)
		r = ATT_ERR_LIMIT; /* more than max: the caller names it */
	/* A plain COMMIT: the replay set is no cached content, so it does
	 * not move the write count (sqlite_writes.h) that caches of keys
	 * and policies watch. */
	if (!r)
		r = att_sq_exec(s->db, "COMMIT", d);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* ---- import of a pre-store directory ---- */

/* The import's inserts skip rows whose key exists (ON CONFLICT DO
 * NOTHING: only uniqueness; a row failing another constraint fails the
 * import, unlike INSERT OR IGNORE, which would drop it silently). */

/* exec_bound prepares sql (not kept: imports are rare), binds and
 * steps it inside the caller's transaction. */
static int exec_bound(struct att_sq *s, const char *sql, bind_fn bind,
		      const void *arg, const char *what, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_prepare(s->db, &st, sql, d);
	if (!r) {
		bind(st, arg);
		r = att_sq_step_done(s->db, st, what, d);
	}
	sqlite3_finalize(st);
	return r;
}

static void bind_import(sqlite3_stmt *st, const void *arg)
{
	const struct att_store_tpm_import *imp = arg;
	att_sq_bind_text(st, 1, imp->provider);
	att_sq_bind_text(st, 2, imp->source);
	sqlite3_bind_int64(st, 3, imp->now);
}

static void bind_import_settings(sqlite3_stmt *st, const void *arg)
{
	const struct att_store_tpm_import *imp = arg;
	att_sq_bind_text(st, 1, imp->provider);
	att_sq_bind_text(st, 2, imp->settings_json);
	sqlite3_bind_int64(st, 3, imp->now);
}

static int import_rows(struct att_sq *s, const struct att_store_tpm_import *imp,
		       struct att_diag *d)
{
	int r = 0;
	if (imp->settings_json)
		r = exec_bound(s,
			       "INSERT INTO tpm_settings(provider,"
			       " json, updated) VALUES (?,?,?)"
			       " ON CONFLICT DO NOTHING",
			       bind_import_settings, imp, "import settings", d);
	for (size_t i = 0; !r && i < imp->n_certs; i++)
		r = exec_bound(s,
			       "INSERT INTO tpm_certs(provider, kind,"
			       " name, pem, added) VALUES (?,?,?,?,?)"
			       " ON CONFLICT DO NOTHING",
			       bind_cert, &imp->certs[i],
			       "import certificate", d);
	if (!r && imp->ca)
		r = exec_bound(s,
			       "INSERT INTO tpm_aik_ca(provider,"
			       " wrapped, cert_pem, created) VALUES (?,?,?,?)"
			       " ON CONFLICT DO NOTHING",
			       bind_ca, imp->ca, "import AIK CA", d);
	for (size_t i = 0; !r && i < imp->n_enrolments; i++)
		r = exec_bound(s,
			       "INSERT INTO tpm_enrolments(provider,"
			       " aik_name, ek_cert_sha256, aik_cert_sha256,"
			       " enrolled_at) VALUES (?,?,?,?,?)"
			       " ON CONFLICT DO NOTHING",
			       bind_enrol, &imp->enrolments[i],
			       "import enrolment", d);
	if (!r)
		r = exec_bound(s,
			       "INSERT INTO tpm_imports(provider, source,"
			       " imported_at) VALUES (?,?,?)",
			       bind_import, imp, "record import", d);
	return r;
}

int att_sq_tpm_import(void *impl, const struct att_store_tpm_import *imp,
		      struct att_diag *d)
{
	struct att_sq *s = impl;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (!r)
		r = import_rows(s, imp, d);
	if (!r)
		r = att_sq_commit(s->db, d);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

int att_sq_tpm_wrapped_count(void *impl, size_t *out, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	*out = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT (SELECT count(*) FROM tpm_aik_ca) +"
			    " (SELECT count(*) FROM tpm_ctx_keys)",
			    d);
	if (!r) {
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*out = (size_t)sqlite3_column_int64(st, 0);
		else
			r = att_sq_err(s->db, rc, "count wrapped TPM keys", d);
	}
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}
