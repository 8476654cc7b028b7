/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collateral service's GET over the HTTP client (net/http.h): TLS
 * peer and host verification on (optionally against a given CA file),
 * http/https only, at most three redirects and those only to https (the
 * collateral is signed, so a CDN hop is harmless), a whole-transfer and a
 * connect timeout, the body capped while receiving, and the issuer-chain
 * response header captured (the value of the last response, so a
 * redirect's headers never leak into the result).
 */
#include "collateral/pcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "codec/hex.h"
#include "net/http.h"

void att_pcs_resp_release(struct att_pcs_resp *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->chain);
	memset(r, 0, sizeof(*r));
}

int att_pcs_url_decode(char **out, size_t *out_len, const char *in,
		       size_t len)
{
	char *o = malloc(len + 1);
	size_t n = 0;
	*out = NULL;
	if (!o)
		return ATT_ERR_NOMEM;
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '%') {
			o[n++] = in[i];
			continue;
		}
		int hi = i + 2 < len ? att_hex_digit(in[i + 1]) : -1;
		int lo = hi >= 0 ? att_hex_digit(in[i + 2]) : -1;
		if (lo < 0) {
			free(o);
			return ATT_ERR_FORMAT;
		}
		o[n++] = (char)(hi * 16 + lo);
		i += 2;
	}
	o[n] = 0;
	*out = o;
	*out_len = n;
	return 0;
}

static int finish(struct att_pcs_resp *out, struct att_net_xfer *x,
		  const char *url, struct att_diag *d)
{
	const char *name = NULL;
	size_t len = 0;
	const char *chain = att_net_xfer_header(x, &len, &name);
	if (out->status == 404)
		return att_diag_set(d, ATT_ERR_NOT_FOUND, "GET %.300s: HTTP 404 "
				    "(not known to the PCS)", url);
	if (out->status != 200)
		return att_diag_set(d, ATT_ERR_NETWORK, "GET %.300s: HTTP %ld",
				    url, out->status);
	if (chain && len) {
		int rc = att_pcs_url_decode(&out->chain, &out->chain_len, chain,
					    len);
		if (rc)
			return att_diag_set(d, rc, "GET %.300s: header %s is "
					    "not URL-encoded PEM", url, name);
		snprintf(out->chain_header, sizeof(out->chain_header), "%s",
			 name);
	}
	out->body = att_buf_detach(att_net_xfer_body(x), &out->body_len);
	return 0;
}

int att_pcs_get(struct att_pcs_resp *out, const char *url,
		const char *const *chain_headers,
		const struct att_pcs_conf *cf, struct att_diag *d)
{
	const long connect = ATT_PCS_CONNECT_TIMEOUT_SECONDS * 1000L;
	long timeout = cf->timeout_ms > 0 ? cf->timeout_ms
					  : ATT_HTTP_TIMEOUT_SECONDS * 1000L;
	struct att_net_opts o = {
		.ca_file = cf->ca_file,
		.timeout_ms = timeout,
		.connect_timeout_ms = timeout < connect ? timeout : connect,
		.max_body = ATT_MAX_COLLATERAL_LEN,
		.max_redirects = ATT_PCS_MAX_REDIRECTS,
		.capture = chain_headers,
	};
	struct att_net_xfer *x = NULL;
	memset(out, 0, sizeof(*out));
	int rc = att_net_xfer_new(&x, "GET", url, NULL, NULL, 0, &o, d);
	if (rc == 0 && (rc = att_net_xfer_perform(x, d)) == 0) {
		out->status = att_net_xfer_status(x);
		rc = finish(out, x, url, d);
	}
	if (rc) {
		long st = out->status;
		att_pcs_resp_release(out);
		out->status = st;
	}
	att_net_xfer_free(x);
	return rc;
}
