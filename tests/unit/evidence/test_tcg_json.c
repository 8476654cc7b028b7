/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The events JSON and the event data decoders: MAA's shape
 * ({"Events": [{EventSeq, PcrIndex, EventTypeString, ProcessedData}]}),
 * VariableGuid/UnicodeName/VariableData as MAA's sample policy reads them,
 * device paths, strings, SP800-155 and StartupLocality events, on the
 * shared logs; and the device path and text decoders on synthetic input.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "evidence/tcg/replay.h"
#include "evidence/tcg/uefi.h"
#include "harness/tap.h"

static char dir[4096];

/* events loads a log and returns its events JSON (with digest checks). */
static json_t *events(const char *name)
{
	char p[8192];
	size_t len = 0;
	struct att_tcg_log log;
	json_t *j = NULL;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unsigned char *b = att_read_file(p, &len);
	if (b && att_tcg_log_parse(&log, b, len, NULL) == 0) {
		struct att_tcg_check_result *res =
			calloc(log.num_events, sizeof(*res));
		att_tcg_check_digests(res, &log, NULL, NULL);
		j = att_tcg_events_json(&log, res);
		free(res);
	}
	att_tcg_log_release(&log);
	free(b);
	ATT_CHECK(j != NULL, "%s: events JSON", name);
	return j;
}

static json_t *event(json_t *j, size_t i)
{
	return json_array_get(json_object_get(j, "Events"), i);
}

static const char *pd_str(json_t *ev, const char *key)
{
	return json_string_value(
		json_object_get(json_object_get(ev, "ProcessedData"), key));
}

static void test_shape(void)
{
	json_t *j = events("tpm2tools_event-uefivar.bin");
	json_t *e = event(j, 1);
	ATT_CHECK(json_array_size(json_object_get(j, "Events")) == 2, "2 events");
	ATT_CHECK_EQ_INT(json_integer_value(json_object_get(e, "EventSeq")), 1);
	ATT_CHECK_EQ_INT(json_integer_value(json_object_get(e, "PcrIndex")), 7);
	ATT_CHECK_EQ_INT(json_integer_value(json_object_get(e, "EventType")),
			 0x80000001);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(e, "EventTypeString")),
			 "EV_EFI_VARIABLE_DRIVER_CONFIG");
	ATT_CHECK_EQ_STR(pd_str(e, "VariableGuid"),
			 "8BE4DF61-93CA-11D2-AA0D-00E098032B8C");
	ATT_CHECK_EQ_STR(pd_str(e, "UnicodeName"), "SecureBoot");
	ATT_CHECK_EQ_STR(pd_str(e, "VariableData"), "AQ");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(e, "DigestCheck")),
			 "verified");
	json_t *dg = json_object_get(e, "Digests");
	ATT_CHECK(json_object_size(dg) == 2 &&
			  json_string_length(json_object_get(dg, "SHA256")) == 64,
		  "Digests {SHA1, SHA256}");
	ATT_CHECK_EQ_INT(json_integer_value(json_object_get(e, "EventSize")), 53);
	/* the Spec ID header */
	e = event(j, 0);
	ATT_CHECK_EQ_STR(pd_str(e, "Signature"), "Spec ID Event03");
	ATT_CHECK(json_array_size(json_object_get(json_object_get(e,
		  "ProcessedData"), "Algorithms")) == 4, "4 algorithms");
	json_decref(j);
}

static void test_strings_and_paths(void)
{
	json_t *j = events("tpm2tools_event-uefiaction.bin");
	ATT_CHECK_EQ_STR(pd_str(event(j, 1), "String"),
			 "Calling EFI Application from Boot Option");
	json_decref(j);
	j = events("tpm2tools_event-uefiservices.bin");
	ATT_CHECK_EQ_STR(pd_str(event(j, 1), "DevicePath"),
			 "PciRoot(0x0)/Pci(0x2,0x0)/Pci(0x0,0x0)/"
			 "Offset(0x12600,0x3c3ff)");
	ATT_CHECK_EQ_STR(pd_str(event(j, 1), "ImageLocationInMemory"),
			 "0x7dcf6018");
	json_decref(j);
	j = events("arch-linux-workstation.bin");
	int found = 0;
	for (size_t i = 0; i < 25; i++) {
		const char *p = pd_str(event(j, i), "DevicePath");
		if (p && !strcmp(p, "PciRoot(0x0)/Pci(0x17,0x0)/Sata(0x1,0xffff,"
				    "0x0)/HD(1,GPT,1a504613-19b5-4b44-a83d-"
				    "d926d40daa1c,0x800,0x80000)/\\EFI\\SYSTEMD"
				    "\\SYSTEMD-BOOTX64.EFI"))
			found++;
	}
	ATT_CHECK(found == 1, "systemd-boot device path (%d)", found);
	/* sd-boot's UTF-16 command line, decoded despite its odd length */
	const char *cmd = pd_str(event(j, 24), "String");
	ATT_CHECK(cmd && !strncmp(cmd, "initrd=\\intel-ucode.img ", 24) &&
			  strstr(cmd, "l1tf=off") &&
			  cmd[strlen(cmd) - 1] == 'f',
		  "sd-boot cmdline: %s", cmd ? cmd : "(null)");
	json_t *gpt = json_object_get(event(j, 17), "ProcessedData");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(
			 json_object_get(gpt, "Partitions"), 0), "PartitionName")),
			 "EFI System");
	json_decref(j);
}

