/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The primitives of TPM2_MakeCredential done outside a TPM (TPM 2.0 Part 1
 * §24): the seed is either RSA-OAEP encrypted to the endorsement key (label
 * "IDENTITY\0", hash = the EK's nameAlg) or agreed by one-pass ECDH with an
 * ephemeral key; the credential is then AES-CFB encrypted with a zero IV.
 * The protocol around these (KDFa labels, the integrity HMAC, TPM2B
 * framing) lives in src/evidence/tpm/makecred.c.
 */
#include "crypto/tpm_crypto.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include "attest/err.h"
#include "crypto/tpm_internal.h"


static int curve_nid(uint16_t curve)
{
	switch (curve) {
	case ATT_TPM_ECC_NIST_P256: return NID_X9_62_prime256v1;
	case ATT_TPM_ECC_NIST_P384: return NID_secp384r1;
	case ATT_TPM_ECC_NIST_P521: return NID_secp521r1;
	default: return NID_undef;
	}
}

/* peer_point decodes (x, y), left-padded to the field size, and requires
 * a point of the curve other than infinity. */
static int peer_point(EC_POINT **out, const EC_GROUP *g, size_t field,
		      const uint8_t *x, size_t x_len, const uint8_t *y,
		      size_t y_len, BN_CTX *bc)
{
	uint8_t oct[1 + 2 * ATT_TPM_MAX_ECC_BYTES];
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
		if (priv_len == 0 || priv_len > ATT_TPM_MAX_ECC_BYTES ||
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

int att_tpm_ecdh_ephemeral(struct att_tpm_ecdh *out, uint16_t curve,
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
		att_tpm_cleanse(out, sizeof(*out));
	EC_POINT_clear_free(s);
	EC_POINT_free(qe);
	EC_POINT_free(peer);
	BN_clear_free(d);
	BN_CTX_free(bc);
	EC_GROUP_free(g);
	ERR_clear_error();
	return r;
}

int att_tpm_aes_cfb(bool encrypt, const uint8_t *key, size_t key_len,
		    const uint8_t *in, size_t len, uint8_t *out)
{
	static const uint8_t iv[16];
	const EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *c = NULL;
	int n1 = 0, n2 = 0, r = ATT_ERR_CRYPTO;
	switch (key_len) {
	case 16: cipher = EVP_aes_128_cfb128(); break;
	case 24: cipher = EVP_aes_192_cfb128(); break;
	case 32: cipher = EVP_aes_256_cfb128(); break;
	default: return ATT_ERR_ALG;
	}
	if (len > INT32_MAX)
		return ATT_ERR_INVALID_ARG;
	c = EVP_CIPHER_CTX_new();
	if (!c)
		return ATT_ERR_NOMEM;
	if (EVP_CipherInit_ex(c, cipher, NULL, key, iv, encrypt ? 1 : 0) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
	    EVP_CipherUpdate(c, out, &n1, in, (int)len) != 1 ||
	    EVP_CipherFinal_ex(c, out + n1, &n2) != 1 ||
	    (size_t)n1 + (size_t)n2 != len)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(c);
	ERR_clear_error();
	return r;
}
