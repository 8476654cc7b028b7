/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which event digests can be recomputed from the event data, and the
 * check itself (TCG PC Client Platform Firmware Profile, event types and
 * their digests; docs/eventlog.md; from tpm2-tools' verify_digests,
 * go-attestation's secureboot.go and canonical/tcglog-parser). The rules
 * are a table keyed by event type; known firmware variants (§4.2) are
 * accepted but reported as such. A candidate matches when every bank this
 * OpenSSL can compute agrees, so a log cannot pass on its weakest bank.
 */
#include "evidence/tcg/replay.h"

#include <string.h>

#include "attest/err.h"
#include "evidence/tcg/uefi.h"
#include "evidence/tpm/tpm_alg.h"

/* Hashers of the log's banks, made once per check of a whole log. */
struct ck {
	const struct att_tcg_event *ev;
	struct att_tpm_hash_ctx *h[ATT_MAX_DIGESTS_PER_EVENT];
	uint16_t alg[ATT_MAX_DIGESTS_PER_EVENT];
	size_t n;
};

static struct att_tpm_hash_ctx *hasher(struct ck *c, uint16_t alg)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->alg[i] == alg)
			return c->h[i];
	if (c->n == ATT_MAX_DIGESTS_PER_EVENT)
		return NULL;
	c->alg[c->n] = alg;
	c->h[c->n] = att_tpm_hash_ctx_new(alg); /* NULL: cannot hash */
	return c->h[c->n++];
}

/* match: 1 = every computable digest equals H(a || b), 0 = one differs,
 * -1 = no digest of the event could be computed. */
static int match(struct ck *c, const uint8_t *a, size_t a_len,
		 const uint8_t *b, size_t b_len)
{
	const struct att_tcg_event *ev = c->ev;
	int computed = 0;
	for (uint32_t i = 0; i < ev->num_digests; i++) {
		const struct att_tcg_digest *d = &ev->digests[i];
		struct att_tpm_hash_ctx *hc = hasher(c, d->alg);
		uint8_t h[ATT_TPM_MAX_DIGEST_LEN];
		/* a bank this OpenSSL cannot hash does not count */
		if (!hc || att_tpm_hash_ctx_digest(hc, h, d->len, a, a_len, b,
						   b_len) != 0)
			continue;
		if (memcmp(h, d->p, d->len) != 0)
			return 0;
		computed = 1;
	}
	return computed ? 1 : -1;
}

static void set(struct att_tcg_check_result *r, enum att_tcg_check s,
		enum att_tcg_quirk q)
{
	r->status = (uint8_t)s;
	r->quirk = (uint8_t)q;
}

/* verdict turns a match() result for the PFP rule into a status. */
static void verdict(struct att_tcg_check_result *r, int m)
{
	if (m < 0)
		set(r, ATT_TCG_CHECK_NOT_RECOMPUTABLE, ATT_TCG_QUIRK_NONE);
	else
		set(r, m ? ATT_TCG_CHECK_VERIFIED : ATT_TCG_CHECK_MISMATCH,
		    ATT_TCG_QUIRK_NONE);
}

static void check_whole(struct att_tcg_check_result *r, struct ck *c)
{
	const struct att_tcg_event *ev = c->ev;
	verdict(r, match(c, ev->data, ev->data_len, NULL, 0));
}

static void check_no_action(struct att_tcg_check_result *r, struct ck *c)
{
	const struct att_tcg_event *ev = c->ev;
	uint8_t acc = 0;
	for (uint32_t i = 0; i < ev->num_digests; i++)
		for (uint32_t k = 0; k < ev->digests[i].len; k++)
			acc |= ev->digests[i].p[k];
	set(r, acc ? ATT_TCG_CHECK_MISMATCH : ATT_TCG_CHECK_VERIFIED,
	    ATT_TCG_QUIRK_NONE);
}

