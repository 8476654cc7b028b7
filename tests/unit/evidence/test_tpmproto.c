/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The /attest/Tpm message codec (evidence/tpm/proto.h): every message
 * round-trips through encode and decode; malformed envelopes, unknown
 * types, missing, undecodable, empty and oversized fields are refused
 * with the member named; the request payload's rules (att_type, exactly
 * one AIK form, challenge length, custom claims, attest_key, pcrs).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "evidence/tpm/proto.h"
#include "harness/tap.h"

static const uint8_t ekpub[] = {0x00, 0x04, 1, 2, 3, 4};
static const uint8_t ekcert[] = {0x30, 0x03, 1, 2, 3};
static const uint8_t aikpub[] = {0x00, 0x02, 9, 9};

/* body makes {"data": b64url(msg)}. */
static char *body(const char *msg)
{
	char *b = att_b64url_encode((const uint8_t *)msg, strlen(msg));
	size_t n = strlen(b) + 32;
	char *out = malloc(n);
	snprintf(out, n, "{\"data\":\"%s\"}", b);
	free(b);
	return out;
}

static int decode_text(const char *msg, struct att_tpmproto_msg *m,
		       struct att_diag *d)
{
	char *b = body(msg);
	att_diag_clear(d);
	int r = att_tpmproto_decode_msg(m, (const uint8_t *)b, strlen(b), d);
	free(b);
	return r;
}

