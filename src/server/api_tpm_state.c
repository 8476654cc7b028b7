/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A provider's TPM state (api_tpm.h): settings, trust anchors read from
 * PEM directories, the AIK CA (created on first use, its key wrapped
 * with the data dir's master key), enrolment records, the context
 * sealing key, and the replay cache of used context ids. The cache is
 * process memory: contexts issued before this process's first TPM
 * request are refused (att_tpm_service_start), so a restart cannot be
 * used to replay a context.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/buf.h"
#include "codec/hex.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "crypto/tpmctx.h"
#include "server/api_tpm.h"
#include "server/datadir.h"
#include "server/provider.h"
#include "server/server.h"

int att_tpm_path(char *out, size_t cap, const char *data_dir,
		 const char *provider, const char *name)
{
	int n = snprintf(out, cap, "%s/tpm/%s%s%s", data_dir, provider,
			 name ? "/" : "", name ? name : "");
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : 0;
}

static int get_bool(json_t *o, const char *k, bool *v, struct att_diag *d)
{
	json_t *x = json_object_get(o, k);
	if (!x)
		return 0;
	if (!json_is_boolean(x))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "tpm settings: \"%s\" must be a boolean",
				    k);
	*v = json_is_true(x);
	return 0;
}

static int get_int(json_t *o, const char *k, int64_t lo, int64_t hi, int64_t *v,
		   struct att_diag *d)
{
	json_t *x = json_object_get(o, k);
	if (!x)
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < lo ||
	    json_integer_value(x) > hi)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "tpm settings: \"%s\" must be an integer "
				    "in [%lld, %lld]",
				    k, (long long)lo, (long long)hi);
	*v = json_integer_value(x);
	return 0;
}

static int settings_parse(struct att_tpm_settings *s, json_t *o,
			  struct att_diag *d)
{
	int64_t days = s->aik_cert_days;
	const char *k;
	json_t *v;
	int r;
	json_object_foreach(o, k, v)
	{
		if (strcmp(k, "require_bearer") &&
		    strcmp(k, "allow_ek_without_cert") &&
		    strcmp(k, "context_ttl_seconds") &&
		    strcmp(k, "aik_cert_days"))
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "tpm settings: unknown member "
					    "\"%.32s\"",
					    k);
	}
	if ((r = get_bool(o, "require_bearer", &s->require_bearer, d)) ||
	    (r = get_bool(o, "allow_ek_without_cert", &s->allow_ek_without_cert,
			  d)) ||
	    (r = get_int(o, "context_ttl_seconds", 1, ATT_TPM_CONTEXT_TTL_MAX,
			 &s->context_ttl, d)) ||
	    (r = get_int(o, "aik_cert_days", 1, 36500, &days, d)))
		return r;
	s->aik_cert_days = (int)days;
	return 0;
}

int att_tpm_settings_load(struct att_tpm_settings *s, const char *data_dir,
			  const char *provider, struct att_diag *d)
{
	char path[1024], *text = NULL;
	size_t len = 0;
	s->require_bearer = true;
	s->allow_ek_without_cert = false;
	s->context_ttl = ATT_TPM_CONTEXT_TTL_DEFAULT;
	s->aik_cert_days = ATT_TPM_AIK_CERT_DAYS_DEFAULT;
	int r = att_tpm_path(path, sizeof(path), data_dir, provider,
			     "settings.json");
	if (r || access(path, F_OK) != 0)
		return r;
	if ((r = att_file_read(&text, &len, path, ATT_TPM_MAX_SETTINGS_LEN,
			       d)) != 0)
		return r;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	if (!json_is_object(o))
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "tpm settings: %s is not a JSON object", path);
	else
		r = settings_parse(s, o, d);
	json_decref(o);
	return r;
}

static bool pem_name(const char *n)
{
	size_t l = strlen(n);
	return n[0] != '.' && l > 4 &&
	       (!strcmp(n + l - 4, ".pem") || !strcmp(n + l - 4, ".crt") ||
		!strcmp(n + l - 4, ".cer"));
}

static int append_file(struct att_buf *b, const char *dir, const char *name,
		       struct att_diag *d)
{
	char path[1200], *text = NULL;
	size_t len = 0;
	int r;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return ATT_ERR_LIMIT;
	if ((r = att_file_read(&text, &len, path, ATT_TPM_MAX_TRUST_PEM, d)) !=
	    0)
		return r;
	if (!memmem(text, len, "-----BEGIN", 10)) {
		/* A DER certificate (vendors publish roots as .cer/.crt). */
		struct att_cert *c = NULL;
		char *pem = NULL;
		if (att_cert_from_der(&c, (const uint8_t *)text, len) == 0 &&
		    att_cert_to_pem(&pem, c) == 0) {
			free(text);
			text = pem;
			len = strlen(pem);
		}
		att_cert_free(c);
	}
	r = att_buf_add(b, text, len);
	if (r == 0)
		r = att_buf_adds(b, "\n");
	free(text);
	return r;
}

