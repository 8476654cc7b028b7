/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x-ms-policy-hash (MAA docs "Claim sets", reproduced bit-exactly from MAA
 * traffic): the SHA-256 of the policy as MAA stores it, that is of the
 * ASCII text b64url(UTF-8 policy), itself encoded b64url. Hashing the raw
 * text gives a different value.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "crypto/digest.h"
#include "policy/policy.h"

int att_policy_hash(char out[static ATT_POLICY_HASH_LEN], const char *text,
		    size_t len)
{
	out[0] = 0;
	if (len > ATT_MAX_POLICY_LEN)
		return ATT_ERR_LIMIT;
	char *stored = att_b64url_encode((const uint8_t *)(text ? text : ""),
					 text ? len : 0);
	if (!stored)
		return ATT_ERR_NOMEM;
	uint8_t md[32];
	att_sha256(md, stored, strlen(stored));
	free(stored);
	char *h = att_b64url_encode(md, sizeof(md));
	if (!h)
		return ATT_ERR_NOMEM;
	memcpy(out, h, ATT_POLICY_HASH_LEN - 1);
	out[ATT_POLICY_HASH_LEN - 1] = 0;
	free(h);
	return 0;
}
