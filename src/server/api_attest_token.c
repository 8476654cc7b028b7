/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestation token: where the policy's issued claims go, the jti,
 * and signing. Issued claims appear twice, as MAA's two eras of tokens
 * show them (maa-api.md §2.3, §2.5): inside the object "x-ms-policy"
 * (current MAA; the Azure SDK maps it to policyClaims) and at the top
 * level (the 2021 SGX tokens: is-debuggable, sgx-mrsigner, ..., tee). A
 * top-level copy is skipped when its name is reserved (registered JWT
 * claims, x-ms-*, x-attestd-*) or already used by the service, so a
 * policy can never overwrite iss, exp or a TCB status.
 *
 * A draft-policy token is unsigned, {"alg":"none","typ":"JWT"}, so that
 * it can never be taken for a real one (every verifier refuses alg none).
 */
#include <stdlib.h>
#include <string.h>

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
	if (!strncmp(k, "x-ms-", 5) || !strncmp(k, "x-attestd-", 10))
		return true;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(k, reserved[i]))
			return true;
	return false;
}

int att_attest_place_issued(json_t *token, const struct att_claimset *issued)
{
	if (!issued->n)
		return 0;
	json_t *pol = att_claimset_to_object(issued);
	if (!pol)
		return ATT_ERR_NOMEM;
	const char *k;
	json_t *v;
	json_object_foreach(pol, k, v)
	{
		if (is_reserved(k) || json_object_get(token, k))
			continue;
		if (json_object_set(token, k, v) != 0) {
			json_decref(pol);
			return ATT_ERR_NOMEM;
		}
	}
	return json_object_set_new(token, "x-ms-policy", pol) ? ATT_ERR_NOMEM
							       : 0;
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
