/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM2_Quote verification (TPM 2.0 Library Part 3 TPM2_Quote, Part 2
 * TPMS_ATTEST; docs/tpm.md): the TPMS_ATTEST header
 * (TPM_GENERATED_VALUE magic, quote type), the signature by the AIK over
 * the exact TPMS_ATTEST bytes, extraData against the expected nonce
 * (constant time), the PCR selection against a required mask, and
 * pcrDigest = H_sig(selected PCR values in selection order) against the
 * values supplied with the quote. Each step is its own function so that a
 * caller can name the failing step; att_tpm_quote_verify runs them all.
 */
#ifndef ATT_EVIDENCE_TPM_QUOTE_H
#define ATT_EVIDENCE_TPM_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/pkey.h"
#include "evidence/tpm/pcrs.h"
#include "evidence/tpm/tpm.h"
#include "evidence/tpm/tpm_alg.h"

/* att_tpm_quote_check_header requires magic == TPM_GENERATED_VALUE and
 * type == TPM_ST_ATTEST_QUOTE (ATT_ERR_FORMAT otherwise). With a
 * restricted AIK, the magic is what proves the TPM built the structure. */
int att_tpm_quote_check_header(const struct att_tpm_attest *att,
			       struct att_diag *diag);

/* att_tpm_quote_verify_signature checks sig over attest[0..attest_len)
 * with ak. When ak_pub is given and names a scheme, sig's scheme and hash
 * must be that scheme (a restricted key signs with nothing else).
 * ATT_ERR_SIG_INVALID, ATT_ERR_ALG (scheme/key mismatch). */
int att_tpm_quote_verify_signature(const uint8_t *attest, size_t attest_len,
				   const struct att_tpm_signature *sig,
				   const struct att_pkey *ak,
				   const struct att_tpm_public *ak_pub,
				   struct att_diag *diag);

/* att_tpm_quote_check_nonce compares extraData with nonce in constant
 * time (lengths first); ATT_ERR_MISMATCH when they differ. */
int att_tpm_quote_check_nonce(const struct att_tpm_attest *att,
			      const uint8_t *nonce, size_t nonce_len,
			      struct att_diag *diag);

/* att_tpm_selection_mask returns the PCRs (bit i = PCR i, i < 32) that
 * selection sel selects. */
uint32_t att_tpm_selection_mask(const struct att_tpm_pcr_select *sel);

/* att_tpm_quote_check_mask requires that one selection (of bank, or of
 * any bank when bank is 0) selects every PCR of required; ATT_ERR_MISMATCH
 * naming the missing PCRs otherwise. */
int att_tpm_quote_check_mask(const struct att_tpm_attest *att, uint16_t bank,
			     uint32_t required, struct att_diag *diag);

/* att_tpm_quote_pcr_digest computes H_hash over the values in pcrs of the
 * PCRs att selects, in selection order (out: digest size of hash). Every
 * selected PCR must have a value (ATT_ERR_MISMATCH); PCRs >= 24 are
 * ATT_ERR_UNSUPPORTED. */
int att_tpm_quote_pcr_digest(const struct att_tpm_attest *att, uint16_t hash,
			     const struct att_tpm_pcrs *pcrs, uint8_t *out,
			     size_t out_len, struct att_diag *diag);

/* att_tpm_quote_check_pcrs requires pcrs to hold exactly the selected PCRs
 * and att->pcrDigest to equal their digest with hash (the signature's
 * hash, not the banks': REF Quote.c). ATT_ERR_MISMATCH otherwise. */
int att_tpm_quote_check_pcrs(const struct att_tpm_attest *att, uint16_t hash,
			     const struct att_tpm_pcrs *pcrs,
			     struct att_diag *diag);

/* What att_tpm_quote_verify checks besides header and signature. */
struct att_tpm_quote_opts {
	const struct att_pkey *ak;       /* required */
	const struct att_tpm_public *ak_pub; /* optional: scheme binding */
	bool check_nonce;
	const uint8_t *nonce;
	size_t nonce_len;
	const struct att_tpm_pcrs *pcrs; /* optional: pcrDigest check */
	uint32_t required_mask;          /* optional (0 = none) */
	uint16_t required_bank;          /* 0 = any bank */
};

/* att_tpm_quote_verify parses attest (TPMS_ATTEST) and sig
 * (TPMT_SIGNATURE), then checks header, signature, nonce, mask and
 * pcrDigest in that order; the first failure is returned with diag naming
 * the step. *att_out (may be NULL) receives the parsed quote. */
int att_tpm_quote_verify(const uint8_t *attest, size_t attest_len,
			 const uint8_t *sig, size_t sig_len,
			 const struct att_tpm_quote_opts *o,
			 struct att_tpm_attest *att_out, struct att_diag *diag);

#endif
