/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 structure parsers (through tss2-mu): the real GCE AK and quotes
 * decode to the documented fields and Name; every truncation of a
 * TPMS_ATTEST, TPMT_SIGNATURE, TPMT_PUBLIC and TPM2B_PUBLIC fails with
 * ATT_ERR_TRUNCATED, trailing bytes with ATT_ERR_TRAILING; altered types
 * and unsupported schemes fail by name; random mutations never crash; the
 * AIK and EK rules, PCR-set JSON and key construction behave.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "evidence/tpm/pcrs.h"
#include "evidence/tpm/quote.h"
#include "evidence/tpm/tpm.h"
#include "harness/tap.h"

static const char *td;

/* The ECC P-256 EK of test_tpm_makecred.c's vector (TCG EK Credential
 * Profile L-2 template). */
static const char ek_ecc_hex[] =
	"007a0023000b000300b20020837197674484b3f81a90cc8d46a5d724fd52d76e0652"
	"0b64f2a1da1b331469aa0006008000430010000300100020fca676cc9061a8f74161"
	"3033b76ccd4957f0638218096dbba5ffe1082ce10a4100204ec30abd91cabb406410"
	"d9df951f0d48eef4ece00d70976771c2c335ea83214a";

static uint8_t *rd(const char *rel, size_t *len)
{
	char p[8192];
	snprintf(p, sizeof(p), "%s/tpm/quotes/%s", td, rel);
	uint8_t *b = att_read_file(p, len);
	ATT_CHECK(b != NULL, "read %s", rel);
	return b;
}

typedef int (*parse_fn)(void *out, const uint8_t *b, size_t n);

static int p_attest(void *o, const uint8_t *b, size_t n)
{
	return att_tpm_attest_parse(o, b, n, NULL);
}
static int p_sig(void *o, const uint8_t *b, size_t n)
{
	return att_tpm_signature_parse(o, b, n, NULL);
}
static int p_tpmt(void *o, const uint8_t *b, size_t n)
{
	return att_tpm_public_parse_tpmt(o, b, n, NULL);
}
static int p_tpm2b(void *o, const uint8_t *b, size_t n)
{
	return att_tpm_public_parse(o, b, n, NULL);
}

/* truncations: every prefix (exact-size copy) is ATT_ERR_TRUNCATED, the
 * whole parses, one extra byte is ATT_ERR_TRAILING. */
static void truncations(const char *what, parse_fn fn, const uint8_t *b,
			size_t n, size_t out_size)
{
	void *out = malloc(out_size);
	size_t bad = 0;
	for (size_t k = 0; k < n; k++) {
		uint8_t *c = malloc(k ? k : 1);
		memcpy(c, b, k);
		int r = fn(out, c, k);
		if (r != ATT_ERR_TRUNCATED)
			bad++;
		free(c);
	}
	ATT_CHECK(bad == 0, "%s: %zu of %zu prefixes not TRUNCATED", what, bad, n);
	ATT_CHECK(fn(out, b, n) == 0, "%s: whole parses", what);
	uint8_t *c = malloc(n + 1);
	memcpy(c, b, n);
	c[n] = 0;
	ATT_CHECK(fn(out, c, n + 1) == ATT_ERR_TRAILING, "%s: trailing byte", what);
	free(c);
	free(out);
}

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* mutations: random flips; parsing never crashes, and whatever parses
 * goes through the downstream functions. */
