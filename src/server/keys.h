/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-provider token signing keys. Each key is RSA-2048 (RS256, default)
 * or EC P-256 (ES256) with a self-signed certificate for x5c; its kid is
 * the RFC 7638 thumbprint of the public key. Private keys are stored only
 * wrapped with AES-256-GCM under the data dir's master key, bound to
 * "attestd-signing-key/<provider>/<kid>".
 *
 * Rotation adds a new active key and retires the previous one with
 * retired_at = now + ATT_MAX_TOKEN_LIFETIME_SECONDS: every token it signed
 * has expired by then, and until then /certs keeps publishing it. The
 * server sees a rotation without restart: before using a provider's keys
 * it compares the store's key generation with the one it loaded. /certs
 * and the other readers (att_keys_current) compare on every use; token
 * signing (att_keys_for_signing, on every attestation) compares at most
 * every ATT_KEYS_RECHECK_MS, and at once after any store write made by
 * this process. So a rotation by another process (`attestd key rotate`)
 * switches the signing key within ATT_KEYS_RECHECK_MS (or at the next
 * /certs request, whichever is first) and is in /certs immediately;
 * tokens signed meanwhile with the previous key verify, since that key
 * stays published for ATT_MAX_TOKEN_LIFETIME_SECONDS.
 */
#ifndef ATT_SERVER_KEYS_H
#define ATT_SERVER_KEYS_H

#include "base/limits.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/keywrap.h"
#include "token/jws.h"

struct att_cert;
struct att_pkey;
struct att_provider;
struct att_store;

struct att_signing_key {
	char *kid;
	enum att_jws_alg alg;
	struct att_pkey *key;  /* private part only for the active key */
	struct att_cert *cert;
	int64_t created;
	int64_t retired_at;
	bool active;
};

/* An immutable snapshot of a provider's keys, shared by reference; only
 * the two check stamps change, under the owning provider's mu. */
struct att_keyset {
	int refs; /* atomic */
	struct att_signing_key *v;
	size_t n;
	struct att_signing_key *active; /* borrowed from v, or NULL */
	/* When the store's key generation last matched this set: monotonic
	 * milliseconds, and the process's store write count
	 * (att_store_sqlite_write_count) read before that store read. */
	int64_t checked_ms;
	uint64_t checked_writes;
};

void att_keyset_unref(struct att_keyset *ks);
struct att_keyset *att_keyset_ref(struct att_keyset *ks);

/* att_keys_create generates a key of key_type ("rsa" or "ec") for
 * provider, certifies it (CN = base_url), wraps it and stores it as the
 * active key; the previous active key is retired at retire_at. The new
 * kid is copied to out_kid when not NULL. Refused (att_keys_check_master)
 * when master does not unwrap the store's existing keys. */
int att_keys_create(struct att_store *store,
		    const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		    const char *provider, const char *key_type,
		    const char *base_url, int64_t now, int64_t retire_at,
		    char *out_kid, size_t out_kid_len, struct att_diag *d);

/* att_keys_count_wrapped counts the wrapped private keys in the store:
 * every key of every provider, active or retired, and the TPM AIK CA
 * keys and context-key seeds. */
int att_keys_count_wrapped(struct att_store *store, size_t *out,
			   struct att_diag *d);

/* att_keys_check_master makes sure master is the key the store's keys
 * are wrapped with, by unwrapping the active key of the first provider
 * that has one. 0 when it unwraps or the store holds no active key;
 * ATT_ERR_SIG_INVALID otherwise (diag names the key and says to restore
 * master.key). att_keys_create calls it first, so a new key is never
 * wrapped under a master key that cannot unwrap the others. */
int att_keys_check_master(struct att_store *store,
			  const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			  struct att_diag *d);

/* att_keys_rotate is att_keys_create with retire_at = now +
 * ATT_MAX_TOKEN_LIFETIME_SECONDS. */
int att_keys_rotate(struct att_store *store,
		    const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		    const char *provider, const char *key_type,
		    const char *base_url, int64_t now, char *out_kid,
		    size_t out_kid_len, struct att_diag *d);

/* att_keys_load reads a provider's keys from the store into a new
 * snapshot; only the active key is unwrapped. */
int att_keys_load(struct att_keyset **out, struct att_store *store,
		  const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		  const char *provider, struct att_diag *d);

/* att_keys_current returns a reference to p's current snapshot, reloading
 * it first when the store's key generation changed (or force is set). */
int att_keys_current(struct att_keyset **out, struct att_provider *p,
		     struct att_store *store,
		     const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		     bool force, struct att_diag *d);

/* att_keys_for_signing is att_keys_current (force false) for the token
 * signer: it returns p's loaded snapshot without asking the store when
 * that was checked less than ATT_KEYS_RECHECK_MS ago and this process
 * has written nothing to the store since. */
int att_keys_for_signing(struct att_keyset **out, struct att_provider *p,
			 struct att_store *store,
			 const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			 struct att_diag *d);

/* att_keyset_jwks builds {"keys":[...]} with every key still published at
 * time now (active, or retired_at > now): kid, kty, alg, use, x5c and the
 * raw public members. */
int att_keyset_jwks(json_t **out, const struct att_keyset *ks, int64_t now);

#endif
