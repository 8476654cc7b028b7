/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trusted issuers' JWKS, fetched by one background thread (jwks_fetch.h).
 *
 * Why a thread of its own: fetching in the request thread held a worker
 * (and the issuer's lock) for up to the 10 s timeout, so a down or hung
 * identity provider plus forged tokens naming unknown kids stalled every
 * tenant, /healthz included. Now requests only read the cache under
 * svc->mu, which is never held across network I/O: the thread takes it to
 * decide what to fetch and to install a result, and drives the transfers
 * (libcurl multi interface, non-blocking) without it. A multi wakeup
 * interrupts its poll when a request asks for a refetch, a registry is
 * bound, or the server stops.
 *
 * The transfers are the HTTP client's (net/http.h: TLS verification
 * against ca_file or the system store, no redirects, a size cap, connect
 * and total timeouts) and the documents are checked by the one OIDC
 * discovery (net/oidc.h). A fixed JWKS (jwks_file, or the dev issuer's)
 * has no source and is never fetched.
 */
#include "server/jwks_fetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/log.h"
#include "net/http.h"
#include "net/oidc.h"
#include "server/auth.h"
#include "server/provider.h"

/* The longest the fetcher sleeps with nothing due (a wakeup cuts it). */
#define IDLE_POLL_MS 60000
#define REFRESH_MS                                                             \
	((int64_t)(ATT_JWKS_CACHE_SECONDS - ATT_JWKS_REFRESH_AHEAD_SECONDS) *  \
	 1000)

struct att_jwks_source {
	struct att_jwks_svc *svc;
	struct att_jwks_source *next;	    /* svc->sources, under svc->mu */
	struct att_jwks_source *start_next; /* the fetcher thread's only */
	/* Immutable once created. */
	char *issuer;
	char *jwks_uri; /* NULL: discovered */
	char *ca_file;	/* NULL: system store */
	int64_t cooldown_ms;
	/* Under svc->mu. */
	unsigned refs;	    /* issuers bound to it */
	json_t *jwks;	    /* last good key set, or NULL */
	int64_t fetched_ms; /* when it was fetched (monotonic) */
	bool attempted;	    /* attempt_ms is set */
	int64_t attempt_ms; /* start of the last attempt */
	int64_t retry_ms;   /* no attempt before this (backoff) */
	unsigned failures;  /* consecutive failed attempts */
	bool in_flight;
	bool wanted;  /* a request asked for a (re)fetch */
	uint64_t gen; /* attempts ended */
	uint64_t n_attempts, n_failed;
	char error[ATT_DIAG_LEN]; /* why the last attempt failed */
};

/* One HTTP transfer of the fetcher thread. */
struct xfer {
	struct xfer *next;
	struct att_jwks_source *src;
	struct att_net_xfer *nx;
	bool discovery; /* the openid-configuration, not the JWKS */
};

struct att_jwks_svc {
	pthread_mutex_t mu;
	pthread_cond_t changed; /* an attempt ended; CLOCK_MONOTONIC */
	pthread_t thread;
	bool started;
	bool stop;			 /* under mu */
	struct att_jwks_source *sources; /* under mu */
	struct att_net_multi *multi;
	struct xfer *xfers; /* the fetcher thread's only */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t att_jwks_backoff_ms(unsigned n)
{
	const int64_t max = (int64_t)ATT_JWKS_BACKOFF_MAX_SECONDS * 1000;
	int64_t ms = (int64_t)ATT_JWKS_BACKOFF_MIN_SECONDS * 1000;
	for (unsigned i = 1; i < n && ms < max; i++)
		ms *= 2;
	return ms < max ? ms : max;
}

/* ---- state, under svc->mu ---- */

static bool usable(const struct att_jwks_source *src, int64_t now)
{
	return src->jwks && now - src->fetched_ms <=
				(int64_t)ATT_JWKS_MAX_STALE_SECONDS * 1000;
}

/* due: may an attempt begin now? A missing or aging set, or a request's
 * ask, once any backoff has passed. */
static bool due(const struct att_jwks_source *src, int64_t now)
{
	if (src->in_flight || !src->refs || now < src->retry_ms)
		return false;
	return !src->jwks || src->wanted || now - src->fetched_ms >= REFRESH_MS;
}

/* next_due: the earliest time due() can turn true without an event. */
static int64_t next_due(const struct att_jwks_source *src)
{
	if (src->in_flight || !src->refs)
		return INT64_MAX;
	int64_t t =
	    (!src->jwks || src->wanted) ? 0 : src->fetched_ms + REFRESH_MS;
	return t > src->retry_ms ? t : src->retry_ms;
}

static void source_free(struct att_jwks_source *src)
{
	if (!src)
		return;
	free(src->issuer);
	free(src->jwks_uri);
	free(src->ca_file);
	json_decref(src->jwks);
	free(src);
}

/* plan frees unreferenced sources, marks the due ones in flight (pushed
 * on *start) and returns how long the thread may sleep. */
static int plan(struct att_jwks_svc *s, int64_t now,
		struct att_jwks_source **start)
{
	int64_t next = now + IDLE_POLL_MS;
	struct att_jwks_source **pp = &s->sources;
	while (*pp) {
		struct att_jwks_source *src = *pp;
		if (!src->refs && !src->in_flight) {
			*pp = src->next;
			source_free(src);
			continue;
		}
		if (due(src, now)) {
			src->in_flight = true;
			src->wanted = false;
			src->attempted = true;
			src->attempt_ms = now;
			src->n_attempts++;
			src->start_next = *start;
			*start = src;
		} else if (next_due(src) < next) {
			next = next_due(src);
		}
		pp = &src->next;
	}
	return next <= now ? 0 : (int)(next - now);
}

/* ---- the fetcher thread: transfers, no lock held ---- */

static void log_end(const struct att_jwks_source *src, const char *err,
		    int64_t retry_in, bool stale_kept, size_t n_keys)
{
	if (!err) {
		att_logf(ATT_LOG_INFO,
			 "auth: fetched the JWKS of %s (%zu keys)", src->issuer,
			 n_keys);
		return;
	}
	att_logf(ATT_LOG_WARN,
		 "auth: fetching the JWKS of %s failed: %s; next attempt in "
		 "%lld ms; %s",
		 src->issuer, err, (long long)retry_in,
		 stale_kept ? "the last good JWKS is still used"
			    : "no signing key of this issuer is known");
}

/* end_attempt installs jwks (taken; NULL on failure, err then says why),
 * sets the backoff, and wakes the requests waiting for it. */
static void end_attempt(struct att_jwks_svc *s, struct att_jwks_source *src,
			json_t *jwks, const char *err)
{
	int64_t now = mono_ms(), retry_in = 0;
	size_t n_keys = json_array_size(json_object_get(jwks, "keys"));
	pthread_mutex_lock(&s->mu);
	src->in_flight = false;
	src->gen++;
	if (jwks) {
		json_decref(src->jwks);
		src->jwks = jwks;
		src->fetched_ms = now;
		src->failures = 0;
		src->retry_ms = 0;
		src->error[0] = '\0';
	} else {
		src->n_failed++;
		if (src->failures < 64)
			src->failures++;
		retry_in = att_jwks_backoff_ms(src->failures);
		src->retry_ms = now + retry_in;
		snprintf(src->error, sizeof(src->error), "%s", err);
	}
	bool stale_kept = usable(src, now);
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->mu);
	log_end(src, jwks ? NULL : err, retry_in, stale_kept, n_keys);
}

static void xfer_free(struct xfer *x)
{
	if (!x)
		return;
	att_net_xfer_free(x->nx);
	free(x);
}

/* begin_xfer starts fetching url for src; on failure the attempt ends. */
static void begin_xfer(struct att_jwks_svc *s, struct att_jwks_source *src,
		       const char *url, bool discovery)
{
	const struct att_net_opts o = {
		.ca_file = src->ca_file,
		.connect_timeout_ms = ATT_JWKS_CONNECT_TIMEOUT_SECONDS * 1000L,
		.timeout_ms = ATT_JWKS_FETCH_TIMEOUT_SECONDS * 1000L,
		.max_body = ATT_MAX_JWKS_LEN,
	};
	struct xfer *x = calloc(1, sizeof(*x));
	struct att_diag d;
	att_diag_clear(&d);
	if (!x) {
		end_attempt(s, src, NULL, "out of memory");
		return;
	}
	x->src = src;
	x->discovery = discovery;
	if (strlen(url) >= ATT_JWKS_MAX_URL_LEN + sizeof(ATT_OIDC_WELL_KNOWN)) {
		att_diag_set(&d, ATT_ERR_LIMIT,
			     "the URL is longer than ATT_JWKS_MAX_URL_LEN (%d)",
			     ATT_JWKS_MAX_URL_LEN);
		goto fail;
	}
	if (att_net_xfer_new(&x->nx, "GET", url, NULL, NULL, 0, &o, &d) != 0)
		goto fail;
	att_net_xfer_set_user(x->nx, x);
	if (att_net_multi_add(s->multi, x->nx, &d) != 0)
		goto fail;
	x->next = s->xfers;
	s->xfers = x;
	return;
fail:
	xfer_free(x);
	end_attempt(s, src, NULL, att_diag_msg(&d));
}

static void begin_attempt(struct att_jwks_svc *s, struct att_jwks_source *src)
{
	char url[ATT_JWKS_MAX_URL_LEN + sizeof(ATT_OIDC_WELL_KNOWN)];
	struct att_diag d;
	att_diag_clear(&d);
	if (src->jwks_uri) {
		begin_xfer(s, src, src->jwks_uri, false);
		return;
	}
	if (att_oidc_config_url(url, sizeof(url), src->issuer, &d) != 0) {
		end_attempt(s, src, NULL, att_diag_msg(&d));
		return;
	}
	begin_xfer(s, src, url, true);
}

/* parse_body checks a finished transfer: it ended (rc), 200, a JSON
 * object. */
static json_t *parse_body(struct xfer *x, int rc, struct att_diag *d)
{
	const char *url = att_net_xfer_url(x->nx);
	long status = att_net_xfer_status(x->nx);
	struct att_buf *b = att_net_xfer_body(x->nx);
	json_t *j = NULL;
	if (rc)
		return NULL; /* d says why */
	if (status != 200)
		att_diag_set(d, ATT_ERR_NETWORK, "GET %.300s: HTTP %ld", url,
			     status);
	else
		att_oidc_parse_object(&j, (const char *)b->data, b->len, url,
				      d);
	return j;
}

/* finish_xfer handles a transfer that ended: a discovery document leads
 * to the JWKS transfer, a JWKS (or any failure) ends the attempt. */
static void finish_xfer(struct att_jwks_svc *s, struct xfer *x, int rc,
			struct att_diag *d)
{
	const char *url = att_net_xfer_url(x->nx), *u = NULL;
	json_t *j = parse_body(x, rc, d);
	if (j && x->discovery &&
	    att_oidc_check_config(j, url, x->src->issuer,
				  ATT_OIDC_ISSUER_IF_PRESENT, &u, d) == 0) {
		begin_xfer(s, x->src, u, false);
		json_decref(j);
		return;
	}
	if (j && !x->discovery && att_oidc_check_jwks(j, url, d) == 0) {
		end_attempt(s, x->src, j, NULL); /* j transferred */
		return;
	}
	json_decref(j);
	end_attempt(s, x->src, NULL, att_diag_msg(d));
}

/* harvest ends every finished transfer; true when any did (the thread
 * then plans again at once: a backoff to time, a next transfer). */
static bool harvest(struct att_jwks_svc *s)
{
	struct att_net_xfer *nx;
	struct att_diag d;
	int rc = 0;
	bool ended = false;
	att_diag_clear(&d);
	while ((nx = att_net_multi_done(s->multi, &rc, &d)) != NULL) {
		struct xfer *x = att_net_xfer_user(nx), **pp = &s->xfers;
		while (*pp && *pp != x)
			pp = &(*pp)->next;
		if (*pp)
			*pp = x->next;
		finish_xfer(s, x, rc, &d);
		xfer_free(x);
		att_diag_clear(&d);
		ended = true;
	}
	return ended;
}

static void abort_all(struct att_jwks_svc *s)
{
	while (s->xfers) {
		struct xfer *x = s->xfers;
		s->xfers = x->next;
		att_net_multi_remove(s->multi, x->nx);
		xfer_free(x);
	}
}

static void *fetcher_main(void *arg)
{
	struct att_jwks_svc *s = arg;
	for (;;) {
		struct att_jwks_source *start = NULL;
		pthread_mutex_lock(&s->mu);
		bool stop = s->stop;
		int wait_ms = stop ? 0 : plan(s, mono_ms(), &start);
		pthread_mutex_unlock(&s->mu);
		if (stop)
			break;
		while (start) {
			struct att_jwks_source *src = start;
			start = src->start_next;
			begin_attempt(s, src);
		}
		att_net_multi_run(s->multi);
		if (harvest(s))
			wait_ms = 0;
		att_net_multi_wait(s->multi, wait_ms);
	}
	abort_all(s);
	return NULL;
}

/* ---- the server's side ---- */

int att_jwks_svc_new(struct att_jwks_svc **out, struct att_diag *d)
{
	struct att_jwks_svc *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	*out = NULL;
	if (!s)
		return ATT_ERR_NOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->changed, &ca);
	pthread_condattr_destroy(&ca);
	if (att_net_multi_new(&s->multi, d) != 0) {
		att_jwks_svc_free(s);
		return att_diag_set(d, ATT_ERR_NOMEM,
				    "auth: cannot set up the JWKS fetcher");
	}
	if (pthread_create(&s->thread, NULL, fetcher_main, s) != 0) {
		att_jwks_svc_free(s);
		return att_diag_set(d, ATT_ERR_INTERNAL,
				    "auth: cannot start the JWKS fetcher "
				    "thread");
	}
	s->started = true;
	*out = s;
	return 0;
}

