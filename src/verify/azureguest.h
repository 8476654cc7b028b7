/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/AzureGuest (MAA REST API 2020-10-01 and 2025-06-01,
 * "Attestation - Attest Azure Guest"; docs/api.md "AzureGuest"), the
 * steps shared by the files of src/verify (verifier.h has the entry
 * point, att_verify_azureguest):
 *   azureguest_request.c  body -> struct att_azg_request (form only)
 *   azureguest_tpm.c      the vTPM links: AIK certificate, quote,
 *                         PCRs, boot log, EncKeyPub certification
 *   azureguest_iso.c      the hardware links: SNP report / TD quote,
 *                         REPORT_DATA = SHA-256(runtime data), HCLAkPub
 *   azureguest_claims.c   the azurevm claims
 *   azureguest_seal.c     the answer sealed to EncKeyPub
 *   azureguest.c          the pipeline: policy, links, claims, token
 * The body is {"AttestationInfo": base64url(JSON)} ("attestationInfo" in
 * the 2025-06-01 REST specification); the JSON is what Microsoft's guest
 * attestation clients (Azure/cvm-attestation-tools,
 * Azure/confidential-computing-cvm-guest-attestation) send.
 */
#ifndef ATT_VERIFY_AZUREGUEST_H
#define ATT_VERIFY_AZUREGUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/pkey.h"
#include "evidence/tpm/pcrs.h"
#include "evidence/tpm/tpm.h"

enum att_azg_iso {
	ATT_AZG_ISO_TRUSTED_LAUNCH = 1,
	ATT_AZG_ISO_SEVSNP,
	ATT_AZG_ISO_TDX,
};

struct att_azg_blob {
	uint8_t *p; /* malloc'd; NULL and 0 when absent */
	size_t len;
};

/* A decoded AzureGuest request. Strings are malloc'd (os_*) or point
 * into body (draft). */
struct att_azg_request {
	json_t *body;
	json_t *info; /* the AttestationInfo object */
	char *os_type, *os_distro, *os_build; /* decoded, NUL-terminated */
	bool has_version;
	int64_t os_major, os_minor;
	json_t *client_payload; /* object (new reference) or NULL */
	struct att_azg_blob tcg_log;
	/* TpmInfo */
	struct att_azg_blob aik_cert;  /* DER */
	struct att_azg_blob aik_pub;   /* TPM2B_PUBLIC */
	struct att_azg_blob quote;     /* TPMS_ATTEST */
	struct att_azg_blob quote_sig; /* raw signature (RSA: modulus size) */
	struct att_azg_blob enc_pub;   /* TPM2B_PUBLIC */
	struct att_azg_blob certify;   /* TPMS_ATTEST (TPM_ST_ATTEST_CERTIFY) */
	struct att_azg_blob certify_sig;
	uint32_t pcr_set;               /* PcrSet as a mask */
	struct att_tpm_pcrs pcrs;       /* PCRs (SHA-256 bank) */
	/* IsolationInfo */
	enum att_azg_iso iso;
	struct att_azg_blob proof;   /* SevSnp: the JSON document; Tdx: quote */
	struct att_azg_blob runtime; /* HCL runtime data (JSON bytes) */
	const char *draft;
	size_t draft_len;
};

/* att_azg_request_decode parses an AzureGuest body. base64 or base64url,
 * padded or not, everywhere (Microsoft's clients use both). Errors
 * ATT_ERR_FORMAT / ATT_ERR_LIMIT / ATT_ERR_UNSUPPORTED name the member
 * ("AttestationInfo.TpmInfo.PcrQuote ..."); r is released by
 * att_azg_request_release whatever the result. */
int att_azg_request_decode(struct att_azg_request *r, const uint8_t *body,
			   size_t len, struct att_diag *d);
void att_azg_request_release(struct att_azg_request *r);
const char *att_azg_iso_name(enum att_azg_iso iso);

/* TPMS_ATTEST of type TPM_ST_ATTEST_CERTIFY (TPM 2.0 Part 2 §10.12.3,
 * §10.12.12), read through struct att_cur: the certified object's Name
 * and Qualified Name. */
struct att_azg_certify {
	uint32_t magic;
	uint16_t type;
	uint16_t extra_len;
	uint8_t extra[ATT_TPM_MAX_DATA_LEN];
	uint16_t name_len;
	uint8_t name[ATT_TPM_MAX_NAME_LEN];
	uint16_t qname_len;
	uint8_t qname[ATT_TPM_MAX_NAME_LEN];
};

/* att_azg_certify_parse reads the whole buffer (ATT_ERR_TRAILING,
 * ATT_ERR_TRUNCATED, ATT_ERR_FORMAT for another type or a field over its
 * TPM2B size). */
