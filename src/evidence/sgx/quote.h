/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel DCAP quotes (SGX v3/v4/v5, TDX v4/v5) parsed into structs of
 * borrowed slices: every pointer below points into the caller's quote
 * buffer, which must outlive the struct. Parsing never does crypto; it
 * checks every length prefix and is transactional (on error *q is zeroed).
 * Layouts: Intel "SGX ECDSA Quote Library API" Appendix A and "TDX DCAP
 * Quoting Library API" (quote v4, v5). After the signature data (and after an
 * Open Enclave report's declared size) only zero padding is accepted, at
 * most ATT_SGX_QUOTE_MAX_PADDING bytes in all, counted in trailing_len;
 * other bytes are ATT_ERR_TRAILING naming their length and offset.
 */
#ifndef ATT_EVIDENCE_SGX_QUOTE_H
#define ATT_EVIDENCE_SGX_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

#define ATT_SGX_QUOTE_HEADER_LEN 48
#define ATT_SGX_REPORT_LEN 384
#define ATT_TDX_REPORT10_LEN 584
#define ATT_TDX_REPORT15_LEN 648
#define ATT_SGX_QUOTE_V5_WRAPPER_LEN 6
#define ATT_SGX_SIG_LEN 64
#define ATT_SGX_ATT_KEY_LEN 64
#define ATT_SGX_OE_HEADER_LEN 16
/* QVL's minimum quote size: 48 + 384 + 4 + 584. */
#define ATT_SGX_QUOTE_MIN_LEN 1020

#define ATT_SGX_TEE_TYPE_SGX 0x00000000u
#define ATT_SGX_TEE_TYPE_TDX 0x00000081u
#define ATT_SGX_ATT_KEY_ECDSA_P256 2

/* v5 body types */
#define ATT_SGX_BODY_SGX 1
#define ATT_SGX_BODY_TD10 2
#define ATT_SGX_BODY_TD15 3

/* certification data types */
#define ATT_SGX_CERT_PCK_CHAIN 5
#define ATT_SGX_CERT_QE_REPORT 6

/* SGX ATTRIBUTES.FLAGS bits */
#define ATT_SGX_FLAG_DEBUG 0x02u
#define ATT_SGX_FLAG_KSS 0x80u
/* TDATTRIBUTES bits */
#define ATT_TDX_ATTR_DEBUG 0x01u

/* Parse flags */
#define ATT_SGX_PARSE_OE_HEADER 0x1u /* a 16-byte Open Enclave header leads */

extern const uint8_t att_sgx_intel_qe_vendor_id[16];

/* An SGX report body (the application enclave's, or the QE report). */
struct att_sgx_report {
	const uint8_t *raw; /* 384 bytes */
	const uint8_t *cpusvn; /* 16 */
	uint32_t miscselect;
	const uint8_t *miscselect_raw; /* 4, report byte order */
	const uint8_t *isvextprodid; /* 16 */
	const uint8_t *attributes; /* 16: FLAGS u64le, XFRM u64le */
	uint64_t flags;
	uint64_t xfrm;
	const uint8_t *mrenclave; /* 32 */
	const uint8_t *mrsigner; /* 32 */
	const uint8_t *configid; /* 64 */
	uint16_t isvprodid;
	uint16_t isvsvn;
	uint16_t configsvn;
	const uint8_t *isvfamilyid; /* 16 */
	const uint8_t *report_data; /* 64 */
};

