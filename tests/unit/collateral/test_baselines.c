/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the TCB baselines listing (collateral/service.h,
 * att_collateral_svc_baselines, GET /tcbbaselines/{type}): TCB Info items
 * of tests/vectors imported into a memory-only service (the collateral
 * module's in-memory store and its collateral_list) and into a SQLite
 * store, folded by tcbEvaluationDataNumber, highest first, with the
 * latest issueDate, the earliest nextUpdate and the latest tcbDate of the
 * items carrying each number (values read from the vector files); SGX and
 * TDX apart; QE Identities are not TCB Infos; a replaced item is counted
 * once; `max` keeps the highest numbers; a damaged row fails naming its
 * key. */
#include "collateral/items.h"
#include "collateral/service.h"
#include "col_test.h"
#include "store/store.h"

static struct att_collateral_svc *mem_svc(void)
{
	struct att_collateral_opts o = {0};
	struct att_collateral_svc *s = NULL;
	struct att_diag d = {0};
	int rc = att_collateral_svc_new(&s, &o, &d);
	ATT_CHECK(rc == 0, "svc_new: %s", att_diag_msg(&d));
	return s;
}

static int imp(struct att_collateral_svc *s, const char *rel)
{
	struct att_diag d = {0};
	int rc = att_collateral_svc_import(s, td_path(rel), 0, NULL, &d);
	ATT_CHECK(rc == 0, "import %s: %s", rel, att_diag_msg(&d));
	return rc;
}

static void check_one(const struct att_tcb_baseline *b, uint32_t num,
		      const char *issue, const char *next, const char *rec,
		      size_t items)
{
	ATT_CHECK(b->eval_num == num, "number %u, want %u", b->eval_num, num);
	ATT_CHECK(b->issue_date == t_of(issue), "%u: issueDate", num);
	ATT_CHECK(b->next_update == t_of(next), "%u: nextUpdate", num);
	ATT_CHECK(b->recovery_date == t_of(rec), "%u: recovery date", num);
	ATT_CHECK(b->n_items == items, "%u: %zu items, want %zu", num,
		  b->n_items, items);
}

static void test_memory(void)
{
	struct att_collateral_svc *s = mem_svc();
	struct att_tcb_baseline b[8];
	struct att_diag d = {0};
	size_t n = 99;
	if (!s)
		return;
	ATT_CHECK_EQ_INT(att_collateral_svc_baselines(s, ATT_DCAP_TEE_SGX, b,
						      8, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 0);
	imp(s, "sgx/collateral/mobilecoin/fmspc_00906ED50000_2023_07_12.json");
	imp(s, "sgx/collateral/automata_0825/sgx_tcbinfov3_00606a000000.json");
	imp(s, "sgx/collateral/mobilecoin/qe_identity.json");
	imp(s, "tdx/collateral/dcaprs/tcbinfov3_00806f050000.json");
	imp(s, "tdx/collateral/gotdxguest/sample_tcbinfo_response_v5.json");

	ATT_CHECK_EQ_INT(att_collateral_svc_baselines(s, ATT_DCAP_TEE_SGX, b,
						      8, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 2);
	if (n == 2) {
		check_one(&b[0], 17, "2025-08-15T05:08:18Z",
			  "2025-09-14T05:08:18Z", "2024-03-13T00:00:00Z", 1);
		check_one(&b[1], 15, "2023-07-12T19:56:44Z",
			  "2023-08-11T19:56:44Z", "2023-02-15T00:00:00Z", 1);
	}
	ATT_CHECK_EQ_INT(att_collateral_svc_baselines(s, ATT_DCAP_TEE_TDX, b,
						      8, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 2);
	if (n == 2) {
		check_one(&b[0], 18, "2026-02-01T14:49:26Z",
			  "2026-03-03T14:49:26Z", "2024-11-13T00:00:00Z", 1);
		check_one(&b[1], 17, "2025-02-13T03:50:41Z",
			  "2025-03-15T03:50:41Z", "2024-03-13T00:00:00Z", 1);
	}
	/* max 1 keeps the highest */
	ATT_CHECK_EQ_INT(att_collateral_svc_baselines(s, ATT_DCAP_TEE_TDX, b,
						      1, &n, &d), 0);
	ATT_CHECK(n == 1 && b[0].eval_num == 18, "max 1: the highest");
	/* The 2025-06 TCB Info of FMSPC 90C06F000000 (number 17) replaces
	 * the number-18 one of the same FMSPC: 17 now has two items. */
	imp(s, "tdx/collateral/automata_0625/tcbinfov3_90C06F000000.json");
	ATT_CHECK_EQ_INT(att_collateral_svc_baselines(s, ATT_DCAP_TEE_TDX, b,
						      8, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 1);
	if (n == 1)
		check_one(&b[0], 17, "2025-06-05T03:43:45Z",
			  "2025-03-15T03:50:41Z", "2024-03-13T00:00:00Z", 2);
	att_collateral_svc_free(s);
}

static void test_sqlite_and_damage(void)
{
	char *dir = tmp_dir("baselines");
	char p[512];
	struct att_store *st = NULL;
	struct att_diag d = {0};
	struct att_tcb_baseline b[8];
	size_t n = 0;
	snprintf(p, sizeof(p), "%s/attestd.db", dir);
	ATT_CHECK_EQ_INT(att_store_open_sqlite(&st, p, &d), 0);
	if (!st)
		return;
	ATT_CHECK_EQ_INT(att_collateral_import_path(
				 st, td_path("sgx/collateral/mobilecoin/"
					     "fmspc_00906ED50000_2023_07_12.json"),
				 &d),
			 0);
	ATT_CHECK_EQ_INT(att_collateral_baselines(st, ATT_DCAP_TEE_SGX, b, 8,
						  &n, &d), 0);
	ATT_CHECK(n == 1 && b[0].eval_num == 15, "sqlite: one baseline, 15");
	ATT_CHECK_EQ_INT(att_collateral_baselines(st, ATT_DCAP_TEE_TDX, b, 8,
						  &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 0);
	/* a damaged row: not an item envelope */
	struct att_store_collateral bad = {
		.key = "dcap/tcbinfo/sgx/00A067110000",
		.body = (uint8_t *)"{\"v\":1}", .body_len = 7,
	};
	ATT_CHECK_EQ_INT(att_store_collateral_put(st, &bad, &d), 0);
	att_diag_clear(&d);
	int rc = att_collateral_baselines(st, ATT_DCAP_TEE_SGX, b, 8, &n, &d);
	ATT_CHECK(rc == ATT_ERR_FORMAT && n == 0, "damaged row: %d", rc);
	ATT_CHECK(strstr(att_diag_msg(&d), "00A067110000") != NULL,
		  "names the row: %s", att_diag_msg(&d));
	/* an envelope of the right kind whose TCB Info does not parse */
	const char *env = "{\"v\":1,\"kind\":\"tcb_info\",\"enc\":\"text\","
			  "\"body\":\"{\\\"tcbInfo\\\":{}}\"}";
	bad.body = (uint8_t *)env;
	bad.body_len = strlen(env);
	ATT_CHECK_EQ_INT(att_store_collateral_put(st, &bad, &d), 0);
	att_diag_clear(&d);
	rc = att_collateral_baselines(st, ATT_DCAP_TEE_SGX, b, 8, &n, &d);
	ATT_CHECK(rc < 0 && n == 0, "unparsable TCB Info: %d", rc);
	ATT_CHECK(strstr(att_diag_msg(&d), "00A067110000") != NULL,
		  "names the row: %s", att_diag_msg(&d));
	att_store_close(st);
	rm_tree(dir);
}

int main(void)
{
	test_memory();
	test_sqlite_and_damage();
	return att_test_done();
}
