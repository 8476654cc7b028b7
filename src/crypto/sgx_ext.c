/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCK certificate SGX extension parser. The value is
 *   SEQUENCE { SEQUENCE { OID, value } ... }
 * with OIDs under 1.2.840.113741.1.13.1: .1 PPID, .2 TCB (a SEQUENCE of
 * 18 such pairs: .2.1-.2.16 component SVNs, .2.17 PCESVN, .2.18 CPUSVN),
 * .3 PCE-ID, .4 FMSPC, .5 SGX type, .6 platform instance ID, .7
 * configuration (.7.1 dynamicPlatform, .7.2 cachedKeys, .7.3 SMTEnabled).
 * As QVL: 5 (Processor CA) or 7 (Platform CA) top-level entries, the five
 * mandatory ones present, exactly 18 TCB entries, no duplicates, exact
 * octet-string sizes. Every element is walked as an ASN1_TYPE.
 */
#include "crypto/sgx_ext.h"

#include <limits.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/x509.h"

#define ARC ATT_SGX_EXT_OID "."

/* Decodes a SEQUENCE's DER into its elements. */
static STACK_OF(ASN1_TYPE) *seq_items(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	if (len == 0 || len > ATT_SGX_EXT_MAX_LEN)
		return NULL;
	STACK_OF(ASN1_TYPE) *sk = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	if (sk && p != der + len) {
		sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
		return NULL;
	}
	return sk;
}

/* One { OID, value } pair: the OID as dotted text and the value. */
struct pair {
	STACK_OF(ASN1_TYPE) *sk;
	char oid[64];
	const ASN1_TYPE *val;
};

static int pair_open(struct pair *pr, const ASN1_TYPE *t)
{
	memset(pr, 0, sizeof(*pr));
	if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE)
		return ATT_ERR_FORMAT;
	const ASN1_STRING *s = t->value.sequence;
	pr->sk = seq_items(ASN1_STRING_get0_data(s),
			   (size_t)ASN1_STRING_length(s));
	if (!pr->sk)
		return ATT_ERR_FORMAT;
	if (sk_ASN1_TYPE_num(pr->sk) != 2)
		return ATT_ERR_FORMAT;
	const ASN1_TYPE *o = sk_ASN1_TYPE_value(pr->sk, 0);
	if (ASN1_TYPE_get(o) != V_ASN1_OBJECT)
		return ATT_ERR_FORMAT;
	int n = OBJ_obj2txt(pr->oid, sizeof(pr->oid), o->value.object, 1);
	if (n <= 0 || (size_t)n >= sizeof(pr->oid))
		return ATT_ERR_FORMAT;
	pr->val = sk_ASN1_TYPE_value(pr->sk, 1);
	return 0;
}

static void pair_close(struct pair *pr)
{
	sk_ASN1_TYPE_pop_free(pr->sk, ASN1_TYPE_free);
	pr->sk = NULL;
}

/* The arc number after `prefix` ("...13.1.2." -> 7), or -1. */
static int arc_after(const char *oid, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(oid, prefix, n) != 0)
		return -1; /* not an error: another arc */
	int v = 0;
	const char *p = oid + n;
	if (!*p)
		return -1; /* not an error: no arc */
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > 1000)
			return -1; /* not an error: no arc */
		v = v * 10 + (*p - '0');
	}
	return v;
}

static int octets(const ASN1_TYPE *t, uint8_t *out, size_t n)
{
	if (ASN1_TYPE_get(t) != V_ASN1_OCTET_STRING ||
	    (size_t)ASN1_STRING_length(t->value.octet_string) != n)
		return ATT_ERR_FORMAT;
	memcpy(out, ASN1_STRING_get0_data(t->value.octet_string), n);
	return 0;
}

static int integer(const ASN1_TYPE *t, int type, long max, long *out)
{
	int64_t v = 0;
	if (ASN1_TYPE_get(t) != type)
		return ATT_ERR_FORMAT;
	int ok = type == V_ASN1_ENUMERATED
			 ? ASN1_ENUMERATED_get_int64(&v, t->value.enumerated)
			 : ASN1_INTEGER_get_int64(&v, t->value.integer);
	if (ok != 1 || v < 0 || v > max)
		return ATT_ERR_FORMAT;
	*out = (long)v;
	return 0;
}

