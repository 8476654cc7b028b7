/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET /tcbbaselines/{attestationType} (MAA REST API "TcbBaselines - Get";
 * docs/api.md "TCB baselines"): the TCB evaluation data numbers this
 * provider knows for the type, from the TCB Info items the collateral
 * store holds (SGX ones for SgxEnclave and OpenEnclave, TDX ones for
 * TdxVm; collateral/service.h, att_collateral_svc_baselines), highest
 * first, and the provider's minimum TCB baseline of the type
 * (limits.min_tcb_evaluation_data_number), the one attestation enforces.
 * Plain JSON, not a token, in the shape of the api-version:
 *  - 2025-06-01 and later: {"tcbBaselines": [{"tcbIdentifier": "17",
 *    "tcbEvaluationDataNumber": 17, "tcbReleaseDate":
 *    "2024-03-13T00:00:00", "isSelectedTcb": false, "issueDate": ...,
 *    "nextUpdate": ...}]}, isSelectedTcb true for the minimum (an entry
 *    for it is added when no stored TCB Info carries that number);
 *  - 2022-09-01-preview: {"tcbBaselines": [...]}, tcbEvaluationDataNumber
 *    a string, the minimum first as "minimum (Currently N)" (MAA writes
 *    "azuredefault (Currently 10)"); provideCurrentTcbInPolicy=true: that
 *    entry only.
 * tcbReleaseDate is the TCB recovery event date of the number (the latest
 * tcbDate of its TCB levels); issueDate / nextUpdate (attestd additions)
 * are the latest issueDate and earliest nextUpdate of its TCB Infos.
 * MAA's minimumPswLinuxVersion / minimumPswWindowsVersion are Azure's
 * statements about its own fleet and are not emitted. Types without DCAP
 * TCB baselines (SevSnpVm, Tpm, AzureGuest) answer an empty list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "collateral/service.h"
#include "server/handlers.h"
#include "server/provider.h"
#include "server/router.h"
#include "server/server.h"
#include "server/trust.h"

/* MAA's date form in these answers: "2020-11-11T00:00:00" (no zone). */
static json_t *date(int64_t t)
{
	char buf[40];
	att_time_format(buf, sizeof(buf), t);
	size_t n = strlen(buf);
	if (n && buf[n - 1] == 'Z')
		buf[n - 1] = 0;
	return json_string(buf);
}

static int add(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0 ? 0 : ATT_ERR_NOMEM;
}

/* entry makes one baseline; b NULL: the minimum, of which no stored TCB
 * Info carries the number (no dates). preview: the 2022-09-01-preview
 * shape (number as a string; current: "minimum (Currently N)"). */
static json_t *entry(const struct att_tcb_baseline *b, uint32_t num,
		     bool preview, bool current, bool selected)
{
	char id[48];
	json_t *o = json_object();
	int r = o ? 0 : ATT_ERR_NOMEM;
	if (current)
		snprintf(id, sizeof(id), "minimum (Currently %u)", num);
	else
		snprintf(id, sizeof(id), "%u", num);
	if (!r && !preview)
		r = add(o, "tcbIdentifier", json_string(id));
	if (!r)
		r = add(o, "tcbEvaluationDataNumber",
			preview ? json_string(id) : json_integer(num));
	if (!r && b && b->recovery_date)
		r = add(o, "tcbReleaseDate", date(b->recovery_date));
	if (!r && !preview)
		r = add(o, "isSelectedTcb", json_boolean(selected));
	if (!r && b)
		r = add(o, "issueDate", date(b->issue_date));
	if (!r && b)
		r = add(o, "nextUpdate", date(b->next_update));
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static bool is_true(const char *v)
{
	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* build fills arr with the answer's list. */
static int build(json_t *arr, const struct att_tcb_baseline *v, size_t n,
		 uint32_t min, bool preview, bool current_only)
{
	const struct att_tcb_baseline *selected = NULL;
	int r = 0;
	for (size_t i = 0; i < n; i++)
		if (min && v[i].eval_num == min)
			selected = &v[i];
	if (preview && min)
		r = json_array_append_new(arr, entry(selected, min, true, true,
						     true))
			    ? ATT_ERR_NOMEM : 0;
	if (current_only)
		return r;
	bool placed = selected != NULL || !min || preview;
	for (size_t i = 0; !r && i <= n; i++) {
		json_t *e = NULL;
		/* the minimum without a stored TCB Info goes in its place
		 * in the descending order */
		if (!placed && (i == n || v[i].eval_num < min)) {
			placed = true;
			if (json_array_append_new(arr, entry(NULL, min, false,
							     false, true)))
				r = ATT_ERR_NOMEM;
		}
		if (r || i == n)
			break;
		e = entry(&v[i], v[i].eval_num, preview, false,
			  &v[i] == selected);
		if (json_array_append_new(arr, e))
			r = ATT_ERR_NOMEM;
	}
	return r;
}

void att_api_tcbbaselines_get(struct att_req *req, struct att_resp *resp)
{
	const char *type = att_attestation_type_canonical(req->match.params[0]);
	struct att_diag d = {0};
	struct att_tcb_baseline *v = NULL;
	size_t n = 0;
	uint32_t min = 0;
	bool dcap = true;
	enum att_dcap_tee tee = ATT_DCAP_TEE_SGX;
	const struct att_provider_limits *l = &req->prov->limits;
	if (!type) {
		att_resp_err(resp, ATT_ERR_UNSUPPORTED, "InvalidParameter",
			     "unknown attestation type '%.64s' (MAA's: "
			     "SgxEnclave, OpenEnclave, Tpm, TdxVm, SevSnpVm, "
			     "AzureGuest)",
			     req->match.params[0]);
		return;
	}
	if (!strcmp(type, "SgxEnclave"))
		min = l->min_tcb_eval_sgx;
	else if (!strcmp(type, "OpenEnclave"))
		min = l->min_tcb_eval_oe;
	else if (!strcmp(type, "TdxVm")) {
		min = l->min_tcb_eval_tdx;
		tee = ATT_DCAP_TEE_TDX;
	} else
		dcap = false;
	bool preview = req->api_version &&
		       att_apiver_bit(req->api_version) ==
			       ATT_AV_2022_09_01_PREVIEW;
	struct att_attest_ctx *ctx = dcap ? att_attest_ctx_of(req->srv, &d)
					  : NULL;
	int r = dcap && !ctx ? (d.code ? d.code : ATT_ERR_INTERNAL) : 0;
	if (!r && dcap && !(v = calloc(ATT_TCB_BASELINES_MAX, sizeof(*v))))
		r = ATT_ERR_NOMEM;
	if (!r && dcap)
		r = att_collateral_svc_baselines(ctx->collateral, tee, v,
						 ATT_TCB_BASELINES_MAX, &n,
						 &d);
	json_t *arr = r ? NULL : json_array();
	json_t *body = arr ? json_pack("{s:o}", "tcbBaselines", arr) : NULL;
	if (!r && !body)
		r = ATT_ERR_NOMEM;
	if (!r)
		r = build(arr, v, n, min, preview,
			  preview && is_true(req->current_tcb));
	if (r)
		att_resp_err(resp, r, "InternalError",
			     "cannot list the TCB baselines: %s",
			     att_diag_msg(&d));
	else
		att_resp_json(resp, body);
	json_decref(body);
	free(v);
}
