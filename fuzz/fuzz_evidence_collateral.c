/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: DCAP collateral parsers. The first byte selects the
 * parser: 0 TCB Info (PCS response), 1 QE Identity (PCS response), 2 a CRL
 * in any encoding (normalised, then parsed as DER), 3 the collateral
 * bundle JSON, 4 the raw JSON member span extractor; the rest is input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/x509.h"
#include "evidence/sgx/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tcb_info(const char *t, size_t n)
{
	struct att_tcb_info *ti = NULL;
	if (att_tcb_info_parse(&ti, t, n, NULL, 0, NULL) == 0) {
		/* the signed body is a slice of the input */
		if (ti->body_len > n || !memmem(t, n, ti->body, ti->body_len))
			abort();
		for (size_t i = 1; i < ti->n_levels; i++)
			if (memcmp(ti->levels[i - 1].sgx, ti->levels[i].sgx, 16) < 0)
				abort();
	}
	att_tcb_info_free(ti);
}

static void qe_identity(const char *t, size_t n)
{
	struct att_qe_identity *qi = NULL;
	if (att_qe_identity_parse(&qi, t, n, NULL, 0, NULL) == 0 &&
	    (qi->body_len > n || qi->n_levels == 0))
		abort();
	att_qe_identity_free(qi);
}

static void crl(const uint8_t *p, size_t n)
{
	uint8_t *der = NULL;
	size_t len = 0;
	struct att_x509_crl *c = NULL;
	if (att_dcap_crl_to_der(&der, &len, p, n, NULL) == 0 &&
	    att_x509_crl_from_der(&c, der, len) == 0) {
		int64_t a, b;
		char cn[64];
		att_x509_crl_times(c, &a, &b);
		att_x509_crl_issuer_cn(c, cn, sizeof(cn));
		att_x509_crl_has_number_and_aki(c);
	}
	att_x509_crl_free(c);
	free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_dcap_collateral *col = NULL;
	size_t off, len;
	if (size < 1)
		return 0;
	const char *t = (const char *)data + 1;
	size_t n = size - 1;
	switch (data[0] % 5) {
	case 0: tcb_info(t, n); break;
	case 1: qe_identity(t, n); break;
	case 2: crl(data + 1, n); break;
	case 3:
		att_dcap_collateral_from_bundle_json(&col, t, n, NULL);
		att_dcap_collateral_free(col);
		break;
	default:
		if (att_json_member_span(t, n, "tcbInfo", &off, &len) == 0 &&
		    (off > n || len > n - off))
			abort();
	}
	return 0;
}
