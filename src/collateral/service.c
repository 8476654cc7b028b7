/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collateral service: options, the get/release path, statistics and
 * the background refresh thread. A get maps the quote to its key (FMSPC,
 * CA, TEE; memoised per PCK certificate chain so the warm path parses no
 * certificate), then under the mutex either hands out the cached set
 * (one reference more) or becomes the one loader of that key while other
 * requesters of the key wait on a condition variable. A set that becomes
 * due for refresh is queued for the refresh thread and keeps being served
 * until the refreshed one replaces it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "crypto/digest.h"
#include "collateral/svc_int.h"

/* ---- creation ---- */

static int dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : ATT_ERR_NOMEM;
}

static int set_pcs(struct att_collateral_svc *s,
		   const struct att_collateral_opts *o)
{
	int rc;
	if ((rc = dup_opt(&s->base_url, o->pcs_base_url)) ||
	    (rc = dup_opt(&s->root_crl_url, o->root_crl_url
						    ? o->root_crl_url
						    : ATT_COLLATERAL_INTEL_ROOT_CRL_URL)) ||
	    (rc = dup_opt(&s->ca_file, o->ca_file)))
		return rc;
	if (s->base_url) {
		size_t n = strlen(s->base_url);
		while (n > 0 && s->base_url[n - 1] == '/')
			s->base_url[--n] = 0;
		s->online = n > 0;
	}
	s->pcs.base_url = s->base_url;
	s->pcs.is_pccs = o->is_pccs;
	s->pcs.root_crl_url = s->root_crl_url;
	s->pcs.ca_file = s->ca_file;
	s->pcs.timeout_ms = o->timeout_ms;
	return 0;
}

static void set_policy(struct att_collateral_svc *s,
		       const struct att_collateral_opts *o)
{
	size_t n = o->cache_entries ? o->cache_entries
				    : ATT_COLLATERAL_CACHE_DEFAULT;
	att_colcache_init(&s->cache, n > ATT_COLLATERAL_CACHE_MAX
					     ? ATT_COLLATERAL_CACHE_MAX : n);
	s->margin = o->refresh_margin_seconds > 0
			    ? o->refresh_margin_seconds
			    : ATT_COLLATERAL_REFRESH_MARGIN_SECONDS;
	s->percent = o->refresh_percent > 0 && o->refresh_percent < 100
			     ? o->refresh_percent
			     : ATT_COLLATERAL_REFRESH_PERCENT;
	s->retry = o->retry_seconds > 0 ? o->retry_seconds
					: ATT_COLLATERAL_RETRY_SECONDS;
	s->serve_expired = o->serve_expired;
}

