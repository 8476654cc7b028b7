/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWK entries for /certs and key lookup for verifiers. An entry carries
 * both the x5c certificate chain (what MAA clients use) and the raw key
 * members n/e or crv/x/y (what generic JOSE libraries use); when a
 * received entry has both, they must name the same key, so that a
 * verifier using one form cannot be shown a different key than one using
 * the other. kids derived here are RFC 7638 thumbprints: stable for a
 * key, independent of its certificate. Received members are read in
 * their canonical spelling only (base64url n/e/x/y, base64 x5c).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "token/jwks.h"

static int add_x5c(json_t *o, struct att_cert *const *chain, size_t n)
{
	json_t *a = json_array();
	if (!a || json_object_set_new(o, "x5c", a))
		return ATT_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		char *b64 = NULL;
		int r = att_cert_x5c_b64(&b64, chain[i]);
		if (r)
			return r;
		r = json_array_append_new(a, json_string(b64));
		free(b64);
		if (r)
			return ATT_ERR_NOMEM;
	}
	return 0;
}

int att_jwk_public_entry_alg(json_t **out, struct att_pkey *k,
			     struct att_cert *const *chain, size_t n,
			     const char *kid, enum att_jws_alg alg)
{
	json_t *raw = NULL, *o = NULL;
	const char *key;
	json_t *v;
	int r;
	*out = NULL;
	if (!att_jws_alg_fits_key(alg, k))
		return ATT_ERR_ALG;
	if ((r = att_pkey_to_jwk(&raw, k)) != 0)
		return r;
	r = ATT_ERR_NOMEM;
	if (!(o = json_object()))
		goto out;
	if ((kid && json_object_set_new(o, "kid", json_string(kid))) ||
	    json_object_set(o, "kty", json_object_get(raw, "kty")) ||
	    json_object_set_new(o, "alg", json_string(att_jws_alg_name(alg))) ||
	    json_object_set_new(o, "use", json_string("sig")))
		goto out;
	if (n && (r = add_x5c(o, chain, n)) != 0)
		goto out;
	r = ATT_ERR_NOMEM;
	json_object_foreach(raw, key, v) {
		if (strcmp(key, "kty") && json_object_set(o, key, v))
			goto out;
	}
	*out = o;
	o = NULL; /* transferred */
	r = 0;
out:
	json_decref(raw);
	json_decref(o);
	return r;
}

int att_jwk_public_entry(json_t **out, struct att_pkey *k,
			 struct att_cert *const *chain, size_t n,
			 const char *kid)
{
	return att_jwk_public_entry_alg(out, k, chain, n, kid,
					att_jws_alg_for_key(k));
}

json_t *att_jwks_find(json_t *jwks, const char *kid)
{
	json_t *keys = json_object_get(jwks, "keys");
	size_t i;
	json_t *e;
	if (!kid || !json_is_array(keys))
		return NULL;
	json_array_foreach(keys, i, e) {
		const char *k = json_string_value(json_object_get(e, "kid"));
		if (k && !strcmp(k, kid))
			return e;
	}
	return NULL;
}

/* RFC 7638 section 3.2: the required members only, in lexicographic
 * order, no whitespace. */
int att_jwk_kid_for(char out[static ATT_JWK_KID_LEN], const struct att_pkey *k)
{
	json_t *jwk = NULL;
	struct att_buf b;
	uint8_t h[32];
	out[0] = 0;
	int r = att_pkey_to_jwk(&jwk, k);
	if (r)
		return r;
	att_buf_init(&b, 8192);
#define M(name) json_string_value(json_object_get(jwk, name))
	if (att_pkey_is_rsa(k))
		r = att_buf_addf(&b, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
				 M("e"), M("n"));
	else
		r = att_buf_addf(&b,
				 "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\","
				 "\"y\":\"%s\"}",
				 M("crv"), M("x"), M("y"));
#undef M
	if (r == 0) {
		att_sha256(h, b.data, b.len);
		char *s = att_b64url_encode(h, sizeof(h));
		if (s && strlen(s) < ATT_JWK_KID_LEN)
			memcpy(out, s, strlen(s) + 1);
		r = s ? 0 : ATT_ERR_NOMEM;
		free(s);
	}
	att_buf_release(&b);
	json_decref(jwk);
	return r;
}

