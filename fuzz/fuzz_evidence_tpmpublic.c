/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: TPM2B_PUBLIC and TPMT_PUBLIC through tss2-mu, then what a
 * verifier does with a public area: its Name, its OpenSSL key (EC points
 * must be on the curve, RSA moduli sane), the AIK and EK rules, and for an
 * acceptable EK a MakeCredential with a fixed seed/ephemeral key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/tpm/makecred.h"
#include "evidence/tpm/tpm.h"

static void use(const struct att_tpm_public *p)
{
	static const uint8_t name[34] = {0x00, 0x0b, 1, 2, 3};
	static const uint8_t cred[16] = {9, 9, 9};
	static const uint8_t fixed[32] = {0x11, 0x22, 0x33, 0x44};
	uint8_t n[2 + ATT_TPM_MAX_DIGEST_LEN];
	size_t nl = 0;
	struct att_pkey *k = NULL;
	struct att_tpm_credential *c = malloc(sizeof(*c));
	if (att_tpm_public_name(p, n, sizeof(n), &nl, NULL) == 0 &&
	    nl > sizeof(n))
		abort();
	att_tpm_public_pkey(p, &k, NULL);
	att_pkey_free(k);
	att_tpm_public_check_ak(p, NULL);
	if (c && att_tpm_public_check_ek(p, NULL) == 0)
		att_tpm_make_credential_kat(c, p, name, sizeof(name), cred,
					    sizeof(cred), fixed, sizeof(fixed),
					    NULL);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_tpm_public *p = malloc(sizeof(*p));
	static int quiet;
	if (!quiet) {
		setenv("TSS2_LOG", "all+none", 0);
		quiet = 1;
	}
	if (!p)
		return 0;
	if (att_tpm_public_parse(p, data, size, NULL) == 0)
		use(p);
	if (att_tpm_public_parse_tpmt(p, data, size, NULL) == 0)
		use(p);
	free(p);
	return 0;
}
