/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: token signing keys in SoftHSM2 (src/hsm/p11.c). The test
 * makes its own token in a temporary directory (SOFTHSM2_CONF pointing at
 * a softhsm2.conf there; softhsm2-util --init-token --free --label attestd
 * --pin 1234 --so-pin 5678), then: keys made in the token (RSA-2048 and
 * P-256) sign RS256 / ES256 through it and the signatures verify with the
 * public key alone; the private part is never exported (to_pem refused;
 * the token objects are sensitive, not extractable); a key is found again
 * by the URI's object; a self-signed certificate is signed through the
 * token and verifies; concurrent signing from several threads; a wrong
 * PIN, a missing token, a missing module and a missing key each fail with
 * their own error and a message naming the problem. SoftHSM2 is a test
 * dependency (scripts/deps.sh): without it the test fails, it does not
 * skip. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/buf.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "harness/tap.h"
#include "hsm/p11.h"

#define MODULE "/usr/lib/softhsm/libsofthsm2.so"

static char dir[] = "/tmp/att_p11_XXXXXX";

static int setup_token(void)
{
	char conf[256], cmd[1024];
	if (!mkdtemp(dir))
		return 1;
	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
	FILE *f = fopen(conf, "w");
	if (!f)
		return 1;
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n", dir);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s/tokens", dir);
	if (mkdir(cmd, 0700))
		return 1;
	setenv("SOFTHSM2_CONF", conf, 1);
	snprintf(cmd, sizeof(cmd),
		 "softhsm2-util --init-token --free --label attestd --pin 1234 --so-pin 5678 >/dev/null");
	return system(cmd) != 0;
}

static void cleanup(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cleanup of %s failed\n", dir);
}

static char pin_file[300];

static const char *uri_with(const char *object)
{
	static char u[1024];
	snprintf(u, sizeof(u),
		 "pkcs11:token=attestd;object=%s;type=private?module-path=" MODULE
		 "&pin-source=file:%s", object, pin_file);
	return u;
}

static void sign_verify(struct att_pkey *k, enum att_sig_alg alg,
			size_t want_len)
{
	static const char msg[] = "eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ";
	struct att_buf sig;
	att_buf_init(&sig, 1024);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, k, alg, msg, strlen(msg)), 0);
	ATT_CHECK(sig.len == want_len, "signature length %zu want %zu",
		  sig.len, want_len);
	ATT_CHECK_EQ_INT(att_pkey_verify(k, alg, msg, strlen(msg), sig.data,
					 sig.len), 0);
	/* verified by a key holding only the public part */
	char *pem = NULL;
	struct att_pkey *pub = NULL;
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&pem, k, false), 0);
	ATT_CHECK_EQ_INT(att_pkey_from_pem(&pub, pem, strlen(pem)), 0);
	ATT_CHECK_EQ_INT(att_pkey_verify(pub, alg, msg, strlen(msg), sig.data,
					 sig.len), 0);
	/* and a changed message does not verify */
	ATT_CHECK_EQ_INT(att_pkey_verify(pub, alg, msg, strlen(msg) - 1,
					 sig.data, sig.len),
			 ATT_ERR_SIG_INVALID);
	/* the private part is never handed out */
	char *priv = NULL;
	ATT_CHECK_EQ_INT(att_pkey_to_pem(&priv, k, true), ATT_ERR_INVALID_ARG);
	ATT_CHECK(priv == NULL, "no private PEM");
	/* another algorithm than the key's is refused */
	att_buf_release(&sig);
	att_buf_init(&sig, 1024);
	ATT_CHECK_EQ_INT(att_pkey_sign(&sig, k, ATT_SIG_PS256, msg, 3),
			 att_pkey_is_rsa(k) ? ATT_ERR_ALG : ATT_ERR_ALG);
	att_buf_release(&sig);
	free(pem);
	att_pkey_free(pub);
}

static void cert_through_token(struct att_pkey *k)
{
	struct att_cert *c = NULL;
	ATT_CHECK_EQ_INT(att_cert_self_signed(&c, k, "attestd token key",
					      1700000000, 1900000000), 0);
	ATT_CHECK(c != NULL, "certificate made through the token");
	if (c) {
		ATT_CHECK_EQ_INT(att_x509_check_signed_by(c, c), 0);
		ATT_CHECK(att_cert_matches_key(c, k), "certificate holds the key");
	}
	att_cert_free(c);
}

struct thr {
	struct att_pkey *k;
	enum att_sig_alg alg;
	int bad;
};

static void *signer_thread(void *arg)
{
	struct thr *t = arg;
	for (int i = 0; i < 25; i++) {
		char msg[32];
		struct att_buf sig;
		snprintf(msg, sizeof(msg), "message %d", i);
		att_buf_init(&sig, 1024);
		if (att_pkey_sign(&sig, t->k, t->alg, msg, strlen(msg)) != 0 ||
		    att_pkey_verify(t->k, t->alg, msg, strlen(msg), sig.data,
				    sig.len) != 0)
			t->bad++;
		att_buf_release(&sig);
	}
	return NULL;
}

static void concurrent(struct att_pkey *k, enum att_sig_alg alg)
{
	pthread_t th[6];
	struct thr t[6];
	for (int i = 0; i < 6; i++) {
		t[i] = (struct thr){k, alg, 0};
		pthread_create(&th[i], NULL, signer_thread, &t[i]);
	}
	int bad = 0;
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		bad += t[i].bad;
	}
	ATT_CHECK(bad == 0, "concurrent signatures all verify (%d bad)", bad);
}

