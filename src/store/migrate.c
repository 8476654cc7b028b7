/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Versioned schema migrations for the SQLite store. The list below only
 * ever grows: a released migration is never edited, a change of schema is
 * a new entry. schema_version holds one row with the version applied last;
 * each migration and its version bump commit together, so a crash leaves
 * the database at a whole version.
 */
#include "store/sqlite_int.h"

#include <stddef.h>

#include "attest/err.h"

/* TRIG(table, event): a trigger that bumps the change version. */
#define TRIG(t, ev)                                                           \
	"CREATE TRIGGER changes_" t "_" ev " AFTER " ev " ON " t               \
	" BEGIN UPDATE changes SET version = version + 1 WHERE id = 1; END;"

struct migration {
	int version;
	const char *sql;
};

static const struct migration migrations[] = {
	{1,
	 "CREATE TABLE providers ("
	 " name TEXT PRIMARY KEY,"
	 " base_url TEXT NOT NULL,"
	 " mode TEXT NOT NULL CHECK (mode IN ('aad','isolated')),"
	 " key_type TEXT NOT NULL CHECK (key_type IN ('rsa','ec')),"
	 " auth_json TEXT,"
	 " created INTEGER NOT NULL,"
	 " key_gen INTEGER NOT NULL DEFAULT 0);"
	 "CREATE TABLE keys ("
	 " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " provider TEXT NOT NULL REFERENCES providers(name),"
	 " kid TEXT NOT NULL,"
	 " alg TEXT NOT NULL,"
	 " wrapped BLOB NOT NULL,"
	 " cert_pem TEXT NOT NULL,"
	 " created INTEGER NOT NULL,"
	 " retired_at INTEGER NOT NULL DEFAULT 0,"
	 " active INTEGER NOT NULL DEFAULT 0,"
	 " UNIQUE (provider, kid));"
	 "CREATE TABLE policies ("
	 " provider TEXT NOT NULL REFERENCES providers(name),"
	 " type TEXT NOT NULL,"
	 " jws TEXT NOT NULL,"
	 " hash TEXT NOT NULL,"
	 " updated INTEGER NOT NULL,"
	 " PRIMARY KEY (provider, type));"
	 "CREATE TABLE policy_certs ("
	 " provider TEXT NOT NULL REFERENCES providers(name),"
	 " thumbprint TEXT NOT NULL,"
	 " der BLOB NOT NULL,"
	 " added INTEGER NOT NULL,"
	 " PRIMARY KEY (provider, thumbprint));"
	 "CREATE TABLE audit_log ("
	 " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " provider TEXT NOT NULL,"
	 " time INTEGER NOT NULL,"
	 " actor TEXT,"
	 " action TEXT NOT NULL,"
	 " type TEXT,"
	 " old_hash TEXT,"
	 " new_hash TEXT);"
	 "CREATE TABLE collateral_cache ("
	 " key TEXT PRIMARY KEY,"
	 " body BLOB NOT NULL,"
	 " fetched INTEGER NOT NULL,"
	 " next_update INTEGER NOT NULL);"},
	{2,
	 "CREATE INDEX keys_by_provider ON keys(provider, id);"
	 "CREATE INDEX audit_by_provider ON audit_log(provider, id);"},
	/* The binding iat of the last change (PUT or reset) of each
	 * provider's policy of a type: strict binding's rollback check
	 * (docs/policy-management.md). A reset deletes the policy row but
	 * keeps its iat here. */
	{3,
	 "CREATE TABLE policy_iat ("
	 " provider TEXT NOT NULL,"
	 " type TEXT NOT NULL,"
	 " iat INTEGER NOT NULL,"
	 " PRIMARY KEY (provider, type));"},
	/* TPM state (docs/tpm.md), formerly files under DATA_DIR/tpm/NAME/
	 * and, for the used contexts, process memory. Keys are wrapped
	 * under the master key as before; tpm_imports records each merge
	 * of a pre-store directory. */
	{4,
	 "CREATE TABLE tpm_settings ("
	 " provider TEXT PRIMARY KEY REFERENCES providers(name),"
	 " json TEXT NOT NULL,"
	 " updated INTEGER NOT NULL);"
	 "CREATE TABLE tpm_certs ("
	 " provider TEXT NOT NULL REFERENCES providers(name),"
	 " kind TEXT NOT NULL CHECK (kind IN"
	 " ('ek-roots','ek-intermediates','aik-roots')),"
	 " name TEXT NOT NULL,"
	 " pem TEXT NOT NULL,"
	 " added INTEGER NOT NULL,"
	 " PRIMARY KEY (provider, kind, name));"
	 "CREATE TABLE tpm_aik_ca ("
	 " provider TEXT PRIMARY KEY REFERENCES providers(name),"
	 " wrapped BLOB NOT NULL,"
	 " cert_pem TEXT NOT NULL,"
	 " created INTEGER NOT NULL);"
	 "CREATE TABLE tpm_enrolments ("
	 " provider TEXT NOT NULL REFERENCES providers(name),"
	 " aik_name TEXT NOT NULL,"
	 " ek_cert_sha256 TEXT,"
	 " aik_cert_sha256 TEXT NOT NULL,"
	 " enrolled_at INTEGER NOT NULL,"
	 " PRIMARY KEY (provider, aik_name));"
	 "CREATE TABLE tpm_ctx_keys ("
	 " provider TEXT PRIMARY KEY REFERENCES providers(name),"
	 " wrapped BLOB NOT NULL,"
	 " created INTEGER NOT NULL);"
	 "CREATE TABLE tpm_used_contexts ("
	 " provider TEXT NOT NULL,"
	 " id BLOB NOT NULL,"
	 " exp INTEGER NOT NULL,"
	 " PRIMARY KEY (provider, id));"
	 "CREATE INDEX tpm_used_by_exp ON tpm_used_contexts(exp);"
	 "CREATE TABLE tpm_imports ("
	 " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " provider TEXT NOT NULL,"
	 " source TEXT NOT NULL,"
	 " imported_at INTEGER NOT NULL);"},
	/* The store's change version (docs/deployment.md, "Cache
	 * coherence"): one row whose version every write of cached content
	 * (providers, keys, policies and their binding iat, policy
	 * certificates, TPM settings and trust certificates) bumps inside
	 * its own transaction, by triggers; caches compare it instead of
	 * re-reading rows. */
	{5,
	 "CREATE TABLE changes ("
	 " id INTEGER PRIMARY KEY CHECK (id = 1),"
	 " version INTEGER NOT NULL);"
	 "INSERT INTO changes(id, version) VALUES (1, 0);"
	 TRIG("providers", "INSERT")
	 TRIG("providers", "UPDATE")
	 TRIG("providers", "DELETE")
	 TRIG("keys", "INSERT")
	 TRIG("keys", "UPDATE")
	 TRIG("keys", "DELETE")
	 TRIG("policies", "INSERT")
	 TRIG("policies", "UPDATE")
	 TRIG("policies", "DELETE")
	 TRIG("policy_iat", "INSERT")
	 TRIG("policy_iat", "UPDATE")
	 TRIG("policy_iat", "DELETE")
	 TRIG("policy_certs", "INSERT")
	 TRIG("policy_certs", "UPDATE")
	 TRIG("policy_certs", "DELETE")
	 TRIG("tpm_settings", "INSERT")
	 TRIG("tpm_settings", "UPDATE")
	 TRIG("tpm_settings", "DELETE")
	 TRIG("tpm_certs", "INSERT")
	 TRIG("tpm_certs", "UPDATE")
	 TRIG("tpm_certs", "DELETE")
	},
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

int att_sq_latest_version(void)
{
	return migrations[N_MIGRATIONS - 1].version;
}

int att_sq_version(sqlite3 *db, int *out, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_prepare(db, &st, "SELECT max(version) FROM schema_version",
			       d);
	if (r)
		return r;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		r = 0;
	} else {
		r = att_sq_err(db, rc, "read schema_version", d);
	}
	sqlite3_finalize(st);
	return r;
}

