/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWS/JWT/JWKS: sign and verify with RS256, PS256 and ES256 (keys made
 * here), and refusal of everything a relying party must refuse: tampered
 * payload, alg none, HS256 keyed with the issuer's public key, unknown
 * kid, expired, not yet valid, wrong issuer, wrong audience, a signature
 * by another key under the right kid, and malformed compact tokens.
 * Malleability: every other spelling of a segment (a last character that
 * differs only in unused bits) is refused, for RS256, PS256 and ES256,
 * in the header, the payload and the signature; JWK members and x5c
 * entries likewise. NumericDates: exp/nbf/iat at INT64_MIN, INT64_MAX,
 * -1, 1e300, 1.5, strings and other types, fractions (rounded toward the
 * stricter side), the range bounds, and iat in the future.
 */
#include <stdint.h>
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

static const char b64url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* seg_bounds: start and length of segment i (0..2) of a compact JWS. */
static void seg_bounds(const char *tok, int i, size_t *start, size_t *len)
{
	const char *p = tok;
	for (int k = 0; k < i; k++)
		p = strchr(p, '.') + 1;
	const char *e = strchr(p, '.');
	*start = (size_t)(p - tok);
	*len = e ? (size_t)(e - p) : strlen(p);
}

/* check_variants replaces the last character of segment seg of tok by
 * every character that differs from it only in the unused low bits (so
 * that a tolerant decoder reads the same bytes) and checks that each such
 * token is refused by the parser and the verifier with a message naming
 * the segment and the reason. Returns the number of variants tried. */
static int check_variants(const char *tok, int seg, const char *name,
			  json_t *jwks)
{
	struct att_jwt_verify_opts o = opts();
	struct att_diag d;
	struct att_jws j;
	size_t start, len;
	char *t = strdup(tok), want[96];
	seg_bounds(tok, seg, &start, &len);
	unsigned unused = len % 4 == 2 ? 15 : len % 4 == 3 ? 3 : 0;
	size_t last = start + len - 1;
	unsigned v = (unsigned)(strchr(b64url_alpha, tok[last]) - b64url_alpha);
	snprintf(want, sizeof(want), "jws: %s is not canonical base64url: "
		 "non-zero unused bits in the last character", name);
	int tried = 0;
	ATT_CHECK((v & unused) == 0, "the signer writes canonical %s", name);
	for (unsigned k = 1; k <= unused; k++) {
		t[last] = b64url_alpha[(v & ~unused) | k];
		/* the same bytes to a tolerant decoder */
		uint8_t *a = NULL, *b = NULL;
		size_t an = 0, bn = 0;
		att_b64_decode(&a, &an, tok + start, len);
		att_b64_decode(&b, &bn, t + start, len);
		ATT_CHECK(a && b && an == bn && !memcmp(a, b, an),
			  "%s variant %c decodes the same", name, t[last]);
		free(a);
		free(b);
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_jws_parse(&j, t, strlen(t), &d),
				 ATT_ERR_FORMAT);
		ATT_CHECK(strstr(d.msg, want) != NULL, "parse: %s", d.msg);
		ATT_CHECK_EQ_INT(verify(t, jwks, &o, &d), ATT_ERR_FORMAT);
		ATT_CHECK(strstr(d.msg, want) != NULL, "verify: %s", d.msg);
		json_t *c = NULL;
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_jwt_decode_unverified(&c, NULL, t, &d),
				 ATT_ERR_FORMAT);
		ATT_CHECK(c == NULL, "no claims");
		tried++;
	}
	free(t);
	return tried;
}

/* A token whose header and payload both end in a partial block: the jku
 * and a filler claim are lengthened until they do. */
static char *token_with_tails(struct signer *s)
{
	static const char *const jku[] = {ISS "/certs", ISS "/certs/",
					  ISS "/certs//"};
	static const char *const fill[] = {"", "x", "xx"};
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++) {
			json_t *c = claims_at(NOW - 10, 3600);
			json_object_set_new(c, "x-fill", json_string(fill[b]));
			struct att_jwt_signer js = {.key = s->key, .alg = s->alg,
						    .kid = s->kid, .jku = jku[a]};
			char *tok = NULL;
			att_jwt_sign(&tok, c, &js);
			json_decref(c);
			size_t st, l0, l1;
			seg_bounds(tok, 0, &st, &l0);
			seg_bounds(tok, 1, &st, &l1);
			if (l0 % 4 && l1 % 4)
				return tok;
			free(tok);
		}
	return NULL;
}

