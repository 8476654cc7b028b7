/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoders for the event data of the common PFP events: UEFI_VARIABLE_DATA,
 * UEFI_IMAGE_LOAD_EVENT and device paths, firmware blobs, handoff tables,
 * UEFI_GPT_DATA, EFI_LOAD_OPTION, and the EV_NO_ACTION structures
 * (StartupLocality, SP800-155 platform identity), and TCG_PCClientTaggedEvent.
 * Every decoder reads through struct att_cur, returns pointers into the
 * event data, and fails with ATT_ERR_FORMAT when the data does not have the
 * structure's shape. Decoded data is only as trustworthy as the event's
 * digest check (replay.h): for most events it is a description, not a
 * measurement.
 */
#ifndef ATT_EVIDENCE_TCG_UEFI_H
#define ATT_EVIDENCE_TCG_UEFI_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* att_uefi_guid_text formats an EFI GUID (Data1..3 little-endian) as
 * 8-4-4-4-12 hex; upper selects upper case (MAA's VariableGuid). */
void att_uefi_guid_text(char out[static 37], const uint8_t g[static 16],
			bool upper);

/* UEFI_VARIABLE_DATA (PFP §10.2.6). trailing counts bytes after
 * VariableData (shim logs one for authority events). */
struct att_uefi_variable {
	const uint8_t *guid;
	const uint8_t *name; /* UTF-16LE */
	size_t name_chars;
	const uint8_t *data;
	size_t data_len;
	size_t trailing;
};
int att_uefi_variable_parse(struct att_uefi_variable *out, const uint8_t *p,
			    size_t len);

/* UEFI_IMAGE_LOAD_EVENT (PFP §10.2.3). trailing counts bytes after the
 * device path (images started by shim/grub carry 9 such bytes). */
struct att_uefi_image_load {
	uint64_t location;
	uint64_t length;
	uint64_t link_time;
	const uint8_t *devpath;
	size_t devpath_len;
	size_t trailing;
};
int att_uefi_image_load_parse(struct att_uefi_image_load *out,
			      const uint8_t *p, size_t len);

/* UEFI_PLATFORM_FIRMWARE_BLOB (v2 adds a u8-prefixed description). */
struct att_uefi_blob {
	uint64_t base;
	uint64_t length;
	const uint8_t *desc;
	size_t desc_len;
};
int att_uefi_blob_parse(struct att_uefi_blob *out, const uint8_t *p,
			size_t len, bool v2);

/* UEFI_HANDOFF_TABLE_POINTERS (v2 adds a u8-prefixed description);
 * tables holds count entries of {VendorGuid[16], VendorTable u64}. */
struct att_uefi_handoff {
	uint64_t count;
	const uint8_t *tables; /* count entries of 24 bytes */
	size_t tables_len;
	const uint8_t *desc;
	size_t desc_len;
};
int att_uefi_handoff_parse(struct att_uefi_handoff *out, const uint8_t *p,
			   size_t len, bool v2);

/* UEFI_GPT_DATA: the partition table header and its entries. */
struct att_uefi_gpt {
	const uint8_t *disk_guid;
	uint64_t num_partitions;
	uint32_t entry_size; /* SizeOfPartitionEntry (>= 128) */
	const uint8_t *entries; /* num_partitions entries of entry_size */
	size_t entries_len;
};
int att_uefi_gpt_parse(struct att_uefi_gpt *out, const uint8_t *p,
		       size_t len);

/* EFI_LOAD_OPTION (the data of a Boot#### variable). */
struct att_uefi_load_option {
	uint32_t attributes;
	const uint8_t *desc; /* UTF-16LE, without its NUL */
	size_t desc_chars;
	const uint8_t *devpath;
	size_t devpath_len;
	const uint8_t *optional;
	size_t optional_len;
};
int att_uefi_load_option_parse(struct att_uefi_load_option *out,
			       const uint8_t *p, size_t len);

/* EV_NO_ACTION payloads, recognised by their 16-byte signature. */
enum att_tcg_no_action {
	ATT_TCG_NA_OTHER,
	ATT_TCG_NA_SPECID,           /* "Spec ID Event03" */
	ATT_TCG_NA_STARTUP_LOCALITY, /* "StartupLocality" */
	ATT_TCG_NA_SP800_155,        /* "SP800-155 Event[23]" */
	ATT_TCG_NA_NV_INSTANCE,      /* "NvIndexInstance" */
	ATT_TCG_NA_NV_DYNAMIC,       /* "NvIndexDynamic " */
};
enum att_tcg_no_action att_tcg_no_action_kind(const uint8_t *p, size_t len);

/* TCG_EfiStartupLocalityEvent: the locality of TPM2_Startup. */
int att_tcg_startup_locality_parse(uint8_t *locality, const uint8_t *p,
				   size_t len);

/* A string of the SP800-155 events: u8 length, bytes. */
struct att_tcg_str {
	const uint8_t *p;
	size_t len;
};

/* TCG_Sp800_155_PlatformId_Event (version 1, 2 or 3 by signature). */
struct att_tcg_sp800_155 {
	int version;
	uint32_t vendor_id;
	const uint8_t *rim_guid;
	struct att_tcg_str platform_manufacturer, platform_model,
		platform_version, firmware_manufacturer;
	uint32_t firmware_manufacturer_id;
	struct att_tcg_str firmware_version;
	uint32_t rim_locator_type, cert_locator_type; /* version 3 */
	const uint8_t *rim_locator, *cert_locator;
	uint32_t rim_locator_len, cert_locator_len;
	size_t trailing; /* padding after the structure (seen in GCE logs) */
};
int att_tcg_sp800_155_parse(struct att_tcg_sp800_155 *out, const uint8_t *p,
			    size_t len);

/* TCG_PCClientTaggedEvent. */
struct att_tcg_tagged {
	uint32_t id;
	const uint8_t *data;
	uint32_t data_len;
};
int att_tcg_tagged_parse(struct att_tcg_tagged *out, const uint8_t *p,
			 size_t len);

/* att_uefi_devpath_text appends the UEFI text form of a device path
 * ("PciRoot(0x0)/Pci(0x1,0x0)/...", unknown nodes as Path(type,sub,hex));
 * ATT_ERR_FORMAT when a node's length is impossible. */
int att_uefi_devpath_text(struct att_buf *out, const uint8_t *p, size_t len);

/* att_uefi_utf16_text appends UTF-16LE text as UTF-8 (stopping at a NUL
 * when stop_at_nul); unpaired surrogates become U+FFFD. */
int att_uefi_utf16_text(struct att_buf *out, const uint8_t *p, size_t units,
			bool stop_at_nul);
/* att_tcg_string_text appends a free-form event string: UTF-16LE when it
 * looks like it (sd-boot), else bytes as UTF-8 with invalid sequences
 * replaced by U+FFFD; trailing NULs are dropped. */
int att_tcg_string_text(struct att_buf *out, const uint8_t *p, size_t len);
/* att_tcg_looks_utf16 is the detector att_tcg_string_text uses. */
bool att_tcg_looks_utf16(const uint8_t *p, size_t len);

#endif
