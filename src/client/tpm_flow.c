/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flows A and B of the TPM protocol, client side (tpm_flow.h): messages
 * through evidence/tpm/proto.h, the TPM through tpm_dev.h, HTTPS through
 * net/http.h, the request JWS through token/jws.h.
 */
#include "client/tpm_flow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "client/tpm_dev.h"
#include "codec/b64.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "evidence/tpm/proto.h"
#include "evidence/tpm/tpm_alg.h"
#include "net/http.h"
#include "token/jwks.h"
#include "token/jws.h"

/* ---- state files ---------------------------------------------------- */

static int state_path(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : 0;
}

static int read_file(const char *path, size_t max, uint8_t **out, size_t *len,
		     struct att_diag *d)
{
	struct att_buf b;
	uint8_t chunk[8192];
	size_t n;
	int r = 0;
	*out = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return att_diag_set(d, ATT_ERR_IO, "cannot read %s: %s", path,
				    strerror(errno));
	att_buf_init(&b, max);
	while (r == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		r = att_buf_add(&b, chunk, n);
	if (r == 0 && ferror(f))
		r = ATT_ERR_IO;
	fclose(f);
	if (r) {
		att_buf_release(&b);
		return att_diag_set(d, r, "cannot read %s (over %zu bytes?)",
				    path, max);
	}
	*out = att_buf_detach(&b, len);
	if (!*out)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s is empty", path);
	return 0;
}

static int write_file(const char *path, const void *data, size_t len,
		      struct att_diag *d)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return att_diag_set(d, ATT_ERR_IO, "cannot write %s: %s", path,
				    strerror(errno));
	const uint8_t *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w <= 0) {
			close(fd);
			return att_diag_set(d, ATT_ERR_IO, "cannot write %s",
					    path);
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd) == 0
		   ? 0
		   : att_diag_set(d, ATT_ERR_IO, "cannot write %s", path);
}

static int state_write(const char *dir, const char *name, const void *data,
		       size_t len, struct att_diag *d)
{
	char p[1024];
	int r = state_path(p, sizeof(p), dir, name);
	return r ? r : write_file(p, data, len, d);
}

static int state_read(const char *dir, const char *name, uint8_t **out,
		      size_t *len, struct att_diag *d)
{
	char p[1024];
	int r = state_path(p, sizeof(p), dir, name);
	return r ? r : read_file(p, ATT_MAX_CERT_LEN, out, len, d);
}

static bool state_has(const char *dir, const char *name)
{
	char p[1024];
	return state_path(p, sizeof(p), dir, name) == 0 && access(p, F_OK) == 0;
}

/* ---- HTTP ----------------------------------------------------------- */

static int post(const struct att_tpm_client_opts *o, const char *body,
		struct att_tpmproto_resp *resp, struct att_diag *d)
{
	char url[2048];
	struct att_buf b;
	long status = 0;
	size_t ul = strlen(o->url);
	while (ul && o->url[ul - 1] == '/')
		ul--;
	if (snprintf(url, sizeof(url), "%.*s/attest/Tpm?api-version=%s",
		     (int)ul, o->url, ATT_TPM_API_VERSION) >= (int)sizeof(url))
		return att_diag_set(d, ATT_ERR_LIMIT, "URL too long");
	att_buf_init(&b, ATT_MAX_HTTP_BODY);
	int r = att_http_post(&b, &status, url, &o->http, "application/json",
			      body, strlen(body), d);
	if (r == 0 && status != 200) {
		json_t *j = json_loadb((const char *)b.data, b.len, 0, NULL);
		json_t *e = json_object_get(j, "error");
		const char *code =
		    json_string_value(json_object_get(e, "code"));
		const char *msg =
		    json_string_value(json_object_get(e, "message"));
		r = att_diag_set(d, ATT_ERR_NETWORK, "HTTP %ld: %s: %s", status,
				 code ? code : "error",
				 msg ? msg : att_buf_cstr(&b));
		json_decref(j);
	}
	if (r == 0)
		r = att_tpmproto_decode_resp(resp, b.data, b.len, d);
	att_buf_release(&b);
	return r;
}

