/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event log replay: every bank of the log is replayed on its own, each
 * event's digest of that bank extended as PCR := H(PCR || digest), the way
 * the TPM extended it. Initial values, StartupLocality and H-CRTM follow
 * the PFP and the TPM 2.0 library spec (Part 1 §34.3) as tpm2-tools and
 * go-attestation apply them (docs/eventlog.md "Replay"). Comparison with the
 * quoted values names the first event that could explain a difference.
 */
#include "evidence/tcg/replay.h"

#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "evidence/tcg/uefi.h"

static void reset_bank(struct att_tpm_pcr_bank *b)
{
	for (uint32_t i = 0; i < ATT_TPM_NUM_PCRS; i++)
		memset(b->value[i], i >= 17 && i <= 22 ? 0xFF : 0x00, b->size);
	b->mask = 0;
}

/* add_banks makes a bank and a hasher for every log bank this OpenSSL
 * can hash (an algorithm attestd does not know is left out). */
static int add_banks(struct att_tcg_replay *out, const struct att_tcg_log *log,
		     struct att_tpm_hash_ctx **h, struct att_diag *diag)
{
	for (uint32_t i = 0; i < log->num_banks; i++) {
		struct att_tpm_pcr_bank *b;
		struct att_tpm_hash_ctx *c = att_tpm_hash_ctx_new(log->banks[i].alg);
		if (!c)
			continue;
		b = att_tpm_pcrs_add_bank(&out->pcrs, log->banks[i].alg);
		if (!b) {
			att_tpm_hash_ctx_free(c);
			return att_diag_set(diag, ATT_ERR_LIMIT,
					    "tcg: too many banks");
		}
		h[out->pcrs.num_banks - 1] = c; /* transferred */
		reset_bank(b);
	}
	if (out->pcrs.num_banks == 0)
		return att_diag_set(diag, ATT_ERR_ALG, "tcg: no bank of this "
				    "event log uses a hash attestd can compute");
	return 0;
}

/* set_pcr0 gives PCR 0 of every bank the value 0..0 || last. */
static void set_pcr0(struct att_tcg_replay *out, uint8_t last)
{
	for (uint32_t i = 0; i < out->pcrs.num_banks; i++) {
		struct att_tpm_pcr_bank *b = &out->pcrs.banks[i];
		memset(b->value[0], 0, b->size);
		b->value[0][b->size - 1] = last;
	}
}

/* no_action handles an EV_NO_ACTION event: never extended, but a
 * StartupLocality event before any extension of PCR 0 sets its start. */
static void no_action(struct att_tcg_replay *out, const struct att_tcg_event *ev)
{
	uint8_t loc;
	if (ev->pcr != 0 || out->hcrtm || (out->touched & 1u))
		return;
	if (att_tcg_startup_locality_parse(&loc, ev->data, ev->data_len) != 0)
		return;
	out->has_locality = true;
	out->startup_locality = loc;
	set_pcr0(out, loc);
}

static int extend(struct att_tcg_replay *out, const struct att_tcg_event *ev,
		  struct att_tpm_hash_ctx **h)
{
	uint32_t bit = 1u << ev->pcr;
	for (uint32_t i = 0; i < out->pcrs.num_banks; i++) {
		struct att_tpm_pcr_bank *b = &out->pcrs.banks[i];
		const struct att_tcg_digest *d = att_tcg_event_digest(ev, b->alg);
		uint8_t *v = b->value[ev->pcr];
		int r;
		if (!d) {
			out->unknown[i] |= bit;
			continue;
		}
		r = att_tpm_hash_ctx_digest(h[i], v, b->size, v, b->size, d->p,
					    d->len);
		if (r)
			return r;
	}
	if (!(out->touched & bit))
		out->first_event[ev->pcr] = ev->seq;
	out->touched |= bit;
	return 0;
}

static int replay_events(struct att_tcg_replay *out,
			 const struct att_tcg_log *log,
			 struct att_tpm_hash_ctx **h, struct att_diag *diag)
{
	for (size_t e = 0; e < log->num_events; e++) {
		const struct att_tcg_event *ev = &log->events[e];
		int r;
		if (ev->type == ATT_EV_NO_ACTION) {
			no_action(out, ev);
			continue;
		}
		if (ev->type == ATT_EV_EFI_HCRTM_EVENT && ev->pcr == 0 &&
		    !(out->touched & 1u)) {
			out->hcrtm = true;
			set_pcr0(out, 0x04);
		}
		if ((r = extend(out, ev, h)) != 0)
			return att_diag_set(diag, r, "tcg: event %u: cannot "
					    "hash", ev->seq);
	}
	return 0;
}

int att_tcg_replay(struct att_tcg_replay *out, const struct att_tcg_log *log,
		   struct att_diag *diag)
{
	struct att_tpm_hash_ctx *h[ATT_TPM_MAX_BANKS] = {NULL};
	int r;
	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < ATT_TCG_NUM_PCRS; i++)
		out->first_event[i] = ATT_TCG_NO_EVENT;
	if ((r = add_banks(out, log, h, diag)) != 0 ||
	    (r = replay_events(out, log, h, diag)) != 0)
		goto out;
	for (uint32_t i = 0; i < out->pcrs.num_banks; i++)
		out->pcrs.banks[i].mask = out->touched & ~out->unknown[i];
	if (out->touched == 0)
		r = att_diag_set(diag, ATT_ERR_FORMAT, "tcg: the event log "
				 "(%zu events) extends no PCR", log->num_events);
