/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The relying-party library (include/attest/rp.h). It caches the issuer's
 * JWKS, found through the issuer's OpenID metadata, and verifies tokens
 * with the token layer. A token with an unknown kid triggers one refresh
 * of metadata and JWKS (rate-limited on a monotonic clock, so a stream of
 * tokens with made-up kids cannot turn the relying party into a load
 * generator against the issuer) and one retry: key rotation on the
 * issuer needs no restart here. Verification runs on a reference to the
 * cached JWKS taken under the mutex, so a refresh never blocks readers
 * for longer than a pointer swap, while refreshes are serialised.
 */
#include "attest/rp.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/diag.h"
#include "base/timeutil.h"
#include "net/oidc.h"
#include "token/jwt.h"

struct att_rp {
	char *issuer, *audience, *ca_file, *pin, *bearer;
	struct att_http_opts http;
	unsigned allowed_algs;
	int64_t skew, min_refresh;
	pthread_mutex_t fetch_mu; /* serialises fetches */
	pthread_mutex_t mu;       /* guards the fields below */
	json_t *jwks;
	unsigned generation;      /* bumped by every successful fetch */
	unsigned fetches;
	int64_t last_fetch_ms;    /* monotonic */
	bool mutexes;             /* mu and fetch_mu initialised */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return true;
	*out = strdup(s);
	return *out != NULL;
}

static bool url_ok(const char *u)
{
	return u && (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7));
}

struct att_rp *att_rp_new_opts(const struct att_rp_opts *o)
{
	static const struct att_http_opts no_http;
	if (!o || !url_ok(o->issuer))
		return NULL;
	const struct att_http_opts *h = o->http ? o->http : &no_http;
	struct att_rp *rp = calloc(1, sizeof(*rp));
	if (!rp)
		return NULL;
	if (!dup_opt(&rp->issuer, o->issuer) ||
	    !dup_opt(&rp->audience, o->audience) ||
	    !dup_opt(&rp->ca_file, h->ca_file) ||
	    !dup_opt(&rp->pin, h->pinned_cert_sha256_b64) ||
	    !dup_opt(&rp->bearer, h->bearer)) {
		att_rp_free(rp);
		return NULL;
	}
	rp->http = (struct att_http_opts){
		.ca_file = rp->ca_file, .pinned_cert_sha256_b64 = rp->pin,
		.bearer = rp->bearer, .timeout_ms = h->timeout_ms,
		.insecure_skip_verify = h->insecure_skip_verify};
	rp->allowed_algs = o->allowed_algs;
	rp->skew = o->skew_seconds < 0 ? ATT_RP_DEFAULT_SKEW_SECONDS
				       : o->skew_seconds;
	rp->min_refresh = o->min_refresh_seconds < 0
				  ? ATT_RP_DEFAULT_MIN_REFRESH_SECONDS
				  : o->min_refresh_seconds;
	pthread_mutex_init(&rp->mu, NULL);
	pthread_mutex_init(&rp->fetch_mu, NULL);
	rp->mutexes = true;
	return rp;
}

struct att_rp *att_rp_new(const char *issuer, const struct att_http_opts *http)
{
	struct att_rp_opts o = {.issuer = issuer, .http = http,
				.skew_seconds = -1, .min_refresh_seconds = -1};
	return att_rp_new_opts(&o);
}

void att_rp_free(struct att_rp *rp)
{
	if (!rp)
		return;
	if (rp->mutexes) {
		pthread_mutex_destroy(&rp->mu);
		pthread_mutex_destroy(&rp->fetch_mu);
	}
	json_decref(rp->jwks);
	free(rp->issuer);
	free(rp->audience);
	free(rp->ca_file);
	free(rp->pin);
	free(rp->bearer);
	free(rp);
}

/* snapshot returns a new reference to the cached JWKS (or NULL) and its
 * generation. */
static json_t *snapshot(struct att_rp *rp, unsigned *gen)
{
	pthread_mutex_lock(&rp->mu);
	json_t *j = json_incref(rp->jwks);
	*gen = rp->generation;
	pthread_mutex_unlock(&rp->mu);
	return j;
}

