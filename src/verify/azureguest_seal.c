/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The answer MAA gives a guest (azureguest.h; docs/api.md "AzureGuest:
 * the sealed answer"), as Microsoft's guest clients open it: the token
 * is encrypted with a fresh AES-256-GCM key, 12-byte IV and associated
 * data "Transport Key"; the key is encrypted to EncKeyPub with
 * RSAES-PKCS1-v1_5, the scheme the clients give TPM2_RSA_Decrypt
 * (TPM_ALG_RSAES); the envelope is a compact JSON object of standard
 * base64 fields, the GCM tag apart as AuthenticationData, and travels as
 * base64url in {"token": ...}.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/aes_gcm.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "crypto/rsa_enc.h"
#include "verify/azureguest.h"

#define AAD "Transport Key"

int att_azg_seal_with(char **out, const char *jwt, const struct att_pkey *enc,
		      const uint8_t key[32], const uint8_t iv[12],
		      struct att_diag *d)
{
	size_t n = strlen(jwt), wl = 0;
	uint8_t *ct = malloc(n ? n : 1), tag[ATT_AES_GCM_TAG_LEN];
	uint8_t wrapped[ATT_AZG_MAX_WRAPPED_KEY_LEN];
	char *b_ct = NULL, *b_key = NULL, *b_iv = NULL, *b_tag = NULL;
	char *txt = NULL;
	json_t *env = NULL;
	int rc = ATT_ERR_NOMEM;
	*out = NULL;
	if (!ct)
		goto out;
	if ((rc = att_aes_gcm_encrypt(key, 32, iv, 12, AAD, strlen(AAD),
				      (const uint8_t *)jwt, n, ct, tag)) != 0) {
		att_diag_set(d, rc, "sealing the token: AES-GCM failed");
		goto out;
	}
	if ((rc = att_rsa_encrypt(enc, ATT_RSA_PAD_PKCS1, ATT_MD_SHA256, key,
				  32, wrapped, sizeof(wrapped), &wl)) != 0) {
		att_diag_set(d, rc,
			     "sealing the token: cannot encrypt to EncKeyPub");
		goto out;
	}
	rc = ATT_ERR_NOMEM;
	if (!(b_ct = att_b64_encode(ct, n)) ||
	    !(b_key = att_b64_encode(wrapped, wl)) ||
	    !(b_iv = att_b64_encode(iv, 12)) ||
	    !(b_tag = att_b64_encode(tag, sizeof(tag))))
		goto out;
	env = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:i, s:s}, s:s}", "Jwt",
			b_ct, "EncryptedInnerKey", b_key, "EncryptionParams",
			"BlockMode", "ChainingModeGCM", "BlockPadding", "PKCS7",
			"Cipher", "AES", "KeySizeInBits", 256, "Iv", b_iv,
			"AuthenticationData", b_tag);
	if (!env || !(txt = json_dumps(env, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		goto out;
	if (!(*out = att_b64url_encode((const uint8_t *)txt, strlen(txt))))
		goto out;
	rc = 0;
out:
	if (rc == ATT_ERR_NOMEM)
		att_diag_set(d, rc, "out of memory");
	free(ct);
	free(b_ct);
	free(b_key);
	free(b_iv);
	free(b_tag);
	free(txt);
	json_decref(env);
	return rc;
}

int att_azg_seal(char **out, const char *jwt, const struct att_pkey *enc,
		 struct att_diag *d)
{
	uint8_t key[32], iv[12];
	int rc = att_rand_bytes(key, sizeof(key));
	if (!rc)
		rc = att_rand_bytes(iv, sizeof(iv));
	if (rc)
		return att_diag_set(d, rc, "no random bytes");
	rc = att_azg_seal_with(out, jwt, enc, key, iv, d);
	att_keywrap_wipe(key, sizeof(key));
	return rc;
}
