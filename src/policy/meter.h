/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The budget of one policy evaluation while it runs (policy.h, struct
 * att_policy_budget): steps left, bytes left and a wall-clock deadline,
 * shared by the policy evaluator and every JmesPath call it makes, so that
 * one counter bounds the whole evaluation (docs/policy.md, "Limits").
 * Charging is a subtraction; the monotonic clock is read once every
 * ATT_POL_METER_CLOCK_EVERY steps, the deadline counting from the first
 * reading (so an evaluation shorter than that never reads the clock, and
 * the deadline starts a few microseconds late). Once a limit is hit the
 * meter stays
 * empty: every later charge fails too, and hit names the first limit hit.
 * A meter belongs to one evaluation (one thread).
 */
#ifndef ATT_POLICY_METER_H
#define ATT_POLICY_METER_H

#include <stddef.h>
#include <stdint.h>

#include "attest/err.h"
#include "policy/policy.h"

/* Steps between two readings of the clock. */
#define ATT_POL_METER_CLOCK_EVERY 1024

struct att_pol_meter {
	uint64_t steps_left;
	uint64_t bytes_left;
	uint64_t clock_at;    /* read the clock when steps_left < clock_at */
	int64_t deadline_ns;  /* CLOCK_MONOTONIC; 0 until the first reading */
	uint64_t steps_max;
	uint64_t bytes_max;
	uint32_t ms;	      /* 0: no deadline */
	enum att_policy_limit hit;
	uint64_t steps_at_hit; /* used when the first limit was hit */
	uint64_t bytes_at_hit;
};

/* att_pol_meter_init starts a meter of steps, bytes and ms (0: no
 * deadline). */
void att_pol_meter_init(struct att_pol_meter *m, uint64_t steps,
			uint64_t bytes, uint32_t ms);

/* att_pol_meter_exceed marks the meter empty because of limit (the first
 * limit hit is kept) and returns ATT_ERR_LIMIT. */
int att_pol_meter_exceed(struct att_pol_meter *m, enum att_policy_limit limit);

/* att_pol_meter_clock reads the clock (the slow path of charging steps):
 * ATT_ERR_LIMIT once the deadline has passed. */
int att_pol_meter_clock(struct att_pol_meter *m);

/* att_pol_meter_steps pays n steps: 0, or ATT_ERR_LIMIT when the steps
 * run out or the deadline passed. */
static inline int att_pol_meter_steps(struct att_pol_meter *m, uint64_t n)
{
	if (n > m->steps_left)
		return att_pol_meter_exceed(m, ATT_POLICY_LIMIT_STEPS);
	m->steps_left -= n;
	if (m->steps_left < m->clock_at)
		return att_pol_meter_clock(m);
	return 0;
}

/* att_pol_meter_bytes pays for n bytes about to be allocated. */
static inline int att_pol_meter_bytes(struct att_pol_meter *m, uint64_t n)
{
	if (n > m->bytes_left)
		return att_pol_meter_exceed(m, ATT_POLICY_LIMIT_BYTES);
	m->bytes_left -= n;
	return 0;
}

/* att_pol_meter_describe writes why the meter is empty, after what:
 * "policy evaluation exceeded its budget of 2000000 steps", "... of
 * 16777216 bytes", "... exceeded its deadline of 200 ms". */
void att_pol_meter_describe(const struct att_pol_meter *m, const char *what,
			    char *out, size_t len);

/* Used so far. */
uint64_t att_pol_meter_steps_used(const struct att_pol_meter *m);
uint64_t att_pol_meter_bytes_used(const struct att_pol_meter *m);

#endif
