/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DER of the SGX extension (OID 1.2.840.113741.1.13.1) of a simulated PCK
 * certificate, laid out as Intel's PCK certificates carry it: a SEQUENCE of
 * SEQUENCE { OID, value } for PPID, TCB (16 component SVNs, PCESVN,
 * CPUSVN), PCE-ID, FMSPC, SGX Type and, for Platform-CA certificates,
 * Platform Instance ID and Configuration. A tiny DER writer; no OpenSSL.
 */
#include "sim/sgx_sim_crypto.h"

#include <string.h>

#include "attest/err.h"

#define TAG_BOOL 0x01
#define TAG_INT 0x02
#define TAG_OCTETS 0x04
#define TAG_OID 0x06
#define TAG_ENUM 0x0a
#define TAG_SEQ 0x30

/* 1.2.840.113741.1.13.1 */
static const uint8_t sgx_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf8,
				  0x4d, 0x01, 0x0d, 0x01};

static int tlv(struct att_buf *out, uint8_t tag, const void *p, size_t n)
{
	uint8_t h[6];
	size_t hl = 0;
	h[hl++] = tag;
	if (n < 0x80) {
		h[hl++] = (uint8_t)n;
	} else if (n < 0x100) {
		h[hl++] = 0x81;
		h[hl++] = (uint8_t)n;
	} else if (n < 0x10000) {
		h[hl++] = 0x82;
		h[hl++] = (uint8_t)(n >> 8);
		h[hl++] = (uint8_t)n;
	} else {
		return ATT_ERR_LIMIT;
	}
	int r = att_buf_add(out, h, hl);
	return r ? r : att_buf_add(out, p, n);
}

/* oid_tlv appends the OID 1.2.840.113741.1.13.1.a[.b] (b 0 = absent). */
static int oid_tlv(struct att_buf *out, uint8_t a, uint8_t b)
{
	uint8_t o[sizeof(sgx_oid) + 2];
	size_t n = sizeof(sgx_oid);
	memcpy(o, sgx_oid, n);
	o[n++] = a;
	if (b)
		o[n++] = b;
	return tlv(out, TAG_OID, o, n);
}

/* int_bytes: minimal two's-complement content of a non-negative value. */
static size_t int_bytes(uint8_t out[3], unsigned v)
{
	size_t n = 0;
	if (v > 0xff)
		out[n++] = (uint8_t)(v >> 8);
	out[n++] = (uint8_t)v;
	if (out[0] & 0x80) {
		memmove(out + 1, out, n);
		out[0] = 0;
		n++;
	}
	return n;
}

/* entry appends SEQUENCE { OID .a[.b], tag(value) }. */
static int entry(struct att_buf *out, uint8_t a, uint8_t b, uint8_t tag,
		 const void *v, size_t vn)
{
	struct att_buf e;
	att_buf_init(&e, 4096);
	int r = oid_tlv(&e, a, b);
	if (!r)
		r = tlv(&e, tag, v, vn);
	if (!r)
		r = tlv(out, TAG_SEQ, e.data, e.len);
	att_buf_release(&e);
	return r;
}

static int entry_int(struct att_buf *out, uint8_t a, uint8_t b, unsigned v)
{
	uint8_t c[3];
	size_t n = int_bytes(c, v);
	return entry(out, a, b, TAG_INT, c, n);
}

static int tcb_der(const struct att_sgxsim_pck_ext *e, struct att_buf *out)
{
	struct att_buf s;
	att_buf_init(&s, 4096);
	int r = 0;
	for (uint8_t i = 0; i < 16 && !r; i++)
		r = entry_int(&s, 2, (uint8_t)(i + 1), e->comp_svn[i]);
	if (!r)
		r = entry_int(&s, 2, 17, e->pcesvn);
	if (!r)
		r = entry(&s, 2, 18, TAG_OCTETS, e->cpusvn, 16);
	struct att_buf w;
	att_buf_init(&w, 4096);
	if (!r)
		r = oid_tlv(&w, 2, 0);
	if (!r)
		r = tlv(&w, TAG_SEQ, s.data, s.len);
	if (!r)
		r = tlv(out, TAG_SEQ, w.data, w.len);
	att_buf_release(&s);
	att_buf_release(&w);
	return r;
}

static int config_der(const struct att_sgxsim_pck_ext *e, struct att_buf *out)
{
	const bool flags[3] = {e->dynamic_platform, e->cached_keys,
			       e->smt_enabled};
	struct att_buf s, w;
	att_buf_init(&s, 1024);
	att_buf_init(&w, 1024);
	int r = 0;
	for (uint8_t i = 0; i < 3 && !r; i++) {
		uint8_t v = flags[i] ? 0xff : 0x00;
		r = entry(&s, 7, (uint8_t)(i + 1), TAG_BOOL, &v, 1);
	}
	if (!r)
		r = oid_tlv(&w, 7, 0);
	if (!r)
		r = tlv(&w, TAG_SEQ, s.data, s.len);
	if (!r)
		r = tlv(out, TAG_SEQ, w.data, w.len);
	att_buf_release(&s);
	att_buf_release(&w);
	return r;
}

int att_sgxsim_pck_ext_der(const struct att_sgxsim_pck_ext *e,
			   struct att_buf *out)
{
	struct att_buf s;
	att_buf_init(&s, 8192);
	int r = entry(&s, 1, 0, TAG_OCTETS, e->ppid, 16);
	if (!r)
		r = tcb_der(e, &s);
	if (!r)
		r = entry(&s, 3, 0, TAG_OCTETS, e->pceid, 2);
	if (!r)
		r = entry(&s, 4, 0, TAG_OCTETS, e->fmspc, 6);
	if (!r)
		r = entry(&s, 5, 0, TAG_ENUM, &e->sgx_type, 1);
	if (!r && e->platform)
		r = entry(&s, 6, 0, TAG_OCTETS, e->platform_instance_id, 16);
	if (!r && e->platform)
		r = config_der(e, &s);
	if (!r)
		r = tlv(out, TAG_SEQ, s.data, s.len);
	att_buf_release(&s);
	return r;
}
