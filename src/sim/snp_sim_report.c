/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated SEV-SNP platform's reports (AMD SEV-SNP ABI specification,
 * publication 56860, "ATTESTATION_REPORT Structure"): the
 * fields at the offsets of src/evidence/snp/snp.h, little-endian, the
 * CPUID bytes of the product from version 3 on, the mitigation vectors
 * from version 5 on, and the ECDSA P-384 signature over 0x000..0x29F with
 * r and s stored little-endian in 72-byte fields. Also the extended-report
 * certificate table (GHCB extended guest request: GUID, offset, length
 * entries ending with an all-zero entry).
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/digest.h"
#include "sim/sgx_sim_int.h"
#include "sim/snp_sim_int.h"

/* Firmware version the simulated platform reports (build, minor, major). */
#define SIM_FW_BUILD 21
#define SIM_FW_MINOR 55
#define SIM_FW_MAJOR 1
#define MEASUREMENT_SEED "attestd simulated SNP guest"

bool att_snpsim_built_in(void)
{
	return true;
}

void att_snpsim_report_opts_init(struct att_snpsim_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->version = 5;
	o->policy = ATT_SNP_POLICY_SMT | ATT_SNP_POLICY_RESERVED1;
	o->platform_info = ATT_SNP_PLAT_SMT_EN;
	uint8_t h[48];
	if (att_digest(ATT_MD_SHA384, h, MEASUREMENT_SEED,
		       sizeof(MEASUREMENT_SEED) - 1) == 0)
		memcpy(o->measurement, h, sizeof(h));
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static const uint8_t cpuid[ATT_SNP_PRODUCT_COUNT][3] = {
    [ATT_SNP_MILAN] = {0x19, 0x01, 0x01},
    [ATT_SNP_GENOA] = {0x19, 0x11, 0x01},
    [ATT_SNP_TURIN] = {0x1A, 0x02, 0x01},
};

/* tcb_raw encodes t for p (the caller's struct may carry a stale raw). */
static uint64_t tcb_raw(const struct att_snp_tcb *t, enum att_snp_product p)
{
	return att_snp_tcb_encode(t, p);
}

static void fill_tcbs(uint8_t *r, const struct snpsim_state *st,
		      const struct att_snpsim_report_opts *o)
{
	uint64_t all = tcb_raw(o->has_tcb ? &o->tcb : &st->tcb, st->product);
	uint64_t rep = o->has_reported_tcb
			   ? tcb_raw(&o->reported_tcb, st->product)
			   : all;
	put_le(r + ATT_SNP_OFF_CURRENT_TCB, all, 8);
	put_le(r + ATT_SNP_OFF_REPORTED_TCB, rep, 8);
	put_le(r + ATT_SNP_OFF_COMMITTED_TCB, all, 8);
	put_le(r + ATT_SNP_OFF_LAUNCH_TCB, all, 8);
}

static int fill_body(uint8_t *r, const struct snpsim_state *st,
		     const struct att_snpsim_report_opts *o)
{
	memset(r, 0, ATT_SNP_REPORT_LEN);
	put_le(r + ATT_SNP_OFF_VERSION, o->version, 4);
	put_le(r + ATT_SNP_OFF_GUEST_SVN, o->guest_svn, 4);
	put_le(r + ATT_SNP_OFF_POLICY, o->policy, 8);
	memcpy(r + ATT_SNP_OFF_FAMILY_ID, o->family_id, 16);
	memcpy(r + ATT_SNP_OFF_IMAGE_ID, o->image_id, 16);
	put_le(r + ATT_SNP_OFF_VMPL, o->vmpl, 4);
	put_le(r + ATT_SNP_OFF_SIG_ALGO, ATT_SNP_SIG_ALGO_ECDSA_P384_SHA384, 4);
	put_le(r + ATT_SNP_OFF_PLATFORM_INFO, o->platform_info, 8);
	uint32_t key = o->vlek ? ATT_SNP_KEY_VLEK : ATT_SNP_KEY_VCEK;
	put_le(r + ATT_SNP_OFF_SIGNER_INFO, key << 2, 4);
	memcpy(r + ATT_SNP_OFF_REPORT_DATA, o->report_data, 64);
	memcpy(r + ATT_SNP_OFF_MEASUREMENT, o->measurement, 48);
	memcpy(r + ATT_SNP_OFF_HOST_DATA, o->host_data, 32);
	if (att_rand_bytes(r + ATT_SNP_OFF_REPORT_ID, 32))
		return ATT_ERR_CRYPTO;
	memset(r + ATT_SNP_OFF_REPORT_ID_MA, 0xFF, 32); /* no migration agent */
	fill_tcbs(r, st, o);
	if (o->version >= 3) {
		r[ATT_SNP_OFF_CPUID_FAM] = cpuid[st->product][0];
		r[ATT_SNP_OFF_CPUID_MOD] = cpuid[st->product][1];
		r[ATT_SNP_OFF_CPUID_STEP] = cpuid[st->product][2];
	}
	if (!o->vlek && !o->mask_chip_id)
		memcpy(r + ATT_SNP_OFF_CHIP_ID, st->chip_id, st->hwid_len);
	const uint8_t fw[3] = {SIM_FW_BUILD, SIM_FW_MINOR, SIM_FW_MAJOR};
	memcpy(r + ATT_SNP_OFF_CURRENT_BUILD, fw, 3);
	memcpy(r + ATT_SNP_OFF_COMMITTED_BUILD, fw, 3);
	if (o->version >= 5) {
		put_le(r + ATT_SNP_OFF_LAUNCH_MIT, o->launch_mit, 8);
		put_le(r + ATT_SNP_OFF_CURRENT_MIT, o->current_mit, 8);
	}
	return 0;
}

/* sign stores r and s little-endian in the low 48 bytes of their 72-byte
 * fields (the high 24 bytes stay zero). */
static int sign(uint8_t *rep, struct att_pkey *k)
{
	uint8_t dg[48], r[48], s[48];
	int ret = att_digest(ATT_MD_SHA384, dg, rep, ATT_SNP_SIGNED_LEN);
	if (!ret)
		ret = att_pkey_sign_ecdsa_digest(k, dg, sizeof(dg), r, s, 48);
	if (ret)
		return ret;
	for (size_t i = 0; i < 48; i++) {
		rep[ATT_SNP_OFF_SIG_R + i] = r[47 - i];
		rep[ATT_SNP_OFF_SIG_S + i] = s[47 - i];
	}
	return 0;
}

static int check_opts(const struct att_snpsim_report_opts *o,
		      struct att_diag *d)
{
	if (o->version != 2 && o->version != 3 && o->version != 5)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "snpsim: report version %u (2, 3 or 5)",
				    (unsigned)o->version);
	if (o->vmpl > 3)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "snpsim: VMPL %u (0..3)",
				    (unsigned)o->vmpl);
	return 0;
}

