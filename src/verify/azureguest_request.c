/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of AzureGuest requests (azureguest.h; docs/api.md
 * "AzureGuest: request"):
 *
 *   {"AttestationInfo": base64url(JSON), "draftPolicyForAttestation"?}
 *   JSON: {"AttestationProtocolVersion": "2.0",
 *          "OSType", "OSDistro", "OSBuild": base64 text,
 *          "OSVersionMajor", "OSVersionMinor": number (or its decimal text),
 *          "TcgLogs": base64 boot log,
 *          "ClientPayload": {name: value} (or base64 of such a JSON, or ""),
 *          "TpmInfo": {"AikCert", "AikPub", "PcrQuote", "PcrSignature",
 *                      "EncKeyPub", "EncKeyCertifyInfo",
 *                      "EncKeyCertifyInfoSignature": base64,
 *                      "PcrSet": [n...], "PCRs": [{"Index", "Digest"}]},
 *          "IsolationInfo": {"Type": "TrustedLaunch" | "SevSnp" | "Tdx",
 *                            "Evidence": {"Proof", "RunTimeData"}}}
 *
 * The member is "AttestationInfo" in Microsoft's clients and
 * "attestationInfo" in the 2025-06-01 REST specification; both are
 * read. Every binary member is decoded within its limit before any use;
 * the TPM structures are parsed by the verifying steps
 * (azureguest_tpm.c) and TPM2_Certify's TPMS_ATTEST here, through the
 * bounded cursor. Unknown members are ignored, as MAA does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "evidence/tpm/tpm_alg.h"
#include "verify/attest.h"
#include "verify/azureguest.h"

static void blob_free(struct att_azg_blob *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
}

void att_azg_request_release(struct att_azg_request *r)
{
	if (!r)
		return;
	json_decref(r->body);
	json_decref(r->info);
	free(r->os_type);
	free(r->os_distro);
	free(r->os_build);
	json_decref(r->client_payload);
	struct att_azg_blob *b[] = {&r->tcg_log, &r->aik_cert, &r->aik_pub,
				    &r->quote, &r->quote_sig, &r->enc_pub,
				    &r->certify, &r->certify_sig, &r->proof,
				    &r->runtime};
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		blob_free(b[i]);
	memset(r, 0, sizeof(*r));
}

const char *att_azg_iso_name(enum att_azg_iso iso)
{
	switch (iso) {
	case ATT_AZG_ISO_TRUSTED_LAUNCH:
		return "TrustedLaunch";
	case ATT_AZG_ISO_SEVSNP:
		return "SevSnp";
	case ATT_AZG_ISO_TDX:
		return "Tdx";
	}
	return "unknown";
}

/* b64 decodes the string v (member name) of at most max bytes; empty
 * is refused unless allow_empty. */
static int b64(struct att_azg_blob *out, const char *name, json_t *v,
	       size_t max, bool allow_empty, struct att_diag *d)
{
	if (!v)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s is missing", name);
	if (!json_is_string(v))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "%s must be a base64 string", name);
	size_t n = json_string_length(v);
	if (n / 4 * 3 > max + 3)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "%s is longer than %zu bytes", name, max);
	if (att_b64_decode(&out->p, &out->len, json_string_value(v), n) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "%s is not base64 (or base64url)", name);
	if (out->len > max) {
		blob_free(out);
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "%s is longer than %zu bytes", name, max);
	}
	if (!out->len && !allow_empty) {
		blob_free(out);
		return att_diag_set(d, ATT_ERR_FORMAT, "%s is empty", name);
	}
	return 0;
}

/* text decodes a base64 string into printable text (no control bytes). */
static int text(char **out, const char *name, json_t *v, struct att_diag *d)
{
	struct att_azg_blob b = {0};
	int r = b64(&b, name, v, ATT_AZG_MAX_OS_STRING_LEN, true, d);
	for (size_t i = 0; !r && i < b.len; i++)
		if (b.p[i] < 0x20 || b.p[i] == 0x7f)
			r = att_diag_set(d, ATT_ERR_FORMAT,
					 "%s holds a control character", name);
	if (!r && !(*out = malloc(b.len + 1)))
		r = att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
	if (!r) {
		if (b.len)
			memcpy(*out, b.p, b.len);
		(*out)[b.len] = '\0';
	}
	blob_free(&b);
	return r;
}

/* version reads OSVersionMajor / Minor: a number (the REST example), or
 * its decimal text (the Python client). */
