/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading AMD's extensions of a VCEK or VLEK certificate (KDS interface
 * specification 57230, "VCEK Certificate Extensions"; docs/snp.md): the
 * productName (IA5String, "Milan-B0"), the hwID (the raw CHIP_ID bytes,
 * 64 or, on Turin, 8) and the SPL values of the TCB, each a DER INTEGER
 * that takes two content bytes from 0x80 up. The extension bytes come from
 * a certificate that may not be verified yet, so they are read through the
 * bounded cursor like any other untrusted input.
 */
#include <stddef.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "crypto/x509.h"
#include "evidence/snp/snp_int.h"

#define OID_AMD "1.3.6.1.4.1.3704.1."

/* The SPL extensions and where each lands in struct att_snp_tcb. */
const struct att_snp_spl att_snp_spls[ATT_SNP_N_SPL] = {
	{"blSPL", OID_AMD "3.1", offsetof(struct att_snp_tcb, bl), false},
	{"teeSPL", OID_AMD "3.2", offsetof(struct att_snp_tcb, tee), false},
	{"snpSPL", OID_AMD "3.3", offsetof(struct att_snp_tcb, snp), false},
	{"ucodeSPL", OID_AMD "3.8", offsetof(struct att_snp_tcb, ucode), false},
	{"fmcSPL", OID_AMD "3.9", offsetof(struct att_snp_tcb, fmc), true},
};

uint8_t *att_snp_spl_field(struct att_snp_tcb *t, size_t i)
{
	return (uint8_t *)t + att_snp_spls[i].off;
}

/* The contents of one DER element of tag at the start of v[0..len), which
 * must be the whole input; short-form lengths only (these are small). */
static int der_contents(const uint8_t *v, size_t len, uint8_t tag,
			struct att_cur *out)
{
	struct att_cur c, el;
	uint8_t t, n;
	int rc;
	att_cur_init(&c, v, len);
	if ((rc = att_cur_get_der(&c, tag, &el)) != 0 ||
	    (rc = att_cur_expect_end(&c)) != 0 ||
	    (rc = att_cur_get_u8(&el, &t)) != 0 ||
	    (rc = att_cur_get_u8(&el, &n)) != 0)
		return rc;
	if (n & 0x80u)
		return ATT_ERR_FORMAT;
	*out = el;
	return 0;
}

int att_snp_der_small_uint(const uint8_t *v, size_t len, unsigned *out)
{
	struct att_cur c;
	uint8_t b;
	unsigned val = 0;
	int rc;
	*out = 0;
	if ((rc = der_contents(v, len, 0x02, &c)) != 0)
		return rc;
	/* X.690 §8.3: at least one byte, minimal, here never negative */
	if (c.len == 0 || c.len > 3 || (c.p[0] & 0x80u) ||
	    (c.len > 1 && c.p[0] == 0 && !(c.p[1] & 0x80u)))
		return ATT_ERR_FORMAT;
	while (att_cur_get_u8(&c, &b) == 0)
		val = val << 8 | b;
	*out = val;
	return 0;
}

int att_snp_vek_product(const struct att_cert *vek, char *out,
			size_t out_len)
{
	const uint8_t *v;
	size_t len;
	struct att_cur c;
	int rc;
	if (out_len == 0)
		return ATT_ERR_INVALID_ARG;
	out[0] = '\0';
	if ((rc = att_x509_extension(vek, OID_AMD "2", &v, &len)) != 0)
		return rc;
	if (der_contents(v, len, 0x16, &c) != 0 &&
	    (rc = der_contents(v, len, 0x0C, &c)) != 0)
		return rc;
	if (c.len >= out_len || memchr(c.p, 0, c.len) != NULL)
		return ATT_ERR_FORMAT;
	memcpy(out, c.p, c.len);
	out[c.len] = '\0';
	return 0;
}

int att_snp_vek_hwid(const struct att_cert *vek, const uint8_t **id,
		     size_t *len)
{
	int rc = att_x509_extension(vek, OID_AMD "4", id, len);
	struct att_cur c;
	if (rc != 0)
		return rc;
	/* some issuers wrap the bytes in an OCTET STRING */
	if ((*len == 66 || *len == 10) && der_contents(*id, *len, 0x04,
						       &c) == 0) {
		*id = c.p;
		*len = c.len;
	}
	return 0;
}

int att_snp_vek_tcb(const struct att_cert *vek, enum att_snp_product p,
		    struct att_snp_tcb *out, struct att_diag *d)
{
	*out = (struct att_snp_tcb){.has_fmc = p == ATT_SNP_TURIN};
	for (size_t i = 0; i < ATT_SNP_N_SPL; i++) {
		const uint8_t *v;
		size_t len;
		unsigned val;
		int rc;
		if (att_snp_spls[i].turin_only && p != ATT_SNP_TURIN)
			continue;
		rc = att_x509_extension(vek, att_snp_spls[i].oid, &v, &len);
		if (rc == ATT_ERR_NOT_FOUND)
			return att_diag_set(d, ATT_ERR_FORMAT, "VEK certificate "
					    "lacks the %s extension",
					    att_snp_spls[i].name);
		if (rc == 0)
			rc = att_snp_der_small_uint(v, len, &val);
		if (rc == 0 && val > 0xFFu)
			rc = ATT_ERR_FORMAT;
		if (rc != 0)
			return att_diag_set(d, ATT_ERR_FORMAT, "VEK certificate "
					    "%s is not an INTEGER 0..255",
					    att_snp_spls[i].name);
		*att_snp_spl_field(out, i) = (uint8_t)val;
	}
	out->raw = att_snp_tcb_encode(out, p);
	return 0;
}
