/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/AzureGuest on the verifier (src/verify/azureguest*.c):
 *  - the REST specification's AttestAzureGuestVm example (a real Trusted
 *    Launch Windows VM) decodes and verifies offline: the AIK certificate
 *    pinned as the anchor (its issuer, "Global Virtual TPM CA - 01", is
 *    not in the example) at a time inside its validity, the quote
 *    signature, the PCR digest against PCRs, the boot log's replay, the
 *    certification of EncKeyPub; the claims have the names and JSON types
 *    of MAA's real azurevm tokens; the answer is a sealed envelope;
 *  - every broken link is refused naming it (AIK certificate, its time,
 *    anchors, quote, signature, a PCR value, PcrSet, a log event,
 *    EncKeyPub, the certify signature, the protocol version);
 *  - the Azure SEV-SNP and TDX vTPM captures (tests/vectors/tpm/quotes):
 *    the vTPM quote verifies with HCLAkPub, HCLAkPub is checked against
 *    the quote's key, REPORT_DATA binds the runtime data (SNP: the report
 *    verified to AMD's Milan ARK through the capture's VCEK chain; TDX:
 *    the TD quote parsed, its DCAP signature not verified: no collateral
 *    in tests/vectors), and a broken binding is refused;
 *  - sealing: an envelope made for a key pair of the test opens with
 *    RSAES-PKCS1-v1_5 + AES-256-GCM ("Transport Key") and its tampered
 *    forms do not;
 *  - TPM2_Certify's TPMS_ATTEST parser: every prefix refused, byte
 *    mutations never crash; the request decoder: prefixes of the body.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "crypto/aes_gcm.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/rsa_enc.h"
#include "evidence/sgx/quote.h"
#include "evidence/snp/snp.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tpm/quote.h"
#include "harness/tap.h"
#include "store/store.h"
#include "verify/azureguest.h"
#include "verify/snp.h"
#include "verify/verifier.h"

#define EX "maa/spec-examples/specs/Attestation/stable/2025-06-01/examples/" \
	   "AttestAzureGuestVm.json"
#define DEC "maa/spec-examples/decoded/stable-2025-06-01_AttestAzureGuestVm"
#define REAL "maa/real-outputs/azurevm-sampleAttestationToken.json"
#define REAL2 "maa/real-outputs/azurevm-clientlibtests-0-e1b62d4e5247.json"
#define AT "2025-06-01T00:00:00Z"

static struct att_store *store;
static char *anchors;
static size_t anchors_len;

static unsigned char *read_rel(const char *rel, size_t *len)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", att_testdata(), rel);
	unsigned char *b = att_read_file(path, len);
	ATT_CHECK(b != NULL, "read %s", path);
	return b;
}

static json_t *load_json(const char *rel)
{
	char path[2048];
	json_error_t je;
	snprintf(path, sizeof(path), "%s/%s", att_testdata(), rel);
	json_t *j = json_load_file(path, 0, &je);
	ATT_CHECK(j != NULL, "load %s: %s", path, j ? "" : je.text);
	return j;
}

static int sign(void *arg, json_t *claims, bool draft, char **token,
		struct att_diag *d)
{
	(void)arg;
	(void)claims;
	(void)draft;
	(void)d;
	*token = strdup("eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.c2ln");
	return *token ? 0 : ATT_ERR_NOMEM;
}

static int run(struct att_verifier *v, const char *body, const char *roots,
	       size_t roots_len, struct att_verify_result *res)
{
	struct att_verify_req rq = {
		.body = (const uint8_t *)body,
		.body_len = strlen(body),
		.provider = "default",
		.now = 1700000000,
		.sign = sign,
		.vtpm_roots_pem = roots,
		.vtpm_roots_len = roots_len,
	};
	rq.limits = (struct att_policy_limits){
		.max_rules = 100, .max_jmespath = 100, .max_nesting = 16};
	rq.budget = (struct att_policy_budget){
		.steps = 100000, .bytes = 1 << 20, .ms = 1000};
	att_verify_result_init(res);
	return att_verify_azureguest(v, &rq, res);
}

