/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy management upload checks (polsign.h): parse the JWS, decide
 * signed or unsigned, find the signer among the registered policy
 * management certificates when required, verify the signature (with the
 * "RSA256" alias MAA accepted), build the x-ms-policy-signer JWK, and
 * check the optional binding claims (type, provider, times) and strict
 * binding's rollback rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "server/handlers.h"
#include "server/polsign.h"
#include "store/store.h"

void att_polsign_init(struct att_polsign *p)
{
	memset(p, 0, sizeof(*p));
	att_jws_init(&p->jws);
}

void att_polsign_release(struct att_polsign *p)
{
	if (!p)
		return;
	att_jws_release(&p->jws);
	att_cert_free(p->signer);
	json_decref(p->signer_jwk);
	att_polsign_init(p);
}

/* is_rsa256_alias: the non-standard name MAA accepted for RS256. */
static bool is_rsa256_alias(const struct att_jws *j)
{
	return j->alg == ATT_JWS_UNKNOWN && j->alg_name &&
	       !strcmp(j->alg_name, "RSA256");
}

/* verify_sig checks the JWS signature with key, all upload algorithms. */
static int verify_sig(const struct att_jws *j, struct att_pkey *key,
		      struct att_diag *d)
{
	if (!is_rsa256_alias(j))
		return att_jws_verify(j, key, ATT_JWS_ALLOW_ALL, d);
	int r = att_pkey_verify(key, ATT_SIG_RS256, j->signing_input,
				j->signing_input_len, j->sig, j->sig_len);
	if (r == ATT_ERR_ALG)
		return att_diag_set(d, r, "alg RSA256 needs an RSA key");
	if (r)
		return att_diag_set(d, r, "the JWS signature does not verify "
					  "with the signer certificate");
	return 0;
}

/* find_trusted returns the registered certificate whose public key is
 * key's (its public key in *out), or ATT_ERR_FORBIDDEN. */
static int find_trusted(struct att_pkey **out, const struct att_pkey *key,
			const struct att_store_polcert *trusted, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct att_cert *c = NULL;
		struct att_pkey *k = NULL;
		if (att_cert_from_der(&c, trusted[i].der, trusted[i].der_len) ||
		    att_cert_get1_pubkey(&k, c)) {
			att_cert_free(c);
			continue; /* unreadable row: never a match */
		}
		att_cert_free(c);
		if (att_pkey_equal_public(k, key)) {
			*out = k;
			return 0;
		}
		att_pkey_free(k);
	}
	return ATT_ERR_FORBIDDEN;
}

/* check_chain checks the header's x5c as a chain (RFC 7515 section 4.1.6:
 * "Each subsequent certificate MUST be the one used to certify the
 * previous one"): every certificate is named as and signed by the next.
 * A broken chain (an entry that is not a certificate, or one not issued
 * by the next) is ATT_ERR_CHAIN_INVALID, which MAA answers with
 * InvalidParameter. No anchor is required here: whether the leaf is an
 * acceptable signer is find_trusted's question. */
static int check_chain(const struct att_jws *j, struct att_diag *d)
{
	struct att_cert **chain = NULL;
	size_t n = 0;
	int r = att_jws_header_x5c(&chain, &n, j, d);
	if (r == ATT_ERR_FORMAT) {
		char why[ATT_DIAG_LEN];
		snprintf(why, sizeof(why), "%s", att_diag_msg(d));
		att_diag_clear(d);
		return att_diag_set(d, ATT_ERR_CHAIN_INVALID,
				    "the signer certificate chain (x5c) is "
				    "broken: %s",
				    why);
	}
	if (r)
		return r;
	for (size_t i = 0; i + 1 < n; i++) {
		if (!att_x509_issuer_is(chain[i], chain[i + 1]) ||
		    att_x509_check_signed_by(chain[i], chain[i + 1]) != 0) {
			r = att_diag_set(d, ATT_ERR_CHAIN_INVALID,
					 "the signer certificate chain (x5c) "
					 "is broken: certificate %zu is not "
					 "issued by certificate %zu",
					 i, i + 1);
			break;
		}
	}
	att_cert_chain_free(chain, n);
	return r;
}

