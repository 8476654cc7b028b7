/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KDS client and cache against a local HTTPS stand-in of AMD KDS
 * (tests/integration/lib/fake_kds.py: the real certificates of
 * tests/vectors/sevsnp for the chip ids and TCBs of cases.json, TLS with
 * a test CA made here, one log line per request as witness, behaviour
 * switched through a control file). Checked: the first get of a VCEK,
 * its chain and CRL makes one request each and the second none; eight
 * threads missing one VCEK make one request; a 429 with Retry-After: 2
 * stops every request for 2 s, then the fetch succeeds; 503 without
 * Retry-After backs off 1 s, then 2 s; a 404 is remembered a few seconds;
 * a stalled KDS is ATT_ERR_TIMEOUT; an answer that is another VCEK is
 * refused; with KDS down a cached chain past its refresh time is served
 * (stale_served) and an uncached VCEK is a clear error; a new client on
 * the same SQLite file serves from the store without any request; the
 * Turin URL (fmcSPL, 8-byte hwid) reaches the Turin VCEK.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "kds_test.h"
#include "store/store.h"

static char *work;
static char ca_path[512], cert_path[512], key_path[512], ctl_path[512];
static char crl_dir[512];

/* ---- TLS: a test CA and a server certificate for 127.0.0.1 ---- */

static int make_tls(void)
{
	struct att_pkey *cak = NULL, *k = NULL;
	struct att_cert *ca = NULL, *c = NULL;
	char *capem = NULL, *cpem = NULL, *kpem = NULL;
	int64_t now = att_time_now();
	struct att_cert_name_attr can[] = {{"CN", "attestd test KDS CA"}};
	struct att_cert_name_attr sn[] = {{"CN", "localhost"}};
	int rc = -1;
	if (att_pkey_generate(&cak, ATT_KEY_EC_P256) != 0 ||
	    att_pkey_generate(&k, ATT_KEY_EC_P256) != 0)
		goto out;
	struct att_cert_spec cs = {
		.subject = can, .n_subject = 1, .signing_key = cak,
		.subject_key = cak, .not_before = now - 3600,
		.not_after = now + 86400, .basic_constraints = true, .ca = true,
		.pathlen = -1, .key_usage = ATT_KU_KEY_CERT_SIGN,
		.ski = ATT_SKI_KEY_SHA1,
	};
	if (att_cert_build(&ca, &cs) != 0)
		goto out;
	struct att_cert_spec ls = {
		.subject = sn, .n_subject = 1, .issuer = ca, .signing_key = cak,
		.subject_key = k, .not_before = now - 3600,
		.not_after = now + 86400, .basic_constraints = true,
		.pathlen = -1, .key_usage = ATT_KU_DIGITAL_SIGNATURE,
		.ski = ATT_SKI_KEY_SHA1, .aki = true,
		.san = "IP:127.0.0.1,DNS:localhost", .eku_server_auth = true,
	};
	if (att_cert_build(&c, &ls) == 0 && att_cert_to_pem(&capem, ca) == 0 &&
	    att_cert_to_pem(&cpem, c) == 0 &&
	    att_pkey_to_pem(&kpem, k, true) == 0 &&
	    write_file(work, "tls/ca.pem", capem, strlen(capem)) == 0 &&
	    write_file(work, "tls/cert.pem", cpem, strlen(cpem)) == 0 &&
	    write_file(work, "tls/key.pem", kpem, strlen(kpem)) == 0)
		rc = 0;
out:
	snprintf(ca_path, sizeof(ca_path), "%s/tls/ca.pem", work);
	snprintf(cert_path, sizeof(cert_path), "%s/tls/cert.pem", work);
	snprintf(key_path, sizeof(key_path), "%s/tls/key.pem", work);
	free(capem);
	free(cpem);
	free(kpem);
	att_cert_free(ca);
	att_cert_free(c);
	att_pkey_free(cak);
	att_pkey_free(k);
	return rc;
}

/* ---- the stand-in ---- */

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

