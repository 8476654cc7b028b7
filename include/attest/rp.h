/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libattest, relying-party half: verify attestation tokens issued by an
 * attestd (or MAA) provider. The issuer URL is the only configuration:
 * the library fetches <issuer>/.well-known/openid-configuration, checks
 * that its "issuer" equals the configured one, fetches the JWKS from its
 * "jwks_uri" and caches it. A token whose kid is not in the cache causes
 * one refetch of the JWKS (at most once per min_refresh_seconds) and a
 * retry, so key rotation needs no restart. Checks: algorithm allow-list
 * (RS256, PS256, ES256 by default; never "none" or HMAC), canonical
 * base64url in every part (a token re-spelled in unused bits is refused),
 * signature, iss, exp, nbf and iat (NumericDates within 1970..9999; iat
 * not in the future) with a clock skew (60 s by default), aud when
 * configured.
 * An att_rp may be shared between threads (the cache has a mutex).
 */
#ifndef ATT_ATTEST_RP_H
#define ATT_ATTEST_RP_H

#include <stddef.h>
#include <stdint.h>

#include "attest/client.h"
#include "attest/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct att_rp;

#define ATT_RP_DEFAULT_SKEW_SECONDS 60
#define ATT_RP_DEFAULT_MIN_REFRESH_SECONDS 30

struct att_rp_opts {
	const char *issuer;               /* required, no trailing slash */
	const struct att_http_opts *http; /* NULL: defaults */
	const char *audience;             /* NULL: aud not checked */
	unsigned allowed_algs;            /* 0: RS256|PS256|ES256 */
	int64_t skew_seconds;             /* < 0: default 60 */
	int64_t min_refresh_seconds;      /* < 0: default 30; 0: no limit */
};

/* att_rp_new returns a relying party for issuer with default options, or
 * NULL (no memory, or issuer NULL/empty/not http(s)). The strings and the
 * options are copied. */
ATT_EXPORT struct att_rp *att_rp_new(const char *issuer,
				     const struct att_http_opts *http);
/* att_rp_new_opts is att_rp_new with every option. */
ATT_EXPORT struct att_rp *att_rp_new_opts(const struct att_rp_opts *o);

/* att_rp_verify verifies token at time now (Unix seconds; <= 0 means the
 * current time). On success returns 0 and, when out_claims_json is not
 * NULL, a malloc'd compact JSON text of the claims. On failure returns a
 * negative ATT_ERR_* code (attest/err.h) and writes a message naming
 * what failed into errbuf (when errbuf is not NULL). */
ATT_EXPORT int att_rp_verify(struct att_rp *rp, const char *token,
			     int64_t now, char **out_claims_json, char *errbuf,
			     size_t errlen);

/* att_rp_jwks_fetches returns how many times the JWKS was fetched. */
ATT_EXPORT unsigned att_rp_jwks_fetches(struct att_rp *rp);

/* att_rp_free frees rp; accepts NULL. */
ATT_EXPORT void att_rp_free(struct att_rp *rp);

#ifdef __cplusplus
}
#endif
#endif
