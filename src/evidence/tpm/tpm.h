/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 structures for remote attestation (TPM 2.0 Part 2, big-endian
 * wire form): TPMS_ATTEST of a quote, TPMT_SIGNATURE, TPM2B_PUBLIC /
 * TPMT_PUBLIC, TPML_PCR_SELECTION. Parsing goes through tpm2-tss's
 * Tss2_MU_*_Unmarshal and then copies the fields into attestd's own
 * structs (no TSS type leaves this directory); every parse requires the
 * whole input to be consumed. The quote checks (quote.h) and MakeCredential
 * (makecred.h) build on these.
 */
#ifndef ATT_EVIDENCE_TPM_TPM_H
#define ATT_EVIDENCE_TPM_TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/pkey.h"
#include "evidence/tpm/tpm_alg.h"

#define ATT_TPM_GENERATED_VALUE 0xFF544347u /* TPMS_ATTEST.magic */
#define ATT_TPM_ST_ATTEST_QUOTE 0x8018

/* TPMA_OBJECT bits (Part 2 §8.3). */
#define ATT_TPMA_FIXED_TPM 0x00000002u
#define ATT_TPMA_ST_CLEAR 0x00000004u
#define ATT_TPMA_FIXED_PARENT 0x00000010u
#define ATT_TPMA_SENSITIVE_DATA_ORIGIN 0x00000020u
#define ATT_TPMA_USER_WITH_AUTH 0x00000040u
#define ATT_TPMA_ADMIN_WITH_POLICY 0x00000080u
#define ATT_TPMA_NO_DA 0x00000400u
#define ATT_TPMA_ENCRYPTED_DUPLICATION 0x00000800u
#define ATT_TPMA_RESTRICTED 0x00010000u
#define ATT_TPMA_DECRYPT 0x00020000u
#define ATT_TPMA_SIGN 0x00040000u
#define ATT_TPMA_X509_SIGN 0x00080000u
/* Bits no TPM 2.0 revision defines (0x100/0x200, firmwareLimited and
 * svnLimited in the newest revision, are not counted as reserved). */
#define ATT_TPMA_RESERVED 0xFFF0F009u

/* Sizes of the TPM2B buffers copied out (tpm2-tss's sizes). */
#define ATT_TPM_MAX_NAME_LEN 68      /* TPM2B_NAME */
#define ATT_TPM_MAX_DATA_LEN 66      /* TPM2B_DATA (extraData) */
#define ATT_TPM_MAX_SELECTIONS 16    /* TPML_PCR_SELECTION count */
#define ATT_TPM_MAX_TPMT_PUBLIC 1024 /* marshalled TPMT_PUBLIC, for Name */

/* TPMS_PCR_SELECTION: PCR i selected iff select[i / 8] & (1 << i % 8). */
struct att_tpm_pcr_select {
	uint16_t hash;
	uint8_t size; /* sizeofSelect, <= 4 */
	uint8_t select[4];
};

struct att_tpm_pcr_selection {
	uint32_t count;
	struct att_tpm_pcr_select sel[ATT_TPM_MAX_SELECTIONS];
};

/* TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE. */
struct att_tpm_attest {
	uint32_t magic;
	uint16_t type;
	uint16_t signer_len; /* qualifiedSigner (a Qualified Name) */
	uint8_t signer[ATT_TPM_MAX_NAME_LEN];
	uint16_t extra_len; /* extraData: the caller's qualifyingData */
	uint8_t extra[ATT_TPM_MAX_DATA_LEN];
	uint64_t clock;
	uint32_t reset_count;
	uint32_t restart_count;
	uint8_t safe;
	uint64_t firmware_version;
	struct att_tpm_pcr_selection pcr_select;
	uint16_t pcr_digest_len;
	uint8_t pcr_digest[ATT_TPM_MAX_DIGEST_LEN];
};

/* att_tpm_attest_parse reads a TPMS_ATTEST (the body TPM2_Quote signs)
 * with Tss2_MU_TPMS_ATTEST_Unmarshal. The whole buffer must be consumed
 * (ATT_ERR_TRAILING otherwise); a type other than quote is
 * ATT_ERR_UNSUPPORTED; the magic is *not* checked here (see
 * att_tpm_quote_check_header). ATT_ERR_TRUNCATED / ATT_ERR_FORMAT for
 * input tpm2-tss rejects, ATT_ERR_LIMIT above ATT_MAX_TPM_STRUCT_LEN. */
int att_tpm_attest_parse(struct att_tpm_attest *out, const uint8_t *buf,
			 size_t len, struct att_diag *diag);

/* att_tpm_pcr_selection_parse reads a bare TPML_PCR_SELECTION (whole
 * buffer). */
