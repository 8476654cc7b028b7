/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled-policy cache of the attestation routes (policy_cache.h):
 * one entry per (provider, type), holding the compiled policy of the
 * stored JWS whose hash it names (or of the type's default), stamped with
 * when it was last found to match the stored row (monotonic time and the
 * process's store write count, both taken before that store read). A
 * fresh stamp serves the entry without touching the store. Lookups and
 * replacements run under one mutex; compiling runs outside it, so a slow
 * compile never blocks requests of other providers (two threads missing
 * at once both compile, the second replaces the first: harmless; an entry
 * published from an older store read carries that read's older stamp, so
 * the next request checks again).
 */
#include "verify/policy_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "policy/defaults.h"
#include "store/store.h"
#include "token/jwks.h"
#include "token/jws.h"

struct entry {
	char *provider;
	char *type;
	char *key; /* stored JWS hash or ATT_POLICY_CACHE_DEFAULT */
	struct att_cached_policy *p;
	uint64_t used;
	int64_t checked_ms;      /* monotonic, before the store read */
	uint64_t checked_writes; /* att_store_change_count() then */
};

/* When a store read happened: the stamps an entry is checked against. */
struct stamp {
	int64_t ms;
	uint64_t writes;
};

static struct stamp stamp_now(const struct att_store *store)
{
	struct timespec ts;
	struct stamp s;
	s.writes = att_store_change_count(store); /* first: see the header */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s.ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return s;
}

struct att_policy_cache {
	pthread_mutex_t mu;
	struct entry *v;
	size_t n, cap, max;
	uint64_t tick;
	unsigned long long hits, compiles;
};

int att_policy_cache_new(struct att_policy_cache **out, size_t max_entries)
{
	struct att_policy_cache *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return ATT_ERR_NOMEM;
	pthread_mutex_init(&c->mu, NULL);
	c->max = max_entries ? max_entries : ATT_POLICY_CACHE_MAX;
	*out = c;
	return 0;
}

static void entry_release(struct entry *e)
{
	free(e->provider);
	free(e->type);
	free(e->key);
	att_cached_policy_unref(e->p);
	memset(e, 0, sizeof(*e));
}

void att_policy_cache_free(struct att_policy_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_release(&c->v[i]);
	free(c->v);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void att_cached_policy_unref(struct att_cached_policy *p)
{
	if (!p || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	att_policy_free(p->policy);
	json_decref(p->signer);
	free(p);
}

struct att_cached_policy *att_cached_policy_ref(struct att_cached_policy *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	return p;
}

int att_cached_policy_compile(struct att_cached_policy **out,
			      const char *text, size_t len,
			      struct att_policy_error *err,
			      struct att_diag *d)
{
	return att_cached_policy_compile_limited(out, text, len, NULL, err, d);
}

int att_cached_policy_compile_limited(struct att_cached_policy **out,
				      const char *text, size_t len,
				      const struct att_policy_limits *lim,
				      struct att_policy_error *err,
				      struct att_diag *d)
{
	struct att_cached_policy *p = calloc(1, sizeof(*p));
	*out = NULL;
	if (!p)
		return ATT_ERR_NOMEM;
	p->refs = 1;
	int r = att_policy_compile_limited(&p->policy, text, len, lim, err, d);
	if (!r && (r = att_policy_hash(p->hash, text, len)) != 0)
		att_diag_set(d, r, "cannot hash the policy text");
	if (r) {
		att_cached_policy_unref(p);
		return r;
	}
	*out = p;
	return 0;
}

/* signer_jwk makes x-ms-policy-signer from a signed JWS's header x5c. */
static int signer_jwk(json_t **out, const struct att_jws *j,
		      struct att_diag *d)
{
	struct att_pkey *key = NULL;
	struct att_cert *leaf = NULL;
	*out = NULL;
	int r = att_jws_header_x5c_key(&key, &leaf, j, d);
	if (r == ATT_ERR_NOT_FOUND)
		return 0; /* signed without a certificate: no signer to name */
	if (!r) {
		enum att_jws_alg alg = j->alg;
		if (alg == ATT_JWS_NONE || alg == ATT_JWS_UNKNOWN ||
		    !att_jws_alg_fits_key(alg, key))
			alg = att_jws_alg_for_key(key);
		r = att_jwk_public_entry_alg(out, key, &leaf, 1, NULL, alg);
	}
	att_pkey_free(key);
	att_cert_free(leaf);
	return r;
}

/* policy_string decodes the AttestationPolicy member: b64url(text), or,
 * in the legacy preview format, the text itself. */
static int policy_string(char **text, size_t *len, const char *s)
{
	uint8_t *raw = NULL;
	size_t n = 0;
	if (att_b64_decode(&raw, &n, s, strlen(s)) == 0 &&
	    memchr(raw, 0, n) == NULL) {
		*text = (char *)raw;
		*len = n;
		return 0;
	}
	free(raw);
	*text = strdup(s);
	*len = strlen(s);
	return *text ? 0 : ATT_ERR_NOMEM;
}

static void b64url_sha256(char out[static ATT_POLICY_HASH_LEN],
			  const void *p, size_t n)
{
	uint8_t h[32];
	att_sha256(h, p, n);
	char *s = att_b64url_encode(h, sizeof(h));
	snprintf(out, ATT_POLICY_HASH_LEN, "%s", s ? s : "");
	free(s);
}

int att_policy_text_from_jws(char **text, size_t *len,
			     char hash[static ATT_POLICY_HASH_LEN],
			     json_t **signer, const char *jws,
			     struct att_diag *d)
{
	struct att_jws j;
	json_t *pl = NULL;
	*text = NULL;
	*signer = NULL;
	int r = att_jws_parse(&j, jws, strlen(jws), d);
	if (r)
		return r;
	pl = json_loadb((const char *)j.payload, j.payload_len,
			JSON_REJECT_DUPLICATES, NULL);
	const char *s = json_string_value(json_object_get(pl,
							  "AttestationPolicy"));
	if (!s) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "the stored policy JWS has no "
				 "AttestationPolicy string");
		goto out;
	}
	b64url_sha256(hash, s, strlen(s));
	if ((r = policy_string(text, len, s)) != 0)
		goto out;
	if (!att_jws_is_unsigned(&j) && (r = signer_jwk(signer, &j, d)) != 0)
		att_diag_set(d, r, "the stored policy's signer certificate is "
				   "unusable");
out:
	if (r) {
		free(*text);
		*text = NULL;
	}
	json_decref(pl);
	att_jws_release(&j);
	return r;
}

/* load builds the entry for a stored JWS (jws != NULL) or the default. */
static int load(struct att_cached_policy **out, const char *type,
		const char *jws, const struct att_policy_limits *lim,
		enum att_policy_fail *fail, struct att_policy_error *err,
		struct att_diag *d)
{
	if (!jws) {
		const char *text = att_policy_default_text(type);
		if (!text) {
			*fail = ATT_POLICY_FAIL_NO_POLICY;
			return att_diag_set(d, ATT_ERR_NOT_FOUND,
					    "no policy has been set for "
					    "attestation type %s on this "
					    "provider, and it has no default",
					    type);
		}
		int r = att_cached_policy_compile_limited(out, text,
							  strlen(text), lim,
							  err, d);
		if (r)
			*fail = r == ATT_ERR_LIMIT ? ATT_POLICY_FAIL_PARSE
						   : ATT_POLICY_FAIL_INTERNAL;
		else
			(*out)->is_default = true;
		return r;
	}
	char *text = NULL;
	size_t len = 0;
	char hash[ATT_POLICY_HASH_LEN];
	json_t *signer = NULL;
	int r = att_policy_text_from_jws(&text, &len, hash, &signer, jws, d);
	if (!r)
		r = att_cached_policy_compile_limited(out, text, len, lim, err,
						      d);
	if (r) {
		*fail = r == ATT_ERR_NOMEM ? ATT_POLICY_FAIL_INTERNAL
					   : ATT_POLICY_FAIL_STORED;
		json_decref(signer);
	} else {
		memcpy((*out)->hash, hash, sizeof(hash)); /* the stored bytes' */
		(*out)->signer = signer; /* transferred */
	}
	free(text);
	return r;
}

static struct entry *find(struct att_policy_cache *c, const char *provider,
			  const char *type)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].type, type) &&
		    !strcmp(c->v[i].provider, provider))
			return &c->v[i];
	return NULL;
}

