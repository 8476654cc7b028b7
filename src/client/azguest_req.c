/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AttestationInfo of POST /attest/AzureGuest (client/azguest.h), in the
 * shape Microsoft's guest attestation clients send and the REST API's
 * "Attest Azure Guest VM" example shows; and the HCL report layout of an
 * Azure confidential VM's vTPM (parse for the client, build for tests).
 */
#include "client/azguest.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "codec/b64.h"
#include "crypto/digest.h"
#include "evidence/tpm/tpm_alg.h"

/* ---- HCL report ----------------------------------------------------- */

static size_t hw_len_of(uint32_t type)
{
	return type == ATT_HCL_TYPE_SNP	  ? ATT_HCL_SNP_REPORT_LEN
	       : type == ATT_HCL_TYPE_TDX ? ATT_HCL_TDX_REPORT_LEN
					  : 0;
}

/* hcl_header reads the 32-byte header. Azure writes version 1 on SEV-SNP
 * and 2 on TDX VMs, and request type 2 in both (the report type that
 * counts is the request data's). */
static int hcl_header(struct att_hcl_report *h, struct att_cur *c,
		      struct att_diag *d)
{
	uint32_t sig = 0;
	int r;
	if ((r = att_cur_get_u32le(c, &sig)) ||
	    (r = att_cur_get_u32le(c, &h->version)) ||
	    (r = att_cur_get_u32le(c, &h->report_size)) ||
	    (r = att_cur_get_u32le(c, &h->request_type)) ||
	    (r = att_cur_skip(c, 16)))
		return att_diag_set(d, r, "hcl: header truncated");
	if (sig != ATT_HCL_SIGNATURE)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "hcl: signature 0x%08x is not \"HCLA\"",
				    (unsigned)sig);
	if (h->version < ATT_HCL_VERSION || h->version > ATT_HCL_VERSION_MAX)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "hcl: header version %u", h->version);
	return 0;
}

static int hcl_request_data(struct att_hcl_report *h, struct att_cur *c,
			    struct att_diag *d)
{
	uint32_t data_size = 0, version = 0, var_size = 0;
	struct att_cur var;
	int r;
	if ((r = att_cur_get_u32le(c, &data_size)) ||
	    (r = att_cur_get_u32le(c, &version)) ||
	    (r = att_cur_get_u32le(c, &h->report_type)) ||
	    (r = att_cur_get_u32le(c, &h->hash_type)) ||
	    (r = att_cur_get_u32le(c, &var_size)))
		return att_diag_set(d, r, "hcl: request data truncated");
	if (version != ATT_HCL_IGVM_VERSION)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "hcl: request data version %u", version);
	if (!hw_len_of(h->report_type))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "hcl: report type %u is neither SNP (2) "
				    "nor TDX (4)",
				    h->report_type);
	if (h->hash_type < ATT_HCL_HASH_SHA256 ||
	    h->hash_type > ATT_HCL_HASH_SHA512)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "hcl: hash type %u", h->hash_type);
	if (var_size > data_size || data_size - var_size != ATT_HCL_REQ_FIXED_LEN)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "hcl: data size %u does not fit variable "
				    "data size %u",
				    data_size, var_size);
	if ((r = att_cur_get_bytes(c, &var, var_size)))
		return att_diag_set(d, r,
				    "hcl: runtime data (%u bytes) truncated",
				    var_size);
	h->runtime_data = var.p;
	h->runtime_data_len = var.len;
	return 0;
}

int att_hcl_parse(struct att_hcl_report *h, const uint8_t *buf, size_t len,
		  struct att_diag *d)
{
	struct att_cur c, hw;
	int r;
	memset(h, 0, sizeof(*h));
	if (len > ATT_MAX_HCL_REPORT_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "hcl: report of %zu bytes (limit %d)", len,
				    ATT_MAX_HCL_REPORT_LEN);
	att_cur_init(&c, buf, len);
	if ((r = hcl_header(h, &c, d)))
		goto fail;
	if ((r = att_cur_get_bytes(&c, &hw, ATT_HCL_HW_AREA_LEN))) {
		r = att_diag_set(d, r, "hcl: hardware report truncated");
		goto fail;
	}
	if ((r = hcl_request_data(h, &c, d)))
		goto fail;
	h->hw_report = hw.p;
	h->hw_report_len = hw_len_of(h->report_type);
	return 0;
fail:
	memset(h, 0, sizeof(*h));
	return r;
}