void att_jwks_svc_free(struct att_jwks_svc *s)
{
	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_broadcast(&s->changed);
		pthread_mutex_unlock(&s->mu);
		att_net_multi_wakeup(s->multi);
		pthread_join(s->thread, NULL);
	}
	while (s->sources) {
		struct att_jwks_source *src = s->sources;
		s->sources = src->next;
		source_free(src);
	}
	att_net_multi_free(s->multi);
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static struct att_jwks_source *find(struct att_jwks_svc *s,
				    const struct att_auth_issuer *is)
{
	for (struct att_jwks_source *src = s->sources; src; src = src->next)
		if (!strcmp(src->issuer, is->issuer) &&
		    same(src->jwks_uri, is->jwks_uri) &&
		    same(src->ca_file, is->ca_file) &&
		    src->cooldown_ms ==
			(int64_t)is->refetch_cooldown_seconds * 1000)
			return src;
	return NULL;
}

static struct att_jwks_source *source_new(struct att_jwks_svc *s,
					  const struct att_auth_issuer *is)
{
	struct att_jwks_source *src = calloc(1, sizeof(*src));
	if (!src)
		return NULL;
	src->svc = s;
	src->cooldown_ms = (int64_t)is->refetch_cooldown_seconds * 1000;
	src->issuer = strdup(is->issuer);
	src->jwks_uri = is->jwks_uri ? strdup(is->jwks_uri) : NULL;
	src->ca_file = is->ca_file ? strdup(is->ca_file) : NULL;
	if (!src->issuer || (is->jwks_uri && !src->jwks_uri) ||
	    (is->ca_file && !src->ca_file)) {
		source_free(src);
		return NULL;
	}
	src->next = s->sources;
	s->sources = src;
	return src;
}

