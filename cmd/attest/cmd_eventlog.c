/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest eventlog show|replay: read a TCG PC Client event log (e.g.
 * /sys/kernel/security/tpm0/binary_bios_measurements), list its events or
 * the PCR values it replays to. Events whose digest does not match their
 * data are reported on stderr, naming the event and its PCR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest/err.h"
#include "base/diag.h"
#include "codec/hex.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "evidence/tcg/replay.h"
#include "evidence/tpm/tpm_alg.h"

int att_cmd_eventlog_show(int argc, char **argv);
int att_cmd_eventlog_replay(int argc, char **argv);

struct opts {
	const char *file;
	const char *bank;
	int json;
	int strict;
};

static int parse_opts(struct opts *o, int argc, char **argv, const char *usage)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			o->json = 1;
		else if (!strcmp(argv[i], "--strict"))
			o->strict = 1;
		else if (!strcmp(argv[i], "--bank") && i + 1 < argc)
			o->bank = argv[++i];
		else if (argv[i][0] != '-' && !o->file)
			o->file = argv[i];
		else
			goto bad;
	}
	if (o->file)
		return 0;
bad:
	fprintf(stderr, "usage: %s\n", usage);
	return -1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = ATT_MAX_EVENTLOG_LEN + 1, n = 0, k;
	unsigned char *b;
	if (!f) {
		fprintf(stderr, "attest: cannot open %s\n", path);
		return NULL;
	}
	b = malloc(cap);
	while (b && n < cap && (k = fread(b + n, 1, cap - n, f)) > 0)
		n += k;
	fclose(f);
	*len = n; /* a file longer than the limit reads as limit + 1 */
	return b;
}

struct loaded {
	unsigned char *buf;
	size_t len;
	struct att_tcg_log log;
	struct att_tcg_check_result *res;
};

static void unload(struct loaded *l)
{
	att_tcg_log_release(&l->log);
	free(l->res);
	free(l->buf);
}

/* warn_mismatches reports every event whose digest is not its data's. */
static size_t warn_mismatches(const struct loaded *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->log.num_events; i++) {
		const struct att_tcg_event *ev = &l->log.events[i];
		const char *tn = att_tcg_event_type_name(ev->type);
		const char *q = att_tcg_quirk_name(l->res[i].quirk);
		if (l->res[i].status != ATT_TCG_CHECK_MISMATCH)
			continue;
		fprintf(stderr, "warning: event %u (PCR %u, %s): digest does "
			"not match its data%s%s%s\n", ev->seq, ev->pcr,
			tn ? tn : "unknown type", q ? " (digest matches " : "",
			q ? q : "", q ? ")" : "");
		n++;
	}
	return n;
}

static int load(struct loaded *l, const char *file)
{
	struct att_diag d;
	int r;
	memset(l, 0, sizeof(*l));
	att_diag_clear(&d);
	if (!(l->buf = slurp(file, &l->len)))
		return -1;
	if ((r = att_tcg_log_parse(&l->log, l->buf, l->len, &d)) != 0) {
		fprintf(stderr, "attest: %s: %s\n", file, att_diag_msg(&d));
		return r;
	}
	l->res = calloc(l->log.num_events, sizeof(*l->res));
	if (!l->res)
		return ATT_ERR_NOMEM;
	att_tcg_check_digests(l->res, &l->log, NULL, NULL);
	return 0;
}

