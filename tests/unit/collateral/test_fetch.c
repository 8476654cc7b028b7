/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collateral service against a real HTTPS server: the test fixture
 * tests/integration/lib/fake_pcs.py serves testdata collateral in the
 * PCS/PCCS API v4 layout, with the issuer chains URL-encoded in the
 * response headers, on 127.0.0.1 with a freshly made self-signed
 * certificate. Checked, with the server's own request log as witness:
 * TLS verification (refused without the CA file), fetch of all four
 * items in PCS mode (Root CA CRL from its own URL) and PCCS mode
 * (rootcacrl route), the fetched set verifying with att_dcap_verify,
 * rows stored with their header chains, the warm path doing no request,
 * a 404 for an unknown FMSPC, eight concurrent misses coalescing into one
 * load, a background refresh before nextUpdate replacing the set while
 * the old one stays valid for its holders, a failed refresh (server
 * killed) still serving collateral within its validity (stale_served),
 * expiry then failing with the expired item named, and a new service
 * serving from the store alone.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "collateral/service.h"
#include "col_test.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "evidence/sgx/collateral.h"
#include "evidence/sgx/quote.h"
#include "evidence/sgx/verify.h"
#include "store/store.h"

static char *work;
static char cert_path[512], key_path[512];
static struct att_dcap_trust *intel;

/* ---- fixture: TLS certificate and the fake PCS ---- */

static int make_tls(void)
{
	struct att_pkey *k = NULL;
	struct att_cert *c = NULL;
	char *cpem = NULL, *kpem = NULL;
	int64_t now = att_time_now();
	int rc = -1;
	if (att_pkey_generate(&k, ATT_KEY_EC_P256) == 0 &&
	    att_cert_self_signed_tls(&c, k, "localhost", now - 3600,
				     now + 86400) == 0 &&
	    att_cert_to_pem(&cpem, c) == 0 &&
	    att_pkey_to_pem(&kpem, k, true) == 0 &&
	    write_file(work, "tls/cert.pem", cpem, strlen(cpem)) == 0 &&
	    write_file(work, "tls/key.pem", kpem, strlen(kpem)) == 0)
		rc = 0;
	snprintf(cert_path, sizeof(cert_path), "%s/tls/cert.pem", work);
	snprintf(key_path, sizeof(key_path), "%s/tls/key.pem", work);
	free(cpem);
	free(kpem);
	att_cert_free(c);
	att_pkey_free(k);
	return rc;
}

struct server {
	pid_t pid;
	int port;
	char log[512];
	char url[64];
};

