/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD KDS items without state: what names an item (product, hwID, TCB),
 * its store key, URL and description, the AMD certificate extensions of a
 * VCEK/VLEK (OIDs under 1.3.6.1.4.1.3704.1, docs/snp.md), and the form
 * checks of KDS answers: a DER VCEK whose extensions are the ones asked
 * for, a PEM cert_chain of exactly the product's ASK (or ASVK) and ARK, a
 * DER CRL issued by the product's ARK. Nothing is verified here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/cur.h"
#include "codec/hex.h"
#include "collateral/kds.h"
#include "crypto/x509.h"
#include "evidence/sgx/collateral.h"

#define OID_AMD "1.3.6.1.4.1.3704.1."

static const char *const kind_dir[ATT_KDS_ITEM_KIND_COUNT] = {
	"vcek", "vlek", "vcek", "vlek", "vcek", "vlek",
};

static bool known_product(enum att_snp_product p)
{
	return p == ATT_SNP_MILAN || p == ATT_SNP_GENOA || p == ATT_SNP_TURIN;
}

void att_kds_item_release(struct att_kds_item *it)
{
	if (!it)
		return;
	free(it->body);
	att_cert_free(it->cert);
	att_cert_free(it->chain[0]);
	att_cert_free(it->chain[1]);
	att_x509_crl_free(it->crl);
	memset(it, 0, sizeof(*it));
}

/* ---- specs, keys, URLs, descriptions ---- */

int att_kds_spec_vcek(struct att_kds_spec *s, enum att_snp_product p,
		      const uint8_t chip_id[64], uint64_t reported_tcb)
{
	memset(s, 0, sizeof(*s));
	if (!known_product(p) || !chip_id)
		return ATT_ERR_INVALID_ARG;
	s->kind = ATT_KDS_ITEM_VCEK;
	s->product = p;
	s->hwid_len = p == ATT_SNP_TURIN ? 8 : 64;
	memcpy(s->hwid, chip_id, s->hwid_len);
	att_snp_tcb_decode(&s->tcb, reported_tcb, p);
	/* only the components count: reserved bytes never reach a key */
	s->tcb.raw = att_snp_tcb_encode(&s->tcb, p);
	return 0;
}

int att_kds_spec_of(struct att_kds_spec *s, enum att_kds_item_kind kind,
		    enum att_snp_product p)
{
	memset(s, 0, sizeof(*s));
	if (!known_product(p) || kind < ATT_KDS_ITEM_VCEK_CHAIN ||
	    kind >= ATT_KDS_ITEM_KIND_COUNT)
		return ATT_ERR_INVALID_ARG;
	s->kind = kind;
	s->product = p;
	return 0;
}

static void tcb_hex(char out[17], uint64_t raw)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(raw >> (8 * i));
	att_hex_encode(out, 17, b, 8, false);
}

void att_kds_item_key(const struct att_kds_spec *s, char *out, size_t len)
{
	const char *p = att_snp_product_name(s->product);
	char hw[129], t[17];
	tcb_hex(t, s->tcb.raw);
	switch (s->kind) {
	case ATT_KDS_ITEM_VCEK:
		att_hex_encode(hw, sizeof(hw), s->hwid,
			       s->hwid_len <= 64 ? s->hwid_len : 64, false);
		snprintf(out, len, "kds/vcek/%s/%s/%s", p, hw, t);
		break;
	case ATT_KDS_ITEM_VLEK:
		snprintf(out, len, "kds/vlek/%s/vlek/%s", p, t);
		break;
	case ATT_KDS_ITEM_VCEK_CHAIN:
	case ATT_KDS_ITEM_VLEK_CHAIN:
		snprintf(out, len, "kds/%s/%s/cert_chain", kind_dir[s->kind], p);
		break;
	case ATT_KDS_ITEM_VCEK_CRL:
	case ATT_KDS_ITEM_VLEK_CRL:
		snprintf(out, len, "kds/%s/%s/crl", kind_dir[s->kind], p);
		break;
	default:
		snprintf(out, len, "kds/invalid");
		break;
	}
}

