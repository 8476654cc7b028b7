/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offline import of DCAP collateral (the library half of `attestd
 * collateral import`): files or directory trees of PCS responses (TCB
 * Info, QE Identity), CRLs (DER, PEM, hex), PEM issuer chains and
 * collateral bundles, and AMD KDS collateral for SEV-SNP (VCEK/VLEK
 * certificates, ASK/ASVK+ARK chains, ARK CRLs: collateral/kds.h), stored
 * under the keys the KDS cache looks up. Every file is recognised by content, never by
 * name. Everything is read and parsed first; only when the whole import
 * is well-formed are the items written to the store, so a bad file
 * leaves the store as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "collateral/items.h"
#include "collateral/kds.h"
#include "collateral/service.h"

struct imp_kds {
	struct att_kds_item it;
	char *source;
};

struct imp {
	struct att_colitem *items;
	size_t n, cap;
	size_t files, skipped;
	struct imp_kds *kds; /* AMD KDS items */
	size_t n_kds, cap_kds;
};

static void imp_release(struct imp *im)
{
	for (size_t i = 0; i < im->n; i++)
		att_colitem_release(&im->items[i]);
	free(im->items);
	for (size_t i = 0; i < im->n_kds; i++) {
		att_kds_item_release(&im->kds[i].it);
		free(im->kds[i].source);
	}
	free(im->kds);
	memset(im, 0, sizeof(*im));
}

/* Keeps one item per key: the one valid longest (a tie: the later). */
static int add_item(struct imp *im, struct att_colitem *it, struct att_diag *d)
{
	for (size_t i = 0; i < im->n; i++) {
		if (!att_colspec_same(&im->items[i].spec, &it->spec))
			continue;
		if (it->next_update >= im->items[i].next_update)
			att_colitem_move(&im->items[i], it);
		att_colitem_release(it);
		return 0;
	}
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 16;
		struct att_colitem *v;
		if (im->n >= ATT_COLLATERAL_IMPORT_MAX_ITEMS)
			return att_diag_set(d, ATT_ERR_LIMIT, "import: more than "
					    "%d distinct items",
					    ATT_COLLATERAL_IMPORT_MAX_ITEMS);
		if (!(v = realloc(im->items, cap * sizeof(*v))))
			return att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
		im->items = v;
		im->cap = cap;
	}
	memset(&im->items[im->n], 0, sizeof(im->items[0]));
	att_colitem_move(&im->items[im->n++], it);
	return 0;
}

/* Keeps one KDS item per key: the one valid longest (a tie: the later). */
static int add_kds(struct imp *im, struct att_kds_item *it, const char *path,
		   struct att_diag *d)
{
	char key[ATT_KDS_KEY_LEN], other[ATT_KDS_KEY_LEN];
	att_kds_item_key(&it->spec, key, sizeof(key));
	for (size_t i = 0; i < im->n_kds; i++) {
		att_kds_item_key(&im->kds[i].it.spec, other, sizeof(other));
		if (strcmp(key, other) != 0)
			continue;
		if (it->valid_until >= im->kds[i].it.valid_until) {
			att_kds_item_release(&im->kds[i].it);
			im->kds[i].it = *it;
			memset(it, 0, sizeof(*it));
		}
		att_kds_item_release(it);
		return 0;
	}
	if (im->n_kds == im->cap_kds) {
		size_t cap = im->cap_kds ? im->cap_kds * 2 : 16;
		struct imp_kds *v;
		if (im->n_kds >= ATT_COLLATERAL_IMPORT_MAX_ITEMS)
			return att_diag_set(d, ATT_ERR_LIMIT, "import: more than "
					    "%d distinct AMD items",
					    ATT_COLLATERAL_IMPORT_MAX_ITEMS);
		if (!(v = realloc(im->kds, cap * sizeof(*v))))
			return att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
		im->kds = v;
		im->cap_kds = cap;
	}
	struct imp_kds *k = &im->kds[im->n_kds];
	size_t n = strlen(path) + sizeof("import:");
	if (!(k->source = malloc(n)))
		return att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
	snprintf(k->source, n, "import:%s", path);
	k->it = *it;
	memset(it, 0, sizeof(*it));
	im->n_kds++;
	return 0;
}

