/* SPDX-License-Identifier: Apache-2.0 */
/*
 * service_context sealing (evidence/tpm/context.h). The plaintext is a small binary
 * record (version 1):
 *   u8 version | u8 kind | u64be iat | u64be exp | id[16]
 *   | u8 secret_len | secret | u8 has_ek_cert | [ek_cert_sha256[32]]
 *   | u16be aik_pub_len | aik_pub
 * sealed with att_keywrap (AES-256-GCM, random nonce) under the
 * provider's key with associated data "attestd-tpm-context/v1/<provider>".
 * The text the client carries is base64url of the JSON object
 * {"ProtectionKeyName": <hex id of the key>, "ProtectedContext":
 * <base64url of the sealed blob>}, the shape MAA uses.
 */
#include "evidence/tpm/context.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/cur.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "crypto/digest.h"

#define CTX_VERSION 1
#define CTX_MAX_PLAIN (64 + ATT_TPMCTX_MAX_SECRET + ATT_MAX_TPM_STRUCT_LEN)

static const char key_label[] = "attestd-tpm-context-key/v1/";
static const char aad_label[] = "attestd-tpm-context/v1/";

int att_tpmctx_key_derive(struct att_tpmctx_key *out,
			  const uint8_t master[static ATT_KEYWRAP_KEY_LEN],
			  const char *provider)
{
	struct att_buf in;
	uint8_t id[32];
	int r;
	memset(out, 0, sizeof(*out));
	att_buf_init(&in, 512);
	if ((r = att_buf_adds(&in, key_label)) ||
	    (r = att_buf_adds(&in, provider)))
		return r;
	r = att_hmac(ATT_MD_SHA256, out->k, master, ATT_KEYWRAP_KEY_LEN,
		     in.data, in.len);
	att_buf_release(&in);
	if (r)
		return r;
	/* The name identifies the key without revealing it. */
	if ((r = att_hmac(ATT_MD_SHA256, id, out->k, sizeof(out->k),
			  "attestd-tpm-context-key-name", 28)) != 0)
		return r;
	att_hex_encode(out->name, sizeof(out->name), id, sizeof(id), false);
	return 0;
}

void att_tpmctx_key_wipe(struct att_tpmctx_key *k)
{
	att_keywrap_wipe(k, sizeof(*k));
}

static int put_u64(struct att_buf *b, int64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	return att_buf_add(b, x, 8);
}

static int serialize(struct att_buf *b, const struct att_tpmctx *c)
{
	uint8_t hdr[2] = {CTX_VERSION, c->kind};
	uint8_t n = (uint8_t)c->secret_len, has = c->has_ek_cert;
	uint8_t al[2] = {(uint8_t)(c->aik_pub_len >> 8),
			 (uint8_t)c->aik_pub_len};
	int r;
	if (c->secret_len > ATT_TPMCTX_MAX_SECRET ||
	    c->aik_pub_len > sizeof(c->aik_pub))
		return ATT_ERR_INVALID_ARG;
	if ((r = att_buf_add(b, hdr, 2)) || (r = put_u64(b, c->iat)) ||
	    (r = put_u64(b, c->exp)) || (r = att_buf_add(b, c->id, 16)) ||
	    (r = att_buf_add(b, &n, 1)) ||
	    (r = att_buf_add(b, c->secret, c->secret_len)) ||
	    (r = att_buf_add(b, &has, 1)))
		return r;
	if (has && (r = att_buf_add(b, c->ek_cert_sha256, 32)) != 0)
		return r;
	if ((r = att_buf_add(b, al, 2)) ||
	    (r = att_buf_add(b, c->aik_pub, c->aik_pub_len)))
		return r;
	return 0;
}

static int deserialize(struct att_tpmctx *c, const uint8_t *p, size_t len)
{
	struct att_cur cur;
	uint8_t ver, n, has;
	uint16_t al;
	uint64_t iat, exp;
	att_cur_init(&cur, p, len);
	memset(c, 0, sizeof(*c));
	if (att_cur_get_u8(&cur, &ver) || ver != CTX_VERSION ||
	    att_cur_get_u8(&cur, &c->kind) || att_cur_get_u64be(&cur, &iat) ||
	    att_cur_get_u64be(&cur, &exp) || att_cur_copy(&cur, c->id, 16) ||
	    att_cur_get_u8(&cur, &n) || n > ATT_TPMCTX_MAX_SECRET ||
	    att_cur_copy(&cur, c->secret, n) || att_cur_get_u8(&cur, &has) ||
	    has > 1)
		return ATT_ERR_FORMAT;
	if (has && att_cur_copy(&cur, c->ek_cert_sha256, 32))
		return ATT_ERR_FORMAT;
	if (att_cur_get_u16be(&cur, &al) || al > sizeof(c->aik_pub) ||
	    att_cur_copy(&cur, c->aik_pub, al) || att_cur_expect_end(&cur))
		return ATT_ERR_FORMAT;
	c->iat = (int64_t)iat;
	c->exp = (int64_t)exp;
	c->secret_len = n;
	c->has_ek_cert = has;
	c->aik_pub_len = al;
	return 0;
}

