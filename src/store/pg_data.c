/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend's ops (store.h contracts): providers, signing
 * keys, policies, policy management certificates, the audit log and the
 * collateral cache, and the backend's ops table. Writes that change a
 * provider's configuration first lock the provider's row (FOR NO KEY
 * UPDATE): a provider's configuration changes one at a time across all
 * nodes, so key rotation leaves one active key and audit records are
 * numbered in the order their changes commit.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "store/pg_int.h"
#include "store/store.h"

/* ---- helpers ---- */

/* one_row runs a statement that returns at most one row: ATT_ERR_NOT_FOUND
 * (d untouched) when none, else read() fills out from row 0. */
static int one_row(struct att_pg *pg, struct att_pg_slot *s,
		   enum att_pg_stmt id, const struct att_pg_params *p,
		   int (*read)(PGresult *, int, void *), void *out,
		   struct att_diag *d)
{
	PGresult *res = NULL;
	int r = att_pg_run(pg, s, id, p, &res, d);
	if (!r)
		r = PQntuples(res) < 1 ? ATT_ERR_NOT_FOUND : read(res, 0, out);
	PQclear(res);
	return r;
}

/* rows runs a statement and collects its rows into a malloc'd array of
 * elsize-byte elements; on failure the rows read so far are freed with
 * free_list. */
