/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/Tpm (docs/tpm-protocol.md): AIK
 * enrolment by credential activation (flow A) and two-round attestation
 * (flow B), in api_tpm*.c. This header is shared by those files only:
 * the handler, each flow, the provider's TPM state in the store
 * (api_tpm_state.c) and its import from earlier versions' files
 * (api_tpm_import.c).
 *
 * A provider's TPM state lives in the store (store.h; docs/tpm.md):
 * settings ({"require_bearer": true, "allow_ek_without_cert": false,
 * "context_ttl_seconds": 300, "aik_cert_days": 365}), trusted
 * certificates by kind (ek-roots: TPM manufacturer roots,
 * ek-intermediates, aik-roots: other AIK certificate roots), the AIK CA
 * (key wrapped, keywrap.h; made on first enrolment), enrolment records,
 * the context-key seed (wrapped) and the used context ids. Data dirs of
 * earlier versions kept it in files under <data-dir>/tpm/<name>/; those
 * are imported once (att_tpm_state_import, api_tpm_import.c).
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

/* Defaults and fixed sizes of the TPM route (its limits are in
 * base/limits.h). */
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

struct att_store;

/* att_tpm_settings_parse fills s from settings JSON text (the defaults
 * for what it leaves out; text NULL: all defaults), refusing unknown
 * members and values out of range. */
int att_tpm_settings_parse(struct att_tpm_settings *s, const char *text,
			   size_t len, struct att_diag *d);
/* att_tpm_settings_load reads the provider's settings from the store
 * (defaults when none are set). */
int att_tpm_settings_load(struct att_tpm_settings *s, struct att_store *st,
			  const char *provider, struct att_diag *d);

/* att_tpm_read_pems concatenates the provider's trusted certificates of
 * kind ("ek-roots", "ek-intermediates", "aik-roots") into a malloc'd PEM
 * text (*out NULL, *len 0 when there are none). */
int att_tpm_read_pems(char **out, size_t *len, struct att_store *st,
		      const char *provider, const char *kind,
		      struct att_diag *d);

/* att_tpm_state_import imports every pre-store TPM directory
 * <data_dir>/tpm/<provider>/ of a provider of the store (settings.json,
 * ek-roots/, ek-intermediates/, aik-roots/, aik-ca.key + aik-ca.crt,
 * enrolled/<hex>.json) into the store in one transaction per provider,
 * then moves the directory to <data_dir>/tpm.migrated/<provider>
 * (docs/tpm.md). What the store holds already wins; idempotent. *n gets
 * the number of directories imported (may be NULL). */
int att_tpm_state_import(struct att_store *st, const char *data_dir,
			 int64_t now, size_t *n, struct att_diag *d);

/* att_tpm_aik_ca returns the provider's AIK CA, creating it (in the
 * store) when create is set and it does not exist yet. */
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

/* att_tpm_replay_mark records a context id of the request's provider as
 * used until exp, in the store (so across every process sharing it): 0
 * the first time, ATT_ERR_REPLAY afterwards, ATT_ERR_LIMIT when
 * ATT_TPM_REPLAY_CACHE_SLOTS unexpired ids are recorded. */
int att_tpm_replay_mark(struct att_req *req, const uint8_t *id, int64_t exp,
			struct att_diag *d);

/* att_tpm_ctx_key gives the provider's context-sealing key, derived
 * from its seed in the store (made on first use). */
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
	int secure_boot;       /* enum att_tpm_sb */
	json_t *custom_claims; /* borrowed */
	json_t *attest_key;    /* borrowed: the JWK */
	const char *rp_data;   /* borrowed, may be NULL */
};

struct att_tcg_log;
struct att_tcg_check_result;

/* What the boot log proves of Secure Boot. UNKNOWN is not an ATT_ERR_*
 * code (they are negative): it is the answer "the log does not tell". */
enum att_tpm_sb {
	ATT_TPM_SB_OFF = 0,
	ATT_TPM_SB_ON = 1,
	ATT_TPM_SB_UNKNOWN = 2,
};

/* att_tpm_secure_boot tells what the log proves of Secure Boot: ON or OFF
 * from the SecureBoot variable event of PCR 7, or UNKNOWN unless
 * PCR 7 replayed to its quoted value (verified: mask of PCRs that did),
 * holds only the event types PCR 7 may hold, every variable event of it
 * is digest-verified and SecureBoot is measured exactly once before the
 * separator. EventType alone is never trusted. */
enum att_tpm_sb att_tpm_secure_boot(const struct att_tcg_log *log,
				    const struct att_tcg_check_result *res,
				    uint32_t verified);

/* att_tpm_finish turns verified evidence into incoming claims, evaluates
 * the policy and answers with the report (or the policy's error). */
void att_tpm_finish(struct att_req *req, struct att_resp *resp,
		    const struct att_tpm_policy *pol,
		    const struct att_tpm_evidence *ev);

#endif
