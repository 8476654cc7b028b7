/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event data decoders of events_json.c that read through the cursor:
 * BootOrder, Boot#### names, handoff tables (v1 and v2), GPT partition
 * entries (128- and 256-byte entries), the S-CRTM version GUID and the
 * 16-byte POST code blob. Each synthetic event is decoded whole (exact
 * values), then every prefix and single-byte mutations are decoded from
 * an allocation of exactly their size (ASan sees any read past it): each
 * gives a ProcessedData object that either decodes consistently (the
 * declared count equals the array's size) or keeps the raw bytes with a
 * DecodeError naming the structure.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "harness/tap.h"

static const uint8_t global_guid[16] = {0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93,
					0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0,
					0x98, 0x03, 0x2b, 0x8c};

static size_t put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return 8;
}

/* variable builds a UEFI_VARIABLE_DATA of the global GUID. */
static size_t variable(uint8_t *b, const char *name, const uint8_t *d,
		       size_t dl)
{
	size_t o = 16;
	memcpy(b, global_guid, 16);
	o += put64(b + o, strlen(name));
	o += put64(b + o, dl);
	for (size_t i = 0; name[i]; i++) {
		b[o++] = (uint8_t)name[i];
		b[o++] = 0;
	}
	memcpy(b + o, d, dl);
	return o + dl;
}

/* decode runs the decoder on a private copy of exactly n bytes. */
static json_t *decode(uint32_t type, const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	struct att_tcg_event ev;
	struct att_tcg_log log;
	json_t *j;
	if (!c)
		return NULL;
	if (n)
		memcpy(c, p, n);
	memset(&ev, 0, sizeof(ev));
	memset(&log, 0, sizeof(log));
	ev.type = type;
	ev.data = c;
	ev.data_len = (uint32_t)n;
	j = att_tcg_processed_data(&log, &ev);
	free(c);
	return j;
}

static size_t count_of(json_t *pd, const char *count, const char *array)
{
	json_t *a = json_object_get(pd, array);
	json_int_t n = json_integer_value(json_object_get(pd, count));
	return json_is_array(a) && n >= 0 && (size_t)n == json_array_size(a)
		       ? 1
		       : 0;
}

/* shape_ok: a decode or a raw fallback, consistent either way. */
static int shape_ok(uint32_t type, json_t *pd)
{
	if (!json_is_object(pd))
		return 0;
	if (json_object_get(pd, "DecodeError"))
		return json_is_string(json_object_get(pd, "Data")) &&
		       json_object_size(pd) == 2;
	switch (type) {
	case ATT_EV_EFI_HANDOFF_TABLES:
	case ATT_EV_EFI_HANDOFF_TABLES2:
		return (int)count_of(pd, "NumberOfTables", "Tables");
	case ATT_EV_EFI_GPT_EVENT:
		return (int)count_of(pd, "NumberOfPartitions", "Partitions");
	case ATT_EV_EFI_VARIABLE_BOOT: {
		json_t *bo = json_object_get(pd, "BootOrder");
		return json_is_string(json_object_get(pd, "VariableData")) &&
		       (!bo || json_is_array(bo) || json_is_null(bo));
	}
	case ATT_EV_NO_ACTION:
		return json_is_string(json_object_get(pd, "Signature")) ||
		       json_is_string(json_object_get(pd, "Data"));
	default:
		return json_is_string(json_object_get(pd, "String")) ||
		       json_is_string(json_object_get(pd, "Guid")) ||
		       json_is_string(json_object_get(pd, "BlobBase"));
	}
}

/* prefixes: every proper prefix decodes to a consistent shape, and those
 * the whole-structure decoders cannot hold say DecodeError. */
static void prefixes(uint32_t type, const uint8_t *p, size_t n,
		     const char *what, int strict)
{
	size_t bad = 0, errors = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *pd = decode(type, p, i);
		if (!shape_ok(type, pd))
			bad++;
		errors += json_object_get(pd, "DecodeError") != NULL;
		json_decref(pd);
	}
	ATT_CHECK(bad == 0 && (!strict || errors == n),
		  "%s: %zu prefixes, %zu inconsistent, %zu DecodeError", what,
		  n, bad, errors);
}

