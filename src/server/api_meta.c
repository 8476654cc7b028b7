/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /certs (the provider's JWKS) and GET /.well-known/openid-configuration
 * (MAA REST API "Metadata Configuration", "Signing Certificates";
 * docs/tokens.md). /certs publishes every key that may still have
 * valid tokens out (active, or retired less than a token lifetime ago) with
 * kid, kty, alg, use, x5c and the raw public members, which jose needs.
 */
#include <stdio.h>

#include "attest/err.h"
#include "server/handlers.h"
#include "server/keys.h"
#include "server/provider.h"
#include "server/server.h"

void att_api_certs(struct att_req *req, struct att_resp *resp)
{
	struct att_keyset *ks = NULL;
	struct att_diag d = {0};
	json_t *jwks = NULL;
	int r = att_keys_current(&ks, req->prov, req->srv->store,
				 req->srv->master, false, &d);
	if (!r)
		r = att_keyset_jwks(&jwks, ks, req->now);
	if (r)
		att_resp_err(resp, r, "InternalError",
			     "cannot load the signing keys: %s",
			     att_diag_msg(&d));
	else
		att_resp_json(resp, jwks);
	json_decref(jwks);
	att_keyset_unref(ks);
}

static const char *const claims_supported[] = {
	"cnf", "nonce", "x-ms-ver", "x-ms-attestation-type", "x-ms-policy-hash",
	"x-ms-policy-signer", "x-ms-sgx-is-debuggable", "x-ms-sgx-mrenclave",
	"x-ms-sgx-mrsigner", "x-ms-sgx-svn", "x-ms-sgx-ehd",
	"x-ms-sgx-collateral", "is-debuggable", "sgx-mrsigner",
	"sgx-mrenclave", "product-id", "svn", "tee",
};

void att_api_openid(struct att_req *req, struct att_resp *resp)
{
	const char *base = req->prov->base_url;
	char jwks_uri[1200], revoke[1200];
	snprintf(jwks_uri, sizeof(jwks_uri), "%s/certs", base);
	snprintf(revoke, sizeof(revoke), "%s/revoke", base);
	json_t *claims = json_array();
	for (size_t i = 0;
	     claims && i < sizeof(claims_supported) / sizeof(claims_supported[0]);
	     i++)
		json_array_append_new(claims, json_string(claims_supported[i]));
	json_t *o = json_pack("{s:[s,s], s:[s,s], s:s, s:s, s:s, s:o*}",
			      "response_types_supported", "token", "none",
			      "id_token_signing_alg_values_supported", "RS256",
			      "ES256", "revocation_endpoint", revoke, "issuer",
			      base, "jwks_uri", jwks_uri, "claims_supported",
			      claims);
	if (!o)
		att_resp_err(resp, ATT_ERR_NOMEM, NULL,
			     "cannot build the metadata");
	else
		att_resp_json(resp, o);
	json_decref(o);
}
