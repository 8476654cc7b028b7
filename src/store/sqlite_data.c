/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite backend, part two: policies, policy management certificates,
 * the audit log and the collateral cache, plus the backend's ops table.
 * Writes that change a provider's configuration append their audit record
 * inside the same transaction, so the log never misses or invents a change.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "store/sqlite_int.h"
#include "store/store.h"

/* ---- policies ---- */

static int policy_get(void *impl, const char *provider, const char *type,
		      struct att_store_policy *out, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	int err = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT provider, type, jws, hash, updated"
			    " FROM policies WHERE provider = ? AND type = ?",
			    d);
	if (r)
		goto out;
	att_sq_bind_text(st, 1, provider);
	att_sq_bind_text(st, 2, type);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = ATT_ERR_NOT_FOUND; /* normal: the default applies */
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = att_sq_err(s->db, rc, "read policy", d);
		goto out;
	}
	out->provider = att_sq_col_text(st, 0, &err);
	out->type = att_sq_col_text(st, 1, &err);
	out->jws = att_sq_col_text(st, 2, &err);
	out->hash = att_sq_col_text(st, 3, &err);
	out->updated = sqlite3_column_int64(st, 4);
	if ((r = err) != 0)
		att_store_policy_release(out);
out:
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int policy_upsert(struct att_sq *s, const struct att_store_policy *p,
			 struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st,
			    "INSERT INTO policies(provider, type, jws, hash,"
			    " updated) VALUES (?,?,?,?,?)"
			    " ON CONFLICT(provider, type) DO UPDATE SET"
			    " jws = excluded.jws, hash = excluded.hash,"
			    " updated = excluded.updated",
			    d);
	if (r)
		return r;
	att_sq_bind_text(st, 1, p->provider);
	att_sq_bind_text(st, 2, p->type);
	att_sq_bind_text(st, 3, p->jws);
	att_sq_bind_text(st, 4, p->hash);
	sqlite3_bind_int64(st, 5, p->updated);
	r = att_sq_step_done(s->db, st, "write policy", d);
	att_sq_stmt_done(s, st);
	return r;
}

/* iat_set records the binding iat of a policy change (0: none) inside
 * the caller's transaction. */
static int iat_set(struct att_sq *s, const char *provider, const char *type,
		   int64_t iat, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st,
			    iat ? "INSERT INTO policy_iat(provider, type, iat)"
				  " VALUES (?,?,?) ON CONFLICT(provider, type)"
				  " DO UPDATE SET iat = excluded.iat"
				: "DELETE FROM policy_iat WHERE provider = ? AND"
				  " type = ?",
			    d);
	if (r)
		return r;
	att_sq_bind_text(st, 1, provider);
	att_sq_bind_text(st, 2, type);
	if (iat)
		sqlite3_bind_int64(st, 3, iat);
	r = att_sq_step_done(s->db, st, "write policy iat", d);
	att_sq_stmt_done(s, st);
	return r;
}

static int policy_iat(void *impl, const char *provider, const char *type,
		      int64_t *out, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	*out = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT iat FROM policy_iat WHERE provider = ?"
			    " AND type = ?",
			    d);
	if (!r) {
		att_sq_bind_text(st, 1, provider);
		att_sq_bind_text(st, 2, type);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
		else if (rc != SQLITE_DONE)
			r = att_sq_err(s->db, rc, "read policy iat", d);
	}
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int policy_put(void *impl, const struct att_store_policy *p,
		      const struct att_store_audit *a, struct att_diag *d)
{
	struct att_sq *s = impl;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	/* the audit record first: its old_hash is the row being replaced,
	 * read inside this transaction (att_sq_audit_insert_policy) */
	if (!r &&
	    !(r = att_sq_audit_insert_policy(s, a, p->provider, p->type,
					     d)) &&
	    !(r = policy_upsert(s, p, d)) &&
	    !(r = iat_set(s, p->provider, p->type, p->iat, d)))
		r = att_sq_commit(s->db, d);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int delete_pair(struct att_sq *s, const char *sql, const char *a1,
		       const char *a2, const char *what, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st, sql, d);
	if (r)
		return r;
	att_sq_bind_text(st, 1, a1);
	att_sq_bind_text(st, 2, a2);
	r = att_sq_step_done(s->db, st, what, d);
	att_sq_stmt_done(s, st);
	if (!r && sqlite3_changes(s->db) == 0)
		r = ATT_ERR_NOT_FOUND;
	return r;
}