/* check_signed verifies a signed upload and fills the signer fields. */
static int check_signed(struct att_polsign *p, bool require_trusted,
			const struct att_store_polcert *trusted, size_t n,
			struct att_diag *d)
{
	struct att_pkey *key = NULL, *reg = NULL;
	int r = check_chain(&p->jws, d);
	if (!r)
		r = att_jws_header_x5c_key(&key, &p->signer, &p->jws, d);
	if (r == ATT_ERR_NOT_FOUND)
		return att_diag_set(d, ATT_ERR_INVALID_OPERATION,
				    "the JWS is signed (alg %.32s) but its "
				    "header has no signer certificate (x5c or "
				    "jwk.x5c)",
				    p->jws.alg_name);
	if (r)
		goto out;
	if ((r = att_cert_thumbprint_sha1(p->thumbprint, p->signer)) != 0)
		goto out;
	if (require_trusted &&
	    (r = find_trusted(&reg, key, trusted, n)) != 0) {
		r = att_diag_set(d, r,
				 "the signer certificate %s is not one of the "
				 "provider's policy management certificates",
				 p->thumbprint);
		goto out;
	}
	if ((r = verify_sig(&p->jws, reg ? reg : key, d)) != 0)
		goto out;
	p->is_signed = true;
	r = att_polsign_signer_jwk(&p->signer_jwk, &p->jws, d);
out:
	att_pkey_free(key);
	att_pkey_free(reg);
	return r;
}

int att_polsign_check(struct att_polsign *out, const char *text, size_t len,
		      bool require_trusted,
		      const struct att_store_polcert *trusted, size_t n_trusted,
		      struct att_diag *d)
{
	att_polsign_init(out);
	int r = att_jws_parse(&out->jws, text, len, d);
	if (r)
		return r;
	if (att_jws_is_unsigned(&out->jws)) {
		if (out->jws.sig_len)
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "an unsigned JWS (alg none) must "
					    "have an empty signature");
		if (require_trusted)
			return att_diag_set(d, ATT_ERR_INVALID_OPERATION,
					    "this operation must be signed by "
					    "a policy management certificate; "
					    "the JWS is unsigned (alg none)");
		return 0;
	}
	return check_signed(out, require_trusted, trusted, n_trusted, d);
}

int att_polsign_policy_text(char **out, size_t *out_len,
			    const struct att_jws *jws, struct att_diag *d)
{
	json_error_t err;
	*out = NULL;
	*out_len = 0;
	if (!jws->payload_len)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "the policy JWS has an empty payload");
	json_t *pl = json_loadb((const char *)jws->payload, jws->payload_len,
				JSON_REJECT_DUPLICATES, &err);
	json_t *v = json_object_get(pl, "AttestationPolicy");
	int r;
	if (!json_is_object(pl))
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "the policy JWS payload is not a JSON object");
	else if (!json_is_string(v))
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "the policy JWS payload has no string "
				 "\"AttestationPolicy\"");
	else if (json_string_length(v) > (ATT_MAX_POLICY_LEN / 3 + 1) * 4)
		r = att_diag_set(d, ATT_ERR_LIMIT,
				 "the policy is longer than %d bytes",
				 ATT_MAX_POLICY_LEN);
	else if ((r = att_b64_decode((uint8_t **)out, out_len,
				     json_string_value(v),
				     json_string_length(v))) != 0)
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "\"AttestationPolicy\" is not base64url (the "
				 "policy text must be base64url-encoded)");
	json_decref(pl);
	return r;
}

/* jwk_x5c copies the header's certificates as standard base64 DER. */
static int jwk_x5c(json_t *arr, struct att_cert **chain, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *b64 = NULL;
		int r = att_cert_x5c_b64(&b64, chain[i]);
		if (r)
			return r;
		r = json_array_append_new(arr, json_string(b64)) ? ATT_ERR_NOMEM
								 : 0;
		free(b64);
		if (r)
			return r;
	}
	return 0;
}

int att_polsign_signer_jwk(json_t **out, const struct att_jws *jws,
			   struct att_diag *d)
{
	struct att_cert **chain = NULL;
	struct att_pkey *key = NULL;
	size_t n = 0;
	json_t *jwk = NULL, *x5c = json_array();
	*out = NULL;
	int r = x5c ? att_jws_header_x5c(&chain, &n, jws, d) : ATT_ERR_NOMEM;
	if (!r)
		r = att_cert_get1_pubkey(&key, chain[0]);
	if (!r)
		r = jwk_x5c(x5c, chain, n);
	if (r)
		goto out;
	const char *alg = is_rsa256_alias(jws) ? "RS256" : jws->alg_name;
	jwk = json_pack("{s:s, s:s, s:s, s:O}", "alg", alg, "kty",
			att_pkey_is_rsa(key) ? "RSA" : "EC", "use", "sig",
			"x5c", x5c);
	if (!jwk) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	*out = jwk;
out:
	json_decref(x5c);
	att_pkey_free(key);
	att_cert_chain_free(chain, n);
	return r;
}

