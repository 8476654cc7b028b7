/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Windows boot logs: EV_NO_ACTION events with PCR index 0xFFFFFFFF parse,
 * are reported and never extended (inserted into the real AzureGuest and
 * GCP Windows logs, which the old parser refused); the SIPA facts and the
 * x-ms-azurevm-* claims of both real logs, after replay against their
 * quoted PCRs, with the names and JSON types of MAA's azurevm token; the
 * PCR rule (facts only from attested PCRs and verified digests); every
 * prefix and random mutations of every real SIPA payload; synthetic
 * payloads for each decoded tag; the depth and count limits.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "evidence/tcg/replay.h"
#include "evidence/tcg/sipa.h"
#include "evidence/tcg/wbcl.h"
#include "evidence/tpm/pcrs.h"
#include "harness/tap.h"

#define AZ_DIR "maa/spec-examples/decoded/stable-2025-06-01_AttestAzureGuestVm"
#define AZ_LOG AZ_DIR "/tcg_log.bin"
#define GCP_LOG "tpm/eventlogs/goattestation_windows_gcp_shielded_vm.bin"
#define GCP_JSON "tpm/quotes/windows_gcp_shielded_vm/windows_gcp_shielded_vm.json"
#define TOKEN "maa/real-outputs/azurevm-sampleAttestationToken.json"

static unsigned char *load(const char *rel, size_t *len)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", att_testdata(), rel);
	return att_read_file(p, len);
}

static json_t *load_json(const char *rel)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", att_testdata(), rel);
	return json_load_file(p, 0, NULL);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* A parsed, digest-checked, replayed and compared log. */
struct chain {
	struct att_tcg_log log;
	struct att_tcg_check_result *res;
	struct att_tcg_replay rp;
	uint32_t verified;
};

static int run_chain(struct chain *c, const uint8_t *b, size_t len,
		     const struct att_tpm_pcrs *quoted, struct att_diag *d)
{
	int r;
	memset(c, 0, sizeof(*c));
	att_diag_clear(d);
	if ((r = att_tcg_log_parse(&c->log, b, len, d)) != 0)
		return r;
	c->res = calloc(c->log.num_events, sizeof(*c->res));
	if (!c->res)
		return ATT_ERR_NOMEM;
	att_tcg_check_digests(c->res, &c->log, NULL, d);
	att_diag_clear(d);
	if ((r = att_tcg_replay(&c->rp, &c->log, d)) != 0)
		return r;
	return att_tcg_replay_compare(&c->rp, &c->log, c->res, quoted,
				      &c->verified, d);
}

static void chain_release(struct chain *c)
{
	free(c->res);
	att_tcg_log_release(&c->log);
}

static int azure_pcrs(struct att_tpm_pcrs *q)
{
	json_t *v = load_json(AZ_DIR "/pcrs_sha256.json");
	json_t *o = json_object();
	int r = ATT_ERR_FORMAT;
	if (v && o && json_object_set(o, "sha256", v) == 0)
		r = att_tpm_pcrs_from_json(q, o, NULL);
	json_decref(v);
	json_decref(o);
	return r;
}

/* gcp_pcrs reads go-attestation's Log.PCRs (SHA-1, DigestAlg 3). */
static int gcp_pcrs(struct att_tpm_pcrs *q)
{
	json_t *j = load_json(GCP_JSON), *e;
	size_t i;
	int r = ATT_ERR_FORMAT, n = 0;
	memset(q, 0, sizeof(*q));
	json_array_foreach(json_object_get(json_object_get(j, "Log"), "PCRs"),
			   i, e) {
		const char *s = json_string_value(json_object_get(e, "Digest"));
		uint8_t *v = NULL;
		size_t vl = 0;
		if (!s || att_b64_decode(&v, &vl, s, strlen(s)) != 0)
			goto out;
		r = att_tpm_pcrs_set(
			q, 0x0004,
			(uint32_t)json_integer_value(json_object_get(e, "Index")),
			v, vl);
		free(v);
		if (r)
			goto out;
		n++;
	}
	r = n == 24 ? 0 : ATT_ERR_FORMAT;
out:
	json_decref(j);
	return r;
}

/* with_no_action returns a copy of log b with an EV_NO_ACTION record of
 * PCR index pcr inserted at offset at (crypto-agile: banks sha1, sha256,
 * sha384 as in the AzureGuest log; else a SHA-1 record). */
