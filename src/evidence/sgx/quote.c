/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DCAP quote parser (Intel DCAP quote format, sgx_quote_3.h / _4.h / _5.h
 * field order; Intel "SGX ECDSA Quote Library API" Appendix A and "TDX
 * DCAP Quoting Library API"). Every field is read through
 * struct att_cur; nothing is cast over the input. The parse is
 * transactional: on any error the output struct is zeroed. Like Intel's
 * QVL we size everything from the length fields; unlike QVL we require the
 * v3 certification data and the v4/v5 type-6 payload to be consumed
 * exactly, except for NUL padding after the v3 certification data, and we
 * accept after the signature data (and after an Open Enclave report's
 * declared size) only what real quote generation leaves there: zero
 * padding of at most ATT_SGX_QUOTE_MAX_PADDING bytes (the test vectors
 * carry 70 bytes, or pad to an 8000-byte buffer), reported as
 * trailing_len. Anything else is ATT_ERR_TRAILING naming length and
 * offset (docs/dcap-verifier.md).
 */
#include "evidence/sgx/quote.h"

#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "base/limits.h"

const uint8_t att_sgx_intel_qe_vendor_id[16] = {
	0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9,
	0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07,
};

static int take(struct att_cur *c, const uint8_t **out, size_t n)
{
	struct att_cur sub;
	int r = att_cur_get_bytes(c, &sub, n);
	*out = r ? NULL : sub.p;
	return r;
}

static uint64_t le64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

/* SGX report body, linux-sgx sgx_report.h field order. */
static int report_read(struct att_cur *c, struct att_sgx_report *r)
{
	struct att_cur body;
	int rc;
	memset(r, 0, sizeof(*r));
	if ((rc = att_cur_get_bytes(c, &body, ATT_SGX_REPORT_LEN)) != 0)
		return rc;
	r->raw = body.p;
	if ((rc = take(&body, &r->cpusvn, 16)) != 0 ||
	    (rc = take(&body, &r->miscselect_raw, 4)) != 0 ||
	    (rc = att_cur_skip(&body, 12)) != 0 ||
	    (rc = take(&body, &r->isvextprodid, 16)) != 0 ||
	    (rc = take(&body, &r->attributes, 16)) != 0 ||
	    (rc = take(&body, &r->mrenclave, 32)) != 0 ||
	    (rc = att_cur_skip(&body, 32)) != 0 ||
	    (rc = take(&body, &r->mrsigner, 32)) != 0 ||
	    (rc = att_cur_skip(&body, 32)) != 0 ||
	    (rc = take(&body, &r->configid, 64)) != 0 ||
	    (rc = att_cur_get_u16le(&body, &r->isvprodid)) != 0 ||
	    (rc = att_cur_get_u16le(&body, &r->isvsvn)) != 0 ||
	    (rc = att_cur_get_u16le(&body, &r->configsvn)) != 0 ||
	    (rc = att_cur_skip(&body, 42)) != 0 ||
	    (rc = take(&body, &r->isvfamilyid, 16)) != 0 ||
	    (rc = take(&body, &r->report_data, 64)) != 0)
		return ATT_ERR_INTERNAL; /* 384 bytes were available */
	r->miscselect = (uint32_t)r->miscselect_raw[0] |
			(uint32_t)r->miscselect_raw[1] << 8 |
			(uint32_t)r->miscselect_raw[2] << 16 |
			(uint32_t)r->miscselect_raw[3] << 24;
	r->flags = le64(r->attributes);
	r->xfrm = le64(r->attributes + 8);
	return att_cur_expect_end(&body) ? ATT_ERR_INTERNAL : 0;
}

int att_sgx_report_parse(struct att_sgx_report *r, const uint8_t *buf,
			 size_t len)
{
	struct att_cur c;
	att_cur_init(&c, buf, len);
	int rc = report_read(&c, r);
	if (rc == 0 && c.len != 0)
		rc = ATT_ERR_TRAILING;
	if (rc)
		memset(r, 0, sizeof(*r));
	return rc;
}

/* TD report body 1.0 / 1.5 (sgx_quote_4.h / _5.h). */
static int td_report_read(struct att_cur *c, struct att_tdx_report *t,
			  size_t len)
{
	struct att_cur b;
	int rc;
	memset(t, 0, sizeof(*t));
	if ((rc = att_cur_get_bytes(c, &b, len)) != 0)
		return rc;
	t->raw = b.p;
	t->raw_len = len;
	t->minor = len == ATT_TDX_REPORT15_LEN ? 5 : 0;
	if (take(&b, &t->tee_tcb_svn, 16) || take(&b, &t->mrseam, 48) ||
	    take(&b, &t->mrsignerseam, 48) ||
	    take(&b, &t->seam_attributes, 8) ||
	    take(&b, &t->td_attributes, 8) || take(&b, &t->xfam, 8) ||
	    take(&b, &t->mrtd, 48) || take(&b, &t->mrconfigid, 48) ||
	    take(&b, &t->mrowner, 48) || take(&b, &t->mrownerconfig, 48) ||
	    take(&b, &t->rtmr[0], 48) || take(&b, &t->rtmr[1], 48) ||
	    take(&b, &t->rtmr[2], 48) || take(&b, &t->rtmr[3], 48) ||
	    take(&b, &t->report_data, 64))
		return ATT_ERR_INTERNAL;
	if (t->minor == 5 &&
	    (take(&b, &t->tee_tcb_svn2, 16) || take(&b, &t->mrservicetd, 48)))
		return ATT_ERR_INTERNAL;
	t->td_attributes_u64 = le64(t->td_attributes);
	t->xfam_u64 = le64(t->xfam);
	return att_cur_expect_end(&b) ? ATT_ERR_INTERNAL : 0;
}

static int header_read(struct att_cur *c, struct att_sgx_quote *q,
		       struct att_diag *d)
{
	int rc;
	if ((rc = att_cur_get_u16le(c, &q->version)) != 0 ||
	    (rc = att_cur_get_u16le(c, &q->att_key_type)) != 0 ||
	    (rc = att_cur_get_u32le(c, &q->tee_type)) != 0 ||
	    (rc = att_cur_get_u16le(c, &q->qe_svn)) != 0 ||
	    (rc = att_cur_get_u16le(c, &q->pce_svn)) != 0 ||
	    (rc = take(c, &q->qe_vendor_id, 16)) != 0 ||
	    (rc = take(c, &q->user_data, 20)) != 0)
		return att_diag_set(d, rc, "sgx quote: header truncated");
	if (q->version < 3 || q->version > 5)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sgx quote: unsupported version %u",
				    q->version);
	if (q->att_key_type != ATT_SGX_ATT_KEY_ECDSA_P256)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sgx quote: unsupported attestation key "
				    "type %u", q->att_key_type);
	if (q->tee_type != ATT_SGX_TEE_TYPE_SGX &&
	    q->tee_type != ATT_SGX_TEE_TYPE_TDX)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sgx quote: unknown TEE type 0x%x",
				    q->tee_type);
	if (q->version == 3 && q->tee_type != ATT_SGX_TEE_TYPE_SGX)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "sgx quote: v3 quote with TEE type 0x%x",
				    q->tee_type);
	if (memcmp(q->qe_vendor_id, att_sgx_intel_qe_vendor_id, 16) != 0)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sgx quote: QE vendor ID is not Intel's");
	q->is_tdx = q->tee_type == ATT_SGX_TEE_TYPE_TDX;
	return 0;
}

