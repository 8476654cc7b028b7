/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public TCG event log parse and replay (include/attest/verify.h) over
 * src/evidence/tcg, with the shapes `attest eventlog show|replay --json`
 * print.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "attest/verify.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "evidence/tcg/replay.h"
#include "evidence/tpm/pcrs.h"

struct evlog {
	struct att_tcg_log log;
	struct att_tcg_check_result *res;
	struct att_tcg_replay replay;
	struct att_tpm_pcrs quoted;
};

static int load(struct evlog *e, const uint8_t *buf, size_t len,
		struct att_diag *d)
{
	int rc = att_tcg_log_parse(&e->log, buf, len, d);
	if (rc)
		return rc;
	e->res = calloc(e->log.num_events ? e->log.num_events : 1,
			sizeof(*e->res));
	if (!e->res)
		return att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
	/* A mismatch is reported per event, never a failure here. */
	rc = att_tcg_check_digests(e->res, &e->log, NULL, NULL);
	return rc == ATT_ERR_MISMATCH ? 0 : rc;
}

static void unload(struct evlog *e)
{
	att_tcg_log_release(&e->log);
	free(e->res);
	free(e);
}

static int finish(int rc, json_t *j, char **out_json, struct att_diag *d,
		  char *errbuf, size_t errlen)
{
	if (rc == 0 && out_json && (!j || att_api_dump(out_json, j, 1) != 0))
		rc = att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
	json_decref(j);
	return rc ? att_api_err(rc, d, errbuf, errlen) : 0;
}

/* begin checks the arguments common to both entry points and allocates
 * the working state. */
static int begin(struct evlog **e, const uint8_t *log, char **out_json,
		 char *errbuf, size_t errlen)
{
	*e = NULL;
	if (out_json)
		*out_json = NULL;
	if (!log)
		return att_api_fail(ATT_ERR_INVALID_ARG, "event log: no log",
				    errbuf, errlen);
	if (!(*e = calloc(1, sizeof(**e))))
		return att_api_fail(ATT_ERR_NOMEM, "out of memory", errbuf,
				    errlen);
	return 0;
}

int att_verify_eventlog_parse(const uint8_t *log, size_t len,
			      char **out_json, char *errbuf, size_t errlen)
{
	struct att_diag d = {0};
	struct evlog *e;
	json_t *j = NULL;
	int rc;
	if ((rc = begin(&e, log, out_json, errbuf, errlen)) != 0)
		return rc;
	rc = load(e, log, len, &d);
	if (rc == 0 && out_json)
		j = att_tcg_events_json(&e->log, e->res);
	rc = finish(rc, j, out_json, &d, errbuf, errlen);
	unload(e);
	return rc;
}

static int compare_quoted(struct evlog *e, const char *text,
			  struct att_diag *d)
{
	json_t *j;
	int rc = att_api_parse(&j, text, "event log: quoted PCR values", d);
	if (rc == 0)
		rc = att_tpm_pcrs_from_json(&e->quoted, j, d);
	json_decref(j);
	if (rc == 0)
		rc = att_tcg_replay_compare(&e->replay, &e->log, e->res,
					    &e->quoted, NULL, d);
	return rc;
}

int att_verify_eventlog_replay(const uint8_t *log, size_t len,
			       const char *quoted_pcrs_json, char **out_json,
			       char *errbuf, size_t errlen)
{
	struct att_diag d = {0};
	struct evlog *e;
	json_t *j = NULL;
	int rc;
	if ((rc = begin(&e, log, out_json, errbuf, errlen)) != 0)
		return rc;
	rc = load(e, log, len, &d);
	if (rc == 0)
		rc = att_tcg_replay(&e->replay, &e->log, &d);
	if (rc == 0 && quoted_pcrs_json)
		rc = compare_quoted(e, quoted_pcrs_json, &d);
	if (rc == 0 && out_json)
		j = att_tpm_pcrs_to_json(&e->replay.pcrs);
	rc = finish(rc, j, out_json, &d, errbuf, errlen);
	unload(e);
	return rc;
}
