/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the PCK certificate SGX extension parser (DER walked
 * with OpenSSL's ASN1_TYPE API). On failure the output must be zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sgx_ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct att_sgx_pck_ext zero;
	struct att_sgx_pck_ext e;
	struct att_diag d = {0};
	int rc = att_sgx_pck_ext_parse(&e, data, size, &d);
	if (rc != 0 && memcmp(&e, &zero, sizeof(e)) != 0)
		abort();
	if (rc == 0 && e.sgx_type > 2)
		abort();
	return 0;
}
