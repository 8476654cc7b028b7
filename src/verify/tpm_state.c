/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A provider's TPM state (verify/tpm.h), all of it in the store (store.h,
 * docs/tpm.md): settings, trusted certificates, the AIK CA (created on
 * first use, its key wrapped with the data dir's master key), enrolment
 * records, the seed of the context-sealing key (random, wrapped) and the
 * set of used context ids. Nothing is kept in process memory, so every
 * attestd process sharing the store sees the same state: a context used
 * at one is refused at the others, and a restart forgets nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "evidence/tpm/aik_ca.h"
#include "evidence/tpm/context.h"
#include "evidence/tpm/tpm.h"
#include "store/store.h"
#include "verify/tpm_int.h"

static int get_bool(json_t *o, const char *k, bool *v, struct att_diag *d)
{
	json_t *x = json_object_get(o, k);
	if (!x)
		return 0;
	if (!json_is_boolean(x))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "tpm settings: \"%s\" must be a boolean",
				    k);
	*v = json_is_true(x);
	return 0;
}

static int get_int(json_t *o, const char *k, int64_t lo, int64_t hi, int64_t *v,
		   struct att_diag *d)
{
	json_t *x = json_object_get(o, k);
	if (!x)
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < lo ||
	    json_integer_value(x) > hi)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "tpm settings: \"%s\" must be an integer "
				    "in [%lld, %lld]",
				    k, (long long)lo, (long long)hi);
	*v = json_integer_value(x);
	return 0;
}

static int settings_parse(struct att_tpm_settings *s, json_t *o,
			  struct att_diag *d)
{
	int64_t days = s->aik_cert_days;
	const char *k;
	json_t *v;
	int r;
	json_object_foreach(o, k, v)
	{
		if (strcmp(k, "require_bearer") &&
		    strcmp(k, "allow_ek_without_cert") &&
		    strcmp(k, "context_ttl_seconds") &&
		    strcmp(k, "aik_cert_days"))
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "tpm settings: unknown member "
					    "\"%.32s\"",
					    k);
	}
	if ((r = get_bool(o, "require_bearer", &s->require_bearer, d)) ||
	    (r = get_bool(o, "allow_ek_without_cert", &s->allow_ek_without_cert,
			  d)) ||
	    (r = get_int(o, "context_ttl_seconds", 1, ATT_TPM_CONTEXT_TTL_MAX,
			 &s->context_ttl, d)) ||
	    (r = get_int(o, "aik_cert_days", 1, 36500, &days, d)))
		return r;
	s->aik_cert_days = (int)days;
	return 0;
}

int att_tpm_settings_parse(struct att_tpm_settings *s, const char *text,
			   size_t len, struct att_diag *d)
{
	s->require_bearer = true;
	s->allow_ek_without_cert = false;
	s->context_ttl = ATT_TPM_CONTEXT_TTL_DEFAULT;
	s->aik_cert_days = ATT_TPM_AIK_CERT_DAYS_DEFAULT;
	if (!text)
		return 0;
	if (len > ATT_TPM_MAX_SETTINGS_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "tpm settings: %zu bytes, more than "
				    "ATT_TPM_MAX_SETTINGS_LEN (%d)",
				    len, ATT_TPM_MAX_SETTINGS_LEN);
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	int r = json_is_object(o)
		    ? settings_parse(s, o, d)
		    : att_diag_set(d, ATT_ERR_FORMAT,
				   "tpm settings: not a JSON object");
	json_decref(o);
	return r;
}

int att_tpm_settings_load(struct att_tpm_settings *s, struct att_store *st,
			  const char *provider, struct att_diag *d)
{
	char *text = NULL;
	int r = att_store_tpm_settings_get(st, provider, &text, d);
	if (r == ATT_ERR_NOT_FOUND)
		r = 0; /* the defaults */
	if (r == 0)
		r = att_tpm_settings_parse(s, text, text ? strlen(text) : 0,
					   d);
	free(text);
	return r;
}

int att_tpm_read_pems(char **out, size_t *len, struct att_store *st,
		      const char *provider, const char *kind,
		      struct att_diag *d)
{
	struct att_store_tpm_cert *v = NULL;
	size_t n = 0;
	struct att_buf b;
	*out = NULL;
	*len = 0;
	int r = att_store_tpm_cert_list(st, provider, kind, &v, &n, d);
	if (r || n == 0)
		return r;
	att_buf_init(&b, ATT_TPM_MAX_TRUST_PEM);
	for (size_t i = 0; r == 0 && i < n; i++)
		if ((r = att_buf_adds(&b, v[i].pem)) == 0)
			r = att_buf_adds(&b, "\n");
	att_store_tpm_cert_list_free(v, n);
	if (r) {
		att_buf_release(&b);
		return att_diag_set(d, r,
				    "the %s certificates of provider %s "
				    "exceed ATT_TPM_MAX_TRUST_PEM (%d bytes)",
				    kind, provider, ATT_TPM_MAX_TRUST_PEM);
	}
	*out = (char *)att_buf_detach(&b, len);
	return 0;
}

