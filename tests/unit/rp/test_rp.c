/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The relying-party flow against a real HTTPS server: `openssl s_server
 * -WWW` serving .well-known/openid-configuration and certs from a temp
 * directory over TLS with a self-signed certificate made by att_cert.
 * Checks: a good token passes (one metadata+JWKS fetch); an unknown kid
 * fails after exactly one refresh; after the served JWKS is rotated, a
 * token of the new key passes after a refresh; the refresh is rate
 * limited; wrong token issuer and wrong metadata issuer fail; TLS without
 * the right trust anchor fails; key pinning works both ways. Strictness
 * (library and `attest token verify`): a good token re-spelled in the
 * unused bits of its signature, a validly signed token with exp =
 * INT64_MIN and one issued in the future are refused, naming why, and
 * cause no JWKS refetch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "attest/rp.h"
#include "base/timeutil.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "harness/tap.h"
#include "token/jwks.h"
#include "token/jwt.h"

static char dir[256], issuer[128], ca_path[512];
static pid_t server = -1;
static int port;

struct signer {
	struct att_pkey *key;
	struct att_cert *cert;
	char kid[ATT_JWK_KID_LEN];
};

static void signer_make(struct signer *s, enum att_key_kind kind)
{
	memset(s, 0, sizeof(*s));
	att_pkey_generate(&s->key, kind);
	int64_t now = att_time_now();
	att_cert_self_signed(&s->cert, s->key, "attestd test signer", now - 3600,
			     now + 86400);
	att_jwk_kid_for(s->kid, s->key);
}

static int write_file(const char *name, const char *text)
{
	char path[600], tmp[620];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return rename(tmp, path); /* atomic: the server never sees half */
}

static void serve_jwks(struct signer *const *s, size_t n)
{
	json_t *keys = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *e = NULL;
		att_jwk_public_entry(&e, s[i]->key, &s[i]->cert, 1, s[i]->kid);
		json_array_append_new(keys, e);
	}
	json_t *jwks = json_pack("{s:o}", "keys", keys);
	char *text = json_dumps(jwks, JSON_COMPACT);
	ATT_CHECK_EQ_INT(write_file("certs", text), 0);
	free(text);
	json_decref(jwks);
}

static void serve_metadata(const char *iss)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "{\"issuer\":\"%s\",\"jwks_uri\":\"%s/certs\","
		 "\"id_token_signing_alg_values_supported\":[\"RS256\"]}",
		 iss, issuer);
	ATT_CHECK_EQ_INT(write_file(".well-known/openid-configuration", text), 0);
}

static char *token(struct signer *s, const char *kid, const char *iss,
		   int64_t iat, int64_t ttl)
{
	json_t *c = json_pack("{s:I,s:I,s:s,s:I,s:s}", "exp",
			      (json_int_t)(iat + ttl), "iat", (json_int_t)iat,
			      "iss", iss, "nbf", (json_int_t)iat,
			      "x-ms-attestation-type", "sgx");
	struct att_jwt_signer js = {.key = s->key,
				    .alg = att_jws_alg_for_key(s->key),
				    .kid = kid};
	char *tok = NULL;
	att_jwt_sign(&tok, c, &js);
	json_decref(c);
	return tok;
}

/* token_with is token() with claim name set to v (stolen). */
static char *token_with(struct signer *s, const char *iss, int64_t iat,
			const char *name, json_t *v)
{
	json_t *c = json_pack("{s:I,s:I,s:s,s:I,s:s}", "exp",
			      (json_int_t)(iat + 3600), "iat", (json_int_t)iat,
			      "iss", iss, "nbf", (json_int_t)iat,
			      "x-ms-attestation-type", "sgx");
	json_object_set_new(c, name, v);
	struct att_jwt_signer js = {.key = s->key,
				    .alg = att_jws_alg_for_key(s->key),
				    .kid = s->kid};
	char *tok = NULL;
	att_jwt_sign(&tok, c, &js);
	json_decref(c);
	return tok;
}