static int version(int64_t *out, const char *name, json_t *v,
		   struct att_diag *d)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= UINT32_MAX) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		int64_t x = 0;
		for (size_t i = 0; i < n && n <= 10; i++) {
			if (s[i] < '0' || s[i] > '9')
				break;
			x = x * 10 + (s[i] - '0');
			if (i + 1 == n && x <= UINT32_MAX) {
				*out = x;
				return 0;
			}
		}
	}
	return att_diag_set(d, ATT_ERR_FORMAT,
			    "%s must be a non-negative integer", name);
}

/* payload reads ClientPayload: an object (MAA's example), the base64 of
 * a JSON object, or "" (the Python client sends base64 of ""). */
static int payload(struct att_azg_request *r, json_t *v, struct att_diag *d)
{
	const char *name = "AttestationInfo.ClientPayload";
	struct att_azg_blob b = {0};
	int rc;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_object(v)) {
		char *t = json_dumps(v, JSON_COMPACT);
		size_t n = t ? strlen(t) : 0;
		free(t);
		if (n > ATT_AZG_MAX_CLIENT_PAYLOAD_LEN)
			return att_diag_set(d, ATT_ERR_LIMIT,
					    "%s is longer than %d bytes", name,
					    ATT_AZG_MAX_CLIENT_PAYLOAD_LEN);
		r->client_payload = json_incref(v);
		return 0;
	}
	if ((rc = b64(&b, name, v, ATT_AZG_MAX_CLIENT_PAYLOAD_LEN, true, d)))
		return rc;
	if (b.len) {
		struct att_diag jd = {0};
		rc = att_attest_json_parse(&r->client_payload, b.p, b.len, &jd);
		if (!rc && !json_is_object(r->client_payload))
			rc = ATT_ERR_FORMAT;
		if (rc)
			att_diag_set(d, ATT_ERR_FORMAT,
				     "%s: not a JSON object (an object, the "
				     "base64 of one, or \"\")",
				     name);
		rc = rc ? ATT_ERR_FORMAT : 0;
	}
	blob_free(&b);
	return rc;
}

static int pcr_set(struct att_azg_request *r, json_t *v, struct att_diag *d)
{
	size_t i;
	json_t *e;
	if (!json_is_array(v) || !json_array_size(v))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "AttestationInfo.TpmInfo.PcrSet must be a "
				    "non-empty array of PCR indices");
	json_array_foreach(v, i, e)
	{
		if (!json_is_integer(e) || json_integer_value(e) < 0 ||
		    json_integer_value(e) >= ATT_TPM_NUM_PCRS)
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "AttestationInfo.TpmInfo.PcrSet[%zu] "
					    "is not a PCR index 0..23",
					    i);
		r->pcr_set |= 1u << json_integer_value(e);
	}
	return 0;
}

/* pcrs reads PCRs [{Index, Digest: base64 SHA-256}] (a PCR at most once). */
static int pcrs(struct att_azg_request *r, json_t *v, struct att_diag *d)
{
	size_t i;
	json_t *e;
	char name[64];
	if (!json_is_array(v) || json_array_size(v) > ATT_TPM_NUM_PCRS)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "AttestationInfo.TpmInfo.PCRs must be an "
				    "array of at most 24 {Index, Digest}");
	json_array_foreach(v, i, e)
	{
		json_t *ix = json_object_get(e, "Index");
		struct att_azg_blob dg = {0};
		snprintf(name, sizeof(name), "AttestationInfo.TpmInfo.PCRs[%zu]",
			 i);
		if (!json_is_integer(ix) || json_integer_value(ix) < 0 ||
		    json_integer_value(ix) >= ATT_TPM_NUM_PCRS)
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "%s.Index is not a PCR index 0..23",
					    name);
		uint32_t k = (uint32_t)json_integer_value(ix);
		const struct att_tpm_pcr_bank *b =
			att_tpm_pcrs_bank_const(&r->pcrs, ATT_TPM_ALG_SHA256);
		if (b && (b->mask & (1u << k)))
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "%s: PCR %u is given twice", name,
					    k);
		snprintf(name, sizeof(name),
			 "AttestationInfo.TpmInfo.PCRs[%zu].Digest", i);
		int rc = b64(&dg, name, json_object_get(e, "Digest"), 32,
			     false, d);
		if (!rc && dg.len != 32)
			rc = att_diag_set(d, ATT_ERR_FORMAT,
					  "%s is not a SHA-256 digest (%zu "
					  "bytes)",
					  name, dg.len);
		if (!rc && att_tpm_pcrs_set(&r->pcrs, ATT_TPM_ALG_SHA256, k,
					    dg.p, dg.len) != 0)
			rc = att_diag_set(d, ATT_ERR_FORMAT, "%s", name);
		blob_free(&dg);
		if (rc)
			return rc;
	}
	return 0;
}

