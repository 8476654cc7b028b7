/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RSA encryption schemes of PKCS #1 v2.2 (RFC 8017): RSAES-PKCS1-v1_5
 * and RSAES-OAEP, both directions. The TPM's TPM2_RSA_Decrypt takes
 * either (TPM_ALG_RSAES, TPM_ALG_OAEP); MAA wraps the AzureGuest
 * answer's inner key for the guest's vTPM key with the scheme its
 * clients ask TPM2_RSA_Decrypt for (docs/api.md "AzureGuest").
 * pkey.h's att_pkey_rsa_oaep_encrypt is the OAEP encryption with a label.
 */
#ifndef ATT_CRYPTO_RSA_ENC_H
#define ATT_CRYPTO_RSA_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "crypto/pkey.h"

enum att_rsa_pad {
	ATT_RSA_PAD_PKCS1 = 1, /* RSAES-PKCS1-v1_5 (TPM_ALG_RSAES) */
	ATT_RSA_PAD_OAEP = 2,  /* RSAES-OAEP, MGF1 with the same hash, no label */
};

/* att_rsa_encrypt encrypts in under the RSA public key k (md: the OAEP
 * hash, ignored for PKCS1). out must hold the modulus size; *out_len
 * receives it. ATT_ERR_ALG (not RSA, unknown hash), ATT_ERR_INVALID_ARG
 * (out too small, in too long for the scheme), ATT_ERR_CRYPTO. */
int att_rsa_encrypt(const struct att_pkey *k, enum att_rsa_pad pad,
		    enum att_md md, const uint8_t *in, size_t in_len,
		    uint8_t *out, size_t out_cap, size_t *out_len);

/* att_rsa_decrypt decrypts in with the RSA private key k into out
 * (out_cap bytes). ATT_ERR_SIG_INVALID when the padding does not check
 * (wrong key, tampered input), ATT_ERR_INVALID_ARG (no private key, out
 * too small), ATT_ERR_ALG. PKCS1: OpenSSL 3.2 and later reject
 * implicitly (a bad padding gives a pseudo-random plaintext, not an
 * error, RFC 8017 §7.2.2 note), so what is decrypted must be
 * authenticated by the next step (a GCM tag). */
int att_rsa_decrypt(const struct att_pkey *k, enum att_rsa_pad pad,
		    enum att_md md, const uint8_t *in, size_t in_len,
		    uint8_t *out, size_t out_cap, size_t *out_len);

#endif
