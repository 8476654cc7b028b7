/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CRLs of the SGX simulator, shaped like Intel's root CA and PCK CRLs: v2,
 * issuer = the CA's subject, thisUpdate/nextUpdate as given, extensions
 * CRL Number and Authority Key Identifier (QVL requires both), revoked
 * entries dated at thisUpdate with reason keyCompromise, ecdsa-with-SHA256.
 * Dev and test tool only.
 */
#include "crypto/sgxsim_int.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "attest/err.h"

static int add_revoked(X509_CRL *crl, const struct att_sgxsim_serial *s,
		       const ASN1_TIME *when)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	BIGNUM *bn = BN_bin2bn(s->b, (int)s->len, NULL);
	ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
	int r = ATT_ERR_CRYPTO;
	if (!rev || !ai || !reason || !X509_REVOKED_set_serialNumber(rev, ai) ||
	    !X509_REVOKED_set_revocationDate(rev, (ASN1_TIME *)when) ||
	    !ASN1_ENUMERATED_set(reason, CRL_REASON_KEY_COMPROMISE) ||
	    X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0) != 1)
		goto out;
	if (X509_CRL_add0_revoked(crl, rev)) {
		rev = NULL; /* transferred */
		r = 0;
	}
out:
	ASN1_ENUMERATED_free(reason);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	X509_REVOKED_free(rev);
	return r;
}

static int crl_extensions(X509_CRL *crl, const struct att_sgxsim_crl_spec *s)
{
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
	const ASN1_OCTET_STRING *kid =
	    X509_get0_subject_key_id(s->issuer->x509);
	int ok = num && aki && kid && ASN1_INTEGER_set(num, s->number) &&
		 X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
		 (aki->keyid = ASN1_OCTET_STRING_dup(kid)) != NULL &&
		 X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, aki,
				       0, 0) == 1;
	ASN1_INTEGER_free(num);
	AUTHORITY_KEYID_free(aki);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int fill_crl(X509_CRL *crl, const struct att_sgxsim_crl_spec *s)
{
	ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)s->this_update);
	ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)s->next_update);
	ASN1_TIME *rdate = ASN1_TIME_set(NULL, (time_t)s->revocation_date);
	int r = ATT_ERR_CRYPTO;
	if (!last || !next || !rdate || !X509_CRL_set_version(crl, 1) ||
	    !X509_CRL_set_issuer_name(crl,
				      X509_get_subject_name(s->issuer->x509)) ||
	    !X509_CRL_set1_lastUpdate(crl, last) ||
	    !X509_CRL_set1_nextUpdate(crl, next))
		goto out;
	r = crl_extensions(crl, s);
	for (size_t i = 0; !r && i < s->n_revoked; i++)
		r = add_revoked(crl, &s->revoked[i], rdate);
	if (!r && !X509_CRL_sort(crl))
		r = ATT_ERR_CRYPTO;
out:
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	ASN1_TIME_free(rdate);
	return r;
}

int att_sgxsim_crl_create(const struct att_sgxsim_crl_spec *s,
			  struct att_buf *der)
{
	if (!s->issuer || !s->issuer_key)
		return ATT_ERR_INVALID_ARG;
	X509_CRL *crl = X509_CRL_new();
	if (!crl)
		return ATT_ERR_NOMEM;
	unsigned char *p = NULL;
	int r = fill_crl(crl, s);
	if (!r && !X509_CRL_sign(crl, s->issuer_key->pkey, EVP_sha256()))
		r = ATT_ERR_CRYPTO;
	int n = r ? 0 : i2d_X509_CRL(crl, &p);
	if (!r)
		r = n > 0 ? att_buf_add(der, p, (size_t)n) : ATT_ERR_CRYPTO;
	OPENSSL_free(p);
	X509_CRL_free(crl);
	return r;
}

int att_sgxsim_crl_pem(const uint8_t *der, size_t len, struct att_buf *out)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	BIO *bio = BIO_new(BIO_s_mem());
	int r = ATT_ERR_FORMAT;
	if (crl && bio && PEM_write_bio_X509_CRL(bio, crl))
		r = att_sgxsim_bio_to_buf(bio, out);
	BIO_free(bio);
	X509_CRL_free(crl);
	return r;
}
