/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd config check: validate a configuration and its data dir without
 * starting the service, one line per check
 * ("ok: CHECK: what was found" or "problem: CHECK: what is wrong"), exit
 * 1 on any problem (2 on a usage error). The checks, in order:
 *   config        the config file parses, no unknown member
 *                 (docs/configuration.md)
 *   data dir      exists, a directory, mode 0700 (docs/security.md)
 *   permissions   no file or directory under it readable or writable by
 *                 group or others (every file 0600, every directory 0700)
 *   master key    DIR/master.key present, 32 bytes, mode 0600
 *   store         reachable and at its schema version (opening applies the
 *                 migrations, as attestd serve does)
 *   keys          every wrapped key unwraps under the master key
 *   providers     providers.NAME settings (auth, limits, compliance) parse
 *                 and every provider's signing keys load
 *   trust roots   the TPM trust certificates stored for the providers
 *                 (EK roots and intermediates, AIK roots) parse, and so do
 *                 the pcs_ca_file / kds_ca_file of DATA_DIR/attest.json
 *   tls           the configured (or dev) certificate and key files parse
 *   settings      DATA_DIR/attest.json, when there, is a JSON object
 *   vtpm_roots    every providers.NAME.vtpm_roots file holds certificates
 *   oidc          (--check-oidc only) each provider's token issuers answer
 *                 their discovery document and JWKS
 * Nothing is created (att_datadir_open_store without create: a missing
 * store or master key is a problem, not made); opening a store applies
 * its pending schema migrations, as attestd serve and migrate do.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/diag.h"
#include "base/limits.h"
#include "cmd_common.h"
#include "crypto/cert.h"
#include "crypto/keywrap.h"
#include "crypto/pkey.h"
#include "net/http.h"
#include "net/oidc.h"
#include "server/datadir.h"
#include "server/keys.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"
#include "store/store.h"

/* The largest PEM file read: a bundle of ATT_MAX_PEM_CERTS certificates
 * (base64 grows DER by 4/3, plus lines and armour). */
#define CFG_PEM_MAX ((size_t)ATT_MAX_PEM_CERTS * ATT_MAX_CERT_LEN * 2)
/* Entries with a wrong mode listed one by one; the rest are counted. */
#define CFG_SHOW_MAX 10u

struct cfg_check {
	unsigned problems;
};

static void report(struct cfg_check *c, int ok, const char *what,
		   const char *fmt, ...)
{
	va_list ap;
	printf("%s: %s: ", ok ? "ok" : "problem", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		c->problems++;
}

/* walk reports every entry under path whose mode lets group or others
 * in (the first CFG_SHOW_MAX by name); returns how many it found. */
static unsigned walk(struct cfg_check *c, const char *path, int depth,
		     unsigned *shown)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	unsigned bad = 0;
	if (!dir) {
		report(c, 0, "permissions", "%s: cannot be read", path);
		return 1;
	}
	while ((e = readdir(dir))) {
		char sub[4096];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >=
		    (int)sizeof(sub))
			continue;
		if (lstat(sub, &st) != 0 || S_ISLNK(st.st_mode))
			continue;
		if (st.st_mode & 077) {
			bad++;
			if ((*shown)++ < CFG_SHOW_MAX)
				report(c, 0, "permissions",
				       "%s is mode %04o, want %s", sub,
				       (unsigned)(st.st_mode & 07777),
				       S_ISDIR(st.st_mode) ? "0700" : "0600");
		}
		if (S_ISDIR(st.st_mode) && depth < ATT_CONFIG_CHECK_WALK_DEPTH)
			bad += walk(c, sub, depth + 1, shown);
	}
	closedir(dir);
	return bad;
}

static void check_datadir(struct cfg_check *c, const char *dir)
{
	struct stat st;
	unsigned shown = 0;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		report(c, 0, "data dir", "%s: not a directory", dir);
		return;
	}
	if (st.st_mode & 077)
		report(c, 0, "data dir", "%s is mode %04o, want 0700", dir,
		       (unsigned)(st.st_mode & 07777));
	else
		report(c, 1, "data dir", "%s (mode %04o)", dir,
		       (unsigned)(st.st_mode & 07777));
	unsigned bad = walk(c, dir, 1, &shown);
	if (bad == 0)
		report(c, 1, "permissions",
		       "no file or directory open to group or others");
	else if (shown > CFG_SHOW_MAX)
		report(c, 0, "permissions",
		       "%u more open to group or others (%u in all)",
		       shown - CFG_SHOW_MAX, bad);
}