static void test_keys(void)
{
	struct att_p11 *p = NULL;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_p11_open(&p, uri_with("tok-rsa"), NULL, &d);
	ATT_CHECK(r == 0, "open: %s", att_diag_msg(&d));
	if (r)
		return;
	ATT_CHECK_EQ_STR(att_p11_token_label(p), "attestd");
	struct att_pkey *rsa = NULL, *ec = NULL, *again = NULL;
	ATT_CHECK_EQ_INT(att_p11_key_generate(&rsa, p, ATT_KEY_RSA2048,
					      "tok-rsa", &d), 0);
	ATT_CHECK_EQ_INT(att_p11_key_generate(&ec, p, ATT_KEY_EC_P256,
					      "tok-ec", &d), 0);
	ATT_CHECK(rsa && att_pkey_is_external(rsa) && att_pkey_has_private(rsa),
		  "RSA key signs through the token");
	if (rsa) {
		sign_verify(rsa, ATT_SIG_RS256, 256);
		cert_through_token(rsa);
		concurrent(rsa, ATT_SIG_RS256);
	}
	if (ec) {
		sign_verify(ec, ATT_SIG_ES256, 64);
		cert_through_token(ec);
		concurrent(ec, ATT_SIG_ES256);
		/* a dup shares the signer and outlives the original */
		struct att_pkey *dup = att_pkey_dup(ec);
		att_pkey_free(ec);
		ec = NULL;
		ATT_CHECK(dup != NULL, "dup");
		if (dup)
			sign_verify(dup, ATT_SIG_ES256, 64);
		att_pkey_free(dup);
	}
	size_t n = 0, nprot = 0;
	ATT_CHECK_EQ_INT(att_p11_key_count(p, "tok-", false, &n, &d), 0);
	ATT_CHECK_EQ_INT(att_p11_key_count(p, "tok-", true, &nprot, &d), 0);
	ATT_CHECK(n == 2 && nprot == 2, "two keys in the token, both sensitive and not extractable (%zu, %zu)", n, nprot);
	/* found again by the URI's object, from another opening */
	struct att_p11 *p2 = NULL;
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_p11_open(&p2, uri_with("tok-rsa"), NULL, &d), 0);
	if (p2) {
		ATT_CHECK_EQ_INT(att_p11_key_load(&again, p2, NULL, &d), 0);
		ATT_CHECK(again && rsa && att_pkey_equal_public(again, rsa),
			  "loaded key is the generated one");
		if (again)
			sign_verify(again, ATT_SIG_RS256, 256);
		att_diag_clear(&d);
		struct att_pkey *none = NULL;
		ATT_CHECK_EQ_INT(att_p11_key_load(&none, p2, "no-such-key", &d),
				 ATT_ERR_NOT_FOUND);
		ATT_CHECK(strstr(d.msg, "no-such-key") != NULL, "names the key: %s", d.msg);
	}
	att_p11_close(p2); /* keys keep their own reference */
	if (again)
		sign_verify(again, ATT_SIG_RS256, 256);
	att_pkey_free(again);
	att_pkey_free(rsa);
	att_pkey_free(ec);
	att_p11_close(p);
}

static void test_failures(void)
{
	struct att_p11 *p = NULL;
	struct att_diag d;
	char bad_pin[320], u[1024];
	snprintf(bad_pin, sizeof(bad_pin), "%s/bad-pin", dir);
	FILE *f = fopen(bad_pin, "w");
	fputs("9999\n", f);
	fclose(f);
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_p11_open(&p, uri_with("x"), bad_pin, &d), ATT_ERR_AUTH);
	ATT_CHECK(strstr(d.msg, "wrong PIN") != NULL, "wrong PIN named: %s", d.msg);
	ATT_CHECK(p == NULL, "no handle");

	snprintf(u, sizeof(u), "pkcs11:token=missing;object=x?module-path=" MODULE "&pin-value=1234");
	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_p11_open(&p, u, NULL, &d), ATT_ERR_NOT_FOUND);
	ATT_CHECK(strstr(d.msg, "no token matching token=missing") != NULL,
		  "missing token named: %s", d.msg);

	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_p11_open(&p, "pkcs11:token=attestd?module-path=/nonexistent/libp11.so&pin-value=1234", NULL, &d), ATT_ERR_IO);
	ATT_CHECK(strstr(d.msg, "loading module /nonexistent/libp11.so") != NULL,
		  "missing module named: %s", d.msg);

	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_p11_open(&p, "pkcs11:token=attestd?pin-value=1234", NULL, &d), ATT_ERR_FORMAT);
	ATT_CHECK(strstr(d.msg, "module-path") != NULL, "no module-path named: %s", d.msg);

	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_p11_open(&p, uri_with("x"), "/nonexistent/pin", &d), ATT_ERR_IO);
	ATT_CHECK(strstr(d.msg, "PIN file /nonexistent/pin") != NULL, "PIN file named: %s", d.msg);

	att_diag_clear(&d);
	ATT_CHECK_EQ_INT(att_p11_open(&p, "pkcs11:token=attestd;type=cert?module-path=" MODULE "&pin-value=1234", NULL, &d), 0);
	if (p) {
		struct att_pkey *k = NULL;
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_p11_key_load(&k, p, NULL, &d), ATT_ERR_FORMAT);
		ATT_CHECK(strstr(d.msg, "type=cert") != NULL, "type named: %s", d.msg);
		att_p11_close(p);
	}
}

int main(void)
{
	if (setup_token()) {
		ATT_CHECK(0, "SoftHSM2 token in %s (softhsm2-util, scripts/deps.sh)", dir);
		return att_test_done();
	}
	snprintf(pin_file, sizeof(pin_file), "%s/pin", dir);
	FILE *f = fopen(pin_file, "w");
	fputs("1234\n", f);
	fclose(f);
	test_keys();
	test_failures();
	cleanup();
	return att_test_done();
}
