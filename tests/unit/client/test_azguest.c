/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TPM-free parts of the AzureGuest client (client/azguest.h):
 *  - the request builder fed the parts of the REST API's real "Attest
 *    Azure Guest VM" example (tests/vectors/maa/spec-examples/decoded/
 *    stable-2025-06-01_AttestAzureGuestVm) rebuilds that example's
 *    AttestationInfo exactly, member by member, and the request body
 *    carries it as base64url; the SevSnp IsolationInfo shape; missing
 *    parts refused;
 *  - the sealed answer: an envelope made with att_azg_envelope_make
 *    opens with the
 *    right inner key and not with another, a changed tag, ciphertext or
 *    IV; every prefix of the answer and mutated members are refused at
 *    parse time; a plaintext that is no JWS is refused;
 *  - the HCL report: the two real Azure reports of tests/vectors parse
 *    (SNP and TDX, REPORT_DATA bound to the runtime data on SNP); a built
 *    one round-trips; every prefix and header mutation is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "client/azguest.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "evidence/tpm/tpm_alg.h"
#include "harness/tap.h"

#define EX "maa/spec-examples/decoded/stable-2025-06-01_AttestAzureGuestVm/"

static uint8_t *vec(const char *name, size_t *len)
{
	char p[8192];
	int n = snprintf(p, sizeof(p), "%s/%s", att_testdata(), name);
	if (n < 0 || (size_t)n >= sizeof(p))
		return NULL;
	uint8_t *b = att_read_file(p, len);
	ATT_CHECK(b != NULL, "read %s", name);
	return b;
}

static int no_unwrap(void *ctx, const uint8_t *in, size_t in_len,
		     uint8_t *out, size_t cap, size_t *out_len,
		     struct att_diag *d)
{
	(void)ctx, (void)in, (void)in_len, (void)out, (void)cap, (void)d;
	*out_len = 0;
	return ATT_ERR_INTERNAL;
}

/* ---- request -------------------------------------------------------- */

static void load_pcrs(struct att_tpm_pcrs *p)
{
	size_t n = 0;
	uint8_t *b = vec(EX "pcrs_sha256.json", &n);
	json_t *j = b ? json_loadb((char *)b, n, 0, NULL) : NULL;
	const char *k;
	json_t *v;
	memset(p, 0, sizeof(*p));
	att_tpm_pcrs_add_bank(p, ATT_TPM_ALG_SHA256);
	json_object_foreach(j, k, v) {
		uint8_t d[32];
		const char *h = json_string_value(v);
		if (h && att_hex_decode_fixed(d, 32, h, strlen(h)) == 0)
			att_tpm_pcrs_set(p, ATT_TPM_ALG_SHA256,
					 (uint32_t)atoi(k), d, 32);
	}
	json_decref(j);
	free(b);
}

struct example {
	uint8_t *f[8];
	size_t n[8];
	struct att_tpm_pcrs pcrs;
	json_t *payload, *want;
	struct att_azg_evidence e;
};

static void example_load(struct example *x)
{
	static const char *files[8] = {
	    "aik_cert.der",		 "aik_pub.tpm2b_public.bin",
	    "quote.bin",		 "signature.bin",
	    "enc_key_pub.tpm2b_public.bin", "enc_key_certify_info.bin",
	    "enc_key_certify_info_signature.bin", "tcg_log.bin"};
	char name[256];
	size_t n = 0;
	memset(x, 0, sizeof(*x));
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), EX "%s", files[i]);
		x->f[i] = vec(name, &x->n[i]);
	}
	load_pcrs(&x->pcrs);
	uint8_t *w = vec(EX "attestation_info.json", &n);
	x->want = w ? json_loadb((char *)w, n, 0, NULL) : NULL;
	free(w);
	x->payload = json_pack(
	    "{s:s}", "ArmID",
	    "/subscriptions/130068aa-dcf8-46e8-a2cc-205ab4a32b30/"
	    "resourceGroups/bab-ext48-test/providers/Microsoft.Compute/"
	    "virtualMachines/bab-winserver2019");
