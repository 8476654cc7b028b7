/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTPS front end on libmicrohttpd (GnuTLS): a thread pool sized to
 * the CPUs with epoll where available, keep-alive (MHD's default for
 * HTTP/1.1), and the limits of the configuration: request body (413),
 * header memory (MHD answers 431), connections and idle timeout. Slow
 * clients are held to deadlines and per-address and total connection
 * limits by the connection guard (conn_guard.h); the request target and
 * header fields are checked strictly (http_strict.h) before a request
 * runs, and refusals close the connection. Each request's body is
 * collected into a capped buffer, then the request runs through
 * att_server_handle (dispatch.c). Also the server's lifecycle: init (data
 * dir, dev mode set-up, providers, keys), reload and release.
 */
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "server/conn_guard.h"
#include "server/datadir.h"
#include "server/http_strict.h"
#include "server/keys.h"
#include "server/metrics.h"
#include "server/provider.h"
#include "server/server.h"
#include "store/store.h"

/* Per request (MHD's con_cls). */
struct conn_state {
	struct att_buf body;
	bool too_large;
	double t0;
};

/* Per connection (MHD's socket context), from accept to close. */
struct conn_ctx {
	struct att_conn guard;
	bool target_refused; /* the current request's target, see on_uri */
	struct att_http_refusal target;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* send_resp queues resp; close_after asks MHD to close the connection
 * after it (framing errors: the rest of the stream cannot be trusted). */
static enum MHD_Result send_resp(struct MHD_Connection *c,
				 const struct att_req *req,
				 const struct att_resp *resp, bool close_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		resp->body.len, resp->body.data, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				resp->content_type);
	MHD_add_response_header(r, "x-ms-request-id", req->request_id);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (resp->allow[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
	if (resp->www_authenticate[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					resp->www_authenticate);
	if (resp->status >= 400 && resp->error_code)
		MHD_add_response_header(r, "x-ms-error-code", resp->error_code);
	if (resp->extra_name)
		MHD_add_response_header(r, resp->extra_name, resp->extra_value);
	if (close_after)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(c, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result too_large(struct att_server *srv,
				 struct MHD_Connection *c, const char *method,
				 struct conn_state *st)
{
	struct att_req req = {.srv = srv, .method = method};
	struct att_resp resp;
	att_req_new_id(req.request_id);
	att_resp_init(&resp);
	att_resp_error(&resp, 413, "RequestTooLarge",
		       "the request body exceeds %zu bytes",
		       srv->cfg->max_body);
	if (srv->metrics)
		att_metrics_begin(srv->metrics);
	att_server_finish(srv, &req, &resp, mono() - st->t0);
	enum MHD_Result ret = send_resp(c, &req, &resp, true);
	att_resp_release(&resp);
	return ret;
}

/* refuse_http answers a request that http_strict.c refused. */
static enum MHD_Result refuse_http(struct att_server *srv,
				   struct MHD_Connection *c, const char *method,
				   struct conn_state *st,
				   const struct att_http_refusal *why)
{
	struct att_req req = {.srv = srv, .method = method};
	struct att_resp resp;
	att_req_new_id(req.request_id);
	att_resp_init(&resp);
	att_resp_error(&resp, why->status, why->code, "%s", why->message);
	if (srv->metrics)
		att_metrics_begin(srv->metrics);
	att_server_finish(srv, &req, &resp, mono() - st->t0);
	enum MHD_Result ret = send_resp(c, &req, &resp, true);
	att_resp_release(&resp);
	return ret;
}

static struct conn_ctx *ctx_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

/* on_connection: accept and close of a connection (before its TLS
 * handshake, after its last request). */
static void on_connection(void *cls, struct MHD_Connection *c,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct att_server *srv = cls;
	struct conn_ctx *x = *socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (x) {
			att_conn_guard_close(srv->guard, &x->guard);
			free(x);
		}
		*socket_context = NULL;
		return;
	}
	const union MHD_ConnectionInfo *fd =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *peer =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!(x = calloc(1, sizeof(*x)))) {
		/* Untracked connections would escape every limit. */
		if (fd)
			shutdown(fd->connect_fd, SHUT_RDWR);
		return;
	}
	*socket_context = x;
	att_conn_guard_open(srv->guard, &x->guard,
			    peer ? peer->client_addr : NULL,
			    fd ? fd->connect_fd : -1, att_conn_guard_clock());
}

/* on_uri sees each request line's target before MHD splits and decodes
 * it. A refused target is answered by the access handler; its query is
 * cut off here first, in MHD's own buffer, because MHD stores every
 * query parameter in the connection's memory pool and, when the pool
 * runs out (600 parameters are enough), queues its 431 without sending
 * it and leaves the connection hanging. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct att_server *srv = cls;
	struct conn_ctx *x = ctx_of(c);
	if (!x)
		return NULL;
	att_conn_guard_request_line(srv->guard, &x->guard,
				    att_conn_guard_clock());
	x->target_refused = att_http_check_target(uri, uri ? strlen(uri) : 0,
						  &x->target) != 0;
	char *q = (x->target_refused && uri) ? strchr(uri, '?') : NULL;
	if (q)
		q[1] = 0; /* MHD parses the parameters from q + 1 */
	return NULL;
}

struct fields {
	struct att_http_field f[ATT_MAX_HTTP_HEADER_FIELDS + 1];
	size_t n;
};

static enum MHD_Result add_field(void *cls, enum MHD_ValueKind kind,
				 const char *key, size_t key_size,
				 const char *value, size_t value_size)
{
	struct fields *fs = cls;
	(void)kind;
	if (fs->n < ATT_MAX_HTTP_HEADER_FIELDS + 1)
		fs->f[fs->n] = (struct att_http_field){
			.name = key, .name_len = key_size,
			.value = value ? value : "", .value_len = value_size};
	fs->n++;
	return MHD_YES;
}

/* check_request: the target (see on_uri) and the header fields. */
static bool check_request(struct MHD_Connection *c, const char *version,
			  struct att_http_refusal *why)
{
	struct conn_ctx *x = ctx_of(c);
	struct fields fs = {.n = 0};
	if (x && x->target_refused) {
		*why = x->target;
		return false;
	}
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, add_field, &fs);
	if (fs.n > ATT_MAX_HTTP_HEADER_FIELDS + 1)
		fs.n = ATT_MAX_HTTP_HEADER_FIELDS + 1;
	bool http11 = version && strcmp(version, MHD_HTTP_VERSION_1_0) != 0;
	return att_http_check_fields(fs.f, fs.n, http11, why) == 0;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static enum MHD_Result run(struct att_server *srv, struct MHD_Connection *c,
			   const char *url, const char *method,
			   struct conn_state *st)
{
	struct att_req req = {
		.srv = srv, .method = method, .path = url,
		.host = header(c, MHD_HTTP_HEADER_HOST),
		.authorization = header(c, MHD_HTTP_HEADER_AUTHORIZATION),
		.content_type = header(c, MHD_HTTP_HEADER_CONTENT_TYPE),
		.api_version = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "api-version"),
		.current_tcb = MHD_lookup_connection_value(
			c, MHD_GET_ARGUMENT_KIND, "provideCurrentTcbInPolicy"),
		.body = st->body.data, .body_len = st->body.len};
	struct att_resp resp;
	att_resp_init(&resp);
	att_server_handle(srv, &req, &resp);
	enum MHD_Result ret = send_resp(c, &req, &resp, false);
	att_resp_release(&resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct att_server *srv = cls;
	struct conn_state *st = *con_cls;
	struct conn_ctx *x = ctx_of(c);
	struct att_http_refusal why;
	if (!st) {
		/* The headers are complete: the body's deadline starts. */
		if (x)
			att_conn_guard_headers_done(srv->guard, &x->guard,
						    att_conn_guard_clock());
		if (!(st = calloc(1, sizeof(*st))))
			return MHD_NO;
		att_buf_init(&st->body, srv->cfg->max_body);
		st->t0 = mono();
		*con_cls = st;
		if (!check_request(c, version, &why)) {
			if (x)
				att_conn_guard_body_done(srv->guard, &x->guard);
			return refuse_http(srv, c, method, st, &why);
		}
		const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
		/* Refuse at once when the declared length is too large: the
		 * body is never read (MHD closes the connection after). */
		if (cl && strtoull(cl, NULL, 10) > srv->cfg->max_body) {
			if (x)
				att_conn_guard_body_done(srv->guard, &x->guard);
			return too_large(srv, c, method, st);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!st->too_large &&
		    att_buf_add(&st->body, upload, *upload_size) != 0)
			st->too_large = true; /* chunked, grew past the cap */
		*upload_size = 0;
		return MHD_YES;
	}
	if (x)
		att_conn_guard_body_done(srv->guard, &x->guard);
	if (st->too_large)
		return too_large(srv, c, method, st);
	return run(srv, c, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct att_server *srv = cls;
	struct conn_ctx *x = ctx_of(c);
	(void)toe;
	/* Keep-alive: the wait for the next request line starts. */
	if (x)
		att_conn_guard_request_done(srv->guard, &x->guard,
					    att_conn_guard_clock());
	struct conn_state *st = *con_cls;
	if (!st)
		return;
	att_buf_release(&st->body);
	free(st);
	*con_cls = NULL;
}

/* mhd_log: libmicrohttpd's own messages. Under attack it writes one per
 * broken connection, so at most ATT_HTTP_LOG_LINES_PER_SECOND are logged
 * and the rest counted. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct att_server *srv = cls;
	char msg[512];
	unsigned long dropped = 0;
	long long sec = (long long)att_conn_guard_clock();
	pthread_mutex_lock(&srv->http_log_lock);
	if (sec != srv->http_log_second) {
		dropped = srv->http_log_dropped;
		srv->http_log_second = sec;
		srv->http_log_lines = 0;
		srv->http_log_dropped = 0;
	}
	bool emit = srv->http_log_lines < ATT_HTTP_LOG_LINES_PER_SECOND;
	if (emit)
		srv->http_log_lines++;
	else
		srv->http_log_dropped++;
	pthread_mutex_unlock(&srv->http_log_lock);
	if (dropped)
		att_logf(ATT_LOG_WARN,
			 "http: %lu more libmicrohttpd messages were not "
			 "logged (more than %d a second)",
			 dropped, ATT_HTTP_LOG_LINES_PER_SECOND);
	if (!emit)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	att_logf(ATT_LOG_WARN, "http: %s", msg);
}

/* parse_listen resolves "HOST:PORT" / "[V6]:PORT" into a socket address. */
static int parse_listen(struct sockaddr_storage *ss, socklen_t *len,
			const char *listen, struct att_diag *d)
{
	char host[256];
	const char *port;
	if (listen[0] == '[') {
		const char *e = strchr(listen, ']');
		if (!e || e[1] != ':' || (size_t)(e - listen) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(e - listen - 1),
			 listen + 1);
		port = e + 2;
	} else {
		const char *cpos = strrchr(listen, ':');
		if (!cpos || (size_t)(cpos - listen) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(cpos - listen),
			 listen);
		port = cpos + 1;
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE};
	struct addrinfo *ai = NULL;
	int e = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (e != 0)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "cannot resolve listen address %s: %s",
				    listen, gai_strerror(e));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	return att_diag_set(d, ATT_ERR_INVALID_ARG,
			    "listen address must be HOST:PORT or [V6]:PORT, "
			    "not '%s'",
			    listen);
}

/* start_guard sets up the connection guard and its reaper thread. */
static int start_guard(struct att_server *srv, struct att_diag *d)
{
	const struct att_server_config *c = srv->cfg;
	struct att_conn_guard_cfg gc = {
		.max_connections = c->max_connections,
		.max_per_address = c->max_connections_per_address,
		.header_timeout = c->header_timeout_seconds,
		.body_timeout = c->body_timeout_seconds,
		.idle_timeout = c->timeout_seconds};
	int r = att_conn_guard_new(&srv->guard, &gc);
	if (r == 0 && (r = att_conn_guard_start(srv->guard)) != 0) {
		att_conn_guard_free(srv->guard);
		srv->guard = NULL;
	}
	if (r)
		return att_diag_set(d, r,
				    "cannot set up the connection guard "
				    "(memory or threads)");
	pthread_mutex_init(&srv->http_log_lock, NULL);
	return 0;
}

static void stop_guard(struct att_server *srv)
{
	if (!srv->guard)
		return;
	att_conn_guard_free(srv->guard);
	srv->guard = NULL;
	pthread_mutex_destroy(&srv->http_log_lock);
}

int att_server_start(struct att_server *srv, struct att_diag *d)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int r = parse_listen(&ss, &sl, srv->cfg->listen, d);
	if (r)
		return r;
	if ((r = att_file_read(&srv->tls_cert_pem, NULL, srv->cfg->tls_cert,
			       1 << 20, d)) != 0 ||
	    (r = att_file_read(&srv->tls_key_pem, NULL, srv->cfg->tls_key, 1 << 20,
			       d)) != 0)
		return r;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = srv->cfg->threads ? srv->cfg->threads
					     : (unsigned)(cpus > 0 ? cpus : 1);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS |
			 MHD_USE_ERROR_LOG;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((r = start_guard(srv, d)) != 0)
		return r;
	/* MHD accepts ATT_HTTP_CONNECTION_HEADROOM more connections than
	 * the guard admits, so a new client still gets accepted, and the
	 * guard then evicts a slow one for it. */
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_HTTPS_MEM_CERT, srv->tls_cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, srv->tls_key_pem,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT,
		srv->cfg->max_connections + ATT_HTTP_CONNECTION_HEADROOM,
		MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg->timeout_seconds,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(2 * srv->cfg->max_header),
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
		MHD_OPTION_END);
	if (!srv->mhd) {
		stop_guard(srv);
		return att_diag_set(d, ATT_ERR_IO,
				    "cannot start the HTTPS listener on %s "
				    "(address in use, bad TLS certificate/key, "
				    "or no TLS support in libmicrohttpd)",
				    srv->cfg->listen);
	}
	att_logf(ATT_LOG_INFO, "listening on https://%s (%u threads%s)",
		 srv->cfg->listen, threads,
		 (flags & MHD_USE_EPOLL) ? ", epoll" : "");
	return 0;
}

void att_server_stop(struct att_server *srv)
{
	if (srv->mhd) {
		MHD_stop_daemon(srv->mhd);
		srv->mhd = NULL;
	}
	stop_guard(srv); /* after MHD: its close notifications use it */
	if (srv->tls_key_pem)
		att_keywrap_wipe(srv->tls_key_pem, strlen(srv->tls_key_pem));
	free(srv->tls_key_pem);
	free(srv->tls_cert_pem);
	srv->tls_key_pem = srv->tls_cert_pem = NULL;
}
