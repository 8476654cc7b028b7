/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the connection guard on socket pairs (a cut shows as EOF
 * on the peer): per-address limit (IPv4, IPv6 by /64, IPv4-mapped IPv6),
 * the header, body and idle deadlines and the phase changes between them,
 * eviction at max_connections (oldest waiting for headers first, then
 * idle, then body; running requests never), refusal when nothing can be
 * evicted, the address table against a simple model over many random
 * opens and closes, the reaper thread in real time, and several threads
 * at once. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "server/conn_guard.h"

struct pair {
	int mine, peer; /* the guard gets `mine` */
	struct att_conn c;
};

static void pair_open(struct pair *p)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		perror("socketpair");
		exit(1);
	}
	p->mine = sv[0];
	p->peer = sv[1];
}

static void pair_close(struct pair *p)
{
	close(p->mine);
	close(p->peer);
	p->mine = p->peer = -1;
}

/* was_cut: the peer sees EOF (the guard shut our end down). */
static bool was_cut(const struct pair *p)
{
	char b;
	ssize_t n = recv(p->peer, &b, 1, MSG_DONTWAIT);
	return n == 0;
}

static void v4(struct sockaddr_in *sa, const char *ip)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sa->sin_addr);
}

static void v6(struct sockaddr_in6 *sa, const char *ip)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	inet_pton(AF_INET6, ip, &sa->sin6_addr);
}

static struct att_conn_guard *guard(unsigned max, unsigned per_addr)
{
	struct att_conn_guard_cfg cfg = {.max_connections = max,
					 .max_per_address = per_addr,
					 .header_timeout = 3,
					 .body_timeout = 10,
					 .idle_timeout = 30};
	struct att_conn_guard *g = NULL;
	if (att_conn_guard_new(&g, &cfg) != 0) {
		printf("att_conn_guard_new failed\n");
		exit(1);
	}
	return g;
}

static void test_per_address(void)
{
	struct att_conn_guard *g = guard(100, 2);
	struct pair p[8];
	struct sockaddr_in a, b;
	struct sockaddr_in6 m, x1, x2, y;
	struct att_conn_guard_stats st;
	v4(&a, "127.0.0.2");
	v4(&b, "127.0.0.3");
	v6(&m, "::ffff:127.0.0.2"); /* a, seen on a dual-stack socket */
	v6(&x1, "2001:db8:1:2::1");
	v6(&x2, "2001:db8:1:2:ffff::9"); /* same /64 as x1 */
	v6(&y, "2001:db8:1:3::1");
	for (int i = 0; i < 8; i++)
		pair_open(&p[i]);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[0].c, (void *)&a,
					     p[0].mine, 0), 0);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[1].c, (void *)&m,
					     p[1].mine, 0), 0);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[2].c, (void *)&a,
					     p[2].mine, 0), ATT_ERR_LIMIT);
	ATT_CHECK(was_cut(&p[2]), "the third from 127.0.0.2 is shut down");
	ATT_CHECK(!was_cut(&p[0]) && !was_cut(&p[1]), "the first two stay");
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[3].c, (void *)&b,
					     p[3].mine, 0), 0);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[4].c, (void *)&x1,
					     p[4].mine, 0), 0);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[5].c, (void *)&x2,
					     p[5].mine, 0), 0);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[6].c, (void *)&x1,
					     p[6].mine, 0), ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[7].c, (void *)&y,
					     p[7].mine, 0), 0);
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.refused_address, 2);
	ATT_CHECK_EQ_INT(st.live, 6);
	ATT_CHECK_EQ_INT(st.waiting, 6);
	/* Closing one frees its address's slot. */
	att_conn_guard_close(g, &p[2].c);
	att_conn_guard_close(g, &p[0].c);
	pair_close(&p[0]);
	pair_open(&p[0]);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[0].c, (void *)&a,
					     p[0].mine, 0), 0);
	for (int i = 0; i < 8; i++) {
		att_conn_guard_close(g, &p[i].c);
		pair_close(&p[i]);
	}
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.live, 0);
	ATT_CHECK_EQ_INT(st.waiting, 0);
	att_conn_guard_free(g);
}