static void tcb_text(char *out, size_t len, const struct att_snp_tcb *t,
		     enum att_snp_product p)
{
	if (p == ATT_SNP_TURIN)
		snprintf(out, len, "fmc %u bl %u tee %u snp %u ucode %u", t->fmc,
			 t->bl, t->tee, t->snp, t->ucode);
	else
		snprintf(out, len, "bl %u tee %u snp %u ucode %u", t->bl,
			 t->tee, t->snp, t->ucode);
}

void att_kds_item_what(const struct att_kds_spec *s, char *out, size_t len)
{
	const char *p = att_snp_product_name(s->product);
	char hw[17], t[64];
	tcb_text(t, sizeof(t), &s->tcb, s->product);
	switch (s->kind) {
	case ATT_KDS_ITEM_VCEK:
		att_hex_encode(hw, sizeof(hw), s->hwid,
			       s->hwid_len >= 8 ? (s->hwid_len > 8 ? 4 : 8) : 0,
			       false);
		snprintf(out, len, "VCEK for %s chip %s%s TCB %s", p, hw,
			 s->hwid_len > 8 ? "..." : "", t);
		break;
	case ATT_KDS_ITEM_VLEK:
		snprintf(out, len, "VLEK for %s TCB %s", p, t);
		break;
	case ATT_KDS_ITEM_VCEK_CHAIN:
		snprintf(out, len, "VCEK cert_chain (ASK+ARK) for %s", p);
		break;
	case ATT_KDS_ITEM_VLEK_CHAIN:
		snprintf(out, len, "VLEK cert_chain (ASVK+ARK) for %s", p);
		break;
	default:
		snprintf(out, len, "%s CRL for %s",
			 s->kind == ATT_KDS_ITEM_VLEK_CRL ? "VLEK" : "VCEK", p);
		break;
	}
}

int att_kds_item_url(char *out, size_t len, const char *base,
		     const struct att_kds_spec *s)
{
	const char *p = att_snp_product_name(s->product);
	const struct att_snp_tcb *t = &s->tcb;
	char hw[129];
	int n;
	if (!known_product(s->product))
		return ATT_ERR_INVALID_ARG;
	switch (s->kind) {
	case ATT_KDS_ITEM_VCEK:
		if (s->hwid_len != (s->product == ATT_SNP_TURIN ? 8u : 64u))
			return ATT_ERR_INVALID_ARG;
		att_hex_encode(hw, sizeof(hw), s->hwid, s->hwid_len, false);
		if (s->product == ATT_SNP_TURIN)
			n = snprintf(out, len, "%s/vcek/v1/%s/%s?fmcSPL=%u&blSPL=%u"
				     "&teeSPL=%u&snpSPL=%u&ucodeSPL=%u", base, p,
				     hw, t->fmc, t->bl, t->tee, t->snp, t->ucode);
		else
			n = snprintf(out, len, "%s/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u"
				     "&snpSPL=%u&ucodeSPL=%u", base, p, hw, t->bl,
				     t->tee, t->snp, t->ucode);
		break;
	case ATT_KDS_ITEM_VLEK:
		return ATT_ERR_UNSUPPORTED;
	case ATT_KDS_ITEM_VCEK_CHAIN:
	case ATT_KDS_ITEM_VLEK_CHAIN:
		n = snprintf(out, len, "%s/%s/v1/%s/cert_chain", base,
			     kind_dir[s->kind], p);
		break;
	case ATT_KDS_ITEM_VCEK_CRL:
	case ATT_KDS_ITEM_VLEK_CRL:
		n = snprintf(out, len, "%s/%s/v1/%s/crl", base,
			     kind_dir[s->kind], p);
		break;
	default:
		return ATT_ERR_INVALID_ARG;
	}
	return n < 0 || (size_t)n >= len ? ATT_ERR_LIMIT : 0;
}

/* ---- AMD certificate extensions ---- */

/* The contents of the one DER element of tag that fills v[0..len). */
static int der_whole(const uint8_t *v, size_t len, uint8_t tag,
		     struct att_cur *body)
{
	struct att_cur c, el;
	uint8_t b = 0;
	int rc;
	att_cur_init(&c, v, len);
	if ((rc = att_cur_get_der(&c, tag, &el)) != 0 ||
	    (rc = att_cur_expect_end(&c)) != 0)
		return rc;
	/* att_cur_get_der checked the framing: skip identifier and length */
	if ((rc = att_cur_skip(&el, 1)) != 0 ||
	    (rc = att_cur_get_u8(&el, &b)) != 0)
		return rc;
	if (b & 0x80)
		rc = att_cur_skip(&el, b & 0x7Fu);
	*body = el;
	return rc;
}