static int import_bundle(struct imp *im, const char *path,
			 const uint8_t *data, size_t len, struct att_diag *d)
{
	struct att_colitem items[ATT_COLBUNDLE_MAX_ITEMS];
	struct att_diag bd = {0};
	size_t n = 0;
	int rc = att_colbundle_split(items, &n, data, len, &bd);
	if (rc)
		return att_diag_set(d, rc, "%s: %s", path, bd.msg);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 &&
		    (rc = att_colitem_set_source(&items[i], "import:%s", path)))
			att_diag_set(d, rc, "out of memory");
		if (rc == 0)
			rc = add_item(im, &items[i], d);
		att_colitem_release(&items[i]);
	}
	return rc;
}

static int import_data(struct imp *im, const char *path, const uint8_t *data,
		       size_t len, bool in_dir, struct att_diag *d)
{
	struct att_colitem it;
	struct att_diag cd = {0};
	int rc;
	if (att_colbundle_detect(data, len))
		return import_bundle(im, path, data, len, d);
	struct att_kds_item ki[2];
	rc = att_kds_classify(ki, data, len, &cd);
	if (rc < 0)
		return att_diag_set(d, rc, "%s: AMD collateral: %s", path,
				    att_diag_msg(&cd));
	if (rc > 0) {
		int n = rc;
		rc = 0;
		for (int i = 0; i < n; i++) {
			if (rc == 0)
				rc = add_kds(im, &ki[i], path, d);
			att_kds_item_release(&ki[i]);
		}
		return rc;
	}
	rc = att_colitem_classify(&it, data, len, &cd);
	if (rc == ATT_ERR_UNSUPPORTED && in_dir) {
		im->skipped++;
		att_logf(ATT_LOG_INFO, "collateral import: skipping %s: %s",
			 path, cd.msg);
		return 0;
	}
	if (rc == ATT_ERR_UNSUPPORTED)
		return att_diag_set(d, rc, "%s: not DCAP collateral: %s", path,
				    cd.msg);
	if (rc)
		return att_diag_set(d, rc, "%s: %s", path, att_diag_msg(&cd));
	if ((rc = att_colitem_set_source(&it, "import:%s", path)) != 0) {
		att_colitem_release(&it);
		return att_diag_set(d, rc, "out of memory");
	}
	rc = add_item(im, &it, d);
	att_colitem_release(&it);
	return rc;
}

static int read_all(const char *path, uint8_t **out, size_t *len,
		    struct att_diag *d)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, n = 0, k;
	uint8_t *buf = NULL;
	*out = NULL;
	if (!f)
		return att_diag_set(d, ATT_ERR_IO, "%s: %s", path,
				    strerror(errno));
	do {
		if (n == cap) {
			uint8_t *nb = cap > ATT_MAX_COLLATERAL_LEN ? NULL
				: realloc(buf, cap = cap ? cap * 2 : 16384);
			if (!nb) {
				free(buf);
				fclose(f);
				return att_diag_set(d, ATT_ERR_LIMIT, "%s: larger "
						    "than %d bytes", path,
						    ATT_MAX_COLLATERAL_LEN);
			}
			buf = nb;
		}
		k = fread(buf + n, 1, cap - n, f);
		n += k;
	} while (k > 0);
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

static int import_file(struct imp *im, const char *path, bool in_dir,
		       struct att_diag *d)
{
	uint8_t *data = NULL;
	size_t len = 0;
	if (++im->files > ATT_COLLATERAL_IMPORT_MAX_FILES)
		return att_diag_set(d, ATT_ERR_LIMIT, "import: more than %d "
				    "files", ATT_COLLATERAL_IMPORT_MAX_FILES);
	int rc = read_all(path, &data, &len, d);
	if (rc == 0)
		rc = import_data(im, path, data, len, in_dir, d);
	free(data);
	return rc;
}

