/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's lifecycle: open the data dir (and in dev mode create what
 * is missing), load providers and their keys, reload them on SIGHUP, and
 * release everything. In dev mode every provider also trusts the dev OIDC
 * issuer, and every token carries "x-attestd-dev-mode": true.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "crypto/pkey.h"
#include "server/api_tpm.h"
#include "server/auth.h"
#include "server/datadir.h"
#include "server/jwks_fetch.h"
#include "server/keys.h"
#include "server/keys_hsm.h"
#include "server/metrics.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"
#include "store/store.h"
#include "token/jwks.h"

static int dev_claims(struct att_server *srv, struct att_provider *p,
		      json_t *claims)
{
	(void)srv;
	(void)p;
	return json_object_set_new(claims, "x-attestd-dev-mode", json_true())
		       ? ATT_ERR_NOMEM
		       : 0;
}

static int load_registry(struct att_server *srv, struct att_registry **out,
			 struct att_diag *d)
{
	struct att_registry *reg = NULL;
	int r = att_registry_load(&reg, srv->store, srv->cfg->providers,
				  srv->cfg->default_provider, d);
	for (size_t i = 0; !r && srv->dev_issuer && i < reg->n; i++)
		r = att_auth_add_issuer(&reg->v[i]->auth,
					srv->dev_issuer->issuer,
					srv->dev_issuer->audience,
					srv->dev_issuer->jwks);
	/* Fetched JWKS come from the server's fetcher; a source already
	 * known (SIGHUP) keeps its cache. */
	for (size_t i = 0; !r && srv->jwks && i < reg->n; i++)
		r = att_jwks_svc_bind(srv->jwks, &reg->v[i]->auth, d);
	/* Load every key now: a key that cannot be unwrapped is a start-up
	 * error, not a failure of the first request. */
	for (size_t i = 0; !r && i < reg->n; i++) {
		struct att_keyset *ks = NULL;
		r = att_keys_current(&ks, reg->v[i], srv->store, srv->master,
				     true, d);
		att_keyset_unref(ks);
	}
	if (r) {
		att_registry_free(reg);
		return r;
	}
	*out = reg;
	return 0;
}

static int set_default_str(char **dst, const char *dir, const char *name)
{
	char path[4096];
	if (*dst)
		return 0;
	if (!dir) {
		*dst = strdup(name);
		return *dst ? 0 : ATT_ERR_NOMEM;
	}
	if (att_datadir_path(path, sizeof(path), dir, name))
		return ATT_ERR_LIMIT;
	*dst = strdup(path);
	return *dst ? 0 : ATT_ERR_NOMEM;
}

static int init_dev(struct att_server *srv, struct att_diag *d)
{
	struct att_server_config *c = srv->cfg;
	int r = att_datadir_dev_init(srv->store, srv->master, c->data_dir,
				     c->listen, d);
	if (!r)
		r = att_dev_issuer_load(&srv->dev_issuer, c->data_dir, d);
	if (!r)
		r = set_default_str(&c->tls_cert, c->data_dir,
				    ATT_DATADIR_TLS_CERT);
	if (!r)
		r = set_default_str(&c->tls_key, c->data_dir,
				    ATT_DATADIR_TLS_KEY);
	if (r)
		return r;
	srv->claims_hook = dev_claims;
	att_logf(ATT_LOG_WARN,
		 "DEV MODE: self-signed TLS, a local dev token issuer (%s) "
		 "trusted by every provider, and every token marked "
		 "\"x-attestd-dev-mode\": true. Never use dev mode in "
		 "production.",
		 srv->dev_issuer->issuer);
	return 0;
}

/* open_store opens the configured store (DATA_DIR/attestd.db unless
 * "store" names another) with one PostgreSQL connection per server thread
 * and two for work outside requests; the log names it with any password
 * masked. */
static int open_store(struct att_server *srv, struct att_diag *d)
{
	const struct att_server_config *c = srv->cfg;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = c->threads ? c->threads
				      : (unsigned)(cpus > 0 ? cpus : 1);
	struct att_store_pg_opts pg = {
	    .pool_size = threads + 2 > ATT_PG_POOL_MAX ? ATT_PG_POOL_MAX
						       : threads + 2,
	    .password_file = c->store_password_file,
	    .connect_timeout_s = (c->store_timeout_ms + 999) / 1000,
	    .statement_timeout_ms = c->store_timeout_ms};
	char shown[ATT_PG_URL_MAX + 1];
	if (pg.connect_timeout_s && pg.connect_timeout_s < 2)
		pg.connect_timeout_s = 2; /* libpq's least */
	int r = att_datadir_open_store(&srv->store, srv->master, c->data_dir,
				       c->store, &pg, c->dev, d);
	if (!r && c->store) {
		att_store_url_mask(shown, sizeof(shown), c->store);
		att_logf(ATT_LOG_INFO, "store: %s (%s)", shown,
			 srv->store->ops->name);
	}
	/* Other nodes' changes reach this node's caches through the
	 * store's watcher (store.h "Cache coherence"). */
	if (!r)
		r = att_store_watch(srv->store, d);
	return r;
}

