/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the sealed answer of POST /attest/AzureGuest as the
 * client reads it (att_azg_sealed_parse), then opened (att_azg_open)
 * with an unwrap that yields a fixed 32-byte key, so the AES-GCM and
 * token-shape steps run on fuzzed envelopes (seeds are sealed under that
 * key: 0x00..0x1f). Invariants: a failed parse leaves nothing allocated;
 * an opened token is a NUL-terminated string of the ciphertext's length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/azguest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int unwrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t *out,
		  size_t cap, size_t *out_len, struct att_diag *d)
{
	(void)ctx, (void)in, (void)d;
	if (in_len == 0 || cap < 32)
		abort();
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)i;
	*out_len = 32;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_azg_sealed s;
	struct att_diag d;
	char *jwt = NULL;
	att_diag_clear(&d);
	int r = att_azg_sealed_parse(&s, data, size, &d);
	if (r && (s.jwt_ct || s.wrapped_key))
		abort();
	if (r == 0 && att_azg_open(&jwt, &s, unwrap, NULL, &d) == 0 &&
	    (!jwt || strlen(jwt) != s.jwt_ct_len))
		abort();
	free(jwt);
	att_azg_sealed_release(&s);
	return 0;
}
