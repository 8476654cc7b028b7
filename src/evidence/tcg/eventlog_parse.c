/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event log parser. Format detection follows PFP §9.4.5.1 as the Linux
 * kernel, tpm2-tools and go-attestation apply it: the first record is read
 * in the SHA-1 layout; if it is an EV_NO_ACTION in PCR 0 with a zero digest
 * whose data begins with "Spec ID Event03\0", the log is crypto-agile and
 * the rest are TCG_PCR_EVENT2 records whose digest sizes come from that
 * event. Anything else is a SHA-1 log, and its first record is an ordinary
 * event. All reads go through struct att_cur; each record is read on a copy
 * of the cursor and committed only when whole.
 */
#include "evidence/tcg/eventlog.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "evidence/tpm/tpm_alg.h"

static const uint8_t specid_sig[16] = "Spec ID Event03";

#define SHA1_LEN 20

static size_t offset_of(const struct att_tcg_log *log, const struct att_cur *c)
{
	return (size_t)(c->p - log->buf);
}

static int append(struct att_tcg_log *log, const struct att_tcg_event *ev,
		  struct att_diag *diag)
{
	if (log->num_events >= ATT_MAX_EVENTS)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "tcg: more than %d events (ATT_MAX_EVENTS)",
				    ATT_MAX_EVENTS);
	if (log->num_events == log->events_cap) {
		/* Grow as events really arrive; never size from the input. */
		size_t cap = log->events_cap ? log->events_cap * 2 : 64;
		if (cap > ATT_MAX_EVENTS)
			cap = ATT_MAX_EVENTS;
		struct att_tcg_event *n =
			realloc(log->events, cap * sizeof(*n));
		if (!n)
			return att_diag_set(diag, ATT_ERR_NOMEM,
					    "tcg: out of memory");
		log->events = n;
		log->events_cap = cap;
	}
	log->events[log->num_events++] = *ev;
	return 0;
}

/* read_data reads EventSize and the event data. */
static int read_data(struct att_cur *c, struct att_tcg_event *ev,
		     struct att_diag *diag)
{
	uint32_t size;
	struct att_cur d;
	int r;
	if ((r = att_cur_get_u32le(c, &size)) != 0)
		return att_diag_set(diag, r, "tcg: event %u at offset %zu: "
				    "truncated before its size", ev->seq,
				    ev->offset);
	if (size > ATT_MAX_EVENT_DATA_LEN)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "tcg: event %u at offset %zu: %u bytes of "
				    "data exceed ATT_MAX_EVENT_DATA_LEN",
				    ev->seq, ev->offset, size);
	if ((r = att_cur_get_bytes(c, &d, size)) != 0)
		return att_diag_set(diag, r, "tcg: event %u at offset %zu: "
				    "%u bytes of data run past the end",
				    ev->seq, ev->offset, size);
	ev->data = d.p;
	ev->data_len = size;
	return 0;
}

/* check_pcr: PC Client PCRs are 0..23. Windows logs also carry
 * EV_NO_ACTION events whose PCR index is 0xFFFFFFFF (ATT_TCG_PCR_NONE):
 * they name no PCR, are never extended and are accepted only with that
 * type (docs/eventlog.md "Formats"). */
static int check_pcr(const struct att_tcg_event *ev, struct att_diag *diag)
{
	if (ev->pcr == ATT_TCG_PCR_NONE && ev->type == ATT_EV_NO_ACTION)
		return 0;
	if (ev->pcr >= ATT_TCG_NUM_PCRS)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tcg: event %u at offset %zu: PCR index %u "
				    "is not a PC Client PCR (0-23)",
				    ev->seq, ev->offset, ev->pcr);
	return 0;
}

