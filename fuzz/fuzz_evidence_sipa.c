/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the SIPA walker and decoder of Windows boot logs
 * (src/evidence/tcg/sipa.c) on an EV_EVENT_TAG payload, as PCR 12 and 13
 * data, and the azurevm claims of the facts it accepts. Every event the
 * walker reports must lie inside the input and inside its depth limit; a
 * refusal must carry a message.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/tcg/sipa.h"
#include "evidence/tcg/wbcl.h"

struct span {
	const uint8_t *p;
	size_t len;
};

static int check(void *arg, const struct att_sipa_event *ev,
		 struct att_diag *diag)
{
	const struct span *s = arg;
	(void)diag;
	if (ev->depth >= ATT_MAX_SIPA_DEPTH || ev->index >= ATT_MAX_SIPA_EVENTS ||
	    ev->offset + 8 + (size_t)ev->len > s->len ||
	    ev->data != s->p + ev->offset + 8)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s = {data, size};
	struct att_wbcl_facts f;
	struct att_diag d;
	att_diag_clear(&d);
	if (att_sipa_walk(data, size, check, &s, &d) != 0 && !d.msg[0])
		abort();
	for (uint32_t pcr = 12; pcr <= 13; pcr++) {
		json_t *c = NULL;
		memset(&f, 0, sizeof(f));
		att_diag_clear(&d);
		if (att_sipa_decode(&f, data, size, pcr, &d) != 0) {
			if (!d.msg[0])
				abort();
			continue;
		}
		if (att_wbcl_claims(&c, &f, NULL, 0x7000, ATT_WBCL_UNKNOWN,
				    NULL) == 0 && !c)
			abort();
		json_decref(c);
	}
	return 0;
}
