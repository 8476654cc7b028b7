/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/Tpm (tpm-protocol.md, docs/tpm-protocol.md): AIK
 * enrolment by credential activation (flow A) and two-round attestation
 * (flow B), in api_tpm*.c. This header is shared by those files only:
 * the handler, each flow, the provider's TPM state on disk and the
 * replay cache.
 *
 * A provider's TPM state lives in the data dir, <data-dir>/tpm/<name>/:
 *   settings.json      optional: {"require_bearer": true,
 *                      "allow_ek_without_cert": false,
 *                      "context_ttl_seconds": 300, "aik_cert_days": 365}
 *   ek-roots/          trusted TPM manufacturer roots (PEM or DER files)
 *   ek-intermediates/  intermediate CAs for EK certificates
 *   aik-roots/         other trusted AIK certificate roots
 *   aik-ca.key         the AIK CA's private key, wrapped (keywrap.h)
 *   aik-ca.crt         the AIK CA's certificate (made on first enrolment)
 *   enrolled/<hex>.json  one record per enrolled AIK (hex of its Name)
 */
#ifndef ATT_SERVER_API_TPM_H
#define ATT_SERVER_API_TPM_H

#include "base/limits.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/tpmctx.h"

struct att_req;
struct att_resp;
struct att_tpmca;
struct att_tpmproto_msg;

/* Defaults and limits of the TPM route (to move into base/limits.h). */
#define ATT_TPM_CONTEXT_TTL_DEFAULT 300
#define ATT_TPM_AIK_CERT_DAYS_DEFAULT 365
#define ATT_TPM_AIK_CA_DAYS 7300
#define ATT_TPM_REPORT_VALIDITY_DEFAULT 1440 /* minutes (MAA) */
#define ATT_TPM_SECRET_LEN 32

/* The route's handler (routes.c binds it to POST /attest/Tpm). */
void att_api_attest_tpm(struct att_req *req, struct att_resp *resp);

struct att_tpm_settings {
	bool require_bearer;
	bool allow_ek_without_cert;
	int64_t context_ttl;
	int aik_cert_days;
};

/* att_tpm_settings_load reads settings.json of provider (defaults when
 * absent). */
int att_tpm_settings_load(struct att_tpm_settings *s, const char *data_dir,
			  const char *provider, struct att_diag *d);

/* att_tpm_path writes <data_dir>/tpm/<provider>[/<name>] into out. */
int att_tpm_path(char *out, size_t cap, const char *data_dir,
		 const char *provider, const char *name);

/* att_tpm_read_pems concatenates every certificate file (*.pem, *.crt,
 * *.cer; PEM, or one DER certificate) of <provider dir>/<sub> into a
 * malloc'd PEM text (*out NULL, *len 0 when the
 * directory is absent or empty). */
int att_tpm_read_pems(char **out, size_t *len, const char *data_dir,
		      const char *provider, const char *sub,
		      struct att_diag *d);

/* att_tpm_aik_ca returns the provider's AIK CA, creating it (and its
 * files) when create is set and it does not exist yet. */
int att_tpm_aik_ca(struct att_tpmca **out, struct att_req *req, bool create,
		   struct att_diag *d);
/* att_tpm_aik_ca_cert reads the provider's AIK CA certificate (PEM text,
 * malloc'd, NUL-terminated) for verifying AIK certificates: the key is
 * neither unwrapped nor parsed. ATT_ERR_NOT_FOUND before the first
 * enrolment. */
int att_tpm_aik_ca_cert(char **pem, size_t *len, struct att_req *req,
			struct att_diag *d);

/* att_tpm_enrol_record writes the enrolment record of an AIK;
 * att_tpm_enrolled tells whether one exists. name is the AIK's Name. */
int att_tpm_enrol_record(struct att_req *req, const uint8_t *name,
			 size_t name_len, const uint8_t *ek_cert_sha256,
			 const uint8_t *aik_cert, size_t aik_cert_len,
			 struct att_diag *d);
