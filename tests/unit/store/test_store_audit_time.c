/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the audit log's order (SQLite, or PostgreSQL with
 * ATT_TEST_PG_URL set: tests/harness/store_backend.h): a record's time is
 * the caller's, or the previous record's when that is later, whatever
 * change wrote it (policy put, reset, delete, certificate add and
 * remove) and whichever provider; so the times never go back as the ids
 * increase, also when two stores (two nodes) and four threads write at
 * once with times that go back and forth. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "harness/store_backend.h"
#include "harness/tap.h"
#include "store/store.h"

#define NTHREADS 4
#define PER_THREAD 100

static char dir[] = "/tmp/att-store-aud-XXXXXX";
static char path[512];

static void add_provider(struct att_store *s, const char *name)
{
	struct att_diag d = {0};
	struct att_store_provider p = {.name = (char *)name,
				       .base_url = "https://h:1/x",
				       .mode = "isolated",
				       .key_type = "ec",
				       .created = 1};
	ATT_CHECK_EQ_INT(att_store_provider_add(s, &p, &d), 0);
}

static struct att_store_audit audit(const char *prov, int64_t t,
				    const char *action)
{
	struct att_store_audit a = {.provider = (char *)prov,
				    .time = t,
				    .actor = "test",
				    .action = (char *)action,
				    .type = "SgxEnclave"};
	return a;
}

static int put(struct att_store *s, const char *prov, const char *hash,
	       int64_t t)
{
	struct att_diag d = {0};
	struct att_store_policy p = {.provider = (char *)prov,
				     .type = "SgxEnclave",
				     .jws = "a.b.c",
				     .hash = (char *)hash,
				     .updated = t};
	struct att_store_audit a = audit(prov, t, "set-policy");
	a.new_hash = (char *)hash;
	return att_store_policy_put(s, &p, &a, &d);
}

/* times_of lists provider prov's audit times into t (at most max). */
static size_t times_of(struct att_store *s, const char *prov, int64_t *t,
		       int64_t *ids, size_t max)
{
	struct att_diag d = {0};
	struct att_store_audit *v = NULL;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_store_audit_list(s, prov, &v, &n, &d), 0);
	for (size_t i = 0; i < n && i < max; i++) {
		t[i] = v[i].time;
		if (ids)
			ids[i] = v[i].id;
	}
	att_store_audit_list_free(v, n);
	return n < max ? n : max;
}

/* One store, one thread: each kind of change clamps its time. */
static void test_clamp(struct att_store *s)
{
	struct att_diag d = {0};
	uint8_t der[4] = {1, 2, 3, 4};
	struct att_store_polcert c1 = {.provider = "p1", .thumbprint = "AA",
				       .der = der, .der_len = 4, .added = 1};
	struct att_store_polcert c2 = {.provider = "p1", .thumbprint = "BB",
				       .der = der, .der_len = 4, .added = 1};
	add_provider(s, "p1");
	add_provider(s, "p2");
	ATT_CHECK_EQ_INT(put(s, "p1", "h1", 1000), 0);
	ATT_CHECK_EQ_INT(put(s, "p1", "h2", 900), 0); /* older: 1000 */
	ATT_CHECK_EQ_INT(put(s, "p2", "h3", 950), 0); /* other provider */
	struct att_store_audit a = audit("p1", 10, "add-policy-certificate");
	a.new_hash = "AA";
	ATT_CHECK_EQ_INT(att_store_polcert_add(s, &c1, &a, &d), 0);
	a.new_hash = "BB";
	ATT_CHECK_EQ_INT(att_store_polcert_add(s, &c2, &a, &d), 0);
	a = audit("p1", 20, "remove-policy-certificate");
	a.old_hash = "AA";
	ATT_CHECK_EQ_INT(att_store_polcert_remove(s, "p1", "AA", &a, &d), 0);
	ATT_CHECK_EQ_INT(put(s, "p1", "h4", 1200), 0); /* later: kept */
	a = audit("p1", 30, "reset-policy");
	ATT_CHECK_EQ_INT(att_store_policy_reset(s, "p1", "SgxEnclave", 0, &a,
						&d),
			 0);
	ATT_CHECK_EQ_INT(put(s, "p1", "h5", 40), 0);
	a = audit("p1", 50, "delete-policy");
	ATT_CHECK_EQ_INT(att_store_policy_delete(s, "p1", "SgxEnclave", &a,
						 &d),
			 0);
	int64_t t[16] = {0};
	size_t n = times_of(s, "p1", t, NULL, 16);
	static const int64_t want[] = {1000, 1000, 1000, 1000, 1000,
				       1200, 1200, 1200, 1200};
	ATT_CHECK_EQ_INT(n, sizeof(want) / sizeof(*want));
	for (size_t i = 0; i < n && i < sizeof(want) / sizeof(*want); i++)
		ATT_CHECK(t[i] == want[i], "p1 record %zu: time %lld, want %lld",
			  i, (long long)t[i], (long long)want[i]);
	n = times_of(s, "p2", t, NULL, 16);
	ATT_CHECK_EQ_INT(n, 1);
	ATT_CHECK_EQ_INT(t[0], 1000); /* after p1's 1000, though 950 */
}

