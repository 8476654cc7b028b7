/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM2_MakeCredential outside a TPM (TPM 2.0 Part 1 §24, Part 3 §12.6):
 * protect a credential (a short secret) so that only the TPM holding the
 * endorsement key, and only for the object with the given Name (the AIK),
 * can recover it with TPM2_ActivateCredential. The enrolment flow
 * (docs/tpm-protocol.md §2, Flow A) uses it to prove an AIK lives in the
 * same TPM
 * as a certified EK. Outputs are in TPM wire form, ready for the client.
 */
#ifndef ATT_EVIDENCE_TPM_MAKECRED_H
#define ATT_EVIDENCE_TPM_MAKECRED_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/tpm/tpm.h"

/* u16 size + u16 HMAC size + HMAC + u16 size + credential, at most */
#define ATT_TPM_MAX_ID_OBJECT (2 + 2 + ATT_TPM_MAX_DIGEST_LEN + 2 + \
			       ATT_TPM_MAX_DIGEST_LEN)
/* u16 size + RSA ciphertext, or u16 size + TPMS_ECC_POINT */
#define ATT_TPM_MAX_ENC_SECRET (2 + ATT_TPM_MAX_RSA_BYTES)

struct att_tpm_credential {
	size_t id_object_len;
	uint8_t id_object[ATT_TPM_MAX_ID_OBJECT]; /* TPM2B_ID_OBJECT */
	size_t secret_len;
	uint8_t secret[ATT_TPM_MAX_ENC_SECRET]; /* TPM2B_ENCRYPTED_SECRET */
};

/* att_tpm_make_credential protects credential (1 .. digest size of the
 * EK's nameAlg bytes) for the object called name (a full Name: u16 alg ||
 * digest) under ek, which must pass att_tpm_public_check_ek. RSA EKs get
 * a random seed encrypted with OAEP (label "IDENTITY\0"); ECC EKs one-pass
 * ECDH with a fresh ephemeral key and KDFe. Every KDF and HMAC uses the
 * EK's nameAlg. */
int att_tpm_make_credential(struct att_tpm_credential *out,
			    const struct att_tpm_public *ek,
			    const uint8_t *name, size_t name_len,
			    const uint8_t *credential, size_t credential_len,
			    struct att_diag *diag);

/* att_tpm_make_credential_kat is the same with the randomness fixed, for
 * known-answer tests only: fixed is the seed (RSA EK; it is still
 * OAEP-encrypted with random padding) or the ephemeral private scalar
 * (ECC EK). */
int att_tpm_make_credential_kat(struct att_tpm_credential *out,
				const struct att_tpm_public *ek,
				const uint8_t *name, size_t name_len,
				const uint8_t *credential,
				size_t credential_len, const uint8_t *fixed,
				size_t fixed_len, struct att_diag *diag);

/* att_tpm_credential_wrap computes the TPM2B_ID_OBJECT for a given
 * seed (the part of MakeCredential after the seed is fixed; §24.4, §24.5).
 * Exposed for known-answer tests. */
int att_tpm_credential_wrap(uint8_t *id_object, size_t cap, size_t *len,
			    uint16_t name_alg, uint16_t sym_bits,
			    const uint8_t *seed, size_t seed_len,
			    const uint8_t *name, size_t name_len,
			    const uint8_t *credential, size_t credential_len,
			    struct att_diag *diag);

#endif