/* TCB: 18 pairs, .2.1-.2.16 component SVNs, .2.17 PCESVN, .2.18 CPUSVN. */
static int tcb_entry(struct att_sgx_pck_ext *e, const struct pair *pr,
		     uint32_t *seen, struct att_diag *d)
{
	int arc = arc_after(pr->oid, ARC "2.");
	long v = 0;
	int rc = ATT_ERR_FORMAT;
	if (arc < 1 || arc > 18)
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: "
				    "unexpected TCB element %s", pr->oid);
	if (*seen & (1u << arc))
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: "
				    "duplicate TCB element %s", pr->oid);
	*seen |= 1u << arc;
	if (arc <= 16) {
		if ((rc = integer(pr->val, V_ASN1_INTEGER, 255, &v)) == 0)
			e->comps[arc - 1] = (uint8_t)v;
	} else if (arc == 17) {
		if ((rc = integer(pr->val, V_ASN1_INTEGER, 65535, &v)) == 0)
			e->pcesvn = (uint16_t)v;
	} else {
		rc = octets(pr->val, e->cpusvn, 16);
	}
	if (rc)
		return att_diag_set(d, rc, "PCK extension: bad value for TCB "
				    "element %s", pr->oid);
	return 0;
}

static int walk_tcb(struct att_sgx_pck_ext *e, const ASN1_TYPE *t,
		    struct att_diag *d)
{
	if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "PCK extension: TCB is not a SEQUENCE");
	const ASN1_STRING *s = t->value.sequence;
	STACK_OF(ASN1_TYPE) *sk = seq_items(ASN1_STRING_get0_data(s),
					    (size_t)ASN1_STRING_length(s));
	uint32_t seen = 0;
	int rc = 0;
	if (!sk || sk_ASN1_TYPE_num(sk) != 18)
		rc = att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: TCB must "
				  "have 18 elements");
	for (int i = 0; rc == 0 && i < sk_ASN1_TYPE_num(sk); i++) {
		struct pair pr;
		rc = pair_open(&pr, sk_ASN1_TYPE_value(sk, i));
		if (rc)
			rc = att_diag_set(d, rc, "PCK extension: malformed TCB "
					  "element %d", i);
		else
			rc = tcb_entry(e, &pr, &seen, d);
		pair_close(&pr);
	}
	sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
	return rc;
}

/* Configuration: SEQUENCE of { OID .7.n, BOOLEAN }. */
static int config_entry(struct att_sgx_pck_ext *e, const struct pair *pr,
			struct att_diag *d)
{
	int arc = arc_after(pr->oid, ARC "7.");
	bool *has, *val;
	switch (arc) {
	case 1: has = &e->has_dynamic_platform; val = &e->dynamic_platform; break;
	case 2: has = &e->has_cached_keys; val = &e->cached_keys; break;
	case 3: has = &e->has_smt_enabled; val = &e->smt_enabled; break;
	default:
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: "
				    "unexpected configuration element %s",
				    pr->oid);
	}
	if (*has || ASN1_TYPE_get(pr->val) != V_ASN1_BOOLEAN)
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: bad "
				    "configuration element %s", pr->oid);
	*has = true;
	*val = pr->val->value.boolean != 0;
	return 0;
}

