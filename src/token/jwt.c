/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWT issuance and verification (RFC 7519, with the RFC 8725 best
 * practices): explicit algorithm allow-list checked before the key is
 * chosen, key chosen by kid from the issuer's JWKS (never from the
 * token's own header), exact issuer comparison, audience when asked, and
 * exp/nbf/iat against a time the caller passes, with a bounded skew. Every
 * NumericDate is range-checked on input (limits.h), so no later time
 * arithmetic or formatting sees an absurd value.
 *
 * Claims are serialised by a small writer of our own (dump_*) that gives
 * the bytes json_dumps(JSON_COMPACT) gives for what claims are made of,
 * at a fraction of its cost (json_dumps takes ~24 us for the 2.8 KB
 * claims of an attestation token: it decodes UTF-8 code point by code
 * point and grows its buffer from 16 bytes). Anything outside that
 * subset (a real number, a non-ASCII byte, deep nesting) goes to
 * json_dumps unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "token/jwks.h"
#include "token/jwt.h"

static int header_for(json_t **out, const struct att_jwt_signer *s)
{
	json_t *h = json_object();
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!h)
		return r;
	if ((s->jku && json_object_set_new(h, "jku", json_string(s->jku))) ||
	    (s->kid && json_object_set_new(h, "kid", json_string(s->kid))) ||
	    json_object_set_new(h, "typ", json_string("JWT")))
		goto out;
	if (s->n_x5c) {
		json_t *a = json_array();
		if (!a || json_object_set_new(h, "x5c", a))
			goto out;
		for (size_t i = 0; i < s->n_x5c; i++) {
			char *b64 = NULL;
			if ((r = att_cert_x5c_b64(&b64, s->x5c[i])) != 0)
				goto out;
			r = json_array_append_new(a, json_string(b64))
				    ? ATT_ERR_NOMEM : 0;
			free(b64);
			if (r)
				goto out;
		}
	}
	*out = h;
	h = NULL; /* transferred */
	r = 0;
out:
	json_decref(h);
	return r;
}

/* Deepest nesting dump_value writes (claims are a few levels deep);
 * deeper documents go to json_dumps. */
#define DUMP_MAX_DEPTH 32

/* esc_seq writes the escape jansson uses for byte c ('"', '\\' or a
 * control byte) into e and returns its length. */
static size_t esc_seq(char e[static 6], unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char sh = 0;
	switch (c) {
	case '"': sh = '"'; break;
	case '\\': sh = '\\'; break;
	case '\b': sh = 'b'; break;
	case '\f': sh = 'f'; break;
	case '\n': sh = 'n'; break;
	case '\r': sh = 'r'; break;
	case '\t': sh = 't'; break;
	}
	e[0] = '\\';
	e[1] = sh;
	if (sh)
		return 2;
	e[1] = 'u';
	e[2] = '0';
	e[3] = '0';
	e[4] = hex[c >> 4];
	e[5] = hex[c & 15];
	return 6;
}

/* 1 for the bytes dump_str does not copy as they are: control bytes,
 * '"' (0x22), '\\' (0x5c) and 0x80..0xff. */
static const uint8_t special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* dump_str writes s (n bytes) as a JSON string, escaped as jansson does
 * (esc_seq). ATT_ERR_UNSUPPORTED for a byte >= 0x80: jansson validates
 * UTF-8, which is left to it. */
static int dump_str(struct att_buf *b, const char *s, size_t n)
{
	size_t from = 0, i = 0;
	char e[6];
	int r = att_buf_add(b, "\"", 1);
	while (!r) {
		while (i < n && !special[(unsigned char)s[i]])
			i++;
		if (i == n)
			break;
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80)
			return ATT_ERR_UNSUPPORTED;
		if (!(r = att_buf_add(b, s + from, i - from)))
			r = att_buf_add(b, e, esc_seq(e, c));
		from = ++i;
	}
	if (!r)
		r = att_buf_add(b, s + from, n - from);
	return r ? r : att_buf_add(b, "\"", 1);
}

static int dump_value(struct att_buf *b, json_t *v, int depth);

