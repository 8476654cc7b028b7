/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of the /attest/Tpm messages (proto.h): the {"data"} envelope,
 * the client messages of flows A and B, the request JWS payload and the
 * server's answers. Each field's length is checked against its limit
 * before anything is decoded, and a decoded binary field must be
 * non-empty and within its limit. Nothing here trusts or verifies a
 * value: that is the caller's job.
 */
#include "evidence/tpm/proto.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"

static void blob_release(struct att_tpmproto_blob *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
}

void att_tpmproto_msg_release(struct att_tpmproto_msg *m)
{
	if (!m)
		return;
	blob_release(&m->ek_pub);
	blob_release(&m->ek_cert);
	blob_release(&m->aik_pub);
	blob_release(&m->secret);
	free(m->service_context);
	free(m->request);
	memset(m, 0, sizeof(*m));
}

void att_tpmproto_attreq_init(struct att_tpmproto_attreq *a)
{
	memset(a, 0, sizeof(*a));
}

void att_tpmproto_attreq_release(struct att_tpmproto_attreq *a)
{
	if (!a)
		return;
	free(a->att_type);
	free(a->rp_id);
	free(a->rp_data);
	blob_release(&a->rp_data_raw);
	blob_release(&a->challenge);
	free(a->service_context);
	json_decref(a->attest_key);
	json_decref(a->custom_claims);
	blob_release(&a->aik_cert);
	blob_release(&a->aik_pub);
	blob_release(&a->quote);
	blob_release(&a->signature);
	blob_release(&a->log);
	memset(a, 0, sizeof(*a));
}

void att_tpmproto_resp_release(struct att_tpmproto_resp *r)
{
	if (!r)
		return;
	blob_release(&r->credential_blob);
	blob_release(&r->encrypted_secret);
	blob_release(&r->aik_cert);
	blob_release(&r->challenge);
	free(r->service_context);
	free(r->report);
	memset(r, 0, sizeof(*r));
}

/* b64_max is the longest base64 text (padded) of n bytes. */
static size_t b64_max(size_t n) { return (n + 2) / 3 * 4; }

/* get_str copies member name of o (a string of 1..max bytes without NUL)
 * into *out; absent members are ATT_ERR_FORMAT when required, else 0 with
 * *out NULL. */
static int get_str(const json_t *o, const char *name, size_t max, bool required,
		   char **out, struct att_diag *diag)
{
	json_t *v = json_object_get(o, name);
	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm message: \"%s\" is missing", name);
	}
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm message: \"%s\" must be a non-empty "
				    "string",
				    name);
	if (json_string_length(v) > max)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "tpm message: \"%s\" is longer than %zu "
				    "characters",
				    name, max);
	if (!(*out = strdup(json_string_value(v))))
		return ATT_ERR_NOMEM;
	return 0;
}

/* decode_blob decodes base64url text s of member name into b: 1..max
 * bytes. */
static int decode_blob(const char *name, const char *s, size_t s_len,
		       size_t max, struct att_tpmproto_blob *b,
		       struct att_diag *diag)
{
	int r = att_b64_decode(&b->p, &b->len, s, s_len);
	if (r) {
		b->len = 0;
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm message: \"%s\" is not base64url",
				    name);
	}
	if (b->len == 0 || b->len > max) {
		r = att_diag_set(diag, b->len ? ATT_ERR_LIMIT : ATT_ERR_FORMAT,
				 "tpm message: \"%s\" must hold 1 to %zu bytes "
				 "(has %zu)",
				 name, max, b->len);
		blob_release(b);
	}
	return r;
}

/* get_blob decodes base64url member name of o into b: 1..max bytes. */
static int get_blob(const json_t *o, const char *name, size_t max,
		    bool required, struct att_tpmproto_blob *b,
		    struct att_diag *diag)
{
	char *s = NULL;
	int r = get_str(o, name, b64_max(max) + 4, required, &s, diag);
	if (r || !s)
		return r;
	r = decode_blob(name, s, strlen(s), max, b, diag);
	free(s);
	return r;
}

/* ---- fast path for the two large messages -------------------------- */

