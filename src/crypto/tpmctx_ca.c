/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provider's AIK CA and the X.509 checks of TPM attestation
 * (tpmctx.h): generating, exporting and importing the CA, issuing AIK
 * certificates, verifying EK and AIK certificate chains at a given time,
 * and reading attestd's private extensions back.
 */
#include "crypto/tpmctx.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/digest.h"

struct att_tpmca {
	EVP_PKEY *key;
	X509 *cert;
};

void att_tpmca_free(struct att_tpmca *ca)
{
	if (!ca)
		return;
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	free(ca);
}

static int set_serial(X509 *x)
{
	uint8_t b[16];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return ATT_ERR_CRYPTO;
	b[0] &= 0x7f;
	b[0] |= 0x01; /* positive, and 16 bytes long */
	BIGNUM *bn = BN_bin2bn(b, sizeof(b), NULL);
	ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	int ok = ai && X509_set_serialNumber(x, ai) == 1;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int set_validity(X509 *x, int64_t now, int days)
{
	if (!ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(now - 3600)) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x),
			   (time_t)(now + (int64_t)days * 86400)))
		return ATT_ERR_CRYPTO;
	return 0;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int ok = e && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

/* add_octet_ext adds a non-critical extension oid whose value is an
 * OCTET STRING holding p[0..len). */
static int add_octet_ext(X509 *x, const char *oid, const uint8_t *p, size_t len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *inner = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING *outer = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	unsigned char *der = NULL;
	int n, r = ATT_ERR_CRYPTO;
	if (!obj || !inner || !outer ||
	    !ASN1_OCTET_STRING_set(inner, p, (int)len) ||
	    (n = i2d_ASN1_OCTET_STRING(inner, &der)) <= 0 ||
	    !ASN1_OCTET_STRING_set(outer, der, n) ||
	    !(e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, outer)) ||
	    X509_add_ext(x, e, -1) != 1)
		goto out;
	r = 0;
out:
	OPENSSL_free(der);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(outer);
	ASN1_OCTET_STRING_free(inner);
	ASN1_OBJECT_free(obj);
	return r;
}

static int name_add(X509_NAME *n, const char *field, const char *value)
{
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8,
					  (const unsigned char *)value, -1, -1,
					  0) == 1
		   ? 0
		   : ATT_ERR_CRYPTO;
}

static int ca_cert(struct att_tpmca *ca, const char *provider, int64_t now,
		   int days)
{
	char cn[128];
	snprintf(cn, sizeof(cn), "attestd TPM AIK CA (%.60s)", provider);
	X509 *x = X509_new();
	X509_NAME *n = x ? X509_get_subject_name(x) : NULL;
	int r = ATT_ERR_CRYPTO;
	if (!x || X509_set_version(x, 2) != 1 || set_serial(x) ||
	    set_validity(x, now, days) || name_add(n, "O", "attestd") ||
	    name_add(n, "CN", cn) || X509_set_issuer_name(x, n) != 1 ||
	    X509_set_pubkey(x, ca->key) != 1 ||
	    add_ext(x, x, NID_basic_constraints,
		    "critical,CA:TRUE,pathlen:0") ||
	    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    add_ext(x, x, NID_subject_key_identifier, "hash") ||
	    add_ext(x, x, NID_authority_key_identifier, "keyid:always") ||
	    X509_sign(x, ca->key, EVP_sha256()) <= 0) {
		X509_free(x);
		return r;
	}
	ca->cert = x;
	return 0;
}

int att_tpmca_generate(struct att_tpmca **out, const char *provider,
		       int64_t now, int days)
{
	struct att_tpmca *ca = calloc(1, sizeof(*ca));
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!ca)
		return r;
	r = ATT_ERR_CRYPTO;
	if (!(ca->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) ||
	    (r = ca_cert(ca, provider, now, days)) != 0) {
		ERR_clear_error();
		att_tpmca_free(ca);
		return r ? r : ATT_ERR_CRYPTO;
	}
	*out = ca;
	return 0;
}

static char *bio_text(BIO *b, size_t *len)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s) {
		memcpy(s, p, (size_t)n);
		s[n] = 0;
		if (len)
			*len = (size_t)n;
	}
	return s;
}

int att_tpmca_cert_pem(const struct att_tpmca *ca, char **out)
{
	BIO *b = BIO_new(BIO_s_mem());
	*out = NULL;
	if (b && PEM_write_bio_X509(b, ca->cert) == 1)
		*out = bio_text(b, NULL);
	BIO_free(b);
	return *out ? 0 : ATT_ERR_CRYPTO;
}

