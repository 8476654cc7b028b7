/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X.509 for DCAP over OpenSSL 3, on the one certificate type struct
 * att_cert (crypto/cert.h); struct att_x509_crl is an X509_CRL (cast at
 * this boundary only), so OpenSSL's own reference counts do the sharing. Chain verification builds a fresh
 * X509_STORE per call with the given roots, a fixed verification time
 * (X509_VERIFY_PARAM_set_time) and the given CRLs; callers cache results.
 */
#include "crypto/x509.h"

#include <limits.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"

static X509 *X(const struct att_cert *x)
{
	return att_cert_get0_x509(x);
}

/* take wraps x as a struct att_cert, taking the caller's reference. */
static int take(struct att_cert **out, X509 *x)
{
	int r = att_cert_from_x509(out, x);
	X509_free(x);
	return r;
}

static X509_CRL *C(const struct att_x509_crl *c)
{
	return (X509_CRL *)c;
}

int att_x509_from_der(struct att_cert **out, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	*out = NULL;
	if (len == 0 || len > LONG_MAX)
		return ATT_ERR_FORMAT;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (!x)
		return ATT_ERR_FORMAT;
	if (p != der + len) {
		X509_free(x);
		return ATT_ERR_TRAILING;
	}
	return take(out, x);
}

int att_x509_from_pem(struct att_cert **out, const char *pem, size_t len)
{
	*out = NULL;
	if (len > INT_MAX)
		return ATT_ERR_LIMIT;
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	if (!b)
		return ATT_ERR_NOMEM;
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!x)
		return ATT_ERR_FORMAT;
	return take(out, x);
}

int att_x509_sha256(const struct att_cert *x, uint8_t out[static 32])
{
	unsigned int n = 0;
	if (X509_digest(X(x), EVP_sha256(), out, &n) != 1 || n != 32)
		return ATT_ERR_CRYPTO;
	return 0;
}

static void name_cn(const X509_NAME *n, char *out, size_t out_len)
{
	out[0] = 0;
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	if (i < 0)
		return;
	const ASN1_STRING *s =
		X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	size_t len = (size_t)ASN1_STRING_length(s);
	if (len >= out_len)
		len = out_len - 1;
	memcpy(out, ASN1_STRING_get0_data(s), len);
	out[len] = 0;
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)out[k] < 0x20 || (unsigned char)out[k] > 0x7e)
			out[k] = '?';
}

static void name_str(const X509_NAME *n, char *out, size_t out_len)
{
	out[0] = 0;
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
		int k = BIO_read(b, out, (int)(out_len - 1));
		out[k > 0 ? k : 0] = 0;
	}
	BIO_free(b);
}

void att_x509_subject_cn(const struct att_cert *x, char *out, size_t out_len)
{
	name_cn(X509_get_subject_name(X(x)), out, out_len);
}

void att_x509_issuer_cn(const struct att_cert *x, char *out, size_t out_len)
{
	name_cn(X509_get_issuer_name(X(x)), out, out_len);
}

void att_x509_issuer_str(const struct att_cert *x, char *out, size_t out_len)
{
	name_str(X509_get_issuer_name(X(x)), out, out_len);
}

static void serial_hex(const ASN1_INTEGER *s, char *out, size_t out_len)
{
	out[0] = 0;
	BIGNUM *bn = ASN1_INTEGER_to_BN(s, NULL);
	char *h = bn ? BN_bn2hex(bn) : NULL;
	if (h)
		snprintf(out, out_len, "%s", h);
	OPENSSL_free(h);
	BN_free(bn);
}

void att_x509_serial_hex(const struct att_cert *x, char *out, size_t out_len)
{
	serial_hex(X509_get0_serialNumber(X(x)), out, out_len);
}

static int asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return ATT_ERR_FORMAT;
	int64_t days = att_days_from_civil(tm.tm_year + 1900,
					   (unsigned)tm.tm_mon + 1,
					   (unsigned)tm.tm_mday);
	*out = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

