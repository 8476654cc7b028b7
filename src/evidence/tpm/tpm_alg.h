/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 algorithm identifiers and hashing by them: the TPM_ALG_ID and
 * TPM_ECC_CURVE values attestd knows (TPM 2.0 Part 2 §6.3, §6.4), the one
 * table of TPM hash algorithms, their mapping to the digests of
 * crypto/digest.h (enum att_md) and the key kinds of crypto/pkey.h, and
 * hashes and HMACs keyed by TPM_ALG_ID. Everything cryptographic is done
 * by the generic primitives of src/crypto; nothing here parses TPM wire
 * structures.
 */
#ifndef ATT_EVIDENCE_TPM_TPM_ALG_H
#define ATT_EVIDENCE_TPM_TPM_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "crypto/pkey.h"

/* TPM_ALG_ID values (TPM 2.0 Part 2 §6.3). */
#define ATT_TPM_ALG_RSA 0x0001
#define ATT_TPM_ALG_SHA1 0x0004
#define ATT_TPM_ALG_HMAC 0x0005
#define ATT_TPM_ALG_AES 0x0006
#define ATT_TPM_ALG_KEYEDHASH 0x0008
#define ATT_TPM_ALG_SHA256 0x000B
#define ATT_TPM_ALG_SHA384 0x000C
#define ATT_TPM_ALG_SHA512 0x000D
#define ATT_TPM_ALG_NULL 0x0010
#define ATT_TPM_ALG_SM3_256 0x0012
#define ATT_TPM_ALG_RSASSA 0x0014
#define ATT_TPM_ALG_RSAES 0x0015
#define ATT_TPM_ALG_RSAPSS 0x0016
#define ATT_TPM_ALG_OAEP 0x0017
#define ATT_TPM_ALG_ECDSA 0x0018
#define ATT_TPM_ALG_ECDH 0x0019
#define ATT_TPM_ALG_ECDAA 0x001A
#define ATT_TPM_ALG_ECC 0x0023
#define ATT_TPM_ALG_SYMCIPHER 0x0025
#define ATT_TPM_ALG_SHA3_256 0x0027
#define ATT_TPM_ALG_SHA3_384 0x0028
#define ATT_TPM_ALG_SHA3_512 0x0029
#define ATT_TPM_ALG_CFB 0x0043

/* TPM_ECC_CURVE values (TPM 2.0 Part 2 §6.4). */
#define ATT_TPM_ECC_NIST_P256 0x0003
#define ATT_TPM_ECC_NIST_P384 0x0004
#define ATT_TPM_ECC_NIST_P521 0x0005

/* Sizes of the largest values of these algorithms. */
#define ATT_TPM_MAX_DIGEST_LEN 64   /* SHA-512 */
#define ATT_TPM_MAX_RSA_BYTES 512   /* RSA-4096 modulus */
#define ATT_TPM_MAX_ECC_BYTES 66    /* P-521 coordinate */

/* One row of the TPM hash algorithm table (the only one in attestd). */
struct att_tpm_hash_info {
	uint16_t alg;
	const char *name;   /* "sha256": lower case, as tpm2-tools prints */
	const char *upper;  /* "SHA256": as MAA's pcrs/events claims print */
	size_t size;
};

/* att_tpm_hash_info returns the table row of a TPM hash algorithm, or NULL
 * when alg is not a hash attestd knows. */
const struct att_tpm_hash_info *att_tpm_hash_info(uint16_t alg);
/* att_tpm_hash_info_by_name looks a row up by name ("sha256", "SHA256",
 * "sha3_256", "sha3-256", case-insensitive); NULL when unknown. */
const struct att_tpm_hash_info *att_tpm_hash_info_by_name(const char *name);
/* att_tpm_hash_at returns row i of the table (0..), NULL past the end. */
const struct att_tpm_hash_info *att_tpm_hash_at(size_t i);
/* att_tpm_hash_supported is true when this build can compute alg. */
bool att_tpm_hash_supported(uint16_t alg);

/* att_tpm_md_of maps a TPM hash algorithm to the enum att_md of the
 * crypto primitives. ATT_ERR_ALG when alg is not a hash attestd knows. */
int att_tpm_md_of(uint16_t alg, enum att_md *out);
/* att_tpm_curve_kind maps a TPM_ECC_CURVE to the key kind of
 * crypto/pkey.h; ATT_KEY_RSA_OTHER (not a curve) when unknown. */
enum att_key_kind att_tpm_curve_kind(uint16_t curve);

/* att_tpm_hash computes H_alg(a || b) into out (out_len must be the
 * digest size). b may be NULL. ATT_ERR_ALG for an unknown or unavailable
 * hash, ATT_ERR_INVALID_ARG for a wrong out_len. */
int att_tpm_hash(uint16_t alg, uint8_t *out, size_t out_len, const void *a,
		 size_t a_len, const void *b, size_t b_len);

/* Incremental hashing by TPM algorithm ID. _new returns NULL on an
 * unknown or unavailable algorithm or allocation failure; _free accepts
 * NULL. A context fetches its digest once and can be reused after _final
 * through _reset (crypto/digest.h: att_md_ctx). */
struct att_tpm_hash_ctx;
struct att_tpm_hash_ctx *att_tpm_hash_ctx_new(uint16_t alg);
/* att_tpm_hash_ctx_reset starts a new digest on c. */
int att_tpm_hash_ctx_reset(struct att_tpm_hash_ctx *c);
/* att_tpm_hash_ctx_digest is reset + update(a) + update(b) + final. */
int att_tpm_hash_ctx_digest(struct att_tpm_hash_ctx *c, uint8_t *out,
			    size_t out_len, const void *a, size_t a_len,
			    const void *b, size_t b_len);
int att_tpm_hash_update(struct att_tpm_hash_ctx *c, const void *in,
			size_t in_len);
/* att_tpm_hash_final writes the digest (out_len = digest size). */
int att_tpm_hash_final(struct att_tpm_hash_ctx *c, uint8_t *out,
		       size_t out_len);
void att_tpm_hash_ctx_free(struct att_tpm_hash_ctx *c);

/* att_tpm_hmac computes HMAC_alg(key, a || b) into out (digest size). b
 * may be NULL. ATT_ERR_ALG / ATT_ERR_INVALID_ARG as att_tpm_hash. */
int att_tpm_hmac(uint16_t alg, uint8_t *out, size_t out_len,
		 const uint8_t *key, size_t key_len, const void *a,
		 size_t a_len, const void *b, size_t b_len);

#endif
