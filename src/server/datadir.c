/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data directory set-up: store and master key, the dev-mode TLS
 * certificate, default provider and dev OIDC issuer (see datadir.h).
 * Set-up files are created with O_EXCL and never overwritten: a second
 * start of dev mode reuses what the first one made. Every file the
 * service writes is 0600 and every directory 0700, public ones (tls.crt,
 * dev-issuer.jwks) included: nothing in the data dir is for other users.
 */
#include "server/datadir.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "server/keys.h"
#include "store/store.h"
#include "token/jwks.h"

int att_datadir_path(char *out, size_t out_len, const char *dir,
		     const char *name)
{
	int n = snprintf(out, out_len, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= out_len ? ATT_ERR_LIMIT : 0;
}

int att_file_write(const char *path, const void *data, size_t len,
		   unsigned mode, struct att_diag *d)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		      (mode_t)mode);
	if (fd < 0)
		return att_diag_set(d, errno == EEXIST ? ATT_ERR_EXISTS
						       : ATT_ERR_IO,
				    "cannot create %s: %s", path,
				    strerror(errno));
	ssize_t w = write(fd, data, len);
	int r = (w == (ssize_t)len && fsync(fd) == 0) ? 0 : ATT_ERR_IO;
	close(fd);
	if (r) {
		unlink(path);
		return att_diag_set(d, r, "cannot write %s", path);
	}
	return 0;
}

int att_file_read(char **out, size_t *out_len, const char *path, size_t max,
		  struct att_diag *d)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return att_diag_set(d, errno == ENOENT ? ATT_ERR_NOT_FOUND
						       : ATT_ERR_IO,
				    "cannot read %s: %s", path,
				    strerror(errno));
	char *b = malloc(max + 1);
	size_t n = b ? fread(b, 1, max + 1, f) : 0;
	int err = ferror(f);
	fclose(f);
	if (!b)
		return ATT_ERR_NOMEM;
	if (err || n > max) {
		free(b);
		return att_diag_set(d, err ? ATT_ERR_IO : ATT_ERR_LIMIT,
				    "cannot read %s (%s)", path,
				    err ? "read error" : "too large");
	}
	b[n] = 0;
	*out = b;
	if (out_len)
		*out_len = n;
	return 0;
}

/* tpm_wrapped counts the providers' wrapped TPM AIK CA keys
 * (DIR/tpm/NAME/aik-ca.key). */
