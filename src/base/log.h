/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The logger: the one global allowed. Lines go to stderr. att_log_json
 * writes one pre-formatted JSON object per line (request logs);
 * att_logf writes a JSON line {"ts","level","msg"}. Never pass a secret.
 */
#ifndef ATT_BASE_LOG_H
#define ATT_BASE_LOG_H

enum att_log_level { ATT_LOG_DEBUG, ATT_LOG_INFO, ATT_LOG_WARN, ATT_LOG_ERROR };

void att_log_set_level(enum att_log_level lvl);
void att_logf(enum att_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* att_log_json writes obj (one JSON object, no newline) as one line. */
void att_log_json(const char *obj);

#endif
