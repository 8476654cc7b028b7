/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public TPM2_Quote verification (include/attest/verify.h): the AIK's
 * public area and the optional PCR values arrive as bytes and JSON text;
 * src/evidence/tpm does the checks.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "attest/verify.h"
#include "codec/hex.h"
#include "crypto/pkey.h"
#include "evidence/tpm/pcrs.h"
#include "evidence/tpm/quote.h"
#include "evidence/tpm/tpm.h"

/* load_ak reads ak_pub as a TPM2B_PUBLIC, else as a bare TPMT_PUBLIC. */
static int load_ak(struct att_tpm_public *pub, struct att_pkey **key,
		   const uint8_t *b, size_t n, struct att_diag *d)
{
	struct att_diag d2 = {0};
	int rc = att_tpm_public_parse(pub, b, n, &d2);
	if (rc && att_tpm_public_parse_tpmt(pub, b, n, NULL) == 0)
		rc = 0;
	if (rc)
		return att_diag_set(d, rc, "tpm quote: AIK public area is "
				    "neither a TPM2B_PUBLIC nor a TPMT_PUBLIC "
				    "(%s)", att_diag_msg(&d2));
	return att_tpm_public_pkey(pub, key, d);
}

static int load_pcrs(struct att_tpm_pcrs *pcrs, const char *text,
		     struct att_diag *d)
{
	json_t *j;
	int rc = att_api_parse(&j, text, "tpm quote: PCR values", d);
	if (rc == 0)
		rc = att_tpm_pcrs_from_json(pcrs, j, d);
	json_decref(j);
	return rc;
}

static void put_hex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
	char *h = att_hex_encode_alloc(p, n);
	json_object_set_new(o, k, json_string(h ? h : ""));
	free(h);
}

static json_t *selection_json(const struct att_tpm_pcr_selection *s)
{
	json_t *o = json_object();
	for (uint32_t i = 0; o && i < s->count && i < ATT_TPM_MAX_SELECTIONS;
	     i++) {
		const char *an = att_tpm_alg_name(s->sel[i].hash);
		uint32_t m = att_tpm_selection_mask(&s->sel[i]);
		json_t *a = json_array();
		for (uint32_t p = 0; p < 32; p++)
			if (m & (1u << p))
				json_array_append_new(a, json_integer(p));
		json_object_set_new(o, an ? an : "unknown", a);
	}
	return o;
}

static json_t *attest_json(const struct att_tpm_attest *a)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "magic", json_integer(a->magic));
	json_object_set_new(o, "type", json_integer(a->type));
	put_hex(o, "qualified_signer", a->signer, a->signer_len);
	put_hex(o, "extra_data", a->extra, a->extra_len);
	json_object_set_new(o, "clock", json_integer((json_int_t)a->clock));
	json_object_set_new(o, "reset_count", json_integer(a->reset_count));
	json_object_set_new(o, "restart_count",
			    json_integer(a->restart_count));
	json_object_set_new(o, "safe", json_boolean(a->safe));
	put_hex(o, "firmware_version", (const uint8_t[8]){
		(uint8_t)(a->firmware_version >> 56),
		(uint8_t)(a->firmware_version >> 48),
		(uint8_t)(a->firmware_version >> 40),
		(uint8_t)(a->firmware_version >> 32),
		(uint8_t)(a->firmware_version >> 24),
		(uint8_t)(a->firmware_version >> 16),
		(uint8_t)(a->firmware_version >> 8),
		(uint8_t)a->firmware_version}, 8);
	put_hex(o, "pcr_digest", a->pcr_digest, a->pcr_digest_len);
	json_object_set_new(o, "pcr_select", selection_json(&a->pcr_select));
	return o;
}

struct tpmq {
	struct att_tpm_public pub;
	struct att_tpm_pcrs pcrs;
	struct att_tpm_attest att;
};

int att_verify_tpm_quote(const uint8_t *attest, size_t attest_len,
			 const uint8_t *sig, size_t sig_len,
			 const uint8_t *ak_pub, size_t ak_pub_len,
			 const struct att_tpm_quote_check *check,
			 char **out_json, char *errbuf, size_t errlen)
{
	struct att_diag d = {0};
	struct att_tpm_quote_opts o = {0};
	struct att_pkey *ak = NULL;
	struct tpmq *w = NULL;
	json_t *j = NULL;
	int rc;
	if (out_json)
		*out_json = NULL;
	if (!attest || !sig || !ak_pub)
		return att_api_fail(ATT_ERR_INVALID_ARG, "tpm quote: attest, "
				    "signature and AIK public area are "
				    "required", errbuf, errlen);
	if (!(w = calloc(1, sizeof(*w))))
		return att_api_fail(ATT_ERR_NOMEM, "out of memory", errbuf,
				    errlen);
	if ((rc = load_ak(&w->pub, &ak, ak_pub, ak_pub_len, &d)) != 0)
		goto out;
	o.ak = ak;
	o.ak_pub = &w->pub;
	if (check) {
		o.check_nonce = check->nonce != NULL;
		o.nonce = check->nonce;
		o.nonce_len = check->nonce_len;
		o.required_mask = check->required_mask;
		o.required_bank = check->required_bank;
		if (check->pcrs_json) {
			if ((rc = load_pcrs(&w->pcrs, check->pcrs_json, &d)))
				goto out;
			o.pcrs = &w->pcrs;
		}
	}
	rc = att_tpm_quote_verify(attest, attest_len, sig, sig_len, &o, &w->att,
				  &d);
	if (rc == 0 && out_json) {
		j = attest_json(&w->att);
		if (!j || att_api_dump(out_json, j, 1) != 0)
			rc = att_diag_set(&d, ATT_ERR_NOMEM, "out of memory");
	}
out:
	json_decref(j);
	att_pkey_free(ak);
	free(w);
	return rc ? att_api_err(rc, &d, errbuf, errlen) : 0;
}