#define B(i) ((struct att_azg_bytes){x->f[i], x->n[i]})
	x->e = (struct att_azg_evidence){
	    .os_type = "Windows", .os_distro = "Microsoft",
	    .os_build = "NotApplicable", .os_major = 10, .os_minor = 0,
	    .tcg_log = B(7), .client_payload = x->payload,
	    .aik_cert = B(0), .aik_pub = B(1), .quote = B(2),
	    .quote_sig = B(3), .pcrs = &x->pcrs,
	    .pcr_mask = ATT_AZG_PCRS_WINDOWS, .enc_key_pub = B(4),
	    .certify_info = B(5), .certify_sig = B(6),
	    .isolation = ATT_AZG_TRUSTED_LAUNCH};
#undef B
}

static void example_free(struct example *x)
{
	for (int i = 0; i < 8; i++)
		free(x->f[i]);
	json_decref(x->payload);
	json_decref(x->want);
}

/* same_members compares two objects member by member (recursively),
 * reporting the first difference by path. */
static int same_members(json_t *got, json_t *want, const char *path)
{
	const char *k;
	json_t *v;
	char sub[256];
	if (json_is_object(want)) {
		if (!json_is_object(got) ||
		    json_object_size(got) != json_object_size(want)) {
			printf("# %s: member count %zu, want %zu\n", path,
			       json_object_size(got), json_object_size(want));
			return 0;
		}
		json_object_foreach(want, k, v) {
			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			if (!same_members(json_object_get(got, k), v, sub))
				return 0;
		}
		return 1;
	}
	if (!json_equal(got, want)) {
		printf("# %s differs\n", path);
		return 0;
	}
	return 1;
}