static int dump_object(struct att_buf *b, json_t *o, int depth)
{
	const char *k;
	size_t klen;
	json_t *v;
	int r = att_buf_add(b, "{", 1);
	bool first = true;
	json_object_keylen_foreach(o, k, klen, v)
	{
		if (!r && !first)
			r = att_buf_add(b, ",", 1);
		if (!r && !(r = dump_str(b, k, klen)) &&
		    !(r = att_buf_add(b, ":", 1)))
			r = dump_value(b, v, depth + 1);
		if (r)
			return r;
		first = false;
	}
	return r ? r : att_buf_add(b, "}", 1);
}

static int dump_array(struct att_buf *b, json_t *a, int depth)
{
	size_t i;
	json_t *v;
	int r = att_buf_add(b, "[", 1);
	json_array_foreach(a, i, v)
	{
		if (!r && i)
			r = att_buf_add(b, ",", 1);
		if (!r)
			r = dump_value(b, v, depth + 1);
		if (r)
			return r;
	}
	return r ? r : att_buf_add(b, "]", 1);
}

static int dump_value(struct att_buf *b, json_t *v, int depth)
{
	if (depth > DUMP_MAX_DEPTH)
		return ATT_ERR_UNSUPPORTED;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return dump_object(b, v, depth);
	case JSON_ARRAY:
		return dump_array(b, v, depth);
	case JSON_STRING:
		return dump_str(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER: {
		char t[24];
		int n = snprintf(t, sizeof(t), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
		return att_buf_add(b, t, (size_t)n);
	}
	case JSON_TRUE:
		return att_buf_adds(b, "true");
	case JSON_FALSE:
		return att_buf_adds(b, "false");
	case JSON_NULL:
		return att_buf_adds(b, "null");
	default: /* JSON_REAL: jansson's own number formatting */
		return ATT_ERR_UNSUPPORTED;
	}
}

/* claims_text serialises claims as json_dumps(claims, JSON_COMPACT). */
static int claims_text(struct att_buf *out, json_t *claims)
{
	int r = dump_value(out, claims, 0);
	if (r != ATT_ERR_UNSUPPORTED)
		return r;
	att_buf_release(out);
	char *s = json_dumps(claims, JSON_COMPACT);
	r = s ? att_buf_adds(out, s) : ATT_ERR_NOMEM;
	free(s);
	return r;
}

int att_jwt_sign(char **out, json_t *claims, const struct att_jwt_signer *s)
{
	json_t *h = NULL;
	struct att_buf payload;
	*out = NULL;
	if (!json_is_object(claims) || !s || !s->key)
		return ATT_ERR_INVALID_ARG;
	int r = header_for(&h, s);
	if (r)
		return r;
	att_buf_init(&payload, ATT_MAX_TOKEN_LEN);
	if ((r = claims_text(&payload, claims)) == 0)
		r = att_jws_sign(out, h, payload.data, payload.len, s->key,
				 s->alg);
	att_buf_release(&payload);
	json_decref(h);
	return r;
}

static const char *json_kind(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return "a string";
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	default: return "not a number";
	}
}

static int out_of_range(struct att_diag *diag, const char *name,
			const char *value)
{
	return att_diag_set(diag, ATT_ERR_FORMAT,
			    "jwt: token %s %s is outside the range of a "
			    "NumericDate (%d..%lld, years 1970..9999)",
			    name, value, ATT_NUMERICDATE_MIN,
			    (long long)ATT_NUMERICDATE_MAX);
}

int att_jwt_numeric_date(int64_t *out, json_t *claims, const char *name,
			 bool round_up, struct att_diag *diag)
{
	json_t *v = json_object_get(claims, name);
	char text[32];
	*out = 0;
	if (!v)
		return 0;
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, i);
		if (i < ATT_NUMERICDATE_MIN || i > ATT_NUMERICDATE_MAX)
			return out_of_range(diag, name, text);
		*out = (int64_t)i;
		return 1;
	}
	if (!json_is_real(v))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jwt: token %s is not a NumericDate (it is "
				    "%s, not a number)",
				    name, json_kind(v));
	double d = json_real_value(v);
	snprintf(text, sizeof(text), "%.6g", d);
	/* written so that NaN fails too */
	if (!(d >= (double)ATT_NUMERICDATE_MIN &&
	      d <= (double)ATT_NUMERICDATE_MAX))
		return out_of_range(diag, name, text);
	*out = (int64_t)(round_up ? ceil(d) : floor(d));
	return 1;
}

