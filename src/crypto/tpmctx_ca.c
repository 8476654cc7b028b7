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
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"

struct att_tpmca {
	struct att_pkey *key;
	struct att_cert *cert;
};

void att_tpmca_free(struct att_tpmca *ca)
{
	if (!ca)
		return;
	att_pkey_free(ca->key);
	att_cert_free(ca->cert);
	free(ca);
}

static int ca_cert(struct att_tpmca *ca, const char *provider, int64_t now,
		   int days)
{
	char cn[128];
	snprintf(cn, sizeof(cn), "attestd TPM AIK CA (%.60s)", provider);
	const struct att_cert_name_attr name[] = {{"O", "attestd"},
						  {"CN", cn}};
	struct att_cert_spec s = {
		.subject = name,
		.n_subject = 2,
		.subject_key = ca->key,
		.not_before = now - 3600,
		.not_after = now + (int64_t)days * 86400,
		.basic_constraints = true,
		.ca = true,
		.pathlen = 0,
		.key_usage = ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN,
		.ski = ATT_SKI_KEY_SHA1,
		.aki = true,
	};
	return att_cert_build(&ca->cert, &s);
}

int att_tpmca_generate(struct att_tpmca **out, const char *provider,
		       int64_t now, int days)
{
	struct att_tpmca *ca = calloc(1, sizeof(*ca));
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!ca)
		return r;
	if ((r = att_pkey_generate(&ca->key, ATT_KEY_EC_P256)) != 0 ||
	    (r = ca_cert(ca, provider, now, days)) != 0) {
		att_tpmca_free(ca);
		return r;
	}
	*out = ca;
	return 0;
}

int att_tpmca_cert_pem(const struct att_tpmca *ca, char **out)
{
	return att_cert_to_pem(out, ca->cert);
}

int att_tpmca_export(const struct att_tpmca *ca, char **key_pem,
		     size_t *key_len, char **cert_pem)
{
	*key_pem = NULL;
	*cert_pem = NULL;
	int r = att_pkey_to_pem(key_pem, ca->key, true);
	if (r)
		return r;
	*key_len = strlen(*key_pem);
	r = att_tpmca_cert_pem(ca, cert_pem);
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
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!ca)
		return r;
	r = ATT_ERR_FORMAT;
	if (att_pkey_from_pem(&ca->key, key_pem, key_len) != 0 ||
	    !att_pkey_has_private(ca->key) ||
	    att_cert_from_pem(&ca->cert, cert_pem, cert_len) != 0)
		goto out;
	if (!att_cert_matches_key(ca->cert, ca->key)) {
		r = ATT_ERR_MISMATCH;
		goto out;
	}
	*out = ca;
	ca = NULL; /* transferred */
	r = 0;
out:
	att_tpmca_free(ca);
	return r;
}

static int aik_subject(char cn[static 2 * 32 + 1],
		       const struct att_tpmca_issue *a)
{
	/* CN is at most 64 characters: the Name's digest, without the
	 * algorithm prefix (SHA-256: exactly 64 hex digits). */
	size_t dl = a->aik_name_len > 2 ? a->aik_name_len - 2 : 0;
	if (dl == 0 || dl > 32)
		return ATT_ERR_INVALID_ARG;
	att_hex_encode(cn, 2 * 32 + 1, a->aik_name + 2, dl, false);
	return 0;
}

static int aik_cert(struct att_cert **out, const struct att_tpmca *ca,
		    const struct att_tpmca_issue *a, struct att_pkey *pub)
{
	char cn[2 * 32 + 1];
	int r = aik_subject(cn, a);
	if (r)
		return r;
	const struct att_cert_name_attr name[] = {{"O", "attestd TPM AIK"},
						  {"CN", cn}};
	const struct att_cert_raw_ext raw[] = {
		{ATT_TPM_OID_AIK_NAME, a->aik_name, a->aik_name_len, false,
		 true},
		{ATT_TPM_OID_EK_CERT_SHA256, a->ek_cert_sha256, 32, false, true},
	};
	struct att_cert_spec s = {
		.subject = name,
		.n_subject = 2,
		.issuer = ca->cert,
		.signing_key = ca->key,
		.subject_key = pub,
		.not_before = a->now - 3600,
		.not_after = a->now + (int64_t)a->days * 86400,
		.basic_constraints = true,
		.pathlen = -1,
		.key_usage = ATT_KU_DIGITAL_SIGNATURE,
		.ski = ATT_SKI_KEY_SHA1,
		.aki = true,
		.raw = raw,
		.n_raw = a->ek_cert_sha256 ? 2 : 1,
	};
	return att_cert_build(out, &s);
}

int att_tpmca_issue(uint8_t **der, size_t *der_len, const struct att_tpmca *ca,
		    const struct att_tpmca_issue *a, struct att_diag *diag)
{
	struct att_pkey *pub = NULL;
	struct att_cert *c = NULL;
	int r;
	*der = NULL;
	*der_len = 0;
	/* DER only (the SPKI reader also takes PEM). */
	if (!a->spki || a->spki_len == 0 || a->spki[0] == '-' ||
	    att_pkey_from_public(&pub, a->spki, a->spki_len) != 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "AIK public key is not a valid SPKI");
	if ((r = aik_cert(&c, ca, a, pub)) != 0)
		r = att_diag_set(diag, r, "cannot issue the AIK certificate");
	else
		r = att_cert_to_der(der, der_len, c);
	att_cert_free(c);
	att_pkey_free(pub);
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