static int make_aad(char *out, size_t cap, const char *provider)
{
	int n = snprintf(out, cap, "%s%s", aad_label, provider);
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : n;
}

int att_tpmctx_seal(char **out, const struct att_tpmctx_key *k,
		    const char *provider, const struct att_tpmctx *c)
{
	struct att_buf plain;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	char aad[128], *b = NULL, *text = NULL;
	json_t *o = NULL;
	int r, n = make_aad(aad, sizeof(aad), provider);
	*out = NULL;
	att_buf_init(&plain, CTX_MAX_PLAIN);
	plain.secret = true;
	if (n < 0)
		return n;
	if ((r = serialize(&plain, c)) != 0)
		goto out;
	if ((r = att_keywrap_wrap(&blob, &blob_len, k->k, aad, (size_t)n,
				  plain.data, plain.len)) != 0)
		goto out;
	r = ATT_ERR_NOMEM;
	if (!(b = att_b64url_encode(blob, blob_len)) ||
	    !(o = json_pack("{s:s, s:s}", "ProtectionKeyName", k->name,
			    "ProtectedContext", b)) ||
	    !(text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) ||
	    !(*out = att_b64url_encode((const uint8_t *)text, strlen(text))))
		goto out;
	r = 0;
out:
	att_buf_release(&plain);
	json_decref(o);
	free(text);
	free(b);
	free(blob);
	return r;
}

/* unpack decodes the outer text into the sealed blob after checking the
 * key name. */
static int unpack(uint8_t **blob, size_t *blob_len,
		  const struct att_tpmctx_key *k, const char *text,
		  struct att_diag *diag)
{
	uint8_t *js = NULL;
	size_t js_len = 0;
	json_t *o = NULL;
	int r = ATT_ERR_FORMAT;
	if (strlen(text) > 4096 ||
	    att_b64_decode(&js, &js_len, text, strlen(text)) ||
	    !(o = json_loadb((const char *)js, js_len, JSON_REJECT_DUPLICATES,
			     NULL))) {
		r = att_diag_set(diag, r, "service_context is malformed");
		goto out;
	}
	const char *name =
	    json_string_value(json_object_get(o, "ProtectionKeyName"));
	const char *pc =
	    json_string_value(json_object_get(o, "ProtectedContext"));
	if (!name || !pc) {
		r = att_diag_set(diag, r, "service_context is malformed");
		goto out;
	}
	if (strcmp(name, k->name)) {
		r = att_diag_set(diag, ATT_ERR_SIG_INVALID,
				 "service_context was not issued by this "
				 "provider (unknown protection key)");
		goto out;
	}
	if (att_b64_decode(blob, blob_len, pc, strlen(pc))) {
		r = att_diag_set(diag, r, "service_context is malformed");
		goto out;
	}
	r = 0;
out:
	json_decref(o);
	free(js);
	return r;
}

static int check_time(const struct att_tpmctx *c, int64_t now,
		      struct att_diag *diag)
{
	if (c->iat > now + ATT_MAX_CLOCK_SKEW_SECONDS)
		return att_diag_set(diag, ATT_ERR_NOT_YET_VALID,
				    "service_context is not yet valid");
	if (now > c->exp)
		return att_diag_set(diag, ATT_ERR_EXPIRED,
				    "service_context expired %lld s ago "
				    "(it was valid for %lld s)",
				    (long long)(now - c->exp),
				    (long long)(c->exp - c->iat));
	return 0;
}

int att_tpmctx_open(struct att_tpmctx *out, const struct att_tpmctx_key *k,
		    const char *provider, const char *text, int64_t now,
		    struct att_diag *diag)
{
	uint8_t *blob = NULL, *plain = NULL;
	size_t blob_len = 0, plain_len = 0;
	char aad[128];
	int r, n = make_aad(aad, sizeof(aad), provider);
	memset(out, 0, sizeof(*out));
	if (n < 0)
		return n;
	if ((r = unpack(&blob, &blob_len, k, text, diag)) != 0)
		goto out;
	r = att_keywrap_unwrap(&plain, &plain_len, k->k, aad, (size_t)n, blob,
			       blob_len);
	if (r) {
		r = att_diag_set(diag,
				 r == ATT_ERR_FORMAT ? r : ATT_ERR_SIG_INVALID,
				 "service_context does not open (tampered, or "
				 "issued by another provider)");
		goto out;
	}
	if ((r = deserialize(out, plain, plain_len)) != 0) {
		r = att_diag_set(diag, r,
				 "service_context content is "
				 "malformed");
		goto out;
	}
	r = check_time(out, now, diag);
out:
	if (plain) {
		att_keywrap_wipe(plain, plain_len);
		free(plain);
	}
	free(blob);
	return r;
}
