/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: TPMS_ATTEST (quote), and the same bytes as a
 * TPMT_SIGNATURE and a TPML_PCR_SELECTION, through tss2-mu; on a parsed
 * quote the header, mask and pcrDigest checks run against a PCR set that
 * holds every selected PCR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/tpm/quote.h"

static void quote_checks(const struct att_tpm_attest *a)
{
	struct att_tpm_pcrs *p = calloc(1, sizeof(*p));
	uint8_t zero[ATT_TPM_MAX_DIGEST_LEN] = {0};
	if (!p)
		return;
	if (a->pcr_digest_len > sizeof(a->pcr_digest) ||
	    a->extra_len > sizeof(a->extra) || a->pcr_select.count > 16)
		abort();
	att_tpm_quote_check_header(a, NULL);
	att_tpm_quote_check_mask(a, 0, 0xFFFFFF, NULL);
	att_tpm_quote_check_nonce(a, zero, a->extra_len, NULL);
	for (uint32_t i = 0; i < a->pcr_select.count; i++) {
		const struct att_tpm_pcr_select *s = &a->pcr_select.sel[i];
		const struct att_tpm_hash_info *hi = att_tpm_hash_info(s->hash);
		uint32_t m = att_tpm_selection_mask(s);
		for (uint32_t k = 0; hi && k < 24; k++)
			if (m & (1u << k))
				att_tpm_pcrs_set(p, s->hash, k, zero, hi->size);
	}
	att_tpm_quote_check_pcrs(a, 0x000B, p, NULL);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_tpm_attest a;
	struct att_tpm_signature *s = malloc(sizeof(*s));
	struct att_tpm_pcr_selection sel;
	static int quiet;
	if (!quiet) {
		setenv("TSS2_LOG", "all+none", 0);
		quiet = 1;
	}
	if (att_tpm_attest_parse(&a, data, size, NULL) == 0)
		quote_checks(&a);
	if (s && att_tpm_signature_parse(s, data, size, NULL) == 0 &&
	    s->sig_len > sizeof(s->sig))
		abort();
	att_tpm_pcr_selection_parse(&sel, data, size, NULL);
	free(s);
	return 0;
}
