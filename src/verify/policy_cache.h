/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiled attestation policies, cached per (provider, attestation type)
 * and keyed by the identity of what is stored: the stored policy JWS's
 * hash (att_store_policy.hash), or "default" when the provider has none.
 * An entry is used without reading the store while it was checked
 * against the stored row less than att_store_recheck_ms(store,
 * ATT_POLICY_RECHECK_MS) ago and the store's change count has not moved
 * since (store.h "Cache coherence": this process's writes, and other
 * nodes' once the store's watcher runs), and also, with no store read,
 * while the database cannot be reached (att_store_unavailable);
 * otherwise the stored row is read again (one indexed SQLite read) and
 * the entry kept when the hash is the same, recompiled when not. So a
 * policy set or reset through this process (PUT /policies,
 * POST /policies/{type}:reset, or any other store write of this process)
 * is used by the very next request; one set by another process sharing
 * the database (a second attestd) is used as soon as the watcher hears
 * of it, else within ATT_POLICY_RECHECK_MS.
 * An unchanged policy is never parsed or compiled again. An entry is an
 * immutable, reference-counted snapshot (compiled policy, x-ms-policy-hash,
 * x-ms-policy-signer), so a request keeps using the policy it started
 * with while another thread replaces it.
 */
#ifndef ATT_VERIFY_POLICY_CACHE_H
#define ATT_VERIFY_POLICY_CACHE_H

#include "base/limits.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "policy/policy.h"

/* Key part for a provider that has no stored policy of the type. */
#define ATT_POLICY_CACHE_DEFAULT "default"

struct att_policy_cache;
struct att_store;

/* One compiled policy. Read-only once published. */
struct att_cached_policy {
	int refs; /* atomic */
	struct att_policy *policy;
	char hash[ATT_POLICY_HASH_LEN]; /* x-ms-policy-hash */
	json_t *signer; /* x-ms-policy-signer (JWK) or NULL when unsigned */
	bool is_default;
};

/* Why a policy could not be produced (for the HTTP answer). */
enum att_policy_fail {
	ATT_POLICY_FAIL_NONE,
	ATT_POLICY_FAIL_NO_POLICY, /* the type has no default (Tpm) */
	ATT_POLICY_FAIL_STORED,    /* the stored JWS / text is unusable */
	ATT_POLICY_FAIL_PARSE,     /* compile error (err has line/col) */
	ATT_POLICY_FAIL_INTERNAL,  /* store or memory */
};

int att_policy_cache_new(struct att_policy_cache **out, size_t max_entries);
void att_policy_cache_free(struct att_policy_cache *c);

/* att_policy_cache_get returns (a new reference to) the compiled policy
 * the provider uses for type: its stored policy, else the default of the
 * type. On failure *fail says which kind, err has the compile position
 * (ATT_POLICY_FAIL_PARSE) and d the message. */
int att_policy_cache_get(struct att_policy_cache *c, struct att_store *store,
			 const char *provider, const char *type,
			 struct att_cached_policy **out,
			 enum att_policy_fail *fail,
			 struct att_policy_error *err, struct att_diag *d);

/* att_policy_cache_get_limited is att_policy_cache_get compiling within
 * the provider's compile limits (NULL: the hard limits only). A provider's
 * limits are fixed for the life of the process, so entries need not be
 * keyed by them. A policy over the limits is ATT_POLICY_FAIL_STORED (or
 * _PARSE for a default) with err->limit naming the limit. */
int att_policy_cache_get_limited(struct att_policy_cache *c,
				 struct att_store *store, const char *provider,
				 const char *type,
				 const struct att_policy_limits *lim,
				 struct att_cached_policy **out,
				 enum att_policy_fail *fail,
				 struct att_policy_error *err,
				 struct att_diag *d);

/* att_cached_policy_compile makes an uncached entry from policy text
 * (draftPolicyForAttestation): compiled, hashed, unsigned. */
int att_cached_policy_compile(struct att_cached_policy **out,
			      const char *text, size_t len,
			      struct att_policy_error *err,
			      struct att_diag *d);
/* ... within lim (NULL: the hard limits only). */
int att_cached_policy_compile_limited(struct att_cached_policy **out,
				      const char *text, size_t len,
				      const struct att_policy_limits *lim,
				      struct att_policy_error *err,
				      struct att_diag *d);

void att_cached_policy_unref(struct att_cached_policy *p);
/* att_cached_policy_ref takes one more reference to p and returns it. */
struct att_cached_policy *att_cached_policy_ref(struct att_cached_policy *p);

/* att_policy_text_from_jws extracts the policy text of a stored policy
 * JWS (payload {"AttestationPolicy": b64url(text)}): *text is malloc'd
 * and NUL-terminated, hash gets x-ms-policy-hash (SHA-256 of the exact
 * AttestationPolicy string), *signer the signer JWK or NULL. */
int att_policy_text_from_jws(char **text, size_t *len,
			     char hash[static ATT_POLICY_HASH_LEN],
			     json_t **signer, const char *jws,
			     struct att_diag *d);

struct att_policy_cache_stats {
	unsigned long long hits;
	unsigned long long compiles;
	size_t entries;
};
void att_policy_cache_stats(struct att_policy_cache *c,
			    struct att_policy_cache_stats *out);

#endif