/* Body size by v5 body type; 0 for unknown types. */
static uint32_t body_type_size(uint16_t type)
{
	switch (type) {
	case ATT_SGX_BODY_SGX:
		return ATT_SGX_REPORT_LEN;
	case ATT_SGX_BODY_TD10:
		return ATT_TDX_REPORT10_LEN;
	case ATT_SGX_BODY_TD15:
		return ATT_TDX_REPORT15_LEN;
	default:
		return 0;
	}
}

static int body_read(struct att_cur *c, struct att_sgx_quote *q,
		     struct att_diag *d)
{
	int rc;
	if (q->version == 5) {
		if ((rc = att_cur_get_u16le(c, &q->body_type)) != 0 ||
		    (rc = att_cur_get_u32le(c, &q->body_size)) != 0)
			return att_diag_set(d, rc, "sgx quote: v5 body "
						   "descriptor truncated");
		uint32_t want = body_type_size(q->body_type);
		if (want == 0)
			return att_diag_set(d, ATT_ERR_UNSUPPORTED,
					    "sgx quote: unsupported v5 body "
					    "type %u", q->body_type);
		if (q->body_size != want)
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "sgx quote: v5 body size %u does "
					    "not match body type %u",
					    q->body_size, q->body_type);
		if ((q->body_type == ATT_SGX_BODY_SGX) == q->is_tdx)
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "sgx quote: v5 body type %u does "
					    "not match TEE type 0x%x",
					    q->body_type, q->tee_type);
	} else {
		q->body_type = q->is_tdx ? ATT_SGX_BODY_TD10 : ATT_SGX_BODY_SGX;
		q->body_size = body_type_size(q->body_type);
	}
	if (q->is_tdx)
		rc = td_report_read(c, &q->tdx, q->body_size);
	else
		rc = report_read(c, &q->sgx);
	if (rc)
		return att_diag_set(d, rc, "sgx quote: report body truncated");
	return 0;
}

/* QE report, its signature, QE auth data and the certification data
 * element that follows (shared by v3 and the v4/v5 type-6 payload). */
