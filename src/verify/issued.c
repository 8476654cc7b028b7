/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the policy's issued claims go in the token, and the jti. Issued
 * claims appear twice, as MAA's two eras of tokens show them (MAA docs
 * "Claim sets"; docs/claims.md): inside "x-ms-policy" (current MAA; the
 * Azure SDK maps it to policyClaims) and at the top level (the 2021 SGX
 * tokens: is-debuggable, sgx-mrsigner, ..., tee). A top-level copy is
 * skipped when its name is reserved (registered JWT claims, x-ms-*,
 * x-attestd-*) or already used by the service, so a policy can never
 * overwrite iss, exp or a TCB status. Names are compared ignoring ASCII
 * case (X-MS-SGX-IS-DEBUGGABLE is reserved, and so is Iss, next to an
 * evidence claim maa-ehd MAA-EHD is taken): a relying party reading claims
 * case-insensitively must never see a policy's value for a service's
 * claim. Such a claim is only in x-ms-policy.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "verify/attest.h"

static const char *const reserved[] = {
	"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "nonce", "cnf",
	"x-ms-policy",
};

static bool is_reserved(const char *k)
{
	if (!strncasecmp(k, "x-ms-", 5) || !strncasecmp(k, "x-attestd-", 10))
		return true;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcasecmp(k, reserved[i]))
			return true;
	return false;
}

/* folded returns a lower-case copy of k (ASCII), or NULL. */
static char *folded(const char *k)
{
	char *f = strdup(k);
	for (char *p = f; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return f;
}

/* taken_names returns the set (an object) of the token's claim names,
 * folded to lower case; NULL when out of memory. */
static json_t *taken_names(json_t *token)
{
	json_t *set = json_object(), *v;
	const char *k;
	json_object_foreach(token, k, v)
	{
		char *f = folded(k);
		if (!set || !f || json_object_set_new(set, f, json_true())) {
			free(f);
			json_decref(set);
			return NULL;
		}
		free(f);
	}
	return set;
}

/* place puts one issued claim at the top level unless its name, ignoring
 * case, is reserved or taken (then it only stays in x-ms-policy). */
static int place(json_t *token, json_t *taken, const char *k, json_t *v)
{
	if (is_reserved(k))
		return 0;
	char *f = folded(k);
	int r = f ? 0 : ATT_ERR_NOMEM;
	if (!r && !json_object_get(taken, f) &&
	    (json_object_set(token, k, v) ||
	     json_object_set_new(taken, f, json_true())))
		r = ATT_ERR_NOMEM;
	free(f);
	return r;
}

int att_attest_place_issued(json_t *token, const struct att_claimset *issued)
{
	if (!issued->n)
		return 0;
	json_t *pol = att_claimset_to_object(issued);
	json_t *taken = pol ? taken_names(token) : NULL;
	int r = taken ? 0 : ATT_ERR_NOMEM;
	const char *k;
	json_t *v;
	json_object_foreach(pol, k, v)
	{
		if (r || (r = place(token, taken, k, v)) != 0)
			break;
	}
	json_decref(taken);
	if (!r && json_object_set_new(token, "x-ms-policy", pol))
		return ATT_ERR_NOMEM;
	if (r)
		json_decref(pol);
	return r;
}

int att_attest_jti(char out[static 65])
{
	uint8_t rnd[32];
	int r = att_rand_bytes(rnd, sizeof(rnd));
	if (r)
		return r;
	att_hex_encode(out, 65, rnd, sizeof(rnd), false);
	return 0;
}