static void mutations(const char *what, parse_fn fn, const uint8_t *b,
		      size_t n, size_t out_size, int kind)
{
	void *out = malloc(out_size);
	uint8_t *c = malloc(n);
	size_t ok = 0;
	for (int i = 0; i < 3000; i++) {
		memcpy(c, b, n);
		for (int k = 0; k < 1 + i % 3; k++)
			c[next() % n] ^= (uint8_t)(1u << (next() % 8));
		if (fn(out, c, n) != 0)
			continue;
		ok++;
		if (kind == 1) { /* public: Name, key, rules */
			uint8_t name[66];
			size_t nl;
			struct att_pkey *k = NULL;
			att_tpm_public_name(out, name, sizeof(name), &nl, NULL);
			att_tpm_public_pkey(out, &k, NULL);
			att_tpm_public_check_ak(out, NULL);
			att_tpm_public_check_ek(out, NULL);
			att_pkey_free(k);
		} else if (kind == 0) {
			att_tpm_quote_check_header(out, NULL);
			att_tpm_quote_check_mask(out, 0, 0xFFFFFF, NULL);
		}
	}
	ATT_CHECK(ok < 3000, "%s: %zu of 3000 mutants parsed", what, ok);
	free(c);
	free(out);
}

static void test_ak(void)
{
	size_t n = 0;
	uint8_t *b = rd("gce_cos85/gce-cos-85-nonce9009/ak_pub.tpmt_public", &n);
	struct att_tpm_public *p = calloc(1, sizeof(*p));
	uint8_t name[66];
	char hx[140];
	size_t nl = 0;
	ATT_CHECK(att_tpm_public_parse_tpmt(p, b, n, NULL) == 0, "AK parses");
	ATT_CHECK(p->type == ATT_TPM_ALG_RSA && p->name_alg == ATT_TPM_ALG_SHA256 &&
			  p->attributes == 0x00050072 &&
			  p->sym_alg == ATT_TPM_ALG_NULL &&
			  p->scheme == ATT_TPM_ALG_RSASSA &&
			  p->scheme_hash == ATT_TPM_ALG_SHA256 &&
			  p->rsa_bits == 2048 && p->rsa_exponent == 0 &&
			  p->rsa_n_len == 256,
		  "AK fields");
	ATT_CHECK(att_tpm_public_name(p, name, sizeof(name), &nl, NULL) == 0,
		  "AK Name");
	att_hex_encode(hx, sizeof(hx), name, nl, false);
	ATT_CHECK_EQ_STR(hx, "000bf175bdb57297b2b289973f819863d6c9d09c2367256769"
			     "14f4248c9a2404c2a4");
	ATT_CHECK(att_tpm_public_check_ak(p, NULL) == 0, "AK rules");
	ATT_CHECK(att_tpm_public_check_ek(p, NULL) == ATT_ERR_FORMAT,
		  "an AK is not an EK");
	truncations("TPMT_PUBLIC", p_tpmt, b, n, sizeof(*p));
	mutations("TPMT_PUBLIC", p_tpmt, b, n, sizeof(*p), 1);
	/* the same as a TPM2B_PUBLIC */
	uint8_t *t = malloc(n + 2);
	t[0] = (uint8_t)(n >> 8), t[1] = (uint8_t)n;
	memcpy(t + 2, b, n);
	ATT_CHECK(att_tpm_public_parse(p, t, n + 2, NULL) == 0 &&
			  att_tpm_public_name(p, name, sizeof(name), &nl, NULL) == 0 &&
			  name[2] == 0xf1,
		  "TPM2B_PUBLIC");
	truncations("TPM2B_PUBLIC", p_tpm2b, t, n + 2, sizeof(*p));
	mutations("TPM2B_PUBLIC", p_tpm2b, t, n + 2, sizeof(*p), 1);
	t[1]--; /* size one short of its TPMT_PUBLIC */
	ATT_CHECK(att_tpm_public_parse(p, t, n + 1, NULL) == ATT_ERR_FORMAT,
		  "TPM2B size shorter than its content");
	free(t);
	free(p);
	free(b);
}

