/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCG PC Client event logs (TCG PC Client Platform Firmware Profile, "PFP"):
 * the firmware's record of every measurement extended into the TPM's PCRs,
 * as Linux exposes it in binary_bios_measurements. Both formats are read:
 * the SHA-1 format (TCG_PCR_EVENT records only) and the crypto-agile format
 * (a TCG_PCR_EVENT carrying the "Spec ID Event03" header, then
 * TCG_PCR_EVENT2 records with one digest per bank). Digest sizes come from
 * the Spec ID event; a digest of an algorithm it does not list is an error.
 *
 * This header is the parser: bytes in, a list of events out, no crypto.
 * Events point into the caller's buffer. Replay, digest checks and the
 * events JSON live in replay.h and events_json.h; uefi.h decodes the
 * event data of the common event types.
 */
#ifndef ATT_EVIDENCE_TCG_EVENTLOG_H
#define ATT_EVIDENCE_TCG_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"

/* PC Client PCRs are 0..23 (PFP §2.3.4). */
#define ATT_TCG_NUM_PCRS 24
/* The PCR index of EV_NO_ACTION records that name no PCR (Windows boot
 * logs carry them): parsed and reported, never extended. No other event
 * type may use it. */
#define ATT_TCG_PCR_NONE 0xFFFFFFFFu

/* Every event type the PFP names (rev 1.06). The values are defined
 * once here; ATT_TCG_EVENT_TYPE_LIST names each one for the name table
 * (a name without a value does not compile). */
#define ATT_EV_PREBOOT_CERT 0x00000000u
#define ATT_EV_POST_CODE 0x00000001u
#define ATT_EV_UNUSED 0x00000002u
#define ATT_EV_NO_ACTION 0x00000003u
#define ATT_EV_SEPARATOR 0x00000004u
#define ATT_EV_ACTION 0x00000005u
#define ATT_EV_EVENT_TAG 0x00000006u
#define ATT_EV_S_CRTM_CONTENTS 0x00000007u
#define ATT_EV_S_CRTM_VERSION 0x00000008u
#define ATT_EV_CPU_MICROCODE 0x00000009u
#define ATT_EV_PLATFORM_CONFIG_FLAGS 0x0000000Au
#define ATT_EV_TABLE_OF_DEVICES 0x0000000Bu
#define ATT_EV_COMPACT_HASH 0x0000000Cu
#define ATT_EV_IPL 0x0000000Du
#define ATT_EV_IPL_PARTITION_DATA 0x0000000Eu
#define ATT_EV_NONHOST_CODE 0x0000000Fu
#define ATT_EV_NONHOST_CONFIG 0x00000010u
#define ATT_EV_NONHOST_INFO 0x00000011u
#define ATT_EV_OMIT_BOOT_DEVICE_EVENTS 0x00000012u
#define ATT_EV_POST_CODE2 0x00000013u
#define ATT_EV_EFI_EVENT_BASE 0x80000000u
#define ATT_EV_EFI_VARIABLE_DRIVER_CONFIG 0x80000001u
#define ATT_EV_EFI_VARIABLE_BOOT 0x80000002u
#define ATT_EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define ATT_EV_EFI_BOOT_SERVICES_DRIVER 0x80000004u
#define ATT_EV_EFI_RUNTIME_SERVICES_DRIVER 0x80000005u
#define ATT_EV_EFI_GPT_EVENT 0x80000006u
#define ATT_EV_EFI_ACTION 0x80000007u
#define ATT_EV_EFI_PLATFORM_FIRMWARE_BLOB 0x80000008u
#define ATT_EV_EFI_HANDOFF_TABLES 0x80000009u
#define ATT_EV_EFI_PLATFORM_FIRMWARE_BLOB2 0x8000000Au
#define ATT_EV_EFI_HANDOFF_TABLES2 0x8000000Bu
#define ATT_EV_EFI_VARIABLE_BOOT2 0x8000000Cu
#define ATT_EV_EFI_GPT_EVENT2 0x8000000Du
#define ATT_EV_EFI_HCRTM_EVENT 0x80000010u
#define ATT_EV_EFI_VARIABLE_AUTHORITY 0x800000E0u
#define ATT_EV_EFI_SPDM_FIRMWARE_BLOB 0x800000E1u
#define ATT_EV_EFI_SPDM_FIRMWARE_CONFIG 0x800000E2u
#define ATT_EV_EFI_SPDM_DEVICE_POLICY 0x800000E3u
#define ATT_EV_EFI_SPDM_DEVICE_AUTHORITY 0x800000E4u

