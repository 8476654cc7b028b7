/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL store backend (pg_int.h): opening (URL, password file,
 * pool, migrations), the connection pool, statement and transaction
 * runners and error mapping. Messages name the server as "host:port" and
 * never carry a password: the URL is only shown masked
 * (att_store_url_mask), and any password text in a libpq message is
 * replaced by "***" before it reaches a diag.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "store/pg_int.h"
#include "store/sqlite_writes.h"
#include "store/store.h"

static const char *const stmt_sql[ATT_PG_N_STMTS] = {
#define ATT_PG_SQL(id, sql) sql,
	ATT_PG_STMTS(ATT_PG_SQL)
#undef ATT_PG_SQL
};

/* ---- parameters ---- */

static bool param_room(struct att_pg_params *p)
{
	if (p->n < ATT_PG_MAX_PARAMS)
		return true;
	p->overflow = true;
	return false;
}

void att_pg_text(struct att_pg_params *p, const char *s)
{
	if (!param_room(p))
		return;
	p->v[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

void att_pg_i64(struct att_pg_params *p, int64_t v)
{
	if (!param_room(p))
		return;
	snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)v);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

void att_pg_blob(struct att_pg_params *p, const void *b, size_t n)
{
	if (!param_room(p) || n > (size_t)1 << 30) {
		p->overflow = true;
		return;
	}
	p->v[p->n] = b ? (const char *)b : "";
	p->len[p->n] = b ? (int)n : 0;
	p->fmt[p->n++] = 1;
}

/* ---- messages ---- */

/* scrub copies msg to out with every occurrence of a known password
 * replaced by "***" and the trailing newline libpq adds dropped. */
static void scrub(const struct att_pg *pg, char *out, size_t out_len,
		  const char *msg)
{
	const char *pw[2] = {pg->password, pg->url_password};
	size_t k = 0;
	if (!out_len)
		return;
	for (const char *m = msg ? msg : ""; *m && k + 1 < out_len;) {
		size_t skip = 0;
		for (int i = 0; i < 2; i++)
			if (pw[i] && *pw[i] && !strncmp(m, pw[i], strlen(pw[i])))
				skip = strlen(pw[i]);
		if (skip) {
			for (const char *r = "***"; *r && k + 1 < out_len; r++)
				out[k++] = *r;
			m += skip;
			continue;
		}
		out[k++] = *m++;
	}
	while (k > 0 && (out[k - 1] == '\n' || out[k - 1] == ' '))
		k--;
	out[k] = 0;
}

static void set_unavailable(struct att_pg *pg, int v)
{
	__atomic_store_n(&pg->unavailable, v, __ATOMIC_RELEASE);
}

/* lost: the connection cannot be used any more (server gone, restarted,
 * network): SQLSTATE class 08, an operator or crash shutdown (57P01..3),
 * or a connection libpq marks bad. */
static bool lost(PGconn *c, const char *state)
{
	if (PQstatus(c) == CONNECTION_BAD)
		return true;
	if (!state)
		return false;
	return !strncmp(state, "08", 2) || !strcmp(state, "57P01") ||
	       !strcmp(state, "57P02") || !strcmp(state, "57P03");
}

/* result_err maps a failed result (or a NULL one) to ATT_ERR_*. */
static int result_err(struct att_pg *pg, struct att_pg_slot *s, PGresult *res,
		      const char *what, struct att_diag *d)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
				: NULL;
	char msg[ATT_DIAG_LEN];
	scrub(pg, msg, sizeof(msg),
	      res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
						  : PQerrorMessage(s->conn));
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
		return ATT_PG_RETRY;
	if (lost(s->conn, state)) {
		set_unavailable(pg, 1);
		return att_diag_set(d, ATT_ERR_STORE,
				    ATT_STORE_UNAVAILABLE_MSG
				    "lost the connection to PostgreSQL at %s "
				    "(%s): %s",
				    pg->where, what, msg);
	}
	if (state && !strcmp(state, "23505"))
		return att_diag_set(d, ATT_ERR_EXISTS, "store: %s: %s", what,
				    msg);
	return att_diag_set(d, ATT_ERR_STORE, "store: %s: %s", what, msg);
}

static bool is_lost_result(int r, const struct att_diag *d)
{
	return att_store_diag_unavailable(r, d);
}

