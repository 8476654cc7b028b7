/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helper of bench/tpm_flow.sh: flow B of POST /attest/Tpm
 * (docs/tpm-protocol.md §3) with the client side precomputed.
 *
 *   bench_tpm_flow precompute --url URL --ca PEM --bearer TOKEN
 *       --tcti T --state DIR [--log FILE] --n N --out FILE [--max-seconds S]
 *     runs round 1 (aikcert, POST URL: the provider's
 *     /attest/Tpm?api-version=...) N times over one keep-alive connection and,
 *     for each challenge, makes a fresh ES256 request key, quotes PCRs
 *     0-23 (SHA-256) with the enrolled AIK over SHA-256(challenge ||
 *     thumbprint) and signs the request JWS, as `attest tpm attest` does;
 *     every round-2 body goes to FILE, one per line. The PCR values are
 *     read once (they do not change while the benchmark runs).
 *
 *   bench_tpm_flow load --url URL --ca PEM --bearer TOKEN --bodies FILE
 *       [--repeat N] [--conns C] [--warmup FILE] [--max-seconds S]
 *     POSTs the bodies of FILE, each once (or its first line N times with
 *     --repeat), from C threads with one keep-alive HTTPS connection
 *     each (libcurl easy handles); each connection first sends the first
 *     line of --warmup 3 times, untimed. Prints one JSON line: requests,
 *     HTTP 200 answers, others, seconds, requests/s and latency
 *     percentiles.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/err.h"
#include "base/diag.h"
#include "client/tpm_dev.h"
#include "client/tpm_flow.h"
#include "codec/b64.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "evidence/tpm/proto.h"
#include "evidence/tpm/tpm_alg.h"
#include "token/jwks.h"
#include "token/jws.h"

#define BENCH_MAX_N 20000	    /* precomputed requests, at most */
#define BENCH_MAX_CONNS 16	    /* load connections, at most */
#define BENCH_MAX_FILE (2u << 30)   /* bodies file, at most */
#define BENCH_MAX_ANSWER (1u << 20) /* an answer kept, at most */
#define BENCH_DEFAULT_SECONDS 120.0 /* a phase stops after this */

struct opts {
	const char *url, *ca, *bearer, *tcti, *state, *log, *out, *bodies,
	    *warmup;
	long n, repeat, conns;
	double max_seconds;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- files ---------------------------------------------------------- */

static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    (size_t)n <= max && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) != NULL) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return p;
}

struct lines {
	char *text;
	char **line;
	size_t *len;
	size_t n;
};

/* split_lines cuts text at '\n' (in place); empty lines are skipped. */
static int split_lines(struct lines *l, char *text, size_t len)
{
	size_t cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += text[i] == '\n';
	l->text = text;
	l->line = calloc(cap, sizeof(*l->line));
	l->len = calloc(cap, sizeof(*l->len));
	l->n = 0;
	if (!l->line || !l->len)
		return ATT_ERR_NOMEM;
	for (char *p = text, *end = text + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n) {
			p[n] = '\0';
			l->line[l->n] = p;
			l->len[l->n++] = n;
		}
		p += n + 1;
	}
	return 0;
}

static void lines_release(struct lines *l)
{
	free(l->text);
	free(l->line);
	free(l->len);
}

static int load_lines(struct lines *l, const char *path)
{
	size_t len = 0;
	char *t = slurp(path, BENCH_MAX_FILE, &len);
	if (!t) {
		fprintf(stderr, "bench_tpm_flow: cannot read %s\n", path);
		return ATT_ERR_IO;
	}
	return split_lines(l, t, len);
}

/* ---- one keep-alive HTTPS connection -------------------------------- */

struct conn {
	CURL *h;
	struct curl_slist *hdrs;
	char *answer;
	size_t answer_len;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *u)
{
	struct conn *c = u;
	size_t n = sz * nm;
	if (c->answer_len + n > BENCH_MAX_ANSWER)
		return 0;
	char *a = realloc(c->answer, c->answer_len + n + 1);
	if (!a)
		return 0;
	memcpy(a + c->answer_len, p, n);
	c->answer = a;
	c->answer_len += n;
	a[c->answer_len] = '\0';
	return n;
}

