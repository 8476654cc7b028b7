/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestation request reader (src/verify/json.c) against
 * jansson, which it replaces on the attestation routes: valid and invalid
 * texts, then many mutations of realistic request bodies (a fixed-seed
 * generator), each of which must be accepted by both with equal values or
 * refused by both. Also the request decoding and the data binding checks
 * (src/verify/request.c).
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/digest.h"
#include "evidence/sgx/quote.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"
#include "verify/attest.h"

static int same_as_jansson(const char *text, size_t len)
{
	struct att_diag d = {0};
	json_t *ours = NULL;
	json_t *ref = json_loadb(text, len,
				 JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	int r = att_attest_json_parse(&ours, (const uint8_t *)text, len, &d);
	int ok = ref ? (r == 0 && json_equal(ref, ours))
		     : (r == ATT_ERR_FORMAT && !ours);
	json_decref(ref);
	json_decref(ours);
	return ok;
}

static const char *const valid[] = {
	"{}", "[]", "0", "-0", "1.5e3", "-12.25E-2", "true", "false", "null",
	"\"\"", " {\"a\" : [1, 2, {\"b\": null}] } \n",
	("{\"quote\":\"AQID-_\",\"runtimeData\":{\"data\":\"e30\","
	 "\"dataType\":\"JSON\"},\"nonce\":\"n\"}"),
	"\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\"",
	"\"utf8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	"9223372036854775807", "-9223372036854775808", "1e-400",
	"[0.0000000000000000000000000000000000000000000000000000000000000001]",
	"{\"k\\u0041\":1, \"kA2\":2}",
};

static const char *const invalid[] = {
	"", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.",
	".5", "1e", "+1", "-", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"",
	"\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
	"\"\x01\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
	"\"\xe2\x82\"", "{\"a\":1,\"a\":2}", "[1] 2", "9223372036854775808",
	"1e400", "{\"a\":1}}", "[1 2]", "\xef\xbb\xbf{}",
};

/* A deterministic generator (xorshift) for the mutations. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void mutate(char *s, size_t *len, size_t cap)
{
	static const char pool[] = "{}[]\",:\\u0123456789eE+-.tfn \x01\x80\xc3"
				   "\xa9\xff";
	size_t n = *len;
	switch (next() % 4) {
	case 0: /* replace a byte */
		if (n)
			s[next() % n] = pool[next() % (sizeof(pool) - 1)];
		break;
	case 1: /* insert a byte */
		if (n + 1 < cap) {
			size_t i = next() % (n + 1);
			memmove(s + i + 1, s + i, n - i);
			s[i] = pool[next() % (sizeof(pool) - 1)];
			(*len)++;
		}
		break;
	case 2: /* delete a byte */
		if (n) {
			size_t i = next() % n;
			memmove(s + i, s + i + 1, n - i - 1);
			(*len)--;
		}
		break;
	default: /* truncate */
		if (n)
			*len = next() % n;
	}
}

static void test_differential(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		ATT_CHECK(same_as_jansson(valid[i], strlen(valid[i])),
			  "valid text %zu: %s", i, valid[i]);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ATT_CHECK(same_as_jansson(invalid[i], strlen(invalid[i])),
			  "invalid text %zu: %s", i, invalid[i]);
	char buf[512];
	int bad = 0, accepted = 0;
	for (int round = 0; round < 30000; round++) {
		const char *seed = valid[next() % (sizeof(valid) /
						   sizeof(valid[0]))];
		size_t len = strlen(seed);
		memcpy(buf, seed, len);
		for (int k = 1 + (int)(next() % 3); k > 0; k--)
			mutate(buf, &len, sizeof(buf));
		if (!same_as_jansson(buf, len) && bad++ < 5)
			printf("# differs: %.*s\n", (int)len, buf);
		json_t *j = json_loadb(buf, len, JSON_DECODE_ANY, NULL);
		accepted += j != NULL;
		json_decref(j);
	}
	ATT_CHECK(bad == 0, "%d of 30000 mutated texts differ from jansson", bad);
	ATT_CHECK(accepted > 1000, "mutations too destructive: %d valid", accepted);
}

