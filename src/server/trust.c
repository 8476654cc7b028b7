/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestation context of a server (trust.h): trust anchors, caches,
 * the collateral service, the dev-mode simulator set-up and the optional
 * settings file. The context hangs on its server (srv->attest, made once
 * under srv->attest_mu): no process-wide state.
 */
#include "server/trust.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "collateral/kds.h"
#include "collateral/service.h"
#include "evidence/sgx/verify.h"
#include "evidence/snp/snp.h"
#include "server/datadir.h"
#include "verify/policy_cache.h"
#include "server/server.h"
#include "sim/sgx_sim.h"
#include "sim/snp_sim.h"
#include "verify/verifier.h"

#define DAY 86400

/* Settings from the file, owned. */
struct settings {
	json_t *root;
	const char *pcs_url, *pcs_ca_file, *root_crl_url, *verify_time;
	const char *kds_url, *kds_ca_file;
	bool pccs, kds_offline;
	long kds_timeout_seconds; /* 0: unset */
	const char *imports[ATT_ATTEST_MAX_IMPORTS];
	size_t n_imports;
};

static int bad(struct att_diag *d, const char *path, const char *what)
{
	return att_diag_set(d, ATT_ERR_INVALID_ARG, "%s: %s", path, what);
}

static int parse_imports(struct settings *s, json_t *v, const char *path,
			 struct att_diag *d)
{
	size_t i;
	json_t *e;
	if (!json_is_array(v) || json_array_size(v) > ATT_ATTEST_MAX_IMPORTS)
		return bad(d, path, "\"collateral_import\" must be an array of "
				    "at most 64 paths");
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			return bad(d, path, "\"collateral_import\" entries must "
					    "be strings");
		s->imports[s->n_imports++] = json_string_value(e);
	}
	return 0;
}

static int parse_member(struct settings *s, const char *k, json_t *v,
			const char *path, struct att_diag *d)
{
	const char **str = !strcmp(k, "pcs_url")       ? &s->pcs_url
			   : !strcmp(k, "pcs_ca_file")  ? &s->pcs_ca_file
			   : !strcmp(k, "root_crl_url") ? &s->root_crl_url
			   : !strcmp(k, "kds_url")      ? &s->kds_url
			   : !strcmp(k, "kds_ca_file")  ? &s->kds_ca_file
			   : !strcmp(k, "verify_time_override")
				   ? &s->verify_time
				   : NULL;
	if (str) {
		if (!json_is_string(v))
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "%s: \"%s\" must be a string", path,
					    k);
		*str = json_string_value(v);
		return 0;
	}
	if (!strcmp(k, "pccs")) {
		if (!json_is_boolean(v))
			return bad(d, path, "\"pccs\" must be a boolean");
		s->pccs = json_is_true(v);
		return 0;
	}
	if (!strcmp(k, "kds_offline")) {
		if (!json_is_boolean(v))
			return bad(d, path, "\"kds_offline\" must be a boolean");
		s->kds_offline = json_is_true(v);
		return 0;
	}
	if (!strcmp(k, "kds_timeout_seconds")) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > ATT_KDS_TIMEOUT_SECONDS_MAX)
			return bad(d, path, "\"kds_timeout_seconds\" must be "
					    "an integer from 1 to 300");
		s->kds_timeout_seconds = (long)json_integer_value(v);
		return 0;
	}
	if (!strcmp(k, "collateral_import"))
		return parse_imports(s, v, path, d);
	return att_diag_set(d, ATT_ERR_INVALID_ARG,
			    "%s: unknown member \"%s\"", path, k);
}