static void ak_rule(uint32_t clear, uint32_t set, const char *needle)
{
	size_t n = 0;
	uint8_t *b = rd("gce_cos85/gce-cos-85-nonce9009/ak_pub.tpmt_public", &n);
	struct att_tpm_public *p = calloc(1, sizeof(*p));
	struct att_diag d;
	att_diag_clear(&d);
	att_tpm_public_parse_tpmt(p, b, n, NULL);
	p->attributes = (p->attributes & ~clear) | set;
	ATT_CHECK(att_tpm_public_check_ak(p, &d) == ATT_ERR_FORMAT &&
			  strstr(att_diag_msg(&d), needle),
		  "AK rule %s: %s", needle, att_diag_msg(&d));
	free(p);
	free(b);
}

static void test_ak_rules(void)
{
	ak_rule(ATT_TPMA_RESTRICTED, 0, "restricted");
	ak_rule(ATT_TPMA_FIXED_TPM, 0, "fixedTPM");
	ak_rule(ATT_TPMA_FIXED_PARENT, 0, "fixedParent");
	ak_rule(ATT_TPMA_SENSITIVE_DATA_ORIGIN, 0, "sensitiveDataOrigin");
	ak_rule(ATT_TPMA_SIGN, 0, "sign");
	ak_rule(0, ATT_TPMA_DECRYPT, "decrypt");
	ak_rule(0, 0x00100000, "reserved");
}

static void test_quote_structs(void)
{
	size_t n = 0, s = 0;
	uint8_t *q = rd("gce_cos85/gce-cos-85-nonce9009/quote_sha256.tpms_attest", &n);
	uint8_t *g = rd("gce_cos85/gce-cos-85-nonce9009/quote_sha256.tpmt_signature", &s);
	struct att_tpm_attest a;
	struct att_tpm_signature *sig = calloc(1, sizeof(*sig));
	char hx[140];
	ATT_CHECK(att_tpm_attest_parse(&a, q, n, NULL) == 0, "quote parses");
	att_hex_encode(hx, sizeof(hx), a.signer, a.signer_len, false);
	ATT_CHECK_EQ_STR(hx, "000bde01fe4b4ade2f8b7ae19b8a8897e0cb77ae417731d8ce"
			     "38697ec4f6c095030a");
	ATT_CHECK(a.extra_len == 2 && a.extra[0] == 0x90 && a.extra[1] == 0x09 &&
			  a.clock == 0x1e9e66c00ull && a.reset_count == 10 &&
			  a.restart_count == 0 && a.safe == 1 &&
			  a.firmware_version == 0x2016051100162800ull &&
			  a.pcr_digest_len == 32 && a.pcr_digest[0] == 0x04,
		  "quote fields");
	truncations("TPMS_ATTEST", p_attest, q, n, sizeof(a));
	mutations("TPMS_ATTEST", p_attest, q, n, sizeof(a), 0);
	/* type altered to CERTIFY: tss2-mu reads a different body */
	q[5] = 0x17;
	int r = att_tpm_attest_parse(&a, q, n, NULL);
	ATT_CHECK(r == ATT_ERR_TRAILING || r == ATT_ERR_UNSUPPORTED,
		  "type 0x8017: %s", att_errname(r));
	q[5] = 0x18;
	/* magic altered: parses (tss2-mu 3.2 does not check), header fails */
	q[0] ^= 0xff;
	ATT_CHECK(att_tpm_attest_parse(&a, q, n, NULL) == 0 &&
			  att_tpm_quote_check_header(&a, NULL) == ATT_ERR_FORMAT,
		  "bad magic caught by the header check");
	q[0] ^= 0xff;
	ATT_CHECK(att_tpm_signature_parse(sig, g, s, NULL) == 0 &&
			  sig->sig_alg == ATT_TPM_ALG_RSASSA &&
			  sig->hash == ATT_TPM_ALG_SHA256 && sig->sig_len == 256,
		  "signature fields");
	truncations("TPMT_SIGNATURE", p_sig, g, s, sizeof(*sig));
	mutations("TPMT_SIGNATURE", p_sig, g, s, sizeof(*sig), 2);
	static const uint8_t null_sig[] = {0x00, 0x10};
	static const uint8_t hmac_sig[] = {0x00, 0x05, 0x00, 0x04, 1, 2, 3, 4, 5,
					   6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
					   16, 17, 18, 19, 20};
	struct att_diag d;
	att_diag_clear(&d);
	ATT_CHECK(att_tpm_signature_parse(sig, null_sig, 2, &d) ==
			  ATT_ERR_UNSUPPORTED && strstr(att_diag_msg(&d), "null"),
		  "NULL signature: %s", att_diag_msg(&d));
	ATT_CHECK(att_tpm_signature_parse(sig, hmac_sig, sizeof(hmac_sig), NULL) ==
			  ATT_ERR_UNSUPPORTED, "HMAC signature");
	free(sig);
	free(q);
	free(g);
}

