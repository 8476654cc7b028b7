/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCB Info (v2, v3; SGX and TDX) and Enclave Identity (v2) parsing, after
 * Intel's PCS API documentation (Appendix A/B) and QVL's JSON rules
 * (docs/dcap-verifier.md). The outer document is parsed with duplicate keys
 * rejected; the inner object's exact text is sliced out with
 * att_json_member_span, copied as the signed body, and parsed again, so
 * that what is verified is exactly what is evaluated. No crypto here.
 */
#include "evidence/sgx/collateral.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "codec/hex.h"

static const char *const status_names[ATT_TCB_STATUS_COUNT] = {
	"UpToDate",
	"SWHardeningNeeded",
	"ConfigurationNeeded",
	"ConfigurationAndSWHardeningNeeded",
	"OutOfDate",
	"OutOfDateConfigurationNeeded",
	"Revoked",
	"TDRelaunchAdvised",
	"TDRelaunchAdvisedConfigurationNeeded",
};

const char *att_tcb_status_name(enum att_tcb_status s)
{
	if (s >= 0 && s < ATT_TCB_STATUS_COUNT)
		return status_names[s];
	return "None";
}

int att_tcb_status_parse(enum att_tcb_status *out, const char *s)
{
	for (int i = 0; i <= ATT_TCB_REVOKED; i++)
		if (s && strcmp(s, status_names[i]) == 0) {
			*out = (enum att_tcb_status)i;
			return 0;
		}
	*out = ATT_TCB_STATUS_NONE;
	return ATT_ERR_FORMAT;
}

/* ---- small JSON field readers (all set a diag naming the field) ---- */

static int get_uint(json_t *o, const char *k, long long max, long long *out,
		    const char *what, struct att_diag *d)
{
	*out = 0;
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: \"%s\" missing or "
				    "not an integer in 0..%lld", what, k, max);
	*out = json_integer_value(v);
	return 0;
}

static int get_hex(json_t *o, const char *k, uint8_t *out, size_t n,
		   const char *what, struct att_diag *d)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_string(v) ||
	    att_hex_decode_fixed(out, n, json_string_value(v),
				 json_string_length(v)) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: \"%s\" missing or "
				    "not %zu hex bytes", what, k, n);
	return 0;
}

static int get_time(json_t *o, const char *k, int64_t *out, const char *what,
		    struct att_diag *d)
{
	*out = 0;
	json_t *v = json_object_get(o, k);
	if (!json_is_string(v) || att_time_parse(out, json_string_value(v)))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: \"%s\" missing or "
				    "not a date-time", what, k);
	return 0;
}

static int get_status(json_t *o, enum att_tcb_status *out, const char *what,
		      struct att_diag *d)
{
	*out = 0;
	json_t *v = json_object_get(o, "tcbStatus");
	if (!json_is_string(v) || att_tcb_status_parse(out, json_string_value(v)))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: unknown tcbStatus "
				    "\"%s\"", what, json_is_string(v) ?
				    json_string_value(v) : "(missing)");
	return 0;
}

static int get_advisories(json_t *o, struct att_dcap_advisories *adv,
			  const char *what, struct att_diag *d)
{
	json_t *a = json_object_get(o, "advisoryIDs"), *v;
	size_t i;
	memset(adv, 0, sizeof(*adv));
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > ATT_DCAP_MAX_ADVISORIES)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: advisoryIDs is not "
				    "an array of at most %d", what,
				    ATT_DCAP_MAX_ADVISORIES);
	if (json_array_size(a) == 0)
		return 0;
	adv->ids = calloc(json_array_size(a), sizeof(*adv->ids));
	if (!adv->ids)
		return ATT_ERR_NOMEM;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) ||
		    json_string_length(v) >= ATT_DCAP_MAX_ADVISORY_LEN ||
		    json_string_length(v) == 0)
			return att_diag_set(d, ATT_ERR_FORMAT, "%s: bad advisory "
					    "ID #%zu", what, i);
		memcpy(adv->ids[i], json_string_value(v), json_string_length(v));
		adv->n++;
	}
	return 0;
}

static int get_levels_array(json_t *o, json_t **out, const char *what,
			    struct att_diag *d)
{
	*out = NULL;
	json_t *a = json_object_get(o, "tcbLevels");
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > ATT_MAX_TCB_LEVELS)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: tcbLevels must be "
				    "a non-empty array of at most %d", what,
				    ATT_MAX_TCB_LEVELS);
	*out = a;
	return 0;
}