static int rows(struct att_pg *pg, struct att_pg_slot *s, enum att_pg_stmt id,
		const struct att_pg_params *p,
		int (*read)(PGresult *, int, void *), size_t elsize,
		void (*free_list)(void *, size_t), void **out, size_t *n,
		struct att_diag *d)
{
	PGresult *res = NULL;
	int r = att_pg_run(pg, s, id, p, &res, d);
	size_t cnt = 0, nt = r ? 0 : (size_t)PQntuples(res);
	char *v = NULL;
	if (!r && nt && !(v = calloc(nt, elsize)))
		r = ATT_ERR_NOMEM;
	for (; !r && cnt < nt; cnt++)
		if ((r = read(res, (int)cnt, v + cnt * elsize)) != 0)
			break;
	PQclear(res);
	if (r) {
		free_list(v, cnt);
		return r;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* An op's arguments, handed through att_pg_tx / att_pg_read. */
struct args {
	const char *a, *b;
	const void *row;
	const struct att_store_audit *audit;
	int64_t v;
	void *out;
	size_t *n;
};

/* audit_lock serialises the audit records of every provider and node
 * until the transaction ends: it locks the change version's row, which
 * each of these transactions updates anyway (pg_migrate.c trigger), after
 * the provider's row as always (lock_provider), so no new lock order. The
 * ids are then taken in the order the records commit and ATT_PG_AUDIT_TIME
 * reads the latest one. Without it, two nodes wrote records whose times
 * went back as ids increased (each node stamps its request's time before
 * it reaches the database; tests/integration/concurrent_writes_nodes.sh
 * saw it). */
static int audit_lock(struct att_pg *pg, struct att_pg_slot *s,
		      struct att_diag *d)
{
	return att_pg_run(pg, s, ATT_PG_AUDIT_LOCK, NULL, NULL, d);
}

static int audit_insert(struct att_pg *pg, struct att_pg_slot *s,
			const struct att_store_audit *a, struct att_diag *d)
{
	struct att_pg_params p = {0};
	if (!a)
		return 0;
	int r = audit_lock(pg, s, d);
	if (r)
		return r;
	att_pg_text(&p, a->provider);
	att_pg_i64(&p, a->time);
	att_pg_text(&p, a->actor);
	att_pg_text(&p, a->action);
	att_pg_text(&p, a->type);
	att_pg_text(&p, a->old_hash);
	att_pg_text(&p, a->new_hash);
	return att_pg_run(pg, s, ATT_PG_AUDIT_INSERT, &p, NULL, d);
}

/* audit_insert_policy appends the audit record of a change of the
 * policy (provider, type) before the change, inside its transaction:
 * old_hash is read there from the row being replaced, not taken from
 * the caller (whose read, outside the transaction, another node's
 * concurrent change can make stale). */
static int audit_insert_policy(struct att_pg *pg, struct att_pg_slot *s,
			       const struct att_store_audit *a,
			       const char *provider, const char *type,
			       struct att_diag *d)
{
	struct att_pg_params p = {0};
	if (!a)
		return 0;
	int r = audit_lock(pg, s, d);
	if (r)
		return r;
	att_pg_text(&p, a->provider);
	att_pg_i64(&p, a->time);
	att_pg_text(&p, a->actor);
	att_pg_text(&p, a->action);
	att_pg_text(&p, a->type);
	att_pg_text(&p, a->new_hash);
	att_pg_text(&p, provider);
	att_pg_text(&p, type);
	return att_pg_run(pg, s, ATT_PG_AUDIT_INSERT_POL, &p, NULL, d);
}

/* lock_provider serialises the configuration changes of one provider;
 * a missing provider is no error here (the write itself refuses what
 * needs one, by its foreign key). */
static int lock_provider(struct att_pg *pg, struct att_pg_slot *s,
			 const char *name, struct att_diag *d)
{
	struct att_pg_params p = {0};
	att_pg_text(&p, name);
	return att_pg_run(pg, s, ATT_PG_PROV_LOCK, &p, NULL, d);
}

/* ---- providers ---- */

static int provider_add_tx(struct att_pg *pg, struct att_pg_slot *s,
			   void *arg, struct att_diag *d)
{
	const struct att_store_provider *pr = ((struct args *)arg)->row;
	struct att_pg_params p = {0};
	att_pg_text(&p, pr->name);
	att_pg_text(&p, pr->base_url);
	att_pg_text(&p, pr->mode);
	att_pg_text(&p, pr->key_type);
	att_pg_text(&p, pr->auth_json);
	att_pg_i64(&p, pr->created);
	return att_pg_run(pg, s, ATT_PG_PROV_INSERT, &p, NULL, d);
}

static int provider_add(void *impl, const struct att_store_provider *p,
			struct att_diag *d)
{
	struct args a = {.row = p};
	return att_pg_tx(impl, provider_add_tx, &a, true, d);
}

static int read_provider(PGresult *res, int row, void *out)
{
	struct att_store_provider *p = out;
	int err = 0;
	p->name = att_pg_col_text(res, row, 0, &err);
	p->base_url = att_pg_col_text(res, row, 1, &err);
	p->mode = att_pg_col_text(res, row, 2, &err);
	p->key_type = att_pg_col_text(res, row, 3, &err);
	p->auth_json = att_pg_col_text(res, row, 4, &err);
	p->created = att_pg_col_i64(res, row, 5);
	p->key_gen = att_pg_col_i64(res, row, 6);
	if (err)
		att_store_provider_release(p);
	return err;
}

static int provider_get_rd(struct att_pg *pg, struct att_pg_slot *s,
			   void *arg, struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	att_pg_text(&p, a->a);
	return one_row(pg, s, ATT_PG_PROV_GET, &p, read_provider, a->out, d);
}

static int provider_get(void *impl, const char *name,
			struct att_store_provider *out, struct att_diag *d)
{
	struct att_store_provider tmp = {0};
	struct args a = {.a = name, .out = &tmp};
	int r = att_pg_read(impl, provider_get_rd, &a, d);
	if (r == ATT_ERR_NOT_FOUND)
		return att_diag_set(d, r, "store: no provider named '%s'",
				    name);
	if (!r)
		*out = tmp;
	return r;
}

static void provider_list_free(void *v, size_t n)
{
	att_store_provider_list_free(v, n);
}

static int provider_list_rd(struct att_pg *pg, struct att_pg_slot *s,
			    void *arg, struct att_diag *d)
{
	struct args *a = arg;
	return rows(pg, s, ATT_PG_PROV_LIST, NULL, read_provider,
		    sizeof(struct att_store_provider), provider_list_free,
		    a->out, a->n, d);
}

static int provider_list(void *impl, struct att_store_provider **out,
			 size_t *n, struct att_diag *d)
{
	struct args a = {.out = (void **)out, .n = n};
	*out = NULL;
	*n = 0;
	return att_pg_read(impl, provider_list_rd, &a, d);
}

static int set_auth_tx(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		       struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	PGresult *res = NULL;
	att_pg_text(&p, a->b);
	att_pg_text(&p, a->a);
	int r = att_pg_run(pg, s, ATT_PG_PROV_SET_AUTH, &p, &res, d);
	if (!r && att_pg_affected(res) != 1)
		r = att_diag_set(d, ATT_ERR_NOT_FOUND,
				 "store: no provider named '%s'", a->a);
	PQclear(res);
	return r;
}

static int provider_set_auth(void *impl, const char *name,
			     const char *auth_json, struct att_diag *d)
{
	struct args a = {.a = name, .b = auth_json};
	return att_pg_tx(impl, set_auth_tx, &a, true, d);
}

/* ---- signing keys ---- */

static int key_add_tx(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		      struct att_diag *d)
{
	struct args *a = arg;
	const struct att_store_key *k = a->row;
	struct att_pg_params retire = {0}, ins = {0}, bump = {0};
	att_pg_i64(&retire, a->v);
	att_pg_text(&retire, k->provider);
	att_pg_text(&ins, k->provider);
	att_pg_text(&ins, k->kid);
	att_pg_text(&ins, k->alg);
	att_pg_blob(&ins, k->wrapped, k->wrapped_len);
	att_pg_text(&ins, k->cert_pem);
	att_pg_i64(&ins, k->created);
	att_pg_text(&bump, k->provider);
	int r = lock_provider(pg, s, k->provider, d);
	if (!r)
		r = att_pg_run(pg, s, ATT_PG_KEY_RETIRE, &retire, NULL, d);
	if (!r)
		r = att_pg_run(pg, s, ATT_PG_KEY_INSERT, &ins, NULL, d);
	if (!r)
		r = att_pg_run(pg, s, ATT_PG_KEY_GEN_BUMP, &bump, NULL, d);
	return r;
}

static int key_add(void *impl, const struct att_store_key *k,
		   int64_t retire_at, struct att_diag *d)
{
	struct args a = {.row = k, .v = retire_at};
	return att_pg_tx(impl, key_add_tx, &a, true, d);
}

static int read_key(PGresult *res, int row, void *out)
{
	struct att_store_key *k = out;
	int err = 0;
	k->id = att_pg_col_i64(res, row, 0);
	k->provider = att_pg_col_text(res, row, 1, &err);
	k->kid = att_pg_col_text(res, row, 2, &err);
	k->alg = att_pg_col_text(res, row, 3, &err);
	k->wrapped = att_pg_col_blob(res, row, 4, &k->wrapped_len, &err);
	k->cert_pem = att_pg_col_text(res, row, 5, &err);
	k->created = att_pg_col_i64(res, row, 6);
	k->retired_at = att_pg_col_i64(res, row, 7);
	k->active = att_pg_col_i64(res, row, 8) != 0;
	if (err)
		att_store_key_release(k);
	return err;
}

static void key_list_free(void *v, size_t n)
{
	att_store_key_list_free(v, n);
}

static int key_list_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		       struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	att_pg_text(&p, a->a);
	return rows(pg, s, ATT_PG_KEY_LIST, &p, read_key,
		    sizeof(struct att_store_key), key_list_free, a->out, a->n,
		    d);
}

static int key_list(void *impl, const char *provider,
		    struct att_store_key **out, size_t *n, struct att_diag *d)
{
	struct args a = {.a = provider, .out = (void **)out, .n = n};
	*out = NULL;
	*n = 0;
	return att_pg_read(impl, key_list_rd, &a, d);
}

static int read_i64(PGresult *res, int row, void *out)
{
	*(int64_t *)out = att_pg_col_i64(res, row, 0);
	return 0;
}

static int key_gen_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		      struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	att_pg_text(&p, a->a);
	return one_row(pg, s, ATT_PG_KEY_GEN, &p, read_i64, a->out, d);
}

