/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the background JWKS fetcher (server/jwks_fetch.h) against a
 * real loopback HTTP server run by this test (127.0.0.1 only): the first
 * fetch, OIDC discovery, a hanging issuer (bounded wait, single flight,
 * 503 with Retry-After through att_auth_check), a refused one (backoff,
 * no fetch storm), no wait once a fetch failed, unknown kids (401 "signing key
 * not available", the refetch cooldown, a rotated key picked up, the stale set
 * kept while the issuer fails), sharing of sources, the per-issuer settings,
 * and a stop that does not wait for a hung fetch. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "server/auth.h"
#include "server/jwks_fetch.h"
#include "server/provider.h"
#include "server/server.h"

enum mode { SERVE, HANG, CLOSE };

/* A one-thread HTTP/1.0-style server: GET /jwks answers by mode, GET
 * .../.well-known/openid-configuration names /jwks, GET /hang hangs. */
struct idp {
	int lfd;
	int port;
	pthread_t th;
	atomic_int mode;
	atomic_int stop;
	atomic_int n_jwks, n_disc, n_hang;
	pthread_mutex_t mu; /* guards body */
	char body[1024];
	int held[64];
	int n_held;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void reply(int fd, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/json"
			 "\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 strlen(body));
	if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
		perror("idp write");
}

static void hold(struct idp *s, int fd)
{
	if (s->n_held < 64)
		s->held[s->n_held++] = fd;
	else
		close(fd);
}

static void serve_one(struct idp *s, int fd)
{
	char req[2048];
	size_t len = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (len < sizeof(req) - 1 && poll(&p, 1, 1000) == 1) {
		ssize_t n = read(fd, req + len, sizeof(req) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		req[len] = 0;
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[len] = 0;
	if (strstr(req, "GET /hang")) {
		atomic_fetch_add(&s->n_hang, 1);
		hold(s, fd);
		return;
	}
	if (strstr(req, "/.well-known/openid-configuration")) {
		char disc[128];
		atomic_fetch_add(&s->n_disc, 1);
		snprintf(disc, sizeof(disc),
			 "{\"jwks_uri\":\"http://127.0.0.1:%d/jwks\"}",
			 s->port);
		reply(fd, disc);
		close(fd);
		return;
	}
	atomic_fetch_add(&s->n_jwks, 1);
	int m = atomic_load(&s->mode);
	if (m == HANG) {
		hold(s, fd);
		return;
	}
	if (m == SERVE) {
		pthread_mutex_lock(&s->mu);
		reply(fd, s->body);
		pthread_mutex_unlock(&s->mu);
	}
	close(fd);
}

static void *idp_main(void *arg)
{
	struct idp *s = arg;
	while (!atomic_load(&s->stop)) {
		struct pollfd p = {.fd = s->lfd, .events = POLLIN};
		if (poll(&p, 1, 20) != 1)
			continue;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd >= 0)
			serve_one(s, fd);
	}
	for (int i = 0; i < s->n_held; i++)
		close(s->held[i]);
	return NULL;
}

static int listen_any(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 64) || getsockname(fd, (struct sockaddr *)&a, &al)) {
		perror("idp listen");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void idp_start(struct idp *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	snprintf(s->body, sizeof(s->body),
		 "{\"keys\":[{\"kty\":\"RSA\","
		 "\"kid\":\"k1\",\"n\":\"AQAB\","
		 "\"e\":\"AQAB\"}]}");
	s->lfd = listen_any(&s->port);
	pthread_create(&s->th, NULL, idp_main, s);
}

static void idp_set_body(struct idp *s, const char *body)
{
	pthread_mutex_lock(&s->mu);
	snprintf(s->body, sizeof(s->body), "%s", body);
	pthread_mutex_unlock(&s->mu);
}

static void idp_stop(struct idp *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	close(s->lfd);
	pthread_mutex_destroy(&s->mu);
}

/* A port where nothing listens (bound, then closed). */
static int dead_port(void)
{
	int port = 0;
	close(listen_any(&port));
	return port;
}

/* settings with one issuer {issuer, jwks_uri (may be NULL), cooldown}. */
static void settings(struct att_auth_settings *a, const char *iss,
		     const char *uri, int cooldown)
{
	char js[1024];
	struct att_diag d = {0};
	snprintf(js, sizeof(js),
		 "{\"issuers\":[{\"issuer\":\"%s\",\"audience\":\"aud\"%s%s%s,"
		 "\"refetch_cooldown_seconds\":%d}]}",
		 iss, uri ? ",\"jwks_uri\":\"" : "", uri ? uri : "",
		 uri ? "\"" : "", cooldown);
	json_t *o = json_loads(js, 0, NULL);
	int r = att_auth_settings_parse(a, o, &d);
	ATT_CHECK(r == 0, "parse %s: %s", js, att_diag_msg(&d));
	json_decref(o);
}

static struct att_jwks_source *src_of(struct att_auth_settings *a)
{
	return a->issuers[0]->src;
}

static void stats(struct att_auth_settings *a, struct att_jwks_stats *st)
{
	att_jwks_source_stats(src_of(a), st);
}

/* wait_for polls until the source has ended at least `attempts` attempts
 * (not in flight) or 3 s pass. */
static void wait_attempts(struct att_auth_settings *a, uint64_t attempts)
{
	struct att_jwks_stats st;
	int64_t end = now_ms() + 3000;
	do {
		stats(a, &st);
		if (st.attempts >= attempts && !st.in_flight)
			return;
		sleep_ms(10);
	} while (now_ms() < end);
}

static void test_backoff(void)
{
	ATT_CHECK_EQ_INT(att_jwks_backoff_ms(1),
			 ATT_JWKS_BACKOFF_MIN_SECONDS * 1000);
	ATT_CHECK_EQ_INT(att_jwks_backoff_ms(2),
			 2 * ATT_JWKS_BACKOFF_MIN_SECONDS * 1000);
	ATT_CHECK_EQ_INT(att_jwks_backoff_ms(3),
			 4 * ATT_JWKS_BACKOFF_MIN_SECONDS * 1000);
	ATT_CHECK_EQ_INT(att_jwks_backoff_ms(40),
			 ATT_JWKS_BACKOFF_MAX_SECONDS * 1000);
	ATT_CHECK_EQ_INT(att_jwks_backoff_ms(64),
			 ATT_JWKS_BACKOFF_MAX_SECONDS * 1000);
	for (unsigned n = 1; n < 64; n++)
		ATT_CHECK(att_jwks_backoff_ms(n + 1) >= att_jwks_backoff_ms(n),
			  "backoff never shrinks (n=%u)", n);
}

static void parse_refused(const char *issuer_obj, const char *needle)
{
	char js[512];
	struct att_auth_settings a;
	struct att_diag d = {0};
	snprintf(js, sizeof(js), "{\"issuers\":[%s]}", issuer_obj);
	json_t *o = json_loads(js, 0, NULL);
	int r = att_auth_settings_parse(&a, o, &d);
	ATT_CHECK(r == ATT_ERR_INVALID_ARG && strstr(att_diag_msg(&d), needle),
		  "%s refused naming %s: r=%d '%s'", issuer_obj, needle, r,
		  att_diag_msg(&d));
	json_decref(o);
}

static void test_settings(void)
{
	struct att_auth_settings a;
	struct att_diag d = {0};
	json_t *o = json_loads("{\"issuers\":[{\"issuer\":\"https://i\","
			       "\"audience\":\"a\"}]}",
			       0, NULL);
	ATT_CHECK_EQ_INT(att_auth_settings_parse(&a, o, &d), 0);
	ATT_CHECK_EQ_INT(a.issuers[0]->refetch_cooldown_seconds,
			 ATT_JWKS_REFETCH_COOLDOWN_SECONDS);
	ATT_CHECK(a.issuers[0]->src == NULL, "unbound until a server binds");
	att_auth_settings_release(&a);
	json_decref(o);
	settings(&a, "https://i", NULL, 7);
	ATT_CHECK_EQ_INT(a.issuers[0]->refetch_cooldown_seconds, 7);
	att_auth_settings_release(&a);
	parse_refused("{\"issuer\":\"i\",\"audience\":\"a\","
		      "\"refetch_cooldown_seconds\":0}",
		      "refetch_cooldown_seconds");
	parse_refused("{\"issuer\":\"i\",\"audience\":\"a\","
		      "\"refetch_cooldown_seconds\":\"5\"}",
		      "refetch_cooldown_seconds");
	parse_refused("{\"issuer\":\"i\",\"audience\":\"a\","
		      "\"refetch_cooldown_seconds\":3601}",
		      "refetch_cooldown_seconds");
	parse_refused(
	    "{\"issuer\":\"i\",\"audience\":\"a\",\"jwks_url\":\"x\"}",
	    "jwks_url");
	parse_refused("{\"issuer\":\"i\",\"audience\":\"a\",\"jwks_uri\":5}",
		      "jwks_uri");
}

/* First fetch on bind, then OIDC discovery. */
static void test_fetch_and_discovery(struct att_jwks_svc *svc, struct idp *s)
{
	struct att_auth_settings a, b;
	struct att_jwks_status st;
	struct att_diag d = {0};
	json_t *j = NULL;
	char uri[128], iss[128];
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/jwks", s->port);
	settings(&a, "https://fetch.example", uri, 60);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &a, &d), 0);
	ATT_CHECK(src_of(&a) != NULL, "bound");
	wait_attempts(&a, 1);
	ATT_CHECK_EQ_INT(att_jwks_source_get(src_of(&a), &j, &st), 0);
	ATT_CHECK_EQ_STR(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(j, "keys"), 0), "kid")),
	    "k1");
	json_decref(j);

	snprintf(iss, sizeof(iss), "http://127.0.0.1:%d/disc/", s->port);
	settings(&b, iss, NULL, 60);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &b, &d), 0);
	j = NULL;
	/* Right after binding: the request may wait for the first fetch. */
	int64_t t0 = now_ms();
	int r = att_jwks_source_get(src_of(&b), &j, &st);
	if (r) { /* a loaded machine: the fetch outlived the wait */
		wait_attempts(&b, 1);
		r = att_jwks_source_get(src_of(&b), &j, &st);
	}
	ATT_CHECK(r == 0 && j, "discovered JWKS: r=%d %s", r, st.why);
	ATT_CHECK(now_ms() - t0 < 3000, "within the bound");
	ATT_CHECK(atomic_load(&s->n_disc) >= 1, "discovery document fetched");
	json_decref(j);
	att_auth_settings_release(&a);
	att_auth_settings_release(&b);
}

