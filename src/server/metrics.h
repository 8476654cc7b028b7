/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prometheus metrics of the HTTP service: attestd_requests_total{route,
 * status}, the attestd_request_duration_seconds histogram per route and the
 * attestd_in_flight_requests gauge. Route labels are route patterns (a
 * fixed, small set) or "unmatched", so label cardinality stays bounded.
 * Thread-safe: the in-flight gauge is an atomic, everything else is
 * updated under one mutex (a few increments per request).
 */
#ifndef ATT_SERVER_METRICS_H
#define ATT_SERVER_METRICS_H

#include "base/limits.h"
#include <stddef.h>

struct att_buf;
struct att_metrics;

struct att_metrics *att_metrics_new(void);
void att_metrics_free(struct att_metrics *m);
/* att_metrics_begin / _end bracket one request. */
void att_metrics_begin(struct att_metrics *m);
void att_metrics_end(struct att_metrics *m, const char *route,
		     unsigned status, double seconds);
/* att_metrics_render appends the Prometheus text exposition to out. */
int att_metrics_render(struct att_metrics *m, struct att_buf *out);

#endif