int att_tpm_pcr_selection_parse(struct att_tpm_pcr_selection *out,
				const uint8_t *buf, size_t len,
				struct att_diag *diag);

/* TPMT_SIGNATURE: RSASSA, RSAPSS or ECDSA. */
struct att_tpm_signature {
	uint16_t sig_alg;
	uint16_t hash;
	uint16_t sig_len; /* RSA */
	uint8_t sig[ATT_TPM_MAX_RSA_BYTES];
	uint16_t r_len, s_len; /* ECDSA */
	uint8_t r[ATT_TPM_MAX_ECC_BYTES];
	uint8_t s[ATT_TPM_MAX_ECC_BYTES];
};

/* att_tpm_signature_parse reads a TPMT_SIGNATURE (whole buffer). Other
 * schemes (NULL, HMAC, ECDAA, SM2, ECSCHNORR) are ATT_ERR_UNSUPPORTED,
 * naming the algorithm. */
int att_tpm_signature_parse(struct att_tpm_signature *out, const uint8_t *buf,
			    size_t len, struct att_diag *diag);

/* TPMT_PUBLIC of an RSA or ECC key. tpmt holds the marshalled bytes the
 * Name is computed over. */
struct att_tpm_public {
	uint16_t type; /* ATT_TPM_ALG_RSA or ATT_TPM_ALG_ECC */
	uint16_t name_alg;
	uint32_t attributes;
	uint16_t auth_policy_len;
	uint8_t auth_policy[ATT_TPM_MAX_DIGEST_LEN];
	uint16_t sym_alg, sym_bits, sym_mode; /* sym_alg NULL: none */
	uint16_t scheme, scheme_hash;         /* scheme NULL: any */
	/* RSA */
	uint16_t rsa_bits;
	uint32_t rsa_exponent; /* 0 means 65537 */
	uint16_t rsa_n_len;
	uint8_t rsa_n[ATT_TPM_MAX_RSA_BYTES];
	/* ECC */
	uint16_t curve, kdf, kdf_hash;
	uint16_t x_len, y_len;
	uint8_t x[ATT_TPM_MAX_ECC_BYTES];
	uint8_t y[ATT_TPM_MAX_ECC_BYTES];
	size_t tpmt_len;
	uint8_t tpmt[ATT_TPM_MAX_TPMT_PUBLIC];
};

/* att_tpm_public_parse reads a TPM2B_PUBLIC (u16 size, then exactly that
 * many bytes of TPMT_PUBLIC); att_tpm_public_parse_tpmt a bare
 * TPMT_PUBLIC. Both require the whole buffer; key types other than RSA and
 * ECC are ATT_ERR_UNSUPPORTED. */
int att_tpm_public_parse(struct att_tpm_public *out, const uint8_t *buf,
			 size_t len, struct att_diag *diag);
int att_tpm_public_parse_tpmt(struct att_tpm_public *out, const uint8_t *buf,
			      size_t len, struct att_diag *diag);

/* att_tpm_public_name computes Name = u16be(nameAlg) || H_nameAlg(TPMT_
 * PUBLIC) into name (cap >= 2 + digest size); *name_len receives it. */
int att_tpm_public_name(const struct att_tpm_public *pub, uint8_t *name,
			size_t cap, size_t *name_len, struct att_diag *diag);

/* att_tpm_public_pkey builds the OpenSSL-side key of pub (caller frees
 * with att_pkey_free). */
int att_tpm_public_pkey(const struct att_tpm_public *pub,
			struct att_pkey **out, struct att_diag *diag);

/* att_tpm_public_check_ak enforces the AIK rules of docs/tpm-protocol.md
 * §2 (TPM 2.0 Library Part 2 TPMA_OBJECT): fixedTPM,
 * fixedParent, sensitiveDataOrigin, restricted and sign set; decrypt
 * clear; no reserved bit; nameAlg SHA-256; symmetric NULL; a signing
 * scheme (RSASSA, RSAPSS or ECDSA) with a hash. ATT_ERR_FORMAT naming the
 * first rule broken. */
int att_tpm_public_check_ak(const struct att_tpm_public *ak,
			    struct att_diag *diag);
/* att_tpm_public_check_ek requires what TPM2_MakeCredential requires of
 * its protector: restricted and decrypt set, sign clear, AES-CFB
 * symmetric, a known nameAlg, RSA or a supported ECC curve. */
int att_tpm_public_check_ek(const struct att_tpm_public *ek,
			    struct att_diag *diag);

/* att_tpm_alg_name names a TPM algorithm ID for messages ("rsassa",
 * "sha256", ...); "unknown" when it is not one attestd uses. */
const char *att_tpm_alg_name(uint16_t alg);

#endif