/* slot returns a free entry, growing the array or evicting the least
 * recently used one. Called under the mutex. */
static struct entry *slot(struct att_policy_cache *c)
{
	if (c->n < c->max) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 16;
			struct entry *v = realloc(c->v, cap * sizeof(*v));
			if (!v)
				return NULL;
			c->v = v;
			c->cap = cap;
		}
		memset(&c->v[c->n], 0, sizeof(c->v[0]));
		return &c->v[c->n++];
	}
	struct entry *lru = &c->v[0];
	for (size_t i = 1; i < c->n; i++)
		if (c->v[i].used < lru->used)
			lru = &c->v[i];
	entry_release(lru);
	return lru;
}

/* publish stores p as the entry of (provider, type, key); on failure the
 * cache is unchanged (p is still returned to the caller). */
static void publish(struct att_policy_cache *c, const char *provider,
		    const char *type, const char *key,
		    struct att_cached_policy *p, struct stamp st)
{
	char *k = strdup(key), *pv = strdup(provider), *ty = strdup(type);
	if (!k || !pv || !ty)
		goto out;
	pthread_mutex_lock(&c->mu);
	c->compiles++;
	struct entry *e = find(c, provider, type);
	if (e) {
		free(e->key);
		att_cached_policy_unref(e->p);
	} else if ((e = slot(c)) != NULL) {
		e->provider = pv;
		e->type = ty;
		pv = ty = NULL; /* transferred */
	}
	if (e) {
		e->key = k;
		k = NULL; /* transferred */
		e->p = att_cached_policy_ref(p);
		e->used = ++c->tick;
		e->checked_ms = st.ms;
		e->checked_writes = st.writes;
	}
	pthread_mutex_unlock(&c->mu);
out:
	free(k);
	free(pv);
	free(ty);
}