int att_tpm_read_pems(char **out, size_t *len, const char *data_dir,
		      const char *provider, const char *sub, struct att_diag *d)
{
	char dir[1024];
	struct att_buf b;
	struct dirent *e;
	int r = att_tpm_path(dir, sizeof(dir), data_dir, provider, sub);
	*out = NULL;
	*len = 0;
	if (r)
		return r;
	DIR *dh = opendir(dir);
	if (!dh)
		return 0;
	att_buf_init(&b, ATT_TPM_MAX_TRUST_PEM);
	while (r == 0 && (e = readdir(dh)) != NULL)
		if (pem_name(e->d_name))
			r = append_file(&b, dir, e->d_name, d);
	closedir(dh);
	if (r) {
		att_buf_release(&b);
		return att_diag_set(d, r, "cannot read the PEM files of %s",
				    dir);
	}
	*out = (char *)att_buf_detach(&b, len);
	return 0;
}

static int mkdirs(const char *data_dir, const char *provider, const char *sub)
{
	char p[1024];
	int n = snprintf(p, sizeof(p), "%s/tpm", data_dir);
	if (n < 0 || (size_t)n >= sizeof(p))
		return ATT_ERR_LIMIT;
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		return ATT_ERR_IO;
	if (att_tpm_path(p, sizeof(p), data_dir, provider, NULL) ||
	    (mkdir(p, 0700) != 0 && errno != EEXIST))
		return ATT_ERR_IO;
	if (sub && (att_tpm_path(p, sizeof(p), data_dir, provider, sub) ||
		    (mkdir(p, 0700) != 0 && errno != EEXIST)))
		return ATT_ERR_IO;
	return 0;
}

/* write_replace writes data to path through a temporary file. */
static int write_replace(const char *path, const void *data, size_t len,
			 struct att_diag *d)
{
	char tmp[1100];
	uint8_t rnd[8];
	char hx[17];
	if (att_rand_bytes(rnd, sizeof(rnd)))
		return ATT_ERR_CRYPTO;
	att_hex_encode(hx, sizeof(hx), rnd, sizeof(rnd), false);
	if (snprintf(tmp, sizeof(tmp), "%s.%s.tmp", path, hx) >=
	    (int)sizeof(tmp))
		return ATT_ERR_LIMIT;
	int r = att_file_write(tmp, data, len, 0600, d);
	if (r == 0 && rename(tmp, path) != 0) {
		unlink(tmp);
		r = att_diag_set(d, ATT_ERR_IO, "cannot write %s", path);
	}
	return r;
}

/* ---- the AIK CA --------------------------------------------------- */

static pthread_mutex_t ca_mu = PTHREAD_MUTEX_INITIALIZER;

static int ca_aad(char *out, size_t cap, const char *provider)
{
	int n = snprintf(out, cap, "attestd-tpm-aik-ca/%s", provider);
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : n;
}

static int ca_load(struct att_tpmca **out, struct att_req *req, const char *kp,
		   const char *cp, struct att_diag *d)
{
	char *blob = NULL, *cert = NULL, aad[128];
	uint8_t *key = NULL;
	size_t blob_len = 0, cert_len = 0, key_len = 0;
	int n = ca_aad(aad, sizeof(aad), req->prov->name);
	int r = n < 0 ? n : 0;
	if (r == 0)
		r = att_file_read(&blob, &blob_len, kp, 64 * 1024, d);
	if (r == 0)
		r = att_file_read(&cert, &cert_len, cp, 64 * 1024, d);
	if (r == 0 && (r = att_keywrap_unwrap(
			   &key, &key_len, req->srv->master, aad, (size_t)n,
			   (const uint8_t *)blob, blob_len)) != 0)
		r = att_diag_set(d, r, "AIK CA key %s does not unwrap", kp);
	if (r == 0 && (r = att_tpmca_import(out, (const char *)key, key_len,
					    cert, cert_len)) != 0)
		r = att_diag_set(d, r, "AIK CA files of %s are invalid",
				 req->prov->name);
	if (key) {
		att_keywrap_wipe(key, key_len);
		free(key);
	}
	free(blob);
	free(cert);
	return r;
}

