/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the binding claims of policy management uploads
 * (server/polsign.h): the attestation type (any case, not another type,
 * not a non-string), iss and aud against the provider's base URL (one
 * trailing slash ignored), exp/nbf/iat at the clock-skew boundaries,
 * NumericDate ranges (INT64_MIN, INT64_MAX, 1e300, -1, fractions,
 * strings), what strict binding requires (in order: type, iat, iss or
 * aud), the payload of a reset (empty or binding claims only), duplicate
 * members, and the rollback rule. Each refusal's code and message. */
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "harness/tap.h"
#include "server/polsign.h"
#include "token/jws.h"

#define NOW 1800000000LL
#define BASE "https://att.example:8443/iso"

static struct att_diag last;

/* bind runs the check on an unsigned JWS of payload (NULL: empty). */
static int bind(const char *payload, const char *type, bool strict,
		bool reset, struct att_polsign_binding *b)
{
	struct att_polsign_expect e = {.type = type, .issuer = BASE,
				       .now = NOW, .strict = strict,
				       .reset = reset};
	struct att_polsign_binding tmp;
	struct att_jws j;
	char *jws = NULL;
	const char *pl = payload ? payload : "";
	memset(&last, 0, sizeof(last));
	att_jws_init(&j);
	int r = att_jws_unsigned(&jws, NULL, pl, strlen(pl));
	if (!r)
		r = att_jws_parse(&j, jws, strlen(jws), &last);
	if (!r)
		r = att_polsign_check_binding(b ? b : &tmp, &j, &e, &last);
	att_jws_release(&j);
	free(jws);
	return r;
}

static bool msg_has(const char *s)
{
	return strstr(last.msg, s) != NULL;
}

#define PUT(pl) bind(pl, "SgxEnclave", false, false, NULL)
#define STRICT(pl) bind(pl, "SgxEnclave", true, false, NULL)

static void test_type(void)
{
	struct att_polsign_binding b;
	ATT_CHECK_EQ_INT(bind("{\"AttestationPolicy\":\"x\"}", "Tpm", false,
			      false, &b),
			 0);
	ATT_CHECK(!b.has_type && !b.has_iss && !b.has_aud && !b.has_iat &&
			  !b.has_nbf && !b.has_exp,
		  "no claims: nothing found");
	ATT_CHECK_EQ_INT(bind("{\"x-attestd-attestation-type\":\"SgxEnclave\"}",
			      "Tpm", false, false, NULL),
			 ATT_ERR_MISMATCH);
	ATT_CHECK(msg_has("signed policy is for attestation type SgxEnclave, "
			  "not Tpm (claim x-attestd-attestation-type)"),
		  "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(bind("{\"x-attestd-attestation-type\":\"sgxENCLAVE\"}",
			      "SgxEnclave", false, false, &b),
			 0);
	ATT_CHECK(b.has_type, "case-insensitive type found");
	ATT_CHECK_EQ_INT(PUT("{\"x-attestd-attestation-type\":\"Foo\"}"),
			 ATT_ERR_MISMATCH);
	ATT_CHECK(msg_has("is for attestation type Foo, not SgxEnclave"),
		  "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(PUT("{\"x-attestd-attestation-type\":1}"),
			 ATT_ERR_FORMAT);
	ATT_CHECK(msg_has("is not an attestation type name"), "msg: %s",
		  last.msg);
	/* A NUL in a string: not JSON to this parser, refused whole. */
	ATT_CHECK_EQ_INT(
		PUT("{\"x-attestd-attestation-type\":\"SgxEnclave\\u0000x\"}"),
		ATT_ERR_INVALID_OPERATION);
	ATT_CHECK_EQ_INT(
		bind("{\"x-attestd-attestation-type\":\"SgxEnclave\\u0000x\"}",
		     "SgxEnclave", false, true, NULL),
		ATT_ERR_INVALID_OPERATION);
}

