/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: opening a TPM service_context (evidence/tpm/context.h).
 * The first byte picks the mode: even, the rest is the text a client
 * sends back (base64url of the JSON envelope), opened as is; odd, the rest
 * is a plaintext record, sealed here under the provider's key with the
 * associated data context_seal.c uses, so that the record reader behind
 * the authentication is reached. A context that opens must seal again.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/b64.h"
#include "crypto/keywrap.h"
#include "evidence/tpm/context.h"

static const uint8_t master[ATT_KEYWRAP_KEY_LEN] = {7, 7, 7};
static const char provider[] = "fuzz";

/* envelope seals plain as context_seal.c does and returns the text. */
static char *envelope(const struct att_tpmctx_key *k, const uint8_t *plain,
		      size_t len)
{
	static const char aad[] = "attestd-tpm-context/v1/fuzz";
	uint8_t *blob = NULL;
	size_t bl = 0;
	char *b = NULL, *js = NULL, *text = NULL;
	json_t *o = NULL;
	if (att_keywrap_wrap(&blob, &bl, k->k, aad, strlen(aad), plain,
			     len) != 0)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_tpmctx_key k;
	struct att_tpmctx *c = malloc(sizeof(*c));
	char *text = NULL, *again = NULL;
	if (!c || size == 0 ||
	    att_tpmctx_key_derive(&k, master, provider) != 0) {
		free(c);
		return 0;
	}
	if (data[0] & 1) {
		text = envelope(&k, data + 1, size - 1);
	} else if ((text = malloc(size)) != NULL) {
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
	}
	if (text && att_tpmctx_open(c, &k, provider, text, 1800000000,
				    NULL) == 0) {
		if (c->secret_len > ATT_TPMCTX_MAX_SECRET ||
		    c->aik_pub_len > sizeof(c->aik_pub) ||
		    att_tpmctx_seal(&again, &k, provider, c) != 0)
			abort();
	}
	free(again);
	free(text);
	free(c);
	att_tpmctx_key_wipe(&k);
	return 0;
}
