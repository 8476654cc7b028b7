/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client's TPM, through tpm2-tss (tss2-esys over a tss2-tctildr
 * TCTI: "device:/dev/tpmrm0" by default, "swtpm:port=N" for swtpm,
 * "mssim:..." ...): the RSA endorsement key (the persistent one at
 * 0x81010001 when there is one, else created from the TCG L-1 template)
 * and its certificate from NV 0x01C00002, an AIK created under the EK
 * (restricted signing, RSA-2048 RSASSA-SHA256 or ECC P-256 ECDSA-SHA256;
 * empty authValue and noDA, so that an unclean TPM reset never counts
 * against it in dictionary-attack lockout),
 * TPM2_ActivateCredential, TPM2_PCR_Read and TPM2_Quote. Every transient
 * object and session is flushed when no longer needed (a TPM without a
 * resource manager, like swtpm, runs out of object slots otherwise), and
 * att_tpmdev_close flushes what is left. Values cross this API in TPM
 * wire form (Tss2_MU_*_Marshal).
 */
#ifndef ATT_CLIENT_TPM_DEV_H
#define ATT_CLIENT_TPM_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/tpm/pcrs.h"

#define ATT_TPMDEV_DEFAULT_TCTI "device:/dev/tpmrm0"
#define ATT_TPMDEV_EK_HANDLE 0x81010001u
#define ATT_TPMDEV_EK_CERT_NV 0x01C00002u
/* NV read chunk (below every TPM's TPM2_PT_NV_BUFFER_MAX). */
#define ATT_TPMDEV_NV_CHUNK 512

/* X.690 identifier octet of a certificate: SEQUENCE, constructed. */
#define ATT_TPMDEV_DER_SEQUENCE 0x30

struct att_tpmdev;

/* att_tpmdev_cert_span sets *len to the length of the DER certificate
 * (a SEQUENCE) at the start of an EK certificate NV index's data; what
 * follows it is padding. Fails (ATT_ERR_FORMAT or ATT_ERR_TRUNCATED,
 * *len 0) when the data does not start with a whole one. */
int att_tpmdev_cert_span(const uint8_t *buf, size_t n, size_t *len);

/* att_tpmdev_open connects to the TPM through the TCTI conf string
 * (NULL: ATT_TPMDEV_DEFAULT_TCTI) and sends TPM2_Startup(CLEAR) (a TPM
 * already started is fine). */
int att_tpmdev_open(struct att_tpmdev **out, const char *tcti,
		    struct att_diag *d);
/* att_tpmdev_close flushes the transient objects it made and closes. */
void att_tpmdev_close(struct att_tpmdev *t);

/* att_tpmdev_ek loads the EK and returns its TPM2B_PUBLIC and, when NV
 * holds one, its certificate (exactly the DER, padding removed; NULL
 * otherwise). Both malloc'd. */
int att_tpmdev_ek(struct att_tpmdev *t, uint8_t **pub, size_t *pub_len,
		  uint8_t **cert, size_t *cert_len, struct att_diag *d);

struct att_tpmdev_aik_opts {
	bool ecc;	   /* ECC P-256 instead of RSA-2048 */
	bool unrestricted; /* clear `restricted` (a negative test's AIK) */
};

/* att_tpmdev_aik_create creates an AIK under the EK (att_tpmdev_ek
 * first) and returns its TPM2B_PUBLIC and TPM2B_PRIVATE (the key blob,
 * usable only by this TPM). */
int att_tpmdev_aik_create(struct att_tpmdev *t,
			  const struct att_tpmdev_aik_opts *o, uint8_t **pub,
			  size_t *pub_len, uint8_t **priv, size_t *priv_len,
			  struct att_diag *d);
/* att_tpmdev_aik_load loads an AIK blob under the EK. */
int att_tpmdev_aik_load(struct att_tpmdev *t, const uint8_t *pub,
			size_t pub_len, const uint8_t *priv, size_t priv_len,
			struct att_diag *d);

/* att_tpmdev_activate runs TPM2_ActivateCredential(AIK, EK) on a
 * TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET; the recovered secret goes
 * to out (cap bytes). */
int att_tpmdev_activate(struct att_tpmdev *t, const uint8_t *id_object,
			size_t id_len, const uint8_t *enc_secret,
			size_t enc_len, uint8_t *out, size_t cap,
			size_t *out_len, struct att_diag *d);

/* att_tpmdev_pcr_read reads the PCRs of mask (bit i: PCR i) in bank (a
 * TPM hash algorithm) into out (reset first). */
int att_tpmdev_pcr_read(struct att_tpmdev *t, uint32_t mask, uint16_t bank,
			struct att_tpm_pcrs *out, struct att_diag *d);

/* att_tpmdev_quote signs the PCRs of mask in bank with the loaded AIK
 * over qualifying data nonce; returns the TPMS_ATTEST bytes and the
 * marshalled TPMT_SIGNATURE (malloc'd). */
int att_tpmdev_quote(struct att_tpmdev *t, const uint8_t *nonce,
		     size_t nonce_len, uint32_t mask, uint16_t bank,
		     uint8_t **attest, size_t *attest_len, uint8_t **sig,
		     size_t *sig_len, struct att_diag *d);

#endif
