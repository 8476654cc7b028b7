/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offline collateral: every case of testdata sgx/cases.json and
 * tdx/cases.json is imported into a fresh SQLite store (the dcap-qvl
 * bundle, or the case's separate PCS-format files one by one), then
 * att_collateral_get for the case's quote at its verify_at time must
 * return collateral with which att_dcap_verify gives the expected status
 * (or "TCB level not found" for the NO_MATCHING_TCB_LEVEL cases); the
 * stale-CRL case must fail with the expired CRL named. Also: the warm
 * path hands out the same parsed set without touching the store, rows
 * persist (key, fetched, next_update) across service instances,
 * directory import skips what is not collateral (keys, certificates,
 * text) and recognises CRLs in DER, PEM and hex, a malformed file fails
 * the whole import and stores nothing, and offline misses and expiry
 * give errors that name the item.
 */
#include <pthread.h>

#include "codec/b64.h"
#include "collateral/service.h"
#include "col_test.h"
#include "evidence/sgx/verify.h"
#include "store/store.h"

static struct att_dcap_trust *intel;

static struct att_store *open_store(const char *dir, const char *name)
{
	char p[512];
	struct att_store *st = NULL;
	struct att_diag d = {0};
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int rc = att_store_open_sqlite(&st, p, &d);
	ATT_CHECK(rc == 0, "open store %s: %s", p, att_diag_msg(&d));
	return st;
}

static struct att_collateral_svc *offline_svc(struct att_store *st)
{
	struct att_collateral_opts o = {.store = st};
	struct att_collateral_svc *s = NULL;
	struct att_diag d = {0};
	int rc = att_collateral_svc_new(&s, &o, &d);
	ATT_CHECK(rc == 0, "svc_new: %s", att_diag_msg(&d));
	return s;
}

static int import_case(struct att_store *st, json_t *c, struct att_diag *d)
{
	const char *keys[] = {"tcb_info", "qe_identity", "tcb_chain", "pck_crl",
			      "root_crl"};
	if (jstr(c, "bundle"))
		return att_collateral_import_path(st, td_path(jstr(c, "bundle")),
						  d);
	for (size_t i = 0; i < 5; i++) {
		int rc = att_collateral_import_path(st, td_path(jstr(c, keys[i])),
						    d);
		if (rc)
			return rc;
	}
	return 0;
}

static void check_verify(json_t *c, const uint8_t *q, size_t qlen,
			 const struct att_dcap_collateral *col, int64_t at)
{
	const char *id = jstr(c, "id");
	const char *want = jstr(json_object_get(c, "expected"), "status");
	struct att_dcap_result r;
	struct att_diag d = {0};
	int rc = att_dcap_verify(&r, q, qlen, col, intel, NULL, at, &d);
	if (strncmp(want, "NO_MATCHING_TCB_LEVEL", 21) == 0) {
		ATT_CHECK(rc == ATT_ERR_TCB_NOT_FOUND, "%s: rc %d (%s)", id, rc,
			  att_diag_msg(&d));
		return;
	}
	ATT_CHECK(rc == 0, "%s: verify: %s", id, att_diag_msg(&d));
	if (rc == 0)
		ATT_CHECK_EQ_STR(att_tcb_status_name(r.tcb_status), want);
}

/* The stale-CRL case: the service refuses, naming the CRL; with
 * serve_expired it hands the set out (the verifier then decides). */
static void check_stale_case(struct att_store *st, json_t *c,
			     const uint8_t *q, size_t qlen, int64_t at)
{
	struct att_collateral_opts o = {.store = st, .serve_expired = true};
	struct att_collateral_svc *s = offline_svc(st), *lenient = NULL;
	const struct att_dcap_collateral *col = NULL;
	struct att_diag d = {0};
	int rc = att_collateral_get(s, q, qlen, 0, at, &col, &d);
	ATT_CHECK(rc == ATT_ERR_EXPIRED, "%s: rc %d", jstr(c, "id"), rc);
	ATT_CHECK(strstr(d.msg, "PCK CRL (processor CA) expired at "
			 "2023-05-21T22:00:36Z") != NULL, "msg: %s", d.msg);
	att_collateral_svc_free(s);
	att_diag_clear(&d);
	ATT_CHECK(att_collateral_svc_new(&lenient, &o, &d) == 0, "lenient");
	rc = att_collateral_get(lenient, q, qlen, 0, at, &col, &d);
	ATT_CHECK(rc == 0 && col, "serve_expired: %s", att_diag_msg(&d));
	att_collateral_release(lenient, col);
	att_collateral_svc_free(lenient);
}

static void get_and_verify(struct att_store *st, json_t *c, const uint8_t *q,
			   size_t qlen, int64_t at)
{
	const char *id = jstr(c, "id");
	struct att_collateral_svc *s = offline_svc(st);
	const struct att_dcap_collateral *col = NULL, *again = NULL;
	struct att_collateral_stats stats;
	struct att_diag d = {0};
	int rc = att_collateral_get(s, q, qlen, 0, at, &col, &d);
	ATT_CHECK(rc == 0 && col, "%s: get: %s", id, att_diag_msg(&d));
	if (rc == 0) {
		check_verify(c, q, qlen, col, at);
		rc = att_collateral_get(s, q, qlen, 0, at, &again, &d);
		ATT_CHECK(rc == 0 && again == col, "%s: warm get", id);
	}
	att_collateral_stats(s, &stats);
	ATT_CHECK(stats.hits == 1 && stats.misses == 1 && stats.fetches == 0,
		  "%s: hits %llu misses %llu", id,
		  (unsigned long long)stats.hits,
		  (unsigned long long)stats.misses);
	att_collateral_release(s, again);
	att_collateral_release(s, col);
	att_collateral_svc_free(s);
}

/* strip_tail: a case whose quote carries non-zero trailing bytes (the
 * SPR_E4 sample, 39 ASCII bytes appended by its source) is refused by the
 * quote parser, naming them; the case is then run on the quote without
 * them (docs/dcap-verifier.md). */
static size_t strip_tail(json_t *c, struct att_store *st, const uint8_t *q,
			 size_t qlen, int64_t at)
{
	json_t *f = json_object_get(c, "fields");
	size_t tb = (size_t)json_integer_value(
		json_object_get(f, "trailing_bytes"));
	size_t i = qlen - (tb < qlen ? tb : qlen);
	while (i < qlen && q[i] == 0)
		i++;
	if (i == qlen)
		return qlen;
	struct att_collateral_svc *s = offline_svc(st);
	const struct att_dcap_collateral *col = NULL;
	struct att_diag d = {0};
	int rc = att_collateral_get(s, q, qlen, 0, at, &col, &d);
	ATT_CHECK(rc == ATT_ERR_TRAILING && strstr(d.msg, "not zero padding"),
		  "%s: rc %d: %s", jstr(c, "id"), rc, d.msg);
	att_collateral_release(s, col);
	att_collateral_svc_free(s);
	return qlen - tb;
}

static void run_case(json_t *c, const char *dir)
{
	const char *id = jstr(c, "id");
	size_t qlen = 0;
	uint8_t *q = td_quote(jstr(c, "quote"), jstr(c, "enc"), &qlen);
	int64_t at = jtime(c, "verify_at");
	struct att_diag d = {0};
	char name[128];
	snprintf(name, sizeof(name), "%s.db", id);
	struct att_store *st = open_store(dir, name);
	int rc = st ? import_case(st, c, &d) : ATT_ERR_STORE;
	ATT_CHECK(q && rc == 0, "%s: import: %s", id, att_diag_msg(&d));
	if (q && rc == 0) {
		qlen = strip_tail(c, st, q, qlen, at);
		if (json_is_true(json_object_get(c, "verify_at_inside_window")))
			get_and_verify(st, c, q, qlen, at);
		else
			check_stale_case(st, c, q, qlen, at);
	}
	att_store_close(st);
	free(q);
}

static void test_all_cases(const char *dir)
{
	const char *cats[] = {"sgx", "tdx"};
	for (size_t k = 0; k < 2; k++) {
		json_t *cases = load_cases(cats[k]), *c;
		size_t i;
		ATT_CHECK(json_array_size(cases) > 0, "%s cases", cats[k]);
		json_array_foreach(cases, i, c)
			run_case(c, dir);
		json_decref(cases);
	}
}

/* Rows persist with key, fetch time and next_update; a second service
 * on the same store serves them without any import. */
static void test_persistence(const char *dir)
{
	json_t *c = find_case("sgx", "sgx_automata_v3_0825");
	struct att_store *st = open_store(dir, "persist.db");
	struct att_store_collateral row = {0};
	struct att_collateral_import_report rep;
	struct att_diag d = {0};
	int64_t now = t_of("2025-08-15T06:00:00Z");
	size_t qlen = 0;
	uint8_t *q = td_quote(jstr(c, "quote"), jstr(c, "enc"), &qlen);
	int rc = att_collateral_import_path_ex(st, td_path(jstr(c, "tcb_info")),
					       now, &rep, &d);
	ATT_CHECK(rc == 0 && rep.items == 1 && rep.files == 1, "import: %s",
		  att_diag_msg(&d));
	rc = att_store_collateral_get(st, "dcap/tcbinfo/sgx/00606A000000", &row,
				      &d);
	ATT_CHECK(rc == 0, "row: %s", att_diag_msg(&d));
	ATT_CHECK(row.fetched == now, "fetched %lld", (long long)row.fetched);
	ATT_CHECK(row.next_update == t_of("2025-09-14T05:08:18Z"), "next %lld",
		  (long long)row.next_update);
	att_store_collateral_release(&row);
	const char *rest[] = {"qe_identity", "tcb_chain", "pck_crl", "root_crl"};
	for (size_t i = 0; i < 4; i++)
		ATT_CHECK(att_collateral_import_path(st, td_path(jstr(c, rest[i])),
						     &d) == 0, "%s", rest[i]);
	att_store_close(st);
	st = open_store(dir, "persist.db");
	struct att_collateral_svc *s = offline_svc(st);
	const struct att_dcap_collateral *col = NULL;
	struct att_collateral_info info;
	rc = att_collateral_get(s, q, qlen, 0, jtime(c, "verify_at"), &col, &d);
	ATT_CHECK(rc == 0, "reopened: %s", att_diag_msg(&d));
	if (rc == 0) {
		check_verify(c, q, qlen, col, jtime(c, "verify_at"));
		ATT_CHECK(att_collateral_get_info(s, col, &info) == 0, "info");
		ATT_CHECK_EQ_STR(info.key, "sgx/00606A000000/platform");
		/* earliest: QE Identity 2025-09-14T04:36:46Z */
		ATT_CHECK(info.valid_until == t_of("2025-09-14T04:36:46Z"),
			  "valid_until %lld", (long long)info.valid_until);
		ATT_CHECK_EQ_STR(info.valid_until_item, "QE Identity (sgx)");
	}
	/* the set outlives the cache entry until released */
	att_collateral_svc_invalidate(s);
	if (rc == 0)
		ATT_CHECK(att_dcap_collateral_tcb_info(col)->n_levels > 0,
			  "set alive after invalidate");
	att_collateral_release(s, col);
	/* offline errors name the item */
	att_diag_clear(&d);
	rc = att_collateral_get(s, q, qlen, 0, t_of("2025-10-01T00:00:00Z"),
				&col, &d);
	ATT_CHECK(rc == ATT_ERR_EXPIRED, "expired rc %d", rc);
	ATT_CHECK(strstr(d.msg, "TCB Info (sgx, FMSPC 00606A000000) expired "
			 "at 2025-09-14T05:08:18Z") != NULL, "msg: %s", d.msg);
	att_collateral_svc_free(s);
	att_store_close(st);
	free(q);
	json_decref(c);
}

static int write_pem_crl(const char *tree, const char *rel, const char *der_path)
{
	size_t n = 0;
	uint8_t *der = att_read_file(der_path, &n);
	char *b64 = der ? att_b64_encode(der, n) : NULL;
	if (!b64) {
		free(der);
		return -1;
	}
	size_t bl = strlen(b64), cap = bl + bl / 64 + 128, k = 0;
	char *pem = malloc(cap);
	k += (size_t)snprintf(pem + k, cap - k, "-----BEGIN X509 CRL-----\n");
	for (size_t i = 0; i < bl; i += 64)
		k += (size_t)snprintf(pem + k, cap - k, "%.64s\n", b64 + i);
	k += (size_t)snprintf(pem + k, cap - k, "-----END X509 CRL-----\n");
	int rc = write_file(tree, rel, pem, k);
	free(pem);
	free(b64);
	free(der);
	return rc;
}

static int write_hex_crl(const char *tree, const char *rel, const char *der_path)
{
	size_t n = 0;
	uint8_t *der = att_read_file(der_path, &n);
	char *hex = der ? att_hex_encode_alloc(der, n) : NULL;
	int rc = hex ? 0 : -1;
	if (hex) {
		size_t hl = strlen(hex);
		char *line = malloc(hl + 2);
		if (!line) {
			free(hex);
			free(der);
			return -1;
		}
		memcpy(line, hex, hl);
		line[hl] = '\n';
		rc = write_file(tree, rel, line, hl + 1);
		free(line);
	}
	free(hex);
	free(der);
	return rc;
}

static const char junk_key[] = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49"
			       "\n-----END PRIVATE KEY-----\n";

/* A directory of mixed files: the newest item per key wins, CRLs in PEM
 * and hex are recognised, keys, lone certificates and text are skipped,
 * dot-files are not read. */
static void test_directory(const char *dir)
{
	json_t *c = find_case("sgx", "sgx_automata_v3_0825");
	char *tree = tmp_dir("tree");
	struct att_store *st = open_store(dir, "dir.db");
	struct att_collateral_import_report rep;
	struct att_store_collateral row = {0};
	struct att_diag d = {0};
	int ok = copy_file(tree, "a.json", td_path(jstr(c, "tcb_info"))) |
		 copy_file(tree, "sub/b.json", td_path(jstr(c, "qe_identity"))) |
		 copy_file(tree, "c.pem", td_path(jstr(c, "tcb_chain"))) |
		 copy_file(tree, "old_chain.pem",
			   td_path("sgx/pki/tcb_signing_chain_2018.pem")) |
		 copy_file(tree, "old_tcb.json",
			   td_path("sgx/collateral/dcaprs/tcbinfov2_00606a000000.json")) |
		 write_pem_crl(tree, "crl.pem", td_path(jstr(c, "pck_crl"))) |
		 write_hex_crl(tree, "sub/deeper/root.hex",
			       td_path(jstr(c, "root_crl"))) |
		 write_file(tree, "key.pem", junk_key, strlen(junk_key)) |
		 write_file(tree, "README", "not collateral\n", 15) |
		 write_file(tree, "manifest.json", "{\"files\":[]}", 12) |
		 copy_file(tree, "root_ca.pem", td_path("sgx/pki/intel_sgx_root_ca.pem")) |
		 write_file(tree, ".hidden.json", "{\"tcbInfo\":{}}", 14);
	ATT_CHECK(ok == 0 && tree, "tree written");
	int rc = att_collateral_import_path_ex(st, tree, 0, &rep, &d);
	ATT_CHECK(rc == 0, "import dir: %s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(rep.files, 11);
	ATT_CHECK_EQ_INT(rep.items, 5);
	ATT_CHECK_EQ_INT(rep.skipped, 4);
	rc = att_store_collateral_get(st, "dcap/tcbinfo/sgx/00606A000000", &row, &d);
	ATT_CHECK(rc == 0 && row.next_update == t_of("2025-09-14T05:08:18Z"),
		  "newest TCB Info kept");
	att_store_collateral_release(&row);
	rc = att_store_collateral_get(st, "dcap/chain/tcbsigning", &row, &d);
	ATT_CHECK(rc == 0 && row.next_update > t_of("2030-01-01T00:00:00Z"),
		  "2025 chain kept (notAfter %lld)", (long long)row.next_update);
	att_store_collateral_release(&row);
	ATT_CHECK(att_store_collateral_get(st, "dcap/pckcrl/platform", &row,
					   &d) == 0, "PEM CRL stored");
	att_store_collateral_release(&row);
	ATT_CHECK(att_store_collateral_get(st, "dcap/rootcacrl", &row, &d) == 0,
		  "hex CRL stored");
	att_store_collateral_release(&row);
	if (rc == 0) {
		size_t qlen = 0;
		uint8_t *q = td_quote(jstr(c, "quote"), jstr(c, "enc"), &qlen);
		get_and_verify(st, c, q, qlen, jtime(c, "verify_at"));
		free(q);
	}
	att_store_close(st);
	rm_tree(tree);
	json_decref(c);
}

/* A malformed collateral file fails the whole import: nothing stored. */
static void test_bad_import(const char *dir)
{
	char *tree = tmp_dir("bad");
	struct att_store *st = open_store(dir, "bad.db");
	struct att_store_collateral row = {0};
	struct att_diag d = {0};
	const char *bad = "{\"tcbInfo\":{\"version\":3},\"signature\":\"00\"}";
	copy_file(tree, "good.json",
		  td_path("sgx/collateral/automata_0825/sgx_qeidentity_v4.json"));
	write_file(tree, "x.json", bad, strlen(bad));
	int rc = att_collateral_import_path(st, tree, &d);
	ATT_CHECK(rc != 0 && rc != ATT_ERR_UNSUPPORTED, "bad dir rc %d", rc);
	ATT_CHECK(strstr(d.msg, "x.json") != NULL, "msg: %s", d.msg);
	rc = att_store_collateral_get(st, "dcap/qeidentity/sgx", &row, NULL);
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND, "nothing stored (rc %d)", rc);
	att_store_collateral_release(&row);
	char rel[4200];
	snprintf(rel, sizeof(rel), "%s/README", tree);
	write_file(tree, "README", "hello\n", 6);
	att_diag_clear(&d);
	rc = att_collateral_import_path(st, rel, &d);
	ATT_CHECK(rc == ATT_ERR_UNSUPPORTED, "single non-collateral rc %d", rc);
	ATT_CHECK(strstr(d.msg, "not DCAP collateral") != NULL, "msg: %s", d.msg);
	char *empty = tmp_dir("empty");
	att_diag_clear(&d);
	rc = att_collateral_import_path(st, empty, &d);
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND, "empty dir rc %d", rc);
	att_store_close(st);
	rm_tree(tree);
	rm_tree(empty);
}

