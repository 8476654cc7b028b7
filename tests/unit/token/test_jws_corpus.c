/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The token_jws fuzz corpus and its generator. The fuzz target
 * (fuzz/fuzz_token_jws.c, included here) verifies every input against a
 * fixed JWKS at a fixed time; this test holds the private halves of those
 * keys (test-only keys, never used elsewhere), checks that they match the
 * target's JWKS, and checks that the committed seeds named valid_* really
 * verify, so that fuzzing starts from inputs that reach the claim checks.
 * With ATT_GEN_CORPUS=DIR set it (re)writes the seeds into DIR:
 *   ATT_GEN_CORPUS=fuzz/corpus/token_jws build/unit_token_test_jws_corpus
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../../../fuzz/fuzz_token_jws.c"
#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "harness/tap.h"
#include "token/jwks.h"
#include "token/jws.h"
#include "token/jwt.h"

static const char rsa_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDOcL3R4Uo59F+j\n"
	"ORQD+BfJwncA5vmTKlYCXBCpKNhaIY2UMVKE8u2DGHhhmb/5cq2bkND6TExpeA7L\n"
	"vKVb0rx9HIEJKwlMgukysorhaGBJhpucEnIvIpBrZrHeo3YWQriJP1OOjhaO/88A\n"
	"oPMdFEy6jN++DijJZboVcr7sfHwn7LKs2YHpSsFv6oi15nQlyte724s8kD+a+S9m\n"
	"yRLwemguWVvv+hjbnEO9ZaJlICHv84hzHTr8G33hicOICSLu6AVlJ5DGkqVc5V3b\n"
	"1ARjo1L6uBiWmKljj6DeIg78lK39tTepzWQEXu5E/K7+RMRdonCDBDGWIR3aXGAl\n"
	"46jm8qEDAgMBAAECggEAAdhOS5TJjrwJQ/je6p9dSXXRJ3M1y5cAxS06dUopDzrA\n"
	"It3P+khlHAG5FBie937Xxo1xEkbIfHBqVwkwELwdtOzvMEkWRuNF0nV306zhoDaX\n"
	"2tMe+lHcqMEQGa745eXU88RBN507qvp/rwAOCPZlLloGjXj5H1enGPyS1tbQxNb1\n"
	"R66QGow/b4bS/jQXoe96X1HeboBP5oKFaV89yG0QSbbf+KNHZ77q+S9Kn9PSmH7t\n"
	"Ixa+udyKvI+VZw7t3HQHCoVxt+AG+0KJNU9EvTrsM4qHR90IE9dgEFz7ZGhLX7Zc\n"
	"L23tHWYvoHL+MWa0Ce7jtlK17KZ/4yjdeph/hOMFWQKBgQD2una4a2evwRO7ODHf\n"
	"RiMQY/CRZmJ9mFl295DSK2SZNUY3aaioty2kFRH7Y7366l4PMLALY5xq1WpWH5FD\n"
	"8jo9FK4Du7qmpwk7V5Rcm6utbFrIxljZQ1zRUaHZBfrDMunTcDad9w58vYu/ely+\n"
	"/pSvVe+i6XNxK6/9LCf9BKllewKBgQDWMrSz8FY0RHhtfs312bTYFa6BNu4S8tX0\n"
	"Aw/i2tTlOup02upmCO3wFG7Vw918xQRY882OcKX5yF2vII3ZDOZMxez3rq/CLgzi\n"
	"M53pvNaiE0TIJW55xRZPgppHzQpX4qT5DnzKoVqo75bxh0YFLjgWk6dlj902eA8F\n"
	"BQUYVL2oGQKBgD+IjIG4xp5vbZFMSytfeDAETDJk1v/Yd1E3Nsen/OOm4Ensn02y\n"
	"vcH+2v6NFKLELyxiMTL9l427HwLGZjXE7lJEPPshIFNBuBLb3oxqWa7ys/33dXGc\n"
	"8w3Do5WrAIO7XJLh1m6e69AbTx0jeTaFf+wWiPq+esetpEfhUvrIdIZ5AoGBAI8F\n"
	"FlEbRYPqv/pkc8MXVT/+4iDW+4ndaOxf6wiPEx3oA8p4rY/poG3wRr0m5cm8hxWZ\n"
	"3IOiRcCNf7hCZVQq388dTQdoNWTTeLjEvEjoVOutL/zvuV9HMIlwa/FLP//EjmDZ\n"
	"wotNx4oLR98HcsJcxQiWGGyg7ZTD/0tbubYwRt5pAoGAZtbpciCw22OyykjV73zQ\n"
	"JeSUOiC7wPRYjmGocbJ7duVvsdcc2GGYyKeqIasUMvhu++wtRmYt68qLwKJFZYoj\n"
	"mDUGKLM5Tof2psHRgr03RAxhVpZBZqmD76x5/Tt/RB2rpqNRLllmdu9+ddNN/QZc\n"
	"9z8V41tnABQpcvkDeyPHP20=\n"
	"-----END PRIVATE KEY-----\n"
	;

