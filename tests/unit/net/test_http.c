/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client (net/http.h) against a real HTTPS server on 127.0.0.1
 * (tests/unit/net/net_server.py, certificates made by the openssl CLI):
 * a verified GET, CA verification failure (wrong CA, system store),
 * insecure mode, the key pin (match and mismatch), header capture (last
 * line wins, trimmed, only from the final response, capped), the body cap
 * (with and without Content-Length, exactly at the cap), the total
 * timeout, a refused connection, redirects (not followed by default,
 * followed when asked), argument refusals (scheme, method, bearer over
 * http), POST/PUT/DELETE with body, content type and bearer, the
 * att_http_* face, and the multi interface (two transfers, a wakeup
 * cutting a wait short, an aborted transfer).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "net/http.h"
#include "net_fixture.h"

static struct net_fixture fx;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *url(const char *path)
{
	static char u[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(u[i], sizeof(u[i]), "%s%s", fx.base, path);
	return u[i];
}

/* get: GET path with o; the body (NUL-terminated) in b. */
static int get(struct att_buf *b, long *st, const char *path,
	       const struct att_net_opts *o, struct att_diag *d)
{
	att_diag_clear(d);
	att_buf_release(b); /* b starts zeroed */
	return att_net_request(b, st, "GET", url(path), NULL, NULL, 0, o, d);
}

static bool has(const struct att_diag *d, const char *s)
{
	return strstr(att_diag_msg(d), s) != NULL;
}

static void t_verified(void)
{
	struct att_net_opts o = {.ca_file = fx.ca};
	struct att_buf b = {0};
	struct att_diag d;
	long st = 0;
	ATT_CHECK_EQ_INT(get(&b, &st, "/hello", &o, &d), 0);
	ATT_CHECK_EQ_INT(st, 200);
	ATT_CHECK_EQ_STR(att_buf_cstr(&b), "hello");
	att_buf_release(&b);
	ATT_CHECK_EQ_INT(get(&b, &st, "/status/404", &o, &d), 0);
	ATT_CHECK_EQ_INT(st, 404);
	att_buf_release(&b);
}

static void t_tls_failures(void)
{
	struct att_net_opts o = {.ca_file = fx.other_ca};
	struct att_buf b = {0};
	struct att_diag d;
	long st = -1;
	int r = get(&b, &st, "/hello", &o, &d);
	ATT_CHECK(r == ATT_ERR_NETWORK && has(&d, "/hello") && has(&d, "GET"),
		  "wrong CA: %d %s", r, att_diag_msg(&d));
	ATT_CHECK_EQ_INT(st, 0);
	ATT_CHECK(b.len == 0, "no body kept on failure");
	o.ca_file = NULL; /* the system store does not know the test CA */
	r = get(&b, &st, "/hello", &o, &d);
	ATT_CHECK(r == ATT_ERR_NETWORK, "system store: %d %s", r,
		  att_diag_msg(&d));
	o.insecure_skip_verify = true;
	ATT_CHECK_EQ_INT(get(&b, &st, "/hello", &o, &d), 0);
	ATT_CHECK_EQ_INT(st, 200);
	att_buf_release(&b);
}

static void t_pin(void)
{
	char pref[160];
	struct att_net_opts o = {.ca_file = fx.ca, .pinned_key = fx.pin};
	struct att_buf b = {0};
	struct att_diag d;
	long st = 0;
	ATT_CHECK_EQ_INT(get(&b, &st, "/hello", &o, &d), 0);
	ATT_CHECK_EQ_INT(st, 200);
	snprintf(pref, sizeof(pref), "sha256//%s", fx.pin);
	o.pinned_key = pref;
	ATT_CHECK_EQ_INT(get(&b, &st, "/hello", &o, &d), 0);
	o.pinned_key = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	int r = get(&b, &st, "/hello", &o, &d);
	ATT_CHECK(r == ATT_ERR_NETWORK && has(&d, "pinned"),
		  "pin mismatch: %d %s", r, att_diag_msg(&d));
	/* A pin mismatch fails even with verification off. */
	o.insecure_skip_verify = true;
	r = get(&b, &st, "/hello", &o, &d);
	ATT_CHECK(r == ATT_ERR_NETWORK, "pin mismatch, insecure: %d", r);
	att_buf_release(&b);
}

static void t_capture(void)
{
	static const char *const names[] = {"X-Missing", "x-CHAIN", NULL};
	struct att_net_opts o = {.ca_file = fx.ca, .capture = names};
	struct att_net_xfer *x = NULL;
	struct att_diag d;
	const char *name = NULL, *v;
	size_t len = 0;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_net_xfer_new(&x, "GET", url("/hello"), NULL, NULL,
					  0, &o, &d),
			 0);
	ATT_CHECK_EQ_INT(att_net_xfer_perform(x, &d), 0);
	v = att_net_xfer_header(x, &len, &name);
	ATT_CHECK(v && len == 12 && !memcmp(v, "last%20value", 12),
		  "last line wins, trimmed: [%.*s]", (int)len, v ? v : "");
	ATT_CHECK_EQ_STR(name, "x-CHAIN");
	att_net_xfer_free(x);

