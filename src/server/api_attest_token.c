/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing the attestation token (the verifier's signer, api_attest.h):
 * with the provider's key, or, for a draft policy, unsigned,
 * {"alg":"none","typ":"JWT"}, so that it can never be taken for a real
 * one (every verifier refuses alg none).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "server/api_attest.h"
#include "server/provider.h"
#include "server/server.h"
#include "token/jws.h"

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