static void hit(struct att_policy_cache *c, struct entry *e,
		struct att_cached_policy **out)
{
	*out = att_cached_policy_ref(e->p);
	e->used = ++c->tick;
	c->hits++;
}

/* lookup_fresh serves (provider, type) without the store when its entry
 * was checked less than recheck_ms before st and the store's change
 * count has not moved since; any entry at all when stale is set (the
 * database cannot be reached: docs/deployment.md "Database outages"). */
static bool lookup_fresh(struct att_policy_cache *c, const char *provider,
			 const char *type, struct stamp st, int64_t recheck_ms,
			 bool stale, struct att_cached_policy **out)
{
	pthread_mutex_lock(&c->mu);
	struct entry *e = find(c, provider, type);
	bool fresh = e && (stale || (e->checked_writes == st.writes &&
				     st.ms - e->checked_ms < recheck_ms));
	if (fresh)
		hit(c, e, out);
	pthread_mutex_unlock(&c->mu);
	return fresh;
}

/* lookup serves the entry when it is still the one the store names (key)
 * and renews its stamp to st, the store read that said so. */
static bool lookup(struct att_policy_cache *c, const char *provider,
		   const char *type, const char *key, struct stamp st,
		   struct att_cached_policy **out)
{
	pthread_mutex_lock(&c->mu);
	struct entry *e = find(c, provider, type);
	bool found = e && !strcmp(e->key, key);
	if (found) {
		hit(c, e, out);
		e->checked_ms = st.ms;
		e->checked_writes = st.writes;
	}
	pthread_mutex_unlock(&c->mu);
	return found;
}

int att_policy_cache_get(struct att_policy_cache *c, struct att_store *store,
			 const char *provider, const char *type,
			 struct att_cached_policy **out,
			 enum att_policy_fail *fail,
			 struct att_policy_error *err, struct att_diag *d)
{
	return att_policy_cache_get_limited(c, store, provider, type, NULL,
					    out, fail, err, d);
}

int att_policy_cache_get_limited(struct att_policy_cache *c,
				 struct att_store *store, const char *provider,
				 const char *type,
				 const struct att_policy_limits *lim,
				 struct att_cached_policy **out,
				 enum att_policy_fail *fail,
				 struct att_policy_error *err,
				 struct att_diag *d)
{
	struct att_store_policy row = {0};
	*out = NULL;
	*fail = ATT_POLICY_FAIL_NONE;
	struct stamp st = stamp_now(store);
	int64_t recheck = att_store_recheck_ms(store, ATT_POLICY_RECHECK_MS);
	if (lookup_fresh(c, provider, type, st, recheck,
			 att_store_unavailable(store), out))
		return 0;
	struct att_diag sd = {0};
	int r = att_store_policy_get(store, provider, type, &row, &sd);
	/* A policy compiled before the database went away is still the
	 * policy of record: nothing can change it while no node reaches
	 * the database. */
	if (att_store_diag_unavailable(r, &sd) &&
	    lookup_fresh(c, provider, type, st, recheck, true, out))
		return 0;
	if (r && r != ATT_ERR_NOT_FOUND) {
		*fail = ATT_POLICY_FAIL_INTERNAL;
		return att_diag_set(d, r, "cannot read the %s policy: %s", type,
				    att_diag_msg(&sd));
	}
	bool stored = r == 0;
	const char *key = stored ? row.hash : ATT_POLICY_CACHE_DEFAULT;
	r = 0;
	if (!lookup(c, provider, type, key, st, out)) {
		r = load(out, type, stored ? row.jws : NULL, lim, fail, err,
			 d);
		if (!r)
			publish(c, provider, type, key, *out, st);
	}
	att_store_policy_release(&row);
	return r;
}

void att_policy_cache_stats(struct att_policy_cache *c,
			    struct att_policy_cache_stats *out)
{
	pthread_mutex_lock(&c->mu);
	out->hits = c->hits;
	out->compiles = c->compiles;
	out->entries = c->n;
	pthread_mutex_unlock(&c->mu);
}