static int policy_reset(void *impl, const char *provider, const char *type,
			int64_t iat, const struct att_store_audit *a,
			struct att_diag *d)
{
	struct att_sq *s = impl;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (!r &&
	    !(r = att_sq_audit_insert_policy(s, a, provider, type, d)) &&
	    !(r = delete_pair(s,
			      "DELETE FROM policies WHERE provider = ? AND"
			      " type = ?",
			      provider, type, "delete policy", d)) &&
	    !(r = iat_set(s, provider, type, iat, d)))
		r = att_sq_commit(s->db, d);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int policy_delete(void *impl, const char *provider, const char *type,
			 const struct att_store_audit *a, struct att_diag *d)
{
	return policy_reset(impl, provider, type, 0, a, d);
}

/* ---- policy management certificates ---- */

static int polcert_insert(struct att_sq *s, const struct att_store_polcert *c,
			  struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st,
			    "INSERT INTO policy_certs(provider, thumbprint,"
			    " der, added) VALUES (?,?,?,?)",
			    d);
	if (r)
		return r;
	att_sq_bind_text(st, 1, c->provider);
	att_sq_bind_text(st, 2, c->thumbprint);
	att_sq_bind_blob(st, 3, c->der, c->der_len);
	sqlite3_bind_int64(st, 4, c->added);
	r = att_sq_step_done(s->db, st, "insert policy certificate", d);
	att_sq_stmt_done(s, st);
	return r;
}

static int polcert_add(void *impl, const struct att_store_polcert *c,
		       const struct att_store_audit *a, struct att_diag *d)
{
	struct att_sq *s = impl;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (!r && !(r = polcert_insert(s, c, d)) &&
	    !(r = att_sq_audit_insert(s, a, d)))
		r = att_sq_commit(s->db, d);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* polcert_keep_last refuses (ATT_ERR_INVALID_OPERATION) to remove the
 * provider's only certificate; inside the write transaction (BEGIN
 * IMMEDIATE holds the write lock), so no other writer can interleave. */
static int polcert_keep_last(struct att_sq *s, const char *provider,
			     const char *thumbprint, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_stmt(s, &st,
			    "SELECT count(*), sum(thumbprint = ?2) FROM"
			    " policy_certs WHERE provider = ?1",
			    d);
	if (r)
		return r;
	att_sq_bind_text(st, 1, provider);
	att_sq_bind_text(st, 2, thumbprint);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		r = att_sq_err(s->db, rc, "count policy certificates", d);
	else if (sqlite3_column_int64(st, 1) == 0)
		r = ATT_ERR_NOT_FOUND;
	else if (sqlite3_column_int64(st, 0) <= 1)
		r = att_diag_set(d, ATT_ERR_INVALID_OPERATION,
				 "store: %s is the last policy management "
				 "certificate of %s",
				 thumbprint, provider);
	att_sq_stmt_done(s, st);
	return r;
}

