/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The JSON of a DCAP verification, in the shape `attest quote verify
 * --json` prints (docs/library.md): verdict, TEE, statuses, advisories,
 * PCK facts, the enclave's or TD's measurements, collateral hashes.
 */
#include "api/quote_json.h"

#include <stdlib.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/hex.h"

static void put_hex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
	char *h = att_hex_encode_alloc(p, n);
	json_object_set_new(o, k, json_string(h ? h : ""));
	free(h);
}

static void put_time(json_t *o, const char *k, int64_t t)
{
	char s[32];
	att_time_format(s, sizeof(s), t);
	json_object_set_new(o, k, json_string(s));
}

static void put_sgx(json_t *o, const struct att_dcap_sgx_claims *c)
{
	put_hex(o, "mrenclave", c->mrenclave, 32);
	put_hex(o, "mrsigner", c->mrsigner, 32);
	json_object_set_new(o, "isvprodid", json_integer(c->isvprodid));
	json_object_set_new(o, "isvsvn", json_integer(c->isvsvn));
	put_hex(o, "attributes", c->attributes, 16);
	json_object_set_new(o, "is_debuggable", json_boolean(c->debug));
	json_object_set_new(o, "miscselect", json_integer(c->miscselect));
	put_hex(o, "cpusvn", c->cpusvn, 16);
	put_hex(o, "report_data", c->report_data, 64);
	put_hex(o, "config_id", c->config_id, 64);
	json_object_set_new(o, "config_svn", json_integer(c->config_svn));
	put_hex(o, "isvextprodid", c->isvextprodid, 16);
	put_hex(o, "isvfamilyid", c->isvfamilyid, 16);
}

static void put_tdx(json_t *o, const struct att_dcap_tdx_claims *c)
{
	static const char *rt[4] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
	put_hex(o, "mrtd", c->mrtd, 48);
	for (int i = 0; i < 4; i++)
		put_hex(o, rt[i], c->rtmr[i], 48);
	put_hex(o, "mrseam", c->mrseam, 48);
	put_hex(o, "mrsignerseam", c->mrsignerseam, 48);
	put_hex(o, "mrowner", c->mrowner, 48);
	put_hex(o, "mrownerconfig", c->mrownerconfig, 48);
	put_hex(o, "mrconfigid", c->mrconfigid, 48);
	put_hex(o, "td_attributes", c->td_attributes, 8);
	json_object_set_new(o, "is_debuggable", json_boolean(c->debug));
	put_hex(o, "xfam", c->xfam, 8);
	put_hex(o, "tee_tcb_svn", c->tee_tcb_svn, 16);
	if (c->has_v15) {
		put_hex(o, "tee_tcb_svn2", c->tee_tcb_svn2, 16);
		put_hex(o, "mrservicetd", c->mrservicetd, 48);
	}
	put_hex(o, "report_data", c->report_data, 64);
}

static json_t *hashes_json(const struct att_dcap_collateral_hashes *h)
{
	json_t *o = json_object();
	put_hex(o, "qeidcertshash", h->qeidcertshash, 32);
	put_hex(o, "qeidcrlhash", h->qeidcrlhash, 32);
	put_hex(o, "qeidhash", h->qeidhash, 32);
	put_hex(o, "quotehash", h->quotehash, 32);
	put_hex(o, "tcbinfocertshash", h->tcbinfocertshash, 32);
	put_hex(o, "tcbinfocrlhash", h->tcbinfocrlhash, 32);
	put_hex(o, "tcbinfohash", h->tcbinfohash, 32);
	put_hex(o, "pckcrlhash", h->pckcrlhash, 32);
	put_hex(o, "pckcertshash", h->pckcertshash, 32);
	return o;
}

static void put_status(json_t *o, const char *k, enum att_tcb_status s)
{
	json_object_set_new(o, k, s == ATT_TCB_STATUS_NONE ? json_null()
				  : json_string(att_tcb_status_name(s)));
}

static void put_result(json_t *o, const struct att_dcap_result *r)
{
	json_t *adv = json_array();
	put_status(o, "tcb_status", r->tcb_status);
	for (size_t i = 0; i < r->n_advisory_ids; i++)
		json_array_append_new(adv, json_string(r->advisory_ids[i]));
	json_object_set_new(o, "advisory_ids", adv);
	put_status(o, "platform_tcb_status", r->platform_tcb_status);
	put_status(o, "qe_tcb_status", r->qe_tcb_status);
	put_status(o, "tdx_module_tcb_status", r->tdx_module_status);
	put_time(o, "tcb_date", r->tcb_date);
	json_object_set_new(o, "collateral_expired",
			    json_boolean(r->collateral_expired));
	if (r->collateral_expired)
		json_object_set_new(o, "collateral_expired_reason",
				    json_string(r->collateral_expired_what));
	put_hex(o, "fmspc", r->fmspc, 6);
	put_hex(o, "pce_id", r->pce_id, 2);
	json_object_set_new(o, "pcesvn", json_integer(r->pcesvn));
	json_object_set_new(o, "pck_ca", json_string(att_dcap_ca_name(r->ca)));
	json_object_set_new(o, "qe_isvsvn", json_integer(r->qe_isvsvn));
	if (r->tee == ATT_DCAP_TEE_TDX)
		put_tdx(o, &r->tdx);
	else
		put_sgx(o, &r->sgx);
	json_object_set_new(o, "collateral_hashes", hashes_json(&r->hashes));
}

json_t *att_api_dcap_json(int rc, const struct att_diag *d,
			  const struct att_dcap_result *r, const uint8_t *q,
			  size_t n, unsigned parse_flags)
{
	struct att_dcap_quote_info qi;
	json_t *j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, "verified", json_boolean(rc == 0));
	json_object_set_new(j, "error", rc ? json_string(att_diag_msg(d))
					   : json_null());
	if (rc)
		json_object_set_new(j, "error_code",
				    json_string(att_errname(rc)));
	if (q && att_dcap_quote_info(&qi, q, n, parse_flags, NULL) == 0) {
		json_object_set_new(j, "tee",
				    json_string(att_dcap_tee_name(qi.tee)));
		json_object_set_new(j, "version", json_integer(qi.version));
	}
	if (rc == 0 || r->tcb_status != ATT_TCB_STATUS_NONE)
		put_result(j, r);
	return j;
}
