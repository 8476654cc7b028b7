/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store: attestd's persistent state (providers, their signing keys,
 * policies, policy management certificates, the audit log and a collateral
 * cache) behind an ops table, struct att_store_ops, with two backends:
 * SQLite (att_store_open_sqlite), the default, and PostgreSQL
 * (att_store_open_pg), which lets several attestd nodes share one
 * database. Every write runs in one transaction and either happens
 * completely or not at all. A store may be
 * shared by all threads of the server: the backend serialises access (the
 * SQLite backend holds one connection behind a mutex, the PostgreSQL one
 * a pool of connections, one per operation).
 *
 * Rows are plain structs of owned, malloc'd members; *_release frees the
 * members and zeroes the struct (NULL accepted). Lists are returned as
 * arrays freed with the matching *_list_free. Private key material reaches
 * the store only wrapped (see crypto/keywrap.h); the store never sees it in
 * clear.
 */
#ifndef ATT_STORE_STORE_H
#define ATT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct att_store_provider {
	char *name;
	char *base_url;  /* the provider's token issuer, exactly */
	char *mode;      /* "aad" or "isolated" */
	char *key_type;  /* "rsa" or "ec" */
	char *auth_json; /* auth settings (JSON object text) or NULL */
	int64_t created;
	int64_t key_gen; /* bumped by every key change of this provider */
};

struct att_store_key {
	int64_t id; /* assigned by the store; ascending in creation order */
	char *provider;
	char *kid;
	char *alg;           /* "RS256" or "ES256" */
	uint8_t *wrapped;    /* private key, wrapped (keywrap.h) */
	size_t wrapped_len;
	char *cert_pem;      /* self-signed certificate for x5c */
	int64_t created;
	int64_t retired_at;  /* 0 while active; else when it leaves /certs */
	bool active;
};

struct att_store_policy {
	char *provider;
	char *type;  /* attestation type, canonical spelling */
	char *jws;   /* the policy JWS exactly as received */
	char *hash;  /* b64url SHA-256 of jws */
	int64_t updated;
	/* The upload's binding iat (docs/policy-management.md), 0 for none:
	 * written by policy_put as the type's current binding iat; never
	 * filled by policy_get (read it with policy_iat). */
	int64_t iat;
};

struct att_store_polcert {
	char *provider;
	char *thumbprint; /* upper-case hex SHA-1 of der */
	uint8_t *der;
	size_t der_len;
	int64_t added;
};

struct att_store_audit {
	int64_t id;
	char *provider;
	int64_t time;
	char *actor;
	char *action;
	char *type;
	char *old_hash;
	char *new_hash;
};

struct att_store_collateral {
	char *key;
	uint8_t *body;
	size_t body_len;
	int64_t fetched;
	int64_t next_update;
};

/* TPM state of a provider (docs/tpm.md). A trust certificate: kind is
 * "ek-roots", "ek-intermediates" or "aik-roots"; name identifies it within
 * the kind (the SHA-1 thumbprint + ".pem" for `attestd tpm trust`, the
 * file name for certificates imported from a pre-store data dir); pem may
 * hold more than one certificate. */
struct att_store_tpm_cert {
	char *provider;
	char *kind;
	char *name;
	char *pem;
	int64_t added;
};

/* The provider's AIK CA: its private key wrapped (keywrap.h, associated
 * data "attestd-tpm-aik-ca/<provider>") and its certificate. */
struct att_store_tpm_ca {
	char *provider;
	uint8_t *wrapped;
	size_t wrapped_len;
	char *cert_pem;
	int64_t created;
};

/* One enrolled AIK: aik_name is the hex of its TPM Name; ek_cert_sha256
 * (may be NULL) and aik_cert_sha256 are hex. */
struct att_store_tpm_enrolment {
	char *provider;
	char *aik_name;
	char *ek_cert_sha256;
	char *aik_cert_sha256;
	int64_t enrolled_at;
};

/* What one provider's pre-store TPM directory held (tpm_import). NULL /
 * zero members are absent. source names the directory, for the record. */
