/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One GET to AMD KDS over the HTTP client (net/http.h): TLS verification
 * always on (optionally against a CA file), no redirects followed (KDS
 * answers directly; a mirror must too), the body capped at the largest
 * KDS item, and the Retry-After header of a 429 or 503 captured.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "collateral/kds.h"
#include "net/http.h"

/* Retry-After as delta-seconds (RFC 9110 §10.2.3); an HTTP-date or
 * anything else is -1 (the caller's backoff applies). */
static int64_t retry_after(const char *v, size_t len)
{
	int64_t n = 0;
	if (!v || len == 0 || len > 10)
		return -1; /* not an error: no usable Retry-After */
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1; /* not an error: an HTTP-date or junk */
		n = n * 10 + (v[i] - '0');
	}
	return n;
}

int att_kds_fetch(struct att_kds_answer *out, const char *url,
		  const char *ca_file, long timeout_ms, struct att_diag *d)
{
	static const char *const capture[] = {"Retry-After", NULL};
	const long connect = ATT_PCS_CONNECT_TIMEOUT_SECONDS * 1000L;
	long timeout = timeout_ms > 0 ? timeout_ms
				      : ATT_HTTP_TIMEOUT_SECONDS * 1000L;
	struct att_net_opts o = {
		.ca_file = ca_file,
		.timeout_ms = timeout,
		.connect_timeout_ms = timeout < connect ? timeout : connect,
		.max_body = ATT_SNP_MAX_CRL_LEN,
		.capture = capture,
	};
	struct att_net_xfer *x = NULL;
	const char *name = NULL;
	size_t hlen = 0;
	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	int rc = att_net_xfer_new(&x, "GET", url, NULL, NULL, 0, &o, d);
	if (rc == 0 && (rc = att_net_xfer_perform(x, d)) == 0) {
		out->status = att_net_xfer_status(x);
		const char *h = att_net_xfer_header(x, &hlen, &name);
		out->retry_after = retry_after(h, hlen);
		out->body = att_buf_detach(att_net_xfer_body(x), &out->body_len);
	}
	att_net_xfer_free(x);
	return rc;
}

void att_kds_answer_release(struct att_kds_answer *a)
{
	if (!a)
		return;
	free(a->body);
	memset(a, 0, sizeof(*a));
}
