/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A set of PCR values: per bank (TPM hash algorithm) up to 24 values and a
 * mask of the PCRs that have one. Both sides of attestation use it: the
 * values a client supplies with its quote, and the values an event log
 * replays to. JSON forms: attestd's {"sha256": {"0": "<hex>", ...}, ...}
 * (docs/tpm-protocol.md "pcrs", `attest eventlog replay --json`) and MAA's
 * {"PCRs": [{"Index": n, "Digests": {"SHA256": "<hex>"}}]} claim.
 */
#ifndef ATT_EVIDENCE_TPM_PCRS_H
#define ATT_EVIDENCE_TPM_PCRS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"
#include "evidence/tpm/tpm_alg.h"

#define ATT_TPM_NUM_PCRS 24
/* Banks in one set; a TPM has a handful, logs at most this many. */
#define ATT_TPM_MAX_BANKS ATT_MAX_DIGESTS_PER_EVENT

struct att_tpm_pcr_bank {
	uint16_t alg;
	uint16_t size;
	uint32_t mask; /* bit i: PCR i has a value */
	uint8_t value[ATT_TPM_NUM_PCRS][ATT_TPM_MAX_DIGEST_LEN];
};

struct att_tpm_pcrs {
	uint32_t num_banks;
	struct att_tpm_pcr_bank banks[ATT_TPM_MAX_BANKS];
};

/* att_tpm_pcrs_bank returns the bank of alg, or NULL. */
struct att_tpm_pcr_bank *att_tpm_pcrs_bank(struct att_tpm_pcrs *s,
					   uint16_t alg);
const struct att_tpm_pcr_bank *
att_tpm_pcrs_bank_const(const struct att_tpm_pcrs *s, uint16_t alg);
/* att_tpm_pcrs_add_bank returns the bank of alg, adding an empty one if
 * needed; NULL for a hash attestd does not know or when full. */
struct att_tpm_pcr_bank *att_tpm_pcrs_add_bank(struct att_tpm_pcrs *s,
					       uint16_t alg);
/* att_tpm_pcrs_set stores value (len = the bank's digest size) as PCR
 * index of bank alg. ATT_ERR_INVALID_ARG for a wrong index or length. */
int att_tpm_pcrs_set(struct att_tpm_pcrs *s, uint16_t alg, uint32_t index,
		     const uint8_t *value, size_t len);

/* att_tpm_pcrs_from_json reads {"sha256": {"0": "<hex>"}} (bank names as
 * in att_tpm_hash_info_by_name, indices 0-23, hex of the exact digest
 * size); ATT_ERR_FORMAT naming the bad member otherwise. *s is reset. */
int att_tpm_pcrs_from_json(struct att_tpm_pcrs *s, const json_t *obj,
			   struct att_diag *diag);
/* att_tpm_pcrs_to_json writes the same shape, banks in set order, PCRs
 * in ascending order, banks without a value omitted. New reference, or
 * NULL on allocation failure. */
json_t *att_tpm_pcrs_to_json(const struct att_tpm_pcrs *s);
/* att_tpm_pcrs_to_maa_json writes MAA's pcrs claim shape:
 * {"PCRs": [{"Index": n, "Digests": {"SHA256": "<hex>", ...}}, ...]}. */
json_t *att_tpm_pcrs_to_maa_json(const struct att_tpm_pcrs *s);

#endif
