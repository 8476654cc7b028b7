/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one X.509 certificate builder (RFC 5280 v3 certificates): names,
 * serial, validity, the extensions attestd's certificates carry
 * (basicConstraints, keyUsage, subject and authority key identifiers, CRL
 * distribution point, subjectAltName, extendedKeyUsage serverAuth, and raw
 * extensions by OID) in the order the caller asks, signed with an
 * att_pkey using SHA-256 (or RSASSA-PSS SHA-384 when asked, as AMD's
 * SEV-SNP certificates are). Users: token and TLS certificates (cert.c), the
 * TPM AIK CA (src/evidence/tpm/aik_ca.c) and the SGX and SEV-SNP
 * simulators' PKIs (src/sim).
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/cert.h"
#include "crypto/pk_internal.h"
#include "crypto/pkey.h"
#include "base/buf.h"

#define SERIAL_MAX 20 /* RFC 5280 §4.1.2.2 */

struct build {
	const struct att_cert_spec *s;
	X509 *x;
	X509 *issuer; /* x when self-signed */
	uint8_t serial[SERIAL_MAX];
	size_t serial_len;
	uint8_t ski[EVP_MAX_MD_SIZE];
	size_t ski_len;
};

static int set_name(X509_NAME *n, const struct att_cert_spec *s)
{
	for (size_t i = 0; i < s->n_subject; i++)
		if (!s->subject[i].field || !s->subject[i].value ||
		    !X509_NAME_add_entry_by_txt(
			    n, s->subject[i].field, MBSTRING_UTF8,
			    (const unsigned char *)s->subject[i].value, -1, -1,
			    0))
			return ATT_ERR_CRYPTO;
	return 0;
}

static int pick_serial(struct build *b)
{
	const struct att_cert_spec *s = b->s;
	if (s->serial) {
		if (s->serial_len == 0 || s->serial_len > SERIAL_MAX)
			return ATT_ERR_INVALID_ARG;
		memcpy(b->serial, s->serial, s->serial_len);
		b->serial_len = s->serial_len;
		return 0;
	}
	if (RAND_bytes(b->serial, 16) != 1)
		return ATT_ERR_CRYPTO;
	b->serial[0] = (uint8_t)((b->serial[0] & 0x7f) | 0x40);
	b->serial_len = 16;
	return 0;
}

