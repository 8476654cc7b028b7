/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JWS signature verification with an algorithm allow-list, and reading
 * the certificates a JWS carries in its header. The allow-list check
 * comes before any key is touched: "none" and the HMAC family are refused
 * outright (RFC 8725 section 2.1 and 3.1: a verifier that lets the token
 * pick HS256 can be fooled with its own public key as the HMAC secret).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "token/jws.h"

bool att_jws_is_unsigned(const struct att_jws *j)
{
	return j && j->alg == ATT_JWS_NONE;
}

int att_jws_check_alg(const struct att_jws *j, unsigned allowed_mask,
		      struct att_diag *diag)
{
	unsigned mask = allowed_mask ? allowed_mask : ATT_JWS_ALLOW_DEFAULT;
	const char *name = j->alg_name ? j->alg_name : "";
	if (j->alg == ATT_JWS_NONE)
		return att_diag_set(diag, ATT_ERR_ALG,
				    "jws: alg \"none\" is never accepted "
				    "(unsigned token)");
	if (!strncmp(name, "HS", 2))
		return att_diag_set(diag, ATT_ERR_ALG,
				    "jws: HMAC algorithm %.16s is not allowed "
				    "(only asymmetric signatures are accepted)",
				    name);
	if (j->alg == ATT_JWS_UNKNOWN)
		return att_diag_set(diag, ATT_ERR_ALG,
				    "jws: unknown algorithm \"%.32s\"", name);
	if (!(mask & (1u << j->alg)))
		return att_diag_set(diag, ATT_ERR_ALG,
				    "jws: algorithm %s is not allowed here",
				    att_jws_alg_name(j->alg));
	return 0;
}

int att_jws_verify(const struct att_jws *j, struct att_pkey *key,
		   unsigned allowed_mask, struct att_diag *diag)
{
	enum att_sig_alg sig;
	if (!j || !j->header)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "jws: not parsed");
	int r = att_jws_check_alg(j, allowed_mask, diag);
	if (r)
		return r;
	if (!key)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "jws: no key");
	if (!att_jws_alg_fits_key(j->alg, key) || att_jws_alg_sig(&sig, j->alg))
		return att_diag_set(diag, ATT_ERR_ALG,
				    "jws: algorithm %s does not fit the %s key",
				    att_jws_alg_name(j->alg),
				    att_pkey_kind_name(att_pkey_kind(key)));
	r = att_pkey_verify(key, sig, j->signing_input, j->signing_input_len,
			    j->sig, j->sig_len);
	if (r == ATT_ERR_SIG_INVALID)
		return att_diag_set(diag, r, "jws: %s signature invalid",
				    att_jws_alg_name(j->alg));
	if (r)
		return att_diag_set(diag, r, "jws: signature check failed: %s",
				    att_strerror(r));
	return 0;
}

int att_jws_x5c_cert(struct att_cert **out, json_t *entry, const char *what,
		     struct att_diag *diag)
{
	const char *b64 = json_string_value(entry), *why = NULL;
	uint8_t *der = NULL;
	size_t n = json_string_length(entry), len = 0;
	*out = NULL;
	if (!b64)
		return att_diag_set(diag, ATT_ERR_FORMAT, "%s is not a string",
				    what);
	if (n > (size_t)ATT_MAX_CERT_LEN * 2)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "%s is longer than %d characters", what,
				    ATT_MAX_CERT_LEN * 2);
	int r = att_b64_decode_strict(&der, &len, b64, n, &why);
	if (r == ATT_ERR_FORMAT)
		return att_diag_set(diag, r, "%s is not canonical base64: %s",
				    what, why ? why : "malformed");
	if (r == 0 && (r = att_cert_from_der(out, der, len)) != 0)
		r = att_diag_set(diag, r, "%s: %s", what, att_strerror(r));
	free(der);
	return r;
}

/* x5c_array finds "x5c" in the header, else "jwk": {"x5c": [...]}. */
static json_t *x5c_array(json_t *header)
{
	json_t *a = json_object_get(header, "x5c");
	if (a)
		return a;
	return json_object_get(json_object_get(header, "jwk"), "x5c");
}

int att_jws_header_x5c(struct att_cert ***out, size_t *n_out,
		       const struct att_jws *j, struct att_diag *diag)
{
	struct att_cert **arr = NULL;
	size_t i = 0;
	int r;
	*out = NULL;
	*n_out = 0;
	json_t *a = j ? x5c_array(j->header) : NULL;
	if (!a)
		return att_diag_set(diag, ATT_ERR_NOT_FOUND,
				    "jws: header has no x5c");
	size_t n = json_array_size(a);
	if (!json_is_array(a) || n == 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "jws: header x5c is not a non-empty array");
	if (n > ATT_MAX_CERT_CHAIN)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "jws: header x5c has %zu entries (max %d)",
				    n, ATT_MAX_CERT_CHAIN);
	if (!(arr = calloc(n, sizeof(*arr))))
		return ATT_ERR_NOMEM;
	for (; i < n; i++) {
		char what[48];
		snprintf(what, sizeof(what), "jws: header x5c[%zu]", i);
		if ((r = att_jws_x5c_cert(&arr[i], json_array_get(a, i), what,
					  diag)) != 0)
			goto out;
	}
	*out = arr;
	*n_out = n;
	arr = NULL; /* transferred */
	r = 0;
out:
	att_cert_chain_free(arr, i);
	return r;
}

int att_jws_header_x5c_key(struct att_pkey **out, struct att_cert **out_leaf,
			   const struct att_jws *j, struct att_diag *diag)
{
	struct att_cert **chain = NULL;
	size_t n = 0;
	*out = NULL;
	if (out_leaf)
		*out_leaf = NULL;
	int r = att_jws_header_x5c(&chain, &n, j, diag);
	if (r)
		return r;
	r = att_cert_get1_pubkey(out, chain[0]);
	if (r)
		r = att_diag_set(diag, r, "jws: x5c[0] public key: %s",
				 att_strerror(r));
	else if (out_leaf)
		*out_leaf = att_cert_dup(chain[0]);
	if (r == 0 && out_leaf && !*out_leaf) {
		att_pkey_free(*out);
		*out = NULL;
		r = ATT_ERR_NOMEM;
	}
	att_cert_chain_free(chain, n);
	return r;
}