/* REPORT_DATA of an SEV-SNP ATTESTATION_REPORT: bytes 0x50..0x8F. */
#define SNP_REPORT_DATA_OFF 0x50

bool att_hcl_binds(const struct att_hcl_report *h)
{
	uint8_t md[64];
	size_t n = 0;
	enum att_md alg;
	if (h->report_type != ATT_HCL_TYPE_SNP ||
	    h->hw_report_len != ATT_HCL_SNP_REPORT_LEN)
		return false;
	switch (h->hash_type) {
	case ATT_HCL_HASH_SHA256: alg = ATT_MD_SHA256; n = 32; break;
	case ATT_HCL_HASH_SHA384: alg = ATT_MD_SHA384; n = 48; break;
	case ATT_HCL_HASH_SHA512: alg = ATT_MD_SHA512; n = 64; break;
	default: return false;
	}
	if (att_digest(alg, md, h->runtime_data, h->runtime_data_len))
		return false;
	return memcmp(md, h->hw_report + SNP_REPORT_DATA_OFF, n) == 0;
}

static int put_u32le(struct att_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	return att_buf_add(b, x, sizeof(x));
}

int att_hcl_build(struct att_buf *out, uint32_t report_type,
		  const uint8_t *hw, size_t hw_len, const uint8_t *runtime,
		  size_t runtime_len)
{
	static const uint8_t zero[ATT_HCL_HW_AREA_LEN];
	size_t total = ATT_HCL_HEADER_LEN + ATT_HCL_HW_AREA_LEN +
		       ATT_HCL_REQ_FIXED_LEN + runtime_len;
	bool tdx = report_type == ATT_HCL_TYPE_TDX;
	int r;
	if (!hw_len_of(report_type) || hw_len != hw_len_of(report_type))
		return ATT_ERR_INVALID_ARG;
	if (total > ATT_MAX_HCL_REPORT_LEN)
		return ATT_ERR_LIMIT;
	if ((r = put_u32le(out, ATT_HCL_SIGNATURE)) ||
	    (r = put_u32le(out, tdx ? 2 : ATT_HCL_VERSION)) ||
	    (r = put_u32le(out, (uint32_t)total)) ||
	    (r = put_u32le(out, ATT_HCL_TYPE_SNP)) ||
	    (r = att_buf_add(out, zero, 16)) ||
	    (r = att_buf_add(out, hw, hw_len)) ||
	    (r = att_buf_add(out, zero, ATT_HCL_HW_AREA_LEN - hw_len)) ||
	    (r = put_u32le(out, (uint32_t)(ATT_HCL_REQ_FIXED_LEN +
					    runtime_len))) ||
	    (r = put_u32le(out, ATT_HCL_IGVM_VERSION)) ||
	    (r = put_u32le(out, report_type)) ||
	    (r = put_u32le(out, ATT_HCL_HASH_SHA256)) ||
	    (r = put_u32le(out, (uint32_t)runtime_len)))
		return r;
	return runtime_len ? att_buf_add(out, runtime, runtime_len) : 0;
}

/* ---- AttestationInfo ------------------------------------------------ */

/* set_b64 sets key to the standard base64 of bytes (NULL bytes: ""). */
static int set_b64(json_t *o, const char *key, const void *p, size_t n,
		   bool url)
{
	char *s = url ? att_b64url_encode(p, n) : att_b64_encode(p, n);
	if (!s)
		return ATT_ERR_NOMEM;
	int r = json_object_set_new(o, key, json_string(s)) ? ATT_ERR_NOMEM : 0;
	free(s);
	return r;
}

static int set_b64s(json_t *o, const char *key, const char *text)
{
	return set_b64(o, key, text, strlen(text), false);
}

static int need(const struct att_azg_bytes *b, const char *what,
		struct att_diag *d)
{
	return b->p && b->len ? 0
			      : att_diag_set(d, ATT_ERR_INVALID_ARG,
					     "no %s", what);
}