static int server_start(struct server *sv, const char *name)
{
	char pf[512], script[1024];
	const char *src = getenv("ATT_SRC_DIR");
	snprintf(script, sizeof(script), "%s/tests/integration/lib/fake_kds.py",
		 src && *src ? src : ".");
	snprintf(pf, sizeof(pf), "%s/%s.port", work, name);
	snprintf(sv->log, sizeof(sv->log), "%s/%s.log", work, name);
	unlink(pf);
	unlink(sv->log);
	char *argv[] = {"python3", script, "--vectors", (char *)att_testdata(),
			"--cert", cert_path, "--key", key_path,
			"--port-file", pf, "--log", sv->log,
			"--control", ctl_path, "--crl-dir", crl_dir,
			/* the Turin VCEK's own hwID and TCB extensions */
			"--extra", "Turin:1e550a8ee5cf9f4d:0,0,0,0,9:"
				   "sevsnp/certs/virtee_vcek_turin.der",
			NULL};
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

static size_t requests(const struct server *sv, const char *needle)
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

static void control(const char *json)
{
	if (write_file(work, "control.json", json, strlen(json)) != 0)
		printf("# cannot write the control file\n");
}

/* ---- helpers ---- */

static struct att_kds *client(struct att_store *st, const char *url,
			      long timeout_ms, int64_t refresh)
{
	struct att_kds *k = NULL;
	struct att_diag d = {0};
	struct att_kds_opts o = {
		.store = st, .base_url = url, .ca_file = ca_path,
		.timeout_ms = timeout_ms, .refresh_seconds = refresh,
	};
	ATT_CHECK(att_kds_new(&k, &o, &d) == 0, "kds: %s", att_diag_msg(&d));
	return k;
}

static struct att_kds_stats stats(struct att_kds *k)
{
	struct att_kds_stats s;
	att_kds_stats(k, &s);
	return s;
}

/* A VALID VCEK case of cases.json: product Milan. */
struct vcase {
	uint8_t chip[64];
	uint64_t tcb;
	char path[160]; /* the KDS path prefix "/vcek/v1/Milan/<hwid>" */
};

/* The chip id and REPORTED_TCB of a case of sevsnp/cases.json. */
static int vcase(struct vcase *v, const char *id)
{
	json_t *cases = json_load_file(td_path("sevsnp/cases.json"), 0, NULL);
	size_t i;
	json_t *c;
	int rc = -1;
	json_array_foreach(cases, i, c) {
		json_t *f = json_object_get(c, "fields");
		const char *cid = jstr(c, "id"), *chip = jstr(f, "chip_id");
		const char *tcb = jstr(f, "reported_tcb");
		if (!cid || strcmp(cid, id) != 0 || !chip || !tcb)
			continue;
		v->tcb = kt_tcb_from_hex(tcb);
		snprintf(v->path, sizeof(v->path), "/vcek/v1/Milan/%s", chip);
		rc = kt_chip(v->chip, chip);
	}
	json_decref(cases);
	return rc;
}

static struct vcase gosev, virtee, trustee;
static int64_t T;

static int get_vcek(struct att_kds *k, const struct vcase *v, int64_t now,
		    struct att_diag *d)
{
	struct att_kds_spec s;
	struct att_cert *c = NULL;
	att_kds_spec_vcek(&s, ATT_SNP_MILAN, v->chip, v->tcb);
	int rc = att_kds_get_item(k, &s, now, &c, NULL, NULL, d);
	if (rc == 0 && !c)
		rc = ATT_ERR_INTERNAL;
	att_cert_free(c);
	return rc;
}

/* ---- the cases ---- */

static void test_first_and_cached(struct server *sv, const char *db)
{
	struct att_store *st = NULL;
	struct att_diag d = {0};
	ATT_CHECK(att_store_open_sqlite(&st, db, &d) == 0, "store");
	struct att_kds *k = client(st, sv->url, 0, 0);
	struct att_kds_collateral col;
	size_t before = requests(sv, NULL);
	int rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VCEK,
				    gosev.chip, gosev.tcb, ATT_KDS_REQUIRE_CRL,
				    T, &col, &d);
	ATT_CHECK(rc == 0 && col.vek && col.n_chain == 2 && col.crl,
		  "first: %s", att_diag_msg(&d));
	att_kds_collateral_release(&col);
	ATT_CHECK_EQ_INT(requests(sv, NULL) - before, 3);
	ATT_CHECK_EQ_INT(requests(sv, gosev.path), 1);
	ATT_CHECK_EQ_INT(requests(sv, "?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68"),
			 1);
	ATT_CHECK_EQ_INT(requests(sv, "/vcek/v1/Milan/cert_chain"), 1);
	ATT_CHECK_EQ_INT(requests(sv, "/vcek/v1/Milan/crl"), 1);
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VCEK, gosev.chip,
				gosev.tcb, ATT_KDS_REQUIRE_CRL, T + 10, &col,
				&d);
	ATT_CHECK(rc == 0 && col.vek && col.crl, "second: %s",
		  att_diag_msg(&d));
	att_kds_collateral_release(&col);
	ATT_CHECK_EQ_INT(requests(sv, NULL) - before, 3);
	struct att_kds_stats s = stats(k);
	ATT_CHECK_EQ_INT(s.fetches, 3);
	ATT_CHECK_EQ_INT(s.misses, 3);
	ATT_CHECK_EQ_INT(s.hits, 3);
	ATT_CHECK_EQ_INT(s.entries, 3);
	/* VLEK signer: the ASVK chain, no VLEK from KDS */
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VLEK, NULL,
				gosev.tcb, 0, T, &col, &d);
	ATT_CHECK(rc == 0 && !col.vek && col.n_chain == 2, "vlek chain: %s",
		  att_diag_msg(&d));
	att_kds_collateral_release(&col);
	ATT_CHECK_EQ_INT(requests(sv, "/vlek/v1/Milan/cert_chain"), 1);
	ATT_CHECK_EQ_INT(requests(sv, "/vlek/v1/Milan/vlek"), 0);
	att_kds_free(k);
	att_store_close(st);
}