/* A token whose header and payload are as given, signature junk. */
static void forge(char *out, size_t n, const char *kid, const char *iss)
{
	char h[128], p[256];
	snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", kid);
	snprintf(p, sizeof(p),
		 "{\"iss\":\"%s\",\"aud\":\"aud\",\"exp\":4102444800}", iss);
	/* base64url by hand: a tiny encoder for the test. */
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
	    "vwxyz0123456789-_";
	const char *parts[2] = {h, p};
	size_t o = 0;
	for (int k = 0; k < 2; k++) {
		const unsigned char *s = (const unsigned char *)parts[k];
		size_t len = strlen(parts[k]);
		for (size_t i = 0; i < len; i += 3) {
			unsigned v = (unsigned)s[i] << 16;
			if (i + 1 < len)
				v |= (unsigned)s[i + 1] << 8;
			if (i + 2 < len)
				v |= s[i + 2];
			out[o++] = t[(v >> 18) & 63];
			out[o++] = t[(v >> 12) & 63];
			if (i + 1 < len)
				out[o++] = t[(v >> 6) & 63];
			if (i + 2 < len)
				out[o++] = t[v & 63];
		}
		out[o++] = '.';
	}
	snprintf(out + o, n - o, "c2lnbmF0dXJl");
}

static unsigned check(struct att_auth_settings *a, const char *token,
		      struct att_resp *resp)
{
	char authz[1024];
	json_t *claims = NULL;
	snprintf(authz, sizeof(authz), "Bearer %s", token);
	att_resp_init(resp);
	att_auth_check(a, "https://realm", ATT_AUTH_READER, authz, 1700000000,
		       &claims, resp);
	json_decref(claims);
	return resp->status;
}