/* pass_diag hands a message kept aside on to the caller's diag. */
static void pass_diag(struct att_diag *d, const struct att_diag *kept)
{
	if (kept->msg[0])
		att_diag_set(d, kept->code, "%s", kept->msg);
}

/* ---- statements ---- */

static int prepare(struct att_pg *pg, struct att_pg_slot *s,
		   enum att_pg_stmt id, int nparams, struct att_diag *d)
{
	char name[16];
	if (s->prepared[id])
		return 0;
	snprintf(name, sizeof(name), "att_%d", (int)id);
	PGresult *res = PQprepare(s->conn, name, stmt_sql[id], nparams, NULL);
	int r = res && PQresultStatus(res) == PGRES_COMMAND_OK
			? 0
			: result_err(pg, s, res, "prepare", d);
	PQclear(res);
	if (!r)
		s->prepared[id] = true;
	return r;
}

int att_pg_run(struct att_pg *pg, struct att_pg_slot *s, enum att_pg_stmt id,
	       const struct att_pg_params *p, PGresult **res,
	       struct att_diag *d)
{
	static const struct att_pg_params none = {0};
	char name[16];
	if (!p)
		p = &none;
	if (res)
		*res = NULL;
	if (p->overflow)
		return att_diag_set(d, ATT_ERR_INTERNAL,
				    "store: statement %d: bad parameters",
				    (int)id);
	int r = prepare(pg, s, id, p->n, d);
	if (r)
		return r;
	snprintf(name, sizeof(name), "att_%d", (int)id);
	PGresult *x = PQexecPrepared(s->conn, name, p->n, p->v, p->len, p->fmt,
				     0);
	ExecStatusType st = x ? PQresultStatus(x) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		r = result_err(pg, s, x, "query", d);
		PQclear(x);
		return r;
	}
	if (res)
		*res = x;
	else
		PQclear(x);
	return 0;
}

long long att_pg_affected(PGresult *res)
{
	const char *t = res ? PQcmdTuples(res) : "";
	return *t ? strtoll(t, NULL, 10) : 0;
}

int att_pg_exec(struct att_pg *pg, struct att_pg_slot *s, const char *sql,
		const char *what, struct att_diag *d)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int r = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
			? 0
			: result_err(pg, s, res, what, d);
	PQclear(res);
	return r;
}

/* ---- columns ---- */

char *att_pg_col_text(PGresult *res, int row, int col, int *err)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	char *s = strdup(PQgetvalue(res, row, col));
	if (!s)
		*err = ATT_ERR_NOMEM;
	return s;
}

int64_t att_pg_col_i64(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	return (int64_t)strtoll(PQgetvalue(res, row, col), NULL, 10);
}

uint8_t *att_pg_col_blob(PGresult *res, int row, int col, size_t *len,
			 int *err)
{
	size_t n = 0;
	*len = 0;
	unsigned char *u = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(res, row, col), &n);
	if (!u) {
		*err = ATT_ERR_STORE;
		return NULL;
	}
	uint8_t *b = malloc(n ? n : 1);
	if (b && n)
		memcpy(b, u, n);
	memset(u, 0, n); /* wrapped keys pass here: leave no copy behind */
	PQfreemem(u);
	if (!b) {
		*err = ATT_ERR_NOMEM;
		return NULL;
	}
	*len = n;
	return b;
}

/* ---- the pool ---- */

/* Server notices ("relation ... already exists, skipping") are no
 * errors: libpq would print them to stderr. */
static void no_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* connect_slot opens the slot's connection; the URL goes to libpq as the
 * dbname of PQconnectdbParams (expanded), so every URL parameter
 * (sslmode, sslrootcert, ...) applies; our defaults come before it (the
 * URL overrides them), the password file's password after it. */
/* The statement timeout bounds a statement on a database that stopped
 * answering; TCP keepalives and tcp_user_timeout bound a connection
 * whose peer vanished (docs/deployment.md "Database outages"). */