	/* Not asked for: nothing captured. */
	o.capture = NULL;
	ATT_CHECK_EQ_INT(att_net_xfer_new(&x, "GET", url("/hello"), NULL, NULL,
					  0, &o, &d),
			 0);
	ATT_CHECK_EQ_INT(att_net_xfer_perform(x, &d), 0);
	ATT_CHECK(att_net_xfer_header(x, &len, &name) == NULL,
		  "no capture list, no header");
	att_net_xfer_free(x);

	/* A captured header above ATT_MAX_HTTP_HEADER is refused. */
	o.capture = names;
	ATT_CHECK_EQ_INT(att_net_xfer_new(&x, "GET", url("/bighdr"), NULL,
					  NULL, 0, &o, &d),
			 0);
	int r = att_net_xfer_perform(x, &d);
	ATT_CHECK(r == ATT_ERR_LIMIT && has(&d, "header larger than"),
		  "big header: %d %s", r, att_diag_msg(&d));
	att_net_xfer_free(x);
}

static void t_body_cap(void)
{
	struct att_net_opts o = {.ca_file = fx.ca, .max_body = 1000};
	struct att_buf b = {0};
	struct att_diag d;
	long st = 0;
	int r = get(&b, &st, "/big/1001", &o, &d);
	ATT_CHECK(r == ATT_ERR_LIMIT && has(&d, "larger than 1000 bytes"),
		  "Content-Length above the cap: %d %s", r, att_diag_msg(&d));
	r = get(&b, &st, "/stream/5000", &o, &d);
	ATT_CHECK(r == ATT_ERR_LIMIT && has(&d, "larger than 1000 bytes"),
		  "streamed above the cap: %d %s", r, att_diag_msg(&d));
	ATT_CHECK_EQ_INT(get(&b, &st, "/big/1000", &o, &d), 0);
	ATT_CHECK_EQ_INT(b.len, 1000);
	ATT_CHECK_EQ_INT(get(&b, &st, "/stream/1000", &o, &d), 0);
	ATT_CHECK_EQ_INT(b.len, 1000);
	/* The caller's buffer maximum wins over the options. */
	att_buf_release(&b);
	att_buf_init(&b, 10);
	att_diag_clear(&d);
	r = att_net_request(&b, &st, "GET", url("/big/11"), NULL, NULL, 0, &o,
			    &d);
	ATT_CHECK(r == ATT_ERR_LIMIT && has(&d, "larger than 10 bytes"),
		  "buffer max: %d %s", r, att_diag_msg(&d));
	att_buf_release(&b);
}

static int dead_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void t_timeouts(void)
{
	struct att_net_opts o = {.ca_file = fx.ca, .timeout_ms = 500,
				 .connect_timeout_ms = 300};
	struct att_buf b = {0};
	struct att_diag d;
	long st = 0;
	int64_t t0 = now_ms();
	int r = get(&b, &st, "/slow", &o, &d);
	int64_t took = now_ms() - t0;
	ATT_CHECK(r == ATT_ERR_TIMEOUT && has(&d, "Timeout") &&
		      has(&d, "/slow"),
		  "slow server: %d %s", r, att_diag_msg(&d));
	ATT_CHECK(took >= 400 && took < 3000, "timed out after %lld ms",
		  (long long)took);
	char u[96];
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/x", dead_port());
	att_diag_clear(&d);
	att_buf_release(&b);
	r = att_net_request(&b, &st, "GET", u, NULL, NULL, 0, &o, &d);
	ATT_CHECK(r == ATT_ERR_NETWORK && has(&d, "Couldn't connect"),
		  "refused: %d %s", r, att_diag_msg(&d));
	att_buf_release(&b);
}

