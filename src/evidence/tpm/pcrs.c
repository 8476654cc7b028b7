/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCR value sets and their JSON forms. Input JSON is untrusted (it comes
 * from clients): bank names must be known hashes, indices decimal 0-23
 * without signs or leading zeros, values hex of exactly the bank's size.
 */
#include "evidence/tpm/pcrs.h"

#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"

struct att_tpm_pcr_bank *att_tpm_pcrs_bank(struct att_tpm_pcrs *s,
					   uint16_t alg)
{
	for (uint32_t i = 0; i < s->num_banks; i++)
		if (s->banks[i].alg == alg)
			return &s->banks[i];
	return NULL;
}

const struct att_tpm_pcr_bank *
att_tpm_pcrs_bank_const(const struct att_tpm_pcrs *s, uint16_t alg)
{
	for (uint32_t i = 0; i < s->num_banks; i++)
		if (s->banks[i].alg == alg)
			return &s->banks[i];
	return NULL;
}

struct att_tpm_pcr_bank *att_tpm_pcrs_add_bank(struct att_tpm_pcrs *s,
					       uint16_t alg)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	struct att_tpm_pcr_bank *b = att_tpm_pcrs_bank(s, alg);
	if (b)
		return b;
	if (!hi || s->num_banks >= ATT_TPM_MAX_BANKS)
		return NULL;
	b = &s->banks[s->num_banks++];
	memset(b, 0, sizeof(*b));
	b->alg = alg;
	b->size = (uint16_t)hi->size;
	return b;
}

int att_tpm_pcrs_set(struct att_tpm_pcrs *s, uint16_t alg, uint32_t index,
		     const uint8_t *value, size_t len)
{
	struct att_tpm_pcr_bank *b = att_tpm_pcrs_add_bank(s, alg);
	if (!b)
		return ATT_ERR_ALG;
	if (index >= ATT_TPM_NUM_PCRS || len != b->size)
		return ATT_ERR_INVALID_ARG;
	memcpy(b->value[index], value, len);
	b->mask |= 1u << index;
	return 0;
}

/* parse_index accepts "0".."23" exactly. */
static int parse_index(const char *k, uint32_t *out)
{
	size_t n = strlen(k);
	if (n == 0 || n > 2 || (n == 2 && k[0] == '0'))
		return ATT_ERR_FORMAT;
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (k[i] < '0' || k[i] > '9')
			return ATT_ERR_FORMAT;
		v = v * 10 + (uint32_t)(k[i] - '0');
	}
	if (v >= ATT_TPM_NUM_PCRS)
		return ATT_ERR_FORMAT;
	*out = v;
	return 0;
}

static int bank_from_json(struct att_tpm_pcrs *s, const char *name,
			  const json_t *vals, struct att_diag *diag)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info_by_name(name);
	const char *k;
	json_t *v;
	if (!hi || !json_is_object(vals))
		return att_diag_set(diag, ATT_ERR_FORMAT, "pcrs: bank \"%s\" "
				    "is not a known hash with an object of "
				    "values", name);
	if (!att_tpm_pcrs_add_bank(s, hi->alg))
		return att_diag_set(diag, ATT_ERR_LIMIT, "pcrs: too many banks");
	json_object_foreach((json_t *)vals, k, v) {
		uint8_t d[ATT_TPM_MAX_DIGEST_LEN];
		uint32_t idx;
		const char *hx = json_string_value(v);
		if (parse_index(k, &idx) != 0 || !hx ||
		    att_hex_decode_fixed(d, hi->size, hx, strlen(hx)) != 0)
			return att_diag_set(diag, ATT_ERR_FORMAT,
					    "pcrs: %s PCR \"%s\" is not an "
					    "index 0-23 with %zu bytes of hex",
					    hi->name, k, hi->size);
		att_tpm_pcrs_set(s, hi->alg, idx, d, hi->size);
	}
	return 0;
}

int att_tpm_pcrs_from_json(struct att_tpm_pcrs *s, const json_t *obj,
			   struct att_diag *diag)
{
	const char *name;
	json_t *vals;
	int r;
	memset(s, 0, sizeof(*s));
	if (!json_is_object(obj))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "pcrs: not a JSON object");
	json_object_foreach((json_t *)obj, name, vals) {
		if ((r = bank_from_json(s, name, vals, diag)) != 0) {
			memset(s, 0, sizeof(*s));
			return r;
		}
	}
	return 0;
}

static json_t *hex_string(const uint8_t *p, size_t n)
{
	char h[2 * ATT_TPM_MAX_DIGEST_LEN + 1];
	att_hex_encode(h, sizeof(h), p, n, false);
	return json_string(h);
}

json_t *att_tpm_pcrs_to_json(const struct att_tpm_pcrs *s)
{
	json_t *root = json_object();
	for (uint32_t i = 0; root && i < s->num_banks; i++) {
		const struct att_tpm_pcr_bank *b = &s->banks[i];
		const struct att_tpm_hash_info *hi = att_tpm_hash_info(b->alg);
		json_t *bank = json_object();
		if (!hi || !bank || json_object_set_new(root, hi->name, bank)) {
			json_decref(root);
			return NULL;
		}
		for (uint32_t p = 0; p < ATT_TPM_NUM_PCRS; p++) {
			char k[4];
			if (!(b->mask & (1u << p)))
				continue;
			snprintf(k, sizeof(k), "%u", p);
			if (json_object_set_new(bank, k,
						hex_string(b->value[p], b->size))) {
				json_decref(root);
				return NULL;
			}
		}
		if (!b->mask)
			json_object_del(root, hi->name);
	}
	return root;
}

static json_t *maa_entry(const struct att_tpm_pcrs *s, uint32_t p)
{
	json_t *e = json_object(), *d = json_object();
	if (!e || !d || json_object_set_new(e, "Index", json_integer(p)) ||
	    json_object_set(e, "Digests", d)) {
		json_decref(e);
		json_decref(d);
		return NULL;
	}
	for (uint32_t i = 0; i < s->num_banks; i++) {
		const struct att_tpm_pcr_bank *b = &s->banks[i];
		const struct att_tpm_hash_info *hi = att_tpm_hash_info(b->alg);
		if (!hi || !(b->mask & (1u << p)))
			continue;
		if (json_object_set_new(d, hi->upper,
					hex_string(b->value[p], b->size))) {
			json_decref(d);
			json_decref(e);
			return NULL;
		}
	}
	json_decref(d);
	return e;
}

json_t *att_tpm_pcrs_to_maa_json(const struct att_tpm_pcrs *s)
{
	json_t *root = json_object(), *arr = json_array();
	uint32_t any = 0;
	if (!root || !arr || json_object_set(root, "PCRs", arr))
		goto fail;
	for (uint32_t i = 0; i < s->num_banks; i++)
		any |= s->banks[i].mask;
	for (uint32_t p = 0; p < ATT_TPM_NUM_PCRS; p++) {
		if (!(any & (1u << p)))
			continue;
		if (json_array_append_new(arr, maa_entry(s, p)))
			goto fail;
	}
	json_decref(arr);
	return root;
fail:
	json_decref(arr);
	json_decref(root);
	return NULL;
}