/* mutations: every byte set to 0x00, 0xFF and xor 0x01/0x80. */
static void mutations(uint32_t type, const uint8_t *p, size_t n,
		      const char *what)
{
	static const uint8_t x[] = {0x01, 0x80};
	uint8_t *m = malloc(n);
	size_t bad = 0, tried = 0, decoded = 0;
	if (!m) {
		ATT_CHECK(0, "%s: out of memory", what);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < 4; k++) {
			memcpy(m, p, n);
			m[i] = k == 0 ? 0 : k == 1 ? 0xFF
						   : (uint8_t)(m[i] ^ x[k - 2]);
			json_t *pd = decode(type, m, n);
			bad += !shape_ok(type, pd);
			decoded += pd && !json_object_get(pd, "DecodeError");
			tried++;
			json_decref(pd);
		}
	}
	free(m);
	ATT_CHECK(bad == 0 && decoded > 0,
		  "%s: %zu mutations, %zu inconsistent, %zu decoded", what,
		  tried, bad, decoded);
}

static void test_boot_order(void)
{
	static const uint8_t order[] = {1, 0, 2, 0, 0x34, 0x12};
	uint8_t b[256];
	size_t n = variable(b, "BootOrder", order, sizeof(order));
	json_t *pd = decode(ATT_EV_EFI_VARIABLE_BOOT, b, n);
	json_t *bo = json_object_get(pd, "BootOrder");
	ATT_CHECK(json_array_size(bo) == 3 &&
			  json_integer_value(json_array_get(bo, 0)) == 1 &&
			  json_integer_value(json_array_get(bo, 1)) == 2 &&
			  json_integer_value(json_array_get(bo, 2)) == 0x1234,
		  "BootOrder [1, 2, 0x1234]");
	json_decref(pd);
	/* an odd length: null, the bytes stay in VariableData */
	n = variable(b, "BootOrder", order, 5);
	pd = decode(ATT_EV_EFI_VARIABLE_BOOT, b, n);
	ATT_CHECK(json_is_null(json_object_get(pd, "BootOrder")) &&
			  json_is_string(json_object_get(pd, "VariableData")),
		  "odd BootOrder: null");
	json_decref(pd);
	/* a name that differs only in a UTF-16 high byte is not BootOrder */
	n = variable(b, "BootOrder", order, sizeof(order));
	b[32 + 2 * 4 + 1] = 0x01;
	pd = decode(ATT_EV_EFI_VARIABLE_BOOT, b, n);
	ATT_CHECK(pd && !json_object_get(pd, "BootOrder"),
		  "B\\u016F... is not BootOrder");
	json_decref(pd);
	n = variable(b, "BootOrder", order, sizeof(order));
	prefixes(ATT_EV_EFI_VARIABLE_BOOT, b, n, "BootOrder", 1);
	mutations(ATT_EV_EFI_VARIABLE_BOOT, b, n, "BootOrder");
}

static void test_boot_option(void)
{
	/* EFI_LOAD_OPTION: attributes 1, a 4-byte device path (End), "X" */
	static const uint8_t lo[] = {1,    0, 0, 0, 4, 0, 'X', 0, 0,
				     0,    0x7f, 0xff, 4, 0, 0xAB};
	uint8_t b[256];
	const char *names[] = {"Boot000A", "Boot00a1", "Boot000", "BootXYZW",
			       "Boot 001"};
	int want[] = {1, 0, 0, 0, 0};
	for (size_t i = 0; i < 5; i++) {
		size_t n = variable(b, names[i], lo, sizeof(lo));
		json_t *pd = decode(ATT_EV_EFI_VARIABLE_BOOT, b, n);
		json_t *o = json_object_get(pd, "BootOption");
		ATT_CHECK((o != NULL) == want[i], "%s: BootOption %s", names[i],
			  o ? "decoded" : "absent");
		if (o)
			ATT_CHECK_EQ_STR(json_string_value(json_object_get(
						 o, "Description")),
					 "X");
		json_decref(pd);
	}
	/* a device path node shorter than its header: the option still
	 * decodes, with DevicePathError (it used to fail the whole log) */
	uint8_t bad[sizeof(lo)];
	memcpy(bad, lo, sizeof(lo));
	bad[12] = 3;
	size_t n = variable(b, "Boot000A", bad, sizeof(bad));
	json_t *pd = decode(ATT_EV_EFI_VARIABLE_BOOT, b, n);
	json_t *o = json_object_get(pd, "BootOption");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(o, "DevicePathError")),
			 "malformed device path node");
	ATT_CHECK(o && !json_object_get(o, "DevicePath"), "no DevicePath");
	json_decref(pd);
	n = variable(b, "Boot000A", lo, sizeof(lo));
	prefixes(ATT_EV_EFI_VARIABLE_BOOT, b, n, "Boot000A", 1);
	mutations(ATT_EV_EFI_VARIABLE_BOOT, b, n, "Boot000A");
}

