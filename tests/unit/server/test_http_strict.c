/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: strict checks of the request target (length, parameter
 * count, escapes, %00, encoded control bytes and '/', bytes a URI cannot
 * hold, repeated parameter names) and of header fields (Host,
 * Content-Length, Transfer-Encoding, duplicates, field-name and value
 * syntax, the field count), with the status and message of each
 * refusal, and what real clients send passing. */
#include <stdarg.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "server/http_strict.h"

static int target(const char *t, struct att_http_refusal *r)
{
	memset(r, 0, sizeof(*r));
	return att_http_check_target(t, t ? strlen(t) : 0, r);
}

/* expect_target: t is refused with status and a message holding want. */
static void expect_target(const char *t, unsigned status, const char *want)
{
	struct att_http_refusal r;
	int e = target(t, &r);
	ATT_CHECK(e != 0, "target \"%.60s\" accepted", t);
	ATT_CHECK_EQ_INT(r.status, status);
	ATT_CHECK(strstr(r.message, want) != NULL,
		  "target \"%.60s\": message \"%s\" lacks \"%s\"", t,
		  r.message, want);
	ATT_CHECK(r.code != NULL && r.code[0], "code set");
}

static void test_target_ok(void)
{
	static const char *ok[] = {
		"/",
		"/healthz",
		"/attest/SgxEnclave?api-version=2022-08-01",
		"/policies/SgxEnclave?api-version=2020-10-01",
		"/p2/certs",
		"/.well-known/openid-configuration?api-version=2025-06-01",
		"/certs?a=1&b=%20x&c",
		"/x?q=a/b?c:d@e!$'()*+,;=~._-",
		"/a%41b",
		"/certs?",
	};
	struct att_http_refusal r;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ATT_CHECK(target(ok[i], &r) == 0, "\"%s\" refused: %s", ok[i],
			  r.message);
}

