/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the store, on SQLite or, with ATT_TEST_PG_URL set
 * (tests/harness/with_pg.sh), PostgreSQL: migrations (idempotent, refuse
 * a newer schema, a version-2 database upgraded), WAL mode (SQLite), CRUD
 * of every table, the binding iat of policy changes, the last policy
 * certificate kept, and that a failing write rolls back everything its
 * transaction did. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "harness/store_backend.h"
#include "harness/tap.h"
#include "store/store.h"

static char dir[] = "/tmp/att-store-XXXXXX";
static char path[512];

static int sql_int(const char *sql)
{
	return att_tb_sql_int(sql);
}

static void sql_exec(const char *sql)
{
	ATT_CHECK(att_tb_sql_exec(sql), "%s", sql);
}

/* tables_in counts the tables of a quoted, comma-separated list of names
 * that exist in the database. */
static int tables_in(const char *names)
{
	char sql[600];
	snprintf(sql, sizeof(sql),
		 att_tb_pg_url() ? "SELECT count(*) FROM information_schema."
				   "tables WHERE table_schema = 'public' AND "
				   "table_name IN (%s)"
				 : "SELECT count(*) FROM sqlite_master WHERE "
				   "type='table' AND name IN (%s)",
		 names);
	return sql_int(sql);
}

static void test_migrations(void)
{
	struct att_store *s = NULL;
	struct att_diag d = {0};
	int v = 0;
	ATT_CHECK_EQ_INT(att_tb_open(&s, &d), 0);
	ATT_CHECK_EQ_INT(att_store_schema_version(s, &v, &d), 0);
	ATT_CHECK_EQ_INT(v, 5);
	att_store_close(s);
	/* Second open: nothing re-applied, same version, same rows. */
	s = NULL;
	ATT_CHECK_EQ_INT(att_tb_open(&s, &d), 0);
	ATT_CHECK_EQ_INT(att_store_schema_version(s, &v, &d), 0);
	ATT_CHECK_EQ_INT(v, 5);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM schema_version"), 5);
	ATT_CHECK_EQ_INT(tables_in("'providers','keys','policies',"
				   "'policy_certs','audit_log',"
				   "'collateral_cache','policy_iat'"),
			 7);
	ATT_CHECK_EQ_INT(att_store_ping(s, &d), 0);
	att_store_close(s);
	/* A version-2 database (before policy_iat and the TPM tables) is
	 * upgraded on open. */
	sql_exec("DROP TABLE policy_iat;"
		 "DROP TABLE tpm_settings; DROP TABLE tpm_certs;"
		 "DROP TABLE tpm_aik_ca; DROP TABLE tpm_enrolments;"
		 "DROP TABLE tpm_ctx_keys; DROP TABLE tpm_used_contexts;"
		 "DROP TABLE tpm_imports; DROP TABLE changes;"
		 "DELETE FROM schema_version WHERE version >= 3");
	/* Migration 5's triggers on the tables that stay. */
	if (att_tb_pg_url()) {
		sql_exec("DROP FUNCTION attestd_changed() CASCADE");
	} else {
		static const char *const t[] = {"providers", "keys",
						"policies", "policy_certs"};
		static const char *const ev[] = {"INSERT", "UPDATE", "DELETE"};
		char q[96];
		for (size_t i = 0; i < 4; i++)
			for (size_t k = 0; k < 3; k++) {
				snprintf(q, sizeof(q),
					 "DROP TRIGGER changes_%s_%s", t[i],
					 ev[k]);
				sql_exec(q);
			}
	}
	ATT_CHECK_EQ_INT(sql_int("SELECT max(version) FROM schema_version"), 2);
	s = NULL;
	ATT_CHECK_EQ_INT(att_tb_open(&s, &d), 0);
	ATT_CHECK_EQ_INT(att_store_schema_version(s, &v, &d), 0);
	ATT_CHECK_EQ_INT(v, 5);
	ATT_CHECK_EQ_INT(tables_in("'policy_iat','tpm_settings','tpm_certs',"
				   "'tpm_aik_ca','tpm_enrolments',"
				   "'tpm_ctx_keys','tpm_used_contexts',"
				   "'tpm_imports'"),
			 8);
	att_store_close(s);
}