/* test_creation: the Windows AK's creation attestation (type 0x801A)
 * is not a quote. */
static void test_creation(void)
{
	char p[8192];
	uint8_t *b = NULL;
	size_t n = 0;
	struct att_tpm_attest a;
	struct att_diag d;
	att_diag_clear(&d);
	snprintf(p, sizeof(p), "%s/tpm/quotes/windows_gcp_shielded_vm/"
		 "windows_gcp_shielded_vm.json", td);
	json_t *j = json_load_file(p, 0, NULL);
	const char *s = json_string_value(json_object_get(json_object_get(j, "AK"),
							  "CreateAttestation"));
	ATT_CHECK(s && att_b64_decode(&b, &n, s, strlen(s)) == 0, "creation data");
	ATT_CHECK(att_tpm_attest_parse(&a, b, n, &d) == ATT_ERR_UNSUPPORTED &&
			  strstr(att_diag_msg(&d), "0x801a"),
		  "creation attestation: %s", att_diag_msg(&d));
	free(b);
	json_decref(j);
}

static void test_selection(void)
{
	static const uint8_t two[] = {0, 0, 0, 2, 0x00, 0x0b, 3, 0x83, 0x00,
				      0x00, 0x00, 0x04, 3, 0x01, 0x00, 0x80};
	struct att_tpm_pcr_selection s;
	ATT_CHECK(att_tpm_pcr_selection_parse(&s, two, sizeof(two), NULL) == 0 &&
			  s.count == 2 && att_tpm_selection_mask(&s.sel[0]) == 0x83 &&
			  att_tpm_selection_mask(&s.sel[1]) == 0x800001,
		  "two-bank selection");
	uint8_t c[sizeof(two)];
	memcpy(c, two, sizeof(two));
	c[3] = 17;
	ATT_CHECK(att_tpm_pcr_selection_parse(&s, c, sizeof(c), NULL) != 0,
		  "17 selections");
	memcpy(c, two, sizeof(two));
	c[6] = 5;
	ATT_CHECK(att_tpm_pcr_selection_parse(&s, c, sizeof(c), NULL) != 0,
		  "sizeofSelect 5");
}

