/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWS/JWT/JWKS: sign and verify with RS256, PS256 and ES256 (keys made
 * here), and refusal of everything a relying party must refuse: tampered
 * payload, alg none, HS256 keyed with the issuer's public key, unknown
 * kid, expired, not yet valid, wrong issuer, wrong audience, a signature
 * by another key under the right kid, and malformed compact tokens.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "harness/tap.h"
#include "token/jwks.h"
#include "token/jws.h"
#include "token/jwt.h"

#define ISS "https://attestd.test"
#define NOW 1750000000

struct signer {
	struct att_pkey *key;
	struct att_cert *cert;
	char kid[ATT_JWK_KID_LEN];
	enum att_jws_alg alg;
};

static void signer_make(struct signer *s, enum att_jws_alg alg)
{
	memset(s, 0, sizeof(*s));
	s->alg = alg;
	att_pkey_generate(&s->key, att_jws_alg_key_kind(alg));
	att_cert_self_signed(&s->cert, s->key, ISS, NOW - 86400, NOW + 86400 * 365);
	att_jwk_kid_for(s->kid, s->key);
}

static void signer_free(struct signer *s)
{
	att_pkey_free(s->key);
	att_cert_free(s->cert);
}

static json_t *jwks_of(struct signer *const *s, size_t n)
{
	json_t *keys = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *e = NULL;
		att_jwk_public_entry_alg(&e, s[i]->key, &s[i]->cert, 1,
					 s[i]->kid, s[i]->alg);
		json_array_append_new(keys, e);
	}
	return json_pack("{s:o}", "keys", keys);
}

static json_t *claims_at(int64_t iat, int64_t ttl)
{
	return json_pack("{s:I,s:s,s:I,s:I,s:s,s:s}", "exp", (json_int_t)(iat + ttl),
			 "iss", ISS, "iat", (json_int_t)iat, "nbf",
			 (json_int_t)iat, "aud", "rp-1", "x-ms-attestation-type",
			 "sgx");
}

static char *sign_claims(struct signer *s, json_t *claims, const char *kid)
{
	struct att_jwt_signer js = {.key = s->key, .alg = s->alg, .kid = kid,
				    .jku = ISS "/certs"};
	char *tok = NULL;
	ATT_CHECK_EQ_INT(att_jwt_sign(&tok, claims, &js), 0);
	json_decref(claims);
	return tok;
}

static struct att_jwt_verify_opts opts(void)
{
	return (struct att_jwt_verify_opts){.issuer = ISS, .now = NOW,
					    .skew_seconds = 60,
					    .allowed_algs = ATT_JWS_ALLOW_DEFAULT,
					    .require_exp = true};
}

static int verify(const char *tok, json_t *jwks,
		  const struct att_jwt_verify_opts *o, struct att_diag *d)
{
	json_t *claims = NULL, *hdr = NULL;
	att_diag_clear(d);
	int r = att_jwt_verify(&claims, &hdr, tok, jwks, o, d);
	if (r == 0) {
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(claims, "iss")), ISS);
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(hdr, "typ")), "JWT");
	} else {
		ATT_CHECK(claims == NULL && hdr == NULL, "no output on failure");
	}
	json_decref(claims);
	json_decref(hdr);
	return r;
}

