/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct att_pkey: an asymmetric key (RSA or EC P-256/P-384) for token
 * signing and verification, hiding OpenSSL's EVP_PKEY from the rest of
 * attestd. Keys load from PEM (private or public), SPKI DER and JWK, and
 * save to PEM and JWK (public members only). Signatures use the JOSE
 * conventions: ECDSA signatures are the raw r||s concatenation, not DER.
 * RSA keys shorter than 2048 bits and EC curves other than P-256/P-384 are
 * refused on every load path (ATT_ERR_UNSUPPORTED).
 * Evidence keys (DCAP attestation and PCK keys, TPM AIK and EK keys) are
 * the same type, built from raw components or a SubjectPublicKeyInfo by
 * the att_pkey_from_*_public functions below, which accept what the
 * evidence formats carry (RSA 1024..4096 bits, EC P-256/P-384/P-521);
 * the token entry points (att_pkey_sign / att_pkey_verify) still refuse
 * any key outside the token kinds (ATT_ERR_ALG).
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

#include "crypto/digest.h"

/* Sizes of the raw components the evidence constructors take. */
#define ATT_PKEY_RSA_MAX_BYTES 512 /* RSA-4096 modulus */
#define ATT_PKEY_EC_MAX_COORD 66   /* P-521 coordinate */

struct att_buf;
struct att_pkey;

