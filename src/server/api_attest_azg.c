/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/AzureGuest (docs/api.md "AzureGuest"): decode HTTP, give
 * the verifier (att_verify_azureguest) the provider's vTPM trust anchors
 * (config providers.NAME.vtpm_roots: PEM files of CA certificates, or of
 * pinned AIK certificates) and answer {"token": the token sealed to the
 * guest's EncKeyPub}, or the verifier's error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "server/api_attest.h"
#include "server/handlers.h"
#include "server/policy_budget.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"
#include "verify/verifier.h"

/* load_roots concatenates the PEM files of providers.NAME.vtpm_roots
 * (a string or an array of strings) into out. */
static int load_roots(struct att_buf *out, const struct att_server *srv,
		      const char *provider, struct att_diag *d)
{
	json_t *pc = srv->cfg ? json_object_get(srv->cfg->providers, provider)
			      : NULL;
	json_t *v = json_object_get(pc, "vtpm_roots"), *one = NULL, *e;
	size_t i;
	int rc = 0;
	if (!v)
		return 0;
	if (json_is_string(v) && !(v = one = json_pack("[O]", v)))
		return att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
	if (!json_is_array(v))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "config: providers.%s.vtpm_roots must be a "
				    "file name or an array of them",
				    provider);
	json_array_foreach(v, i, e)
	{
		const char *path = json_string_value(e);
		FILE *f = path ? fopen(path, "rb") : NULL;
		char chunk[4096];
		size_t n;
		if (!f) {
			rc = att_diag_set(d, ATT_ERR_IO,
					  "config: providers.%s.vtpm_roots[%zu] "
					  "cannot be read",
					  provider, i);
			break;
		}
		while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			rc = att_buf_add(out, chunk, n);
		fclose(f);
		if (!rc)
			rc = att_buf_adds(out, "\n");
		if (rc) {
			att_diag_set(d, rc, "config: providers.%s.vtpm_roots: %s",
				     provider, att_strerror(rc));
			break;
		}
	}
	json_decref(one);
	return rc;
}

/* sign is the verifier's signer: the provider's key, or the unsigned
 * token of a draft policy. */
static int sign(void *arg, json_t *claims, bool draft, char **token,
		struct att_diag *d)
{
	return att_attest_token(token, arg, claims, draft, d);
}

void att_api_attest_azureguest(struct att_req *req, struct att_resp *resp)
{
	struct att_diag d = {0};
	struct att_buf roots;
	struct att_attest_ctx *ctx = att_attest_ctx_of(req->srv, &d);
	if (!ctx) {
		att_resp_err(resp, d.code ? d.code : ATT_ERR_INTERNAL,
			     "InternalError",
			     "the attestation service is not initialised: %s",
			     att_diag_msg(&d));
		return;
	}
	att_buf_init(&roots, ATT_MAX_PEM_CERTS * ATT_MAX_CERT_LEN + 64);
	if (load_roots(&roots, req->srv, req->prov->name, &d) != 0) {
		att_resp_err(resp, d.code, "InternalError", "%s",
			     att_diag_msg(&d));
		att_buf_release(&roots);
		return;
	}
	struct att_verify_req vr = {
		.body = req->body,
		.body_len = req->body_len,
		.provider = req->prov->name,
		.now = req->now,
		.sign = sign,
		.sign_arg = req,
		.vtpm_roots_pem = roots.len ? (const char *)roots.data : NULL,
		.vtpm_roots_len = roots.len,
		/* x-ms-compliance-status floor (verify/compliance.h) */
		.compliance = &req->prov->compliance.azureguest,
	};
	struct att_verify_result res;
	att_policy_limits_of(&vr.limits, &req->prov->limits);
	att_policy_budget_of(&vr.budget, &req->prov->limits);
	att_verify_result_init(&res);
	if (att_verify_azureguest(ctx->verifier, &vr, &res) != 0)
		att_resp_err(resp, res.err, res.maa_code, "%s", res.msg);
	else
		att_resp_token(resp, res.reply);
	att_verify_result_release(&res);
	att_buf_release(&roots);
}