static int set_serial(struct build *b)
{
	BIGNUM *bn = BN_bin2bn(b->serial, (int)b->serial_len, NULL);
	ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	int ok = ai && X509_set_serialNumber(b->x, ai) == 1;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int set_basics(struct build *b)
{
	const struct att_cert_spec *s = b->s;
	X509_NAME *subj = X509_get_subject_name(b->x);
	int r;
	if (X509_set_version(b->x, 2) != 1 || (r = set_serial(b)) != 0 ||
	    (r = set_name(subj, s)) != 0)
		return ATT_ERR_CRYPTO;
	X509_NAME *iss = s->issuer ? X509_get_subject_name(b->issuer) : subj;
	if (X509_set_issuer_name(b->x, iss) != 1 ||
	    !ASN1_TIME_set(X509_getm_notBefore(b->x), (time_t)s->not_before) ||
	    !ASN1_TIME_set(X509_getm_notAfter(b->x), (time_t)s->not_after) ||
	    X509_set_pubkey(b->x, att_pkey_get0_evp(s->subject_key)) != 1)
		return ATT_ERR_CRYPTO;
	return 0;
}

/* add_conf adds an extension written in OpenSSL's configuration syntax. */
static int add_conf(struct build *b, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, b->issuer, b->x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int ok = e && X509_add_ext(b->x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int add_octets(X509 *x, int nid, const uint8_t *p, size_t n)
{
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	int ok = os && ASN1_OCTET_STRING_set(os, p, (int)n) &&
		 X509_add1_ext_i2d(x, nid, os, 0, X509V3_ADD_APPEND) == 1;
	ASN1_OCTET_STRING_free(os);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int ext_bc(struct build *b)
{
	char v[64];
	if (!b->s->ca)
		snprintf(v, sizeof(v), "critical,CA:FALSE");
	else if (b->s->pathlen >= 0)
		snprintf(v, sizeof(v), "critical,CA:TRUE,pathlen:%d",
			 b->s->pathlen);
	else
		snprintf(v, sizeof(v), "critical,CA:TRUE");
	return add_conf(b, NID_basic_constraints, v);
}

static int ext_ku(struct build *b)
{
	static const struct {
		unsigned bit;
		const char *name;
	} ku[] = {
		{ATT_KU_DIGITAL_SIGNATURE, "digitalSignature"},
		{ATT_KU_NON_REPUDIATION, "nonRepudiation"},
		{ATT_KU_KEY_ENCIPHERMENT, "keyEncipherment"},
		{ATT_KU_KEY_CERT_SIGN, "keyCertSign"},
		{ATT_KU_CRL_SIGN, "cRLSign"},
	};
	char v[128] = "critical";
	for (size_t i = 0; i < sizeof(ku) / sizeof(ku[0]); i++)
		if (b->s->key_usage & ku[i].bit) {
			size_t n = strlen(v);
			snprintf(v + n, sizeof(v) - n, ",%s", ku[i].name);
		}
	return add_conf(b, NID_key_usage, v);
}

static int make_ski(struct build *b)
{
	unsigned int n = 0;
	switch (b->s->ski) {
	case ATT_SKI_NONE:
		return 0;
	case ATT_SKI_SERIAL:
		memcpy(b->ski, b->serial, b->serial_len);
		b->ski_len = b->serial_len;
		return 0;
	case ATT_SKI_KEY_SHA1:
		if (X509_pubkey_digest(b->x, EVP_sha1(), b->ski, &n) != 1)
			return ATT_ERR_CRYPTO;
		b->ski_len = n;
		return 0;
	}
	return ATT_ERR_INVALID_ARG;
}

static int ext_aki(struct build *b)
{
	const ASN1_OCTET_STRING *issuer_ski =
		b->s->issuer ? X509_get0_subject_key_id(b->issuer) : NULL;
	const uint8_t *id = issuer_ski ? ASN1_STRING_get0_data(issuer_ski)
				       : b->ski;
	size_t len = issuer_ski ? (size_t)ASN1_STRING_length(issuer_ski)
				: b->ski_len;
	if (len == 0)
		return ATT_ERR_CHAIN_INVALID; /* nothing to identify it by */
	AUTHORITY_KEYID *a = AUTHORITY_KEYID_new();
	int ok = a && (a->keyid = ASN1_OCTET_STRING_new()) != NULL &&
		 ASN1_OCTET_STRING_set(a->keyid, id, (int)len) &&
		 X509_add1_ext_i2d(b->x, NID_authority_key_identifier, a, 0,
				   X509V3_ADD_APPEND) == 1;
	AUTHORITY_KEYID_free(a);
	return ok ? 0 : ATT_ERR_CRYPTO;
}

static int ext_raw_one(X509 *x, const struct att_cert_raw_ext *e)
{
	ASN1_OBJECT *obj = e->oid ? OBJ_txt2obj(e->oid, 1) : NULL;
	ASN1_OCTET_STRING *inner = NULL, *val = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	unsigned char *der = NULL;
	int n = 0, r = ATT_ERR_CRYPTO;
	if (!obj || !val)
		goto out;
	if (e->octet_string) {
		inner = ASN1_OCTET_STRING_new();
		if (!inner || !ASN1_OCTET_STRING_set(inner, e->val, (int)e->len) ||
		    (n = i2d_ASN1_OCTET_STRING(inner, &der)) <= 0 ||
		    !ASN1_OCTET_STRING_set(val, der, n))
			goto out;
	} else if (!ASN1_OCTET_STRING_set(val, e->val, (int)e->len)) {
		goto out;
	}
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, e->critical ? 1 : 0,
					   val);
	if (ext && X509_add_ext(x, ext, -1) == 1)
		r = 0;
out:
	OPENSSL_free(der);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(inner);
	ASN1_OCTET_STRING_free(val);
	ASN1_OBJECT_free(obj);
	return r;
}

static int ext_one(struct build *b, enum att_cert_ext kind)
{
	const struct att_cert_spec *s = b->s;
	char v[1024];
	switch (kind) {
	case ATT_EXT_END:
		return 0;
	case ATT_EXT_BASIC_CONSTRAINTS:
		return s->basic_constraints ? ext_bc(b) : 0;
	case ATT_EXT_KEY_USAGE:
		return s->key_usage ? ext_ku(b) : 0;
	case ATT_EXT_SKI:
		return b->ski_len ? add_octets(b->x, NID_subject_key_identifier,
					       b->ski, b->ski_len)
				  : 0;
	case ATT_EXT_AKI:
		return s->aki ? ext_aki(b) : 0;
	case ATT_EXT_CRL_DP:
		if (!s->crl_url)
			return 0;
		if ((size_t)snprintf(v, sizeof(v), "URI:%s", s->crl_url) >=
		    sizeof(v))
			return ATT_ERR_LIMIT;
		return add_conf(b, NID_crl_distribution_points, v);
	case ATT_EXT_SAN:
		return s->san ? add_conf(b, NID_subject_alt_name, s->san) : 0;
	case ATT_EXT_EKU:
		return s->eku_server_auth
			       ? add_conf(b, NID_ext_key_usage, "serverAuth")
			       : 0;
	case ATT_EXT_RAW:
		for (size_t i = 0; i < s->n_raw; i++) {
			int r = ext_raw_one(b->x, &s->raw[i]);
			if (r)
				return r;
		}
		return 0;
	}
	return ATT_ERR_INVALID_ARG;
}

static int add_extensions(struct build *b)
{
	static const enum att_cert_ext def[] = {
		ATT_EXT_BASIC_CONSTRAINTS, ATT_EXT_KEY_USAGE, ATT_EXT_SKI,
		ATT_EXT_AKI,		   ATT_EXT_CRL_DP,    ATT_EXT_SAN,
		ATT_EXT_EKU,		   ATT_EXT_RAW,
	};
	const enum att_cert_ext *order = b->s->order[0] ? b->s->order : def;
	size_t n = b->s->order[0] ? ATT_CERT_MAX_EXT_KINDS
				  : sizeof(def) / sizeof(def[0]);
	int r = make_ski(b);
	for (size_t i = 0; !r && i < n && order[i] != ATT_EXT_END; i++)
		r = ext_one(b, order[i]);
	return r;
}

static int check_spec(const struct att_cert_spec *s, struct att_pkey **signer)
{
	*signer = s->issuer ? s->signing_key
			    : (s->signing_key ? s->signing_key : s->subject_key);
	if (!s->subject || s->n_subject == 0 || !s->subject_key || !*signer ||
	    s->not_after < s->not_before || !att_pkey_has_private(*signer))
		return ATT_ERR_INVALID_ARG;
	return 0;
}

/* ecdsa_raw_to_der: a JOSE r||s signature as the DER ECDSA-Sig-Value
 * X.509 carries (RFC 5480 section 2.2 / RFC 3279). */
static int ecdsa_raw_to_der(unsigned char **der, int *der_len,
			    const uint8_t *raw, size_t len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *br = NULL, *bs = NULL;
	int r = ATT_ERR_CRYPTO;
	*der = NULL;
	if (!es || len == 0 || len % 2 != 0)
		goto out;
	br = BN_bin2bn(raw, (int)(len / 2), NULL);
	bs = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
	if (!br || !bs || ECDSA_SIG_set0(es, br, bs) != 1)
		goto out;
	br = bs = NULL; /* es's now */
	*der_len = i2d_ECDSA_SIG(es, der);
	if (*der_len > 0)
		r = 0;
out:
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(es);
	return r;
}

/* sign_external signs x through signer's external signer (a PKCS #11
 * token): a signature by a throwaway key of the same type sets the
 * signature AlgorithmIdentifier (sha256WithRSAEncryption or
 * ecdsa-with-SHA256, the same for every key of that type) in the TBS and
 * outside it; the re-encoded TBS is then signed by the signer and its
 * signature replaces the throwaway one. RSA and P-256 with SHA-256 only. */
static int sign_external(X509 **x, struct att_pkey *signer, int sig)
{
	struct att_pkey *tmp = NULL;
	EVP_MD_CTX *mctx = NULL;
	unsigned char *tbs = NULL, *der = NULL, *cert = NULL;
	int tbs_len, der_len = 0, cert_len;
	struct att_buf sb;
	enum att_sig_alg alg;
	bool rsa = att_pkey_is_rsa(signer);
	int r;
	att_buf_init(&sb, 1024);
	if (sig != ATT_CERT_SIG_DEFAULT ||
	    (!rsa && att_pkey_kind(signer) != ATT_KEY_EC_P256)) {
		r = ATT_ERR_UNSUPPORTED;
		goto out;
	}
	alg = rsa ? ATT_SIG_RS256 : ATT_SIG_ES256;
	if ((r = att_pkey_generate(&tmp, rsa ? ATT_KEY_RSA2048
					     : ATT_KEY_EC_P256)) != 0 ||
	    (r = att_pk_x509_sign_ctx(&mctx, att_pkey_get0_evp(tmp), 0)) != 0)
		goto out;
	r = ATT_ERR_CRYPTO;
	if (X509_sign_ctx(*x, mctx) <= 0 ||
	    (tbs_len = i2d_re_X509_tbs(*x, &tbs)) <= 0)
		goto out;
	if ((r = att_pkey_sign_external(&sb, signer, alg, tbs,
					(size_t)tbs_len)) != 0)
		goto out;
	if (rsa) {
		if (sb.len > INT_MAX)
			goto out;
		der_len = (int)sb.len;
	} else if ((r = ecdsa_raw_to_der(&der, &der_len, sb.data,
					 sb.len)) != 0) {
		goto out;
	}
	r = ATT_ERR_CRYPTO;
	const ASN1_BIT_STRING *cs = NULL;
	X509_get0_signature(&cs, NULL, *x);
	if (!cs || ASN1_BIT_STRING_set((ASN1_BIT_STRING *)cs,
				       rsa ? sb.data : der, der_len) != 1)
		goto out;
	/* a fresh parse: nothing cached from the throwaway signature */
	if ((cert_len = i2d_X509(*x, &cert)) <= 0)
		goto out;
	const unsigned char *p = cert;
	X509 *fresh = d2i_X509(NULL, &p, cert_len);
	if (!fresh)
		goto out;
	X509_free(*x);
	*x = fresh;
	r = 0;
out:
	OPENSSL_free(tbs);
	OPENSSL_free(der);
	OPENSSL_free(cert);
	att_buf_release(&sb);
	EVP_MD_CTX_free(mctx);
	att_pkey_free(tmp);
	return r;
}

int att_cert_build(struct att_cert **out, const struct att_cert_spec *s)
{
	struct build b = {.s = s};
	struct att_pkey *signer = NULL;
	EVP_MD_CTX *mctx = NULL;
	*out = NULL;
	int r = check_spec(s, &signer);
	if (r || (r = pick_serial(&b)) != 0)
		return r;
	if (!(b.x = X509_new()))
		return ATT_ERR_NOMEM;
	b.issuer = s->issuer ? att_cert_get0_x509(s->issuer) : b.x;
	if ((r = set_basics(&b)) != 0 || (r = add_extensions(&b)) != 0)
		goto out;
	if (att_pkey_is_external(signer)) {
		if ((r = sign_external(&b.x, signer, (int)s->sig)) != 0)
			goto out;
	} else {
		if ((r = att_pk_x509_sign_ctx(&mctx, att_pkey_get0_evp(signer),
					      (int)s->sig)) != 0)
			goto out;
		r = ATT_ERR_CRYPTO;
		if (X509_sign_ctx(b.x, mctx) <= 0)
			goto out;
	}
	r = att_cert_from_x509(out, b.x);
out:
	EVP_MD_CTX_free(mctx);
	X509_free(b.x);
	ERR_clear_error();
	return r;
}

int att_cert_serial(const struct att_cert *c, uint8_t *out, size_t cap,
		    size_t *len)
{
	X509 *x = att_cert_get0_x509(c);
	BIGNUM *bn = x ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)
		       : NULL;
	int r = ATT_ERR_CRYPTO;
	*len = 0;
	if (bn && BN_num_bytes(bn) <= (int)cap) {
		*len = (size_t)BN_bn2bin(bn, out);
		r = 0;
	} else if (bn) {
		r = ATT_ERR_LIMIT;
	}
	BN_free(bn);
	return r;
}

bool att_cert_matches_key(const struct att_cert *c, const struct att_pkey *key)
{
	X509 *x = att_cert_get0_x509(c);
	EVP_PKEY *pk = att_pkey_get0_evp(key);
	bool ok = x && pk && X509_check_private_key(x, pk) == 1;
	ERR_clear_error();
	return ok;
}
