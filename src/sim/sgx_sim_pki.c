/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest sim sgx init`: a fresh simulated PKI shaped like Intel's SGX PKI.
 * Root CA (self-signed P-256, pathlen 1) -> PCK Processor CA and PCK
 * Platform CA (pathlen 0) -> PCK certificates with the SGX extension, one
 * per TCB level of each platform plus one that the PCK CRL revokes; Root
 * CA -> TCB Signing certificate. Also the QE attestation key, then the
 * signed collateral (sgx_sim_collateral.c) and the manifest. Every private
 * key is a 0600 file: the directory must never be trusted in production.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "crypto/digest.h"
#include "sim/sgx_sim_int.h"

#define ROOT_CN "attestd Simulated SGX Root CA"
#define TCB_CN "attestd Simulated SGX TCB Signing"
#define PCK_CN "attestd Simulated SGX PCK Certificate"
#define ROOT_CRL_URL SIM_CRL_BASE "/SGXRootCA.der"
/* Intel's root expires 2049-12-31T23:59:59Z; the simulator's does too. */
#define ROOT_NOT_AFTER 2524607999LL
#define YEAR (365 * SIM_DAY)

struct pki {
	const char *dir;
	int64_t now;
	struct att_pkey *root_key, *tcb_key, *qe_key;
	struct att_pkey *ca_key[ATT_SGXSIM_N_PLATFORMS];
	struct att_cert *root, *tcb;
	struct att_cert *ca[ATT_SGXSIM_N_PLATFORMS];
	struct att_diag *d;
};

static void pki_free(struct pki *p)
{
	att_pkey_free(p->root_key);
	att_pkey_free(p->tcb_key);
	att_pkey_free(p->qe_key);
	att_cert_free(p->root);
	att_cert_free(p->tcb);
	for (size_t i = 0; i < ATT_SGXSIM_N_PLATFORMS; i++) {
		att_pkey_free(p->ca_key[i]);
		att_cert_free(p->ca[i]);
	}
}

static int new_serial(uint8_t s[ATT_SGXSIM_SERIAL_LEN])
{
	int r = att_rand_bytes(s, ATT_SGXSIM_SERIAL_LEN);
	if (!r && s[0] == 0)
		s[0] = 1; /* keep all 20 octets significant */
	return r;
}

static int save_key(const struct pki *p, const char *sub, const char *name,
		    struct att_pkey *k)
{
	struct att_buf b;
	att_buf_init(&b, ATT_SGXSIM_MAX_OBJ);
	b.secret = true;
	int r = att_sgxsim_key_pem(k, &b);
	if (r)
		r = att_diag_set(p->d, r, "sgxsim: cannot encode %s", name);
	else
		r = att_sim_write(p->dir, sub, name, b.data, b.len, 0600, p->d);
	att_buf_release(&b);
	return r;
}

static int save_cert(const struct pki *p, const char *sub, const char *name,
		     const struct att_cert *c)
{
	struct att_buf b;
	att_buf_init(&b, ATT_SGXSIM_MAX_OBJ);
	int r = att_sgxsim_cert_pem(c, &b);
	if (r)
		r = att_diag_set(p->d, r, "sgxsim: cannot encode %s", name);
	else
		r = att_sim_write(p->dir, sub, name, b.data, b.len, 0644, p->d);
	att_buf_release(&b);
	return r;
}

/* issue makes a key (unless *key is set) and a certificate for it. */
static int issue(struct pki *p, struct att_sgxsim_cert_spec *s,
		 struct att_pkey **key, struct att_cert **cert)
{
	int r = *key ? 0 : att_sgxsim_key_generate(key);
	if (!r)
		r = new_serial(s->serial);
	if (r)
		return att_diag_set(p->d, r, "sgxsim: key generation failed");
	s->org = SIM_ORG;
	s->subject_key = *key;
	if (!s->issuer_key)
		s->issuer_key = *key;
	r = att_sgxsim_cert_create(cert, s);
	if (r)
		return att_diag_set(p->d, r, "sgxsim: cannot issue \"%s\"",
				    s->cn);
	return 0;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static int make_cas(struct pki *p)
{
	struct att_sgxsim_cert_spec s = {
	    .cn = ROOT_CN,
	    .not_before = p->now - SIM_DAY,
	    .ca = true,
	    .pathlen = 1,
	    .crl_url = ROOT_CRL_URL,
	    .not_after = p->now < ROOT_NOT_AFTER - YEAR ? ROOT_NOT_AFTER
							: p->now + 30 * YEAR};
	int r = issue(p, &s, &p->root_key, &p->root);
	for (size_t i = 0; !r && i < ATT_SGXSIM_N_PLATFORMS; i++) {
		struct att_sgxsim_cert_spec c = {
		    .cn = att_sim_platforms[i].ca_cn,
		    .not_before = p->now - SIM_DAY,
		    .not_after = min64(p->now + 15 * YEAR, s.not_after),
		    .ca = true,
		    .pathlen = 0,
		    .crl_url = ROOT_CRL_URL,
		    .issuer = p->root,
		    .issuer_key = p->root_key};
		r = issue(p, &c, &p->ca_key[i], &p->ca[i]);
	}
	struct att_sgxsim_cert_spec t = {
	    .cn = TCB_CN,
	    .not_before = p->now - SIM_DAY,
	    .not_after = min64(p->now + 7 * YEAR, s.not_after),
	    .pathlen = -1,
	    .crl_url = ROOT_CRL_URL,
	    .issuer = p->root,
	    .issuer_key = p->root_key};
	if (!r)
		r = issue(p, &t, &p->tcb_key, &p->tcb);
	if (!r && att_sgxsim_key_generate(&p->qe_key))
		r = att_diag_set(p->d, ATT_ERR_CRYPTO,
				 "sgxsim: QE key generation failed");
	return r;
}

static int save_cas(struct pki *p)
{
	struct att_buf der, chain;
	att_buf_init(&der, ATT_SGXSIM_MAX_OBJ);
	att_buf_init(&chain, ATT_SGXSIM_MAX_OBJ);
	int r = save_key(p, NULL, SIM_F_ROOT_KEY, p->root_key);
	if (!r)
		r = save_cert(p, NULL, SIM_F_ROOT_PEM, p->root);
	if (!r && att_sgxsim_cert_der(p->root, &der))
		r = att_diag_set(p->d, ATT_ERR_CRYPTO, "sgxsim: root DER");
	if (!r)
		r = att_sim_write(p->dir, NULL, SIM_F_ROOT_DER, der.data,
				  der.len, 0644, p->d);
	for (size_t i = 0; !r && i < ATT_SGXSIM_N_PLATFORMS; i++) {
		char n[64];
		snprintf(n, sizeof(n), "%s.key", att_sim_platforms[i].ca);
		r = save_key(p, NULL, n, p->ca_key[i]);
		snprintf(n, sizeof(n), "%s.pem", att_sim_platforms[i].ca);
		if (!r)
			r = save_cert(p, NULL, n, p->ca[i]);
	}
	if (!r)
		r = save_key(p, NULL, SIM_F_TCB_KEY, p->tcb_key);
	if (!r)
		r = save_cert(p, NULL, SIM_F_TCB_PEM, p->tcb);
	if (!r && (att_sgxsim_cert_pem(p->tcb, &chain) ||
		   att_sgxsim_cert_pem(p->root, &chain)))
		r = att_diag_set(p->d, ATT_ERR_CRYPTO, "sgxsim: TCB chain");
	if (!r)
		r = att_sim_write(p->dir, NULL, SIM_F_TCB_CHAIN, chain.data,
				  chain.len, 0644, p->d);
	if (!r)
		r = save_key(p, NULL, SIM_F_QE_KEY, p->qe_key);
	att_buf_release(&der);
	att_buf_release(&chain);
	return r;
}

/* pck_ext fills the SGX extension for one TCB level of platform i. */
static void pck_ext(struct att_sgxsim_pck_ext *e, size_t i,
		    const struct att_sim_level *l, const uint8_t ppid[16],
		    const uint8_t instance[16])
{
	const struct att_sim_platform *pl = &att_sim_platforms[i];
	memset(e, 0, sizeof(*e));
	memcpy(e->ppid, ppid, 16);
	memcpy(e->comp_svn, l->comp, 16);
	memcpy(e->cpusvn, l->comp, 16);
	e->pcesvn = l->pcesvn;
	memcpy(e->fmspc, pl->fmspc, 6);
	e->sgx_type = pl->sgx_type;
	e->platform = pl->platform_ca;
	memcpy(e->platform_instance_id, instance, 16);
	e->dynamic_platform = true;
}

static int make_pck(struct pki *p, size_t i, struct att_pkey **key,
		    const struct att_sgxsim_pck_ext *e, const char *file)
{
	const struct att_sim_platform *pl = &att_sim_platforms[i];
	struct att_cert *c = NULL;
	struct att_sgxsim_cert_spec s = {.cn = PCK_CN,
					 .not_before = p->now - SIM_DAY,
					 .not_after = p->now + 7 * YEAR,
					 .pathlen = -1,
					 .crl_url = pl->crl_url,
					 .sgx = e,
					 .issuer = p->ca[i],
					 .issuer_key = p->ca_key[i]};
	int r = issue(p, &s, key, &c);
	if (!r)
		r = save_cert(p, pl->name, file, c);
	att_cert_free(c);
	return r;
}

static int make_platform(struct pki *p, size_t i)
{
	const struct att_sim_platform *pl = &att_sim_platforms[i];
	struct att_pkey *key = NULL;
	struct att_sgxsim_pck_ext e;
	uint8_t ppid[16], inst[16];
	char file[128];
	int r = att_sim_mkdir(p->dir, pl->name, p->d);
	if (!r && (att_rand_bytes(ppid, 16) || att_rand_bytes(inst, 16)))
		r = att_diag_set(p->d, ATT_ERR_CRYPTO, "sgxsim: no randomness");
	for (size_t l = 0; !r && l < ATT_SGXSIM_N_LEVELS; l++) {
		pck_ext(&e, i, &att_sim_levels[l], ppid, inst);
		att_sim_pck_cert_name(file, sizeof(file),
				      att_sim_levels[l].name);
		r = make_pck(p, i, &key, &e, file);
	}
	if (!r) {
		pck_ext(&e, i, &att_sim_levels[0], ppid, inst);
		att_sim_pck_cert_name(file, sizeof(file), SIM_F_REVOKED);
		r = make_pck(p, i, &key, &e, file);
	}
	if (!r)
		r = save_key(p, pl->name, SIM_F_PCK_KEY, key);
	att_pkey_free(key);
	return r;
}

void att_sgxsim_init_opts_init(struct att_sgxsim_init_opts *o)
{
	memset(o, 0, sizeof(*o));
	att_sgxsim_collateral_opts_init(&o->collateral);
}

static int check_dir(const char *dir, bool force, struct att_diag *d)
{
	char path[4096];
	struct stat st;
	if (!dir || !*dir)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "sgxsim: no DIR");
	if (att_sim_path(path, sizeof(path), dir, NULL, SIM_F_MANIFEST))
		return att_diag_set(d, ATT_ERR_LIMIT, "sgxsim: path too long");
	if (!force && stat(path, &st) == 0)
		return att_diag_set(d, ATT_ERR_EXISTS,
				    "sgxsim: %s already holds a simulator "
				    "(use --force to replace it)",
				    dir);
	return att_sim_mkdir(dir, NULL, d);
}

int att_sgxsim_init(const char *dir, const struct att_sgxsim_init_opts *o,
		    struct att_diag *d)
{
	struct att_sgxsim_init_opts def;
	if (!o) {
		att_sgxsim_init_opts_init(&def);
		o = &def;
	}
	struct pki p = {.dir = dir, .d = d};
	p.now = o->now ? o->now : att_time_now();
	int r = check_dir(dir, o->force, d);
	if (!r)
		r = make_cas(&p);
	if (!r)
		r = save_cas(&p);
	for (size_t i = 0; !r && i < ATT_SGXSIM_N_PLATFORMS; i++)
		r = make_platform(&p, i);
	pki_free(&p);
	struct att_sgxsim_collateral_opts c = o->collateral;
	if (!c.now)
		c.now = p.now;
	if (!r)
		r = att_sgxsim_collateral_write(dir, &c, d);
	if (!r)
		r = att_sim_write_manifest(dir, p.now, d);
	return r;
}
