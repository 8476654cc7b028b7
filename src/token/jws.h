/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWS compact serialization (RFC 7515): parse, sign, verify. The
 * algorithms attestd knows are one table (ATT_JWS_ALG_LIST); a verifier
 * names the ones it accepts with a bit mask, and "none" and every HMAC
 * algorithm (HS256/384/512) are refused whatever the mask says: a token
 * verified against a public key must never be accepted because someone
 * used that public key as an HMAC secret. Parsing does no crypto.
 */
#ifndef ATT_TOKEN_JWS_H
#define ATT_TOKEN_JWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/pkey.h"

struct att_cert;

/* X(enum, "name", signature algorithm, key kind to generate for it) */
#define ATT_JWS_ALG_LIST(X)                                                    \
	X(ATT_JWS_RS256, "RS256", ATT_SIG_RS256, ATT_KEY_RSA2048)              \
	X(ATT_JWS_RS384, "RS384", ATT_SIG_RS384, ATT_KEY_RSA2048)              \
	X(ATT_JWS_PS256, "PS256", ATT_SIG_PS256, ATT_KEY_RSA2048)              \
	X(ATT_JWS_ES256, "ES256", ATT_SIG_ES256, ATT_KEY_EC_P256)              \
	X(ATT_JWS_ES384, "ES384", ATT_SIG_ES384, ATT_KEY_EC_P384)

enum att_jws_alg {
#define ATT_JWS_ALG_ENUM(e, name, sig, kind) e,
	ATT_JWS_ALG_LIST(ATT_JWS_ALG_ENUM)
#undef ATT_JWS_ALG_ENUM
	ATT_JWS_NONE,    /* "none": unsigned; never verifies */
	ATT_JWS_UNKNOWN, /* any other name (HS256, RSA256, ...) */
};

#define ATT_JWS_ALLOW_RS256 (1u << ATT_JWS_RS256)
#define ATT_JWS_ALLOW_RS384 (1u << ATT_JWS_RS384)
#define ATT_JWS_ALLOW_PS256 (1u << ATT_JWS_PS256)
#define ATT_JWS_ALLOW_ES256 (1u << ATT_JWS_ES256)
#define ATT_JWS_ALLOW_ES384 (1u << ATT_JWS_ES384)
#define ATT_JWS_ALLOW_DEFAULT                                                  \
	(ATT_JWS_ALLOW_RS256 | ATT_JWS_ALLOW_PS256 | ATT_JWS_ALLOW_ES256)
#define ATT_JWS_ALLOW_ALL                                                      \
	(ATT_JWS_ALLOW_RS256 | ATT_JWS_ALLOW_RS384 | ATT_JWS_ALLOW_PS256 |     \
	 ATT_JWS_ALLOW_ES256 | ATT_JWS_ALLOW_ES384)

/* att_jws_alg_from_name maps "RS256" ... "none" to the enum (exact,
 * case-sensitive); *out is ATT_JWS_UNKNOWN and the result ATT_ERR_ALG for
 * any other name. */
int att_jws_alg_from_name(enum att_jws_alg *out, const char *name);
/* att_jws_alg_name returns "RS256", ..., "none", or "unknown". */
const char *att_jws_alg_name(enum att_jws_alg alg);
/* att_jws_alg_sig returns the signature algorithm (ATT_ERR_ALG for none
 * and unknown). */
int att_jws_alg_sig(enum att_sig_alg *out, enum att_jws_alg alg);
/* att_jws_alg_key_kind is the kind of key to generate for alg. */
enum att_key_kind att_jws_alg_key_kind(enum att_jws_alg alg);
/* att_jws_alg_for_key is the default algorithm for a key: RS256 for RSA,
 * ES256 for P-256, ES384 for P-384. */
enum att_jws_alg att_jws_alg_for_key(const struct att_pkey *k);
/* att_jws_alg_fits_key tells whether alg can be used with key k. */
bool att_jws_alg_fits_key(enum att_jws_alg alg, const struct att_pkey *k);

/* A parsed compact JWS. Everything is owned by the struct. */
struct att_jws {
	json_t *header;         /* the protected header (a JSON object) */
	const char *alg_name;   /* header "alg" (borrowed from header) */
	enum att_jws_alg alg;   /* ATT_JWS_UNKNOWN for unknown names */
	uint8_t *payload;       /* decoded payload, NUL-terminated */
	size_t payload_len;
	char *signing_input;    /* "<b64 header>.<b64 payload>", NUL-term. */
	size_t signing_input_len;
	uint8_t *sig;           /* decoded signature (NULL when empty) */
	size_t sig_len;
};

