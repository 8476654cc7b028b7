/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The events JSON (MAA's "events" claim). Each event type with a decoder
 * is a row of a table: the decoder fills ProcessedData from the uefi.h
 * structures; when the data does not have the structure its type promises,
 * ProcessedData keeps the raw bytes and says so instead of failing the
 * whole log (real firmware logs odd events; the digests decide trust).
 * Binary values are base64url without padding (MAA: VariableData "AQ"),
 * GUIDs upper case (MAA: VariableGuid), 64-bit addresses "0x..." strings.
 */
#include "evidence/tcg/events_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/cur.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "evidence/tcg/uefi.h"
#include "evidence/tpm/tpm_alg.h"

static const uint8_t global_guid[16] = {0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93,
					0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0,
					0x98, 0x03, 0x2b, 0x8c};

static int put(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v) ? ATT_ERR_NOMEM : 0;
}

static json_t *jbuf(struct att_buf *b, int r)
{
	json_t *s = r ? NULL : json_stringn(att_buf_cstr(b), b->len);
	att_buf_release(b);
	return s;
}

static json_t *jtext(const uint8_t *p, size_t len)
{
	struct att_buf b;
	att_buf_init(&b, ATT_UEFI_MAX_TEXT * 4);
	return jbuf(&b, att_tcg_string_text(&b, p, len));
}

static json_t *jutf16(const uint8_t *p, size_t units)
{
	struct att_buf b;
	att_buf_init(&b, ATT_UEFI_MAX_TEXT * 4);
	return jbuf(&b, att_uefi_utf16_text(&b, p, units, false));
}

/* jutf16z: UTF-16LE in a fixed-size field, ending at the first NUL */
static json_t *jutf16z(const uint8_t *p, size_t units)
{
	struct att_buf b;
	att_buf_init(&b, ATT_UEFI_MAX_TEXT * 4);
	return jbuf(&b, att_uefi_utf16_text(&b, p, units, true));
}

