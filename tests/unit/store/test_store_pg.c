/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of what is particular to the PostgreSQL store, on a server
 * tests/harness/with_pg.sh starts (run without ATT_TEST_PG_URL, the test
 * runs itself through it; a server that cannot be started fails the
 * test): the last policy certificate under concurrent removals from two
 * stores (exactly one wins), a TPM context marked from two stores at once
 * (exactly one succeeds), key rotation from two stores at once (one active
 * key), migrations raced by several processes on a fresh database (all
 * open, each version applied once), a pooled connection the server
 * dropped replaced by a new one, the password file, passwords masked in
 * URLs and kept out of every message, and an unreachable server reported
 * as a distinguishable "store unavailable" error naming the host. */
#include <pthread.h>
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

#define ROUNDS 25
#define NPROCS 4

static const char *url;

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

/* ---- two stores racing ---- */

struct racer {
	struct att_store *s;
	pthread_barrier_t *bar;
	int round;
	int which;
	int r;
};

static void *remove_one(void *arg)
{
	struct racer *x = arg;
	struct att_diag d = {0};
	char tp[32];
	snprintf(tp, sizeof(tp), "R%d-%d", x->round, x->which);
	pthread_barrier_wait(x->bar);
	x->r = att_store_polcert_remove(x->s, "race", tp, NULL, &d);
	return NULL;
}

static void *mark_one(void *arg)
{
	struct racer *x = arg;
	struct att_diag d = {0};
	uint8_t id[16] = {0x5a, (uint8_t)x->round};
	pthread_barrier_wait(x->bar);
	x->r = att_store_tpm_replay_mark(x->s, "race", id, sizeof(id), 10000,
					 1000, 65536, &d);
	return NULL;
}

static void *rotate_one(void *arg)
{
	struct racer *x = arg;
	struct att_diag d = {0};
	char kid[32];
	uint8_t w[] = {1, 2};
	snprintf(kid, sizeof(kid), "k%d-%d", x->round, x->which);
	struct att_store_key k = {.provider = "race", .kid = kid,
				  .alg = "ES256", .wrapped = w,
				  .wrapped_len = 2, .cert_pem = "P",
				  .created = x->round};
	pthread_barrier_wait(x->bar);
	x->r = att_store_key_add(x->s, &k, 99, &d);
	return NULL;
}

/* race runs fn on two stores at once; returns how many returned 0 and
 * how many returned other (wanted) codes. */
static void race(struct att_store *a, struct att_store *b, int round,
		 void *(*fn)(void *), int *wins, int *other, int other_code)
{
	pthread_barrier_t bar;
	pthread_t t[2];
	struct racer x[2] = {{a, &bar, round, 0, 1}, {b, &bar, round, 1, 1}};
	pthread_barrier_init(&bar, NULL, 2);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, fn, &x[i]);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		*wins += x[i].r == 0;
		*other += x[i].r == other_code;
	}
	pthread_barrier_destroy(&bar);
}

static void test_last_cert_race(struct att_store *a, struct att_store *b)
{
	struct att_diag d = {0};
	uint8_t der[] = {0x30, 0x00};
	int bad = 0;
	for (int r = 0; r < ROUNDS; r++) {
		/* Exactly two certificates: the round's pair. */
		for (int i = 0; i < 2; i++) {
			char tp[32];
			snprintf(tp, sizeof(tp), "R%d-%d", r, i);
			struct att_store_polcert c = {.provider = "race",
						      .thumbprint = tp,
						      .der = der,
						      .der_len = 2,
						      .added = r};
			if (att_store_polcert_add(a, &c, NULL, &d) != 0)
				bad++;
		}
		if (r > 0) { /* the survivor of the previous round goes */
			struct att_store_polcert *v = NULL;
			size_t n = 0;
			if (att_store_polcert_list(a, "race", &v, &n, &d) ||
			    n != 3)
				bad++;
			for (size_t i = 0; i < n; i++)
				if (strncmp(v[i].thumbprint, "R", 1) == 0 &&
				    atoi(v[i].thumbprint + 1) == r - 1 &&
				    att_store_polcert_remove(
					a, "race", v[i].thumbprint, NULL, &d))
					bad++;
			att_store_polcert_list_free(v, n);
		}
		int wins = 0, refused = 0;
		race(a, b, r, remove_one, &wins, &refused,
		     ATT_ERR_INVALID_OPERATION);
		if (wins != 1 || refused != 1) {
			bad++;
			printf("# round %d: %d removed, %d refused\n", r, wins,
			       refused);
		}
	}
	ATT_CHECK(bad == 0,
		  "%d rounds of two stores removing the last two "
		  "certificates: exactly one removal wins each time (%d bad)",
		  ROUNDS, bad);
	ATT_CHECK_EQ_INT(att_tb_sql_int("SELECT count(*) FROM policy_certs "
					"WHERE provider = 'race'"),
			 1);
}

