/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Import of the TPM state that data dirs of earlier versions kept in
 * files, <data-dir>/tpm/<provider>/ (api_tpm.h, docs/tpm.md):
 *   settings.json, ek-roots/, ek-intermediates/, aik-roots/ (PEM or DER
 *   certificate files), aik-ca.key (wrapped) + aik-ca.crt, and
 *   enrolled/<hex of the AIK Name>.json.
 * Each provider's directory goes into the store in one transaction
 * (att_store_tpm_import: what the store has already wins); only after
 * that commit is the directory renamed to <data-dir>/tpm.migrated/<name>,
 * kept as it was. Interrupted before the rename, the next start imports
 * it again, which changes nothing. Nothing is deleted.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/log.h"
#include "crypto/cert.h"
#include "server/api_tpm.h"
#include "server/datadir.h"
#include "store/store.h"

/* What one directory held, owned. */
struct tpm_dir {
	char *settings;
	struct att_store_tpm_cert *certs;
	size_t n_certs, cap_certs;
	struct att_store_tpm_ca ca;
	bool has_ca;
	struct att_store_tpm_enrolment *enrol;
	size_t n_enrol, cap_enrol;
};

static void tpm_dir_release(struct tpm_dir *t)
{
	free(t->settings);
	att_store_tpm_cert_list_free(t->certs, t->n_certs);
	att_store_tpm_ca_release(&t->ca);
	for (size_t i = 0; i < t->n_enrol; i++)
		att_store_tpm_enrolment_release(&t->enrol[i]);
	free(t->enrol);
	memset(t, 0, sizeof(*t));
}

static int grow(void **v, size_t *cap, size_t n, size_t elsize)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*v, ncap * elsize);
	if (!p)
		return ATT_ERR_NOMEM;
	memset((char *)p + *cap * elsize, 0, (ncap - *cap) * elsize);
	*v = p;
	*cap = ncap;
	return 0;
}

static int join(char *out, size_t cap, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s/%s", a, b);
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : 0;
}

static bool has_suffix(const char *n, const char *suf)
{
	size_t l = strlen(n), s = strlen(suf);
	return n[0] != '.' && l > s && !strcmp(n + l - s, suf);
}

/* read_cert reads a certificate file as PEM text (a DER certificate,
 * as vendors publish roots, is converted), like the server did. */
static int read_cert(char **pem, const char *path, struct att_diag *d)
{
	char *text = NULL;
	size_t len = 0;
	int r = att_file_read(&text, &len, path, ATT_TPM_MAX_TRUST_PEM, d);
	if (r)
		return r;
	if (!memmem(text, len, "-----BEGIN", 10)) {
		struct att_cert *c = NULL;
		char *conv = NULL;
		if (att_cert_from_der(&c, (const uint8_t *)text, len) == 0 &&
		    att_cert_to_pem(&conv, c) == 0) {
			free(text);
			text = conv;
		}
		att_cert_free(c);
	}
	*pem = text;
	return 0;
}

static int load_kind(struct tpm_dir *t, const char *dir, const char *prov,
		     const char *kind, int64_t now, struct att_diag *d)
{
	char sub[4096], path[4200];
	struct dirent *e;
	int r = join(sub, sizeof(sub), dir, kind);
	DIR *dh = r ? NULL : opendir(sub);
	while (dh && r == 0 && (e = readdir(dh)) != NULL) {
		if (!has_suffix(e->d_name, ".pem") &&
		    !has_suffix(e->d_name, ".crt") &&
		    !has_suffix(e->d_name, ".cer"))
			continue;
		if ((r = join(path, sizeof(path), sub, e->d_name)) ||
		    (r = grow((void **)&t->certs, &t->cap_certs, t->n_certs,
			      sizeof(*t->certs))))
			break;
		struct att_store_tpm_cert *c = &t->certs[t->n_certs];
		c->provider = strdup(prov);
		c->kind = strdup(kind);
		c->name = strdup(e->d_name);
		c->added = now;
		t->n_certs++;
		if (!c->provider || !c->kind || !c->name)
			r = ATT_ERR_NOMEM;
		else
			r = read_cert(&c->pem, path, d);
	}
	if (dh)
		closedir(dh);
	return r;
}

