/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The route table and its matcher. A route is (method, pattern, handler,
 * auth requirement, api-version rule). Patterns are paths whose segments
 * are literals or "{name}" captures; a capture matches one or more
 * characters other than '/' and ':' so that MAA's action suffixes
 * ("/policies/{type}:reset") are literal. Literals compare
 * case-insensitively (MAA clients send types in any case). The matcher
 * knows nothing of HTTP beyond method names; it is unit-tested alone.
 */
#ifndef ATT_SERVER_ROUTER_H
#define ATT_SERVER_ROUTER_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>

#define ATT_ROUTE_ALLOW_LEN 64

struct att_req;
struct att_resp;

enum att_auth_need {
	ATT_AUTH_NONE,        /* anonymous */
	ATT_AUTH_READER,      /* reader (or contributor) role */
	ATT_AUTH_CONTRIBUTOR, /* contributor role */
};

enum att_apiver_rule {
	ATT_APIVER_ANY,   /* accepted, any value, never required */
	ATT_APIVER_KNOWN, /* optional; when present it must be a known one */
};

struct att_route {
	const char *method;
	const char *pattern;
	void (*handler)(struct att_req *req, struct att_resp *resp);
	enum att_auth_need auth;
	enum att_apiver_rule apiver;
};

struct att_route_match {
	const struct att_route *route; /* NULL: no route */
	size_t n_params;
	char params[ATT_ROUTE_MAX_PARAMS][ATT_ROUTE_PARAM_LEN];
	/* When the path matched but not the method: the allowed methods
	 * ("GET, PUT") for the Allow header; route is NULL then. */
	char allow[ATT_ROUTE_ALLOW_LEN];
};

/* att_route_pattern_match matches path against one pattern, filling
 * params (up to ATT_ROUTE_MAX_PARAMS); false when it does not match or a
 * capture is longer than ATT_ROUTE_PARAM_LEN - 1. */
bool att_route_pattern_match(const char *pattern, const char *path,
			     char params[][ATT_ROUTE_PARAM_LEN],
			     size_t *n_params);

/* att_router_match finds the route for (method, path) in table[0..n).
 * Returns 0 with m->route set; ATT_ERR_NOT_FOUND when no pattern matches;
 * ATT_ERR_UNSUPPORTED when a pattern matches but not the method (m->allow
 * then lists the methods). A trailing '/' on path is ignored. */
int att_router_match(struct att_route_match *m, const struct att_route *table,
		     size_t n, const char *method, const char *path);

/* The server's route table (routes.c). */
extern const struct att_route att_routes[];
extern const size_t att_n_routes;

/* att_apiver_known tells whether v is an MAA api-version we accept. */
bool att_apiver_known(const char *v);

#endif
