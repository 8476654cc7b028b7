/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd tpm trust: a provider's TPM attestation configuration, kept in
 * the store (docs/tpm.md): trusted TPM manufacturer roots and
 * intermediates for EK certificates, other trusted AIK roots, and the
 * settings (require_bearer, allow_ek_without_cert, context_ttl_seconds,
 * aik_cert_days). Certificates are checked and stored as PEM named by
 * their SHA-1 thumbprint; settings are validated as the server reads them
 * and only then stored. A running server sees changes on its next TPM
 * request. With no option it prints the configuration. A data dir of an
 * earlier version (TPM state in tpm/NAME/ files) is imported first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "cmd_common.h"
#include "crypto/cert.h"
#include "server/api_tpm.h"
#include "server/datadir.h"
#include "store/store.h"

int att_cmd_tpm_trust(int argc, char **argv);
int att_tpm_bundle_add(struct att_store *st, const char *provider,
		       const char *bundle); /* cmd_tpm_bundle.c */

#define USAGE                                                                  \
	"usage: attestd tpm trust NAME --data-dir DIR [--ek-root FILE]... "    \
	"[--ek-intermediate FILE]... [--aik-root FILE]... [--set "             \
	"KEY=VALUE]... "                                                       \
	"[--unset KEY]... [--bundle vendors]\n"

static int fail(const char *what, const struct att_diag *d, int r)
{
	fprintf(stderr, "attestd tpm trust: %s: %s\n", what,
		d->msg[0] ? att_diag_msg(d) : att_strerror(r));
	return 1;
}

/* add_cert checks FILE holds one certificate and stores it as PEM. */
static int add_cert(struct att_store *st, const char *name, const char *kind,
		    const char *file)
{
	struct att_diag d = {0};
	struct att_cert *c = NULL;
	char *text = NULL, *pem = NULL, tp[41], rel[48];
	size_t len = 0;
	int r = att_file_read(&text, &len, file, ATT_MAX_CERT_LEN * 4, &d);
	if (r == 0)
		r = strstr(text, "-----BEGIN")
			? att_cert_from_pem(&c, text, len)
			: att_cert_from_der(&c, (uint8_t *)text, len);
	if (r == 0)
		r = att_cert_thumbprint_sha1(tp, c);
	if (r == 0)
		r = att_cert_to_pem(&pem, c);
	if (r == 0) {
		snprintf(rel, sizeof(rel), "%s.pem", tp);
		struct att_store_tpm_cert row = {.provider = (char *)name,
						 .kind = (char *)kind,
						 .name = rel,
						 .pem = pem,
						 .added = (int64_t)time(NULL)};
		r = att_store_tpm_cert_add(st, &row, &d);
		if (r == ATT_ERR_EXISTS)
			r = 0; /* trusted already */
	}
	if (r)
		fail(file, &d, r);
	else
		printf("%s: %s\n", kind, tp);
	att_cert_free(c);
	free(text);
	free(pem);
	return r ? 1 : 0;
}

/* set_one applies "KEY=VALUE" (VALUE is JSON: true, false, 300) or, with
 * unset, removes KEY. */
static int set_one(json_t *o, const char *kv, bool unset)
{
	if (unset) {
		json_object_del(o, kv); /* absent already: fine */
		return 0;
	}
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return ATT_ERR_INVALID_ARG;
	json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
	char *k = strndup(kv, (size_t)(eq - kv));
	int r = v && k && json_object_set(o, k, v) == 0 ? 0
							 : ATT_ERR_INVALID_ARG;
	json_decref(v);
	free(k);
	return r;
}

static json_t *settings_read(struct att_store *st, const char *name,
			     struct att_diag *d)
{
	char *text = NULL;
	int r = att_store_tpm_settings_get(st, name, &text, d);
	json_t *o = r == ATT_ERR_NOT_FOUND ? json_object()
		    : r == 0 ? json_loads(text, JSON_REJECT_DUPLICATES, NULL)
			     : NULL;
	free(text);
	return json_is_object(o) ? o : (json_decref(o), NULL);
}

/* settings_update edits the settings and stores them only when they
 * validate as the server reads them. */
static int settings_update(struct att_store *st, const char *name, int argc,
			   char **argv)
{
	struct att_tpm_settings s;
	struct att_diag d = {0};
	json_t *o = settings_read(st, name, &d);
	char *text = NULL;
	int r = o ? 0 : fail("cannot read the stored settings", &d, ATT_ERR_STORE);
	for (int i = 1; r == 0 && i + 1 < argc; i++) {
		bool unset = !strcmp(argv[i], "--unset");
		if (!unset && strcmp(argv[i], "--set"))
			continue;
		if (set_one(o, argv[i + 1], unset))
			r = fprintf(stderr, "attestd tpm trust: bad %s %s\n",
				    argv[i], argv[i + 1]);
		i++;
	}
	if (r == 0 && !(text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS)))
		r = fail("settings", &d, ATT_ERR_NOMEM);
	if (r == 0 &&
	    att_tpm_settings_parse(&s, text, strlen(text), &d) != 0) {
		fprintf(stderr, "attestd tpm trust: %s\n", att_diag_msg(&d));
		r = 1;
	}
	if (r == 0 && att_store_tpm_settings_put(st, name, text, &d) != 0)
		r = fail("cannot store the settings", &d, ATT_ERR_STORE);
	free(text);
	json_decref(o);
	return r ? 1 : 0;
}

