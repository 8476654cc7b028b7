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
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static void parse_only(const char *s, size_t n)
{
	struct att_jws j;
	struct att_diag d;
	struct att_cert **chain = NULL;
	size_t nc = 0;
	att_diag_clear(&d);
	if (att_jws_parse(&j, s, n, &d) != 0)
		return;
	if (att_jws_header_x5c(&chain, &nc, &j, &d) == 0)
		att_cert_chain_free(chain, nc);
	att_jws_release(&j);
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
		json_decref(claims);
		json_decref(hdr);
	}
	free(s);
	return 0;
}
