/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x-ms-compliance-status floors (compliance.h): the configuration reader
 * and the decision for TDX and SEV-SNP evidence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "verify/compliance.h"

/* ---- configuration ---- */

enum tee_kind { TEE_TDX = 1, TEE_SNP = 2, TEE_BOTH = 3 };

static const struct {
	const char *type;
	enum tee_kind tees;
} floor_types[] = {
	{"TdxVm", TEE_TDX},
	{"SevSnpVm", TEE_SNP},
	{"AzureGuest", TEE_BOTH},
};

static const struct {
	const char *name;
	enum tee_kind tee; /* 0: either */
} floor_members[] = {
	{"baseline", 0},
	{"min_tcb_status", TEE_TDX},
	{"min_tcb_evaluation_data_number", TEE_TDX},
	{"mrtd", TEE_TDX},
	{"min_tcb", TEE_SNP},
	{"measurements", TEE_SNP},
};

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > ATT_COMPLIANCE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

static int check_members(json_t *o, const char *type, enum tee_kind tees,
			 struct att_diag *d)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		size_t i = 0, n = sizeof(floor_members) / sizeof(floor_members[0]);
		while (i < n && strcmp(floor_members[i].name, k))
			i++;
		if (i == n)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "compliance.%s.%s is not a known "
					    "member",
					    type, k);
		if (floor_members[i].tee && !(floor_members[i].tee & tees))
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "compliance.%s.%s does not apply "
					    "to %s evidence",
					    type, k, type);
	}
	return 0;
}

/* measurement list: an array of 96-hex-digit strings. */
static int get_measurements(json_t *o, const char *type, const char *k,
			    uint8_t (*out)[48], size_t *n, struct att_diag *d)
{
	json_t *a = json_object_get(o, k), *e;
	size_t i;
	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > ATT_COMPLIANCE_MAX_MEASUREMENTS)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "compliance.%s.%s must be an array of 1 "
				    "to %d measurements (96 hex digits each)",
				    type, k, ATT_COMPLIANCE_MAX_MEASUREMENTS);
	json_array_foreach(a, i, e) {
		const char *s = json_string_value(e);
		if (!s || strlen(s) != 96 ||
		    att_hex_decode_fixed(out[i], 48, s, 96) != 0)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "compliance.%s.%s[%zu] must be 96 "
					    "hex digits (48 bytes)",
					    type, k, i);
	}
	*n = json_array_size(a);
	return 0;
}

/* tcb_text reads "bl,tee,snp,ucode[,fmc]", each 0..255. */
static bool tcb_text(const char *s, struct att_snp_tcb *t)
{
	uint8_t *f[5] = {&t->bl, &t->tee, &t->snp, &t->ucode, &t->fmc};
	size_t n = 0;
	for (;;) {
		unsigned v = 0;
		size_t digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255 || n == 5)
			return false;
		*f[n++] = (uint8_t)v;
		if (!*s)
			break;
		if (*s++ != ',')
			return false;
	}
	t->has_fmc = n == 5;
	return n >= 4;
}

static bool tcb_object(json_t *o, struct att_snp_tcb *t)
{
	static const char *const names[] = {"bl", "tee", "snp", "ucode",
					    "fmc"};
	uint8_t *f[5] = {&t->bl, &t->tee, &t->snp, &t->ucode, &t->fmc};
	size_t seen = 0;
	for (size_t i = 0; i < 5; i++) {
		json_t *v = json_object_get(o, names[i]);
		if (!v) {
			if (i < 4)
				return false;
			continue;
		}
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 255)
			return false;
		*f[i] = (uint8_t)json_integer_value(v);
		t->has_fmc = t->has_fmc || i == 4;
		seen++;
	}
	return seen == json_object_size(o);
}

static int get_min_tcb(json_t *o, const char *type, struct att_compliance *c,
		       struct att_diag *d)
{
	json_t *v = json_object_get(o, "min_tcb");
	struct att_snp_tcb t;
	memset(&t, 0, sizeof(t));
	if (!v)
		return 0;
	if (!(json_is_string(v) ? tcb_text(json_string_value(v), &t)
	      : json_is_object(v) ? tcb_object(v, &t)
				  : false))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "compliance.%s.min_tcb must be "
				    "\"bl,tee,snp,ucode[,fmc]\" (each 0 to "
				    "255) or an object with the members bl, "
				    "tee, snp, ucode and optionally fmc",
				    type);
	c->has_min_tcb = true;
	c->min_tcb = t;
	return 0;
}

