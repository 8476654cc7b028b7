/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWK and JWKS helpers for the /certs endpoint and for relying parties:
 * building a public JWK entry {kid, kty, alg, use, x5c, n/e | crv/x/y},
 * finding an entry by kid, deriving a stable kid (RFC 7638 thumbprint),
 * and turning an entry back into a key (raw members or x5c[0]; when both
 * are present they must agree).
 */
#ifndef ATT_TOKEN_JWKS_H
#define ATT_TOKEN_JWKS_H

#include <jansson.h>
#include <stddef.h>

#include "base/diag.h"
#include "token/jws.h"

struct att_cert;
struct att_pkey;

/* Longest kid att_jwk_kid_for writes, plus NUL. */
#define ATT_JWK_KID_LEN 64

/* att_jwk_public_entry returns a new JWK for the public part of k with
 * kid, kty, alg (the default for the key: RS256, ES256 or ES384),
 * use "sig", x5c (standard base64 DER of chain[0..n), leaf first; omitted
 * when n is 0) and the raw members. kid may be NULL (then omitted). */
int att_jwk_public_entry(json_t **out, struct att_pkey *k,
			 struct att_cert *const *chain, size_t n,
			 const char *kid);
/* att_jwk_public_entry_alg is att_jwk_public_entry with an explicit alg
 * (ATT_ERR_ALG when it does not fit the key). */
int att_jwk_public_entry_alg(json_t **out, struct att_pkey *k,
			     struct att_cert *const *chain, size_t n,
			     const char *kid, enum att_jws_alg alg);

/* att_jwks_find returns the entry of jwks {"keys":[...]} whose "kid"
 * equals kid (borrowed), or NULL. */
json_t *att_jwks_find(json_t *jwks, const char *kid);

/* att_jwk_kid_for writes the RFC 7638 JWK thumbprint of k's public key
 * (SHA-256, base64url without padding: 43 chars) into out. */
int att_jwk_kid_for(char out[static ATT_JWK_KID_LEN], const struct att_pkey *k);

/* att_jwk_to_pkey returns the key of a JWK entry: from n/e or crv/x/y,
 * else from x5c[0]. When both are present they must be the same key
 * (ATT_ERR_MISMATCH). An entry whose "use" is present and not "sig" is
 * refused (ATT_ERR_UNSUPPORTED). n/e/x/y must be canonical base64url and
 * x5c[0] canonical base64 (ATT_ERR_FORMAT, the diag names the member). */
int att_jwk_to_pkey(struct att_pkey **out, json_t *jwk,
		    struct att_diag *diag);

/* att_jwk_alg_allows tells whether a JWK entry's optional "alg" member
 * permits alg (absent: yes). */
bool att_jwk_alg_allows(json_t *jwk, enum att_jws_alg alg);

#endif