static int conn_open(struct conn *c, const struct opts *o)
{
	char auth[8192];
	memset(c, 0, sizeof(*c));
	if (!(c->h = curl_easy_init()))
		return ATT_ERR_NOMEM;
	c->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (o->bearer) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
			 o->bearer);
		c->hdrs = curl_slist_append(c->hdrs, auth);
	}
	curl_easy_setopt(c->h, CURLOPT_URL, o->url);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(c->h, CURLOPT_CAINFO, o->ca);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->h)
		curl_easy_cleanup(c->h);
	curl_slist_free_all(c->hdrs);
	free(c->answer);
}

/* conn_post sends one body; *status is the HTTP status (0: no answer). */
static int conn_post(struct conn *c, const char *body, size_t len, long *status)
{
	c->answer_len = 0;
	*status = 0;
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	CURLcode e = curl_easy_perform(c->h);
	if (e != CURLE_OK) {
		fprintf(stderr, "bench_tpm_flow: %s\n", curl_easy_strerror(e));
		return ATT_ERR_NETWORK;
	}
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* ---- precompute ----------------------------------------------------- */

struct pre {
	struct att_tpmdev *t;
	uint8_t *aik_pub, *aik_priv, *aik_cert, *log;
	size_t aik_pub_len, aik_priv_len, aik_cert_len, log_len;
	struct att_tpm_pcrs pcrs;
	double t_round1, t_quote, t_sign;
};

static int state_file(const char *dir, const char *name, uint8_t **out,
		      size_t *len)
{
	char p[2048];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	*out = (uint8_t *)slurp(p, ATT_MAX_CERT_LEN, len);
	if (!*out)
		fprintf(stderr, "bench_tpm_flow: cannot read %s\n", p);
	return *out ? 0 : ATT_ERR_IO;
}

/* pre_open loads the enrolled AIK into the TPM and reads the PCRs. */
static int pre_open(struct pre *p, const struct opts *o, struct att_diag *d)
{
	uint8_t *ek = NULL, *ekc = NULL;
	size_t ek_len = 0, ekc_len = 0;
	int r;
	if ((r = state_file(o->state, ATT_TPM_STATE_AIK_PUB, &p->aik_pub,
			    &p->aik_pub_len)) ||
	    (r = state_file(o->state, ATT_TPM_STATE_AIK_PRIV, &p->aik_priv,
			    &p->aik_priv_len)) ||
	    (r = state_file(o->state, ATT_TPM_STATE_AIK_CERT, &p->aik_cert,
			    &p->aik_cert_len)))
		return r;
	if (o->log && !(p->log = (uint8_t *)slurp(o->log, ATT_MAX_EVENTLOG_LEN,
						  &p->log_len)))
		return att_diag_set(d, ATT_ERR_IO, "cannot read %s", o->log);
	if ((r = att_tpmdev_open(&p->t, o->tcti, d)) == 0 &&
	    (r = att_tpmdev_ek(p->t, &ek, &ek_len, &ekc, &ekc_len, d)) == 0)
		r = att_tpmdev_aik_load(p->t, p->aik_pub, p->aik_pub_len,
					p->aik_priv, p->aik_priv_len, d);
	free(ek);
	free(ekc);
	if (r == 0)
		r = att_tpmdev_pcr_read(p->t, ATT_TPM_DEFAULT_PCR_MASK,
					ATT_TPM_ALG_SHA256, &p->pcrs, d);
	return r;
}

static void pre_release(struct pre *p)
{
	att_tpmdev_close(p->t);
	free(p->aik_pub);
	free(p->aik_priv);
	free(p->aik_cert);
	free(p->log);
}

static int dup_blob(struct att_tpmproto_blob *b, const uint8_t *p, size_t n)
{
	if (!n)
		return 0;
	if (!(b->p = malloc(n)))
		return ATT_ERR_NOMEM;
	memcpy(b->p, p, n);
	b->len = n;
	return 0;
}

/* round1 asks for a challenge and moves it into the request. */
static int round1(struct conn *c, struct att_tpmproto_attreq *a,
		  struct att_diag *d)
{
	struct att_tpmproto_resp ch = {0};
	char *body = NULL;
	long status = 0;
	int r = att_tpmproto_enc_aikcert(&body);
	if (r == 0)
		r = conn_post(c, body, strlen(body), &status);
	free(body);
	if (r == 0 && status != 200)
		r = att_diag_set(d, ATT_ERR_NETWORK,
				 "aikcert: HTTP %ld: %.300s", status,
				 c->answer ? c->answer : "");
	if (r == 0)
		r = att_tpmproto_decode_resp(&ch, (const uint8_t *)c->answer,
					     c->answer_len, d);
	if (r == 0 && (ch.challenge.len != ATT_TPMPROTO_CHALLENGE_LEN ||
		       !ch.service_context))
		r = att_diag_set(d, ATT_ERR_FORMAT, "aikcert: no challenge");
	if (r == 0) {
		a->challenge = ch.challenge;
		ch.challenge.p = NULL; /* transferred */
		a->service_context = ch.service_context;
		ch.service_context = NULL; /* transferred */
	}
	att_tpmproto_resp_release(&ch);
	return r;
}

/* nonce_for: SHA-256(challenge || thumbprint of key), no rp_data. */
static int nonce_for(const struct att_tpmproto_attreq *a,
		     const struct att_pkey *key, uint8_t out[32])
{
	char kid[ATT_JWK_KID_LEN];
	uint8_t *tp = NULL, buf[ATT_TPMPROTO_CHALLENGE_LEN + 64];
	size_t tp_len = 0;
	int r = att_jwk_kid_for(kid, key);
	if (r == 0)
		r = att_b64_decode(&tp, &tp_len, kid, strlen(kid));
	if (r == 0 && tp_len > 64)
		r = ATT_ERR_FORMAT;
	if (r == 0) {
		memcpy(buf, a->challenge.p, ATT_TPMPROTO_CHALLENGE_LEN);
		memcpy(buf + ATT_TPMPROTO_CHALLENGE_LEN, tp, tp_len);
		att_sha256(out, buf, ATT_TPMPROTO_CHALLENGE_LEN + tp_len);
	}
	free(tp);
	return r;
}

/* sign_body builds the request JWS and its envelope. */
static int sign_body(const struct att_tpmproto_attreq *a, struct att_pkey *key,
		     char **body)
{
	json_t *hdr = json_pack("{s:s}", "typ", "attReq");
	char *payload = NULL, *jws = NULL;
	int r = hdr ? att_tpmproto_attreq_to_json(&payload, a) : ATT_ERR_NOMEM;
	if (r == 0)
		r = att_jws_sign(&jws, hdr, payload, strlen(payload), key,
				 ATT_JWS_ES256);
	if (r == 0)
		r = att_tpmproto_enc_request(body, jws);
	json_decref(hdr);
	free(payload);
	free(jws);
	return r;
}

/* one_request precomputes one round-2 body. */
static int one_request(struct pre *p, struct conn *c, char **body,
		       struct att_diag *d)
{
	struct att_tpmproto_attreq a;
	struct att_pkey *key = NULL;
	uint8_t nonce[32];
	double t0 = now_s(), t1, t2;
	att_tpmproto_attreq_init(&a);
	int r = round1(c, &a, d);
	t1 = now_s();
	if (r == 0 && ((r = att_pkey_generate(&key, ATT_KEY_EC_P256)) ||
		       (r = att_pkey_to_jwk(&a.attest_key, key)) ||
		       (r = nonce_for(&a, key, nonce))))
		att_diag_set(d, r, "cannot make the request key");
	if (r == 0)
		r = att_tpmdev_quote(
		    p->t, nonce, sizeof(nonce), ATT_TPM_DEFAULT_PCR_MASK,
		    ATT_TPM_ALG_SHA256, &a.quote.p, &a.quote.len,
		    &a.signature.p, &a.signature.len, d);
	t2 = now_s();
	if (r == 0 &&
	    ((r = dup_blob(&a.aik_cert, p->aik_cert, p->aik_cert_len)) ||
	     (r = dup_blob(&a.log, p->log, p->log_len))))
		att_diag_set(d, r, "out of memory");
	if (r == 0) {
		a.pcrs = p->pcrs;
		a.has_pcrs = true;
		if ((r = sign_body(&a, key, body)) != 0)
			att_diag_set(d, r, "cannot sign the request");
	}
	p->t_round1 += t1 - t0;
	p->t_quote += t2 - t1;
	p->t_sign += now_s() - t2;
	att_tpmproto_attreq_release(&a);
	att_pkey_free(key);
	return r;
}

static int cmd_precompute(const struct opts *o)
{
	struct pre p;
	struct conn c;
	struct att_diag d = {0};
	long done = 0;
	memset(&p, 0, sizeof(p));
	FILE *out = fopen(o->out, "wb");
	int r = out ? conn_open(&c, o) : ATT_ERR_IO;
	if (!out) {
		fprintf(stderr, "bench_tpm_flow: cannot write %s\n", o->out);
		return 1;
	}
	double t0 = now_s();
	if (r == 0)
		r = pre_open(&p, o, &d);
	for (; r == 0 && done < o->n && now_s() - t0 < o->max_seconds; done++) {
		char *body = NULL;
		r = one_request(&p, &c, &body, &d);
		if (r == 0 && fprintf(out, "%s\n", body) < 0)
			r = att_diag_set(&d, ATT_ERR_IO, "cannot write %s",
					 o->out);
		free(body);
	}
	double t = now_s() - t0;
	if (fclose(out) != 0 && r == 0)
		r = att_diag_set(&d, ATT_ERR_IO, "cannot write %s", o->out);
	if (r)
		fprintf(stderr, "bench_tpm_flow: precompute: %s\n",
			att_diag_msg(&d));
	else
		printf("{\"requests\":%ld,\"seconds\":%.3f,\"round1_ms\":%.3f,"
		       "\"quote_ms\":%.3f,\"sign_ms\":%.3f}\n",
		       done, t, done ? 1e3 * p.t_round1 / (double)done : 0,
		       done ? 1e3 * p.t_quote / (double)done : 0,
		       done ? 1e3 * p.t_sign / (double)done : 0);
	conn_close(&c);
	pre_release(&p);
	return r ? 1 : 0;
}

/* ---- load ----------------------------------------------------------- */

struct load {
	const struct opts *o;
	struct lines bodies, warm;
	size_t total;
	atomic_size_t next;
	pthread_barrier_t start;
	double t_start;
};

struct worker {
	struct load *l;
	pthread_t th;
	double *lat;
	size_t n, ok, bad, errors;
	double t_end;
	char first_bad[400];
};

static void note_bad(struct worker *w, const struct conn *c, long status)
{
	w->bad++;
	if (!w->first_bad[0])
		snprintf(w->first_bad, sizeof(w->first_bad), "HTTP %ld: %.300s",
			 status, c->answer ? c->answer : "");
}

static void warm_up(struct worker *w, struct conn *c)
{
	long status = 0;
	const struct lines *wl = &w->l->warm;
	for (int i = 0; wl->n && i < 3; i++)
		if (conn_post(c, wl->line[0], wl->len[0], &status) ||
		    status != 200)
			note_bad(w, c, status);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct load *l = w->l;
	struct conn c;
	long status;
	int r = conn_open(&c, l->o);
	if (r == 0)
		warm_up(w, &c);
	pthread_barrier_wait(&l->start);
	double deadline = now_s() + l->o->max_seconds;
	while (r == 0) {
		size_t i = atomic_fetch_add(&l->next, 1);
		if (i >= l->total || now_s() > deadline)
			break;
		size_t k = l->o->repeat ? 0 : i;
		double t0 = now_s();
		if (conn_post(&c, l->bodies.line[k], l->bodies.len[k],
			      &status) != 0)
			w->errors++;
		else if (status == 200)
			w->ok++;
		else
			note_bad(w, &c, status);
		w->lat[w->n++] = now_s() - t0;
	}
	w->t_end = now_s();
	conn_close(&c);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
	if (!n)
		return 0;
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return 1e3 * v[i < n ? i : n - 1];
}

static void report(struct worker *w, long conns, const struct load *l)
{
	size_t n = 0, ok = 0, bad = 0, err = 0, k = 0;
	double end = l->t_start;
	for (long i = 0; i < conns; i++) {
		n += w[i].n;
		ok += w[i].ok;
		bad += w[i].bad;
		err += w[i].errors;
		end = w[i].t_end > end ? w[i].t_end : end;
	}
	double *all = malloc((n ? n : 1) * sizeof(*all)),
	       secs = end - l->t_start;
	for (long i = 0; all && i < conns; i++)
		for (size_t j = 0; j < w[i].n; j++)
			all[k++] = w[i].lat[j];
	if (all)
		qsort(all, k, sizeof(*all), cmp_double);
	for (long i = 0; i < conns; i++)
		if (w[i].first_bad[0]) {
			fprintf(stderr, "bench_tpm_flow: first refusal: %s\n",
				w[i].first_bad);
			break;
		}
	printf("{\"requests\":%zu,\"ok\":%zu,\"non200\":%zu,\"errors\":%zu,"
	       "\"conns\":%ld,\"seconds\":%.3f,\"rps\":%.1f,\"p50_ms\":%.3f,"
	       "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
	       n, ok, bad, err, conns, secs, secs > 0 ? (double)n / secs : 0,
	       pct(all, k, 50), pct(all, k, 90), pct(all, k, 99),
	       k ? 1e3 * all[k - 1] : 0);
	free(all);
}

static int cmd_load(const struct opts *o)
{
	struct load l;
	struct worker w[BENCH_MAX_CONNS];
	int r = 0;
	memset(&l, 0, sizeof(l));
	memset(w, 0, sizeof(w));
	l.o = o;
	if (load_lines(&l.bodies, o->bodies) ||
	    (o->warmup && load_lines(&l.warm, o->warmup)) || !l.bodies.n) {
		fprintf(stderr, "bench_tpm_flow: no bodies\n");
		lines_release(&l.bodies);
		lines_release(&l.warm);
		return 1;
	}
	l.total = o->repeat ? (size_t)o->repeat : l.bodies.n;
	atomic_init(&l.next, 0);
	pthread_barrier_init(&l.start, NULL, (unsigned)o->conns + 1);
	for (long i = 0; i < o->conns; i++) {
		w[i].l = &l;
		w[i].lat = calloc(l.total, sizeof(double));
		if (!w[i].lat || pthread_create(&w[i].th, NULL, work, &w[i])) {
			fprintf(stderr, "bench_tpm_flow: cannot start\n");
			exit(1);
		}
	}
	pthread_barrier_wait(&l.start);
	l.t_start = now_s();
	for (long i = 0; i < o->conns; i++)
		pthread_join(w[i].th, NULL);
	report(w, o->conns, &l);
	for (long i = 0; i < o->conns; i++)
		free(w[i].lat);
	pthread_barrier_destroy(&l.start);
	lines_release(&l.bodies);
	lines_release(&l.warm);
	return r;
}

/* ---- main ----------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr,
		"usage: bench_tpm_flow precompute --url URL --ca PEM --bearer "
		"TOKEN --tcti T --state DIR [--log FILE] --n N --out FILE "
		"[--max-seconds S]\n"
		"       bench_tpm_flow load --url URL --ca PEM --bearer TOKEN "
		"--bodies FILE [--repeat N] [--conns C] [--warmup FILE] "
		"[--max-seconds S]\n");
	return 2;
}

static int parse(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"url", 1, NULL, 'u'},	   {"ca", 1, NULL, 'c'},
	    {"bearer", 1, NULL, 'b'},	   {"tcti", 1, NULL, 't'},
	    {"state", 1, NULL, 's'},	   {"log", 1, NULL, 'l'},
	    {"out", 1, NULL, 'o'},	   {"bodies", 1, NULL, 'B'},
	    {"warmup", 1, NULL, 'w'},	   {"n", 1, NULL, 'n'},
	    {"repeat", 1, NULL, 'r'},	   {"conns", 1, NULL, 'C'},
	    {"max-seconds", 1, NULL, 'm'}, {NULL, 0, NULL, 0}};
	int ch;
	o->conns = 2;
	o->max_seconds = BENCH_DEFAULT_SECONDS;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'u':
			o->url = optarg;
			break;
		case 'c':
			o->ca = optarg;
			break;
		case 'b':
			o->bearer = optarg;
			break;
		case 't':
			o->tcti = optarg;
			break;
		case 's':
			o->state = optarg;
			break;
		case 'l':
			o->log = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'B':
			o->bodies = optarg;
			break;
		case 'w':
			o->warmup = optarg;
			break;
		case 'n':
			o->n = strtol(optarg, NULL, 10);
			break;
		case 'r':
			o->repeat = strtol(optarg, NULL, 10);
			break;
		case 'C':
			o->conns = strtol(optarg, NULL, 10);
			break;
		case 'm':
			o->max_seconds = strtod(optarg, NULL);
			break;
		default:
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (parse(&o, argc - 1, argv + 1) != 0 || !o.url || !o.ca)
		return usage();
	if (o.max_seconds <= 0 || o.max_seconds > 3600)
		o.max_seconds = BENCH_DEFAULT_SECONDS;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc;
	if (!strcmp(cmd, "precompute")) {
		if (!o.state || !o.out || o.n < 1 || o.n > BENCH_MAX_N)
			return usage();
		rc = cmd_precompute(&o);
	} else if (!strcmp(cmd, "load")) {
		if (!o.bodies || o.conns < 1 || o.conns > BENCH_MAX_CONNS ||
		    o.repeat < 0 || o.repeat > 10 * BENCH_MAX_N)
			return usage();
		rc = cmd_load(&o);
	} else {
		rc = usage();
	}
	curl_global_cleanup();
	return rc;
}
