/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vTPM of an Azure VM as the AzureGuest client uses it, through
 * tss2-esys over a TCTI (client/azguest.h names the handles): the AIK
 * persisted at 0x81000003, NV indices read and written with owner
 * authorisation, the SHA-256 PCRs, TPM2_Quote with no qualifying data
 * and the scheme of the key, and the ephemeral EncKey: an RSA-2048
 * decryption key made by TPM2_CreatePrimary under the owner hierarchy,
 * usable only through a PolicyPCR session over the quoted PCRs
 * (userWithAuth clear), certified by the AIK (TPM2_Certify) and used for
 * TPM2_RSA_Decrypt (RSAES-PKCS1-v1_5) of the service's wrapped key.
 * Also what tests need to make swtpm look like such a vTPM: a new AIK,
 * NV writes, and a boot log's digests extended into the PCRs.
 * Structures cross this API in TPM wire form; signatures as the raw RSA
 * signature bytes (what Microsoft's clients send).
 */
#ifndef ATT_CLIENT_AZGUEST_TPM_H
#define ATT_CLIENT_AZGUEST_TPM_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/tpm/pcrs.h"

struct att_azgtpm;

/* NV read and write chunk (below every TPM's TPM2_PT_NV_BUFFER_MAX). */
#define ATT_AZGTPM_NV_CHUNK 512

int att_azgtpm_open(struct att_azgtpm **out, const char *tcti,
		    struct att_diag *d);
/* att_azgtpm_close flushes the EncKey and closes; accepts NULL. */
void att_azgtpm_close(struct att_azgtpm *t);

/* att_azgtpm_nv_read reads all of NV index (owner authorisation) into a
 * malloc'd buffer of at most max bytes. ATT_ERR_NOT_FOUND when the index
 * is not defined. */
int att_azgtpm_nv_read(struct att_azgtpm *t, uint32_t index, size_t max,
		       uint8_t **out, size_t *len, struct att_diag *d);
/* att_azgtpm_nv_write (re)defines index with exactly n bytes (owner and
 * auth read/write) and writes data. */
int att_azgtpm_nv_write(struct att_azgtpm *t, uint32_t index,
			const uint8_t *data, size_t n, struct att_diag *d);

/* att_azgtpm_aik_create makes a new AIK (RSA-2048, restricted signing,
 * RSASSA-SHA256, a primary of the endorsement hierarchy) and persists it
 * at ATT_AZG_AIK_HANDLE, evicting what was there. */
int att_azgtpm_aik_create(struct att_azgtpm *t, struct att_diag *d);
/* att_azgtpm_aik_public returns the persisted AIK's TPM2B_PUBLIC. */
int att_azgtpm_aik_public(struct att_azgtpm *t, uint8_t **pub, size_t *len,
			  struct att_diag *d);

/* att_azgtpm_pcr_read reads the SHA-256 PCRs of mask into out (reset). */
int att_azgtpm_pcr_read(struct att_azgtpm *t, uint32_t mask,
			struct att_tpm_pcrs *out, struct att_diag *d);
/* att_azgtpm_quote quotes the SHA-256 PCRs of mask with the AIK and no
 * qualifying data: TPMS_ATTEST bytes and the raw signature (malloc'd). */
int att_azgtpm_quote(struct att_azgtpm *t, uint32_t mask, uint8_t **attest,
		     size_t *attest_len, uint8_t **sig, size_t *sig_len,
		     struct att_diag *d);
/* att_azgtpm_enckey makes the EncKey bound to the current values of the
 * SHA-256 PCRs of mask and certifies it: TPM2B_PUBLIC, TPMS_ATTEST and the
 * raw signature (malloc'd). The key stays loaded for att_azgtpm_decrypt. */
int att_azgtpm_enckey(struct att_azgtpm *t, uint32_t mask, uint8_t **pub,
		      size_t *pub_len, uint8_t **certify, size_t *certify_len,
		      uint8_t **sig, size_t *sig_len, struct att_diag *d);
/* att_azgtpm_decrypt is an att_azg_unwrap_fn (ctx: the struct
 * att_azgtpm): TPM2_RSA_Decrypt (RSAES) with the EncKey under a
 * PolicyPCR session; fails when the PCRs changed since att_azgtpm_enckey. */
int att_azgtpm_decrypt(void *ctx, const uint8_t *in, size_t in_len,
		       uint8_t *out, size_t cap, size_t *out_len,
		       struct att_diag *d);

/* att_azgtpm_extend_log extends every measured event (all but
 * EV_NO_ACTION) of a TCG log into its PCR, with the event's SHA-1,
 * SHA-256 and SHA-384 digests, in log order, as firmware did. */
int att_azgtpm_extend_log(struct att_azgtpm *t, const uint8_t *log,
			  size_t len, struct att_diag *d);

#endif
