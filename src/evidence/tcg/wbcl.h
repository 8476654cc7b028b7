/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Windows boot logs (WBCL) and the azurevm claims they give: the facts a
 * parsed, replayed and digest-checked TCG log proves about the boot
 * (sipa.h: struct att_wbcl_facts), and the x-ms-azurevm-* claims MAA
 * issues from them, with the names, JSON types and encodings of MAA's
 * azurevm tokens. Linux logs give the subset that applies.
 *
 * Which events count (docs/eventlog.md "Windows boot logs"): only events
 * of PCRs in `verified` (the PCRs whose quoted value the log replayed to,
 * att_tcg_replay_compare) whose digest check is `verified` (their data
 * is what was measured). Windows measures its SIPA events into PCR 12
 * (boot configuration), 13 (boot modules, with the configuration again)
 * and 14 (boot authorities); PCR 11 holds BitLocker's access control and
 * no SIPA event. Secure Boot variables come from PCR 7, the VM id from
 * PCR 6.
 *
 *   att_tcg_log_parse -> att_tcg_check_digests -> att_tcg_replay ->
 *   att_tcg_replay_compare (verified) -> att_wbcl_facts_from_log ->
 *   att_wbcl_claims
 */
#ifndef ATT_EVIDENCE_TCG_WBCL_H
#define ATT_EVIDENCE_TCG_WBCL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/replay.h"
#include "evidence/tcg/sipa.h"

/* The PCRs of Windows' SIPA events. */
#define ATT_WBCL_SIPA_PCRS ((1u << 12) | (1u << 13) | (1u << 14))

/* att_wbcl_facts_from_log fills *f from log: SIPA events of the
 * EV_EVENT_TAG events in PCRs 12-14, the Secure Boot variables (PK, KEK,
 * db, dbx: EV_EFI_VARIABLE_DRIVER_CONFIG) of PCR 7 and the Hyper-V
 * "UUID: ..." EV_COMPACT_HASH of PCR 6, each only from a PCR in verified
 * and an event whose res[] status is ATT_TCG_CHECK_VERIFIED; res has
 * log->num_events entries (att_tcg_check_digests). Errors:
 * ATT_ERR_MISMATCH (an EV_EVENT_TAG of an attested SIPA PCR whose data
 * does not hash to its digest), the errors of att_sipa_decode (a SIPA
 * payload that does not parse); diag names the event. */
int att_wbcl_facts_from_log(struct att_wbcl_facts *f,
			    const struct att_tcg_log *log,
			    const struct att_tcg_check_result *res,
			    uint32_t verified, struct att_diag *diag);

/* The OS of the request (MAA's AttestationInfo OSType, OSDistro, OSBuild,
 * OSVersionMajor/Minor): the client's statement, copied as MAA copies it.
 * NULL strings and !has_version omit the claims. */
struct att_wbcl_os {
	const char *type;   /* "Windows", "Linux" */
	const char *distro; /* "Microsoft", "Ubuntu" */
	const char *build;  /* "NotApplicable" */
	bool has_version;
	int64_t version_major;
	int64_t version_minor;
};

/* att_wbcl_claims sets *out to a new object of the claims (caller owns):
 * x-ms-azurevm-attested-pcrs (array of ints, ascending, from attested),
 * -is-windows, -dbvalidated, -dbxvalidated,
 * -default-securebootkeysvalidated, -vmid (when the log has it),
 * -ostype/-osdistro/-osbuild/-osversion-major/-minor (from os, may be
 * NULL), and for a Windows log -bootdebug-enabled, -kerneldebug-enabled,
 * -testsigning-enabled, -flightsigning-enabled, -hypervisordebug-enabled,
 * -debuggersdisabled, -signingdisabled, -elam-enabled (booleans) and
 * -hvci-policy (int); "secureboot" (boolean) unless secureboot is
 * ATT_WBCL_UNKNOWN. ATT_ERR_NOMEM. */
int att_wbcl_claims(json_t **out, const struct att_wbcl_facts *f,
		    const struct att_wbcl_os *os, uint32_t attested,
		    enum att_wbcl_tri secureboot, struct att_diag *diag);

#endif