int att_pg_connect(struct att_pg *pg, PGconn **out, struct att_diag *d)
{
	char timeout[16], options[64], user_timeout[24];
	const char *kw[12], *val[12];
	int n = 0;
	snprintf(timeout, sizeof(timeout), "%u", pg->connect_timeout_s);
	snprintf(options, sizeof(options), "-c statement_timeout=%u",
		 pg->statement_timeout_ms);
	snprintf(user_timeout, sizeof(user_timeout), "%u",
		 pg->connect_timeout_s * 1000 + pg->statement_timeout_ms);
	kw[n] = "connect_timeout", val[n++] = timeout;
	kw[n] = "application_name", val[n++] = "attestd";
	kw[n] = "options", val[n++] = options;
	kw[n] = "keepalives_idle", val[n++] = "5";
	kw[n] = "keepalives_interval", val[n++] = "1";
	kw[n] = "keepalives_count", val[n++] = "3";
	kw[n] = "tcp_user_timeout", val[n++] = user_timeout;
	kw[n] = "dbname", val[n++] = pg->url;
	if (pg->password)
		kw[n] = "password", val[n++] = pg->password;
	kw[n] = NULL, val[n] = NULL;
	*out = PQconnectdbParams(kw, val, 1);
	if (*out && PQstatus(*out) == CONNECTION_OK) {
		PQsetNoticeProcessor(*out, no_notice, NULL);
		return 0;
	}
	char msg[ATT_DIAG_LEN];
	scrub(pg, msg, sizeof(msg),
	      *out ? PQerrorMessage(*out) : "out of memory");
	PQfinish(*out);
	*out = NULL;
	set_unavailable(pg, 1);
	return att_diag_set(d, ATT_ERR_STORE,
			    ATT_STORE_UNAVAILABLE_MSG
			    "cannot connect to PostgreSQL at %s: %s",
			    pg->where, msg);
}

static int connect_slot(struct att_pg *pg, struct att_pg_slot *s,
			struct att_diag *d)
{
	memset(s->prepared, 0, sizeof(s->prepared));
	return att_pg_connect(pg, &s->conn, d);
}

static struct att_pg_slot *free_slot(struct att_pg *pg)
{
	struct att_pg_slot *empty = NULL;
	for (size_t i = 0; i < pg->n_slots; i++) {
		if (pg->slots[i].busy)
			continue;
		if (pg->slots[i].conn)
			return &pg->slots[i]; /* an open one first */
		if (!empty)
			empty = &pg->slots[i];
	}
	return empty;
}

int att_pg_take(struct att_pg *pg, struct att_pg_slot **out, bool *fresh,
		struct att_diag *d)
{
	struct timespec until;
	struct att_pg_slot *s = NULL;
	int rc = 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ATT_PG_POOL_WAIT_MS / 1000;
	until.tv_nsec += (long)(ATT_PG_POOL_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&pg->mu);
	while (!(s = free_slot(pg)) && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&pg->cv, &pg->mu, &until);
	if (s)
		s->busy = true;
	pthread_mutex_unlock(&pg->mu);
	*out = NULL;
	if (!s) {
		set_unavailable(pg, 1);
		return att_diag_set(d, ATT_ERR_STORE,
				    ATT_STORE_UNAVAILABLE_MSG
				    "no free PostgreSQL connection to %s "
				    "within %d ms (pool of %zu)",
				    pg->where, ATT_PG_POOL_WAIT_MS,
				    pg->n_slots);
	}
	*fresh = s->conn == NULL;
	if (*fresh) {
		int r = connect_slot(pg, s, d);
		if (r) {
			att_pg_give(pg, s);
			return r;
		}
	}
	*out = s;
	return 0;
}

void att_pg_give(struct att_pg *pg, struct att_pg_slot *s)
{
	if (!s)
		return;
	if (s->conn && PQstatus(s->conn) == CONNECTION_OK &&
	    PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(s->conn, "ROLLBACK");
		PQclear(res);
	}
	if (s->conn && (PQstatus(s->conn) != CONNECTION_OK ||
			PQtransactionStatus(s->conn) != PQTRANS_IDLE)) {
		PQfinish(s->conn);
		s->conn = NULL;
	}
	pthread_mutex_lock(&pg->mu);
	s->busy = false;
	pthread_cond_signal(&pg->cv);
	pthread_mutex_unlock(&pg->mu);
}

/* drop closes a slot's connection (it was found lost). */
static void drop(struct att_pg_slot *s)
{
	PQfinish(s->conn);
	s->conn = NULL;
}