/*
 * The envelope {"data": "..."} of every message and the flow B message
 * {"payload": {"request": "<JWS>"}} are each one long base64 string, which
 * jansson lexes at ~140 instructions a byte (a flow B request with an event
 * log is ~60 KB). A text of exactly that shape -- JSON whitespace allowed
 * between tokens -- whose string holds only base64/base64url characters
 * and '.' is read here directly: such a string has no escape, control or
 * non-ASCII character, so jansson would give the same value. Any other
 * text (other members, escapes, other types) goes through jansson.
 */
static const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* plain_char: A-Z a-z 0-9 - _ + / = . (a bit set, one bit a byte). */
static bool plain_char(uint8_t c)
{
	static const uint64_t set[4] = {0x23ffe80000000000u, /* + - . / 0-9 = */
					0x07fffffe87fffffeu, /* A-Z _ a-z */
					0, 0};
	return (set[c >> 6] >> (c & 63)) & 1;
}

/* open_member reads `{ "key" :` (with whitespace); NULL if it is not. */
static const uint8_t *open_member(const uint8_t *p, const uint8_t *end,
				  const char *key)
{
	size_t kl = strlen(key);
	p = skip_ws(p, end);
	if (p == end || *p++ != '{')
		return NULL;
	p = skip_ws(p, end);
	if ((size_t)(end - p) < kl + 2 || p[0] != '"' ||
	    memcmp(p + 1, key, kl) != 0 || p[kl + 1] != '"')
		return NULL;
	p = skip_ws(p + kl + 2, end);
	if (p == end || *p++ != ':')
		return NULL;
	return skip_ws(p, end);
}

/* plain_string: the text is {"keys[0]": ... {"keys[n-1]": "<s>"} ... }
 * with s of plain characters only, 1..max of them. */
static bool plain_string(const uint8_t *p, size_t len, const char *const *keys,
			 size_t n, size_t max, const char **s, size_t *s_len)
{
	const uint8_t *end = p + len, *q;
	for (size_t i = 0; i < n; i++)
		if (!(p = open_member(p, end, keys[i])))
			return false;
	if (p == end || *p++ != '"')
		return false;
	for (q = p; q < end && plain_char(*q); q++)
		;
	if (q == end || *q != '"' || q == p || (size_t)(q - p) > max)
		return false;
	*s = (const char *)p;
	*s_len = (size_t)(q - p);
	for (p = q + 1; n > 0; n--) {
		p = skip_ws(p, end);
		if (p == end || *p++ != '}')
			return false;
	}
	return skip_ws(p, end) == end;
}

static json_t *load_object(const uint8_t *p, size_t len, const char *what,
			   struct att_diag *diag)
{
	json_error_t je;
	json_t *o =
	    json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &je);
	if (!o || !json_is_object(o)) {
		att_diag_set(diag, ATT_ERR_FORMAT,
			     "tpm message: %s is not a JSON object%s%s", what,
			     o ? "" : ": ", o ? "" : je.text);
		json_decref(o);
		return NULL;
	}
	return o;
}

/* unwrap_data decodes the envelope's "data" into data. */
static int unwrap_data(struct att_tpmproto_blob *data, const uint8_t *body,
		       size_t len, struct att_diag *diag)
{
	static const char *const keys[] = {"data"};
	const size_t max = ATT_TPMPROTO_MAX_MESSAGE_LEN;
	const char *s;
	size_t s_len;
	if (plain_string(body, len, keys, 1, b64_max(max) + 4, &s, &s_len))
		return decode_blob("data", s, s_len, max, data, diag);
	json_t *env = load_object(body, len, "the body", diag);
	int r =
	    env ? get_blob(env, "data", max, true, data, diag) : ATT_ERR_FORMAT;
	json_decref(env);
	return r;
}

/* fast_request: the message is {"payload": {"request": "<JWS>"}}; a new
 * payload object, or NULL when it is not exactly that. */