static int tpm_info(struct att_azg_request *r, json_t *t, struct att_diag *d)
{
	static const struct {
		const char *name;
		size_t off;
		size_t max;
	} f[] = {
		{"AikCert", offsetof(struct att_azg_request, aik_cert),
		 ATT_MAX_CERT_LEN},
		{"AikPub", offsetof(struct att_azg_request, aik_pub),
		 ATT_MAX_TPM_STRUCT_LEN},
		{"PcrQuote", offsetof(struct att_azg_request, quote),
		 ATT_MAX_TPM_STRUCT_LEN},
		{"PcrSignature", offsetof(struct att_azg_request, quote_sig),
		 ATT_TPM_MAX_RSA_BYTES},
		{"EncKeyPub", offsetof(struct att_azg_request, enc_pub),
		 ATT_MAX_TPM_STRUCT_LEN},
		{"EncKeyCertifyInfo", offsetof(struct att_azg_request, certify),
		 ATT_MAX_TPM_STRUCT_LEN},
		{"EncKeyCertifyInfoSignature",
		 offsetof(struct att_azg_request, certify_sig),
		 ATT_TPM_MAX_RSA_BYTES},
	};
	char name[80];
	int rc;
	if (!json_is_object(t))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "AttestationInfo.TpmInfo must be an object");
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(name, sizeof(name), "AttestationInfo.TpmInfo.%s",
			 f[i].name);
		struct att_azg_blob *b =
			(struct att_azg_blob *)((char *)r + f[i].off);
		if ((rc = b64(b, name, json_object_get(t, f[i].name), f[i].max,
			      false, d)) != 0)
			return rc;
	}
	if ((rc = pcr_set(r, json_object_get(t, "PcrSet"), d)) != 0)
		return rc;
	return pcrs(r, json_object_get(t, "PCRs"), d);
}

static int isolation(struct att_azg_request *r, json_t *v, struct att_diag *d)
{
	json_t *type = json_object_get(v, "Type");
	const char *s = json_string_value(type);
	if (!json_is_object(v) || !s)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "AttestationInfo.IsolationInfo must be an "
				    "object with a Type");
	if (!strcmp(s, "TrustedLaunch")) {
		r->iso = ATT_AZG_ISO_TRUSTED_LAUNCH;
		return 0;
	}
	if (!strcmp(s, "SevSnp"))
		r->iso = ATT_AZG_ISO_SEVSNP;
	else if (!strcmp(s, "Tdx"))
		r->iso = ATT_AZG_ISO_TDX;
	else
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "AttestationInfo.IsolationInfo.Type \"%.32s\" "
				    "is not TrustedLaunch, SevSnp or Tdx",
				    s);
	json_t *ev = json_object_get(v, "Evidence");
	if (!json_is_object(ev))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "AttestationInfo.IsolationInfo.Evidence "
				    "must be an object for %s",
				    s);
	int rc = b64(&r->proof, "AttestationInfo.IsolationInfo.Evidence.Proof",
		     json_object_get(ev, "Proof"), ATT_AZG_MAX_PROOF_LEN, false,
		     d);
	return rc ? rc
		  : b64(&r->runtime,
			"AttestationInfo.IsolationInfo.Evidence.RunTimeData",
			json_object_get(ev, "RunTimeData"),
			ATT_AZG_MAX_RUNTIME_LEN, false, d);
}

static int info(struct att_azg_request *r, struct att_diag *d)
{
	json_t *o = r->info;
	const char *pv =
		json_string_value(json_object_get(o, "AttestationProtocolVersion"));
	int rc;
	if (!pv)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "AttestationInfo.AttestationProtocolVersion "
				    "is missing");
	if (strcmp(pv, "2.0"))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "AttestationInfo.AttestationProtocolVersion "
				    "\"%.16s\" is not 2.0",
				    pv);
	if ((rc = text(&r->os_type, "AttestationInfo.OSType",
		       json_object_get(o, "OSType"), d)) ||
	    (rc = text(&r->os_distro, "AttestationInfo.OSDistro",
		       json_object_get(o, "OSDistro"), d)) ||
	    (rc = text(&r->os_build, "AttestationInfo.OSBuild",
		       json_object_get(o, "OSBuild"), d)) ||
	    (rc = version(&r->os_major, "AttestationInfo.OSVersionMajor",
			  json_object_get(o, "OSVersionMajor"), d)) ||
	    (rc = version(&r->os_minor, "AttestationInfo.OSVersionMinor",
			  json_object_get(o, "OSVersionMinor"), d)))
		return rc;
	r->has_version = true;
	if ((rc = b64(&r->tcg_log, "AttestationInfo.TcgLogs",
		      json_object_get(o, "TcgLogs"), ATT_MAX_EVENTLOG_LEN, true,
		      d)) ||
	    (rc = payload(r, json_object_get(o, "ClientPayload"), d)) ||
	    (rc = tpm_info(r, json_object_get(o, "TpmInfo"), d)))
		return rc;
	return isolation(r, json_object_get(o, "IsolationInfo"), d);
}

