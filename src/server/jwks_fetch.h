/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JWKS of trusted bearer-token issuers, fetched off the request path.
 * The server owns one fetcher (struct att_jwks_svc): a background thread
 * driving every fetch with libcurl's multi interface, so no request
 * thread ever does network I/O and no lock is held across it. Each
 * distinct (issuer, jwks_uri, ca_file, refetch cooldown) is one source,
 * shared by every provider trusting it and kept across SIGHUP reloads.
 *
 * A source is fetched at once when bound, refreshed ATT_JWKS_REFRESH_AHEAD_
 * SECONDS before ATT_JWKS_CACHE_SECONDS have passed, and on demand when a
 * token names a kid the cached set lacks (at most once per cooldown).
 * Only one fetch per source is in flight (single flight). A failure is
 * remembered: the next attempt waits 1, 2, 4 ... s (ATT_JWKS_BACKOFF_*),
 * and the last good JWKS keeps being served (for at most
 * ATT_JWKS_MAX_STALE_SECONDS). Without a jwks_uri, the issuer's
 * .well-known/openid-configuration is fetched first, in the same thread.
 *
 * Requests only look at the cache; when no key set is known yet and the
 * first fetch is in flight (no attempt has failed yet), they wait for it
 * at most ATT_JWKS_WAIT_MS after it started (a condition variable with a
 * deadline). Otherwise they never wait.
 */
#ifndef ATT_SERVER_JWKS_FETCH_H
#define ATT_SERVER_JWKS_FETCH_H

#include "base/limits.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"

struct att_jwks_svc;
struct att_jwks_source;
struct att_auth_settings;

/* att_jwks_svc_new starts the fetcher thread. Returns 0, or ATT_ERR_NOMEM
 * / ATT_ERR_INTERNAL (thread or curl set-up) with d set. */
int att_jwks_svc_new(struct att_jwks_svc **out, struct att_diag *d);

/* att_jwks_svc_free stops the thread (aborting fetches in flight at once)
 * and frees every source. Call it after every registry bound to it is
 * freed. Accepts NULL. */
void att_jwks_svc_free(struct att_jwks_svc *s);

/* att_jwks_svc_bind gives every issuer of a that has no fixed JWKS its
 * source (found or created; a reference is taken, dropped by
 * att_jwks_source_unref when the issuer is freed) and wakes the fetcher. */
int att_jwks_svc_bind(struct att_jwks_svc *s, struct att_auth_settings *a,
		      struct att_diag *d);

/* att_jwks_source_unref drops an issuer's reference; the fetcher frees a
 * source without references. Accepts NULL. */
void att_jwks_source_unref(struct att_jwks_source *src);

/* Why a source has no usable key set, for the 503 answer. */
struct att_jwks_status {
	unsigned retry_after; /* seconds until the next attempt (>= 1) */
	char why[ATT_DIAG_LEN];
};

/* att_jwks_source_get returns the source's JWKS (a new reference) without
 * any network I/O. When none is known, no attempt has failed yet and a
 * fetch is in flight, it waits until that fetch ends or ATT_JWKS_WAIT_MS
 * after it began, whichever is first. Returns 0, or ATT_ERR_NETWORK with
 * st filled (no key set: the issuer is unreachable, failing or slow). */
int att_jwks_source_get(struct att_jwks_source *src, json_t **out,
			struct att_jwks_status *st);

/* att_jwks_source_want is called when a token names a kid the cached set
 * lacks: it asks the fetcher for a refetch unless one started less than
 * the cooldown ago (a failing issuer is retried when its backoff ends).
 * Returns whether a refetch is pending; *since_s is then 0, else the
 * seconds since the last one began. Never waits. */
bool att_jwks_source_want(struct att_jwks_source *src, unsigned *since_s);

/* Counters of a source (tests and logs). */
struct att_jwks_stats {
	uint64_t attempts; /* fetches begun (discovery + JWKS count once) */
	uint64_t failures; /* fetches failed */
	unsigned backoff_failures; /* consecutive failures now */
	bool has_jwks;
	bool in_flight;
};
void att_jwks_source_stats(struct att_jwks_source *src,
			   struct att_jwks_stats *out);

/* att_jwks_backoff_ms is the wait after n consecutive failures (n >= 1):
 * ATT_JWKS_BACKOFF_MIN_SECONDS doubled n - 1 times, at most
 * ATT_JWKS_BACKOFF_MAX_SECONDS. */
int64_t att_jwks_backoff_ms(unsigned n);

#endif
