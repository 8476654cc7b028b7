/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run-time providers, their auth settings, the registry and the selection
 * of a request's provider (see provider.h). Settings are read once when the
 * registry is built (start and SIGHUP) and are read-only afterwards; only a
 * provider's key snapshot changes while serving, under the provider's
 * mutex. An issuer's fetched JWKS lives in its source, which the server's
 * JWKS fetcher owns (jwks_fetch.h).
 */
#include "server/provider.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "server/jwks_fetch.h"
#include "server/keys.h"
#include "store/store.h"

static const char *const reserved[] = {
	"certs",   "policies", "attest",  "certificates", "tcbbaselines",
	"healthz", "readyz",   "metrics", "dev-issuer",   ".well-known",
};

bool att_provider_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > ATT_PROVIDER_NAME_MAX || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(islower(c) || isdigit(c) || c == '-'))
			return false;
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			return false;
	return true;
}

static void issuer_free(struct att_auth_issuer *i)
{
	if (!i)
		return;
	free(i->issuer);
	free(i->audience);
	free(i->jwks_file);
	free(i->jwks_uri);
	free(i->ca_file);
	json_decref(i->jwks);
	att_jwks_source_unref(i->src);
	free(i);
}

void att_auth_settings_release(struct att_auth_settings *s)
{
	if (!s)
		return;
	free(s->role_claim);
	free(s->reader_role);
	free(s->contributor_role);
	for (size_t i = 0; i < s->n_issuers; i++)
		issuer_free(s->issuers[i]);
	free(s->issuers);
	memset(s, 0, sizeof(*s));
}

static char *dup_member(json_t *obj, const char *key, const char *def)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	const char *s = json_is_string(v) ? json_string_value(v) : def;
	return s ? strdup(s) : NULL;
}

static int issuer_append(struct att_auth_settings *s, struct att_auth_issuer *i)
{
	struct att_auth_issuer **v =
		realloc(s->issuers, (s->n_issuers + 1) * sizeof(*v));
	if (!v)
		return ATT_ERR_NOMEM;
	s->issuers = v;
	v[s->n_issuers++] = i;
	return 0;
}

/* Members of one issuer object; the first five are strings. */
static const char *const issuer_members[] = {
	"issuer", "audience", "jwks_file", "jwks_uri", "ca_file",
	"refetch_cooldown_seconds",
};

/* issuer_check refuses an unknown member, a non-string where a string
 * belongs, and a cooldown outside [1, ATT_JWKS_CACHE_SECONDS]. */
static int issuer_check(json_t *o, struct att_diag *d)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		size_t n = sizeof(issuer_members) / sizeof(issuer_members[0]);
		size_t m = 0;
		while (m < n && strcmp(issuer_members[m], k))
			m++;
		if (m == n)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "auth: issuers[].%.64s is not a "
					    "known member", k);
		if (m < n - 1 && !json_is_string(v))
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "auth: issuers[].%s must be a "
					    "string", k);
	}
	v = json_object_get(o, "refetch_cooldown_seconds");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
		  json_integer_value(v) > ATT_JWKS_CACHE_SECONDS))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "auth: issuers[].refetch_cooldown_seconds "
				    "must be an integer from 1 to %d",
				    ATT_JWKS_CACHE_SECONDS);
	return 0;
}

static int issuer_parse(struct att_auth_settings *s, json_t *o,
			struct att_diag *d)
{
	struct att_auth_issuer *i = NULL;
	json_error_t je;
	int r = issuer_check(o, d);
	if (r)
		return r;
	if (!(i = calloc(1, sizeof(*i))))
		return ATT_ERR_NOMEM;
	json_t *cd = json_object_get(o, "refetch_cooldown_seconds");
	i->refetch_cooldown_seconds =
		cd ? (unsigned)json_integer_value(cd)
		   : ATT_JWKS_REFETCH_COOLDOWN_SECONDS;
	i->issuer = dup_member(o, "issuer", NULL);
	i->audience = dup_member(o, "audience", NULL);
	i->jwks_file = dup_member(o, "jwks_file", NULL);
	i->jwks_uri = dup_member(o, "jwks_uri", NULL);
	i->ca_file = dup_member(o, "ca_file", NULL);
	if (!i->issuer || !i->audience) {
		r = att_diag_set(d, ATT_ERR_INVALID_ARG,
				 "auth: every issuer needs \"issuer\" and "
				 "\"audience\" strings");
		goto out;
	}
	if (i->jwks_file &&
	    !(i->jwks = json_load_file(i->jwks_file, 0, &je))) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "auth: cannot read JWKS file %s: %s",
				 i->jwks_file, je.text);
		goto out;
	}
	if ((r = issuer_append(s, i)) != 0)
		goto out;
	i = NULL; /* transferred */