/* A DER INTEGER 0..255 (0x80 and above take two octets, 00 xx). */
static int der_u8(const uint8_t *v, size_t len, uint8_t *out)
{
	struct att_cur b;
	uint8_t hi = 0, lo = 0;
	int rc = der_whole(v, len, 0x02, &b);
	if (rc)
		return rc;
	if (b.len == 1 && att_cur_get_u8(&b, &lo) == 0 && lo < 0x80) {
		*out = lo;
		return 0;
	}
	if (b.len == 2 && att_cur_get_u8(&b, &hi) == 0 &&
	    att_cur_get_u8(&b, &lo) == 0 && hi == 0 && lo >= 0x80) {
		*out = lo;
		return 0;
	}
	return ATT_ERR_FORMAT;
}

/* An IA5String (or UTF8String) of printable ASCII into out. */
static int der_text(const uint8_t *v, size_t len, char *out, size_t cap)
{
	struct att_cur b;
	int rc = der_whole(v, len, 0x16, &b);
	if (rc == ATT_ERR_FORMAT)
		rc = der_whole(v, len, 0x0C, &b);
	if (rc)
		return rc;
	if (b.len == 0 || b.len >= cap)
		return ATT_ERR_FORMAT;
	for (size_t i = 0; i < b.len; i++)
		if (b.p[i] < 0x20 || b.p[i] > 0x7E)
			return ATT_ERR_FORMAT;
	memcpy(out, b.p, b.len);
	out[b.len] = 0;
	return 0;
}

static int ext(const struct att_cert *c, const char *sub, const uint8_t **v,
	       size_t *len)
{
	char oid[48];
	snprintf(oid, sizeof(oid), OID_AMD "%s", sub);
	return att_x509_extension(c, oid, v, len);
}

static int ext_u8(const struct att_cert *c, const char *sub, uint8_t *out,
		  bool required, struct att_diag *d)
{
	const uint8_t *v = NULL;
	size_t len = 0;
	int rc = ext(c, sub, &v, &len);
	*out = 0;
	if (rc == ATT_ERR_NOT_FOUND && !required)
		return 0;
	if (rc == 0)
		rc = der_u8(v, len, out);
	if (rc)
		return att_diag_set(d, ATT_ERR_FORMAT, "AMD extension %s%s is "
				    "%s", OID_AMD, sub, rc == ATT_ERR_NOT_FOUND
				    ? "missing" : "not an INTEGER 0..255");
	return 0;
}

/* hwID: the raw bytes (AMD's VCEKs), or the same inside an OCTET STRING. */
static int ext_hwid(const struct att_cert *c, struct att_kds_vek_info *o,
		    struct att_diag *d)
{
	size_t want = o->product == ATT_SNP_TURIN ? 8 : 64, len = 0;
	const uint8_t *v = NULL;
	struct att_cur b = {0};
	if (ext(c, "4", &v, &len) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT, "VCEK has no hwID "
				    "extension (%s4)", OID_AMD);
	if (len != want && (der_whole(v, len, 0x04, &b) != 0 ||
			    b.len != want))
		return att_diag_set(d, ATT_ERR_FORMAT, "VCEK hwID is %zu bytes, "
				    "not %zu for %s", len, want,
				    att_snp_product_name(o->product));
	memcpy(o->hwid, len == want ? v : b.p, want);
	o->hwid_len = want;
	return 0;
}

static int ext_tcb(const struct att_cert *c, struct att_kds_vek_info *o,
		   struct att_diag *d)
{
	struct att_snp_tcb *t = &o->tcb;
	int rc;
	if ((rc = ext_u8(c, "3.1", &t->bl, true, d)) ||
	    (rc = ext_u8(c, "3.2", &t->tee, true, d)) ||
	    (rc = ext_u8(c, "3.3", &t->snp, true, d)) ||
	    (rc = ext_u8(c, "3.8", &t->ucode, true, d)))
		return rc;
	if (o->product == ATT_SNP_TURIN) {
		if ((rc = ext_u8(c, "3.9", &t->fmc, true, d)) != 0)
			return rc;
		t->has_fmc = true;
	}
	t->raw = att_snp_tcb_encode(t, o->product);
	return 0;
}