int att_snpsim_report(const char *dir, const struct att_snpsim_report_opts *o,
		      uint8_t out[ATT_SNP_REPORT_LEN], struct att_diag *d)
{
	struct att_snpsim_report_opts def;
	struct snpsim_state st;
	struct att_pkey *k = NULL;
	if (!o) {
		att_snpsim_report_opts_init(&def);
		o = &def;
	}
	int r = check_opts(o, d);
	r = r ? r : snpsim_state_read(dir, &st, d);
	r = r ? r
	      : snpsim_load_key(dir, o->vlek ? SNPSIM_F_VLEK_KEY
					     : SNPSIM_F_VCEK_KEY,
				&k, d);
	if (r)
		goto out;
	if (att_pkey_kind(k) != ATT_KEY_EC_P384) {
		r = att_diag_set(d, ATT_ERR_ALG, "snpsim: the %s key is not "
				 "P-384", o->vlek ? "VLEK" : "VCEK");
		goto out;
	}
	if ((r = fill_body(out, &st, o)) != 0 || (r = sign(out, k)) != 0) {
		r = att_diag_set(d, r, "snpsim: cannot sign the report");
		goto out;
	}
	if (o->tamper_sig)
		out[ATT_SNP_OFF_SIG_R] ^= 0x01;
out:
	att_pkey_free(k);
	return r;
}

