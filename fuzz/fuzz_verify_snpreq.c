/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the POST /attest/SevSnpVm request decoder
 * (src/verify/snp_request.c, att_snp_request_decode): the body, the
 * base64url "report" document {SnpReport, VcekCertChain, CertTable} and
 * runtimeData / initTimeData. A decoded request always holds a report of
 * exactly ATT_SNP_REPORT_LEN bytes and members within their limits; the
 * binding check then runs against a report parsed from it when it
 * parses. Seeds: MAA's AttestSevSnpVm example body, its {"request": ...}
 * form, a raw-report body and malformed documents.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "evidence/snp/snp.h"
#include "verify/snp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_snp_request rq;
	struct att_diag d = {0};
	int r = att_snp_request_decode(&rq, data, size, &d);
	if (r == 0) {
		if (rq.report_len != ATT_SNP_REPORT_LEN || !rq.report)
			abort();
		if (rq.chain_len > ATT_SNP_MAX_CHAIN_CERTS * ATT_SNP_MAX_CERT_LEN ||
		    rq.cert_table_len > ATT_SNP_MAX_CERT_TABLE_LEN)
			abort();
		struct att_snp_report rep;
		if (att_snp_report_parse(&rep, rq.report, rq.report_len, &d) ==
		    0)
			(void)att_snp_binding_check(&rq, &rep, &d);
	} else if (r > 0) {
		abort();
	}
	att_snp_request_release(&rq);
	return 0;
}