static int64_t clamp_skew(int64_t s)
{
	if (s < 0)
		return 0;
	return s > ATT_MAX_CLOCK_SKEW_SECONDS ? ATT_MAX_CLOCK_SKEW_SECONDS : s;
}

/* clamp_now keeps the caller's time where now +- skew cannot overflow
 * (any time outside years 0000..9999 is as good as their ends). */
static int64_t clamp_now(int64_t t)
{
	if (t < ATT_TIME_TEXT_MIN)
		return ATT_TIME_TEXT_MIN;
	return t > ATT_TIME_TEXT_MAX ? ATT_TIME_TEXT_MAX : t;
}

/* The NumericDates of a token; has_* is 0 when the claim is absent. */
struct times {
	int64_t exp, nbf, iat;
	int has_exp, has_nbf, has_iat;
};

static int read_times(struct times *t, json_t *claims, struct att_diag *diag)
{
	t->has_exp = att_jwt_numeric_date(&t->exp, claims, "exp", false, diag);
	if (t->has_exp < 0)
		return t->has_exp;
	t->has_nbf = att_jwt_numeric_date(&t->nbf, claims, "nbf", true, diag);
	if (t->has_nbf < 0)
		return t->has_nbf;
	t->has_iat = att_jwt_numeric_date(&t->iat, claims, "iat", true, diag);
	return t->has_iat < 0 ? t->has_iat : 0;
}

static int check_times(json_t *claims, const struct att_jwt_verify_opts *o,
		       struct att_diag *diag)
{
	int64_t skew = clamp_skew(o->skew_seconds), now = clamp_now(o->now);
	struct times t;
	char when[40];
	int r = read_times(&t, claims, diag);
	if (r)
		return r;
	if (!t.has_exp && o->require_exp)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jwt: token has no exp claim");
	if (t.has_exp && now - skew >= t.exp) {
		att_time_format(when, sizeof(when), t.exp);
		return att_diag_set(diag, ATT_ERR_EXPIRED,
				    "token expired at %s", when);
	}
	if (t.has_nbf && now + skew < t.nbf) {
		att_time_format(when, sizeof(when), t.nbf);
		return att_diag_set(diag, ATT_ERR_NOT_YET_VALID,
				    "token not valid before %s", when);
	}
	if (t.has_iat && t.iat > now + skew) {
		att_time_format(when, sizeof(when), t.iat);
		return att_diag_set(diag, ATT_ERR_NOT_YET_VALID,
				    "token iat %s is in the future (more than "
				    "the %lld s clock skew ahead)",
				    when, (long long)skew);
	}
	return 0;
}

static bool aud_matches(json_t *aud, const char *want)
{
	size_t i;
	json_t *e;
	if (json_is_string(aud))
		return !strcmp(json_string_value(aud), want);
	json_array_foreach(aud, i, e) {
		if (json_is_string(e) && !strcmp(json_string_value(e), want))
			return true;
	}
	return false;
}

int att_jwt_check_claims(json_t *claims, const struct att_jwt_verify_opts *o,
			 struct att_diag *diag)
{
	if (!json_is_object(claims) || !o)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jwt: claims are not a JSON object");
	if (o->issuer) {
		const char *iss =
			json_string_value(json_object_get(claims, "iss"));
		if (!iss)
			return att_diag_set(diag, ATT_ERR_MISMATCH,
					    "issuer mismatch: token has no iss, "
					    "expected %.200s", o->issuer);
		if (strcmp(iss, o->issuer))
			return att_diag_set(diag, ATT_ERR_MISMATCH,
					    "issuer mismatch: got %.200s, "
					    "expected %.200s", iss, o->issuer);
	}
	if (o->audience &&
	    !aud_matches(json_object_get(claims, "aud"), o->audience))
		return att_diag_set(diag, ATT_ERR_MISMATCH,
				    "audience mismatch: token is not for "
				    "%.200s", o->audience);
	return check_times(claims, o, diag);
}

static int load_claims(json_t **out, const struct att_jws *j,
		       struct att_diag *diag)
{
	json_error_t err;
	*out = json_loadb((const char *)j->payload, j->payload_len,
			  JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jwt: payload is not a JSON object");
	}
	return 0;
}

static void hand_out(json_t **out_claims, json_t **out_header,
		     json_t **claims, struct att_jws *j)
{
	if (out_claims) {
		*out_claims = *claims;
		*claims = NULL; /* transferred */
	}
	if (out_header) {
		*out_header = j->header;
		j->header = NULL; /* transferred */
	}
}

