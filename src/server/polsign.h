/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checking the JWS envelopes of policy management uploads (MAA docs "How
 * to author and sign an attestation policy"; docs/policy-management.md):
 * PUT /policies/{type}, POST /policies/{type}:reset and
 * POST /certificates:add|remove. An upload is either unsigned
 * ({"alg":"none"}, empty signature) or signed with the signer certificate
 * in the header ("x5c", or "jwk": {"x5c": [...]}). The rules:
 *   - trusted signers required (isolated providers' policies, and every
 *     certificate change): unsigned is refused; the header certificate's
 *     public key must be that of one of the provider's registered policy
 *     management certificates, and the signature must verify with it;
 *   - otherwise (aad providers' policies): unsigned is accepted; a signed
 *     upload must verify with its own header certificate, and its signer
 *     is reported.
 * Algorithms: RS256, RS384, PS256, ES256, ES384, and "RSA256" as an alias
 * of RS256 (MAA accepted it on uploads); "none" only as "unsigned"; HMAC
 * never. Certificates are not chain-checked: a policy management
 * certificate is trusted because it is registered, like MAA does.
 * This file also knows the payload of a policy upload
 * ({"AttestationPolicy": "<b64url text>"}) and builds the
 * x-ms-policy-signer JWK, which attestation tokens carry later: the
 * stored policy JWS keeps its header, so the signer is recovered from it
 * (att_polsign_stored_signer) without a separate column.
 */
#ifndef ATT_SERVER_POLSIGN_H
#define ATT_SERVER_POLSIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "token/jws.h"

struct att_cert;
struct att_store_polcert;

/* A checked upload. Everything is owned by the struct. */
struct att_polsign {
	struct att_jws jws;      /* the parsed upload */
	bool is_signed;
	struct att_cert *signer; /* header leaf certificate, or NULL */
	json_t *signer_jwk;      /* x-ms-policy-signer, or NULL */
	char thumbprint[41];     /* signer's SHA-1 thumbprint, or "" */
};

void att_polsign_init(struct att_polsign *p);
void att_polsign_release(struct att_polsign *p);

/*
 * att_polsign_check parses text[0..len) as a compact JWS and applies the
 * rules above; require_trusted selects the first set, trusted[0..n) are
 * the provider's registered certificates. *out is initialised here and
 * must be released also after a failure. Errors (diag says what failed):
 * ATT_ERR_FORMAT / ATT_ERR_LIMIT malformed JWS or header certificate;
 * ATT_ERR_INVALID_OPERATION unsigned where a signature is required, or a
 * signed upload without a header certificate; ATT_ERR_ALG algorithm not
 * accepted or not fitting the key; ATT_ERR_FORBIDDEN signer not registered;
 * ATT_ERR_SIG_INVALID bad signature; ATT_ERR_CHAIN_INVALID a header x5c
 * that is not a chain (an entry not a certificate, or one not issued by the
 * next; MAA answers InvalidParameter).
 */
int att_polsign_check(struct att_polsign *out, const char *text, size_t len,
		      bool require_trusted,
		      const struct att_store_polcert *trusted, size_t n_trusted,
		      struct att_diag *d);

/* att_polsign_policy_text extracts the policy text of a policy upload:
 * the payload must be a JSON object whose "AttestationPolicy" is a
 * base64url string. *out is malloc'd and NUL-terminated. ATT_ERR_FORMAT
 * otherwise (diag says why). */
int att_polsign_policy_text(char **out, size_t *out_len,
			    const struct att_jws *jws, struct att_diag *d);

/* att_polsign_signer_jwk builds the x-ms-policy-signer JWK of a signed
 * JWS: {"alg", "kty", "use":"sig", "x5c": [the header's certificates]}
 * ("RSA256" is reported as "RS256"). */
int att_polsign_signer_jwk(json_t **out, const struct att_jws *jws,
			   struct att_diag *d);

/* att_polsign_stored_signer returns the x-ms-policy-signer of a stored
 * policy JWS (checked when it was uploaded; not verified again): a new
 * reference, or *out = NULL for an unsigned policy. */
int att_polsign_stored_signer(json_t **out, const char *jws, size_t len,
			      struct att_diag *d);

/*
 * Binding claims (docs/policy-management.md). MAA's upload shape cannot
 * change, so binding is optional claims in the JWS payload next to
 * "AttestationPolicy" (a reset's payload may hold them alone):
 *   "x-attestd-attestation-type"  the type the upload is for (any case);
 *   "iss" and/or "aud"            the provider's base URL (its issuer);
 *   "iat", "nbf", "exp"           NumericDates (integers, or numbers with
 *                                 a fraction, which is dropped).
 * Present claims are always checked; strict binding also requires the
 * type, iat, and iss or aud. Times are compared with
 * ATT_MAX_CLOCK_SKEW_SECONDS of skew.
 */
#define ATT_POLSIGN_TYPE_CLAIM "x-attestd-attestation-type"

/* What the upload is checked against. */
struct att_polsign_expect {
	const char *type;   /* canonical attestation type of the request */
	const char *issuer; /* the provider's base URL */
	int64_t now;
	bool strict;        /* limits.policy_strict_binding */
	bool reset;         /* a reset: payload empty or binding claims only */
};

/* The binding claims an upload carries (after the checks). */
struct att_polsign_binding {
	bool has_type, has_iss, has_aud, has_iat, has_nbf, has_exp;
	int64_t iat, nbf, exp;
};

/* att_polsign_check_binding reads and checks the binding claims of a
 * parsed upload. Errors (diag names the claim and what was expected):
 * ATT_ERR_MISMATCH type, iss or aud for something else; ATT_ERR_EXPIRED
 * exp passed; ATT_ERR_NOT_YET_VALID nbf or iat in the future;
 * ATT_ERR_FORMAT a claim of the wrong JSON type or a date out of range;
 * ATT_ERR_INVALID_OPERATION a claim strict binding requires is missing,
 * a PUT payload is not a JSON object, or a reset payload holds something
 * other than binding claims. Payloads with duplicate members are not JSON
 * here. */
int att_polsign_check_binding(struct att_polsign_binding *out,
			      const struct att_jws *jws,
			      const struct att_polsign_expect *e,
			      struct att_diag *d);

/* att_polsign_check_rollback applies strict binding's rollback rule to a
 * change of type carrying iat, when the type's current binding iat is
 * current (0: none): iat must be later, or equal for a change that
 * changes nothing (noop: the same JWS again, or a reset of a type with no
 * stored policy). ATT_ERR_REPLAY otherwise, naming both times. */
int att_polsign_check_rollback(int64_t iat, int64_t current, bool noop,
			       const char *type, struct att_diag *d);

#endif