static bool has_raw(json_t *jwk)
{
	return json_object_get(jwk, "n") || json_object_get(jwk, "e") ||
	       json_object_get(jwk, "x") || json_object_get(jwk, "y");
}

/* raw_canonical: every key member present (n, e, x, y) is a string in
 * canonical base64url (RFC 7518 section 6 uses RFC 7515's base64url), so
 * that one key has one spelling; att_pkey_from_jwk decodes them. */
static int raw_canonical(json_t *jwk, struct att_diag *diag)
{
	static const char *const names[] = {"n", "e", "x", "y"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *v = json_object_get(jwk, names[i]);
		const char *why = NULL;
		uint8_t *b = NULL;
		size_t len = 0;
		if (!v)
			continue;
		if (!json_is_string(v))
			return att_diag_set(diag, ATT_ERR_FORMAT,
					    "jwk: member \"%s\" is not a string",
					    names[i]);
		int r = att_b64url_decode_strict(&b, &len, json_string_value(v),
						 json_string_length(v), &why);
		free(b);
		if (r == ATT_ERR_FORMAT)
			return att_diag_set(diag, r,
					    "jwk: member \"%s\" is not canonical "
					    "base64url: %s",
					    names[i], why ? why : "malformed");
		if (r)
			return r;
	}
	return 0;
}

static int x5c_key(struct att_pkey **out, json_t *x5c, struct att_diag *diag)
{
	struct att_cert *c = NULL;
	if (!json_is_array(x5c) || json_array_size(x5c) == 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jwk: x5c is not a non-empty array");
	int r = att_jws_x5c_cert(&c, json_array_get(x5c, 0), "jwk: x5c[0]",
				 diag);
	if (r)
		return r;
	r = att_cert_get1_pubkey(out, c);
	att_cert_free(c);
	if (r)
		return att_diag_set(diag, r, "jwk: x5c[0] key: %s",
				    att_strerror(r));
	return 0;
}

int att_jwk_to_pkey(struct att_pkey **out, json_t *jwk, struct att_diag *diag)
{
	struct att_pkey *raw = NULL, *cert = NULL;
	int r;
	*out = NULL;
	if (!json_is_object(jwk))
		return att_diag_set(diag, ATT_ERR_FORMAT, "jwk: not an object");
	const char *use = json_string_value(json_object_get(jwk, "use"));
	if (json_object_get(jwk, "use") && (!use || strcmp(use, "sig")))
		return att_diag_set(diag, ATT_ERR_UNSUPPORTED,
				    "jwk: \"use\" is not \"sig\"");
	json_t *x5c = json_object_get(jwk, "x5c");
	if (has_raw(jwk) && (r = raw_canonical(jwk, diag)) != 0)
		goto out;
	if (has_raw(jwk) && (r = att_pkey_from_jwk(&raw, jwk)) != 0) {
		r = att_diag_set(diag, r, "jwk: key members: %s", att_strerror(r));
		goto out;
	}
	if (x5c && (r = x5c_key(&cert, x5c, diag)) != 0)
		goto out;
	r = ATT_ERR_NOT_FOUND;
	if (!raw && !cert) {
		r = att_diag_set(diag, ATT_ERR_FORMAT,
				 "jwk: neither key members nor x5c");
		goto out;
	}
	if (raw && cert && !att_pkey_equal_public(raw, cert)) {
		r = att_diag_set(diag, ATT_ERR_MISMATCH,
				 "jwk: x5c[0] and the key members differ");
		goto out;
	}
	*out = raw ? raw : cert;
	if (raw)
		raw = NULL; /* transferred */
	else
		cert = NULL; /* transferred */
	r = 0;
out:
	att_pkey_free(raw);
	att_pkey_free(cert);
	return r;
}

bool att_jwk_alg_allows(json_t *jwk, enum att_jws_alg alg)
{
	json_t *a = json_object_get(jwk, "alg");
	if (!a)
		return true;
	const char *s = json_string_value(a);
	return s && !strcmp(s, att_jws_alg_name(alg));
}
