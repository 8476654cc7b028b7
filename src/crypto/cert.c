/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct att_cert over OpenSSL's X509: self-signed certificates for token
 * signing (published in x5c) and for dev-mode TLS, conversions between
 * DER, PEM and x5c base64, and MAA's SHA-1 thumbprint. Certificates are
 * only decoded here, never trusted: chain verification belongs to the
 * evidence verifiers.
 */
#include "crypto/cert.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "crypto/pk_internal.h"
#include "crypto/pkey.h"

struct att_cert {
	X509 *x;
};

#define ATT_CERT_MAX_SANS 32

static int wrap(struct att_cert **out, X509 *x)
{
	struct att_cert *c = calloc(1, sizeof(*c));
	if (!c) {
		X509_free(x);
		return ATT_ERR_NOMEM;
	}
	c->x = x;
	*out = c;
	return 0;
}

X509 *att_cert_get0_x509(const struct att_cert *c)
{
	return c ? c->x : NULL;
}

int att_cert_from_x509(struct att_cert **out, X509 *x)
{
	*out = NULL;
	if (!x)
		return ATT_ERR_INVALID_ARG;
	if (!X509_up_ref(x))
		return ATT_ERR_CRYPTO;
	return wrap(out, x);
}

/* make_cert builds a self-signed certificate; san is NULL for a token
 * signing certificate, else a subjectAltName value for a TLS server. */
static int make_cert(struct att_cert **out, struct att_pkey *key,
		     const char *cn, int64_t nb, int64_t na, const char *san)
{
	*out = NULL;
	if (!key || !cn || !*cn)
		return ATT_ERR_INVALID_ARG;
	struct att_cert_name_attr name = {"CN", cn};
	struct att_cert_spec s = {
		.subject = &name,
		.n_subject = 1,
		.subject_key = key,
		.not_before = nb,
		.not_after = na,
		.basic_constraints = true,
		.pathlen = -1,
		.key_usage = ATT_KU_DIGITAL_SIGNATURE,
		.ski = ATT_SKI_KEY_SHA1,
		.san = san,
		.eku_server_auth = san != NULL,
	};
	if (san && att_pkey_is_rsa(key))
		s.key_usage |= ATT_KU_KEY_ENCIPHERMENT;
	return att_cert_build(out, &s);
}

int att_cert_self_signed(struct att_cert **out, struct att_pkey *key,
			 const char *common_name, int64_t not_before,
			 int64_t not_after)
{
	return make_cert(out, key, common_name, not_before, not_after, NULL);
}

int att_cert_self_signed_tls(struct att_cert **out, struct att_pkey *key,
			     const char *common_name, int64_t not_before,
			     int64_t not_after)
{
	return make_cert(out, key, common_name, not_before, not_after,
			 "IP:127.0.0.1,IP:::1,DNS:localhost");
}

int att_cert_self_signed_san(struct att_cert **out, struct att_pkey *key,
			     const char *common_name, int64_t not_before,
			     int64_t not_after, const char *const *sans,
			     size_t n_sans)
{
	char buf[4096];
	size_t used = 0;
	*out = NULL;
	if (n_sans == 0 || n_sans > ATT_CERT_MAX_SANS)
		return ATT_ERR_INVALID_ARG;
	for (size_t i = 0; i < n_sans; i++) {
		const char *s = sans[i];
		if (!s || (strncmp(s, "DNS:", 4) && strncmp(s, "IP:", 3)) ||
		    strchr(s, ','))
			return ATT_ERR_INVALID_ARG;
		int n = snprintf(buf + used, sizeof(buf) - used, "%s%s",
				 i ? "," : "", s);
		if (n < 0 || (size_t)n >= sizeof(buf) - used)
			return ATT_ERR_LIMIT;
		used += (size_t)n;
	}
	return make_cert(out, key, common_name, not_before, not_after, buf);
}

int att_cert_from_der(struct att_cert **out, const uint8_t *der, size_t len)
{
	*out = NULL;
	if (!der || len == 0)
		return ATT_ERR_FORMAT;
	if (len > ATT_MAX_CERT_LEN)
		return ATT_ERR_LIMIT;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (!x) {
		ERR_clear_error();
		return ATT_ERR_FORMAT;
	}
	if ((size_t)(p - der) != len) {
		X509_free(x);
		return ATT_ERR_TRAILING;
	}
	return wrap(out, x);
}

int att_cert_from_x5c_b64(struct att_cert **out, const char *b64)
{
	uint8_t *der = NULL;
	size_t len = 0;
	*out = NULL;
	if (!b64)
		return ATT_ERR_FORMAT;
	size_t n = strlen(b64);
	if (n > ATT_MAX_CERT_LEN * 2)
		return ATT_ERR_LIMIT;
	/* x5c is canonical standard base64 (RFC 7517 4.7) */
	if (att_b64_decode_strict(&der, &len, b64, n, NULL))
		return ATT_ERR_FORMAT;
	int r = att_cert_from_der(out, der, len);
	free(der);
	return r;
}

/* read_pem_certs reads up to max certificates; 0 certificates is
 * ATT_ERR_FORMAT, a broken block ATT_ERR_FORMAT, more than max
 * ATT_ERR_LIMIT. */
