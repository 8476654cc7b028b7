/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct att_pkey over OpenSSL 3's EVP_PKEY: generation, PEM and SPKI
 * loading and saving, and the checks every load path applies (RSA of at
 * least 2048 and at most ATT_PKEY_MAX_RSA_BITS bits, EC on P-256 or P-384
 * only), so that the rest of attestd can trust any struct att_pkey it
 * holds to be one of the key kinds the token layer supports.
 * Signing and verification are in pk_sign.c, JWK conversion in pk_jwk.c.
 */
#include "crypto/pkey.h"

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/digest.h"
#include "crypto/pk_internal.h"

/* An external signer, shared by a key and its dups (refcounted). */
struct att_pkey_ext {
	atomic_int refs;
	att_pkey_sign_fn fn;
	void *ctx;
	void (*ctx_free)(void *ctx);
};

struct att_pkey {
	EVP_PKEY *pk;
	struct att_pkey_ext *ext; /* NULL: the private part is pk's */
};

static void ext_put(struct att_pkey_ext *e)
{
	if (!e || atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	if (e->ctx_free)
		e->ctx_free(e->ctx);
	free(e);
}

static int wrap(struct att_pkey **out, EVP_PKEY *pk)
{
	struct att_pkey *k = calloc(1, sizeof(*k));
	if (!k)
		return ATT_ERR_NOMEM;
	k->pk = pk;
	*out = k;
	return 0;
}

/* att_pk_check_acceptable refuses key types and sizes that the token
 * layer does not support (and RSA moduli large enough to be a DoS). */
int att_pk_check_acceptable(EVP_PKEY *pk)
{
	int id = EVP_PKEY_get_base_id(pk);
	if (id == EVP_PKEY_RSA) {
		int bits = EVP_PKEY_get_bits(pk);
		if (bits < 2048 || bits > ATT_PKEY_MAX_RSA_BITS)
			return ATT_ERR_UNSUPPORTED;
		return 0;
	}
	if (id == EVP_PKEY_EC) {
		char name[64];
		size_t n = 0;
		if (!EVP_PKEY_get_group_name(pk, name, sizeof(name), &n))
			return ATT_ERR_UNSUPPORTED;
		if (strcmp(name, "prime256v1") && strcmp(name, "P-256") &&
		    strcmp(name, "secp384r1") && strcmp(name, "P-384"))
			return ATT_ERR_UNSUPPORTED;
		return 0;
	}
	return ATT_ERR_UNSUPPORTED;
}

int att_pkey_from_evp(struct att_pkey **out, EVP_PKEY *pk)
{
	*out = NULL;
	if (!pk)
		return ATT_ERR_INVALID_ARG;
	int r = att_pk_check_acceptable(pk);
	if (r)
		return r;
	if (!EVP_PKEY_up_ref(pk))
		return ATT_ERR_CRYPTO;
	r = wrap(out, pk);
	if (r)
		EVP_PKEY_free(pk);
	return r;
}

/* att_pk_take_any wraps pk without the token-key check (evidence keys),
 * taking the caller's reference in every case. */
int att_pk_take_any(struct att_pkey **out, EVP_PKEY *pk)
{
	*out = NULL;
	int r = wrap(out, pk);
	if (r)
		EVP_PKEY_free(pk);
	return r;
}

/* att_pk_take wraps pk after checking it, taking the caller's reference
 * in every case (pk is freed on failure). */
int att_pk_take(struct att_pkey **out, EVP_PKEY *pk)
{
	*out = NULL;
	int r = att_pk_check_acceptable(pk);
	if (r == 0)
		r = wrap(out, pk);
	if (r)
		EVP_PKEY_free(pk);
	return r;
}

EVP_PKEY *att_pkey_get0_evp(const struct att_pkey *k)
{
	return k ? k->pk : NULL;
}

int att_pkey_generate(struct att_pkey **out, enum att_key_kind kind)
{
	EVP_PKEY *pk = NULL;
	*out = NULL;
	switch (kind) {
	case ATT_KEY_RSA2048:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	case ATT_KEY_RSA3072:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
		break;
	case ATT_KEY_RSA4096:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
		break;
	case ATT_KEY_EC_P256:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case ATT_KEY_EC_P384:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	default:
		return ATT_ERR_INVALID_ARG;
	}
	if (!pk) {
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	return att_pk_take(out, pk);
}

/* Refuse encrypted PEM: OpenSSL asks for a password, we have none. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1; /* not an error: OpenSSL's "no password" */
}

static EVP_PKEY *decode_pem(const char *pem, size_t len, const char *structure,
			    const char *type, int selection)
{
	EVP_PKEY *pk = NULL;
	const unsigned char *p = (const unsigned char *)pem;
	size_t n = len;
	OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(
		&pk, "PEM", structure, type, selection, NULL, NULL);
	if (!dc)
		return NULL;
	if (!OSSL_DECODER_from_data(dc, &p, &n)) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	OSSL_DECODER_CTX_free(dc);
	return pk;
}

int att_pkey_from_pem(struct att_pkey **out, const char *pem, size_t len)
{
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	*out = NULL;
	if (!pem || len == 0 || len > ATT_PKEY_MAX_PEM_LEN)
		return ATT_ERR_FORMAT;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return ATT_ERR_NOMEM;
	pk = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	if (!pk) {
		(void)BIO_reset(bio);
		pk = PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL);
	}
	BIO_free(bio);
	if (!pk)
		pk = decode_pem(pem, len, "type-specific", "RSA",
				EVP_PKEY_PUBLIC_KEY);
	ERR_clear_error();
	if (!pk)
		return ATT_ERR_FORMAT;
	return att_pk_take(out, pk);
}

