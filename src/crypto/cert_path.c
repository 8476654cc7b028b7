/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Path checks from PEM trust anchors at a given time, and OCTET STRING
 * extensions (crypto/cert_path.h), over OpenSSL's X509_STORE.
 */
#include "crypto/cert_path.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/err.h"
#include "base/limits.h"
#include "crypto/digest.h"

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
	BIO *b = pem && len && len <= INT32_MAX
			 ? BIO_new_mem_buf(pem, (int)len)
			 : NULL;
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
		      const struct att_cert_path *a, struct att_diag *diag)
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

int att_cert_path_verify(const struct att_cert_path *a, uint8_t **spki,
			 size_t *spki_len, uint8_t sha256[32],
			 struct att_diag *diag)
{
	X509 *leaf = der_cert(a->der, a->der_len);
	X509_STORE *st = X509_STORE_new();
	STACK_OF(X509) *inter = sk_X509_new_null();
	const char *what = a->what ? a->what : "certificate";
	int r = ATT_ERR_NOMEM;
	*spki = NULL;
	*spki_len = 0;
	if (!st || !inter)
		goto out;
	if (!leaf) {
		r = att_diag_set(diag, ATT_ERR_FORMAT,
				 "%s is not one DER X.509 certificate", what);
		goto out;
	}
	if (load_pem(a->roots_pem, a->roots_len, st, NULL) == 0) {
		r = att_diag_set(diag, ATT_ERR_CHAIN_INVALID,
				 "%s cannot be checked: no trusted roots are "
				 "configured",
				 what);
		goto out;
	}
	load_pem(a->inter_pem, a->inter_len, NULL, inter);
	struct att_cert_path named = *a;
	named.what = what;
	if ((r = run_verify(st, leaf, inter, &named, diag)) != 0)
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

int att_cert_der_ext_octets(const uint8_t *der, size_t der_len,
			    const char *oid, uint8_t *out, size_t cap,
			    size_t *len)
{
	X509 *x = der_cert(der, der_len);
	ASN1_OBJECT *obj = oid ? OBJ_txt2obj(oid, 1) : NULL;
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
