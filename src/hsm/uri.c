/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RFC 7512 PKCS #11 URI parser (see uri.h). Grammar used (RFC 7512
 * section 2.3, with RFC 3986 pct-encoded): the scheme "pkcs11:" (case
 * insensitive, RFC 3986 section 3.1), path attributes "name=value"
 * separated by ';', then optionally '?' and query attributes separated
 * by '&'. Raw value characters: RFC 3986 unreserved and the sub-delims
 * and ':' '@' '[' ']' the RFC's pk11-path-res / pk11-query-res allow,
 * plus '/' and '?' in query values; everything else must be %XX.
 */
#include "hsm/uri.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/cur.h"
#include "base/limits.h"

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1; /* not an error: not a hex digit */
}

/* value_char: a character allowed raw in a value (path or query). */
static bool value_char(uint8_t c, bool query)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	if (strchr("-._~:[]@!$'()*+,=", c) && c != 0)
		return true;
	if (query)
		return c == '/' || c == '?' || c == '|';
	return c == '&';
}

static bool name_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* read_value: the raw value from the cursor up to (not including) one of
 * stop, percent-decoded into a malloc'd NUL-terminated buffer. */
static int read_value(struct att_cur *c, const char *stop, bool query,
		      uint8_t **out, size_t *out_len, const char *name,
		      struct att_diag *d)
{
	uint8_t *v = malloc(c->len + 1);
	size_t n = 0;
	if (!v)
		return ATT_ERR_NOMEM;
	while (c->len > 0 && !strchr(stop, c->p[0])) {
		uint8_t ch;
		(void)att_cur_get_u8(c, &ch); /* len > 0 */
		if (ch == '%') {
			uint8_t h[2];
			if (att_cur_copy(c, h, 2) != 0 || hexval(h[0]) < 0 ||
			    hexval(h[1]) < 0) {
				free(v);
				return att_diag_set(d, ATT_ERR_FORMAT,
					"pkcs11 uri: %s: '%%' not followed by two hex digits",
					name);
			}
			ch = (uint8_t)(hexval(h[0]) << 4 | hexval(h[1]));
		} else if (!value_char(ch, query)) {
			free(v);
			return att_diag_set(d, ATT_ERR_FORMAT,
				"pkcs11 uri: %s: character 0x%02x must be percent-encoded",
				name, ch);
		}
		if (n >= ATT_P11_URI_VALUE_MAX) {
			free(v);
			return att_diag_set(d, ATT_ERR_LIMIT,
				"pkcs11 uri: %s: value longer than %d bytes",
				name, ATT_P11_URI_VALUE_MAX);
		}
		v[n++] = ch;
	}
	v[n] = 0;
	*out = v;
	*out_len = n;
	return 0;
}

static int set_string(char **dst, uint8_t *v, size_t n, const char *name,
		      struct att_diag *d)
{
	if (*dst) {
		free(v);
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "pkcs11 uri: attribute %s given twice",
				    name);
	}
	if (memchr(v, 0, n)) {
		free(v);
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "pkcs11 uri: %s holds a NUL byte", name);
	}
	*dst = (char *)v;
	return 0;
}

/* parse_ulong: decimal digits only, no sign, no overflow. */
static int parse_ulong(const uint8_t *v, size_t n, unsigned long max,
		       unsigned long *out)
{
	unsigned long x = 0;
	if (n == 0)
		return ATT_ERR_FORMAT;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return ATT_ERR_FORMAT;
		unsigned long dgt = (unsigned long)(v[i] - '0');
		if (x > (max - dgt) / 10)
			return ATT_ERR_FORMAT;
		x = x * 10 + dgt;
	}
	*out = x;
	return 0;
}

static const struct {
	const char *name;
	enum att_p11_type t;
} types[] = {
	{"private", ATT_P11_TYPE_PRIVATE}, {"public", ATT_P11_TYPE_PUBLIC},
	{"cert", ATT_P11_TYPE_CERT},       {"secret-key", ATT_P11_TYPE_SECRET},
	{"data", ATT_P11_TYPE_DATA},
};

