/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the /attest/Tpm message decoder (evidence/tpm/proto.h).
 * Each input goes through the three decoders: as an HTTP body
 * {"data": ...} (client messages and server answers) and as the JSON
 * payload of a flow B request JWS. A decoded message is re-encoded and
 * decoded again, and must survive the round trip unchanged in kind.
 * Seeds (fuzz/corpus/evidence_tpmproto) are real messages of both flows
 * captured from `attest tpm enroll` / `attest tpm attest` against swtpm,
 * and request payloads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/tpm/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reencode(const struct att_tpmproto_msg *m)
{
	struct att_tpmproto_msg m2;
	char *b = NULL;
	int r = 0;
	switch (m->kind) {
	case ATT_TPMPROTO_AIKENROLL:
		r = att_tpmproto_enc_enroll(&b, m->ek_pub.p, m->ek_pub.len,
					    m->ek_cert.p, m->ek_cert.len,
					    m->aik_pub.p, m->aik_pub.len);
		break;
	case ATT_TPMPROTO_AIKACTIVATE:
		r = att_tpmproto_enc_activate(&b, m->secret.p, m->secret.len,
					      m->service_context);
		break;
	case ATT_TPMPROTO_AIKCERT:
		r = att_tpmproto_enc_aikcert(&b);
		break;
	case ATT_TPMPROTO_REQUEST:
		r = att_tpmproto_enc_request(&b, m->request);
		break;
	}
	if (r == 0 && b) {
		if (att_tpmproto_decode_msg(&m2, (uint8_t *)b, strlen(b),
					    NULL) != 0 ||
		    m2.kind != m->kind)
			abort();
		att_tpmproto_msg_release(&m2);
	}
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_tpmproto_msg m;
	struct att_tpmproto_attreq a;
	struct att_tpmproto_resp r;
	if (att_tpmproto_decode_msg(&m, data, size, NULL) == 0)
		reencode(&m);
	att_tpmproto_msg_release(&m);
	if (att_tpmproto_attreq_parse(&a, data, size, NULL) == 0) {
		char *js = NULL;
		if (att_tpmproto_attreq_to_json(&js, &a) == 0) {
			struct att_tpmproto_attreq a2;
			if (att_tpmproto_attreq_parse(&a2, (uint8_t *)js,
						      strlen(js), NULL) != 0)
				abort();
			att_tpmproto_attreq_release(&a2);
		}
		free(js);
	}
	att_tpmproto_attreq_release(&a);
	att_tpmproto_decode_resp(&r, data, size, NULL);
	att_tpmproto_resp_release(&r);
	return 0;
}
