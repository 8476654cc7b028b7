/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public token signing and verification (include/attest/token.h) over
 * src/token: keys stay opaque, claims travel as JSON text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "attest/token.h"
#include "base/timeutil.h"
#include "crypto/pkey.h"
#include "token/jwks.h"
#include "token/jws.h"
#include "token/jwt.h"

static int wrap_key(struct att_token_key **out, struct att_pkey *k)
{
	if (!(*out = calloc(1, sizeof(**out)))) {
		att_pkey_free(k);
		return ATT_ERR_NOMEM;
	}
	(*out)->k = k;
	return 0;
}

int att_token_key_from_pem(struct att_token_key **out, const char *pem,
			   size_t len, char *errbuf, size_t errlen)
{
	struct att_pkey *k = NULL;
	int rc;
	if (!out || !pem)
		return att_api_fail(ATT_ERR_INVALID_ARG, "token key: no PEM "
				    "text", errbuf, errlen);
	*out = NULL;
	if ((rc = att_pkey_from_pem(&k, pem, len)) != 0)
		return att_api_fail(rc, "token key: no usable key in the PEM "
				    "text (RSA, EC P-256 or P-384 expected)",
				    errbuf, errlen);
	return wrap_key(out, k);
}

int att_token_key_generate(struct att_token_key **out, const char *alg,
			   char *errbuf, size_t errlen)
{
	enum att_jws_alg a;
	struct att_pkey *k = NULL;
	int rc;
	if (!out || !alg)
		return att_api_fail(ATT_ERR_INVALID_ARG, "token key: no "
				    "algorithm", errbuf, errlen);
	*out = NULL;
	if (att_jws_alg_from_name(&a, alg) != 0 || a == ATT_JWS_NONE)
		return att_api_fail(ATT_ERR_ALG, "token key: algorithm not "
				    "one of RS256, RS384, PS256, ES256, ES384",
				    errbuf, errlen);
	if ((rc = att_pkey_generate(&k, att_jws_alg_key_kind(a))) != 0)
		return att_api_fail(rc, "token key: key generation failed",
				    errbuf, errlen);
	return wrap_key(out, k);
}

int att_token_key_jwks(const struct att_token_key *k, const char *kid,
		       char **out_json)
{
	json_t *jwk = NULL, *jwks;
	int rc;
	if (!k || !out_json)
		return ATT_ERR_INVALID_ARG;
	*out_json = NULL;
	if ((rc = att_jwk_public_entry(&jwk, k->k, NULL, 0, kid)) != 0)
		return rc;
	jwks = json_pack("{s:[o]}", "keys", jwk);
	rc = jwks ? att_api_dump(out_json, jwks, 0) : ATT_ERR_NOMEM;
	json_decref(jwks);
	return rc;
}

void att_token_key_free(struct att_token_key *k)
{
	if (!k)
		return;
	att_pkey_free(k->k);
	free(k);
}

int att_token_sign(char **out_token, const char *claims_json,
		   const struct att_token_key *key, const char *alg,
		   const char *kid, char *errbuf, size_t errlen)
{
	struct att_diag d = {0};
	struct att_jwt_signer s = {0};
	json_t *claims = NULL;
	int rc;
	if (!out_token || !key)
		return att_api_fail(ATT_ERR_INVALID_ARG, "token sign: no "
				    "output or no key", errbuf, errlen);
	*out_token = NULL;
	s.key = key->k;
	s.kid = kid;
	s.alg = att_jws_alg_for_key(key->k);
	if (alg && (att_jws_alg_from_name(&s.alg, alg) != 0 ||
		    !att_jws_alg_fits_key(s.alg, key->k)))
		return att_api_fail(ATT_ERR_ALG, "token sign: algorithm "
				    "unknown or not fitting the key", errbuf,
				    errlen);
	if ((rc = att_api_parse(&claims, claims_json, "token sign: claims",
				&d)) == 0 && !json_is_object(claims))
		rc = att_diag_set(&d, ATT_ERR_FORMAT, "token sign: claims are "
				  "not a JSON object");
	if (rc == 0 && (rc = att_jwt_sign(out_token, claims, &s)) != 0)
		att_diag_set(&d, rc, "token sign: signing failed");
	json_decref(claims);
	return rc ? att_api_err(rc, &d, errbuf, errlen) : 0;
}