static json_t *fast_request(const struct att_tpmproto_blob *data)
{
	static const char *const keys[] = {"payload", "request"};
	const char *s;
	size_t s_len;
	json_t *o = NULL;
	if (!plain_string(data->p, data->len, keys, 2, ATT_MAX_TOKEN_LEN, &s,
			  &s_len) ||
	    !(o = json_object()))
		return NULL;
	if (json_object_set_new(o, "request", json_stringn_nocheck(s, s_len))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int att_tpmproto_unwrap(json_t **payload, const uint8_t *body, size_t len,
			struct att_diag *diag)
{
	json_t *msg = NULL;
	struct att_tpmproto_blob data = {0};
	int r = ATT_ERR_FORMAT;
	*payload = NULL;
	if (len == 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm message: the body is empty");
	if (len > b64_max(ATT_TPMPROTO_MAX_MESSAGE_LEN) + 64)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "tpm message: body too large");
	if ((r = unwrap_data(&data, body, len, diag)) != 0)
		goto out;
	if ((*payload = fast_request(&data)) != NULL)
		goto out;
	r = ATT_ERR_FORMAT;
	if (!(msg = load_object(data.p, data.len, "\"data\"", diag)))
		goto out;
	json_t *p = json_object_get(msg, "payload");
	if (!json_is_object(p)) {
		att_diag_set(diag, r,
			     "tpm message: \"payload\" object missing");
		goto out;
	}
	*payload = json_incref(p);
	r = 0;
out:
	blob_release(&data);
	json_decref(msg);
	return r;
}

static int decode_enroll(struct att_tpmproto_msg *m, const json_t *p,
			 struct att_diag *diag)
{
	int r;
	m->kind = ATT_TPMPROTO_AIKENROLL;
	if ((r = get_blob(p, "ek_pub", ATT_MAX_TPM_STRUCT_LEN, true, &m->ek_pub,
			  diag)) ||
	    (r = get_blob(p, "ek_cert", ATT_MAX_CERT_LEN, false, &m->ek_cert,
			  diag)) ||
	    (r = get_blob(p, "aik_pub", ATT_MAX_TPM_STRUCT_LEN, true,
			  &m->aik_pub, diag)))
		return r;
	return 0;
}

static int decode_activate(struct att_tpmproto_msg *m, const json_t *p,
			   struct att_diag *diag)
{
	int r;
	m->kind = ATT_TPMPROTO_AIKACTIVATE;
	if ((r = get_blob(p, "secret", ATT_TPMPROTO_MAX_SECRET_LEN, true,
			  &m->secret, diag)) ||
	    (r = get_str(p, "service_context", ATT_TPMPROTO_MAX_CONTEXT_LEN,
			 true, &m->service_context, diag)))
		return r;
	return 0;
}

int att_tpmproto_decode_msg(struct att_tpmproto_msg *out, const uint8_t *body,
			    size_t len, struct att_diag *diag)
{
	json_t *p = NULL;
	memset(out, 0, sizeof(*out));
	int r = att_tpmproto_unwrap(&p, body, len, diag);
	if (r)
		return r;
	json_t *type = json_object_get(p, "type");
	const char *t = json_string_value(type);
	if (type && !t)
		r = att_diag_set(diag, ATT_ERR_FORMAT,
				 "tpm message: \"type\" must be a string");
	else if (t && !strcmp(t, "aikenroll"))
		r = decode_enroll(out, p, diag);
	else if (t && !strcmp(t, "aikactivate"))
		r = decode_activate(out, p, diag);
	else if (t && !strcmp(t, "aikcert"))
		out->kind = ATT_TPMPROTO_AIKCERT;
	else if (t)
		r = att_diag_set(diag, ATT_ERR_FORMAT,
				 "tpm message: unknown \"type\" '%.32s' "
				 "(expected aikenroll, aikactivate or aikcert)",
				 t);
	else if (json_object_get(p, "request")) {
		out->kind = ATT_TPMPROTO_REQUEST;
		r = get_str(p, "request", ATT_MAX_TOKEN_LEN, true,
			    &out->request, diag);
	} else
		r = att_diag_set(diag, ATT_ERR_FORMAT,
				 "tpm message: payload has neither \"type\" "
				 "nor \"request\"");
	json_decref(p);
	return r;
}

/* ---- the request payload ------------------------------------------ */

static int check_jwk(const json_t *k, struct att_diag *diag)
{
	const char *name;
	json_t *v;
	if (!json_is_object(k) || json_object_size(k) == 0 ||
	    json_object_size(k) > ATT_TPMPROTO_MAX_JWK_MEMBERS)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: \"attest_key\" must be a JWK "
				    "object of at most %d members",
				    ATT_TPMPROTO_MAX_JWK_MEMBERS);
	json_object_foreach((json_t *)k, name, v)
	{
		if (json_is_string(v) &&
		    json_string_length(v) <= ATT_TPMPROTO_MAX_JWK_MEMBER_LEN)
			continue;
		if (json_is_array(v) && !strcmp(name, "key_ops"))
			continue;
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: attest_key member \"%.32s\" "
				    "must be a string of at most %d characters",
				    name, ATT_TPMPROTO_MAX_JWK_MEMBER_LEN);
	}
	return 0;
}