static const char *body(struct att_resp *resp)
{
	static char b[1024];
	snprintf(b, sizeof(b), "%.*s", (int)resp->body.len,
		 (const char *)resp->body.data);
	return b;
}

/* A hung issuer: a bounded wait, then 503 at once; one fetch only. */
static void test_hang(struct att_jwks_svc *svc, struct idp *s)
{
	struct att_auth_settings a;
	struct att_jwks_status st;
	struct att_jwks_stats x;
	struct att_resp resp;
	struct att_diag d = {0};
	json_t *j = NULL;
	char uri[128], tok[1024];
	unsigned since = 0;
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/hang", s->port);
	settings(&a, "https://hang.example", uri, 1);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &a, &d), 0);
	int64_t t0 = now_ms();
	int r = att_jwks_source_get(src_of(&a), &j, &st);
	int64_t t1 = now_ms();
	ATT_CHECK_EQ_INT(r, ATT_ERR_NETWORK);
	ATT_CHECK(t1 - t0 <= ATT_JWKS_WAIT_MS + 400,
		  "first request waits at most ~%d ms: %lld", ATT_JWKS_WAIT_MS,
		  (long long)(t1 - t0));
	ATT_CHECK(strstr(st.why, "in progress") != NULL, "why: %s", st.why);
	ATT_CHECK(st.retry_after >= 1, "retry after %u", st.retry_after);
	/* Past the wait: no request waits any more. */
	sleep_ms(ATT_JWKS_WAIT_MS + 50);
	int64_t worst = 0;
	forge(tok, sizeof(tok), "forged", "https://hang.example");
	for (int i = 0; i < 100; i++) {
		t0 = now_ms();
		unsigned status = check(&a, tok, &resp);
		int64_t dt = now_ms() - t0;
		worst = dt > worst ? dt : worst;
		if (i == 0) {
			ATT_CHECK_EQ_INT(status, 503);
			ATT_CHECK(strstr(body(&resp), "ServiceUnavailable") &&
				      strstr(body(&resp), "hang.example"),
				  "503 body: %s", body(&resp));
			ATT_CHECK(resp.extra_name &&
				      !strcmp(resp.extra_name, "Retry-After") &&
				      strtol(resp.extra_value, NULL, 10) >= 1,
				  "Retry-After: %s", resp.extra_value);
		}
		att_resp_release(&resp);
		att_jwks_source_want(src_of(&a), &since);
	}
	ATT_CHECK(worst < 50,
		  "100 tokens answered without waiting: worst %lld ms",
		  (long long)worst);
	stats(&a, &x);
	ATT_CHECK_EQ_INT(x.attempts, 1); /* single flight */
	ATT_CHECK(x.in_flight, "still hanging");
	ATT_CHECK(atomic_load(&s->n_hang) == 1, "the IdP saw %d fetches",
		  atomic_load(&s->n_hang));
	att_auth_settings_release(&a);
}