static void test_boot_vars(void)
{
	json_t *j = events("tpm2tools_event-bootorder.bin");
	int order = 0, option = 0;
	for (size_t i = 0; i < 104; i++) {
		json_t *pd = json_object_get(event(j, i), "ProcessedData");
		json_t *bo = json_object_get(pd, "BootOrder");
		json_t *opt = json_object_get(pd, "BootOption");
		if (json_is_array(bo) && json_array_size(bo) > 0)
			order++;
		if (json_is_object(opt) &&
		    json_string_value(json_object_get(opt, "Description")) &&
		    json_string_value(json_object_get(opt, "DevicePath")))
			option++;
	}
	ATT_CHECK(order >= 1 && option >= 3, "BootOrder %d, Boot#### %d", order,
		  option);
	json_decref(j);
}

static void test_no_action(void)
{
	json_t *j = events("confidential-gke-debug-251000_eventlog.bin");
	json_t *e = event(j, 1), *pd = json_object_get(e, "ProcessedData");
	ATT_CHECK_EQ_STR(pd_str(e, "Signature"), "SP800-155 Event3");
	ATT_CHECK_EQ_INT(json_integer_value(json_object_get(pd, "VendorId")),
			 11129);
	ATT_CHECK_EQ_STR(pd_str(e, "PlatformModel"), "Google Compute Engine");
	ATT_CHECK_EQ_STR(pd_str(e, "FirmwareVersion"), "2.7");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(pd,
			 "RimLocator"), "UnicodeName")), "FirmwareRIM");
	const char *uri = pd_str(event(j, 2), "RimLocator");
	ATT_CHECK(uri && !strncmp(uri, "https://storage.googleapis.com/", 31),
		  "URI locator");
	ATT_CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(
			 event(j, 2), "ProcessedData"), "TrailingBytes")), 6);
	json_decref(j);
	j = events("glinux-alex.bin");
	int loc = 0;
	for (size_t i = 0; i < 29; i++) {
		json_t *p = json_object_get(event(j, i), "ProcessedData");
		if (json_integer_value(json_object_get(p, "StartupLocality")) == 3)
			loc++;
	}
	ATT_CHECK(loc == 1, "one StartupLocality 3 event");
	json_decref(j);
}

/* test_maa_policy_query: what MAA's sample 1.2 policy computes with
 * JmesPath, done by hand: the SecureBoot EV_EFI_VARIABLE_DRIVER_CONFIG
 * event under EFI_GLOBAL_VARIABLE has VariableData "AQ" (enabled) on the
 * COS 101 log and "AA" on the Ubuntu 21.04 no-secure-boot one. */
static const char *secure_boot(json_t *j)
{
	json_t *evs = json_object_get(j, "Events"), *e;
	size_t i;
	json_array_foreach(evs, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "EventTypeString")),
			   "EV_EFI_VARIABLE_DRIVER_CONFIG") ||
		    !pd_str(e, "VariableGuid") ||
		    strcmp(pd_str(e, "VariableGuid"),
			   "8BE4DF61-93CA-11D2-AA0D-00E098032B8C") ||
		    strcmp(pd_str(e, "UnicodeName"), "SecureBoot"))
			continue;
		return pd_str(e, "VariableData");
	}
	return NULL;
}

static void test_maa_policy_query(void)
{
	json_t *a = events("cos-101-amd-sev.bin");
	json_t *b = events("ubuntu-2104-no-secure-boot.bin");
	ATT_CHECK_EQ_STR(secure_boot(a), "AQ");
	ATT_CHECK_EQ_STR(secure_boot(b), "AA");
	json_decref(a);
	json_decref(b);
}

/* test_all_logs: every log yields one JSON event per record, each with
 * the required members, and no DecodeError anywhere. */
static void test_all_logs(void)
{
	static const char *keys[] = {"EventSeq", "PcrIndex", "EventType",
				     "EventTypeString", "Digests", "DigestCheck",
				     "EventSize", "ProcessedData"};
	json_error_t je;
	char p[8192];
	snprintf(p, sizeof(p), "%s/expected_pcrs.json", dir);
	json_t *exp = json_load_file(p, 0, &je), *e;
	const char *name;
	size_t bad = 0, n = 0;
	json_object_foreach(exp, name, e) {
		json_t *j = events(name), *ev;
		size_t i;
		ATT_CHECK(json_array_size(json_object_get(j, "Events")) ==
				  (size_t)json_integer_value(json_object_get(
					  e, "events_including_header")),
			  "%s: event count", name);
		json_array_foreach(json_object_get(j, "Events"), i, ev) {
			for (size_t k = 0; k < 8; k++)
				bad += json_object_get(ev, keys[k]) == NULL;
			bad += json_object_get(json_object_get(ev,
				"ProcessedData"), "DecodeError") != NULL;
			n++;
		}
		char *s = json_dumps(j, JSON_COMPACT);
		ATT_CHECK(s != NULL, "%s: serialises", name);
		free(s);
		json_decref(j);
	}
	ATT_CHECK(bad == 0 && n == 971, "%zu events, %zu problems", n, bad);
	json_decref(exp);
}