/* read_legacy reads one TCG_PCR_EVENT (SHA-1 layout). */
static int read_legacy(const struct att_tcg_log *log, struct att_cur *cur,
		       struct att_tcg_event *ev, struct att_diag *diag)
{
	struct att_cur c = *cur, dg;
	int r;
	ev->offset = offset_of(log, &c);
	if ((r = att_cur_get_u32le(&c, &ev->pcr)) != 0 ||
	    (r = att_cur_get_u32le(&c, &ev->type)) != 0 ||
	    (r = att_cur_get_bytes(&c, &dg, SHA1_LEN)) != 0)
		return att_diag_set(diag, r, "tcg: event %u at offset %zu: "
				    "truncated header", ev->seq, ev->offset);
	if ((r = read_data(&c, ev, diag)) != 0 ||
	    (r = check_pcr(ev, diag)) != 0)
		return r;
	ev->num_digests = 1;
	ev->digests[0].alg = ATT_TPM_ALG_SHA1;
	ev->digests[0].len = SHA1_LEN;
	ev->digests[0].p = dg.p;
	*cur = c;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

static bool is_specid(const struct att_tcg_event *ev)
{
	return ev->type == ATT_EV_NO_ACTION && ev->pcr == 0 &&
	       all_zero(ev->digests[0].p, SHA1_LEN) && ev->data_len >= 16 &&
	       !memcmp(ev->data, specid_sig, sizeof(specid_sig));
}

/* add_bank appends one {algorithmId, digestSize} of the Spec ID event. */
static int add_bank(struct att_tcg_log *log, uint16_t alg, uint16_t size,
		    struct att_diag *diag)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	if (size == 0 || size > ATT_TPM_MAX_DIGEST_LEN)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tcg: Spec ID event: digest size %u of "
				    "algorithm 0x%04x is impossible", size, alg);
	if (hi && hi->size != size)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tcg: Spec ID event: %s digests are %zu "
				    "bytes, not %u", hi->name, hi->size, size);
	if (att_tcg_log_bank(log, alg) >= 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tcg: Spec ID event: algorithm 0x%04x "
				    "listed twice", alg);
	log->banks[log->num_banks].alg = alg;
	log->banks[log->num_banks].size = size;
	log->num_banks++;
	return 0;
}

static int read_algs(struct att_tcg_log *log, struct att_cur *c,
		     struct att_diag *diag)
{
	uint32_t n;
	int r;
	if (att_cur_get_u32le(c, &n) != 0)
		return ATT_ERR_TRUNCATED;
	if (n == 0)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tcg: Spec ID event "
				    "lists no algorithm");
	if (n > ATT_MAX_DIGESTS_PER_EVENT)
		return att_diag_set(diag, ATT_ERR_LIMIT, "tcg: Spec ID event "
				    "lists %u algorithms (limit %d)", n,
				    ATT_MAX_DIGESTS_PER_EVENT);
	for (uint32_t i = 0; i < n; i++) {
		uint16_t alg, size;
		if (att_cur_get_u16le(c, &alg) != 0 ||
		    att_cur_get_u16le(c, &size) != 0)
			return ATT_ERR_TRUNCATED;
		if ((r = add_bank(log, alg, size, diag)) != 0)
			return r;
	}
	return 0;
}

/* parse_specid decodes TCG_EfiSpecIDEvent; the record itself was whole,
 * so a short structure inside it is ATT_ERR_FORMAT, not truncation. */
static int parse_specid(struct att_tcg_log *log, const struct att_tcg_event *ev,
			struct att_diag *diag)
{
	struct att_cur c, vi;
	struct att_tcg_specid *s = &log->specid;
	int r;
	att_cur_init(&c, ev->data, ev->data_len);
	if (att_cur_skip(&c, 16) != 0 ||
	    att_cur_get_u32le(&c, &s->platform_class) != 0 ||
	    att_cur_get_u8(&c, &s->version_minor) != 0 ||
	    att_cur_get_u8(&c, &s->version_major) != 0 ||
	    att_cur_get_u8(&c, &s->errata) != 0 ||
	    att_cur_get_u8(&c, &s->uintn_size) != 0)
		goto short_event;
	r = read_algs(log, &c, diag);
	if (r == ATT_ERR_TRUNCATED)
		goto short_event;
	if (r)
		return r;
	if (att_cur_get_u8(&c, &s->vendor_info_len) != 0 ||
	    att_cur_get_bytes(&c, &vi, s->vendor_info_len) != 0)
		goto short_event;
	s->vendor_info = vi.p;
	if (att_cur_expect_end(&c) != 0)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tcg: Spec ID event: "
				    "%zu bytes after vendorInfo", c.len);
	return 0;
short_event:
	return att_diag_set(diag, ATT_ERR_FORMAT, "tcg: Spec ID event: "
			    "%u bytes of data are too short for its fields",
			    ev->data_len);
}

