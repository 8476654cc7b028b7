/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct att_pkey: an asymmetric key (RSA or EC P-256/P-384) for token
 * signing and verification, hiding OpenSSL's EVP_PKEY from the rest of
 * attestd. Keys load from PEM (private or public), SPKI DER and JWK, and
 * save to PEM and JWK (public members only). Signatures use the JOSE
 * conventions: ECDSA signatures are the raw r||s concatenation, not DER.
 * RSA keys shorter than 2048 bits and EC curves other than P-256/P-384 are
 * refused on every load path (ATT_ERR_UNSUPPORTED).
 * A struct att_pkey is immutable once made; att_pkey_dup takes another
 * reference (cheap, thread-safe), and every reference is freed with
 * att_pkey_free.
 */
#ifndef ATT_CRYPTO_PKEY_H
#define ATT_CRYPTO_PKEY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct att_buf;
struct att_pkey;

enum att_key_kind {
	ATT_KEY_RSA2048,
	ATT_KEY_EC_P256,
	ATT_KEY_EC_P384,
	ATT_KEY_RSA3072,
	ATT_KEY_RSA4096,
	ATT_KEY_RSA_OTHER, /* RSA of another size >= 2048 (load only) */
};

/* Signature algorithms (JOSE names in comments). */
enum att_sig_alg {
	ATT_SIG_RS256, /* RSASSA-PKCS1-v1_5 SHA-256 */
	ATT_SIG_RS384, /* RSASSA-PKCS1-v1_5 SHA-384 */
	ATT_SIG_PS256, /* RSASSA-PSS SHA-256, MGF1 SHA-256, salt 32 */
	ATT_SIG_ES256, /* ECDSA P-256 SHA-256, raw r||s (64 bytes) */
	ATT_SIG_ES384, /* ECDSA P-384 SHA-384, raw r||s (96 bytes) */
};

/* att_pkey_generate makes a fresh key pair of the given kind (RSA2048,
 * RSA3072, RSA4096, EC_P256 or EC_P384); *out is NULL on failure. */
int att_pkey_generate(struct att_pkey **out, enum att_key_kind kind);

/* att_pkey_from_pem reads the first key of a PEM text: "PRIVATE KEY"
 * (PKCS#8), "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY" (SPKI) or
 * "RSA PUBLIC KEY". Encrypted PEM is refused. ATT_ERR_FORMAT when no key. */
int att_pkey_from_pem(struct att_pkey **out, const char *pem, size_t len);

/* att_pkey_from_spki_der reads a DER SubjectPublicKeyInfo. */
int att_pkey_from_spki_der(struct att_pkey **out, const uint8_t *der,
			   size_t len);

/* att_pkey_to_pem writes the key as PEM into a malloc'd string: PKCS#8
 * "PRIVATE KEY" when include_private (ATT_ERR_INVALID_ARG if the key has no
 * private part), else "PUBLIC KEY" (SPKI). */
int att_pkey_to_pem(char **out, const struct att_pkey *k,
		    bool include_private);

/* att_pkey_from_jwk reads the public key members of a JWK: kty "RSA" with
 * n/e, or kty "EC" with crv "P-256"/"P-384" and x/y (base64url, fixed
 * length coordinates checked, point checked to be on the curve). Private
 * members ("d" ...) are ignored. ATT_ERR_FORMAT / ATT_ERR_UNSUPPORTED. */
int att_pkey_from_jwk(struct att_pkey **out, json_t *jwk);

/* att_pkey_to_jwk returns a new JSON object with the public members only:
 * {"kty":"RSA","n","e"} or {"kty":"EC","crv","x","y"}. */
int att_pkey_to_jwk(json_t **out, const struct att_pkey *k);

/* att_pkey_kind returns the key's kind. */
enum att_key_kind att_pkey_kind(const struct att_pkey *k);
bool att_pkey_is_rsa(const struct att_pkey *k);
bool att_pkey_is_ec(const struct att_pkey *k);
/* att_pkey_bits returns the key size in bits (RSA modulus, EC order). */
int att_pkey_bits(const struct att_pkey *k);
/* att_pkey_has_private tells whether the key holds a private part. */
bool att_pkey_has_private(const struct att_pkey *k);
/* att_pkey_kind_name returns "RSA-2048", "EC-P256", ... */
const char *att_pkey_kind_name(enum att_key_kind kind);

/* att_pkey_equal_public tells whether a and b have the same public key. */
bool att_pkey_equal_public(const struct att_pkey *a, const struct att_pkey *b);

/* att_pkey_spki_der returns the DER SubjectPublicKeyInfo (malloc'd). */
int att_pkey_spki_der(uint8_t **out, size_t *out_len,
		      const struct att_pkey *k);

/* att_pkey_spki_pin writes a malloc'd "sha256//<std b64 of SHA-256(SPKI
 * DER)>", the form of curl's CURLOPT_PINNEDPUBLICKEY. */
int att_pkey_spki_pin(char **out, const struct att_pkey *k);

/* att_pkey_sign signs data with the private key. out_sig is appended to
 * (the caller inits it with a max of at least 512). ATT_ERR_ALG when the
 * key type does not fit alg (RS/PS need RSA; ES256 P-256; ES384 P-384). */
int att_pkey_sign(struct att_buf *out_sig, struct att_pkey *k,
		  enum att_sig_alg alg, const void *data, size_t len);

/* att_pkey_verify checks sig over data. Returns 0, ATT_ERR_SIG_INVALID
 * (bad signature, wrong length), or ATT_ERR_ALG when the key type does
 * not fit alg. ECDSA signatures are raw r||s of exactly twice the
 * coordinate length. */
int att_pkey_verify(struct att_pkey *k, enum att_sig_alg alg,
		    const void *data, size_t len, const uint8_t *sig,
		    size_t sig_len);

/* att_pkey_dup returns another reference to k (NULL on allocation
 * failure); free each reference with att_pkey_free. */
struct att_pkey *att_pkey_dup(struct att_pkey *k);
/* att_pkey_free drops one reference; accepts NULL. */
void att_pkey_free(struct att_pkey *k);

/* For src/crypto only (other modules cannot include OpenSSL): the
 * underlying EVP_PKEY (borrowed), and wrapping an EVP_PKEY (takes a new
 * reference; the caller keeps its own). */
struct evp_pkey_st;
struct evp_pkey_st *att_pkey_get0_evp(const struct att_pkey *k);
int att_pkey_from_evp(struct att_pkey **out, struct evp_pkey_st *pk);

#endif
