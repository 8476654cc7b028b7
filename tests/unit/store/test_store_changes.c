/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the store's change version and watcher (store.h "Cache
 * coherence"; SQLite, or PostgreSQL with ATT_TEST_PG_URL set:
 * tests/harness/store_backend.h): every write of cached content (a
 * provider, a key, a policy put, reset and delete, a policy certificate
 * added and removed, TPM settings and certificates) moves the version
 * inside its transaction; a write that caches do not hold (collateral,
 * a used TPM context) and a failed write (a duplicate provider, a
 * refused last-certificate removal) do not; the change count moves with
 * this process's writes. On PostgreSQL, with the watcher of one store
 * running, a write through a second store (another node) moves the
 * first's change count within ATT_STORE_WATCH_DELAY_MS, the watcher says
 * it watches, and att_store_recheck_ms gives the long interval then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/limits.h"
#include "harness/store_backend.h"
#include "harness/tap.h"
#include "store/store.h"

static char dir[] = "/tmp/att-store-chg-XXXXXX";
static char path[512];

static int64_t version(struct att_store *s)
{
	struct att_diag d = {0};
	int64_t v = -1;
	ATT_CHECK_EQ_INT(att_store_change_version(s, &v, &d), 0);
	return v;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define MOVES(s, what, expr)                                                   \
	do {                                                                   \
		int64_t v0_ = version(s);                                      \
		ATT_CHECK_EQ_INT((expr), 0);                                   \
		ATT_CHECK(version(s) > v0_, "%s moves the version", what);     \
	} while (0)
#define STAYS(s, what, expr, want)                                             \
	do {                                                                   \
		int64_t v0_ = version(s);                                      \
		ATT_CHECK_EQ_INT((expr), (want));                              \
		ATT_CHECK(version(s) == v0_, "%s keeps the version", what);    \
	} while (0)

static void test_writes(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_provider p = {.name = "p1",
				       .base_url = "https://p1",
				       .mode = "isolated",
				       .key_type = "ec",
				       .created = 1};
	uint8_t wrapped[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct att_store_key k = {.provider = "p1", .kid = "k1",
				  .alg = "ES256", .wrapped = wrapped,
				  .wrapped_len = sizeof(wrapped),
				  .cert_pem = "pem", .created = 2};
	struct att_store_policy pol = {.provider = "p1", .type = "SgxEnclave",
				       .jws = "a.b.c", .hash = "h1",
				       .updated = 3};
	uint8_t der[4] = {9, 9, 9, 9};
	struct att_store_polcert c1 = {.provider = "p1", .thumbprint = "AA",
				       .der = der, .der_len = 4, .added = 4};
	struct att_store_polcert c2 = {.provider = "p1", .thumbprint = "BB",
				       .der = der, .der_len = 4, .added = 5};
	struct att_store_collateral col = {.key = "k", .body = der,
					   .body_len = 4, .fetched = 1,
					   .next_update = 2};
	struct att_store_tpm_cert tc = {.provider = "p1", .kind = "ek-roots",
					.name = "r.pem", .pem = "PEM",
					.added = 6};
	uint64_t n0 = att_store_change_count(s);
	MOVES(s, "provider_add", att_store_provider_add(s, &p, &d));
	ATT_CHECK(att_store_change_count(s) != n0,
		  "this process's write moves the change count");
	STAYS(s, "a duplicate provider_add", att_store_provider_add(s, &p, &d),
	      ATT_ERR_EXISTS);
	MOVES(s, "key_add", att_store_key_add(s, &k, 100, &d));
	MOVES(s, "policy_put", att_store_policy_put(s, &pol, NULL, &d));
	MOVES(s, "policy_reset",
	      att_store_policy_reset(s, "p1", "SgxEnclave", 7, NULL, &d));
	MOVES(s, "policy_put again", att_store_policy_put(s, &pol, NULL, &d));
	MOVES(s, "policy_delete",
	      att_store_policy_delete(s, "p1", "SgxEnclave", NULL, &d));
	MOVES(s, "polcert_add", att_store_polcert_add(s, &c1, NULL, &d));
	MOVES(s, "polcert_add 2", att_store_polcert_add(s, &c2, NULL, &d));
	MOVES(s, "polcert_remove",
	      att_store_polcert_remove(s, "p1", "BB", NULL, &d));
	STAYS(s, "a refused last-certificate removal",
	      att_store_polcert_remove(s, "p1", "AA", NULL, &d),
	      ATT_ERR_INVALID_OPERATION);
	MOVES(s, "tpm_settings_put",
	      att_store_tpm_settings_put(s, "p1", "{}", &d));
	MOVES(s, "tpm_cert_add", att_store_tpm_cert_add(s, &tc, &d));
	STAYS(s, "collateral_put", att_store_collateral_put(s, &col, &d), 0);
	STAYS(s, "tpm_replay_mark",
	      att_store_tpm_replay_mark(s, "p1", der, 4, 50, 10, 100, &d), 0);
}

static void test_watch(struct att_store *a)
{
	struct att_store *b = NULL;
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_store_watch(a, &d), 0);
	int64_t t0 = mono_ms();
	while (att_store_recheck_ms(a, 1) == 1 && mono_ms() - t0 < 5000) {
		struct timespec ts = {0, 10000000L};
		nanosleep(&ts, NULL);
	}
	ATT_CHECK_EQ_INT(att_store_recheck_ms(a, 1),
			 ATT_STORE_WATCHED_RECHECK_MS);
	ATT_CHECK_EQ_INT(att_tb_open(&b, &d), 0);
	if (!b)
		return;
	struct att_store_policy pol = {.provider = "p1", .type = "TdxVm",
				       .jws = "x.y.z", .hash = "h2",
				       .updated = 9};
	for (int round = 0; round < 3; round++) {
		uint64_t n0 = att_store_change_count(a);
		/* b's write moves this process's count too: undo that part
		 * by reading the count of a store with no watcher (b). */
		uint64_t own0 = att_store_change_count(b);
		ATT_CHECK_EQ_INT(att_store_policy_put(b, &pol, NULL, &d), 0);
		uint64_t own = att_store_change_count(b) - own0;
		t0 = mono_ms();
		while (att_store_change_count(a) - n0 <= own &&
		       mono_ms() - t0 < 3000) {
			struct timespec ts = {0, 1000000L};
			nanosleep(&ts, NULL);
		}
		int64_t ms = mono_ms() - t0;
		printf("# round %d: another store's write seen by the watcher "
		       "after %lld ms\n",
		       round, (long long)ms);
		ATT_CHECK(att_store_change_count(a) - n0 > own,
			  "the watcher saw the other store's write");
		ATT_CHECK(ms < ATT_STORE_WATCH_DELAY_MS, "within %d ms (%lld)",
			  ATT_STORE_WATCH_DELAY_MS, (long long)ms);
	}
	att_store_close(b);
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
		test_writes(s);
		if (att_tb_pg_url())
			test_watch(s);
		else
			ATT_CHECK_EQ_INT(att_store_recheck_ms(s, 1000), 1000);
		att_store_close(s);
	}
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	return att_test_done();
}
