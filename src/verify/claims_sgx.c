/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verified SGX evidence -> the claims MAA puts in SGX / OpenEnclave
 * tokens (MAA docs "Claim sets"), the TCB claims attestd adds for SGX and
 * TDX (x-attestd-*), the JSON runtime/init-time claims, and the policy's
 * incoming claim set (MAA docs "Claim sets") made from them. docs/claims.md
 * lists every claim with its source.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "evidence/sgx/quote.h"
#include "evidence/sgx/verify.h"
#include "verify/attest.h"

/* set takes the reference of v; a NULL v (allocation failed) is NOMEM. */
static int set(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0 ? 0 : ATT_ERR_NOMEM;
}

static int set_hex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
	char buf[2 * 128 + 1];
	if (n > 128)
		return ATT_ERR_LIMIT;
	att_hex_encode(buf, sizeof(buf), p, n, false);
	return set(o, k, json_string(buf));
}

static json_t *collateral_obj(const struct att_dcap_collateral_hashes *h)
{
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
#define H(m) {#m, offsetof(struct att_dcap_collateral_hashes, m)}
		H(qeidcertshash),    H(qeidcrlhash),	H(qeidhash),
		H(quotehash),	     H(tcbinfocertshash), H(tcbinfocrlhash),
		H(tcbinfohash),
#undef H
	};
	json_t *o = json_object();
	for (size_t i = 0; o && i < sizeof(f) / sizeof(f[0]); i++)
		if (set_hex(o, f[i].name, (const uint8_t *)h + f[i].off, 32)) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static int sgx_kss(json_t *o, const struct att_dcap_sgx_claims *c)
{
	int r = set_hex(o, "x-ms-sgx-config-id", c->config_id, 64);
	if (!r)
		r = set(o, "x-ms-sgx-config-svn", json_integer(c->config_svn));
	if (!r)
		r = set_hex(o, "x-ms-sgx-isv-extended-product-id",
			    c->isvextprodid, 16);
	if (!r)
		r = set_hex(o, "x-ms-sgx-isv-family-id", c->isvfamilyid, 16);
	return r;
}

static int sgx_ehd(json_t *o, const struct att_attest_request *rq)
{
	if (!rq->runtime.present || rq->runtime.is_json)
		return 0;
	char *ehd = att_b64url_encode(rq->runtime.bytes, rq->runtime.len);
	int r = ehd ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = set(o, "x-ms-sgx-ehd", json_string(ehd));
	if (!r) /* legacy twins MAA still emits */
		r = set(o, "maa-ehd", json_string(ehd));
	if (!r)
		r = set(o, "aas-ehd", json_string(ehd));
	free(ehd);
	return r;
}

int att_attest_claims_data(json_t *o, const struct att_attest_request *r)
{
	int rc = 0;
	if (r->runtime.present && r->runtime.is_json)
		rc = set(o, "x-ms-runtime", json_incref(r->runtime.json));
	if (!rc && r->inittime.present && r->inittime.is_json)
		rc = set(o, "x-ms-inittime", json_incref(r->inittime.json));
	return rc;
}

int att_attest_claims_sgx(json_t *o, const struct att_attest_request *rq,
			  const struct att_dcap_result *res)
{
	const struct att_dcap_sgx_claims *c = &res->sgx;
	int r = set(o, "x-ms-attestation-type", json_string("sgx"));
	if (!r)
		r = set(o, "x-ms-ver", json_string("1.0"));
	if (!r)
		r = set(o, "x-ms-sgx-is-debuggable", json_boolean(c->debug));
	if (!r)
		r = set(o, "x-ms-sgx-product-id", json_integer(c->isvprodid));
	if (!r)
		r = set_hex(o, "x-ms-sgx-mrsigner", c->mrsigner, 32);
	if (!r)
		r = set_hex(o, "x-ms-sgx-mrenclave", c->mrenclave, 32);
	if (!r)
		r = set(o, "x-ms-sgx-svn", json_integer(c->isvsvn));
	if (!r)
		r = set_hex(o, "x-ms-sgx-report-data", c->report_data, 64);
	if (!r)
		r = sgx_ehd(o, rq);
	if (!r && (c->attributes[0] & ATT_SGX_FLAG_KSS))
		r = sgx_kss(o, c);
	if (!r)
		r = set(o, "x-ms-sgx-collateral", collateral_obj(&res->hashes));
	if (!r)
		r = set(o, "maa-attestationcollateral",
			collateral_obj(&res->hashes));
	if (!r)
		r = att_attest_claims_data(o, rq);
	return r;
}

