/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The data directory: attestd.db (the SQLite store), master.key (the
 * 32-byte key wrapping the signing keys, mode 0600) and, in dev mode,
 * tls.crt/tls.key (a self-signed certificate for 127.0.0.1 and
 * localhost) and the dev OIDC issuer: dev-issuer.key (its private key),
 * dev-issuer.jwks (its public JWKS) and dev-issuer.json ({"issuer",
 * "audience", "kid"}). The dev issuer's URL is https://<listen>/dev-issuer
 * and its audience MAA's, https://attest.azure.net.
 */
#ifndef ATT_SERVER_DATADIR_H
#define ATT_SERVER_DATADIR_H

#include "base/limits.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/keywrap.h"

struct att_store;

#define ATT_DATADIR_DB "attestd.db"
#define ATT_DATADIR_MASTER "master.key"
#define ATT_DATADIR_TLS_CERT "tls.crt"
#define ATT_DATADIR_TLS_KEY "tls.key"
#define ATT_DEV_ISSUER_KEY "dev-issuer.key"
#define ATT_DEV_ISSUER_JWKS "dev-issuer.jwks"
#define ATT_DEV_ISSUER_JSON "dev-issuer.json"
#define ATT_DEV_ISSUER_PATH "/dev-issuer"
#define ATT_DEFAULT_PROVIDER "default"

struct att_dev_issuer {
	char *issuer;
	char *audience;
	char *kid;
	json_t *jwks;
};

/* att_datadir_path joins dir and name into out; ATT_ERR_LIMIT if long. */
int att_datadir_path(char *out, size_t out_len, const char *dir,
		     const char *name);

/* att_datadir_open opens the store and the master key of dir. With
 * create, a missing dir (mode 0700), store and master key are created;
 * without, a missing store is ATT_ERR_NOT_FOUND. A master key is never
 * created while data wrapped with one exists (keys in the store, TPM AIK
 * CA keys): a missing master.key is then refused with ATT_ERR_NOT_FOUND,
 * naming how many wrapped keys depend on it, and nothing is created. A
 * master key created here is removed again if the store cannot be
 * opened. */
int att_datadir_open(struct att_store **out,
		     uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		     const char *dir, bool create, struct att_diag *d);
/* att_datadir_open_store is att_datadir_open with the store named by
 * store (NULL: DIR/attestd.db; "sqlite://PATH" or a path: that SQLite
 * file; "postgresql://...": att_store_open_pg with pg, which may be
 * NULL). The master key stays DIR/master.key for every backend; with
 * PostgreSQL it is created only while the store holds no wrapped key. */
struct att_store_pg_opts;
int att_datadir_open_store(struct att_store **out,
			   uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			   const char *dir, const char *store,
			   const struct att_store_pg_opts *pg, bool create,
			   struct att_diag *d);

/* att_datadir_dev_init prepares a dev data dir for listen ("HOST:PORT"):
 * TLS certificate, the default provider (base URL https://<listen>) with a
 * signing key, and the dev issuer; each only when missing. */
int att_datadir_dev_init(struct att_store *store,
			 const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			 const char *dir, const char *listen,
			 struct att_diag *d);

/* att_dev_issuer_load reads dev-issuer.json and dev-issuer.jwks. */
int att_dev_issuer_load(struct att_dev_issuer **out, const char *dir,
			struct att_diag *d);
void att_dev_issuer_free(struct att_dev_issuer *i);

/* att_provider_create adds a provider to the store with its first signing
 * key (mode "aad"/"isolated", key_type "rsa"/"ec"). Nothing is written
 * when master does not unwrap the store's existing keys
 * (att_keys_check_master). */
int att_provider_create(struct att_store *store,
			const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			const char *name, const char *base_url,
			const char *mode, const char *key_type,
			const char *auth_json, int64_t now,
			struct att_diag *d);

/* att_file_write writes data to path atomically-enough for set-up files
 * (O_EXCL: never overwrites) with the given mode. */
int att_file_write(const char *path, const void *data, size_t len,
		   unsigned mode, struct att_diag *d);
/* att_file_read reads a whole file (at most max bytes) into a malloc'd,
 * NUL-terminated buffer. */
int att_file_read(char **out, size_t *out_len, const char *path, size_t max,
		  struct att_diag *d);

#endif