struct att_store_tpm_import {
	const char *provider;
	const char *source;
	const char *settings_json;
	const struct att_store_tpm_cert *certs;
	size_t n_certs;
	const struct att_store_tpm_ca *ca;
	const struct att_store_tpm_enrolment *enrolments;
	size_t n_enrolments;
	int64_t now;
};

void att_store_tpm_cert_release(struct att_store_tpm_cert *c);
void att_store_tpm_cert_list_free(struct att_store_tpm_cert *v, size_t n);
void att_store_tpm_ca_release(struct att_store_tpm_ca *c);
void att_store_tpm_enrolment_release(struct att_store_tpm_enrolment *e);

void att_store_provider_release(struct att_store_provider *p);
void att_store_key_release(struct att_store_key *k);
void att_store_policy_release(struct att_store_policy *p);
void att_store_polcert_release(struct att_store_polcert *c);
void att_store_audit_release(struct att_store_audit *a);
void att_store_collateral_release(struct att_store_collateral *c);
void att_store_provider_list_free(struct att_store_provider *v, size_t n);
void att_store_key_list_free(struct att_store_key *v, size_t n);
void att_store_polcert_list_free(struct att_store_polcert *v, size_t n);
void att_store_audit_list_free(struct att_store_audit *v, size_t n);
void att_store_collateral_list_free(struct att_store_collateral *v, size_t n);

/*
 * The backend interface. impl is the backend's state. Every function
 * returns 0 or a negative ATT_ERR_*: ATT_ERR_NOT_FOUND for a missing row,
 * ATT_ERR_EXISTS for a duplicate key, ATT_ERR_STORE for a backend failure
 * (with the backend's message in d). Getters fill *out only on success.
 */
struct att_store_ops {
	const char *name;
	void (*close)(void *impl);
	int (*ping)(void *impl, struct att_diag *d);
	int (*schema_version)(void *impl, int *out, struct att_diag *d);

	int (*provider_add)(void *impl, const struct att_store_provider *p,
			    struct att_diag *d);
	int (*provider_get)(void *impl, const char *name,
			    struct att_store_provider *out, struct att_diag *d);
	int (*provider_list)(void *impl, struct att_store_provider **out,
			     size_t *n, struct att_diag *d);
	int (*provider_set_auth)(void *impl, const char *name,
				 const char *auth_json, struct att_diag *d);

	/* key_add stores k as the provider's new active key; every other
	 * active key of that provider is retired with retired_at = retire_at.
	 * Bumps the provider's key_gen. One transaction. */
	int (*key_add)(void *impl, const struct att_store_key *k,
		       int64_t retire_at, struct att_diag *d);
	/* key_list: all keys of a provider, oldest first. */
	int (*key_list)(void *impl, const char *provider,
			struct att_store_key **out, size_t *n,
			struct att_diag *d);
	int (*key_gen)(void *impl, const char *provider, int64_t *out,
		       struct att_diag *d);

	int (*policy_get)(void *impl, const char *provider, const char *type,
			  struct att_store_policy *out, struct att_diag *d);
	/* policy_put inserts or replaces the policy and appends the audit
	 * record (if a is not NULL) in one transaction. For policy_put,
	 * policy_reset and policy_delete the record's old_hash is the hash
	 * of the row the change replaces, read inside that transaction
	 * (NULL when there was none); a->old_hash is not used, so that
	 * concurrent changes through several nodes chain correctly. */
	int (*policy_put)(void *impl, const struct att_store_policy *p,
			  const struct att_store_audit *a, struct att_diag *d);
	int (*policy_delete)(void *impl, const char *provider, const char *type,
			     const struct att_store_audit *a,
			     struct att_diag *d);
	/* policy_reset is policy_delete that also records iat (0: none) as
	 * the type's current binding iat, in the same transaction. Like
	 * policy_delete, ATT_ERR_NOT_FOUND (nothing changed) when no policy
	 * is stored. policy_delete clears the binding iat. */
	int (*policy_reset)(void *impl, const char *provider, const char *type,
			    int64_t iat, const struct att_store_audit *a,
			    struct att_diag *d);
	/* policy_iat reads the binding iat of the last change of a
	 * provider's policy of type (policy_put or policy_reset): *out = 0
	 * when that change carried none, or there was none. */
	int (*policy_iat)(void *impl, const char *provider, const char *type,
			  int64_t *out, struct att_diag *d);

