/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct att_cert: one X.509 certificate, opaque outside src/crypto. This
 * module makes self-signed certificates (token signing certificates for
 * x5c, TLS certificates for dev mode), converts between DER, PEM and the
 * standard-base64 DER of JWS/JWK "x5c" arrays, and computes MAA's
 * thumbprint (upper-case hex SHA-1 of the DER). It does not verify
 * chains: that is the evidence verifiers' business.
 */
#ifndef ATT_CRYPTO_CERT_H
#define ATT_CRYPTO_CERT_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct att_pkey;
struct att_cert;

/* att_cert_self_signed makes a self-signed v3 certificate for key (which
 * must hold a private part), subject = issuer = CN=common_name, a random
 * 128-bit serial, validity [not_before, not_after] (Unix seconds),
 * basicConstraints CA:FALSE, keyUsage digitalSignature, subject key id.
 * Signed with SHA-256 (RSA PKCS#1 v1.5 or ECDSA). */
int att_cert_self_signed(struct att_cert **out, struct att_pkey *key,
			 const char *common_name, int64_t not_before,
			 int64_t not_after);

/* att_cert_self_signed_tls is att_cert_self_signed for a TLS server:
 * subjectAltName IP:127.0.0.1, IP:::1, DNS:localhost; extendedKeyUsage
 * serverAuth; keyUsage digitalSignature (+ keyEncipherment for RSA). */
int att_cert_self_signed_tls(struct att_cert **out, struct att_pkey *key,
			     const char *common_name, int64_t not_before,
			     int64_t not_after);

/* att_cert_self_signed_san is the TLS variant with the caller's SANs, each
 * "DNS:name" or "IP:address" (n_sans <= 32). */
int att_cert_self_signed_san(struct att_cert **out, struct att_pkey *key,
			     const char *common_name, int64_t not_before,
			     int64_t not_after, const char *const *sans,
			     size_t n_sans);

/* The one X.509 builder (cert_build.c): token and TLS certificates, the
 * TPM AIK CA and its AIK certificates, and the SGX simulator's Intel-
 * shaped PKI are all made from a struct att_cert_spec. */

/* One attribute of a distinguished name, in order: field is "CN", "O",
 * "OU", "L", "ST" or "C"; values are UTF-8 (countryName is encoded as a
 * PrintableString, as RFC 5280 requires). */
struct att_cert_name_attr {
	const char *field;
	const char *value;
};

/* keyUsage bits (RFC 5280 §4.2.1.3); the extension is always critical. */
enum att_cert_key_usage {
	ATT_KU_DIGITAL_SIGNATURE = 1u << 0,
	ATT_KU_NON_REPUDIATION = 1u << 1,
	ATT_KU_KEY_ENCIPHERMENT = 1u << 2,
	ATT_KU_KEY_CERT_SIGN = 1u << 5,
	ATT_KU_CRL_SIGN = 1u << 6,
};

/* How the subjectKeyIdentifier is made. */
enum att_cert_ski {
	ATT_SKI_NONE,
	ATT_SKI_KEY_SHA1, /* SHA-1 of the subjectPublicKey (RFC 5280 method 1) */
	ATT_SKI_SERIAL,   /* the serial number's bytes (Intel's CA certs) */
};

/* The extensions, named for att_cert_spec.order. */
enum att_cert_ext {
	ATT_EXT_END = 0,
	ATT_EXT_BASIC_CONSTRAINTS,
	ATT_EXT_KEY_USAGE,
	ATT_EXT_SKI,
	ATT_EXT_AKI,
	ATT_EXT_CRL_DP,
	ATT_EXT_SAN,
	ATT_EXT_EKU,
	ATT_EXT_RAW, /* all raw extensions, in their order */
};
#define ATT_CERT_MAX_EXT_KINDS 9

/* An extension given as bytes: extnValue holds val (DER the caller made),
 * or, when octet_string, an OCTET STRING whose contents are val. */
