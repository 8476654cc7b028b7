/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend, TPM state (store.h, docs/tpm.md): settings,
 * trusted certificates, the AIK CA, enrolments, the context-key seed, the
 * used-context replay set and the import of a pre-store TPM directory.
 *
 * The replay set is shared by every node on the database: a context id is
 * recorded by INSERT ... ON CONFLICT DO NOTHING, whose unique key is the
 * atomic check (a second insert of the same id waits for the first to
 * commit or roll back, then inserts nothing), so a context redeemed at one
 * node is refused at every other.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "store/pg_int.h"
#include "store/store.h"

/* ---- helpers ---- */

typedef void (*bind_fn)(struct att_pg_params *p, const void *arg);

struct one {
	enum att_pg_stmt id;
	bind_fn bind;
	const void *arg;
};

static int one_tx(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		  struct att_diag *d)
{
	struct one *o = arg;
	struct att_pg_params p = {0};
	o->bind(&p, o->arg);
	return att_pg_run(pg, s, o->id, &p, NULL, d);
}

/* write_one runs one statement in its own transaction. */
static int write_one(void *impl, enum att_pg_stmt id, bind_fn bind,
		     const void *arg, struct att_diag *d)
{
	struct one o = {id, bind, arg};
	return att_pg_tx(impl, one_tx, &o, true, d);
}

/* A read of at most one row: the statement, its bound provider (and a
 * second text), and what to do with the row. */
struct get {
	enum att_pg_stmt id;
	const char *a, *b;
	int (*read)(PGresult *res, void *out);
	void *out;
};

static int get_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		  struct att_diag *d)
{
	struct get *g = arg;
	struct att_pg_params p = {0};
	PGresult *res = NULL;
	att_pg_text(&p, g->a);
	if (g->b)
		att_pg_text(&p, g->b);
	int r = att_pg_run(pg, s, g->id, &p, &res, d);
	if (!r)
		r = PQntuples(res) < 1 ? ATT_ERR_NOT_FOUND : g->read(res, g->out);
	PQclear(res);
	return r;
}

/* ---- settings ---- */

static int read_json(PGresult *res, void *out)
{
	int err = 0;
	char *j = att_pg_col_text(res, 0, 0, &err);
	if (!j)
		return err ? err : ATT_ERR_STORE;
	*(char **)out = j;
	return 0;
}

int att_pg_tpm_settings_get(void *impl, const char *provider, char **json,
			    struct att_diag *d)
{
	struct get g = {ATT_PG_TS_GET, provider, NULL, read_json, json};
	*json = NULL;
	return att_pg_read(impl, get_rd, &g, d);
}

struct settings_arg {
	const char *provider, *json;
};

static void bind_settings(struct att_pg_params *p, const void *arg)
{
	const struct settings_arg *a = arg;
	att_pg_text(p, a->provider);
	if (a->json)
		att_pg_text(p, a->json);
}

int att_pg_tpm_settings_put(void *impl, const char *provider, const char *json,
			    struct att_diag *d)
{
	struct settings_arg a = {provider, json};
	return write_one(impl, json ? ATT_PG_TS_PUT : ATT_PG_TS_DELETE,
			 bind_settings, &a, d);
}

/* ---- trusted certificates ---- */

static void bind_cert(struct att_pg_params *p, const void *arg)
{
	const struct att_store_tpm_cert *c = arg;
	att_pg_text(p, c->provider);
	att_pg_text(p, c->kind);
	att_pg_text(p, c->name);
	att_pg_text(p, c->pem);
	att_pg_i64(p, c->added);
}

int att_pg_tpm_cert_add(void *impl, const struct att_store_tpm_cert *c,
			struct att_diag *d)
{
	return write_one(impl, ATT_PG_TC_INSERT, bind_cert, c, d);
}

struct cert_list {
	const char *provider, *kind;
	struct att_store_tpm_cert **out;
	size_t *n;
};

static int cert_list_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
			struct att_diag *d)
{
	struct cert_list *c = arg;
	struct att_pg_params p = {0};
	PGresult *res = NULL;
	att_pg_text(&p, c->provider);
	att_pg_text(&p, c->kind);
	int r = att_pg_run(pg, s, ATT_PG_TC_LIST, &p, &res, d);
	size_t nt = r ? 0 : (size_t)PQntuples(res), k = 0;
	struct att_store_tpm_cert *v = NULL;
	if (!r && nt && !(v = calloc(nt, sizeof(*v))))
		r = ATT_ERR_NOMEM;
	for (int err = 0; !r && k < nt; k++) {
		v[k].provider = att_pg_col_text(res, (int)k, 0, &err);
		v[k].kind = att_pg_col_text(res, (int)k, 1, &err);
		v[k].name = att_pg_col_text(res, (int)k, 2, &err);
		v[k].pem = att_pg_col_text(res, (int)k, 3, &err);
		v[k].added = att_pg_col_i64(res, (int)k, 4);
		r = err;
	}
	PQclear(res);
	if (r) {
		att_store_tpm_cert_list_free(v, k);
		return r;
	}
	*c->out = v;
	*c->n = k;
	return 0;
}

