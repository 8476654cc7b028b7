/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sealed answer of POST /attest/AzureGuest (client/azguest.h): the
 * service encrypts the JWT with a fresh AES-256-GCM key (associated data
 * "Transport Key") and wraps that key to the ephemeral TPM key the
 * request certified, so only the TPM that made the request can read its
 * token. Parsing is form only; att_azg_open decrypts.
 */
#include "client/azguest.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/aes_gcm.h"
#include "crypto/digest.h"

void att_azg_sealed_release(struct att_azg_sealed *s)
{
	if (!s)
		return;
	free(s->jwt_ct);
	free(s->wrapped_key);
	memset(s, 0, sizeof(*s));
}

/* b64_member decodes the string member key of o (either alphabet) into a
 * malloc'd buffer of 1..max bytes. */
static int b64_member(json_t *o, const char *key, size_t max, uint8_t **out,
		      size_t *len, struct att_diag *d)
{
	const char *s = json_string_value(json_object_get(o, key));
	*out = NULL;
	*len = 0;
	if (!s)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "sealed token: no string member \"%s\"",
				    key);
	if (strlen(s) / 4 * 3 > max + 3)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "sealed token: \"%s\" over %zu bytes", key,
				    max);
	int r = att_b64_decode(out, len, s, strlen(s));
	if (r == 0 && (*len == 0 || *len > max))
		r = *len ? ATT_ERR_LIMIT : ATT_ERR_FORMAT;
	if (r) {
		free(*out);
		*out = NULL;
		*len = 0;
		return att_diag_set(d, r, "sealed token: \"%s\" is not base64 "
				    "of 1..%zu bytes", key, max);
	}
	return 0;
}

/* b64_fixed decodes key into out (exactly or at most cap bytes). */
static int b64_fixed(json_t *o, const char *key, uint8_t *out, size_t cap,
		     bool exact, size_t *len, struct att_diag *d)
{
	uint8_t *p = NULL;
	size_t n = 0;
	int r = b64_member(o, key, cap, &p, &n, d);
	if (r == 0 && exact && n != cap)
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "sealed token: \"%s\" is %zu bytes, not %zu",
				 key, n, cap);
	if (r == 0) {
		memcpy(out, p, n);
		if (len)
			*len = n;
	}
	free(p);
	return r;
}

/* params checks EncryptionParams (the members Microsoft's service sends
 * are checked when present) and reads the IV. */
static int params(struct att_azg_sealed *s, json_t *p, struct att_diag *d)
{
	json_t *v;
	if (!json_is_object(p))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "sealed token: no EncryptionParams object");
	if ((v = json_object_get(p, "Cipher")) &&
	    (!json_is_string(v) || strcmp(json_string_value(v), "AES")))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sealed token: Cipher is not \"AES\"");
	if ((v = json_object_get(p, "BlockMode")) &&
	    (!json_is_string(v) ||
	     strcmp(json_string_value(v), "ChainingModeGCM")))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sealed token: BlockMode is not "
				    "\"ChainingModeGCM\"");
	if ((v = json_object_get(p, "KeySizeInBits")) &&
	    (!json_is_integer(v) ||
	     json_integer_value(v) != 8 * ATT_AZG_INNER_KEY_LEN))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sealed token: KeySizeInBits is not 256");
	return b64_fixed(p, "Iv", s->iv, sizeof(s->iv), false, &s->iv_len, d);
}

static int envelope(struct att_azg_sealed *s, const uint8_t *p, size_t n,
		    struct att_diag *d)
{
	json_error_t je;
	json_t *e = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &je);
	int r;
	if (!json_is_object(e)) {
		json_decref(e);
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "sealed token: the envelope is not a JSON "
				    "object");
	}
	if ((r = b64_member(e, "Jwt", ATT_MAX_TOKEN_LEN, &s->jwt_ct,
			    &s->jwt_ct_len, d)) == 0 &&
	    (r = b64_member(e, "EncryptedInnerKey", ATT_AZG_MAX_WRAPPED_KEY_LEN,
			    &s->wrapped_key, &s->wrapped_key_len, d)) == 0 &&
	    (r = params(s, json_object_get(e, "EncryptionParams"), d)) == 0)
		r = b64_fixed(e, "AuthenticationData", s->tag, sizeof(s->tag),
			      true, NULL, d);
	json_decref(e);
	return r;
}

int att_azg_sealed_parse(struct att_azg_sealed *s, const uint8_t *body,
			 size_t len, struct att_diag *d)
{
	json_error_t je;
	uint8_t *env = NULL;
	size_t env_len = 0;
	int r;
	memset(s, 0, sizeof(*s));
	if (len > ATT_MAX_HTTP_BODY)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "sealed token: answer over %d bytes",
				    ATT_MAX_HTTP_BODY);
	json_t *j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES,
			       &je);
	const char *tok = json_string_value(json_object_get(j, "token"));
	if (!tok)
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "sealed token: the answer has no \"token\" "
				 "string");
	else if (att_b64_decode(&env, &env_len, tok, strlen(tok)) || !env_len)
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "sealed token: \"token\" is not base64");
	else
		r = envelope(s, env, env_len, d);
	free(env);
	json_decref(j);
	if (r)
		att_azg_sealed_release(s);
	return r;
}

