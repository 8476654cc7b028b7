/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd provider add | list | show: manage providers (tenants) in a
 * data dir's store. A new provider gets its first signing key at once.
 * The running server sees new providers after SIGHUP or a restart.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "cmd_common.h"
#include "crypto/cert.h"
#include "server/datadir.h"
#include "server/provider.h"
#include "store/store.h"

#define MAX_SIGNERS 16

struct add_args {
	const char *name, *dir, *mode, *base_url, *key_type;
	const char *signers[MAX_SIGNERS];
	size_t n_signers;
	json_t *auth; /* built from the auth options, or NULL */
	json_t *issuer;
};

static int auth_set(struct add_args *a, const char *key, const char *val)
{
	if (!a->auth && !(a->auth = json_object()))
		return ATT_ERR_NOMEM;
	if (!strcmp(key, "enabled"))
		return json_object_set_new(a->auth, key, json_false());
	bool per_issuer = !strcmp(key, "issuer") || !strcmp(key, "audience") ||
			  !strcmp(key, "jwks_file") ||
			  !strcmp(key, "jwks_uri") || !strcmp(key, "ca_file");
	if (!per_issuer)
		return json_object_set_new(a->auth, key, json_string(val));
	if (!a->issuer) {
		json_t *arr = json_array();
		a->issuer = json_object();
		if (!arr || !a->issuer || json_array_append(arr, a->issuer) ||
		    json_object_set_new(a->auth, "issuers", arr))
			return ATT_ERR_NOMEM;
	}
	return json_object_set_new(a->issuer, key, json_string(val));
}

static int parse_add(int argc, char **argv, struct add_args *a)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'D'},
		{"mode", required_argument, NULL, 'm'},
		{"base-url", required_argument, NULL, 'b'},
		{"key-type", required_argument, NULL, 'k'},
		{"policy-signer", required_argument, NULL, 's'},
		{"trust-issuer", required_argument, NULL, 'i'},
		{"audience", required_argument, NULL, 'a'},
		{"jwks-file", required_argument, NULL, 'j'},
		{"jwks-uri", required_argument, NULL, 'u'},
		{"ca-file", required_argument, NULL, 'c'},
		{"role-claim", required_argument, NULL, 'R'},
		{"reader-role", required_argument, NULL, 'r'},
		{"contributor-role", required_argument, NULL, 'C'},
		{"no-auth", no_argument, NULL, 'n'},
		{NULL, 0, NULL, 0}};
	static const char *auth_keys[128] = {
		['i'] = "issuer",     ['a'] = "audience", ['j'] = "jwks_file",
		['u'] = "jwks_uri",   ['c'] = "ca_file",  ['R'] = "role_claim",
		['r'] = "reader_role", ['C'] = "contributor_role",
		['n'] = "enabled"};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'D')
			a->dir = optarg;
		else if (o == 'm')
			a->mode = optarg;
		else if (o == 'b')
			a->base_url = optarg;
		else if (o == 'k')
			a->key_type = optarg;
		else if (o == 's' && a->n_signers < MAX_SIGNERS)
			a->signers[a->n_signers++] = optarg;
		else if (o > 0 && o < 128 && auth_keys[o]) {
			if (auth_set(a, auth_keys[o], optarg))
				return -1;
		} else
			return -1;
	}
	if (optind != argc - 1)
		return -1;
	a->name = argv[optind];
	return 0;
}