/* ---- flow A --------------------------------------------------------- */

struct ekinfo {
	uint8_t *pub, *cert, *aik_pub, *aik_priv;
	size_t pub_len, cert_len, aik_pub_len, aik_priv_len;
};

static void ekinfo_release(struct ekinfo *e)
{
	free(e->pub);
	free(e->cert);
	free(e->aik_pub);
	free(e->aik_priv);
}

/* prepare loads the EK and makes (and saves) a new AIK. */
static int prepare(struct att_tpmdev *t, const struct att_tpm_client_opts *o,
		   struct ekinfo *e, struct att_diag *d)
{
	struct att_tpmdev_aik_opts ao = {.ecc = o->aik_ecc,
					 .unrestricted = o->aik_unrestricted};
	const char *sd = o->state_dir;
	int r;
	if (mkdir(sd, 0700) != 0 && errno != EEXIST)
		return att_diag_set(d, ATT_ERR_IO, "cannot create %s: %s", sd,
				    strerror(errno));
	if ((r = att_tpmdev_ek(t, &e->pub, &e->pub_len, &e->cert, &e->cert_len,
			       d)) ||
	    (r = state_write(sd, ATT_TPM_STATE_EK_PUB, e->pub, e->pub_len, d)))
		return r;
	if (e->cert && (r = state_write(sd, ATT_TPM_STATE_EK_CERT, e->cert,
					e->cert_len, d)))
		return r;
	if ((r = att_tpmdev_aik_create(t, &ao, &e->aik_pub, &e->aik_pub_len,
				       &e->aik_priv, &e->aik_priv_len, d)) ||
	    (r = state_write(sd, ATT_TPM_STATE_AIK_PUB, e->aik_pub,
			     e->aik_pub_len, d)) ||
	    (r = state_write(sd, ATT_TPM_STATE_AIK_PRIV, e->aik_priv,
			     e->aik_priv_len, d)))
		return r;
	char crt[1024];
	if (state_path(crt, sizeof(crt), sd, ATT_TPM_STATE_AIK_CERT) == 0)
		unlink(crt); /* the old certificate is not this AIK's */
	return att_tpmdev_aik_load(t, e->aik_pub, e->aik_pub_len, e->aik_priv,
				   e->aik_priv_len, d);
}

static int activate(struct att_tpmdev *t, const struct att_tpm_client_opts *o,
		    const struct att_tpmproto_resp *c, struct att_diag *d)
{
	struct att_tpmproto_resp cert = {0};
	uint8_t secret[ATT_TPMPROTO_MAX_SECRET_LEN];
	size_t secret_len = 0;
	char *body = NULL;
	if (!c->credential_blob.p || !c->encrypted_secret.p ||
	    !c->service_context)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "the service's answer to aikenroll lacks "
				    "the credential");
	int r =
	    att_tpmdev_activate(t, c->credential_blob.p, c->credential_blob.len,
				c->encrypted_secret.p, c->encrypted_secret.len,
				secret, sizeof(secret), &secret_len, d);
	if (r == 0)
		r = att_tpmproto_enc_activate(&body, secret, secret_len,
					      c->service_context);
	att_cleanse(secret, sizeof(secret));
	if (r == 0)
		r = post(o, body, &cert, d);
	if (r == 0 && !cert.aik_cert.p)
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "the service did not return an AIK "
				 "certificate");
	if (r == 0)
		r = state_write(o->state_dir, ATT_TPM_STATE_AIK_CERT,
				cert.aik_cert.p, cert.aik_cert.len, d);
	att_tpmproto_resp_release(&cert);
	free(body);
	return r;
}

int att_tpm_client_enroll(const struct att_tpm_client_opts *o,
			  struct att_diag *d)
{
	struct att_tpmdev *t = NULL;
	struct ekinfo e = {0};
	struct att_tpmproto_resp c = {0};
	char *body = NULL;
	int r = att_tpmdev_open(&t, o->tcti, d);
	if (r == 0)
		r = prepare(t, o, &e, d);
	if (r == 0)
		r = att_tpmproto_enc_enroll(&body, e.pub, e.pub_len, e.cert,
					    e.cert_len, e.aik_pub,
					    e.aik_pub_len);
	if (r == 0)
		r = post(o, body, &c, d);
	if (r == 0)
		r = activate(t, o, &c, d);
	att_tpmproto_resp_release(&c);
	ekinfo_release(&e);
	free(body);
	att_tpmdev_close(t);
	return r;
}