static void check_separator(struct att_tcg_check_result *r, struct ck *c)
{
	const struct att_tcg_event *ev = c->ev;
	static const uint8_t err_value[4] = {1, 0, 0, 0};
	int m = match(c, ev->data, ev->data_len, NULL, 0);
	/* An error separator is detected by its digest, whatever its data
	 * holds (PFP; canonical/tcglog-parser). */
	if (m == 0 && match(c, err_value, 4, NULL, 0) == 1)
		set(r, ATT_TCG_CHECK_VERIFIED_QUIRK,
		    ATT_TCG_QUIRK_SEPARATOR_ERROR);
	else
		verdict(r, m);
}

/* EV_EFI_VARIABLE_BOOT: PFP says H(VariableData); laptops hash the whole
 * UEFI_VARIABLE_DATA. */
static void check_var_boot(struct att_tcg_check_result *r, struct ck *c)
{
	const struct att_tcg_event *ev = c->ev;
	struct att_uefi_variable v;
	int m_data = -1, m_whole;
	if (att_uefi_variable_parse(&v, ev->data, ev->data_len) == 0)
		m_data = match(c, v.data, v.data_len, NULL, 0);
	if (m_data == 1) {
		verdict(r, m_data);
		return;
	}
	m_whole = match(c, ev->data, ev->data_len, NULL, 0);
	if (m_whole == 1)
		set(r, ATT_TCG_CHECK_VERIFIED_QUIRK, ATT_TCG_QUIRK_VARIABLE_WHOLE);
	else
		verdict(r, m_data < 0 && m_whole < 0 ? -1 : 0);
}

/* EV_EFI_VARIABLE_AUTHORITY: shim logs one byte more than it hashes
 * (go-attestation#157). */
static void check_authority(struct att_tcg_check_result *r, struct ck *c)
{
	const struct att_tcg_event *ev = c->ev;
	int m = match(c, ev->data, ev->data_len, NULL, 0);
	if (m == 0 && ev->data_len > 0 &&
	    match(c, ev->data, ev->data_len - 1, NULL, 0) == 1)
		set(r, ATT_TCG_CHECK_VERIFIED_QUIRK,
		    ATT_TCG_QUIRK_AUTHORITY_EXTRA_BYTE);
	else
		verdict(r, m);
}

static const char *const grub_prefixes[] = {
	"grub_cmd: ", "kernel_cmdline: ", "grub_kernel_cmdline ",
};

/* utf16_nul: sd-boot logged "text\0" (odd length) but hashed the UTF-16
 * text with a UTF-16 NUL. Reported, not accepted: the data as logged does
 * not hash to the digest. */
static bool utf16_nul(struct ck *c)
{
	const struct att_tcg_event *ev = c->ev;
	static const uint8_t nul2[2];
	size_t n = ev->data_len;
	if (n < 3 || n % 2 == 0 || ev->data[n - 1] != 0 ||
	    !att_tcg_looks_utf16(ev->data, n - 1))
		return false;
	return match(c, ev->data, n - 1, nul2, 2) == 1;
}

static void check_ipl(struct att_tcg_check_result *r, struct ck *c)
{
	const struct att_tcg_event *ev = c->ev;
	if (ev->pcr == 8) {
		for (size_t i = 0; i < 3; i++) {
			size_t pl = strlen(grub_prefixes[i]);
			if (ev->data_len < pl ||
			    memcmp(ev->data, grub_prefixes[i], pl) != 0)
				continue;
			const uint8_t *t = ev->data + pl;
			size_t tl = ev->data_len - pl;
			int m = match(c, t, tl, NULL, 0);
			if (m == 0 && tl > 0 && t[tl - 1] == 0)
				m = match(c, t, tl - 1, NULL, 0);
			verdict(r, m);
			return;
		}
	}
	if (ev->pcr != 8 && ev->pcr != 12) {
		set(r, ATT_TCG_CHECK_NOT_RECOMPUTABLE, ATT_TCG_QUIRK_NONE);
		return;
	}
	check_whole(r, c);
	if (r->status == ATT_TCG_CHECK_MISMATCH && utf16_nul(c))
		r->quirk = ATT_TCG_QUIRK_UTF16_NUL;
}

