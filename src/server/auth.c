/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bearer token checks (see auth.h). The issuer is read from the unverified
 * claims only to choose which trusted issuer's keys to verify with; the
 * verification itself (att_jwt_verify) checks iss again, exactly. Keys
 * come from the issuer's fixed JWKS or from the cache of its fetched one
 * (jwks_fetch.h): a request never fetches, and waits for a fetch only
 * while the issuer has no key set yet (at most ATT_JWKS_WAIT_MS).
 */
#include "server/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "server/jwks_fetch.h"
#include "server/provider.h"
#include "server/server.h"
#include "token/jwt.h"

static void sanitize(char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			*s = '\'';
}

static int deny(struct att_resp *resp, const char *realm, const char *msg)
{
	char clean[ATT_ERR_MSG_LEN];
	snprintf(clean, sizeof(clean), "%s", msg);
	sanitize(clean);
	att_resp_error(resp, 401, "Unauthorized", "%s", msg);
	snprintf(resp->www_authenticate, sizeof(resp->www_authenticate),
		 "Bearer realm=\"%s\", error=\"invalid_token\", "
		 "error_description=\"%s\"",
		 realm, clean);
	return ATT_ERR_AUTH;
}

/* deny_role answers a valid token that lacks the role: 401 Unauthorized,
 * as MAA does (MAA troubleshooting guide, "HTTP-401: Unauthorized
 * exception": a user without the role managing policies or policy
 * signers), with a WWW-Authenticate error="insufficient_scope" (RFC 6750
 * section 3.1) and the message naming the missing role. */
static int deny_role(struct att_resp *resp, const char *realm,
		     const char *msg)
{
	char clean[ATT_ERR_MSG_LEN];
	snprintf(clean, sizeof(clean), "%s", msg);
	sanitize(clean);
	att_resp_error(resp, 401, "Unauthorized", "%s", msg);
	snprintf(resp->www_authenticate, sizeof(resp->www_authenticate),
		 "Bearer realm=\"%s\", error=\"insufficient_scope\", "
		 "error_description=\"%.*s\"",
		 realm, ATT_ERR_MSG_LEN - 128, clean);
	return ATT_ERR_AUTH;
}

bool att_auth_has_role(json_t *claims, const char *role_claim,
		       const char *role)
{
	json_t *v = json_object_get(claims, role_claim);
	if (json_is_string(v))
		return !strcmp(json_string_value(v), role);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (json_is_string(e) && !strcmp(json_string_value(e), role))
			return true;
	}
	return false;
}

static struct att_auth_issuer *find_issuer(struct att_auth_settings *s,
					   json_t *claims)
{
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	if (!iss)
		return NULL;
	for (size_t i = 0; i < s->n_issuers; i++)
		if (!strcmp(s->issuers[i]->issuer, iss))
			return s->issuers[i];
	return NULL;
}

static const struct att_jwt_verify_opts *opts_for(
	struct att_jwt_verify_opts *o, const struct att_auth_issuer *is,
	int64_t now)
{
	*o = (struct att_jwt_verify_opts){
		.issuer = is->issuer, .audience = is->audience, .now = now,
		.skew_seconds = ATT_AUTH_SKEW_SECONDS,
		.allowed_algs = ATT_JWS_ALLOW_RS256 | ATT_JWS_ALLOW_PS256 |
				ATT_JWS_ALLOW_ES256,
		.require_exp = true};
	return o;
}

/* unknown_kid words the 401 of a token whose kid the issuer's key set
 * lacks, after asking the fetcher for a refetch (never waiting for it:
 * the token is answered now, a retry finds a rotated key). */
static int unknown_kid(struct att_auth_issuer *is, struct att_diag *d)
{
	char why[ATT_DIAG_LEN];
	unsigned since = 0;
	snprintf(why, sizeof(why), "%s", att_diag_msg(d));
	att_diag_clear(d);
	if (!is->src)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "signing key not available: %s", why);
	if (att_jwks_source_want(is->src, &since))
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "signing key not available: %s; a refresh "
				    "of the issuer's JWKS is pending, retry "
				    "later", why);
	return att_diag_set(d, ATT_ERR_NOT_FOUND,
			    "signing key not available: %s; the last fetch "
			    "of the issuer's JWKS began %u s ago (at most "
			    "one per %u s)",
			    why, since, is->refetch_cooldown_seconds);
}

/* verify_with verifies token with the issuer's keys: the fixed set, or
 * the cached fetched one (no network I/O here). ATT_ERR_NETWORK means no
 * key set is known (503, *retry_after set). */