int att_pg_tpm_cert_list(void *impl, const char *provider, const char *kind,
			 struct att_store_tpm_cert **out, size_t *n,
			 struct att_diag *d)
{
	struct cert_list c = {provider, kind, out, n};
	*out = NULL;
	*n = 0;
	return att_pg_read(impl, cert_list_rd, &c, d);
}

/* ---- the AIK CA ---- */

static int read_ca(PGresult *res, void *out)
{
	struct att_store_tpm_ca *c = out;
	int err = 0;
	c->provider = att_pg_col_text(res, 0, 0, &err);
	c->wrapped = att_pg_col_blob(res, 0, 1, &c->wrapped_len, &err);
	c->cert_pem = att_pg_col_text(res, 0, 2, &err);
	c->created = att_pg_col_i64(res, 0, 3);
	if (err)
		att_store_tpm_ca_release(c);
	return err;
}

int att_pg_tpm_ca_get(void *impl, const char *provider,
		      struct att_store_tpm_ca *out, struct att_diag *d)
{
	struct att_store_tpm_ca tmp = {0};
	struct get g = {ATT_PG_CA_GET, provider, NULL, read_ca, &tmp};
	int r = att_pg_read(impl, get_rd, &g, d);
	if (!r)
		*out = tmp;
	return r;
}

static void bind_ca(struct att_pg_params *p, const void *arg)
{
	const struct att_store_tpm_ca *c = arg;
	att_pg_text(p, c->provider);
	att_pg_blob(p, c->wrapped, c->wrapped_len);
	att_pg_text(p, c->cert_pem);
	att_pg_i64(p, c->created);
}

int att_pg_tpm_ca_add(void *impl, const struct att_store_tpm_ca *c,
		      struct att_diag *d)
{
	return write_one(impl, ATT_PG_CA_INSERT, bind_ca, c, d);
}

/* ---- enrolments ---- */

static void bind_enrol(struct att_pg_params *p, const void *arg)
{
	const struct att_store_tpm_enrolment *e = arg;
	att_pg_text(p, e->provider);
	att_pg_text(p, e->aik_name);
	att_pg_text(p, e->ek_cert_sha256);
	att_pg_text(p, e->aik_cert_sha256);
	att_pg_i64(p, e->enrolled_at);
}

int att_pg_tpm_enrol_put(void *impl, const struct att_store_tpm_enrolment *e,
			 struct att_diag *d)
{
	return write_one(impl, ATT_PG_EN_PUT, bind_enrol, e, d);
}

static int read_enrol(PGresult *res, void *out)
{
	struct att_store_tpm_enrolment *e = out;
	int err = 0;
	e->provider = att_pg_col_text(res, 0, 0, &err);
	e->aik_name = att_pg_col_text(res, 0, 1, &err);
	e->ek_cert_sha256 = att_pg_col_text(res, 0, 2, &err);
	e->aik_cert_sha256 = att_pg_col_text(res, 0, 3, &err);
	e->enrolled_at = att_pg_col_i64(res, 0, 4);
	if (err)
		att_store_tpm_enrolment_release(e);
	return err;
}

int att_pg_tpm_enrol_get(void *impl, const char *provider, const char *name,
			 struct att_store_tpm_enrolment *out,
			 struct att_diag *d)
{
	struct att_store_tpm_enrolment tmp = {0};
	struct get g = {ATT_PG_EN_GET, provider, name, read_enrol, &tmp};
	int r = att_pg_read(impl, get_rd, &g, d);
	if (!r)
		*out = tmp;
	return r;
}

/* ---- the context-key seed ---- */

struct blob_out {
	uint8_t *b;
	size_t len;
};

static int read_blob(PGresult *res, void *out)
{
	struct blob_out *o = out;
	int err = 0;
	o->b = att_pg_col_blob(res, 0, 0, &o->len, &err);
	return o->b ? err : (err ? err : ATT_ERR_STORE);
}

int att_pg_tpm_ctxkey_get(void *impl, const char *provider, uint8_t **wrapped,
			  size_t *len, struct att_diag *d)
{
	struct blob_out o = {0};
	struct get g = {ATT_PG_CK_GET, provider, NULL, read_blob, &o};
	*wrapped = NULL;
	*len = 0;
	int r = att_pg_read(impl, get_rd, &g, d);
	if (r) {
		free(o.b);
		return r;
	}
	*wrapped = o.b;
	*len = o.len;
	return 0;
}

struct ctxkey_arg {
	const char *provider;
	const uint8_t *wrapped;
	size_t len;
	int64_t now;
};

static void bind_ctxkey(struct att_pg_params *p, const void *arg)
{
	const struct ctxkey_arg *a = arg;
	att_pg_text(p, a->provider);
	att_pg_blob(p, a->wrapped, a->len);
	att_pg_i64(p, a->now);
}