/* A refused issuer: failures are remembered with backoff. */
static void test_refused(struct att_jwks_svc *svc)
{
	struct att_auth_settings a;
	struct att_jwks_status st;
	struct att_jwks_stats x;
	struct att_diag d = {0};
	json_t *j = NULL;
	char uri[128];
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/jwks", dead_port());
	settings(&a, "https://down.example", uri, 1);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &a, &d), 0);
	wait_attempts(&a, 1);
	int64_t t0 = now_ms();
	ATT_CHECK_EQ_INT(att_jwks_source_get(src_of(&a), &j, &st),
			 ATT_ERR_NETWORK);
	ATT_CHECK(now_ms() - t0 < 50, "answered at once in backoff");
	ATT_CHECK(strstr(st.why, "failed") != NULL, "why: %s", st.why);
	ATT_CHECK(st.retry_after >= 1 &&
		      st.retry_after <= ATT_JWKS_BACKOFF_MIN_SECONDS,
		  "retry after %u", st.retry_after);
	for (int i = 0; i < 50; i++) { /* a storm of asks within 0.5 s */
		unsigned since;
		att_jwks_source_want(src_of(&a), &since);
		att_jwks_source_get(src_of(&a), &j, &st);
		sleep_ms(10);
	}
	stats(&a, &x);
	ATT_CHECK(x.attempts <= 2, "backoff bounds attempts: %llu",
		  (unsigned long long)x.attempts);
	/* Backoff grows: 1 s, 2 s, ... so in 2.5 s at most 3 attempts. */
	sleep_ms(2000);
	stats(&a, &x);
	ATT_CHECK(x.attempts >= 2 && x.attempts <= 3,
		  "retried after the backoff, no more: %llu",
		  (unsigned long long)x.attempts);
	ATT_CHECK_EQ_INT(x.failures, x.attempts - (x.in_flight ? 1 : 0));
	ATT_CHECK(!x.has_jwks, "nothing known");
	att_auth_settings_release(&a);
}

