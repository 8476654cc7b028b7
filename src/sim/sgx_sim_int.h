/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the SGX simulator shared by its files: the platform and
 * TCB level tables, file names, directory I/O and the collateral text
 * builders. Not for use outside src/sim.
 */
#ifndef ATT_SIM_SGX_SIM_INT_H
#define ATT_SIM_SGX_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "sim/sgx_sim_crypto.h"
#include "sim/sgx_sim.h"

#define SIM_DAY 86400
#define SIM_MAX_ADVISORIES 8
#define SIM_ORG "attestd SGX Simulator"
#define SIM_CRL_BASE "https://sgx-sim.attestd.invalid"

/* File names inside DIR (platform files live in DIR/<platform>/). */
#define SIM_F_ROOT_PEM "root.pem"
#define SIM_F_ROOT_DER "root.der"
#define SIM_F_ROOT_KEY "root.key"
#define SIM_F_TCB_PEM "tcb_signing.pem"
#define SIM_F_TCB_KEY "tcb_signing.key"
#define SIM_F_TCB_CHAIN "tcb_signing_chain.pem"
#define SIM_F_ROOT_CRL "root_ca_crl"
#define SIM_F_QE_KEY "qe_attestation_key.pem"
#define SIM_F_QE_ID "qe_identity.json"
#define SIM_F_BUNDLE "collateral.json"
#define SIM_F_MANIFEST "manifest.json"
#define SIM_F_README "README"
#define SIM_F_PCK_KEY "pck.key"
#define SIM_F_TCB_INFO "tcb_info.json"
#define SIM_F_REVOKED "crl_listed"

struct att_sim_platform {
	const char *name; /* "processor" / "platform" */
	const char *ca;	  /* CA file stem: "processor_ca" / "platform_ca" */
	const char *ca_cn;
	const char *crl; /* PCK CRL file stem */
	const char *crl_url;
	uint8_t fmspc[6];
	uint8_t sgx_type;
	bool platform_ca;
};

struct att_sim_level {
	const char *name; /* tcbStatus, or "none" */
	uint8_t comp[16];
	uint16_t pcesvn;
	const char *tcb_date;
	const char *adv[SIM_MAX_ADVISORIES]; /* NULL-terminated */
};

struct att_sim_qe_level {
	uint16_t isvsvn;
	const char *tcb_date;
	const char *status;
	const char *adv[SIM_MAX_ADVISORIES];
};

extern const struct att_sim_platform att_sim_platforms[ATT_SGXSIM_N_PLATFORMS];
extern const struct att_sim_level att_sim_levels[ATT_SGXSIM_N_LEVELS];
extern const struct att_sim_qe_level att_sim_qe_levels[];
extern const size_t att_sim_n_qe_levels;

const struct att_sim_platform *att_sim_platform_find(const char *name);
const struct att_sim_level *att_sim_level_find(const char *name);

/* Paths and files. */
int att_sim_path(char *out, size_t cap, const char *dir, const char *sub,
		 const char *name);
int att_sim_write(const char *dir, const char *sub, const char *name,
		  const void *p, size_t n, unsigned mode, struct att_diag *d);
/* att_sim_read reads a whole file (capped); secret buffers are wiped. */
int att_sim_read(const char *dir, const char *sub, const char *name,
		 struct att_buf *out, bool secret, struct att_diag *d);
int att_sim_mkdir(const char *dir, const char *sub, struct att_diag *d);

/* Load keys and certificates from DIR. */
int att_sim_load_key(const char *dir, const char *sub, const char *name,
		     struct att_pkey **out, struct att_diag *d);
int att_sim_load_cert(const char *dir, const char *sub, const char *name,
		      struct att_cert **out, struct att_diag *d);

/* att_sim_pck_cert_name: "pck_<level>.pem" or "pck_revoked.pem". */
void att_sim_pck_cert_name(char *out, size_t cap, const char *level);

/* Collateral text (compact JSON, PCS key order). */
struct att_sim_dates {
	int64_t tcb_issue, tcb_next, qe_issue, qe_next;
	int64_t pck_crl_issue, pck_crl_next, root_crl_issue, root_crl_next;
};
void att_sim_dates_resolve(struct att_sim_dates *out,
			   const struct att_sgxsim_collateral_opts *o);
int att_sim_tcb_info_body(struct att_buf *out, const uint8_t fmspc[6],
			  int64_t issue, int64_t next, uint32_t eval_num);
int att_sim_qe_identity_body(struct att_buf *out, const uint8_t mrsigner[32],
			     unsigned isvprodid, int64_t issue, int64_t next,
			     uint32_t eval_num);

/* Manifest and README. */
int att_sim_write_manifest(const char *dir, int64_t now, struct att_diag *d);

#endif
