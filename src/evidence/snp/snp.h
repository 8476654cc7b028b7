/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD SEV-SNP attestation reports (AMD SEV-SNP ABI specification,
 * publication 56860, "ATTESTATION_REPORT Structure"; docs/snp.md): the
 * parser (form only, through the bounded cursor), the extended-report
 * certificate table, the decoding of guest policy, platform info, signer
 * info and TCB versions per product, and the verification of a report at a
 * caller-given time: ECDSA P-384 report signature by the VCEK or VLEK, the
 * chain VCEK <- ASK <- ARK or VLEK <- ASVK <- ARK (RSASSA-PSS SHA-384) to
 * the ARK pinned for the product, AMD CRLs, VCEK hwID against CHIP_ID,
 * the certificate's TCB extensions against REPORTED_TCB, validity windows,
 * and the appraisal (debug, VMPL, minimum TCBs). The library never reads
 * the clock. Every failure returns a negative ATT_ERR_* and names the step
 * in struct att_diag ("VCEK TCB snpSPL 8 does not match REPORTED_TCB 10").
 */
#ifndef ATT_EVIDENCE_SNP_SNP_H
#define ATT_EVIDENCE_SNP_SNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"

struct att_cert;
struct att_x509_crl;

/* ---- layout (ABI spec, Table "ATTESTATION_REPORT Structure") ---- */

#define ATT_SNP_REPORT_LEN 0x4A0u     /* 1184 bytes */
#define ATT_SNP_SIGNED_LEN 0x2A0u     /* signature covers 0x000..0x29F */
#define ATT_SNP_OFF_VERSION 0x000u
#define ATT_SNP_OFF_GUEST_SVN 0x004u
#define ATT_SNP_OFF_POLICY 0x008u
#define ATT_SNP_OFF_FAMILY_ID 0x010u  /* 16 bytes */
#define ATT_SNP_OFF_IMAGE_ID 0x020u   /* 16 bytes */
#define ATT_SNP_OFF_VMPL 0x030u
#define ATT_SNP_OFF_SIG_ALGO 0x034u
#define ATT_SNP_OFF_CURRENT_TCB 0x038u
#define ATT_SNP_OFF_PLATFORM_INFO 0x040u
#define ATT_SNP_OFF_SIGNER_INFO 0x048u /* u32; was AUTHOR_KEY_EN etc. */
#define ATT_SNP_OFF_REPORT_DATA 0x050u /* 64 bytes */
#define ATT_SNP_OFF_MEASUREMENT 0x090u /* 48 bytes */
#define ATT_SNP_OFF_HOST_DATA 0x0C0u   /* 32 bytes */
#define ATT_SNP_OFF_ID_KEY_DIGEST 0x0E0u /* 48 bytes */
#define ATT_SNP_OFF_AUTHOR_KEY_DIGEST 0x110u /* 48 bytes */
#define ATT_SNP_OFF_REPORT_ID 0x140u   /* 32 bytes */
#define ATT_SNP_OFF_REPORT_ID_MA 0x160u /* 32 bytes */
#define ATT_SNP_OFF_REPORTED_TCB 0x180u
#define ATT_SNP_OFF_CPUID_FAM 0x188u   /* v3+: family, model, stepping */
#define ATT_SNP_OFF_CPUID_MOD 0x189u
#define ATT_SNP_OFF_CPUID_STEP 0x18Au
#define ATT_SNP_OFF_CHIP_ID 0x1A0u     /* 64 bytes */
#define ATT_SNP_OFF_COMMITTED_TCB 0x1E0u
#define ATT_SNP_OFF_CURRENT_BUILD 0x1E8u /* build, minor, major */
#define ATT_SNP_OFF_COMMITTED_BUILD 0x1ECu
#define ATT_SNP_OFF_LAUNCH_TCB 0x1F0u
#define ATT_SNP_OFF_LAUNCH_MIT 0x1F8u  /* v5+: u64 launch mitigation vector */
#define ATT_SNP_OFF_CURRENT_MIT 0x200u /* v5+: u64 current mitigation vector */
#define ATT_SNP_OFF_SIG_R 0x2A0u       /* 72 bytes, little-endian, low 48 used */
#define ATT_SNP_OFF_SIG_S 0x2E8u       /* 72 bytes, little-endian, low 48 used */
#define ATT_SNP_SIG_COMPONENT_LEN 72u
#define ATT_SNP_SIG_ALGO_ECDSA_P384_SHA384 1u

