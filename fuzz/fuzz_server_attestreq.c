/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the attestation request body (verify/attest.h).
 * First a differential check of the fast JSON reader: for every input
 * att_attest_json_parse must accept exactly what
 * json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) accepts, and
 * produce an equal value; the one intended difference is the nesting
 * limit (ATT_MAX_JSON_DEPTH, below jansson's), and jansson 2.14 also
 * accepts a NUL byte right after a number or literal, which the reader
 * refuses. Then the request decoder
 * (att_attest_request_decode) for SgxEnclave, OpenEnclave and TdxVm, and
 * the OE report header check on the decoded evidence. The seeds are MAA
 * request bodies with real quotes and JSON corner cases.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "verify/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* depth of the deepest array/object of v (jansson values only) */
static int depth_of(json_t *v, int lim)
{
	int best = 0;
	size_t i;
	const char *k;
	json_t *e;
	if (lim <= 0)
		return 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			int d = depth_of(e, lim - 1);
			best = d > best ? d : best;
		}
		return best + 1;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, k, e)
		{
			int d = depth_of(e, lim - 1);
			best = d > best ? d : best;
		}
		return best + 1;
	}
	return 0;
}

static void differential(const uint8_t *data, size_t size)
{
	struct att_diag d = {0};
	json_error_t je;
	json_t *mine = NULL;
	int r = att_attest_json_parse(&mine, data, size, &d);
	json_t *ref = json_loadb((const char *)data, size,
				 JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				 &je);
	if (r == 0 && !mine)
		abort();
	if (r != 0 && (mine || r != ATT_ERR_FORMAT))
		abort();
	if (!mine && ref &&
	    depth_of(ref, ATT_MAX_JSON_DEPTH + 2) > ATT_MAX_JSON_DEPTH)
		goto out; /* the intended difference */
	if (!mine && ref && memchr(data, 0, size))
		goto out; /* jansson 2.14 takes a NUL byte right after a
			   * number or literal ("[400\0]"); refusing it is right */
	if (!mine != !ref) {
		fprintf(stderr, "attest JSON reader %s (%s), jansson %s (%s)\n",
			mine ? "accepts" : "refuses", att_diag_msg(&d),
			ref ? "accepts" : "refuses", ref ? "" : je.text);
		abort();
	}
	if (mine && !json_equal(mine, ref)) {
		fprintf(stderr, "attest JSON reader and jansson differ\n");
		abort();
	}
out:
	json_decref(mine);
	json_decref(ref);
}

static void decode(const uint8_t *data, size_t size, enum att_attest_kind k)
{
	struct att_attest_request rq;
	struct att_diag d = {0};
	int r = att_attest_request_decode(&rq, k, data, size, &d);
	if (r == 0) {
		if (!rq.body || !rq.evidence || rq.kind != k ||
		    (rq.runtime.is_json && !json_is_object(rq.runtime.json)) ||
		    (rq.inittime.is_json &&
		     !json_is_object(rq.inittime.json)) ||
		    (rq.draft && rq.draft_len != strlen(rq.draft)))
			abort();
		struct att_diag oe = {0};
		att_attest_oe_header_check(rq.evidence, rq.evidence_len, &oe);
	} else if (r > 0 || !att_diag_msg(&d)[0]) {
		abort();
	}
	att_attest_request_release(&rq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	differential(data, size);
	decode(data, size, ATT_ATTEST_SGX);
	decode(data, size, ATT_ATTEST_OE);
	decode(data, size, ATT_ATTEST_TDX);
	return 0;
}