static size_t tpm_wrapped(const char *dir)
{
	char tpm[4096], kp[4096];
	struct stat st;
	size_t n = 0;
	if (att_datadir_path(tpm, sizeof(tpm), dir, "tpm"))
		return 0;
	DIR *dp = opendir(tpm);
	struct dirent *e;
	while (dp && (e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int w = snprintf(kp, sizeof(kp), "%s/%s/aik-ca.key", tpm,
				 e->d_name);
		if (w > 0 && (size_t)w < sizeof(kp) && stat(kp, &st) == 0)
			n++;
	}
	if (dp)
		closedir(dp);
	return n;
}

/* master_dependents refuses (ATT_ERR_NOT_FOUND, naming what) when data
 * wrapped with the missing master key mk exists: keys in the store db
 * (when it exists) or TPM AIK CA keys. */
static int master_dependents(const char *dir, const char *db, const char *mk,
			     struct att_diag *d)
{
	struct att_store *s = NULL;
	struct att_diag sd = {0};
	struct stat st;
	char what[200];
	size_t keys = 0, tpm = tpm_wrapped(dir);
	int r = stat(db, &st) == 0 ? att_store_open_sqlite(&s, db, &sd) : 0;
	if (!r && s)
		r = att_keys_count_wrapped(s, &keys, &sd);
	att_store_close(s);
	if (r)
		return att_diag_set(d, r,
				    "%s is missing and the store cannot be read "
				    "to see what depends on it: %s",
				    mk, att_diag_msg(&sd));
	if (keys && tpm)
		snprintf(what, sizeof(what),
			 "the store holds %zu wrapped key(s) and %zu TPM AIK "
			 "CA key(s) (tpm/*/aik-ca.key) are wrapped with it",
			 keys, tpm);
	else if (keys)
		snprintf(what, sizeof(what),
			 "the store holds %zu wrapped key(s)", keys);
	else if (tpm)
		snprintf(what, sizeof(what),
			 "%zu TPM AIK CA key(s) (tpm/*/aik-ca.key) are wrapped "
			 "with it", tpm);
	else
		return 0;
	return att_diag_set(d, ATT_ERR_NOT_FOUND,
			    "%s is missing but %s: restore %s from backup (a "
			    "new master key could not unwrap them, so none is "
			    "created)",
			    mk, what, ATT_DATADIR_MASTER);
}

/* load_master reads mk; when it is missing and create is set, makes a
 * new one only if nothing depends on the old one (*made then true). */
static int load_master(uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		       const char *dir, const char *db, const char *mk,
		       bool create, bool *made, struct att_diag *d)
{
	*made = false;
	int r = att_keywrap_load_master(master, mk, 0);
	if (r == ATT_ERR_NOT_FOUND) {
		int dep = master_dependents(dir, db, mk, d);
		if (dep)
			return dep;
		if (!create)
			return att_diag_set(d, r, "%s is missing", mk);
		r = att_keywrap_create_master(master, mk);
		*made = r == 0;
		if (r == ATT_ERR_EXISTS) /* made by another process */
			r = att_keywrap_load_master(master, mk, 0);
	}
	if (r)
		return att_diag_set(d, r,
				    "cannot load the master key %s: %s (it must "
				    "be 32 bytes, mode 0600)",
				    mk, att_strerror(r));
	return 0;
}

/* open_pg opens a PostgreSQL store and dir's master key. The master key
 * stays a file of the data dir, the same on every node
 * (docs/deployment.md); a missing one is created only while the store
 * holds nothing wrapped with another. */
static int open_pg(struct att_store **out,
		   uint8_t master[static ATT_KEYWRAP_KEY_LEN], const char *dir,
		   const char *mk, const char *url,
		   const struct att_store_pg_opts *o, bool create,
		   struct att_diag *d)
{
	size_t keys = 0, tpm = 0;
	int r = att_store_open_pg(out, url, o, d);
	if (r)
		return r;
	r = att_keywrap_load_master(master, mk, 0);
	if (r == ATT_ERR_NOT_FOUND) {
		if ((r = att_keys_count_wrapped(*out, &keys, d)) == 0 &&
		    (r = att_store_tpm_wrapped_count(*out, &tpm, d)) == 0) {
			if (keys || tpm)
				r = att_diag_set(
				    d, ATT_ERR_NOT_FOUND,
				    "%s is missing but the store holds %zu "
				    "wrapped key(s) and %zu wrapped TPM key(s): "
				    "copy the master key the other nodes use "
				    "into %s (a new one could not unwrap them)",
				    mk, keys, tpm, dir);
			else if (!create)
				r = att_diag_set(d, ATT_ERR_NOT_FOUND,
						 "%s is missing", mk);
			else if ((r = att_keywrap_create_master(master, mk)) ==
				 ATT_ERR_EXISTS)
				r = att_keywrap_load_master(master, mk, 0);
		}
	}
	if (r && r != ATT_ERR_NOT_FOUND)
		r = att_diag_set(d, r, "cannot load the master key %s: %s", mk,
				 att_strerror(r));
	if (r) {
		att_store_close(*out);
		*out = NULL;
		att_keywrap_wipe(master, ATT_KEYWRAP_KEY_LEN);
	}
	return r;
}

int att_datadir_open(struct att_store **out,
		     uint8_t master[static ATT_KEYWRAP_KEY_LEN],
		     const char *dir, bool create, struct att_diag *d)
{
	return att_datadir_open_store(out, master, dir, NULL, NULL, create, d);
}

int att_datadir_open_store(struct att_store **out,
			   uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			   const char *dir, const char *store,
			   const struct att_store_pg_opts *pg, bool create,
			   struct att_diag *d)
{
	char db[4096], mk[4096];
	struct stat st;
	bool made = false;
	*out = NULL;
	if (att_datadir_path(db, sizeof(db), dir, ATT_DATADIR_DB) ||
	    att_datadir_path(mk, sizeof(mk), dir, ATT_DATADIR_MASTER))
		return att_diag_set(d, ATT_ERR_LIMIT, "data dir path too long");
	if (store && !att_store_url_is_pg(store) &&
	    snprintf(db, sizeof(db), "%s",
		     strncmp(store, "sqlite://", 9) ? store : store + 9) >=
		    (int)sizeof(db))
		return att_diag_set(d, ATT_ERR_LIMIT, "store path too long");
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return att_diag_set(d, ATT_ERR_IO, "cannot create %s: %s", dir,
				    strerror(errno));
	if (store && att_store_url_is_pg(store))
		return open_pg(out, master, dir, mk, store, pg, create, d);
	if (!create && stat(db, &st) != 0)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "%s has no attestd store (%s); create a "
				    "provider first (attestd provider add) or "
				    "use --dev",
				    dir, ATT_DATADIR_DB);
	int r = load_master(master, dir, db, mk, create, &made, d);
	if (!r && (r = att_store_open_sqlite(out, db, d)) != 0 && made)
		unlink(mk); /* protects nothing yet: leave no file behind */
	if (r)
		att_keywrap_wipe(master, ATT_KEYWRAP_KEY_LEN);
	return r;
}