static void test_pcrs_json(void)
{
	static const char *bad[] = {
		"{\"sha256\": {\"24\": \"00\"}}",
		"{\"sha256\": {\"01\": \"0000000000000000000000000000000000000000000000000000000000000000\"}}",
		"{\"sha256\": {\"-1\": \"0000000000000000000000000000000000000000000000000000000000000000\"}}",
		"{\"sha256\": {\"0\": \"00\"}}",
		"{\"md5\": {\"0\": \"00000000000000000000000000000000\"}}",
		"{\"sha1\": {\"0\": 5}}",
		"[]",
	};
	struct att_tpm_pcrs s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i], JSON_DECODE_ANY, NULL);
		ATT_CHECK(att_tpm_pcrs_from_json(&s, j, NULL) == ATT_ERR_FORMAT,
			  "bad pcrs %zu rejected", i);
		json_decref(j);
	}
	const char *good = "{\"sha1\": {\"7\": \"aa00000000000000000000000000000000000001\","
			   "\"0\": \"0000000000000000000000000000000000000000\"}}";
	json_t *j = json_loads(good, 0, NULL);
	ATT_CHECK(att_tpm_pcrs_from_json(&s, j, NULL) == 0 && s.num_banks == 1 &&
			  s.banks[0].mask == 0x81 && s.banks[0].value[7][0] == 0xaa,
		  "good pcrs");
	json_t *out = att_tpm_pcrs_to_json(&s);
	ATT_CHECK(json_equal(out, j), "round trip");
	json_t *maa = att_tpm_pcrs_to_maa_json(&s);
	json_t *e1 = json_array_get(json_object_get(maa, "PCRs"), 1);
	ATT_CHECK(json_integer_value(json_object_get(e1, "Index")) == 7 &&
			  !strcmp(json_string_value(json_object_get(
				  json_object_get(e1, "Digests"), "SHA1")),
				  "aa00000000000000000000000000000000000001"),
		  "MAA pcrs shape");
	json_decref(maa);
	json_decref(out);
	json_decref(j);
}

static void test_ek_and_keys(void)
{
	uint8_t *b = NULL, name[66];
	size_t n = 0, nl = 0;
	struct att_tpm_public *p = calloc(1, sizeof(*p));
	struct att_pkey *k = NULL, *k2 = NULL;
	char hx[140];
	att_hex_decode(&b, &n, ek_ecc_hex, strlen(ek_ecc_hex));
	ATT_CHECK(att_tpm_public_parse(p, b, n, NULL) == 0 &&
			  p->type == ATT_TPM_ALG_ECC &&
			  p->curve == ATT_TPM_ECC_NIST_P256 &&
			  p->attributes == 0x000300b2 && p->sym_bits == 128 &&
			  p->sym_mode == ATT_TPM_ALG_CFB && p->auth_policy_len == 32,
		  "ECC EK fields");
	ATT_CHECK(att_tpm_public_check_ek(p, NULL) == 0, "EK rules");
	ATT_CHECK(att_tpm_public_check_ak(p, NULL) == ATT_ERR_FORMAT,
		  "an EK is not an AIK");
	ATT_CHECK(att_tpm_public_name(p, name, sizeof(name), &nl, NULL) == 0 &&
			  nl == 34, "EK Name");
	att_hex_encode(hx, sizeof(hx), name, 2, false);
	ATT_CHECK_EQ_STR(hx, "000b");
	ATT_CHECK(att_tpm_public_pkey(p, &k, NULL) == 0, "EC key");
	uint8_t *der = NULL;
	size_t dl = 0;
	ATT_CHECK(att_pkey_spki_der(&der, &dl, k) == 0 &&
			  att_pkey_from_public(&k2, der, dl) == 0 &&
			  att_pkey_equal_public(k, k2) && !att_pkey_is_rsa(k2) &&
			  att_pkey_bits(k2) == 256,
		  "SPKI round trip");
	free(der);
	att_pkey_free(k2);
	k2 = NULL;
	p->y[31] ^= 1; /* no longer on the curve */
	ATT_CHECK(att_tpm_public_pkey(p, &k2, NULL) != 0 && !k2,
		  "off-curve point rejected");
	p->sym_alg = ATT_TPM_ALG_NULL;
	ATT_CHECK(att_tpm_public_check_ek(p, NULL) == ATT_ERR_UNSUPPORTED,
		  "EK without symmetric");
	att_pkey_free(k);
	free(p);
	free(b);
}

int main(void)
{
	setenv("TSS2_LOG", "all+none", 0); /* tss2-mu logs every rejection */
	ATT_REQUIRE_TESTDATA();
	td = att_testdata();
	test_ak();
	test_ak_rules();
	test_quote_structs();
	test_creation();
	test_selection();
	test_pcrs_json();
	test_ek_and_keys();
	return att_test_done();
}