out:
	issuer_free(i);
	return r;
}

int att_auth_settings_parse(struct att_auth_settings *s, json_t *obj,
			    struct att_diag *d)
{
	memset(s, 0, sizeof(*s));
	json_t *en = obj ? json_object_get(obj, "enabled") : NULL;
	s->enabled = en ? json_is_true(en) : true;
	s->role_claim = dup_member(obj, "role_claim", ATT_DEFAULT_ROLE_CLAIM);
	s->reader_role = dup_member(obj, "reader_role",
				    ATT_DEFAULT_READER_ROLE);
	s->contributor_role = dup_member(obj, "contributor_role",
					 ATT_DEFAULT_CONTRIBUTOR_ROLE);
	if (!s->role_claim || !s->reader_role || !s->contributor_role) {
		att_auth_settings_release(s);
		return ATT_ERR_NOMEM;
	}
	json_t *iss = obj ? json_object_get(obj, "issuers") : NULL;
	size_t idx;
	json_t *o;
	json_array_foreach(iss, idx, o)
	{
		int r = json_is_object(o) ? issuer_parse(s, o, d)
					  : att_diag_set(d, ATT_ERR_INVALID_ARG,
							 "auth: issuers[%zu] is "
							 "not an object",
							 idx);
		if (r) {
			att_auth_settings_release(s);
			return r;
		}
	}
	return 0;
}

int att_auth_add_issuer(struct att_auth_settings *s, const char *issuer,
			const char *audience, json_t *jwks)
{
	struct att_auth_issuer *i = calloc(1, sizeof(*i));
	if (!i)
		return ATT_ERR_NOMEM;
	i->refetch_cooldown_seconds = ATT_JWKS_REFETCH_COOLDOWN_SECONDS;
	i->issuer = strdup(issuer);
	i->audience = strdup(audience);
	i->jwks = json_incref(jwks);
	int r = (i->issuer && i->audience) ? issuer_append(s, i)
					   : ATT_ERR_NOMEM;
	if (r)
		issuer_free(i);
	return r;
}

int att_provider_new(struct att_provider **out, const char *name,
		     const char *base_url, const char *mode,
		     const char *key_type, const char *auth_json,
		     json_t *override, struct att_diag *d)
{
	struct att_provider *p = calloc(1, sizeof(*p));
	json_t *stored = NULL;
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!p)
		return r;
	pthread_mutex_init(&p->mu, NULL);
	p->key_gen = -1;
	att_provider_limits_defaults(&p->limits);
	p->name = strdup(name);
	p->base_url = strdup(base_url);
	p->mode = strdup(mode);
	p->key_type = strdup(key_type);
	if (!p->name || !p->base_url || !p->mode || !p->key_type)
		goto out;
	if (!override && auth_json &&
	    !(stored = json_loads(auth_json, 0, NULL))) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "provider %s: stored auth settings are not "
				 "JSON", name);
		goto out;
	}
	if ((r = att_auth_settings_parse(&p->auth, override ? override : stored,
					 d)) != 0)
		goto out;
	*out = p;
	p = NULL; /* transferred */
out:
	json_decref(stored);
	att_provider_free(p);
	return r;
}

