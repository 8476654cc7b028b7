/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The messages of POST /attest/Tpm (docs/tpm-protocol.md has the exact
 * wire format). Every message travels as the HTTP body
 * {"data": "<base64url of a UTF-8 JSON message>"} and the message is
 * {"payload": {...}} (an optional sibling "metadata" is ignored). This
 * file decodes and encodes them and nothing else: no crypto, no policy,
 * no TPM structure parsing. Every string and binary field has a hard
 * limit checked before it is decoded; binary fields are base64url
 * (padded or not; the standard alphabet is tolerated as MAA's clients
 * need). Both sides use it: the verifier (src/verify/tpm*.c) and the
 * client (src/client/tpm_*.c).
 */
#ifndef ATT_EVIDENCE_TPM_PROTO_H
#define ATT_EVIDENCE_TPM_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"
#include "evidence/tpm/pcrs.h"

/* The challenge's fixed length (the protocol's limits are in
 * base/limits.h). */
#define ATT_TPMPROTO_CHALLENGE_LEN 16	  /* bytes, exactly */

/* What a client message asks for. */
enum att_tpmproto_kind {
	ATT_TPMPROTO_AIKENROLL = 1, /* flow A, round 1 */
	ATT_TPMPROTO_AIKACTIVATE,   /* flow A, round 2 */
	ATT_TPMPROTO_AIKCERT,	    /* flow B, round 1 (MAA's "init") */
	ATT_TPMPROTO_REQUEST,	    /* flow B, round 2: the signed request */
};

/* A decoded binary field (malloc'd; p NULL and len 0 when absent). */
struct att_tpmproto_blob {
	uint8_t *p;
	size_t len;
};

/* One client message. Members not used by kind are empty. */
struct att_tpmproto_msg {
	enum att_tpmproto_kind kind;
	/* AIKENROLL */
	struct att_tpmproto_blob ek_pub;  /* TPM2B_PUBLIC */
	struct att_tpmproto_blob ek_cert; /* DER, optional */
	struct att_tpmproto_blob aik_pub; /* TPM2B_PUBLIC */
	/* AIKACTIVATE */
	struct att_tpmproto_blob secret;
	char *service_context;
	/* REQUEST: the compact JWS, not yet parsed */
	char *request;
};

void att_tpmproto_msg_release(struct att_tpmproto_msg *m);

/* att_tpmproto_decode_msg reads a request body {"data": ...} into *out
 * (released by the caller, also after a failure). ATT_ERR_FORMAT names
 * the member that is missing or malformed; ATT_ERR_LIMIT names the one
 * over its limit. */
int att_tpmproto_decode_msg(struct att_tpmproto_msg *out, const uint8_t *body,
			    size_t len, struct att_diag *diag);

/*
 * The payload of the flow B request JWS. The server parses it with
 * att_tpmproto_attreq_parse; the client fills it and serialises it with
 * att_tpmproto_attreq_to_json. Every pointer is owned by the struct.
 */
struct att_tpmproto_attreq {
	char *att_type; /* "basic" */
	char *rp_id;	/* optional */
	char *rp_data;	/* optional: base64url text as sent */
	struct att_tpmproto_blob rp_data_raw; /* its decoded bytes */
	struct att_tpmproto_blob challenge;   /* 16 bytes */
	char *service_context;
	json_t *attest_key;    /* JWK object (public members) */
	json_t *custom_claims; /* array of {name, value, value_type?} or NULL */
	/* tpm_att_data */
	struct att_tpmproto_blob aik_cert;  /* DER, or ... */
	struct att_tpmproto_blob aik_pub;   /* ... TPM2B_PUBLIC */
	struct att_tpmproto_blob quote;	    /* TPMS_ATTEST */
	struct att_tpmproto_blob signature; /* TPMT_SIGNATURE */
	struct att_tpmproto_blob log;	    /* optional TCG event log */
	bool has_pcrs;
	struct att_tpm_pcrs pcrs;
};

void att_tpmproto_attreq_init(struct att_tpmproto_attreq *a);
void att_tpmproto_attreq_release(struct att_tpmproto_attreq *a);

/* att_tpmproto_attreq_parse reads the JSON payload of the request JWS.
 * Required: att_type "basic", att_data with challenge, service_context,
 * attest_key (a JWK object of string members) and tpm_att_data with
 * quote, signature, pcrs and exactly one of aik_cert / aik_pub.
 * custom_claims (each name a non-empty string, value a string, integer
 * or boolean matching value_type when given) and srtm_boot_log are
 * optional. Errors name the member. *out is released by the caller. */
int att_tpmproto_attreq_parse(struct att_tpmproto_attreq *out,
			      const uint8_t *json, size_t len,
			      struct att_diag *diag);

/* att_tpmproto_attreq_to_json serialises a (client-filled) request
 * payload; *out is a malloc'd compact JSON text. rp_data is written from
 * rp_data_raw (base64url) when rp_data is NULL. */
int att_tpmproto_attreq_to_json(char **out,
				const struct att_tpmproto_attreq *a);

/* ---- envelopes ------------------------------------------------------ */

/* att_tpmproto_wrap makes a body {"data": b64url({"payload": payload})};
 * payload is borrowed. *out is a malloc'd NUL-terminated text. */
int att_tpmproto_wrap(char **out, json_t *payload);

/* att_tpmproto_unwrap reads a body {"data": ...} and returns its payload
 * object (new reference). Used by the client for responses and by
 * att_tpmproto_decode_msg. */
int att_tpmproto_unwrap(json_t **payload, const uint8_t *body, size_t len,
			struct att_diag *diag);

/* Client messages. Binary inputs are raw bytes. */
int att_tpmproto_enc_enroll(char **out, const uint8_t *ek_pub,
			    size_t ek_pub_len, const uint8_t *ek_cert,
			    size_t ek_cert_len, const uint8_t *aik_pub,
			    size_t aik_pub_len);
int att_tpmproto_enc_activate(char **out, const uint8_t *secret,
			      size_t secret_len, const char *service_context);
int att_tpmproto_enc_aikcert(char **out);
int att_tpmproto_enc_request(char **out, const char *jws);

/* Server answers. */
int att_tpmproto_enc_credential(char **out, const uint8_t *id_object,
				size_t id_object_len, const uint8_t *enc_secret,
				size_t enc_secret_len,
				const char *service_context);
int att_tpmproto_enc_aik_cert(char **out, const uint8_t *der, size_t len);
int att_tpmproto_enc_challenge(char **out, const uint8_t *challenge, size_t len,
			       const char *service_context);
int att_tpmproto_enc_report(char **out, const char *jwt);

/* A decoded server answer; members the answer lacks are empty. */
struct att_tpmproto_resp {
	struct att_tpmproto_blob credential_blob;  /* TPM2B_ID_OBJECT */
	struct att_tpmproto_blob encrypted_secret; /* TPM2B_ENCRYPTED_SECRET */
	struct att_tpmproto_blob aik_cert;	   /* DER */
	struct att_tpmproto_blob challenge;
	char *service_context;
	char *report; /* JWT */
};

void att_tpmproto_resp_release(struct att_tpmproto_resp *r);
/* att_tpmproto_decode_resp reads a server answer body; the same limits
 * as for requests apply. */
int att_tpmproto_decode_resp(struct att_tpmproto_resp *out, const uint8_t *body,
			     size_t len, struct att_diag *diag);

#endif
