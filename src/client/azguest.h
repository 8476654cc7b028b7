/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client side of POST /attest/AzureGuest, as Microsoft's guest
 * attestation clients speak it (Azure Attestation REST API 2020-10-01 /
 * 2025-06-01, "Attest Azure Guest VM"; docs/api.md):
 *
 *  - the request: {"AttestationInfo": base64url(JSON)} where the JSON
 *    carries AttestationProtocolVersion "2.0", the OS (OSType, OSDistro,
 *    OSBuild base64, OSVersionMajor/Minor numbers), TcgLogs (base64 of the
 *    boot event log), ClientPayload (an object of base64 strings),
 *    TpmInfo (AikCert DER, AikPub TPM2B_PUBLIC, PcrQuote TPMS_ATTEST,
 *    PcrSignature raw RSA signature, PcrSet, PCRs [{Index, Digest}] of the
 *    SHA-256 bank, EncKeyPub TPM2B_PUBLIC, EncKeyCertifyInfo TPMS_ATTEST,
 *    EncKeyCertifyInfoSignature raw) and IsolationInfo ({"Type":
 *    "TrustedLaunch"} or {"Type": "SevSnp", "Evidence": {"Proof":
 *    base64url({"SnpReport", "VcekCertChain"}), "RunTimeData"}});
 *  - the answer: {"token": base64url(envelope)}, the envelope sealing the
 *    JWT to the TPM's ephemeral key: {"Jwt": AES-256-GCM ciphertext,
 *    "EncryptedInnerKey": the AES key RSAES-PKCS1-v1_5-encrypted to
 *    EncKeyPub, "EncryptionParams": {"Iv", ...}, "AuthenticationData":
 *    the GCM tag}, associated data "Transport Key" (all base64);
 *  - the HCL report an Azure confidential VM's vTPM holds at NV
 *    0x01400001: a 32-byte header ("HCLA", version, size, request type),
 *    a 1184-byte hardware report area (an SEV-SNP ATTESTATION_REPORT, or
 *    a TDX TDREPORT in its first 1024 bytes), then the IGVM request data
 *    (data size, version, report type, hash type, variable data size)
 *    and the runtime data JSON whose hash is the report's REPORT_DATA
 *    (tests/vectors/tpm/quotes/azure_*_vtpm/hcl-report.bin are real ones).
 *
 * This file's functions touch no TPM; azguest_tpm.h does.
 */
#ifndef ATT_CLIENT_AZGUEST_H
#define ATT_CLIENT_AZGUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/limits.h"
#include "evidence/tpm/pcrs.h"

#define ATT_AZG_PROTOCOL_VERSION "2.0"
#define ATT_AZG_API_VERSION "2025-06-01"
/* The vTPM's AIK, its certificate and the HCL report. */
#define ATT_AZG_AIK_HANDLE 0x81000003u
#define ATT_AZG_AIK_CERT_NV 0x01C101D0u
#define ATT_AZG_HCL_NV 0x01400001u
/* PCRs Microsoft's clients quote: 0-7 on Linux, 0-7 and 11-14 on
 * Windows (bit i: PCR i). */
#define ATT_AZG_PCRS_LINUX 0x0000FFu
#define ATT_AZG_PCRS_WINDOWS 0x0078FFu
/* Associated data of the sealed token's AES-GCM. */
#define ATT_AZG_GCM_AAD "Transport Key"
#define ATT_AZG_INNER_KEY_LEN 32

/* HCL report layout. */
#define ATT_HCL_SIGNATURE 0x414C4348u /* "HCLA" little-endian */
#define ATT_HCL_VERSION 1u
#define ATT_HCL_VERSION_MAX 2u /* Azure writes 2 on TDX VMs */
#define ATT_HCL_HEADER_LEN 32
/* The hardware report area is an SNP report's size on every VM; a TD
 * report fills its first 1024 bytes. */
#define ATT_HCL_HW_AREA_LEN 1184
#define ATT_HCL_SNP_REPORT_LEN 1184
#define ATT_HCL_TDX_REPORT_LEN 1024
#define ATT_HCL_REQ_FIXED_LEN 20
#define ATT_HCL_IGVM_VERSION 1u

enum att_hcl_report_type {
	ATT_HCL_TYPE_INVALID = 0,
	ATT_HCL_TYPE_RESERVED = 1,
	ATT_HCL_TYPE_SNP = 2,
	ATT_HCL_TYPE_TVM = 3,
	ATT_HCL_TYPE_TDX = 4,
};

enum att_hcl_hash_type {
	ATT_HCL_HASH_INVALID = 0,
	ATT_HCL_HASH_SHA256 = 1,
	ATT_HCL_HASH_SHA384 = 2,
	ATT_HCL_HASH_SHA512 = 3,
};

/* A parsed HCL report; pointers borrow the input. */
struct att_hcl_report {
	uint32_t version;
	uint32_t report_size;
	uint32_t request_type;
	uint32_t report_type; /* enum att_hcl_report_type */
	uint32_t hash_type;   /* enum att_hcl_hash_type */
	const uint8_t *hw_report;
	size_t hw_report_len;
	const uint8_t *runtime_data;
	size_t runtime_data_len;
};

