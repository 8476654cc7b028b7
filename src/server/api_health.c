/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator endpoints: GET /healthz (the process serves requests), GET
 * /readyz (the store answers and every provider has an active signing key
 * loaded; 503 otherwise) and GET /metrics (Prometheus text format).
 */
#include <pthread.h>
#include <stdio.h>

#include "attest/err.h"
#include "collateral/kds.h"

#include "server/handlers.h"
#include "server/keys.h"
#include "server/metrics.h"
#include "server/provider.h"
#include "server/server.h"
#include "server/trust.h"
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

/* kds_metrics appends the AMD KDS client's counters (SevSnpVm VCEKs;
 * collateral/kds.h) once the attestation context exists. */
static int kds_metrics(struct att_server *srv, struct att_buf *b)
{
	static const char *const names[] = {
		"hits", "misses", "coalesced", "fetches", "fetch_failures",
		"rate_limited", "stale_served", "errors"};
	struct att_kds_stats st;
	pthread_mutex_lock(&srv->attest_mu);
	struct att_attest_ctx *c = srv->attest;
	pthread_mutex_unlock(&srv->attest_mu);
	if (!c || !c->kds)
		return 0;
	att_kds_stats(c->kds, &st);
	const uint64_t v[] = {st.hits,		st.misses,	 st.coalesced,
			      st.fetches,	st.fetch_failures, st.rate_limited,
			      st.stale_served, st.errors};
	int r = 0;
	for (size_t i = 0; !r && i < sizeof(v) / sizeof(v[0]); i++)
		r = att_buf_addf(b,
				 "# TYPE attestd_kds_%s_total counter\n"
				 "attestd_kds_%s_total %llu\n",
				 names[i], names[i], (unsigned long long)v[i]);
	if (!r)
		r = att_buf_addf(b,
				 "# TYPE attestd_kds_cache_entries gauge\n"
				 "attestd_kds_cache_entries %zu\n",
				 st.entries);
	return r;
}

void att_api_metrics(struct att_req *req, struct att_resp *resp)
{
	att_buf_release(&resp->body);
	int r = req->srv->metrics
			? att_metrics_render(req->srv->metrics, &resp->body)
			: ATT_ERR_INTERNAL;
	if (!r)
		r = kds_metrics(req->srv, &resp->body);
	if (r) {
		att_resp_err(resp, r, "InternalError",
			     "cannot render metrics");
		return;
	}
	resp->status = 200;
	resp->error_code = NULL;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
