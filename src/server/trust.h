/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the attestation routes hold for the life of a server: the DCAP
 * trust anchors, the verified-collateral cache, the collateral service
 * (store + optional PCS/PCCS) and the compiled-policy cache.
 *
 * Production trusts Intel's SGX Root CA only. Dev mode (--dev) also trusts
 * the SGX simulator of the data dir: on the first dev start it creates
 * DATA_DIR/sim (att_sgxsim_init), on every dev start it re-signs that
 * simulator's collateral when it is older than ATT_ATTEST_SIM_RESIGN_DAYS
 * and imports it into the store, so `attest sgx --sim DATA_DIR/sim` works
 * out of the box. SEV-SNP (POST /attest/SevSnpVm) trusts AMD's ARKs;
 * dev mode also pins the ARK of the SEV-SNP simulator in DATA_DIR/snpsim
 * (created on the first dev start when missing, a Milan, as
 * `attest sim snp init DATA_DIR/snpsim` would), for the reports whose
 * chain carries it.
 *
 * Settings come from att_attest_opts (the caller's configuration) and,
 * for what the caller leaves unset, from the optional file
 * DATA_DIR/attest.json (docs/api.md, "Attestation settings"):
 *   {"pcs_url": "https://...", "pccs": false, "pcs_ca_file": "...",
 *    "root_crl_url": "...", "collateral_import": ["path", ...],
 *    "verify_time_override": "2025-02-13T04:00:32Z",
 *    "kds_url": "https://kdsintf.amd.com", "kds_ca_file": "...",
 *    "kds_offline": false, "kds_timeout_seconds": 10}
 * verify_time_override (dev/test only, refused outside dev mode) makes
 * every quote verify at that time instead of the request's.
 *
 * Start-up: att_server_attest_init(srv, opts, d) after att_server_init
 * succeeded; att_server_attest_release(srv) before att_server_release.
 * When nobody called it, the first attestation request initialises the
 * context with the defaults (att_attest_ctx_of), which is too late for
 * `attest sgx --sim DATA_DIR/sim` to find the simulator before it.
 */
#ifndef ATT_SERVER_TRUST_H
#define ATT_SERVER_TRUST_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct att_server;
struct att_dcap_trust;
struct att_dcap_cache;
struct att_collateral_svc;
struct att_policy_cache;
struct att_verifier;
struct att_snp_trust;
struct att_kds;

#define ATT_ATTEST_SETTINGS_FILE "attest.json"
#define ATT_ATTEST_SIM_DIR "sim"
#define ATT_ATTEST_SNP_SIM_DIR "snpsim" /* dev: the SEV-SNP simulator */
#define ATT_ATTEST_TPM_SIM_DIR "tpmsim" /* dev: `attest sim tpm start` */

/* Caller-given settings (all optional; NULL members fall back to the
 * settings file, then to the defaults). */
struct att_attest_opts {
	const char *pcs_url;
	bool pccs;
	const char *pcs_ca_file;
	const char *root_crl_url;
	const char *verify_time_override; /* RFC 3339; dev mode only */
	const char *const *collateral_import;
	size_t n_collateral_import;
	/* AMD KDS (SevSnpVm VCEKs, chains, CRLs): base URL (NULL: the
	 * file's, else ATT_KDS_DEFAULT_URL), CA bundle for its TLS (NULL:
	 * the file's, else the system's), never fetch (or the file's
	 * kds_offline), per-request timeout (0: the file's, else
	 * ATT_KDS_TIMEOUT_SECONDS_DEFAULT). */
	const char *kds_url;
	const char *kds_ca_file;
	bool kds_offline;
	long kds_timeout_seconds;
};

struct att_attest_ctx {
	struct att_server *srv;
	bool dev;
	int64_t verify_time; /* 0: verify at the request's time */
	struct att_dcap_trust *trust;
	struct att_dcap_cache *dcap_cache;
	struct att_collateral_svc *collateral;
	struct att_policy_cache *policies;
	char *sim_dir; /* dev mode: DATA_DIR/sim, else NULL */
	/* dev mode: the SEV-SNP simulator's ARK (DATA_DIR/snpsim), else NULL */
	struct att_snp_trust *snp_dev_trust;
	/* dev mode: the TPM simulator CA's root and EK-issuing intermediate
	 * files in DATA_DIR/tpmsim, trusted for EK certificates when present,
	 * else NULL; the verifier's once made. */
	char *tpm_dev_root_file;
	char *tpm_dev_inter_file;
	/* AMD KDS client (SevSnpVm reports without VcekCertChain); the
	 * verifier's once made. */
	struct att_kds *kds;
	/* The verifier of the /attest routes: owns trust, dcap_cache, collateral and
	 * policies once made (the fields above are then its, borrowed). */
	struct att_verifier *verifier;
};

/* att_attest_dev_tpm (dev mode, src/server/trust_tpm.c) makes c trust
 * the TPM simulator CA of DATA_DIR/tpmsim (read at each enrolment, so a
 * simulator started after attestd is trusted too); the verifier applies
 * att_tpm_dev_policy_text for the default provider while it has no Tpm
 * policy set. */
int att_attest_dev_tpm(struct att_attest_ctx *c, const char *data_dir,
		       int64_t now, struct att_diag *d);
extern const char att_tpm_dev_policy_text[];

/* att_server_attest_init builds srv's attestation context (see above);
 * o may be NULL. Calling it twice for a server is an error. */
int att_server_attest_init(struct att_server *srv,
			   const struct att_attest_opts *o,
			   struct att_diag *d);
/* att_server_attest_release frees srv's context (no request may be
 * running); accepts a server that has none. */
void att_server_attest_release(struct att_server *srv);

/* att_attest_ctx_of returns srv's context, initialising it with the
 * defaults when nobody did (NULL with d set when that fails). */
struct att_attest_ctx *att_attest_ctx_of(struct att_server *srv,
					 struct att_diag *d);

/* att_attest_verify_time is the time a quote is verified at. */
int64_t att_attest_verify_time(const struct att_attest_ctx *c, int64_t now);

#endif