static void test_target_refused(void)
{
	char big[ATT_MAX_HTTP_TARGET_LEN + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = 0;
	expect_target(big, 414, "the limit is 8192");
	big[ATT_MAX_HTTP_TARGET_LEN] = 0; /* exactly the limit */
	struct att_http_refusal r;
	ATT_CHECK(target(big, &r) == 0, "a target of exactly the limit");

	/* 600 parameters: the 4 KB URL. */
	char q[8192];
	size_t n = (size_t)snprintf(q, sizeof(q), "/healthz?");
	for (int i = 0; i < 600; i++)
		n += (size_t)snprintf(q + n, sizeof(q) - n, "%sa%d=%d",
				      i ? "&" : "", i, i);
	expect_target(q, 414, "600 query parameters; the limit is 64");
	ATT_CHECK_EQ_INT(target(q, &r), ATT_ERR_LIMIT);
	/* 64 parameters pass, 65 do not; '&' alone separates. */
	n = (size_t)snprintf(q, sizeof(q), "/x?");
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(q + n, sizeof(q) - n, "%sp%d", i ? "&" : "",
				      i);
	ATT_CHECK(target(q, &r) == 0, "64 parameters: %s", r.message);
	snprintf(q + n, sizeof(q) - n, "&p64");
	expect_target(q, 414, "65 query parameters");
	memset(q, '&', 700);
	memcpy(q, "/?", 2);
	q[700] = 0;
	expect_target(q, 414, "query parameters; the limit is 64");

	expect_target("/heal%00thz", 400, "encoded NUL (%00) at byte 5");
	expect_target("/certs?api-version=2020-10-01%00x", 400,
		      "encoded NUL");
	expect_target("/certs?a%00=1", 400, "encoded NUL");
	expect_target("/a%0d%0aSet-Cookie:x", 400,
		      "encoded control character (%0D)");
	expect_target("/a%7f", 400, "encoded control character (%7F)");
	expect_target("/policies%2FSgxEnclave", 400, "encoded '/' (%2F)");
	ATT_CHECK(target("/x?path=a%2Fb", &r) == 0,
		  "%%2F in the query is fine");
	expect_target("/a%zz", 400, "not followed by two hex digits");
	expect_target("/a%4", 400, "not followed by two hex digits");
	expect_target("/a%", 400, "not followed by two hex digits");
	expect_target("/health z", 400, "byte 0x20 at byte 7");
	expect_target("/a\tb", 400, "byte 0x09");
	expect_target("/a#frag", 400, "byte 0x23");
	expect_target("/a\"b", 400, "byte 0x22");
	expect_target("/\xc3\xa9", 400, "byte 0xc3");
	expect_target("/a{b}", 400, "byte 0x7b");
	expect_target("/a\\b", 400, "byte 0x5c");
	expect_target("", 400, "starting with '/'");
	expect_target(NULL, 400, "starting with '/'");
	expect_target("*", 400, "starting with '/'");
	expect_target("https://127.0.0.1/certs", 400, "starting with '/'");
	expect_target("/certs?api-version=1&api-version=2", 400,
		      "\"api-version\" is given more than once");
	expect_target("/certs?api-version=1&api%2Dversion=2", 400,
		      "given more than once");
	expect_target("/certs?a&b&a=3", 400, "\"a\" is given");
	ATT_CHECK(target("/certs?&&a=1", &r) == 0,
		  "empty segments are not names given twice: %s", r.message);
}

/* ---- header fields ---- */

#define F(n, v) {n, sizeof(n) - 1, v, sizeof(v) - 1}

static int fields(const struct att_http_field *f, size_t n, bool http11,
		  struct att_http_refusal *r)
{
	memset(r, 0, sizeof(*r));
	return att_http_check_fields(f, n, http11, r);
}

static void expect_fields(const struct att_http_field *f, size_t n,
			  bool http11, int err, unsigned status,
			  const char *want)
{
	struct att_http_refusal r;
	ATT_CHECK_EQ_INT(fields(f, n, http11, &r), err);
	ATT_CHECK_EQ_INT(r.status, status);
	ATT_CHECK(strstr(r.message, want) != NULL,
		  "message \"%s\" lacks \"%s\"", r.message, want);
}

static void test_fields_ok(void)
{
	struct att_http_refusal r;
	/* What curl, the Azure SDK (undici) and openssl s_client send. */
	const struct att_http_field curl[] = {
		F("Host", "127.0.0.1:8443"), F("User-Agent", "curl/7.88.1"),
		F("Accept", "*/*"), F("Content-Type", "application/json"),
		F("Content-Length", "123"),
		F("Authorization", "Bearer eyJ0.eyJ1.c2ln")};
	ATT_CHECK(fields(curl, 6, true, &r) == 0, "curl: %s", r.message);
	const struct att_http_field chunked[] = {
		F("host", "attest.example.com"),
		F("transfer-encoding", " Chunked "),
		F("connection", "keep-alive"),
		F("x-ms-client-request-id", "a\tb\x80\xff")};
	ATT_CHECK(fields(chunked, 4, true, &r) == 0, "chunked: %s",
		  r.message);
	const struct att_http_field same_len[] = {
		F("Host", "[::1]:8443"), F("Content-Length", "5"),
		F("content-length", "005"), F("Content-Length", "5, 5")};
	ATT_CHECK(fields(same_len, 4, true, &r) == 0,
		  "equal Content-Length values: %s", r.message);
	const struct att_http_field http10[] = {F("Accept", "*/*")};
	ATT_CHECK(fields(http10, 1, false, &r) == 0,
		  "HTTP/1.0 needs no Host: %s", r.message);
	ATT_CHECK(fields(NULL, 0, false, &r) == 0, "no fields, HTTP/1.0");
	const struct att_http_field empty_host[] = {F("Host", "")};
	ATT_CHECK(fields(empty_host, 1, true, &r) == 0, "empty Host (RFC 9112)");
}

static void test_fields_refused(void)
{
	const struct att_http_field two_hosts[] = {F("Host", "a"),
						   F("HOST", "b")};
	expect_fields(two_hosts, 2, true, ATT_ERR_FORMAT, 400,
		      "2 Host header fields; one is allowed");
	const struct att_http_field same_hosts[] = {F("Host", "a"),
						    F("Host", "a")};
	expect_fields(same_hosts, 2, true, ATT_ERR_FORMAT, 400, "2 Host");
	const struct att_http_field no_host[] = {F("Accept", "*/*")};
	expect_fields(no_host, 1, true, ATT_ERR_FORMAT, 400,
		      "an HTTP/1.1 request needs a Host header field");
	const struct att_http_field bad_host[] = {F("Host", "a b")};
	expect_fields(bad_host, 1, true, ATT_ERR_FORMAT, 400,
		      "the Host header \"a b\" is not a host");
	const struct att_http_field slash_host[] = {F("Host", "a/b@c")};
	expect_fields(slash_host, 1, true, ATT_ERR_FORMAT, 400, "Host header");

	const struct att_http_field cl2[] = {F("Host", "a"),
					     F("Content-Length", "2"),
					     F("Content-Length", "3")};
	expect_fields(cl2, 3, true, ATT_ERR_FORMAT, 400,
		      "conflicting Content-Length values (2 and 3)");
	const struct att_http_field cl_list[] = {F("Host", "a"),
						 F("Content-Length", "4, 40")};
	expect_fields(cl_list, 2, true, ATT_ERR_FORMAT, 400,
		      "conflicting Content-Length values (4 and 40)");
	static const char *bad_lengths[] = {"", "-1", "+5", "0x10", "1 2",
					    "12345678901234567890", "5,",
					    "abc"};
	for (size_t i = 0; i < sizeof(bad_lengths) / sizeof(bad_lengths[0]);
	     i++) {
		const struct att_http_field f[] = {
			F("Host", "a"),
			{"Content-Length", 14, bad_lengths[i],
			 strlen(bad_lengths[i])}};
		expect_fields(f, 2, true, ATT_ERR_FORMAT, 400,
			      "is not a decimal number");
	}

	const struct att_http_field cl_te[] = {
		F("Host", "a"), F("Content-Length", "4"),
		F("Transfer-Encoding", "chunked")};
	expect_fields(cl_te, 3, true, ATT_ERR_FORMAT, 400,
		      "both Content-Length and Transfer-Encoding");
	const struct att_http_field te_gzip[] = {
		F("Host", "a"), F("Transfer-Encoding", "gzip, chunked")};
	expect_fields(te_gzip, 2, true, ATT_ERR_UNSUPPORTED, 501,
		      "transfer coding \"gzip\" is not supported");
	const struct att_http_field te_two[] = {
		F("Host", "a"), F("Transfer-Encoding", "chunked"),
		F("Transfer-Encoding", "chunked")};
	expect_fields(te_two, 3, true, ATT_ERR_FORMAT, 400,
		      "names chunked more than once");
	const struct att_http_field te_last[] = {
		F("Host", "a"), F("Transfer-Encoding", "chunked, identity")};
	expect_fields(te_last, 2, true, ATT_ERR_UNSUPPORTED, 501,
		      "\"identity\" is not supported");
	const struct att_http_field te_empty[] = {
		F("Host", "a"), F("Transfer-Encoding", " ")};
	expect_fields(te_empty, 2, true, ATT_ERR_FORMAT, 400,
		      "empty transfer coding");
	const struct att_http_field te_10[] = {
		F("Transfer-Encoding", "chunked")};
	expect_fields(te_10, 1, false, ATT_ERR_FORMAT, 400,
		      "Transfer-Encoding in an HTTP/1.0 request");

	const struct att_http_field ws_name[] = {F("Host ", "a")};
	expect_fields(ws_name, 1, true, ATT_ERR_FORMAT, 400,
		      "whitespace before the colon");
	const struct att_http_field empty_name[] = {F("Host", "a"),
						    F("", "x")};
	expect_fields(empty_name, 2, true, ATT_ERR_FORMAT, 400, "empty name");
	const struct att_http_field ctl[] = {F("Host", "a"),
					     F("X-A", "a\rb")};
	expect_fields(ctl, 2, true, ATT_ERR_FORMAT, 400,
		      "header field \"X-A\" has control byte 0x0d");
	const struct att_http_field nul[] = {F("Host", "a"),
					     {"X-B", 3, "a\0b", 3}};
	expect_fields(nul, 2, true, ATT_ERR_FORMAT, 400, "control byte 0x00");
	const struct att_http_field del[] = {F("Host", "a"), F("X-C", "\x7f")};
	expect_fields(del, 2, true, ATT_ERR_FORMAT, 400, "control byte 0x7f");
	const struct att_http_field ct2[] = {F("Host", "a"),
					     F("Content-Type", "a/b"),
					     F("content-type", "c/d")};
	expect_fields(ct2, 3, true, ATT_ERR_FORMAT, 400,
		      "2 Content-Type header fields");
	const struct att_http_field auth2[] = {F("Host", "a"),
					       F("Authorization", "Bearer x"),
					       F("Authorization", "Bearer y")};
	expect_fields(auth2, 3, true, ATT_ERR_FORMAT, 400,
		      "2 Authorization header fields");

	/* The names quoted in messages are cut and made printable. */
	char longname[200];
	memset(longname, 'N', sizeof(longname));
	longname[150] = ' ';
	const struct att_http_field lng[] = {
		{longname, sizeof(longname), "v", 1}};
	struct att_http_refusal r;
	ATT_CHECK(fields(lng, 1, false, &r) != 0, "long bad name");
	ATT_CHECK(strlen(r.message) < 200 && strstr(r.message, "...") != NULL,
		  "long name cut: %s", r.message);

	struct att_http_field many[ATT_MAX_HTTP_HEADER_FIELDS + 1];
	for (size_t i = 0; i < ATT_MAX_HTTP_HEADER_FIELDS + 1; i++)
		many[i] = (struct att_http_field)F("X-A", "1");
	many[0] = (struct att_http_field)F("Host", "a");
	expect_fields(many, ATT_MAX_HTTP_HEADER_FIELDS + 1, true,
		      ATT_ERR_LIMIT, 431, "101 header fields; the limit is 100");
	ATT_CHECK(fields(many, ATT_MAX_HTTP_HEADER_FIELDS, true, &r) == 0,
		  "exactly the field limit: %s", r.message);
}

int main(void)
{
	test_target_ok();
	test_target_refused();
	test_fields_ok();
	test_fields_refused();
	return att_test_done();
}
