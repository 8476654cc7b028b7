/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DCAP collateral documents parsed without crypto: TCB Info v2/v3 (SGX
 * and TDX, with tdxModule and tdxModuleIdentities) and Enclave (QE)
 * Identity v2, as Intel PCS/PCCS response bodies
 * {"tcbInfo"|"enclaveIdentity": {...}, "signature": "<hex r||s>"} or as
 * the bare inner object plus a separate hex signature (dcap-qvl bundles).
 * The signed bytes are the exact raw text of the inner object, sliced from
 * the input (never re-serialised). Also the text-level helpers for CRL
 * encodings (DER, PEM, hex of DER) and PEM certificate chains.
 * Layouts: Intel "SGX and TDX PCS API Specification" v4 (TCB Info, QE
 * Identity, PCK CRL) and "SGX PCK Certificate and CRL Profile".
 */
#ifndef ATT_EVIDENCE_SGX_COLLATERAL_H
#define ATT_EVIDENCE_SGX_COLLATERAL_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"


enum att_tcb_status {
	ATT_TCB_UP_TO_DATE = 0,
	ATT_TCB_SW_HARDENING_NEEDED,
	ATT_TCB_CONFIGURATION_NEEDED,
	ATT_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	ATT_TCB_OUT_OF_DATE,
	ATT_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
	ATT_TCB_REVOKED,
	/* QVL results for TD report 1.5 quotes only (never in JSON) */
	ATT_TCB_TD_RELAUNCH_ADVISED,
	ATT_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED,
	ATT_TCB_STATUS_COUNT,
	ATT_TCB_STATUS_NONE = -1, /* not evaluated / not applicable */
};

/* "UpToDate", "SWHardeningNeeded", ...; "None" for ATT_TCB_STATUS_NONE. */
const char *att_tcb_status_name(enum att_tcb_status s);
/* att_tcb_status_parse maps the seven JSON spellings (UpToDate ..
 * Revoked); ATT_ERR_FORMAT if unknown. */
int att_tcb_status_parse(enum att_tcb_status *out, const char *s);

struct att_dcap_advisories {
	char (*ids)[ATT_DCAP_MAX_ADVISORY_LEN];
	size_t n;
};

/* A platform TCB level of TCB Info. */
struct att_tcb_level {
	uint8_t sgx[16]; /* sgxtcbcomp01svn..16 */
	uint16_t pcesvn;
	uint8_t tdx[16]; /* tdxtcbcomponents (TDX TCB Info only) */
	int64_t tcb_date;
	enum att_tcb_status status;
	struct att_dcap_advisories adv;
};

/* A level keyed by one ISVSVN (QE identity, TDX module identity). */
struct att_isv_level {
	uint16_t isvsvn;
	int64_t tcb_date;
	enum att_tcb_status status; /* UpToDate, OutOfDate or Revoked */
	struct att_dcap_advisories adv;
};

struct att_tdx_module_identity {
	char id[16]; /* "TDX_01"... */
	uint8_t mrsigner[48];
	uint8_t attributes[8];
	uint8_t attributes_mask[8];
	struct att_isv_level *levels; /* sorted by isvsvn descending */
	size_t n_levels;
};

enum att_tcb_info_id { ATT_TCB_INFO_SGX = 0, ATT_TCB_INFO_TDX = 1 };

struct att_tcb_info {
	int version; /* 2 or 3 */
	enum att_tcb_info_id id; /* v2: SGX */
	int64_t issue_date;
	int64_t next_update;
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	uint32_t tcb_type;
	uint32_t tcb_eval_num;
	struct att_tcb_level *levels; /* sorted descending as QVL does */
	size_t n_levels;
	bool has_tdx_module;
	struct att_tdx_module_identity tdx_module; /* levels unused */
	struct att_tdx_module_identity *module_ids;
	size_t n_module_ids;
	/* the signed text (a copy owned by this struct) and signature */
	char *body;
	size_t body_len;
	uint8_t signature[64];
};

enum att_qe_identity_id {
	ATT_QE_ID_QE = 0,
	ATT_QE_ID_QVE,
	ATT_QE_ID_QAE,
	ATT_QE_ID_TD_QE,
};

struct att_qe_identity {
	enum att_qe_identity_id id;
	int version; /* 2 */
	int64_t issue_date;
	int64_t next_update;
	uint32_t tcb_eval_num;
	uint8_t miscselect[4];
	uint8_t miscselect_mask[4];
	uint8_t attributes[16];
	uint8_t attributes_mask[16];
	uint8_t mrsigner[32];
	bool has_mrsigner;
	uint16_t isvprodid;
	struct att_isv_level *levels; /* sorted by isvsvn desc, tcbDate desc */
	size_t n_levels;
	char *body;
	size_t body_len;
	uint8_t signature[64];
};

/* att_tcb_info_parse parses a PCS response body ({"tcbInfo":..,
 * "signature":..}). With sig_hex != NULL, text is instead the bare inner
 * object (the signed bytes) and sig_hex its signature. On success *out is
 * owned by the caller (att_tcb_info_free). */
int att_tcb_info_parse(struct att_tcb_info **out, const char *text,
		       size_t len, const char *sig_hex, size_t sig_hex_len,
		       struct att_diag *d);
void att_tcb_info_free(struct att_tcb_info *t);

int att_qe_identity_parse(struct att_qe_identity **out, const char *text,
			  size_t len, const char *sig_hex, size_t sig_hex_len,
			  struct att_diag *d);
void att_qe_identity_free(struct att_qe_identity *q);

/* att_json_member_span finds the raw text span of the value of the
 * top-level member `key` of the JSON object in text[0..len) (string- and
 * escape-aware). Returns 0 and sets *off, *span_len, or ATT_ERR_NOT_FOUND
 * / ATT_ERR_FORMAT. */
int att_json_member_span(const char *text, size_t len, const char *key,
			 size_t *off, size_t *span_len);

/* att_dcap_crl_to_der normalises a CRL given as DER, PEM or hex text of
 * the DER (optionally NUL/whitespace-terminated) into freshly allocated
 * DER bytes (PEM base64 decoding only; no ASN.1 parsing). */
int att_dcap_crl_to_der(uint8_t **out, size_t *out_len, const uint8_t *in,
			size_t in_len, struct att_diag *d);

/* A borrowed PEM block (BEGIN line through END line) inside a larger text. */
struct att_pem_span {
	const char *p;
	size_t len;
};

/* att_pem_split_certs finds the "-----BEGIN CERTIFICATE-----" ...
 * "-----END CERTIFICATE-----" blocks of text (separators, NULs ignored).
 * Returns the count (0..max) or ATT_ERR_LIMIT / ATT_ERR_FORMAT. */
int att_pem_split_certs(struct att_pem_span *out, size_t max,
			const char *text, size_t len);

#endif