static void test_request(void)
{
	struct example x;
	struct att_diag d;
	json_t *info = NULL;
	char *body = NULL;
	att_diag_clear(&d);
	example_load(&x);
	ATT_CHECK(x.want != NULL, "the example's attestation_info.json");
	int r = att_azg_attestation_info(&info, &x.e, &d);
	ATT_CHECK(r == 0, "AttestationInfo from the example's parts: %s",
		  att_diag_msg(&d));
	ATT_CHECK(info && x.want && same_members(info, x.want, "$"),
		  "AttestationInfo equals the real example, member by member");
	ATT_CHECK(info && json_array_size(json_object_get(
			      json_object_get(info, "TpmInfo"), "PcrSet")) == 12,
		  "PcrSet: the Windows PCR list (12 PCRs)");

	r = att_azg_request_body(&body, &x.e, &d);
	json_t *b = body ? json_loads(body, 0, NULL) : NULL;
	const char *s = json_string_value(json_object_get(b, "AttestationInfo"));
	uint8_t *raw = NULL;
	size_t n = 0;
	ATT_CHECK(r == 0 && json_object_size(b) == 1 && s,
		  "body: {\"AttestationInfo\": ...} only");
	ATT_CHECK(s && !strpbrk(s, "+/=") &&
		      att_b64url_decode_strict(&raw, &n, s, strlen(s), NULL) == 0,
		  "body: AttestationInfo is unpadded base64url");
	json_t *back = raw ? json_loadb((char *)raw, n, 0, NULL) : NULL;
	ATT_CHECK(back && json_equal(back, info),
		  "body: it decodes to the AttestationInfo");
	json_decref(back);
	json_decref(b);
	free(raw);
	free(body);
	json_decref(info);

	/* Missing parts and a bad client payload. */
	struct att_azg_evidence e = x.e;
	e.certify_sig = (struct att_azg_bytes){0};
	ATT_CHECK_EQ_INT(att_azg_attestation_info(&info, &e, &d),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK(strstr(att_diag_msg(&d), "certification signature") != NULL,
		  "the missing part is named: %s", att_diag_msg(&d));
	e = x.e;
	e.pcr_mask |= 1u << 20; /* a PCR without a value */
	ATT_CHECK_EQ_INT(att_azg_attestation_info(&info, &e, &d),
			 ATT_ERR_INVALID_ARG);
	e = x.e;
	json_t *bad = json_pack("{s:i}", "ArmID", 3);
	e.client_payload = bad;
	ATT_CHECK_EQ_INT(att_azg_attestation_info(&info, &e, &d),
			 ATT_ERR_FORMAT);
	json_decref(bad);
	e = x.e;
	e.isolation = ATT_AZG_SEV_SNP;
	ATT_CHECK_EQ_INT(att_azg_attestation_info(&info, &e, &d),
			 ATT_ERR_INVALID_ARG);

	/* SevSnp: Proof = b64url({"SnpReport", "VcekCertChain"}). */
	static const uint8_t rep[ATT_HCL_SNP_REPORT_LEN] = {5};
	static const char rt[] = "{\"keys\":[]}", pem[] = "-----BEGIN X";
	e.hw_report = (struct att_azg_bytes){rep, sizeof(rep)};
	e.runtime_data = (struct att_azg_bytes){(const uint8_t *)rt, strlen(rt)};
	e.vcek_chain = (struct att_azg_bytes){(const uint8_t *)pem, strlen(pem)};
	r = att_azg_attestation_info(&info, &e, &d);
	json_t *iso = json_object_get(info, "IsolationInfo");
	json_t *ev = json_object_get(iso, "Evidence");
	const char *proof = json_string_value(json_object_get(ev, "Proof"));
	const char *rtd = json_string_value(json_object_get(ev, "RunTimeData"));
	ATT_CHECK(r == 0 && !strcmp(json_string_value(json_object_get(iso, "Type")),
				    "SevSnp") && proof && rtd,
		  "SevSnp: Type, Evidence.Proof, Evidence.RunTimeData");
	raw = NULL;
	if (proof && att_b64_decode(&raw, &n, proof, strlen(proof)) == 0) {
		json_t *pj = json_loadb((char *)raw, n, 0, NULL);
		const char *sr = json_string_value(json_object_get(pj, "SnpReport"));
		const char *vc =
		    json_string_value(json_object_get(pj, "VcekCertChain"));
		uint8_t *r1 = NULL, *r2 = NULL;
		size_t l1 = 0, l2 = 0;
		ATT_CHECK(sr && vc && !att_b64_decode(&r1, &l1, sr, strlen(sr)) &&
			      l1 == sizeof(rep) && !memcmp(r1, rep, l1) &&
			      !att_b64_decode(&r2, &l2, vc, strlen(vc)) &&
			      l2 == strlen(pem) && !memcmp(r2, pem, l2),
			  "SevSnp: the proof carries the report and the chain");
		free(r1);
		free(r2);
		json_decref(pj);
	} else
		ATT_CHECK(0, "SevSnp: the proof is base64");
	free(raw);
	raw = NULL;
	ATT_CHECK(rtd && !att_b64_decode(&raw, &n, rtd, strlen(rtd)) &&
		      n == strlen(rt) && !memcmp(raw, rt, n),
		  "SevSnp: RunTimeData is the runtime data");
	free(raw);
	json_decref(info);
	example_free(&x);
}

/* ---- sealed answer -------------------------------------------------- */

static const uint8_t inner[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				  12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
				  23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t iv12[12] = {0xca, 0xfe, 0xba, 0xbe, 1, 2,
				 3,    4,    5,    6,    7, 8};
static const uint8_t wrapped[256] = {0x42};
static const char jws[] = "eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.c2ln";

/* key_unwrap returns ctx (32 bytes) after checking it got `wrapped`. */
static int key_unwrap(void *ctx, const uint8_t *in, size_t in_len,
		      uint8_t *out, size_t cap, size_t *out_len,
		      struct att_diag *d)
{
	(void)d;
	if (in_len != sizeof(wrapped) || memcmp(in, wrapped, in_len) ||
	    cap < 32)
		return ATT_ERR_MISMATCH;
	memcpy(out, ctx, 32);
	*out_len = 32;
	return 0;
}

/* reseal rewrites one member of the envelope of body. */
static char *reseal(const char *body, const char *path, json_t *val)
{
	json_t *b = json_loads(body, 0, NULL);
	const char *t = json_string_value(json_object_get(b, "token"));
	uint8_t *env = NULL;
	size_t n = 0;
	char *out = NULL;
	if (t && att_b64_decode(&env, &n, t, strlen(t)) == 0) {
		json_t *e = json_loadb((char *)env, n, 0, NULL);
		json_t *o = e;
		const char *m = path;
		if (!strncmp(path, "EncryptionParams.", 17)) {
			o = json_object_get(e, "EncryptionParams");
			m = path + 17;
		}
		if (val)
			json_object_set(o, m, val);
		else
			json_object_del(o, m);
		char *es = json_dumps(e, JSON_COMPACT);
		char *b64 = att_b64url_encode((uint8_t *)es, strlen(es));
		json_t *nb = json_pack("{s:s}", "token", b64);
		out = json_dumps(nb, JSON_COMPACT);
		json_decref(nb);
		free(b64);
		free(es);
		json_decref(e);
	}
	free(env);
	json_decref(b);
	return out;
}

static int parse_open(const char *body, const uint8_t *key, char **jwt,
		      struct att_diag *d)
{
	struct att_azg_sealed s;
	int r = att_azg_sealed_parse(&s, (const uint8_t *)body, strlen(body), d);
	*jwt = NULL;
	if (r == 0)
		r = att_azg_open(jwt, &s, key_unwrap, (void *)key, d);
	att_azg_sealed_release(&s);
	return r;
}

static void test_sealed(void)
{
	struct att_diag d;
	char *body = NULL, *jwt = NULL;
	att_diag_clear(&d);
	int r = att_azg_envelope_make(&body, jws, inner, iv12, sizeof(iv12), wrapped,
			     sizeof(wrapped));
	ATT_CHECK(r == 0 && body, "seal");
	if (!body)
		return;
	r = parse_open(body, inner, &jwt, &d);
	ATT_CHECK(r == 0 && jwt && !strcmp(jwt, jws), "sealed token opens: %s",
		  att_diag_msg(&d));
	free(jwt);

	uint8_t other[32];
	memcpy(other, inner, 32);
	other[31] ^= 1;
	ATT_CHECK_EQ_INT(parse_open(body, other, &jwt, &d), ATT_ERR_SIG_INVALID);
	ATT_CHECK(jwt == NULL, "no token with another key");

	struct att_azg_sealed s;
	ATT_CHECK_EQ_INT(att_azg_sealed_parse(&s, (const uint8_t *)body,
					      strlen(body), &d),
			 0);
	ATT_CHECK(s.iv_len == 12 && s.wrapped_key_len == 256 &&
		      s.jwt_ct_len == strlen(jws),
		  "parsed: IV, wrapped key and ciphertext lengths");
	ATT_CHECK_EQ_INT(att_azg_open(&jwt, &s, no_unwrap, NULL, &d),
			 ATT_ERR_INTERNAL);
	s.tag[0] ^= 1;
	ATT_CHECK_EQ_INT(att_azg_open(&jwt, &s, key_unwrap, (void *)inner, &d),
			 ATT_ERR_SIG_INVALID);
	s.tag[0] ^= 1;
	s.jwt_ct[3] ^= 0x20;
	ATT_CHECK_EQ_INT(att_azg_open(&jwt, &s, key_unwrap, (void *)inner, &d),
			 ATT_ERR_SIG_INVALID);
	s.jwt_ct[3] ^= 0x20;
	s.iv[11] ^= 1;
	ATT_CHECK_EQ_INT(att_azg_open(&jwt, &s, key_unwrap, (void *)inner, &d),
			 ATT_ERR_SIG_INVALID);
	att_azg_sealed_release(&s);

	/* Every prefix of the answer is refused. */
	size_t n = strlen(body), ok = 0;
	for (size_t k = 0; k < n; k++) {
		if (att_azg_sealed_parse(&s, (const uint8_t *)body, k, &d) != 0 &&
		    s.jwt_ct == NULL && s.wrapped_key == NULL)
			ok++;
		att_azg_sealed_release(&s);
	}
	ATT_CHECK(ok == n, "every prefix refused (%zu of %zu)", ok, n);

	/* Mutated members. */
	static const struct {
		const char *path;
		const char *json; /* NULL: delete */
		int want;
	} m[] = {
	    {"Jwt", NULL, ATT_ERR_FORMAT},
	    {"Jwt", "\"\"", ATT_ERR_FORMAT},
	    {"Jwt", "\"@@@\"", ATT_ERR_FORMAT},
	    {"EncryptedInnerKey", NULL, ATT_ERR_FORMAT},
	    {"EncryptedInnerKey", "7", ATT_ERR_FORMAT},
	    {"AuthenticationData", "\"AAAA\"", ATT_ERR_FORMAT},
	    {"AuthenticationData", NULL, ATT_ERR_FORMAT},
	    {"EncryptionParams", NULL, ATT_ERR_FORMAT},
	    {"EncryptionParams.Iv", NULL, ATT_ERR_FORMAT},
	    {"EncryptionParams.Iv", "\"AAAAAAAAAAAAAAAAAAAAAAAA\"",
	     ATT_ERR_LIMIT},
	    {"EncryptionParams.Cipher", "\"DES\"", ATT_ERR_UNSUPPORTED},
	    {"EncryptionParams.BlockMode", "\"ChainingModeCBC\"",
	     ATT_ERR_UNSUPPORTED},
	    {"EncryptionParams.KeySizeInBits", "128", ATT_ERR_UNSUPPORTED},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		json_t *v = m[i].json ? json_loads(m[i].json, JSON_DECODE_ANY,
						   NULL)
				      : NULL;
		char *b2 = reseal(body, m[i].path, v);
		r = b2 ? att_azg_sealed_parse(&s, (uint8_t *)b2, strlen(b2), &d)
		       : ATT_ERR_INTERNAL;
		ATT_CHECK(r == m[i].want, "%s = %s: %d (want %d) %s",
			  m[i].path, m[i].json ? m[i].json : "(deleted)", r,
			  m[i].want, att_diag_msg(&d));
		att_azg_sealed_release(&s);
		json_decref(v);
		free(b2);
	}
	/* A wrapped key too long for one RSA block. */
	uint8_t big[ATT_AZG_MAX_WRAPPED_KEY_LEN + 1] = {0};
	char *b3 = NULL;
	att_azg_envelope_make(&b3, jws, inner, iv12, 12, big, sizeof(big));
	ATT_CHECK_EQ_INT(att_azg_sealed_parse(&s, (uint8_t *)b3, strlen(b3), &d),
			 ATT_ERR_LIMIT);
	att_azg_sealed_release(&s);
	free(b3);
	/* Plaintext that is not a compact JWS. */
	att_azg_envelope_make(&b3, "not a token", inner, iv12, 12, wrapped,
		     sizeof(wrapped));
	ATT_CHECK_EQ_INT(parse_open(b3, inner, &jwt, &d), ATT_ERR_FORMAT);
	free(b3);
	/* Not an answer at all. */
	static const char *junk[] = {"", "[]", "{}", "{\"token\":1}",
				     "{\"token\":\"e30\"}",
				     "{\"token\":\"!!\"}"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		ATT_CHECK(att_azg_sealed_parse(&s, (const uint8_t *)junk[i],
					       strlen(junk[i]), &d) != 0,
			  "junk answer %s refused", junk[i]);
		att_azg_sealed_release(&s);
	}
	free(body);
}

/* ---- HCL report ----------------------------------------------------- */

static void test_hcl_real(void)
{
	struct att_hcl_report h;
	struct att_diag d;
	size_t n = 0;
	att_diag_clear(&d);
	uint8_t *b = vec("tpm/quotes/azure_snp_vtpm/hcl-report.bin", &n);
	int r = b ? att_hcl_parse(&h, b, n, &d) : ATT_ERR_IO;
	ATT_CHECK(r == 0 && h.report_type == ATT_HCL_TYPE_SNP &&
		      h.hw_report_len == ATT_HCL_SNP_REPORT_LEN &&
		      h.runtime_data_len == 1110 && h.version == 1,
		  "real Azure SNP HCL report: %s", att_diag_msg(&d));
	ATT_CHECK(r == 0 && att_hcl_binds(&h),
		  "real SNP report: REPORT_DATA = SHA-256(runtime data)");
	ATT_CHECK(r == 0 && h.runtime_data[0] == '{' &&
		      memmem(h.runtime_data, h.runtime_data_len, "HCLAkPub", 8),
		  "real SNP report: the runtime data names HCLAkPub");
	free(b);
	b = vec("tpm/quotes/azure_tdx_vtpm/hcl-report.bin", &n);
	r = b ? att_hcl_parse(&h, b, n, &d) : ATT_ERR_IO;
	ATT_CHECK(r == 0 && h.report_type == ATT_HCL_TYPE_TDX &&
		      h.hw_report_len == ATT_HCL_TDX_REPORT_LEN &&
		      h.runtime_data_len == 1201 && h.version == 2,
		  "real Azure TDX HCL report (header version 2): %s",
		  att_diag_msg(&d));
	ATT_CHECK(r == 0 && !att_hcl_binds(&h),
		  "att_hcl_binds is for SNP reports only");
	free(b);
}

static void test_hcl_built(void)
{
	static const char rt[] = "{\"keys\":[{\"kid\":\"HCLAkPub\"}]}";
	uint8_t rep[ATT_HCL_SNP_REPORT_LEN] = {0};
	struct att_hcl_report h;
	struct att_diag d;
	struct att_buf b;
	att_diag_clear(&d);
	att_sha256(rep + 0x50, rt, strlen(rt));
	att_buf_init(&b, ATT_MAX_HCL_REPORT_LEN);
	int r = att_hcl_build(&b, ATT_HCL_TYPE_SNP, rep, sizeof(rep),
			      (const uint8_t *)rt, strlen(rt));
	ATT_CHECK(r == 0 && b.len == 32 + 1184 + 20 + strlen(rt),
		  "built SNP HCL report");
	r = att_hcl_parse(&h, b.data, b.len, &d);
	ATT_CHECK(r == 0 && att_hcl_binds(&h) &&
		      h.runtime_data_len == strlen(rt) &&
		      !memcmp(h.runtime_data, rt, strlen(rt)) &&
		      h.report_size == b.len,
		  "built report parses, binds, runtime data back");
	/* Every prefix is refused; padding after the runtime data is not. */
	size_t ok = 0;
	for (size_t k = 0; k < b.len; k++)
		if (att_hcl_parse(&h, b.data, k, &d) == ATT_ERR_TRUNCATED &&
		    h.hw_report == NULL)
			ok++;
	ATT_CHECK(ok == b.len, "every prefix: ATT_ERR_TRUNCATED (%zu of %zu)",
		  ok, b.len);
	struct att_buf p;
	att_buf_init(&p, ATT_MAX_HCL_REPORT_LEN);
	att_buf_add(&p, b.data, b.len);
	att_buf_add(&p, rep, 300);
	ATT_CHECK(att_hcl_parse(&h, p.data, p.len, &d) == 0,
		  "NV padding after the report is ignored");
	att_buf_release(&p);
	/* Header and request-data mutations. */
	static const struct {
		size_t off;
		uint8_t val;
		int want;
	} m[] = {
	    {0, 'X', ATT_ERR_FORMAT},	       /* signature */
	    {4, 3, ATT_ERR_UNSUPPORTED},       /* header version */
	    {4, 0, ATT_ERR_UNSUPPORTED},
	    {1216 + 4, 2, ATT_ERR_UNSUPPORTED}, /* request data version */
	    {1216 + 8, 3, ATT_ERR_UNSUPPORTED}, /* report type TVM */
	    {1216 + 12, 0, ATT_ERR_UNSUPPORTED}, /* hash type */
	    {1216 + 12, 4, ATT_ERR_UNSUPPORTED},
	    {1216 + 0, 0, ATT_ERR_FORMAT},  /* data size */
	    {1216 + 16, 0xff, ATT_ERR_FORMAT}, /* variable data size */
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		uint8_t save = b.data[m[i].off];
		b.data[m[i].off] = m[i].val;
		r = att_hcl_parse(&h, b.data, b.len, &d);
		ATT_CHECK(r == m[i].want && h.hw_report == NULL,
			  "byte %zu = 0x%02x: %d (want %d)", m[i].off,
			  m[i].val, r, m[i].want);
		b.data[m[i].off] = save;
	}
	b.data[32 + 0x50] ^= 1;
	ATT_CHECK(att_hcl_parse(&h, b.data, b.len, &d) == 0 && !att_hcl_binds(&h),
		  "REPORT_DATA changed: parses, does not bind");
	att_buf_release(&b);
	uint8_t huge[ATT_MAX_HCL_REPORT_LEN + 1] = {0};
	ATT_CHECK_EQ_INT(att_hcl_parse(&h, huge, sizeof(huge), &d),
			 ATT_ERR_LIMIT);
	/* TDX: a 1024-byte TD report in the 1184-byte area. */
	uint8_t td[ATT_HCL_TDX_REPORT_LEN];
	memset(td, 0x77, sizeof(td));
	att_buf_init(&b, ATT_MAX_HCL_REPORT_LEN);
	r = att_hcl_build(&b, ATT_HCL_TYPE_TDX, td, sizeof(td),
			  (const uint8_t *)rt, strlen(rt));
	ATT_CHECK(r == 0 && att_hcl_parse(&h, b.data, b.len, &d) == 0 &&
		      h.report_type == ATT_HCL_TYPE_TDX &&
		      h.hw_report_len == sizeof(td) &&
		      !memcmp(h.hw_report, td, sizeof(td)),
		  "built TDX HCL report round-trips");
	ATT_CHECK_EQ_INT(att_hcl_build(&b, ATT_HCL_TYPE_TDX, rep, sizeof(rep),
				       NULL, 0),
			 ATT_ERR_INVALID_ARG);
	att_buf_release(&b);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	test_request();
	test_sealed();
	test_hcl_real();
	test_hcl_built();
	return att_test_done();
}