/* ---- ISVSVN levels (QE identity, TDX module identities) ---- */

static int isv_level_read(json_t *l, struct att_isv_level *out,
			  const char *what, struct att_diag *d)
{
	json_t *tcb = json_object_get(l, "tcb");
	long long svn;
	int rc;
	if (!json_is_object(l) || !json_is_object(tcb))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: TCB level without "
				    "\"tcb\"", what);
	if ((rc = get_uint(tcb, "isvsvn", 65535, &svn, what, d)) != 0 ||
	    (rc = get_time(l, "tcbDate", &out->tcb_date, what, d)) != 0 ||
	    (rc = get_status(l, &out->status, what, d)) != 0 ||
	    (rc = get_advisories(l, &out->adv, what, d)) != 0)
		return rc;
	out->isvsvn = (uint16_t)svn;
	if (out->status != ATT_TCB_UP_TO_DATE &&
	    out->status != ATT_TCB_OUT_OF_DATE && out->status != ATT_TCB_REVOKED)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: status %s is not "
				    "allowed for an enclave TCB level", what,
				    att_tcb_status_name(out->status));
	return 0;
}

/* isvsvn descending, then newer tcbDate first (QVL's identity order). */
static int isv_cmp(const void *a, const void *b)
{
	const struct att_isv_level *x = a, *y = b;
	if (x->isvsvn != y->isvsvn)
		return x->isvsvn > y->isvsvn ? -1 : 1;
	if (x->tcb_date != y->tcb_date)
		return x->tcb_date > y->tcb_date ? -1 : 1;
	return 0;
}

static void isv_levels_free(struct att_isv_level *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i].adv.ids);
	free(l);
}

static int isv_levels_read(json_t *o, struct att_isv_level **out, size_t *n,
			   const char *what, struct att_diag *d)
{
	json_t *a, *l;
	size_t i;
	int rc;
	if ((rc = get_levels_array(o, &a, what, d)) != 0)
		return rc;
	if (!(*out = calloc(json_array_size(a), sizeof(**out))))
		return ATT_ERR_NOMEM;
	json_array_foreach(a, i, l) {
		if ((rc = isv_level_read(l, &(*out)[i], what, d)) != 0) {
			*n = i + 1;
			return rc;
		}
	}
	*n = json_array_size(a);
	qsort(*out, *n, sizeof(**out), isv_cmp);
	return 0;
}

/* ---- TCB Info ---- */

static int comps_v2(json_t *tcb, uint8_t comps[16], const char *what,
		    struct att_diag *d)
{
	char k[32];
	long long v;
	int rc;
	for (int i = 0; i < 16; i++) {
		snprintf(k, sizeof(k), "sgxtcbcomp%02dsvn", i + 1);
		if ((rc = get_uint(tcb, k, 255, &v, what, d)) != 0)
			return rc;
		comps[i] = (uint8_t)v;
	}
	return 0;
}

static int comps_v3(json_t *tcb, const char *key, uint8_t comps[16],
		    const char *what, struct att_diag *d)
{
	json_t *a = json_object_get(tcb, key), *c;
	size_t i;
	long long v;
	int rc;
	if (!json_is_array(a) || json_array_size(a) != 16)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: \"%s\" must be an "
				    "array of 16 components", what, key);
	json_array_foreach(a, i, c) {
		if (!json_is_object(c) ||
		    (rc = get_uint(c, "svn", 255, &v, what, d)) != 0)
			return att_diag_set(d, ATT_ERR_FORMAT, "%s: bad %s[%zu]",
					    what, key, i);
		comps[i] = (uint8_t)v;
	}
	return 0;
}

static int tcb_level_read(const struct att_tcb_info *t, json_t *l,
			  struct att_tcb_level *out, struct att_diag *d)
{
	const char *what = "TCB Info";
	json_t *tcb = json_object_get(l, "tcb");
	long long pcesvn;
	int rc;
	if (!json_is_object(l) || !json_is_object(tcb))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: TCB level without "
				    "\"tcb\"", what);
	if (t->version == 2)
		rc = comps_v2(tcb, out->sgx, what, d);
	else
		rc = comps_v3(tcb, "sgxtcbcomponents", out->sgx, what, d);
	if (rc == 0 && t->id == ATT_TCB_INFO_TDX)
		rc = comps_v3(tcb, "tdxtcbcomponents", out->tdx, what, d);
	if (rc == 0 && t->id != ATT_TCB_INFO_TDX &&
	    json_object_get(tcb, "tdxtcbcomponents"))
		rc = att_diag_set(d, ATT_ERR_FORMAT, "%s: tdxtcbcomponents in "
				  "an SGX TCB Info", what);
	if (rc || (rc = get_uint(tcb, "pcesvn", 65535, &pcesvn, what, d)) ||
	    (rc = get_time(l, "tcbDate", &out->tcb_date, what, d)) ||
	    (rc = get_status(l, &out->status, what, d)) ||
	    (rc = get_advisories(l, &out->adv, what, d)))
		return rc;
	out->pcesvn = (uint16_t)pcesvn;
	return 0;
}

