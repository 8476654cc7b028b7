/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A token bucket for the anonymous attest routes (POST /attest/...), one per
 * provider (providers.NAME.limits.attest_rate_per_second and
 * attest_rate_burst; off when the rate is 0). Kept as GCRA, the
 * "theoretical arrival time" form of a token bucket: one 64-bit atomic
 * per bucket, updated with compare-and-swap, so requests of one provider
 * never wait on a lock and other providers are not touched. A zeroed
 * struct is a full bucket. The clock is passed in (monotonic
 * nanoseconds) so tests can drive it.
 */
#ifndef ATT_SERVER_RATELIMIT_H
#define ATT_SERVER_RATELIMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct att_ratelimit {
	/* when the bucket is full again, in clock nanoseconds (0: full) */
	_Atomic uint64_t tat;
};

/* att_ratelimit_take spends one token at time now_ns (a monotonic clock
 * in nanoseconds) from a bucket refilled at rate tokens per second and
 * holding at most burst. Returns true when the request may go on; false
 * when it is over the rate, with *retry_after_s set to the whole seconds
 * (rounded up, at least 1) after which one token will be back. A rate
 * <= 0 (or NaN) means no limit; burst 0 counts as 1. */
bool att_ratelimit_take(struct att_ratelimit *b, double rate, uint32_t burst,
			uint64_t now_ns, uint32_t *retry_after_s);

/* att_ratelimit_now_ns reads CLOCK_MONOTONIC in nanoseconds (never 0). */
uint64_t att_ratelimit_now_ns(void);

#endif