/* A TD report body 1.0 (584 bytes) or 1.5 (648 bytes). */
struct att_tdx_report {
	const uint8_t *raw;
	size_t raw_len;
	int minor; /* 0 for 1.0, 5 for 1.5 */
	const uint8_t *tee_tcb_svn; /* 16 */
	const uint8_t *mrseam; /* 48 */
	const uint8_t *mrsignerseam; /* 48 */
	const uint8_t *seam_attributes; /* 8 */
	const uint8_t *td_attributes; /* 8 */
	uint64_t td_attributes_u64;
	const uint8_t *xfam; /* 8 */
	uint64_t xfam_u64;
	const uint8_t *mrtd; /* 48 */
	const uint8_t *mrconfigid; /* 48 */
	const uint8_t *mrowner; /* 48 */
	const uint8_t *mrownerconfig; /* 48 */
	const uint8_t *rtmr[4]; /* 48 each */
	const uint8_t *report_data; /* 64 */
	const uint8_t *tee_tcb_svn2; /* 16, 1.5 only, else NULL */
	const uint8_t *mrservicetd; /* 48, 1.5 only, else NULL */
};

struct att_sgx_quote {
	/* header */
	uint16_t version; /* 3, 4 or 5 */
	uint16_t att_key_type; /* 2 */
	uint32_t tee_type; /* ATT_SGX_TEE_TYPE_* */
	uint16_t qe_svn; /* header bytes 8..9, never verified */
	uint16_t pce_svn; /* header bytes 10..11, never verified */
	const uint8_t *qe_vendor_id; /* 16 */
	const uint8_t *user_data; /* 20 */
	/* body */
	uint16_t body_type; /* v5 wrapper type, or the implied one */
	uint32_t body_size;
	bool is_tdx;
	struct att_sgx_report sgx; /* valid when !is_tdx */
	struct att_tdx_report tdx; /* valid when is_tdx */
	/* bytes covered by the quote signature (header [+ wrapper] + body) */
	const uint8_t *signed_data;
	size_t signed_len;
	/* signature data */
	uint32_t sig_data_len;
	const uint8_t *signature; /* 64: r || s, big-endian */
	const uint8_t *att_key; /* 64: x || y */
	uint16_t outer_cert_type; /* 6 for v4/v5, 0 for v3 */
	uint32_t outer_cert_size;
	struct att_sgx_report qe_report;
	const uint8_t *qe_report_sig; /* 64 */
	const uint8_t *qe_auth; /* qe_auth_len bytes */
	uint16_t qe_auth_len;
	uint16_t cert_type; /* innermost certification data type (5 = PEM chain) */
	const uint8_t *cert_data;
	uint32_t cert_len;
	/* framing */
	bool oe_header; /* an Open Enclave header was stripped */
	size_t total_len; /* header to end of signature data */
	size_t trailing_len; /* zero padding after the signature data
			      * (and past an OE report's size), ignored */
};

/* att_sgx_quote_parse parses buf[0..len) (flags: ATT_SGX_PARSE_*).
 * Returns 0, ATT_ERR_TRUNCATED (a length runs past the buffer),
 * ATT_ERR_TRAILING (bytes after the signature data that are not zero
 * padding within ATT_SGX_QUOTE_MAX_PADDING) or ATT_ERR_FORMAT /
 * ATT_ERR_UNSUPPORTED with a message in d. */
int att_sgx_quote_parse(struct att_sgx_quote *q, const uint8_t *buf,
			size_t len, unsigned flags, struct att_diag *d);
/* att_sgx_quote_parse_oe: the quote is preceded by the Open Enclave
 * report header {u32 version = 1, u32 report type = 2, u64 size}; size
 * must be <= the bytes that follow, and bytes past it are held to the
 * same zero-padding rule (offsets in d count from the header). */
int att_sgx_quote_parse_oe(struct att_sgx_quote *q, const uint8_t *buf,
			   size_t len, struct att_diag *d);
/* att_sgx_has_oe_header tells whether buf starts with a plausible OE
 * header (version 1, type 2 = remote SGX, size fits). */
bool att_sgx_has_oe_header(const uint8_t *buf, size_t len);

/* att_sgx_report_parse parses a bare 384-byte SGX report body. */
int att_sgx_report_parse(struct att_sgx_report *r, const uint8_t *buf,
			 size_t len);

#endif