int att_jwks_svc_bind(struct att_jwks_svc *s, struct att_auth_settings *a,
		      struct att_diag *d)
{
	int r = 0;
	if (!a->enabled) /* tokens are never checked: nothing to fetch */
		return 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; !r && i < a->n_issuers; i++) {
		struct att_auth_issuer *is = a->issuers[i];
		if (is->jwks || is->src)
			continue;
		struct att_jwks_source *src = find(s, is);
		if (!src && !(src = source_new(s, is)))
			r = att_diag_set(d, ATT_ERR_NOMEM,
					 "auth: no memory for the JWKS of %s",
					 is->issuer);
		if (src) {
			src->refs++;
			is->src = src;
		}
	}
	pthread_mutex_unlock(&s->mu);
	att_net_multi_wakeup(s->multi);
	return r;
}

void att_jwks_source_unref(struct att_jwks_source *src)
{
	if (!src)
		return;
	pthread_mutex_lock(&src->svc->mu);
	src->refs--; /* the fetcher frees it (plan) */
	pthread_mutex_unlock(&src->svc->mu);
}

/* ---- requests: read the cache, never fetch ---- */

static void wait_until(struct att_jwks_svc *s, int64_t deadline_ms)
{
	struct timespec ts = {.tv_sec = deadline_ms / 1000,
			      .tv_nsec = (deadline_ms % 1000) * 1000000};
	pthread_cond_timedwait(&s->changed, &s->mu, &ts);
}