struct thr {
	struct att_kds *k;
	int rc;
};

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	struct att_diag d = {0};
	t->rc = get_vcek(t->k, &virtee, T, &d);
	return NULL;
}

static void test_coalesce(struct server *sv)
{
	enum { N = 8 };
	struct att_kds *k = client(NULL, sv->url, 0, 0);
	struct thr t[N];
	pthread_t th[N];
	control("{\"mode\":\"ok\",\"delay_ms\":400}");
	for (int i = 0; i < N; i++) {
		t[i].k = k;
		t[i].rc = -99;
		pthread_create(&th[i], NULL, thr_main, &t[i]);
	}
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	control("{\"mode\":\"ok\"}");
	int ok = 0;
	for (int i = 0; i < N; i++)
		ok += t[i].rc == 0;
	ATT_CHECK_EQ_INT(ok, N);
	ATT_CHECK_EQ_INT(requests(sv, virtee.path), 1);
	struct att_kds_stats s = stats(k);
	ATT_CHECK_EQ_INT(s.fetches, 1);
	ATT_CHECK_EQ_INT(s.hits + s.misses, N);
	ATT_CHECK(s.coalesced >= 1 && s.coalesced + s.hits == N - 1,
		  "coalesced %llu hits %llu", (unsigned long long)s.coalesced,
		  (unsigned long long)s.hits);
	att_kds_free(k);
}

