/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evaluation meter (meter.h): the slow paths of charging, the clock,
 * and the message naming the limit that was hit.
 */
#include <stdio.h>
#include <time.h>

#include "policy/meter.h"

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void next_reading(struct att_pol_meter *m)
{
	m->clock_at = m->steps_left > ATT_POL_METER_CLOCK_EVERY
			      ? m->steps_left - ATT_POL_METER_CLOCK_EVERY
			      : 0;
}

void att_pol_meter_init(struct att_pol_meter *m, uint64_t steps,
			uint64_t bytes, uint32_t ms)
{
	m->steps_left = m->steps_max = steps;
	m->bytes_left = m->bytes_max = bytes;
	m->ms = ms;
	m->hit = ATT_POLICY_LIMIT_NONE;
	m->steps_at_hit = m->bytes_at_hit = 0;
	/* The clock starts at the first reading, after the first
	 * ATT_POL_METER_CLOCK_EVERY steps: most evaluations end before and
	 * never read it; those steps take microseconds. */
	m->deadline_ns = 0;
	if (ms)
		next_reading(m);
	else
		m->clock_at = 0;
}

int att_pol_meter_exceed(struct att_pol_meter *m, enum att_policy_limit limit)
{
	if (m->hit == ATT_POLICY_LIMIT_NONE) {
		m->hit = limit;
		m->steps_at_hit = m->steps_max - m->steps_left;
		m->bytes_at_hit = m->bytes_max - m->bytes_left;
	}
	m->steps_left = 0;
	m->bytes_left = 0;
	m->clock_at = 0;
	return ATT_ERR_LIMIT;
}

int att_pol_meter_clock(struct att_pol_meter *m)
{
	int64_t now = m->ms ? mono_ns() : 0;
	if (m->ms && !m->deadline_ns)
		m->deadline_ns = now + (int64_t)m->ms * 1000000;
	else if (m->ms && now > m->deadline_ns)
		return att_pol_meter_exceed(m, ATT_POLICY_LIMIT_TIME);
	next_reading(m);
	return 0;
}

void att_pol_meter_describe(const struct att_pol_meter *m, const char *what,
			    char *out, size_t len)
{
	switch (m->hit) {
	case ATT_POLICY_LIMIT_BYTES:
		snprintf(out, len, "%s exceeded its budget of %llu bytes", what,
			 (unsigned long long)m->bytes_max);
		return;
	case ATT_POLICY_LIMIT_TIME:
		snprintf(out, len, "%s exceeded its deadline of %u ms", what,
			 (unsigned)m->ms);
		return;
	default:
		snprintf(out, len, "%s exceeded its budget of %llu steps", what,
			 (unsigned long long)m->steps_max);
	}
}

uint64_t att_pol_meter_steps_used(const struct att_pol_meter *m)
{
	return m->hit == ATT_POLICY_LIMIT_NONE ? m->steps_max - m->steps_left
					       : m->steps_at_hit;
}

uint64_t att_pol_meter_bytes_used(const struct att_pol_meter *m)
{
	return m->hit == ATT_POLICY_LIMIT_NONE ? m->bytes_max - m->bytes_left
					       : m->bytes_at_hit;
}