static void test_roundtrip(enum att_jws_alg alg)
{
	struct signer s, other;
	struct att_diag d;
	signer_make(&s, alg);
	signer_make(&other, alg);
	struct signer *ss[] = {&s};
	json_t *jwks = jwks_of(ss, 1);
	struct att_jwt_verify_opts o = opts();
	printf("# %s\n", att_jws_alg_name(alg));

	char *tok = sign_claims(&s, claims_at(NOW - 10, 3600), s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), 0);

	/* The raw JWS layer agrees. */
	struct att_jws j;
	ATT_CHECK_EQ_INT(att_jws_parse(&j, tok, strlen(tok), &d), 0);
	ATT_CHECK_EQ_INT(j.alg, alg);
	ATT_CHECK_EQ_INT(att_jws_verify(&j, s.key, 0, &d), 0);
	ATT_CHECK_EQ_INT(att_jws_verify(&j, other.key, 0, &d), ATT_ERR_SIG_INVALID);
	ATT_CHECK_EQ_INT(att_jws_verify(&j, s.key, ATT_JWS_ALLOW_ES384, &d),
			 ATT_ERR_ALG);
	att_jws_release(&j);

	/* Tampered payload: same header and signature, other claims. */
	char *evil = sign_claims(&s, claims_at(NOW - 10, 999999), s.kid);
	const char *p1 = strchr(tok, '.'), *p2 = strchr(p1 + 1, '.');
	const char *e1 = strchr(evil, '.'), *e2 = strchr(e1 + 1, '.');
	struct att_buf t;
	att_buf_init(&t, 1 << 16);
	att_buf_add(&t, tok, (size_t)(p1 - tok));
	att_buf_add(&t, e1, (size_t)(e2 - e1));
	att_buf_adds(&t, p2);
	ATT_CHECK_EQ_INT(verify(att_buf_cstr(&t), jwks, &o, &d), ATT_ERR_SIG_INVALID);
	att_buf_release(&t);
	free(evil);

	/* Signature made with another key under the right kid. */
	char *forged = sign_claims(&other, claims_at(NOW - 10, 3600), s.kid);
	ATT_CHECK_EQ_INT(verify(forged, jwks, &o, &d), ATT_ERR_SIG_INVALID);
	ATT_CHECK(strstr(d.msg, "signature invalid") != NULL, "diag: %s", d.msg);
	free(forged);

	/* Unknown kid. */
	char *unk = sign_claims(&other, claims_at(NOW - 10, 3600), other.kid);
	ATT_CHECK_EQ_INT(verify(unk, jwks, &o, &d), ATT_ERR_NOT_FOUND);
	ATT_CHECK(strstr(d.msg, "unknown kid") != NULL, "diag: %s", d.msg);
	free(unk);

	/* No kid with a one-key JWKS: that key. */
	char *nokid = sign_claims(&s, claims_at(NOW - 10, 3600), NULL);
	ATT_CHECK_EQ_INT(verify(nokid, jwks, &o, &d), 0);
	free(nokid);

	free(tok);
	json_decref(jwks);
	signer_free(&s);
	signer_free(&other);
}

static void test_claims(void)
{
	struct signer s;
	struct att_diag d;
	signer_make(&s, ATT_JWS_RS256);
	struct signer *ss[] = {&s};
	json_t *jwks = jwks_of(ss, 1);
	struct att_jwt_verify_opts o = opts();
	char *tok;

	/* Expired (beyond the skew) and inside the skew. */
	tok = sign_claims(&s, claims_at(NOW - 7200, 3600), s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_EXPIRED);
	ATT_CHECK(strstr(d.msg, "token expired at 2025-") != NULL, "diag: %s", d.msg);
	free(tok);
	tok = sign_claims(&s, claims_at(NOW - 3630, 3600), s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), 0);
	o.skew_seconds = 0;
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_EXPIRED);
	o.skew_seconds = 60;
	free(tok);

	/* Not yet valid. */
	tok = sign_claims(&s, claims_at(NOW + 600, 3600), s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_NOT_YET_VALID);
	ATT_CHECK(strstr(d.msg, "not valid before") != NULL, "diag: %s", d.msg);
	free(tok);
	tok = sign_claims(&s, claims_at(NOW + 30, 3600), s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), 0);
	free(tok);

	/* Wrong issuer. */
	json_t *c = claims_at(NOW, 3600);
	json_object_set_new(c, "iss", json_string("https://evil.test"));
	tok = sign_claims(&s, c, s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_MISMATCH);
	ATT_CHECK_EQ_STR(d.msg, "issuer mismatch: got https://evil.test, "
				"expected " ISS);
	free(tok);

	/* Audience: string and array. */
	tok = sign_claims(&s, claims_at(NOW, 3600), s.kid);
	o.audience = "rp-1";
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), 0);
	o.audience = "rp-2";
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_MISMATCH);
	ATT_CHECK(strstr(d.msg, "audience mismatch") != NULL, "diag: %s", d.msg);
	free(tok);
	c = claims_at(NOW, 3600);
	json_object_set_new(c, "aud", json_pack("[s,s]", "rp-1", "rp-2"));
	tok = sign_claims(&s, c, s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), 0);
	o.audience = "rp-3";
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_MISMATCH);
	o.audience = NULL;
	free(tok);

	/* Missing exp when required. */
	c = claims_at(NOW, 3600);
	json_object_del(c, "exp");
	tok = sign_claims(&s, c, s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_FORMAT);
	o.require_exp = false;
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), 0);
	o.require_exp = true;
	free(tok);

	json_decref(jwks);
	signer_free(&s);
}

