/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-provider token bucket of the anonymous attest routes
 * (server/ratelimit.h), on an injected clock: off when the rate is 0; a
 * burst is served at once and the request after it refused with
 * Retry-After rounded up to whole seconds; tokens come back at the rate,
 * never beyond the burst; very slow rates and large bursts neither
 * overflow nor wrap; two buckets are independent; eight threads
 * hammering one bucket at one instant get exactly `burst` tokens. Then
 * through the request pipeline: a provider limited by the config's
 * providers.NAME.limits answers 429 with Retry-After on every POST
 * /attest/... route once its burst is spent, not on its other routes, and
 * the default provider is not limited.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/limits.h"
#include "base/timeutil.h"
#include "harness/tap.h"
#include "server/datadir.h"
#include "server/provider.h"
#include "server/ratelimit.h"
#include "server/server.h"

#define S 1000000000ull
#define MS 1000000ull
/* An arbitrary monotonic start, like a machine up for a day. */
#define T0 (86400ull * S)

/* takes: how many of n requests at time now the bucket lets through. */
static int takes(struct att_ratelimit *b, double rate, uint32_t burst,
		 uint64_t now, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += att_ratelimit_take(b, rate, burst, now, NULL);
	return k;
}

static void test_off(void)
{
	struct att_ratelimit b = {0};
	ATT_CHECK_EQ_INT(takes(&b, 0, 1, T0, 1000), 1000);
	ATT_CHECK_EQ_INT(takes(&b, -1, 1, T0, 10), 10);
	ATT_CHECK_EQ_INT(takes(&b, NAN, 1, T0, 10), 10);
}

static void test_burst_and_refill(void)
{
	struct att_ratelimit b = {0};
	uint32_t ra = 0;
	/* 2 per second, burst 3: three at once, the fourth refused */
	ATT_CHECK_EQ_INT(takes(&b, 2, 3, T0, 3), 3);
	ATT_CHECK(!att_ratelimit_take(&b, 2, 3, T0, &ra), "fourth refused");
	ATT_CHECK_EQ_INT(ra, 1); /* 0.5 s rounded up */
	/* one token is back after 500 ms, not before */
	ATT_CHECK(!att_ratelimit_take(&b, 2, 3, T0 + 499 * MS, &ra),
		  "499 ms: still empty");
	ATT_CHECK(att_ratelimit_take(&b, 2, 3, T0 + 500 * MS, &ra),
		  "500 ms: one token back");
	ATT_CHECK(!att_ratelimit_take(&b, 2, 3, T0 + 500 * MS, &ra),
		  "and only one");
	/* a long idle time refills to the burst, never beyond */
	ATT_CHECK_EQ_INT(takes(&b, 2, 3, T0 + 100 * S, 10), 3);
	/* a sustained 2/s stream is served in full */
	int served = 0;
	for (int i = 1; i <= 100; i++)
		served += att_ratelimit_take(&b, 2, 3, T0 + 100 * S + i * 500 * MS,
					     NULL);
	ATT_CHECK_EQ_INT(served, 100);
	/* a 4/s stream gets about half through: 2/s over 25 s plus slack */
	served = 0;
	for (int i = 1; i <= 100; i++)
		served += att_ratelimit_take(&b, 2, 3, T0 + 200 * S + i * 250 * MS,
					     NULL);
	ATT_CHECK(served >= 50 && served <= 53, "4/s stream: %d of 100", served);
}

static void test_retry_after(void)
{
	struct att_ratelimit b = {0};
	uint32_t ra = 0;
	/* one per 10 s, burst 1 */
	ATT_CHECK(att_ratelimit_take(&b, 0.1, 1, T0, &ra), "first");
	ATT_CHECK(!att_ratelimit_take(&b, 0.1, 1, T0, &ra), "second");
	ATT_CHECK_EQ_INT(ra, 10);
	ATT_CHECK(!att_ratelimit_take(&b, 0.1, 1, T0 + 9500 * MS, &ra), "9.5 s");
	ATT_CHECK_EQ_INT(ra, 1);
	ATT_CHECK(!att_ratelimit_take(&b, 0.1, 1, T0 + 1 * S + 1, &ra), "1 s");
	ATT_CHECK_EQ_INT(ra, 9); /* 8.999999999 s rounded up */
	ATT_CHECK(att_ratelimit_take(&b, 0.1, 1, T0 + 10 * S, &ra), "10 s");
	/* burst 0 counts as 1 */
	struct att_ratelimit z = {0};
	ATT_CHECK_EQ_INT(takes(&z, 1, 0, T0, 5), 1);
}

static void test_extremes(void)
{
	struct att_ratelimit b = {0};
	uint32_t ra = 0;
	/* slower than one a day counts as one a day */
	ATT_CHECK(att_ratelimit_take(&b, 1e-300, 1, T0, &ra), "first");
	ATT_CHECK(!att_ratelimit_take(&b, 1e-300, 1, T0, &ra), "second");
	ATT_CHECK_EQ_INT(ra, ATT_RATELIMIT_MAX_INTERVAL_SECONDS);
	/* the largest burst at the slowest rate: the cap keeps tat finite */
	struct att_ratelimit c = {0};
	ATT_CHECK_EQ_INT(takes(&c, 1e-9, 1000000, T0, 1000), 1000);
	ATT_CHECK(atomic_load(&c.tat) > T0, "tat moved ahead");
	/* a rate far above the clock resolution: one token per nanosecond */
	struct att_ratelimit f = {0};
	ATT_CHECK_EQ_INT(takes(&f, 1e12, 5, T0, 10), 5);
	ATT_CHECK(att_ratelimit_take(&f, 1e12, 5, T0 + 1, NULL), "1 ns later");
	/* a clock that reads earlier than a take another thread made */
	struct att_ratelimit g = {0};
	ATT_CHECK_EQ_INT(takes(&g, 1, 2, T0 + 5 * S, 2), 2);
	ATT_CHECK(!att_ratelimit_take(&g, 1, 2, T0, &ra), "earlier clock");
	ATT_CHECK(ra >= 1, "retry after %u", ra);
	/* the real clock */
	uint64_t a = att_ratelimit_now_ns(), z = att_ratelimit_now_ns();
	ATT_CHECK(a > 0 && z >= a, "monotonic %llu %llu",
		  (unsigned long long)a, (unsigned long long)z);
}