static void test_rate_limit(struct server *sv)
{
	struct att_kds *k = client(NULL, sv->url, 0, 0);
	struct att_diag d = {0};
	size_t base = requests(sv, trustee.path);
	control("{\"mode\":\"429\",\"retry_after\":2}");
	int rc = get_vcek(k, &trustee, T, &d);
	ATT_CHECK(rc == ATT_ERR_NETWORK, "429 rc %d", rc);
	ATT_CHECK(strstr(d.msg, "AMD KDS: VCEK for Milan chip c38427a3... TCB "
				"bl 3 tee 0 snp 8 ucode 115 not cached and KDS "
				"answered 429 (retry after 2 s)") != NULL,
		  "message: %s", d.msg);
	ATT_CHECK_EQ_INT(requests(sv, trustee.path) - base, 1);
	control("{\"mode\":\"ok\"}");
	/* within the 2 s: no request, for this item or any other */
	struct att_diag d1 = {0};
	rc = get_vcek(k, &trustee, T + 1, &d1);
	ATT_CHECK(rc == ATT_ERR_NETWORK && strstr(d1.msg, "retry after 1 s"),
		  "blocked: %s", d1.msg);
	struct att_diag d2 = {0};
	rc = get_vcek(k, &virtee, T + 1, &d2);
	ATT_CHECK(rc == ATT_ERR_NETWORK && strstr(d2.msg, "answered 429"),
		  "other item blocked too: %s", d2.msg);
	ATT_CHECK_EQ_INT(requests(sv, trustee.path) - base, 1);
	struct att_diag d3 = {0};
	rc = get_vcek(k, &trustee, T + 2, &d3);
	ATT_CHECK(rc == 0, "after Retry-After: %s", att_diag_msg(&d3));
	ATT_CHECK_EQ_INT(requests(sv, trustee.path) - base, 2);
	struct att_kds_stats s = stats(k);
	ATT_CHECK_EQ_INT(s.rate_limited, 1);
	ATT_CHECK_EQ_INT(s.fetches, 2);
	ATT_CHECK_EQ_INT(s.errors, 3);
	att_kds_free(k);

	/* 503 without Retry-After: 1 s, then 2 s of backoff */
	k = client(NULL, sv->url, 0, 0);
	size_t b = requests(sv, "/vcek/v1/Genoa/cert_chain");
	struct att_kds_spec cs;
	att_kds_spec_of(&cs, ATT_KDS_ITEM_VCEK_CHAIN, ATT_SNP_GENOA);
	struct att_cert *ch[2];
	control("{\"mode\":\"503\"}");
	int64_t t0 = T + 100;
	struct att_diag e0 = {0}, e1 = {0}, e2 = {0}, e3 = {0};
	ATT_CHECK(att_kds_get_item(k, &cs, t0, NULL, ch, NULL, &e0) ==
			  ATT_ERR_NETWORK && strstr(e0.msg, "retry after 1 s"),
		  "503: %s", e0.msg);
	ATT_CHECK(att_kds_get_item(k, &cs, t0 + 1, NULL, ch, NULL, &e1) ==
			  ATT_ERR_NETWORK && strstr(e1.msg, "retry after 2 s"),
		  "503 again: %s", e1.msg);
	control("{\"mode\":\"ok\"}");
	ATT_CHECK(att_kds_get_item(k, &cs, t0 + 2, NULL, ch, NULL, &e2) ==
			  ATT_ERR_NETWORK, "backing off: %s", e2.msg);
	ATT_CHECK_EQ_INT(requests(sv, "/vcek/v1/Genoa/cert_chain") - b, 2);
	ATT_CHECK(att_kds_get_item(k, &cs, t0 + 3, NULL, ch, NULL, &e3) == 0 &&
			  ch[0] && ch[1], "after backoff: %s", e3.msg);
	ATT_CHECK_EQ_INT(requests(sv, "/vcek/v1/Genoa/cert_chain") - b, 3);
	att_cert_free(ch[0]);
	att_cert_free(ch[1]);
	att_kds_free(k);
}

