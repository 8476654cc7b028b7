/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/tpm/context.h: service_context sealing (round trip, another
 * provider's key, tampering, expiry, clock skew, garbage);
 * evidence/tpm/aik_ca.h: the AIK CA (export/import, issuing, the private
 * extensions, chain checks at a given time through crypto/cert_path.h)
 * and chain checks of a real GCE AK certificate (critical directoryName
 * SAN) against its published root and intermediate.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/cert_path.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "crypto/pkey.h"
#include "evidence/tpm/aik_ca.h"
#include "evidence/tpm/context.h"
#include "harness/tap.h"

static const uint8_t master[32] = {1, 2, 3, 4, 5};
static const int64_t now = 1800000000;

static void test_keys(void)
{
	struct att_tpmctx_key a, a2, b;
	ATT_CHECK_EQ_INT(att_tpmctx_key_derive(&a, master, "default"), 0);
	ATT_CHECK_EQ_INT(att_tpmctx_key_derive(&a2, master, "default"), 0);
	ATT_CHECK_EQ_INT(att_tpmctx_key_derive(&b, master, "other"), 0);
	ATT_CHECK(!memcmp(a.k, a2.k, 32) && !strcmp(a.name, a2.name),
		  "derivation is deterministic");
	ATT_CHECK(memcmp(a.k, b.k, 32) && strcmp(a.name, b.name),
		  "providers get different keys");
	ATT_CHECK_EQ_INT(strlen(a.name), 64);
	att_tpmctx_key_wipe(&a);
	uint8_t zero[32] = {0};
	ATT_CHECK(!memcmp(a.k, zero, 32), "wiped");
}

static void test_seal(void)
{
	struct att_tpmctx_key k, other;
	struct att_tpmctx *c = calloc(1, sizeof(*c)),
			  *o = calloc(1, sizeof(*o));
	struct att_diag d = {0};
	char *s = NULL;
	att_tpmctx_key_derive(&k, master, "default");
	att_tpmctx_key_derive(&other, master, "p2");
	c->kind = ATT_TPMCTX_ENROLL;
	c->iat = now;
	c->exp = now + 300;
	memset(c->id, 0x11, sizeof(c->id));
	c->secret_len = 32;
	memset(c->secret, 0x22, 32);
	c->has_ek_cert = true;
	memset(c->ek_cert_sha256, 0x33, 32);
	c->aik_pub_len = 282;
	memset(c->aik_pub, 0x44, 282);
	ATT_CHECK_EQ_INT(att_tpmctx_seal(&s, &k, "default", c), 0);
	ATT_CHECK_EQ_INT(att_tpmctx_open(o, &k, "default", s, now + 10, &d), 0);
	ATT_CHECK(o->kind == c->kind && o->iat == c->iat && o->exp == c->exp &&
		      !memcmp(o->id, c->id, 16) && o->secret_len == 32 &&
		      !memcmp(o->secret, c->secret, 32) && o->has_ek_cert &&
		      !memcmp(o->ek_cert_sha256, c->ek_cert_sha256, 32) &&
		      o->aik_pub_len == 282 &&
		      !memcmp(o->aik_pub, c->aik_pub, 282),
		  "round trip");
	/* The text is MAA's shape: base64url of a JSON object. */
	uint8_t *js = NULL;
	size_t jl = 0;
	ATT_CHECK_EQ_INT(att_b64_decode(&js, &jl, s, strlen(s)), 0);
	ATT_CHECK(js && strstr((char *)js, "\"ProtectionKeyName\"") &&
		      strstr((char *)js, "\"ProtectedContext\""),
		  "MAA's envelope");
	ATT_CHECK(js && !memmem(js, jl, "\x22\x22\x22\x22", 4),
		  "the secret is not in clear");

	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_tpmctx_open(o, &other, "p2", s, now, &d),
			 ATT_ERR_SIG_INVALID);
	ATT_CHECK(strstr(att_diag_msg(&d), "not issued by this provider"), "%s",
		  att_diag_msg(&d));
	/* Same key, other provider name: the associated data differs. */
	ATT_CHECK_EQ_INT(att_tpmctx_open(o, &k, "p2", s, now, &d),
			 ATT_ERR_SIG_INVALID);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_tpmctx_open(o, &k, "default", s, now + 301, &d),
			 ATT_ERR_EXPIRED);
	ATT_CHECK(strstr(att_diag_msg(&d), "service_context expired 1 s ago"),
		  "%s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(att_tpmctx_open(o, &k, "default", s, now - 1000, &d),
			 ATT_ERR_NOT_YET_VALID);
	ATT_CHECK_EQ_INT(att_tpmctx_open(o, &k, "default", "garbage", now, &d),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_tpmctx_open(o, &k, "default", "", now, &d),
			 ATT_ERR_FORMAT);

	/* Flip one byte of the sealed blob. */
	json_t *env = json_loadb((char *)js, jl, 0, NULL);
	const char *pc =
	    json_string_value(json_object_get(env, "ProtectedContext"));
	uint8_t *blob = NULL;
	size_t bl = 0;
	att_b64_decode(&blob, &bl, pc, strlen(pc));
	blob[bl / 2] ^= 1;
	char *pc2 = att_b64url_encode(blob, bl);
	json_object_set_new(env, "ProtectedContext", json_string(pc2));
	char *t2 = json_dumps(env, JSON_COMPACT);
	char *s2 = att_b64url_encode((uint8_t *)t2, strlen(t2));
	ATT_CHECK_EQ_INT(att_tpmctx_open(o, &k, "default", s2, now, &d),
			 ATT_ERR_SIG_INVALID);
	free(s2);
	free(t2);
	free(pc2);
	free(blob);
	json_decref(env);
	free(js);
	free(s);
	free(c);
	free(o);
}

