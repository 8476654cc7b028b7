/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend-independent part of the store's TPM state (store.h): row release
 * functions and the wrappers that dispatch through struct att_store_ops.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void att_store_tpm_cert_release(struct att_store_tpm_cert *c)
{
	if (!c)
		return;
	free(c->provider);
	free(c->kind);
	free(c->name);
	free(c->pem);
	memset(c, 0, sizeof(*c));
}

void att_store_tpm_cert_list_free(struct att_store_tpm_cert *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		att_store_tpm_cert_release(&v[i]);
	free(v);
}

void att_store_tpm_ca_release(struct att_store_tpm_ca *c)
{
	if (!c)
		return;
	free(c->provider);
	if (c->wrapped)
		memset(c->wrapped, 0, c->wrapped_len);
	free(c->wrapped);
	free(c->cert_pem);
	memset(c, 0, sizeof(*c));
}

void att_store_tpm_enrolment_release(struct att_store_tpm_enrolment *e)
{
	if (!e)
		return;
	free(e->provider);
	free(e->aik_name);
	free(e->ek_cert_sha256);
	free(e->aik_cert_sha256);
	memset(e, 0, sizeof(*e));
}

int att_store_tpm_settings_get(struct att_store *s, const char *provider,
			       char **json, struct att_diag *d)
{
	return s->ops->tpm_settings_get(s->impl, provider, json, d);
}

int att_store_tpm_settings_put(struct att_store *s, const char *provider,
			       const char *json, struct att_diag *d)
{
	return s->ops->tpm_settings_put(s->impl, provider, json, d);
}

int att_store_tpm_cert_add(struct att_store *s,
			   const struct att_store_tpm_cert *c,
			   struct att_diag *d)
{
	return s->ops->tpm_cert_add(s->impl, c, d);
}

int att_store_tpm_cert_list(struct att_store *s, const char *provider,
			    const char *kind, struct att_store_tpm_cert **out,
			    size_t *n, struct att_diag *d)
{
	return s->ops->tpm_cert_list(s->impl, provider, kind, out, n, d);
}

int att_store_tpm_ca_get(struct att_store *s, const char *provider,
			 struct att_store_tpm_ca *out, struct att_diag *d)
{
	return s->ops->tpm_ca_get(s->impl, provider, out, d);
}

int att_store_tpm_ca_add(struct att_store *s, const struct att_store_tpm_ca *c,
			 struct att_diag *d)
{
	return s->ops->tpm_ca_add(s->impl, c, d);
}

int att_store_tpm_enrol_put(struct att_store *s,
			    const struct att_store_tpm_enrolment *e,
			    struct att_diag *d)
{
	return s->ops->tpm_enrol_put(s->impl, e, d);
}

int att_store_tpm_enrol_get(struct att_store *s, const char *provider,
			    const char *aik_name,
			    struct att_store_tpm_enrolment *out,
			    struct att_diag *d)
{
	return s->ops->tpm_enrol_get(s->impl, provider, aik_name, out, d);
}

int att_store_tpm_ctxkey_get(struct att_store *s, const char *provider,
			     uint8_t **wrapped, size_t *len,
			     struct att_diag *d)
{
	return s->ops->tpm_ctxkey_get(s->impl, provider, wrapped, len, d);
}

int att_store_tpm_ctxkey_add(struct att_store *s, const char *provider,
			     const uint8_t *wrapped, size_t len, int64_t now,
			     struct att_diag *d)
{
	return s->ops->tpm_ctxkey_add(s->impl, provider, wrapped, len, now, d);
}

int att_store_tpm_replay_mark(struct att_store *s, const char *provider,
			      const uint8_t *id, size_t id_len, int64_t exp,
			      int64_t now, size_t max, struct att_diag *d)
{
	return s->ops->tpm_replay_mark(s->impl, provider, id, id_len, exp, now,
				       max, d);
}

int att_store_tpm_import(struct att_store *s,
			 const struct att_store_tpm_import *imp,
			 struct att_diag *d)
{
	return s->ops->tpm_import(s->impl, imp, d);
}

int att_store_tpm_wrapped_count(struct att_store *s, size_t *out,
				struct att_diag *d)
{
	return s->ops->tpm_wrapped_count(s->impl, out, d);
}
