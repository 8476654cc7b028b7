/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest sim sgx quote`: a DCAP v3 quote built as an SGX platform's QE
 * builds it. Header (version 3, ECDSA-P256, TEE SGX, QE/PCE SVN, Intel's
 * QE vendor ID, QE id in user data), the enclave's 384-byte report body,
 * the attestation key's signature over header+body, the attestation
 * public key, the QE report (REPORTDATA = SHA-256(attestation key || QE
 * auth data) || 0^32) signed by the platform's PCK key, 32 bytes of QE
 * auth data and certification data type 5: the PEM chain PCK leaf,
 * PCK CA, root, NUL-terminated. Layout: Intel "SGX ECDSA Quote Library
 * API", Appendix A (Quote Format).
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/digest.h"
#include "sim/sgx_sim_int.h"

#define HDR_LEN 48
#define REPORT_LEN 384
#define AUTH_LEN 32
#define CERT_TYPE_PCK_CHAIN 5
#define FLAG_INIT 0x01u
#define FLAG_DEBUG 0x02u
#define FLAG_MODE64 0x04u
#define FLAG_PROVISIONKEY 0x10u
#define FLAG_KSS 0x80u
#define XFRM_DEFAULT 0xe7u

static const uint8_t intel_vendor_id[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c,
					    0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3,
					    0x95, 0x7f, 0x06, 0x07};

/* The fields of an SGX report body the simulator sets. */
struct report {
	const uint8_t *cpusvn; /* 16 */
	uint64_t flags, xfrm;
	uint8_t mrenclave[32], mrsigner[32];
	const uint8_t *config_id; /* 64 or NULL */
	uint16_t isvprodid, isvsvn, config_svn;
	uint8_t report_data[64];
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void build_report(uint8_t out[REPORT_LEN], const struct report *r)
{
	memset(out, 0, REPORT_LEN);
	memcpy(out, r->cpusvn, 16);
	/* MISCSELECT (16) and ISVEXTPRODID (32) stay zero */
	put64(out + 48, r->flags);
	put64(out + 56, r->xfrm);
	memcpy(out + 64, r->mrenclave, 32);
	memcpy(out + 128, r->mrsigner, 32);
	if (r->config_id)
		memcpy(out + 192, r->config_id, 64);
	put16(out + 256, r->isvprodid);
	put16(out + 258, r->isvsvn);
	put16(out + 260, r->config_svn);
	/* ISVFAMILYID (304) stays zero */
	memcpy(out + 320, r->report_data, 64);
}

void att_sgxsim_quote_opts_init(struct att_sgxsim_quote_opts *o)
{
	static const char enclave[] = "attestd simulated enclave";
	static const char signer[] = "attestd simulated enclave signer";
	memset(o, 0, sizeof(*o));
	att_sha256(o->mrenclave, enclave, sizeof(enclave) - 1);
	att_sha256(o->mrsigner, signer, sizeof(signer) - 1);
	o->isvprodid = 1;
	o->isvsvn = 1;
	o->qe_isvsvn = -1;
}

/* What one quote needs from DIR. */
struct inputs {
	const struct att_sim_platform *pl;
	const struct att_sim_level *lv;
	struct att_pkey *qe_key, *pck_key;
	struct att_buf chain; /* PEM leaf, CA, root, NUL */
	uint8_t att_pub[64];
};

static int append_file(const char *dir, const char *sub, const char *name,
		       struct att_buf *out, struct att_diag *d)
{
	struct att_buf b;
	int r = att_sim_read(dir, sub, name, &b, false, d);
	if (!r && att_buf_add(out, b.data, b.len))
		r = att_diag_set(d, ATT_ERR_LIMIT, "sgxsim: chain too large");
	att_buf_release(&b);
	return r;
}

static int load_inputs(struct inputs *in, const char *dir,
		       const struct att_sgxsim_quote_opts *o,
		       struct att_diag *d)
{
	char leaf[128], ca[64];
	att_sim_pck_cert_name(leaf, sizeof(leaf),
			      o->revoked ? SIM_F_REVOKED : in->lv->name);
	snprintf(ca, sizeof(ca), "%s.pem", in->pl->ca);
	int r = att_sim_load_key(dir, NULL, SIM_F_QE_KEY, &in->qe_key, d);
	if (!r)
		r = att_sim_load_key(dir, in->pl->name, SIM_F_PCK_KEY,
				     &in->pck_key, d);
	if (!r)
		r = append_file(dir, in->pl->name, leaf, &in->chain, d);
	if (!r)
		r = append_file(dir, NULL, ca, &in->chain, d);
	if (!r)
		r = append_file(dir, NULL, SIM_F_ROOT_PEM, &in->chain, d);
	if (!r && att_buf_add(&in->chain, "", 1))
		r = att_diag_set(d, ATT_ERR_LIMIT, "sgxsim: chain too large");
	if (!r && att_sgxsim_key_pub(in->qe_key, in->att_pub))
		r = att_diag_set(d, ATT_ERR_CRYPTO, "sgxsim: QE key unusable");
	return r;
}

static void build_header(uint8_t h[HDR_LEN], const struct inputs *in,
			 uint16_t qe_svn)
{
	uint8_t qe_id[32];
	memset(h, 0, HDR_LEN);
	put16(h, 3);
	put16(h + 2, 2); /* ECDSA-256-with-P-256 */
	put32(h + 4, 0); /* TEE type SGX */
	put16(h + 8, qe_svn);
	put16(h + 10, in->lv->pcesvn);
	memcpy(h + 12, intel_vendor_id, 16);
	/* user data: a 16-byte QE identifier, then zeros (as Intel's QE) */
	att_sha256(qe_id, in->att_pub, sizeof(in->att_pub));
	memcpy(h + 28, qe_id, 16);
}

static void enclave_report(uint8_t out[REPORT_LEN], const struct inputs *in,
			   const struct att_sgxsim_quote_opts *o)
{
	struct report r = {.cpusvn = in->lv->comp,
			   .xfrm = XFRM_DEFAULT,
			   .isvprodid = o->isvprodid,
			   .isvsvn = o->isvsvn};
	r.flags = FLAG_INIT | FLAG_MODE64;
	if (o->debug)
		r.flags |= FLAG_DEBUG;
	if (o->has_config) {
		r.flags |= FLAG_KSS;
		r.config_id = o->config_id;
		r.config_svn = o->config_svn;
	}
	memcpy(r.mrenclave, o->mrenclave, 32);
	memcpy(r.mrsigner, o->mrsigner, 32);
	memcpy(r.report_data, o->report_data, 64);
	build_report(out, &r);
}

static void qe_report(uint8_t out[REPORT_LEN], const struct inputs *in,
		      uint16_t qe_svn, const uint8_t auth[AUTH_LEN])
{
	static const char qe_name[] = "attestd simulated SGX QE";
	uint8_t bind[64 + AUTH_LEN];
	struct report r = {.cpusvn = in->lv->comp,
			   .xfrm = XFRM_DEFAULT,
			   .isvprodid = ATT_SGXSIM_QE_ISVPRODID,
			   .isvsvn = qe_svn};
	r.flags = FLAG_INIT | FLAG_MODE64 | FLAG_PROVISIONKEY;
	att_sha256(r.mrenclave, qe_name, sizeof(qe_name) - 1);
	memcpy(r.mrsigner, att_sgxsim_qe_mrsigner, 32);
	memcpy(bind, in->att_pub, 64);
	memcpy(bind + 64, auth, AUTH_LEN);
	att_sha256(r.report_data, bind, sizeof(bind)); /* [32..63] zero */
	build_report(out, &r);
}

/* assemble writes the quote; sigs are the quote and QE report r||s. */
static int assemble(struct att_buf *out,
		    const uint8_t hdr_body[HDR_LEN + REPORT_LEN],
		    const uint8_t qsig[64], const struct inputs *in,
		    const uint8_t qe[REPORT_LEN], const uint8_t qe_sig[64],
		    const uint8_t auth[AUTH_LEN])
{
	uint8_t u[6];
	size_t sig_len =
	    64 + 64 + REPORT_LEN + 64 + 2 + AUTH_LEN + 2 + 4 + in->chain.len;
	put32(u, (uint32_t)sig_len);
	int r = att_buf_add(out, hdr_body, HDR_LEN + REPORT_LEN);
	if (!r)
		r = att_buf_add(out, u, 4);
	if (!r)
		r = att_buf_add(out, qsig, 64);
	if (!r)
		r = att_buf_add(out, in->att_pub, 64);
	if (!r)
		r = att_buf_add(out, qe, REPORT_LEN);
	if (!r)
		r = att_buf_add(out, qe_sig, 64);
	put16(u, AUTH_LEN);
	if (!r)
		r = att_buf_add(out, u, 2);
	if (!r)
		r = att_buf_add(out, auth, AUTH_LEN);
	put16(u, CERT_TYPE_PCK_CHAIN);
	put32(u + 2, (uint32_t)in->chain.len);
	if (!r)
		r = att_buf_add(out, u, 6);
	if (!r)
		r = att_buf_add(out, in->chain.data, in->chain.len);
	return r;
}

static int build(struct att_buf *out, const struct inputs *in,
		 const struct att_sgxsim_quote_opts *o, struct att_diag *d)
{
	uint8_t hb[HDR_LEN + REPORT_LEN], qe[REPORT_LEN], auth[AUTH_LEN];
	uint8_t qsig[64], qe_sig[64];
	uint16_t qe_svn =
	    o->qe_isvsvn >= 0 ? (uint16_t)o->qe_isvsvn : ATT_SGXSIM_QE_ISVSVN;
	for (size_t i = 0; i < AUTH_LEN; i++)
		auth[i] = (uint8_t)i; /* as Intel's QE: 00 01 .. 1f */
	build_header(hb, in, qe_svn);
	enclave_report(hb + HDR_LEN, in, o);
	qe_report(qe, in, qe_svn, auth);
	if (att_sgxsim_sign(in->qe_key, hb, sizeof(hb), qsig) ||
	    att_sgxsim_sign(in->pck_key, qe, sizeof(qe), qe_sig))
		return att_diag_set(d, ATT_ERR_CRYPTO,
				    "sgxsim: quote signing failed");
	int r = assemble(out, hb, qsig, in, qe, qe_sig, auth);
	return r ? att_diag_set(d, r, "sgxsim: quote too large") : 0;
}

int att_sgxsim_quote(const char *dir, const struct att_sgxsim_quote_opts *o,
		     struct att_buf *out, struct att_diag *d)
{
	struct att_sgxsim_quote_opts def;
	if (!o) {
		att_sgxsim_quote_opts_init(&def);
		o = &def;
	}
	struct inputs in = {.pl = att_sim_platform_find(o->platform),
			    .lv = att_sim_level_find(o->tcb)};
	if (!in.pl)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "sgxsim: unknown platform \"%s\"",
				    o->platform);
	if (!in.lv)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "sgxsim: unknown TCB level \"%s\"", o->tcb);
	if (o->revoked)
		in.lv = &att_sim_levels[0];
	att_buf_init(&in.chain, ATT_SGXSIM_MAX_OUTPUT);
	int r = load_inputs(&in, dir, o, d);
	if (!r)
		r = build(out, &in, o, d);
	att_pkey_free(in.qe_key);
	att_pkey_free(in.pck_key);
	att_buf_release(&in.chain);
	return r;
}
