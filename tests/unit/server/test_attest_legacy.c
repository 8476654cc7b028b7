/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api-version 2018-09-01-preview (issue 12, server/api_attest.h): the
 * request body {"Quote", "EnclaveHeldData"} becomes the 2020-10-01 body
 * (every prefix and byte mutation of a good body is handled without a
 * crash, and what is accepted names a quote), and the verifier's claim
 * set becomes the token claims of that version: against the real 2018
 * token tests/vectors/maa/real-outputs/oe-2018preview-uks.json, the same
 * claim names (less the time and issuer claims the signer adds) and no
 * x-ms-* claim, with maa-policyHash the hex of the x-ms-policy-hash bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "server/api_attest.h"

static void test_body(void)
{
	const char *in = "{\"Quote\":\"AQID\",\"EnclaveHeldData\":\"BAU\"}";
	struct att_diag d = {0};
	char *out = NULL;
	ATT_CHECK_EQ_INT(att_attest_legacy_body(&out, false,
						(const uint8_t *)in,
						strlen(in), &d),
			 0);
	ATT_CHECK_EQ_STR(out, "{\"quote\":\"AQID\",\"runtimeData\":{\"data\":"
			      "\"BAU\",\"dataType\":\"Binary\"}}");
	free(out);
	out = NULL;
	const char *oe = "{\"Quote\":\"AQID\"}";
	ATT_CHECK_EQ_INT(att_attest_legacy_body(&out, true,
						(const uint8_t *)oe,
						strlen(oe), &d),
			 0);
	ATT_CHECK_EQ_STR(out, "{\"report\":\"AQID\"}");
	free(out);
	static const char *bad[] = {
		"", "[]", "{}", "{\"quote\":\"AQID\"}", "{\"Quote\":1}",
		"{\"Quote\":\"AQID\",\"EnclaveHeldData\":{}}",
		"{\"Quote\":\"a\",\"Quote\":\"b\"}", "\"AQID\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = NULL;
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_attest_legacy_body(&out, false,
							(const uint8_t *)bad[i],
							strlen(bad[i]), &d),
				 ATT_ERR_FORMAT);
		ATT_CHECK(out == NULL && strstr(att_diag_msg(&d), "2018"),
			  "bad[%zu]: %s", i, att_diag_msg(&d));
	}
	/* every proper prefix of the good body is refused */
	size_t n = strlen(in), refused = 0;
	for (size_t i = 0; i < n; i++) {
		out = NULL;
		if (att_attest_legacy_body(&out, false, (const uint8_t *)in, i,
					   &d) != 0)
			refused++;
		free(out);
	}
	ATT_CHECK_EQ_INT(refused, n);
	/* byte mutations: accepted ones always carry a quote */
	char m[64];
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 8; b++) {
			memcpy(m, in, n);
			m[i] = (char)(m[i] ^ (1 << b));
			out = NULL;
			if (att_attest_legacy_body(&out, false,
						   (const uint8_t *)m, n,
						   &d) == 0)
				ATT_CHECK(out && strstr(out, "\"quote\":"),
					  "mutation %zu/%u", i, b);
			free(out);
		}
}

/* The claim names of the real 2018 token, less exp/iat/nbf/iss. */
static const char *const real_names[] = {
	"is-debuggable",  "maa-attestationcollateral", "maa-ehd",
	"maa-policyHash", "product-id",		       "sgx-mrenclave",
	"sgx-mrsigner",	  "svn",		       "tee",
};

static void test_claims(void)
{
	json_error_t je;
	json_t *real = json_load_file(
		"tests/vectors/maa/real-outputs/oe-2018preview-uks.json", 0,
		&je);
	json_t *rp = json_object_get(real, "payload");
	ATT_CHECK(rp != NULL, "real 2018 token: %s", je.text);
	for (size_t i = 0; i < sizeof(real_names) / sizeof(real_names[0]); i++)
		ATT_CHECK(json_object_get(rp, real_names[i]) != NULL,
			  "the real token has %s", real_names[i]);
	/* A 2020-10-01 claim set as the verifier makes it for SGX, with the
	 * default policy's issued claims. */
	json_t *c = json_pack(
		"{s:b, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b,"
		" s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
		"is-debuggable", 0, "sgx-mrenclave", "90a3", "sgx-mrsigner",
		"6b1f", "product-id", 1, "svn", 8888, "tee", "sgx", "jti", "j", "aas-ehd", "AQID",
		"x-ms-ver", "1.0", "x-ms-attestation-type", "sgx",
		"x-ms-policy-hash",
		"bROrN897ZfWmWY2V0FLUlu3uwk5xatGnKYHn3zBbSlw", "x-ms-sgx-ehd",
		"AQID", "x-ms-sgx-is-debuggable", 0, "x-ms-sgx-collateral",
		"qeidcertshash", "a1", "qeidcrlhash", "a2", "qeidhash", "a3",
		"quotehash", "a4", "tcbinfocertshash", "a5", "tcbinfocrlhash",
		"a6", "tcbinfohash", "a7");
	struct att_diag d = {0};
	ATT_CHECK(c != NULL, "claims");
	ATT_CHECK_EQ_INT(att_attest_legacy_claims(c, &d), 0);
	const char *k;
	json_t *v;
	size_t names = 0;
	json_object_foreach(c, k, v)
	{
		ATT_CHECK(strncmp(k, "x-ms-", 5) != 0 && strcmp(k, "jti") != 0,
			  "no %s in a 2018 token", k);
		ATT_CHECK(json_object_get(rp, k) != NULL,
			  "%s is a claim of the real 2018 token", k);
		names++;
	}
	ATT_CHECK_EQ_INT(names, sizeof(real_names) / sizeof(real_names[0]));
	/* hex of the 32 bytes of x-ms-policy-hash, the real token's form */
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(c, "maa-policyHash")),
			 "6d13ab37cf7b65f5a6598d95d052d496edeec24e716ad1a72981e7df305b4a5c");
	ATT_CHECK_EQ_INT(strlen(json_string_value(json_object_get(
				 rp, "maa-policyHash"))),
			 64);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(c, "maa-ehd")),
			 "AQID");
	json_t *col = json_object_get(c, "maa-attestationcollateral");
	json_t *rcol = json_object_get(rp, "maa-attestationcollateral");
	ATT_CHECK_EQ_INT(json_object_size(col), json_object_size(rcol));
	json_object_foreach(rcol, k, v)
		ATT_CHECK(json_object_get(col, k) != NULL, "collateral %s", k);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(col, "maa-quotehash")),
			 "a4");
	json_decref(c);

	/* a claim set without a usable policy hash is refused, not signed */
	c = json_pack("{s:s}", "x-ms-policy-hash", "not-32-bytes");
	att_diag_clear(&d);
	ATT_CHECK(att_attest_legacy_claims(c, &d) != 0, "bad policy hash");
	json_decref(c);
	json_decref(real);
}

int main(void)
{
	test_body();
	test_claims();
	return att_test_done();
}