static int ca_create(struct att_tpmca **out, struct att_req *req,
		     const char *kp, const char *cp, struct att_diag *d)
{
	struct att_tpmca *ca = NULL;
	char *key = NULL, *cert = NULL, aad[128];
	uint8_t *blob = NULL;
	size_t key_len = 0, blob_len = 0;
	int n = ca_aad(aad, sizeof(aad), req->prov->name);
	int r =
	    n < 0 ? n : mkdirs(req->srv->cfg->data_dir, req->prov->name, NULL);
	if (r == 0)
		r = att_tpmca_generate(&ca, req->prov->name, req->now,
				       ATT_TPM_AIK_CA_DAYS);
	if (r == 0)
		r = att_tpmca_export(ca, &key, &key_len, &cert);
	if (r == 0)
		r = att_keywrap_wrap(&blob, &blob_len, req->srv->master, aad,
				     (size_t)n, key, key_len);
	if (r == 0)
		r = att_file_write(kp, blob, blob_len, 0600, d);
	if (r == 0)
		r = att_file_write(cp, cert, strlen(cert), 0600, d);
	if (r) {
		att_tpmca_free(ca);
		ca = NULL;
		r = att_diag_set(d, r, "cannot create the AIK CA of %s",
				 req->prov->name);
	}
	if (key) {
		att_keywrap_wipe(key, key_len);
		free(key);
	}
	free(cert);
	free(blob);
	*out = ca;
	return r;
}

int att_tpm_aik_ca(struct att_tpmca **out, struct att_req *req, bool create,
		   struct att_diag *d)
{
	char kp[1024], cp[1024];
	const char *dd = req->srv->cfg->data_dir;
	int r;
	*out = NULL;
	if ((r = att_tpm_path(kp, sizeof(kp), dd, req->prov->name,
			      "aik-ca.key")) ||
	    (r = att_tpm_path(cp, sizeof(cp), dd, req->prov->name,
			      "aik-ca.crt")))
		return r;
	pthread_mutex_lock(&ca_mu);
	if (access(kp, F_OK) == 0)
		r = ca_load(out, req, kp, cp, d);
	else if (create)
		r = ca_create(out, req, kp, cp, d);
	else
		r = ATT_ERR_NOT_FOUND;
	pthread_mutex_unlock(&ca_mu);
	return r;
}

int att_tpm_aik_ca_cert(char **pem, size_t *len, struct att_req *req,
			struct att_diag *d)
{
	char kp[1024], cp[1024];
	const char *dd = req->srv->cfg->data_dir;
	int r;
	*pem = NULL;
	*len = 0;
	if ((r = att_tpm_path(kp, sizeof(kp), dd, req->prov->name,
			      "aik-ca.key")) ||
	    (r = att_tpm_path(cp, sizeof(cp), dd, req->prov->name,
			      "aik-ca.crt")))
		return r;
	/* Under ca_mu: ca_create writes the key, then the certificate. */
	pthread_mutex_lock(&ca_mu);
	if (access(kp, F_OK) == 0)
		r = att_file_read(pem, len, cp, 64 * 1024, d);
	else
		r = ATT_ERR_NOT_FOUND;
	pthread_mutex_unlock(&ca_mu);
	return r;
}

/* ---- enrolment records -------------------------------------------- */

static int record_path(char *out, size_t cap, struct att_req *req,
		       const uint8_t *name, size_t name_len)
{
	char hx[2 * 68 + 1], rel[200];
	if (name_len == 0 || name_len > 68)
		return ATT_ERR_INVALID_ARG;
	att_hex_encode(hx, sizeof(hx), name, name_len, false);
	snprintf(rel, sizeof(rel), "enrolled/%s.json", hx);
	return att_tpm_path(out, cap, req->srv->cfg->data_dir, req->prov->name,
			    rel);
}

int att_tpm_enrol_record(struct att_req *req, const uint8_t *name,
			 size_t name_len, const uint8_t *ek_cert_sha256,
			 const uint8_t *aik_cert, size_t aik_cert_len,
			 struct att_diag *d)
{
	char path[1200], nh[2 * 68 + 1], eh[65] = "", ch[65];
	uint8_t cs[32];
	int r = record_path(path, sizeof(path), req, name, name_len);
	if (r || (r = mkdirs(req->srv->cfg->data_dir, req->prov->name,
			     "enrolled")) != 0)
		return att_diag_set(d, r ? r : ATT_ERR_IO,
				    "cannot record the enrolment");
	att_hex_encode(nh, sizeof(nh), name, name_len, false);
	if (ek_cert_sha256)
		att_hex_encode(eh, sizeof(eh), ek_cert_sha256, 32, false);
	att_sha256(cs, aik_cert, aik_cert_len);
	att_hex_encode(ch, sizeof(ch), cs, 32, false);
	json_t *o =
	    json_pack("{s:s, s:s?, s:s, s:I}", "aik_name", nh, "ek_cert_sha256",
		      ek_cert_sha256 ? eh : NULL, "aik_cert_sha256", ch,
		      "enrolled_at", (json_int_t)req->now);
	char *text =
	    o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	r = text ? write_replace(path, text, strlen(text), d) : ATT_ERR_NOMEM;
	free(text);
	json_decref(o);
	return r;
}