int att_polsign_stored_signer(json_t **out, const char *jws, size_t len,
			      struct att_diag *d)
{
	struct att_jws j;
	*out = NULL;
	int r = att_jws_parse(&j, jws, len, d);
	if (r)
		return r;
	if (!att_jws_is_unsigned(&j))
		r = att_polsign_signer_jwk(out, &j, d);
	att_jws_release(&j);
	return r;
}

/* ---- binding claims ---- */

static const char *const binding_names[] = {
	ATT_POLSIGN_TYPE_CLAIM, "iss", "aud", "iat", "nbf", "exp",
};

static bool is_binding_name(const char *k)
{
	for (size_t i = 0; i < sizeof(binding_names) / sizeof(*binding_names);
	     i++)
		if (!strcmp(k, binding_names[i]))
			return true;
	return false;
}

static const char *what(const struct att_polsign_expect *e)
{
	return e->reset ? "signed reset" : "signed policy";
}

/* read_date reads claim k as a NumericDate: 1 present (*out), 0 absent,
 * or an error. */
static int read_date(int64_t *out, json_t *pl, const char *k,
		     struct att_diag *d)
{
	json_t *v = json_object_get(pl, k);
	if (!v)
		return 0;
	if (json_is_integer(v) &&
	    json_integer_value(v) >= ATT_NUMERICDATE_MIN &&
	    json_integer_value(v) <= ATT_NUMERICDATE_MAX) {
		*out = (int64_t)json_integer_value(v);
		return 1;
	}
	double x = json_is_real(v) ? json_real_value(v) : -1.0;
	if (json_is_real(v) && x >= ATT_NUMERICDATE_MIN &&
	    x <= (double)ATT_NUMERICDATE_MAX) {
		*out = (int64_t)x;
		return 1;
	}
	return att_diag_set(d, ATT_ERR_FORMAT,
			    "binding claim %s is not a NumericDate from %d to "
			    "%lld (seconds since 1970)",
			    k, ATT_NUMERICDATE_MIN,
			    (long long)ATT_NUMERICDATE_MAX);
}

/* url_eq compares a claim with the provider's base URL; one trailing
 * '/' on either side is not a difference. */
static bool url_eq(json_t *v, const char *base)
{
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), m = strlen(base);
	if (n && s[n - 1] == '/')
		n--;
	if (m && base[m - 1] == '/')
		m--;
	return n == m && !memcmp(s, base, n);
}

static int check_type(struct att_polsign_binding *b, json_t *pl,
		      const struct att_polsign_expect *e, struct att_diag *d)
{
	json_t *v = json_object_get(pl, ATT_POLSIGN_TYPE_CLAIM);
	if (!v)
		return 0;
	const char *t = json_string_value(v);
	if (!t || strlen(t) != json_string_length(v))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "binding claim " ATT_POLSIGN_TYPE_CLAIM
				    " is not an attestation type name");
	const char *canon = att_attestation_type_canonical(t);
	if (!canon || strcmp(canon, e->type))
		return att_diag_set(d, ATT_ERR_MISMATCH,
				    "the %s is for attestation type %.64s, not "
				    "%s (claim " ATT_POLSIGN_TYPE_CLAIM ")",
				    what(e), canon ? canon : t, e->type);
	b->has_type = true;
	return 0;
}

/* aud_has: aud is the base URL or an array holding it. */
static bool aud_has(json_t *aud, const char *base)
{
	size_t i;
	json_t *x;
	if (!json_is_array(aud))
		return url_eq(aud, base);
	json_array_foreach(aud, i, x) {
		if (url_eq(x, base))
			return true;
	}
	return false;
}

static int check_provider(struct att_polsign_binding *b, json_t *pl,
			  const struct att_polsign_expect *e,
			  struct att_diag *d)
{
	json_t *iss = json_object_get(pl, "iss");
	json_t *aud = json_object_get(pl, "aud");
	if (iss && !url_eq(iss, e->issuer))
		return att_diag_set(d, ATT_ERR_MISMATCH,
				    "the %s names issuer %.200s, not this "
				    "provider's %.200s (claim iss)",
				    what(e),
				    json_is_string(iss) ? json_string_value(iss)
							: "(not a string)",
				    e->issuer);
	if (aud && !aud_has(aud, e->issuer))
		return att_diag_set(d, ATT_ERR_MISMATCH,
				    "the %s is not for this provider: its aud "
				    "does not name %.200s",
				    what(e), e->issuer);
	b->has_iss = iss != NULL;
	b->has_aud = aud != NULL;
	return 0;
}

