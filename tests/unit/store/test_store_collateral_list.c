/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the store's collateral_list operation (SQLite, or
 * PostgreSQL with ATT_TEST_PG_URL set: tests/harness/store_backend.h):
 * a prefix selects exactly the rows whose key starts with it, sorted by
 * key, with bodies and dates as stored; '%' and '_' in a prefix are
 * literal (not LIKE wildcards); an empty prefix lists everything; no
 * match is an empty list; more than ATT_STORE_COLLATERAL_LIST_MAX rows is
 * ATT_ERR_LIMIT and returns nothing. The in-memory backend of the
 * collateral module is tested through tests/unit/collateral/
 * test_baselines.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "harness/store_backend.h"
#include "harness/tap.h"
#include "store/store.h"

static char dir[] = "/tmp/att-store-list-XXXXXX";
static char path[512];

static int put(struct att_store *s, const char *key, const char *body,
	       int64_t next)
{
	struct att_diag d = {0};
	struct att_store_collateral c = {.key = (char *)key,
					 .body = (uint8_t *)body,
					 .body_len = strlen(body),
					 .fetched = 5, .next_update = next};
	return att_store_collateral_put(s, &c, &d);
}

/* keys_of joins the listed keys with ' '. */
static void keys_of(char *out, size_t len, struct att_store_collateral *v,
		    size_t n)
{
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "",
				      v[i].key);
}

static void test_prefix(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_collateral *v = NULL;
	size_t n = 99;
	char k[512];
	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "dcap/", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 0);
	att_store_collateral_list_free(v, n);
	ATT_CHECK_EQ_INT(put(s, "dcap/tcbinfo/sgx/00906ED50000", "B", 20), 0);
	ATT_CHECK_EQ_INT(put(s, "dcap/tcbinfo/sgx/00606A000000", "A", 10), 0);
	ATT_CHECK_EQ_INT(put(s, "dcap/tcbinfo/tdx/00806F050000", "T", 30), 0);
	ATT_CHECK_EQ_INT(put(s, "dcap/qeidentity/sgx", "Q", 40), 0);
	ATT_CHECK_EQ_INT(put(s, "dcap/tcbinfo/sgxX", "X", 50), 0);
	ATT_CHECK_EQ_INT(put(s, "kds/vcek/milan/1", "V", 60), 0);

	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "dcap/tcbinfo/sgx/", &v,
						   &n, &d), 0);
	keys_of(k, sizeof(k), v, n);
	ATT_CHECK_EQ_STR(k, "dcap/tcbinfo/sgx/00606A000000 "
			    "dcap/tcbinfo/sgx/00906ED50000");
	if (n == 2) {
		ATT_CHECK(v[0].body_len == 1 && v[0].body[0] == 'A', "body 0");
		ATT_CHECK_EQ_INT(v[0].next_update, 10);
		ATT_CHECK_EQ_INT(v[1].fetched, 5);
		ATT_CHECK(v[1].body_len == 1 && v[1].body[0] == 'B', "body 1");
	}
	att_store_collateral_list_free(v, n);

	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "dcap/tcbinfo/tdx/", &v,
						   &n, &d), 0);
	keys_of(k, sizeof(k), v, n);
	ATT_CHECK_EQ_STR(k, "dcap/tcbinfo/tdx/00806F050000");
	att_store_collateral_list_free(v, n);

	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 6);
	att_store_collateral_list_free(v, n);
	ATT_CHECK_EQ_INT(att_store_collateral_list(s, NULL, &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 6);
	att_store_collateral_list_free(v, n);

	/* '%' and '_' are literal characters of the prefix */
	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "dcap/%", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 0);
	att_store_collateral_list_free(v, n);
	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "dcap_", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 0);
	att_store_collateral_list_free(v, n);
	ATT_CHECK_EQ_INT(put(s, "x%_y", "P", 1), 0);
	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "x%_", &v, &n, &d), 0);
	keys_of(k, sizeof(k), v, n);
	ATT_CHECK_EQ_STR(k, "x%_y");
	att_store_collateral_list_free(v, n);

	/* a replaced row is listed once, with its new body */
	ATT_CHECK_EQ_INT(put(s, "dcap/tcbinfo/sgx/00606A000000", "AA", 11), 0);
	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "dcap/tcbinfo/sgx/006",
						   &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, 1);
	if (n == 1)
		ATT_CHECK(v[0].body_len == 2 && v[0].next_update == 11,
			  "replaced row");
	att_store_collateral_list_free(v, n);
}

static void test_limit(struct att_store *s)
{
	struct att_diag d = {0};
	struct att_store_collateral *v = NULL;
	size_t n = 0;
	char key[64];
	int bad = 0;
	for (int i = 0; i < ATT_STORE_COLLATERAL_LIST_MAX; i++) {
		snprintf(key, sizeof(key), "many/%05d", i);
		bad += put(s, key, "m", i) != 0;
	}
	ATT_CHECK_EQ_INT(bad, 0);
	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "many/", &v, &n, &d), 0);
	ATT_CHECK_EQ_INT(n, ATT_STORE_COLLATERAL_LIST_MAX);
	if (n)
		ATT_CHECK_EQ_STR(v[n - 1].key, "many/04095");
	att_store_collateral_list_free(v, n);
	ATT_CHECK_EQ_INT(put(s, "many/99999", "m", 1), 0);
	v = (void *)1;
	ATT_CHECK_EQ_INT(att_store_collateral_list(s, "many/", &v, &n, &d),
			 ATT_ERR_LIMIT);
	ATT_CHECK(v == NULL && n == 0, "nothing returned over the limit");
	ATT_CHECK(strstr(att_diag_msg(&d), "many/") != NULL,
		  "the refusal names the prefix: %s", att_diag_msg(&d));
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
		test_prefix(s);
		test_limit(s);
		att_store_close(s);
	}
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	return att_test_done();
}
