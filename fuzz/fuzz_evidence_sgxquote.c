/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the DCAP quote parser (plain and Open Enclave framed)
 * and att_dcap_quote_info, which also splits the PEM chain and parses the
 * PCK certificate's SGX extension. Checks the parser's invariants: on
 * success every slice lies inside the input, the lengths add up and what
 * follows the signature data is zero padding within the limit; on
 * failure the output is zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "evidence/sgx/verify.h"

static int inside(const uint8_t *p, size_t n, const uint8_t *b, size_t len)
{
	return p >= b && n <= len && (size_t)(p - b) <= len - n;
}

/* On success the bytes after the signature data (and past an OE
 * report's declared size) are the input's last trailing_len bytes, all
 * zero and within the padding limit. */
static void check_padding(const struct att_sgx_quote *q, const uint8_t *b,
			  size_t len)
{
	size_t head = q->oe_header ? ATT_SGX_OE_HEADER_LEN : 0;
	if (head + q->total_len + q->trailing_len != len ||
	    q->trailing_len > ATT_SGX_QUOTE_MAX_PADDING)
		abort();
	for (size_t i = len - q->trailing_len; i < len; i++)
		if (b[i] != 0)
			abort();
}

static void check(const struct att_sgx_quote *q, int rc, const uint8_t *b,
		  size_t len)
{
	static const struct att_sgx_quote zero;
	if (rc != 0) {
		if (memcmp(q, &zero, sizeof(zero)) != 0)
			abort();
		return;
	}
	if (!inside(q->signed_data, q->signed_len, b, len) ||
	    !inside(q->cert_data, q->cert_len, b, len) ||
	    !inside(q->qe_auth, q->qe_auth_len, b, len) ||
	    !inside(q->qe_report.raw, 384, b, len) ||
	    q->total_len + q->trailing_len > len)
		abort();
	check_padding(q, b, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_sgx_quote q;
	struct att_dcap_quote_info qi;
	int rc = att_sgx_quote_parse(&q, data, size, 0, NULL);
	check(&q, rc, data, size);
	if (rc == 0)
		att_dcap_quote_info(&qi, data, size, 0, NULL);
	rc = att_sgx_quote_parse_oe(&q, data, size, NULL);
	check(&q, rc, data, size);
	return 0;
}