	int (*polcert_add)(void *impl, const struct att_store_polcert *c,
			   const struct att_store_audit *a, struct att_diag *d);
	/* polcert_remove: ATT_ERR_NOT_FOUND when absent, and
	 * ATT_ERR_INVALID_OPERATION when it is the provider's last
	 * certificate; the rule is checked inside the removing transaction,
	 * so concurrent removals (other threads, processes or nodes) leave
	 * at least one. */
	int (*polcert_remove)(void *impl, const char *provider,
			      const char *thumbprint,
			      const struct att_store_audit *a,
			      struct att_diag *d);
	int (*polcert_list)(void *impl, const char *provider,
			    struct att_store_polcert **out, size_t *n,
			    struct att_diag *d);

	/* audit_list: a provider's records, oldest first. */
	int (*audit_list)(void *impl, const char *provider,
			  struct att_store_audit **out, size_t *n,
			  struct att_diag *d);

	int (*collateral_get)(void *impl, const char *key,
			      struct att_store_collateral *out,
			      struct att_diag *d);
	int (*collateral_put)(void *impl, const struct att_store_collateral *c,
			      struct att_diag *d);
	/* collateral_list: the rows whose key starts with prefix ("" for
	 * all), by key; ATT_ERR_LIMIT when more than
	 * ATT_STORE_COLLATERAL_LIST_MAX match (nothing returned). The array
	 * is freed with att_store_collateral_list_free. */
	int (*collateral_list)(void *impl, const char *prefix,
			       struct att_store_collateral **out, size_t *n,
			       struct att_diag *d);

