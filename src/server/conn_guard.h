/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connection guard: keeps slow clients from taking every connection
 * (slowloris). libmicrohttpd's timeout is an idle timeout that any byte
 * resets, so a client trickling one header byte every few seconds is never
 * timed out by it. The guard tracks every connection from accept to close
 * in one of these phases, each with an absolute deadline:
 *
 *   HEADERS  accept (TLS handshake included) or a keep-alive request line
 *            until the request's headers are complete: header_timeout
 *   BODY     headers complete until the body is complete: body_timeout
 *   ACTIVE   the request runs and its response is sent: no deadline
 *   IDLE     keep-alive, waiting for the next request line: idle_timeout
 *            (plus one second, so libmicrohttpd closes quiet ones first)
 *
 * A connection past its deadline is cut: shutdown(2) of its socket, which
 * libmicrohttpd sees as the peer going away and cleans up as usual. It
 * also refuses a connection from an address (IPv6: a /64) that already
 * holds max_per_address, and keeps room for new clients: when a new
 * connection would pass max_connections, the oldest connection still in
 * HEADERS (then IDLE, then BODY) is evicted; ACTIVE ones never are. A
 * reaper thread cuts expired connections and logs a summary of what it
 * refused, evicted or cut at most every ATT_HTTP_GUARD_LOG_SECONDS, and
 * once more when it stops.
 *
 * Thread-safe (one mutex). No libmicrohttpd types: the caller gives the
 * socket and address, so tests can drive it with socket pairs.
 * Sockets are shut down only under the mutex and only between
 * att_conn_guard_open and att_conn_guard_close, and libmicrohttpd closes a
 * socket only after its close notification (which calls
 * att_conn_guard_close), so a socket number is never cut after reuse.
 */
#ifndef ATT_SERVER_CONN_GUARD_H
#define ATT_SERVER_CONN_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/limits.h"

/* The phases of an admitted connection come first (conn_guard.c relies
 * on the order). */
enum att_conn_phase {
	ATT_CONN_HEADERS,
	ATT_CONN_BODY,
	ATT_CONN_IDLE,
	ATT_CONN_ACTIVE,
	ATT_CONN_CUT,     /* shut down by the guard, not yet closed */
	ATT_CONN_REFUSED, /* refused at open, not yet closed */
	ATT_CONN_CLOSED,
};

/* One connection, embedded in the caller's per-connection state. Members
 * are the guard's (read them only for tests). */
struct att_conn {
	struct att_conn *prev, *next; /* in its phase's list */
	double deadline;
	int fd;
	enum att_conn_phase phase;
	uint8_t addr[16]; /* IPv4-mapped, or the /64 of an IPv6 address */
	bool holds_addr;  /* counted in the per-address table */
};

struct att_conn_guard_cfg {
	unsigned max_connections; /* admitted at once, 0: no cap */
	unsigned max_per_address; /* 0: no limit */
	double header_timeout;    /* seconds */
	double body_timeout;
	double idle_timeout;
};

struct att_conn_guard_stats {
	unsigned long long refused_address; /* over max_per_address */
	unsigned long long refused_full;    /* at the cap, nothing to evict */
	unsigned long long evicted;         /* to make room at the cap */
	unsigned long long cut_headers;     /* past header_timeout */
	unsigned long long cut_body;        /* past body_timeout */
	unsigned long long cut_idle;        /* past idle_timeout */
	unsigned live;     /* admitted connections not cut yet */
	unsigned waiting;  /* of which in HEADERS */
};

struct att_conn_guard;

/* att_conn_guard_clock: the guard's time (CLOCK_MONOTONIC, seconds). */
double att_conn_guard_clock(void);

int att_conn_guard_new(struct att_conn_guard **out,
		       const struct att_conn_guard_cfg *cfg);
/* att_conn_guard_free stops the reaper; every connection must be closed. */
void att_conn_guard_free(struct att_conn_guard *g);

/* att_conn_guard_start / _stop run the reaper thread (cuts at each
 * deadline, logs summaries). */
int att_conn_guard_start(struct att_conn_guard *g);
void att_conn_guard_stop(struct att_conn_guard *g);

/* att_conn_guard_open admits a new connection c (socket fd, peer sa) in
 * phase HEADERS. Returns 0, or ATT_ERR_LIMIT when it was refused (its
 * socket is shut down already; close it with att_conn_guard_close as
 * usual). May cut an older connection to make room. */
int att_conn_guard_open(struct att_conn_guard *g, struct att_conn *c,
			const struct sockaddr *sa, int fd, double now);
/* att_conn_guard_close forgets c (libmicrohttpd closes the socket). */
void att_conn_guard_close(struct att_conn_guard *g, struct att_conn *c);

/* Phase changes: a request line arrived (IDLE -> HEADERS), the headers
 * are complete (-> BODY), the body is complete (-> ACTIVE), the request
 * is over (-> IDLE). A cut connection stays cut. */
void att_conn_guard_request_line(struct att_conn_guard *g, struct att_conn *c,
				 double now);
void att_conn_guard_headers_done(struct att_conn_guard *g, struct att_conn *c,
				 double now);
void att_conn_guard_body_done(struct att_conn_guard *g, struct att_conn *c);
void att_conn_guard_request_done(struct att_conn_guard *g, struct att_conn *c,
				 double now);

/* att_conn_guard_sweep cuts every connection past its deadline at now and
 * returns the next deadline (now + 1 when there is none). The reaper
 * calls it; tests call it directly. */
double att_conn_guard_sweep(struct att_conn_guard *g, double now);

void att_conn_guard_stats(struct att_conn_guard *g,
			  struct att_conn_guard_stats *out);

#endif