enum att_key_kind {
	ATT_KEY_RSA2048,
	ATT_KEY_EC_P256,
	ATT_KEY_EC_P384,
	ATT_KEY_RSA3072,
	ATT_KEY_RSA4096,
	ATT_KEY_RSA_OTHER, /* RSA of another size (load only) */
	ATT_KEY_EC_P521,   /* evidence keys only (TPM), never a token key */
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

/* att_pkey_from_rsa_public builds an RSA public key from a big-endian
 * modulus (128..ATT_PKEY_RSA_MAX_BYTES bytes, no leading zero byte)
 * and public exponent e (0 means 65537, as in TPM public areas; 1 and
 * even exponents are refused). ATT_ERR_FORMAT when malformed. */
int att_pkey_from_rsa_public(struct att_pkey **out, const uint8_t *n,
			     size_t n_len, uint32_t e);

/* att_pkey_from_ec_public builds an EC public key on curve (ATT_KEY_EC_
 * P256, _P384 or _P521) from big-endian coordinates, each left-padded to
 * the field size here. ATT_ERR_FORMAT when a coordinate is too long or
 * the point is not on the curve, ATT_ERR_UNSUPPORTED for another kind. */
int att_pkey_from_ec_public(struct att_pkey **out, enum att_key_kind curve,
			    const uint8_t *x, size_t x_len, const uint8_t *y,
			    size_t y_len);

/* att_pkey_from_public reads a SubjectPublicKeyInfo, PEM ("-----BEGIN
 * PUBLIC KEY-----") or DER (whole input), of an RSA or EC key of any size
 * (at most ATT_PKEY_MAX_PEM_LEN bytes). ATT_ERR_FORMAT / _UNSUPPORTED. */
int att_pkey_from_public(struct att_pkey **out, const uint8_t *in,
			 size_t len);

/* att_pkey_ec_public_xy writes the public point of an EC key as x || y,
 * each coordinate padded to coord bytes (out_len = 2 * coord, coord the
 * key's field size). ATT_ERR_FORMAT for another key or length. */
int att_pkey_ec_public_xy(const struct att_pkey *k, uint8_t *out,
			  size_t out_len);

/* Signatures of evidence formats (DCAP, TPM), with the digest named by
 * the caller (any enum att_md). att_pkey_verify_rsa checks an RSASSA-
 * PKCS1-v1_5 signature, or RSASSA-PSS (MGF1 with the same hash, any salt
 * length) when pss; the signature must be exactly the modulus size.
 * Returns 0, ATT_ERR_SIG_INVALID, ATT_ERR_ALG (key type or digest) or
 * ATT_ERR_CRYPTO. */
int att_pkey_verify_rsa(const struct att_pkey *k, enum att_md md, bool pss,
			const void *msg, size_t msg_len, const uint8_t *sig,
			size_t sig_len);

/* att_pkey_verify_ecdsa checks an ECDSA signature (r and s big-endian
 * integers of at most ATT_PKEY_EC_MAX_COORD bytes each) over msg hashed
 * with md; att_pkey_verify_ecdsa_digest over a digest the caller made.
 * Same returns as att_pkey_verify_rsa. */
int att_pkey_verify_ecdsa(const struct att_pkey *k, enum att_md md,
			  const void *msg, size_t msg_len, const uint8_t *r,
			  size_t r_len, const uint8_t *s, size_t s_len);
int att_pkey_verify_ecdsa_digest(const struct att_pkey *k,
				 const uint8_t *digest, size_t digest_len,
				 const uint8_t *r, size_t r_len,
				 const uint8_t *s, size_t s_len);

/* att_pkey_sign_ecdsa_digest signs a digest the caller made (ECDSA, no
 * hashing here) and writes r and s as big-endian integers left-padded to
 * coord bytes each (coord = the key's field size: 32 for P-256, 48 for
 * P-384, as SEV-SNP reports need). ATT_ERR_ALG for a key that is not EC
 * or another coord, ATT_ERR_INVALID_ARG for a public key. */
int att_pkey_sign_ecdsa_digest(struct att_pkey *k, const uint8_t *digest,
			       size_t digest_len, uint8_t *r, uint8_t *s,
			       size_t coord);

/* att_pkey_ecdsa_sig_der encodes (r, s) as a DER ECDSA-Sig-Value into
 * out (out_cap bytes; 2 * ATT_PKEY_EC_MAX_COORD + 16 always suffice). */
int att_pkey_ecdsa_sig_der(uint8_t *out, size_t out_cap, size_t *out_len,
			   const uint8_t *r, size_t r_len, const uint8_t *s,
			   size_t s_len);

/* att_pkey_rsa_oaep_encrypt encrypts in with RSAES-OAEP (hash and MGF1
 * hash md, the given label bytes, which may include a NUL) under the RSA
 * public key k. out must hold the modulus size; *out_len receives it. */
int att_pkey_rsa_oaep_encrypt(const struct att_pkey *k, enum att_md md,
			      const uint8_t *label, size_t label_len,
			      const uint8_t *in, size_t in_len, uint8_t *out,
			      size_t out_cap, size_t *out_len);

/* att_pkey_dup returns another reference to k (NULL on allocation
 * failure); free each reference with att_pkey_free. */
struct att_pkey *att_pkey_dup(struct att_pkey *k);
/* att_pkey_free drops one reference; accepts NULL. */
void att_pkey_free(struct att_pkey *k);

/* External signers: a key whose private part lives elsewhere (a PKCS #11
 * token, src/hsm/). fn signs data with alg and appends the signature to
 * out_sig in the JOSE form att_pkey_sign gives (RSASSA-PKCS1-v1_5 bytes;
 * ECDSA raw r||s). The key behaves as a private key: att_pkey_sign and
 * att_cert_build (its certificate signature) call fn; att_pkey_to_pem of
 * the private part is refused (ATT_ERR_INVALID_ARG), since attestd never
 * holds it. */
typedef int (*att_pkey_sign_fn)(void *ctx, enum att_sig_alg alg,
				const void *data, size_t len,
				struct att_buf *out_sig);

/* att_pkey_with_signer makes *out: the public key of pub with the
 * external signer fn/ctx. ctx_free (may be NULL) is called with ctx when
 * the last reference to *out (and its dups) is freed, and on failure.
 * fn may be called from several threads at once. */
int att_pkey_with_signer(struct att_pkey **out, const struct att_pkey *pub,
			 att_pkey_sign_fn fn, void *ctx,
			 void (*ctx_free)(void *ctx));

/* att_pkey_is_external tells whether k signs through an external signer. */
bool att_pkey_is_external(const struct att_pkey *k);

/* att_pkey_sign_external calls k's external signer (ATT_ERR_INVALID_ARG
 * when k has none). For src/crypto. */
int att_pkey_sign_external(struct att_buf *out_sig, struct att_pkey *k,
			   enum att_sig_alg alg, const void *data, size_t len);

/* For src/crypto only (other modules cannot include OpenSSL): the
 * underlying EVP_PKEY (borrowed), and wrapping an EVP_PKEY (takes a new
 * reference; the caller keeps its own). */
struct evp_pkey_st;
struct evp_pkey_st *att_pkey_get0_evp(const struct att_pkey *k);
int att_pkey_from_evp(struct att_pkey **out, struct evp_pkey_st *pk);

#endif
