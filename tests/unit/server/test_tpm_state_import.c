/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the TPM state's import from the file layout of earlier
 * versions (att_tpm_state_import, api_tpm_import.c) into a real SQLite
 * store: settings, a PEM and a DER certificate (stored as PEM), the AIK
 * CA blob byte for byte, an enrolment record; the directory moved to
 * tpm.migrated/; a directory of no provider left alone; a broken record
 * refuses the whole directory (nothing imported, nothing moved); and the
 * settings as the server reads them (defaults, unknown member, range,
 * size). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "harness/tap.h"
#include "server/api_tpm.h"
#include "store/store.h"

static char dir[] = "/tmp/att-tpm-import-XXXXXX";

static void put(const char *rel, const void *data, size_t len)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "wb");
	ATT_CHECK(f && fwrite(data, 1, len, f) == len, "write %s", rel);
	if (f)
		fclose(f);
}

static void puts_(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static void mk(const char *rel)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	mkdir(p, 0700);
}

static bool exists(const char *rel)
{
	char p[1024];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return stat(p, &st) == 0;
}

static void copy_vector(const char *vec, const char *rel)
{
	char p[1024];
	size_t len = 0;
	snprintf(p, sizeof(p), "%s/%s", att_testdata(), vec);
	unsigned char *b = att_read_file(p, &len);
	ATT_CHECK(b != NULL, "read %s", p);
	if (b)
		put(rel, b, len);
	free(b);
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

static const uint8_t blob[] = {0x41, 0x57, 0x00, 0xff, 0x10, 0x00, 0x7f};

static void old_layout(const char *p, bool broken)
{
	char rel[256];
	mk("tpm");
	snprintf(rel, sizeof(rel), "tpm/%s", p);
	mk(rel);
	const char *kinds[] = {"ek-roots", "ek-intermediates", "aik-roots",
			       "enrolled"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(rel, sizeof(rel), "tpm/%s/%s", p, kinds[i]);
		mk(rel);
	}
	snprintf(rel, sizeof(rel), "tpm/%s/settings.json", p);
	puts_(rel, "{\n  \"require_bearer\": false\n}");
	snprintf(rel, sizeof(rel), "tpm/%s/ek-roots/gce.cer", p);
	copy_vector("tpm/ca/gce_tpm_ek_root_1.cer", rel);
	snprintf(rel, sizeof(rel), "tpm/%s/aik-roots/vcek.pem", p);
	copy_vector("tpm/quotes/azure_snp_vtpm/vcek.pem", rel);
	snprintf(rel, sizeof(rel), "tpm/%s/ek-roots/README", p);
	puts_(rel, "not a certificate"); /* not *.pem/.crt/.cer: skipped */
	snprintf(rel, sizeof(rel), "tpm/%s/aik-ca.key", p);
	put(rel, blob, sizeof(blob));
	snprintf(rel, sizeof(rel), "tpm/%s/aik-ca.crt", p);
	puts_(rel, "CA-PEM");
	snprintf(rel, sizeof(rel), "tpm/%s/enrolled/000b0102.json", p);
	const char *rec = broken ? "{\"aik_name\":\"000b0102\"}"
				 : "{\"aik_name\":\"000b0102\",\"aik_cert_"
				   "sha256\":\"ab\",\"enrolled_at\":42}";
	put(rel, rec, strlen(rec));
}

static void test_import(struct att_store *s)
{
	struct att_diag d = {0};
	size_t n = 99;
	old_layout("p", false);
	old_layout("bad", true);
	mk("tpm/ghost");
	puts_("tpm/ghost/settings.json", "{}");

	/* "bad" has a record without aik_cert_sha256: refused as a whole. */
	int r = att_tpm_state_import(s, dir, 1000, &n, &d);
	ATT_CHECK(r == ATT_ERR_FORMAT, "a broken record refuses its import (%d)",
		  r);
	ATT_CHECK(strstr(d.msg, "tpm/bad") && strstr(d.msg, "000b0102.json"),
		  "the message names the directory and the file: %s", d.msg);
	ATT_CHECK(exists("tpm/bad/aik-ca.key"), "tpm/bad stays in place");
	char *j = NULL;
	ATT_CHECK_EQ_INT(att_store_tpm_settings_get(s, "bad", &j, &d),
			 ATT_ERR_NOT_FOUND);
	struct att_store_tpm_ca ca = {0};
	ATT_CHECK_EQ_INT(att_store_tpm_ca_get(s, "bad", &ca, &d),
			 ATT_ERR_NOT_FOUND);

	/* Repaired, everything imports. */
	puts_("tpm/bad/enrolled/000b0102.json",
	      "{\"aik_cert_sha256\":\"cd\",\"enrolled_at\":1}");
	memset(&d, 0, sizeof(d));
	ATT_CHECK_EQ_INT(att_tpm_state_import(s, dir, 1000, &n, &d), 0);
	ATT_CHECK(n == 1 || n == 2, "directories imported: %zu", n);
	ATT_CHECK(!exists("tpm/p") && exists("tpm.migrated/p/aik-ca.key"),
		  "tpm/p moved to tpm.migrated/p");
	ATT_CHECK(exists("tpm/ghost/settings.json"),
		  "a directory of no provider is left alone");

	ATT_CHECK_EQ_INT(att_store_tpm_settings_get(s, "p", &j, &d), 0);
	ATT_CHECK(j && strstr(j, "\"require_bearer\": false"), "settings: %s",
		  j ? j : "(none)");
	free(j);
	struct att_tpm_settings st;
	ATT_CHECK_EQ_INT(att_tpm_settings_load(&st, s, "p", &d), 0);
	ATT_CHECK(!st.require_bearer && st.context_ttl == 300,
		  "settings as the server reads them");

	ATT_CHECK_EQ_INT(att_store_tpm_ca_get(s, "p", &ca, &d), 0);
	ATT_CHECK(ca.wrapped_len == sizeof(blob) && ca.wrapped &&
		      !memcmp(ca.wrapped, blob, sizeof(blob)),
		  "the wrapped AIK CA key byte for byte (NUL bytes too)");
	ATT_CHECK_EQ_STR(ca.cert_pem ? ca.cert_pem : "", "CA-PEM");
	att_store_tpm_ca_release(&ca);

	char *pem = NULL;
	size_t len = 0;
	ATT_CHECK_EQ_INT(att_tpm_read_pems(&pem, &len, s, "p", "ek-roots", &d),
			 0);
	ATT_CHECK(pem && strstr(pem, "-----BEGIN CERTIFICATE-----") &&
		      !strstr(pem, "not a certificate"),
		  "the DER root is stored as PEM, the README skipped");
	free(pem);
	ATT_CHECK_EQ_INT(att_tpm_read_pems(&pem, &len, s, "p", "aik-roots", &d),
			 0);
	ATT_CHECK(pem && strstr(pem, "-----BEGIN CERTIFICATE-----"),
		  "the PEM AIK root");
	free(pem);
	ATT_CHECK_EQ_INT(att_tpm_read_pems(&pem, &len, s, "p",
					   "ek-intermediates", &d),
			 0);
	ATT_CHECK(pem == NULL && len == 0, "no intermediates: none");

	struct att_store_tpm_enrolment e = {0};
	ATT_CHECK_EQ_INT(att_store_tpm_enrol_get(s, "p", "000b0102", &e, &d),
			 0);
	ATT_CHECK_EQ_STR(e.aik_cert_sha256 ? e.aik_cert_sha256 : "", "ab");
	ATT_CHECK_EQ_INT(e.enrolled_at, 42);
	att_store_tpm_enrolment_release(&e);

	/* Nothing left to import: a no-op. */
	ATT_CHECK_EQ_INT(att_tpm_state_import(s, dir, 1001, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 0);
}

static void test_settings(void)
{
	struct att_tpm_settings s;
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_tpm_settings_parse(&s, NULL, 0, &d), 0);
	ATT_CHECK(s.require_bearer && !s.allow_ek_without_cert &&
		      s.context_ttl == 300 && s.aik_cert_days == 365,
		  "defaults");
	const char *unk = "{\"require_bearer\":true,\"nope\":1}";
	ATT_CHECK_EQ_INT(att_tpm_settings_parse(&s, unk, strlen(unk), &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK(strstr(d.msg, "nope") != NULL, "names the member: %s",
		  d.msg);
	memset(&d, 0, sizeof(d));
	const char *rng = "{\"context_ttl_seconds\":0}";
	ATT_CHECK_EQ_INT(att_tpm_settings_parse(&s, rng, strlen(rng), &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK(strstr(d.msg, "context_ttl_seconds") != NULL, "%s", d.msg);
	memset(&d, 0, sizeof(d));
	char big[ATT_TPM_MAX_SETTINGS_LEN + 2];
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = 0;
	ATT_CHECK_EQ_INT(att_tpm_settings_parse(&s, big, strlen(big), &d),
			 ATT_ERR_LIMIT);
	ATT_CHECK(strstr(d.msg, "ATT_TPM_MAX_SETTINGS_LEN") != NULL, "%s",
		  d.msg);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	if (!mkdtemp(dir)) {
		printf("mkdtemp failed\n");
		return 1;
	}
	char path[600];
	snprintf(path, sizeof(path), "%s/attestd.db", dir);
	struct att_store *s = NULL;
	struct att_diag d = {0};
	ATT_CHECK_EQ_INT(att_store_open_sqlite(&s, path, &d), 0);
	if (s) {
		add_provider(s, "p");
		add_provider(s, "bad");
		test_import(s);
		att_store_close(s);
	}
	test_settings();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	return att_test_done();
}
