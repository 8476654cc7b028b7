/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to src/crypto/tpm_*.c: the TPM-hash-ID to OpenSSL digest
 * mapping. Nothing outside src/crypto sees
 * OpenSSL types.
 */
#ifndef ATT_CRYPTO_TPM_INTERNAL_H
#define ATT_CRYPTO_TPM_INTERNAL_H

#include <stdint.h>

#include <openssl/evp.h>

/* att_tpm_md returns OpenSSL's digest for a TPM hash ID, or NULL. */
const EVP_MD *att_tpm_md(uint16_t alg);

#endif
