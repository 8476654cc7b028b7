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
/* SIPA events in an EV_EVENT_TAG payload of a Windows boot log
 * (src/evidence/tcg/sipa.c): nesting of aggregations (Windows uses 2) and
 * events of one payload, nested ones included (~800 in a real 26 KB one). */
#define ATT_MAX_SIPA_DEPTH 8
#define ATT_MAX_SIPA_EVENTS 16384
/* Length octets of a DER long-form length (X.690 §8.1.3.5): lengths below
 * 16 MiB; att_cur_get_der (an EK certificate read from TPM NV). */
#define ATT_DER_MAX_LEN_OCTETS 3

/* JSON, tokens, policies */
#define ATT_MAX_JSON_DEPTH 64
#define ATT_MAX_TOKEN_LEN (256 * 1024)
#define ATT_MAX_POLICY_LEN (256 * 1024)
#define ATT_MAX_POLICY_DEPTH 128
#define ATT_MAX_POLICY_CLAIMS 10000
#define ATT_MAX_JMESPATH_LEN (16 * 1024)
#define ATT_MAX_JMESPATH_DEPTH 256
#define ATT_MAX_JMESPATH_STEPS 10000000
/* Longest string a JMESPath expression may build (join, to_string). */
#define ATT_JMESPATH_MAX_STRING_LEN (16 * 1024 * 1024)
/* Deepest JSON value JMESPath recurses into: the deepest accepted JSON
 * plus what an expression can wrap around it. */
#define ATT_JMESPATH_MAX_VALUE_DEPTH                                           \
	(ATT_MAX_JSON_DEPTH + 4 * ATT_MAX_JMESPATH_DEPTH)

/* HTTP */
#define ATT_MAX_HTTP_BODY (2 * 1024 * 1024)
#define ATT_MAX_HTTP_HEADER (16 * 1024)
#define ATT_MAX_HTTP_CONNECTIONS 1024
#define ATT_HTTP_TIMEOUT_SECONDS 30
/* Slow clients and strict parsing (server.c, conn_guard.c, http_strict.c) */
#define ATT_MAX_HTTP_CONNECTIONS_PER_ADDRESS 64 /* IPv6: per /64 */
#define ATT_HTTP_HEADER_TIMEOUT_SECONDS 10 /* TLS handshake + headers */
#define ATT_HTTP_BODY_TIMEOUT_SECONDS 60   /* the whole request body */
#define ATT_HTTP_CONNECTION_HEADROOM 64 /* accepted past max, then evicted */
#define ATT_MAX_HTTP_TARGET_LEN 8192
#define ATT_MAX_HTTP_QUERY_PARAMS 64
#define ATT_MAX_HTTP_HEADER_FIELDS 100
#define ATT_HTTP_LOG_LINES_PER_SECOND 5 /* libmicrohttpd's own messages */
#define ATT_HTTP_GUARD_LOG_SECONDS 10    /* summary of cut connections */
#define ATT_MAX_PROVIDERS 1024
#define ATT_MAX_CLOCK_SKEW_SECONDS 300

/* Time values. A NumericDate (exp, nbf, iat of a JWT) is accepted only
 * within [ATT_NUMERICDATE_MIN, ATT_NUMERICDATE_MAX]: 1970-01-01T00:00:00Z
 * .. 9999-12-31T23:59:59Z. att_time_format writes a date for
 * [ATT_TIME_TEXT_MIN, ATT_TIME_TEXT_MAX] (years 0000..9999) and the bare
 * number otherwise; att_days_from_civil clamps the year to
 * +-ATT_CIVIL_MAX_ABS_YEAR so that its arithmetic cannot overflow. */
#define ATT_NUMERICDATE_MIN 0
#define ATT_NUMERICDATE_MAX 253402300799LL
#define ATT_TIME_TEXT_MIN (-62167219200LL)
#define ATT_TIME_TEXT_MAX 253402300799LL
#define ATT_CIVIL_MAX_ABS_YEAR 1000000000000LL

/* Diagnostics */
#define ATT_DIAG_LEN 512

/* Keys, certificates and tokens */
#define ATT_PKEY_MAX_RSA_BITS 8192
#define ATT_PKEY_MAX_PEM_LEN (64 * 1024)
#define ATT_MAX_PEM_CERTS 64
#define ATT_KEYWRAP_MAX_PLAIN (64 * 1024)
/* AES-GCM IVs (crypto/aes_gcm.h): 12 bytes is the usual length. */
#define ATT_AES_GCM_MAX_IV_LEN 16

/* Azure guest attestation client (src/client/azguest*.c): an HCL report
 * as the vTPM keeps it in NV (header, hardware report, runtime data), and
 * a key the service wraps to the TPM's ephemeral RSA key. */
