/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIPA events: what the Windows boot manager and winload measure, as
 * EV_EVENT_TAG (0x6) events, into PCRs 12-14 of a Windows boot log (WBCL).
 * The data of such an event is a sequence of SIPA events, each
 * {type u32le, size u32le, data[size]}; a type with the aggregation bit
 * (0x40000000) holds a further sequence of SIPA events in its data (a
 * "container": the trust boundary, a loaded module, an ELAM driver).
 * Tag values and payload encodings are those of the Windows Driver Kit's
 * wbcl.h (SIPAEVENT_*), as go-attestation and TSS.MSR read them.
 *
 * This header is the bounded walker and the decoder of the tags that give
 * the azurevm claims; wbcl.h applies it to a whole log (which PCRs, which
 * events count) and builds the claims. docs/eventlog.md "Windows boot
 * logs (WBCL) and SIPA events".
 */
#ifndef ATT_EVIDENCE_TCG_SIPA_H
#define ATT_EVIDENCE_TCG_SIPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"

/* Bits and classes of a SIPA event type. */
#define ATT_SIPA_NONMEASURED 0x80000000u
#define ATT_SIPA_AGGREGATION 0x40000000u
#define ATT_SIPA_CLASS_MASK 0x000F0000u
#define ATT_SIPA_CLASS_CONTAINER 0x00010000u

/* Containers (aggregations). */
#define ATT_SIPA_TRUSTBOUNDARY 0x40010001u
#define ATT_SIPA_ELAM_AGGREGATION 0x40010002u
#define ATT_SIPA_LOADEDMODULE_AGGREGATION 0x40010003u
#define ATT_SIPA_TRUSTPOINT_AGGREGATION 0xC0010004u
#define ATT_SIPA_KSR_AGGREGATION 0x40010005u
#define ATT_SIPA_KSR_SIGNED_MEASUREMENT_AGGREGATION 0x40010006u

/* Information. */
#define ATT_SIPA_BOOTCOUNTER 0x00020002u      /* u64 */
#define ATT_SIPA_TRANSFER_CONTROL 0x00020003u /* u32 */
#define ATT_SIPA_BITLOCKER_UNLOCK 0x00020005u

/* Pre-OS and OS parameters: booleans are one byte, 0 or not. */
#define ATT_SIPA_BOOTDEBUGGING 0x00040001u
#define ATT_SIPA_BOOT_REVOCATION_LIST 0x00040002u
#define ATT_SIPA_OSKERNELDEBUG 0x00050001u
#define ATT_SIPA_CODEINTEGRITY 0x00050002u
#define ATT_SIPA_TESTSIGNING 0x00050003u
#define ATT_SIPA_DATAEXECUTIONPREVENTION 0x00050004u /* u64 */
#define ATT_SIPA_SAFEMODE 0x00050005u
#define ATT_SIPA_WINPE 0x00050006u
#define ATT_SIPA_HYPERVISOR_LAUNCH_TYPE 0x0005000Au
#define ATT_SIPA_HYPERVISOR_DEBUG 0x0005000Du
#define ATT_SIPA_FLIGHTSIGNING 0x00050021u

/* ELAM driver aggregation members. */
#define ATT_SIPA_ELAM_KEYNAME 0x00090001u /* UTF-16LE driver key name */
#define ATT_SIPA_ELAM_CONFIGURATION 0x00090002u
#define ATT_SIPA_ELAM_POLICY 0x00090003u
#define ATT_SIPA_ELAM_MEASURED 0x00090004u

/* Virtualization-based security. */
#define ATT_SIPA_VBS_HVCI_POLICY 0x000A0007u /* integer, 1/2/4/8 bytes */

/* att_sipa_tag_name returns the wbcl.h name of a tag without its
 * SIPAEVENT_ prefix ("CODEINTEGRITY"), or NULL for one not listed. */
const char *att_sipa_tag_name(uint32_t tag);

