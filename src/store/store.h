/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store: attestd's persistent state (providers, their signing keys,
 * policies, policy management certificates, the audit log and a collateral
 * cache) behind an ops table, so that a PostgreSQL backend can implement
 * the same struct att_store_ops later. The SQLite backend
 * (att_store_open_sqlite) is the default. Every write runs in one
 * transaction and either happens completely or not at all. A store may be
 * shared by all threads of the server: the backend serialises access (the
 * SQLite backend holds one connection behind a mutex).
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
	 * record (if a is not NULL) in one transaction. */
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

#endif