/* A memory-only service imports into its private table. */
static void test_memory_only(void)
{
	json_t *c = find_case("sgx", "sgx_dcapqvl_v3");
	json_t *t = find_case("tdx", "tdx_dcapqvl_v4");
	struct att_collateral_svc *s = NULL;
	struct att_collateral_import_report rep;
	const struct att_dcap_collateral *col = NULL;
	struct att_collateral_stats stats;
	struct att_diag d = {0};
	size_t qlen = 0, tlen = 0;
	uint8_t *q = td_quote(jstr(c, "quote"), jstr(c, "enc"), &qlen);
	uint8_t *tq = td_quote(jstr(t, "quote"), jstr(t, "enc"), &tlen);
	ATT_CHECK(att_collateral_svc_new(&s, NULL, &d) == 0, "svc");
	int rc = att_collateral_svc_import(s, td_path(jstr(c, "bundle")), 0,
					   &rep, &d);
	ATT_CHECK(rc == 0 && rep.items >= 4, "bundle import: %s (%zu items)",
		  att_diag_msg(&d), rep.items);
	rc = att_collateral_get(s, q, qlen, 0, jtime(c, "verify_at"), &col, &d);
	ATT_CHECK(rc == 0, "get: %s", att_diag_msg(&d));
	if (rc == 0)
		check_verify(c, q, qlen, col, jtime(c, "verify_at"));
	att_collateral_release(s, col);
	att_diag_clear(&d);
	rc = att_collateral_get(s, tq, tlen, 0, jtime(t, "verify_at"), &col, &d);
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND, "tdx rc %d", rc);
	ATT_CHECK(strstr(d.msg, "no TCB Info (tdx, FMSPC") &&
		  strstr(d.msg, "attestd collateral import"), "msg: %s", d.msg);
	att_diag_clear(&d);
	rc = att_collateral_get(s, q, 100, 0, 0, &col, &d);
	ATT_CHECK(rc != 0 && col == NULL, "truncated quote rc %d", rc);
	att_collateral_stats(s, &stats);
	ATT_CHECK(stats.errors == 2 && stats.fetches == 0, "errors %llu",
		  (unsigned long long)stats.errors);
	att_collateral_svc_free(s);
	free(q);
	free(tq);
	json_decref(c);
	json_decref(t);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	char *dir = tmp_dir("import");
	if (!dir || att_dcap_trust_new_intel(&intel) != 0) {
		printf("setup failed\n");
		return 1;
	}
	test_all_cases(dir);
	test_persistence(dir);
	test_directory(dir);
	test_bad_import(dir);
	test_memory_only();
	att_dcap_trust_free(intel);
	rm_tree(dir);
	return att_test_done();
}
