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
/* Room for every api-version name, ", " separated (att_apiver_list). */
#define ATT_ROUTE_VERSIONS_LEN 160

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

/* The api-versions attestd knows, one bit each (att_route.versions). */
#define ATT_AV_2018_09_01_PREVIEW (1u << 0)
#define ATT_AV_2020_10_01 (1u << 1)
#define ATT_AV_2022_08_01 (1u << 2)
#define ATT_AV_2022_09_01_PREVIEW (1u << 3)
#define ATT_AV_2025_06_01 (1u << 4)
#define ATT_AV_2026_03_11_PREVIEW (1u << 5)
/* From 2020-10-01 on (the 2018 preview had other shapes). */
#define ATT_AV_SINCE_2020                                                     \
	(ATT_AV_2020_10_01 | ATT_AV_2022_08_01 | ATT_AV_2022_09_01_PREVIEW |  \
	 ATT_AV_2025_06_01 | ATT_AV_2026_03_11_PREVIEW)
/* From 2022-08-01 on (SevSnpVm). */
#define ATT_AV_SINCE_2022_08                                                  \
	(ATT_AV_2022_08_01 | ATT_AV_2022_09_01_PREVIEW | ATT_AV_2025_06_01 |  \
	 ATT_AV_2026_03_11_PREVIEW)
#define ATT_AV_ALL (ATT_AV_2018_09_01_PREVIEW | ATT_AV_SINCE_2020)

struct att_route {
	const char *method;
	const char *pattern;
	void (*handler)(struct att_req *req, struct att_resp *resp);
	enum att_auth_need auth;
	enum att_apiver_rule apiver;
	/* ATT_APIVER_KNOWN: the api-versions the operation exists in
	 * (ATT_AV_* bits); another known version is refused. 0: all. */
	unsigned versions;
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

/* att_apiver_bit is v's ATT_AV_* bit, 0 when v is not a known version. */
unsigned att_apiver_bit(const char *v);

/* att_apiver_list writes the names of the versions in mask, ", "
 * separated, to out (truncated to out_len - 1). */
void att_apiver_list(char *out, size_t out_len, unsigned mask);

/* att_route_has_version tells whether the route exists in api-version v
 * (a missing v, or a route with no version list, always does). */
bool att_route_has_version(const struct att_route *rt, const char *v);

#endif