	/* TPM state (docs/tpm.md). tpm_settings_get: the settings JSON
	 * text, ATT_ERR_NOT_FOUND when none was set; tpm_settings_put
	 * replaces it (NULL json: back to the defaults). */
	int (*tpm_settings_get)(void *impl, const char *provider, char **json,
				struct att_diag *d);
	int (*tpm_settings_put)(void *impl, const char *provider,
				const char *json, struct att_diag *d);
	/* tpm_cert_add: ATT_ERR_EXISTS when (provider, kind, name) is there
	 * already. tpm_cert_list: a kind's certificates by name (all kinds
	 * when kind is NULL). */
	int (*tpm_cert_add)(void *impl, const struct att_store_tpm_cert *c,
			    struct att_diag *d);
	int (*tpm_cert_list)(void *impl, const char *provider,
			     const char *kind, struct att_store_tpm_cert **out,
			     size_t *n, struct att_diag *d);
	/* tpm_ca_add stores the provider's AIK CA, ATT_ERR_EXISTS when it
	 * has one (another thread or process made it first: use that one). */
	int (*tpm_ca_get)(void *impl, const char *provider,
			  struct att_store_tpm_ca *out, struct att_diag *d);
	int (*tpm_ca_add)(void *impl, const struct att_store_tpm_ca *c,
			  struct att_diag *d);
	/* tpm_enrol_put inserts or replaces an enrolment record. */
	int (*tpm_enrol_put)(void *impl, const struct att_store_tpm_enrolment *e,
			     struct att_diag *d);
	int (*tpm_enrol_get)(void *impl, const char *provider,
			     const char *aik_name,
			     struct att_store_tpm_enrolment *out,
			     struct att_diag *d);
	/* The context-sealing key's seed, wrapped. tpm_ctxkey_add:
	 * ATT_ERR_EXISTS when the provider has one already. */
	int (*tpm_ctxkey_get)(void *impl, const char *provider,
			      uint8_t **wrapped, size_t *len,
			      struct att_diag *d);
	int (*tpm_ctxkey_add)(void *impl, const char *provider,
			      const uint8_t *wrapped, size_t len, int64_t now,
			      struct att_diag *d);
	/* tpm_replay_mark records a used context id of provider until exp,
	 * in one transaction that first purges ids expired before now and
	 * then inserts (the unique key is the atomic check, also against
	 * other processes sharing the database): 0 the first time,
	 * ATT_ERR_REPLAY when the id is recorded already, ATT_ERR_LIMIT
	 * when max unexpired ids are recorded (neither sets d: the caller
	 * names what was replayed or how many are outstanding). */
	int (*tpm_replay_mark)(void *impl, const char *provider,
			       const uint8_t *id, size_t id_len, int64_t exp,
			       int64_t now, size_t max, struct att_diag *d);
	/* tpm_import merges a pre-store TPM directory in one transaction:
	 * what the store has already wins (settings, the CA, certificates
	 * and enrolments of the same name are kept), the rest is added, and
	 * the import is recorded (tpm_imports). Idempotent. */
	int (*tpm_import)(void *impl, const struct att_store_tpm_import *imp,
			  struct att_diag *d);
	/* tpm_wrapped_count counts the wrapped TPM keys (AIK CA keys and
	 * context-key seeds) of every provider. */
	int (*tpm_wrapped_count)(void *impl, size_t *out, struct att_diag *d);
	/* unavailable: see att_store_unavailable (NULL: never). */
	bool (*unavailable)(void *impl);
	/* Cache coherence (docs/deployment.md "Cache coherence"):
	 * change_version reads the store's change version, which every
	 * write of cached content (providers, keys, policies, policy
	 * certificates, TPM settings and trust certificates) bumps inside
	 * its own transaction. watch (NULL: none) starts the backend's
	 * watcher of other processes' changes; seen (NULL: 0) counts the
	 * changes it has seen; watched (NULL: false) tells that it sees
	 * every committed change within ATT_STORE_WATCH_DELAY_MS. */
	int (*change_version)(void *impl, int64_t *out, struct att_diag *d);
	int (*watch)(void *impl, struct att_diag *d);
	uint64_t (*seen)(void *impl);
	bool (*watched)(void *impl);
};

struct att_store {
	const struct att_store_ops *ops;
	void *impl;
};

/* att_store_open_sqlite opens (creating if needed) the SQLite database at
 * path, switches it to WAL mode, sets a busy timeout and applies the
 * schema migrations. *out is the caller's (att_store_close). */
int att_store_open_sqlite(struct att_store **out, const char *path,
			  struct att_diag *d);
/* PostgreSQL (src/store/pg*.c, docs/deployment.md). url is a libpq URL
 * (postgresql://[user@]host[:port]/dbname[?sslmode=...]); sslmode and the
 * other URL parameters go to libpq as given. The password comes from
 * password_file (its first line), from the URL (config files only: see
 * att_store_url_has_password), or from libpq's own PGPASSFILE /
 * ~/.pgpass. Every connection is taken from a pool of pool_size (0:
 * ATT_PG_POOL_DEFAULT; at most ATT_PG_POOL_MAX) opened on demand; the
 * schema migrations run at open under a PostgreSQL advisory lock, so
 * nodes starting together apply each once. */
struct att_store_pg_opts {
	unsigned pool_size;
	const char *password_file;
	unsigned connect_timeout_s; /* 0: ATT_PG_CONNECT_TIMEOUT_S */
	unsigned statement_timeout_ms; /* 0: ATT_PG_STATEMENT_TIMEOUT_MS */
};
int att_store_open_pg(struct att_store **out, const char *url,
		      const struct att_store_pg_opts *o, struct att_diag *d);

/* att_store_open_url opens the store a URL names: "postgresql://" or
 * "postgres://" (att_store_open_pg, o may be NULL), "sqlite://PATH" or a
 * plain path (att_store_open_sqlite). */
int att_store_open_url(struct att_store **out, const char *url,
		       const struct att_store_pg_opts *o, struct att_diag *d);