/* info_of / body_of convert between the body and its AttestationInfo. */
static json_t *info_of(const char *body)
{
	json_t *b = json_loads(body, 0, NULL);
	const char *s = json_string_value(json_object_get(b, "attestationInfo"));
	uint8_t *raw = NULL;
	size_t n = 0;
	json_t *info = NULL;
	if (s && att_b64_decode(&raw, &n, s, strlen(s)) == 0)
		info = json_loadb((const char *)raw, n, 0, NULL);
	free(raw);
	json_decref(b);
	return info;
}

static char *body_of(json_t *info, const char *member)
{
	char *t = json_dumps(info, JSON_COMPACT);
	char *e = att_b64url_encode((const uint8_t *)t, strlen(t));
	json_t *b = json_pack("{s:s}", member, e);
	char *out = json_dumps(b, JSON_COMPACT);
	free(t);
	free(e);
	json_decref(b);
	return out;
}

static const char *type_of(json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "other";
	}
}

/* check_like_real: every claim of a real azurevm token that a Trusted
 * Launch token carries is there with the same JSON type. */
static void check_like_real(json_t *c, const char *rel)
{
	json_t *real = load_json(rel);
	json_t *p = json_object_get(real, "payload");
	const char *k;
	json_t *want;
	size_t n = 0;
	json_object_foreach(p, k, want)
	{
		if (!strcmp(k, "exp") || !strcmp(k, "iat") ||
		    !strcmp(k, "nbf") || !strcmp(k, "iss") ||
		    !strcmp(k, "x-ms-isolation-tee"))
			continue; /* the signer's, or SNP-only */
		json_t *got = json_object_get(c, k);
		ATT_CHECK(got && !strcmp(type_of(got), type_of(want)),
			  "%s: claim %s is %s (real: %s)", rel, k,
			  got ? type_of(got) : "missing", type_of(want));
		n++;
	}
	ATT_CHECK(n >= 27, "%s: %zu claims compared", rel, n);
	json_t *key = json_array_get(
		json_object_get(json_object_get(c, "x-ms-runtime"), "keys"), 0);
	json_t *rkey = json_array_get(
		json_object_get(json_object_get(p, "x-ms-runtime"), "keys"), 0);
	json_object_foreach(rkey, k, want)
	{
		json_t *got = json_object_get(key, k);
		ATT_CHECK(got && !strcmp(type_of(got), type_of(want)),
			  "x-ms-runtime.keys[0].%s", k);
	}
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(key, "kid")),
			 "TpmEphemeralEncryptionKey");
	json_decref(real);
}