bool att_tpm_enrolled(struct att_req *req, const uint8_t *name,
		      size_t name_len);

/* att_tpm_replay_mark records a context id (per provider) as used until
 * exp: 0 the first time, ATT_ERR_REPLAY afterwards, ATT_ERR_LIMIT when
 * ATT_TPM_REPLAY_CACHE_SLOTS unexpired ids are outstanding. */
int att_tpm_replay_mark(const char *provider, const uint8_t *id, int64_t exp,
			int64_t now);
/* att_tpm_service_start is the time of this process's first TPM
 * request: contexts issued before it came from an earlier process, whose
 * used ids this one does not know, and are refused. */
int64_t att_tpm_service_start(int64_t now);

/* att_tpm_ctx_key derives the provider's context-sealing key. */
int att_tpm_ctx_key(struct att_tpmctx_key *k, struct att_req *req);

/* att_tpm_reply answers 200 with body text (taken over). */
void att_tpm_reply(struct att_resp *resp, char *body);

/* Flows. Each fills resp (answer or MAA error). */
void att_tpm_enroll(struct att_req *req, struct att_resp *resp,
		    const struct att_tpmproto_msg *m,
		    const struct att_tpm_settings *s);
void att_tpm_activate(struct att_req *req, struct att_resp *resp,
		      const struct att_tpmproto_msg *m);
void att_tpm_challenge(struct att_req *req, struct att_resp *resp,
		       const struct att_tpm_settings *s);
void att_tpm_attest(struct att_req *req, struct att_resp *resp,
		    const struct att_tpmproto_msg *m);

/* ---- policy and claims (api_tpm_claims.c) --------------------------- */

/* The provider's TPM policy. */
struct att_tpm_policy {
	char *text;
	size_t len;
	struct att_policy *compiled;
	char hash[44];
	/* Configuration (configurationrules): */
	bool require_valid_aik_cert; /* default true */
	uint32_t required_pcr_mask;  /* default 0xFFFFFF */
};

/* att_tpm_policy_load reads and compiles the provider's Tpm policy and
 * evaluates its configuration rules. ATT_ERR_NOT_FOUND (with resp filled
 * as MAA does: 400 "Bad request") when none is set; other failures fill
 * resp too. */
int att_tpm_policy_load(struct att_tpm_policy *p, struct att_req *req,
			struct att_resp *resp);
void att_tpm_policy_release(struct att_tpm_policy *p);

/* What flow B verified, for the claims and the token. */
struct att_tpm_evidence {
	bool aik_validated;
	char aik_pub_hash[48]; /* std base64 of SHA-256(SPKI) */
	json_t *pcrs_claim;    /* {"PCRs": [...]} (owned) */
	json_t *events_claim;  /* {"Events": [...]} or NULL (owned) */
	int secure_boot;       /* -1 unknown, 0, 1 */
	json_t *custom_claims; /* borrowed */
	json_t *attest_key;    /* borrowed: the JWK */
	const char *rp_data;   /* borrowed, may be NULL */
};

struct att_tcg_log;
struct att_tcg_check_result;

/* att_tpm_secure_boot tells what the log proves of Secure Boot: 1 or 0
 * from the SecureBoot variable event of PCR 7, or -1 (unknown) unless
 * PCR 7 replayed to its quoted value (verified: mask of PCRs that did),
 * holds only the event types PCR 7 may hold, every variable event of it
 * is digest-verified and SecureBoot is measured exactly once before the
 * separator. EventType alone is never trusted. */
int att_tpm_secure_boot(const struct att_tcg_log *log,
			const struct att_tcg_check_result *res,
			uint32_t verified);

/* att_tpm_finish turns verified evidence into incoming claims, evaluates
 * the policy and answers with the report (or the policy's error). */
void att_tpm_finish(struct att_req *req, struct att_resp *resp,
		    const struct att_tpm_policy *pol,
		    const struct att_tpm_evidence *ev);

#endif
