/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the policy management handlers share (api_policy_mgmt*.c and
 * api_certificates*.c): one process-wide lock that makes each
 * read-check-write of a provider's policies or certificates atomic with
 * respect to the others (so "the last certificate cannot be removed"
 * holds under concurrent requests and an audit record's old hash is the
 * one replaced), the upload body as a JWS string, the audit actor of a
 * request, the MAA error of a failed upload check, and the signed reply.
 */
#ifndef ATT_SERVER_API_POLICY_MGMT_H
#define ATT_SERVER_API_POLICY_MGMT_H

#include "base/limits.h"
#include <jansson.h>
#include <stddef.h>

#include "base/diag.h"

struct att_req;
struct att_resp;

void att_polmgmt_lock(void);
void att_polmgmt_unlock(void);
/* att_polmgmt_stamp, called with the lock held, sets req->now to the
 * time of the change the request makes: the current time, never before
 * the request's own time nor before the previous change's, so that the
 * audit log's times never go back as its ids (commit order) increase. */
void att_polmgmt_stamp(struct att_req *req);

/* att_polmgmt_body_jws finds the JWS of a text/plain upload: the body
 * with trailing CR, LF, space and tab removed; a body that is a JSON
 * string literal is unquoted (*owned then holds the malloc'd copy, to be
 * freed by the caller). Fills resp and returns non-zero when the body is
 * empty. */
int att_polmgmt_body_jws(struct att_req *req, struct att_resp *resp,
			 const char **jws, size_t *len, char **owned);

/* att_polmgmt_actor writes who made a change: the bearer token's sub,
 * oid and appid (or azp) claims, and the upload's signer thumbprint when
 * not NULL/empty; "anonymous" when there is nothing. Spaces and control
 * characters in claim values become '?'. */
void att_polmgmt_actor(char out[static ATT_AUDIT_ACTOR_LEN], json_t *claims,
		       const char *signer_thumbprint);

/* att_polmgmt_check_error answers a failed att_polsign_check (r, d): 400
 * InvalidOperation with the reason, or 500 for internal failures. */
void att_polmgmt_check_error(struct att_resp *resp, int r,
			     const struct att_diag *d);

/* att_polmgmt_binding_error answers a refused binding check
 * (att_polsign_check_binding / _check_rollback): 400 InvalidOperation for
 * a missing required claim or a reset payload that is not binding claims,
 * 400 InvalidParameter for a claim that does not fit (type, issuer,
 * times, rollback), 500 for internal failures. */
void att_polmgmt_binding_error(struct att_resp *resp, int r,
			       const struct att_diag *d);

/* att_polmgmt_reply signs claims (borrowed) with the provider's key as a
 * policy management response (ATT_POLICY_TOKEN_LIFETIME_SECONDS) and
 * answers 200 {"token": ...}, or 500. */
void att_polmgmt_reply(struct att_req *req, struct att_resp *resp,
		       json_t *claims);

/* att_polmgmt_token_hash writes b64url(SHA-256(jws)) (43 chars + NUL). */
void att_polmgmt_token_hash(char out[static 44], const char *jws,
			    size_t len);

#endif