/* check_master: present, 32 bytes, 0600. Returns 0 when present and
 * well-sized (the mode is reported, not fatal to the later checks). */
static int check_master(struct cfg_check *c, const char *dir)
{
	char path[4096];
	struct stat st;
	if (att_datadir_path(path, sizeof(path), dir, ATT_DATADIR_MASTER) ||
	    stat(path, &st) != 0) {
		report(c, 0, "master key", "%s/%s is missing", dir,
		       ATT_DATADIR_MASTER);
		return ATT_ERR_NOT_FOUND;
	}
	if (!S_ISREG(st.st_mode) || st.st_size != ATT_KEYWRAP_KEY_LEN) {
		report(c, 0, "master key", "%s is not a %d-byte file", path,
		       ATT_KEYWRAP_KEY_LEN);
		return ATT_ERR_FORMAT;
	}
	if ((st.st_mode & 0777) != 0600)
		report(c, 0, "master key", "%s is mode %04o, want 0600", path,
		       (unsigned)(st.st_mode & 07777));
	else
		report(c, 1, "master key", "%s (32 bytes, mode 0600)", path);
	return 0;
}

static void check_pem_file(struct cfg_check *c, const char *what,
			   const char *path, int is_key)
{
	struct att_diag d = {0};
	char *text = NULL;
	size_t len = 0;
	int r = att_file_read(&text, &len, path, CFG_PEM_MAX, &d);
	if (r) {
		report(c, 0, what, "%s: %s", path, att_diag_msg(&d));
		return;
	}
	if (is_key) {
		struct att_pkey *k = NULL;
		r = att_pkey_from_pem(&k, text, len);
		att_pkey_free(k);
		if (r)
			report(c, 0, what, "%s: no private key in it", path);
		else
			report(c, 1, what, "%s: a private key", path);
	} else {
		struct att_cert **chain = NULL;
		size_t n = 0;
		r = att_cert_chain_from_pem(&chain, &n, text, len);
		att_cert_chain_free(chain, n);
		if (r)
			report(c, 0, what, "%s: no certificate in it", path);
		else
			report(c, 1, what, "%s: %zu certificate%s", path, n,
			       n == 1 ? "" : "s");
	}
	att_keywrap_wipe(text, len);
	free(text);
}

static void check_tls(struct cfg_check *c,
		      const struct att_server_config *cfg, const char *dir)
{
	char cert[4096], key[4096];
	const char *cp = cfg->tls_cert, *kp = cfg->tls_key;
	struct stat st;
	if (!cp && !kp) {
		/* dev mode's own pair, when attestd serve --dev made one */
		if (att_datadir_path(cert, sizeof(cert), dir,
				     ATT_DATADIR_TLS_CERT) ||
		    att_datadir_path(key, sizeof(key), dir,
				     ATT_DATADIR_TLS_KEY))
			return;
		if (stat(cert, &st) != 0) {
			report(c, cfg->dev, "tls",
			       cfg->dev ? "none yet (dev mode makes one)"
					: "no tls.cert/tls.key configured "
					  "(required outside dev mode)");
			return;
		}
		cp = cert;
		kp = key;
	}
	if (!cp || !kp) {
		report(c, 0, "tls", "tls.cert and tls.key go together");
		return;
	}
	check_pem_file(c, "tls", cp, 0);
	check_pem_file(c, "tls", kp, 1);
}

static void check_vtpm_roots(struct cfg_check *c, json_t *providers)
{
	const char *name;
	json_t *pc;
	unsigned n = 0;
	json_object_foreach(providers, name, pc) {
		json_t *v = json_object_get(pc, "vtpm_roots"), *e;
		size_t i;
		char what[128];
		if (!v)
			continue;
		snprintf(what, sizeof(what), "providers.%s.vtpm_roots", name);
		if (json_is_string(v)) {
			check_pem_file(c, what, json_string_value(v), 0);
			n++;
			continue;
		}
		if (!json_is_array(v)) {
			report(c, 0, what,
			       "must be a file name or an array of them");
			continue;
		}
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				report(c, 0, what, "[%zu] is not a string", i);
			else
				check_pem_file(c, what, json_string_value(e),
					       0);
			n++;
		}
	}
	if (!n)
		report(c, 1, "vtpm_roots", "none configured");
}