int att_pkey_from_spki_der(struct att_pkey **out, const uint8_t *der,
			   size_t len)
{
	*out = NULL;
	if (!der || len == 0 || len > ATT_PKEY_MAX_PEM_LEN)
		return ATT_ERR_FORMAT;
	const unsigned char *p = der;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)len);
	if (!pk) {
		ERR_clear_error();
		return ATT_ERR_FORMAT;
	}
	if ((size_t)(p - der) != len) {
		EVP_PKEY_free(pk);
		return ATT_ERR_TRAILING;
	}
	return att_pk_take(out, pk);
}

/* bio_take copies the contents of a memory BIO into a malloc'd string. */
int att_pk_bio_take(char **out, BIO *bio)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	if (n < 0 || !p)
		return ATT_ERR_CRYPTO;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return ATT_ERR_NOMEM;
	memcpy(s, p, (size_t)n);
	s[n] = 0;
	*out = s;
	return 0;
}

int att_pkey_to_pem(char **out, const struct att_pkey *k, bool include_private)
{
	int r = ATT_ERR_CRYPTO;
	*out = NULL;
	if (include_private && (k->ext || !att_pkey_has_private(k)))
		return ATT_ERR_INVALID_ARG; /* never held by an external key */
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return ATT_ERR_NOMEM;
	int ok = include_private
			 ? PEM_write_bio_PrivateKey(bio, k->pk, NULL, NULL, 0,
						    NULL, NULL)
			 : PEM_write_bio_PUBKEY(bio, k->pk);
	if (ok)
		r = att_pk_bio_take(out, bio);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

enum att_key_kind att_pkey_kind(const struct att_pkey *k)
{
	int bits = EVP_PKEY_get_bits(k->pk);
	if (EVP_PKEY_get_base_id(k->pk) == EVP_PKEY_EC)
		return bits > 384   ? ATT_KEY_EC_P521
		       : bits > 256 ? ATT_KEY_EC_P384
				    : ATT_KEY_EC_P256;
	switch (bits) {
	case 2048: return ATT_KEY_RSA2048;
	case 3072: return ATT_KEY_RSA3072;
	case 4096: return ATT_KEY_RSA4096;
	default: return ATT_KEY_RSA_OTHER;
	}
}

const char *att_pkey_kind_name(enum att_key_kind kind)
{
	switch (kind) {
	case ATT_KEY_RSA2048: return "RSA-2048";
	case ATT_KEY_RSA3072: return "RSA-3072";
	case ATT_KEY_RSA4096: return "RSA-4096";
	case ATT_KEY_RSA_OTHER: return "RSA";
	case ATT_KEY_EC_P256: return "EC-P256";
	case ATT_KEY_EC_P384: return "EC-P384";
	case ATT_KEY_EC_P521: return "EC-P521";
	}
	return "unknown";
}

bool att_pkey_is_rsa(const struct att_pkey *k)
{
	return k && EVP_PKEY_get_base_id(k->pk) == EVP_PKEY_RSA;
}

bool att_pkey_is_ec(const struct att_pkey *k)
{
	return k && EVP_PKEY_get_base_id(k->pk) == EVP_PKEY_EC;
}

int att_pkey_bits(const struct att_pkey *k)
{
	return k ? EVP_PKEY_get_bits(k->pk) : 0;
}

bool att_pkey_has_private(const struct att_pkey *k)
{
	BIGNUM *bn = NULL;
	const char *name = att_pkey_is_rsa(k) ? OSSL_PKEY_PARAM_RSA_D
					      : OSSL_PKEY_PARAM_PRIV_KEY;
	if (k->ext)
		return true; /* held by the external signer */
	int ok = EVP_PKEY_get_bn_param(k->pk, name, &bn);
	BN_clear_free(bn);
	ERR_clear_error();
	return ok == 1;
}

bool att_pkey_equal_public(const struct att_pkey *a, const struct att_pkey *b)
{
	if (!a || !b)
		return false;
	int r = EVP_PKEY_eq(a->pk, b->pk);
	ERR_clear_error();
	return r == 1;
}

int att_pk_der_take(uint8_t **out, size_t *out_len, unsigned char *der,
		    int n)
{
	*out = NULL;
	*out_len = 0;
	if (n <= 0) {
		OPENSSL_free(der);
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	uint8_t *copy = malloc((size_t)n);
	if (copy)
		memcpy(copy, der, (size_t)n);
	OPENSSL_free(der);
	if (!copy)
		return ATT_ERR_NOMEM;
	*out = copy;
	*out_len = (size_t)n;
	return 0;
}

int att_pkey_spki_der(uint8_t **out, size_t *out_len, const struct att_pkey *k)
{
	unsigned char *der = NULL;
	if (!k) {
		*out = NULL;
		*out_len = 0;
		return ATT_ERR_INVALID_ARG;
	}
	int n = i2d_PUBKEY(k->pk, &der);
	return att_pk_der_take(out, out_len, der, n);
}

int att_pkey_spki_pin(char **out, const struct att_pkey *k)
{
	uint8_t *der = NULL, h[32];
	size_t n = 0;
	char *b64 = NULL;
	*out = NULL;
	int r = att_pkey_spki_der(&der, &n, k);
	if (r)
		return r;
	att_sha256(h, der, n);
	free(der);
	b64 = att_b64_encode(h, sizeof(h));
	if (!b64)
		return ATT_ERR_NOMEM;
	size_t len = strlen(b64) + sizeof("sha256//");
	*out = malloc(len);
	if (*out)
		snprintf(*out, len, "sha256//%s", b64);
	free(b64);
	return *out ? 0 : ATT_ERR_NOMEM;
}

struct att_pkey *att_pkey_dup(struct att_pkey *k)
{
	struct att_pkey *d = NULL;
	if (!k || !EVP_PKEY_up_ref(k->pk))
		return NULL;
	if (wrap(&d, k->pk)) {
		EVP_PKEY_free(k->pk);
		return NULL;
	}
	if (k->ext) {
		atomic_fetch_add(&k->ext->refs, 1);
		d->ext = k->ext;
	}
	return d;
}

void att_pkey_free(struct att_pkey *k)
{
	if (!k)
		return;
	ext_put(k->ext);
	EVP_PKEY_free(k->pk);
	free(k);
}

int att_pkey_with_signer(struct att_pkey **out, const struct att_pkey *pub,
			 att_pkey_sign_fn fn, void *ctx,
			 void (*ctx_free)(void *ctx))
{
	struct att_pkey_ext *e = NULL;
	uint8_t *spki = NULL;
	size_t n = 0;
	int r = ATT_ERR_INVALID_ARG;
	*out = NULL;
	if (!pub || !fn)
		goto out;
	/* only the public part of pub crosses over */
	if ((r = att_pkey_spki_der(&spki, &n, pub)) != 0 ||
	    (r = att_pkey_from_spki_der(out, spki, n)) != 0)
		goto out;
	if (!(e = calloc(1, sizeof(*e)))) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	atomic_init(&e->refs, 1);
	e->fn = fn;
	e->ctx = ctx;
	e->ctx_free = ctx_free;
	(*out)->ext = e;
	ctx_free = NULL; /* now the key's */
out:
	free(spki);
	if (r) {
		att_pkey_free(*out);
		*out = NULL;
		if (ctx_free)
			ctx_free(ctx);
	}
	return r;
}

bool att_pkey_is_external(const struct att_pkey *k)
{
	return k && k->ext;
}

int att_pkey_sign_external(struct att_buf *out_sig, struct att_pkey *k,
			   enum att_sig_alg alg, const void *data, size_t len)
{
	if (!k || !k->ext)
		return ATT_ERR_INVALID_ARG;
	return k->ext->fn(k->ext->ctx, alg, data, len, out_sig);
}
