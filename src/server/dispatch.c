/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One request, end to end, without HTTP: provider selection, routing
 * (404 / 405 with Allow), the per-provider rate limit of the anonymous
 * attest routes (429 with Retry-After), the api-version rule, bearer
 * authentication, the handler, then metrics and the request log. Also the
 * response helpers and token issuance that handlers share.
 */
#include "base/limits.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "crypto/digest.h"
#include "codec/hex.h"
#include "server/auth.h"
#include "server/keys.h"
#include "server/metrics.h"
#include "server/provider.h"
#include "server/ratelimit.h"
#include "server/reqlog.h"
#include "server/server.h"
#include "store/store.h"
#include "token/jwt.h"
#include "verify/verifier.h"


void att_resp_init(struct att_resp *r)
{
	memset(r, 0, sizeof(*r));
	att_buf_init(&r->body, ATT_MAX_RESP_BODY);
	r->status = 500;
	r->content_type = "application/json; charset=utf-8";
}

void att_resp_release(struct att_resp *r)
{
	if (r)
		att_buf_release(&r->body);
}

static void set_body_oom(struct att_resp *r)
{
	att_buf_release(&r->body);
	att_buf_adds(&r->body, "{\"error\":{\"code\":\"InternalError\","
			       "\"message\":\"out of memory\"}}");
	r->status = 500;
	r->error_code = "InternalError";
}

static void set_body_json(struct att_resp *r, json_t *obj)
{
	att_buf_release(&r->body);
	char *s = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER)
		      : NULL;
	if (!s || att_buf_adds(&r->body, s) != 0)
		set_body_oom(r);
	free(s);
}

