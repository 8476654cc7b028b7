/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an event log proves: replay (extend every event's digests, bank by
 * bank, into simulated PCRs, as the firmware did into the TPM) and the
 * digest check (recompute the digest of events whose digest is a hash of
 * their own data, so that the decoded data of those events can be
 * trusted). Neither trusts EventType for anything but choosing the rule:
 * a relabelled event fails the check or the replay, never passes silently.
 */
#ifndef ATT_EVIDENCE_TCG_REPLAY_H
#define ATT_EVIDENCE_TCG_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tpm/pcrs.h"

#define ATT_TCG_NO_EVENT UINT32_MAX

/* The result of a replay. pcrs holds, per bank of the log, the value of
 * every PCR the log extends (mask); a PCR that an event extends without a
 * digest of that bank is in unknown[] instead (tpm2-tools' small fixtures
 * declare four banks but carry two digests per event). Banks of algorithms
 * this OpenSSL cannot compute are absent from pcrs. */
struct att_tcg_replay {
	struct att_tpm_pcrs pcrs;
	uint32_t unknown[ATT_TPM_MAX_BANKS]; /* parallel to pcrs.banks */
	uint32_t touched;                     /* PCRs any event extends */
	uint32_t first_event[ATT_TCG_NUM_PCRS]; /* first extending event */
	bool has_locality;
	uint8_t startup_locality;
	bool hcrtm;
};

/* att_tcg_replay replays log per bank (TCG PC Client Platform Firmware Profile
 * §9.4.5.3; docs/eventlog.md "Replay"): PCRs 0-16 and 23 start at zero and
 * 17-22 at all-ones; a StartupLocality event in PCR 0 sets PCR 0 to 0..0 ||
 * locality, an H-CRTM event to 0..0 || 04; EV_NO_ACTION events are never
 * extended. Returns ATT_ERR_FORMAT when no event extends any PCR (the log
 * explains nothing), ATT_ERR_ALG when no bank can be computed. */
int att_tcg_replay(struct att_tcg_replay *out, const struct att_tcg_log *log,
		   struct att_diag *diag);

/* Outcome of recomputing one event's digest from its data. */
enum att_tcg_check {
	ATT_TCG_CHECK_NOT_RECOMPUTABLE = 0, /* digest of something else */
	ATT_TCG_CHECK_VERIFIED,             /* every known bank matches */
	ATT_TCG_CHECK_VERIFIED_QUIRK,       /* matches a known firmware quirk */
	ATT_TCG_CHECK_MISMATCH,             /* data does not hash to digest */
};

/* Which variant matched (VERIFIED_QUIRK), or a hint (MISMATCH). */
enum att_tcg_quirk {
	ATT_TCG_QUIRK_NONE = 0,
	ATT_TCG_QUIRK_VARIABLE_WHOLE,       /* EV_EFI_VARIABLE_BOOT: whole struct */
	ATT_TCG_QUIRK_AUTHORITY_EXTRA_BYTE, /* shim: data[:-1] */
	ATT_TCG_QUIRK_UTF16_NUL,            /* sd-boot: text + UTF-16 NUL */
	ATT_TCG_QUIRK_SEPARATOR_ERROR,      /* separator digest H(01000000) */
};

struct att_tcg_check_result {
	uint8_t status; /* enum att_tcg_check */
	uint8_t quirk;  /* enum att_tcg_quirk */
};

/* att_tcg_check_digests classifies every event of log into res[0..
 * log->num_events). Returns 0 when no event mismatches, ATT_ERR_MISMATCH
 * otherwise with diag naming the first one ("tcg: event 24 (PCR 8,
 * EV_IPL): digest does not match its data"), or ATT_ERR_CRYPTO.
 * *num_mismatch (may be NULL) receives the count. */
int att_tcg_check_digests(struct att_tcg_check_result *res,
			  const struct att_tcg_log *log, size_t *num_mismatch,
			  struct att_diag *diag);
/* Names for the events JSON: "verified", "verified-quirk", "mismatch",
 * "not-recomputable"; quirk names "variable-whole-struct", ... or NULL. */
const char *att_tcg_check_name(enum att_tcg_check c);
const char *att_tcg_quirk_name(enum att_tcg_quirk q);

/* att_tcg_replay_compare checks the replay against quoted PCR values:
 * for every bank present in both, every PCR the log extends and the
 * quote holds must be equal. On a mismatch ATT_ERR_MISMATCH and diag names
 * the PCR, bank, quoted value, replayed value and the first event of that
 * PCR whose digest could not be recomputed (res may be NULL; then the
 * first event of the PCR). A PCR whose value is unknown in that bank,
 * or no common bank, is also ATT_ERR_MISMATCH. *verified (may be NULL)
 * receives the mask of PCRs compared equal in at least one bank; quoted
 * PCRs outside it are not explained by the log. */
int att_tcg_replay_compare(const struct att_tcg_replay *rp,
			   const struct att_tcg_log *log,
			   const struct att_tcg_check_result *res,
			   const struct att_tpm_pcrs *quoted,
			   uint32_t *verified, struct att_diag *diag);

#endif