static int verify_with(struct att_auth_issuer *is, const char *token,
		       int64_t now, json_t **claims, unsigned *retry_after,
		       struct att_diag *d)
{
	struct att_jwt_verify_opts o;
	struct att_jwks_status st = {0};
	json_t *jwks = NULL;
	int r = 0;
	if (is->jwks)
		jwks = json_incref(is->jwks);
	else if (!is->src)
		r = att_diag_set(d, ATT_ERR_NETWORK,
				 "no JWKS source for issuer '%.200s'",
				 is->issuer);
	else if ((r = att_jwks_source_get(is->src, &jwks, &st)) != 0)
		att_diag_set(d, r, "the signing keys of issuer '%.200s' are "
				   "not available: %s",
			     is->issuer, st.why);
	*retry_after = st.retry_after ? st.retry_after : 1;
	if (r)
		return r;
	r = att_jwt_verify(claims, NULL, token, jwks, opts_for(&o, is, now), d);
	json_decref(jwks);
	return r == ATT_ERR_NOT_FOUND ? unknown_kid(is, d) : r;
}

/* unavailable answers 503 when the issuer's keys cannot be had (down,
 * hung or failing, and nothing cached): the token may well be valid. */
static int unavailable(struct att_resp *resp, unsigned retry_after,
		       const char *msg)
{
	att_resp_err(resp, ATT_ERR_NETWORK, NULL, "%s", msg);
	resp->extra_name = "Retry-After";
	snprintf(resp->extra_value, sizeof(resp->extra_value), "%u",
		 retry_after);
	return ATT_ERR_NETWORK;
}

static int check_token(struct att_auth_settings *s, const char *realm,
		       const char *token, int64_t now, json_t **out,
		       struct att_resp *resp)
{
	struct att_diag d = {0};
	json_t *unverified = NULL;
	char msg[ATT_ERR_MSG_LEN];
	unsigned retry_after = 0;
	if (att_jwt_decode_unverified(&unverified, NULL, token, &d) != 0) {
		snprintf(msg, sizeof(msg), "malformed bearer token: %s",
			 att_diag_msg(&d));
		return deny(resp, realm, msg);
	}
	struct att_auth_issuer *is = find_issuer(s, unverified);
	if (!is) {
		const char *iss =
			json_string_value(json_object_get(unverified, "iss"));
		snprintf(msg, sizeof(msg),
			 "bearer token issuer '%.200s' is not trusted by this "
			 "provider", iss ? iss : "(none)");
		json_decref(unverified);
		return deny(resp, realm, msg);
	}
	json_decref(unverified);
	att_diag_clear(&d);
	int r = verify_with(is, token, now, out, &retry_after, &d);
	if (r == ATT_ERR_NETWORK) {
		snprintf(msg, sizeof(msg), "bearer token not checked: %s",
			 att_diag_msg(&d));
		return unavailable(resp, retry_after, msg);
	}
	if (r) {
		snprintf(msg, sizeof(msg), "bearer token rejected: %s",
			 att_diag_msg(&d));
		return deny(resp, realm, msg);
	}
	return 0;
}

static int check_role(struct att_auth_settings *s, const char *realm,
		      enum att_auth_need need, json_t *claims,
		      struct att_resp *resp)
{
	char msg[ATT_ERR_MSG_LEN];
	bool ok = att_auth_has_role(claims, s->role_claim,
				    s->contributor_role) ||
		  (need == ATT_AUTH_READER &&
		   att_auth_has_role(claims, s->role_claim, s->reader_role));
	if (ok)
		return 0;
	snprintf(msg, sizeof(msg),
		 "the bearer token's '%s' claim lacks the role '%s' this "
		 "operation requires",
		 s->role_claim,
		 need == ATT_AUTH_READER ? s->reader_role : s->contributor_role);
	return deny_role(resp, realm, msg);
}

int att_auth_check(struct att_auth_settings *s, const char *realm,
		   enum att_auth_need need, const char *authorization,
		   int64_t now, json_t **out_claims, struct att_resp *resp)
{
	json_t *claims = NULL;
	*out_claims = NULL;
	if (need == ATT_AUTH_NONE || !s->enabled)
		return 0;
	if (!authorization || !*authorization) {
		att_resp_error(resp, 401, "Unauthorized",
			       "this operation requires an Authorization: "
			       "Bearer token");
		snprintf(resp->www_authenticate,
			 sizeof(resp->www_authenticate), "Bearer realm=\"%s\"",
			 realm);
		return ATT_ERR_AUTH;
	}
	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return deny(resp, realm,
			    "the Authorization header is not a Bearer token");
	const char *token = authorization + 7;
	while (*token == ' ')
		token++;
	int r = check_token(s, realm, token, now, &claims, resp);
	if (!r && (r = check_role(s, realm, need, claims, resp)) != 0) {
		json_decref(claims);
		return r;
	}
	if (!r)
		*out_claims = claims;
	return r;
}