static int show_kind(struct att_store *st, const char *name, const char *kind)
{
	struct att_store_tpm_cert *v = NULL;
	struct att_diag d = {0};
	size_t n = 0;
	int r = att_store_tpm_cert_list(st, name, kind, &v, &n, &d);
	if (r)
		return fail(kind, &d, r);
	printf("%s:", kind);
	for (size_t i = 0; i < n; i++)
		printf(" %s", v[i].name);
	printf("\n");
	att_store_tpm_cert_list_free(v, n);
	return 0;
}

static int show(struct att_store *st, const char *name)
{
	struct att_tpm_settings s;
	struct att_diag d = {0};
	if (att_tpm_settings_load(&s, st, name, &d) != 0) {
		fprintf(stderr, "attestd tpm trust: %s\n", att_diag_msg(&d));
		return 1;
	}
	printf("provider: %s\nrequire_bearer: %s\nallow_ek_without_cert: %s\n"
	       "context_ttl_seconds: %lld\naik_cert_days: %d\n",
	       name, s.require_bearer ? "true" : "false",
	       s.allow_ek_without_cert ? "true" : "false",
	       (long long)s.context_ttl, s.aik_cert_days);
	if (show_kind(st, name, "ek-roots") ||
	    show_kind(st, name, "ek-intermediates") ||
	    show_kind(st, name, "aik-roots"))
		return 1;
	return 0;
}

/* open_checked opens the store, imports a pre-store TPM directory and
 * makes sure NAME is a provider of the data dir. */
static int open_checked(struct att_store **st, const char *dd,
			const char *name)
{
	struct att_store_provider p = {0};
	struct att_diag d = {0};
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	int r = att_cli_open(st, master, dd, false, "attestd tpm trust");
	memset(master, 0, sizeof(master));
	if (r)
		return r;
	if (dd &&
	    att_tpm_state_import(*st, dd, (int64_t)time(NULL), NULL, &d) != 0)
		r = fail("importing the TPM state files", &d, ATT_ERR_IO);
	else if (att_store_provider_get(*st, name, &p, &d) != 0) {
		fprintf(stderr, "attestd tpm trust: no provider '%s'\n", name);
		r = 1;
	}
	att_store_provider_release(&p);
	if (r) {
		att_store_close(*st);
		*st = NULL;
	}
	return r;
}

static const char *kind_of(const char *opt)
{
	return !strcmp(opt, "--ek-root")	 ? "ek-roots"
	       : !strcmp(opt, "--ek-intermediate") ? "ek-intermediates"
	       : !strcmp(opt, "--aik-root")	 ? "aik-roots"
						 : NULL;
}

int att_cmd_tpm_trust(int argc, char **argv)
{
	const char *dd = NULL, *name = NULL;
	const char *bundle = NULL;
	bool settings = false, certs = false;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-') {
			name = argv[i];
			continue;
		}
		if (i + 1 == argc) {
			fputs(USAGE, stderr);
			return 2;
		}
		if (!strcmp(argv[i], "--data-dir"))
			dd = argv[i + 1];
		else if (!strcmp(argv[i], "--set") ||
			 !strcmp(argv[i], "--unset"))
			settings = true;
		else if (kind_of(argv[i]))
			certs = true;
		else if (!strcmp(argv[i], "--bundle"))
			bundle = argv[i + 1];
		else {
			fputs(USAGE, stderr);
			return 2;
		}
		i++;
	}
	if (!name || (!dd && !att_cli_store())) {
		fputs(USAGE, stderr);
		return 2;
	}
	struct att_store *st = NULL;
	int r = open_checked(&st, dd, name);
	for (int i = 1; r == 0 && certs && i + 1 < argc; i++) {
		const char *kind = kind_of(argv[i]);
		if (kind && add_cert(st, name, kind, argv[++i]) != 0)
			r = 1;
	}
	if (r == 0 && bundle)
		r = att_tpm_bundle_add(st, name, bundle);
	if (r == 0 && settings)
		r = settings_update(st, name, argc, argv);
	if (r == 0 && !settings && !certs && !bundle)
		r = show(st, name);
	att_store_close(st);
	return r;
}
