/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verified TDX evidence -> the claims of MAA's TDX EAT profile
 * (MAA docs "Azure Attestation EAT profile for TDX" and its
 * sample token): eat_profile, dbgstat, intuse, attester_tcb_status, the
 * tdx_* measurements as lower-case hex of the quote's bytes, tdx_seamsvn,
 * the TD attribute booleans, x-ms-attestation-type "tdxvm", x-ms-ver.
 * x-ms-compliance-status, Azure's statement about an Azure confidential
 * VM, is not made here: enclave.c adds it only when the provider declares
 * a TdxVm compliance floor and the quote meets it (verify/compliance.h,
 * docs/claims.md).
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "evidence/sgx/verify.h"
#include "verify/attest.h"

/* TDATTRIBUTES bits (Intel TDX DCAP Quoting Library API, A.3.4). */
#define TD_ATTR_DEBUG (1ull << 0)
#define TD_ATTR_SEPT_VE_DISABLE (1ull << 28)
#define TD_ATTR_PKS (1ull << 30)
#define TD_ATTR_KL (1ull << 31)
#define TD_ATTR_PERFMON (1ull << 63)

static int set(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0 ? 0 : ATT_ERR_NOMEM;
}

static int set_hex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
	char buf[2 * 64 + 1];
	if (n > 64)
		return ATT_ERR_LIMIT;
	att_hex_encode(buf, sizeof(buf), p, n, false);
	return set(o, k, json_string(buf));
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int td_attributes(json_t *o, const struct att_dcap_tdx_claims *c)
{
	uint64_t a = le64(c->td_attributes);
	static const struct {
		const char *name;
		uint64_t bit;
	} bits[] = {
		{"tdx_td_attributes_debug", TD_ATTR_DEBUG},
		{"tdx_td_attributes_key_locker", TD_ATTR_KL},
		{"tdx_td_attributes_perfmon", TD_ATTR_PERFMON},
		{"tdx_td_attributes_protection_keys", TD_ATTR_PKS},
		{"tdx_td_attributes_septve_disable", TD_ATTR_SEPT_VE_DISABLE},
	};
	int r = set_hex(o, "tdx_td_attributes", c->td_attributes, 8);
	for (size_t i = 0; !r && i < sizeof(bits) / sizeof(bits[0]); i++)
		r = set(o, bits[i].name, json_boolean((a & bits[i].bit) != 0));
	return r;
}

static int measurements(json_t *o, const struct att_dcap_tdx_claims *c)
{
	static const char *const rtmr[4] = {"tdx_rtmr0", "tdx_rtmr1",
					    "tdx_rtmr2", "tdx_rtmr3"};
	int r = set_hex(o, "tdx_mrconfigid", c->mrconfigid, 48);
	if (!r)
		r = set_hex(o, "tdx_mrowner", c->mrowner, 48);
	if (!r)
		r = set_hex(o, "tdx_mrownerconfig", c->mrownerconfig, 48);
	if (!r)
		r = set_hex(o, "tdx_mrseam", c->mrseam, 48);
	if (!r)
		r = set_hex(o, "tdx_mrsignerseam", c->mrsignerseam, 48);
	if (!r)
		r = set_hex(o, "tdx_mrtd", c->mrtd, 48);
	if (!r)
		r = set_hex(o, "tdx_report_data", c->report_data, 64);
	for (int i = 0; !r && i < 4; i++)
		r = set_hex(o, rtmr[i], c->rtmr[i], 48);
	return r;
}

static int module(json_t *o, const struct att_dcap_tdx_claims *c)
{
	/* SEAMSVN: TEE_TCB_SVN[0] is the module's minor SVN, [1] its major
	 * SVN, the 16-bit SEAM_SIGSTRUCT.SEAMSVN layout. */
	unsigned seamsvn = (unsigned)c->tee_tcb_svn[0] |
			   (unsigned)c->tee_tcb_svn[1] << 8;
	int r = set_hex(o, "tdx_seam_attributes", c->seam_attributes, 8);
	if (!r)
		r = set(o, "tdx_seamsvn", json_integer(seamsvn));
	if (!r)
		r = set_hex(o, "tdx_tee_tcb_svn", c->tee_tcb_svn, 16);
	if (!r)
		r = set_hex(o, "tdx_xfam", c->xfam, 8);
	if (!r && c->has_v15) /* TD report 1.5 (not in MAA's profile) */
		r = set_hex(o, "tdx_tee_tcb_svn2", c->tee_tcb_svn2, 16);
	if (!r && c->has_v15)
		r = set_hex(o, "tdx_mrservicetd", c->mrservicetd, 48);
	return r;
}

int att_attest_claims_tdx(json_t *o, const struct att_attest_request *rq,
			  const struct att_dcap_result *res)
{
	const struct att_dcap_tdx_claims *c = &res->tdx;
	int r = set(o, "x-ms-attestation-type", json_string("tdxvm"));
	if (!r)
		r = set(o, "x-ms-ver", json_string("1.0"));
	if (!r)
		r = set(o, "eat_profile", json_string(ATT_ATTEST_TDX_EAT_PROFILE));
	if (!r)
		r = set(o, "intuse", json_string("generic"));
	if (!r)
		r = set(o, "dbgstat",
			json_string(c->debug ? "enabled" : "disabled"));
	if (!r)
		r = set(o, "attester_tcb_status",
			json_string(att_tcb_status_name(res->tcb_status)));
	if (!r)
		r = measurements(o, c);
	if (!r)
		r = module(o, c);
	if (!r)
		r = td_attributes(o, c);
	if (!r)
		r = att_attest_claims_data(o, rq);
	return r;
}