static int key_gen(void *impl, const char *provider, int64_t *out,
		   struct att_diag *d)
{
	int64_t v = 0;
	struct args a = {.a = provider, .out = &v};
	int r = att_pg_read(impl, key_gen_rd, &a, d);
	if (r == ATT_ERR_NOT_FOUND)
		return att_diag_set(d, r, "store: no provider named '%s'",
				    provider);
	if (!r)
		*out = v;
	return r;
}

/* ---- policies ---- */

static int read_policy(PGresult *res, int row, void *out)
{
	struct att_store_policy *p = out;
	int err = 0;
	p->provider = att_pg_col_text(res, row, 0, &err);
	p->type = att_pg_col_text(res, row, 1, &err);
	p->jws = att_pg_col_text(res, row, 2, &err);
	p->hash = att_pg_col_text(res, row, 3, &err);
	p->updated = att_pg_col_i64(res, row, 4);
	p->iat = 0;
	if (err)
		att_store_policy_release(p);
	return err;
}

static int pair_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		   enum att_pg_stmt id, int (*read)(PGresult *, int, void *),
		   struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	att_pg_text(&p, a->a);
	att_pg_text(&p, a->b);
	return one_row(pg, s, id, &p, read, a->out, d);
}

static int policy_get_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
			 struct att_diag *d)
{
	return pair_rd(pg, s, arg, ATT_PG_POL_GET, read_policy, d);
}

