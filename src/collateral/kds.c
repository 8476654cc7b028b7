/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KDS client and cache (kds.h). Under the mutex a get finds the
 * item's entry: a valid item is handed out (new references); an entry
 * being loaded makes the caller wait on a condition variable, so that
 * concurrent misses of one item make one request; otherwise the caller
 * becomes the entry's loader, drops the mutex, reads the store, fetches
 * from KDS when the stored item is missing or due, and installs the
 * result. A due item (chains and CRLs, after refresh_seconds) keeps being
 * served to others while one caller refreshes it. KDS's rate limiting is
 * honoured for the whole base URL: after a 429 or 503 no request is made
 * before its Retry-After (or an exponential backoff, capped); the same
 * backoff follows an unreachable KDS. A failure specific to one item (404,
 * an answer that is not the item) is remembered for negative_seconds.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/log.h"
#include "collateral/kds.h"
#include "collateral/svc_int.h"
#include "crypto/x509.h"

#define KDS_BUCKETS 256

struct kds_entry {
	char key[ATT_KDS_KEY_LEN];
	bool has;                  /* it holds a parsed item */
	struct att_kds_item it;    /* body freed once installed */
	int64_t refresh_at;        /* refetch (chains, CRLs) from then */
	bool loading;
	bool stale;                /* the last refresh failed */
	unsigned waiters;
	int fail_code;             /* remembered failure ... */
	int64_t fail_until;        /* ... until then */
	char fail_msg[ATT_DIAG_LEN];
	uint64_t used;             /* LRU tick */
	struct kds_entry *next;
};

struct att_kds {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct att_store *store;
	bool own_store, online;
	char *base, *ca_file;
	long timeout_ms;
	int64_t neg, backoff_max, refresh;
	struct kds_entry *buckets[KDS_BUCKETS];
	size_t n, max;
	uint64_t tick;
	/* the base URL's block after 429 / 503 / unreachable */
	int64_t blocked_until, backoff;
	int block_code;
	char block_why[128];
	_Atomic uint64_t hits, misses, coalesced, fetches, fetch_failures,
		rate_limited, stale_served, errors;
};

/* ---- creation ---- */

static int dup_opt(char **out, const char *s)
{
	*out = s ? strdup(s) : NULL;
	return !s || *out ? 0 : ATT_ERR_NOMEM;
}

int att_kds_new(struct att_kds **out, const struct att_kds_opts *o,
		struct att_diag *d)
{
	static const struct att_kds_opts defaults;
	struct att_kds *k = calloc(1, sizeof(*k));
	int rc = ATT_ERR_NOMEM;
	*out = NULL;
	o = o ? o : &defaults;
	if (!k)
		return att_diag_set(d, rc, "AMD KDS: out of memory");
	if (pthread_mutex_init(&k->mu, NULL) ||
	    pthread_cond_init(&k->changed, NULL)) {
		free(k);
		return att_diag_set(d, ATT_ERR_INTERNAL, "AMD KDS: pthread init "
				    "failed");
	}
	size_t n = o->cache_entries ? o->cache_entries : ATT_KDS_CACHE_DEFAULT;
	k->max = n > ATT_KDS_CACHE_MAX ? ATT_KDS_CACHE_MAX : n;
	k->neg = o->negative_seconds > 0 ? o->negative_seconds
					 : ATT_KDS_NEGATIVE_SECONDS;
	k->backoff_max = o->backoff_max_seconds > 0
				 ? o->backoff_max_seconds
				 : ATT_KDS_BACKOFF_MAX_SECONDS;
	k->refresh = o->refresh_seconds > 0 ? o->refresh_seconds
					    : ATT_KDS_REFRESH_SECONDS;
	k->timeout_ms = o->timeout_ms;
	k->store = o->store;
	if ((rc = dup_opt(&k->base, o->base_url ? o->base_url
						: ATT_KDS_DEFAULT_URL)) ||
	    (rc = dup_opt(&k->ca_file, o->ca_file)))
		goto fail;
	size_t bl = strlen(k->base);
	while (bl > 0 && k->base[bl - 1] == '/')
		k->base[--bl] = 0;
	k->online = !o->offline && bl > 0;
	if (!k->store) {
		if ((rc = att_colmem_store_new(&k->store)) != 0)
			goto fail;
		k->own_store = true;
	}
	*out = k;
	return 0;
fail:
	att_kds_free(k);
	return att_diag_set(d, rc, "AMD KDS: cannot create the client");
}