/* respell returns a copy of tok whose signature's last character differs
 * only in its unused low bits (RSA-2048: 342 characters, 4 unused bits). */
static char *respell(const char *tok)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *t = strdup(tok);
	size_t n = strlen(t);
	const char *sig = strrchr(t, '.') + 1;
	ATT_CHECK(strlen(sig) % 4 == 2, "signature ends in a partial block");
	unsigned v = (unsigned)(strchr(a, t[n - 1]) - a);
	ATT_CHECK((v & 15) == 0, "canonical to begin with");
	t[n - 1] = a[v | 8];
	return t;
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

static bool port_open(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* make_tls writes tls.pem and tls.key for a P-256 key, SAN 127.0.0.1. */
static int make_tls(void)
{
	struct att_pkey *k = NULL;
	struct att_cert *c = NULL;
	char *cert = NULL, *key = NULL;
	int64_t now = att_time_now();
	int r = att_pkey_generate(&k, ATT_KEY_EC_P256);
	if (!r)
		r = att_cert_self_signed_tls(&c, k, "localhost", now - 60, now + 86400);
	if (!r)
		r = att_cert_to_pem(&cert, c);
	if (!r)
		r = att_pkey_to_pem(&key, k, true);
	if (!r)
		r = write_file("tls.pem", cert) || write_file("tls.key", key);
	free(cert);
	free(key);
	att_cert_free(c);
	att_pkey_free(k);
	snprintf(ca_path, sizeof(ca_path), "%s/tls.pem", dir);
	return r;
}

static int start_server(void)
{
	char accept_arg[32];
	snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%d", port);
	server = fork();
	if (server < 0)
		return -1;
	if (server == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (chdir(dir))
			_exit(127);
		freopen("/dev/null", "r", stdin);
		freopen("s_server.log", "w", stdout);
		freopen("s_server.log", "a", stderr);
		execlp("openssl", "openssl", "s_server", "-WWW", "-quiet",
		       "-accept", accept_arg, "-cert", "tls.pem", "-key",
		       "tls.key", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		if (port_open())
			return 0;
		int st;
		if (waitpid(server, &st, WNOHANG) == server) {
			server = -1;
			return -1;
		}
		struct timespec ts = {0, 100 * 1000000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void stop_server(void)
{
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
		server = -1;
	}
}

static struct att_rp *rp_with(const char *iss, int64_t min_refresh,
			      const struct att_http_opts *h)
{
	struct att_rp_opts o = {.issuer = iss, .http = h, .skew_seconds = -1,
				.min_refresh_seconds = min_refresh};
	return att_rp_new_opts(&o);
}

static int check(struct att_rp *rp, const char *tok, char *err, size_t n)
{
	char *claims = NULL;
	int r = att_rp_verify(rp, tok, 0, &claims, err, n);
	if (r == 0)
		ATT_CHECK(claims && strstr(claims, "\"x-ms-attestation-type\":\"sgx\""),
			  "claims: %s", claims ? claims : "(null)");
	else
		ATT_CHECK(claims == NULL, "no claims on failure");
	free(claims);
	return r;
}

/* cli runs "$ATT_BIN_DIR/attest ARGS 2>&1" and returns its exit status,
 * or -1 when the binary is not there (attest links every module, so a
 * module build can lack it). */
static int cli(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cli(char *out, size_t n, const char *fmt, ...)
{
	char bin[512], cmd[8192], args[6144];
	const char *dir_env = getenv("ATT_BIN_DIR");
	snprintf(bin, sizeof(bin), "%s/attest", dir_env ? dir_env : ".");
	if (access(bin, X_OK))
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bin, args);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t k = fread(out, 1, n - 1, p);
	out[k] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The refused tokens of the strictness checks, for the CLI too. */
static char *t_respelled, *t_exp_min, *t_iat_future;

static void test_cli_strict(void)
{
	char out[16384];
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "token verify --issuer %s --ca %s %s",
			     issuer, ca_path, t_respelled), 1);
	ATT_CHECK(strstr(out, "attest: token verification failed: jws: signature "
			 "is not canonical base64url: non-zero unused bits") != NULL,
		  "cli respelled: %s", out);
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "token verify --issuer %s --ca %s %s",
			     issuer, ca_path, t_exp_min), 1);
	ATT_CHECK(strstr(out, "token exp -9223372036854775808 is outside the range "
			 "of a NumericDate") != NULL, "cli exp: %s", out);
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "token verify --issuer %s --ca %s %s",
			     issuer, ca_path, t_iat_future), 1);
	ATT_CHECK(strstr(out, "is in the future") != NULL, "cli iat: %s", out);
}