static void test_independent(void)
{
	struct att_ratelimit p1 = {0}, p2 = {0};
	ATT_CHECK_EQ_INT(takes(&p1, 1, 2, T0, 50), 2);
	ATT_CHECK_EQ_INT(takes(&p2, 1, 2, T0, 1), 1);
	ATT_CHECK_EQ_INT(takes(&p2, 1, 2, T0, 1), 1);
}

struct hammer {
	struct att_ratelimit *b;
	int got;
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	for (int i = 0; i < 20000; i++)
		h->got += att_ratelimit_take(h->b, 1, 500, T0, NULL);
	return NULL;
}

static void test_threads(void)
{
	struct att_ratelimit b = {0};
	pthread_t th[8];
	struct hammer h[8];
	int total = 0, started = 0;
	for (int i = 0; i < 8; i++) {
		h[i] = (struct hammer){.b = &b};
		started += pthread_create(&th[i], NULL, hammer_run, &h[i]) == 0;
	}
	ATT_CHECK_EQ_INT(started, 8);
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		total += h[i].got;
	}
	ATT_CHECK_EQ_INT(total, 500);
	ATT_CHECK_EQ_INT(atomic_load(&b.tat), T0 + 500 * S);
}

/* post runs one request through the pipeline (no sockets). */
static unsigned post(struct att_server *srv, const char *method,
		     const char *path, struct att_resp *resp)
{
	struct att_req req = {.srv = srv, .method = method, .path = path};
	att_resp_init(resp);
	att_server_handle(srv, &req, resp);
	return resp->status;
}

static void check_status(struct att_server *srv, const char *method,
			 const char *path, unsigned want)
{
	struct att_resp resp;
	unsigned st = post(srv, method, path, &resp);
	ATT_CHECK(st == want, "%s %s: %u, want %u: %.*s", method, path, st,
		  want, (int)resp.body.len, (const char *)resp.body.data);
	att_resp_release(&resp);
}

/* Through att_server_handle: provider p2 limited to 1/s, burst 2, by the
 * config's providers.p2.limits; the default provider is not. */
static void test_dispatch(void)
{
	char dir[] = "/tmp/att-ratelimit-XXXXXX", cmd[600];
	struct att_server srv;
	struct att_server_config cfg;
	struct att_diag d = {0};
	struct att_resp resp;
	ATT_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	att_server_config_init(&cfg);
	cfg.dev = true;
	cfg.listen = strdup("127.0.0.1:18998");
	cfg.data_dir = strdup(dir);
	int r = att_server_init(&srv, &cfg, &d);
	ATT_CHECK(r == 0, "init: %s", att_diag_msg(&d));
	if (!r)
		r = att_provider_create(srv.store, srv.master, "p2",
					"https://127.0.0.1:18998/p2", "aad",
					"ec", NULL, att_time_now(), &d);
	cfg.providers = json_pack("{s:{s:{s:f, s:i}}}", "p2", "limits",
				  "attest_rate_per_second", 1.0,
				  "attest_rate_burst", 2);
	if (!r)
		r = att_server_reload(&srv, &d);
	ATT_CHECK(r == 0, "p2: %s", att_diag_msg(&d));
	if (r == 0) {
		/* an empty body is a 400, but it spends a token first */
		check_status(&srv, "POST", "/p2/attest/SgxEnclave", 400);
		check_status(&srv, "POST", "/p2/attest/TdxVm", 400);
		ATT_CHECK_EQ_INT(post(&srv, "POST", "/p2/attest/SgxEnclave",
				      &resp), 429);
		ATT_CHECK_EQ_STR(resp.error_code, "TooManyRequests");
		ATT_CHECK_EQ_STR(resp.extra_name, "Retry-After");
		ATT_CHECK_EQ_STR(resp.extra_value, "1");
		ATT_CHECK(strstr((const char *)resp.body.data,
				 "provider p2 takes at most 1 attestation "
				 "requests per second, 2 at once") != NULL,
			  "%s", (const char *)resp.body.data);
		att_resp_release(&resp);
		check_status(&srv, "POST", "/p2/attest/Tpm", 429);
		check_status(&srv, "GET", "/p2/certs", 200);
		for (int i = 0; i < 10; i++)
			check_status(&srv, "POST", "/attest/SgxEnclave", 400);
		ATT_CHECK(!srv.reg->def->limits.attest_rate_per_second,
			  "the default provider has no limit");
	}
	att_server_release(&srv);
	att_server_config_release(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
}

int main(void)
{
	test_off();
	test_burst_and_refill();
	test_retry_after();
	test_extremes();
	test_independent();
	test_threads();
	test_dispatch();
	return att_test_done();
}
