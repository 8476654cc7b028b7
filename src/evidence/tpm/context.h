/* SPDX-License-Identifier: Apache-2.0 */
/*
 * service_context of TPM attestation's protocol (docs/tpm-protocol.md):
 * the state a stateless server hands the client between two rounds,
 * sealed with AES-256-GCM (crypto/keywrap.h) under a per-provider key
 * derived from the data dir's master key (associated data names the
 * provider, so a context of one provider never opens at another), with
 * its issue time, expiry and a 16-byte id (the challenge of flow B, a
 * random id in flow A) that replay protection remembers.
 */
#ifndef ATT_EVIDENCE_TPM_CONTEXT_H
#define ATT_EVIDENCE_TPM_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"
#include "crypto/keywrap.h"

#define ATT_TPMCTX_ID_LEN 16
#define ATT_TPMCTX_MAX_SECRET 64
#define ATT_TPMCTX_KEY_NAME_LEN 65 /* 64 hex + NUL */

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

#endif