/* att_jws_init zeroes a struct att_jws (never allocates). */
void att_jws_init(struct att_jws *j);

/* att_jws_parse splits a compact JWS (three base64url parts without
 * padding, each in its one canonical spelling: non-zero unused bits in a
 * last character are refused, so a token cannot be re-spelled; at most
 * ATT_MAX_TOKEN_LEN bytes; surrounding whitespace is refused), decodes
 * them (att_b64url_decode_strict) and parses the header, which must be a
 * JSON object with a string "alg" and no "crit" (no extension is understood).
 * Unknown algorithm names parse (alg = ATT_JWS_UNKNOWN) so that a verifier
 * can name them. On failure *out is left initialised (nothing to release)
 * and the result is ATT_ERR_FORMAT or ATT_ERR_LIMIT. */
int att_jws_parse(struct att_jws *out, const char *compact, size_t len,
		  struct att_diag *diag);
/* att_jws_release frees what att_jws_parse allocated; accepts NULL. */
void att_jws_release(struct att_jws *j);

/* att_jws_sign makes a compact JWS over payload. The header is a new
 * object {"alg": <alg>, then header's members in order (its "alg", if
 * any, is replaced)}; header may be NULL and is not modified. *out is
 * malloc'd. ATT_ERR_ALG when alg is none/unknown or does not fit key. */
int att_jws_sign(char **out, json_t *header, const void *payload,
		 size_t payload_len, struct att_pkey *key,
		 enum att_jws_alg alg);

/* att_jws_unsigned makes an unsecured JWS: header {"alg":"none", header's
 * other members...} "." payload "." (empty signature). With a NULL header
 * the first part is exactly "eyJhbGciOiJub25lIn0" as MAA emits it. */
int att_jws_unsigned(char **out, json_t *header, const void *payload,
		     size_t payload_len);

/* att_jws_verify checks the signature of a parsed JWS with key. Order of
 * checks: alg "none" -> ATT_ERR_ALG ("alg none is never accepted");
 * HS256/HS384/HS512 -> ATT_ERR_ALG ("HMAC algorithm HS256 is not allowed
 * ..."); any other unknown name -> ATT_ERR_ALG; alg not in allowed_mask ->
 * ATT_ERR_ALG; key type does not fit alg -> ATT_ERR_ALG; bad signature ->
 * ATT_ERR_SIG_INVALID. allowed_mask 0 means ATT_JWS_ALLOW_DEFAULT. */
int att_jws_verify(const struct att_jws *j, struct att_pkey *key,
		   unsigned allowed_mask, struct att_diag *diag);

/* att_jws_check_alg is the algorithm part of att_jws_verify alone: 0 when
 * the JWS's alg is on allowed_mask (0: default), else ATT_ERR_ALG. */
int att_jws_check_alg(const struct att_jws *j, unsigned allowed_mask,
		      struct att_diag *diag);

/* att_jws_is_unsigned tells whether a parsed JWS has alg "none". */
bool att_jws_is_unsigned(const struct att_jws *j);

/* att_jws_x5c_cert reads one x5c entry (RFC 7515 4.1.6): a JSON string
 * holding canonical standard base64 (padded; att_b64_decode_strict) of
 * one DER certificate. Errors name the entry with what ("jws: header
 * x5c[0]"): ATT_ERR_FORMAT, ATT_ERR_LIMIT (longer than twice
 * ATT_MAX_CERT_LEN), ATT_ERR_TRAILING. The certificate is NOT trusted. */
int att_jws_x5c_cert(struct att_cert **out, json_t *entry, const char *what,
		     struct att_diag *diag);

/* att_jws_header_x5c reads the certificates of the header "x5c" (or, as
 * the Python SDK sends them, "jwk": {"x5c": [...]}) into a malloc'd array,
 * leaf first (free with att_cert_chain_free). ATT_ERR_NOT_FOUND when the
 * header has neither; ATT_ERR_FORMAT for a malformed entry; ATT_ERR_LIMIT
 * above ATT_MAX_CERT_CHAIN entries. The certificates are NOT trusted: the
 * caller decides whether the leaf is an acceptable signer. */
int att_jws_header_x5c(struct att_cert ***out, size_t *n_out,
		       const struct att_jws *j, struct att_diag *diag);

/* att_jws_header_x5c_key is att_jws_header_x5c returning only the leaf's
 * public key (and, when out_leaf is not NULL, the leaf). */
int att_jws_header_x5c_key(struct att_pkey **out, struct att_cert **out_leaf,
			   const struct att_jws *j, struct att_diag *diag);

#endif
