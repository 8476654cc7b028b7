/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /policies/{attestationType} (MAA REST API "Policy - Get";
 * docs/policy-management.md): the provider's
 * current policy, returned as MAA does: {"token": JWT} whose claims hold
 * "x-ms-policy", the stored policy JWS exactly as it was set. A provider
 * that never set a policy for the type answers with MAA's form for the
 * default: the unsigned JWS {"alg":"none"}.{"AttestationPolicy":
 * "<b64url policy text>"}. with att_policy_default_served_text, when
 * that default is MAA's own text (SgxEnclave, OpenEnclave, SevSnpVm). A
 * type with no default (Tpm), or whose MAA default is not known (TdxVm,
 * AzureGuest: attestd evaluates a stand-in it does not present as MAA's),
 * and no policy set answers 200 as MAA does
 * (tests/vectors/maa/real-outputs/py-getpolicy-tpm-2022-0-c6902a871570.json):
 * x-ms-policy is the unsigned JWS with an empty payload,
 * "eyJhbGciOiJub25lIn0..". Every MAA attestation type can be read; the
 * writes (api_policy_mgmt.c) take only the types attestd serves.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "policy/defaults.h"
#include "server/handlers.h"
#include "server/provider.h"
#include "server/server.h"
#include "store/store.h"
#include "token/jws.h"

/* MAA's answer for a type without a policy (header {"alg":"none"}). */
#define ATT_POLICY_NONE_JWS "eyJhbGciOiJub25lIn0.."

static const char *const maa_types[] = {
	"SgxEnclave", "OpenEnclave", "Tpm", "SevSnpVm", "TdxVm", "AzureGuest",
};

const char *att_attestation_type_canonical(const char *type)
{
	for (size_t i = 0; i < sizeof(maa_types) / sizeof(maa_types[0]); i++)
		if (!strcasecmp(type, maa_types[i]))
			return maa_types[i];
	return NULL;
}

/* default_jws makes MAA's unsigned JWS around the default policy text. */
static int default_jws(char **out, const char *text)
{
	char *b64 = att_b64url_encode((const uint8_t *)text, strlen(text));
	json_t *payload = b64 ? json_pack("{s:s}", "AttestationPolicy", b64)
			      : NULL;
	char *ps = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	int r = ps ? att_jws_unsigned(out, NULL, ps, strlen(ps))
		   : ATT_ERR_NOMEM;
	free(ps);
	json_decref(payload);
	free(b64);
	return r;
}

/* current_jws returns the stored policy JWS or the default one; fills
 * resp and returns non-zero when there is none. */
static int current_jws(struct att_req *req, struct att_resp *resp,
		       const char *type, char **out)
{
	struct att_store_policy p = {0};
	struct att_diag d = {0};
	int r = att_store_policy_get(req->srv->store, req->prov->name, type,
				     &p, &d);
	if (r == 0) {
		*out = p.jws;
		p.jws = NULL; /* transferred */
		att_store_policy_release(&p);
		return 0;
	}
	if (r != ATT_ERR_NOT_FOUND) {
		att_resp_err(resp, r, "InternalError",
			     "cannot read the policy: %s", att_diag_msg(&d));
		return r;
	}
	/* Only MAA's own default text is served; a type whose MAA default
	 * is unknown (TdxVm, AzureGuest: attestd applies a stand-in) or
	 * that has none (Tpm) answers as MAA does without a policy. */
	const char *text = att_policy_default_served_text(type);
	if (!text) {
		/* MAA's answer when no policy is set: {"alg":"none"}, an
		 * empty payload and an empty signature. */
		*out = strdup(ATT_POLICY_NONE_JWS);
		r = *out ? 0 : ATT_ERR_NOMEM;
	} else
		r = default_jws(out, text);
	if (r)
		att_resp_err(resp, r, "InternalError",
			     "cannot encode the default policy");
	return r;
}

void att_api_policy_get(struct att_req *req, struct att_resp *resp)
{
	const char *type = att_attestation_type_canonical(req->match.params[0]);
	char *jws = NULL, *token = NULL;
	struct att_diag d = {0};
	if (!type) {
		att_resp_err(resp, ATT_ERR_UNSUPPORTED, "InvalidParameter",
			     "unknown attestation type '%.64s' (MAA's: "
			     "SgxEnclave, OpenEnclave, Tpm, TdxVm, SevSnpVm, "
			     "AzureGuest)",
			     req->match.params[0]);
		return;
	}
	if (current_jws(req, resp, type, &jws) != 0)
		return;
	json_t *claims = json_pack("{s:s}", "x-ms-policy", jws);
	int r = claims ? att_server_issue_token(req->srv, req->prov, claims,
						req->now,
						ATT_POLICY_TOKEN_LIFETIME_SECONDS,
						&token, &d)
		       : ATT_ERR_NOMEM;
	if (r)
		att_resp_err(resp, r, "InternalError",
			     "cannot sign the response: %s",
			     att_diag_msg(&d));
	else
		att_resp_token(resp, token);
	json_decref(claims);
	free(jws);
	free(token);
}
