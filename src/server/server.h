/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd's HTTP service: configuration, the server object, and the
 * HTTP-independent request/response types that handlers see. server.c
 * binds this to libmicrohttpd (HTTPS with GnuTLS, thread pool, epoll);
 * dispatch.c runs one request through provider selection, routing,
 * api-version check, bearer authentication, the handler, metrics and the
 * request log, so tests can drive it without sockets.
 */
#ifndef ATT_SERVER_SERVER_H
#define ATT_SERVER_SERVER_H

#include "base/limits.h"
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/log.h"
#include "crypto/keywrap.h"
#include "server/router.h"

struct att_metrics;
struct att_provider;
struct att_registry;
struct att_store;

/* Longest error message put in a response body. */
#define ATT_ERR_MSG_LEN 512
/* MAA's bearer token audience. */
#define ATT_MAA_AUDIENCE "https://attest.azure.net"

struct att_server_config {
	char *listen;           /* "HOST:PORT" */
	char *data_dir;
	/* The store (docs/configuration.md): NULL for DATA_DIR/attestd.db,
	 * else a URL (postgresql://..., sqlite://PATH) or a path; the
	 * PostgreSQL password from store_password_file (or PGPASSFILE). */
	char *store;
	char *store_password_file;
	/* store_timeout_ms: a PostgreSQL statement's timeout and (rounded
	 * up to seconds, at least 2) the connect timeout; 0: the defaults
	 * (docs/deployment.md "Database outages"). */
	unsigned store_timeout_ms;
	char *tls_cert;         /* PEM paths */
	char *tls_key;
	char *default_provider; /* "default" */
	enum att_log_level log_level;
	bool dev;
	size_t max_body;
	size_t max_header;
	unsigned max_connections;
	unsigned max_connections_per_address; /* 0: no limit */
	unsigned timeout_seconds;        /* keep-alive idle */
	unsigned header_timeout_seconds; /* accept/request line to headers */
	unsigned body_timeout_seconds;   /* headers to the complete body */
	unsigned threads;        /* 0: number of online CPUs */
	json_t *providers;       /* config "providers" object, or NULL */
};

/* att_server_config_init sets the defaults (limits from base/limits.h). */
void att_server_config_init(struct att_server_config *c);
/* att_server_config_load reads a JSON config file over the current
 * values (docs/configuration.md); unknown members are refused. */
int att_server_config_load(struct att_server_config *c, const char *path,
			   struct att_diag *d);
void att_server_config_release(struct att_server_config *c);

struct att_dev_issuer;
struct att_conn_guard;
struct att_jwks_svc;

struct att_server {
	struct att_server_config *cfg; /* borrowed, read-only */
	struct att_store *store;
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	pthread_rwlock_t reg_lock; /* readers: requests; writer: reload */
	struct att_registry *reg;
	struct att_metrics *metrics;
	struct att_dev_issuer *dev_issuer; /* dev mode only */
	struct att_jwks_svc *jwks; /* bearer issuers' JWKS fetcher */
	struct MHD_Daemon *mhd;
	struct att_conn_guard *guard; /* slow-client limits (conn_guard.h) */
	/* The attestation context (trust.h), made once under attest_mu. */
	pthread_mutex_t attest_mu;
	struct att_attest_ctx *attest;
	/* libmicrohttpd's own log lines: at most
	 * ATT_HTTP_LOG_LINES_PER_SECOND, the rest counted. */
	pthread_mutex_t http_log_lock;
	long long http_log_second;
	unsigned http_log_lines;
	unsigned long http_log_dropped;
	char *tls_cert_pem; /* kept for the daemon's lifetime */
	char *tls_key_pem;
	/* Called on every token's claims before signing (the dev-mode
	 * marker); may be NULL. */
	int (*claims_hook)(struct att_server *srv, struct att_provider *p,
			   json_t *claims);
};

/* A request as handlers see it. All strings are borrowed for the
 * request's lifetime. */
struct att_req {
	struct att_server *srv;
	const char *method;
	const char *path;        /* as received, without query */
	const char *rest;        /* path after a provider prefix */
	const char *host;        /* Host header or NULL */
	const char *authorization;
	const char *content_type;
	const char *api_version; /* query api-version or NULL */
	/* query provideCurrentTcbInPolicy (GET /tcbbaselines, 2022-09-01-
	 * preview) or NULL */
	const char *current_tcb;
	const uint8_t *body;
	size_t body_len;
	struct att_provider *prov;
	struct att_route_match match;
	json_t *auth_claims;     /* verified bearer claims, or NULL */
	char request_id[40];
	int64_t now;
};

struct att_resp {
	unsigned status;
	struct att_buf body;
	const char *content_type;
	const char *error_code;  /* static string, for the log */
	char allow[ATT_ROUTE_ALLOW_LEN];
	char www_authenticate[ATT_ERR_MSG_LEN + 64];
	/* One more response header when extra_name is set (static string),
	 * e.g. Retry-After of a 429. */
	const char *extra_name;
	char extra_value[64];
};

void att_resp_init(struct att_resp *r);
void att_resp_release(struct att_resp *r);
/* att_resp_error sets an MAA error body {"error":{"code","message"}}. */
void att_resp_error(struct att_resp *r, unsigned status, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* att_resp_err answers the error err of a step whose MAA code is dflt
 * (NULL: "InvalidParameter"): the HTTP status and the code come from the
 * one table, att_verify_http_status (src/verify/verifier.c, which also
 * lists the answers still written with att_resp_error). */
void att_resp_err(struct att_resp *r, int err, const char *dflt,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* att_resp_json sets a 200 JSON body (compact) from obj (borrowed). */
void att_resp_json(struct att_resp *r, json_t *obj);
/* att_resp_token sets 200 {"token": token}. */
void att_resp_token(struct att_resp *r, const char *token);

/* att_server_init opens the data dir's store and master key and loads the
 * providers; cfg must outlive srv. Dev mode initialises the data dir
 * first (see datadir.h). */
int att_server_init(struct att_server *srv, struct att_server_config *cfg,
		    struct att_diag *d);
/* att_server_reload re-reads providers, settings and keys (SIGHUP). */
int att_server_reload(struct att_server *srv, struct att_diag *d);
/* att_server_start starts the HTTPS listener (threads run in MHD). */
int att_server_start(struct att_server *srv, struct att_diag *d);
/* att_server_stop stops listening and waits for in-flight requests. */
void att_server_stop(struct att_server *srv);
void att_server_release(struct att_server *srv);

/* att_server_handle runs one request end to end (everything except the
 * body size limit, which the transport enforces) and writes its log
 * line and metrics. Takes the registry read lock itself. */
void att_server_handle(struct att_server *srv, struct att_req *req,
		       struct att_resp *resp);
/* att_server_finish records metrics and the log line of a response that
 * did not go through att_server_handle (413 from the transport). */
void att_server_finish(struct att_server *srv, const struct att_req *req,
		       const struct att_resp *resp, double seconds);

/* att_server_issue_token signs claims (borrowed; iss/iat/nbf/exp are set
 * here, the claims hook runs) with p's active key, header {alg, jku =
 * base/certs, kid, typ JWT}. *out is malloc'd. */
int att_server_issue_token(struct att_server *srv, struct att_provider *p,
			   json_t *claims, int64_t now, int64_t lifetime,
			   char **out, struct att_diag *d);

/* att_req_new_id writes a fresh random request id (32 hex chars). */
void att_req_new_id(char out[static 40]);

#endif