/* hs256_token builds a token signed with HMAC-SHA256 keyed by secret. */
static char *hs256_token(const char *kid, const void *secret, size_t n)
{
	json_t *h = json_pack("{s:s,s:s,s:s}", "alg", "HS256", "kid", kid, "typ", "JWT");
	json_t *c = claims_at(NOW, 3600);
	char *hs = json_dumps(h, JSON_COMPACT), *cs = json_dumps(c, JSON_COMPACT);
	char *h64 = att_b64url_encode((uint8_t *)hs, strlen(hs));
	char *c64 = att_b64url_encode((uint8_t *)cs, strlen(cs));
	struct att_buf b;
	uint8_t mac[32];
	att_buf_init(&b, 1 << 16);
	att_buf_addf(&b, "%s.%s", h64, c64);
	att_hmac(ATT_MD_SHA256, mac, secret, n, b.data, b.len);
	char *m64 = att_b64url_encode(mac, sizeof(mac));
	att_buf_addf(&b, ".%s", m64);
	free(hs);
	free(cs);
	free(h64);
	free(c64);
	free(m64);
	json_decref(h);
	json_decref(c);
	return (char *)att_buf_detach(&b, NULL);
}

static void test_refused_algs(void)
{
	struct signer s;
	struct att_diag d;
	signer_make(&s, ATT_JWS_RS256);
	struct signer *ss[] = {&s};
	json_t *jwks = jwks_of(ss, 1);
	struct att_jwt_verify_opts o = opts();

	/* alg none, even with every bit of the mask set. */
	json_t *h = json_pack("{s:s,s:s}", "kid", s.kid, "typ", "JWT");
	json_t *c = claims_at(NOW, 3600);
	char *cs = json_dumps(c, JSON_COMPACT), *tok = NULL;
	ATT_CHECK_EQ_INT(att_jws_unsigned(&tok, h, cs, strlen(cs)), 0);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_ALG);
	ATT_CHECK(strstr(d.msg, "none") != NULL, "diag: %s", d.msg);
	o.allowed_algs = ~0u;
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_ALG);
	free(tok);

	/* HS256 keyed with the public key (PEM text, then SPKI DER). */
	char *pem = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	att_pkey_to_pem(&pem, s.key, false);
	att_pkey_spki_der(&der, &der_len, s.key);
	tok = hs256_token(s.kid, pem, strlen(pem));
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_ALG);
	ATT_CHECK(strstr(d.msg, "HMAC algorithm HS256 is not allowed") != NULL,
		  "diag: %s", d.msg);
	struct att_jws j;
	ATT_CHECK_EQ_INT(att_jws_parse(&j, tok, strlen(tok), &d), 0);
	ATT_CHECK_EQ_INT(j.alg, ATT_JWS_UNKNOWN);
	ATT_CHECK_EQ_INT(att_jws_verify(&j, s.key, ~0u, &d), ATT_ERR_ALG);
	att_jws_release(&j);
	free(tok);
	tok = hs256_token(s.kid, der, der_len);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_ALG);
	free(tok);
	o.allowed_algs = ATT_JWS_ALLOW_DEFAULT;

	/* A JWK that pins alg ES256 cannot select an RS256 token. */
	json_object_set_new(json_array_get(json_object_get(jwks, "keys"), 0),
			    "alg", json_string("PS256"));
	tok = sign_claims(&s, claims_at(NOW, 3600), s.kid);
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_ALG);
	free(tok);

	free(pem);
	free(der);
	free(cs);
	json_decref(h);
	json_decref(c);
	json_decref(jwks);
	signer_free(&s);
}

