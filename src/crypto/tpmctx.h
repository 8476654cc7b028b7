/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server-side crypto of TPM attestation's protocol
 * (docs/tpm-protocol.md):
 *  - service_context: the state a stateless server hands the client
 *    between two rounds, sealed with AES-256-GCM under a per-provider key
 *    derived from the data dir's master key (associated data names the
 *    provider, so a context of one provider never opens at another), with
 *    its issue time, expiry and a 16-byte id (the challenge of flow B,
 *    a random id in flow A) that replay protection remembers;
 *  - the provider's AIK CA: a P-256 key with a self-signed CA certificate
 *    that issues AIK certificates after credential activation (subject CN
 *    = the AIK Name's digest in hex; extensions carry the full AIK Name
 *    and the SHA-256 of the EK certificate);
 *  - X.509 chain checks for EK certificates (against the provider's TPM
 *    manufacturer roots) and AIK certificates (against the AIK CA and any
 *    other configured AIK roots), returning the leaf's public key.
 */
#ifndef ATT_CRYPTO_TPMCTX_H
#define ATT_CRYPTO_TPMCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"
#include "crypto/keywrap.h"

#define ATT_TPMCTX_ID_LEN 16
#define ATT_TPMCTX_MAX_SECRET 64
#define ATT_TPMCTX_KEY_NAME_LEN 65 /* 64 hex + NUL */
/* Private OIDs of attestd's AIK certificates (UUID arc 2.25, X.667). */
#define ATT_TPM_OID_EK_CERT_SHA256                                             \
	"2.25.244239565040426788135877350745838582603"
#define ATT_TPM_OID_AIK_NAME "2.25.273202885854069674182191832467224711800"

/* A provider's context-sealing key and its public name. */
struct att_tpmctx_key {
	uint8_t k[ATT_KEYWRAP_KEY_LEN];
	char name[ATT_TPMCTX_KEY_NAME_LEN];
};

/* att_tpmctx_key_derive derives provider's sealing key:
 * HMAC-SHA256(master, "attestd-tpm-context-key/v1/" || provider). */
int att_tpmctx_key_derive(struct att_tpmctx_key *out,
			  const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			  const char *provider);
/* att_tpmctx_key_wipe zeroes the key. */
void att_tpmctx_key_wipe(struct att_tpmctx_key *k);

enum att_tpmctx_kind {
	ATT_TPMCTX_ENROLL = 1, /* between aikenroll and aikactivate */
	ATT_TPMCTX_ATTEST = 2, /* between aikcert and the request */
};

/* The sealed state. */
struct att_tpmctx {
	uint8_t kind;
	int64_t iat;
	int64_t exp;
	uint8_t id[ATT_TPMCTX_ID_LEN]; /* ATTEST: the challenge */
	/* ENROLL */
	size_t secret_len;
	uint8_t secret[ATT_TPMCTX_MAX_SECRET];
	bool has_ek_cert;
	uint8_t ek_cert_sha256[32];
	size_t aik_pub_len;
	uint8_t aik_pub[ATT_MAX_TPM_STRUCT_LEN]; /* TPM2B_PUBLIC */
};

/* att_tpmctx_seal writes c as a service_context (malloc'd text:
 * base64url of {"ProtectionKeyName": hex, "ProtectedContext": b64url}). */
int att_tpmctx_seal(char **out, const struct att_tpmctx_key *k,
		    const char *provider, const struct att_tpmctx *c);

/* att_tpmctx_open opens text into *out and checks its time at now:
 * ATT_ERR_FORMAT (not a service_context), ATT_ERR_SIG_INVALID (does not
 * open: another provider's, another key's, or tampered), ATT_ERR_EXPIRED
 * (past exp), ATT_ERR_NOT_YET_VALID (iat in the future beyond
 * ATT_MAX_CLOCK_SKEW_SECONDS); diag says which. */
int att_tpmctx_open(struct att_tpmctx *out, const struct att_tpmctx_key *k,
		    const char *provider, const char *text, int64_t now,
		    struct att_diag *diag);

/* ---- the AIK CA ------------------------------------------------------ */

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

/* ---- certificate checks ------------------------------------------- */

struct att_tpmctx_verify {
	const uint8_t *der; /* the leaf, exactly one DER certificate */
	size_t der_len;
	const char *roots_pem; /* trust anchors: PEM certificates */
	size_t roots_len;
	const char *inter_pem; /* untrusted intermediates, or NULL */
	size_t inter_len;
	int64_t at;	  /* verification time */
	const char *what; /* "EK certificate", for messages */
};

/* att_tpmctx_verify_cert builds a path from the leaf to one of the
 * anchors (an anchor may be an intermediate: partial chains accepted),
 * checking signatures and validity at `at` (no purpose is required: EK
 * certificates carry the TCG EKU). On success *spki (malloc'd) receives
 * the leaf's DER SubjectPublicKeyInfo and sha256 (may be NULL) the leaf's
 * SHA-256. ATT_ERR_FORMAT (not DER), ATT_ERR_CHAIN_INVALID,
 * ATT_ERR_EXPIRED, ATT_ERR_NOT_YET_VALID, ATT_ERR_SIG_INVALID; diag names
 * what and why. */
int att_tpmctx_verify_cert(const struct att_tpmctx_verify *a, uint8_t **spki,
			   size_t *spki_len, uint8_t sha256[32],
			   struct att_diag *diag);

/* att_tpmctx_cert_ext reads the OCTET STRING value of one of the private
 * extensions (oid) of a DER certificate into out (cap bytes); *len gets
 * its length. ATT_ERR_NOT_FOUND when the extension is absent. */
int att_tpmctx_cert_ext(const uint8_t *der, size_t der_len, const char *oid,
			uint8_t *out, size_t cap, size_t *len);

#endif