static char *path_text(const uint8_t *p, size_t n, int *rc)
{
	struct att_buf b;
	att_buf_init(&b, 4096);
	*rc = att_uefi_devpath_text(&b, p, n);
	char *s = strdup(att_buf_cstr(&b));
	att_buf_release(&b);
	return s;
}

static void test_devpath_synthetic(void)
{
	/* ACPI PNP0A08 UID 1 / PCI dev 3 fn 1 / unknown 0x03,0x99 with 2 data
	 * bytes / end of instance / file "\a" / end */
	static const uint8_t p[] = {
		0x02, 0x01, 0x0c, 0x00, 0xd0, 0x41, 0x08, 0x0a, 1, 0, 0, 0,
		0x01, 0x01, 0x06, 0x00, 0x01, 0x03,
		0x03, 0x99, 0x06, 0x00, 0xab, 0xcd,
		0x7f, 0x01, 0x04, 0x00,
		0x04, 0x04, 0x0a, 0x00, '\\', 0, 'a', 0, 0, 0,
		0x7f, 0xff, 0x04, 0x00};
	int rc;
	char *s = path_text(p, sizeof(p), &rc);
	ATT_CHECK(rc == 0 && !strcmp(s, "PcieRoot(0x1)/Pci(0x3,0x1)/"
				     "Path(3,153,abcd),\\a"),
		  "synthetic path: %s", s);
	free(s);
	/* a node length below 4, and one past the end */
	static const uint8_t bad1[] = {0x01, 0x01, 0x02, 0x00};
	static const uint8_t bad2[] = {0x01, 0x01, 0x09, 0x00, 0, 0};
	s = path_text(bad1, sizeof(bad1), &rc);
	ATT_CHECK(rc == ATT_ERR_FORMAT, "short node");
	free(s);
	s = path_text(bad2, sizeof(bad2), &rc);
	ATT_CHECK(rc == ATT_ERR_FORMAT, "node past the end");
	free(s);
	/* a PCI node too short for its fields prints generically */
	static const uint8_t shortpci[] = {0x01, 0x01, 0x05, 0x00, 0x07};
	s = path_text(shortpci, sizeof(shortpci), &rc);
	ATT_CHECK(rc == 0 && !strcmp(s, "Path(1,1,07)"), "short pci: %s", s);
	free(s);
}

static void test_text(void)
{
	static const uint8_t g[16] = {0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93,
				      0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0,
				      0x98, 0x03, 0x2b, 0x8c};
	char t[37];
	att_uefi_guid_text(t, g, false);
	ATT_CHECK_EQ_STR(t, "8be4df61-93ca-11d2-aa0d-00e098032b8c");
	att_uefi_guid_text(t, g, true);
	ATT_CHECK_EQ_STR(t, "8BE4DF61-93CA-11D2-AA0D-00E098032B8C");
	struct att_buf b;
	/* surrogate pair U+1F600, lone surrogate, then NUL stop */
	static const uint8_t u[] = {'A', 0, 0x3d, 0xd8, 0x00, 0xde,
				    0x00, 0xd8, 'B', 0, 0, 0, 'C', 0};
	att_buf_init(&b, 256);
	ATT_CHECK(att_uefi_utf16_text(&b, u, 7, true) == 0 &&
			  !strcmp(att_buf_cstr(&b), "A\xF0\x9F\x98\x80\xEF\xBF\xBD"
						    "B"),
		  "utf16: %s", att_buf_cstr(&b));
	att_buf_release(&b);
	/* invalid UTF-8 is replaced, trailing NULs dropped */
	static const uint8_t s8[] = {'o', 'k', 0xff, 0xc3, 0xa9, 0, 0};
	att_buf_init(&b, 256);
	ATT_CHECK(att_tcg_string_text(&b, s8, sizeof(s8)) == 0 &&
			  !strcmp(att_buf_cstr(&b), "ok\xEF\xBF\xBD\xC3\xA9"),
		  "string text");
	att_buf_release(&b);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	snprintf(dir, sizeof(dir), "%s/tpm/eventlogs", att_testdata());
	test_shape();
	test_strings_and_paths();
	test_boot_vars();
	test_no_action();
	test_maa_policy_query();
	test_all_logs();
	test_devpath_synthetic();
	test_text();
	return att_test_done();
}