static void test_unsigned_and_parse(void)
{
	struct att_jws j;
	struct att_diag d;
	char *tok = NULL;
	ATT_CHECK_EQ_INT(att_jws_unsigned(&tok, NULL, "", 0), 0);
	ATT_CHECK_EQ_STR(tok, "eyJhbGciOiJub25lIn0..");
	ATT_CHECK_EQ_INT(att_jws_parse(&j, tok, strlen(tok), &d), 0);
	ATT_CHECK(att_jws_is_unsigned(&j) && j.payload_len == 0, "unsigned");
	att_jws_release(&j);
	free(tok);
	static const char pol[] = "{\"AttestationPolicy\":\"dmVyc2lvbj0xLjA7\"}";
	ATT_CHECK_EQ_INT(att_jws_unsigned(&tok, NULL, pol, strlen(pol)), 0);
	ATT_CHECK(tok && !strncmp(tok, "eyJhbGciOiJub25lIn0.", 20) &&
			  tok[strlen(tok) - 1] == '.',
		  "unsigned policy: %s", tok ? tok : "");
	ATT_CHECK_EQ_INT(att_jws_parse(&j, tok, strlen(tok), &d), 0);
	ATT_CHECK(j.payload_len == strlen(pol) &&
			  !memcmp(j.payload, pol, j.payload_len),
		  "payload");
	att_jws_release(&j);
	free(tok);

	static const char *bad[] = {
		"", "a", "a.b", "a.b.c.d", "eyJhbGciOiJub25lIn0.e30", /* 2 parts */
		"eyJhbGciOiJub25lIn0=.e30.",                        /* padding */
		"eyJhbGciOiJub25lIn0.e3+/.",                        /* std b64 */
		"bm90anNvbg.e30.",                                  /* not JSON */
		"W10.e30.",                                         /* [] */
		"eyJ0eXAiOiJKV1QifQ.e30.",                          /* no alg */
		"eyJhbGciOjF9.e30.",                                /* alg 1 */
		"eyJhbGciOiJSUzI1NiIsImNyaXQiOlsiYiJdfQ.e30.",      /* crit */
		" eyJhbGciOiJub25lIn0.e30.",                        /* space */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		att_diag_clear(&d);
		int r = att_jws_parse(&j, bad[i], strlen(bad[i]), &d);
		ATT_CHECK(r == ATT_ERR_FORMAT, "\"%s\" -> %d", bad[i], r);
		ATT_CHECK(j.header == NULL, "nothing kept");
	}
	enum att_jws_alg a;
	ATT_CHECK_EQ_INT(att_jws_alg_from_name(&a, "HS256"), ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_jws_alg_from_name(&a, "ES256"), 0);
	ATT_CHECK_EQ_INT(a, ATT_JWS_ES256);
	ATT_CHECK_EQ_INT(att_jws_alg_from_name(&a, "es256"), ATT_ERR_ALG);
}

