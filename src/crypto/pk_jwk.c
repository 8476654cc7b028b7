/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWK (RFC 7517/7518 section 6) public key members <-> struct att_pkey:
 * RSA "n"/"e" and EC "crv"/"x"/"y", all base64url big-endian integers.
 * EC coordinates must be exactly the curve's field length (RFC 7518
 * 6.2.1.2) and the point must lie on the curve; RSA exponents are limited
 * to 8 bytes. Only public members are ever read or written.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/pk_internal.h"
#include "crypto/pkey.h"

/* member decodes a base64url JWK member strictly (one spelling per key,
 * RFC 7515 base64url); ATT_ERR_FORMAT when absent or not canonical. */
static int member(uint8_t **out, size_t *len, json_t *jwk, const char *name)
{
	*out = NULL;
	const char *s = json_string_value(json_object_get(jwk, name));
	if (!s || !*s)
		return ATT_ERR_FORMAT;
	return att_b64url_decode_strict(out, len, s, strlen(s), NULL)
		       ? ATT_ERR_FORMAT
		       : 0;
}

/* rsa_exponent_ok: e odd and greater than 1 (e = 1 would make every
 * value its own signature). */
static bool rsa_exponent_ok(EVP_PKEY *pk)
{
	BIGNUM *e = NULL;
	bool ok = EVP_PKEY_get_bn_param(pk, "e", &e) == 1 && BN_is_odd(e) &&
		  !BN_is_one(e);
	BN_free(e);
	return ok;
}

static int from_params(struct att_pkey **out, const char *type,
		       OSSL_PARAM_BLD *bld)
{
	EVP_PKEY *pk = NULL;
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	int r = ATT_ERR_FORMAT;
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	if ((r = att_pk_check_acceptable(pk)) != 0)
		goto out;
	r = ATT_ERR_FORMAT;
	EVP_PKEY_CTX_free(ctx);
	ctx = NULL;
	/* EC: the point must lie on the curve (P-256/P-384 have cofactor 1,
	 * so the quick check is the complete one). RSA: the size was checked
	 * above and the exponent is checked here; OpenSSL's full RSA public check runs a
	 * primality test on the modulus (milliseconds per key), which adds
	 * nothing to signature verification and made every bearer-token
	 * check pay for it. */
	if (EVP_PKEY_is_a(pk, "EC")) {
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
		if (!ctx || EVP_PKEY_public_check_quick(ctx) != 1)
			goto out;
	} else if (!rsa_exponent_ok(pk)) {
		goto out;
	}
	r = att_pk_take(out, pk);
	pk = NULL; /* transferred */
out:
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	ERR_clear_error();
	return r;
}

static int rsa_from_jwk(struct att_pkey **out, json_t *jwk)
{
	uint8_t *n = NULL, *e = NULL;
	size_t n_len = 0, e_len = 0;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	int r;
	if ((r = member(&n, &n_len, jwk, "n")) != 0 ||
	    (r = member(&e, &e_len, jwk, "e")) != 0)
		goto out;
	r = ATT_ERR_UNSUPPORTED;
	if (e_len > 8 || n_len > ATT_PKEY_MAX_RSA_BITS / 8 + 1)
		goto out;
	r = ATT_ERR_NOMEM;
	bn_n = BN_bin2bn(n, (int)n_len, NULL);
	bn_e = BN_bin2bn(e, (int)e_len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!bn_n || !bn_e || !bld ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		goto out;
	r = from_params(out, "RSA", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	free(n);
	free(e);
	return r;
}

static int ec_from_jwk(struct att_pkey **out, json_t *jwk)
{
	uint8_t *x = NULL, *y = NULL, pt[1 + 2 * 48];
	size_t x_len = 0, y_len = 0, coord;
	OSSL_PARAM_BLD *bld = NULL;
	const char *group;
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	int r;
	if (!crv)
		return ATT_ERR_FORMAT;
	if (!strcmp(crv, "P-256")) {
		group = "prime256v1";
		coord = 32;
	} else if (!strcmp(crv, "P-384")) {
		group = "secp384r1";
		coord = 48;
	} else {
		return ATT_ERR_UNSUPPORTED;
	}
	if ((r = member(&x, &x_len, jwk, "x")) != 0 ||
	    (r = member(&y, &y_len, jwk, "y")) != 0)
		goto out;
	r = ATT_ERR_FORMAT;
	if (x_len != coord || y_len != coord)
		goto out;
	pt[0] = 0x04; /* uncompressed point (SEC 1, 2.3.3) */
	memcpy(pt + 1, x, coord);
	memcpy(pt + 1 + coord, y, coord);
	r = ATT_ERR_NOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
					      1 + 2 * coord))
		goto out;
	r = from_params(out, "EC", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	free(y);
	return r;
}

int att_pkey_from_jwk(struct att_pkey **out, json_t *jwk)
{
	*out = NULL;
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	if (!json_is_object(jwk) || !kty)
		return ATT_ERR_FORMAT;
	if (!strcmp(kty, "RSA"))
		return rsa_from_jwk(out, jwk);
	if (!strcmp(kty, "EC"))
		return ec_from_jwk(out, jwk);
	return ATT_ERR_UNSUPPORTED;
}

/* set_bn stores a BIGNUM as base64url of its big-endian bytes, left-padded
 * to pad bytes when pad is not 0. */
static int set_bn(json_t *o, const char *name, const BIGNUM *bn, int pad)
{
	uint8_t buf[ATT_PKEY_MAX_RSA_BITS / 8 + 1];
	int n = pad ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
	if (n <= 0 || (size_t)BN_num_bytes(bn) > sizeof(buf))
		return ATT_ERR_CRYPTO;
	char *s = att_b64url_encode(buf, (size_t)n);
	if (!s)
		return ATT_ERR_NOMEM;
	int r = json_object_set_new(o, name, json_string(s)) ? ATT_ERR_NOMEM : 0;
	free(s);
	return r;
}

static int get_bn_member(json_t *o, const EVP_PKEY *pk, const char *param,
			 const char *name, int pad)
{
	BIGNUM *bn = NULL;
	if (EVP_PKEY_get_bn_param(pk, param, &bn) != 1)
		return ATT_ERR_CRYPTO;
	int r = set_bn(o, name, bn, pad);
	BN_free(bn);
	return r;
}

int att_pkey_to_jwk(json_t **out, const struct att_pkey *k)
{
	const EVP_PKEY *pk = att_pkey_get0_evp(k);
	json_t *o = json_object();
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!o)
		return r;
	if (att_pkey_is_rsa(k)) {
		if (json_object_set_new(o, "kty", json_string("RSA")) ||
		    (r = get_bn_member(o, pk, OSSL_PKEY_PARAM_RSA_N, "n", 0)) ||
		    (r = get_bn_member(o, pk, OSSL_PKEY_PARAM_RSA_E, "e", 0)))
			goto out;
	} else {
		bool p384 = att_pkey_kind(k) == ATT_KEY_EC_P384;
		int coord = p384 ? 48 : 32;
		if (json_object_set_new(o, "kty", json_string("EC")) ||
		    json_object_set_new(o, "crv",
					json_string(p384 ? "P-384" : "P-256")) ||
		    (r = get_bn_member(o, pk, OSSL_PKEY_PARAM_EC_PUB_X, "x",
				       coord)) ||
		    (r = get_bn_member(o, pk, OSSL_PKEY_PARAM_EC_PUB_Y, "y",
				       coord)))
			goto out;
	}
	*out = o;
	o = NULL; /* transferred */
	r = 0;
out:
	json_decref(o);
	ERR_clear_error();
	return r;
}
