/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/Tpm without HTTP (docs/tpm-protocol.md): AIK enrolment by
 * credential activation (flow A: aikenroll, aikactivate) and two-round
 * attestation (flow B: aikcert, then the signed request), run by
 * att_verify_tpm on a plain request and answered in a struct
 * att_verify_result (reply: the JSON answer; or err, http_status,
 * maa_code and msg naming the failing step).
 *
 * A provider's TPM state lives in the store (store.h; docs/tpm.md):
 * settings ({"require_bearer": true, "allow_ek_without_cert": false,
 * "context_ttl_seconds": 300, "aik_cert_days": 365}), trusted
 * certificates by kind (ek-roots: TPM manufacturer roots,
 * ek-intermediates, aik-roots: other AIK certificate roots), the AIK CA
 * (key wrapped, keywrap.h; made on first enrolment), enrolment records,
 * the context-key seed (wrapped) and the used context ids; the verifier
 * reaches it through its borrowed store (tpm_state.c).
 */
#ifndef ATT_VERIFY_TPM_H
#define ATT_VERIFY_TPM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"
#include "policy/policy.h"

struct att_verifier;
struct att_verify_result;
struct att_store;
struct att_tcg_log;
struct att_tcg_check_result;

/* Defaults and fixed sizes of the TPM flows (their limits are in
 * base/limits.h). */
#define ATT_TPM_CONTEXT_TTL_DEFAULT 300
#define ATT_TPM_AIK_CERT_DAYS_DEFAULT 365
#define ATT_TPM_AIK_CA_DAYS 7300
#define ATT_TPM_REPORT_VALIDITY_DEFAULT 1440 /* minutes (MAA) */
#define ATT_TPM_SECRET_LEN 32

struct att_tpm_settings {
	bool require_bearer;
	bool allow_ek_without_cert;
	int64_t context_ttl;
	int aik_cert_days;
};

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

/* att_verify_tpm_sign_fn signs the report's claims (borrowed) with the
 * provider's key for lifetime seconds. */
typedef int (*att_verify_tpm_sign_fn)(void *arg, json_t *claims,
				      int64_t lifetime, char **token,
				      struct att_diag *d);

/* One POST /attest/Tpm message, as plain values. */
struct att_verify_tpm_req {
	const uint8_t *body; /* the message (JSON) */
	size_t body_len;
	const char *provider;                  /* whose TPM state applies */
	const struct att_tpm_settings *settings; /* the provider's */
	const uint8_t *master; /* ATT_KEYWRAP_KEY_LEN bytes: wraps the AIK
				  CA key and the context-key seed */
	struct att_policy_limits limits; /* compile limits of its policy */
	struct att_policy_budget budget; /* evaluation budget */
	int64_t now;
	att_verify_tpm_sign_fn sign; /* signs flow B's report */
	void *sign_arg;
};

/* att_verify_tpm decodes the message and runs its step: the enrolment
 * challenge (aikenroll), the credential activation (aikactivate), the
 * attestation challenge (aikcert) or the signed request's check, policy
 * and report. On success res->reply is the JSON answer (and, for a
 * report, res->claims and res->token are set). Returns res->err. */
int att_verify_tpm(struct att_verifier *v, const struct att_verify_tpm_req *req,
		   struct att_verify_result *res);

#endif