/* att_hcl_parse reads an HCL report (what NV holds may carry padding
 * after the runtime data; it is ignored). Form only: signature, header
 * version 1 or 2, an SNP or TDX report type, a known hash type, lengths
 * within the buffer and ATT_MAX_HCL_REPORT_LEN. ATT_ERR_TRUNCATED,
 * ATT_ERR_FORMAT, ATT_ERR_UNSUPPORTED or ATT_ERR_LIMIT, diag naming the
 * field. Whether REPORT_DATA binds the runtime data is the verifier's
 * question (att_hcl_binds tells the client's side). */
int att_hcl_parse(struct att_hcl_report *h, const uint8_t *buf, size_t len,
		  struct att_diag *d);

/* att_hcl_binds tells whether the first bytes of REPORT_DATA of an SNP
 * report hold the hash of the runtime data (by hash_type). */
bool att_hcl_binds(const struct att_hcl_report *h);

/* att_hcl_build appends an HCL report of report_type (SNP or TDX) with a
 * hardware report of the matching length and runtime data, hash type
 * SHA-256 (test and simulator use). */
int att_hcl_build(struct att_buf *out, uint32_t report_type,
		  const uint8_t *hw, size_t hw_len, const uint8_t *runtime,
		  size_t runtime_len);

/* What goes into AttestationInfo. Byte fields are the TPM's wire forms
 * described above; every pointer is borrowed. */
enum att_azg_isolation {
	ATT_AZG_TRUSTED_LAUNCH,
	ATT_AZG_SEV_SNP,
	ATT_AZG_TDX,
};

struct att_azg_bytes {
	const uint8_t *p;
	size_t len;
};

struct att_azg_evidence {
	const char *os_type;   /* "Linux" / "Windows" */
	const char *os_distro; /* e.g. "Ubuntu" */
	const char *os_build;  /* "NotApplication" on Linux */
	unsigned os_major, os_minor;
	struct att_azg_bytes tcg_log; /* may be empty */
	json_t *client_payload;	      /* object of strings, or NULL */
	struct att_azg_bytes aik_cert, aik_pub, quote, quote_sig;
	const struct att_tpm_pcrs *pcrs; /* SHA-256 bank used */
	uint32_t pcr_mask;
	struct att_azg_bytes enc_key_pub, certify_info, certify_sig;
	enum att_azg_isolation isolation;
	/* SEV-SNP and TDX: the hardware report (SNP report or TD quote)
	 * and the runtime data; SNP: the VCEK chain as the host's THIM
	 * endpoint gives it (PEM text). */
	struct att_azg_bytes hw_report, runtime_data, vcek_chain;
};

/* att_azg_attestation_info builds the AttestationInfo object (new
 * reference). ATT_ERR_INVALID_ARG when a required part is missing (diag
 * names it), ATT_ERR_FORMAT for a client payload that is not an object
 * of strings. */
int att_azg_attestation_info(json_t **out, const struct att_azg_evidence *e,
			     struct att_diag *d);

/* att_azg_request_body returns the malloc'd request body
 * {"AttestationInfo": base64url(compact AttestationInfo JSON)}. */
int att_azg_request_body(char **out, const struct att_azg_evidence *e,
			 struct att_diag *d);

/* The sealed answer, decoded (owned). */
struct att_azg_sealed {
	uint8_t *jwt_ct;
	size_t jwt_ct_len;
	uint8_t *wrapped_key;
	size_t wrapped_key_len;
	uint8_t iv[ATT_AES_GCM_MAX_IV_LEN];
	size_t iv_len;
	uint8_t tag[16];
};

/* att_azg_sealed_parse reads the service's 200 answer {"token": ...}
 * (base64url or base64 of the envelope JSON). Form only: every member
 * present with the right type and length (Cipher "AES", KeySizeInBits
 * 256 and BlockMode "ChainingModeGCM" when present, a 16-byte tag, an
 * IV of 1..ATT_AES_GCM_MAX_IV_LEN bytes, a wrapped key of at most
 * ATT_AZG_MAX_WRAPPED_KEY_LEN, a JWT of at most ATT_MAX_TOKEN_LEN).
 * Release with att_azg_sealed_release, also after a failure. */
int att_azg_sealed_parse(struct att_azg_sealed *s, const uint8_t *body,
			 size_t len, struct att_diag *d);
void att_azg_sealed_release(struct att_azg_sealed *s);

/* att_azg_unwrap_fn recovers the inner key from EncryptedInnerKey (the
 * TPM's TPM2_RSA_Decrypt in the client; any RSA decryption in tests). */
typedef int (*att_azg_unwrap_fn)(void *ctx, const uint8_t *in, size_t in_len,
				 uint8_t *out, size_t cap, size_t *out_len,
				 struct att_diag *d);

/* att_azg_open unwraps the inner key (exactly ATT_AZG_INNER_KEY_LEN
 * bytes) and decrypts the JWT into a malloc'd NUL-terminated string.
 * ATT_ERR_SIG_INVALID when the GCM tag does not verify, ATT_ERR_FORMAT
 * when the plaintext is not a compact JWS (three base64url parts). */
int att_azg_open(char **jwt, const struct att_azg_sealed *s,
		 att_azg_unwrap_fn unwrap, void *ctx, struct att_diag *d);

/* att_azg_envelope_make makes an answer {"token": base64url(envelope)} that
 * att_azg_sealed_parse and att_azg_open (with key) accept, its
 * EncryptedInnerKey the caller's bytes (tests and fuzz seeds). */
int att_azg_envelope_make(char **body, const char *jwt,
		 const uint8_t key[ATT_AZG_INNER_KEY_LEN], const uint8_t *iv,
		 size_t iv_len, const uint8_t *wrapped, size_t wrapped_len);

#endif