static void test_provider(void)
{
	struct att_polsign_binding b;
	ATT_CHECK_EQ_INT(bind("{\"iss\":\"" BASE "/\"}", "SgxEnclave", false,
			      false, &b),
			 0);
	ATT_CHECK(b.has_iss && !b.has_aud, "iss with a trailing slash");
	ATT_CHECK_EQ_INT(PUT("{\"iss\":\"https://att.example:8443/is\"}"),
			 ATT_ERR_MISMATCH);
	ATT_CHECK(msg_has("names issuer https://att.example:8443/is, not this "
			  "provider's " BASE " (claim iss)"),
		  "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(PUT("{\"iss\":\"" BASE "//\"}"), ATT_ERR_MISMATCH);
	ATT_CHECK_EQ_INT(PUT("{\"iss\":7}"), ATT_ERR_MISMATCH);
	ATT_CHECK(msg_has("(not a string)"), "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(bind("{\"aud\":\"" BASE "\"}", "SgxEnclave", false,
			      false, &b),
			 0);
	ATT_CHECK(b.has_aud && !b.has_iss, "aud string");
	ATT_CHECK_EQ_INT(PUT("{\"aud\":[\"https://x\",\"" BASE "\"]}"), 0);
	ATT_CHECK_EQ_INT(PUT("{\"aud\":[\"https://x\"]}"), ATT_ERR_MISMATCH);
	ATT_CHECK(msg_has("its aud does not name " BASE), "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(PUT("{\"aud\":[]}"), ATT_ERR_MISMATCH);
	ATT_CHECK_EQ_INT(PUT("{\"aud\":{\"a\":\"" BASE "\"}}"),
			 ATT_ERR_MISMATCH);
}

static int put_date(const char *name, const char *value)
{
	char pl[200];
	snprintf(pl, sizeof(pl), "{\"%s\":%s}", name, value);
	return PUT(pl);
}

static void test_times(void)
{
	char v[64];
	const long long skew = ATT_MAX_CLOCK_SKEW_SECONDS;
	snprintf(v, sizeof(v), "%lld", NOW - skew);
	ATT_CHECK_EQ_INT(put_date("exp", v), ATT_ERR_EXPIRED);
	ATT_CHECK(msg_has("signed policy expired at ") &&
			  msg_has("(claim exp)"),
		  "msg: %s", last.msg);
	snprintf(v, sizeof(v), "%lld", NOW - skew + 1);
	ATT_CHECK_EQ_INT(put_date("exp", v), 0);
	snprintf(v, sizeof(v), "%lld", NOW + skew + 1);
	ATT_CHECK_EQ_INT(put_date("nbf", v), ATT_ERR_NOT_YET_VALID);
	ATT_CHECK(msg_has("(claim nbf)"), "msg: %s", last.msg);
	snprintf(v, sizeof(v), "%lld", NOW + skew);
	ATT_CHECK_EQ_INT(put_date("nbf", v), 0);
	snprintf(v, sizeof(v), "%lld", NOW + skew + 1);
	ATT_CHECK_EQ_INT(put_date("iat", v), ATT_ERR_NOT_YET_VALID);
	ATT_CHECK(msg_has("issued in the future") && msg_has("(claim iat;"),
		  "msg: %s", last.msg);
	snprintf(v, sizeof(v), "%lld", NOW + skew);
	ATT_CHECK_EQ_INT(put_date("iat", v), 0);
	/* NumericDate range and type. */
	static const char *const bad[] = {
		"-9223372036854775808", "9223372036854775807", "-1",
		"1e300", "-0.5", "253402300800", "\"1800000000\"", "true",
		"null", "[1]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ATT_CHECK_EQ_INT(put_date("iat", bad[i]), ATT_ERR_FORMAT);
		ATT_CHECK(msg_has("binding claim iat is not a NumericDate"),
			  "%s: msg: %s", bad[i], last.msg);
		ATT_CHECK_EQ_INT(put_date("exp", bad[i]), ATT_ERR_FORMAT);
		ATT_CHECK_EQ_INT(put_date("nbf", bad[i]), ATT_ERR_FORMAT);
	}
	struct att_polsign_binding b;
	ATT_CHECK_EQ_INT(bind("{\"iat\":1700000000.75,\"exp\":253402300799}",
			      "SgxEnclave", false, false, &b),
			 0);
	ATT_CHECK(b.has_iat && b.iat == 1700000000, "fraction dropped");
	ATT_CHECK(b.has_exp && b.exp == ATT_NUMERICDATE_MAX, "max date");
	ATT_CHECK_EQ_INT(put_date("iat", "0"), 0);
}