static void test_replay_race(struct att_store *a, struct att_store *b)
{
	int bad = 0;
	for (int r = 0; r < ROUNDS; r++) {
		int wins = 0, replays = 0;
		race(a, b, r, mark_one, &wins, &replays, ATT_ERR_REPLAY);
		bad += wins != 1 || replays != 1;
	}
	ATT_CHECK(bad == 0,
		  "%d rounds of one context marked through two stores: "
		  "exactly one succeeds, the other is a replay (%d bad)",
		  ROUNDS, bad);
}

static void test_rotate_race(struct att_store *a, struct att_store *b)
{
	int bad = 0;
	for (int r = 0; r < ROUNDS; r++) {
		int wins = 0, other = 0;
		race(a, b, r, rotate_one, &wins, &other, 0);
		bad += wins != 2;
		bad += att_tb_sql_int("SELECT count(*) FROM keys WHERE "
				      "provider = 'race' AND active = 1") != 1;
	}
	ATT_CHECK(bad == 0,
		  "%d rounds of two stores rotating one provider's key at "
		  "once: both commit, one key stays active (%d bad)",
		  ROUNDS, bad);
	ATT_CHECK_EQ_INT(att_tb_sql_int("SELECT key_gen FROM providers WHERE "
					"name = 'race'"),
			 2 * ROUNDS);
}

/* ---- migrations raced by processes ---- */

static void test_migration_race(void)
{
	char db_url[1200], fresh[64];
	snprintf(fresh, sizeof(fresh), "att_fresh_%d", (int)getpid());
	char sql[128];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", fresh);
	ATT_CHECK(att_tb_sql_exec(sql), "create %s", fresh);
	/* The test URL names database attest_test: swap in the fresh one. */
	const char *q = strchr(url + strlen("postgresql://"), '/');
	const char *rest = q ? strpbrk(q, "?") : NULL;
	snprintf(db_url, sizeof(db_url), "%.*s/%s%s",
		 q ? (int)(q - url) : 0, url, fresh, rest ? rest : "");
	int fds[2];
	pid_t pid[NPROCS];
	int ok = 0;
	if (pipe(fds) != 0)
		return;
	for (int i = 0; i < NPROCS; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			struct att_store *s = NULL;
			struct att_diag d = {0};
			uint8_t go;
			close(fds[1]);
			if (read(fds[0], &go, 1) != 0) /* released at EOF */
				_exit(3);
			int r = att_store_open_pg(&s, db_url, NULL, &d);
			if (r)
				fprintf(stderr, "# child: %s\n", d.msg);
			att_store_close(s);
			_exit(r ? 1 : 0);
		}
	}
	close(fds[0]);
	close(fds[1]); /* all children start at once */
	for (int i = 0; i < NPROCS; i++) {
		int st = 0;
		if (pid[i] > 0 && waitpid(pid[i], &st, 0) == pid[i] &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
	ATT_CHECK(ok == NPROCS,
		  "%d processes opening a fresh database at once all succeed "
		  "(%d did)",
		  NPROCS, ok);
	struct att_store *s = NULL;
	struct att_diag d = {0};
	int v = 0;
	ATT_CHECK_EQ_INT(att_store_open_pg(&s, db_url, NULL, &d), 0);
	ATT_CHECK_EQ_INT(att_store_schema_version(s, &v, &d), 0);
	ATT_CHECK_EQ_INT(v, 5);
	att_store_close(s);
	/* Each version applied once: read through the fresh database. */
	PGconn *c = PQconnectdb(db_url);
	PGresult *r = PQexec(c, "SELECT count(*), count(DISTINCT version)"
				" FROM schema_version");
	ATT_CHECK(PQresultStatus(r) == PGRES_TUPLES_OK &&
			  !strcmp(PQgetvalue(r, 0, 0), "5") &&
			  !strcmp(PQgetvalue(r, 0, 1), "5"),
		  "schema_version has versions 1..5 once each");
	PQclear(r);
	PQfinish(c);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s", fresh);
	ATT_CHECK(att_tb_sql_exec(sql), "drop %s", fresh);
}

/* ---- connections ---- */

static void test_reconnect(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_provider p = {0};
	ATT_CHECK_EQ_INT(att_store_provider_get(s, "race", &p, &d), 0);
	att_store_provider_release(&p);
	/* The server ends every other session (a restart, a failover). */
	ATT_CHECK(att_tb_sql_exec("SELECT pg_terminate_backend(pid) FROM "
				  "pg_stat_activity WHERE pid <> "
				  "pg_backend_pid() AND application_name = "
				  "'attestd'"),
		  "terminate the store's connections");
	ATT_CHECK_EQ_INT(att_store_provider_get(s, "race", &p, &d), 0);
	ATT_CHECK_EQ_STR(p.name, "race");
	att_store_provider_release(&p);
	ATT_CHECK(!att_store_unavailable(s), "available after reconnecting");
	ATT_CHECK_EQ_INT(att_tb_sql_exec("SELECT pg_terminate_backend(pid) "
					 "FROM pg_stat_activity WHERE pid <> "
					 "pg_backend_pid() AND "
					 "application_name = 'attestd'"),
			 1);
	struct att_store_policy pol = {.provider = "race", .type = "Tpm",
				       .jws = "x.y.", .hash = "h",
				       .updated = 1};
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_store_policy_put(s, &pol, NULL, &d), 0);
	ATT_CHECK(d.msg[0] == 0, "no message: %s", d.msg);
}

