/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/tpm/kdf.h and evidence/tpm/tpm_alg.h: KDFa and KDFe (TPM 2.0
 * Part 1 §11.4.10) against values computed independently from their
 * definitions with Python's hmac and hashlib modules (SHA-1, SHA-256,
 * SHA-384, SHA-512; one block, several blocks, bit lengths that are not
 * whole bytes, an empty key and empty contexts); the TPM_ALG_ID table and
 * its mapping to enum att_md and the curve kinds; hashing and HMAC by
 * TPM_ALG_ID over two parts; the reusable hash context.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "evidence/tpm/kdf.h"
#include "evidence/tpm/tpm_alg.h"
#include "harness/tap.h"

static size_t unhex(uint8_t *out, size_t cap, const char *h)
{
	size_t n = strlen(h) / 2;
	if (n > cap || att_hex_decode_fixed(out, n, h, strlen(h)) != 0)
		return 0;
	return n;
}

static void hex_eq(const uint8_t *p, size_t n, const char *want,
		   const char *what)
{
	char h[600];
	att_hex_encode(h, sizeof(h), p, n, false);
	ATT_CHECK(!strcmp(h, want), "%s: %s != %s", what, h, want);
}

static void test_kdfa(void)
{
	uint8_t key[32], u[34], v[8], out[160];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	/* A1: SHA-256, "STORAGE", a Name as contextU, 128 bits */
	u[0] = 0x00;
	u[1] = 0x0b;
	for (int i = 0; i < 32; i++)
		u[2 + i] = (uint8_t)(0x40 + i);
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA256, key, 32, "STORAGE",
				      u, 34, NULL, 0, 128, out, 16),
			 0);
	hex_eq(out, 16, "7a58c2079bee13e00ed160d657aecaef", "KDFa A1");
	/* A2: SHA-256, three blocks, both contexts, 600 bits */
	unhex(u, sizeof(u), "a0a1a2a3");
	unhex(v, sizeof(v), "b0b1b2b3b4");
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA256, key, 32, "ATH", u,
				      4, v, 5, 600, out, 75),
			 0);
	hex_eq(out, 75,
	       "8623cf8e343128149cb831623651a84a698b91403c78d787b267eed0016"
	       "85d35021efe53cd857a357ee59ca859a2f8f7327fc5cd329273f023a0d4"
	       "6f1c07b58392c6bd487c842b79ea78af",
	       "KDFa A2");
	/* A3: SHA-1, no contexts */
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA1,
				      (const uint8_t *)"secret-key", 10,
				      "INTEGRITY", NULL, 0, NULL, 0, 160, out,
				      20),
			 0);
	hex_eq(out, 20, "f24cac77060d6c2a979f947327a3d844ff487667",
	       "KDFa A3");
	/* A4: SHA-384, 257 bits: 33 bytes, the top 7 bits of out[0] masked */
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA384, key, 16, "CFB",
				      (const uint8_t *)"u", 1,
				      (const uint8_t *)"v", 1, 257, out, 33),
			 0);
	hex_eq(out, 33,
	       "00d92e1c18fdf4ecbfb3b259ce19e2a6bb3228d01326a8991f3ba205c19471"
	       "e911",
	       "KDFa A4");
	/* A5: the empty key, 12 bits */
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA256, NULL, 0, "L", NULL,
				      0, NULL, 0, 12, out, 2),
			 0);
	hex_eq(out, 2, "05c1", "KDFa A5");
	/* errors */
	ATT_CHECK_EQ_INT(att_tpm_kdfa(0x0099, key, 32, "L", NULL, 0, NULL, 0,
				      16, out, 2),
			 ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA256, key, 32, "L", NULL,
				      0, NULL, 0, 16, out, 3),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA256, key, 32, "L", NULL,
				      0, NULL, 0, 0, out, 0),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA256, key, 32, NULL, NULL,
				      0, NULL, 0, 16, out, 2),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA256, key, 32, "L", NULL,
				      0, NULL, 0, ATT_TPM_KDF_MAX_BITS + 8,
				      out, ATT_TPM_KDF_MAX_BITS / 8 + 1),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_tpm_kdfa(ATT_TPM_ALG_SHA256, NULL, 4, "L", NULL,
				      0, NULL, 0, 16, out, 2),
			 ATT_ERR_INVALID_ARG);
}