/* ---- two stores, four threads ---- */

struct writer {
	struct att_store *s;
	pthread_barrier_t *bar;
	int which;
	int fails;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	char prov[8], hash[32];
	snprintf(prov, sizeof(prov), "w%d", w->which % 2);
	pthread_barrier_wait(w->bar);
	for (int i = 0; i < PER_THREAD; i++) {
		/* times that go back and forth, differently per thread */
		int64_t t = 5000 + ((i * 7 + w->which * 13) % 23);
		snprintf(hash, sizeof(hash), "t%d-%d", w->which, i);
		if (put(w->s, prov, hash, t) != 0)
			w->fails++;
	}
	return NULL;
}

static void test_concurrent(struct att_store *s)
{
	struct att_store *s2 = NULL;
	struct att_diag d = {0};
	pthread_barrier_t bar;
	pthread_t th[NTHREADS];
	struct writer w[NTHREADS];
	add_provider(s, "w0");
	add_provider(s, "w1");
	/* On PostgreSQL the second store is a second node; on SQLite a
	 * second connection to the same file. */
	ATT_CHECK_EQ_INT(att_tb_open(&s2, &d), 0);
	if (!s2)
		return;
	pthread_barrier_init(&bar, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct writer){.s = i < 2 ? s : s2, .bar = &bar,
				       .which = i};
		pthread_create(&th[i], NULL, write_many, &w[i]);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		ATT_CHECK_EQ_INT(w[i].fails, 0);
	}
	pthread_barrier_destroy(&bar);
	att_store_close(s2);
	/* Merge both providers' records by id: the times never go back. */
	enum { MAX = NTHREADS * PER_THREAD };
	int64_t t0[MAX], i0[MAX], t1[MAX], i1[MAX];
	size_t n0 = times_of(s, "w0", t0, i0, MAX);
	size_t n1 = times_of(s, "w1", t1, i1, MAX);
	ATT_CHECK_EQ_INT(n0 + n1, MAX);
	size_t a = 0, b = 0, back = 0;
	int64_t last = 0, last_id = 0;
	while (a < n0 || b < n1) {
		bool from0 = b >= n1 || (a < n0 && i0[a] < i1[b]);
		int64_t t = from0 ? t0[a] : t1[b];
		int64_t id = from0 ? i0[a++] : i1[b++];
		if (t < last || id <= last_id)
			back++;
		last = t;
		last_id = id;
	}
	ATT_CHECK(back == 0, "%zu records go back in time as ids increase",
		  back);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("mkdtemp failed\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/attestd.db", dir);
	struct att_store *s = NULL;
	struct att_diag d = {0};
	att_tb_init(path);
	printf("# backend: %s\n", att_tb_name());
	ATT_CHECK_EQ_INT(att_tb_open(&s, &d), 0);
	if (s) {
		test_clamp(s);
		test_concurrent(s);
		att_store_close(s);
	}
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	return att_test_done();
}
