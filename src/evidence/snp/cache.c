/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP verification cache (cache.h): verified chains and parsed
 * VcekCertChain texts in one table of chained hash buckets under one
 * mutex, the least recently used entry evicted when full, as the DCAP
 * cache does (evidence/sgx/dcap_cache.c). Entries hand out new references
 * (public keys, certificates), never borrowed pointers, so an eviction in
 * another thread cannot pull an object from under a verification.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "evidence/snp/cache_int.h"

#define NBUCKETS 256

enum kind { KIND_CHAIN, KIND_PEM };

struct entry {
	struct entry *next;
	enum kind kind;
	uint8_t key[32];
	int64_t from, until;
	uint64_t used;
	/* KIND_CHAIN */
	struct att_snp_chain_info info;
	struct att_x509_crl **crls; /* references held for their identity */
	size_t n_crls;
	/* KIND_PEM */
	struct att_cert **certs;
	size_t n_certs;
};

struct att_snp_cache {
	pthread_mutex_t mu;
	struct entry *buckets[NBUCKETS];
	size_t n, max;
	uint64_t tick, hits, misses, pem_hits, pem_misses;
};

void att_snp_vek_facts_release(struct att_snp_vek_facts *f)
{
	att_pkey_free(f->key);
	f->key = NULL;
}

int att_snp_cache_new(struct att_snp_cache **out, size_t max_entries)
{
	struct att_snp_cache *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return ATT_ERR_NOMEM;
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		free(c);
		return ATT_ERR_INTERNAL;
	}
	c->max = max_entries ? max_entries : ATT_SNP_CACHE_DEFAULT;
	*out = c;
	return 0;
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	att_snp_vek_facts_release(&e->info.facts);
	for (size_t i = 0; i < e->n_crls; i++)
		att_x509_crl_free(e->crls[i]);
	free(e->crls);
	att_cert_chain_free(e->certs, e->n_certs);
	free(e);
}

/* Frees every entry; mutex held (or the cache private). */
static void drop_all(struct att_snp_cache *c)
{
	for (size_t b = 0; b < NBUCKETS; b++) {
		for (struct entry *e = c->buckets[b], *n; e; e = n) {
			n = e->next;
			entry_free(e);
		}
		c->buckets[b] = NULL;
	}
	c->n = 0;
}

void att_snp_cache_free(struct att_snp_cache *c)
{
	if (!c)
		return;
	drop_all(c);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void att_snp_cache_clear(struct att_snp_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	drop_all(c);
	pthread_mutex_unlock(&c->mu);
}

void att_snp_cache_stats(const struct att_snp_cache *c,
			 struct att_snp_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!c)
		return;
	pthread_mutex_t *mu = (pthread_mutex_t *)&c->mu;
	pthread_mutex_lock(mu);
	out->hits = c->hits;
	out->misses = c->misses;
	out->pem_hits = c->pem_hits;
	out->pem_misses = c->pem_misses;
	out->entries = c->n;
	pthread_mutex_unlock(mu);
}

static struct entry **slot(struct att_snp_cache *c, enum kind k,
			   const uint8_t key[32])
{
	struct entry **p = &c->buckets[key[0]];
	while (*p && ((*p)->kind != k || memcmp((*p)->key, key, 32) != 0))
		p = &(*p)->next;
	return p;
}

/* The entry of (k, key) live at time at; mutex held. */
static struct entry *find(struct att_snp_cache *c, enum kind k,
			  const uint8_t key[32], int64_t at)
{
	struct entry *e = *slot(c, k, key);
	if (!e || at < e->from || at > e->until)
		return NULL;
	e->used = ++c->tick;
	return e;
}

static void evict_lru(struct att_snp_cache *c)
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

/* Inserts or replaces; takes ownership of e. */
static void insert(struct att_snp_cache *c, struct entry *e)
{
	pthread_mutex_lock(&c->mu);
	e->used = ++c->tick;
	struct entry **p = slot(c, e->kind, e->key), *old = *p;
	if (old) {
		e->next = old->next;
		*p = e;
	} else {
		if (c->n >= c->max)
			evict_lru(c);
		p = &c->buckets[e->key[0]];
		e->next = *p;
		*p = e;
		c->n++;
	}
	pthread_mutex_unlock(&c->mu);
	entry_free(old); /* outside the lock: frees can be slow */
}

