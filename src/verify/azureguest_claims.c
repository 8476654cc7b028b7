/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The claims of an azurevm token (azureguest.h; docs/claims.md
 * "AzureGuest"), with the names, JSON types and nesting of MAA's azurevm
 * tokens (tests/vectors/maa/real-outputs/azurevm-*.json): the boot
 * claims come from the verified part of the log (evidence/tcg/wbcl.h),
 * x-ms-runtime holds the client's payload as sent and the vTPM key the
 * answer is sealed to, x-ms-isolation-tee the hardware report's claims.
 */
#include <string.h>

#include "attest/err.h"
#include "verify/azureguest.h"

static int set(json_t *o, const char *k, json_t *v)
{
	return v && !json_object_set_new(o, k, v) ? 0 : ATT_ERR_NOMEM;
}

/* enc_jwk: EncKeyPub as MAA shows it, kid "TpmEphemeralEncryptionKey". */
static json_t *enc_jwk(const struct att_pkey *k)
{
	json_t *jwk = NULL;
	if (att_pkey_to_jwk(&jwk, k) != 0)
		return NULL;
	if (set(jwk, "kid", json_string("TpmEphemeralEncryptionKey")) ||
	    set(jwk, "key_ops", json_pack("[s]", "encrypt"))) {
		json_decref(jwk);
		return NULL;
	}
	return jwk;
}

int att_azg_claims(json_t *obj, const struct att_azg_request *r,
		   const struct att_azg_tpm *t, json_t *tee)
{
	json_t *rt = json_object(), *jwk = enc_jwk(t->enc_key);
	int rc = rt && jwk ? 0 : ATT_ERR_NOMEM;
	if (!rc && r->client_payload)
		rc = set(rt, "client-payload", json_incref(r->client_payload));
	if (!rc)
		rc = set(rt, "keys", json_pack("[O]", jwk));
	if (!rc)
		rc = set(obj, "x-ms-attestation-type", json_string("azurevm"));
	if (!rc)
		rc = set(obj, "x-ms-azurevm-attestation-protocol-ver",
			 json_string("2.0"));
	if (!rc && t->boot_claims &&
	    json_object_update(obj, t->boot_claims) != 0)
		rc = ATT_ERR_NOMEM;
	if (!rc && tee)
		rc = set(obj, "x-ms-isolation-tee", json_incref(tee));
	if (!rc) {
		rc = set(obj, "x-ms-runtime", rt);
		rt = NULL; /* transferred (or freed by set) */
	}
	if (!rc)
		rc = set(obj, "x-ms-ver", json_string("1.0"));
	json_decref(rt);
	json_decref(jwk);
	return rc;
}
