/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evidence public keys as struct att_pkey: RSA keys from a modulus and
 * exponent and EC keys from a point (TPM public areas, SGX attestation
 * keys), and SubjectPublicKeyInfo in PEM or DER (TPM enrolment, AK files).
 * Every key is checked when built (EC points on the curve, RSA moduli of a
 * sane size), so a verifier never runs on a key it could not have been
 * given. EC keys are made by copying the parameters of a per-curve
 * template and setting the encoded point: ~13 us with OpenSSL 3.0 against
 * ~60 us for EVP_PKEY_fromdata, which rebuilds the group every time (one
 * SGX attestation key is built per quote).
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/pk_internal.h"
#include "crypto/pkey.h"

static int rsa_fromdata(EVP_PKEY **out, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	int r = ATT_ERR_CRYPTO;
	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		r = 0;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return r;
}

int att_pkey_from_rsa_public(struct att_pkey **out, const uint8_t *n,
			     size_t n_len, uint32_t e)
{
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *bn = NULL, *be = NULL;
	EVP_PKEY *p = NULL;
	int r = ATT_ERR_CRYPTO;
	*out = NULL;
	/* RSA-1024 .. RSA-4096, no leading zero byte (a TPM2B_PUBLIC_KEY_RSA
	 * carries exactly keyBits/8 bytes). */
	if (!n || n_len < 128 || n_len > ATT_PKEY_RSA_MAX_BYTES || n[0] == 0)
		return ATT_ERR_FORMAT;
	if (e == 1 || (e != 0 && e % 2 == 0))
		return ATT_ERR_FORMAT;
	bld = OSSL_PARAM_BLD_new();
	bn = BN_bin2bn(n, (int)n_len, NULL);
	be = BN_new();
	if (!bld || !bn || !be || !BN_set_word(be, e ? e : 65537))
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		goto out;
	if ((r = rsa_fromdata(&p, bld)) != 0)
		goto out;
	r = att_pk_take_any(out, p);
	p = NULL; /* transferred */
out:
	EVP_PKEY_free(p);
	BN_free(bn);
	BN_free(be);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return r;
}

/* The three curves evidence keys use, with a parameters-only template
 * each, made once. */
static const struct {
	enum att_key_kind kind;
	const char *group;
	size_t field;
} curves[] = {
	{ATT_KEY_EC_P256, "prime256v1", 32},
	{ATT_KEY_EC_P384, "secp384r1", 48},
	{ATT_KEY_EC_P521, "secp521r1", 66},
};
#define N_CURVES (sizeof(curves) / sizeof(curves[0]))
static EVP_PKEY *templates[N_CURVES];
static pthread_once_t templates_once = PTHREAD_ONCE_INIT;

static void templates_init(void)
{
	for (size_t i = 0; i < N_CURVES; i++) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
					       (char *)curves[i].group, 0),
			OSSL_PARAM_END,
		};
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
			EVP_PKEY_fromdata(ctx, &templates[i],
					  EVP_PKEY_KEY_PARAMETERS, params);
		EVP_PKEY_CTX_free(ctx);
	}
	ERR_clear_error();
}

static int curve_index(enum att_key_kind kind, size_t *idx)
{
	for (size_t i = 0; i < N_CURVES; i++)
		if (curves[i].kind == kind) {
			*idx = i;
			return 0;
		}
	return ATT_ERR_UNSUPPORTED;
}

int att_pkey_from_ec_public(struct att_pkey **out, enum att_key_kind curve,
			    const uint8_t *x, size_t x_len, const uint8_t *y,
			    size_t y_len)
{
	uint8_t pub[1 + 2 * ATT_PKEY_EC_MAX_COORD];
	size_t i = 0;
	*out = NULL;
	if (curve_index(curve, &i) != 0)
		return ATT_ERR_UNSUPPORTED;
	size_t field = curves[i].field;
	if (!x || !y || x_len == 0 || y_len == 0 || x_len > field ||
	    y_len > field)
		return ATT_ERR_FORMAT;
	pthread_once(&templates_once, templates_init);
	if (!templates[i])
		return ATT_ERR_CRYPTO;
	memset(pub, 0, sizeof(pub));
	pub[0] = 0x04;
	memcpy(pub + 1 + field - x_len, x, x_len);
	memcpy(pub + 1 + 2 * field - y_len, y, y_len);
	EVP_PKEY *p = EVP_PKEY_new();
	if (!p)
		return ATT_ERR_NOMEM;
	/* Decoding the point checks that it lies on the curve. */
	if (EVP_PKEY_copy_parameters(p, templates[i]) != 1 ||
	    EVP_PKEY_set1_encoded_public_key(p, pub, 1 + 2 * field) != 1) {
		EVP_PKEY_free(p);
		ERR_clear_error();
		return ATT_ERR_FORMAT;
	}
	return att_pk_take_any(out, p);
}

static EVP_PKEY *read_spki(const uint8_t *in, size_t len)
{
	EVP_PKEY *p = NULL;
	if (len > 10 && !memcmp(in, "-----BEGIN", 10)) {
		BIO *b = BIO_new_mem_buf(in, (int)len);
		if (b)
			p = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
		BIO_free(b);
		return p;
	}
	const unsigned char *q = in;
	p = d2i_PUBKEY(NULL, &q, (long)len);
	if (p && q != in + len) {
		EVP_PKEY_free(p); /* trailing bytes after the DER */
		p = NULL;
	}
	return p;
}

int att_pkey_from_public(struct att_pkey **out, const uint8_t *in,
			 size_t len)
{
	*out = NULL;
	if (!in || len == 0 || len > ATT_PKEY_MAX_PEM_LEN)
		return ATT_ERR_FORMAT;
	EVP_PKEY *p = read_spki(in, len);
	ERR_clear_error();
	if (!p)
		return ATT_ERR_FORMAT;
	if (!EVP_PKEY_is_a(p, "RSA") && !EVP_PKEY_is_a(p, "EC")) {
		EVP_PKEY_free(p);
		return ATT_ERR_UNSUPPORTED;
	}
	return att_pk_take_any(out, p);
}

int att_pkey_ec_public_xy(const struct att_pkey *k, uint8_t *out,
			  size_t out_len)
{
	uint8_t point[1 + 2 * ATT_PKEY_EC_MAX_COORD];
	size_t len = 0;
	EVP_PKEY *p = att_pkey_get0_evp(k);
	if (!p || !att_pkey_is_ec(k) ||
	    EVP_PKEY_get_octet_string_param(p, OSSL_PKEY_PARAM_PUB_KEY, point,
					    sizeof(point), &len) != 1 ||
	    len != 1 + out_len || point[0] != 0x04) {
		ERR_clear_error();
		return ATT_ERR_FORMAT;
	}
	memcpy(out, point + 1, out_len);
	return 0;
}
