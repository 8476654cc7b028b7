/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The X.509 CRL builder (RFC 5280 §5): v2 CRLs with CRL Number and
 * Authority Key Identifier, entries with a revocation date and an
 * optional reason code, signed with SHA-256 (or RSASSA-PSS SHA-384, as
 * AMD's) by an att_pkey. Used by the SGX and SEV-SNP simulators (src/sim)
 * to publish Intel- and AMD-shaped CRLs.
 */
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "attest/err.h"
#include "crypto/cert.h"
#include "crypto/pk_internal.h"
#include "crypto/pkey.h"

static int add_revoked(X509_CRL *crl, const struct att_crl_revoked *s,
		       const ASN1_TIME *when, int reason)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	BIGNUM *bn = BN_bin2bn(s->serial, (int)s->serial_len, NULL);
	ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	ASN1_ENUMERATED *code = reason >= 0 ? ASN1_ENUMERATED_new() : NULL;
	int r = ATT_ERR_CRYPTO;
	if (!rev || !ai || !X509_REVOKED_set_serialNumber(rev, ai) ||
	    !X509_REVOKED_set_revocationDate(rev, (ASN1_TIME *)when))
		goto out;
	if (reason >= 0 &&
	    (!code || !ASN1_ENUMERATED_set(code, reason) ||
	     X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, code, 0, 0) != 1))
		goto out;
	if (X509_CRL_add0_revoked(crl, rev)) {
		rev = NULL; /* transferred */
		r = 0;
	}
out:
	ASN1_ENUMERATED_free(code);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	X509_REVOKED_free(rev);
	return r;
}

static int crl_extensions(X509_CRL *crl, X509 *issuer, long number)
{
	const ASN1_OCTET_STRING *kid = X509_get0_subject_key_id(issuer);
	if (!kid)
		return ATT_ERR_CHAIN_INVALID;
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
	int ok = num && aki && ASN1_INTEGER_set(num, number) &&
		 X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
		 (aki->keyid = ASN1_OCTET_STRING_dup(kid)) != NULL &&
		 X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, aki,
				       0, 0) == 1;
	ASN1_INTEGER_free(num);
	AUTHORITY_KEYID_free(aki);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int fill_crl(X509_CRL *crl, const struct att_crl_spec *s)
{
	X509 *issuer = att_cert_get0_x509(s->issuer);
	ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)s->this_update);
	ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)s->next_update);
	ASN1_TIME *rdate = ASN1_TIME_set(NULL, (time_t)s->revocation_date);
	int r = ATT_ERR_CRYPTO;
	if (!last || !next || !rdate || !X509_CRL_set_version(crl, 1) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) ||
	    !X509_CRL_set1_lastUpdate(crl, last) ||
	    !X509_CRL_set1_nextUpdate(crl, next))
		goto out;
	r = crl_extensions(crl, issuer, s->number);
	for (size_t i = 0; !r && i < s->n_revoked; i++)
		r = add_revoked(crl, &s->revoked[i], rdate, s->reason);
	if (!r && !X509_CRL_sort(crl))
		r = ATT_ERR_CRYPTO;
out:
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_TIME_free(rdate);
	return r;
}

int att_crl_build(uint8_t **der, size_t *der_len, const struct att_crl_spec *s)
{
	*der = NULL;
	*der_len = 0;
	if (!s->issuer || !s->issuer_key || (s->n_revoked && !s->revoked))
		return ATT_ERR_INVALID_ARG;
	X509_CRL *crl = X509_CRL_new();
	if (!crl)
		return ATT_ERR_NOMEM;
	unsigned char *p = NULL;
	EVP_MD_CTX *mctx = NULL;
	int r = fill_crl(crl, s);
	if (!r)
		r = att_pk_x509_sign_ctx(&mctx, att_pkey_get0_evp(s->issuer_key),
					 (int)s->sig);
	if (!r && X509_CRL_sign_ctx(crl, mctx) <= 0)
		r = ATT_ERR_CRYPTO;
	EVP_MD_CTX_free(mctx);
	if (!r) {
		int n = i2d_X509_CRL(crl, &p);
		r = att_pk_der_take(der, der_len, p, n);
	}
	X509_CRL_free(crl);
	ERR_clear_error();
	return r;
}

int att_crl_der_to_pem(char **pem, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	*pem = NULL;
	X509_CRL *crl = len ? d2i_X509_CRL(NULL, &p, (long)len) : NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	int r = ATT_ERR_FORMAT;
	if (crl && bio && PEM_write_bio_X509_CRL(bio, crl))
		r = att_pk_bio_take(pem, bio);
	BIO_free(bio);
	X509_CRL_free(crl);
	ERR_clear_error();
	return r;
}