/* settings_load reads DATA_DIR/attest.json when it exists. */
static int settings_load(struct settings *s, const char *data_dir,
			 struct att_diag *d)
{
	char path[4096];
	struct stat st;
	memset(s, 0, sizeof(*s));
	if (att_datadir_path(path, sizeof(path), data_dir,
			     ATT_ATTEST_SETTINGS_FILE))
		return att_diag_set(d, ATT_ERR_LIMIT, "data dir path too long");
	if (stat(path, &st) != 0)
		return 0;
	if (st.st_size > ATT_ATTEST_SETTINGS_MAX)
		return bad(d, path, "larger than 64 KiB");
	json_error_t je;
	s->root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!s->root || !json_is_object(s->root))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "%s: not a JSON object (line %d: %s)", path,
				    je.line, s->root ? "" : je.text);
	const char *k;
	json_t *v;
	json_object_foreach(s->root, k, v)
	{
		int r = parse_member(s, k, v, path, d);
		if (r)
			return r;
	}
	return 0;
}

static int file_age_days(const char *path, int64_t now, int64_t *days)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return ATT_ERR_NOT_FOUND;
	*days = (now - (int64_t)st.st_mtime) / DAY;
	return 0;
}

static int dev_sim_trust(struct att_attest_ctx *c, int64_t now,
			 struct att_diag *d);

/* dev_sim creates, refreshes and imports the data dir's simulator. */
static int dev_sim(struct att_attest_ctx *c, int64_t now, struct att_diag *d)
{
	char path[4096];
	int64_t age = 0;
	int r;
	if (!att_sgxsim_built_in()) {
		att_logf(ATT_LOG_WARN, "DEV MODE: the SGX simulator is not "
			 "built in (attestd was configured with -DATT_SIM=OFF): "
			 "no simulator is created or trusted in %s; SGX and "
			 "TDX evidence needs collateral imported by hand",
			 c->sim_dir);
		return 0;
	}
	if (att_datadir_path(path, sizeof(path), c->sim_dir, "manifest.json"))
		return att_diag_set(d, ATT_ERR_LIMIT, "sim path too long");
	if (file_age_days(path, now, &age) != 0) {
		struct att_sgxsim_init_opts io;
		att_sgxsim_init_opts_init(&io);
		io.now = now;
		if ((r = att_sgxsim_init(c->sim_dir, &io, d)) != 0)
			return r;
		att_logf(ATT_LOG_WARN, "DEV MODE: created the SGX simulator %s "
				       "(its root is trusted in dev mode only)",
			 c->sim_dir);
	}
	if (att_datadir_path(path, sizeof(path), c->sim_dir,
			     "collateral.json"))
		return ATT_ERR_LIMIT;
	if (file_age_days(path, now, &age) != 0 ||
	    age >= ATT_ATTEST_SIM_RESIGN_DAYS) {
		struct att_sgxsim_collateral_opts co;
		att_sgxsim_collateral_opts_init(&co);
		co.now = now;
		if ((r = att_sgxsim_collateral_write(c->sim_dir, &co, d)) != 0)
			return r;
		att_logf(ATT_LOG_INFO, "re-signed the simulator's collateral");
	}
	return dev_sim_trust(c, now, d);
}

/* dev_sim_trust imports the simulator's collateral and trusts its root. */
static int dev_sim_trust(struct att_attest_ctx *c, int64_t now,
			 struct att_diag *d)
{
	struct att_collateral_import_report rep = {0};
	int r = att_collateral_svc_import(c->collateral, c->sim_dir, now, &rep,
					  d);
	if (r)
		return r;
	char root[4096];
	char *pem = NULL;
	size_t len = 0;
	if (att_datadir_path(root, sizeof(root), c->sim_dir, "root.pem"))
		return ATT_ERR_LIMIT;
	if ((r = att_file_read(&pem, &len, root, 1 << 20, d)) == 0)
		r = att_dcap_trust_add_root_pem(c->trust, pem, len, d);
	free(pem);
	if (!r)
		att_logf(ATT_LOG_WARN,
			 "DEV MODE: trusting the SGX simulator root %s and its "
			 "collateral (%zu items imported)",
			 root, rep.items);
	return r;
}

/* dev_snp_make creates the SEV-SNP simulator dir (a Milan) when it is
 * missing, as dev_sim does for the SGX simulator. Its ARK, ASK and ASVK
 * are RSA-2048 (the simulator's rsa2048 option): AMD's RSA-4096 took 2.4
 * to 4.2 s on a loaded 2-core machine against 0.3 to 0.6 s, on every
 * first dev start (each test's fresh data dir). `attest sim snp init`
 * by hand gives AMD's RSA-4096 shape. */