int att_kds_vek_info(struct att_kds_vek_info *o, const struct att_cert *c,
		     struct att_diag *d)
{
	char cn[64];
	const uint8_t *v = NULL;
	size_t len = 0;
	uint8_t sv = 0;
	int rc;
	memset(o, 0, sizeof(*o));
	att_x509_subject_cn(c, cn, sizeof(cn));
	if (strcmp(cn, "SEV-VLEK") == 0)
		o->vlek = true;
	else if (strcmp(cn, "SEV-VCEK") != 0)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "certificate "
				    "subject CN \"%s\" is not SEV-VCEK or "
				    "SEV-VLEK", cn);
	if ((rc = ext_u8(c, "1", &sv, false, d)) != 0)
		return rc;
	o->struct_version = sv;
	if (ext(c, "2", &v, &len) != 0 ||
	    der_text(v, len, o->product_name, sizeof(o->product_name)) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s productName (%s2) "
				    "missing or not an IA5String", cn, OID_AMD);
	o->product = att_snp_product_from_name(o->product_name);
	if (!known_product(o->product))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "%s productName "
				    "\"%s\" is not Milan, Genoa or Turin", cn,
				    o->product_name);
	if ((rc = ext_tcb(c, o, d)) != 0)
		return rc;
	if (!o->vlek && (rc = ext_hwid(c, o, d)) != 0)
		return rc;
	if (o->vlek && ext(c, "5", &v, &len) == 0 &&
	    der_text(v, len, o->csp_id, sizeof(o->csp_id)) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT, "VLEK CSP ID (%s5) is not "
				    "an IA5String", OID_AMD);
	if (att_x509_validity(c, &o->not_before, &o->not_after) != 0)
		return att_diag_set(d, ATT_ERR_FORMAT, "%s validity unreadable",
				    cn);
	return 0;
}

/* ---- answers ---- */

static bool is_pem(const uint8_t *data, size_t len)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' ||
			   data[i] == '\r' || data[i] == '\n'))
		i++;
	return len - i >= 11 && memcmp(data + i, "-----BEGIN ", 11) == 0;
}

static int set_body(struct att_kds_item *it, const uint8_t *p, size_t len)
{
	if (!(it->body = malloc(len + 1)))
		return ATT_ERR_NOMEM;
	memcpy(it->body, p, len);
	it->body[len] = 0;
	it->body_len = len;
	return 0;
}

int att_kds_parse_cert(struct att_kds_item *out, const uint8_t *data,
		       size_t len, struct att_diag *d)
{
	struct att_kds_vek_info vi;
	struct att_pem_span sp[2];
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc;
	memset(out, 0, sizeof(*out));
	if (!data || len == 0)
		return att_diag_set(d, ATT_ERR_TRUNCATED, "VCEK/VLEK: empty");
	if (len > ATT_SNP_MAX_CERT_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "VCEK/VLEK: %zu bytes, "
				    "more than %d", len, ATT_SNP_MAX_CERT_LEN);
	if (is_pem(data, len)) {
		int n = att_pem_split_certs(sp, 2, (const char *)data, len);
		if (n != 1) {
			rc = att_diag_set(d, ATT_ERR_FORMAT, "VCEK/VLEK: PEM "
					  "holds %s certificate", n == 2 ||
					  n == ATT_ERR_LIMIT ? "more than one"
					  : "no");
			goto out;
		}
		rc = att_x509_from_pem(&out->cert, sp[0].p, sp[0].len);
	} else {
		rc = att_x509_from_der(&out->cert, data, len);
	}
	if (rc) {
		rc = att_diag_set(d, ATT_ERR_FORMAT, "VCEK/VLEK: not a %s "
				  "certificate", is_pem(data, len) ? "PEM" : "DER");
		goto out;
	}
	if ((rc = att_kds_vek_info(&vi, out->cert, d)) != 0)
		goto out;
	out->spec.kind = vi.vlek ? ATT_KDS_ITEM_VLEK : ATT_KDS_ITEM_VCEK;
	out->spec.product = vi.product;
	out->spec.tcb = vi.tcb;
	memcpy(out->spec.hwid, vi.hwid, vi.hwid_len);
	out->spec.hwid_len = vi.hwid_len;
	out->valid_until = vi.not_after;
	/* stored as DER whatever came in */
	if ((rc = att_cert_to_der(&der, &der_len, out->cert)) != 0 ||
	    (rc = set_body(out, der, der_len)) != 0)
		rc = att_diag_set(d, rc, "VCEK/VLEK: out of memory");
out:
	free(der);
	if (rc)
		att_kds_item_release(out);
	return rc;
}

