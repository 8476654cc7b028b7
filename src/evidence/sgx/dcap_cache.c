/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DCAP verification cache: results of expensive, time-independent
 * work (a PCK chain verified with its CRLs, a TCB Info or QE Identity
 * verified with its signing chain and the Root CA CRL), keyed by SHA-256
 * of the content that produced them and valid only inside the window in
 * which every item involved was valid. A lookup at a time outside the
 * window misses, so the full verification (with its errors or expiry
 * flags) runs again. A PCK entry keeps a prepared EVP_PKEY (by reference),
 * so a warm quote needs no PEM or ASN.1 parsing. One mutex; chained hash
 * buckets; the least recently used entry is evicted when full.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "evidence/sgx/dcap_int.h"

#define NBUCKETS 256

struct entry {
	struct entry *next;
	uint8_t key[32];
	int64_t from, until;
	uint64_t used;
	bool has_pck;
	struct att_dcap_pck pck;
};

struct att_dcap_cache {
	pthread_mutex_t mu;
	struct entry *buckets[NBUCKETS];
	size_t n, max;
	uint64_t tick, hits, misses;
};

void att_dcap_pck_release(struct att_dcap_pck *p)
{
	att_pkey_free(p->key);
	p->key = NULL;
}

int att_dcap_cache_new(struct att_dcap_cache **out, size_t max_entries)
{
	struct att_dcap_cache *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return ATT_ERR_NOMEM;
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		free(c);
		return ATT_ERR_INTERNAL;
	}
	c->max = max_entries ? max_entries : ATT_DCAP_CACHE_DEFAULT;
	*out = c;
	return 0;
}

static void entry_free(struct entry *e)
{
	if (e->has_pck)
		att_dcap_pck_release(&e->pck);
	free(e);
}

void att_dcap_cache_free(struct att_dcap_cache *c)
{
	if (!c)
		return;
	for (size_t b = 0; b < NBUCKETS; b++)
		for (struct entry *e = c->buckets[b], *n; e; e = n) {
			n = e->next;
			entry_free(e);
		}
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void att_dcap_cache_stats(const struct att_dcap_cache *c,
			  struct att_dcap_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	pthread_mutex_t *mu = (pthread_mutex_t *)&c->mu;
	pthread_mutex_lock(mu);
	out->hits = c->hits;
	out->misses = c->misses;
	out->entries = c->n;
	pthread_mutex_unlock(mu);
}

static struct entry **slot(struct att_dcap_cache *c, const uint8_t key[32])
{
	struct entry **p = &c->buckets[key[0]];
	while (*p && memcmp((*p)->key, key, 32) != 0)
		p = &(*p)->next;
	return p;
}

/* Finds a live entry for time `at`; called with the mutex held. */
static struct entry *find(struct att_dcap_cache *c, const uint8_t key[32],
			  int64_t at)
{
	struct entry *e = *slot(c, key);
	if (!e || at < e->from || at > e->until) {
		c->misses++;
		return NULL;
	}
	e->used = ++c->tick;
	c->hits++;
	return e;
}

static void evict_lru(struct att_dcap_cache *c)
{
	struct entry **victim = NULL;
	for (size_t b = 0; b < NBUCKETS; b++)
		for (struct entry **p = &c->buckets[b]; *p; p = &(*p)->next)
			if (!victim || (*p)->used < (*victim)->used)
				victim = p;
	if (victim) {
		struct entry *e = *victim;
		*victim = e->next;
		entry_free(e);
		c->n--;
	}
}

/* Inserts or replaces; takes ownership of e. Mutex held. */
static void insert(struct att_dcap_cache *c, struct entry *e)
{
	struct entry **p = slot(c, e->key);
	if (*p) {
		struct entry *old = *p;
		e->next = old->next;
		*p = e;
		entry_free(old);
		return;
	}
	if (c->n >= c->max)
		evict_lru(c);
	p = &c->buckets[e->key[0]];
	e->next = *p;
	*p = e;
	c->n++;
}

bool att_dcap_cache_has(struct att_dcap_cache *c, const uint8_t key[32],
			int64_t at)
{
	if (!c)
		return false;
	pthread_mutex_lock(&c->mu);
	bool hit = find(c, key, at) != NULL;
	pthread_mutex_unlock(&c->mu);
	return hit;
}

bool att_dcap_cache_get_pck(struct att_dcap_cache *c, const uint8_t key[32],
			    int64_t at, struct att_dcap_pck *out)
{
	if (!c)
		return false;
	pthread_mutex_lock(&c->mu);
	struct entry *e = find(c, key, at);
	bool hit = false;
	if (e && e->has_pck) {
		*out = e->pck;
		out->key = att_pkey_dup(e->pck.key);
		hit = out->key != NULL; /* no memory: a miss */
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

static struct entry *entry_new(const uint8_t key[32], int64_t from,
			       int64_t until)
{
	struct entry *e = calloc(1, sizeof(*e));
	if (e) {
		memcpy(e->key, key, 32);
		e->from = from;
		e->until = until;
	}
	return e;
}

void att_dcap_cache_put(struct att_dcap_cache *c, const uint8_t key[32],
			int64_t valid_from, int64_t valid_until)
{
	struct entry *e;
	if (!c || valid_from > valid_until ||
	    !(e = entry_new(key, valid_from, valid_until)))
		return; /* a cache that cannot store just misses later */
	pthread_mutex_lock(&c->mu);
	e->used = ++c->tick;
	insert(c, e);
	pthread_mutex_unlock(&c->mu);
}

void att_dcap_cache_put_pck(struct att_dcap_cache *c, const uint8_t key[32],
			    const struct att_dcap_pck *p)
{
	struct entry *e;
	if (!c || p->valid_from > p->valid_until ||
	    !(e = entry_new(key, p->valid_from, p->valid_until)))
		return;
	e->has_pck = true;
	e->pck = *p;
	if (!(e->pck.key = att_pkey_dup(p->key))) {
		free(e);
		return;
	}
	pthread_mutex_lock(&c->mu);
	e->used = ++c->tick;
	insert(c, e);
	pthread_mutex_unlock(&c->mu);
}