static int policy_get(void *impl, const char *provider, const char *type,
		      struct att_store_policy *out, struct att_diag *d)
{
	struct att_store_policy tmp = {0};
	struct args a = {.a = provider, .b = type, .out = &tmp};
	int r = att_pg_read(impl, policy_get_rd, &a, d);
	if (!r)
		*out = tmp;
	return r; /* ATT_ERR_NOT_FOUND is normal: the default applies */
}

static int iat_get_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
		      struct att_diag *d)
{
	return pair_rd(pg, s, arg, ATT_PG_IAT_GET, read_i64, d);
}

static int policy_iat(void *impl, const char *provider, const char *type,
		      int64_t *out, struct att_diag *d)
{
	int64_t v = 0;
	struct args a = {.a = provider, .b = type, .out = &v};
	int r = att_pg_read(impl, iat_get_rd, &a, d);
	*out = 0;
	if (r == ATT_ERR_NOT_FOUND)
		return 0;
	if (!r)
		*out = v;
	return r;
}

static int iat_set(struct att_pg *pg, struct att_pg_slot *s,
		   const char *provider, const char *type, int64_t iat,
		   struct att_diag *d)
{
	struct att_pg_params p = {0};
	att_pg_text(&p, provider);
	att_pg_text(&p, type);
	if (iat)
		att_pg_i64(&p, iat);
	return att_pg_run(pg, s, iat ? ATT_PG_IAT_SET : ATT_PG_IAT_DELETE, &p,
			  NULL, d);
}

static int policy_put_tx(struct att_pg *pg, struct att_pg_slot *s, void *arg,
			 struct att_diag *d)
{
	struct args *a = arg;
	const struct att_store_policy *pol = a->row;
	struct att_pg_params p = {0};
	att_pg_text(&p, pol->provider);
	att_pg_text(&p, pol->type);
	att_pg_text(&p, pol->jws);
	att_pg_text(&p, pol->hash);
	att_pg_i64(&p, pol->updated);
	int r = lock_provider(pg, s, pol->provider, d);
	if (!r)
		r = audit_insert_policy(pg, s, a->audit, pol->provider,
					pol->type, d);
	if (!r)
		r = att_pg_run(pg, s, ATT_PG_POL_UPSERT, &p, NULL, d);
	if (!r)
		r = iat_set(pg, s, pol->provider, pol->type, pol->iat, d);
	return r;
}

static int policy_put(void *impl, const struct att_store_policy *p,
		      const struct att_store_audit *au, struct att_diag *d)
{
	struct args a = {.row = p, .audit = au};
	return att_pg_tx(impl, policy_put_tx, &a, true, d);
}

/* delete_pair runs a two-parameter DELETE: ATT_ERR_NOT_FOUND when it
 * deleted nothing. */