int att_pg_read(struct att_pg *pg, att_pg_fn fn, void *arg,
		struct att_diag *d)
{
	struct att_pg_slot *s = NULL;
	bool fresh = false;
	int r = att_pg_take(pg, &s, &fresh, d);
	if (r)
		return r;
	struct att_diag first = {0};
	r = fn(pg, s, arg, fresh ? d : &first);
	if (!fresh && is_lost_result(r, &first)) {
		/* A pooled connection the server dropped (restart,
		 * failover): once more on a new one. */
		drop(s);
		if ((r = connect_slot(pg, s, d)) == 0)
			r = fn(pg, s, arg, d);
	} else if (!fresh) {
		pass_diag(d, &first);
	}
	if (r == ATT_PG_RETRY)
		r = att_diag_set(d, ATT_ERR_STORE,
				 "store: a read failed to serialise");
	if (!r || !att_store_diag_unavailable(r, d))
		set_unavailable(pg, 0);
	att_pg_give(pg, s);
	return r;
}

/* begin starts a transaction; a pooled connection found lost at BEGIN
 * (nothing done yet) is replaced once. */
static int begin(struct att_pg *pg, struct att_pg_slot *s, bool *fresh,
		 struct att_diag *d)
{
	struct att_diag first = {0};
	int r = att_pg_exec(pg, s, "BEGIN", "begin", *fresh ? d : &first);
	if (r && !*fresh && is_lost_result(r, &first)) {
		drop(s);
		*fresh = true;
		if ((r = connect_slot(pg, s, d)) == 0)
			r = att_pg_exec(pg, s, "BEGIN", "begin", d);
	} else if (r && !*fresh) {
		pass_diag(d, &first);
	}
	return r;
}

static void backoff(int attempt)
{
	struct timespec ts = {0, (long)(1 + attempt * 3) * 1000000L};
	nanosleep(&ts, NULL);
}

int att_pg_tx(struct att_pg *pg, att_pg_fn fn, void *arg, bool write,
	      struct att_diag *d)
{
	struct att_pg_slot *s = NULL;
	bool fresh = false;
	int r = att_pg_take(pg, &s, &fresh, d);
	if (r)
		return r;
	for (int attempt = 0;; attempt++) {
		if ((r = begin(pg, s, &fresh, d)) != 0)
			break;
		r = fn(pg, s, arg, d);
		if (!r)
			r = att_pg_exec(pg, s, "COMMIT", "commit", d);
		if (r == 0 || r != ATT_PG_RETRY ||
		    attempt >= ATT_PG_TX_RETRIES) {
			if (r)
				att_pg_exec(pg, s, "ROLLBACK", "rollback",
					    NULL);
			break;
		}
		att_pg_exec(pg, s, "ROLLBACK", "rollback", NULL);
		backoff(attempt);
	}
	if (r == ATT_PG_RETRY)
		r = att_diag_set(d, ATT_ERR_STORE,
				 "store: a transaction failed to serialise "
				 "%d times",
				 ATT_PG_TX_RETRIES + 1);
	if (!r || !att_store_diag_unavailable(r, d))
		set_unavailable(pg, 0);
	if (!r && write)
		att_store_write_count_bump();
	att_pg_give(pg, s);
	return r;
}

/* ---- open and close ---- */

/* describe fills pg->where ("host:port") and pg->url_password from the
 * URL, as libpq reads it. */
static int describe(struct att_pg *pg, struct att_diag *d)
{
	char *err = NULL;
	const char *host = NULL, *port = NULL, *hostaddr = NULL;
	PQconninfoOption *o = PQconninfoParse(pg->url, &err);
	if (!o) {
		char masked[ATT_PG_URL_MAX + 1];
		char msg[ATT_DIAG_LEN];
		att_store_url_mask(masked, sizeof(masked), pg->url);
		scrub(pg, msg, sizeof(msg), err ? err : "out of memory");
		PQfreemem(err);
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "store: bad PostgreSQL URL %s: %s", masked,
				    msg);
	}
	for (PQconninfoOption *i = o; i->keyword; i++) {
		if (!i->val)
			continue;
		if (!strcmp(i->keyword, "host"))
			host = i->val;
		else if (!strcmp(i->keyword, "hostaddr"))
			hostaddr = i->val;
		else if (!strcmp(i->keyword, "port"))
			port = i->val;
		else if (!strcmp(i->keyword, "password") && *i->val &&
			 !(pg->url_password = strdup(i->val))) {
			PQconninfoFree(o);
			return ATT_ERR_NOMEM;
		}
	}
	if (!host && !hostaddr)
		host = getenv("PGHOST");
	if (!port)
		port = getenv("PGPORT");
	snprintf(pg->where, sizeof(pg->where), "%s:%s",
		 host ? host : hostaddr ? hostaddr : "localhost",
		 port && *port ? port : "5432");
	PQconninfoFree(o);
	return 0;
}