/* ---- the AIK CA --------------------------------------------------- */

static int ca_aad(char *out, size_t cap, const char *provider)
{
	int n = snprintf(out, cap, "attestd-tpm-aik-ca/%s", provider);
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : n;
}

static int ca_load(struct att_tpmca **out, struct att_tpm_run *t,
		   const struct att_store_tpm_ca *row, struct att_diag *d)
{
	char aad[128];
	uint8_t *key = NULL;
	size_t key_len = 0;
	int n = ca_aad(aad, sizeof(aad), t->req->provider);
	int r = n < 0 ? n : 0;
	if (r == 0 && (r = att_keywrap_unwrap(&key, &key_len, t->req->master,
					      aad, (size_t)n, row->wrapped,
					      row->wrapped_len)) != 0)
		r = att_diag_set(d, r,
				 "the AIK CA key of provider %s does not "
				 "unwrap with master.key",
				 t->req->provider);
	if (r == 0 &&
	    (r = att_tpmca_import(out, (const char *)key, key_len,
				  row->cert_pem, strlen(row->cert_pem))) != 0)
		r = att_diag_set(d, r, "the stored AIK CA of %s is invalid",
				 t->req->provider);
	if (key) {
		att_keywrap_wipe(key, key_len);
		free(key);
	}
	return r;
}

/* ca_create makes a CA and adds it to the store: ATT_ERR_EXISTS when
 * another thread or process added one first (the caller loads that). */
static int ca_create(struct att_tpmca **out, struct att_tpm_run *t,
		     struct att_diag *d)
{
	struct att_tpmca *ca = NULL;
	char *key = NULL, *cert = NULL, aad[128];
	size_t key_len = 0;
	/* the store only reads the row it adds */
	struct att_store_tpm_ca row = {.provider = (char *)t->req->provider,
				       .created = t->req->now};
	int n = ca_aad(aad, sizeof(aad), t->req->provider);
	int r = n < 0 ? n
		      : att_tpmca_generate(&ca, t->req->provider, t->req->now,
					   ATT_TPM_AIK_CA_DAYS);
	if (r == 0)
		r = att_tpmca_export(ca, &key, &key_len, &cert);
	if (r == 0)
		r = att_keywrap_wrap(&row.wrapped, &row.wrapped_len,
				     t->req->master, aad, (size_t)n, key,
				     key_len);
	row.cert_pem = cert;
	if (r == 0)
		r = att_store_tpm_ca_add(t->v->store, &row, d);
	if (r) {
		att_tpmca_free(ca);
		ca = NULL;
		if (r != ATT_ERR_EXISTS)
			r = att_diag_set(d, r,
					 "cannot create the AIK CA of %s",
					 t->req->provider);
	}
	if (key) {
		att_keywrap_wipe(key, key_len);
		free(key);
	}
	free(cert);
	free(row.wrapped);
	*out = ca;
	return r;
}

int att_tpm_aik_ca(struct att_tpmca **out, struct att_tpm_run *t, bool create,
		   struct att_diag *d)
{
	struct att_store_tpm_ca row = {0};
	*out = NULL;
	int r = att_store_tpm_ca_get(t->v->store, t->req->provider, &row, d);
	if (r == ATT_ERR_NOT_FOUND && create &&
	    (r = ca_create(out, t, d)) == ATT_ERR_EXISTS)
		r = att_store_tpm_ca_get(t->v->store, t->req->provider,
					 &row, d);
	if (r == 0 && !*out)
		r = ca_load(out, t, &row, d);
	att_store_tpm_ca_release(&row);
	return r;
}

int att_tpm_aik_ca_cert(char **pem, size_t *len, struct att_tpm_run *t,
			struct att_diag *d)
{
	struct att_store_tpm_ca row = {0};
	*pem = NULL;
	*len = 0;
	int r = att_store_tpm_ca_get(t->v->store, t->req->provider, &row, d);
	if (r == 0) {
		*pem = row.cert_pem;
		*len = strlen(row.cert_pem);
		row.cert_pem = NULL;
	}
	att_store_tpm_ca_release(&row);
	return r;
}

/* ---- enrolment records -------------------------------------------- */

static int name_hex(char *out, size_t cap, const uint8_t *name,
		    size_t name_len)
{
	if (name_len == 0 || name_len > ATT_TPM_MAX_NAME_LEN ||
	    cap < 2 * name_len + 1)
		return ATT_ERR_INVALID_ARG;
	att_hex_encode(out, cap, name, name_len, false);
	return 0;
}