static int polcert_remove(void *impl, const char *provider,
			  const char *thumbprint,
			  const struct att_store_audit *a, struct att_diag *d)
{
	struct att_sq *s = impl;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (!r && !(r = polcert_keep_last(s, provider, thumbprint, d)) &&
	    !(r = delete_pair(s,
			      "DELETE FROM policy_certs WHERE provider = ? AND"
			      " thumbprint = ?",
			      provider, thumbprint, "delete policy certificate",
			      d)) &&
	    !(r = att_sq_audit_insert(s, a, d)))
		r = att_sq_commit(s->db, d);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int read_polcert(sqlite3_stmt *st, void *row)
{
	struct att_store_polcert *c = row;
	int err = 0;
	c->provider = att_sq_col_text(st, 0, &err);
	c->thumbprint = att_sq_col_text(st, 1, &err);
	c->der = att_sq_col_blob(st, 2, &c->der_len, &err);
	c->added = sqlite3_column_int64(st, 3);
	if (err)
		att_store_polcert_release(c);
	return err;
}

static int read_audit(sqlite3_stmt *st, void *row)
{
	struct att_store_audit *a = row;
	int err = 0;
	a->id = sqlite3_column_int64(st, 0);
	a->provider = att_sq_col_text(st, 1, &err);
	a->time = sqlite3_column_int64(st, 2);
	a->actor = att_sq_col_text(st, 3, &err);
	a->action = att_sq_col_text(st, 4, &err);
	a->type = att_sq_col_text(st, 5, &err);
	a->old_hash = att_sq_col_text(st, 6, &err);
	a->new_hash = att_sq_col_text(st, 7, &err);
	if (err)
		att_store_audit_release(a);
	return err;
}

/* list_rows runs a one-parameter query and collects rows of elsize bytes
 * with read(); on failure already-read rows are released by the caller
 * through *n. */
static int list_rows(struct att_sq *s, const char *sql, const char *arg,
		     int (*read)(sqlite3_stmt *, void *), size_t elsize,
		     void **out, size_t *n, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = SQLITE_DONE;
	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st, sql, d);
	if (!r)
		att_sq_bind_text(st, 1, arg);
	while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = att_sq_grow(out, &cap, *n, elsize)) ||
		    (r = read(st, (char *)*out + *n * elsize)))
			break;
		(*n)++;
	}
	if (!r && rc != SQLITE_DONE)
		r = att_sq_err(s->db, rc, "list rows", d);
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int polcert_list(void *impl, const char *provider,
			struct att_store_polcert **out, size_t *n,
			struct att_diag *d)
{
	void *v = NULL;
	int r = list_rows(impl,
			  "SELECT provider, thumbprint, der, added FROM"
			  " policy_certs WHERE provider = ? ORDER BY added,"
			  " thumbprint",
			  provider, read_polcert, sizeof(**out), &v, n, d);
	if (r) {
		att_store_polcert_list_free(v, *n);
		*n = 0;
		return r;
	}
	*out = v;
	return 0;
}

static int audit_list(void *impl, const char *provider,
		      struct att_store_audit **out, size_t *n,
		      struct att_diag *d)
{
	void *v = NULL;
	int r = list_rows(impl,
			  "SELECT id, provider, time, actor, action, type,"
			  " old_hash, new_hash FROM audit_log WHERE"
			  " provider = ? ORDER BY id",
			  provider, read_audit, sizeof(**out), &v, n, d);
	if (r) {
		att_store_audit_list_free(v, *n);
		*n = 0;
		return r;
	}
	*out = v;
	return 0;
}

/* ---- collateral cache ---- */

static int collateral_get(void *impl, const char *key,
			  struct att_store_collateral *out, struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	int err = 0;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_stmt(s, &st,
			    "SELECT key, body, fetched, next_update FROM"
			    " collateral_cache WHERE key = ?",
			    d);
	if (r)
		goto out;
	att_sq_bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE
			    ? ATT_ERR_NOT_FOUND
			    : att_sq_err(s->db, rc, "read collateral", d);
		goto out;
	}
	out->key = att_sq_col_text(st, 0, &err);
	out->body = att_sq_col_blob(st, 1, &out->body_len, &err);
	out->fetched = sqlite3_column_int64(st, 2);
	out->next_update = sqlite3_column_int64(st, 3);
	if ((r = err) != 0)
		att_store_collateral_release(out);
