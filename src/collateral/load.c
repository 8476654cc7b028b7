/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Assembling one collateral set (TCB Info, QE Identity, PCK CRL, Root CA
 * CRL and the issuer chains) for an FMSPC+CA+TEE key. Each item is taken
 * from the store while it is valid (and, for a refresh, not yet due);
 * otherwise it is fetched from the PCS/PCCS when one is configured and
 * stored. A failed fetch falls back to the stored item while that is
 * still valid. The set is parsed once (att_dcap_collateral_new); its
 * validity is the earliest nextUpdate/notAfter of what it was built from.
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "crypto/digest.h"
#include "collateral/svc_int.h"

static int64_t item_due(const struct att_collateral_svc *s,
			const struct att_colitem *it)
{
	int64_t margin = s->margin;
	if (it->next_update == INT64_MAX)
		return INT64_MAX;
	if (it->issue > 0 && it->next_update > it->issue) {
		int64_t part = (it->next_update - it->issue) / 100 * s->percent;
		margin = part > margin ? part : margin;
	}
	return it->next_update - margin;
}

static void fmt_time(char out[32], int64_t t)
{
	if (t == INT64_MAX)
		snprintf(out, 32, "never");
	else
		att_time_format(out, 32, t);
}

struct want {
	const struct att_colkey *key;
	const struct att_colspec *spec;
	char what[ATT_COLITEM_WHAT_LEN];
	char skey[ATT_COLITEM_KEY_LEN];
};

static void store_fetched(struct att_collateral_svc *s,
			  const struct att_colitem *it, int64_t now,
			  const struct want *w)
{
	struct att_diag sd = {0};
	char t[32];
	fmt_time(t, it->next_update);
	if (att_colitem_put(s->store, it, now, &sd) != 0)
		att_logf(ATT_LOG_WARN, "collateral: storing %s failed: %s",
			 w->what, att_diag_msg(&sd));
	att_logf(ATT_LOG_INFO, "collateral: fetched %s (%s), valid until %s",
		 w->what, it->source ? it->source : "?", t);
}

/* Fetch one item; 0 and *out on success. */
static int fetch(struct att_collateral_svc *s, struct att_colload *l,
		 const struct want *w, struct att_colitem *out,
		 struct att_diag *fd)
{
	l->fetch_tried = true;
	atomic_fetch_add(&s->fetches, 1);
	int rc = att_pcs_fetch_item(out, &s->pcs, w->spec, fd);
	if (rc == 0) {
		store_fetched(s, out, l->now, w);
		return 0;
	}
	atomic_fetch_add(&s->fetch_failures, 1);
	return rc;
}

static int missing(const struct att_collateral_svc *s, const struct want *w,
		   const struct att_colitem *have, bool has, int frc,
		   const struct att_diag *fd, struct att_diag *d)
{
	char t[32];
	if (has) {
		fmt_time(t, have->next_update);
		return att_diag_set(d, ATT_ERR_EXPIRED, "collateral %s: %s "
				    "expired at %s%s%s", w->key->str, w->what, t,
				    s->online ? "; refresh failed: "
					      : " (no PCS/PCCS configured)",
				    s->online ? fd->msg : "");
	}
	if (s->online)
		return att_diag_set(d, frc, "collateral %s: no %s: %s",
				    w->key->str, w->what, fd->msg);
	return att_diag_set(d, ATT_ERR_NOT_FOUND, "collateral %s: no %s (import "
			    "it with `attestd collateral import`, or configure "
			    "a PCS/PCCS URL)", w->key->str, w->what);
}