static uint8_t *with_no_action(const uint8_t *b, size_t len, size_t at,
			       bool agile, uint32_t pcr, uint32_t type,
			       size_t *out_len)
{
	static const uint8_t data[20] = "NoActionTestEvent\0\0";
	uint8_t rec[256], *o;
	size_t n = 0;
	put_le32(rec + n, pcr), n += 4;
	put_le32(rec + n, type), n += 4;
	if (agile) {
		static const uint16_t algs[3] = {0x0004, 0x000b, 0x000c};
		static const uint16_t sizes[3] = {20, 32, 48};
		put_le32(rec + n, 3), n += 4;
		for (int i = 0; i < 3; i++) {
			rec[n++] = (uint8_t)algs[i];
			rec[n++] = (uint8_t)(algs[i] >> 8);
			memset(rec + n, 0, sizes[i]), n += sizes[i];
		}
	} else {
		memset(rec + n, 0, 20), n += 20;
	}
	put_le32(rec + n, sizeof(data)), n += 4;
	memcpy(rec + n, data, sizeof(data)), n += sizeof(data);
	o = malloc(len + n);
	if (!o)
		return NULL;
	memcpy(o, b, at);
	memcpy(o + at, rec, n);
	memcpy(o + at + n, b + at, len - at);
	*out_len = len + n;
	return o;
}

static bool same_replay(const struct att_tcg_replay *a,
			const struct att_tcg_replay *b)
{
	if (a->pcrs.num_banks != b->pcrs.num_banks || a->touched != b->touched)
		return false;
	for (uint32_t i = 0; i < a->pcrs.num_banks; i++)
		if (a->pcrs.banks[i].mask != b->pcrs.banks[i].mask ||
		    memcmp(a->pcrs.banks[i].value, b->pcrs.banks[i].value,
			   sizeof(a->pcrs.banks[i].value)))
			return false;
	return true;
}

static void no_action_case(const char *name, const uint8_t *b, size_t len,
			   size_t at, bool agile,
			   const struct att_tpm_pcrs *quoted)
{
	struct chain base, c;
	struct att_diag d;
	size_t n = 0;
	uint8_t *m = with_no_action(b, len, at, agile, ATT_TCG_PCR_NONE,
				    ATT_EV_NO_ACTION, &n);
	int r0 = run_chain(&base, b, len, quoted, &d);
	int r = m ? run_chain(&c, m, n, quoted, &d) : ATT_ERR_NOMEM;
	ATT_CHECK(r0 == 0, "%s: the real log replays: %s", name,
		  att_diag_msg(&d));
	ATT_CHECK(r == 0, "%s: EV_NO_ACTION in PCR 0xFFFFFFFF: %d %s", name, r,
		  att_diag_msg(&d));
	if (r == 0 && r0 == 0) {
		const struct att_tcg_event *ev = NULL;
		for (size_t i = 0; i < c.log.num_events; i++)
			if (c.log.events[i].offset == at)
				ev = &c.log.events[i];
		ATT_CHECK(ev && ev->pcr == ATT_TCG_PCR_NONE &&
				  ev->type == ATT_EV_NO_ACTION,
			  "%s: the event is reported", name);
		ATT_CHECK_EQ_INT(c.log.num_events, base.log.num_events + 1);
		ATT_CHECK(same_replay(&c.rp, &base.rp),
			  "%s: the event is never extended", name);
		ATT_CHECK_EQ_INT(c.verified, base.verified);
		json_t *j = att_tcg_events_json(&c.log, c.res);
		json_t *e = ev ? json_array_get(json_object_get(j, "Events"),
						ev->seq)
			       : NULL;
		ATT_CHECK(json_integer_value(json_object_get(e, "PcrIndex")) ==
				  (json_int_t)0xFFFFFFFF,
			  "%s: events JSON PcrIndex", name);
		ATT_CHECK_EQ_STR(json_string_value(json_object_get(
					 e, "DigestCheck")),
				 "verified");
		json_decref(j);
	}
	if (m)
		chain_release(&c);
	chain_release(&base);
	free(m);
	/* Only EV_NO_ACTION may name no PCR, and only with 0xFFFFFFFF. */
	struct att_tcg_log log;
	m = with_no_action(b, len, at, agile, ATT_TCG_PCR_NONE, ATT_EV_ACTION,
			   &n);
	att_diag_clear(&d);
	r = m ? att_tcg_log_parse(&log, m, n, &d) : ATT_ERR_NOMEM;
	ATT_CHECK(r == ATT_ERR_FORMAT && strstr(d.msg, "4294967295"),
		  "%s: EV_ACTION in PCR 0xFFFFFFFF refused: %d %s", name, r,
		  d.msg);
	att_tcg_log_release(&log);
	free(m);
	m = with_no_action(b, len, at, agile, 24, ATT_EV_NO_ACTION, &n);
	att_diag_clear(&d);
	r = m ? att_tcg_log_parse(&log, m, n, &d) : ATT_ERR_NOMEM;
	ATT_CHECK(r == ATT_ERR_FORMAT && strstr(d.msg, "PCR index 24"),
		  "%s: EV_NO_ACTION in PCR 24 refused: %d %s", name, r, d.msg);
	att_tcg_log_release(&log);
	free(m);
}