/* compact_jws tells whether s is three base64url parts joined by dots. */
static bool compact_jws(const char *s, size_t n)
{
	size_t dots = 0, part = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (part == 0)
				return false;
			dots++;
			part = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		part++;
	}
	return dots == 2 && part > 0;
}

int att_azg_open(char **jwt, const struct att_azg_sealed *s,
		 att_azg_unwrap_fn unwrap, void *ctx, struct att_diag *d)
{
	uint8_t key[ATT_AZG_MAX_WRAPPED_KEY_LEN];
	size_t key_len = 0;
	char *out = NULL;
	int r;
	*jwt = NULL;
	if (!s->jwt_ct || !s->wrapped_key || !s->iv_len)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "sealed token: nothing to open");
	if ((r = unwrap(ctx, s->wrapped_key, s->wrapped_key_len, key,
			sizeof(key), &key_len, d)))
		goto out;
	if (key_len != ATT_AZG_INNER_KEY_LEN) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "sealed token: the inner key is %zu bytes, "
				 "not %d",
				 key_len, ATT_AZG_INNER_KEY_LEN);
		goto out;
	}
	if (!(out = malloc(s->jwt_ct_len + 1))) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	r = att_aes_gcm_decrypt(key, key_len, s->iv, s->iv_len,
				ATT_AZG_GCM_AAD, strlen(ATT_AZG_GCM_AAD),
				s->jwt_ct, s->jwt_ct_len, s->tag,
				sizeof(s->tag), (uint8_t *)out);
	if (r) {
		r = att_diag_set(d, r,
				 "sealed token: AES-GCM decryption failed "
				 "(authentication tag does not verify)");
		goto out;
	}
	out[s->jwt_ct_len] = '\0';
	if (!compact_jws(out, s->jwt_ct_len)) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "sealed token: the decrypted token is not a "
				 "compact JWS");
		goto out;
	}
	*jwt = out;
	out = NULL; /* transferred */
out:
	att_cleanse(key, sizeof(key));
	free(out);
	return r;
}

int att_azg_envelope_make(char **body, const char *jwt,
		 const uint8_t key[ATT_AZG_INNER_KEY_LEN], const uint8_t *iv,
		 size_t iv_len, const uint8_t *wrapped, size_t wrapped_len)
{
	size_t n = strlen(jwt);
	uint8_t tag[ATT_AES_GCM_TAG_LEN];
	uint8_t *ct = malloc(n ? n : 1);
	char *b_ct = NULL, *b_key = NULL, *b_iv = NULL, *b_tag = NULL;
	char *env_s = NULL, *b_env = NULL;
	json_t *env = NULL, *out = NULL;
	int r = ct ? 0 : ATT_ERR_NOMEM;
	*body = NULL;
	if (r == 0)
		r = att_aes_gcm_encrypt(key, ATT_AZG_INNER_KEY_LEN, iv, iv_len,
					ATT_AZG_GCM_AAD,
					strlen(ATT_AZG_GCM_AAD),
					(const uint8_t *)jwt, n, ct, tag);
	if (r == 0 && (!(b_ct = att_b64_encode(ct, n)) ||
		       !(b_key = att_b64_encode(wrapped, wrapped_len)) ||
		       !(b_iv = att_b64_encode(iv, iv_len)) ||
		       !(b_tag = att_b64_encode(tag, sizeof(tag)))))
		r = ATT_ERR_NOMEM;
	if (r == 0 &&
	    !(env = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:i, s:s}, s:s}",
			      "Jwt", b_ct, "EncryptedInnerKey", b_key,
			      "EncryptionParams", "BlockMode",
			      "ChainingModeGCM", "BlockPadding", "PKCS7",
			      "Cipher", "AES", "KeySizeInBits", 256, "Iv", b_iv,
			      "AuthenticationData", b_tag)))
		r = ATT_ERR_NOMEM;
	if (r == 0 && (!(env_s = json_dumps(env, JSON_COMPACT)) ||
		       !(b_env = att_b64url_encode((const uint8_t *)env_s,
						   strlen(env_s))) ||
		       !(out = json_pack("{s:s}", "token", b_env)) ||
		       !(*body = json_dumps(out, JSON_COMPACT))))
		r = ATT_ERR_NOMEM;
	free(ct);
	free(b_ct);
	free(b_key);
	free(b_iv);
	free(b_tag);
	free(env_s);
	free(b_env);
	json_decref(env);
	json_decref(out);
	return r;
}