static bool value_fits(const json_t *v, const char *vt)
{
	if (!vt)
		return json_is_string(v) || json_is_integer(v) ||
		       json_is_boolean(v);
	if (!strcmp(vt, "String"))
		return json_is_string(v);
	if (!strcmp(vt, "Integer"))
		return json_is_integer(v);
	if (!strcmp(vt, "Boolean"))
		return json_is_boolean(v);
	return false;
}

static int check_claim(const json_t *c, size_t i, struct att_diag *diag)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	json_t *v = json_object_get(c, "value");
	json_t *vt = json_object_get(c, "value_type");
	const char *k;
	json_t *m;
	json_object_foreach((json_t *)c, k, m)
	{
		if (strcmp(k, "name") && strcmp(k, "value") &&
		    strcmp(k, "value_type"))
			return att_diag_set(
			    diag, ATT_ERR_FORMAT,
			    "tpm request: custom_claims[%zu] has "
			    "an unknown member \"%.32s\"",
			    i, k);
	}
	if (!name || !*name || strlen(name) > ATT_TPMPROTO_MAX_CLAIM_NAME_LEN ||
	    strlen(name) != json_string_length(json_object_get(c, "name")))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: custom_claims[%zu].name must "
				    "be a string of 1 to %d characters",
				    i, ATT_TPMPROTO_MAX_CLAIM_NAME_LEN);
	if ((vt && !json_is_string(vt)) ||
	    !value_fits(v, json_string_value(vt)) ||
	    (json_is_string(v) &&
	     json_string_length(v) > ATT_TPMPROTO_MAX_CLAIM_VALUE_LEN))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: custom claim '%.64s' needs a "
				    "string (<= %d chars), integer or boolean "
				    "value matching value_type (String, "
				    "Integer, Boolean)",
				    name, ATT_TPMPROTO_MAX_CLAIM_VALUE_LEN);
	return 0;
}

static int get_claims(struct att_tpmproto_attreq *a, const json_t *d,
		      struct att_diag *diag)
{
	json_t *cc = json_object_get(d, "custom_claims");
	size_t i;
	json_t *c;
	int r;
	if (!cc)
		return 0;
	if (!json_is_array(cc) ||
	    json_array_size(cc) > ATT_TPMPROTO_MAX_CUSTOM_CLAIMS)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: \"custom_claims\" must be an "
				    "array of at most %d claims",
				    ATT_TPMPROTO_MAX_CUSTOM_CLAIMS);
	json_array_foreach(cc, i, c)
	{
		if (!json_is_object(c))
			return att_diag_set(
			    diag, ATT_ERR_FORMAT,
			    "tpm request: custom_claims[%zu] is "
			    "not an object",
			    i);
		if ((r = check_claim(c, i, diag)) != 0)
			return r;
	}
	a->custom_claims = json_incref(cc);
	return 0;
}

static int get_tpm_data(struct att_tpmproto_attreq *a, const json_t *t,
			struct att_diag *diag)
{
	int r;
	if (!json_is_object(t))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: \"tpm_att_data\" object "
				    "missing");
	if ((r = get_blob(t, "aik_cert", ATT_MAX_CERT_LEN, false, &a->aik_cert,
			  diag)) ||
	    (r = get_blob(t, "aik_pub", ATT_MAX_TPM_STRUCT_LEN, false,
			  &a->aik_pub, diag)) ||
	    (r = get_blob(t, "quote", ATT_MAX_TPM_STRUCT_LEN, true, &a->quote,
			  diag)) ||
	    (r = get_blob(t, "signature", ATT_MAX_TPM_STRUCT_LEN, true,
			  &a->signature, diag)) ||
	    (r = get_blob(t, "srtm_boot_log", ATT_MAX_EVENTLOG_LEN, false,
			  &a->log, diag)))
		return r;
	if (!a->aik_cert.p == !a->aik_pub.p)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: tpm_att_data needs exactly "
				    "one of \"aik_cert\" and \"aik_pub\"");
	json_t *pcrs = json_object_get(t, "pcrs");
	if (!pcrs)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: \"pcrs\" is missing");
	if ((r = att_tpm_pcrs_from_json(&a->pcrs, pcrs, diag)) != 0)
		return r;
	a->has_pcrs = true;
	return 0;
}