static int add_signers(struct att_store *s, const struct add_args *a,
		       int64_t now)
{
	for (size_t i = 0; i < a->n_signers; i++) {
		struct att_diag d = {0};
		char *pem = NULL, tp[41];
		size_t len = 0;
		struct att_cert *c = NULL;
		uint8_t *der = NULL;
		size_t der_len = 0;
		int r = att_file_read(&pem, &len, a->signers[i], 1 << 20, &d);
		if (!r && (r = att_cert_from_pem(&c, pem, len)) != 0)
			att_diag_set(&d, r, "%s: not a PEM certificate",
				     a->signers[i]);
		if (!r && !(r = att_cert_thumbprint_sha1(tp, c)))
			r = att_cert_to_der(&der, &der_len, c);
		struct att_store_polcert pc = {
			.provider = (char *)a->name, .thumbprint = tp,
			.der = der, .der_len = der_len, .added = now};
		struct att_store_audit au = {
			.provider = (char *)a->name, .time = now,
			.actor = "attestd-cli", .action = "add-policy-signer",
			.new_hash = tp};
		if (!r)
			r = att_store_polcert_add(s, &pc, &au, &d);
		free(der);
		free(pem);
		att_cert_free(c);
		if (r) {
			fprintf(stderr, "attestd provider add: %s\n",
				att_diag_msg(&d));
			return 1;
		}
		printf("policy signer %s added\n", tp);
	}
	return 0;
}

static int default_base(struct att_store *s, const char *name, char **out)
{
	struct att_store_provider p = {0};
	struct att_diag d = {0};
	if (att_store_provider_get(s, ATT_DEFAULT_PROVIDER, &p, &d) != 0)
		return -1;
	size_t n = strlen(p.base_url) + strlen(name) + 2;
	*out = malloc(n);
	if (*out)
		snprintf(*out, n, "%s/%s", p.base_url, name);
	att_store_provider_release(&p);
	return *out ? 0 : -1;
}

static int check_add(const struct add_args *a)
{
	if (!att_provider_name_valid(a->name)) {
		fprintf(stderr, "attestd provider add: invalid name '%s' (1-63 "
				"of a-z 0-9 -, not a reserved path segment)\n",
			a->name);
		return 2;
	}
	if (strcmp(a->mode, "aad") && strcmp(a->mode, "isolated")) {
		fprintf(stderr, "attestd provider add: --mode aad|isolated\n");
		return 2;
	}
	if (strcmp(a->key_type, "rsa") && strcmp(a->key_type, "ec")) {
		fprintf(stderr, "attestd provider add: --key-type rsa|ec\n");
		return 2;
	}
	if (!strcmp(a->mode, "isolated") && a->n_signers == 0) {
		fprintf(stderr, "attestd provider add: isolated mode needs at "
				"least one --policy-signer CERT.pem\n");
		return 2;
	}
	return 0;
}

static int do_add(struct att_store *s, const uint8_t *master,
		  struct add_args *a)
{
	struct att_diag d = {0};
	char *base = NULL, *auth = NULL;
	int64_t now = att_time_now();
	if (!a->base_url && default_base(s, a->name, &base) != 0) {
		fprintf(stderr, "attestd provider add: --base-url URL is "
				"required (no default provider to derive it "
				"from)\n");
		return 2;
	}
	if (a->auth)
		auth = json_dumps(a->auth, JSON_COMPACT);
	int r = att_provider_create(s, master, a->name,
				    a->base_url ? a->base_url : base, a->mode,
				    a->key_type, auth, now, &d);
	if (r)
		fprintf(stderr, "attestd provider add: %s\n", att_diag_msg(&d));
	else
		printf("provider %s added: %s (mode %s, %s key)\n", a->name,
		       a->base_url ? a->base_url : base, a->mode, a->key_type);
	free(base);
	free(auth);
	if (r)
		return 1;
	return add_signers(s, a, now);
}

int att_cmd_provider_add(int argc, char **argv)
{
	struct add_args a = {.mode = "aad", .key_type = "rsa"};
	struct att_store *s = NULL;
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	int rc = 2;
	if (parse_add(argc, argv, &a) != 0) {
		fprintf(stderr, "usage: attestd provider add NAME --data-dir DIR "
				"[--mode aad|isolated] [--base-url URL] "
				"[--key-type rsa|ec] [--policy-signer CERT.pem]... "
				"[--trust-issuer URL --audience AUD [--jwks-file F "
				"| --jwks-uri URL] [--ca-file F]] [--role-claim C] "
				"[--reader-role R] [--contributor-role R] "
				"[--no-auth]\n");
		goto out;
	}
	if ((rc = check_add(&a)) != 0 ||
	    (rc = att_cli_open(&s, master, a.dir, true,
			       "attestd provider add")) != 0)
		goto out;
	rc = do_add(s, master, &a);
out:
	att_store_close(s);
	att_keywrap_wipe(master, sizeof(master));
	json_decref(a.auth);
	return rc;
}

