/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy management upload checks (polsign.h): parse the JWS, decide
 * signed or unsigned, find the signer among the registered policy
 * management certificates when required, verify the signature (with the
 * "RSA256" alias MAA accepted), and build the x-ms-policy-signer JWK.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
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

/* check_signed verifies a signed upload and fills the signer fields. */
static int check_signed(struct att_polsign *p, bool require_trusted,
			const struct att_store_polcert *trusted, size_t n,
			struct att_diag *d)
{
	struct att_pkey *key = NULL, *reg = NULL;
	int r = att_jws_header_x5c_key(&key, &p->signer, &p->jws, d);
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
