/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd tpm trust: a provider's TPM attestation configuration, kept in
 * the data dir under tpm/<provider>/ (src/server/api_tpm.h): trusted TPM
 * manufacturer roots and intermediates for EK certificates, other trusted
 * AIK roots, and settings.json (require_bearer, allow_ek_without_cert,
 * context_ttl_seconds, aik_cert_days). Certificates are checked and
 * stored as PEM named by their SHA-1 thumbprint; settings are validated
 * as the server reads them. A running server sees changes on its next
 * TPM request. With no option it prints the configuration.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "cmd_common.h"
#include "crypto/cert.h"
#include "server/api_tpm.h"
#include "server/datadir.h"
#include "store/store.h"

int att_cmd_tpm_trust(int argc, char **argv);

#define USAGE                                                                  \
	"usage: attestd tpm trust NAME --data-dir DIR [--ek-root FILE]... "    \
	"[--ek-intermediate FILE]... [--aik-root FILE]... [--set "             \
	"KEY=VALUE]... "                                                       \
	"[--unset KEY]...\n"

static int mkdir_p(const char *dd, const char *name, const char *sub)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/tpm", dd);
	if (mkdir(p, 0700) && errno != EEXIST)
		return -1;
	if (att_tpm_path(p, sizeof(p), dd, name, NULL) ||
	    (mkdir(p, 0700) && errno != EEXIST))
		return -1;
	if (sub && (att_tpm_path(p, sizeof(p), dd, name, sub) ||
		    (mkdir(p, 0700) && errno != EEXIST)))
		return -1;
	return 0;
}

/* add_cert checks FILE holds one certificate and stores it as PEM. */
static int add_cert(const char *dd, const char *name, const char *sub,
		    const char *file)
{
	struct att_diag d = {0};
	struct att_cert *c = NULL;
	char *text = NULL, *pem = NULL, tp[41], rel[128], path[1200];
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
	snprintf(rel, sizeof(rel), "%s/%s.pem", sub, tp);
	if (r == 0 && (mkdir_p(dd, name, sub) ||
		       att_tpm_path(path, sizeof(path), dd, name, rel)))
		r = ATT_ERR_IO;
	if (r == 0 && access(path, F_OK) != 0)
		r = att_file_write(path, pem, strlen(pem), 0600, &d);
	if (r)
		fprintf(stderr, "attestd tpm trust: %s: %s\n", file,
			d.msg[0] ? att_diag_msg(&d) : att_strerror(r));
	else
		printf("%s: %s\n", sub, tp);
	att_cert_free(c);
	free(text);
	free(pem);
	return r;
}

static json_t *settings_read(const char *path)
{
	json_t *o = access(path, F_OK) == 0 ? json_load_file(path, 0, NULL)
					    : json_object();
	return json_is_object(o) ? o : (json_decref(o), NULL);
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
		return -1;
	json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
	char *k = strndup(kv, (size_t)(eq - kv));
	int r = v && k && json_object_set(o, k, v) == 0 ? 0 : -1;
	json_decref(v);
	free(k);
	return r;
}

/* settings_update edits settings.json and validates the result as the
 * server would read it (restoring the old file when it is refused). */