static void test_not_found_timeout_mismatch(struct server *sv)
{
	struct att_kds *k = client(NULL, sv->url, 700, 0);
	struct vcase unknown = gosev;
	unknown.chip[63] ^= 0x5A;
	struct att_diag d = {0};
	size_t base = requests(sv, "/vcek/v1/Milan/");
	int rc = get_vcek(k, &unknown, T, &d);
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND && strstr(d.msg, "answered 404") &&
			  strstr(d.msg, "not cached"), "404: %s", d.msg);
	struct att_diag d2 = {0};
	rc = get_vcek(k, &unknown, T + 1, &d2);
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND && strcmp(d.msg, d2.msg) == 0,
		  "remembered: %s", d2.msg);
	ATT_CHECK_EQ_INT(requests(sv, "/vcek/v1/Milan/") - base, 1);
	rc = get_vcek(k, &unknown, T + ATT_KDS_NEGATIVE_SECONDS + 1, &d2);
	ATT_CHECK_EQ_INT(requests(sv, "/vcek/v1/Milan/") - base, 2);

	/* a stalled KDS */
	control("{\"mode\":\"stall\",\"stall_ms\":3000}");
	struct att_diag d3 = {0};
	rc = get_vcek(k, &gosev, T + 20, &d3);
	ATT_CHECK(rc == ATT_ERR_TIMEOUT && strstr(d3.msg, "not cached"),
		  "stall: %d %s", rc, d3.msg);
	control("{\"mode\":\"ok\"}");
	att_kds_free(k);

	/* KDS answering another VCEK */
	k = client(NULL, sv->url, 0, 0);
	control("{\"mode\":\"ok\",\"vcek_override\":"
		"\"sevsnp/certs/virtee_vcek_milan.der\"}");
	struct att_diag d4 = {0};
	rc = get_vcek(k, &gosev, T, &d4);
	ATT_CHECK(rc == ATT_ERR_MISMATCH && strstr(d4.msg, "asked for VCEK for "
						   "Milan chip 3ac3fe21"),
		  "mismatch: %s", d4.msg);
	control("{\"mode\":\"ok\"}");
	att_kds_free(k);

	/* Turin: fmcSPL and the 8-byte hwID */
	k = client(NULL, sv->url, 0, 0);
	uint8_t chip[64] = {0x1e, 0x55, 0x0a, 0x8e, 0xe5, 0xcf, 0x9f, 0x4d};
	struct att_kds_collateral col;
	struct att_diag d5 = {0};
	rc = att_kds_collateral(k, ATT_SNP_TURIN, ATT_SNP_KEY_VCEK, chip,
				0x0900000000000000ull, 0, T, &col, &d5);
	ATT_CHECK(rc == 0 && col.vek && col.n_chain == 2, "turin: %s",
		  att_diag_msg(&d5));
	att_kds_collateral_release(&col);
	ATT_CHECK_EQ_INT(requests(sv, "/vcek/v1/Turin/1e550a8ee5cf9f4d?fmcSPL=0"
				      "&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9"),
			 1);
	att_kds_free(k);
}

static void test_down(struct server *sv, const char *db)
{
	struct att_store *st = NULL;
	struct att_diag d = {0};
	struct att_kds_spec cs;
	struct att_cert *ch[2] = {0};
	ATT_CHECK(att_store_open_sqlite(&st, db, &d) == 0, "store");
	/* chains refreshed after 60 s */
	struct att_kds *k = client(st, sv->url, 0, 60);
	att_kds_spec_of(&cs, ATT_KDS_ITEM_VLEK_CHAIN, ATT_SNP_GENOA);
	ATT_CHECK(att_kds_get_item(k, &cs, T, NULL, ch, NULL, &d) == 0,
		  "chain: %s", att_diag_msg(&d));
	att_cert_free(ch[0]);
	att_cert_free(ch[1]);
	char url[64];
	snprintf(url, sizeof(url), "%s", sv->url);
	server_stop(sv);
	/* within its refresh time: served, no request tried */
	ATT_CHECK(att_kds_get_item(k, &cs, T + 30, NULL, ch, NULL, &d) == 0,
		  "fresh");
	att_cert_free(ch[0]);
	att_cert_free(ch[1]);
	ATT_CHECK_EQ_INT(stats(k).stale_served, 0);
	/* past it with KDS down: the cached chain, counted stale */
	struct att_diag d2 = {0};
	int rc = att_kds_get_item(k, &cs, T + 61, NULL, ch, NULL, &d2);
	ATT_CHECK(rc == 0 && ch[0] && ch[1], "stale: %s", att_diag_msg(&d2));
	att_cert_free(ch[0]);
	att_cert_free(ch[1]);
	struct att_kds_stats s = stats(k);
	ATT_CHECK_EQ_INT(s.stale_served, 1);
	ATT_CHECK_EQ_INT(s.fetches, 2);
	ATT_CHECK_EQ_INT(s.fetch_failures, 1);
	ATT_CHECK_EQ_INT(s.errors, 0);
	/* nothing cached and KDS down: the clear error */
	struct att_diag d3 = {0};
	rc = get_vcek(k, &trustee, T + 61, &d3);
	ATT_CHECK(rc == ATT_ERR_NETWORK &&
			  strstr(d3.msg, "AMD KDS: VCEK for Milan chip c38427a3... "
					 "TCB bl 3 tee 0 snp 8 ucode 115 not "
					 "cached and KDS is unreachable"),
		  "down, blocked: %s", d3.msg);
	att_kds_free(k);
	struct att_kds *k2 = client(NULL, url, 0, 0);
	struct att_diag d4 = {0};
	rc = get_vcek(k2, &trustee, T, &d4);
	ATT_CHECK(rc == ATT_ERR_NETWORK && strstr(d4.msg, "not cached and KDS "
						  "is unreachable ("),
		  "down: %s", d4.msg);
	att_kds_free(k2);
	att_store_close(st);
}