static int load_ca(struct tpm_dir *t, const char *dir, const char *prov,
		   int64_t now, struct att_diag *d)
{
	char kp[4096], cp[4096];
	int r = join(kp, sizeof(kp), dir, "aik-ca.key");
	if (r == 0)
		r = join(cp, sizeof(cp), dir, "aik-ca.crt");
	if (r || access(kp, F_OK) != 0)
		return r;
	char *blob = NULL;
	if ((r = att_file_read(&blob, &t->ca.wrapped_len, kp, 64 * 1024,
			       d)) != 0 ||
	    (r = att_file_read(&t->ca.cert_pem, NULL, cp, 64 * 1024, d)) != 0) {
		free(blob);
		return r;
	}
	t->ca.wrapped = (uint8_t *)blob;
	t->ca.provider = strdup(prov);
	t->ca.created = now;
	t->has_ca = true;
	return t->ca.provider ? 0 : ATT_ERR_NOMEM;
}

static char *str_member(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? strdup(v) : NULL;
}

static int load_record(struct tpm_dir *t, const char *path, const char *stem,
		       const char *prov, struct att_diag *d)
{
	char *text = NULL;
	size_t len = 0;
	int r = att_file_read(&text, &len, path, ATT_TPM_MAX_SETTINGS_LEN, d);
	if (r)
		return r;
	json_t *o = json_loadb(text, len, 0, NULL);
	free(text);
	if ((r = grow((void **)&t->enrol, &t->cap_enrol, t->n_enrol,
		      sizeof(*t->enrol))) == 0) {
		struct att_store_tpm_enrolment *e = &t->enrol[t->n_enrol++];
		e->provider = strdup(prov);
		e->aik_name = strdup(stem);
		e->ek_cert_sha256 = str_member(o, "ek_cert_sha256");
		e->aik_cert_sha256 = str_member(o, "aik_cert_sha256");
		json_t *at = json_object_get(o, "enrolled_at");
		e->enrolled_at = json_is_integer(at) ? json_integer_value(at)
						     : 0;
		if (!e->provider || !e->aik_name)
			r = ATT_ERR_NOMEM;
		else if (!json_is_object(o) || !e->aik_cert_sha256)
			r = att_diag_set(d, ATT_ERR_FORMAT,
					 "%s is not an enrolment record "
					 "(no aik_cert_sha256)",
					 path);
	}
	json_decref(o);
	return r;
}

static int load_enrolled(struct tpm_dir *t, const char *dir, const char *prov,
			 struct att_diag *d)
{
	char sub[4096], path[4200], stem[256];
	struct dirent *e;
	int r = join(sub, sizeof(sub), dir, "enrolled");
	DIR *dh = r ? NULL : opendir(sub);
	while (dh && r == 0 && (e = readdir(dh)) != NULL) {
		size_t l = strlen(e->d_name);
		if (!has_suffix(e->d_name, ".json") || l - 5 >= sizeof(stem))
			continue;
		memcpy(stem, e->d_name, l - 5);
		stem[l - 5] = 0;
		if ((r = join(path, sizeof(path), sub, e->d_name)) == 0)
			r = load_record(t, path, stem, prov, d);
	}
	if (dh)
		closedir(dh);
	return r;
}

static int load_dir(struct tpm_dir *t, const char *dir, const char *prov,
		    int64_t now, struct att_diag *d)
{
	char path[4096];
	static const char *const kinds[] = {"ek-roots", "ek-intermediates",
					    "aik-roots"};
	int r = join(path, sizeof(path), dir, "settings.json");
	if (r == 0 && access(path, F_OK) == 0)
		r = att_file_read(&t->settings, NULL, path,
				  ATT_TPM_MAX_SETTINGS_LEN, d);
	for (size_t i = 0; r == 0 && i < 3; i++)
		r = load_kind(t, dir, prov, kinds[i], now, d);
	if (r == 0)
		r = load_ca(t, dir, prov, now, d);
	if (r == 0)
		r = load_enrolled(t, dir, prov, d);
	return r;
}

