/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct att_cert: one X.509 certificate, opaque outside src/crypto. This
 * module makes self-signed certificates (token signing certificates for
 * x5c, TLS certificates for dev mode), converts between DER, PEM and the
 * standard-base64 DER of JWS/JWK "x5c" arrays, and computes MAA's
 * thumbprint (upper-case hex SHA-1 of the DER). It does not verify
 * chains: that is the evidence verifiers' business.
 */
#ifndef ATT_CRYPTO_CERT_H
#define ATT_CRYPTO_CERT_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct att_pkey;
struct att_cert;

/* Most certificates att_cert_chain_from_pem reads from one PEM text. */

/* att_cert_self_signed makes a self-signed v3 certificate for key (which
 * must hold a private part), subject = issuer = CN=common_name, a random
 * 128-bit serial, validity [not_before, not_after] (Unix seconds),
 * basicConstraints CA:FALSE, keyUsage digitalSignature, subject key id.
 * Signed with SHA-256 (RSA PKCS#1 v1.5 or ECDSA). */
int att_cert_self_signed(struct att_cert **out, struct att_pkey *key,
			 const char *common_name, int64_t not_before,
			 int64_t not_after);

/* att_cert_self_signed_tls is att_cert_self_signed for a TLS server:
 * subjectAltName IP:127.0.0.1, IP:::1, DNS:localhost; extendedKeyUsage
 * serverAuth; keyUsage digitalSignature (+ keyEncipherment for RSA). */
int att_cert_self_signed_tls(struct att_cert **out, struct att_pkey *key,
			     const char *common_name, int64_t not_before,
			     int64_t not_after);

/* att_cert_self_signed_san is the TLS variant with the caller's SANs, each
 * "DNS:name" or "IP:address" (n_sans <= 32). */
int att_cert_self_signed_san(struct att_cert **out, struct att_pkey *key,
			     const char *common_name, int64_t not_before,
			     int64_t not_after, const char *const *sans,
			     size_t n_sans);

/* att_cert_from_der reads exactly one DER certificate (no trailing bytes;
 * at most ATT_MAX_CERT_LEN). */
int att_cert_from_der(struct att_cert **out, const uint8_t *der, size_t len);
/* att_cert_from_pem reads the first "CERTIFICATE" block of a PEM text. */
int att_cert_from_pem(struct att_cert **out, const char *pem, size_t len);
/* att_cert_from_x5c_b64 reads one x5c entry (standard base64 of DER). */
int att_cert_from_x5c_b64(struct att_cert **out, const char *b64);
/* att_cert_chain_from_pem reads every certificate of a PEM text, in order,
 * into a malloc'd array (free with att_cert_chain_free). ATT_ERR_FORMAT
 * when there is none, ATT_ERR_LIMIT above ATT_MAX_PEM_CERTS. */
int att_cert_chain_from_pem(struct att_cert ***out, size_t *n_out,
			    const char *pem, size_t len);
/* att_cert_chain_free frees n certificates and the array; accepts NULL. */
void att_cert_chain_free(struct att_cert **chain, size_t n);

/* att_cert_to_der returns the DER encoding (malloc'd). */
int att_cert_to_der(uint8_t **out, size_t *out_len, const struct att_cert *c);
/* att_cert_to_pem returns a malloc'd "CERTIFICATE" PEM text. */
int att_cert_to_pem(char **out, const struct att_cert *c);
/* att_cert_x5c_b64 returns malloc'd standard base64 (padded) of the DER. */
int att_cert_x5c_b64(char **out, const struct att_cert *c);

/* att_cert_get1_pubkey returns the subject public key (owned by caller). */
int att_cert_get1_pubkey(struct att_pkey **out, const struct att_cert *c);

/* att_cert_thumbprint_sha1 writes 40 upper-case hex chars + NUL: SHA-1 of
 * the DER, as MAA reports certificate thumbprints. */
int att_cert_thumbprint_sha1(char out[static 41], const struct att_cert *c);
/* att_cert_sha256 writes SHA-256 of the DER. */
int att_cert_sha256(uint8_t out[static 32], const struct att_cert *c);

/* Validity in Unix seconds. */
int att_cert_not_before(int64_t *out, const struct att_cert *c);
int att_cert_not_after(int64_t *out, const struct att_cert *c);
/* att_cert_subject returns the subject as a malloc'd one-line RFC 2253
 * string ("CN=example"). */
int att_cert_subject(char **out, const struct att_cert *c);
/* att_cert_equal tells whether two certificates have the same DER. */
bool att_cert_equal(const struct att_cert *a, const struct att_cert *b);

/* att_cert_dup returns another reference (NULL on allocation failure). */
struct att_cert *att_cert_dup(struct att_cert *c);
/* att_cert_free drops one reference; accepts NULL. */
void att_cert_free(struct att_cert *c);

/* For src/crypto only: the underlying X509 (borrowed), and wrapping an
 * X509 (takes a new reference; the caller keeps its own). */
struct x509_st;
struct x509_st *att_cert_get0_x509(const struct att_cert *c);
int att_cert_from_x509(struct att_cert **out, struct x509_st *x);

#endif