/* parse_algs reads "ES256,RS256" into an allow mask. */
static int parse_algs(unsigned *mask, const char *list, struct att_diag *d)
{
	char name[16];
	*mask = 0;
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ", ");
		enum att_jws_alg a;
		if (n > 0) {
			if (n >= sizeof(name))
				return att_diag_set(d, ATT_ERR_ALG, "token "
						    "verify: algorithm name "
						    "too long in \"%s\"", list);
			memcpy(name, p, n);
			name[n] = '\0';
			if (att_jws_alg_from_name(&a, name) != 0 ||
			    a == ATT_JWS_NONE)
				return att_diag_set(d, ATT_ERR_ALG, "token "
						    "verify: algorithm %s is "
						    "not allowed", name);
			*mask |= 1u << a;
		}
		p += n + (p[n] != '\0');
	}
	return 0;
}

static int make_opts(struct att_jwt_verify_opts *vo,
		     const struct att_token_verify_opts *o, struct att_diag *d)
{
	memset(vo, 0, sizeof(*vo));
	vo->now = o && o->now > 0 ? o->now : att_time_now();
	vo->skew_seconds = o && o->skew_seconds > 0 ? o->skew_seconds : 60;
	if (!o)
		return 0;
	vo->issuer = o->issuer;
	vo->audience = o->audience;
	vo->require_exp = o->require_exp != 0;
	return o->algs ? parse_algs(&vo->allowed_algs, o->algs, d) : 0;
}

static int verify(const char *token, const char *jwks_json,
		  const struct att_token_key *key,
		  const struct att_token_verify_opts *o, char **out_claims,
		  char *errbuf, size_t errlen)
{
	struct att_jwt_verify_opts vo;
	struct att_diag d = {0};
	json_t *jwks = NULL, *claims = NULL;
	int rc;
	if (out_claims)
		*out_claims = NULL;
	if (!token)
		return att_api_fail(ATT_ERR_INVALID_ARG, "token verify: no "
				    "token", errbuf, errlen);
	rc = make_opts(&vo, o, &d);
	if (rc == 0 && !key)
		rc = att_api_parse(&jwks, jwks_json, "token verify: JWKS", &d);
	if (rc == 0)
		rc = key ? att_jwt_verify_key(&claims, NULL, token, key->k,
					      &vo, &d)
			 : att_jwt_verify(&claims, NULL, token, jwks, &vo, &d);
	if (rc == 0 && out_claims && att_api_dump(out_claims, claims, 0))
		rc = att_diag_set(&d, ATT_ERR_NOMEM, "out of memory");
	json_decref(claims);
	json_decref(jwks);
	return rc ? att_api_err(rc, &d, errbuf, errlen) : 0;
}

int att_token_verify(const char *token, const char *jwks_json,
		     const struct att_token_verify_opts *o,
		     char **out_claims_json, char *errbuf, size_t errlen)
{
	return verify(token, jwks_json, NULL, o, out_claims_json, errbuf,
		      errlen);
}

int att_token_verify_key(const char *token, const struct att_token_key *key,
			 const struct att_token_verify_opts *o,
			 char **out_claims_json, char *errbuf, size_t errlen)
{
	if (!key)
		return att_api_fail(ATT_ERR_INVALID_ARG, "token verify: no "
				    "key", errbuf, errlen);
	return verify(token, NULL, key, o, out_claims_json, errbuf, errlen);
}

int att_token_decode(const char *token, char **out_header_json,
		     char **out_claims_json, char *errbuf, size_t errlen)
{
	struct att_diag d = {0};
	json_t *h = NULL, *c = NULL;
	int rc;
	if (out_header_json)
		*out_header_json = NULL;
	if (out_claims_json)
		*out_claims_json = NULL;
	if (!token)
		return att_api_fail(ATT_ERR_INVALID_ARG, "token decode: no "
				    "token", errbuf, errlen);
	rc = att_jwt_decode_unverified(&c, &h, token, &d);
	if (rc == 0 && (att_api_dump(out_header_json, h, 0) ||
			att_api_dump(out_claims_json, c, 0)))
		rc = att_diag_set(&d, ATT_ERR_NOMEM, "out of memory");
	if (rc && out_header_json) {
		free(*out_header_json);
		*out_header_json = NULL;
	}
	json_decref(h);
	json_decref(c);
	return rc ? att_api_err(rc, &d, errbuf, errlen) : 0;
}
