/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificates and CRLs of the SGX simulator, shaped like Intel's SGX PKI:
 * v3 certificates with DN "CN, O, L, ST, C" (UTF8String, C Printable),
 * extensions in Intel's order (AKI, CRL Distribution Points, SKI, critical
 * Key Usage, critical Basic Constraints, then the SGX extension on PCK
 * certificates), ecdsa-with-SHA256 signatures; v2 CRLs with CRL Number and
 * AKI, entries with reason keyCompromise. Dev and test tool only.
 */
#include "crypto/sgxsim_int.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "attest/err.h"

static X509_NAME *make_name(const char *cn, const char *org)
{
	X509_NAME *n = X509_NAME_new();
	const char *f[5] = {"CN", "O", "L", "ST", "C"};
	const char *v[5] = {cn, org, "Santa Clara", "CA", "US"};
	for (int i = 0; n && i < 5; i++) {
		if (!X509_NAME_add_entry_by_txt(n, f[i], MBSTRING_UTF8,
						(const unsigned char *)v[i], -1,
						-1, 0)) {
			X509_NAME_free(n);
			n = NULL;
		}
	}
	return n;
}

static int set_time(ASN1_TIME *t, int64_t when)
{
	return ASN1_TIME_set(t, (time_t)when) ? 0 : ATT_ERR_CRYPTO;
}