/* hsm_first_keys: a provider whose keys now live in a PKCS #11 token
 * (providers.NAME.signing) but whose active key is still file-held gets
 * its first token key, made in the token; the file key is retired as by
 * a rotation (published until every token it signed has expired). */
static int hsm_first_keys(struct att_server *srv, struct att_diag *d)
{
	struct att_store_provider *v = NULL;
	size_t n = 0;
	int r = att_store_provider_list(srv->store, &v, &n, d);
	for (size_t i = 0; !r && i < n; i++) {
		struct att_keyset *ks = NULL;
		if (!att_keys_hsm_enabled(v[i].name))
			continue;
		r = att_keys_load(&ks, srv->store, srv->master, v[i].name, d);
		bool in_token = ks && ks->active &&
				att_pkey_is_external(ks->active->key);
		att_keyset_unref(ks);
		if (!r && !in_token) {
			char kid[ATT_JWK_KID_LEN];
			r = att_keys_rotate(srv->store, srv->master, v[i].name,
					    v[i].key_type, v[i].base_url,
					    (int64_t)time(NULL), kid,
					    sizeof(kid), d);
			if (!r)
				att_logf(ATT_LOG_INFO,
					"provider %s: new signing key %s made in its PKCS #11 token",
					v[i].name, kid);
		}
	}
	att_store_provider_list_free(v, n);
	return r;
}

int att_server_init(struct att_server *srv, struct att_server_config *cfg,
		    struct att_diag *d)
{
	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	pthread_rwlock_init(&srv->reg_lock, NULL);
	pthread_mutex_init(&srv->attest_mu, NULL);
	att_auth_global_init();
	if (!cfg->listen || !cfg->data_dir)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "listen address and data dir are required");
	int r = set_default_str(&cfg->default_provider, NULL,
				ATT_DEFAULT_PROVIDER);
	if (!r)
		r = att_jwks_svc_new(&srv->jwks, d);
	if (!r)
		r = open_store(srv, d);
	if (!r && cfg->dev)
		r = init_dev(srv, d);
	if (!r && (!cfg->tls_cert || !cfg->tls_key))
		r = att_diag_set(d, ATT_ERR_INVALID_ARG,
				 "a TLS certificate and key are required "
				 "(config \"tls\": {\"cert\", \"key\"}) "
				 "outside dev mode");
	/* PKCS #11 signing tokens: a missing token or a wrong PIN stops the
	 * start here, naming the provider (server/keys_hsm.h). */
	if (!r)
		r = att_keys_hsm_configure(cfg->providers, d);
	if (!r)
		r = hsm_first_keys(srv, d);
	if (!r)
		r = load_registry(srv, &srv->reg, d);
	if (!r && !(srv->metrics = att_metrics_new()))
		r = ATT_ERR_NOMEM;
	/* TPM state files of an earlier version go into the store. */
	if (!r)
		r = att_tpm_state_import(srv->store, cfg->data_dir,
					 (int64_t)time(NULL), NULL, d);
	/* DCAP trust, collateral service and (dev mode) the simulated SGX
	 * platform exist before the first request. */
	if (!r)
		r = att_server_attest_init(srv, NULL, d);
	return r;
}

int att_server_reload(struct att_server *srv, struct att_diag *d)
{
	struct att_registry *reg = NULL;
	int r = load_registry(srv, &reg, d);
	if (r)
		return r;
	pthread_rwlock_wrlock(&srv->reg_lock);
	struct att_registry *old = srv->reg;
	srv->reg = reg;
	pthread_rwlock_unlock(&srv->reg_lock);
	att_registry_free(old);
	return 0;
}

void att_server_release(struct att_server *srv)
{
	if (!srv)
		return;
	att_server_stop(srv);
	att_server_attest_release(srv);
	att_registry_free(srv->reg);
	att_keys_hsm_clear(); /* keys still held keep their token open */
	/* After every registry: issuers hold references to its sources. */
	att_jwks_svc_free(srv->jwks);
	att_metrics_free(srv->metrics);
	att_dev_issuer_free(srv->dev_issuer);
	att_store_close(srv->store);
	att_keywrap_wipe(srv->master, sizeof(srv->master));
	pthread_rwlock_destroy(&srv->reg_lock);
	pthread_mutex_destroy(&srv->attest_mu);
	memset(srv, 0, sizeof(*srv));
}