static void test_malleability(enum att_jws_alg alg)
{
	struct signer s;
	struct att_diag d;
	signer_make(&s, alg);
	struct signer *ss[] = {&s};
	json_t *jwks = jwks_of(ss, 1);
	struct att_jwt_verify_opts o = opts();
	char *tok = token_with_tails(&s);
	printf("# malleability %s\n", att_jws_alg_name(alg));
	ATT_CHECK(tok != NULL, "token with partial last blocks");
	if (!tok)
		goto out;
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), 0);
	/* RSA-2048 signatures are 256 bytes and ES256 ones 64: both leave
	 * one byte in the last block, so 15 other spellings each. */
	ATT_CHECK_EQ_INT(check_variants(tok, 2, "signature", jwks), 15);
	int h = check_variants(tok, 0, "header", jwks);
	int p = check_variants(tok, 1, "payload", jwks);
	ATT_CHECK(h == 3 || h == 15, "header variants: %d", h);
	ATT_CHECK(p == 3 || p == 15, "payload variants: %d", p);
	/* Padding and a 4n+1 signature are refused too. */
	struct att_buf b;
	att_buf_init(&b, 1 << 16);
	att_buf_adds(&b, tok);
	att_buf_adds(&b, "==");
	ATT_CHECK_EQ_INT(verify(att_buf_cstr(&b), jwks, &o, &d), ATT_ERR_FORMAT);
	ATT_CHECK(strstr(d.msg, "signature is not canonical base64url: '=' "
			 "padding") != NULL, "padded: %s", d.msg);
	att_buf_release(&b);
	att_buf_init(&b, 1 << 16);
	att_buf_adds(&b, tok);
	att_buf_adds(&b, "AAA"); /* 2 tail characters + 3 = 4n+1 */
	ATT_CHECK_EQ_INT(verify(att_buf_cstr(&b), jwks, &o, &d), ATT_ERR_FORMAT);
	ATT_CHECK(strstr(d.msg, "4n+1") != NULL, "4n+1: %s", d.msg);
	att_buf_release(&b);
	/* The original still verifies: nothing was cached or consumed. */
	ATT_CHECK_EQ_INT(verify(tok, jwks, &o, &d), 0);
out:
	free(tok);
	json_decref(jwks);
	signer_free(&s);
}

/* Other spellings of JWK members and of x5c entries are refused with a
 * message naming the member. */