/* Guest policy bits (ABI spec, "GUEST_POLICY"). */
#define ATT_SNP_POLICY_ABI_MINOR(p) ((unsigned)((p) & 0xFFu))
#define ATT_SNP_POLICY_ABI_MAJOR(p) ((unsigned)(((p) >> 8) & 0xFFu))
#define ATT_SNP_POLICY_SMT (1ull << 16)
#define ATT_SNP_POLICY_RESERVED1 (1ull << 17) /* must be one */
#define ATT_SNP_POLICY_MIGRATE_MA (1ull << 18)
#define ATT_SNP_POLICY_DEBUG (1ull << 19)
#define ATT_SNP_POLICY_SINGLE_SOCKET (1ull << 20)
#define ATT_SNP_POLICY_CXL_ALLOW (1ull << 21)
#define ATT_SNP_POLICY_MEM_AES_256_XTS (1ull << 22)
#define ATT_SNP_POLICY_RAPL_DIS (1ull << 23)
#define ATT_SNP_POLICY_CIPHERTEXT_HIDING (1ull << 24)
#define ATT_SNP_POLICY_PAGE_SWAP_DISABLE (1ull << 25)

/* Platform info bits (ABI spec, "PLATFORM_INFO"). */
#define ATT_SNP_PLAT_SMT_EN (1ull << 0)
#define ATT_SNP_PLAT_TSME_EN (1ull << 1)
#define ATT_SNP_PLAT_ECC_EN (1ull << 2)
#define ATT_SNP_PLAT_RAPL_DIS (1ull << 3)
#define ATT_SNP_PLAT_CIPHERTEXT_HIDING_EN (1ull << 4)
#define ATT_SNP_PLAT_ALIAS_CHECK_COMPLETE (1ull << 5)
#define ATT_SNP_PLAT_TIO_EN (1ull << 7)

/* Signer info (0x048): bit 0 author key present, bit 1 MASK_CHIP_KEY,
 * bits 2..4 signing key. */
#define ATT_SNP_SIGNER_AUTHOR_KEY_EN (1u << 0)
#define ATT_SNP_SIGNER_MASK_CHIP_KEY (1u << 1)
#define ATT_SNP_SIGNER_KEY(si) (((si) >> 2) & 0x7u)

enum att_snp_signing_key {
	ATT_SNP_KEY_VCEK = 0,
	ATT_SNP_KEY_VLEK = 1,
	ATT_SNP_KEY_NONE = 7,
};

enum att_snp_product {
	ATT_SNP_PRODUCT_UNKNOWN = 0,
	ATT_SNP_MILAN,
	ATT_SNP_GENOA,
	ATT_SNP_TURIN,
	ATT_SNP_PRODUCT_COUNT
};

/* "Milan", "Genoa", "Turin" (KDS path names), "unknown". */
const char *att_snp_product_name(enum att_snp_product p);
/* ATT_SNP_PRODUCT_UNKNOWN when name is none of them (case-insensitive;
 * "Milan-B0" style certificate productName values are accepted). */
enum att_snp_product att_snp_product_from_name(const char *name);
/* From CPUID family/model (v3+ reports): Milan 19h/0xh, Genoa 19h/1xh,
 * Turin 1Ah/0x-1xh; UNKNOWN otherwise. */
enum att_snp_product att_snp_product_from_cpuid(uint8_t family, uint8_t model);

/* A TCB_VERSION decoded for a product. Milan and Genoa: byte 0
 * bootloader, 1 TEE, 6 SNP, 7 microcode; Turin: 0 FMC, 1 bootloader,
 * 2 TEE, 3 SNP, 7 microcode. */
struct att_snp_tcb {
	uint64_t raw; /* the 8 bytes as a little-endian u64 */
	uint8_t fmc;  /* Turin only */
	uint8_t bl;
	uint8_t tee;
	uint8_t snp;
	uint8_t ucode;
	bool has_fmc;
};

void att_snp_tcb_decode(struct att_snp_tcb *out, uint64_t raw,
			enum att_snp_product p);
/* att_snp_tcb_encode is the inverse (for the simulator and KDS queries). */
uint64_t att_snp_tcb_encode(const struct att_snp_tcb *t,
			    enum att_snp_product p);

/* A parsed report. Multi-byte integers in host order; byte strings as in
 * the report. sig_r / sig_s big-endian (the low 48 bytes of each 72-byte
 * little-endian field, reversed); sig_hi_nonzero is set when the unused
 * high 24 bytes of r or s are not zero. raw keeps the whole report. */
struct att_snp_report {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t sig_algo;
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t signer_info;
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	bool has_cpuid; /* version >= 3 */
	uint8_t cpuid_fam_id;
	uint8_t cpuid_mod_id;
	uint8_t cpuid_step;
	uint8_t chip_id[64];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	bool has_mit; /* version >= 5 */
	uint64_t launch_mit_vector;
	uint64_t current_mit_vector;
	uint8_t sig_r[48];
	uint8_t sig_s[48];
	bool sig_hi_nonzero;
	uint8_t raw[ATT_SNP_REPORT_LEN];
};