static int delete_pair(struct att_pg *pg, struct att_pg_slot *s,
		       enum att_pg_stmt id, const char *x, const char *y,
		       struct att_diag *d)
{
	struct att_pg_params p = {0};
	PGresult *res = NULL;
	att_pg_text(&p, x);
	att_pg_text(&p, y);
	int r = att_pg_run(pg, s, id, &p, &res, d);
	if (!r && att_pg_affected(res) == 0)
		r = ATT_ERR_NOT_FOUND;
	PQclear(res);
	return r;
}

static int policy_reset_tx(struct att_pg *pg, struct att_pg_slot *s,
			   void *arg, struct att_diag *d)
{
	struct args *a = arg;
	int r = lock_provider(pg, s, a->a, d);
	if (!r)
		r = audit_insert_policy(pg, s, a->audit, a->a, a->b, d);
	if (!r)
		r = delete_pair(pg, s, ATT_PG_POL_DELETE, a->a, a->b, d);
	if (!r)
		r = iat_set(pg, s, a->a, a->b, a->v, d);
	return r;
}

static int policy_reset(void *impl, const char *provider, const char *type,
			int64_t iat, const struct att_store_audit *au,
			struct att_diag *d)
{
	struct args a = {.a = provider, .b = type, .v = iat, .audit = au};
	return att_pg_tx(impl, policy_reset_tx, &a, true, d);
}

static int policy_delete(void *impl, const char *provider, const char *type,
			 const struct att_store_audit *au, struct att_diag *d)
{
	return policy_reset(impl, provider, type, 0, au, d);
}

/* ---- policy management certificates ---- */

static int polcert_add_tx(struct att_pg *pg, struct att_pg_slot *s,
			  void *arg, struct att_diag *d)
{
	struct args *a = arg;
	const struct att_store_polcert *c = a->row;
	struct att_pg_params p = {0};
	att_pg_text(&p, c->provider);
	att_pg_text(&p, c->thumbprint);
	att_pg_blob(&p, c->der, c->der_len);
	att_pg_i64(&p, c->added);
	int r = lock_provider(pg, s, c->provider, d);
	if (!r)
		r = att_pg_run(pg, s, ATT_PG_PC_INSERT, &p, NULL, d);
	if (!r)
		r = audit_insert(pg, s, a->audit, d);
	return r;
}

static int polcert_add(void *impl, const struct att_store_polcert *c,
		       const struct att_store_audit *au, struct att_diag *d)
{
	struct args a = {.row = c, .audit = au};
	return att_pg_tx(impl, polcert_add_tx, &a, true, d);
}

/* keep_last locks every certificate row of the provider (FOR UPDATE) and
 * refuses to remove the last one. A concurrent removal waits for the
 * lock and then sees the rows as committed, so of two nodes removing the
 * last two certificates at once exactly one succeeds. */
static int keep_last(struct att_pg *pg, struct att_pg_slot *s,
		     const char *provider, const char *thumbprint,
		     struct att_diag *d)
{
	struct att_pg_params p = {0};
	PGresult *res = NULL;
	bool found = false;
	att_pg_text(&p, provider);
	int r = att_pg_run(pg, s, ATT_PG_PC_LOCK, &p, &res, d);
	int n = r ? 0 : PQntuples(res);
	for (int i = 0; i < n; i++)
		found |= !strcmp(PQgetvalue(res, i, 0), thumbprint);
	PQclear(res);
	if (r)
		return r;
	if (!found)
		return ATT_ERR_NOT_FOUND;
	if (n <= 1)
		return att_diag_set(d, ATT_ERR_INVALID_OPERATION,
				    "store: %s is the last policy management "
				    "certificate of %s",
				    thumbprint, provider);
	return 0;
}

static int polcert_remove_tx(struct att_pg *pg, struct att_pg_slot *s,
			     void *arg, struct att_diag *d)
{
	struct args *a = arg;
	int r = lock_provider(pg, s, a->a, d);
	if (!r)
		r = keep_last(pg, s, a->a, a->b, d);
	if (!r)
		r = delete_pair(pg, s, ATT_PG_PC_DELETE, a->a, a->b, d);
	if (!r)
		r = audit_insert(pg, s, a->audit, d);
	return r;
}