typedef void (*check_fn)(struct att_tcg_check_result *r, struct ck *c);

struct rule {
	uint32_t type;
	check_fn fn;
};

/* Event types whose digest is a hash of their data; all others hash
 * something the log does not contain (an image, memory, a file). */
static const struct rule rules[] = {
	{ATT_EV_NO_ACTION, check_no_action},
	{ATT_EV_SEPARATOR, check_separator},
	{ATT_EV_ACTION, check_whole},
	{ATT_EV_EFI_ACTION, check_whole},
	{ATT_EV_EVENT_TAG, check_whole},
	{ATT_EV_S_CRTM_VERSION, check_whole},
	{ATT_EV_COMPACT_HASH, check_whole},
	{ATT_EV_OMIT_BOOT_DEVICE_EVENTS, check_whole},
	{ATT_EV_EFI_VARIABLE_DRIVER_CONFIG, check_whole},
	{ATT_EV_EFI_VARIABLE_BOOT2, check_whole},
	{ATT_EV_EFI_GPT_EVENT, check_whole},
	{ATT_EV_EFI_VARIABLE_BOOT, check_var_boot},
	{ATT_EV_EFI_VARIABLE_AUTHORITY, check_authority},
	{ATT_EV_IPL, check_ipl},
};

static void classify(struct att_tcg_check_result *r, struct ck *c,
		     const struct att_tcg_log *log, size_t i)
{
	const struct att_tcg_event *ev = &log->events[i];
	c->ev = ev;
	set(r, ATT_TCG_CHECK_NOT_RECOMPUTABLE, ATT_TCG_QUIRK_NONE);
	/* The Spec ID header is structure, not a measurement. */
	if (i == 0 && log->format == ATT_TCG_FORMAT_CRYPTO_AGILE)
		return;
	for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
		if (rules[k].type == ev->type) {
			rules[k].fn(r, c);
			return;
		}
	}
}

int att_tcg_check_digests(struct att_tcg_check_result *res,
			  const struct att_tcg_log *log, size_t *num_mismatch,
			  struct att_diag *diag)
{
	size_t bad = 0;
	const struct att_tcg_event *first = NULL;
	struct ck c;
	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < log->num_events; i++) {
		classify(&res[i], &c, log, i);
		if (res[i].status != ATT_TCG_CHECK_MISMATCH)
			continue;
		if (!first)
			first = &log->events[i];
		bad++;
	}
	for (size_t i = 0; i < c.n; i++)
		att_tpm_hash_ctx_free(c.h[i]);
	if (num_mismatch)
		*num_mismatch = bad;
	if (!first)
		return 0;
	const char *tn = att_tcg_event_type_name(first->type);
	return att_diag_set(diag, ATT_ERR_MISMATCH,
			    "tcg: event %u (PCR %u, %s): digest does not match "
			    "its data%s", first->seq, first->pcr,
			    tn ? tn : "unknown type",
			    bad > 1 ? " (and other events)" : "");
}

const char *att_tcg_check_name(enum att_tcg_check c)
{
	switch (c) {
	case ATT_TCG_CHECK_VERIFIED: return "verified";
	case ATT_TCG_CHECK_VERIFIED_QUIRK: return "verified-quirk";
	case ATT_TCG_CHECK_MISMATCH: return "mismatch";
	default: return "not-recomputable";
	}
}

const char *att_tcg_quirk_name(enum att_tcg_quirk q)
{
	switch (q) {
	case ATT_TCG_QUIRK_VARIABLE_WHOLE: return "variable-whole-struct";
	case ATT_TCG_QUIRK_AUTHORITY_EXTRA_BYTE: return "authority-extra-byte";
	case ATT_TCG_QUIRK_UTF16_NUL: return "utf16-text-plus-nul";
	case ATT_TCG_QUIRK_SEPARATOR_ERROR: return "separator-error";
	default: return NULL;
	}
}