int att_x509_validity(const struct att_cert *x, int64_t *not_before,
		      int64_t *not_after)
{
	if (asn1_time_unix(X509_get0_notBefore(X(x)), not_before) ||
	    asn1_time_unix(X509_get0_notAfter(X(x)), not_after))
		return ATT_ERR_FORMAT;
	return 0;
}

bool att_x509_is_self_issued(const struct att_cert *x)
{
	return X509_NAME_cmp(X509_get_subject_name(X(x)),
			     X509_get_issuer_name(X(x))) == 0;
}

bool att_x509_issuer_is(const struct att_cert *child,
			const struct att_cert *parent)
{
	return X509_NAME_cmp(X509_get_issuer_name(X(child)),
			     X509_get_subject_name(X(parent))) == 0;
}

int att_x509_check_signed_by(const struct att_cert *child,
			     const struct att_cert *parent)
{
	EVP_PKEY *k = X509_get0_pubkey(X(parent));
	if (!k)
		return ATT_ERR_FORMAT;
	return X509_verify(X(child), k) == 1 ? 0 : ATT_ERR_SIG_INVALID;
}

bool att_x509_equal(const struct att_cert *a, const struct att_cert *b)
{
	return X509_cmp(X(a), X(b)) == 0;
}

bool att_x509_key_is_rsa(const struct att_cert *x)
{
	EVP_PKEY *k = X509_get0_pubkey(X(x));
	return k && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA;
}

bool att_x509_signed_rsa_pss_sha384(const struct att_cert *x)
{
	int md = NID_undef, pk = NID_undef;
	uint32_t flags = 0;
	const X509_ALGOR *alg = NULL;
	X509_get0_signature(NULL, &alg, X(x));
	if (!alg || OBJ_obj2nid(alg->algorithm) != NID_rsassaPss)
		return false;
	if (!X509_get_signature_info(X(x), &md, &pk, NULL, &flags) ||
	    !(flags & X509_SIG_INFO_VALID))
		return false;
	return md == NID_sha384;
}

void att_x509_sig_alg_name(const struct att_cert *x, char *out,
			   size_t out_len)
{
	const X509_ALGOR *alg = NULL;
	if (out_len == 0)
		return;
	out[0] = '\0';
	X509_get0_signature(NULL, &alg, X(x));
	if (alg && OBJ_obj2txt(out, (int)(out_len > INT_MAX ? INT_MAX
							      : out_len),
			       alg->algorithm, 0) <= 0)
		out[0] = '\0';
}

int att_x509_ec_p256_key(const struct att_cert *x, struct att_pkey **out)
{
	char group[32];
	size_t glen = 0;
	*out = NULL;
	EVP_PKEY *k = X509_get0_pubkey(X(x));
	if (!k || EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group),
					   &glen) != 1 ||
	    strcmp(group, "prime256v1") != 0)
		return ATT_ERR_UNSUPPORTED;
	return att_pkey_from_evp(out, k);
}

int att_x509_extension(const struct att_cert *x, const char *oid,
		       const uint8_t **val, size_t *len)
{
	*val = NULL;
	*len = 0;
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	if (!obj)
		return ATT_ERR_INVALID_ARG;
	int i = X509_get_ext_by_OBJ(X(x), obj, -1);
	ASN1_OBJECT_free(obj);
	if (i < 0)
		return ATT_ERR_NOT_FOUND;
	const ASN1_OCTET_STRING *s =
		X509_EXTENSION_get_data(X509_get_ext(X(x), i));
	*val = ASN1_STRING_get0_data(s);
	*len = (size_t)ASN1_STRING_length(s);
	return 0;
}

/* ---- CRLs ---- */