static const char ec_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/trYjFrbaXBDpxmx\n"
	"zfJT1XhMSnMf+5UWgrGf9KwvEImhRANCAAS1L+cJbDZqXctO4gZaJN1R2YyIUBN8\n"
	"W+gEPbd+cOT/sNxbrDxiLLHY0UPXmCLElc6v2HGpvr2IRJemP4eI8BbC\n"
	"-----END PRIVATE KEY-----\n"
	;

static struct att_pkey *rsa, *ec;
static char rsa_kid[ATT_JWK_KID_LEN], ec_kid[ATT_JWK_KID_LEN];

static json_t *claims(int64_t iat, int64_t ttl)
{
	return json_pack("{s:I,s:I,s:s,s:I,s:s,s:b,s:{s:s,s:s},s:[i,i]}",
			 "exp", (json_int_t)(iat + ttl), "iat", (json_int_t)iat,
			 "iss", ATT_FUZZ_TOKEN_ISS, "nbf", (json_int_t)iat,
			 "x-ms-attestation-type", "sgx", "x-ms-sgx-is-debuggable",
			 0, "x-ms-sgx-collateral", "quotehash", "af0e0563",
			 "qeidhash", "174a505c", "x-ms-policy-hash-list", 1, 2);
}

static char *signed_token(struct att_pkey *k, enum att_jws_alg alg,
			  const char *kid, json_t *c, bool x5c)
{
	struct att_cert *cert = NULL;
	char *tok = NULL;
	if (x5c)
		att_cert_self_signed(&cert, k, "fuzz signer", ATT_FUZZ_TOKEN_NOW - 86400,
				     ATT_FUZZ_TOKEN_NOW + 86400 * 3650);
	struct att_jwt_signer s = {.key = k, .alg = alg, .kid = kid,
				   .x5c = &cert, .n_x5c = x5c ? 1 : 0};
	att_jwt_sign(&tok, c, &s);
	att_cert_free(cert);
	json_decref(c);
	return tok;
}

static char *hs256(const char *kid)
{
	char *pem = NULL, *tok = NULL, *h64, *c64, *m64;
	uint8_t mac[32];
	att_pkey_to_pem(&pem, rsa, false);
	json_t *h = json_pack("{s:s,s:s,s:s}", "alg", "HS256", "kid", kid, "typ", "JWT");
	json_t *c = claims(ATT_FUZZ_TOKEN_NOW - 60, 3600);
	char *hs = json_dumps(h, JSON_COMPACT), *cs = json_dumps(c, JSON_COMPACT);
	h64 = att_b64url_encode((uint8_t *)hs, strlen(hs));
	c64 = att_b64url_encode((uint8_t *)cs, strlen(cs));
	size_t n = strlen(h64) + strlen(c64) + 64;
	tok = malloc(n);
	snprintf(tok, n, "%s.%s", h64, c64);
	att_hmac(ATT_MD_SHA256, mac, pem, strlen(pem), tok, strlen(tok));
	m64 = att_b64url_encode(mac, sizeof(mac));
	snprintf(tok + strlen(tok), n - strlen(tok), ".%s", m64);
	free(pem);
	free(hs);
	free(cs);
	free(h64);
	free(c64);
	free(m64);
	json_decref(h);
	json_decref(c);
	return tok;
}