static void test_real_example(struct att_verifier *v, const char *body)
{
	struct att_verify_result res;
	int r = run(v, body, anchors, anchors_len, &res);
	ATT_CHECK(r == 0, "real example verifies: %s", res.msg);
	json_t *c = res.claims;
	if (c && getenv("ATT_AZG_DUMP")) /* for a reader's look */
		json_dumpf(c, stdout, JSON_INDENT(1));
	if (!r && c) {
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(
					 c, "x-ms-attestation-type")),
				 "azurevm");
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(
					 c, "x-ms-azurevm-ostype")),
				 "Windows");
		ATT_CHECK(json_integer_value(json_object_get(
				  c, "x-ms-azurevm-osversion-major")) == 10,
			  "osversion-major 10");
		ATT_CHECK(json_is_true(json_object_get(
				  c, "x-ms-azurevm-is-windows")),
			  "is-windows");
		json_t *pcrs = json_object_get(c, "x-ms-azurevm-attested-pcrs");
		ATT_CHECK(json_array_size(pcrs) >= 8, "attested pcrs: %zu",
			  json_array_size(pcrs));
		json_t *cp = json_object_get(json_object_get(c, "x-ms-runtime"),
					     "client-payload");
		ATT_CHECK(json_is_string(json_object_get(cp, "ArmID")),
			  "client-payload.ArmID copied");
		ATT_CHECK(json_object_get(c, "x-ms-isolation-tee") == NULL,
			  "no isolation claims for Trusted Launch");
		check_like_real(c, REAL);
		check_like_real(c, REAL2);
	}
	/* the sealed answer: base64url of the envelope */
	ATT_CHECK(res.reply != NULL, "sealed reply");
	if (res.reply) {
		uint8_t *e = NULL;
		size_t n = 0;
		json_t *env = NULL;
		if (att_b64_decode(&e, &n, res.reply, strlen(res.reply)) == 0)
			env = json_loadb((const char *)e, n, 0, NULL);
		json_t *ep = json_object_get(env, "EncryptionParams");
		ATT_CHECK(json_is_string(json_object_get(env, "Jwt")) &&
				  json_is_string(json_object_get(
					  env, "EncryptedInnerKey")) &&
				  json_is_string(json_object_get(
					  env, "AuthenticationData")) &&
				  json_is_string(json_object_get(ep, "Iv")) &&
				  json_integer_value(json_object_get(
					  ep, "KeySizeInBits")) == 256,
			  "envelope shape");
		ATT_CHECK_EQ_STR(json_string_value(
					 json_object_get(ep, "BlockMode")),
				 "ChainingModeGCM");
		json_decref(env);
		free(e);
	}
	att_verify_result_release(&res);
	/* the 2025-06-01 spelling and Microsoft's clients' one */
	json_t *info = info_of(body);
	char *b2 = body_of(info, "AttestationInfo");
	r = run(v, b2, anchors, anchors_len, &res);
	ATT_CHECK(r == 0, "\"AttestationInfo\" spelling: %s", res.msg);
	att_verify_result_release(&res);
	free(b2);
	/* the Python client's string forms: OSVersionMajor "10",
	 * ClientPayload base64 of "" */
	json_object_set_new(info, "OSVersionMajor", json_string("10"));
	json_object_set_new(info, "ClientPayload", json_string(""));
	b2 = body_of(info, "AttestationInfo");
	r = run(v, b2, anchors, anchors_len, &res);
	ATT_CHECK(r == 0, "string forms: %s", res.msg);
	ATT_CHECK(r || !json_object_get(json_object_get(res.claims,
							 "x-ms-runtime"),
					"client-payload"),
		  "empty ClientPayload gives no client-payload");
	att_verify_result_release(&res);
	free(b2);
	json_decref(info);
}

/* refuse runs a tampered body and expects a refusal naming what. */
static void refuse(struct att_verifier *v, const char *body, const char *roots,
		   size_t roots_len, const char *what, const char *name)
{
	struct att_verify_result res;
	int r = run(v, body, roots, roots_len, &res);
	ATT_CHECK(r != 0 && res.http_status == 400 && strstr(res.msg, what),
		  "%s refused naming \"%s\": %d %d %s", name, what, r,
		  res.http_status, res.msg);
	att_verify_result_release(&res);
}

/* flip_tpm flips byte at (from the end when at < 0) of TpmInfo.member. */
static char *flip_tpm(json_t *info0, const char *member, long at)
{
	json_t *info = json_deep_copy(info0);
	json_t *tpm = json_object_get(info, "TpmInfo");
	const char *s = json_string_value(json_object_get(tpm, member));
	uint8_t *raw = NULL;
	size_t n = 0;
	char *out = NULL;
	if (s && att_b64_decode(&raw, &n, s, strlen(s)) == 0 && n) {
		size_t i = at < 0 ? n - (size_t)(-at) : (size_t)at;
		raw[i] ^= 0x01;
		char *e = att_b64_encode(raw, n);
		json_object_set_new(tpm, member, json_string(e));
		free(e);
		out = body_of(info, "attestationInfo");
	}
	free(raw);
	json_decref(info);
	return out;
}

