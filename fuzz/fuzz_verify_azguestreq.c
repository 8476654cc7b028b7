/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the POST /attest/AzureGuest request decoder
 * (src/verify/azureguest_request.c, att_azg_request_decode). The input
 * is the AttestationInfo JSON; the target wraps it as MAA's clients do,
 * {"AttestationInfo": base64url(input)}, and decodes it. A decoded
 * request holds members within their limits, a PcrSet of PCRs 0..23 and
 * SHA-256 PCR values of PCRs it names. The same bytes also go to
 * TPM2_Certify's TPMS_ATTEST parser (att_azg_certify_parse). Seeds: the
 * REST example's AttestationInfo (its log shortened), an SevSnp and a
 * Tdx form, malformed members, and the example's certifyInfo.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "verify/azureguest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct att_azg_request *r)
{
	if (r->aik_cert.len > ATT_MAX_CERT_LEN ||
	    r->quote.len > ATT_MAX_TPM_STRUCT_LEN ||
	    r->quote_sig.len > ATT_TPM_MAX_RSA_BYTES ||
	    r->tcg_log.len > ATT_MAX_EVENTLOG_LEN ||
	    r->proof.len > ATT_AZG_MAX_PROOF_LEN ||
	    r->runtime.len > ATT_AZG_MAX_RUNTIME_LEN || !r->pcr_set ||
	    (r->pcr_set >> 24) || !r->os_type || !r->os_distro ||
	    !r->os_build || strlen(r->os_type) > ATT_AZG_MAX_OS_STRING_LEN)
		abort();
	if (r->iso != ATT_AZG_ISO_TRUSTED_LAUNCH &&
	    (!r->proof.len || !r->runtime.len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_azg_request rq;
	struct att_azg_certify c;
	struct att_diag d = {0};
	if (size > ATT_MAX_HTTP_BODY / 2)
		return 0;
	char *e = att_b64url_encode(data, size);
	size_t n = e ? strlen(e) : 0;
	char *body = e ? malloc(n + 32) : NULL;
	if (body) {
		memcpy(body, "{\"AttestationInfo\":\"", 20);
		memcpy(body + 20, e, n);
		memcpy(body + 20 + n, "\"}", 2);
		int r = att_azg_request_decode(&rq, (const uint8_t *)body,
					       n + 22, &d);
		if (r == 0)
			check(&rq);
		else if (r > 0)
			abort();
		att_azg_request_release(&rq);
	}
	free(body);
	free(e);
	att_diag_clear(&d);
	if (att_azg_certify_parse(&c, data, size, &d) > 0)
		abort();
	return 0;
}
