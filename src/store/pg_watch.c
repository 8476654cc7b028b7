/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend's change watcher (store.h "Cache coherence",
 * docs/deployment.md): one thread and one connection of its own per
 * store. It LISTENs on ATT_PG_CHANNEL, where the triggers of migration 5
 * send the new change version when a writing transaction commits
 * (PostgreSQL documentation "LISTEN", "NOTIFY"), and counts a change
 * whenever the version it sees differs from the last one. While it has
 * no connection it reads the version through the pool every
 * ATT_STORE_VERSION_CHECK_MS and tries to connect again; while it has
 * one it also reads the version every ATT_PG_WATCH_SAFETY_CHECK_MS on
 * it (a dead connection shows there too). Every (re)connection reads
 * the version at once, so notifications missed while it was away are
 * never lost: the version moved.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "store/pg_int.h"
#include "store/store.h"

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_changes(struct att_pg *pg, struct att_pg_slot *s, void *arg,
			struct att_diag *d)
{
	PGresult *res = NULL;
	int r = att_pg_run(pg, s, ATT_PG_CHANGES, NULL, &res, d);
	if (!r && PQntuples(res) != 1)
		r = att_diag_set(d, ATT_ERR_STORE,
				 "store: the changes table has no row");
	if (!r)
		*(int64_t *)arg = att_pg_col_i64(res, 0, 0);
	PQclear(res);
	return r;
}

int att_pg_change_version(void *impl, int64_t *out, struct att_diag *d)
{
	return att_pg_read(impl, read_changes, out, d);
}

uint64_t att_pg_seen(void *impl)
{
	struct att_pg *pg = impl;
	return __atomic_load_n(&pg->seen, __ATOMIC_ACQUIRE);
}

bool att_pg_watched(void *impl)
{
	struct att_pg *pg = impl;
	return __atomic_load_n(&pg->watching, __ATOMIC_ACQUIRE) != 0;
}

struct watch {
	struct att_pg *pg;
	PGconn *conn;
	int64_t last;	  /* the version last seen; -1: none yet */
	int64_t checked; /* monotonic ms of the last version read */
};

/* saw records version v: a change when it differs from the last. */
static void saw(struct watch *w, int64_t v)
{
	if (w->last != v)
		__atomic_add_fetch(&w->pg->seen, 1, __ATOMIC_ACQ_REL);
	w->last = v;
	w->checked = mono_ms();
}

static void set_watching(struct att_pg *pg, int v)
{
	__atomic_store_n(&pg->watching, v, __ATOMIC_RELEASE);
}

static void drop_conn(struct watch *w)
{
	PQfinish(w->conn);
	w->conn = NULL;
	set_watching(w->pg, 0);
}

/* version_on_conn reads the version on the watcher's own connection. */
static int version_on_conn(struct watch *w)
{
	PGresult *res = PQexec(w->conn,
			       "SELECT version FROM changes WHERE id = 1");
	int r = res && PQresultStatus(res) == PGRES_TUPLES_OK &&
			PQntuples(res) == 1
		    ? 0
		    : ATT_ERR_STORE;
	if (!r)
		saw(w, strtoll(PQgetvalue(res, 0, 0), NULL, 10));
	PQclear(res);
	return r;
}

/* listen connects, LISTENs and reads the version (in that order: a
 * change committed in between shows in the version or as a
 * notification, never in neither). */
static int listen_now(struct watch *w)
{
	struct att_diag d = {0};
	if (att_pg_connect(w->pg, &w->conn, &d) != 0)
		return ATT_ERR_STORE;
	PGresult *res = PQexec(w->conn, "LISTEN " ATT_PG_CHANNEL);
	int r = res && PQresultStatus(res) == PGRES_COMMAND_OK
		    ? 0
		    : ATT_ERR_STORE;
	PQclear(res);
	if (!r)
		r = version_on_conn(w);
	if (r) {
		drop_conn(w);
		return r;
	}
	set_watching(w->pg, 1);
	return 0;
}

/* drain reads what arrived on the connection: 0, or an error when the
 * connection is lost. */
static int drain(struct watch *w)
{
	if (!PQconsumeInput(w->conn))
		return ATT_ERR_STORE;
	PGnotify *n;
	while ((n = PQnotifies(w->conn)) != NULL) {
		char *end = NULL;
		long long v = strtoll(n->extra, &end, 10);
		if (end && end != n->extra && !*end)
			saw(w, v);
		else
			__atomic_add_fetch(&w->pg->seen, 1, __ATOMIC_ACQ_REL);
		PQfreemem(n);
	}
	return 0;
}

static bool stopping(struct att_pg *pg)
{
	return __atomic_load_n(&pg->watch_stop, __ATOMIC_ACQUIRE) != 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* step_away: no listening connection. Read the version through the pool
 * (it also keeps att_store_unavailable current), then try to listen. */
static void step_away(struct watch *w)
{
	struct att_diag d = {0};
	int64_t v = 0;
	if (att_pg_change_version(w->pg, &v, &d) == 0)
		saw(w, v);
	if (listen_now(w) != 0)
		sleep_ms(ATT_STORE_VERSION_CHECK_MS);
}

static void step_listening(struct watch *w)
{
	struct pollfd p = {.fd = PQsocket(w->conn), .events = POLLIN};
	int n = p.fd >= 0 ? poll(&p, 1, ATT_PG_WATCH_POLL_MS) : -1;
	if (n < 0 || (n > 0 && drain(w) != 0)) {
		drop_conn(w);
		return;
	}
	if (mono_ms() - w->checked >= ATT_PG_WATCH_SAFETY_CHECK_MS &&
	    version_on_conn(w) != 0)
		drop_conn(w);
}

static void *watch_main(void *arg)
{
	struct watch w = {.pg = arg, .last = -1};
	while (!stopping(w.pg)) {
		if (w.conn)
			step_listening(&w);
		else
			step_away(&w);
	}
	if (w.conn)
		drop_conn(&w);
	return NULL;
}

int att_pg_watch(void *impl, struct att_diag *d)
{
	struct att_pg *pg = impl;
	if (pg->watch_started)
		return 0;
	if (pthread_create(&pg->watch_thread, NULL, watch_main, pg) != 0)
		return att_diag_set(d, ATT_ERR_INTERNAL,
				    "store: cannot start the change watcher");
	pg->watch_started = true;
	return 0;
}

void att_pg_watch_stop(struct att_pg *pg)
{
	if (!pg->watch_started)
		return;
	__atomic_store_n(&pg->watch_stop, 1, __ATOMIC_RELEASE);
	pthread_join(pg->watch_thread, NULL);
	pg->watch_started = false;
}