static int obtain(struct att_collateral_svc *s, struct att_colload *l,
		  const struct want *w, struct att_colitem *out,
		  struct att_diag *d)
{
	struct att_colitem have, fresh;
	struct att_diag sd = {0}, fd = {0};
	char t[32];
	int rc = att_colitem_get(s->store, w->spec, &have, NULL, &sd), frc = 0;
	bool has = rc == 0;
	if (rc && rc != ATT_ERR_NOT_FOUND)
		att_logf(ATT_LOG_WARN, "collateral: reading %s from the store "
			 "failed: %s", w->what, att_diag_msg(&sd));
	bool valid = has && (l->now <= have.next_update || s->serve_expired);
	bool due = has && l->now >= item_due(s, &have);
	if (valid && !(l->refresh && due)) {
		att_colitem_move(out, &have);
		return 0;
	}
	if (s->online && (frc = fetch(s, l, w, &fresh, &fd)) == 0) {
		att_colitem_release(&have);
		att_colitem_move(out, &fresh);
		return 0;
	}
	if (valid) {
		fmt_time(t, have.next_update);
		if (s->online) {
			l->stale = true;
			att_logf(ATT_LOG_WARN, "collateral: refreshing %s failed "
				 "(%s); serving the stored copy, valid until %s",
				 w->what, fd.msg, t);
		}
		att_colitem_move(out, &have);
		return 0;
	}
	if (s->online)
		att_logf(ATT_LOG_WARN, "collateral: fetching %s failed: %s",
			 w->what, fd.msg);
	rc = missing(s, w, &have, has, frc, &fd, d);
	att_colitem_release(&have);
	return rc;
}

/* The set's items: 0 TCB Info, 1 QE Identity, 2 PCK CRL, 3 Root CA CRL,
 * 4 TCB signing chain row, 5 PCK CA chain row (both only when needed). */
#define N_DOCS 4
#define N_ITEMS 6

static void specs_of(struct att_colspec sp[N_ITEMS], const struct att_colkey *k)
{
	memset(sp, 0, sizeof(*sp) * N_ITEMS);
	sp[0].kind = ATT_COLITEM_TCB_INFO;
	sp[0].tee = k->tee;
	memcpy(sp[0].fmspc, k->fmspc, 6);
	sp[1].kind = ATT_COLITEM_QE_IDENTITY;
	sp[1].tee = k->tee;
	sp[2].kind = ATT_COLITEM_PCK_CRL;
	sp[2].ca = k->ca;
	sp[3].kind = ATT_COLITEM_ROOT_CRL;
	sp[4].kind = ATT_COLITEM_CHAIN;
	sp[4].role = ATT_COLCHAIN_TCB_SIGNING;
	sp[5].kind = ATT_COLITEM_CHAIN;
	sp[5].role = ATT_COLCHAIN_PCK_CA;
	sp[5].ca = k->ca;
}

/* Chains that did not come with their documents: the stored chain rows. */
static int chains(struct att_collateral_svc *s, const struct att_colkey *k,
		  const struct att_colspec sp[N_ITEMS],
		  struct att_colitem it[N_ITEMS], struct att_diag *d)
{
	struct att_diag sd = {0};
	if (!it[0].chain &&
	    att_colitem_get(s->store, &sp[4], &it[4], NULL, &sd) != 0 &&
	    !it[1].chain)
		return att_diag_set(d, ATT_ERR_NOT_FOUND, "collateral %s: no "
				    "TCB signing issuer chain (import the PEM "
				    "chain, or fetch from a PCS)", k->str);
	if (!it[2].chain)
		(void)att_colitem_get(s->store, &sp[5], &it[5], NULL, &sd);
	return 0;
}

static void bytes(struct att_dcap_bytes *b, const void *p, size_t len)
{
	b->p = p;
	b->len = p ? len : 0;
}

static void fill_src(struct att_dcap_collateral_src *src,
		     const struct att_colitem it[N_ITEMS])
{
	const struct att_colitem *tc = it[0].chain ? &it[0]
				     : it[4].body ? &it[4] : &it[1];
	memset(src, 0, sizeof(*src));
	bytes(&src->tcb_info, it[0].body, it[0].body_len);
	if (it[0].sig_hex)
		bytes(&src->tcb_info_signature, it[0].sig_hex,
		      strlen(it[0].sig_hex));
	if (tc == &it[4])
		bytes(&src->tcb_info_issuer_chain, it[4].body, it[4].body_len);
	else
		bytes(&src->tcb_info_issuer_chain, tc->chain, tc->chain_len);
	bytes(&src->qe_identity, it[1].body, it[1].body_len);
	if (it[1].sig_hex)
		bytes(&src->qe_identity_signature, it[1].sig_hex,
		      strlen(it[1].sig_hex));
	bytes(&src->qe_identity_issuer_chain, it[1].chain, it[1].chain_len);
	bytes(&src->pck_crl, it[2].body, it[2].body_len);
	if (it[2].chain)
		bytes(&src->pck_crl_issuer_chain, it[2].chain, it[2].chain_len);
	else
		bytes(&src->pck_crl_issuer_chain, it[5].body, it[5].body_len);
	bytes(&src->root_ca_crl, it[3].body, it[3].body_len);
}

