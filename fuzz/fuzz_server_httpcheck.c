/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the strict HTTP checks (server/http_strict.h) on a
 * request target and a list of header fields, with duplicate and
 * conflicting Host, Content-Length and Transfer-Encoding fields as the
 * interesting cases.
 *
 * Input: byte 0 bit 0 set means HTTP/1.1 (else HTTP/1.0); the rest is
 * split on '\n': the first line is the request target, each further line
 * a field "name:value" (split at the first ':'; a line without one is a
 * name with an empty value). Targets and values may hold any byte but
 * '\n' (NUL and CR included).
 *
 * Checked against a separate, simpler reading of the same rules: an
 * accepted target starts with '/', is within ATT_MAX_HTTP_TARGET_LEN,
 * has only URI bytes and well-formed escapes, no %00, and at most
 * ATT_MAX_HTTP_QUERY_PARAMS parameters; accepted fields have token names,
 * no control byte in a value, exactly one Host on HTTP/1.1 (at most one
 * on 1.0), Content-Length values that are all the same decimal number,
 * Transfer-Encoding only on 1.1, exactly one "chunked" and never with
 * Content-Length, and at most ATT_MAX_HTTP_HEADER_FIELDS fields. A
 * refusal has a known status and a non-empty, printable message.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/http_strict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_FIELDS (2 * ATT_MAX_HTTP_HEADER_FIELDS)

static void check_message(const struct att_http_refusal *r)
{
	size_t n = strnlen(r->message, sizeof(r->message));
	if (n == 0 || n == sizeof(r->message) || !r->code || !r->code[0])
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r->message[i] < 0x20 ||
		    (unsigned char)r->message[i] == 0x7f)
			abort();
}

/* ---- the reference reading ---- */

static bool ref_uri_byte(unsigned char c)
{
	return isalnum(c) || (c && strchr("-._~!$&'()*+,;=:@/?%", c));
}

static bool ref_target_ok(const char *t, size_t n)
{
	size_t params = 0;
	const char *q = memchr(t, '?', n);
	if (n == 0 || n > ATT_MAX_HTTP_TARGET_LEN || t[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!ref_uri_byte((unsigned char)t[i]))
			return false;
		if (t[i] == '%' &&
		    (i + 2 >= n || !isxdigit((unsigned char)t[i + 1]) ||
		     !isxdigit((unsigned char)t[i + 2]) ||
		     (t[i + 1] == '0' && t[i + 2] == '0')))
			return false;
	}
	if (q && q + 1 < t + n) {
		params = 1;
		for (const char *p = q + 1; p < t + n; p++)
			params += *p == '&';
	}
	return params <= ATT_MAX_HTTP_QUERY_PARAMS;
}

static bool is_name(const struct att_http_field *f, const char *name)
{
	return f->name_len == strlen(name) &&
	       strncasecmp(f->name, name, f->name_len) == 0;
}

/* ref_fields_ok: the properties every accepted field list has. */
static bool ref_fields_ok(const struct att_http_field *f, size_t n,
			  bool http11)
{
	size_t hosts = 0, codings = 0;
	bool have_len = false;
	unsigned long long len = 0;
	if (n > ATT_MAX_HTTP_HEADER_FIELDS)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (f[i].name_len == 0)
			return false;
		for (size_t k = 0; k < f[i].name_len; k++)
			if (!isalnum((unsigned char)f[i].name[k]) &&
			    !strchr("!#$%&'*+-.^_`|~", f[i].name[k]))
				return false;
		for (size_t k = 0; k < f[i].value_len; k++) {
			unsigned char c = (unsigned char)f[i].value[k];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return false;
		}
		hosts += is_name(&f[i], "Host");
		if (is_name(&f[i], "Content-Length")) {
			/* every element: digits only, all the same */
			const char *p = f[i].value, *e = p + f[i].value_len;
			while (p <= e) {
				const char *c = memchr(p, ',', (size_t)(e - p));
				const char *end = c ? c : e;
				while (p < end && (*p == ' ' || *p == '\t'))
					p++;
				const char *z = end;
				while (z > p && (z[-1] == ' ' || z[-1] == '\t'))
					z--;
				if (z == p || z - p > 19)
					return false;
				unsigned long long v = 0;
				for (const char *d = p; d < z; d++) {
					if (*d < '0' || *d > '9')
						return false;
					v = v * 10 + (unsigned long long)(*d - '0');
				}
				if (have_len && v != len)
					return false;
				have_len = true;
				len = v;
				if (!c)
					break;
				p = c + 1;
			}
		}
		if (is_name(&f[i], "Transfer-Encoding")) {
			codings++;
			const char *v = f[i].value;
			size_t a = 0, b = f[i].value_len;
			while (a < b && (v[a] == ' ' || v[a] == '\t'))
				a++;
			while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
				b--;
			if (b - a != 7 || strncasecmp(v + a, "chunked", 7) != 0)
				return false;
		}
	}
	if (hosts > 1 || (http11 && hosts == 0))
		return false;
	if (codings && (!http11 || codings > 1 || have_len))
		return false;
	return true;
}

/* ---- the target ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_http_field f[FZ_MAX_FIELDS];
	struct att_http_refusal r;
	size_t n = 0;
	if (size < 1)
		return 0;
	bool http11 = data[0] & 1;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *target = p;
	size_t tlen = (size_t)((nl ? nl : end) - p);

	memset(&r, 0, sizeof(r));
	int e = att_http_check_target(target, tlen, &r);
	if (e == 0 && !ref_target_ok(target, tlen))
		abort();
	if (e != 0) {
		check_message(&r);
		if (r.status != 400 && r.status != 414)
			abort();
		if (tlen > 0 && tlen <= ATT_MAX_HTTP_TARGET_LEN &&
		    target[0] == '/' && r.status == 414 &&
		    memchr(target, '?', tlen) == NULL)
			abort(); /* 414 for a short target needs parameters */
	}

	for (p = nl ? nl + 1 : end; p < end && n < FZ_MAX_FIELDS;) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		if (!le)
			le = end;
		const char *colon = memchr(p, ':', (size_t)(le - p));
		f[n].name = p;
		f[n].name_len = (size_t)((colon ? colon : le) - p);
		f[n].value = colon ? colon + 1 : le;
		f[n].value_len = colon ? (size_t)(le - colon - 1) : 0;
		n++;
		p = le + 1;
	}
	memset(&r, 0, sizeof(r));
	e = att_http_check_fields(f, n, http11, &r);
	if (e == 0 && !ref_fields_ok(f, n, http11))
		abort();
	if (e != 0) {
		check_message(&r);
		if (r.status != 400 && r.status != 431 && r.status != 501)
			abort();
		if ((r.status == 431) != (n > ATT_MAX_HTTP_HEADER_FIELDS))
			abort();
	}
	return 0;
}