const char *att_p11_type_name(enum att_p11_type t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].t == t)
			return types[i].name;
	return "";
}

static int path_attr(struct att_p11_uri *u, const char *name, uint8_t *v,
		     size_t n, struct att_diag *d)
{
	static const struct {
		const char *name;
		size_t off;
	} strs[] = {
		{"token", offsetof(struct att_p11_uri, token)},
		{"manufacturer", offsetof(struct att_p11_uri, manufacturer)},
		{"model", offsetof(struct att_p11_uri, model)},
		{"serial", offsetof(struct att_p11_uri, serial)},
		{"object", offsetof(struct att_p11_uri, object)},
		{"slot-description",
		 offsetof(struct att_p11_uri, slot_description)},
		{"slot-manufacturer",
		 offsetof(struct att_p11_uri, slot_manufacturer)},
		{"library-manufacturer",
		 offsetof(struct att_p11_uri, library_manufacturer)},
		{"library-description",
		 offsetof(struct att_p11_uri, library_description)},
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(name, strs[i].name))
			return set_string((char **)((char *)u + strs[i].off),
					  v, n, name, d);
	int r = ATT_ERR_FORMAT;
	if (!strcmp(name, "id")) {
		if (u->id)
			goto twice;
		u->id = v;
		u->id_len = n;
		return 0;
	}
	if (!strcmp(name, "type")) {
		if (u->type != ATT_P11_TYPE_ANY)
			goto twice;
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strlen(types[i].name) == n &&
			    !memcmp(types[i].name, v, n))
				u->type = types[i].t;
		r = u->type != ATT_P11_TYPE_ANY
			    ? 0
			    : att_diag_set(d, ATT_ERR_FORMAT,
				"pkcs11 uri: type must be private, public, cert, secret-key or data");
		goto out;
	}
	if (!strcmp(name, "slot-id")) {
		if (u->has_slot_id)
			goto twice;
		if ((r = parse_ulong(v, n, ATT_P11_SLOT_ID_MAX, &u->slot_id)))
			r = att_diag_set(d, r,
				"pkcs11 uri: slot-id is not a decimal number up to %lu",
				(unsigned long)ATT_P11_SLOT_ID_MAX);
		else
			u->has_slot_id = true;
		goto out;
	}
	if (!strcmp(name, "library-version")) {
		/* M or M.N, decimal (RFC 7512 section 2.3) */
		unsigned long ma = 0, mi = 0;
		const uint8_t *dot = memchr(v, '.', n);
		size_t mlen = dot ? (size_t)(dot - v) : n;
		if (u->has_library_version)
			goto twice;
		if (parse_ulong(v, mlen, 255, &ma) ||
		    (dot && parse_ulong(dot + 1, n - mlen - 1, 255, &mi)))
			r = att_diag_set(d, ATT_ERR_FORMAT,
				"pkcs11 uri: library-version is not M or M.N (0..255)");
		else {
			u->library_major = (unsigned)ma;
			u->library_minor = (unsigned)mi;
			u->has_library_version = true;
			r = 0;
		}
		goto out;
	}
	r = att_diag_set(d, ATT_ERR_UNSUPPORTED,
			 "pkcs11 uri: unknown path attribute '%s'", name);
	goto out;
twice:
	r = att_diag_set(d, ATT_ERR_FORMAT,
			 "pkcs11 uri: attribute %s given twice", name);
out:
	free(v);
	return r;
}

static int query_attr(struct att_p11_uri *u, const char *name, uint8_t *v,
		      size_t n, struct att_diag *d)
{
	char **dst = !strcmp(name, "module-path")   ? &u->module_path
		     : !strcmp(name, "module-name") ? &u->module_name
		     : !strcmp(name, "pin-value")   ? &u->pin_value
		     : !strcmp(name, "pin-source")  ? &u->pin_source
						    : NULL;
	if (!dst) {
		free(v);
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "pkcs11 uri: unknown query attribute '%s'",
				    name);
	}
	return set_string(dst, v, n, name, d);
}

