/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend-independent part of the store: row release functions and the
 * thin wrappers that dispatch through struct att_store_ops (store.h).
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"

void att_store_provider_release(struct att_store_provider *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->base_url);
	free(p->mode);
	free(p->key_type);
	free(p->auth_json);
	memset(p, 0, sizeof(*p));
}

void att_store_key_release(struct att_store_key *k)
{
	if (!k)
		return;
	free(k->provider);
	free(k->kid);
	free(k->alg);
	if (k->wrapped)
		memset(k->wrapped, 0, k->wrapped_len);
	free(k->wrapped);
	free(k->cert_pem);
	memset(k, 0, sizeof(*k));
}

void att_store_policy_release(struct att_store_policy *p)
{
	if (!p)
		return;
	free(p->provider);
	free(p->type);
	free(p->jws);
	free(p->hash);
	memset(p, 0, sizeof(*p));
}

void att_store_polcert_release(struct att_store_polcert *c)
{
	if (!c)
		return;
	free(c->provider);
	free(c->thumbprint);
	free(c->der);
	memset(c, 0, sizeof(*c));
}

void att_store_audit_release(struct att_store_audit *a)
{
	if (!a)
		return;
	free(a->provider);
	free(a->actor);
	free(a->action);
	free(a->type);
	free(a->old_hash);
	free(a->new_hash);
	memset(a, 0, sizeof(*a));
}

void att_store_collateral_release(struct att_store_collateral *c)
{
	if (!c)
		return;
	free(c->key);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

#define LIST_FREE(fn, type, rel)                                               \
	void fn(type *v, size_t n)                                             \
	{                                                                      \
		if (!v)                                                        \
			return;                                                \
		for (size_t i = 0; i < n; i++)                                 \
			rel(&v[i]);                                            \
		free(v);                                                       \
	}

LIST_FREE(att_store_provider_list_free, struct att_store_provider,
	  att_store_provider_release)
LIST_FREE(att_store_key_list_free, struct att_store_key, att_store_key_release)
LIST_FREE(att_store_polcert_list_free, struct att_store_polcert,
	  att_store_polcert_release)
LIST_FREE(att_store_audit_list_free, struct att_store_audit,
	  att_store_audit_release)
LIST_FREE(att_store_collateral_list_free, struct att_store_collateral,
	  att_store_collateral_release)

void att_store_close(struct att_store *s)
{
	if (!s)
		return;
	if (s->ops && s->ops->close)
		s->ops->close(s->impl);
	free(s);
}

int att_store_ping(struct att_store *s, struct att_diag *d)
{
	return s->ops->ping(s->impl, d);
}

int att_store_schema_version(struct att_store *s, int *out,
			     struct att_diag *d)
{
	return s->ops->schema_version(s->impl, out, d);
}

int att_store_provider_add(struct att_store *s,
			   const struct att_store_provider *p,
			   struct att_diag *d)
{
	return s->ops->provider_add(s->impl, p, d);
}

int att_store_provider_get(struct att_store *s, const char *name,
			   struct att_store_provider *out, struct att_diag *d)
{
	return s->ops->provider_get(s->impl, name, out, d);
}

int att_store_provider_list(struct att_store *s,
			    struct att_store_provider **out, size_t *n,
			    struct att_diag *d)
{
	return s->ops->provider_list(s->impl, out, n, d);
}

int att_store_provider_set_auth(struct att_store *s, const char *name,
				const char *auth_json, struct att_diag *d)
{
	return s->ops->provider_set_auth(s->impl, name, auth_json, d);
}

int att_store_key_add(struct att_store *s, const struct att_store_key *k,
		      int64_t retire_at, struct att_diag *d)
{
	return s->ops->key_add(s->impl, k, retire_at, d);
}

int att_store_key_list(struct att_store *s, const char *provider,
		       struct att_store_key **out, size_t *n,
		       struct att_diag *d)
{
	return s->ops->key_list(s->impl, provider, out, n, d);
}

int att_store_key_gen(struct att_store *s, const char *provider,
		      int64_t *out, struct att_diag *d)
{
	return s->ops->key_gen(s->impl, provider, out, d);
}

int att_store_policy_get(struct att_store *s, const char *provider,
			 const char *type, struct att_store_policy *out,
			 struct att_diag *d)
{
	return s->ops->policy_get(s->impl, provider, type, out, d);
}

int att_store_policy_put(struct att_store *s, const struct att_store_policy *p,
			 const struct att_store_audit *a, struct att_diag *d)
{
	return s->ops->policy_put(s->impl, p, a, d);
}

int att_store_policy_delete(struct att_store *s, const char *provider,
			    const char *type, const struct att_store_audit *a,
			    struct att_diag *d)
{
	return s->ops->policy_delete(s->impl, provider, type, a, d);
}

int att_store_policy_reset(struct att_store *s, const char *provider,
			   const char *type, int64_t iat,
			   const struct att_store_audit *a, struct att_diag *d)
{
	return s->ops->policy_reset(s->impl, provider, type, iat, a, d);
}

int att_store_policy_iat(struct att_store *s, const char *provider,
			 const char *type, int64_t *out, struct att_diag *d)
{
	return s->ops->policy_iat(s->impl, provider, type, out, d);
}

int att_store_polcert_add(struct att_store *s,
			  const struct att_store_polcert *c,
			  const struct att_store_audit *a, struct att_diag *d)
{
	return s->ops->polcert_add(s->impl, c, a, d);
}

int att_store_polcert_remove(struct att_store *s, const char *provider,
			     const char *thumbprint,
			     const struct att_store_audit *a,
			     struct att_diag *d)
{
	return s->ops->polcert_remove(s->impl, provider, thumbprint, a, d);
}

int att_store_polcert_list(struct att_store *s, const char *provider,
			   struct att_store_polcert **out, size_t *n,
			   struct att_diag *d)
{
	return s->ops->polcert_list(s->impl, provider, out, n, d);
}

int att_store_audit_list(struct att_store *s, const char *provider,
			 struct att_store_audit **out, size_t *n,
			 struct att_diag *d)
{
	return s->ops->audit_list(s->impl, provider, out, n, d);
}

int att_store_collateral_get(struct att_store *s, const char *key,
			     struct att_store_collateral *out,
			     struct att_diag *d)
{
	return s->ops->collateral_get(s->impl, key, out, d);
}

int att_store_collateral_put(struct att_store *s,
			     const struct att_store_collateral *c,
			     struct att_diag *d)
{
	return s->ops->collateral_put(s->impl, c, d);
}

int att_store_collateral_list(struct att_store *s, const char *prefix,
			      struct att_store_collateral **out, size_t *n,
			      struct att_diag *d)
{
	*out = NULL;
	*n = 0;
	if (!s->ops->collateral_list)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "the %s store cannot list collateral",
				    s->ops->name);
	return s->ops->collateral_list(s->impl, prefix ? prefix : "", out, n,
				       d);
}