static void t_redirects(void)
{
	static const char *const names[] = {"X-Chain", NULL};
	struct att_net_opts o = {.ca_file = fx.ca, .capture = names};
	struct att_net_xfer *x = NULL;
	struct att_diag d;
	size_t len = 0;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_net_xfer_new(&x, "GET", url("/redirect"), NULL,
					  NULL, 0, &o, &d),
			 0);
	ATT_CHECK_EQ_INT(att_net_xfer_perform(x, &d), 0);
	ATT_CHECK_EQ_INT(att_net_xfer_status(x), 302);
	att_net_xfer_free(x);
	o.max_redirects = 3;
	ATT_CHECK_EQ_INT(att_net_xfer_new(&x, "GET", url("/redirect"), NULL,
					  NULL, 0, &o, &d),
			 0);
	ATT_CHECK_EQ_INT(att_net_xfer_perform(x, &d), 0);
	ATT_CHECK_EQ_INT(att_net_xfer_status(x), 200);
	ATT_CHECK_EQ_STR(att_buf_cstr(att_net_xfer_body(x)), "hello");
	const char *v = att_net_xfer_header(x, &len, NULL);
	ATT_CHECK(v && len == 12 && !memcmp(v, "last%20value", 12),
		  "the final response's header, not the redirect's: %.*s",
		  (int)len, v ? v : "");
	att_net_xfer_free(x);
}

static void t_refusals(void)
{
	struct att_net_opts o = {.bearer = "tok"};
	struct att_net_xfer *x = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_net_xfer_new(&x, "GET", "http://127.0.0.1:1/x", NULL, NULL,
				 0, &o, &d);
	ATT_CHECK(r == ATT_ERR_INVALID_ARG && has(&d, "bearer") && !x,
		  "bearer over http: %d %s", r, att_diag_msg(&d));
	att_diag_clear(&d);
	r = att_net_xfer_new(&x, "GET", "ftp://127.0.0.1/x", NULL, NULL, 0,
			     NULL, &d);
	ATT_CHECK(r == ATT_ERR_INVALID_ARG && has(&d, "not an http(s) URL"),
		  "ftp: %d %s", r, att_diag_msg(&d));
	att_diag_clear(&d);
	r = att_net_xfer_new(&x, "PATCH", url("/echo"), NULL, NULL, 0, NULL,
			     &d);
	ATT_CHECK(r == ATT_ERR_INVALID_ARG && has(&d, "PATCH"),
		  "PATCH: %d %s", r, att_diag_msg(&d));
}

static void t_methods(void)
{
	static const char *const ms[] = {"POST", "PUT", "DELETE"};
	struct att_net_opts o = {.ca_file = fx.ca, .bearer = "t0k"};
	struct att_buf b = {0};
	struct att_diag d;
	char want[128];
	long st = 0;
	for (size_t i = 0; i < 3; i++) {
		att_diag_clear(&d);
		att_buf_init(&b, 0);
		int r = att_net_request(&b, &st, ms[i], url("/echo"),
					"application/json", "{\"a\":1}", 7, &o,
					&d);
		snprintf(want, sizeof(want),
			 "%s|Bearer t0k|application/json|{\"a\":1}", ms[i]);
		ATT_CHECK(r == 0 && st == 200, "%s: %d %s", ms[i], r,
			  att_diag_msg(&d));
		ATT_CHECK_EQ_STR(att_buf_cstr(&b), want);
		att_buf_release(&b);
	}
	/* The relying-party face: att_http_opts mapped, pin included. */
	struct att_http_opts h = {.ca_file = fx.ca,
				  .pinned_cert_sha256_b64 = fx.pin};
	att_diag_clear(&d);
	att_buf_init(&b, 0);
	ATT_CHECK_EQ_INT(att_http_post(&b, &st, url("/echo"), &h, "text/plain",
				       "x", 1, &d),
			 0);
	ATT_CHECK_EQ_STR(att_buf_cstr(&b), "POST||text/plain|x");
	ATT_CHECK_EQ_INT(att_http_get(&b, &st, url("/hello"), &h, &d), 0);
	ATT_CHECK_EQ_STR(att_buf_cstr(&b), "hello");
	h.pinned_cert_sha256_b64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	ATT_CHECK_EQ_INT(att_http_get(&b, &st, url("/hello"), &h, &d),
			 ATT_ERR_NETWORK);
	att_buf_release(&b);
}

