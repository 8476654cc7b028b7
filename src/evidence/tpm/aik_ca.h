/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provider's AIK CA of TPM attestation (docs/tpm-protocol.md): a P-256
 * key with a self-signed CA certificate that issues AIK certificates after
 * credential activation (subject CN = the AIK Name's digest in hex;
 * extensions carry the full AIK Name and the SHA-256 of the EK
 * certificate). Certificates are made by the X.509 builder of
 * crypto/cert.h; EK and AIK certificate chains are checked with
 * crypto/cert_path.h, which also reads the private extensions back.
 */
#ifndef ATT_EVIDENCE_TPM_AIK_CA_H
#define ATT_EVIDENCE_TPM_AIK_CA_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

/* Private OIDs of attestd's AIK certificates (UUID arc 2.25, X.667). */
#define ATT_TPM_OID_EK_CERT_SHA256                                             \
	"2.25.244239565040426788135877350745838582603"
#define ATT_TPM_OID_AIK_NAME "2.25.273202885854069674182191832467224711800"

struct att_tpmca;

/* att_tpmca_generate makes a CA key (EC P-256) and a self-signed CA
 * certificate "CN=attestd TPM AIK CA (<provider>)", valid for `days`
 * from now - 1 hour. */
int att_tpmca_generate(struct att_tpmca **out, const char *provider,
		       int64_t now, int days);
/* att_tpmca_export writes the private key (PKCS#8 PEM, secret: the caller
 * wipes it) and the certificate (PEM), both malloc'd. */
int att_tpmca_export(const struct att_tpmca *ca, char **key_pem,
		     size_t *key_len, char **cert_pem);
/* att_tpmca_import reads what att_tpmca_export wrote; the key must be
 * the certificate's. */
int att_tpmca_import(struct att_tpmca **out, const char *key_pem,
		     size_t key_len, const char *cert_pem, size_t cert_len);
void att_tpmca_free(struct att_tpmca *ca);
/* att_tpmca_cert_pem returns the CA certificate as PEM (malloc'd). */
int att_tpmca_cert_pem(const struct att_tpmca *ca, char **out);

struct att_tpmca_issue {
	const uint8_t *spki; /* the AIK public key, DER SPKI */
	size_t spki_len;
	const uint8_t *aik_name; /* TPM Name: u16 alg || digest */
	size_t aik_name_len;
	const uint8_t *ek_cert_sha256; /* 32 bytes, or NULL (no EK cert) */
	int64_t now;
	int days;
};

/* att_tpmca_issue signs an AIK certificate (v3, random serial, validity
 * [now - 1 h, now + days], CA:FALSE, keyUsage digitalSignature, AKI/SKI,
 * the two private extensions) into *der (malloc'd). */
int att_tpmca_issue(uint8_t **der, size_t *der_len, const struct att_tpmca *ca,
		    const struct att_tpmca_issue *a, struct att_diag *diag);

#endif
