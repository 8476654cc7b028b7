/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api-version 2018-09-01-preview, MAA's first public preview (see
 * api_attest.h and docs/api.md, "api-version 2018-09-01-preview"): its
 * request body {"Quote": b64url, "EnclaveHeldData": b64url} is turned
 * into the 2020-10-01 body the verifier reads, and the verifier's claim
 * set into that version's token claims, as a real token of that version
 * shows them (tests/vectors/maa/real-outputs/oe-2018preview-uks.json):
 * the policy's issued claims at the top level, "maa-ehd",
 * "maa-policyHash" and "maa-attestationcollateral", and no x-ms-* claim
 * (attestd's own x-attestd-* claims are kept: docs/claims.md).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "server/api_attest.h"

int att_attest_legacy_body(char **out, bool oe, const uint8_t *body,
			   size_t len, struct att_diag *d)
{
	json_error_t je;
	json_t *in = NULL, *o = NULL;
	int r = 0;
	*out = NULL;
	in = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(in)) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "2018-09-01-preview request: the body is not "
				 "a JSON object");
		goto out;
	}
	json_t *q = json_object_get(in, "Quote");
	json_t *ehd = json_object_get(in, "EnclaveHeldData");
	if (!json_is_string(q)) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "2018-09-01-preview request: \"Quote\" (a "
				 "base64url string) is missing");
		goto out;
	}
	if (ehd && !json_is_string(ehd)) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "2018-09-01-preview request: "
				 "\"EnclaveHeldData\" is not a string");
		goto out;
	}
	o = json_pack("{s:O}", oe ? "report" : "quote", q);
	if (o && ehd &&
	    json_object_set_new(o, "runtimeData",
				json_pack("{s:O, s:s}", "data", ehd,
					  "dataType", "Binary")))
		r = ATT_ERR_NOMEM;
	if (!o || r) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	*out = json_dumps(o, JSON_COMPACT);
	if (!*out)
		r = ATT_ERR_NOMEM;
out:
	json_decref(o);
	json_decref(in);
	return r;
}

/* policy_hash_hex: the 2018 form of the policy hash, hex of the 32 bytes
 * whose base64url is x-ms-policy-hash. */
static json_t *policy_hash_hex(json_t *b64)
{
	uint8_t *raw = NULL;
	size_t n = 0;
	char hex[65];
	const char *s = json_string_value(b64);
	json_t *v = NULL;
	if (s && att_b64url_decode_strict(&raw, &n, s, strlen(s), NULL) == 0 &&
	    n == 32) {
		att_hex_encode(hex, sizeof(hex), raw, n, false);
		v = json_string(hex);
	}
	free(raw);
	return v;
}

/* collateral: x-ms-sgx-collateral {"qeidhash": ...} as
 * {"maa-qeidhash": ...}. */
static json_t *collateral(json_t *c)
{
	json_t *o = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(c, k, v)
	{
		char name[64];
		if (strlen(k) + 5 > sizeof(name))
			continue;
		memcpy(name, "maa-", 4);
		memcpy(name + 4, k, strlen(k) + 1);
		if (o && json_object_set(o, name, v)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int att_attest_legacy_claims(json_t *claims, struct att_diag *d)
{
	json_t *ehd = json_incref(json_object_get(claims, "x-ms-sgx-ehd"));
	json_t *ph = policy_hash_hex(json_object_get(claims,
						     "x-ms-policy-hash"));
	json_t *col = json_object_get(claims, "x-ms-sgx-collateral");
	json_t *mcol = col ? collateral(col) : NULL;
	int r = 0;
	if (!ph || (col && !mcol)) {
		r = att_diag_set(d, ph ? ATT_ERR_NOMEM : ATT_ERR_INTERNAL,
				 "cannot make the 2018-09-01-preview claims");
		goto out;
	}
	/* Drop every x-ms-* claim, the jti and aas-ehd (2020-10-01's legacy
	 * name of the held data; this version calls it maa-ehd), which that
	 * version had not. attestd's own x-attestd-* claims stay. */
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(claims, tmp, k, v)
	{
		if (!strncmp(k, "x-ms-", 5) || !strcmp(k, "jti") ||
		    !strcmp(k, "aas-ehd"))
			json_object_del(claims, k);
	}
	if ((ehd && json_object_set(claims, "maa-ehd", ehd)) ||
	    json_object_set(claims, "maa-policyHash", ph) ||
	    (mcol && json_object_set(claims, "maa-attestationcollateral",
				     mcol)))
		r = att_diag_set(d, ATT_ERR_NOMEM,
				 "cannot make the 2018-09-01-preview claims");
out:
	json_decref(ehd);
	json_decref(ph);
	json_decref(mcol);
	return r;
}