static void test_password_file(void)
{
	const char *pwurl = getenv("ATT_TEST_PG_PWURL");
	const char *pwfile = getenv("ATT_TEST_PG_PWFILE");
	char wrong[] = "/tmp/att-pg-wrong-XXXXXX";
	struct att_store *s = NULL;
	struct att_diag d = {0};
	ATT_CHECK(pwurl && pwfile, "with_pg.sh sets the password URL and file");
	if (!pwurl || !pwfile)
		return;
	struct att_store_pg_opts o = {.pool_size = 2, .password_file = pwfile};
	ATT_CHECK_EQ_INT(att_store_open_pg(&s, pwurl, &o, &d), 0);
	ATT_CHECK(s && att_store_ping(s, &d) == 0, "ping: %s", d.msg);
	att_store_close(s);
	s = NULL;
	/* A wrong password: refused, and never in the message. */
	int fd = mkstemp(wrong);
	ATT_CHECK(fd >= 0 && write(fd, "Wr0ngPassw0rd\n", 14) == 14,
		  "write the wrong password file");
	if (fd >= 0)
		close(fd);
	o.password_file = wrong;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_store_open_pg(&s, pwurl, &o, &d), ATT_ERR_STORE);
	ATT_CHECK(s == NULL, "no store");
	ATT_CHECK(strstr(d.msg, "Wr0ngPassw0rd") == NULL,
		  "password not in: %s", d.msg);
	ATT_CHECK(strstr(d.msg, "127.0.0.1") != NULL, "host named: %s", d.msg);
	unlink(wrong);
	/* Without a password: libpq's PGPASSFILE supplies it. */
	char pgpass[] = "/tmp/att-pgpass-XXXXXX", line[600], pw[200] = "";
	FILE *f = fopen(pwfile, "r");
	if (f) {
		if (!fgets(pw, sizeof(pw), f))
			pw[0] = 0;
		fclose(f);
	}
	pw[strcspn(pw, "\n")] = 0;
	fd = mkstemp(pgpass);
	snprintf(line, sizeof(line), "*:*:*:attest_pw:%s\n", pw);
	ATT_CHECK(fd >= 0 && write(fd, line, strlen(line)) ==
				     (ssize_t)strlen(line),
		  "write PGPASSFILE");
	if (fd >= 0)
		close(fd);
	setenv("PGPASSFILE", pgpass, 1);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_store_open_pg(&s, pwurl, NULL, &d), 0);
	att_store_close(s);
	s = NULL;
	unsetenv("PGPASSFILE");
	unlink(pgpass);
}

