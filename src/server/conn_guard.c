/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection guard (conn_guard.h): per-phase lists ordered by
 * deadline (every phase adds a constant to the current time, so appending
 * keeps a list sorted), a per-address count in an open-addressing table,
 * and a reaper thread.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/log.h"
#include "server/conn_guard.h"

/* Phases with a deadline, each with its list. */
#define N_LISTS 3

struct addr_slot {
	uint8_t key[16];
	uint32_t count; /* 0: empty */
};

struct att_conn_guard {
	struct att_conn_guard_cfg cfg;
	pthread_mutex_t lock;
	struct att_conn *head[N_LISTS], *tail[N_LISTS];
	struct addr_slot *slots; /* NULL without a per-address limit */
	size_t mask;             /* slots - 1 (a power of two) */
	size_t used;
	uint64_t seed;
	struct att_conn_guard_stats st;
	/* reaper */
	pthread_t thread;
	pthread_cond_t wake;
	double wake_at; /* when the sleeping reaper wakes up */
	bool running, stop;
	struct att_conn_guard_stats logged; /* as of the last summary */
	double last_log;
};

double att_conn_guard_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- per-address table ---- */

static void addr_key(uint8_t key[16], const struct sockaddr *sa)
{
	memset(key, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *a = in6->sin6_addr.s6_addr;
		static const uint8_t v4map[12] = {0, 0, 0, 0, 0, 0,
						  0, 0, 0, 0, 0xff, 0xff};
		/* An IPv4 client of a dual-stack socket counts as IPv4;
		 * an IPv6 client by its /64 (one subscriber's prefix). */
		memcpy(key, a, memcmp(a, v4map, 12) == 0 ? 16 : 8);
	}
}

static size_t addr_hash(const struct att_conn_guard *g, const uint8_t key[16])
{
	uint64_t h = 1469598103934665603ull ^ g->seed;
	for (int i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29)) & g->mask;
}

/* addr_find returns the slot of key, or the empty slot where it goes. */
static size_t addr_find(const struct att_conn_guard *g, const uint8_t key[16])
{
	size_t i = addr_hash(g, key);
	while (g->slots[i].count && memcmp(g->slots[i].key, key, 16) != 0)
		i = (i + 1) & g->mask;
	return i;
}

/* addr_take counts one more connection for key; false when the address
 * is at its limit (or the table is full). */
static bool addr_take(struct att_conn_guard *g, const uint8_t key[16])
{
	size_t i = addr_find(g, key);
	if (g->slots[i].count) {
		if (g->slots[i].count >= g->cfg.max_per_address)
			return false;
		g->slots[i].count++;
		return true;
	}
	if (g->used + 1 >= g->mask) /* keep an empty slot for the probes */
		return false;
	memcpy(g->slots[i].key, key, 16);
	g->slots[i].count = 1;
	g->used++;
	return true;
}

/* addr_give drops one connection of key; at zero the slot is emptied and
 * the entries after it shifted back (linear probing without tombstones). */
static void addr_give(struct att_conn_guard *g, const uint8_t key[16])
{
	size_t i = addr_find(g, key), j = i;
	if (!g->slots[i].count || --g->slots[i].count)
		return;
	g->used--;
	for (;;) {
		j = (j + 1) & g->mask;
		if (!g->slots[j].count)
			break;
		size_t k = addr_hash(g, g->slots[j].key);
		/* j stays when its home k lies cyclically in (i, j] */
		bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
		if (stays)
			continue;
		g->slots[i] = g->slots[j];
		g->slots[j].count = 0;
		i = j;
	}
}

/* ---- lists ---- */

static int list_of(enum att_conn_phase p)
{
	switch (p) {
	case ATT_CONN_HEADERS:
		return 0;
	case ATT_CONN_BODY:
		return 1;
	case ATT_CONN_IDLE:
		return 2;
	default:
		return -1; /* not an error: no list */
	}
}

static void unlink_conn(struct att_conn_guard *g, struct att_conn *c)
{
	int l = list_of(c->phase);
	if (l < 0)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head[l] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->tail[l] = c->prev;
	c->prev = c->next = NULL;
	if (c->phase == ATT_CONN_HEADERS)
		g->st.waiting--;
}

/* set_phase moves c (not cut) to phase p, due at deadline, and wakes the
 * reaper when that comes before its next wake-up. */
static void set_phase(struct att_conn_guard *g, struct att_conn *c,
		      enum att_conn_phase p, double deadline)
{
	unlink_conn(g, c);
	c->phase = p;
	c->deadline = deadline;
	int l = list_of(p);
	if (l < 0)
		return;
	c->prev = g->tail[l];
	c->next = NULL;
	if (g->tail[l])
		g->tail[l]->next = c;
	else
		g->head[l] = c;
	g->tail[l] = c;
	if (p == ATT_CONN_HEADERS)
		g->st.waiting++;
	if (g->running && deadline < g->wake_at) {
		g->wake_at = deadline;
		pthread_cond_signal(&g->wake);
	}
}

/* is_tracked: admitted and not cut or closed (the phases before CUT). */
static bool is_tracked(const struct att_conn *c)
{
	return c->phase < ATT_CONN_CUT;
}

