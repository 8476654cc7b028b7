/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attestd configuration file: one JSON object (docs/configuration.md).
 * Unknown members are refused so that a typo does not silently fall back
 * to a default. Limits may only lower or raise values within sane bounds.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/limits.h"
#include "server/datadir.h"
#include "server/server.h"

void att_server_config_init(struct att_server_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = ATT_LOG_INFO;
	c->max_body = ATT_MAX_HTTP_BODY;
	c->max_header = ATT_MAX_HTTP_HEADER;
	c->max_connections = ATT_MAX_HTTP_CONNECTIONS;
	c->timeout_seconds = ATT_HTTP_TIMEOUT_SECONDS;
	c->max_connections_per_address = ATT_MAX_HTTP_CONNECTIONS_PER_ADDRESS;
	c->header_timeout_seconds = ATT_HTTP_HEADER_TIMEOUT_SECONDS;
	c->body_timeout_seconds = ATT_HTTP_BODY_TIMEOUT_SECONDS;
}

void att_server_config_release(struct att_server_config *c)
{
	if (!c)
		return;
	free(c->listen);
	free(c->data_dir);
	free(c->store);
	free(c->store_password_file);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->default_provider);
	json_decref(c->providers);
	memset(c, 0, sizeof(*c));
}

static int set_str(char **dst, json_t *v, const char *name,
		   struct att_diag *d)
{
	if (!json_is_string(v))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "config: \"%s\" must be a string", name);
	char *s = strdup(json_string_value(v));
	if (!s)
		return ATT_ERR_NOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int set_uint(unsigned long long *dst, json_t *v, const char *name,
		    unsigned long long lo, unsigned long long hi,
		    struct att_diag *d)
{
	if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)lo ||
	    json_integer_value(v) > (json_int_t)hi)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "config: \"%s\" must be an integer in "
				    "[%llu, %llu]",
				    name, lo, hi);
	*dst = (unsigned long long)json_integer_value(v);
	return 0;
}

static int parse_limits(struct att_server_config *c, json_t *o,
			struct att_diag *d)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		unsigned long long x = 0;
		int r;
		if (!strcmp(k, "max_body_bytes")) {
			r = set_uint(&x, v, k, 1024, 64ull << 20, d);
			c->max_body = (size_t)x;
		} else if (!strcmp(k, "max_header_bytes")) {
			r = set_uint(&x, v, k, 4096, 1 << 20, d);
			c->max_header = (size_t)x;
		} else if (!strcmp(k, "max_connections")) {
			r = set_uint(&x, v, k, 1, 65536, d);
			c->max_connections = (unsigned)x;
		} else if (!strcmp(k, "timeout_seconds")) {
			r = set_uint(&x, v, k, 1, 3600, d);
			c->timeout_seconds = (unsigned)x;
		} else if (!strcmp(k, "max_connections_per_address")) {
			r = set_uint(&x, v, k, 0, 65536, d);
			c->max_connections_per_address = (unsigned)x;
		} else if (!strcmp(k, "header_timeout_seconds")) {
			r = set_uint(&x, v, k, 1, 3600, d);
			c->header_timeout_seconds = (unsigned)x;
		} else if (!strcmp(k, "body_timeout_seconds")) {
			r = set_uint(&x, v, k, 1, 3600, d);
			c->body_timeout_seconds = (unsigned)x;
		} else if (!strcmp(k, "threads")) {
			r = set_uint(&x, v, k, 0, 256, d);
			c->threads = (unsigned)x;
		} else {
			r = att_diag_set(d, ATT_ERR_INVALID_ARG,
					 "config: unknown member limits.%s", k);
		}
		if (r)
			return r;
	}
	return 0;
}

static int parse_level(struct att_server_config *c, json_t *v,
		       struct att_diag *d)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	const char *s = json_string_value(v);
	for (int i = 0; s && i < 4; i++)
		if (!strcmp(s, names[i])) {
			c->log_level = (enum att_log_level)i;
			return 0;
		}
	return att_diag_set(d, ATT_ERR_INVALID_ARG,
			    "config: log_level must be debug, info, warn or "
			    "error");
}

static int parse_tls(struct att_server_config *c, json_t *o,
		     struct att_diag *d)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		int r;
		if (!strcmp(k, "cert"))
			r = set_str(&c->tls_cert, v, "tls.cert", d);
		else if (!strcmp(k, "key"))
			r = set_str(&c->tls_key, v, "tls.key", d);
		else
			r = att_diag_set(d, ATT_ERR_INVALID_ARG,
					 "config: unknown member tls.%s", k);
		if (r)
			return r;
	}
	return 0;
}

static int parse_member(struct att_server_config *c, const char *k, json_t *v,
			struct att_diag *d)
{
	if (!strcmp(k, "listen"))
		return set_str(&c->listen, v, k, d);
	if (!strcmp(k, "data_dir"))
		return set_str(&c->data_dir, v, k, d);
	/* A password in this URL is allowed (a file, unlike a command
	 * line); store_password_file keeps it out of the config. */
	if (!strcmp(k, "store"))
		return set_str(&c->store, v, k, d);
	if (!strcmp(k, "store_password_file"))
		return set_str(&c->store_password_file, v, k, d);
	if (!strcmp(k, "store_timeout_ms")) {
		unsigned long long x = 0;
		int r = set_uint(&x, v, k, 100, 600000, d);
		if (!r)
			c->store_timeout_ms = (unsigned)x;
		return r;
	}
	if (!strcmp(k, "default_provider"))
		return set_str(&c->default_provider, v, k, d);
	if (!strcmp(k, "log_level"))
		return parse_level(c, v, d);
	if (!strcmp(k, "dev")) {
		if (!json_is_boolean(v))
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "config: \"dev\" must be a boolean");
		c->dev = json_is_true(v);
		return 0;
	}
	if (!strcmp(k, "tls") && json_is_object(v))
		return parse_tls(c, v, d);
	if (!strcmp(k, "limits") && json_is_object(v))
		return parse_limits(c, v, d);
	if (!strcmp(k, "providers") && json_is_object(v)) {
		json_decref(c->providers);
		c->providers = json_incref(v);
		return 0;
	}
	return att_diag_set(d, ATT_ERR_INVALID_ARG,
			    "config: unknown or malformed member \"%s\"", k);
}

int att_server_config_load(struct att_server_config *c, const char *path,
			   struct att_diag *d)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "config %s: line %d: %s", path, je.line,
				    je.text);
	int r = 0;
	if (!json_is_object(root))
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "config %s: not a JSON object", path);
	const char *k;
	json_t *v;
	json_object_foreach(root, k, v)
	{
		if (r)
			break;
		r = parse_member(c, k, v, d);
	}
	json_decref(root);
	return r;
}