static void status_fill(const struct att_jwks_source *src, int64_t now,
			struct att_jwks_status *st)
{
	int64_t left = src->retry_ms - now;
	st->retry_after = left > 0 ? (unsigned)((left + 999) / 1000) : 1;
	if (src->in_flight && src->failures)
		snprintf(st->why, sizeof(st->why),
			 "a fetch has been in progress for %lld ms; the one "
			 "before failed: %.400s",
			 (long long)(now - src->attempt_ms), src->error);
	else if (src->in_flight)
		snprintf(st->why, sizeof(st->why),
			 "the fetch has been in progress for %lld ms",
			 (long long)(now - src->attempt_ms));
	else if (src->failures)
		snprintf(st->why, sizeof(st->why),
			 "the last fetch failed: %.400s", src->error);
	else if (src->jwks)
		snprintf(st->why, sizeof(st->why),
			 "the last JWKS fetched is older than %d s",
			 ATT_JWKS_MAX_STALE_SECONDS);
	else
		snprintf(st->why, sizeof(st->why),
			 "the first fetch has not begun yet");
}

int att_jwks_source_get(struct att_jwks_source *src, json_t **out,
			struct att_jwks_status *st)
{
	struct att_jwks_svc *s = src->svc;
	int r = 0;
	*out = NULL;
	pthread_mutex_lock(&s->mu);
	int64_t now = mono_ms();
	bool ask = !usable(src, now) && !src->in_flight &&
		   now >= src->retry_ms && !s->stop;
	if (ask) /* the fetcher was not on it yet */
		src->wanted = true;
	/* Wait only for a first fetch of an issuer not known to fail: once
	 * one failed, requests never wait (its retries open no window in
	 * which forged tokens could hold worker threads). */
	if (!usable(src, now) && !src->failures && (src->in_flight || ask)) {
		int64_t deadline =
		    (src->in_flight ? src->attempt_ms : now) + ATT_JWKS_WAIT_MS;
		uint64_t gen = src->gen;
		if (ask)
			att_net_multi_wakeup(s->multi);
		while (!usable(src, now) && src->gen == gen && now < deadline &&
		       !s->stop) {
			wait_until(s, deadline);
			now = mono_ms();
		}
	}
	if (usable(src, now)) {
		*out = json_incref(src->jwks);
	} else {
		status_fill(src, now, st);
		r = ATT_ERR_NETWORK;
	}
	pthread_mutex_unlock(&s->mu);
	return r;
}

bool att_jwks_source_want(struct att_jwks_source *src, unsigned *since_s)
{
	struct att_jwks_svc *s = src->svc;
	pthread_mutex_lock(&s->mu);
	int64_t now = mono_ms();
	bool pending = src->in_flight || src->wanted;
	if (!pending &&
	    (!src->attempted || now - src->attempt_ms >= src->cooldown_ms)) {
		src->wanted = true; /* honoured once any backoff has passed */
		pending = true;
		att_net_multi_wakeup(s->multi);
	}
	*since_s = pending ? 0 : (unsigned)((now - src->attempt_ms) / 1000);
	pthread_mutex_unlock(&s->mu);
	return pending;
}

void att_jwks_source_stats(struct att_jwks_source *src,
			   struct att_jwks_stats *out)
{
	pthread_mutex_lock(&src->svc->mu);
	out->attempts = src->n_attempts;
	out->failures = src->n_failed;
	out->backoff_failures = src->failures;
	out->has_jwks = src->jwks != NULL;
	out->in_flight = src->in_flight;
	pthread_mutex_unlock(&src->svc->mu);
}

void att_auth_global_init(void)
{
	/* Once, before the fetcher thread exists (idempotent). */
	(void)att_net_global_init();
}
