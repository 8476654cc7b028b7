/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DCAP quote verification (Intel SGX and TDX) at a caller-given time; the
 * library never reads the clock. Order of checks and status convergence
 * follow Intel's QVL (docs/dcap-verifier.md):
 * PCK chain to a trusted root with CRLs, TCB signing chain, TCB Info and
 * QE Identity signatures and validity, QE report signature by the PCK key,
 * QE report data binding of the attestation key, quote signature, QE
 * identity, FMSPC/PCE-ID, platform/QE/TDX-module TCB levels, converged
 * status. Every failure returns a negative ATT_ERR_* and names the step in
 * struct att_diag. Collateral items already verified are cached (struct
 * att_dcap_cache, keyed by SHA-256 of their content, thread-safe).
 */
#ifndef ATT_EVIDENCE_SGX_VERIFY_H
#define ATT_EVIDENCE_SGX_VERIFY_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/sgx/collateral.h"
#include "evidence/sgx/quote.h"

/* ---- trust anchors ---- */

struct att_dcap_trust;
/* att_dcap_trust_new_intel: trusts the Intel SGX Root CA (built in). */
int att_dcap_trust_new_intel(struct att_dcap_trust **out);
/* att_dcap_trust_new_empty: trusts nothing until roots are added. */
int att_dcap_trust_new_empty(struct att_dcap_trust **out);
/* att_dcap_trust_add_root_pem adds self-signed root certificate(s) (PEM;
 * every certificate in the text is added), e.g. a simulator's root. */
int att_dcap_trust_add_root_pem(struct att_dcap_trust *t, const char *pem,
				size_t len, struct att_diag *d);
int att_dcap_trust_add_root_der(struct att_dcap_trust *t, const uint8_t *der,
				size_t len, struct att_diag *d);
void att_dcap_trust_free(struct att_dcap_trust *t);

/* ---- collateral ---- */

struct att_dcap_bytes {
	const uint8_t *p;
	size_t len;
};

/* The raw collateral items (borrowed; copied by att_dcap_collateral_new).
 * tcb_info / qe_identity: a PCS response body {"tcbInfo"|"enclaveIdentity":
 * {...}, "signature": hex}, or the bare inner object when the matching
 * *_signature (hex r||s) is given. Issuer chains: PEM. CRLs: DER, PEM or
 * hex text of the DER. pck_crl_issuer_chain and qe_identity_issuer_chain
 * are optional (the PCK chain in the quote / tcb_info_issuer_chain is
 * used instead). */
struct att_dcap_collateral_src {
	struct att_dcap_bytes tcb_info;
	struct att_dcap_bytes tcb_info_signature;
	struct att_dcap_bytes tcb_info_issuer_chain;
	struct att_dcap_bytes qe_identity;
	struct att_dcap_bytes qe_identity_signature;
	struct att_dcap_bytes qe_identity_issuer_chain;
	struct att_dcap_bytes pck_crl;
	struct att_dcap_bytes pck_crl_issuer_chain;
	struct att_dcap_bytes root_ca_crl;
};

/* Parsed, immutable collateral; may be shared by threads. */
struct att_dcap_collateral;
int att_dcap_collateral_new(struct att_dcap_collateral **out,
			    const struct att_dcap_collateral_src *src,
			    struct att_diag *d);
/* The JSON bundle with the field names of sgx_ql_qve_collateral_t:
 * pck_crl_issuer_chain, root_ca_crl, pck_crl, tcb_info_issuer_chain,
 * tcb_info, tcb_info_signature, qe_identity_issuer_chain, qe_identity,
 * qe_identity_signature (as dcap-qvl's QuoteCollateralV3 JSON). Strings
 * only; *_signature may be absent when tcb_info/qe_identity are PCS
 * response bodies. */
int att_dcap_collateral_from_bundle_json(struct att_dcap_collateral **out,
					 const char *json, size_t len,
					 struct att_diag *d);
/* Files: TCB Info and QE Identity PCS responses, TCB signing chain PEM,
 * PCK CRL and Root CA CRL (DER/PEM/hex), optional PCK CRL issuer chain
 * (NULL). */
int att_dcap_collateral_from_files(struct att_dcap_collateral **out,
				   const char *tcb_info_path,
				   const char *qe_identity_path,
				   const char *tcb_chain_path,
				   const char *pck_crl_path,
				   const char *root_crl_path,
				   const char *pck_crl_chain_path,
				   struct att_diag *d);
void att_dcap_collateral_free(struct att_dcap_collateral *c);
/* Parsed views (owned by the collateral). */
const struct att_tcb_info *
att_dcap_collateral_tcb_info(const struct att_dcap_collateral *c);
const struct att_qe_identity *
att_dcap_collateral_qe_identity(const struct att_dcap_collateral *c);

/* ---- cache ---- */

struct att_dcap_cache;
/* max_entries: 0 for a default. */
int att_dcap_cache_new(struct att_dcap_cache **out, size_t max_entries);
void att_dcap_cache_free(struct att_dcap_cache *c);
struct att_dcap_cache_stats {
	uint64_t hits;
	uint64_t misses;
	size_t entries;
};
void att_dcap_cache_stats(const struct att_dcap_cache *c,
			  struct att_dcap_cache_stats *out);

/* ---- pre-fetch info ---- */

enum att_dcap_tee { ATT_DCAP_TEE_SGX = 0, ATT_DCAP_TEE_TDX = 1 };
enum att_dcap_ca { ATT_DCAP_CA_PROCESSOR = 0, ATT_DCAP_CA_PLATFORM = 1 };

/* What a collateral service needs to fetch collateral for a quote:
 * parsed from the quote and its PCK certificate, nothing verified. */