static int write_tls(const char *dir, const char *host, struct att_diag *d)
{
	char crt[4096], key_path[4096];
	struct att_pkey *key = NULL;
	struct att_cert *cert = NULL;
	char *cert_pem = NULL, *key_pem = NULL;
	struct stat st;
	if (att_datadir_path(crt, sizeof(crt), dir, ATT_DATADIR_TLS_CERT) ||
	    att_datadir_path(key_path, sizeof(key_path), dir,
			     ATT_DATADIR_TLS_KEY))
		return ATT_ERR_LIMIT;
	if (stat(crt, &st) == 0 && stat(key_path, &st) == 0)
		return 0;
	char extra[300];
	unsigned char ip[16];
	const char *sans[4] = {"IP:127.0.0.1", "IP:::1", "DNS:localhost", NULL};
	size_t n_sans = 3;
	if (host && *host && strcmp(host, "127.0.0.1") &&
	    strcmp(host, "localhost") && strcmp(host, "::1") &&
	    strcmp(host, "0.0.0.0") && strcmp(host, "::")) {
		bool is_ip = inet_pton(AF_INET, host, ip) == 1 ||
			     inet_pton(AF_INET6, host, ip) == 1;
		snprintf(extra, sizeof(extra), "%s:%s", is_ip ? "IP" : "DNS",
			 host);
		sans[n_sans++] = extra;
	}
	int64_t now = (int64_t)time(NULL);
	int r = att_pkey_generate(&key, ATT_KEY_EC_P256);
	if (!r)
		r = att_cert_self_signed_san(&cert, key, "attestd dev TLS",
					     now - 3600,
					     now + ATT_DEV_TLS_DAYS * 86400LL,
					     sans, n_sans);
	if (!r)
		r = att_cert_to_pem(&cert_pem, cert);
	if (!r)
		r = att_pkey_to_pem(&key_pem, key, true);
	if (!r)
		r = att_file_write(key_path, key_pem, strlen(key_pem), 0600, d);
	if (!r)
		r = att_file_write(crt, cert_pem, strlen(cert_pem), 0600, d);
	if (key_pem)
		att_keywrap_wipe(key_pem, strlen(key_pem));
	free(key_pem);
	free(cert_pem);
	att_cert_free(cert);
	att_pkey_free(key);
	return r ? att_diag_set(d, r, "dev: cannot create the TLS certificate")
		 : 0;
}

static int dev_issuer_files(const char *dir, const char *listen,
			    struct att_diag *d)
{
	char p_key[4096], p_jwks[4096], p_json[4096];
	struct att_pkey *key = NULL;
	json_t *entry = NULL, *jwks = NULL, *meta = NULL;
	char *pem = NULL, *s_jwks = NULL, *s_meta = NULL;
	char kid[ATT_JWK_KID_LEN], issuer[600];
	struct stat st;
	if (att_datadir_path(p_key, sizeof(p_key), dir, ATT_DEV_ISSUER_KEY) ||
	    att_datadir_path(p_jwks, sizeof(p_jwks), dir, ATT_DEV_ISSUER_JWKS) ||
	    att_datadir_path(p_json, sizeof(p_json), dir, ATT_DEV_ISSUER_JSON))
		return ATT_ERR_LIMIT;
	if (stat(p_json, &st) == 0)
		return 0;
	snprintf(issuer, sizeof(issuer), "https://%s%s", listen,
		 ATT_DEV_ISSUER_PATH);
	int r = att_pkey_generate(&key, ATT_KEY_RSA2048);
	if (!r && !(r = att_jwk_kid_for(kid, key)) &&
	    !(r = att_jwk_public_entry(&entry, key, NULL, 0, kid))) {
		jwks = json_pack("{s:[O]}", "keys", entry);
		meta = json_pack("{s:s, s:s, s:s}", "issuer", issuer,
				 "audience", "https://attest.azure.net", "kid",
				 kid);
		s_jwks = jwks ? json_dumps(jwks, JSON_INDENT(2)) : NULL;
		s_meta = meta ? json_dumps(meta, JSON_INDENT(2)) : NULL;
		r = s_jwks && s_meta ? att_pkey_to_pem(&pem, key, true)
				     : ATT_ERR_NOMEM;
	}
	if (!r)
		r = att_file_write(p_key, pem, strlen(pem), 0600, d);
	if (!r)
		r = att_file_write(p_jwks, s_jwks, strlen(s_jwks), 0600, d);
	if (!r)
		r = att_file_write(p_json, s_meta, strlen(s_meta), 0600, d);
	if (pem)
		att_keywrap_wipe(pem, strlen(pem));
	free(pem);
	free(s_jwks);
	free(s_meta);
	json_decref(entry);
	json_decref(jwks);
	json_decref(meta);
	att_pkey_free(key);
	return r ? att_diag_set(d, r, "dev: cannot create the dev issuer") : 0;
}

