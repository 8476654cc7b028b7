/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX simulator's fixed data and its collateral text: the two
 * simulated platforms, the TCB levels of the simulated TCB Info (one per
 * Intel TCB status, with Intel-style tcbDate and advisory IDs, plus "none"
 * below every level), the QE Identity levels, and the compact JSON bodies
 * of tcbInfo (v3, id SGX) and enclaveIdentity (v2, id QE) in the member
 * order Intel's PCS emits. The signature covers exactly these bytes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/hex.h"
#include "sim/sgx_sim_int.h"

const char *const att_sgxsim_platforms[ATT_SGXSIM_N_PLATFORMS] = {"processor",
								  "platform"};

const struct att_sim_platform att_sim_platforms[ATT_SGXSIM_N_PLATFORMS] = {
    {"processor",
     "processor_ca",
     "attestd Simulated SGX PCK Processor CA",
     "pck_processor_crl",
     SIM_CRL_BASE "/sgx/certification/v4/pckcrl?ca=processor&encoding=der",
     {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00},
     0,
     false},
    {"platform",
     "platform_ca",
     "attestd Simulated SGX PCK Platform CA",
     "pck_platform_crl",
     SIM_CRL_BASE "/sgx/certification/v4/pckcrl?ca=platform&encoding=der",
     {0x00, 0x60, 0x6a, 0x00, 0x00, 0x00},
     1,
     true},
};

#define COMPS(c)                                                               \
	{                                                                      \
		c, c, 3, 3, 255, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0             \
	}

const struct att_sim_level att_sim_levels[ATT_SGXSIM_N_LEVELS] = {
    {"UpToDate", COMPS(17), 13, "2024-11-13T00:00:00Z", {NULL}},
    {"SWHardeningNeeded",
     COMPS(16),
     13,
     "2024-03-13T00:00:00Z",
     {"INTEL-SA-00615", NULL}},
    {"ConfigurationNeeded",
     COMPS(15),
     13,
     "2023-08-09T00:00:00Z",
     {"INTEL-SA-00289", NULL}},
    {"ConfigurationAndSWHardeningNeeded",
     COMPS(14),
     13,
     "2023-02-15T00:00:00Z",
     {"INTEL-SA-00289", "INTEL-SA-00615", NULL}},
    {"OutOfDate",
     COMPS(13),
     13,
     "2022-11-09T00:00:00Z",
     {"INTEL-SA-00657", "INTEL-SA-00767", "INTEL-SA-00615", NULL}},
    {"OutOfDateConfigurationNeeded",
     COMPS(12),
     11,
     "2021-11-10T00:00:00Z",
     {"INTEL-SA-00289", "INTEL-SA-00614", "INTEL-SA-00617", "INTEL-SA-00615",
      NULL}},
    {"Revoked",
     COMPS(11),
     10,
     "2018-01-04T00:00:00Z",
     {"INTEL-SA-00106", "INTEL-SA-00115", NULL}},
    {"none", COMPS(10), 10, NULL, {NULL}},
};

const char *const att_sgxsim_levels[ATT_SGXSIM_N_LEVELS] = {
    "UpToDate",
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
    "Revoked",
    "none"};

const struct att_sim_qe_level att_sim_qe_levels[] = {
    {8, "2024-03-13T00:00:00Z", "UpToDate", {NULL}},
    {6, "2021-11-10T00:00:00Z", "OutOfDate", {"INTEL-SA-00615", NULL}},
    {5,
     "2020-11-11T00:00:00Z",
     "OutOfDate",
     {"INTEL-SA-00477", "INTEL-SA-00615", NULL}},
    {4,
     "2019-11-13T00:00:00Z",
     "OutOfDate",
     {"INTEL-SA-00334", "INTEL-SA-00477", "INTEL-SA-00615", NULL}},
    {2,
     "2019-05-15T00:00:00Z",
     "OutOfDate",
     {"INTEL-SA-00219", "INTEL-SA-00293", "INTEL-SA-00334", "INTEL-SA-00477",
      "INTEL-SA-00615", NULL}},
    {1,
     "2018-08-15T00:00:00Z",
     "OutOfDate",
     {"INTEL-SA-00202", "INTEL-SA-00219", "INTEL-SA-00293", "INTEL-SA-00334",
      "INTEL-SA-00477", "INTEL-SA-00615", NULL}},
};
const size_t att_sim_n_qe_levels =
    sizeof(att_sim_qe_levels) / sizeof(att_sim_qe_levels[0]);

/* Intel's SGX QE MRSIGNER; the simulated QE claims the same signer. */
const uint8_t att_sgxsim_qe_mrsigner[32] = {
    0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f,
    0x77, 0xc6, 0x8a, 0x82, 0x9a, 0x00, 0x56, 0xac, 0x8d, 0xed, 0x70,
    0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff};

const struct att_sim_platform *att_sim_platform_find(const char *name)
{
	if (!name)
		return &att_sim_platforms[0];
	for (size_t i = 0; i < ATT_SGXSIM_N_PLATFORMS; i++)
		if (!strcmp(att_sim_platforms[i].name, name))
			return &att_sim_platforms[i];
	return NULL;
}

const struct att_sim_level *att_sim_level_find(const char *name)
{
	if (!name)
		return &att_sim_levels[0];
	for (size_t i = 0; i < ATT_SGXSIM_N_LEVELS; i++)
		if (!strcasecmp(att_sim_levels[i].name, name))
			return &att_sim_levels[i];
	return NULL;
}

void att_sim_pck_cert_name(char *out, size_t cap, const char *level)
{
	snprintf(out, cap, "pck_%s.pem", level);
}