/* ---- flow B --------------------------------------------------------- */

struct attest_state {
	struct att_tpmdev *t;
	struct att_tpmproto_attreq a;
	struct att_tpmproto_resp ch;
	struct att_pkey *key;
	uint8_t *aik_priv;
	size_t aik_priv_len;
};

/* load_aik loads the enrolled AIK and puts its certificate (or public
 * area) into the request. */
static int load_aik(struct attest_state *s, const struct att_tpm_client_opts *o,
		    struct att_diag *d)
{
	uint8_t *ek = NULL, *ekc = NULL;
	size_t ek_len = 0, ekc_len = 0;
	const char *sd = o->state_dir;
	int r;
	if ((r = state_read(sd, ATT_TPM_STATE_AIK_PUB, &s->a.aik_pub.p,
			    &s->a.aik_pub.len, d)) ||
	    (r = state_read(sd, ATT_TPM_STATE_AIK_PRIV, &s->aik_priv,
			    &s->aik_priv_len, d)))
		return r;
	if (!o->send_aik_pub && !state_has(sd, ATT_TPM_STATE_AIK_CERT))
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "%s has no AIK certificate: run `attest "
				    "tpm enroll` first",
				    sd);
	if ((r = att_tpmdev_ek(s->t, &ek, &ek_len, &ekc, &ekc_len, d)) == 0)
		r = att_tpmdev_aik_load(s->t, s->a.aik_pub.p, s->a.aik_pub.len,
					s->aik_priv, s->aik_priv_len, d);
	free(ek);
	free(ekc);
	if (r || o->send_aik_pub)
		return r;
	free(s->a.aik_pub.p);
	s->a.aik_pub.p = NULL;
	s->a.aik_pub.len = 0;
	return state_read(sd, ATT_TPM_STATE_AIK_CERT, &s->a.aik_cert.p,
			  &s->a.aik_cert.len, d);
}

static int round1(struct attest_state *s, const struct att_tpm_client_opts *o,
		  struct att_diag *d)
{
	char *body = NULL;
	int r = att_tpmproto_enc_aikcert(&body);
	if (r == 0)
		r = post(o, body, &s->ch, d);
	free(body);
	if (r == 0 && (s->ch.challenge.len != ATT_TPMPROTO_CHALLENGE_LEN ||
		       !s->ch.service_context))
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "the service's answer to aikcert lacks the "
				 "challenge");
	if (r)
		return r;
	s->a.challenge = s->ch.challenge;
	s->ch.challenge.p = NULL; /* transferred */
	s->a.service_context = s->ch.service_context;
	s->ch.service_context = NULL; /* transferred */
	if (o->wrong_challenge)
		r = att_rand_bytes(s->a.challenge.p, s->a.challenge.len);
	return r;
}

/* make_key draws the request key and computes the quote's nonce. */
static int make_key(struct attest_state *s, uint8_t nonce[32])
{
	char kid[ATT_JWK_KID_LEN];
	uint8_t *tp = NULL;
	size_t tp_len = 0;
	struct att_buf b;
	int r = att_pkey_generate(&s->key, ATT_KEY_EC_P256);
	if (r || (r = att_pkey_to_jwk(&s->a.attest_key, s->key)) ||
	    (r = att_jwk_kid_for(kid, s->key)) ||
	    (r = att_b64_decode(&tp, &tp_len, kid, strlen(kid))))
		return r;
	att_buf_init(&b, 4096);
	if ((r = att_buf_add(&b, s->a.challenge.p, s->a.challenge.len)) == 0 &&
	    (!s->a.rp_data_raw.p ||
	     (r = att_buf_add(&b, s->a.rp_data_raw.p, s->a.rp_data_raw.len)) ==
		 0) &&
	    (r = att_buf_add(&b, tp, tp_len)) == 0)
		att_sha256(nonce, b.data, b.len);
	att_buf_release(&b);
	free(tp);
	return r;
}