/* seal_raw seals a plaintext record as context_seal.c does (associated
 * data "attestd-tpm-context/v1/<provider>", MAA's envelope), so that the
 * record reader behind the authentication can be fed any bytes. */
static char *seal_raw(const struct att_tpmctx_key *k, const char *provider,
		      const uint8_t *plain, size_t len)
{
	char aad[128], *b = NULL, *js = NULL, *text = NULL;
	uint8_t *blob = NULL;
	size_t bl = 0;
	json_t *o = NULL;
	snprintf(aad, sizeof(aad), "attestd-tpm-context/v1/%s", provider);
	if (att_keywrap_wrap(&blob, &bl, k->k, aad, strlen(aad), plain, len))
		return NULL;
	if ((b = att_b64url_encode(blob, bl)) &&
	    (o = json_pack("{s:s, s:s}", "ProtectionKeyName", k->name,
			   "ProtectedContext", b)) &&
	    (js = json_dumps(o, JSON_COMPACT)))
		text = att_b64url_encode((const uint8_t *)js, strlen(js));
	json_decref(o);
	free(js);
	free(b);
	free(blob);
	return text;
}

static int open_raw(const struct att_tpmctx_key *k, const uint8_t *plain,
		    size_t len, struct att_tpmctx *o)
{
	char *t = seal_raw(k, "default", plain, len);
	int r = t ? att_tpmctx_open(o, k, "default", t, now, NULL) : -999;
	free(t);
	return r;
}

/* The record of the layout in context_seal.c: every prefix and one byte
 * more are ATT_ERR_FORMAT, and so are a wrong version, has_ek_cert 2, a
 * secret longer than ATT_TPMCTX_MAX_SECRET and an aik_pub length past
 * the end. */
static void test_record(void)
{
	struct att_tpmctx_key k;
	struct att_tpmctx *o = calloc(1, sizeof(*o));
	uint8_t rec[200];
	size_t n = 0;
	att_tpmctx_key_derive(&k, master, "default");
	rec[n++] = 1;			 /* version */
	rec[n++] = ATT_TPMCTX_ENROLL; /* kind */
	for (int i = 7; i >= 0; i--)
		rec[n++] = (uint8_t)((uint64_t)now >> (8 * i));
	for (int i = 7; i >= 0; i--)
		rec[n++] = (uint8_t)((uint64_t)(now + 60) >> (8 * i));
	memset(rec + n, 0x11, 16); /* id */
	n += 16;
	size_t at_secret_len = n;
	rec[n++] = 4;
	memset(rec + n, 0x22, 4);
	n += 4;
	size_t at_has = n;
	rec[n++] = 1;
	memset(rec + n, 0x33, 32);
	n += 32;
	rec[n++] = 0;
	rec[n++] = 3;
	memcpy(rec + n, "aik", 3);
	n += 3;
	ATT_CHECK_EQ_INT(open_raw(&k, rec, n, o), 0);
	ATT_CHECK(o->kind == ATT_TPMCTX_ENROLL && o->iat == now &&
			  o->exp == now + 60 && o->secret_len == 4 &&
			  o->secret[3] == 0x22 && o->has_ek_cert &&
			  o->ek_cert_sha256[31] == 0x33 && o->aik_pub_len == 3 &&
			  !memcmp(o->aik_pub, "aik", 3),
		  "the record as written");
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		if (open_raw(&k, rec, i, o) != ATT_ERR_FORMAT)
			bad++;
	ATT_CHECK(bad == 0, "%d prefixes of the record not refused", bad);
	rec[n] = 0;
	ATT_CHECK_EQ_INT(open_raw(&k, rec, n + 1, o), ATT_ERR_FORMAT);
	rec[0] = 2;
	ATT_CHECK_EQ_INT(open_raw(&k, rec, n, o), ATT_ERR_FORMAT);
	rec[0] = 1;
	rec[at_has] = 2;
	ATT_CHECK_EQ_INT(open_raw(&k, rec, n, o), ATT_ERR_FORMAT);
	rec[at_has] = 1;
	rec[at_secret_len] = ATT_TPMCTX_MAX_SECRET + 1;
	ATT_CHECK_EQ_INT(open_raw(&k, rec, n, o), ATT_ERR_FORMAT);
	rec[at_secret_len] = 4;
	rec[n - 4] = 4; /* aik_pub_len 4 with 3 bytes left */
	ATT_CHECK_EQ_INT(open_raw(&k, rec, n, o), ATT_ERR_FORMAT);
	rec[n - 4] = 3;
	ATT_CHECK_EQ_INT(open_raw(&k, rec, n, o), 0);
	free(o);
}