/* "SEV-Milan" / "SEV-VLEK-Milan" / "ARK-Milan": the product after prefix. */
static enum att_snp_product cn_product(const char *cn, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(cn, prefix, n) != 0 || strchr(cn + n, '-'))
		return ATT_SNP_PRODUCT_UNKNOWN;
	return att_snp_product_from_name(cn + n);
}

static int chain_names(struct att_kds_item *out, struct att_diag *d)
{
	char ask[64], ark[64];
	enum att_snp_product p_ask, p_ark;
	att_x509_subject_cn(out->chain[0], ask, sizeof(ask));
	att_x509_subject_cn(out->chain[1], ark, sizeof(ark));
	p_ark = cn_product(ark, "ARK-");
	if (!known_product(p_ark) || !att_x509_is_self_issued(out->chain[1]))
		return att_diag_set(d, ATT_ERR_FORMAT, "cert_chain: second "
				    "certificate \"%s\" is not a self-issued "
				    "AMD ARK", ark);
	if ((p_ask = cn_product(ask, "SEV-VLEK-")) != ATT_SNP_PRODUCT_UNKNOWN)
		out->spec.kind = ATT_KDS_ITEM_VLEK_CHAIN;
	else if ((p_ask = cn_product(ask, "SEV-")) != ATT_SNP_PRODUCT_UNKNOWN)
		out->spec.kind = ATT_KDS_ITEM_VCEK_CHAIN;
	if (p_ask != p_ark || !att_x509_issuer_is(out->chain[0], out->chain[1]))
		return att_diag_set(d, ATT_ERR_FORMAT, "cert_chain: first "
				    "certificate \"%s\" is not the ASK or ASVK "
				    "issued by %s", ask, ark);
	out->spec.product = p_ark;
	return 0;
}

int att_kds_parse_chain(struct att_kds_item *out, const uint8_t *data,
			size_t len, struct att_diag *d)
{
	struct att_pem_span sp[3];
	int64_t nb, na;
	int rc, n;
	memset(out, 0, sizeof(*out));
	if (!data || len == 0)
		return att_diag_set(d, ATT_ERR_TRUNCATED, "cert_chain: empty");
	if (len > 2 * ATT_SNP_MAX_CERT_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "cert_chain: %zu bytes, "
				    "more than %d", len,
				    2 * ATT_SNP_MAX_CERT_LEN);
	n = att_pem_split_certs(sp, 3, (const char *)data, len);
	if (n != 2)
		return att_diag_set(d, ATT_ERR_FORMAT, "cert_chain: %s PEM "
				    "certificates, not 2 (ASK or ASVK, then "
				    "ARK)", n == ATT_ERR_LIMIT || n > 2 ? "more "
				    "than 2" : n == 1 ? "1" : "no");
	for (int i = 0; i < 2; i++) {
		if (att_x509_from_pem(&out->chain[i], sp[i].p, sp[i].len)) {
			rc = att_diag_set(d, ATT_ERR_FORMAT, "cert_chain: "
					  "certificate %d does not parse", i + 1);
			goto out;
		}
	}
	if ((rc = chain_names(out, d)) != 0)
		goto out;
	out->valid_until = INT64_MAX;
	for (int i = 0; i < 2; i++) {
		if (att_x509_validity(out->chain[i], &nb, &na) != 0) {
			rc = att_diag_set(d, ATT_ERR_FORMAT, "cert_chain: "
					  "validity unreadable");
			goto out;
		}
		out->valid_until = na < out->valid_until ? na : out->valid_until;
	}
	/* kept as the two PEM blocks alone (what surrounds them is not
	 * signed and need not survive) */
	char *p0 = NULL, *p1 = NULL;
	if ((rc = att_cert_to_pem(&p0, out->chain[0])) == 0 &&
	    (rc = att_cert_to_pem(&p1, out->chain[1])) == 0) {
		size_t l0 = strlen(p0), l1 = strlen(p1);
		if ((out->body = malloc(l0 + l1 + 1)) != NULL) {
			memcpy(out->body, p0, l0);
			memcpy(out->body + l0, p1, l1 + 1);
			out->body_len = l0 + l1;
		} else {
			rc = ATT_ERR_NOMEM;
		}
	}
	free(p0);
	free(p1);
	if (rc)
		att_diag_set(d, rc, "cert_chain: cannot re-encode");
out:
	if (rc)
		att_kds_item_release(out);
	return rc;
}

