/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the store's TPM state (store.h): settings, trusted
 * certificates, the AIK CA, enrolments, the context-key seed, the
 * used-context replay set (first use wins, expiry purge, the limit, and
 * exactly one winner among threads with their own connections, threads
 * sharing one, and separate processes), the import of a pre-store
 * directory (merge, idempotent, all-or-nothing) and the wrapped-key
 * count. On SQLite or, with ATT_TEST_PG_URL set, PostgreSQL
 * (tests/harness/store_backend.h). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attest/err.h"
#include "harness/store_backend.h"
#include "harness/tap.h"
#include "store/store.h"

#define NTHREADS 8
#define NPROCS 6
#define ROUNDS 20

static char dir[] = "/tmp/att-store-tpm-XXXXXX";
static char path[512];

static int sql_int(const char *sql)
{
	return att_tb_sql_int(sql);
}

static void add_provider(struct att_store *s, const char *name)
{
	struct att_diag d = {0};
	struct att_store_provider p = {.name = (char *)name,
				       .base_url = "https://h:1/x",
				       .mode = "aad",
				       .key_type = "ec",
				       .created = 1};
	ATT_CHECK_EQ_INT(att_store_provider_add(s, &p, &d), 0);
}

static void test_settings(struct att_store *s)
{
	struct att_diag d = {0};
	char *j = NULL;
	ATT_CHECK_EQ_INT(att_store_tpm_settings_get(s, "p1", &j, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_tpm_settings_put(s, "p1", "{\"a\":1}", &d),
			 0);
	ATT_CHECK_EQ_INT(att_store_tpm_settings_put(s, "p1", "{\"a\":2}", &d),
			 0);
	ATT_CHECK_EQ_INT(att_store_tpm_settings_get(s, "p1", &j, &d), 0);
	ATT_CHECK_EQ_STR(j ? j : "", "{\"a\":2}");
	free(j);
	j = NULL;
	ATT_CHECK(att_store_tpm_settings_put(s, "nope", "{}", &d) < 0,
		  "settings of an unknown provider refused (foreign key)");
	ATT_CHECK_EQ_INT(att_store_tpm_settings_put(s, "p1", NULL, &d), 0);
	ATT_CHECK_EQ_INT(att_store_tpm_settings_get(s, "p1", &j, &d),
			 ATT_ERR_NOT_FOUND);
}

static void test_certs(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_tpm_cert c = {.provider = "p1",
				       .kind = "ek-roots",
				       .name = "AA.pem",
				       .pem = "PEM-A",
				       .added = 5};
	ATT_CHECK_EQ_INT(att_store_tpm_cert_add(s, &c, &d), 0);
	ATT_CHECK_EQ_INT(att_store_tpm_cert_add(s, &c, &d), ATT_ERR_EXISTS);
	c.kind = "aik-roots";
	c.name = "BB.pem";
	c.pem = "PEM-B";
	ATT_CHECK_EQ_INT(att_store_tpm_cert_add(s, &c, &d), 0);
	c.kind = "elsewhere";
	ATT_CHECK(att_store_tpm_cert_add(s, &c, &d) < 0, "bad kind refused");
	struct att_store_tpm_cert *v = NULL;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_store_tpm_cert_list(s, "p1", "ek-roots", &v, &n,
						 &d),
			 0);
	ATT_CHECK_EQ_INT(n, 1);
	if (n == 1) {
		ATT_CHECK_EQ_STR(v[0].name, "AA.pem");
		ATT_CHECK_EQ_STR(v[0].pem, "PEM-A");
		ATT_CHECK_EQ_INT(v[0].added, 5);
	}
	att_store_tpm_cert_list_free(v, n);
	ATT_CHECK_EQ_INT(att_store_tpm_cert_list(s, "p1", NULL, &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 2);
	att_store_tpm_cert_list_free(v, n);
	ATT_CHECK_EQ_INT(att_store_tpm_cert_list(s, "p2", "ek-roots", &v, &n,
						 &d),
			 0);
	ATT_CHECK_EQ_INT(n, 0);
	att_store_tpm_cert_list_free(v, n);
}

static void test_ca_enrol_ctxkey(struct att_store *s)
{
	struct att_diag d = {0};
	uint8_t w[] = {1, 2, 3, 4};
	struct att_store_tpm_ca ca = {.provider = "p1",
				      .wrapped = w,
				      .wrapped_len = sizeof(w),
				      .cert_pem = "CA-PEM",
				      .created = 9};
	struct att_store_tpm_ca got = {0};
	ATT_CHECK_EQ_INT(att_store_tpm_ca_get(s, "p1", &got, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_tpm_ca_add(s, &ca, &d), 0);
	ca.cert_pem = "OTHER";
	ATT_CHECK_EQ_INT(att_store_tpm_ca_add(s, &ca, &d), ATT_ERR_EXISTS);
	ATT_CHECK_EQ_INT(att_store_tpm_ca_get(s, "p1", &got, &d), 0);
	ATT_CHECK_EQ_STR(got.cert_pem ? got.cert_pem : "", "CA-PEM");
	ATT_CHECK(got.wrapped_len == 4 && got.wrapped &&
		      !memcmp(got.wrapped, w, 4),
		  "wrapped key round trip");
	att_store_tpm_ca_release(&got);

	struct att_store_tpm_enrolment e = {.provider = "p1",
					    .aik_name = "000b11",
					    .ek_cert_sha256 = NULL,
					    .aik_cert_sha256 = "cc",
					    .enrolled_at = 7};
	struct att_store_tpm_enrolment ge = {0};
	ATT_CHECK_EQ_INT(att_store_tpm_enrol_get(s, "p1", "000b11", &ge, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_tpm_enrol_put(s, &e, &d), 0);
	e.aik_cert_sha256 = "dd";
	e.ek_cert_sha256 = "ee";
	ATT_CHECK_EQ_INT(att_store_tpm_enrol_put(s, &e, &d), 0);
	ATT_CHECK_EQ_INT(att_store_tpm_enrol_get(s, "p1", "000b11", &ge, &d),
			 0);
	ATT_CHECK_EQ_STR(ge.aik_cert_sha256 ? ge.aik_cert_sha256 : "", "dd");
	ATT_CHECK_EQ_STR(ge.ek_cert_sha256 ? ge.ek_cert_sha256 : "", "ee");
	att_store_tpm_enrolment_release(&ge);
	ATT_CHECK_EQ_INT(att_store_tpm_enrol_get(s, "p2", "000b11", &ge, &d),
			 ATT_ERR_NOT_FOUND);

	uint8_t *kw = NULL;
	size_t kl = 0;
	ATT_CHECK_EQ_INT(att_store_tpm_ctxkey_get(s, "p1", &kw, &kl, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_tpm_ctxkey_add(s, "p1", w, 3, 1, &d), 0);
	ATT_CHECK_EQ_INT(att_store_tpm_ctxkey_add(s, "p1", w, 4, 1, &d),
			 ATT_ERR_EXISTS);
	ATT_CHECK_EQ_INT(att_store_tpm_ctxkey_get(s, "p1", &kw, &kl, &d), 0);
	ATT_CHECK(kl == 3 && kw && !memcmp(kw, w, 3), "seed round trip");
	free(kw);
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_store_tpm_wrapped_count(s, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 2); /* the AIK CA key and the seed */
}

static void test_replay(struct att_store *s)
{
	struct att_diag d = {0};
	uint8_t id[16] = {1}, id2[16] = {2}, id3[16] = {3};
	ATT_CHECK_EQ_INT(att_store_tpm_replay_mark(s, "p1", id, 16, 200, 100,
						   100, &d),
			 0);
	ATT_CHECK_EQ_INT(att_store_tpm_replay_mark(s, "p1", id, 16, 200, 150,
						   100, &d),
			 ATT_ERR_REPLAY);
	ATT_CHECK_EQ_INT(att_store_tpm_replay_mark(s, "p2", id, 16, 200, 150,
						   100, &d),
			 0); /* per provider */
	/* At 201 the first one expired and was purged: the set is empty of
	 * it (the context itself is refused as expired before this). */
	ATT_CHECK_EQ_INT(att_store_tpm_replay_mark(s, "p1", id2, 16, 300, 201,
						   100, &d),
			 0);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM tpm_used_contexts"), 1);
	/* The limit: max 1 outstanding, a second id is refused and not
	 * recorded (the transaction rolled back). */
	ATT_CHECK_EQ_INT(att_store_tpm_replay_mark(s, "p1", id3, 16, 300, 202,
						   1, &d),
			 ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM tpm_used_contexts"), 1);
	ATT_CHECK_EQ_INT(att_store_tpm_replay_mark(s, "p1", id3, 16, 300, 202,
						   2, &d),
			 0);
}

/* ---- concurrency: exactly one of many inserts of one id wins ---- */

struct racer {
	struct att_store *s;
	pthread_barrier_t *bar;
	int round;
	int r;
};

static void *race(void *arg)
{
	struct racer *x = arg;
	struct att_diag d = {0};
	uint8_t id[16] = {0xee};
	id[1] = (uint8_t)x->round;
	pthread_barrier_wait(x->bar);
	x->r = att_store_tpm_replay_mark(x->s, "p1", id, 16, 10000, 1000,
					 65536, &d);
	return NULL;
}

static void run_race(struct att_store **stores, int round, const char *what)
{
	pthread_t t[NTHREADS];
	struct racer x[NTHREADS];
	pthread_barrier_t bar;
	int wins = 0, replays = 0;
	pthread_barrier_init(&bar, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		x[i] = (struct racer){stores[i], &bar, round, -999};
		pthread_create(&t[i], NULL, race, &x[i]);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		wins += x[i].r == 0;
		replays += x[i].r == ATT_ERR_REPLAY;
	}
	pthread_barrier_destroy(&bar);
	if (wins != 1 || replays != NTHREADS - 1)
		ATT_CHECK(0, "%s round %d: %d won, %d replays", what, round,
			  wins, replays);
}

static void test_replay_threads(void)
{
	struct att_store *own[NTHREADS] = {0}, *shared[NTHREADS];
	struct att_diag d = {0};
	int ok = 1;
	for (int i = 0; i < NTHREADS; i++)
		ok &= att_tb_open(&own[i], &d) == 0;
	ATT_CHECK(ok, "%d connections open", NTHREADS);
	if (!ok)
		goto out;
	for (int i = 0; i < NTHREADS; i++)
		shared[i] = own[0];
	int before = att_t_fail;
	for (int r = 0; r < ROUNDS; r++)
		run_race(own, r, "own connections");
	ATT_CHECK(att_t_fail == before,
		  "%d rounds x %d threads, one connection each: exactly one "
		  "insert of an id wins",
		  ROUNDS, NTHREADS);
	before = att_t_fail;
	for (int r = ROUNDS; r < 2 * ROUNDS; r++)
		run_race(shared, r, "shared connection");
	ATT_CHECK(att_t_fail == before,
		  "%d rounds x %d threads, one shared connection: exactly one "
		  "wins",
		  ROUNDS, NTHREADS);
out:
	for (int i = 0; i < NTHREADS; i++)
		att_store_close(own[i]);
}

/* test_replay_processes: NPROCS processes, each with its own store,
 * mark the same id; exit status 0 = won, 1 = replay, 2 = other. */
static void test_replay_processes(void)
{
	int fds[2];
	pid_t pid[NPROCS];
	int wins = 0, replays = 0;
	if (pipe(fds) != 0) {
		ATT_CHECK(0, "pipe");
		return;
	}
	for (int i = 0; i < NPROCS; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			struct att_store *s = NULL;
			struct att_diag d = {0};
			uint8_t id[16] = {0xab}, go;
			close(fds[1]);
			int r = att_tb_open(&s, &d);
			if (read(fds[0], &go, 1) != 0) /* released at EOF */
				_exit(3);
			if (r == 0)
				r = att_store_tpm_replay_mark(s, "p1", id, 16,
							      10000, 1000,
							      65536, &d);
			att_store_close(s);
			_exit(r == 0 ? 0 : r == ATT_ERR_REPLAY ? 1 : 2);
		}
	}
	close(fds[0]);
	close(fds[1]); /* all children start at once */
	for (int i = 0; i < NPROCS; i++) {
		int st = 0;
		if (pid[i] > 0 && waitpid(pid[i], &st, 0) == pid[i] &&
		    WIFEXITED(st)) {
			wins += WEXITSTATUS(st) == 0;
			replays += WEXITSTATUS(st) == 1;
		}
	}
	ATT_CHECK(wins == 1 && replays == NPROCS - 1,
		  "%d processes: exactly one wins (%d won, %d replays)",
		  NPROCS, wins, replays);
}

/* ---- import ---- */

static void test_import(struct att_store *s)
{
	struct att_diag d = {0};
	uint8_t w[] = {9, 9};
	struct att_store_tpm_cert certs[] = {
	    {.provider = "p2", .kind = "ek-roots", .name = "a.pem",
	     .pem = "A1", .added = 1},
	    {.provider = "p2", .kind = "aik-roots", .name = "b.crt",
	     .pem = "B1", .added = 1}};
	struct att_store_tpm_ca ca = {.provider = "p2",
				      .wrapped = w,
				      .wrapped_len = 2,
				      .cert_pem = "CA2",
				      .created = 1};
	struct att_store_tpm_enrolment en = {.provider = "p2",
					     .aik_name = "000bff",
					     .aik_cert_sha256 = "aa",
					     .enrolled_at = 3};
	struct att_store_tpm_import imp = {.provider = "p2",
					   .source = "/x/tpm/p2",
					   .settings_json = "{\"aik_cert_days\":9}",
					   .certs = certs,
					   .n_certs = 2,
					   .ca = &ca,
					   .enrolments = &en,
					   .n_enrolments = 1,
					   .now = 50};
	/* What the store has already wins. */
	struct att_store_tpm_cert pre = {.provider = "p2",
					 .kind = "ek-roots",
					 .name = "a.pem",
					 .pem = "A0",
					 .added = 0};
	ATT_CHECK_EQ_INT(att_store_tpm_cert_add(s, &pre, &d), 0);
	ATT_CHECK_EQ_INT(att_store_tpm_settings_put(s, "p2", "{}", &d), 0);
	ATT_CHECK_EQ_INT(att_store_tpm_import(s, &imp, &d), 0);
	ATT_CHECK_EQ_INT(att_store_tpm_import(s, &imp, &d), 0); /* again */
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM tpm_certs WHERE "
				 "provider='p2'"),
			 2);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM tpm_certs WHERE "
				 "provider='p2' AND name='a.pem' AND pem='A0'"),
			 1);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM tpm_settings WHERE "
				 "provider='p2' AND json='{}'"),
			 1);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM tpm_aik_ca WHERE "
				 "provider='p2' AND cert_pem='CA2'"),
			 1);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM tpm_enrolments WHERE "
				 "provider='p2'"),
			 1);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM tpm_imports WHERE "
				 "provider='p2'"),
			 2);
	/* All or nothing: a bad row rolls the whole import back. */
	struct att_store_tpm_cert bad[] = {
	    {.provider = "p3", .kind = "ek-roots", .name = "ok.pem",
	     .pem = "X", .added = 1},
	    {.provider = "p3", .kind = "bogus", .name = "bad.pem",
	     .pem = "Y", .added = 1}};
	struct att_store_tpm_import imp3 = {.provider = "p3",
					    .source = "/x/tpm/p3",
					    .settings_json = "{}",
					    .certs = bad,
					    .n_certs = 2,
					    .now = 60};
	ATT_CHECK(att_store_tpm_import(s, &imp3, &d) < 0,
		  "an import with a bad row is refused");
	ATT_CHECK_EQ_INT(sql_int("SELECT (SELECT count(*) FROM tpm_certs WHERE "
				 "provider='p3') + (SELECT count(*) FROM "
				 "tpm_settings WHERE provider='p3') + (SELECT "
				 "count(*) FROM tpm_imports WHERE "
				 "provider='p3')"),
			 0);
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
		add_provider(s, "p1");
		add_provider(s, "p2");
		add_provider(s, "p3");
		test_settings(s);
		test_certs(s);
		test_ca_enrol_ctxkey(s);
		test_replay(s);
		test_import(s);
		test_replay_threads();
		test_replay_processes();
		att_store_close(s);
	}
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	return att_test_done();
}