static int no_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int walk(struct imp *im, const char *dir, int depth, struct att_diag *d)
{
	struct dirent **names = NULL;
	char path[4096];
	struct stat st;
	int rc = 0, n = scandir(dir, &names, no_dot, alphasort);
	if (n < 0)
		return att_diag_set(d, ATT_ERR_IO, "%s: %s", dir,
				    strerror(errno));
	for (int i = 0; i < n; i++) {
		int len = snprintf(path, sizeof(path), "%s/%s", dir,
				   names[i]->d_name);
		if (rc == 0 && (len < 0 || (size_t)len >= sizeof(path)))
			rc = att_diag_set(d, ATT_ERR_LIMIT, "%s/%s: path too "
					  "long", dir, names[i]->d_name);
		if (rc == 0 && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) &&
			    depth < ATT_COLLATERAL_IMPORT_MAX_DEPTH)
				rc = walk(im, path, depth + 1, d);
			else if (S_ISREG(st.st_mode))
				rc = import_file(im, path, true, d);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* An ARK's CRL covers the VCEK and the VLEK chains alike: it is stored
 * for both. */
static int store_kds(struct att_store *st, const struct imp *im, int64_t now,
		     struct att_collateral_import_report *rep,
		     struct att_diag *d)
{
	char what[160], t[32];
	for (size_t i = 0; i < im->n_kds; i++) {
		struct att_kds_item it = im->kds[i].it; /* shallow: spec only */
		int rc = att_kds_item_put(st, &it, now, im->kds[i].source, d);
		if (rc == 0 && it.spec.kind == ATT_KDS_ITEM_VCEK_CRL) {
			it.spec.kind = ATT_KDS_ITEM_VLEK_CRL;
			rc = att_kds_item_put(st, &it, now, im->kds[i].source, d);
			it.spec.kind = ATT_KDS_ITEM_VCEK_CRL;
		}
		if (rc)
			return rc;
		att_kds_item_what(&it.spec, what, sizeof(what));
		att_time_format(t, sizeof(t), it.valid_until);
		if (it.valid_until < now) {
			rep->expired++;
			att_logf(ATT_LOG_WARN, "collateral import: %s from %s "
				 "expired at %s (stored anyway)", what,
				 im->kds[i].source, t);
		} else {
			att_logf(ATT_LOG_INFO, "collateral import: %s from %s, "
				 "valid until %s", what, im->kds[i].source, t);
		}
		rep->items++;
	}
	return 0;
}

static int store_all(struct att_store *st, const struct imp *im, int64_t now,
		     struct att_collateral_import_report *rep,
		     struct att_diag *d)
{
	char what[ATT_COLITEM_WHAT_LEN], t[32];
	for (size_t i = 0; i < im->n; i++) {
		const struct att_colitem *it = &im->items[i];
		int rc = att_colitem_put(st, it, now, d);
		if (rc)
			return rc;
		att_colspec_what(&it->spec, what, sizeof(what));
		att_time_format(t, sizeof(t), it->next_update);
		if (it->next_update < now) {
			rep->expired++;
			att_logf(ATT_LOG_WARN, "collateral import: %s from %s "
				 "expired at %s (stored anyway)", what,
				 it->source, t);
		} else {
			att_logf(ATT_LOG_INFO, "collateral import: %s from %s, "
				 "valid until %s", what, it->source, t);
		}
		rep->items++;
	}
	return 0;
}

int att_collateral_import_path_ex(struct att_store *st,
				  const char *file_or_dir, int64_t now,
				  struct att_collateral_import_report *rep,
				  struct att_diag *d)
{
	struct att_collateral_import_report local;
	struct imp im = {0};
	struct stat sb;
	int rc;
	rep = rep ? rep : &local;
	memset(rep, 0, sizeof(*rep));
	if (!st || !file_or_dir)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "import: no store "
				    "or path");
	now = now ? now : att_time_now();
	if (stat(file_or_dir, &sb) != 0)
		return att_diag_set(d, ATT_ERR_IO, "%s: %s", file_or_dir,
				    strerror(errno));
	if (S_ISDIR(sb.st_mode))
		rc = walk(&im, file_or_dir, 1, d);
	else
		rc = import_file(&im, file_or_dir, false, d);
	if (rc == 0 && im.n == 0 && im.n_kds == 0)
		rc = att_diag_set(d, ATT_ERR_NOT_FOUND, "%s: no DCAP collateral "
				  "found", file_or_dir);
	rep->files = im.files;
	rep->skipped = im.skipped;
	if (rc == 0)
		rc = store_all(st, &im, now, rep, d);
	if (rc == 0)
		rc = store_kds(st, &im, now, rep, d);
	imp_release(&im);
	return rc;
}

int att_collateral_import_path(struct att_store *st, const char *file_or_dir,
			       struct att_diag *d)
{
	return att_collateral_import_path_ex(st, file_or_dir, 0, NULL, d);
}
