/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSL side of the SGX platform simulator (src/sim): P-256 keys,
 * raw ECDSA r||s signatures, X.509 certificates shaped like Intel's SGX
 * PKI (including the PCK SGX extension 1.2.840.113741.1.13.1) and CRLs.
 * Everything here serves a development and test tool: nothing in a
 * production configuration trusts a key or certificate made by it. The
 * types are opaque so that src/sim never includes OpenSSL.
 */
#ifndef ATT_CRYPTO_SGXSIM_H
#define ATT_CRYPTO_SGXSIM_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Sizes of the simulator's fixed-size fields. */
#define ATT_SGXSIM_SERIAL_LEN 20
#define ATT_SGXSIM_RS_LEN 64
#define ATT_SGXSIM_XY_LEN 64
/* Cap on a PEM/DER object the simulator writes or reads back. */

/* A P-256 key pair. */
struct att_sgxsim_key;

int att_sgxsim_key_generate(struct att_sgxsim_key **out);
/* att_sgxsim_key_load_pem parses a PKCS#8 (or SEC1) PEM private key. */
int att_sgxsim_key_load_pem(struct att_sgxsim_key **out, const char *pem,
			    size_t len);
/* att_sgxsim_key_pem appends the unencrypted PKCS#8 PEM (secret). */
int att_sgxsim_key_pem(const struct att_sgxsim_key *k, struct att_buf *out);
/* att_sgxsim_key_pub writes the raw public point x||y (no 0x04). */
int att_sgxsim_key_pub(const struct att_sgxsim_key *k,
		       uint8_t xy[ATT_SGXSIM_XY_LEN]);
/* att_sgxsim_sign: ECDSA-P256-SHA256 over msg, as r||s (32 bytes each,
 * big-endian), the encoding of SGX quotes and Intel collateral. */
int att_sgxsim_sign(const struct att_sgxsim_key *k, const void *msg, size_t len,
		    uint8_t rs[ATT_SGXSIM_RS_LEN]);
void att_sgxsim_key_free(struct att_sgxsim_key *k);

/* The SGX extension of a PCK certificate (Intel's PCK cert profile). */
struct att_sgxsim_pck_ext {
	uint8_t ppid[16];
	uint8_t comp_svn[16]; /* TCB .2.1 .. .2.16 */
	uint16_t pcesvn;      /* TCB .2.17 */
	uint8_t cpusvn[16];   /* TCB .2.18 */
	uint8_t pceid[2];
	uint8_t fmspc[6];
	uint8_t sgx_type; /* 0 Standard, 1 Scalable, 2 ScalableWithIntegrity */
	bool platform;	  /* Platform-CA cert: adds .6 and .7 */
	uint8_t platform_instance_id[16];
	bool dynamic_platform, cached_keys, smt_enabled;
};

/* att_sgxsim_pck_ext_der appends the DER of the extension's value (the
 * SEQUENCE that extnValue wraps). */
int att_sgxsim_pck_ext_der(const struct att_sgxsim_pck_ext *e,
			   struct att_buf *out);

/* A certificate serial number (magnitude, big-endian). */
struct att_sgxsim_serial {
	uint8_t b[ATT_SGXSIM_SERIAL_LEN + 1];
	size_t len;
};

/* An X.509 certificate. */
struct att_sgxsim_cert;

/* What a simulated certificate holds. Subjects and issuers are
 * "CN=<cn>, O=<org>, L=Santa Clara, ST=CA, C=US" as in Intel's PKI. */
struct att_sgxsim_cert_spec {
	const char *cn;
	const char *org;
	uint8_t serial[ATT_SGXSIM_SERIAL_LEN]; /* positive, as given */
	int64_t not_before, not_after;
	bool ca;
	int pathlen; /* CA only; -1 for none */
	const char *crl_url;
	const struct att_sgxsim_pck_ext *sgx; /* PCK certs only */
	const struct att_sgxsim_key *subject_key;
	const struct att_sgxsim_cert *issuer; /* NULL: self-signed */
	const struct att_sgxsim_key *issuer_key;
};

int att_sgxsim_cert_create(struct att_sgxsim_cert **out,
			   const struct att_sgxsim_cert_spec *s);
/* att_sgxsim_cert_load_pem parses the first certificate of a PEM text. */
int att_sgxsim_cert_load_pem(struct att_sgxsim_cert **out, const char *pem,
			     size_t len);
int att_sgxsim_cert_pem(const struct att_sgxsim_cert *c, struct att_buf *out);
int att_sgxsim_cert_der(const struct att_sgxsim_cert *c, struct att_buf *out);
/* att_sgxsim_cert_serial reads the serial number's magnitude. */
int att_sgxsim_cert_serial(const struct att_sgxsim_cert *c,
			   struct att_sgxsim_serial *out);
void att_sgxsim_cert_free(struct att_sgxsim_cert *c);

/* A CRL (v2, with CRL Number and Authority Key Identifier, as Intel's). */
struct att_sgxsim_crl_spec {
	const struct att_sgxsim_cert *issuer;
	const struct att_sgxsim_key *issuer_key;
	int64_t this_update, next_update;
	long number;
	const struct att_sgxsim_serial *revoked; /* reason keyCompromise */
	size_t n_revoked;
	int64_t revocation_date;
};

/* att_sgxsim_crl_create appends the DER of the signed CRL. */
int att_sgxsim_crl_create(const struct att_sgxsim_crl_spec *s,
			  struct att_buf *der);
/* att_sgxsim_crl_pem appends "-----BEGIN X509 CRL-----" PEM of a DER CRL. */
int att_sgxsim_crl_pem(const uint8_t *der, size_t len, struct att_buf *out);

#endif
