/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The steps every attestation pipeline shares (enclave.c for SgxEnclave,
 * OpenEnclave and TdxVm; snp.c for SevSnpVm; azureguest.c for
 * AzureGuest): recording a failure with its MAA code, finding the
 * policy (the draft, compiled within the request's limits; else the
 * provider's stored one or the default), the policy claims, the policy
 * evaluation within the request's budget, and the token (issued claims,
 * nonce, jti, signing, the token-size limit). Also the request members
 * the bodies share (runtimeData / initTimeData, base64url and string
 * members). Each pipeline keeps its state in a struct that starts with a
 * struct att_pipe and adds its evidence's own.
 */
#ifndef ATT_VERIFY_PIPELINE_H
#define ATT_VERIFY_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "verify/attest.h"
#include "verify/policy_cache.h"
#include "verify/verifier.h"

/* The denial text of MAA's PolicyEvaluationError. */
#define ATT_PIPE_DENY_TEXT "A Deny claim was issued, authorization failed."

/* One request's shared state; att_pipe_release frees what it holds. */
struct att_pipe {
	struct att_verifier *v;
	const struct att_verify_req *req;
	struct att_verify_result *res;
	struct att_cached_policy *pol;
	struct att_claimset in; /* the incoming claim set */
	struct att_diag d;
	const char *draft; /* the request's draftPolicyForAttestation */
	size_t draft_len;
	const char *nonce; /* the request's nonce, or NULL */
};

/* Flags of att_pipe_find_policy and att_pipe_finish. */
enum {
	/* res->draft is set before the draft is compiled (else only once
	 * it compiled) */
	ATT_PIPE_DRAFT_FIRST = 1u << 0,
	/* a draft that does not parse is named with line and column */
	ATT_PIPE_DRAFT_LINES = 1u << 1,
	/* a token over ATT_MAX_TOKEN_LEN is answered with the issued
	 * claims' count and size (att_pipe_finish) */
	ATT_PIPE_TOKEN_DETAIL = 1u << 2,
};

/* att_pipe_start releases res and sets up p for one request; p NULL
 * (its state could not be allocated) answers "out of memory". It returns
 * 0 or res->err. */
int att_pipe_start(struct att_pipe *p, struct att_verifier *v,
		   const struct att_verify_req *req,
		   struct att_verify_result *res);

/* att_pipe_decoded takes the request's draft policy and nonce (NULL when
 * none) and, for r not 0, records the decoding error (p->d's message).
 * It returns r. */
int att_pipe_decoded(struct att_pipe *p, int r, const char *draft,
		     size_t draft_len, const char *nonce);

/* att_pipe_release frees the policy reference and the claim set and
 * returns res->err. */
int att_pipe_release(struct att_pipe *p);

/* att_pipe_fail records the error: its code, the MAA code of the table
 * (att_verify_http_status, code for a refusal) and the message; it
 * returns res->err. */
int att_pipe_fail(struct att_pipe *p, int r, const char *code, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

/* att_pipe_fail_internal: a step that cannot fail because of the
 * request failed (500 InternalError whatever the code); the message is
 * "what: " and p->d's. */
int att_pipe_fail_internal(struct att_pipe *p, int r, const char *what);

/* att_pipe_find_policy sets p->pol: the request's policy (req->policy),
 * the draft (compiled within req->limits) or the provider's stored
 * policy of type from the verifier's cache. */
int att_pipe_find_policy(struct att_pipe *p, const char *type, unsigned flags);

/* att_pipe_policy_claims sets x-ms-policy-hash (when hash is not NULL)
 * and x-ms-policy-signer (when signer is not NULL) in c. */
int att_pipe_policy_claims(json_t *c, const char *hash, json_t *signer);

/* att_pipe_claims sets the policy claims of p->pol and, when the
 * verifier's time is overridden, x-attestd-verify-time-override. */
int att_pipe_claims(struct att_pipe *p, json_t *c);

/* att_pipe_claims_incoming ends the claims of a VM pipeline (SevSnpVm,
 * AzureGuest): r, the evidence claims' result, then the policy claims
 * (att_pipe_claims) and the incoming set of every claim in c
 * (att_snp_incoming); a failure is internal ("cannot build the
 * claims"). */
int att_pipe_claims_incoming(struct att_pipe *p, json_t *c, int r);

/* att_pipe_evaluate runs p->pol on p->in within req->budget into
 * res->policy: a policy that fails or denies is PolicyEvaluationError. */
int att_pipe_evaluate(struct att_pipe *p);

/* att_pipe_finish places the issued claims in res->claims, the nonce and
 * a jti, and signs the token through req->sign. */
int att_pipe_finish(struct att_pipe *p, unsigned flags);

/* att_req_body parses a request body: a JSON object (empty: the message
 * names member, the evidence it must carry). */
int att_req_body(json_t **out, const uint8_t *body, size_t len,
		 const char *member, struct att_diag *d);

/* Request members. att_req_b64 decodes the base64url (or base64) string
 * v of at most max decoded bytes, named name in messages. */
int att_req_b64(uint8_t **out, size_t *len, const char *name, json_t *v,
		size_t max, struct att_diag *d);

/* att_req_data decodes runtimeData / initTimeData {data, dataType}
 * (absent or null: x stays not present). */
int att_req_data(struct att_attest_data *x, const char *name, json_t *v,
		 struct att_diag *d);

/* att_req_data_release frees x's bytes and JSON. */
void att_req_data_release(struct att_attest_data *x);

/* att_req_mismatch: data (runtimeData / initTimeData) does not match
 * field of the evidence (named against): SHA-256(data) = h but
 * field = want, both 32 bytes in hex. */
int att_req_mismatch(struct att_diag *d, const char *against, const char *data,
		     const uint8_t h[32], const char *field,
		     const uint8_t *want);

/* att_req_string points *out at member name of body, a string of at most
 * max bytes (absent, null or empty: *out unchanged). */
int att_req_string(const char **out, size_t *len, json_t *body,
		   const char *name, size_t max, struct att_diag *d);

#endif
