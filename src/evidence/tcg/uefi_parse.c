/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UEFI and TCG event data structures (layouts from the PFP and EDK2's
 * UefiTcgPlatform.h, all little-endian). Each decoder reads its structure
 * through struct att_cur on a sub-buffer that is exactly the event data,
 * compares every declared length with what remains before taking it, and
 * says how many bytes were left over where real firmware leaves some.
 */
#include "evidence/tcg/uefi.h"

#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"

void att_uefi_guid_text(char out[static 37], const uint8_t g[static 16],
			bool upper)
{
	uint32_t d1 = (uint32_t)g[0] | (uint32_t)g[1] << 8 |
		      (uint32_t)g[2] << 16 | (uint32_t)g[3] << 24;
	unsigned d2 = (unsigned)g[4] | (unsigned)g[5] << 8;
	unsigned d3 = (unsigned)g[6] | (unsigned)g[7] << 8;
	snprintf(out, 37,
		 upper ? "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X"
		       : "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 d1, d2, d3, g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
}

int att_uefi_variable_parse(struct att_uefi_variable *out, const uint8_t *p,
			    size_t len)
{
	struct att_cur c, g, n, d;
	uint64_t nlen, dlen;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, p, len);
	if (att_cur_get_bytes(&c, &g, 16) != 0 ||
	    att_cur_get_u64le(&c, &nlen) != 0 ||
	    att_cur_get_u64le(&c, &dlen) != 0)
		return ATT_ERR_FORMAT;
	if (nlen > ATT_UEFI_MAX_NAME_CHARS ||
	    att_cur_get_bytes(&c, &n, (size_t)nlen * 2) != 0)
		return ATT_ERR_FORMAT;
	if (dlen > c.len || att_cur_get_bytes(&c, &d, (size_t)dlen) != 0)
		return ATT_ERR_FORMAT;
	out->guid = g.p;
	out->name = n.p;
	out->name_chars = (size_t)nlen;
	out->data = d.p;
	out->data_len = (size_t)dlen;
	out->trailing = c.len;
	return 0;
}

int att_uefi_image_load_parse(struct att_uefi_image_load *out,
			      const uint8_t *p, size_t len)
{
	struct att_cur c, dp;
	uint64_t n;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, p, len);
	if (att_cur_get_u64le(&c, &out->location) != 0 ||
	    att_cur_get_u64le(&c, &out->length) != 0 ||
	    att_cur_get_u64le(&c, &out->link_time) != 0 ||
	    att_cur_get_u64le(&c, &n) != 0)
		return ATT_ERR_FORMAT;
	if (n > c.len || att_cur_get_bytes(&c, &dp, (size_t)n) != 0)
		return ATT_ERR_FORMAT;
	out->devpath = dp.p;
	out->devpath_len = dp.len;
	out->trailing = c.len;
	return 0;
}

/* get_desc reads a u8 length and that many bytes. */
static int get_desc(struct att_cur *c, const uint8_t **p, size_t *len)
{
	uint8_t n;
	struct att_cur d;
	if (att_cur_get_u8(c, &n) != 0 || att_cur_get_bytes(c, &d, n) != 0)
		return ATT_ERR_FORMAT;
	*p = d.p;
	*len = d.len;
	return 0;
}

int att_uefi_blob_parse(struct att_uefi_blob *out, const uint8_t *p,
			size_t len, bool v2)
{
	struct att_cur c;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, p, len);
	if (v2 && get_desc(&c, &out->desc, &out->desc_len) != 0)
		return ATT_ERR_FORMAT;
	if (att_cur_get_u64le(&c, &out->base) != 0 ||
	    att_cur_get_u64le(&c, &out->length) != 0 ||
	    att_cur_expect_end(&c) != 0)
		return ATT_ERR_FORMAT;
	return 0;
}

int att_uefi_handoff_parse(struct att_uefi_handoff *out, const uint8_t *p,
			   size_t len, bool v2)
{
	struct att_cur c, t;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, p, len);
	if (v2 && get_desc(&c, &out->desc, &out->desc_len) != 0)
		return ATT_ERR_FORMAT;
	if (att_cur_get_u64le(&c, &out->count) != 0)
		return ATT_ERR_FORMAT;
	/* count * 24 <= remaining, written without the product */
	if (out->count > c.len / 24 ||
	    att_cur_get_bytes(&c, &t, (size_t)out->count * 24) != 0 ||
	    att_cur_expect_end(&c) != 0)
		return ATT_ERR_FORMAT;
	out->tables = t.p;
	out->tables_len = t.len;
	return 0;
}

int att_uefi_gpt_parse(struct att_uefi_gpt *out, const uint8_t *p,
		       size_t len)
{
	struct att_cur c, sig, g, e;
	uint32_t entries_in_header;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, p, len);
	if (att_cur_get_bytes(&c, &sig, 8) != 0 ||
	    memcmp(sig.p, "EFI PART", 8) != 0 || att_cur_skip(&c, 48) != 0 ||
	    att_cur_get_bytes(&c, &g, 16) != 0 || att_cur_skip(&c, 8) != 0 ||
	    att_cur_get_u32le(&c, &entries_in_header) != 0 ||
	    att_cur_get_u32le(&c, &out->entry_size) != 0 ||
	    att_cur_skip(&c, 4) != 0 ||
	    att_cur_get_u64le(&c, &out->num_partitions) != 0)
		return ATT_ERR_FORMAT;
	if (out->entry_size < 128 || out->entry_size > 4096 ||
	    out->num_partitions > c.len / out->entry_size ||
	    att_cur_get_bytes(&c, &e, (size_t)out->num_partitions *
					      out->entry_size) != 0 ||
	    att_cur_expect_end(&c) != 0)
		return ATT_ERR_FORMAT;
	out->disk_guid = g.p;
	out->entries = e.p;
	out->entries_len = e.len;
	return 0;
}