int att_kds_parse_crl(struct att_kds_item *out, const uint8_t *data,
		      size_t len, bool vlek, struct att_diag *d)
{
	uint8_t *der = NULL;
	size_t der_len = 0;
	char cn[64];
	int64_t this_update = 0, next_update = 0;
	int rc;
	memset(out, 0, sizeof(*out));
	if (!data || len == 0)
		return att_diag_set(d, ATT_ERR_TRUNCATED, "CRL: empty");
	if (len > ATT_SNP_MAX_CRL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "CRL: %zu bytes, more than "
				    "%d", len, ATT_SNP_MAX_CRL_LEN);
	if (is_pem(data, len)) {
		if (att_dcap_crl_to_der(&der, &der_len, data, len, NULL) != 0) {
			rc = att_diag_set(d, ATT_ERR_FORMAT, "CRL: bad PEM");
			goto out;
		}
		data = der;
		len = der_len;
	}
	if (att_x509_crl_from_der(&out->crl, data, len) != 0) {
		rc = att_diag_set(d, ATT_ERR_FORMAT, "CRL: not a DER CRL");
		goto out;
	}
	att_x509_crl_issuer_cn(out->crl, cn, sizeof(cn));
	out->spec.product = cn_product(cn, "ARK-");
	if (!known_product(out->spec.product)) {
		rc = att_diag_set(d, ATT_ERR_FORMAT, "CRL: issuer \"%s\" is not "
				  "an AMD ARK", cn);
		goto out;
	}
	if (att_x509_crl_times(out->crl, &this_update, &next_update) != 0) {
		rc = att_diag_set(d, ATT_ERR_FORMAT, "CRL: times unreadable");
		goto out;
	}
	out->spec.kind = vlek ? ATT_KDS_ITEM_VLEK_CRL : ATT_KDS_ITEM_VCEK_CRL;
	out->valid_until = next_update;
	if ((rc = set_body(out, data, len)) != 0)
		att_diag_set(d, rc, "CRL: out of memory");
out:
	free(der);
	if (rc)
		att_kds_item_release(out);
	return rc;
}

static bool same_tcb(const struct att_snp_tcb *a, const struct att_snp_tcb *b,
		     enum att_snp_product p)
{
	return a->bl == b->bl && a->tee == b->tee && a->snp == b->snp &&
	       a->ucode == b->ucode && (p != ATT_SNP_TURIN || a->fmc == b->fmc);
}

int att_kds_parse_response(struct att_kds_item *out,
			   const struct att_kds_spec *want,
			   const uint8_t *data, size_t len,
			   struct att_diag *d)
{
	char w[160], got[160];
	bool vcek_like = want->kind == ATT_KDS_ITEM_VCEK ||
			 want->kind == ATT_KDS_ITEM_VLEK;
	int rc;
	if (vcek_like)
		rc = att_kds_parse_cert(out, data, len, d);
	else if (want->kind == ATT_KDS_ITEM_VCEK_CHAIN ||
		 want->kind == ATT_KDS_ITEM_VLEK_CHAIN)
		rc = att_kds_parse_chain(out, data, len, d);
	else
		rc = att_kds_parse_crl(out, data, len,
				       want->kind == ATT_KDS_ITEM_VLEK_CRL, d);
	if (rc)
		return rc;
	bool same = out->spec.kind == want->kind &&
		    out->spec.product == want->product;
	if (same && want->kind == ATT_KDS_ITEM_VCEK)
		same = out->spec.hwid_len == want->hwid_len &&
		       memcmp(out->spec.hwid, want->hwid, want->hwid_len) == 0;
	if (same && vcek_like)
		same = same_tcb(&out->spec.tcb, &want->tcb, want->product);
	if (same)
		return 0;
	att_kds_item_what(want, w, sizeof(w));
	att_kds_item_what(&out->spec, got, sizeof(got));
	att_kds_item_release(out);
	return att_diag_set(d, ATT_ERR_MISMATCH, "asked for %s, got %s", w, got);
}

