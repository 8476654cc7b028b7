/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd key rotate | list. Rotation writes a new active key to the
 * store and retires the previous one at now + 8 h (the longest token
 * lifetime); a running server notices the change on its next use of the
 * provider's keys (no restart, no SIGHUP needed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "cmd_common.h"
#include "server/keys.h"
#include "server/keys_hsm.h"
#include "server/server.h"
#include "store/store.h"
#include "token/jwks.h"

json_t *att_cli_keys_json(struct att_store *s, const char *name);

json_t *att_cli_keys_json(struct att_store *s, const char *name)
{
	struct att_store_key *v = NULL;
	struct att_diag d = {0};
	size_t n = 0;
	json_t *arr = json_array();
	if (!arr || att_store_key_list(s, name, &v, &n, &d) != 0)
		return arr;
	int64_t now = att_time_now();
	for (size_t i = 0; i < n; i++) {
		const char *state = v[i].active ? "active"
				    : v[i].retired_at > now ? "retiring"
							    : "retired";
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:I, s:I}", "kid",
				       v[i].kid, "alg", v[i].alg, "state",
				       state, "created",
				       (json_int_t)v[i].created, "retired_at",
				       (json_int_t)v[i].retired_at));
	}
	att_store_key_list_free(v, n);
	return arr;
}

/* --config FILE: the server's config, for providers.NAME.signing (a
 * provider whose keys live in a PKCS #11 token rotates in the token). */
static const char *key_config;

static int args(int argc, char **argv, const char **name, const char **dir)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'D'},
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	key_config = NULL;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c') {
			key_config = optarg;
			continue;
		}
		if (o != 'D')
			return -1;
		*dir = optarg;
	}
	if (optind != argc - 1 || (!*dir && !att_cli_store()))
		return -1;
	*name = argv[optind];
	return 0;
}

int att_cmd_key_rotate(int argc, char **argv)
{
	const char *name = NULL, *dir = NULL;
	struct att_store *s = NULL;
	struct att_store_provider p = {0};
	struct att_diag d = {0};
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	char kid[ATT_JWK_KID_LEN];
	if (args(argc, argv, &name, &dir) != 0) {
		fprintf(stderr, "usage: attestd key rotate NAME --data-dir DIR [--config FILE]\n");
		return 2;
	}
	if (key_config) {
		struct att_server_config cfg;
		att_server_config_init(&cfg);
		int cr = att_server_config_load(&cfg, key_config, &d);
		if (!cr)
			cr = att_keys_hsm_configure(cfg.providers, &d);
		att_server_config_release(&cfg);
		if (cr) {
			fprintf(stderr, "attestd key rotate: %s\n",
				att_diag_msg(&d));
			return 1;
		}
	}
	int rc = att_cli_open(&s, master, dir, false, "attestd key rotate");
	int64_t now = att_time_now();
	if (!rc && (att_store_provider_get(s, name, &p, &d) != 0 ||
		    att_keys_rotate(s, master, name, p.key_type, p.base_url,
				    now, kid, sizeof(kid), &d) != 0)) {
		fprintf(stderr, "attestd key rotate: %s\n", att_diag_msg(&d));
		rc = 1;
	}
	if (!rc)
		printf("provider %s: new active key %s; the previous key stays "
		       "in /certs until %lld (now + %d s)\n",
		       name, kid, (long long)(now + ATT_MAX_TOKEN_LIFETIME_SECONDS),
		       ATT_MAX_TOKEN_LIFETIME_SECONDS);
	att_store_provider_release(&p);
	att_store_close(s);
	att_keywrap_wipe(master, sizeof(master));
	att_keys_hsm_clear();
	return rc;
}

int att_cmd_key_list(int argc, char **argv)
{
	const char *name = NULL, *dir = NULL;
	struct att_store *s = NULL;
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	if (args(argc, argv, &name, &dir) != 0) {
		fprintf(stderr, "usage: attestd key list NAME --data-dir DIR\n");
		return 2;
	}
	int rc = att_cli_open(&s, master, dir, false, "attestd key list");
	if (!rc) {
		json_t *a = att_cli_keys_json(s, name);
		char *txt = a ? json_dumps(a, JSON_INDENT(2) |
						      JSON_PRESERVE_ORDER)
			      : NULL;
		if (txt)
			printf("%s\n", txt);
		rc = txt ? 0 : 1;
		free(txt);
		json_decref(a);
	}
	att_store_close(s);
	att_keywrap_wipe(master, sizeof(master));
	return rc;
}
