/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of AttestSevSnpVmRequest bodies (MAA REST API 2022-08-01,
 * 2022-09-01-preview, 2025-06-01, "Attestation - Attest Sev Snp Vm";
 * docs/api.md "SevSnpVm") and the binding of runtimeData / initTimeData
 * to the verified report.
 *
 *   {"report": b64url(JSON {"SnpReport": b64url(report),
 *                           "VcekCertChain": b64url(PEM)}),
 *    "runtimeData":  {"data": b64url, "dataType": "Binary" | "JSON"},
 *    "initTimeData": {"data": b64url, "dataType": "Binary" | "JSON"},
 *    "draftPolicyForAttestation": "<policy>", "nonce": "<string>"}
 *
 * The body is the same object in every api-version: the examples of
 * 2022-09-01-preview name the body parameter "request" where 2025-06-01
 * names it "body". A client that sent that name literally,
 * {"request": {...}}, is accepted too. "report" may also be the raw
 * 1184-byte report (no VcekCertChain: the VCEK then comes from the
 * certificate table or from AMD's KDS), and the document may carry
 * "CertTable", the extended report's certificate table (attestd's
 * extension). Unknown members are ignored, as MAA does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "verify/pipeline.h"
#include "verify/snp.h"

void att_snp_request_release(struct att_snp_request *r)
{
	if (!r)
		return;
	free(r->report);
	free(r->chain_pem);
	free(r->cert_table);
	att_req_data_release(&r->runtime);
	att_req_data_release(&r->inittime);
	json_decref(r->body);
	memset(r, 0, sizeof(*r));
}

/* report_doc reads the decoded "report": the JSON document, or (first
 * byte not '{' after white space) the raw report itself. */
static int report_doc(struct att_snp_request *r, const uint8_t *doc,
		      size_t len, struct att_diag *d)
{
	size_t i = 0;
	while (i < len && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\r' ||
			   doc[i] == '\n'))
		i++;
	if (i == len || doc[i] != '{') {
		r->raw_report = true;
		if (!(r->report = malloc(len ? len : 1)))
			return ATT_ERR_NOMEM;
		memcpy(r->report, doc, len);
		r->report_len = len;
		return 0;
	}
	json_t *o = NULL;
	struct att_diag jd = {0};
	int rc = att_attest_json_parse(&o, doc, len, &jd);
	if (rc || !json_is_object(o)) {
		json_decref(o);
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "\"report\" is neither an SNP report nor "
				    "the JSON document {\"SnpReport\", "
				    "\"VcekCertChain\"}: %s",
				    rc ? att_diag_msg(&jd) : "not an object");
	}
	json_t *rep = json_object_get(o, "SnpReport");
	json_t *chain = json_object_get(o, "VcekCertChain");
	json_t *table = json_object_get(o, "CertTable");
	if (!rep || json_is_null(rep))
		rc = att_diag_set(d, ATT_ERR_FORMAT,
				  "the \"report\" document has no \"SnpReport\"");
	if (!rc)
		rc = att_req_b64(&r->report, &r->report_len, "report.SnpReport",
				 rep, ATT_SNP_REPORT_LEN * 2, d);
	if (!rc && chain && !json_is_null(chain))
		rc = att_req_b64(
		    &r->chain_pem, &r->chain_len, "report.VcekCertChain", chain,
		    ATT_SNP_MAX_CHAIN_CERTS * ATT_SNP_MAX_CERT_LEN, d);
	if (!rc && table && !json_is_null(table))
		rc = att_req_b64(&r->cert_table, &r->cert_table_len,
				 "report.CertTable", table,
				 ATT_SNP_MAX_CERT_TABLE_LEN, d);
	json_decref(o);
	return rc;
}

static int report_member(struct att_snp_request *r, json_t *body,
			 struct att_diag *d)
{
	uint8_t *doc = NULL;
	size_t len = 0;
	json_t *v = json_object_get(body, "report");
	if (!v || json_is_null(v))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "the request has no \"report\"");
	int rc =
	    att_req_b64(&doc, &len, "report", v, ATT_SNP_MAX_REPORT_DOC_LEN, d);
	if (!rc)
		rc = report_doc(r, doc, len, d);
	free(doc);
	if (!rc && r->report_len != ATT_SNP_REPORT_LEN)
		rc = att_diag_set(d, ATT_ERR_FORMAT,
				  "%s is %zu bytes; an SEV-SNP attestation "
				  "report is %u bytes",
				  r->raw_report ? "\"report\""
						: "report.SnpReport",
				  r->report_len, ATT_SNP_REPORT_LEN);
	return rc;
}

int att_snp_request_decode(struct att_snp_request *r, const uint8_t *body,
			   size_t len, struct att_diag *d)
{
	memset(r, 0, sizeof(*r));
	int rc = att_req_body(&r->body, body, len, "report", d);
	if (rc)
		return rc;
	json_t *b = r->body;
	json_t *inner = json_object_get(b, "request");
	if (!json_object_get(b, "report") && json_is_object(inner)) {
		b = inner; /* {"request": {...}}, the preview example's name */
		r->wrapped = true;
	}
	rc = report_member(r, b, d);
	if (!rc)
		rc = att_req_data(&r->runtime, "runtimeData",
				  json_object_get(b, "runtimeData"), d);
	if (!rc)
		rc = att_req_data(&r->inittime, "initTimeData",
				  json_object_get(b, "initTimeData"), d);
	if (!rc)
		rc = att_req_string(&r->draft, &r->draft_len, b,
				    "draftPolicyForAttestation",
				    ATT_MAX_POLICY_LEN, d);
	if (!rc)
		rc = att_req_string(&r->nonce, NULL, b, "nonce",
				    ATT_ATTEST_MAX_NONCE, d);
	return rc;
}

int att_snp_binding_check(const struct att_snp_request *r,
			  const struct att_snp_report *rep,
			  struct att_diag *d)
{
	static const uint8_t zero[32];
	uint8_t h[32];
	if (r->runtime.present) {
		att_sha256(h, r->runtime.bytes, r->runtime.len);
		if (!att_ct_eq(h, rep->report_data, 32))
			return att_req_mismatch(
			    d, "SEV-SNP report", "runtimeData", h,
			    "REPORT_DATA[0..31]", rep->report_data);
		if (!att_ct_eq(rep->report_data + 32, zero, 32)) {
			char x[65];
			att_hex_encode(x, sizeof(x), rep->report_data + 32, 32,
				       false);
			return att_diag_set(d, ATT_ERR_MISMATCH,
					    "runtimeData binds REPORT_DATA"
					    "[0..31] only, but REPORT_DATA"
					    "[32..63] is not zero (%s): data "
					    "the token could not account for",
					    x);
		}
	}
	if (!r->inittime.present)
		return 0;
	att_sha256(h, r->inittime.bytes, r->inittime.len);
	if (!att_ct_eq(h, rep->host_data, 32))
		return att_req_mismatch(d, "SEV-SNP report", "initTimeData", h,
					"HOST_DATA", rep->host_data);
	return 0;
}