static void test_decode(void)
{
	struct att_attest_request r;
	struct att_diag d = {0};
	/* padded standard base64 is accepted like unpadded base64url */
	const char *b1 = "{\"quote\":\"AQID/w==\",\"runtimeData\":{\"data\":"
			 "\"eyJhIjoxfQ\",\"dataType\":\"JSON\"},"
			 "\"initTimeData\":{\"data\":\"AAE\"},\"nonce\":\"xyz\","
			 "\"draftPolicyForAttestation\":\"version=1.0;\","
			 "\"unknown\":[1]}";
	int rc = att_attest_request_decode(&r, ATT_ATTEST_SGX,
					   (const uint8_t *)b1, strlen(b1), &d);
	ATT_CHECK_EQ_INT(rc, 0);
	ATT_CHECK(r.evidence_len == 4 && r.evidence[3] == 0xff, "quote bytes");
	ATT_CHECK(r.runtime.present && r.runtime.is_json &&
			  json_integer_value(json_object_get(r.runtime.json,
							     "a")) == 1,
		  "runtime JSON");
	ATT_CHECK(r.inittime.present && !r.inittime.is_json &&
			  r.inittime.len == 2,
		  "init data defaults to Binary");
	ATT_CHECK_EQ_STR(r.nonce, "xyz");
	ATT_CHECK(r.draft && r.draft_len == 12, "draft");
	att_attest_request_release(&r);

	static const struct {
		enum att_attest_kind kind;
		const char *body, *msg;
	} bad[] = {
		{ATT_ATTEST_SGX, "", "empty"},
		{ATT_ATTEST_SGX, "[]", "must be a JSON object"},
		{ATT_ATTEST_SGX, "{\"quote\":1}", "\"quote\" must be a base64url"},
		{ATT_ATTEST_OE, "{\"quote\":\"AQID\"}", "no \"report\""},
		{ATT_ATTEST_SGX, "{\"quote\":\"A\"}", "not base64url"},
		{ATT_ATTEST_SGX,
		 "{\"quote\":\"AQID\",\"runtimeData\":{\"data\":\"AQ\","
		 "\"dataType\":\"Text\"}}",
		 "runtimeData.dataType"},
		{ATT_ATTEST_SGX,
		 "{\"quote\":\"AQID\",\"runtimeData\":{\"data\":\"WzFd\","
		 "\"dataType\":\"JSON\"}}",
		 "not a JSON object"},
		{ATT_ATTEST_SGX, "{\"quote\":\"AQID\",\"nonce\":5}",
		 "\"nonce\" must be a string"},
		{ATT_ATTEST_SGX, "{\"quote\":\"AQID\"} x", "not JSON"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		att_diag_clear(&d);
		rc = att_attest_request_decode(&r, bad[i].kind,
					       (const uint8_t *)bad[i].body,
					       strlen(bad[i].body), &d);
		ATT_CHECK(rc != 0 && strstr(att_diag_msg(&d), bad[i].msg),
			  "%s -> %d %s", bad[i].body, rc, att_diag_msg(&d));
		att_attest_request_release(&r);
	}
}

static void test_oe_header(void)
{
	uint8_t h[32] = {1, 0, 0, 0, 2, 0, 0, 0, 16};
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_attest_oe_header_check(h, sizeof(h), &d), 0);
	h[9] = 1; /* size 272 > 16 bytes that follow */
	ATT_CHECK(att_attest_oe_header_check(h, sizeof(h), &d) ==
			  ATT_ERR_FORMAT,
		  "size too large");
	h[9] = 0;
	h[4] = 1; /* local report */
	att_diag_clear(&d);
	ATT_CHECK(att_attest_oe_header_check(h, sizeof(h), &d) != 0 &&
			  strstr(att_diag_msg(&d), "report type 1"),
		  "%s", att_diag_msg(&d));
	ATT_CHECK(att_attest_oe_header_check(h, 15, &d) != 0, "short");
}

static void test_binding(void)
{
	struct att_attest_request r;
	struct att_dcap_result res;
	struct att_diag d = {0};
	uint8_t data[3] = {1, 2, 3};
	memset(&r, 0, sizeof(r));
	memset(&res, 0, sizeof(res));
	r.runtime.present = true;
	r.runtime.bytes = data;
	r.runtime.len = sizeof(data);
	res.tee = ATT_DCAP_TEE_SGX;
	att_sha256(res.sgx.report_data, data, sizeof(data));
	ATT_CHECK_EQ_INT(att_attest_binding_check(&r, &res, &d), 0);
	res.sgx.report_data[31] ^= 1;
	att_diag_clear(&d);
	ATT_CHECK(att_attest_binding_check(&r, &res, &d) == ATT_ERR_MISMATCH &&
			  strstr(att_diag_msg(&d), "report_data[0..31]"),
		  "%s", att_diag_msg(&d));
	res.tee = ATT_DCAP_TEE_TDX;
	att_sha256(res.tdx.report_data, data, sizeof(data));
	ATT_CHECK_EQ_INT(att_attest_binding_check(&r, &res, &d), 0);
	/* initTimeData: SGX needs KSS; TDX binds MRCONFIGID */
	r.runtime.present = false;
	r.inittime.present = true;
	r.inittime.bytes = data;
	r.inittime.len = sizeof(data);
	att_diag_clear(&d);
	ATT_CHECK(att_attest_binding_check(&r, &res, &d) == ATT_ERR_MISMATCH &&
			  strstr(att_diag_msg(&d), "MRCONFIGID"),
		  "%s", att_diag_msg(&d));
	att_sha256(res.tdx.mrconfigid, data, sizeof(data));
	ATT_CHECK_EQ_INT(att_attest_binding_check(&r, &res, &d), 0);
	res.tee = ATT_DCAP_TEE_SGX;
	att_sha256(res.sgx.config_id, data, sizeof(data));
	att_diag_clear(&d);
	ATT_CHECK(att_attest_binding_check(&r, &res, &d) == ATT_ERR_MISMATCH &&
			  strstr(att_diag_msg(&d), "Key Separation"),
		  "%s", att_diag_msg(&d));
	res.sgx.attributes[0] = ATT_SGX_FLAG_KSS;
	ATT_CHECK_EQ_INT(att_attest_binding_check(&r, &res, &d), 0);
}

int main(void)
{
	test_differential();
	test_decode();
	test_oe_header();
	test_binding();
	return att_test_done();
}
