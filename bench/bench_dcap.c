/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DCAP verification throughput on one core, on real quotes from testdata
 * (tdx_dcapqvl_v4, sgx_dcapqvl_v3): cold (no cache: PCK chain, CRLs, TCB
 * Info and QE Identity verified every time; collateral parsed once),
 * cold including collateral parsing, and warm (shared cache). The bound
 * for warm is the machine's ECDSA-P256 verify rate from
 * `openssl speed -seconds 3 ecdsap256` divided by 2 (a quote needs two
 * verifications); @phala/dcap-qvl (node) is timed on the same quote.
 * Rates divide by the process CPU time, as `openssl speed` divides by
 * user CPU time by default, so that a loaded machine (other processes on
 * the core) does not skew the ratio; wall-clock rates are printed too.
 * Usage: bench_dcap [SECONDS]   (env ATTESTD_TESTDATA, ATT_SRC_DIR)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeutil.h"
#include "evidence/sgx/verify.h"
#include "harness/tap.h"

struct sample {
	const char *name, *quote, *bundle, *at;
};

static const struct sample samples[] = {
	{"tdx_dcapqvl_v4", "tdx/quotes/dcapqvl_tdx_quote.bin",
	 "tdx/collateral/dcapqvl/tdx_quote_collateral.json",
	 "2025-07-01T00:00:00Z"},
	{"sgx_dcapqvl_v3", "sgx/quotes/dcapqvl_sgx_quote.bin",
	 "sgx/collateral/dcapqvl/sgx_quote_collateral.json",
	 "2025-07-01T00:00:00Z"},
};

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct rates {
	double cpu, wall;
};

enum mode { COLD, COLD_PARSE, WARM };

/* Verifications per CPU second (and per wall second) in `mode`, for
 * about `secs` seconds of CPU time. */
static struct rates rate(enum mode mode, const uint8_t *q, size_t n,
		   const char *bundle, size_t bundle_len,
		   const struct att_dcap_trust *trust, int64_t at, double secs)
{
	struct att_dcap_collateral *col = NULL;
	struct att_dcap_cache *cache = NULL;
	struct att_dcap_result r;
	struct att_diag d = {0};
	struct rates out = {-1, -1};
	long count = 0;
	if (att_dcap_collateral_from_bundle_json(&col, bundle, bundle_len, &d))
		return out;
	if (mode == WARM)
		att_dcap_cache_new(&cache, 0);
	att_dcap_verify(&r, q, n, col, trust, cache, at, &d); /* warm-up */
	double t0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t;
	double w0 = clock_s(CLOCK_MONOTONIC);
	do {
		for (int i = 0; i < 20; i++, count++) {
			if (mode == COLD_PARSE) {
				att_dcap_collateral_free(col);
				att_dcap_collateral_from_bundle_json(&col, bundle,
								     bundle_len, &d);
			}
			if (att_dcap_verify(&r, q, n, col, trust, cache, at, &d)) {
				fprintf(stderr, "verify failed: %s\n",
					att_diag_msg(&d));
				return out;
			}
		}
		t = clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0;
	} while (t < secs);
	out.cpu = (double)count / t;
	out.wall = (double)count / (clock_s(CLOCK_MONOTONIC) - w0);
	att_dcap_cache_free(cache);
	att_dcap_collateral_free(col);
	return out;
}

/* ECDSA P-256 verify/s from `openssl speed`: the last column of the
 * line starting with " 256 bits ecdsa (nistp256)". */
static double openssl_verify_rate(void)
{
	FILE *p = popen("openssl speed -seconds 3 ecdsap256 2>/dev/null", "r");
	char line[512];
	double v = -1;
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		double sign_s, verify_s, sign_n, verify_n;
		/* " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  30569.1   8892.1" */
		if (strstr(line, "ecdsa (nistp256)") &&
		    sscanf(strstr(line, ")") + 1, "%lfs %lfs %lf %lf", &sign_s,
			   &verify_s, &sign_n, &verify_n) == 4)
			v = verify_n;
	}
	pclose(p);
	return v;
}

static void node_bench(const char *td, const struct sample *s)
{
	const char *src = getenv("ATT_SRC_DIR");
	char cmd[16384];
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && node bench/dcap_qvl_bench.mjs '%s/%s' '%s/%s' %s 300 2>&1",
		 src ? src : ".", td, s->quote, td, s->bundle, s->at);
	FILE *p = popen(cmd, "r");
	char line[512];
	while (p && fgets(line, sizeof(line), p))
		printf("  %s", line);
	if (p)
		pclose(p);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	const char *td = att_testdata();
	struct att_dcap_trust *trust = NULL;
	char path[8192];
	if (!td) {
		printf("SKIP: testdata not found (set ATTESTD_TESTDATA)\n");
		return 77;
	}
	att_dcap_trust_new_intel(&trust);
	printf("openssl speed -seconds 3 ecdsap256 ...\n");
	double ossl = openssl_verify_rate();
	double bound = ossl / 2;
	printf("ECDSA P-256 verify: %.0f/s -> bound %.0f quotes/s "
	       "(2 verifications per quote)\n", ossl, bound);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		size_t n, bl;
		int64_t at;
		snprintf(path, sizeof(path), "%s/%s", td, s->quote);
		uint8_t *q = att_read_file(path, &n);
		snprintf(path, sizeof(path), "%s/%s", td, s->bundle);
		char *b = (char *)att_read_file(path, &bl);
		att_time_parse(&at, s->at);
		if (!q || !b)
			return 1;
		struct rates cold = rate(COLD, q, n, b, bl, trust, at, secs);
		struct rates coldp = rate(COLD_PARSE, q, n, b, bl, trust, at, secs);
		struct rates warm = rate(WARM, q, n, b, bl, trust, at, secs);
		printf("%s (%zu bytes):            per CPU-s   (per wall-s)\n",
		       s->name, n);
		printf("  cold (no cache)           : %8.0f/s  (%8.0f/s)\n",
		       cold.cpu, cold.wall);
		printf("  cold + collateral parse   : %8.0f/s  (%8.0f/s)\n",
		       coldp.cpu, coldp.wall);
		printf("  warm (cache)              : %8.0f/s  (%8.0f/s)\n",
		       warm.cpu, warm.wall);
		printf("  warm / bound              : %8.2f   (bound %.0f/s)\n",
		       bound > 0 ? warm.cpu / bound : -1, bound);
		node_bench(td, s);
		free(q);
		free(b);
	}
	att_dcap_trust_free(trust);
	return 0;
}
