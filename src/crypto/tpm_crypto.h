/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OpenSSL half of TPM 2.0 attestation: hashing by TPM algorithm ID,
 * the TPM key derivation functions KDFa and KDFe (TPM 2.0 Part 1
 * §11.4.9), and the primitives of MakeCredential (ephemeral ECDH,
 * AES-CFB, HMAC). TPM public keys and quote signatures are struct
 * att_pkey (crypto/pkey.h: att_pkey_from_rsa_public / _ec_public,
 * att_pkey_verify_rsa / _ecdsa, att_pkey_rsa_oaep_encrypt). Nothing here
 * parses TPM wire structures: src/evidence/tpm does that and passes plain
 * byte strings.
 * Algorithm identifiers are the TPM_ALG_ID values of TPM 2.0 Part 2.
 */
#ifndef ATT_CRYPTO_TPM_CRYPTO_H
#define ATT_CRYPTO_TPM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"

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

/* TPM_ECC_CURVE values. */
#define ATT_TPM_ECC_NIST_P256 0x0003
#define ATT_TPM_ECC_NIST_P384 0x0004
#define ATT_TPM_ECC_NIST_P521 0x0005

/* Sizes of the largest values these functions handle. */
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
 * "sha3_256", case-insensitive); NULL when unknown. */
const struct att_tpm_hash_info *att_tpm_hash_info_by_name(const char *name);
/* att_tpm_hash_at returns row i of the table (0..), NULL past the end. */
const struct att_tpm_hash_info *att_tpm_hash_at(size_t i);
/* att_tpm_hash_supported is true when this OpenSSL can compute alg. */
bool att_tpm_hash_supported(uint16_t alg);

/* att_tpm_hash computes H_alg(a || b) into out (out_len must be the
 * digest size). b may be NULL. ATT_ERR_ALG for an unknown or unavailable
 * hash, ATT_ERR_INVALID_ARG for a wrong out_len. */
int att_tpm_hash(uint16_t alg, uint8_t *out, size_t out_len, const void *a,
		 size_t a_len, const void *b, size_t b_len);

/* Incremental hashing by TPM algorithm ID. _new returns NULL on an
 * unknown algorithm or allocation failure; _free accepts NULL. A context
 * fetches its digest once and can be reused after _final through _reset
 * (replay extends thousands of times; OpenSSL 3's implicit fetch per
 * digest would dominate). */
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

/* att_tpm_hmac computes HMAC_alg(key, a || b) into out (digest size). */
int att_tpm_hmac(uint16_t alg, uint8_t *out, size_t out_len,
		 const uint8_t *key, size_t key_len, const void *a,
		 size_t a_len, const void *b, size_t b_len);

/* att_tpm_md_of maps a TPM hash algorithm to the enum att_md of the
 * crypto primitives (public keys are struct att_pkey, crypto/pkey.h).
 * ATT_ERR_ALG when alg is not a hash attestd knows. */
int att_tpm_md_of(uint16_t alg, enum att_md *out);

/* att_tpm_kdfa is KDFa (SP 800-108 counter mode with HMAC_hash):
 * blocks HMAC(key, u32be(i) || label || 0x00 || ctx_u || ctx_v ||
 * u32be(bits)), i = 1, 2, ...; writes ceil(bits/8) bytes to out, masking
 * the unused high bits of out[0] when bits % 8 != 0. label is a C string
 * without its NUL (the 0x00 is added here); ctx_u/ctx_v may be NULL. */
int att_tpm_kdfa(uint16_t hash, const uint8_t *key, size_t key_len,
		 const char *label, const uint8_t *ctx_u, size_t ctx_u_len,
		 const uint8_t *ctx_v, size_t ctx_v_len, uint32_t bits,
		 uint8_t *out, size_t out_len);
/* att_tpm_kdfe is KDFe (SP 800-56A concatenation KDF): blocks
 * H(u32be(i) || z || use || 0x00 || party_u || party_v); writes
 * ceil(bits/8) bytes to out. */
int att_tpm_kdfe(uint16_t hash, const uint8_t *z, size_t z_len,
		 const char *use, const uint8_t *party_u, size_t party_u_len,
		 const uint8_t *party_v, size_t party_v_len, uint32_t bits,
		 uint8_t *out, size_t out_len);

/* The result of one ephemeral ECDH with a TPM key: Z = x(d * Q_peer) and
 * the ephemeral public point Qe = d * G, each coordinate padded to the
 * field size (len). Z is secret. */
struct att_tpm_ecdh {
	size_t len;
	uint8_t z[ATT_TPM_MAX_ECC_BYTES];
	uint8_t qx[ATT_TPM_MAX_ECC_BYTES];
	uint8_t qy[ATT_TPM_MAX_ECC_BYTES];
};

/* att_tpm_ecdh_ephemeral draws d (or takes priv, a big-endian scalar,
 * for known-answer tests) and computes *out against the peer point
 * (x, y) on curve, which must lie on the curve. */
int att_tpm_ecdh_ephemeral(struct att_tpm_ecdh *out, uint16_t curve,
			   const uint8_t *x, size_t x_len, const uint8_t *y,
			   size_t y_len, const uint8_t *priv, size_t priv_len);

/* att_tpm_aes_cfb runs AES-{128,192,256}-CFB128 with an all-zero IV (the
 * TPM's credential and parameter encryption) over len bytes; encrypt
 * selects the direction. out may equal in. */
int att_tpm_aes_cfb(bool encrypt, const uint8_t *key, size_t key_len,
		    const uint8_t *in, size_t len, uint8_t *out);

/* att_tpm_cleanse wipes secret bytes (not optimised away). */
void att_tpm_cleanse(void *p, size_t len);

#endif