static void test_deadlines(void)
{
	struct att_conn_guard *g = guard(100, 0);
	struct pair h, b, act, idle, again;
	struct att_conn_guard_stats st;
	struct sockaddr_in a;
	v4(&a, "10.0.0.1");
	pair_open(&h);
	pair_open(&b);
	pair_open(&act);
	pair_open(&idle);
	pair_open(&again);
	att_conn_guard_open(g, &h.c, (void *)&a, h.mine, 100);
	att_conn_guard_open(g, &b.c, (void *)&a, b.mine, 100);
	att_conn_guard_open(g, &act.c, (void *)&a, act.mine, 100);
	att_conn_guard_open(g, &idle.c, (void *)&a, idle.mine, 100);
	att_conn_guard_open(g, &again.c, (void *)&a, again.mine, 100);
	/* A request line does not restart the first request's deadline. */
	att_conn_guard_request_line(g, &h.c, 102);
	att_conn_guard_headers_done(g, &b.c, 101);
	att_conn_guard_headers_done(g, &act.c, 101);
	att_conn_guard_body_done(g, &act.c);
	att_conn_guard_headers_done(g, &idle.c, 101);
	att_conn_guard_body_done(g, &idle.c);
	att_conn_guard_request_done(g, &idle.c, 101.5);
	att_conn_guard_headers_done(g, &again.c, 101);
	att_conn_guard_body_done(g, &again.c);
	att_conn_guard_request_done(g, &again.c, 101.5);
	att_conn_guard_request_line(g, &again.c, 120);

	double next = att_conn_guard_sweep(g, 102.9);
	ATT_CHECK(!was_cut(&h), "headers: not cut before 3 s");
	ATT_CHECK(next > 102.99 && next <= 103.0001, "next deadline %f", next);
	att_conn_guard_sweep(g, 103.0);
	ATT_CHECK(was_cut(&h), "headers: cut at 3 s after accept");
	ATT_CHECK_EQ_INT(h.c.phase, ATT_CONN_CUT);
	att_conn_guard_sweep(g, 110.9);
	ATT_CHECK(!was_cut(&b), "body: not cut before 10 s");
	att_conn_guard_sweep(g, 111.0);
	ATT_CHECK(was_cut(&b), "body: cut 10 s after the headers");
	att_conn_guard_sweep(g, 122.9);
	ATT_CHECK(!was_cut(&again), "keep-alive request: not cut yet");
	att_conn_guard_sweep(g, 123.0);
	ATT_CHECK(was_cut(&again),
		  "keep-alive request: cut 3 s after its request line");
	att_conn_guard_sweep(g, 132.4);
	ATT_CHECK(!was_cut(&idle), "idle: not cut before 30 s + 1");
	att_conn_guard_sweep(g, 132.5);
	ATT_CHECK(was_cut(&idle), "idle: cut at 30 s + 1 after the request");
	att_conn_guard_sweep(g, 1e9);
	ATT_CHECK(!was_cut(&act), "a running request is never cut");
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.cut_headers, 2);
	ATT_CHECK_EQ_INT(st.cut_body, 1);
	ATT_CHECK_EQ_INT(st.cut_idle, 1);
	ATT_CHECK_EQ_INT(st.live, 1);
	/* Phase changes of a cut connection change nothing. */
	att_conn_guard_request_done(g, &h.c, 200);
	att_conn_guard_request_line(g, &h.c, 200);
	att_conn_guard_headers_done(g, &h.c, 200);
	ATT_CHECK_EQ_INT(h.c.phase, ATT_CONN_CUT);
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.live, 1);
	struct pair *all[] = {&h, &b, &act, &idle, &again};
	for (int i = 0; i < 5; i++) {
		att_conn_guard_close(g, &all[i]->c);
		pair_close(all[i]);
	}
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.live, 0);
	att_conn_guard_free(g);
}