/* read_password reads the first line of a password file. */
static int read_password(struct att_pg *pg, const char *path,
			 struct att_diag *d)
{
	char buf[ATT_PG_PASSWORD_MAX + 2];
	FILE *f = fopen(path, "r");
	if (!f)
		return att_diag_set(d, ATT_ERR_IO,
				    "store: cannot read the password file %s: "
				    "%s",
				    path, strerror(errno));
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || n > ATT_PG_PASSWORD_MAX) {
		memset(buf, 0, sizeof(buf));
		return att_diag_set(d, bad ? ATT_ERR_IO : ATT_ERR_LIMIT,
				    "store: cannot read the password file %s "
				    "(%s)",
				    path, bad ? "read error" : "too long");
	}
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	pg->password = strdup(buf);
	memset(buf, 0, sizeof(buf));
	return pg->password ? 0 : ATT_ERR_NOMEM;
}

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

void att_pg_close(void *impl)
{
	struct att_pg *pg = impl;
	if (!pg)
		return;
	att_pg_watch_stop(pg);
	for (size_t i = 0; pg->slots && i < pg->n_slots; i++)
		PQfinish(pg->slots[i].conn);
	free(pg->slots);
	wipe_free(pg->url);
	wipe_free(pg->password);
	wipe_free(pg->url_password);
	pthread_mutex_destroy(&pg->mu);
	pthread_cond_destroy(&pg->cv);
	free(pg);
}

int att_store_open_pg(struct att_store **out, const char *url,
		      const struct att_store_pg_opts *o, struct att_diag *d)
{
	static const struct att_store_pg_opts defaults = {0};
	struct att_store *s = NULL;
	struct att_pg *pg = NULL;
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!o)
		o = &defaults;
	if (!att_store_url_is_pg(url) || strlen(url) > ATT_PG_URL_MAX)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "store: not a PostgreSQL URL "
				    "(postgresql://..., at most %d bytes)",
				    ATT_PG_URL_MAX);
	if (o->pool_size > ATT_PG_POOL_MAX)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "store: a pool of %u connections is more "
				    "than %d",
				    o->pool_size, ATT_PG_POOL_MAX);
	if (!(s = calloc(1, sizeof(*s))) || !(pg = calloc(1, sizeof(*pg))))
		goto out;
	pthread_mutex_init(&pg->mu, NULL);
	pthread_cond_init(&pg->cv, NULL);
	pg->n_slots = o->pool_size ? o->pool_size : ATT_PG_POOL_DEFAULT;
	pg->connect_timeout_s = o->connect_timeout_s
					? o->connect_timeout_s
					: ATT_PG_CONNECT_TIMEOUT_S;
	pg->statement_timeout_ms = o->statement_timeout_ms
					   ? o->statement_timeout_ms
					   : ATT_PG_STATEMENT_TIMEOUT_MS;
	if (!(pg->slots = calloc(pg->n_slots, sizeof(*pg->slots))) ||
	    !(pg->url = strdup(url)))
		goto out;
	if ((r = describe(pg, d)) != 0)
		goto out;
	if (o->password_file && (r = read_password(pg, o->password_file, d)))
		goto out;
	if ((r = att_pg_migrate(pg, d)) != 0)
		goto out;
	s->ops = &att_pg_ops;
	s->impl = pg;
	pg = NULL; /* transferred */
	*out = s;
	s = NULL; /* transferred */
out:
	att_pg_close(pg);
	free(s);
	return r;
}

int att_pg_ping(void *impl, struct att_diag *d)
{
	int v = 0;
	return att_pg_schema_version(impl, &v, d);
}

static int read_version(struct att_pg *pg, struct att_pg_slot *s, void *arg,
			struct att_diag *d)
{
	PGresult *res = NULL;
	int r = att_pg_run(pg, s, ATT_PG_VERSION, NULL, &res, d);
	if (!r)
		*(int *)arg = PQntuples(res) == 1
				      ? (int)att_pg_col_i64(res, 0, 0)
				      : 0;
	PQclear(res);
	return r;
}

int att_pg_schema_version(void *impl, int *out, struct att_diag *d)
{
	return att_pg_read(impl, read_version, out, d);
}

bool att_pg_unavailable(void *impl)
{
	struct att_pg *pg = impl;
	return __atomic_load_n(&pg->unavailable, __ATOMIC_ACQUIRE) != 0;
}
