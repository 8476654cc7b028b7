/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to src/collateral: GET of one Intel PCS / PCCS resource with
 * the HTTP client (net/http.h), capturing the URL-encoded PEM issuer chain of a response
 * header (SGX-PCK-CRL-Issuer-Chain, TCB-Info-Issuer-Chain, ...), and the
 * PCS API v4 routes of each collateral item. TLS peer and host
 * verification are always on; a CA file may replace the system bundle.
 */
#ifndef ATT_COLLATERAL_PCS_H
#define ATT_COLLATERAL_PCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "collateral/items.h"

/* Most issuer-chain header names looked for per route. */
#define ATT_PCS_MAX_CHAIN_HEADERS 3

struct att_pcs_conf {
	const char *base_url;     /* no trailing slash */
	bool is_pccs;
	const char *root_crl_url; /* PCS mode: where the Root CA CRL is */
	const char *ca_file;      /* NULL: the system CA bundle */
	long timeout_ms;          /* whole transfer */
};

struct att_pcs_resp {
	long status;
	uint8_t *body;
	size_t body_len;
	char *chain; /* URL-decoded header value (NUL-terminated) or NULL */
	size_t chain_len;
	char chain_header[64]; /* which header it came from */
};

void att_pcs_resp_release(struct att_pcs_resp *r);

/* att_pcs_get fetches url. chain_headers: NULL-terminated list of header
 * names (case-insensitive) whose value is the issuer chain. Returns 0 for
 * HTTP 200, ATT_ERR_NOT_FOUND for 404, ATT_ERR_NETWORK for another
 * status or a transport/TLS failure, ATT_ERR_TIMEOUT, ATT_ERR_LIMIT for a
 * body above ATT_MAX_COLLATERAL_LEN. */
int att_pcs_get(struct att_pcs_resp *out, const char *url,
		const char *const *chain_headers,
		const struct att_pcs_conf *c, struct att_diag *d);

/* att_pcs_url_decode percent-decodes (no '+' to space: base64 keeps its
 * '+'). *out is malloc'd and NUL-terminated. */
int att_pcs_url_decode(char **out, size_t *out_len, const char *in,
		       size_t len);

/* att_pcs_item_url writes the URL of an item (API v4 route) and the
 * header names its issuer chain may come in. */
int att_pcs_item_url(char *url, size_t url_len,
		     const char *headers[ATT_PCS_MAX_CHAIN_HEADERS + 1],
		     const struct att_pcs_conf *c,
		     const struct att_colspec *s);

/* att_pcs_fetch_item fetches one item, checks that the response is the
 * item asked for (kind, TEE, FMSPC, CA) and attaches the header's issuer
 * chain. */
int att_pcs_fetch_item(struct att_colitem *out, const struct att_pcs_conf *c,
		       const struct att_colspec *s, struct att_diag *d);

#endif