static void test_no_action_pcr_none(void)
{
	struct att_tpm_pcrs qa, qg;
	size_t al = 0, gl = 0;
	uint8_t *a = load(AZ_LOG, &al), *g = load(GCP_LOG, &gl);
	ATT_CHECK(a && g && al > 64 && gl > 64, "logs load");
	ATT_CHECK(azure_pcrs(&qa) == 0 && gcp_pcrs(&qg) == 0, "PCRs load");
	if (a && g && al > 64 && gl > 64) {
		/* after the Spec ID header, in the middle and at the end */
		size_t after = 32 + le32(a + 28);
		no_action_case("azure/after-specid", a, al, after, true, &qa);
		no_action_case("azure/end", a, al, al, true, &qa);
		no_action_case("gcp/sha1-end", g, gl, gl, false, &qg);
		no_action_case("gcp/sha1-start", g, gl, 0, false, &qg);
	}
	free(a);
	free(g);
}

static bool jbool(json_t *o, const char *k, bool want)
{
	json_t *v = json_object_get(o, k);
	return json_is_boolean(v) && json_is_true(v) == want;
}

static json_int_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer_value(v) : -12345;
}

/* check_token_shape: every x-ms-azurevm-* claim the real token carries
 * (but the request's protocol version) is in c with the same JSON type,
 * and c has no claim the token does not. */
static void check_token_shape(json_t *c, const char *name)
{
	json_t *tok = load_json(TOKEN);
	json_t *p = json_object_get(tok, "payload"), *v;
	const char *k;
	int n = 0;
	ATT_CHECK(json_is_object(p), "token loads");
	json_object_foreach(p, k, v) {
		if (strncmp(k, "x-ms-azurevm-", 13) && strcmp(k, "secureboot"))
			continue;
		if (!strcmp(k, "x-ms-azurevm-attestation-protocol-ver"))
			continue;
		json_t *ours = json_object_get(c, k);
		bool same = ours && (json_typeof(ours) == json_typeof(v) ||
				     (json_is_boolean(ours) &&
				      json_is_boolean(v)));
		ATT_CHECK(same, "%s: claim %s missing or of another type", name,
			  k);
		if (json_is_array(v) && ours)
			ATT_CHECK(json_is_integer(json_array_get(ours, 0)),
				  "%s: %s holds integers", name, k);
		n++;
	}
	ATT_CHECK_EQ_INT(n, 21);
	json_object_foreach(c, k, v)
		ATT_CHECK(json_object_get(p, k) != NULL,
			  "%s: claim %s is not in MAA's token", name, k);
	json_decref(tok);
}

