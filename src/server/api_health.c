/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator endpoints: GET /healthz (the process serves requests), GET
 * /readyz (the store answers and every provider has an active signing key
 * loaded; 503 otherwise) and GET /metrics (Prometheus text format).
 */
#include <stdio.h>

#include "attest/err.h"

#include "server/handlers.h"
#include "server/keys.h"
#include "server/metrics.h"
#include "server/provider.h"
#include "server/server.h"
#include "store/store.h"

void att_api_healthz(struct att_req *req, struct att_resp *resp)
{
	(void)req;
	json_t *o = json_pack("{s:s}", "status", "ok");
	att_resp_json(resp, o);
	json_decref(o);
}

static int check_ready(struct att_req *req, struct att_diag *d)
{
	struct att_registry *reg = req->srv->reg;
	int r = att_store_ping(req->srv->store, d);
	for (size_t i = 0; !r && i < reg->n; i++) {
		struct att_keyset *ks = NULL;
		r = att_keys_current(&ks, reg->v[i], req->srv->store,
				     req->srv->master, false, d);
		if (!r && !ks->active)
			r = att_diag_set(d, ATT_ERR_NOT_FOUND,
					 "provider %s has no active signing key",
					 reg->v[i]->name);
		att_keyset_unref(ks);
	}
	return r;
}

void att_api_readyz(struct att_req *req, struct att_resp *resp)
{
	struct att_diag d = {0};
	if (check_ready(req, &d) != 0) {
		att_resp_error(resp, 503, "NotReady", "%s", att_diag_msg(&d));
		return;
	}
	json_t *o = json_pack("{s:s}", "status", "ready");
	att_resp_json(resp, o);
	json_decref(o);
}

void att_api_metrics(struct att_req *req, struct att_resp *resp)
{
	att_buf_release(&resp->body);
	if (!req->srv->metrics ||
	    att_metrics_render(req->srv->metrics, &resp->body) != 0) {
		att_resp_error(resp, 500, "InternalError",
			       "cannot render metrics");
		return;
	}
	resp->status = 200;
	resp->error_code = NULL;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