void att_resp_error(struct att_resp *r, unsigned status, const char *code,
		    const char *fmt, ...)
{
	char msg[ATT_ERR_MSG_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->status = status;
	r->error_code = code;
	r->content_type = "application/json; charset=utf-8";
	json_t *o = json_pack("{s:{s:s, s:s}}", "error", "code", code,
			      "message", msg);
	if (!o) /* message not UTF-8: keep the code, drop the detail */
		o = json_pack("{s:{s:s, s:s}}", "error", "code", code,
			      "message", "(message not representable)");
	set_body_json(r, o);
	json_decref(o);
}

void att_resp_err(struct att_resp *r, int err, const char *dflt,
		  const char *fmt, ...)
{
	char msg[ATT_ERR_MSG_LEN];
	const char *code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int status = att_verify_http_status(err, dflt, &code);
	/* The database cannot be reached: the service is unavailable, not
	 * broken (docs/deployment.md "Database outages"). */
	if (att_store_msg_unavailable(err, msg)) {
		status = 503;
		code = "ServiceUnavailable";
	}
	att_resp_error(r, (unsigned)status, code, "%s", msg);
}

void att_resp_json(struct att_resp *r, json_t *obj)
{
	r->status = 200;
	r->error_code = NULL;
	r->content_type = "application/json; charset=utf-8";
	set_body_json(r, obj);
}

/* jws_compact_len: the length of token when it is a compact JWS, i.e.
 * only base64url characters and dots (nothing a JSON string escapes),
 * else 0. */
static size_t jws_compact_len(const char *token)
{
	/* strspn scans with a byte table: no per-character branches to
	 * mispredict over a 4 KB token */
	size_t n = strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789-_.");
	return token[n] ? 0 : n;
}

/* att_resp_token answers {"token":"<token>"}: written directly, as
 * jansson would (the compact JWS alphabet needs no escaping); anything
 * else goes through jansson. */
void att_resp_token(struct att_resp *r, const char *token)
{
	size_t n = token ? jws_compact_len(token) : 0;
	if (!n) {
		json_t *o = json_pack("{s:s}", "token", token);
		att_resp_json(r, o);
		json_decref(o);
		return;
	}
	r->status = 200;
	r->error_code = NULL;
	r->content_type = "application/json; charset=utf-8";
	att_buf_release(&r->body);
	if (att_buf_add(&r->body, "{\"token\":\"", 10) != 0 ||
	    att_buf_add(&r->body, token, n) != 0 ||
	    att_buf_add(&r->body, "\"}", 2) != 0)
		set_body_oom(r);
}

void att_req_new_id(char out[static 40])
{
	uint8_t rnd[16];
	if (att_rand_bytes(rnd, sizeof(rnd)) != 0)
		memset(rnd, 0, sizeof(rnd));
	att_hex_encode(out, 40, rnd, sizeof(rnd), false);
}

int att_server_issue_token(struct att_server *srv, struct att_provider *p,
			   json_t *claims, int64_t now, int64_t lifetime,
			   char **out, struct att_diag *d)
{
	struct att_keyset *ks = NULL;
	char jku[1200];
	int r = att_keys_for_signing(&ks, p, srv->store, srv->master, d);
	if (r)
		return r;
	if (!ks->active) {
		r = att_diag_set(d, ATT_ERR_NOT_FOUND,
				 "provider %s has no active signing key",
				 p->name);
		goto out;
	}
	snprintf(jku, sizeof(jku), "%s/certs", p->base_url);
	if (json_object_set_new(claims, "iat", json_integer(now)) ||
	    json_object_set_new(claims, "nbf", json_integer(now)) ||
	    json_object_set_new(claims, "exp", json_integer(now + lifetime)) ||
	    json_object_set_new(claims, "iss", json_string(p->base_url))) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	if (srv->claims_hook && (r = srv->claims_hook(srv, p, claims)) != 0)
		goto out;
	struct att_jwt_signer s = {.key = ks->active->key,
				   .alg = ks->active->alg,
				   .kid = ks->active->kid,
				   .jku = jku};
	r = att_jwt_sign(out, claims, &s);
out:
	att_keyset_unref(ks);
	return r;
}

/* rate_limited answers 429 with Retry-After when the request is one of
 * the anonymous attest routes (POST /attest/...) and its provider's token
 * bucket (limits.attest_rate_per_second, attest_rate_burst) is empty.
 * Off (always false) when the rate is 0, the default. */
static bool rate_limited(struct att_req *req, struct att_resp *resp)
{
	const struct att_route *rt = req->match.route;
	struct att_provider *p = req->prov;
	const struct att_provider_limits *l = &p->limits;
	uint32_t retry = 0;
	if (!(l->attest_rate_per_second > 0) || strcmp(rt->method, "POST") ||
	    strncmp(rt->pattern, "/attest/", 8))
		return false;
	if (att_ratelimit_take(&p->attest_rate, l->attest_rate_per_second,
			       l->attest_rate_burst, att_ratelimit_now_ns(),
			       &retry))
		return false;
	resp->extra_name = "Retry-After";
	snprintf(resp->extra_value, sizeof(resp->extra_value), "%u", retry);
	att_resp_error(resp, 429, "TooManyRequests",
		       "provider %s takes at most %g attestation requests per "
		       "second, %u at once (limits.attest_rate_per_second, "
		       "limits.attest_rate_burst); retry after %u s",
		       p->name, l->attest_rate_per_second,
		       l->attest_rate_burst ? l->attest_rate_burst : 1, retry);
	return true;
}

/* route_auth is the role a request needs: the route's, except that in
 * api-version 2018-09-01-preview an attestation request carried a
 * Microsoft Entra access token (MAA's first preview had no anonymous
 * attestation), so the attest routes need the reader role there. */
static enum att_auth_need route_auth(const struct att_route *rt,
				     const char *api_version)
{
	if (api_version && !strcmp(api_version, "2018-09-01-preview") &&
	    !strcmp(rt->method, "POST") && !strncmp(rt->pattern, "/attest/", 8))
		return ATT_AUTH_READER;
	return rt->auth;
}

static void route_and_run(struct att_server *srv, struct att_req *req,
			  struct att_resp *resp)
{
	int r = att_router_match(&req->match, att_routes, att_n_routes,
				 req->method, req->rest);
	if (r == ATT_ERR_UNSUPPORTED) {
		snprintf(resp->allow, sizeof(resp->allow), "%s",
			 req->match.allow);
		att_resp_error(resp, 405, "MethodNotAllowed",
			       "method %s is not allowed here; allowed: %s",
			       req->method, req->match.allow);
		return;
	}
	if (r) {
		att_resp_error(resp, 404, "NotFound",
			       "no such operation on provider %s",
			       req->prov->name);
		return;
	}
	const struct att_route *rt = req->match.route;
	if (rate_limited(req, resp))
		return;
	if (rt->apiver == ATT_APIVER_KNOWN && req->api_version &&
	    !att_apiver_known(req->api_version)) {
		att_resp_err(resp, ATT_ERR_UNSUPPORTED, "InvalidParameter",
			     "unsupported api-version '%.64s'; supported: "
			     "2018-09-01-preview, 2020-10-01, 2022-08-01, "
			     "2022-09-01-preview, 2025-06-01, "
			     "2026-03-11-preview",
			     req->api_version);
		return;
	}
	if (rt->apiver == ATT_APIVER_KNOWN &&
	    !att_route_has_version(rt, req->api_version)) {
		char in[ATT_ROUTE_VERSIONS_LEN];
		att_apiver_list(in, sizeof(in), rt->versions);
		att_resp_err(resp, ATT_ERR_UNSUPPORTED, "InvalidParameter",
			     "api-version '%.64s' has no operation %s %s; it "
			     "exists in: %s",
			     req->api_version, rt->method, rt->pattern, in);
		return;
	}
	if (att_auth_check(&req->prov->auth, req->prov->base_url,
			   route_auth(rt, req->api_version),
			   req->authorization, req->now, &req->auth_claims,
			   resp) != 0)
		return;
	rt->handler(req, resp);
	(void)srv;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void att_server_finish(struct att_server *srv, const struct att_req *req,
		       const struct att_resp *resp, double seconds)
{
	const char *route = req->match.route ? req->match.route->pattern
					     : "unmatched";
	if (srv->metrics)
		att_metrics_end(srv->metrics, route, resp->status, seconds);
	struct att_reqlog_entry e = {
		.request_id = req->request_id,
		.provider = req->prov ? req->prov->name : NULL,
		.method = req->method,
		.route = route,
		.status = resp->status,
		.duration_ms = seconds * 1000.0,
		.error_code = resp->status == 200 ? NULL : resp->error_code};
	att_reqlog_write(&e);
}

void att_server_handle(struct att_server *srv, struct att_req *req,
		       struct att_resp *resp)
{
	double t0 = mono_now();
	if (srv->metrics)
		att_metrics_begin(srv->metrics);
	if (!req->request_id[0])
		att_req_new_id(req->request_id);
	if (!req->now)
		req->now = att_time_now();
	pthread_rwlock_rdlock(&srv->reg_lock);
	req->prov = att_provider_select(srv->reg, req->host, req->path,
					&req->rest);
	if (!req->prov)
		att_resp_error(resp, 404, "NotFound", "no provider");
	else
		route_and_run(srv, req, resp);
	att_server_finish(srv, req, resp, mono_now() - t0);
	/* The log line names the provider: finish before unlocking. */
	pthread_rwlock_unlock(&srv->reg_lock);
	json_decref(req->auth_claims);
	req->auth_claims = NULL;
}
