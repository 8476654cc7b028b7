/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the server fuzz targets (fuzz_server_*.c): signing keys with
 * self-signed certificates that a harness can register as policy
 * management certificates, and a small template expander that lets a
 * fuzz input contain the parts it cannot compute itself:
 *   <<X>>   base64url of the expansion of X
 *   [[X]]   X expanded (a JWS signing input "B64HDR.B64PAYLOAD") followed
 *           by "." and the base64url signature over it; the key follows
 *           the header's "alg": ES256 the P-256 key, ES384 the P-384
 *           ("stranger") key, RS256/RS384/PS256/RSA256 the RSA key, any
 *           other the P-256 key (ES256)
 *   @NAME@  a value from the harness's table (certificates in x5c form,
 *           bearer tokens, quotes, ...)
 * Brackets nest; an opener without its closer is literal. At most
 * FZ_MAX_SIGNATURES blocks are signed per expansion (else it fails).
 * Nothing here is part of attestd: it exists so that the fuzzers get past
 * signature checks into the code behind them.
 */
#ifndef ATT_FUZZ_SERVER_UTIL_H
#define ATT_FUZZ_SERVER_UTIL_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "store/store.h"

#define FZ_FN static __attribute__((unused))
#define FZ_MAX_EXPANDED (1024 * 1024)
#define FZ_MAX_DEPTH 8
#define FZ_MAX_SIGNATURES 16 /* per expansion: RSA signing is slow */

/* One signer: key, its self-signed certificate, x5c (std base64 DER). */
struct fz_signer {
	struct att_pkey *key;
	struct att_cert *cert;
	char *x5c;
	uint8_t *der;
	size_t der_len;
	char thumb[41];
};

struct fz_keys {
	struct fz_signer ec;       /* P-256, registered */
	struct fz_signer rsa;      /* RSA-2048, registered */
	struct fz_signer stranger; /* P-384, never registered */
};

struct fz_subst {
	const char *name; /* "@NAME@" */
	const char *value;
};

FZ_FN int fz_signer_init(struct fz_signer *s, enum att_key_kind kind,
			 const char *cn)
{
	memset(s, 0, sizeof(*s));
	if (att_pkey_generate(&s->key, kind) ||
	    att_cert_self_signed(&s->cert, s->key, cn, 1500000000,
				 4000000000LL) ||
	    att_cert_x5c_b64(&s->x5c, s->cert) ||
	    att_cert_to_der(&s->der, &s->der_len, s->cert) ||
	    att_cert_thumbprint_sha1(s->thumb, s->cert))
		return -1;
	return 0;
}

FZ_FN void fz_signer_release(struct fz_signer *s)
{
	att_pkey_free(s->key);
	att_cert_free(s->cert);
	free(s->x5c);
	free(s->der);
	memset(s, 0, sizeof(*s));
}

FZ_FN int fz_keys_init(struct fz_keys *k)
{
	return fz_signer_init(&k->ec, ATT_KEY_EC_P256, "fuzz policy signer EC") ||
	       fz_signer_init(&k->rsa, ATT_KEY_RSA2048,
			      "fuzz policy signer RSA") ||
	       fz_signer_init(&k->stranger, ATT_KEY_EC_P384,
			      "fuzz stranger")
		       ? -1
		       : 0;
}

FZ_FN void fz_keys_release(struct fz_keys *k)
{
	fz_signer_release(&k->ec);
	fz_signer_release(&k->rsa);
	fz_signer_release(&k->stranger);
}

/* The registered-certificate row of a signer (borrowed pointers). */
FZ_FN struct att_store_polcert fz_polcert(struct fz_signer *s,
					  const char *provider)
{
	struct att_store_polcert pc = {.provider = (char *)provider,
				       .thumbprint = s->thumb,
				       .der = s->der,
				       .der_len = s->der_len,
				       .added = 1500000000};
	return pc;
}

/* fz_pick chooses the key and algorithm from the header's "alg". */
FZ_FN void fz_pick(const struct fz_keys *k, const char *si, size_t len,
		   struct att_pkey **key, enum att_sig_alg *alg)
{
	const char *dot = memchr(si, '.', len);
	uint8_t *hdr = NULL;
	size_t hlen = 0;
	*key = k->ec.key;
	*alg = ATT_SIG_ES256;
	if (!dot || att_b64_decode(&hdr, &hlen, si, (size_t)(dot - si)))
		return;
	json_t *h = json_loadb((const char *)hdr, hlen, 0, NULL);
	const char *a = json_string_value(json_object_get(h, "alg"));
	static const struct {
		const char *name;
		int which; /* 0 ec, 1 rsa, 2 stranger */
		enum att_sig_alg alg;
	} map[] = {
		{"ES256", 0, ATT_SIG_ES256}, {"ES384", 2, ATT_SIG_ES384},
		{"RS256", 1, ATT_SIG_RS256}, {"RSA256", 1, ATT_SIG_RS256},
		{"RS384", 1, ATT_SIG_RS384}, {"PS256", 1, ATT_SIG_PS256},
	};
	for (size_t i = 0; a && i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(a, map[i].name))
			continue;
		*key = map[i].which == 0   ? k->ec.key
		       : map[i].which == 1 ? k->rsa.key
					   : k->stranger.key;
		*alg = map[i].alg;
	}
	json_decref(h);
	free(hdr);
}