static void test_jwk_canonical(void)
{
	struct signer r, e;
	struct att_diag d;
	struct att_pkey *k = NULL;
	signer_make(&r, ATT_JWS_RS256);
	signer_make(&e, ATT_JWS_ES256);
	struct signer *ss[] = {&r, &e};
	json_t *jwks = jwks_of(ss, 2);
	static const struct {
		int key;
		const char *member;
	} cases[] = {{0, "n"}, {0, "e"}, {1, "x"}, {1, "y"}};
	for (size_t i = 0; i < 4; i++) {
		json_t *ent = json_array_get(json_object_get(jwks, "keys"),
					     (size_t)cases[i].key);
		json_t *copy = json_deep_copy(ent);
		json_object_del(copy, "x5c");
		const char *v = json_string_value(json_object_get(copy, cases[i].member));
		char *t = strdup(v);
		size_t n = strlen(t);
		unsigned unused = n % 4 == 2 ? 15 : n % 4 == 3 ? 3 : 0;
		/* n (256 bytes), x and y (32) end in a partial block; e
		 * ("AQAB") does not, and has only the padded variant. */
		ATT_CHECK(unused != 0 || !strcmp(cases[i].member, "e"),
			  "%s has a partial block (%zu chars)", cases[i].member, n);
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_jwk_to_pkey(&k, copy, &d), 0);
		att_pkey_free(k);
		k = NULL;
		char want[64];
		snprintf(want, sizeof(want), "jwk: member \"%s\" is not canonical",
			 cases[i].member);
		if (unused) {
			unsigned c = (unsigned)(strchr(b64url_alpha, t[n - 1]) -
						b64url_alpha);
			t[n - 1] = b64url_alpha[c | (unused & 1)];
			json_object_set_new(copy, cases[i].member, json_string(t));
			att_diag_clear(&d);
			ATT_CHECK_EQ_INT(att_jwk_to_pkey(&k, copy, &d), ATT_ERR_FORMAT);
			ATT_CHECK(strstr(d.msg, want) && strstr(d.msg, "unused bits"),
				  "%s: %s", cases[i].member, d.msg);
			ATT_CHECK(k == NULL, "no key");
			t[n - 1] = b64url_alpha[c];
		}
		/* padded: refused too */
		char padded[1200];
		snprintf(padded, sizeof(padded), "%s%s", t,
			 n % 4 == 2 ? "==" : "=");
		json_object_set_new(copy, cases[i].member, json_string(padded));
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_jwk_to_pkey(&k, copy, &d), ATT_ERR_FORMAT);
		ATT_CHECK(strstr(d.msg, want) && strstr(d.msg, "padding"), "%s: %s",
			  cases[i].member, d.msg);
		free(t);
		json_decref(copy);
	}

	/* x5c: standard base64 with padding only (RFC 7515 4.1.6). DER
	 * lengths vary with the serial number: take a certificate whose
	 * length is not a multiple of 3 (so its text ends in padding). */
	char *x = NULL;
	for (int tries = 0; tries < 64 && !x; tries++) {
		struct signer t;
		signer_make(&t, ATT_JWS_ES256);
		char *b = NULL;
		att_cert_x5c_b64(&b, t.cert);
		if (b && b[strlen(b) - 1] == '=')
			x = b;
		else
			free(b);
		signer_free(&t);
	}
	ATT_CHECK(x != NULL, "a certificate with padding in its x5c");
	if (!x)
		x = strdup("");
	size_t n = strlen(x), data = n;
	while (data && x[data - 1] == '=')
		data--;
	json_t *only = json_pack("{s:s,s:[s]}", "kty", "EC", "x5c", x);
	ATT_CHECK_EQ_INT(att_jwk_to_pkey(&k, only, &d), 0);
	att_pkey_free(k);
	k = NULL;
	char *t = strdup(x);
	printf("# x5c: %zu characters, %zu of padding\n", n, n - data);
	if (data % 4) {
		unsigned unused = data % 4 == 2 ? 15 : 3;
		const char *std_a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		unsigned c = (unsigned)(strchr(std_a, t[data - 1]) - std_a);
		t[data - 1] = std_a[c | (unused & 1)];
		json_array_set_new(json_object_get(only, "x5c"), 0, json_string(t));
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_jwk_to_pkey(&k, only, &d), ATT_ERR_FORMAT);
		ATT_CHECK(strstr(d.msg, "jwk: x5c[0] is not canonical base64: "
				 "non-zero unused bits") != NULL, "x5c bits: %s", d.msg);
		t[data - 1] = x[data - 1];
		t[data] = 0; /* padding removed */
		json_array_set_new(json_object_get(only, "x5c"), 0, json_string(t));
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_jwk_to_pkey(&k, only, &d), ATT_ERR_FORMAT);
		ATT_CHECK(strstr(d.msg, "padding") != NULL, "x5c unpadded: %s", d.msg);
		/* the same entry in a JWS header (policy signers' x5c) */
		json_t *h = json_pack("{s:[s]}", "x5c", t);
		char *tok = NULL;
		struct att_jws j;
		struct att_cert **chain = NULL;
		size_t nc = 0;
		att_jws_sign(&tok, h, "{}", 2, e.key, ATT_JWS_ES256);
		ATT_CHECK_EQ_INT(att_jws_parse(&j, tok, strlen(tok), &d), 0);
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_jws_header_x5c(&chain, &nc, &j, &d), ATT_ERR_FORMAT);
		ATT_CHECK(strstr(d.msg, "jws: header x5c[0] is not canonical base64: "
				 "wrong '=' padding") != NULL, "header x5c: %s", d.msg);
		ATT_CHECK(chain == NULL && nc == 0, "no chain");
		att_jws_release(&j);
		free(tok);
		json_decref(h);
	}
	/* the base64url alphabet in an x5c entry */
	free(t);
	t = strdup(x);
	char *p = strpbrk(t, "+/");
	ATT_CHECK(p != NULL, "x5c has a + or / somewhere");
	if (p) {
		*p = *p == '+' ? '-' : '_';
		json_array_set_new(json_object_get(only, "x5c"), 0, json_string(t));
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_jwk_to_pkey(&k, only, &d), ATT_ERR_FORMAT);
		ATT_CHECK(strstr(d.msg, "outside the base64 alphabet") != NULL,
			  "x5c url alphabet: %s", d.msg);
	}
	free(t);
	free(x);
	json_decref(only);
	json_decref(jwks);
	signer_free(&r);
	signer_free(&e);
}

/* claims_with returns the claims of claims_at(NOW - 10, 3600) with name
 * set to v (stolen), or removed when v is NULL. */