/* verify_with: signature by key, then claims, then hand out. */
static int verify_with(json_t **out_claims, json_t **out_header,
		       struct att_jws *j, struct att_pkey *key,
		       const struct att_jwt_verify_opts *o,
		       struct att_diag *diag)
{
	json_t *claims = NULL;
	int r;
	if ((r = att_jws_verify(j, key, o->allowed_algs, diag)) != 0 ||
	    (r = load_claims(&claims, j, diag)) != 0 ||
	    (r = att_jwt_check_claims(claims, o, diag)) != 0)
		goto out;
	hand_out(out_claims, out_header, &claims, j);
out:
	json_decref(claims);
	return r;
}

static void zero_outs(json_t **out_claims, json_t **out_header)
{
	if (out_claims)
		*out_claims = NULL;
	if (out_header)
		*out_header = NULL;
}

int att_jwt_verify_key(json_t **out_claims, json_t **out_header,
		       const char *token, struct att_pkey *key,
		       const struct att_jwt_verify_opts *o,
		       struct att_diag *diag)
{
	struct att_jws j;
	zero_outs(out_claims, out_header);
	if (!token || !o)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "jwt: no token");
	int r = att_jws_parse(&j, token, strlen(token), diag);
	if (r)
		return r;
	r = verify_with(out_claims, out_header, &j, key, o, diag);
	att_jws_release(&j);
	return r;
}

/* pick_key chooses the JWKS entry for the token (see jwt.h). */
static int pick_key(json_t **out, const struct att_jws *j, json_t *jwks,
		    struct att_diag *diag)
{
	json_t *kid = json_object_get(j->header, "kid");
	json_t *keys = json_object_get(jwks, "keys");
	*out = NULL;
	if (!json_is_array(keys))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jwks: no \"keys\" array");
	if (kid && !json_is_string(kid))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jwt: header kid is not a string");
	if (!kid) {
		if (json_array_size(keys) != 1)
			return att_diag_set(diag, ATT_ERR_NOT_FOUND,
					    "jwt: token has no kid and the "
					    "JWKS has %zu keys",
					    json_array_size(keys));
		*out = json_array_get(keys, 0);
		return 0;
	}
	*out = att_jwks_find(jwks, json_string_value(kid));
	if (!*out)
		return att_diag_set(diag, ATT_ERR_NOT_FOUND,
				    "unknown kid %.100s (not in the issuer's "
				    "JWKS)", json_string_value(kid));
	return 0;
}

int att_jwt_verify(json_t **out_claims, json_t **out_header,
		   const char *token, json_t *jwks,
		   const struct att_jwt_verify_opts *o, struct att_diag *diag)
{
	struct att_jws j;
	struct att_pkey *key = NULL;
	json_t *entry = NULL;
	int r;
	zero_outs(out_claims, out_header);
	if (!token || !o)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "jwt: no token");
	if ((r = att_jws_parse(&j, token, strlen(token), diag)) != 0)
		return r;
	if ((r = att_jws_check_alg(&j, o->allowed_algs, diag)) != 0 ||
	    (r = pick_key(&entry, &j, jwks, diag)) != 0)
		goto out;
	if (!att_jwk_alg_allows(entry, j.alg)) {
		r = att_diag_set(diag, ATT_ERR_ALG,
				 "jwt: token alg %s differs from the key's alg",
				 att_jws_alg_name(j.alg));
		goto out;
	}
	if ((r = att_jwk_to_pkey(&key, entry, diag)) != 0)
		goto out;
	r = verify_with(out_claims, out_header, &j, key, o, diag);
out:
	att_pkey_free(key);
	att_jws_release(&j);
	return r;
}

int att_jwt_decode_unverified(json_t **out_claims, json_t **out_header,
			      const char *token, struct att_diag *diag)
{
	struct att_jws j;
	json_t *claims = NULL;
	zero_outs(out_claims, out_header);
	if (!token)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "jwt: no token");
	int r = att_jws_parse(&j, token, strlen(token), diag);
	if (r)
		return r;
	if ((r = load_claims(&claims, &j, diag)) == 0)
		hand_out(out_claims, out_header, &claims, &j);
	json_decref(claims);
	att_jws_release(&j);
	return r;
}
