/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lookups over the event log's tables: event type names (the X-macro list
 * in eventlog.h, so that the enum and the names cannot drift apart) and
 * bank/digest lookups on a parsed log. Unknown values are reported as
 * misses, never mapped to a default.
 */
#include "evidence/tcg/eventlog.h"

#include <string.h>

#include "attest/err.h"
#include "evidence/tpm/tpm_alg.h"

struct type_name {
	uint32_t value;
	const char *name;
};

static const struct type_name type_names[] = {
#define ATT_TCG_EV_ROW(name) {ATT_##name, #name},
	ATT_TCG_EVENT_TYPE_LIST(ATT_TCG_EV_ROW)
#undef ATT_TCG_EV_ROW
};

#define NUM_TYPES (sizeof(type_names) / sizeof(type_names[0]))

const char *att_tcg_event_type_name(uint32_t type)
{
	for (size_t i = 0; i < NUM_TYPES; i++)
		if (type_names[i].value == type)
			return type_names[i].name;
	return NULL;
}

int att_tcg_event_type_from_name(const char *name, uint32_t *type)
{
	*type = 0;
	if (!name)
		return ATT_ERR_NOT_FOUND;
	for (size_t i = 0; i < NUM_TYPES; i++) {
		if (!strcmp(type_names[i].name, name)) {
			*type = type_names[i].value;
			return 0;
		}
	}
	return ATT_ERR_NOT_FOUND;
}

int att_tcg_log_bank(const struct att_tcg_log *log, uint16_t alg)
{
	for (uint32_t i = 0; i < log->num_banks; i++)
		if (log->banks[i].alg == alg)
			return (int)i;
	return -1; /* not an error: no such bank */
}

const struct att_tcg_digest *
att_tcg_event_digest(const struct att_tcg_event *ev, uint16_t alg)
{
	for (uint32_t i = 0; i < ev->num_digests; i++)
		if (ev->digests[i].alg == alg)
			return &ev->digests[i];
	return NULL;
}

const char *att_tcg_alg_name(uint16_t alg)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	return hi ? hi->name : NULL;
}
