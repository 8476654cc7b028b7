/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TCB evaluation data numbers the collateral store knows (service.h,
 * "TCB baselines"): every TCB Info item of a TEE is read from the store's
 * collateral table (keys "dcap/tcbinfo/<tee>/<FMSPC>", docs/collateral.md),
 * parsed, and folded by tcbEvaluationDataNumber. The items were checked
 * when they were imported or fetched; they are parsed again here only to
 * read their numbers and dates (no signature is checked: the listing
 * describes what is stored, the verifier still checks what it uses).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "collateral/items.h"
#include "collateral/svc_int.h"

/* fold adds one parsed TCB Info to the list (sorted, highest first). */
static void fold(struct att_tcb_baseline *v, size_t max, size_t *n,
		 const struct att_tcb_info *t)
{
	int64_t rec = 0;
	size_t i = 0;
	for (size_t k = 0; k < t->n_levels; k++)
		if (t->levels[k].tcb_date > rec)
			rec = t->levels[k].tcb_date;
	while (i < *n && v[i].eval_num > t->tcb_eval_num)
		i++;
	if (i < *n && v[i].eval_num == t->tcb_eval_num) {
		struct att_tcb_baseline *b = &v[i];
		if (t->issue_date > b->issue_date)
			b->issue_date = t->issue_date;
		if (t->next_update < b->next_update)
			b->next_update = t->next_update;
		if (rec > b->recovery_date)
			b->recovery_date = rec;
		b->n_items++;
		return;
	}
	if (i == max)
		return; /* lower than every one kept, and the list is full */
	size_t move = *n - i - (*n == max ? 1 : 0);
	memmove(&v[i + 1], &v[i], move * sizeof(*v));
	v[i] = (struct att_tcb_baseline){
		.eval_num = t->tcb_eval_num, .issue_date = t->issue_date,
		.next_update = t->next_update, .recovery_date = rec,
		.n_items = 1,
	};
	if (*n < max)
		(*n)++;
}

static int fold_row(struct att_tcb_baseline *v, size_t max, size_t *n,
		    const struct att_store_collateral *row,
		    struct att_diag *d)
{
	struct att_colitem it;
	struct att_tcb_info *t = NULL;
	struct att_diag pd = {0};
	int r = att_colitem_from_row(&it, row, ATT_COLITEM_TCB_INFO, d);
	if (r)
		return r;
	r = att_tcb_info_parse(&t, (const char *)it.body, it.body_len,
			       it.sig_hex, it.sig_hex ? strlen(it.sig_hex) : 0,
			       &pd);
	if (r)
		att_diag_set(d, r, "store row %s: %s", row->key,
			     att_diag_msg(&pd));
	else
		fold(v, max, n, t);
	att_tcb_info_free(t);
	att_colitem_release(&it);
	return r;
}

int att_collateral_baselines(struct att_store *st, enum att_dcap_tee tee,
			     struct att_tcb_baseline *out, size_t max,
			     size_t *n, struct att_diag *d)
{
	char prefix[32];
	struct att_store_collateral *rows = NULL;
	size_t n_rows = 0;
	*n = 0;
	if (max > ATT_TCB_BASELINES_MAX)
		max = ATT_TCB_BASELINES_MAX;
	snprintf(prefix, sizeof(prefix), "dcap/tcbinfo/%s/",
		 att_dcap_tee_name(tee));
	int r = att_store_collateral_list(st, prefix, &rows, &n_rows, d);
	for (size_t i = 0; !r && i < n_rows; i++)
		r = fold_row(out, max, n, &rows[i], d);
	att_store_collateral_list_free(rows, n_rows);
	if (r)
		*n = 0;
	return r;
}

int att_collateral_svc_baselines(struct att_collateral_svc *svc,
				 enum att_dcap_tee tee,
				 struct att_tcb_baseline *out, size_t max,
				 size_t *n, struct att_diag *d)
{
	return att_collateral_baselines(svc->store, tee, out, max, n, d);
}
