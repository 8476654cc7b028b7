/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checking one DER certificate against trust anchors given as PEM text, at
 * a given time, and reading an OCTET STRING extension back. Unlike the
 * DCAP chain check of crypto/x509.h (fixed chains, CRLs), an anchor here
 * may be an intermediate (partial chains are accepted), untrusted
 * intermediates may be supplied, and no purpose is required: TPM EK
 * certificates carry the TCG EKU, AIK certificates none.
 */
#ifndef ATT_CRYPTO_CERT_PATH_H
#define ATT_CRYPTO_CERT_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

struct att_cert_path {
	const uint8_t *der; /* the leaf, exactly one DER certificate */
	size_t der_len;
	const char *roots_pem; /* trust anchors: PEM certificates */
	size_t roots_len;
	const char *inter_pem; /* untrusted intermediates, or NULL */
	size_t inter_len;
	int64_t at;	  /* verification time (Unix seconds) */
	const char *what; /* "EK certificate", for messages */
};

/* att_cert_path_verify builds a path from the leaf to one of the anchors,
 * checking signatures and validity at `at`. On success *spki (malloc'd)
 * receives the leaf's DER SubjectPublicKeyInfo and sha256 (may be NULL)
 * the leaf's SHA-256. ATT_ERR_FORMAT (not one DER certificate of at most
 * ATT_MAX_CERT_LEN bytes), ATT_ERR_CHAIN_INVALID (no anchors, or no path),
 * ATT_ERR_EXPIRED, ATT_ERR_NOT_YET_VALID, ATT_ERR_SIG_INVALID; diag names
 * what and why. */
int att_cert_path_verify(const struct att_cert_path *a, uint8_t **spki,
			 size_t *spki_len, uint8_t sha256[32],
			 struct att_diag *diag);

/* att_cert_der_ext_octets reads the contents of the extension oid (dotted)
 * of a DER certificate whose extnValue is an OCTET STRING into out (cap
 * bytes); *len gets their length. ATT_ERR_NOT_FOUND when the extension
 * is absent, ATT_ERR_FORMAT for a bad certificate, an extnValue that is
 * not an OCTET STRING, or contents longer than cap. */
int att_cert_der_ext_octets(const uint8_t *der, size_t der_len,
			    const char *oid, uint8_t *out, size_t cap,
			    size_t *len);

#endif
