/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the api-version 2018-09-01-preview request body
 * (att_attest_legacy_body, server/api_attest.h). Input: one flag byte
 * (bit 0: OpenEnclave), then the body. Checked: an accepted body gives a
 * JSON object with a string "quote" (or "report") and at most a
 * runtimeData of dataType Binary; a refused one gives no output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest/err.h"
#include "server/api_attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool oe = data[0] & 1;
	struct att_diag d = {0};
	char *out = NULL;
	int r = att_attest_legacy_body(&out, oe, data + 1, size - 1, &d);
	if (r) {
		if (out)
			abort();
		return 0;
	}
	json_t *o = json_loads(out, 0, NULL);
	if (!json_is_string(json_object_get(o, oe ? "report" : "quote")))
		abort();
	json_t *rt = json_object_get(o, "runtimeData");
	if (rt && strcmp(json_string_value(json_object_get(rt, "dataType")),
			 "Binary") != 0)
		abort();
	if (json_object_size(o) != (rt ? 2u : 1u))
		abort();
	json_decref(o);
	free(out);
	return 0;
}
