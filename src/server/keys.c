/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-provider signing keys: creation, rotation, loading, the check of
 * the store's key generation (every use, or at most every
 * ATT_KEYS_RECHECK_MS for token signing) and the JWKS of /certs (see
 * keys.h).
 */
#include "server/keys.h"
#include "server/keys_hsm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "server/provider.h"
#include "store/store.h"
#include "token/jwks.h"

/* X.509 limits a CommonName to 64 characters (RFC 5280 ub-common-name). */
#define CN_MAX 64

static void aad_for(char *out, size_t len, const char *provider,
		    const char *kid)
{
	snprintf(out, len, "attestd-signing-key/%s/%s", provider, kid);
}

static void sk_release(struct att_signing_key *k)
{
	free(k->kid);
	att_pkey_free(k->key);
	att_cert_free(k->cert);
	memset(k, 0, sizeof(*k));
}

struct att_keyset *att_keyset_ref(struct att_keyset *ks)
{
	if (ks)
		__atomic_add_fetch(&ks->refs, 1, __ATOMIC_RELAXED);
	return ks;
}

void att_keyset_unref(struct att_keyset *ks)
{
	if (!ks || __atomic_sub_fetch(&ks->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < ks->n; i++)
		sk_release(&ks->v[i]);
	free(ks->v);
	free(ks);
}

/* make_key generates and certifies a key; out_pem gets the private PEM,
 * or for a provider whose keys live in a PKCS #11 token (keys_hsm.h) the
 * marker naming the key made in the token, whose certificate is signed
 * through the token. */
static int make_key(struct att_pkey **key, struct att_cert **cert,
		    char **pem, const char *provider, const char *key_type,
		    const char *base_url, int64_t now, struct att_diag *d)
{
	char cn[CN_MAX + 1];
	snprintf(cn, sizeof(cn), "%s", base_url);
	enum att_key_kind kind =
		!strcmp(key_type, "ec") ? ATT_KEY_EC_P256 : ATT_KEY_RSA2048;
	bool hsm = att_keys_hsm_enabled(provider);
	int r = hsm ? att_keys_hsm_generate(key, pem, provider, kind, now, d)
		    : att_pkey_generate(key, kind);
	if (!r)
		r = att_cert_self_signed(cert, *key, cn, now - 3600,
					 now + (int64_t)ATT_SIGNING_CERT_DAYS *
							 86400);
	if (!r && !hsm)
		r = att_pkey_to_pem(pem, *key, true);
	return r;
}

/* unwraps tells whether master unwraps the stored key k. */
static int unwraps(const struct att_store_key *k, const uint8_t *master)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	char aad[256];
	aad_for(aad, sizeof(aad), k->provider, k->kid);
	int r = att_keywrap_unwrap(&pem, &pem_len, master, aad, strlen(aad),
				   k->wrapped, k->wrapped_len);
	if (pem) {
		att_keywrap_wipe(pem, pem_len);
		free(pem);
	}
	return r;
}

/* first_active copies the active key of the first provider that has one
 * into *out (*found false when none). */
static int first_active(struct att_store *store, struct att_store_key *out,
			bool *found, struct att_diag *d)
{
	struct att_store_provider *pv = NULL;
	size_t np = 0;
	*found = false;
	int r = att_store_provider_list(store, &pv, &np, d);
	for (size_t i = 0; !r && !*found && i < np; i++) {
		struct att_store_key *kv = NULL;
		size_t nk = 0;
		r = att_store_key_list(store, pv[i].name, &kv, &nk, d);
		for (size_t j = 0; !r && !*found && j < nk; j++) {
			if (!kv[j].active ||
			    att_keys_hsm_is_marker(kv[j].wrapped,
						   kv[j].wrapped_len))
				continue; /* a token key: not under master */
			*out = kv[j];
			memset(&kv[j], 0, sizeof(kv[j])); /* transferred */
			*found = true;
		}
		att_store_key_list_free(kv, nk);
	}
	att_store_provider_list_free(pv, np);
	return r;
}

