/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time helpers. Library code never reads the clock by itself for a
 * verification: callers pass the time. These convert between Unix seconds
 * and RFC 3339 / ISO 8601 UTC text ("2025-07-01T00:00:00Z"; fractional
 * seconds and "+00:00" accepted on input).
 */
#ifndef ATT_BASE_TIMEUTIL_H
#define ATT_BASE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* att_time_now returns the current Unix time in seconds. */
int64_t att_time_now(void);
/* att_time_parse parses RFC 3339 text into Unix seconds (UTC). */
int att_time_parse(int64_t *out, const char *s);
/* att_time_format writes "YYYY-MM-DDTHH:MM:SSZ" into out (truncated to
 * out_len, always NUL-terminated; nothing when out_len is 0). Any t is
 * accepted: outside [ATT_TIME_TEXT_MIN, ATT_TIME_TEXT_MAX] (years
 * 0000..9999) it writes "@<seconds>", e.g. "@-9223372036854775808". */
void att_time_format(char *out, size_t out_len, int64_t t);
/* att_days_from_civil: days since 1970-01-01 for a proleptic Gregorian
 * date; y is clamped to +-ATT_CIVIL_MAX_ABS_YEAR (no overflow for any
 * input; m and d are expected in 1..12 and 1..31). */
int64_t att_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