bool att_snp_cache_get_chain(struct att_snp_cache *c, const uint8_t key[32],
			     int64_t at, struct att_snp_chain_info *out)
{
	bool hit = false;
	memset(out, 0, sizeof(*out));
	if (!c)
		return false;
	pthread_mutex_lock(&c->mu);
	struct entry *e = find(c, KIND_CHAIN, key, at);
	if (e) {
		*out = e->info;
		out->facts.key = NULL;
		/* a readable key is handed out by reference; no memory for
		 * the reference: a miss */
		if (e->info.facts.key)
			out->facts.key = att_pkey_dup(e->info.facts.key);
		hit = !e->info.facts.key || out->facts.key != NULL;
	}
	if (hit)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void att_snp_cache_put_chain(struct att_snp_cache *c, const uint8_t key[32],
			     int64_t from, int64_t until,
			     const struct att_snp_chain_info *info,
			     struct att_x509_crl *const *crls, size_t n_crls)
{
	struct entry *e;
	if (!c || from > until || !(e = calloc(1, sizeof(*e))))
		return; /* a cache that cannot store just misses later */
	e->kind = KIND_CHAIN;
	memcpy(e->key, key, 32);
	e->from = from;
	e->until = until;
	e->info = *info;
	e->info.facts.key = NULL;
	if (info->facts.key && !(e->info.facts.key =
					 att_pkey_dup(info->facts.key)))
		goto fail;
	if (n_crls && !(e->crls = calloc(n_crls, sizeof(*e->crls))))
		goto fail;
	for (; e->n_crls < n_crls; e->n_crls++)
		e->crls[e->n_crls] = att_x509_crl_ref(crls[e->n_crls]);
	insert(c, e);
	return;
fail:
	entry_free(e);
}

/* New references to n certificates of src in a new array. */
static struct att_cert **certs_dup(struct att_cert *const *src, size_t n)
{
	struct att_cert **a = calloc(n ? n : 1, sizeof(*a));
	for (size_t i = 0; a && i < n; i++)
		if (!(a[i] = att_cert_dup(src[i]))) {
			att_cert_chain_free(a, i);
			return NULL;
		}
	return a;
}

/* The cached parse of key, as new references; false: none. */
static bool pem_get(struct att_snp_cache *c, const uint8_t key[32],
		    struct att_cert ***out, size_t *n_out)
{
	struct att_cert **a = NULL;
	size_t n = 0;
	pthread_mutex_lock(&c->mu);
	struct entry *e = find(c, KIND_PEM, key, 0);
	if (e && (a = certs_dup(e->certs, e->n_certs)) != NULL)
		n = e->n_certs;
	if (a)
		c->pem_hits++;
	else
		c->pem_misses++;
	pthread_mutex_unlock(&c->mu);
	*out = a;
	*n_out = n;
	return a != NULL;
}

static void pem_put(struct att_snp_cache *c, const uint8_t key[32],
		    struct att_cert *const *certs, size_t n)
{
	struct entry *e;
	if (n > ATT_SNP_MAX_CHAIN_CERTS || !(e = calloc(1, sizeof(*e))))
		return; /* never cache what the caller refuses anyway */
	e->kind = KIND_PEM;
	memcpy(e->key, key, 32);
	e->from = INT64_MIN; /* parsing does not depend on time */
	e->until = INT64_MAX;
	if (!(e->certs = certs_dup(certs, n))) {
		free(e);
		return;
	}
	e->n_certs = n;
	insert(c, e);
}

int att_snp_cache_chain_from_pem(struct att_snp_cache *cache,
				 struct att_cert ***out, size_t *n_out,
				 const char *pem, size_t len)
{
	uint8_t key[32];
	*out = NULL;
	*n_out = 0;
	if (!cache || !pem)
		return att_cert_chain_from_pem(out, n_out, pem, len);
	att_sha256(key, pem, len);
	if (pem_get(cache, key, out, n_out))
		return 0;
	int r = att_cert_chain_from_pem(out, n_out, pem, len);
	if (r == 0)
		pem_put(cache, key, *out, *n_out);
	return r;
}