#define ATT_TCG_EVENT_TYPE_LIST(X) \
	X(EV_PREBOOT_CERT) \
	X(EV_POST_CODE) \
	X(EV_UNUSED) \
	X(EV_NO_ACTION) \
	X(EV_SEPARATOR) \
	X(EV_ACTION) \
	X(EV_EVENT_TAG) \
	X(EV_S_CRTM_CONTENTS) \
	X(EV_S_CRTM_VERSION) \
	X(EV_CPU_MICROCODE) \
	X(EV_PLATFORM_CONFIG_FLAGS) \
	X(EV_TABLE_OF_DEVICES) \
	X(EV_COMPACT_HASH) \
	X(EV_IPL) \
	X(EV_IPL_PARTITION_DATA) \
	X(EV_NONHOST_CODE) \
	X(EV_NONHOST_CONFIG) \
	X(EV_NONHOST_INFO) \
	X(EV_OMIT_BOOT_DEVICE_EVENTS) \
	X(EV_POST_CODE2) \
	X(EV_EFI_EVENT_BASE) \
	X(EV_EFI_VARIABLE_DRIVER_CONFIG) \
	X(EV_EFI_VARIABLE_BOOT) \
	X(EV_EFI_BOOT_SERVICES_APPLICATION) \
	X(EV_EFI_BOOT_SERVICES_DRIVER) \
	X(EV_EFI_RUNTIME_SERVICES_DRIVER) \
	X(EV_EFI_GPT_EVENT) \
	X(EV_EFI_ACTION) \
	X(EV_EFI_PLATFORM_FIRMWARE_BLOB) \
	X(EV_EFI_HANDOFF_TABLES) \
	X(EV_EFI_PLATFORM_FIRMWARE_BLOB2) \
	X(EV_EFI_HANDOFF_TABLES2) \
	X(EV_EFI_VARIABLE_BOOT2) \
	X(EV_EFI_GPT_EVENT2) \
	X(EV_EFI_HCRTM_EVENT) \
	X(EV_EFI_VARIABLE_AUTHORITY) \
	X(EV_EFI_SPDM_FIRMWARE_BLOB) \
	X(EV_EFI_SPDM_FIRMWARE_CONFIG) \
	X(EV_EFI_SPDM_DEVICE_POLICY) \
	X(EV_EFI_SPDM_DEVICE_AUTHORITY)

/* att_tcg_event_type_name returns the PFP name of an event type
 * ("EV_IPL"), or NULL for a value the PFP does not define. */
const char *att_tcg_event_type_name(uint32_t type);
/* att_tcg_event_type_from_name sets *type from a PFP name;
 * ATT_ERR_NOT_FOUND when the name is not one. */
int att_tcg_event_type_from_name(const char *name, uint32_t *type);

enum att_tcg_format {
	ATT_TCG_FORMAT_SHA1 = 1,         /* TCG_PCR_EVENT records only */
	ATT_TCG_FORMAT_CRYPTO_AGILE = 2, /* Spec ID Event03 + TCG_PCR_EVENT2 */
};

/* One PCR bank of the log: a TPM hash algorithm and its digest size. */
struct att_tcg_bank {
	uint16_t alg;
	uint16_t size;
};

/* TCG_EfiSpecIDEvent (PFP §9.4.5.1), crypto-agile logs only. */
struct att_tcg_specid {
	uint32_t platform_class;
	uint8_t version_minor;
	uint8_t version_major;
	uint8_t errata;
	uint8_t uintn_size;
	const uint8_t *vendor_info; /* borrowed */
	uint8_t vendor_info_len;
};

/* One digest of an event; p points into the log. */
struct att_tcg_digest {
	uint16_t alg;
	uint16_t len;
	const uint8_t *p;
};

/* One record. seq is its index in the log (the Spec ID header of a
 * crypto-agile log is event 0, as tpm2_eventlog counts). data points into
 * the log buffer. */
struct att_tcg_event {
	uint32_t seq;
	uint32_t pcr;
	uint32_t type;
	size_t offset; /* byte offset of the record in the log */
	uint32_t num_digests;
	struct att_tcg_digest digests[ATT_MAX_DIGESTS_PER_EVENT];
	const uint8_t *data;
	uint32_t data_len;
};

struct att_tcg_log {
	enum att_tcg_format format;
	struct att_tcg_specid specid; /* crypto-agile only */
	/* Banks: the Spec ID event's algorithms, or SHA-1 for a SHA-1 log. */
	uint32_t num_banks;
	struct att_tcg_bank banks[ATT_MAX_DIGESTS_PER_EVENT];
	size_t num_events;
	struct att_tcg_event *events; /* owned */
	size_t events_cap;
	const uint8_t *buf; /* borrowed: the whole log */
	size_t len;
};

/* att_tcg_log_parse reads a whole event log from buf[0..len) into *log,
 * which must be released with att_tcg_log_release (also after a failure).
 * Events point into buf, which must outlive *log. Every byte must belong
 * to a well-formed record. Errors: ATT_ERR_TRUNCATED (a record runs past
 * the end), ATT_ERR_FORMAT (bad Spec ID event, digest algorithm not in the
 * Spec ID event, PCR index > 23 other than ATT_TCG_PCR_NONE on an
 * EV_NO_ACTION, ...), ATT_ERR_LIMIT (ATT_MAX_EVENTLOG_LEN,
 * ATT_MAX_EVENTS, ATT_MAX_EVENT_DATA_LEN, ATT_MAX_DIGESTS_PER_EVENT),
 * ATT_ERR_NOMEM; diag names the event and its offset. */
int att_tcg_log_parse(struct att_tcg_log *log, const uint8_t *buf, size_t len,
		      struct att_diag *diag);
/* att_tcg_log_release frees the event list; accepts NULL. */
void att_tcg_log_release(struct att_tcg_log *log);

/* att_tcg_log_bank returns the index of alg among log->banks, or -1. */
int att_tcg_log_bank(const struct att_tcg_log *log, uint16_t alg);
/* att_tcg_event_digest returns ev's digest of algorithm alg, or NULL. */
const struct att_tcg_digest *
att_tcg_event_digest(const struct att_tcg_event *ev, uint16_t alg);

/* att_tcg_alg_name returns the name of a TPM hash algorithm ("sha256"),
 * or NULL; messages print unknown IDs in hex. */
const char *att_tcg_alg_name(uint16_t alg);

#endif