/* cut shuts c's socket down; libmicrohttpd then closes the connection. */
static void cut(struct att_conn_guard *g, struct att_conn *c)
{
	unlink_conn(g, c); /* c is on a list, so live */
	g->st.live--;
	c->phase = ATT_CONN_CUT;
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

/* make_room evicts the oldest connection still waiting for headers, else
 * the oldest idle one, else the oldest slow body; false when every
 * connection is running a request. */
static bool make_room(struct att_conn_guard *g)
{
	static const int order[N_LISTS] = {0, 2, 1};
	for (int i = 0; i < N_LISTS; i++) {
		struct att_conn *v = g->head[order[i]];
		if (v) {
			cut(g, v);
			g->st.evicted++;
			return true;
		}
	}
	return false;
}

/* ---- the API ---- */

int att_conn_guard_new(struct att_conn_guard **out,
		       const struct att_conn_guard_cfg *cfg)
{
	struct att_conn_guard *g = calloc(1, sizeof(*g));
	*out = NULL;
	if (!g)
		return ATT_ERR_NOMEM;
	g->cfg = *cfg;
	if (cfg->max_per_address) {
		/* At most max_connections + headroom connections are open
		 * (libmicrohttpd's limit), so the table stays half empty. */
		size_t max = cfg->max_connections ? cfg->max_connections
						  : 65536;
		size_t want = 2 * (max + ATT_HTTP_CONNECTION_HEADROOM), n = 64;
		while (n < want)
			n <<= 1;
		if (!(g->slots = calloc(n, sizeof(*g->slots)))) {
			free(g);
			return ATT_ERR_NOMEM;
		}
		g->mask = n - 1;
	}
	g->seed = (uint64_t)(uintptr_t)g ^
		  (uint64_t)(att_conn_guard_clock() * 1e9);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&g->lock, NULL);
	*out = g;
	return 0;
}

void att_conn_guard_free(struct att_conn_guard *g)
{
	if (!g)
		return;
	att_conn_guard_stop(g);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g->slots);
	free(g);
}

int att_conn_guard_open(struct att_conn_guard *g, struct att_conn *c,
			const struct sockaddr *sa, int fd, double now)
{
	int r = 0;
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->phase = ATT_CONN_REFUSED;
	addr_key(c->addr, sa);
	pthread_mutex_lock(&g->lock);
	if (g->slots && !addr_take(g, c->addr)) {
		g->st.refused_address++;
		r = ATT_ERR_LIMIT;
		goto out;
	}
	c->holds_addr = g->slots != NULL;
	if (g->cfg.max_connections && g->st.live >= g->cfg.max_connections &&
	    !make_room(g)) {
		g->st.refused_full++;
		r = ATT_ERR_LIMIT;
		goto out;
	}
	g->st.live++;
	set_phase(g, c, ATT_CONN_HEADERS, now + g->cfg.header_timeout);
out:
	if (r && fd >= 0)
		shutdown(fd, SHUT_RDWR);
	pthread_mutex_unlock(&g->lock);
	return r;
}

void att_conn_guard_close(struct att_conn_guard *g, struct att_conn *c)
{
	pthread_mutex_lock(&g->lock);
	if (is_tracked(c)) {
		unlink_conn(g, c);
		g->st.live--;
	}
	if (c->holds_addr)
		addr_give(g, c->addr);
	c->holds_addr = false;
	c->phase = ATT_CONN_CLOSED;
	c->fd = -1;
	pthread_mutex_unlock(&g->lock);
}

void att_conn_guard_request_line(struct att_conn_guard *g, struct att_conn *c,
				 double now)
{
	pthread_mutex_lock(&g->lock);
	/* The first request's deadline runs from accept; a keep-alive
	 * request's from its request line. */
	if (c->phase == ATT_CONN_IDLE || c->phase == ATT_CONN_ACTIVE)
		set_phase(g, c, ATT_CONN_HEADERS, now + g->cfg.header_timeout);
	pthread_mutex_unlock(&g->lock);
}

void att_conn_guard_headers_done(struct att_conn_guard *g, struct att_conn *c,
				 double now)
{
	pthread_mutex_lock(&g->lock);
	if (is_tracked(c) && c->phase != ATT_CONN_BODY)
		set_phase(g, c, ATT_CONN_BODY, now + g->cfg.body_timeout);
	pthread_mutex_unlock(&g->lock);
}

void att_conn_guard_body_done(struct att_conn_guard *g, struct att_conn *c)
{
	pthread_mutex_lock(&g->lock);
	if (is_tracked(c))
		set_phase(g, c, ATT_CONN_ACTIVE, 0);
	pthread_mutex_unlock(&g->lock);
}

void att_conn_guard_request_done(struct att_conn_guard *g, struct att_conn *c,
				 double now)
{
	pthread_mutex_lock(&g->lock);
	if (is_tracked(c))
		set_phase(g, c, ATT_CONN_IDLE, now + g->cfg.idle_timeout + 1);
	pthread_mutex_unlock(&g->lock);
}