int att_tpmca_export(const struct att_tpmca *ca, char **key_pem,
		     size_t *key_len, char **cert_pem)
{
	BIO *b = BIO_new(BIO_s_secmem());
	*key_pem = NULL;
	*cert_pem = NULL;
	if (b && PEM_write_bio_PrivateKey(b, ca->key, NULL, NULL, 0, NULL,
					  NULL) == 1)
		*key_pem = bio_text(b, key_len);
	BIO_free(b);
	if (!*key_pem)
		return ATT_ERR_CRYPTO;
	int r = att_tpmca_cert_pem(ca, cert_pem);
	if (r) {
		OPENSSL_cleanse(*key_pem, *key_len);
		free(*key_pem);
		*key_pem = NULL;
	}
	return r;
}

int att_tpmca_import(struct att_tpmca **out, const char *key_pem,
		     size_t key_len, const char *cert_pem, size_t cert_len)
{
	struct att_tpmca *ca = calloc(1, sizeof(*ca));
	BIO *kb = BIO_new_mem_buf(key_pem, (int)key_len);
	BIO *cb = BIO_new_mem_buf(cert_pem, (int)cert_len);
	int r = ATT_ERR_FORMAT;
	*out = NULL;
	if (!ca || !kb || !cb) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	if (!(ca->key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL)) ||
	    !(ca->cert = PEM_read_bio_X509(cb, NULL, NULL, NULL)))
		goto out;
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		r = ATT_ERR_MISMATCH;
		goto out;
	}
	*out = ca;
	ca = NULL; /* transferred */
	r = 0;
out:
	ERR_clear_error();
	BIO_free(kb);
	BIO_free(cb);
	att_tpmca_free(ca);
	return r;
}

static int aik_subject(X509 *x, const struct att_tpmca_issue *a)
{
	char cn[2 * 64 + 1];
	X509_NAME *n = X509_get_subject_name(x);
	/* CN is at most 64 characters: the Name's digest, without the
	 * algorithm prefix (SHA-256: exactly 64 hex digits). */
	size_t dl = a->aik_name_len > 2 ? a->aik_name_len - 2 : 0;
	if (dl == 0 || dl > 32)
		return ATT_ERR_INVALID_ARG;
	att_hex_encode(cn, sizeof(cn), a->aik_name + 2, dl, false);
	if (name_add(n, "O", "attestd TPM AIK") || name_add(n, "CN", cn))
		return ATT_ERR_CRYPTO;
	return 0;
}

static int aik_fill(X509 *x, const struct att_tpmca *ca,
		    const struct att_tpmca_issue *a, EVP_PKEY *pub)
{
	int r;
	if (X509_set_version(x, 2) != 1 || (r = set_serial(x)) != 0 ||
	    (r = set_validity(x, a->now, a->days)) != 0 ||
	    (r = aik_subject(x, a)) != 0 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1 ||
	    X509_set_pubkey(x, pub) != 1)
		return ATT_ERR_CRYPTO;
	if ((r = add_ext(x, ca->cert, NID_basic_constraints,
			 "critical,CA:FALSE")) ||
	    (r = add_ext(x, ca->cert, NID_key_usage,
			 "critical,digitalSignature")) ||
	    (r = add_ext(x, ca->cert, NID_subject_key_identifier, "hash")) ||
	    (r = add_ext(x, ca->cert, NID_authority_key_identifier,
			 "keyid:always")) ||
	    (r = add_octet_ext(x, ATT_TPM_OID_AIK_NAME, a->aik_name,
			       a->aik_name_len)))
		return r;
	if (a->ek_cert_sha256 &&
	    (r = add_octet_ext(x, ATT_TPM_OID_EK_CERT_SHA256, a->ek_cert_sha256,
			       32)) != 0)
		return r;
	return X509_sign(x, ca->key, EVP_sha256()) > 0 ? 0 : ATT_ERR_CRYPTO;
}

int att_tpmca_issue(uint8_t **der, size_t *der_len, const struct att_tpmca *ca,
		    const struct att_tpmca_issue *a, struct att_diag *diag)
{
	const unsigned char *p = a->spki;
	EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, (long)a->spki_len);
	X509 *x = X509_new();
	unsigned char *d = NULL;
	int n, r = ATT_ERR_FORMAT;
	*der = NULL;
	*der_len = 0;
	if (!pub || p != a->spki + a->spki_len) {
		r = att_diag_set(diag, r, "AIK public key is not a valid SPKI");
		goto out;
	}
	if (!x || (r = aik_fill(x, ca, a, pub)) != 0 ||
	    (n = i2d_X509(x, &d)) <= 0) {
		r = att_diag_set(diag, r ? r : ATT_ERR_CRYPTO,
				 "cannot issue the AIK certificate");
		goto out;
	}
	if (!(*der = malloc((size_t)n))) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	memcpy(*der, d, (size_t)n);
	*der_len = (size_t)n;
	r = 0;
out:
	ERR_clear_error();
	OPENSSL_free(d);
	X509_free(x);
	EVP_PKEY_free(pub);
	return r;
}

/* ---- chain checks ------------------------------------------------- */