/* der_to_pem converts a DER certificate file to PEM text. */
static char *der_to_pem(const char *path)
{
	size_t n = 0;
	unsigned char *der = att_read_file(path, &n);
	struct att_cert *c = NULL;
	char *pem = NULL;
	if (der && att_cert_from_der(&c, der, n) == 0)
		att_cert_to_pem(&pem, c);
	att_cert_free(c);
	free(der);
	return pem;
}

static void test_ca(void)
{
	struct att_tpmca *ca = NULL, *ca2 = NULL, *other = NULL;
	struct att_pkey *aik = NULL;
	struct att_diag d = {0};
	char *key = NULL, *cert = NULL, *ocert = NULL;
	size_t key_len = 0, spki_len = 0, n = 0;
	uint8_t *spki = NULL, *der = NULL, *leaf_spki = NULL, h[32], buf[80];
	size_t der_len = 0;
	ATT_CHECK_EQ_INT(att_tpmca_generate(&ca, "default", now, 7300), 0);
	ATT_CHECK_EQ_INT(att_tpmca_export(ca, &key, &key_len, &cert), 0);
	ATT_CHECK_EQ_INT(
	    att_tpmca_import(&ca2, key, key_len, cert, strlen(cert)), 0);
	ATT_CHECK_EQ_INT(att_tpmca_generate(&other, "p2", now, 7300), 0);
	att_tpmca_cert_pem(other, &ocert);
	struct att_tpmca *mix = NULL;
	ATT_CHECK_EQ_INT(
	    att_tpmca_import(&mix, key, key_len, ocert, strlen(ocert)),
	    ATT_ERR_MISMATCH);

	att_pkey_generate(&aik, ATT_KEY_RSA2048);
	att_pkey_spki_der(&spki, &spki_len, aik);
	uint8_t name[34] = {0x00, 0x0b, 0xde, 0xad}, ek[32];
	memset(ek, 0x5a, 32);
	struct att_tpmca_issue is = {.spki = spki,
				     .spki_len = spki_len,
				     .aik_name = name,
				     .aik_name_len = 34,
				     .ek_cert_sha256 = ek,
				     .now = now,
				     .days = 365};
	ATT_CHECK_EQ_INT(att_tpmca_issue(&der, &der_len, ca2, &is, &d), 0);
	struct att_cert_path v = {.der = der,
				  .der_len = der_len,
				  .roots_pem = cert,
				  .roots_len = strlen(cert),
				  .at = now,
				  .what = "AIK certificate"};
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &leaf_spki, &n, h, &d), 0);
	ATT_CHECK(n == spki_len && !memcmp(leaf_spki, spki, n),
		  "the certificate carries the AIK key");
	uint8_t want[32];
	att_sha256(want, der, der_len);
	ATT_CHECK(!memcmp(h, want, 32), "leaf SHA-256");
	free(leaf_spki);
	ATT_CHECK_EQ_INT(att_cert_der_ext_octets(der, der_len,
					     ATT_TPM_OID_EK_CERT_SHA256, buf,
					     sizeof(buf), &n),
			 0);
	ATT_CHECK(n == 32 && !memcmp(buf, ek, 32), "EK certificate hash");
	ATT_CHECK_EQ_INT(att_cert_der_ext_octets(der, der_len, ATT_TPM_OID_AIK_NAME,
					     buf, sizeof(buf), &n),
			 0);
	ATT_CHECK(n == 34 && !memcmp(buf, name, 34), "AIK Name");
	ATT_CHECK_EQ_INT(
	    att_cert_der_ext_octets(der, der_len, "1.2.3.4", buf, sizeof(buf), &n),
	    ATT_ERR_NOT_FOUND);

	/* Failures. */
	v.at = now + 366 * 86400;
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &leaf_spki, &n, NULL, &d),
			 ATT_ERR_EXPIRED);
	v.at = now;
	v.roots_pem = ocert;
	v.roots_len = strlen(ocert);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &leaf_spki, &n, NULL, &d),
			 ATT_ERR_CHAIN_INVALID);
	ATT_CHECK(strstr(att_diag_msg(&d), "AIK certificate does not chain"),
		  "%s", att_diag_msg(&d));
	v.roots_pem = NULL;
	v.roots_len = 0;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &leaf_spki, &n, NULL, &d),
			 ATT_ERR_CHAIN_INVALID);
	ATT_CHECK(strstr(att_diag_msg(&d), "no trusted roots"), "%s",
		  att_diag_msg(&d));
	v.roots_pem = cert;
	v.roots_len = strlen(cert);
	v.der_len = der_len - 1;
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &leaf_spki, &n, NULL, &d),
			 ATT_ERR_FORMAT);
	uint8_t *longer = malloc(der_len + 1);
	memcpy(longer, der, der_len);
	longer[der_len] = 0;
	v.der = longer;
	v.der_len = der_len + 1;
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &leaf_spki, &n, NULL, &d),
			 ATT_ERR_FORMAT);
	free(longer);
	/* A name longer than a SHA-256 Name does not fit the subject. */
	is.aik_name_len = 2;
	uint8_t *bad = NULL;
	size_t bad_len = 0;
	ATT_CHECK(att_tpmca_issue(&bad, &bad_len, ca2, &is, &d) != 0,
		  "empty Name refused");
	free(bad);

	free(der);
	free(spki);
	att_pkey_free(aik);
	if (key)
		memset(key, 0, key_len);
	free(key);
	free(cert);
	free(ocert);
	att_tpmca_free(ca);
	att_tpmca_free(ca2);
	att_tpmca_free(other);
}