int att_tpm_enrol_record(struct att_tpm_run *t, const uint8_t *name,
			 size_t name_len, const uint8_t *ek_cert_sha256,
			 const uint8_t *aik_cert, size_t aik_cert_len,
			 struct att_diag *d)
{
	char nh[2 * ATT_TPM_MAX_NAME_LEN + 1], eh[65], ch[65];
	uint8_t cs[32];
	if (name_hex(nh, sizeof(nh), name, name_len) != 0)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "cannot record the enrolment: AIK Name of "
				    "%zu bytes",
				    name_len);
	if (ek_cert_sha256)
		att_hex_encode(eh, sizeof(eh), ek_cert_sha256, 32, false);
	att_sha256(cs, aik_cert, aik_cert_len);
	att_hex_encode(ch, sizeof(ch), cs, 32, false);
	/* the store only reads the record it puts */
	struct att_store_tpm_enrolment e = {
	    .provider = (char *)t->req->provider,
	    .aik_name = nh,
	    .ek_cert_sha256 = ek_cert_sha256 ? eh : NULL,
	    .aik_cert_sha256 = ch,
	    .enrolled_at = t->req->now};
	return att_store_tpm_enrol_put(t->v->store, &e, d);
}

bool att_tpm_enrolled(struct att_tpm_run *t, const uint8_t *name, size_t name_len)
{
	char nh[2 * ATT_TPM_MAX_NAME_LEN + 1];
	struct att_store_tpm_enrolment e = {0};
	struct att_diag d = {0};
	if (name_hex(nh, sizeof(nh), name, name_len) != 0)
		return false;
	int r = att_store_tpm_enrol_get(t->v->store, t->req->provider, nh,
					&e, &d);
	att_store_tpm_enrolment_release(&e);
	return r == 0;
}

/* ---- context key and replay set ------------------------------------ */

static int seed_aad(char *out, size_t cap, const char *provider)
{
	int n = snprintf(out, cap, "attestd-tpm-context-key/%s", provider);
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : n;
}

/* seed_create adds a random seed; ATT_ERR_EXISTS when another thread or
 * process added one first. */
static int seed_create(struct att_tpm_run *t, const char *aad, size_t aad_len,
		       struct att_diag *d)
{
	uint8_t seed[ATT_KEYWRAP_KEY_LEN], *blob = NULL;
	size_t blob_len = 0;
	int r = att_rand_bytes(seed, sizeof(seed)) ? ATT_ERR_CRYPTO : 0;
	if (r == 0)
		r = att_keywrap_wrap(&blob, &blob_len, t->req->master, aad,
				     aad_len, seed, sizeof(seed));
	if (r == 0)
		r = att_store_tpm_ctxkey_add(t->v->store, t->req->provider,
					     blob, blob_len, t->req->now, d);
	att_keywrap_wipe(seed, sizeof(seed));
	free(blob);
	return r;
}

int att_tpm_ctx_key(struct att_tpmctx_key *k, struct att_tpm_run *t)
{
	struct att_diag d = {0};
	uint8_t *blob = NULL, *seed = NULL;
	size_t blob_len = 0, seed_len = 0;
	char aad[128];
	int n = seed_aad(aad, sizeof(aad), t->req->provider);
	int r = n < 0 ? n
		      : att_store_tpm_ctxkey_get(t->v->store,
						 t->req->provider, &blob,
						 &blob_len, &d);
	if (r == ATT_ERR_NOT_FOUND) {
		r = seed_create(t, aad, (size_t)n, &d);
		if (r == 0 || r == ATT_ERR_EXISTS)
			r = att_store_tpm_ctxkey_get(t->v->store,
						     t->req->provider, &blob,
						     &blob_len, &d);
	}
	if (r == 0)
		r = att_keywrap_unwrap(&seed, &seed_len, t->req->master, aad,
				       (size_t)n, blob, blob_len);
	if (r == 0)
		r = seed_len == ATT_KEYWRAP_KEY_LEN
			? att_tpmctx_key_derive(k, seed, t->req->provider)
			: ATT_ERR_FORMAT;
	if (seed) {
		att_keywrap_wipe(seed, seed_len);
		free(seed);
	}
	free(blob);
	return r;
}

int att_tpm_replay_mark(struct att_tpm_run *t, const uint8_t *id, int64_t exp,
			struct att_diag *d)
{
	return att_store_tpm_replay_mark(t->v->store, t->req->provider, id,
					 ATT_TPMCTX_ID_LEN, exp < 1 ? 1 : exp,
					 t->req->now, ATT_TPM_REPLAY_CACHE_SLOTS,
					 d);
}