static int set_time(json_t *o, const char *k, int64_t t)
{
	char buf[40];
	att_time_format(buf, sizeof(buf), t);
	return set(o, k, json_string(buf));
}

static int tcb_statuses(json_t *o, const struct att_dcap_result *res)
{
	int r = set(o, "x-attestd-tcb-status",
		    json_string(att_tcb_status_name(res->tcb_status)));
	if (!r && res->platform_tcb_status != ATT_TCB_STATUS_NONE)
		r = set(o, "x-attestd-platform-tcb-status",
			json_string(att_tcb_status_name(
				res->platform_tcb_status)));
	if (!r && res->qe_tcb_status != ATT_TCB_STATUS_NONE)
		r = set(o, "x-attestd-qe-tcb-status",
			json_string(att_tcb_status_name(res->qe_tcb_status)));
	if (!r && res->tdx_module_status != ATT_TCB_STATUS_NONE)
		r = set(o, "x-attestd-tdx-module-tcb-status",
			json_string(att_tcb_status_name(
				res->tdx_module_status)));
	return r;
}

int att_attest_claims_tcb(json_t *o, const struct att_dcap_result *res,
			  int64_t verify_time_override)
{
	char fmspc[13];
	int r = tcb_statuses(o, res);
	json_t *adv = json_array();
	for (size_t i = 0; adv && !r && i < res->n_advisory_ids; i++)
		if (json_array_append_new(adv,
					  json_string(res->advisory_ids[i])))
			r = ATT_ERR_NOMEM;
	if (!r)
		r = set(o, "x-attestd-advisory-ids", adv);
	else
		json_decref(adv);
	if (!r && res->tcb_date)
		r = set_time(o, "x-attestd-tcb-date", res->tcb_date);
	if (!r)
		r = set(o, "x-attestd-tcb-evaluation-data-number",
			json_integer(res->tcb_eval_num));
	att_hex_encode(fmspc, sizeof(fmspc), res->fmspc, 6, true);
	if (!r)
		r = set(o, "x-attestd-fmspc", json_string(fmspc));
	if (!r)
		r = set(o, "x-attestd-pck-ca",
			json_string(att_dcap_ca_name(res->ca)));
	if (!r && res->tee == ATT_DCAP_TEE_TDX) /* SGX: x-ms-sgx-collateral */
		r = set(o, "x-attestd-collateral", collateral_obj(&res->hashes));
	if (!r && res->collateral_expired)
		r = set(o, "x-attestd-collateral-expired", json_true());
	if (!r && verify_time_override)
		r = set_time(o, "x-attestd-verify-time-override",
			     verify_time_override);
	if (!r && res->trailing_len) /* the zero padding that was ignored */
		r = set(o, "x-attestd-quote-trailing-bytes",
			json_integer((json_int_t)res->trailing_len));
	return r;
}

/* The deprecated aliases MAA still accepts in SGX policies (§3.5). */
static const struct {
	const char *alias;
	const char *of;
} sgx_aliases[] = {
	{"$is-debuggable", "x-ms-sgx-is-debuggable"},
	{"$sgx-mrsigner", "x-ms-sgx-mrsigner"},
	{"$sgx-mrenclave", "x-ms-sgx-mrenclave"},
	{"$product-id", "x-ms-sgx-product-id"},
	{"$svn", "x-ms-sgx-svn"},
	{"$tee", "x-ms-attestation-type"},
};

static int add_claim(struct att_claimset *in, const char *type, json_t *v)
{
	if (!json_is_array(v))
		return att_claimset_add_json(in, type, v, NULL);
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		int r = att_claimset_add_json(in, type, e, NULL);
		if (r)
			return r;
	}
	return 0;
}

int att_attest_incoming(struct att_claimset *in, json_t *evidence,
			enum att_attest_kind kind)
{
	const char *k;
	json_t *v;
	json_object_foreach(evidence, k, v)
	{
		int r = add_claim(in, k, v);
		if (r)
			return r;
	}
	if (kind == ATT_ATTEST_TDX)
		return 0;
	for (size_t i = 0; i < sizeof(sgx_aliases) / sizeof(sgx_aliases[0]);
	     i++) {
		json_t *x = json_object_get(evidence, sgx_aliases[i].of);
		int r = x ? add_claim(in, sgx_aliases[i].alias, x) : 0;
		if (r)
			return r;
	}
	return 0;
}
