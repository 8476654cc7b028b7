/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the SQLite backend's files (not a public header):
 * the backend state, statement helpers, transactions and the migration
 * runner. One connection per store, serialised by a mutex: SQLite
 * connections are not meant to be shared by concurrent threads, and the
 * service's store traffic (key and policy reads, rare writes) is far below
 * what one connection serves. Each connection keeps its prepared
 * statements (att_sq_stmt), used and reset under the same mutex, so a
 * query is parsed once per connection instead of once per call.
 */
#ifndef ATT_STORE_SQLITE_INT_H
#define ATT_STORE_SQLITE_INT_H

#include "base/limits.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct att_sq {
	sqlite3 *db;
	pthread_mutex_t mu;
	/* Kept statements and the caller's SQL pointer each was asked
	 * for (a lookup hint; the statement's own text decides). Guarded by
	 * mu. */
	sqlite3_stmt *stmts[ATT_SQ_STMT_CACHE];
	const char *stmt_keys[ATT_SQ_STMT_CACHE];
	size_t n_stmts;
};

/* The schema version the code expects after migrations. */
int att_sq_latest_version(void);
/* att_sq_migrate applies every migration newer than the database's
 * schema_version, each in its own transaction. Idempotent. */
int att_sq_migrate(sqlite3 *db, struct att_diag *d);
/* att_sq_version reads schema_version (0 when the table is empty). */
int att_sq_version(sqlite3 *db, int *out, struct att_diag *d);

/* att_sq_err maps a SQLite result to ATT_ERR_* and records the message. */
int att_sq_err(sqlite3 *db, int rc, const char *what, struct att_diag *d);
int att_sq_exec(sqlite3 *db, const char *sql, struct att_diag *d);
int att_sq_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql,
		   struct att_diag *d);
/* att_sq_stmt gives the connection's prepared statement for sql, reset
 * and without bindings, preparing (and keeping) it on first use. The
 * caller holds s->mu and hands the statement back with att_sq_stmt_done
 * before unlocking: it is reset there, so no read transaction stays open
 * and the next caller sees a clean statement. */
int att_sq_stmt(struct att_sq *s, sqlite3_stmt **st, const char *sql,
		struct att_diag *d);
/* att_sq_stmt_done resets and clears a kept statement (one that did not
 * fit in the cache is finalized); NULL is a no-op. */
void att_sq_stmt_done(struct att_sq *s, sqlite3_stmt *st);
/* att_sq_stmt_free_all finalizes the kept statements (before close). */
void att_sq_stmt_free_all(struct att_sq *s);
/* att_sq_step_done steps a statement that returns no rows. */
int att_sq_step_done(sqlite3 *db, sqlite3_stmt *st, const char *what,
		     struct att_diag *d);
int att_sq_begin(sqlite3 *db, struct att_diag *d);
/* att_sq_commit commits (rolling back on failure) and, on success, bumps
 * the process's write count (store/sqlite_writes.h). */
int att_sq_commit(sqlite3 *db, struct att_diag *d);
void att_sq_rollback(sqlite3 *db);

int att_sq_bind_text(sqlite3_stmt *st, int i, const char *s);
int att_sq_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n);
/* att_sq_col_text returns a malloc'd copy of a text column (NULL stays
 * NULL); *err is set to ATT_ERR_NOMEM on allocation failure. */
char *att_sq_col_text(sqlite3_stmt *st, int i, int *err);
uint8_t *att_sq_col_blob(sqlite3_stmt *st, int i, size_t *len, int *err);

struct att_store_audit;

/* att_sq_audit_insert_policy appends the audit record of a change of
 * the policy (provider, type), with old_hash read from that row inside
 * the caller's transaction (call it before the change). */
int att_sq_audit_insert_policy(struct att_sq *s,
			       const struct att_store_audit *a,
			       const char *provider, const char *type,
			       struct att_diag *d);
/* att_sq_audit_insert appends an audit record inside the caller's
 * transaction; a NULL record is a no-op. */
struct att_store_audit;
int att_sq_audit_insert(struct att_sq *s, const struct att_store_audit *a,
			struct att_diag *d);

/* Ops implemented in sqlite.c (the table is in sqlite_data.c). */
struct att_store_provider;
struct att_store_key;
extern const struct att_store_ops att_sq_ops;
int att_sq_grow(void **v, size_t *cap, size_t n, size_t elsize);
void att_sq_close(void *impl);
int att_sq_ping(void *impl, struct att_diag *d);
int att_sq_schema_version(void *impl, int *out, struct att_diag *d);
int att_sq_provider_add(void *impl, const struct att_store_provider *p,
			struct att_diag *d);
int att_sq_provider_get(void *impl, const char *name,
			struct att_store_provider *out, struct att_diag *d);
int att_sq_provider_list(void *impl, struct att_store_provider **out,
			 size_t *n, struct att_diag *d);
int att_sq_provider_set_auth(void *impl, const char *name,
			     const char *auth_json, struct att_diag *d);
int att_sq_key_add(void *impl, const struct att_store_key *k,
		   int64_t retire_at, struct att_diag *d);
int att_sq_key_list(void *impl, const char *provider,
		    struct att_store_key **out, size_t *n, struct att_diag *d);
int att_sq_key_gen(void *impl, const char *provider, int64_t *out,
		   struct att_diag *d);
int att_sq_change_version(void *impl, int64_t *out, struct att_diag *d);

/* TPM state ops (sqlite_tpm.c; contracts in store.h). */
struct att_store_tpm_cert;
struct att_store_tpm_ca;
struct att_store_tpm_enrolment;
struct att_store_tpm_import;
int att_sq_tpm_settings_get(void *impl, const char *provider, char **json,
			    struct att_diag *d);
int att_sq_tpm_settings_put(void *impl, const char *provider, const char *json,
			    struct att_diag *d);
int att_sq_tpm_cert_add(void *impl, const struct att_store_tpm_cert *c,
			struct att_diag *d);
int att_sq_tpm_cert_list(void *impl, const char *provider, const char *kind,
			 struct att_store_tpm_cert **out, size_t *n,
			 struct att_diag *d);
int att_sq_tpm_ca_get(void *impl, const char *provider,
		      struct att_store_tpm_ca *out, struct att_diag *d);
int att_sq_tpm_ca_add(void *impl, const struct att_store_tpm_ca *c,
		      struct att_diag *d);
int att_sq_tpm_enrol_put(void *impl, const struct att_store_tpm_enrolment *e,
			 struct att_diag *d);
int att_sq_tpm_enrol_get(void *impl, const char *provider, const char *name,
			 struct att_store_tpm_enrolment *out,
			 struct att_diag *d);
int att_sq_tpm_ctxkey_get(void *impl, const char *provider, uint8_t **wrapped,
			  size_t *len, struct att_diag *d);
int att_sq_tpm_ctxkey_add(void *impl, const char *provider,
			  const uint8_t *wrapped, size_t len, int64_t now,
			  struct att_diag *d);
int att_sq_tpm_replay_mark(void *impl, const char *provider,
			   const uint8_t *id, size_t id_len, int64_t exp,
			   int64_t now, size_t max, struct att_diag *d);
int att_sq_tpm_import(void *impl, const struct att_store_tpm_import *imp,
		      struct att_diag *d);
int att_sq_tpm_wrapped_count(void *impl, size_t *out, struct att_diag *d);

#endif