static int read_pem_certs(X509 **xs, size_t *n, size_t max, const char *pem,
			  size_t len)
{
	*n = 0;
	if (!pem || len == 0 || len > (size_t)ATT_MAX_PEM_CERTS * 2 * ATT_MAX_CERT_LEN)
		return ATT_ERR_FORMAT;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return ATT_ERR_NOMEM;
	int r = 0;
	for (;;) {
		ERR_clear_error();
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		if (!x) {
			unsigned long e = ERR_peek_last_error();
			if (ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
				r = ATT_ERR_FORMAT;
			break;
		}
		if (*n == max) {
			X509_free(x);
			r = ATT_ERR_LIMIT;
			break;
		}
		xs[(*n)++] = x;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (r == 0 && *n == 0)
		r = ATT_ERR_FORMAT;
	return r;
}

int att_cert_from_pem(struct att_cert **out, const char *pem, size_t len)
{
	*out = NULL;
	if (!pem || len == 0 || len > ATT_PKEY_MAX_PEM_LEN * 16)
		return ATT_ERR_FORMAT;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return ATT_ERR_NOMEM;
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!x)
		return ATT_ERR_FORMAT;
	return wrap(out, x);
}

void att_cert_chain_free(struct att_cert **chain, size_t n)
{
	if (!chain)
		return;
	for (size_t i = 0; i < n; i++)
		att_cert_free(chain[i]);
	free(chain);
}

int att_cert_chain_from_pem(struct att_cert ***out, size_t *n_out,
			    const char *pem, size_t len)
{
	X509 *xs[ATT_MAX_PEM_CERTS];
	struct att_cert **arr = NULL;
	size_t n = 0, done = 0;
	*out = NULL;
	*n_out = 0;
	int r = read_pem_certs(xs, &n, ATT_MAX_PEM_CERTS, pem, len);
	if (r)
		goto out;
	r = ATT_ERR_NOMEM;
	if (!(arr = calloc(n, sizeof(*arr))))
		goto out;
	for (; done < n; done++) {
		struct att_cert *c = NULL;
		r = wrap(&c, xs[done]);
		xs[done] = NULL; /* transferred (freed by wrap on failure) */
		if (r)
			goto out;
		arr[done] = c;
	}
	*out = arr;
	*n_out = n;
	arr = NULL; /* transferred */
	r = 0;
out:
	for (size_t i = 0; i < n; i++)
		X509_free(xs[i]);
	att_cert_chain_free(arr, done);
	return r;
}

int att_cert_to_der(uint8_t **out, size_t *out_len, const struct att_cert *c)
{
	unsigned char *der = NULL;
	int n = i2d_X509(c->x, &der);
	return att_pk_der_take(out, out_len, der, n);
}

int att_cert_to_pem(char **out, const struct att_cert *c)
{
	int r = ATT_ERR_CRYPTO;
	*out = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return ATT_ERR_NOMEM;
	if (PEM_write_bio_X509(bio, c->x))
		r = att_pk_bio_take(out, bio);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

int att_cert_x5c_b64(char **out, const struct att_cert *c)
{
	uint8_t *der = NULL;
	size_t len = 0;
	*out = NULL;
	int r = att_cert_to_der(&der, &len, c);
	if (r)
		return r;
	*out = att_b64_encode(der, len);
	free(der);
	return *out ? 0 : ATT_ERR_NOMEM;
}

int att_cert_get1_pubkey(struct att_pkey **out, const struct att_cert *c)
{
	*out = NULL;
	EVP_PKEY *pk = X509_get0_pubkey(c->x);
	if (!pk) {
		ERR_clear_error();
		return ATT_ERR_FORMAT;
	}
	return att_pkey_from_evp(out, pk);
}

int att_cert_thumbprint_sha1(char out[static 41], const struct att_cert *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	out[0] = 0;
	if (!X509_digest(c->x, EVP_sha1(), md, &n) || n != 20) {
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	att_hex_encode(out, 41, md, n, true);
	return 0;
}

int att_cert_sha256(uint8_t out[static 32], const struct att_cert *c)
{
	unsigned int n = 0;
	if (!X509_digest(c->x, EVP_sha256(), out, &n) || n != 32) {
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	return 0;
}

static int asn1_time_unix(int64_t *out, const ASN1_TIME *t)
{
	struct tm tm;
	*out = 0;
	if (!t || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		return ATT_ERR_FORMAT;
	}
	int64_t days = att_days_from_civil((int64_t)tm.tm_year + 1900,
					   (unsigned)tm.tm_mon + 1,
					   (unsigned)tm.tm_mday);
	*out = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

int att_cert_not_before(int64_t *out, const struct att_cert *c)
{
	return asn1_time_unix(out, X509_get0_notBefore(c->x));
}

int att_cert_not_after(int64_t *out, const struct att_cert *c)
{
	return asn1_time_unix(out, X509_get0_notAfter(c->x));
}

int att_cert_subject(char **out, const struct att_cert *c)
{
	int r = ATT_ERR_CRYPTO;
	*out = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return ATT_ERR_NOMEM;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(c->x), 0,
			       XN_FLAG_RFC2253) >= 0)
		r = att_pk_bio_take(out, bio);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

bool att_cert_equal(const struct att_cert *a, const struct att_cert *b)
{
	if (!a || !b)
		return false;
	return X509_cmp(a->x, b->x) == 0;
}

struct att_cert *att_cert_dup(struct att_cert *c)
{
	struct att_cert *d = NULL;
	if (!c || !X509_up_ref(c->x))
		return NULL;
	if (wrap(&d, c->x))
		return NULL;
	return d;
}

void att_cert_free(struct att_cert *c)
{
	if (!c)
		return;
	X509_free(c->x);
	free(c);
}