static int tpm_info(json_t **out, const struct att_azg_evidence *e,
		    struct att_diag *d)
{
	const struct att_tpm_pcr_bank *bank =
	    e->pcrs ? att_tpm_pcrs_bank_const(e->pcrs, ATT_TPM_ALG_SHA256)
		    : NULL;
	json_t *t = json_object(), *set = json_array(), *vals = json_array();
	int r = 0;
	if (!t || !set || !vals) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	if ((r = need(&e->aik_cert, "AIK certificate", d)) ||
	    (r = need(&e->aik_pub, "AIK public area", d)) ||
	    (r = need(&e->quote, "PCR quote", d)) ||
	    (r = need(&e->quote_sig, "quote signature", d)) ||
	    (r = need(&e->enc_key_pub, "EncKey public area", d)) ||
	    (r = need(&e->certify_info, "EncKey certification", d)) ||
	    (r = need(&e->certify_sig, "EncKey certification signature", d)))
		goto out;
	if (!bank || !e->pcr_mask || (bank->mask & e->pcr_mask) != e->pcr_mask) {
		r = att_diag_set(d, ATT_ERR_INVALID_ARG,
				 "SHA-256 PCR values missing");
		goto out;
	}
	if ((r = set_b64(t, "AikCert", e->aik_cert.p, e->aik_cert.len, 0)) ||
	    (r = set_b64(t, "AikPub", e->aik_pub.p, e->aik_pub.len, 0)) ||
	    (r = set_b64(t, "EncKeyCertifyInfo", e->certify_info.p,
			 e->certify_info.len, 0)) ||
	    (r = set_b64(t, "EncKeyCertifyInfoSignature", e->certify_sig.p,
			 e->certify_sig.len, 0)) ||
	    (r = set_b64(t, "EncKeyPub", e->enc_key_pub.p, e->enc_key_pub.len,
			 0)))
		goto out;
	for (uint32_t i = 0; i < ATT_TPM_NUM_PCRS; i++) {
		if (!(e->pcr_mask & (1u << i)))
			continue;
		json_t *pcr = json_object();
		if (!pcr || json_array_append_new(vals, pcr) ||
		    json_array_append_new(set, json_integer(i)) ||
		    json_object_set_new(pcr, "Index", json_integer(i))) {
			r = ATT_ERR_NOMEM;
			goto out;
		}
		if ((r = set_b64(pcr, "Digest", bank->value[i], bank->size, 0)))
			goto out;
	}
	if (json_object_set(t, "PCRs", vals) ||
	    json_object_set(t, "PcrSet", set)) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	if ((r = set_b64(t, "PcrQuote", e->quote.p, e->quote.len, 0)) ||
	    (r = set_b64(t, "PcrSignature", e->quote_sig.p, e->quote_sig.len,
			 0)))
		goto out;
	*out = t;
	t = NULL; /* transferred */
out:
	json_decref(t);
	json_decref(set);
	json_decref(vals);
	return r;
}

/* snp_proof: base64url of {"SnpReport": b64url, "VcekCertChain": b64url}. */
static int snp_proof(json_t *ev, const struct att_azg_evidence *e)
{
	json_t *p = json_object();
	char *s = NULL;
	int r = p ? 0 : ATT_ERR_NOMEM;
	if (r == 0)
		r = set_b64(p, "SnpReport", e->hw_report.p, e->hw_report.len, 1);
	if (r == 0)
		r = set_b64(p, "VcekCertChain", e->vcek_chain.p,
			    e->vcek_chain.len, 1);
	if (r == 0 && !(s = json_dumps(p, JSON_COMPACT)))
		r = ATT_ERR_NOMEM;
	if (r == 0)
		r = set_b64(ev, "Proof", s, strlen(s), 1);
	free(s);
	json_decref(p);
	return r;
}