static void print_event(const struct loaded *l, const struct att_tcg_event *ev)
{
	const char *tn = att_tcg_event_type_name(ev->type);
	json_t *pd = att_tcg_processed_data(&l->log, ev);
	char *pds = pd ? json_dumps(pd, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	printf("%4u  PCR %-2u  %-34s %6u bytes  %s\n", ev->seq, ev->pcr,
	       tn ? tn : "(unknown type)", ev->data_len,
	       att_tcg_check_name(l->res[ev->seq].status));
	for (uint32_t i = 0; i < ev->num_digests; i++) {
		char h[2 * ATT_TPM_MAX_DIGEST_LEN + 1];
		const char *an = att_tcg_alg_name(ev->digests[i].alg);
		att_hex_encode(h, sizeof(h), ev->digests[i].p,
			       ev->digests[i].len, false);
		printf("      %-8s %s\n", an ? an : "?", h);
	}
	if (pds)
		printf("      %s\n", pds);
	free(pds);
	json_decref(pd);
}

static int show_text(const struct loaded *l)
{
	printf("format: %s, %zu events, banks:",
	       l->log.format == ATT_TCG_FORMAT_CRYPTO_AGILE ? "crypto-agile"
							    : "sha1",
	       l->log.num_events);
	for (uint32_t i = 0; i < l->log.num_banks; i++) {
		const char *an = att_tcg_alg_name(l->log.banks[i].alg);
		if (an)
			printf(" %s", an);
		else
			printf(" 0x%04x", l->log.banks[i].alg);
	}
	printf("\n");
	for (size_t i = 0; i < l->log.num_events; i++)
		print_event(l, &l->log.events[i]);
	return 0;
}

static int print_json(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	if (!s) {
		fprintf(stderr, "attest: out of memory\n");
		return 1;
	}
	printf("%s\n", s);
	free(s);
	return 0;
}

int att_cmd_eventlog_show(int argc, char **argv)
{
	struct opts o;
	struct loaded l;
	size_t bad;
	int rc = 1;
	if (parse_opts(&o, argc, argv, "attest eventlog show FILE [--json] "
		       "[--strict]") != 0)
		return 2;
	if (load(&l, o.file) != 0)
		goto out;
	bad = warn_mismatches(&l);
	if (o.json) {
		json_t *j = att_tcg_events_json(&l.log, l.res);
		rc = print_json(j);
		json_decref(j);
	} else {
		rc = show_text(&l);
	}
	if (bad && o.strict)
		rc = 1;
out:
	unload(&l);
	return rc;
}

static void print_bank_text(const struct att_tpm_pcr_bank *b)
{
	printf("%s:\n", att_tcg_alg_name(b->alg));
	for (uint32_t p = 0; p < ATT_TPM_NUM_PCRS; p++) {
		char h[2 * ATT_TPM_MAX_DIGEST_LEN + 1];
		if (!(b->mask & (1u << p)))
			continue;
		att_hex_encode(h, sizeof(h), b->value[p], b->size, false);
		printf("  %-2u : 0x%s\n", p, h);
	}
}

/* select_bank keeps only the bank named by --bank. */
static int select_bank(struct att_tcg_replay *rp, const char *name)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info_by_name(name);
	const struct att_tpm_pcr_bank *b =
		hi ? att_tpm_pcrs_bank_const(&rp->pcrs, hi->alg) : NULL;
	if (!b) {
		fprintf(stderr, "attest: the log has no computable %s bank\n",
			name);
		return -1;
	}
	rp->pcrs.banks[0] = *b;
	rp->pcrs.num_banks = 1;
	return 0;
}

static void warn_unknown(const struct att_tcg_replay *rp)
{
	for (uint32_t i = 0; i < rp->pcrs.num_banks; i++)
		for (uint32_t p = 0; p < ATT_TPM_NUM_PCRS; p++)
			if (rp->unknown[i] & (1u << p))
				fprintf(stderr, "warning: PCR %u (%s): an "
					"event has no digest of this bank; "
					"value unknown\n", p,
					att_tcg_alg_name(rp->pcrs.banks[i].alg));
}

int att_cmd_eventlog_replay(int argc, char **argv)
{
	struct opts o;
	struct loaded l;
	struct att_tcg_replay *rp = NULL;
	struct att_diag d;
	int rc = 1;
	if (parse_opts(&o, argc, argv, "attest eventlog replay FILE "
		       "[--bank ALG] [--json] [--strict]") != 0)
		return 2;
	att_diag_clear(&d);
	if (load(&l, o.file) != 0 || !(rp = malloc(sizeof(*rp))))
		goto out;
	size_t bad = warn_mismatches(&l);
	if (att_tcg_replay(rp, &l.log, &d) != 0) {
		fprintf(stderr, "attest: %s: %s\n", o.file, att_diag_msg(&d));
		goto out;
	}
	warn_unknown(rp);
	if (o.bank && select_bank(rp, o.bank) != 0)
		goto out;
	if (o.json) {
		json_t *j = att_tpm_pcrs_to_json(&rp->pcrs);
		rc = print_json(j);
		json_decref(j);
	} else {
		for (uint32_t i = 0; i < rp->pcrs.num_banks; i++)
			if (rp->pcrs.banks[i].mask)
				print_bank_text(&rp->pcrs.banks[i]);
		rc = 0;
	}
	if (bad && o.strict)
		rc = 1;
out:
	free(rp);
	unload(&l);
	return rc;
}