int att_keys_count_wrapped(struct att_store *store, size_t *out,
			   struct att_diag *d)
{
	struct att_store_provider *pv = NULL;
	size_t np = 0;
	*out = 0;
	int r = att_store_provider_list(store, &pv, &np, d);
	for (size_t i = 0; !r && i < np; i++) {
		struct att_store_key *kv = NULL;
		size_t nk = 0;
		r = att_store_key_list(store, pv[i].name, &kv, &nk, d);
		*out += r ? 0 : nk;
		att_store_key_list_free(kv, nk);
	}
	att_store_provider_list_free(pv, np);
	/* The TPM AIK CA keys and context-key seeds are wrapped too. */
	size_t tpm = 0;
	if (!r && (r = att_store_tpm_wrapped_count(store, &tpm, d)) == 0)
		*out += tpm;
	return r;
}

int att_keys_check_master(struct att_store *store,
			  const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			  struct att_diag *d)
{
	struct att_store_key k = {0};
	bool found = false;
	int r = first_active(store, &k, &found, d);
	if (!r && found && unwraps(&k, master) != 0)
		r = att_diag_set(d, ATT_ERR_SIG_INVALID,
				 "keys: master.key does not unwrap the signing "
				 "key %s of provider %s, so it is not the key "
				 "this store's keys are wrapped with; restore "
				 "the right master.key from backup (no new key "
				 "is wrapped under this one)",
				 k.kid, k.provider);
	att_store_key_release(&k);
	return r;
}

/* token_only: a provider whose active key lives in a PKCS #11 token gets
 * no file-held key from a process that was not told about the token. */
static int token_only(struct att_store *store, const char *provider,
		      struct att_diag *d)
{
	struct att_store_key *kv = NULL;
	size_t nk = 0;
	int r = att_store_key_list(store, provider, &kv, &nk, d);
	for (size_t j = 0; !r && j < nk; j++)
		if (kv[j].active &&
		    att_keys_hsm_is_marker(kv[j].wrapped, kv[j].wrapped_len))
			r = att_diag_set(d, ATT_ERR_INVALID_OPERATION,
				"keys: the active key of provider %s lives in a PKCS #11 token; give the configuration that names the token (attestd key rotate %s --config FILE)",
				provider, provider);
	att_store_key_list_free(kv, nk);
	return r;
}

int att_keys_create(struct att_store *store,
		    const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		    const char *provider, const char *key_type,
		    const char *base_url, int64_t now, int64_t retire_at,
		    char *out_kid, size_t out_kid_len, struct att_diag *d)
{
	struct att_pkey *key = NULL;
	struct att_cert *cert = NULL;
	char *pem = NULL, *cert_pem = NULL;
	uint8_t *wrapped = NULL;
	size_t wrapped_len = 0;
	char kid[ATT_JWK_KID_LEN], aad[256];
	int r = att_keys_check_master(store, master, d);
	if (!r && !att_keys_hsm_enabled(provider))
		r = token_only(store, provider, d);
	if (r)
		return r;
	r = make_key(&key, &cert, &pem, provider, key_type, base_url, now, d);
	if (r) {
		att_diag_set(d, r, "keys: cannot generate a %s signing key for "
				   "provider %s", key_type, provider);
		goto out;
	}
	if ((r = att_jwk_kid_for(kid, key)) != 0 ||
	    (r = att_cert_to_pem(&cert_pem, cert)) != 0)
		goto out;
	aad_for(aad, sizeof(aad), provider, kid);
	if (att_keys_hsm_is_marker((const uint8_t *)pem, strlen(pem))) {
		/* the key is in the token: the store keeps its label */
		if (!(wrapped = (uint8_t *)strdup(pem))) {
			r = ATT_ERR_NOMEM;
			goto out;
		}
		wrapped_len = strlen(pem);
	} else if ((r = att_keywrap_wrap(&wrapped, &wrapped_len, master, aad,
					 strlen(aad), pem, strlen(pem))) != 0) {
		goto out;
	}
	struct att_store_key sk = {
		.provider = (char *)provider, .kid = kid,
		.alg = !strcmp(key_type, "ec") ? "ES256" : "RS256",
		.wrapped = wrapped, .wrapped_len = wrapped_len,
		.cert_pem = cert_pem, .created = now};
	if ((r = att_store_key_add(store, &sk, retire_at, d)) != 0)
		goto out;
	if (out_kid)
		snprintf(out_kid, out_kid_len, "%s", kid);
out:
	if (pem) {
		att_keywrap_wipe(pem, strlen(pem));
		free(pem);
	}
	free(cert_pem);
	free(wrapped);
	att_cert_free(cert);
	att_pkey_free(key);
	return r;
}

