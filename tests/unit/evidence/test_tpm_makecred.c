/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MakeCredential and its KDFs against known answers: the ECC P-256 vector
 * below (an EK of the TCG EK Credential Profile L-2 template; a real
 * TPM2_ActivateCredential, on swtpm, accepted it)
 * byte for byte, KDFa/KDFe block structure recomputed independently, the
 * credential decrypting back under the derived keys, RSA EK output shape
 * and determinism under a fixed seed, and argument checks. The proof with
 * a real TPM is tests/integration/tpm_makecredential.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/aes_cfb.h"
#include "crypto/ecdh.h"
#include "evidence/tpm/kdf.h"
#include "evidence/tpm/makecred.h"
#include "evidence/tpm/tpm.h"
#include "evidence/tpm/tpm_alg.h"
#include "harness/tap.h"

static const char ek_hex[] =
	"007a0023000b000300b20020837197674484b3f81a90cc8d46a5d724fd52d76e0652"
	"0b64f2a1da1b331469aa0006008000430010000300100020fca676cc9061a8f74161"
	"3033b76ccd4957f0638218096dbba5ffe1082ce10a4100204ec30abd91cabb406410"
	"d9df951f0d48eef4ece00d70976771c2c335ea83214a";
static const char name_hex[] =
	"000b3ab737fb7e652db39fe7d0e652a5652d746cee5f355d044eb201bb5d64a4fb6e";
static const char cred_hex[] =
	"101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f";
static const char d_hex[] =
	"1111111111111111111111111111111111111111111111111111111111111111";
static const char qx_hex[] =
	"0217e617f0b6443928278f96999e69a23a4f2c152bdf6d6cdf66e5b80282d4ed";
static const char qy_hex[] =
	"194a7debcb97712d2dda3ca85aa8765a56f45fc758599652f2897c65306e5794";
static const char z_hex[] =
	"4f14dc7a79fa3146c5e80ee47afac1ee28c61ef61832977687fafea23eb44653";
static const char seed_hex[] =
	"392667c5c03a63ad388006c2ba9668bad12244f54b2a2997164ed6b758984167";
static const char symkey_hex[] = "bf0a8d00defb7c3add8dfdea322e5925";
static const char hmackey_hex[] =
	"2511d988e3af79057dfc254b6c15df86c1fa68546e71040bef025b821f807a68";
static const char enc_hex[] =
	"a63e9eef36e50d79ac6bd22a26da130d4357d1c9b864005f5ec9f035db3c959ce931";
static const char idobj_hex[] =
	"004400205175b552928344333bc22c58611b6346cc8584e3d5b13c24a10353096b13"
	"3c7ea63e9eef36e50d79ac6bd22a26da130d4357d1c9b864005f5ec9f035db3c959c"
	"e931";

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
	char h[1200];
	att_hex_encode(h, sizeof(h), p, n, false);
	ATT_CHECK(!strcmp(h, want), "%s: %s != %s", what, h, want);
}