static void entry_free(struct kds_entry *e)
{
	att_kds_item_release(&e->it);
	free(e);
}

static void drop_all(struct att_kds *k)
{
	for (size_t b = 0; b < KDS_BUCKETS; b++) {
		struct kds_entry **pp = &k->buckets[b];
		while (*pp) {
			struct kds_entry *e = *pp;
			if (e->loading || e->waiters) {
				/* in use: keep it, forget what it remembers */
				e->fail_code = 0;
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			entry_free(e);
			k->n--;
		}
	}
}

void att_kds_free(struct att_kds *k)
{
	if (!k)
		return;
	drop_all(k);
	if (k->own_store)
		att_store_close(k->store);
	free(k->base);
	free(k->ca_file);
	pthread_cond_destroy(&k->changed);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

void att_kds_invalidate(struct att_kds *k)
{
	pthread_mutex_lock(&k->mu);
	drop_all(k);
	k->blocked_until = 0;
	k->backoff = 0;
	pthread_mutex_unlock(&k->mu);
}

void att_kds_stats(struct att_kds *k, struct att_kds_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->hits = atomic_load(&k->hits);
	out->misses = atomic_load(&k->misses);
	out->coalesced = atomic_load(&k->coalesced);
	out->fetches = atomic_load(&k->fetches);
	out->fetch_failures = atomic_load(&k->fetch_failures);
	out->rate_limited = atomic_load(&k->rate_limited);
	out->stale_served = atomic_load(&k->stale_served);
	out->errors = atomic_load(&k->errors);
	pthread_mutex_lock(&k->mu);
	out->entries = k->n;
	pthread_mutex_unlock(&k->mu);
}

/* ---- the table (caller holds the mutex) ---- */

static size_t hash_key(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h % KDS_BUCKETS;
}

static struct kds_entry *find(struct att_kds *k, const char *key)
{
	for (struct kds_entry *e = k->buckets[hash_key(key)]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Evicts the least recently used idle entry; false when none is idle. */
static bool evict_one(struct att_kds *k)
{
	struct kds_entry **victim = NULL;
	for (size_t b = 0; b < KDS_BUCKETS; b++)
		for (struct kds_entry **pp = &k->buckets[b]; *pp;
		     pp = &(*pp)->next)
			if (!(*pp)->loading && !(*pp)->waiters &&
			    (!victim || (*pp)->used < (*victim)->used))
				victim = pp;
	if (!victim)
		return false;
	struct kds_entry *e = *victim;
	*victim = e->next;
	entry_free(e);
	k->n--;
	return true;
}

static struct kds_entry *add(struct att_kds *k, const char *key)
{
	struct kds_entry *e;
	if (k->n >= k->max && !evict_one(k))
		return NULL;
	if (!(e = calloc(1, sizeof(*e))))
		return NULL;
	snprintf(e->key, sizeof(e->key), "%s", key);
	size_t b = hash_key(key);
	e->next = k->buckets[b];
	k->buckets[b] = e;
	k->n++;
	return e;
}

/* New references to what the item holds. */
static void hand_out(const struct att_kds_item *it, struct att_cert **cert,
		     struct att_cert *chain[2], struct att_x509_crl **crl)
{
	if (cert && it->cert)
		*cert = att_cert_dup(it->cert);
	if (chain && it->chain[0] && it->chain[1]) {
		chain[0] = att_cert_dup(it->chain[0]);
		chain[1] = att_cert_dup(it->chain[1]);
	}
	if (crl && it->crl)
		*crl = att_x509_crl_ref(it->crl);
}

/* ---- loading (no lock held) ---- */

static int64_t refresh_at_of(const struct att_kds *k,
			     const struct att_kds_item *it, int64_t fetched)
{
	if (it->spec.kind == ATT_KDS_ITEM_VCEK ||
	    it->spec.kind == ATT_KDS_ITEM_VLEK || !k->online)
		return INT64_MAX; /* issued once per chip and TCB; offline */
	int64_t r = fetched > INT64_MAX - k->refresh ? INT64_MAX
						     : fetched + k->refresh;
	return r < it->valid_until ? r : it->valid_until;
}

/* Blocks the base URL after a 429 / 503 / unreachable KDS; returns the
 * seconds to wait. */
static int64_t block(struct att_kds *k, int64_t now, int64_t retry_after,
		     int code, const char *why)
{
	int64_t secs;
	pthread_mutex_lock(&k->mu);
	if (retry_after >= 0) {
		secs = retry_after > ATT_KDS_RETRY_AFTER_MAX_SECONDS
			       ? ATT_KDS_RETRY_AFTER_MAX_SECONDS : retry_after;
	} else {
		k->backoff = k->backoff ? k->backoff * 2
					: ATT_KDS_BACKOFF_INITIAL_SECONDS;
		if (k->backoff > k->backoff_max)
			k->backoff = k->backoff_max;
		secs = k->backoff;
	}
	if (now + secs > k->blocked_until) {
		k->blocked_until = now + secs;
		k->block_code = code;
		snprintf(k->block_why, sizeof(k->block_why), "%s", why);
	}
	pthread_mutex_unlock(&k->mu);
	return secs;
}

static int fetch(struct att_kds *k, const struct att_kds_spec *s, int64_t now,
		 const char *what, struct att_kds_item *out, bool *blocks,
		 struct att_diag *d)
{
	struct att_kds_answer a;
	struct att_diag nd = {0};
	char url[512], why[128];
	int64_t wait;
	int rc;
	*blocks = false;
	if (s->kind == ATT_KDS_ITEM_VLEK)
		return att_diag_set(d, ATT_ERR_NOT_FOUND, "AMD KDS: %s not "
				    "stored (VLEKs come with the evidence or "
				    "by import, never from KDS)", what);
	if (!k->online)
		return att_diag_set(d, ATT_ERR_NOT_FOUND, "AMD KDS: %s not "
				    "cached and KDS fetching is off (offline)",
				    what);
	pthread_mutex_lock(&k->mu);
	wait = k->blocked_until - now;
	rc = k->block_code;
	snprintf(why, sizeof(why), "%s", k->block_why);
	pthread_mutex_unlock(&k->mu);
	if (wait > 0) {
		*blocks = true;
		return att_diag_set(d, rc, "AMD KDS: %s not cached and KDS %s "
				    "(retry after %lld s)", what, why,
				    (long long)wait);
	}
	if ((rc = att_kds_item_url(url, sizeof(url), k->base, s)) != 0)
		return att_diag_set(d, rc, "AMD KDS: %s: no URL", what);
	atomic_fetch_add(&k->fetches, 1);
	rc = att_kds_fetch(&a, url, k->ca_file, k->timeout_ms, &nd);
	if (rc) {
		*blocks = rc != ATT_ERR_LIMIT;
		snprintf(why, sizeof(why), "is unreachable");
		wait = *blocks ? block(k, now, -1, rc, why) : 0;
		rc = att_diag_set(d, rc, "AMD KDS: %s not cached and KDS is "
				  "unreachable (%s)", what, att_diag_msg(&nd));
	} else if (a.status == 429 || a.status == 503) {
		*blocks = true;
		if (a.status == 429)
			atomic_fetch_add(&k->rate_limited, 1);
		snprintf(why, sizeof(why), "answered %ld", a.status);
		wait = block(k, now, a.retry_after, ATT_ERR_NETWORK, why);
		rc = att_diag_set(d, ATT_ERR_NETWORK, "AMD KDS: %s not cached "
				  "and KDS answered %ld (retry after %lld s)",
				  what, a.status, (long long)wait);
	} else if (a.status == 404) {
		rc = att_diag_set(d, ATT_ERR_NOT_FOUND, "AMD KDS: %s not cached "
				  "and KDS answered 404 (GET %s)", what, url);
	} else if (a.status != 200) {
		rc = att_diag_set(d, ATT_ERR_NETWORK, "AMD KDS: %s not cached "
				  "and KDS answered HTTP %ld (GET %s)", what,
				  a.status, url);
	} else if ((rc = att_kds_parse_response(out, s, a.body, a.body_len,
						 &nd)) != 0) {
		rc = att_diag_set(d, rc, "AMD KDS: GET %s: %s", url,
				  att_diag_msg(&nd));
	} else {
		pthread_mutex_lock(&k->mu);
		k->backoff = 0;
		pthread_mutex_unlock(&k->mu);
		struct att_diag sd = {0};
		char src[560];
		snprintf(src, sizeof(src), "GET %s", url);
		if (att_kds_item_put(k->store, out, now, src, &sd) != 0)
			att_logf(ATT_LOG_WARN, "AMD KDS: %s fetched but not "
				 "stored: %s", what, att_diag_msg(&sd));
	}
	if (rc)
		atomic_fetch_add(&k->fetch_failures, 1);
	att_kds_answer_release(&a);
	return rc;
}

/* What one load produced. */
struct kds_load {
	int64_t refresh_at;
	bool stale;  /* KDS failed; a stored item still valid is served */
	bool blocks; /* the failure is the base URL's, not the item's */
};

static int load(struct att_kds *k, const struct att_kds_spec *s, int64_t now,
		bool read_store, struct att_kds_item *out, struct kds_load *l,
		struct att_diag *d)
{
	struct att_kds_item stored = {0};
	struct att_diag sd = {0};
	int64_t fetched = 0;
	bool have = false;
	char what[160];
	att_kds_item_what(s, what, sizeof(what));
	memset(out, 0, sizeof(*out));
	if (read_store) {
		int rc = att_kds_item_get(k->store, s, &stored, &fetched, &sd);
		if (rc == 0 && now <= stored.valid_until) {
			l->refresh_at = refresh_at_of(k, &stored, fetched);
			if (now < l->refresh_at) {
				*out = stored;
				return 0;
			}
			have = true;
		} else {
			if (rc && rc != ATT_ERR_NOT_FOUND)
				att_logf(ATT_LOG_WARN, "AMD KDS: %s",
					 att_diag_msg(&sd));
			att_kds_item_release(&stored);
		}
	}
	int rc = fetch(k, s, now, what, out, &l->blocks, d);
	if (rc == 0) {
		l->refresh_at = refresh_at_of(k, out, now);
		att_kds_item_release(&stored);
		return 0;
	}
	if (!have)
		return rc;
	att_logf(ATT_LOG_WARN, "%s; serving the stored item", att_diag_msg(d));
	*out = stored;
	l->stale = true;
	return 0;
}

/* ---- get ---- */

static bool servable(const struct kds_entry *e, int64_t now)
{
	return e && e->has && now <= e->it.valid_until;
}

/* Under the mutex: whether a due entry may be refreshed by this caller. */
static bool may_refresh(const struct att_kds *k, const struct kds_entry *e,
			int64_t now)
{
	return now >= e->refresh_at && !e->loading && k->online &&
	       now >= k->blocked_until &&
	       !(e->fail_code && now < e->fail_until);
}

static void install(struct att_kds *k, struct kds_entry *e,
		    struct att_kds_item *it, const struct kds_load *l,
		    int64_t now)
{
	att_kds_item_release(&e->it);
	e->it = *it;
	memset(it, 0, sizeof(*it));
	free(e->it.body);
	e->it.body = NULL;
	e->it.body_len = 0;
	e->has = true;
	e->refresh_at = l->stale ? now + k->neg : l->refresh_at;
	e->stale = l->stale;
	e->fail_code = 0;
}

int att_kds_get_item(struct att_kds *k, const struct att_kds_spec *s,
		     int64_t now, struct att_cert **cert,
		     struct att_cert *chain[2], struct att_x509_crl **crl,
		     struct att_diag *d)
{
	char key[ATT_KDS_KEY_LEN];
	struct att_kds_item it = {0};
	struct kds_load l = {0};
	struct att_diag ld = {0};
	struct kds_entry *e;
	bool waited = false;
	int rc = 0;
	if (cert)
		*cert = NULL;
	if (chain)
		chain[0] = chain[1] = NULL;
	if (crl)
		*crl = NULL;
	if (!k || !s || s->kind >= ATT_KDS_ITEM_KIND_COUNT)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "AMD KDS: no client "
				    "or item");
	att_kds_item_key(s, key, sizeof(key));
	pthread_mutex_lock(&k->mu);
	for (;;) {
		e = find(k, key);
		if (servable(e, now) && !may_refresh(k, e, now)) {
			e->used = ++k->tick;
			hand_out(&e->it, cert, chain, crl);
			atomic_fetch_add(waited ? &k->misses : &k->hits, 1);
			/* past its refresh time and KDS failing: stale */
			if (e->stale || (now >= e->refresh_at && !e->loading))
				atomic_fetch_add(&k->stale_served, 1);
			pthread_mutex_unlock(&k->mu);
			return 0;
		}
		if (!e || !e->loading)
			break;
		if (!waited)
			atomic_fetch_add(&k->coalesced, 1);
		waited = true;
		e->waiters++;
		pthread_cond_wait(&k->changed, &k->mu);
		e->waiters--;
	}
	if (!waited)
		atomic_fetch_add(&k->misses, 1);
	if (e && e->fail_code && now < e->fail_until && !servable(e, now)) {
		rc = att_diag_set(d, e->fail_code, "%s", e->fail_msg);
		goto out;
	}
	bool refreshing = servable(e, now);
	if (!e)
		e = add(k, key); /* NULL: every entry busy; load uncached */
	if (e) {
		e->loading = true;
		e->used = ++k->tick;
	}
	pthread_mutex_unlock(&k->mu);
	rc = load(k, s, now, !refreshing, &it, &l, &ld);
	pthread_mutex_lock(&k->mu);
	if (e)
		e->loading = false;
	if (rc == 0) {
		hand_out(&it, cert, chain, crl);
		if (l.stale)
			atomic_fetch_add(&k->stale_served, 1);
		if (e)
			install(k, e, &it, &l, now);
	} else if (refreshing) {
		/* KDS failed: serve the item the entry holds */
		hand_out(&e->it, cert, chain, crl);
		atomic_fetch_add(&k->stale_served, 1);
		e->stale = true;
		att_logf(ATT_LOG_WARN, "%s; serving the cached item",
			 att_diag_msg(&ld));
		if (!l.blocks) {
			e->fail_code = rc;
			e->fail_until = now + k->neg;
			snprintf(e->fail_msg, sizeof(e->fail_msg), "%s", ld.msg);
		}
		rc = 0;
	} else {
		if (e && !l.blocks) {
			e->fail_code = rc;
			e->fail_until = now + k->neg;
			snprintf(e->fail_msg, sizeof(e->fail_msg), "%s", ld.msg);
		}
		rc = att_diag_set(d, rc, "%s", ld.msg);
	}
	pthread_cond_broadcast(&k->changed);
out:
	pthread_mutex_unlock(&k->mu);
	att_kds_item_release(&it);
	/* a VLEK not stored is no error: it comes with the evidence */
	if (rc && !(s->kind == ATT_KDS_ITEM_VLEK && rc == ATT_ERR_NOT_FOUND))
		atomic_fetch_add(&k->errors, 1);
	return rc;
}

int att_kds_get_item_local(struct att_kds *k, const struct att_kds_spec *s,
			   int64_t now, struct att_cert **cert,
			   struct att_cert *chain[2],
			   struct att_x509_crl **crl, struct att_diag *d)
{
	char key[ATT_KDS_KEY_LEN], what[160];
	struct att_kds_item it = {0};
	struct att_diag sd = {0};
	int64_t fetched = 0;
	int rc;
	if (cert)
		*cert = NULL;
	if (chain)
		chain[0] = chain[1] = NULL;
	if (crl)
		*crl = NULL;
	if (!k || !s || s->kind >= ATT_KDS_ITEM_KIND_COUNT)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "AMD KDS: no client "
				    "or item");
	att_kds_item_key(s, key, sizeof(key));
	pthread_mutex_lock(&k->mu);
	struct kds_entry *e = find(k, key);
	if (servable(e, now)) {
		e->used = ++k->tick;
		hand_out(&e->it, cert, chain, crl);
		atomic_fetch_add(&k->hits, 1);
		pthread_mutex_unlock(&k->mu);
		return 0;
	}
	pthread_mutex_unlock(&k->mu);
	att_kds_item_what(s, what, sizeof(what));
	rc = att_kds_item_get(k->store, s, &it, &fetched, &sd);
	if (rc == 0 && now > it.valid_until)
		rc = ATT_ERR_NOT_FOUND;
	if (rc) {
		att_kds_item_release(&it);
		return att_diag_set(d, rc,
				    "AMD KDS: %s not cached or stored%s%s", what,
				    rc == ATT_ERR_NOT_FOUND ? "" : ": ",
				    rc == ATT_ERR_NOT_FOUND ? ""
							    : att_diag_msg(&sd));
	}
	atomic_fetch_add(&k->misses, 1);
	hand_out(&it, cert, chain, crl);
	pthread_mutex_lock(&k->mu);
	e = find(k, key);
	if (!e || (!e->loading && !servable(e, now))) {
		struct kds_load l = {.refresh_at = refresh_at_of(k, &it,
								 fetched)};
		if (!e)
			e = add(k, key);
		if (e && !e->loading)
			install(k, e, &it, &l, now);
	}
	pthread_mutex_unlock(&k->mu);
	att_kds_item_release(&it);
	return 0;
}

/* ---- what a report needs ---- */

void att_kds_collateral_release(struct att_kds_collateral *c)
{
	if (!c)
		return;
	att_cert_free(c->vek);
	att_cert_free(c->chain[0]);
	att_cert_free(c->chain[1]);
	att_x509_crl_free(c->crl);
	memset(c, 0, sizeof(*c));
}

int att_kds_collateral(struct att_kds *k, enum att_snp_product p,
		       enum att_snp_signing_key signer,
		       const uint8_t chip_id[64], uint64_t reported_tcb,
		       unsigned flags, int64_t now,
		       struct att_kds_collateral *out, struct att_diag *d)
{
	struct att_kds_spec s;
	struct att_diag cd = {0};
	bool vlek = signer == ATT_SNP_KEY_VLEK;
	int rc;
	memset(out, 0, sizeof(*out));
	if (signer != ATT_SNP_KEY_VCEK && !vlek)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "AMD KDS: the report "
				    "is signed by neither a VCEK nor a VLEK");
	if (vlek) {
		uint8_t zero[64] = {0};
		rc = att_kds_spec_vcek(&s, p, zero, reported_tcb);
		s.kind = ATT_KDS_ITEM_VLEK;
		s.hwid_len = 0;
	} else {
		rc = att_kds_spec_vcek(&s, p, chip_id, reported_tcb);
	}
	if (rc)
		return att_diag_set(d, rc, "AMD KDS: product %s is not Milan, "
				    "Genoa or Turin", att_snp_product_name(p));
	rc = att_kds_get_item(k, &s, now, &out->vek, NULL, NULL, &cd);
	if (rc && vlek && rc == ATT_ERR_NOT_FOUND)
		rc = 0; /* the VLEK comes with the evidence */
	if (rc == 0) {
		att_kds_spec_of(&s, vlek ? ATT_KDS_ITEM_VLEK_CHAIN
					 : ATT_KDS_ITEM_VCEK_CHAIN, p);
		rc = att_kds_get_item(k, &s, now, NULL, out->chain, NULL, &cd);
		out->n_chain = rc == 0 ? 2 : 0;
	}
	if (rc == 0 && (flags & (ATT_KDS_WANT_CRL | ATT_KDS_REQUIRE_CRL))) {
		att_kds_spec_of(&s, vlek ? ATT_KDS_ITEM_VLEK_CRL
					 : ATT_KDS_ITEM_VCEK_CRL, p);
		rc = att_kds_get_item(k, &s, now, NULL, NULL, &out->crl, &cd);
		if (rc && !(flags & ATT_KDS_REQUIRE_CRL)) {
			att_logf(ATT_LOG_INFO, "%s (CRL not required)",
				 att_diag_msg(&cd));
			rc = 0;
		}
	}
	if (rc) {
		att_kds_collateral_release(out);
		return att_diag_set(d, rc, "%s", att_diag_msg(&cd));
	}
	return 0;
}
