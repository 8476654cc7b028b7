/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWT (RFC 7519) issuance and verification over JWS. Tokens are signed
 * with a header {"alg", "jku"?, "kid", "typ":"JWT", "x5c"?} as MAA does;
 * verification picks the key from a JWKS by kid, checks the signature
 * against an algorithm allow-list, then iss (exact string), aud (string or
 * array, when asked), exp, nbf and iat with a clock skew. The caller passes
 * the time: nothing here reads the clock.
 *
 * NumericDates (exp, nbf, iat): a JSON number within
 * [ATT_NUMERICDATE_MIN, ATT_NUMERICDATE_MAX] (1970..9999), else
 * ATT_ERR_FORMAT naming the claim ("jwt: token exp -9223372036854775808
 * is outside the range of a NumericDate ..."); a string, boolean, null,
 * ... is ATT_ERR_FORMAT too. Fractions are accepted (RFC 7519) and
 * rounded toward the stricter side: exp down, nbf and iat up. Checks:
 * expired when now - skew >= exp; not yet valid when now + skew < nbf,
 * and when iat > now + skew (a token "issued in the future").
 */
#ifndef ATT_TOKEN_JWT_H
#define ATT_TOKEN_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "token/jws.h"

struct att_cert;
struct att_pkey;

struct att_jwt_signer {
	struct att_pkey *key;
	enum att_jws_alg alg;
	const char *kid;                /* optional (recommended) */
	const char *jku;                /* optional, put in header */
	struct att_cert *const *x5c;    /* optional, put in header */
	size_t n_x5c;
};

/* att_jwt_sign serialises claims (compact JSON, members in insertion
 * order) and signs them. *out is a malloc'd compact JWS. */
int att_jwt_sign(char **out, json_t *claims, const struct att_jwt_signer *s);

struct att_jwt_verify_opts {
	const char *issuer;     /* NULL: not checked */
	const char *audience;   /* NULL: not checked */
	int64_t now;            /* Unix seconds */
	int64_t skew_seconds;   /* clamped to [0, ATT_MAX_CLOCK_SKEW_SECONDS] */
	unsigned allowed_algs;  /* 0: ATT_JWS_ALLOW_DEFAULT */
	bool require_exp;
};

/* att_jwt_verify verifies a compact JWT against a JWKS ({"keys":[...]})
 * and returns its claims and header (new references; either out pointer
 * may be NULL). Key choice: the entry whose kid equals the header kid
 * (ATT_ERR_NOT_FOUND "unknown kid ..." when absent); without a header kid,
 * the only key of a one-key JWKS. Errors: ATT_ERR_FORMAT (malformed),
 * ATT_ERR_ALG, ATT_ERR_SIG_INVALID, ATT_ERR_MISMATCH (iss/aud),
 * ATT_ERR_EXPIRED, ATT_ERR_NOT_YET_VALID (nbf, or iat in the future);
 * diag says what failed. */
int att_jwt_verify(json_t **out_claims, json_t **out_header,
		   const char *token, json_t *jwks,
		   const struct att_jwt_verify_opts *o, struct att_diag *diag);

/* att_jwt_verify_key is att_jwt_verify with one given key. */
int att_jwt_verify_key(json_t **out_claims, json_t **out_header,
		       const char *token, struct att_pkey *key,
		       const struct att_jwt_verify_opts *o,
		       struct att_diag *diag);

/* att_jwt_check_claims checks iss/aud/exp/nbf/iat of claims (no
 * signature). */
int att_jwt_check_claims(json_t *claims, const struct att_jwt_verify_opts *o,
			 struct att_diag *diag);

/* att_jwt_numeric_date reads the optional NumericDate claim name of
 * claims (RFC 7519 section 2): 1 when present (value in *out), 0 when
 * absent, else ATT_ERR_FORMAT with a message naming the claim ("jwt:
 * token exp -9223372036854775808 is outside the range of a NumericDate
 * (0..253402300799, years 1970..9999)", "jwt: token exp is not a
 * NumericDate (it is a string, not a number)"). A NumericDate is a JSON
 * number in [ATT_NUMERICDATE_MIN, ATT_NUMERICDATE_MAX]; a fraction is
 * rounded toward the stricter side of the check the caller makes: down
 * (exp), or up when round_up (nbf, iat). */
int att_jwt_numeric_date(int64_t *out, json_t *claims, const char *name,
			 bool round_up, struct att_diag *diag);

/* att_jwt_decode_unverified parses a compact JWT without any check (for
 * display only). */
int att_jwt_decode_unverified(json_t **out_claims, json_t **out_header,
			      const char *token, struct att_diag *diag);

#endif