static int add_adv(struct att_buf *b, const char *const *adv)
{
	if (!adv[0])
		return 0;
	int r = att_buf_adds(b, ",\"advisoryIDs\":[");
	for (size_t i = 0; !r && adv[i]; i++)
		r = att_buf_addf(b, "%s\"%s\"", i ? "," : "", adv[i]);
	return r ? r : att_buf_adds(b, "]");
}

static int add_comp(struct att_buf *b, size_t i, unsigned svn)
{
	static const char *const cat[4] = {"BIOS", "OS/VMM", "OS/VMM", "BIOS"};
	static const char *const type[4] = {"Early Microcode Update",
					    "SGX Late Microcode Update",
					    "TXT SINIT", NULL};
	int r = att_buf_addf(b, "%s{\"svn\":%u", i ? "," : "", svn);
	if (!r && i < 4)
		r = att_buf_addf(b, ",\"category\":\"%s\"", cat[i]);
	if (!r && i < 4 && type[i])
		r = att_buf_addf(b, ",\"type\":\"%s\"", type[i]);
	return r ? r : att_buf_adds(b, "}");
}

static int add_level(struct att_buf *b, const struct att_sim_level *l,
		     bool first)
{
	int r = att_buf_addf(b, "%s{\"tcb\":{\"sgxtcbcomponents\":[",
			     first ? "" : ",");
	for (size_t i = 0; !r && i < 16; i++)
		r = add_comp(b, i, l->comp[i]);
	if (!r)
		r = att_buf_addf(b,
				 "],\"pcesvn\":%u},\"tcbDate\":\"%s\","
				 "\"tcbStatus\":\"%s\"",
				 l->pcesvn, l->tcb_date, l->name);
	if (!r)
		r = add_adv(b, l->adv);
	return r ? r : att_buf_adds(b, "}");
}

int att_sim_tcb_info_body(struct att_buf *out, const uint8_t fmspc[6],
			  int64_t issue, int64_t next, uint32_t eval_num)
{
	char is[32], nu[32], fm[13];
	att_time_format(is, sizeof(is), issue);
	att_time_format(nu, sizeof(nu), next);
	att_hex_encode(fm, sizeof(fm), fmspc, 6, true);
	int r =
	    att_buf_addf(out,
			 "{\"id\":\"SGX\",\"version\":3,\"issueDate\":\"%s\","
			 "\"nextUpdate\":\"%s\",\"fmspc\":\"%s\","
			 "\"pceId\":\"0000\",\"tcbType\":0,"
			 "\"tcbEvaluationDataNumber\":%u,\"tcbLevels\":[",
			 is, nu, fm, eval_num);
	for (size_t i = 0; !r && i < ATT_SGXSIM_N_LEVELS; i++)
		if (att_sim_levels[i].tcb_date)
			r = add_level(out, &att_sim_levels[i], i == 0);
	return r ? r : att_buf_adds(out, "]}");
}

static int add_qe_level(struct att_buf *b, const struct att_sim_qe_level *l,
			bool first)
{
	int r =
	    att_buf_addf(b,
			 "%s{\"tcb\":{\"isvsvn\":%u},\"tcbDate\":\"%s\","
			 "\"tcbStatus\":\"%s\"",
			 first ? "" : ",", l->isvsvn, l->tcb_date, l->status);
	if (!r)
		r = add_adv(b, l->adv);
	return r ? r : att_buf_adds(b, "}");
}

int att_sim_qe_identity_body(struct att_buf *out, const uint8_t mrsigner[32],
			     unsigned isvprodid, int64_t issue, int64_t next,
			     uint32_t eval_num)
{
	char is[32], nu[32], ms[65];
	att_time_format(is, sizeof(is), issue);
	att_time_format(nu, sizeof(nu), next);
	att_hex_encode(ms, sizeof(ms), mrsigner, 32, true);
	int r = att_buf_addf(
	    out,
	    "{\"id\":\"QE\",\"version\":2,\"issueDate\":\"%s\","
	    "\"nextUpdate\":\"%s\",\"tcbEvaluationDataNumber\":%u,"
	    "\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
	    "\"attributes\":\"11000000000000000000000000000000\","
	    "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\","
	    "\"mrsigner\":\"%s\",\"isvprodid\":%u,\"tcbLevels\":[",
	    is, nu, eval_num, ms, isvprodid);
	for (size_t i = 0; !r && i < att_sim_n_qe_levels; i++)
		r = add_qe_level(out, &att_sim_qe_levels[i], i == 0);
	return r ? r : att_buf_adds(out, "]}");
}

void att_sim_dates_resolve(struct att_sim_dates *out,
			   const struct att_sgxsim_collateral_opts *o)
{
	int64_t now = o->now ? o->now : att_time_now();
	int64_t is = o->issue_date ? o->issue_date : now - SIM_DAY;
	int64_t nu = o->next_update ? o->next_update : now + 30 * SIM_DAY;
	out->tcb_issue = o->tcb_info_issue ? o->tcb_info_issue : is;
	out->tcb_next = o->tcb_info_next ? o->tcb_info_next : nu;
	out->qe_issue = o->qe_identity_issue ? o->qe_identity_issue : is;
	out->qe_next = o->qe_identity_next ? o->qe_identity_next : nu;
	out->pck_crl_issue = o->pck_crl_issue ? o->pck_crl_issue : is;
	out->pck_crl_next = o->pck_crl_next ? o->pck_crl_next : nu;
	out->root_crl_issue = o->root_crl_issue ? o->root_crl_issue : is;
	out->root_crl_next = o->root_crl_next ? o->root_crl_next : nu;
}

bool att_sgxsim_built_in(void)
{
	return true;
}