static void test_cli(const char *good, const char *bad_iss, const char *kid)
{
	char out[16384];
	if (cli(out, sizeof(out), "--help") < 0) {
		ATT_CHECK(0, "CLI checks: $ATT_BIN_DIR/attest not built");
		return;
	}
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "token verify --issuer %s --ca %s %s",
			     issuer, ca_path, good), 0);
	ATT_CHECK(strstr(out, "\"x-ms-attestation-type\": \"sgx\"") != NULL,
		  "cli claims: %s", out);
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "token verify --issuer %s --ca %s %s",
			     issuer, ca_path, bad_iss), 1);
	ATT_CHECK(!strncmp(out, "attest: token verification failed: issuer mismatch",
			   strlen("attest: token verification failed: issuer mismatch")),
		  "cli error: %s", out);
	ATT_CHECK_EQ_INT(cli(out, sizeof(out),
			     "token verify --issuer %s --ca %s --at 2001-01-01T00:00:00Z %s",
			     issuer, ca_path, good), 1);
	ATT_CHECK(strstr(out, "not valid before") != NULL, "cli --at: %s", out);
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "token verify --issuer %s %s",
			     issuer, good), 1);
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "metadata %s --ca %s", issuer,
			     ca_path), 0);
	ATT_CHECK(strstr(out, "\"jwks_uri\"") != NULL, "cli metadata: %s", out);
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "certs %s --ca %s", issuer,
			     ca_path), 0);
	ATT_CHECK(strstr(out, kid) != NULL, "cli certs: %s", out);
	ATT_CHECK_EQ_INT(cli(out, sizeof(out), "token decode %s", bad_iss), 0);
	ATT_CHECK(strstr(out, "evil.example") != NULL, "cli decode: %s", out);
	test_cli_strict();
}

struct worker {
	struct att_rp *rp;
	const char *tok[2];
	int failures;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 20; i++)
		w->failures += att_rp_verify(w->rp, w->tok[i % 2], 0, NULL, NULL, 0) != 0;
	return NULL;
}

/* Four threads share one att_rp (with a cold cache, so that they race
 * for the first fetch); every verification must pass. */
static void test_threads(struct att_rp *rp, const char *t1, const char *t2)
{
	pthread_t th[4];
	struct worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){.rp = rp, .tok = {t1, t2}};
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	}
	int failures = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
	}
	ATT_CHECK_EQ_INT(failures, 0);
	ATT_CHECK(att_rp_jwks_fetches(rp) >= 1 && att_rp_jwks_fetches(rp) <= 4,
		  "fetches %u", att_rp_jwks_fetches(rp));
}