int att_x509_crl_from_der(struct att_x509_crl **out, const uint8_t *der,
			  size_t len)
{
	const unsigned char *p = der;
	*out = NULL;
	if (len == 0 || len > LONG_MAX)
		return ATT_ERR_FORMAT;
	X509_CRL *c = d2i_X509_CRL(NULL, &p, (long)len);
	if (!c)
		return ATT_ERR_FORMAT;
	if (p != der + len) {
		X509_CRL_free(c);
		return ATT_ERR_TRAILING;
	}
	*out = (struct att_x509_crl *)c;
	return 0;
}

struct att_x509_crl *att_x509_crl_ref(struct att_x509_crl *c)
{
	if (c)
		X509_CRL_up_ref(C(c));
	return c;
}

void att_x509_crl_free(struct att_x509_crl *c)
{
	X509_CRL_free(C(c));
}

void att_x509_crl_issuer_cn(const struct att_x509_crl *c, char *out,
			    size_t out_len)
{
	name_cn(X509_CRL_get_issuer(C(c)), out, out_len);
}

void att_x509_crl_issuer_str(const struct att_x509_crl *c, char *out,
			     size_t out_len)
{
	name_str(X509_CRL_get_issuer(C(c)), out, out_len);
}

int att_x509_crl_times(const struct att_x509_crl *c, int64_t *this_update,
		       int64_t *next_update)
{
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(C(c));
	*next_update = INT64_MAX;
	if (asn1_time_unix(X509_CRL_get0_lastUpdate(C(c)), this_update))
		return ATT_ERR_FORMAT;
	if (next && asn1_time_unix(next, next_update))
		return ATT_ERR_FORMAT;
	return 0;
}

bool att_x509_crl_issuer_is(const struct att_x509_crl *c,
			    const struct att_cert *cert)
{
	return X509_NAME_cmp(X509_CRL_get_issuer(C(c)),
			     X509_get_subject_name(X(cert))) == 0;
}

int att_x509_crl_check_signed_by(const struct att_x509_crl *c,
				 const struct att_cert *issuer)
{
	EVP_PKEY *k = X509_get0_pubkey(X(issuer));
	if (!k)
		return ATT_ERR_FORMAT;
	return X509_CRL_verify(C(c), k) == 1 ? 0 : ATT_ERR_SIG_INVALID;
}

bool att_x509_crl_has_number_and_aki(const struct att_x509_crl *c)
{
	return X509_CRL_get_ext_by_NID(C(c), NID_crl_number, -1) >= 0 &&
	       X509_CRL_get_ext_by_NID(C(c), NID_authority_key_identifier,
				       -1) >= 0;
}

bool att_x509_crl_lists(const struct att_x509_crl *c,
			const struct att_cert *cert)
{
	X509_REVOKED *rev = NULL;
	return X509_CRL_get0_by_serial(C(c), &rev,
				       X509_get0_serialNumber(X(cert))) == 1;
}

/* ---- chain verification ---- */

static int map_error(int e)
{
	switch (e) {
	case X509_V_ERR_CERT_REVOKED:
		return ATT_ERR_REVOKED;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return ATT_ERR_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return ATT_ERR_NOT_YET_VALID;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
		return ATT_ERR_SIG_INVALID;
	default:
		return ATT_ERR_CHAIN_INVALID;
	}
}

