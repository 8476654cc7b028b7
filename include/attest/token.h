/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libattest, token half: sign and verify JSON Web Tokens (RFC 7519, JWS
 * compact serialisation, RFC 7515) the way attestd issues them. Algorithms:
 * RS256, RS384, PS256, ES256, ES384; never "none" or HMAC. Verification
 * checks the algorithm against an allow-list (RS256, PS256, ES256 unless
 * told otherwise), canonical base64url, the signature, then iss (exact),
 * aud (when asked), exp, nbf and iat with a clock skew. The relying-party
 * API (attest/rp.h) does the same with keys fetched from the issuer.
 * Claims travel as JSON text; failures return a negative ATT_ERR_* code
 * and a message naming what failed in errbuf (when not NULL).
 */
#ifndef ATT_ATTEST_TOKEN_H
#define ATT_ATTEST_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "attest/err.h"
#include "attest/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A signing or verification key (RSA, EC P-256 or P-384). */
struct att_token_key;

/* att_token_key_from_pem reads the first key of a PEM text: a private key
 * ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY": signs and
 * verifies) or a public key ("PUBLIC KEY": verifies only). */
ATT_EXPORT int att_token_key_from_pem(struct att_token_key **out,
				      const char *pem, size_t len,
				      char *errbuf, size_t errlen);
/* att_token_key_generate makes a fresh key for alg ("RS256", "PS256",
 * "ES256", ...). */
ATT_EXPORT int att_token_key_generate(struct att_token_key **out,
				      const char *alg, char *errbuf,
				      size_t errlen);
/* att_token_key_jwks returns (malloc'd) a JWKS {"keys": [JWK]} with the
 * public part of k and kid (NULL: no kid), for att_token_verify. */
ATT_EXPORT int att_token_key_jwks(const struct att_token_key *k,
				  const char *kid, char **out_json);
/* att_token_key_free frees k; accepts NULL. */
ATT_EXPORT void att_token_key_free(struct att_token_key *k);

/* att_token_sign signs the claims (a JSON object text) with key as a
 * compact JWT with header {"alg", "kid"?, "typ": "JWT"}. alg NULL: the
 * key's default (RS256 for RSA, ES256 / ES384 for EC). *out_token is
 * malloc'd (free()). */
ATT_EXPORT int att_token_sign(char **out_token, const char *claims_json,
			      const struct att_token_key *key, const char *alg,
			      const char *kid, char *errbuf, size_t errlen);

/* Checks of att_token_verify (all zero: signature, exp/nbf/iat only). */
struct att_token_verify_opts {
	const char *issuer;   /* NULL: iss not checked */
	const char *audience; /* NULL: aud not checked */
	int64_t now;          /* Unix seconds; <= 0: the current time */
	int64_t skew_seconds; /* <= 0: 60 */
	const char *algs;     /* allowed algorithms, "ES256,RS256"; NULL:
				 RS256,PS256,ES256 */
	int require_exp;      /* a token without exp fails */
};

/* att_token_verify verifies a compact JWT with the keys of a JWKS (JSON
 * text {"keys": [...]}; the key is chosen by the header's kid). On success
 * *out_claims_json (when not NULL) is the claims as compact JSON
 * (malloc'd). o may be NULL. */
ATT_EXPORT int att_token_verify(const char *token, const char *jwks_json,
				const struct att_token_verify_opts *o,
				char **out_claims_json, char *errbuf,
				size_t errlen);
/* att_token_verify_key is att_token_verify with one given key. */
ATT_EXPORT int att_token_verify_key(const char *token,
				    const struct att_token_key *key,
				    const struct att_token_verify_opts *o,
				    char **out_claims_json, char *errbuf,
				    size_t errlen);

/* att_token_decode returns header and claims of a token WITHOUT verifying
 * anything (display only). Either out pointer may be NULL. */
ATT_EXPORT int att_token_decode(const char *token, char **out_header_json,
				char **out_claims_json, char *errbuf,
				size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
