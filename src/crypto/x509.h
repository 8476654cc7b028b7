/* SPDX-License-Identifier: Apache-2.0 */
/*
 * X.509 certificates and CRLs for DCAP (Intel SGX PKI): parsing, names,
 * validity, serials, extensions, signatures, and chain verification with
 * CRLs at a fixed time through an X509_STORE (the library never reads the
 * clock). Objects are reference-counted and immutable after parsing, so
 * they may be shared between threads. Opaque outside src/crypto.
 */
#ifndef ATT_CRYPTO_X509_H
#define ATT_CRYPTO_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct att_pkey;
#include "crypto/cert.h"

struct att_x509_crl;

/* Certificates are struct att_cert (crypto/cert.h: att_cert_dup and
 * att_cert_free manage the references); these functions are the chain
 * and collateral side.
 * att_x509_from_der parses one DER certificate (whole input). */
int att_x509_from_der(struct att_cert **out, const uint8_t *der, size_t len);
/* att_x509_from_pem parses the first PEM certificate of pem[0..len). */
int att_x509_from_pem(struct att_cert **out, const char *pem, size_t len);

/* SHA-256 of the DER encoding. */
int att_x509_sha256(const struct att_cert *x, uint8_t out[static 32]);
/* Common names ("" when absent) and one-line RFC 2253 names; truncated to
 * out_len - 1 characters. */
void att_x509_subject_cn(const struct att_cert *x, char *out, size_t out_len);
void att_x509_issuer_cn(const struct att_cert *x, char *out, size_t out_len);
void att_x509_issuer_str(const struct att_cert *x, char *out, size_t out_len);
/* att_x509_serial_hex writes the serial number as upper-case hex. */
void att_x509_serial_hex(const struct att_cert *x, char *out, size_t out_len);
/* notBefore / notAfter as Unix seconds. */
int att_x509_validity(const struct att_cert *x, int64_t *not_before,
		      int64_t *not_after);
/* subject == issuer (self-issued). */
bool att_x509_is_self_issued(const struct att_cert *x);
/* child's issuer name equals parent's subject name. */
bool att_x509_issuer_is(const struct att_cert *child,
			const struct att_cert *parent);
/* att_x509_check_signed_by verifies child's signature with parent's key:
 * 0 or ATT_ERR_SIG_INVALID. */
int att_x509_check_signed_by(const struct att_cert *child,
			     const struct att_cert *parent);
bool att_x509_equal(const struct att_cert *a, const struct att_cert *b);
/* att_x509_key_is_rsa tells whether x's public key is RSA. */
bool att_x509_key_is_rsa(const struct att_cert *x);
/* att_x509_signed_rsa_pss_sha384 tells whether x is signed with
 * RSASSA-PSS over SHA-384 (the algorithm identifier and its hash
 * parameter), as AMD signs its SEV-SNP certificates. */
bool att_x509_signed_rsa_pss_sha384(const struct att_cert *x);
/* att_x509_sig_alg_name writes the name of x's signature algorithm
 * ("RSASSA-PSS", "sha256WithRSAEncryption", ...). */
void att_x509_sig_alg_name(const struct att_cert *x, char *out,
			   size_t out_len);
/* att_x509_ec_p256_key returns the subject public key when it is a P-256
 * key (ATT_ERR_UNSUPPORTED otherwise). */
int att_x509_ec_p256_key(const struct att_cert *x, struct att_pkey **out);
/* att_x509_extension borrows the extnValue contents (the DER inside the
 * OCTET STRING) of the extension with dotted OID `oid`: 0 or
 * ATT_ERR_NOT_FOUND. Valid while x lives. */
int att_x509_extension(const struct att_cert *x, const char *oid,
		       const uint8_t **val, size_t *len);

/* CRLs */
int att_x509_crl_from_der(struct att_x509_crl **out, const uint8_t *der,
			  size_t len);
struct att_x509_crl *att_x509_crl_ref(struct att_x509_crl *c);
void att_x509_crl_free(struct att_x509_crl *c);
void att_x509_crl_issuer_cn(const struct att_x509_crl *c, char *out,
			    size_t out_len);
void att_x509_crl_issuer_str(const struct att_x509_crl *c, char *out,
			     size_t out_len);
/* thisUpdate / nextUpdate (INT64_MAX when nextUpdate is absent). */
int att_x509_crl_times(const struct att_x509_crl *c, int64_t *this_update,
		       int64_t *next_update);
/* the CRL's issuer name equals cert's subject name */
bool att_x509_crl_issuer_is(const struct att_x509_crl *c,
			    const struct att_cert *cert);
int att_x509_crl_check_signed_by(const struct att_x509_crl *c,
				 const struct att_cert *issuer);
/* Intel's CRL profile requires CRL Number and Authority Key Identifier. */
bool att_x509_crl_has_number_and_aki(const struct att_x509_crl *c);
/* cert's serial number is listed (revocation is by serial, as QVL). */
bool att_x509_crl_lists(const struct att_x509_crl *c,
			const struct att_cert *cert);

/* Chain verification through an X509_STORE at a fixed time. */
struct att_x509_verify_args {
	const struct att_cert *leaf;
	struct att_cert *const *untrusted;
	size_t n_untrusted;
	struct att_cert *const *roots;
	size_t n_roots;
	struct att_x509_crl *const *crls;
	size_t n_crls;
	int64_t at;
	bool check_time; /* false: X509_V_FLAG_NO_CHECK_TIME (QVL style) */
	bool check_crls; /* CRL for every certificate in the chain */
};

/* What failed, for the caller's message. */
struct att_x509_verify_fail {
	int x509_error; /* X509_V_ERR_* */
	int depth; /* 0 = leaf */
	char reason[96]; /* X509_verify_cert_error_string */
	char subject_cn[96]; /* of the certificate, or the CRL issuer */
	char serial[72];
	int64_t when; /* notAfter / notBefore / CRL nextUpdate / thisUpdate */
	bool is_crl; /* the failing object is a CRL */
};

/* att_x509_verify_chain returns 0 (and the trust anchor reached, with a
 * reference, in *root when root != NULL) or ATT_ERR_REVOKED,
 * ATT_ERR_EXPIRED, ATT_ERR_NOT_YET_VALID, ATT_ERR_SIG_INVALID,
 * ATT_ERR_CHAIN_INVALID with details in *f. */
int att_x509_verify_chain(const struct att_x509_verify_args *a,
			  struct att_cert **root,
			  struct att_x509_verify_fail *f);

#endif