/* respell changes the last character of segment seg of tok to another
 * one with the same decoded bytes (unused low bits set). */
static char *respell(char *tok, int seg)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *p = tok;
	for (int i = 0; p && i < seg; i++)
		p = strchr(p, '.') + 1;
	char *e = p ? strchr(p, '.') : NULL;
	size_t len = e ? (size_t)(e - p) : (p ? strlen(p) : 0);
	if (!p || len % 4 < 2)
		return tok; /* no unused bits: left as is (the check fails) */
	unsigned v = (unsigned)(strchr(a, p[len - 1]) - a);
	p[len - 1] = a[v | 1];
	return tok;
}

static json_t *claims_set(json_t *c, const char *name, json_t *v)
{
	json_object_set_new(c, name, v);
	return c;
}

static void put(const char *dir, const char *name, char *tok)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ATT_CHECK(f && tok, "write %s", path);
	if (f && tok)
		fputs(tok, f);
	if (f)
		fclose(f);
	free(tok);
}

static void generate(const char *dir)
{
	int64_t t = ATT_FUZZ_TOKEN_NOW - 60, ten_years = 86400LL * 3650;
	put(dir, "valid_rs256", signed_token(rsa, ATT_JWS_RS256, rsa_kid, claims(t, ten_years), false));
	put(dir, "valid_ps256", signed_token(rsa, ATT_JWS_PS256, rsa_kid, claims(t, ten_years), false));
	put(dir, "valid_es256", signed_token(ec, ATT_JWS_ES256, ec_kid, claims(t, ten_years), false));
	put(dir, "valid_es256_x5c", signed_token(ec, ATT_JWS_ES256, ec_kid, claims(t, ten_years), true));
	put(dir, "expired_rs256", signed_token(rsa, ATT_JWS_RS256, rsa_kid, claims(t - ten_years, 3600), false));
	put(dir, "nokid_es256", signed_token(ec, ATT_JWS_ES256, NULL, claims(t, ten_years), false));
	put(dir, "hs256_pubkey", hs256(rsa_kid));
	static const char pol[] = "{\"AttestationPolicy\":\"dmVyc2lvbj0gMS4wOyBhdXRob3JpemF0aW9ucnVsZXMgeyA9PiBwZXJtaXQoKTsgfTs\"}";
	char *tok = NULL;
	att_jws_unsigned(&tok, NULL, pol, strlen(pol));
	put(dir, "unsigned_policy", tok);
	json_t *h = json_pack("{s:{s:[s]}}", "jwk", "x5c", "MIIBfake");
	char *cs = json_dumps(claims(t, ten_years), JSON_COMPACT);
	tok = NULL;
	att_jws_sign(&tok, h, cs, strlen(cs), ec, ATT_JWS_ES256);
	put(dir, "jwk_x5c_es256", tok);
	json_decref(h);
	free(cs);
	put(dir, "malleable_sig_rs256", respell(signed_token(rsa, ATT_JWS_RS256, rsa_kid, claims(t, ten_years), false), 2));
	put(dir, "malleable_sig_es256", respell(signed_token(ec, ATT_JWS_ES256, ec_kid, claims(t, ten_years), false), 2));
	put(dir, "malleable_sig_ps256", respell(signed_token(rsa, ATT_JWS_PS256, rsa_kid, claims(t, ten_years), false), 2));
	put(dir, "badtime_exp_int64_min", signed_token(rsa, ATT_JWS_RS256, rsa_kid, claims_set(claims(t, ten_years), "exp", json_integer(INT64_MIN)), false));
	put(dir, "badtime_nbf_int64_max", signed_token(ec, ATT_JWS_ES256, ec_kid, claims_set(claims(t, ten_years), "nbf", json_integer(INT64_MAX)), false));
	put(dir, "badtime_iat_1e300", signed_token(rsa, ATT_JWS_PS256, rsa_kid, claims_set(claims(t, ten_years), "iat", json_real(1e300)), false));
	put(dir, "badtime_exp_string", signed_token(ec, ATT_JWS_ES256, ec_kid, claims_set(claims(t, ten_years), "exp", json_string("2099-01-01")), false));
	put(dir, "badtime_iat_future", signed_token(rsa, ATT_JWS_RS256, rsa_kid, claims_set(claims(t, ten_years), "iat", json_integer(ATT_FUZZ_TOKEN_NOW + 3600)), false));
	put(dir, "valid_exp_fraction_es256", signed_token(ec, ATT_JWS_ES256, ec_kid, claims_set(claims(t, ten_years), "exp", json_real(ATT_FUZZ_TOKEN_NOW + 3600.5)), false));
}