static void test_azure_guest(void)
{
	struct att_tpm_pcrs q;
	struct chain c;
	struct att_diag d;
	struct att_wbcl_facts f;
	size_t len = 0;
	uint8_t *b = load(AZ_LOG, &len);
	json_t *os = load_json(AZ_DIR "/os_info_decoded.json"), *cl = NULL;
	int r;
	ATT_CHECK(b && os && azure_pcrs(&q) == 0, "AzureGuest data loads");
	if (!b || !os)
		goto out;
	r = run_chain(&c, b, len, &q, &d);
	ATT_CHECK(r == 0, "AzureGuest replays to its quote: %s",
		  att_diag_msg(&d));
	ATT_CHECK_EQ_INT(c.verified, 0x78FF); /* 0-7, 11-14 */
	att_diag_clear(&d);
	r = att_wbcl_facts_from_log(&f, &c.log, c.res, c.verified, &d);
	ATT_CHECK(r == 0, "AzureGuest facts: %s", att_diag_msg(&d));
	ATT_CHECK(f.is_windows, "is Windows");
	ATT_CHECK_EQ_INT(f.sipa_pcrs, ATT_WBCL_SIPA_PCRS);
	ATT_CHECK(!f.boot_debugging && !f.kernel_debug && !f.test_signing &&
			  !f.flight_signing && !f.hypervisor_debug,
		  "no debugging, test or flight signing");
	ATT_CHECK_EQ_INT(f.code_integrity, ATT_WBCL_TRUE);
	ATT_CHECK_EQ_INT(f.dep, ATT_WBCL_TRUE);
	ATT_CHECK(!f.safe_mode && !f.winpe, "not safe mode, not WinPE");
	ATT_CHECK_EQ_INT(f.elam_drivers, 0);
	ATT_CHECK(!f.has_hvci_policy, "no HVCI policy event");
	ATT_CHECK(f.has_boot_count && f.boot_count == 3, "boot counter 3");
	ATT_CHECK(f.loaded_modules > 80, "%u loaded modules",
		  f.loaded_modules);
	ATT_CHECK(f.pk_validated && f.kek_validated && f.db_validated &&
			  f.dbx_validated,
		  "PK, KEK, db, dbx verified in PCR 7");
	ATT_CHECK(f.has_vmid, "VM id from PCR 6");
	ATT_CHECK_EQ_STR(f.vmid, "93654188-C3A9-4BDE-B6D7-D7A8802F4D8E");
	struct att_wbcl_os o = {
		json_string_value(json_object_get(os, "OSType")),
		json_string_value(json_object_get(os, "OSDistro")),
		json_string_value(json_object_get(os, "OSBuild")), true,
		json_integer_value(json_object_get(os, "OSVersionMajor")),
		json_integer_value(json_object_get(os, "OSVersionMinor"))};
	r = att_wbcl_claims(&cl, &f, &o, c.verified, ATT_WBCL_TRUE, &d);
	ATT_CHECK(r == 0 && cl, "claims");
	check_token_shape(cl, "AzureGuest");
	json_t *pcrs = json_object_get(cl, "x-ms-azurevm-attested-pcrs");
	json_t *want = json_pack("[iiiiiiiiiiii]", 0, 1, 2, 3, 4, 5, 6, 7, 11,
				 12, 13, 14);
	ATT_CHECK(json_equal(pcrs, want), "attested-pcrs 0-7, 11-14");
	json_decref(want);
	ATT_CHECK(jbool(cl, "x-ms-azurevm-bootdebug-enabled", false) &&
			  jbool(cl, "x-ms-azurevm-kerneldebug-enabled", false) &&
			  jbool(cl, "x-ms-azurevm-testsigning-enabled", false) &&
			  jbool(cl, "x-ms-azurevm-flightsigning-enabled",
				false) &&
			  jbool(cl, "x-ms-azurevm-hypervisordebug-enabled",
				false) &&
			  jbool(cl, "x-ms-azurevm-debuggersdisabled", true) &&
			  jbool(cl, "x-ms-azurevm-signingdisabled", true) &&
			  jbool(cl, "x-ms-azurevm-elam-enabled", false) &&
			  jbool(cl, "x-ms-azurevm-is-windows", true) &&
			  jbool(cl, "x-ms-azurevm-dbvalidated", true) &&
			  jbool(cl, "x-ms-azurevm-dbxvalidated", true) &&
			  jbool(cl,
				"x-ms-azurevm-default-securebootkeysvalidated",
				true) &&
			  jbool(cl, "secureboot", true),
		  "boolean claims");
	ATT_CHECK_EQ_INT(jint(cl, "x-ms-azurevm-hvci-policy"), 0);
	ATT_CHECK_EQ_INT(jint(cl, "x-ms-azurevm-osversion-major"), 10);
	ATT_CHECK_EQ_INT(jint(cl, "x-ms-azurevm-osversion-minor"), 0);
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 cl, "x-ms-azurevm-osbuild")),
			 "NotApplicable");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 cl, "x-ms-azurevm-ostype")),
			 "Windows");
	ATT_CHECK_EQ_STR(json_string_value(json_object_get(
				 cl, "x-ms-azurevm-vmid")),
			 "93654188-C3A9-4BDE-B6D7-D7A8802F4D8E");
	json_decref(cl);

	/* The PCR rule: nothing from a PCR the quote did not attest. */
	r = att_wbcl_facts_from_log(&f, &c.log, c.res,
				    c.verified & ~ATT_WBCL_SIPA_PCRS, &d);
	ATT_CHECK(r == 0 && !f.is_windows && f.sipa_events == 0 &&
			  f.code_integrity == ATT_WBCL_UNKNOWN,
		  "no SIPA facts without PCRs 12-14");
	r = att_wbcl_claims(&cl, &f, NULL, c.verified & ~ATT_WBCL_SIPA_PCRS,
			    ATT_WBCL_UNKNOWN, &d);
	ATT_CHECK(r == 0 && jbool(cl, "x-ms-azurevm-is-windows", false) &&
			  !json_object_get(cl, "x-ms-azurevm-kerneldebug-enabled") &&
			  !json_object_get(cl, "secureboot") &&
			  !json_object_get(cl, "x-ms-azurevm-ostype"),
		  "the Linux-like subset");
	json_decref(cl);
	r = att_wbcl_facts_from_log(&f, &c.log, c.res, c.verified & ~(1u << 12),
				    &d);
	ATT_CHECK(r == 0 && f.is_windows && f.sipa_pcrs == 0x6000,
		  "PCR 12 left out, 13 and 14 count");
	r = att_wbcl_facts_from_log(&f, &c.log, c.res,
				    c.verified & ~(1u << 6 | 1u << 7), &d);
	ATT_CHECK(r == 0 && !f.has_vmid && !f.db_validated &&
			  !f.dbx_validated,
		  "no VM id without PCR 6, no db/dbx without PCR 7");
	/* A digest that does not verify: no fact from it. */
	for (size_t i = 0; i < c.log.num_events; i++) {
		if (c.log.events[i].pcr == 12 &&
		    c.log.events[i].type == ATT_EV_EVENT_TAG) {
			c.res[i].status = ATT_TCG_CHECK_MISMATCH;
			att_diag_clear(&d);
			r = att_wbcl_facts_from_log(&f, &c.log, c.res,
						    c.verified, &d);
			ATT_CHECK(r == ATT_ERR_MISMATCH &&
					  strstr(d.msg, "PCR 12"),
				  "mismatching SIPA event: %d %s", r, d.msg);
			c.res[i].status = ATT_TCG_CHECK_VERIFIED;
			break;
		}
	}
	for (size_t i = 0; i < c.log.num_events; i++)
		if (c.log.events[i].pcr == 7)
			c.res[i].status = ATT_TCG_CHECK_NOT_RECOMPUTABLE;
	r = att_wbcl_facts_from_log(&f, &c.log, c.res, c.verified, &d);
	ATT_CHECK(r == 0 && !f.db_validated && !f.pk_validated,
		  "unverified PCR 7 variables are not validated");
	chain_release(&c);