bool att_tpm_enrolled(struct att_req *req, const uint8_t *name, size_t name_len)
{
	char path[1200];
	return record_path(path, sizeof(path), req, name, name_len) == 0 &&
	       access(path, F_OK) == 0;
}

/* ---- context key and replay cache ---------------------------------- */

int att_tpm_ctx_key(struct att_tpmctx_key *k, struct att_req *req)
{
	return att_tpmctx_key_derive(k, req->srv->master, req->prov->name);
}

struct used_slot {
	uint8_t key[32]; /* SHA-256(provider || 0 || id) */
	int64_t exp;	 /* 0: free */
};

static pthread_mutex_t used_mu = PTHREAD_MUTEX_INITIALIZER;
static struct used_slot *used;
static size_t used_n;
static int64_t service_start;

int64_t att_tpm_service_start(int64_t now)
{
	pthread_mutex_lock(&used_mu);
	if (!service_start)
		service_start = now;
	int64_t s = service_start;
	pthread_mutex_unlock(&used_mu);
	return s;
}

static size_t slot_of(const uint8_t key[32])
{
	return ((size_t)key[0] | (size_t)key[1] << 8 | (size_t)key[2] << 16) %
	       ATT_TPM_REPLAY_CACHE_SLOTS;
}

static void place(const struct used_slot *e)
{
	size_t h = slot_of(e->key);
	for (size_t i = 0;; i++) {
		struct used_slot *s =
		    &used[(h + i) % ATT_TPM_REPLAY_CACHE_SLOTS];
		if (!s->exp) {
			*s = *e;
			used_n++;
			return;
		}
	}
}

/* purge drops expired ids and re-places the others, so that no probe
 * chain is left with a hole. */
static int purge(int64_t now)
{
	struct used_slot *live = malloc((used_n + 1) * sizeof(*live));
	size_t n = 0;
	if (!live)
		return ATT_ERR_NOMEM;
	for (size_t i = 0; i < ATT_TPM_REPLAY_CACHE_SLOTS; i++)
		if (used[i].exp && used[i].exp >= now)
			live[n++] = used[i];
	memset(used, 0, ATT_TPM_REPLAY_CACHE_SLOTS * sizeof(*used));
	used_n = 0;
	for (size_t i = 0; i < n; i++)
		place(&live[i]);
	free(live);
	return 0;
}

/* insert: linear probing, never deleting in place (see purge). */
static int insert(const uint8_t key[32], int64_t exp, int64_t now)
{
	size_t h = slot_of(key);
	int r;
	for (size_t i = 0; i < ATT_TPM_REPLAY_CACHE_SLOTS; i++) {
		struct used_slot *s =
		    &used[(h + i) % ATT_TPM_REPLAY_CACHE_SLOTS];
		if (!s->exp)
			break;
		if (!memcmp(s->key, key, 32))
			return ATT_ERR_REPLAY;
	}
	if (used_n * 4 >= ATT_TPM_REPLAY_CACHE_SLOTS * 3) {
		if ((r = purge(now)) != 0)
			return r;
		if (used_n * 4 >= ATT_TPM_REPLAY_CACHE_SLOTS * 3)
			return ATT_ERR_LIMIT;
	}
	struct used_slot e = {.exp = exp};
	memcpy(e.key, key, 32);
	place(&e);
	return 0;
}

int att_tpm_replay_mark(const char *provider, const uint8_t *id, int64_t exp,
			int64_t now)
{
	struct att_buf b;
	uint8_t key[32];
	int r;
	att_buf_init(&b, 256);
	if ((r = att_buf_adds(&b, provider)) || (r = att_buf_add(&b, "", 1)) ||
	    (r = att_buf_add(&b, id, ATT_TPMCTX_ID_LEN)))
		return r;
	att_sha256(key, b.data, b.len);
	att_buf_release(&b);
	if (exp < 1)
		exp = 1;
	pthread_mutex_lock(&used_mu);
	if (!used &&
	    !(used = calloc(ATT_TPM_REPLAY_CACHE_SLOTS, sizeof(*used))))
		r = ATT_ERR_NOMEM;
	else
		r = insert(key, exp, now);
	pthread_mutex_unlock(&used_mu);
	return r;
}