/* ---- extended report certificate table ---- */

/* Certificate table GUIDs (AMD GHCB specification, publication 56421,
 * SNP extended guest request), RFC 4122 (big-endian) byte order. */
static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64,
				      0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9,
				      0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_vlek[16] = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a,
				      0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0,
				      0x45, 0xa0, 0xb8, 0xa1};
static const uint8_t guid_ask[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac,
				     0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae,
				     0xf3, 0x27, 0xc7, 0x82};
static const uint8_t guid_ark[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03,
				     0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6,
				     0x01, 0x4c, 0xd0, 0xae};

/* guid_put writes g in RFC 4122 order, or with the first three fields
 * byte-swapped (the little-endian guid_t layout of UEFI and Linux). */
static void guid_put(uint8_t *o, const uint8_t g[16], bool big_endian)
{
	memcpy(o, g, 16);
	if (big_endian)
		return;
	static const uint8_t perm[8] = {3, 2, 1, 0, 5, 4, 7, 6};
	for (size_t i = 0; i < 8; i++)
		o[i] = g[perm[i]];
}

struct tbl_entry {
	const uint8_t *guid;
	const char *file;
	uint8_t *der;
	size_t len;
};

static int load_der(const char *dir, struct tbl_entry *e, struct att_diag *d)
{
	struct att_cert *c = NULL;
	int r = snpsim_load_cert(dir, e->file, &c, d);
	if (!r && (r = att_cert_to_der(&e->der, &e->len, c)) != 0)
		r = att_diag_set(d, r, "snpsim: cannot encode %s", e->file);
	att_cert_free(c);
	return r;
}

static int put_table(struct att_buf *out, struct tbl_entry *e, size_t n,
		     bool big_endian)
{
	uint8_t hdr[24];
	size_t off = (n + 1) * sizeof(hdr);
	int r = 0;
	for (size_t i = 0; !r && i < n; i++) {
		guid_put(hdr, e[i].guid, big_endian);
		put_le(hdr + 16, off, 4);
		put_le(hdr + 20, e[i].len, 4);
		off += e[i].len;
		r = att_buf_add(out, hdr, sizeof(hdr));
	}
	memset(hdr, 0, sizeof(hdr));
	r = r ? r : att_buf_add(out, hdr, sizeof(hdr));
	for (size_t i = 0; !r && i < n; i++)
		r = att_buf_add(out, e[i].der, e[i].len);
	return r;
}

int att_snpsim_certtable(const char *dir, bool vlek, bool guid_big_endian,
			 const char *vek_file, struct att_buf *out,
			 struct att_diag *d)
{
	struct tbl_entry e[3] = {
	    {vlek ? guid_vlek : guid_vcek,
	     vek_file ? vek_file
		      : (vlek ? ATT_SNPSIM_F_VLEK : ATT_SNPSIM_F_VCEK),
	     NULL, 0},
	    {guid_ask, vlek ? ATT_SNPSIM_F_ASVK_PEM : ATT_SNPSIM_F_ASK_PEM, NULL,
	     0},
	    {guid_ark, ATT_SNPSIM_F_ARK_PEM, NULL, 0},
	};
	int r = 0;
	for (size_t i = 0; !r && i < 3; i++)
		r = load_der(dir, &e[i], d);
	size_t total = 4 * 24;
	for (size_t i = 0; i < 3; i++)
		total += e[i].len;
	if (!r && total > ATT_SNP_MAX_CERT_TABLE_LEN)
		r = att_diag_set(d, ATT_ERR_LIMIT,
				 "snpsim: certificate table of %zu bytes", total);
	if (!r && (r = put_table(out, e, 3, guid_big_endian)) != 0)
		r = att_diag_set(d, r, "snpsim: certificate table too large");
	for (size_t i = 0; i < 3; i++)
		free(e[i].der);
	return r;
}