out:
	json_decref(os);
	free(b);
}

static void test_gcp(void)
{
	struct att_tpm_pcrs q;
	struct chain c;
	struct att_diag d;
	struct att_wbcl_facts f;
	size_t len = 0;
	uint8_t *b = load(GCP_LOG, &len);
	json_t *cl = NULL;
	int r;
	ATT_CHECK(b && gcp_pcrs(&q) == 0, "GCP data loads");
	if (!b)
		return;
	r = run_chain(&c, b, len, &q, &d);
	ATT_CHECK(r == 0, "GCP log replays to its quote: %s",
		  att_diag_msg(&d));
	/* the log extends 0, 4, 5, 7 and 11-14 only (no separators 0-6) */
	ATT_CHECK(c.verified == 0x78B1, "0, 4, 5, 7, 11-14 attested: %x",
		  c.verified);
	r = att_wbcl_facts_from_log(&f, &c.log, c.res, c.verified, &d);
	ATT_CHECK(r == 0, "GCP facts: %s", att_diag_msg(&d));
	ATT_CHECK(f.is_windows && f.code_integrity == ATT_WBCL_TRUE &&
			  !f.kernel_debug && !f.boot_debugging &&
			  !f.test_signing && !f.flight_signing,
		  "GCP Windows settings");
	ATT_CHECK_EQ_INT(f.elam_drivers, 1); /* Windows Defender */
	ATT_CHECK(f.has_boot_count && f.boot_count == 4, "boot counter 4");
	ATT_CHECK(!f.has_vmid, "no Hyper-V VM id on GCE");
	ATT_CHECK(f.db_validated && f.dbx_validated, "db, dbx");
	r = att_wbcl_claims(&cl, &f, NULL, c.verified, ATT_WBCL_UNKNOWN, &d);
	ATT_CHECK(r == 0 && jbool(cl, "x-ms-azurevm-elam-enabled", true) &&
			  jbool(cl, "x-ms-azurevm-signingdisabled", true) &&
			  !json_object_get(cl, "x-ms-azurevm-vmid"),
		  "GCP claims");
	json_decref(cl);
	chain_release(&c);
	free(b);
}

/* Every EV_EVENT_TAG payload of PCRs 12-14 of both logs. */
struct payloads {
	const uint8_t *p[32];
	size_t len[32];
	uint32_t pcr[32];
	int n;
	uint8_t *bufs[2];
	struct att_tcg_log logs[2];
};