static void test_wal(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *mode = "";
	char copy[16] = "";
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(st, 0);
	snprintf(copy, sizeof(copy), "%s", mode ? mode : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
	ATT_CHECK_EQ_STR(copy, "wal");
}

static void test_newer_schema_refused(void)
{
	struct att_store *s = NULL;
	struct att_diag d = {0};
	sql_exec("INSERT INTO schema_version VALUES (99, 0)");
	ATT_CHECK_EQ_INT(att_tb_open(&s, &d),
			 ATT_ERR_UNSUPPORTED);
	ATT_CHECK(s == NULL, "no store on failure");
	ATT_CHECK(strstr(d.msg, "newer") != NULL, "msg: %s", d.msg);
	sql_exec("DELETE FROM schema_version WHERE version = 99");
}

static void test_providers(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_provider p = {.name = "alpha",
				       .base_url = "https://h:1/alpha",
				       .mode = "aad",
				       .key_type = "rsa",
				       .created = 100};
	ATT_CHECK_EQ_INT(att_store_provider_add(s, &p, &d), 0);
	ATT_CHECK_EQ_INT(att_store_provider_add(s, &p, &d), ATT_ERR_EXISTS);
	p.name = "beta";
	p.mode = "shared"; /* rejected by the CHECK constraint */
	ATT_CHECK(att_store_provider_add(s, &p, &d) < 0, "bad mode refused");
	p.mode = "isolated";
	p.key_type = "ec";
	ATT_CHECK_EQ_INT(att_store_provider_add(s, &p, &d), 0);

	struct att_store_provider g = {0};
	ATT_CHECK_EQ_INT(att_store_provider_get(s, "alpha", &g, &d), 0);
	ATT_CHECK_EQ_STR(g.base_url, "https://h:1/alpha");
	ATT_CHECK_EQ_STR(g.mode, "aad");
	ATT_CHECK(g.auth_json == NULL, "no auth yet");
	ATT_CHECK_EQ_INT(g.created, 100);
	att_store_provider_release(&g);
	ATT_CHECK_EQ_INT(att_store_provider_get(s, "nope", &g, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_provider_set_auth(s, "alpha", "{\"a\":1}",
						     &d),
			 0);
	ATT_CHECK_EQ_INT(att_store_provider_set_auth(s, "nope", "{}", &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_provider_get(s, "alpha", &g, &d), 0);
	ATT_CHECK_EQ_STR(g.auth_json, "{\"a\":1}");
	att_store_provider_release(&g);

	struct att_store_provider *v = NULL;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_store_provider_list(s, &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 2);
	if (n == 2) {
		ATT_CHECK_EQ_STR(v[0].name, "alpha");
		ATT_CHECK_EQ_STR(v[1].name, "beta");
		ATT_CHECK_EQ_STR(v[1].key_type, "ec");
	}
	att_store_provider_list_free(v, n);
}

static struct att_store_key mkkey(const char *provider, const char *kid,
				  int64_t created)
{
	static uint8_t blob[] = {1, 2, 3, 0, 5};
	struct att_store_key k = {.provider = (char *)provider,
				  .kid = (char *)kid,
				  .alg = "RS256",
				  .wrapped = blob,
				  .wrapped_len = sizeof(blob),
				  .cert_pem = "PEM",
				  .created = created};
	return k;
}

static void check_keys(struct att_store *s, size_t want_n,
		       const char *active_kid, int64_t retired0)
{
	struct att_diag d = {0};
	struct att_store_key *v = NULL;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_store_key_list(s, "alpha", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, want_n);
	for (size_t i = 0; i < n; i++) {
		bool want = strcmp(v[i].kid, active_kid) == 0;
		ATT_CHECK(v[i].active == want, "key %s active=%d", v[i].kid,
			  v[i].active);
		if (!want && i == 0)
			ATT_CHECK_EQ_INT(v[i].retired_at, retired0);
		if (want)
			ATT_CHECK_EQ_INT(v[i].retired_at, 0);
	}
	if (n > 0)
		ATT_CHECK(v[0].wrapped_len == 5 && v[0].wrapped[4] == 5,
			  "blob round trip");
	att_store_key_list_free(v, n);
}

static void test_keys(struct att_store *s)
{
	struct att_diag d = {0};
	int64_t gen = -1;
	struct att_store_key k1 = mkkey("alpha", "kid-1", 10);
	struct att_store_key k2 = mkkey("alpha", "kid-2", 20);
	ATT_CHECK_EQ_INT(att_store_key_gen(s, "alpha", &gen, &d), 0);
	ATT_CHECK_EQ_INT(gen, 0);
	ATT_CHECK_EQ_INT(att_store_key_add(s, &k1, 0, &d), 0);
	check_keys(s, 1, "kid-1", 0);
	ATT_CHECK_EQ_INT(att_store_key_add(s, &k2, 5000, &d), 0);
	check_keys(s, 2, "kid-2", 5000);
	ATT_CHECK_EQ_INT(att_store_key_gen(s, "alpha", &gen, &d), 0);
	ATT_CHECK_EQ_INT(gen, 2);

	/* Duplicate kid: the insert fails after the retirement UPDATE ran;
	 * the rollback must leave kid-2 active and key_gen unchanged. */
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_store_key_add(s, &k2, 9999, &d), ATT_ERR_EXISTS);
	ATT_CHECK(d.msg[0] != 0, "diag set");
	check_keys(s, 2, "kid-2", 5000);
	ATT_CHECK_EQ_INT(att_store_key_gen(s, "alpha", &gen, &d), 0);
	ATT_CHECK_EQ_INT(gen, 2);
	/* Unknown provider: foreign key refuses it. */
	struct att_store_key k3 = mkkey("ghost", "kid-3", 30);
	ATT_CHECK(att_store_key_add(s, &k3, 0, &d) < 0, "fk");
	ATT_CHECK_EQ_INT(att_store_key_gen(s, "ghost", &gen, &d),
			 ATT_ERR_NOT_FOUND);
}

static void test_policies(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_policy g = {0};
	ATT_CHECK_EQ_INT(att_store_policy_get(s, "alpha", "SgxEnclave", &g, &d),
			 ATT_ERR_NOT_FOUND);
	struct att_store_policy p = {.provider = "alpha", .type = "SgxEnclave",
				     .jws = "a.b.", .hash = "h1", .updated = 5};
	struct att_store_audit a = {.provider = "alpha", .time = 5,
				    .actor = "tester", .action = "set",
				    .type = "SgxEnclave", .new_hash = "h1"};
	ATT_CHECK_EQ_INT(att_store_policy_put(s, &p, &a, &d), 0);
	p.jws = "c.d.";
	p.hash = "h2";
	a.old_hash = "h1";
	a.new_hash = "h2";
	ATT_CHECK_EQ_INT(att_store_policy_put(s, &p, &a, &d), 0);
	ATT_CHECK_EQ_INT(att_store_policy_get(s, "alpha", "SgxEnclave", &g, &d),
			 0);
	ATT_CHECK_EQ_STR(g.jws, "c.d.");
	ATT_CHECK_EQ_STR(g.hash, "h2");
	att_store_policy_release(&g);

	/* An audit record that violates NOT NULL makes the whole write fail:
	 * the policy must keep its previous value. */
	p.jws = "e.f.";
	p.hash = "h3";
	a.action = NULL;
	ATT_CHECK(att_store_policy_put(s, &p, &a, &d) < 0, "audit failure");
	ATT_CHECK_EQ_INT(att_store_policy_get(s, "alpha", "SgxEnclave", &g, &d),
			 0);
	ATT_CHECK_EQ_STR(g.jws, "c.d.");
	att_store_policy_release(&g);

	a.action = "reset";
	ATT_CHECK_EQ_INT(att_store_policy_delete(s, "alpha", "SgxEnclave", &a,
						 &d),
			 0);
	ATT_CHECK_EQ_INT(att_store_policy_delete(s, "alpha", "SgxEnclave", &a,
						 &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_policy_get(s, "alpha", "SgxEnclave", &g, &d),
			 ATT_ERR_NOT_FOUND);

	struct att_store_audit *v = NULL;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_store_audit_list(s, "alpha", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 3); /* set, set, reset: failed writes left none */
	if (n == 3) {
		ATT_CHECK_EQ_STR(v[1].old_hash, "h1");
		ATT_CHECK_EQ_STR(v[2].action, "reset");
		ATT_CHECK(v[0].old_hash == NULL, "NULL kept");
	}
	att_store_audit_list_free(v, n);
}

/* The binding iat of policy changes: set by put, kept by reset (which
 * deletes the policy), cleared by a change without one and by delete,
 * untouched by a failed write, per provider and type. */
static void test_policy_iat(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_policy g = {0};
	int64_t iat = -1;
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "alpha", "Tpm", &iat, &d), 0);
	ATT_CHECK_EQ_INT(iat, 0);
	struct att_store_policy p = {.provider = "alpha", .type = "Tpm",
				     .jws = "t.1.", .hash = "t1", .updated = 9,
				     .iat = 1700000100};
	ATT_CHECK_EQ_INT(att_store_policy_put(s, &p, NULL, &d), 0);
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "alpha", "Tpm", &iat, &d), 0);
	ATT_CHECK_EQ_INT(iat, 1700000100);
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "alpha", "TdxVm", &iat, &d),
			 0);
	ATT_CHECK_EQ_INT(iat, 0); /* per type */
	ATT_CHECK_EQ_INT(att_store_policy_get(s, "alpha", "Tpm", &g, &d), 0);
	ATT_CHECK_EQ_INT(g.iat, 0); /* policy_get never fills it */
	att_store_policy_release(&g);
	/* A failed put (audit NOT NULL) leaves the iat alone. */
	struct att_store_audit bad = {.provider = "alpha", .time = 9};
	p.iat = 1700000200;
	ATT_CHECK(att_store_policy_put(s, &p, &bad, &d) < 0, "failed put");
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "alpha", "Tpm", &iat, &d), 0);
	ATT_CHECK_EQ_INT(iat, 1700000100);
	/* Reset: the policy goes, its iat becomes the reset's. */
	ATT_CHECK_EQ_INT(att_store_policy_reset(s, "alpha", "Tpm", 1700000300,
						NULL, &d),
			 0);
	ATT_CHECK_EQ_INT(att_store_policy_get(s, "alpha", "Tpm", &g, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "alpha", "Tpm", &iat, &d), 0);
	ATT_CHECK_EQ_INT(iat, 1700000300);
	/* A reset with nothing stored changes nothing, not even the iat. */
	ATT_CHECK_EQ_INT(att_store_policy_reset(s, "alpha", "Tpm", 1700000400,
						NULL, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "alpha", "Tpm", &iat, &d), 0);
	ATT_CHECK_EQ_INT(iat, 1700000300);
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "beta", "Tpm", &iat, &d), 0);
	ATT_CHECK_EQ_INT(iat, 0); /* per provider */
	/* A put without an iat clears it; so does policy_delete. */
	p.iat = 0;
	ATT_CHECK_EQ_INT(att_store_policy_put(s, &p, NULL, &d), 0);
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "alpha", "Tpm", &iat, &d), 0);
	ATT_CHECK_EQ_INT(iat, 0);
	p.iat = 1700000500;
	ATT_CHECK_EQ_INT(att_store_policy_put(s, &p, NULL, &d), 0);
	ATT_CHECK_EQ_INT(att_store_policy_delete(s, "alpha", "Tpm", NULL, &d),
			 0);
	ATT_CHECK_EQ_INT(att_store_policy_iat(s, "alpha", "Tpm", &iat, &d), 0);
	ATT_CHECK_EQ_INT(iat, 0);
	/* Committed: another connection sees it. */
	p.iat = 1700000600;
	ATT_CHECK_EQ_INT(att_store_policy_put(s, &p, NULL, &d), 0);
	ATT_CHECK_EQ_INT(sql_int("SELECT iat - 1700000000 FROM policy_iat "
				 "WHERE provider = 'alpha' AND type = 'Tpm'"),
			 600);
}