int att_keys_rotate(struct att_store *store,
		    const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		    const char *provider, const char *key_type,
		    const char *base_url, int64_t now, char *out_kid,
		    size_t out_kid_len, struct att_diag *d)
{
	return att_keys_create(store, master, provider, key_type, base_url,
			       now, now + ATT_MAX_TOKEN_LIFETIME_SECONDS,
			       out_kid, out_kid_len, d);
}

static int unwrap_private(struct att_pkey **out, const struct att_store_key *k,
			  const uint8_t *master, struct att_diag *d)
{
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	char aad[256];
	if (att_keys_hsm_is_marker(k->wrapped, k->wrapped_len))
		return att_keys_hsm_load(out, k->provider, k->wrapped,
					 k->wrapped_len, d);
	aad_for(aad, sizeof(aad), k->provider, k->kid);
	int r = att_keywrap_unwrap(&pem, &pem_len, master, aad, strlen(aad),
				   k->wrapped, k->wrapped_len);
	if (r)
		return att_diag_set(d, r,
				    "keys: cannot unwrap the private key %s of "
				    "provider %s (wrong master.key or a "
				    "tampered store)",
				    k->kid, k->provider);
	r = att_pkey_from_pem(out, (const char *)pem, pem_len);
	att_keywrap_wipe(pem, pem_len);
	free(pem);
	return r;
}

static int load_one(struct att_signing_key *sk, const struct att_store_key *k,
		    const uint8_t *master, struct att_diag *d)
{
	int r;
	sk->created = k->created;
	sk->retired_at = k->retired_at;
	sk->active = k->active;
	if (!(sk->kid = strdup(k->kid)))
		return ATT_ERR_NOMEM;
	if ((r = att_jws_alg_from_name(&sk->alg, k->alg)) != 0 ||
	    (r = att_cert_from_pem(&sk->cert, k->cert_pem,
				   strlen(k->cert_pem))) != 0)
		return att_diag_set(d, r, "keys: key %s of provider %s is "
					  "corrupt in the store",
				    k->kid, k->provider);
	if (!k->active)
		return att_cert_get1_pubkey(&sk->key, sk->cert);
	if ((r = unwrap_private(&sk->key, k, master, d)) != 0)
		return r;
	struct att_pkey *pub = NULL;
	if ((r = att_cert_get1_pubkey(&pub, sk->cert)) != 0)
		return r;
	if (!att_pkey_equal_public(pub, sk->key))
		r = att_diag_set(d, ATT_ERR_MISMATCH,
				 "keys: key %s of provider %s does not match "
				 "its certificate", k->kid, k->provider);
	att_pkey_free(pub);
	return r;
}