/* att_snp_report_parse reads exactly ATT_SNP_REPORT_LEN bytes (versions
 * 1, 2, 3 and 5; others ATT_ERR_UNSUPPORTED; a shorter input
 * ATT_ERR_TRUNCATED, a longer one ATT_ERR_TRAILING). Form only: reserved
 * fields are not judged here, signatures not checked. */
int att_snp_report_parse(struct att_snp_report *out, const uint8_t *buf,
			 size_t len, struct att_diag *d);

/* ---- extended report certificate table ---- */

enum att_snp_cert_kind {
	ATT_SNP_CERT_VCEK,
	ATT_SNP_CERT_VLEK,
	ATT_SNP_CERT_ASK,
	ATT_SNP_CERT_ARK,
	ATT_SNP_CERT_OTHER,
};

struct att_snp_cert_entry {
	enum att_snp_cert_kind kind;
	uint8_t guid[16];      /* as read */
	bool guid_big_endian;  /* matched in big-endian (RFC 4122) byte order */
	bool pem;              /* the body is PEM, not DER */
	const uint8_t *body;   /* borrowed from the table's buffer */
	size_t body_len;
};

struct att_snp_cert_table {
	struct att_snp_cert_entry e[ATT_SNP_MAX_CERT_ENTRIES];
	size_t n;
};

/* att_snp_certtable_parse reads a table of (GUID, offset u32, length u32)
 * entries ending with an all-zero entry, offsets relative to the start of
 * buf; every body must lie inside buf. */
int att_snp_certtable_parse(struct att_snp_cert_table *out,
			    const uint8_t *buf, size_t len,
			    struct att_diag *d);
const char *att_snp_cert_kind_name(enum att_snp_cert_kind k);

/* ---- trust and verification ---- */

/* The pinned ARKs per product (AMD's roots built in; more configurable). */
struct att_snp_trust;
int att_snp_trust_new_amd(struct att_snp_trust **out);  /* AMD's ARKs */
int att_snp_trust_new_empty(struct att_snp_trust **out);
/* att_snp_trust_add_ark pins a self-signed ARK (PEM or DER) for p. */
int att_snp_trust_add_ark(struct att_snp_trust *t, enum att_snp_product p,
			  const uint8_t *cert, size_t len, struct att_diag *d);
void att_snp_trust_free(struct att_snp_trust *t);
/* att_snp_trust_get0_ark borrows the ARK pinned for p (NULL: none). */
const struct att_cert *att_snp_trust_get0_ark(const struct att_snp_trust *t,
					      enum att_snp_product p);

/* What vouches for a report (borrowed). vek: the VCEK or VLEK; chain: the
 * ASK (or ASVK) and optionally the ARK, in KDS's cert_chain order; crls:
 * AMD's CRLs for the product (optional unless require_crl). */
struct att_snp_certs {
	const struct att_cert *vek;
	struct att_cert *const *chain;
	size_t n_chain;
	struct att_x509_crl *const *crls;
	size_t n_crls;
};

/* Appraisal beside the signature (per provider). */
struct att_snp_appraisal {
	bool allow_debug;
	uint32_t max_vmpl;       /* refuse VMPL above this (0..3) */
	bool require_crl;        /* refuse when no CRL covers the chain */
	enum att_snp_product product; /* UNKNOWN: from CPUID or certificate */
	bool has_min_tcb;
	struct att_snp_tcb min_tcb;        /* per component, vs REPORTED_TCB */
	bool has_min_launch_tcb;
	struct att_snp_tcb min_launch_tcb; /* vs LAUNCH_TCB and COMMITTED_TCB */
};

struct att_snp_result {
	struct att_snp_report rep;
	enum att_snp_product product;
	enum att_snp_signing_key signer;
	struct att_snp_tcb current, reported, committed, launch;
	struct att_snp_tcb vek_tcb; /* the certificate's TCB extensions */
	char product_source[16];    /* "cpuid", "certificate", "config" */
	bool hwid_checked;
	bool crl_checked;
	int64_t vek_not_before, vek_not_after;
};

/* att_snp_verify verifies a parsed-and-verified report at time at and
 * fills res (res->rep included). */
int att_snp_verify(struct att_snp_result *res, const uint8_t *report,
		   size_t len, const struct att_snp_certs *certs,
		   const struct att_snp_trust *trust,
		   const struct att_snp_appraisal *ap, int64_t at,
		   struct att_diag *d);

#endif
