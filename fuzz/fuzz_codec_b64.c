/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: base64/base64url and hex decoders, with a round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/b64.h"
#include "codec/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out;
	size_t n;
	if (att_b64_decode(&out, &n, (const char *)data, size) == 0) {
		char *e = att_b64url_encode(out, n);
		uint8_t *back;
		size_t m;
		if (e && att_b64_decode(&back, &m, e, strlen(e)) == 0) {
			if (m != n || memcmp(back, out, n) != 0)
				abort();
			free(back);
		}
		free(e);
		free(out);
	}
	if (att_hex_decode(&out, &n, (const char *)data, size) == 0)
		free(out);
	return 0;
}