out:
	for (uint32_t i = 0; i < ATT_TPM_MAX_BANKS; i++)
		att_tpm_hash_ctx_free(h[i]);
	return r;
}

static bool explained(const struct att_tcg_check_result *res, size_t i)
{
	return res && (res[i].status == ATT_TCG_CHECK_VERIFIED ||
		       res[i].status == ATT_TCG_CHECK_VERIFIED_QUIRK);
}

/* suspect returns the first event of pcr whose digest could not be
 * recomputed from its data (or, without results, the first event). */
static const struct att_tcg_event *suspect(const struct att_tcg_log *log,
					   const struct att_tcg_check_result *res,
					   uint32_t pcr)
{
	const struct att_tcg_event *first = NULL;
	for (size_t i = 0; i < log->num_events; i++) {
		const struct att_tcg_event *ev = &log->events[i];
		if (ev->pcr != pcr || ev->type == ATT_EV_NO_ACTION)
			continue;
		if (!first)
			first = ev;
		if (res && !explained(res, i))
			return ev;
	}
	return first;
}

static const struct att_tcg_event *missing_digest(const struct att_tcg_log *log,
						  uint32_t pcr, uint16_t alg)
{
	for (size_t i = 0; i < log->num_events; i++) {
		const struct att_tcg_event *ev = &log->events[i];
		if (ev->pcr == pcr && ev->type != ATT_EV_NO_ACTION &&
		    !att_tcg_event_digest(ev, alg))
			return ev;
	}
	return NULL;
}

static int report(const struct att_tcg_log *log,
		  const struct att_tcg_check_result *res, uint32_t pcr,
		  const struct att_tpm_pcr_bank *q,
		  const struct att_tpm_pcr_bank *rb, struct att_diag *diag)
{
	char qh[2 * ATT_TPM_MAX_DIGEST_LEN + 1], rh[2 * ATT_TPM_MAX_DIGEST_LEN + 1];
	const struct att_tcg_event *ev = suspect(log, res, pcr);
	const char *tn = ev ? att_tcg_event_type_name(ev->type) : NULL;
	att_hex_encode(qh, sizeof(qh), q->value[pcr], q->size, false);
	att_hex_encode(rh, sizeof(rh), rb->value[pcr], rb->size, false);
	return att_diag_set(diag, ATT_ERR_MISMATCH,
			    "tcg: PCR %u (%s) does not replay: quoted %s, "
			    "replayed %s; first event that could explain it: "
			    "%u (%s)", pcr, att_tcg_alg_name(q->alg), qh, rh,
			    ev ? ev->seq : 0, tn ? tn : "unknown type");
}

static int compare_bank(const struct att_tcg_replay *rp,
			const struct att_tcg_log *log,
			const struct att_tcg_check_result *res,
			const struct att_tpm_pcr_bank *q, uint32_t bi,
			uint32_t *verified, struct att_diag *diag)
{
	const struct att_tpm_pcr_bank *rb = &rp->pcrs.banks[bi];
	for (uint32_t p = 0; p < ATT_TPM_NUM_PCRS; p++) {
		uint32_t bit = 1u << p;
		if (!(rp->touched & bit) || !(q->mask & bit))
			continue;
		if (rp->unknown[bi] & bit) {
			const struct att_tcg_event *ev =
				missing_digest(log, p, q->alg);
			return att_diag_set(diag, ATT_ERR_MISMATCH,
					    "tcg: PCR %u (%s) cannot be "
					    "replayed: event %u has no %s "
					    "digest", p, att_tcg_alg_name(q->alg),
					    ev ? ev->seq : 0,
					    att_tcg_alg_name(q->alg));
		}
		if (memcmp(q->value[p], rb->value[p], q->size) != 0)
			return report(log, res, p, q, rb, diag);
		*verified |= bit;
	}
	return 0;
}

int att_tcg_replay_compare(const struct att_tcg_replay *rp,
			   const struct att_tcg_log *log,
			   const struct att_tcg_check_result *res,
			   const struct att_tpm_pcrs *quoted,
			   uint32_t *verified, struct att_diag *diag)
{
	uint32_t ok = 0, common = 0;
	int r;
	if (verified)
		*verified = 0;
	for (uint32_t i = 0; i < quoted->num_banks; i++) {
		const struct att_tpm_pcr_bank *q = &quoted->banks[i];
		for (uint32_t bi = 0; bi < rp->pcrs.num_banks; bi++) {
			if (rp->pcrs.banks[bi].alg != q->alg)
				continue;
			common++;
			r = compare_bank(rp, log, res, q, bi, &ok, diag);
			if (r)
				return r;
		}
	}
	if (common == 0)
		return att_diag_set(diag, ATT_ERR_MISMATCH, "tcg: no PCR bank "
				    "of the quote is replayed by the event log");
	if (verified)
		*verified = ok;
	return 0;
}