static json_t *claims_with(const char *name, json_t *v)
{
	json_t *c = claims_at(NOW - 10, 3600);
	if (v)
		json_object_set_new(c, name, v);
	else
		json_object_del(c, name);
	return c;
}

/* time_case signs claims, verifies them and checks the result and that
 * the message contains want (when not NULL); also through
 * att_jwt_check_claims alone. */
static void time_case(struct signer *s, json_t *jwks, json_t *claims,
		      int want_r, const char *want, const char *label)
{
	struct att_jwt_verify_opts o = opts();
	struct att_diag d;
	struct att_diag d2;
	att_diag_clear(&d2);
	int r2 = att_jwt_check_claims(claims, &o, &d2);
	char *tok = sign_claims(s, claims, s->kid); /* consumes claims */
	ATT_CHECK(tok != NULL, "%s: signed", label);
	int r = tok ? verify(tok, jwks, &o, &d) : -1;
	ATT_CHECK(r == want_r, "%s: %d, want %d (%s)", label, r, want_r, d.msg);
	ATT_CHECK(r2 == want_r, "%s: check_claims %d, want %d", label, r2, want_r);
	if (want)
		ATT_CHECK(strstr(d.msg, want) != NULL && strstr(d2.msg, want),
			  "%s: \"%s\" lacks \"%s\"", label, d.msg, want);
	free(tok);
}