struct waker {
	struct att_net_multi *m;
};

static void *wake_later(void *arg)
{
	struct waker *w = arg;
	struct timespec ts = {0, 150 * 1000000L};
	nanosleep(&ts, NULL);
	att_net_multi_wakeup(w->m);
	return NULL;
}

static void t_multi(void)
{
	struct att_net_opts o = {.ca_file = fx.ca, .max_body = 100};
	struct att_net_multi *m = NULL;
	struct att_net_xfer *a = NULL, *b = NULL, *x;
	struct att_diag d;
	int tag_a = 1, tag_b = 2, ok_a = 0, lim_b = 0, rc = 0;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_net_multi_new(&m, &d), 0);
	att_net_xfer_new(&a, "GET", url("/hello"), NULL, NULL, 0, &o, &d);
	att_net_xfer_new(&b, "GET", url("/big/200"), NULL, NULL, 0, &o, &d);
	ATT_CHECK(a && b, "two transfers: %s", att_diag_msg(&d));
	if (!a || !b)
		return;
	att_net_xfer_set_user(a, &tag_a);
	att_net_xfer_set_user(b, &tag_b);
	ATT_CHECK_EQ_INT(att_net_multi_add(m, a, &d), 0);
	ATT_CHECK_EQ_INT(att_net_multi_add(m, b, &d), 0);
	int64_t t0 = now_ms();
	for (int done = 0; done < 2 && now_ms() - t0 < 5000;) {
		att_net_multi_run(m);
		att_diag_clear(&d);
		while ((x = att_net_multi_done(m, &rc, &d)) != NULL) {
			int *tag = att_net_xfer_user(x);
			if (*tag == 1)
				ok_a = rc == 0 && att_net_xfer_status(x) == 200;
			else
				lim_b = rc == ATT_ERR_LIMIT &&
					has(&d, "larger than 100");
			att_diag_clear(&d);
			done++;
		}
		att_net_multi_wait(m, 100);
	}
	ATT_CHECK(ok_a, "multi: /hello answered 200");
	ATT_CHECK(lim_b, "multi: /big/200 above the cap is ATT_ERR_LIMIT");
	att_net_xfer_free(a);
	att_net_xfer_free(b);

	/* A wakeup from another thread cuts a long wait short. */
	pthread_t th;
	struct waker w = {m};
	t0 = now_ms();
	pthread_create(&th, NULL, wake_later, &w);
	att_net_multi_wait(m, 5000);
	int64_t took = now_ms() - t0;
	pthread_join(th, NULL);
	ATT_CHECK(took < 2000, "woken after %lld ms", (long long)took);

	/* A hanging transfer is aborted at once. */
	att_net_xfer_new(&a, "GET", url("/slow"), NULL, NULL, 0, &o, &d);
	ATT_CHECK(a && att_net_multi_add(m, a, &d) == 0, "slow added");
	att_net_multi_run(m);
	att_net_multi_wait(m, 200);
	att_net_multi_run(m);
	ATT_CHECK(att_net_multi_done(m, &rc, &d) == NULL,
		  "the slow transfer has not ended");
	t0 = now_ms();
	att_net_multi_remove(m, a);
	att_net_xfer_free(a);
	att_net_multi_free(m);
	ATT_CHECK(now_ms() - t0 < 1000, "abort took %lld ms",
		  (long long)(now_ms() - t0));
}

int main(void)
{
	if (net_fixture_start(&fx)) {
		ATT_CHECK(0, "the fixture could not start");
		net_fixture_stop(&fx);
		return att_test_done();
	}
	t_verified();
	t_tls_failures();
	t_pin();
	t_capture();
	t_body_cap();
	t_timeouts();
	t_redirects();
	t_refusals();
	t_methods();
	t_multi();
	net_fixture_stop(&fx);
	return att_test_done();
}
