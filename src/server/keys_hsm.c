/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of providers whose signing keys live in a PKCS #11 token
 * (keys_hsm.h).
 */
#include "server/keys_hsm.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "crypto/digest.h"
#include "hsm/p11.h"

struct hsm_entry {
	char *provider;
	struct att_p11 *p11;
};

static pthread_mutex_t hsm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hsm_entry *hsm_v;
static size_t hsm_n;

static void table_free(struct hsm_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].provider);
		att_p11_close(v[i].p11);
	}
	free(v);
}

int att_keys_hsm_configure(json_t *config_providers, struct att_diag *d)
{
	struct hsm_entry *v = NULL;
	size_t n = 0;
	const char *name;
	json_t *pc;
	int r = 0;
	json_object_foreach(config_providers, name, pc)
	{
		json_t *sg = json_object_get(pc, "signing");
		if (!sg)
			continue;
		json_t *uri = json_object_get(sg, "pkcs11");
		json_t *pin = json_object_get(sg, "pin_file");
		if (!json_is_object(sg) || !json_is_string(uri) ||
		    (pin && !json_is_string(pin)) ||
		    json_object_size(sg) != 1u + (pin ? 1u : 0u)) {
			r = att_diag_set(d, ATT_ERR_FORMAT,
				"config: providers.%s.signing must be {\"pkcs11\": \"pkcs11:...\", \"pin_file\": \"FILE\"} (pin_file optional)",
				name);
			break;
		}
		struct hsm_entry *nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			r = ATT_ERR_NOMEM;
			break;
		}
		v = nv;
		struct att_diag pd = {0};
		v[n].p11 = NULL;
		if (!(v[n].provider = strdup(name))) {
			r = ATT_ERR_NOMEM;
			break;
		}
		n++;
		if ((r = att_p11_open(&v[n - 1].p11, json_string_value(uri),
				      pin ? json_string_value(pin) : NULL,
				      &pd)) != 0) {
			att_diag_set(d, r, "provider %s: signing key token: %s",
				     name, att_diag_msg(&pd));
			break;
		}
	}
	if (r) {
		table_free(v, n);
		return r;
	}
	pthread_mutex_lock(&hsm_lock);
	struct hsm_entry *old = hsm_v;
	size_t old_n = hsm_n;
	hsm_v = v;
	hsm_n = n;
	pthread_mutex_unlock(&hsm_lock);
	table_free(old, old_n);
	return 0;
}

void att_keys_hsm_clear(void)
{
	pthread_mutex_lock(&hsm_lock);
	struct hsm_entry *old = hsm_v;
	size_t old_n = hsm_n;
	hsm_v = NULL;
	hsm_n = 0;
	pthread_mutex_unlock(&hsm_lock);
	table_free(old, old_n);
}

/* get: the provider's token (NULL when none). The table is replaced only
 * at start; keys hold their own reference to their token. */
static struct att_p11 *get(const char *provider)
{
	struct att_p11 *p = NULL;
	pthread_mutex_lock(&hsm_lock);
	for (size_t i = 0; i < hsm_n; i++)
		if (!strcmp(hsm_v[i].provider, provider))
			p = hsm_v[i].p11;
	pthread_mutex_unlock(&hsm_lock);
	return p;
}

bool att_keys_hsm_enabled(const char *provider)
{
	return get(provider) != NULL;
}

bool att_keys_hsm_is_marker(const uint8_t *w, size_t len)
{
	size_t m = strlen(ATT_KEYS_HSM_MARKER);
	return w && len > m && !memcmp(w, ATT_KEYS_HSM_MARKER, m);
}

int att_keys_hsm_generate(struct att_pkey **key, char **marker,
			  const char *provider, enum att_key_kind kind,
			  int64_t now, struct att_diag *d)
{
	struct att_p11 *p = get(provider);
	char label[ATT_P11_URI_VALUE_MAX];
	uint8_t rnd[6];
	int r;
	*key = NULL;
	*marker = NULL;
	if (!p)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
			"provider %s has no PKCS #11 signing token configured",
			provider);
	if ((r = att_rand_bytes(rnd, sizeof(rnd))) != 0)
		return r;
	snprintf(label, sizeof(label),
		 "attestd/%s/%lld-%02x%02x%02x%02x%02x%02x", provider,
		 (long long)now, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	if ((r = att_p11_key_generate(key, p, kind, label, d)) != 0)
		return r;
	size_t n = strlen(ATT_KEYS_HSM_MARKER) + strlen(label) + 1;
	if (!(*marker = malloc(n))) {
		att_pkey_free(*key);
		*key = NULL;
		return ATT_ERR_NOMEM;
	}
	snprintf(*marker, n, "%s%s", ATT_KEYS_HSM_MARKER, label);
	return 0;
}

int att_keys_hsm_load(struct att_pkey **key, const char *provider,
		      const uint8_t *marker, size_t len, struct att_diag *d)
{
	struct att_p11 *p = get(provider);
	size_t m = strlen(ATT_KEYS_HSM_MARKER);
	char label[ATT_P11_URI_VALUE_MAX];
	*key = NULL;
	if (!att_keys_hsm_is_marker(marker, len) || len - m >= sizeof(label) ||
	    memchr(marker + m, 0, len - m))
		return att_diag_set(d, ATT_ERR_FORMAT,
			"keys: provider %s: malformed PKCS #11 key marker",
			provider);
	memcpy(label, marker + m, len - m);
	label[len - m] = 0;
	if (!p)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
			"keys: the active key of provider %s lives in a PKCS #11 token (%s), but the configuration names no token for it (providers.%s.signing)",
			provider, label, provider);
	return att_p11_key_load(key, p, label, d);
}