static void test_time_claims(void)
{
	struct signer s;
	signer_make(&s, ATT_JWS_RS256);
	struct signer *ss[] = {&s};
	json_t *jwks = jwks_of(ss, 1);
	static const char *const names[] = {"exp", "nbf", "iat"};
	char want[160];
	for (int i = 0; i < 3; i++) {
		const char *nm = names[i];
		printf("# %s\n", nm);
		snprintf(want, sizeof(want),
			 "jwt: token %s -9223372036854775808 is outside the "
			 "range of a NumericDate (0..253402300799", nm);
		time_case(&s, jwks, claims_with(nm, json_integer(INT64_MIN)),
			  ATT_ERR_FORMAT, want, "INT64_MIN");
		snprintf(want, sizeof(want), "jwt: token %s 9223372036854775807 "
			 "is outside the range of a NumericDate", nm);
		time_case(&s, jwks, claims_with(nm, json_integer(INT64_MAX)),
			  ATT_ERR_FORMAT, want, "INT64_MAX");
		snprintf(want, sizeof(want), "jwt: token %s -1 is outside", nm);
		time_case(&s, jwks, claims_with(nm, json_integer(-1)),
			  ATT_ERR_FORMAT, want, "-1");
		snprintf(want, sizeof(want), "jwt: token %s 1e+300 is outside", nm);
		time_case(&s, jwks, claims_with(nm, json_real(1e300)),
			  ATT_ERR_FORMAT, want, "1e300");
		snprintf(want, sizeof(want), "jwt: token %s -1e+300 is outside", nm);
		time_case(&s, jwks, claims_with(nm, json_real(-1e300)),
			  ATT_ERR_FORMAT, want, "-1e300");
		snprintf(want, sizeof(want), "jwt: token %s 2.53402e+11 is outside", nm);
		time_case(&s, jwks, claims_with(nm, json_real(253402300799.5)),
			  ATT_ERR_FORMAT, want, "max + 0.5");
		snprintf(want, sizeof(want), "jwt: token %s 253402300800 is outside", nm);
		time_case(&s, jwks, claims_with(nm, json_integer(253402300800LL)),
			  ATT_ERR_FORMAT, want, "max + 1");
		snprintf(want, sizeof(want), "jwt: token %s -0.5 is outside", nm);
		time_case(&s, jwks, claims_with(nm, json_real(-0.5)),
			  ATT_ERR_FORMAT, want, "-0.5");
		snprintf(want, sizeof(want), "jwt: token %s is not a NumericDate "
			 "(it is a string, not a number)", nm);
		time_case(&s, jwks, claims_with(nm, json_string("1750000000")),
			  ATT_ERR_FORMAT, want, "string");
		snprintf(want, sizeof(want), "jwt: token %s is not a NumericDate "
			 "(it is a boolean", nm);
		time_case(&s, jwks, claims_with(nm, json_true()),
			  ATT_ERR_FORMAT, want, "true");
		snprintf(want, sizeof(want), "jwt: token %s is not a NumericDate "
			 "(it is null", nm);
		time_case(&s, jwks, claims_with(nm, json_null()),
			  ATT_ERR_FORMAT, want, "null");
		snprintf(want, sizeof(want), "jwt: token %s is not a NumericDate "
			 "(it is an array", nm);
		time_case(&s, jwks, claims_with(nm, json_pack("[I]", (json_int_t)NOW)),
			  ATT_ERR_FORMAT, want, "array");
		/* Absent: only exp is required. */
		time_case(&s, jwks, claims_with(nm, NULL),
			  i == 0 ? ATT_ERR_FORMAT : 0,
			  i == 0 ? "token has no exp claim" : NULL, "absent");
	}

	/* exp: the bounds, 1.5 (in range, long expired), fractions floored. */
	time_case(&s, jwks, claims_with("exp", json_integer(253402300799LL)), 0,
		  NULL, "exp = 9999-12-31T23:59:59Z");
	time_case(&s, jwks, claims_with("exp", json_integer(0)), ATT_ERR_EXPIRED,
		  "token expired at 1970-01-01T00:00:00Z", "exp 0");
	time_case(&s, jwks, claims_with("exp", json_real(1.5)), ATT_ERR_EXPIRED,
		  "token expired at 1970-01-01T00:00:01Z", "exp 1.5");
	time_case(&s, jwks, claims_with("exp", json_real(NOW + 3600.75)), 0, NULL,
		  "exp with a fraction");
	/* skew 60: exp = NOW - 59 passes, NOW - 59.5 is floored to NOW - 60 */
	time_case(&s, jwks, claims_with("exp", json_integer(NOW - 59)), 0, NULL,
		  "exp NOW - 59");
	time_case(&s, jwks, claims_with("exp", json_real(NOW - 59.5)),
		  ATT_ERR_EXPIRED, "token expired at 2025-06-15T15:05:40Z",
		  "exp NOW - 59.5 (floored)");

	/* nbf: NOW + 60 passes (skew), NOW + 59.5 is rounded up to NOW + 60
	 * and passes, NOW + 60.25 becomes NOW + 61 and fails. */
	time_case(&s, jwks, claims_with("nbf", json_integer(NOW + 60)), 0, NULL,
		  "nbf NOW + 60");
	time_case(&s, jwks, claims_with("nbf", json_real(NOW + 59.5)), 0, NULL,
		  "nbf NOW + 59.5");
	time_case(&s, jwks, claims_with("nbf", json_real(NOW + 60.25)),
		  ATT_ERR_NOT_YET_VALID, "token not valid before 2025-06-15T15:07:41Z",
		  "nbf NOW + 60.25 (rounded up)");
	time_case(&s, jwks, claims_with("nbf", json_real(0.5)), 0, NULL,
		  "nbf 0.5");

	/* iat in the future beyond the skew. */
	time_case(&s, jwks, claims_with("iat", json_integer(NOW + 60)), 0, NULL,
		  "iat NOW + 60 (within the skew)");
	time_case(&s, jwks, claims_with("iat", json_integer(NOW + 61)),
		  ATT_ERR_NOT_YET_VALID,
		  "token iat 2025-06-15T15:07:41Z is in the future (more than "
		  "the 60 s clock skew ahead)", "iat NOW + 61");
	time_case(&s, jwks, claims_with("iat", json_real(NOW + 60.5)),
		  ATT_ERR_NOT_YET_VALID, "token iat", "iat NOW + 60.5 (rounded up)");
	time_case(&s, jwks, claims_with("iat", json_integer(NOW + 86400 * 365)),
		  ATT_ERR_NOT_YET_VALID, "token iat 2026-06-15", "iat a year ahead");
	time_case(&s, jwks, claims_with("iat", json_integer(0)), 0, NULL,
		  "iat 0 (the past is fine)");

	/* The verifier's own time at the int64 extremes: no overflow. */
	struct att_jwt_verify_opts o = opts();
	struct att_diag d;
	json_t *c = claims_at(NOW - 10, 3600);
	o.now = INT64_MAX;
	o.skew_seconds = INT64_MAX;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_jwt_check_claims(c, &o, &d), ATT_ERR_EXPIRED);
	o.now = INT64_MIN;
	o.skew_seconds = INT64_MIN;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_jwt_check_claims(c, &o, &d), ATT_ERR_NOT_YET_VALID);
	json_decref(c);

	json_decref(jwks);
	signer_free(&s);
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
	test_malleability(ATT_JWS_RS256);
	test_malleability(ATT_JWS_PS256);
	test_malleability(ATT_JWS_ES256);
	test_jwk_canonical();
	test_time_claims();
	return att_test_done();
}