void att_provider_free(struct att_provider *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->base_url);
	free(p->mode);
	free(p->key_type);
	att_auth_settings_release(&p->auth);
	att_keyset_unref(p->keys);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int att_registry_add(struct att_registry *r, struct att_provider *p)
{
	struct att_provider **v = realloc(r->v, (r->n + 1) * sizeof(*v));
	if (!v)
		return ATT_ERR_NOMEM;
	r->v = v;
	v[r->n++] = p;
	return 0;
}

void att_registry_free(struct att_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		att_provider_free(r->v[i]);
	free(r->v);
	free(r);
}

/* limits_parse sets p's limits from its config, naming the provider in
 * the message of a refusal. */
static int limits_parse(struct att_provider *p, json_t *obj,
			struct att_diag *d)
{
	struct att_diag ld = {0};
	int r = att_provider_limits_parse(&p->limits, obj, &ld);
	if (r)
		att_diag_set(d, r, "provider %s: %s", p->name,
			     att_diag_msg(&ld));
	return r;
}

/* compliance_parse sets p's compliance floors from its config, naming
 * the provider in the message of a refusal. */
static int compliance_parse(struct att_provider *p, json_t *obj,
			    struct att_diag *d)
{
	struct att_diag ld = {0};
	int r = att_compliance_parse(&p->compliance, obj, &ld);
	if (r)
		att_diag_set(d, r, "provider %s: %s", p->name,
			     att_diag_msg(&ld));
	return r;
}

static int registry_fill(struct att_registry *reg,
			 const struct att_store_provider *v, size_t n,
			 json_t *config_providers, struct att_diag *d)
{
	for (size_t i = 0; i < n; i++) {
		struct att_provider *p = NULL;
		json_t *pc = json_object_get(config_providers, v[i].name);
		json_t *ov = json_object_get(pc, "auth");
		int r = att_provider_new(&p, v[i].name, v[i].base_url,
					 v[i].mode, v[i].key_type,
					 v[i].auth_json, ov, d);
		if (!r)
			r = limits_parse(p, json_object_get(pc, "limits"), d);
		if (!r)
			r = compliance_parse(p, json_object_get(pc, "compliance"),
					     d);
		if (r)
			att_provider_free(p);
		if (!r && (r = att_registry_add(reg, p)) != 0)
			att_provider_free(p);
		if (r)
			return r;
	}
	return 0;
}

int att_registry_load(struct att_registry **out, struct att_store *store,
		      json_t *config_providers, const char *default_name,
		      struct att_diag *d)
{
	struct att_store_provider *v = NULL;
	size_t n = 0;
	struct att_registry *reg = calloc(1, sizeof(*reg));
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!reg)
		return r;
	if ((r = att_store_provider_list(store, &v, &n, d)) != 0 ||
	    (r = registry_fill(reg, v, n, config_providers, d)) != 0)
		goto out;
	reg->def = att_registry_find(reg, default_name, strlen(default_name));
	if (!reg->def) {
		r = att_diag_set(d, ATT_ERR_NOT_FOUND,
				 "the default provider '%s' does not exist "
				 "(create it with: attestd provider add %s ...)",
				 default_name, default_name);
		goto out;
	}
	*out = reg;
	reg = NULL; /* transferred */
out:
	att_store_provider_list_free(v, n);
	att_registry_free(reg);
	return r;
}

struct att_provider *att_registry_find(const struct att_registry *r,
				       const char *name, size_t name_len)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *pn = r->v[i]->name;
		if (strlen(pn) == name_len && !strncasecmp(pn, name, name_len))
			return r->v[i];
	}
	return NULL;
}

struct att_provider *att_provider_select(const struct att_registry *r,
					 const char *host, const char *path,
					 const char **rest)
{
	struct att_provider *p;
	*rest = path;
	if (host && *host) {
		size_t n = strcspn(host, ".:");
		/* Only "NAME.anything": a bare host name is not a label. */
		if (host[n] == '.' && (p = att_registry_find(r, host, n)))
			return p;
	}
	if (path[0] == '/') {
		const char *seg = path + 1;
		size_t n = strcspn(seg, "/");
		if (n > 0 && (p = att_registry_find(r, seg, n))) {
			*rest = seg[n] ? seg + n : "/";
			return p;
		}
	}
	return r->def;
}