int att_azg_request_decode(struct att_azg_request *r, const uint8_t *body,
			   size_t len, struct att_diag *d)
{
	struct att_azg_blob ai = {0};
	json_t *v;
	int rc;
	memset(r, 0, sizeof(*r));
	if (len > ATT_MAX_HTTP_BODY)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "the request is longer than %d bytes",
				    ATT_MAX_HTTP_BODY);
	if ((rc = att_attest_json_parse(&r->body, body, len, d)) != 0)
		return rc;
	if (!json_is_object(r->body))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "the request must be a JSON object");
	v = json_object_get(r->body, "AttestationInfo");
	if (!v)
		v = json_object_get(r->body, "attestationInfo");
	if (!v)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "AttestationInfo is missing");
	if ((rc = b64(&ai, "AttestationInfo", v, ATT_MAX_HTTP_BODY, false, d)))
		return rc;
	struct att_diag jd = {0};
	rc = att_attest_json_parse(&r->info, ai.p, ai.len, &jd);
	blob_free(&ai);
	if (rc || !json_is_object(r->info))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "AttestationInfo: not a JSON object%s%s",
				    rc ? ": " : "", rc ? att_diag_msg(&jd) : "");
	json_t *dp = json_object_get(r->body, "draftPolicyForAttestation");
	if (dp && !json_is_null(dp)) {
		if (!json_is_string(dp))
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "draftPolicyForAttestation must "
					    "be a string");
		r->draft = json_string_value(dp);
		r->draft_len = json_string_length(dp);
	}
	return info(r, d);
}

/* ---- TPM2_Certify's TPMS_ATTEST ----------------------------------- */

#define ST_ATTEST_CERTIFY 0x8017

static int tpm2b(struct att_cur *c, uint8_t *out, uint16_t *out_len,
		 size_t cap)
{
	struct att_cur b;
	int r = att_cur_get_u16be_prefixed(c, &b);
	if (r)
		return r;
	if (b.len > cap)
		return ATT_ERR_FORMAT;
	*out_len = (uint16_t)b.len;
	return att_cur_copy(&b, out, b.len);
}

int att_azg_certify_parse(struct att_azg_certify *out, const uint8_t *buf,
			  size_t len, struct att_diag *d)
{
	struct att_cur c, signer;
	uint8_t clock_info[17];
	uint64_t fw;
	int r;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, buf, len);
	/* magic, type, qualifiedSigner, extraData, clockInfo (clock u64,
	 * resetCount u32, restartCount u32, safe u8), firmwareVersion,
	 * attested.certify {name, qualifiedName} */
	if ((r = att_cur_get_u32be(&c, &out->magic)) != 0 ||
	    (r = att_cur_get_u16be(&c, &out->type)) != 0 ||
	    (r = att_cur_get_u16be_prefixed(&c, &signer)) != 0 ||
	    (r = tpm2b(&c, out->extra, &out->extra_len, sizeof(out->extra))) ||
	    (r = att_cur_copy(&c, clock_info, sizeof(clock_info))) != 0 ||
	    (r = att_cur_get_u64be(&c, &fw)) != 0)
		goto out;
	if (out->type != ST_ATTEST_CERTIFY) {
		r = ATT_ERR_FORMAT;
		goto out;
	}
	if ((r = tpm2b(&c, out->name, &out->name_len, sizeof(out->name))) ||
	    (r = tpm2b(&c, out->qname, &out->qname_len, sizeof(out->qname))))
		goto out;
	r = att_cur_expect_end(&c);
out:
	if (r == ATT_ERR_FORMAT && out->type != ST_ATTEST_CERTIFY)
		return att_diag_set(d, r,
				    "EncKeyCertifyInfo: type 0x%04x is not "
				    "TPM_ST_ATTEST_CERTIFY",
				    out->type);
	if (r)
		return att_diag_set(d, r,
				    "EncKeyCertifyInfo: not a TPMS_ATTEST of "
				    "TPM2_Certify (%s)",
				    att_strerror(r));
	return 0;
}
