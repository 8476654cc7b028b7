/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the HCL report parser of the AzureGuest client
 * (att_hcl_parse; what a vTPM's NV 0x01400001 or a file holds) and
 * att_hcl_binds on what it accepts. Invariants: a failed parse zeroes
 * the output; an accepted report's hardware report and runtime data lie
 * inside the input, and rebuilding it from its parts parses to the same
 * parts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/azguest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const uint8_t *p, size_t n, const uint8_t *base,
		   size_t size)
{
	return p >= base && n <= size && (size_t)(p - base) <= size - n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_hcl_report h, h2;
	struct att_diag d;
	struct att_buf b;
	att_diag_clear(&d);
	if (att_hcl_parse(&h, data, size, &d) != 0) {
		if (h.hw_report || h.runtime_data || h.report_type)
			abort();
		return 0;
	}
	if (!inside(h.hw_report, h.hw_report_len, data, size) ||
	    !inside(h.runtime_data, h.runtime_data_len, data, size))
		abort();
	(void)att_hcl_binds(&h);
	att_buf_init(&b, ATT_MAX_HCL_REPORT_LEN);
	if (h.hash_type == ATT_HCL_HASH_SHA256 &&
	    att_hcl_build(&b, h.report_type, h.hw_report, h.hw_report_len,
			  h.runtime_data, h.runtime_data_len) == 0) {
		if (att_hcl_parse(&h2, b.data, b.len, &d) != 0 ||
		    h2.report_type != h.report_type ||
		    h2.runtime_data_len != h.runtime_data_len ||
		    memcmp(h2.hw_report, h.hw_report, h.hw_report_len) ||
		    (h.runtime_data_len &&
		     memcmp(h2.runtime_data, h.runtime_data,
			    h.runtime_data_len)))
			abort();
	}
	att_buf_release(&b);
	return 0;
}
