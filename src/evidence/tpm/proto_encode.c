/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encoding of the /attest/Tpm messages (proto.h): the {"data"} envelope
 * around {"payload": ...}, the client messages, the server's answers and
 * the request JWS payload. Binary fields are written as base64url without
 * padding, as MAA writes them.
 */
#include "evidence/tpm/proto.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"

/* set_b64 adds member name = b64url(p[0..len)) to o. */
static int set_b64(json_t *o, const char *name, const uint8_t *p, size_t len)
{
	char *s = att_b64url_encode(p, len);
	if (!s)
		return ATT_ERR_NOMEM;
	int r =
	    json_object_set_new(o, name, json_string(s)) ? ATT_ERR_NOMEM : 0;
	free(s);
	return r;
}

static int set_str(json_t *o, const char *name, const char *s)
{
	return json_object_set_new(o, name, json_string(s)) ? ATT_ERR_NOMEM : 0;
}

int att_tpmproto_wrap(char **out, json_t *payload)
{
	*out = NULL;
	json_t *msg = json_pack("{s:O}", "payload", payload);
	char *text =
	    msg ? json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	char *b = text ? att_b64url_encode((const uint8_t *)text, strlen(text))
		       : NULL;
	json_t *env = b ? json_pack("{s:s}", "data", b) : NULL;
	*out = env ? json_dumps(env, JSON_COMPACT) : NULL;
	json_decref(env);
	free(b);
	free(text);
	json_decref(msg);
	return *out ? 0 : ATT_ERR_NOMEM;
}

/* finish wraps payload (owned: released here) into *out. */
static int finish(char **out, json_t *payload, int r)
{
	*out = NULL;
	if (!payload)
		r = ATT_ERR_NOMEM;
	if (r == 0)
		r = att_tpmproto_wrap(out, payload);
	json_decref(payload);
	return r;
}

int att_tpmproto_enc_enroll(char **out, const uint8_t *ek_pub,
			    size_t ek_pub_len, const uint8_t *ek_cert,
			    size_t ek_cert_len, const uint8_t *aik_pub,
			    size_t aik_pub_len)
{
	json_t *p = json_pack("{s:s}", "type", "aikenroll");
	int r = p ? set_b64(p, "ek_pub", ek_pub, ek_pub_len) : 0;
	if (r == 0 && p && ek_cert && ek_cert_len)
		r = set_b64(p, "ek_cert", ek_cert, ek_cert_len);
	if (r == 0 && p)
		r = set_b64(p, "aik_pub", aik_pub, aik_pub_len);
	return finish(out, p, r);
}

int att_tpmproto_enc_activate(char **out, const uint8_t *secret,
			      size_t secret_len, const char *service_context)
{
	json_t *p = json_pack("{s:s}", "type", "aikactivate");
	int r = p ? set_b64(p, "secret", secret, secret_len) : 0;
	if (r == 0 && p)
		r = set_str(p, "service_context", service_context);
	return finish(out, p, r);
}

int att_tpmproto_enc_aikcert(char **out)
{
	return finish(out, json_pack("{s:s}", "type", "aikcert"), 0);
}

int att_tpmproto_enc_request(char **out, const char *jws)
{
	return finish(out, json_pack("{s:s}", "request", jws), 0);
}

int att_tpmproto_enc_credential(char **out, const uint8_t *id_object,
				size_t id_object_len, const uint8_t *enc_secret,
				size_t enc_secret_len,
				const char *service_context)
{
	json_t *p = json_object();
	int r = p ? set_b64(p, "credential_blob", id_object, id_object_len) : 0;
	if (r == 0 && p)
		r = set_b64(p, "encrypted_secret", enc_secret, enc_secret_len);
	if (r == 0 && p)
		r = set_str(p, "service_context", service_context);
	return finish(out, p, r);
}

int att_tpmproto_enc_aik_cert(char **out, const uint8_t *der, size_t len)
{
	json_t *p = json_object();
	int r = p ? set_b64(p, "aik_cert", der, len) : 0;
	return finish(out, p, r);
}

int att_tpmproto_enc_challenge(char **out, const uint8_t *challenge, size_t len,
			       const char *service_context)
{
	json_t *p = json_object();
	int r = p ? set_b64(p, "challenge", challenge, len) : 0;
	if (r == 0 && p)
		r = set_str(p, "service_context", service_context);
	return finish(out, p, r);
}

int att_tpmproto_enc_report(char **out, const char *jwt)
{
	return finish(out, json_pack("{s:s}", "report", jwt), 0);
}

/* ---- the request payload ------------------------------------------ */

static int set_blob_opt(json_t *o, const char *name,
			const struct att_tpmproto_blob *b)
{
	return b->p && b->len ? set_b64(o, name, b->p, b->len) : 0;
}

static json_t *tpm_data_json(const struct att_tpmproto_attreq *a)
{
	json_t *t = json_object();
	json_t *pcrs =
	    a->has_pcrs ? att_tpm_pcrs_to_json(&a->pcrs) : json_object();
	int r = t && pcrs ? 0 : ATT_ERR_NOMEM;
	if (r == 0)
		r = set_blob_opt(t, "aik_cert", &a->aik_cert);
	if (r == 0)
		r = set_blob_opt(t, "aik_pub", &a->aik_pub);
	if (r == 0)
		r = set_blob_opt(t, "quote", &a->quote);
	if (r == 0)
		r = set_blob_opt(t, "signature", &a->signature);
	if (r == 0 && json_object_set(t, "pcrs", pcrs))
		r = ATT_ERR_NOMEM;
	if (r == 0)
		r = set_blob_opt(t, "srtm_boot_log", &a->log);
	json_decref(pcrs);
	if (r) {
		json_decref(t);
		return NULL;
	}
	return t;
}

static int att_data_fill(json_t *d, const struct att_tpmproto_attreq *a)
{
	int r = 0;
	if (a->rp_id)
		r = set_str(d, "rp_id", a->rp_id);
	if (r == 0 && a->rp_data)
		r = set_str(d, "rp_data", a->rp_data);
	else if (r == 0)
		r = set_blob_opt(d, "rp_data", &a->rp_data_raw);
	if (r == 0)
		r = set_blob_opt(d, "challenge", &a->challenge);
	if (r == 0 && a->service_context)
		r = set_str(d, "service_context", a->service_context);
	if (r == 0 && a->attest_key &&
	    json_object_set(d, "attest_key", a->attest_key))
		r = ATT_ERR_NOMEM;
	if (r == 0 && a->custom_claims &&
	    json_object_set(d, "custom_claims", a->custom_claims))
		r = ATT_ERR_NOMEM;
	json_t *t = r == 0 ? tpm_data_json(a) : NULL;
	if (r == 0 && (!t || json_object_set_new(d, "tpm_att_data", t)))
		r = ATT_ERR_NOMEM;
	return r;
}

int att_tpmproto_attreq_to_json(char **out, const struct att_tpmproto_attreq *a)
{
	*out = NULL;
	json_t *d = json_object();
	json_t *o =
	    d ? json_pack("{s:s, s:O}", "att_type",
			  a->att_type ? a->att_type : "basic", "att_data", d)
	      : NULL;
	int r = o ? att_data_fill(d, a) : ATT_ERR_NOMEM;
	if (r == 0 &&
	    !(*out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		r = ATT_ERR_NOMEM;
	json_decref(o);
	json_decref(d);
	return r;
}