static int get_att_data(struct att_tpmproto_attreq *a, const json_t *d,
			struct att_diag *diag)
{
	int r;
	if (!json_is_object(d))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: \"att_data\" object missing");
	if ((r = get_str(d, "rp_id", ATT_TPMPROTO_MAX_RP_ID_LEN, false,
			 &a->rp_id, diag)) ||
	    (r = get_str(d, "service_context", ATT_TPMPROTO_MAX_CONTEXT_LEN,
			 true, &a->service_context, diag)) ||
	    (r = get_blob(d, "challenge", ATT_TPMPROTO_CHALLENGE_LEN, true,
			  &a->challenge, diag)) ||
	    (r = get_blob(d, "rp_data", ATT_TPMPROTO_MAX_RP_DATA_LEN, false,
			  &a->rp_data_raw, diag)) ||
	    (r = get_str(d, "rp_data",
			 b64_max(ATT_TPMPROTO_MAX_RP_DATA_LEN) + 4, false,
			 &a->rp_data, diag)))
		return r;
	if (a->challenge.len != ATT_TPMPROTO_CHALLENGE_LEN)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tpm request: \"challenge\" must be %d "
				    "bytes",
				    ATT_TPMPROTO_CHALLENGE_LEN);
	json_t *k = json_object_get(d, "attest_key");
	if ((r = check_jwk(k, diag)) != 0)
		return r;
	a->attest_key = json_incref(k);
	if ((r = get_claims(a, d, diag)) != 0)
		return r;
	return get_tpm_data(a, json_object_get(d, "tpm_att_data"), diag);
}

int att_tpmproto_attreq_parse(struct att_tpmproto_attreq *out,
			      const uint8_t *json, size_t len,
			      struct att_diag *diag)
{
	att_tpmproto_attreq_init(out);
	if (len > ATT_TPMPROTO_MAX_MESSAGE_LEN)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "tpm request: payload too large");
	json_t *o = load_object(json, len, "the request payload", diag);
	if (!o)
		return ATT_ERR_FORMAT;
	int r = get_str(o, "att_type", ATT_TPMPROTO_MAX_ATT_TYPE_LEN, true,
			&out->att_type, diag);
	if (r == 0 && strcmp(out->att_type, "basic"))
		r = att_diag_set(diag, ATT_ERR_UNSUPPORTED,
				 "tpm request: att_type '%s' is not supported "
				 "(only \"basic\")",
				 out->att_type);
	if (r == 0)
		r = get_att_data(out, json_object_get(o, "att_data"), diag);
	json_decref(o);
	return r;
}

/* ---- server answers ----------------------------------------------- */

int att_tpmproto_decode_resp(struct att_tpmproto_resp *out, const uint8_t *body,
			     size_t len, struct att_diag *diag)
{
	json_t *p = NULL;
	memset(out, 0, sizeof(*out));
	int r = att_tpmproto_unwrap(&p, body, len, diag);
	if (r)
		return r;
	if ((r = get_blob(p, "credential_blob", ATT_MAX_TPM_STRUCT_LEN, false,
			  &out->credential_blob, diag)) ||
	    (r = get_blob(p, "encrypted_secret", ATT_MAX_TPM_STRUCT_LEN, false,
			  &out->encrypted_secret, diag)) ||
	    (r = get_blob(p, "aik_cert", ATT_MAX_CERT_LEN, false,
			  &out->aik_cert, diag)) ||
	    (r = get_blob(p, "challenge", ATT_TPMPROTO_CHALLENGE_LEN, false,
			  &out->challenge, diag)) ||
	    (r = get_str(p, "service_context", ATT_TPMPROTO_MAX_CONTEXT_LEN,
			 false, &out->service_context, diag)) ||
	    (r = get_str(p, "report", ATT_MAX_TOKEN_LEN, false, &out->report,
			 diag)))
		goto out;
out:
	json_decref(p);
	return r;
}