static int dev_snp_make(const char *dir, const char *ark, int64_t now,
			struct att_diag *d)
{
	struct stat st;
	struct att_snpsim_init_opts io;
	if (stat(ark, &st) == 0 || !att_snpsim_built_in())
		return 0;
	if (stat(dir, &st) == 0)
		return att_diag_set(d, ATT_ERR_EXISTS,
				    "%s exists but holds no SEV-SNP simulator "
				    "(no %s): remove it or run `attest sim snp "
				    "init %s --force`",
				    dir, ATT_SNPSIM_F_ARK_PEM, dir);
	att_snpsim_init_opts_init(&io);
	io.now = now;
	io.rsa2048 = true;
	int r = att_snpsim_init(dir, ATT_SNP_MILAN, &io, d);
	if (!r)
		att_logf(ATT_LOG_WARN, "DEV MODE: created the SEV-SNP simulator "
			 "%s (Milan, RSA-2048 ARK; trusted in dev mode only)",
			 dir);
	return r;
}

/* dev_snp_trust pins, in dev mode, the ARK of the SEV-SNP simulator in
 * DATA_DIR/snpsim, made on the first dev start (dev_snp_make) or before
 * it (`attest sim snp init DATA_DIR/snpsim`): reports whose chain
 * carries it are verified against it, all others against AMD's roots
 * (src/verify/snp.c). */
static int dev_snp_trust(struct att_attest_ctx *c, const char *data_dir,
			 int64_t now, struct att_diag *d)
{
	char dir[4096], ark[4096];
	struct stat st;
	enum att_snp_product p = ATT_SNP_PRODUCT_UNKNOWN;
	uint8_t chip[64];
	char *pem = NULL;
	size_t len = 0;
	if (att_datadir_path(dir, sizeof(dir), data_dir, ATT_ATTEST_SNP_SIM_DIR) ||
	    att_datadir_path(ark, sizeof(ark), dir, ATT_SNPSIM_F_ARK_PEM))
		return att_diag_set(d, ATT_ERR_LIMIT, "snpsim path too long");
	int r = dev_snp_make(dir, ark, now, d);
	if (r || stat(ark, &st) != 0 || !att_snpsim_built_in())
		return r;
	r = att_snpsim_product(dir, &p, chip, d);
	if (!r)
		r = att_file_read(&pem, &len, ark, ATT_SNP_MAX_CERT_LEN, d);
	if (!r)
		r = att_snp_trust_new_empty(&c->snp_dev_trust);
	if (!r)
		r = att_snp_trust_add_ark(c->snp_dev_trust, p,
					  (const uint8_t *)pem, len, d);
	free(pem);
	if (!r)
		att_logf(ATT_LOG_WARN,
			 "DEV MODE: trusting the SEV-SNP simulator ARK %s (%s) "
			 "for reports whose chain carries it",
			 ark, att_snp_product_name(p));
	return r;
}

static int start_collateral(struct att_attest_ctx *c,
			    const struct att_attest_opts *o,
			    const struct settings *s, struct att_diag *d)
{
	struct att_collateral_opts co = {
		.store = c->srv->store,
		.pcs_base_url = o->pcs_url ? o->pcs_url : s->pcs_url,
		.is_pccs = o->pcs_url ? o->pccs : s->pccs,
		.ca_file = o->pcs_ca_file ? o->pcs_ca_file : s->pcs_ca_file,
		.root_crl_url = o->root_crl_url ? o->root_crl_url
						: s->root_crl_url};
	int r = att_collateral_svc_new(&c->collateral, &co, d);
	if (r)
		return r;
	if (co.pcs_base_url)
		att_logf(ATT_LOG_INFO, "DCAP collateral from %s %s",
			 co.is_pccs ? "PCCS" : "PCS", co.pcs_base_url);
	return 0;
}

/* start_kds makes the AMD KDS client of SevSnpVm (VCEKs of reports sent
 * without a chain, chains, CRLs) over the store. */
