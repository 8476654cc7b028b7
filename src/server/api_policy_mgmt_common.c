/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the policy management handlers (api_policy_mgmt.h): the
 * process-wide change lock, the upload body, the audit actor, the errors
 * of a failed upload or binding check and the signed reply.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "crypto/digest.h"
#include "server/api_policy_mgmt.h"
#include "server/provider.h"
#include "server/server.h"

static pthread_mutex_t change_lock = PTHREAD_MUTEX_INITIALIZER;

void att_polmgmt_lock(void)
{
	pthread_mutex_lock(&change_lock);
}

void att_polmgmt_unlock(void)
{
	pthread_mutex_unlock(&change_lock);
}

/* The time of the last change, read and written under change_lock. A
 * request's own time (req->now) is taken when it arrives, before it waits
 * for the lock: a request that arrived earlier can commit after one that
 * arrived later, and stamping its audit record with its arrival time made
 * the log's times go back as ids increase (tests/integration/
 * concurrent_writes.sh saw it). */
static int64_t last_change;

void att_polmgmt_stamp(struct att_req *req)
{
	int64_t t = att_time_now();
	if (t < req->now)
		t = req->now;
	if (t < last_change)
		t = last_change;
	last_change = t;
	req->now = t;
}

static bool is_trailing_space(uint8_t c)
{
	return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

int att_polmgmt_body_jws(struct att_req *req, struct att_resp *resp,
			 const char **jws, size_t *len, char **owned)
{
	const uint8_t *b = req->body;
	size_t n = b ? req->body_len : 0;
	*owned = NULL;
	while (n && is_trailing_space(b[n - 1]))
		n--;
	if (n && b[0] == '"') {
		json_t *s = json_loadb((const char *)b, n, JSON_DECODE_ANY,
				       NULL);
		if (json_is_string(s) &&
		    (*owned = strdup(json_string_value(s))) != NULL) {
			b = (const uint8_t *)*owned;
			n = strlen(*owned);
		}
		json_decref(s);
	}
	if (n == 0) {
		att_resp_err(resp, ATT_ERR_FORMAT, "InvalidOperation",
			     "the request body is empty; expected a JWS "
			     "(text/plain)");
		return ATT_ERR_FORMAT;
	}
	*jws = (const char *)b;
	*len = n;
	return 0;
}

/* put_part appends " key=value" (value truncated, control chars '?'). */
static void put_part(char *out, size_t *pos, const char *key, const char *v)
{
	if (!v || !*v)
		return;
	size_t p = *pos;
	int w = snprintf(out + p, ATT_AUDIT_ACTOR_LEN - p, "%s%s=",
			 p ? " " : "", key);
	if (w < 0 || (size_t)w >= ATT_AUDIT_ACTOR_LEN - p)
		return;
	p += (size_t)w;
	for (size_t i = 0; v[i] && i < ATT_AUDIT_ACTOR_CLAIM_LEN &&
			   p + 1 < ATT_AUDIT_ACTOR_LEN;
	     i++) {
		unsigned char c = (unsigned char)v[i];
		out[p++] = (c < 0x20 || c == 0x7f || c == ' ') ? '?' : (char)c;
	}
	out[p] = '\0';
	*pos = p;
}

void att_polmgmt_actor(char out[static ATT_AUDIT_ACTOR_LEN], json_t *claims,
		       const char *signer_thumbprint)
{
	size_t pos = 0;
	out[0] = '\0';
	const char *app = json_string_value(json_object_get(claims, "appid"));
	if (!app)
		app = json_string_value(json_object_get(claims, "azp"));
	put_part(out, &pos, "sub",
		 json_string_value(json_object_get(claims, "sub")));
	put_part(out, &pos, "oid",
		 json_string_value(json_object_get(claims, "oid")));
	put_part(out, &pos, "appid", app);
	put_part(out, &pos, "signer", signer_thumbprint);
	if (!pos)
		snprintf(out, ATT_AUDIT_ACTOR_LEN, "anonymous");
}

void att_polmgmt_check_error(struct att_resp *resp, int r,
			     const struct att_diag *d)
{
	switch (r) {
	case ATT_ERR_FORMAT:
	case ATT_ERR_LIMIT:
		att_resp_err(resp, r, "InvalidOperation", "malformed JWS: %s",
			     att_diag_msg(d));
		break;
	case ATT_ERR_INVALID_OPERATION:
	case ATT_ERR_ALG:
	case ATT_ERR_FORBIDDEN:
	case ATT_ERR_UNSUPPORTED:
		att_resp_err(resp, r, "InvalidOperation", "%s",
			     att_diag_msg(d));
		break;
	case ATT_ERR_SIG_INVALID:
		att_resp_err(resp, r, "InvalidOperation",
			     "the JWS signature is invalid: %s",
			     att_diag_msg(d));
		break;
	case ATT_ERR_CHAIN_INVALID:
		/* MAA answers a broken signer chain with InvalidParameter
		 * (issue 12; it was InvalidOperation). */
		att_resp_err(resp, r, "InvalidParameter", "%s",
			     att_diag_msg(d));
		break;
	default:
		att_resp_err(resp, r, "InternalError",
			     "cannot check the JWS: %s", att_diag_msg(d));
	}
}

void att_polmgmt_binding_error(struct att_resp *resp, int r,
			       const struct att_diag *d)
{
	switch (r) {
	case ATT_ERR_INVALID_OPERATION:
		att_resp_err(resp, r, "InvalidOperation", "%s",
			     att_diag_msg(d));
		break;
	case ATT_ERR_MISMATCH:
	case ATT_ERR_EXPIRED:
	case ATT_ERR_NOT_YET_VALID:
	case ATT_ERR_FORMAT:
	case ATT_ERR_REPLAY:
		att_resp_err(resp, r, "InvalidParameter", "%s",
			     att_diag_msg(d));
		break;
	default:
		att_resp_err(resp, r, "InternalError",
			     "cannot check the binding claims: %s",
			     att_diag_msg(d));
	}
}

void att_polmgmt_reply(struct att_req *req, struct att_resp *resp,
		       json_t *claims)
{
	struct att_diag d = {0};
	char *token = NULL;
	int r = att_server_issue_token(req->srv, req->prov, claims, req->now,
				       ATT_POLICY_TOKEN_LIFETIME_SECONDS,
				       &token, &d);
	if (r)
		att_resp_err(resp, r, "InternalError",
			     "cannot sign the response: %s",
			     att_diag_msg(&d));
	else
		att_resp_token(resp, token);
	free(token);
}

void att_polmgmt_token_hash(char out[static 44], const char *jws, size_t len)
{
	uint8_t h[32];
	att_sha256(h, jws, len);
	char *s = att_b64url_encode(h, sizeof(h));
	snprintf(out, 44, "%s", s ? s : "");
	free(s);
}