static int apply(sqlite3 *db, const struct migration *m, struct att_diag *d)
{
	sqlite3_stmt *st = NULL;
	int r = att_sq_begin(db, d);
	if (r)
		return r;
	/* Re-check inside the write transaction: another process may have
	 * migrated between our read and our BEGIN IMMEDIATE. */
	int cur = 0;
	if ((r = att_sq_version(db, &cur, d)) != 0)
		goto out;
	if (cur >= m->version)
		goto out;
	if ((r = att_sq_exec(db, m->sql, d)) != 0)
		goto out;
	if ((r = att_sq_prepare(db, &st,
				"INSERT INTO schema_version(version, applied)"
				" VALUES (?, strftime('%s','now'))",
				d)) != 0)
		goto out;
	sqlite3_bind_int(st, 1, m->version);
	r = att_sq_step_done(db, st, "record schema version", d);
out:
	sqlite3_finalize(st);
	if (r) {
		att_sq_rollback(db);
		return att_diag_set(d, r, "store: migration %d failed",
				    m->version);
	}
	return att_sq_commit(db, d);
}

int att_sq_migrate(sqlite3 *db, struct att_diag *d)
{
	int r = att_sq_exec(db,
			    "CREATE TABLE IF NOT EXISTS schema_version ("
			    " version INTEGER PRIMARY KEY,"
			    " applied INTEGER NOT NULL)",
			    d);
	if (r)
		return r;
	int cur = 0;
	if ((r = att_sq_version(db, &cur, d)) != 0)
		return r;
	if (cur > att_sq_latest_version())
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "store: database schema version %d is newer "
				    "than this attestd (%d)",
				    cur, att_sq_latest_version());
	for (size_t i = 0; i < N_MIGRATIONS; i++) {
		if (migrations[i].version <= cur)
			continue;
		if ((r = apply(db, &migrations[i], d)) != 0)
			return r;
	}
	return 0;
}