/* name_and_dir parses "NAME --data-dir DIR" (NAME optional when
 * want_name is false). */
static int name_and_dir(int argc, char **argv, bool want_name,
			const char **name, const char **dir)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'D'}, {NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'D')
			return -1;
		*dir = optarg;
	}
	if (want_name) {
		if (optind != argc - 1)
			return -1;
		*name = argv[optind];
	} else if (optind != argc) {
		return -1;
	}
	return (*dir || att_cli_store()) ? 0 : -1;
}

int att_cmd_provider_list(int argc, char **argv)
{
	const char *dir = NULL, *name = NULL;
	struct att_store *s = NULL;
	struct att_store_provider *v = NULL;
	struct att_diag d = {0};
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	size_t n = 0;
	if (name_and_dir(argc, argv, false, &name, &dir) != 0) {
		fprintf(stderr, "usage: attestd provider list --data-dir DIR\n");
		return 2;
	}
	int rc = att_cli_open(&s, master, dir, false, "attestd provider list");
	if (!rc && att_store_provider_list(s, &v, &n, &d) != 0) {
		fprintf(stderr, "attestd provider list: %s\n", att_diag_msg(&d));
		rc = 1;
	}
	for (size_t i = 0; !rc && i < n; i++)
		printf("%-16s %-8s %-3s %s\n", v[i].name, v[i].mode,
		       v[i].key_type, v[i].base_url);
	att_store_provider_list_free(v, n);
	att_store_close(s);
	att_keywrap_wipe(master, sizeof(master));
	return rc;
}

json_t *att_cli_keys_json(struct att_store *s, const char *name);

static json_t *show_json(struct att_store *s, const struct att_store_provider *p)
{
	struct att_store_polcert *pc = NULL;
	struct att_diag d = {0};
	size_t n = 0;
	json_t *auth = p->auth_json ? json_loads(p->auth_json, 0, NULL) : NULL;
	json_t *signers = json_array();
	if (att_store_polcert_list(s, p->name, &pc, &n, &d) == 0)
		for (size_t i = 0; i < n; i++)
			json_array_append_new(signers,
					      json_string(pc[i].thumbprint));
	att_store_polcert_list_free(pc, n);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "name",
			 p->name, "base_url", p->base_url, "mode", p->mode,
			 "key_type", p->key_type, "created",
			 (json_int_t)p->created, "auth",
			 auth ? auth : json_null(), "policy_signers", signers,
			 "keys", att_cli_keys_json(s, p->name));
}

int att_cmd_provider_show(int argc, char **argv)
{
	const char *dir = NULL, *name = NULL;
	struct att_store *s = NULL;
	struct att_store_provider p = {0};
	struct att_diag d = {0};
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	if (name_and_dir(argc, argv, true, &name, &dir) != 0) {
		fprintf(stderr,
			"usage: attestd provider show NAME --data-dir DIR\n");
		return 2;
	}
	int rc = att_cli_open(&s, master, dir, false, "attestd provider show");
	if (!rc && att_store_provider_get(s, name, &p, &d) != 0) {
		fprintf(stderr, "attestd provider show: %s\n", att_diag_msg(&d));
		rc = 1;
	}
	if (!rc) {
		json_t *o = show_json(s, &p);
		char *txt = o ? json_dumps(o, JSON_INDENT(2) |
						      JSON_PRESERVE_ORDER)
			      : NULL;
		rc = txt ? 0 : 1;
		if (txt)
			printf("%s\n", txt);
		free(txt);
		json_decref(o);
	}
	att_store_provider_release(&p);
	att_store_close(s);
	att_keywrap_wipe(master, sizeof(master));
	return rc;
}