int att_pg_tpm_ctxkey_add(void *impl, const char *provider,
			  const uint8_t *wrapped, size_t len, int64_t now,
			  struct att_diag *d)
{
	struct ctxkey_arg a = {provider, wrapped, len, now};
	return write_one(impl, ATT_PG_CK_INSERT, bind_ctxkey, &a, d);
}

/* ---- the used-context replay set ---- */

struct replay_arg {
	const char *provider;
	const uint8_t *id;
	size_t id_len;
	int64_t exp, now;
	size_t max;
};

/* replay_tx: purge, insert-if-absent, count. The count is of committed
 * rows plus this transaction's: under concurrent marks by several nodes
 * it can exceed max by the number of marks in flight, never by more. */
static int replay_tx(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		     struct att_diag *d)
{
	struct replay_arg *a = arg;
	struct att_pg_params purge = {0}, ins = {0};
	PGresult *res = NULL;
	att_pg_i64(&purge, a->now);
	att_pg_text(&ins, a->provider);
	att_pg_blob(&ins, a->id, a->id_len);
	att_pg_i64(&ins, a->exp);
	int r = att_pg_run(pg, s, ATT_PG_USED_PURGE, &purge, NULL, d);
	if (!r && !(r = att_pg_run(pg, s, ATT_PG_USED_INSERT, &ins, &res, d)) &&
	    att_pg_affected(res) == 0)
		r = ATT_ERR_REPLAY; /* the caller names it */
	PQclear(res);
	res = NULL;
	if (!r && !(r = att_pg_run(pg, s, ATT_PG_USED_COUNT, NULL, &res, d)) &&
	    att_pg_col_i64(res, 0, 0) > (int64_t)a->max)
		r = ATT_ERR_LIMIT; /* the caller names it */
	PQclear(res);
	return r;
}

int att_pg_tpm_replay_mark(void *impl, const char *provider,
			   const uint8_t *id, size_t id_len, int64_t exp,
			   int64_t now, size_t max, struct att_diag *d)
{
	struct replay_arg a = {provider, id, id_len, exp, now, max};
	/* No cached content: the write count stays (sqlite_writes.h). */
	return att_pg_tx(impl, replay_tx, &a, false, d);
}

/* ---- import of a pre-store directory ---- */

static void bind_import_settings(struct att_pg_params *p, const void *arg)
{
	const struct att_store_tpm_import *imp = arg;
	att_pg_text(p, imp->provider);
	att_pg_text(p, imp->settings_json);
	att_pg_i64(p, imp->now);
}

static void bind_import(struct att_pg_params *p, const void *arg)
{
	const struct att_store_tpm_import *imp = arg;
	att_pg_text(p, imp->provider);
	att_pg_text(p, imp->source);
	att_pg_i64(p, imp->now);
}

static int run_bound(struct att_pg *pg, struct att_pg_slot *s,
		     enum att_pg_stmt id, bind_fn bind, const void *arg,
		     struct att_diag *d)
{
	struct att_pg_params p = {0};
	bind(&p, arg);
	return att_pg_run(pg, s, id, &p, NULL, d);
}

static int import_tx(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		     struct att_diag *d)
{
	const struct att_store_tpm_import *imp = arg;
	int r = 0;
	if (imp->settings_json)
		r = run_bound(pg, s, ATT_PG_TS_IMPORT, bind_import_settings,
			      imp, d);
	for (size_t i = 0; !r && i < imp->n_certs; i++)
		r = run_bound(pg, s, ATT_PG_TC_IMPORT, bind_cert,
			      &imp->certs[i], d);
	if (!r && imp->ca)
		r = run_bound(pg, s, ATT_PG_CA_IMPORT, bind_ca, imp->ca, d);
	for (size_t i = 0; !r && i < imp->n_enrolments; i++)
		r = run_bound(pg, s, ATT_PG_EN_IMPORT, bind_enrol,
			      &imp->enrolments[i], d);
	if (!r)
		r = run_bound(pg, s, ATT_PG_IMPORT_RECORD, bind_import, imp, d);
	return r;
}

int att_pg_tpm_import(void *impl, const struct att_store_tpm_import *imp,
		      struct att_diag *d)
{
	return att_pg_tx(impl, import_tx, (void *)imp, true, d);
}

static int read_count(PGresult *res, void *out)
{
	*(size_t *)out = (size_t)att_pg_col_i64(res, 0, 0);
	return 0;
}

static int count_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		    struct att_diag *d)
{
	PGresult *res = NULL;
	int r = att_pg_run(pg, s, ATT_PG_WRAPPED_COUNT, NULL, &res, d);
	if (!r)
		r = read_count(res, arg);
	PQclear(res);
	return r;
}

int att_pg_tpm_wrapped_count(void *impl, size_t *out, struct att_diag *d)
{
	*out = 0;
	return att_pg_read(impl, count_rd, out, d);
}