static int get_tdx(json_t *o, const char *type, struct att_compliance *c,
		   struct att_diag *d)
{
	json_t *st = json_object_get(o, "min_tcb_status");
	json_t *num = json_object_get(o, "min_tcb_evaluation_data_number");
	enum att_tcb_status s;
	if (st) {
		if (!json_is_string(st) ||
		    att_tcb_status_parse(&s, json_string_value(st)) != 0 ||
		    s == ATT_TCB_REVOKED)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "compliance.%s.min_tcb_status must "
					    "be a TCB status (UpToDate, "
					    "SWHardeningNeeded, "
					    "ConfigurationNeeded, "
					    "ConfigurationAndSWHardeningNeeded,"
					    " OutOfDate, "
					    "OutOfDateConfigurationNeeded)",
					    type);
		c->has_min_tcb_status = true;
		c->min_tcb_status = s;
	}
	if (num) {
		if (!json_is_integer(num) || json_integer_value(num) < 1 ||
		    json_integer_value(num) > UINT32_MAX)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "compliance.%s.min_tcb_evaluation_"
					    "data_number must be a positive "
					    "integer",
					    type);
		c->min_tcb_eval_num = (uint32_t)json_integer_value(num);
	}
	c->has_tdx = c->has_min_tcb_status || c->min_tcb_eval_num;
	return get_measurements(o, type, "mrtd", c->tdx_measurements,
				&c->n_tdx_measurements, d);
}

static int parse_floor(struct att_compliance *c, json_t *o,
		       const char *type, enum tee_kind tees,
		       struct att_diag *d)
{
	const char *name = json_string_value(json_object_get(o, "baseline"));
	int r;
	memset(c, 0, sizeof(*c));
	if (!json_is_object(o))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "compliance.%s must be a JSON object",
				    type);
	if ((r = check_members(o, type, tees, d)) != 0)
		return r;
	if (!name || !name_ok(name))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "compliance.%s.baseline must be a name "
				    "of 1 to %d characters A-Z a-z 0-9 . _ -",
				    type, ATT_COMPLIANCE_NAME_MAX);
	if ((tees & TEE_TDX) && (r = get_tdx(o, type, c, d)) != 0)
		return r;
	if ((tees & TEE_SNP) &&
	    ((r = get_min_tcb(o, type, c, d)) != 0 ||
	     (r = get_measurements(o, type, "measurements",
				   c->snp_measurements,
				   &c->n_snp_measurements, d)) != 0))
		return r;
	if (!c->has_tdx && !c->has_min_tcb)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "compliance.%s needs a TCB floor (%s)",
				    type,
				    tees == TEE_TDX ? "min_tcb_status or "
						      "min_tcb_evaluation_data_"
						      "number"
				    : tees == TEE_SNP ? "min_tcb"
						      : "min_tcb_status, "
							"min_tcb_evaluation_"
							"data_number or "
							"min_tcb");
	snprintf(c->name, sizeof(c->name), "%s", name);
	return 0;
}

int att_compliance_parse(struct att_compliance_set *out, json_t *obj,
			 struct att_diag *d)
{
	struct att_compliance *dst[] = {&out->tdx, &out->snp,
					&out->azureguest};
	const char *k;
	json_t *v;
	memset(out, 0, sizeof(*out));
	if (!obj)
		return 0;
	if (!json_is_object(obj))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "compliance must be a JSON object");
	json_object_foreach(obj, k, v) {
		size_t i = 0, n = sizeof(floor_types) / sizeof(floor_types[0]);
		while (i < n && strcmp(floor_types[i].type, k))
			i++;
		if (i == n)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "compliance.%s: not a type with "
					    "x-ms-compliance-status (TdxVm, "
					    "SevSnpVm, AzureGuest)",
					    k);
		int r = parse_floor(dst[i], v, k, floor_types[i].tees, d);
		if (r) {
			memset(out, 0, sizeof(*out));
			return r;
		}
	}
	return 0;
}

/* ---- the decision ---- */