/* read_name: [a-z0-9-]+ then '='. */
static int read_name(struct att_cur *c, char name[ATT_P11_URI_NAME_MAX + 1],
		     struct att_diag *d)
{
	size_t n = 0;
	uint8_t ch = 0;
	while (c->len > 0 && name_char(c->p[0])) {
		if (n >= ATT_P11_URI_NAME_MAX)
			return att_diag_set(d, ATT_ERR_FORMAT,
				"pkcs11 uri: attribute name longer than %d",
				ATT_P11_URI_NAME_MAX);
		(void)att_cur_get_u8(c, &ch);
		name[n++] = (char)ch;
	}
	name[n] = 0;
	if (n == 0 || att_cur_get_u8(c, &ch) != 0 || ch != '=')
		return att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11 uri: expected name=value at '%.*s'",
			(int)(c->len < 16 ? c->len : 16), (const char *)c->p);
	return 0;
}

int att_p11_uri_parse(struct att_p11_uri *u, const char *s, size_t len,
		      struct att_diag *d)
{
	static const char scheme[] = "pkcs11:";
	char name[ATT_P11_URI_NAME_MAX + 1];
	struct att_cur c;
	uint8_t sch[sizeof(scheme) - 1];
	int r;
	memset(u, 0, sizeof(*u));
	if (!s)
		return ATT_ERR_INVALID_ARG;
	if (len > ATT_P11_URI_MAX)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "pkcs11 uri: longer than %d bytes",
				    ATT_P11_URI_MAX);
	att_cur_init(&c, (const uint8_t *)s, len);
	if (att_cur_copy(&c, sch, sizeof(sch)) != 0 ||
	    strncasecmp((const char *)sch, scheme, sizeof(sch)) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "pkcs11 uri: does not begin with 'pkcs11:'");
	/* path: attr *(";" attr), possibly empty */
	bool query = false;
	while (c.len > 0) {
		uint8_t ch = c.p[0];
		if (ch == '?') {
			(void)att_cur_get_u8(&c, &ch);
			query = true;
			break;
		}
		uint8_t *v = NULL;
		size_t vn = 0;
		if ((r = read_name(&c, name, d)) != 0 ||
		    (r = read_value(&c, ";?", false, &v, &vn, name, d)) != 0 ||
		    (r = path_attr(u, name, v, vn, d)) != 0)
			return r;
		if (c.len > 0 && c.p[0] == ';') {
			(void)att_cur_get_u8(&c, &ch);
			if (c.len == 0 || c.p[0] == '?')
				return att_diag_set(d, ATT_ERR_FORMAT,
					"pkcs11 uri: empty path attribute after ';'");
		}
	}
	if (query) {
		if (c.len == 0)
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "pkcs11 uri: empty query after '?'");
		while (c.len > 0) {
			uint8_t *v = NULL, ch;
			size_t vn = 0;
			if ((r = read_name(&c, name, d)) != 0 ||
			    (r = read_value(&c, "&", true, &v, &vn, name,
					    d)) != 0 ||
			    (r = query_attr(u, name, v, vn, d)) != 0)
				return r;
			if (c.len > 0) {
				(void)att_cur_get_u8(&c, &ch); /* '&' */
				if (c.len == 0)
					return att_diag_set(d, ATT_ERR_FORMAT,
						"pkcs11 uri: empty query attribute after '&'");
			}
		}
	}
	if (u->pin_value && u->pin_source)
		return att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11 uri: pin-value and pin-source both given (RFC 7512 section 2.3)");
	if (u->module_path && u->module_path[0] != '/')
		return att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11 uri: module-path must be an absolute path");
	return 0;
}

void att_p11_uri_release(struct att_p11_uri *u)
{
	if (!u)
		return;
	free(u->token);
	free(u->manufacturer);
	free(u->model);
	free(u->serial);
	free(u->slot_description);
	free(u->slot_manufacturer);
	free(u->library_manufacturer);
	free(u->library_description);
	free(u->object);
	free(u->id);
	free(u->module_path);
	free(u->module_name);
	if (u->pin_value) /* a secret: wipe it */
		memset(u->pin_value, 0, strlen(u->pin_value));
	free(u->pin_value);
	free(u->pin_source);
	memset(u, 0, sizeof(*u));
}
