/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event log throughput on the largest shared log (keylime's
 * binary_bios_measurements, 49 KB, 121 events, SHA-1 + SHA-256): parse,
 * replay, parse + replay, digest checks, and the events JSON, each run
 * for about a second; prints ops/s and MB/s of log bytes.
 * Usage: bench_eventlog [LOG] [SECONDS]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "evidence/tcg/replay.h"
#include "harness/tap.h"

static const unsigned char *g_buf;
static size_t g_len;
static struct att_tcg_log g_log;
static struct att_tcg_check_result *g_res;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int op_parse(void)
{
	struct att_tcg_log log;
	int r = att_tcg_log_parse(&log, g_buf, g_len, NULL);
	att_tcg_log_release(&log);
	return r;
}

static int op_replay(void)
{
	static struct att_tcg_replay rp;
	return att_tcg_replay(&rp, &g_log, NULL);
}

static int op_parse_replay(void)
{
	static struct att_tcg_replay rp;
	struct att_tcg_log log;
	int r = att_tcg_log_parse(&log, g_buf, g_len, NULL);
	if (!r)
		r = att_tcg_replay(&rp, &log, NULL);
	att_tcg_log_release(&log);
	return r;
}

static int op_check(void)
{
	return att_tcg_check_digests(g_res, &g_log, NULL, NULL) == 0 ? 0 : 0;
}

static int op_json(void)
{
	json_t *j = att_tcg_events_json(&g_log, g_res);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int r = s ? 0 : -1;
	free(s);
	json_decref(j);
	return r;
}

static void bench(const char *name, int (*op)(void), double secs)
{
	double t0 = now(), t;
	long n = 0;
	do {
		for (int i = 0; i < 16; i++, n++)
			if (op() != 0) {
				printf("%-22s failed\n", name);
				return;
			}
		t = now() - t0;
	} while (t < secs);
	printf("%-22s %10.0f ops/s  %8.1f MB/s  (%.1f us/op)\n", name, n / t,
	       (double)n * (double)g_len / t / 1e6, t / (double)n * 1e6);
}

int main(int argc, char **argv)
{
	char path[8192];
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
	} else {
		if (!att_testdata()) {
			fprintf(stderr, "bench_eventlog: no test data (set "
				"ATTESTD_TESTDATA) and no LOG given\n");
			return 77;
		}
		snprintf(path, sizeof(path), "%s/tpm/eventlogs/"
			 "keylime_binary_bios_measurements.bin", att_testdata());
	}
	unsigned char *b = att_read_file(path, &g_len);
	if (!b || att_tcg_log_parse(&g_log, b, g_len, NULL) != 0) {
		fprintf(stderr, "bench_eventlog: cannot parse %s\n", path);
		return 1;
	}
	g_buf = b;
	g_res = calloc(g_log.num_events, sizeof(*g_res));
	printf("log: %s (%zu bytes, %zu events, %u banks)\n", path, g_len,
	       g_log.num_events, g_log.num_banks);
	bench("parse", op_parse, secs);
	bench("replay", op_replay, secs);
	bench("parse+replay", op_parse_replay, secs);
	bench("digest checks", op_check, secs);
	bench("events JSON", op_json, secs);
	free(g_res);
	att_tcg_log_release(&g_log);
	free(b);
	return 0;
}