/* read_digests reads the TPML_DIGEST_VALUES of a TCG_PCR_EVENT2. */
static int read_digests(const struct att_tcg_log *log, struct att_cur *c,
			struct att_tcg_event *ev, struct att_diag *diag)
{
	uint32_t n;
	int r;
	if ((r = att_cur_get_u32le(c, &n)) != 0)
		return att_diag_set(diag, r, "tcg: event %u at offset %zu: "
				    "truncated header", ev->seq, ev->offset);
	if (n == 0 || n > log->num_banks)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "tcg: event %u at offset %zu: %u digests, "
				    "but the Spec ID event lists %u algorithms",
				    ev->seq, ev->offset, n, log->num_banks);
	for (uint32_t i = 0; i < n; i++) {
		struct att_tcg_digest *d = &ev->digests[i];
		struct att_cur v;
		int b;
		if ((r = att_cur_get_u16le(c, &d->alg)) != 0)
			return att_diag_set(diag, r, "tcg: event %u at offset "
					    "%zu: truncated digest list",
					    ev->seq, ev->offset);
		/* Sizes come from the Spec ID table; an unlisted ID has no
		 * known length, so the log cannot be read further. */
		if ((b = att_tcg_log_bank(log, d->alg)) < 0)
			return att_diag_set(diag, ATT_ERR_FORMAT,
					    "tcg: event %u at offset %zu: "
					    "digest algorithm 0x%04x is not "
					    "listed in the Spec ID event",
					    ev->seq, ev->offset, d->alg);
		if (att_tcg_event_digest(ev, d->alg) != NULL)
			return att_diag_set(diag, ATT_ERR_FORMAT,
					    "tcg: event %u at offset %zu: two "
					    "digests of algorithm 0x%04x",
					    ev->seq, ev->offset, d->alg);
		d->len = log->banks[b].size;
		if ((r = att_cur_get_bytes(c, &v, d->len)) != 0)
			return att_diag_set(diag, r, "tcg: event %u at offset "
					    "%zu: truncated digest", ev->seq,
					    ev->offset);
		d->p = v.p;
		ev->num_digests = i + 1;
	}
	return 0;
}

/* read_event2 reads one TCG_PCR_EVENT2 (crypto-agile layout). */
static int read_event2(const struct att_tcg_log *log, struct att_cur *cur,
		       struct att_tcg_event *ev, struct att_diag *diag)
{
	struct att_cur c = *cur;
	int r;
	ev->offset = offset_of(log, &c);
	if ((r = att_cur_get_u32le(&c, &ev->pcr)) != 0 ||
	    (r = att_cur_get_u32le(&c, &ev->type)) != 0)
		return att_diag_set(diag, r, "tcg: event %u at offset %zu: "
				    "truncated header", ev->seq, ev->offset);
	if ((r = read_digests(log, &c, ev, diag)) != 0 ||
	    (r = read_data(&c, ev, diag)) != 0 ||
	    (r = check_pcr(ev, diag)) != 0)
		return r;
	*cur = c;
	return 0;
}

static int read_first(struct att_tcg_log *log, struct att_cur *c,
		      struct att_diag *diag)
{
	struct att_tcg_event ev;
	int r;
	memset(&ev, 0, sizeof(ev));
	if ((r = read_legacy(log, c, &ev, diag)) != 0)
		return r;
	if (is_specid(&ev)) {
		log->format = ATT_TCG_FORMAT_CRYPTO_AGILE;
		if ((r = parse_specid(log, &ev, diag)) != 0)
			return r;
	} else {
		log->format = ATT_TCG_FORMAT_SHA1;
		log->banks[0].alg = ATT_TPM_ALG_SHA1;
		log->banks[0].size = SHA1_LEN;
		log->num_banks = 1;
	}
	return append(log, &ev, diag);
}

int att_tcg_log_parse(struct att_tcg_log *log, const uint8_t *buf, size_t len,
		      struct att_diag *diag)
{
	struct att_cur c;
	int r;
	memset(log, 0, sizeof(*log));
	if (!buf || len == 0)
		return att_diag_set(diag, ATT_ERR_TRUNCATED,
				    "tcg: the event log is empty");
	if (len > ATT_MAX_EVENTLOG_LEN)
		return att_diag_set(diag, ATT_ERR_LIMIT, "tcg: event log of %zu "
				    "bytes exceeds ATT_MAX_EVENTLOG_LEN", len);
	log->buf = buf;
	log->len = len;
	att_cur_init(&c, buf, len);
	if ((r = read_first(log, &c, diag)) != 0)
		return r;
	while (c.len > 0) {
		struct att_tcg_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.seq = (uint32_t)log->num_events;
		r = log->format == ATT_TCG_FORMAT_CRYPTO_AGILE
			    ? read_event2(log, &c, &ev, diag)
			    : read_legacy(log, &c, &ev, diag);
		if (r || (r = append(log, &ev, diag)) != 0)
			return r;
	}
	return 0;
}

void att_tcg_log_release(struct att_tcg_log *log)
{
	if (!log)
		return;
	free(log->events);
	memset(log, 0, sizeof(*log));
}
