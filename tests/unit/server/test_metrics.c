/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: Prometheus exposition of the request counters, the
 * per-route histogram (cumulative buckets, +Inf, _sum, _count), the
 * in-flight gauge, label escaping, and counting from several threads. */
#include <pthread.h>

#include "base/buf.h"
#include "harness/tap.h"
#include "server/metrics.h"

static char *render(struct att_metrics *m)
{
	struct att_buf b;
	att_buf_init(&b, 1 << 20);
	ATT_CHECK_EQ_INT(att_metrics_render(m, &b), 0);
	size_t n;
	return (char *)att_buf_detach(&b, &n);
}

static void test_format(void)
{
	struct att_metrics *m = att_metrics_new();
	att_metrics_begin(m);
	att_metrics_begin(m);
	att_metrics_end(m, "/certs", 200, 0.002);
	att_metrics_begin(m);
	att_metrics_end(m, "/certs", 200, 0.2);
	att_metrics_begin(m);
	att_metrics_end(m, "/policies/{type}", 401, 20.0);
	char *t = render(m);
	ATT_CHECK(strstr(t, "# TYPE attestd_requests_total counter\n") != NULL,
		  "counter TYPE");
	ATT_CHECK(strstr(t, "attestd_requests_total{route=\"/certs\","
			    "status=\"200\"} 2\n") != NULL,
		  "certs 200 count");
	ATT_CHECK(strstr(t, "attestd_requests_total{route=\"/policies/{type}\","
			    "status=\"401\"} 1\n") != NULL,
		  "policies 401");
	ATT_CHECK(strstr(t, "# TYPE attestd_request_duration_seconds "
			    "histogram\n") != NULL,
		  "histogram TYPE");
	ATT_CHECK(strstr(t, "attestd_request_duration_seconds_bucket{route=\""
			    "/certs\",le=\"0.001\"} 0\n") != NULL,
		  "bucket 0.001");
	ATT_CHECK(strstr(t, "attestd_request_duration_seconds_bucket{route=\""
			    "/certs\",le=\"0.0025\"} 1\n") != NULL,
		  "bucket 0.0025");
	ATT_CHECK(strstr(t, "attestd_request_duration_seconds_bucket{route=\""
			    "/certs\",le=\"0.25\"} 2\n") != NULL,
		  "cumulative");
	ATT_CHECK(strstr(t, "attestd_request_duration_seconds_bucket{route=\""
			    "/policies/{type}\",le=\"10\"} 0\n") != NULL,
		  "20 s above the last finite bucket");
	ATT_CHECK(strstr(t, "attestd_request_duration_seconds_bucket{route=\""
			    "/policies/{type}\",le=\"+Inf\"} 1\n") != NULL,
		  "+Inf");
	ATT_CHECK(strstr(t, "attestd_request_duration_seconds_sum{route=\""
			    "/certs\"} 0.202000\n") != NULL,
		  "sum");
	ATT_CHECK(strstr(t, "attestd_request_duration_seconds_count{route=\""
			    "/certs\"} 2\n") != NULL,
		  "count");
	ATT_CHECK(strstr(t, "# TYPE attestd_in_flight_requests gauge\n"
			    "attestd_in_flight_requests 1\n") != NULL,
		  "in flight: 4 begun, 3 ended");
	free(t);
	att_metrics_end(m, "a\"b\\c\nd", 500, 0);
	t = render(m);
	ATT_CHECK(strstr(t, "route=\"a\\\"b\\\\c\\nd\"") != NULL,
		  "label escaping");
	ATT_CHECK(strstr(t, "attestd_in_flight_requests 0\n") != NULL,
		  "gauge back to 0");
	free(t);
	att_metrics_free(m);
}

static void *worker(void *arg)
{
	struct att_metrics *m = arg;
	for (int i = 0; i < 10000; i++) {
		att_metrics_begin(m);
		att_metrics_end(m, "/certs", 200, 0.0001);
	}
	return NULL;
}

static void test_threads(void)
{
	struct att_metrics *m = att_metrics_new();
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker, m);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	char *t = render(m);
	ATT_CHECK(strstr(t, "attestd_requests_total{route=\"/certs\","
			    "status=\"200\"} 40000\n") != NULL,
		  "no lost increments");
	ATT_CHECK(strstr(t, "attestd_in_flight_requests 0\n") != NULL,
		  "balanced gauge");
	free(t);
	att_metrics_free(m);
}

static void test_bounded_labels(void)
{
	struct att_metrics *m = att_metrics_new();
	char route[32];
	for (int i = 0; i < ATT_METRICS_MAX_ROUTES + 10; i++) {
		snprintf(route, sizeof(route), "/r%d", i);
		att_metrics_begin(m);
		att_metrics_end(m, route, 200, 0);
	}
	char *t = render(m);
	ATT_CHECK(strstr(t, "route=\"other\",status=\"200\"} 11\n") != NULL,
		  "overflow counted under other");
	free(t);
	att_metrics_free(m);
}

int main(void)
{
	test_format();
	test_threads();
	test_bounded_labels();
	return att_test_done();
}