static void test_gce_chain(void)
{
	char p[4096];
	const char *td = att_testdata();
	snprintf(p, sizeof(p), "%s/tpm/ca/gce_tpm_ek_root_1.cer", td);
	char *root = der_to_pem(p);
	snprintf(p, sizeof(p), "%s/tpm/ca/gce_tpm_ek_intermediate_2.crt", td);
	char *inter = der_to_pem(p);
	snprintf(p, sizeof(p),
		 "%s/tpm/quotes/gce_cos85/gce-cos-85-nonce9009/ak_cert.der",
		 td);
	size_t n = 0, sl = 0;
	unsigned char *ak = att_read_file(p, &n);
	uint8_t *spki = NULL;
	struct att_diag d = {0};
	ATT_CHECK(root && inter && ak, "GCE files read");
	if (!root || !inter || !ak)
		goto out;
	struct att_cert_path v = {.der = ak,
				  .der_len = n,
				  .roots_pem = root,
				  .roots_len = strlen(root),
				  .inter_pem = inter,
				  .inter_len = strlen(inter),
				  .at = 1700000000,
				  .what = "GCE AK"};
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &spki, &sl, NULL, &d), 0);
	ATT_CHECK(sl > 256, "RSA-2048 SPKI (%zu bytes): %s", sl,
		  att_diag_msg(&d));
	free(spki);
	spki = NULL;
	v.inter_pem = NULL; /* the intermediate is needed */
	v.inter_len = 0;
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &spki, &sl, NULL, &d),
			 ATT_ERR_CHAIN_INVALID);
	v.inter_pem = inter;
	v.inter_len = strlen(inter);
	v.at = 1500000000; /* before the AK certificate's notBefore */
	ATT_CHECK_EQ_INT(att_cert_path_verify(&v, &spki, &sl, NULL, &d),
			 ATT_ERR_NOT_YET_VALID);
out:
	free(spki);
	free(root);
	free(inter);
	free(ak);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	test_keys();
	test_seal();
	test_record();
	test_ca();
	test_gce_chain();
	return att_test_done();
}
