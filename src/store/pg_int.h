/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the PostgreSQL backend's files (not a public
 * header): the connection pool, the table of prepared statements, the
 * statement and transaction runners and the migration runner.
 *
 * A pool of connections (att_pg_slot), one per concurrent operation: an
 * operation takes a free slot under the pool mutex, marks it busy and lets
 * the mutex go before it touches the network (connecting included), so no
 * thread ever waits on PostgreSQL while holding the pool lock. Each
 * connection prepares a statement of the table below the first time it
 * runs it (PQprepare) and reuses it afterwards. Writes run in one
 * transaction (att_pg_tx) at READ COMMITTED with explicit row locks where
 * an invariant spans rows (a provider's keys, its last certificate); a
 * transaction that fails to serialise (SQLSTATE 40001, 40P01) is rolled
 * back and run again, at most ATT_PG_TX_RETRIES times.
 */
#ifndef ATT_STORE_PG_INT_H
#define ATT_STORE_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"

/* The channel the change triggers NOTIFY on (pg_migrate.c, pg_watch.c). */
#define ATT_PG_CHANNEL "attestd_changes"

/* The prepared statements: X(ID, SQL). Text columns are compared and
 * sorted with COLLATE "C" (byte order), as SQLite does. */
#define ATT_PG_COLS_PROVIDER \
	"name, base_url, mode, key_type, auth_json, created, key_gen"
/* An audit record's time: the caller's ($2), or the previous record's when
 * that is later. Written under AUDIT_LOCK (pg_data.c audit_lock), so the
 * log's times never go back as its ids increase, whichever node wrote
 * each record and however its clock or its wait for the locks went. */
#define ATT_PG_AUDIT_TIME                                                      \
	"GREATEST($2::bigint, (SELECT time FROM audit_log"                     \
	" ORDER BY id DESC LIMIT 1))"
#define ATT_PG_STR_(x) #x
#define ATT_PG_STR(x) ATT_PG_STR_(x)
#define ATT_PG_STMTS(X)                                                        \
	X(VERSION, "SELECT coalesce(max(version), 0) FROM schema_version")    \
	X(CHANGES, "SELECT version FROM changes WHERE id = 1")                 \
	X(PROV_INSERT, "INSERT INTO providers(name, base_url, mode, key_type," \
		       " auth_json, created, key_gen)"                         \
		       " VALUES ($1,$2,$3,$4,$5,$6,0)")                        \
	X(PROV_GET, "SELECT " ATT_PG_COLS_PROVIDER                             \
		    " FROM providers WHERE name = $1")                         \
	X(PROV_LIST, "SELECT " ATT_PG_COLS_PROVIDER                            \
		     " FROM providers ORDER BY name COLLATE \"C\"")            \
	X(PROV_SET_AUTH, "UPDATE providers SET auth_json = $1 WHERE name = $2") \
	X(PROV_LOCK, "SELECT 1 FROM providers WHERE name = $1"                 \
		     " FOR NO KEY UPDATE")                                     \
	X(KEY_RETIRE, "UPDATE keys SET active = 0, retired_at = $1"            \
		      " WHERE provider = $2 AND active = 1")                   \
	X(KEY_INSERT, "INSERT INTO keys(provider, kid, alg, wrapped, cert_pem," \
		      " created, retired_at, active)"                          \
		      " VALUES ($1,$2,$3,$4,$5,$6,0,1)")                       \
	X(KEY_GEN_BUMP, "UPDATE providers SET key_gen = key_gen + 1"           \
			" WHERE name = $1")                                    \
	X(KEY_LIST, "SELECT id, provider, kid, alg, wrapped, cert_pem,"        \
		    " created, retired_at, active FROM keys"                   \
		    " WHERE provider = $1 ORDER BY id")                        \
	X(KEY_GEN, "SELECT key_gen FROM providers WHERE name = $1")            \
	X(POL_GET, "SELECT provider, type, jws, hash, updated FROM policies"   \
		   " WHERE provider = $1 AND type = $2")                       \
	X(POL_UPSERT, "INSERT INTO policies(provider, type, jws, hash,"        \
		      " updated) VALUES ($1,$2,$3,$4,$5)"                      \
		      " ON CONFLICT (provider, type) DO UPDATE SET"            \
		      " jws = excluded.jws, hash = excluded.hash,"             \
		      " updated = excluded.updated")                           \
	X(POL_DELETE, "DELETE FROM policies WHERE provider = $1 AND type = $2") \
	X(IAT_SET, "INSERT INTO policy_iat(provider, type, iat)"               \
		   " VALUES ($1,$2,$3) ON CONFLICT (provider, type)"           \
		   " DO UPDATE SET iat = excluded.iat")                        \
	X(IAT_DELETE, "DELETE FROM policy_iat WHERE provider = $1"             \
		      " AND type = $2")                                        \
	X(IAT_GET, "SELECT iat FROM policy_iat WHERE provider = $1"            \
		   " AND type = $2")                                           \
	X(PC_INSERT, "INSERT INTO policy_certs(provider, thumbprint, der,"     \
		     " added) VALUES ($1,$2,$3,$4)")                           \
	X(PC_LOCK, "SELECT thumbprint FROM policy_certs WHERE provider = $1"   \
		   " FOR UPDATE")                                              \
	X(PC_DELETE, "DELETE FROM policy_certs WHERE provider = $1"            \
		     " AND thumbprint = $2")                                   \
	X(PC_LIST, "SELECT provider, thumbprint, der, added FROM policy_certs" \
		   " WHERE provider = $1"                                      \
		   " ORDER BY added, thumbprint COLLATE \"C\"")                \
	X(AUDIT_LOCK, "SELECT version FROM changes WHERE id = 1 FOR UPDATE")   \
	X(AUDIT_INSERT, "INSERT INTO audit_log(provider, time, actor, action," \
			" type, old_hash, new_hash)"                           \
			" VALUES ($1," ATT_PG_AUDIT_TIME ",$3,$4,$5,$6,$7)")   \
	X(AUDIT_INSERT_POL, "INSERT INTO audit_log(provider, time, actor,"     \
			    " action, type, old_hash, new_hash)"               \
			    " VALUES ($1," ATT_PG_AUDIT_TIME ",$3,$4,$5,"      \
			    "(SELECT hash FROM policies WHERE provider = $7"   \
			    " AND type = $8),$6)")                             \
	X(AUDIT_LIST, "SELECT id, provider, time, actor, action, type,"        \
		      " old_hash, new_hash FROM audit_log WHERE provider = $1" \
		      " ORDER BY id")                                          \
	X(COL_GET, "SELECT key, body, fetched, next_update"                    \
		   " FROM collateral_cache WHERE key = $1")                    \
	X(COL_PUT, "INSERT INTO collateral_cache(key, body, fetched,"          \
		   " next_update) VALUES ($1,$2,$3,$4) ON CONFLICT (key) DO"   \
		   " UPDATE SET body = excluded.body,"                         \
		   " fetched = excluded.fetched,"                              \
		   " next_update = excluded.next_update")                      \
	X(COL_LIST, "SELECT key, body, fetched, next_update"                   \
		    " FROM collateral_cache"                                   \
		    " WHERE substr(key, 1, length($1::text)) = $1::text"       \
		    " ORDER BY key COLLATE \"C\" LIMIT "                       \
		    ATT_PG_STR(ATT_STORE_COLLATERAL_LIST_MAX) " + 1")          \
	X(TS_GET, "SELECT json FROM tpm_settings WHERE provider = $1")         \
	X(TS_PUT, "INSERT INTO tpm_settings(provider, json, updated)"          \
		  " VALUES ($1, $2, extract(epoch FROM now())::bigint)"        \
		  " ON CONFLICT (provider) DO UPDATE SET json = excluded.json," \
		  " updated = excluded.updated")                               \
	X(TS_DELETE, "DELETE FROM tpm_settings WHERE provider = $1")           \
	X(TS_IMPORT, "INSERT INTO tpm_settings(provider, json, updated)"       \
		     " VALUES ($1,$2,$3) ON CONFLICT DO NOTHING")              \
	X(TC_INSERT, "INSERT INTO tpm_certs(provider, kind, name, pem, added)" \
		     " VALUES ($1,$2,$3,$4,$5)")                               \
	X(TC_IMPORT, "INSERT INTO tpm_certs(provider, kind, name, pem, added)" \
		     " VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING")        \
	X(TC_LIST, "SELECT provider, kind, name, pem, added FROM tpm_certs"    \
		   " WHERE provider = $1 AND ($2::text IS NULL OR"             \
		   " kind = $2::text)"                                         \
		   " ORDER BY kind COLLATE \"C\", name COLLATE \"C\"")         \
	X(CA_GET, "SELECT provider, wrapped, cert_pem, created"                \
		  " FROM tpm_aik_ca WHERE provider = $1")                      \
	X(CA_INSERT, "INSERT INTO tpm_aik_ca(provider, wrapped, cert_pem,"     \
		     " created) VALUES ($1,$2,$3,$4)")                         \
	X(CA_IMPORT, "INSERT INTO tpm_aik_ca(provider, wrapped, cert_pem,"     \
		     " created) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING")  \
	X(EN_PUT, "INSERT INTO tpm_enrolments(provider, aik_name,"             \
		  " ek_cert_sha256, aik_cert_sha256, enrolled_at)"             \
		  " VALUES ($1,$2,$3,$4,$5)"                                   \
		  " ON CONFLICT (provider, aik_name) DO UPDATE SET"            \
		  " ek_cert_sha256 = excluded.ek_cert_sha256,"                 \
		  " aik_cert_sha256 = excluded.aik_cert_sha256,"               \
		  " enrolled_at = excluded.enrolled_at")                       \
	X(EN_IMPORT, "INSERT INTO tpm_enrolments(provider, aik_name,"          \
		     " ek_cert_sha256, aik_cert_sha256, enrolled_at)"          \
		     " VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING")        \
	X(EN_GET, "SELECT provider, aik_name, ek_cert_sha256,"                 \
		  " aik_cert_sha256, enrolled_at FROM tpm_enrolments"          \
		  " WHERE provider = $1 AND aik_name = $2")                    \
	X(CK_GET, "SELECT wrapped FROM tpm_ctx_keys WHERE provider = $1")      \
	X(CK_INSERT, "INSERT INTO tpm_ctx_keys(provider, wrapped, created)"    \
		     " VALUES ($1,$2,$3)")                                     \
	X(USED_PURGE, "DELETE FROM tpm_used_contexts WHERE exp < $1")          \
	X(USED_INSERT, "INSERT INTO tpm_used_contexts(provider, id, exp)"      \
		       " VALUES ($1,$2,$3) ON CONFLICT DO NOTHING")            \
	X(USED_COUNT, "SELECT count(*) FROM tpm_used_contexts")                \
	X(IMPORT_RECORD, "INSERT INTO tpm_imports(provider, source,"           \
			 " imported_at) VALUES ($1,$2,$3)")                    \
	X(WRAPPED_COUNT, "SELECT (SELECT count(*) FROM tpm_aik_ca) +"          \
			 " (SELECT count(*) FROM tpm_ctx_keys)")

enum att_pg_stmt {
#define ATT_PG_ENUM(id, sql) ATT_PG_##id,
	ATT_PG_STMTS(ATT_PG_ENUM)
#undef ATT_PG_ENUM
	ATT_PG_N_STMTS
};

struct att_pg_slot {
	PGconn *conn;
	bool busy;
	bool prepared[ATT_PG_N_STMTS];
};

struct att_pg {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct att_pg_slot *slots;
	size_t n_slots;
	char *url;
	char *password;	    /* from the password file, or NULL */
	char *url_password; /* the URL's own, only to scrub messages */
	unsigned connect_timeout_s;
	char where[320]; /* "host:port", for messages */
	int unavailable; /* atomic: see att_store_unavailable */
	unsigned statement_timeout_ms;
	/* The change watcher (pg_watch.c): its thread, the stop flag, the
	 * changes it saw, whether it watches now (atomics). */
	pthread_t watch_thread;
	bool watch_started;
	int watch_stop;
	uint64_t seen;
	int watching;
};

/* Statement parameters: text, decimal integers and binary bytea. */
struct att_pg_params {
	int n;
	bool overflow;
	const char *v[ATT_PG_MAX_PARAMS];
	int len[ATT_PG_MAX_PARAMS];
	int fmt[ATT_PG_MAX_PARAMS];
	char num[ATT_PG_MAX_PARAMS][24];
};

void att_pg_text(struct att_pg_params *p, const char *s);
void att_pg_i64(struct att_pg_params *p, int64_t v);
void att_pg_blob(struct att_pg_params *p, const void *b, size_t n);

/* The internal "run it again" result of a statement that failed to
 * serialise; never returned out of att_pg_tx. */
#define ATT_PG_RETRY 1

/* att_pg_run runs prepared statement id with p on the slot's connection:
 * 0 and *res (PQclear it; NULL when res is NULL) or an ATT_ERR_* with d
 * set (ATT_ERR_EXISTS for a unique violation), or ATT_PG_RETRY (d
 * untouched). */
int att_pg_run(struct att_pg *pg, struct att_pg_slot *s, enum att_pg_stmt id,
	       const struct att_pg_params *p, PGresult **res,
	       struct att_diag *d);
/* att_pg_affected: the row count of a command result. */
long long att_pg_affected(PGresult *res);

typedef int (*att_pg_fn)(struct att_pg *pg, struct att_pg_slot *s, void *arg,
			 struct att_diag *d);
/* att_pg_tx runs fn in one transaction on a pooled connection: BEGIN, fn,
 * COMMIT, rolled back when fn fails; run again when it failed to
 * serialise. write: a successful commit moves the process's write count
 * (store/sqlite_writes.h). */
int att_pg_tx(struct att_pg *pg, att_pg_fn fn, void *arg, bool write,
	      struct att_diag *d);
/* att_pg_read runs fn (single statements, no transaction) on a pooled
 * connection; once more on a fresh connection when a pooled one turns out
 * to have been lost. */
int att_pg_read(struct att_pg *pg, att_pg_fn fn, void *arg,
		struct att_diag *d);

/* Columns of a result row: a malloc'd copy of a text column (NULL stays
 * NULL), an integer, a bytea column (malloc'd; *err ATT_ERR_NOMEM or
 * ATT_ERR_STORE when it cannot be read). */
char *att_pg_col_text(PGresult *res, int row, int col, int *err);
int64_t att_pg_col_i64(PGresult *res, int row, int col);
uint8_t *att_pg_col_blob(PGresult *res, int row, int col, size_t *len,
			 int *err);

/* att_pg_migrate applies the migrations (pg_migrate.c) under an advisory
 * lock; att_pg_latest_version is the version it brings a database to. */
int att_pg_migrate(struct att_pg *pg, struct att_diag *d);
int att_pg_latest_version(void);
/* att_pg_exec runs SQL text without parameters (simple protocol; several
 * statements allowed). */
int att_pg_exec(struct att_pg *pg, struct att_pg_slot *s, const char *sql,
		const char *what, struct att_diag *d);
/* Taking and giving back a pooled connection (connected on take). */
int att_pg_take(struct att_pg *pg, struct att_pg_slot **out, bool *fresh,
		struct att_diag *d);
void att_pg_give(struct att_pg *pg, struct att_pg_slot *s);

/* att_pg_connect opens a new connection with the store's URL, password
 * and timeouts (not a pooled one: the watcher's). */
int att_pg_connect(struct att_pg *pg, PGconn **out, struct att_diag *d);
/* The change watcher (pg_watch.c; store.h "Cache coherence"). */
int att_pg_watch(void *impl, struct att_diag *d);
void att_pg_watch_stop(struct att_pg *pg);
uint64_t att_pg_seen(void *impl);
bool att_pg_watched(void *impl);
int att_pg_change_version(void *impl, int64_t *out, struct att_diag *d);

/* The ops (pg_data.c, pg_tpm.c) and their table. */
extern const struct att_store_ops att_pg_ops;
struct att_store_tpm_cert;
struct att_store_tpm_ca;
struct att_store_tpm_enrolment;
struct att_store_tpm_import;
int att_pg_tpm_settings_get(void *impl, const char *provider, char **json,
			    struct att_diag *d);
int att_pg_tpm_settings_put(void *impl, const char *provider, const char *json,
			    struct att_diag *d);
int att_pg_tpm_cert_add(void *impl, const struct att_store_tpm_cert *c,
			struct att_diag *d);
int att_pg_tpm_cert_list(void *impl, const char *provider, const char *kind,
			 struct att_store_tpm_cert **out, size_t *n,
			 struct att_diag *d);
int att_pg_tpm_ca_get(void *impl, const char *provider,
		      struct att_store_tpm_ca *out, struct att_diag *d);
int att_pg_tpm_ca_add(void *impl, const struct att_store_tpm_ca *c,
		      struct att_diag *d);
int att_pg_tpm_enrol_put(void *impl, const struct att_store_tpm_enrolment *e,
			 struct att_diag *d);
int att_pg_tpm_enrol_get(void *impl, const char *provider, const char *name,
			 struct att_store_tpm_enrolment *out,
			 struct att_diag *d);
int att_pg_tpm_ctxkey_get(void *impl, const char *provider, uint8_t **wrapped,
			  size_t *len, struct att_diag *d);
int att_pg_tpm_ctxkey_add(void *impl, const char *provider,
			  const uint8_t *wrapped, size_t len, int64_t now,
			  struct att_diag *d);
int att_pg_tpm_replay_mark(void *impl, const char *provider,
			   const uint8_t *id, size_t id_len, int64_t exp,
			   int64_t now, size_t max, struct att_diag *d);
int att_pg_tpm_import(void *impl, const struct att_store_tpm_import *imp,
		      struct att_diag *d);
int att_pg_tpm_wrapped_count(void *impl, size_t *out, struct att_diag *d);
void att_pg_close(void *impl);
int att_pg_ping(void *impl, struct att_diag *d);
int att_pg_schema_version(void *impl, int *out, struct att_diag *d);
bool att_pg_unavailable(void *impl);

#endif