static void check_oidc(struct cfg_check *c, const struct att_registry *reg)
{
	unsigned n = 0;
	for (size_t i = 0; i < reg->n; i++) {
		const struct att_provider *p = reg->v[i];
		for (size_t j = 0; j < p->auth.n_issuers; j++) {
			const struct att_auth_issuer *is = p->auth.issuers[j];
			struct att_net_opts o = {.ca_file = is->ca_file};
			struct att_diag d = {0};
			json_t *jwks = NULL;
			int r;
			if (is->jwks) /* a fixed JWKS: nothing to reach */
				continue;
			n++;
			if (is->jwks_uri)
				r = att_oidc_fetch_jwks(&jwks, is->jwks_uri, &o,
							&d);
			else
				r = att_oidc_discover(&jwks, is->issuer,
						      ATT_OIDC_ISSUER_REQUIRED,
						      &o, &d);
			if (r)
				report(c, 0, "oidc", "provider %s: %s: %s",
				       p->name, is->issuer, att_diag_msg(&d));
			else
				report(c, 1, "oidc",
				       "provider %s: %s answers its JWKS",
				       p->name, is->issuer);
			json_decref(jwks);
		}
	}
	if (!n)
		report(c, 1, "oidc", "no issuer to reach");
}

/* check_tpm_roots: every TPM trust certificate stored for the providers
 * (`attestd tpm trust`: EK roots and intermediates, AIK roots) parses. */
static void check_tpm_roots(struct cfg_check *c, struct att_store *s,
			    const struct att_registry *reg)
{
	size_t total = 0, bad = 0;
	for (size_t i = 0; i < reg->n; i++) {
		struct att_store_tpm_cert *v = NULL;
		struct att_diag d = {0};
		size_t n = 0;
		if (att_store_tpm_cert_list(s, reg->v[i]->name, NULL, &v, &n,
					    &d) != 0) {
			report(c, 0, "trust roots", "provider %s: %s",
			       reg->v[i]->name, att_diag_msg(&d));
			bad++;
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			struct att_cert **chain = NULL;
			size_t nc = 0;
			total++;
			if (att_cert_chain_from_pem(&chain, &nc, v[j].pem,
						    strlen(v[j].pem)) != 0) {
				report(c, 0, "trust roots",
				       "provider %s: TPM %s %s holds no "
				       "certificate",
				       reg->v[i]->name, v[j].kind, v[j].name);
				bad++;
			}
			att_cert_chain_free(chain, nc);
		}
		att_store_tpm_cert_list_free(v, n);
	}
	if (!bad)
		report(c, 1, "trust roots", "%zu TPM trust certificate%s parse",
		       total, total == 1 ? "" : "s");
}

/* check_settings: DATA_DIR/attest.json (docs/api.md, "Attestation
 * settings"), when there is one, is a JSON object, and the CA files it
 * names for Intel PCS and AMD KDS hold certificates. attestd serve checks
 * its other members when it starts. */
static void check_settings(struct cfg_check *c, const char *dir)
{
	static const char *const cas[] = {"pcs_ca_file", "kds_ca_file"};
	char path[4096];
	struct stat st;
	json_error_t je;
	json_t *root;
	if (att_datadir_path(path, sizeof(path), dir,
			     ATT_ATTEST_SETTINGS_FILE) ||
	    stat(path, &st) != 0) {
		report(c, 1, "settings", "no %s/%s (the defaults)", dir,
		       ATT_ATTEST_SETTINGS_FILE);
		return;
	}
	if (st.st_size > (off_t)CFG_PEM_MAX ||
	    !(root = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) ||
	    !json_is_object(root)) {
		report(c, 0, "settings", "%s: not a JSON object", path);
		return;
	}
	report(c, 1, "settings", "%s", path);
	for (size_t i = 0; i < sizeof(cas) / sizeof(cas[0]); i++) {
		json_t *v = json_object_get(root, cas[i]);
		char what[64];
		snprintf(what, sizeof(what), "trust roots: %s", cas[i]);
		if (json_is_string(v))
			check_pem_file(c, what, json_string_value(v), 0);
		else if (v)
			report(c, 0, what, "must be a file name");
	}
	json_decref(root);
}