static int evidence(struct attest_state *s, const struct att_tpm_client_opts *o,
		    struct att_diag *d)
{
	uint32_t mask = o->pcr_mask ? o->pcr_mask : ATT_TPM_DEFAULT_PCR_MASK;
	uint16_t bank = o->bank ? o->bank : ATT_TPM_ALG_SHA256;
	uint8_t nonce[32];
	int r = make_key(s, nonce);
	if (r)
		return att_diag_set(d, r, "cannot make the request key");
	if ((r = att_tpmdev_pcr_read(s->t, mask, bank, &s->a.pcrs, d)) ||
	    (r = att_tpmdev_quote(s->t, nonce, sizeof(nonce), mask, bank,
				  &s->a.quote.p, &s->a.quote.len,
				  &s->a.signature.p, &s->a.signature.len, d)))
		return r;
	s->a.has_pcrs = true;
	const char *log = o->log_file;
	if (!log && !o->no_log &&
	    (!o->tcti || !strncmp(o->tcti, "device", 6)) &&
	    access(ATT_TPM_KERNEL_LOG, R_OK) == 0)
		log = ATT_TPM_KERNEL_LOG;
	if (log && !o->no_log)
		r = read_file(log, ATT_MAX_EVENTLOG_LEN, &s->a.log.p,
			      &s->a.log.len, d);
	return r;
}

static int round2(struct attest_state *s, const struct att_tpm_client_opts *o,
		  char **token, struct att_diag *d)
{
	struct att_tpmproto_resp rep = {0};
	json_t *hdr = json_pack("{s:s}", "typ", "attReq");
	char *payload = NULL, *jws = NULL, *body = NULL;
	int r =
	    hdr ? att_tpmproto_attreq_to_json(&payload, &s->a) : ATT_ERR_NOMEM;
	if (r == 0)
		r = att_jws_sign(&jws, hdr, payload, strlen(payload), s->key,
				 ATT_JWS_ES256);
	if (r == 0)
		r = att_tpmproto_enc_request(&body, jws);
	if (r)
		att_diag_set(d, r, "cannot build the request");
	if (r == 0 && o->save_request)
		r = write_file(o->save_request, body, strlen(body), d);
	struct att_tpm_client_opts to = *o;
	if (o->finish_url)
		to.url = o->finish_url;
	if (r == 0)
		r = post(&to, body, &rep, d);
	if (r == 0 && !rep.report)
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "the service's answer has no report");
	if (r == 0) {
		*token = rep.report;
		rep.report = NULL; /* transferred */
	}
	att_tpmproto_resp_release(&rep);
	json_decref(hdr);
	free(payload);
	free(jws);
	free(body);
	return r;
}

int att_tpm_client_attest(const struct att_tpm_client_opts *o, char **token,
			  struct att_diag *d)
{
	struct attest_state s;
	memset(&s, 0, sizeof(s));
	att_tpmproto_attreq_init(&s.a);
	*token = NULL;
	int r = 0;
	if (o->rp_data && !(s.a.rp_data_raw.p = (uint8_t *)strdup(o->rp_data)))
		r = ATT_ERR_NOMEM;
	s.a.rp_data_raw.len = o->rp_data ? strlen(o->rp_data) : 0;
	if (o->custom_claims)
		s.a.custom_claims = json_incref(o->custom_claims);
	if (r == 0)
		r = att_tpmdev_open(&s.t, o->tcti, d);
	if (r == 0)
		r = load_aik(&s, o, d);
	if (r == 0)
		r = round1(&s, o, d);
	if (r == 0 && o->hold_seconds)
		sleep(o->hold_seconds);
	if (r == 0)
		r = evidence(&s, o, d);
	if (r == 0)
		r = round2(&s, o, token, d);
	att_tpmdev_close(s.t);
	att_tpmproto_attreq_release(&s.a);
	att_tpmproto_resp_release(&s.ch);
	att_pkey_free(s.key);
	free(s.aik_priv);
	return r;
}