static json_t *jb64(const uint8_t *p, size_t len)
{
	char *s = att_b64url_encode(p, len);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

static json_t *jguid(const uint8_t *g)
{
	char t[37];
	att_uefi_guid_text(t, g, true);
	return json_string(t);
}

static json_t *jaddr(uint64_t v)
{
	char t[24];
	snprintf(t, sizeof(t), "0x%" PRIx64, v);
	return json_string(t);
}

static json_t *juint(uint64_t v)
{
	return v <= INT64_MAX ? json_integer((json_int_t)v) : jaddr(v);
}

/* put_devpath sets DevicePath, or DevicePathError when a node is
 * malformed (the bytes stay in the event's data). */
static int put_devpath(json_t *o, const uint8_t *p, size_t len)
{
	struct att_buf b;
	att_buf_init(&b, ATT_UEFI_MAX_TEXT * 4);
	int r = att_uefi_devpath_text(&b, p, len);
	if (r == ATT_ERR_FORMAT) {
		att_buf_release(&b);
		return put(o, "DevicePathError",
			   json_string("malformed device path node"));
	}
	return put(o, "DevicePath", jbuf(&b, r));
}

typedef int (*pd_fn)(json_t *pd, const struct att_tcg_log *log,
		     const struct att_tcg_event *ev);

/* name_cur sets c over a variable's UnicodeName (name_chars UTF-16LE
 * units, as the parse borrowed them); false when the variable is not of
 * the global variable GUID (16 bytes, a sub-cursor of the parse). */
static bool name_cur(struct att_cur *c, const struct att_uefi_variable *v)
{
	att_cur_init(c, v->name, v->name_chars * 2);
	return memcmp(v->guid, global_guid, sizeof(global_guid)) == 0;
}

static bool name_is(const struct att_uefi_variable *v, const char *ascii)
{
	struct att_cur c;
	uint16_t u;
	if (!name_cur(&c, v) || v->name_chars != strlen(ascii))
		return false;
	for (const char *a = ascii; *a; a++)
		if (att_cur_get_u16le(&c, &u) != 0 || u != (uint8_t)*a)
			return false;
	return true;
}

/* is_boot_option: the global variable Boot#### (upper-case hex). */
static bool is_boot_option(const struct att_uefi_variable *v)
{
	static const char hexd[] = "0123456789ABCDEF";
	struct att_cur c;
	uint16_t u;
	if (!name_cur(&c, v) || v->name_chars != 8)
		return false;
	for (size_t i = 0; i < 8; i++) {
		if (att_cur_get_u16le(&c, &u) != 0)
			return false;
		if (i < 4 ? u != (uint8_t)"Boot"[i]
			  : u == 0 || u > 0x7f || !memchr(hexd, u, 16))
			return false;
	}
	return true;
}

static int boot_order(json_t *pd, const struct att_uefi_variable *v)
{
	struct att_cur c;
	uint16_t n;
	json_t *a = json_array();
	if (!a || v->data_len % 2)
		return json_decref(a), put(pd, "BootOrder", json_null());
	att_cur_init(&c, v->data, v->data_len);
	while (att_cur_get_u16le(&c, &n) == 0)
		if (json_array_append_new(a, json_integer(n)))
			return json_decref(a), ATT_ERR_NOMEM;
	return put(pd, "BootOrder", a);
}

static int boot_option(json_t *pd, const struct att_uefi_variable *v)
{
	struct att_uefi_load_option lo;
	json_t *o;
	if (att_uefi_load_option_parse(&lo, v->data, v->data_len) != 0)
		return 0; /* VariableData still carries the bytes */
	o = json_object();
	if (!o || put(o, "Attributes", json_integer(lo.attributes)) ||
	    put(o, "Description", jutf16(lo.desc, lo.desc_chars)) ||
	    put_devpath(o, lo.devpath, lo.devpath_len))
		return json_decref(o), ATT_ERR_NOMEM;
	if (lo.optional_len && put(o, "OptionalData",
				   jb64(lo.optional, lo.optional_len)))
		return json_decref(o), ATT_ERR_NOMEM;
	return put(pd, "BootOption", o);
}

static int pd_variable(json_t *pd, const struct att_tcg_log *log,
		       const struct att_tcg_event *ev)
{
	struct att_uefi_variable v;
	(void)log;
	if (att_uefi_variable_parse(&v, ev->data, ev->data_len) != 0)
		return ATT_ERR_FORMAT;
	if (put(pd, "VariableGuid", jguid(v.guid)) ||
	    put(pd, "UnicodeName", jutf16(v.name, v.name_chars)) ||
	    put(pd, "VariableData", jb64(v.data, v.data_len)))
		return ATT_ERR_NOMEM;
	if (v.trailing && put(pd, "TrailingBytes", json_integer((json_int_t)v.trailing)))
		return ATT_ERR_NOMEM;
	if (name_is(&v, "BootOrder"))
		return boot_order(pd, &v);
	if (is_boot_option(&v))
		return boot_option(pd, &v);
	return 0;
}

static int pd_image(json_t *pd, const struct att_tcg_log *log,
		    const struct att_tcg_event *ev)
{
	struct att_uefi_image_load im;
	(void)log;
	if (att_uefi_image_load_parse(&im, ev->data, ev->data_len) != 0)
		return ATT_ERR_FORMAT;
	if (put(pd, "ImageLocationInMemory", jaddr(im.location)) ||
	    put(pd, "ImageLengthInMemory", juint(im.length)) ||
	    put(pd, "ImageLinkTimeAddress", jaddr(im.link_time)) ||
	    put(pd, "LengthOfDevicePath", juint(im.devpath_len)))
		return ATT_ERR_NOMEM;
	if (im.trailing && put(pd, "TrailingBytes", juint(im.trailing)))
		return ATT_ERR_NOMEM;
	return put_devpath(pd, im.devpath, im.devpath_len);
}

static int pd_string(json_t *pd, const struct att_tcg_log *log,
		     const struct att_tcg_event *ev)
{
	(void)log;
	return put(pd, "String", jtext(ev->data, ev->data_len));
}

static int blob(json_t *pd, const struct att_tcg_event *ev, bool v2)
{
	struct att_uefi_blob bl;
	if (att_uefi_blob_parse(&bl, ev->data, ev->data_len, v2) != 0)
		return ATT_ERR_FORMAT;
	if (v2 && put(pd, "BlobDescription", jtext(bl.desc, bl.desc_len)))
		return ATT_ERR_NOMEM;
	if (put(pd, "BlobBase", jaddr(bl.base)) ||
	    put(pd, "BlobLength", juint(bl.length)))
		return ATT_ERR_NOMEM;
	return 0;
}

static int pd_blob(json_t *pd, const struct att_tcg_log *log,
		   const struct att_tcg_event *ev)
{
	(void)log;
	return blob(pd, ev, false);
}

static int pd_blob2(json_t *pd, const struct att_tcg_log *log,
		    const struct att_tcg_event *ev)
{
	(void)log;
	return blob(pd, ev, true);
}

/* EV_POST_CODE, EV_S_CRTM_CONTENTS: a 16-byte blob or a description. */
static int pd_blob_or_string(json_t *pd, const struct att_tcg_log *log,
			     const struct att_tcg_event *ev)
{
	struct att_cur c;
	uint8_t first;
	att_cur_init(&c, ev->data, ev->data_len);
	if (c.len == 16 && att_cur_get_u8(&c, &first) == 0 &&
	    !att_tcg_looks_utf16(ev->data, 16) &&
	    (first < 0x20 || first > 0x7E))
		return pd_blob(pd, log, ev);
	return pd_string(pd, log, ev);
}

static int pd_post_code2(json_t *pd, const struct att_tcg_log *log,
			 const struct att_tcg_event *ev)
{
	struct att_uefi_blob bl;
	if (att_uefi_blob_parse(&bl, ev->data, ev->data_len, true) == 0)
		return pd_blob2(pd, log, ev);
	return pd_string(pd, log, ev);
}

/* EV_S_CRTM_VERSION: a UCS-2 string, or a GUID (PFP §10.4.3). */
static int pd_crtm_version(json_t *pd, const struct att_tcg_log *log,
			   const struct att_tcg_event *ev)
{
	struct att_cur c, g;
	att_cur_init(&c, ev->data, ev->data_len);
	if (att_cur_get_bytes(&c, &g, 16) == 0 && att_cur_expect_end(&c) == 0 &&
	    !att_tcg_looks_utf16(g.p, g.len))
		return put(pd, "Guid", jguid(g.p));
	return pd_string(pd, log, ev);
}

/* EFI_CONFIGURATION_TABLE: VendorGuid (16 bytes), VendorTable (u64). */
static int config_table(json_t *a, struct att_cur *c)
{
	struct att_cur g;
	uint64_t addr;
	if (att_cur_get_bytes(c, &g, 16) != 0 ||
	    att_cur_get_u64le(c, &addr) != 0)
		return ATT_ERR_FORMAT;
	json_t *o = json_object();
	if (!o || put(o, "VendorGuid", jguid(g.p)) ||
	    put(o, "VendorTable", jaddr(addr)))
		return json_decref(o), ATT_ERR_NOMEM;
	/* json_array_append_new releases o even when it fails */
	return json_array_append_new(a, o) ? ATT_ERR_NOMEM : 0;
}

static int handoff(json_t *pd, const struct att_tcg_event *ev, bool v2)
{
	struct att_uefi_handoff h;
	struct att_cur c;
	json_t *a;
	int r;
	if (att_uefi_handoff_parse(&h, ev->data, ev->data_len, v2) != 0)
		return ATT_ERR_FORMAT;
	if ((v2 && put(pd, "TableDescription", jtext(h.desc, h.desc_len))) ||
	    put(pd, "NumberOfTables", juint(h.count)) ||
	    put(pd, "Tables", a = json_array()))
		return ATT_ERR_NOMEM;
	att_cur_init(&c, h.tables, h.tables_len);
	for (uint64_t i = 0; i < h.count; i++)
		if ((r = config_table(a, &c)) != 0)
			return r;
	return att_cur_expect_end(&c) ? ATT_ERR_FORMAT : 0;
}

static int pd_handoff(json_t *pd, const struct att_tcg_log *log,
		      const struct att_tcg_event *ev)
{
	(void)log;
	return handoff(pd, ev, false);
}

static int pd_handoff2(json_t *pd, const struct att_tcg_log *log,
		       const struct att_tcg_event *ev)
{
	(void)log;
	return handoff(pd, ev, true);
}

/* EFI_PARTITION_ENTRY (UEFI §5.3.3): two GUIDs, StartingLBA, EndingLBA,
 * Attributes, then PartitionName (36 UTF-16 units); the rest of the
 * entry_size bytes is reserved. */
static int gpt_partition(json_t *a, struct att_cur *c, uint32_t entry_size)
{
	struct att_cur e, type, uniq, name;
	uint64_t start, end, attrs;
	if (att_cur_get_bytes(c, &e, entry_size) != 0 ||
	    att_cur_get_bytes(&e, &type, 16) != 0 ||
	    att_cur_get_bytes(&e, &uniq, 16) != 0 ||
	    att_cur_get_u64le(&e, &start) != 0 ||
	    att_cur_get_u64le(&e, &end) != 0 ||
	    att_cur_get_u64le(&e, &attrs) != 0 ||
	    att_cur_get_bytes(&e, &name, 36 * 2) != 0)
		return ATT_ERR_FORMAT;
	json_t *o = json_object();
	if (!o || put(o, "PartitionTypeGuid", jguid(type.p)) ||
	    put(o, "UniquePartitionGuid", jguid(uniq.p)) ||
	    put(o, "StartingLba", juint(start)) ||
	    put(o, "EndingLba", juint(end)) ||
	    put(o, "Attributes", jaddr(attrs)) ||
	    put(o, "PartitionName", jutf16z(name.p, name.len / 2)))
		return json_decref(o), ATT_ERR_NOMEM;
	return json_array_append_new(a, o) ? ATT_ERR_NOMEM : 0;
}

static int pd_gpt(json_t *pd, const struct att_tcg_log *log,
		  const struct att_tcg_event *ev)
{
	struct att_uefi_gpt g;
	struct att_cur c;
	json_t *a;
	int r;
	(void)log;
	if (att_uefi_gpt_parse(&g, ev->data, ev->data_len) != 0)
		return ATT_ERR_FORMAT;
	if (put(pd, "DiskGuid", jguid(g.disk_guid)) ||
	    put(pd, "NumberOfPartitions", juint(g.num_partitions)) ||
	    put(pd, "Partitions", a = json_array()))
		return ATT_ERR_NOMEM;
	att_cur_init(&c, g.entries, g.entries_len);
	for (uint64_t i = 0; i < g.num_partitions; i++)
		if ((r = gpt_partition(a, &c, g.entry_size)) != 0)
			return r;
	return att_cur_expect_end(&c) ? ATT_ERR_FORMAT : 0;
}

static int pd_tagged(json_t *pd, const struct att_tcg_log *log,
		     const struct att_tcg_event *ev)
{
	struct att_tcg_tagged t;
	(void)log;
	if (att_tcg_tagged_parse(&t, ev->data, ev->data_len) != 0)
		return ATT_ERR_FORMAT;
	if (put(pd, "TaggedEventId", json_integer(t.id)) ||
	    put(pd, "TaggedEventData", jb64(t.data, t.data_len)))
		return ATT_ERR_NOMEM;
	return 0;
}

static int pd_separator(json_t *pd, const struct att_tcg_log *log,
			const struct att_tcg_event *ev)
{
	char h[2 * 64 + 1];
	(void)log;
	if (ev->data_len > 64)
		return put(pd, "Value", jb64(ev->data, ev->data_len));
	att_hex_encode(h, sizeof(h), ev->data, ev->data_len, false);
	return put(pd, "Value", json_string(h));
}

/* events_json_na.c: EV_NO_ACTION payloads. */
int att_tcg_json_no_action(json_t *pd, const struct att_tcg_log *log,
			   const struct att_tcg_event *ev);

struct pd_rule {
	uint32_t type;
	pd_fn fn;
	const char *structure; /* named in DecodeError */
};

static const struct pd_rule pd_rules[] = {
	{ATT_EV_NO_ACTION, att_tcg_json_no_action, "EV_NO_ACTION data"},
	{ATT_EV_SEPARATOR, pd_separator, "separator"},
	{ATT_EV_POST_CODE, pd_blob_or_string, "UEFI_PLATFORM_FIRMWARE_BLOB"},
	{ATT_EV_POST_CODE2, pd_post_code2, "UEFI_PLATFORM_FIRMWARE_BLOB2"},
	{ATT_EV_S_CRTM_CONTENTS, pd_blob_or_string, "S-CRTM contents"},
	{ATT_EV_S_CRTM_VERSION, pd_crtm_version, "S-CRTM version"},
	{ATT_EV_ACTION, pd_string, "string"},
	{ATT_EV_EFI_ACTION, pd_string, "string"},
	{ATT_EV_IPL, pd_string, "string"},
	{ATT_EV_PLATFORM_CONFIG_FLAGS, pd_string, "string"},
	{ATT_EV_OMIT_BOOT_DEVICE_EVENTS, pd_string, "string"},
	{ATT_EV_NONHOST_INFO, pd_string, "string"},
	{ATT_EV_EFI_HCRTM_EVENT, pd_string, "string"},
	{ATT_EV_EVENT_TAG, pd_tagged, "TCG_PCClientTaggedEvent"},
	{ATT_EV_EFI_VARIABLE_DRIVER_CONFIG, pd_variable, "UEFI_VARIABLE_DATA"},
	{ATT_EV_EFI_VARIABLE_BOOT, pd_variable, "UEFI_VARIABLE_DATA"},
	{ATT_EV_EFI_VARIABLE_BOOT2, pd_variable, "UEFI_VARIABLE_DATA"},
	{ATT_EV_EFI_VARIABLE_AUTHORITY, pd_variable, "UEFI_VARIABLE_DATA"},
	{ATT_EV_EFI_SPDM_DEVICE_POLICY, pd_variable, "UEFI_VARIABLE_DATA"},
	{ATT_EV_EFI_SPDM_DEVICE_AUTHORITY, pd_variable, "UEFI_VARIABLE_DATA"},
	{ATT_EV_EFI_BOOT_SERVICES_APPLICATION, pd_image, "UEFI_IMAGE_LOAD_EVENT"},
	{ATT_EV_EFI_BOOT_SERVICES_DRIVER, pd_image, "UEFI_IMAGE_LOAD_EVENT"},
	{ATT_EV_EFI_RUNTIME_SERVICES_DRIVER, pd_image, "UEFI_IMAGE_LOAD_EVENT"},
	{ATT_EV_EFI_PLATFORM_FIRMWARE_BLOB, pd_blob, "UEFI_PLATFORM_FIRMWARE_BLOB"},
	{ATT_EV_EFI_PLATFORM_FIRMWARE_BLOB2, pd_blob2, "UEFI_PLATFORM_FIRMWARE_BLOB2"},
	{ATT_EV_EFI_HANDOFF_TABLES, pd_handoff, "UEFI_HANDOFF_TABLE_POINTERS"},
	{ATT_EV_EFI_HANDOFF_TABLES2, pd_handoff2, "UEFI_HANDOFF_TABLE_POINTERS2"},
	{ATT_EV_EFI_GPT_EVENT, pd_gpt, "UEFI_GPT_DATA"},
	{ATT_EV_EFI_GPT_EVENT2, pd_gpt, "UEFI_GPT_DATA"},
};

/* raw makes pd {"Data": ...} (plus DecodeError when err is set). */
static json_t *raw(json_t *pd, const struct att_tcg_event *ev, const char *err)
{
	char msg[96];
	json_object_clear(pd);
	if (put(pd, "Data", jb64(ev->data, ev->data_len)))
		return json_decref(pd), NULL;
	if (err) {
		snprintf(msg, sizeof(msg), "malformed %s", err);
		if (put(pd, "DecodeError", json_string(msg)))
			return json_decref(pd), NULL;
	}
	return pd;
}

json_t *att_tcg_processed_data(const struct att_tcg_log *log,
			       const struct att_tcg_event *ev)
{
	json_t *pd = json_object();
	if (!pd)
		return NULL;
	for (size_t i = 0; i < sizeof(pd_rules) / sizeof(pd_rules[0]); i++) {
		if (pd_rules[i].type != ev->type)
			continue;
		int r = pd_rules[i].fn(pd, log, ev);
		if (r == ATT_ERR_FORMAT)
			return raw(pd, ev, pd_rules[i].structure);
		if (r)
			return json_decref(pd), NULL;
		return pd;
	}
	return raw(pd, ev, NULL);
}

static int digests(json_t *o, const struct att_tcg_event *ev)
{
	json_t *d = json_object();
	if (put(o, "Digests", d))
		return ATT_ERR_NOMEM;
	for (uint32_t i = 0; i < ev->num_digests; i++) {
		const struct att_tcg_digest *dg = &ev->digests[i];
		const struct att_tpm_hash_info *hi = att_tpm_hash_info(dg->alg);
		char name[16], h[2 * ATT_TPM_MAX_DIGEST_LEN + 1];
		if (hi)
			snprintf(name, sizeof(name), "%s", hi->upper);
		else
			snprintf(name, sizeof(name), "0x%04X", dg->alg);
		att_hex_encode(h, sizeof(h), dg->p, dg->len, false);
		if (put(d, name, json_string(h)))
			return ATT_ERR_NOMEM;
	}
	return 0;
}

static int check_fields(json_t *o, const struct att_tcg_check_result *r)
{
	const char *q = att_tcg_quirk_name(r->quirk);
	if (put(o, "DigestCheck", json_string(att_tcg_check_name(r->status))))
		return ATT_ERR_NOMEM;
	if (q && put(o, "DigestQuirk", json_string(q)))
		return ATT_ERR_NOMEM;
	return 0;
}

json_t *att_tcg_event_json(const struct att_tcg_log *log,
			   const struct att_tcg_event *ev,
			   const struct att_tcg_check_result *res)
{
	const char *tn = att_tcg_event_type_name(ev->type);
	char unk[32];
	json_t *o = json_object();
	if (!tn) {
		snprintf(unk, sizeof(unk), "UNKNOWN_0x%08X", ev->type);
		tn = unk;
	}
	if (!o || put(o, "EventSeq", json_integer(ev->seq)) ||
	    put(o, "PcrIndex", json_integer(ev->pcr)) ||
	    put(o, "EventType", json_integer(ev->type)) ||
	    put(o, "EventTypeString", json_string(tn)) || digests(o, ev) ||
	    (res && check_fields(o, &res[ev->seq])) ||
	    put(o, "EventSize", json_integer(ev->data_len)) ||
	    put(o, "ProcessedData", att_tcg_processed_data(log, ev)))
		return json_decref(o), NULL;
	return o;
}

json_t *att_tcg_events_json(const struct att_tcg_log *log,
			    const struct att_tcg_check_result *res)
{
	json_t *root = json_object(), *a = json_array();
	if (!root || !a || json_object_set(root, "Events", a))
		goto fail;
	for (size_t i = 0; i < log->num_events; i++)
		if (json_array_append_new(a, att_tcg_event_json(
						     log, &log->events[i], res)))
			goto fail;
	json_decref(a);
	return root;
fail:
	json_decref(a);
	json_decref(root);
	return NULL;
}
