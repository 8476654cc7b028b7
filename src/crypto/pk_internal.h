/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the key and certificate files of src/crypto (pkey.c,
 * pk_sign.c, pk_jwk.c, digest.c, cert.c, x509.c). Not for use outside src/crypto: it
 * includes OpenSSL.
 */
#ifndef ATT_CRYPTO_PK_INTERNAL_H
#define ATT_CRYPTO_PK_INTERNAL_H

#include "base/limits.h"
#include <openssl/bio.h>
#include <openssl/evp.h>

#include "crypto/pkey.h"


/* att_md_evp returns OpenSSL's digest for md (NULL when not built in). */
const EVP_MD *att_md_evp(enum att_md md);

/* att_pk_check_acceptable: 0, or ATT_ERR_UNSUPPORTED for key types and
 * sizes the token layer refuses. */
int att_pk_check_acceptable(EVP_PKEY *pk);
/* att_pk_take wraps pk (checked), taking the reference even on failure. */
int att_pk_take(struct att_pkey **out, EVP_PKEY *pk);
/* att_pk_take_any wraps pk without that check (evidence keys), taking the
 * reference even on failure. */
int att_pk_take_any(struct att_pkey **out, EVP_PKEY *pk);
/* att_pk_bio_take copies a memory BIO's contents into a malloc'd string. */
int att_pk_bio_take(char **out, BIO *bio);

/* att_pk_der_take moves n bytes of OpenSSL-allocated DER (from an i2d_*
 * call; n <= 0 means that call failed) into a malloc'd copy in *out,
 * freeing der in every case. Returns 0, ATT_ERR_CRYPTO or ATT_ERR_NOMEM. */
int att_pk_der_take(uint8_t **out, size_t *out_len, unsigned char *der,
		    int n);

/* att_pk_x509_sign_ctx makes the digest-signing context of a certificate
 * or CRL signature for X509_sign_ctx / X509_CRL_sign_ctx: SHA-256 with
 * the key's default padding (sig 0), or RSASSA-PSS SHA-384, MGF1 SHA-384,
 * salt 48 (enum att_cert_sig in crypto/cert.h). ATT_ERR_ALG when PSS is
 * asked of a key that is not RSA. Free with EVP_MD_CTX_free. */
int att_pk_x509_sign_ctx(EVP_MD_CTX **out, EVP_PKEY *pk, int sig);

#endif