/* One SIPA event met by the walker. data points into the payload. */
struct att_sipa_event {
	uint32_t tag;
	uint32_t len;
	const uint8_t *data;
	uint32_t depth;  /* 0: top level of the EV_EVENT_TAG data */
	uint32_t index;  /* order in the walk, from 0 */
	size_t offset;   /* of its header, from the start of the payload */
	uint32_t parent; /* tag of the enclosing aggregation, or 0 */
};

/* Called for every event, an aggregation before its members; a non-zero
 * return stops the walk and is returned. */
typedef int (*att_sipa_visit_fn)(void *arg, const struct att_sipa_event *ev,
				 struct att_diag *diag);

/* att_sipa_walk reads the SIPA events of an EV_EVENT_TAG payload p[0..len)
 * through struct att_cur, depth first. Every byte must belong to an event;
 * an event whose size runs past its container (or the payload) is
 * ATT_ERR_TRUNCATED, nesting deeper than ATT_MAX_SIPA_DEPTH or more than
 * ATT_MAX_SIPA_EVENTS events ATT_ERR_LIMIT, an empty payload
 * ATT_ERR_FORMAT; diag names the event's index, offset and tag. visit
 * may be NULL (form check only). */
int att_sipa_walk(const uint8_t *p, size_t len, att_sipa_visit_fn visit,
		  void *arg, struct att_diag *diag);

/* A boolean that is only as strong as its weakest report (code
 * integrity): UNKNOWN until reported, then FALSE once reported false. */
enum att_wbcl_tri {
	ATT_WBCL_UNKNOWN = 0,
	ATT_WBCL_FALSE = 1,
	ATT_WBCL_TRUE = 2,
};

#define ATT_WBCL_VMID_LEN 36 /* 8-4-4-4-12 */

/* What a Windows boot log says, from the events that count (wbcl.h:
 * attested PCRs, digest-verified events). Flags that weaken security latch
 * on (true if any report is true); code integrity latches off. */
struct att_wbcl_facts {
	/* SIPA (PCRs 12-13 for the settings, 14 for authorities) */
	bool is_windows;       /* SIPA trust boundary in PCR 12 or 13 */
	uint32_t sipa_pcrs;    /* PCRs whose SIPA events were decoded */
	uint32_t sipa_events;  /* SIPA events decoded, nested ones included */
	bool boot_debugging;   /* BOOTDEBUGGING */
	bool kernel_debug;     /* OSKERNELDEBUG */
	bool test_signing;     /* TESTSIGNING */
	bool flight_signing;   /* FLIGHTSIGNING */
	bool hypervisor_debug; /* HYPERVISOR_DEBUG */
	enum att_wbcl_tri code_integrity; /* CODEINTEGRITY */
	enum att_wbcl_tri dep;            /* DATAEXECUTIONPREVENTION */
	bool safe_mode;                   /* SAFEMODE */
	bool winpe;                       /* WINPE */
	uint32_t elam_drivers; /* ELAM aggregations with a key name */
	bool has_hvci_policy;
	uint64_t hvci_policy; /* VBS_HVCI_POLICY; the last one reported */
	bool has_boot_count;
	uint64_t boot_count; /* BOOTCOUNTER */
	uint32_t loaded_modules; /* LOADEDMODULE_AGGREGATION events */
	/* UEFI Secure Boot variables of PCR 7 (wbcl.c) */
	bool pk_validated, kek_validated, db_validated, dbx_validated;
	/* The VM's UUID, "UUID: ..." EV_COMPACT_HASH in PCR 6 (Hyper-V) */
	bool has_vmid;
	char vmid[ATT_WBCL_VMID_LEN + 1]; /* upper case */
};

/* att_sipa_decode walks one EV_EVENT_TAG payload of PCR pcr and applies
 * the tags above to *f (zero it before the first payload). A known tag
 * with a payload of the wrong size is ATT_ERR_FORMAT naming it; unknown
 * tags are skipped (their bytes are covered by the event's digest).
 * Errors of att_sipa_walk. */
int att_sipa_decode(struct att_wbcl_facts *f, const uint8_t *p, size_t len,
		    uint32_t pcr, struct att_diag *diag);

#endif