static void test_kdfs(void)
{
	uint8_t name[34], z[32], qx[32], seed[32], out[64], ekx[32];
	unhex(name, 34, name_hex);
	unhex(z, 32, z_hex);
	unhex(qx, 32, qx_hex);
	unhex(seed, 32, seed_hex);
	unhex(ekx, 32, "fca676cc9061a8f741613033b76ccd4957f0638218096dbba5ffe1082ce10a41");
	ATT_CHECK(att_tpm_kdfe(ATT_TPM_ALG_SHA256, z, 32, "IDENTITY", qx, 32,
			       ekx, 32, 256, out, 32) == 0, "KDFe");
	hex_eq(out, 32, seed_hex, "KDFe seed");
	ATT_CHECK(att_tpm_kdfa(ATT_TPM_ALG_SHA256, seed, 32, "STORAGE", name, 34,
			       NULL, 0, 128, out, 16) == 0, "KDFa STORAGE");
	hex_eq(out, 16, symkey_hex, "symKey");
	ATT_CHECK(att_tpm_kdfa(ATT_TPM_ALG_SHA256, seed, 32, "INTEGRITY", NULL, 0,
			       NULL, 0, 256, out, 32) == 0, "KDFa INTEGRITY");
	hex_eq(out, 32, hmackey_hex, "hmacKey");
	/* two blocks: block 2 = HMAC(key, 00000002 || "L" 00 || u || v ||
	 * 00000200), computed here from the definition */
	uint8_t msg[4 + 2 + 2 + 2 + 4], blk[32];
	static const uint8_t tail[] = {'u', 'u', 'v', 'v', 0, 0, 2, 0};
	memcpy(msg, "\0\0\0\2L", 6); /* counter, label, its 0x00 */
	memcpy(msg + 6, tail, 8);
	ATT_CHECK(att_tpm_kdfa(ATT_TPM_ALG_SHA256, seed, 32, "L",
			       (const uint8_t *)"uu", 2, (const uint8_t *)"vv", 2,
			       512, out, 64) == 0 &&
			  att_tpm_hmac(ATT_TPM_ALG_SHA256, blk, 32, seed, 32, msg,
				       sizeof(msg), NULL, 0) == 0 &&
			  !memcmp(out + 32, blk, 32),
		  "KDFa second block");
	/* 12 bits: 2 bytes, top nibble masked */
	uint8_t two[2];
	ATT_CHECK(att_tpm_kdfa(ATT_TPM_ALG_SHA256, seed, 32, "L", NULL, 0, NULL,
			       0, 12, two, 2) == 0 && (two[0] & 0xF0) == 0,
		  "KDFa 12 bits masked");
	ATT_CHECK(att_tpm_kdfa(ATT_TPM_ALG_SHA256, seed, 32, "L", NULL, 0, NULL,
			       0, 12, two, 1) == ATT_ERR_INVALID_ARG,
		  "KDFa output length checked");
	ATT_CHECK(att_tpm_kdfa(0x0099, seed, 32, "L", NULL, 0, NULL, 0, 16, two,
			       2) == ATT_ERR_ALG, "KDFa unknown hash");
	/* KDFe with SHA-384, two blocks: block 2 = H(00000002 || z || use
	 * || 00 || u || v) */
	uint8_t o384[96], b2[48], m2[4 + 32 + 2 + 1];
	memcpy(m2, "\0\0\0\2", 4);
	memcpy(m2 + 4, z, 32);
	memcpy(m2 + 36, "ID\0", 3);
	ATT_CHECK(att_tpm_kdfe(ATT_TPM_ALG_SHA384, z, 32, "ID", NULL, 0, NULL, 0,
			       768, o384, 96) == 0 &&
			  att_tpm_hash(ATT_TPM_ALG_SHA384, b2, 48, m2, sizeof(m2),
				       NULL, 0) == 0 &&
			  !memcmp(o384 + 48, b2, 48),
		  "KDFe second block");
}

static struct att_tpm_public *ecc_ek(void)
{
	uint8_t *b = NULL;
	size_t n = 0;
	struct att_tpm_public *p = calloc(1, sizeof(*p));
	att_hex_decode(&b, &n, ek_hex, strlen(ek_hex));
	ATT_CHECK(att_tpm_public_parse(p, b, n, NULL) == 0, "EK parses");
	free(b);
	return p;
}

static void test_ecc_vector(void)
{
	struct att_tpm_public *ek = ecc_ek();
	struct att_tpm_credential c;
	struct att_ecdh e;
	struct att_diag d;
	uint8_t name[34], cred[32], dd[32];
	char want[400];
	att_diag_clear(&d);
	unhex(name, 34, name_hex);
	unhex(cred, 32, cred_hex);
	unhex(dd, 32, d_hex);
	ATT_CHECK(att_ecdh_ephemeral(&e, att_tpm_curve_kind(ATT_TPM_ECC_NIST_P256),
				     ek->x, ek->x_len, ek->y, ek->y_len, dd,
				     32) == 0 &&
			  e.len == 32, "ECDH");
	hex_eq(e.qx, 32, qx_hex, "Qe.x");
	hex_eq(e.qy, 32, qy_hex, "Qe.y");
	hex_eq(e.z, 32, z_hex, "Z");
	int r = att_tpm_make_credential_kat(&c, ek, name, 34, cred, 32, dd, 32, &d);
	ATT_CHECK(r == 0, "MakeCredential KAT: %s", att_diag_msg(&d));
	hex_eq(c.id_object, c.id_object_len, idobj_hex, "TPM2B_ID_OBJECT");
	snprintf(want, sizeof(want), "004400200%s0020%s", qx_hex + 1, qy_hex);
	hex_eq(c.secret, c.secret_len, want, "TPM2B_ENCRYPTED_SECRET");
	/* the credential decrypts back with the vector's symKey */
	uint8_t sk[16], enc[34], plain[34];
	unhex(sk, 16, symkey_hex);
	unhex(enc, 34, enc_hex);
	ATT_CHECK(att_aes_cfb(false, sk, 16, NULL, enc, 34, plain) == 0 &&
			  plain[0] == 0 && plain[1] == 32 &&
			  !memcmp(plain + 2, cred, 32),
		  "encIdentity decrypts to TPM2B_DIGEST(credential)");
	/* randomised: a fresh ephemeral key each time */
	struct att_tpm_credential c2;
	ATT_CHECK(att_tpm_make_credential(&c2, ek, name, 34, cred, 32, NULL) == 0 &&
			  c2.secret_len == 70 && c2.id_object_len == 70 &&
			  memcmp(c2.secret, c.secret, 70) != 0,
		  "random ephemeral key");
	free(ek);
}