static void test_eviction(void)
{
	struct att_conn_guard *g = guard(3, 0);
	struct pair p[7];
	struct att_conn_guard_stats st;
	struct sockaddr_in a;
	v4(&a, "10.0.0.1");
	for (int i = 0; i < 7; i++)
		pair_open(&p[i]);
	for (int i = 0; i < 3; i++)
		ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[i].c, (void *)&a,
						     p[i].mine, i), 0);
	/* p0 runs a request, p1 is idle, p2 waits for headers. */
	att_conn_guard_headers_done(g, &p[0].c, 3);
	att_conn_guard_body_done(g, &p[0].c);
	att_conn_guard_headers_done(g, &p[1].c, 3);
	att_conn_guard_body_done(g, &p[1].c);
	att_conn_guard_request_done(g, &p[1].c, 3);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[3].c, (void *)&a,
					     p[3].mine, 4), 0);
	ATT_CHECK(was_cut(&p[2]), "the one waiting for headers is evicted");
	ATT_CHECK(!was_cut(&p[0]) && !was_cut(&p[1]) && !was_cut(&p[3]),
		  "the others stay");
	/* p3 now waits for headers and is the oldest such: next to go. */
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[4].c, (void *)&a,
					     p[4].mine, 5), 0);
	ATT_CHECK(was_cut(&p[3]), "oldest waiting first");
	/* p4 sends its headers and body slowly: idle p1 goes before it. */
	att_conn_guard_headers_done(g, &p[4].c, 6);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[5].c, (void *)&a,
					     p[5].mine, 6), 0);
	ATT_CHECK(was_cut(&p[1]), "then the idle one");
	ATT_CHECK(!was_cut(&p[4]), "the body is still coming");
	att_conn_guard_headers_done(g, &p[5].c, 6);
	att_conn_guard_body_done(g, &p[5].c);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &p[6].c, (void *)&a,
					     p[6].mine, 7), 0);
	ATT_CHECK(was_cut(&p[4]), "then the slow body");
	/* p0, p5 and p6: p6 waits for headers; make it run too. */
	att_conn_guard_headers_done(g, &p[6].c, 7);
	att_conn_guard_body_done(g, &p[6].c);
	struct pair q;
	pair_open(&q);
	ATT_CHECK_EQ_INT(att_conn_guard_open(g, &q.c, (void *)&a, q.mine, 8),
			 ATT_ERR_LIMIT);
	ATT_CHECK(was_cut(&q), "every connection busy: the new one is refused");
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.evicted, 4);
	ATT_CHECK_EQ_INT(st.refused_full, 1);
	ATT_CHECK_EQ_INT(st.live, 3);
	att_conn_guard_close(g, &q.c);
	pair_close(&q);
	for (int i = 0; i < 7; i++) {
		att_conn_guard_close(g, &p[i].c);
		pair_close(&p[i]);
	}
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.live, 0);
	att_conn_guard_free(g);
}

/* Random opens and closes over many addresses, against a count per
 * address kept here: exercises probing and the backward-shift delete. */