/* Once an attempt failed, no request waits, even for a retry that just
 * began (and then hangs). */
static void test_no_wait_after_failure(struct att_jwks_svc *svc, struct idp *s)
{
	struct att_auth_settings a;
	struct att_jwks_status st;
	struct att_jwks_stats x;
	struct att_diag d = {0};
	json_t *j = NULL;
	char uri[128];
	atomic_store(&s->mode, CLOSE);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/jwks", s->port);
	settings(&a, "https://flaky.example", uri, 1);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &a, &d), 0);
	wait_attempts(&a, 1);
	atomic_store(&s->mode, HANG);
	int64_t end = now_ms() + 3000;
	do { /* the retry, after the 1 s backoff */
		stats(&a, &x);
		if (x.attempts >= 2 && x.in_flight)
			break;
		sleep_ms(2);
	} while (now_ms() < end);
	ATT_CHECK(x.attempts == 2 && x.in_flight, "retry in flight");
	int64_t t0 = now_ms();
	ATT_CHECK_EQ_INT(att_jwks_source_get(src_of(&a), &j, &st),
			 ATT_ERR_NETWORK);
	ATT_CHECK(now_ms() - t0 < 50, "no wait after a failure: %lld ms",
		  (long long)(now_ms() - t0));
	ATT_CHECK(strstr(st.why, "in progress") && strstr(st.why, "failed"),
		  "why: %s", st.why);
	atomic_store(&s->mode, SERVE);
	att_auth_settings_release(&a);
}

/* Unknown kids: 401, refetch at most once per cooldown, rotation picked
 * up, the last good set kept while the issuer fails. */