/* Descending by SGX components, then PCESVN, then TDX components. */
static int level_cmp(const void *a, const void *b)
{
	const struct att_tcb_level *x = a, *y = b;
	int c = memcmp(y->sgx, x->sgx, 16);
	if (c)
		return c;
	if (x->pcesvn != y->pcesvn)
		return x->pcesvn > y->pcesvn ? -1 : 1;
	return memcmp(y->tdx, x->tdx, 16);
}

static int tcb_levels_read(struct att_tcb_info *t, json_t *o,
			   struct att_diag *d)
{
	json_t *a, *l;
	size_t i;
	int rc;
	if ((rc = get_levels_array(o, &a, "TCB Info", d)) != 0)
		return rc;
	if (!(t->levels = calloc(json_array_size(a), sizeof(*t->levels))))
		return ATT_ERR_NOMEM;
	json_array_foreach(a, i, l) {
		t->n_levels = i + 1;
		if ((rc = tcb_level_read(t, l, &t->levels[i], d)) != 0)
			return rc;
	}
	qsort(t->levels, t->n_levels, sizeof(*t->levels), level_cmp);
	for (i = 1; i < t->n_levels; i++)
		if (level_cmp(&t->levels[i - 1], &t->levels[i]) == 0)
			return att_diag_set(d, ATT_ERR_FORMAT, "TCB Info: "
					    "duplicate TCB level");
	return 0;
}

static int module_read(json_t *m, struct att_tdx_module_identity *out,
		       bool with_levels, struct att_diag *d)
{
	const char *what = "TCB Info tdxModule";
	int rc;
	if (!json_is_object(m))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s is not an object",
				    what);
	if ((rc = get_hex(m, "mrsigner", out->mrsigner, 48, what, d)) ||
	    (rc = get_hex(m, "attributes", out->attributes, 8, what, d)) ||
	    (rc = get_hex(m, "attributesMask", out->attributes_mask, 8, what,
			  d)))
		return rc;
	if (!with_levels)
		return 0;
	json_t *id = json_object_get(m, "id");
	if (!json_is_string(id) || json_string_length(id) == 0 ||
	    json_string_length(id) >= sizeof(out->id))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: bad id", what);
	memcpy(out->id, json_string_value(id), json_string_length(id));
	return isv_levels_read(m, &out->levels, &out->n_levels, what, d);
}

static int modules_read(struct att_tcb_info *t, json_t *o,
			struct att_diag *d)
{
	json_t *m = json_object_get(o, "tdxModule");
	json_t *ids = json_object_get(o, "tdxModuleIdentities"), *v;
	size_t i;
	int rc;
	if (t->id != ATT_TCB_INFO_TDX) {
		if (m || ids)
			return att_diag_set(d, ATT_ERR_FORMAT, "TCB Info: TDX "
					    "module fields in an SGX TCB Info");
		return 0;
	}
	if (!m)
		return att_diag_set(d, ATT_ERR_FORMAT, "TCB Info: TDX TCB Info "
				    "without tdxModule");
	if ((rc = module_read(m, &t->tdx_module, false, d)) != 0)
		return rc;
	t->has_tdx_module = true;
	if (!ids)
		return 0;
	if (!json_is_array(ids) ||
	    json_array_size(ids) > ATT_DCAP_MAX_MODULE_IDENTITIES)
		return att_diag_set(d, ATT_ERR_FORMAT, "TCB Info: bad "
				    "tdxModuleIdentities");
	t->module_ids = calloc(json_array_size(ids) + 1, sizeof(*t->module_ids));
	if (!t->module_ids)
		return ATT_ERR_NOMEM;
	json_array_foreach(ids, i, v) {
		t->n_module_ids = i + 1;
		if ((rc = module_read(v, &t->module_ids[i], true, d)) != 0)
			return rc;
	}
	return 0;
}

