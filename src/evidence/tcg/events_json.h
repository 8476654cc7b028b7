/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event log as MAA's "events" claim: {"Events": [...]}, one object
 * per record in log order, with ProcessedData decoded for the common
 * events (docs/eventlog.md has the exact shape of every member). The JSON
 * is a description of the log: only events whose "DigestCheck" is
 * "verified" or "verified-quirk" carry data the digests vouch for.
 */
#ifndef ATT_EVIDENCE_TCG_EVENTS_JSON_H
#define ATT_EVIDENCE_TCG_EVENTS_JSON_H

#include <jansson.h>

#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/replay.h"

/* att_tcg_events_json returns {"Events": [...]} for log (new reference,
 * NULL on allocation failure). res (may be NULL) adds "DigestCheck" (and
 * "DigestQuirk") from att_tcg_check_digests. */
json_t *att_tcg_events_json(const struct att_tcg_log *log,
			    const struct att_tcg_check_result *res);

/* att_tcg_event_json returns the object of one event (as above). */
json_t *att_tcg_event_json(const struct att_tcg_log *log,
			   const struct att_tcg_event *ev,
			   const struct att_tcg_check_result *res);

/* att_tcg_processed_data returns the ProcessedData object of one event:
 * decoded fields, or {"Data": base64url} for types without a decoder, or
 * {"Data": ..., "DecodeError": "..."} when the data does not have its
 * type's structure. */
json_t *att_tcg_processed_data(const struct att_tcg_log *log,
			       const struct att_tcg_event *ev);

#endif
