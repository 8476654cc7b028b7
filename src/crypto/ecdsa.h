/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDSA P-256 / SHA-256 verification with raw r||s signatures, as used by
 * Intel DCAP (quote, QE report, TCB Info and QE Identity signatures). A
 * struct att_ec_key is a prepared public key (an EVP_PKEY inside): build it
 * once, verify many times; it is reference-counted and safe to share
 * between threads for verification.
 */
#ifndef ATT_CRYPTO_ECDSA_H
#define ATT_CRYPTO_ECDSA_H

#include <stddef.h>
#include <stdint.h>

struct att_ec_key;

/* att_ec_key_from_p256_xy loads an uncompressed P-256 point given as the
 * 64 bytes x || y (big-endian, no 0x04 prefix). Returns 0, or
 * ATT_ERR_FORMAT when the point is not on the curve, ATT_ERR_NOMEM. */
int att_ec_key_from_p256_xy(struct att_ec_key **out, const uint8_t xy[static 64]);
/* att_ec_key_get_xy writes the public point x || y of a P-256 key. */
int att_ec_key_get_xy(const struct att_ec_key *k, uint8_t out[static 64]);
/* att_ec_key_ref returns k with one more reference (never fails). */
struct att_ec_key *att_ec_key_ref(struct att_ec_key *k);
/* att_ec_key_free drops one reference; NULL is accepted. */
void att_ec_key_free(struct att_ec_key *k);

/* att_ecdsa_p256_verify checks sig = r || s (32 bytes each, big-endian)
 * over SHA-256(msg). Returns 0, ATT_ERR_SIG_INVALID or ATT_ERR_CRYPTO. */
int att_ecdsa_p256_verify(const struct att_ec_key *k, const void *msg,
			  size_t msg_len, const uint8_t sig[static 64]);
/* att_ecdsa_p256_verify_digest: the same over a precomputed SHA-256. */
int att_ecdsa_p256_verify_digest(const struct att_ec_key *k,
				 const uint8_t digest[static 32],
				 const uint8_t sig[static 64]);
/* att_ecdsa_raw_to_der converts r || s into a DER ECDSA-Sig-Value;
 * out must hold 72 bytes. Returns the DER length. */
size_t att_ecdsa_raw_to_der(uint8_t out[static 72], const uint8_t sig[static 64]);

#endif