static int fetch_now(struct att_rp *rp, struct att_diag *d)
{
	struct att_net_opts o;
	json_t *jwks = NULL;
	att_net_opts_from_http(&o, &rp->http);
	int r = att_oidc_discover(&jwks, rp->issuer, ATT_OIDC_ISSUER_REQUIRED,
				  &o, d);
	pthread_mutex_lock(&rp->mu);
	rp->fetches += r == 0;
	rp->last_fetch_ms = mono_ms();
	if (r == 0) {
		json_decref(rp->jwks);
		rp->jwks = jwks; /* transferred */
		rp->generation++;
	}
	pthread_mutex_unlock(&rp->mu);
	return r;
}

/* refresh fetches metadata and JWKS unless another thread already did
 * since generation seen, or the last fetch is more recent than the
 * minimum refresh interval (when rate_limited). */
static int refresh(struct att_rp *rp, unsigned seen, bool rate_limited,
		   struct att_diag *d)
{
	int r = 0;
	pthread_mutex_lock(&rp->fetch_mu);
	pthread_mutex_lock(&rp->mu);
	bool done = rp->generation != seen;
	bool limited = rate_limited && rp->last_fetch_ms &&
		       mono_ms() - rp->last_fetch_ms < rp->min_refresh * 1000;
	pthread_mutex_unlock(&rp->mu);
	if (!done && limited)
		r = ATT_ERR_LIMIT;
	else if (!done)
		r = fetch_now(rp, d);
	pthread_mutex_unlock(&rp->fetch_mu);
	return r;
}

static int verify_once(struct att_rp *rp, json_t *jwks, const char *token,
		       int64_t now, json_t **claims, struct att_diag *d)
{
	struct att_jwt_verify_opts o = {
		.issuer = rp->issuer, .audience = rp->audience, .now = now,
		.skew_seconds = rp->skew, .allowed_algs = rp->allowed_algs,
		.require_exp = true};
	att_diag_clear(d);
	return att_jwt_verify(claims, NULL, token, jwks, &o, d);
}

static int verify_with_cache(struct att_rp *rp, const char *token,
			     int64_t now, json_t **claims, struct att_diag *d)
{
	unsigned gen = 0;
	json_t *jwks = snapshot(rp, &gen);
	int r;
	if (!jwks) {
		if ((r = refresh(rp, gen, false, d)) != 0)
			return r;
		jwks = snapshot(rp, &gen);
	}
	r = verify_once(rp, jwks, token, now, claims, d);
	if (r == ATT_ERR_NOT_FOUND) {
		struct att_diag fd;
		att_diag_clear(&fd);
		int fr = refresh(rp, gen, true, &fd);
		if (fr == 0) {
			json_decref(jwks);
			jwks = snapshot(rp, &gen);
			r = verify_once(rp, jwks, token, now, claims, d);
		} else if (fr != ATT_ERR_LIMIT) {
			r = att_diag_set(d, fr, "refreshing the JWKS: %s",
					 att_diag_msg(&fd));
		}
	}
	json_decref(jwks);
	return r;
}

int att_rp_verify(struct att_rp *rp, const char *token, int64_t now,
		  char **out_claims_json, char *errbuf, size_t errlen)
{
	struct att_diag d;
	json_t *claims = NULL;
	int r;
	att_diag_clear(&d);
	if (out_claims_json)
		*out_claims_json = NULL;
	if (!rp || !token) {
		r = att_diag_set(&d, ATT_ERR_INVALID_ARG, "no token");
		goto out;
	}
	if ((r = verify_with_cache(rp, token, now > 0 ? now : att_time_now(),
				   &claims, &d)) != 0)
		goto out;
	if (out_claims_json &&
	    !(*out_claims_json = json_dumps(claims, JSON_COMPACT)))
		r = att_diag_set(&d, ATT_ERR_NOMEM, "out of memory");
out:
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", r ? att_diag_msg(&d) : "");
	json_decref(claims);
	return r;
}

unsigned att_rp_jwks_fetches(struct att_rp *rp)
{
	pthread_mutex_lock(&rp->mu);
	unsigned n = rp->fetches;
	pthread_mutex_unlock(&rp->mu);
	return n;
}
