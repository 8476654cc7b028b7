/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCG event log parser: every shared log parses to the format, banks,
 * event count and size its expected_pcrs.json entry records; every prefix
 * of every log either parses (exactly at record boundaries) or fails with
 * ATT_ERR_TRUNCATED; targeted corruptions fail with the error that names
 * them; random mutations never crash; the hard limits hold.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "evidence/tcg/replay.h"
#include "harness/tap.h"

static char dir[4096];

static unsigned char *load(const char *name, size_t *len)
{
	char p[8192];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return att_read_file(p, len);
}

static void check_banks(const struct att_tcg_log *log, json_t *algs,
			const char *name)
{
	const char *an;
	json_t *sz;
	size_t n = json_object_size(algs);
	if (log->format == ATT_TCG_FORMAT_SHA1) {
		ATT_CHECK(n == 0 && log->num_banks == 1 &&
			  log->banks[0].alg == 0x0004, "%s: SHA-1 bank", name);
		return;
	}
	ATT_CHECK(log->num_banks == n, "%s: %u banks, expected %zu", name,
		  log->num_banks, n);
	json_object_foreach(algs, an, sz) {
		int found = 0;
		for (uint32_t i = 0; i < log->num_banks; i++)
			if (att_tcg_alg_name(log->banks[i].alg) &&
			    !strcmp(att_tcg_alg_name(log->banks[i].alg), an) &&
			    log->banks[i].size == json_integer_value(sz))
				found = 1;
		ATT_CHECK(found, "%s: bank %s missing", name, an);
	}
}

/* test_all_logs: format, banks, counts of every log in the data set. */
static void test_all_logs(json_t *exp)
{
	const char *name;
	json_t *e;
	int logs = 0;
	json_object_foreach(exp, name, e) {
		size_t len = 0;
		unsigned char *b = load(name, &len);
		struct att_tcg_log log;
		struct att_diag d;
		att_diag_clear(&d);
		ATT_CHECK(b != NULL, "%s: cannot read", name);
		if (!b)
			continue;
		int r = att_tcg_log_parse(&log, b, len, &d);
		ATT_CHECK(r == 0, "%s: parse: %s", name, att_diag_msg(&d));
		const char *fmt = json_string_value(json_object_get(e, "format"));
		ATT_CHECK_EQ_STR(log.format == ATT_TCG_FORMAT_CRYPTO_AGILE
					 ? "crypto-agile" : "sha1-legacy", fmt);
		ATT_CHECK_EQ_INT(log.num_events, json_integer_value(json_object_get(
						     e, "events_including_header")));
		ATT_CHECK_EQ_INT(len, json_integer_value(json_object_get(e, "bytes_parsed")));
		check_banks(&log, json_object_get(e, "spec_id_algorithms"), name);
		for (size_t i = 0; i < log.num_events; i++)
			ATT_CHECK(log.events[i].seq == i, "%s: seq", name);
		att_tcg_log_release(&log);
		free(b);
		logs++;
	}
	ATT_CHECK(logs >= 22, "only %d logs in expected_pcrs.json", logs);
}

/* boundaries marks every offset at which a prefix is a whole log. */
static unsigned char *boundaries(const struct att_tcg_log *log, size_t len)
{
	unsigned char *ok = calloc(len + 1, 1);
	for (size_t i = 1; ok && i < log->num_events; i++)
		ok[log->events[i].offset] = 1;
	if (ok)
		ok[len] = 1;
	return ok;
}

/* test_truncation: every prefix of every log; exact-size copies (so that
 * ASan sees any over-read) for the first and last 1 KiB and every record
 * boundary +-1 of each log. */
