/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP verification throughput on one core, on the real Azure report
 * of MAA's REST API example (tests/vectors/maa/spec-examples, VCEK,
 * ASK and ARK of Milan, against AMD's pinned roots), on certificates
 * parsed once: att_snp_verify without a cache ("report_nocache": report
 * signature, VCEK <- ASK <- ARK chain with its two RSA-4096 PSS
 * verifications, TCB and hwID checks) and att_snp_verify_cached with a
 * warm cache ("report": the chain taken from the cache, the report's
 * checks and its P-384 signature every time); and att_verify_snp on the
 * whole MAA request body ("request": JSON and base64 decoding, the
 * VcekCertChain PEM and the chain through the verifier's cache,
 * verification, binding, claims, default policy; no token signature).
 * Rates divide by the process CPU time, as `openssl speed` does;
 * bench/snp.sh sets them against `openssl speed ecdsap384`.
 * Prints one line per case: "NAME ops/s_cpu ops/s_wall".
 * Usage: bench_snp [SECONDS]   (env ATT_SRC_DIR: the source tree)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/timeutil.h"
#include "crypto/cert.h"
#include "evidence/snp/cache.h"
#include "evidence/snp/snp.h"
#include "harness/tap.h"
#include "store/store.h"
#include "verify/verifier.h"

#define DEC "tests/vectors/maa/spec-examples/decoded/stable-2025-06-01_AttestSevSnpVm"
#define EX "tests/vectors/maa/spec-examples/specs/Attestation/stable/2025-06-01/examples/AttestSevSnpVm.json"

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *path(const char *rel)
{
	static char buf[4096];
	const char *src = getenv("ATT_SRC_DIR");
	snprintf(buf, sizeof(buf), "%s/%s", src ? src : ".", rel);
	return buf;
}

struct ctx {
	uint8_t *rep;
	size_t rep_len;
	struct att_cert **chain; /* VCEK, ASK, ARK */
	size_t n;
	struct att_snp_trust *trust;
	struct att_snp_cache *cache;
	struct att_verifier *v;
	struct att_store *st;
	char *body;
	int64_t at;
};

static int report_with(struct ctx *c, struct att_snp_cache *cache)
{
	struct att_snp_result res;
	struct att_snp_certs sc = {.vek = c->chain[0], .chain = c->chain + 1,
				   .n_chain = c->n - 1};
	struct att_snp_appraisal ap = {.max_vmpl = 3};
	return att_snp_verify_cached(cache, &res, c->rep, c->rep_len, &sc,
				     c->trust, &ap, c->at, NULL);
}

static int one_report_nocache(struct ctx *c)
{
	return report_with(c, NULL);
}

static int one_report(struct ctx *c)
{
	return report_with(c, c->cache);
}

static int one_request(struct ctx *c)
{
	struct att_verify_req rq = {.body = (const uint8_t *)c->body,
				    .body_len = strlen(c->body),
				    .provider = "default",
				    .now = c->at};
	rq.limits = (struct att_policy_limits){
		.max_rules = 100, .max_jmespath = 100, .max_nesting = 16};
	rq.budget = (struct att_policy_budget){
		.steps = 100000, .bytes = 1 << 20, .ms = 1000};
	struct att_verify_result res;
	att_verify_result_init(&res);
	int r = att_verify_snp(c->v, &rq, &res);
	att_verify_result_release(&res);
	return r;
}

static void run(const char *name, int (*fn)(struct ctx *), struct ctx *c,
		double seconds)
{
	for (int i = 0; i < 20; i++) /* warm-up */
		if (fn(c) != 0) {
			printf("%s FAILED\n", name);
			return;
		}
	double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
	long n = 0;
	while (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0 < seconds) {
		for (int i = 0; i < 10; i++)
			if (fn(c) != 0) {
				printf("%s FAILED\n", name);
				return;
			}
		n += 10;
	}
	double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	double wall = clock_s(CLOCK_MONOTONIC) - w0;
	printf("%s %.1f %.1f\n", name, (double)n / cpu, (double)n / wall);
}

static int setup(struct ctx *c, char *db)
{
	size_t len = 0;
	struct att_diag d = {0};
	struct att_verifier_cfg cfg = {0};
	if (att_time_parse(&c->at, "2022-09-21T21:47:31Z") ||
	    !(c->rep = att_read_file(path(DEC "/snp_report.bin"), &c->rep_len)))
		return 1;
	char *pem = (char *)att_read_file(path(DEC "/vcek_chain.pem"), &len);
	if (!pem || att_cert_chain_from_pem(&c->chain, &c->n, pem, len) ||
	    c->n != 3 || att_snp_trust_new_amd(&c->trust) ||
	    att_snp_cache_new(&c->cache, 0))
		return 1;
	free(pem);
	json_t *ex = json_load_file(path(EX), 0, NULL);
	json_t *b = json_object_get(json_object_get(ex, "parameters"), "body");
	c->body = b ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(ex);
	if (!c->body || att_store_open_sqlite(&c->st, db, &d))
		return 1;
	cfg.store = c->st;
	cfg.verify_time = c->at;
	return att_verifier_new(&c->v, &cfg, &d) ? 1 : 0;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0;
	char dir[] = "/tmp/att_bench_snp_XXXXXX", db[64];
	struct ctx c;
	memset(&c, 0, sizeof(c));
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof(db), "%s/attestd.db", dir);
	if (setup(&c, db)) {
		fprintf(stderr, "bench_snp: cannot load %s (set ATT_SRC_DIR)\n",
			path(DEC));
		return 1;
	}
	run("report_nocache", one_report_nocache, &c, seconds);
	run("report", one_report, &c, seconds);
	run("request", one_request, &c, seconds);
	att_verifier_free(c.v);
	att_store_close(c.st);
	att_snp_trust_free(c.trust);
	att_snp_cache_free(c.cache);
	att_cert_chain_free(c.chain, c.n);
	free(c.rep);
	free(c.body);
	unlink(db);
	rmdir(dir);
	return 0;
}
