/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenID Connect discovery, once for everybody: issuer ->
 * <issuer>/.well-known/openid-configuration -> jwks_uri -> JWKS (OpenID
 * Connect Discovery 1.0, sections 4 and 4.3; RFC 7517 section 5).
 *
 * The checks of a discovery document: a JSON object; "jwks_uri" a string
 * that is an https URL, or an http URL to a loopback host (127.0.0.0/8,
 * ::1, localhost: test identity providers); "issuer" compared with the
 * configured issuer as the caller asks. A JWKS must be a JSON object with
 * a "keys" array. Duplicate JSON members are refused.
 *
 * The blocking fetchers serve the relying party and the attest CLI; the
 * server's background fetcher (server/jwks_fetch.c) drives its own
 * non-blocking transfers and uses the URL and document checks.
 */
#ifndef ATT_NET_OIDC_H
#define ATT_NET_OIDC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "net/http.h"

#define ATT_OIDC_WELL_KNOWN "/.well-known/openid-configuration"

/* How a document's "issuer" is compared with the configured issuer. */
enum att_oidc_issuer_check {
	ATT_OIDC_ISSUER_ANY,	    /* not compared (inspection tools) */
	ATT_OIDC_ISSUER_IF_PRESENT, /* equal when present */
	ATT_OIDC_ISSUER_REQUIRED,   /* present and equal */
};

/* att_oidc_config_url writes <issuer>/.well-known/openid-configuration
 * (one trailing slash of issuer dropped). ATT_ERR_INVALID_ARG for an
 * empty issuer or one that is not http(s), ATT_ERR_LIMIT when it does not
 * fit. */
int att_oidc_config_url(char *url, size_t size, const char *issuer,
			struct att_diag *d);

/* att_oidc_jwks_uri_ok: https, or http to a loopback host. */
bool att_oidc_jwks_uri_ok(const char *uri);

/* att_oidc_parse_object parses text[0..len) fetched from url as a JSON
 * object (a new reference in *out). ATT_ERR_FORMAT otherwise. */
int att_oidc_parse_object(json_t **out, const char *text, size_t len,
			  const char *url, struct att_diag *d);

/* att_oidc_check_config checks a parsed discovery document fetched from
 * url for issuer; on success *jwks_uri points into doc. ATT_ERR_MISMATCH
 * (issuer), ATT_ERR_FORMAT (jwks_uri missing, not a string or not an
 * allowed URL). */
int att_oidc_check_config(const json_t *doc, const char *url,
			  const char *issuer, enum att_oidc_issuer_check how,
			  const char **jwks_uri, struct att_diag *d);

/* att_oidc_check_jwks: a JWKS, an object with a "keys" array. */
int att_oidc_check_jwks(const json_t *jwks, const char *url,
			struct att_diag *d);

/* att_oidc_fetch_json GETs url (o may be NULL) and parses a 200 response
 * as a JSON object; another status is ATT_ERR_NETWORK naming it. */
int att_oidc_fetch_json(json_t **out, const char *url,
			const struct att_net_opts *o, struct att_diag *d);

/* att_oidc_fetch_config fetches and checks issuer's discovery document
 * (a new reference in *out). */
int att_oidc_fetch_config(json_t **out, const char *issuer,
			  enum att_oidc_issuer_check how,
			  const struct att_net_opts *o, struct att_diag *d);

/* att_oidc_fetch_jwks fetches jwks_uri and checks it is a JWKS. */
int att_oidc_fetch_jwks(json_t **out, const char *jwks_uri,
			const struct att_net_opts *o, struct att_diag *d);

/* att_oidc_discover: the discovery document, then its JWKS. */
int att_oidc_discover(json_t **jwks, const char *issuer,
		      enum att_oidc_issuer_check how,
		      const struct att_net_opts *o, struct att_diag *d);

#endif
