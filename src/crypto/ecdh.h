/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-pass elliptic-curve Diffie-Hellman with an ephemeral key (SP
 * 800-56A C(1e, 1s)): draw d, send Qe = d * G, share Z = x(d * Q_peer).
 * TPM2_MakeCredential for an ECC endorsement key uses it (its KDF and
 * labels are the caller's business).
 */
#ifndef ATT_CRYPTO_ECDH_H
#define ATT_CRYPTO_ECDH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/pkey.h"

/* The result: Z and the ephemeral public point Qe, each coordinate
 * left-padded to the field size len. Z is secret: att_cleanse it. */
struct att_ecdh {
	size_t len;
	uint8_t z[ATT_PKEY_EC_MAX_COORD];
	uint8_t qx[ATT_PKEY_EC_MAX_COORD];
	uint8_t qy[ATT_PKEY_EC_MAX_COORD];
};

/* att_ecdh_ephemeral computes *out on curve (ATT_KEY_EC_P256, _P384 or
 * _P521; ATT_ERR_UNSUPPORTED for any other kind) against the peer point
 * (x, y), big-endian coordinates of at most the field size, which must be
 * a point of the curve other than infinity (ATT_ERR_FORMAT). d is drawn
 * at random, or taken from priv (big-endian, 0 < d < n, else
 * ATT_ERR_INVALID_ARG) for known-answer tests. *out is zeroed on error. */
int att_ecdh_ephemeral(struct att_ecdh *out, enum att_key_kind curve,
		       const uint8_t *x, size_t x_len, const uint8_t *y,
		       size_t y_len, const uint8_t *priv, size_t priv_len);

#endif