/* att_store_url_is_pg: url names a PostgreSQL store. */
bool att_store_url_is_pg(const char *url);
/* att_store_url_has_password: a PostgreSQL URL carries a password (in
 * its userinfo or as a password= parameter). Command lines refuse such
 * a URL: other users see a process's arguments. */
bool att_store_url_has_password(const char *url);
/* att_store_url_mask writes url with any password replaced by "***" to
 * out (always NUL-terminated; truncated to out_len - 1 bytes): the only
 * form of a store URL that goes into logs and error messages. */
void att_store_url_mask(char *out, size_t out_len, const char *url);

/* att_store_unavailable: the store's last operation failed because the
 * database could not be reached (connection refused or lost, pool
 * timeout), as opposed to a failure of the operation itself: a server
 * answers 503 for this one. Cleared by the next operation that reaches
 * the database. Always false for SQLite. Such failures return
 * ATT_ERR_STORE with a message that starts with ATT_STORE_UNAVAILABLE_MSG
 * and names the host (att_store_diag_unavailable reads it). */
#define ATT_STORE_UNAVAILABLE_MSG "store unavailable: "
bool att_store_unavailable(const struct att_store *s);
bool att_store_diag_unavailable(int err, const struct att_diag *d);

/*
 * Cache coherence (docs/deployment.md). att_store_change_count is a
 * number (an atomic load, no store access) that moves after every write
 * this process commits and, once att_store_watch runs, after every
 * change another process (another attestd node) commits, as soon as the
 * watcher sees it: the PostgreSQL backend LISTENs for the notification
 * its triggers send (one connection per store, reconnecting) and reads
 * the change version every ATT_STORE_VERSION_CHECK_MS while it cannot
 * listen. A cache stamps an entry with the count read BEFORE its store
 * read and re-reads when the count differs or the entry is older than
 * att_store_recheck_ms(s, base): base (a cache's own interval, for
 * stores whose other writers nobody watches: SQLite and its CLI
 * writers), or ATT_STORE_WATCHED_RECHECK_MS while the watcher is
 * watching.
 */
int att_store_change_version(struct att_store *s, int64_t *out,
			     struct att_diag *d);
int att_store_watch(struct att_store *s, struct att_diag *d);
uint64_t att_store_change_count(const struct att_store *s);
int64_t att_store_recheck_ms(const struct att_store *s, int64_t base_ms);
/* att_store_msg_unavailable: err and the message of a failure that an
 * unreachable database caused (ATT_STORE_UNAVAILABLE_MSG anywhere in
 * msg, as the callers that wrap a store message keep it). */
bool att_store_msg_unavailable(int err, const char *msg);

/* att_store_copy copies every table of from (a SQLite store) to to (a
 * PostgreSQL store): wrapped keys as stored bytes, ids, audit records and
 * used TPM contexts included, in one transaction of the target, and
 * then compares each table's row count (store/copy.c). The target must
 * be empty unless force (then its rows are deleted first, in the same
 * transaction). report (may be NULL) receives one line per table. */
int att_store_copy(struct att_store *from, struct att_store *to, bool force,
		   void (*report)(void *arg, const char *table, long long n),
		   void *arg, struct att_diag *d);

/* att_store_close closes the backend and frees s; accepts NULL. */
void att_store_close(struct att_store *s);

/* Thin wrappers over the ops (same contracts as above). */
int att_store_ping(struct att_store *s, struct att_diag *d);
int att_store_schema_version(struct att_store *s, int *out,
			     struct att_diag *d);
int att_store_provider_add(struct att_store *s,
			   const struct att_store_provider *p,
			   struct att_diag *d);
int att_store_provider_get(struct att_store *s, const char *name,
			   struct att_store_provider *out, struct att_diag *d);
int att_store_provider_list(struct att_store *s,
			    struct att_store_provider **out, size_t *n,
			    struct att_diag *d);
int att_store_provider_set_auth(struct att_store *s, const char *name,
				const char *auth_json, struct att_diag *d);
