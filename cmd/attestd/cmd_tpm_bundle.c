/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd tpm trust NAME --bundle BUNDLE: trust a shipped set of TPM
 * manufacturer certificates (docs/tpm.md "Vendor EK certificates"). The
 * bundle "vendors" is share/attestd/tpm-vendors/ (in the source tree
 * data/tpm-vendors/, PROVENANCE.md there): roots/ (*.pem) become the
 * provider's ek-roots, intermediates/ (*.pem) its ek-intermediates. The
 * directory is looked for in $ATTESTD_SHARE_DIR, then beside the
 * executable (../share/attestd, installed; ../data, a build tree inside
 * the source tree). Opt-in: nothing is trusted until this is run.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/limits.h"
#include "crypto/cert.h"
#include "server/datadir.h"
#include "store/store.h"

int att_tpm_bundle_add(struct att_store *st, const char *provider,
		       const char *bundle);

#define BUNDLE_PATH_CAP 4096

static bool is_dir(const char *p)
{
	struct stat s;
	return stat(p, &s) == 0 && S_ISDIR(s.st_mode);
}

/* bundle_dir finds share/attestd/tpm-BUNDLE. */
static int bundle_dir(char out[BUNDLE_PATH_CAP], const char *bundle)
{
	char exe[BUNDLE_PATH_CAP];
	const char *env = getenv("ATTESTD_SHARE_DIR");
	int n;
	if (env && *env) {
		n = snprintf(out, BUNDLE_PATH_CAP, "%s/tpm-%s", env, bundle);
		if (n > 0 && n < BUNDLE_PATH_CAP && is_dir(out))
			return 0;
	}
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return ATT_ERR_NOT_FOUND;
	exe[len] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	static const char *const rel[] = {"../share/attestd", "../data"};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		n = snprintf(out, BUNDLE_PATH_CAP, "%s/%s/tpm-%s", exe, rel[i],
			     bundle);
		if (n > 0 && n < BUNDLE_PATH_CAP && is_dir(out))
			return 0;
	}
	return ATT_ERR_NOT_FOUND;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* add_one stores the certificate of FILE as KIND; *added counts new ones
 * (one trusted already is not an error). */
static int add_one(struct att_store *st, const char *provider,
		   const char *kind, const char *file, int *added)
{
	struct att_diag d = {0};
	struct att_cert *c = NULL;
	char *text = NULL, *pem = NULL, tp[41], rel[48];
	size_t len = 0;
	int r = att_file_read(&text, &len, file, ATT_MAX_CERT_LEN * 4, &d);
	if (r == 0 && (r = att_cert_from_pem(&c, text, len)) != 0)
		att_diag_set(&d, r, "not a PEM certificate");
	if (r == 0)
		r = att_cert_thumbprint_sha1(tp, c);
	if (r == 0)
		r = att_cert_to_pem(&pem, c);
	if (r == 0) {
		snprintf(rel, sizeof(rel), "%s.pem", tp);
		struct att_store_tpm_cert row = {.provider = (char *)provider,
						 .kind = (char *)kind,
						 .name = rel,
						 .pem = pem,
						 .added = (int64_t)time(NULL)};
		r = att_store_tpm_cert_add(st, &row, &d);
		if (r == 0)
			(*added)++;
		else if (r == ATT_ERR_EXISTS)
			r = 0;
	}
	if (r)
		fprintf(stderr, "attestd tpm trust: %s: %s\n", file,
			d.msg[0] ? att_diag_msg(&d) : att_strerror(r));
	att_cert_free(c);
	free(text);
	free(pem);
	return r;
}

/* add_kind adds every .pem file of DIR/SUB as KIND, in name order; *total
 * counts the files. */
static int add_kind(struct att_store *st, const char *provider,
		    const char *dir, const char *sub, const char *kind,
		    int *total, int *added)
{
	char path[BUNDLE_PATH_CAP], file[BUNDLE_PATH_CAP];
	char *names[ATT_TPM_BUNDLE_MAX_FILES];
	size_t n = 0;
	int r = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	DIR *dh = opendir(path);
	if (!dh) {
		fprintf(stderr, "attestd tpm trust: bundle directory %s "
				"missing\n",
			path);
		return ATT_ERR_NOT_FOUND;
	}
	struct dirent *e;
	while ((e = readdir(dh)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".pem"))
			continue;
		if (n == ATT_TPM_BUNDLE_MAX_FILES || !(names[n] = strdup(e->d_name))) {
			r = ATT_ERR_LIMIT;
			break;
		}
		n++;
	}
	closedir(dh);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; r == 0 && i < n; i++) {
		int k = snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		if (k < 0 || k >= (int)sizeof(file))
			r = ATT_ERR_LIMIT;
		else if ((r = add_one(st, provider, kind, file, added)) == 0)
			(*total)++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	if (r == ATT_ERR_LIMIT)
		fprintf(stderr, "attestd tpm trust: %s: more than %d files or "
				"a path too long\n",
			path, ATT_TPM_BUNDLE_MAX_FILES);
	return r;
}

int att_tpm_bundle_add(struct att_store *st, const char *provider,
		       const char *bundle)
{
	char dir[BUNDLE_PATH_CAP];
	int roots = 0, inter = 0, added = 0;
	for (const char *p = bundle; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-')) {
			fprintf(stderr, "attestd tpm trust: bad bundle name "
					"'%s' (known: vendors)\n",
				bundle);
			return 1;
		}
	if (!*bundle || bundle_dir(dir, bundle) != 0) {
		fprintf(stderr,
			"attestd tpm trust: no bundle '%s' (looked for "
			"tpm-%s in $ATTESTD_SHARE_DIR, ../share/attestd and "
			"../data beside attestd)\n",
			bundle, bundle);
		return 1;
	}
	if (add_kind(st, provider, dir, "roots", "ek-roots", &roots, &added) ||
	    add_kind(st, provider, dir, "intermediates", "ek-intermediates",
		     &inter, &added))
		return 1;
	printf("bundle %s (%s): %d EK roots and %d EK intermediates trusted "
	       "for provider %s (%d newly added)\n",
	       bundle, dir, roots, inter, provider, added);
	return 0;
}
