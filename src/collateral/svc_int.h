/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the collateral service shared by its files: the memory
 * cache (entries per FMSPC+CA+TEE key, reference-counted parsed sets, the
 * in-flight flag that coalesces loads), the loader that assembles a set
 * from store and PCS, and the service struct. Every att_colcache_*
 * function expects the caller to hold svc->mu.
 */
#ifndef ATT_COLLATERAL_SVC_INT_H
#define ATT_COLLATERAL_SVC_INT_H

#include "base/limits.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "collateral/items.h"
#include "collateral/pcs.h"
#include "collateral/service.h"

#define ATT_COLKEY_LEN 40
#define ATT_COLCACHE_BUCKETS 256
#define ATT_COLQINFO_SLOTS 64 /* quote -> key memo */

/* A set of collateral for one key. */
struct att_colkey {
	enum att_dcap_tee tee;
	uint8_t fmspc[6];
	enum att_dcap_ca ca;
	char str[ATT_COLKEY_LEN]; /* "sgx/00606A000000/platform" */
};

void att_colkey_format(struct att_colkey *k);

/* A parsed set, shared by the cache and every caller holding it. */
struct att_colobj {
	struct att_dcap_collateral *col;
	unsigned refs;
	char key[ATT_COLKEY_LEN];
	int64_t valid_until, refresh_at;
	char first_expiry[ATT_COLITEM_WHAT_LEN];
	uint8_t digest[32];
	struct att_colobj *pnext; /* pointer-map chain */
};

struct att_colentry {
	struct att_colkey key;
	struct att_colobj *obj;   /* current set, or NULL */
	bool loading;             /* a load or refresh is in flight */
	bool queued;              /* waiting in the refresh queue */
	bool stale;               /* the last refresh failed */
	int64_t queued_now;       /* the `now` the refresh runs at */
	int64_t retry_after;      /* no refresh before this */
	int fail_code;            /* remembered failure of a fetch ... */
	int64_t fail_until;       /* ... until this time */
	char fail_msg[ATT_DIAG_LEN];
	uint64_t used;            /* LRU tick */
	struct att_colentry *next, *qnext;
};

struct att_colcache {
	struct att_colentry *buckets[ATT_COLCACHE_BUCKETS];
	struct att_colobj *objs[ATT_COLCACHE_BUCKETS];
	size_t n, max;
	uint64_t tick;
};

void att_colcache_init(struct att_colcache *c, size_t max);
void att_colcache_destroy(struct att_colcache *c);
struct att_colentry *att_colcache_find(struct att_colcache *c, const char *key);
/* Adds an entry, evicting the least recently used idle one when full;
 * NULL when every entry is busy or memory is short. */
struct att_colentry *att_colcache_add(struct att_colcache *c,
				      const struct att_colkey *k);
/* Registers a new set (refs = 1, the caller's). NULL on ENOMEM (col is
 * then freed). */
struct att_colset;
struct att_colobj *att_colobj_new(struct att_colcache *c,
				  struct att_colset *set, const char *key);
void att_colobj_unref(struct att_colcache *c, struct att_colobj *o);
struct att_colobj *att_colcache_obj_of(struct att_colcache *c,
				       const struct att_dcap_collateral *col);
/* e takes a reference to o (may be NULL) and drops its old set. */
void att_colcache_install(struct att_colcache *c, struct att_colentry *e,
			  struct att_colobj *o);
/* Drops every entry's set and remembered failure. */
void att_colcache_drop_all(struct att_colcache *c);

struct att_colqinfo {
	bool used;
	uint8_t hash[32]; /* SHA-256 of the PCK certificate data */
	bool tdx;
	struct att_colkey key;
};

struct att_collateral_svc {
	pthread_mutex_t mu;
	pthread_cond_t changed; /* a load finished, the worker went idle */
	pthread_cond_t work;    /* the refresh queue got an entry */
	struct att_store *store;
	bool own_store;
	bool online;
	struct att_pcs_conf pcs;
	char *base_url, *root_crl_url, *ca_file; /* owned copies */
	int64_t margin, retry;
	unsigned percent;
	bool serve_expired;
	struct att_colcache cache;
	struct att_colentry *qhead, *qtail;
	bool worker_started, worker_busy, stop;
	pthread_t worker;
	struct att_colqinfo qinfo[ATT_COLQINFO_SLOTS];
	_Atomic uint64_t hits, misses, coalesced, fetches, fetch_failures,
		stale_served, refreshes, errors;
};

/* What one load did. */
struct att_colload {
	int64_t now;
	bool refresh;    /* refresh items that are due, not only expired */
	bool fetch_tried;
	bool stale;      /* a fetch failed; a still-valid stored item served */
};

struct att_colset {
	struct att_dcap_collateral *col; /* NULL when unchanged */
	int64_t valid_until, refresh_at;
	char first_expiry[ATT_COLITEM_WHAT_LEN];
	uint8_t digest[32]; /* of the raw items the set is made of */
};

/* att_colload_set assembles the set for k from the store, fetching what
 * is missing, expired (or, when refreshing, due) if the service is
 * online, and storing what it fetched. When same_as (the digest of the
 * current set) matches, nothing is parsed and out->col stays NULL. */
int att_colload_set(struct att_collateral_svc *svc, const struct att_colkey *k,
		    const uint8_t *same_as, struct att_colload *l,
		    struct att_colset *out, struct att_diag *d);

/* The in-memory store used when the service has none (memstore.c). */
int att_colmem_store_new(struct att_store **out);

#endif