#define ATT_MAX_HCL_REPORT_LEN (16 * 1024)
#define ATT_AZG_MAX_WRAPPED_KEY_LEN 512
/* POST /attest/AzureGuest (src/verify/azureguest*.c): an OS string of
 * AttestationInfo (OSType, OSDistro, OSBuild, decoded), the client's
 * payload, and the hardware evidence (Proof: SNP report document or TD
 * quote) and runtime data of IsolationInfo. */
#define ATT_AZG_MAX_OS_STRING_LEN 256
#define ATT_AZG_MAX_CLIENT_PAYLOAD_LEN (64 * 1024)
#define ATT_AZG_MAX_PROOF_LEN (64 * 1024)
#define ATT_AZG_MAX_RUNTIME_LEN (64 * 1024)

/* Server */
#define ATT_MAX_TOKEN_LIFETIME_SECONDS (8 * 3600)
#define ATT_SIGNING_CERT_DAYS 3650
#define ATT_MAX_JWKS_LEN (1024 * 1024)
#define ATT_JWKS_FETCH_TIMEOUT_SECONDS 10
#define ATT_JWKS_CACHE_SECONDS 3600
#define ATT_JWKS_REFETCH_COOLDOWN_SECONDS 60
/* Bearer-token JWKS fetching off the request path (server/jwks_fetch.h). */
#define ATT_JWKS_CONNECT_TIMEOUT_SECONDS 3
#define ATT_JWKS_REFRESH_AHEAD_SECONDS 300 /* refresh before CACHE ends */
#define ATT_JWKS_MAX_STALE_SECONDS 86400   /* serve a stale JWKS this long */
#define ATT_JWKS_BACKOFF_MIN_SECONDS 1     /* after the first failure */
#define ATT_JWKS_BACKOFF_MAX_SECONDS 300   /* doubling up to this */
#define ATT_JWKS_WAIT_MS 200 /* a request waits for a first fetch */
#define ATT_JWKS_MAX_URL_LEN 2048
#define ATT_PROVIDER_NAME_MAX 63
#define ATT_AUTH_SKEW_SECONDS 60
#define ATT_POLICY_TOKEN_LIFETIME_SECONDS 3600
#define ATT_ROUTE_MAX_PARAMS 2
#define ATT_ROUTE_PARAM_LEN 128
#define ATT_METRICS_MAX_ROUTES 64
#define ATT_METRICS_MAX_STATUSES 16
#define ATT_DEV_TLS_DAYS 825
#define ATT_MAX_RESP_BODY (4 * 1024 * 1024)
#define ATT_STORE_BUSY_TIMEOUT_MS 5000
/* The PostgreSQL store (src/store/pg*.c, docs/deployment.md): pool size
 * (connections, one per server thread by default), how long a request
 * waits for a free connection, the connect timeout, retries of a
 * transaction that failed to serialise (SQLSTATE 40001/40P01), the store
 * URL and a password file, parameters of one statement. */
#define ATT_PG_POOL_DEFAULT 8
#define ATT_PG_POOL_MAX 256
#define ATT_PG_POOL_WAIT_MS 10000
#define ATT_PG_CONNECT_TIMEOUT_S 2
#define ATT_PG_TX_RETRIES 8
#define ATT_PG_URL_MAX 2048
#define ATT_PG_PASSWORD_MAX 1024
#define ATT_PG_MAX_PARAMS 12
/* Database outages and cache coherence (docs/deployment.md): the
 * statement timeout of every pooled connection (the connect timeout is
 * ATT_PG_CONNECT_TIMEOUT_S; both configurable by store_timeout), the
 * change watcher's poll of its LISTEN socket, its version check while
 * it cannot listen (and, as a safety net, while it can), how long a
 * node takes at most to see another node's change while watched, and
 * how long a cache trusts an entry while the watcher watches. store
 * copy's column count. */
#define ATT_PG_STATEMENT_TIMEOUT_MS 2000
#define ATT_PG_WATCH_POLL_MS 200
#define ATT_STORE_VERSION_CHECK_MS 500
#define ATT_PG_WATCH_SAFETY_CHECK_MS 5000
#define ATT_STORE_WATCH_DELAY_MS 1000
#define ATT_STORE_WATCHED_RECHECK_MS 60000
#define ATT_STORE_COPY_MAX_COLS 16

/* SGX simulator */
#define ATT_SGXSIM_MAX_OUTPUT (1024 * 1024)
#define ATT_SGXSIM_MAX_FILE (1024 * 1024)
#define ATT_SGXSIM_MAX_OBJ (64 * 1024)