static int settings_update(const char *dd, const char *name, int argc,
			   char **argv)
{
	char path[1024], tmp[1100];
	struct att_tpm_settings s;
	struct att_diag d = {0};
	json_t *o = NULL;
	int r = mkdir_p(dd, name, NULL) ||
		att_tpm_path(path, sizeof(path), dd, name, "settings.json");
	if (r || !(o = settings_read(path)))
		return 1;
	for (int i = 1; i + 1 < argc; i++) {
		bool unset = !strcmp(argv[i], "--unset");
		if (!unset && strcmp(argv[i], "--set"))
			continue;
		if (set_one(o, argv[i + 1], unset))
			r = fprintf(stderr, "attestd tpm trust: bad %s %s\n",
				    argv[i], argv[i + 1]);
		i++;
	}
	snprintf(tmp, sizeof(tmp), "%s.old", path);
	bool had = access(path, F_OK) == 0;
	if (r == 0 && had && rename(path, tmp))
		r = 1;
	if (r == 0 && json_dump_file(o, path, JSON_INDENT(2)))
		r = 1;
	if (r == 0 && att_tpm_settings_load(&s, dd, name, &d) != 0) {
		fprintf(stderr, "attestd tpm trust: %s\n", att_diag_msg(&d));
		r = 1;
	}
	if (r && had)
		rename(tmp, path);
	else if (r)
		unlink(path); /* refused, and there was none before */
	else
		unlink(tmp);
	json_decref(o);
	return r ? 1 : 0;
}

static void show_dir(const char *dd, const char *name, const char *sub)
{
	char p[1024];
	struct dirent *e;
	att_tpm_path(p, sizeof(p), dd, name, sub);
	DIR *dh = opendir(p);
	printf("%s:", sub);
	while (dh && (e = readdir(dh)) != NULL)
		if (e->d_name[0] != '.')
			printf(" %s", e->d_name);
	printf("\n");
	if (dh)
		closedir(dh);
}

static int show(const char *dd, const char *name)
{
	struct att_tpm_settings s;
	struct att_diag d = {0};
	if (att_tpm_settings_load(&s, dd, name, &d) != 0) {
		fprintf(stderr, "attestd tpm trust: %s\n", att_diag_msg(&d));
		return 1;
	}
	printf("provider: %s\nrequire_bearer: %s\nallow_ek_without_cert: %s\n"
	       "context_ttl_seconds: %lld\naik_cert_days: %d\n",
	       name, s.require_bearer ? "true" : "false",
	       s.allow_ek_without_cert ? "true" : "false",
	       (long long)s.context_ttl, s.aik_cert_days);
	show_dir(dd, name, "ek-roots");
	show_dir(dd, name, "ek-intermediates");
	show_dir(dd, name, "aik-roots");
	return 0;
}

/* check_provider makes sure NAME is a provider of the data dir. */
static int check_provider(const char *dd, const char *name)
{
	struct att_store *st = NULL;
	struct att_store_provider p = {0};
	struct att_diag d = {0};
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	int r = att_cli_open(&st, master, dd, false, "attestd tpm trust");
	if (r)
		return r;
	if (att_store_provider_get(st, name, &p, &d) != 0) {
		fprintf(stderr, "attestd tpm trust: no provider '%s'\n", name);
		r = 1;
	}
	att_store_provider_release(&p);
	att_store_close(st);
	memset(master, 0, sizeof(master));
	return r;
}

int att_cmd_tpm_trust(int argc, char **argv)
{
	const char *dd = NULL, *name = NULL;
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
		else if (!strcmp(argv[i], "--ek-root") ||
			 !strcmp(argv[i], "--ek-intermediate") ||
			 !strcmp(argv[i], "--aik-root"))
			certs = true;
		else {
			fputs(USAGE, stderr);
			return 2;
		}
		i++;
	}
	if (!name || !dd) {
		fputs(USAGE, stderr);
		return 2;
	}
	int r = check_provider(dd, name);
	for (int i = 1; r == 0 && certs && i + 1 < argc; i++) {
		const char *sub = !strcmp(argv[i], "--ek-root") ? "ek-roots"
				  : !strcmp(argv[i], "--ek-intermediate")
				      ? "ek-intermediates"
				  : !strcmp(argv[i], "--aik-root") ? "aik-roots"
								   : NULL;
		if (sub && add_cert(dd, name, sub, argv[++i]) != 0)
			r = 1;
	}
	if (r == 0 && settings)
		r = settings_update(dd, name, argc, argv);
	if (r == 0 && !settings && !certs)
		r = show(dd, name);
	return r;
}