/* expected returns the verification result a seed must give, or 1 when
 * any result will do. */
static int expected(const char *name)
{
	static const struct {
		const char *name;
		int r;
	} want[] = {
		{"malleable_", ATT_ERR_FORMAT},
		{"badtime_iat_future", ATT_ERR_NOT_YET_VALID},
		{"badtime_", ATT_ERR_FORMAT},
		{"valid_", 0},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strncmp(name, want[i].name, strlen(want[i].name)))
			return want[i].r;
	return 1;
}

static void check_corpus(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int valid = 0, files = 0, bad = 0;
	ATT_CHECK(d != NULL, "corpus %s", dir);
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		size_t len = 0;
		snprintf(path, sizeof(path), "%.2047s/%.255s", dir, e->d_name);
		unsigned char *b = att_read_file(path, &len);
		ATT_CHECK(b != NULL, "read %s", path);
		if (!b)
			continue;
		LLVMFuzzerTestOneInput(b, len);
		files++;
		int want = expected(e->d_name);
		if (want != 1)
			ATT_CHECK(att_fuzz_token_jws_last == want, "%s: %d, want %d",
				  e->d_name, att_fuzz_token_jws_last, want);
		valid += want == 0;
		bad += want < 0;
		free(b);
	}
	if (d)
		closedir(d);
	ATT_CHECK(valid >= 5, "%d valid seeds", valid);
	ATT_CHECK(bad >= 8, "%d malleable_ and badtime_ seeds", bad);
	printf("# %d corpus files, %d valid tokens, %d refused seeds\n", files,
	       valid, bad);
}

int main(void)
{
	ATT_CHECK_EQ_INT(att_pkey_from_pem(&rsa, rsa_pem, strlen(rsa_pem)), 0);
	ATT_CHECK_EQ_INT(att_pkey_from_pem(&ec, ec_pem, strlen(ec_pem)), 0);
	if (!rsa || !ec)
		return att_test_done();
	att_jwk_kid_for(rsa_kid, rsa);
	att_jwk_kid_for(ec_kid, ec);
	/* The fuzz target's JWKS holds exactly these public keys. */
	json_t *jwks = json_loads(att_fuzz_jwks_text, 0, NULL);
	struct att_pkey *k = NULL;
	att_jwk_to_pkey(&k, att_jwks_find(jwks, rsa_kid), NULL);
	ATT_CHECK(att_pkey_equal_public(k, rsa), "fuzz JWKS RSA key");
	att_pkey_free(k);
	att_jwk_to_pkey(&k, att_jwks_find(jwks, ec_kid), NULL);
	ATT_CHECK(att_pkey_equal_public(k, ec), "fuzz JWKS EC key");
	att_pkey_free(k);
	json_decref(jwks);

	const char *gen = getenv("ATT_GEN_CORPUS");
	if (gen && *gen)
		generate(gen);
	char dir[2048];
	const char *src = getenv("ATT_SRC_DIR");
	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/token_jws", src ? src : ".");
	check_corpus(gen && *gen ? gen : dir);
	att_pkey_free(rsa);
	att_pkey_free(ec);
	return att_test_done();
}