static void test_handoff(void)
{
	uint8_t b[128];
	size_t n = put64(b, 2);
	for (int t = 0; t < 2; t++) {
		for (int i = 0; i < 16; i++)
			b[n++] = (uint8_t)(t * 40 + i);
		n += put64(b + n, 0x7f000000u + (uint64_t)t);
	}
	json_t *pd = decode(ATT_EV_EFI_HANDOFF_TABLES, b, n);
	json_t *t1 = json_array_get(json_object_get(pd, "Tables"), 1);
	ATT_CHECK(json_integer_value(json_object_get(pd, "NumberOfTables")) ==
			  2,
		  "2 tables");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(t1, "VendorTable")),
			 "0x7f000001");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(t1, "VendorGuid")),
			 "2B2A2928-2D2C-2F2E-3031-323334353637");
	json_decref(pd);
	prefixes(ATT_EV_EFI_HANDOFF_TABLES, b, n, "handoff tables", 1);
	mutations(ATT_EV_EFI_HANDOFF_TABLES, b, n, "handoff tables");

	size_t m = 0;
	b[m++] = 5;
	memcpy(b + m, "ACPI!", 5);
	m += 5;
	m += put64(b + m, 1);
	for (int i = 0; i < 16; i++)
		b[m++] = (uint8_t)i;
	m += put64(b + m, 0xdeadbeefu);
	pd = decode(ATT_EV_EFI_HANDOFF_TABLES2, b, m);
	ATT_CHECK_EQ_STR(json_string_value(
				 json_object_get(pd, "TableDescription")),
			 "ACPI!");
	t1 = json_array_get(json_object_get(pd, "Tables"), 0);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(t1, "VendorTable")),
			 "0xdeadbeef");
	json_decref(pd);
	prefixes(ATT_EV_EFI_HANDOFF_TABLES2, b, m, "handoff tables v2", 1);
	mutations(ATT_EV_EFI_HANDOFF_TABLES2, b, m, "handoff tables v2");
}

/* gpt builds a UEFI_GPT_DATA header and two entries of es bytes. */
static size_t gpt(uint8_t *b, size_t cap, uint32_t es)
{
	size_t n = 0;
	memset(b, 0, cap);
	memcpy(b, "EFI PART", 8);
	n = 8 + 48;
	for (int i = 0; i < 16; i++)
		b[n++] = (uint8_t)(0xA0 + i);
	n += 8;
	b[n] = 2; /* NumberOfPartitionEntries */
	n += 4;
	b[n] = (uint8_t)(es & 0xff);
	b[n + 1] = (uint8_t)(es >> 8);
	n += 8;
	n += put64(b + n, 2);
	for (uint64_t e = 0; e < 2; e++) {
		uint8_t *q = b + n;
		for (size_t i = 0; i < 32; i++)
			q[i] = (uint8_t)(e * 7 + i);
		put64(q + 32, 2048 + e);
		put64(q + 40, 4096 + e);
		put64(q + 48, 1ull << 63 | e);
		memcpy(q + 56, "E\0F\0I\0", 6);
		n += es;
	}
	return n;
}

static void test_gpt(void)
{
	static uint8_t b[1024];
	for (uint32_t es = 128; es <= 256; es += 128) {
		char what[32];
		size_t n = gpt(b, sizeof(b), es);
		json_t *pd = decode(ATT_EV_EFI_GPT_EVENT, b, n);
		json_t *p1 = json_array_get(json_object_get(pd, "Partitions"),
					    1);
		snprintf(what, sizeof(what), "GPT, %u-byte entries", es);
		ATT_CHECK(json_array_size(json_object_get(pd, "Partitions")) ==
				  2,
			  "%s: 2 partitions", what);
		ATT_CHECK_EQ_INT(json_integer_value(
					 json_object_get(p1, "StartingLba")),
				 2049);
		ATT_CHECK_EQ_INT(json_integer_value(
					 json_object_get(p1, "EndingLba")),
				 4097);
		ATT_CHECK_EQ_STR(json_string_value(
					 json_object_get(p1, "Attributes")),
				 "0x8000000000000001");
		ATT_CHECK_EQ_STR(json_string_value(
					 json_object_get(p1, "PartitionName")),
				 "EFI");
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(
					 p1, "UniquePartitionGuid")),
				 "1A191817-1C1B-1E1D-1F20-212223242526");
		json_decref(pd);
		prefixes(ATT_EV_EFI_GPT_EVENT, b, n, what, 1);
		mutations(ATT_EV_EFI_GPT_EVENT, b, n, what);
	}
}