static int start_kds(struct att_attest_ctx *c, const struct att_attest_opts *o,
		     const struct settings *s, struct att_diag *d)
{
	long t = o->kds_timeout_seconds ? o->kds_timeout_seconds
					: s->kds_timeout_seconds;
	struct att_kds_opts ko = {
		.store = c->srv->store,
		.base_url = o->kds_url ? o->kds_url : s->kds_url,
		.ca_file = o->kds_ca_file ? o->kds_ca_file : s->kds_ca_file,
		.offline = o->kds_offline || s->kds_offline,
		.timeout_ms = 1000 * (t ? t : ATT_KDS_TIMEOUT_SECONDS_DEFAULT),
	};
	int r = att_kds_new(&c->kds, &ko, d);
	if (r)
		return r;
	if (ko.offline)
		att_logf(ATT_LOG_INFO, "AMD KDS offline: SEV-SNP VCEKs, chains "
			 "and CRLs from the store only (imports)");
	else
		att_logf(ATT_LOG_INFO, "AMD KDS at %s",
			 ko.base_url ? ko.base_url : ATT_KDS_DEFAULT_URL);
	return 0;
}

static int import_paths(struct att_attest_ctx *c,
			const struct att_attest_opts *o,
			const struct settings *s, int64_t now,
			struct att_diag *d)
{
	const char *const *v = o->n_collateral_import ? o->collateral_import
						      : s->imports;
	size_t n = o->n_collateral_import ? o->n_collateral_import
					  : s->n_imports;
	for (size_t i = 0; i < n; i++) {
		struct att_collateral_import_report rep = {0};
		struct att_diag id = {0};
		int r = att_collateral_svc_import(c->collateral, v[i], now, &rep,
						  &id);
		if (r)
			return att_diag_set(d, r, "collateral import %s: %s",
					    v[i], att_diag_msg(&id));
		att_logf(ATT_LOG_INFO,
			 "imported collateral %s: %zu items (%zu expired)",
			 v[i], rep.items, rep.expired);
	}
	return 0;
}

static int verify_time(struct att_attest_ctx *c,
		       const struct att_attest_opts *o,
		       const struct settings *s, struct att_diag *d)
{
	const char *t = o->verify_time_override ? o->verify_time_override
						: s->verify_time;
	if (!t)
		return 0;
	if (!c->dev)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "verify_time_override is a dev/test "
				    "setting and is refused outside dev mode");
	if (att_time_parse(&c->verify_time, t) != 0 || c->verify_time <= 0)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "verify_time_override: not an RFC 3339 "
				    "UTC time: '%.64s'",
				    t);
	att_logf(ATT_LOG_WARN,
		 "DEV MODE: quotes are verified at %s (verify_time_override), "
		 "not at the request time",
		 t);
	return 0;
}

static void ctx_free(struct att_attest_ctx *c)
{
	if (!c)
		return;
	if (c->verifier) {
		att_verifier_free(c->verifier); /* frees the six below */
	} else {
		att_snp_trust_free(c->snp_dev_trust);
		free(c->tpm_dev_root_file);
		free(c->tpm_dev_inter_file);
		att_kds_free(c->kds);
		att_collateral_svc_free(c->collateral);
		att_dcap_cache_free(c->dcap_cache);
		att_dcap_trust_free(c->trust);
		att_policy_cache_free(c->policies);
	}
	free(c->sim_dir);
	free(c);
}

/* make_verifier hands the context's trust, caches and collateral source
 * to the verifier of the /attest routes. */
static int make_verifier(struct att_attest_ctx *c, struct att_diag *d)
{
	struct att_verifier_cfg cfg = {
		.trust = c->trust,
		.dcap_cache = c->dcap_cache,
		.collateral = c->collateral,
		.policies = c->policies,
		.store = c->srv->store,
		.verify_time = c->verify_time,
		.snp_dev_trust = c->snp_dev_trust,
		.kds = c->kds,
		.tpm_dev_root_file = c->tpm_dev_root_file,
		.tpm_dev_inter_file = c->tpm_dev_inter_file,
		.tpm_dev_policy = c->dev ? att_tpm_dev_policy_text : NULL,
		.tpm_dev_policy_provider = ATT_DEFAULT_PROVIDER,
	};
	return att_verifier_new(&c->verifier, &cfg, d);
}

