/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the byte cursor, the buffer, diag and time helpers. */
#include <stdint.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/cur.h"
#include "base/diag.h"
#include "base/timeutil.h"
#include "harness/tap.h"

static void test_ints(void)
{
	const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	struct att_cur c;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;
	uint8_t v8;
	att_cur_init(&c, b, sizeof(b));
	ATT_CHECK_EQ_INT(att_cur_get_u8(&c, &v8), 0);
	ATT_CHECK_EQ_INT(v8, 1);
	ATT_CHECK_EQ_INT(att_cur_get_u16le(&c, &v16), 0);
	ATT_CHECK_EQ_INT(v16, 0x0302);
	ATT_CHECK_EQ_INT(att_cur_get_u16be(&c, &v16), 0);
	ATT_CHECK_EQ_INT(v16, 0x0405);
	ATT_CHECK_EQ_INT(att_cur_get_u32le(&c, &v32), 0);
	ATT_CHECK_EQ_INT(v32, 0x09080706);
	ATT_CHECK_EQ_INT(att_cur_get_u32be(&c, &v32), 0);
	ATT_CHECK_EQ_INT(v32, 0x0a0b0c0d);
	ATT_CHECK_EQ_INT(c.len, 2);
	/* A failed read leaves the cursor unchanged and zeroes the output. */
	v64 = 99;
	ATT_CHECK_EQ_INT(att_cur_get_u64le(&c, &v64), ATT_ERR_TRUNCATED);
	ATT_CHECK_EQ_INT(v64, 0);
	ATT_CHECK_EQ_INT(c.len, 2);
	ATT_CHECK_EQ_INT(att_cur_expect_end(&c), ATT_ERR_TRAILING);
	ATT_CHECK_EQ_INT(att_cur_skip(&c, 2), 0);
	ATT_CHECK_EQ_INT(att_cur_expect_end(&c), 0);
	ATT_CHECK_EQ_INT(att_cur_skip(&c, 1), ATT_ERR_TRUNCATED);
	att_cur_init(&c, b, sizeof(b));
	ATT_CHECK_EQ_INT(att_cur_get_u64be(&c, &v64), 0);
	ATT_CHECK(v64 == 0x0102030405060708ull, "u64be");
}

static void test_prefixed(void)
{
	const uint8_t ok[] = {0, 3, 'a', 'b', 'c', 9};
	const uint8_t bad[] = {0, 9, 'a', 'b'};
	struct att_cur c, sub;
	att_cur_init(&c, ok, sizeof(ok));
	ATT_CHECK_EQ_INT(att_cur_get_u16be_prefixed(&c, &sub), 0);
	ATT_CHECK_EQ_INT(sub.len, 3);
	ATT_CHECK(sub.p == ok + 2, "borrowed");
	ATT_CHECK_EQ_INT(c.len, 1);
	att_cur_init(&c, bad, sizeof(bad));
	ATT_CHECK_EQ_INT(att_cur_get_u16be_prefixed(&c, &sub),
			 ATT_ERR_TRUNCATED);
	ATT_CHECK_EQ_INT(c.len, sizeof(bad));
	ATT_CHECK(c.p == bad, "cursor unchanged after failure");
	ATT_CHECK(sub.p == NULL && sub.len == 0, "output zeroed");
	/* Every prefix of a length-prefixed value is truncated. */
	for (size_t k = 0; k < sizeof(ok) - 1; k++) {
		att_cur_init(&c, ok, k);
		int r = att_cur_get_u16be_prefixed(&c, &sub);
		ATT_CHECK(k >= 5 ? r == 0 : r == ATT_ERR_TRUNCATED, "prefix %zu",
			  k);
	}
	const uint8_t le32[] = {2, 0, 0, 0, 'x', 'y'};
	att_cur_init(&c, le32, sizeof(le32));
	ATT_CHECK_EQ_INT(att_cur_get_u32le_prefixed(&c, &sub), 0);
	ATT_CHECK_EQ_INT(sub.len, 2);
	/* A huge declared length must not wrap. */
	const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 1};
	att_cur_init(&c, huge, sizeof(huge));
	ATT_CHECK_EQ_INT(att_cur_get_u32le_prefixed(&c, &sub),
			 ATT_ERR_TRUNCATED);
}

static void test_buf(void)
{
	struct att_buf b;
	att_buf_init(&b, 8);
	ATT_CHECK_EQ_INT(att_buf_adds(&b, "abc"), 0);
	ATT_CHECK_EQ_INT(att_buf_addf(&b, "%d", 12), 0);
	ATT_CHECK_EQ_STR(att_buf_cstr(&b), "abc12");
	ATT_CHECK_EQ_INT(att_buf_adds(&b, "toolong"), ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(b.len, 0); /* released on failure */
	att_buf_release(&b);
	att_buf_release(NULL);
}

static void test_diag_time(void)
{
	struct att_diag d;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_diag_set(&d, ATT_ERR_FORMAT, "first %d", 1),
			 ATT_ERR_FORMAT);
	att_diag_set(&d, ATT_ERR_IO, "second");
	ATT_CHECK_EQ_STR(att_diag_msg(&d), "first 1");
	ATT_CHECK_EQ_INT(att_diag_set(NULL, ATT_ERR_IO, "x"), ATT_ERR_IO);
	int64_t t;
	ATT_CHECK_EQ_INT(att_time_parse(&t, "2025-07-01T00:00:00Z"), 0);
	ATT_CHECK_EQ_INT(t, 1751328000);
	ATT_CHECK_EQ_INT(att_time_parse(&t, "2025-07-01T02:00:00.123+02:00"),
			 0);
	ATT_CHECK_EQ_INT(t, 1751328000);
	ATT_CHECK_EQ_INT(att_time_parse(&t, "2025-13-01T00:00:00Z"),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_time_parse(&t, "2025-07-01"), ATT_ERR_FORMAT);
	char s[32];
	att_time_format(s, sizeof(s), 951782400); /* leap day 2000 */
	ATT_CHECK_EQ_STR(s, "2000-02-29T00:00:00Z");
	att_time_format(s, sizeof(s), 0);
	ATT_CHECK_EQ_STR(s, "1970-01-01T00:00:00Z");
	ATT_CHECK_EQ_STR(att_strerror(ATT_ERR_TRUNCATED), "input truncated");
	ATT_CHECK_EQ_STR(att_errname(ATT_ERR_TRAILING), "ATT_ERR_TRAILING");
}

int main(void)
{
	test_ints();
	test_prefixed();
	test_buf();
	test_diag_time();
	return att_test_done();
}