static int polcert_remove(void *impl, const char *provider,
			  const char *thumbprint,
			  const struct att_store_audit *au, struct att_diag *d)
{
	struct args a = {.a = provider, .b = thumbprint, .audit = au};
	return att_pg_tx(impl, polcert_remove_tx, &a, true, d);
}

static int read_polcert(PGresult *res, int row, void *out)
{
	struct att_store_polcert *c = out;
	int err = 0;
	c->provider = att_pg_col_text(res, row, 0, &err);
	c->thumbprint = att_pg_col_text(res, row, 1, &err);
	c->der = att_pg_col_blob(res, row, 2, &c->der_len, &err);
	c->added = att_pg_col_i64(res, row, 3);
	if (err)
		att_store_polcert_release(c);
	return err;
}

static void polcert_list_free(void *v, size_t n)
{
	att_store_polcert_list_free(v, n);
}

static int polcert_list_rd(struct att_pg *pg, struct att_pg_slot *s,
			   void *arg, struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	att_pg_text(&p, a->a);
	return rows(pg, s, ATT_PG_PC_LIST, &p, read_polcert,
		    sizeof(struct att_store_polcert), polcert_list_free, a->out,
		    a->n, d);
}

static int polcert_list(void *impl, const char *provider,
			struct att_store_polcert **out, size_t *n,
			struct att_diag *d)
{
	struct args a = {.a = provider, .out = (void **)out, .n = n};
	*out = NULL;
	*n = 0;
	return att_pg_read(impl, polcert_list_rd, &a, d);
}

/* ---- the audit log ---- */

static int read_audit(PGresult *res, int row, void *out)
{
	struct att_store_audit *a = out;
	int err = 0;
	a->id = att_pg_col_i64(res, row, 0);
	a->provider = att_pg_col_text(res, row, 1, &err);
	a->time = att_pg_col_i64(res, row, 2);
	a->actor = att_pg_col_text(res, row, 3, &err);
	a->action = att_pg_col_text(res, row, 4, &err);
	a->type = att_pg_col_text(res, row, 5, &err);
	a->old_hash = att_pg_col_text(res, row, 6, &err);
	a->new_hash = att_pg_col_text(res, row, 7, &err);
	if (err)
		att_store_audit_release(a);
	return err;
}

static void audit_list_free(void *v, size_t n)
{
	att_store_audit_list_free(v, n);
}

static int audit_list_rd(struct att_pg *pg, struct att_pg_slot *s, void *arg,
			 struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	att_pg_text(&p, a->a);
	return rows(pg, s, ATT_PG_AUDIT_LIST, &p, read_audit,
		    sizeof(struct att_store_audit), audit_list_free, a->out,
		    a->n, d);
}

static int audit_list(void *impl, const char *provider,
		      struct att_store_audit **out, size_t *n,
		      struct att_diag *d)
{
	struct args a = {.a = provider, .out = (void **)out, .n = n};
	*out = NULL;
	*n = 0;
	return att_pg_read(impl, audit_list_rd, &a, d);
}

/* ---- collateral cache ---- */

static int read_collateral(PGresult *res, int row, void *out)
{
	struct att_store_collateral *c = out;
	int err = 0;
	c->key = att_pg_col_text(res, row, 0, &err);
	c->body = att_pg_col_blob(res, row, 1, &c->body_len, &err);
	c->fetched = att_pg_col_i64(res, row, 2);
	c->next_update = att_pg_col_i64(res, row, 3);
	if (err)
		att_store_collateral_release(c);
	return err;
}

static int collateral_get_rd(struct att_pg *pg, struct att_pg_slot *s,
			     void *arg, struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	att_pg_text(&p, a->a);
	return one_row(pg, s, ATT_PG_COL_GET, &p, read_collateral, a->out, d);
}

static int collateral_get(void *impl, const char *key,
			  struct att_store_collateral *out, struct att_diag *d)
{
	struct att_store_collateral tmp = {0};
	struct args a = {.a = key, .out = &tmp};
	int r = att_pg_read(impl, collateral_get_rd, &a, d);
	if (!r)
		*out = tmp;
	return r;
}

