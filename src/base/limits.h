/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every hard limit of attestd in one reviewed file. A count read from
 * untrusted input never sizes an allocation directly: allocate
 * min(declared, cap) and grow as elements really arrive.
 * docs/internals/LIMITS.md lists each constant (a meta-test checks this).
 */
#ifndef ATT_BASE_LIMITS_H
#define ATT_BASE_LIMITS_H

/* Evidence */
#define ATT_MAX_QUOTE_LEN (64 * 1024)
#define ATT_MAX_CERT_CHAIN 8
#define ATT_MAX_CERT_LEN (16 * 1024)
#define ATT_MAX_COLLATERAL_LEN (4 * 1024 * 1024)
#define ATT_MAX_TCB_LEVELS 256
#define ATT_MAX_EVENTLOG_LEN (8 * 1024 * 1024)
#define ATT_MAX_EVENTS 10000
#define ATT_MAX_EVENT_DATA_LEN (1024 * 1024)
#define ATT_MAX_DIGESTS_PER_EVENT 8
#define ATT_MAX_TPM_STRUCT_LEN 4096

/* JSON, tokens, policies */
#define ATT_MAX_JSON_DEPTH 64
#define ATT_MAX_TOKEN_LEN (256 * 1024)
#define ATT_MAX_POLICY_LEN (256 * 1024)
#define ATT_MAX_POLICY_STEPS 1000000
#define ATT_MAX_POLICY_DEPTH 128
#define ATT_MAX_POLICY_CLAIMS 10000
#define ATT_MAX_JMESPATH_LEN (16 * 1024)
#define ATT_MAX_JMESPATH_DEPTH 256
#define ATT_MAX_JMESPATH_STEPS 10000000

/* HTTP */
#define ATT_MAX_HTTP_BODY (2 * 1024 * 1024)
#define ATT_MAX_HTTP_HEADER (16 * 1024)
#define ATT_MAX_HTTP_CONNECTIONS 1024
#define ATT_HTTP_TIMEOUT_SECONDS 30
#define ATT_MAX_PROVIDERS 1024
#define ATT_MAX_CLOCK_SKEW_SECONDS 300

/* Diagnostics */
#define ATT_DIAG_LEN 512

#endif
