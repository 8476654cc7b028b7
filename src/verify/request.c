/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of MAA attestation requests (MAA REST API
 * "Attestation - AttestSgxEnclave/AttestOpenEnclave"; docs/api.md):
 *   {"quote" | "report": b64url,
 *    "runtimeData":  {"data": b64url, "dataType": "Binary" | "JSON"},
 *    "initTimeData": {"data": b64url, "dataType": "Binary" | "JSON"},
 *    "draftPolicyForAttestation": "<policy text>", "nonce": "<string>"}
 * Every member is optional in MAA's schema except the evidence. Base64 is
 * accepted with or without padding and in either alphabet (clients differ).
 * Unknown members are ignored, as MAA does. Bytes after the quote's
 * signature data (or an OE report's declared size) other than bounded zero
 * padding are refused here, as ATT_ERR_TRAILING naming length and offset.
 * Also the checks that bind the data to the verified quote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "base/limits.h"
#include "crypto/digest.h"
#include "evidence/sgx/quote.h"
#include "evidence/sgx/verify.h"
#include "verify/attest.h"
#include "verify/pipeline.h"

const char *att_attest_kind_type(enum att_attest_kind kind)
{
	switch (kind) {
	case ATT_ATTEST_SGX:
		return "SgxEnclave";
	case ATT_ATTEST_OE:
		return "OpenEnclave";
	case ATT_ATTEST_TDX:
		return "TdxVm";
	}
	return "?";
}

void att_attest_request_release(struct att_attest_request *r)
{
	if (!r)
		return;
	free(r->evidence);
	att_req_data_release(&r->runtime);
	att_req_data_release(&r->inittime);
	json_decref(r->body);
	memset(r, 0, sizeof(*r));
}

/* evidence_padding refuses what follows the quote's signature data (or
 * an OE report's declared size) unless it is the zero padding real quote
 * generation leaves; any other framing error is left to verification,
 * which names it. */
static int evidence_padding(const struct att_attest_request *r,
			    const char *ev, struct att_diag *d)
{
	struct att_sgx_quote q;
	struct att_diag qd = {0};
	unsigned flags = r->kind == ATT_ATTEST_OE ? ATT_SGX_PARSE_OE_HEADER : 0;
	int rc = att_sgx_quote_parse(&q, r->evidence, r->evidence_len, flags,
				     &qd);
	if (rc != ATT_ERR_TRAILING)
		return 0;
	return att_diag_set(d, rc, "\"%s\": %s", ev, att_diag_msg(&qd));
}

int att_attest_request_decode(struct att_attest_request *r,
			      enum att_attest_kind kind, const uint8_t *body,
			      size_t len, struct att_diag *d)
{
	const char *ev = kind == ATT_ATTEST_OE ? "report" : "quote";
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	int rc = att_req_body(&r->body, body, len, ev, d);
	if (rc)
		return rc;
	json_t *q = json_object_get(r->body, ev);
	if (!q || json_is_null(q))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "the request has no \"%s\"", ev);
	rc = att_req_b64(&r->evidence, &r->evidence_len, ev, q,
			 ATT_MAX_QUOTE_LEN + ATT_SGX_OE_HEADER_LEN, d);
	if (!rc)
		rc = evidence_padding(r, ev, d);
	if (!rc)
		rc = att_req_data(&r->runtime, "runtimeData",
				  json_object_get(r->body, "runtimeData"), d);
	if (!rc)
		rc = att_req_data(&r->inittime, "initTimeData",
				  json_object_get(r->body, "initTimeData"), d);
	if (!rc)
		rc = att_req_string(&r->draft, &r->draft_len, r->body,
				    "draftPolicyForAttestation",
				    ATT_MAX_POLICY_LEN, d);
	if (!rc)
		rc = att_req_string(&r->nonce, NULL, r->body, "nonce",
				    ATT_ATTEST_MAX_NONCE, d);
	return rc;
}

int att_attest_oe_header_check(const uint8_t *p, size_t len,
			       struct att_diag *d)
{
	struct att_cur c;
	uint32_t version = 0, type = 0;
	uint64_t size = 0;
	att_cur_init(&c, p, len);
	if (att_cur_get_u32le(&c, &version) || att_cur_get_u32le(&c, &type) ||
	    att_cur_get_u64le(&c, &size))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "OpenEnclave report: %zu bytes, shorter "
				    "than its 16-byte header",
				    len);
	if (version != 1 || type != 2 || size > c.len || size == 0)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "OpenEnclave report header: version %u, "
				    "report type %u, size %llu; expected "
				    "version 1, type 2 (remote SGX) and a size "
				    "of at most the %zu bytes that follow",
				    version, type, (unsigned long long)size,
				    c.len);
	return 0;
}

int att_attest_binding_check(const struct att_attest_request *r,
			     const struct att_dcap_result *res,
			     struct att_diag *d)
{
	bool tdx = res->tee == ATT_DCAP_TEE_TDX;
	uint8_t h[32];
	if (r->runtime.present) {
		const uint8_t *rd = tdx ? res->tdx.report_data
					: res->sgx.report_data;
		att_sha256(h, r->runtime.bytes, r->runtime.len);
		if (!att_ct_eq(h, rd, 32))
			return att_req_mismatch(d, "quote", "runtimeData", h,
						tdx ? "TD report data[0..31]"
						    : "report_data[0..31]",
						rd);
	}
	if (!r->inittime.present)
		return 0;
	if (!tdx && !(res->sgx.attributes[0] & ATT_SGX_FLAG_KSS))
		return att_diag_set(d, ATT_ERR_MISMATCH,
				    "initTimeData was given but the enclave "
				    "does not use Key Separation and Sharing "
				    "(ATTRIBUTES.KSS is clear), so its quote "
				    "has no CONFIGID to bind it to");
	const uint8_t *cfg = tdx ? res->tdx.mrconfigid : res->sgx.config_id;
	att_sha256(h, r->inittime.bytes, r->inittime.len);
	if (!att_ct_eq(h, cfg, 32))
		return att_req_mismatch(
		    d, "quote", "initTimeData", h,
		    tdx ? "MRCONFIGID[0..31]" : "CONFIGID[0..31]", cfg);
	return 0;
}
