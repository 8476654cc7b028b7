/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestation token: where the policy's issued claims go, the jti,
 * and signing. Issued claims appear twice, as MAA's two eras of tokens
 * show them (MAA docs "Claim sets"; docs/claims.md): inside "x-ms-policy"
 * (current MAA; the Azure SDK maps it to policyClaims) and at the top
 * level (the 2021 SGX tokens: is-debuggable, sgx-mrsigner, ..., tee). A
 * top-level copy is skipped when its name is reserved (registered JWT
 * claims, x-ms-*, x-attestd-*) or already used by the service, so a
 * policy can never overwrite iss, exp or a TCB status. Names are compared
 * ignoring ASCII case (X-MS-SGX-IS-DEBUGGABLE is reserved, and so is Iss,
 * next to an evidence claim maa-ehd MAA-EHD is taken): a relying party
 * reading claims case-insensitively must never see a policy's value for a
 * service's claim. Such a claim is only in x-ms-policy.
 *
 * A draft-policy token is unsigned, {"alg":"none","typ":"JWT"}, so that
 * it can never be taken for a real one (every verifier refuses alg none).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "server/api_attest.h"
#include "server/provider.h"
#include "server/server.h"
#include "token/jws.h"

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

/* unsigned_token makes the alg-none token of a draft policy, with the
 * same time and issuer claims a signed one gets. */
static int unsigned_token(char **out, struct att_req *req, json_t *claims,
			  struct att_diag *d)
{
	struct att_provider *p = req->prov;
	int64_t now = req->now;
	if (json_object_set_new(claims, "iat", json_integer(now)) ||
	    json_object_set_new(claims, "nbf", json_integer(now)) ||
	    json_object_set_new(claims, "exp",
				json_integer(now +
					     ATT_ATTEST_TOKEN_LIFETIME_SECONDS)) ||
	    json_object_set_new(claims, "iss", json_string(p->base_url)))
		return ATT_ERR_NOMEM;
	int r = req->srv->claims_hook
			? req->srv->claims_hook(req->srv, p, claims)
			: 0;
	if (r)
		return r;
	char *payload = json_dumps(claims, JSON_COMPACT);
	json_t *hdr = json_pack("{s:s}", "typ", "JWT");
	r = payload && hdr ? att_jws_unsigned(out, hdr, payload,
					      strlen(payload))
			   : ATT_ERR_NOMEM;
	if (r)
		att_diag_set(d, r, "cannot encode the draft-policy token");
	json_decref(hdr);
	free(payload);
	return r;
}

int att_attest_token(char **out, struct att_req *req, json_t *claims,
		     bool draft, struct att_diag *d)
{
	*out = NULL;
	if (draft)
		return unsigned_token(out, req, claims, d);
	return att_server_issue_token(req->srv, req->prov, claims, req->now,
				      ATT_ATTEST_TOKEN_LIFETIME_SECONDS, out,
				      d);
}