/* status_rank orders TCB statuses from best (0); -1 never meets. */
static int status_rank(enum att_tcb_status s)
{
	switch (s) {
	case ATT_TCB_UP_TO_DATE:
	case ATT_TCB_SW_HARDENING_NEEDED:
	case ATT_TCB_CONFIGURATION_NEEDED:
	case ATT_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
	case ATT_TCB_OUT_OF_DATE:
	case ATT_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED:
		return (int)s;
	case ATT_TCB_TD_RELAUNCH_ADVISED:
		return (int)ATT_TCB_OUT_OF_DATE;
	case ATT_TCB_TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED:
		return (int)ATT_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	default:
		return -1; /* not an error: Revoked and None never meet */
	}
}

static bool listed(const uint8_t (*v)[48], size_t n, const uint8_t *m)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(v[i], m, 48))
			return true;
	return false;
}

static bool miss(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool miss(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return false;
}

bool att_compliance_tdx_meets(const struct att_compliance *c,
			      const struct att_dcap_result *r, char *why,
			      size_t why_len)
{
	if (!c || !c->name[0] || !c->has_tdx)
		return miss(why, why_len, "no TDX compliance floor");
	if (r->tee != ATT_DCAP_TEE_TDX)
		return miss(why, why_len, "not TDX evidence");
	if (r->tdx.debug)
		return miss(why, why_len, "the TD is debuggable");
	int rank = status_rank(r->tcb_status);
	if (c->has_min_tcb_status &&
	    (rank < 0 || rank > status_rank(c->min_tcb_status)))
		return miss(why, why_len, "TCB status %s is below %s",
			    att_tcb_status_name(r->tcb_status),
			    att_tcb_status_name(c->min_tcb_status));
	if (r->tcb_eval_num < c->min_tcb_eval_num)
		return miss(why, why_len,
			    "TCB evaluation data number %u is below %u",
			    r->tcb_eval_num, c->min_tcb_eval_num);
	if (c->n_tdx_measurements &&
	    !listed(c->tdx_measurements, c->n_tdx_measurements, r->tdx.mrtd))
		return miss(why, why_len, "MRTD is not an allowed value");
	return true;
}

/* tcb_below names the first component of t below min, NULL when none. */
static const char *tcb_below(const struct att_snp_tcb *t,
			     const struct att_snp_tcb *min)
{
	if (t->bl < min->bl)
		return "bl";
	if (t->tee < min->tee)
		return "tee";
	if (t->snp < min->snp)
		return "snp";
	if (t->ucode < min->ucode)
		return "ucode";
	if (min->has_fmc && min->fmc && (!t->has_fmc || t->fmc < min->fmc))
		return "fmc";
	return NULL;
}

bool att_compliance_snp_meets(const struct att_compliance *c,
			      const struct att_snp_result *r, char *why,
			      size_t why_len)
{
	const char *comp;
	if (!c || !c->name[0] || !c->has_min_tcb)
		return miss(why, why_len, "no SEV-SNP compliance floor");
	if (r->rep.policy & ATT_SNP_POLICY_DEBUG)
		return miss(why, why_len, "the guest policy allows debugging");
	if ((comp = tcb_below(&r->reported, &c->min_tcb)) != NULL)
		return miss(why, why_len,
			    "REPORTED_TCB %s SVN is below the floor's", comp);
	if (c->n_snp_measurements &&
	    !listed(c->snp_measurements, c->n_snp_measurements,
		    r->rep.measurement))
		return miss(why, why_len,
			    "MEASUREMENT is not an allowed value");
	return true;
}

static int put(json_t *claims, const struct att_compliance *c, bool meets,
	       const char *why)
{
	const char *k = meets ? ATT_COMPLIANCE_CLAIM
			      : ATT_COMPLIANCE_UNMET_CLAIM;
	json_t *v = json_string(meets ? c->name : why);
	return v && json_object_set_new(claims, k, v) == 0 ? 0
							   : ATT_ERR_NOMEM;
}

int att_compliance_tdx_claim(json_t *claims, const struct att_compliance *c,
			     const struct att_dcap_result *r)
{
	char why[128];
	if (!c || !c->name[0])
		return 0;
	return put(claims, c, att_compliance_tdx_meets(c, r, why, sizeof(why)),
		   why);
}

int att_compliance_snp_claim(json_t *claims, const struct att_compliance *c,
			     const struct att_snp_result *r)
{
	char why[128];
	if (!c || !c->name[0])
		return 0;
	return put(claims, c, att_compliance_snp_meets(c, r, why, sizeof(why)),
		   why);
}