static void test_truncation(json_t *exp)
{
	const char *name;
	json_t *e;
	json_object_foreach(exp, name, e) {
		size_t len = 0, bad = 0;
		unsigned char *b = load(name, &len), *ok;
		struct att_tcg_log full;
		(void)e;
		if (!b || att_tcg_log_parse(&full, b, len, NULL) != 0) {
			free(b);
			continue;
		}
		ok = boundaries(&full, len);
		for (size_t k = 0; ok && k < len; k++) {
			struct att_tcg_log log;
			bool exact = k < 1024 || len - k < 1024 || ok[k] ||
				     ok[k + 1] || (k && ok[k - 1]);
			unsigned char *c = exact ? malloc(k ? k : 1) : b;
			memcpy(c, b, k);
			int r = att_tcg_log_parse(&log, c, k, NULL);
			if (ok[k] ? r != 0 : r != ATT_ERR_TRUNCATED)
				bad++;
			att_tcg_log_release(&log);
			if (exact)
				free(c);
		}
		ATT_CHECK(bad == 0, "%s: %zu prefixes misclassified", name, bad);
		free(ok);
		att_tcg_log_release(&full);
		free(b);
	}
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* expect parses a modified copy and checks error and message. */
static void expect(const unsigned char *b, size_t len, int want,
		   const char *needle, const char *what)
{
	struct att_tcg_log log;
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_tcg_log_parse(&log, b, len, &d);
	ATT_CHECK(r == want, "%s: got %s (%s), want %s", what, att_errname(r),
		  att_diag_msg(&d), att_errname(want));
	if (needle)
		ATT_CHECK(strstr(att_diag_msg(&d), needle) != NULL,
			  "%s: message \"%s\" lacks \"%s\"", what,
			  att_diag_msg(&d), needle);
	att_tcg_log_release(&log);
}

/* test_targeted: corruptions of tpm2tools_event-uefivar.bin (Spec ID with
 * 4 banks, one event with 2 digests at offset 0x4d). */
static void test_targeted(void)
{
	size_t len = 0;
	unsigned char *b = load("tpm2tools_event-uefivar.bin", &len), *c;
	if (!b || len < 0x60)
		return;
	c = malloc(len + 1);
	/* digest algorithm not listed in the Spec ID event (SM3 0x0012) */
	memcpy(c, b, len);
	c[0x4d + 12] = 0x12;
	c[0x4d + 13] = 0x00;
	expect(c, len, ATT_ERR_FORMAT, "0x0012", "unlisted algorithm");
	/* the same algorithm twice */
	memcpy(c, b, len);
	c[0x4d + 12 + 2 + 20] = 0x04;
	c[0x4d + 12 + 2 + 20 + 1] = 0x00;
	expect(c, len, ATT_ERR_FORMAT, "two digests", "duplicate digest");
	/* more digests than banks */
	memcpy(c, b, len);
	put_le32(c + 0x4d + 8, 5);
	expect(c, len, ATT_ERR_FORMAT, "5 digests", "digest count");
	memcpy(c, b, len);
	put_le32(c + 0x4d + 8, 0);
	expect(c, len, ATT_ERR_FORMAT, "0 digests", "zero digests");
	/* PCR index 24 */
	memcpy(c, b, len);
	put_le32(c + 0x4d, 24);
	expect(c, len, ATT_ERR_FORMAT, "PCR index 24", "PCR index");
	/* numberOfAlgorithms 0 and 9 (offset 32 + 24 = 56) */
	memcpy(c, b, len);
	put_le32(c + 56, 0);
	expect(c, len, ATT_ERR_FORMAT, "no algorithm", "zero algorithms");
	memcpy(c, b, len);
	put_le32(c + 56, 9);
	expect(c, len, ATT_ERR_LIMIT, "9 algorithms", "nine algorithms");
	/* sha256 declared with 20 bytes (second entry at 60 + 4) */
	memcpy(c, b, len);
	c[60 + 4 + 2] = 20;
	expect(c, len, ATT_ERR_FORMAT, "sha256 digests are 32", "wrong size");
	/* sha1 listed twice */
	memcpy(c, b, len);
	c[60 + 4] = 0x04;
	c[60 + 5] = 0x00;
	c[60 + 6] = 20;
	expect(c, len, ATT_ERR_FORMAT, "listed twice", "duplicate bank");
	/* trailing garbage after vendorInfo: Spec ID event size + 1 */
	memcpy(c, b, len);
	put_le32(c + 28, 46);
	expect(c, len, ATT_ERR_FORMAT, NULL, "spec id size");
	/* event data larger than ATT_MAX_EVENT_DATA_LEN */
	memcpy(c, b, len);
	put_le32(c + 0x4d + 12 + 22 + 34, ATT_MAX_EVENT_DATA_LEN + 1);
	expect(c, len, ATT_ERR_LIMIT, "ATT_MAX_EVENT_DATA_LEN", "data limit");
	/* one stray byte after the last record */
	memcpy(c, b, len);
	c[len] = 0;
	expect(c, len + 1, ATT_ERR_TRUNCATED, "offset", "stray byte");
	/* an empty log */
	expect(c, 0, ATT_ERR_TRUNCATED, "empty", "empty log");
	free(c);
	free(b);
}

/* test_limits: ATT_MAX_EVENTS and ATT_MAX_EVENTLOG_LEN on synthetic
 * SHA-1 logs of minimal records (32 bytes each). */
static void test_limits(void)
{
	size_t n = ATT_MAX_EVENTS + 1, len = n * 32;
	unsigned char *b = calloc(len, 1);
	struct att_tcg_log log;
	for (size_t i = 0; b && i < n; i++)
		put_le32(b + i * 32 + 4, 0x0D); /* EV_IPL, PCR 0, empty */
	expect(b, len, ATT_ERR_LIMIT, "ATT_MAX_EVENTS", "event count limit");
	ATT_CHECK(att_tcg_log_parse(&log, b, len - 32, NULL) == 0 &&
			  log.num_events == ATT_MAX_EVENTS,
		  "exactly ATT_MAX_EVENTS events parse");
	att_tcg_log_release(&log);
	expect(b, (size_t)ATT_MAX_EVENTLOG_LEN + 1, ATT_ERR_LIMIT,
	       "ATT_MAX_EVENTLOG_LEN", "log size limit");
	free(b);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* exercise runs everything downstream of a successful parse. */
static void exercise(const unsigned char *c, size_t len, size_t *parsed)
{
	struct att_tcg_log log;
	struct att_tcg_replay rp;
	if (att_tcg_log_parse(&log, c, len, NULL) == 0) {
		struct att_tcg_check_result *res =
			calloc(log.num_events, sizeof(*res));
		att_tcg_replay(&rp, &log, NULL);
		if (res)
			att_tcg_check_digests(res, &log, NULL, NULL);
		json_decref(att_tcg_events_json(&log, res));
		free(res);
		(*parsed)++;
	}
	att_tcg_log_release(&log);
}

/* test_mutations: random byte flips and integer overwrites. */
static void test_mutations(void)
{
	static const char *logs[] = {"tpm2tools_event-bootorder.bin",
				     "goattestation_windows_gcp_shielded_vm.bin",
				     "confidential-gke-debug-251000_eventlog.bin",
				     "tpm2tools_event-uefiservices.bin"};
	size_t parsed = 0, runs = 0;
	for (size_t l = 0; l < 4; l++) {
		size_t len = 0;
		unsigned char *b = load(logs[l], &len), *c;
		if (!b)
			continue;
		c = malloc(len);
		for (int i = 0; c && i < 600; i++, runs++) {
			memcpy(c, b, len);
			size_t at = next() % len;
			if (i % 3 == 0)
				c[at] ^= (unsigned char)(1u << (next() % 8));
			else if (at + 4 <= len)
				put_le32(c + at, (uint32_t)next() >>
							 (next() % 32));
			exercise(c, len, &parsed);
		}
		free(c);
		free(b);
	}
	ATT_CHECK(runs == 2400, "ran %zu mutations", runs);
	ATT_CHECK(parsed > 0 && parsed < runs, "%zu of %zu mutants parsed",
		  parsed, runs);
}

static void test_type_names(void)
{
	uint32_t t = 0;
	ATT_CHECK_EQ_STR(att_tcg_event_type_name(0x80000007u), "EV_EFI_ACTION");
	ATT_CHECK_EQ_STR(att_tcg_event_type_name(0x800000E4u),
			 "EV_EFI_SPDM_DEVICE_AUTHORITY");
	ATT_CHECK_EQ_STR(att_tcg_event_type_name(0x13), "EV_POST_CODE2");
	ATT_CHECK(att_tcg_event_type_name(0x14) == NULL, "0x14 unnamed");
	ATT_CHECK(att_tcg_event_type_name(0x80000011u) == NULL, "reserved");
	ATT_CHECK(att_tcg_event_type_from_name("EV_IPL", &t) == 0 && t == 0xD,
		  "EV_IPL");
	ATT_CHECK(att_tcg_event_type_from_name("EV_NOPE", &t) ==
			  ATT_ERR_NOT_FOUND, "unknown name");
	/* every name maps back to its value */
	int n = 0;
	for (uint64_t v = 0; v <= 0x800000FFull; v = v == 0x20 ? 0x80000000ull : v + 1) {
		const char *nm = att_tcg_event_type_name((uint32_t)v);
		if (!nm)
			continue;
		ATT_CHECK(att_tcg_event_type_from_name(nm, &t) == 0 && t == v,
			  "%s round trip", nm);
		n++;
	}
	ATT_CHECK_EQ_INT(n, 40);
}

int main(void)
{
	json_t *exp;
	json_error_t je;
	char p[8192];
	ATT_REQUIRE_TESTDATA();
	snprintf(dir, sizeof(dir), "%s/tpm/eventlogs", att_testdata());
	snprintf(p, sizeof(p), "%s/expected_pcrs.json", dir);
	exp = json_load_file(p, 0, &je);
	ATT_CHECK(exp != NULL, "expected_pcrs.json: %s", je.text);
	if (!exp)
		return att_test_done();
	test_all_logs(exp);
	test_truncation(exp);
	test_targeted();
	test_limits();
	test_mutations();
	test_type_names();
	json_decref(exp);
	return att_test_done();
}
