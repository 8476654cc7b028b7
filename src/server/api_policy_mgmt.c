/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PUT /policies/{attestationType} and POST /policies/{attestationType}:reset
 * (MAA REST API "Policy - Set/Reset", MAA docs "How to author and sign an
 * attestation policy"; docs/policy-management.md). The body is a
 * text/plain JWS: for PUT its
 * payload is {"AttestationPolicy": "<b64url policy text>"}, for reset it
 * is empty. Isolated providers require the JWS to be signed by one of
 * their policy management certificates; aad providers accept it unsigned
 * and report the signer of a signed one. PUT compiles the policy first (a
 * syntax error is PolicyParsingError with its line and column), then
 * stores the JWS exactly as received together with one audit record in
 * one transaction, and answers PolicyResult {"x-ms-policy-result":
 * "Updated", "x-ms-policy-token-hash": b64url(SHA-256(JWS)),
 * "x-ms-policy-signer"?}. Reset deletes the stored policy (the type's
 * default applies again; Tpm has none) and answers "Removed". The stored
 * hash changes with every PUT, so a policy cache keyed by it sees the new
 * policy on the very next request. Both honour the upload's binding
 * claims (polsign.h) and, under limits.policy_strict_binding, require
 * them and refuse a rollback; the upload's iat is stored as the type's
 * current binding iat (docs/policy-management.md).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/defaults.h"
#include "policy/policy.h"
#include "server/api_policy_mgmt.h"
#include "server/handlers.h"
#include "server/policy_budget.h"
#include "server/polsign.h"
#include "server/provider.h"
#include "server/server.h"
#include "store/store.h"

/* path_type returns the canonical attestation type of the request, or
 * answers 400 and returns NULL. */
static const char *path_type(struct att_req *req, struct att_resp *resp)
{
	const char *type = att_attestation_type_canonical(req->match.params[0]);
	if (type && att_policy_type_known(type))
		return type;
	att_resp_err(resp, ATT_ERR_UNSUPPORTED, "InvalidParameter",
		     "unknown or unsupported attestation type '%.64s' "
		     "(supported: SgxEnclave, OpenEnclave, Tpm, TdxVm, "
		     "SevSnpVm)",
		     req->match.params[0]);
	return NULL;
}

static bool is_isolated(const struct att_req *req)
{
	return req->prov->mode && !strcmp(req->prov->mode, "isolated");
}

/* check_upload parses the body and checks its signature under the
 * provider's rules; fills resp and returns non-zero on failure. Call with
 * the change lock held (the certificate list must not change meanwhile). */
static int check_upload(struct att_req *req, struct att_resp *resp,
			struct att_polsign *ps, char **owned, const char **jws,
			size_t *len)
{
	struct att_store_polcert *certs = NULL;
	struct att_diag d = {0};
	size_t n = 0;
	att_polsign_init(ps);
	if (att_polmgmt_body_jws(req, resp, jws, len, owned) != 0)
		return ATT_ERR_FORMAT;
	bool iso = is_isolated(req);
	int r = iso ? att_store_polcert_list(req->srv->store, req->prov->name,
					     &certs, &n, &d)
		    : 0;
	if (r) {
		att_resp_err(resp, r, "InternalError",
			     "cannot read the policy management "
			     "certificates: %s",
			     att_diag_msg(&d));
		return r;
	}
	r = att_polsign_check(ps, *jws, *len, iso, certs, n, &d);
	if (r)
		att_polmgmt_check_error(resp, r, &d);
	att_store_polcert_list_free(certs, n);
	return r;
}

/* bind_check checks the upload's binding claims and, under strict
 * binding, the rollback rule against the type's current binding iat
 * (noop: the change would change nothing). *iat gets the upload's iat (0:
 * none). Fills resp and returns non-zero on refusal. Call with the change
 * lock held (the current iat must not change meanwhile). */
static int bind_check(struct att_req *req, struct att_resp *resp,
		      const struct att_polsign *ps, const char *type,
		      bool reset, bool noop, int64_t *iat)
{
	struct att_polsign_expect e = {
		.type = type,
		.issuer = req->prov->base_url,
		.now = req->now,
		.strict = req->prov->limits.policy_strict_binding,
		.reset = reset};
	struct att_polsign_binding b;
	struct att_diag d = {0};
	int64_t cur = 0;
	int r = att_polsign_check_binding(&b, &ps->jws, &e, &d);
	if (!r && e.strict &&
	    (r = att_store_policy_iat(req->srv->store, req->prov->name, type,
				      &cur, &d)) == 0)
		r = att_polsign_check_rollback(b.iat, cur, noop, type, &d);
	if (r)
		att_polmgmt_binding_error(resp, r, &d);
	*iat = b.has_iat ? b.iat : 0;
	return r;
}

/* compile_check compiles the uploaded policy within the provider's limits
 * (PolicyParsingError when it does not compile, naming a limit it
 * exceeds), then tries it on a representative claim set of the type
 * within the provider's budget (PolicyEvaluationError when it cannot run
 * within it: policy_budget.h). */
static int compile_check(struct att_req *req, struct att_resp *resp,
			 const char *type, const struct att_jws *jws)
{
	struct att_policy_error pe = {0};
	struct att_policy_limits lim;
	struct att_policy *pol = NULL;
	struct att_diag d = {0};
	char *text = NULL;
	size_t len = 0;
	int r = att_polsign_policy_text(&text, &len, jws, &d);
	if (r) {
		att_resp_err(resp, r, "InvalidOperation", "%s",
			     att_diag_msg(&d));
		return r;
	}
	att_policy_limits_of(&lim, &req->prov->limits);
	r = att_policy_compile_limited(&pol, text, len, &lim, &pe, &d);
	const char *ln = att_policy_limit_name(pe.limit);
	if (r == ATT_ERR_NOMEM)
		att_resp_err(resp, r, NULL, "out of memory");
	else if (r && pe.line)
		att_resp_err(resp, r, "PolicyParsingError",
			     "Policy parsing error at line %u, column %u: "
			     "%s%s%s%s",
			     pe.line, pe.column, pe.msg, *ln ? " (" : "", ln,
			     *ln ? ")" : "");
	else if (r)
		att_resp_err(resp, r, "PolicyParsingError",
			     "Policy parsing error: %s",
			     pe.msg[0] ? pe.msg : att_diag_msg(&d));
	else if ((r = att_policy_trial(pol, type, &req->prov->limits, &d)))
		att_resp_err(resp, r, "PolicyEvaluationError",
			     "the policy cannot run within this provider's "
			     "budget: %s",
			     att_diag_msg(&d));
	att_policy_free(pol);
	free(text);
	return r;
}

/* old_hash reads the stored policy's hash (NULL when none). */
static int old_hash(struct att_req *req, const char *type, char **out,
		    struct att_diag *d)
{
	struct att_store_policy p = {0};
	*out = NULL;
	int r = att_store_policy_get(req->srv->store, req->prov->name, type,
				     &p, d);
	if (r == ATT_ERR_NOT_FOUND)
		return 0;
	if (!r) {
		*out = p.hash;
		p.hash = NULL; /* transferred */
	}
	att_store_policy_release(&p);
	return r;
}

/* put_prepare hashes the upload, reads the stored policy's hash (*old,
 * NULL when none) and checks the binding claims (bind_check); fills resp
 * and returns non-zero on failure. */
static int put_prepare(struct att_req *req, struct att_resp *resp,
		       const struct att_polsign *ps, const char *type,
		       const char *jws, size_t len, char hash[static 44],
		       char **old, int64_t *iat)
{
	struct att_diag d = {0};
	att_polmgmt_token_hash(hash, jws, len);
	if (old_hash(req, type, old, &d) != 0) {
		att_resp_err(resp, ATT_ERR_STORE, NULL,
			     "cannot read the stored policy: %s",
			     att_diag_msg(&d));
		return ATT_ERR_STORE;
	}
	return bind_check(req, resp, ps, type, false,
			  *old && !strcmp(*old, hash), iat);
}

/* store_policy writes the policy and its audit record (one transaction);
 * old is the replaced policy's hash (NULL: none), iat the binding iat. */
static int store_policy(struct att_req *req, const char *type,
			const struct att_polsign *ps, const char *jws,
			size_t len, const char *hash, const char *old,
			int64_t iat, struct att_diag *d)
{
	char actor[ATT_AUDIT_ACTOR_LEN], *copy = strndup(jws, len);
	int r = copy ? 0 : ATT_ERR_NOMEM;
	if (r)
		goto out;
	att_polmgmt_actor(actor, req->auth_claims, ps->thumbprint);
	struct att_store_policy p = {.provider = req->prov->name,
				     .type = (char *)type,
				     .jws = copy,
				     .hash = (char *)hash,
				     .updated = req->now,
				     .iat = iat};
	struct att_store_audit a = {.provider = req->prov->name,
				    .time = req->now,
				    .actor = actor,
				    .action = "set-policy",
				    .type = (char *)type,
				    .old_hash = (char *)old,
				    .new_hash = (char *)hash};
	r = att_store_policy_put(req->srv->store, &p, &a, d);
out:
	free(copy);
	return r;
}

/* reply_result answers a PolicyResult token. */
static void reply_result(struct att_req *req, struct att_resp *resp,
			 const char *result, const char *hash, json_t *signer)
{
	json_t *claims = json_pack("{s:s}", "x-ms-policy-result", result);
	int bad = !claims;
	if (!bad && hash)
		bad = json_object_set_new(claims, "x-ms-policy-token-hash",
					  json_string(hash));
	if (!bad && signer)
		bad = json_object_set(claims, "x-ms-policy-signer", signer);
	if (bad)
		att_resp_err(resp, ATT_ERR_NOMEM, NULL, "out of memory");
	else
		att_polmgmt_reply(req, resp, claims);
	json_decref(claims);
}

void att_api_policy_put(struct att_req *req, struct att_resp *resp)
{
	struct att_polsign ps;
	struct att_diag d = {0};
	char *owned = NULL, *old = NULL, hash[44];
	const char *jws = NULL;
	size_t len = 0;
	int64_t iat = 0;
	const char *type = path_type(req, resp);
	att_polsign_init(&ps);
	if (!type)
		return;
	att_polmgmt_lock();
	att_polmgmt_stamp(req);
	bool ok = check_upload(req, resp, &ps, &owned, &jws, &len) == 0 &&
		  put_prepare(req, resp, &ps, type, jws, len, hash, &old,
			      &iat) == 0 &&
		  compile_check(req, resp, type, &ps.jws) == 0;
	if (ok) {
		int r = store_policy(req, type, &ps, jws, len, hash, old, iat,
				     &d);
		if (r) {
			att_resp_err(resp, r, "InternalError",
				     "cannot store the policy: %s",
				     att_diag_msg(&d));
			ok = false;
		}
	}
	att_polmgmt_unlock();
	if (ok)
		reply_result(req, resp, "Updated", hash, ps.signer_jwk);
	att_polsign_release(&ps);
	free(owned);
	free(old);
}

/* delete_policy removes the stored policy (hash old) with its audit
 * record and records iat as the type's binding iat; no stored policy (old
 * NULL) is not an error (nothing changes, nothing is logged). */
static int delete_policy(struct att_req *req, const char *type,
			 const struct att_polsign *ps, const char *old,
			 int64_t iat, struct att_diag *d)
{
	char actor[ATT_AUDIT_ACTOR_LEN];
	if (!old)
		return 0;
	att_polmgmt_actor(actor, req->auth_claims, ps->thumbprint);
	struct att_store_audit a = {.provider = req->prov->name,
				    .time = req->now,
				    .actor = actor,
				    .action = "reset-policy",
				    .type = (char *)type,
				    .old_hash = (char *)old};
	int r = att_store_policy_reset(req->srv->store, req->prov->name, type,
				       iat, &a, d);
	return r == ATT_ERR_NOT_FOUND ? 0 : r;
}

void att_api_policy_reset(struct att_req *req, struct att_resp *resp)
{
	struct att_polsign ps;
	struct att_diag d = {0};
	char *owned = NULL, *old = NULL;
	const char *jws = NULL;
	size_t len = 0;
	int64_t iat = 0;
	const char *type = path_type(req, resp);
	att_polsign_init(&ps);
	if (!type)
		return;
	att_polmgmt_lock();
	att_polmgmt_stamp(req);
	bool ok = check_upload(req, resp, &ps, &owned, &jws, &len) == 0;
	if (ok && old_hash(req, type, &old, &d) != 0) {
		att_resp_err(resp, ATT_ERR_STORE, NULL,
			     "cannot read the stored policy: %s",
			     att_diag_msg(&d));
		ok = false;
	}
	ok = ok && bind_check(req, resp, &ps, type, true, !old, &iat) == 0;
	if (ok && delete_policy(req, type, &ps, old, iat, &d) != 0) {
		att_resp_err(resp, ATT_ERR_STORE, "InternalError",
			     "cannot reset the policy: %s", att_diag_msg(&d));
		ok = false;
	}
	att_polmgmt_unlock();
	if (ok)
		reply_result(req, resp, "Removed", NULL, ps.signer_jwk);
	att_polsign_release(&ps);
	free(owned);
	free(old);
}