static void test_unknown_kid(struct att_jwks_svc *svc, struct idp *s)
{
	struct att_auth_settings a;
	struct att_jwks_status st;
	struct att_jwks_stats x;
	struct att_resp resp;
	struct att_diag d = {0};
	json_t *j = NULL;
	char uri[128], tok[1024];
	unsigned since = 0;
	atomic_store(&s->mode, SERVE);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/jwks", s->port);
	settings(&a, "https://kid.example", uri, 1);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &a, &d), 0);
	wait_attempts(&a, 1);
	forge(tok, sizeof(tok), "k2", "https://kid.example");
	ATT_CHECK_EQ_INT(check(&a, tok, &resp), 401);
	ATT_CHECK(strstr(body(&resp), "signing key not available"),
		  "401 body: %s", body(&resp));
	ATT_CHECK(resp.www_authenticate[0], "WWW-Authenticate");
	att_resp_release(&resp);
	ATT_CHECK(!att_jwks_source_want(src_of(&a), &since),
		  "within the cooldown: no refetch");
	stats(&a, &x);
	ATT_CHECK_EQ_INT(x.attempts, 1);
	/* The issuer rotates; after the 1 s cooldown k2 is fetched. */
	idp_set_body(s, "{\"keys\":[{\"kid\":\"k1\"},{\"kid\":\"k2\"}]}");
	sleep_ms(1100);
	ATT_CHECK(att_jwks_source_want(src_of(&a), &since), "refetch asked");
	wait_attempts(&a, 2);
	ATT_CHECK_EQ_INT(att_jwks_source_get(src_of(&a), &j, &st), 0);
	ATT_CHECK_EQ_INT(json_array_size(json_object_get(j, "keys")), 2);
	json_decref(j);
	/* The issuer goes away: the cached set is still served. */
	atomic_store(&s->mode, CLOSE);
	sleep_ms(1100);
	ATT_CHECK(att_jwks_source_want(src_of(&a), &since), "refetch asked");
	wait_attempts(&a, 3);
	stats(&a, &x);
	ATT_CHECK_EQ_INT(x.failures, 1);
	j = NULL;
	ATT_CHECK_EQ_INT(att_jwks_source_get(src_of(&a), &j, &st), 0);
	ATT_CHECK_EQ_INT(json_array_size(json_object_get(j, "keys")), 2);
	json_decref(j);
	forge(tok, sizeof(tok), "k9", "https://kid.example");
	ATT_CHECK_EQ_INT(check(&a, tok, &resp), 401); /* not 503: keys known */
	att_resp_release(&resp);
	atomic_store(&s->mode, SERVE);
	att_auth_settings_release(&a);
}

static void test_sharing(struct att_jwks_svc *svc)
{
	struct att_auth_settings a, b, c;
	struct att_diag d = {0};
	settings(&a, "https://share.example", "http://127.0.0.1:1/x", 5);
	settings(&b, "https://share.example", "http://127.0.0.1:1/x", 5);
	settings(&c, "https://share.example", "http://127.0.0.1:1/x", 6);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &a, &d), 0);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &b, &d), 0);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &c, &d), 0);
	ATT_CHECK(src_of(&a) == src_of(&b), "same issuer settings share");
	ATT_CHECK(src_of(&a) != src_of(&c), "another cooldown does not");
	att_auth_settings_release(&a);
	att_auth_settings_release(&b);
	att_auth_settings_release(&c);
	settings(&a, "https://off.example", "http://127.0.0.1:1/x", 5);
	a.enabled = false;
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &a, &d), 0);
	ATT_CHECK(src_of(&a) == NULL, "disabled auth fetches nothing");
	att_auth_settings_release(&a);
}

/* Stopping does not wait for a hung fetch. */
static void test_stop(struct idp *s)
{
	struct att_jwks_svc *svc = NULL;
	struct att_auth_settings a;
	struct att_diag d = {0};
	char uri[128];
	ATT_CHECK_EQ_INT(att_jwks_svc_new(&svc, &d), 0);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/hang", s->port);
	settings(&a, "https://stop.example", uri, 60);
	ATT_CHECK_EQ_INT(att_jwks_svc_bind(svc, &a, &d), 0);
	sleep_ms(100);
	att_auth_settings_release(&a);
	int64_t t0 = now_ms();
	att_jwks_svc_free(svc);
	ATT_CHECK(now_ms() - t0 < 500, "stopped in %lld ms",
		  (long long)(now_ms() - t0));
}

int main(void)
{
	struct att_jwks_svc *svc = NULL;
	struct att_diag d = {0};
	struct idp s;
	att_auth_global_init();
	test_backoff();
	test_settings();
	idp_start(&s);
	ATT_CHECK_EQ_INT(att_jwks_svc_new(&svc, &d), 0);
	test_fetch_and_discovery(svc, &s);
	test_hang(svc, &s);
	test_refused(svc);
	test_no_wait_after_failure(svc, &s);
	test_unknown_kid(svc, &s);
	test_sharing(svc);
	att_jwks_svc_free(svc);
	test_stop(&s);
	idp_stop(&s);
	return att_test_done();
}