static void test_sixteen(void)
{
	uint8_t d[16];
	for (int i = 0; i < 16; i++)
		d[i] = (uint8_t)(i * 17 + 3);
	json_t *pd = decode(ATT_EV_S_CRTM_VERSION, d, 16);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(pd, "Guid")),
			 "36251403-5847-7A69-8B9C-ADBECFE0F102");
	json_decref(pd);
	pd = decode(ATT_EV_POST_CODE, d, 16);
	ATT_CHECK(json_is_string(json_object_get(pd, "BlobBase")),
		  "POST code: a 16-byte blob");
	json_decref(pd);
	/* not 16 bytes, or printable first: a string */
	pd = decode(ATT_EV_S_CRTM_VERSION, d, 15);
	ATT_CHECK(json_is_string(json_object_get(pd, "String")),
		  "15 bytes: a string");
	json_decref(pd);
	d[0] = 'A';
	pd = decode(ATT_EV_POST_CODE, d, 16);
	ATT_CHECK(json_is_string(json_object_get(pd, "String")),
		  "printable first byte: a string");
	json_decref(pd);
	d[0] = 3;
	prefixes(ATT_EV_S_CRTM_VERSION, d, 16, "S-CRTM version", 0);
	prefixes(ATT_EV_POST_CODE, d, 16, "POST code", 0);
	mutations(ATT_EV_S_CRTM_VERSION, d, 16, "S-CRTM version");
	mutations(ATT_EV_POST_CODE, d, 16, "POST code");
}

static size_t put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return 4;
}

/* sp800_155 builds an "SP800-155 Event3" EV_NO_ACTION: a UEFI variable
 * RIM locator (GUID + UCS-2 name) and a URI certificate locator. */
static size_t sp800_155(uint8_t *b)
{
	static const char *const strs[] = {"Acme", "Model", "1.0", "FW Inc",
					   "2.5"};
	size_t k = 0;
	memcpy(b, "SP800-155 Event3", 16);
	k = 16;
	k += put32(b + k, 0x12345678);
	for (int i = 0; i < 16; i++)
		b[k++] = (uint8_t)(0x10 + i);
	for (int i = 0; i < 5; i++) {
		if (i == 4)
			k += put32(b + k, 9); /* FirmwareManufacturerId */
		b[k++] = (uint8_t)strlen(strs[i]);
		memcpy(b + k, strs[i], strlen(strs[i]));
		k += strlen(strs[i]);
	}
	k += put32(b + k, 3);
	k += put32(b + k, 22);
	for (int i = 0; i < 16; i++)
		b[k++] = (uint8_t)(0x40 + i);
	memcpy(b + k, "A\0B\0\0\0", 6);
	k += 6;
	k += put32(b + k, 1);
	k += put32(b + k, 5);
	memcpy(b + k, "http:", 5);
	return k + 5;
}

static void test_no_action(void)
{
	uint8_t b[256];
	size_t n = sp800_155(b);
	json_t *pd = decode(ATT_EV_NO_ACTION, b, n);
	json_t *rim = json_object_get(pd, "RimLocator");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(pd, "Signature")),
			 "SP800-155 Event3");
	ATT_CHECK_EQ_INT(json_integer_value(json_object_get(pd, "VendorId")),
			 0x12345678);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(rim, "VariableGuid")),
			 "43424140-4544-4746-4849-4A4B4C4D4E4F");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(rim, "UnicodeName")),
			 "AB");
	ATT_CHECK_EQ_STR(json_string_value(
				 json_object_get(pd, "PlatformCertLocator")),
			 "http:");
	json_decref(pd);
	prefixes(ATT_EV_NO_ACTION, b, n, "SP800-155 Event3", 0);
	mutations(ATT_EV_NO_ACTION, b, n, "SP800-155 Event3");

	memcpy(b, "StartupLocality\0", 16);
	b[16] = 3;
	pd = decode(ATT_EV_NO_ACTION, b, 17);
	ATT_CHECK_EQ_INT(json_integer_value(
				 json_object_get(pd, "StartupLocality")),
			 3);
	json_decref(pd);
	/* without its locality byte: the signature and the raw bytes */
	pd = decode(ATT_EV_NO_ACTION, b, 16);
	ATT_CHECK(!json_object_get(pd, "StartupLocality") &&
			  json_is_string(json_object_get(pd, "Data")),
		  "StartupLocality of 16 bytes: raw");
	json_decref(pd);
	prefixes(ATT_EV_NO_ACTION, b, 17, "StartupLocality", 0);
	mutations(ATT_EV_NO_ACTION, b, 17, "StartupLocality");
}

int main(void)
{
	test_boot_order();
	test_boot_option();
	test_handoff();
	test_gpt();
	test_sixteen();
	test_no_action();
	return att_test_done();
}