static void test_strict(void)
{
	ATT_CHECK_EQ_INT(STRICT("{\"AttestationPolicy\":\"x\"}"),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK(msg_has("signed policy has no x-attestd-attestation-type "
			  "claim; this provider requires binding claims "
			  "(limits.policy_strict_binding"),
		  "msg: %s", last.msg);
	ATT_CHECK(msg_has(BASE), "names the provider: %s", last.msg);
	ATT_CHECK_EQ_INT(STRICT("{\"x-attestd-attestation-type\":\"SgxEnclave\","
				"\"iss\":\"" BASE "\"}"),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK(msg_has("has no iat claim"), "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(STRICT("{\"x-attestd-attestation-type\":\"SgxEnclave\","
				"\"iat\":1700000000}"),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK(msg_has("has no iss (or aud) claim"), "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(STRICT("{\"x-attestd-attestation-type\":\"SgxEnclave\","
				"\"iat\":1700000000,\"iss\":\"" BASE "\"}"),
			 0);
	ATT_CHECK_EQ_INT(STRICT("{\"x-attestd-attestation-type\":\"SgxEnclave\","
				"\"iat\":1700000000,\"aud\":\"" BASE "\"}"),
			 0);
	/* A wrong value is reported before a missing one. */
	ATT_CHECK_EQ_INT(STRICT("{\"x-attestd-attestation-type\":\"Tpm\"}"),
			 ATT_ERR_MISMATCH);
	/* A PUT payload that is not an object, or has duplicate members
	 * (which one would count?), is refused in every mode. */
	ATT_CHECK_EQ_INT(STRICT("[1,2]"), ATT_ERR_INVALID_OPERATION);
	ATT_CHECK(msg_has("the policy JWS payload is not a JSON object"),
		  "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(PUT("not json"), ATT_ERR_INVALID_OPERATION);
	ATT_CHECK_EQ_INT(PUT("{\"iat\":1,\"iat\":2}"),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK_EQ_INT(PUT(NULL), ATT_ERR_INVALID_OPERATION);
}

static void test_reset(void)
{
	ATT_CHECK_EQ_INT(bind(NULL, "SgxEnclave", false, true, NULL), 0);
	ATT_CHECK_EQ_INT(bind("{}", "SgxEnclave", false, true, NULL), 0);
	ATT_CHECK_EQ_INT(bind("{\"x-attestd-attestation-type\":\"SgxEnclave\","
			      "\"iss\":\"" BASE "\",\"aud\":\"" BASE "\","
			      "\"iat\":1,\"nbf\":1,\"exp\":1800000000}",
			      "SgxEnclave", true, true, NULL),
			 0);
	ATT_CHECK_EQ_INT(bind("{\"a\":1}", "SgxEnclave", false, true, NULL),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK(msg_has("a reset JWS must have an empty payload or only "
			  "binding claims; it has \"a\""),
		  "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(bind("{\"AttestationPolicy\":\"x\"}", "SgxEnclave",
			      false, true, NULL),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK_EQ_INT(bind("[]", "SgxEnclave", false, true, NULL),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK_EQ_INT(bind("{\"iat\":1,\"iat\":2}", "SgxEnclave", false,
			      true, NULL),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK_EQ_INT(bind("{\"x-attestd-attestation-type\":\"SgxEnclave\"}",
			      "TdxVm", false, true, NULL),
			 ATT_ERR_MISMATCH);
	ATT_CHECK(msg_has("signed reset is for attestation type SgxEnclave, "
			  "not TdxVm"),
		  "msg: %s", last.msg);
	ATT_CHECK_EQ_INT(bind(NULL, "SgxEnclave", true, true, NULL),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK(msg_has("signed reset has no x-attestd-attestation-type"),
		  "msg: %s", last.msg);
}

static void test_rollback(void)
{
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_polsign_check_rollback(5, 0, false, "Tpm", &d), 0);
	ATT_CHECK_EQ_INT(att_polsign_check_rollback(6, 5, false, "Tpm", &d), 0);
	ATT_CHECK_EQ_INT(att_polsign_check_rollback(5, 5, true, "Tpm", &d), 0);
	ATT_CHECK_EQ_INT(att_polsign_check_rollback(5, 5, false, "Tpm", &d),
			 ATT_ERR_REPLAY);
	ATT_CHECK(strstr(d.msg, "is the same as the current Tpm policy's iat") !=
			  NULL,
		  "msg: %s", d.msg);
	memset(&d, 0, sizeof(d));
	ATT_CHECK_EQ_INT(att_polsign_check_rollback(1700000000, 1700000100,
						    true, "SgxEnclave", &d),
			 ATT_ERR_REPLAY);
	ATT_CHECK(strstr(d.msg, "rollback refused: the upload's iat "
				"2023-11-14T22:13:20Z (1700000000) is older "
				"than the current SgxEnclave policy's iat "
				"2023-11-14T22:15:00Z (1700000100)") != NULL,
		  "msg: %s", d.msg);
	ATT_CHECK(strstr(d.msg, "limits.policy_strict_binding") != NULL,
		  "names the setting");
}

int main(void)
{
	test_type();
	test_provider();
	test_times();
	test_strict();
	test_reset();
	test_rollback();
	return att_test_done();
}
