/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DIR/manifest.json and DIR/README of the SEV-SNP simulator: what every
 * file is, the product, the chip ID and the TCB the VEKs were issued for.
 * The report builder reads the product, chip ID and TCB back from the
 * manifest (the simulator's own file; still read with checks, as a user
 * may have edited it).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/hex.h"
#include "sim/sgx_sim_int.h"
#include "sim/snp_sim_int.h"

#define WARNING                                                                \
	"SIMULATED SEV-SNP PKI FOR DEVELOPMENT AND TESTS. Every private key "  \
	"is in this directory: never trust ark.pem in a production "           \
	"configuration."

static const char *const files[][2] = {
    {ATT_SNPSIM_F_ARK_PEM, "ARK, self-signed root (pin it for tests)"},
    {ATT_SNPSIM_F_ASK_PEM, "ASK, signs the VCEK"},
    {ATT_SNPSIM_F_ASVK_PEM, "ASVK, signs the VLEK"},
    {ATT_SNPSIM_F_CHAIN, "ASK then ARK, PEM (KDS vcek cert_chain)"},
    {ATT_SNPSIM_F_VLEK_CHAIN, "ASVK then ARK, PEM (KDS vlek cert_chain)"},
    {ATT_SNPSIM_F_VCEK, "VCEK, DER (hwID = chip_id, TCB below)"},
    {ATT_SNPSIM_F_VLEK, "VLEK, DER (CSP ID, TCB below)"},
    {ATT_SNPSIM_F_CRL, "CRL by the ARK, empty"},
    {ATT_SNPSIM_F_CRL_REVOKED, "CRL by the ARK listing ASK, ASVK, VCEK, VLEK"},
    {SNPSIM_F_ARK_KEY, "ARK private key (0600)"},
    {SNPSIM_F_ASK_KEY, "ASK private key (0600)"},
    {SNPSIM_F_ASVK_KEY, "ASVK private key (0600)"},
    {SNPSIM_F_VCEK_KEY, "VCEK private key, P-384 (0600)"},
    {SNPSIM_F_VLEK_KEY, "VLEK private key, P-384 (0600)"},
};

static json_t *files_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < sizeof(files) / sizeof(files[0]); i++)
		if (json_array_append_new(a, json_pack("{s:s, s:s}", "path",
						       files[i][0], "what",
						       files[i][1]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *tcb_json(const struct att_snp_tcb *t, enum att_snp_product p)
{
	char raw[17];
	snprintf(raw, sizeof(raw), "%016llx", (unsigned long long)t->raw);
	json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i}", "raw", raw, "bl",
			      t->bl, "tee", t->tee, "snp", t->snp, "ucode",
			      t->ucode);
	if (o && p == ATT_SNP_TURIN &&
	    json_object_set_new(o, "fmc", json_integer(t->fmc))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char readme[] =
    "attestd SEV-SNP platform simulator directory\n"
    "============================================\n\n"
    "!!! " WARNING " !!!\n\n"
    "Created by `attest sim snp init`. Reports: `attest sim snp report DIR "
    "-o FILE`.\n"
    "manifest.json lists every file, the product, the chip ID and the TCB "
    "of the VCEK and VLEK.\n"
    "See docs/simulator.md in the attestd source tree.\n";

int snpsim_state_write(const char *dir, const struct snpsim_state *s,
		       struct att_diag *d)
{
	char chip[129], ts[32];
	att_hex_encode(chip, sizeof(chip), s->chip_id, s->hwid_len, false);
	att_time_format(ts, sizeof(ts), s->now);
	json_t *m = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:o?, s:I, s:I, s:I, s:I, s:I, s:s, "
	    "s:o?}",
	    "warning", WARNING, "simulator", "attestd SEV-SNP platform simulator",
	    "created", ts, "product", att_snp_product_name(s->product),
	    "chip_id", chip, "tcb", tcb_json(&s->tcb, s->product), "now",
	    (json_int_t)s->now, "vcek_not_before", (json_int_t)s->vcek_nb,
	    "vcek_not_after", (json_int_t)s->vcek_na, "vlek_not_before",
	    (json_int_t)s->vlek_nb, "vlek_not_after", (json_int_t)s->vlek_na,
	    "csp_id", s->csp_id, "files", files_json());
	char *txt =
	    m ? json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(m);
	if (!txt)
		return att_diag_set(d, ATT_ERR_NOMEM,
				    "snpsim: cannot build manifest");
	int r = att_sim_write(dir, NULL, ATT_SNPSIM_F_MANIFEST, txt,
			      strlen(txt), 0644, d);
	free(txt);
	if (!r)
		r = att_sim_write(dir, NULL, SNPSIM_F_README, readme,
				  sizeof(readme) - 1, 0644, d);
	return r;
}

static int get_u8(json_t *o, const char *k, uint8_t *out)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 255)
		return ATT_ERR_FORMAT;
	*out = (uint8_t)json_integer_value(v);
	return 0;
}