static void test_polcerts(struct att_store *s)
{
	struct att_diag d = {0};
	uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	struct att_store_polcert c = {.provider = "beta", .thumbprint = "AA",
				      .der = der, .der_len = sizeof(der),
				      .added = 1};
	ATT_CHECK_EQ_INT(att_store_polcert_add(s, &c, NULL, &d), 0);
	ATT_CHECK_EQ_INT(att_store_polcert_add(s, &c, NULL, &d),
			 ATT_ERR_EXISTS);
	c.thumbprint = "BB";
	c.added = 2;
	ATT_CHECK_EQ_INT(att_store_polcert_add(s, &c, NULL, &d), 0);
	struct att_store_polcert *v = NULL;
	size_t n = 0;
	ATT_CHECK_EQ_INT(att_store_polcert_list(s, "beta", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 2);
	if (n == 2)
		ATT_CHECK(v[1].der_len == 5 && !memcmp(v[1].der, der, 5),
			  "der");
	att_store_polcert_list_free(v, n);
	ATT_CHECK_EQ_INT(att_store_polcert_remove(s, "beta", "AA", NULL, &d),
			 0);
	ATT_CHECK_EQ_INT(att_store_polcert_remove(s, "beta", "AA", NULL, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_polcert_list(s, "beta", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 1);
	att_store_polcert_list_free(v, n);
	/* The last certificate stays, and the refused removal leaves no
	 * audit record. */
	struct att_store_audit a = {.provider = "beta", .time = 3,
				    .actor = "t", .action = "remove"};
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_store_polcert_remove(s, "beta", "BB", &a, &d),
			 ATT_ERR_INVALID_OPERATION);
	ATT_CHECK(strstr(d.msg, "last") != NULL, "msg: %s", d.msg);
	ATT_CHECK_EQ_INT(att_store_polcert_list(s, "beta", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 1);
	att_store_polcert_list_free(v, n);
	ATT_CHECK_EQ_INT(sql_int("SELECT count(*) FROM audit_log WHERE "
				 "provider = 'beta'"),
			 0);
	ATT_CHECK_EQ_INT(att_store_polcert_remove(s, "beta", "CC", &a, &d),
			 ATT_ERR_NOT_FOUND);
}

static void test_collateral(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_collateral c = {.key = "tcb:00906ED5",
					 .body = (uint8_t *)"{}",
					 .body_len = 2, .fetched = 7,
					 .next_update = 99};
	struct att_store_collateral g = {0};
	ATT_CHECK_EQ_INT(att_store_collateral_get(s, c.key, &g, &d),
			 ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_store_collateral_put(s, &c, &d), 0);
	c.body = (uint8_t *)"{\"x\":1}";
	c.body_len = 7;
	ATT_CHECK_EQ_INT(att_store_collateral_put(s, &c, &d), 0);
	ATT_CHECK_EQ_INT(att_store_collateral_get(s, c.key, &g, &d), 0);
	ATT_CHECK(g.body_len == 7 && !memcmp(g.body, "{\"x\":1}", 7), "body");
	ATT_CHECK_EQ_INT(g.next_update, 99);
	att_store_collateral_release(&g);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("mkdtemp failed\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/attestd.db", dir);
	att_tb_init(path);
	printf("# backend: %s\n", att_tb_name());
	test_migrations();
	if (!att_tb_pg_url())
		test_wal(); /* SQLite's journal mode */
	test_newer_schema_refused();
	struct att_store *s = NULL;
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_tb_open(&s, &d), 0);
	if (s) {
		test_providers(s);
		test_keys(s);
		test_policies(s);
		test_policy_iat(s);
		test_polcerts(s);
		test_collateral(s);
		att_store_close(s);
	}
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	return att_test_done();
}
