/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token signature throughput: RS256 (RSA-2048) and ES256 (P-256) JWS
 * signatures of a typical signing input, in process (att_pkey_sign with
 * an OpenSSL key) and through a PKCS #11 token (src/hsm: C_SignInit +
 * C_Sign; SoftHSM2 in bench/sign.sh), with THREADS signing threads.
 * Prints one line per case: "NAME threads sig/s_wall".
 * Usage: bench_sign URI SECONDS THREADS   (URI: pkcs11: with module-path
 * and pin-source; its token must allow key generation: keys labelled
 * bench-rsa / bench-ec are made in it)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "crypto/pkey.h"
#include "hsm/p11.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct job {
	struct att_pkey *k;
	enum att_sig_alg alg;
	double until;
	atomic_long *count;
	atomic_int *bad;
};

static void *run(void *arg)
{
	struct job *j = arg;
	char input[700];
	memset(input, 'e', sizeof(input)); /* a JWS signing input's size */
	while (now_s() < j->until) {
		struct att_buf sig;
		att_buf_init(&sig, 1024);
		if (att_pkey_sign(&sig, j->k, j->alg, input, sizeof(input)))
			atomic_fetch_add(j->bad, 1);
		att_buf_release(&sig);
		atomic_fetch_add(j->count, 1);
	}
	return NULL;
}

static int bench(const char *name, struct att_pkey *k, enum att_sig_alg alg,
		 double seconds, int threads)
{
	pthread_t th[64];
	struct job j[64];
	atomic_long count = 0;
	atomic_int bad = 0;
	double t0 = now_s();
	for (int i = 0; i < threads; i++) {
		j[i] = (struct job){k, alg, t0 + seconds, &count, &bad};
		pthread_create(&th[i], NULL, run, &j[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	double dt = now_s() - t0;
	printf("%s %d %.0f\n", name, threads, (double)count / dt);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct att_p11 *p = NULL;
	struct att_pkey *rsa = NULL, *ec = NULL, *hrsa = NULL, *hec = NULL;
	struct att_diag d = {0};
	if (argc != 4) {
		fprintf(stderr, "usage: bench_sign URI SECONDS THREADS\n");
		return 2;
	}
	double seconds = atof(argv[2]);
	int threads = atoi(argv[3]);
	if (threads < 1 || threads > 64 || seconds <= 0)
		return 2;
	if (att_p11_open(&p, argv[1], NULL, &d) ||
	    att_p11_key_generate(&hrsa, p, ATT_KEY_RSA2048, "bench-rsa", &d) ||
	    att_p11_key_generate(&hec, p, ATT_KEY_EC_P256, "bench-ec", &d) ||
	    att_pkey_generate(&rsa, ATT_KEY_RSA2048) ||
	    att_pkey_generate(&ec, ATT_KEY_EC_P256)) {
		fprintf(stderr, "bench_sign: %s\n", att_diag_msg(&d));
		return 1;
	}
	int bad = bench("rs256_inprocess", rsa, ATT_SIG_RS256, seconds, threads);
	bad |= bench("rs256_pkcs11", hrsa, ATT_SIG_RS256, seconds, threads);
	bad |= bench("es256_inprocess", ec, ATT_SIG_ES256, seconds, threads);
	bad |= bench("es256_pkcs11", hec, ATT_SIG_ES256, seconds, threads);
	att_pkey_free(rsa);
	att_pkey_free(ec);
	att_pkey_free(hrsa);
	att_pkey_free(hec);
	att_p11_close(p);
	if (bad)
		fprintf(stderr, "bench_sign: some signatures failed\n");
	return bad;
}
