/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Calendar arithmetic without gmtime/timegm (banned: locale and TZ state).
 * days_from_civil follows Howard Hinnant's well-known algorithm. Every
 * function is defined for any int64_t input: years are clamped and
 * times outside 0000..9999 are written as numbers (limits.h), so that an
 * untrusted time can never overflow the arithmetic.
 */
#include "base/timeutil.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "attest/err.h"
#include "base/limits.h"

int64_t att_time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t att_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	if (y > ATT_CIVIL_MAX_ABS_YEAR)
		y = ATT_CIVIL_MAX_ABS_YEAR;
	else if (y < -ATT_CIVIL_MAX_ABS_YEAR)
		y = -ATT_CIVIL_MAX_ABS_YEAR;
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

static int digits(const char **s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return ATT_ERR_FORMAT;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return 0;
}

static int expect(const char **s, char c1, char c2)
{
	if (**s != c1 && **s != c2)
		return ATT_ERR_FORMAT;
	(*s)++;
	return 0;
}

static int parse_zone(const char *s, int64_t *off)
{
	*off = 0;
	if ((*s == 'Z' || *s == 'z') && s[1] == 0)
		return 0;
	if (*s != '+' && *s != '-')
		return ATT_ERR_FORMAT;
	int sign = *s == '-' ? -1 : 1, hh, mm;
	s++;
	if (digits(&s, 2, &hh) || expect(&s, ':', ':') || digits(&s, 2, &mm) ||
	    *s)
		return ATT_ERR_FORMAT;
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

int att_time_parse(int64_t *out, const char *s)
{
	int y, mo, d, h, mi, se;
	int64_t off;
	*out = 0;
	if (!s || digits(&s, 4, &y) || expect(&s, '-', '-') ||
	    digits(&s, 2, &mo) || expect(&s, '-', '-') || digits(&s, 2, &d) ||
	    expect(&s, 'T', ' ') || digits(&s, 2, &h) || expect(&s, ':', ':') ||
	    digits(&s, 2, &mi) || expect(&s, ':', ':') || digits(&s, 2, &se))
		return ATT_ERR_FORMAT;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			;
	if (parse_zone(s, &off))
		return ATT_ERR_FORMAT;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return ATT_ERR_FORMAT;
	int64_t days = att_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*out = days * 86400 + h * 3600 + mi * 60 + se - off;
	return 0;
}

void att_time_format(char *out, size_t out_len, int64_t t)
{
	if (!out || out_len == 0)
		return;
	if (t < ATT_TIME_TEXT_MIN || t > ATT_TIME_TEXT_MAX) {
		snprintf(out, out_len, "@%" PRId64, t);
		return;
	}
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, out_len, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
		 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}