struct att_dcap_quote_info {
	enum att_dcap_tee tee;
	uint16_t version;
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	enum att_dcap_ca ca; /* from the PCK certificate's issuer CN */
	uint16_t pcesvn;
	uint8_t tcb_comps[16];
	uint8_t cpusvn[16];
	uint8_t ppid[16];
	int sgx_type; /* 0 Standard, 1 Scalable, 2 ScalableWithIntegrity */
};
/* flags: ATT_SGX_PARSE_OE_HEADER. */
int att_dcap_quote_info(struct att_dcap_quote_info *out, const uint8_t *quote,
			size_t len, unsigned flags, struct att_diag *d);
/* "processor" / "platform"; "sgx" / "tdx" */
const char *att_dcap_ca_name(enum att_dcap_ca ca);
const char *att_dcap_tee_name(enum att_dcap_tee tee);

/* ---- result ---- */

struct att_dcap_sgx_claims {
	uint8_t mrenclave[32];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	uint16_t isvsvn;
	uint8_t attributes[16];
	bool debug;
	uint32_t miscselect;
	uint8_t cpusvn[16];
	uint8_t report_data[64];
	uint8_t config_id[64];
	uint16_t config_svn;
	uint8_t isvextprodid[16];
	uint8_t isvfamilyid[16];
};

struct att_dcap_tdx_claims {
	uint8_t mrtd[48];
	uint8_t rtmr[4][48];
	uint8_t mrseam[48];
	uint8_t mrsignerseam[48];
	uint8_t mrowner[48];
	uint8_t mrownerconfig[48];
	uint8_t mrconfigid[48];
	uint8_t td_attributes[8];
	bool debug;
	uint8_t xfam[8];
	uint8_t seam_attributes[8];
	uint8_t tee_tcb_svn[16];
	bool has_v15; /* TD report 1.5: tee_tcb_svn2 and mrservicetd valid */
	uint8_t tee_tcb_svn2[16];
	uint8_t mrservicetd[48];
	uint8_t report_data[64];
};

/* SHA-256 of every collateral item used (MAA x-ms-sgx-collateral names;
 * pckcrl* and the quote's PCK chain are extras). */
struct att_dcap_collateral_hashes {
	uint8_t quotehash[32];
	uint8_t tcbinfohash[32];
	uint8_t tcbinfocertshash[32];
	uint8_t tcbinfocrlhash[32];
	uint8_t qeidhash[32];
	uint8_t qeidcertshash[32];
	uint8_t qeidcrlhash[32];
	uint8_t pckcrlhash[32];
	uint8_t pckcrlcertshash[32];
	uint8_t pckcertshash[32];
};


struct att_dcap_result {
	enum att_dcap_tee tee;
	uint16_t version;
	struct att_dcap_sgx_claims sgx; /* tee == SGX */
	struct att_dcap_tdx_claims tdx; /* tee == TDX */
	/* QE report */
	uint16_t qe_isvsvn;
	uint8_t qe_mrenclave[32];
	uint8_t qe_mrsigner[32];
	/* PCK certificate */
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	uint16_t pcesvn;
	uint8_t tcb_comps[16];
	enum att_dcap_ca ca;
	/* statuses */
	enum att_tcb_status tcb_status; /* converged */
	enum att_tcb_status platform_tcb_status;
	enum att_tcb_status qe_tcb_status;
	enum att_tcb_status tdx_module_status; /* NONE unless TDX, SVN[1] > 0 */
	int64_t tcb_date; /* platform level tcbDate */
	int64_t qe_tcb_date;
	int64_t min_tcb_date; /* min of platform, QE, module dates (QVL-1.25) */
	/* union of platform, module and QE advisories, sorted, de-duplicated */
	char advisory_ids[ATT_DCAP_MAX_RESULT_ADVISORIES][ATT_DCAP_MAX_ADVISORY_LEN];
	size_t n_advisory_ids;
	/* QvE's collateral_expiration_status: some collateral was past its
	 * notAfter / nextUpdate at the verification time (see docs). */
	bool collateral_expired;
	char collateral_expired_what[128];
	uint32_t tcb_eval_num; /* min of TCB Info and QE Identity */
	uint32_t tcb_info_eval_num; /* the TCB Info's tcbEvaluationDataNumber */
	size_t trailing_len;
	struct att_dcap_collateral_hashes hashes;
};

/* Verification options (all zero = defaults). */
struct att_dcap_opts {
	unsigned parse_flags; /* ATT_SGX_PARSE_OE_HEADER */
	/* Expired collateral (PCK/TCB signing chain past notAfter, CRL outside
	 * thisUpdate..nextUpdate, TCB Info / QE Identity past nextUpdate)
	 * fails with ATT_ERR_EXPIRED unless allow_expired_collateral is set,
	 * in which case it only sets result.collateral_expired (QvE style). */
	bool allow_expired_collateral;
};

/* att_dcap_verify verifies quote[0..len) against collateral and trust at
 * time `at` (Unix seconds). On success (0) *out holds the claims and
 * statuses, whatever the TCB status (Revoked TCB is a failure:
 * ATT_ERR_REVOKED). cache may be NULL. Uses default options. */
int att_dcap_verify(struct att_dcap_result *out, const uint8_t *quote,
		    size_t len, const struct att_dcap_collateral *col,
		    const struct att_dcap_trust *trust,
		    struct att_dcap_cache *cache, int64_t at,
		    struct att_diag *d);
int att_dcap_verify_opts(struct att_dcap_result *out, const uint8_t *quote,
			 size_t len, const struct att_dcap_collateral *col,
			 const struct att_dcap_trust *trust,
			 struct att_dcap_cache *cache, int64_t at,
			 const struct att_dcap_opts *opts, struct att_diag *d);

#endif