static int qe_part_read(struct att_cur *c, struct att_sgx_quote *q,
			struct att_diag *d)
{
	struct att_cur auth, cert;
	uint32_t size;
	int rc;
	if ((rc = report_read(c, &q->qe_report)) != 0 ||
	    (rc = take(c, &q->qe_report_sig, ATT_SGX_SIG_LEN)) != 0)
		return att_diag_set(d, rc, "sgx quote: QE report truncated");
	if ((rc = att_cur_get_u16le_prefixed(c, &auth)) != 0)
		return att_diag_set(d, rc,
				    "sgx quote: QE authentication data "
				    "truncated");
	q->qe_auth = auth.p;
	q->qe_auth_len = (uint16_t)auth.len;
	if ((rc = att_cur_get_u16le(c, &q->cert_type)) != 0 ||
	    (rc = att_cur_get_u32le(c, &size)) != 0)
		return att_diag_set(d, rc, "sgx quote: certification data "
					   "header truncated");
	if ((rc = att_cur_get_bytes(c, &cert, size)) != 0)
		return att_diag_set(d, rc, "sgx quote: certification data "
					   "(%u bytes) truncated", size);
	q->cert_data = cert.p;
	q->cert_len = size;
	if (q->cert_type < 1 || q->cert_type > 5)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sgx quote: unsupported certification "
				    "data type %u", q->cert_type);
	return 0;
}

static int sig_data_read(struct att_cur *sig, struct att_sgx_quote *q,
			 struct att_diag *d)
{
	struct att_cur inner;
	int rc;
	if ((rc = take(sig, &q->signature, ATT_SGX_SIG_LEN)) != 0 ||
	    (rc = take(sig, &q->att_key, ATT_SGX_ATT_KEY_LEN)) != 0)
		return att_diag_set(d, rc, "sgx quote: signature data "
					   "truncated");
	if (q->version == 3)
		return qe_part_read(sig, q, d);
	if ((rc = att_cur_get_u16le(sig, &q->outer_cert_type)) != 0 ||
	    (rc = att_cur_get_u32le(sig, &q->outer_cert_size)) != 0)
		return att_diag_set(d, rc, "sgx quote: certification data "
					   "header truncated");
	if (q->outer_cert_type != ATT_SGX_CERT_QE_REPORT)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "sgx quote: v%u certification data type "
				    "%u, expected 6", q->version,
				    q->outer_cert_type);
	if ((rc = att_cur_get_bytes(sig, &inner, q->outer_cert_size)) != 0)
		return att_diag_set(d, rc, "sgx quote: QE report "
					   "certification data truncated");
	if ((rc = qe_part_read(&inner, q, d)) != 0)
		return rc;
	if (inner.len != 0)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "sgx quote: %zu unparsed bytes in the QE "
				    "report certification data", inner.len);
	return 0;
}

static int quote_read(struct att_cur *c, struct att_sgx_quote *q,
		      struct att_diag *d)
{
	const uint8_t *start = c->p;
	size_t start_len = c->len;
	struct att_cur sig;
	int rc;
	if ((rc = header_read(c, q, d)) != 0 || (rc = body_read(c, q, d)) != 0)
		return rc;
	q->signed_data = start;
	q->signed_len = start_len - c->len;
	if ((rc = att_cur_get_u32le(c, &q->sig_data_len)) != 0)
		return att_diag_set(d, rc, "sgx quote: signature data length "
					   "truncated");
	if ((rc = att_cur_get_bytes(c, &sig, q->sig_data_len)) != 0)
		return att_diag_set(d, rc, "sgx quote: signature data (%u "
					   "bytes) truncated", q->sig_data_len);
	if ((rc = sig_data_read(&sig, q, d)) != 0)
		return rc;
	/* QVL ignores slack inside the signature data after the
	 * certification data; we do too, as long as it is zero padding. */
	for (size_t i = 0; i < sig.len; i++)
		if (sig.p[i] != 0)
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "sgx quote: %zu unparsed non-zero "
					    "bytes in the signature data",
					    sig.len);
	q->total_len = start_len - c->len;
	q->trailing_len = c->len;
	return 0;
}

/* padding_check accepts p[0..n), found at offset off of the evidence
 * right after `what` of `who`, only as zero padding within the limit. */
static int padding_check(const uint8_t *p, size_t n, size_t off,
			 const char *who, const char *what, struct att_diag *d)
{
	size_t i = 0;
	while (i < n && p[i] == 0)
		i++;
	if (i < n)
		return att_diag_set(d, ATT_ERR_TRAILING,
				    "%s: %zu bytes after %s at offset %zu are "
				    "not zero padding (byte 0x%02x at offset "
				    "%zu); only zero padding of at most %d "
				    "bytes is accepted",
				    who, n, what, off, p[i], off + i,
				    ATT_SGX_QUOTE_MAX_PADDING);
	if (n > ATT_SGX_QUOTE_MAX_PADDING)
		return att_diag_set(d, ATT_ERR_TRAILING,
				    "%s: %zu zero bytes after %s at offset "
				    "%zu exceed the %d-byte padding limit",
				    who, n, what, off,
				    ATT_SGX_QUOTE_MAX_PADDING);
	return 0;
}

