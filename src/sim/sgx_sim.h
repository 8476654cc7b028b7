/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX platform simulator: a development and test tool that plays
 * Intel's part (a PKI shaped like Intel's SGX PKI, PCS-style signed
 * collateral) and the platform's part (DCAP v3 quotes signed by a
 * simulated QE whose attestation key is certified by a PCK key). Its
 * quotes and collateral have Intel's exact layouts, so a DCAP verifier
 * accepts them once the simulator's root is trusted. NO PRODUCTION
 * CONFIGURATION MAY TRUST THE SIMULATOR'S ROOT: every private key lies in
 * a plain directory. See docs/simulator.md for the directory layout.
 */
#ifndef ATT_SIM_SGX_SIM_H
#define ATT_SIM_SGX_SIM_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"

/* att_sgxsim_built_in is false in a build configured with -DATT_SIM=OFF,
 * where every function below fails with ATT_ERR_UNSUPPORTED and a message
 * saying so (src/sim_off). */
bool att_sgxsim_built_in(void);

/* The simulated platforms: "processor" (Processor-CA PCK certificate,
 * FMSPC 00906ED50000, SGX Type Standard) and "platform" (Platform-CA PCK
 * certificate, FMSPC 00606A000000, SGX Type Scalable, with Platform
 * Instance ID and Configuration). */
#define ATT_SGXSIM_N_PLATFORMS 2
extern const char *const att_sgxsim_platforms[ATT_SGXSIM_N_PLATFORMS];

/* The TCB levels of the simulated TCB Info, best first, and "none" (PCK
 * SVNs below every level). --tcb LEVEL picks one of these names. */
#define ATT_SGXSIM_N_LEVELS 8
extern const char *const att_sgxsim_levels[ATT_SGXSIM_N_LEVELS];

/* Simulated QE constants (those of Intel's SGX QE). */
#define ATT_SGXSIM_QE_ISVPRODID 1
#define ATT_SGXSIM_QE_ISVSVN 8
extern const uint8_t att_sgxsim_qe_mrsigner[32];

/* What to put in the signed collateral. Zero times mean the defaults. */
struct att_sgxsim_collateral_opts {
	int64_t now;	     /* 0: the current time */
	int64_t issue_date;  /* 0: now - 1 day (TCB Info, QE Identity, CRLs) */
	int64_t next_update; /* 0: now + 30 days */
	/* per-item overrides (0: issue_date / next_update) */
	int64_t tcb_info_issue, tcb_info_next;
	int64_t qe_identity_issue, qe_identity_next;
	int64_t pck_crl_issue, pck_crl_next;
	int64_t root_crl_issue, root_crl_next;
	const char *platform; /* bundle only; NULL: "processor" */
	bool has_fmspc;	      /* TCB Info for another FMSPC */
	uint8_t fmspc[6];
	bool has_qe_mrsigner; /* QE Identity with another MRSIGNER */
	uint8_t qe_mrsigner[32];
	int qe_isvprodid;	 /* -1: the simulated QE's */
	uint32_t tcb_eval_num;	 /* 0: 17 */
	bool revoke_tcb_signing; /* root CRL lists the TCB signing cert */
	bool revoke_pck_ca;	 /* root CRL lists both PCK CAs */
};

void att_sgxsim_collateral_opts_init(struct att_sgxsim_collateral_opts *o);

struct att_sgxsim_init_opts {
	int64_t now; /* 0: the current time; certificate validity starts a
		      * day before it */
	bool force;  /* initialise even if DIR already holds a simulator */
	struct att_sgxsim_collateral_opts collateral;
};

void att_sgxsim_init_opts_init(struct att_sgxsim_init_opts *o);

/* att_sgxsim_init creates DIR (mode 0700) with a fresh PKI (root, PCK
 * Processor and Platform CAs, TCB signing certificate, PCK certificates
 * for every TCB level of every platform plus one revoked), the QE
 * attestation key, CRLs, signed TCB Info and QE Identity, collateral
 * bundles, manifest.json and README. Private keys are files of mode 0600. */
int att_sgxsim_init(const char *dir, const struct att_sgxsim_init_opts *o,
		    struct att_diag *d);

/* att_sgxsim_collateral_bundle builds, in memory, a freshly signed
 * collateral bundle (the JSON of sgx_ql_qve_collateral_t field names, as
 * DIR/collateral.json) for o->platform, with o's dates and overrides. */
int att_sgxsim_collateral_bundle(const char *dir,
				 const struct att_sgxsim_collateral_opts *o,
				 struct att_buf *out, struct att_diag *d);
/* att_sgxsim_collateral_write re-signs every collateral file of DIR
 * (CRLs, TCB Infos, QE Identity, bundles) with o's dates. */
int att_sgxsim_collateral_write(const char *dir,
				const struct att_sgxsim_collateral_opts *o,
				struct att_diag *d);

struct att_sgxsim_quote_opts {
	const char *platform; /* NULL: "processor" */
	const char *tcb; /* level name (att_sgxsim_levels); NULL: UpToDate */
	bool revoked;	 /* use the PCK certificate listed in the CRL */
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	uint16_t isvsvn;
	bool debug;
	uint8_t report_data[64];
	bool has_config; /* sets CONFIGID/CONFIGSVN and the KSS flag */
	uint8_t config_id[64];
	uint16_t config_svn;
	int qe_isvsvn; /* -1: ATT_SGXSIM_QE_ISVSVN */
};

/* Defaults: platform "processor", TCB UpToDate, MRENCLAVE/MRSIGNER
 * SHA-256("attestd simulated enclave"/"... signer"), ISVPRODID 1,
 * ISVSVN 1, not debug, REPORTDATA zero. */
void att_sgxsim_quote_opts_init(struct att_sgxsim_quote_opts *o);

/* att_sgxsim_quote builds a DCAP v3 ECDSA-P256 quote into out (appended):
 * header, enclave report, quote signature, attestation key, QE report
 * signed by the PCK key (REPORTDATA = SHA-256(attestation key || QE auth
 * data) || 0^32), QE auth data and certification data type 5 (PEM PCK
 * chain leaf, CA, root, NUL-terminated). */
int att_sgxsim_quote(const char *dir, const struct att_sgxsim_quote_opts *o,
		     struct att_buf *out, struct att_diag *d);

/* ---- helpers for negative tests (they break things on purpose) ---- */

/* att_sgxsim_tamper_pck_sig flips one bit of the PCK leaf certificate's
 * signature inside a quote's PEM chain (the quote stays well-formed). */
int att_sgxsim_tamper_pck_sig(uint8_t *quote, size_t len);
/* att_sgxsim_graft_pck copies the PCK key and certificates of `platform`
 * from src_dir into dst_dir: dst then issues quotes whose PCK leaf claims
 * dst's CA as issuer but was signed by src's CA (an untrusted CA). */
int att_sgxsim_graft_pck(const char *dst_dir, const char *src_dir,
			 const char *platform, struct att_diag *d);

#endif
