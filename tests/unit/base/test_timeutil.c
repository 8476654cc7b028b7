/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time helpers on every int64_t: att_time_format at INT64_MIN, INT64_MAX,
 * -1 and the bounds of the text range (years 0000..9999), short buffers,
 * a parse/format round trip over the whole text range, and
 * att_days_from_civil with absurd years, months and days. Run under
 * UBSan, an overflow anywhere here aborts the test.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "harness/tap.h"

static const char *fmt(int64_t t)
{
	static char s[64];
	att_time_format(s, sizeof(s), t);
	return s;
}

static void test_format_extremes(void)
{
	ATT_CHECK_EQ_STR(fmt(INT64_MIN), "@-9223372036854775808");
	ATT_CHECK_EQ_STR(fmt(INT64_MAX), "@9223372036854775807");
	ATT_CHECK_EQ_STR(fmt(INT64_MIN + 1), "@-9223372036854775807");
	ATT_CHECK_EQ_STR(fmt(-1), "1969-12-31T23:59:59Z");
	ATT_CHECK_EQ_STR(fmt(0), "1970-01-01T00:00:00Z");
	ATT_CHECK_EQ_STR(fmt(1), "1970-01-01T00:00:01Z");
	ATT_CHECK_EQ_STR(fmt(ATT_TIME_TEXT_MIN), "0000-01-01T00:00:00Z");
	ATT_CHECK_EQ_STR(fmt(ATT_TIME_TEXT_MIN - 1), "@-62167219201");
	ATT_CHECK_EQ_STR(fmt(ATT_TIME_TEXT_MAX), "9999-12-31T23:59:59Z");
	ATT_CHECK_EQ_STR(fmt(ATT_TIME_TEXT_MAX + 1), "@253402300800");
	ATT_CHECK_EQ_STR(fmt(ATT_NUMERICDATE_MAX), "9999-12-31T23:59:59Z");
	ATT_CHECK_EQ_STR(fmt(-86400LL * 365), "1969-01-01T00:00:00Z");
	ATT_CHECK_EQ_STR(fmt(951782400), "2000-02-29T00:00:00Z");

	/* Short buffers: truncated, always terminated; 0 writes nothing. */
	char s[8];
	memset(s, 'x', sizeof(s));
	att_time_format(s, 5, 951782400);
	ATT_CHECK_EQ_STR(s, "2000");
	att_time_format(s, 1, INT64_MIN);
	ATT_CHECK_EQ_STR(s, "");
	memset(s, 'x', sizeof(s));
	att_time_format(s, 0, 0);
	ATT_CHECK(s[0] == 'x', "nothing written with out_len 0");
	att_time_format(NULL, 0, INT64_MAX);
	att_time_format(s, sizeof(s), INT64_MAX);
	ATT_CHECK_EQ_STR(s, "@922337");
}

/* Every time in the text range survives format then parse; every time
 * outside it is written as @<seconds>. */
static void test_roundtrip(void)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	size_t bad = 0, n = 0, outside = 0;
	const int64_t span = ATT_TIME_TEXT_MAX - ATT_TIME_TEXT_MIN + 1;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t t;
		if (i % 4 == 0)
			memcpy(&t, &x, sizeof(t)); /* any int64_t */
		else
			t = ATT_TIME_TEXT_MIN + (int64_t)(x % (uint64_t)span);
		const char *s = fmt(t);
		n++;
		if (t < ATT_TIME_TEXT_MIN || t > ATT_TIME_TEXT_MAX) {
			char want[32];
			snprintf(want, sizeof(want), "@%" PRId64, t);
			bad += strcmp(s, want) != 0;
			outside++;
			continue;
		}
		int64_t back = 0;
		bad += strlen(s) != 20 || att_time_parse(&back, s) != 0 ||
		       back != t;
	}
	ATT_CHECK(bad == 0, "%zu of %zu times misformatted", bad, n);
	ATT_CHECK(outside > 1000, "%zu outside the text range", outside);
	int64_t t = 0;
	ATT_CHECK_EQ_INT(att_time_parse(&t, "0000-01-01T00:00:00Z"), 0);
	ATT_CHECK_EQ_INT(t, ATT_TIME_TEXT_MIN);
	ATT_CHECK_EQ_INT(att_time_parse(&t, "9999-12-31T23:59:59Z"), 0);
	ATT_CHECK_EQ_INT(t, ATT_TIME_TEXT_MAX);
	ATT_CHECK_EQ_INT(att_time_parse(&t, "9999-12-31T23:59:59-23:59"), 0);
	ATT_CHECK_EQ_INT(t, ATT_TIME_TEXT_MAX + 23 * 3600 + 59 * 60);
	ATT_CHECK_EQ_INT(att_time_parse(&t, "10000-01-01T00:00:00Z"),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_time_parse(&t, "-001-01-01T00:00:00Z"),
			 ATT_ERR_FORMAT);
}

static void test_days_from_civil(void)
{
	ATT_CHECK_EQ_INT(att_days_from_civil(1970, 1, 1), 0);
	ATT_CHECK_EQ_INT(att_days_from_civil(2000, 3, 1), 11017);
	ATT_CHECK_EQ_INT(att_days_from_civil(1969, 12, 31), -1);
	ATT_CHECK_EQ_INT(att_days_from_civil(0, 1, 1), -719528);
	/* Years beyond +-ATT_CIVIL_MAX_ABS_YEAR clamp; no overflow. */
	int64_t hi = att_days_from_civil(ATT_CIVIL_MAX_ABS_YEAR, 12, 31);
	int64_t lo = att_days_from_civil(-ATT_CIVIL_MAX_ABS_YEAR, 1, 1);
	ATT_CHECK_EQ_INT(att_days_from_civil(INT64_MAX, 12, 31), hi);
	ATT_CHECK_EQ_INT(att_days_from_civil(INT64_MIN, 1, 1), lo);
	ATT_CHECK(hi > 365LL * 999999999999LL && lo < -365LL * 999999999999LL,
		  "clamped ends %" PRId64 " %" PRId64, hi, lo);
	/* Months and days out of range give some number, not UB. */
	static const unsigned odd[] = {0, 13, 32, UINT_MAX};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		int64_t a = att_days_from_civil(INT64_MAX, odd[i], odd[i]);
		int64_t b = att_days_from_civil(INT64_MIN, odd[i], 1);
		int64_t c = att_days_from_civil(2025, 1, odd[i]);
		ATT_CHECK(a > b && c > 0, "odd %u: %" PRId64 " %" PRId64
			  " %" PRId64, odd[i], a, b, c);
	}
}

int main(void)
{
	test_format_extremes();
	test_roundtrip();
	test_days_from_civil();
	return att_test_done();
}
