/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX platform simulator's PKI: P-256 keys (struct att_pkey), raw
 * ECDSA r||s signatures, X.509 certificates (struct att_cert) shaped like
 * Intel's SGX PKI (including the PCK SGX extension 1.2.840.113741.1.13.1)
 * and CRLs, made with the crypto primitives and the one certificate
 * builder of src/crypto (crypto/cert.h). Everything here serves a
 * development and test tool: nothing in a production configuration
 * trusts a key or certificate made by it.
 */
#ifndef ATT_SIM_SGX_SIM_CRYPTO_H
#define ATT_SIM_SGX_SIM_CRYPTO_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"

/* Sizes of the simulator's fixed-size fields. */
#define ATT_SGXSIM_SERIAL_LEN 20
#define ATT_SGXSIM_RS_LEN 64
#define ATT_SGXSIM_XY_LEN 64

/* Keys are P-256 struct att_pkey (free with att_pkey_free). */
int att_sgxsim_key_generate(struct att_pkey **out);
/* att_sgxsim_key_load_pem parses a PKCS#8 (or SEC1) PEM private key. */
int att_sgxsim_key_load_pem(struct att_pkey **out, const char *pem,
			    size_t len);
/* att_sgxsim_key_pem appends the unencrypted PKCS#8 PEM (secret). */
int att_sgxsim_key_pem(struct att_pkey *k, struct att_buf *out);
/* att_sgxsim_key_pub writes the raw public point x||y (no 0x04). */
int att_sgxsim_key_pub(struct att_pkey *k,
		       uint8_t xy[ATT_SGXSIM_XY_LEN]);
/* att_sgxsim_sign: ECDSA-P256-SHA256 over msg, as r||s (32 bytes each,
 * big-endian), the encoding of SGX quotes and Intel collateral. */
int att_sgxsim_sign(struct att_pkey *k, const void *msg, size_t len,
		    uint8_t rs[ATT_SGXSIM_RS_LEN]);

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

/* Certificates are struct att_cert (free with att_cert_free). */
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
	struct att_pkey *subject_key;
	const struct att_cert *issuer; /* NULL: self-signed */
	struct att_pkey *issuer_key;
};

int att_sgxsim_cert_create(struct att_cert **out,
			   const struct att_sgxsim_cert_spec *s);
/* att_sgxsim_cert_load_pem parses the first certificate of a PEM text. */
int att_sgxsim_cert_load_pem(struct att_cert **out, const char *pem,
			     size_t len);
int att_sgxsim_cert_pem(const struct att_cert *c, struct att_buf *out);
int att_sgxsim_cert_der(const struct att_cert *c, struct att_buf *out);
/* att_sgxsim_cert_serial reads the serial number's magnitude. */
int att_sgxsim_cert_serial(const struct att_cert *c,
			   struct att_sgxsim_serial *out);

/* A CRL (v2, with CRL Number and Authority Key Identifier, as Intel's). */
struct att_sgxsim_crl_spec {
	const struct att_cert *issuer;
	struct att_pkey *issuer_key;
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
