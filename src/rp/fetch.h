/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fetching a provider's public metadata: the OpenID configuration at
 * <issuer>/.well-known/openid-configuration and the JWKS it points to.
 * Used by the relying-party cache (rp.c) and by `attest metadata|certs`.
 */
#ifndef ATT_RP_FETCH_H
#define ATT_RP_FETCH_H

#include <jansson.h>
#include <stdbool.h>

#include "attest/client.h"
#include "base/diag.h"

/* att_rp_fetch_json GETs url and parses the 200 response as a JSON object
 * (new reference in *out). Other statuses are ATT_ERR_NETWORK. */
int att_rp_fetch_json(json_t **out, const char *url,
		      const struct att_http_opts *o, struct att_diag *diag);

/* att_rp_fetch_metadata GETs <issuer>/.well-known/openid-configuration
 * (issuer without trailing slash; one is stripped if present). When
 * check_issuer, its "issuer" member must equal issuer exactly
 * (ATT_ERR_MISMATCH), and "jwks_uri" must be a string (ATT_ERR_FORMAT). */
int att_rp_fetch_metadata(json_t **out, const char *issuer, bool check_issuer,
			  const struct att_http_opts *o,
			  struct att_diag *diag);

/* att_rp_fetch_jwks GETs jwks_uri and checks that the body is a JWKS: an
 * object with a "keys" array (ATT_ERR_FORMAT otherwise). */
int att_rp_fetch_jwks(json_t **out, const char *jwks_uri,
		      const struct att_http_opts *o, struct att_diag *diag);

#endif