static void test_client_messages(void)
{
	struct att_tpmproto_msg m;
	struct att_diag d = {0};
	char *b = NULL;
	ATT_CHECK_EQ_INT(att_tpmproto_enc_enroll(&b, ekpub, sizeof(ekpub),
						 ekcert, sizeof(ekcert), aikpub,
						 sizeof(aikpub)),
			 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_msg(&m, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK_EQ_INT(m.kind, ATT_TPMPROTO_AIKENROLL);
	ATT_CHECK(m.ek_pub.len == sizeof(ekpub) &&
		      !memcmp(m.ek_pub.p, ekpub, sizeof(ekpub)),
		  "ek_pub");
	ATT_CHECK(m.ek_cert.len == sizeof(ekcert), "ek_cert");
	ATT_CHECK(m.aik_pub.len == sizeof(aikpub) &&
		      !memcmp(m.aik_pub.p, aikpub, sizeof(aikpub)),
		  "aik_pub");
	att_tpmproto_msg_release(&m);
	free(b);

	ATT_CHECK_EQ_INT(att_tpmproto_enc_enroll(&b, ekpub, sizeof(ekpub), NULL,
						 0, aikpub, sizeof(aikpub)),
			 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_msg(&m, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK(m.ek_cert.p == NULL && m.ek_cert.len == 0, "no ek_cert");
	att_tpmproto_msg_release(&m);
	free(b);

	uint8_t secret[32] = {7};
	ATT_CHECK_EQ_INT(att_tpmproto_enc_activate(&b, secret, 32, "CTX"), 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_msg(&m, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK_EQ_INT(m.kind, ATT_TPMPROTO_AIKACTIVATE);
	ATT_CHECK(m.secret.len == 32 && m.secret.p[0] == 7, "secret");
	ATT_CHECK_EQ_STR(m.service_context, "CTX");
	att_tpmproto_msg_release(&m);
	free(b);

	ATT_CHECK_EQ_INT(att_tpmproto_enc_aikcert(&b), 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_msg(&m, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK_EQ_INT(m.kind, ATT_TPMPROTO_AIKCERT);
	att_tpmproto_msg_release(&m);
	free(b);

	ATT_CHECK_EQ_INT(att_tpmproto_enc_request(&b, "a.b.c"), 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_msg(&m, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK_EQ_INT(m.kind, ATT_TPMPROTO_REQUEST);
	ATT_CHECK_EQ_STR(m.request, "a.b.c");
	att_tpmproto_msg_release(&m);
	free(b);

	/* MAA's real init message, with metadata, decodes. */
	ATT_CHECK_EQ_INT(decode_text("{\"payload\":{\"type\":\"aikcert\"},"
				     "\"metadata\":{\"os_ver\":\"10\"}}",
				     &m, &d),
			 0);
	ATT_CHECK_EQ_INT(m.kind, ATT_TPMPROTO_AIKCERT);
	att_tpmproto_msg_release(&m);
}

static void expect_bad(const char *msg, int want, const char *needle)
{
	struct att_tpmproto_msg m;
	struct att_diag d = {0};
	int r = decode_text(msg, &m, &d);
	ATT_CHECK(r == want, "%s: got %d want %d (%s)", msg, r, want,
		  att_diag_msg(&d));
	ATT_CHECK(strstr(att_diag_msg(&d), needle) != NULL,
		  "%s: '%s' not in '%s'", msg, needle, att_diag_msg(&d));
	att_tpmproto_msg_release(&m);
}

static void test_bad_messages(void)
{
	struct att_tpmproto_msg m;
	struct att_diag d = {0};
	const char *raw[] = {"",
			     "[]",
			     "{}",
			     "{\"data\":1}",
			     "{\"data\":\"!!!\"}",
			     "{\"data\":\"\"}",
			     "{\"data\":\"bm90IGpzb24\"}",
			     "not json"};
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		int r = att_tpmproto_decode_msg(&m, (const uint8_t *)raw[i],
						strlen(raw[i]), &d);
		ATT_CHECK(r == ATT_ERR_FORMAT, "body '%s': %d", raw[i], r);
		att_tpmproto_msg_release(&m);
	}
	expect_bad("{\"nopayload\":{}}", ATT_ERR_FORMAT, "payload");
	expect_bad("{\"payload\":[]}", ATT_ERR_FORMAT, "payload");
	expect_bad("{\"payload\":{}}", ATT_ERR_FORMAT, "neither");
	expect_bad("{\"payload\":{\"type\":\"vbs\"}}", ATT_ERR_FORMAT,
		   "unknown \"type\"");
	expect_bad("{\"payload\":{\"type\":7}}", ATT_ERR_FORMAT, "\"type\"");
	expect_bad("{\"payload\":{\"type\":\"aikenroll\",\"aik_pub\":\"AAA\"}}",
		   ATT_ERR_FORMAT, "\"ek_pub\" is missing");
	expect_bad("{\"payload\":{\"type\":\"aikenroll\",\"ek_pub\":\"@@\","
		   "\"aik_pub\":\"AAA\"}}",
		   ATT_ERR_FORMAT, "\"ek_pub\" is not base64url");
	expect_bad("{\"payload\":{\"type\":\"aikenroll\",\"ek_pub\":\"\","
		   "\"aik_pub\":\"AAA\"}}",
		   ATT_ERR_FORMAT, "\"ek_pub\" must be a non-empty string");
	expect_bad(
	    "{\"payload\":{\"type\":\"aikactivate\",\"secret\":\"AAA\"}}",
	    ATT_ERR_FORMAT, "\"service_context\" is missing");
	expect_bad("{\"payload\":{\"request\":5}}", ATT_ERR_FORMAT, "request");
	expect_bad("{\"payload\":{\"type\":\"aikcert\",\"type\":\"aikcert\"}}",
		   ATT_ERR_FORMAT, "not a JSON object");

	/* A secret over ATT_TPMPROTO_MAX_SECRET_LEN bytes. */
	uint8_t big[ATT_MAX_TPM_STRUCT_LEN + 1];
	memset(big, 0xab, sizeof(big));
	char *b = NULL;
	ATT_CHECK_EQ_INT(att_tpmproto_enc_activate(&b, big, 65, "c"), 0);
	int r = att_tpmproto_decode_msg(&m, (uint8_t *)b, strlen(b), &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_LIMIT);
	att_tpmproto_msg_release(&m);
	free(b);
	/* An ek_pub one byte over ATT_MAX_TPM_STRUCT_LEN. */
	ATT_CHECK_EQ_INT(att_tpmproto_enc_enroll(&b, big, sizeof(big), NULL, 0,
						 aikpub, sizeof(aikpub)),
			 0);
	att_diag_clear(&d);
	r = att_tpmproto_decode_msg(&m, (uint8_t *)b, strlen(b), &d);
	ATT_CHECK(r == ATT_ERR_LIMIT && strstr(att_diag_msg(&d), "ek_pub"),
		  "%d %s", r, att_diag_msg(&d));
	att_tpmproto_msg_release(&m);
	free(b);
	/* Padded standard base64 is tolerated (MAA's clients send it). */
	struct att_tpmproto_msg m2;
	ATT_CHECK_EQ_INT(decode_text("{\"payload\":{\"type\":\"aikactivate\","
				     "\"secret\":\"+/8=\",\"service_context\":"
				     "\"x\"}}",
				     &m2, &d),
			 0);
	ATT_CHECK(m2.secret.len == 2 && m2.secret.p[0] == 0xfb &&
		      m2.secret.p[1] == 0xff,
		  "std alphabet");
	att_tpmproto_msg_release(&m2);
}

static void fill(struct att_tpmproto_attreq *a)
{
	static uint8_t ch[16] = {1, 2, 3};
	att_tpmproto_attreq_init(a);
	a->rp_data_raw.p = (uint8_t *)strdup("rp");
	a->rp_data_raw.len = 2;
	a->challenge.p = malloc(16);
	memcpy(a->challenge.p, ch, 16);
	a->challenge.len = 16;
	a->service_context = strdup("ctx");
	a->attest_key = json_pack("{s:s,s:s,s:s,s:s}", "kty", "EC", "crv",
				  "P-256", "x", "AA", "y", "BB");
	a->custom_claims = json_pack("[{s:s,s:i}]", "name", "n", "value", 3);
	a->aik_cert.p = malloc(3);
	memcpy(a->aik_cert.p, "\x30\x01\x00", 3);
	a->aik_cert.len = 3;
	a->quote.p = malloc(4);
	memcpy(a->quote.p, "\xff\x54\x43\x47", 4);
	a->quote.len = 4;
	a->signature.p = malloc(2);
	memcpy(a->signature.p, "\x00\x14", 2);
	a->signature.len = 2;
	a->log.p = malloc(5);
	memcpy(a->log.p, "abcde", 5);
	a->log.len = 5;
	uint8_t v[32] = {0xaa};
	a->has_pcrs = true;
	att_tpm_pcrs_add_bank(&a->pcrs, 0x000B);
	att_tpm_pcrs_set(&a->pcrs, 0x000B, 7, v, 32);
}

static void test_attreq_roundtrip(void)
{
	struct att_tpmproto_attreq a, b;
	struct att_diag d = {0};
	char *js = NULL;
	fill(&a);
	ATT_CHECK_EQ_INT(att_tpmproto_attreq_to_json(&js, &a), 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_attreq_parse(&b, (uint8_t *)js, strlen(js), &d), 0);
	ATT_CHECK_EQ_STR(b.att_type, "basic");
	ATT_CHECK_EQ_STR(b.rp_data, "cnA");
	ATT_CHECK(b.rp_data_raw.len == 2 && !memcmp(b.rp_data_raw.p, "rp", 2),
		  "rp_data bytes");
	ATT_CHECK(b.challenge.len == 16 && b.challenge.p[2] == 3, "challenge");
	ATT_CHECK_EQ_STR(b.service_context, "ctx");
	ATT_CHECK(json_equal(a.attest_key, b.attest_key), "attest_key");
	ATT_CHECK(json_equal(a.custom_claims, b.custom_claims), "claims");
	ATT_CHECK(b.aik_cert.len == 3 && !b.aik_pub.p, "aik_cert");
	ATT_CHECK(b.quote.len == 4 && b.signature.len == 2 && b.log.len == 5,
		  "blobs");
	const struct att_tpm_pcr_bank *bk =
	    att_tpm_pcrs_bank_const(&b.pcrs, 0x000B);
	ATT_CHECK(b.has_pcrs && bk && bk->mask == (1u << 7) &&
		      bk->value[7][0] == 0xaa,
		  "pcrs");
	att_tpmproto_attreq_release(&b);
	free(js);
	att_tpmproto_attreq_release(&a);
}

static void expect_bad_req(const char *json, int want, const char *needle)
{
	struct att_tpmproto_attreq a;
	struct att_diag d = {0};
	int r = att_tpmproto_attreq_parse(&a, (const uint8_t *)json,
					  strlen(json), &d);
	ATT_CHECK(r == want, "got %d want %d (%s) for %s", r, want,
		  att_diag_msg(&d), json);
	ATT_CHECK(strstr(att_diag_msg(&d), needle) != NULL, "'%s' not in '%s'",
		  needle, att_diag_msg(&d));
	att_tpmproto_attreq_release(&a);
}

#define CH "\"challenge\":\"AAAAAAAAAAAAAAAAAAAAAA\""
#define KEY "\"attest_key\":{\"kty\":\"EC\"}"
#define TPM_OK                                                                 \
	"\"tpm_att_data\":{\"aik_cert\":\"MAA\",\"quote\":\"AA\","             \
	"\"signature\":\"AA\",\"pcrs\":{}}"
#define REQ(att_data) "{\"att_type\":\"basic\",\"att_data\":{" att_data "}}"

static void test_attreq_bad(void)
{
	struct att_tpmproto_attreq a;
	struct att_diag d = {0};
	const char *ok = REQ(CH ",\"service_context\":\"c\"," KEY "," TPM_OK);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_attreq_parse(&a, (const uint8_t *)ok, strlen(ok), &d),
	    0);
	att_tpmproto_attreq_release(&a);
	expect_bad_req("{\"att_type\":\"vbs\",\"att_data\":{}}",
		       ATT_ERR_UNSUPPORTED, "only \"basic\"");
	expect_bad_req("{\"att_data\":{}}", ATT_ERR_FORMAT, "att_type");
	expect_bad_req("{\"att_type\":\"basic\"}", ATT_ERR_FORMAT, "att_data");
	expect_bad_req(REQ(CH "," KEY "," TPM_OK), ATT_ERR_FORMAT,
		       "service_context");
	expect_bad_req(
	    REQ("\"challenge\":\"AAAA\",\"service_context\":\"c\"," KEY
		"," TPM_OK),
	    ATT_ERR_FORMAT, "16 bytes");
	expect_bad_req(
	    REQ(CH ",\"service_context\":\"c\",\"attest_key\":[]," TPM_OK),
	    ATT_ERR_FORMAT, "attest_key");
	expect_bad_req(REQ(CH ",\"service_context\":\"c\","
			      "\"attest_key\":{\"kty\":{}}," TPM_OK),
		       ATT_ERR_FORMAT, "attest_key member");
	expect_bad_req(REQ(CH ",\"service_context\":\"c\"," KEY
			      ",\"tpm_att_data\":{\"aik_cert\":\"MAA\","
			      "\"aik_pub\":\"AA\",\"quote\":\"AA\","
			      "\"signature\":\"AA\",\"pcrs\":{}}"),
		       ATT_ERR_FORMAT, "exactly one");
	expect_bad_req(REQ(CH ",\"service_context\":\"c\"," KEY
			      ",\"tpm_att_data\":{\"quote\":\"AA\","
			      "\"signature\":\"AA\",\"pcrs\":{}}"),
		       ATT_ERR_FORMAT, "exactly one");
	expect_bad_req(REQ(CH ",\"service_context\":\"c\"," KEY
			      ",\"tpm_att_data\":{\"aik_cert\":\"MAA\","
			      "\"quote\":\"AA\",\"signature\":\"AA\"}"),
		       ATT_ERR_FORMAT, "\"pcrs\" is missing");
	expect_bad_req(REQ(CH ",\"service_context\":\"c\"," KEY
			      ",\"tpm_att_data\":{\"aik_cert\":\"MAA\","
			      "\"quote\":\"AA\",\"signature\":\"AA\","
			      "\"pcrs\":{\"sha256\":{\"24\":\"00\"}}}"),
		       ATT_ERR_FORMAT, "pcrs");
	expect_bad_req(REQ(CH ",\"service_context\":\"c\"," KEY
			      ",\"custom_claims\":[{\"name\":\"a\","
			      "\"value\":{}}]," TPM_OK),
		       ATT_ERR_FORMAT, "custom claim 'a'");
	expect_bad_req(REQ(CH ",\"service_context\":\"c\"," KEY
			      ",\"custom_claims\":[{\"name\":\"a\",\"value\":1,"
			      "\"value_type\":\"String\"}]," TPM_OK),
		       ATT_ERR_FORMAT, "value_type");
	expect_bad_req(
	    REQ(CH ",\"service_context\":\"c\"," KEY
		   ",\"custom_claims\":[{\"name\":\"\",\"value\":1}]," TPM_OK),
	    ATT_ERR_FORMAT, "custom_claims[0].name");
	expect_bad_req(REQ(CH ",\"service_context\":\"c\"," KEY
			      ",\"custom_claims\":[{\"name\":\"a\",\"value\":1,"
			      "\"x\":1}]," TPM_OK),
		       ATT_ERR_FORMAT, "unknown member");

	/* ATT_TPMPROTO_MAX_CUSTOM_CLAIMS + 1 claims. */
	json_t *cc = json_array();
	for (int i = 0; i <= ATT_TPMPROTO_MAX_CUSTOM_CLAIMS; i++)
		json_array_append_new(
		    cc, json_pack("{s:s,s:b}", "name", "c", "value", 1));
	json_t *o = json_pack("{s:s,s:{s:s,s:s,s:{s:s},s:o,s:{s:s,s:s,s:s,"
			      "s:{}}}}",
			      "att_type", "basic", "att_data", "challenge",
			      "AAAAAAAAAAAAAAAAAAAAAA", "service_context", "c",
			      "attest_key", "kty", "EC", "custom_claims", cc,
			      "tpm_att_data", "aik_cert", "MAA", "quote", "AA",
			      "signature", "AA", "pcrs");
	char *js = json_dumps(o, JSON_COMPACT);
	expect_bad_req(js, ATT_ERR_FORMAT, "at most 64 claims");
	free(js);
	json_decref(o);
}

static void test_answers(void)
{
	struct att_tpmproto_resp r;
	struct att_diag d = {0};
	uint8_t id[70] = {0, 68}, sec[258] = {1, 0};
	uint8_t ch[16] = {5};
	char *b = NULL;
	ATT_CHECK_EQ_INT(att_tpmproto_enc_credential(&b, id, sizeof(id), sec,
						     sizeof(sec), "sc"),
			 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_resp(&r, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK(r.credential_blob.len == 70 && r.encrypted_secret.len == 258,
		  "credential");
	ATT_CHECK_EQ_STR(r.service_context, "sc");
	att_tpmproto_resp_release(&r);
	free(b);
	ATT_CHECK_EQ_INT(att_tpmproto_enc_challenge(&b, ch, 16, "sc2"), 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_resp(&r, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK(r.challenge.len == 16 && r.challenge.p[0] == 5, "challenge");
	att_tpmproto_resp_release(&r);
	free(b);
	ATT_CHECK_EQ_INT(att_tpmproto_enc_report(&b, "x.y.z"), 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_resp(&r, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK_EQ_STR(r.report, "x.y.z");
	att_tpmproto_resp_release(&r);
	free(b);
	ATT_CHECK_EQ_INT(att_tpmproto_enc_aik_cert(&b, ekcert, sizeof(ekcert)),
			 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_resp(&r, (uint8_t *)b, strlen(b), &d), 0);
	ATT_CHECK(r.aik_cert.len == sizeof(ekcert), "aik_cert");
	att_tpmproto_resp_release(&r);
	free(b);
	/* A challenge of the wrong size is refused by the client too. */
	ATT_CHECK_EQ_INT(att_tpmproto_enc_challenge(&b, sec, 17, "sc"), 0);
	ATT_CHECK_EQ_INT(
	    att_tpmproto_decode_resp(&r, (uint8_t *)b, strlen(b), &d),
	    ATT_ERR_LIMIT);
	att_tpmproto_resp_release(&r);
	free(b);
}

int main(void)
{
	test_client_messages();
	test_bad_messages();
	test_attreq_roundtrip();
	test_attreq_bad();
	test_answers();
	return att_test_done();
}
