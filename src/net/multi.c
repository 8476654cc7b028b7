/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Many transfers on one thread (net/http.h, att_net_multi): libcurl's
 * multi interface, used by the server's background JWKS fetcher. The
 * owner thread runs, harvests and waits; any thread may wake it.
 */
#include <stdlib.h>
#include <time.h>

#include "attest/err.h"
#include "net/net_int.h"

struct att_net_multi {
	CURLM *m;
};

int att_net_multi_new(struct att_net_multi **out, struct att_diag *d)
{
	struct att_net_multi *m = NULL;
	*out = NULL;
	if (att_net_global_init() != 0)
		return att_diag_set(d, ATT_ERR_INTERNAL,
				    "http: libcurl init failed");
	if (!(m = calloc(1, sizeof(*m))) || !(m->m = curl_multi_init())) {
		free(m);
		return att_diag_set(d, ATT_ERR_NOMEM,
				    "http: cannot set up a multi handle");
	}
	*out = m;
	return 0;
}

void att_net_multi_free(struct att_net_multi *m)
{
	if (!m)
		return;
	curl_multi_cleanup(m->m);
	free(m);
}

int att_net_multi_add(struct att_net_multi *m, struct att_net_xfer *x,
		      struct att_diag *d)
{
	if (curl_multi_add_handle(m->m, att_net_xfer_easy(x)) != CURLM_OK)
		return att_diag_set(d, ATT_ERR_INTERNAL,
				    "cannot start the transfer of %.300s",
				    att_net_xfer_url(x));
	return 0;
}

void att_net_multi_run(struct att_net_multi *m)
{
	int running = 0;
	curl_multi_perform(m->m, &running);
}

struct att_net_xfer *att_net_multi_done(struct att_net_multi *m, int *rc,
					struct att_diag *d)
{
	CURLMsg *msg;
	int left = 0;
	while ((msg = curl_multi_info_read(m->m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode cc = msg->data.result;
		void *priv = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		curl_multi_remove_handle(m->m, easy);
		struct att_net_xfer *x = priv;
		att_net_xfer_ended(x, cc);
		*rc = att_net_xfer_result(x, d);
		return x;
	}
	return NULL;
}

void att_net_multi_remove(struct att_net_multi *m, struct att_net_xfer *x)
{
	curl_multi_remove_handle(m->m, att_net_xfer_easy(x));
}

void att_net_multi_wait(struct att_net_multi *m, int wait_ms)
{
	if (curl_multi_poll(m->m, NULL, 0, wait_ms, NULL) != CURLM_OK) {
		/* never spin on a broken poll */
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

void att_net_multi_wakeup(struct att_net_multi *m)
{
	curl_multi_wakeup(m->m);
}
