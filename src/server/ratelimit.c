/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token bucket as GCRA (ratelimit.h). With T = 1/rate (the time one token
 * takes to come back) and tau = burst * T (the time an empty bucket takes
 * to fill), the bucket keeps one instant, tat: when it will be full again.
 * A request at `now` takes a token when max(tat, now) + T - now <= tau
 * (the bucket, after taking it, still holds no more than burst tokens'
 * worth of debt) and moves tat to max(tat, now) + T; otherwise it is
 * refused and told how long until that holds. Concurrent takes race on
 * tat with compare-and-swap only.
 */
#include "server/ratelimit.h"

#include <time.h>

#include "base/limits.h"

#define NS_PER_S 1000000000ull
/* Arithmetic guard: tat never runs more than this far ahead of now
 * (about 146 years), so now + tau + T cannot overflow. */
#define TAU_CAP (UINT64_MAX / 4)

uint64_t att_ratelimit_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t ns = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	return ns ? ns : 1;
}

/* interval_ns: T, the nanoseconds one token takes to come back, at least
 * 1 and at most ATT_RATELIMIT_MAX_INTERVAL_SECONDS. */
static uint64_t interval_ns(double rate)
{
	double t = (double)NS_PER_S / rate;
	double max = (double)ATT_RATELIMIT_MAX_INTERVAL_SECONDS * NS_PER_S;
	if (!(t < max))
		return (uint64_t)ATT_RATELIMIT_MAX_INTERVAL_SECONDS * NS_PER_S;
	return t < 1.0 ? 1 : (uint64_t)t;
}

static uint32_t ceil_seconds(uint64_t ns)
{
	uint64_t s = ns / NS_PER_S + (ns % NS_PER_S != 0);
	if (s < 1)
		return 1;
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

bool att_ratelimit_take(struct att_ratelimit *b, double rate, uint32_t burst,
			uint64_t now_ns, uint32_t *retry_after_s)
{
	if (!(rate > 0))
		return true;
	uint64_t t = interval_ns(rate);
	uint64_t n = burst ? burst : 1;
	uint64_t tau = n > TAU_CAP / t ? TAU_CAP : n * t;
	uint64_t old = atomic_load_explicit(&b->tat, memory_order_relaxed);
	for (;;) {
		uint64_t base = old > now_ns ? old : now_ns;
		uint64_t next = base + t;
		if (next - now_ns > tau) {
			if (retry_after_s)
				*retry_after_s = ceil_seconds(next - now_ns - tau);
			return false;
		}
		if (atomic_compare_exchange_weak_explicit(
			    &b->tat, &old, next, memory_order_relaxed,
			    memory_order_relaxed))
			return true;
	}
}