/* fz_close finds the closer of the opener at in[0..1] (nesting counted
 * for this bracket kind only); returns its offset or 0. */
FZ_FN size_t fz_close(const char *in, size_t len, char open, char close)
{
	size_t depth = 0;
	for (size_t i = 0; i + 1 < len; i++) {
		if (in[i] == open && in[i + 1] == open) {
			depth++;
			i++;
		} else if (in[i] == close && in[i + 1] == close) {
			if (--depth == 0)
				return i;
			i++;
		}
	}
	return 0;
}

struct fz_ctx {
	const struct fz_keys *keys;
	const struct fz_subst *subst;
	size_t n_subst;
	/* set when an opener had no closer: later openers are literal */
	bool no_lt, no_br;
	int n_signed;
};

FZ_FN int fz_expand(struct fz_ctx *c, struct att_buf *out, const char *in,
		    size_t len, int depth);

FZ_FN int fz_block(struct fz_ctx *c, struct att_buf *out, const char *in,
		   size_t len, bool sign, int depth)
{
	struct att_buf inner, sig;
	int r;
	att_buf_init(&inner, FZ_MAX_EXPANDED);
	att_buf_init(&sig, 1024);
	if ((r = fz_expand(c, &inner, in, len, depth + 1)) != 0)
		goto out;
	if (!sign) {
		char *b = att_b64url_encode(inner.data, inner.len);
		r = b ? att_buf_adds(out, b) : -1;
		free(b);
		goto out;
	}
	struct att_pkey *key;
	enum att_sig_alg alg;
	if (++c->n_signed > FZ_MAX_SIGNATURES) {
		r = -1;
		goto out;
	}
	const char *si = inner.len ? (const char *)inner.data : "";
	fz_pick(c->keys, si, inner.len, &key, &alg);
	if ((r = att_buf_add(out, si, inner.len)) != 0 ||
	    (r = att_buf_add(out, ".", 1)) != 0)
		goto out;
	if (att_pkey_sign(&sig, key, alg, si, inner.len) == 0) {
		char *b = att_b64url_encode(sig.data, sig.len);
		r = b ? att_buf_adds(out, b) : -1;
		free(b);
	}
out:
	att_buf_release(&inner);
	att_buf_release(&sig);
	return r;
}

FZ_FN const char *fz_subst_find(const struct fz_ctx *c, const char *in,
				size_t len, size_t *used)
{
	for (size_t k = 0; k < c->n_subst; k++) {
		size_t n = strlen(c->subst[k].name);
		if (n <= len && !memcmp(in, c->subst[k].name, n)) {
			*used = n;
			return c->subst[k].value;
		}
	}
	return NULL;
}

FZ_FN int fz_expand(struct fz_ctx *c, struct att_buf *out, const char *in,
		    size_t len, int depth)
{
	size_t i = 0, start = 0;
	if (depth > FZ_MAX_DEPTH)
		return -1;
	while (i < len) {
		size_t end = 0, used = 0;
		const char *val = NULL;
		bool lt = i + 1 < len && in[i] == '<' && in[i + 1] == '<';
		bool br = i + 1 < len && in[i] == '[' && in[i + 1] == '[';
		if (lt && !c->no_lt &&
		    !(end = fz_close(in + i, len - i, '<', '>')))
			c->no_lt = true;
		else if (br && !c->no_br &&
			 !(end = fz_close(in + i, len - i, '[', ']')))
			c->no_br = true;
		else if (in[i] == '@')
			val = fz_subst_find(c, in + i, len - i, &used);
		if (!end && !val) {
			i++;
			continue;
		}
		if (att_buf_add(out, in + start, i - start))
			return -1;
		if (end && fz_block(c, out, in + i + 2, end - 2, br, depth))
			return -1;
		if (val && att_buf_adds(out, val))
			return -1;
		i += end ? end + 2 : used;
		start = i;
	}
	return att_buf_add(out, in + start, i - start) ? -1 : 0;
}

/* fz_expand_all expands in[0..len) into a malloc'd NUL-terminated text. */
FZ_FN char *fz_expand_all(const struct fz_keys *keys,
			  const struct fz_subst *subst, size_t n_subst,
			  const char *in, size_t len, size_t *out_len)
{
	struct fz_ctx c = {.keys = keys, .subst = subst, .n_subst = n_subst};
	struct att_buf b;
	att_buf_init(&b, FZ_MAX_EXPANDED);
	if (fz_expand(&c, &b, in, len, 0) != 0) {
		att_buf_release(&b);
		return NULL;
	}
	size_t n = 0;
	char *s = (char *)att_buf_detach(&b, &n);
	if (!s)
		s = calloc(1, 1);
	*out_len = n;
	return s;
}

#endif