static int isolation_info(json_t **out, const struct att_azg_evidence *e,
			  struct att_diag *d)
{
	json_t *iso = json_object(), *ev = NULL;
	int r = iso ? 0 : ATT_ERR_NOMEM;
	bool snp = e->isolation == ATT_AZG_SEV_SNP;
	if (r == 0 && e->isolation == ATT_AZG_TRUSTED_LAUNCH) {
		r = json_object_set_new(iso, "Type", json_string("TrustedLaunch"))
			? ATT_ERR_NOMEM
			: 0;
		goto out;
	}
	if (r == 0 && ((r = need(&e->hw_report, "hardware report", d)) ||
		       (r = need(&e->runtime_data, "runtime data", d)) ||
		       (snp && (r = need(&e->vcek_chain, "VCEK chain", d)))))
		goto out;
	if (r == 0 && (!(ev = json_object()) ||
		       json_object_set_new(iso, "Type",
					   json_string(snp ? "SevSnp" : "Tdx")) ||
		       json_object_set(iso, "Evidence", ev)))
		r = ATT_ERR_NOMEM;
	if (r == 0)
		r = snp ? snp_proof(ev, e)
			: set_b64(ev, "Proof", e->hw_report.p, e->hw_report.len,
				  0);
	if (r == 0)
		r = set_b64(ev, "RunTimeData", e->runtime_data.p,
			    e->runtime_data.len, snp);
out:
	json_decref(ev);
	if (r)
		json_decref(iso);
	else
		*out = iso;
	return r;
}

static int client_payload(json_t **out, json_t *in, struct att_diag *d)
{
	const char *k;
	json_t *v, *o = json_object();
	if (!o)
		return ATT_ERR_NOMEM;
	if (in && !json_is_object(in)) {
		json_decref(o);
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "the client payload is not "
				    "a JSON object");
	}
	json_object_foreach(in, k, v) {
		int r = json_is_string(v) ? set_b64s(o, k, json_string_value(v))
					  : ATT_ERR_FORMAT;
		if (r) {
			json_decref(o);
			return att_diag_set(d, r,
					    "client payload "
					    "member \"%s\" is not a string",
					    k);
		}
	}
	*out = o;
	return 0;
}

int att_azg_attestation_info(json_t **out, const struct att_azg_evidence *e,
			     struct att_diag *d)
{
	json_t *o = json_object(), *cp = NULL, *tpm = NULL, *iso = NULL;
	int r = o ? 0 : ATT_ERR_NOMEM;
	*out = NULL;
	if (r == 0 && (!e->os_type || !e->os_distro || !e->os_build))
		r = att_diag_set(d, ATT_ERR_INVALID_ARG,
				 "no OS information");
	if (r == 0 && !(r = client_payload(&cp, e->client_payload, d)) &&
	    !(r = tpm_info(&tpm, e, d)))
		r = isolation_info(&iso, e, d);
	if (r == 0 &&
	    (json_object_set_new(o, "AttestationProtocolVersion",
				 json_string(ATT_AZG_PROTOCOL_VERSION)) ||
	     json_object_set(o, "ClientPayload", cp) ||
	     json_object_set(o, "IsolationInfo", iso)))
		r = ATT_ERR_NOMEM;
	if (r == 0 && !(r = set_b64s(o, "OSBuild", e->os_build)) &&
	    !(r = set_b64s(o, "OSDistro", e->os_distro)))
		r = set_b64s(o, "OSType", e->os_type);
	if (r == 0 && (json_object_set_new(o, "OSVersionMajor",
					   json_integer(e->os_major)) ||
		       json_object_set_new(o, "OSVersionMinor",
					   json_integer(e->os_minor))))
		r = ATT_ERR_NOMEM;
	if (r == 0)
		r = set_b64(o, "TcgLogs", e->tcg_log.p, e->tcg_log.len, 0);
	if (r == 0 && json_object_set(o, "TpmInfo", tpm))
		r = ATT_ERR_NOMEM;
	json_decref(cp);
	json_decref(tpm);
	json_decref(iso);
	if (r) {
		json_decref(o);
		return r;
	}
	*out = o;
	return 0;
}

int att_azg_request_body(char **out, const struct att_azg_evidence *e,
			 struct att_diag *d)
{
	json_t *info = NULL, *body = NULL;
	char *s = NULL, *b = NULL;
	int r = att_azg_attestation_info(&info, e, d);
	*out = NULL;
	if (r == 0 && !(s = json_dumps(info, JSON_COMPACT)))
		r = ATT_ERR_NOMEM;
	if (r == 0 && !(b = att_b64url_encode((const uint8_t *)s, strlen(s))))
		r = ATT_ERR_NOMEM;
	if (r == 0 && (!(body = json_object()) ||
		       json_object_set_new(body, "AttestationInfo",
					   json_string(b)) ||
		       !(*out = json_dumps(body, JSON_COMPACT))))
		r = ATT_ERR_NOMEM;
	json_decref(info);
	json_decref(body);
	free(s);
	free(b);
	return r;
}