static void collect(struct payloads *ps)
{
	const char *names[2] = {AZ_LOG, GCP_LOG};
	memset(ps, 0, sizeof(*ps));
	for (int k = 0; k < 2; k++) {
		size_t len = 0;
		ps->bufs[k] = load(names[k], &len);
		if (!ps->bufs[k] ||
		    att_tcg_log_parse(&ps->logs[k], ps->bufs[k], len, NULL))
			continue;
		for (size_t i = 0; i < ps->logs[k].num_events && ps->n < 32;
		     i++) {
			const struct att_tcg_event *ev = &ps->logs[k].events[i];
			if (ev->type != ATT_EV_EVENT_TAG)
				continue;
			ps->p[ps->n] = ev->data;
			ps->len[ps->n] = ev->data_len;
			ps->pcr[ps->n] = ev->pcr;
			ps->n++;
		}
	}
}

static int record_top(void *arg, const struct att_sipa_event *ev,
		      struct att_diag *diag)
{
	uint8_t *ends = arg;
	(void)diag;
	if (ev->depth == 0)
		ends[ev->offset + 8 + ev->len] = 1;
	return 0;
}

static bool named_error(int r, const struct att_diag *d)
{
	return (r == ATT_ERR_TRUNCATED || r == ATT_ERR_FORMAT ||
		r == ATT_ERR_LIMIT) &&
	       !strncmp(d->msg, "sipa: ", 6);
}