/* ---- recognising AMD collateral (offline import) ---- */

static bool cert_is_amd_vek(const struct att_cert *c)
{
	char cn[32];
	att_x509_subject_cn(c, cn, sizeof(cn));
	return strcmp(cn, "SEV-VCEK") == 0 || strcmp(cn, "SEV-VLEK") == 0;
}

/* A PEM text: an ARK CRL, one VCEK/VLEK, an ASK/ASVK+ARK chain, or a VEK
 * followed by its chain (as VcekCertChain and Azure's THIM carry them). */
static int classify_pem(struct att_kds_item out[2], const uint8_t *data,
			size_t len, struct att_diag *d)
{
	struct att_pem_span sp[4];
	struct att_cert *c = NULL;
	char first[32] = "", last[32] = "";
	const char *t = (const char *)data;
	int rc;
	if (memmem(data, len, "-----BEGIN X509 CRL-----", 24)) {
		struct att_diag cd = {0};
		rc = att_kds_parse_crl(&out[0], data, len, false, &cd);
		if (rc == 0)
			return 1;
		/* another issuer's CRL (DCAP's) is not ours */
		return strstr(cd.msg, "not an AMD ARK") ? 0
			: att_diag_set(d, rc, "%s", cd.msg);
	}
	int n = att_pem_split_certs(sp, 3, t, len);
	if (n < 1)
		return 0;
	if (att_x509_from_pem(&c, sp[0].p, sp[0].len) == 0)
		att_x509_subject_cn(c, first, sizeof(first));
	att_cert_free(c);
	c = NULL;
	if (att_x509_from_pem(&c, sp[n - 1].p, sp[n - 1].len) == 0)
		att_x509_subject_cn(c, last, sizeof(last));
	att_cert_free(c);
	bool vek = strcmp(first, "SEV-VCEK") == 0 ||
		   strcmp(first, "SEV-VLEK") == 0;
	bool ark = strncmp(last, "ARK-", 4) == 0;
	if (n == 1 && vek)
		return (rc = att_kds_parse_cert(&out[0], data, len, d)) ? rc : 1;
	if (n == 2 && ark)
		return (rc = att_kds_parse_chain(&out[0], data, len, d)) ? rc : 1;
	if (n != 3 || !vek || !ark)
		return 0;
	const char *rest = sp[1].p;
	size_t rest_len = len - (size_t)(rest - t);
	if ((rc = att_kds_parse_cert(&out[0], (const uint8_t *)sp[0].p,
				     sp[0].len, d)) != 0)
		return rc;
	if ((rc = att_kds_parse_chain(&out[1], (const uint8_t *)rest, rest_len,
				      d)) != 0) {
		att_kds_item_release(&out[0]);
		return rc;
	}
	return 2;
}

int att_kds_classify(struct att_kds_item out[2], const uint8_t *data,
		     size_t len, struct att_diag *d)
{
	struct att_cert *c = NULL;
	struct att_x509_crl *crl = NULL;
	char cn[64];
	int rc;
	memset(out, 0, 2 * sizeof(*out));
	if (!data || len == 0)
		return 0;
	if (is_pem(data, len))
		return classify_pem(out, data, len, d);
	if (len <= ATT_SNP_MAX_CERT_LEN && att_x509_from_der(&c, data, len) == 0) {
		bool amd = cert_is_amd_vek(c);
		att_cert_free(c);
		if (!amd)
			return 0;
		rc = att_kds_parse_cert(out, data, len, d);
		return rc ? rc : 1;
	}
	if (len > ATT_SNP_MAX_CRL_LEN ||
	    att_x509_crl_from_der(&crl, data, len) != 0)
		return 0;
	att_x509_crl_issuer_cn(crl, cn, sizeof(cn));
	att_x509_crl_free(crl);
	if (strncmp(cn, "ARK-", 4) != 0)
		return 0;
	rc = att_kds_parse_crl(out, data, len, false, d);
	return rc ? rc : 1;
}
