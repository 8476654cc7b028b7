/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus counters and histograms (see metrics.h). The exposition
 * follows the text format 0.0.4: HELP and TYPE lines, cumulative
 * histogram buckets with le="+Inf", _sum and _count.
 */
#include "server/metrics.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/version.h"

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				 0.1,   0.25,   0.5,   1,    2.5,   5,   10};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))
#define ROUTE_LEN 96

struct route_stats {
	char route[ROUTE_LEN];
	unsigned status[ATT_METRICS_MAX_STATUSES];
	uint64_t status_count[ATT_METRICS_MAX_STATUSES];
	size_t n_status;
	uint64_t bucket[N_BUCKETS]; /* non-cumulative; summed on render */
	uint64_t count;
	double sum;
};

struct att_metrics {
	pthread_mutex_t mu;
	long in_flight; /* atomic */
	struct route_stats routes[ATT_METRICS_MAX_ROUTES];
	size_t n_routes;
};

struct att_metrics *att_metrics_new(void)
{
	struct att_metrics *m = calloc(1, sizeof(*m));
	if (m)
		pthread_mutex_init(&m->mu, NULL);
	return m;
}

void att_metrics_free(struct att_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->mu);
	free(m);
}

void att_metrics_begin(struct att_metrics *m)
{
	__atomic_add_fetch(&m->in_flight, 1, __ATOMIC_RELAXED);
}

static struct route_stats *route_of(struct att_metrics *m, const char *route)
{
	for (size_t i = 0; i < m->n_routes; i++)
		if (!strcmp(m->routes[i].route, route))
			return &m->routes[i];
	if (m->n_routes == ATT_METRICS_MAX_ROUTES)
		return strcmp(route, "other") ? route_of(m, "other") : NULL;
	/* Keep the last slot for "other". */
	if (m->n_routes == ATT_METRICS_MAX_ROUTES - 1 && strcmp(route, "other"))
		return route_of(m, "other");
	struct route_stats *s = &m->routes[m->n_routes++];
	snprintf(s->route, sizeof(s->route), "%s", route);
	return s;
}

static void count_status(struct route_stats *s, unsigned status)
{
	for (size_t i = 0; i < s->n_status; i++)
		if (s->status[i] == status) {
			s->status_count[i]++;
			return;
		}
	if (s->n_status == ATT_METRICS_MAX_STATUSES) {
		if (status != 0)
			count_status(s, 0);
		return;
	}
	s->status[s->n_status] = status;
	s->status_count[s->n_status++] = 1;
}

void att_metrics_end(struct att_metrics *m, const char *route,
		     unsigned status, double seconds)
{
	__atomic_sub_fetch(&m->in_flight, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&m->mu);
	struct route_stats *s = route_of(m, route);
	if (s) {
		count_status(s, status);
		size_t b = 0;
		while (b < N_BUCKETS && seconds > buckets[b])
			b++;
		if (b < N_BUCKETS)
			s->bucket[b]++;
		s->count++;
		s->sum += seconds;
	}
	pthread_mutex_unlock(&m->mu);
}

/* Label values escape backslash, double quote and newline. */
static void add_label(struct att_buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			att_buf_addf(b, "\\%c", *v);
		else if (*v == '\n')
			att_buf_adds(b, "\\n");
		else
			att_buf_add(b, v, 1);
	}
}

static void render_histogram(struct att_buf *b, const struct route_stats *s)
{
	uint64_t cum = 0;
	for (size_t i = 0; i < N_BUCKETS; i++) {
		cum += s->bucket[i];
		att_buf_adds(b, "attestd_request_duration_seconds_bucket{route=\"");
		add_label(b, s->route);
		att_buf_addf(b, "\",le=\"%g\"} %llu\n", buckets[i],
			     (unsigned long long)cum);
	}
	att_buf_adds(b, "attestd_request_duration_seconds_bucket{route=\"");
	add_label(b, s->route);
	att_buf_addf(b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)s->count);
	att_buf_adds(b, "attestd_request_duration_seconds_sum{route=\"");
	add_label(b, s->route);
	att_buf_addf(b, "\"} %.6f\n", s->sum);
	att_buf_adds(b, "attestd_request_duration_seconds_count{route=\"");
	add_label(b, s->route);
	att_buf_addf(b, "\"} %llu\n", (unsigned long long)s->count);
}

int att_metrics_render(struct att_metrics *m, struct att_buf *b)
{
	pthread_mutex_lock(&m->mu);
	att_buf_adds(b, "# HELP attestd_requests_total HTTP requests by route "
			"pattern and status.\n"
			"# TYPE attestd_requests_total counter\n");
	for (size_t i = 0; i < m->n_routes; i++) {
		const struct route_stats *s = &m->routes[i];
		for (size_t j = 0; j < s->n_status; j++) {
			att_buf_adds(b, "attestd_requests_total{route=\"");
			add_label(b, s->route);
			att_buf_addf(b, "\",status=\"%u\"} %llu\n", s->status[j],
				     (unsigned long long)s->status_count[j]);
		}
	}
	att_buf_adds(b, "# HELP attestd_request_duration_seconds Request "
			"duration by route pattern.\n"
			"# TYPE attestd_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->n_routes; i++)
		render_histogram(b, &m->routes[i]);
	pthread_mutex_unlock(&m->mu);
	long inf = __atomic_load_n(&m->in_flight, __ATOMIC_RELAXED);
	att_buf_addf(b, "# HELP attestd_in_flight_requests Requests being "
			"served.\n"
			"# TYPE attestd_in_flight_requests gauge\n"
			"attestd_in_flight_requests %ld\n",
		     inf);
	att_buf_addf(b, "# HELP attestd_build_info The build: version, git "
			"commit, simulator built in, sanitizers.\n"
			"# TYPE attestd_build_info gauge\n"
			"attestd_build_info{version=\"");
	add_label(b, att_version());
	att_buf_adds(b, "\",commit=\"");
	add_label(b, att_version_commit());
	att_buf_adds(b, "\",sim=\"");
	add_label(b, att_version_sim());
	att_buf_adds(b, "\",sanitize=\"");
	add_label(b, att_version_sanitize());
	att_buf_adds(b, "\"} 1\n");
	/* att_buf releases itself on a failed append: an empty buffer after
	 * this much text means one of the appends failed. */
	return b->len ? 0 : ATT_ERR_NOMEM;
}