static int tcb_info_header(struct att_tcb_info *t, json_t *o,
			   struct att_diag *d)
{
	const char *what = "TCB Info";
	json_t *id = json_object_get(o, "id");
	long long v;
	int rc;
	if ((rc = get_uint(o, "version", 1000, &v, what, d)) != 0)
		return rc;
	t->version = (int)v;
	if (t->version != 2 && t->version != 3)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "TCB Info: version "
				    "%d is not supported (2 or 3)", t->version);
	if (t->version == 3 && json_is_string(id) &&
	    strcmp(json_string_value(id), "TDX") == 0)
		t->id = ATT_TCB_INFO_TDX;
	else if ((t->version == 3 && json_is_string(id) &&
		  strcmp(json_string_value(id), "SGX") == 0) ||
		 (t->version == 2 && !id))
		t->id = ATT_TCB_INFO_SGX;
	else
		return att_diag_set(d, ATT_ERR_FORMAT, "TCB Info: bad id for "
				    "version %d", t->version);
	if ((rc = get_time(o, "issueDate", &t->issue_date, what, d)) ||
	    (rc = get_time(o, "nextUpdate", &t->next_update, what, d)) ||
	    (rc = get_hex(o, "fmspc", t->fmspc, 6, what, d)) ||
	    (rc = get_hex(o, "pceId", t->pce_id, 2, what, d)) ||
	    (rc = get_uint(o, "tcbType", 0, &v, what, d)))
		return rc;
	if ((rc = get_uint(o, "tcbEvaluationDataNumber", UINT32_MAX, &v, what,
			   d)) != 0)
		return rc;
	t->tcb_eval_num = (uint32_t)v;
	return 0;
}

void att_tcb_info_free(struct att_tcb_info *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->levels && i < t->n_levels; i++)
		free(t->levels[i].adv.ids);
	free(t->levels);
	for (size_t i = 0; t->module_ids && i < t->n_module_ids; i++)
		isv_levels_free(t->module_ids[i].levels,
				t->module_ids[i].n_levels);
	free(t->module_ids);
	free(t->body);
	free(t);
}

/* ---- common envelope handling ---- */

/* Splits input into the signed body (copied) and the signature: either a
 * PCS response {"<member>": {...}, "signature": hex} or the bare body
 * with sig_hex given separately. */
static int envelope(char **body, size_t *body_len, uint8_t sig[64],
		    const char *text, size_t len, const char *sig_hex,
		    size_t sig_hex_len, const char *member, struct att_diag *d)
{
	json_error_t jerr;
	json_t *outer = NULL;
	size_t off = 0, n = len;
	int rc;
	if (len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "%s: too large", member);
	if (!sig_hex) {
		outer = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
		json_t *s = json_object_get(outer, "signature");
		if (!json_is_object(outer) || !json_is_string(s)) {
			json_decref(outer);
			return att_diag_set(d, ATT_ERR_FORMAT, "%s: not a "
					    "{\"%s\":..., \"signature\":...} "
					    "document", member, member);
		}
		sig_hex = json_string_value(s);
		sig_hex_len = json_string_length(s);
		rc = att_json_member_span(text, len, member, &off, &n);
		if (rc == 0 && text[off] != '{')
			rc = ATT_ERR_FORMAT;
	} else {
		while (n > 0 && (text[n - 1] == 0 || text[n - 1] == ' ' ||
				 text[n - 1] == '\n' || text[n - 1] == '\r' ||
				 text[n - 1] == '\t'))
			n--;
		while (off < n && (text[off] == ' ' || text[off] == '\n' ||
				   text[off] == '\r' || text[off] == '\t'))
			off++;
		n -= off;
		rc = 0;
	}
	if (rc == 0 && att_hex_decode_fixed(sig, 64, sig_hex, sig_hex_len))
		rc = att_diag_set(d, ATT_ERR_FORMAT, "%s: signature is not 64 "
				  "hex bytes", member);
	else if (rc)
		rc = att_diag_set(d, rc, "%s: member not found", member);
	json_decref(outer);
	if (rc)
		return rc;
	if (!(*body = malloc(n + 1)))
		return ATT_ERR_NOMEM;
	memcpy(*body, text + off, n);
	(*body)[n] = 0;
	*body_len = n;
	return 0;
}