int att_keys_load(struct att_keyset **out, struct att_store *store,
		  const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		  const char *provider, struct att_diag *d)
{
	struct att_store_key *v = NULL;
	size_t n = 0;
	struct att_keyset *ks = calloc(1, sizeof(*ks));
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!ks)
		return r;
	ks->refs = 1;
	if ((r = att_store_key_list(store, provider, &v, &n, d)) != 0)
		goto out;
	if (n && !(ks->v = calloc(n, sizeof(*ks->v)))) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ks->n++;
		if ((r = load_one(&ks->v[i], &v[i], master, d)) != 0)
			goto out;
		if (ks->v[i].active)
			ks->active = &ks->v[i];
	}
	*out = ks;
	ks = NULL; /* transferred */
out:
	att_store_key_list_free(v, n);
	att_keyset_unref(ks);
	return r;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int att_keys_current(struct att_keyset **out, struct att_provider *p,
		     struct att_store *store,
		     const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		     bool force, struct att_diag *d)
{
	int64_t gen = 0;
	/* Stamps taken before the store read (store.h "Cache
	 * coherence"). */
	uint64_t writes = att_store_change_count(store);
	int64_t now = mono_ms();
	struct att_diag sd = {0};
	int r = att_store_key_gen(store, p->name, &gen, &sd);
	*out = NULL;
	if (r && !force && att_store_diag_unavailable(r, &sd)) {
		/* The database cannot be reached: the keys loaded before
		 * are still the provider's (no node can change them now). */
		pthread_mutex_lock(&p->mu);
		if (p->keys)
			*out = att_keyset_ref(p->keys);
		pthread_mutex_unlock(&p->mu);
		if (*out)
			return 0;
	}
	if (r) {
		if (d)
			*d = sd;
		return r;
	}
	pthread_mutex_lock(&p->mu);
	if (force || !p->keys || gen != p->key_gen) {
		struct att_keyset *ks = NULL;
		if ((r = att_keys_load(&ks, store, master, p->name, d)) == 0) {
			att_keyset_unref(p->keys);
			p->keys = ks;
			p->key_gen = gen;
		}
	}
	if (!r) {
		p->keys->checked_ms = now;
		p->keys->checked_writes = writes;
		*out = att_keyset_ref(p->keys);
	}
	pthread_mutex_unlock(&p->mu);
	return r;
}

int att_keys_for_signing(struct att_keyset **out, struct att_provider *p,
			 struct att_store *store,
			 const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			 struct att_diag *d)
{
	uint64_t writes = att_store_change_count(store);
	int64_t now = mono_ms();
	int64_t recheck = att_store_recheck_ms(store, ATT_KEYS_RECHECK_MS);
	bool stale = att_store_unavailable(store);
	*out = NULL;
	pthread_mutex_lock(&p->mu);
	struct att_keyset *ks = p->keys;
	if (ks && (stale || (ks->checked_writes == writes &&
			     now - ks->checked_ms < recheck)))
		*out = att_keyset_ref(ks);
	pthread_mutex_unlock(&p->mu);
	if (*out)
		return 0;
	return att_keys_current(out, p, store, master, false, d);
}

int att_keyset_jwks(json_t **out, const struct att_keyset *ks, int64_t now)
{
	json_t *keys = json_array();
	json_t *doc = json_object();
	int r = (keys && doc) ? 0 : ATT_ERR_NOMEM;
	*out = NULL;
	for (size_t i = 0; !r && i < ks->n; i++) {
		const struct att_signing_key *k = &ks->v[i];
		if (!k->active && k->retired_at <= now)
			continue; /* every token it signed has expired */
		json_t *e = NULL;
		r = att_jwk_public_entry_alg(&e, k->key, &k->cert, 1, k->kid,
					     k->alg);
		if (!r && json_array_append_new(keys, e) != 0)
			r = ATT_ERR_NOMEM;
	}
	if (!r && json_object_set(doc, "keys", keys) != 0)
		r = ATT_ERR_NOMEM;
	json_decref(keys);
	if (r) {
		json_decref(doc);
		return r;
	}
	*out = doc;
	return 0;
}