int att_azg_certify_parse(struct att_azg_certify *out, const uint8_t *buf,
			  size_t len, struct att_diag *d);

/* What the vTPM links established (azureguest_tpm.c). */
struct att_azg_tpm {
	struct att_tpm_public aik;   /* AikPub */
	struct att_pkey *aik_key;    /* its key (owned) */
	struct att_tpm_public enc;   /* EncKeyPub */
	struct att_pkey *enc_key;    /* its key (owned) */
	struct att_tpm_attest quote;
	uint32_t attested;           /* PCRs the log replayed to (verified) */
	bool has_log;
	json_t *boot_claims;         /* x-ms-azurevm-* from the log (owned) */
};

void att_azg_tpm_release(struct att_azg_tpm *t);

/* att_azg_check_aik_cert: the AIK certificate chains to one of the
 * anchors (PEM; a pinned leaf counts) at time at, and its key is AikPub.
 * att_azg_check_quote: AikPub is an AIK, the quote is a TPM quote signed
 * by it, and its pcrDigest is that of PCRs over PcrSet (SHA-256).
 * att_azg_check_log: TcgLogs parses, its digests check, its replay
 * equals the quoted PCRs it extends; the boot claims.
 * att_azg_check_enckey: EncKeyCertifyInfo is a TPM2_Certify output
 * signed by the AIK whose certified Name is EncKeyPub's, and EncKeyPub
 * is an RSA decryption key. Each returns ATT_ERR_* with d naming the
 * link. */
int att_azg_check_aik_cert(const struct att_azg_request *r,
			   const struct att_azg_tpm *t, const char *anchors,
			   size_t anchors_len, int64_t at, struct att_diag *d);
int att_azg_check_quote(const struct att_azg_request *r,
			struct att_azg_tpm *t, struct att_diag *d);
int att_azg_check_log(const struct att_azg_request *r, struct att_azg_tpm *t,
		      struct att_diag *d);
int att_azg_check_enckey(const struct att_azg_request *r,
			 struct att_azg_tpm *t, struct att_diag *d);

/* att_azg_check_hcl_key: the runtime data (HCL claims JSON) carries in
 * "keys" a JWK of kid "HCLAkPub" whose public key equals ak. *runtime
 * (may be NULL) receives the parsed runtime JSON (new reference). */
int att_azg_check_hcl_key(const uint8_t *runtime, size_t len,
			  const struct att_pkey *ak, json_t **runtime_json,
			  struct att_diag *d);
/* att_azg_check_report_data: report_data[0..32) = SHA-256(runtime) and
 * report_data[32..64) zero (what the HCL writes). */
int att_azg_check_report_data(const uint8_t report_data[64],
			      const uint8_t *runtime, size_t len,
			      struct att_diag *d);

/* att_azg_runtime_claims: x-ms-runtime of x-ms-isolation-tee: the
 * runtime JSON's "keys" reduced to HCLAkPub and its other members
 * (vm-configuration, ...) but user-data, as MAA's tokens show it. */
json_t *att_azg_runtime_claims(json_t *runtime);

/* att_azg_claims puts the azurevm claims into obj (docs/claims.md
 * "AzureGuest"): x-ms-attestation-type "azurevm", x-ms-ver,
 * x-ms-azurevm-attestation-protocol-ver, the boot claims, x-ms-runtime
 * {client-payload, keys [TpmEphemeralEncryptionKey]} and tee (the
 * x-ms-isolation-tee object, borrowed, may be NULL). */
int att_azg_claims(json_t *obj, const struct att_azg_request *r,
		   const struct att_azg_tpm *t, json_t *tee);

/* att_azg_seal seals jwt to EncKeyPub enc as MAA answers the guest: a
 * fresh 32-byte AES-256-GCM key and 12-byte IV, associated data
 * "Transport Key", the key RSAES-PKCS1-v1_5-encrypted to enc; *out
 * (malloc'd) is base64url of the compact envelope JSON {"Jwt",
 * "EncryptedInnerKey", "EncryptionParams" {"BlockMode", "BlockPadding",
 * "Cipher", "KeySizeInBits", "Iv"}, "AuthenticationData"} (fields in
 * standard base64). att_azg_seal_with is the same with the caller's key
 * and IV (tests). */
int att_azg_seal(char **out, const char *jwt, const struct att_pkey *enc,
		 struct att_diag *d);
int att_azg_seal_with(char **out, const char *jwt, const struct att_pkey *enc,
		      const uint8_t key[32], const uint8_t iv[12],
		      struct att_diag *d);

#endif