/* add_conf adds an extension written in OpenSSL's config syntax. */
static int add_conf(X509 *x, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, NULL, nid, value);
	if (!e)
		return ATT_ERR_CRYPTO;
	int ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int add_octets_ext(X509 *x, int nid, const uint8_t *p, size_t n)
{
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	int ok = os && ASN1_OCTET_STRING_set(os, p, (int)n) &&
		 X509_add1_ext_i2d(x, nid, os, 0, X509V3_ADD_APPEND) == 1;
	ASN1_OCTET_STRING_free(os);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int add_aki(X509 *x, const ASN1_OCTET_STRING *keyid)
{
	AUTHORITY_KEYID *a = AUTHORITY_KEYID_new();
	int ok = a && (a->keyid = ASN1_OCTET_STRING_dup(keyid)) != NULL &&
		 X509_add1_ext_i2d(x, NID_authority_key_identifier, a, 0,
				   X509V3_ADD_APPEND) == 1;
	AUTHORITY_KEYID_free(a);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int add_sgx_ext(X509 *x, const struct att_sgxsim_pck_ext *e)
{
	struct att_buf der;
	att_buf_init(&der, 8192);
	ASN1_OBJECT *obj = NULL;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *ext = NULL;
	int r = att_sgxsim_pck_ext_der(e, &der);
	if (r)
		goto out;
	r = ATT_ERR_CRYPTO;
	obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
	os = ASN1_OCTET_STRING_new();
	if (!obj || !os || !ASN1_OCTET_STRING_set(os, der.data, (int)der.len))
		goto out;
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	if (ext && X509_add_ext(x, ext, -1))
		r = 0;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	att_buf_release(&der);
	return r;
}

/* ski_bytes: Intel uses the serial as SKI of its CA and signing certs;
 * PCK certs get the SHA-1 of the public key (RFC 5280 method 1). */
static int ski_bytes(X509 *x, const struct att_sgxsim_cert_spec *s,
		     uint8_t out[32], size_t *n)
{
	if (!s->sgx) {
		memcpy(out, s->serial, ATT_SGXSIM_SERIAL_LEN);
		*n = ATT_SGXSIM_SERIAL_LEN;
		return 0;
	}
	unsigned int len = 0;
	if (!X509_pubkey_digest(x, EVP_sha1(), out, &len))
		return ATT_ERR_CRYPTO;
	*n = len;
	return 0;
}

static int add_extensions(X509 *x, const struct att_sgxsim_cert_spec *s)
{
	uint8_t ski[32];
	size_t ski_len = 0;
	char cdp[512], bc[64];
	int r = ski_bytes(x, s, ski, &ski_len);
	if (r)
		return r;
	const ASN1_OCTET_STRING *akid =
	    s->issuer ? X509_get0_subject_key_id(s->issuer->x509) : NULL;
	ASN1_OCTET_STRING *self = NULL;
	if (!s->issuer) {
		self = ASN1_OCTET_STRING_new();
		if (!self || !ASN1_OCTET_STRING_set(self, ski, (int)ski_len)) {
			ASN1_OCTET_STRING_free(self);
			return ATT_ERR_CRYPTO;
		}
		akid = self;
	}
	r = akid ? add_aki(x, akid) : ATT_ERR_CHAIN_INVALID;
	ASN1_OCTET_STRING_free(self);
	snprintf(cdp, sizeof(cdp), "URI:%s", s->crl_url);
	if (!s->ca)
		snprintf(bc, sizeof(bc), "critical,CA:FALSE");
	else if (s->pathlen >= 0)
		snprintf(bc, sizeof(bc), "critical,CA:TRUE,pathlen:%d",
			 s->pathlen);
	else
		snprintf(bc, sizeof(bc), "critical,CA:TRUE");
	if (!r)
		r = add_conf(x, NID_crl_distribution_points, cdp);
	if (!r)
		r = add_octets_ext(x, NID_subject_key_identifier, ski, ski_len);
	if (!r)
		r = add_conf(x, NID_key_usage,
			     s->ca
				 ? "critical,keyCertSign,cRLSign"
				 : "critical,digitalSignature,nonRepudiation");
	if (!r)
		r = add_conf(x, NID_basic_constraints, bc);
	if (!r && s->sgx)
		r = add_sgx_ext(x, s->sgx);
	return r;
}

static int set_serial(X509 *x, const uint8_t *serial, size_t n)
{
	BIGNUM *bn = BN_bin2bn(serial, (int)n, NULL);
	ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	int ok = ai && X509_set_serialNumber(x, ai);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int fill_cert(X509 *x, const struct att_sgxsim_cert_spec *s)
{
	X509_NAME *subj = make_name(s->cn, s->org);
	int r = ATT_ERR_CRYPTO;
	if (!subj || !X509_set_version(x, 2) ||
	    set_serial(x, s->serial, ATT_SGXSIM_SERIAL_LEN) ||
	    !X509_set_subject_name(x, subj))
		goto out;
	if (!X509_set_issuer_name(
		x, s->issuer ? X509_get_subject_name(s->issuer->x509) : subj))
		goto out;
	if (set_time(X509_getm_notBefore(x), s->not_before) ||
	    set_time(X509_getm_notAfter(x), s->not_after) ||
	    !X509_set_pubkey(x, s->subject_key->pkey))
		goto out;
	r = add_extensions(x, s);
out:
	X509_NAME_free(subj);
	return r;
}

int att_sgxsim_cert_create(struct att_sgxsim_cert **out,
			   const struct att_sgxsim_cert_spec *s)
{
	*out = NULL;
	if (!s->cn || !s->org || !s->crl_url || !s->subject_key ||
	    !s->issuer_key)
		return ATT_ERR_INVALID_ARG;
	struct att_sgxsim_cert *c = calloc(1, sizeof(*c));
	if (!c)
		return ATT_ERR_NOMEM;
	c->x509 = X509_new();
	int r = c->x509 ? fill_cert(c->x509, s) : ATT_ERR_NOMEM;
	if (!r && !X509_sign(c->x509, s->issuer_key->pkey, EVP_sha256()))
		r = ATT_ERR_CRYPTO;
	if (r) {
		att_sgxsim_cert_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int att_sgxsim_cert_load_pem(struct att_sgxsim_cert **out, const char *pem,
			     size_t len)
{
	*out = NULL;
	if (len > ATT_SGXSIM_MAX_OBJ)
		return ATT_ERR_LIMIT;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return ATT_ERR_NOMEM;
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!x)
		return ATT_ERR_FORMAT;
	struct att_sgxsim_cert *c = calloc(1, sizeof(*c));
	if (!c) {
		X509_free(x);
		return ATT_ERR_NOMEM;
	}
	c->x509 = x; /* transferred */
	*out = c;
	return 0;
}

int att_sgxsim_cert_pem(const struct att_sgxsim_cert *c, struct att_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return ATT_ERR_NOMEM;
	int r = ATT_ERR_CRYPTO;
	if (PEM_write_bio_X509(bio, c->x509))
		r = att_sgxsim_bio_to_buf(bio, out);
	BIO_free(bio);
	return r;
}

int att_sgxsim_cert_der(const struct att_sgxsim_cert *c, struct att_buf *out)
{
	unsigned char *der = NULL;
	int n = i2d_X509(c->x509, &der);
	if (n <= 0)
		return ATT_ERR_CRYPTO;
	int r = att_buf_add(out, der, (size_t)n);
	OPENSSL_free(der);
	return r;
}

int att_sgxsim_cert_serial(const struct att_sgxsim_cert *c,
			   struct att_sgxsim_serial *out)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c->x509), NULL);
	int r = ATT_ERR_CRYPTO;
	out->len = 0;
	if (bn && BN_num_bytes(bn) <= (int)sizeof(out->b)) {
		out->len = (size_t)BN_bn2bin(bn, out->b);
		r = 0;
	}
	BN_free(bn);
	return r;
}

void att_sgxsim_cert_free(struct att_sgxsim_cert *c)
{
	if (!c)
		return;
	X509_free(c->x509);
	free(c);
}
