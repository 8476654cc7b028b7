/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: JWS parsing and JWT verification on arbitrary input.
 * Each input is parsed as a compact JWS (and its header x5c, if any, is
 * decoded), then verified as a JWT against a fixed JWKS (one RSA key
 * without an alg pin, one P-256 key pinned to ES256) at a fixed time
 * with every algorithm allowed, then decoded without verification.
 * The seeds in fuzz/corpus/token_jws are real tokens signed by the
 * private halves of these keys (tests/unit/token/test_jws_corpus.c makes
 * and checks them). att_fuzz_token_jws_last keeps the verification
 * result of the last input for that test.
 *
 * Properties checked (abort on violation): a JWS that parses re-encodes
 * to exactly its own segments (strict decoding: one spelling per token),
 * and the signing input is the first two segments; the claims of every
 * decodable token go through the time checks at the int64_t extremes of
 * the verifier's clock and skew without overflow (UBSan) and refuse any
 * exp/nbf/iat outside the NumericDate range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "token/jws.h"
#include "token/jwt.h"

#define ATT_FUZZ_TOKEN_NOW 1750000000
#define ATT_FUZZ_TOKEN_ISS "https://fuzz.attestd.test"

static const char att_fuzz_jwks_text[] =
	"{\"keys\":[{\"kid\":\"xxaezRa7t9-rMe0oW-bceBrUW3EVtlFalZQ1kmvgIZU\",\"k"
	"ty\":\"RSA\",\"use\":\"sig\",\"n\":\"znC90eFKOfRfozkUA_gXycJ3AOb5kypWAlwQq"
	"SjYWiGNlDFShPLtgxh4YZm_-XKtm5DQ-kxMaXgOy7ylW9K8fRyBCSsJTILpMrKK4"
	"WhgSYabnBJyLyKQa2ax3qN2FkK4iT9Tjo4Wjv_PAKDzHRRMuozfvg4oyWW6FXK-7"
	"Hx8J-yyrNmB6UrBb-qIteZ0JcrXu9uLPJA_mvkvZskS8HpoLllb7_oY25xDvWWiZ"
	"SAh7_OIcx06_Bt94YnDiAki7ugFZSeQxpKlXOVd29QEY6NS-rgYlpipY4-g3iIO_"
	"JSt_bU3qc1kBF7uRPyu_kTEXaJwgwQxliEd2lxgJeOo5vKhAw\",\"e\":\"AQAB\"},{"
	"\"kid\":\"np3G3bDpppbwJCAji1nz6pWMzRBcxHpdbOkrQ_OL3_0\",\"kty\":\"EC\",\""
	"alg\":\"ES256\",\"use\":\"sig\",\"crv\":\"P-256\",\"x\":\"tS_nCWw2al3LTuIGWiTd"
	"UdmMiFATfFvoBD23fnDk_7A\",\"y\":\"3FusPGIssdjRQ9eYIsSVzq_Ycam-vYhEl6"
	"Y_h4jwFsI\"}]}";

int att_fuzz_token_jws_last;
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *fuzz_jwks(void)
{
	static json_t *jwks;
	if (!jwks)
		jwks = json_loads(att_fuzz_jwks_text, 0, NULL);
	return jwks;
}

/* same_segment: encoding bytes[0..n) gives exactly seg[0..len). */
static void same_segment(const uint8_t *bytes, size_t n, const char *seg,
			 size_t len)
{
	char *e = att_b64url_encode(bytes, n);
	if (!e || strlen(e) != len || memcmp(e, seg, len) != 0)
		abort();
	free(e);
}

/* check_reencode: the decoded parts of a parsed JWS re-encode to the
 * input's segments, byte for byte. */
static void check_reencode(const struct att_jws *j, const char *s, size_t n)
{
	const char *d1 = memchr(s, '.', n);
	const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - s)) : NULL;
	uint8_t *h = NULL;
	size_t hn = 0;
	if (!d2)
		abort();
	size_t l0 = (size_t)(d1 - s), l1 = (size_t)(d2 - d1 - 1);
	if (att_b64url_decode_strict(&h, &hn, s, l0, NULL) != 0)
		abort();
	same_segment(h, hn, s, l0);
	same_segment(j->payload, j->payload_len, d1 + 1, l1);
	same_segment(j->sig, j->sig_len, d2 + 1, n - (size_t)(d2 + 1 - s));
	if (j->signing_input_len != (size_t)(d2 - s) ||
	    memcmp(j->signing_input, s, j->signing_input_len) != 0)
		abort();
	free(h);
}

static void parse_only(const char *s, size_t n)
{
	struct att_jws j;
	struct att_diag d;
	struct att_cert **chain = NULL;
	size_t nc = 0;
	att_diag_clear(&d);
	if (att_jws_parse(&j, s, n, &d) != 0)
		return;
	check_reencode(&j, s, n);
	if (att_jws_header_x5c(&chain, &nc, &j, &d) == 0)
		att_cert_chain_free(chain, nc);
	att_jws_release(&j);
}

/* in_range: claim name is absent or an integer NumericDate in range. */
static bool in_range(json_t *claims, const char *name)
{
	json_t *v = json_object_get(claims, name);
	if (!v)
		return true;
	if (json_is_integer(v))
		return json_integer_value(v) >= ATT_NUMERICDATE_MIN &&
		       json_integer_value(v) <= ATT_NUMERICDATE_MAX;
	return json_is_real(v) && json_real_value(v) >= ATT_NUMERICDATE_MIN &&
	       json_real_value(v) <= ATT_NUMERICDATE_MAX;
}

/* check_times runs the claim checks of decodable claims at extreme
 * clocks: accepted claims never carry an out-of-range NumericDate. */
static void check_times(json_t *claims)
{
	static const int64_t nows[] = {INT64_MIN, -1, 0, ATT_FUZZ_TOKEN_NOW,
				       ATT_NUMERICDATE_MAX, INT64_MAX};
	static const int64_t skews[] = {INT64_MIN, 0, 60, INT64_MAX};
	bool ok = in_range(claims, "exp") && in_range(claims, "nbf") &&
		  in_range(claims, "iat");
	for (size_t i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
		struct att_jwt_verify_opts o = {.now = nows[i],
						.skew_seconds = skews[i % 4]};
		struct att_diag d;
		att_diag_clear(&d);
		if (att_jwt_check_claims(claims, &o, &d) == 0 && !ok)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_jwt_verify_opts o = {.issuer = ATT_FUZZ_TOKEN_ISS,
					.audience = NULL,
					.now = ATT_FUZZ_TOKEN_NOW,
					.skew_seconds = 60,
					.allowed_algs = ATT_JWS_ALLOW_ALL,
					.require_exp = true};
	struct att_diag d;
	json_t *claims = NULL, *hdr = NULL;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	parse_only(s, size);
	att_diag_clear(&d);
	att_fuzz_token_jws_last =
		att_jwt_verify(&claims, &hdr, s, fuzz_jwks(), &o, &d);
	json_decref(claims);
	json_decref(hdr);
	if (att_jwt_decode_unverified(&claims, &hdr, s, &d) == 0) {
		check_times(claims);
		json_decref(claims);
		json_decref(hdr);
	}
	free(s);
	return 0;
}