static void window(struct att_collateral_svc *s, const struct att_colspec *sp,
		   const struct att_colitem it[N_ITEMS], struct att_colset *out)
{
	out->valid_until = INT64_MAX;
	out->refresh_at = INT64_MAX;
	for (size_t i = 0; i < N_ITEMS; i++) {
		if (!it[i].body)
			continue;
		if (it[i].next_update < out->valid_until) {
			out->valid_until = it[i].next_update;
			att_colspec_what(&sp[i], out->first_expiry,
					 sizeof(out->first_expiry));
		}
		int64_t due = item_due(s, &it[i]);
		if (i < N_DOCS && due < out->refresh_at)
			out->refresh_at = due;
	}
}

/* SHA-256 over the SHA-256 of every raw field (NULL fields as zeros). */
static void src_digest(uint8_t out[32], const struct att_dcap_collateral_src *src)
{
	const struct att_dcap_bytes *f[] = {
		&src->tcb_info, &src->tcb_info_signature,
		&src->tcb_info_issuer_chain, &src->qe_identity,
		&src->qe_identity_signature, &src->qe_identity_issuer_chain,
		&src->pck_crl, &src->pck_crl_issuer_chain, &src->root_ca_crl,
	};
	uint8_t h[9][32];
	for (size_t i = 0; i < 9; i++) {
		memset(h[i], 0, 32);
		if (f[i]->p)
			att_sha256(h[i], f[i]->p, f[i]->len);
	}
	att_sha256(out, h, sizeof(h));
}

static int build(struct att_collateral_svc *s, const struct att_colkey *k,
		 const struct att_colspec sp[N_ITEMS],
		 const struct att_colitem it[N_ITEMS], int64_t now,
		 const uint8_t *same_as, struct att_colset *out,
		 struct att_diag *d)
{
	struct att_dcap_collateral_src src;
	struct att_diag cd = {0};
	char t[32];
	window(s, sp, it, out);
	if (now > out->valid_until && !s->serve_expired) {
		fmt_time(t, out->valid_until);
		return att_diag_set(d, ATT_ERR_EXPIRED, "collateral %s: %s "
				    "expired at %s", k->str, out->first_expiry,
				    t);
	}
	fill_src(&src, it);
	src_digest(out->digest, &src);
	if (same_as && memcmp(same_as, out->digest, 32) == 0)
		return 0; /* unchanged: no parsing */
	int rc = att_dcap_collateral_new(&out->col, &src, &cd);
	if (rc)
		return att_diag_set(d, rc, "collateral %s: %s", k->str,
				    att_diag_msg(&cd));
	return 0;
}

int att_colload_set(struct att_collateral_svc *svc, const struct att_colkey *k,
		    const uint8_t *same_as, struct att_colload *l,
		    struct att_colset *out, struct att_diag *d)
{
	struct att_colspec sp[N_ITEMS];
	struct att_colitem it[N_ITEMS];
	int rc = 0;
	memset(out, 0, sizeof(*out));
	memset(it, 0, sizeof(it));
	specs_of(sp, k);
	for (size_t i = 0; i < N_DOCS && rc == 0; i++) {
		struct want w = {.key = k, .spec = &sp[i]};
		att_colspec_what(&sp[i], w.what, sizeof(w.what));
		att_colspec_key(&sp[i], w.skey, sizeof(w.skey));
		rc = obtain(svc, l, &w, &it[i], d);
	}
	if (rc == 0 && (rc = chains(svc, k, sp, it, d)) == 0)
		rc = build(svc, k, sp, it, l->now, same_as, out, d);
	for (size_t i = 0; i < N_ITEMS; i++)
		att_colitem_release(&it[i]);
	return rc;
}