static int get_i64(json_t *o, const char *k, int64_t *out)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		return ATT_ERR_FORMAT;
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static int state_from_json(json_t *m, struct snpsim_state *s)
{
	const char *prod = json_string_value(json_object_get(m, "product"));
	const char *chip = json_string_value(json_object_get(m, "chip_id"));
	const char *csp = json_string_value(json_object_get(m, "csp_id"));
	json_t *t = json_object_get(m, "tcb");
	memset(s, 0, sizeof(*s));
	s->product = att_snp_product_from_name(prod);
	if (s->product == ATT_SNP_PRODUCT_UNKNOWN || !chip || !csp ||
	    !json_is_object(t) || strlen(csp) >= sizeof(s->csp_id))
		return ATT_ERR_FORMAT;
	s->hwid_len = snpsim_hwid_len(s->product);
	snprintf(s->csp_id, sizeof(s->csp_id), "%s", csp);
	if (strlen(chip) != 2 * s->hwid_len ||
	    att_hex_decode_fixed(s->chip_id, s->hwid_len, chip, strlen(chip)))
		return ATT_ERR_FORMAT;
	s->tcb.has_fmc = s->product == ATT_SNP_TURIN;
	int r = get_u8(t, "bl", &s->tcb.bl);
	r = r ? r : get_u8(t, "tee", &s->tcb.tee);
	r = r ? r : get_u8(t, "snp", &s->tcb.snp);
	r = r ? r : get_u8(t, "ucode", &s->tcb.ucode);
	if (!r && s->tcb.has_fmc)
		r = get_u8(t, "fmc", &s->tcb.fmc);
	r = r ? r : get_i64(m, "now", &s->now);
	r = r ? r : get_i64(m, "vcek_not_before", &s->vcek_nb);
	r = r ? r : get_i64(m, "vcek_not_after", &s->vcek_na);
	r = r ? r : get_i64(m, "vlek_not_before", &s->vlek_nb);
	r = r ? r : get_i64(m, "vlek_not_after", &s->vlek_na);
	s->tcb.raw = att_snp_tcb_encode(&s->tcb, s->product);
	return r;
}

int snpsim_state_read(const char *dir, struct snpsim_state *s,
		      struct att_diag *d)
{
	struct att_buf b;
	json_error_t je;
	int r = att_sim_read(dir, NULL, ATT_SNPSIM_F_MANIFEST, &b, false, d);
	if (r)
		return r;
	json_t *m = json_loadb((const char *)b.data, b.len, 0, &je);
	att_buf_release(&b);
	r = m ? state_from_json(m, s) : ATT_ERR_FORMAT;
	json_decref(m);
	if (r)
		return att_diag_set(d, r,
				    "snpsim: %s/%s is not an SNP simulator "
				    "manifest (product, chip_id, tcb)",
				    dir, ATT_SNPSIM_F_MANIFEST);
	return 0;
}

int att_snpsim_product(const char *dir, enum att_snp_product *p,
		       uint8_t chip_id[64], struct att_diag *d)
{
	struct snpsim_state s;
	int r = snpsim_state_read(dir, &s, d);
	if (!r) {
		*p = s.product;
		memcpy(chip_id, s.chip_id, 64);
	}
	return r;
}
