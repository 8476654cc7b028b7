/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bearer authentication as MAA does it with Entra ID: the token must be a
 * JWT from one of the provider's trusted issuers, signed with RS256, PS256
 * or ES256 by a key of that issuer's JWKS (never "none" or HMAC), with
 * iss and aud exactly as configured, and exp/nbf valid within
 * ATT_AUTH_SKEW_SECONDS. Then the role claim ("roles" by default, an
 * array of strings or one string) must hold the reader role (reads; the
 * contributor role also grants reads) or the contributor role (writes).
 * A missing or bad token is 401 Unauthorized with a WWW-Authenticate
 * header; so is a valid token without the role (MAA answers 401 there too,
 * per its troubleshooting guide; error="insufficient_scope"). A token whose
 * kid the issuer's known key set lacks is 401 "signing key not available"
 * (and asks for a background refetch); when no key set of the issuer is
 * known because fetching it fails or hangs, 503 ServiceUnavailable with
 * Retry-After. Keys are never fetched by the request (jwks_fetch.h).
 */
#ifndef ATT_SERVER_AUTH_H
#define ATT_SERVER_AUTH_H

#include "base/limits.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "server/router.h"

struct att_auth_issuer;
struct att_auth_settings;
struct att_resp;

/* att_auth_check authorises a request needing `need` on a provider with
 * settings s and base URL realm. On success returns 0 and sets
 * *out_claims (a new reference; NULL when auth is disabled or not
 * needed). Otherwise fills resp (401/503) and returns ATT_ERR_AUTH
 * or ATT_ERR_NETWORK (the issuer's keys are not
 * available). */
int att_auth_check(struct att_auth_settings *s, const char *realm,
		   enum att_auth_need need, const char *authorization,
		   int64_t now, json_t **out_claims, struct att_resp *resp);

/* att_auth_has_role tells whether claims[role_claim] holds role. */
bool att_auth_has_role(json_t *claims, const char *role_claim,
		       const char *role);

/* att_auth_global_init initialises libcurl once, before the server's
 * threads start (jwks_fetch.c). */
void att_auth_global_init(void);

#endif