static void test_refusals(struct att_verifier *v, const char *body)
{
	json_t *info = info_of(body);
	static const struct {
		const char *member;
		long at;
		const char *what;
	} t[] = {
		{"AikCert", -5, "AIK certificate"},
		{"AikPub", -10, "PcrSignature"},
		{"PcrQuote", -3, "PcrSignature"},
		{"PcrSignature", 17, "PcrSignature"},
		{"EncKeyPub", -20, "EncKeyCertifyInfo"},
		{"EncKeyCertifyInfo", -4, "EncKeyCertifyInfoSignature"},
		{"EncKeyCertifyInfoSignature", 9, "EncKeyCertifyInfoSignature"},
	};
	for (size_t i = 0; info && i < sizeof(t) / sizeof(t[0]); i++) {
		char *b = flip_tpm(info, t[i].member, t[i].at);
		refuse(v, b, anchors, anchors_len, t[i].what, t[i].member);
		free(b);
	}
	/* a PCR value the quote did not sign */
	json_t *x = json_deep_copy(info);
	json_t *p3 = json_array_get(
		json_object_get(json_object_get(x, "TpmInfo"), "PCRs"), 3);
	json_object_set_new(p3, "Digest",
			    json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	char *b = body_of(x, "attestationInfo");
	refuse(v, b, anchors, anchors_len, "PCRs", "a PCR value");
	free(b);
	json_decref(x);
	/* PcrSet other than the quote's selection */
	x = json_deep_copy(info);
	json_array_append_new(json_object_get(json_object_get(x, "TpmInfo"),
					      "PcrSet"),
			      json_integer(15));
	b = body_of(x, "attestationInfo");
	refuse(v, b, anchors, anchors_len, "PcrSet", "PcrSet");
	free(b);
	json_decref(x);
	/* a log event's digest */
	x = json_deep_copy(info);
	const char *s = json_string_value(json_object_get(x, "TcgLogs"));
	uint8_t *raw = NULL;
	size_t n = 0;
	struct att_tcg_log log;
	struct att_diag d = {0};
	memset(&log, 0, sizeof(log));
	if (s && att_b64_decode(&raw, &n, s, strlen(s)) == 0 &&
	    att_tcg_log_parse(&log, raw, n, &d) == 0 && log.num_events > 5) {
		const struct att_tcg_digest *dg =
			att_tcg_event_digest(&log.events[5], 0x000B);
		ATT_CHECK(dg != NULL, "event 5 has a SHA-256 digest");
		if (dg) {
			raw[dg->p - raw] ^= 0x40;
			char *e = att_b64_encode(raw, n);
			json_object_set_new(x, "TcgLogs", json_string(e));
			free(e);
			b = body_of(x, "attestationInfo");
			refuse(v, b, anchors, anchors_len, "TcgLogs",
			       "a log event's digest");
			free(b);
		}
	}
	att_tcg_log_release(&log);
	free(raw);
	json_decref(x);
	/* no log */
	x = json_deep_copy(info);
	json_object_set_new(x, "TcgLogs", json_string(""));
	b = body_of(x, "attestationInfo");
	refuse(v, b, anchors, anchors_len, "TcgLogs", "no log");
	free(b);
	json_decref(x);
	/* protocol version, isolation type */
	x = json_deep_copy(info);
	json_object_set_new(x, "AttestationProtocolVersion", json_string("1.0"));
	b = body_of(x, "attestationInfo");
	refuse(v, b, anchors, anchors_len, "AttestationProtocolVersion",
	       "protocol version");
	free(b);
	json_decref(x);
	x = json_deep_copy(info);
	json_object_set_new(json_object_get(x, "IsolationInfo"), "Type",
			    json_string("SevSnp"));
	b = body_of(x, "attestationInfo");
	refuse(v, b, anchors, anchors_len, "Evidence", "SevSnp without Evidence");
	free(b);
	json_decref(x);
	/* anchors: none, another root */
	refuse(v, body, NULL, 0, "vtpm_roots", "no anchors");
	size_t vl = 0;
	unsigned char *vcek =
		read_rel("tpm/quotes/azure_snp_vtpm/vcek.pem", &vl);
	if (vcek)
		refuse(v, body, (const char *)vcek, vl, "AIK certificate",
		       "another anchor");
	free(vcek);
	json_decref(info);
}

/* test_expired: the real AIK certificate expired on 2025-10-30. */
static void test_expired(const char *body)
{
	struct att_verifier *v = NULL;
	struct att_verifier_cfg cfg = {.store = store};
	struct att_diag d = {0};
	ATT_CHECK(att_time_parse(&cfg.verify_time, "2025-11-02T00:00:00Z") == 0,
		  "time");
	ATT_CHECK(att_verifier_new(&v, &cfg, &d) == 0, "verifier: %s",
		  att_diag_msg(&d));
	if (v)
		refuse(v, body, anchors, anchors_len, "AIK certificate",
		       "expired AIK certificate");
	att_verifier_free(v);
}

/* ---- the Azure CVM captures ---------------------------------------- */

struct capture {
	uint8_t *hcl, *quote, *sig;
	size_t hcl_len, quote_len, sig_len;
	const uint8_t *hw, *runtime;
	size_t runtime_len;
};

static int load_capture(struct capture *c, const char *dir)
{
	char rel[256];
	memset(c, 0, sizeof(*c));
	snprintf(rel, sizeof(rel), "tpm/quotes/%s/hcl-report.bin", dir);
	c->hcl = read_rel(rel, &c->hcl_len);
	snprintf(rel, sizeof(rel), "tpm/quotes/%s/tpm-quote-v1.json", dir);
	json_t *q = load_json(rel);
	const char *m = json_string_value(json_object_get(q, "message"));
	const char *s = json_string_value(json_object_get(q, "signature"));
	int r = c->hcl && c->hcl_len > 32 + 1184 + 20 && m && s ? 0 : -2;
	if (!r) {
		c->quote_len = strlen(m) / 2;
		c->sig_len = strlen(s) / 2;
		c->quote = malloc(c->quote_len);
		c->sig = malloc(c->sig_len);
		r = c->quote && c->sig &&
				    att_hex_decode_fixed(c->quote, c->quote_len,
							 m, strlen(m)) == 0 &&
				    att_hex_decode_fixed(c->sig, c->sig_len, s,
							 strlen(s)) == 0
			    ? 0
			    : -2;
	}
	if (!r) {
		/* HCL report: 32-byte header, 1184-byte hardware report,
		 * 20-byte request header whose last u32 is the size of the
		 * runtime JSON that follows */
		const uint8_t *h = c->hcl + 32 + 1184;
		c->hw = c->hcl + 32;
		c->runtime = h + 20;
		c->runtime_len = (size_t)h[16] | (size_t)h[17] << 8 |
				 (size_t)h[18] << 16 | (size_t)h[19] << 24;
		if (c->runtime_len > c->hcl_len - 32 - 1184 - 20)
			r = -2;
	}
	json_decref(q);
	return r;
}

static void free_capture(struct capture *c)
{
	free(c->hcl);
	free(c->quote);
	free(c->sig);
}

/* vtpm_link: the quote verifies with HCLAkPub, and HCLAkPub is checked
 * against that key (and refused against another). */
static void vtpm_link(const struct capture *c, const char *name)
{
	json_t *rt = json_loadb((const char *)c->runtime, c->runtime_len, 0,
				NULL);
	json_t *k = json_array_get(json_object_get(rt, "keys"), 0);
	struct att_pkey *ak = NULL, *other = NULL;
	struct att_tpm_signature sig = {.sig_alg = 0x0014, .hash = 0x000B};
	struct att_diag d = {0};
	ATT_CHECK(att_pkey_from_jwk(&ak, k) == 0, "%s: HCLAkPub JWK", name);
	sig.sig_len = (uint16_t)c->sig_len;
	memcpy(sig.sig, c->sig, c->sig_len);
	ATT_CHECK(att_tpm_quote_verify_signature(c->quote, c->quote_len, &sig,
						 ak, NULL, &d) == 0,
		  "%s: the vTPM quote is signed by HCLAkPub: %s", name,
		  att_diag_msg(&d));
	json_t *got = NULL;
	att_diag_clear(&d);
	ATT_CHECK(att_azg_check_hcl_key(c->runtime, c->runtime_len, ak, &got,
					&d) == 0,
		  "%s: HCLAkPub = AK: %s", name, att_diag_msg(&d));
	json_t *tee = att_azg_runtime_claims(got);
	json_t *keys = json_object_get(tee, "keys");
	ATT_CHECK(json_array_size(keys) == 1 &&
			  json_is_object(json_object_get(tee, "vm-configuration")) &&
			  !json_object_get(tee, "user-data"),
		  "%s: x-ms-runtime of the tee", name);
	json_decref(tee);
	json_decref(got);
	ATT_CHECK(att_pkey_generate(&other, ATT_KEY_RSA2048) == 0, "key");
	att_diag_clear(&d);
	ATT_CHECK(att_azg_check_hcl_key(c->runtime, c->runtime_len, other,
					NULL, &d) == ATT_ERR_MISMATCH &&
			  strstr(att_diag_msg(&d), "HCLAkPub"),
		  "%s: another AK refused: %s", name, att_diag_msg(&d));
	att_pkey_free(ak);
	att_pkey_free(other);
	json_decref(rt);
}

static void binding(const uint8_t rd[64], const struct capture *c,
		    const char *name)
{
	struct att_diag d = {0};
	uint8_t *copy = malloc(c->runtime_len);
	ATT_CHECK(att_azg_check_report_data(rd, c->runtime, c->runtime_len,
					    &d) == 0,
		  "%s: REPORT_DATA = SHA-256(runtime data): %s", name,
		  att_diag_msg(&d));
	if (copy) {
		memcpy(copy, c->runtime, c->runtime_len);
		copy[c->runtime_len / 2] ^= 1;
		att_diag_clear(&d);
		ATT_CHECK(att_azg_check_report_data(rd, copy, c->runtime_len,
						    &d) == ATT_ERR_MISMATCH &&
				  strstr(att_diag_msg(&d), "RunTimeData"),
			  "%s: a changed runtime data refused: %s", name,
			  att_diag_msg(&d));
	}
	free(copy);
}

static void test_snp_capture(void)
{
	struct capture c;
	struct att_snp_trust *trust = NULL;
	struct att_cert **certs = NULL;
	size_t n = 0, pl = 0;
	struct att_snp_result sr;
	struct att_diag d = {0};
	static const struct att_snp_appraisal ap = {.max_vmpl = 3};
	int64_t at = 0;
	if (load_capture(&c, "azure_snp_vtpm") != 0) {
		ATT_CHECK(0, "SNP capture");
		free_capture(&c);
		return;
	}
	unsigned char *pem = read_rel("tpm/quotes/azure_snp_vtpm/vcek.pem", &pl);
	ATT_CHECK(pem && att_cert_chain_from_pem(&certs, &n, (char *)pem,
						 pl) == 0 &&
			  n == 3,
		  "VCEK chain");
	ATT_CHECK(att_snp_trust_new_amd(&trust) == 0, "AMD roots");
	ATT_CHECK(att_time_parse(&at, "2024-01-01T00:00:00Z") == 0, "time");
	if (n == 3 && trust) {
		struct att_snp_certs sc = {.vek = certs[0],
					   .chain = certs + 1,
					   .n_chain = 2};
		int r = att_snp_verify(&sr, c.hw, 1184, &sc, trust, &ap, at, &d);
		ATT_CHECK(r == 0, "SNP report of the HCL verifies to AMD's "
				  "ARK: %s",
			  att_diag_msg(&d));
		if (!r) {
			binding(sr.rep.report_data, &c, "SNP");
			json_t *tee = json_object();
			ATT_CHECK(att_snp_claims(tee, NULL, &sr,
						 ATT_SNP_VEK_CHAIN) == 0 &&
					  json_is_string(json_object_get(
						  tee,
						  "x-ms-sevsnpvm-launchmeasurement")),
				  "SNP tee claims");
			json_decref(tee);
		}
	}
	vtpm_link(&c, "SNP");
	att_cert_chain_free(certs, n);
	att_snp_trust_free(trust);
	free(pem);
	free_capture(&c);
}

static void test_tdx_capture(void)
{
	struct capture c;
	struct att_sgx_quote q;
	struct att_diag d = {0};
	size_t ql = 0;
	if (load_capture(&c, "azure_tdx_vtpm") != 0) {
		ATT_CHECK(0, "TDX capture");
		free_capture(&c);
		return;
	}
	unsigned char *tdq =
		read_rel("tdx/quotes/trustee_az-tdx-vtpm_td-quote.bin", &ql);
	/* the TD quote's signature chain is not verified here: DCAP
	 * collateral (TCB info, QE identity, CRLs) for it is not in
	 * tests/vectors; the binding and the vTPM link are */
	int r = tdq ? att_sgx_quote_parse(&q, tdq, ql, 0, &d) : -2;
	ATT_CHECK(r == 0 && q.is_tdx, "TD quote parses: %s", att_diag_msg(&d));
	if (!r && q.is_tdx)
		binding(q.tdx.report_data, &c, "TDX");
	vtpm_link(&c, "TDX");
	free(tdq);
	free_capture(&c);
}

/* ---- sealing --------------------------------------------------------- */

static void test_seal(void)
{
	struct att_pkey *k = NULL;
	struct att_diag d = {0};
	char *env_b64 = NULL;
	const char *jwt = "eyJhbGciOiJSUzI1NiJ9.eyJ4LW1zLWF0dGVzdGF0aW9uLXR5cGUiOiJhenVyZXZtIn0.c2ln";
	ATT_CHECK(att_pkey_generate(&k, ATT_KEY_RSA2048) == 0, "key");
	ATT_CHECK(att_azg_seal(&env_b64, jwt, k, &d) == 0, "seal: %s",
		  att_diag_msg(&d));
	uint8_t *e = NULL, *ct = NULL, *wk = NULL, *iv = NULL, *tag = NULL;
	size_t n = 0, ctl = 0, wkl = 0, ivl = 0, tl = 0, kl = 0;
	json_t *env = NULL;
	if (env_b64 && att_b64_decode(&e, &n, env_b64, strlen(env_b64)) == 0)
		env = json_loadb((const char *)e, n, 0, NULL);
	const char *s_ct = json_string_value(json_object_get(env, "Jwt"));
	const char *s_wk =
		json_string_value(json_object_get(env, "EncryptedInnerKey"));
	const char *s_iv = json_string_value(json_object_get(
		json_object_get(env, "EncryptionParams"), "Iv"));
	const char *s_tag =
		json_string_value(json_object_get(env, "AuthenticationData"));
	ATT_CHECK(s_ct && s_wk && s_iv && s_tag, "envelope members");
	if (s_ct && s_wk && s_iv && s_tag &&
	    att_b64_decode_strict(&ct, &ctl, s_ct, strlen(s_ct), NULL) == 0 &&
	    att_b64_decode_strict(&wk, &wkl, s_wk, strlen(s_wk), NULL) == 0 &&
	    att_b64_decode_strict(&iv, &ivl, s_iv, strlen(s_iv), NULL) == 0 &&
	    att_b64_decode_strict(&tag, &tl, s_tag, strlen(s_tag), NULL) == 0) {
		uint8_t key[256], *pt = malloc(ctl + 1);
		ATT_CHECK(ivl == 12 && tl == 16 && wkl == 256 &&
				  ctl == strlen(jwt),
			  "field sizes: iv %zu tag %zu key %zu ct %zu", ivl, tl,
			  wkl, ctl);
		ATT_CHECK(att_rsa_decrypt(k, ATT_RSA_PAD_PKCS1, ATT_MD_SHA256,
					  wk, wkl, key, sizeof(key), &kl) == 0 &&
				  kl == 32,
			  "inner key unwraps (RSAES-PKCS1-v1_5)");
		ATT_CHECK(pt && att_aes_gcm_decrypt(key, 32, iv, ivl,
						    "Transport Key", 13, ct,
						    ctl, tag, tl, pt) == 0 &&
				  !memcmp(pt, jwt, ctl),
			  "the JWT decrypts (AES-256-GCM, \"Transport Key\")");
		ATT_CHECK(pt && att_aes_gcm_decrypt(key, 32, iv, ivl, "Transport",
						    9, ct, ctl, tag, tl,
						    pt) == ATT_ERR_SIG_INVALID,
			  "other associated data refused");
		ct[3] ^= 1;
		ATT_CHECK(pt && att_aes_gcm_decrypt(key, 32, iv, ivl,
						    "Transport Key", 13, ct,
						    ctl, tag, tl,
						    pt) == ATT_ERR_SIG_INVALID,
			  "a changed Jwt refused");
		free(pt);
	}
	/* fixed key and IV: deterministic ciphertext */
	static const uint8_t fk[32] = {1, 2, 3}, fiv[12] = {9, 8, 7};
	char *a = NULL, *b = NULL;
	ATT_CHECK(att_azg_seal_with(&a, jwt, k, fk, fiv, &d) == 0 &&
			  att_azg_seal_with(&b, jwt, k, fk, fiv, &d) == 0,
		  "seal_with");
	json_decref(env);
	free(a);
	free(b);
	free(e);
	free(ct);
	free(wk);
	free(iv);
	free(tag);
	free(env_b64);
	att_pkey_free(k);
}

/* ---- parsers --------------------------------------------------------- */

static void test_certify_parse(void)
{
	size_t n = 0;
	unsigned char *ci = read_rel(DEC "/enc_key_certify_info.bin", &n);
	struct att_azg_certify c;
	struct att_diag d = {0};
	if (!ci)
		return;
	ATT_CHECK(att_azg_certify_parse(&c, ci, n, &d) == 0 &&
			  c.name_len == 34 && c.qname_len == 34,
		  "certifyInfo parses: %s", att_diag_msg(&d));
	size_t bad = 0;
	for (size_t k = 0; k < n; k++) {
		att_diag_clear(&d);
		if (att_azg_certify_parse(&c, ci, k, &d) == 0)
			bad++;
	}
	ATT_CHECK(bad == 0, "every prefix refused (%zu accepted)", bad);
	for (size_t k = 0; k < n; k++) { /* mutations: no crash */
		ci[k] ^= 0xA5;
		att_diag_clear(&d);
		(void)att_azg_certify_parse(&c, ci, n, &d);
		ci[k] ^= 0xA5;
	}
	ci[5] = 0x18; /* TPM_ST_ATTEST_QUOTE */
	att_diag_clear(&d);
	ATT_CHECK(att_azg_certify_parse(&c, ci, n, &d) == ATT_ERR_FORMAT &&
			  strstr(att_diag_msg(&d), "TPM_ST_ATTEST_CERTIFY"),
		  "a quote is not a certification: %s", att_diag_msg(&d));
	free(ci);
}

static void test_decode_prefixes(const char *body)
{
	size_t n = strlen(body), bad = 0, tried = 0;
	struct att_azg_request r;
	struct att_diag d = {0};
	for (size_t k = 0; k < n; k += 1 + k / 8) {
		att_diag_clear(&d);
		if (att_azg_request_decode(&r, (const uint8_t *)body, k, &d) == 0)
			bad++;
		att_azg_request_release(&r);
		tried++;
	}
	ATT_CHECK(bad == 0, "%zu of %zu prefixes decoded", bad, tried);
	att_diag_clear(&d);
	ATT_CHECK(att_azg_request_decode(&r, (const uint8_t *)body, n, &d) == 0,
		  "whole body decodes: %s", att_diag_msg(&d));
	ATT_CHECK(r.iso == ATT_AZG_ISO_TRUSTED_LAUNCH && r.pcr_set == 0x78FF &&
			  r.os_type && !strcmp(r.os_type, "Windows"),
		  "decoded fields");
	att_azg_request_release(&r);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	struct att_verifier *v = NULL;
	struct att_verifier_cfg cfg = {0};
	struct att_diag d = {0};
	char dir[] = "/tmp/att_azg_XXXXXX", db[64];
	ATT_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(db, sizeof(db), "%s/attestd.db", dir);
	ATT_CHECK(att_store_open_sqlite(&store, db, &d) == 0, "store: %s",
		  att_diag_msg(&d));
	cfg.store = store;
	ATT_CHECK(att_time_parse(&cfg.verify_time, AT) == 0, "time");
	int r = att_verifier_new(&v, &cfg, &d);
	ATT_CHECK(r == 0, "verifier: %s", att_diag_msg(&d));
	anchors = (char *)read_rel(DEC "/aik_cert.pem", &anchors_len);
	json_t *ex = load_json(EX);
	json_t *bj = json_object_get(json_object_get(ex, "parameters"), "body");
	char *body = bj ? json_dumps(bj, JSON_COMPACT) : NULL;
	if (!r && body && anchors) {
		test_real_example(v, body);
		test_refusals(v, body);
		test_expired(body);
		test_decode_prefixes(body);
	}
	test_snp_capture();
	test_tdx_capture();
	test_seal();
	test_certify_parse();
	free(body);
	json_decref(ex);
	free(anchors);
	att_verifier_free(v);
	att_store_close(store);
	unlink(db);
	rmdir(dir);
	return att_test_done();
}