static void describe_failure(X509_STORE_CTX *ctx, int e,
			     struct att_x509_verify_fail *f)
{
	X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
	X509_CRL *crl = X509_STORE_CTX_get0_current_crl(ctx);
	f->x509_error = e;
	f->depth = X509_STORE_CTX_get_error_depth(ctx);
	snprintf(f->reason, sizeof(f->reason), "%s",
		 X509_verify_cert_error_string(e));
	f->is_crl = e == X509_V_ERR_CRL_HAS_EXPIRED ||
		    e == X509_V_ERR_CRL_NOT_YET_VALID ||
		    e == X509_V_ERR_CRL_SIGNATURE_FAILURE;
	if (f->is_crl && crl) {
		name_cn(X509_CRL_get_issuer(crl), f->subject_cn,
			sizeof(f->subject_cn));
		const ASN1_TIME *t = e == X509_V_ERR_CRL_HAS_EXPIRED
					     ? X509_CRL_get0_nextUpdate(crl)
					     : X509_CRL_get0_lastUpdate(crl);
		asn1_time_unix(t, &f->when);
		return;
	}
	if (!cur)
		return;
	name_cn(X509_get_subject_name(cur), f->subject_cn,
		sizeof(f->subject_cn));
	serial_hex(X509_get0_serialNumber(cur), f->serial, sizeof(f->serial));
	if (e == X509_V_ERR_CERT_HAS_EXPIRED)
		asn1_time_unix(X509_get0_notAfter(cur), &f->when);
	else if (e == X509_V_ERR_CERT_NOT_YET_VALID)
		asn1_time_unix(X509_get0_notBefore(cur), &f->when);
}

static int build_store(X509_STORE **out, const struct att_x509_verify_args *a)
{
	X509_STORE *st = X509_STORE_new();
	if (!st)
		return ATT_ERR_NOMEM;
	for (size_t i = 0; i < a->n_roots; i++)
		if (X509_STORE_add_cert(st, X(a->roots[i])) != 1) {
			X509_STORE_free(st);
			return ATT_ERR_CRYPTO;
		}
	*out = st;
	return 0;
}

static int build_stacks(STACK_OF(X509) **chain, STACK_OF(X509_CRL) **crls,
			const struct att_x509_verify_args *a)
{
	*chain = sk_X509_new_null();
	*crls = sk_X509_CRL_new_null();
	if (!*chain || !*crls)
		return ATT_ERR_NOMEM;
	for (size_t i = 0; i < a->n_untrusted; i++)
		if (!sk_X509_push(*chain, X(a->untrusted[i])))
			return ATT_ERR_NOMEM;
	for (size_t i = 0; i < a->n_crls; i++)
		if (!sk_X509_CRL_push(*crls, C(a->crls[i])))
			return ATT_ERR_NOMEM;
	return 0;
}

static void set_params(X509_STORE_CTX *ctx, const struct att_x509_verify_args *a)
{
	X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
	unsigned long flags = 0;
	if (a->check_crls)
		flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
	/* set_time turns on X509_V_FLAG_USE_CHECK_TIME, which OpenSSL
	 * honours before NO_CHECK_TIME: set exactly one of them. */
	if (!a->check_time)
		flags |= X509_V_FLAG_NO_CHECK_TIME;
	X509_VERIFY_PARAM_set_flags(p, flags);
	if (a->check_time)
		X509_VERIFY_PARAM_set_time(p, (time_t)a->at);
}

int att_x509_verify_chain(const struct att_x509_verify_args *a,
			  struct att_cert **root,
			  struct att_x509_verify_fail *f)
{
	X509_STORE *st = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *chain = NULL;
	STACK_OF(X509_CRL) *crls = NULL;
	int rc;
	memset(f, 0, sizeof(*f));
	if (root)
		*root = NULL;
	if ((rc = build_store(&st, a)) != 0 ||
	    (rc = build_stacks(&chain, &crls, a)) != 0)
		goto out;
	rc = ATT_ERR_NOMEM;
	if (!(ctx = X509_STORE_CTX_new()) ||
	    X509_STORE_CTX_init(ctx, st, X(a->leaf), chain) != 1)
		goto out;
	X509_STORE_CTX_set0_crls(ctx, crls);
	set_params(ctx, a);
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		describe_failure(ctx, e, f);
		rc = map_error(e);
		goto out;
	}
	STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
	if (root) {
		X509 *top = sk_X509_value(built, sk_X509_num(built) - 1);
		rc = att_cert_from_x509(root, top);
		goto out;
	}
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_CRL_free(crls);
	sk_X509_free(chain);
	X509_STORE_free(st);
	return rc;
}