int att_store_key_add(struct att_store *s, const struct att_store_key *k,
		      int64_t retire_at, struct att_diag *d);
int att_store_key_list(struct att_store *s, const char *provider,
		       struct att_store_key **out, size_t *n,
		       struct att_diag *d);
int att_store_key_gen(struct att_store *s, const char *provider,
		      int64_t *out, struct att_diag *d);
int att_store_policy_get(struct att_store *s, const char *provider,
			 const char *type, struct att_store_policy *out,
			 struct att_diag *d);
int att_store_policy_put(struct att_store *s, const struct att_store_policy *p,
			 const struct att_store_audit *a, struct att_diag *d);
int att_store_policy_delete(struct att_store *s, const char *provider,
			    const char *type, const struct att_store_audit *a,
			    struct att_diag *d);
int att_store_policy_reset(struct att_store *s, const char *provider,
			   const char *type, int64_t iat,
			   const struct att_store_audit *a, struct att_diag *d);
int att_store_policy_iat(struct att_store *s, const char *provider,
			 const char *type, int64_t *out, struct att_diag *d);
int att_store_polcert_add(struct att_store *s,
			  const struct att_store_polcert *c,
			  const struct att_store_audit *a, struct att_diag *d);
int att_store_polcert_remove(struct att_store *s, const char *provider,
			     const char *thumbprint,
			     const struct att_store_audit *a,
			     struct att_diag *d);
int att_store_polcert_list(struct att_store *s, const char *provider,
			   struct att_store_polcert **out, size_t *n,
			   struct att_diag *d);
int att_store_audit_list(struct att_store *s, const char *provider,
			 struct att_store_audit **out, size_t *n,
			 struct att_diag *d);
int att_store_collateral_get(struct att_store *s, const char *key,
			     struct att_store_collateral *out,
			     struct att_diag *d);
int att_store_collateral_put(struct att_store *s,
			     const struct att_store_collateral *c,
			     struct att_diag *d);
int att_store_collateral_list(struct att_store *s, const char *prefix,
			      struct att_store_collateral **out, size_t *n,
			      struct att_diag *d);

int att_store_tpm_settings_get(struct att_store *s, const char *provider,
			       char **json, struct att_diag *d);
int att_store_tpm_settings_put(struct att_store *s, const char *provider,
			       const char *json, struct att_diag *d);
int att_store_tpm_cert_add(struct att_store *s,
			   const struct att_store_tpm_cert *c,
			   struct att_diag *d);
int att_store_tpm_cert_list(struct att_store *s, const char *provider,
			    const char *kind, struct att_store_tpm_cert **out,
			    size_t *n, struct att_diag *d);
int att_store_tpm_ca_get(struct att_store *s, const char *provider,
			 struct att_store_tpm_ca *out, struct att_diag *d);
int att_store_tpm_ca_add(struct att_store *s, const struct att_store_tpm_ca *c,
			 struct att_diag *d);
int att_store_tpm_enrol_put(struct att_store *s,
			    const struct att_store_tpm_enrolment *e,
			    struct att_diag *d);
int att_store_tpm_enrol_get(struct att_store *s, const char *provider,
			    const char *aik_name,
			    struct att_store_tpm_enrolment *out,
			    struct att_diag *d);
int att_store_tpm_ctxkey_get(struct att_store *s, const char *provider,
			     uint8_t **wrapped, size_t *len,
			     struct att_diag *d);
int att_store_tpm_ctxkey_add(struct att_store *s, const char *provider,
			     const uint8_t *wrapped, size_t len, int64_t now,
			     struct att_diag *d);
int att_store_tpm_replay_mark(struct att_store *s, const char *provider,
			      const uint8_t *id, size_t id_len, int64_t exp,
			      int64_t now, size_t max, struct att_diag *d);
int att_store_tpm_import(struct att_store *s,
			 const struct att_store_tpm_import *imp,
			 struct att_diag *d);
int att_store_tpm_wrapped_count(struct att_store *s, size_t *out,
				struct att_diag *d);

#endif
