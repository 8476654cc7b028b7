/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The steps of the SGX / OpenEnclave / TDX attestation pipeline (MAA REST
 * API "Attestation - Attest*"; docs/api.md, docs/claims.md), shared by
 * the files of src/verify only (verifier.h is the entry point):
 *   request.c       request body -> struct att_attest_request, data binding
 *   json.c          the fast JSON reader of request bodies
 *   enclave.c       the pipeline: evidence verification, data binding,
 *                   policy, issued claims, token
 *   claims_sgx.c    verified SGX evidence -> claims, incoming claim set
 *   claims_tdx.c    verified TDX evidence -> claims
 *   claims_sample.c representative claims of each type
 *   issued.c        issued-claim placement, jti
 */
#ifndef ATT_VERIFY_ATTEST_H
#define ATT_VERIFY_ATTEST_H

#include "base/limits.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "policy/policy.h"

struct att_dcap_result;

/* The TDX EAT profile MAA names in its TDX tokens. */
#define ATT_ATTEST_TDX_EAT_PROFILE "https://aka.ms/maa-eat-profile-tdxvm"

enum att_attest_kind {
	ATT_ATTEST_SGX, /* SgxEnclave: a DCAP SGX quote */
	ATT_ATTEST_OE,  /* OpenEnclave: OE report header + SGX quote */
	ATT_ATTEST_TDX, /* TdxVm: a DCAP TDX quote */
};

/* runtimeData / initTimeData. */
struct att_attest_data {
	bool present;
	bool is_json;   /* dataType "JSON" (else "Binary") */
	uint8_t *bytes; /* decoded data */
	size_t len;
	json_t *json;   /* is_json: the parsed object */
};

struct att_attest_request {
	enum att_attest_kind kind;
	json_t *body;         /* the parsed request (owns the strings below) */
	uint8_t *evidence;    /* decoded quote / OE report */
	size_t evidence_len;
	struct att_attest_data runtime;
	struct att_attest_data inittime;
	const char *draft;    /* draftPolicyForAttestation or NULL */
	size_t draft_len;
	const char *nonce;    /* or NULL */
};

/* att_attest_kind_type is "SgxEnclave", "OpenEnclave" or "TdxVm". */
const char *att_attest_kind_type(enum att_attest_kind kind);

/* att_attest_json_parse reads a JSON text into *out exactly as
 * json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) would, only
 * faster on long strings (json.c). ATT_ERR_FORMAT with d
 * saying what and at which byte. */
int att_attest_json_parse(json_t **out, const uint8_t *text, size_t len,
			  struct att_diag *d);

/* att_attest_request_decode parses an MAA attestation request body
 * (base64url with or without padding, standard alphabet tolerated).
 * ATT_ERR_FORMAT / ATT_ERR_LIMIT with d naming the member. */
int att_attest_request_decode(struct att_attest_request *r,
			      enum att_attest_kind kind, const uint8_t *body,
			      size_t len, struct att_diag *d);
void att_attest_request_release(struct att_attest_request *r);

/* att_attest_oe_header_check validates the 16-byte OE report header
 * {u32 version = 1, u32 type = 2 (remote SGX), u64 size <= rest}. */
int att_attest_oe_header_check(const uint8_t *p, size_t len,
			       struct att_diag *d);

/* att_attest_binding_check checks SHA-256(runtimeData) against the
 * report data and SHA-256(initTimeData) against CONFIGID (SGX, KSS) or
 * MRCONFIGID (TDX): ATT_ERR_MISMATCH naming both values. */
int att_attest_binding_check(const struct att_attest_request *r,
			     const struct att_dcap_result *res,
			     struct att_diag *d);

/* Evidence claims (the token's, before policy) into obj. */
int att_attest_claims_sgx(json_t *obj, const struct att_attest_request *r,
			  const struct att_dcap_result *res);
int att_attest_claims_tdx(json_t *obj, const struct att_attest_request *r,
			  const struct att_dcap_result *res);
/* The TCB status claims both share (x-attestd-*). */
int att_attest_claims_tcb(json_t *obj, const struct att_dcap_result *res,
			  int64_t verify_time_override);
/* Runtime/init-time JSON claims (x-ms-runtime, x-ms-inittime). */
int att_attest_claims_data(json_t *obj, const struct att_attest_request *r);

/* att_attest_incoming turns the evidence claims into the policy's
 * incoming claim set (issuer AttestationService), with the deprecated
 * $-aliases of SGX. Arrays become sets (one claim per element). */
int att_attest_incoming(struct att_claimset *in, json_t *evidence,
			enum att_attest_kind kind);

/* att_attest_sample_incoming appends a representative incoming claim set
 * of type ("SgxEnclave", "OpenEnclave", "TdxVm", "Tpm") to in, for trying
 * a policy within a budget (claims_sample.c; "SevSnpVm" too, from
 * snp_claims.c). ATT_ERR_NOT_FOUND
 * for another type, ATT_ERR_NOMEM. */
int att_attest_sample_incoming(struct att_claimset *in, const char *type);

/* att_attest_place_issued puts the policy's issued claims into the token:
 * all of them as the object "x-ms-policy", and each also at the top level
 * unless the name is reserved or already taken (docs/claims.md). */
int att_attest_place_issued(json_t *token, const struct att_claimset *issued);

/* att_attest_jti writes 64 random hex characters and a NUL. */
int att_attest_jti(char out[static 65]);

#endif