static int ctx_build(struct att_attest_ctx *c, const struct att_attest_opts *o,
		     struct att_diag *d)
{
	struct settings s;
	int64_t now = att_time_now();
	const char *dir = c->srv->cfg->data_dir;
	int r = settings_load(&s, dir, d);
	if (!r)
		r = verify_time(c, o, &s, d);
	if (!r && (r = att_dcap_trust_new_intel(&c->trust)) != 0)
		att_diag_set(d, r, "cannot load the Intel SGX Root CA");
	if (!r && (r = att_dcap_cache_new(&c->dcap_cache,
					  ATT_ATTEST_DCAP_CACHE_ENTRIES)) != 0)
		att_diag_set(d, r, "out of memory");
	if (!r && (r = att_policy_cache_new(&c->policies, 0)) != 0)
		att_diag_set(d, r, "out of memory");
	if (!r)
		r = start_collateral(c, o, &s, d);
	if (!r)
		r = start_kds(c, o, &s, d);
	if (!r && c->dev) {
		char path[4096];
		if (att_datadir_path(path, sizeof(path), dir,
				     ATT_ATTEST_SIM_DIR) ||
		    !(c->sim_dir = strdup(path)))
			r = att_diag_set(d, ATT_ERR_LIMIT, "sim path");
		if (!r)
			r = dev_sim(c, now, d);
		if (!r)
			r = dev_snp_trust(c, dir, now, d);
		if (!r)
			r = att_attest_dev_tpm(c, dir, now, d);
	}
	if (!r)
		r = import_paths(c, o, &s, now, d);
	if (!r)
		r = make_verifier(c, d);
	json_decref(s.root);
	return r;
}

/* init_locked builds srv's context; srv->attest_mu is held. */
static int init_locked(struct att_server *srv, const struct att_attest_opts *o,
		       struct att_diag *d)
{
	static const struct att_attest_opts none;
	if (srv->attest)
		return att_diag_set(d, ATT_ERR_EXISTS,
				    "the attestation context exists already");
	struct att_attest_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return ATT_ERR_NOMEM;
	c->srv = srv;
	c->dev = srv->cfg && srv->cfg->dev;
	int r = srv->cfg && srv->cfg->data_dir && srv->store
			? ctx_build(c, o ? o : &none, d)
			: att_diag_set(d, ATT_ERR_INVALID_ARG,
				       "the server has no data dir or store");
	if (r) {
		ctx_free(c);
		return r;
	}
	srv->attest = c;
	return 0;
}

int att_server_attest_init(struct att_server *srv,
			   const struct att_attest_opts *o,
			   struct att_diag *d)
{
	pthread_mutex_lock(&srv->attest_mu);
	int r = init_locked(srv, o, d);
	pthread_mutex_unlock(&srv->attest_mu);
	return r;
}

void att_server_attest_release(struct att_server *srv)
{
	pthread_mutex_lock(&srv->attest_mu);
	struct att_attest_ctx *c = srv->attest;
	srv->attest = NULL;
	pthread_mutex_unlock(&srv->attest_mu);
	ctx_free(c);
}

struct att_attest_ctx *att_attest_ctx_of(struct att_server *srv,
					 struct att_diag *d)
{
	pthread_mutex_lock(&srv->attest_mu);
	if (!srv->attest) {
		att_logf(ATT_LOG_WARN,
			 "attestation context initialised by the first "
			 "request (att_server_attest_init was not called at "
			 "start-up)");
		init_locked(srv, NULL, d);
	}
	struct att_attest_ctx *c = srv->attest;
	pthread_mutex_unlock(&srv->attest_mu);
	return c;
}

int64_t att_attest_verify_time(const struct att_attest_ctx *c, int64_t now)
{
	return c->verify_time ? c->verify_time : now;
}