static int collateral_put_tx(struct att_pg *pg, struct att_pg_slot *s,
			     void *arg, struct att_diag *d)
{
	const struct att_store_collateral *c = ((struct args *)arg)->row;
	struct att_pg_params p = {0};
	att_pg_text(&p, c->key);
	att_pg_blob(&p, c->body, c->body_len);
	att_pg_i64(&p, c->fetched);
	att_pg_i64(&p, c->next_update);
	return att_pg_run(pg, s, ATT_PG_COL_PUT, &p, NULL, d);
}

static int collateral_put(void *impl, const struct att_store_collateral *c,
			  struct att_diag *d)
{
	struct args a = {.row = c};
	return att_pg_tx(impl, collateral_put_tx, &a, true, d);
}

static void collateral_list_free(void *v, size_t n)
{
	att_store_collateral_list_free(v, n);
}

static int collateral_list_rd(struct att_pg *pg, struct att_pg_slot *s,
			      void *arg, struct att_diag *d)
{
	struct args *a = arg;
	struct att_pg_params p = {0};
	att_pg_text(&p, a->a);
	return rows(pg, s, ATT_PG_COL_LIST, &p, read_collateral,
		    sizeof(struct att_store_collateral), collateral_list_free,
		    a->out, a->n, d);
}

/* collateral_list reads one row more than the maximum to tell "exactly
 * the maximum" from "too many" (as the SQLite backend does). */
static int collateral_list(void *impl, const char *prefix,
			   struct att_store_collateral **out, size_t *n,
			   struct att_diag *d)
{
	struct att_store_collateral *v = NULL;
	size_t cnt = 0;
	struct args a = {.a = prefix, .out = (void **)&v, .n = &cnt};
	*out = NULL;
	*n = 0;
	int r = att_pg_read(impl, collateral_list_rd, &a, d);
	if (r)
		return r;
	if (cnt > ATT_STORE_COLLATERAL_LIST_MAX) {
		att_store_collateral_list_free(v, cnt);
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "more than %d collateral rows under '%s'",
				    ATT_STORE_COLLATERAL_LIST_MAX, prefix);
	}
	*out = v;
	*n = cnt;
	return 0;
}

const struct att_store_ops att_pg_ops = {
	.name = "postgresql",
	.close = att_pg_close,
	.ping = att_pg_ping,
	.schema_version = att_pg_schema_version,
	.provider_add = provider_add,
	.provider_get = provider_get,
	.provider_list = provider_list,
	.provider_set_auth = provider_set_auth,
	.key_add = key_add,
	.key_list = key_list,
	.key_gen = key_gen,
	.policy_get = policy_get,
	.policy_put = policy_put,
	.policy_delete = policy_delete,
	.policy_reset = policy_reset,
	.policy_iat = policy_iat,
	.polcert_add = polcert_add,
	.polcert_remove = polcert_remove,
	.polcert_list = polcert_list,
	.audit_list = audit_list,
	.collateral_get = collateral_get,
	.collateral_put = collateral_put,
	.collateral_list = collateral_list,
	.tpm_settings_get = att_pg_tpm_settings_get,
	.tpm_settings_put = att_pg_tpm_settings_put,
	.tpm_cert_add = att_pg_tpm_cert_add,
	.tpm_cert_list = att_pg_tpm_cert_list,
	.tpm_ca_get = att_pg_tpm_ca_get,
	.tpm_ca_add = att_pg_tpm_ca_add,
	.tpm_enrol_put = att_pg_tpm_enrol_put,
	.tpm_enrol_get = att_pg_tpm_enrol_get,
	.tpm_ctxkey_get = att_pg_tpm_ctxkey_get,
	.tpm_ctxkey_add = att_pg_tpm_ctxkey_add,
	.tpm_replay_mark = att_pg_tpm_replay_mark,
	.tpm_import = att_pg_tpm_import,
	.tpm_wrapped_count = att_pg_tpm_wrapped_count,
	.unavailable = att_pg_unavailable,
	.change_version = att_pg_change_version,
	.watch = att_pg_watch,
	.seen = att_pg_seen,
	.watched = att_pg_watched,
};