static int wait_port(const char *pf)
{
	for (int i = 0; i < 300; i++) {
		FILE *f = fopen(pf, "r");
		int port = 0;
		if (f) {
			int n = fscanf(f, "%d", &port);
			fclose(f);
			if (n == 1 && port > 0)
				return port;
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int server_start(struct server *sv, const char *tree, int delay_ms,
			const char *tcb_header, const char *name)
{
	char pf[512], delay[16], script[1024];
	const char *src = getenv("ATT_SRC_DIR");
	snprintf(script, sizeof(script), "%s/tests/integration/lib/fake_pcs.py",
		 src && *src ? src : ".");
	snprintf(pf, sizeof(pf), "%s/%s.port", work, name);
	snprintf(sv->log, sizeof(sv->log), "%s/%s.log", work, name);
	snprintf(delay, sizeof(delay), "%d", delay_ms);
	unlink(pf);
	unlink(sv->log);
	char *argv[] = {"python3", script, "--root", (char *)tree,
			"--cert", cert_path, "--key", key_path,
			"--port-file", pf, "--log", sv->log,
			"--delay-ms", delay, "--tcb-header",
			(char *)tcb_header, NULL};
	fflush(stdout);
	sv->pid = fork();
	if (sv->pid == 0) {
		execvp("python3", argv);
		_exit(127);
	}
	sv->port = sv->pid > 0 ? wait_port(pf) : -1;
	snprintf(sv->url, sizeof(sv->url), "https://127.0.0.1:%d", sv->port);
	return sv->port > 0 ? 0 : -1;
}

static void server_stop(struct server *sv)
{
	if (sv->pid > 0) {
		kill(sv->pid, SIGTERM);
		waitpid(sv->pid, NULL, 0);
	}
	sv->pid = 0;
}

static size_t server_requests(const struct server *sv, const char *needle)
{
	size_t n = 0, len = 0;
	char *log = (char *)att_read_file(sv->log, &len);
	for (char *line = log, *nl; line && *line; line = nl + 1) {
		if (!(nl = strchr(line, '\n')))
			break;
		*nl = 0;
		n += !needle || strstr(line, needle);
	}
	free(log);
	return n;
}

/* The PCK CA and root of the quote's certification data (PEM). */
static int write_pck_ca_chain(const char *tree, const char *rel,
			      const uint8_t *q, size_t qlen)
{
	struct att_sgx_quote sq;
	struct att_pem_span sp[8];
	if (att_sgx_quote_parse(&sq, q, qlen, 0, NULL) != 0)
		return -1;
	int n = att_pem_split_certs(sp, 8, (const char *)sq.cert_data,
				    sq.cert_len);
	if (n != 3)
		return -1;
	size_t len = (size_t)(sp[2].p + sp[2].len - sp[1].p);
	return write_file(tree, rel, sp[1].p, len);
}

/* ---- helpers ---- */

static struct att_collateral_svc *svc(struct att_store *st, const char *base,
				      bool pccs, const char *root_crl_url,
				      const char *ca)
{
	struct att_collateral_opts o = {
		.store = st, .pcs_base_url = base, .is_pccs = pccs,
		.root_crl_url = root_crl_url, .ca_file = ca, .timeout_ms = 10000,
	};
	struct att_collateral_svc *s = NULL;
	struct att_diag d = {0};
	ATT_CHECK(att_collateral_svc_new(&s, &o, &d) == 0, "svc: %s",
		  att_diag_msg(&d));
	return s;
}

static struct att_collateral_stats stats_of(struct att_collateral_svc *s)
{
	struct att_collateral_stats st;
	att_collateral_stats(s, &st);
	return st;
}

static void expect_status(const uint8_t *q, size_t qlen,
			  const struct att_dcap_collateral *col, int64_t at,
			  const char *want)
{
	struct att_dcap_result r;
	struct att_diag d = {0};
	int rc = col ? att_dcap_verify(&r, q, qlen, col, intel, NULL, at, &d)
		     : ATT_ERR_INVALID_ARG;
	ATT_CHECK(rc == 0, "verify: %s", att_diag_msg(&d));
	if (rc == 0)
		ATT_CHECK_EQ_STR(att_tcb_status_name(r.tcb_status), want);
}

static bool row_has(struct att_store *st, const char *key, const char *s1,
		    const char *s2)
{
	struct att_store_collateral row = {0};
	bool ok = att_store_collateral_get(st, key, &row, NULL) == 0 &&
		  memmem(row.body, row.body_len, s1, strlen(s1)) &&
		  (!s2 || memmem(row.body, row.body_len, s2, strlen(s2)));
	att_store_collateral_release(&row);
	return ok;
}

/* ---- SGX through a PCS (v3 header spelling) ---- */

struct sgx_ctx {
	json_t *c;
	uint8_t *q;
	size_t qlen;
	int64_t at;
	char tree[600];
	struct server sv;
	char root_url[128];
};

static int sgx_tree(struct sgx_ctx *x)
{
	const char *base = "sgx/certification/v4";
	char rel[256];
	int rc = 0;
	snprintf(x->tree, sizeof(x->tree), "%s/sgx_tree", work);
	snprintf(rel, sizeof(rel), "%s/tcb/fmspc=00606A000000", base);
	rc |= copy_file(x->tree, rel, td_path(jstr(x->c, "tcb_info")));
	snprintf(rel, sizeof(rel), "%s/tcb/fmspc=00606A000000.chain.pem", base);
	rc |= copy_file(x->tree, rel, td_path(jstr(x->c, "tcb_chain")));
	snprintf(rel, sizeof(rel), "%s/qe/identity", base);
	rc |= copy_file(x->tree, rel, td_path(jstr(x->c, "qe_identity")));
	snprintf(rel, sizeof(rel), "%s/qe/identity.chain.pem", base);
	rc |= copy_file(x->tree, rel, td_path(jstr(x->c, "tcb_chain")));
	snprintf(rel, sizeof(rel), "%s/pckcrl/ca=platform&encoding=der", base);
	rc |= copy_file(x->tree, rel, td_path(jstr(x->c, "pck_crl")));
	snprintf(rel, sizeof(rel), "%s/pckcrl/ca=platform&encoding=der"
		 ".chain.pem", base);
	rc |= write_pck_ca_chain(x->tree, rel, x->q, x->qlen);
	rc |= copy_file(x->tree, "IntelSGXRootCA.der",
			td_path(jstr(x->c, "root_crl")));
	return rc;
}

static void sgx_tls_refused(struct sgx_ctx *x)
{
	struct att_collateral_svc *s = svc(NULL, x->sv.url, false, x->root_url,
					   NULL);
	const struct att_dcap_collateral *col = NULL;
	struct att_diag d = {0};
	int rc = att_collateral_get(s, x->q, x->qlen, 0, x->at, &col, &d);
	ATT_CHECK(rc == ATT_ERR_NETWORK, "untrusted TLS rc %d", rc);
	ATT_CHECK(strstr(d.msg, "certificate") != NULL, "msg: %s", d.msg);
	struct att_collateral_stats st = stats_of(s);
	ATT_CHECK(st.fetch_failures >= 1 && st.fetch_failures == st.fetches,
		  "fetches %llu", (unsigned long long)st.fetches);
	ATT_CHECK_EQ_INT(server_requests(&x->sv, NULL), 0);
	att_collateral_svc_free(s);
}

static void sgx_fetch_and_cache(struct sgx_ctx *x, struct att_store *st)
{
	struct att_collateral_svc *s = svc(st, x->sv.url, false, x->root_url,
					   cert_path);
	const struct att_dcap_collateral *col = NULL, *again = NULL;
	struct att_diag d = {0};
	int rc = att_collateral_get(s, x->q, x->qlen, 0, x->at, &col, &d);
	ATT_CHECK(rc == 0, "fetch: %s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(stats_of(s).fetches, 4);
	ATT_CHECK_EQ_INT(stats_of(s).fetch_failures, 0);
	ATT_CHECK_EQ_INT(server_requests(&x->sv, NULL), 4);
	ATT_CHECK_EQ_INT(server_requests(&x->sv, "/IntelSGXRootCA.der"), 1);
	expect_status(x->q, x->qlen, col, x->at, "SWHardeningNeeded");
	rc = att_collateral_get(s, x->q, x->qlen, 0, x->at + 60, &again, &d);
	ATT_CHECK(rc == 0 && again == col, "warm get: same set");
	ATT_CHECK_EQ_INT(stats_of(s).fetches, 4);
	ATT_CHECK_EQ_INT(stats_of(s).hits, 1);
	ATT_CHECK_EQ_INT(server_requests(&x->sv, NULL), 4);
	ATT_CHECK(row_has(st, "dcap/tcbinfo/sgx/00606A000000",
			  "\"issuer_chain\":\"-----BEGIN CERTIFICATE-----",
			  "GET https://127.0.0.1"), "TCB Info row with chain");
	ATT_CHECK(row_has(st, "dcap/pckcrl/platform", "\"issuer_chain\"",
			  "ca=platform&encoding=der"), "PCK CRL row with chain");
	ATT_CHECK(row_has(st, "dcap/qeidentity/sgx", "\"issuer_chain\"", NULL),
		  "QE Identity row with chain");
	att_collateral_release(s, again);
	att_collateral_release(s, col);
	att_collateral_svc_free(s);
}

static void sgx_unknown_fmspc(struct sgx_ctx *x)
{
	json_t *c = find_case("sgx", "sgx_dcapqvl_v3");
	size_t qlen = 0;
	uint8_t *q = td_quote(jstr(c, "quote"), jstr(c, "enc"), &qlen);
	struct att_collateral_svc *s = svc(NULL, x->sv.url, false, x->root_url,
					   cert_path);
	const struct att_dcap_collateral *col = NULL;
	struct att_diag d = {0};
	int rc = att_collateral_get(s, q, qlen, 0, jtime(c, "verify_at"), &col,
				    &d);
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND, "unknown FMSPC rc %d", rc);
	ATT_CHECK(strstr(d.msg, "HTTP 404") && strstr(d.msg, "no TCB Info"),
		  "msg: %s", d.msg);
	att_collateral_svc_free(s);
	free(q);
	json_decref(c);
}

struct thr {
	pthread_barrier_t *b;
	struct att_collateral_svc *s;
	struct sgx_ctx *x;
	int rc;
	const struct att_dcap_collateral *col;
};

static void *thr_main(void *a)
{
	struct thr *t = a;
	pthread_barrier_wait(t->b);
	t->rc = att_collateral_get(t->s, t->x->q, t->x->qlen, 0, t->x->at,
				   &t->col, NULL);
	return NULL;
}

#define N_THREADS 8

static void sgx_coalescing(struct sgx_ctx *x)
{
	struct server slow = {0};
	struct thr t[N_THREADS];
	pthread_t tid[N_THREADS];
	pthread_barrier_t b;
	char root[160];
	int ok = server_start(&slow, x->tree, 300, "TCB-Info-Issuer-Chain",
			      "slow");
	ATT_CHECK(ok == 0, "slow server");
	snprintf(root, sizeof(root), "%s/IntelSGXRootCA.der", slow.url);
	struct att_collateral_svc *s = svc(NULL, slow.url, false, root,
					   cert_path);
	pthread_barrier_init(&b, NULL, N_THREADS);
	for (int i = 0; i < N_THREADS; i++) {
		t[i] = (struct thr){.b = &b, .s = s, .x = x};
		pthread_create(&tid[i], NULL, thr_main, &t[i]);
	}
	bool same = true, all_ok = true;
	for (int i = 0; i < N_THREADS; i++) {
		pthread_join(tid[i], NULL);
		all_ok &= t[i].rc == 0;
		same &= t[i].col == t[0].col;
	}
	ATT_CHECK(all_ok && same && t[0].col, "threads got one set");
	struct att_collateral_stats st = stats_of(s);
	ATT_CHECK_EQ_INT(st.fetches, 4);
	ATT_CHECK_EQ_INT(st.misses, N_THREADS);
	ATT_CHECK_EQ_INT(st.hits, 0);
	ATT_CHECK_EQ_INT(st.coalesced, N_THREADS - 1);
	ATT_CHECK_EQ_INT(server_requests(&slow, NULL), 4);
	for (int i = 0; i < N_THREADS; i++)
		att_collateral_release(s, t[i].col);
	pthread_barrier_destroy(&b);
	att_collateral_svc_free(s);
	server_stop(&slow);
}

static void phase_sgx(void)
{
	struct sgx_ctx x = {.c = find_case("sgx", "sgx_automata_v3_0825")};
	struct att_diag d = {0};
	struct att_store *st = NULL;
	char db[700];
	x.q = td_quote(jstr(x.c, "quote"), jstr(x.c, "enc"), &x.qlen);
	x.at = jtime(x.c, "verify_at");
	ATT_CHECK(x.q && sgx_tree(&x) == 0, "sgx tree");
	int rc = server_start(&x.sv, x.tree, 0, "SGX-TCB-Info-Issuer-Chain",
			      "sgx");
	ATT_CHECK(rc == 0, "fake PCS started");
	snprintf(db, sizeof(db), "%s/sgx.db", work);
	ATT_CHECK(att_store_open_sqlite(&st, db, &d) == 0, "store");
	if (rc == 0 && st) {
		snprintf(x.root_url, sizeof(x.root_url),
			 "%s/IntelSGXRootCA.der", x.sv.url);
		sgx_tls_refused(&x);
		sgx_fetch_and_cache(&x, st);
		sgx_unknown_fmspc(&x);
		sgx_coalescing(&x);
	}
	server_stop(&x.sv);
	att_store_close(st);
	free(x.q);
	json_decref(x.c);
}

/* ---- TDX through a PCCS: refresh, failure, expiry ---- */

struct tdx_ctx {
	uint8_t *qa, *qb; /* dcap-rs 00806F050000 quote, COS-113 quote */
	size_t qa_len, qb_len;
	char tree[600];
	struct server sv;
	struct att_store *st;
	struct att_collateral_svc *s;
};

static int tdx_tree(struct tdx_ctx *x, const char *tcb, const char *qe,
		    const char *crl)
{
	const char *tcb_rel = "tdx/certification/v4/tcb/fmspc=00806F050000";
	const char *qe_rel = "tdx/certification/v4/qe/identity";
	const char *crl_rel = "sgx/certification/v4/pckcrl/ca=platform&"
			      "encoding=der";
	char rel[256], chain[4096];
	snprintf(chain, sizeof(chain), "%s",
		 td_path("sgx/pki/tcb_signing_chain_2025.pem"));
	int rc = copy_file(x->tree, tcb_rel, td_path(tcb)) |
		 copy_file(x->tree, qe_rel, td_path(qe)) |
		 copy_file(x->tree, crl_rel, td_path(crl)) |
		 copy_file(x->tree, "sgx/certification/v4/rootcacrl",
			   td_path("sgx/pki/root_ca_crl_2025-03-20.der"));
	snprintf(rel, sizeof(rel), "%s.chain.pem", tcb_rel);
	rc |= copy_file(x->tree, rel, chain);
	snprintf(rel, sizeof(rel), "%s.chain.pem", qe_rel);
	rc |= copy_file(x->tree, rel, chain);
	snprintf(rel, sizeof(rel), "%s.chain.pem", crl_rel);
	return rc | write_pck_ca_chain(x->tree, rel, x->qa, x->qa_len);
}

/* June collateral fetched, then the PCCS moves to October's. */
static const struct att_dcap_collateral *tdx_first(struct tdx_ctx *x)
{
	const struct att_dcap_collateral *col = NULL;
	struct att_diag d = {0};
	int64_t at = t_of("2025-06-05T03:45:00Z");
	int rc = att_collateral_get(x->s, x->qa, x->qa_len, 0, at, &col, &d);
	ATT_CHECK(rc == 0, "tdx fetch: %s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(stats_of(x->s).fetches, 4);
	ATT_CHECK_EQ_INT(server_requests(&x->sv, "/sgx/certification/v4/"
					 "rootcacrl"), 1);
	ATT_CHECK_EQ_INT(server_requests(&x->sv, "/tdx/certification/v4/"
					 "qe/identity"), 1);
	expect_status(x->qa, x->qa_len, col, at, "OutOfDate");
	return col;
}

static void tdx_refresh(struct tdx_ctx *x, const struct att_dcap_collateral *old)
{
	const struct att_dcap_collateral *held = NULL, *fresh = NULL, *b = NULL;
	struct att_collateral_info info;
	struct att_diag d = {0};
	int64_t t1 = t_of("2025-07-04T09:00:00Z"); /* 19 min before the CRL */
	ATT_CHECK(tdx_tree(x, "tdx/collateral/automata_1025/tcb_info.json",
			   "tdx/collateral/automata_1025/identity.json",
			   "tdx/collateral/automata_1025/pck_crl.der") == 0,
		  "october tree");
	int rc = att_collateral_get(x->s, x->qa, x->qa_len, 0, t1, &held, &d);
	ATT_CHECK(rc == 0 && held == old, "due set still served");
	att_collateral_svc_flush(x->s);
	ATT_CHECK_EQ_INT(stats_of(x->s).refreshes, 1);
	ATT_CHECK_EQ_INT(stats_of(x->s).fetches, 7); /* Root CA CRL not due */
	ATT_CHECK_EQ_INT(server_requests(&x->sv, NULL), 7);
	rc = att_collateral_get(x->s, x->qa, x->qa_len, 0, t1, &fresh, &d);
	ATT_CHECK(rc == 0 && fresh && fresh != old, "refreshed set served");
	ATT_CHECK(att_collateral_get_info(x->s, fresh, &info) == 0, "info");
	ATT_CHECK(info.valid_until == t_of("2025-11-12T10:45:32Z"),
		  "valid until %lld", (long long)info.valid_until);
	ATT_CHECK_EQ_STR(info.key, "tdx/00806F050000/platform");
	/* the old set is still intact for its holders */
	ATT_CHECK(att_dcap_collateral_tcb_info(old)->issue_date ==
		  t_of("2025-06-04T09:51:38Z"), "old set intact");
	att_collateral_release(x->s, held);
	att_collateral_release(x->s, old);
	att_collateral_release(x->s, fresh);
	int64_t t2 = t_of("2025-10-25T00:00:00Z");
	rc = att_collateral_get(x->s, x->qb, x->qb_len, 0, t2, &b, &d);
	ATT_CHECK(rc == 0 && b == fresh, "COS-113 quote: same key, warm");
	expect_status(x->qb, x->qb_len, b, t2, "UpToDate");
	att_collateral_release(x->s, b);
	ATT_CHECK_EQ_INT(stats_of(x->s).fetches, 7);
}

static void tdx_failure(struct tdx_ctx *x)
{
	const struct att_dcap_collateral *a = NULL, *b = NULL, *e = NULL;
	struct att_diag d = {0};
	int64_t t = t_of("2025-11-11T00:00:00Z"); /* QE Id and CRL due */
	server_stop(&x->sv);
	int rc = att_collateral_get(x->s, x->qb, x->qb_len, 0, t, &a, &d);
	ATT_CHECK(rc == 0, "due set served: %s", att_diag_msg(&d));
	att_collateral_svc_flush(x->s);
	struct att_collateral_stats st = stats_of(x->s);
	ATT_CHECK_EQ_INT(st.refreshes, 2);
	ATT_CHECK_EQ_INT(st.fetches, 9);
	ATT_CHECK_EQ_INT(st.fetch_failures, 2);
	rc = att_collateral_get(x->s, x->qb, x->qb_len, 0, t + 3600, &b, &d);
	ATT_CHECK(rc == 0 && b == a, "still-valid set served after failure");
	ATT_CHECK_EQ_INT(stats_of(x->s).stale_served, 1);
	expect_status(x->qb, x->qb_len, b, t, "UpToDate");
	att_collateral_release(x->s, a);
	att_collateral_release(x->s, b);
	int64_t t3 = t_of("2025-11-13T00:00:00Z");
	rc = att_collateral_get(x->s, x->qb, x->qb_len, 0, t3, &e, &d);
	ATT_CHECK(rc == ATT_ERR_EXPIRED && !e, "expired rc %d", rc);
	ATT_CHECK(strstr(d.msg, "QE Identity (tdx) expired at "
			 "2025-11-12T10:46:47Z; refresh failed: GET https://"),
		  "msg: %s", d.msg);
	uint64_t fetches = stats_of(x->s).fetches;
	att_diag_clear(&d);
	rc = att_collateral_get(x->s, x->qb, x->qb_len, 0, t3 + 5, &e, &d);
	ATT_CHECK(rc == ATT_ERR_EXPIRED && strstr(d.msg, "QE Identity"),
		  "failure remembered: %s", d.msg);
	ATT_CHECK_EQ_INT(stats_of(x->s).fetches, fetches);
}

/* Another service on the same store: everything from the store. */
static void tdx_from_store(struct tdx_ctx *x)
{
	struct att_collateral_svc *s = svc(x->st, x->sv.url, true, NULL,
					   cert_path);
	const struct att_dcap_collateral *col = NULL;
	struct att_diag d = {0};
	int64_t t = t_of("2025-10-25T00:00:00Z");
	int rc = att_collateral_get(s, x->qb, x->qb_len, 0, t, &col, &d);
	ATT_CHECK(rc == 0, "from store: %s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(stats_of(s).fetches, 0);
	expect_status(x->qb, x->qb_len, col, t, "UpToDate");
	att_collateral_release(s, col);
	att_collateral_svc_free(s);
}

static void phase_tdx(void)
{
	json_t *ca = find_case("tdx", "tdx_automata_v4_0625");
	json_t *cb = find_case("tdx", "tdx_cos113_automata1025");
	struct tdx_ctx x = {0};
	struct att_diag d = {0};
	char db[700];
	x.qa = td_quote(jstr(ca, "quote"), jstr(ca, "enc"), &x.qa_len);
	x.qb = td_quote(jstr(cb, "quote"), jstr(cb, "enc"), &x.qb_len);
	snprintf(x.tree, sizeof(x.tree), "%s/tdx_tree", work);
	int rc = x.qa && x.qb ? tdx_tree(&x, jstr(ca, "tcb_info"),
					 jstr(ca, "qe_identity"),
					 jstr(ca, "pck_crl")) : -1;
	ATT_CHECK(rc == 0, "june tree");
	rc = rc ? rc : server_start(&x.sv, x.tree, 0, "TCB-Info-Issuer-Chain",
				    "tdx");
	snprintf(db, sizeof(db), "%s/tdx.db", work);
	if (rc == 0 && att_store_open_sqlite(&x.st, db, &d) == 0) {
		x.s = svc(x.st, x.sv.url, true, NULL, cert_path);
		const struct att_dcap_collateral *first = tdx_first(&x);
		if (first) {
			tdx_refresh(&x, first);
			tdx_failure(&x);
			tdx_from_store(&x);
		}
		att_collateral_svc_free(x.s);
	}
	server_stop(&x.sv);
	att_store_close(x.st);
	free(x.qa);
	free(x.qb);
	json_decref(ca);
	json_decref(cb);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	if (system("python3 -c 'import ssl, http.server' >/dev/null 2>&1")) {
		printf("FAIL (cannot run): python3 with ssl not available for the fake PCS\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	work = tmp_dir("fetch");
	if (!work || make_tls() != 0 || att_dcap_trust_new_intel(&intel)) {
		printf("setup failed\n");
		return 1;
	}
	phase_sgx();
	phase_tdx();
	att_dcap_trust_free(intel);
	rm_tree(work);
	return att_test_done();
}