/* check_store: the store, its keys and the providers. */
static void check_store(struct cfg_check *c, struct att_server_config *cfg,
			const char *dir, int master_ok, int want_oidc)
{
	uint8_t master[ATT_KEYWRAP_KEY_LEN] = {0};
	struct att_store_pg_opts pg = {
		.pool_size = 1,
		.password_file = cfg->store_password_file,
		.statement_timeout_ms = cfg->store_timeout_ms,
	};
	char shown[ATT_PG_URL_MAX + 4096], path[4096];
	struct att_store *s = NULL;
	struct att_registry *reg = NULL;
	struct att_diag d = {0};
	int v = 0, r;
	if (cfg->store)
		att_store_url_mask(shown, sizeof(shown), cfg->store);
	else if (att_datadir_path(path, sizeof(path), dir, ATT_DATADIR_DB))
		snprintf(shown, sizeof(shown), "(path too long)");
	else
		snprintf(shown, sizeof(shown), "%s", path);
	if (!master_ok) {
		report(c, 0, "store", "%s: not opened without a master key",
		       shown);
		return;
	}
	r = att_datadir_open_store(&s, master, dir, cfg->store, &pg, false,
				   &d);
	if (!r)
		r = att_store_schema_version(s, &v, &d);
	if (r) {
		report(c, 0, "store", "%s: %s", shown, att_diag_msg(&d));
		goto out;
	}
	report(c, 1, "store", "%s: %s store at schema version %d", shown,
	       s->ops->name, v);
	att_diag_clear(&d);
	if (att_keys_check_master(s, master, &d) != 0) {
		report(c, 0, "keys", "%s", att_diag_msg(&d));
		goto out;
	}
	report(c, 1, "keys", "the stored keys unwrap under %s",
	       ATT_DATADIR_MASTER);
	att_diag_clear(&d);
	r = att_registry_load(&reg, s, cfg->providers,
			      cfg->default_provider ? cfg->default_provider
						    : ATT_DEFAULT_PROVIDER,
			      &d);
	for (size_t i = 0; !r && i < reg->n; i++) {
		struct att_keyset *ks = NULL;
		r = att_keys_current(&ks, reg->v[i], s, master, true, &d);
		att_keyset_unref(ks);
	}
	if (r) {
		report(c, 0, "providers", "%s", att_diag_msg(&d));
		goto out;
	}
	report(c, 1, "providers",
	       "%zu provider%s, settings parse and signing keys load", reg->n,
	       reg->n == 1 ? "" : "s");
	check_tpm_roots(c, s, reg);
	if (want_oidc)
		check_oidc(c, reg);
out:
	att_registry_free(reg);
	att_store_close(s);
	att_keywrap_wipe(master, sizeof(master));
}

int att_cmd_config_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"data-dir", required_argument, NULL, 'D'},
		{"check-oidc", no_argument, NULL, 'o'},
		{NULL, 0, NULL, 0}};
	struct att_server_config cfg;
	struct cfg_check c = {0};
	struct att_diag d = {0};
	const char *config = NULL, *dir = NULL;
	int o, check_oidc = 0, rc = 2;
	att_server_config_init(&cfg);
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			config = optarg;
		else if (o == 'D')
			dir = optarg;
		else if (o == 'o')
			check_oidc = 1;
		else
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if (config) {
		if (att_server_config_load(&cfg, config, &d) != 0)
			report(&c, 0, "config", "%s: %s", config,
			       att_diag_msg(&d));
		else
			report(&c, 1, "config", "%s", config);
	} else {
		report(&c, 1, "config", "none given (the defaults)");
	}
	/* --store (taken by main.c) and --data-dir win over the file. */
	if (att_cli_store()) {
		free(cfg.store);
		cfg.store = strdup(att_cli_store());
	}
	if (att_cli_store_password_file()) {
		free(cfg.store_password_file);
		cfg.store_password_file =
			strdup(att_cli_store_password_file());
	}
	if (!dir)
		dir = cfg.data_dir;
	if (!dir) {
		report(&c, 0, "data dir",
		       "none given (--data-dir DIR or config data_dir)");
	} else {
		check_datadir(&c, dir);
		int master_ok = check_master(&c, dir) == 0;
		check_store(&c, &cfg, dir, master_ok, check_oidc);
		check_tls(&c, &cfg, dir);
		check_settings(&c, dir);
	}
	if (cfg.providers)
		check_vtpm_roots(&c, cfg.providers);
	else
		report(&c, 1, "vtpm_roots", "none configured");
	printf("%u problem%s\n", c.problems, c.problems == 1 ? "" : "s");
	rc = c.problems ? 1 : 0;
	att_server_config_release(&cfg);
	return rc;
usage:
	att_server_config_release(&cfg);
	fprintf(stderr, "usage: attestd config check [--config FILE] "
			"[--data-dir DIR] [--store URL] "
			"[--store-password-file FILE] [--check-oidc]\n");
	return rc;
}
