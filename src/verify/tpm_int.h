/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the TPM flow files of the verifier only (tpm*.c): one run of
 * att_verify_tpm, the provider's state in the store, the policy and the
 * claims of flow B.
 */
#ifndef ATT_VERIFY_TPM_INT_H
#define ATT_VERIFY_TPM_INT_H

#include "evidence/tpm/context.h"
#include "verify/tpm.h"
#include "verify/verifier.h"

struct att_tpmca;
struct att_tpmproto_msg;

/* One run: the verifier (its store), the request and the result. */
struct att_tpm_run {
	struct att_verifier *v;
	const struct att_verify_tpm_req *req;
	struct att_verify_result *res;
};

/* att_tpm_fail fills the result with err (its HTTP status and MAA code
 * from the one table, code the MAA code of a refusal) and the message;
 * returns err. att_tpm_internal does so for a failure of the service
 * (an err that is not one is reported as ATT_ERR_INTERNAL). */
int att_tpm_fail(struct att_tpm_run *t, int err, const char *code,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int att_tpm_internal(struct att_tpm_run *t, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* att_tpm_reply makes body (taken over) the answer. */
int att_tpm_reply(struct att_tpm_run *t, char *body);

/* att_tpm_aik_ca returns the provider's AIK CA, creating it (in the
 * store) when create is set and it does not exist yet. */
int att_tpm_aik_ca(struct att_tpmca **out, struct att_tpm_run *t, bool create,
		   struct att_diag *d);
/* att_tpm_aik_ca_cert reads the provider's AIK CA certificate (PEM text,
 * malloc'd, NUL-terminated) for verifying AIK certificates: the key is
 * neither unwrapped nor parsed. ATT_ERR_NOT_FOUND before the first
 * enrolment. */
int att_tpm_aik_ca_cert(char **pem, size_t *len, struct att_tpm_run *t,
			struct att_diag *d);

/* att_tpm_enrol_record writes the enrolment record of an AIK;
 * att_tpm_enrolled tells whether one exists. name is the AIK's Name. */
int att_tpm_enrol_record(struct att_tpm_run *t, const uint8_t *name,
			 size_t name_len, const uint8_t *ek_cert_sha256,
			 const uint8_t *aik_cert, size_t aik_cert_len,
			 struct att_diag *d);
bool att_tpm_enrolled(struct att_tpm_run *t, const uint8_t *name,
		      size_t name_len);

/* att_tpm_replay_mark records a context id of the provider as used until
 * exp, in the store (so across every process sharing it), checked and
 * inserted in one transaction: 0 the first time, ATT_ERR_REPLAY
 * afterwards, ATT_ERR_LIMIT when ATT_TPM_REPLAY_CACHE_SLOTS unexpired ids
 * are recorded. */
int att_tpm_replay_mark(struct att_tpm_run *t, const uint8_t *id, int64_t exp,
			struct att_diag *d);

/* att_tpm_ctx_key gives the provider's context-sealing key, derived
 * from its seed in the store (made on first use). */
int att_tpm_ctx_key(struct att_tpmctx_key *k, struct att_tpm_run *t);

/* Flows. Each fills the result (answer or error) and returns its err. */
int att_tpm_enroll(struct att_tpm_run *t, const struct att_tpmproto_msg *m);
int att_tpm_activate(struct att_tpm_run *t, const struct att_tpmproto_msg *m);
int att_tpm_challenge(struct att_tpm_run *t);
int att_tpm_attest(struct att_tpm_run *t, const struct att_tpmproto_msg *m);

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
 * evaluates its configuration rules. ATT_ERR_NOT_FOUND (the result
 * filled as MAA does: 400 "Bad request") when none is set; other
 * failures fill the result too. */
int att_tpm_policy_load(struct att_tpm_policy *p, struct att_tpm_run *t);
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

/* att_tpm_finish turns verified evidence into incoming claims, evaluates
 * the policy and answers with the report (or the policy's error). */
int att_tpm_finish(struct att_tpm_run *t, const struct att_tpm_policy *pol,
		   const struct att_tpm_evidence *ev);

#endif