struct att_cert_raw_ext {
	const char *oid; /* dotted */
	const uint8_t *val;
	size_t len;
	bool critical;
	bool octet_string;
};

/* The signature algorithm of a certificate or CRL. The default (zero)
 * is SHA-256 with RSA PKCS#1 v1.5 or ECDSA, by the signing key's type;
 * ATT_CERT_SIG_RSA_PSS_SHA384 is RSASSA-PSS with SHA-384, MGF1 SHA-384 and
 * a 48-byte salt (RFC 4055 parameters), as AMD signs its SEV-SNP ARK, ASK,
 * VCEK and VLEK certificates and CRLs (an RSA signing key is required). */
enum att_cert_sig {
	ATT_CERT_SIG_DEFAULT = 0,
	ATT_CERT_SIG_RSA_PSS_SHA384,
};

struct att_cert_spec {
	const struct att_cert_name_attr *subject; /* at least one attribute */
	size_t n_subject;
	/* The issuer's certificate and private key; issuer NULL: self-signed
	 * (issuer name = subject, signing_key = the subject's private key). */
	const struct att_cert *issuer;
	struct att_pkey *signing_key;
	struct att_pkey *subject_key; /* the certified public key */
	/* Serial (positive magnitude, big-endian, at most 20 bytes); NULL: a
	 * random positive 128-bit serial. */
	const uint8_t *serial;
	size_t serial_len;
	int64_t not_before, not_after; /* Unix seconds */
	bool basic_constraints;	       /* critical; */
	bool ca;		       /*   cA */
	int pathlen;		       /*   pathLenConstraint, -1: none */
	unsigned key_usage;	       /* enum att_cert_key_usage; 0: none */
	enum att_cert_ski ski;
	bool aki; /* keyIdentifier = the issuer's SKI (own SKI if self) */
	const char *crl_url;  /* CRL distribution point URI, or NULL */
	const char *san;      /* "DNS:x,IP:y" (no spaces), or NULL */
	bool eku_server_auth; /* extendedKeyUsage serverAuth */
	const struct att_cert_raw_ext *raw;
	size_t n_raw;
	/* Order of the extensions in the certificate; all ATT_EXT_END (the
	 * default): basicConstraints, keyUsage, SKI, AKI, CRL DP, SAN, EKU,
	 * raw. An extension not configured above is skipped. */
	enum att_cert_ext order[ATT_CERT_MAX_EXT_KINDS];
	enum att_cert_sig sig; /* default: SHA-256 */
};

/* att_cert_build makes and signs (s->sig; by default SHA-256: RSA PKCS#1
 * v1.5 or ECDSA) a v3 certificate. ATT_ERR_ALG when s->sig asks for
 * RSASSA-PSS and the signing key is not RSA. ATT_ERR_INVALID_ARG for a
 * missing name, key or issuer key,
 * not_after < not_before, a serial longer than 20 bytes, or a signing key
 * without its private part; ATT_ERR_CHAIN_INVALID when aki is asked and
 * the issuer has no SKI. */
int att_cert_build(struct att_cert **out, const struct att_cert_spec *s);

/* A CRL (v2) signed by an issuer certificate's key, with CRL Number and
 * the Authority Key Identifier (the issuer's SKI), as RFC 5280 §5.2
 * recommends and Intel's SGX CRLs carry. */
struct att_crl_revoked {
	const uint8_t *serial; /* positive magnitude, big-endian */
	size_t serial_len;
};
struct att_crl_spec {
	const struct att_cert *issuer;
	struct att_pkey *issuer_key;
	int64_t this_update, next_update;
	long number;
	const struct att_crl_revoked *revoked;
	size_t n_revoked;
	int64_t revocation_date; /* of every entry */
	int reason;		 /* CRLReason (RFC 5280 §5.3.1), -1: none */
	enum att_cert_sig sig;	 /* default: SHA-256 */
};

/* att_crl_build makes and signs (s->sig, by default SHA-256) the CRL into
 * *der (malloc'd).
 * ATT_ERR_INVALID_ARG without issuer or key, ATT_ERR_CHAIN_INVALID when
 * the issuer has no SKI. */