static int check_times(struct att_polsign_binding *b, json_t *pl,
		       const struct att_polsign_expect *e, struct att_diag *d)
{
	const int64_t skew = ATT_MAX_CLOCK_SKEW_SECONDS;
	char when[48];
	int r;
	if ((r = read_date(&b->iat, pl, "iat", d)) < 0)
		return r;
	b->has_iat = r == 1;
	if ((r = read_date(&b->nbf, pl, "nbf", d)) < 0)
		return r;
	b->has_nbf = r == 1;
	if ((r = read_date(&b->exp, pl, "exp", d)) < 0)
		return r;
	b->has_exp = r == 1;
	if (b->has_exp && e->now - skew >= b->exp) {
		att_time_format(when, sizeof(when), b->exp);
		return att_diag_set(d, ATT_ERR_EXPIRED,
				    "the %s expired at %s (claim exp)", what(e),
				    when);
	}
	if (b->has_nbf && e->now + skew < b->nbf) {
		att_time_format(when, sizeof(when), b->nbf);
		return att_diag_set(d, ATT_ERR_NOT_YET_VALID,
				    "the %s is not valid before %s (claim nbf)",
				    what(e), when);
	}
	if (b->has_iat && e->now + skew < b->iat) {
		att_time_format(when, sizeof(when), b->iat);
		return att_diag_set(d, ATT_ERR_NOT_YET_VALID,
				    "the %s was issued in the future, at %s "
				    "(claim iat; %d s of clock skew allowed)",
				    what(e), when, ATT_MAX_CLOCK_SKEW_SECONDS);
	}
	return 0;
}

/* check_strict: the claims strict binding requires. */
static int check_strict(const struct att_polsign_binding *b,
			const struct att_polsign_expect *e,
			struct att_diag *d)
{
	const char *missing = !b->has_type ? ATT_POLSIGN_TYPE_CLAIM
			      : !b->has_iat ? "iat"
			      : !b->has_iss && !b->has_aud ? "iss (or aud)"
							   : NULL;
	if (!e->strict || !missing)
		return 0;
	return att_diag_set(d, ATT_ERR_INVALID_OPERATION,
			    "the %s has no %s claim; this provider requires "
			    "binding claims (limits.policy_strict_binding: "
			    ATT_POLSIGN_TYPE_CLAIM ", iat, and iss or aud "
			    "naming %.200s)",
			    what(e), missing, e->issuer);
}

/* reset_payload: a reset's payload is empty or binding claims only. */
static int reset_payload(json_t *pl, struct att_diag *d)
{
	const char *k;
	json_t *v;
	if (!json_is_object(pl))
		return att_diag_set(d, ATT_ERR_INVALID_OPERATION,
				    "a reset JWS must have an empty payload or "
				    "a JSON object of binding claims");
	json_object_foreach(pl, k, v) {
		if (!is_binding_name(k))
			return att_diag_set(d, ATT_ERR_INVALID_OPERATION,
					    "a reset JWS must have an empty "
					    "payload or only binding claims; "
					    "it has \"%.64s\"",
					    k);
	}
	return 0;
}

int att_polsign_check_binding(struct att_polsign_binding *out,
			      const struct att_jws *jws,
			      const struct att_polsign_expect *e,
			      struct att_diag *d)
{
	json_t *pl = NULL;
	int r = 0;
	memset(out, 0, sizeof(*out));
	if (jws->payload_len)
		pl = json_loadb((const char *)jws->payload, jws->payload_len,
				JSON_REJECT_DUPLICATES, NULL);
	if (e->reset && jws->payload_len)
		r = reset_payload(pl, d);
	else if (!e->reset && !json_is_object(pl))
		r = att_diag_set(d, ATT_ERR_INVALID_OPERATION,
				 "the policy JWS payload is not a JSON object "
				 "(or has duplicate members)");
	if (!r)
		r = check_type(out, pl, e, d);
	if (!r)
		r = check_provider(out, pl, e, d);
	if (!r)
		r = check_times(out, pl, e, d);
	if (!r)
		r = check_strict(out, e, d);
	json_decref(pl);
	return r;
}

int att_polsign_check_rollback(int64_t iat, int64_t current, bool noop,
			       const char *type, struct att_diag *d)
{
	char a[48], b[48];
	if (!current || iat > current || (iat == current && noop))
		return 0;
	att_time_format(a, sizeof(a), iat);
	att_time_format(b, sizeof(b), current);
	return att_diag_set(d, ATT_ERR_REPLAY,
			    "rollback refused: the upload's iat %s (%lld) is "
			    "%s the current %s policy's iat %s (%lld); strict "
			    "policy binding (limits.policy_strict_binding) "
			    "requires a later iat",
			    a, (long long)iat,
			    iat == current ? "the same as" : "older than",
			    type, b, (long long)current);
}