static void test_kdfe(void)
{
	uint8_t z[32], u[32], v[32], out[140];
	for (int i = 0; i < 32; i++) {
		z[i] = (uint8_t)(i + 1);
		u[i] = (uint8_t)(0x20 + i);
		v[i] = (uint8_t)(0x60 + i);
	}
	/* E1: SHA-256, one block, both party infos */
	ATT_CHECK_EQ_INT(att_tpm_kdfe(ATT_TPM_ALG_SHA256, z, 32, "IDENTITY",
				      u, 32, v, 32, 256, out, 32),
			 0);
	hex_eq(out, 32,
	       "a745821907963a0434290eb5c7310cb75287536a23ea7332287795358ac09293",
	       "KDFe E1");
	/* E2: SHA-512, three blocks, 1100 bits (top 4 bits masked) */
	ATT_CHECK_EQ_INT(att_tpm_kdfe(ATT_TPM_ALG_SHA512, z, 32, "DUPLICATE",
				      NULL, 0, NULL, 0, 1100, out, 138),
			 0);
	hex_eq(out, 138,
	       "0ffe330221c9139c457516f5759a91109a26d31d72ea21a92900c9a486e3fb"
	       "6c2239184711c8f524f3fc86f94da42d85dda6c1b6c5b651f06d11d87da01f"
	       "82883496438ba1bd56650f8a16503f409f96ced63ba3e101495d9f30c7c92f"
	       "590d81b0e238b032b2d4ea83d531de617e497d13d24e661d2aa267706dd642"
	       "0640d7c42e168bd79f5b81188f9a",
	       "KDFe E2");
	ATT_CHECK_EQ_INT(att_tpm_kdfe(0x0099, z, 32, "X", NULL, 0, NULL, 0,
				      256, out, 32),
			 ATT_ERR_ALG);
	ATT_CHECK_EQ_INT(att_tpm_kdfe(ATT_TPM_ALG_SHA256, z, 32, NULL, NULL, 0,
				      NULL, 0, 256, out, 32),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_tpm_kdfe(ATT_TPM_ALG_SHA256, z, 32, "X", NULL, 0,
				      NULL, 0, 256, out, 31),
			 ATT_ERR_INVALID_ARG);
}

static void test_alg(void)
{
	static const struct {
		uint16_t alg;
		enum att_md md;
	} map[] = {
		{ATT_TPM_ALG_SHA1, ATT_MD_SHA1},
		{ATT_TPM_ALG_SHA256, ATT_MD_SHA256},
		{ATT_TPM_ALG_SHA384, ATT_MD_SHA384},
		{ATT_TPM_ALG_SHA512, ATT_MD_SHA512},
		{ATT_TPM_ALG_SM3_256, ATT_MD_SM3_256},
		{ATT_TPM_ALG_SHA3_256, ATT_MD_SHA3_256},
		{ATT_TPM_ALG_SHA3_384, ATT_MD_SHA3_384},
		{ATT_TPM_ALG_SHA3_512, ATT_MD_SHA3_512},
	};
	size_t rows = 0;
	while (att_tpm_hash_at(rows))
		rows++;
	ATT_CHECK_EQ_INT(rows, sizeof(map) / sizeof(map[0]));
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		enum att_md md = ATT_MD_SHA1;
		const struct att_tpm_hash_info *hi = att_tpm_hash_info(map[i].alg);
		ATT_CHECK(hi && att_tpm_md_of(map[i].alg, &md) == 0 &&
				  md == map[i].md && hi->size == att_md_len(md),
			  "alg 0x%04x", map[i].alg);
		ATT_CHECK(hi && att_tpm_hash_info_by_name(hi->upper) == hi,
			  "by name");
		ATT_CHECK(att_tpm_hash_supported(map[i].alg) ==
				  att_md_available(map[i].md),
			  "supported 0x%04x", map[i].alg);
	}
	enum att_md md = ATT_MD_SHA512;
	ATT_CHECK_EQ_INT(att_tpm_md_of(ATT_TPM_ALG_RSA, &md), ATT_ERR_ALG);
	ATT_CHECK(md == ATT_MD_SHA512, "untouched on a miss");
	ATT_CHECK(att_tpm_hash_info(ATT_TPM_ALG_NULL) == NULL, "NULL no hash");
	ATT_CHECK(!att_tpm_hash_supported(ATT_TPM_ALG_AES), "AES no hash");
	ATT_CHECK(att_tpm_hash_info_by_name("sha3-384") ==
			  att_tpm_hash_info(ATT_TPM_ALG_SHA3_384),
		  "sha3-384 spelling");
	ATT_CHECK(att_tpm_hash_info_by_name("md5") == NULL &&
			  att_tpm_hash_info_by_name(NULL) == NULL &&
			  att_tpm_hash_info_by_name("sha256-with-a-long-tail") ==
				  NULL,
		  "unknown names");
	ATT_CHECK(att_tpm_curve_kind(ATT_TPM_ECC_NIST_P256) == ATT_KEY_EC_P256 &&
			  att_tpm_curve_kind(ATT_TPM_ECC_NIST_P384) ==
				  ATT_KEY_EC_P384 &&
			  att_tpm_curve_kind(ATT_TPM_ECC_NIST_P521) ==
				  ATT_KEY_EC_P521 &&
			  att_tpm_curve_kind(0x0020) == ATT_KEY_RSA_OTHER,
		  "curve kinds");
}