static void test_prefixes(const struct payloads *ps)
{
	size_t bad = 0, ok = 0, total = 0;
	for (int k = 0; k < ps->n; k++) {
		uint8_t *ends = calloc(ps->len[k] + 1, 1);
		struct att_wbcl_facts f;
		struct att_diag d;
		if (!ends)
			continue;
		ATT_CHECK(att_sipa_walk(ps->p[k], ps->len[k], record_top, ends,
					NULL) == 0,
			  "payload %d walks", k);
		for (size_t n = 0; n < ps->len[k]; n++) {
			memset(&f, 0, sizeof(f));
			att_diag_clear(&d);
			int r = att_sipa_decode(&f, ps->p[k], n, ps->pcr[k], &d);
			total++;
			if (r == 0 && ends[n])
				ok++;
			else if (r != 0 && !ends[n] && named_error(r, &d))
				ok++;
			else if (n == 0 && r == ATT_ERR_FORMAT)
				ok++;
			else
				bad++;
		}
		free(ends);
	}
	ATT_CHECK(bad == 0 && total > 50000,
		  "%zu of %zu prefixes: wrong outcome", bad, total);
	printf("# %zu prefixes of %d payloads\n", total, ps->n);
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void test_mutations(const struct payloads *ps)
{
	size_t bad = 0, errs = 0, runs = 0;
	for (int k = 0; k < ps->n; k++) {
		uint8_t *m = malloc(ps->len[k]);
		if (!m)
			continue;
		for (int i = 0; i < 300; i++) {
			struct att_wbcl_facts f;
			struct att_diag d;
			memcpy(m, ps->p[k], ps->len[k]);
			int flips = 1 + (int)(rnd() % 4);
			for (int j = 0; j < flips; j++) {
				size_t at = rnd() % ps->len[k];
				if (rnd() % 2 && at + 4 <= ps->len[k])
					put_le32(m + at, rnd() % 3 ? rnd() % 64
								   : rnd());
				else
					m[at] = (uint8_t)rnd();
			}
			memset(&f, 0, sizeof(f));
			att_diag_clear(&d);
			int r = att_sipa_decode(&f, m, ps->len[k], ps->pcr[k],
						&d);
			runs++;
			if (r) {
				errs++;
				if (!named_error(r, &d))
					bad++;
			}
		}
		free(m);
	}
	ATT_CHECK(bad == 0 && runs > 3000 && errs > runs / 4,
		  "%zu of %zu mutations failed without a named error "
		  "(%zu errors)",
		  bad, runs, errs);
}

/* sipa builds a payload from (tag, len, bytes...) triples. */
struct pb {
	uint8_t b[4096];
	size_t n;
};

static void pb_ev(struct pb *p, uint32_t tag, const void *d, uint32_t len)
{
	put_le32(p->b + p->n, tag);
	put_le32(p->b + p->n + 4, len);
	if (len)
		memcpy(p->b + p->n + 8, d, len);
	p->n += 8 + len;
}

static int decode(struct pb *p, struct att_wbcl_facts *f, struct att_diag *d)
{
	att_diag_clear(d);
	return att_sipa_decode(f, p->b, p->n, 12, d);
}

static void test_synthetic(void)
{
	struct att_wbcl_facts f;
	struct att_diag d;
	struct pb p, in;
	const uint8_t one = 1, zero = 0;
	const uint8_t u64_1[8] = {1}, hvci4[4] = {3, 0, 0, 0};
	const uint8_t name[4] = {'X', 0, 'Y', 0};

	/* the weakening flags latch on, code integrity latches off */
	memset(&in, 0, sizeof(in));
	pb_ev(&in, ATT_SIPA_OSKERNELDEBUG, &one, 1);
	pb_ev(&in, ATT_SIPA_OSKERNELDEBUG, &zero, 1);
	pb_ev(&in, ATT_SIPA_BOOTDEBUGGING, &one, 1);
	pb_ev(&in, ATT_SIPA_TESTSIGNING, &one, 1);
	pb_ev(&in, ATT_SIPA_FLIGHTSIGNING, &one, 1);
	pb_ev(&in, ATT_SIPA_HYPERVISOR_DEBUG, &one, 1);
	pb_ev(&in, ATT_SIPA_CODEINTEGRITY, &zero, 1);
	pb_ev(&in, ATT_SIPA_CODEINTEGRITY, &one, 1);
	pb_ev(&in, ATT_SIPA_DATAEXECUTIONPREVENTION, u64_1, 8);
	pb_ev(&in, ATT_SIPA_VBS_HVCI_POLICY, hvci4, 4);
	pb_ev(&in, 0x000F0F0Fu, "opaque", 6); /* unknown: skipped */
	memset(&p, 0, sizeof(p));
	pb_ev(&p, ATT_SIPA_TRUSTBOUNDARY, in.b, (uint32_t)in.n);
	memset(&in, 0, sizeof(in));
	pb_ev(&in, ATT_SIPA_ELAM_KEYNAME, name, 4);
	pb_ev(&in, ATT_SIPA_ELAM_MEASURED, "m", 1);
	pb_ev(&p, ATT_SIPA_ELAM_AGGREGATION, in.b, (uint32_t)in.n);
	memset(&f, 0, sizeof(f));
	ATT_CHECK(decode(&p, &f, &d) == 0, "synthetic: %s", d.msg);
	ATT_CHECK(f.is_windows && f.kernel_debug && f.boot_debugging &&
			  f.test_signing && f.flight_signing &&
			  f.hypervisor_debug,
		  "flags latch on");
	ATT_CHECK_EQ_INT(f.code_integrity, ATT_WBCL_FALSE);
	ATT_CHECK_EQ_INT(f.dep, ATT_WBCL_TRUE);
	ATT_CHECK(f.has_hvci_policy && f.hvci_policy == 3, "HVCI policy 3");
	ATT_CHECK_EQ_INT(f.elam_drivers, 1);
	ATT_CHECK_EQ_INT(f.sipa_events, 15);
	json_t *cl = NULL;
	ATT_CHECK(att_wbcl_claims(&cl, &f, NULL, 0x7000, ATT_WBCL_FALSE, &d) ==
				  0 &&
			  jbool(cl, "x-ms-azurevm-debuggersdisabled", false) &&
			  jbool(cl, "x-ms-azurevm-signingdisabled", false) &&
			  jbool(cl, "x-ms-azurevm-kerneldebug-enabled", true) &&
			  jbool(cl, "secureboot", false) &&
			  jint(cl, "x-ms-azurevm-hvci-policy") == 3,
		  "synthetic claims");
	json_decref(cl);

	/* wrong sizes of known tags are named */
	memset(&p, 0, sizeof(p));
	pb_ev(&p, ATT_SIPA_TESTSIGNING, u64_1, 2);
	memset(&f, 0, sizeof(f));
	ATT_CHECK(decode(&p, &f, &d) == ATT_ERR_FORMAT &&
			  strstr(d.msg, "TESTSIGNING"),
		  "2-byte boolean: %s", d.msg);
	memset(&p, 0, sizeof(p));
	pb_ev(&p, ATT_SIPA_VBS_HVCI_POLICY, u64_1, 3);
	ATT_CHECK(decode(&p, &f, &d) == ATT_ERR_FORMAT &&
			  strstr(d.msg, "VBS_HVCI_POLICY"),
		  "3-byte HVCI policy: %s", d.msg);
	memset(&p, 0, sizeof(p));
	pb_ev(&p, ATT_SIPA_BOOTCOUNTER, u64_1, 4);
	ATT_CHECK(decode(&p, &f, &d) == ATT_ERR_FORMAT &&
			  strstr(d.msg, "BOOTCOUNTER"),
		  "4-byte boot counter: %s", d.msg);
	memset(&in, 0, sizeof(in));
	pb_ev(&in, ATT_SIPA_ELAM_KEYNAME, name, 3);
	memset(&p, 0, sizeof(p));
	pb_ev(&p, ATT_SIPA_ELAM_AGGREGATION, in.b, (uint32_t)in.n);
	ATT_CHECK(decode(&p, &f, &d) == ATT_ERR_FORMAT &&
			  strstr(d.msg, "ELAM_KEYNAME"),
		  "odd ELAM key name: %s", d.msg);
	/* a member that runs past its container (but not the payload) */
	memset(&p, 0, sizeof(p));
	memset(&in, 0, sizeof(in));
	pb_ev(&in, ATT_SIPA_CODEINTEGRITY, &one, 1);
	pb_ev(&p, ATT_SIPA_TRUSTBOUNDARY, in.b, (uint32_t)in.n);
	pb_ev(&p, ATT_SIPA_SAFEMODE, &zero, 1);
	put_le32(p.b + 8 + 4, 5); /* the member's size: 5, container holds 1 */
	ATT_CHECK(decode(&p, &f, &d) == ATT_ERR_TRUNCATED &&
			  strstr(d.msg, "past its container"),
		  "member past its container: %s", d.msg);
	/* empty payload */
	memset(&p, 0, sizeof(p));
	ATT_CHECK(decode(&p, &f, &d) == ATT_ERR_FORMAT, "empty payload");
	/* a non-SIPA PCR does not make a Windows log */
	memset(&p, 0, sizeof(p));
	pb_ev(&p, ATT_SIPA_TRUSTBOUNDARY, NULL, 0);
	memset(&f, 0, sizeof(f));
	ATT_CHECK(att_sipa_decode(&f, p.b, p.n, 14, &d) == 0 && !f.is_windows,
		  "a trust boundary in PCR 14 alone");
	ATT_CHECK(att_sipa_tag_name(ATT_SIPA_CODEINTEGRITY) &&
			  !att_sipa_tag_name(0x12345678u),
		  "tag names");
}

static void test_limits(void)
{
	struct att_diag d;
	struct att_wbcl_facts f;
	size_t depth = ATT_MAX_SIPA_DEPTH;
	/* depth: ATT_MAX_SIPA_DEPTH nested aggregations, then one more */
	uint8_t *b = calloc(8 * (depth + 1), 1);
	for (int extra = 0; b && extra < 2; extra++) {
		size_t levels = depth + (size_t)extra, n = 8 * levels;
		for (size_t i = 0; i < levels; i++) {
			put_le32(b + 8 * i, ATT_SIPA_TRUSTBOUNDARY);
			put_le32(b + 8 * i + 4, (uint32_t)(n - 8 * (i + 1)));
		}
		memset(&f, 0, sizeof(f));
		att_diag_clear(&d);
		int r = att_sipa_decode(&f, b, n, 12, &d);
		if (extra == 0)
			ATT_CHECK(r == 0, "%zu levels: %s", levels, d.msg);
		else
			ATT_CHECK(r == ATT_ERR_LIMIT &&
					  strstr(d.msg, "ATT_MAX_SIPA_DEPTH"),
				  "%zu levels: %d %s", levels, r, d.msg);
	}
	free(b);
	/* count: ATT_MAX_SIPA_EVENTS empty events, then one more */
	size_t n = 8 * ((size_t)ATT_MAX_SIPA_EVENTS + 1);
	b = calloc(n, 1);
	for (size_t i = 0; b && i <= ATT_MAX_SIPA_EVENTS; i++)
		put_le32(b + 8 * i, 0x00020001u);
	if (b) {
		memset(&f, 0, sizeof(f));
		ATT_CHECK(att_sipa_decode(&f, b, n - 8, 12, NULL) == 0,
			  "ATT_MAX_SIPA_EVENTS events");
		att_diag_clear(&d);
		ATT_CHECK(att_sipa_decode(&f, b, n, 12, &d) == ATT_ERR_LIMIT &&
				  strstr(d.msg, "ATT_MAX_SIPA_EVENTS"),
			  "one more: %s", d.msg);
	}
	free(b);
}

int main(void)
{
	struct payloads ps;
	ATT_REQUIRE_TESTDATA();
	test_no_action_pcr_none();
	test_azure_guest();
	test_gcp();
	collect(&ps);
	ATT_CHECK(ps.n == 12, "%d EV_EVENT_TAG payloads in the two logs",
		  ps.n);
	test_prefixes(&ps);
	test_mutations(&ps);
	test_synthetic();
	test_limits();
	for (int k = 0; k < 2; k++) {
		att_tcg_log_release(&ps.logs[k]);
		free(ps.bufs[k]);
	}
	return att_test_done();
}