/* move_away renames dir to <data_dir>/tpm.migrated/<prov> (or, when that
 * exists, <prov>.<now>). */
static int move_away(const char *data_dir, const char *dir, const char *prov,
		     int64_t now, struct att_diag *d)
{
	char to[4096], dst[4200];
	int r = join(to, sizeof(to), data_dir, "tpm.migrated");
	if (r == 0 && mkdir(to, 0700) != 0 && errno != EEXIST)
		r = ATT_ERR_IO;
	if (r == 0)
		r = join(dst, sizeof(dst), to, prov);
	if (r == 0 && access(dst, F_OK) == 0) {
		int n = snprintf(dst, sizeof(dst), "%s/%s.%lld", to, prov,
				 (long long)now);
		r = n < 0 || (size_t)n >= sizeof(dst) ? ATT_ERR_LIMIT : 0;
	}
	/* ENOENT: another process (a server starting, `attestd tpm trust`)
	 * imported and moved it at the same time: done. */
	if (r == 0 && rename(dir, dst) != 0 && errno != ENOENT)
		r = ATT_ERR_IO;
	return r ? att_diag_set(d, r,
				"tpm state of %s imported, but %s cannot be "
				"moved to %s/: %s",
				prov, dir, to, strerror(errno))
		 : 0;
}

static int import_one(struct att_store *st, const char *data_dir,
		      const char *dir, const char *prov, int64_t now,
		      struct att_diag *d)
{
	struct tpm_dir t = {0};
	int r = load_dir(&t, dir, prov, now, d);
	struct att_store_tpm_import imp = {.provider = prov,
					   .source = dir,
					   .settings_json = t.settings,
					   .certs = t.certs,
					   .n_certs = t.n_certs,
					   .ca = t.has_ca ? &t.ca : NULL,
					   .enrolments = t.enrol,
					   .n_enrolments = t.n_enrol,
					   .now = now};
	if (r == 0)
		r = att_store_tpm_import(st, &imp, d);
	if (r == 0)
		r = move_away(data_dir, dir, prov, now, d);
	else {
		char why[ATT_DIAG_LEN];
		snprintf(why, sizeof(why), "%s", att_diag_msg(d));
		r = att_diag_set(d, r, "cannot import the TPM state %s: %s",
				 dir, why);
	}
	if (r == 0)
		att_logf(ATT_LOG_INFO,
			 "tpm state of provider %s imported into the store "
			 "(%zu certificates, %s AIK CA, %zu enrolments); %s "
			 "moved to tpm.migrated/",
			 prov, t.n_certs, t.has_ca ? "an" : "no", t.n_enrol,
			 dir);
	tpm_dir_release(&t);
	return r;
}

/* is_provider: prov names a provider of the store. */
static bool is_provider(struct att_store *st, const char *prov)
{
	struct att_store_provider p = {0};
	struct att_diag d = {0};
	int r = att_store_provider_get(st, prov, &p, &d);
	att_store_provider_release(&p);
	return r == 0;
}

int att_tpm_state_import(struct att_store *st, const char *data_dir,
			 int64_t now, size_t *n, struct att_diag *d)
{
	char top[4096], dir[4200];
	struct dirent *e;
	struct stat sb;
	size_t done = 0;
	int r = join(top, sizeof(top), data_dir, "tpm");
	DIR *dh = r ? NULL : opendir(top);
	while (dh && r == 0 && (e = readdir(dh)) != NULL) {
		if (e->d_name[0] == '.' ||
		    (r = join(dir, sizeof(dir), top, e->d_name)) != 0 ||
		    stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		if (!is_provider(st, e->d_name)) {
			att_logf(ATT_LOG_WARN,
				 "%s: no provider %s in the store, its TPM "
				 "state is left where it is",
				 dir, e->d_name);
			continue;
		}
		if ((r = import_one(st, data_dir, dir, e->d_name, now, d)) == 0)
			done++;
	}
	if (dh)
		closedir(dh);
	if (r == 0 && done)
		rmdir(top); /* only when empty: nothing else is lost */
	if (n)
		*n = done;
	return r;
}