static void test_table_model(void)
{
	enum { ADDRS = 300, SLOTS = 900, OPS = 20000, PER = 3 };
	struct att_conn_guard *g = guard(1024, PER);
	static struct att_conn conns[SLOTS];
	static int owner[SLOTS]; /* address index, -1 when free */
	int count[ADDRS] = {0};
	unsigned seed = 12345;
	int bad = 0;
	for (int i = 0; i < SLOTS; i++)
		owner[i] = -1;
	for (int op = 0; op < OPS; op++) {
		seed = seed * 1103515245u + 12345u;
		int s = (int)((seed >> 8) % SLOTS);
		if (owner[s] >= 0) {
			att_conn_guard_close(g, &conns[s]);
			count[owner[s]]--;
			owner[s] = -1;
			continue;
		}
		int a = (int)((seed >> 20) % ADDRS);
		struct sockaddr_in6 sa;
		memset(&sa, 0, sizeof(sa));
		sa.sin6_family = AF_INET6;
		sa.sin6_addr.s6_addr[0] = 0x20;
		sa.sin6_addr.s6_addr[6] = (uint8_t)(a >> 8);
		sa.sin6_addr.s6_addr[7] = (uint8_t)a;
		sa.sin6_addr.s6_addr[15] = (uint8_t)op; /* same /64 */
		int r = att_conn_guard_open(g, &conns[s], (void *)&sa, -1, op);
		bool want_ok = count[a] < PER;
		if ((r == 0) != want_ok)
			bad++;
		if (r == 0)
			count[a]++;
		else
			att_conn_guard_close(g, &conns[s]);
		owner[s] = r == 0 ? a : -1;
	}
	ATT_CHECK_EQ_INT(bad, 0);
	for (int i = 0; i < SLOTS; i++)
		if (owner[i] >= 0)
			att_conn_guard_close(g, &conns[i]);
	struct att_conn_guard_stats st;
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.live, 0);
	/* Every address is free again. */
	int refused = 0;
	for (int a = 0; a < ADDRS; a++) {
		struct sockaddr_in6 sa;
		memset(&sa, 0, sizeof(sa));
		sa.sin6_family = AF_INET6;
		sa.sin6_addr.s6_addr[0] = 0x20;
		sa.sin6_addr.s6_addr[6] = (uint8_t)(a >> 8);
		sa.sin6_addr.s6_addr[7] = (uint8_t)a;
		for (int k = 0; k < PER; k++) {
			refused += att_conn_guard_open(g, &conns[a * PER % SLOTS + k],
						       (void *)&sa, -1, 0) != 0;
		}
		for (int k = 0; k < PER; k++)
			att_conn_guard_close(g, &conns[a * PER % SLOTS + k]);
	}
	ATT_CHECK_EQ_INT(refused, 0);
	att_conn_guard_free(g);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void test_reaper(void)
{
	struct att_conn_guard_cfg cfg = {.max_connections = 10,
					 .header_timeout = 0.2,
					 .body_timeout = 10,
					 .idle_timeout = 10};
	struct att_conn_guard *g = NULL;
	struct pair p, q;
	struct sockaddr_in a;
	v4(&a, "10.0.0.1");
	ATT_CHECK_EQ_INT(att_conn_guard_new(&g, &cfg), 0);
	ATT_CHECK_EQ_INT(att_conn_guard_start(g), 0);
	pair_open(&p);
	pair_open(&q);
	double t0 = att_conn_guard_clock();
	att_conn_guard_open(g, &p.c, (void *)&a, p.mine, t0);
	att_conn_guard_open(g, &q.c, (void *)&a, q.mine, t0);
	att_conn_guard_headers_done(g, &q.c, t0);
	int waited = 0;
	while (!was_cut(&p) && waited < 3000) {
		sleep_ms(10);
		waited += 10;
	}
	double took = att_conn_guard_clock() - t0;
	ATT_CHECK(was_cut(&p), "the reaper cut it");
	ATT_CHECK(took >= 0.19 && took < 1.0, "at its deadline: %.3f s", took);
	ATT_CHECK(!was_cut(&q), "not the one past its headers");
	att_conn_guard_stop(g);
	att_conn_guard_stop(g); /* twice is fine */
	att_conn_guard_close(g, &p.c);
	att_conn_guard_close(g, &q.c);
	pair_close(&p);
	pair_close(&q);
	att_conn_guard_free(g);
}

struct worker {
	struct att_conn_guard *g;
	int id;
	int opened;
};

static void *churn(void *arg)
{
	struct worker *w = arg;
	struct att_conn c[16];
	struct sockaddr_in a;
	char ip[32];
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 16; i++) {
			snprintf(ip, sizeof(ip), "10.%d.0.%d", w->id, i % 3);
			v4(&a, ip);
			double now = att_conn_guard_clock();
			if (att_conn_guard_open(w->g, &c[i], (void *)&a, -1,
						now) == 0)
				w->opened++;
			att_conn_guard_headers_done(w->g, &c[i], now);
			att_conn_guard_body_done(w->g, &c[i]);
			att_conn_guard_request_done(w->g, &c[i], now);
			att_conn_guard_request_line(w->g, &c[i], now);
		}
		for (int i = 0; i < 16; i++)
			att_conn_guard_close(w->g, &c[i]);
	}
	return NULL;
}

static void test_threads(void)
{
	struct att_conn_guard *g = guard(40, 4);
	pthread_t t[4];
	struct worker w[4];
	ATT_CHECK_EQ_INT(att_conn_guard_start(g), 0);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){.g = g, .id = i};
		pthread_create(&t[i], NULL, churn, &w[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	struct att_conn_guard_stats st;
	att_conn_guard_stats(g, &st);
	ATT_CHECK_EQ_INT(st.live, 0);
	ATT_CHECK_EQ_INT(st.waiting, 0);
	ATT_CHECK(w[0].opened + w[1].opened + w[2].opened + w[3].opened > 0,
		  "some were admitted");
	ATT_CHECK(st.refused_address > 0, "4 per address held: %llu refused",
		  st.refused_address);
	att_conn_guard_free(g);
}

int main(void)
{
	test_per_address();
	test_deadlines();
	test_eviction();
	test_table_model();
	test_reaper();
	test_threads();
	return att_test_done();
}
