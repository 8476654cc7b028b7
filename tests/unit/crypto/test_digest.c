/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto/digest.h: digests of "abc" against FIPS 180-4 / FIPS 202 example
 * values (SHA-1, SHA-256, SHA-384, SHA-512, SHA3-256), the incremental
 * context fed in pieces and reused through att_md_ctx_reset, availability
 * and lengths, random bytes, constant-time comparison and att_cleanse.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "harness/tap.h"

static const struct {
	enum att_md md;
	const char *hex;
} abc[] = {
	{ATT_MD_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{ATT_MD_SHA256,
	 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{ATT_MD_SHA384,
	 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	 "8086072ba1e7cc2358baeca134c825a7"},
	{ATT_MD_SHA512,
	 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	{ATT_MD_SHA3_256,
	 "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
};

static void hex_eq(const uint8_t *p, size_t n, const char *want,
		   const char *what)
{
	char h[2 * ATT_MD_MAX_LEN + 1];
	att_hex_encode(h, sizeof(h), p, n, false);
	ATT_CHECK(!strcmp(h, want), "%s: %s != %s", what, h, want);
}

static void test_digests(void)
{
	for (size_t i = 0; i < sizeof(abc) / sizeof(abc[0]); i++) {
		enum att_md md = abc[i].md;
		uint8_t out[ATT_MD_MAX_LEN];
		ATT_CHECK(att_md_available(md), "%s available",
			  att_md_name(md));
		ATT_CHECK_EQ_INT(att_md_len(md), strlen(abc[i].hex) / 2);
		ATT_CHECK_EQ_INT(att_digest(md, out, "abc", 3), 0);
		hex_eq(out, att_md_len(md), abc[i].hex, att_md_name(md));
		/* incremental: "a" "" "bc", then reused for "abc" at once */
		struct att_md_ctx *c = att_md_ctx_new(md);
		memset(out, 0, sizeof(out));
		ATT_CHECK(c && att_md_update(c, "a", 1) == 0 &&
				  att_md_update(c, NULL, 0) == 0 &&
				  att_md_update(c, "bc", 2) == 0 &&
				  att_md_final(c, out) == 0,
			  "incremental %s", att_md_name(md));
		hex_eq(out, att_md_len(md), abc[i].hex, "in pieces");
		memset(out, 0, sizeof(out));
		ATT_CHECK(c && att_md_ctx_reset(c) == 0 &&
				  att_md_update(c, "abc", 3) == 0 &&
				  att_md_final(c, out) == 0,
			  "reset %s", att_md_name(md));
		hex_eq(out, att_md_len(md), abc[i].hex, "after reset");
		/* a reset drops what was fed before it */
		memset(out, 0, sizeof(out));
		ATT_CHECK(c && att_md_ctx_reset(c) == 0 &&
				  att_md_update(c, "zz", 2) == 0 &&
				  att_md_ctx_reset(c) == 0 &&
				  att_md_update(c, "abc", 3) == 0 &&
				  att_md_final(c, out) == 0,
			  "reset mid-way");
		hex_eq(out, att_md_len(md), abc[i].hex, "reset mid-way");
		att_md_ctx_free(c);
	}
	att_md_ctx_free(NULL);
	ATT_CHECK(att_md_ctx_new((enum att_md)99) == NULL, "unknown digest");
	ATT_CHECK(!att_md_available((enum att_md)99), "unknown unavailable");
	ATT_CHECK_EQ_INT(att_md_len((enum att_md)99), 0);
	ATT_CHECK_EQ_INT(att_md_ctx_reset(NULL), ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_md_update(NULL, "a", 1), ATT_ERR_INVALID_ARG);
}

static void test_rand_ct_cleanse(void)
{
	uint8_t a[32], b[32], z[32] = {0};
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ATT_CHECK(att_rand_bytes(a, 32) == 0 && att_rand_bytes(b, 32) == 0,
		  "random bytes");
	ATT_CHECK(memcmp(a, b, 32) && memcmp(a, z, 32), "two draws differ");
	ATT_CHECK_EQ_INT(att_rand_bytes(a, 0), 0);
	ATT_CHECK(att_ct_eq(a, a, 32) && !att_ct_eq(a, b, 32), "ct_eq");
	memcpy(b, a, 32);
	b[31] ^= 0x80;
	ATT_CHECK(!att_ct_eq(a, b, 32) && att_ct_eq(a, b, 31), "last byte");
	att_cleanse(a, sizeof(a));
	ATT_CHECK(!memcmp(a, z, 32), "cleansed");
	att_cleanse(NULL, 0);
}

int main(void)
{
	test_digests();
	test_rand_ct_cleanse();
	return att_test_done();
}