/* rsa_ek turns the GCE AK's public area into an RSA "EK" (the attributes
 * and symmetric definition of the TCG L-1 template); without its private
 * key only the output shape and determinism can be checked here. */
static struct att_tpm_public *rsa_ek(void)
{
	char p[8192];
	size_t n = 0;
	snprintf(p, sizeof(p), "%s/tpm/quotes/gce_cos85/gce-cos-85-nonce9009/"
		 "ak_pub.tpmt_public", att_testdata());
	uint8_t *b = att_read_file(p, &n);
	struct att_tpm_public *k = calloc(1, sizeof(*k));
	ATT_CHECK(b && att_tpm_public_parse_tpmt(k, b, n, NULL) == 0, "RSA key");
	k->attributes = 0x000300b2;
	k->sym_alg = ATT_TPM_ALG_AES;
	k->sym_bits = 128;
	k->sym_mode = ATT_TPM_ALG_CFB;
	k->scheme = ATT_TPM_ALG_NULL;
	free(b);
	return k;
}

static void test_rsa(void)
{
	struct att_tpm_public *ek = rsa_ek();
	struct att_tpm_credential c1, c2;
	uint8_t name[34], cred[32], seed[32], blob[200];
	size_t bl = 0;
	unhex(name, 34, name_hex);
	unhex(cred, 32, cred_hex);
	unhex(seed, 32, seed_hex);
	ATT_CHECK(att_tpm_make_credential_kat(&c1, ek, name, 34, cred, 32, seed,
					      32, NULL) == 0 &&
			  att_tpm_make_credential_kat(&c2, ek, name, 34, cred, 32,
						      seed, 32, NULL) == 0,
		  "RSA MakeCredential");
	ATT_CHECK(c1.secret_len == 258 && c1.secret[0] == 0x01 &&
			  c1.secret[1] == 0x00, "TPM2B_ENCRYPTED_SECRET 0100 ...");
	ATT_CHECK(memcmp(c1.secret, c2.secret, 258) != 0,
		  "OAEP is randomised");
	/* with the seed fixed, the ID object is the §6.4 wrapping of it: the
	 * same bytes as the ECC vector, which used this seed */
	hex_eq(c1.id_object, c1.id_object_len, idobj_hex, "RSA ID object");
	ATT_CHECK(att_tpm_credential_wrap(blob, sizeof(blob), &bl,
					  ATT_TPM_ALG_SHA256, 128, seed, 32, name,
					  34, cred, 32, NULL) == 0 &&
			  bl == c1.id_object_len &&
			  !memcmp(blob, c1.id_object, bl),
		  "wrap == MakeCredential");
	free(ek);
}

static void test_errors(void)
{
	struct att_tpm_public *ek = ecc_ek();
	struct att_tpm_credential c;
	struct att_diag d;
	uint8_t name[34], cred[33];
	unhex(name, 34, name_hex);
	memset(cred, 7, sizeof(cred));
	att_diag_clear(&d);
	ATT_CHECK(att_tpm_make_credential(&c, ek, name, 34, cred, 33, &d) ==
			  ATT_ERR_INVALID_ARG && strstr(att_diag_msg(&d), "33 bytes"),
		  "credential too long: %s", att_diag_msg(&d));
	ATT_CHECK(att_tpm_make_credential(&c, ek, name, 34, cred, 0, NULL) ==
			  ATT_ERR_INVALID_ARG, "empty credential");
	ATT_CHECK(att_tpm_make_credential(&c, ek, name, 33, cred, 32, NULL) ==
			  ATT_ERR_INVALID_ARG, "short Name");
	name[1] = 0x99;
	ATT_CHECK(att_tpm_make_credential(&c, ek, name, 34, cred, 32, NULL) ==
			  ATT_ERR_INVALID_ARG, "Name of an unknown hash");
	name[1] = 0x0b;
	ek->attributes &= ~ATT_TPMA_DECRYPT;
	ATT_CHECK(att_tpm_make_credential(&c, ek, name, 34, cred, 32, NULL) ==
			  ATT_ERR_FORMAT, "EK without decrypt");
	ek->attributes |= ATT_TPMA_DECRYPT;
	ek->x[5] ^= 1;
	ATT_CHECK(att_tpm_make_credential(&c, ek, name, 34, cred, 32, NULL) != 0 &&
			  c.secret_len == 0, "EK point off the curve");
	free(ek);
}

int main(void)
{
	setenv("TSS2_LOG", "all+none", 0);
	ATT_REQUIRE_TESTDATA();
	test_kdfs();
	test_ecc_vector();
	test_rsa();
	test_errors();
	return att_test_done();
}
