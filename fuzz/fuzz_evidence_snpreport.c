/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the SEV-SNP report parser and att_snp_verify with an
 * empty trust store. The input is a report, optionally followed by a DER
 * certificate taken as the VEK, so that the signer, certificate-kind and
 * product steps and the readers of AMD's certificate extensions (product
 * name, hwID, SPL INTEGERs) run on fuzzed bytes; the chain step then
 * refuses (no ARK is pinned). Invariants: a failed parse leaves the output
 * zeroed, a successful one keeps the input in raw; verify never succeeds
 * without a trust anchor.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/x509.h"
#include "evidence/snp/snp.h"
#include "evidence/snp/snp_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_vek(const struct att_cert *vek)
{
	struct att_snp_tcb t;
	const uint8_t *id;
	size_t len;
	char name[32];
	if (att_snp_vek_hwid(vek, &id, &len) == 0 && len > 0 && id == NULL)
		abort();
	att_snp_vek_product(vek, name, sizeof(name));
	if (memchr(name, 0, sizeof(name)) == NULL)
		abort();
	for (int p = ATT_SNP_MILAN; p < ATT_SNP_PRODUCT_COUNT; p++)
		if (att_snp_vek_tcb(vek, (enum att_snp_product)p, &t, NULL) ==
			    0 &&
		    t.raw != att_snp_tcb_encode(&t, (enum att_snp_product)p))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct att_snp_report rep;
	static struct att_snp_result res;
	static const struct att_snp_report zero;
	static struct att_snp_trust *empty;
	struct att_cert *vek = NULL;
	size_t n = size < ATT_SNP_REPORT_LEN ? size : ATT_SNP_REPORT_LEN;
	int rc = att_snp_report_parse(&rep, data, size, NULL);
	if (rc != 0 && memcmp(&rep, &zero, sizeof(rep)) != 0)
		abort();
	rc = att_snp_report_parse(&rep, data, n, NULL);
	if (rc == 0 && memcmp(rep.raw, data, n) != 0)
		abort();
	if (!empty && att_snp_trust_new_empty(&empty) != 0)
		return 0;
	if (size > ATT_SNP_REPORT_LEN &&
	    att_cert_from_der(&vek, data + n, size - n) == 0)
		fuzz_vek(vek);
	struct att_snp_certs certs = {.vek = vek};
	struct att_cert *chain[1] = {vek};
	if (vek) {
		certs.chain = chain;
		certs.n_chain = 1;
	}
	struct att_snp_appraisal ap = {.max_vmpl = 3};
	if (att_snp_verify(&res, data, n, &certs, empty, &ap, 1700000000,
			   NULL) == 0)
		abort();
	att_cert_free(vek);
	return 0;
}
