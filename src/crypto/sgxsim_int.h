/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the SGX simulator's OpenSSL files (sgxsim_key.c,
 * sgxsim_x509.c). Included only inside src/crypto.
 */
#ifndef ATT_CRYPTO_SGXSIM_INT_H
#define ATT_CRYPTO_SGXSIM_INT_H

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "crypto/sgxsim.h"

struct att_sgxsim_key {
	EVP_PKEY *pkey;
};

struct att_sgxsim_cert {
	X509 *x509;
};

/* att_sgxsim_bio_to_buf appends the contents of a memory BIO. */
int att_sgxsim_bio_to_buf(BIO *bio, struct att_buf *out);

#endif