/* DCAP verifier */
#define ATT_DCAP_MAX_ADVISORIES 64 /* per TCB level */
#define ATT_DCAP_MAX_ADVISORY_LEN 32
#define ATT_DCAP_MAX_MODULE_IDENTITIES 64
#define ATT_DCAP_MAX_RESULT_ADVISORIES 64
#define ATT_SGX_EXT_MAX_LEN 4096
#define ATT_DCAP_MAX_ROOTS 8
#define ATT_DCAP_CACHE_DEFAULT 1024
/* Zero padding accepted after a quote's signature data (docs/dcap-verifier.md) */
#define ATT_SGX_QUOTE_MAX_PADDING 8192

/* Collateral service */
#define ATT_COLLATERAL_CACHE_DEFAULT 256     /* parsed sets in memory */
#define ATT_COLLATERAL_CACHE_MAX 65536
#define ATT_COLLATERAL_REFRESH_MARGIN_SECONDS 3600
#define ATT_COLLATERAL_REFRESH_PERCENT 10
#define ATT_COLLATERAL_RETRY_SECONDS 60      /* after a failed fetch */
#define ATT_COLLATERAL_IMPORT_MAX_FILES 4096 /* per import */
#define ATT_COLLATERAL_IMPORT_MAX_DEPTH 4    /* directory levels */
#define ATT_COLLATERAL_IMPORT_MAX_ITEMS 1024 /* distinct items per import */
#define ATT_COLLATERAL_MEMSTORE_MAX 4096 /* rows of the in-memory store */
/* Rows one collateral_list call returns (store.h), and TCB baselines
 * (distinct evaluation data numbers) GET /tcbbaselines lists. */
#define ATT_STORE_COLLATERAL_LIST_MAX 4096
#define ATT_TCB_BASELINES_MAX 256
/* x-ms-compliance-status floors (src/verify/compliance.h): the baseline
 * name's length and the allowed measurement values per floor. */
#define ATT_COMPLIANCE_NAME_MAX 64
#define ATT_COMPLIANCE_MAX_MEASUREMENTS 64
/* PCS/PCCS GETs (collateral/pcs_client.c): redirects followed (https
 * only) and the connect phase's bound (below the whole-transfer one). */
#define ATT_PCS_MAX_REDIRECTS 3
#define ATT_PCS_CONNECT_TIMEOUT_SECONDS 10

/* AMD SEV-SNP (src/evidence/snp, src/collateral KDS client, src/sim) */
#define ATT_SNP_MAX_CERT_ENTRIES 16      /* extended report certificate table */
#define ATT_SNP_MAX_CERT_TABLE_LEN (64 * 1024)
#define ATT_SNP_MAX_CERT_LEN (16 * 1024) /* one VCEK/VLEK/ASK/ARK, DER or PEM */
#define ATT_SNP_MAX_CHAIN_CERTS 4        /* VcekCertChain / KDS cert_chain */
#define ATT_SNP_MAX_CRL_LEN (256 * 1024)
#define ATT_SNP_CACHE_DEFAULT 1024 /* verified chains + parsed PEM chains */
/* AMD KDS client and cache (src/collateral/kds*.c, docs/collateral.md) */
#define ATT_KDS_CACHE_DEFAULT 1024        /* items in memory */
#define ATT_KDS_CACHE_MAX 65536
#define ATT_KDS_NEGATIVE_SECONDS 5        /* a failed fetch is remembered */
#define ATT_KDS_BACKOFF_INITIAL_SECONDS 1 /* after 429/503 without Retry-After */
#define ATT_KDS_BACKOFF_MAX_SECONDS 300   /* exponential backoff cap */
#define ATT_KDS_RETRY_AFTER_MAX_SECONDS 3600 /* a longer Retry-After is capped */
#define ATT_KDS_REFRESH_SECONDS 86400     /* chains and CRLs refetched after */
#define ATT_KDS_KEY_LEN 192               /* store/cache key of one item */
#define ATT_KDS_TIMEOUT_SECONDS_DEFAULT 10 /* attestd: one KDS request */
#define ATT_KDS_TIMEOUT_SECONDS_MAX 300  /* attest.json kds_timeout_seconds */
/* POST /attest/SevSnpVm (src/verify/snp_request.c): the decoded "report"
 * document {SnpReport, VcekCertChain}, about 10 KiB in MAA's example. */
#define ATT_SNP_MAX_REPORT_DOC_LEN (64 * 1024)