static void test_unreachable(void)
{
	struct att_store *s = NULL;
	struct att_diag d = {0};
	/* Port 1 on loopback: connection refused. The URL's password never
	 * reaches the message. */
	int r = att_store_open_pg(
	    &s, "postgresql://someone:S3cretPW@127.0.0.1:1/db?sslmode=disable",
	    NULL, &d);
	ATT_CHECK_EQ_INT(r, ATT_ERR_STORE);
	ATT_CHECK(s == NULL, "no store");
	ATT_CHECK(att_store_diag_unavailable(r, &d), "unavailable: %s", d.msg);
	ATT_CHECK(strstr(d.msg, "127.0.0.1:1") != NULL, "host: %s", d.msg);
	ATT_CHECK(strstr(d.msg, "S3cretPW") == NULL, "no password: %s",
		  d.msg);
	/* A failed operation is not "unavailable". */
	struct att_diag e = {0};
	att_diag_set(&e, ATT_ERR_STORE, "store: insert: duplicate");
	ATT_CHECK(!att_store_diag_unavailable(ATT_ERR_STORE, &e),
		  "an ordinary store error is not unavailability");
	ATT_CHECK(!att_store_diag_unavailable(ATT_ERR_NOT_FOUND, &d),
		  "only ATT_ERR_STORE");
	/* TLS when the URL asks: this server has none, so sslmode=require
	 * is refused (the parameter reached libpq). */
	char tls[1200];
	const char *pwurl = getenv("ATT_TEST_PG_PWURL");
	snprintf(tls, sizeof(tls), "%s?sslmode=require",
		 pwurl ? pwurl : "postgresql://127.0.0.1:1/x");
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_store_open_pg(&s, tls, NULL, &d), ATT_ERR_STORE);
	ATT_CHECK(strstr(d.msg, "SSL") != NULL, "SSL required: %s", d.msg);
	/* Not a PostgreSQL URL, a bad one. */
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_store_open_pg(&s, "mysql://x/y", NULL, &d),
			 ATT_ERR_INVALID_ARG);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_store_open_pg(&s,
					   "postgresql://u:Pw9@h/db?bogus=1",
					   NULL, &d),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK(strstr(d.msg, "Pw9") == NULL &&
			  strstr(d.msg, "u:***@h") != NULL,
		  "bad URL masked: %s", d.msg);
}

static void check_mask(const char *in, const char *want, bool pw)
{
	char out[300];
	att_store_url_mask(out, sizeof(out), in);
	ATT_CHECK_EQ_STR(out, want);
	ATT_CHECK(att_store_url_has_password(in) == pw, "has_password(%s)",
		  in);
}

static void test_mask(void)
{
	check_mask("postgresql://u:p@h/db", "postgresql://u:***@h/db", true);
	check_mask("postgres://u@h:5432/db?sslmode=verify-full",
		   "postgres://u@h:5432/db?sslmode=verify-full", false);
	check_mask("postgresql://h/db?user=u&password=x&sslmode=require",
		   "postgresql://h/db?user=u&password=***&sslmode=require",
		   true);
	check_mask("postgresql://u:a?b@h/db?password=c",
		   "postgresql://u:***@h/db?password=***", true);
	check_mask("postgresql://u:@h/db", "postgresql://u:@h/db", false);
	check_mask("postgresql:///db?host=/tmp/s&port=5",
		   "postgresql:///db?host=/tmp/s&port=5", false);
	check_mask("sqlite:///var/lib/attestd/attestd.db",
		   "sqlite:///var/lib/attestd/attestd.db", false);
	char small[12];
	att_store_url_mask(small, sizeof(small), "postgresql://u:secret@h/");
	ATT_CHECK(strlen(small) == 11 && !strstr(small, "secret"),
		  "truncated: %s", small);
}

int main(int argc, char **argv)
{
	(void)argc;
	url = att_tb_pg_url();
	if (!url) {
		/* Run through the harness, which starts PostgreSQL. */
		const char *src = getenv("ATT_SRC_DIR");
		char h[1024];
		snprintf(h, sizeof(h), "%s/tests/harness/with_pg.sh",
			 src ? src : ".");
		execl("/bin/bash", "bash", h, argv[0], (char *)NULL);
		printf("not ok - cannot run %s\n0 passed, 1 failed\n", h);
		return 1;
	}
	test_mask();
	struct att_store *a = NULL, *b = NULL;
	struct att_diag d = {0};
	struct att_store_pg_opts o = {.pool_size = 2};
	ATT_CHECK_EQ_INT(att_store_open_pg(&a, url, &o, &d), 0);
	ATT_CHECK_EQ_INT(att_store_open_pg(&b, url, &o, &d), 0);
	if (a && b) {
		ATT_CHECK_EQ_STR(a->ops->name, "postgresql");
		add_provider(a, "race");
		test_last_cert_race(a, b);
		test_replay_race(a, b);
		test_rotate_race(a, b);
		test_reconnect(a);
	}
	att_store_close(a);
	att_store_close(b);
	test_migration_race();
	test_password_file();
	test_unreachable();
	return att_test_done();
}
