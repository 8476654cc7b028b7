/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP platform simulator: a development and test tool that plays
 * AMD's part (a PKI shaped like AMD's KDS PKI: ARK, ASK, ASVK, VCEK and
 * VLEK certificates with AMD's extensions, RSASSA-PSS SHA-384 signatures,
 * ARK CRLs) and the platform's part (ATTESTATION_REPORT structures of the
 * SEV-SNP ABI specification, versions 2, 3 and 5, signed ECDSA P-384 by
 * the simulated VCEK or VLEK; the extended-report certificate table).
 * Its reports have AMD's exact layout (src/evidence/snp/snp.h), so an
 * SEV-SNP verifier accepts them once the simulator's ARK is pinned. NO
 * PRODUCTION CONFIGURATION MAY TRUST THE SIMULATOR'S ARK: every private
 * key lies in a plain directory. See docs/simulator.md.
 */
#ifndef ATT_SIM_SNP_SIM_H
#define ATT_SIM_SNP_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/limits.h"
#include "evidence/snp/snp.h"

/* att_snpsim_built_in is false in a build configured with -DATT_SIM=OFF,
 * where every function below fails with ATT_ERR_UNSUPPORTED. */
bool att_snpsim_built_in(void);

/* File names inside DIR. */
#define ATT_SNPSIM_F_ARK_PEM "ark.pem"
#define ATT_SNPSIM_F_ASK_PEM "ask.pem"
#define ATT_SNPSIM_F_ASVK_PEM "asvk.pem"
#define ATT_SNPSIM_F_CHAIN "cert_chain.pem"	    /* ASK, ARK */
#define ATT_SNPSIM_F_VLEK_CHAIN "vlek_cert_chain.pem" /* ASVK, ARK */
#define ATT_SNPSIM_F_VCEK "vcek.der"
#define ATT_SNPSIM_F_VLEK "vlek.der"
#define ATT_SNPSIM_F_CRL "crl.der"		 /* by the ARK, empty */
#define ATT_SNPSIM_F_CRL_REVOKED "crl_revoked.der" /* lists ASK, ASVK, VEKs */
#define ATT_SNPSIM_F_MANIFEST "manifest.json"

/* Default TCB of the VEKs (and so of reports): bootloader 3, TEE 0, SNP 8,
 * microcode 115; on Turin also FMC 1. */
void att_snpsim_default_tcb(struct att_snp_tcb *t, enum att_snp_product p);

struct att_snpsim_init_opts {
	int64_t now; /* 0: the clock; validity starts a day before it */
	bool force;  /* replace a simulator already in DIR */
	/* RSA-2048 ARK, ASK and ASVK instead of AMD's RSA-4096 (faster key
	 * generation for tests; the shape is otherwise the same). */
	bool rsa2048;
	bool has_tcb; /* the VCEK's and VLEK's TCB; else the default */
	struct att_snp_tcb tcb;
	const char *csp_id; /* VLEK CSP ID; NULL: "CN=sim-csp.attestd.invalid" */
};

void att_snpsim_init_opts_init(struct att_snpsim_init_opts *o);

/* att_snpsim_init creates DIR (0700) with a fresh AMD-shaped PKI for
 * product p (ATT_SNP_MILAN, _GENOA or _TURIN) and a random chip ID: ARK
 * (self-signed), ASK and ASVK (by the ARK), the VCEK (by the ASK; hwID =
 * the chip ID, 64 bytes, Turin 8) and the VLEK (by the ASVK; CSP ID), P-384
 * keys for both, crl.der (empty) and crl_revoked.der (listing the ASK,
 * the ASVK, the VCEK and the VLEK) by the ARK, PEM chains as KDS serves
 * them, private keys (0600) and manifest.json (product, chip ID, TCB). */
int att_snpsim_init(const char *dir, enum att_snp_product p,
		    const struct att_snpsim_init_opts *o, struct att_diag *d);

/* Another VCEK or VLEK certificate for the same key (negative tests):
 * written to DIR/file. Zero times: those of init. */
struct att_snpsim_vek_opts {
	const char *file; /* required, a plain file name */
	bool vlek;	  /* a VLEK (by the ASVK) instead of a VCEK */
	bool has_tcb;	  /* else the manifest's TCB */
	struct att_snp_tcb tcb;
	int64_t not_before, not_after;
	bool wrong_hwid; /* the hwID of another chip */
	bool no_hwid;	 /* leave the hwID extension out (VCEK) */
};

int att_snpsim_issue_vek(const char *dir, const struct att_snpsim_vek_opts *o,
			 struct att_diag *d);
/* att_snpsim_issue_vcek is att_snpsim_issue_vek for a VCEK of TCB t. */
int att_snpsim_issue_vcek(const char *dir, const char *file,
			  const struct att_snp_tcb *t, struct att_diag *d);

/* What a report says. Unset TCBs are the VEK's (the manifest's). */
struct att_snpsim_report_opts {
	uint32_t version; /* 2, 3 or 5 */
	uint32_t guest_svn;
	uint64_t policy; /* default 0x30000: SMT allowed + reserved bit 17 */
	uint32_t vmpl;
	uint8_t measurement[48];
	uint8_t report_data[64];
	uint8_t host_data[32];
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint64_t platform_info; /* default ATT_SNP_PLAT_SMT_EN */
	bool has_tcb;		/* current, reported, committed, launch */
	struct att_snp_tcb tcb;
	bool has_reported_tcb; /* REPORTED_TCB alone (after tcb) */
	struct att_snp_tcb reported_tcb;
	bool vlek;	   /* signed by the VLEK (CHIP_ID zero) */
	bool mask_chip_id; /* CHIP_ID zero (MASK_CHIP_ID configured) */
	uint64_t launch_mit, current_mit; /* version 5 only */
	bool tamper_sig; /* flip a bit of the signature's r */
};

/* Defaults: version 5, policy 0x30000, VMPL 0, measurement SHA-384
 * ("attestd simulated SNP guest"), report data and host data zero. */
void att_snpsim_report_opts_init(struct att_snpsim_report_opts *o);

/* att_snpsim_report writes a signed ATTESTATION_REPORT (ATT_SNP_REPORT_LEN
 * bytes) into out: CPUID bytes of the product for version 3 and later
 * (Milan 19/01/01, Genoa 19/11/01, Turin 1A/02/01), signer info naming
 * the VCEK or VLEK, a random REPORT_ID, signature algorithm 1 and the
 * ECDSA P-384 SHA-384 signature of bytes 0x000..0x29F, r and s stored
 * little-endian in their 72-byte fields. */
int att_snpsim_report(const char *dir, const struct att_snpsim_report_opts *o,
		      uint8_t out[ATT_SNP_REPORT_LEN], struct att_diag *d);

/* att_snpsim_certtable appends an extended-report certificate table
 * (entries of GUID, offset u32, length u32, then an all-zero entry, then
 * the DER bodies; offsets from the table's start) holding the VCEK, ASK
 * and ARK, or with vlek the VLEK, ASVK and ARK. GUIDs are written in the
 * little-endian (UEFI/Linux guid_t) byte order, or in RFC 4122 order when
 * guid_big_endian. vek_file: another VEK file of DIR (NULL: the default). */
int att_snpsim_certtable(const char *dir, bool vlek, bool guid_big_endian,
			 const char *vek_file, struct att_buf *out,
			 struct att_diag *d);

/* att_snpsim_product reads the product and chip ID of DIR's manifest. */
int att_snpsim_product(const char *dir, enum att_snp_product *p,
		       uint8_t chip_id[64], struct att_diag *d);

#endif