static X509 *der_cert(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	if (!der || len == 0 || len > ATT_MAX_CERT_LEN)
		return NULL;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (x && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* load_pem adds every certificate of pem to store (when not NULL) or to
 * stack; returns how many. */
static int load_pem(const char *pem, size_t len, X509_STORE *store,
		    STACK_OF(X509) * stack)
{
	BIO *b = pem && len ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *x;
	int n = 0;
	while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		int ok = store ? X509_STORE_add_cert(store, x) == 1
			       : sk_X509_push(stack, x) > 0;
		if (store || !ok)
			X509_free(x);
		if (ok)
			n++;
	}
	ERR_clear_error();
	BIO_free(b);
	return n;
}

static int map_x509_err(int e)
{
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return ATT_ERR_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return ATT_ERR_NOT_YET_VALID;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return ATT_ERR_SIG_INVALID;
	default:
		return ATT_ERR_CHAIN_INVALID;
	}
}

static int run_verify(X509_STORE *st, X509 *leaf, STACK_OF(X509) * inter,
		      const struct att_tpmctx_verify *a, struct att_diag *diag)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int r = ATT_ERR_NOMEM;
	if (!ctx || X509_STORE_CTX_init(ctx, st, leaf, inter) != 1)
		goto out;
	X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, (time_t)a->at);
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_verify_cert(ctx) == 1) {
		r = 0;
		goto out;
	}
	int e = X509_STORE_CTX_get_error(ctx);
	X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
	char subj[160] = "?";
	if (bad)
		X509_NAME_oneline(X509_get_subject_name(bad), subj,
				  sizeof(subj));
	r = att_diag_set(diag, map_x509_err(e),
			 "%s does not chain to a trusted root: %s (at depth "
			 "%d, %s)",
			 a->what, X509_verify_cert_error_string(e),
			 X509_STORE_CTX_get_error_depth(ctx), subj);
out:
	X509_STORE_CTX_free(ctx);
	return r;
}

static int leaf_spki(X509 *leaf, uint8_t **spki, size_t *spki_len)
{
	unsigned char *d = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &d);
	if (n <= 0)
		return ATT_ERR_FORMAT;
	*spki = malloc((size_t)n);
	if (*spki) {
		memcpy(*spki, d, (size_t)n);
		*spki_len = (size_t)n;
	}
	OPENSSL_free(d);
	return *spki ? 0 : ATT_ERR_NOMEM;
}

int att_tpmctx_verify_cert(const struct att_tpmctx_verify *a, uint8_t **spki,
			   size_t *spki_len, uint8_t sha256[32],
			   struct att_diag *diag)
{
	X509 *leaf = der_cert(a->der, a->der_len);
	X509_STORE *st = X509_STORE_new();
	STACK_OF(X509) *inter = sk_X509_new_null();
	int r = ATT_ERR_NOMEM;
	*spki = NULL;
	*spki_len = 0;
	if (!st || !inter)
		goto out;
	if (!leaf) {
		r = att_diag_set(diag, ATT_ERR_FORMAT,
				 "%s is not one DER X.509 certificate",
				 a->what);
		goto out;
	}
	if (load_pem(a->roots_pem, a->roots_len, st, NULL) == 0) {
		r = att_diag_set(diag, ATT_ERR_CHAIN_INVALID,
				 "%s cannot be checked: no trusted roots are "
				 "configured",
				 a->what);
		goto out;
	}
	load_pem(a->inter_pem, a->inter_len, NULL, inter);
	if ((r = run_verify(st, leaf, inter, a, diag)) != 0)
		goto out;
	if ((r = leaf_spki(leaf, spki, spki_len)) != 0)
		goto out;
	if (sha256)
		att_sha256(sha256, a->der, a->der_len);
out:
	ERR_clear_error();
	sk_X509_pop_free(inter, X509_free);
	X509_STORE_free(st);
	X509_free(leaf);
	return r;
}

int att_tpmctx_cert_ext(const uint8_t *der, size_t der_len, const char *oid,
			uint8_t *out, size_t cap, size_t *len)
{
	X509 *x = der_cert(der, der_len);
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *in = NULL;
	int r = ATT_ERR_FORMAT, i;
	*len = 0;
	if (!x || !obj)
		goto out;
	if ((i = X509_get_ext_by_OBJ(x, obj, -1)) < 0) {
		r = ATT_ERR_NOT_FOUND;
		goto out;
	}
	ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(x, i));
	const unsigned char *p = ASN1_STRING_get0_data(v);
	int vl = ASN1_STRING_length(v);
	if (!(in = d2i_ASN1_OCTET_STRING(NULL, &p, vl)) ||
	    (size_t)ASN1_STRING_length(in) > cap)
		goto out;
	*len = (size_t)ASN1_STRING_length(in);
	memcpy(out, ASN1_STRING_get0_data(in), *len);
	r = 0;
out:
	ERR_clear_error();
	ASN1_OCTET_STRING_free(in);
	ASN1_OBJECT_free(obj);
	X509_free(x);
	return r;
}