/* TPM protocol and event logs */
#define ATT_TPMPROTO_MAX_MESSAGE_LEN ATT_MAX_HTTP_BODY /* decoded JSON */
#define ATT_TPMPROTO_MAX_CONTEXT_LEN 4096 /* service_context text */
#define ATT_TPMPROTO_MAX_SECRET_LEN 64	  /* activated credential */
#define ATT_TPMPROTO_MAX_RP_DATA_LEN 1024 /* decoded rp_data bytes */
#define ATT_TPMPROTO_MAX_RP_ID_LEN 1024
#define ATT_TPMPROTO_MAX_ATT_TYPE_LEN 16
#define ATT_TPMPROTO_MAX_CUSTOM_CLAIMS 64
#define ATT_TPMPROTO_MAX_CLAIM_NAME_LEN 256
#define ATT_TPMPROTO_MAX_CLAIM_VALUE_LEN 4096
#define ATT_TPMPROTO_MAX_JWK_MEMBERS 16
#define ATT_TPMPROTO_MAX_JWK_MEMBER_LEN 2048
#define ATT_TPM_CONTEXT_TTL_MAX 3600
#define ATT_TPM_MAX_TRUST_PEM (1024 * 1024)  /* all PEM of one directory */
#define ATT_TPM_BUNDLE_MAX_FILES 256 /* .pem files of a shipped bundle dir */
#define ATT_TPM_REPLAY_CACHE_SLOTS 65536     /* outstanding contexts */
#define ATT_TPM_REPORT_VALIDITY_MAX 525600   /* one year */
#define ATT_TPM_MAX_SETTINGS_LEN 4096
#define ATT_TPM_KDF_MAX_BITS (8 * 4096)       /* one KDFa/KDFe output */
#define ATT_UEFI_MAX_NAME_CHARS 2048
#define ATT_UEFI_MAX_TEXT (64 * 1024)


/* Policy management */
#define ATT_AUDIT_ACTOR_LEN 512
#define ATT_AUDIT_ACTOR_CLAIM_LEN 128

/* Attestation endpoints */
#define ATT_ATTEST_TOKEN_LIFETIME_SECONDS (8 * 3600)
#define ATT_ATTEST_MAX_NONCE 1024
#define ATT_POLICY_CACHE_MAX 4096
#define ATT_ATTEST_SIM_RESIGN_DAYS 20
#define ATT_ATTEST_DCAP_CACHE_ENTRIES 4096
#define ATT_ATTEST_MAX_IMPORTS 64
#define ATT_ATTEST_SETTINGS_MAX (64 * 1024)

/* Caches on the request path */
#define ATT_SQ_STMT_CACHE 48
#define ATT_KEYS_RECHECK_MS 1000
#define ATT_POLICY_RECHECK_MS 1000

/* Per-provider defaults (providers.NAME.limits, docs/security.md) */
/* One policy evaluation, all rules and JmesPath calls together. */
#define ATT_POLICY_EVAL_STEPS_DEFAULT 2000000
#define ATT_POLICY_EVAL_BYTES_DEFAULT (16 * 1024 * 1024)
#define ATT_POLICY_EVAL_MS_DEFAULT 200
/* Compile-time size of one policy. */
#define ATT_POLICY_MAX_RULES_DEFAULT 1000
#define ATT_POLICY_MAX_JMESPATH_DEFAULT 128
#define ATT_POLICY_MAX_NESTING_DEFAULT 32
/* Token bucket of the anonymous attest routes (0: off). */
#define ATT_ATTEST_RATE_DEFAULT 0
#define ATT_ATTEST_BURST_DEFAULT 20
/* Slowest refill of that bucket: one token a day (lower rates count as this). */
#define ATT_RATELIMIT_MAX_INTERVAL_SECONDS 86400

/* attestd config check: deepest level below the data dir whose modes it
 * checks (tpm/NAME/..., sim/..., snpsim/...). */
#define ATT_CONFIG_CHECK_WALK_DEPTH 6

/* PKCS #11 signing keys (src/hsm, docs/configuration.md) */
#define ATT_P11_URI_MAX 4096        /* one pkcs11: URI (RFC 7512) */
#define ATT_P11_URI_VALUE_MAX 1024  /* one decoded attribute value */
#define ATT_P11_URI_NAME_MAX 32     /* one attribute name */
#define ATT_P11_SLOT_ID_MAX 0xffffffffUL /* a CK_SLOT_ID we accept */
#define ATT_P11_PIN_MAX 256         /* a user PIN (pin_file, pin-source) */
#define ATT_P11_MAX_SLOTS 256       /* slots listed by C_GetSlotList */
#define ATT_P11_MAX_ATTR 1024       /* one key attribute read (modulus, EC point) */
#define ATT_P11_SESSIONS 4          /* sessions per token key, for concurrent signing */

#endif