static void test_hash_hmac(void)
{
	static const char abcdef[] =
		"bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721";
	uint8_t out[64];
	ATT_CHECK_EQ_INT(att_tpm_hash(ATT_TPM_ALG_SHA256, out, 32, "abc", 3,
				      "def", 3),
			 0);
	hex_eq(out, 32, abcdef, "H(a || b)");
	ATT_CHECK_EQ_INT(att_tpm_hash(ATT_TPM_ALG_SHA256, out, 32, "abcdef", 6,
				      NULL, 0),
			 0);
	hex_eq(out, 32, abcdef, "H(a)");
	ATT_CHECK_EQ_INT(att_tpm_hash(ATT_TPM_ALG_SHA256, out, 31, "abc", 3,
				      NULL, 0),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_tpm_hash(0x0099, out, 32, "abc", 3, NULL, 0),
			 ATT_ERR_ALG);
	/* HMAC-SHA256("k", "ab" || "cd"), from Python's hmac module */
	ATT_CHECK_EQ_INT(att_tpm_hmac(ATT_TPM_ALG_SHA256, out, 32,
				      (const uint8_t *)"k", 1, "ab", 2, "cd", 2),
			 0);
	hex_eq(out, 32,
	       "756d7c2af4fae2338eb66fcb2eea2a6a4bf5b8ec75a0561b967ce1c215ba740f",
	       "HMAC(a || b)");
	ATT_CHECK_EQ_INT(att_tpm_hmac(ATT_TPM_ALG_SHA256, out, 20,
				      (const uint8_t *)"k", 1, "ab", 2, NULL, 0),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_tpm_hmac(ATT_TPM_ALG_ECC, out, 32,
				      (const uint8_t *)"k", 1, "ab", 2, NULL, 0),
			 ATT_ERR_ALG);
	/* the context: digest, reuse, pieces */
	struct att_tpm_hash_ctx *c = att_tpm_hash_ctx_new(ATT_TPM_ALG_SHA256);
	ATT_CHECK(c != NULL, "context");
	memset(out, 0, sizeof(out));
	ATT_CHECK_EQ_INT(att_tpm_hash_ctx_digest(c, out, 32, "ab", 2, "cdef",
						 4),
			 0);
	hex_eq(out, 32, abcdef, "ctx digest");
	memset(out, 0, sizeof(out));
	ATT_CHECK(att_tpm_hash_ctx_reset(c) == 0 &&
			  att_tpm_hash_update(c, "abcde", 5) == 0 &&
			  att_tpm_hash_update(c, "f", 1) == 0 &&
			  att_tpm_hash_final(c, out, 32) == 0,
		  "ctx in pieces");
	hex_eq(out, 32, abcdef, "ctx reused");
	ATT_CHECK_EQ_INT(att_tpm_hash_ctx_reset(c), 0);
	ATT_CHECK_EQ_INT(att_tpm_hash_final(c, out, 48), ATT_ERR_INVALID_ARG);
	att_tpm_hash_ctx_free(c);
	att_tpm_hash_ctx_free(NULL);
	ATT_CHECK(att_tpm_hash_ctx_new(ATT_TPM_ALG_RSA) == NULL,
		  "no context for a non-hash");
	ATT_CHECK_EQ_INT(att_tpm_hash_update(NULL, "a", 1),
			 ATT_ERR_INVALID_ARG);
}

int main(void)
{
	test_kdfa();
	test_kdfe();
	test_alg();
	test_hash_hmac();
	return att_test_done();
}
