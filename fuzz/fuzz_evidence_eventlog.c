/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the TCG event log parser, and on every log it accepts, the
 * replay, the digest checks and the events JSON (the decoders of UEFI
 * event data, device paths and strings run there). A parsed log must have
 * its events in order, inside the input, with the digest sizes of its
 * banks.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "evidence/tcg/replay.h"

static void check_events(const struct att_tcg_log *log, const uint8_t *data,
			 size_t size)
{
	size_t prev = 0;
	for (size_t i = 0; i < log->num_events; i++) {
		const struct att_tcg_event *ev = &log->events[i];
		bool pcr_ok = ev->pcr <= 23 ||
			      (ev->pcr == ATT_TCG_PCR_NONE &&
			       ev->type == ATT_EV_NO_ACTION);
		if (ev->seq != i || !pcr_ok || (i && ev->offset <= prev) ||
		    ev->data < data || ev->data + ev->data_len > data + size ||
		    ev->num_digests == 0)
			abort();
		for (uint32_t d = 0; d < ev->num_digests; d++) {
			int b = att_tcg_log_bank(log, ev->digests[d].alg);
			if (b < 0 || log->banks[b].size != ev->digests[d].len)
				abort();
		}
		prev = ev->offset;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_tcg_log log;
	struct att_tcg_replay rp;
	if (att_tcg_log_parse(&log, data, size, NULL) == 0) {
		struct att_tcg_check_result *res =
			calloc(log.num_events, sizeof(*res));
		check_events(&log, data, size);
		att_tcg_replay(&rp, &log, NULL);
		if (res)
			att_tcg_check_digests(res, &log, NULL, NULL);
		json_t *j = att_tcg_events_json(&log, res);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
		free(s);
		json_decref(j);
		free(res);
	}
	att_tcg_log_release(&log);
	return 0;
}