/* RFC 7638 section 3.1 example. */
static void test_kid(void)
{
	static const char n[] =
		"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1"
		"RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5"
		"n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8K"
		"JZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQF"
		"h6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJz"
		"KnqDKgw";
	json_t *jwk = json_pack("{s:s,s:s,s:s}", "kty", "RSA", "n", n, "e", "AQAB");
	struct att_pkey *k = NULL;
	char kid[ATT_JWK_KID_LEN];
	ATT_CHECK_EQ_INT(att_pkey_from_jwk(&k, jwk), 0);
	ATT_CHECK_EQ_INT(att_jwk_kid_for(kid, k), 0);
	ATT_CHECK_EQ_STR(kid, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	att_pkey_free(k);
	json_decref(jwk);
}

/* MAA-style JWKS entries carry only kid/kty/x5c; x5c and raw members must
 * agree when both are present; header x5c and jwk.x5c are readable. */
static void test_jwks_forms(void)
{
	struct signer s, t;
	struct att_diag d;
	signer_make(&s, ATT_JWS_ES256);
	signer_make(&t, ATT_JWS_ES256);
	struct signer *ss[] = {&s};
	json_t *jwks = jwks_of(ss, 1);
	json_t *e = json_array_get(json_object_get(jwks, "keys"), 0);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(e, "use")), "sig");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(e, "kty")), "EC");
	ATT_CHECK(json_object_get(e, "x") && json_object_get(e, "x5c"), "both");
	ATT_CHECK(att_jwks_find(jwks, s.kid) == e, "find");
	ATT_CHECK(att_jwks_find(jwks, "nope") == NULL, "find miss");
	struct att_jwt_verify_opts o = opts();
	char *tok = sign_claims(&s, claims_at(NOW, 3600), s.kid);

	json_t *maa = json_pack("{s:[{s:s,s:s,s:O}]}", "keys", "kid", s.kid,
				"kty", "EC", "x5c", json_object_get(e, "x5c"));
	ATT_CHECK_EQ_INT(verify(tok, maa, &o, &d), 0);

	/* x5c of another key next to s's raw members. */
	json_t *t_entry = NULL;
	att_jwk_public_entry(&t_entry, t.key, &t.cert, 1, s.kid);
	json_object_set(e, "x5c", json_object_get(t_entry, "x5c"));
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), ATT_ERR_MISMATCH);
	free(tok);

	/* Header x5c and the Python jwk.x5c form. */
	struct att_jwt_signer js = {.key = s.key, .alg = ATT_JWS_ES256,
				    .x5c = &s.cert, .n_x5c = 1};
	json_t *c = claims_at(NOW, 3600);
	att_jwt_sign(&tok, c, &js);
	struct att_jws j;
	struct att_pkey *hk = NULL;
	struct att_cert *leaf = NULL;
	ATT_CHECK_EQ_INT(att_jws_parse(&j, tok, strlen(tok), &d), 0);
	ATT_CHECK_EQ_INT(att_jws_header_x5c_key(&hk, &leaf, &j, &d), 0);
	ATT_CHECK(att_pkey_equal_public(hk, s.key), "x5c leaf key");
	ATT_CHECK(att_cert_equal(leaf, s.cert), "x5c leaf");
	att_pkey_free(hk);
	att_cert_free(leaf);
	att_jws_release(&j);
	free(tok);
	json_t *h = json_pack("{s:{s:O}}", "jwk", "x5c", json_object_get(t_entry, "x5c"));
	char *cs = json_dumps(c, JSON_COMPACT);
	att_jws_sign(&tok, h, cs, strlen(cs), t.key, ATT_JWS_ES256);
	ATT_CHECK_EQ_INT(att_jws_parse(&j, tok, strlen(tok), &d), 0);
	ATT_CHECK_EQ_INT(att_jws_header_x5c_key(&hk, NULL, &j, &d), 0);
	ATT_CHECK(att_pkey_equal_public(hk, t.key), "jwk.x5c leaf key");
	ATT_CHECK_EQ_INT(att_jws_verify(&j, hk, 0, &d), 0);
	att_pkey_free(hk);
	att_jws_release(&j);
	free(tok);
	free(cs);
	json_decref(h);
	json_decref(c);

	json_decref(t_entry);
	json_decref(maa);
	json_decref(jwks);
	signer_free(&s);
	signer_free(&t);
}

int main(void)
{
	test_roundtrip(ATT_JWS_RS256);
	test_roundtrip(ATT_JWS_PS256);
	test_roundtrip(ATT_JWS_ES256);
	test_claims();
	test_refused_algs();
	test_unsigned_and_parse();
	test_kid();
	test_jwks_forms();
	return att_test_done();
}