static int walk_config(struct att_sgx_pck_ext *e, const ASN1_TYPE *t,
		       struct att_diag *d)
{
	if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE)
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: "
				    "configuration is not a SEQUENCE");
	const ASN1_STRING *s = t->value.sequence;
	STACK_OF(ASN1_TYPE) *sk = NULL;
	int rc = 0;
	/* An empty SEQUENCE (30 00) is legal here. */
	if (ASN1_STRING_length(s) > 2) {
		sk = seq_items(ASN1_STRING_get0_data(s),
			       (size_t)ASN1_STRING_length(s));
		if (!sk || sk_ASN1_TYPE_num(sk) > 3)
			rc = att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: "
					  "malformed configuration");
	}
	for (int i = 0; rc == 0 && sk && i < sk_ASN1_TYPE_num(sk); i++) {
		struct pair pr;
		rc = pair_open(&pr, sk_ASN1_TYPE_value(sk, i));
		if (rc)
			rc = att_diag_set(d, rc, "PCK extension: malformed "
					  "configuration element %d", i);
		else
			rc = config_entry(e, &pr, d);
		pair_close(&pr);
	}
	sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
	e->has_configuration = rc == 0;
	return rc;
}

static int top_entry(struct att_sgx_pck_ext *e, const struct pair *pr,
		     uint32_t *seen, struct att_diag *d)
{
	int arc = arc_after(pr->oid, ARC);
	long v = 0;
	int rc;
	if (arc < 1 || arc > 7)
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: "
				    "unexpected element %s", pr->oid);
	if (*seen & (1u << arc))
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: "
				    "duplicate element %s", pr->oid);
	*seen |= 1u << arc;
	switch (arc) {
	case 1: rc = octets(pr->val, e->ppid, 16); break;
	case 2: return walk_tcb(e, pr->val, d);
	case 3: rc = octets(pr->val, e->pce_id, 2); break;
	case 4: rc = octets(pr->val, e->fmspc, 6); break;
	case 5:
		rc = integer(pr->val, V_ASN1_ENUMERATED, 2, &v);
		e->sgx_type = (int)v;
		break;
	case 6:
		rc = octets(pr->val, e->platform_instance_id, 16);
		e->has_platform_instance_id = rc == 0;
		break;
	default: return walk_config(e, pr->val, d);
	}
	if (rc)
		return att_diag_set(d, rc, "PCK extension: bad value for %s",
				    pr->oid);
	return 0;
}

static int walk_top(struct att_sgx_pck_ext *e, STACK_OF(ASN1_TYPE) *sk,
		    struct att_diag *d)
{
	const uint32_t mandatory = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 |
				   1u << 5;
	uint32_t seen = 0;
	int n = sk_ASN1_TYPE_num(sk), rc = 0;
	if (n != 5 && n != 7)
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: %d "
				    "elements, expected 5 or 7", n);
	for (int i = 0; rc == 0 && i < n; i++) {
		struct pair pr;
		rc = pair_open(&pr, sk_ASN1_TYPE_value(sk, i));
		if (rc)
			rc = att_diag_set(d, rc, "PCK extension: malformed "
					  "element %d", i);
		else
			rc = top_entry(e, &pr, &seen, d);
		pair_close(&pr);
	}
	if (rc == 0 && (seen & mandatory) != mandatory)
		rc = att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: a "
				  "mandatory element (PPID, TCB, PCE-ID, "
				  "FMSPC, SGX type) is missing");
	return rc;
}

int att_sgx_pck_ext_parse(struct att_sgx_pck_ext *out, const uint8_t *der,
			  size_t len, struct att_diag *d)
{
	memset(out, 0, sizeof(*out));
	if (len > ATT_SGX_EXT_MAX_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "PCK extension: %zu "
				    "bytes is too large", len);
	STACK_OF(ASN1_TYPE) *sk = seq_items(der, len);
	if (!sk)
		return att_diag_set(d, ATT_ERR_FORMAT, "PCK extension: not "
				    "a DER SEQUENCE");
	int rc = walk_top(out, sk, d);
	sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

int att_sgx_pck_ext_from_cert(struct att_sgx_pck_ext *out,
			      const struct att_cert *cert, struct att_diag *d)
{
	const uint8_t *val;
	size_t len;
	memset(out, 0, sizeof(*out));
	if (att_x509_extension(cert, ATT_SGX_EXT_OID, &val, &len) != 0)
		return att_diag_set(d, ATT_ERR_NOT_FOUND, "PCK certificate "
				    "has no SGX extension (%s)",
				    ATT_SGX_EXT_OID);
	return att_sgx_pck_ext_parse(out, val, len, d);
}