static double sweep_locked(struct att_conn_guard *g, double now)
{
	unsigned long long *count[N_LISTS] = {&g->st.cut_headers,
					      &g->st.cut_body,
					      &g->st.cut_idle};
	double next = now + 1;
	for (int l = 0; l < N_LISTS; l++) {
		struct att_conn *c;
		while ((c = g->head[l]) && c->deadline <= now) {
			cut(g, c);
			(*count[l])++;
		}
		if (c && c->deadline < next)
			next = c->deadline;
	}
	return next;
}

double att_conn_guard_sweep(struct att_conn_guard *g, double now)
{
	pthread_mutex_lock(&g->lock);
	double next = sweep_locked(g, now);
	pthread_mutex_unlock(&g->lock);
	return next;
}

void att_conn_guard_stats(struct att_conn_guard *g,
			  struct att_conn_guard_stats *out)
{
	pthread_mutex_lock(&g->lock);
	*out = g->st;
	pthread_mutex_unlock(&g->lock);
}

/* ---- the reaper ---- */

/* put appends to a bounded line (a full line is cut, never overrun). */
static void put(char *line, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *line, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	if (*len >= cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(line + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

/* log_summary writes what was refused, evicted or cut since the last
 * summary, naming each limit (called without the lock). */
static void log_summary(const struct att_conn_guard_cfg *cfg,
			const struct att_conn_guard_stats *now,
			const struct att_conn_guard_stats *was, double span)
{
	unsigned long long h = now->cut_headers - was->cut_headers,
			   b = now->cut_body - was->cut_body,
			   i = now->cut_idle - was->cut_idle,
			   e = now->evicted - was->evicted,
			   ra = now->refused_address - was->refused_address,
			   rf = now->refused_full - was->refused_full;
	char line[1024];
	size_t len = 0;
	if (!(h | b | i | e | ra | rf))
		return;
	put(line, sizeof(line), &len, "in the last %.0f s", span);
	if (h)
		put(line, sizeof(line), &len,
		    "; closed %llu connections that did not send complete "
		    "request headers within %g s (header_timeout_seconds)",
		    h, cfg->header_timeout);
	if (b)
		put(line, sizeof(line), &len,
		    "; closed %llu that did not send the request body within "
		    "%g s (body_timeout_seconds)",
		    b, cfg->body_timeout);
	if (i)
		put(line, sizeof(line), &len,
		    "; closed %llu keep-alive connections that did not send "
		    "the next request line within %g s (timeout_seconds)",
		    i, cfg->idle_timeout + 1);
	if (e)
		put(line, sizeof(line), &len,
		    "; evicted %llu at max_connections (%u)", e,
		    cfg->max_connections);
	if (ra)
		put(line, sizeof(line), &len,
		    "; refused %llu over max_connections_per_address (%u)", ra,
		    cfg->max_per_address);
	if (rf)
		put(line, sizeof(line), &len,
		    "; refused %llu at max_connections (%u) with every "
		    "connection running a request",
		    rf, cfg->max_connections);
	att_logf(ATT_LOG_WARN, "http: %s; now %u connections open, %u waiting "
		 "for headers", line, now->live, now->waiting);
}

static void *reaper(void *arg)
{
	struct att_conn_guard *g = arg;
	pthread_mutex_lock(&g->lock);
	g->last_log = att_conn_guard_clock();
	while (!g->stop) {
		double now = att_conn_guard_clock();
		double next = sweep_locked(g, now);
		if (now - g->last_log >= ATT_HTTP_GUARD_LOG_SECONDS) {
			struct att_conn_guard_stats st = g->st, was = g->logged;
			double span = now - g->last_log;
			g->logged = st;
			g->last_log = now;
			pthread_mutex_unlock(&g->lock);
			log_summary(&g->cfg, &st, &was, span);
			pthread_mutex_lock(&g->lock);
			continue;
		}
		if (next > g->last_log + ATT_HTTP_GUARD_LOG_SECONDS)
			next = g->last_log + ATT_HTTP_GUARD_LOG_SECONDS;
		struct timespec ts;
		g->wake_at = next;
		ts.tv_sec = (time_t)next;
		ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_sec++, ts.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
	}
	/* What happened since the last summary, at stop. */
	struct att_conn_guard_stats st = g->st, was = g->logged;
	double span = att_conn_guard_clock() - g->last_log;
	g->logged = st;
	pthread_mutex_unlock(&g->lock);
	log_summary(&g->cfg, &st, &was, span);
	return NULL;
}

int att_conn_guard_start(struct att_conn_guard *g)
{
	pthread_mutex_lock(&g->lock);
	g->stop = false;
	int e = g->running ? 0 : pthread_create(&g->thread, NULL, reaper, g);
	if (e == 0)
		g->running = true;
	pthread_mutex_unlock(&g->lock);
	return e ? ATT_ERR_INTERNAL : 0;
}

void att_conn_guard_stop(struct att_conn_guard *g)
{
	pthread_mutex_lock(&g->lock);
	bool running = g->running;
	g->stop = true;
	g->running = false;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	if (running)
		pthread_join(g->thread, NULL);
}