static void test_persisted(struct server *sv, const char *db)
{
	struct att_store *st = NULL;
	struct att_diag d = {0};
	ATT_CHECK(att_store_open_sqlite(&st, db, &d) == 0, "store");
	struct att_kds *k = client(st, sv->url, 0, 0);
	struct att_kds_collateral col;
	int rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VCEK,
				    gosev.chip, gosev.tcb, ATT_KDS_REQUIRE_CRL,
				    T + 3600, &col, &d);
	ATT_CHECK(rc == 0 && col.vek && col.crl, "from the store: %s",
		  att_diag_msg(&d));
	att_kds_collateral_release(&col);
	ATT_CHECK_EQ_INT(requests(sv, NULL), 0);
	ATT_CHECK_EQ_INT(stats(k).fetches, 0);
	ATT_CHECK_EQ_INT(stats(k).misses, 3);
	att_kds_free(k);
	att_store_close(st);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	struct server sv = {0}, sv2 = {0};
	char db[600], db2[600];
	uint8_t *crl = NULL;
	size_t crl_len = 0;
	work = tmp_dir("kdsnet");
	T = att_time_now();
	if (!work || make_tls() != 0 ||
	    vcase(&gosev, "snp_gosevguest_milan") != 0 ||
	    vcase(&virtee, "snp_virtee_milan") != 0 ||
	    vcase(&trustee, "snp_trustee_vcek") != 0) {
		printf("setup failed\n");
		return 1;
	}
	snprintf(ctl_path, sizeof(ctl_path), "%s/control.json", work);
	snprintf(crl_dir, sizeof(crl_dir), "%s/crl", work);
	snprintf(db, sizeof(db), "%s/kds.db", work);
	snprintf(db2, sizeof(db2), "%s/kds2.db", work);
	control("{\"mode\":\"ok\"}");
	if (kt_make_crl(&crl, &crl_len, "ARK-Milan", T, 7 * 86400) != 0 ||
	    write_file(work, "crl/Milan.crl", crl, crl_len) != 0 ||
	    server_start(&sv, "kds") != 0) {
		printf("fake KDS did not start\n");
		server_stop(&sv);
		return 1;
	}
	free(crl);
	test_first_and_cached(&sv, db);
	test_coalesce(&sv);
	test_rate_limit(&sv);
	test_not_found_timeout_mismatch(&sv);
	test_down(&sv, db2);
	server_stop(&sv);
	if (server_start(&sv2, "kds-again") == 0)
		test_persisted(&sv2, db);
	else
		ATT_CHECK(0, "second fake KDS did not start");
	server_stop(&sv2);
	rm_tree(work);
	return att_test_done();
}