int att_collateral_svc_new(struct att_collateral_svc **out,
			   const struct att_collateral_opts *o,
			   struct att_diag *d)
{
	static const struct att_collateral_opts defaults;
	struct att_collateral_svc *s = calloc(1, sizeof(*s));
	int rc = ATT_ERR_NOMEM;
	*out = NULL;
	o = o ? o : &defaults;
	if (!s)
		return att_diag_set(d, rc, "collateral: out of memory");
	if (pthread_mutex_init(&s->mu, NULL) ||
	    pthread_cond_init(&s->changed, NULL) ||
	    pthread_cond_init(&s->work, NULL)) {
		free(s);
		return att_diag_set(d, ATT_ERR_INTERNAL, "collateral: pthread "
				    "init failed");
	}
	set_policy(s, o);
	s->store = o->store;
	if (!s->store) {
		if ((rc = att_colmem_store_new(&s->store)) != 0)
			goto fail;
		s->own_store = true;
	}
	if ((rc = set_pcs(s, o)) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	att_collateral_svc_free(s);
	return att_diag_set(d, rc, "collateral: cannot create the service");
}

void att_collateral_svc_free(struct att_collateral_svc *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->mu);
	if (s->worker_started)
		pthread_join(s->worker, NULL);
	att_colcache_destroy(&s->cache);
	if (s->own_store)
		att_store_close(s->store);
	free(s->base_url);
	free(s->root_crl_url);
	free(s->ca_file);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* ---- quote -> key ---- */

static int quote_key(struct att_collateral_svc *s, const uint8_t *quote,
		     size_t len, unsigned flags, struct att_colkey *k,
		     struct att_diag *d)
{
	struct att_sgx_quote q;
	struct att_dcap_quote_info qi;
	uint8_t h[32];
	int rc = att_sgx_quote_parse(&q, quote, len, flags, d);
	if (rc)
		return rc;
	if (q.cert_type != ATT_SGX_CERT_PCK_CHAIN)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "collateral: quote "
				    "certification data type %u is not a PCK "
				    "certificate chain (5)", q.cert_type);
	att_sha256(h, q.cert_data, q.cert_len);
	struct att_colqinfo *slot = &s->qinfo[h[0] % ATT_COLQINFO_SLOTS];
	pthread_mutex_lock(&s->mu);
	bool hit = slot->used && slot->tdx == q.is_tdx &&
		   memcmp(slot->hash, h, 32) == 0;
	if (hit)
		*k = slot->key;
	pthread_mutex_unlock(&s->mu);
	if (hit)
		return 0;
	if ((rc = att_dcap_quote_info(&qi, quote, len, flags, d)) != 0)
		return rc;
	memset(k, 0, sizeof(*k));
	k->tee = qi.tee;
	k->ca = qi.ca;
	memcpy(k->fmspc, qi.fmspc, 6);
	att_colkey_format(k);
	pthread_mutex_lock(&s->mu);
	slot->used = true;
	slot->tdx = q.is_tdx;
	memcpy(slot->hash, h, 32);
	slot->key = *k;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* ---- refresh thread ---- */

static void *worker_main(void *arg);

/* Queues e for a refresh when it is due (caller holds the mutex). */
static void maybe_queue(struct att_collateral_svc *s, struct att_colentry *e,
			int64_t now)
{
	if (now < e->obj->refresh_at || e->queued || e->loading ||
	    now < e->retry_after || s->stop)
		return;
	if (!s->worker_started) {
		if (pthread_create(&s->worker, NULL, worker_main, s) != 0) {
			att_logf(ATT_LOG_WARN, "collateral: cannot start the "
				 "refresh thread");
			e->retry_after = now + s->retry;
			return;
		}
		s->worker_started = true;
	}
	e->queued = true;
	e->queued_now = now;
	e->qnext = NULL;
	if (s->qtail)
		s->qtail->qnext = e;
	else
		s->qhead = e;
	s->qtail = e;
	pthread_cond_signal(&s->work);
}

static struct att_colentry *dequeue(struct att_collateral_svc *s)
{
	struct att_colentry *e = s->qhead;
	if (e) {
		s->qhead = e->qnext;
		if (!s->qhead)
			s->qtail = NULL;
		e->queued = false;
		e->qnext = NULL;
	}
	return e;
}

/* Installs a loaded set into e (caller holds the mutex); returns the set
 * with one reference for the caller when want_ref, else NULL. */
static struct att_colobj *install(struct att_collateral_svc *s,
				  struct att_colentry *e,
				  struct att_colset *set,
				  const struct att_colkey *k, bool want_ref)
{
	struct att_colobj *o = att_colobj_new(&s->cache, set, k->str);
	if (!o)
		return NULL;
	if (e)
		att_colcache_install(&s->cache, e, o);
	if (want_ref)
		return o;
	att_colobj_unref(&s->cache, o);
	return NULL;
}

static void refresh_one(struct att_collateral_svc *s, struct att_colentry *e)
{
	struct att_colload l = {.now = e->queued_now, .refresh = true};
	struct att_colkey k = e->key;
	struct att_colset set;
	struct att_diag d = {0};
	uint8_t cur[32];
	bool has_cur = e->obj != NULL;
	char t[32];
	if (has_cur)
		memcpy(cur, e->obj->digest, 32);
	e->loading = true;
	s->worker_busy = true;
	pthread_mutex_unlock(&s->mu);
	int rc = att_colload_set(s, &k, has_cur ? cur : NULL, &l, &set, &d);
	pthread_mutex_lock(&s->mu);
	e->loading = false;
	s->worker_busy = false;
	atomic_fetch_add(&s->refreshes, 1);
	if (rc == 0 && set.col) /* else unchanged: keep the current set */
		install(s, e, &set, &k, false);
	e->stale = rc != 0 || l.stale;
	e->retry_after = l.now + s->retry;
	if (rc && e->obj) {
		att_time_format(t, sizeof(t), e->obj->valid_until);
		att_logf(ATT_LOG_WARN, "collateral: refresh of %s failed (%s); "
			 "serving the current set until %s", k.str,
			 att_diag_msg(&d), t);
	}
	pthread_cond_broadcast(&s->changed);
}

static void *worker_main(void *arg)
{
	struct att_collateral_svc *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		struct att_colentry *e = dequeue(s);
		if (!e) {
			pthread_cond_broadcast(&s->changed);
			pthread_cond_wait(&s->work, &s->mu);
			continue;
		}
		if (!e->loading)
			refresh_one(s, e);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void att_collateral_svc_flush(struct att_collateral_svc *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->qhead || s->worker_busy)
		pthread_cond_wait(&s->changed, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

/* ---- get / release ---- */

/* Under the mutex: a valid cached set, or NULL (then *e is the entry to
 * load, possibly NULL). Waits while another thread loads the key. */
static struct att_colobj *lookup(struct att_collateral_svc *s,
				 const struct att_colkey *k, int64_t now,
				 struct att_colentry **ep)
{
	bool waited = false;
	struct att_colentry *e;
	for (;;) {
		e = att_colcache_find(&s->cache, k->str);
		if (e && e->obj && (now <= e->obj->valid_until ||
				    s->serve_expired)) {
			e->used = ++s->cache.tick;
			e->obj->refs++;
			/* a waiter got the set another thread loaded */
			atomic_fetch_add(waited ? &s->misses : &s->hits, 1);
			if (e->stale)
				atomic_fetch_add(&s->stale_served, 1);
			maybe_queue(s, e, now);
			*ep = e;
			return e->obj;
		}
		if (!e || !e->loading)
			break;
		if (!waited)
			atomic_fetch_add(&s->coalesced, 1);
		waited = true;
		pthread_cond_wait(&s->changed, &s->mu);
	}
	*ep = e;
	return NULL;
}

static int load_miss(struct att_collateral_svc *s, struct att_colentry *e,
		     const struct att_colkey *k, int64_t now,
		     struct att_colobj **out, struct att_diag *d)
{
	struct att_colload l = {.now = now};
	struct att_colset set;
	struct att_diag ld = {0};
	if (e)
		e->loading = true;
	pthread_mutex_unlock(&s->mu);
	int rc = att_colload_set(s, k, NULL, &l, &set, &ld);
	pthread_mutex_lock(&s->mu);
	if (e)
		e->loading = false;
	if (rc == 0 && !(*out = install(s, e, &set, k, true)))
		rc = att_diag_set(&ld, ATT_ERR_NOMEM, "out of memory");
	if (rc == 0 && e) {
		e->stale = l.stale;
		e->retry_after = l.stale ? now + s->retry : 0;
		e->fail_code = 0;
		if (l.stale)
			atomic_fetch_add(&s->stale_served, 1);
	} else if (rc && e && l.fetch_tried) {
		e->fail_code = rc;
		e->fail_until = now + s->retry;
		snprintf(e->fail_msg, sizeof(e->fail_msg), "%s", ld.msg);
	}
	pthread_cond_broadcast(&s->changed);
	return rc ? att_diag_set(d, rc, "%s", ld.msg) : 0;
}

int att_collateral_get(struct att_collateral_svc *s, const uint8_t *quote,
		       size_t len, unsigned quote_flags, int64_t now,
		       const struct att_dcap_collateral **out,
		       struct att_diag *d)
{
	struct att_colentry *e = NULL;
	struct att_colobj *o = NULL;
	struct att_colkey k;
	int rc;
	*out = NULL;
	if (!s || !quote)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "collateral: no "
				    "service or quote");
	if ((rc = quote_key(s, quote, len, quote_flags, &k, d)) != 0)
		goto out_err;
	pthread_mutex_lock(&s->mu);
	if ((o = lookup(s, &k, now, &e)) == NULL) {
		atomic_fetch_add(&s->misses, 1);
		if (e && e->fail_code && now < e->fail_until)
			rc = att_diag_set(d, e->fail_code, "%s", e->fail_msg);
		else if (!e)
			e = att_colcache_add(&s->cache, &k);
		if (rc == 0)
			rc = load_miss(s, e, &k, now, &o, d);
	}
	pthread_mutex_unlock(&s->mu);
	if (rc == 0) {
		*out = o->col;
		return 0;
	}
out_err:
	atomic_fetch_add(&s->errors, 1);
	return rc;
}

void att_collateral_release(struct att_collateral_svc *s,
			    const struct att_dcap_collateral *c)
{
	if (!s || !c)
		return;
	pthread_mutex_lock(&s->mu);
	struct att_colobj *o = att_colcache_obj_of(&s->cache, c);
	if (o)
		att_colobj_unref(&s->cache, o);
	pthread_mutex_unlock(&s->mu);
}

int att_collateral_get_info(struct att_collateral_svc *s,
			    const struct att_dcap_collateral *c,
			    struct att_collateral_info *out)
{
	int rc = ATT_ERR_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&s->mu);
	struct att_colobj *o = att_colcache_obj_of(&s->cache, c);
	if (o) {
		snprintf(out->key, sizeof(out->key), "%s", o->key);
		out->valid_until = o->valid_until;
		out->refresh_at = o->refresh_at;
		snprintf(out->valid_until_item, sizeof(out->valid_until_item),
			 "%s", o->first_expiry);
		rc = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void att_collateral_stats(struct att_collateral_svc *s,
			  struct att_collateral_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->hits = atomic_load(&s->hits);
	out->misses = atomic_load(&s->misses);
	out->coalesced = atomic_load(&s->coalesced);
	out->fetches = atomic_load(&s->fetches);
	out->fetch_failures = atomic_load(&s->fetch_failures);
	out->stale_served = atomic_load(&s->stale_served);
	out->refreshes = atomic_load(&s->refreshes);
	out->errors = atomic_load(&s->errors);
	pthread_mutex_lock(&s->mu);
	out->entries = s->cache.n;
	pthread_mutex_unlock(&s->mu);
}

void att_collateral_svc_invalidate(struct att_collateral_svc *s)
{
	pthread_mutex_lock(&s->mu);
	att_colcache_drop_all(&s->cache);
	pthread_mutex_unlock(&s->mu);
}

int att_collateral_svc_import(struct att_collateral_svc *s,
			      const char *file_or_dir, int64_t now,
			      struct att_collateral_import_report *rep,
			      struct att_diag *d)
{
	int rc = att_collateral_import_path_ex(s->store, file_or_dir, now, rep,
					       d);
	if (rc == 0)
		att_collateral_svc_invalidate(s);
	return rc;
}