static int load_body(json_t **out, const char *body, size_t len,
		     const char *what, struct att_diag *d)
{
	json_error_t jerr;
	*out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(*out))
		return att_diag_set(d, ATT_ERR_FORMAT, "%s: invalid JSON "
				    "object (%s)", what, *out ? "not an object"
				    : jerr.text);
	return 0;
}

int att_tcb_info_parse(struct att_tcb_info **out, const char *text,
		       size_t len, const char *sig_hex, size_t sig_hex_len,
		       struct att_diag *d)
{
	struct att_tcb_info *t = calloc(1, sizeof(*t));
	json_t *o = NULL;
	int rc = ATT_ERR_NOMEM;
	*out = NULL;
	if (!t)
		goto out;
	if ((rc = envelope(&t->body, &t->body_len, t->signature, text, len,
			   sig_hex, sig_hex_len, "tcbInfo", d)) != 0 ||
	    (rc = load_body(&o, t->body, t->body_len, "TCB Info", d)) != 0 ||
	    (rc = tcb_info_header(t, o, d)) != 0 ||
	    (rc = modules_read(t, o, d)) != 0 ||
	    (rc = tcb_levels_read(t, o, d)) != 0)
		goto out;
	*out = t;
	t = NULL; /* transferred */
out:
	json_decref(o);
	att_tcb_info_free(t);
	return rc;
}

/* ---- QE Identity ---- */

static const char *const qe_ids[] = {"QE", "QVE", "QAE", "TD_QE"};

static int qe_identity_read(struct att_qe_identity *q, json_t *o,
			    struct att_diag *d)
{
	const char *what = "QE Identity";
	json_t *id = json_object_get(o, "id");
	long long v;
	int rc = ATT_ERR_FORMAT;
	for (size_t i = 0; json_is_string(id) && i < 4; i++)
		if (strcmp(json_string_value(id), qe_ids[i]) == 0) {
			q->id = (enum att_qe_identity_id)i;
			rc = 0;
		}
	if (rc)
		return att_diag_set(d, rc, "%s: unknown id", what);
	if ((rc = get_uint(o, "version", 1000, &v, what, d)) != 0)
		return rc;
	if ((q->version = (int)v) != 2)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "%s: version %d is "
				    "not supported (2)", what, q->version);
	if ((rc = get_time(o, "issueDate", &q->issue_date, what, d)) ||
	    (rc = get_time(o, "nextUpdate", &q->next_update, what, d)) ||
	    (rc = get_hex(o, "miscselect", q->miscselect, 4, what, d)) ||
	    (rc = get_hex(o, "miscselectMask", q->miscselect_mask, 4, what,
			  d)) ||
	    (rc = get_hex(o, "attributes", q->attributes, 16, what, d)) ||
	    (rc = get_hex(o, "attributesMask", q->attributes_mask, 16, what,
			  d)) ||
	    (rc = get_hex(o, "mrsigner", q->mrsigner, 32, what, d)))
		return rc;
	q->has_mrsigner = true;
	if ((rc = get_uint(o, "isvprodid", 65535, &v, what, d)) != 0)
		return rc;
	q->isvprodid = (uint16_t)v;
	if ((rc = get_uint(o, "tcbEvaluationDataNumber", UINT32_MAX, &v, what,
			   d)) != 0)
		return rc;
	q->tcb_eval_num = (uint32_t)v;
	return isv_levels_read(o, &q->levels, &q->n_levels, what, d);
}

void att_qe_identity_free(struct att_qe_identity *q)
{
	if (!q)
		return;
	isv_levels_free(q->levels, q->n_levels);
	free(q->body);
	free(q);
}

int att_qe_identity_parse(struct att_qe_identity **out, const char *text,
			  size_t len, const char *sig_hex, size_t sig_hex_len,
			  struct att_diag *d)
{
	struct att_qe_identity *q = calloc(1, sizeof(*q));
	json_t *o = NULL;
	int rc = ATT_ERR_NOMEM;
	*out = NULL;
	if (!q)
		goto out;
	if ((rc = envelope(&q->body, &q->body_len, q->signature, text, len,
			   sig_hex, sig_hex_len, "enclaveIdentity", d)) != 0 ||
	    (rc = load_body(&o, q->body, q->body_len, "QE Identity", d)) != 0 ||
	    (rc = qe_identity_read(q, o, d)) != 0)
		goto out;
	*out = q;
	q = NULL; /* transferred */
out:
	json_decref(o);
	att_qe_identity_free(q);
	return rc;
}
