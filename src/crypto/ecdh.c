/* SPDX-License-Identifier: Apache-2.0 */
/* Ephemeral-static ECDH over OpenSSL 3's EC_POINT API (crypto/ecdh.h). */
#include "crypto/ecdh.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "attest/err.h"

static int curve_nid(enum att_key_kind curve)
{
	switch (curve) {
	case ATT_KEY_EC_P256: return NID_X9_62_prime256v1;
	case ATT_KEY_EC_P384: return NID_secp384r1;
	case ATT_KEY_EC_P521: return NID_secp521r1;
	default: return NID_undef;
	}
}

/* peer_point decodes (x, y), left-padded to the field size, and requires
 * a point of the curve other than infinity. */
static int peer_point(EC_POINT **out, const EC_GROUP *g, size_t field,
		      const uint8_t *x, size_t x_len, const uint8_t *y,
		      size_t y_len, BN_CTX *bc)
{
	uint8_t oct[1 + 2 * ATT_PKEY_EC_MAX_COORD];
	EC_POINT *p = NULL;
	if (!x || !y || !x_len || !y_len || x_len > field || y_len > field)
		return ATT_ERR_FORMAT;
	memset(oct, 0, sizeof(oct));
	oct[0] = 0x04;
	memcpy(oct + 1 + field - x_len, x, x_len);
	memcpy(oct + 1 + 2 * field - y_len, y, y_len);
	p = EC_POINT_new(g);
	if (!p)
		return ATT_ERR_NOMEM;
	if (EC_POINT_oct2point(g, p, oct, 1 + 2 * field, bc) != 1 ||
	    EC_POINT_is_on_curve(g, p, bc) != 1 ||
	    EC_POINT_is_at_infinity(g, p)) {
		EC_POINT_free(p);
		return ATT_ERR_FORMAT;
	}
	*out = p;
	return 0;
}

/* scalar sets d = priv (checked 0 < d < n) or a random d in [1, n). */
static int scalar(BIGNUM *d, const EC_GROUP *g, const uint8_t *priv,
		  size_t priv_len)
{
	const BIGNUM *order = EC_GROUP_get0_order(g);
	if (priv) {
		if (priv_len == 0 || priv_len > ATT_PKEY_EC_MAX_COORD ||
		    !BN_bin2bn(priv, (int)priv_len, d))
			return ATT_ERR_INVALID_ARG;
		if (BN_is_zero(d) || BN_cmp(d, order) >= 0)
			return ATT_ERR_INVALID_ARG;
		return 0;
	}
	do {
		if (BN_priv_rand_range(d, order) != 1)
			return ATT_ERR_CRYPTO;
	} while (BN_is_zero(d));
	return 0;
}

static int coords(const EC_GROUP *g, const EC_POINT *p, uint8_t *x,
		  uint8_t *y, size_t field, BN_CTX *bc)
{
	BIGNUM *bx = BN_new(), *by = BN_new();
	int r = ATT_ERR_CRYPTO;
	if (bx && by && EC_POINT_get_affine_coordinates(g, p, bx, by, bc) == 1 &&
	    BN_bn2binpad(bx, x, (int)field) == (int)field &&
	    (!y || BN_bn2binpad(by, y, (int)field) == (int)field))
		r = 0;
	BN_clear_free(bx);
	BN_clear_free(by);
	return r;
}

int att_ecdh_ephemeral(struct att_ecdh *out, enum att_key_kind curve,
		       const uint8_t *x, size_t x_len, const uint8_t *y,
		       size_t y_len, const uint8_t *priv, size_t priv_len)
{
	int nid = curve_nid(curve);
	EC_GROUP *g = NULL;
	EC_POINT *peer = NULL, *qe = NULL, *s = NULL;
	BIGNUM *d = NULL;
	BN_CTX *bc = NULL;
	size_t field;
	int r = ATT_ERR_CRYPTO;
	memset(out, 0, sizeof(*out));
	if (nid == NID_undef)
		return ATT_ERR_UNSUPPORTED;
	g = EC_GROUP_new_by_curve_name(nid);
	bc = BN_CTX_new();
	d = BN_secure_new();
	if (!g || !bc || !d)
		goto out;
	field = ((size_t)EC_GROUP_get_degree(g) + 7) / 8;
	if ((r = peer_point(&peer, g, field, x, x_len, y, y_len, bc)) != 0 ||
	    (r = scalar(d, g, priv, priv_len)) != 0)
		goto out;
	r = ATT_ERR_CRYPTO;
	qe = EC_POINT_new(g);
	s = EC_POINT_new(g);
	if (!qe || !s || EC_POINT_mul(g, qe, d, NULL, NULL, bc) != 1 ||
	    EC_POINT_mul(g, s, NULL, peer, d, bc) != 1 ||
	    EC_POINT_is_at_infinity(g, s))
		goto out;
	if ((r = coords(g, s, out->z, NULL, field, bc)) != 0 ||
	    (r = coords(g, qe, out->qx, out->qy, field, bc)) != 0)
		goto out;
	out->len = field;
	r = 0;
out:
	if (r)
		OPENSSL_cleanse(out, sizeof(*out));
	EC_POINT_clear_free(s);
	EC_POINT_free(qe);
	EC_POINT_free(peer);
	BN_clear_free(d);
	BN_CTX_free(bc);
	EC_GROUP_free(g);
	ERR_clear_error();
	return r;
}
