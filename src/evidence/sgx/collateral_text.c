/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text-level helpers for DCAP collateral: the raw byte span of a JSON
 * member (the signed bytes of TCB Info / QE Identity are the exact text
 * of the inner object, so it is sliced, never re-serialised), CRL
 * encodings (DER, PEM, hex of DER, as Intel's QvE normalises them) and
 * PEM certificate blocks. No crypto and no ASN.1
 * parsing here.
 */
#include "evidence/sgx/collateral.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/b64.h"
#include "codec/hex.h"

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *t, size_t len, size_t i)
{
	while (i < len && is_ws(t[i]))
		i++;
	return i;
}

/* Index just past the string starting at t[i] == '"', or 0 on error. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (t[i] == '\\') {
			i++;
			continue;
		}
		if (t[i] == '"')
			return i + 1;
	}
	return 0;
}

/* Index just past the JSON value starting at t[i], or 0 on error.
 * Containers are matched with a depth counter that ignores brackets
 * inside strings; scalars run to the next delimiter. */
static size_t skip_value(const char *t, size_t len, size_t i)
{
	if (i >= len)
		return 0;
	if (t[i] == '"')
		return skip_string(t, len, i);
	if (t[i] != '{' && t[i] != '[') {
		size_t j = i;
		while (j < len && !is_ws(t[j]) && t[j] != ',' && t[j] != '}' &&
		       t[j] != ']')
			j++;
		return j > i ? j : 0;
	}
	size_t depth = 0;
	for (; i < len; i++) {
		char c = t[i];
		if (c == '"') {
			size_t e = skip_string(t, len, i);
			if (!e)
				return 0;
			i = e - 1;
		} else if (c == '{' || c == '[') {
			if (++depth > ATT_MAX_JSON_DEPTH)
				return 0;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

/* Compares the raw key text (between quotes, escapes not decoded: the
 * keys we look for contain none) with key. */
static bool key_is(const char *t, size_t start, size_t end, const char *key)
{
	size_t n = strlen(key);
	return end - start == n + 2 && memcmp(t + start + 1, key, n) == 0;
}

int att_json_member_span(const char *t, size_t len, const char *key,
			 size_t *off, size_t *span_len)
{
	size_t i = skip_ws(t, len, 0);
	*off = *span_len = 0;
	if (i >= len || t[i] != '{')
		return ATT_ERR_FORMAT;
	for (i = skip_ws(t, len, i + 1); i < len && t[i] != '}';) {
		if (t[i] != '"')
			return ATT_ERR_FORMAT;
		size_t ks = i, ke = skip_string(t, len, i);
		if (!ke)
			return ATT_ERR_FORMAT;
		i = skip_ws(t, len, ke);
		if (i >= len || t[i] != ':')
			return ATT_ERR_FORMAT;
		size_t vs = skip_ws(t, len, i + 1), ve = skip_value(t, len, vs);
		if (!ve)
			return ATT_ERR_FORMAT;
		if (key_is(t, ks, ke, key)) {
			*off = vs;
			*span_len = ve - vs;
			return 0;
		}
		i = skip_ws(t, len, ve);
		if (i < len && t[i] == ',')
			i = skip_ws(t, len, i + 1);
	}
	return ATT_ERR_NOT_FOUND;
}

/* ---- CRL encodings ---- */

static const char crl_begin[] = "-----BEGIN X509 CRL-----";
static const char crl_end[] = "-----END X509 CRL-----";

static const char *find(const char *h, size_t hl, const char *n)
{
	size_t nl = strlen(n);
	for (size_t i = 0; nl <= hl && i <= hl - nl; i++)
		if (memcmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

/* The base64 body between BEGIN and END, whitespace removed. */
static int pem_body(uint8_t **out, size_t *out_len, const char *t, size_t len,
		    const char *begin, const char *end)
{
	const char *b = find(t, len, begin), *e;
	char *clean = NULL;
	size_t n = 0;
	if (!b)
		return ATT_ERR_FORMAT;
	b += strlen(begin);
	e = find(b, len - (size_t)(b - t), end);
	if (!e)
		return ATT_ERR_FORMAT;
	if (!(clean = malloc((size_t)(e - b) + 1)))
		return ATT_ERR_NOMEM;
	for (const char *p = b; p < e; p++)
		if (!is_ws(*p))
			clean[n++] = *p;
	int rc = att_b64_decode(out, out_len, clean, n);
	free(clean);
	return rc;
}

static bool all_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return false;
	}
	return n > 0;
}

int att_dcap_crl_to_der(uint8_t **out, size_t *out_len, const uint8_t *in,
			size_t in_len, struct att_diag *d)
{
	const char *t = (const char *)in;
	size_t n = in_len;
	int rc;
	*out = NULL;
	*out_len = 0;
	if (in_len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "CRL too large");
	if (find(t, n, crl_begin)) {
		rc = pem_body(out, out_len, t, n, crl_begin, crl_end);
		return rc ? att_diag_set(d, rc, "CRL: malformed PEM") : 0;
	}
	while (n > 0 && (in[n - 1] == 0 || is_ws((char)in[n - 1])))
		n--;
	if (all_hex(in, n)) {
		rc = att_hex_decode(out, out_len, t, n);
		return rc ? att_diag_set(d, rc, "CRL: malformed hex") : 0;
	}
	if (in_len == 0 || in[0] != 0x30)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "CRL: neither DER, PEM nor hex");
	if (!(*out = malloc(in_len)))
		return ATT_ERR_NOMEM;
	memcpy(*out, in, in_len);
	*out_len = in_len;
	return 0;
}

/* ---- PEM certificate blocks ---- */

int att_pem_split_certs(struct att_pem_span *out, size_t max,
			const char *text, size_t len)
{
	static const char b[] = "-----BEGIN CERTIFICATE-----";
	static const char e[] = "-----END CERTIFICATE-----";
	size_t n = 0, pos = 0;
	while (pos < len) {
		const char *s = find(text + pos, len - pos, b);
		if (!s)
			break;
		size_t so = (size_t)(s - text);
		const char *f = find(s, len - so, e);
		if (!f)
			return ATT_ERR_FORMAT;
		if (n == max)
			return ATT_ERR_LIMIT;
		size_t eo = (size_t)(f - text) + sizeof(e) - 1;
		out[n].p = s;
		out[n].len = eo - so;
		n++;
		pos = eo;
	}
	return (int)n;
}