int att_uefi_load_option_parse(struct att_uefi_load_option *out,
			       const uint8_t *p, size_t len)
{
	struct att_cur c, d, dp;
	uint16_t fpl, u;
	size_t chars = 0;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, p, len);
	if (att_cur_get_u32le(&c, &out->attributes) != 0 ||
	    att_cur_get_u16le(&c, &fpl) != 0)
		return ATT_ERR_FORMAT;
	d = c;
	do { /* the description ends at a UTF-16 NUL */
		if (att_cur_get_u16le(&c, &u) != 0 ||
		    chars > ATT_UEFI_MAX_NAME_CHARS)
			return ATT_ERR_FORMAT;
		chars++;
	} while (u != 0);
	if (att_cur_get_bytes(&c, &dp, fpl) != 0)
		return ATT_ERR_FORMAT;
	out->desc = d.p;
	out->desc_chars = chars - 1;
	out->devpath = dp.p;
	out->devpath_len = dp.len;
	out->optional = c.p;
	out->optional_len = c.len;
	return 0;
}

struct na_sig {
	const char sig[17];
	enum att_tcg_no_action kind;
};

static const struct na_sig na_sigs[] = {
	{"Spec ID Event03", ATT_TCG_NA_SPECID},
	{"StartupLocality", ATT_TCG_NA_STARTUP_LOCALITY},
	{"SP800-155 Event", ATT_TCG_NA_SP800_155},
	{"SP800-155 Event2", ATT_TCG_NA_SP800_155},
	{"SP800-155 Event3", ATT_TCG_NA_SP800_155},
	{"NvIndexInstance", ATT_TCG_NA_NV_INSTANCE},
	{"NvIndexDynamic ", ATT_TCG_NA_NV_DYNAMIC},
};

enum att_tcg_no_action att_tcg_no_action_kind(const uint8_t *p, size_t len)
{
	if (!p || len < 16)
		return ATT_TCG_NA_OTHER;
	/* 16 bytes compared, so "SP800-155 Event\0" differs from "...Event2" */
	for (size_t i = 0; i < sizeof(na_sigs) / sizeof(na_sigs[0]); i++)
		if (!memcmp(p, na_sigs[i].sig, 16))
			return na_sigs[i].kind;
	return ATT_TCG_NA_OTHER;
}

int att_tcg_startup_locality_parse(uint8_t *locality, const uint8_t *p,
				   size_t len)
{
	struct att_cur c;
	*locality = 0;
	att_cur_init(&c, p, len);
	if (att_tcg_no_action_kind(p, len) != ATT_TCG_NA_STARTUP_LOCALITY ||
	    att_cur_skip(&c, 16) != 0 || att_cur_get_u8(&c, locality) != 0)
		return ATT_ERR_FORMAT;
	return 0;
}

static int get_str(struct att_cur *c, struct att_tcg_str *s)
{
	return get_desc(c, &s->p, &s->len);
}

static int get_locator(struct att_cur *c, uint32_t *type, const uint8_t **p,
		       uint32_t *len)
{
	struct att_cur d;
	if (att_cur_get_u32le(c, type) != 0 || att_cur_get_u32le(c, len) != 0 ||
	    att_cur_get_bytes(c, &d, *len) != 0)
		return ATT_ERR_FORMAT;
	*p = d.p;
	return 0;
}

int att_tcg_sp800_155_parse(struct att_tcg_sp800_155 *out, const uint8_t *p,
			    size_t len)
{
	struct att_cur c, sig, g;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, p, len);
	if (att_tcg_no_action_kind(p, len) != ATT_TCG_NA_SP800_155 ||
	    att_cur_get_bytes(&c, &sig, 16) != 0)
		return ATT_ERR_FORMAT;
	/* "SP800-155 Event\0", "...Event2" or "...Event3": the last byte */
	out->version = sig.p[15] == '3' ? 3 : sig.p[15] == '2' ? 2 : 1;
	if (att_cur_get_u32le(&c, &out->vendor_id) != 0 ||
	    att_cur_get_bytes(&c, &g, 16) != 0 ||
	    get_str(&c, &out->platform_manufacturer) != 0 ||
	    get_str(&c, &out->platform_model) != 0 ||
	    get_str(&c, &out->platform_version) != 0 ||
	    get_str(&c, &out->firmware_manufacturer) != 0 ||
	    att_cur_get_u32le(&c, &out->firmware_manufacturer_id) != 0 ||
	    get_str(&c, &out->firmware_version) != 0)
		return ATT_ERR_FORMAT;
	out->rim_guid = g.p;
	if (out->version == 3 &&
	    (get_locator(&c, &out->rim_locator_type, &out->rim_locator,
			 &out->rim_locator_len) != 0 ||
	     get_locator(&c, &out->cert_locator_type, &out->cert_locator,
			 &out->cert_locator_len) != 0))
		return ATT_ERR_FORMAT;
	out->trailing = c.len;
	return 0;
}

int att_tcg_tagged_parse(struct att_tcg_tagged *out, const uint8_t *p,
			 size_t len)
{
	struct att_cur c, d;
	memset(out, 0, sizeof(*out));
	att_cur_init(&c, p, len);
	if (att_cur_get_u32le(&c, &out->id) != 0 ||
	    att_cur_get_u32le(&c, &out->data_len) != 0 ||
	    att_cur_get_bytes(&c, &d, out->data_len) != 0 ||
	    att_cur_expect_end(&c) != 0)
		return ATT_ERR_FORMAT;
	out->data = d.p;
	return 0;
}
