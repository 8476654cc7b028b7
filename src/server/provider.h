/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Providers (tenants) at run time: each has a name, a base URL (its token
 * issuer, exactly), a mode, its auth settings and its signing keys (a
 * refcounted snapshot reloaded when the store's key generation changes).
 * The registry holds every provider and the default one, and selects the
 * provider of a request: by Host header (first label equals a provider
 * name, "NAME.anything") first, else by path prefix ("/NAME/..." with the
 * prefix stripped), else the default provider.
 */
#ifndef ATT_SERVER_PROVIDER_H
#define ATT_SERVER_PROVIDER_H

#include "base/limits.h"
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "server/provider_limits.h"
#include "verify/compliance.h"
#include "server/ratelimit.h"

struct att_keyset;
struct att_store;

#define ATT_DEFAULT_READER_ROLE "Attestation.Reader"
#define ATT_DEFAULT_CONTRIBUTOR_ROLE "Attestation.Contributor"
#define ATT_DEFAULT_ROLE_CLAIM "roles"
struct att_jwks_source;

/* One trusted OIDC token issuer. Read-only once parsed: a fetched JWKS
 * lives in its source (server/jwks_fetch.h), bound by the server. */
struct att_auth_issuer {
	char *issuer;    /* exact "iss" */
	char *audience;  /* exact "aud" (string or array member) */
	char *jwks_file; /* JWKS from a file (read at load) ... */
	char *jwks_uri;  /* ... or fetched (NULL: discovered via issuer) */
	char *ca_file;   /* CA bundle for fetching (NULL: system) */
	/* Least time between two refetches asked by unknown kids
	 * ("refetch_cooldown_seconds", ATT_JWKS_REFETCH_COOLDOWN_SECONDS). */
	unsigned refetch_cooldown_seconds;
	json_t *jwks; /* fixed JWKS (jwks_file, dev issuer), or NULL */
	struct att_jwks_source *src; /* fetched JWKS, or NULL (unbound) */
};

struct att_auth_settings {
	bool enabled; /* false: authenticated routes are anonymous */
	char *role_claim;
	char *reader_role;
	char *contributor_role;
	struct att_auth_issuer **issuers;
	size_t n_issuers;
};

struct att_provider {
	char *name;
	char *base_url;
	char *mode;
	char *key_type;
	struct att_auth_settings auth;
	struct att_provider_limits limits; /* config providers.NAME.limits */
	/* x-ms-compliance-status floors (config providers.NAME.compliance,
	 * verify/compliance.h); zeroed: no floor, no claim. */
	struct att_compliance_set compliance;
	struct att_ratelimit attest_rate; /* POST /attest/... bucket (zeroed) */
	pthread_mutex_t mu; /* guards keys and key_gen */
	struct att_keyset *keys;
	int64_t key_gen;
};

struct att_registry {
	struct att_provider **v;
	size_t n;
	struct att_provider *def; /* borrowed from v */
};

/* att_auth_settings_parse reads auth settings JSON (docs/configuration.md)
 * into s; missing members take their defaults (enabled, "roles",
 * Attestation.Reader / Attestation.Contributor, no issuers). NULL obj
 * gives the defaults. jwks_file entries are read now; an issuer member
 * that is unknown or out of range is refused, naming it. */
int att_auth_settings_parse(struct att_auth_settings *s, json_t *obj,
			    struct att_diag *d);
void att_auth_settings_release(struct att_auth_settings *s);
/* att_auth_add_issuer appends a trusted issuer with a fixed JWKS (a new
 * reference is taken). */
int att_auth_add_issuer(struct att_auth_settings *s, const char *issuer,
			const char *audience, json_t *jwks);

/* att_provider_name_valid: 1-63 of [a-z0-9-], not starting with '-', and
 * not a reserved first path segment (certs, policies, attest, ...). */
bool att_provider_name_valid(const char *name);

/* att_provider_new makes a run-time provider from stored fields; the auth
 * settings come from auth_json (stored) unless override (config) is not
 * NULL. Limits take their defaults (att_provider_limits_parse sets them
 * from the config). Keys are loaded later (att_keys_current). */
int att_provider_new(struct att_provider **out, const char *name,
		     const char *base_url, const char *mode,
		     const char *key_type, const char *auth_json,
		     json_t *override, struct att_diag *d);
void att_provider_free(struct att_provider *p);

/* att_registry_load builds a registry from every provider in the store;
 * config_providers is the config file's "providers" object (or NULL);
 * default_name names the default provider (must exist). */
int att_registry_load(struct att_registry **out, struct att_store *store,
		      json_t *config_providers, const char *default_name,
		      struct att_diag *d);
/* att_registry_add appends p (ownership transferred) — for tests. */
int att_registry_add(struct att_registry *r, struct att_provider *p);
void att_registry_free(struct att_registry *r);
struct att_provider *att_registry_find(const struct att_registry *r,
				       const char *name, size_t name_len);

/* att_provider_select picks the provider for a request: Host's first
 * label (before '.' or ':'), then the first path segment, then the
 * default. *rest is path with a matched prefix removed ("/" when
 * nothing is left). Returns NULL only when there is no default. */
struct att_provider *att_provider_select(const struct att_registry *r,
					 const char *host, const char *path,
					 const char **rest);

#endif
