/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JWS algorithm table and JWS production: signed (att_jws_sign) and
 * unsecured (att_jws_unsigned, what MAA stores for unsigned policies).
 * Headers are emitted as compact JSON with "alg" first and the caller's
 * members after it in their insertion order, so tokens are byte-stable.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "token/jws.h"

struct alg_info {
	const char *name;
	enum att_sig_alg sig;
	enum att_key_kind kind;
};

static const struct alg_info algs[] = {
#define ATT_JWS_ALG_ROW(e, name, sig, kind) [e] = {name, sig, kind},
	ATT_JWS_ALG_LIST(ATT_JWS_ALG_ROW)
#undef ATT_JWS_ALG_ROW
};

#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

int att_jws_alg_from_name(enum att_jws_alg *out, const char *name)
{
	*out = ATT_JWS_UNKNOWN;
	if (!name)
		return ATT_ERR_ALG;
	for (size_t i = 0; i < N_ALGS; i++)
		if (!strcmp(algs[i].name, name)) {
			*out = (enum att_jws_alg)i;
			return 0;
		}
	if (!strcmp(name, "none")) {
		*out = ATT_JWS_NONE;
		return 0;
	}
	return ATT_ERR_ALG;
}

const char *att_jws_alg_name(enum att_jws_alg alg)
{
	if ((size_t)alg < N_ALGS)
		return algs[alg].name;
	return alg == ATT_JWS_NONE ? "none" : "unknown";
}

int att_jws_alg_sig(enum att_sig_alg *out, enum att_jws_alg alg)
{
	if ((size_t)alg >= N_ALGS)
		return ATT_ERR_ALG;
	*out = algs[alg].sig;
	return 0;
}

enum att_key_kind att_jws_alg_key_kind(enum att_jws_alg alg)
{
	return (size_t)alg < N_ALGS ? algs[alg].kind : ATT_KEY_RSA2048;
}

enum att_jws_alg att_jws_alg_for_key(const struct att_pkey *k)
{
	if (att_pkey_is_rsa(k))
		return ATT_JWS_RS256;
	return att_pkey_kind(k) == ATT_KEY_EC_P384 ? ATT_JWS_ES384
						   : ATT_JWS_ES256;
}

bool att_jws_alg_fits_key(enum att_jws_alg alg, const struct att_pkey *k)
{
	if ((size_t)alg >= N_ALGS || !k)
		return false;
	if (algs[alg].sig == ATT_SIG_ES256)
		return att_pkey_kind(k) == ATT_KEY_EC_P256;
	if (algs[alg].sig == ATT_SIG_ES384)
		return att_pkey_kind(k) == ATT_KEY_EC_P384;
	return att_pkey_is_rsa(k);
}

/* header_b64 builds {"alg": alg_name, header's other members...} and
 * returns its compact JSON in base64url. */
static int header_b64(char **out, json_t *header, const char *alg_name)
{
	const char *key;
	json_t *v;
	char *text = NULL;
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (header && !json_is_object(header))
		return ATT_ERR_INVALID_ARG;
	json_t *h = json_pack("{s:s}", "alg", alg_name);
	if (!h)
		return r;
	json_object_foreach(header, key, v) {
		if (strcmp(key, "alg") && json_object_set(h, key, v))
			goto out;
	}
	if (!(text = json_dumps(h, JSON_COMPACT)))
		goto out;
	*out = att_b64url_encode((const uint8_t *)text, strlen(text));
	r = *out ? 0 : ATT_ERR_NOMEM;
out:
	free(text);
	json_decref(h);
	return r;
}

/* signing_input appends "<b64 header>.<b64 payload>" to b. */
static int signing_input(struct att_buf *b, json_t *header, const char *alg,
			 const void *payload, size_t payload_len)
{
	char *h = NULL, *p = NULL;
	int r = header_b64(&h, header, alg);
	if (r)
		return r;
	if (payload_len && !(p = att_b64url_encode(payload, payload_len))) {
		free(h);
		return ATT_ERR_NOMEM;
	}
	r = att_buf_addf(b, "%s.%s", h, p ? p : "");
	free(h);
	free(p);
	return r;
}

int att_jws_sign(char **out, json_t *header, const void *payload,
		 size_t payload_len, struct att_pkey *key,
		 enum att_jws_alg alg)
{
	struct att_buf in, sig;
	char *s = NULL;
	int r;
	*out = NULL;
	if (!key || !att_jws_alg_fits_key(alg, key))
		return ATT_ERR_ALG;
	att_buf_init(&in, ATT_MAX_TOKEN_LEN);
	att_buf_init(&sig, 1024);
	if ((r = signing_input(&in, header, algs[alg].name, payload,
			       payload_len)) ||
	    (r = att_pkey_sign(&sig, key, algs[alg].sig, in.data, in.len)))
		goto out;
	r = ATT_ERR_NOMEM;
	if (!(s = att_b64url_encode(sig.data, sig.len)))
		goto out;
	if ((r = att_buf_addf(&in, ".%s", s)) != 0)
		goto out;
	*out = (char *)att_buf_detach(&in, NULL);
	r = *out ? 0 : ATT_ERR_NOMEM;
out:
	free(s);
	att_buf_release(&in);
	att_buf_release(&sig);
	return r;
}

int att_jws_unsigned(char **out, json_t *header, const void *payload,
		     size_t payload_len)
{
	struct att_buf in;
	*out = NULL;
	att_buf_init(&in, ATT_MAX_TOKEN_LEN);
	int r = signing_input(&in, header, "none", payload, payload_len);
	if (r == 0)
		r = att_buf_adds(&in, ".");
	if (r == 0) {
		*out = (char *)att_buf_detach(&in, NULL);
		r = *out ? 0 : ATT_ERR_NOMEM;
	}
	att_buf_release(&in);
	return r;
}