int att_crl_build(uint8_t **der, size_t *der_len, const struct att_crl_spec *s);

/* att_crl_der_to_pem returns a malloc'd "X509 CRL" PEM text of a DER CRL
 * (ATT_ERR_FORMAT when it is not one). */
int att_crl_der_to_pem(char **pem, const uint8_t *der, size_t len);

/* att_cert_serial writes the serial number's magnitude (big-endian, no
 * leading zero) into out (cap bytes); *len receives its length. */
int att_cert_serial(const struct att_cert *c, uint8_t *out, size_t cap,
		    size_t *len);

/* att_cert_matches_key tells whether key is the private key of c's
 * subject public key. */
bool att_cert_matches_key(const struct att_cert *c, const struct att_pkey *key);

/* att_cert_from_der reads exactly one DER certificate (no trailing bytes;
 * at most ATT_MAX_CERT_LEN). */
int att_cert_from_der(struct att_cert **out, const uint8_t *der, size_t len);
/* att_cert_from_pem reads the first "CERTIFICATE" block of a PEM text. */
int att_cert_from_pem(struct att_cert **out, const char *pem, size_t len);
/* att_cert_from_x5c_b64 reads one x5c entry (standard base64 of DER). */
int att_cert_from_x5c_b64(struct att_cert **out, const char *b64);
/* att_cert_chain_from_pem reads every certificate of a PEM text, in order,
 * into a malloc'd array (free with att_cert_chain_free). ATT_ERR_FORMAT
 * when there is none, ATT_ERR_LIMIT above ATT_MAX_PEM_CERTS. */
int att_cert_chain_from_pem(struct att_cert ***out, size_t *n_out,
			    const char *pem, size_t len);
/* att_cert_chain_free frees n certificates and the array; accepts NULL. */
void att_cert_chain_free(struct att_cert **chain, size_t n);

/* att_cert_to_der returns the DER encoding (malloc'd). */
int att_cert_to_der(uint8_t **out, size_t *out_len, const struct att_cert *c);
/* att_cert_to_pem returns a malloc'd "CERTIFICATE" PEM text. */
int att_cert_to_pem(char **out, const struct att_cert *c);
/* att_cert_x5c_b64 returns malloc'd standard base64 (padded) of the DER. */
int att_cert_x5c_b64(char **out, const struct att_cert *c);

/* att_cert_get1_pubkey returns the subject public key (owned by caller). */
int att_cert_get1_pubkey(struct att_pkey **out, const struct att_cert *c);

/* att_cert_thumbprint_sha1 writes 40 upper-case hex chars + NUL: SHA-1 of
 * the DER, as MAA reports certificate thumbprints. */
int att_cert_thumbprint_sha1(char out[static 41], const struct att_cert *c);
/* att_cert_sha256 writes SHA-256 of the DER. */
int att_cert_sha256(uint8_t out[static 32], const struct att_cert *c);

/* Validity in Unix seconds. */
int att_cert_not_before(int64_t *out, const struct att_cert *c);
int att_cert_not_after(int64_t *out, const struct att_cert *c);
/* att_cert_subject returns the subject as a malloc'd one-line RFC 2253
 * string ("CN=example"). */
int att_cert_subject(char **out, const struct att_cert *c);
/* att_cert_equal tells whether two certificates have the same DER. */
bool att_cert_equal(const struct att_cert *a, const struct att_cert *b);

/* att_cert_dup returns another reference (NULL on allocation failure). */
struct att_cert *att_cert_dup(struct att_cert *c);
/* att_cert_free drops one reference; accepts NULL. */
void att_cert_free(struct att_cert *c);

/* For src/crypto only: the underlying X509 (borrowed), and wrapping an
 * X509 (takes a new reference; the caller keeps its own). */
struct x509_st;
struct x509_st *att_cert_get0_x509(const struct att_cert *c);
int att_cert_from_x509(struct att_cert **out, struct x509_st *x);

#endif