out:
	att_sq_stmt_done(s, st);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int collateral_put(void *impl, const struct att_store_collateral *c,
			  struct att_diag *d)
{
	struct att_sq *s = impl;
	sqlite3_stmt *st = NULL;
	pthread_mutex_lock(&s->mu);
	int r = att_sq_begin(s->db, d);
	if (r)
		goto out;
	if ((r = att_sq_stmt(s, &st,
			     "INSERT OR REPLACE INTO collateral_cache(key,"
			     " body, fetched, next_update) VALUES (?,?,?,?)",
			     d)) != 0)
		goto out;
	att_sq_bind_text(st, 1, c->key);
	att_sq_bind_blob(st, 2, c->body, c->body_len);
	sqlite3_bind_int64(st, 3, c->fetched);
	sqlite3_bind_int64(st, 4, c->next_update);
	if ((r = att_sq_step_done(s->db, st, "write collateral", d)) != 0)
		goto out;
	r = att_sq_commit(s->db, d);
out:
	att_sq_stmt_done(s, st);
	if (r)
		att_sq_rollback(s->db);
	pthread_mutex_unlock(&s->mu);
	return r;
}

static int read_collateral(sqlite3_stmt *st, void *row)
{
	struct att_store_collateral *c = row;
	int err = 0;
	c->key = att_sq_col_text(st, 0, &err);
	c->body = att_sq_col_blob(st, 1, &c->body_len, &err);
	c->fetched = sqlite3_column_int64(st, 2);
	c->next_update = sqlite3_column_int64(st, 3);
	if (err)
		att_store_collateral_release(c);
	return err;
}

#define SQ_STR_(x) #x
#define SQ_STR(x) SQ_STR_(x)

/* collateral_list: a prefix match by substr (LIKE would read '%' and '_'
 * in the prefix as wildcards); one row more than the maximum is read to
 * tell "exactly the maximum" from "too many". */
static int collateral_list(void *impl, const char *prefix,
			   struct att_store_collateral **out, size_t *n,
			   struct att_diag *d)
{
	void *v = NULL;
	int r = list_rows(impl,
			  "SELECT key, body, fetched, next_update FROM"
			  " collateral_cache WHERE substr(key, 1, length(?1))"
			  " = ?1 ORDER BY key LIMIT "
			  SQ_STR(ATT_STORE_COLLATERAL_LIST_MAX) " + 1",
			  prefix, read_collateral, sizeof(**out), &v, n, d);
	if (!r && *n > ATT_STORE_COLLATERAL_LIST_MAX)
		r = att_diag_set(d, ATT_ERR_LIMIT,
				 "more than %d collateral rows under '%s'",
				 ATT_STORE_COLLATERAL_LIST_MAX, prefix);
	if (r) {
		att_store_collateral_list_free(v, *n);
		*n = 0;
		return r;
	}
	*out = v;
	return 0;
}

const struct att_store_ops att_sq_ops = {
	.name = "sqlite",
	.close = att_sq_close,
	.ping = att_sq_ping,
	.schema_version = att_sq_schema_version,
	.provider_add = att_sq_provider_add,
	.provider_get = att_sq_provider_get,
	.provider_list = att_sq_provider_list,
	.provider_set_auth = att_sq_provider_set_auth,
	.key_add = att_sq_key_add,
	.key_list = att_sq_key_list,
	.key_gen = att_sq_key_gen,
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
	.tpm_settings_get = att_sq_tpm_settings_get,
	.tpm_settings_put = att_sq_tpm_settings_put,
	.tpm_cert_add = att_sq_tpm_cert_add,
	.tpm_cert_list = att_sq_tpm_cert_list,
	.tpm_ca_get = att_sq_tpm_ca_get,
	.tpm_ca_add = att_sq_tpm_ca_add,
	.tpm_enrol_put = att_sq_tpm_enrol_put,
	.tpm_enrol_get = att_sq_tpm_enrol_get,
	.tpm_ctxkey_get = att_sq_tpm_ctxkey_get,
	.tpm_ctxkey_add = att_sq_tpm_ctxkey_add,
	.tpm_replay_mark = att_sq_tpm_replay_mark,
	.tpm_import = att_sq_tpm_import,
	.tpm_wrapped_count = att_sq_tpm_wrapped_count,
	.change_version = att_sq_change_version,
};