int att_provider_create(struct att_store *store,
			const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			const char *name, const char *base_url,
			const char *mode, const char *key_type,
			const char *auth_json, int64_t now,
			struct att_diag *d)
{
	struct att_store_provider p = {
		.name = (char *)name, .base_url = (char *)base_url,
		.mode = (char *)mode, .key_type = (char *)key_type,
		.auth_json = (char *)auth_json, .created = now};
	/* Before anything is written: a provider whose key cannot be made
	 * must not be left behind. */
	int r = att_keys_check_master(store, master, d);
	if (r)
		return r;
	r = att_store_provider_add(store, &p, d);
	if (r == ATT_ERR_EXISTS)
		return att_diag_set(d, r, "provider '%s' already exists", name);
	if (r)
		return r;
	return att_keys_create(store, master, name, key_type, base_url, now, 0,
			       NULL, 0, d);
}

static void listen_host(char *out, size_t len, const char *listen)
{
	if (listen[0] == '[') {
		const char *e = strchr(listen, ']');
		size_t n = e ? (size_t)(e - listen - 1) : 0;
		snprintf(out, len, "%.*s", (int)n, listen + 1);
		return;
	}
	const char *c = strrchr(listen, ':');
	size_t n = c ? (size_t)(c - listen) : strlen(listen);
	snprintf(out, len, "%.*s", (int)n, listen);
}

int att_datadir_dev_init(struct att_store *store,
			 const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			 const char *dir, const char *listen,
			 struct att_diag *d)
{
	char host[256], base[600];
	struct att_store_provider p = {0};
	listen_host(host, sizeof(host), listen);
	int r = write_tls(dir, host, d);
	if (!r)
		r = dev_issuer_files(dir, listen, d);
	if (r)
		return r;
	r = att_store_provider_get(store, ATT_DEFAULT_PROVIDER, &p, d);
	att_store_provider_release(&p);
	if (r != ATT_ERR_NOT_FOUND)
		return r;
	att_diag_clear(d);
	snprintf(base, sizeof(base), "https://%s", listen);
	return att_provider_create(store, master, ATT_DEFAULT_PROVIDER, base,
				   "aad", "rsa", NULL, (int64_t)time(NULL), d);
}

int att_dev_issuer_load(struct att_dev_issuer **out, const char *dir,
			struct att_diag *d)
{
	char p_jwks[4096], p_json[4096];
	json_error_t je;
	json_t *meta = NULL;
	struct att_dev_issuer *i = calloc(1, sizeof(*i));
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!i)
		return r;
	if (att_datadir_path(p_jwks, sizeof(p_jwks), dir, ATT_DEV_ISSUER_JWKS) ||
	    att_datadir_path(p_json, sizeof(p_json), dir, ATT_DEV_ISSUER_JSON)) {
		r = ATT_ERR_LIMIT;
		goto out;
	}
	if (!(meta = json_load_file(p_json, 0, &je)) ||
	    !(i->jwks = json_load_file(p_jwks, 0, &je))) {
		r = att_diag_set(d, ATT_ERR_FORMAT, "dev issuer: %s: %s",
				 je.source, je.text);
		goto out;
	}
	const char *iss = json_string_value(json_object_get(meta, "issuer"));
	const char *aud = json_string_value(json_object_get(meta, "audience"));
	const char *kid = json_string_value(json_object_get(meta, "kid"));
	if (!iss || !aud || !kid) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "dev issuer: %s lacks issuer/audience/kid",
				 p_json);
		goto out;
	}
	if (!(i->issuer = strdup(iss)) || !(i->audience = strdup(aud)) ||
	    !(i->kid = strdup(kid)))
		goto out;
	*out = i;
	i = NULL; /* transferred */
	r = 0;
out:
	json_decref(meta);
	att_dev_issuer_free(i);
	return r;
}

void att_dev_issuer_free(struct att_dev_issuer *i)
{
	if (!i)
		return;
	free(i->issuer);
	free(i->audience);
	free(i->kid);
	json_decref(i->jwks);
	free(i);
}