/* quote_parse parses a quote without judging the bytes after its
 * signature data (the callers do, each with its own offsets). */
static int quote_parse(struct att_sgx_quote *q, const uint8_t *buf,
		       size_t len, struct att_diag *d)
{
	struct att_cur c;
	memset(q, 0, sizeof(*q));
	if (len > ATT_MAX_QUOTE_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "sgx quote: %zu bytes exceed the %d-byte "
				    "limit", len, ATT_MAX_QUOTE_LEN);
	att_cur_init(&c, buf, len);
	return quote_read(&c, q, d);
}

int att_sgx_quote_parse(struct att_sgx_quote *q, const uint8_t *buf,
			size_t len, unsigned flags, struct att_diag *d)
{
	if (flags & ATT_SGX_PARSE_OE_HEADER)
		return att_sgx_quote_parse_oe(q, buf, len, d);
	int rc = quote_parse(q, buf, len, d);
	if (!rc)
		rc = padding_check(buf + q->total_len, q->trailing_len,
				   q->total_len, "sgx quote",
				   "its signature data", d);
	if (rc)
		memset(q, 0, sizeof(*q));
	return rc;
}

/* Open Enclave's oe_report_header_t: u32 version (1), u32 report type
 * (2 = OE_REPORT_TYPE_SGX_REMOTE), u64 report size, then the quote. */
static int oe_header_read(struct att_cur *c, struct att_cur *quote,
			  struct att_diag *d)
{
	uint32_t version, type;
	uint64_t size;
	int rc;
	if ((rc = att_cur_get_u32le(c, &version)) != 0 ||
	    (rc = att_cur_get_u32le(c, &type)) != 0 ||
	    (rc = att_cur_get_u64le(c, &size)) != 0)
		return att_diag_set(d, rc, "oe report: header truncated");
	if (version != 1)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "oe report: unsupported header version %u",
				    version);
	if (type != 2)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "oe report: report type %u is not SGX "
				    "remote (2)", type);
	if (size > c->len)
		return att_diag_set(d, ATT_ERR_TRUNCATED,
				    "oe report: declared size %llu exceeds "
				    "the %zu bytes present",
				    (unsigned long long)size, c->len);
	return att_cur_get_bytes(c, quote, (size_t)size);
}

/* oe_padding_check judges what follows the quote of an OE report: the
 * slack inside the declared size, then the bytes past it, together
 * within the padding limit. */
static int oe_padding_check(const struct att_sgx_quote *q,
			    const struct att_cur *quote, const struct att_cur *rest,
			    struct att_diag *d)
{
	size_t off = ATT_SGX_OE_HEADER_LEN + q->total_len;
	char what[64];
	snprintf(what, sizeof(what), "its declared size of %zu bytes",
		 quote->len);
	int rc = padding_check(quote->p + q->total_len, q->trailing_len, off,
			       "sgx quote", "its signature data", d);
	if (!rc)
		rc = padding_check(rest->p, rest->len, off + q->trailing_len,
				   "oe report", what, d);
	if (!rc && q->trailing_len + rest->len > ATT_SGX_QUOTE_MAX_PADDING)
		rc = att_diag_set(d, ATT_ERR_TRAILING,
				  "oe report: %zu zero bytes after the quote's "
				  "signature data at offset %zu exceed the "
				  "%d-byte padding limit",
				  q->trailing_len + rest->len, off,
				  ATT_SGX_QUOTE_MAX_PADDING);
	return rc;
}

int att_sgx_quote_parse_oe(struct att_sgx_quote *q, const uint8_t *buf,
			   size_t len, struct att_diag *d)
{
	struct att_cur c, quote;
	int rc;
	memset(q, 0, sizeof(*q));
	att_cur_init(&c, buf, len);
	if ((rc = oe_header_read(&c, &quote, d)) != 0)
		return rc;
	rc = quote_parse(q, quote.p, quote.len, d);
	if (!rc)
		rc = oe_padding_check(q, &quote, &c, d);
	if (rc) {
		memset(q, 0, sizeof(*q));
		return rc;
	}
	q->oe_header = true;
	q->trailing_len += c.len;
	return 0;
}

bool att_sgx_has_oe_header(const uint8_t *buf, size_t len)
{
	struct att_cur c, quote;
	att_cur_init(&c, buf, len);
	return oe_header_read(&c, &quote, NULL) == 0;
}