static void run(void)
{
	struct signer a, b, c;
	char err[512];
	struct att_http_opts h = {.ca_file = ca_path, .timeout_ms = 10000};
	int64_t now = att_time_now();
	signer_make(&a, ATT_KEY_RSA2048);
	signer_make(&b, ATT_KEY_EC_P256);
	signer_make(&c, ATT_KEY_RSA2048);
	struct signer *only_a[] = {&a}, *a_and_b[] = {&a, &b};
	serve_metadata(issuer);
	serve_jwks(only_a, 1);

	struct att_rp *rp = rp_with(issuer, 0, &h);
	char *ta = token(&a, a.kid, issuer, now - 5, 3600);
	char *tc = token(&c, c.kid, issuer, now - 5, 3600);
	char *tb = token(&b, b.kid, issuer, now - 5, 3600);
	ATT_CHECK_EQ_INT(check(rp, ta, err, sizeof(err)), 0);
	ATT_CHECK(err[0] == 0, "no error text: %s", err);
	ATT_CHECK_EQ_INT(att_rp_jwks_fetches(rp), 1);
	ATT_CHECK_EQ_INT(check(rp, ta, err, sizeof(err)), 0);
	ATT_CHECK_EQ_INT(att_rp_jwks_fetches(rp), 1); /* cached */

	/* Unknown kid: exactly one refresh, then failure. */
	ATT_CHECK_EQ_INT(check(rp, tc, err, sizeof(err)), ATT_ERR_NOT_FOUND);
	ATT_CHECK(strstr(err, "unknown kid") != NULL, "err: %s", err);
	ATT_CHECK_EQ_INT(att_rp_jwks_fetches(rp), 2);

	/* Rotation: b is served now; its token passes after a refresh. */
	serve_jwks(a_and_b, 2);
	ATT_CHECK_EQ_INT(check(rp, tb, err, sizeof(err)), 0);
	ATT_CHECK_EQ_INT(att_rp_jwks_fetches(rp), 3);
	ATT_CHECK_EQ_INT(check(rp, ta, err, sizeof(err)), 0);

	/* Wrong issuer in the token, expired token: no refetch needed. */
	char *tw = token(&a, a.kid, "https://evil.example", now - 5, 3600);
	ATT_CHECK_EQ_INT(check(rp, tw, err, sizeof(err)), ATT_ERR_MISMATCH);
	ATT_CHECK(strstr(err, "issuer mismatch") != NULL, "err: %s", err);
	char *te = token(&a, a.kid, issuer, now - 7200, 3600);
	ATT_CHECK_EQ_INT(check(rp, te, err, sizeof(err)), ATT_ERR_EXPIRED);
	ATT_CHECK(strstr(err, "token expired at") != NULL, "err: %s", err);
	ATT_CHECK_EQ_INT(att_rp_jwks_fetches(rp), 3);
	/* A fixed verification time in the token's lifetime passes. */
	ATT_CHECK_EQ_INT(att_rp_verify(rp, te, now - 7000, NULL, err, sizeof(err)), 0);

	/* Strict decoding and NumericDates, with no refetch. */
	t_respelled = respell(ta);
	ATT_CHECK_EQ_INT(check(rp, t_respelled, err, sizeof(err)), ATT_ERR_FORMAT);
	ATT_CHECK(strstr(err, "jws: signature is not canonical base64url: "
			 "non-zero unused bits in the last character") != NULL,
		  "err: %s", err);
	t_exp_min = token_with(&a, issuer, now - 5, "exp", json_integer(INT64_MIN));
	ATT_CHECK_EQ_INT(check(rp, t_exp_min, err, sizeof(err)), ATT_ERR_FORMAT);
	ATT_CHECK(strstr(err, "jwt: token exp -9223372036854775808 is outside the "
			 "range of a NumericDate") != NULL, "err: %s", err);
	t_iat_future = token_with(&a, issuer, now - 5, "iat",
				  json_integer(now + 600));
	ATT_CHECK_EQ_INT(check(rp, t_iat_future, err, sizeof(err)),
			 ATT_ERR_NOT_YET_VALID);
	ATT_CHECK(strstr(err, "token iat ") && strstr(err, "is in the future (more "
			 "than the 60 s clock skew ahead)"), "err: %s", err);
	char *t_frac = token_with(&a, issuer, now - 5, "exp",
				  json_real((double)now + 600.5));
	ATT_CHECK_EQ_INT(check(rp, t_frac, err, sizeof(err)), 0);
	free(t_frac);
	ATT_CHECK_EQ_INT(check(rp, ta, err, sizeof(err)), 0);
	ATT_CHECK_EQ_INT(att_rp_jwks_fetches(rp), 3);
	att_rp_free(rp);

	test_cli(ta, tw, a.kid);
	rp = rp_with(issuer, -1, &h);
	test_threads(rp, ta, tb);
	att_rp_free(rp);

	/* Rate limit: with the default 30 s, a new kid right after the
	 * first fetch does not trigger another fetch. */
	serve_jwks(only_a, 1);
	rp = rp_with(issuer, -1, &h);
	ATT_CHECK_EQ_INT(check(rp, ta, err, sizeof(err)), 0);
	serve_jwks(a_and_b, 2);
	ATT_CHECK_EQ_INT(check(rp, tb, err, sizeof(err)), ATT_ERR_NOT_FOUND);
	ATT_CHECK_EQ_INT(att_rp_jwks_fetches(rp), 1);
	att_rp_free(rp);

	/* Metadata issuer differs from the configured issuer
	 * (https://localhost:PORT is the same server, other name). */
	char other[128];
	snprintf(other, sizeof(other), "https://localhost:%d", port);
	rp = rp_with(other, 0, &h);
	char *tl = token(&a, a.kid, other, now - 5, 3600);
	ATT_CHECK_EQ_INT(check(rp, tl, err, sizeof(err)), ATT_ERR_MISMATCH);
	ATT_CHECK(strstr(err, "metadata issuer mismatch") != NULL, "err: %s", err);
	att_rp_free(rp);
	free(tl);

	/* TLS: without our CA the handshake fails; pins work both ways. */
	struct att_http_opts sys = {.timeout_ms = 10000};
	rp = rp_with(issuer, 0, &sys);
	ATT_CHECK_EQ_INT(check(rp, ta, err, sizeof(err)), ATT_ERR_NETWORK);
	ATT_CHECK(strstr(err, "openid-configuration") != NULL, "err: %s", err);
	att_rp_free(rp);
	char *pem = NULL, *pin = NULL;
	size_t len = 0;
	struct att_cert *tls = NULL;
	struct att_pkey *tls_key = NULL;
	pem = (char *)att_read_file(ca_path, &len);
	att_cert_from_pem(&tls, pem, len);
	att_cert_get1_pubkey(&tls_key, tls);
	att_pkey_spki_pin(&pin, tls_key);
	struct att_http_opts pinned = {.ca_file = ca_path, .pinned_cert_sha256_b64 = pin};
	rp = rp_with(issuer, 0, &pinned);
	ATT_CHECK_EQ_INT(check(rp, ta, err, sizeof(err)), 0);
	att_rp_free(rp);
	pinned.pinned_cert_sha256_b64 = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	rp = rp_with(issuer, 0, &pinned);
	ATT_CHECK_EQ_INT(check(rp, ta, err, sizeof(err)), ATT_ERR_NETWORK);
	att_rp_free(rp);

	free(pem);
	free(pin);
	att_cert_free(tls);
	att_pkey_free(tls_key);
	free(ta);
	free(tb);
	free(tc);
	free(tw);
	free(te);
	free(t_respelled);
	free(t_exp_min);
	free(t_iat_future);
	struct signer *all[] = {&a, &b, &c};
	for (int i = 0; i < 3; i++) {
		att_pkey_free(all[i]->key);
		att_cert_free(all[i]->cert);
	}
}

static void cleanup_dir(void)
{
	static const char *files[] = {".well-known/openid-configuration",
				      ".well-known", "certs", "tls.pem",
				      "tls.key", "s_server.log", ""};
	char p[600];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		if (remove(p) && errno != ENOENT)
			printf("# could not remove %s\n", p);
	}
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/att_rp_test.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("not ok - mkdtemp\n");
		return 1;
	}
	char wk[300];
	snprintf(wk, sizeof(wk), "%s/.well-known", dir);
	mkdir(wk, 0700);
	port = free_port();
	snprintf(issuer, sizeof(issuer), "https://127.0.0.1:%d", port);
	ATT_CHECK(port > 0, "free port");
	ATT_CHECK_EQ_INT(make_tls(), 0);
	int started = start_server();
	ATT_CHECK_EQ_INT(started, 0);
	if (started == 0)
		run();
	stop_server();
	cleanup_dir();
	return att_test_done();
}
