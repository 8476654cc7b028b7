/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTPS front end on libmicrohttpd (GnuTLS): a thread pool sized to
 * the CPUs with epoll where available, keep-alive (MHD's default for
 * HTTP/1.1), and the limits of the configuration: request body (413),
 * header memory (MHD answers 431), connections and idle timeout. Each
 * request's body is collected into a capped buffer, then the request runs
 * through att_server_handle (dispatch.c). Also the server's lifecycle:
 * init (data dir, dev mode set-up, providers, keys), reload and release.
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
#include "server/datadir.h"
#include "server/keys.h"
#include "server/metrics.h"
#include "server/provider.h"
#include "server/server.h"
#include "store/store.h"

struct conn_state {
	struct att_buf body;
	bool too_large;
	double t0;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result send_resp(struct MHD_Connection *c,
				 const struct att_req *req,
				 const struct att_resp *resp)
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
	enum MHD_Result ret = send_resp(c, &req, &resp);
	att_resp_release(&resp);
	return ret;
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
		.body = st->body.data, .body_len = st->body.len};
	struct att_resp resp;
	att_resp_init(&resp);
	att_server_handle(srv, &req, &resp);
	enum MHD_Result ret = send_resp(c, &req, &resp);
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
	(void)version;
	if (!st) {
		if (!(st = calloc(1, sizeof(*st))))
			return MHD_NO;
		att_buf_init(&st->body, srv->cfg->max_body);
		st->t0 = mono();
		*con_cls = st;
		const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
		/* Refuse at once when the declared length is too large: the
		 * body is never read (MHD closes the connection after). */
		if (cl && strtoull(cl, NULL, 10) > srv->cfg->max_body)
			return too_large(srv, c, method, st);
		return MHD_YES;
	}
	if (*upload_size) {
		if (!st->too_large &&
		    att_buf_add(&st->body, upload, *upload_size) != 0)
			st->too_large = true; /* chunked, grew past the cap */
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->too_large)
		return too_large(srv, c, method, st);
	return run(srv, c, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct conn_state *st = *con_cls;
	if (!st)
		return;
	att_buf_release(&st->body);
	free(st);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	(void)cls;
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
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_HTTPS_MEM_CERT, srv->tls_cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, srv->tls_key_pem,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, srv->cfg->max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg->timeout_seconds,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(2 * srv->cfg->max_header),
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_END);
	if (!srv->mhd)
		return att_diag_set(d, ATT_ERR_IO,
				    "cannot start the HTTPS listener on %s "
				    "(address in use, bad TLS certificate/key, "
				    "or no TLS support in libmicrohttpd)",
				    srv->cfg->listen);
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
	if (srv->tls_key_pem)
		att_keywrap_wipe(srv->tls_key_pem, strlen(srv->tls_key_pem));
	free(srv->tls_key_pem);
	free(srv->tls_cert_pem);
	srv->tls_key_pem = srv->tls_cert_pem = NULL;
}
